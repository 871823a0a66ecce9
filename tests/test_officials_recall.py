"""Officials the first rules missed: long titles, member-of and role clauses, cut names."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies
from extractor.officials import extract_officials
from extractor.parse import parse_html


def _officials(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [
        (o.name, o.title, o.agency) for o in extract_officials(doc, agencies=extract_agencies(doc))
    ]


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Assistant Attorney General for Consumer Protection Lena Haruki opened an inquiry.",
            "Lena Haruki",
            "Assistant Attorney General for Consumer Protection",
        ),
        (
            "Deputy Secretary of Labor for Enforcement Jonas Kell testified on Wednesday.",
            "Jonas Kell",
            "Deputy Secretary of Labor for Enforcement",
        ),
    ],
)
def test_long_title_with_for_or_of_before_a_name(
    nlp: Language, text: str, name: str, title: str
) -> None:
    assert [(n, t) for n, t, _ in _officials(nlp, text)] == [(name, title)]


def test_long_title_takes_its_agency_from_the_capitalised_run_before_it(nlp: Language) -> None:
    text = (
        "DHS Assistant Secretary for Public Affairs Rowan Achterberg said the agency "
        "would keep making arrests."
    )
    assert _officials(nlp, text) == [
        (
            "Rowan Achterberg",
            "Assistant Secretary for Public Affairs",
            "U.S. Department of Homeland Security",
        )
    ]


def test_apposition_title_of_an_organisation_is_not_read_as_a_name(nlp: Language) -> None:
    text = (
        "“Nobody feels safe,” said Mara Oyelaran, Executive Director of the Lakeshore "
        "Refugee Network. The network runs a hotline."
    )
    found = _officials(nlp, text)
    assert [name for name, _, _ in found] == ["Mara Oyelaran"]


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Commonwealth's Attorney Bradley Stroud said he would not seek charges.",
            "Bradley Stroud",
            "Commonwealth's Attorney",
        ),
        ("U.S. Attorney Imelda Farrow announced the indictment.", "Imelda Farrow", "U.S. Attorney"),
        (
            "Chief Patrol Agent Dorian Vance said apprehensions fell in March.",
            "Dorian Vance",
            "Chief Patrol Agent",
        ),
        (
            "Regional Administrator Celia Marsh toured the flooded streets.",
            "Celia Marsh",
            "Regional Administrator",
        ),
        (
            "The county's emergency manager, Pieter Olsson, said two shelters were open.",
            "Pieter Olsson",
            "Emergency Manager",
        ),
    ],
)
def test_new_vocabulary_titles(nlp: Language, text: str, name: str, title: str) -> None:
    assert (name, title) in [(n, t) for n, t, _ in _officials(nlp, text)]


def test_member_of_a_public_body_is_an_official_of_its_county(nlp: Language) -> None:
    text = (
        "The Yuma County Board of Supervisors met on Tuesday. Tobias Renn, a member of the "
        "county board of supervisors, voted against the jail contract."
    )
    assert (
        "Tobias Renn",
        "Member of the County Board of Supervisors",
        "Yuma County",
    ) in _officials(nlp, text)


def test_chairman_of_the_board_speaks_for_the_story_county(nlp: Language) -> None:
    text = (
        "The Coconino County Board of Supervisors voted 3-2 on the contract. "
        "Wes Pardoe, chairman of the board, cast the deciding vote."
    )
    assert ("Wes Pardoe", "Chairman", "Coconino County") in _officials(nlp, text)


def test_role_clause_over_a_public_body_in_lower_case(nlp: Language) -> None:
    text = "Fenna Dalgaard, who chairs the county board, said the vote was close."
    assert [(n, t) for n, t, _ in _officials(nlp, text)] == [("Fenna Dalgaard", "Chair")]


def test_role_clause_over_an_advocacy_group_is_no_title(nlp: Language) -> None:
    text = "Ilse Moreau, who runs the Valley Tenant Support Center, said families were afraid."
    assert _officials(nlp, text) == []


def test_given_name_the_tagger_left_out_belongs_to_the_name(nlp: Language) -> None:
    text = "Hector Ruelas, the district attorney, said he would not file charges."
    assert [(n, t) for n, t, _ in _officials(nlp, text)] == [("Hector Ruelas", "District Attorney")]


def test_rank_abbreviation_tagged_alone_is_no_person(nlp: Language) -> None:
    text = "Sheriff's spokesman Sgt. Luis Obregon said the inmate was released on Friday."
    assert [name for name, _, _ in _officials(nlp, text)] == ["Luis Obregon"]


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Odile Marchand, the Warren County sheriff, said deputies would not join the raids.",
            "Odile Marchand",
            "sheriff",
        ),
        (
            "Rufus Penning, the teachers union's president, said members were worried.",
            "Rufus Penning",
            "President",
        ),
        (
            "Gia Verhoeven, the acting field office director for ICE in Omaha, said arrests rose.",
            "Gia Verhoeven",
            "acting field office director",
        ),
        (
            "A spokeswoman for the sheriff, Lt. Noemi Castell, said no deputy was hurt.",
            "Noemi Castell",
            "spokeswoman",
        ),
        ("Town Councilor Abel Kessing said the town would not cooperate.", "Abel Kessing", ""),
        ("Selma Dorn, a city councilor, said the city would not cooperate.", "Selma Dorn", ""),
    ],
)
def test_apposition_and_rank_forms(nlp: Language, text: str, name: str, title: str) -> None:
    found = {n: t for n, t, _ in _officials(nlp, text)}
    assert name in found
    if title:
        assert found[name].lower() == title.lower()


def test_state_police_superintendent_keeps_the_capitalised_name_out_of_the_title(
    nlp: Language,
) -> None:
    text = (
        "The Vermont State Police will keep notifying ICE, Col. Ada Brightwater, the State "
        "Police superintendent, told lawmakers."
    )
    found = {n: (t, a) for n, t, a in _officials(nlp, text)}
    assert found["Ada Brightwater"] == ("Superintendent", "Vermont State Police")


def test_plural_title_before_a_list_of_names(nlp: Language) -> None:
    text = "Commissioners Ruth Okonkwo and Bram Halvey voted against the jail contract."
    assert [(n, t) for n, t, _ in _officials(nlp, text)] == [
        ("Ruth Okonkwo", "Commissioner"),
        ("Bram Halvey", "Commissioner"),
    ]


def test_plural_rank_is_not_a_title_for_a_list(nlp: Language) -> None:
    text = "Officers Ruth Okonkwo and Bram Halvey were praised for their work."
    assert [n for n, t, _ in _officials(nlp, text) if t == "Officer"] == []


def test_title_taken_up_in_a_clause_after_the_name(nlp: Language) -> None:
    text = (
        "Wren Castellano was sworn in as sheriff of Lark County in January. Castellano said "
        "the Lark County Sheriff's Office would not join the raids."
    )
    assert _officials(nlp, text) == [("Wren Castellano", "Sheriff", "Lark County Sheriff's Office")]


def test_who_became_chief(nlp: Language) -> None:
    text = (
        "Officers of the Ferndale Police Department attended. Tobiah Ngata, who became chief "
        "in 2021, said the policy would stay."
    )
    assert ("Tobiah Ngata", "Chief", "Ferndale Police Department") in _officials(nlp, text)


def test_contact_block_first_paragraph_is_not_a_headline(nlp: Language) -> None:
    text = (
        "Media Contact:\nSgt. Imre Vasko\nGlenwood Police Department\n(555) 300-2000\n\n"
        "Glenwood police will not join federal sweeps\n\n"
        "Chief Ola Brandvold said Glenwood officers will not take part."
    )
    names = [n for n, _, _ in _officials(nlp, text)]
    assert names == ["Imre Vasko", "Ola Brandvold"]


def test_title_case_headline_name_is_still_not_trusted(nlp: Language) -> None:
    text = "Mayor Quill Signs Order On Police\n\nThe council met on Monday to debate the order."
    assert _officials(nlp, text) == []


def test_department_before_for_is_not_the_organisation(nlp: Language) -> None:
    text = "Tamsin Vold, Senior Vice President of Sales for Brightwell, said orders rose."
    assert _officials(nlp, text) == [("Tamsin Vold", "Senior Vice President", "Brightwell")]


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        (
            "Oren Tallis — the county's sheriff — told reporters the jail was full.",
            "Oren Tallis",
            "sheriff",
        ),
        (
            "Oren Tallis (the county sheriff) told reporters the jail was full.",
            "Oren Tallis",
            "sheriff",
        ),
        ("Oren Tallis, 61, the sheriff of Pike County, told reporters.", "Oren Tallis", "sheriff"),
        (
            "“We follow state law,” said Oren Tallis, who is the city's public safety director.",
            "Oren Tallis",
            "public safety director",
        ),
        ("Oren Tallis is the sheriff of Pike County.", "Oren Tallis", "sheriff"),
        (
            "Oren Tallis, head of the ICE field office in Omaha, said arrests rose.",
            "Oren Tallis",
            "head",
        ),
        (
            "Oren Tallis, Region 8 administrator for FEMA, said crews were on the way.",
            "Oren Tallis",
            "administrator",
        ),
        (
            "Sheriff-elect Oren Tallis said he would end the agreement.",
            "Oren Tallis",
            "Sheriff-elect",
        ),
        (
            "Senate President Pro Tem Oren Tallis scheduled the vote.",
            "Oren Tallis",
            "Senate President Pro Tem",
        ),
        (
            "Oren Tallis, who was elected sheriff in 2022, said the county would comply.",
            "Oren Tallis",
            "sheriff",
        ),
    ],
)
def test_clause_dash_and_bracket_titles(nlp: Language, text: str, name: str, title: str) -> None:
    found = {n: t for n, t, _ in _officials(nlp, text)}
    assert name in found
    assert found[name].lower() == title.lower()


def test_role_clause_over_a_named_committee(nlp: Language) -> None:
    text = "Nell Ostrander, who chairs the Senate Finance Committee, said the bill would pass."
    assert _officials(nlp, text) == [("Nell Ostrander", "Chair", "Senate Finance Committee")]


def test_plural_title_before_a_comma_list(nlp: Language) -> None:
    text = "Councilmembers Ivo Brandt, Lea Sorensen and Mads Kjaer voted against the ordinance."
    assert [(n, t) for n, t, _ in _officials(nlp, text)] == [
        ("Ivo Brandt", "Councilmember"),
        ("Lea Sorensen", "Councilmember"),
        ("Mads Kjaer", "Councilmember"),
    ]


def test_one_word_before_a_comma_is_no_list_of_names(nlp: Language) -> None:
    text = "Mourners recalled former House of Representatives Speaker , Tunde Bello , on Tuesday."
    assert all(t != "Representative" for _, t, _ in _officials(nlp, text))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Chief Óscar Ibáñez Ruiz said officers would not ask about status.", "Óscar Ibáñez Ruiz"),
        ("Sheriff Lucía Ángeles said deputies would not ask about status.", "Lucía Ángeles"),
        ("Sheriff Tomas de la Vega said deputies would not ask about status.", "Tomas de la Vega"),
    ],
)
def test_names_with_accented_capitals_and_particles(nlp: Language, text: str, name: str) -> None:
    assert name in [n for n, _, _ in _officials(nlp, text)]


def test_a_persons_possessive_gives_no_title_but_staff(nlp: Language) -> None:
    text = (
        "Pell Norquist, Haverty's supervisor, signed the memo. Ines Valdo, Mayor Kurt "
        "Haverty's spokeswoman, confirmed it."
    )
    found = {n: t for n, t, _ in _officials(nlp, text)}
    assert "Pell Norquist" not in found
    assert found["Ines Valdo"] == "Spokeswoman"


def test_release_contact_line_outside_the_body_is_kept(tmp_path: Path) -> None:
    html = (
        "<html><body><main><div class='release-meta'><p>FOR IMMEDIATE RELEASE</p>"
        "<p>Media Contact: Lt. Orla Brennan, Public Information Officer, 555-0142</p></div>"
        "<article><h1>Eastfield police will not join federal sweeps</h1>"
        + "".join(
            f"<p>The Eastfield Police Department will not take part in civil immigration "
            f"sweeps, the department said in statement number {i}, adding that officers "
            f"will keep focusing on crime and traffic safety across the city.</p>"
            for i in range(4)
        )
        + "</article></main></body></html>"
    )
    page = parse_html(html, source=str(tmp_path / "release.html"))
    assert page.paragraphs[-1].startswith("Media Contact: Lt. Orla Brennan")


@pytest.mark.parametrize(
    ("text", "title", "agency"),
    [
        (
            "Alain Thibodaux, the parish chief of detention, said the jail was full.",
            "Chief of Detention",
            "",
        ),
        (
            "Corin Vale, deputy administrator for resilience, testified before the panel.",
            "Deputy Administrator for Resilience",
            "",
        ),
        (
            "Rhea Montero, director of refugee services at Lutheran Family Aid, said families "
            "were afraid.",
            "Director of Refugee Services",
            "Lutheran Family Aid",
        ),
        (
            "Tobin Reyes, spokesman for the department, said no officer was involved.",
            "Spokesman",
            "",
        ),
    ],
)
def test_lower_case_of_or_for_phrase_completes_an_apposition_title(
    nlp: Language, text: str, title: str, agency: str
) -> None:
    found = _officials(nlp, text)
    assert len(found) == 1
    assert found[0][1:] == (title, agency)


@pytest.mark.parametrize(
    ("text", "name", "title"),
    [
        ("Ambassador Lorna Whitby met the delegation.", "Lorna Whitby", "Ambassador"),
        ("Interior Minister Karl Brenner signed the decree.", "Karl Brenner", "Interior Minister"),
        (
            "Rowena Pike has been sheriff since 2016, and she said the jail would comply.",
            "Rowena Pike",
            "Sheriff",
        ),
        (
            "Rowena Pike, elected sheriff in 2018, said the jail would comply.",
            "Rowena Pike",
            "Sheriff",
        ),
        (
            "“Sales held up,” Dara Quint, Kellers' executive director of research, said.",
            "Dara Quint",
            "Executive Director of Research",
        ),
    ],
)
def test_more_titles_and_clause_forms(nlp: Language, text: str, name: str, title: str) -> None:
    assert (name, title) in [(n, t) for n, t, _ in _officials(nlp, text)]


def test_has_been_without_a_title_is_no_official(nlp: Language) -> None:
    assert _officials(nlp, "Rowena Pike has been a critic of the program for years.") == []


@pytest.mark.parametrize(
    "text",
    [
        "FEMA Administrator Odessa Brandt toured the flooded town.",
        "Odessa Brandt, a FEMA spokeswoman, said trailers were on the way.",
    ],
)
def test_acronym_before_a_title_names_an_unlisted_agency(nlp: Language, text: str) -> None:
    assert [(n, a) for n, _, a in _officials(nlp, text)] == [("Odessa Brandt", "FEMA")]


def test_contact_line_first_paragraph_of_a_plain_text_release_is_no_headline(
    nlp: Language,
) -> None:
    text = (
        "Media Contact: Sgt. Imre Vasko, Glenwood Police Department, (555) 300-2000\n\n"
        "The Glenwood Police Department will not join federal sweeps, Chief Ola Brandvold said."
    )
    assert [n for n, _, _ in _officials(nlp, text)] == ["Imre Vasko", "Ola Brandvold"]


def test_party_acronym_before_a_title_is_no_agency(nlp: Language) -> None:
    text = "GOP Gov. Harlan Pruett signed the bill on Friday."
    assert _officials(nlp, text) == [("Harlan Pruett", "Gov.", "")]
