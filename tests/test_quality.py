"""Quality gate: scores on our gold documents must not drop below pinned floors.

Three gold sets: the two real seed documents (../shared/seeds/gold.jsonl); the
fixture pages (fixtures/gold.jsonl: 38 hand-written pages, news stories, press
releases and statements, annotated by the guidelines in GOLD-FORMAT.md); and, for quotes only, the general
political news of fixtures/gold-politics.jsonl (quote and speaker attribution must
work beyond police stories). The 12 fresh fixture documents (d01-d12), written after
the rules were tuned, are scored apart from the first 38, and so are the 12 late ones
(u01-u12), written later still. Floors sit a little under the scores measured when
they were pinned (see README "Extraction quality"); raise them when the extractor
improves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor.config import Settings
from extractor.evaluate import GoldDoc, Report, evaluate, load_gold
from extractor.export import to_frames, write_tables
from extractor.inputs import iter_inputs
from extractor.nlp import load_nlp
from extractor.run import process

from .conftest import ROOT, SEEDS

# table -> (F1 floor, floor of the table's key accuracy)
SEED_FLOORS = {
    "agencies": (0.99, 0.99),
    "officials": (0.99, 0.99),
    "quotes": (0.99, 0.99),
    "stances": (0.99, 0.99),
}
FIXTURE_FLOORS = {
    "agencies": (0.98, 0.99),
    "officials": (0.97, 0.99),
    "quotes": (0.98, 0.94),
    "stances": (0.96, 0.97),
}
# The 12 fresh fixture documents (doc_id "d01"..."d12") were written after the rules above
# were tuned on the first 38; their scores say how far the rules reach beyond the wordings
# they were built on, so they get floors of their own (first measured untuned: agencies F1
# 0.855, officials 0.927, quotes 0.988, stances 0.540).
FRESH_FLOORS = {
    "agencies": (0.95, 0.97),
    "officials": (0.97, 0.96),
    "quotes": (0.98, 0.92),
    "stances": (0.88, 0.95),
}
# The 12 late documents (doc_id "u01"..."u12", 7 news stories and 5 statements) were written
# by someone who had not seen the rules, after the fresh ones were tuned on. Measured untuned:
# agencies F1 0.894, officials 0.957 (agency 0.778), quotes 0.963 (speaker 0.909), stances
# 0.762; then one fix of a class of stance errors they showed (a standing 287(g)/detainer
# arrangement beside a refusal of street-level enforcement cooperates) gave stances 0.905.
# The third round of general rules (issue 7b, from error classes, not from these texts) gave
# agencies 0.917, officials 0.990, quotes 0.988, stances 0.918.
LATE_FLOORS = {
    "agencies": (0.90, 0.97),
    "officials": (0.97, 0.92),
    "quotes": (0.97, 0.90),
    "stances": (0.89, 0.97),
}
# The 14 untuned documents (doc_id "v01"..."v14", 8 news stories and 6 statements) were
# written by an annotator who had not seen the rules, after the third round. Measured untuned:
# agencies F1 0.914, officials 0.961 (title 0.867, agency 0.796), quotes 0.982 (speaker
# 0.975), stances 0.695 (direction 0.902). Their error classes briefed the fourth round
# (fixed with other wordings), which gave agencies 0.952, officials 0.990 (agency 0.913),
# quotes 0.982, stances 0.889 (direction 0.978): development numbers from then on.
UNTUNED_FLOORS = {
    "agencies": (0.93, 0.98),
    "officials": (0.97, 0.97),
    "quotes": (0.97, 0.95),
    "stances": (0.86, 0.95),
}
POLITICS_FLOORS = {"quotes": (0.98, 0.91)}
KEY_ACCURACY = {
    "agencies": "type",
    "officials": "title",
    "quotes": "speaker",
    "stances": "direction",
}


@pytest.fixture(scope="module")
def predictions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("quality")
    settings = Settings()
    docs = process(
        iter_inputs([str(ROOT / "fixtures" / "pages")]),
        nlp=load_nlp(settings.model),
        settings=settings,
    )
    write_tables(to_frames(docs), out)
    return out


def _check(report: Report, floors: dict[str, tuple[float, float]]) -> None:
    for table, (f1_floor, accuracy_floor) in floors.items():
        score = report.tables[table]
        assert score.f1 >= f1_floor, f"{table} F1 {score.f1:.3f} < {f1_floor}"
        accuracy = score.accuracy(KEY_ACCURACY[table])
        assert accuracy is not None and accuracy.value is not None
        assert accuracy.value >= accuracy_floor, (
            f"{table} {accuracy.name} {accuracy.value:.3f} < {accuracy_floor}"
        )


def test_seed_gold_floors(predictions: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds not present")
    _check(evaluate(load_gold(SEEDS / "gold.jsonl"), predictions), SEED_FLOORS)


#: Fixture gold sets by the doc_id pattern of their documents.
_SETS = {"fresh": r"d\d+", "late": r"u\d+", "untuned": r"v\d+"}


def _fixture_gold(which: str) -> list[GoldDoc]:
    """``tuned`` (the first 38), ``fresh`` (d01-d12), ``late`` (u01-u12) or ``untuned``
    (v01-v14) fixture gold."""
    gold = load_gold(ROOT / "fixtures" / "gold.jsonl")
    if which == "tuned":
        return [g for g in gold if not any(re.fullmatch(p, g.doc_id) for p in _SETS.values())]
    return [g for g in gold if re.fullmatch(_SETS[which], g.doc_id)]


@pytest.mark.parametrize(
    ("which", "floors"),
    [
        ("tuned", FIXTURE_FLOORS),
        ("fresh", FRESH_FLOORS),
        ("late", LATE_FLOORS),
        ("untuned", UNTUNED_FLOORS),
    ],
)
def test_fixture_gold_floors(
    predictions: Path, which: str, floors: dict[str, tuple[float, float]]
) -> None:
    gold = _fixture_gold(which)
    assert len(gold) >= 12
    _check(evaluate(gold, predictions), floors)


@pytest.mark.parametrize(
    ("which", "floor"), [("tuned", 0.90), ("fresh", 0.79), ("late", 0.76), ("untuned", 0.88)]
)
def test_fixture_officials_agency_floor(predictions: Path, which: str, floor: float) -> None:
    report = evaluate(_fixture_gold(which), predictions)
    accuracy = report.tables["officials"].accuracy("agency")
    assert accuracy is not None and accuracy.value is not None
    assert accuracy.value >= floor, f"officials agency {accuracy.value:.3f} < {floor}"


def test_political_news_quote_floors(predictions: Path) -> None:
    gold = load_gold(ROOT / "fixtures" / "gold-politics.jsonl")
    _check(evaluate(gold, predictions), POLITICS_FLOORS)
