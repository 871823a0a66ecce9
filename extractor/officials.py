"""Officials: named people with a title, and the agency or organisation they speak for.

A title comes from the vocabulary in ``patterns/titles.txt``, written before
the name ("Omaha Police Chief Todd Schmaderer", "Sheriff Kevin McMahill") or
after it as an apposition ("Kerri Talbot, Co-Executive Director of the
Immigration Hub"; "Jones, the county's sheriff,"). The agency is the one the
title names ("Omaha Police Chief" -> Omaha Police Department), the one after
"of"/"for"/"with", or else "". A later surname-only mention ("McMahill") is
the same official.

Other forms read: a capitalised title that runs on with "for"/"of" ("Deputy
Attorney General for Civil Rights Ana Ruiz"), a plural title before a list of
names ("Commissioners Ruth Hale and Ben Ochoa"), appositions opened by a dash,
a bracket, an age or "who is", a role clause over a public body ("who chairs
the county board"), "member of" a board or council, and a title taken up in a
clause ("was sworn in as sheriff", "has been chief since 2019").

The role after a name wins over a rank or honorific before it ("Maj. Ann Loy, the
sheriff's operations commander"; "the Rev. Ann Loy, pastor of ..."). A title is kept
as written minus a leading place ("Utah County Commissioner" -> "Commissioner";
"Senate Judiciary Committee Chair" stays whole). Some titles name their office: a
public defender's office, a state attorney general's office for its staff, the court
before a judge's title.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import numpy
from spacy.attrs import IS_TITLE
from spacy.tokens import Doc, Span, Token

from extractor.agencies import agency_at, clean_surface
from extractor.mentions import Agency, Official
from extractor.mentions import Span as CharSpan
from extractor.nlp import doc_text, known_agencies, token_lowers
from extractor.places import state_code

_NAME_WORD = re.compile(r"^[\w'’.-]+$")
# Lower-case particles inside a name ("Maria de la Cruz", "Pieter van der Berg").
_PARTICLES = {
    "de",
    "la",
    "del",
    "de la",
    "van",
    "von",
    "der",
    "den",
    "da",
    "das",
    "dos",
    "du",
    "le",
    "di",
    "bin",
    "al",
}


def _is_name_word(word: str) -> bool:
    """A capitalised word that may be part of a name ("Núñez", "O'Brien", "D.")."""
    return word[:1].isupper() and word[:1].isalpha() and bool(_NAME_WORD.match(word))


# Capitalised words that do not begin or continue a personal name.
_NOT_NAME_WORDS = {
    "the", "a", "an", "in", "on", "at", "for", "and", "but", "of", "to", "by", "from",
    "county", "city", "state", "police", "department", "office", "board", "u.s.", "federal",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
}  # fmt: skip
_CONTACT_LABELS = {"phone", "email", "e-mail", "tel", "fax", "cell", "office", "mobile"}
_HONORIFICS = {"mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr"}


@functools.cache
def _title_entries() -> tuple[tuple[str, str], ...]:
    """(title, implied agency type or "") pairs from ``patterns/titles.txt``."""
    text = resources.files("extractor.patterns").joinpath("titles.txt").read_text(encoding="utf-8")
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            title, _, kind = line.partition("|")
            entries.append((" ".join(title.lower().split()), kind.strip()))
    return tuple(entries)


@functools.cache
def titles() -> tuple[tuple[str, ...], ...]:
    """Title vocabulary as lower-case word tuples, longest first."""
    return tuple(sorted({tuple(t.split()) for t, _ in _title_entries()}, key=len, reverse=True))


@functools.cache
def title_kinds() -> dict[str, str]:
    """Lower-case title -> the agency type it implies ("sheriff" -> sheriff), where it implies one."""
    return {title: kind for title, kind in _title_entries() if kind}


@dataclass(slots=True)
class _Person:
    name: str
    title: str = ""
    agency: str = ""
    spans: list[CharSpan] = field(default_factory=list)


@functools.cache
def _titles_by_length() -> tuple[tuple[int, frozenset[str]], ...]:
    """The title vocabulary as strings grouped by length, longest first.

    Two titles that both end (or both start) at one place nest, so trying
    lengths longest first finds the longest match with one set lookup a
    length, instead of one string comparison per title at every token.
    """
    by_length: dict[int, set[str]] = {}
    for words in titles():
        title = " ".join(words)
        by_length.setdefault(len(title), set()).add(title)
    return tuple((n, frozenset(group)) for n, group in sorted(by_length.items(), reverse=True))


@functools.cache
def titles_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """The title vocabulary by first word, each group longest first (as ``titles()``)."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for title in titles():
        index.setdefault(title[0], []).append(title)
    return {word: tuple(found) for word, found in index.items()}


@functools.cache
def _title_first_words() -> frozenset[str]:
    return frozenset(titles_by_first_word())


@functools.cache
def _title_endings() -> tuple[frozenset[str], frozenset[str]]:
    """Every ending of every title ("sheriff", "heriff", ..., "f"), and the titles."""
    all_titles = frozenset(title for _, group in _titles_by_length() for title in group)
    return frozenset(t[i:] for t in all_titles for i in range(len(t))), all_titles


def _may_end_title(word: str) -> bool:
    """Whether a title can end where the lower-cased ``word`` ends: the title ends with
    the whole word, or is an ending of it."""
    endings, all_titles = _title_endings()
    return word in endings or any(word[i:] in all_titles for i in range(1, len(word)))


def _title_before(doc: Doc, start: int) -> Span | None:
    """The longest vocabulary title ending right before token ``start``."""
    if start <= 0 or not _may_end_title(token_lowers(doc)[start - 1]):
        return None  # most words end no title: one lookup instead of one per title length
    text = doc_text(doc)
    end_char = doc[start - 1].idx + len(doc[start - 1].text)
    for length, known in _titles_by_length():
        begin = end_char - length
        if begin < 0 or text[begin:end_char].lower() not in known:
            continue
        # "editor-in-chief" is no chief, "ex-sheriff" no sheriff.
        if begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "-"):
            continue
        span = doc.char_span(begin, end_char)
        if span is not None:
            return span
    return None


# What opens an apposition after a name: a comma, a dash or a bracket ("Ray Oduya — the
# county's sheriff —"); ", who is" and "is" open the same title in a clause.
_APPOSITION_OPENERS = {",", "—", "–", "--", "("}
_APPOSITION_VERBS = (("who", "is"), ("who", "was"), ("is",))


def _title_after(doc: Doc, end: int) -> tuple[Span, int] | None:
    """An apposition title after a name: ", [the|a] [X's] TITLE"; returns (title, next token)."""
    i = end
    if i >= len(doc) or doc[i].text not in _APPOSITION_OPENERS:
        return None
    i += 1
    if i + 1 < len(doc) and doc[i].like_num and doc[i + 1].text == ",":
        i += 2  # "Ray Oduya, 54, the sheriff of Polk County"
    if doc[end].text == ",":
        for verbs in _APPOSITION_VERBS[:2]:
            if [t.lower_ for t in doc[i : i + len(verbs)]] == list(verbs):
                i += len(verbs)  # ", who is the city's public safety director"
                break
    return _apposition_title(doc, i)


def _title_in_clause(doc: Doc, end: int) -> tuple[Span, int] | None:
    """ "Ray Oduya is the sheriff of Polk County": the title of a copula right after a name."""
    if end + 1 >= len(doc) or doc[end].lower_ != "is" or doc[end + 1].lower_ not in _DETERMINERS:
        return None
    return _apposition_title(doc, end + 1)


def _apposition_title(doc: Doc, i: int) -> tuple[Span, int] | None:
    """The title of an apposition starting at token ``i`` ("the county's sheriff")."""
    if i < len(doc) and doc[i].lower_ in ("the", "a", "an", "its", "their"):
        i += 1
    member = _member_of(doc, i)
    if member is not None:
        return member, member.end
    # "the county's sheriff" / "the department's spokesperson" / "Orchard City's police chief"
    for k in range(i, min(i + 3, len(doc) - 1)):
        if doc[k + 1].text in ("'s", "’s") or (
            doc[k + 1].text in ("'", "’") and doc[k].lower_.endswith("s")  # "Edmunds' director"
        ):
            if doc[k].ent_type_ == "PERSON" and _relation_at(doc, k + 2):
                return None  # "Morrison's supervisor": a relation, not an office
            i = k + 2
            break
        if not (doc[k].is_title or doc[k].pos_ in ("NOUN", "PROPN")):
            break  # "the police union's president" / "the school district's superintendent"
    # "a patrol spokesman", "the agency's longtime jail administrator", "the Marion County
    # sheriff": up to three plain or capitalised words may stand before the title; a verb
    # ("acting" aside) or punctuation may not.
    if i < len(doc) and doc[i].ent_iob_ == "B" and doc[i].ent_type_ in ("ORG", "AGENCY"):
        # "a U.S. Immigration and Customs Enforcement spokesperson": the organisation's whole
        # name stands before the title.
        ent = next(e for e in doc.ents if e.start == i)
        if len(ent) > 3 and ent.end < len(doc) and _vocabulary_title_at(doc, doc[ent.end].idx):
            i = ent.end
    for skip in range(4):
        j = i + skip
        if j >= len(doc) or not all(_may_precede_title(t) for t in doc[i:j]):
            return None
        found = _vocabulary_title_at(doc, doc[j].idx)
        if found is not None and found.text.lower() in _TITLE_MODIFIERS:
            # "deputy communications director": the modifier opens a longer title.
            later = next(
                (
                    t
                    for k in (j + 1, j + 2)
                    if k < len(doc)
                    and all(_may_precede_title(w) for w in doc[j + 1 : k])
                    and (t := _vocabulary_title_at(doc, doc[k].idx)) is not None
                ),
                None,
            )
            if later is not None:
                found = doc[j : later.end]
        if (
            found is None
            and j + 1 < len(doc)
            and doc[j].lower_ == "head"
            and doc[j + 1].lower_ == "of"
        ):
            found = doc[j : j + 1]  # "head of the ICE field office in Dallas"
        if (
            found is not None
            and j > i
            and found[0].is_title
            and any(t.is_lower and t.lower_ not in _TAIL_JOINERS for t in found)
        ):
            found = None  # "the State Police superintendent": "Police" belongs to the name
        if found is not None:
            # "legislative director" is the title as written; "patrol" in "a patrol spokesman"
            # names the agency and "longtime" only the tenure.
            first = j
            while first > i and (
                doc[first - 1].lower_ in _TITLE_MODIFIERS
                or (
                    doc[first - 1].pos_ == "ADJ"
                    and doc[first - 1].lower_ not in _TENURE_WORDS
                    and not doc[first - 1].is_title
                )
            ):
                first -= 1
            stop = _lower_case_tail(doc, found.end)
            if (
                stop + 2 < len(doc)
                and any(t.lower_ in ("of", "for") for t in doc[first:stop])
                and doc[stop].lower_ == "and"
                and doc[stop + 1].is_title
                and doc[stop + 2].lower_ in ("of", "for", "at", "with", ",")
            ):
                stop += 2  # "Director of Communications and Outreach for the ..."
            return doc[first:stop], stop
    return None


# Titles that after a person's possessive name a relation ("Morrison's supervisor", "Diaz's
# attorney"), not an office.
_RELATIONS = {"supervisor", "attorney", "lawyer", "boss", "manager", "deputy"}


def _relation_at(doc: Doc, i: int) -> bool:
    return i < len(doc) and doc[i].lower_ in _RELATIONS


def _lower_case_tail(doc: Doc, end: int) -> int:
    """End of a lower-case "of"/"for" phrase that completes a title ("chief of corrections",
    "associate administrator for recovery"); ``end`` itself when none follows. A phrase with
    a determiner ("for the department") names whom the title serves, not the title."""
    if end + 1 >= len(doc) or doc[end].lower_ not in ("of", "for"):
        return end
    k = end + 1
    while (
        k < len(doc)
        and k - end <= 3
        and doc[k].is_lower
        and doc[k].is_alpha
        and (doc[k].pos_ in ("NOUN", "ADJ") or (doc[k].lower_ == "and" and k > end + 1))
    ):
        k += 1
    while k > end + 1 and doc[k - 1].pos_ != "NOUN":
        k -= 1
    return k if k > end + 1 else end


def _may_precede_title(token: Token) -> bool:
    """A word that may stand between an apposition's opener and its title."""
    if token.lower_ in _TENURE_WORDS or token.lower_ in _TITLE_MODIFIERS or token.like_num:
        return True
    if token.pos_ == "PROPN":
        return token.is_alpha or token.is_upper  # "the Marion County sheriff", "parish"
    return token.pos_ in ("NOUN", "ADJ")


# Elected or appointed bodies whose members hold a public office ("a member of the county
# board of supervisors", "a member of the Elk Grove City Council").
_BODY_NOUNS = {
    "board", "council", "commission", "committee", "legislature", "house", "senate",
    "assembly", "delegation", "court", "caucus",
}  # fmt: skip
_BODY_OF_WORDS = {
    "supervisors", "commissioners", "education", "aldermen", "trustees", "directors",
    "selectmen", "alders", "freeholders",
}  # fmt: skip


def _member_of(doc: Doc, i: int) -> Span | None:
    """ "member of the county board of supervisors" at token ``i``: the title through the
    body's name, when the body is a board, council, commission or house."""
    if i + 3 >= len(doc) or doc[i].lower_ != "member" or doc[i + 1].lower_ != "of":
        return None
    j = i + 2
    end = 0
    while j < len(doc) and j - i <= 9 and not doc[j].is_punct:
        word = doc[j].lower_
        if word in _BODY_NOUNS:
            end = j + 1
            if (
                end + 1 < len(doc)
                and doc[end].lower_ == "of"
                and doc[end + 1].lower_ in _BODY_OF_WORDS
            ):
                end += 2
        elif not (
            doc[j].text[:1].isupper()
            or word
            in ("the", "city", "county", "state", "town", "school", "village", "tribal", "u.s.")
        ):
            break
        j += 1
    return doc[i:end] if end else None


_POSSESSIVES = {"'s", "’s", "'", "’"}
_TENURE_WORDS = {
    "longtime",
    "long-time",
    "veteran",
    "new",
    "current",
    "former",
    "newly",
    "other",
    "incumbent",
    "outgoing",
    "incoming",
    "retiring",
}


def _vocabulary_title_at(doc: Doc, begin: int) -> Span | None:
    """The longest vocabulary title starting at character ``begin``."""
    text = doc_text(doc)
    for length, known in _titles_by_length():
        stop = begin + length
        if text[begin:stop].lower() not in known or (stop < len(text) and text[stop].isalnum()):
            continue
        span = doc.char_span(begin, stop)
        if span is not None:
            return span
    return None


_TAIL_JOINERS = {"of", "for", "and", "the", "&"}


def _joins_hyphen(doc: Doc, i: int) -> bool:
    """Whether token ``i`` is a hyphen inside one word ("Eva" "-" "Marie")."""
    return (
        0 < i < len(doc) - 1
        and doc[i].text == "-"
        and not doc[i - 1].whitespace_
        and not doc[i].whitespace_
    )


def _long_titles(doc: Doc) -> dict[int, Span]:
    """Capitalised titles that run on with "for"/"of" before a name ("Deputy Attorney General
    for Civil Rights Ana Ruiz", "Assistant Secretary of Homeland Security for Policy Ray
    Kell"), as the name's start token -> the whole title; the name is the last two words of
    the capitalised run, or the PERSON entity that ends it."""
    found: dict[int, Span] = {}
    person_starts = {e.end: e.start for e in doc.ents if e.label_ == "PERSON"}
    lowers = token_lowers(doc)
    for k in range(1, len(doc) - 3):
        if lowers[k] not in ("for", "of"):
            continue
        title = _title_before(doc, k)
        if title is None or not title.text[:1].isupper():
            continue
        # The capitalised run after "for"/"of", as word starts: "Eva-Marie" is one word.
        words: list[int] = []
        j = k + 1
        while j < len(doc) and j - k <= 12:
            token = doc[j]
            if _joins_hyphen(doc, j) and words:
                j += 2
            elif not token.is_punct and (token.text[:1].isupper() or token.lower_ in _TAIL_JOINERS):
                words.append(j)
                j += 1
            else:
                break
        if len(words) < 3:
            continue
        name_start = person_starts.get(j, words[-2])
        if not words[0] < name_start <= words[-2] or j - name_start > 5:
            continue
        tail = doc[k + 1 : name_start]
        if tail[-1].lower_ in _TAIL_JOINERS or not any(t.text[:1].isupper() for t in tail):
            continue
        name = [t for t in doc[name_start:j] if t.text != "-"]
        if title.start > 0 and doc[title.start - 1].lower_ in (",", "and", "&"):
            continue  # "Ana Ruiz, Executive Director of the Harbor Immigrant Network."
        if name[-1].lower_ in _ORGANISATION_NOUNS or name[-1].text.endswith("."):
            continue  # "... Founder of Ceres Robotics Inc."
        if any(
            not _is_name_word(t.text)
            or t.lower_ in _NOT_NAME_WORDS
            or t.lower_ in _title_first_words()
            for t in name
        ):
            continue
        found[name_start] = doc[_with_modifiers(doc, title).start : name_start]
    return found


# Words that make a title another title of the same kind ("Assistant Sheriff", "Acting
# Commissioner"); kept in the title, ignored when looking up the kind.
_TITLE_MODIFIERS = {"assistant", "acting", "interim", "deputy", "associate", "senior", "special"}


def _with_modifiers(doc: Doc, title: Span) -> Span:
    """``title`` extended over capitalised modifiers before it ("Acting" + "Commissioner")."""
    start = title.start
    while (
        start > 0
        and title.start - start < 2
        and doc[start - 1].lower_ in _TITLE_MODIFIERS
        and doc[start - 1].is_title
    ):
        start -= 1
    return doc[start : title.end]


# Ranks that follow an office in "Public Information Officer Lt. Dana Kowalski": the office
# is the title the person speaks in, the rank only their grade.
_RANKS = {
    "sergeant", "sgt.", "lieutenant", "lt.", "captain", "capt.", "officer", "deputy",
    "detective", "det.", "corporal", "cpl.", "major", "maj.", "colonel", "col.",
    "commander", "cmdr.", "chief deputy", "trooper", "imam", "pastor", "rev.",
    "reverend", "rabbi", "father", "bishop", "dr.", "agent", "special agent",
}  # fmt: skip


def _is_rank(title: str) -> bool:
    """A rank, grade or honorific ("Lt. Col.", "Trooper", "Imam") rather than an office."""
    return all(word in _RANKS for word in title.lower().split())


def _office_before_rank(doc: Doc, title: Span) -> Span:
    """The office in front of a rank ("Jail Administrator Capt."), else the title itself."""
    if not _is_rank(title.text):
        return title
    office = _title_before(doc, title.start)
    while office is not None and _is_rank(office.text):
        office = _title_before(doc, office.start)  # "Lt. Col." is one rank
    if office is None and title.start > 1 and doc[title.start - 1].text == ",":
        # "A Washington State Patrol spokesperson, Trooper Kayla Brandt"
        office = _title_before(doc, title.start - 1)
        if office is not None and _is_rank(office.text):
            office = None
        if office is not None and office.start > 2 and doc[office.start - 1].lower_ == "the":
            # "A spokesman for the sheriff, Capt. Roy Dunne": the office is the spokesman's,
            # the sheriff only whom he speaks for.
            joiner = doc[office.start - 2]
            speaker = _title_before(doc, joiner.i) if joiner.lower_ in ("for", "of") else None
            office = speaker if speaker is not None and not _is_rank(speaker.text) else None
    return office if office is not None else title


_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her"}


def _title_before_comma(doc: Doc, start: int) -> tuple[Span, int] | None:
    """A lower-case title set off before a name by a comma, opened by a determiner or a
    possessive ("the county's jail administrator, Terrence Obuya"; "ICE's Phoenix field
    office director, Marisol Quintero"); returns (title, index of its owner's "'s" or -1)."""
    if start < 3 or doc[start - 1].text != "," or _vocabulary_title_at(doc, doc[start].idx):
        return None  # "A DPS spokesman, Sgt. Hollis Tunstall": the rank's own reading
    title = _title_before(doc, start - 1)
    if title is None or _is_rank(title.text):
        return None
    if any(c.isupper() for c in title.text) and not _after_the_and_a_place(doc, title.start):
        return None  # but "The Cook County Board President, Toni Reyes,"
    # Up to two words ("Phoenix", "longtime") may stand between the opener and the title;
    # adjectives next to it belong to it ("the county's top prosecutor").
    first = title.start
    while first > 0 and doc[first - 1].pos_ == "ADJ" and doc[first - 1].lower_ not in _TENURE_WORDS:
        first -= 1
    for i in range(title.start - 1, max(title.start - 4, -1), -1):
        token = doc[i]
        if token.text in ("'s", "’s"):
            return doc[first : title.end], i
        if token.lower_ in _DETERMINERS:
            return doc[first : title.end], -1
        if token.pos_ not in ("NOUN", "ADJ", "PROPN") or token.is_punct:
            return None
    return None


def _after_the_and_a_place(doc: Doc, start: int) -> bool:
    """Whether "the" and one to three capitalised words ("The Cook County") stand before
    token ``start``."""
    k = start - 1
    while k > 0 and start - k <= 3 and doc[k].is_title and doc[k].pos_ == "PROPN":
        k -= 1
    return k < start - 1 and doc[k].lower_ == "the"


# Generic owners that stand for an organisation named before ("the group's spokesperson",
# "the coalition's director"), and for the story's county or city ("the county's prosecutor").
_ORGANISATION_NOUNS = {
    "group", "organization", "organisation", "coalition", "network", "alliance", "nonprofit",
    "campaign", "union", "association", "center", "centre", "project", "council",
    "collaborative", "committee", "league", "federation", "institute", "fund", "clinic",
    "initiative", "partnership", "foundation", "caucus",
}  # fmt: skip
_GOVERNMENT_NOUNS = {"county": "county", "city": "city", "town": "city", "village": "city"}


def _name_ending_in(doc: Doc, noun: str, before: int) -> tuple[int, str] | None:
    """The last capitalised name before token ``before`` that ends with ``noun`` ("... Defense
    Coalition"), as (start character, name)."""
    for token in reversed(doc[:before]):
        if token.lower_ != noun or not token.is_title:
            continue
        start = token.i
        while start > 0 and (doc[start - 1].is_title or doc[start - 1].is_upper):
            start -= 1
        if doc[start].lower_ == "the":
            start += 1
        if start < token.i:
            return doc[start].idx, clean_surface(doc[start : token.i + 1].text)
    return None


def _owner_agency(doc: Doc, possessive: int, agencies: list[Agency], *, title: str) -> str:
    """The agency or organisation a possessive names ("ICE" in "ICE's ... director"; the
    coalition named before "the coalition's director"; the patrol for "the patrol's chief";
    the story's one county for "the county's top prosecutor", but not for "the county's
    sheriff", whose office the title implies)."""
    if possessive < 1:
        return ""
    owner = doc[possessive - 1]
    agency = agency_at(agencies, owner.idx, owner.idx + len(owner.text))
    if agency is not None:
        return agency.name
    noun = owner.lower_
    if _is_attorney_general(doc, owner.i):
        return _attorney_general_office(doc, agencies)  # "the attorney general's spokesman"
    if "public defender" in title.lower() and noun in _GOVERNMENT_NOUNS:
        return _public_defender_office(doc, owner.i, agencies)  # "the county's public defender"
    office = _OFFICE_WORDS.get(noun)
    if office is not None:
        # "the sheriff's operations commander": the story's one sheriff's office, else the one
        # named last before.
        return _nearest_of_kind(agencies, office, owner.idx)
    kind = _GOVERNMENT_NOUNS.get(noun)
    if kind is not None:
        if title_kind(title) not in ("", kind):
            return ""
        fitting = [a for a in agencies if a.agency_type == kind]
        return fitting[0].name if len(fitting) == 1 else ""
    # The agency or organisation whose name holds the noun, the one named last before it.
    named: list[tuple[int, str]] = [
        (s, a.name) for a in agencies if noun in a.name.lower().split() for s, _ in a.spans
    ]
    if not named and noun in _ORGANISATION_NOUNS:
        named = [
            (e.start_char, clean_surface(e.text))
            for e in doc.ents
            if e.label_ == "ORG"
            and noun in e.text.lower().split()
            and agency_at(agencies, e.start_char, e.end_char) is None
        ]
        if not named and (spelled := _name_ending_in(doc, noun, owner.i)):
            # A name the model did not tag ("The Prairie Immigrant Defense Coalition released").
            named = [spelled]
        if not named:
            # "The group's spokesperson": the organisation named shortly before.
            named = [
                (e.start_char, clean_surface(e.text))
                for e in doc.ents
                if e.label_ == "ORG"
                and owner.idx - _NEAR_CHARS <= e.start_char < owner.idx
                and agency_at(agencies, e.start_char, e.end_char) is None
            ]
    before = [item for item in named if item[0] < owner.idx]
    if before:
        return max(before)[1]
    return named[0][1] if len({name for _, name in named}) == 1 else ""


def _nearest_of_kind(agencies: list[Agency], kind: str, before: int) -> str:
    """The document's one agency of type ``kind``, else the one of that type named last
    before character ``before``, else ""."""
    fitting = [a for a in agencies if a.agency_type == kind]
    if len(fitting) == 1:
        return fitting[0].name
    named = [(s, a.name) for a in fitting for s, _ in a.spans if s < before]
    return max(named)[1] if named else ""


def _last_named_before(agencies: list[Agency], before: int) -> str:
    """The agency named last before character ``before`` (within a few sentences), else ""."""
    named = [
        (s, a.name) for a in agencies for s, _ in a.spans if before - _NEAR_CHARS <= s < before
    ]
    return max(named)[1] if named else ""


def _agency_word_before(doc: Doc, title: Span) -> bool:
    """ "an agency spokeswoman": the generic word for an agency just before a title."""
    return title.start > 0 and doc[title.start - 1].lower_ == "agency"


def _possessive_agency_before(doc: Doc, start: int, agencies: list[Agency]) -> str:
    """ "ICE's Maria Lopez": the agency whose possessive stands right before a name."""
    if start < 2 or doc[start - 1].text not in ("'s", "’s"):
        return ""
    owner = doc[start - 2]
    agency = agency_at(agencies, owner.idx, owner.idx + len(owner.text))
    return agency.name if agency is not None else ""


def _speaks_for_an_official(doc: Doc, i: int) -> bool:
    """ "for Attorney General Mia Ross" at token ``i``: the person speaks for an official
    (their office, when the text names it, is found elsewhere; never the story's agency)."""
    if i + 2 >= len(doc) or doc[i].lower_ != "for":
        return False
    title = _vocabulary_title_at(doc, doc[i + 1].idx)
    return title is not None and title.end < len(doc) and doc[title.end].is_title


def _is_attorney_general(doc: Doc, i: int) -> bool:
    """Whether token ``i`` ends "attorney general" ("the attorney general's spokesman")."""
    return i > 0 and doc[i].lower_ == "general" and doc[i - 1].lower_ == "attorney"


# How a text names a state attorney general's office: "the Ohio Attorney General's Office",
# "the Office of the Attorney General", "the Minnesota Department of Justice".
_AG_OFFICE = re.compile(
    r"\b(?:Office of the (?:[A-Z][a-z]+ ){0,2}Attorney General"
    r"|(?:[A-Z][a-z]+ ){1,2}Attorney General['’]s Office"
    r"|(?!U\.S\.|United States|Federal)(?:[A-Z][a-z]+ ){1,2}Department of Justice)\b"
)


def _attorney_general_office(doc: Doc, agencies: list[Agency]) -> str:
    """The state attorney general's office as the text names it (an agency of the document,
    else the first name of that form in its text), for the attorney general's staff."""
    for agency in agencies:
        if agency.agency_type != "federal" and _AG_OFFICE.fullmatch(agency.name):
            return agency.name
    found = _AG_OFFICE.search(doc_text(doc))
    return clean_surface(found.group(0)) if found else ""


def _office_of_title(doc: Doc, title: str, span: Span | None, agencies: list[Agency]) -> str:
    """The office a title's holder works in when the title names it: a public defender's
    office, or a state attorney general's office for their staff ("Chief Deputy Attorney
    General"; the attorney general themself speaks for no agency unless the text says)."""
    words = title.lower()
    if (
        "judge" in words
        and span is not None
        and span.start > 1
        and doc[span.start - 1].lower_ == "court"
    ):
        # "Washtenaw County Circuit Court Chief Judge": the court written before the title.
        k = span.start - 1
        while k > 0 and (doc[k - 1].is_title or _ORDINAL.match(doc[k - 1].text)):
            k -= 1
        if span.start - 1 - k >= 1:
            return clean_surface(doc[k : span.start].text)
    if "public defender" in words:
        before = span.start - 1 if span is not None and span.start > 0 else -1
        return _public_defender_office(doc, before, agencies)
    if "attorney general" in words and words not in ("attorney general", "state attorney general"):
        return _attorney_general_office(doc, agencies)
    return ""


def _public_defender_office(doc: Doc, before: int, agencies: list[Agency]) -> str:
    """ "<County> Public Defender's Office" for a public defender: the county written before
    the title ("Kent County Public Defender"), else the story's one county."""
    k = before
    if k >= 1 and doc[k].lower_ in ("county", "parish") and doc[k].is_title:
        start = k
        while start > 0 and doc[start - 1].is_title and doc[start - 1].pos_ == "PROPN":
            start -= 1
        if start < k:
            return f"{doc[start : k + 1].text} Public Defender's Office"
    counties = {
        m.group(0)
        for a in agencies
        if (m := re.match(r"(?:[A-Z][\w.'’-]* )+(?:County|Parish)", a.name)) is not None
    }
    return f"{counties.pop()} Public Defender's Office" if len(counties) == 1 else ""


# "Marcus Bell, who leads the Tamarind County Sheriff's Office,": the verb of a role clause
# and the title it gives when the text writes none.
_ROLE_VERBS = {
    "leads": "Head", "heads": "Head", "runs": "Head", "oversees": "Head",
    "directs": "Director", "commands": "Commander", "chairs": "Chair", "manages": "Manager",
}  # fmt: skip


def _role_clause_after(doc: Doc, end: int, agencies: list[Agency]) -> tuple[str, str] | None:
    """(title, agency) from ", who leads the X" after a name, when X is an agency or a
    public body written in lower case ("the county board"); None otherwise."""
    if end + 3 >= len(doc) or doc[end].text != "," or doc[end + 1].lower_ != "who":
        return None
    title = _ROLE_VERBS.get(doc[end + 2].lower_)
    if title is None:
        return None
    i = end + 3
    if doc[i].lower_ == "the":
        i += 1
    stop = next((t.i for t in doc[i : i + 12] if t.is_punct and t.text not in ("'s", "’s")), i + 12)
    stop = min(stop, len(doc))
    agency = agency_at(agencies, doc[i].idx, doc[stop - 1].idx + 1)
    if agency is not None:
        return title, agency.name
    if doc[i].is_title:
        # "who chairs the House Judiciary Committee": a public body by its name; "who runs the
        # Harbor Tenants Union": running a group is no office.
        k = i
        while k < stop and (
            doc[k].is_title
            or doc[k].is_upper
            or (doc[k].lower_ == "of" and k + 1 < stop and doc[k + 1].is_title)
        ):
            k += 1
        if doc[i].lower_ in _BODY_NOUNS and _names_a_body(doc[i:k]):
            # "who chairs the Board of Selectmen": the generic name of the town's board.
            return title, _body_agency(doc[i:k], agencies)
        if k - i >= 2 and doc[k - 1].lower_ in _BODY_NOUNS and doc[k - 1].lower_ != "caucus":
            return title, clean_surface(doc[i:k].text)
        return None
    # "who chairs the county board", "who oversees the jail", "who chairs the board of
    # selectmen": a public body named in lower case; its agency when the story has one such.
    phrase = doc[i:stop]
    if len(phrase) <= 6 and (
        phrase[-1].lower_ in _BODY_NOUNS | set(_PUBLIC_UNITS) or _names_a_body(phrase)
    ):
        return title, _body_agency(phrase, agencies)
    return None


def _names_a_body(phrase: Span) -> bool:
    """ "board of selectmen", "Board of Supervisors": a body named by its members."""
    return (
        len(phrase) == 3
        and phrase[0].lower_ in _BODY_NOUNS
        and phrase[1].lower_ == "of"
        and phrase[2].lower_ in _BODY_OF_WORDS
    )


# Lower-case units of a public agency and the agency type they belong to.
_PUBLIC_UNITS = {
    "jail": "sheriff", "department": "", "office": "", "agency": "", "division": "",
    "bureau": "", "unit": "", "patrol": "state", "detention center": "sheriff",
}  # fmt: skip
_BODY_KINDS = {
    "board": "county", "commission": "county", "council": "city", "supervisors": "county",
    "commissioners": "county", "aldermen": "city", "legislature": "county",
    "selectmen": "city", "alders": "city", "trustees": "city", "freeholders": "county",
}  # fmt: skip


def _body_agency(phrase: Span, agencies: list[Agency]) -> str:
    """The agency a lower-case body or unit stands for ("the county board" -> the story's
    one county; "the jail" -> its one sheriff's office), else ""."""
    named = agency_at(agencies, phrase.start_char, phrase.end_char)
    if named is not None:
        return named.name
    words = [t.lower_ for t in phrase]
    kind = next((_GOVERNMENT_NOUNS[w] for w in words if w in _GOVERNMENT_NOUNS), "")
    kind = kind or _BODY_KINDS.get(words[-1], "") or _PUBLIC_UNITS.get(words[-1], "")
    if words[-1] in ("department", "office") and "police" in words:
        kind = "police"
    if words[-1] in _PUBLIC_UNITS and (
        office := next((w for w in words if w in _OFFICE_WORDS), "")
    ):
        kind = _OFFICE_WORDS[office]  # "the sheriff's patrol division"
    fitting = [a for a in agencies if a.agency_type == kind] if kind else []
    return fitting[0].name if len(fitting) == 1 else ""


# The word after "the" in "a spokesman for the sheriff's office" -> the type of agency.
_OFFICE_WORDS = {"sheriff": "sheriff", "police": "police", "jail": "sheriff", "mayor": "city"}


_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
# Units of an organisation numbered after their name ("Lodge 12", "Local 32BJ", "Precinct 4").
_NUMBERED_UNITS = {"lodge", "local", "precinct", "district", "post", "chapter", "ward"}


def _organisation_after(doc: Doc, i: int, agencies: list[Agency]) -> str:
    """The agency or organisation named after "of"/"for"/"with"/"at" following a title."""
    if i >= len(doc) or doc[i].lower_ not in ("of", "for", "with", "at"):
        return ""
    j = i + 1
    if j + 1 < len(doc) and doc[j].lower_ == "the" and doc[j + 1].lower_ == "agency":
        # "a spokeswoman for the agency": the agency named last before.
        return _last_named_before(agencies, doc[j].idx)
    if j < len(doc) and doc[j].lower_ == "the":
        # "a spokesman for the sheriff's office": the agency the phrase refers back to.
        words = doc[j : j + 4]
        named = agency_at(agencies, words.start_char, words.end_char)
        if named is not None and doc[j].idx in {s for s, _ in named.spans}:
            return named.name
        kind = _OFFICE_WORDS.get(doc[j + 1].lower_) if j + 1 < len(doc) else None
        if kind is not None and not doc[j + 1].is_title:
            # Too far from its name for the agencies' own reading: the story's one such office.
            fitting = [a for a in agencies if a.agency_type == kind]
            if len(fitting) == 1:
                return fitting[0].name
        k = j + 1
        while k < len(doc) and k - j <= 5 and doc[k].is_lower and doc[k].is_alpha:
            k += 1
        if k == j + 2 and doc[j + 1].lower_ in _ORGANISATION_NOUNS:
            # "board chair of the council": the organisation of that kind named before.
            named_before = _owner_agency(doc, j + 2, agencies, title="")
            if named_before and not set(named_before.lower().split()) & set(_GOVERNMENT_NOUNS):
                return named_before  # not "the Dover City Council", which is the city's
        if k > j + 1 and doc[j + 1].lower_ in _BODY_NOUNS | set(_GOVERNMENT_NOUNS):
            # "chairman of the board", "a member of the county commission"
            return _body_agency(doc[j + 1 : k], agencies)
        j += 1
    k = j
    if k + 1 < len(doc) and _ORDINAL.match(doc[k].text) and doc[k + 1].is_title:
        k += 1  # "the 14th Circuit Court"
    while k < len(doc) and (
        (
            (doc[k].is_title or doc[k].is_upper or doc[k].lower_ in ("of", "and", "for", "&"))
            and not doc[k].is_punct
        )
        or (  # "St. Mark's Lutheran Church"
            doc[k].text in ("'s", "’s") and k > j and k + 1 < len(doc) and doc[k + 1].is_title
        )
    ):
        k += 1
    while k > j and doc[k - 1].lower_ in ("of", "and", "for", "&"):
        k -= 1
    if k > j and k < len(doc) and doc[k].is_digit and doc[k - 1].lower_ in _NUMBERED_UNITS:
        k += 1  # "Fraternal Order of Police Lodge 12"
    if k == j:
        return ""
    # "Senior Vice President of Sales for Dräger": the organisation follows the last "for"
    # when a single-word department stands before it.
    split = next((t.i for t in doc[j:k] if t.lower_ == "for" and t.i - j == 1), None)
    if split is not None:
        j = split + 1
    phrase = doc[j:k]
    agency = agency_at(agencies, phrase.start_char, phrase.end_char)
    if agency is not None and agency.agency_type == "federal" and state_code(phrase[0].text):
        # "the California Department of Justice" is the state's, not the federal one.
        return clean_surface(phrase.text)
    led_by = _vocabulary_title_at(doc, phrase.start_char) if agency is None else None
    if led_by is not None and led_by.end < k:
        # "a spokesman for Attorney General Mia Ross", "an aide to Sheriff Ray Cole": a person
        # by their title stands for their office.
        if "attorney general" in led_by.text.lower():
            return _attorney_general_office(doc, agencies)
        kind = title_kind(led_by.text)
        return _nearest_of_kind(agencies, kind, phrase.start_char) if kind else ""
    if agency is None and k < len(doc) and doc[k].lower_ == "police":
        # "spokesperson for the Pinecrest police": the place's department.
        wanted = f"{clean_surface(phrase.text)} Police Department"
        agency = next((a for a in agencies if a.name == wanted), None)
    return agency.name if agency is not None else clean_surface(phrase.text)


def _clean_name(span: Span) -> tuple[str, int, int]:
    """Name text and char offsets without a trailing possessive or leading honorific."""
    tokens = list(span)
    # "Jeff Bezos’s Blue Origin" tagged as one PERSON: the name ends at the possessive.
    cut = next((k for k, t in enumerate(tokens) if t.text in ("'s", "’s") and k > 0), None)
    if cut is not None:
        tokens = tokens[:cut]
    while tokens and (tokens[-1].text in ("'s", "’s", "'", "’") or tokens[-1].is_punct):
        tokens.pop()
    while tokens and tokens[0].lower_ in _HONORIFICS:
        tokens.pop(0)
    # "Jordan Haugen\nPhone: ..." in a contact block: the label is no part of the name.
    while len(tokens) > 2 and tokens[-1].lower_ in _CONTACT_LABELS:
        tokens.pop()
    if not tokens:
        return "", span.start_char, span.start_char
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    return _NICKNAME.sub(" ", doc_text(span.doc)[start:end]), start, end


_NICKNAME = re.compile(r"\s+[\"“‘'][^\"”’'\s]+[\"”’']\s+")


def _agency_for_title(doc: Doc, title: Span, agencies: list[Agency]) -> str:
    """An agency a title is part of ("Omaha Police Chief") or sits right after ("Ramsey County Sheriff")."""
    agency = agency_at(agencies, title.start_char, title.end_char)
    # "ICE Miami Field Office Director": the agency may open the capitalised run before it.
    i = title.start - 1
    while agency is None and i >= 0 and title.start - i <= 3:
        before = doc[i]
        agency = agency_at(agencies, before.idx, before.idx + len(before.text))
        if not (before.is_title or before.is_upper):
            break
        i -= 1
    return agency.name if agency is not None else ""


# Chambers whose committees' chairs are titled by the committee's name ("Senate Judiciary
# Committee Chair"); members of a county or city body whose place name stands before the
# title ("Utah County Commissioner" -> "Commissioner").
_CHAMBERS = {"senate", "house", "assembly", "council"}
_COMMITTEES = {"committee", "subcommittee"}
_MEMBERS_OF_A_PLACE = {
    "commissioner", "supervisor", "legislator", "public information officer",
}  # fmt: skip


def _as_written(doc: Doc, title: Span) -> Span:
    """``title`` as the text gives the office: over the committee's name before a committee
    title ("Senate Judiciary Committee Chair"), and without a "County" or "City" that belongs
    to the place before it ("Utah County Commissioner" -> "Commissioner")."""
    first = title.start
    if first > 0 and doc[first - 1].lower_ in _COMMITTEES and doc[first - 1].is_title:
        first -= 1  # "Committee" + "Chairman"
    if doc[first].lower_ in _COMMITTEES:
        for k in range(first - 1, max(first - 5, -1), -1):
            token = doc[k]
            if not token.is_title or token.ent_type_ in ("GPE", "PERSON"):
                break
            if token.lower_ in _CHAMBERS:
                return doc[k : title.end]
    if (
        len(title) > 1
        and title[0].lower_ in ("county", "parish", "city")
        and title.start > 0
        and doc[title.start - 1].is_title
        and doc[title.start - 1].pos_ == "PROPN"
        and title[1:].text.lower() in _MEMBERS_OF_A_PLACE
    ):
        return title[1:]
    return title


def _acronym_before(doc: Doc, title: Span) -> str:
    """ "FEMA" in "FEMA Administrator Deanne Criswell": an organisation's acronym right before
    a title, for when no known agency fits."""
    if title.start < 1:
        return ""
    before = doc[title.start - 1]
    if (
        before.is_upper
        and before.is_alpha
        and len(before.text) >= 3
        and before.ent_type_ == "ORG"
        and before.text not in _PARTIES
    ):
        return before.text
    return ""


# Party acronyms before a title ("GOP Gov. Matt Bevin") name no agency.
_PARTIES = {"GOP", "DFL", "DNC", "RNC", "DSA"}


def _agency_after_comma(doc: Doc, i: int, agencies: list[Agency]) -> str:
    """The agency in a contact line's next field ("Ellen Marquardt, Public Information
    Officer, Dane County Sheriff's Office, (608) ...")."""
    if i + 1 >= len(doc) or doc[i].text != ",":
        return ""
    j = i + 1
    if doc[j].lower_ == "the" and j + 1 < len(doc):
        j += 1
    agency = agency_at(agencies, doc[j].idx, doc[j].idx + len(doc[j].text))
    return agency.name if agency is not None else ""


_CONTACT = re.compile(r"\b(?:contact|inquiries)\s*:", re.IGNORECASE)


def _headline_end(doc: Doc) -> int:
    """End of the first paragraph when the document has more than one (the headline); 0
    when that paragraph has several lines (a release's contact block, not a headline)."""
    text = doc_text(doc)
    cut = text.find("\n\n")
    if cut <= 0 or "\n" in text[:cut].strip() or _CONTACT.search(text[:cut]):
        return 0
    return cut


def title_kind(title: str) -> str:
    """The agency type a title implies ("Acting Sheriff" -> sheriff), or ""."""
    words = title.lower().split()
    while words:
        kind = title_kinds().get(" ".join(words))
        if kind:
            return kind
        if words[0] not in _TITLE_MODIFIERS:
            break
        words = words[1:]
    return ""


@functools.cache
def _led_by() -> dict[str, str]:
    """Canonical agency name -> the title kind of its head, where it differs from its type."""
    return {entry["name"]: entry["led_by"] for entry in known_agencies() if "led_by" in entry}


def _main_agency(agencies: list[Agency]) -> str:
    """The agency a document is mostly about: the local one named most often (federal ones
    only when there is no local one); "" when two share the lead."""
    local = [a for a in agencies if a.agency_type != "federal"] or agencies
    ranked = sorted(local, key=lambda a: -a.named_mentions)
    if not ranked or (len(ranked) > 1 and ranked[0].named_mentions == ranked[1].named_mentions):
        return ""
    return ranked[0].name


def _agency_by_kind(doc: Doc, person: _Person, agencies: list[Agency]) -> str:
    """The agency a title implies when the text leaves one choice: the nearest before in the
    same sentence, else the only agency of that type in the document. A spokesperson with
    no agency of their own speaks for the document's main agency."""
    kind = title_kind(person.title)
    if kind in ("", "spokesperson") and _serves_an_agency(person.title):
        # "The county's Department of Corrections agreed ..., Director Sam Pruitt said": a
        # director, spokesperson or officer speaks for the one agency their sentence names.
        for back in (0, 1):
            # Their sentence, else the one before ("The state police patrol ... Trooper X,
            # a department spokeswoman, said ...").
            named = _sentence_agencies(doc, person.spans[0], agencies, back=back)
            named = [a for a in named if a.agency_type != "federal"]
            if len(named) == 1:
                return named[0].name
            if named:
                break
    if not kind:
        # "Capt. Dan Ruiz" with no agency near: a rank serves the story's one police force.
        return _main_enforcer(agencies) if _is_rank(person.title) else ""
    if kind == "spokesperson":
        return _main_agency(agencies)
    fitting = [a for a in agencies if a.agency_type == kind or _led_by().get(a.name) == kind]
    if not fitting and kind in _ENFORCER_TYPES and _is_command_rank(person.title):
        # "Deputy Chief X" in a story about a sheriff's office: a command rank of its force.
        return _main_enforcer(agencies)
    first = person.spans[0][0]
    name = doc.char_span(first, person.spans[0][1], alignment_mode="expand")
    sentence_start = name.sent.start_char if name is not None else first
    before = [(s, a) for a in fitting for s, _ in a.spans if sentence_start <= s < first]
    if before:
        return max(before, key=lambda item: item[0])[1].name
    # "Commissioner X" in the section about one county: the one fitting agency named in the
    # few sentences before; a story moves from place to place.
    near = {a.name for a in fitting for s, _ in a.spans if first - _NEAR_CHARS <= s < first}
    if len(near) == 1:
        return near.pop()
    if len(fitting) == 1:
        return fitting[0].name
    # Several fitting agencies: the one the story is about, when it is named most.
    ranked = sorted(fitting, key=lambda a: -a.named_mentions)
    if len(ranked) > 1 and ranked[0].named_mentions > ranked[1].named_mentions:
        return ranked[0].name
    return ""


_ENFORCER_TYPES = ("police", "sheriff", "state")
# Command ranks that police departments and sheriff's offices share.
_COMMAND_RANKS = {"deputy chief", "assistant chief", "chief deputy", "commander", "deputy"}


def _is_command_rank(title: str) -> bool:
    return " ".join(title.lower().split()) in _COMMAND_RANKS


def _main_enforcer(agencies: list[Agency]) -> str:
    """The story's law-enforcement agency: its only local police force, sheriff's office or
    state police, else the one named most when it leads clearly; "" otherwise."""
    forces = [a for a in agencies if a.agency_type in _ENFORCER_TYPES]
    ranked = sorted(forces, key=lambda a: -a.named_mentions)
    if len(ranked) == 1 or (
        len(ranked) > 1 and ranked[0].named_mentions > ranked[1].named_mentions
    ):
        return ranked[0].name
    return ""


# Titles of people who serve an agency rather than hold an elected or party office: their
# agency may be the one their sentence is about.
_SERVICE_WORDS = {
    "director", "spokesperson", "spokesman", "spokeswoman", "officer", "administrator",
    "warden", "commander", "superintendent", "manager", "coordinator", "inspector",
}  # fmt: skip


# Directors of advocacy groups and campaigns, not of agencies.
_ORGANISATION_DIRECTORS = {
    "executive", "legal", "policy", "organizing", "campaign", "co-executive", "legislative",
    "communications", "program", "research",
}  # fmt: skip


def _serves_an_agency(title: str) -> bool:
    words = title.lower().split()
    if not words or (words[-1] == "director" and words[0] in _ORGANISATION_DIRECTORS):
        return False
    return _is_rank(title) or words[-1] in _SERVICE_WORDS or title_kind(title) == "spokesperson"


_NEAR_CHARS = 600


def _sentence_agencies(
    doc: Doc, span: CharSpan, agencies: list[Agency], *, back: int = 0
) -> list[Agency]:
    """Distinct agencies named in the sentence holding character range ``span`` (or the
    sentence ``back`` sentences before it)."""
    name = doc.char_span(span[0], span[1], alignment_mode="expand")
    if name is None:
        return []
    sent = name.sent
    for _ in range(back):
        if sent.start == 0:
            return []
        sent = doc[sent.start - 1].sent
    return [
        a for a in agencies if any(sent.start_char <= s and e <= sent.end_char for s, e in a.spans)
    ]


def _titled_name_in(doc: Doc, ent: Span) -> Span | None:
    """A name inside a non-PERSON entity that opens with a title ("Undersheriff Karen Holt" tagged ORG).

    Returns the span from the title on, so the title is read as for a PERSON entity."""
    if ent.label_ not in ("ORG", "GPE", "NORP", "FAC", "PRODUCT", "WORK_OF_ART", "LAW"):
        return None
    # The title may open the entity, sit inside it ("... School District Superintendent Gloria
    # Méndez-Hart") or begin before it ("Special Agent in" + "Charge Dennis Harlow").
    for split in range(ent.start + 1, ent.end - 1):
        if _title_before(doc, split) is None and not _plural_title(doc[split - 1].text):
            continue
        rest = doc[split : ent.end].text.split()
        if 2 <= len(rest) <= 3 and all(_is_name_word(w) for w in rest):
            return Span(doc, split, ent.end, label="PERSON")
    return None


def _nickname_end(doc: Doc, i: int) -> int:
    """End of a quoted nickname at token ``i`` (`"Roy"` in `Rogelio "Roy" Saldaña`), else ``i``."""
    if i + 2 < len(doc) and doc[i].is_quote and doc[i + 1].is_title and doc[i + 2].is_quote:
        return i + 3
    return i


def _name_end(doc: Doc, start: int) -> int:
    """End of a two- or three-word capitalised name starting at token ``start`` (0 if none);
    "Ruiz-Park" counts as one word, a quoted nickname none."""
    i, words = start, 0
    while i < len(doc) and words < 3:
        if words:
            i = _nickname_end(doc, i)
        if i >= len(doc):
            break
        token = doc[i]
        if not (token.is_title or token.is_upper) or not _is_name_word(token.text):
            break
        if token.lower_ in _NOT_NAME_WORDS or token.lower_ in _title_first_words():
            break
        i += 1
        while (
            i + 1 < len(doc)
            and doc[i].text == "-"
            and not doc[i - 1].whitespace_
            and not doc[i].whitespace_
            and doc[i + 1].is_title
        ):
            i += 2
        words += 1
    return i if words >= 2 else 0


def _untagged_names(
    doc: Doc, agencies: list[Agency], long_titles: dict[int, Span]
) -> tuple[list[Span], set[int]]:
    """Names the model did not tag PERSON but a title marks: after a title ("Sheriff Harlan
    Estrada" tagged ORG) or before an apposition title ("Rita Gonsalves, chair of ...").

    Also the start tokens of PERSON entities such a name replaces: the model splits a name
    around a quoted nickname (`Tomas` + `Tommy" Arriaga`)."""
    taken = [(e.start, e.end) for e in doc.ents if e.label_ == "PERSON"]
    found: list[Span] = []
    replaced: set[int] = set()

    def add(start: int, end: int) -> None:
        span = doc[start:end]
        if any(_nickname_end(doc, k) > k for k in range(start + 1, end)):
            replaced.update(s for s, e in taken if s < end and start < e and start <= s)
            taken[:] = [(s, e) for s, e in taken if s not in replaced]
        if any(s < end and start < e for s, e in taken):
            return
        if agency_at(agencies, span.start_char, span.end_char) is not None:
            return
        taken.append((start, end))
        found.append(Span(doc, start, end, label="PERSON"))

    for start in long_titles:
        add(start, _name_end(doc, start) or start + 2)
    # Only title-case tokens can start a name: find them in one array instead of a Python
    # loop over every token.
    for i in numpy.flatnonzero(doc.to_array(IS_TITLE)).tolist():
        token = doc[i]
        if _title_before(doc, token.i) is not None:
            end = _name_end(doc, token.i)
            if end and (end == len(doc) or not doc[end].is_title):
                add(token.i, end)
                continue
        if token.i > 0 and doc[token.i - 1].is_title:
            continue  # inside a longer capitalised phrase
        end = _name_end(doc, token.i)
        if (
            end
            and end < len(doc)
            and (
                (
                    doc[end].text in _APPOSITION_OPENERS
                    and (_title_after(doc, end) or _role_clause_after(doc, end, agencies))
                )
                or _title_taken_up(doc, end)
                or _title_in_clause(doc, end)
            )
        ):
            add(token.i, end)
        elif end and (end == len(doc) or not doc[end].is_title) and _title_before_comma(doc, i):
            add(token.i, end)  # "Dayton's mayor, Hugo Frey, said" with the name tagged otherwise
    return found, replaced


def _untagged_given_name(doc: Doc, start: int) -> bool:
    """Whether the token before a one-word PERSON entity at ``start`` is a given name the
    model left out: a capitalised proper noun of no other entity, opening its sentence or
    clause, not a title ("Sheriff Ruelas") nor a word that cannot be a name."""
    if start < 1 or (start + 1 < len(doc) and doc[start + 1].ent_type_ == "PERSON"):
        return False
    given = doc[start - 1]
    if (
        given.pos_ != "PROPN"
        or not given.is_title
        or given.ent_type_
        or not _is_name_word(given.text)
        or given.text.endswith(".")
        or given.lower_ in _NOT_NAME_WORDS
        or given.lower_ in _title_first_words()
        or _title_before(doc, start) is not None
    ):
        return False
    return given.i == 0 or given.is_sent_start or doc[given.i - 1].is_punct


def _plural_title_before(doc: Doc, start: int) -> str:
    """The singular title of a plural one before a name or a list of names ("Commissioners
    Ruth Hale and Ben Ochoa", "Councilmembers Ann Fry, Lee Dunn and Ida Moss"), or ""."""
    i = start - 1
    # Walk back over earlier names of the list: "Ruth Hale and" / "Ann Fry,".
    while i > 0 and doc[i].lower_ in ("and", ","):
        k = i - 1
        while (
            k >= 0
            and doc[k].is_title
            and _is_name_word(doc[k].text)
            and i - k <= 3
            and not _plural_title(doc[k].text)
        ):
            k -= 1
        if i - k < 3:
            return ""  # a name has two words at least: "Speaker, Ana Ruiz" is no list
        i = k
    if i < 0 or not doc[i].is_title or not _plural_title(doc[i].text):
        return ""
    singular = doc[i].text[:-1]
    before = _title_before(doc, i)  # "County Commissioners"
    return f"{before.text} {singular}" if before is not None else singular


@functools.cache
def _title_set() -> frozenset[tuple[str, ...]]:
    return frozenset(titles())


def _plural_title(word: str) -> bool:
    """ "Commissioners", "Councilmembers": the plural of a one-word office (not of a rank)."""
    singular = word[:-1]
    return word.endswith("s") and (singular.lower(),) in _title_set() and not _is_rank(singular)


# "Carla Benson was sworn in as sheriff", "Samuel Okafor, who became chief in 2022": a title
# taken up in a clause after the name.
_TAKE_UP = (
    ("was", "sworn", "in", "as"), ("was", "elected"), ("was", "appointed"), ("was", "named"),
    ("was", "hired", "as"), ("was", "promoted", "to"), ("became",), ("is", "serving", "as"),
    ("serves", "as"), ("has", "served", "as"), ("took", "over", "as"), ("has", "been"),
    ("elected",), ("appointed",), ("took", "office", "as"),
)  # fmt: skip


def _title_taken_up(doc: Doc, end: int) -> tuple[Span, int] | None:
    """The title a clause after a name gives ("was sworn in as sheriff", ", who became
    chief"); returns (title, next token)."""
    i = end
    if i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].lower_ == "who":
        i += 2
    elif i + 1 < len(doc) and doc[i].text == "," and doc[i + 1].lower_ in ("elected", "appointed"):
        i += 1  # "Ray Oduya, elected sheriff in 2018,"
    lowers = token_lowers(doc)
    for words in _TAKE_UP:
        if tuple(lowers[i : i + len(words)]) != words:
            continue
        j = i + len(words)
        if j < len(doc) and doc[j].lower_ in ("the", "a", "an", "its", "interim", "acting"):
            j += doc[j].lower_ in ("the", "a", "an", "its")
        if j >= len(doc):
            return None
        found = _vocabulary_title_at(doc, doc[j].idx)
        if found is None:
            return None
        return _with_modifiers(doc, found) if doc[j - 1].is_title else found, found.end
    return None


def _fitting_agency(organisation: str, title: str, agencies: list[Agency]) -> str:
    """The agency of the title's kind whose name holds ``organisation`` ("Dunn County" for a
    sheriff -> Dunn County Sheriff's Office), else ``organisation`` as found."""
    kind = title_kind(title)
    if not organisation or not kind or any(a.name == organisation for a in agencies):
        return organisation
    fitting = [a for a in agencies if a.agency_type == kind and organisation in a.name]
    return fitting[0].name if len(fitting) == 1 else organisation


def _candidates(doc: Doc, agencies: list[Agency]) -> list[_Person]:
    people: list[_Person] = []
    headline_end = _headline_end(doc)
    long_titles = _long_titles(doc)
    untagged, replaced = _untagged_names(doc, agencies, long_titles)
    entities = [
        e for e in doc.ents if not (e.label_ == "PERSON" and e.start in replaced)
    ] + untagged
    for entity in entities:
        ent = entity if entity.label_ == "PERSON" else _titled_name_in(doc, entity)
        if ent is None:
            continue
        # Title-case headlines fool the model ("Mayor Nguyen Signs Executive Order"): a name
        # seen only in the headline is not trusted.
        if ent.end_char <= headline_end and ent.text not in doc_text(doc)[headline_end:]:
            continue
        # The model sometimes takes the title into the name ("Sheriff Kevin McMahill").
        start = ent.start
        while (
            start < ent.end - 1
            and _title_before(doc, start + 1) is not None
            and any(doc[start].lower_ == words[-1] for words in titles())
        ):
            start += 1
        # "Senate President" + "Pro Tem Ray Billings": a title begun before the entity.
        start = next(
            (
                k
                for k in range(ent.end - 2, start, -1)
                if (inside := _title_before(doc, k)) is not None and inside.start < ent.start
            ),
            start,
        )
        if ent.label_ == "PERSON" and start == ent.start and _untagged_given_name(doc, start):
            # "Hector Ruelas, the district attorney," tagged PERSON from "Ruelas" on.
            start -= 1
        # "Civil Rights Ana Ruiz" tagged PERSON after "Deputy Attorney General for": the
        # capitalised run belongs to the title.
        start = next((k for k in long_titles if start < k < ent.end), start)
        end = ent.end
        # "Eric Montaño" + "-Reyes": the tagger can stop a hyphenated surname at the hyphen.
        while (
            end + 1 < len(doc)
            and doc[end].text == "-"
            and not doc[end - 1].whitespace_
            and not doc[end].whitespace_
            and doc[end + 1].is_title
        ):
            end += 2
        name, s_char, e_char = _clean_name(doc[start:end])
        words = name.split()
        if not name or not all(
            _is_name_word(w) or (0 < k < len(words) - 1 and w in _PARTICLES)
            for k, w in enumerate(words)
        ):
            continue
        if " " not in name and {name.lower(), name.lower() + "."} & _title_first_words():
            continue  # "Sgt" of "Sgt. Luis Baca" tagged PERSON on its own
        person = _Person(name, spans=[(s_char, e_char)])
        # The longest title before the name, even where the entity took in only its end
        # ("Board Chair" with "Chair Evelyn Carter" tagged PERSON).
        title = long_titles.get(start) or _title_before(doc, start)
        if title is None and start > ent.start:
            title = doc[ent.start : start]
        if title is not None and len(title) > 0:
            title = _as_written(doc, _with_modifiers(doc, _office_before_rank(doc, title)))
        after = (_title_after(doc, end) or _title_in_clause(doc, end)) if end < len(doc) else None
        # "Sgt. Dana Oyler, Public Information Officer", "the Rev. Ann Loy, pastor of ...",
        # "Col. Ray Tam, who commands the patrol": the role after the name is the title
        # they speak in; the rank or honorific before it is only their grade.
        if (
            title is not None
            and len(title) > 0
            and _is_rank(title.text)
            and (
                (after is not None and after[0].text.lower() != title.text.lower())
                or _role_clause_after(doc, end, agencies) is not None
            )
        ):
            title = None
        before_comma = _title_before_comma(doc, start) if title is None and after is None else None
        acronym = ""
        settled = False  # the agency found is final, "" included
        if title is not None and len(title) > 0:
            person.title = title.text
            person.agency = _agency_for_title(doc, title, agencies)
            acronym = _acronym_before(doc, title)
        elif before_comma is not None:
            person.title = before_comma[0].text
            person.agency = _owner_agency(
                doc, before_comma[1], agencies, title=before_comma[0].text
            ) or (
                _last_named_before(agencies, s_char)
                if _agency_word_before(doc, before_comma[0])
                else ""
            )
        else:
            if after is not None:
                title_span, next_i = after
                person.title = title_span.text
                acronym = _acronym_before(doc, title_span) if title_span.start > end + 1 else ""
                # "Mike Tran, Henderson's police chief": the office of the place before it.
                owner = agency_at(agencies, doc[end].idx, title_span.end_char)
                # "Lucia Ferrante, the network's policy director": the network named before.
                possessive = next(
                    (t.i for t in doc[end : title_span.start] if t.text in _POSSESSIVES), -1
                )
                person.agency = (
                    _fitting_agency(
                        _organisation_after(doc, next_i, agencies), title_span.text, agencies
                    )
                    or (owner.name if owner is not None else "")
                    or _owner_agency(doc, possessive, agencies, title=title_span.text)
                    or _agency_after_comma(doc, next_i, agencies)
                    or (
                        _body_agency(title_span, agencies)
                        if title_span[0].lower_ == "member"
                        else ""
                    )
                    or (
                        _last_named_before(agencies, s_char)
                        if _agency_word_before(doc, title_span)
                        else ""
                    )
                )
                settled = _speaks_for_an_official(doc, next_i)
            elif (role := _role_clause_after(doc, end, agencies)) is not None:
                person.title, person.agency = role
            elif plural := _plural_title_before(doc, start):
                person.title = plural
                person.agency = _agency_for_title(doc, doc[start - 1 : start], agencies)
            elif (taken := _title_taken_up(doc, end)) is not None:
                person.title = taken[0].text
                person.agency = _fitting_agency(
                    _organisation_after(doc, taken[1], agencies), taken[0].text, agencies
                )
        if not person.agency and person.title and not settled:
            person.agency = (
                _organisation_after(doc, end, agencies)
                or _agency_after_comma(doc, end, agencies)
                or _office_of_title(doc, person.title, title, agencies)
                or _possessive_agency_before(doc, start, agencies)
                or _agency_by_kind(doc, person, agencies)
                or acronym
            )
        people.append(person)
    return people


def _merge(people: list[_Person]) -> list[_Person]:
    """One entry per person: full names absorb surname-only mentions."""
    merged: list[_Person] = []
    for person in sorted(people, key=lambda p: -len(p.name.split())):
        surname = person.name.split()[-1]
        same = next(
            (
                m
                for m in merged
                if m.name == person.name
                or (len(person.name.split()) == 1 and m.name.split()[-1] == surname)
            ),
            None,
        )
        if same is None:
            merged.append(_Person(person.name, person.title, person.agency, list(person.spans)))
            continue
        same.spans.extend(person.spans)
        if not same.title and person.title:
            same.title = person.title
        if not same.agency and person.agency:
            same.agency = person.agency
    return merged


def extract_officials(doc: Doc, *, agencies: list[Agency]) -> list[Official]:
    """Titled people in ``doc``, in order of first mention; untitled names are not officials."""
    people = _merge(_candidates(doc, agencies))
    officials = [
        Official(p.name, _title_case(p.title), p.agency, tuple(sorted(p.spans)))
        for p in people
        if p.title
    ]
    return sorted(officials, key=lambda o: o.spans[0])


def _title_case(title: str) -> str:
    """Keep a title as written unless it was all lower case (then capitalise it for the table)."""
    if any(c.isupper() for c in title):
        return title
    words = title.title().split()
    return " ".join(
        [words[0], *(w.lower() if w.lower() in _TAIL_JOINERS else w for w in words[1:])]
    )
