"""Stances: classes of errors seen on unseen articles, each with several wordings of our own."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractor.agencies import extract_agencies
from extractor.mentions import Agency, Official
from extractor.officials import extract_officials
from extractor.quotes import extract_quotes
from extractor.stances import classify_sentence, extract_stances

from .conftest import find_span


def _label(sentence: str) -> str | None:
    found = classify_sentence(sentence, document_on_topic=True)
    return found[0] if found is not None else None


def _stances(nlp: Language, text: str) -> dict[str, str]:
    doc = nlp(text)
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    quotes = extract_quotes(doc, agencies=agencies, officials=officials)
    found = extract_stances(doc, agencies=agencies, officials=officials, quotes=quotes)
    return {f.agency: f.stance for f in found}


# 1. An exception only for a judge's warrant or order keeps a refusal a refusal, however the
# exception is worded; any other narrow case beside it makes `limits`.
@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "The Marston County jail does not honor ICE detainers unless they are backed by a "
            "judicial warrant.",
            "refuses",
        ),
        (
            "The jail does not hold anyone on an immigration detainer unless it comes with a "
            "judicial warrant.",
            "refuses",
        ),
        ("The office has not honored detainers without a judicial warrant since 2016.", "refuses"),
        (
            "Deputies will not keep anyone in custody for ICE unless a judge has signed a warrant.",
            "refuses",
        ),
        (
            "The sheriff's office won't detain people for immigration agents except when "
            "presented with a signed criminal warrant.",
            "refuses",
        ),
        ("The county does not honor detainer requests absent a court order.", "refuses"),
        (
            "The sheriff does not honor detainers, except those accompanied by a federal court order.",
            "refuses",
        ),
        ("Deputies won't hold anyone past release for ICE unless a judge orders it.", "refuses"),
        (
            "The jail will not hold people for ICE unless the detainers are signed by a judge.",
            "refuses",
        ),
        (
            "The jail honors ICE detainers only when they are accompanied by a judicial warrant.",
            "refuses",
        ),
        ("Deputies will honor a detainer if it comes with a warrant signed by a judge.", "refuses"),
        ("The jail will hold someone for ICE if a judge has signed a criminal warrant.", "refuses"),
        (
            "The sheriff honors all ICE detainers, and when a judge signs a warrant deputies serve it.",
            "cooperates",
        ),
        # other narrow cases still make `limits`
        (
            "The department will not hold people on detainers unless they face serious felony charges.",
            "limits",
        ),
        (
            "The jail does not hold people for ICE unless there is a judicial warrant or the "
            "person is charged with a violent felony.",
            "limits",
        ),
        (
            "Officers will not ask about immigration status except when investigating human trafficking.",
            "limits",
        ),
    ],
)
def test_a_judicial_warrant_exception_stays_a_refusal(sentence: str, label: str) -> None:
    assert _label(sentence) == label


# 2. Not having, seeking or joining an arrangement is no cooperation; declining one beside
# holds that go on is cooperation.
@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "The Harlow Police Department has never had a 287(g) agreement and we're not going "
            "to start one.",
            "refuses",
        ),
        (
            '"We have never had a 287(g) agreement, and we are not going to sign one," she said.',
            "refuses",
        ),
        ("The police department does not have a 287(g) agreement with ICE.", "refuses"),
        ("The department is not part of the 287(g) program.", "refuses"),
        ("The sheriff said he has no interest in a 287(g) agreement.", "refuses"),
        ("The sheriff let the 287(g) agreement expire last year.", "refuses"),
        ("The city has no agreement with ICE.", "refuses"),
        ("The county declined to join the 287(g) program last spring.", "refuses"),
        ("The commission won't renew the agreement with ICE when it expires in June.", "refuses"),
        ("The department is not going to join the ICE task force.", "refuses"),
        ("The county has not yet signed the agreement with ICE.", "unclear"),
        (
            "The sheriff has no plans to seek a task force agreement but will keep honoring ICE detainers.",
            "cooperates",
        ),
        (
            "The office declined to join the 287(g) program, but its jail still holds inmates on "
            "ICE detainers.",
            "cooperates",
        ),
        # another refusal or a narrow case beside the declined arrangement decides
        (
            "The sheriff declined to join the 287(g) program and will not honor detainers.",
            "refuses",
        ),
        (
            "The sheriff declined to join the 287(g) program, but deputies notify ICE when they "
            "arrest violent felons.",
            "limits",
        ),
    ],
)
def test_a_declined_arrangement_is_no_cooperation(sentence: str, label: str) -> None:
    assert _label(sentence) == label


@pytest.mark.parametrize(
    ("text", "agency", "label"),
    [
        (
            "The Pell City Police Department has never had a 287(g) agreement and we're not "
            "going to start one, Chief Ray Dunn said. Under 287(g), officers can question "
            "people about their immigration status.",
            "Pell City Police Department",
            "refuses",
        ),
        (
            "The Gresham County Sheriff's Office has no plans to seek a task force agreement "
            "with ICE, Sheriff Lyle Moss said.\n\nThe office will keep honoring ICE detainers "
            "at the county jail, he said.",
            "Gresham County Sheriff's Office",
            "cooperates",
        ),
    ],
)
def test_a_declined_arrangement_across_sentences(
    nlp: Language, text: str, agency: str, label: str
) -> None:
    assert _stances(nlp, text).get(agency) == label


# 3. An arrangement is cooperation whatever it allows; narrow cases it names are no `limits`.
@pytest.mark.parametrize(
    "sentence",
    [
        "The sheriff signed an agreement with ICE under the 287(g) program that allows jailers "
        "to screen inmates charged with felonies.",
        "The office signed a 287(g) agreement that lets deputies notify ICE about inmates "
        "charged with violent felonies.",
        "Last month the Dorrance County Sheriff's Office signed a 287(g) agreement with ICE "
        "that lets detention officers screen inmates for immigration status.",
    ],
)
def test_an_arrangement_with_narrow_duties_cooperates(sentence: str) -> None:
    assert _label(sentence) == "cooperates"


@pytest.mark.parametrize(
    "second",
    [
        "Under the agreement, detention officers will screen inmates for immigration status "
        "only after they are booked on felony charges.",
        "The office notifies ICE when inmates charged with violent felonies are released.",
    ],
)
def test_narrow_duties_beside_an_arrangement_cooperate(nlp: Language, second: str) -> None:
    text = (
        f"The Dorrance County Sheriff's Office signed a 287(g) agreement with ICE in May. {second}"
    )
    assert _stances(nlp, text) == {"Dorrance County Sheriff's Office": "cooperates"}


def test_a_narrow_case_still_limits_a_refusal(nlp: Language) -> None:
    text = (
        "The Dorrance County Sheriff's Office will not take part in immigration raids. The "
        "office notifies ICE when inmates charged with violent felonies are released."
    )
    assert _stances(nlp, text) == {"Dorrance County Sheriff's Office": "limits"}


# 5. Working with federal agencies on ordinary crimes is no immigration cooperation; sharing
# intelligence in criminal cases stays the narrow case the guidelines name.
@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "Officers continue to work closely with federal partners, including the FBI and DEA, "
            "on gun violence and narcotics cases.",
            None,
        ),
        (
            "The police department will keep assisting federal authorities with firearms and "
            "fentanyl cases.",
            None,
        ),
        (
            "The department works with federal partners, including the FBI, on criminal "
            "investigations such as gun violence and narcotics, but it does not enforce civil "
            "immigration law.",
            "refuses",
        ),
        (
            "Detectives share criminal intelligence with federal agencies on gang and homicide "
            "investigations.",
            "limits",
        ),
        ("The jail notifies ICE when people charged with drug trafficking are released.", "limits"),
    ],
)
def test_ordinary_crime_work_with_federal_agencies(sentence: str, label: str | None) -> None:
    assert _label(sentence) == label


def test_a_refusal_is_not_undone_by_work_on_ordinary_crimes(nlp: Language) -> None:
    text = (
        "Brookfield Police Chief Omar Haddad said the Brookfield Police Department does not "
        "enforce federal civil immigration law.\n\nThe department continues to work with "
        "federal partners such as the FBI and the DEA on gun violence and narcotics "
        "investigations, Haddad said."
    )
    assert _stances(nlp, text) == {"Brookfield Police Department": "refuses"}


# 4. A clause about another agency (its own subject, or a contrast that names it) is no
# narrow case of this agency's refusal, and an agency in a background clause does not take
# the stance of the sentence's main speaker.
@pytest.mark.parametrize(
    "text",
    [
        "Millbrook Police Chief Wes Arden said his officers will not enforce civil immigration "
        "law or ask people about their status during calls for service, while the county "
        "sheriff signed a 287(g) agreement.",
        "The Lorne County Sheriff's Office signed a 287(g) agreement last month.\n\nMillbrook "
        "Police Chief Wes Arden said his officers will not enforce civil immigration law or ask "
        "people about their status, but the sheriff's office notifies ICE about inmates charged "
        "with serious crimes.",
        "The Millbrook Police Department will not ask about immigration status, while the Lorne "
        "County Sheriff's Office notifies ICE when inmates charged with violent felonies are "
        "released.",
        "While the Lorne County Sheriff's Office signed a 287(g) agreement, Millbrook Police "
        "Chief Wes Arden said his officers will not ask people about their immigration status.",
    ],
)
def test_another_agencys_clause_does_not_limit_a_refusal(nlp: Language, text: str) -> None:
    found = _stances(nlp, text)
    assert found["Millbrook Police Department"] == "refuses"
    assert found.get("Lorne County Sheriff's Office") != "refuses"


def test_the_agencys_own_narrow_case_still_limits(nlp: Language) -> None:
    text = (
        "The Millbrook Police Department will not enforce civil immigration law, but officers "
        "notify ICE when they arrest someone for a violent felony."
    )
    assert _stances(nlp, text) == {"Millbrook Police Department": "limits"}


def test_an_order_about_others_is_the_agencys_own_position(nlp: Language) -> None:
    text = (
        "Harlan Metro Government has ordered that city staff, including officers of the "
        "Harlan Metro Police Department, not assist in civil immigration arrests."
    )
    assert _stances(nlp, text).get("Harlan Metro Government") == "refuses"


# 8. The office a sentence gives its speaker ("the sheriff's operations commander") decides
# whose stance it is, even when the officials table names another agency.
@pytest.mark.parametrize(
    "text",
    [
        "The Tarrant Springs Police Department will keep its officers out of immigration "
        "enforcement. Maj. Ron Felder, the sheriff's operations commander, said the task force "
        "deputies would assist ICE with arrests. The Harlan County Sheriff's Office joined the "
        "task force in May.",
        "The Harlan County Sheriff's Office joined the task force in May. The Tarrant Springs "
        "Police Department will keep its officers out of immigration enforcement. Lt. Gina "
        "Sato, the sheriff's task force supervisor, said deputies will help ICE agents serve "
        "warrants.",
        "The Tarrant Springs Police Department will keep its officers out of immigration "
        "enforcement. The Harlan County Sheriff's Office has a large jail. Sgt. Mia Cole, a "
        "sheriff's spokeswoman, said deputies would assist ICE with arrests.",
    ],
)
def test_the_speakers_stated_office_takes_the_stance(nlp: Language, text: str) -> None:
    assert _stances(nlp, text) == {
        "Tarrant Springs Police Department": "refuses",
        "Harlan County Sheriff's Office": "cooperates",
    }


def test_the_citys_police_chief_speaks_for_the_police(nlp: Language) -> None:
    text = (
        "Maria Lopez, the city's police chief, told the council that Westbrook officers will "
        "not ask anyone about immigration status. The Westbrook Police Department has 80 officers."
    )
    assert _stances(nlp, text) == {"Westbrook Police Department": "refuses"}


# 7. A newsroom's own research and a place named only inside a court's name give no stance.
@pytest.mark.parametrize(
    "second",
    [
        "The Ledger reviewed court filings in Garland County Circuit Court, jail booking logs "
        "and 287(g) agreements posted by ICE.",
        "For this story, the Ledger looked at cases in Garland County Circuit Court and 287(g) "
        "agreements posted by ICE.",
        "A judge at the Garland County Courthouse heard arguments about 287(g) agreements.",
        "Reporters obtained records and e-mails about ICE detainers from the state.",
    ],
)
def test_reporting_and_court_venues_are_no_stance(nlp: Language, second: str) -> None:
    text = f"Garland County commissioners voted last year to fund new jail beds.\n\n{second}"
    assert _stances(nlp, text) == {}


def test_a_county_acting_beside_a_court_venue_keeps_its_stance(nlp: Language) -> None:
    text = (
        "Garland County commissioners voted last year to approve a 287(g) agreement with ICE, "
        "according to filings in Garland County Circuit Court."
    )
    assert _stances(nlp, text) == {"Garland County": "cooperates"}


# 6. Stances stated in wordings the cues missed: a city's "immigration work" and its
# ordinance, a commission's review, a state department's notices, an arrangement kept or
# joined, funding under an agreement.
@pytest.mark.parametrize(
    ("text", "agency", "label"),
    [
        (
            'The City of Marden has a welcoming ordinance.\n\n"We do not do the federal '
            "government's immigration work,\" Mayor Ellen Park said.",
            "City of Marden",
            "refuses",
        ),
        (
            "The City of Marden adopted a welcoming ordinance in 2019. The ordinance bars city "
            "employees from asking about immigration status.",
            "City of Marden",
            "refuses",
        ),
        (
            "Tolland County commissioners met Tuesday.\n\nThe commission is reviewing the jail "
            "contract with ICE and has not decided whether to renew it.",
            "Tolland County",
            "unclear",
        ),
        (
            "The Idaho Department of Correction will notify ICE before releasing people "
            "convicted of violent felonies.",
            "Idaho Department of Correction",
            "limits",
        ),
        (
            "The Renfrew County Sheriff's Office intends to keep its agreement with ICE in "
            "place, Sheriff Jo Hale said.",
            "Renfrew County Sheriff's Office",
            "cooperates",
        ),
        (
            "The Vermont State Police signed on to the ICE task force last year.",
            "Vermont State Police",
            "cooperates",
        ),
        (
            "ICE launched a task force in Georgia. The Georgia State Patrol is a partner in the "
            "task force.",
            "Georgia State Patrol",
            "cooperates",
        ),
        (
            "The Bexar County Commission approved funding for four detention officer positions "
            "under the 287(g) agreement.",
            "Bexar County",
            "cooperates",
        ),
    ],
)
def test_stances_in_missed_wordings(nlp: Language, text: str, agency: str, label: str) -> None:
    assert _stances(nlp, text).get(agency) == label


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("The sheriff will keep the 287(g) agreement in place.", "cooperates"),
        ("The county is not a partner in the task force.", "refuses"),
        ("The sheriff said he will keep his promise to end the agreement with ICE.", "refuses"),
    ],
)
def test_kept_and_joined_arrangements(sentence: str, label: str) -> None:
    assert _label(sentence) == label


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        # holds for ICE only on a judge's warrant refuse; on a felony charge they limit
        (
            "The jail will only hold someone for ICE if the agency provides a warrant signed by a judge.",
            "refuses",
        ),
        ("The jail will hold people for ICE only if they are charged with a felony.", "limits"),
        ("The jail holds inmates for ICE for up to 48 hours.", "cooperates"),
        # ending an arrangement while holds go on is cooperation; ending it alone refuses
        (
            "The county ended its 287(g) agreement in 2019 but still honors ICE detainers.",
            "cooperates",
        ),
        ("The sheriff ended the 287(g) agreement in 2021.", "refuses"),
        (
            "The Harwell Police Department has a policy forbidding officers from asking about "
            "immigration status or holding anyone for ICE.",
            "refuses",
        ),
    ],
)
def test_holds_for_ice_and_ended_arrangements(sentence: str, label: str) -> None:
    assert _label(sentence) == label


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("We are not going to do the work of federal immigration agents.", "refuses"),
        ("The Highway Patrol has signed on as a partner in the federal task force.", "cooperates"),
        (
            "The council voted to fund two deputy positions assigned to the ICE task force.",
            "cooperates",
        ),
        (
            "The council voted not to fund two deputy positions assigned to the ICE task force.",
            "refuses",
        ),
        ("The county refused to pay for the ICE task force.", "refuses"),
        ("The board has not made a decision on the jail contract with ICE.", "unclear"),
        (
            "The department will alert immigration authorities before releasing anyone "
            "convicted of a violent felony.",
            "limits",
        ),
    ],
)
def test_more_wordings_of_work_funding_and_membership(sentence: str, label: str) -> None:
    assert _label(sentence) == label


# 8 (again). "he said" speaks for the official named before it in the same sentence, not one
# named in an earlier sentence; a background subject with only pronouns beside it still acts.
def test_he_said_after_an_official_in_the_same_sentence(nlp: Language) -> None:
    text = (
        "Police Chief Dana Lutz said campus officers will not take part in immigration raids."
        "\n\nAsked about Sheriff Tom Reyes's plans, he said the county jail will keep holding "
        "people on ICE detainers."
    )
    doc = nlp(text)
    police = Agency("Elmore University Police Department", "police", "", (), (), 1)
    officials = [
        Official("Dana Lutz", "Police Chief", police.name, (find_span(text, "Dana Lutz"),)),
        Official("Tom Reyes", "Sheriff", "", (find_span(text, "Tom Reyes"),)),
    ]
    agencies = [*extract_agencies(doc), police]
    found = extract_stances(doc, agencies=agencies, officials=officials)
    # the sheriff's words are not the campus police's: no `limits` from them
    assert {f.agency: f.stance for f in found} == {police.name: "refuses"}


def test_a_background_clause_beside_a_pronoun_keeps_its_agency(nlp: Language) -> None:
    text = (
        "When Dorset County Executive Ana Ruiz signed an order last week barring county "
        "employees from helping with civil immigration arrests, she said it would settle the "
        "question for everyone who works for the county."
    )
    assert _stances(nlp, text) == {"Dorset County": "refuses"}


# A standing arrangement beside a refusal of street enforcement, a time limit that is no narrow
# case, a practice "for now" beside a review.
@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "Sheriff Ames said the jail would honor detainers only for the 48 hours the law "
            "requires and would not let deputies ask about immigration status on patrol.",
            "cooperates",
        ),
        (
            "The jail honors detainers only for people charged with violent felonies and "
            "deputies do not ask about status on patrol.",
            "limits",
        ),
        (
            "The jail will not hold people on detainers, and deputies do not ask about status "
            "on patrol.",
            "refuses",
        ),
        (
            "The office said it does not currently hold people solely on immigration detainers "
            "and is reviewing ICE's newest request.",
            "unclear",
        ),
        (
            "The office does not hold people on immigration detainers and is reviewing its budget.",
            "refuses",
        ),
    ],
)
def test_standing_arrangements_time_limits_and_reviews(sentence: str, label: str) -> None:
    assert _label(sentence) == label


def test_a_feared_reading_is_no_stance(nlp: Language) -> None:
    text = (
        "The Tolland County Sheriff's Office said the state bill could be read to limit "
        "cooperation with ICE."
    )
    assert _stances(nlp, text) == {}


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        (
            "The commission voted to adopt a resolution reaffirming the county's long-standing "
            "policy on cooperation with federal immigration authorities.",
            None,
        ),
        ("The sheriff's office will cooperate with federal immigration authorities.", "cooperates"),
    ],
)
def test_a_policy_about_cooperation_is_no_cooperation(sentence: str, label: str | None) -> None:
    assert _label(sentence) == label
