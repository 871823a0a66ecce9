"""The crawl store: ledger, idempotent page transactions, syndication, conditional-GET metadata."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from extractor.errors import ConfigError
from extractor.rows import AgencyRow, ArticleRow, DocumentRows, QuoteRow, StanceRow
from extractor.run import doc_id_for
from extractor.store import Attempt, Review, Store, canonical_url, parse_since


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "s" / "crawl.sqlite3") as opened:
        yield opened  # type: ignore[misc]


def rows_for(url: str, text_sha: str, *, agencies: int = 1, title: str = "T") -> DocumentRows:
    doc_id = doc_id_for(url)
    return DocumentRows(
        article=ArticleRow(doc_id=doc_id, source=url, title=title, text_sha256=text_sha, url=url),
        agencies=tuple(
            AgencyRow(doc_id, f"Agency {i}", "police", "NV", "", 1) for i in range(agencies)
        ),
        quotes=(
            QuoteRow(doc_id, "We will not help.", "Chief", "person", "chief", "", "said", 0, 5),
        ),
        stances=(StanceRow(doc_id, "Agency 0", "refuses", "e", "c", "s", 0.9),),
    )


def fetched(url: str, body: str = "b1", **extra: object) -> Attempt:
    return Attempt(url=url, outcome="fetched", body_sha256=body, http_status=200, **extra)  # type: ignore[arg-type]


def counts(store: Store) -> dict[str, int]:
    return {
        table: store.query(f"SELECT count(*) FROM {table}")[0][0]
        for table in ("articles", "agencies", "quotes", "stances", "article_urls", "fetch_log")
    }


def test_canonical_url_sorts_query_and_drops_fragment() -> None:
    assert canonical_url(" https://EXAMPLE.org/a?b=2&a=1#top ") == "https://example.org/a?a=1&b=2"
    assert canonical_url("https://example.org/caf\u00e9") == "https://example.org/caf%C3%A9"


def test_add_urls_counts_new_keeps_order_and_first_spelling(store: Store) -> None:
    run1 = store.begin_run("p")
    assert store.add_urls(run1, [("u:a", "A", "url"), ("u:b", "B", "url")]) == 2
    run2 = store.begin_run("p")
    assert store.add_urls(run2, [("u:c", "C", "url"), ("u:a", "A2", "url")]) == 1
    due = list(store.iter_due(run2, kind="url"))
    assert [(s.url, s.source) for s in due] == [("u:a", "A"), ("u:c", "C")]
    assert due[0].seq < due[1].seq
    assert store.count_due(run2) == 2
    assert list(store.iter_due(run2, kind="file")) == []


def test_iter_due_pages_through_many(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, ((f"u:{i:05d}", f"u{i}", "url") for i in range(1234)))
    assert [s.url for s in store.iter_due(run_id, kind="url")] == [
        f"u:{i:05d}" for i in range(1234)
    ]


def test_recording_a_page_twice_replaces_it(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url")])
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t1", agencies=3), status="new")
    once = counts(store)
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t1", agencies=3), status="new")
    assert (
        counts(store)
        == once
        == {
            "articles": 1,
            "agencies": 3,
            "quotes": 1,
            "stances": 1,
            "article_urls": 0,
            "fetch_log": 1,
        }
    )
    # A changed page with fewer rows leaves none of the old ones behind.
    store.record_rows(
        run_id, fetched("u:a", "b2"), rows_for("u:a", "t2", agencies=1), status="changed"
    )
    assert counts(store)["agencies"] == 1
    state = store.state("u:a")
    assert state is not None
    assert (state.status, state.extracted_sha256, state.text_sha256, state.owns_article) == (
        "changed",
        "b2",
        "t2",
        True,
    )


def test_conditional_get_metadata(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url")])
    store.record_fetched(
        run_id, fetched("u:a", "b1", etag='"v1"', last_modified="Mon"), status="new"
    )
    state = store.state("u:a")
    assert state is not None
    assert (state.etag, state.last_modified, state.body_sha256) == ('"v1"', "Mon", "b1")
    # Fetched but not extracted: the validators do not describe rows.
    assert not state.validators_current
    store.record_rows(run_id, fetched("u:a", "b1", etag='"v1"'), rows_for("u:a", "t"), status="new")
    state = store.state("u:a")
    assert state is not None and state.validators_current
    # A 304 carries no body: validators and hashes stay.
    store.record_unchanged(
        run_id, Attempt(url="u:a", outcome="not_modified", http_status=304), extracted=True
    )
    state = store.state("u:a")
    assert state is not None
    assert (state.etag, state.body_sha256, state.status) == ('"v1"', "b1", "unchanged")
    assert state.validators_current


def test_syndicated_text_is_one_article(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "same"), status="new")
    assert store.owner_of_text("same") == (doc_id_for("u:a"), 1)
    assert store.owner_of_text("other") is None
    store.record_duplicate(
        run_id,
        fetched("u:b"),
        text_sha256="same",
        owner_doc=doc_id_for("u:a"),
        own_doc=doc_id_for("u:b"),
    )
    assert counts(store)["articles"] == 1
    assert store.query("SELECT url, doc_id FROM article_urls") == [("u:b", doc_id_for("u:a"))]
    state = store.state("u:b")
    assert state is not None and (state.status, state.doc_id) == ("duplicate", doc_id_for("u:a"))
    assert store.query("SELECT status, reason FROM fetch_log WHERE url = 'u:b'") == [
        ("duplicate", "duplicate")
    ]


def test_earlier_url_takes_the_article_over(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url"), ("u:c", "u:c", "url")])
    # u:b arrived first and owns the text; u:c is its duplicate.
    store.record_rows(run_id, fetched("u:b"), rows_for("u:b", "same"), status="new")
    store.record_duplicate(
        run_id,
        fetched("u:c"),
        text_sha256="same",
        owner_doc=doc_id_for("u:b"),
        own_doc=doc_id_for("u:c"),
    )
    # u:a was discovered first: it becomes the owner, u:b and u:c its duplicates.
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "same"), status="new")
    assert store.query("SELECT doc_id FROM articles") == [(doc_id_for("u:a"),)]
    assert store.query("SELECT DISTINCT doc_id FROM agencies") == [(doc_id_for("u:a"),)]
    assert sorted(store.query("SELECT url, doc_id FROM article_urls")) == [
        ("u:b", doc_id_for("u:a")),
        ("u:c", doc_id_for("u:a")),
    ]
    b = store.state("u:b")
    assert b is not None and (b.status, b.doc_id, b.owns_article) == (
        "duplicate",
        doc_id_for("u:a"),
        False,
    )


def test_owner_changing_its_text_orphans_its_duplicates(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "same"), status="new")
    store.record_duplicate(
        run_id,
        fetched("u:b"),
        text_sha256="same",
        owner_doc=doc_id_for("u:a"),
        own_doc=doc_id_for("u:b"),
    )
    store.record_rows(run_id, fetched("u:a", "b2"), rows_for("u:a", "new text"), status="changed")
    b = store.state("u:b")
    # u:b still holds the old text: it is fetched and processed afresh next time.
    assert b is not None and (b.doc_id, b.extracted_sha256, b.status) == (None, None, "pending")
    assert counts(store)["article_urls"] == 0


def test_duplicate_that_had_its_own_article_loses_it(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t-a"), status="new")
    store.record_rows(run_id, fetched("u:b"), rows_for("u:b", "t-b"), status="new")
    store.record_duplicate(
        run_id,
        fetched("u:b", "b9"),
        text_sha256="t-a",
        owner_doc=doc_id_for("u:a"),
        own_doc=doc_id_for("u:b"),
    )
    assert store.query("SELECT doc_id FROM articles") == [(doc_id_for("u:a"),)]
    # And when its text becomes its own again, the duplicate link goes.
    store.record_rows(run_id, fetched("u:b", "b10"), rows_for("u:b", "t-b2"), status="new")
    assert counts(store)["article_urls"] == 0
    assert counts(store)["articles"] == 2


def test_failure_writes_an_error_row_only_without_rows(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
    failure = Attempt(
        url="u:a", outcome="failed", reason="http_500", message="boom", http_status=500
    )
    error_row = ArticleRow(doc_id_for("u:a"), "u:a", status="error", error="http_500: boom")
    store.record_failure(run_id, failure, status="failed", error_row=error_row)
    assert store.query("SELECT status, error FROM articles") == [("error", "http_500: boom")]
    # Succeeds later: the error row is replaced by the article.
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t"), status="new")
    assert store.query("SELECT status FROM articles") == [("ok",)]
    # Fails again: yesterday's rows stay, the ledger says why it failed.
    store.record_failure(run_id, failure, status="failed", error_row=error_row)
    assert store.query("SELECT status FROM articles") == [("ok",)]
    state = store.state("u:a")
    assert state is not None and (state.status, state.owns_article) == ("failed", True)
    assert store.query("SELECT outcome, reason, http_status FROM fetch_log WHERE url = 'u:a'") == [
        ("failed", "http_500", 500)
    ]


def test_export_order_and_since(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:b", "u:b", "url"), ("u:a", "u:a", "url")])
    store.record_rows(run_id, fetched("u:b"), rows_for("u:b", "t-b", agencies=2), status="new")
    store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t-a", agencies=2), status="new")
    articles = list(store.table_rows("articles"))
    assert [row[1] for row in articles] == ["u:a", "u:b"]
    agencies = list(store.table_rows("agencies"))
    assert [(row[0], row[1]) for row in agencies] == [
        (doc_id_for("u:a"), "Agency 0"),
        (doc_id_for("u:a"), "Agency 1"),
        (doc_id_for("u:b"), "Agency 0"),
        (doc_id_for("u:b"), "Agency 1"),
    ]
    assert list(store.table_rows("articles", since="9999-01-01T00:00:00+00:00")) == []
    assert [row[0] for row in store.fetch_log_rows()] == ["u:a", "u:b"]
    assert list(store.fetch_log_rows(since="9999-01-01T00:00:00+00:00")) == []


def test_parse_since() -> None:
    assert parse_since("2026-11-20") == "2026-11-20T00:00:00+00:00"
    assert parse_since("2026-11-20T08:30:00+02:00") == "2026-11-20T06:30:00+00:00"
    with pytest.raises(ConfigError, match="--since"):
        parse_since("yesterday")


def test_reopening_keeps_everything_and_adds_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "crawl.sqlite3"
    with Store(path) as store:
        run_id = store.begin_run("p")
        store.add_urls(run_id, [("u:a", "u:a", "url")])
        store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t"), status="new")
    # A store made before a column was added to rows.py gets it on open.
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE quotes DROP COLUMN cue")
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.query("SELECT count(*) FROM articles") == [(1,)]
        assert store.query("SELECT cue FROM quotes") == [("",)]
        assert store.query("PRAGMA journal_mode") == [("wal",)]


def test_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="not a usable SQLite database"):
        Store(path)
    with pytest.raises(ConfigError, match="cannot open store"):
        Store(tmp_path / "junk.sqlite3" / "x.sqlite3")


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "crawl.sqlite3"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    with pytest.raises(ConfigError, match="schema version 99"):
        Store(path)


def test_snapshot_reads_one_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "crawl.sqlite3"
    with Store(path) as writer, Store(path) as reader:
        run_id = writer.begin_run("p")
        writer.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
        writer.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t-a"), status="new")
        with reader.snapshot():
            assert len(list(reader.table_rows("articles"))) == 1
            # A run commits another page while the export reads.
            writer.record_rows(run_id, fetched("u:b"), rows_for("u:b", "t-b"), status="new")
            assert len(list(reader.table_rows("articles"))) == 1
            assert len(list(reader.table_rows("agencies"))) == 1
        assert len(list(reader.table_rows("articles"))) == 2


def test_article_text_is_kept_replaced_and_dropped_with_its_article(store: Store) -> None:
    run_id = store.begin_run("p")
    store.add_urls(run_id, [("u:a", "u:a", "url"), ("u:b", "u:b", "url")])
    doc_a = doc_id_for("u:a")
    store.record_rows(
        run_id, fetched("u:a"), rows_for("u:a", "t1"), status="new", text="Caf\u00e9 one."
    )
    assert store.article_text(doc_a) == "Caf\u00e9 one."
    store.record_rows(
        run_id, fetched("u:a", "b2"), rows_for("u:a", "t2"), status="changed", text="Two."
    )
    assert store.article_text(doc_a) == "Two."
    # Another URL taking the article over (same main text): the old article's text goes
    # with its rows, the new owner keeps its own.
    store.record_rows(run_id, fetched("u:b"), rows_for("u:b", "t2"), status="new", text="Two.")
    assert store.article_text(doc_a) is None
    assert store.article_text(doc_id_for("u:b")) == "Two."
    assert store.query("SELECT count(*) FROM texts")[0][0] == 1
    assert store.article_text("no-such-doc") is None


def test_reviews_are_kept_across_re_extraction_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    decision = Review(
        finding_id="S-0123456789abcdef",
        table="stances",
        doc_id=doc_id_for("u:a"),
        key="Agency 0",
        value="refuses",
        verdict="wrong",
        corrected_value="limits",
        reviewer="ann",
        note="",
        reviewed_at="2026-11-21T09:00:00+00:00",
        source_file="/tmp/review.csv",
    )
    with Store(path) as store:
        run_id = store.begin_run("p")
        store.add_urls(run_id, [("u:a", "u:a", "url")])
        store.record_rows(run_id, fetched("u:a"), rows_for("u:a", "t1"), status="new")
        store.save_reviews([decision])
        store.record_rows(run_id, fetched("u:a", "b2"), rows_for("u:a", "t2"), status="changed")
        assert store.reviews("stances") == {decision.finding_id: decision}
        assert store.reviews("quotes") == {}
        changed = dataclasses.replace(decision, verdict="unsure", corrected_value="")
        store.save_reviews([changed])
    with Store(path) as store:
        assert store.reviews() == {decision.finding_id: changed}
