"""Inputs: expanding the user's INPUT arguments into ``Input`` specs, and loading one.

An INPUT is a file, a directory (walked for supported files), an http(s) URL,
``-`` (read more INPUTs from a text stream, one per line), or a research
collection whose records are inputs in their own right: JSONL or CSV with a
text or HTML column, and WARC archives (one input per HTML response record
with status 200). Expansion is lazy (an archive of a million records is read
one record at a time) and never drops what the user named explicitly: a
missing path or a file of an unsupported type is still yielded, so loading it
produces an error row the reviewer can see; a bad record is yielded as an
``Input`` carrying its problem, which loading raises.

``load_input`` lives here, not in ``load``, because it needs both ``load`` and
``fetch`` and ``fetch`` already imports ``load``.
"""

from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import logging
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal, TextIO, cast

import httpx

from extractor.config import Settings
from extractor.errors import InputError
from extractor.fetch import fetch_url
from extractor.load import RawDocument, load_path, looks_binary, media_type_for

InputKind = Literal["file", "url", "record"]
STDIN = "-"

#: Suffixes of collections expanded into one input per record (each optionally ``.gz``).
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
WARC_SUFFIXES = (".warc",)
_HTML_TYPES = ("text/html", "application/xhtml+xml")

log = logging.getLogger("extractor")


@dataclass(frozen=True, slots=True)
class Input:
    """One document to load: ``source`` exactly as the user gave it, and how to load it.

    A ``record`` (a JSONL line, CSV row or WARC response) carries its content in
    ``raw``, or, if the record is unusable, the reason and message of the error
    that loading it raises (``problem``).
    """

    source: str
    kind: InputKind
    raw: RawDocument | None = None
    problem: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class RecordColumns:
    """Column (JSON key) names read from JSONL and CSV records.

    A record's HTML column is used when it is a non-empty string, else its text
    column. Its id column, when present and non-empty, is its ``source``;
    otherwise the source is ``file.jsonl#L<line>`` or ``file.csv#R<row>``.
    """

    text: str = "text"
    html: str = "html"
    id: str = "id"
    url: str = "url"


def iter_inputs(
    args: Iterable[str],
    *,
    stdin: TextIO | None = None,
    columns: RecordColumns | None = None,
    settings: Settings | None = None,
    skipped: collections.Counter[str] | None = None,
) -> Iterator[Input]:
    """Expand ``args`` lazily into ``Input``s, in the order given.

    ``-`` reads INPUTs from ``stdin`` (``sys.stdin`` when None), one per line;
    blank lines and lines starting with ``#`` are ignored. A directory yields
    its supported files (``.html``, ``.htm``, ``.txt``, ``.warc``, each
    optionally ``.gz``) recursively in sorted order, skipping hidden files and
    directories. A ``.jsonl``/``.ndjson``/``.csv``/``.warc`` file (optionally
    ``.gz``) yields one input per record, read with ``columns``; a WARC
    record that is not an HTML response with status 200 is not an article and
    is counted in ``skipped`` (by kind) instead. Anything else is yielded as
    given. ``settings.max_bytes`` bounds a record's size.
    """
    reader = _Reader(columns or RecordColumns(), settings or Settings(), skipped)
    for arg in args:
        if arg == STDIN:
            yield from reader.stream(sys.stdin if stdin is None else stdin)
        else:
            yield from reader.expand(arg)


def collection_kind(path: str) -> Literal["jsonl", "csv", "warc"] | None:
    """Which record collection ``path`` names by its suffix, or None for a single document."""
    name = path.lower().removesuffix(".gz")
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    return None


class _Reader:
    """Expansion state shared by every argument of one ``iter_inputs`` call."""

    def __init__(
        self,
        columns: RecordColumns,
        settings: Settings,
        skipped: collections.Counter[str] | None,
    ) -> None:
        self.columns = columns
        self.settings = settings
        self.skipped = skipped if skipped is not None else collections.Counter()

    def stream(self, stream: TextIO) -> Iterator[Input]:
        for line in stream:
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            # A "-" inside the list is not read again; it is a (missing) path.
            if entry == STDIN:
                yield Input(entry, "file")
            else:
                yield from self.expand(entry)

    def expand(self, arg: str) -> Iterator[Input]:
        if _is_url(arg):
            yield Input(arg, "url")
        elif os.path.isdir(arg):
            yield from self.walk(arg)
        elif os.path.isfile(arg) and (kind := collection_kind(arg)) is not None:
            if kind == "jsonl":
                yield from _records_jsonl(arg, self.columns, self.settings)
            elif kind == "csv":
                yield from _records_csv(arg, self.columns, self.settings)
            else:
                yield from _records_warc(arg, self.settings, self.skipped)
        else:
            yield Input(arg, "file")

    def walk(self, directory: str) -> Iterator[Input]:
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            # Unreadable directory: yield it so loading reports "unreadable".
            yield Input(directory, "file")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(directory, entry.name)
            # Symlinked directories are not followed: they can form cycles.
            if entry.is_dir(follow_symlinks=False):
                yield from self.walk(path)
            elif entry.is_file():
                if media_type_for(entry.name) is not None:
                    yield Input(path, "file")
                # JSONL and CSV in a directory may be anything (an earlier run's
                # tables, say); they are read only when named explicitly.
                elif collection_kind(entry.name) == "warc":
                    yield from _records_warc(path, self.settings, self.skipped)


def _is_url(arg: str) -> bool:
    # Any "scheme://" goes to the fetcher, which names an unsupported scheme
    # (ftp://, file://) in its error instead of reporting a missing file.
    scheme, sep, _ = arg.partition("://")
    return bool(sep) and scheme.isascii() and scheme.isalpha() and len(scheme) > 1


def _bad(source: str, reason: str, message: str) -> Input:
    return Input(source, "record", problem=(reason, message))


def _open_binary(path: str) -> IO[bytes]:
    if path.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")


# Errors reading a whole collection file: I/O, a corrupt or truncated gzip.
_FILE_ERRORS = (OSError, EOFError, zlib.error)


def _record_input(
    record: dict[str, Any], *, fallback: str, columns: RecordColumns, settings: Settings
) -> Input:
    """The ``Input`` of one JSONL object or CSV row (``fallback`` names it without an id)."""
    ident = record.get(columns.id)
    source = ident.strip() if isinstance(ident, str) and ident.strip() else fallback
    if isinstance(ident, int | float) and not isinstance(ident, bool):
        source = str(ident)
    url = record.get(columns.url)
    url = url if isinstance(url, str) else ""
    for column, media_type in ((columns.html, "text/html"), (columns.text, "text/plain")):
        value = record.get(column)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            return _bad(source, "invalid_record", f"{fallback}: column {column!r} is not a string")
        try:
            content = value.encode("utf-8")
        except UnicodeEncodeError:
            # A CSV byte that is not UTF-8, or a JSON "\ud800" escape.
            return _bad(source, "encoding", f"{fallback}: column {column!r} is not valid UTF-8")
        if len(content) > settings.max_bytes:
            return _bad(
                source, "too_large", f"{fallback} is larger than max_bytes={settings.max_bytes}"
            )
        raw = RawDocument(source, content, media_type, charset="utf-8", url=url)
        return Input(source, "record", raw=raw)
    present = [c for c in (columns.html, columns.text) if c in record]
    if present:
        return _bad(source, "empty", f"{fallback}: column {present[0]!r} is empty")
    return _bad(
        source,
        "missing_column",
        f"{fallback}: no {columns.html!r} or {columns.text!r} column "
        f"(has {', '.join(map(repr, record)) or 'none'}); see --html-column/--text-column",
    )


def _records_jsonl(path: str, columns: RecordColumns, settings: Settings) -> Iterator[Input]:
    number = 0
    try:
        with _open_binary(path) as fh:
            for number, line in enumerate(fh, start=1):
                where = f"{path}#L{number}"
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except UnicodeDecodeError:
                    yield _bad(where, "encoding", f"{path}: line {number} is not UTF-8")
                    continue
                except json.JSONDecodeError as exc:
                    yield _bad(where, "invalid_json", f"{path}: line {number}: {exc.msg}")
                    continue
                if not isinstance(record, dict):
                    yield _bad(
                        where, "invalid_record", f"{path}: line {number} is not a JSON object"
                    )
                    continue
                yield _record_input(record, fallback=where, columns=columns, settings=settings)
    except _FILE_ERRORS as exc:
        yield _unreadable_collection(path, after=f"line {number}", exc=exc)


def _records_csv(path: str, columns: RecordColumns, settings: Settings) -> Iterator[Input]:
    # Article HTML easily exceeds the csv module's default 128 KB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), settings.max_bytes))
    number = 0
    try:
        with (
            _open_binary(path) as raw,
            # utf-8-sig: spreadsheets write a BOM. Bad bytes become lone surrogates,
            # so the row holding them is reported, not the whole decoded block.
            io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="") as fh,
        ):
            for number, row in enumerate(csv.DictReader(fh), start=1):
                if None in row:
                    yield _bad(
                        f"{path}#R{number}",
                        "invalid_record",
                        f"{path}: row {number} has more cells than the header",
                    )
                    continue
                record = {key: value for key, value in row.items() if value is not None}
                yield _record_input(
                    record, fallback=f"{path}#R{number}", columns=columns, settings=settings
                )
    except (*_FILE_ERRORS, csv.Error) as exc:
        yield _unreadable_collection(path, after=f"row {number}", exc=exc)


def _unreadable_collection(path: str, *, after: str, exc: BaseException) -> Input:
    # The reader cannot resume after a damaged stretch; the error row says where it stopped.
    reason = (
        "bad_gzip" if isinstance(exc, EOFError | zlib.error | gzip.BadGzipFile) else "unreadable"
    )
    if isinstance(exc, csv.Error):
        reason = "invalid_record"
    return _bad(path, reason, f"{path}: stopped reading after {after}: {exc}")


def _records_warc(
    path: str, settings: Settings, skipped: collections.Counter[str]
) -> Iterator[Input]:
    # warcio (Webrecorder): WARC and ARC, gzip per record or not, chunked and
    # compressed HTTP bodies decoded by content_stream().
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    found = 0
    local: collections.Counter[str] = collections.Counter()
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                kind = _warc_skip_kind(record)
                if kind:
                    local[kind] += 1
                    continue
                found += 1
                yield _warc_input(path, record, settings)
    except (ArchiveLoadFailed, *_FILE_ERRORS, ValueError) as exc:
        yield _bad(path, "bad_warc", f"{path}: stopped reading after {found} articles: {exc}")
    finally:
        skipped.update(local)
        if local:
            log.info(
                "%s: %d HTML responses; skipped %s",
                path,
                found,
                ", ".join(f"{n} {kind}" for kind, n in sorted(local.items())),
            )


def _warc_skip_kind(record: Any) -> str:
    """Why a WARC record is not an article ("" if it is one)."""
    if record.rec_type != "response":
        return f"WARC {record.rec_type} records"
    http = record.http_headers
    if http is None:
        return "non-HTTP responses"
    status = http.get_statuscode()
    if status != "200":
        return f"HTTP {status} responses"
    media_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        return f"non-HTML responses ({media_type or 'no content type'})"
    return ""


def _warc_input(path: str, record: Any, settings: Settings) -> Input:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    ident = headers.get_header("WARC-Record-ID") or f"offset {record.stream.tell()}"
    source = f"{path}#{ident}"
    content = record.content_stream().read(settings.max_bytes + 1)
    if len(content) > settings.max_bytes:
        return _bad(
            source, "too_large", f"{url or source} is larger than max_bytes={settings.max_bytes}"
        )
    charset = None
    for param in (record.http_headers.get_header("Content-Type") or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    raw = RawDocument(source, content, "text/html", charset=charset, url=url)
    return Input(source, "record", raw=raw)


def load_input(
    item: Input, *, settings: Settings, client: httpx.Client | None = None
) -> RawDocument:
    """The bytes of ``item``: fetched for a URL, read from disk for a file, carried by a record.

    Raises the ``ExtractorError`` of ``fetch_url`` or ``load_path``, or the
    ``InputError`` of a bad record (its reason: ``invalid_json``,
    ``missing_column``, ``empty``, ``binary``...).
    """
    if item.kind == "url":
        return fetch_url(item.source, settings=settings, client=client)
    if item.kind == "record":
        return _load_record(item, settings=settings)
    return load_path(item.source, settings=settings)


def _load_record(item: Input, *, settings: Settings) -> RawDocument:
    if item.problem is not None:
        reason, message = item.problem
        raise InputError(message, reason=reason)
    if item.raw is None:
        raise InputError(f"{item.source}: record without content", reason="empty")
    content = item.raw.content
    if len(content) > settings.max_bytes:
        raise InputError(
            f"{item.source} is larger than max_bytes={settings.max_bytes}", reason="too_large"
        )
    if not content.strip():
        raise InputError(f"{item.source} is empty", reason="empty")
    if looks_binary(content):
        raise InputError(f"{item.source} holds binary data, not text", reason="binary")
    return item.raw
