"""Golden files: every fixture page's rows must equal fixtures/expected/NAME.json.

Refresh deliberately with ``pytest tests/test_golden.py --update-golden`` and
review the diff: a changed golden file is a changed behaviour.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from spacy.language import Language

from extractor.config import Settings
from extractor.inputs import iter_inputs
from extractor.run import process

from .conftest import ROOT

PAGES = ROOT / "fixtures" / "pages"
EXPECTED = ROOT / "fixtures" / "expected"
NAMES = sorted(p.name for p in PAGES.iterdir() if p.is_file())


def _snapshot(nlp: Language, name: str) -> dict[str, Any]:
    # Relative source, so doc_id and source do not depend on where the repository lives.
    source = f"fixtures/pages/{name}"
    (rows,) = process(iter_inputs([str(PAGES / name)]), nlp=nlp, settings=Settings())
    tables = rows.tables()
    snapshot: dict[str, Any] = {}
    for table, items in tables.items():
        records = [dataclasses.asdict(item) for item in items]
        for record in records:
            record.pop("doc_id")
            if "source" in record:
                record["source"] = source
        snapshot[table] = records
    return snapshot


def test_every_page_has_an_expected_file() -> None:
    missing = [n for n in NAMES if not (EXPECTED / f"{n}.json").is_file()]
    assert not missing, f"no golden file for {missing}; run pytest --update-golden and review"


@pytest.mark.parametrize("name", NAMES)
def test_page_matches_golden_file(nlp: Language, name: str, request: pytest.FixtureRequest) -> None:
    actual = _snapshot(nlp, name)
    target = EXPECTED / f"{name}.json"
    if request.config.getoption("--update-golden"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(target.read_text(encoding="utf-8"))
    for table in expected:
        assert actual[table] == expected[table], f"{name}: {table} differs from {target}"
