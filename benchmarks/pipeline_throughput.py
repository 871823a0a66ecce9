"""Throughput of the full pipeline against bare ``nlp.pipe`` on the same texts, in one run.

Usage: python benchmarks/pipeline_throughput.py [DIR] [--model NAME]
DIR defaults to ../shared/bench/article-extraction/html (181 real news pages).

Prints pages, ok/error counts by reason, docs/s and words/s for (a) bare
``nlp.pipe`` of the stock model over the already-parsed texts, and (b) our
whole pipeline (load, decode, parse, nlp with our components, extraction),
and the ratio b/a. Both run in this process, one after the other, so the
ratio is comparable even on a noisy machine; absolute numbers are not.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import sys
import time
from pathlib import Path

import spacy

from extractor.config import Settings
from extractor.errors import ExtractorError
from extractor.inputs import iter_inputs
from extractor.nlp import load_nlp
from extractor.run import process, read_page

DEFAULT_DIR = (
    Path(__file__).resolve().parent.parent.parent
    / "shared"
    / "bench"
    / "article-extraction"
    / "html"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--model", default=Settings().model)
    args = parser.parse_args()
    if not args.directory.is_dir():
        print(f"no such directory: {args.directory}", file=sys.stderr)
        return 2
    settings = Settings(model=args.model)
    items = list(iter_inputs([str(args.directory)]))

    texts = []
    for item in items:
        with contextlib.suppress(ExtractorError):
            texts.append(read_page(item, settings=settings).text)
    words = sum(len(t.split()) for t in texts)

    bare = spacy.load(args.model)
    start = time.perf_counter()
    for _ in bare.pipe(texts, batch_size=settings.batch_size):
        pass
    bare_seconds = time.perf_counter() - start

    nlp = load_nlp(args.model)
    reasons: collections.Counter[str] = collections.Counter()
    rows = collections.Counter()
    start = time.perf_counter()
    for result in process(items, nlp=nlp, settings=settings):
        reasons[
            result.article.error.split(":")[0] if result.article.status == "error" else "ok"
        ] += 1
        for table, found in result.tables().items():
            rows[table] += len(found)
    full_seconds = time.perf_counter() - start

    print(f"inputs: {len(items)}  results: {sum(reasons.values())}  by status: {dict(reasons)}")
    print(f"rows: {dict(rows)}")
    print(f"words in parsed texts: {words:,}")
    print(
        f"(a) bare nlp.pipe ({args.model}): {len(texts) / bare_seconds:7.1f} docs/s  {words / bare_seconds:9,.0f} words/s"
    )
    print(
        f"(b) full pipeline:                 {len(items) / full_seconds:7.1f} docs/s  {words / full_seconds:9,.0f} words/s"
    )
    print(f"ratio b/a (docs/s): {bare_seconds / full_seconds * len(items) / len(texts):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
