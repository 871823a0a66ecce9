"""The crawl store: one SQLite file holding the URL ledger, fetch history, articles and their rows.

Tables (created on first open; columns of the row tables come from ``rows.py``):

    urls          one row per canonical URL (or local file): discovery order
                  (``seq``), last status and reason, validators for conditional
                  GET (ETag, Last-Modified), the hash of the last body fetched and
                  of the body the current rows come from, the article it maps to
    fetch_log     one row per URL per run: time, fetch outcome, result, reason,
                  HTTP status, attempts
    runs          one row per run, with its report
    article_urls  the other URLs of a syndicated article (same main text)
    texts         the main text each ``ok`` article was extracted from (zlib), so
                  reviewers and the report can show evidence in its context
    reviews       one human decision per finding (``extractor.review``), keyed by its
                  stable finding id; extraction and re-runs never touch it
    articles, agencies, officials, quotes, stances
                  the output contract's tables (child rows keep their order in ``ord``)

Crash safety: every page is written by one method in ONE transaction (ledger,
fetch log, article and rows), so a process killed at any moment leaves each
page either wholly before or wholly after; keys are idempotent (``doc_id`` is
derived from the URL, child rows are replaced per ``doc_id``, the log is keyed
by run and URL), so doing a page again replaces rather than adds. WAL mode
with ``synchronous=NORMAL``: a killed process loses nothing committed (the WAL
is in the OS cache); only a power cut can lose the last commits, never corrupt
the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import typing
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from w3lib.url import canonicalize_url

from extractor.errors import ConfigError
from extractor.rows import TABLES, ArticleRow, DocumentRows, columns

SCHEMA_VERSION = "1"
CHILD_TABLES: tuple[str, ...] = tuple(table for table in TABLES if table != "articles")
#: Columns of the exported per-URL history table, in order.
FETCH_LOG_COLUMNS: tuple[str, ...] = (
    "url",
    "source",
    "doc_id",
    "run_id",
    "attempted_at",
    "outcome",
    "status",
    "reason",
    "http_status",
    "attempts",
    "message",
)
_CHUNK = 500


def canonical_url(url: str) -> str:
    """The ledger key of ``url``.

    w3lib's ``canonicalize_url`` (Scrapy's request fingerprint rules) sorts the
    query arguments, normalises percent-encoding and case of the scheme and
    host, and drops the fragment, so ``?b=2&a=1#top`` and ``?a=1&b=2`` are one
    page fetched once, and one ``doc_id``, however a feed or sitemap spells it.
    """
    return canonicalize_url(url.strip())


def now() -> str:
    """The current UTC time as the store writes it: ISO 8601 to the second, ``+00:00``."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_since(value: str) -> str:
    """A date or date-time (ISO 8601) as a store timestamp to compare with; naive means UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConfigError(
            f"--since: expected a date such as 2026-11-20 or 2026-11-20T06:00, got {value!r}"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class UrlState:
    """What the ledger knows about one URL."""

    seq: int
    url: str
    source: str
    kind: str
    status: str
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    extracted_sha256: str | None
    text_sha256: str | None
    doc_id: str | None
    #: True if ``doc_id`` is this URL's own ``ok`` article (not an error row, not a duplicate).
    owns_article: bool

    @property
    def validators_current(self) -> bool:
        """True if the stored ETag/Last-Modified describe the body the rows come from."""
        return self.body_sha256 is not None and self.body_sha256 == self.extracted_sha256


@dataclass(frozen=True, slots=True)
class Attempt:
    """One fetch (or file read) of a URL, as the ledger and the fetch log record it."""

    url: str
    outcome: str
    reason: str = ""
    message: str = ""
    http_status: int | None = None
    final_url: str = ""
    etag: str | None = None
    last_modified: str | None = None
    body_sha256: str | None = None
    attempts: int = 1
    attempted_at: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    """One human decision about one finding, as the ``reviews`` table keeps it."""

    finding_id: str
    table: str
    doc_id: str
    #: The finding's natural key (agency, official's name, quote text).
    key: str
    #: The extracted value of the reviewed field when the decision was made.
    value: str
    verdict: str
    corrected_value: str
    reviewer: str
    note: str
    reviewed_at: str
    #: The review sheet the decision was imported from.
    source_file: str


_REVIEW_COLUMNS = (
    "finding_id, table_name, doc_id, key, value, verdict, corrected_value, reviewer, note, "
    "reviewed_at, source_file"
)


def _sql_type(hint: Any) -> str:
    if hint is int:
        return "INTEGER"
    if hint is float:
        return "REAL"
    return "TEXT"


def _row_columns_sql(table: str) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(TABLES[table])
    return [(name, _sql_type(hints[name])) for name in columns(table)]


_BASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    pipeline TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT NOT NULL DEFAULT 'running',
    report TEXT
);
CREATE TABLE IF NOT EXISTS urls (
    seq INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_run INTEGER,
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    http_status INTEGER,
    final_url TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    body_sha256 TEXT,
    extracted_sha256 TEXT,
    text_sha256 TEXT,
    doc_id TEXT,
    checked_at TEXT
);
CREATE INDEX IF NOT EXISTS urls_last_run ON urls (last_run, seq);
CREATE INDEX IF NOT EXISTS urls_doc_id ON urls (doc_id);
CREATE TABLE IF NOT EXISTS fetch_log (
    run_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    http_status INTEGER,
    attempts INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS article_urls (
    url TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_urls_doc_id ON article_urls (doc_id);
CREATE TABLE IF NOT EXISTS texts (doc_id TEXT PRIMARY KEY, text BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    finding_id TEXT PRIMARY KEY,
    table_name TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    verdict TEXT NOT NULL,
    corrected_value TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL,
    reviewed_at TEXT NOT NULL,
    source_file TEXT NOT NULL
);
"""


class Store:
    """An open crawl store; use as a context manager. Not shared between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"cannot open store {self.path}: {exc}") from exc
        try:
            self._db.execute("PRAGMA busy_timeout = 10000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise ConfigError(f"store {self.path}: cannot use WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._create_schema()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise ConfigError(f"store {self.path} is not a usable SQLite database: {exc}") from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # ------------------------------------------------------------------ schema

    def _create_schema(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _BASE_SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            for table in TABLES:
                self._create_row_table(table)
            version = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if version is None:
                self._db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif version[0] != SCHEMA_VERSION:
                raise ConfigError(
                    f"store {self.path} has schema version {version[0]}, "
                    f"this extractor reads version {SCHEMA_VERSION}"
                )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _create_row_table(self, table: str) -> None:
        cols = _row_columns_sql(table)
        if table == "articles":
            body = ", ".join(
                f"{name} {kind} PRIMARY KEY" if name == "doc_id" else f"{name} {kind}"
                for name, kind in cols
            )
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS articles ({body}, extracted_at TEXT NOT NULL)"
            )
            # One article per main text: syndicated copies become article_urls rows.
            self._db.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS articles_text ON articles (text_sha256) "
                "WHERE status = 'ok'"
            )
        else:
            body = ", ".join(f"{name} {kind}" for name, kind in cols)
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} ({body}, ord INTEGER NOT NULL, "
                "PRIMARY KEY (doc_id, ord))"
            )
        # Columns added to rows.py after the store was made: add them (the contract only grows).
        present = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        for name, kind in cols:
            if name not in present:
                default = "''" if kind == "TEXT" else "0"
                self._db.execute(
                    f"ALTER TABLE {table} ADD COLUMN {name} {kind} NOT NULL DEFAULT {default}"
                )

    # ------------------------------------------------------------------ transactions

    class _Tx:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type: object, *rest: object) -> None:
            self.db.execute("ROLLBACK" if exc_type is not None else "COMMIT")

    def _transaction(self) -> Store._Tx:
        return Store._Tx(self._db)

    # ------------------------------------------------------------------ runs

    def begin_run(self, pipeline: str) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO runs (pipeline, started_at) VALUES (?, ?)", (pipeline, now())
            )
        return int(cursor.lastrowid or 0)

    def end_run(self, run_id: int, *, outcome: str, report: str) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, report = ? WHERE run_id = ?",
                (now(), outcome, report, run_id),
            )

    # ------------------------------------------------------------------ discovery

    def add_urls(self, run_id: int, items: Iterable[tuple[str, str, str]]) -> int:
        """Record ``(url, source, kind)`` items as due in ``run_id``; return how many were new.

        ``url`` is the canonical key. A URL seen before keeps its discovery
        order (``seq``) and its first ``source`` spelling.
        """
        batch: list[tuple[str, str, str]] = []
        new = 0
        for item in items:
            batch.append(item)
            if len(batch) >= _CHUNK:
                new += self._insert_urls(run_id, batch)
                batch.clear()
        if batch:
            new += self._insert_urls(run_id, batch)
        return new

    def _insert_urls(self, run_id: int, batch: list[tuple[str, str, str]]) -> int:
        stamp = now()
        new = 0
        with self._transaction() as db:
            for url, source, kind in batch:
                cursor = db.execute(
                    "INSERT INTO urls (url, source, kind, first_seen, last_run) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
                    (url, source, kind, stamp, run_id),
                )
                if cursor.rowcount:
                    new += 1
                else:
                    db.execute("UPDATE urls SET last_run = ? WHERE url = ?", (run_id, url))
        return new

    def count_due(self, run_id: int) -> int:
        """URLs discovered in ``run_id``."""
        return int(
            self._db.execute("SELECT count(*) FROM urls WHERE last_run = ?", (run_id,)).fetchone()[
                0
            ]
        )

    def iter_due(self, run_id: int, *, kind: str) -> Iterator[UrlState]:
        """The ``kind`` URLs discovered in ``run_id``, in discovery order, read in pages."""
        after = 0
        while True:
            rows = self._db.execute(
                f"{_STATE_SELECT} WHERE u.last_run = ? AND u.kind = ? AND u.seq > ? "
                "ORDER BY u.seq LIMIT ?",
                (run_id, kind, after, _CHUNK),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _state(row)
            after = rows[-1][0]

    def state(self, url: str) -> UrlState | None:
        row = self._db.execute(f"{_STATE_SELECT} WHERE u.url = ?", (url,)).fetchone()
        return None if row is None else _state(row)

    def owner_of_text(self, text_sha256: str) -> tuple[str, int] | None:
        """``(doc_id, seq of its URL)`` of the ``ok`` article with this main text, if any."""
        row = self._db.execute(
            "SELECT a.doc_id, u.seq FROM articles a JOIN urls u ON u.url = a.source "
            "WHERE a.text_sha256 = ? AND a.status = 'ok'",
            (text_sha256,),
        ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    # ------------------------------------------------------------------ recording pages

    def record_unchanged(self, run_id: int, attempt: Attempt, *, extracted: bool) -> None:
        """A page whose content is what the store already has (304, or the same hash)."""
        with self._transaction() as db:
            self._ledger(db, attempt, status="unchanged")
            if extracted and attempt.body_sha256 is not None:
                db.execute(
                    "UPDATE urls SET extracted_sha256 = ? WHERE url = ?",
                    (attempt.body_sha256, attempt.url),
                )
            self._log(db, run_id, attempt, status="unchanged")

    def record_fetched(self, run_id: int, attempt: Attempt, *, status: str) -> None:
        """A page fetched and stored without extraction (fetch+store-only runs)."""
        with self._transaction() as db:
            self._ledger(db, attempt, status=status)
            self._log(db, run_id, attempt, status=status)

    def record_failure(
        self, run_id: int, attempt: Attempt, *, status: str, error_row: ArticleRow
    ) -> None:
        """A page that failed or was skipped.

        Its ``error_row`` is stored only if the URL has no ``ok`` article and is
        no duplicate: a page that fails tonight keeps yesterday's rows.
        """
        with self._transaction() as db:
            previous = self._state_in(db, attempt.url)
            self._ledger(db, attempt, status=status)
            no_rows = previous is None or (
                not previous.owns_article and previous.doc_id in (None, error_row.doc_id)
            )
            if no_rows:
                self._write_article(db, DocumentRows(article=error_row))
                db.execute(
                    "UPDATE urls SET doc_id = ? WHERE url = ?", (error_row.doc_id, attempt.url)
                )
            self._log(db, run_id, attempt, status=status)

    def record_rows(
        self, run_id: int, attempt: Attempt, rows: DocumentRows, *, status: str, text: str = ""
    ) -> None:
        """A page extracted into ``rows`` (its own article, keyed by ``rows.article.doc_id``).

        ``text`` is the main text the rows were extracted from (kept for ``ok``
        articles, compressed; see ``article_text``).

        If another URL's article has the same main text, this URL came first
        in discovery order (the caller checked): it takes the article over and
        the other URL becomes its duplicate, so the owner never depends on the
        order pages happened to arrive in.
        """
        doc_id = rows.article.doc_id
        text_sha256 = rows.article.text_sha256
        with self._transaction() as db:
            previous = self._state_in(db, attempt.url)
            if previous is not None and previous.doc_id and previous.doc_id != doc_id:
                db.execute("DELETE FROM article_urls WHERE url = ?", (attempt.url,))
            if (
                previous is not None
                and previous.owns_article
                and rows.article.status == "ok"
                and previous.text_sha256 != text_sha256
            ):
                self._orphan_duplicates(db, doc_id)
            if rows.article.status == "ok":
                other = db.execute(
                    "SELECT doc_id, source FROM articles "
                    "WHERE text_sha256 = ? AND status = 'ok' AND doc_id != ?",
                    (text_sha256, doc_id),
                ).fetchone()
                if other is not None:
                    self._take_over(db, old_doc=other[0], old_url=other[1], new_doc=doc_id)
            self._write_article(db, rows)
            if rows.article.status == "ok" and text:
                db.execute(
                    "INSERT INTO texts (doc_id, text) VALUES (?, ?)",
                    (doc_id, zlib.compress(text.encode("utf-8"))),
                )
            self._ledger(db, attempt, status=status)
            db.execute(
                "UPDATE urls SET extracted_sha256 = ?, text_sha256 = ?, doc_id = ? WHERE url = ?",
                (attempt.body_sha256, text_sha256 or None, doc_id, attempt.url),
            )
            self._log(db, run_id, attempt, status=status)

    def record_duplicate(
        self, run_id: int, attempt: Attempt, *, text_sha256: str, owner_doc: str, own_doc: str
    ) -> None:
        """A page whose main text is the article ``owner_doc``: recorded as another URL of it."""
        with self._transaction() as db:
            previous = self._state_in(db, attempt.url)
            if previous is not None and previous.doc_id == own_doc:
                # It had an article of its own (other text, or an error row): no longer.
                self._orphan_duplicates(db, own_doc)
                self._delete_article(db, own_doc)
            db.execute(
                "INSERT INTO article_urls (url, doc_id, recorded_at) VALUES (?, ?, ?) "
                "ON CONFLICT (url) DO UPDATE SET doc_id = excluded.doc_id",
                (attempt.url, owner_doc, now()),
            )
            self._ledger(db, attempt, status="duplicate")
            db.execute(
                "UPDATE urls SET extracted_sha256 = ?, text_sha256 = ?, doc_id = ? WHERE url = ?",
                (attempt.body_sha256, text_sha256, owner_doc, attempt.url),
            )
            self._log(db, run_id, attempt, status="duplicate", reason="duplicate")

    # ------------------------------------------------------------------ helpers (inside a transaction)

    def _state_in(self, db: sqlite3.Connection, url: str) -> UrlState | None:
        row = db.execute(f"{_STATE_SELECT} WHERE u.url = ?", (url,)).fetchone()
        return None if row is None else _state(row)

    def _ledger(self, db: sqlite3.Connection, attempt: Attempt, *, status: str) -> None:
        fetched_body = attempt.body_sha256 is not None
        db.execute(
            "UPDATE urls SET status = ?, reason = ?, message = ?, http_status = ?, "
            "final_url = CASE WHEN ? != '' THEN ? ELSE final_url END, checked_at = ?, "
            "etag = CASE WHEN ? THEN ? ELSE etag END, "
            "last_modified = CASE WHEN ? THEN ? ELSE last_modified END, "
            "body_sha256 = COALESCE(?, body_sha256) WHERE url = ?",
            (
                status,
                attempt.reason,
                attempt.message,
                attempt.http_status,
                attempt.final_url,
                attempt.final_url,
                attempt.attempted_at or now(),
                fetched_body,
                attempt.etag,
                fetched_body,
                attempt.last_modified,
                attempt.body_sha256,
                attempt.url,
            ),
        )

    def _log(
        self,
        db: sqlite3.Connection,
        run_id: int,
        attempt: Attempt,
        *,
        status: str,
        reason: str | None = None,
    ) -> None:
        db.execute(
            "INSERT OR REPLACE INTO fetch_log (run_id, url, attempted_at, outcome, status, reason, "
            "http_status, attempts, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                attempt.url,
                attempt.attempted_at or now(),
                attempt.outcome,
                status,
                attempt.reason if reason is None else reason,
                attempt.http_status,
                attempt.attempts,
                attempt.message,
            ),
        )

    def _write_article(self, db: sqlite3.Connection, rows: DocumentRows) -> None:
        doc_id = rows.article.doc_id
        self._delete_article(db, doc_id)
        for table, table_rows in rows.tables().items():
            names = columns(table)
            if table == "articles":
                db.execute(
                    f"INSERT INTO articles ({', '.join(names)}, extracted_at) "
                    f"VALUES ({', '.join('?' * len(names))}, ?)",
                    [*(getattr(rows.article, name) for name in names), now()],
                )
                continue
            db.executemany(
                f"INSERT INTO {table} ({', '.join(names)}, ord) "
                f"VALUES ({', '.join('?' * len(names))}, ?)",
                [
                    [*(getattr(row, name) for name in names), ord_]
                    for ord_, row in enumerate(table_rows)
                ],
            )

    def _delete_article(self, db: sqlite3.Connection, doc_id: str) -> None:
        for table in (*TABLES, "texts"):
            db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))

    def _orphan_duplicates(self, db: sqlite3.Connection, doc_id: str) -> None:
        """The duplicates of ``doc_id`` lose their owner's text: fetch and process them afresh."""
        db.execute(
            "UPDATE urls SET doc_id = NULL, extracted_sha256 = NULL, text_sha256 = NULL, "
            "status = 'pending' WHERE url IN (SELECT url FROM article_urls WHERE doc_id = ?)",
            (doc_id,),
        )
        db.execute("DELETE FROM article_urls WHERE doc_id = ?", (doc_id,))

    def _take_over(
        self, db: sqlite3.Connection, *, old_doc: str, old_url: str, new_doc: str
    ) -> None:
        self._delete_article(db, old_doc)
        stamp = now()
        db.execute("UPDATE article_urls SET doc_id = ? WHERE doc_id = ?", (new_doc, old_doc))
        db.execute(
            "INSERT INTO article_urls (url, doc_id, recorded_at) VALUES (?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET doc_id = excluded.doc_id",
            (old_url, new_doc, stamp),
        )
        db.execute(
            "UPDATE urls SET doc_id = ?, status = CASE WHEN url = ? THEN 'duplicate' ELSE status END "
            "WHERE doc_id = ?",
            (new_doc, old_url, old_doc),
        )

    # ------------------------------------------------------------------ export

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state, even while a run is writing (WAL readers)."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    def table_rows(self, table: str, *, since: str | None = None) -> Iterator[tuple[Any, ...]]:
        """Rows of a contract table in a deterministic order (article URL, then row order)."""
        names = columns(table)
        where = "WHERE a.extracted_at >= ?" if since else ""
        params: tuple[Any, ...] = (since,) if since else ()
        if table == "articles":
            sql = (
                f"SELECT {', '.join('a.' + n for n in names)} FROM articles a {where} "
                "ORDER BY a.source, a.doc_id"
            )
        else:
            sql = (
                f"SELECT {', '.join('t.' + n for n in names)} FROM {table} t "
                f"JOIN articles a ON a.doc_id = t.doc_id {where} ORDER BY a.source, t.doc_id, t.ord"
            )
        yield from self._db.execute(sql, params)

    def article_text(self, doc_id: str) -> str | None:
        """The main text article ``doc_id`` was extracted from; None if not kept (an error
        row, or a store written before texts were kept)."""
        row = self._db.execute("SELECT text FROM texts WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if row is None else zlib.decompress(row[0]).decode("utf-8")

    # ------------------------------------------------------------------ reviews

    def reviews(self, table: str | None = None) -> dict[str, Review]:
        """Every stored decision (of one ``table`` if given), by finding id."""
        where, params = ("WHERE table_name = ?", (table,)) if table else ("", ())
        rows = self._db.execute(
            f"SELECT {_REVIEW_COLUMNS} FROM reviews {where} ORDER BY finding_id", params
        )
        return {row[0]: Review(*row) for row in rows}

    def save_reviews(self, reviews: Iterable[Review]) -> None:
        """Insert or replace ``reviews`` (by finding id), all in one transaction."""
        with self._transaction() as db:
            db.executemany(
                f"INSERT OR REPLACE INTO reviews ({_REVIEW_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.finding_id,
                        r.table,
                        r.doc_id,
                        r.key,
                        r.value,
                        r.verdict,
                        r.corrected_value,
                        r.reviewer,
                        r.note,
                        r.reviewed_at,
                        r.source_file,
                    )
                    for r in reviews
                ],
            )

    def fetch_log_rows(self, *, since: str | None = None) -> Iterator[tuple[Any, ...]]:
        """The per-URL history, ordered by URL then run."""
        where = "WHERE f.attempted_at >= ?" if since else ""
        params: tuple[Any, ...] = (since,) if since else ()
        yield from self._db.execute(
            "SELECT f.url, u.source, COALESCE(u.doc_id, ''), f.run_id, f.attempted_at, f.outcome, "
            "f.status, f.reason, f.http_status, f.attempts, f.message "
            f"FROM fetch_log f LEFT JOIN urls u ON u.url = f.url {where} "
            "ORDER BY f.url, f.run_id",
            params,
        )


_STATE_SELECT = (
    "SELECT u.seq, u.url, u.source, u.kind, u.status, u.etag, u.last_modified, u.body_sha256, "
    "u.extracted_sha256, u.text_sha256, u.doc_id, "
    "EXISTS (SELECT 1 FROM articles a WHERE a.doc_id = u.doc_id AND a.source = u.url "
    "AND a.status = 'ok') FROM urls u"
)


def _state(row: tuple[Any, ...]) -> UrlState:
    return UrlState(
        seq=row[0],
        url=row[1],
        source=row[2],
        kind=row[3],
        status=row[4],
        etag=row[5],
        last_modified=row[6],
        body_sha256=row[7],
        extracted_sha256=row[8],
        text_sha256=row[9],
        doc_id=row[10],
        owns_article=bool(row[11]),
    )
