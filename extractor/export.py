"""Export: row tables as pandas frames, written atomically as CSV, JSONL or Parquet.

``TableWriter`` streams: rows are appended batch by batch to temporary files
(Parquet as one row group per batch, through ``pyarrow.parquet.ParquetWriter``)
that replace the tables only when the run completes, so memory does not grow
with the number of documents and a crash never leaves half a table.

Only CSV cells are rewritten on the way out: a string that a spreadsheet would
run as a formula gets a leading apostrophe (OWASP "CSV injection" advice).
JSONL and Parquet carry the raw values, and ``read_table`` undoes the CSV
rewrite, so every format reads back to the same frame.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import re
import secrets
import shutil
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extractor.errors import ConfigError, InputError
from extractor.rows import TABLES, DocumentRows, columns

__all__ = [
    "FORMULA_TRIGGERS",
    "TableWriter",
    "atomic_path",
    "csv_restore",
    "csv_safe",
    "dtypes",
    "read_table",
    "temp_beside",
    "to_frames",
    "write_tables",
    "write_text_atomic",
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


def _types(table: str, extra: Sequence[str] = ()) -> dict[str, str]:
    """``dtypes(table)`` and the ``extra`` text columns written after the contract's."""
    return {**dtypes(table), **dict.fromkeys(extra, "str")}


def _conform(
    frame: pd.DataFrame, table: str, *, where: object = None, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns (then ``extra``), in order, with their dtypes."""
    types = _types(table, extra)
    names = list(types)
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise InputError(f"{where or table}: lacks column(s) {', '.join(missing)}")
    frame = frame.loc[:, names].copy()
    for name, dtype in types.items():
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


def csv_safe(value: str) -> str:
    """``value`` as written to a CSV cell: a leading ``'`` when a spreadsheet would run it."""
    return "'" + value if _RAW_NEEDS_GUARD.match(value) else value


def csv_restore(value: str) -> str:
    """The value ``csv_safe`` was given: one guarding ``'`` less (a cell a spreadsheet saved
    without its guard is returned as it is)."""
    return value[1:] if _WRITTEN_GUARDED.match(value) else value


def _map_text_columns(
    frame: pd.DataFrame, table: str, func: Callable[[str], str], *, extra: Sequence[str] = ()
) -> pd.DataFrame:
    frame = frame.copy()
    for name, dtype in _types(table, extra).items():
        if dtype == "str":
            frame[name] = frame[name].map(func).astype(str)
    return frame


def temp_beside(target: Path) -> Path:
    """A temporary path next to ``target``, for an atomic ``os.replace`` onto it."""
    # Same directory, so os.replace is a rename on one file system and readers see
    # either the old file or the new one, never half of it.
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s new content to; on success it is synced to
    disk and renamed onto ``target``, so readers see the old file or the new one, never half
    of it (and a crash never leaves a renamed empty file). On failure ``target`` is left as it
    was and no temporary file stays behind."""
    tmp = temp_beside(target)
    try:
        yield tmp
        with tmp.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: Path, content: str) -> None:
    """Write ``content`` (UTF-8) to ``target`` through ``atomic_path``; an OS failure is a
    ``ConfigError``."""
    try:
        with atomic_path(target) as tmp, tmp.open("x", encoding="utf-8", newline="") as fh:
            fh.write(content)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc}") from exc


def _json_value(value: Any) -> Any:
    # JSON has no NaN; a missing float is null.
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _jsonl_lines(frame: pd.DataFrame) -> str:
    lines = []
    for record in frame.to_dict(orient="records"):
        clean = {str(key): _json_value(value) for key, value in record.items()}
        lines.append(json.dumps(clean, ensure_ascii=False, allow_nan=False))
        lines.append("\n")
    return "".join(lines)


def _arrow_schema(table: str, extra: Sequence[str] = ()) -> pa.Schema:
    kinds = {"int64": pa.int64(), "float64": pa.float64(), "str": pa.string()}
    return pa.schema([(name, kinds[dtype]) for name, dtype in _types(table, extra).items()])


def _check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    unknown_formats = [fmt for fmt in formats if fmt not in _SUFFIXES]
    if unknown_formats:
        raise ConfigError(
            f"unknown output format {unknown_formats[0]!r}; choose from {', '.join(_SUFFIXES)}"
        )
    return tuple(dict.fromkeys(formats))


class _TableFile:
    """One table in one format, appended to a temporary file until ``commit``."""

    def __init__(
        self, target: Path, table: str, fmt: str, *, excel: bool, extra: Sequence[str] = ()
    ) -> None:
        self.target, self.table, self.fmt = target, table, fmt
        self.extra = tuple(extra)
        self.tmp = temp_beside(target)
        self.text: IO[str] | None = None
        self.parquet: pq.ParquetWriter | None = None
        self.rows = 0
        if fmt == "parquet":
            self.schema = _arrow_schema(table, self.extra)
            self.parquet = pq.ParquetWriter(self.tmp, self.schema)
        else:
            # utf-8-sig puts a BOM first, which is how Excel recognises UTF-8 CSV.
            # "x": never clobber; newline="": the csv module writes its own line ends.
            encoding = "utf-8-sig" if excel and fmt == "csv" else "utf-8"
            self.text = self.tmp.open("x", encoding=encoding, newline="")
            if fmt == "csv":
                # The header even when no row follows.
                self._write_csv(pd.DataFrame(columns=list(_types(table, self.extra))), header=True)

    def conform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with this file's columns; extra columns it lacks are empty."""
        lacking = {name: "" for name in self.extra if name not in frame.columns}
        return _conform(frame.assign(**lacking), self.table, extra=self.extra)

    def append(self, frame: pd.DataFrame) -> None:
        """Append ``frame`` (already conformed by ``conform``)."""
        if frame.empty:
            return
        if self.parquet is not None:
            arrow = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
            # One row group per batch: readers can skip through a large file.
            self.parquet.write_table(arrow)
        elif self.fmt == "csv":
            self._write_csv(
                _map_text_columns(frame, self.table, csv_safe, extra=self.extra), header=False
            )
        elif self.text is not None:
            self.text.write(_jsonl_lines(frame))
        self.rows += len(frame)

    def _write_csv(self, frame: pd.DataFrame, *, header: bool) -> None:
        # QUOTE_MINIMAL quotes a cell holding the delimiter, a quote or a character of
        # the line terminator. With a bare "\n" terminator a lone "\r" in a cell went
        # unquoted and split the row on reading; RFC 4180's "\r\n" covers both.
        frame.to_csv(
            self.text, index=False, header=header, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )

    def commit(self) -> None:
        if self.parquet is not None:
            if self.rows == 0:
                # ParquetWriter writes no row group at all; one empty table keeps the schema.
                self.parquet.write_table(self.schema.empty_table())
            self.parquet.close()
        elif self.text is not None:
            # On disk before the rename, so a crash cannot leave a renamed empty file.
            self.text.flush()
            os.fsync(self.text.fileno())
            self.text.close()
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        elif self.text is not None:
            self.text.close()
        self.tmp.unlink(missing_ok=True)


class TableWriter:
    """Streams row tables to ``out_dir`` as ``<table>.<format>``; use as a context manager.

    ``write`` buffers documents and appends them ``flush_every`` at a time, so
    memory stays flat however many documents pass through. Leaving the block
    normally renames every table into place (``paths`` lists them) and removes
    a file of the same table in a format not written now (``read_table`` would
    read its stale rows); leaving by an exception removes the temporary files
    and keeps the previous tables.

    With ``partitions=True``, ``write_partition`` also writes each batch as
    ``partitions/<table>/part-NNNNN.parquet`` (the Dask engine's output): a
    directory ``pandas.read_parquet`` and ``pyarrow.dataset`` read as one table,
    replacing the previous run's ``partitions/`` at the end.

    ``extra_columns`` names text columns written after a table's contract
    columns (the store export's review columns); rows that lack them get "".
    """

    def __init__(
        self,
        out_dir: Path,
        *,
        formats: Sequence[str] = ("csv",),
        excel: bool = False,
        tables: Iterable[str] = TABLES,
        flush_every: int = 256,
        partitions: bool = False,
        extra_columns: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.out_dir = out_dir
        self.extra_columns = dict(extra_columns or {})
        self.formats = _check_formats(formats)
        self.tables = list(tables)
        unknown_tables = [table for table in self.tables if table not in TABLES]
        if unknown_tables:
            raise ConfigError(f"unknown table {unknown_tables[0]!r}; known: {', '.join(TABLES)}")
        self.excel = excel
        self.flush_every = flush_every
        self.partitions = partitions
        self.paths: list[Path] = []
        self.documents = 0
        self._buffer: list[DocumentRows] = []
        self._files: list[_TableFile] = []
        self._parts_tmp: Path | None = None
        self._part_index = 0

    def __enter__(self) -> TableWriter:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        try:
            for table in self.tables:
                for fmt in self.formats:
                    target = self.out_dir / f"{table}{_SUFFIXES[fmt]}"
                    self._files.append(
                        _TableFile(
                            target,
                            table,
                            fmt,
                            excel=self.excel,
                            extra=self.extra_columns.get(table, ()),
                        )
                    )
            if self.partitions:
                self._parts_tmp = self.out_dir / f".partitions.{secrets.token_hex(6)}.tmp"
                self._parts_tmp.mkdir()
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._abort()
            return
        try:
            self.flush()
            self._commit()
        except BaseException:
            self._abort()
            raise

    def write(self, docs: Iterable[DocumentRows]) -> None:
        """Add ``docs`` to the tables, in order."""
        for rows in docs:
            self._buffer.append(rows)
            self.documents += 1
            if len(self._buffer) >= self.flush_every:
                self.flush()

    def write_partition(self, docs: Sequence[DocumentRows]) -> None:
        """Add ``docs`` to the tables and write them as the next Parquet partition."""
        if self._parts_tmp is None:
            raise ConfigError("write_partition needs TableWriter(partitions=True)")
        frames = to_frames(docs)
        for table in self.tables:
            directory = self._parts_tmp / table
            directory.mkdir(exist_ok=True)
            arrow = pa.Table.from_pandas(
                frames[table], schema=_arrow_schema(table), preserve_index=False
            )
            pq.write_table(arrow, directory / f"part-{self._part_index:05d}.parquet")
        self._part_index += 1
        self.write(docs)

    def write_frames(self, frames: dict[str, pd.DataFrame]) -> None:
        """Append whole frames (one per table; each conformed to its schema)."""
        self.flush()
        for file in self._files:
            if file.table in frames:
                file.append(file.conform(frames[file.table]))

    def flush(self) -> None:
        """Append the buffered documents to the temporary files."""
        if not self._buffer:
            return
        frames = to_frames(self._buffer)
        self._buffer.clear()
        for file in self._files:
            # to_frames conformed them to the contract; only extra columns need adding.
            frame = frames[file.table]
            file.append(file.conform(frame) if file.extra else frame)

    def _commit(self) -> None:
        for file in self._files:
            file.commit()
            self.paths.append(file.target)
        for table in self.tables:
            for fmt, suffix in _SUFFIXES.items():
                if fmt not in self.formats:
                    (self.out_dir / f"{table}{suffix}").unlink(missing_ok=True)
        if self._parts_tmp is not None:
            final = self.out_dir / "partitions"
            if final.exists():
                # Moved aside first, so the old partitions are gone only once the new are in.
                old = self.out_dir / f".partitions.{secrets.token_hex(6)}.old"
                final.rename(old)
                self._parts_tmp.rename(final)
                shutil.rmtree(old)
            else:
                self._parts_tmp.rename(final)
            self._parts_tmp = None
        self._files.clear()

    def _abort(self) -> None:
        for file in self._files:
            file.abort()
        self._files.clear()
        if self._parts_tmp is not None:
            shutil.rmtree(self._parts_tmp, ignore_errors=True)
            self._parts_tmp = None


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
    the stale rows. For more rows than fit in memory, use ``TableWriter``.
    """
    _check_formats(formats)
    unknown_tables = [table for table in frames if table not in TABLES]
    if unknown_tables:
        raise ConfigError(f"unknown table {unknown_tables[0]!r}; known: {', '.join(TABLES)}")
    tables = [table for table in TABLES if table in frames]
    with TableWriter(out_dir, formats=formats, excel=excel, tables=tables) as writer:
        writer.write_frames(frames)
    return writer.paths


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
    return _map_text_columns(_conform(frame, table, where=path), table, csv_restore)


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
