"""Direct quotations: find quoted speech of four or more words and attribute it to a speaker.

Two steps, both plain functions over a spaCy ``Doc``:

1. **Scanning** (text only, no model needed). Quotation marks are paired per
   paragraph (paragraphs are separated by blank lines, as in ``Page.text``).
   Each mark's role comes from its glyph (“ opens, ” closes) corrected by its
   context (a mark after a space and before a letter opens), so straight ``"``
   and mistyped curly marks pair as well. A stray or unbalanced mark costs at
   most its own paragraph: a mark still open at the end of a paragraph
   continues only when the next paragraph opens with a quotation mark (the news
   convention for a quote running over several paragraphs); otherwise the quote
   ends with its paragraph when it opened where speech opens (paragraph start,
   after ``,`` ``:`` or a full stop), or is dropped as a stray mark, and scanning
   starts afresh. A quote alone in its paragraph or after a short label and a
   colon, with no sentence punctuation and no speaker, is a subhead, not speech.
   Single marks (curly or straight) count
   only outside double quotes, only in opening/closing position (so the
   apostrophes of "Trump's" or an elided "'roundups" never pair) and never
   across paragraphs.
   Fewer than ``MIN_QUOTE_WORDS`` words inside the marks is a scare quote, not
   a quotation.

   Decisions: a quote running over paragraphs is **one** ``Quote`` from its
   first opening mark to its final closing mark (its text keeps the paragraph
   break and the continuation mark), because an annotator records it once by
   its first words. An interrupted quote (``"…," he said, "…."``) is **two**
   quotes with the same speaker, because ``text`` must be a contiguous slice of
   ``doc.text`` and must not contain the attribution; each part needs
   ``MIN_QUOTE_WORDS`` words on its own.

2. **Attribution** (needs the dependency parse). The cue is a reporting verb
   from ``patterns/reporting_verbs.txt`` outside quotation marks in the
   quote's sentence (extended over a sentence split off by the parser, e.g. a
   trailing ``said X.``). The cue governing the quote in the parse wins, then
   the nearest. Its subject (``nsubj``; climbing from a subjectless participle
   such as "stating," to the verb it modifies; ``pobj`` of "according to") is
   resolved with the mention spans that the agency and official extractors
   found: official > agency > PERSON entity > other organisation; pronouns and
   generic nouns ("the department", "the sheriff") go to the subject of the
   previous sentence or else the most recent mention of the right kind. A
   quote without a cue inherits the speaker of the previous quote in its
   paragraph, a cue elsewhere in its paragraph, or, for a paragraph that opens
   with the quote, the speaker introduced by the paragraph before it.

   Pronouns: a gendered pronoun skips a speaker the text shows to be of the other
   gender, and whoever a nearer pronoun of the other gender referred to ("“…,” she
   said. “…,” he said"); a reply cue ("replied", "shot back") skips the speaker of
   the quote before. Gender is learnt only from evidence that cannot be a guess: a
   gendered title or an honorific ("Ms. Ruiz") first, then a pronoun with only one
   person of that gender named in its sentences; a pronoun resolved among several
   candidates teaches nothing.

A ``Doc`` without a dependency parse still yields quotes, with unknown speakers.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from importlib import resources

import numpy
from spacy.attrs import IDX, LOWER
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from extractor.mentions import Agency, Official, Quote
from extractor.nlp import doc_text, token_starts
from extractor.officials import titles_by_first_word

__all__ = ["MIN_QUOTE_WORDS", "extract_quotes", "reporting_verbs"]

#: A quotation needs at least this many words; shorter quoted phrases are scare quotes.
MIN_QUOTE_WORDS = 4

# --- scanning ---------------------------------------------------------------

# Typographic marks by Unicode name, so the source shows which is which.
_LDQUO = "\N{LEFT DOUBLE QUOTATION MARK}"
_RDQUO = "\N{RIGHT DOUBLE QUOTATION MARK}"
_LSQUO = "\N{LEFT SINGLE QUOTATION MARK}"
_RSQUO = "\N{RIGHT SINGLE QUOTATION MARK}"
_LAQUO = "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}"
_RAQUO = "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}"
_DOUBLE_OPENERS = _LDQUO + "\N{DOUBLE LOW-9 QUOTATION MARK}" + _LAQUO
_DOUBLE_CLOSERS = _RDQUO + _RAQUO
_STRAIGHT_DOUBLE = '"'
_DOUBLE_MARKS = frozenset(_DOUBLE_OPENERS + _DOUBLE_CLOSERS + _STRAIGHT_DOUBLE)
_SINGLE_PAIRS = {_LSQUO: _RSQUO, "'": "'"}  # opening mark -> the closing mark it pairs with
_SINGLE_MARKS = frozenset(_LSQUO + _RSQUO + "'")
_DASHES = "-\N{EN DASH}\N{EM DASH}"

# What may stand right before an opening mark / right after a closing mark.
# "," and ":" are deliberately absent: 'said,"We' and '"Yes,"she' both occur.
_LEFT_FREE = frozenset("([{</" + _DASHES + _LSQUO + _DOUBLE_OPENERS)
_RIGHT_FREE = frozenset(",.;:!?)]}>/\N{HORIZONTAL ELLIPSIS}" + _DASHES + _RSQUO + _DOUBLE_CLOSERS)

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
# A word: letters/digits, with inner apostrophes ("That's", "don't") kept in one word.
_WORD = re.compile("[^\\W_]+(?:['" + _RSQUO + "][^\\W_]+)*")
# An honorific before a surname ("Ms. Ruiz", "Mrs Okafor", "Mr. Montaño-Reyes").
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.? ((?:[A-Z][\w'\u2019]*)(?:-[A-Z][\w'\u2019]*)*)")
_THEY_PRONOUNS = re.compile(r"\bthey\s*/\s*them\b", re.IGNORECASE)
# A trailing possessive on a name ("Smith's office").
_POSSESSIVE = re.compile("['" + _RSQUO + "]s$")


class _Role(Enum):
    OPEN = "open"
    CLOSE = "close"
    EITHER = "either"


@dataclass(frozen=True, slots=True)
class _Marked:
    """One quotation found by the scanner, before attribution."""

    open_mark: int  # offset of the opening mark
    close_mark: int  # offset of the closing mark
    start: int  # content, stripped of surrounding whitespace
    end: int


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the non-blank paragraphs, stripped."""
    bounds: list[tuple[int, int]] = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((position, match.start()))
        position = match.end()
    bounds.append((position, len(text)))
    stripped = []
    for start, end in bounds:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            stripped.append((start, end))
    return stripped


def _context(text: str, i: int, para_start: int, para_end: int) -> _Role:
    """Where a mark stands: before a word (opening), after one (closing), or unclear."""
    before = text[i - 1] if i > para_start else " "
    after = text[i + 1] if i + 1 < para_end else " "
    left_free = before.isspace() or before in _LEFT_FREE
    right_free = after.isspace() or after in _RIGHT_FREE
    if left_free and not right_free:
        return _Role.OPEN
    if right_free and not left_free:
        return _Role.CLOSE
    return _Role.EITHER


def _double_role(text: str, i: int, para: tuple[int, int], *, inside: bool) -> _Role | None:
    """Opening or closing role of a double mark; None for a mark to ignore."""
    mark = text[i]
    context = _context(text, i, *para)
    if mark == _STRAIGHT_DOUBLE:
        if context is not _Role.EITHER:
            return context
        if not inside and i > para[0] and text[i - 1].isdigit():
            return None  # an inch or seconds mark: 5'10"
        return _Role.CLOSE if inside else _Role.OPEN
    # The glyph decides unless the context clearly contradicts it (”We … ” typed twice).
    if mark in _DOUBLE_OPENERS:
        return _Role.CLOSE if context is _Role.CLOSE else _Role.OPEN
    return _Role.OPEN if context is _Role.OPEN else _Role.CLOSE


def _scan_double(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """(opening mark, closing mark) pairs of double quotation marks."""
    pairs: list[tuple[int, int]] = []
    carried: int | None = None  # opening mark left open by the previous paragraph
    carried_end: int | None = None  # the last character of that paragraph, if speech opens there
    for para in paragraphs:
        start, end = para
        open_at: int | None = None
        first = start
        if carried is not None:
            opens_again = text[start] in _DOUBLE_MARKS and (
                _double_role(text, start, para, inside=False) is _Role.OPEN
            )
            if opens_again:
                # Multi-paragraph quote: the mark opening this paragraph only continues it.
                open_at = carried
                first = start + 1
            elif carried_end is not None:
                # Speech whose closing mark is missing ends with its paragraph.
                pairs.append((carried, carried_end))
            carried = None
        for i in range(first, end):
            if text[i] not in _DOUBLE_MARKS:
                continue
            role = _double_role(text, i, para, inside=open_at is not None)
            if role is _Role.OPEN:
                # A second opening mark means the first was stray: restart here.
                open_at = i
            elif role is _Role.CLOSE and open_at is not None:
                pairs.append((open_at, i))
                open_at = None
        # Only a quotation that opens like speech (capital letter, or the paragraph's start)
        # runs on into the next paragraph; a partial quote left open mid-sentence ("called the
        # raid "reckless and cruel, and said ...") is a stray mark.
        if open_at is not None and not _opens_speech(text, open_at, start):
            open_at = None
        carried, carried_end = open_at, None
        if open_at is not None and (
            open_at == start or text[start:open_at].rstrip()[-1:] in _SPEECH_LEADS
        ):
            # Opened where speech opens (`said, "`, `: "`, a new sentence), not mid-phrase
            # (`The coalition's "Know Your Rights hotline ...`).
            carried_end = end - 1
    if carried is not None and carried_end is not None:
        pairs.append((carried, carried_end))
    return pairs


_SPEECH_LEADS = frozenset(",:.!?" + _DASHES)


def _opens_speech(text: str, open_mark: int, para_start: int) -> bool:
    following = text[open_mark + 1 : open_mark + 3].lstrip()
    return open_mark == para_start or (following[:1].isupper() or following[:1].isdigit())


def _scan_single(
    text: str, paragraphs: Sequence[tuple[int, int]], masked: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """(opening, closing) pairs of single marks outside ``masked`` double-quoted ranges."""
    starts = [start for start, _ in masked]

    def is_masked(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and masked[k][0] <= i <= masked[k][1]

    pairs: list[tuple[int, int]] = []
    for para in paragraphs:
        open_at: int | None = None
        for i in range(*para):
            mark = text[i]
            if mark not in _SINGLE_MARKS or is_masked(i):
                continue
            context = _context(text, i, *para)
            if (
                open_at is not None
                and context is _Role.CLOSE
                and mark == _SINGLE_PAIRS[text[open_at]]
            ):
                pairs.append((open_at, i))
                open_at = None
            elif mark in _SINGLE_PAIRS and context is _Role.OPEN:
                following = text[i + 1] if i + 1 < para[1] else ""
                # '90s with either mark: elided digits, not a quotation.
                if not following.isdigit():
                    open_at = i
    return pairs


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _content(text: str, open_mark: int, close_mark: int) -> tuple[int, int]:
    start, end = open_mark + 1, close_mark
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _scan(text: str) -> list[_Marked]:
    """Every quotation of at least ``MIN_QUOTE_WORDS`` words, in text order."""
    paragraphs = _paragraphs(text)
    doubles = _scan_double(text, paragraphs)
    singles = _scan_single(text, paragraphs, doubles)
    found = []
    for open_mark, close_mark in sorted(doubles + singles):
        start, end = _content(text, open_mark, close_mark)
        for part in _split_lost_close(text, _Marked(open_mark, close_mark, start, end)):
            if _word_count(text[part.start : part.end]) >= MIN_QUOTE_WORDS:
                found.append(part)
    return found


# `“We teach, not police, Ruiz wrote in the letter. Our doors stay open.”`: an attribution
# inside one pair of marks means the writer lost a closing and an opening mark.
_LOST_ATTRIBUTION = re.compile(
    r",\s+(?:[A-Z][\w'\u2019.-]*\s+){0,3}[A-Z][\w'\u2019-]+\s+"
    r"(?:said|says|wrote|writes|added|adds|told\s+\w+|explained|continued|stated)\b"
    r"[^.!?\"\u201c\u201d]{0,80}[.!?]\s+(?=[A-Z\u201c\"])"
)


def _split_lost_close(text: str, quote: _Marked) -> list[_Marked]:
    """The quote, or its two parts around an attribution missing its quotation marks."""
    match = _LOST_ATTRIBUTION.search(text, quote.start, quote.end)
    if match is None or text[quote.close_mark] not in _DOUBLE_MARKS:
        return [quote]
    comma = match.start()
    resume = match.end()
    if text[resume] in _DOUBLE_MARKS:
        resume += 1  # the opening mark of the second part survived
    first = _Marked(quote.open_mark, comma, quote.start, comma + 1)
    second = _Marked(resume, quote.close_mark, resume, quote.end)
    return [first, *_split_lost_close(text, second)]


# --- attribution ------------------------------------------------------------

_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
# Not "we"/"I": outside quotation marks they are the writer, not a source.
_AGENCY_PRONOUNS = frozenset({"it", "they", "them"})
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
#: String ids of the gendered pronouns, to find them in ``Doc.to_array(LOWER)`` at once.
_PRONOUN_IDS = numpy.array([get_string_id(p) for p in _PRONOUN_GENDER], dtype=numpy.uint64)
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that"})
# Head nouns that refer back to an agency already named ("the department said").
_AGENCY_NOUNS = frozenset(
    {"department", "office", "agency", "city", "county", "police", "bureau", "government"}
)
# Head nouns that speak for an agency without naming a person.
_VOICE_NOUNS = frozenset(
    {"spokesperson", "spokesman", "spokeswoman", "statement", "release", "representative"}
)
# Leading words that do not make a quotation look like a title.
_MINOR_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of"}
    | {"on", "or", "per", "the", "to", "vs", "with"}
)
_SUBJECT_DEPS = ("nsubj", "nsubjpass")
# A subjectless cue verb takes the subject of the verb it hangs from ("…, stating, “…”").
_CLIMB_DEPS = frozenset({"conj", "advcl", "xcomp", "ccomp", "pcomp", "acl", "dep", "parataxis"})
# Children that still belong to a subject noun phrase ("a statement issued by the office").
_NP_DEPS = frozenset(
    {"compound", "flat", "appos", "poss", "prep", "pobj", "agent", "acl", "nmod", "conj"}
)
_ORG_LABELS = frozenset({"ORG", "AGENCY"})
# Capitalised words that open a sentence before a verb without naming anyone.
# Cues that answer the previous speaker; "shot back" and the like are two words.
_REPLY_CUES = frozenset({"reply", "respond", "answer", "retort", "counter", "rejoin"})
_BACK_CUES = frozenset({"shoot", "shot", "fire", "snap", "hit", "push"})
_SENTENCE_ADVERBS = frozenset({"then", "later", "also", "still", "again", "finally", "here"})
# Modifiers kept when a described speaker is written out ("the 14th-ranked player").
_DESCRIPTION_DEPS = frozenset({"det", "amod", "compound", "nummod", "poss", "nmod", "quantmod"})
# Abbreviated titles and the noun a later description uses ("Sen. X" ... "the senator").
_TITLE_ABBREVIATIONS = {
    "sen.": "senator", "rep.": "representative", "gov.": "governor", "gen.": "general",
    "lt.": "lieutenant", "sgt.": "sergeant", "capt.": "captain", "det.": "detective",
    "ald.": "alderman", "supt.": "superintendent", "atty.": "attorney",
}  # fmt: skip
# Head nouns of writing that speaks for its author ("the statement read", "the letter says").
_DOCUMENT_NOUNS = frozenset(
    {"letter", "email", "post", "filing", "report", "notice", "memo", "description", "website"}
    | {"tweet", "message", "document", "article", "study", "ad", "advertisement", "sign", "note"}
)
# A described speaker must be a person: a noun of this list, or one with a personal ending.
_PERSON_NOUNS = frozenset(
    {"official", "source", "expert", "insider", "aide", "witness", "staff", "people", "person"}
    | {"mother", "father", "wife", "husband", "son", "daughter", "family", "child", "friend"}
    | {"chief", "head", "guard", "nurse", "judge", "critic", "fan", "victim", "police"}
    | {"spokesperson", "spokesman", "spokeswoman", "representative", "adviser", "advocate"}
    | {"colleague", "deputy", "sheriff", "mayor", "governor", "cop", "patient", "doctor"}
    | {"diplomat", "envoy", "ambassador", "minister", "delegate", "candidate", "analyst"}
    | {"economist", "scientist", "physician", "surgeon", "agent", "attorney", "lawyer"}
)
_PERSON_ENDINGS = ("er", "or", "ist", "ian", "ant", "ee", "man", "woman", "men", "women")
_NOT_PERSON_NOUNS = frozenset(
    {"number", "paper", "center", "centre", "order", "matter", "power", "water", "cancer"}
    | {"computer", "chapter", "quarter", "border", "corner", "error", "factor", "sector"}
    | {"counter", "register", "filter", "weather", "monitor", "plant", "document", "percent"}
    | {"other", "others"}
)
# How far back (characters) "the statement" may look for the organisation that issued it.
_ORGANISATION_REACH = 1500
# Head nouns of a described speaker that is an organisation, not a person.
_ORGANISATION_NOUNS = frozenset(
    {"company", "group", "firm", "organization", "organisation", "ministry", "government"}
    | {"agency", "committee", "coalition", "union", "association", "label", "campaign"}
    | {"network", "team", "club", "party", "council", "board", "court", "administration"}
    | {"caucus", "office", "department"}
)


@functools.cache
def reporting_verbs() -> frozenset[str]:
    """Entries of ``patterns/reporting_verbs.txt`` (lemmas and multi-word cues)."""
    text = (
        resources.files("extractor.patterns")
        .joinpath("reporting_verbs.txt")
        .read_text(encoding="utf-8")
    )
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


@dataclass(frozen=True, slots=True)
class _Speaker:
    name: str
    kind: str  # person | agency
    title: str = ""
    agency: str = ""


def _of_official(official: Official) -> _Speaker:
    return _Speaker(official.name, "person", official.title, official.agency)


def _of_agency(agency: Agency) -> _Speaker:
    return _Speaker(agency.name, "agency", "", agency.name)


def _hyphenated(token: Token) -> str:
    """The hyphen-joined word a token belongs to ("Reyes" -> "Montaño-Reyes")."""
    doc = token.doc
    start = end = token.i
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_:
        if doc[start - 1].whitespace_:
            break
        start -= 2
    while end + 2 < len(doc) and doc[end + 1].text == "-" and not doc[end].whitespace_:
        if doc[end + 1].whitespace_:
            break
        end += 2
    return doc[start : end + 1].text


def _extended_ents(doc: Doc) -> list[Span]:
    """The document's entities, with a PERSON name the tagger stopped at a hyphen carried on
    over it ("Janelle Mbeki" + "-Short")."""
    ents: list[Span] = []
    for ent in doc.ents:
        end = ent.end
        if ent.label_ == "PERSON":
            while (
                end + 1 < len(doc)
                and doc[end].text == "-"
                and not doc[end - 1].whitespace_
                and not doc[end].whitespace_
                and doc[end + 1].is_title
            ):
                end += 2
        ents.append(ent if end == ent.end else Span(doc, ent.start, end, label=ent.label_))
    return ents


def _is_org_name(ent: Span) -> bool:
    """An ORG entity trusted as an organisation: several words, or an acronym, in running text.

    The small model tags many lone surnames ("Swift") and shouted headline words ORG.
    """
    words = ent.text.split()
    if ent.sent.text.isupper():
        return False
    return len(words) > 1 or (ent.text.isupper() and 2 <= len(ent.text) <= 6)


def _is_person_noun(lemma: str) -> bool:
    """A common noun that names people ("an insider", "officers", "the 14th-ranked player")."""
    if lemma in _PERSON_NOUNS:
        return True
    return lemma not in _NOT_PERSON_NOUNS and lemma.endswith(_PERSON_ENDINGS)


def _without_title(name: str) -> str:
    """``name`` without the longest vocabulary title that opens it, when a name is left."""
    words = name.split()
    for title in titles_by_first_word().get(words[0].lower(), ()) if words else ():
        n = len(title)
        if n < len(words) and tuple(w.lower() for w in words[:n]) == title:
            return " ".join(words[n:])
    return name


def _normalise(name: str) -> str:
    name = _POSSESSIVE.sub("", name.strip()).casefold()
    return re.sub(r"^the\s+", "", name)


def _is_title_like(text: str) -> bool:
    """A quoted headline, song or report title rather than speech: nearly every word capitalised."""
    all_words = _WORD.findall(text)
    if text.isupper():
        return False  # shouted speech or a sign, not a title
    # American style puts a title's period (or a list's comma) inside the marks, but
    # a longer quotation ending in a comma is speech leading to its attribution.
    if text.rstrip()[-1:] in "!?" or (text.rstrip().endswith(",") and len(all_words) > 8):
        return False
    words = [word for word in all_words if word.casefold() not in _MINOR_WORDS]
    capitalised = sum(1 for word in words if word[0].isupper() or word[0].isdigit())
    return bool(words) and capitalised >= 0.8 * len(words)


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    speaker: _Speaker


def _tokens_quoted(doc: Doc, quoted: Sequence[tuple[int, int]]) -> set[int]:
    """Indices of the tokens starting inside a quoted span (``_Attributor.is_quoted`` of each
    token's start, for the whole Doc at once)."""
    if not quoted:
        return set()
    starts = numpy.array([start for start, _ in quoted])
    ends = numpy.array([end for _, end in quoted])
    idx = doc.to_array(IDX).astype(numpy.int64)
    k = numpy.searchsorted(starts, idx, side="right") - 1
    inside = (k >= 0) & (idx < ends[numpy.maximum(k, 0)])
    return set(numpy.flatnonzero(inside).tolist())


class _Attributor:
    """Attribution state for one document: mention spans, quote masks, cue lexicon."""

    def __init__(
        self,
        doc: Doc,
        marked: Sequence[_Marked],
        agencies: Sequence[Agency],
        officials: Sequence[Official],
    ) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.marked = marked
        self.agencies = agencies
        self.officials = officials
        self.paragraph_starts = [start for start, _ in _paragraphs(doc_text(doc))]
        self.cues = reporting_verbs()
        self.single_cues = frozenset(cue for cue in self.cues if " " not in cue)
        self.multi_cues = tuple(tuple(cue.split()) for cue in self.cues if " " in cue)
        quoted = [(q.start, q.end) for q in marked]
        self.quoted_starts = [start for start, _ in quoted]
        self.quoted = quoted
        self.in_quote = _tokens_quoted(doc, quoted)
        official_mentions = [
            _Mention(start, end, _of_official(official))
            for official in officials
            for start, end in official.spans
        ]
        agency_mentions = [
            _Mention(start, end, _of_agency(agency))
            for agency in agencies
            for start, end in agency.spans
        ]
        self.official_mentions = sorted(official_mentions, key=lambda m: m.start)
        self.agency_mentions = sorted(agency_mentions, key=lambda m: m.start)
        self.ents = _extended_ents(doc)
        self.ent_at = {
            i: ent for ent in sorted(self.ents, key=len) for i in range(ent.start, ent.end)
        }
        self.person_names = [
            (ent.start_char, _POSSESSIVE.sub("", ent.text.strip()))
            for ent in self.ents
            if ent.label_ == "PERSON" and not self.is_quoted(ent.start_char)
        ]
        self.person_mentions = sorted(
            [m for m in official_mentions if not self.is_quoted(m.start)]
            + [
                _Mention(ent.start_char, ent.end_char, self.person_named(ent.text, ent.start_char))
                for ent in self.ents
                if ent.label_ == "PERSON" and not self.is_quoted(ent.start_char)
            ],
            key=lambda m: m.start,
        )
        self.outside_agency_mentions = [
            m for m in self.agency_mentions if not self.is_quoted(m.start)
        ]
        self.earlier: Sequence[tuple[_Marked, _Speaker | None, str]] = ()
        self.unambiguous = False  # whether the last ``antecedent`` had one candidate
        self.titled_gender = self._titled_genders()
        # People whose pronoun is "they" ("who uses they/them pronouns").
        self.they_people = {
            m.speaker.name
            for sentence in (doc.sents if _THEY_PRONOUNS.search(self.text) else ())
            if _THEY_PRONOUNS.search(sentence.text)
            for m in self.person_mentions
            if sentence.start_char <= m.start < sentence.end_char
        }
        self.gender = self._genders()
        # Any organisation named outside quotes: agencies, and the model's ORG entities.
        self.organisation_mentions = sorted(
            self.outside_agency_mentions
            + [
                _Mention(ent.start_char, ent.end_char, self.agency_named(ent.text, ent.ent_id_))
                for ent in self.ents
                if ent.label_ == "ORG" and not self.is_quoted(ent.start_char) and _is_org_name(ent)
            ],
            key=lambda m: m.start,
        )

    def _genders(self) -> dict[str, str]:
        """Name -> "m"/"f" where the text itself says: a gendered title ("Councilwoman",
        "spokesman") or a pronoun outside quotes in a sentence whose only person named
        before it (in it or the sentence before) is that person. No guessing from first names."""
        found: dict[str, set[str]] = {}
        known = {o.name for o in self.officials} | {
            name for _, name in self.person_names if len(name.split()) > 1
        }
        lowers = self.doc.to_array(LOWER)
        pronouns = numpy.flatnonzero(numpy.isin(lowers, _PRONOUN_IDS)).tolist()
        for token in (self.doc[i] for i in pronouns if i not in self.in_quote):
            gender = _PRONOUN_GENDER[token.lower_]
            if token.dep_ not in ("nsubj", "nsubjpass", "poss"):
                continue  # "Grant told her": an object is someone other than the subject
            sentence = token.sent
            if any(mark in self.text[sentence.start_char : token.idx] for mark in '"”“'):
                # "“…,” he said": the pronoun after a quote is what attribution decides;
                # it cannot also teach who is "he".
                continue
            # The persons named before the pronoun in its sentence, else in the one before.
            named = self._named_between(known, sentence.start_char, token.idx)
            if not named and sentence.start > 0:
                before = self.doc[sentence.start - 1].sent
                named = self._named_between(known, before.start_char, before.end_char)
            if len(named) == 1:
                found.setdefault(named.pop(), set()).add(gender)
        learnt = {name: genders.pop() for name, genders in found.items() if len(genders) == 1}
        # A title or honorific outranks what pronouns suggest.
        return learnt | self.titled_gender

    def _titled_genders(self) -> dict[str, str]:
        """Name -> "m"/"f" from a gendered title ("Councilwoman", "spokesman") or an honorific
        in the text ("Ms. Ruiz", "Mr. Osei"); a name given both is left out."""
        found: dict[str, set[str]] = {}
        for official in self.officials:
            for word in set(official.title.lower().replace("-", " ").split()):
                if word.endswith("woman") or word in ("mrs.", "ms."):
                    found.setdefault(official.name, set()).add("f")
                elif (word.endswith("man") and word != "human") or word == "mr.":
                    found.setdefault(official.name, set()).add("m")
        names = {o.name for o in self.officials} | {n for _, n in self.person_names}
        for match in _HONORIFIC.finditer(self.text):
            if self.is_quoted(match.start()):
                continue
            gender = "m" if match.group(1) == "Mr" else "f"
            surname = match.group(2)
            for name in names:
                if len(name.split()) > 1 and name.split()[-1] == surname:
                    found.setdefault(name, set()).add(gender)
        return {name: genders.pop() for name, genders in found.items() if len(genders) == 1}

    def _named_between(self, known: set[str], start: int, end: int) -> set[str]:
        """Persons named outside quotes between two character offsets; "Park disagreed."
        counts a surname the tagger did not mark."""
        span = self.doc.char_span(start, end, alignment_mode="contract")
        words = {
            word.text
            for word in span or ()
            if word.i not in self.in_quote
            and not (word.i + 1 < len(self.doc) and self.doc[word.i + 1].text in ("'s", "’s"))
        }
        return (
            {
                m.speaker.name
                for m in self.person_mentions
                if start <= m.start < end
                and m.speaker.kind == "person"
                # "a call he made to Omar's office": a possessor is not who the pronoun is
                and not self.text.startswith(("'s", "’s"), m.end)
            }
            | {name for name in known if name.split()[-1:] and name.split()[-1] in words}
        )

    def fits_pronoun(self, speaker: _Speaker, pronoun: str) -> bool:
        """Whether ``speaker`` may be what ``pronoun`` refers to (unknown gender fits)."""
        wanted = _PRONOUN_GENDER.get(pronoun)
        known = self.gender.get(speaker.name)
        return wanted is None or known is None or known == wanted

    # -- positions --

    def is_quoted(self, char: int) -> bool:
        k = bisect.bisect_right(self.quoted_starts, char) - 1
        return k >= 0 and self.quoted[k][0] <= char < self.quoted[k][1]

    def paragraph_of(self, char: int) -> int:
        return bisect.bisect_right(self.paragraph_starts, char) - 1

    def token_at(self, char: int) -> Token:
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        if span is None or len(span) == 0:  # a position in trailing whitespace
            return self.doc[-1]
        token: Token = span[0]
        return token

    # -- cues --

    def cue_at(self, token: Token) -> str | None:
        """The cue entry that ``token`` starts, if any."""
        if token.i in self.in_quote:
            return None
        lower = token.lower_
        for words in self.multi_cues:
            if lower == words[0] and token.i + len(words) <= len(self.doc):
                following = self.doc[token.i : token.i + len(words)]
                if tuple(t.lower_ for t in following) == words:
                    return " ".join(words)
        if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
            lemma = token.lemma_.lower() or lower
            if lemma in self.single_cues:
                return lemma
        return None

    def window(self, quote: _Marked) -> tuple[int, int]:
        """Token range of the sentence(s) holding the quote, within its paragraph(s)."""
        doc = self.doc
        opening, closing = self.token_at(quote.open_mark), self.token_at(quote.close_mark)
        first, last = opening.sent, closing.sent
        low, high = first.start, last.end
        # The parser sometimes cuts `“…,” said X.` after the closing mark; rejoin it.
        rest = [t for t in doc[closing.i + 1 : high] if not (t.is_punct or t.is_space)]
        if not rest and high < len(doc):
            following = doc[high].sent
            words = [t for t in following if t.is_alpha]
            ends_open = self.text[quote.end - 1 : quote.end] in (",", "—", "-")
            if ends_open or (words and words[0].text[0].islower()):
                high = following.end
        # ... and `…, stating,` / `X said:` cut before the opening mark.
        lead = [t for t in doc[low : opening.i] if not (t.is_punct or t.is_space)]
        if not lead and low > 0:
            preceding = doc[low - 1].sent
            tail = [t for t in preceding if not t.is_space]
            if tail and tail[-1].text in (",", ":", "—"):
                low = preceding.start
        first_para = self.paragraph_of(quote.open_mark)
        last_para = self.paragraph_of(quote.close_mark)
        while low < opening.i and self.paragraph_of(doc[low].idx) < first_para:
            low += 1
        while high > closing.i + 1 and self.paragraph_of(doc[high - 1].idx) > last_para:
            high -= 1
        return low, high

    def ranked_cues(self, quote: _Marked, low: int, high: int) -> list[tuple[Token, str]]:
        """Cues in the window: those governing the quote first, then by distance."""
        cues = {}
        for token in self.doc[low:high]:
            cue = self.cue_at(token)
            if cue is not None:
                cues[token.i] = (token, cue)
        if not cues:
            return []
        content = self.doc.char_span(quote.start, quote.end, alignment_mode="expand")
        governing: list[tuple[int, int]] = []  # (depth, token index) of governing cues
        if content is not None:
            inside = {t.i for t in content}
            for token in content:
                # Closing punctuation often hangs on the cue of a neighbouring clause.
                if token.is_punct or (token.head.i in inside and token.head.i != token.i):
                    continue
                for depth, ancestor in enumerate(token.ancestors):
                    if ancestor.i in cues:
                        governing.append((depth, ancestor.i))
                        break
        first = [self.outer_cue(i, cues) for _, i in sorted(governing)]

        def distance(i: int) -> int:
            idx = self.doc[i].idx
            return min(abs(idx - quote.open_mark), abs(idx - quote.close_mark))

        nearest = [self.outer_cue(i, cues) for i in sorted(cues, key=distance)]
        order = list(dict.fromkeys(first + nearest))
        return [cues[i] for i in order]

    def outer_cue(self, i: int, cues: dict[int, tuple[Token, str]]) -> int:
        """The cue reporting a cue whose subject is a group pronoun: in `the chief said they
        would answer “…”` the chief speaks for "they"."""
        token = self.doc[i]
        subjects = [c for c in token.children if c.dep_ in _SUBJECT_DEPS]
        if not subjects or subjects[0].lower_ not in _AGENCY_PRONOUNS:
            return i
        for ancestor in token.ancestors:
            if ancestor.i in cues and ancestor.i not in self.in_quote:
                return ancestor.i
        return i

    # -- subjects --

    def subject_of(self, cue: Token, entry: str) -> Token | None:
        if entry.split()[-1] in ("to", "of"):  # "according to X": X is the object of "to"
            last = self.doc[cue.i + len(entry.split()) - 1]
            objects = [c for c in last.children if c.dep_ == "pobj"]
            return objects[0] if objects else None
        verb = cue
        for _ in range(6):
            subjects = [
                c for c in verb.children if c.dep_ in _SUBJECT_DEPS and c.i not in self.in_quote
            ]
            if subjects:
                # Two subjects come from a misparse ("Wikileaks editor-in-chief Kristinn
                # Hrafnsson said"): a person's name is the likelier speaker.
                named = [
                    t
                    for t in subjects
                    if t.ent_type_ == "PERSON"
                    or ((found := self.mention_at(t)) is not None and found.kind == "person")
                ]
                subject = (named or subjects)[0]
                if subject.lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                    # "Smith, who said …": the noun the clause modifies.
                    if subject.lower_ == "who":
                        return self.who_of(verb.head)
                    return verb.head
                return subject
            if verb.dep_ not in _CLIMB_DEPS or verb.head.i == verb.i:
                break
            if (
                verb.dep_ == "acl"
                and verb.head.pos_ in ("PROPN", "NOUN")
                and verb.head.dep_ in ("ROOT", "nsubj")  # not "… much of east Dalton"
                and verb.head.i not in self.in_quote
                and verb.head.i < verb.i
            ):
                # "Ochs, whose district …, called the plan “…”" parsed as a modifier of Ochs.
                return verb.head
            verb = verb.head
        # `“…,” Tolliver said` with the name parsed as a modifier of the cue.
        misparsed = self.name_before(cue)
        if misparsed is not None:
            return misparsed
        # `"…," said X` sometimes comes out with X as an object or attribute; only after a
        # quotation (`called Ybarra's policy "…"` names what was called, not who).
        if not self.after_quote(cue):
            return None
        for child in cue.rights:
            if (
                child.dep_ in ("dobj", "attr", "appos", "npadvmod", "oprd")
                and child.pos_ in ("PROPN", "NOUN")
                and child.i not in self.in_quote
            ):
                return child
        # ... or hangs the inverted subject on another verb: take the name right after the cue.
        i = cue.i + 1
        if i < len(self.doc) and self.doc[i].lower_ in ("the", "a", "an"):
            i += 1
        if i >= len(self.doc) or i in self.in_quote:
            return None
        if self.doc[i].pos_ not in ("PROPN", "NOUN"):
            # `says Early.`: a surname the tagger took for another word, when it is known.
            word = self.doc[i]
            known = word.is_title and (
                self.official_named(word.text) is not None or self.full_name(word.text, word.idx)
            )
            return word if known and self.after_quote(cue) else None
        while (
            i + 1 < len(self.doc)
            and i + 1 not in self.in_quote
            and (
                self.doc[i + 1].pos_ == "PROPN"
                or (self.doc[i + 1].text == "-" and not self.doc[i + 1].whitespace_)
            )
        ):
            i += 1
        return self.doc[i]

    def who_of(self, head: Token) -> Token:
        """What "who" refers to: a person, so `X, a lawyer with Legal Aid, who said` climbs
        from "Legal Aid" back over the apposition to X."""
        token = head
        for _ in range(5):
            if self.person_at(token) is not None:
                return token
            if token.dep_ not in ("pobj", "prep", "appos", "compound") or token.head.i == token.i:
                break
            token = token.head
        return head

    def after_quote(self, cue: Token) -> bool:
        """Whether a quotation stands before the cue in its sentence (`“…,” said X`,
        `… called it “…” in office, said another witness, X`), as in an inverted attribution."""
        return any(t.i in self.in_quote for t in self.doc[cue.sent.start : cue.i])

    def misparsed_subject(self, token: Token) -> bool:
        """A known name right before a subjectless verb, parsed as its modifier."""
        verb = token.head
        return (
            verb.i == token.i + 1
            and verb.pos_ == "VERB"
            and not any(c.dep_ in _SUBJECT_DEPS for c in verb.children)
            and (named := self.name_before(verb)) is not None
            and named.i == token.i
        )

    def name_before(self, cue: Token) -> Token | None:
        """A capitalised name right before a subjectless cue that the parser attached as a
        modifier (`Tolliver said he would`, `“…,” Osei said`) when it names a known person."""
        i = cue.i - 1
        if i < 0 or i in self.in_quote or self.doc[i].head.i != cue.i:
            return None
        token = self.doc[i]
        if token.dep_ not in ("advmod", "npadvmod", "dep", "compound", "nmod", "amod"):
            return None
        if not token.is_title or (token.is_sent_start and token.lower_ in _SENTENCE_ADVERBS):
            return None
        surname = _hyphenated(token)
        known = self.official_named(surname) is not None or bool(self.full_name(surname, token.idx))
        return token if known or token.ent_type_ == "PERSON" else None

    # -- resolution --

    def mention_at(self, token: Token) -> _Speaker | None:
        """The official, else the agency, whose mention span covers ``token``."""
        start, end = token.idx, token.idx + len(token.text)
        for mentions in (self.official_mentions, self.agency_mentions):
            for mention in mentions:
                if mention.start <= start and end <= mention.end:
                    return mention.speaker
        return None

    def person_at(self, token: Token) -> _Speaker | None:
        """The official or PERSON entity at ``token``, if it names a person."""
        found = self.mention_at(token)
        if found is not None:
            return found if found.kind == "person" else None
        ent = self.entity_of(token)
        if ent is not None and ent.label_ == "PERSON":
            return self.person_named(ent.text, ent.start_char)
        return None

    def official_named(self, name: str) -> Official | None:
        wanted = _normalise(name)
        for official in self.officials:
            if _normalise(official.name) == wanted:
                return official
        surname = wanted.split()[-1] if wanted.split() else ""
        matches = [o for o in self.officials if _normalise(o.name).split()[-1:] == [surname]]
        return matches[0] if len(matches) == 1 else None

    def person_named(self, name: str, before: int | None = None) -> _Speaker:
        """A person by name; a lone surname becomes the full name used earlier; a title in
        front ("County Executive Arroyo-Kraus") is no part of the name."""
        official = self.official_named(name) or self.official_named(_without_title(name))
        if official is not None:
            return _of_official(official)
        name = _without_title(_POSSESSIVE.sub("", name.strip()))
        if before is not None and len(name.split()) == 1:
            full = self.full_name(name, before)
            if full:
                return _Speaker(full, "person")
        return _Speaker(name, "person")

    def full_name(self, surname: str, before: int) -> str:
        """The latest multi-word PERSON name before ``before`` that ends with ``surname``."""
        wanted = surname.casefold()
        for start, name in reversed(self.person_names):
            words = name.split()
            if start < before and len(words) > 1 and words[-1].casefold() == wanted:
                return name
        return ""

    def agency_named(self, name: str, ent_id: str) -> _Speaker:
        wanted = {_normalise(name), _normalise(ent_id)} - {""}
        for agency in self.agencies:
            names = {_normalise(agency.name), *(_normalise(a) for a in agency.aliases)}
            if names & wanted:
                return _of_agency(agency)
        clean = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
        return _Speaker(clean, "agency", "", clean)

    def entity_of(self, token: Token) -> Span | None:
        return self.ent_at.get(token.i)

    def noun_phrase(self, head: Token) -> Iterator[Token]:
        """The head, then its noun-phrase dependents nearest first (no relative clauses)."""
        queue = [head]
        seen = {head.i}
        while queue:
            token = queue.pop(0)
            yield token
            # An apposition names the head ("X's campaign manager, Brandon Tillis-Okafor");
            # a possessor ("X's") only owns it, so it comes last.
            children = sorted(token.children, key=lambda c: {"appos": 0, "poss": 2}.get(c.dep_, 1))
            for child in children:
                if child.dep_ in _NP_DEPS and child.i not in seen and child.i not in self.in_quote:
                    seen.add(child.i)
                    queue.append(child)

    def resolve(self, token: Token, depth: int = 0) -> _Speaker | None:
        """Who a subject token stands for."""
        if token.i in self.in_quote or depth > 3:
            return None
        found = self.mention_at(token)
        if found is not None:
            if found.kind == "agency":
                # "Harbor City Police Chief Raymond Osei": the title sits in the agency's
                # name; the person in apposition speaks.
                for child in token.children:
                    if child.dep_ == "appos" and child.i not in self.in_quote:
                        person = self.person_at(child)
                        if person is not None:
                            return person
            return found
        lower = token.lower_
        if lower in _PERSON_PRONOUNS:
            speaker = self.antecedent(token, "person", depth)
            if (
                speaker is not None
                and depth == 0
                and lower in _PRONOUN_GENDER
                and self.unambiguous
                and speaker.name not in self.titled_gender
            ):
                # "“…,” she said" with one person it can be tells who "she" is: a later
                # "he" is someone else. A guess among several teaches nothing.
                self.gender.setdefault(speaker.name, _PRONOUN_GENDER[lower])
            return speaker
        if lower == "they" and self.they_people:
            # Singular "they" of a person the text says uses it.
            for sentence in self.sentences_before(token):
                for subject in self.subjects(sentence, before=token.i):
                    speaker = self.resolve(subject, depth + 1)
                    if speaker is not None and speaker.name in self.they_people:
                        return speaker
        if lower in _AGENCY_PRONOUNS:
            return self.antecedent(token, "agency", depth)
        phrase = list(self.noun_phrase(token))
        people: list[_Speaker] = []
        organisations: list[_Speaker] = []
        for part in phrase:
            found = self.mention_at(part)
            if found is not None:
                (people if found.kind == "person" else organisations).append(found)
                continue
            ent = self.entity_of(part)
            if ent is not None and ent.label_ == "PERSON":
                people.append(self.person_named(ent.text, ent.start_char))
            elif ent is not None and ent.label_ in _ORG_LABELS:
                # The tagger often labels a lone surname ORG ("Montaño-Reyes" included);
                # an official or an earlier full name decides.
                # "Sheriff Eubanks" tagged ORG is the sheriff named earlier.
                bare = _without_title(ent.text.strip())
                lone = " " not in bare
                official = self.official_named(bare) if lone else None
                full = self.full_name(bare, ent.start_char) if lone else ""
                if official is not None:
                    people.append(_of_official(official))
                elif full:
                    people.append(self.person_named(full))
                else:
                    organisations.append(self.agency_named(ent.text, ent.ent_id_))
            elif part.pos_ == "PROPN" or part.is_title:
                # A surname the tagger did not take for a name ("Lovely said", "Montaño-Reyes").
                surname = _hyphenated(part)
                if official := self.official_named(surname):
                    people.append(_of_official(official))
                elif full := self.full_name(surname, part.idx):
                    people.append(_Speaker(full, "person"))
        if token.lemma_.lower() in _ORGANISATION_NOUNS and people and not organisations:
            # "the Pettiford campaign said": the campaign speaks, not Pettiford.
            owner = [t for t in token.children if t.dep_ in ("compound", "poss")]
            if owner:
                first = min(t.left_edge.i for t in owner)
                if self.doc[first].lower_ in ("the", "a", "an"):
                    first += 1
                return _Speaker(self.doc[first : token.i + 1].text, "agency")
        if (
            token.lemma_.lower() in _ORGANISATION_NOUNS
            and token.pos_ == "PROPN"
            and token.is_title
            and organisations
            and not people
        ):
            # "The Senate Republican Caucus said": the whole name, not the "Senate" in it.
            start = token.i
            while (
                start > 0
                and start - 1 not in self.in_quote
                and self.doc[start - 1].is_title
                and self.doc[start - 1].pos_ in ("PROPN", "ADJ")
                # attached inside the name ("Lowell" <- "County" as an apposition)
                and start - 2 <= self.doc[start - 1].head.i <= token.i
            ):
                start -= 1
            whole = self.doc[start : token.i + 1].text
            inner = organisations[0].name
            if inner != whole and inner in whole:
                return _Speaker(whole, "agency", "", whole)
        # Officials and named people speak for themselves before the body they belong to.
        if people or organisations:
            return (people or organisations)[0]
        if token.pos_ == "PROPN" and token.is_title:
            name = " ".join(t.text for t in token.subtree if t.dep_ == "compound" or t == token)
            personal = any(
                c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.children)
                for c in token.children
            )
            # A name the tagger missed or took for a place ("added Claure, who ...").
            if not token.ent_type_ or personal:
                return _Speaker(name, "person")
            # "Chicago said": a place speaking is its government; match it to an agency alias.
            if token.ent_type_ == "GPE":
                return self.agency_named(name, "")
        return self.generic(token, depth)

    def generic(self, token: Token, depth: int) -> _Speaker | None:
        """A description instead of a name: "the sheriff", "the department", "a spokesman"."""
        lemma = token.lemma_.lower() or token.lower_
        # Titles come from the officials of this document, not from a fixed list.
        titled = {
            o.name: o for o in self.officials if lemma in re.findall(r"[\w']+", o.title.casefold())
        }
        # "a department spokesperson": an indefinite description introduces someone new.
        indefinite = any(
            c.dep_ == "det" and c.lower_ in ("a", "an", "another") for c in token.children
        )
        if titled and not indefinite:
            recent = self.recent(self.person_mentions, token.idx, lambda s: s.name in titled)
            return recent or _of_official(next(iter(titled.values())))
        if (
            token.i > 0
            and lemma in ("office", "administration")
            and self.doc[token.i - 1].lower_
            in (
                "'s",
                "\u2019s",
            )
        ):
            # "the mayor's office said": the body of the official with that title.
            owner = self.generic(self.doc[token.i - 1].head, depth + 1) if depth < 3 else None
            if owner is not None and owner.kind == "person" and owner.agency:
                return self.agency_named(owner.agency, "")
        # "the department", "police" and "police officials": an agency named before.
        for word in [token, *(c for c in token.children if c.dep_ == "compound")]:
            noun = word.lemma_.lower() or word.lower_
            if noun in _AGENCY_NOUNS:
                return self.antecedent(token, "agency", depth, noun=noun)
        if lemma in _VOICE_NOUNS and depth < 3:
            # "a spokesperson for the mayor": the body the mayor heads.
            for prep in (c for c in token.children if c.lower_ in ("for", "of")):
                for body in (c for c in prep.children if c.dep_ == "pobj"):
                    head = self.resolve(body, depth + 1)
                    if head is not None and head.kind == "person" and head.agency:
                        return self.agency_named(head.agency, "")
                    if head is not None and head.kind == "agency":
                        return head
        if lemma in _DOCUMENT_NOUNS and depth < 3:
            # "a memo City Attorney Lo sent", "a letter from the sheriff": its author.
            after = token.i + 1
            while after < len(self.doc) and self.doc[after].pos_ == "PROPN":
                after += 1
            name = self.doc[after - 1]
            # (the parser often leaves that reduced relative clause unattached)
            if (
                after > token.i + 1
                and name.dep_ in _SUBJECT_DEPS
                and name.head.i == after
                and (written := self.resolve(name, depth + 1)) is not None
            ):
                return written
            for child in token.children:
                if child.dep_ == "relcl":
                    authors = [c for c in child.children if c.dep_ in _SUBJECT_DEPS]
                elif child.dep_ == "prep" and child.lower_ in ("from", "by"):
                    authors = [c for c in child.children if c.dep_ == "pobj"]
                else:
                    continue
                for author in authors:
                    if author.lower_ in _RELATIVE_PRONOUNS or author.i in self.in_quote:
                        continue
                    if (written := self.resolve(author, depth + 1)) is not None:
                        return written
        if lemma in _VOICE_NOUNS or lemma in _DOCUMENT_NOUNS:
            # "the statement said": an agency, else the organisation named last nearby.
            return self.antecedent(token, "agency", depth) or self.recent_organisation(token.idx)
        return None

    def introduced_as(self, noun: Token) -> _Speaker | None:
        """The person a definite description refers back to ("the nominee" after "the nominee,
        Gerald Ambrose-Tate" or "nominee Gerald Ambrose-Tate"): the latest person named
        next to that noun before it."""
        words = {noun.lower_, noun.lemma_.lower()} | {
            full for short, full in _TITLE_ABBREVIATIONS.items() if noun.lemma_.lower() == full
        }
        abbreviations = {short for short, full in _TITLE_ABBREVIATIONS.items() if full in words}
        for mention in reversed(self.person_mentions):
            if mention.start >= noun.idx:
                continue
            if self.text[mention.end : mention.end + 2] in ("'s", "\u2019s"):
                continue  # "Nisan Ahmado's source" is not Ahmado
            # Close enough to be the name's title or apposition ("Sen. X", "X, the nominee").
            low = max(0, mention.start - 25)
            around = self.text[low : mention.end + 30].casefold()
            found = {
                m.group(0).rstrip(".") if m.group(0) not in abbreviations else m.group(0)
                for m in re.finditer(r"[\w.']+", around)
                if not self.is_quoted(low + m.start())
            }
            if (words | abbreviations) & found:
                return mention.speaker
        return None

    def recent_organisation(self, before: int, noun: str = "") -> _Speaker | None:
        """The organisation named last within ``_ORGANISATION_REACH`` characters before
        ``before``; for "the coalition", the last one before it whose name holds that noun."""
        if noun:
            for mention in reversed(self.organisation_mentions):
                words = re.findall(r"\w+", mention.speaker.name.casefold())
                if mention.start < before and noun in words:
                    return mention.speaker
        for mention in reversed(self.organisation_mentions):
            if mention.start < before:
                return mention.speaker if before - mention.start <= _ORGANISATION_REACH else None
        return None

    def recent(
        self,
        mentions: Sequence[_Mention],
        before: int,
        accept: Callable[[_Speaker], bool] = lambda _: True,
    ) -> _Speaker | None:
        for mention in reversed(mentions):
            if mention.start < before and accept(mention.speaker):
                return mention.speaker
        return None

    def antecedent(self, token: Token, kind: str, depth: int, *, noun: str = "") -> _Speaker | None:
        """A pronoun's or description's referent: a subject just before, else the latest mention."""

        def accept(speaker: _Speaker) -> bool:
            return (
                speaker.kind == kind
                and (not noun or noun in speaker.name.casefold())
                and self.fits_pronoun(speaker, token.lower_)
            )

        wanted = _PRONOUN_GENDER.get(token.lower_)
        candidates: list[_Speaker] = []
        others: set[str] = set()  # whom a pronoun of the other gender just referred to
        for sentence in self.sentences_before(token):
            for subject in self.subjects(sentence, before=token.i):
                speaker = self.resolve(subject, depth + 1)
                if speaker is None:
                    continue
                if _PRONOUN_GENDER.get(subject.lower_, wanted) != wanted:
                    # "“…,” she said. “…,” he said": whoever "she" was, "he" is someone else.
                    others.add(speaker.name)
                elif accept(speaker) and speaker.name not in others:
                    # Named again nearer than that pronoun ("Pike waved it off."), it may be.
                    candidates.append(speaker)
        # Nearest first; a speaker the text shows to be of the other gender is skipped (in
        # ``accept``), one whose gender it never shows is not (on bench pages, preferring a
        # known match over a nearer unknown picked the wrong person more often than not).
        if kind == "person" and self.is_reply(token.head) and self.earlier:
            # "“…?” Perryman asked. “…,” she replied.": who replies is not who asked.
            # The speaker of the last quote before this sentence (the first half of an
            # interrupted quote is the replier's own).
            before = [sp for q, sp, _ in self.earlier if q.close_mark < token.sent.start_char]
            asked = before[-1] if before else None
            if asked is not None:
                repliers = [c for c in candidates if c.name != asked.name]
                mentions = self.person_mentions
                other = (
                    repliers[0]
                    if repliers
                    else self.recent(
                        mentions, token.idx, lambda s: accept(s) and s.name != asked.name
                    )
                )
                if other is not None:
                    self.unambiguous = False
                    return other
        if candidates:
            # Unambiguous only when no other person it could be is named in those sentences
            # ("Pike and Lund spoke. “…,” she said" teaches nothing about Pike).
            *_, first = self.sentences_before(token)
            named = {
                m.speaker.name
                for m in self.person_mentions
                if first.start_char <= m.start < token.idx and accept(m.speaker)
            }
            self.unambiguous = named <= {candidates[0].name} and len(set(candidates)) == 1
            return candidates[0]
        mentions = self.person_mentions if kind == "person" else self.outside_agency_mentions
        found = self.recent(
            [m for m in mentions if not self.text.startswith(("'s", "\u2019s"), m.end)],
            token.idx,
            lambda s: accept(s) and s.name not in others,
        )  # "during Carlineo's sentencing, she said": a possessor is not who "she" is
        if found is not None:
            # Learnt from only when it is the one person of that gender named in the
            # pronoun's paragraph and the one before.
            paragraph = self.paragraph_of(token.idx)
            low = self.paragraph_starts[max(0, paragraph - 1)]
            nearby = {
                m.speaker.name for m in mentions if low <= m.start < token.idx and accept(m.speaker)
            }
            self.unambiguous = nearby == {found.name}
            return found
        self.unambiguous = False
        return self.recent(mentions, token.idx, lambda s: s.kind == kind) if noun else None

    def is_reply(self, cue: Token) -> bool:
        """Whether a cue answers someone ("replied", "responded", "shot back")."""
        lemma = cue.lemma_.lower()
        following = self.doc[cue.i + 1].lower_ if cue.i + 1 < len(self.doc) else ""
        return lemma in _REPLY_CUES or (following == "back" and lemma in _BACK_CUES)

    def sentences_before(self, token: Token) -> Iterator[Span]:
        """The token's own sentence, then up to two sentences with words before it (a
        stray mark the parser split off does not count)."""
        sentence = token.sent
        yield sentence
        count = 0
        while sentence.start > 0 and count < 2:
            sentence = self.doc[sentence.start - 1].sent
            if any(t.is_alpha for t in sentence):
                count += 1
                yield sentence

    def subjects(self, sentence: Span, *, before: int) -> list[Token]:
        """Subjects outside quotes and before ``before``, the main clause's first."""
        found = [
            t
            for t in sentence
            if t.i < before
            and t.i not in self.in_quote
            and (t.dep_ in _SUBJECT_DEPS or self.misparsed_subject(t))
        ]
        return sorted(found, key=lambda t: (t.head.dep_ != "ROOT", t.i))

    # -- per quote --

    def attribute(
        self, quote: _Marked, earlier: Sequence[tuple[_Marked, _Speaker | None, str]]
    ) -> tuple[_Speaker | None, str]:
        self.earlier = earlier
        low, high = self.window(quote)
        cues = self.ranked_cues(quote, low, high)
        described: tuple[_Speaker, str] | None = None
        for cue, entry in cues:
            subject = self.subject_of(cue, entry)
            speaker = self.resolve(subject) if subject is not None else None
            if speaker is not None:
                return speaker, entry
            if described is None and subject is not None:
                description = self.describe(subject)
                described = (description, entry) if description is not None else None
        if described is not None:
            return described
        if cues:
            # A cue the parser left without a subject (`X, whose district …, called the policy
            # “…”`): the sentence's main subject before the quotation speaks.
            opening = self.token_at(quote.open_mark)
            for subject in self.subjects(self.doc[low:high], before=opening.i):
                if subject.head.dep_ == "ROOT" or subject.head.i == cues[0][0].i:
                    speaker = self.resolve(subject)
                    if speaker is not None:
                        return speaker, cues[0][1]
            return None, cues[0][1]
        return self.fallback(quote, low, earlier)

    def describe(self, subject: Token) -> _Speaker | None:
        """A speaker the text describes but does not name: "an insider", "one legal expert".

        An annotator records such a source as written, so the description is the
        speaker; a company, group or ministry described so ("the production
        company") is the organisation named last before it, when there is one.
        """
        if subject.pos_ not in ("NOUN", "PROPN") or subject.i in self.in_quote:
            return None
        lemma = subject.lemma_.lower() or subject.lower_
        if lemma in _DOCUMENT_NOUNS or lemma in ("statement", "release"):
            return None  # writing is nobody; `generic` found no author for it
        if lemma in _ORGANISATION_NOUNS:
            named = self.recent_organisation(subject.idx, lemma)
            if named is not None:
                return named
        elif subject.pos_ == "NOUN" and not _is_person_noun(lemma):
            return None  # "the mission", "the campaign slogan": not a source
        definite = any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in subject.children)
        if definite and (subject.pos_ == "NOUN" or subject.is_lower) and subject.tag_ != "NNS":
            named = self.introduced_as(subject)
            if named is not None:
                return named
        keep = [subject] + [
            t
            for child in subject.children
            if child.dep_ in _DESCRIPTION_DEPS and child.i < subject.i
            for t in child.subtree
        ]
        keep = [t for t in keep if t.i not in self.in_quote]
        first, last = min(t.i for t in keep), subject.i
        phrase = self.doc[first : last + 1].text.strip()
        if not phrase or len(phrase.split()) > 8:
            return None
        kind = "agency" if lemma in _ORGANISATION_NOUNS else "person"
        return _Speaker(phrase, kind)

    def fallback(
        self, quote: _Marked, low: int, earlier: Sequence[tuple[_Marked, _Speaker | None, str]]
    ) -> tuple[_Speaker | None, str]:
        """No cue in the quote's sentence: look around it in the paragraph(s)."""
        doc, text = self.doc, self.text
        paragraph = self.paragraph_of(quote.open_mark)
        opening = self.token_at(quote.open_mark)
        # Headline style `Sheriff Smith: “…”`: a name right before a colon.
        if text[: quote.open_mark].rstrip().endswith(":"):
            # `…, and the Carlyle Group will be left to wonder: “…”`: the subject of the
            # clause the colon closes, when the parse shows it.
            colons = [t for t in doc[low : opening.i] if t.text == ":"]
            if colons:
                for verb in (colons[-1].head, *colons[-1].head.ancestors):
                    if verb.i in self.in_quote or verb.i > colons[-1].i:
                        continue
                    found = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
                    if found and (speaker := self.resolve(found[0])) is not None:
                        return speaker, ""
                    if found:
                        break
            # `Sobczak, who took over the department, was blunt: “…”`: the clause's subject.
            for clause_subject in self.subjects(doc[low : opening.i], before=opening.i):
                if clause_subject.head.dep_ in ("relcl", "pcomp", "advcl", "acl"):
                    continue  # "who took over", "about why it changed"
                speaker = self.resolve(clause_subject)
                if speaker is not None:
                    return speaker, ""
            for token in reversed(doc[low : opening.i]):
                if token.i in self.in_quote or token.is_punct:
                    continue
                speaker = self.mention_at(token)
                if speaker is None and (ent := self.entity_of(token)) is not None:
                    if ent.label_ == "PERSON":
                        speaker = self.person_named(ent.text, ent.start_char)
                    elif ent.label_ in _ORG_LABELS:
                        speaker = self.agency_named(ent.text, ent.ent_id_)
                if speaker is None and token.is_title:
                    # "Mayes disagreed: “…”": a surname the tagger did not mark.
                    official = self.official_named(_hyphenated(token))
                    speaker = _of_official(official) if official is not None else None
                if speaker is not None:
                    return speaker, ""
        # A follow-up quote in the same paragraph: `“…,” said X. “…”`.
        for previous, speaker, entry in reversed(earlier):
            if self.paragraph_of(previous.close_mark) == paragraph and speaker is not None:
                return speaker, entry
        # A cue elsewhere in the paragraph: `Smith spoke Monday. “…”`.
        start = self.paragraph_starts[paragraph]
        stop = (
            self.paragraph_starts[paragraph + 1]
            if paragraph + 1 < len(self.paragraph_starts)
            else len(text)
        )
        starts = token_starts(doc)
        in_paragraph = list(
            doc[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, stop)]
        )
        nearby = [(t, c) for t in in_paragraph if (c := self.cue_at(t)) is not None]
        # Nearest first, cues before the quote ahead of cues after it.
        nearby.sort(
            key=lambda pair: (pair[0].idx > quote.open_mark, abs(pair[0].idx - quote.open_mark))
        )
        for cue_token, cue_entry in nearby:
            subject = self.subject_of(cue_token, cue_entry)
            speaker = self.resolve(subject) if subject is not None else None
            if speaker is not None:
                return speaker, cue_entry
        # `Bridenstine expects three launches. “…”`: the person the sentence before is about.
        if opening.i > 0 and quote.open_mark > start:
            sentence = doc[opening.i - 1].sent
            for subject in self.subjects(sentence, before=opening.i):
                speaker = self.resolve(subject)
                if (
                    speaker is not None
                    and speaker.kind == "agency"
                    and subject.pos_ == "PROPN"
                    and speaker.name == subject.text
                    and self.mention_at(subject) is None
                ):
                    # A lone surname the tagger took for an ORG ("Bridenstine expects ...").
                    speaker = _Speaker(subject.text, "person")
                if speaker is not None and speaker.kind == "person":
                    return speaker, ""
        # A paragraph that opens with the quote continues the paragraph before it.
        if quote.open_mark == start and paragraph > 0:
            for previous, speaker, entry in reversed(earlier):
                if self.paragraph_of(previous.close_mark) == paragraph - 1 and speaker is not None:
                    return speaker, entry
            before = [t for t in doc if self.paragraph_starts[paragraph - 1] <= t.idx < start]
            introduced = [t for t in before if not t.is_space]
            if introduced and introduced[-1].text == ":":
                for token in reversed(introduced):
                    if (intro := self.cue_at(token)) is not None:
                        subject = self.subject_of(token, intro)
                        if subject is not None and (speaker := self.resolve(subject)):
                            return speaker, intro
                # `Mayor X issued the following statement:` with no reporting verb: the
                # subject of the introducing sentence.
                sentence = introduced[-1].sent
                for subject in self.subjects(sentence, before=introduced[-1].i):
                    if subject.head.dep_ in ("relcl", "pcomp", "advcl", "acl"):
                        continue
                    if (speaker := self.resolve(subject)) is not None:
                        return speaker, ""
        return None, ""


def _is_heading(text: str, quote: _Marked, paragraphs: Sequence[tuple[int, int]]) -> bool:
    """Whether a quote is a heading: alone in its paragraph or after a short label and a
    colon, with no sentence punctuation of its own."""
    starts = [start for start, _ in paragraphs]
    k = bisect.bisect_right(starts, quote.open_mark) - 1
    if k < 0:
        return False
    para_start, para_end = paragraphs[k]
    label = text[para_start : quote.open_mark].strip()
    tail = text[quote.close_mark + 1 : para_end].strip()
    return (
        not tail
        and text[quote.close_mark] in _DOUBLE_MARKS | _SINGLE_MARKS
        and (not label or (label.endswith(":") and len(label.split()) <= 4))
        and text[quote.end - 1 : quote.end] not in (".", "?", "!", ",", "…")
    )


def extract_quotes(
    doc: Doc, *, agencies: Sequence[Agency], officials: Sequence[Official]
) -> list[Quote]:
    """Direct quotations of ``doc`` with their speakers, in text order.

    ``agencies`` and ``officials`` carry the character spans of every mention
    found by the other extractors; they decide who a cue verb's subject is.
    """
    marked = _scan(doc_text(doc))
    if not marked:
        return []
    parsed = doc.has_annotation("DEP")
    attributor = _Attributor(doc, marked, agencies, officials) if parsed else None
    results: list[tuple[_Marked, _Speaker | None, str]] = []
    for quote in marked:
        if attributor is None:
            speaker, cue = None, ""
        else:
            speaker, cue = attributor.attribute(quote, results)
        results.append((quote, speaker, cue))
    quotes = []
    paragraphs = _paragraphs(doc_text(doc))
    for quote, speaker, cue in results:
        text = doc_text(doc)[quote.start : quote.end]
        if _is_title_like(text):
            continue  # a quoted headline or report title, not speech
        if speaker is None and _is_heading(doc_text(doc), quote, paragraphs):
            continue  # a subhead or pull quote ("Loudoun: 'A tool we should use'")
        quotes.append(
            Quote(
                text=text,
                start=quote.start,
                end=quote.end,
                speaker=speaker.name if speaker else "",
                speaker_type=speaker.kind if speaker else "unknown",
                speaker_title=speaker.title if speaker else "",
                speaker_agency=speaker.agency if speaker else "",
                cue=cue,
            )
        )
    return quotes
