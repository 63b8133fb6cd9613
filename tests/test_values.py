import pytest

from etl.values import (
    SSB_SYMBOLS,
    UDIR_SYMBOLS,
    ValueProblem,
    decode_text,
    parse_cell,
    parse_gender,
    parse_grade,
    parse_number,
    parse_period,
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4 277", 4277.0),
        ("4\u00a0277", 4277.0),
        ("4\u202f277", 4277.0),
        ("9,4", 9.4),
        ("70,9%", 70.9),
        ("12.3", 12.3),
        ("0", 0.0),
        ("-1,5", -1.5),
        ("1 045,5", 1045.5),
    ],
)
def test_numbers(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1.045,5", "9,4,1", "", "12a"])
def test_bad_numbers(text):
    with pytest.raises(ValueProblem):
        parse_number(text)


def test_symbols_are_not_zero():
    assert parse_cell(":", SSB_SYMBOLS).value is None and parse_cell(":", SSB_SYMBOLS).suppressed
    assert parse_cell("..", SSB_SYMBOLS).value is None and not parse_cell("..", SSB_SYMBOLS).suppressed
    assert parse_cell("*", UDIR_SYMBOLS).suppressed and parse_cell("*", UDIR_SYMBOLS).symbol == "*"
    assert parse_cell("", UDIR_SYMBOLS) is None  # empty cell: no row
    real_zero = parse_cell("0", UDIR_SYMBOLS)
    assert real_zero.value == 0.0 and not real_zero.suppressed
    nil = parse_cell("-", SSB_SYMBOLS)  # SSB '-' = nil, a real zero
    assert nil.value == 0.0 and nil.symbol == "-"
    prelim = parse_cell("12,3*", SSB_SYMBOLS)
    assert prelim.value == 12.3 and prelim.symbol == "*"


@pytest.mark.parametrize(
    "text,label,start,end,kind",
    [
        ("2024", "2024", 2024, 2024, "year"),
        ("2023-24", "2023-24", 2023, 2024, "school_year"),
        ("2021_2023", "2021-2023", 2021, 2023, "pooled"),
        ("2021-2023", "2021-2023", 2021, 2023, "pooled"),
        ("2022_2022", "2022", 2022, 2022, "year"),
        ("H2024", "H2024", 2024, 2024, "term"),
        ("2024M09", "2024M09", 2024, 2024, "month"),
        ("1999-00", "1999-00", 1999, 2000, "school_year"),
    ],
)
def test_periods(text, label, start, end, kind):
    p = parse_period(text)
    assert (p.label, p.year_start, p.year_end, p.kind) == (label, start, end, kind)


@pytest.mark.parametrize("text", ["2023-25", "24", "2024M13", "2023_2021", "høst"])
def test_bad_periods(text):
    with pytest.raises(ValueProblem):
        parse_period(text)


def test_gender_and_grade():
    assert [parse_gender(g) for g in ("Begge kjønn", "Gutt", "Jente", "0", "1", "2", "Alle kjønn")] == [
        "alle",
        "gutter",
        "jenter",
        "alle",
        "gutter",
        "jenter",
        "alle",
    ]
    assert [parse_grade(g) for g in ("10. årstrinn", "5. årstrinn", "Vg1", "8-10", "Alle trinn", "vg1-vg3")] == [
        "10",
        "5",
        "vg1",
        "8-10",
        "alle",
        "vg1-vg3",
    ]
    with pytest.raises(ValueProblem):
        parse_grade("14. årstrinn")


def test_decoding():
    assert decode_text("sep=\tæ".encode("utf-16-le")) == ("sep=\tæ", "utf-16-le")
    assert decode_text("Bærum".encode("cp1252"))[1] == "windows-1252"
    assert decode_text("Bærum".encode())[1] == "utf-8"
    with pytest.raises(UnicodeDecodeError):
        decode_text(b"\x81\x8d\x8f\x90 not text")
