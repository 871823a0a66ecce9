"""Running the stages for each input: load -> parse -> nlp -> extract -> rows.

Every input ends as rows: an ``ExtractorError`` anywhere before the NLP step
becomes an ``articles`` row with ``status=error`` and the error's reason, and
the batch goes on. Any other exception is a bug, but one document's bug must
not cost a batch of millions its other documents: ``process_chunk`` logs it
with its traceback and records it as an error row with reason ``internal``.

``process_chunk`` is the one per-document function every batch engine runs
(in this process, in worker processes, on Dask workers), so their rows are
identical.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import cast

import httpx
from spacy.language import Language
from spacy.tokens import Doc

from extractor.agencies import extract_agencies
from extractor.config import Settings
from extractor.errors import ExtractorError, ParseError
from extractor.fetch import new_client
from extractor.inputs import Input, load_input
from extractor.load import RawDocument, decode
from extractor.nlp import batch_zone, pipe_bounded
from extractor.officials import extract_officials
from extractor.parse import Page, parse_html, parse_text
from extractor.quotes import extract_quotes
from extractor.reference import link_reference
from extractor.rows import (
    AgencyRow,
    AgencyType,
    ArticleRow,
    DocumentRows,
    OfficialRow,
    QuoteRow,
    SpeakerType,
    Stance,
    StanceRow,
)
from extractor.stances import extract_stances

log = logging.getLogger("extractor")


def doc_id_for(source: str) -> str:
    """Stable id of an input: the same source gives the same id on every run."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def parse_raw(raw: RawDocument) -> Page:
    """Decode and parse fetched or loaded bytes."""
    text = decode(raw)
    if raw.media_type == "text/plain":
        return parse_text(text, source=raw.source)
    return parse_html(text, source=raw.source, url=raw.url)


def read_page(item: Input, *, settings: Settings, client: httpx.Client | None = None) -> Page:
    """Load or fetch one input and parse it into a ``Page``."""
    return parse_raw(load_input(item, settings=settings, client=client))


def article_row(page: Page, *, doc_id: str) -> ArticleRow:
    text = page.text
    return ArticleRow(
        doc_id=doc_id,
        source=page.source,
        title=page.title,
        published=page.published,
        author=page.author,
        site=page.site,
        language=page.language,
        word_count=len(text.split()),
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        status="ok",
        url=page.url,
    )


def error_rows(source: str, error: ExtractorError) -> DocumentRows:
    """The single ``articles`` row that records why ``source`` produced nothing."""
    return DocumentRows(
        article=ArticleRow(
            doc_id=doc_id_for(source), source=source, status="error", error=error.describe()
        )
    )


def extract_rows(doc: Doc, page: Page, *, doc_id: str) -> DocumentRows:
    """All rows of one parsed and analysed document."""
    agencies = extract_agencies(doc)
    officials = extract_officials(doc, agencies=agencies)
    quotes = extract_quotes(doc, agencies=agencies, officials=officials)
    stances = extract_stances(doc, agencies=agencies, officials=officials, quotes=quotes)
    # The extractors draw types, speaker kinds and labels from closed vocabularies;
    # the casts name the row's Literal type for the checker.
    rows = DocumentRows(
        article=article_row(page, doc_id=doc_id),
        agencies=tuple(
            AgencyRow(
                doc_id,
                a.name,
                cast(AgencyType, a.agency_type),
                a.state,
                "; ".join(a.aliases),
                a.named_mentions,
            )
            for a in agencies
        ),
        officials=tuple(
            OfficialRow(doc_id, o.name, o.title, o.agency, len(o.spans)) for o in officials
        ),
        quotes=tuple(
            QuoteRow(
                doc_id,
                q.text,
                q.speaker,
                cast(SpeakerType, q.speaker_type),
                q.speaker_title,
                q.speaker_agency,
                q.cue,
                q.start,
                q.end,
            )
            for q in quotes
        ),
        stances=tuple(
            StanceRow(
                doc_id, s.agency, cast(Stance, s.stance), s.evidence, s.cue, s.speaker, s.confidence
            )
            for s in stances
        ),
    )
    return link_reference(rows)


def analyse_pages(
    pages: list[Page], *, nlp: Language, settings: Settings
) -> Iterator[DocumentRows]:
    """Run the NLP pipeline over parsed pages (batched) and extract their rows, in order."""
    fits = [page for page in pages if len(page.text) <= nlp.max_length]
    docs = pipe_bounded(
        nlp,
        (page.text for page in fits),
        batch_size=settings.batch_size,
        max_chars=settings.batch_chars,
    )
    for page in pages:
        if len(page.text) > nlp.max_length:
            yield error_rows(
                page.source,
                ParseError(
                    f"text of {len(page.text):,} characters exceeds the model's limit of {nlp.max_length:,}",
                    reason="text_too_long",
                ),
            )
        else:
            yield extract_rows(next(docs), page, doc_id=doc_id_for(page.source))


def internal_error_rows(source: str, exc: BaseException) -> DocumentRows:
    """The error row of a document whose processing hit a bug (reason ``internal``)."""
    return error_rows(source, ExtractorError(f"{type(exc).__name__}: {exc}", reason="internal"))


def _read(item: Input, *, settings: Settings, client: httpx.Client | None) -> Page | DocumentRows:
    try:
        return read_page(item, settings=settings, client=client)
    except ExtractorError as error:
        return error_rows(item.source, error)
    except Exception as exc:  # one document's bug must not stop the batch
        log.error("%s: internal error while reading", item.source, exc_info=exc)
        return internal_error_rows(item.source, exc)


def _analyse_isolated(
    pages: list[Page], *, nlp: Language, settings: Settings
) -> list[DocumentRows]:
    """``analyse_pages``, but a failure is narrowed to the one page that causes it."""
    try:
        return list(analyse_pages(pages, nlp=nlp, settings=settings))
    except Exception as exc:  # as in _read: see the module docstring
        if len(pages) == 1:
            log.error("%s: internal error while analysing", pages[0].source, exc_info=exc)
            return [internal_error_rows(pages[0].source, exc)]
        # Page by page: the good pages of the batch keep their rows.
        return [
            rows for page in pages for rows in _analyse_isolated([page], nlp=nlp, settings=settings)
        ]


def process_chunk(
    items: Sequence[Input],
    *,
    nlp: Language,
    settings: Settings,
    client: httpx.Client | None = None,
) -> list[DocumentRows]:
    """Rows of ``items`` (read, parsed, analysed in one ``nlp.pipe`` batch), in order.

    Exactly one ``DocumentRows`` per input, whatever fails. URLs share
    ``client``, or a client opened for this chunk when None.
    """
    with contextlib.ExitStack() as stack:
        if client is None and any(item.kind == "url" for item in items):
            client = stack.enter_context(new_client(settings))
        read = [_read(item, settings=settings, client=client) for item in items]
    # A memory zone (spaCy 3.8) frees the strings and lexemes the chunk's texts added
    # to the shared vocabulary once the chunk is done: without it a worker's memory
    # grows with every new word of a million-article corpus (after a bounded warm-up:
    # nlp.batch_zone). The Docs die with the zone; the rows are plain Python values
    # extracted inside it.
    pages = [r for r in read if isinstance(r, Page)]
    with batch_zone(nlp, len(pages)):
        analysed = iter(_analyse_isolated(pages, nlp=nlp, settings=settings))
    return [r if isinstance(r, DocumentRows) else next(analysed) for r in read]


def process(items: Iterable[Input], *, nlp: Language, settings: Settings) -> Iterator[DocumentRows]:
    """Rows for every input, in input order, one ``DocumentRows`` per input.

    Inputs are read lazily in chunks of ``settings.batch_size``; one HTTP
    client is shared by all URLs of the run.
    """
    with contextlib.ExitStack() as stack:
        client: httpx.Client | None = None
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, settings.batch_size)):
            if client is None and any(item.kind == "url" for item in chunk):
                client = stack.enter_context(new_client(settings))
            yield from process_chunk(chunk, nlp=nlp, settings=settings, client=client)
