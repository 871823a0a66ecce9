"""The local batch engine: N worker processes give the rows of one process, and lose nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from spacy.language import Language

from extractor import workers
from extractor.config import Settings
from extractor.errors import ConfigError
from extractor.inputs import Input, iter_inputs
from extractor.rows import DocumentRows
from extractor.workers import default_workers, init_worker, process_parallel, run_chunk

from .conftest import ROOT

PAGES = ROOT / "fixtures" / "pages"


@pytest.fixture
def mixed_inputs(tmp_path: Path) -> list[Input]:
    """The fixture pages, JSONL records and inputs that fail, interleaved."""
    (tmp_path / "c.jsonl").write_text(
        '{"id": "rec-1", "text": "The Reno Police Department will not help ICE, Chief Ann Lee said."}\n'
        "{broken\n",
        encoding="utf-8",
    )
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    args = [str(PAGES), str(tmp_path / "c.jsonl"), str(tmp_path / "empty.txt"), "missing.html"]
    return list(iter_inputs(args))


def test_two_workers_give_the_rows_of_one(nlp: Language, mixed_inputs: list[Input]) -> None:
    settings = Settings(batch_size=3)
    one = list(process_parallel(mixed_inputs, settings=settings, workers=1, nlp=nlp))
    two = list(process_parallel(mixed_inputs, settings=settings, workers=2))
    assert [r.article.source for r in one] == [item.source for item in mixed_inputs]
    assert two == one
    statuses = [r.article.status for r in one]
    assert statuses.count("error") == 3 and statuses.count("ok") == len(one) - 3


def test_a_single_chunk_runs_in_this_process(
    nlp: Language, mixed_inputs: list[Input], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("started a pool for one chunk")

    monkeypatch.setattr(workers, "_Pool", no_pool)
    rows = list(process_parallel(mixed_inputs[:2], settings=Settings(), workers=4, nlp=nlp))
    assert [r.article.status for r in rows] == ["ok", "ok"]


def crash_on_marked_chunk(items: list[Input]) -> list[DocumentRows]:
    """A worker task that kills its process on a chunk holding a ``crash`` input."""
    if any("crash" in item.source for item in items):
        os._exit(3)
    return run_chunk(items)


def raise_on_marked_chunk(items: list[Input]) -> list[DocumentRows]:
    if any("raise" in item.source for item in items):
        raise RuntimeError("bug outside the per-document guard")
    return run_chunk(items)


def missing_inputs(names: list[str]) -> list[Input]:
    # Missing files: cheap to process (error rows), so the tests time the plumbing only.
    return [Input(f"{name}.html", "file") for name in names]


def test_a_crashed_worker_costs_only_its_chunk(caplog: pytest.LogCaptureFixture) -> None:
    names = [f"n{i}" for i in range(12)]
    names[5] = "crash"
    items = missing_inputs(names)
    rows = list(
        process_parallel(
            items, settings=Settings(batch_size=2), workers=2, task=crash_on_marked_chunk
        )
    )
    assert [r.article.source for r in rows] == [item.source for item in items]
    reasons = [r.article.error.partition(":")[0] for r in rows]
    # The chunk of n4 and "crash" dies twice; every other chunk is retried and succeeds.
    assert reasons == ["missing"] * 4 + ["worker_crashed"] * 2 + ["missing"] * 6
    assert "worker process died" in caplog.text


def test_an_exception_outside_the_document_guard_is_error_rows() -> None:
    items = missing_inputs(["a", "b", "raise", "c", "d", "e"])
    rows = list(
        process_parallel(
            items, settings=Settings(batch_size=2), workers=2, task=raise_on_marked_chunk
        )
    )
    reasons = [r.article.error.partition(":")[0] for r in rows]
    assert reasons == ["missing", "missing", "internal", "internal", "missing", "missing"]
    assert "bug outside the per-document guard" in rows[2].article.error


def test_unknown_model_in_workers_is_a_config_error() -> None:
    items = missing_inputs(["a", "b", "c"])
    with pytest.raises(ConfigError, match="no_such_model"):
        list(
            process_parallel(
                items, settings=Settings(model="no_such_model", batch_size=1), workers=2
            )
        )


def test_workers_must_be_positive() -> None:
    with pytest.raises(ConfigError):
        list(process_parallel([], settings=Settings(), workers=0))


def test_worker_functions_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "_worker_nlp", None)
    monkeypatch.setattr(workers, "_worker_settings", None)
    monkeypatch.setattr(workers, "_worker_error", None)
    with pytest.raises(ConfigError, match="init_worker"):
        run_chunk(missing_inputs(["a"]))
    init_worker(Settings(model="no_such_model"))
    with pytest.raises(ConfigError, match="no_such_model"):
        run_chunk(missing_inputs(["a"]))
    monkeypatch.setattr(workers, "_worker_error", None)
    init_worker(Settings())
    (rows,) = run_chunk(missing_inputs(["a"]))
    assert rows.article.error.startswith("missing:")


def test_default_workers_is_the_usable_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_workers() >= 1
    monkeypatch.delattr(os, "sched_getaffinity")
    assert default_workers() == (os.cpu_count() or 1)
