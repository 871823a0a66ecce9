"""Local batch engine: parsing and NLP in N worker processes, rows back in input order.

Each worker loads the spaCy model once (in the pool's initializer) and runs
``run.process_chunk`` on chunks of ``settings.batch_size`` inputs, so a chunk
is one ``nlp.pipe`` batch and the rows are those of the single-process run.
At most ``2 x workers`` chunks are in flight, so memory stays flat however
many inputs there are.

Failures: a document whose processing raises becomes an error row inside the
worker (``run.process_chunk``). A worker process that dies (killed, out of
memory, a crash in native code) breaks the pool: a fresh pool retries each
chunk that was in flight, one at a time, so only the chunk that kills its
worker again is lost, and each of its inputs becomes an error row with reason
``worker_crashed``. Nothing is dropped silently.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from spacy.language import Language

from extractor.config import Settings
from extractor.errors import ConfigError, ExtractorError
from extractor.inputs import Input
from extractor.nlp import load_nlp
from extractor.rows import DocumentRows
from extractor.run import error_rows, internal_error_rows, process, process_chunk

log = logging.getLogger("extractor")

#: What a worker runs on one chunk; a module-level function, so it pickles by name.
ChunkTask = Callable[[list[Input]], list[DocumentRows]]

# Per worker process: set by the pool initializer, read by ``run_chunk``.
_worker_nlp: Language | None = None
_worker_settings: Settings | None = None
_worker_error: ConfigError | None = None


def default_workers() -> int:
    """The number of CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity API
        return os.cpu_count() or 1


def init_worker(settings: Settings) -> None:
    """Pool initializer: load the model once for the life of the worker process."""
    global _worker_nlp, _worker_settings, _worker_error
    _worker_settings = settings
    try:
        _worker_nlp = load_nlp(settings.model)
    except ConfigError as error:
        # Raised by run_chunk, so the parent sees the ConfigError rather than a broken pool.
        _worker_error = error


def run_chunk(items: list[Input]) -> list[DocumentRows]:
    """The rows of one chunk, in a worker set up by ``init_worker``."""
    if _worker_error is not None:
        raise ConfigError(str(_worker_error))
    if _worker_nlp is None or _worker_settings is None:
        raise ConfigError("run_chunk called in a process that init_worker did not set up")
    return process_chunk(items, nlp=_worker_nlp, settings=_worker_settings)


def _chunks(items: Iterable[Input], size: int) -> Iterator[list[Input]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def crashed_rows(chunk: list[Input], detail: str) -> list[DocumentRows]:
    """Error rows (reason ``worker_crashed``) for every input of a chunk whose worker died."""
    error = ExtractorError(
        f"the worker process died while processing this input's chunk of {len(chunk)} "
        f"(retried once in a fresh process): {detail}",
        reason="worker_crashed",
    )
    return [error_rows(item.source, error) for item in chunk]


def process_parallel(
    items: Iterable[Input],
    *,
    settings: Settings,
    workers: int,
    nlp: Language | None = None,
    task: ChunkTask = run_chunk,
) -> Iterator[DocumentRows]:
    """Rows for every input, in input order, computed by ``workers`` processes.

    With one worker, or when every input fits in one chunk (starting processes
    would cost more than it saves), the work runs in this process with ``nlp``
    (or the model of ``settings``). ``task`` is what a worker runs on a chunk
    (``run_chunk``; tests pass one that crashes).
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1 (got {workers})")
    chunks = _chunks(items, settings.batch_size)
    head = list(itertools.islice(chunks, 2))
    if workers == 1 or len(head) < 2:
        model = nlp or load_nlp(settings.model)
        flat = itertools.chain.from_iterable(itertools.chain(head, chunks))
        yield from process(flat, nlp=model, settings=settings)
        return
    yield from _Pool(settings, workers, task).run(itertools.chain(head, chunks))


class _Pool:
    """A process pool that is replaced, and its in-flight chunks retried, when a worker dies."""

    def __init__(self, settings: Settings, workers: int, task: ChunkTask) -> None:
        self.settings = settings
        self.workers = workers
        self.task = task
        # forkserver: workers start from a clean, single-threaded server process
        # (forking a parent that runs threads can deadlock), which has already
        # imported spaCy and our modules, so only the model load is per worker.
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["extractor.run"])
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=self.context,
            initializer=init_worker,
            initargs=(self.settings,),
        )

    def _restart(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = self._start()

    def run(self, chunks: Iterable[list[Input]]) -> Iterator[DocumentRows]:
        window = 2 * self.workers
        pending: collections.deque[tuple[list[Input], Future[list[DocumentRows]]]]
        pending = collections.deque()
        try:
            for chunk in chunks:
                pending.append((chunk, self.executor.submit(self.task, chunk)))
                while len(pending) >= window:
                    yield from self._collect(pending)
            while pending:
                yield from self._collect(pending)
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)

    def _collect(
        self, pending: collections.deque[tuple[list[Input], Future[list[DocumentRows]]]]
    ) -> Iterator[DocumentRows]:
        """Rows of the oldest chunk; after a crash, of every chunk that was in flight."""
        chunk, future = pending.popleft()
        try:
            yield from self._result(chunk, future)
            return
        except BrokenProcessPool as broken:
            log.error("a worker process died (%s); retrying its chunks in a fresh pool", broken)
        # Every chunk in flight failed with the pool; one of them killed it. Retried
        # one at a time, only that one fails again.
        retry = [chunk, *(c for c, _ in pending)]
        pending.clear()
        self._restart()
        for again in retry:
            try:
                yield from self._result(again, self.executor.submit(self.task, again))
            except BrokenProcessPool as broken:
                sources = ", ".join(item.source for item in again[:3])
                log.error("a worker process died again on the chunk of %s...", sources)
                yield from crashed_rows(again, str(broken))
                self._restart()

    def _result(self, chunk: list[Input], future: Future[list[DocumentRows]]) -> list[DocumentRows]:
        try:
            rows = future.result()
        except (ConfigError, BrokenProcessPool):
            # A ConfigError (model not installed) concerns the whole run.
            raise
        except Exception as exc:  # a bug outside process_chunk's own guard
            log.error("chunk starting at %s failed", chunk[0].source, exc_info=exc)
            return [internal_error_rows(item.source, exc) for item in chunk]
        if len(rows) != len(chunk):
            # A contract check, not an assert: a wrong count would misalign every row after it.
            raise RuntimeError(f"a worker returned {len(rows)} results for {len(chunk)} inputs")
        return rows
