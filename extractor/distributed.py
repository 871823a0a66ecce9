"""Dask batch engine: the same per-document work on a Dask distributed cluster.

Inputs are cut into partitions of ``settings.batch_size``; each partition is
one task running ``run.process_chunk`` on a worker, whose spaCy model was
loaded once when the worker joined (the ``LoadModel`` worker plugin: only the
model's name travels, never the model). A task that fails is retried by Dask
(``retries=``, on another worker if its worker died); a partition that still
fails becomes error rows with reason ``partition_failed`` naming the error, one
per input, so nothing is dropped. Results come back in input order, with at
most ``2 x workers`` partitions in flight.

Workers read files by the paths the client names, so on several machines the
inputs (and the model) must be at the same paths everywhere (a shared or
synced file system); records of JSONL, CSV and WARC inputs travel inside the
task. This module imports Dask, an optional extra; ``api`` imports it only
for ``engine="dask"``.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any

from extractor.config import Settings
from extractor.errors import ConfigError, ExtractorError
from extractor.inputs import Input
from extractor.nlp import load_nlp
from extractor.rows import DocumentRows
from extractor.run import error_rows, process_chunk

try:
    import dask
    import distributed
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError as missing:  # pragma: no cover (the dev install has the extra)
    raise ConfigError(
        '--engine dask needs Dask: pip install -e ".[dask]" (or pip install "extractor[dask]")'
    ) from missing

log = logging.getLogger("extractor")

#: Dask settings for the LocalCluster this module starts (see ``_client``).
_WORKER_CONFIG = {
    # Dashboard diagnostics cost the workers CPU and nobody can see them here: the
    # statistical profiler samples every thread every 10 ms, the GIL monitor every 1 ms.
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}

#: What a Dask task runs on one partition; module-level, so it pickles by name.
PartitionTask = Callable[[list[Input], Settings], list[DocumentRows]]


class LoadModel(WorkerPlugin):
    """Loads the spaCy model once in each worker process, when the worker starts.

    ``load_nlp`` also sets the worker's malloc thresholds (``allocator``), which
    overrides the ``MALLOC_TRIM_THRESHOLD_=65536`` Dask's nannies start workers with.
    """

    name = "extractor-load-model"

    def __init__(self, model: str) -> None:
        self.model = model

    def setup(self, worker: Any) -> None:
        load_nlp(self.model)


def run_partition(items: list[Input], settings: Settings) -> list[DocumentRows]:
    """The rows of one partition, on a Dask worker (the model is the plugin's, cached)."""
    return process_chunk(items, nlp=load_nlp(settings.model), settings=settings)


def failed_rows(items: list[Input], detail: str) -> list[DocumentRows]:
    """Error rows (reason ``partition_failed``) for every input of a partition that failed."""
    error = ExtractorError(
        f"the Dask partition holding this input ({len(items)} inputs) failed after "
        f"its retries: {detail}",
        reason="partition_failed",
    )
    return [error_rows(item.source, error) for item in items]


def process_dask(
    items: Iterable[Input],
    *,
    settings: Settings,
    scheduler: str | None = None,
    workers: int = 2,
    retries: int = 2,
    connect_timeout: float = 30.0,
    task: PartitionTask = run_partition,
) -> Iterator[list[DocumentRows]]:
    """Rows of every input, one list per partition, in input order.

    ``scheduler`` is the address of a running scheduler (``tcp://host:8786``);
    None starts a ``LocalCluster`` of ``workers`` processes with one thread
    each, on 127.0.0.1, without a dashboard. A task is retried ``retries``
    times before its partition becomes error rows.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1 (got {workers})")
    with _client(scheduler, workers, connect_timeout) as client:
        client.register_plugin(LoadModel(settings.model))
        size = len(client.scheduler_info().get("workers", {})) or workers
        window = max(2, 2 * size)
        pending: collections.deque[tuple[list[Input], Any]] = collections.deque()
        iterator = iter(items)
        try:
            while chunk := list(itertools.islice(iterator, settings.batch_size)):
                future = client.submit(task, chunk, settings, retries=retries, pure=False)
                pending.append((chunk, future))
                while len(pending) >= window:
                    yield _result(*pending.popleft())
            while pending:
                yield _result(*pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()


def _result(chunk: list[Input], future: Any) -> list[DocumentRows]:
    try:
        rows: list[DocumentRows] = future.result()
    except ConfigError:
        # The model is not installed on the workers: the whole run cannot succeed.
        raise
    except (Exception, CancelledError) as exc:  # any remote failure, KilledWorker too
        log.error("partition starting at %s failed: %s", chunk[0].source, exc)
        return failed_rows(chunk, f"{type(exc).__name__}: {exc}")
    if len(rows) != len(chunk):
        raise RuntimeError(f"a partition returned {len(rows)} results for {len(chunk)} inputs")
    return rows


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int, timeout: float) -> Iterator[Any]:
    """A ``distributed.Client`` on ``scheduler``, or on a LocalCluster it starts and stops."""
    if scheduler is None:
        with (
            # Nannies pass this configuration on to their workers.
            dask.config.set(_WORKER_CONFIG),
            distributed.LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                # The scheduler serves health checks over HTTP even without the dashboard,
                # on port 8787 unless told otherwise; a random port cannot collide.
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            ) as cluster,
            distributed.Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout=timeout)  # type: ignore[no-untyped-call]
    except OSError as error:
        raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from error
    with client:
        yield client
