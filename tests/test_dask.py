"""The Dask engine: a 2-worker local cluster gives the rows of one process, and loses nothing."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from spacy.language import Language

from extractor.config import Settings
from extractor.errors import ConfigError
from extractor.export import read_table, to_frames
from extractor.inputs import Input, iter_inputs
from extractor.rows import TABLES, DocumentRows
from extractor.workers import process_parallel

from .conftest import ROOT
from .test_allocator import refault_count

distributed = pytest.importorskip("distributed")
from extractor.distributed import process_dask, run_partition  # noqa: E402 (after the skip)

PAGES = ROOT / "fixtures" / "pages"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A 2-worker local cluster: processes, 1 thread each, on 127.0.0.1, no dashboard."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # The scheduler serves health checks over HTTP even without the dashboard,
        # on port 8787 unless told otherwise; a random port cannot collide.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def inputs(tmp_path: Path) -> list[Input]:
    (tmp_path / "c.jsonl").write_text(
        '{"id": "rec-1", "text": "The Reno Police Department will not help ICE, Chief Ann Lee said."}\n'
        '{"title": "no text"}\n',
        encoding="utf-8",
    )
    # A few fixture pages: the job is small, its partitioning known.
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in sorted(PAGES.iterdir())[:4]:
        shutil.copy(page, pages / page.name)
    return list(iter_inputs([str(pages), str(tmp_path / "c.jsonl"), "missing.html"]))


def test_dask_rows_equal_single_process_rows(
    nlp: Language, scheduler: str, inputs: list[Input]
) -> None:
    settings = Settings(batch_size=3)
    single = list(process_parallel(inputs, settings=settings, workers=1, nlp=nlp))
    partitions = list(process_dask(inputs, settings=settings, scheduler=scheduler))
    assert [len(part) for part in partitions] == [3, 3, 1]
    assert [rows for part in partitions for rows in part] == single
    assert [r.article.status for r in single].count("error") == 2


def fail_on_marked_partition(items: list[Input], settings: Settings) -> list[DocumentRows]:
    if any("fail" in item.source for item in items):
        raise RuntimeError("this partition always fails")
    return run_partition(items, settings)


def test_a_partition_that_keeps_failing_becomes_error_rows(scheduler: str) -> None:
    items = [Input(f"{name}.html", "file") for name in ("a", "b", "fail", "c", "d")]
    partitions = list(
        process_dask(
            items,
            settings=Settings(batch_size=2),
            scheduler=scheduler,
            retries=1,
            task=fail_on_marked_partition,
        )
    )
    rows = [r for part in partitions for r in part]
    assert [r.article.source for r in rows] == [item.source for item in items]
    reasons = [r.article.error.partition(":")[0] for r in rows]
    assert reasons == ["missing", "missing", "partition_failed", "partition_failed", "missing"]
    assert "this partition always fails" in rows[2].article.error


def test_unknown_model_on_workers_is_a_config_error(scheduler: str) -> None:
    with pytest.raises(ConfigError, match="no_such_model"):
        list(
            process_dask(
                [Input("a.html", "file")],
                settings=Settings(model="no_such_model"),
                scheduler=scheduler,
                retries=0,
            )
        )


def test_unreachable_scheduler_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        list(
            process_dask(
                [], settings=Settings(), scheduler="tcp://127.0.0.1:1", connect_timeout=0.5
            )
        )


def test_workers_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        list(process_dask([], settings=Settings(), workers=0))


def test_cli_dask_engine_on_a_local_cluster_writes_tables_and_partitions(
    tmp_path: Path, nlp: Language
) -> None:
    from extractor.cli import main

    out = tmp_path / "out"
    argv = [
        "extract",
        str(PAGES / "news_sheriff_287g.html"),
        str(PAGES / "000_79f2075f555beae4.txt"),
        str(PAGES / "sheriff_press_release_detainers.html"),
        "--out",
        str(out),
        "--batch-size",
        "2",
    ]
    assert main([*argv, "--engine", "dask", "--workers", "2"]) == 0
    assert main([*argv, "--workers", "1", "--out", str(tmp_path / "single")]) == 0
    for table in TABLES:
        single = read_table(tmp_path / "single", table)
        pdt.assert_frame_equal(read_table(out, table), single)
        parts = pd.read_parquet(out / "partitions" / table).reset_index(drop=True)
        pdt.assert_frame_equal(parts, to_frames([])[table] if single.empty else single)
    assert len(list((out / "partitions" / "articles").iterdir())) == 2


def test_missing_dask_is_a_config_error_naming_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    monkeypatch.delitem(sys.modules, "extractor.distributed")
    with pytest.raises(ConfigError, match=r'pip install -e "\.\[dask\]"'):
        import extractor.distributed  # noqa: F401


def _profiler_enabled() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_the_local_cluster_runs_workers_without_the_dashboard_profiler() -> None:
    from extractor.distributed import _client

    with _client(None, 1, 30.0) as client:
        # Set in the client, passed on by the nanny to the worker process.
        assert list(client.run(_profiler_enabled).values()) == [False]


def _trim_setting() -> str | None:
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_workers_keep_freed_memory_despite_the_nannys_trim_setting(
    scheduler: str, inputs: list[Input]
) -> None:
    # The nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536; loading the model
    # (the job's worker plugin) sets the worker's own thresholds.
    list(process_dask(inputs[:1], settings=Settings(), scheduler=scheduler))
    with distributed.Client(scheduler) as client:
        trims = client.run(_trim_setting)
        assert set(trims.values()) == {"65536"}
        faults = client.run(refault_count)
    # Untuned, the 50 rounds fault 12,850 pages here; tuned, about 250.
    assert len(faults) == 2, faults
    assert max(faults.values()) < 2_500, faults
