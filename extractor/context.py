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
from collections.abc import Iterable
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


def sentence_naming(text: str | None, names: Iterable[str]) -> str:
    """The sentence of ``text`` holding the first mention of any of ``names``; "" if none.

    Agencies and officials have no evidence sentence of their own: a reviewer
    sees the first sentence of the article that names them.
    """
    if not text:
        return ""
    first: tuple[int, int] | None = None
    for name in names:
        span = _locate(text, name.strip()) if name.strip() else None
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
