"""Speaker attribution over whole paragraphs, with the real agency and official extractors.

Each case names the error class it guards: pronouns in a back-and-forth, gender learnt
only from unambiguous evidence, attribution forms, quotes continued over paragraphs.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies
from extractor.config import Settings
from extractor.mentions import Agency, Official
from extractor.nlp import load_nlp
from extractor.officials import extract_officials
from extractor.quotes import extract_quotes


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_nlp(Settings().model)


def speakers(nlp: Language, text: str) -> list[tuple[str, str]]:
    """(first three words, speaker) of each quote."""
    doc = nlp(text)
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    quotes = extract_quotes(doc, agencies=agencies, officials=officials)
    return [(" ".join(q.text.split()[:3]), q.speaker) for q in quotes]


PRONOUN_CASES = [
    pytest.param(
        "Council President Nora Vance and Commissioner Felix Grady clashed over the jail "
        "contract on Tuesday night.\n\n"
        "\u201cYour time has run out, commissioner,\u201d she said.\n\n"
        "\u201cI need one more minute, Madam President,\u201d he said.\n\n"
        "\u201cYou had ten minutes already tonight,\u201d she said.",
        [
            ("Your time has", "Nora Vance"),
            ("I need one", "Felix Grady"),
            ("You had ten", "Nora Vance"),
        ],
        id="a-he-just-before-is-not-who-she-is",
    ),
    pytest.param(
        "Director Hana Ortiz of the county emergency office testified before the committee on "
        "Wednesday.\n\n"
        "\u201cWe processed most of the claims within a month,\u201d Ortiz said.\n\n"
        "\u201cHow many families are still waiting for a check?\u201d Representative Lila Moss "
        "asked.\n\n"
        "\u201cI do not have that figure with me today,\u201d she replied.",
        [
            ("We processed most", "Hana Ortiz"),
            ("How many families", "Lila Moss"),
            ("I do not", "Hana Ortiz"),
        ],
        id="who-replies-is-not-who-asked",
    ),
    pytest.param(
        "Dana Pike and Robin Lund argued over the shelter budget on Monday.\n\n"
        "Mr. Lund said the plan was fair. \u201cNobody on this board has read it closely,\u201d "
        "she said.",
        [("Nobody on this", "Dana Pike")],
        id="an-honorific-tells-the-gender",
    ),
    pytest.param(
        "Commissioner Tobias Brandt questioned Sheriff Glenn Archer about the jail.\n\n"
        "Brandt asked whether deputies would hold anyone past release. \u201cNot without a "
        "judge signing off on it,\u201d Archer said. \u201cThat is the rule in this county.\u201d\n\n"
        "\u201cThen why did it happen twice last year?\u201d Brandt said.\n\n"
        "\u201cThose were mistakes, and we fixed them,\u201d he answered.",
        [
            ("Not without a", "Glenn Archer"),
            ("That is the", "Glenn Archer"),
            ("Then why did", "Tobias Brandt"),
            ("Those were mistakes,", "Glenn Archer"),
        ],
        id="an-answer-comes-from-the-other-side",
    ),
    pytest.param(
        "Jordan Pike and Casey Lund spoke to reporters after the vote.\n\n"
        "\u201cWe all lost something tonight,\u201d she said.\n\n"
        "Pike waved off a question about the recount. \u201cThe vote was fair and everyone "
        "knows it,\u201d he said.",
        [("We all lost", "Jordan Pike"), ("The vote was", "Jordan Pike")],
        id="a-guess-among-two-people-teaches-no-gender",
    ),
    pytest.param(
        "Police Chief Owen Tatum and Mayor Rhea Castillo held a joint briefing in Fort Ellis.\n\n"
        "\u201cI talked with Mayor Castillo this morning and she agrees with the plan,\u201d "
        "Tatum said.\n\n"
        "\u201cOur officers will stay out of immigration work,\u201d he said.",
        [
            ("I talked with", "Owen Tatum"),
            ("Our officers will", "Owen Tatum"),
        ],
        id="a-person-named-inside-the-previous-quote-is-not-the-antecedent",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PRONOUN_CASES)
def test_pronoun_speakers(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert speakers(nlp, text) == expected


FORM_CASES = [
    pytest.param(
        "Councilwoman Amy Roth asked for leniency at Dunmore's hearing in a letter released "
        'Monday, saying she did not think a long sentence would help. She added, "We must '
        'answer anger with patience."\n\n'
        '"But who are we as a town if we answer threats with more threats? " she wrote in '
        'her letter. "The answer to fear is not more fear."',
        [
            ("We must answer", "Amy Roth"),
            ("But who are", "Amy Roth"),
            ("The answer to", "Amy Roth"),
        ],
        id="a-sentence-of-speech-does-not-use-up-the-pronoun-window",
    ),
    pytest.param(
        "The tenants won the vote, and the Marlow Property Owners Association will be left "
        'to ask: "What did we do to lose this city?"',
        [("What did we", "Marlow Property Owners Association")],
        id="colon-after-a-coordinated-clause",
    ),
    pytest.param(
        "Chris Early, a vice president at the studio, spoke on Monday.\n\n"
        '"You either have the bandwidth where you live or you do not," says Early.',
        [("You either have", "Chris Early")],
        id="a-surname-the-tagger-took-for-an-adverb",
    ),
    pytest.param(
        "Sheriff Luis Bermudez of Tanner County spoke at a town hall on Thursday.\n\n"
        "\u201cWe will not hold anybody for immigration agents without a warrant,\u201d "
        "Bermudez said in an interview at the courthouse.",
        [("We will not", "Luis Bermudez")],
        id="surname-before-the-cue",
    ),
    pytest.param(
        "The Milford Police Department will keep its current rules. \u201cOur officers do not "
        "ask anyone about immigration status,\u201d said Milford Police Chief Irene Kowal.",
        [("Our officers do", "Irene Kowal")],
        id="title-inside-the-agency-name",
    ),
    pytest.param(
        "The raid left six children without a parent at home, according to Marisol Pena, an "
        "organizer with the Lakeside Tenants Union, who said renters were \u201cafraid to even "
        "answer the door at night.\u201d",
        [("afraid to even", "Marisol Pena")],
        id="who-refers-to-the-person-not-the-group",
    ),
    pytest.param(
        "Orland Mayor Colleen Hartley supports the chief. Sheriff Dwayne Pruitt said the Orland County "
        "Sheriff\u2019s Office would keep honoring detainers. In a statement Wednesday, the "
        "mayor\u2019s office said the city \u201cplays no part in federal immigration "
        "enforcement.\u201d",
        [("plays no part", "City of Orland")],
        id="the-mayors-office-is-the-city",
    ),
    pytest.param(
        "Captain Nadia Ferro took over the Brightwater Police Department in March.\n\n"
        "Ferro, who spent ten years with the department, was blunt about the change: "
        "\u201cWe were breaking state law, and we were breaking trust with people here.\u201d",
        [("We were breaking", "Nadia Ferro")],
        id="colon-after-the-subjects-clause",
    ),
    pytest.param(
        "Sheriff Ellis Pruitt runs the jail. Supervisor Ramon Ochs, whose district includes "
        "much of east Dalton, called Pruitt\u2019s policy \u201ca sensible compromise that "
        "keeps deputies on patrol.\u201d",
        [("a sensible compromise", "Ramon Ochs")],
        id="what-is-called-is-not-the-speaker",
    ),
    pytest.param(
        "Police Chief Darius Cole spoke to the council. Asked whether officers would help if "
        "federal agents called for backup, the chief said they would respond to any threat "
        "\u201cthe same way we would for any other call,\u201d but would not make arrests.",
        [("the same way", "Darius Cole")],
        id="the-reporter-of-they-speaks",
    ),
    pytest.param(
        "The Piedmont Refugee Support Network ran a phone bank all weekend. ICE agents "
        "arrested four people in Lowell on Saturday.\n\n"
        "The network thanked the county sheriffs for \u201cputting families ahead of "
        "politics\u201d and asked others to follow.",
        [("putting families ahead", "Piedmont Refugee Support Network")],
        id="the-network-is-the-network-named-before-not-the-last-organisation",
    ),
    pytest.param(
        "The Eastside Clergy Council held a vigil on Sunday. ICE did not comment on the "
        "arrests.\n\n"
        "In a statement after the vigil, the council said it would keep praying for \u201ca "
        "city where nobody fears calling the police.\u201d",
        [("a city where", "Eastside Clergy Council")],
        id="it-under-a-reporting-cue-is-the-reporter",
    ),
    pytest.param(
        "The Lowell County Republican Party, which backed the sheriff in 2020, said in a "
        "statement that it was \u201cstunned by the reversal on detainers.\u201d",
        [("stunned by the", "Lowell County Republican Party")],
        id="a-party-named-after-a-county-is-the-party",
    ),
    pytest.param(
        "Teodor Brandt, a spokesperson for the governor\u2019s budget office, said the state "
        "could pay its bills until November.\n\n"
        "The Ohio Department of Education has held back payments to districts. \u201cWithout "
        "a budget, the department cannot release any of these funds,\u201d a department "
        "spokesperson said in an email.",
        [("Without a budget,", "Ohio Department of Education")],
        id="an-indefinite-spokesperson-is-not-the-one-named-before",
    ),
    pytest.param(
        "The Marlow City Council passed the rent cap on Tuesday. State law bars cities from "
        "capping rents, and the cap is \u201cunlikely to hold up in court as written,\u201d "
        "according to a memo City Attorney Nina Ferraz sent council members on Monday.",
        [("unlikely to hold", "Nina Ferraz")],
        id="a-memo-someone-sent-speaks-for-its-author",
    ),
    pytest.param(
        "Sheriff Carla Whitmore announced the agreement on Friday.\n\n"
        "\u201cThis keeps our deputies in the county and our jail safe,\u201d Sheriff Whitmore "
        "said.",
        [("This keeps our", "Carla Whitmore")],
        id="title-and-surname-tagged-as-an-organisation",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FORM_CASES)
def test_attribution_forms(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert speakers(nlp, text) == expected


def test_a_spokesperson_for_an_official_speaks_for_the_officials_body(nlp: Language) -> None:
    text = (
        "Mayor Karen Holt named a new chief in 2021. The Lakeview Police Department met with "
        "ICE last week.\n\n"
        "A spokesperson for the mayor said in an email that the city \u201cwill not lend "
        "officers to federal immigration sweeps.\u201d"
    )

    def spans(form: str) -> tuple[tuple[int, int], ...]:
        at = text.index(form)
        return ((at, at + len(form)),)

    agencies = [
        Agency("Lakeview Police Department", "police", "", (), spans("Lakeview Police Department")),
        Agency("City of Lakeview", "city", "", (), ()),
    ]
    officials = [Official("Karen Holt", "Mayor", "City of Lakeview", spans("Karen Holt"))]
    quotes = extract_quotes(nlp(text), agencies=agencies, officials=officials)
    assert [(q.speaker, q.speaker_type) for q in quotes] == [("City of Lakeview", "agency")]


PARAGRAPH_CASES = [
    pytest.param(
        "Sheriff Mark Hollis addressed the county board on Tuesday.\n\n"
        "\u201cWe have followed the law in every single case,\u201d Hollis said. \u201cEvery "
        "detainer gets a review by our lawyers.\n\n"
        "\u201cNobody is held one hour longer than the law allows.\n\n"
        "\u201cThat is the policy, and it will stay the policy.\u201d\n\n"
        "Commissioner Janet Fry was not persuaded. \u201cI have heard that promise "
        "before,\u201d she said.",
        [
            ("We have followed", "Mark Hollis"),
            ("Every detainer gets", "Mark Hollis"),
            ("I have heard", "Janet Fry"),
        ],
        id="a-quote-over-three-paragraphs-keeps-its-speaker",
    ),
    pytest.param(
        "Mayor Lena Carver called the plan \u201creckless and said it would hurt families. "
        "\u201cWe will not take part in this,\u201d Carver said.\n\n"
        "\u201cOur officers have better things to do than immigration work,\u201d said Police "
        "Chief Omar Haddad.",
        [("We will not", "Lena Carver"), ("Our officers have", "Omar Haddad")],
        id="a-stray-mark-costs-only-its-paragraph",
    ),
    pytest.param(
        "ELMWOOD, Ohio \u2013 Mayor Grace Oduya released the following statement on Friday "
        "after immigration agents detained two workers at a car wash:\n\n"
        "\u201cThis morning two of our neighbors were taken from their jobs. Our police "
        "department did not take part and will not take part.\u201d",
        [("This morning two", "Grace Oduya")],
        id="a-statement-introduced-by-a-colon-paragraph",
    ),
    pytest.param(
        "Rep. Jordan Ellery-Vance, who uses they/them pronouns, voted no as well. They said "
        "the budget should have kept the clinic money.\n\n"
        "\u201cWe are closing clinics to pay for a tax refund nobody asked for,\u201d they said.",
        [("We are closing", "Jordan Ellery-Vance")],
        id="singular-they-of-a-person",
    ),
    pytest.param(
        "Principal Irene Castellano sent a letter to parents on Monday.\n\n"
        "\u201cOur school is a place to learn, not a checkpoint, Castellano wrote in the "
        "letter. Every child who walks through our doors is welcome here.\u201d",
        [("Our school is", "Irene Castellano"), ("Every child who", "Irene Castellano")],
        id="an-attribution-whose-quotation-marks-were-lost",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPH_CASES)
def test_paragraphs(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert speakers(nlp, text) == expected
