"""Stance timelines and changes: who is one agency, date order, the unclear rule, --since, output."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.changes import (
    CHANGE_COLUMNS,
    find_changes,
    format_changes,
    moment_of,
    stance_timeline,
)
from extractor.cli import EXIT_OK, EXIT_USAGE, main
from extractor.errors import ConfigError
from extractor.review import finding_id
from extractor.rows import StanceRow
from extractor.store import Review, Store, parse_since

from .stancestore import S, add_article


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "crawl.sqlite3") as opened:
        yield opened


def labels(store: Store, since: str | None = None) -> list[tuple[str, str, str]]:
    return [
        (row.agency, row.from_stance, row.to_stance)
        for row in find_changes(stance_timeline(store), since=since)
    ]


@pytest.mark.parametrize(
    ("published", "extracted_at", "expected"),
    [
        (
            "2025-03-04",
            "2026-01-01T00:00:00+00:00",
            ("2025-03-04T00:00:00+00:00", "2025-03-04", "published"),
        ),
        # A published time keeps its own calendar day for display; ordering is in UTC.
        ("2025-03-04T21:30:00-05:00", "", ("2025-03-05T02:30:00+00:00", "2025-03-04", "published")),
        ("", "2026-11-20T06:00:00+00:00", ("2026-11-20T06:00:00+00:00", "2026-11-20", "extracted")),
        (
            "March 2025",
            "2026-11-20T06:00:00+00:00",
            ("2026-11-20T06:00:00+00:00", "2026-11-20", "extracted"),
        ),
        ("", "", ("", "", "extracted")),
    ],
)
def test_moment_of(published: str, extracted_at: str, expected: tuple[str, str, str]) -> None:
    assert moment_of(published, extracted_at) == expected


def test_changes_follow_published_dates_not_crawl_order(store: Store) -> None:
    # Crawled newest first: the order of the timeline is the articles' dates.
    add_article(
        store,
        "https://n.example/3",
        [S("Washoe County Sheriff's Office", "cooperates")],
        published="2025-09-01",
    )
    add_article(
        store,
        "https://n.example/1",
        [S("Washoe County Sheriff's Office", "refuses")],
        published="2025-01-10",
    )
    add_article(
        store,
        "https://n.example/2",
        [S("Washoe County Sheriff's Office", "refuses")],
        published="2025-04-02T10:00:00-07:00",
    )
    (timeline,) = stance_timeline(store)
    assert [e.date for e in timeline.entries] == ["2025-01-10", "2025-04-02", "2025-09-01"]
    assert timeline.latest == "cooperates" and timeline.articles == 3
    (change,) = find_changes([timeline])
    assert (change.from_stance, change.to_stance) == ("refuses", "cooperates")
    assert (change.from_date, change.to_date) == ("2025-04-02", "2025-09-01")
    assert (change.from_url, change.to_url) == ("https://n.example/2", "https://n.example/3")
    assert change.to_evidence == "Washoe County Sheriff's Office cooperates."


@pytest.mark.parametrize(
    ("sequence", "changes", "latest"),
    [
        (["refuses", "unclear", "refuses"], [], "refuses"),
        (["refuses", "unclear", "cooperates"], [("refuses", "cooperates")], "cooperates"),
        (["unclear", "limits"], [], "limits"),
        (["limits", "unclear"], [], "limits"),
        (["unclear", "unclear"], [], "unclear"),
        (
            ["refuses", "limits", "refuses"],
            [("refuses", "limits"), ("limits", "refuses")],
            "refuses",
        ),
    ],
)
def test_unclear_is_never_a_change_by_itself(
    store: Store, sequence: list[str], changes: list[tuple[str, str]], latest: str
) -> None:
    for day, stance in enumerate(sequence, start=1):
        add_article(
            store,
            f"https://n.example/{day}",
            [S("Dane County Sheriff's Office", stance, state="WI")],
            published=f"2025-05-0{day}",
        )
    (timeline,) = stance_timeline(store)
    assert [(r.from_stance, r.to_stance) for r in find_changes([timeline])] == changes
    assert timeline.latest == latest


def test_identity_is_the_ori_else_name_key_and_state(store: Store) -> None:
    add_article(
        store,
        "https://n.example/a",
        [
            S("Las Vegas Metropolitan Police Department", "refuses", ori="NV0020100"),
            S("Washoe County Sheriff's Office", "refuses", state="NV"),
        ],
        published="2025-01-01",
    )
    add_article(
        store,
        "https://n.example/b",
        [
            # Another name, the same ORI: one agency.
            S("LVMPD", "cooperates", ori="NV0020100"),
            # The name spelled differently, same state: one agency (reference.name_key).
            S("Washoe County Sheriffs Office", "cooperates", state="NV"),
            # Same name, another state: another agency.
            S("Washoe County Sheriff's Office", "cooperates", state="WA"),
        ],
        published="2025-02-01",
    )
    # Without a state: an agency of its own (one article gives a name one state).
    for n, stance in enumerate(["refuses", "cooperates"]):
        add_article(
            store,
            f"https://n.example/c{n}",
            [S("Washoe County Sheriff's Office", stance, state="")],
            published=f"2025-03-0{n + 1}",
        )
    got = labels(store)
    assert got == [
        ("LVMPD", "refuses", "cooperates"),
        ("Washoe County Sheriffs Office", "refuses", "cooperates"),
        ("Washoe County Sheriff's Office", "refuses", "cooperates"),
    ]
    timelines = stance_timeline(store)
    assert [(t.state, t.ori, len(t.entries)) for t in timelines] == [
        ("NV", "NV0020100", 2),
        ("NV", "", 2),
        ("WA", "", 1),
        ("", "", 2),
    ]


def test_a_name_and_state_linked_to_one_ori_elsewhere_takes_it(store: Store) -> None:
    add_article(
        store,
        "https://n.example/a",
        [S("Hennepin County Sheriff's Office", "limits", state="MN", ori="MN0270000")],
        published="2025-01-01",
    )
    add_article(
        store,
        "https://n.example/b",
        [S("Hennepin County Sheriff's Office", "refuses", state="MN")],
        published="2025-02-01",
    )
    (timeline,) = stance_timeline(store)
    assert timeline.key == "ori:MN0270000" and timeline.ori == "MN0270000"
    assert labels(store) == [("Hennepin County Sheriff's Office", "limits", "refuses")]


def test_articles_without_a_date_are_placed_when_extracted(store: Store) -> None:
    add_article(
        store, "https://n.example/old", [S("Clark County", "cooperates")], published="2025-01-01"
    )
    undated = add_article(store, "https://n.example/new", [S("Clark County", "refuses")])
    store.query(
        "UPDATE articles SET extracted_at = ? WHERE doc_id = ?",
        ("2025-06-01T08:00:00+00:00", undated),
    )
    (change,) = find_changes(stance_timeline(store))
    assert (change.to_date, change.to_dated_by, change.from_dated_by) == (
        "2025-06-01",
        "extracted",
        "published",
    )
    text = format_changes([change], "text")
    assert "2025-06-01 (extracted; no published date)  refuses" in text


def test_one_position_per_article(store: Store) -> None:
    # Two rows for one agency in one article (two names, one ORI): the most confident
    # stance other than unclear is the article's position.
    add_article(
        store,
        "https://n.example/1",
        [S("Ramsey County", "refuses", ori="MN062")],
        published="2025-01-01",
    )
    add_article(
        store,
        "https://n.example/2",
        [
            S("Ramsey County", "unclear", ori="MN062", confidence=0.9),
            S("Ramsey County Board", "limits", ori="MN062", confidence=0.6),
            S("County of Ramsey", "refuses", ori="MN062", confidence=0.6),
        ],
        published="2025-02-01",
    )
    (timeline,) = stance_timeline(store)
    assert [p.stance for p in timeline.positions()] == ["refuses", "limits"]
    assert labels(store) == [("County of Ramsey", "refuses", "limits")]


def test_since_keeps_changes_whose_later_article_is_on_or_after(store: Store) -> None:
    for n, (stance, day) in enumerate(
        [("refuses", "2025-01-01"), ("limits", "2025-03-01"), ("cooperates", "2025-06-01")]
    ):
        add_article(store, f"https://n.example/{n}", [S("Storey County", stance)], published=day)
    add_article(
        store,
        "https://n.example/other",
        [S("Dane County", "refuses", state="WI")],
        published="2025-01-02",
    )
    assert (
        labels(store, parse_since("2025-03-01"))
        == [
            ("Storey County", "limits", "cooperates"),
            ("Storey County", "refuses", "limits"),
        ][::-1]
    )
    assert labels(store, parse_since("2025-03-02")) == [("Storey County", "limits", "cooperates")]
    assert labels(store, parse_since("2025-07-01")) == []
    # The timeline keeps agencies with an article since then, with their whole history.
    (kept,) = stance_timeline(store, since=parse_since("2025-05-01"))
    assert kept.agency == "Storey County" and len(kept.entries) == 3


def test_formats(store: Store) -> None:
    add_article(
        store,
        "https://n.example/1",
        [S("Douglas County", "refuses", evidence='=HYPERLINK("x") said no.')],
        published="2025-01-01",
        title='First, "quoted"',
    )
    add_article(
        store,
        "https://n.example/2",
        [S("Douglas County", "limits", evidence="Only for felonies.\nReally.")],
        published="2025-02-01",
        title="Second",
    )
    rows = find_changes(stance_timeline(store))
    table = list(csv.reader(io.StringIO(format_changes(rows, "csv"))))
    assert tuple(table[0]) == CHANGE_COLUMNS
    record = dict(zip(table[0], table[1], strict=True))
    assert record["from_evidence"] == '\'=HYPERLINK("x") said no.'  # formula-safe
    assert record["from_title"] == 'First, "quoted"'
    (line,) = format_changes(rows, "jsonl").splitlines()
    assert json.loads(line)["from_evidence"] == '=HYPERLINK("x") said no.'
    assert list(json.loads(line)) == list(CHANGE_COLUMNS)
    text = format_changes(rows, "text")
    assert text.startswith("Douglas County (NV): refuses -> limits\n")
    assert "evidence: Only for felonies. Really." in text and text.endswith("1 stance change.\n")
    assert format_changes([], "text") == "No stance changes.\n"
    assert format_changes([], "csv").splitlines() == [",".join(CHANGE_COLUMNS)]
    assert format_changes([], "jsonl") == ""
    with pytest.raises(ConfigError, match="unknown changes format"):
        format_changes(rows, "xml")


def test_cli(tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(store.path)
    add_article(store, "https://n.example/1", [S("Lyon County", "refuses")], published="2025-01-01")
    assert main(["changes", "--store", path]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "No stance changes.\n"
    assert err == "0 stance changes in 0 of 1 agencies with a stance\n"

    add_article(
        store, "https://n.example/2", [S("Lyon County", "cooperates")], published="2025-02-01"
    )
    target = tmp_path / "changes.csv"
    assert main(["changes", "--store", path, "--format", "csv", "--out", str(target)]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "" and "1 stance change in 1 of 1 agencies" in err and str(target) in err
    assert (
        target.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("Lyon County,NV,,refuses,cooperates,")
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    assert (
        main(["changes", "--store", path, "--since", "2025-03-01", "--format", "jsonl"]) == EXIT_OK
    )
    assert capsys.readouterr().out == ""
    assert main(["changes", "--store", path, "--since", "last week"]) == EXIT_USAGE
    assert "--since: expected a date" in capsys.readouterr().err
    assert main(["changes", "--store", str(tmp_path / "missing.sqlite3")]) == EXIT_USAGE
    assert "no such store" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert main(["changes", "--store", path, "--out", str(blocked / "c.txt")]) == EXIT_USAGE
    assert "cannot write" in capsys.readouterr().err


def test_reviewed_stances_replace_the_extracted_ones(store: Store) -> None:
    sheriff = "Washoe County Sheriff's Office"
    first = add_article(
        store, "https://n.example/1", [S(sheriff, "refuses")], published="2025-01-10"
    )
    second = add_article(
        store,
        "https://n.example/2",
        [S(sheriff, "refuses"), S("Reno Police Department", "cooperates")],
        published="2025-03-01",
    )
    assert labels(store) == []

    def decision(doc_id: str, agency: str, verdict: str, corrected: str) -> Review:
        row = StanceRow(doc_id, agency, "refuses", "", "", "", 0.8)
        return Review(
            finding_id("stances", row), "stances", doc_id, agency, "refuses", verdict,
            corrected, "ana", "", "2026-11-21T00:00:00+00:00", "review.csv",
        )  # fmt: skip

    # A reviewer corrects the later article's label: that is a change now.
    store.save_reviews([decision(second, sheriff, "wrong", "cooperates")])
    assert labels(store) == [(sheriff, "refuses", "cooperates")]
    # A stance judged spurious drops out of the timeline: no change left.
    store.save_reviews([decision(second, sheriff, "wrong", "")])
    assert labels(store) == []
    assert [
        entry.doc_id for t in stance_timeline(store) for entry in t.entries if t.agency == sheriff
    ] == [first]
