"""The notebook API and the package's public names."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from spacy.language import Language

import extractor
from extractor.api import looks_like_html
from extractor.rows import columns


def test_all_is_sorted_and_importable() -> None:
    assert extractor.__all__ == sorted(extractor.__all__)
    for name in extractor.__all__:
        assert getattr(extractor, name) is not None


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError):
        _ = extractor.no_such_thing  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<!DOCTYPE html><html></html>", True),
        ("  <p>Hi</p>", True),
        ("<div>x</div>", True),
        ("Sheriff says no to ICE.", False),
        ("Use <b> tags", False),
    ],
)
def test_looks_like_html(content: str, expected: bool) -> None:
    assert looks_like_html(content) is expected


def test_extract_from_text(nlp: Language) -> None:
    rows = extractor.extract(
        "The Dayton Police Department will not participate in ICE raids, Chief Kamran Afzal said.",
        nlp=nlp,
    )
    assert rows.article.status == "ok"
    assert [(s.agency, s.stance) for s in rows.stances] == [("Dayton Police Department", "refuses")]


def test_extract_from_html(nlp: Language) -> None:
    html = (
        "<html><body><article><h1>Policy</h1><p>The Reno Police Department said it will not "
        "assist ICE with civil immigration enforcement.</p></article></body></html>"
    )
    rows = extractor.extract(html, nlp=nlp, source="page.html")
    assert rows.article.source == "page.html"
    assert "Reno Police Department" in {a.agency for a in rows.agencies}


def test_extract_of_empty_string_is_an_error_row_not_an_exception(nlp: Language) -> None:
    rows = extractor.extract("   ", nlp=nlp)
    assert rows.article.status == "error"


def test_extract_frames_gives_every_table_with_its_columns(nlp: Language) -> None:
    frames = extractor.extract_frames(
        ["The Reno Police Department will not help ICE.", ""], nlp=nlp
    )
    for table, frame in frames.items():
        assert list(frame.columns) == columns(table)
    assert frames["articles"]["status"].tolist() == ["ok", "error"]


def test_extract_frames_reads_an_iterator_lazily_in_batches(nlp: Language) -> None:
    texts = (
        f"Sheriff {name} said the Polk County Sheriff's Office will not hold people for ICE."
        for name in ("Ann Lee", "Bo Diaz", "Cy Ng")
    )
    frames = extractor.extract_frames(texts, nlp=nlp, settings=extractor.Settings(batch_size=2))
    assert frames["articles"]["source"].tolist() == ["<string 0>", "<string 1>", "<string 2>"]
    assert frames["agencies"]["doc_id"].nunique() == 3


def test_extract_frames_of_one_string_in_a_list_keeps_the_plain_source(nlp: Language) -> None:
    frames = extractor.extract_frames(["", "<p>x"][:1], nlp=nlp)
    assert frames["articles"]["source"].tolist() == ["<string>"]
    assert frames["articles"]["status"].tolist() == ["error"]


def test_extract_batch_and_extract_to(nlp: Language, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        json.dumps(
            {"id": "s1", "text": "The Polk County Sheriff's Office will not hold people for ICE."}
        )
        + "\n"
        + json.dumps({"body": "no text column"})
        + "\n",
        encoding="utf-8",
    )
    rows = list(extractor.extract_batch([str(corpus)], nlp=nlp))
    assert [r.article.source for r in rows] == ["s1", f"{corpus}#L2"]
    seen: list[str] = []
    summary = extractor.extract_to(
        [str(corpus)],
        tmp_path / "out",
        workers=1,
        nlp=nlp,
        progress=lambda rows: seen.append(rows.article.source),
    )
    assert seen == ["s1", f"{corpus}#L2"]
    assert (summary.inputs, summary.ok, summary.failed) == (2, 1, 1)
    assert summary.reasons == {"missing_column": 1}
    assert [p.name for p in summary.paths][:1] == ["articles.csv"]
    articles = pd.read_csv(tmp_path / "out" / "articles.csv", keep_default_na=False)
    assert articles["source"].tolist() == ["s1", f"{corpus}#L2"]


@pytest.mark.parametrize(
    ("engine", "scheduler", "message"),
    [("spark", None, "unknown engine"), ("local", "tcp://127.0.0.1:8786", "needs engine 'dask'")],
)
def test_extract_to_rejects_bad_engine_options(
    tmp_path: Path, engine: str, scheduler: str | None, message: str
) -> None:
    with pytest.raises(extractor.ConfigError, match=message):
        extractor.extract_to([], tmp_path, engine=engine, scheduler=scheduler)  # type: ignore[arg-type]
    with pytest.raises(extractor.ConfigError, match=message):
        list(extractor.extract_batch([], engine=engine, scheduler=scheduler))  # type: ignore[arg-type]
