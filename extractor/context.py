"""Evidence in context: where a finding's sentence sits in its article's main text.

Review sheets and the HTML report show the evidence sentence with a little of
the text around it, so a reviewer can judge it without opening the page. The
text is the one the rows were extracted from (``Store.article_text``); the
evidence is a sentence of it, so an exact search finds it, and a search that
ignores runs of whitespace finds it when a sentence was joined across a line
break.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Characters of context shown on each side of the evidence, cut at a word boundary.
CONTEXT_CHARS = 160


@dataclass(frozen=True, slots=True)
class InContext:
    """The evidence and the text just before and after it (trimmed, ``…`` where cut)."""

    before: str
    evidence: str
    after: str

    def plain(self, marks: tuple[str, str] = ("", "")) -> str:
        """One line of text, the evidence between ``marks`` (e.g. ``("[[", "]]")``)."""
        middle = f"{marks[0]}{self.evidence}{marks[1]}"
        return " ".join(part for part in (self.before, middle, self.after) if part)


def _locate(text: str, evidence: str) -> tuple[int, int] | None:
    start = text.find(evidence)
    if start >= 0:
        return start, start + len(evidence)
    words = evidence.split()
    if not words:
        return None
    match = re.search(r"\s+".join(re.escape(word) for word in words), text)
    return None if match is None else (match.start(), match.end())


# A sentence ends at . ! or ? (with any closing quote or bracket) before a space, or at a
# paragraph break (and after a headline). Abbreviations ("St. Paul") end it early: the
# evidence is shown with its context, so a short sentence still reads.
_SENTENCE_END = re.compile(r"""[.!?]["'\u201d\u2019)\]]*(?=\s)|\n\s*\n""")


# Apostrophes a name may be typed with: a normalised "Sheriff's" is "Sheriff’s" in the text.
_APOSTROPHES = "'\u2019\u2018\u02bc"
# Words too common to find an agency by on their own (a shortened name must keep another).
_GENERIC_WORDS = frozenset(
    {"city", "county", "state", "town", "village", "police", "department", "office", "the"}
)


def _name_pattern(words: Sequence[str]) -> str:
    apostrophe = f"[{_APOSTROPHES}]"
    escaped = (
        "".join(apostrophe if char in _APOSTROPHES else re.escape(char) for char in word)
        for word in words
    )
    return r"\b" + r"\s+".join(escaped) + r"(?!\w)"


def _find_name(text: str, name: str) -> tuple[int, int] | None:
    """Where ``name`` first appears: in any case and apostrophe; else the longest shortened
    form (its first words: "Cass County" for "Cass County Sheriff's Office") that appears
    as written, down to one word that is not a common one."""
    words = name.split()
    if not words:
        return None
    found = re.search(_name_pattern(words), text, re.IGNORECASE)
    for size in range(len(words) - 1, 0, -1):
        if found is not None:
            break
        if size == 1 and (words[0].lower() in _GENERIC_WORDS or len(words[0]) < 4):
            break
        found = re.search(_name_pattern(words[:size]), text)
    return None if found is None else (found.start(), found.end())


def sentence_naming(text: str | None, names: Iterable[str]) -> str:
    """The sentence of ``text`` holding the first mention of any of ``names``; "" if none.

    Agencies and officials have no evidence sentence of their own: a reviewer
    sees the first sentence of the article that names them. Names are the
    extractor's normalised ones, so they are matched loosely (``_find_name``).
    """
    if not text:
        return ""
    first: tuple[int, int] | None = None
    for name in names:
        span = _find_name(text, name)
        if span is not None and (first is None or span < first):
            first = span
    if first is None:
        return ""
    start = 0
    for end_mark in _SENTENCE_END.finditer(text, 0, first[0]):
        start = end_mark.end()
    after = _SENTENCE_END.search(text, first[1])
    return text[start : after.end() if after else len(text)].strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def in_context(text: str | None, evidence: str, *, chars: int = CONTEXT_CHARS) -> InContext:
    """``evidence`` with up to ``chars`` characters of ``text`` on each side.

    When the text is unknown (``None``, an article stored before texts were
    kept) or does not contain the evidence, the evidence comes back alone.
    """
    evidence = evidence.strip()
    span = _locate(text, evidence) if text and evidence else None
    if text is None or span is None:
        return InContext("", _one_line(evidence), "")
    start, end = span
    before = text[max(0, start - chars) : start]
    after = text[end : end + chars]
    if start - chars > 0 and " " in before:
        before = "\u2026" + before[before.index(" ") + 1 :]
    if end + chars < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "\u2026"
    return InContext(_one_line(before), _one_line(text[start:end]), _one_line(after))
