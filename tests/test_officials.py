"""Officials: titles before or after names, agencies from titles, surname merging."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies
from extractor.officials import extract_officials, titles


def _officials(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [
        (o.name, o.title, o.agency) for o in extract_officials(doc, agencies=extract_agencies(doc))
    ]


def test_title_vocabulary_is_loaded_longest_first() -> None:
    vocabulary = titles()
    assert ("police", "chief") in vocabulary
    assert len(vocabulary[0]) >= len(vocabulary[-1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Omaha Police Chief Todd Schmaderer said the city would not change course.",
            ("Todd Schmaderer", "Police Chief", "Omaha Police Department"),
        ),
        (
            "Hennepin County Sheriff Dawanna Witt spoke on Monday.",
            ("Dawanna Witt", "Sheriff", "Hennepin County Sheriff's Office"),
        ),
        (
            "St. Paul Mayor Melvin Carter affirmed the policy.",
            ("Melvin Carter", "Mayor", "City of St. Paul"),
        ),
        (
            "“We will not help,” said Kerri Talbot, Co-Executive Director of the Immigration Hub.",
            ("Kerri Talbot", "Co-Executive Director", "Immigration Hub"),
        ),
        (
            "Sheriff Kevin McMahill of the Las Vegas Metropolitan Police Department spoke.",
            ("Kevin McMahill", "Sheriff", "Las Vegas Metropolitan Police Department"),
        ),
        ("President Trump signed the order.", ("Trump", "President", "")),
    ],
)
def test_title_and_agency(nlp: Language, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _officials(nlp, text)


def test_surname_mention_merges_into_full_name(nlp: Language) -> None:
    text = "Sheriff Kevin McMahill spoke first. Later, Sheriff McMahill repeated the point."
    found = _officials(nlp, text)
    assert [name for name, _, _ in found] == ["Kevin McMahill"]


def test_untitled_person_is_not_an_official(nlp: Language) -> None:
    assert _officials(nlp, "Maria Lopez, who lives nearby, attended the meeting.") == []


def test_headline_only_name_is_not_trusted(nlp: Language) -> None:
    text = "Mayor Nguyen Signs Executive Order\n\nMayor Patricia Nguyen on Monday signed an order."
    assert [name for name, _, _ in _officials(nlp, text)] == ["Patricia Nguyen"]


def test_title_kind_gives_the_only_agency_of_that_type(nlp: Language) -> None:
    text = (
        "The Bayview County Sheriff's Office released its policy.\n\n"
        "Undersheriff Karen Holt said deputies will keep notifying ICE about violent felonies."
    )
    assert ("Karen Holt", "Undersheriff", "Bayview County Sheriff's Office") in _officials(
        nlp, text
    )


def test_title_kind_does_not_reach_into_another_sentence_when_ambiguous(nlp: Language) -> None:
    text = (
        "The Johnson County Sheriff's Office is reviewing its policy. The Marquette County Sheriff's Office "
        "notifies ICE.\n\nSheriff Brian Mueller signed a 287(g) agreement."
    )
    assert ("Brian Mueller", "Sheriff", "") in _officials(nlp, text)


def test_a_place_opening_the_sentence_gives_the_title_its_agency(nlp: Language) -> None:
    text = (
        "The Johnson County Sheriff's Office is reviewing its policy. The Marquette County Sheriff's Office "
        "notifies ICE.\n\nIn Cass County, Sheriff Brian Mueller signed a 287(g) agreement."
    )
    assert ("Brian Mueller", "Sheriff", "Cass County Sheriff's Office") in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Brenton County Commission met. Commission Chair Linda Park said the county needs answers.",
            ("Linda Park", "Commission Chair", "Brenton County"),
        ),
        (
            "The City of Granite Falls will vote. Council President Andrea Lutz said the draft is not done.",
            ("Andrea Lutz", "Council President", "City of Granite Falls"),
        ),
    ],
)
def test_compound_titles_and_their_agency_kind(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The Bayview County Sheriff's Office set a policy. Media inquiries may be directed "
            "to Public Information Officer Lt. Dana Kowalski.",
            ("Dana Kowalski", "Public Information Officer", "Bayview County Sheriff's Office"),
            id="office-before-rank",
        ),
        pytest.param(
            "The Hartsell County Sheriff's Office runs the jail. Jail Administrator Capt. Renée "
            "Dubois said detainees will move.",
            ("Renée Dubois", "Jail Administrator", "Hartsell County Sheriff's Office"),
            id="office-before-captain",
        ),
        pytest.param(
            "The Bayview County Board of Commissioners met. Board Chair Evelyn Carter said the "
            "board will decide in April.",
            ("Evelyn Carter", "Board Chair", "Bayview County"),
            id="two-word-title-split-by-the-tagger",
        ),
        pytest.param(
            "The Clark County Sheriff's Office released data. Assistant Sheriff Ray Dominguez "
            "explained the reasoning.",
            ("Ray Dominguez", "Assistant Sheriff", "Clark County Sheriff's Office"),
            id="modifier-joins-the-title",
        ),
        pytest.param(
            "LVMPD released its policy. Undersheriff Andrea Solís said the department will not "
            "ask about status.",
            ("Andrea Solís", "Undersheriff", "Las Vegas Metropolitan Police Department"),
            id="police-department-led-by-a-sheriff",
        ),
        pytest.param(
            "The Dane County Sheriff's Office will not hold people for ICE. The Dane County "
            "Sheriff's Office said so again. Spokesperson Ellen Marquardt confirmed it.",
            ("Ellen Marquardt", "Spokesperson", "Dane County Sheriff's Office"),
            id="spokesperson-speaks-for-the-main-agency",
        ),
    ],
)
def test_offices_ranks_and_modifiers(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


def test_chief_inside_a_compound_is_no_title(nlp: Language) -> None:
    text = "Wikileaks editor-in-chief Kristinn Hrafnsson said the case was political."
    assert [o for o in _officials(nlp, text) if o[1] == "Chief"] == []


def test_title_kind_ignores_modifiers() -> None:
    from extractor.officials import title_kind

    assert title_kind("Acting Sheriff") == "sheriff"
    assert title_kind("Interim Police Chief") == "police"
    assert title_kind("Acting Janitor") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Kings River County Sheriff Harlan Estrada said his deputies were not involved.",
            ("Harlan Estrada", "Sheriff", "Kings River County Sheriff's Office"),
            id="name-after-a-title-tagged-org",
        ),
        pytest.param(
            "Rita Gonsalves, chair of the Kings River County Board of Supervisors, said she "
            "would ask for a hotline.",
            ("Rita Gonsalves", "Chair", "Kings River County"),
            id="untagged-name-before-an-apposition",
        ),
        pytest.param(
            "Media Contact: Sgt. Dana Oyler, Public Information Officer, 801-555-0125",
            ("Dana Oyler", "Public Information Officer", ""),
            id="office-after-a-rank",
        ),
        pytest.param(
            "The city named Police Chief Eric Montaño-Reyes in May.",
            ("Eric Montaño-Reyes", "Police Chief", ""),
            id="hyphenated-surname",
        ),
        pytest.param(
            "Gov. Eleanor Pratt said state police will not be conscripted.",
            ("Eleanor Pratt", "Gov.", ""),
            id="abbreviated-governor",
        ),
    ],
)
def test_names_the_model_misses_or_cuts(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


def test_a_governor_is_not_the_state_police(nlp: Language) -> None:
    text = (
        "The Massachusetts State Police will not join raids, Gov. Eleanor Pratt said, and the "
        "Massachusetts State Police confirmed it."
    )
    assert ("Eleanor Pratt", "Gov.", "") in _officials(nlp, text)


def test_title_kind_prefers_the_agency_the_story_is_about(nlp: Language) -> None:
    text = (
        "The Ramsey County Board voted Tuesday. Ramsey County will stop sharing data with ICE, "
        "and Ramsey County staff will be trained. Washington County did not vote.\n\n"
        "Commissioner Kou Yang said the policy protects residents."
    )
    assert ("Kou Yang", "Commissioner", "Ramsey County") in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Media contacts: Ellen Marquardt, Public Information Officer, Dane County Sheriff's "
            "Office, (608) 555-0102",
            ("Ellen Marquardt", "Public Information Officer", "Dane County Sheriff's Office"),
            id="contact-line-agency-field",
        ),
        pytest.param(
            "\u201cThese agreements are force multipliers,\u201d said ICE Miami Field Office "
            "Director Dolores Grafton.",
            (
                "Dolores Grafton",
                "Field Office Director",
                "U.S. Immigration and Customs Enforcement",
            ),
            id="agency-opens-the-capitalised-run",
        ),
        pytest.param(
            "A Washington State Patrol spokesperson, Trooper Kayla Brandt, said troopers do not "
            "enforce civil immigration law.",
            ("Kayla Brandt", "Spokesperson", "Washington State Patrol"),
            id="office-before-a-comma-and-rank",
        ),
        pytest.param(
            "LVMPD will not help. Mike Tran, Henderson's police chief, said his department has "
            "no plans to participate.",
            ("Mike Tran", "Police Chief", "Henderson Police Department"),
            id="possessive-place-in-an-apposition",
        ),
    ],
)
def test_agency_from_the_title_context(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


def test_a_name_ends_at_its_possessive(nlp: Language) -> None:
    text = "Founder Jeff Bezos’s Blue Origin won the contract."
    assert [o[0] for o in _officials(nlp, text)] == ["Jeff Bezos"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an apposition title after plain words; the owner noun is no part of the title
        (
            "Troopers were not involved, said Lt. Mara Kelso, a patrol spokeswoman for the "
            "Nevada Highway Patrol.",
            ("Mara Kelso", "Spokeswoman", "Nevada Highway Patrol"),
        ),
        (
            "“We asked twice,” said Jon Ferris, the senator’s legislative director.",
            ("Jon Ferris", "Legislative Director", ""),
        ),
        # a director takes the one agency of their sentence
        (
            "The Lorain County Department of Corrections will hold inmates for ICE, Director "
            "Paul Voss said.",
            ("Paul Voss", "Director", "Lorain County Department of Corrections"),
        ),
        # a marshal heads a marshal's office
        (
            "Marshal Ines Duarte said the Willow Bend Marshal's Office would not help ICE.",
            ("Ines Duarte", "Marshal", "Willow Bend Marshal's Office"),
        ),
        # a commissioner in the section about one county is that county's
        (
            "Pike County\n\nThe Pike County board voted on Tuesday. The Pike County jail has "
            "120 beds.\n\nCommissioner Rhea Galt said the vote was close.",
            ("Rhea Galt", "Commissioner", "Pike County"),
        ),
    ],
)
def test_title_and_agency_from_context(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a rank with no agency near serves the story's one police force
        (
            "The Spokane Police Department will no longer share booking data with ICE.\n\n"
            "“This is about trust,” Chief Craig Meidl said. Capt. Dan Ruiz, who oversees "
            "records, said the change takes effect next month.",
            ("Dan Ruiz", "Capt.", "Spokane Police Department"),
        ),
        # a command rank police and sheriffs share, in a story about one sheriff's office
        (
            "A spokesperson for the Kane County Sheriff's Office said the office does not honor "
            "detainers. Deputy Chief Patrick Gengler said the jail follows the TRUST Act.",
            ("Patrick Gengler", "Deputy Chief", "Kane County Sheriff's Office"),
        ),
        # a police chief in a story about one town, whose force the text never names
        (
            "The Town of Millbrook Select Board met on Monday.\n\nPolice Chief Ann Torres said "
            "officers will not ask about immigration status.",
            ("Ann Torres", "Police Chief", "Millbrook Police Department"),
        ),
        # a county commissioner named with the county: the title drops the place ("Boone
        # County"), the agency is the county
        (
            "Boone County Commissioner Kay Ellis said the jail should not hold people for ICE.",
            ("Kay Ellis", "Commissioner", "Boone County"),
        ),
    ],
)
def test_agency_from_the_story(nlp: Language, text: str, expected: tuple[str, str, str]) -> None:
    assert expected in _officials(nlp, text)


def test_a_communications_contact_speaks_for_the_releases_agency(nlp: Language) -> None:
    text = (
        "The Dakota County Board approved the jail contract on Tuesday. The county will keep "
        "its policy.\n\nMedia contact: Lena Ortiz, Communications Manager, 651-555-0100"
    )
    assert ("Lena Ortiz", "Communications Manager", "Dakota County") in _officials(nlp, text)


def test_a_rank_in_a_story_about_two_forces_takes_neither(nlp: Language) -> None:
    text = (
        "The Salem Police Department and the Keizer Police Department met.\n\n"
        "Sgt. Dana Price said the meeting went well."
    )
    assert ("Dana Price", "Sgt.", "") in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Legislator Dana Whitcombe said the county would not sign the agreement.",
            ("Dana Whitcombe", "Legislator", ""),
        ),
        ("Freeholder Ruth Ingram spoke against the plan.", ("Ruth Ingram", "Freeholder", "")),
        ("Delegate Hank Pruett disagreed with the bill.", ("Hank Pruett", "Delegate", "")),
        ("Public Defender Oscar Lund objected.", ("Oscar Lund", "Public Defender", "")),
        (
            "Det. Lyle Ocampo of the Ellery County Sheriff's Office declined to comment.",
            ("Lyle Ocampo", "Det.", "Ellery County Sheriff's Office"),
        ),
        (
            "Cmdr. Ilse Varga of the Dorval Police Department spoke.",
            ("Ilse Varga", "Cmdr.", "Dorval Police Department"),
        ),
    ],
)
def test_titles_beyond_police_and_sheriff(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "ICE's Phoenix field office director, Marisol Quintero, said agents would continue.",
            (
                "Marisol Quintero",
                "Field Office Director",
                "U.S. Immigration and Customs Enforcement",
            ),
        ),
        (
            "The Lyle County Jail holds people for ICE. The county's jail administrator, "
            "Terrence Obuya, said so on Friday.",
            ("Terrence Obuya", "Jail Administrator", "Lyle County Sheriff's Office"),
        ),
        (
            "Dozens of members of the Harbor Workers Alliance came to the meeting. The group's "
            "spokesperson, Irene Castell, said they would return.",
            ("Irene Castell", "Spokesperson", "Harbor Workers Alliance"),
        ),
    ],
)
def test_title_set_off_before_the_name(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


def test_rank_after_an_office_and_comma_is_no_name(nlp: Language) -> None:
    text = "A patrol spokesman, Sgt. Hollis Ray Dunmore, confirmed the operation."
    assert [name for name, _, _ in _officials(nlp, text)] == ["Hollis Ray Dunmore"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Border Rights Network sued the county on Monday. Lucia Ferrante, the network's "
            "policy director, said the lawsuit would proceed.",
            ("Lucia Ferrante", "Policy Director", "Border Rights Network"),
        ),
        (
            "Marcus Bell, who leads the Tamarind County Sheriff's Office, said deputies would "
            "not join raids.",
            ("Marcus Bell", "Head", "Tamarind County Sheriff's Office"),
        ),
        (
            "The Kessling Police Department will not join raids. Nadia Ross, the city's police "
            "chief, said so on Monday.",
            ("Nadia Ross", "Police Chief", "Kessling Police Department"),
        ),
    ],
)
def test_organisation_and_role_clause(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Lena Morrow, Cedar Falls's interim police chief, said officers would not join raids.",
            ("Lena Morrow", "Interim Police Chief", "Cedar Falls Police Department"),
        ),
        (
            'Police Chief Tomas "Tommy" Arriaga said officers would call ICE only for felonies.',
            ("Tomas Arriaga", "Police Chief", ""),
        ),
    ],
)
def test_multiword_place_owner_and_nickname(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Prairie Immigrant Defense Coalition released a report on Monday about "
            "detentions in three counties, with interviews of 40 families and a review of "
            "jail records. "
            '"Sheriffs have a choice," said Omar Beale, the coalition’s executive director.',
            ("Omar Beale", "Executive Director", "Prairie Immigrant Defense Coalition"),
        ),
        (
            "The Nevada Highway Patrol joined the task force in May. Col. Ruth Amsel, the "
            "patrol's chief, said troopers would focus on smuggling.",
            ("Ruth Amsel", "Chief", "Nevada Highway Patrol"),
        ),
    ],
)
def test_possessive_owner_named_by_its_noun(
    nlp: Language, text: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _officials(nlp, text)


def test_spokesman_for_the_office_far_from_its_name(nlp: Language) -> None:
    text = (
        "Creek Bend County Sheriff Paul Macomb said his office would keep honoring detainers. "
        "The commission met for three hours. Residents spoke for and against the plan. "
        "Several asked about costs. Others asked about the jail. The vote came late. "
        "Lt. Sam Duggins, a spokesman for the sheriff's office, declined to comment."
    )
    assert ("Sam Duggins", "Spokesman", "Creek Bend County Sheriff's Office") in _officials(
        nlp, text
    )


@pytest.mark.parametrize(
    "text",
    [
        "The Yarrow County Sheriff's Office and the Pinecrest Police Department both attended. "
        "Pinecrest police spokesperson Jill Amato said officers would not take part.",
        "The Yarrow County Sheriff's Office and the Pinecrest Police Department both attended. "
        "Jill Amato, spokesperson for the Pinecrest police, said officers would not take part.",
    ],
)
def test_spokesperson_of_a_place_police(nlp: Language, text: str) -> None:
    assert ("Jill Amato", "Spokesperson", "Pinecrest Police Department") in _officials(nlp, text)
