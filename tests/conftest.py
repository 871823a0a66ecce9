"""Shared fixtures: the spaCy pipeline is built once per test session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from spacy.language import Language

from extractor.config import DEFAULT_MODEL
from extractor.nlp import load_nlp

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_nlp(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS


def find_span(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """Character span of the ``occurrence``-th ``needle`` in ``text`` (test helper)."""
    starts = [m.start() for m in re.finditer(re.escape(needle), text)]
    start = starts[occurrence]
    return start, start + len(needle)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite fixtures/expected/*.json from the current extractor (review the diff before committing)",
    )
