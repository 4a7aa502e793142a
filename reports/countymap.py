"""A map of Romania's counties as a tile grid: each of the 41 counties and București is one
square tile, placed near its county seat and labelled with its code, shaded by a count.

No county outlines are available to us offline, so the map is not to scale: the layout below
was computed once from the county seats' coordinates (longitude scaled by cos 46°, so that a
degree east is as long as a degree north; the whole spread over a 9 × 7 grid), each county
placed, in turn, on the free cell nearest its seat; of many orders tried, the one with the
smallest total displacement and no east-west or north-south inversion between counties more
than a cell apart was kept (and checked by eye against a map).

      SM MM    SV BT
   BH SJ BN    NT    IS
AR    AB CJ MS HR BC VS
TM    HD SB BV CV VN GL
   CS GJ VL DB PH BZ BR TL
      MH OT AG IF B  IL
         DJ TR GR CL    CT
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

COLUMNS, ROWS = 9, 7

# County code → (column, row), row 0 in the north.
LAYOUT: dict[str, tuple[int, int]] = {
    "AB": (2, 2),
    "AG": (4, 5),
    "AR": (0, 2),
    "B": (6, 5),
    "BC": (6, 2),
    "BH": (1, 1),
    "BN": (3, 1),
    "BR": (7, 4),
    "BT": (6, 0),
    "BV": (4, 3),
    "BZ": (6, 4),
    "CJ": (3, 2),
    "CL": (6, 6),
    "CS": (1, 4),
    "CT": (8, 6),
    "CV": (5, 3),
    "DB": (4, 4),
    "DJ": (3, 6),
    "GJ": (2, 4),
    "GL": (7, 3),
    "GR": (5, 6),
    "HD": (2, 3),
    "HR": (5, 2),
    "IF": (5, 5),
    "IL": (7, 5),
    "IS": (7, 1),
    "MH": (2, 5),
    "MM": (3, 0),
    "MS": (4, 2),
    "NT": (5, 1),
    "OT": (3, 5),
    "PH": (5, 4),
    "SB": (3, 3),
    "SJ": (2, 1),
    "SM": (2, 0),
    "SV": (5, 0),
    "TL": (8, 4),
    "TM": (0, 3),
    "TR": (4, 6),
    "VL": (3, 4),
    "VN": (6, 3),
    "VS": (7, 2),
}

# A sequential single-hue blue scale (from ColorBrewer "Blues"), readable by colour-blind
# readers; class 0, "no one", is white with a dashed outline, so that it is not mistaken for the
# lightest blue. The tiles' text is dark on the light classes and white on the dark ones
# (contrast ≥ 4.5:1 on each), and each tile writes its number: not colour alone.
NONE_FILL = "#ffffff"
FILLS = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
DARK_TEXT, LIGHT_TEXT = "#1a1a1a", "#ffffff"
CLASSES = len(FILLS)

TILE, GAP = 56, 4


@dataclass(frozen=True)
class LegendClass:
    bucket: int  # 0 = none, 1..5
    low: int
    high: int
    fill: str

    @property
    def label(self) -> str:
        if self.bucket == OUTSIDE:
            return _("outside your counties")
        if self.bucket == 0:
            return _("no one")
        if self.low == self.high:
            return str(self.low)
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    value: int
    bucket: int
    col: int
    row: int

    @property
    def fill(self) -> str:
        if self.bucket == OUTSIDE:
            return OUTSIDE_FILL
        return FILLS[self.bucket - 1] if self.bucket else NONE_FILL

    @property
    def text_fill(self) -> str:
        return LIGHT_TEXT if self.bucket >= 4 else DARK_TEXT

    @property
    def title(self) -> str:
        if self.bucket == OUTSIDE:
            return _("%(county)s: outside your counties") % {"county": self.name}
        return ngettext("%(county)s: %(n)s person", "%(county)s: %(n)s persons", self.value) % {
            "county": self.name,
            "n": self.value,
        }


# The bucket of a county outside the reader's scope, and its fill.
OUTSIDE = -1
OUTSIDE_FILL = "#d9d9d9"


def class_width(maximum: int) -> int:
    """Five classes of equal width, in whole persons, covering 1..maximum."""
    return max(1, math.ceil(maximum / CLASSES))


def bucket_of(value: int, width: int) -> int:
    """0 for no one, else 1..5."""
    if value <= 0:
        return 0
    return min(CLASSES, (value - 1) // width + 1)


def legend(maximum: int) -> list[LegendClass]:
    width = class_width(maximum)
    return [LegendClass(0, 0, 0, NONE_FILL)] + [
        LegendClass(i + 1, i * width + 1, (i + 1) * width, FILLS[i]) for i in range(CLASSES)
    ]


@dataclass(frozen=True)
class CountyMap:
    tiles: list[Tile]
    legend: list[LegendClass]
    svg: SafeString


def county_map(
    *,
    chart_id: str,
    title: str,
    desc: str,
    counties: Iterable[tuple[str, str, int]],
    outside: Iterable[tuple[str, str]] = (),
) -> CountyMap:
    """The tile map of (code, name, persons) for every county in LAYOUT (missing ones: 0);
    codes not in the layout are left out of the drawing (the table beside it lists them).
    `outside`: (code, name) of the counties the reader may not see, drawn grey without a
    number (not as "no one", which would be a figure)."""
    counts = {code: (name, value) for code, name, value in counties}
    hidden = dict(outside)
    maximum = max((value for _, value in counts.values()), default=0)
    width = class_width(maximum)
    tiles = []
    for code, (col, row) in sorted(LAYOUT.items(), key=lambda item: (item[1][1], item[1][0])):
        if code in hidden and code not in counts:
            tiles.append(Tile(code, hidden[code], 0, OUTSIDE, col, row))
            continue
        name, value = counts.get(code, (code, 0))
        tiles.append(Tile(code, name, value, bucket_of(value, width), col, row))
    w = COLUMNS * (TILE + GAP) - GAP
    h = ROWS * (TILE + GAP) - GAP
    cid = escape(chart_id)
    parts = [
        f'<svg class="report-map" role="img" viewBox="0 0 {w} {h}" '
        f'aria-labelledby="{cid}-title {cid}-desc" data-chart="{cid}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]
    for t in tiles:
        x, y = t.col * (TILE + GAP), t.row * (TILE + GAP)
        dash = "" if t.bucket else ' stroke-dasharray="4 3"'
        parts.append(
            f'<g class="map-tile map-class-{t.bucket}" data-county="{escape(t.code)}" '
            f'data-bucket="{t.bucket}" data-value="{t.value}">'
            f"<title>{escape(t.title)}</title>"
            f'<rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="4" fill="{t.fill}" '
            f'stroke="#5c5c5c" stroke-width="1"{dash}/>'
            f'<text x="{x + TILE / 2:g}" y="{y + 24}" text-anchor="middle" font-size="15" '
            f'font-weight="700" fill="{t.text_fill}">{escape(t.code)}</text>'
            f'<text x="{x + TILE / 2:g}" y="{y + 44}" text-anchor="middle" font-size="13" '
            f'fill="{t.text_fill}">{"—" if t.bucket == OUTSIDE else t.value}</text>'
            "</g>"
        )
    parts.append("</svg>")
    classes = legend(maximum)
    if hidden:
        classes.append(LegendClass(OUTSIDE, 0, 0, OUTSIDE_FILL))
    return CountyMap(tiles=tiles, legend=classes, svg=mark_safe("".join(parts)))  # noqa: S308 - every text is escaped above
