"""SIGKILL at random moments, run again: the store ends exactly as after one uninterrupted run.

`extractor run` goes in a subprocess over a few hundred small pages served by the
fault site on 127.0.0.1. One store is built by a single run (in this process);
another by runs of `extractor run` in subprocesses that are killed (SIGKILL: no handler, no cleanup) at seeded random moments and then a
run to completion. Both stores are exported and the tables compared byte for
byte: nothing lost, nothing doubled.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language

from extractor.cli import EXIT_OK, main
from extractor.crawl import run_pipeline
from extractor.pipeline import load_pipeline
from extractor.rows import TABLES

from .conftest import ROOT
from .faultsite import FaultSite, faultsite

__all__ = ["faultsite"]

PAGES = 240
KILLS = 6
SEED = 20261121


def pipeline(tmp_path: Path, name: str, site: FaultSite) -> Path:
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "".join(f"{site.url(f'/page/{n}')}\n" for n in range(1, PAGES + 1)), encoding="utf-8"
    )
    path = tmp_path / f"{name}.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [store]
            path = "{name}.sqlite3"

            [[sources]]
            kind = "urls"
            file = "urls.txt"

            [fetch]
            per_host_delay = 0
            per_host_concurrency = 8
            allow_private = true

            [nlp]
            batch_size = 8
            """
        ),
        encoding="utf-8",
    )
    return path


def committed(store: Path) -> int:
    """Pages committed so far (0 while the store does not exist yet)."""
    if not store.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute("SELECT count(*) FROM fetch_log").fetchone()[0])
        finally:
            db.close()
    except sqlite3.OperationalError:
        return 0


def command(path: Path) -> list[str]:
    return [sys.executable, "-m", "extractor", "run", str(path), "--progress", "log"]


def export(store: Path, out: Path) -> None:
    assert main(["export", "--store", str(store), "--out", str(out)]) == EXIT_OK


@pytest.mark.model
def test_sigkill_at_random_moments_loses_and_doubles_nothing(
    tmp_path: Path, faultsite: FaultSite, nlp: Language
) -> None:
    rng = random.Random(SEED)
    # The uninterrupted run goes in this process, with the session's model (saves a load).
    reference = run_pipeline(load_pipeline(pipeline(tmp_path, "reference", faultsite)), nlp=nlp)
    assert reference.ok and reference.new == PAGES

    killed = pipeline(tmp_path, "killed", faultsite)
    store = tmp_path / "killed.sqlite3"
    progress: list[int] = []
    for attempt in range(KILLS):
        process = subprocess.Popen(
            command(killed), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        before = committed(store)
        if attempt == 0:
            # Anywhere from start-up (model loading, discovery) on.
            time.sleep(rng.uniform(0.5, 4.0))
        else:
            # Somewhere in the middle of fetching, extracting and committing pages.
            deadline = time.monotonic() + 120
            while committed(store) == before and process.poll() is None:
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        progress.append(committed(store))
    # Kills landed mid-run: after some pages, before all of them.
    assert any(0 < count < PAGES for count in progress), progress
    done = subprocess.run(command(killed), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == EXIT_OK, done.stderr

    export(tmp_path / "reference.sqlite3", tmp_path / "reference-out")
    export(store, tmp_path / "killed-out")
    for table in TABLES:
        expected = (tmp_path / "reference-out" / f"{table}.csv").read_bytes()
        actual = (tmp_path / "killed-out" / f"{table}.csv").read_bytes()
        assert actual == expected, table
    articles = pd.read_csv(tmp_path / "killed-out" / "articles.csv", keep_default_na=False)
    assert len(articles) == PAGES and articles["doc_id"].is_unique
    assert set(articles["status"]) == {"ok"}
    assert not pd.read_csv(tmp_path / "killed-out" / "stances.csv").empty
    # Every URL ended with rows; its history has one row per run that reached it.
    fetch_log = pd.read_csv(tmp_path / "killed-out" / "fetch_log.csv", keep_default_na=False)
    assert fetch_log["url"].nunique() == PAGES
    assert not fetch_log.duplicated(["url", "run_id"]).any()
    last = fetch_log.groupby("url")["status"].last()
    assert set(last) <= {"new", "unchanged"}
