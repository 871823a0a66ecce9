"""Officials' titles and agencies: organisations, federal and state staff, role over rank,
titles as written, and local offices the first rules missed."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies
from extractor.officials import extract_officials


def _officials(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [
        (o.name, o.title, o.agency) for o in extract_officials(doc, agencies=extract_agencies(doc))
    ]


def _one(nlp: Language, text: str, name: str) -> tuple[str, str]:
    found = {n: (t, a) for n, t, a in _officials(nlp, text)}
    assert name in found, found
    return found[name]


# A. The organisation named in the title phrase is the agency, not the story's sheriff.
@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "The Larch County Sheriff's Office signed a 287(g) agreement. \u201cWe are scared,\u201d "
            "said Nadia Ferreira, director of organizing for the Riverbend Workers Coalition.",
            "Nadia Ferreira",
            "Director of Organizing",
            "Riverbend Workers Coalition",
        ),
        (
            "The Rev. Matthew Okoye, pastor of Grace Fellowship Church, said families were "
            "afraid. The Dunmore Police Department declined to comment.",
            "Matthew Okoye",
            "Pastor",
            "Grace Fellowship Church",
        ),
        (
            "Darnell Price, president of the Fraternal Order of Police Lodge 12, defended the "
            "Oakfield Police Department.",
            "Darnell Price",
            "President",
            "Fraternal Order of Police Lodge 12",
        ),
        (
            "Chief Judge Ellen Marsh of the 14th Circuit Court said agents would need a warrant "
            "to make arrests in the courthouse.",
            "Ellen Marsh",
            "Chief Judge",
            "14th Circuit Court",
        ),
    ],
)
def test_organisation_in_the_title_phrase_is_the_agency(
    nlp: Language, text: str, name: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, name) == (title, agency)


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Kent County Public Defender Laura Sims said her clients were being arrested at "
            "the courthouse.",
            "Laura Sims",
            "Public Defender",
        ),
        (
            "Laura Sims, the county's chief public defender, said the Kent County Sheriff's "
            "Office should stop holding people for ICE.",
            "Laura Sims",
            "Chief Public Defender",
        ),
    ],
)
def test_public_defender_speaks_for_the_public_defenders_office(
    nlp: Language, text: str, name: str, title: str
) -> None:
    assert _one(nlp, text, name) == (title, "Kent County Public Defender's Office")


# B. State attorney general's staff speak for the office the text names.
@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "Chief Deputy Attorney General Sandra Holt said the Minnesota Department of Justice "
            "would review the jail's policy.",
            "Sandra Holt",
            "Chief Deputy Attorney General",
            "Minnesota Department of Justice",
        ),
        (
            "\u201cThe law is clear,\u201d said Peter Quist, the attorney general's director of "
            "communications. The Office of the Attorney General sent guidance to sheriffs.",
            "Peter Quist",
            "Director of Communications",
            "Office of the Attorney General",
        ),
    ],
)
def test_attorney_generals_staff_speak_for_the_office(
    nlp: Language, text: str, name: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, name) == (title, agency)


def test_attorney_general_without_a_named_office_has_no_agency(nlp: Language) -> None:
    text = "Attorney General Nora Pike said local police may not hold people for ICE."
    assert _one(nlp, text, "Nora Pike") == ("Attorney General", "")


@pytest.mark.parametrize(
    "text",
    [
        "The Pollard County Sheriff's Office honors detainers. Maria Lopez, an ICE "
        "spokeswoman, said arrests would continue.",
        "The Pollard County Sheriff's Office honors detainers. ICE spokeswoman Maria Lopez "
        "said arrests would continue.",
        "The Pollard County Sheriff's Office honors detainers, said Maria Lopez, a "
        "spokeswoman for U.S. Immigration and Customs Enforcement.",
    ],
)
def test_ice_spokesperson_in_a_sheriff_story_speaks_for_ice(nlp: Language, text: str) -> None:
    assert _one(nlp, text, "Maria Lopez") == (
        "Spokeswoman",
        "U.S. Immigration and Customs Enforcement",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Acting field office director Carla Moss said officers would keep making arrests in "
        "Atlanta. ICE has detained 40 people there.",
        "Field Office Director Carla Moss said ICE arrested 40 people in Denver.",
    ],
)
def test_field_office_director_serves_the_federal_agency(nlp: Language, text: str) -> None:
    _, agency = _one(nlp, text, "Carla Moss")
    assert agency == "U.S. Immigration and Customs Enforcement"


# C. The role after the name wins over a rank or honorific before it.
@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "Col. Brian Tate, who commands the Missouri State Highway Patrol, said troopers "
            "would stay out of the raids.",
            "Brian Tate",
            "Commander",
            "Missouri State Highway Patrol",
        ),
        (
            "Maj. Rhonda Kell, the sheriff's operations commander, said deputies would not hold "
            "inmates. The Oak County Sheriff's Office runs the jail, and the Millbrook Police "
            "Department patrols the town.",
            "Rhonda Kell",
            "Operations Commander",
            "Oak County Sheriff's Office",
        ),
        (
            "Sgt. Paul Amato, a spokesman for the police, said officers took no part. The "
            "Millbrook Police Department has no agreement with ICE.",
            "Paul Amato",
            "Spokesman",
            "Millbrook Police Department",
        ),
        (
            "Lt. Hana Brook, a detective with the Millbrook Police Department, said the case "
            "was closed.",
            "Hana Brook",
            "Detective",
            "Millbrook Police Department",
        ),
    ],
)
def test_role_after_the_name_wins_over_the_rank(
    nlp: Language, text: str, name: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, name) == (title, agency)


def test_rank_alone_is_still_the_title(nlp: Language) -> None:
    text = "Capt. Omar Reyes said the Millbrook Police Department would not change its policy."
    assert _one(nlp, text, "Omar Reyes") == ("Capt.", "Millbrook Police Department")


# D. Titles kept whole, minus a leading place.
@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Vice Chair Rosa Delgado said the Lane County Board of Commissioners would vote.",
            "Rosa Delgado",
            "Vice Chair",
        ),
        (
            "Kent County Prosecuting Attorney Mark Hale said he would not charge the marchers.",
            "Mark Hale",
            "Prosecuting Attorney",
        ),
        (
            "Cook County Board President Ana Reyes said the county would not help ICE.",
            "Ana Reyes",
            "Board President",
        ),
        (
            "Common Council President Dale Fisk said Harbor Falls would keep its policy.",
            "Dale Fisk",
            "Common Council President",
        ),
        (
            "Senate Judiciary Committee Chair Lisa Kemp said the bill would get a hearing.",
            "Lisa Kemp",
            "Senate Judiciary Committee Chair",
        ),
        (
            "House Appropriations Committee Chairman Abel Ruiz said the money was gone.",
            "Abel Ruiz",
            "House Appropriations Committee Chairman",
        ),
        (
            "Utah County Commissioner Tom Reed said the jail would keep its ICE contract.",
            "Tom Reed",
            "Commissioner",
        ),
        (
            "Maricopa County Supervisor Jan Holt said the board would vote in June.",
            "Jan Holt",
            "Supervisor",
        ),
        (
            "Montgomery County Executive Lena Park signed the order on Friday.",
            "Lena Park",
            "County Executive",
        ),
        (
            "County Commissioner Tom Reed said the jail would keep its ICE contract.",
            "Tom Reed",
            "County Commissioner",
        ),
    ],
)
def test_title_as_written_minus_a_leading_place(
    nlp: Language, text: str, name: str, title: str
) -> None:
    assert _one(nlp, text, name)[0] == title


# E. Local offices the first rules missed.
@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "Alder Juan Ortiz said the City of Madison would not lend officers to ICE.",
            "Juan Ortiz",
            "Alder",
            "City of Madison",
        ),
        (
            "Selectman John Avery said the Town of Easton would not sign a 287(g) agreement.",
            "John Avery",
            "Selectman",
            "Town of Easton",
        ),
        (
            "Select Board member Karen Wu said the town of Westbrook had no such plan.",
            "Karen Wu",
            "Select Board member",
            "Town of Westbrook",
        ),
        (
            "Harold Green, who chairs the board of selectmen, said the town of Milford would "
            "not sign on.",
            "Harold Green",
            "Chair",
            "Town of Milford",
        ),
        (
            "Ruth Ames, who chairs the Board of Aldermen, said the City of Dover would hold a "
            "hearing.",
            "Ruth Ames",
            "Chair",
            "City of Dover",
        ),
        (
            "Public Information Officer Dana Grant said the Boone County Sheriff's Office "
            "would not comment.",
            "Dana Grant",
            "Public Information Officer",
            "Boone County Sheriff's Office",
        ),
    ],
)
def test_local_offices(nlp: Language, text: str, name: str, title: str, agency: str) -> None:
    assert _one(nlp, text, name) == (title, agency)


def test_county_public_information_officer_is_not_the_federal_agencys(nlp: Language) -> None:
    text = "County Public Information Officer Mike Lane said the jail held 40 ICE detainees."
    assert _one(nlp, text, "Mike Lane") == ("County Public Information Officer", "")


@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "The Birch County Sheriff's Office joined the program. Luis Ochoa, senior pastor at "
            "St. Mark's Lutheran Church, said the church would open its doors.",
            "Luis Ochoa",
            "Senior Pastor",
            "St. Mark's Lutheran Church",
        ),
        (
            "The Birch County Sheriff's Office joined the program. \u201cWe will stand with "
            "them,\u201d said Pastor Luis Ochoa of Iglesia Vida Nueva.",
            "Luis Ochoa",
            "Pastor",
            "Iglesia Vida Nueva",
        ),
        (
            "Aaron Fisk, chief judge of the 22nd Circuit Court, said arrests at the courthouse "
            "would stop.",
            "Aaron Fisk",
            "Chief Judge",
            "22nd Circuit Court",
        ),
        (
            "The Birch County Sheriff's Office honors detainers. Jo Tran, a U.S. Immigration "
            "and Customs Enforcement spokesperson, said the agency would keep working with the "
            "jail.",
            "Jo Tran",
            "Spokesperson",
            "U.S. Immigration and Customs Enforcement",
        ),
        (
            "Col. Eric Dunn, commander of the Missouri State Highway Patrol, said troopers "
            "would help.",
            "Eric Dunn",
            "Commander",
            "Missouri State Highway Patrol",
        ),
        (
            "Board Vice Chair Ellen Park said the Ames County Board of Supervisors would take "
            "up the measure.",
            "Ellen Park",
            "Board Vice Chair",
            "Ames County",
        ),
    ],
)
def test_more_organisation_and_title_forms(
    nlp: Language, text: str, name: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, name) == (title, agency)


def test_a_modifier_opens_a_longer_title_after_it(nlp: Language) -> None:
    text = (
        "Ben Stokes, assistant communications director for the Harbor City Police Department, "
        "said officers were not involved."
    )
    assert _one(nlp, text, "Ben Stokes") == (
        "Assistant Communications Director",
        "Harbor City Police Department",
    )


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        (
            "Ben Stokes, a spokesman for Attorney General Mia Ross, said the Ohio Attorney "
            "General's Office was reviewing the case.",
            "Ohio Attorney General's Office",
        ),
        (
            "Ben Stokes, a spokesman for Sheriff Dale Rusk, said the Ames County Sheriff's "
            "Office would keep its contract.",
            "Ames County Sheriff's Office",
        ),
    ],
)
def test_spokesman_for_an_official_speaks_for_the_officials_office(
    nlp: Language, text: str, agency: str
) -> None:
    assert _one(nlp, text, "Ben Stokes")[1] == agency


@pytest.mark.parametrize(
    ("text", "name", "agency"),
    [
        (
            "The Harbor Interfaith Council for Refugee Families held a vigil outside the Birch "
            "County jail. Imam Khalid Noor, board chair of the council, said members would keep "
            "coming.",
            "Khalid Noor",
            "Harbor Interfaith Council for Refugee Families",
        ),
        (
            "The Dover City Council met Tuesday. Ruth Ames, chair of the council, said the City "
            "of Dover would hold a hearing.",
            "Ruth Ames",
            "City of Dover",
        ),
        (
            "Mayor Jon Kerr said the city would not help. \u201cNo officer will help,\u201d said "
            "Tina Gray, a spokesperson for the mayor. The Elmwood Police Department patrols the "
            "City of Elmwood.",
            "Tina Gray",
            "City of Elmwood",
        ),
    ],
)
def test_the_council_or_the_mayor_named_before(
    nlp: Language, text: str, name: str, agency: str
) -> None:
    assert _one(nlp, text, name)[1] == agency


_JAIL = "The Tolland County Sheriff's Office runs the jail. "


@pytest.mark.parametrize(
    "text",
    [
        _JAIL + "ICE issued 30 detainers last year, according to Maria Lopez, a spokeswoman "
        "for the agency.",
        _JAIL + "ICE issued 30 detainers last year. An agency spokeswoman, Maria Lopez, said "
        "the numbers were right.",
        _JAIL + "ICE's Maria Lopez, a public affairs officer, said the numbers were right.",
        _JAIL + "\u201cWe do our job,\u201d said ICE spokeswoman Maria Lopez.",
    ],
)
def test_federal_spokesperson_is_not_the_local_agencys(nlp: Language, text: str) -> None:
    assert _one(nlp, text, "Maria Lopez")[1] == "U.S. Immigration and Customs Enforcement"


def test_a_states_department_of_justice_is_not_the_federal_one(nlp: Language) -> None:
    text = (
        _JAIL + "Deputy Attorney General Kim Vo of the California Department of Justice said "
        "the jail broke state law."
    )
    assert _one(nlp, text, "Kim Vo") == (
        "Deputy Attorney General",
        "California Department of Justice",
    )


def test_spokeswoman_for_an_official_is_not_the_storys_agency(nlp: Language) -> None:
    text = (
        _JAIL + "Kim Vo, a spokeswoman for Attorney General Rob Bonta, said the office was "
        "reviewing the case."
    )
    assert _one(nlp, text, "Kim Vo") == ("Spokeswoman", "")


def test_role_clause_over_a_unit_of_the_sheriffs_office(nlp: Language) -> None:
    text = (
        "Capt. Lou Park, who heads the sheriff's patrol division, said deputies would help. The "
        "Tolland County Sheriff's Office has 40 deputies and the Granby Police Department 12."
    )
    assert _one(nlp, text, "Lou Park") == ("Head", "Tolland County Sheriff's Office")


@pytest.mark.parametrize(
    ("text", "title", "agency"),
    [
        (
            "Mara Quill, Director of Communications and Outreach for the Granite Valley "
            "Immigrant Alliance, said the group would sue.",
            "Director of Communications and Outreach",
            "Granite Valley Immigrant Alliance",
        ),
        (
            "Mara Quill, director of communications at the Tolland County Sheriff's Office, "
            "said the jail would comply.",
            "Director of Communications",
            "Tolland County Sheriff's Office",
        ),
        (
            "\u201cIt is a betrayal,\u201d said Mara Quill, the coalition's director of "
            "organizing. The Granite Valley Immigrant Coalition has 40 member groups.",
            "Director of Organizing",
            "Granite Valley Immigrant Coalition",
        ),
    ],
)
def test_director_of_a_department_keeps_the_department_in_the_title(
    nlp: Language, text: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, "Mara Quill") == (title, agency)


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        (
            "Washtenaw County Circuit Court Chief Judge Aaron Fisk said arrests at the courthouse "
            "would stop.",
            "Washtenaw County Circuit Court",
        ),
        (
            "\u201cWe will not allow it,\u201d said 22nd Circuit Court Chief Judge Aaron Fisk.",
            "22nd Circuit Court",
        ),
    ],
)
def test_court_written_before_a_judges_title(nlp: Language, text: str, agency: str) -> None:
    assert _one(nlp, text, "Aaron Fisk") == ("Chief Judge", agency)


@pytest.mark.parametrize(
    ("text", "name", "title", "agency"),
    [
        (
            "The Cook County Board President, Toni Reyes, said the county would not help ICE.",
            "Toni Reyes",
            "Board President",
            "Cook County",
        ),
        (
            "The Harbor City Police Chief, Dana Ruiz, said officers would not help ICE.",
            "Dana Ruiz",
            "Police Chief",
            "Harbor City Police Department",
        ),
    ],
)
def test_capitalised_title_after_the_and_a_place_before_a_comma(
    nlp: Language, text: str, name: str, title: str, agency: str
) -> None:
    assert _one(nlp, text, name) == (title, agency)
