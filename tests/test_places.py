"""US place names: state lookups in text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.places import longest_first_pattern, state_names, states_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheriffs in West Virginia and Virginia", ["WV", "VA"]),
        ("NEW YORK and new mexico, not Newark", ["NY", "NM"]),
        ("Kansas City, Kansas", ["KS", "KS"]),
        ("Washington state and the District of Columbia", ["WA", "DC"]),
        ("Texans, Arkansans and the Oregonian", []),
    ],
)
def test_states_in(text: str, expected: list[str]) -> None:
    assert states_in(text) == expected


_NAMES = ["new", "new york", "new yorker", "york", "ny", "a.b.", "a.b"]
_PLAIN = re.compile(
    r"\b(" + "|".join(re.escape(n) for n in sorted(_NAMES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_TRIE = re.compile(r"\b(" + longest_first_pattern(_NAMES) + r")\b", re.IGNORECASE)


@given(st.lists(st.sampled_from([*_NAMES, "NEW", " ", ".", ",", "k", "er", "s"]), max_size=12))
def test_trie_matches_what_the_longest_first_alternation_matches(parts: list[str]) -> None:
    text = "".join(parts)
    assert [m.span(1) for m in _TRIE.finditer(text)] == [m.span(1) for m in _PLAIN.finditer(text)]


def test_state_pattern_finds_what_the_plain_alternation_finds() -> None:
    names = sorted(state_names(), key=len, reverse=True)
    plain = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
    text = " ".join(f"{name.title()}{end}" for name in names for end in (".", "x", "'s", ""))
    assert states_in(text) == [state_names()[m.group(1).lower()] for m in plain.finditer(text)]
