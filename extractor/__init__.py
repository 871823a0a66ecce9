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
    from extractor.crawl import RunReport, export_store, run_pipeline
    from extractor.fetch import Fetcher, FetchRequest, FetchResult
    from extractor.inputs import RecordColumns
    from extractor.pipeline import Pipeline, load_pipeline
    from extractor.sources import Source, discover
    from extractor.store import Store

__all__ = [
    "AgencyRow",
    "ArticleRow",
    "ConfigError",
    "DocumentRows",
    "ExtractorError",
    "FetchError",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "HTTPStatusError",
    "InputError",
    "OfficialRow",
    "ParseError",
    "Pipeline",
    "QuoteRow",
    "RecordColumns",
    "RunReport",
    "Settings",
    "SkipPage",
    "Source",
    "StanceRow",
    "Store",
    "discover",
    "export_store",
    "extract",
    "extract_batch",
    "extract_frames",
    "extract_to",
    "load_pipeline",
    "run_pipeline",
]

_LAZY = {
    "extract": "extractor.api",
    "extract_batch": "extractor.api",
    "extract_frames": "extractor.api",
    "extract_to": "extractor.api",
    "RecordColumns": "extractor.inputs",
    "FetchRequest": "extractor.fetch",
    "FetchResult": "extractor.fetch",
    "Fetcher": "extractor.fetch",
    "Pipeline": "extractor.pipeline",
    "RunReport": "extractor.crawl",
    "Source": "extractor.sources",
    "Store": "extractor.store",
    "discover": "extractor.sources",
    "export_store": "extractor.crawl",
    "load_pipeline": "extractor.pipeline",
    "run_pipeline": "extractor.crawl",
}


def __getattr__(name: str) -> Any:
    # The API and the crawler pull in spaCy and httpx; load them only when asked.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
