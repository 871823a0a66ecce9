"""Parsing: HTML or plain text in, a ``Page`` (main text and metadata) out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    """The readable article: metadata plus its paragraphs.

    ``paragraphs[0]`` is the headline when the page has one, so that a stance
    stated in a headline is seen by the extractors. ``text`` is the paragraphs
    joined by blank lines; every character offset in the output refers to it.
    """

    source: str
    paragraphs: tuple[str, ...]
    title: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" when unknown
    author: str = ""
    site: str = ""
    language: str = ""
    url: str = ""  # canonical URL when the page declares one, else the fetched URL

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)
