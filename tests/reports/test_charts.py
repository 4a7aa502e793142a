"""The dashboard's SVG charts and county tile map (reports.charts, reports.countymap), read back
as XML: the bars and points carry the values given, every label is escaped, months without data
count 0, and the map shades each county by the class its count falls in."""

import xml.etree.ElementTree as ET
from types import SimpleNamespace

from django.utils import translation

from reports import charts
from reports.countymap import FILLS, LAYOUT, NONE_FILL, county_map, legend

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    # The markup is inline SVG without a namespace declaration; add it to read it as XML.
    return ET.fromstring(str(markup).replace("<svg ", f'<svg xmlns="{SVG[1:-1]}" ', 1))  # noqa: S314 - our own markup


def groups(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if cls in g.get("class", "").split()]


def test_bars_carry_their_values_and_titles():
    data = [charts.Datum("asistent social", 12), charts.Datum("psiholog", 3)]
    svg = parse(charts.hbar_chart(chart_id="c1", title="By category", desc="Bars", data=data))

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(f"{SVG}title").text == "By category"
    bars = groups(svg, "chart-bar")
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [
        ("asistent social", "12"),
        ("psiholog", "3"),
    ]
    assert [b.find(f"{SVG}title").text for b in bars] == ["asistent social: 12", "psiholog: 3"]
    # The value is written as text beside the bar, and the longer bar is the larger value.
    assert [t.text for t in bars[0].iter(f"{SVG}text")][-1] == "12"
    widths = [float(b.find(f"{SVG}rect").get("width")) for b in bars]
    assert widths[0] == 4 * widths[1]


def test_column_chart_values():
    data = [charts.Datum("female", 5), charts.Datum("male", 0)]
    svg = parse(charts.column_chart(chart_id="c2", title="By sex", desc="Bars", data=data))
    bars = groups(svg, "chart-bar")
    assert [b.get("data-value") for b in bars] == ["5", "0"]
    assert float(bars[1].find(f"{SVG}rect").get("height")) == 0


def test_labels_are_escaped():
    evil = '<script>alert("x")</script>'
    markup = charts.hbar_chart(chart_id="c3", title=evil, desc=evil, data=[charts.Datum(evil, 1)])
    assert "<script>" not in markup
    svg = parse(markup)  # still well-formed
    assert svg.find(f"{SVG}title").text == evil
    assert groups(svg, "chart-bar")[0].get("data-label") == evil


def test_empty_chart_says_so():
    svg = parse(
        charts.line_chart(chart_id="c4", title="t", desc="d", data=[], empty_text="Nothing")
    )
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["Nothing"]


def row(month, persons):
    return SimpleNamespace(key={"month": month}, figures=SimpleNamespace(unique_persons=persons))


def test_months_without_data_are_zero_between_the_first_and_the_last():
    rows = [row("2023-11", 4), row("2024-02", 7), row(None, 9)]
    with translation.override("en"):
        series = charts.month_series(rows)
    assert [(d.short, d.value) for d in series] == [
        ("2023-11", 4),
        ("2023-12", 0),
        ("2024-01", 0),
        ("2024-02", 7),
    ]
    svg = parse(charts.line_chart(chart_id="c5", title="t", desc="d", data=series))
    points = groups(svg, "chart-point")
    assert [p.get("data-value") for p in points] == ["4", "0", "0", "7"]
    # The latest month is always named on the axis.
    assert "2024-02" in [t.text for t in svg.iter(f"{SVG}text")]


def test_a_mistyped_year_does_not_stretch_the_axis_over_centuries():
    rows = [row("0202-05", 1), row("2023-11", 4), row("2024-02", 7)]
    series = charts.month_series(rows)
    assert [(d.short, d.value) for d in series] == [("0202-05", 1), ("2023-11", 4), ("2024-02", 7)]


def test_map_has_every_county_and_shades_by_class():
    # Maximum 10: classes of 2 persons (1–2, 3–4, 5–6, 7–8, 9–10).
    with translation.override("en"):
        result = county_map(
            chart_id="m",
            title="Map",
            desc="Tiles",
            counties=[("CJ", "Cluj", 10), ("BV", "Brașov", 3), ("IS", "Iași", 0)],
        )
    svg = parse(result.svg)
    tiles = {g.get("data-county"): g for g in groups(svg, "map-tile")}
    assert len(LAYOUT) == 42
    assert set(tiles) == set(LAYOUT)
    assert len({LAYOUT[c] for c in LAYOUT}) == 42  # no two counties on one tile

    cluj, brasov, iasi = tiles["CJ"], tiles["BV"], tiles["IS"]
    assert cluj.get("data-bucket") == "5"
    assert cluj.find(f"{SVG}rect").get("fill") == FILLS[4]
    assert cluj.find(f"{SVG}title").text == "Cluj: 10 persons"
    assert brasov.get("data-bucket") == "2"
    assert brasov.find(f"{SVG}rect").get("fill") == FILLS[1]
    assert iasi.get("data-bucket") == "0"
    assert iasi.find(f"{SVG}rect").get("fill") == NONE_FILL
    assert iasi.find(f"{SVG}title").text == "Iași: 0 persons"
    # Not colour alone: each tile writes its code and its number.
    assert [t.text for t in cluj.iter(f"{SVG}text")] == ["CJ", "10"]

    with translation.override("en"):
        assert [c.label for c in result.legend] == ["no one", "1–2", "3–4", "5–6", "7–8", "9–10"]


def test_legend_of_small_counts():
    assert [(c.low, c.high) for c in legend(3)][1:] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
