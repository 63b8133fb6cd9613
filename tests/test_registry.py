"""indicators.yml: the real file validates; each kind of mistake gives its message, all at once."""

import textwrap

import pytest
import yaml

from oppvekst.registry import DEFAULT_REGISTRY, RegistryError, load_registry

GOOD = {
    "id": "x_mobbing",
    "title": "Mobbing",
    "goal": "Mål 1: Trivsel",
    "source": "elevundersokelsen",
    "select": {"measure": "andel_mobbet", "grade": "10"},
    "unit": "prosent",
    "statistic": "proportion",
    "polarity": "lower_is_better",
    "baseline": {"period": "2020-21"},
    "target": {"value": 4.0, "period": "2027-28"},
    "owner": "Rektor",
}


def write(tmp_path, indicators, **top):
    p = tmp_path / "indicators.yml"
    p.write_text(yaml.safe_dump({"version": 1, **top, "indicators": indicators}, allow_unicode=True), encoding="utf-8")
    return p


def problems(tmp_path, indicators, **top):
    with pytest.raises(RegistryError) as e:
        load_registry(write(tmp_path, indicators, **top))
    return e.value.problems


def test_the_shipped_registry_is_valid_and_covers_sources_and_goals():
    reg = load_registry(DEFAULT_REGISTRY)
    assert 15 <= len(reg.indicators) <= 20
    assert any(i.pool_years > 1 for i in reg.indicators)
    assert {i.source for i in reg.indicators} >= {"ungdata", "elevundersokelsen", "kostra", "fravaer"}
    assert len({i.goal.split(":")[0] for i in reg.indicators}) == 4
    assert all(i.min_n == 10 for i in reg.indicators)  # default


def test_good_indicator(tmp_path):
    reg = load_registry(write(tmp_path, [GOOD]))
    assert reg.indicators[0].baseline.period == "2020-21" and reg.indicators[0].select.gender == "alle"


@pytest.mark.parametrize(
    "change,field,text",
    [
        ({"polarity": "up"}, "polarity", "'up' er ikke tillatt"),
        ({"source": "nav"}, "source", "'nav' er ikke tillatt"),
        ({"statistic": "median"}, "statistic", "'median' er ikke tillatt"),
        ({"baseline": {"period": "høst 2020"}}, "baseline.period", "not a period"),
        ({"target": {"value": 140, "period": "2027-28"}}, "(indikatoren)", "not a percentage"),
        ({"target": {"value": 4, "period": "2018-19"}}, "(indikatoren)", "before the 0-punkt"),
        ({"unit": "kr"}, "(indikatoren)", "a proportion must have unit 'prosent'"),
        ({"id": "Mobbing 10"}, "id", "String should match pattern"),
        ({"colour": "red"}, "colour", "Extra inputs are not permitted"),
        ({"min_n": 0}, "min_n", "greater than or equal to 1"),
        ({"polarity": "neutral"}, "(indikatoren)", "neutral indicator cannot have a target"),
        (
            {"pool_years": 3, "statistic": "count", "unit": "antall"},
            "(indikatoren)",
            "pool_years works for proportions and means",
        ),
        ({"pool_years": 9}, "pool_years", "less than or equal to 5"),
    ],
)
def test_each_mistake_has_its_message(tmp_path, change, field, text):
    ps = problems(tmp_path, [{**GOOD, **change}])
    assert any(p.field == field and text in p.message for p in ps), [str(p) for p in ps]
    assert all(p.indicator == GOOD.get("id") or p.indicator == change.get("id") for p in ps)
    assert all(p.hint for p in ps)


def test_missing_field(tmp_path):
    bad = {k: v for k, v in GOOD.items() if k != "owner"}
    ps = problems(tmp_path, [bad])
    assert [(p.indicator, p.field) for p in ps] == [("x_mobbing", "owner")]
    assert "Feltet mangler" in ps[0].hint


def test_every_problem_is_listed_at_once_by_id_and_line(tmp_path):
    ps = problems(tmp_path, [{**GOOD, "polarity": "up"}, {**GOOD, "id": "b", "unit": "kr", "owner": ""}, GOOD, GOOD])
    ids = [(p.indicator, p.field) for p in ps]
    assert ("x_mobbing", "polarity") in ids and ("b", "owner") in ids and ("x_mobbing", "id") in ids  # duplicate id
    assert all(p.line for p in ps if p.indicator == "b")
    text = str(RegistryError(tmp_path, ps))
    assert "indikator 'b'" in text and "linje" in text


def test_broken_yaml_names_the_line(tmp_path):
    p = tmp_path / "indicators.yml"
    p.write_text(
        textwrap.dedent("""
        indicators:
          - id: a
            title: [unclosed
    """)
    )
    with pytest.raises(RegistryError) as e:
        load_registry(p)
    assert e.value.problems[0].line and "YAML" in e.value.problems[0].message
