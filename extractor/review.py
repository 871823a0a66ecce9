"""Human review of findings: stable finding ids, the review sheet, imported decisions, and the
reviewed view of the store's rows.

A *finding* is one row of ``agencies``, ``officials``, ``quotes`` or ``stances``. Its id
(``finding_id``) hashes the table, the article's ``doc_id`` and the finding's natural key
(``KEY_FIELDS``: the agency, the official's name, the quote's text, whitespace
normalised), never the row's position: a re-extraction deletes and re-inserts an
article's rows, and the same finding gets the same id again.

Each table has one reviewed field (``MAIN_FIELDS``: a stance's ``stance``, an agency's
name, an official's ``title``, a quote's ``speaker``). A decision (``store.Review``) is
a verdict (``correct`` pins the extracted value, ``wrong`` with no correction says the
finding is spurious, ``unsure``) and a ``corrected_value``: a new value of the reviewed
field, or ``column: value`` for another text column of the table, several such joined
by ``;``. Decisions live in the store's ``reviews`` table, which extraction never
touches; ``reviewed_rows`` lays them over the current rows, so every export shows the
human's values.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import operator
import re
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from extractor.context import in_context, sentence_naming
from extractor.errors import ConfigError, InputError
from extractor.export import atomic_path, csv_restore, csv_safe
from extractor.rows import TABLES, ArticleRow, columns
from extractor.store import CHILD_TABLES, Review, Store, now

__all__ = [
    "KEY_FIELDS",
    "MAIN_FIELDS",
    "REVIEW_COLUMNS",
    "SHEET_COLUMNS",
    "VERDICTS",
    "ImportSummary",
    "ReviewedRow",
    "SheetLine",
    "SheetSummary",
    "export_sheet",
    "finding_id",
    "format_correction",
    "import_sheet",
    "parse_correction",
    "read_sheet",
    "reviewed_rows",
]

#: The natural key of a finding in each reviewed table (with ``doc_id``, its identity).
KEY_FIELDS: dict[str, str] = {
    "agencies": "agency",
    "officials": "name",
    "quotes": "quote",
    "stances": "agency",
}
#: The field a reviewer judges in each table; a bare ``corrected_value`` replaces it.
MAIN_FIELDS: dict[str, str] = {
    "agencies": "agency",
    "officials": "title",
    "quotes": "speaker",
    "stances": "stance",
}
VERDICTS: tuple[str, ...] = ("correct", "wrong", "unsure")
#: Columns of the review sheet, in order; the last four are the reviewer's.
SHEET_COLUMNS: tuple[str, ...] = (
    "row_id",
    "table",
    "agency",
    "item",
    "field",
    "value",
    "details",
    "flags",
    "confidence",
    "context",
    "title",
    "published",
    "url",
    "doc_id",
    "verdict",
    "corrected_value",
    "reviewer",
    "note",
)
#: Columns appended to every exported finding table, after the contract's columns.
REVIEW_COLUMNS: tuple[str, ...] = ("review", "extracted_value", "reviewer", "reviewed_at")

_ID_PREFIX = {"agencies": "A", "officials": "O", "quotes": "Q", "stances": "S"}
# The evidence inside its context on the sheet.
_MARKS = ("[[", "]]")
# "column: value" (the column an identifier, so "Sheriff: Jane" is caught, not taken as a title).
_COLUMN_PREFIX = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)", re.DOTALL)
# Every contract column of a row, in order (one C call per row when exporting).
_VALUES = {table: operator.attrgetter(*columns(table)) for table in CHILD_TABLES}
# Sheet order within one article URL: the tables in contract order.
_TABLE_ORDER = {table: index for index, table in enumerate(CHILD_TABLES)}
# Problems listed in one import error; the count says how many more there were.
_MAX_PROBLEMS = 50


def _one_line(text: str) -> str:
    return " ".join(text.split())


def finding_id(table: str, row: Any) -> str:
    """The stable id of a finding: the same on every re-extraction and re-run.

    ``S-`` + 16 hex digits for stances (``A-``, ``O-``, ``Q-`` for the others):
    the letter keeps spreadsheets from reading an id such as ``12e45...`` as a number.
    """
    return _finding_id(table, row.doc_id, getattr(row, KEY_FIELDS[table]))


def _finding_id(table: str, doc_id: str, key: str) -> str:
    text = "\x1f".join((table, doc_id, _one_line(key)))
    return f"{_ID_PREFIX[table]}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}"


# ---------------------------------------------------------------------- corrections


def _editable(table: str) -> tuple[str, ...]:
    """The columns a ``corrected_value`` may set: the table's text columns but ``doc_id``."""
    hints = typing.get_type_hints(TABLES[table])
    return tuple(
        name for name in columns(table) if name != "doc_id" and hints[name] not in (int, float)
    )


def _choices(table: str, column: str) -> tuple[str, ...] | None:
    """The allowed values of a ``Literal`` column (``stance``, ``agency_type``...), else None."""
    hint = typing.get_type_hints(TABLES[table])[column]
    if typing.get_origin(hint) is Literal:
        return tuple(str(value) for value in typing.get_args(hint))
    return None


def parse_correction(table: str, text: str) -> dict[str, str]:
    """``corrected_value`` as ``{column: value}``, the reviewed field first if given.

    ``refuses`` (a bare value) sets the table's ``MAIN_FIELDS`` column; ``agency:
    Dane County Sheriff's Office`` sets that column; several ``column: value``
    parts are joined by ``;`` (a value holding ``;`` must then be given alone).
    A column with a closed vocabulary takes only its values (in any case).
    Raises ``ValueError`` with the reason.
    """
    text = text.strip()
    if not text:
        return {}
    editable = _editable(table)
    parts = text.split(";")

    def prefixed(part: str) -> bool:
        match = _COLUMN_PREFIX.fullmatch(part)
        return match is not None and match.group(1).lower() in editable

    items = parts if len(parts) > 1 and all(prefixed(part) for part in parts) else [text]
    values: dict[str, str] = {}
    for item in items:
        match = _COLUMN_PREFIX.fullmatch(item)
        if match is None:
            column, value = MAIN_FIELDS[table], item
        else:
            column, value = match.group(1).lower(), match.group(2)
            if column not in editable:
                raise ValueError(
                    f"{match.group(1)!r} is not a column of {table} that can be corrected "
                    f"({', '.join(editable)}); to set the {MAIN_FIELDS[table]} to a text with a "
                    f"colon, write '{MAIN_FIELDS[table]}: {text}'"
                )
        value = _one_line(value)
        if column in values:
            raise ValueError(f"{column} is corrected twice")
        choices = _choices(table, column)
        if choices is not None:
            value = value.lower()
            if value not in choices:
                shown = ", ".join(choice or '""' for choice in choices)
                raise ValueError(f"{column} must be one of {shown}, not {value!r}")
        if not value and column == KEY_FIELDS[table]:
            raise ValueError(f"{column} cannot be empty")
        values[column] = value
    main = MAIN_FIELDS[table]
    return dict(sorted(values.items(), key=lambda item: item[0] != main))


def format_correction(table: str, values: Mapping[str, str]) -> str:
    """The text ``parse_correction`` reads back as ``values``: the reviewed field alone is a bare
    value (unless empty or looking like ``column: value`` itself), anything else is
    ``column: value; ...`` (reviewed field first, then column order)."""
    main = MAIN_FIELDS[table]
    if list(values) == [main] and values[main] and not _COLUMN_PREFIX.fullmatch(values[main]):
        return values[main]
    order = {name: index for index, name in enumerate(columns(table))}
    ordered = sorted(values.items(), key=lambda item: (item[0] != main, order[item[0]]))
    return "; ".join(f"{column}: {value}".rstrip() for column, value in ordered)


# ---------------------------------------------------------------------- the reviewed view


@dataclass(frozen=True, slots=True)
class ReviewedRow:
    """A finding as exports show it: the extracted row with the human decision laid over it."""

    table: str
    finding_id: str
    #: The row with the reviewed values (the extracted row when there is no decision).
    row: Any
    #: The row as the extractor wrote it.
    extracted: Any
    review: Review | None = None

    @property
    def verdict(self) -> str:
        return "" if self.review is None else self.review.verdict

    @property
    def spurious(self) -> bool:
        """Judged ``wrong`` with nothing to correct: the finding should not exist."""
        return (
            self.review is not None
            and self.review.verdict == "wrong"
            and not self.review.corrected_value
        )

    @property
    def changed(self) -> dict[str, str]:
        """``{column: reviewed value}`` where the decision differs from the extraction."""
        return {
            name: getattr(self.row, name)
            for name in columns(self.table)
            if getattr(self.row, name) != getattr(self.extracted, name)
        }

    @property
    def extracted_value(self) -> str:
        """The extractor's values of the columns the decision changed (``format_correction``)."""
        changed = self.changed
        return format_correction(
            self.table, {name: getattr(self.extracted, name) for name in changed}
        )

    def export_values(self) -> list[Any]:
        """The contract columns (reviewed values), then ``REVIEW_COLUMNS``."""
        review = self.review
        return [
            *_VALUES[self.table](self.row),
            self.verdict,
            self.extracted_value if review is not None else "",
            "" if review is None else review.reviewer,
            "" if review is None else review.reviewed_at,
        ]


def _decided_values(review: Review) -> dict[str, str]:
    """The values a decision sets: a ``correct`` verdict's pinned value, and the corrections."""
    if review.verdict == "unsure":
        return {}
    values: dict[str, str] = {}
    if review.verdict == "correct":
        # The human decision wins over a later re-extraction that changed the value.
        values[MAIN_FIELDS[review.table]] = review.value
    values.update(parse_correction(review.table, review.corrected_value))
    return values


def _overlay(row: Any, review: Review | None) -> Any:
    values = {} if review is None else _decided_values(review)
    return dataclasses.replace(row, **values) if values else row


def reviewed_rows(store: Store, table: str, *, since: str | None = None) -> Iterator[ReviewedRow]:
    """The rows of a finding table with the stored decisions laid over them.

    Same rows and order as ``Store.table_rows`` (findings judged wrong are kept,
    with ``verdict == "wrong"``; a reader that wants only real findings skips
    ``spurious`` ones); ``since`` as there. ``row`` holds the values to show;
    ``extracted`` the extractor's. Read inside ``store.snapshot()`` for one
    consistent state.
    """
    if table not in CHILD_TABLES:
        raise ConfigError(f"not a table of findings: {table!r}; choose from {CHILD_TABLES}")
    reviews = store.reviews(table)
    cls = TABLES[table]
    for values in store.table_rows(table, since=since):
        yield review_row(table, cls(*values), reviews)


def review_row(table: str, extracted: Any, reviews: Mapping[str, Review]) -> ReviewedRow:
    """One extracted row of ``table`` with its decision from ``reviews`` (``Store.reviews``)."""
    identifier = finding_id(table, extracted)
    review = reviews.get(identifier)
    return ReviewedRow(table, identifier, _overlay(extracted, review), extracted, review)


# ---------------------------------------------------------------------- the sheet


@dataclass(frozen=True, slots=True)
class SheetSummary:
    """What ``export_sheet`` wrote."""

    rows: int
    flagged: int
    #: Findings left out because they already have a decision (no ``include_reviewed``).
    reviewed_left_out: int


def _flags(table: str, row: Any) -> list[str]:
    flags: list[str] = []
    if table == "stances":
        if row.conflict:
            flags.append("287g_conflict")
        if row.stance == "unclear":
            flags.append("stance_unclear")
    elif table == "agencies":
        if row.ori_match in ("ambiguous", "not_found"):
            flags.append(f"ori_{row.ori_match}")
    elif table == "officials":
        if not row.agency:
            flags.append("no_agency")
        if not row.title:
            flags.append("no_title")
    elif table == "quotes" and (row.speaker_type == "unknown" or not row.speaker):
        flags.append("speaker_unknown")
    return flags


# Shown in ``details``: the columns a reviewer needs beside the reviewed value.
_DETAILS: dict[str, tuple[str, ...]] = {
    "agencies": (
        "agency_type",
        "state",
        "aliases",
        "mentions",
        "ori",
        "ori_name",
        "ori_match",
        "in_287g",
        "agreement_287g",
    ),
    "officials": ("name", "mentions"),
    "quotes": ("speaker_type", "speaker_title", "speaker_agency", "cue"),
    "stances": ("cue", "speaker", "conflict"),
}


def _details(table: str, row: Any) -> str:
    parts = []
    for name in _DETAILS[table]:
        value = getattr(row, name)
        if value not in ("", None):
            parts.append(f"{name}: {value}")
    return "; ".join(parts)


def _evidence(table: str, row: Any, text: str | None) -> str:
    """The sentence the finding rests on: a stance's evidence, a quote's span, or the first
    sentence naming an agency or an official."""
    if table == "stances":
        return str(row.evidence)
    if table == "quotes":
        if text and 0 <= row.start_char < row.end_char <= len(text):
            return text[row.start_char : row.end_char]
        return str(row.quote)
    if table == "agencies":
        aliases = [alias for alias in row.aliases.split(";") if alias.strip()]
        return sentence_naming(text, [row.agency, *aliases])
    names = [row.name]
    if len(row.name.split()) > 1:
        names.append(row.name.split()[-1])
    sentence = sentence_naming(text, [row.name])
    return sentence or sentence_naming(text, names)


def _agency_of(table: str, row: Any) -> str:
    return str(row.speaker_agency if table == "quotes" else row.agency)


def export_sheet(
    store: Store, out: Path, *, since: str | None = None, include_reviewed: bool = False
) -> SheetSummary:
    """Write the review sheet of ``store`` to ``out`` (CSV, UTF-8 with BOM, one record a line).

    One row per finding (a finding named twice in one article: once), flagged
    rows first, then the lowest confidence, then by article URL, table and
    order in the article. Findings with a decision are left out unless
    ``include_reviewed`` (then the decision is filled in). Written atomically.
    """
    records: list[tuple[tuple[Any, ...], dict[str, str]]] = []
    left_out = 0
    with store.snapshot():
        articles = {
            article.doc_id: article
            for article in (ArticleRow(*values) for values in store.table_rows("articles"))
        }
        for table in CHILD_TABLES:
            seen: set[str] = set()
            text_of: tuple[str, str | None] = ("", None)
            for position, reviewed in enumerate(reviewed_rows(store, table, since=since)):
                if reviewed.finding_id in seen:
                    continue
                seen.add(reviewed.finding_id)
                review = reviewed.review
                if review is not None and not include_reviewed:
                    left_out += 1
                    continue
                row = reviewed.extracted
                if text_of[0] != row.doc_id:
                    text_of = (row.doc_id, store.article_text(row.doc_id))
                article = articles[row.doc_id]
                flags = _flags(table, row)
                main = MAIN_FIELDS[table]
                if review is not None and review.value != getattr(row, main):
                    flags.append("changed_since_review")
                verdict, corrected = _prefilled(review, getattr(row, main))
                evidence = _evidence(table, row, text_of[1])
                context = in_context(text_of[1], evidence).plain(_MARKS) if evidence else ""
                confidence = float(row.confidence) if table == "stances" else None
                record = {
                    "row_id": reviewed.finding_id,
                    "table": table,
                    "agency": _agency_of(table, row),
                    "item": str(getattr(row, KEY_FIELDS[table])),
                    "field": main,
                    "value": str(getattr(row, main)),
                    "details": _details(table, row),
                    "flags": ";".join(flags),
                    "confidence": "" if confidence is None else f"{confidence:.2f}",
                    "context": context,
                    "title": article.title,
                    "published": article.published,
                    "url": article.url or article.source,
                    "doc_id": row.doc_id,
                    "verdict": verdict,
                    "corrected_value": corrected,
                    "reviewer": "" if review is None else review.reviewer,
                    "note": "" if review is None else review.note,
                }
                order = (
                    0 if flags else 1,
                    # No confidence (agencies, officials, quotes): after the stances that have one.
                    2.0 if confidence is None else confidence,
                    article.source,
                    _TABLE_ORDER[table],
                    position,
                )
                records.append((order, record))
    records.sort(key=lambda item: item[0])
    _write_sheet(out, [record for _, record in records])
    flagged = sum(1 for order, _ in records if order[0] == 0)
    return SheetSummary(len(records), flagged, left_out)


def _prefilled(review: Review | None, value: str) -> tuple[str, str]:
    """``verdict`` and ``corrected_value`` as the sheet shows a stored decision next to the
    extracted ``value``: a pin the extraction has moved away from reads "wrong, corrected to
    the pinned value" (marking it correct would pin the new value instead)."""
    if review is None:
        return "", ""
    if review.verdict == "correct" and review.value != value:
        return "wrong", format_correction(review.table, _decided_values(review))
    return review.verdict, review.corrected_value


def _write_sheet(out: Path, records: Sequence[Mapping[str, str]]) -> None:
    try:
        _write_sheet_file(out, records)
    except OSError as exc:
        raise ConfigError(f"cannot write the review sheet {out}: {exc}") from exc


def _write_sheet_file(out: Path, records: Sequence[Mapping[str, str]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: the BOM tells Excel the file is UTF-8. newline="": csv writes "\r\n".
    with atomic_path(out) as tmp, tmp.open("x", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(SHEET_COLUMNS)
        for record in records:
            # One physical line per record: line breaks inside a cell become spaces.
            writer.writerow(csv_safe(_one_line(record[name])) for name in SHEET_COLUMNS)


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One record of a review sheet: its first line number and its cells by column."""

    line: int
    cells: dict[str, str]


class _Problems:
    """Problems found while checking a sheet, each with its line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = [f"  line {line}: {message}" for line, message in sorted(self.items)]
        more = len(shown) - _MAX_PROBLEMS
        listed = shown[:_MAX_PROBLEMS] + ([f"  ... and {more} more"] if more > 0 else [])
        count = len(self.items)
        raise InputError(
            f"{self.path}: {count} problem{'s' if count != 1 else ''}, nothing imported:\n"
            + "\n".join(listed),
            reason="review_sheet",
        )


def _delimiter(first_line: str) -> str:
    # Spreadsheets in locales with a decimal comma save CSV with ";" (Excel) or a tab.
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep])


def read_sheet(path: Path) -> list[SheetLine]:
    """The records of a review sheet, checked for its header only.

    Reads the sheet as written or as a spreadsheet saved it: with or without
    the BOM, ``\\r\\n`` or ``\\n``, ``,`` ``;`` or tab separated, columns in any
    order, cells with or without their formula guard; rows with every cell
    blank are dropped. A header missing a column, naming an unknown one or
    naming one twice raises ``InputError`` naming line 1.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read review sheet {path}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' and import again"
        ) from exc
    problems = _Problems(path)
    # strict: a stray or unclosed quote is an error with its line, not cells run together.
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]), strict=True
    )
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise InputError(f"{path}: line 1: not CSV ({exc})") from exc
    missing = [name for name in SHEET_COLUMNS if name not in header]
    unknown = [name or "(blank)" for name in header if name not in SHEET_COLUMNS]
    twice = sorted({name for name in header if name and header.count(name) > 1})
    if missing:
        problems.add(1, f"missing column(s) {', '.join(missing)}")
    if unknown:
        problems.add(
            1,
            f"unknown column(s) {', '.join(unknown)} (renamed? a review sheet has exactly "
            f"{', '.join(SHEET_COLUMNS)})",
        )
    if twice:
        problems.add(1, f"column(s) named twice: {', '.join(twice)}")
    problems.raise_if_any()
    lines: list[SheetLine] = []
    last = reader.line_num
    try:
        for cells in reader:
            start, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
                problems.add(start, f"{len(cells)} cells, the header has {len(header)}")
                continue
            padded = [*cells, *([""] * (len(header) - len(cells)))]
            lines.append(SheetLine(start, dict(zip(header, padded, strict=False))))
    except csv.Error as exc:
        # Reported at the line its record starts on (an unclosed quote fails at the end).
        problems.add(last + 1, f"not CSV ({exc})")
    problems.raise_if_any()
    return lines


# ---------------------------------------------------------------------- import


@dataclass(slots=True)
class ImportSummary:
    """What ``import_sheet`` did."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Rows with no verdict (not decided yet).
    skipped: int = 0
    #: Decisions about findings a re-run removed since the export (kept for when they return).
    gone: int = 0
    saved: list[Review] = field(default_factory=list)

    def format(self) -> str:
        text = f"{self.new} new, {self.changed} changed, {self.unchanged} unchanged"
        if self.skipped:
            text += f"; {self.skipped} rows without a verdict skipped"
        if self.gone:
            text += f"; {self.gone} about findings no longer in the store (kept)"
        return text


@dataclass(frozen=True, slots=True)
class _Finding:
    table: str
    doc_id: str
    key: str
    value: str


def _current_findings(store: Store) -> dict[str, _Finding]:
    findings: dict[str, _Finding] = {}
    with store.snapshot():
        for table in CHILD_TABLES:
            cls = TABLES[table]
            for values in store.table_rows(table):
                row = cls(*values)
                findings.setdefault(
                    finding_id(table, row),
                    _Finding(
                        table,
                        row.doc_id,
                        _one_line(getattr(row, KEY_FIELDS[table])),
                        getattr(row, MAIN_FIELDS[table]),
                    ),
                )
    return findings


def _cell(line: SheetLine, name: str) -> str:
    return csv_restore(line.cells[name].strip()).strip()


def _decide(
    line: SheetLine,
    *,
    findings: Mapping[str, _Finding],
    stored: Mapping[str, Review],
    reviewer: str | None,
    source_file: str,
    stamp: str,
    problems: _Problems,
) -> tuple[Review, bool] | None:
    """The decision on one sheet line, and whether its finding is gone; None if skipped or bad."""
    row_id = _cell(line, "row_id")
    verdict = _cell(line, "verdict").lower()
    corrected = _cell(line, "corrected_value")
    note = _one_line(_cell(line, "note"))
    if not verdict:
        if corrected or note:
            problems.add(
                line.line,
                f"{row_id or 'row'}: corrected_value or note without a verdict "
                f"(one of {', '.join(VERDICTS)})",
            )
        return None
    if verdict not in VERDICTS:
        problems.add(
            line.line, f"invalid verdict {verdict!r}: expected one of {', '.join(VERDICTS)}"
        )
        return None
    who = _one_line(_cell(line, "reviewer")) or (reviewer or "")
    if not who:
        problems.add(line.line, "no reviewer: fill the reviewer column or pass --reviewer NAME")
        return None
    finding = findings.get(row_id)
    gone = False
    if finding is None:
        table = _cell(line, "table")
        item = _cell(line, "item")
        if table not in KEY_FIELDS or _finding_id(table, _cell(line, "doc_id"), item) != row_id:
            problems.add(line.line, f"unknown row id {row_id!r}: not a finding of this store")
            return None
        # Exported from this store, removed by a re-run since: keep the decision for its return.
        finding = _Finding(table, _cell(line, "doc_id"), _one_line(item), _cell(line, "value"))
        gone = True
    table = finding.table
    try:
        values = parse_correction(table, corrected)
    except ValueError as exc:
        problems.add(line.line, f"invalid corrected_value {corrected!r}: {exc}")
        return None
    main = MAIN_FIELDS[table]
    if verdict == "unsure" and values:
        problems.add(line.line, "an unsure verdict takes no corrected_value (use note)")
        return None
    if verdict == "correct" and main in values:
        if values[main] != finding.value:
            problems.add(
                line.line,
                f"verdict correct but corrected_value changes the {main} "
                f"({finding.value!r} -> {values[main]!r}); use verdict wrong",
            )
            return None
        del values[main]
    decision = Review(
        finding_id=row_id,
        table=table,
        doc_id=finding.doc_id,
        key=finding.key,
        value=finding.value,
        verdict=verdict,
        corrected_value=format_correction(table, values) if values else "",
        reviewer=who,
        note=note,
        reviewed_at=stamp,
        source_file=source_file,
    )
    previous = stored.get(row_id)
    if previous is not None and _same_decision(previous, decision):
        return previous, gone
    sheet_value = _cell(line, "value")
    if not gone and _one_line(sheet_value) != _one_line(finding.value):
        problems.add(
            line.line,
            f"value {sheet_value!r} is not the extracted {main} {finding.value!r}: "
            "corrections go in corrected_value (or the article changed since the export: "
            "export again)",
        )
        return None
    return decision, gone


def _same_decision(a: Review, b: Review) -> bool:
    """The same outcome from the same person with the same note.

    Compared by the values the decisions set, so a pinned ``correct`` equals
    ``wrong`` corrected to the pinned value: how a sheet shows a pin that the
    extraction has since moved away from.
    """
    return (
        (a.verdict == "unsure") == (b.verdict == "unsure")
        and _decided_values(a) == _decided_values(b)
        and (a.reviewer, a.note) == (b.reviewer, b.note)
    )


def import_sheet(store: Store, sheet: Path, *, reviewer: str | None = None) -> ImportSummary:
    """Check every line of ``sheet``, then store its decisions in one transaction.

    Any problem (header, unknown row id, invalid verdict or corrected value, a
    row id decided twice differently, no reviewer) raises ``InputError`` listing
    each with its line number, and nothing is stored. A decision equal to the
    stored one (verdict, corrected value, reviewer, note) is left as it is, so
    importing a file twice changes nothing.
    """
    lines = read_sheet(sheet)
    problems = _Problems(sheet)
    findings = _current_findings(store)
    stored = store.reviews()
    stamp = now()
    source_file = str(sheet.resolve())
    summary = ImportSummary()
    decided: dict[str, tuple[int, Review]] = {}
    gone_ids: set[str] = set()
    for line in lines:
        outcome = _decide(
            line,
            findings=findings,
            stored=stored,
            reviewer=reviewer,
            source_file=source_file,
            stamp=stamp,
            problems=problems,
        )
        if outcome is None:
            if not _cell(line, "verdict"):
                summary.skipped += 1
            continue
        decision, gone = outcome
        earlier = decided.get(decision.finding_id)
        if earlier is not None:
            if not _same_decision(earlier[1], decision):
                problems.add(
                    line.line,
                    f"row id {decision.finding_id} is decided differently on line {earlier[0]}",
                )
            continue
        decided[decision.finding_id] = (line.line, decision)
        if gone:
            gone_ids.add(decision.finding_id)
    problems.raise_if_any()
    for _, decision in decided.values():
        previous = stored.get(decision.finding_id)
        if previous is None:
            summary.new += 1
        elif previous is decision:
            summary.unchanged += 1
            continue
        else:
            summary.changed += 1
        summary.saved.append(decision)
    summary.gone = len(gone_ids)
    if summary.saved:
        store.save_reviews(summary.saved)
    return summary
