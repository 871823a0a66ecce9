"""extractor: news articles about local responses to immigration enforcement -> reviewable tables.

Notebook use::

    import extractor
    rows = extractor.extract(html_or_text)          # DocumentRows
    frames = extractor.extract_frames([a, b, c])    # {"articles": DataFrame, ...}

Batches (lazy, on all cores or a Dask cluster)::

    for rows in extractor.extract_batch(["corpus.jsonl"], workers=4): ...
    summary = extractor.extract_to(["crawl.warc.gz"], Path("out"), engine="dask")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from extractor.config import Settings
from extractor.errors import (
    ConfigError,
    ExtractorError,
    FetchError,
    HTTPStatusError,
    InputError,
    ParseError,
    SkipPage,
)
from extractor.rows import AgencyRow, ArticleRow, DocumentRows, OfficialRow, QuoteRow, StanceRow

if TYPE_CHECKING:
    from extractor.api import extract, extract_batch, extract_frames, extract_to
    from extractor.inputs import RecordColumns

__all__ = [
    "AgencyRow",
    "ArticleRow",
    "ConfigError",
    "DocumentRows",
    "ExtractorError",
    "FetchError",
    "HTTPStatusError",
    "InputError",
    "OfficialRow",
    "ParseError",
    "QuoteRow",
    "RecordColumns",
    "Settings",
    "SkipPage",
    "StanceRow",
    "extract",
    "extract_batch",
    "extract_frames",
    "extract_to",
]

_LAZY = {
    "extract": "extractor.api",
    "extract_batch": "extractor.api",
    "extract_frames": "extractor.api",
    "extract_to": "extractor.api",
    "RecordColumns": "extractor.inputs",
}


def __getattr__(name: str) -> Any:
    # The API pulls in spaCy; load it only when asked, so parsing-only users stay light.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
