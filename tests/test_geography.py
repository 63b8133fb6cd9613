from oppvekst.geography import canonical_code, load_register, orgnr_is_valid


def test_register_counts_from_klass():
    reg = load_register()
    current = [
        a
        for a in reg.areas.values()
        if a.level == "kommune" and not a.valid_to and a.code not in ("9999", "2111", "2100", "2599")
    ]
    assert len(current) == 357
    assert (
        len(
            [
                a
                for a in reg.areas.values()
                if a.level == "fylke" and not a.valid_to and a.code not in ("99", "25", "21")
            ]
        )
        == 15
    )
    bergen = [a.code for a in reg.areas.values() if a.level == "bydel" and a.parent == "4601" and not a.successor]
    assert sorted(bergen)[:8] == [f"4601{i:02d}" for i in range(1, 9)]


def test_renumbering_chains_to_current_code():
    reg = load_register()
    assert reg.current("3024") == ("3201", "renumbering")  # Bærum 2024
    assert reg.current("0219") == ("3201", "renumbering")  # Bærum 2020 -> 2024
    assert reg.current("3813") == ("4012", "renumbering")  # Bamble
    assert reg.current("0226")[0] == "3205"  # Sørum merged into Lillestrøm
    assert reg.current("1507") == ("1507", None)  # Ålesund 2024 split: not carried forward
    assert reg.current("120101") == ("460101", "renumbering")  # Arna under the old Bergen number


def test_names_resolve_with_fylke():
    reg = load_register()
    assert reg.find_by_name("Bergen", "kommune") == ["4601"]
    assert len(reg.find_by_name("Våler", "kommune")) == 2
    assert reg.find_by_name("Våler", "kommune", "Østfold") == ["3114"]
    assert reg.find_by_name("Herøy", "kommune", "15") == ["1515"]
    assert reg.find_by_name("Trondheim", "kommune") == ["5001"]


def test_code_shapes():
    assert canonical_code("EAK") == ("0", "land")
    assert canonical_code("I ") == ("0", "land")
    assert canonical_code("EKA46") == ("46", "fylke")
    assert canonical_code("EKG13") == ("EKG13", "gruppe")
    assert canonical_code("030101a") == ("030101", "bydel")
    assert canonical_code("12345") == ("12345", None)
    assert orgnr_is_valid("975297101") and not orgnr_is_valid("975297102")
