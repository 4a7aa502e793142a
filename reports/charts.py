"""The dashboard's charts, drawn on the server as SVG: pure functions from (label, value) pairs
to markup. Every label is escaped here; the markup is marked safe once built.

Each chart is `<svg role="img">` named by its `<title>` and `<desc>`, scales with its viewBox,
writes every value as text beside its bar or point (not colour alone), and is shown with a
table of the same numbers (the template's part)."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_FILL = "#2171b5"  # 5.0:1 against white: the bars stand out, and white text reads on them
AXIS = "#5c5c5c"
GRID = "#d9d9d9"
FONT = 13


@dataclass(frozen=True)
class Datum:
    label: str
    value: int
    short: str = ""  # a shorter label for an axis, when the label is long

    @property
    def axis_label(self) -> str:
        return self.short or self.label


def nice_ceiling(value: int) -> int:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at least `value` (and at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * power
        if top >= value and top == int(top):
            return int(top)
    return 10 * power  # pragma: no cover


def _ticks(top: int, count: int = 4) -> list[int]:
    step = max(1, top // count) if top % count == 0 else max(1, math.ceil(top / count))
    return list(range(0, top + 1, step))


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open(chart_id: str, title: str, desc: str, width: int, height: int, kind: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="report-chart report-chart-{kind}" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{cid}-title {cid}-desc" '
        f'data-chart="{cid}" font-size="{FONT}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text in `parts` is escaped


def _empty(parts: list[str], width: int, height: int, empty_text: str) -> SafeString:
    parts.append(
        f'<text x="{width / 2:g}" y="{height / 2:g}" text-anchor="middle" '
        f'fill="currentColor">{escape(empty_text)}</text>'
    )
    return _close(parts)


def hbar_chart(
    *, chart_id: str, title: str, desc: str, data: Sequence[Datum], empty_text: str = ""
) -> SafeString:
    """Horizontal bars, one row per datum, in the given order; long labels are cut (the full
    label is the bar's title and is in the table)."""
    label_w, width, row_h, pad = 200, 480, 28, 8
    height = max(1, len(data)) * row_h + 2 * pad
    parts = _open(chart_id, title, desc, width, height, "hbar")
    if not data:
        return _empty(parts, width, height, empty_text)
    top = max(d.value for d in data) or 1
    span = width - label_w - 56
    for i, d in enumerate(data):
        y = pad + i * row_h
        bar = round(span * d.value / top, 1)
        text = escape(f"{d.label}: {d.value}")
        parts.append(
            f'<g class="chart-bar" data-label="{escape(d.label)}" data-value="{d.value}">'
            f"<title>{text}</title>"
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4:g}" text-anchor="end" '
            f'fill="currentColor">{escape(_truncate(d.label, 26))}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:g}" height="{row_h - 8}" '
            f'fill="{BAR_FILL}"/>'
            f'<text x="{label_w + bar + 6:g}" y="{y + row_h / 2 + 4:g}" fill="currentColor" '
            f'font-weight="600">{d.value}</text>'
            "</g>"
        )
    parts.append(
        f'<line x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}" stroke="{AXIS}"/>'
    )
    return _close(parts)


def column_chart(
    *, chart_id: str, title: str, desc: str, data: Sequence[Datum], empty_text: str = ""
) -> SafeString:
    """Vertical bars, for a few categories (sex, age band), each value written above its bar
    and its label below."""
    width, height, pad_top, pad_bottom, pad_x = 480, 240, 24, 40, 24
    parts = _open(chart_id, title, desc, width, height, "column")
    if not data:
        return _empty(parts, width, height, empty_text)
    top = max(d.value for d in data) or 1
    plot_h = height - pad_top - pad_bottom
    slot = (width - 2 * pad_x) / len(data)
    bar_w = min(72, slot * 0.6)
    base = height - pad_bottom
    parts.append(
        f'<line x1="{pad_x}" y1="{base}" x2="{width - pad_x}" y2="{base}" stroke="{AXIS}"/>'
    )
    for i, d in enumerate(data):
        cx = pad_x + slot * (i + 0.5)
        bar_h = round(plot_h * d.value / top, 1)
        text = escape(f"{d.label}: {d.value}")
        parts.append(
            f'<g class="chart-bar" data-label="{escape(d.label)}" data-value="{d.value}">'
            f"<title>{text}</title>"
            f'<rect x="{cx - bar_w / 2:g}" y="{base - bar_h:g}" width="{bar_w:g}" '
            f'height="{bar_h:g}" fill="{BAR_FILL}"/>'
            f'<text x="{cx:g}" y="{base - bar_h - 6:g}" text-anchor="middle" '
            f'fill="currentColor" font-weight="600">{d.value}</text>'
            f'<text x="{cx:g}" y="{base + 20}" text-anchor="middle" fill="currentColor">'
            f"{escape(_truncate(d.axis_label, max(6, int(slot // 7))))}</text>"
            "</g>"
        )
    return _close(parts)


def line_chart(
    *, chart_id: str, title: str, desc: str, data: Sequence[Datum], empty_text: str = ""
) -> SafeString:
    """A line through the points in order (months), with a dot and a title on each point; the
    axis names at most about eight of them, the table beside the chart all."""
    width, height = 520, 240
    left, right, top_pad, bottom = 44, 32, 16, 40
    parts = _open(chart_id, title, desc, width, height, "line")
    if not data:
        return _empty(parts, width, height, empty_text)
    top = nice_ceiling(max(d.value for d in data))
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    base = top_pad + plot_h

    def x_of(i: int) -> float:
        return left + (plot_w * i / (len(data) - 1) if len(data) > 1 else plot_w / 2)

    def y_of(v: int) -> float:
        return base - plot_h * v / top

    for tick in _ticks(top):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:g}" x2="{width - right}" y2="{y:g}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 4:g}" text-anchor="end" fill="currentColor">'
            f"{tick}</text>"
        )
    points = " ".join(f"{x_of(i):.1f},{y_of(d.value):.1f}" for i, d in enumerate(data))
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{BAR_FILL}" stroke-width="2.5" '
        'stroke-linejoin="round"/>'
    )
    # Name every n-th point, counting back from the last (the latest month is always named).
    every = max(1, math.ceil(len(data) / 7))
    for i, d in enumerate(data):
        x, y = x_of(i), y_of(d.value)
        parts.append(
            f'<g class="chart-point" data-label="{escape(d.label)}" data-value="{d.value}">'
            f"<title>{escape(f'{d.label}: {d.value}')}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR_FILL}" stroke="#ffffff" '
            'stroke-width="1.5"/>'
            "</g>"
        )
        if (len(data) - 1 - i) % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{base + 20}" text-anchor="middle" fill="currentColor">'
                f"{escape(d.axis_label)}</text>"
            )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{AXIS}"/>'
    )
    return _close(parts)


# The longest span of months drawn month by month (20 years).
MAX_MONTHS = 240


def month_series(rows: Iterable, *, figure: str = "unique_persons") -> list[Datum]:
    """A report table's rows by month (key "YYYY-MM") as one datum per month from the first to
    the last, months without participations as 0 (over more than MAX_MONTHS, only the months
    with participations); rows without a month are left out."""
    values = {}
    for row in rows:
        key = row.key.get("month")
        if key:
            values[key] = getattr(row.figures, figure)
    if not values:
        return []
    first, last = min(values), max(values)
    year, month = (int(part) for part in first.split("-"))
    last_year, last_month = (int(part) for part in last.split("-"))
    if (last_year - year) * 12 + last_month - month > MAX_MONTHS:
        # A mistyped year (0202) would stretch the axis over centuries: the months with
        # participations only.
        return [
            Datum(
                label=formats.date_format(
                    datetime.date(*map(int, key.split("-")), 1), "YEAR_MONTH_FORMAT"
                ),
                value=values[key],
                short=key,
            )
            for key in sorted(values)
        ]
    out = []
    while True:
        key = f"{year:04d}-{month:02d}"
        if key > last:
            break
        label = formats.date_format(datetime.date(year, month, 1), "YEAR_MONTH_FORMAT")
        out.append(Datum(label=label, value=values.get(key, 0), short=key))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def table_series(rows: Iterable, *, field: str, figure: str = "unique_persons") -> list[Datum]:
    """A one-field report table's rows as data, in the table's order."""
    return [Datum(label=row.label[field], value=getattr(row.figures, figure)) for row in rows]


# --- the evaluation report's charts ---

PRE_FILL = "#9ecae1"  # light blue: dark text reads on it
POST_FILL = BAR_FILL
# The five points of a rating scale, from the lowest to the highest: a diverging palette, each
# with the text colour that reads on it.
SCALE_FILLS = (
    ("#b2182b", "#ffffff"),
    ("#ef8a62", "#000000"),
    ("#e0e0e0", "#000000"),
    ("#67a9cf", "#000000"),
    ("#2166ac", "#ffffff"),
)


@dataclass(frozen=True)
class Pair:
    """A group's two values (e.g. mean pre-test and post-test score), on a 0–100 scale."""

    label: str
    first: float
    second: float


def _number(value) -> str:
    return formats.number_format(value, decimal_pos=1)


def paired_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    data: Sequence[Pair],
    first_label: str,
    second_label: str,
    empty_text: str = "",
) -> SafeString:
    """Two horizontal bars per group on a 0–100 axis (the first light, the second dark), each
    value written beside its bar; a legend names the two."""
    label_w, width, row_h, pad, legend_h = 200, 480, 44, 8, 44
    height = max(1, len(data)) * row_h + 2 * pad + legend_h
    parts = _open(chart_id, title, desc, width, height, "paired")
    if not data:
        return _empty(parts, width, height, empty_text)
    span = width - label_w - 56
    for i, (name, fill) in enumerate(((first_label, PRE_FILL), (second_label, POST_FILL))):
        y = pad + i * 18
        parts.append(
            f'<g class="chart-legend"><rect x="{label_w}" y="{y}" width="12" height="12" '
            f'fill="{fill}" stroke="{AXIS}"/><text x="{label_w + 18}" y="{y + 11}" '
            f'fill="currentColor">{escape(name)}</text></g>'
        )
    top = pad + legend_h
    for i, d in enumerate(data):
        y = top + i * row_h
        parts.append(
            f'<g class="chart-pair" data-label="{escape(d.label)}" '
            f'data-first="{d.first:g}" data-second="{d.second:g}">'
            f"<title>{escape(f'{d.label}: {first_label} {_number(d.first)}, ')}"
            f"{escape(f'{second_label} {_number(d.second)}')}</title>"
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4:g}" text-anchor="end" '
            f'fill="currentColor">{escape(_truncate(d.label, 26))}</text>'
        )
        for j, (value, fill) in enumerate(((d.first, PRE_FILL), (d.second, POST_FILL))):
            bar = round(span * max(0.0, min(100.0, value)) / 100, 1)
            by = y + 4 + j * 18
            parts.append(
                f'<rect x="{label_w}" y="{by}" width="{bar:g}" height="16" fill="{fill}" '
                f'stroke="{AXIS}" stroke-width="0.5"/>'
                f'<text x="{label_w + bar + 6:g}" y="{by + 12}" fill="currentColor" '
                f'font-weight="600">{escape(_number(value))}</text>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - pad}" stroke="{AXIS}"/>'
    )
    return _close(parts)


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    rows: Sequence[tuple[str, Sequence[int]]],
    empty_text: str = "",
) -> SafeString:
    """One 100 % stacked bar per row (e.g. a rating question's answers by scale point, overall
    and per group): each segment's share written in it when it fits, its count and share in its
    title; a legend names the points (not colour alone)."""
    label_w, width, row_h, pad = 140, 520, 30, 8
    legend_rows = math.ceil(len(labels) / 2)
    legend_h = legend_rows * 18 + 8
    height = max(1, len(rows)) * row_h + 2 * pad + legend_h
    parts = _open(chart_id, title, desc, width, height, "stacked")
    if not rows or not any(sum(counts) for _label, counts in rows):
        return _empty(parts, width, height, empty_text)
    span = width - label_w - 8
    for i, name in enumerate(labels):
        x = 8 + (i % 2) * (width // 2)
        y = pad + (i // 2) * 18
        fill, _text = SCALE_FILLS[i % len(SCALE_FILLS)]
        parts.append(
            f'<g class="chart-legend"><rect x="{x}" y="{y}" width="12" height="12" '
            f'fill="{fill}" stroke="{AXIS}"/><text x="{x + 18}" y="{y + 11}" '
            f'fill="currentColor">{i + 1} – {escape(name)}</text></g>'
        )
    top = pad + legend_h
    for r, (row_label, counts) in enumerate(rows):
        y = top + r * row_h
        total = sum(counts)
        parts.append(
            f'<g class="chart-stack" data-label="{escape(row_label)}" '
            f'data-values="{",".join(str(c) for c in counts)}">'
            f'<text x="{label_w - 6}" y="{y + row_h / 2 + 4:g}" text-anchor="end" '
            f'fill="currentColor">{escape(_truncate(row_label, 18))}</text>'
        )
        x = float(label_w)
        for i, count in enumerate(counts):
            if not count or not total:
                continue
            share = count * 100 / total
            w = span * count / total
            fill, ink = SCALE_FILLS[i % len(SCALE_FILLS)]
            name = labels[i] if i < len(labels) else str(i + 1)
            tip = f"{row_label}: {i + 1} – {name}: {count} ({_number(share)} %)"
            parts.append(
                f'<g class="chart-segment" data-point="{i + 1}" data-count="{count}">'
                f"<title>{escape(tip)}</title>"
                f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{fill}" stroke="#ffffff" stroke-width="0.5"/>'
            )
            if w >= 34:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + row_h / 2 + 4:g}" text-anchor="middle" '
                    f'fill="{ink}">{round(share)}%</text>'
                )
            parts.append("</g>")
            x += w
        parts.append("</g>")
    return _close(parts)
