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


# --- Tiltak: where and when each tiltak runs (issue 17) ---------------------------------------------

TILTAK_INDICATORS = [
    GOOD,  # x_mobbing: school years
    {**GOOD, "id": "x_kostra", "source": "kostra", "baseline": {"period": "2020"}, "target": None},
    {**GOOD, "id": "x_pooled", "source": "ungdata", "pooled": True, "baseline": {"period": "2019-2021"},
     "target": None, "tiltak": ["Tiltak 9: Barn som pårørende"]},
]  # fmt: skip
SCHOOL = "956667577"  # Nesttun skole (eksempel), in data/skole_bydel.csv
OTHER_SCHOOL = "935857570"


def tiltak_file(tmp_path, tiltak_text: str):
    """indicators.yml with TILTAK_INDICATORS and a ``tiltak:`` section written by hand (for its lines)."""
    indicators = [{k: v for k, v in i.items() if v is not None} for i in TILTAK_INDICATORS]
    p = tmp_path / "indicators.yml"
    head = yaml.safe_dump({"version": 1, "indicators": indicators}, allow_unicode=True)
    p.write_text(head + tiltak_text, encoding="utf-8")
    return p


GOOD_TILTAK = f"""\
tiltak:
  - id: miljo
    name: "Tiltak 5: Miljøarbeidere"
    units: ["{SCHOOL}", "{OTHER_SCHOOL}"]
    start: 2022-23
    indicators: [x_mobbing]
  - id: bydel_tiltak
    name: "Tiltak 9: Barn som pårørende"
    units: [460101, "460102"]
    start: 2021
    stop: 2023
    indicators: [x_kostra]
"""


def test_the_shipped_registry_has_the_samples_tiltak_with_their_schools_and_start():
    from oppvekst.registry import tiltak_indicators
    from samplegen.world import TILTAK_EFFECTS, World

    reg = load_registry(DEFAULT_REGISTRY)
    world = World("sample")
    assert [t.id for t in reg.tiltak] == [te.tiltak_id for te in TILTAK_EFFECTS]
    for t, te in zip(reg.tiltak, TILTAK_EFFECTS):
        assert t.units == [s.code for s in world.tiltak_schools(te)] and t.level == "skole"
        assert t.start_year == te.start and list(te.indicator_ids) == tiltak_indicators(reg, t)
        # the name is the text the indicators' own «tiltak:» lists use
        assert all(t.name in next(i for i in reg.indicators if i.id == ind).tiltak for ind in t.indicators)


def test_a_good_tiltak_section(tmp_path):
    from oppvekst.registry import registry_frame, tiltak_frame

    reg = load_registry(tiltak_file(tmp_path, GOOD_TILTAK))
    miljo, bydel = reg.tiltak
    assert miljo.units == [SCHOOL, OTHER_SCHOOL] and miljo.level == "skole" and miljo.start_year == 2022
    assert bydel.units == ["460101", "460102"] and bydel.level == "bydel"  # 460101 unquoted is a number in YAML
    assert (bydel.start, bydel.stop, bydel.stop_year) == ("2021", "2023", 2023)
    frame = tiltak_frame(reg).set_index("tiltak_id")
    # an indicator that lists the tiltak's name is one it is meant to move, as the ones it names - when it is
    # measured per year: x_pooled names «Tiltak 9» too, but pools three years
    assert frame.loc["bydel_tiltak", "indicators"] == ["x_kostra"]
    reg.tiltak[1].start = "2021-22"
    assert tiltak_frame(reg).set_index("tiltak_id").loc["bydel_tiltak", "indicators"] == ["x_kostra"]
    assert frame.loc["miljo", "indicators"] == ["x_mobbing"]
    # and the indicator's own tiltak list names the tiltak that names it
    assert registry_frame(reg).set_index("indicator_id").loc["x_mobbing", "tiltak"] == "Tiltak 5: Miljøarbeidere"
    assert tiltak_frame(None).empty and list(tiltak_frame(None).columns) == list(tiltak_frame(reg).columns)


BAD_TILTAK = f"""\
tiltak:
  - id: a_units
    name: "Tiltak A"
    units:
      - "469999"
      - "956667578"
      - "912315576"
      - "120101"
      - "0301"
      - "1"
    start: 2022-23
    indicators: [x_mobbing]
  - id: a_start
    name: "Tiltak B"
    units: ["{SCHOOL}"]
    start: høst 2022
    indicators: [x_mobbing]
  - id: a_kind
    name: "Tiltak C"
    units: ["{SCHOOL}"]
    start: 2022
    indicators: [x_mobbing]
  - id: a_indicator
    name: "Tiltak D"
    units: ["{SCHOOL}"]
    start: 2022-23
    indicators: [x_mobbing, x_finnes_ikke, x_pooled]
  - id: a_stop
    name: "Tiltak E"
    units: ["{SCHOOL}"]
    start: 2022-23
    stop: 2020-21
    indicators: [x_mobbing]
  - id: a_stop
    name: "Tiltak F"
    units: []
    start: 2022-23
    colour: red
  - id: a_none
    name: "Tiltak G"
    units: ["{SCHOOL}"]
    start: 2022-23
"""


def test_every_tiltak_problem_is_listed_at_once_with_its_line(tmp_path):
    with pytest.raises(RegistryError) as e:
        load_registry(tiltak_file(tmp_path, BAD_TILTAK))
    problems = e.value.problems
    text = tiltak_file(tmp_path, BAD_TILTAK).read_text(encoding="utf-8").splitlines()

    def line_of(snippet: str, after: str | None = None) -> int:
        start = next(i for i, t in enumerate(text, start=1) if after in t) if after else 0
        return next(i for i, t in enumerate(text, start=1) if i > start and snippet in t)

    def found(tiltak: str, field: str, message: str) -> object:
        hits = [p for p in problems if p.indicator == tiltak and p.field == field and message in p.message]
        assert hits, (tiltak, field, message, [str(p) for p in problems])
        return hits[0]

    # unknown unit codes, each on its own line
    for code, message in [
        ("469999", "bydelen «469999» finnes ikke i SSBs kodelister"),
        ("956667578", "ikke et gyldig organisasjonsnummer"),
        ("912315576", "skolen «912315576» er ukjent"),  # a valid number the school map does not know
        ("120101", "«120101» Arna er et nummer som ikke brukes lenger: bruk dagens nummer «460101»"),
        ("1", "«1» er ikke en kode for en skole, bydel eller kommune"),
    ]:
        assert found("a_units", "tiltak.units", message).line == line_of(f'- "{code}"'), code
    found("a_units", "tiltak.units", "enhetene er på ulike nivåer (bydel, kommune, skole)")
    assert not any(p.indicator == "a_units" and "0301" in p.message for p in problems)  # Oslo is a kommune
    # the start: unparseable, and of the wrong kind for the indicator
    assert found("a_start", "tiltak.start", "«høst 2022» er ikke en gyldig periode").line == line_of("start: høst")
    kind = found("a_kind", "tiltak.start", "oppstarten «2022» er ikke et skoleår, men «x_mobbing» måles per skoleår")
    assert "skriv f.eks. 2022-23" in kind.message and kind.line == line_of("start: 2022\n".strip(), "a_kind")
    # indicators that do not exist, or cannot be measured per year
    assert found("a_indicator", "tiltak.indicators", "indikatoren «x_finnes_ikke» finnes ikke").line == line_of(
        "x_finnes_ikke"
    )
    found("a_indicator", "tiltak.indicators", "«x_pooled» måles over sammenslåtte perioder")
    found("a_none", "tiltak.indicators", "tiltaket er ikke knyttet til noen indikator")
    # a stop before the start; a duplicate id; an empty list and an unknown field, each with its line
    assert found("a_stop", "tiltak.stop", "slutten 2020-21 er før oppstarten 2022-23").line == line_of("stop: 2020")
    assert found("a_stop", "tiltak.id", "id-en er brukt før (tiltak nr. 5)").line == line_of("id: a_stop", "a_stop")
    assert found("a_stop", "tiltak.units", "listen er tom").line == line_of("units: []")
    assert found("a_stop", "tiltak.colour", "ukjent felt").line == line_of("colour: red")
    assert all(p.hint for p in problems)
    message = str(e.value)
    assert "tiltak «a_units», felt «tiltak.units» (linje" in message and "indikator «a_units»" not in message


def test_a_tiltak_outside_the_datas_range_or_units_without_data(tmp_path):
    from oppvekst.registry import DataCoverage

    path = tiltak_file(tmp_path, GOOD_TILTAK)
    known = frozenset({SCHOOL, OTHER_SCHOOL, "460101", "460102"})
    fine = DataCoverage(
        known, {"x_mobbing": (2015, 2025, "2015-16", "2025-26"), "x_kostra": (2015, 2025, "2015", "2025")}
    )
    assert len(load_registry(path, coverage=fine).tiltak) == 2
    late = DataCoverage(known - {OTHER_SCHOOL}, {"x_mobbing": (2022, 2025, "2022-23", "2025-26"),
                                                  "x_kostra": (2010, 2019, "2010", "2019")})  # fmt: skip
    with pytest.raises(RegistryError) as e:
        load_registry(path, coverage=late)
    lines = path.read_text(encoding="utf-8").splitlines()
    by = {(p.indicator, p.field): p for p in e.value.problems}
    first = by[("miljo", "tiltak.start")]
    assert "oppstarten 2022-23 er ved eller før første måling av «x_mobbing» (2022-23)" in first.message
    assert first.line == next(i for i, t in enumerate(lines, 1) if "start: 2022-23" in t)
    after = by[("bydel_tiltak", "tiltak.start")]
    assert "oppstarten 2021 er etter siste måling av «x_kostra» (2019)" in after.message
    unit = by[("miljo", "tiltak.units")]
    assert f"enheten «{OTHER_SCHOOL}» har ingen tall i databasen" in unit.message
    assert unit.line == next(i for i, t in enumerate(lines, 1) if "units:" in t)  # a flow list: the field's line
    # a tiltak that starts in the period after the latest has no numbers after the start yet: allowed
    soon = DataCoverage(known, {"x_mobbing": (2015, 2021, "2015-16", "2021-22"), "x_kostra": (2015, 2025, "", "")})
    assert load_registry(path, coverage=soon).tiltak[0].start == "2022-23"


def test_a_registry_with_a_bad_tiltak_reaches_the_database_as_problems(tmp_path):
    import duckdb

    from oppvekst.marts import load_indicators

    con = duckdb.connect()
    problems = load_indicators(con, tiltak_file(tmp_path, BAD_TILTAK))
    assert problems and con.execute("SELECT count(*) FROM tiltak").fetchone()[0] == 0
    rows = con.execute("SELECT indicator, field, line FROM registry_problems WHERE field LIKE 'tiltak.%'").fetchall()
    assert ("a_kind", "tiltak.start") in {(r[0], r[1]) for r in rows} and all(r[2] for r in rows)
    assert load_indicators(con, tiltak_file(tmp_path, GOOD_TILTAK)) == []
    units = con.execute("SELECT units, start_year, level FROM tiltak WHERE tiltak_id = 'miljo'").fetchone()
    assert units == ([SCHOOL, OTHER_SCHOOL], 2022, "skole")
