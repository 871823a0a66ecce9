"""Entities found in one document, shared between extractors (agencies -> officials -> quotes -> stances)."""

from __future__ import annotations

from dataclasses import dataclass

Span = tuple[int, int]  # start, end character offsets in ``doc.text``


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency of a document, after merging all the ways the text names it.

    ``spans`` covers every mention: full names, acronyms, short forms and
    resolved references such as "the department".
    """

    name: str
    agency_type: str
    state: str
    aliases: tuple[str, ...]
    spans: tuple[Span, ...]
    named_mentions: int = 0  # mentions by name or acronym, not counting "the department"


@dataclass(frozen=True, slots=True)
class Official:
    """A named person with a title; ``agency`` is a canonical agency name or ""."""

    name: str
    title: str
    agency: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation; ``start``/``end`` delimit the text inside the marks."""

    text: str
    start: int
    end: int
    speaker: str
    speaker_type: str  # person | agency | unknown
    speaker_title: str
    speaker_agency: str
    cue: str
