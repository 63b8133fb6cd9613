"""Text is data in the SVG charts and HTML tables (issue 9 replaced Plotly and st.table with
them): names from files and the registry reach the page as letters, never as markup - checked
by rendering the Markdown the page sends with an independent CommonMark renderer and listing
every element and attribute the browser would build."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from oppvekst.charts import ranked_chart, series_chart
from oppvekst.presentation import html_table

HOSTILE = [
    '<script>alert("x")</script>',
    '</svg><img src=x onerror="alert(1)">',
    "Fana\n\n<b>fet</b> [lenke](javascript:alert(1)) *kursiv* $x$ :smile:",
    '" onmouseover="alert(1)',
    '=HYPERLINK("http://x")',
]
SVG_TAGS = {"svg", "g", "line", "rect", "path", "polyline", "polygon", "circle", "text", "title", "tspan", "div"}
TABLE_TAGS = {"style", "div", "table", "caption", "thead", "tbody", "tr", "th", "td", "span"}


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs |= {a for a, _ in attrs}

    def handle_data(self, data):
        self.text.append(data)


def rendered(markup: str) -> Elements:
    page = MarkdownIt("commonmark").render(f'<div class="oppvekst-chart">{markup}</div>')
    parser = Elements()
    parser.feed(page)
    return parser


def series(name: str) -> tuple[pd.DataFrame, dict, dict]:
    rows = pd.DataFrame(
        {
            "area_code": ["4601"] * 3,
            "grp": ["alle"] * 3,
            "period": ["2022", "2023", "2024"],
            "value": [10.0, 11.0, 12.0],
            "ci_low": [9.0, 10.0, 11.0],
            "ci_high": [11.0, 12.0, 13.0],
            "shown": [True] * 3,
            "n": [100.0] * 3,
        }
    )
    meta = {"unit": "prosent", "gender": "alle", "baseline_period": "2022", "target_value": 9.0,
            "target_period": "2026", "title": name}  # fmt: skip
    return rows, meta, {"4601": name}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_area_name_in_the_line_chart_is_text(name):
    rows, meta, names = series(name)
    out = rendered(series_chart(rows, meta, names, "prosent"))
    assert out.tags <= SVG_TAGS, out.tags - SVG_TAGS
    assert not {a for a in out.attrs if a.startswith("on") or a in ("href", "src")}
    assert name.replace("\n", " ") in " ".join("".join(out.text).split("\n")) or name in "".join(out.text)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_area_name_in_the_ranked_chart_is_text(name):
    rows = pd.DataFrame(
        {
            "area_name": [name, "Årstad"],
            "value": [5.0, 7.0],
            "ci_low": [4.0, 6.0],
            "ci_high": [6.0, 8.0],
            "shown": [True, True],
            "n": [100.0, 120.0],
            "vs_ref": ["bedre", "omtrent likt"],
            "vs_ref_symbol": ["▲", "●"],
            "vs_ref_colour": ["#005AB5", "#5F5F5F"],
        }
    )
    out = rendered(ranked_chart(rows, 6.5, name, "prosent"))
    assert out.tags <= SVG_TAGS, out.tags - SVG_TAGS
    assert not {a for a in out.attrs if a.startswith("on") or a in ("href", "src")}
    assert any(name.split("\n")[0] in t for t in out.text)


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_cell_in_an_html_table_is_text(name):
    table = pd.DataFrame({"Område": [name], "Verdi": ["7,0 prosent"], name: ["x"]})
    out = rendered(html_table(table, name, row_header="Område"))
    assert out.tags <= TABLE_TAGS, out.tags - TABLE_TAGS
    assert not {a for a in out.attrs if a.startswith("on") or a in ("href", "src")}
    assert any(name.split("\n")[0] in t for t in out.text)


def test_areas_are_never_drawn_in_a_verdict_colour():
    # issue 19: two areas in the same blue, «gutter» in the red that means «worse» elsewhere
    from oppvekst.charts import MARKERS, PALETTE, TARGET_COLOUR
    from oppvekst.verdicts import BETTER, NEUTRAL, NONE, SAME, WORSE

    assert not {c.upper() for c in PALETTE} & {BETTER, WORSE, SAME, NONE, NEUTRAL, TARGET_COLOUR.upper()}
    assert len(set(PALETTE)) == len(PALETTE) == len(set(MARKERS))
    rows, meta, names = series("Fana")
    two = pd.concat([rows, rows.assign(area_code="0")], ignore_index=True)
    svg = series_chart(two, meta, {**names, "0": "Hele landet"}, "prosent")
    assert BETTER.lower() not in svg.lower() and WORSE.lower() not in svg.lower()


def test_the_spc_chart_speaks_plainly():
    # issue 19: «XmR», «2σ» and «2025M06» on the fravær chart; months are «juni 25», limits have names
    from oppvekst import formatting as fmt
    from oppvekst.charts import spc_chart
    from oppvekst.stats import spc

    periods = [f"2024M{m:02d}" for m in range(8, 13)] + [f"2025M{m:02d}" for m in range(1, 12)]
    values = [10.0, 12.0] * 7 + [30.0, 31.0]
    svg = spc_chart(periods, values, spc(values), "prosent")
    for word in ("XmR", "σ", "2025M", "2024M"):
        assert word not in svg
    assert "juni 25" in svg and "Øvre kontrollgrense" in svg and "Nedre kontrollgrense" in svg
    import html

    assert "november 2025: 31,0\u00a0prosent" in html.unescape(svg)  # the last point's tooltip: the month in full
    assert "nær samme kontrollgrense" in svg or "utenfor kontrollgrensene" in svg
    assert fmt.period_text("2025M06") == "juni 2025" and fmt.period_text("2025M06", short=True) == "juni 25"
    assert fmt.period_text("H2024") == "høsten 2024" and fmt.period_text("2023-24") == "2023-24"
    assert fmt.period_text("2025M13") == "2025M13"  # not a month: shown as it is
