"""The Python API: extract from strings (notebooks), or run a whole batch to tables.

``extract``/``extract_frames`` work on strings in this process.
``extract_batch`` and ``extract_to`` take INPUTs as the command line does
(files, directories, URLs, JSONL/CSV/WARC collections), read them lazily,
and run them on the chosen engine: ``local`` (``workers`` processes) or
``dask`` (a Dask cluster); ``extract_to`` streams the rows into tables.
"""

from __future__ import annotations

import collections
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from spacy.language import Language

from extractor.config import Settings
from extractor.errors import ConfigError, ExtractorError
from extractor.export import TableWriter, to_frames
from extractor.inputs import Input, RecordColumns, iter_inputs
from extractor.nlp import batch_zone, load_nlp
from extractor.parse import Page, parse_html, parse_text
from extractor.rows import DocumentRows
from extractor.run import analyse_pages, error_rows
from extractor.workers import default_workers, process_parallel

Engine = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")

log = logging.getLogger("extractor")

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
    """One DataFrame per table for one or several strings (sources ``<string 0>``, ...).

    The strings are read lazily and analysed ``settings.batch_size`` at a time
    (one ``nlp.pipe`` batch each).
    """
    settings = settings or Settings()
    nlp = nlp or load_nlp(settings.model)
    iterator = iter([contents] if isinstance(contents, str) else contents)
    head = list(itertools.islice(iterator, 2))
    sources: Iterable[str] = (
        ["<string>"] if len(head) == 1 else (f"<string {i}>" for i in itertools.count())
    )
    named = zip(itertools.chain(head, iterator), sources, strict=False)
    return to_frames(_extract_many(named, settings=settings, nlp=nlp))


def _extract_many(
    named: Iterable[tuple[str, str]], *, settings: Settings, nlp: Language
) -> Iterator[DocumentRows]:
    iterator = iter(named)
    while batch := list(itertools.islice(iterator, settings.batch_size)):
        read: list[Page | DocumentRows] = []
        for content, source in batch:
            try:
                read.append(
                    parse_html(content, source=source)
                    if looks_like_html(content)
                    else parse_text(content, source=source)
                )
            except ExtractorError as error:
                read.append(error_rows(source, error))
        # As in run.process_chunk: the batch's new strings leave the vocabulary with it.
        pages = [r for r in read if isinstance(r, Page)]
        with batch_zone(nlp, len(pages)):
            analysed = iter(list(analyse_pages(pages, nlp=nlp, settings=settings)))
        for result in read:
            yield result if isinstance(result, DocumentRows) else next(analysed)


@dataclass
class BatchSummary:
    """What ``extract_to`` did: counts, skipped archive records by kind, files written."""

    inputs: int = 0
    ok: int = 0
    failed: int = 0
    reasons: collections.Counter[str] = field(default_factory=collections.Counter)
    skipped: collections.Counter[str] = field(default_factory=collections.Counter)
    paths: list[Path] = field(default_factory=list)

    def add(self, rows: DocumentRows) -> None:
        article = rows.article
        self.inputs += 1
        if article.status == "error":
            self.failed += 1
            self.reasons[article.error.partition(":")[0]] += 1
            log.warning("%s: %s", article.source, article.error)
        else:
            self.ok += 1
            log.info(
                "%s: %d agencies, %d quotes, %d stances",
                article.source,
                len(rows.agencies),
                len(rows.quotes),
                len(rows.stances),
            )


def _check_engine(engine: str, scheduler: str | None) -> None:
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if scheduler is not None and engine != "dask":
        raise ConfigError("a scheduler address needs engine 'dask'")


def _partitions(
    items: Iterable[Input],
    *,
    settings: Settings,
    engine: str,
    workers: int | None,
    scheduler: str | None,
    nlp: Language | None,
) -> Iterator[list[DocumentRows]]:
    """Rows of ``items`` in input order, grouped as the engine produced them."""
    _check_engine(engine, scheduler)
    count = default_workers() if workers is None else workers
    if engine == "dask":
        # Imported here: Dask is an optional extra, and heavy.
        from extractor.distributed import process_dask

        yield from process_dask(items, settings=settings, scheduler=scheduler, workers=count)
        return
    for rows in process_parallel(items, settings=settings, workers=count, nlp=nlp):
        yield [rows]


def extract_batch(
    inputs: Iterable[str],
    *,
    settings: Settings | None = None,
    workers: int | None = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    columns: RecordColumns | None = None,
    nlp: Language | None = None,
) -> Iterator[DocumentRows]:
    """Rows of every INPUT (as on the command line), lazily and in input order.

    ``workers=None`` uses every core; ``engine="dask"`` runs on the cluster at
    ``scheduler`` (a local one when None). ``nlp`` is used when the work runs
    in this process (``workers=1``).
    """
    settings = settings or Settings()
    items = iter_inputs(inputs, columns=columns, settings=settings)
    for part in _partitions(
        items, settings=settings, engine=engine, workers=workers, scheduler=scheduler, nlp=nlp
    ):
        yield from part


def extract_to(
    inputs: Iterable[str],
    out: Path,
    *,
    settings: Settings | None = None,
    workers: int | None = None,
    engine: Engine = "local",
    scheduler: str | None = None,
    columns: RecordColumns | None = None,
    nlp: Language | None = None,
    progress: Callable[[DocumentRows], None] | None = None,
) -> BatchSummary:
    """Run every INPUT and stream its rows into the tables under ``out``.

    Tables are written in ``settings.formats`` (with a BOM for ``excel``) and
    replace the previous ones only when the run completes; with the Dask
    engine each partition is also written to ``out/partitions/<table>/``.
    ``progress`` is called with each input's rows as they arrive, in order.
    """
    settings = settings or Settings()
    _check_engine(engine, scheduler)
    summary = BatchSummary()
    items = iter_inputs(inputs, columns=columns, settings=settings, skipped=summary.skipped)
    with TableWriter(
        out, formats=settings.formats, excel=settings.excel, partitions=engine == "dask"
    ) as writer:
        for part in _partitions(
            items, settings=settings, engine=engine, workers=workers, scheduler=scheduler, nlp=nlp
        ):
            for rows in part:
                summary.add(rows)
                if progress is not None:
                    progress(rows)
            if engine == "dask":
                writer.write_partition(part)
            else:
                writer.write(part)
    summary.paths = writer.paths
    return summary
