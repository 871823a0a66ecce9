"""Tests for extractor.export: frames, CSV neutralisation, round trips, atomic writes."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pyarrow.parquet as pq
import pytest

from extractor.errors import ConfigError, InputError
from extractor.export import FORMULA_TRIGGERS, dtypes, read_table, to_frames, write_tables
from extractor.rows import (
    TABLES,
    AgencyRow,
    ArticleRow,
    DocumentRows,
    OfficialRow,
    QuoteRow,
    StanceRow,
    columns,
)

ALL_FORMATS = ("csv", "jsonl", "parquet")
TRICKY = 'Straße “quoted”, "double" and\nnew line\r\nCRLF\rCR, ünïcödé 🚓'


def one_document(agency: str = "Hennepin County Sheriff's Office") -> DocumentRows:
    return DocumentRows(
        article=ArticleRow(doc_id="d1", source="in/a.txt", title=TRICKY, word_count=412),
        agencies=(AgencyRow("d1", agency, "sheriff", "MN", "HCSO; Sheriff's Office", 3),),
        officials=(OfficialRow("d1", "Dawanna Witt", "Sheriff", agency),),
        quotes=(
            QuoteRow("d1", TRICKY, "Dawanna Witt", "person", "Sheriff", agency, "said", 10, 99),
        ),
        stances=(StanceRow("d1", agency, "limits", "only serious crimes", "only", "", 0.75),),
    )


def frames_with(**cells: str) -> dict[str, pd.DataFrame]:
    """Frames of ``one_document`` with the agencies table's text ``cells`` replaced."""
    frames = to_frames([one_document()])
    for name, value in cells.items():
        frames["agencies"].loc[0, name] = value
    return frames


def raw_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def keep_only(out_dir: Path, fmt: str) -> None:
    for path in out_dir.iterdir():
        if path.suffix != f".{fmt}":
            path.unlink()


# ------------------------------------------------------------------- frames


def test_to_frames_has_every_table_with_schema_columns_even_when_empty() -> None:
    frames = to_frames([])
    assert list(frames) == list(TABLES)
    for table, frame in frames.items():
        assert list(frame.columns) == columns(table)
        assert frame.empty


@pytest.mark.parametrize(
    ("table", "column", "dtype"),
    [
        ("articles", "word_count", "int64"),
        ("agencies", "mentions", "int64"),
        ("quotes", "start_char", "int64"),
        ("stances", "confidence", "float64"),
        ("stances", "stance", "str"),
        ("articles", "source", "str"),
    ],
)
@pytest.mark.parametrize("docs", [[], [one_document()]], ids=["empty", "one"])
def test_to_frames_dtypes(table: str, column: str, dtype: str, docs: list[DocumentRows]) -> None:
    frame = to_frames(docs)[table]
    assert dtypes(table)[column] == dtype
    if dtype == "str":
        assert pd.api.types.is_string_dtype(frame[column])
    else:
        assert frame[column].dtype == dtype


def test_to_frames_keeps_document_order() -> None:
    frames = to_frames([one_document("A"), one_document("B")])
    assert frames["agencies"]["agency"].tolist() == ["A", "B"]
    assert frames["articles"]["doc_id"].tolist() == ["d1", "d1"]


# ------------------------------------------------------- formula neutralising


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_csv_cell_starting_with_trigger_gets_apostrophe(tmp_path: Path, trigger: str) -> None:
    value = f'{trigger}HYPERLINK("http://x")'
    write_tables(frames_with(agency=value), tmp_path, formats=ALL_FORMATS)

    header, row = raw_csv_rows(tmp_path / "agencies.csv")
    assert row[header.index("agency")] == "'" + value


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_neutralised_cell_reads_back_raw(tmp_path: Path, trigger: str, fmt: str) -> None:
    value = f"{trigger}1+1"
    write_tables(frames_with(agency=value), tmp_path, formats=ALL_FORMATS)
    keep_only(tmp_path, fmt)
    assert read_table(tmp_path, "agencies")["agency"].tolist() == [value]


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_jsonl_carries_raw_trigger_value(tmp_path: Path, trigger: str) -> None:
    value = f"{trigger}cmd"
    write_tables(frames_with(agency=value), tmp_path, formats=("jsonl",))
    line = (tmp_path / "agencies.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(line)["agency"] == value


@pytest.mark.parametrize(
    "value", ["1-2", "a=b", "x@y.org", "", "plain", " =space first", "'quoted"]
)
def test_csv_safe_cell_is_untouched(tmp_path: Path, value: str) -> None:
    write_tables(frames_with(agency=value), tmp_path)
    header, row = raw_csv_rows(tmp_path / "agencies.csv")
    assert row[header.index("agency")] == value
    assert read_table(tmp_path, "agencies")["agency"].tolist() == [value]


@pytest.mark.parametrize("value", ["'=already", "''+twice", "'-1"])
def test_csv_apostrophe_before_trigger_round_trips(tmp_path: Path, value: str) -> None:
    write_tables(frames_with(agency=value), tmp_path)
    header, row = raw_csv_rows(tmp_path / "agencies.csv")
    assert row[header.index("agency")] == "'" + value
    assert read_table(tmp_path, "agencies")["agency"].tolist() == [value]


def test_csv_negative_numbers_stay_numeric(tmp_path: Path) -> None:
    frames = to_frames([one_document()])
    frames["agencies"].loc[0, "mentions"] = -3
    frames["quotes"].loc[0, "start_char"] = -1
    frames["stances"].loc[0, "confidence"] = -0.5
    write_tables(frames, tmp_path)

    header, row = raw_csv_rows(tmp_path / "agencies.csv")
    assert row[header.index("mentions")] == "-3"
    header, row = raw_csv_rows(tmp_path / "quotes.csv")
    assert row[header.index("start_char")] == "-1"
    header, row = raw_csv_rows(tmp_path / "stances.csv")
    assert row[header.index("confidence")] == "-0.5"
    assert read_table(tmp_path, "agencies")["mentions"].tolist() == [-3]
    assert read_table(tmp_path, "stances")["confidence"].tolist() == [-0.5]


# ------------------------------------------------------------------ round trips


@pytest.mark.parametrize("fmt", ALL_FORMATS)
@pytest.mark.parametrize(
    "docs", [[], [one_document(), one_document("=SUM(A1)")]], ids=["empty", "two"]
)
@pytest.mark.parametrize("table", list(TABLES))
def test_round_trip(tmp_path: Path, fmt: str, docs: list[DocumentRows], table: str) -> None:
    frames = to_frames(docs)
    write_tables(frames, tmp_path, formats=(fmt,))
    back = read_table(tmp_path, table)
    pdt.assert_frame_equal(back, frames[table])
    assert list(back.columns) == columns(table)


@pytest.mark.parametrize("value", ["NA", "null", "NaN", "", "None", "#N/A"])
def test_csv_keeps_na_like_strings(tmp_path: Path, value: str) -> None:
    write_tables(frames_with(state=value), tmp_path)
    assert read_table(tmp_path, "agencies")["state"].tolist() == [value]


def test_jsonl_is_utf8_one_object_per_line(tmp_path: Path) -> None:
    write_tables(to_frames([one_document(), one_document()]), tmp_path, formats=("jsonl",))
    text = (tmp_path / "quotes.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == 2
    assert "Straße" in text and "🚓" in text  # not \u-escaped
    assert json.loads(lines[0])["quote"] == TRICKY
    assert json.loads(lines[0])["start_char"] == 10


def test_write_tables_returns_paths_in_table_order(tmp_path: Path) -> None:
    paths = write_tables(to_frames([]), tmp_path / "new" / "dir", formats=("csv", "parquet"))
    expected = [tmp_path / "new" / "dir" / f"{t}.{f}" for t in TABLES for f in ("csv", "parquet")]
    assert paths == expected
    assert all(path.is_file() for path in paths)


def test_empty_csv_still_has_header(tmp_path: Path) -> None:
    write_tables(to_frames([]), tmp_path)
    assert raw_csv_rows(tmp_path / "stances.csv") == [columns("stances")]


# ------------------------------------------------------------------------ excel


def test_excel_csv_starts_with_bom(tmp_path: Path) -> None:
    write_tables(to_frames([one_document()]), tmp_path, excel=True)
    data = (tmp_path / "articles.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfdoc_id,")
    assert list(read_table(tmp_path, "articles").columns) == columns("articles")


def test_plain_csv_has_no_bom(tmp_path: Path) -> None:
    write_tables(to_frames([one_document()]), tmp_path)
    assert (tmp_path / "articles.csv").read_bytes().startswith(b"doc_id,")


# ----------------------------------------------------------------------- atomic


def test_write_leaves_no_temp_files(tmp_path: Path) -> None:
    write_tables(to_frames([one_document()]), tmp_path, formats=ALL_FORMATS)
    write_tables(to_frames([one_document()]), tmp_path, formats=ALL_FORMATS)  # overwrite
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(f"{t}.{f}" for t in TABLES for f in ALL_FORMATS)


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_crash_mid_write_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    write_tables(to_frames([one_document("Old")]), tmp_path, formats=(fmt,))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    def crash(*args: object, **kwargs: object) -> None:
        if len(args) == 2 and isinstance(args[1], Path):  # pq.write_table(table, path)
            args[1].write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    # Fail after the temp file holds data, just before it would be renamed.
    monkeypatch.setattr(os, "fsync", crash)
    monkeypatch.setattr(pq, "write_table", crash)
    with pytest.raises(OSError, match="disk full"):
        write_tables(to_frames([one_document("New")]), tmp_path, formats=(fmt,))

    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after == before


# ------------------------------------------------------------------- read_table


def test_read_table_prefers_parquet_then_jsonl_then_csv(tmp_path: Path) -> None:
    for fmt, name in (("csv", "C"), ("jsonl", "J"), ("parquet", "P")):
        out = tmp_path / fmt
        write_tables(to_frames([one_document(name)]), out, formats=(fmt,))
        for path in out.iterdir():
            path.rename(tmp_path / path.name)
    assert read_table(tmp_path, "agencies")["agency"].tolist() == ["P"]
    (tmp_path / "agencies.parquet").unlink()
    assert read_table(tmp_path, "agencies")["agency"].tolist() == ["J"]
    (tmp_path / "agencies.jsonl").unlink()
    assert read_table(tmp_path, "agencies")["agency"].tolist() == ["C"]


def test_read_table_missing_names_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=str(tmp_path)) as info:
        read_table(tmp_path, "quotes")
    assert info.value.reason == "missing"


def test_read_table_bad_cell_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "agencies.csv").write_text(
        "doc_id,agency,agency_type,state,aliases,mentions\nd1,X,police,MN,,many\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"agencies\.csv"):
        read_table(tmp_path, "agencies")


def test_read_table_jsonl_missing_key_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "stances.jsonl").write_text('{"doc_id": "d1"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"stances\.jsonl:1: lacks key\(s\) agency"):
        read_table(tmp_path, "stances")


def test_read_table_bad_jsonl_line_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "quotes.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"quotes\.jsonl:1"):
        read_table(tmp_path, "quotes")


def test_unknown_format_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="xlsx"):
        write_tables(to_frames([]), tmp_path, formats=("xlsx",))


def test_unknown_table_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="people"):
        write_tables({"people": pd.DataFrame()}, tmp_path)


def test_read_table_csv_missing_column_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "officials.csv").write_text("doc_id,name\nd1,X\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column"):
        read_table(tmp_path, "officials")


def test_rewriting_in_fewer_formats_removes_stale_files(tmp_path: Path) -> None:
    frames = to_frames([])
    write_tables(frames, tmp_path, formats=("csv", "parquet"))
    assert (tmp_path / "stances.parquet").exists()
    write_tables(frames, tmp_path, formats=("csv",))
    assert not (tmp_path / "stances.parquet").exists()
    assert (tmp_path / "stances.csv").exists()
