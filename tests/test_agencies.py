"""Agency mentions, normalisation, merging and state inference."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import classify, clean_surface, extract_agencies, name_key


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("ICE", ("U.S. Immigration and Customs Enforcement", "federal")),
        (
            "Immigration and Customs Enforcement",
            ("U.S. Immigration and Customs Enforcement", "federal"),
        ),
        ("Department of Justice", ("U.S. Department of Justice", "federal")),
        ("LVMPD", ("Las Vegas Metropolitan Police Department", "police")),
        ("Hennepin County Sheriff", ("Hennepin County Sheriff's Office", "sheriff")),
        ("Maricopa County Sheriff's Office", ("Maricopa County Sheriff's Office", "sheriff")),
        ("Omaha Police Chief", ("Omaha Police Department", "police")),
        ("Dayton Police Dept.", ("Dayton Police Department", "police")),
        ("Tulsa PD", ("Tulsa Police Department", "police")),
        ("St. Paul Mayor", ("City of St. Paul", "city")),
        ("city of Boise", ("City of Boise", "city")),
        ("Denver City Council", ("City of Denver", "city")),
        ("Anoka County", ("Anoka County", "county")),
        ("Cook County Board of Commissioners", ("Cook County", "county")),
        ("Iowa State Patrol", ("Iowa State Patrol", "state")),
        # bodies with unusual names
        (
            "University of Vermont Police Department",
            ("University of Vermont Police Department", "police"),
        ),
        ("Navajo Nation Police", ("Navajo Nation Police", "police")),
        ("Osage Nation Marshal Service", ("Osage Nation Marshal Service", "police")),
        (
            "Bexar County Precinct 3 Constable's Office",
            ("Bexar County Precinct 3 Constable's Office", "police"),
        ),
        ("Lexington-Fayette Metro Government", ("Lexington-Fayette Metro Government", "city")),
        ("Dane County Transit System", ("Dane County Transit System", "other")),
        ("Howard County Executive", ("Howard County", "county")),
        ("Tacoma City Commission", ("City of Tacoma", "city")),
        (
            "Office of the Oregon Attorney General",
            ("Office of the Oregon Attorney General", "state"),
        ),
        (
            "Clark County District Attorney's Office",
            ("Clark County District Attorney's Office", "county"),
        ),
    ],
)
def test_classify_normalises_known_and_generic_forms(
    surface: str, expected: tuple[str, str]
) -> None:
    found = classify(surface)
    assert found is not None
    assert found[:2] == expected


@pytest.mark.parametrize(
    "surface",
    [
        "Local Police",
        "Several Police",
        "Former Mayor",
        "Democratic Mayor",
        "Trump",
        # "of" joins a place only in "University of ..."
        "Ohio Association of Chiefs of Police",
        "Board of County",
    ],
)
def test_classify_rejects_non_agencies(surface: str) -> None:
    assert classify(surface) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("the Omaha Police Department", "Omaha Police Department"),
        ("ICE’s", "ICE"),
        ("The Sheriff’s Office", "Sheriff's Office"),
        ("  Beloit  Police Department ", "Beloit Police Department"),
    ],
)
def test_clean_surface(raw: str, expected: str) -> None:
    assert clean_surface(raw) == expected


def test_name_key_ignores_case_punctuation_and_possessive() -> None:
    assert name_key("The Hennepin County Sheriff’s Office") == name_key(
        "hennepin county sheriff's office"
    )


def _by_name(nlp: Language, text: str) -> dict[str, object]:
    return {a.name: a for a in extract_agencies(nlp(text))}


def test_acronym_defined_in_text_joins_its_agency(nlp: Language) -> None:
    text = (
        "The Springfield Metropolitan Police Department (SMPD) said Monday it will not help. "
        "SMPD officers will keep patrolling as before."
    )
    agencies = _by_name(nlp, text)
    agency = agencies["Springfield Metropolitan Police Department"]
    assert "SMPD" in agency.aliases  # type: ignore[attr-defined]
    # The definition "(SMPD)" and the later "SMPD" are both mentions.
    assert agency.named_mentions == 3  # type: ignore[attr-defined]
    assert "SMPD" not in agencies


def test_short_form_joins_full_agency_of_same_place(nlp: Language) -> None:
    text = (
        "The Las Vegas Metropolitan Police Department released its policy.\n\n"
        "Las Vegas Police will not take part in raids, the statement said."
    )
    agencies = _by_name(nlp, text)
    assert list(agencies) == ["Las Vegas Metropolitan Police Department"]
    assert "Las Vegas Police" in agencies["Las Vegas Metropolitan Police Department"].aliases  # type: ignore[attr-defined]


def test_title_implies_agency(nlp: Language) -> None:
    agencies = _by_name(
        nlp, "Hennepin County Sheriff Dawanna Witt said her office focuses on serious crimes."
    )
    assert "Hennepin County Sheriff's Office" in agencies
    assert agencies["Hennepin County Sheriff's Office"].state == "MN"  # type: ignore[attr-defined]


def test_group_members_become_agencies_with_state_from_sentence(nlp: Language) -> None:
    text = "A dozen Minnesota counties, including Anoka, Dakota and Ramsey, limit cooperation with ICE."
    agencies = _by_name(nlp, text)
    for county in ("Anoka County", "Dakota County", "Ramsey County"):
        assert agencies[county].agency_type == "county"  # type: ignore[attr-defined]
        assert agencies[county].state == "MN"  # type: ignore[attr-defined]


def test_the_department_is_a_mention_of_the_agency_before_it(nlp: Language) -> None:
    text = (
        "The Omaha Police Department issued a statement. The department has no plans to join raids."
    )
    agency = _by_name(nlp, text)["Omaha Police Department"]
    start = text.index("department has")
    assert any(s <= start < e for s, e in agency.spans)  # type: ignore[attr-defined]
    assert agency.named_mentions == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        (
            "The Stockton Police Department in California said it would not help.",
            "Stockton Police Department",
            "CA",
        ),
        ("The Omaha Police Department said it would not help.", "Omaha Police Department", "NE"),
        (
            "The Beloit Police Department in Wisconsin announced a policy.",
            "Beloit Police Department",
            "WI",
        ),
        ("ICE agents arrived on Tuesday.", "U.S. Immigration and Customs Enforcement", ""),
    ],
)
def test_state_inference(nlp: Language, text: str, name: str, state: str) -> None:
    assert _by_name(nlp, text)[name].state == state  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "The Immigration Hub is a national organization.",
        "The Trump administration threatened cities.",
        "Police departments across the country are resisting.",
    ],
)
def test_no_agency_in_advocacy_or_generic_text(nlp: Language, text: str) -> None:
    assert extract_agencies(nlp(text)) == []


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        (
            "The Springfield Police Department said it would not help.",
            "Springfield Police Department",
            "",
        ),
        (
            "The Springfield Police Department in Illinois said it would not help.",
            "Springfield Police Department",
            "IL",
        ),
    ],
)
def test_ambiguous_city_needs_text_evidence(
    nlp: Language, text: str, name: str, state: str
) -> None:
    assert _by_name(nlp, text)[name].state == state  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "People arrested are booked into the Pine County Jail, which honors ICE detainers.",
            ["Pine County Sheriff's Office", "U.S. Immigration and Customs Enforcement"],
        ),
        ("In Cass County, the sheriff signed an agreement.", ["Cass County Sheriff's Office"]),
        (
            "Police Chiefs Across the Midwest Refuse to Join ICE Raids",
            ["U.S. Immigration and Customs Enforcement"],
        ),
        ("A spokesperson for the Sheriff's Office said nothing.", []),
        ("The Brenton County sheriff signed the agreement.", ["Brenton County Sheriff's Office"]),
    ],
)
def test_surface_forms_that_are_and_are_not_agencies(
    nlp: Language, text: str, expected: list[str]
) -> None:
    assert [a.name for a in extract_agencies(nlp(text))] == expected


@pytest.mark.parametrize(
    ("paragraphs", "state"),
    [
        (["Headline", "MILLFORD, Tenn. (WKNX) — The Millford Police Department said"], "TN"),
        (["GRANITE FALLS, Pa. — Police said"], "PA"),
        (["RIVERBEND, Ohio — The mayor"], "OH"),
        (["Washington, D.C – This week"], ""),
        (["HARTSELL — The county board"], ""),
    ],
)
def test_dateline_state(paragraphs: list[str], state: str) -> None:
    from extractor.places import dateline_state

    assert dateline_state(paragraphs) == state


def test_unknown_town_takes_the_dateline_state(nlp: Language) -> None:
    text = "Headline\n\nMILLFORD, Tenn. — The Millford Police Department will not sign an agreement with ICE."
    assert _by_name(nlp, text)["Millford Police Department"].state == "TN"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Headline\n\nRIVERBEND, Ohio — Mayor Patricia Nguyen signed an order on Monday.",
            [("City of Riverbend", "city", "OH")],
            id="mayor-city-from-dateline",
        ),
        pytest.param(
            "Mayor Ann Cole said the Dover Police Department will not help ICE.",
            [
                ("City of Dover", "city"),
                ("Dover Police Department", "police"),
                ("U.S. Immigration and Customs Enforcement", "federal"),
            ],
            id="mayor-city-from-the-one-local-police",
        ),
        pytest.param(
            "Former Mayor Ann Cole criticised the policy.",
            [],
            id="former-mayor-is-no-city",
        ),
        pytest.param(
            "In Cass County, in north-central Minnesota, Sheriff Tom Halvorsen said his jail "
            "honors detainers.",
            [("Cass County Sheriff's Office", "sheriff", "MN")],
            id="locative-with-apposition",
        ),
        pytest.param(
            "Mike Tran, Henderson's police chief, said his department has no plans to help.",
            [("Henderson Police Department", "police")],
            id="possessive-place-office",
        ),
        pytest.param(
            "The Wake County's sheriff said deputies would not join raids.",
            [("Wake County Sheriff's Office", "sheriff", "NC")],
            id="possessive-county-sheriff",
        ),
        pytest.param(
            "ICE made arrests in neighboring Alder County last week.",
            [("U.S. Immigration and Customs Enforcement", "federal")],
            id="county-as-a-place-only",
        ),
        pytest.param(
            "Alder County will stop renting jail beds to ICE.",
            [("Alder County", "county"), ("U.S. Immigration and Customs Enforcement", "federal")],
            id="county-acting-as-subject",
        ),
        pytest.param(
            "Hennepin County Sheriff Dawanna Witt runs the jail. Hennepin County books "
            "30,000 people a year.",
            [("Hennepin County Sheriff's Office", "sheriff", "MN")],
            id="bare-county-beside-its-sheriff",
        ),
        pytest.param(
            "Sheriff's offices in a dozen North Carolina counties, including Durham, Forsyth "
            "and Wake, will not hold anyone for ICE.",
            [
                ("Durham County Sheriff's Office", "sheriff", "NC"),
                ("Forsyth County Sheriff's Office", "sheriff", "NC"),
                ("Wake County Sheriff's Office", "sheriff", "NC"),
                ("U.S. Immigration and Customs Enforcement", "federal"),
            ],
            id="group-of-sheriffs-offices",
        ),
        pytest.param(
            "The Village of Oak Prairie board voted on Monday.",
            [("Village of Oak Prairie", "city")],
            id="village",
        ),
        pytest.param(
            "Border Patrol agents and ERO officers arrived.",
            [
                ("U.S. Customs and Border Protection", "federal"),
                ("U.S. Immigration and Customs Enforcement", "federal"),
            ],
            id="federal-components-fold-into-parent",
        ),
    ],
)
def test_agencies_implied_by_titles_places_and_groups(
    nlp: Language, text: str, expected: list[tuple[str, ...]]
) -> None:
    found = extract_agencies(nlp(text))
    got = [
        (a.name, a.agency_type, a.state)[: len(e)] for a, e in zip(found, expected, strict=False)
    ]
    assert len(found) == len(expected) and got == expected


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        pytest.param(
            "Headline\n\nRIVERBEND, Ohio — Inmates go to the Pine County Jail, run by the Pine "
            "County Sheriff's Office.",
            "Pine County Sheriff's Office",
            "OH",
            id="local-county-named-like-one-elsewhere",
        ),
        pytest.param(
            "Headline\n\nMILWAUKEE, Wis. — Agencies in Ohio, Iowa and Illinois spoke. The Fox "
            "River Police Department will not help.",
            "Fox River Police Department",
            "",
            id="regional-round-up-has-no-home-state",
        ),
        pytest.param(
            "Headline\n\nMILLFORD, Tenn. — The Millford Police Department will not help. Tennessee "
            "deputies train in Charleston, South Carolina.",
            "Millford Police Department",
            "TN",
            id="one-stray-state-keeps-the-dateline",
        ),
        pytest.param(
            "Sheriffs in Iowa, Minnesota and Illinois spoke. The Cass County Sheriff's Office "
            "signed an agreement.",
            "Cass County Sheriff's Office",
            "",
            id="several-fitting-states-leave-it-open",
        ),
        pytest.param(
            "The Metropolitan Police Department in Washington, D.C., said it does not enforce "
            "immigration law.",
            "Metropolitan Police Department",
            "DC",
            id="washington-dc-before-a-comma",
        ),
    ],
)
def test_state_from_the_story(nlp: Language, text: str, name: str, state: str) -> None:
    assert _by_name(nlp, text)[name].state == state  # type: ignore[attr-defined]


def test_dateline_city() -> None:
    from extractor.places import dateline_city

    assert dateline_city(["Headline", "ST. PAUL, Minn. — The mayor"]) == "St. Paul"
    assert dateline_city(["No dateline here."]) == ""


def test_an_agency_led_by_a_sheriff_absorbs_the_sheriff_title(nlp: Language) -> None:
    text = (
        "Clark County Sheriff Kevin McMahill said LVMPD will not hold anyone for ICE. Inmates "
        "are held at the Clark County Detention Center."
    )
    assert list(_by_name(nlp, text)) == [
        "Las Vegas Metropolitan Police Department",
        "U.S. Immigration and Customs Enforcement",
    ]


def test_a_sheriff_of_an_agency_led_by_a_sheriff_implies_no_new_office(nlp: Language) -> None:
    text = (
        "Headline\n\nLVMPD serves unincorporated Clark County.\n\n"
        "Assistant Sheriff Ray Dominguez explained the policy."
    )
    assert [a.name for a in extract_agencies(nlp(text))] == [
        "Las Vegas Metropolitan Police Department"
    ]


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Bolivia Police", None),
        ("Nigeria Police Force", None),
        ("Georgia State Patrol", "Georgia State Patrol"),
        ("Lebanon Police Department", "Lebanon Police Department"),
    ],
)
def test_foreign_police_are_not_us_agencies(surface: str, expected: str | None) -> None:
    found = classify(surface)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "The University of Oregon Police Department said officers will not ask about status.",
            "University of Oregon Police Department",
        ),
        (
            "Officers of the Muscogee (Creek) Nation Lighthorse Police patrol the reservation.",
            "Muscogee (Creek) Nation Lighthorse Police",
        ),
        (
            "Last week the Travis County Precinct 2 Constable’s Office joined the program.",
            "Travis County Precinct 2 Constable's Office",
        ),
    ],
)
def test_unusual_bodies_found_in_text(nlp: Language, text: str, name: str) -> None:
    names = [a.name for a in extract_agencies(nlp(text))]
    assert name in names
    assert not any(n != name and n in name for n in names)  # no truncated duplicate


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a story set abroad: a town or county the US gazetteer does not know is foreign
        (
            "Health officials in China sealed off the town of Xiabei in Gansu province after "
            "two cases of plague.",
            False,
        ),
        # a US state named: an unknown town is a (small or fictional) US town
        (
            "The town of Xiabei, Ohio, voted on Monday to stop working with ICE; China was "
            "not mentioned.",
            True,
        ),
    ],
)
def test_unknown_town_in_a_story_abroad_is_no_agency(nlp: Language, text: str, kept: bool) -> None:
    names = [a.name for a in extract_agencies(nlp(text))]
    assert ("Town of Xiabei" in names) is kept


def _names_and_aliases(nlp: Language, text: str) -> dict[str, tuple[str, ...]]:
    return {a.name: a.aliases for a in extract_agencies(nlp(text))}


def test_capitals_spelling_an_agencys_initials_are_its_acronym(nlp: Language) -> None:
    text = (
        "The Spokane Police Department changed its policy on Monday.\n\n"
        "Under the new SPD rule, officers will not ask about immigration status."
    )
    assert _names_and_aliases(nlp, text)["Spokane Police Department"] == ("SPD",)


def test_initials_shared_by_two_agencies_name_neither(nlp: Language) -> None:
    text = (
        "The Salem Police Department and the Springfield Police Department met.\n\n"
        "The SPD chief spoke first."
    )
    assert all(aliases == () for aliases in _names_and_aliases(nlp, text).values())


@pytest.mark.parametrize(
    ("text", "acting"),
    [
        (
            "In Douglas County, commissioners voted to end the jail's contract with ICE.",
            True,
        ),
        ("In Douglas County, a storm closed three schools on Tuesday.", False),
    ],
)
def test_a_county_opening_a_sentence_about_its_board_acts(
    nlp: Language, text: str, acting: bool
) -> None:
    assert ("Douglas County" in _names_and_aliases(nlp, text)) is acting


def test_an_undersheriff_implies_the_story_countys_office(nlp: Language) -> None:
    text = (
        "Officials in Larimer County said the jail would not hold people for ICE.\n\n"
        "Undersheriff Joe Shellhammer said the policy follows a 2019 court ruling."
    )
    assert "Larimer County Sheriff's Office" in _names_and_aliases(nlp, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a city that acts in a story about immigration enforcement is its government
        (
            "Minneapolis will not use city resources to help federal immigration agents, "
            "Mayor Jacob Frey said Thursday.",
            "City of Minneapolis",
        ),
        (
            "Boston refuses to hold immigrants on ICE detainers, city officials said.",
            "City of Boston",
        ),
        (
            "The Eugene city council voted to bar staff from asking about immigration status.",
            "City of Eugene",
        ),
        # a county with a mayor and no city of its name; hyphenated places stay whole
        ("Miami-Dade Mayor Daniella Levine Cava spoke on Tuesday.", "Miami-Dade County"),
        (
            "The Miami-Dade Board of County Commissioners approved a 287(g) agreement.",
            "Miami-Dade County",
        ),
        ("Tucson's City Council voted Tuesday to keep its sanctuary ordinance.", "City of Tucson"),
        ("The Chicago Board of Education voted on Tuesday.", "Chicago Board of Education"),
        # a county's prosecutor heads its office
        (
            "Hennepin County Attorney Mary Moriarty said her office will not prosecute status.",
            "Hennepin County Attorney's Office",
        ),
        (
            "The Essex County Prosecutor's Office declined to comment.",
            "Essex County Prosecutor's Office",
        ),
        # a state police superintendent heads the state police, not a city's department
        ("Oregon State Police Superintendent Casey Codding spoke.", "Oregon State Police"),
    ],
)
def test_cities_and_counties_acting(nlp: Language, text: str, name: str) -> None:
    assert name in _names_and_aliases(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        # places, a dateline, a state of being, another subject: no city government acts
        "ICE agents made arrests in Phoenix on Sunday; residents of Tempe reported delays.",
        "PHOENIX (AP) — ICE agents made arrests across the city on Sunday.",
        "Phoenix — The governor said ICE raids would continue.",
        "Phoenix remains a sanctuary for migrants, advocates say.",
        "Kansas City beat Denver 27-24 on Sunday.",
        # cities listed as places in a story that is not about immigration enforcement
        "The band plays 30 cities including Nashville, Toronto, Denver and Seattle.",
        # an association named after a police department is no agency
        "The Seattle Police Officers Guild endorsed the ICE cooperation bill.",
        # an acronym before a hyphen opens no place; a force the patterns miss is not the town's
        "The charger has a 60W USB-C PD port.",
        "HAYWARD, Calif. (AP) — Interim BART Police Chief Ed Alvarez told reporters.",
    ],
)
def test_places_and_associations_are_no_agencies(nlp: Language, text: str) -> None:
    names = _names_and_aliases(nlp, text)
    assert not [n for n in names if n.startswith("City of") or "Police" in n]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Millbrook and Ashgrove police departments said they would not check status.",
            {"Millbrook Police Department", "Ashgrove Police Department"},
        ),
        (
            "Otter Tail and Wadena county sheriffs said they would keep honoring ICE detainers.",
            {"Otter Tail County Sheriff's Office", "Wadena County Sheriff's Office"},
        ),
        (
            "The Tioga County Legislature voted 8-3 to approve the jail agreement with ICE.",
            {"Tioga County"},
        ),
        (
            "Lubbock County Judge Curtis Parrish said the county would sign the agreement.",
            {"Lubbock County"},
        ),
    ],
)
def test_coordinated_offices_and_county_bodies(
    nlp: Language, text: str, expected: set[str]
) -> None:
    assert expected <= {a.name for a in extract_agencies(nlp(text))}


def test_a_name_without_its_place_joins_the_full_name(nlp: Language) -> None:
    text = (
        "The Nevada Highway Patrol joined the task force in May. The Highway Patrol's "
        "agreement lets troopers arrest people on immigration charges."
    )
    names = {a.name for a in extract_agencies(nlp(text))}
    assert "Nevada Highway Patrol" in names
    assert "Highway Patrol" not in names


def test_a_sheriff_in_a_neighboring_county_names_its_office(nlp: Language) -> None:
    text = (
        "The Benton Ridge County Sheriff's Office holds inmates at ICE's request, Sheriff "
        "Lyle Danforth said.\n\nIn neighboring Carrow County, Sheriff Tanya Ellsworth took "
        "the opposite view."
    )
    assert "Carrow County Sheriff's Office" in {a.name for a in extract_agencies(nlp(text))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sheriffs in Renfrew and Caswell counties said they would keep honoring detainers.",
            {"Renfrew County Sheriff's Office", "Caswell County Sheriff's Office"},
        ),
        (
            "Police in Goshen and Millbury said they would not ask about immigration status.",
            {"Goshen Police Department", "Millbury Police Department"},
        ),
        (
            "The Renfrew County and Caswell County sheriff's offices signed 287(g) agreements.",
            {"Renfrew County Sheriff's Office", "Caswell County Sheriff's Office"},
        ),
    ],
)
def test_offices_of_listed_places(nlp: Language, text: str, expected: set[str]) -> None:
    assert expected <= {a.name for a in extract_agencies(nlp(text))}
