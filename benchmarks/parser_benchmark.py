"""Main-text quality and speed of our parser against trafilatura, on the article-extraction benchmark.

Usage: python benchmarks/parser_benchmark.py [DIR] [--rounds N] [--only ours] [--errors K]

DIR defaults to ../shared/bench/article-extraction (181 real news pages with
their gold article body, from scrapinghub/article-extraction-benchmark). Both
extractors read the same decoded HTML in this one process; each is timed over
all pages ``--rounds`` times, alternating, and the fastest round is reported
(timeit's advice on a shared, noisy machine). trafilatura (extra ``bench``) is
imported only here, never by the package, and called as the benchmark's own
script calls it: ``trafilatura.extract(html, include_comments=False)``.

The metric is implemented from the benchmark README's definition:
tokens are maximal ``\\w+`` runs (case kept); shingles are windows of 4
tokens counted as a multiset (1-3 tokens give one shorter shingle, none give
none); per page TP/FP/FN are the multiset overlap and surpluses, each divided
by TP+FP+FN; precision is averaged over pages whose prediction has shingles,
recall over pages whose gold has shingles; F1 is the harmonic mean of the two
averages; accuracy is the share of pages whose token sequence equals the
gold's; the "±" figures are standard deviations over 1,000 bootstrap
resamples of the pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import ParseError
from extractor.parse import parse_html

DEFAULT_DIR = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "article-extraction"
)
_TOKEN = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = tokenize(text)
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's normalised counts; precision is None when the prediction has no shingles."""

    tp: float
    fp: float
    fn: float
    exact: bool
    predicted_any: bool
    gold_any: bool

    @property
    def precision(self) -> float:
        return 1.0 if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return 1.0 if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)


def score_page(gold: str, predicted: str) -> PageScore:
    gold_shingles, predicted_shingles = shingles(gold), shingles(predicted)
    tp = sum((gold_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - gold_shingles).values())
    fn = sum((gold_shingles - predicted_shingles).values())
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    return PageScore(
        tp=tp,
        fp=fp,
        fn=fn,
        exact=tokenize(gold) == tokenize(predicted),
        predicted_any=bool(predicted_shingles),
        gold_any=bool(gold_shingles),
    )


@dataclass(frozen=True, slots=True)
class Summary:
    precision: float
    recall: float
    f1: float
    accuracy: float


def summarise(scores: Sequence[PageScore]) -> Summary:
    precisions = [s.precision for s in scores if s.predicted_any]
    recalls = [s.recall for s in scores if s.gold_any]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(s.exact for s in scores) / len(scores) if scores else 0.0
    return Summary(precision, recall, f1, accuracy)


def bootstrap(scores: Sequence[PageScore], *, rounds: int = 1000, seed: int = 0) -> Summary:
    """Standard deviation of each figure over ``rounds`` resamples of the pages."""
    rng = random.Random(seed)
    samples = [summarise(rng.choices(scores, k=len(scores))) for _ in range(rounds)]
    return Summary(
        *(
            statistics.pstdev(getattr(s, field) for s in samples)
            for field in ("precision", "recall", "f1", "accuracy")
        )
    )


@dataclass(frozen=True, slots=True)
class BenchPage:
    page_id: str
    html: str
    gold: str
    url: str


def load_pages(directory: Path) -> list[BenchPage]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        with gzip.open(directory / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            html = f.read()
        pages.append(BenchPage(page_id, html, truth[page_id]["articleBody"], truth[page_id]["url"]))
    return pages


def ours(page: BenchPage) -> str:
    """Our article body: the page's paragraphs without the headline (the gold has none)."""
    try:
        return parse_html(page.html, source=page.page_id, url=page.url).body
    except ParseError:
        return ""


def trafilatura_body(page: BenchPage) -> str:
    import trafilatura

    return trafilatura.extract(page.html, include_comments=False) or ""


def run(pages: Sequence[BenchPage], extract: Callable[[BenchPage], str]) -> tuple[list[str], float]:
    start = time.perf_counter()
    outputs = [extract(page) for page in pages]
    return outputs, time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes per extractor")
    parser.add_argument("--only", choices=["ours", "trafilatura"], help="run one extractor")
    parser.add_argument("--errors", type=int, default=0, help="list the K worst pages of ours")
    args = parser.parse_args(argv)
    if not (args.directory / "ground-truth.json").is_file():
        print(f"no benchmark at {args.directory}", file=sys.stderr)
        return 2
    pages = load_pages(args.directory)
    extractors: dict[str, Callable[[BenchPage], str]] = {
        "ours": ours,
        "trafilatura": trafilatura_body,
    }
    if args.only:
        extractors = {args.only: extractors[args.only]}
    outputs: dict[str, list[str]] = {}
    best: dict[str, float] = {}
    for _ in range(max(1, args.rounds)):
        for name, extract in extractors.items():
            outputs[name], seconds = run(pages, extract)
            best[name] = min(best.get(name, seconds), seconds)

    print(f"{len(pages)} pages; fastest of {args.rounds} rounds")
    print(
        f"{'extractor':<12} {'precision':>15} {'recall':>15} {'F1':>15} {'exact':>15} {'pages/s':>8}"
    )
    for name in extractors:
        scores = [score_page(p.gold, out) for p, out in zip(pages, outputs[name], strict=True)]
        mean, spread = summarise(scores), bootstrap(scores)
        cells = [
            f"{getattr(mean, f):.3f} ± {getattr(spread, f):.3f}"
            for f in ("precision", "recall", "f1", "accuracy")
        ]
        print(
            f"{name:<12} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} {cells[3]:>15} {len(pages) / best[name]:8.1f}"
        )
        if name == "ours" and args.errors:
            ranked = sorted(zip(scores, pages, strict=True), key=lambda sp: sp[0].tp)
            for score, page in ranked[: args.errors]:
                print(
                    f"  {page.page_id[:12]} P={score.precision:.2f} R={score.recall:.2f} {page.url}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
