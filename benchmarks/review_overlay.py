"""What laying review decisions over the rows costs an export of the store.

Usage: python benchmarks/review_overlay.py [--articles 3000]

Builds a store of synthetic articles (4 agencies, 2 officials, 1 quote and 3
stances each) in a temporary directory, marks every tenth finding reviewed, then
times reading each finding table the way ``export --store`` did before reviews
(``Store.table_rows``) and with the decisions laid over it
(``review.reviewed_rows`` + ``export_values``), in the same process, best of 3.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from extractor.review import KEY_FIELDS, MAIN_FIELDS, finding_id, reviewed_rows
from extractor.rows import (
    TABLES,
    AgencyRow,
    ArticleRow,
    DocumentRows,
    OfficialRow,
    QuoteRow,
    StanceRow,
)
from extractor.run import doc_id_for
from extractor.store import CHILD_TABLES, Attempt, Review, Store, now


def build(store: Store, articles: int) -> None:
    run_id = store.begin_run("bench")
    urls = [f"https://example.org/{n}" for n in range(articles)]
    store.add_urls(run_id, [(url, url, "url") for url in urls])
    for n, url in enumerate(urls):
        doc_id = doc_id_for(url)
        text = f'Story {n}. The Agency {n} will not help. "We will not," Chief {n} said.'
        sha = hashlib.sha256(text.encode()).hexdigest()
        rows = DocumentRows(
            ArticleRow(doc_id, url, title=f"Story {n}", text_sha256=sha, url=url),
            tuple(AgencyRow(doc_id, f"Agency {n} {k}", "police", "NV", "", 1) for k in range(4)),
            tuple(OfficialRow(doc_id, f"Chief {n} {k}", "Chief", f"Agency {n}") for k in range(2)),
            (QuoteRow(doc_id, "We will not,", f"Chief {n}", "person", "", "", "say", 40, 52),),
            tuple(
                StanceRow(doc_id, f"Agency {n} {k}", "refuses", "e", "c", "", 0.8) for k in range(3)
            ),
        )
        attempt = Attempt(url=url, outcome="fetched", body_sha256=sha)
        store.record_rows(run_id, attempt, rows, status="new", text=text)
    decisions = [
        (table, values)
        for table in CHILD_TABLES
        for index, values in enumerate(store.table_rows(table))
        if index % 10 == 0
    ]
    store.save_reviews(_reviews(decisions))


def _reviews(decisions: list[tuple[str, tuple[object, ...]]]) -> list[Review]:
    reviews = []
    for table, values in decisions:
        row = TABLES[table](*values)
        reviews.append(
            Review(
                finding_id(table, row),
                table,
                row.doc_id,
                getattr(row, KEY_FIELDS[table]),
                getattr(row, MAIN_FIELDS[table]),
                "correct",
                "",
                "bench",
                "",
                now(),
                "bench.csv",
            )
        )
    return reviews


def best_of(runs: int, func: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.sqlite3") as store:
        build(store, args.articles)
        raw_total = overlay_total = 0.0
        for table in CHILD_TABLES:
            count = sum(1 for _ in store.table_rows(table))
            raw = best_of(3, lambda t=table: sum(1 for _ in store.table_rows(t)))
            overlay = best_of(
                3, lambda t=table: [row.export_values() for row in reviewed_rows(store, t)]
            )
            raw_total, overlay_total = raw_total + raw, overlay_total + overlay
            print(
                f"{table:10} {count:7} rows  table_rows {raw:.3f} s  reviewed_rows {overlay:.3f} s"
            )
        print(
            f"{'all':10} {'':7}       table_rows {raw_total:.3f} s  reviewed_rows {overlay_total:.3f} s"
        )


if __name__ == "__main__":
    main()
