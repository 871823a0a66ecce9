"""Evidence in context: located exactly or across whitespace, trimmed at word boundaries; the
sentence naming an agency or official."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.context import InContext, in_context, sentence_naming

TEXT = (
    "Story title\n\nThe county board met on Monday. The Dane County Sheriff's Office will not "
    "hold people for ICE\nwithout a judicial warrant. Deputies will keep patrolling as usual."
)


def test_evidence_with_the_sentences_around_it() -> None:
    found = in_context(TEXT, "The Dane County Sheriff's Office will not hold people for ICE")
    assert found == InContext(
        "Story title The county board met on Monday.",
        "The Dane County Sheriff's Office will not hold people for ICE",
        "without a judicial warrant. Deputies will keep patrolling as usual.",
    )


def test_evidence_across_a_line_break_is_found() -> None:
    found = in_context(TEXT, "hold people for ICE without a judicial warrant.", chars=20)
    assert found.evidence == "hold people for ICE without a judicial warrant."
    assert found.before == "\u2026Office will not"
    assert found.after == "Deputies will keep\u2026"
    assert found.plain(("[[", "]]")) == (
        "\u2026Office will not [[hold people for ICE without a judicial warrant.]] Deputies will keep\u2026"
    )


def test_unknown_text_or_missing_evidence_gives_the_evidence_alone() -> None:
    assert in_context(None, " We will  not\nhelp. ") == InContext("", "We will not help.", "")
    assert in_context(TEXT, "Not in the article.") == InContext("", "Not in the article.", "")
    assert in_context(TEXT, "   ").plain() == ""


@given(st.text(max_size=300), st.integers(0, 300), st.integers(0, 60), st.integers(0, 80))
def test_any_slice_of_the_text_is_found_in_context(
    text: str, start: int, length: int, chars: int
) -> None:
    evidence = text[start : start + length]
    found = in_context(text, evidence, chars=chars)
    assert found.evidence == " ".join(evidence.split())
    if evidence.strip():
        assert found.plain().count(found.evidence) >= 1


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (
            ["Dane County Sheriff's Office"],
            "The Dane County Sheriff's Office will not hold people "
            "for ICE\nwithout a judicial warrant.",
        ),
        # The earliest mention of any name; the headline is a sentence of its own.
        (["Deputies", "county board"], "The county board met on Monday."),
        (["Story"], "Story title"),
        (["Deputies"], "Deputies will keep patrolling as usual."),
        # Found across a line break, like evidence.
        (
            ["ICE without"],
            "The Dane County Sheriff's Office will not hold people for ICE\nwithout "
            "a judicial warrant.",
        ),
        (["Nobody", " "], ""),
        ([], ""),
    ],
)
def test_sentence_naming(names: list[str], expected: str) -> None:
    assert sentence_naming(TEXT, names) == expected


def test_sentence_naming_without_text() -> None:
    assert sentence_naming(None, ["x"]) == sentence_naming("", ["x"]) == ""


def test_sentence_ends_after_closing_quotes() -> None:
    text = 'He said: "We will not help ICE." The Polk County Sheriff\'s Office agreed! Fine.'
    assert sentence_naming(text, ["Polk County"]) == "The Polk County Sheriff's Office agreed!"


LOOSE = (
    "Sheriffs differ.\n\nIn Cass County, Sheriff Brian Mueller signed an agreement. The Knox "
    "County Sheriff\u2019s Office declined. City officials met. Tamarack Police Chief Joe Sweeney "
    "spoke."
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A curly apostrophe in the text, a straight one in the normalised name.
        ("Knox County Sheriff's Office", "The Knox County Sheriff\u2019s Office declined."),
        # Any case.
        ("KNOX COUNTY SHERIFF'S OFFICE", "The Knox County Sheriff\u2019s Office declined."),
        # Shortened to its first words when the whole name is not in the text.
        (
            "Cass County Sheriff's Office",
            "In Cass County, Sheriff Brian Mueller signed an agreement.",
        ),
        ("Tamarack Police Department", "Tamarack Police Chief Joe Sweeney spoke."),
        # ... but never to one common word, nor part of a word.
        ("City of Springfield", ""),
        ("Cas", ""),
    ],
)
def test_names_are_found_loosely(name: str, expected: str) -> None:
    assert sentence_naming(LOOSE, [name]) == expected
