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
from extractor.export import (
    FORMULA_TRIGGERS,
    TableWriter,
    atomic_path,
    dtypes,
    read_table,
    to_frames,
    write_tables,
    write_text_atomic,
)
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
        raise OSError("disk full")

    # Fail after the temp file holds data, just before it would be renamed.
    monkeypatch.setattr(os, "replace", crash)
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


# ------------------------------------------------------------------- TableWriter


def many_documents(count: int) -> list[DocumentRows]:
    docs = []
    for i in range(count):
        agency = f"=Agency {i}" if i % 7 == 0 else f"Agency {i}"
        rows = one_document(agency)
        docs.append(
            DocumentRows(
                article=ArticleRow(doc_id=f"d{i}", source=f"in/{i}.txt", title=f"-{i}"),
                agencies=rows.agencies if i % 3 else (),
                quotes=rows.quotes,
                stances=rows.stances if i % 2 else (),
            )
        )
    return docs


@pytest.mark.parametrize("excel", [False, True])
def test_streamed_tables_equal_tables_written_at_once(tmp_path: Path, excel: bool) -> None:
    docs = many_documents(23)
    write_tables(to_frames(docs), tmp_path / "once", formats=ALL_FORMATS, excel=excel)
    with TableWriter(tmp_path / "stream", formats=ALL_FORMATS, excel=excel, flush_every=4) as w:
        w.write(docs[:10])
        w.write(iter(docs[10:]))
    assert w.documents == 23
    assert w.paths == [tmp_path / "stream" / f"{t}.{f}" for t in TABLES for f in ALL_FORMATS]
    for table in TABLES:
        for fmt in ("csv", "jsonl"):
            name = f"{table}.{fmt}"
            assert (tmp_path / "stream" / name).read_bytes() == (
                tmp_path / "once" / name
            ).read_bytes(), name
        streamed = pd.read_parquet(tmp_path / "stream" / f"{table}.parquet")
        pdt.assert_frame_equal(streamed, pd.read_parquet(tmp_path / "once" / f"{table}.parquet"))


def test_streamed_parquet_has_one_row_group_per_flush(tmp_path: Path) -> None:
    with TableWriter(tmp_path, formats=("parquet",), flush_every=5) as writer:
        writer.write(many_documents(12))
    assert pq.ParquetFile(tmp_path / "articles.parquet").num_row_groups == 3


def test_empty_stream_writes_headers_and_readable_empty_tables(tmp_path: Path) -> None:
    with TableWriter(tmp_path, formats=ALL_FORMATS):
        pass
    for table in TABLES:
        for fmt in ALL_FORMATS:
            frame = read_table_format(tmp_path, table, fmt)
            assert list(frame.columns) == columns(table) and frame.empty


def read_table_format(directory: Path, table: str, fmt: str) -> pd.DataFrame:
    """``read_table`` of one format only (it prefers Parquet when several exist)."""
    only = directory / fmt
    only.mkdir(exist_ok=True)
    (only / f"{table}.{fmt}").write_bytes((directory / f"{table}.{fmt}").read_bytes())
    return read_table(only, table)


def test_failed_stream_keeps_previous_tables_and_leaves_no_temp(tmp_path: Path) -> None:
    write_tables(to_frames([one_document("Old")]), tmp_path, formats=ALL_FORMATS)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with (
        pytest.raises(RuntimeError, match="interrupted"),
        TableWriter(tmp_path, formats=ALL_FORMATS, flush_every=1, partitions=True) as writer,
    ):
        writer.write(many_documents(3))
        writer.write_partition(many_documents(2))
        raise RuntimeError("interrupted")
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert after == before


def test_partitions_are_one_parquet_file_per_batch_and_replace_old_ones(tmp_path: Path) -> None:
    docs = many_documents(9)
    for _ in range(2):
        with TableWriter(tmp_path, formats=("csv",), partitions=True) as writer:
            for start in range(0, 9, 4):
                writer.write_partition(docs[start : start + 4])
    parts = tmp_path / "partitions"
    assert sorted(p.name for p in (parts / "articles").iterdir()) == [
        "part-00000.parquet",
        "part-00001.parquet",
        "part-00002.parquet",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["partitions", *(f"{t}.csv" for t in TABLES)]
    )
    for table in TABLES:
        pdt.assert_frame_equal(
            pd.read_parquet(parts / table).reset_index(drop=True), to_frames(docs)[table]
        )
        pdt.assert_frame_equal(read_table(tmp_path, table), to_frames(docs)[table])


def test_write_partition_needs_partitions(tmp_path: Path) -> None:
    with pytest.raises(ConfigError), TableWriter(tmp_path) as writer:
        writer.write_partition([one_document()])


def test_table_writer_rejects_unknown_tables_and_formats(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown table"):
        TableWriter(tmp_path, tables=["nope"])
    with pytest.raises(ConfigError, match="unknown output format"):
        TableWriter(tmp_path, formats=("xls",))


def test_table_writer_cleans_up_when_it_cannot_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(pq, "ParquetWriter", refuse)
    with pytest.raises(OSError, match="read-only"), TableWriter(tmp_path, formats=ALL_FORMATS):
        pass
    assert list(tmp_path.iterdir()) == []


def test_commit_failure_removes_temp_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object) -> None:
        raise OSError("disk full")

    with TableWriter(tmp_path, formats=("jsonl",)) as writer:
        writer.write([one_document()])
        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(OSError, match="disk full"):
            writer.__exit__(None, None, None)
    assert list(tmp_path.iterdir()) == []


def test_extra_columns_come_after_the_contract_in_every_format(tmp_path: Path) -> None:
    docs = many_documents(3)
    extra = {"stances": ("review", "note")}
    frames = to_frames(docs)
    stances = frames["stances"].assign(review="wrong", note="=1+1")
    with TableWriter(tmp_path, formats=ALL_FORMATS, extra_columns=extra) as writer:
        writer.write_frames({"stances": stances, "quotes": frames["quotes"]})
        writer.write(docs[1:2])  # rows without the extra columns get ""
    expected = [*columns("stances"), "review", "note"]
    csv_frame = pd.read_csv(tmp_path / "stances.csv", keep_default_na=False)
    assert list(csv_frame.columns) == expected
    assert csv_frame["note"].tolist() == ["'=1+1"] * len(stances) + [""] * len(docs[1].stances)
    parquet = pd.read_parquet(tmp_path / "stances.parquet")
    assert list(parquet.columns) == expected and parquet["review"].iloc[0] == "wrong"
    first = json.loads((tmp_path / "stances.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == expected and first["note"] == "=1+1"
    # Readers of the contract see the contract's columns only.
    assert list(read_table(tmp_path, "stances").columns) == columns("stances")
    assert list(pd.read_csv(tmp_path / "quotes.csv").columns) == columns("quotes")


def test_atomic_path_replaces_on_success_and_leaves_the_old_file_on_failure(
    tmp_path: Path,
) -> None:
    target = tmp_path / "report.html"
    write_text_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer failed")
    assert target.read_text(encoding="utf-8") == "old"
    write_text_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with pytest.raises(ConfigError, match="cannot write"):
        write_text_atomic(tmp_path / "missing" / "x.html", "x")
