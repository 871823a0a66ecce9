"""Agency names the generic forms used to miss: state agencies named like federal ones,
counties with "and" in their names, police forces called divisions, and state police
agencies with names of their own."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies


def _rows(nlp: Language, text: str) -> dict[str, tuple[str, str]]:
    """Name -> (type, state) of each agency found in ``text``."""
    return {a.name: (a.agency_type, a.state) for a in extract_agencies(nlp(text))}


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        (
            "The Wyoming Department of Justice told county jails to keep their own records.",
            "Wyoming Department of Justice",
            "WY",
        ),
        (
            "A lawyer for the New Mexico Department of Justice said the guidance stands.",
            "New Mexico Department of Justice",
            "NM",
        ),
        (
            "Inmates held by the Vermont Department of Correction are not screened by ICE.",
            "Vermont Department of Correction",
            "VT",
        ),
        (
            "The Utah Department of Corrections declined to say how many inmates had detainers.",
            "Utah Department of Corrections",
            "UT",
        ),
        (
            "The Iowa Department of Public Safety will not assign troopers to the task force.",
            "Iowa Department of Public Safety",
            "IA",
        ),
        (
            "The Maine Attorney General's Office sent the letter to every police chief.",
            "Maine Attorney General's Office",
            "ME",
        ),
        (
            "The North Dakota attorney general's office told sheriffs to wait.",
            "North Dakota Attorney General's Office",
            "ND",
        ),
        (
            "The Office of the Attorney General of Kentucky filed a brief in the case.",
            "Office of the Attorney General of Kentucky",
            "KY",
        ),
        (
            "The Office of the Attorney General of the State of Vermont wrote to the town.",
            "Office of the Attorney General of the State of Vermont",
            "VT",
        ),
        (
            "The Mississippi Law Enforcement Agency will join the federal operation.",
            "Mississippi Law Enforcement Agency",
            "MS",
        ),
        (
            "Agents of the Georgia Bureau of Investigation questioned the deputies.",
            "Georgia Bureau of Investigation",
            "GA",
        ),
        (
            "The Arkansas Department of Law Enforcement trained the officers last spring.",
            "Arkansas Department of Law Enforcement",
            "AR",
        ),
        (
            "Kentucky State Troopers stopped the van on the interstate.",
            "Kentucky State Troopers",
            "KY",
        ),
        (
            "The New York Department of Law Enforcement has no such unit, an aide said.",
            "New York Department of Law Enforcement",
            "NY",
        ),
        (
            "The New York State Attorney General's office said the county broke the law.",
            "New York State Attorney General's Office",
            "NY",
        ),
        (
            "The Oklahoma Department of Criminal Justice lets ICE interview inmates.",
            "Oklahoma Department of Criminal Justice",
            "OK",
        ),
        (
            "Agents of the South Carolina State Bureau of Investigation joined the search.",
            "South Carolina State Bureau of Investigation",
            "SC",
        ),
        (
            "The Wisconsin Bureau of Criminal Apprehension is reviewing the arrest.",
            "Wisconsin Bureau of Criminal Apprehension",
            "WI",
        ),
        (
            "The Nebraska Division of Criminal Investigation said it was not involved.",
            "Nebraska Division of Criminal Investigation",
            "NE",
        ),
        (
            "The Oregon Department of Corrections and Rehabilitation moved him to ICE custody.",
            "Oregon Department of Corrections and Rehabilitation",
            "OR",
        ),
    ],
)
def test_state_agencies_named_like_federal_or_other_bodies(
    nlp: Language, text: str, name: str, state: str
) -> None:
    rows = _rows(nlp, text)
    assert rows.get(name) == ("state", state), rows
    assert "U.S. Department of Justice" not in rows
    assert "Federal Bureau of Investigation" not in rows


@pytest.mark.parametrize(
    "text",
    [
        "The Department of Justice opened an inquiry into the Pine County jail.",
        "The Justice Department said on Friday that the rule stands.",
        "Ohio officials said the Justice Department had not called them.",
        "Last week the Department of Justice sued Arizona over the law.",
    ],
)
def test_the_department_of_justice_without_a_state_is_federal(nlp: Language, text: str) -> None:
    rows = _rows(nlp, text)
    assert rows.get("U.S. Department of Justice") == ("federal", ""), rows
    assert not [name for name, (kind, _) in rows.items() if kind == "state"], rows


@pytest.mark.parametrize(
    "text",
    [
        "The county paid for the radios with a department of justice grant.",
        "Lawyers in Ohio said the justice department had opened an inquiry.",
        "Idaho officials said a bureau of investigation would be costly.",
    ],
)
def test_lower_case_words_name_no_state_agency(nlp: Language, text: str) -> None:
    rows = _rows(nlp, text)
    assert not [name for name, (kind, _) in rows.items() if kind == "state"], rows


def test_a_named_body_that_is_not_a_state_is_no_state_agency(nlp: Language) -> None:
    rows = _rows(nlp, "Lakeview Department of Justice officials did not respond.")
    assert not [name for name, (kind, _) in rows.items() if kind == "state"], rows


@pytest.mark.parametrize(
    ("text", "name", "agency_type", "state"),
    [
        (
            "Lewis and Clark County Sheriff Dana Moreau said the jail holds no one for ICE.",
            "Lewis and Clark County Sheriff's Office",
            "sheriff",
            "MT",
        ),
        (
            "The Lewis and Clark County Sheriff's Office will not honor detainers.",
            "Lewis and Clark County Sheriff's Office",
            "sheriff",
            "MT",
        ),
        (
            "The King and Queen County Sheriff's Office signed the agreement.",
            "King and Queen County Sheriff's Office",
            "sheriff",
            "VA",
        ),
        (
            "The Lewis and Clark County Commission voted to end the jail contract with ICE.",
            "Lewis and Clark County",
            "county",
            "MT",
        ),
    ],
)
def test_a_county_named_with_and(
    nlp: Language, text: str, name: str, agency_type: str, state: str
) -> None:
    rows = _rows(nlp, text)
    assert rows.get(name) == (agency_type, state), rows
    assert not [n for n in rows if n.startswith(("Clark County", "Queen County"))], rows
    assert "Las Vegas Metropolitan Police Department" not in rows


@pytest.mark.parametrize(
    "text",
    [
        "The Clark County Sheriff's Office in Washington said it will not honor detainers.",
        "Smith and Clark County Sheriff's Office deputies met on Monday in Washington.",
    ],
)
def test_clark_county_alone_stays_clark_county(nlp: Language, text: str) -> None:
    rows = _rows(nlp, text)
    assert "Clark County Sheriff's Office" in rows, rows
    assert not [n for n in rows if " and Clark" in n], rows


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        (
            "The Columbus Division of Police said officers will not ask about status.",
            "Columbus Division of Police",
            "OH",
        ),
        (
            "A spokesman for the Akron Police Division said officers were not involved.",
            "Akron Police Division",
            "OH",
        ),
        (
            "The Baltimore Department of Police declined to comment on the raid.",
            "Baltimore Department of Police",
            "MD",
        ),
        (
            "The Pittsburgh Bureau of Police does not enforce civil immigration law.",
            "Pittsburgh Bureau of Police",
            "PA",
        ),
    ],
)
def test_police_forces_called_divisions_or_bureaus(
    nlp: Language, text: str, name: str, state: str
) -> None:
    rows = _rows(nlp, text)
    assert rows.get(name) == ("police", state), rows


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("The Nebraska attorney general's office said the policy is lawful.", True),
        ("A memo by the Nebraska attorney general's office set out the rules.", True),
        ("Advocates will ask the Nebraska attorney general's office for an opinion.", False),
        ("Advocates will ask the Nebraska Attorney General's Office for an opinion.", True),
    ],
)
def test_an_attorney_generals_office_in_lower_case_counts_when_it_acts(
    nlp: Language, text: str, kept: bool
) -> None:
    rows = _rows(nlp, text)
    assert ("Nebraska Attorney General's Office" in rows) is kept, rows


def test_the_state_department_of_justice_is_the_named_states(nlp: Language) -> None:
    text = (
        "The Idaho Department of Justice wrote to every sheriff. Later the state Department "
        "of Justice said the rule stands. The Department of Justice in Washington was silent."
    )
    agencies = {a.name: a for a in extract_agencies(nlp(text))}
    idaho, federal = agencies["Idaho Department of Justice"], agencies["U.S. Department of Justice"]
    assert (idaho.agency_type, idaho.state, idaho.named_mentions) == ("state", "ID", 2)
    assert (federal.agency_type, federal.named_mentions) == ("federal", 1)


def test_the_state_justice_department_of_a_local_story(nlp: Language) -> None:
    rows = _rows(
        nlp,
        "BOISE, Idaho — The state Justice Department said Idaho sheriffs must hold the inmates, "
        "and Idaho lawmakers agreed.",
    )
    assert rows.get("Idaho Department of Justice") == ("state", "ID"), rows
    assert "U.S. Department of Justice" not in rows


def test_the_state_department_of_justice_of_no_known_state_is_no_agency(nlp: Language) -> None:
    rows = _rows(nlp, "The state Department of Justice has not said whether it will act.")
    assert "U.S. Department of Justice" not in rows
    assert not [name for name, (kind, _) in rows.items() if kind == "state"], rows


def test_a_sheriffs_office_in_lower_case_counts_without_acting(nlp: Language) -> None:
    rows = _rows(nlp, "Reporters called the Dakota County Sheriff's office on Monday.")
    assert rows.get("Dakota County Sheriff's Office", ("", ""))[0] == "sheriff", rows


@pytest.mark.parametrize(
    "text",
    [
        "The Oakland Department of Police Accountability reviewed the complaint.",
        "The Toledo Division of Police Oversight hosted the hearing.",
    ],
)
def test_an_oversight_body_named_after_the_police_is_no_police_force(
    nlp: Language, text: str
) -> None:
    rows = _rows(nlp, text)
    assert not [name for name, (kind, _) in rows.items() if kind == "police"], rows


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        (
            "Oregon's Department of Justice told sheriffs to wait for a ruling.",
            "Oregon Department of Justice",
            "OR",
        ),
        (
            "The sheriff said Michigan’s Bureau of Criminal Investigation would take the case.",
            "Michigan Bureau of Criminal Investigation",
            "MI",
        ),
    ],
)
def test_a_state_agency_after_a_possessive_state(
    nlp: Language, text: str, name: str, state: str
) -> None:
    rows = _rows(nlp, text)
    assert rows.get(name) == ("state", state), rows
    assert "U.S. Department of Justice" not in rows


@pytest.mark.parametrize(
    ("text", "name", "short"),
    [
        (
            "Akron Police officers were not there, and the Akron Division of Police said it "
            "would not help ICE.",
            "Akron Division of Police",
            "Akron Police",
        ),
        (
            "The Toledo Police Division said it will not help ICE. Toledo Police officers "
            "were not at the scene.",
            "Toledo Police Division",
            "Toledo Police",
        ),
    ],
)
def test_a_short_police_name_joins_the_forces_own_name(
    nlp: Language, text: str, name: str, short: str
) -> None:
    agencies = [a for a in extract_agencies(nlp(text)) if a.agency_type == "police"]
    assert [(a.name, a.aliases) for a in agencies] == [(name, (short,))]
