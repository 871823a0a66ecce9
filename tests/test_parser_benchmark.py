"""The article-extraction benchmark: its metric (benchmarks/parser_benchmark.py,
from the benchmark README's definition) and a floor under our parser's score.

The floor sits a little under the F1 measured when it was pinned (0.982 on all
181 pages, see README "Parser quality"): a change that loses main text or lets
boilerplate back in fails here. Raise it when the parser improves.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT

BENCH = ROOT.parent / "shared" / "bench" / "article-extraction"
F1_FLOOR = 0.975
PRECISION_FLOOR = 0.970
RECALL_FLOOR = 0.980


def _load_benchmark() -> ModuleType:
    path = ROOT / "benchmarks" / "parser_benchmark.py"
    spec = importlib.util.spec_from_file_location("parser_benchmark", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is built.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b c d e", {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}),
        ("One, two!", {("One", "two"): 1}),
        ("x x x x x", {("x", "x", "x", "x"): 2}),
        ("", {}),
        ("  ... ", {}),
    ],
)
def test_shingles(text: str, expected: dict[tuple[str, ...], int]) -> None:
    assert dict(bench.shingles(text)) == expected


def test_score_page_normalises_counts() -> None:
    score = bench.score_page("a b c d e", "a b c d")
    assert (score.tp, score.fp, score.fn) == (0.5, 0.0, 0.5)
    assert (score.precision, score.recall, score.exact) == (1.0, 0.5, False)


def test_score_page_exact_ignores_punctuation_not_case() -> None:
    assert bench.score_page("The chief, said: no.", "The chief said no").exact
    assert not bench.score_page("The chief said no", "the chief said no").exact


def test_empty_prediction_lowers_recall_only() -> None:
    empty = bench.score_page("a b c d e", "")
    perfect = bench.score_page("f g h i", "f g h i")
    summary = bench.summarise([empty, perfect])
    assert summary.precision == 1.0
    assert summary.recall == 0.5
    assert summary.f1 == pytest.approx(2 / 3)
    assert summary.accuracy == 0.5


def test_bootstrap_spread_is_zero_for_identical_pages() -> None:
    scores = [bench.score_page("a b c d e", "a b c d")] * 5
    spread = bench.bootstrap(scores, rounds=20)
    assert spread.f1 == 0.0


@pytest.fixture(scope="module")
def benchmark_pages() -> list[object]:
    if not (BENCH / "ground-truth.json").is_file():
        pytest.skip(f"benchmark not found at {BENCH}")
    pages: list[object] = bench.load_pages(BENCH)
    return pages


def test_parser_stays_above_the_pinned_floor(benchmark_pages: list[object]) -> None:
    scores = [bench.score_page(page.gold, bench.ours(page)) for page in benchmark_pages]  # type: ignore[attr-defined]
    summary = bench.summarise(scores)
    assert len(scores) == 181
    assert summary.f1 >= F1_FLOOR, summary
    assert summary.precision >= PRECISION_FLOOR, summary
    assert summary.recall >= RECALL_FLOOR, summary


def test_benchmark_script_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert bench.main([str(tmp_path)]) == 2
    assert "no benchmark" in capsys.readouterr().err
