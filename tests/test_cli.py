"""End to end: the `extractor` command on the seed documents, scored by `extractor evaluate`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import main

from .conftest import ROOT

# The bar for the seeds; the quality gate below pins what we reach.
FLOORS = {"agencies": 0.85, "officials": 0.85, "quotes": 0.9, "stances": 0.7}


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory, seeds: Path) -> Path:
    out = tmp_path_factory.mktemp("out")
    code = main(
        [
            "extract",
            str(seeds / "000_79f2075f555beae4.txt"),
            str(seeds / "003_92338cb8d8728ea3.txt"),
            "--out",
            str(out),
            "--format",
            "csv,jsonl,parquet",
        ]
    )
    assert code == 0
    return out


def test_extract_writes_every_table_in_every_format(seed_run: Path) -> None:
    for table in ("articles", "agencies", "officials", "quotes", "stances"):
        for suffix in ("csv", "jsonl", "parquet"):
            assert (seed_run / f"{table}.{suffix}").is_file()
    csv = pd.read_csv(seed_run / "stances.csv", keep_default_na=False)
    parquet = pd.read_parquet(seed_run / "stances.parquet")
    assert csv["agency"].tolist() == parquet["agency"].tolist()


def test_evaluate_on_seeds_meets_the_bar(
    seed_run: Path, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["evaluate", "--gold", str(seeds / "gold.jsonl"), "--pred", str(seed_run), "--json"])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    scores = report["tables"]
    for table, floor in FLOORS.items():
        assert scores[table]["f1"] >= floor, (table, scores[table])
    assert scores["quotes"]["accuracy"]["speaker"]["value"] >= 0.8


def test_evaluate_prints_a_table(
    seed_run: Path, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", "--gold", str(seeds / "gold.jsonl"), "--pred", str(seed_run)]) == 0
    out = capsys.readouterr().out
    assert "agencies" in out and "precision" in out


def test_stdin_inputs_and_exit_code_one_on_failures(
    tmp_path: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = f"# a comment\n{seeds / '003_92338cb8d8728ea3.txt'}\n\n{tmp_path / 'nope.html'}\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(listing))
    assert main(["extract", "-", "--out", str(tmp_path / "out")]) == 1
    articles = pd.read_csv(tmp_path / "out" / "articles.csv", keep_default_na=False)
    assert articles["status"].tolist() == ["ok", "error"]
    assert articles["error"].iloc[1].startswith("missing:")


@pytest.mark.parametrize(
    "argv", [["extract", "x.txt"], ["extract", "x.txt", "--out", "o", "--format", "xls"], []]
)
def test_usage_errors_exit_two(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2


def test_unknown_model_exits_two(tmp_path: Path, seeds: Path) -> None:
    code = main(
        [
            "extract",
            str(seeds / "000_79f2075f555beae4.txt"),
            "--out",
            str(tmp_path),
            "--model",
            "no_such_model",
        ]
    )
    assert code == 2


def test_console_script_runs_as_module(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "extractor", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0
    assert "extract" in done.stdout


def test_extract_records_with_workers_and_column_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.csv"
    sentence = (
        "The Polk County Sheriff's Office will not hold people for ICE, Sheriff Ann Lee said."
    )
    corpus.write_text(
        "key,body\n" + "".join(f'k{i},"{sentence}"\n' for i in range(5)) + "k5,\n",
        encoding="utf-8",
    )
    argv = ["extract", str(corpus), "--text-column", "body", "--id-column", "key"]
    assert main([*argv, "--out", str(tmp_path / "two"), "--workers", "2", "--batch-size", "2"]) == 1
    assert main([*argv, "--out", str(tmp_path / "one"), "--workers", "1"]) == 1
    # One text per nlp.pipe batch (each is longer than the budget): the same rows.
    small = ["--batch-chars", "50", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "small"), *small]) == 1
    for table in ("articles", "agencies", "stances"):
        assert (tmp_path / "small" / f"{table}.csv").read_bytes() == (
            tmp_path / "one" / f"{table}.csv"
        ).read_bytes()
    for table in ("articles", "agencies", "stances"):
        assert (tmp_path / "two" / f"{table}.csv").read_bytes() == (
            tmp_path / "one" / f"{table}.csv"
        ).read_bytes()
    articles = pd.read_csv(tmp_path / "one" / "articles.csv", keep_default_na=False)
    assert articles["source"].tolist() == [f"k{i}" for i in range(6)]
    assert articles["error"].iloc[5].startswith("empty:")
    assert "6 inputs: 5 ok, 1 failed (empty 1); tables in" in capsys.readouterr().err


def test_extract_reports_skipped_warc_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from .test_inputs import write_warc

    archive = tmp_path / "crawl.warc.gz"
    write_warc(
        archive,
        [
            (
                "https://a.test/",
                200,
                "text/html",
                b"<p>The Polk County Sheriff's Office will not hold people for ICE.</p>",
            ),
            ("https://a.test/x.css", 200, "text/css", b"p {}"),
        ],
    )
    assert main(["extract", str(archive), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "1 inputs: 1 ok, 0 failed" in err
    assert "skipped 3 archive records that are not articles" in err
    assert "2 WARC request records" in err and "1 non-HTML responses (text/css)" in err
    articles = pd.read_csv(tmp_path / "out" / "articles.csv", keep_default_na=False)
    assert articles["url"].tolist() == ["https://a.test/"]


@pytest.mark.parametrize(
    "options", [["--scheduler", "tcp://127.0.0.1:8786"], ["--workers", "0"], ["--engine", "spark"]]
)
def test_bad_engine_options_exit_two(
    tmp_path: Path, options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["extract", "x.txt", "--out", str(tmp_path), *options]
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(str(exit_.code))
    assert code == 2
    assert "error" in capsys.readouterr().err
