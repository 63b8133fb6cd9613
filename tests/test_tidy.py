"""The tidy downloads for analysts (oppvekst/tidy.py): one row per indicator × area × period ×
group, the documented columns, no hidden number, formula-looking text neutralised in the CSV,
and Parquet that keeps its types."""

import io
import shutil

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oppvekst import queries
from oppvekst.marts import build_marts
from oppvekst.tidy import COLUMNS, SCHEMA, tidy_values, to_parquet, to_tidy_csv

# The columns as README («Nedlasting for analytikere») documents them, in order.
DOCUMENTED = [
    "indicator_id",
    "indicator",
    "area_code",
    "area_name",
    "area_level",
    "period",
    "period_type",
    "year_start",
    "year_end",
    "group",
    "grade",
    "value",
    "ci_lower",
    "ci_upper",
    "ci_method",
    "n",
    "unit",
    "suppressed",
    "suppressed_reason",
    "origin",
    "source",
    "load_id",
    "sample",
]
KEY = ["indicator_id", "area_code", "period", "group"]


def read_parquet(data: bytes) -> pa.Table:
    # one thread: pyarrow's reader pool and DuckDB in one process can abort at interpreter exit
    return pq.read_table(io.BytesIO(data), use_threads=False)


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def hidden_case(con):
    """An indicator and the areas where the sample has rows the mart does not show."""
    iid, code = con.execute(
        "SELECT indicator_id, area_code FROM mart_scorecard WHERE NOT shown GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    return iid, [code, code[:4], "0"]


def test_the_column_set_is_exactly_the_documented_one_and_readme_names_each(con, hidden_case):
    df = tidy_values(con, *hidden_case)
    assert list(df.columns) == DOCUMENTED == COLUMNS
    assert list(read_csv(to_tidy_csv(df)).columns) == DOCUMENTED
    assert read_parquet(to_parquet(df)).schema.names == DOCUMENTED
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("Nedlasting for analytikere", 1)[1].split("\n## ", 1)[0]
    missing = [c for c in DOCUMENTED if f"`{c}`" not in section]
    assert not missing, f"README does not document {missing}"


def test_hidden_rows_are_present_with_a_reason_and_no_number_in_csv_or_parquet(con, hidden_case):
    iid, codes = hidden_case
    hidden = con.execute(
        "SELECT count(*) FROM mart_scorecard WHERE indicator_id = ? AND list_contains(?, area_code) AND NOT shown",
        [iid, codes],
    ).fetchone()[0]
    assert hidden > 0, "the sample has no hidden rows here: the test would prove nothing"
    df = tidy_values(con, iid, codes)
    numbers = ["value", "ci_lower", "ci_upper", "ci_method", "n"]

    csv = read_csv(to_tidy_csv(df))
    sup = csv[csv["suppressed"] == "true"]
    assert len(sup) == hidden
    assert (sup[numbers] == "").all().all()
    assert (sup["suppressed_reason"].str.len() > 0).all()
    shown = csv[csv["suppressed"] == "false"]
    assert len(shown) and (shown["value"] != "").all() and (shown["suppressed_reason"] == "").all()

    table = read_parquet(to_parquet(df)).to_pandas(use_threads=False)
    sup = table[table["suppressed"]]
    assert len(sup) == hidden
    assert sup[numbers].isna().all().all()
    assert sup["suppressed_reason"].notna().all()
    assert table.loc[~table["suppressed"], "value"].notna().all()


def test_no_hidden_number_in_any_tidy_download_of_the_sample(con):
    """Every indicator, every kommune and bydel: no row the mart hides carries a number."""
    ids = queries.indicators(con)["indicator_id"].tolist()
    codes = queries.areas_with_data(con)["area_code"].tolist() + ["0"]
    df = tidy_values(con, ids, codes)
    mart = con.execute("SELECT count(*) FROM mart_scorecard WHERE list_contains(?, area_code)", [codes]).fetchone()[0]
    assert len(df) == mart  # every mart row, hidden ones included
    sup = df[df["suppressed"]]
    assert len(sup) > 0
    assert sup[["value", "ci_lower", "ci_upper", "n"]].isna().all().all()
    assert sup["suppressed_reason"].notna().all()


def test_one_row_per_indicator_area_period_group(con):
    ids = queries.indicators(con)["indicator_id"].tolist()
    df = tidy_values(con, ids, ["460101", "4601", "0"])
    assert len(df) > 1000
    assert not df.duplicated(KEY).any()
    assert {"alle", "gutter", "jenter"} <= set(df["group"])
    # narrowed: one group and one period
    one = tidy_values(con, ids[:1], ["4601"], groups=["alle"], period=df["period"].iloc[0])
    assert len(one) == 1 and one["group"].iloc[0] == "alle"


def test_shown_numbers_are_the_marts_and_months_are_iso(con):
    df = tidy_values(con, "fravaer_bekymring_10", ["4601"], groups=["alle"])
    mart = con.execute(
        """SELECT period, period_type, value, n FROM mart_scorecard
        WHERE indicator_id = 'fravaer_bekymring_10' AND area_code = '4601' AND grp = 'alle' AND shown"""
    ).df()
    assert len(mart) and len(df) >= len(mart)
    months = df[df["period_type"] == "month"]
    assert len(months) and months["period"].str.fullmatch(r"\d{4}-\d{2}").all()
    iso = mart["period"].str.replace(r"^(\d{4})M(\d{2})$", r"\1-\2", regex=True)
    got = df.set_index("period").loc[iso.tolist()]
    assert got["value"].tolist() == mart["value"].tolist()
    assert got["n"].astype(float).tolist() == mart["n"].tolist()
    assert set(df["unit"]) == {"prosent"}
    assert df["source"].str.startswith("Fravær").all()  # the source's name, not its internal id


def test_load_id_is_the_load_the_number_came_from(con):
    df = tidy_values(con, "ung_depr", ["460101", "4601", "0"])
    assert df["load_id"].notna().all()
    # a published row: the observation's own load
    obs = con.execute(
        """SELECT o.load_id FROM stg_observations o JOIN indicators i ON o.source = i.source
           AND (o.measure_code = i.measure OR o.measure_name = i.measure) AND o.grade = i.grade
           AND o.breakdown = i.breakdown
        WHERE i.indicator_id = 'ung_depr' AND o.area_code = '460101' AND o.gender = 'alle' AND o.period = ?""",
        [df["period"].iloc[0]],
    ).fetchall()
    assert [r[0] for r in obs] == [df["load_id"].iloc[0]]
    # every load named is a load of the indicator's source
    sources = {
        r[0]
        for r in con.execute(
            "SELECT source FROM loads WHERE list_contains(?, load_id)", [[int(x) for x in df["load_id"].unique()]]
        ).fetchall()
    }
    assert sources == {"ungdata"}
    assert df["sample"].all()  # the sample database: every row says so


def test_a_value_built_from_schools_names_the_newest_load_of_its_schools(con):
    row = con.execute(
        """SELECT indicator_id, area_code, period, grp FROM mart_scorecard
        WHERE origin = 'aggregert fra skoler' AND shown AND area_level = 'bydel' LIMIT 1"""
    ).fetchone()
    assert row, "the sample has no values built from schools"
    iid, code, period, grp = row
    df = tidy_values(con, iid, code, groups=[grp], period=period)
    newest = con.execute(
        """SELECT max(o.load_id) FROM stg_observations o JOIN indicators i ON o.source = i.source
           AND (o.measure_code = i.measure OR o.measure_name = i.measure) AND o.grade = i.grade
           AND o.breakdown = i.breakdown
           JOIN areas a ON a.area_code = o.area_code AND a.area_level = 'skole' AND a.parent_code = ?
        WHERE i.indicator_id = ? AND o.gender = ? AND o.period = ?""",
        [code, iid, grp, period],
    ).fetchone()[0]
    assert newest is not None and df["load_id"].tolist() == [newest]


def test_formula_looking_text_is_neutralised_in_csv_and_kept_in_parquet(sample_db, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, path)
    evil = '=HYPERLINK("https://example.org","Arna")'
    with duckdb.connect(str(path)) as c:
        c.execute("UPDATE mart_scorecard SET area_name = ? WHERE area_code = '460101'", [evil])
        c.execute("UPDATE indicators SET title = '+' || title WHERE indicator_id = 'ung_depr'")
        df = tidy_values(c, "ung_depr", ["460101", "4601"])
    csv = read_csv(to_tidy_csv(df))
    assert set(csv.loc[csv["area_code"] == "460101", "area_name"]) == {"'" + evil}
    assert csv["indicator"].str.startswith("'+").all()
    assert set(csv.loc[csv["area_code"] == "4601", "area_name"]) == {"Bergen"}
    raw = to_tidy_csv(df).decode("utf-8")
    assert "\n=" not in raw and ",=" not in raw and ',"=' not in raw
    table = read_parquet(to_parquet(df)).to_pandas(use_threads=False)
    assert set(table.loc[table["area_code"] == "460101", "area_name"]) == {evil}  # raw text: not a spreadsheet


def test_csv_is_plain_utf8_with_comma_and_decimal_point(con):
    df = tidy_values(con, "ung_depr", ["4601"], groups=["alle"])
    data = to_tidy_csv(df)
    assert not data.startswith(b"\xef\xbb\xbf")  # no BOM
    text = data.decode("utf-8")
    header, first = text.splitlines()[:2]
    assert header == ",".join(DOCUMENTED)
    back = pd.read_csv(io.StringIO(text))
    assert back["value"].dtype == "float64" and back["n"].dtype == "int64"
    assert back["suppressed"].dtype == bool
    assert back["value"].tolist() == pytest.approx(df["value"].tolist(), nan_ok=True)
    assert "Ungdata – NOVA/KoRus" in first


def test_parquet_round_trips_types_and_values(con, hidden_case):
    df = tidy_values(con, *hidden_case)
    table = read_parquet(to_parquet(df, note="Eksempeldata – ikke ekte tall"))
    assert table.schema.remove_metadata().equals(SCHEMA)
    assert table.schema.field("value").type == pa.float64()
    assert table.schema.field("n").type == pa.int64() and table.column("n").null_count > 0
    assert table.schema.field("suppressed").type == pa.bool_()
    assert table.schema.metadata[b"oppvekst.note"].decode() == "Eksempeldata – ikke ekte tall"
    back = table.to_pandas(use_threads=False)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    assert back["n"].dtype == "Int64" and back["year_start"].dtype == "Int64"


def test_empty_choices_give_an_empty_typed_frame(con):
    df = tidy_values(con, [], ["4601"])
    assert df.empty and list(df.columns) == DOCUMENTED
    assert read_parquet(to_parquet(df)).num_rows == 0
    assert to_tidy_csv(df).decode() == ",".join(DOCUMENTED) + "\n"


def test_a_mart_built_before_load_id_is_rebuilt_whole_and_read_meanwhile(sample_db, tmp_path):
    path = tmp_path / "old.duckdb"
    shutil.copy(sample_db, path)
    with duckdb.connect(str(path)) as c:
        c.execute("ALTER TABLE mart_indicator_values DROP COLUMN load_id")
        old = tidy_values(c, "ung_depr", ["4601"])
        assert len(old) and old["load_id"].isna().all()  # readable, with no load
        build_marts(c, touched=set())  # a load that touched nothing: still a full rebuild here
        new = tidy_values(c, "ung_depr", ["4601"])
    assert new["load_id"].notna().all()
    pd.testing.assert_frame_equal(new.drop(columns="load_id"), old.drop(columns="load_id"))


def test_pages_reach_the_query_through_queries():
    assert queries.tidy_values is tidy_values


def test_split_by_trinn_the_download_holds_the_other_trinn_as_the_page_shows_them(con):
    # «Fordelt på: trinn» on Indikator shows Ungdata's vg1-vg3 beside the plan's 8-10: the tidy
    # file holds the same rows, each with its own grade, a load and no hidden number
    ids, areas = ["ung_depr", "eu_mobbing_10"], ["4601", "460101", "0"]
    df = tidy_values(con, ids, areas, by="trinn")
    assert set(df.loc[df["indicator_id"] == "ung_depr", "grade"]) == {"8-10", "vg1-vg3"}
    assert set(df.loc[df["indicator_id"] == "eu_mobbing_10", "grade"]) == {"10", "7"}
    assert not df.duplicated(["indicator_id", "area_code", "period", "group", "grade"]).any()
    assert len(tidy_values(con, ids, areas)) == (df["grade"].isin(["8-10", "10"])).sum()  # the plan's own, unchanged
    other = df[df["grade"].isin(["vg1-vg3", "7"])]
    mart = con.execute(
        "SELECT indicator_id, area_code, period, grp, grade, shown, value FROM mart_breakdowns "
        "WHERE list_contains(?, indicator_id) AND list_contains(?, area_code)",
        [ids, areas],
    ).df()
    assert len(other) == len(mart) > 0
    merged = other.merge(
        mart.rename(columns={"grp": "group"}), on=["indicator_id", "area_code", "period", "group", "grade"]
    )
    assert len(merged) == len(mart)
    assert (merged["suppressed"] == ~merged["shown"].astype(bool)).all()
    assert merged.loc[merged["suppressed"], "value_x"].isna().all()  # hidden: no number
    shown = merged[~merged["suppressed"]]
    assert (shown["value_x"] - shown["value_y"]).abs().max() < 1e-12
    assert other["load_id"].notna().all()
    assert other.loc[other["suppressed"], "suppressed_reason"].notna().all()
