"""The notebook API and the package's public names."""

from __future__ import annotations

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
