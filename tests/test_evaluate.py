"""Tests for extractor.evaluate: gold loading, name and quote matching, scores, report."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest

from extractor.errors import InputError
from extractor.evaluate import (
    GoldDoc,
    Report,
    evaluate,
    format_report,
    load_gold,
    names_match,
    normalise_name,
    normalise_quote,
    quote_matches,
)
from extractor.export import to_frames, write_tables
from extractor.rows import (
    AgencyRow,
    AgencyType,
    ArticleRow,
    DocumentRows,
    OfficialRow,
    QuoteRow,
    Stance,
    StanceRow,
)

SEEDS = Path("/work/shared/seeds")
SEED_GOLD = SEEDS / "gold.jsonl"
needs_seeds = pytest.mark.skipif(not SEED_GOLD.is_file(), reason="seed gold not present")

R = TypeVar("R", AgencyRow, OfficialRow, QuoteRow, StanceRow)


# ----------------------------------------------------------------- name matching


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The Las Vegas Metropolitan Police Department",
            "las vegas metropolitan police department",
        ),
        ("Hennepin County Sheriff's Office", "hennepin county sheriff office"),
        ("Hennepin County Sheriff\u2019s Office", "hennepin county sheriff office"),
        ("U.S. Department of Justice", "us department of justice"),
        ("Co-Executive  Director", "co executive director"),
        ("Theodore Roosevelt", "theodore roosevelt"),
    ],
)
def test_normalise_name(text: str, expected: str) -> None:
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    ("gold", "pred", "gold_aliases", "pred_aliases", "expected"),
    [
        (
            "the Las Vegas Metropolitan Police Department",
            "Las Vegas Metropolitan Police Department",
            (),
            (),
            True,
        ),
        ("U.S. Immigration and Customs Enforcement", "ICE", ("ICE",), (), True),
        # Acronym of the capitalised words, without any alias to help.
        ("U.S. Immigration and Customs Enforcement", "ICE", (), (), True),
        ("Immigration and Customs Enforcement", "ICE", (), (), True),
        ("Las Vegas Metropolitan Police Department", "LVMPD", (), (), True),
        ("Department of Justice", "DOJ", (), (), True),
        ("Hennepin County", "Hennepin County Sheriff's Office", (), (), False),
        ("Hennepin County Sheriff's Office", "Hennepin County", (), (), False),
        ("Hennepin County Sheriff's Office", "Hennepin County Sheriff\u2019s Office", (), (), True),
        ("Hennepin County Sheriff's Office", "the Hennepin County Sheriff's Office.", (), (), True),
        ("Anoka County", "Dakota County", (), (), False),
        ("City of Chicago", "Chicago Police Department", ("Chicago",), (), False),
        ("City of Chicago", "Chicago", ("Chicago",), (), True),
        ("City of St. Paul", "St Paul", ("St. Paul",), (), True),
        # A gold name equal to a predicted alias.
        ("New York City Police Department", "NYPD", (), ("New York City Police Department",), True),
        ("New York City Police Department", "NYPD", (), (), False),
        # 4 of 5 tokens shared: Jaccard 0.8, on the threshold.
        (
            "U.S. Immigration and Customs Enforcement",
            "Immigration and Customs Enforcement",
            (),
            (),
            True,
        ),
        # 3 of 4: below it.
        ("U.S. Department of Justice", "Department of Justice", (), (), False),
        ("ice", "Immigration and Customs Enforcement", (), (), False),  # acronyms are capitals
        ("", "", (), (), False),
    ],
)
def test_names_match(
    gold: str,
    pred: str,
    gold_aliases: tuple[str, ...],
    pred_aliases: tuple[str, ...],
    expected: bool,
) -> None:
    assert names_match(gold, pred, gold_aliases=gold_aliases, pred_aliases=pred_aliases) is expected


@pytest.mark.parametrize(
    ("starts", "quote", "expected"),
    [
        ("That\u2019s not my job", "That's not my job, he said.", True),
        ("That's not my job", "“That\u2019s   not my job”", True),
        ("will not stop and question", '"will not stop and question, detain, arrest"', True),
        ("We are dedicated to serving", "And we are dedicated to serving the community", True),
        ("do not and will not", "x" * 70 + " do not and will not help", False),
        ("Our mission is to create", "Our mission is to protect", False),
    ],
)
def test_quote_matches(starts: str, quote: str, expected: bool) -> None:
    assert quote_matches(starts, quote) is expected


def test_normalise_quote_strips_marks_and_collapses_space() -> None:
    assert normalise_quote(" “We  are\nhere.” ") == "we are here"


# ------------------------------------------------------------------------- gold


def write_gold(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gold_line(**changes: object) -> str:
    record: dict[str, object] = {
        "doc_id": "g1",
        "file": "a.txt",
        "agencies": [{"name": "Omaha Police Department", "type": "police", "state": "NE"}],
        "officials": [],
        "quotes": [],
        "stances": [{"agency": "Omaha Police Department", "stance": "refuses"}],
    }
    record.update(changes)
    return json.dumps({k: v for k, v in record.items() if v is not None})


@needs_seeds
def test_load_seed_gold() -> None:
    entries = load_gold(SEED_GOLD)
    assert [entry.doc_id for entry in entries] == ["s01", "s02"]
    assert entries[0].file == SEEDS / "000_79f2075f555beae4.txt"
    assert entries[0].url is None
    assert [len(entries[0].agencies), len(entries[1].stances)] == [14, 5]
    assert entries[1].agencies[0].aliases == ("NYPD",)


def test_load_gold_defaults_and_blank_lines(tmp_path: Path) -> None:
    path = write_gold(
        tmp_path, gold_line(), "", gold_line(doc_id="g2", file=None, url="https://x/1")
    )
    first, second = load_gold(path)
    assert first.file == tmp_path / "a.txt"
    assert first.agencies[0].aliases == ()
    assert first.stances[0].evidence_contains == ""
    assert second.url == "https://x/1"
    assert second.line == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"gold\.jsonl:2: not JSON"),
        ("[1, 2]", r":2: expected a JSON object"),
        (gold_line(doc_id=None), r":2: document lacks key 'doc_id'"),
        (gold_line(file=None), r":2: document needs a 'file' or a 'url'"),
        (gold_line(quotes=None), r":2: document lacks key 'quotes'"),
        (gold_line(agencies=[{"name": "X"}]), r":2: agencies\[0\] lacks key 'type'"),
        (gold_line(agencies=[{"name": "X", "type": "army"}]), r"'type' is 'army'"),
        (gold_line(stances=[{"agency": "X", "stance": "maybe"}]), r"stances\[0\]: 'stance'"),
        (gold_line(quotes=[{"speaker": "X", "starts": "“…”"}]), r"'starts' holds no words"),
        (gold_line(quotes=[{"speaker": "X"}]), r"quotes\[0\] lacks key 'starts'"),
        (gold_line(officials=["Witt"]), r"officials\[0\] must be an object"),
        (gold_line(doc_id="g0"), r":2: doc_id 'g0' already used on line 1"),
    ],
)
def test_load_gold_rejects_bad_lines(tmp_path: Path, line: str, message: str) -> None:
    path = write_gold(tmp_path, gold_line(doc_id="g0"), line)
    with pytest.raises(InputError, match=message) as info:
        load_gold(path)
    assert info.value.reason == "gold"


def test_load_gold_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read gold file"):
        load_gold(tmp_path / "nope.jsonl")


# ------------------------------------------------------------------ end to end


def perfect_rows(entry: GoldDoc) -> DocumentRows:
    """What a flawless extractor would output for ``entry``."""
    doc_id = f"pred-{entry.doc_id}"
    source = str(entry.file) if entry.file is not None else str(entry.url)
    return DocumentRows(
        article=ArticleRow(doc_id=doc_id, source=source),
        agencies=tuple(
            AgencyRow(doc_id, a.name, cast(AgencyType, a.type), a.state, "; ".join(a.aliases), 1)
            for a in entry.agencies
        ),
        officials=tuple(OfficialRow(doc_id, o.name, o.title, o.agency) for o in entry.officials),
        quotes=tuple(
            QuoteRow(doc_id, f"“{q.starts} and more.”", q.speaker, "person", "", "", "said", 0, 9)
            for q in entry.quotes
        ),
        stances=tuple(
            StanceRow(
                doc_id,
                s.agency,
                cast(Stance, s.stance),
                f"It said it {s.evidence_contains}.",
                "",
                "",
                0.9,
            )
            for s in entry.stances
        ),
    )


def run(tmp_path: Path, gold: list[GoldDoc], docs: list[DocumentRows], fmt: str = "csv") -> Report:
    out = tmp_path / "pred"
    write_tables(to_frames(docs), out, formats=(fmt,))
    return evaluate(gold, out)


def drop(rows: tuple[R, ...], **where: str) -> tuple[R, ...]:
    """``rows`` without those whose fields equal ``where``; fails if none do."""
    kept = tuple(r for r in rows if any(getattr(r, k) != v for k, v in where.items()))
    assert len(kept) == len(rows) - 1, where
    return kept


def change(rows: tuple[R, ...], key: str, value: str, **updates: Any) -> tuple[R, ...]:
    """``rows`` with the one row whose ``key`` field equals ``value`` updated."""
    hits = [r for r in rows if getattr(r, key) == value]
    assert len(hits) == 1, (key, value)
    return tuple(dataclasses.replace(r, **updates) if r is hits[0] else r for r in rows)


@needs_seeds
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_perfect_prediction_scores_one(tmp_path: Path, fmt: str) -> None:
    gold = load_gold(SEED_GOLD)
    report = run(tmp_path, gold, [perfect_rows(entry) for entry in gold], fmt)

    assert set(report.tables) == {"agencies", "officials", "quotes", "stances"}
    expected_gold = {"agencies": 20, "officials": 7, "quotes": 10, "stances": 17}
    for name, score in report.tables.items():
        assert (score.gold, score.pred, score.tp) == (expected_gold[name],) * 3
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
        assert all(accuracy.value == 1.0 for accuracy in score.accuracies), name
    assert not report.missing_documents
    assert report.unscored == ()
    assert [d.sources for d in report.documents] == [(str(entry.file),) for entry in gold]


def imperfect_rows(gold: list[GoldDoc]) -> list[DocumentRows]:
    s01, s02 = (perfect_rows(entry) for entry in gold)
    # --- s01 agencies: 14 gold; drop 1, add 1 spurious -> pred 14, tp 13.
    agencies = drop(s01.agencies, agency="Beloit Police Department")
    agencies = change(
        agencies, "agency", "Stockton Police Department", agency="The Stockton Police Department's"
    )
    agencies = change(
        agencies, "agency", "Chicago Police Department", agency_type="city"
    )  # type wrong
    agencies = change(agencies, "agency", "Omaha Police Department", state="")  # state wrong
    agencies = change(
        agencies, "agency", "U.S. Immigration and Customs Enforcement", agency="ICE", aliases=""
    )
    agencies += (AgencyRow("pred-s01", "Immigration Hub", "other", "", "", 1),)
    # --- s01 officials: 5 gold; drop 1, add 1 -> pred 5, tp 4; title 3/4, agency 3/4.
    officials = drop(s01.officials, name="Melvin Carter")
    officials = change(officials, "name", "Trump", name="Donald J. Trump")
    officials = change(officials, "name", "Kerri Talbot", title="Director")
    officials = change(officials, "name", "Dawanna Witt", agency="Hennepin County")
    officials += (OfficialRow("pred-s01", "Tom Homan", "Border Czar", ""),)
    # --- s01 quotes: 9 gold; drop 1, add 1 -> pred 9, tp 8; speaker 7/8.
    quotes = drop(s01.quotes, quote="“Our mission is to create and more.”")
    quotes = change(
        quotes,
        "quote",
        "“Through this kind of overreach and more.”",
        speaker="Todd Schmaderer",
    )
    # Gold speaker is the department; the person plus their agency still counts.
    quotes = change(
        quotes,
        "quote",
        "“do not and will not and more.”",
        speaker="Todd Schmaderer",
        speaker_agency="Omaha Police Department",
    )
    quotes = change(
        quotes,
        "quote",
        "“We are dedicated to serving and more.”",
        quote="And we are dedicated to serving",
    )
    quotes += (
        QuoteRow("pred-s01", "This is not in the gold at all", "X", "person", "", "", "said", 0, 1),
    )
    # --- s01 stances: 12 gold; drop 1, add 2 -> pred 13, matched 11, label right 9.
    stances = drop(s01.stances, agency="Beloit Police Department")
    stances = change(
        stances, "agency", "Stockton Police Department", stance="limits"
    )  # direction ok
    stances = change(stances, "agency", "Chicago Police Department", stance="cooperates")
    stances = change(stances, "agency", "Minneapolis Police Department", evidence="something else")
    omaha = next(s for s in stances if s.agency == "Omaha Police Department")
    stances += (
        StanceRow(
            "pred-s01", "U.S. Immigration and Customs Enforcement", "cooperates", "", "", "", 0.5
        ),
        omaha,  # a duplicate: one-to-one matching makes it spurious
    )
    # --- s02: drop one agency; one stance becomes "unclear"; the quote uses a straight apostrophe.
    s02_agencies = drop(s02.agencies, agency="City of Stockton")
    s02_officials = change(s02.officials, "name", "Kevin McMahill", agency="LVMPD")  # alias
    s02_quotes = change(s02.quotes, "speaker", "Kevin McMahill", quote="That's not my job, he said")
    s02_stances = change(s02.stances, "agency", "City of Omaha", stance="unclear")
    return [
        dataclasses.replace(
            s01, agencies=agencies, officials=officials, quotes=quotes, stances=stances
        ),
        dataclasses.replace(
            s02,
            agencies=s02_agencies,
            officials=s02_officials,
            quotes=s02_quotes,
            stances=s02_stances,
        ),
    ]


@needs_seeds
def test_imperfect_prediction_exact_scores(tmp_path: Path) -> None:
    gold = load_gold(SEED_GOLD)
    report = run(tmp_path, gold, imperfect_rows(gold))
    t = report.tables

    # agencies: s01 gold 14 pred 14 tp 13; s02 gold 6 pred 5 tp 5.
    assert (t["agencies"].gold, t["agencies"].pred, t["agencies"].tp) == (20, 19, 18)
    assert t["agencies"].precision == pytest.approx(18 / 19)
    assert t["agencies"].recall == pytest.approx(0.9)
    assert t["agencies"].f1 == pytest.approx(36 / 39)
    assert (t["agencies"].accuracy("type").right, t["agencies"].accuracy("type").total) == (17, 18)
    assert t["agencies"].accuracy("state").value == pytest.approx(17 / 18)

    # officials: s01 5/5/4, s02 2/2/2.
    assert (t["officials"].gold, t["officials"].pred, t["officials"].tp) == (7, 7, 6)
    assert t["officials"].f1 == pytest.approx(6 / 7)
    assert t["officials"].accuracy("title").value == pytest.approx(5 / 6)
    assert t["officials"].accuracy("agency").value == pytest.approx(5 / 6)

    # quotes: s01 9/9/8, s02 1/1/1; speaker wrong once.
    assert (t["quotes"].gold, t["quotes"].pred, t["quotes"].tp) == (10, 10, 9)
    assert t["quotes"].precision == pytest.approx(0.9)
    assert t["quotes"].recall == pytest.approx(0.9)
    assert t["quotes"].accuracy("speaker").value == pytest.approx(8 / 9)

    # stances: s01 gold 12 pred 13 matched 11 right 9; s02 gold 5 pred 5 right 4.
    assert (t["stances"].gold, t["stances"].pred, t["stances"].tp) == (17, 18, 13)
    assert t["stances"].precision == pytest.approx(13 / 18)
    assert t["stances"].recall == pytest.approx(13 / 17)
    assert t["stances"].f1 == pytest.approx(26 / 35)
    assert t["stances"].accuracy("exact").value == pytest.approx(13 / 16)
    assert t["stances"].accuracy("direction").value == pytest.approx(14 / 16)
    assert t["stances"].accuracy("evidence").value == pytest.approx(15 / 16)

    s01 = report.documents[0].tables
    assert s01["agencies"].missing == ("Beloit Police Department",)
    assert s01["agencies"].spurious == ("Immigration Hub",)
    assert s01["officials"].missing == ("Melvin Carter (Mayor)",)
    assert s01["stances"].spurious == (
        "U.S. Immigration and Customs Enforcement: cooperates",
        "Omaha Police Department: refuses",
    )
    assert (
        "Chicago Police Department: stance 'refuses', predicted 'cooperates'"
        in s01["stances"].wrong
    )


@needs_seeds
def test_gold_document_without_prediction_counts_as_missed(tmp_path: Path) -> None:
    gold = load_gold(SEED_GOLD)
    stray = DocumentRows(article=ArticleRow(doc_id="other", source="elsewhere/zzz.txt"))
    report = run(tmp_path, gold, [perfect_rows(gold[0]), stray])

    assert [d.doc_id for d in report.missing_documents] == ["s02"]
    assert report.unscored == ("other",)
    agencies = report.tables["agencies"]
    assert (agencies.gold, agencies.pred, agencies.tp) == (20, 14, 14)
    assert agencies.recall == pytest.approx(0.7)
    assert report.documents[1].tables["stances"].missing[0] == (
        "Las Vegas Metropolitan Police Department: limits"
    )
    text = format_report(report)
    assert "gold documents with no predicted article" in text
    assert "  s02  003_92338cb8d8728ea3.txt" in text


@needs_seeds
def test_file_matches_by_basename_when_corpus_moved(tmp_path: Path) -> None:
    gold = load_gold(SEED_GOLD)
    docs = [perfect_rows(entry) for entry in gold]
    moved = [
        dataclasses.replace(
            d, article=dataclasses.replace(d.article, source=f"copy/{Path(d.article.source).name}")
        )
        for d in docs
    ]
    report = run(tmp_path, gold, moved)
    assert all(score.f1 == 1.0 for score in report.tables.values())


def test_url_gold_matches_source_or_url_column(tmp_path: Path) -> None:
    gold = load_gold(
        write_gold(
            tmp_path,
            gold_line(doc_id="u1", file=None, url="https://news.example/a"),
            gold_line(doc_id="u2", file=None, url="https://news.example/b"),
        )
    )
    by_source = perfect_rows(gold[0])
    by_url = perfect_rows(gold[1])
    by_url = dataclasses.replace(
        by_url,
        article=ArticleRow("pred-u2", source="https://short.link/b", url="https://news.example/b"),
    )
    report = run(tmp_path, gold, [by_source, by_url])
    assert [d.sources for d in report.documents] == [
        ("https://news.example/a",),
        ("https://short.link/b",),
    ]
    assert report.tables["stances"].f1 == 1.0


def test_empty_tables_score_one(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path, gold_line(agencies=[], stances=[])))
    report = run(tmp_path, gold, [perfect_rows(gold[0])])
    score = report.tables["quotes"]
    assert (score.gold, score.pred, score.precision, score.recall, score.f1) == (
        0,
        0,
        1.0,
        1.0,
        1.0,
    )
    assert score.accuracy("speaker").value is None


def test_missing_prediction_tables_is_input_error(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path, gold_line()))
    with pytest.raises(InputError, match="no articles table"):
        evaluate(gold, tmp_path / "empty")


# ----------------------------------------------------------------------- report


def test_format_report_layout(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path, gold_line()))
    rows = perfect_rows(gold[0])
    rows = dataclasses.replace(
        rows,
        stances=(StanceRow("pred-g1", "the Omaha Police Department", "limits", "", "", "", 0.9),),
    )
    report = run(tmp_path, gold, [rows])
    assert format_report(report) == (
        "documents: 1 in gold, 1 with predictions, 0 without; "
        "0 predicted not in gold (not scored)\n"
        "\n"
        "table      gold  pred  tp  precision  recall     F1  accuracy (matched)\n"
        "agencies      1     1   1      1.000   1.000  1.000  type 1.000 (1/1), state 1.000 (1/1)\n"
        "officials     0     0   0      1.000   1.000  1.000  title - (0/0), agency - (0/0)\n"
        "quotes        0     0   0      1.000   1.000  1.000  speaker - (0/0)\n"
        "stances       1     1   0      0.000   0.000  0.000  "
        "exact 0.000 (0/1), direction 1.000 (1/1), evidence - (0/0)\n"
    )
    verbose = format_report(report, verbose=True)
    assert "== g1  a.txt\n  table      gold" in verbose
    assert (
        "  wrong stances: Omaha Police Department: stance 'refuses', predicted 'limits'\n"
        in verbose
    )


def test_report_to_dict_is_json(tmp_path: Path) -> None:
    gold = load_gold(write_gold(tmp_path, gold_line()))
    report = run(tmp_path, gold, [perfect_rows(gold[0])])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["documents"] == {"gold": 1, "found": 1, "missing": [], "unscored_predictions": []}
    assert data["tables"]["stances"]["f1"] == 1.0
    assert data["tables"]["agencies"]["accuracy"]["type"] == {"right": 1, "total": 1, "value": 1.0}
    assert data["per_document"][0]["tables"]["stances"]["missing"] == []
