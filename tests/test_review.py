"""Reviewing findings: the sheet, importing decisions, keeping them across re-runs, scoring them."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from extractor import run
from extractor.cli import EXIT_OK, EXIT_USAGE, main
from extractor.crawl import export_store, run_pipeline
from extractor.errors import ConfigError, InputError
from extractor.evaluate import evaluate_reviewed
from extractor.export import csv_restore
from extractor.pipeline import load_pipeline
from extractor.review import (
    KEY_FIELDS,
    REVIEW_COLUMNS,
    SHEET_COLUMNS,
    _write_sheet,
    export_sheet,
    finding_id,
    format_correction,
    import_sheet,
    parse_correction,
    read_sheet,
    reviewed_rows,
)
from extractor.rows import (
    AgencyRow,
    ArticleRow,
    DocumentRows,
    OfficialRow,
    QuoteRow,
    StanceRow,
    columns,
)
from extractor.store import Attempt, Store

from .test_crawl import story, write_pipeline

# ---------------------------------------------------------------------- helpers


def add_article(
    store: Store,
    url: str,
    text: str,
    *,
    title: str = "",
    published: str = "",
    agencies: tuple[AgencyRow, ...] = (),
    officials: tuple[OfficialRow, ...] = (),
    quotes: tuple[QuoteRow, ...] = (),
    stances: tuple[StanceRow, ...] = (),
) -> str:
    """Record one article with hand-made rows (their doc_id is filled in); return its doc_id."""
    run_id = store.begin_run("test")
    store.add_urls(run_id, [(url, url, "url")])
    doc_id = run.doc_id_for(url)
    sha = hashlib.sha256(text.encode()).hexdigest()

    def own(rows: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dataclasses.replace(row, doc_id=doc_id) for row in rows)

    rows = DocumentRows(
        ArticleRow(doc_id, url, title=title, published=published, text_sha256=sha, url=url),
        own(agencies),
        own(officials),
        own(quotes),
        own(stances),
    )
    attempt = Attempt(url=url, outcome="fetched", body_sha256=sha)
    store.record_rows(run_id, attempt, rows, status="new", text=text)
    return doc_id


TEXT_A = (
    "Sheriffs split\n\nThe county board met on Monday. The Dane County Sheriff's Office will "
    "not hold people for ICE without a judicial warrant, Sheriff Kalvin Barrett said. "
    '"We are not the federal government," Barrett said. The Madison Police Department '
    "declined to comment."
)
TEXT_B = (
    "Deal signed\n\nThe Storey County Sheriff's Office will honor ICE detainers, Sheriff Mike "
    'Cullen said. "=1+1 is how we count," an official said.'
)


def stance(agency: str, label: str, confidence: float, **extra: Any) -> StanceRow:
    return StanceRow("", agency, label, extra.pop("evidence", ""), "cue", "", confidence, **extra)  # type: ignore[arg-type]


def agency(name: str, **extra: Any) -> AgencyRow:
    values: dict[str, Any] = {"agency_type": "sheriff", "state": "", "aliases": "", "mentions": 1}
    return AgencyRow("", name, **{**values, **extra})


def quote_row(text: str, whole: str, speaker: str, speaker_type: str = "person") -> QuoteRow:
    start = whole.index(text)
    return QuoteRow("", text, speaker, speaker_type, "", "", "say", start, start + len(text))  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "s.sqlite3") as opened:
        add_article(
            opened,
            "https://a.example/1",
            TEXT_A,
            title="Sheriffs split",
            published="2026-11-20",
            agencies=(
                agency("Dane County Sheriff's Office", ori_match="matched"),
                agency("Madison Police Department", agency_type="police", ori_match="ambiguous"),
            ),
            officials=(
                OfficialRow("", "Kalvin Barrett", "Sheriff", "Dane County Sheriff's Office"),
            ),
            quotes=(quote_row("We are not the federal government,", TEXT_A, "Kalvin Barrett"),),
            stances=(
                stance(
                    "Dane County Sheriff's Office",
                    "refuses",
                    0.85,
                    evidence="The Dane County Sheriff's Office will not hold people for ICE "
                    "without a judicial warrant, Sheriff Kalvin Barrett said.",
                ),
                stance("Madison Police Department", "unclear", 0.4),
            ),
        )
        add_article(
            opened,
            "https://b.example/2",
            TEXT_B,
            title='=HYPERLINK("http://x")',
            agencies=(agency("Storey County Sheriff's Office"),),
            officials=(OfficialRow("", "Mike Cullen", "Sheriff", ""),),
            quotes=(quote_row("=1+1 is how we count,", TEXT_B, "", "unknown"),),
            stances=(
                stance(
                    "Storey County Sheriff's Office",
                    "cooperates",
                    0.7,
                    conflict="participating in 287(g)",
                    evidence="The Storey County Sheriff's Office will honor\nICE detainers.",
                ),
            ),
        )
        yield opened


def sheet_records(path: Path) -> list[dict[str, str]]:
    return [line.cells for line in read_sheet(path)]


def fill(path: Path, out: Path, decisions: dict[str, dict[str, str]]) -> None:
    """Copy the sheet at ``path`` to ``out`` with ``decisions`` (row_id -> cells) filled in."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    for row in rows[1:]:
        for name, value in decisions.get(row[0], {}).items():
            row[header.index(name)] = value
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)


def ids(store: Store, table: str) -> dict[str, str]:
    """Finding id by natural key."""
    with store.snapshot():
        return {
            getattr(item.extracted, KEY_FIELDS[table]): item.finding_id
            for item in reviewed_rows(store, table)
        }


# ---------------------------------------------------------------------- ids and corrections


def test_finding_id_uses_table_article_and_normalised_key_not_position() -> None:
    row = StanceRow("d1", "Dane  County\nSheriff", "refuses", "e", "c", "", 0.5)
    same = dataclasses.replace(row, agency="Dane County Sheriff", stance="limits", evidence="x")
    assert finding_id("stances", row) == finding_id("stances", same)
    assert finding_id("stances", row).startswith("S-") and len(finding_id("stances", row)) == 18
    assert finding_id("stances", row) != finding_id(
        "stances", dataclasses.replace(row, doc_id="d2")
    )
    agency_row = AgencyRow("d1", "Dane County Sheriff", "sheriff", "", "", 1)
    assert finding_id("agencies", agency_row) != finding_id("stances", row)


@pytest.mark.parametrize(
    ("table", "text", "expected"),
    [
        ("stances", "Refuses", {"stance": "refuses"}),
        ("stances", " limits ", {"stance": "limits"}),
        ("officials", "Chief Deputy", {"title": "Chief Deputy"}),
        (
            "officials",
            "agency: Dane County Sheriff's Office",
            {"agency": "Dane County Sheriff's Office"},
        ),
        ("officials", "Agency: X; title: Undersheriff", {"title": "Undersheriff", "agency": "X"}),
        ("officials", "title: Chief: Patrol", {"title": "Chief: Patrol"}),
        ("officials", "Sheriff; Coroner", {"title": "Sheriff; Coroner"}),
        ("officials", "title:", {"title": ""}),
        ("quotes", "Jane Doe", {"speaker": "Jane Doe"}),
        ("quotes", "speaker_type: Person", {"speaker_type": "person"}),
        ("agencies", "Dane County Sheriff's Office", {"agency": "Dane County Sheriff's Office"}),
        ("agencies", "ori_match:", {"ori_match": ""}),
        ("stances", "", {}),
    ],
)
def test_parse_correction(table: str, text: str, expected: dict[str, str]) -> None:
    values = parse_correction(table, text)
    assert values == expected
    assert parse_correction(table, format_correction(table, values)) == values


@pytest.mark.parametrize(
    ("table", "text", "message"),
    [
        ("stances", "sanctuary", "stance must be one of refuses, limits, cooperates, unclear"),
        ("officials", "Chief: Patrol", "'Chief' is not a column of officials"),
        ("officials", "mentions: 3", "'mentions' is not a column of officials"),
        ("stances", "agency:", "agency cannot be empty"),
        ("officials", "title: A; title: B", "title is corrected twice"),
        ("quotes", "speaker_type: robot", "speaker_type must be one of"),
    ],
)
def test_invalid_corrections(table: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_correction(table, text)


# ---------------------------------------------------------------------- the sheet


def test_sheet_columns_flags_order_and_context(store: Store, tmp_path: Path) -> None:
    summary = export_sheet(store, tmp_path / "review.csv")
    records = sheet_records(tmp_path / "review.csv")
    assert (summary.rows, summary.flagged, summary.reviewed_left_out) == (10, 5, 0)
    assert [(r["table"], r["flags"], r["confidence"]) for r in records] == [
        ("stances", "stance_unclear", "0.40"),
        ("stances", "287g_conflict", "0.70"),
        ("agencies", "ori_ambiguous", ""),
        ("officials", "no_agency", ""),
        ("quotes", "speaker_unknown", ""),
        ("stances", "", "0.85"),
        ("agencies", "", ""),
        ("officials", "", ""),
        ("quotes", "", ""),
        ("agencies", "", ""),
    ]
    dane = records[5]
    assert dane["row_id"] == ids(store, "stances")["Dane County Sheriff's Office"]
    assert (dane["agency"], dane["field"], dane["value"]) == (
        "Dane County Sheriff's Office",
        "stance",
        "refuses",
    )
    assert (dane["title"], dane["published"], dane["url"]) == (
        "Sheriffs split",
        "2026-11-20",
        "https://a.example/1",
    )
    assert dane["context"] == (
        "Sheriffs split The county board met on Monday. [[The Dane County Sheriff's Office will "
        "not hold people for ICE without a judicial warrant, Sheriff Kalvin Barrett said.]] "
        '"We are not the federal government," Barrett said. The Madison Police Department '
        "declined to comment."
    )
    official = records[7]
    assert (official["item"], official["value"], official["agency"]) == (
        "Kalvin Barrett",
        "Sheriff",
        "Dane County Sheriff's Office",
    )
    assert "[[The Dane County Sheriff's Office will not hold" in official["context"]
    quote = records[8]
    assert (quote["item"], quote["field"], quote["value"]) == (
        "We are not the federal government,",
        "speaker",
        "Kalvin Barrett",
    )
    assert '" [[We are not the federal government,]] " Barrett said.' in quote["context"]
    madison = records[2]
    assert "[[The Madison Police Department declined to comment.]]" in madison["context"]
    assert "ori_match: ambiguous" in madison["details"]
    # An evidence sentence the text does not hold is shown alone.
    assert records[0]["context"] == ""
    assert records[1]["context"] == (
        "[[The Storey County Sheriff's Office will honor ICE detainers.]]"
    )
    assert all(
        r["verdict"] == r["corrected_value"] == r["reviewer"] == r["note"] == "" for r in records
    )


def test_sheet_is_bom_utf8_one_line_per_record_and_formula_safe(
    store: Store, tmp_path: Path
) -> None:
    export_sheet(store, tmp_path / "review.csv")
    raw = (tmp_path / "review.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[-1] == "" and "\n" not in "".join(lines) and "\r" not in "".join(lines)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(SHEET_COLUMNS)
    assert len(rows) == len(lines) - 1 == 11
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'=1+1 is how we count," in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    # Read back, the guard is gone.
    items = [csv_restore(r["item"]) for r in sheet_records(tmp_path / "review.csv")]
    assert "=1+1 is how we count," in items
    # Byte for byte the same on a second export.
    export_sheet(store, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == raw
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@settings(max_examples=60, deadline=None)
@given(
    note=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    value=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)
def test_sheet_cells_round_trip_as_one_line(tmp_path_factory: Any, note: str, value: str) -> None:
    path = tmp_path_factory.mktemp("sheet") / "s.csv"
    record = dict.fromkeys(SHEET_COLUMNS, "")
    record.update(row_id="S-1", note=note, corrected_value=value, item=value)
    _write_sheet(path, [record])
    assert path.read_bytes().count(b"\r\n") == 2
    (line,) = read_sheet(path)
    assert line.line == 2
    assert csv_restore(line.cells["note"]) == " ".join(note.split())
    assert csv_restore(line.cells["item"]) == " ".join(value.split())
    assert line.cells["corrected_value"] == line.cells["item"]


# ---------------------------------------------------------------------- import


def decide(store: Store, tmp_path: Path, decisions: dict[str, dict[str, str]], name: str) -> Path:
    export_sheet(store, tmp_path / "review.csv", include_reviewed=True)
    fill(tmp_path / "review.csv", tmp_path / name, decisions)
    return tmp_path / name


def test_import_stores_decisions_once_and_exports_show_them(store: Store, tmp_path: Path) -> None:
    stances, officials, quotes = (
        ids(store, "stances"),
        ids(store, "officials"),
        ids(store, "quotes"),
    )
    sheet = decide(
        store,
        tmp_path,
        {
            stances["Dane County Sheriff's Office"]: {"verdict": "Correct", "reviewer": "ann"},
            stances["Storey County Sheriff's Office"]: {
                "verdict": "wrong",
                "corrected_value": "Limits",
                "note": "agreement\nended in 2025",
            },
            officials["Mike Cullen"]: {
                "verdict": "WRONG",
                "corrected_value": "agency: Storey County Sheriff's Office",
            },
            quotes["=1+1 is how we count,"]: {"verdict": "wrong"},
            quotes["We are not the federal government,"]: {"verdict": " unsure "},
        },
        "filled.csv",
    )
    summary = import_sheet(store, sheet, reviewer="bob")
    assert (summary.new, summary.changed, summary.unchanged, summary.skipped) == (5, 0, 0, 5)
    reviews = store.reviews()
    assert {r.reviewer for r in reviews.values()} == {"ann", "bob"}
    storey = reviews[stances["Storey County Sheriff's Office"]]
    assert (storey.verdict, storey.corrected_value, storey.value, storey.note) == (
        "wrong",
        "limits",
        "cooperates",
        "agreement ended in 2025",
    )
    assert storey.source_file == str(sheet.resolve())
    # The same file again: nothing changes, not even the times.
    again = import_sheet(store, sheet, reviewer="bob")
    assert (again.new, again.changed, again.unchanged) == (0, 0, 5)
    assert store.reviews() == reviews

    export_store(store, tmp_path / "out", formats=("csv", "parquet"))
    frame = pd.read_csv(tmp_path / "out" / "stances.csv", keep_default_na=False)
    assert list(frame.columns) == [*columns("stances"), *REVIEW_COLUMNS]
    shown = frame.set_index("agency")
    assert shown.loc["Storey County Sheriff's Office", "stance"] == "limits"
    assert shown.loc["Storey County Sheriff's Office", "extracted_value"] == "cooperates"
    assert shown.loc["Storey County Sheriff's Office", "review"] == "wrong"
    assert shown.loc[
        "Dane County Sheriff's Office", ["review", "extracted_value", "reviewer"]
    ].tolist() == [
        "correct",
        "",
        "ann",
    ]
    assert shown.loc["Madison Police Department", "review"] == ""
    officials_out = pd.read_csv(tmp_path / "out" / "officials.csv", keep_default_na=False)
    cullen = officials_out.set_index("name").loc["Mike Cullen"]
    assert (cullen["agency"], cullen["extracted_value"]) == (
        "Storey County Sheriff's Office",
        "agency:",
    )
    # The spurious quote stays, marked wrong; the guard is on in CSV, off in Parquet.
    quotes_out = pd.read_parquet(tmp_path / "out" / "quotes.parquet")
    assert quotes_out.set_index("quote").loc["=1+1 is how we count,", "review"] == "wrong"
    assert len(quotes_out) == 2
    # Reviewed findings leave the next sheet unless asked for, then come filled in.
    assert export_sheet(store, tmp_path / "next.csv").reviewed_left_out == 5
    full = {r["row_id"]: r for r in sheet_records(tmp_path / "review.csv")}
    export_sheet(store, tmp_path / "full.csv", include_reviewed=True)
    refilled = {r["row_id"]: r for r in sheet_records(tmp_path / "full.csv")}
    assert len(full) == len(refilled) == 10
    assert refilled[officials["Mike Cullen"]]["corrected_value"] == (
        "agency: Storey County Sheriff's Office"
    )
    # Importing the filled-in sheet back changes nothing either.
    back = import_sheet(store, tmp_path / "full.csv")
    assert (back.new, back.changed, back.unchanged) == (0, 0, 5)


def test_changed_decision_is_updated(store: Store, tmp_path: Path) -> None:
    dane = ids(store, "stances")["Dane County Sheriff's Office"]
    first = decide(store, tmp_path, {dane: {"verdict": "correct"}}, "one.csv")
    import_sheet(store, first, reviewer="ann")
    second = decide(
        store, tmp_path, {dane: {"verdict": "wrong", "corrected_value": "limits"}}, "two.csv"
    )
    summary = import_sheet(store, second, reviewer="ann")
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 0)
    assert store.reviews()[dane].corrected_value == "limits"


def problems_of(store: Store, sheet: Path, **kwargs: Any) -> str:
    with pytest.raises(InputError) as caught:
        import_sheet(store, sheet, **kwargs)
    assert store.reviews() == {}
    return str(caught.value)


Edit = tuple[int, str, str]  # (line, column, new cell); line 1 is the header


@pytest.mark.parametrize(
    ("edits", "messages"),
    [
        (
            [(1, "verdict", "verdikt")],
            ["line 1: missing column(s) verdict", "unknown column(s) verdikt (renamed?"],
        ),
        ([(1, "agency", "table")], ["line 1: column(s) named twice: table"]),
        (
            [(4, "row_id", "S-0000000000000000"), (4, "verdict", "wrong")],
            ["line 4: unknown row id 'S-0000000000000000'"],
        ),
        (
            [(3, "verdict", "yes")],
            ["line 3: invalid verdict 'yes': expected one of correct, wrong, unsure"],
        ),
        (
            [(3, "corrected_value", "sanctuary")],
            ["line 3: invalid corrected_value 'sanctuary': stance must be one of"],
        ),
        (
            [(9, "verdict", "correct"), (9, "value", "Undersheriff")],
            ["line 9: value 'Undersheriff' is not the extracted title 'Sheriff'"],
        ),
        ([(6, "note", "check")], ["line 6: ", "note without a verdict"]),
        ([(3, "reviewer", "")], ["line 3: no reviewer"]),
        (
            [(5, "corrected_value", "title: x")],
            ["line 5: an unsure verdict takes no corrected_value"],
        ),
        (
            [(7, "corrected_value", "limits")],
            ["line 7: verdict correct but corrected_value changes the stance"],
        ),
        (
            [(12, "copy of line 3", "limits")],
            ["line 12: row id S-", "is decided differently on line 3"],
        ),
    ],
)
def test_each_problem_is_reported_with_its_line_and_nothing_is_imported(
    store: Store, tmp_path: Path, edits: list[Edit], messages: list[str]
) -> None:
    export_sheet(store, tmp_path / "review.csv")
    with (tmp_path / "review.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = list(SHEET_COLUMNS)

    def put(line: int, column: str, value: str) -> None:
        rows[line - 1][header.index(column)] = value

    # Valid on their own: line 3 (a stance) wrong -> refuses, line 5 (an official) unsure,
    # line 7 (a stance) correct; every row names its reviewer.
    for row in rows[1:]:
        row[header.index("reviewer")] = "ann"
    put(3, "verdict", "wrong")
    put(3, "corrected_value", "refuses")
    put(5, "verdict", "unsure")
    put(7, "verdict", "correct")
    for line, column, value in edits:
        if column == "copy of line 3":
            rows.append(list(rows[2]))
            put(line, "corrected_value", value)
        else:
            put(line, column, value)
    with (tmp_path / "bad.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    text = problems_of(store, tmp_path / "bad.csv")
    assert "nothing imported" in text
    for message in messages:
        assert message in text


def test_several_problems_are_all_listed(store: Store, tmp_path: Path) -> None:
    export_sheet(store, tmp_path / "review.csv")
    with (tmp_path / "review.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][14] = "correct"  # fine on its own, but not imported
    rows[2][14] = "maybe"
    rows[3][0] = "nonsense"
    rows[3][14] = "wrong"
    with (tmp_path / "bad.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    text = problems_of(store, tmp_path / "bad.csv", reviewer="ann")
    assert (
        "2 problems" in text
        and "line 3: invalid verdict" in text
        and "line 4: unknown row id" in text
    )


def test_sheet_saved_by_a_spreadsheet_is_read(store: Store, tmp_path: Path) -> None:
    """No BOM, ";" separated, "\\n" line ends, columns moved, guards dropped or kept, blank rows."""
    export_sheet(store, tmp_path / "review.csv")
    records = sheet_records(tmp_path / "review.csv")
    quote = next(r for r in records if r["item"] == "'=1+1 is how we count,")
    dane = next(r for r in records if r["table"] == "stances" and r["value"] == "refuses")
    # A spreadsheet saves the cell's text, without the guard; the reviewer typed guards.
    quote.update(item="=1+1 is how we count,", verdict="Wrong", reviewer="'=ann", note="'@see")
    dane.update(verdict="CORRECT", reviewer="ann", value="refuses")
    order = list(reversed(SHEET_COLUMNS))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(order)
    for record in records:
        writer.writerow([record[name] for name in order])
        writer.writerow([""] * len(order))
    (tmp_path / "saved.csv").write_text(out.getvalue(), encoding="utf-8")
    summary = import_sheet(store, tmp_path / "saved.csv")
    assert (summary.new, summary.skipped) == (2, 8)
    reviews = {r.key: r for r in store.reviews().values()}
    assert reviews["=1+1 is how we count,"].reviewer == "=ann"
    assert reviews["=1+1 is how we count,"].note == "@see"
    assert reviews["Dane County Sheriff's Office"].verdict == "correct"


def test_not_utf8_sheet_is_refused(store: Store, tmp_path: Path) -> None:
    (tmp_path / "latin.csv").write_bytes(",".join(SHEET_COLUMNS).encode() + b"\r\nS-1,caf\xe9\r\n")
    with pytest.raises(InputError, match="not UTF-8"):
        import_sheet(store, tmp_path / "latin.csv")


# ---------------------------------------------------------------------- scoring


def test_evaluate_reviewed_counts_on_a_known_case(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="has no reviews"):
        evaluate_reviewed(store)
    stances, officials = ids(store, "stances"), ids(store, "officials")
    sheet = decide(
        store,
        tmp_path,
        {
            stances["Dane County Sheriff's Office"]: {"verdict": "correct"},
            stances["Storey County Sheriff's Office"]: {
                "verdict": "wrong",
                "corrected_value": "limits",
            },
            stances["Madison Police Department"]: {"verdict": "wrong"},
            officials["Mike Cullen"]: {"verdict": "correct"},
            officials["Kalvin Barrett"]: {"verdict": "unsure"},
        },
        "filled.csv",
    )
    import_sheet(store, sheet, reviewer="ann")
    report = evaluate_reviewed(store)
    scores = report.to_dict()["tables"]
    assert scores["stances"] == {
        "reviewed": 3,
        "correct": 1,
        "wrong": 2,
        "unsure": 0,
        "spurious": 1,
        "precision": 1 / 3,
        "label_precision": 0.5,
        "label_right": 1,
        "labelled": 2,
    }
    assert scores["officials"] == {
        "reviewed": 2,
        "correct": 1,
        "wrong": 0,
        "unsure": 1,
        "spurious": 0,
        "precision": 1.0,
    }
    assert scores["quotes"]["reviewed"] == 0 and scores["quotes"]["precision"] is None
    assert report.gone == 0


# ---------------------------------------------------------------------- re-runs, end to end


def test_decisions_survive_re_extraction_and_re_runs(tmp_path: Path, nlp: Language) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(4):
        (pages / f"p{n}.html").write_text(story(n), encoding="utf-8")
    pipeline = write_pipeline(tmp_path, '\n[[sources]]\nkind = "directory"\npath = "pages"\n')
    run_pipeline(load_pipeline(pipeline), nlp=nlp, progress=False)
    store_path = tmp_path / "store" / "crawl.sqlite3"
    sheet, filled = tmp_path / "review.csv", tmp_path / "filled.csv"
    assert main(["review", "export", "--store", str(store_path), "--out", str(sheet)]) == EXIT_OK
    records = sheet_records(sheet)
    by = {(r["table"], r["item"]): r["row_id"] for r in records}
    washoe = by[("stances", "Washoe County Sheriff's Office")]
    clark = by[("stances", "Clark County Sheriff's Office")]
    kast = by[("officials", "Joe Kast")]
    barrett = by[("officials", "Kalvin Barrett")]
    fill(
        sheet,
        filled,
        {
            washoe: {"verdict": "correct"},
            clark: {"verdict": "wrong", "corrected_value": "limits"},
            kast: {"verdict": "wrong", "corrected_value": "title: Sheriff-elect"},
            barrett: {"verdict": "correct", "note": "checked"},
        },
    )
    args = ["review", "import", str(filled), "--store", str(store_path), "--reviewer", "ann"]
    assert main(args) == EXIT_OK
    assert main(args) == EXIT_OK
    with Store(store_path) as store:
        decided = store.reviews()
    assert len(decided) == 4

    # Re-extraction: p0 now says the opposite (the pinned "refuses" must win); p3 drops its sheriff.
    (pages / "p0.html").write_text(
        "<html><head><title>Story 0</title></head><body><article><h1>Story 0</h1><p>The Washoe "
        "County Sheriff's Office will honor ICE detainer requests, Sheriff Darin Balaam said on "
        "Monday.</p></article></body></html>",
        encoding="utf-8",
    )
    (pages / "p3.html").write_text(
        "<html><head><title>Story 3</title></head><body><article><h1>Story 3</h1><p>The Dane "
        "County Sheriff's Office will not hold people for ICE without a judicial warrant, a "
        "spokesperson said on Monday.</p></article></body></html>",
        encoding="utf-8",
    )
    again = run_pipeline(load_pipeline(pipeline), nlp=nlp, progress=False)
    assert (again.changed, again.unchanged) == (2, 2)
    with Store(store_path) as store:
        assert store.reviews() == decided
        report = evaluate_reviewed(store)
    assert report.gone == 1  # Barrett's decision, kept for when he returns
    # Washoe: pinned refuses, extracted cooperates now -> wrong; Clark: still refuses -> wrong.
    assert report.tables["stances"].to_dict()["correct"] == 0
    assert report.tables["officials"].to_dict()["wrong"] == 1

    out = tmp_path / "out"
    assert main(["export", "--store", str(store_path), "--out", str(out)]) == EXIT_OK
    stance_rows = pd.read_csv(out / "stances.csv", keep_default_na=False).set_index("agency")
    assert stance_rows.loc[
        "Washoe County Sheriff's Office", ["stance", "review", "extracted_value"]
    ].tolist() == [
        "refuses",
        "correct",
        "cooperates",
    ]
    assert stance_rows.loc[
        "Clark County Sheriff's Office", ["stance", "extracted_value"]
    ].tolist() == [
        "limits",
        "refuses",
    ]
    official_rows = pd.read_csv(out / "officials.csv", keep_default_na=False).set_index("name")
    assert official_rows.loc["Joe Kast", ["title", "review", "reviewer"]].tolist() == [
        "Sheriff-elect",
        "wrong",
        "ann",
    ]
    # Byte-deterministic: the second export equals the first.
    assert main(["export", "--store", str(store_path), "--out", str(tmp_path / "o2")]) == EXIT_OK
    for table in ("articles", "agencies", "officials", "quotes", "stances"):
        assert (tmp_path / "o2" / f"{table}.csv").read_bytes() == (
            out / f"{table}.csv"
        ).read_bytes()

    # The sheet exported before the re-run still imports: Barrett's finding is gone, not unknown.
    fill(sheet, tmp_path / "late.csv", {barrett: {"verdict": "wrong", "reviewer": "bob"}})
    assert (
        main(["review", "import", str(tmp_path / "late.csv"), "--store", str(store_path)])
        == EXIT_OK
    )
    with Store(store_path) as store:
        assert store.reviews()[barrett].verdict == "wrong"
    # A new sheet flags the pinned finding whose extraction changed.
    assert (
        main(
            [
                "review",
                "export",
                "--store",
                str(store_path),
                "--out",
                str(sheet),
                "--include-reviewed",
            ]
        )
        == EXIT_OK
    )
    shown = {r["row_id"]: r for r in sheet_records(sheet)}
    assert "changed_since_review" in shown[washoe]["flags"].split(";")
    # The pin is shown against the new value as "wrong, corrected to the pinned value"...
    assert [shown[washoe][name] for name in ("value", "verdict", "corrected_value")] == [
        "cooperates",
        "wrong",
        "refuses",
    ]
    # ... which is the stored decision: importing the sheet as it is changes nothing.
    back = ["review", "import", str(sheet), "--store", str(store_path)]
    assert main(back) == EXIT_OK
    with Store(store_path) as store:
        assert store.reviews()[washoe] == decided[washoe]
    # Marking the new value correct moves the pin.
    fill(sheet, tmp_path / "accept.csv", {washoe: {"verdict": "correct", "corrected_value": ""}})
    assert main(["review", "import", str(tmp_path / "accept.csv"), "--store", str(store_path)]) == 0
    with Store(store_path) as store:
        assert store.reviews()[washoe].value == "cooperates"


def test_cli_evaluate_reviewed_and_errors(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(store.path)
    assert main(["evaluate", "--store", path, "--reviewed"]) == EXIT_USAGE
    assert "has no reviews" in capsys.readouterr().err
    dane = ids(store, "stances")["Dane County Sheriff's Office"]
    sheet = decide(store, tmp_path, {dane: {"verdict": "correct", "reviewer": "ann"}}, "f.csv")
    assert main(["review", "import", str(sheet), "--store", path]) == EXIT_OK
    assert (
        "1 new, 0 changed, 0 unchanged; 9 rows without a verdict skipped" in capsys.readouterr().err
    )
    assert main(["evaluate", "--store", path, "--reviewed", "--json"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["tables"]["stances"]["precision"] == 1.0
    assert main(["evaluate", "--store", path, "--reviewed"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split() == [
        "table",
        "reviewed",
        "correct",
        "wrong",
        "unsure",
        "spurious",
        "precision",
    ]
    assert ["stances", "1", "1", "0", "0", "0", "1.000"] in [line.split() for line in lines]
    assert main(["evaluate", "--reviewed"]) == EXIT_USAGE
    assert "--reviewed needs --store" in capsys.readouterr().err
    assert main(["evaluate", "--store", path]) == EXIT_USAGE
    assert "evaluate needs --gold GOLD.jsonl --pred DIR" in capsys.readouterr().err
    assert main(["evaluate", "--store", path, "--reviewed", "--gold", "g.jsonl"]) == EXIT_USAGE
    assert "give --store, not --gold/--pred" in capsys.readouterr().err
    assert main(["evaluate", "--store", path, "--reviewed", "--details"]) == EXIT_USAGE
    assert "--details lists gold items" in capsys.readouterr().err
    # The sheet cannot replace a directory: a usage error, not a traceback.
    assert main(["review", "export", "--store", path, "--out", str(tmp_path)]) == EXIT_USAGE
    assert "cannot write the review sheet" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert main(["review", "import", str(tmp_path / "none.csv"), "--store", path]) == EXIT_USAGE
    assert "no such review sheet" in capsys.readouterr().err
    missing = str(tmp_path / "none.sqlite3")
    assert (
        main(["review", "export", "--store", missing, "--out", str(tmp_path / "x.csv")])
        == EXIT_USAGE
    )
    assert "no such store" in capsys.readouterr().err
    (tmp_path / "bad.csv").write_text("row_id,verdict\n", encoding="utf-8")
    assert main(["review", "import", str(tmp_path / "bad.csv"), "--store", path]) == EXIT_USAGE
    assert "line 1: missing column(s)" in capsys.readouterr().err


def test_malformed_sheets_name_their_lines(store: Store, tmp_path: Path) -> None:
    header = ",".join(SHEET_COLUMNS)
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: missing column"):
        import_sheet(store, tmp_path / "empty.csv")
    # A row with more cells than the header has columns; a cell beyond csv's field limit.
    cells = [""] * len(SHEET_COLUMNS)
    (tmp_path / "wide.csv").write_text(
        f"{header}\n{','.join(cells)}\n{','.join([*cells, 'x'])}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="line 3: 19 cells, the header has 18"):
        import_sheet(store, tmp_path / "wide.csv")
    # An unclosed quote would run the next rows into one cell: an error at its record's line.
    (tmp_path / "quote.csv").write_text(f'{header}\n\n"unclosed\n,\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: not CSV \(unexpected end of data\)"):
        import_sheet(store, tmp_path / "quote.csv")
    (tmp_path / "stray.csv").write_text(f'{header}\n"S-1"x,\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2: not CSV"):
        import_sheet(store, tmp_path / "stray.csv")
    with pytest.raises(InputError, match="cannot read review sheet"):
        import_sheet(store, tmp_path)
    with pytest.raises(ConfigError, match="not a table of findings"):
        next(reviewed_rows(store, "articles"))
    assert store.reviews() == {}


def test_correct_with_its_own_value_as_correction_is_a_plain_correct(
    store: Store, tmp_path: Path
) -> None:
    dane = ids(store, "stances")["Dane County Sheriff's Office"]
    sheet = decide(
        store, tmp_path, {dane: {"verdict": "correct", "corrected_value": "Refuses"}}, "f.csv"
    )
    assert import_sheet(store, sheet, reviewer="ann").new == 1
    assert store.reviews()[dane].corrected_value == ""
