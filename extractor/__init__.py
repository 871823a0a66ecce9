"""extractor: news articles about local responses to immigration enforcement -> reviewable tables.

Notebook use::

    import extractor
    rows = extractor.extract(html_or_text)          # DocumentRows
    frames = extractor.extract_frames([a, b, c])    # {"articles": DataFrame, ...}
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
    from extractor.api import extract, extract_frames

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
    "Settings",
    "SkipPage",
    "StanceRow",
    "extract",
    "extract_frames",
]


def __getattr__(name: str) -> Any:
    # The API pulls in spaCy; load it only when asked, so parsing-only users stay light.
    if name in ("extract", "extract_frames"):
        from extractor import api

        return getattr(api, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
