"""The Python API for notebooks: extract from a string, get rows or DataFrames."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd
from spacy.language import Language

from extractor.config import Settings
from extractor.errors import ExtractorError
from extractor.export import to_frames
from extractor.nlp import load_nlp
from extractor.parse import parse_html, parse_text
from extractor.rows import DocumentRows
from extractor.run import analyse_pages, error_rows

_HTML_START = re.compile(
    r"^\s*(<!doctype|<html|<head|<body|<article|<div|<p[\s>]|<main|<section|<!--)", re.I
)


def looks_like_html(content: str) -> bool:
    """True for a string that starts like an HTML document or fragment."""
    return bool(_HTML_START.match(content[:2048]))


def extract(
    content: str,
    *,
    source: str = "<string>",
    url: str = "",
    html: bool | None = None,
    settings: Settings | None = None,
    nlp: Language | None = None,
) -> DocumentRows:
    """Rows of one article given as text or HTML (``html=None`` guesses which).

    A string that holds no article gives a ``DocumentRows`` whose article row
    has ``status="error"``; it never raises for bad content.
    """
    settings = settings or Settings()
    nlp = nlp or load_nlp(settings.model)
    is_html = looks_like_html(content) if html is None else html
    try:
        page = (
            parse_html(content, source=source, url=url)
            if is_html
            else parse_text(content, source=source)
        )
    except ExtractorError as error:
        return error_rows(source, error)
    return next(analyse_pages([page], nlp=nlp, settings=settings))


def extract_frames(
    contents: str | Iterable[str],
    *,
    settings: Settings | None = None,
    nlp: Language | None = None,
) -> dict[str, pd.DataFrame]:
    """One DataFrame per table for one or several strings (sources ``<string 0>``, ...)."""
    items = [contents] if isinstance(contents, str) else list(contents)
    settings = settings or Settings()
    nlp = nlp or load_nlp(settings.model)
    sources = ["<string>"] if len(items) == 1 else [f"<string {i}>" for i in range(len(items))]
    return to_frames(
        extract(c, source=s, settings=settings, nlp=nlp)
        for c, s in zip(items, sources, strict=True)
    )
