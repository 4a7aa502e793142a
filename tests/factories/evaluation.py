"""Questionnaires for tests: a knowledge test and a feedback form built from short specs."""

from decimal import Decimal

from evaluation import services
from evaluation.models import Questionnaire


def choice(text: str, options: list[tuple[str, bool]], points="1", multiple=False, required=True):
    return (
        "multiple" if multiple else "single",
        {
            "text": text,
            "options": [{"label": label, "correct": correct} for label, correct in options],
            "points": Decimal(points),
            "required": required,
        },
    )


def likert(text: str, scale="agreement", required=True):
    return ("likert", {"text": text, "scale": scale, "required": required})


def free_text(text: str, required=False):
    return ("text", {"text": text, "required": required})


def questionnaire(course, kind=Questionnaire.Kind.TEST, questions=None, user=None, **fields):
    """A saved questionnaire (through the service, so it has its first version)."""
    if questions is None:
        questions = (
            [
                choice("Q1", [("a", True), ("b", False)]),
                choice("Q2", [("a", False), ("b", True), ("c", True)], points="2", multiple=True),
            ]
            if kind == Questionnaire.Kind.TEST
            else [likert("Useful?"), free_text("Comments")]
        )
    item = Questionnaire(
        course=course, kind=kind, title=fields.pop("title", f"{kind} form"), **fields
    )
    item.questions = questions
    services.questionnaire_save(questionnaire=item, acting_user=user)
    item.refresh_from_db()
    return item


def option_ids(version, index: int) -> list[str]:
    """The option ids of the version's question at `index`."""
    return [option["id"] for option in version.questions[index]["options"]]
