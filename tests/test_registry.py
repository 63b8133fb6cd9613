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
        (
            {"polarity": "up"},
            "polarity",
            "«up» er ikke tillatt (tillatt: «higher_is_better», «lower_is_better» eller «neutral»)",
        ),
        ({"source": "nav"}, "source", "«nav» er ikke tillatt"),
        ({"statistic": "median"}, "statistic", "«median» er ikke tillatt"),
        ({"baseline": {"period": "høst 2020"}}, "baseline.period", "«høst 2020» er ikke en gyldig periode"),
        (
            {"target": {"value": 140, "period": "2027-28"}},
            "(indikatoren)",
            "target.value 140.0 er ikke en prosent mellom 0 og 100",
        ),
        (
            {"target": {"value": 4, "period": "2018-19"}},
            "(indikatoren)",
            "målperioden 2018-19 (target.period) er før 0-punktet 2020-21",
        ),
        ({"unit": "kr"}, "(indikatoren)", "en andel (statistic «proportion») må ha enheten «prosent»"),
        ({"id": "Mobbing 10"}, "id", "«Mobbing 10» har ikke riktig format"),
        ({"colour": "red"}, "colour", "ukjent felt"),
        ({"min_n": 0}, "min_n", "må være minst 1"),
        ({"polarity": "neutral"}, "(indikatoren)", "(polarity «neutral»), kan ikke ha mål"),
        (
            {"pool_years": 3, "statistic": "count", "unit": "antall"},
            "(indikatoren)",
            "pool_years virker bare for andeler og gjennomsnitt",
        ),
        ({"pool_years": 9}, "pool_years", "kan være høyst 5"),
        ({"min_n": "ti"}, "min_n", "«ti» er ikke et helt tall"),
        ({"title": "A"}, "title", "teksten er for kort (minst 3 tegn)"),
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
    assert ps[0].message == "feltet mangler" and "Feltet mangler" in ps[0].hint  # pydantic's words in bokmål


def test_every_problem_is_listed_at_once_by_id_and_line(tmp_path):
    ps = problems(tmp_path, [{**GOOD, "polarity": "up"}, {**GOOD, "id": "b", "unit": "kr", "owner": ""}, GOOD, GOOD])
    ids = [(p.indicator, p.field) for p in ps]
    assert ("x_mobbing", "polarity") in ids and ("b", "owner") in ids and ("x_mobbing", "id") in ids  # duplicate id
    assert all(p.line for p in ps if p.indicator == "b")
    text = str(RegistryError(tmp_path, ps))
    assert "indikator «b»" in text and "linje" in text


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


def named_kommuner(text: str, names: set[str]) -> set[str]:
    """Kommune names in a text, as words (a genitive «Bærums» counts)."""
    import re

    return {n for n in names if re.search(rf"(?<!\w){re.escape(n)}s?(?!\w)", text)}


def other_kommuner() -> tuple[object, set[str]]:
    from oppvekst.geography import load_register
    from oppvekst.registry import load_registry

    reg = load_registry()
    areas = load_register().areas
    own = areas[reg.default_area[:4]].name
    # names of 3 letters or fewer are ordinary words too (Os, Vik, Bø, Nes)
    return reg, {a.name for a in areas.values() if a.level == "kommune" and a.name != own and len(a.name) > 3}


def test_the_plans_texts_name_no_other_kommune():
    # issue 19: «Bærums plan» stood in Bergen's indicator texts. Every text a user reads (title,
    # plan goal, owner, description, tiltak) may name the plan's own kommune, not another one.
    reg, others = other_kommuner()
    found = []
    for i in reg.indicators:
        texts = [("title", i.title), ("goal", i.goal), ("owner", i.owner.text), ("description", i.description)]
        for field, text in texts + [("tiltak", t) for t in i.tiltak]:
            found += [(i.id, field, n) for n in named_kommuner(text, others)]
    assert not found, found


def test_the_kommune_name_check_finds_the_old_text():
    _, others = other_kommuner()
    assert named_kommuner("Andel med høy skår. Bærums plan ber om nedgang i denne andelen.", others) == {"Bærum"}
    assert named_kommuner("Planen ber om nedgang i denne andelen.", others) == set()


# --- Owners as a tree: byrådsavdeling → etat → enhet → skole -------------------------------------

BBSI = "Byrådsavdeling for barnehage, skole og idrett (BBSI)"


def test_owner_as_text_or_levels(tmp_path):
    from oppvekst.registry import registry_frame

    reg = load_registry(
        write(
            tmp_path,
            [
                GOOD,  # text: the top level alone, as before owners were a tree
                {**GOOD, "id": "b", "owner": {"byradsavdeling": BBSI, "etat": "Etat for skole"}},
                {**GOOD, "id": "c", "owner": {"etat": "Etat for skole", "byrådsavdeling": BBSI, "skole": "Skole A"}},
            ],
        )
    )
    a, b, c = reg.indicators
    assert a.owner.path == ["Rektor"] and a.owner.text == "Rektor"
    assert b.owner.path == [BBSI, "Etat for skole"]
    assert c.owner.path == [BBSI, "Etat for skole", "Skole A"]  # the levels' order, not the file's
    frame = registry_frame(reg)
    assert frame["owner"].tolist() == ["Rektor", BBSI, BBSI]  # the top level, as before
    assert frame["owner_path"].tolist() == ["Rektor", f"{BBSI} › Etat for skole", f"{BBSI} › Etat for skole › Skole A"]


def test_the_shipped_registry_has_etater_under_byradsavdelinger():
    reg = load_registry(DEFAULT_REGISTRY)
    paths = {tuple(i.owner.path) for i in reg.indicators}
    assert (BBSI, "Etat for skole") in paths
    assert ("Byrådsavdeling for barnevern og sosiale tjenester (BBS)", "Etat for barn og familie") in paths
    assert all(1 <= len(p) <= 4 for p in paths)
    skole = {i.id for i in reg.indicators if i.owner.etat == "Etat for skole"}
    assert {"eu_mobbing_10", "fravaer_bekymring_10"} <= skole and "ung_fritid" not in skole


BAD_OWNERS = """\
version: 1
indicators:
  - id: a_list
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner: [BBSI, Etat for skole]
  - id: a_level
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner:
      byradsavdeling: BBSI
      avdeling: Etat for skole
  - id: a_top
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner: {etat: Etat for skole}
  - id: a_sep
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner: "BBSI › Etat for skole"
  - id: a_first
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner: {byradsavdeling: BBSI, etat: Etat for skole}
  - id: a_twice
    title: Mobbing
    goal: "Mål 1: x"
    source: elevundersokelsen
    select: {measure: andel_mobbet, grade: "10"}
    unit: prosent
    statistic: proportion
    polarity: lower_is_better
    baseline: {period: 2020-21}
    owner: {byradsavdeling: BBS, etat: Etat for skole}
"""


def test_a_bad_owner_names_the_indicator_the_field_and_its_line(tmp_path):
    p = tmp_path / "indicators.yml"
    p.write_text(BAD_OWNERS, encoding="utf-8")
    with pytest.raises(RegistryError) as e:
        load_registry(p)
    lines = BAD_OWNERS.splitlines()
    found = {x.indicator: x for x in e.value.problems}
    assert set(found) == {"a_list", "a_level", "a_top", "a_sep", "a_twice"}  # a_first is right

    def line_of(text: str, after: int = 0) -> int:
        return next(i for i, t in enumerate(lines, start=1) if i > after and t.strip().startswith(text))

    expected = {
        "a_list": ("owner", "ikke en liste", line_of("owner: [BBSI")),
        "a_level": ("owner.avdeling", "ukjent nivå «avdeling»", line_of("avdeling:")),
        "a_top": ("owner.byradsavdeling", "øverste nivå (byradsavdeling) mangler", line_of("owner: {etat")),
        "a_sep": ("owner", "kan ikke inneholde «›»", line_of('owner: "BBSI ›')),
        "a_twice": (
            "owner",
            "«Etat for skole» står under «BBS» her, men under «BBSI» i indikator «a_first»",
            line_of("owner: {byradsavdeling: BBS,"),
        ),
    }
    for ind, (field, text, line) in expected.items():
        problem = found[ind]
        assert problem.field == field and text in problem.message and problem.line == line, str(problem)
        assert "byradsavdeling" in problem.hint or "overordnede" in problem.hint  # how to fix it
    message = str(e.value)
    assert f"indikator «a_level», felt «owner.avdeling» (linje {line_of('avdeling:')})" in message


def owner_db(tmp_path):
    import duckdb

    from oppvekst.marts import load_indicators

    reg = write(
        tmp_path,
        [
            {**GOOD, "id": "top_only", "owner": BBSI},
            {**GOOD, "id": "etat_a", "owner": {"byradsavdeling": BBSI, "etat": "Etat for skole"}},
            {
                **GOOD,
                "id": "skole_a",
                "owner": {"byradsavdeling": BBSI, "etat": "Etat for skole", "skole": "Åsane skole"},
            },
            {
                **GOOD,
                "id": "skole_b",
                "owner": {"byradsavdeling": BBSI, "etat": "Etat for skole", "skole": "Bønes skole"},
            },
            {**GOOD, "id": "other", "source": "kostra", "owner": {"byradsavdeling": "BHO", "enhet": "Helsestasjon"}},
        ],
    )
    con = duckdb.connect()
    assert load_indicators(con, reg) == []
    return con


def test_owners_returns_every_node_of_the_tree(tmp_path):
    from oppvekst import queries

    tree = queries.owners(owner_db(tmp_path))
    assert tree[["name", "depth", "indicators"]].values.tolist() == [
        ["BHO", 0, 1],
        ["Helsestasjon", 1, 1],
        [BBSI, 0, 4],
        ["Etat for skole", 1, 3],
        ["Bønes skole", 2, 1],
        ["Åsane skole", 2, 1],  # Norwegian order: Å last
    ]
    assert tree["path"].iloc[3] == f"{BBSI} › Etat for skole"


def test_a_byradsavdeling_gets_everything_under_it_an_etat_or_skole_only_its_own(tmp_path):
    from oppvekst import queries

    con = owner_db(tmp_path)

    def ids(path):
        return sorted(queries.owner_indicators(con, path)["indicator_id"])

    assert ids(BBSI) == ["etat_a", "skole_a", "skole_b", "top_only"]
    assert ids(f"{BBSI} › Etat for skole") == ["etat_a", "skole_a", "skole_b"]
    assert ids(f"{BBSI} › Etat for skole › Åsane skole") == ["skole_a"]
    assert ids("BHO") == ["other"] and queries.owner_indicators(con, "BHO")["source"].tolist() == ["kostra"]
    assert ids("Etat for skole") == [] and ids(BBSI[:10]) == []  # a path, not a piece of a name


def test_a_database_built_before_owners_were_a_tree_still_lists_its_owners(tmp_path):
    from oppvekst import queries

    con = owner_db(tmp_path)
    con.execute("ALTER TABLE indicators DROP COLUMN owner_path")  # as an older build left it
    assert queries.owners(con)["path"].tolist() == ["BHO", BBSI]
    assert sorted(queries.owner_indicators(con, BBSI)["indicator_id"]) == ["etat_a", "skole_a", "skole_b", "top_only"]
