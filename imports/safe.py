"""Spreadsheet cells that a spreadsheet program would run as a formula: the one rule lives in
`training.exports`, where every app may import it."""

from training.exports import FORMULA_STARTS, neutralise, unneutralise

__all__ = ["FORMULA_STARTS", "neutralise", "unneutralise"]
