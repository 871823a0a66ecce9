"""Export: row tables as pandas frames, written atomically as CSV, JSONL or Parquet.

Only CSV cells are rewritten on the way out: a string that a spreadsheet would
run as a formula gets a leading apostrophe (OWASP "CSV injection" advice).
JSONL and Parquet carry the raw values, and ``read_table`` undoes the CSV
rewrite, so every format reads back to the same frame.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import secrets
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extractor.errors import ConfigError, InputError
from extractor.rows import TABLES, DocumentRows, columns

__all__ = [
    "FORMULA_TRIGGERS",
    "dtypes",
    "read_table",
    "to_frames",
    "write_tables",
]

#: First characters that make Excel, LibreOffice or Sheets treat a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
# Read order: Parquet keeps dtypes exactly, JSONL keeps strings exactly, CSV is last.
_READ_ORDER = ("parquet", "jsonl", "csv")

# A written cell was neutralised iff it is apostrophes followed by a trigger. A raw
# value that already looks like that ("'=x") gets one more apostrophe on the way out,
# so stripping exactly one on the way back is lossless; any other cell is untouched.
_TRIGGER_CLASS = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
_RAW_NEEDS_GUARD = re.compile(f"'*{_TRIGGER_CLASS}")
_WRITTEN_GUARDED = re.compile(f"'+{_TRIGGER_CLASS}")


def dtypes(table: str) -> dict[str, str]:
    """Pandas dtype of each column of ``table``: ``int64``, ``float64`` or ``str``."""
    hints = typing.get_type_hints(TABLES[table])
    result: dict[str, str] = {}
    for name in columns(table):
        hint = hints[name]
        # Literal[...] aliases (Status, Stance...) hold strings, so they fall to "str".
        if hint is int:
            result[name] = "int64"
        elif hint is float:
            result[name] = "float64"
        else:
            result[name] = "str"
    return result


def _conform(frame: pd.DataFrame, table: str, *, where: object = None) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns, in order, with the schema's dtypes."""
    names = columns(table)
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputError(f"{where or table}: lacks column(s) {', '.join(missing)}")
    frame = frame.loc[:, names].copy()
    for name, dtype in dtypes(table).items():
        if dtype == "str":
            # Missing text is "" everywhere in this project, never NaN.
            # Via object: an all-missing column arrives as float64, which refuses "".
            frame[name] = frame[name].astype(object).fillna("").astype(str)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame.reset_index(drop=True)


def to_frames(docs: Iterable[DocumentRows]) -> dict[str, pd.DataFrame]:
    """One frame per table in ``rows.TABLES``, every column present even when empty."""
    records: dict[str, list[list[Any]]] = {table: [] for table in TABLES}
    for rows in docs:
        for table, table_rows in rows.tables().items():
            names = columns(table)
            records[table].extend([getattr(row, name) for name in names] for row in table_rows)
    return {
        table: _conform(pd.DataFrame(data, columns=columns(table)), table)
        for table, data in records.items()
    }


def _neutralise(value: str) -> str:
    return "'" + value if _RAW_NEEDS_GUARD.match(value) else value


def _restore(value: str) -> str:
    return value[1:] if _WRITTEN_GUARDED.match(value) else value


def _map_text_columns(frame: pd.DataFrame, table: str, func: Callable[[str], str]) -> pd.DataFrame:
    frame = frame.copy()
    for name, dtype in dtypes(table).items():
        if dtype == "str":
            frame[name] = frame[name].map(func).astype(str)
    return frame


@contextmanager
def _atomic_path(target: Path) -> Iterator[Path]:
    """A fresh path beside ``target`` that replaces it only if the block succeeds."""
    # Same directory, so os.replace is a rename on one file system and readers see
    # either the old file or the new one, never half of it.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _atomic_text(target: Path, *, encoding: str) -> Iterator[IO[str]]:
    # "x": never clobber; newline="": the csv module writes its own line ends.
    with _atomic_path(target) as tmp, tmp.open("x", encoding=encoding, newline="") as fh:
        yield fh
        # On disk before the rename, so a crash cannot leave a renamed empty file.
        fh.flush()
        os.fsync(fh.fileno())


def _json_value(value: Any) -> Any:
    # JSON has no NaN; a missing float is null.
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _write_csv(frame: pd.DataFrame, table: str, target: Path, *, excel: bool) -> None:
    safe = _map_text_columns(frame, table, _neutralise)
    # utf-8-sig puts a BOM first, which is how Excel recognises UTF-8 CSV.
    with _atomic_text(target, encoding="utf-8-sig" if excel else "utf-8") as fh:
        # QUOTE_MINIMAL quotes a cell holding the delimiter, a quote or a character of
        # the line terminator. With a bare "\n" terminator a lone "\r" in a cell went
        # unquoted and split the row on reading; RFC 4180's "\r\n" covers both.
        safe.to_csv(fh, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")


def _write_jsonl(frame: pd.DataFrame, target: Path) -> None:
    with _atomic_text(target, encoding="utf-8") as fh:
        for record in frame.to_dict(orient="records"):
            clean = {str(key): _json_value(value) for key, value in record.items()}
            fh.write(json.dumps(clean, ensure_ascii=False, allow_nan=False))
            fh.write("\n")


def _arrow_schema(table: str) -> pa.Schema:
    kinds = {"int64": pa.int64(), "float64": pa.float64(), "str": pa.string()}
    return pa.schema([(name, kinds[dtype]) for name, dtype in dtypes(table).items()])


def _write_parquet(frame: pd.DataFrame, table: str, target: Path) -> None:
    arrow = pa.Table.from_pandas(frame, schema=_arrow_schema(table), preserve_index=False)
    with _atomic_path(target) as tmp:
        pq.write_table(arrow, tmp)


def write_tables(
    frames: dict[str, pd.DataFrame],
    out_dir: Path,
    *,
    formats: Sequence[str] = ("csv",),
    excel: bool = False,
) -> list[Path]:
    """Write every frame as ``<table>.<format>`` under ``out_dir``; return the paths.

    Tables are written in ``rows.TABLES`` order; a frame whose name is not a
    known table is a ``ConfigError`` (its schema would be unknown). A file of
    the same table in a format not written now is removed: it would be left
    from an earlier run, and ``read_table`` (which prefers Parquet) would read
    the stale rows.
    """
    unknown_formats = [fmt for fmt in formats if fmt not in _SUFFIXES]
    if unknown_formats:
        raise ConfigError(
            f"unknown output format {unknown_formats[0]!r}; choose from {', '.join(_SUFFIXES)}"
        )
    unknown_tables = [table for table in frames if table not in TABLES]
    if unknown_tables:
        raise ConfigError(f"unknown table {unknown_tables[0]!r}; known: {', '.join(TABLES)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in TABLES:
        if table not in frames:
            continue
        frame = _conform(frames[table], table)
        for fmt in dict.fromkeys(formats):
            target = out_dir / f"{table}{_SUFFIXES[fmt]}"
            if fmt == "csv":
                _write_csv(frame, table, target, excel=excel)
            elif fmt == "jsonl":
                _write_jsonl(frame, target)
            else:
                _write_parquet(frame, table, target)
            written.append(target)
        for fmt, suffix in _SUFFIXES.items():
            if fmt not in formats:
                (out_dir / f"{table}{suffix}").unlink(missing_ok=True)
    return written


def _read_jsonl(path: Path, table: str) -> pd.DataFrame:
    names = columns(table)
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise InputError(f"{path}:{number}: expected a JSON object")
            missing = [name for name in names if name not in record]
            if missing:
                raise InputError(f"{path}:{number}: lacks key(s) {', '.join(missing)}")
            records.append(record)
    return pd.DataFrame.from_records(records, columns=names)


def _read_csv(path: Path, table: str) -> pd.DataFrame:
    types = dtypes(table)
    # utf-8-sig drops a BOM if the file has one and is plain UTF-8 otherwise.
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype={name: (str if dtype == "str" else dtype) for name, dtype in types.items()},
        keep_default_na=False,
    )
    return _map_text_columns(_conform(frame, table, where=path), table, _restore)


def read_table(path_dir: Path, table: str) -> pd.DataFrame:
    """Read ``table`` from ``path_dir``, preferring Parquet, then JSONL, then CSV."""
    if table not in TABLES:
        raise ConfigError(f"unknown table {table!r}; known: {', '.join(TABLES)}")
    for fmt in _READ_ORDER:
        path = path_dir / f"{table}{_SUFFIXES[fmt]}"
        if not path.is_file():
            continue
        try:
            if fmt == "parquet":
                frame = pd.read_parquet(path)
            elif fmt == "jsonl":
                frame = _read_jsonl(path, table)
            else:
                frame = _read_csv(path, table)
            return _conform(frame, table, where=path)
        # Bad cells (text in an int column) and damaged files are the input's fault.
        except (ValueError, TypeError, OSError, pa.ArrowException) as exc:
            raise InputError(f"{path}: unreadable {fmt} ({exc})") from exc
    tried = ", ".join(f"{table}{_SUFFIXES[fmt]}" for fmt in _READ_ORDER)
    raise InputError(f"no {table} table in {path_dir} (looked for {tried})", reason="missing")
