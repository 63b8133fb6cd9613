"""The yearly report's generated narrative (issue 11): every sentence kind, exact for a few and
held to the honesty rules for all - «sikker» only where the page-level verdict is sure, a bad
rise named a «forverring», a hidden number never shown or hidden silently."""

import itertools
import re
from collections import namedtuple

import duckdb
import pandas as pd
import pytest

from oppvekst import formatting as fmt
from oppvekst import narrative as nv
from oppvekst.queries import malekart

SURE = re.compile(r"\bsikker(?:t|e)?\b", re.IGNORECASE)  # «sikker», «sikkert», «sikre» - not «usikkert»
NBSP = "\u00a0"


def plain(text) -> str:
    """A sentence (or a list of them) with the number formats' no-break spaces as spaces."""
    if isinstance(text, list):
        text = " ".join(text)
    return (text or "").replace(NBSP, " ")


def row(**over) -> dict:
    """A målekart row: «Elever som blir mobbet på skolen, 10. trinn», 8,9 → 7,1 prosent, a sure
    improvement, like landet, on track; ``over`` changes any field."""
    base = dict(
        indicator_id="eu_mobbing_10",
        goal="Mål 1",
        title="Elever som blir mobbet på skolen, 10. trinn",
        unit="prosent",
        polarity="lower_is_better",
        statistic="proportion",
        baseline_period="2020-21",
        baseline_value=8.9,
        baseline_agreed=False,
        baseline_series_value=8.9,
        target_value=4.0,
        target_period="2027-28",
        status_period="2025-26",
        status_value=7.1,
        status_low=6.2,
        status_high=8.1,
        status_shown=True,
        status_reason=None,
        status_n=2500.0,
        change_verdict="sikker forbedring",
        change_detail="",
        benchmark_value=6.9,
        benchmark_name="landet",
        landet_value=6.9,
        benchmark_verdict="omtrent likt",
        benchmark_detail="",
        target_verdict="på vei",
        target_detail="Tallet ligger på riktig side av linjen fra 0-punktet mot målet (6,90 prosent i 2026).",
        family_tests=367,
        family_name="Bergen og bydelene",
    )
    base.update(over)
    if "change" not in over:
        sv, bv = base["status_value"], base["baseline_value"]
        base["change"] = sv - bv if sv is not None and bv is not None and base["status_shown"] else None
    if "improvement" not in over:
        d = {"higher_is_better": 1, "lower_is_better": -1}.get(base["polarity"])
        base["improvement"] = base["change"] * d if d and base["change"] is not None else None
    return base


# ------------------------------------------------------------------------- exact sentences
def test_the_issue_example_a_sure_fall_in_bullying_is_an_improvement():
    s = nv.indicator_sentences(row())
    assert plain(s) == (
        "Elever som blir mobbet på skolen, 10. trinn: gått ned fra 8,9 prosent i 2020-21 til 7,1 prosent i "
        "2025-26, en nedgang på 1,8 prosentpoeng. "
        "Nedgangen er større enn tilfeldig variasjon kan forklare, og det er en forbedring. "
        "Tallet er omtrent som i landet (6,9 prosent): forskjellen kan skyldes tilfeldig variasjon. "
        "Tallet er i rute mot målet på 4,0 prosent innen 2027-28: det ligger på eller foran planens linje fra "
        "0-punktet mot målet."
    )
    assert f"7,1{NBSP}prosent" in s[0]  # the number formats' own no-break space


def test_a_sure_rise_in_something_that_should_fall_is_named_a_worsening():
    r = row(status_value=10.4, change_verdict="sikker forverring", target_verdict="ikke på vei")
    assert plain(nv.level_sentence(r)).endswith(
        "gått opp fra 8,9 prosent i 2020-21 til 10,4 prosent i 2025-26, en økning på 1,5 prosentpoeng."
    )
    assert nv.change_sentence(r) == "Økningen er større enn tilfeldig variasjon kan forklare, og det er en forverring."
    assert (
        plain(nv.target_sentence(r))
        == "Tallet ligger sikkert bak planens linje mot målet på 4,0 prosent innen 2027-28."
    )


def test_a_sure_fall_in_something_that_should_rise_is_a_worsening_and_a_rise_an_improvement():
    up = dict(polarity="higher_is_better", title="Trygg", baseline_value=88.2, target_value=90.0)
    fall = row(**up, status_value=81.3, change_verdict="sikker forverring")
    rise = row(**up, status_value=91.0, change_verdict="sikker forbedring")
    assert (
        nv.change_sentence(fall) == "Nedgangen er større enn tilfeldig variasjon kan forklare, og det er en forverring."
    )
    assert (
        nv.change_sentence(rise) == "Økningen er større enn tilfeldig variasjon kan forklare, og det er en forbedring."
    )


def test_no_sure_change_is_said_to_be_possibly_chance_with_its_direction_and_no_claim():
    bad = row(status_value=9.4, change_verdict="ingen sikker endring")
    good = row(status_value=8.5, change_verdict="ingen sikker endring")
    flat = row(status_value=8.92, change_verdict="ingen sikker endring")
    assert (
        nv.change_sentence(bad)
        == "Endringen går i feil retning, men den er så liten at den kan skyldes tilfeldig variasjon."
    )
    assert (
        nv.change_sentence(good)
        == "Endringen går i riktig retning, men den er så liten at den kan skyldes tilfeldig variasjon."
    )
    assert nv.change_sentence(flat) == "Endringen er så liten at den kan skyldes tilfeldig variasjon."
    assert plain(nv.level_sentence(flat)) == (
        "Elever som blir mobbet på skolen, 10. trinn: 8,9 prosent både i 2020-21 og i 2025-26, altså uendret."
    )
    for r in (bad, good, flat):
        text = " ".join(nv.indicator_sentences(r)[:2])
        assert not SURE.search(text) and "større enn tilfeldig" not in text
        assert "forverring" not in text and "forbedring" not in text


def test_a_claim_lost_to_the_page_rule_is_explained_without_calling_it_sure():
    lost = "Sikker for én sammenligning (95 prosent), men ikke når alle testene på siden tas med (Benjamini–Hochberg, 5 prosent falske funn)."
    r = row(status_value=9.9, change_verdict="ingen sikker endring", change_detail=lost, benchmark_detail=lost)
    text = nv.change_sentence(r)
    assert text.endswith(
        "Sett alene ville endringen vært stor nok til å regnes med, men ikke når alle de 367 testene for "
        "Bergen og bydelene tas med."
    )
    assert "ikke når alle de 367 testene" in nv.benchmark_sentence(r)
    assert not SURE.search(text + nv.benchmark_sentence(r))


def test_means_in_poeng_keep_two_decimals():
    r = row(
        title="Trivsel på skolen, 10. trinn", unit="poeng", statistic="mean", polarity="higher_is_better",
        baseline_value=4.6, status_value=4.58, status_low=4.55, status_high=4.61, target_value=4.7,
        change_verdict="ingen sikker endring", target_verdict="ikke på vei", benchmark_value=4.58,
    )  # fmt: skip
    assert plain(nv.level_sentence(r)) == (
        "Trivsel på skolen, 10. trinn: gått ned fra 4,60 poeng i 2020-21 til 4,58 poeng i 2025-26, "
        "en nedgang på 0,02 poeng."
    )
    assert plain(nv.benchmark_sentence(r)) == (
        "Tallet er omtrent som i landet (4,58 poeng): forskjellen kan skyldes tilfeldig variasjon."
    )
    assert (
        plain(nv.target_sentence(r)) == "Tallet ligger sikkert bak planens linje mot målet på 4,70 poeng innen 2027-28."
    )


def test_kroner_where_no_direction_is_better_untested_for_want_of_n():
    r = row(
        title="Netto driftsutgifter til barnevern per innbygger 0–24 år", unit="kr", statistic="count",
        polarity="neutral", baseline_period="2020", baseline_value=4336.0, status_period="2025",
        status_value=4211.0, status_low=None, status_high=None, status_n=None, change_verdict="kan ikke testes",
        benchmark_value=4360.0, benchmark_verdict="kan ikke sammenlignes", target_value=None, target_period=None,
        target_verdict="ingen mål",
    )  # fmt: skip
    assert plain(nv.indicator_sentences(r)) == (
        "Netto driftsutgifter til barnevern per innbygger 0–24 år: gått ned fra 4 336 kr i 2020 til 4 211 kr i "
        "2025, en nedgang på 125 kr (ingen retning er bedre). "
        "Kilden oppgir ikke antall svar, så vi kan ikke teste om endringen er mer enn tilfeldig variasjon. "
        "Tallet kan ikke testes mot landet (4 360 kr) fordi kilden ikke oppgir antall svar. "
        "Planen har ikke satt noe mål for denne indikatoren; den følges med."
    )


def test_a_sure_change_where_no_direction_is_better_is_neither_better_nor_worse():
    r = row(polarity="neutral", status_value=10.2, change_verdict="sikker økning", target_value=None,
            target_verdict="ingen mål", benchmark_verdict="høyere")  # fmt: skip
    s = plain(nv.indicator_sentences(r))
    assert "(ingen retning er bedre)" in s
    assert (
        "Økningen er større enn tilfeldig variasjon kan forklare (ingen retning er bedre for denne indikatoren)." in s
    )
    assert "Tallet er sikkert høyere enn i landet (6,9 prosent); ingen retning er bedre." in s
    assert "forbedring" not in s and "forverring" not in s
    down = row(polarity="neutral", status_value=7.0, change_verdict="sikker nedgang", benchmark_verdict="lavere")
    assert nv.change_sentence(down).startswith("Nedgangen er større enn tilfeldig variasjon")
    assert "sikkert lavere enn i landet" in nv.benchmark_sentence(down)


def test_untestable_says_why_with_the_direction_it_went():
    no_n = row(status_value=9.5, status_n=None, status_low=None, status_high=None, change_verdict="kan ikke testes")
    assert nv.change_sentence(no_n) == (
        "Endringen går i feil retning, men kilden oppgir ikke antall svar, så vi kan ikke teste om den er mer enn "
        "tilfeldig variasjon."
    )
    no_sd = row(statistic="mean", status_value=6.3, status_low=None, status_high=None, change_verdict="kan ikke testes")
    assert "kilden oppgir ikke spredningen i svarene" in nv.change_sentence(no_sd)
    base_n = row(
        status_value=8.0, change_verdict="kan ikke testes"
    )  # the status has n and interval: the 0-punkt has not
    assert "kilden oppgir ikke antall svar for 0-punktet" in nv.change_sentence(base_n)
    for r in (no_n, no_sd, base_n):
        assert not SURE.search(nv.change_sentence(r)) and "større enn tilfeldig" not in nv.change_sentence(r)


def test_a_missing_0_punkt_is_said_and_no_change_is_given():
    r = row(baseline_value=None, baseline_series_value=None, change_verdict="mangler 0-punkt")
    s = nv.indicator_sentences(r)
    assert plain(s[0]) == "Elever som blir mobbet på skolen, 10. trinn: 7,1 prosent i 2025-26."
    assert s[1] == (
        "Det finnes ikke noe tall for 0-punktet (2020-21) som kan vises – det mangler eller er skjermet – så vi "
        "kan ikke si hvordan tallet har endret seg."
    )
    assert "gått" not in plain(s) and "prosentpoeng" not in plain(s)


def test_a_hidden_number_says_so_and_why_and_shows_nothing_from_its_period():
    # the mart nulls a hidden value; a row that still carries one must not leak it either
    r = row(
        status_shown=False, status_value=6.2, status_low=5.1, status_high=7.3, status_n=8.0,
        status_reason="færre enn 10 svar", change=None, improvement=None, change_verdict="kan ikke testes",
        benchmark_value=7.5, landet_value=7.5, benchmark_name="Bergen", benchmark_verdict="kan ikke sammenlignes",
        target_verdict=None,
    )  # fmt: skip
    s = nv.indicator_sentences(r)
    text = plain(s)
    assert plain(s[0]) == (
        "Elever som blir mobbet på skolen, 10. trinn: tallet for 2025-26 vises ikke (færre enn 10 svar). "
        "0-punktet i 2020-21 var 8,9 prosent."
    )
    assert plain(s[1]) == "Planens mål er 4,0 prosent innen 2027-28."
    for number in ("6,2", "5,1", "7,3", "7,5", " 8 "):
        assert number not in text
    assert "Bergen" not in text and not SURE.search(text)
    assert nv.change_class(r) == "hidden"


def test_a_hidden_0_punkt_period_is_not_quoted_when_it_is_the_hidden_period():
    r = row(status_shown=False, status_value=None, baseline_period="2025-26", status_reason=None, change=None)
    assert plain(nv.level_sentence(r)) == (
        "Elever som blir mobbet på skolen, 10. trinn: tallet for 2025-26 vises ikke (kilden har ikke gitt noe tall)."
    )


def test_no_number_yet_and_no_measurement_after_the_0_punkt():
    none = row(status_period=None, status_value=None, status_shown=False, change=None, change_verdict=None,
               benchmark_verdict=None, target_verdict=None)  # fmt: skip
    assert plain(nv.indicator_sentences(none)) == (
        "Elever som blir mobbet på skolen, 10. trinn: det finnes ingen tall ennå. Planens mål er 4,0 prosent innen 2027-28."
    )
    first = row(status_period="2020-21", status_value=8.9, change_verdict="ingen sikker endring")
    assert plain(nv.level_sentence(first)) == "Elever som blir mobbet på skolen, 10. trinn: 8,9 prosent i 2020-21."
    assert nv.change_sentence(first) == "Det finnes ennå ingen måling etter 0-punktet å sammenligne med."


def test_a_revised_agreed_0_punkt_is_mentioned():
    r = row(baseline_agreed=True, baseline_value=17.5, baseline_series_value=17.4, status_value=20.2,
            change_verdict="sikker forverring")  # fmt: skip
    assert plain(nv.indicator_sentences(r)[1]) == (
        "0-punktet er tallet planen vedtok; kilden har senere rettet sitt tall for 2020-21 til 17,4 prosent."
    )
    assert nv.baseline_note(row(baseline_agreed=True)) is None  # the same number: nothing to say


# ------------------------------------------------------------------------- benchmark and target
@pytest.mark.parametrize(
    ("verdict", "over", "expected"),
    [
        ("bedre", {}, "Tallet er sikkert bedre enn i Bergen (7,2 prosent)."),
        ("dårligere", {}, "Tallet er sikkert dårligere enn i Bergen (7,2 prosent)."),
        ("omtrent likt", {}, "Tallet er omtrent som i Bergen (7,2 prosent): forskjellen kan skyldes tilfeldig variasjon."),
        ("kan ikke sammenlignes", {"benchmark_value": None}, "Bergen har ikke tall for 2025-26, så tallet kan ikke sammenlignes."),
        ("kan ikke sammenlignes", {"benchmark_name": None, "benchmark_value": None}, "Landet har ikke tall for 2025-26, så tallet kan ikke sammenlignes."),
        ("kan ikke sammenlignes", {"status_n": None, "status_low": None}, "Tallet kan ikke testes mot Bergen (7,2 prosent) fordi kilden ikke oppgir antall svar."),
    ],
)  # fmt: skip
def test_benchmark_sentences(verdict, over, expected):
    r = row(**{"benchmark_name": "Bergen", "benchmark_value": 7.2, "benchmark_verdict": verdict, **over})
    assert plain(nv.benchmark_sentence(r)) == expected


def test_landet_itself_has_no_benchmark_sentence():
    assert nv.benchmark_sentence(row(benchmark_verdict=None, benchmark_name=None)) is None


@pytest.mark.parametrize(
    ("verdict", "over", "expected"),
    [
        ("nådd", {"status_value": 3.1, "status_high": 3.9}, "Målet på 4,0 prosent innen 2027-28 er nådd: hele usikkerhetsintervallet ligger på riktig side av målet."),
        ("nådd", {"status_value": 3.1, "status_low": None, "status_n": None}, "Målet på 4,0 prosent innen 2027-28 er nådd: tallet er på riktig side av målet (uten intervall, fordi kilden ikke oppgir antall svar)."),
        ("på vei", {"status_value": 3.9, "target_detail": "Tallet er på riktig side av målet, men ikke sikkert."}, "Tallet er på riktig side av målet på 4,0 prosent innen 2027-28, men ikke så klart at vi kan si at målet er nådd; det er i rute."),
        ("ikke på vei", {}, "Tallet ligger sikkert bak planens linje mot målet på 4,0 prosent innen 2027-28."),
        ("usikkert om målet nås", {}, "Tallet ligger bak planens linje mot målet på 4,0 prosent innen 2027-28, men avstanden kan skyldes tilfeldig variasjon; det er usikkert om målet nås."),
        ("usikkert om målet nås", {"status_n": None, "status_low": None}, "Tallet ligger bak planens linje mot målet på 4,0 prosent innen 2027-28, men kilden oppgir ikke antall svar, så vi kan ikke teste avstanden; det er usikkert om målet nås."),
        ("for lite data", {}, "Det er for lite data til å si om målet på 4,0 prosent innen 2027-28 nås: det trengs minst to målinger fra og med 0-punktet."),
        ("ingen mål", {"target_value": None, "target_period": None}, "Planen har ikke satt noe mål for denne indikatoren; den følges med."),
    ],
)  # fmt: skip
def test_target_sentences(verdict, over, expected):
    assert plain(nv.target_sentence(row(target_verdict=verdict, **over))) == expected


# ------------------------------------------------------------------------- properties over every kind
CHANGES = ["sikker forbedring", "sikker forverring", "ingen sikker endring", "kan ikke testes", "mangler 0-punkt"]
NEUTRAL_CHANGES = ["sikker økning", "sikker nedgang", "ingen sikker endring", "kan ikke testes"]
BENCHMARKS = ["bedre", "dårligere", "omtrent likt", "kan ikke sammenlignes", None]
TARGETS = ["nådd", "på vei", "ikke på vei", "usikkert om målet nås", "for lite data", "ingen mål"]


def _cases():
    for polarity, verdict, sign, bench, target, shown in itertools.product(
        ["lower_is_better", "higher_is_better", "neutral"], CHANGES + NEUTRAL_CHANGES, [1, -1],
        BENCHMARKS + ["høyere", "lavere"], TARGETS, [True, False],
    ):  # fmt: skip
        neutral = polarity == "neutral"
        if (verdict in NEUTRAL_CHANGES) != neutral and verdict not in ("ingen sikker endring", "kan ikke testes"):
            continue
        if (bench in ("høyere", "lavere")) != neutral and bench in ("høyere", "lavere", "bedre", "dårligere"):
            continue
        if neutral and target != "ingen mål":
            continue
        d = {"higher_is_better": 1, "lower_is_better": -1}.get(polarity, 0)
        # the verdict's direction fixes the sign of a sure change
        if (verdict == "sikker forbedring" and sign != d) or (verdict == "sikker forverring" and sign != -d):
            continue
        if (verdict == "sikker økning" and sign < 0) or (verdict == "sikker nedgang" and sign > 0):
            continue
        over = dict(polarity=polarity, change_verdict=verdict, benchmark_verdict=bench, target_verdict=target,
                    status_value=8.9 + sign * 1.3, status_shown=shown)  # fmt: skip
        if not shown:
            over.update(status_value=None, status_reason="færre enn 10 svar", change_verdict="kan ikke testes")
        if verdict == "mangler 0-punkt":
            over.update(baseline_value=None, baseline_series_value=None)
        if target == "ingen mål":
            over.update(target_value=None, target_period=None)
        yield row(**over)


def test_every_sentence_kind_keeps_the_honesty_rules():
    cases = list(_cases())
    assert len(cases) > 150
    for r in cases:
        s = nv.indicator_sentences(r)
        text = plain(s)
        assert s and all(x.endswith(".") for x in s), s
        assert s[0].startswith(r["title"] + ":")
        change = nv.change_sentence(r) or ""
        bench = nv.benchmark_sentence(r) or ""
        target = nv.target_sentence(r) or ""
        sure_change = r["status_shown"] and r["change_verdict"] in nv.SURE_CHANGE
        sure_bench = r["status_shown"] and r["benchmark_verdict"] in nv.SURE_BENCHMARK
        sure_target = r["status_shown"] and r["target_verdict"] == "ikke på vei"
        # «sikker» and «større enn tilfeldig» only where the verdict is sure
        assert bool(SURE.search(change)) is False, change  # sure changes say it with «større enn tilfeldig variasjon»
        assert ("større enn tilfeldig variasjon" in change) == sure_change, (r["change_verdict"], change)
        assert bool(SURE.search(bench)) == sure_bench, (r["benchmark_verdict"], bench)
        assert bool(SURE.search(target)) == sure_target, (r["target_verdict"], target)
        if not (sure_change or sure_bench or sure_target):
            assert not SURE.search(text) and "større enn tilfeldig" not in text, text
        # a change is named better or worse only when it surely is, and then always
        assert ("forverring" in text) == (sure_change and r["change_verdict"] == "sikker forverring"), text
        assert ("forbedring" in text) == (sure_change and r["change_verdict"] == "sikker forbedring"), text
        if "Økningen" in change and r["polarity"] == "lower_is_better":
            assert "forverring" in change
        if r["polarity"] == "neutral" and r["status_shown"]:
            assert "ingen retning er bedre" in text
        if not r["status_shown"]:  # suppression is said, never a number from its period
            assert "vises ikke (færre enn 10 svar)" in text and "7,6" not in text and "10,2" not in text
            assert "6,9" not in text  # nor the benchmark's number for that period
        else:
            assert fmt.value(r["status_value"], r["unit"]) in s[0]
        assert "<" not in text and "nan" not in text.lower().split()


def test_rows_as_dict_series_and_itertuples_say_the_same_and_always_the_same():
    r = row(status_value=9.6, change_verdict="ingen sikker endring", benchmark_verdict="dårligere")
    frame = pd.DataFrame([r])
    as_tuple = next(frame.itertuples(index=False))
    as_named = namedtuple("R", r.keys())(**r)
    expected = nv.indicator_sentences(r)
    assert nv.indicator_sentences(frame.iloc[0]) == expected
    assert nv.indicator_sentences(as_tuple) == expected
    assert nv.indicator_sentences(as_named) == expected
    assert nv.indicator_sentences(dict(r)) == expected


# ------------------------------------------------------------------------- the first page
def _page():
    """19 indicators: 5 surely better, 1 surely worse, 9 unsure, 4 without n (as the issue's example)."""
    rows = []
    for i in range(5):
        rows.append(row(indicator_id=f"b{i}", title=f"Bedre {i}", status_value=7.0 - i * 0.1, goal="Mål 1"))
    rows.append(row(indicator_id="w", title="Verre", status_value=10.9, change_verdict="sikker forverring",
                    benchmark_verdict="dårligere", target_verdict="ikke på vei", goal="Mål 1"))  # fmt: skip
    for i in range(9):
        rows.append(row(indicator_id=f"s{i}", title=f"Lik {i}", status_value=8.8, change_verdict="ingen sikker endring",
                        target_verdict="usikkert om målet nås" if i < 3 else "ikke på vei" if i < 5 else "på vei",
                        goal="Mål 2"))  # fmt: skip
    for i in range(4):
        rows.append(row(indicator_id=f"k{i}", title=f"Kostra {i}", status_n=None, status_low=None, status_high=None,
                        change_verdict="kan ikke testes", benchmark_verdict="kan ikke sammenlignes",
                        target_verdict="nådd" if i == 0 else "ingen mål", target_value=4.0 if i == 0 else None,
                        goal="Mål 3"))  # fmt: skip
    return pd.DataFrame(rows)


def test_the_first_page_counts_in_plain_words():
    paragraphs = nv.summary_paragraphs(_page())
    assert len(paragraphs) == 3
    assert paragraphs[0] == (
        "5 av 19 indikatorer har blitt sikkert bedre siden 0-punktet, 1 har blitt sikkert dårligere, og for 9 er "
        "endringen så liten at den kan skyldes tilfeldig variasjon. 4 kan ikke testes fordi kilden ikke oppgir "
        "antall svar."
    )
    assert paragraphs[1].startswith(
        "16 indikatorer har mål i planen. 1 har nådd målet, 9 er i rute mot målet, 3 ligger sikkert bak planens "
        "linje mot målet, og for 3 er det usikkert om målet nås"
    )
    assert paragraphs[1].endswith("Nådd: «Kostra 0».")  # 9 on track are too many to name
    assert paragraphs[2].startswith("Rapporten bygger på 367 tester for Bergen og bydelene.")
    assert "høyst 5 prosent av funnene falske (Benjamini–Hochberg-metoden)" in paragraphs[2]


def test_the_first_page_names_hidden_and_missing_numbers_and_the_rule_without_a_family():
    mk = pd.DataFrame(
        [
            row(
                status_shown=False,
                status_value=None,
                status_reason="færre enn 10 svar",
                change_verdict="kan ikke testes",
            ),
            row(baseline_value=None, change_verdict="mangler 0-punkt"),
            row(status_period=None, status_value=None, status_shown=False, change_verdict=None, target_verdict=None),
            row(change_verdict="ingen sikker endring", status_value=8.8, family_tests=None, family_name=None),
        ]
    )
    first = nv.change_summary(mk)
    assert first == (
        "Ingen av de 4 indikatorene har blitt sikkert bedre siden 0-punktet, ingen har blitt sikkert dårligere, og "
        "for 1 er endringen så liten at den kan skyldes tilfeldig variasjon. For 1 finnes det ikke noe tall for "
        "0-punktet som kan vises, for 1 vises ikke det siste tallet (færre enn 10 svar), og for 1 finnes det "
        "ingen tall ennå."
    )
    assert "For 2 finnes det ikke noe tall å vurdere målet med." in nv.target_summary(mk)
    single = nv.rule_sentence(mk.iloc[[3]])
    assert "95 prosents konfidensintervall" in single and "Benjamini" not in single


def test_goal_intro_is_one_sentence_per_goal():
    mk = _page()
    assert nv.goal_intro("Mål 1", mk) == (
        "Under dette målet følger planen 6 indikatorer: 5 har blitt sikkert bedre siden 0-punktet, og 1 har "
        "blitt sikkert dårligere; 5 har nådd målet eller er i rute og 1 ligger sikkert bak planens linje mot målet."
    )
    assert nv.goal_intro("Mål 3", mk[mk["goal"] == "Mål 3"]) == (
        "Under dette målet følger planen 4 indikatorer: 4 kan ikke testes; 1 har nådd målet eller er i rute."
    )
    assert nv.goal_intro("Mål 9", mk) == "Planen følger ingen indikatorer under dette målet."


def test_attention_ranks_by_how_many_reasons_then_by_the_worsening():
    mk = pd.DataFrame(
        [
            row(indicator_id="one_small", title="En, liten", status_value=9.1, change_verdict="sikker forverring"),
            row(indicator_id="none", title="Ingen", status_value=7.1),
            row(indicator_id="three", title="Tre", status_value=10.0, benchmark_name="Bergen",
                change_verdict="sikker forverring", benchmark_verdict="dårligere", target_verdict="ikke på vei"),
            row(indicator_id="one_big", title="En, stor", status_value=12.0, change_verdict="sikker forverring"),
            row(indicator_id="two", title="To", status_value=8.0, benchmark_verdict="dårligere",
                target_verdict="ikke på vei", change_verdict="ingen sikker endring"),
        ]
    )  # fmt: skip
    items = nv.attention_items(mk, most=3)
    assert [i["indicator_id"] for i in items] == ["three", "two", "one_big"]
    assert [i["severity"] for i in items] == [3, 2, 1]
    assert plain(items[0]["text"]) == (
        "Har sikkert blitt dårligere siden 0-punktet – en forverring på 1,1 prosentpoeng, fra 8,9 prosent i "
        "2020-21 til 10,0 prosent i 2025-26; sikkert dårligere enn i Bergen (6,9 prosent); sikkert bak planens "
        "linje mot målet på 4,0 prosent innen 2027-28."
    )
    assert plain(items[1]["text"]) == (
        "Sikkert dårligere enn i landet (6,9 prosent); sikkert bak planens linje mot målet på 4,0 prosent innen "
        "2027-28; nå 8,0 prosent i 2025-26."
    )
    assert nv.attention_rest(mk, most=3) == "… og 1 indikator til trenger oppmerksomhet."
    assert nv.attention_rest(mk, most=4) == ""
    assert [i["indicator_id"] for i in nv.attention_items(mk)] == ["three", "two", "one_big", "one_small"]
    calm = mk[mk["indicator_id"] == "none"]
    assert nv.attention_items(calm) == [] and nv.attention_rest(calm).startswith("Ingen indikatorer")


# ------------------------------------------------------------------------- the sample database
@pytest.mark.parametrize("area", ["4601", "460107"])
def test_the_sample_runs_through_every_function(sample_db, area):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        mk = malekart(con, area)
        mk_2024 = malekart(con, area, until=2024)
    finally:
        con.close()
    assert len(mk) >= 19
    for frame in (mk, mk_2024):
        paragraphs = nv.summary_paragraphs(frame)
        assert len(paragraphs) == 3 and all(p.endswith(".") for p in paragraphs)
        assert f"{len(frame)} indikator" in paragraphs[0]
        for goal in frame["goal"].unique():
            assert nv.goal_intro(goal, frame).startswith("Under dette målet følger planen")
        for r in frame.itertuples():
            s = nv.indicator_sentences(r)
            assert s and s[0].startswith(r.title + ":")
            text = " ".join(s)
            if r.status_shown and pd.notna(r.status_value):
                assert fmt.value(r.status_value, r.unit) in s[0]
            change = nv.change_sentence(r) or ""
            assert ("større enn tilfeldig variasjon" in change) == (r.change_verdict in nv.SURE_CHANGE)
            assert bool(SURE.search(nv.benchmark_sentence(r) or "")) == (r.benchmark_verdict in nv.SURE_BENCHMARK)
            assert bool(SURE.search(nv.target_sentence(r) or "")) == (r.target_verdict == "ikke på vei")
            assert ("forverring" in text) == (r.change_verdict == "sikker forverring")
    items = nv.attention_items(mk)
    assert len(items) <= 5 and all(i["text"] and i["severity"] in (1, 2, 3) for i in items)
    assert [i["severity"] for i in items] == sorted((i["severity"] for i in items), reverse=True)
    if area == "460107":  # Årstad: the planted sure worsening of ung_trygg is the first to need attention
        trygg = [i for i in items if i["indicator_id"] == "ung_trygg"]
        assert trygg and "sikkert" in trygg[0]["text"] and "forverring" in trygg[0]["text"]
        assert items[0]["indicator_id"] == "ung_trygg"
