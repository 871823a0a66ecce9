"""Running the stages for each input: load -> parse -> nlp -> extract -> rows.

Every input ends as rows: an ``ExtractorError`` anywhere before the NLP step
becomes an ``articles`` row with ``status=error`` and the error's reason, and
the batch goes on. Anything else is a bug and propagates.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterable, Iterator
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
    docs = iter(nlp.pipe((page.text for page in fits), batch_size=settings.batch_size))
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


def process(items: Iterable[Input], *, nlp: Language, settings: Settings) -> Iterator[DocumentRows]:
    """Rows for every input, in input order, one ``DocumentRows`` per input.

    Inputs are read lazily in chunks of ``settings.batch_size``; one HTTP
    client is shared by all URLs of the run.
    """
    with contextlib.ExitStack() as stack:
        client: httpx.Client | None = None
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, settings.batch_size)):
            read: list[Page | DocumentRows] = []
            for item in chunk:
                if item.kind == "url" and client is None:
                    client = stack.enter_context(new_client(settings))
                try:
                    read.append(read_page(item, settings=settings, client=client))
                except ExtractorError as error:
                    read.append(error_rows(item.source, error))
            analysed = analyse_pages(
                [r for r in read if isinstance(r, Page)], nlp=nlp, settings=settings
            )
            for result in read:
                yield result if isinstance(result, DocumentRows) else next(analysed)
