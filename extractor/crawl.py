"""Running a pipeline: discover -> fetch -> store -> extract -> outputs, and the run report.

One run, in order:

1. **Discover** every source's URLs (URL lists, feeds, sitemaps) and local
   files into the store's ledger (``Store.add_urls``), in source order, so
   each URL has a stable discovery order.
2. **Fetch** the URLs of this run with the async ``Fetcher`` (conditional
   GET for pages whose rows are current) and read the local files.
3. **Decide** per page: ``unchanged`` (304, same body hash, or same main
   text), ``duplicate`` (the main text of an article another URL discovered
   earlier owns), ``failed``/``skipped`` (with the fetcher's reason), or to
   be extracted (``new``/``changed``).
4. **Extract** pages in batches of ``settings.batch_size`` with
   ``run.analyse_pages`` (spaCy is CPU-bound: it runs in a worker thread
   while the fetcher keeps its connections busy), then **store** each page's
   ledger update, fetch-log row, article and rows in one transaction.
5. **Export** the store's tables to the pipeline's output directory.

SIGINT and SIGTERM set a flag: the run stops taking fetch results, extracts
and commits the pages already fetched, exports, and returns a report with
``interrupted=True``. A SIGKILL loses at most the uncommitted pages; the next
run fetches them again.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import fcntl
import hashlib
import itertools
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractor import run
from extractor.config import Settings
from extractor.errors import ConfigError, ExtractorError, FetchError, SkipPage
from extractor.export import atomic_path, csv_safe
from extractor.fetch import Fetcher, FetchRequest, FetchResult
from extractor.inputs import iter_inputs
from extractor.load import RawDocument, load_path
from extractor.parse import Page
from extractor.pipeline import Pipeline, SourceSpec
from extractor.rows import TABLES, DocumentRows, columns
from extractor.sources import Source, discover
from extractor.store import (
    CHILD_TABLES,
    FETCH_LOG_COLUMNS,
    Attempt,
    Store,
    UrlState,
    canonical_url,
    now,
)

if TYPE_CHECKING:
    import httpx
    from spacy.language import Language

log = logging.getLogger("extractor.crawl")

#: The skip reason of a page whose main text another URL's article already has.
DUPLICATE = "duplicate"
# URLs written to the ledger per transaction while discovering.
_DISCOVERY_CHUNK = 500
# Fewest pages between two progress lines.
_PROGRESS_MIN_STEP = 50


@dataclass(slots=True)
class RunReport:
    """What one run did: page counts by result, and failures and skips by reason."""

    pipeline: str
    run_id: int = 0
    discovered: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Fetched and stored without extraction (``extract = false`` runs).
    fetched: int = 0
    skipped: collections.Counter[str] = field(default_factory=collections.Counter)
    failed: collections.Counter[str] = field(default_factory=collections.Counter)
    #: Sources that could not be read (a feed that 404s...): ``location -> "reason: message"``.
    source_errors: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def processed(self) -> int:
        return (
            self.new
            + self.changed
            + self.unchanged
            + self.fetched
            + sum(self.skipped.values())
            + sum(self.failed.values())
        )

    @property
    def ok(self) -> bool:
        """True if nothing failed (skips are deliberate, not failures)."""
        return not self.failed and not self.source_errors

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["skipped"] = dict(sorted(self.skipped.items()))
        data["failed"] = dict(sorted(self.failed.items()))
        data["processed"] = self.processed
        return data

    def format(self) -> str:
        """The report as printed at the end of ``extractor run``."""

        def by_reason(counter: collections.Counter[str]) -> str:
            total = sum(counter.values())
            detail = ", ".join(f"{reason} {count}" for reason, count in sorted(counter.items()))
            return f"{total} ({detail})" if detail else "0"

        lines = [
            f"run {self.run_id} of {self.pipeline}: {self.processed} of {self.discovered} pages "
            f"in {self.seconds:.1f} s{' (interrupted)' if self.interrupted else ''}",
            f"  new {self.new}, changed {self.changed}, unchanged {self.unchanged}"
            + (f", fetched {self.fetched}" if self.fetched else ""),
            f"  skipped {by_reason(self.skipped)}",
            f"  failed {by_reason(self.failed)}",
        ]
        lines.extend(
            f"  source failed: {location}: {error}"
            for location, error in sorted(self.source_errors.items())
        )
        return "\n".join(lines)


class StopFlag:
    """Set by SIGINT/SIGTERM (or a caller); the run stops after the current page."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._callbacks: list[Callable[[], None]] = []

    def set(self) -> None:
        self._event.set()
        for callback in self._callbacks:
            callback()

    def on_set(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the flag is set (at once if it already is)."""
        self._callbacks.append(callback)
        if self:
            callback()

    def __bool__(self) -> bool:
        return self._event.is_set()


def run_pipeline(
    pipeline: Pipeline,
    *,
    nlp: Language | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: bool | None = None,
    stop: StopFlag | None = None,
) -> RunReport:
    """Run ``pipeline`` once and return its report (also stored in the ``runs`` table).

    ``nlp`` defaults to ``nlp.load_nlp(settings.model)`` when the pipeline
    extracts; ``progress`` defaults to a progress bar when stderr is a
    terminal and a log line every 5 % otherwise. SIGINT/SIGTERM handlers are
    installed for the run when called from the main thread.
    """
    settings = pipeline.settings
    if pipeline.extract and nlp is None:
        from extractor.nlp import load_nlp

        nlp = load_nlp(settings.model)
    stop = stop if stop is not None else StopFlag()
    report = RunReport(pipeline=pipeline.name)
    started = time.monotonic()
    with _exclusive(pipeline.store), Store(pipeline.store) as store:
        report.run_id = store.begin_run(pipeline.name)
        crawler = _Crawler(
            pipeline=pipeline,
            store=store,
            nlp=nlp,
            report=report,
            stop=stop,
            progress=sys.stderr.isatty() if progress is None else progress,
        )
        with _signals_set(stop):
            asyncio.run(crawler.crawl(transport))
        report.interrupted = bool(stop)
        report.seconds = time.monotonic() - started
        outcome = "interrupted" if report.interrupted else "finished"
        store.end_run(report.run_id, outcome=outcome, report=json.dumps(report.to_dict()))
        if pipeline.out_dir is not None:
            export_store(store, pipeline.out_dir, formats=settings.formats, excel=settings.excel)
    return report


@contextlib.contextmanager
def _exclusive(store_path: Path) -> Iterator[None]:
    """Hold ``STORE.lock`` for the run: two runs on one store (cron overlap) would race."""
    store_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = store_path.with_name(store_path.name + ".lock")
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise ConfigError(f"another run is using the store {store_path}") from exc
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _signals_set(stop: StopFlag) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop and signum == signal.SIGINT:
            # A second Ctrl-C means now. The transaction in progress rolls back, so the
            # store still holds whole pages only.
            raise KeyboardInterrupt
        if not stop:
            log.warning(
                "%s: stopping after the current page (Ctrl-C again to abort at once)",
                signal.Signals(signum).name,
            )
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@dataclass(slots=True)
class _Pending:
    state: UrlState
    attempt: Attempt
    page: Page
    text_sha256: str
    status: str


class _Crawler:
    def __init__(
        self,
        *,
        pipeline: Pipeline,
        store: Store,
        nlp: Language | None,
        report: RunReport,
        stop: StopFlag,
        progress: bool,
    ) -> None:
        self.pipeline = pipeline
        self.settings: Settings = pipeline.settings
        self.store = store
        self.nlp = nlp
        self.report = report
        self.stop = stop
        self.progress = _Progress(enabled=progress)
        self.batch: list[_Pending] = []
        # Pages whose main text is that of a page in ``batch``.
        self.batch_duplicates: list[_Pending] = []

    async def crawl(self, transport: httpx.AsyncBaseTransport | None) -> None:
        run_id = self.report.run_id
        async with Fetcher(self.settings, transport=transport) as fetcher:
            for spec in self.pipeline.sources:
                if self.stop:
                    return
                await self._discover(spec, fetcher)
            self.report.discovered = self.store.count_due(run_id)
            self.progress.start(self.report.discovered)
            try:
                for state in self.store.iter_due(run_id, kind="file"):
                    if self.stop:
                        break
                    await self._handle_file(state)
                if not self.stop:
                    requests = (
                        self._request(state) for state in self.store.iter_due(run_id, kind="url")
                    )
                    await self._fetch_all(fetcher.fetch_many(requests))
                await self._flush()
            finally:
                self.progress.close(self.report)

    async def _fetch_all(self, results: AsyncGenerator[FetchResult, None]) -> None:
        """Handle fetch results as they come until there are no more or the run is stopped.

        A stop does not wait for the next result (a slow server could hold it
        for ``total_timeout``): the wait is raced against the stop, and closing
        ``results`` cancels the fetches in flight.
        """
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()

        # Signal handlers run between bytecodes of the main thread; call_soon_threadsafe
        # also wakes the event loop if it is waiting in select().
        def wake() -> None:
            # A stop after the run (while exporting) finds the loop closed: nothing to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopped.set)

        self.stop.on_set(wake)
        stop_wait = asyncio.ensure_future(stopped.wait())
        try:
            async with contextlib.aclosing(results):
                while not self.stop:
                    next_result = asyncio.ensure_future(anext(results))
                    await asyncio.wait(
                        {next_result, stop_wait}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if not next_result.done():
                        next_result.cancel()
                        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                            await next_result
                        return
                    try:
                        result = next_result.result()
                    except StopAsyncIteration:
                        return
                    await self._handle_result(result)
        finally:
            stop_wait.cancel()

    # ------------------------------------------------------------------ discovery

    async def _discover(self, spec: SourceSpec, fetcher: Fetcher) -> None:
        run_id = self.report.run_id
        if spec.kind == "directory":
            files = (
                (str(Path(item.source).resolve()), item.source, "file")
                for item in iter_inputs([spec.location])
            )
            self.store.add_urls(run_id, files)
            return
        self.store.add_urls(run_id, ((canonical_url(url), url, "url") for url in spec.urls))
        if not spec.location:
            return
        chunk: list[tuple[str, str, str]] = []
        try:
            async for url in discover(Source(spec.kind, spec.location), fetcher):
                chunk.append((canonical_url(url), url, "url"))
                if len(chunk) >= _DISCOVERY_CHUNK:
                    self.store.add_urls(run_id, chunk)
                    chunk.clear()
                if self.stop:
                    break
        except ExtractorError as error:
            # A broken feed must not cost the other sources; the report names it.
            self.report.source_errors[spec.location] = error.describe()
            log.warning("source %s: %s", spec.location, error.describe())
        self.store.add_urls(run_id, chunk)

    def _request(self, state: UrlState) -> FetchRequest:
        # Validators only when they describe what the store holds: after an
        # extract=false run the last body was never extracted, and a 304 would
        # leave the page without rows forever.
        current = (
            state.body_sha256 is not None if not self.pipeline.extract else state.validators_current
        )
        if current:
            return FetchRequest(state.url, etag=state.etag, last_modified=state.last_modified)
        return FetchRequest(state.url)

    # ------------------------------------------------------------------ one page

    async def _handle_file(self, state: UrlState) -> None:
        attempted_at = now()
        try:
            raw = load_path(state.url, settings=self.settings)
        except ExtractorError as error:
            attempt = Attempt(
                url=state.url,
                outcome="failed",
                reason=error.reason,
                message=str(error),
                attempted_at=attempted_at,
            )
            self._fail(state, attempt, error, status="failed")
            return
        attempt = Attempt(
            url=state.url,
            outcome="fetched",
            body_sha256=_sha256(raw.content),
            attempted_at=attempted_at,
        )
        await self._handle_body(state, attempt, raw)

    async def _handle_result(self, result: FetchResult) -> None:
        # Requests are made for ledger keys (canonical URLs), so the result's URL is one.
        key = result.url
        state = self.store.state(key)
        if state is None:  # pragma: no cover - every request comes from the ledger
            # A bug, not a bad page: it must surface, not become an error row.
            raise RuntimeError(f"fetch result for a URL not in the ledger: {result.url}")
        attempt = Attempt(
            url=key,
            outcome=result.outcome,
            reason=result.reason,
            message=result.message,
            http_status=result.http_status,
            final_url=result.final_url,
            etag=result.etag,
            last_modified=result.last_modified,
            body_sha256=_sha256(result.body) if result.outcome == "fetched" else None,
            attempts=result.attempts,
            attempted_at=result.fetched_at or now(),
        )
        if result.outcome == "not_modified":
            self.store.record_unchanged(
                self.report.run_id, attempt, extracted=self.pipeline.extract
            )
            self._count("unchanged")
        elif result.outcome == "skipped":
            self._fail(
                state, attempt, SkipPage(result.message, reason=result.reason), status="skipped"
            )
        elif result.outcome == "fetched":
            await self._handle_body(state, attempt, dataclasses.replace(result.raw(), source=key))
        else:
            self._fail(
                state, attempt, FetchError(result.message, reason=result.reason), status="failed"
            )

    async def _handle_body(self, state: UrlState, attempt: Attempt, raw: RawDocument) -> None:
        run_id = self.report.run_id
        if not self.pipeline.extract:
            if state.body_sha256 == attempt.body_sha256:
                self.store.record_unchanged(run_id, attempt, extracted=False)
                self._count("unchanged")
            else:
                status = "new" if state.body_sha256 is None else "changed"
                self.store.record_fetched(run_id, attempt, status=status)
                self._count("fetched")
            return
        if attempt.body_sha256 == state.extracted_sha256:
            self.store.record_unchanged(run_id, attempt, extracted=True)
            self._count("unchanged")
            return
        try:
            page = run.parse_raw(dataclasses.replace(raw, source=state.url))
        except ExtractorError as error:
            self._fail(
                state,
                dataclasses.replace(attempt, reason=error.reason, message=str(error)),
                error,
                status="failed",
            )
            return
        text_sha256 = _sha256(page.text.encode("utf-8"))
        own_doc = run.doc_id_for(state.url)
        has_rows = state.owns_article or state.doc_id not in (None, own_doc)  # own, or a copy's
        if text_sha256 == state.text_sha256 and has_rows:
            # Same main text in a new wrapper (ads, dates, tracking): nothing to re-extract.
            self.store.record_unchanged(run_id, attempt, extracted=True)
            self._count("unchanged")
            return
        owner = self.store.owner_of_text(text_sha256)
        if owner is not None and owner[0] != own_doc and owner[1] < state.seq:
            self.store.record_duplicate(
                run_id, attempt, text_sha256=text_sha256, owner_doc=owner[0], own_doc=own_doc
            )
            self._count("skipped", DUPLICATE)
            return
        pending = _Pending(
            state=state,
            attempt=attempt,
            page=page,
            text_sha256=text_sha256,
            status="changed" if state.owns_article else "new",
        )
        self._add_to_batch(pending)
        if len(self.batch) >= self.settings.batch_size:
            await self._flush()

    def _add_to_batch(self, pending: _Pending) -> None:
        for index, queued in enumerate(self.batch):
            if queued.text_sha256 == pending.text_sha256:
                # Same text twice in one batch: the URL discovered first owns the article.
                if pending.state.seq < queued.state.seq:
                    self.batch[index], pending = pending, queued
                self.batch_duplicates.append(pending)
                return
        self.batch.append(pending)

    async def _flush(self) -> None:
        """Extract the batch (in a worker thread) and commit each page with its rows."""
        if not self.batch and not self.batch_duplicates:
            return
        batch, self.batch = self.batch, []
        duplicates, self.batch_duplicates = self.batch_duplicates, []
        nlp = self.nlp
        if nlp is None:  # pragma: no cover - run_pipeline loads it for extracting pipelines
            raise ConfigError("an extracting pipeline needs an nlp pipeline")
        pages = [pending.page for pending in batch]
        settings = self.settings
        analysed: list[DocumentRows] = await asyncio.to_thread(
            lambda: list(run.analyse_pages(pages, nlp=nlp, settings=settings))
        )
        run_id = self.report.run_id
        owners: dict[str, str] = {}
        for pending, rows in zip(batch, analysed, strict=True):
            if rows.article.status == "error":
                # text_too_long: like a fetch failure, it keeps the URL's earlier rows.
                reason = rows.article.error.split(":", 1)[0]
                message = rows.article.error.split(":", 1)[-1].strip()
                attempt = dataclasses.replace(pending.attempt, reason=reason, message=message)
                error = ExtractorError(message, reason=reason)
                self._fail(pending.state, attempt, error, status="failed")
            else:
                self.store.record_rows(
                    run_id, pending.attempt, rows, status=pending.status, text=pending.page.text
                )
                owners[pending.text_sha256] = rows.article.doc_id
                self._count(pending.status)
        for pending in duplicates:
            owner_doc = owners.get(pending.text_sha256)
            if owner_doc is None:
                # The owner's text was too long for the model: so is this copy's.
                error = ExtractorError("text exceeds the model's limit", reason="text_too_long")
                self._fail(pending.state, pending.attempt, error, status="failed")
                continue
            self.store.record_duplicate(
                run_id,
                pending.attempt,
                text_sha256=pending.text_sha256,
                owner_doc=owner_doc,
                own_doc=run.doc_id_for(pending.state.url),
            )
            self._count("skipped", DUPLICATE)

    def _fail(
        self, state: UrlState, attempt: Attempt, error: ExtractorError, *, status: str
    ) -> None:
        error_row = run.error_rows(state.url, error).article
        self.store.record_failure(self.report.run_id, attempt, status=status, error_row=error_row)
        self._count(status, error.reason)

    def _count(self, status: str, reason: str = "") -> None:
        report = self.report
        if status == "skipped":
            report.skipped[reason] += 1
        elif status == "failed":
            report.failed[reason] += 1
        elif status in ("new", "changed", "unchanged", "fetched"):
            setattr(report, status, getattr(report, status) + 1)
        self.progress.update(report)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Progress:
    """A tqdm bar on a terminal; otherwise a plain log line every 5 % of the pages (at least
    every 50 pages apart) and one at the end, for cron mail and journald."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.total = 0
        self.done = 0
        self.step = 1
        self.logged = 0
        self.started = time.monotonic()

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self.step = max(_PROGRESS_MIN_STEP, total // 20)
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="page", file=sys.stderr, dynamic_ncols=True)

    def update(self, report: RunReport) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.done - self.logged >= self.step:
            self._line(report)

    def close(self, report: RunReport) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.done > self.logged:
            self._line(report)

    def _line(self, report: RunReport) -> None:
        self.logged = self.done
        log.info("%s", _progress_line(report, self.done, self.total, self.started))


def _progress_line(report: RunReport, done: int, total: int, started: float) -> str:
    rate = done / max(time.monotonic() - started, 1e-9)
    return (
        f"progress: {done}/{total} pages ({rate:.1f}/s): new {report.new}, changed "
        f"{report.changed}, unchanged {report.unchanged}, skipped {sum(report.skipped.values())}, "
        f"failed {sum(report.failed.values())}"
    )


# ---------------------------------------------------------------------- export


def export_store(
    store: Store,
    out_dir: Path,
    *,
    formats: Sequence[str] = ("csv",),
    excel: bool = False,
    since: str | None = None,
) -> list[Path]:
    """Write the store's tables (the ``extract`` contract) and its ``fetch_log`` to ``out_dir``.

    Rows are ordered by article URL, then by their order in the article, so
    two exports of the same content are byte-for-byte equal. The finding tables
    show reviewed values (``review.reviewed_rows``) and end with the columns
    ``review.REVIEW_COLUMNS``. ``since`` (a
    store timestamp, see ``store.parse_since``) keeps articles extracted at
    or after it, with their rows, and fetch-log entries from then on.
    """
    import pandas as pd

    from extractor.export import TableWriter
    from extractor.review import REVIEW_COLUMNS, reviewed_rows

    review_columns = dict.fromkeys(CHILD_TABLES, REVIEW_COLUMNS)
    with store.snapshot():
        # One read transaction: an export taken during a run sees whole pages only.
        # Tables stream through in chunks, so memory does not grow with the store.
        with TableWriter(
            out_dir, formats=formats, excel=excel, extra_columns=review_columns
        ) as writer:
            for table in TABLES:
                names = [*columns(table), *review_columns.get(table, ())]
                rows: Iterator[Sequence[Any]] = (
                    store.table_rows(table, since=since)
                    if table == "articles"
                    else (row.export_values() for row in reviewed_rows(store, table, since=since))
                )
                while chunk := list(itertools.islice(rows, _EXPORT_CHUNK)):
                    writer.write_frames({table: pd.DataFrame(chunk, columns=names)})
        log_frame = pd.DataFrame(
            list(store.fetch_log_rows(since=since)), columns=list(FETCH_LOG_COLUMNS)
        )
    written = list(writer.paths)
    log_frame["http_status"] = log_frame["http_status"].astype("Int64")
    log_frame["run_id"] = log_frame["run_id"].astype("int64")
    log_frame["attempts"] = log_frame["attempts"].astype("int64")
    written.extend(_write_fetch_log(log_frame, out_dir, formats=formats, excel=excel))
    return written


_EXPORT_CHUNK = 5_000
_FETCH_LOG_NUMBERS = ("run_id", "http_status", "attempts")


def _write_fetch_log(
    frame: Any, out_dir: Path, *, formats: Sequence[str], excel: bool
) -> list[Path]:
    # Same rules as export.write_tables (atomic rename, formula-safe CSV,
    # stale formats removed); fetch_log is not a row table of the contract,
    # so write_tables does not take it.
    text_columns = [name for name in FETCH_LOG_COLUMNS if name not in _FETCH_LOG_NUMBERS]
    written: list[Path] = []
    for fmt in ("csv", "jsonl", "parquet"):
        target = out_dir / f"fetch_log.{fmt}"
        if fmt not in formats:
            target.unlink(missing_ok=True)
            continue
        with atomic_path(target) as tmp:
            if fmt == "csv":
                safe = frame.copy()
                for name in text_columns:
                    safe[name] = safe[name].map(csv_safe)
                safe.to_csv(
                    tmp,
                    index=False,
                    encoding="utf-8-sig" if excel else "utf-8",
                    lineterminator="\r\n",
                )
            elif fmt == "jsonl":
                with tmp.open("w", encoding="utf-8") as fh:
                    for record in frame.to_dict(orient="records"):
                        clean = {k: (None if _is_na(v) else v) for k, v in record.items()}
                        fh.write(json.dumps(clean, ensure_ascii=False) + "\n")
            else:
                frame.to_parquet(tmp, index=False)
        written.append(target)
    return written


def _is_na(value: Any) -> bool:
    import pandas as pd

    return value is pd.NA or (isinstance(value, float) and value != value)
