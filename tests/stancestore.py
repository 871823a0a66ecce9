"""Test helper: a store with hand-written articles and stances (no fetching, no NLP)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extractor.rows import AgencyRow, ArticleRow, DocumentRows, StanceRow
from extractor.run import doc_id_for
from extractor.store import Attempt, Store


@dataclass(frozen=True)
class S:
    """One stance of an article: agency, label, evidence, and where the agency is."""

    agency: str
    stance: str
    evidence: str = ""
    state: str = "NV"
    ori: str = ""
    cue: str = ""
    confidence: float = 0.8
    in_287g: str = ""
    agreement_287g: str = ""
    conflict: str = ""
    speaker: str = ""


def add_article(
    store: Store,
    url: str,
    stances: Sequence[S],
    *,
    published: str = "",
    title: str = "",
    site: str = "",
    text: str | None = None,
) -> str:
    """Record one ``ok`` article with ``stances`` (and an agencies row for each); its doc_id.

    The text is the title and the evidence sentences unless given.
    """
    run_id = store.begin_run("test")
    store.add_urls(run_id, [(url, url, "url")])
    doc_id = doc_id_for(url)
    evidence = [s.evidence or f"{s.agency} {s.stance}." for s in stances]
    if text is None:
        text = "\n\n".join([title or url, *evidence])
    agencies = {
        s.agency: AgencyRow(
            doc_id,
            s.agency,
            "sheriff",
            s.state,
            "",
            1,
            ori=s.ori,
            in_287g=s.in_287g,  # type: ignore[arg-type]
            agreement_287g=s.agreement_287g,
        )
        for s in stances
    }
    rows = DocumentRows(
        article=ArticleRow(
            doc_id=doc_id,
            source=url,
            title=title,
            published=published,
            site=site,
            text_sha256=f"sha-{doc_id}",
            url=url if url.startswith(("http://", "https://")) else "",
        ),
        agencies=tuple(agencies.values()),
        stances=tuple(
            StanceRow(
                doc_id,
                s.agency,
                s.stance,  # type: ignore[arg-type]
                sentence,
                s.cue,
                s.speaker,
                s.confidence,
                s.conflict,
            )
            for s, sentence in zip(stances, evidence, strict=True)
        ),
    )
    attempt = Attempt(url=url, outcome="fetched", body_sha256=f"body-{doc_id}", http_status=200)
    store.record_rows(run_id, attempt, rows, status="new", text=text)
    store.end_run(run_id, outcome="finished", report="{}")
    return doc_id
