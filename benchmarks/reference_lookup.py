"""Reference linking (ORI, 287(g), conflict hints): how many agencies it links, and its cost.

Usage:
    extractor extract ../shared/bench/article-extraction/html --out /tmp/bench-out
    python benchmarks/reference_lookup.py /tmp/bench-out [--repeat N]

Reads the ``articles``, ``agencies`` and ``stances`` tables of an ``extractor
extract`` output directory and prints how many agency rows got an ORI (by
``ori_match``), how many are in ICE's 287(g) lists and how many stances carry a
conflict hint; the same counts for the golden files ``fixtures/expected/*.json``;
then the one-time cost of loading the two lists and the cost per document of
``reference.link_reference``, re-run on each document's rows with the reference
columns cleared (a state the link had filled is emptied again). Timings are
wall-clock on a shared machine: compare them within one run only.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from extractor import reference
from extractor.export import read_table
from extractor.rows import AgencyRow, ArticleRow, DocumentRows, StanceRow

GOLDEN = Path(__file__).resolve().parent.parent / "fixtures" / "expected"
LINKED_TYPES = ("police", "sheriff", "state", "other")


def _counts(agencies: Iterable[dict[str, Any]], stances: Iterable[dict[str, Any]]) -> str:
    rows = list(agencies)
    linkable = [r for r in rows if r["agency_type"] in LINKED_TYPES]
    matches = collections.Counter(r["ori_match"] for r in linkable)
    with_ori = sum(1 for r in rows if r["ori"])
    listed = collections.Counter(r["in_287g"] for r in rows if r["in_287g"])
    conflicts = sum(1 for s in stances if s["conflict"])
    share = f"{with_ori / len(linkable):.0%}" if linkable else "-"
    return (
        f"agency rows {len(rows)}, of which police/sheriff/state/other {len(linkable)}; "
        f"with an ORI {with_ori} ({share} of those)\n"
        f"  ori_match: {dict(sorted(matches.items()))}\n"
        f"  in_287g: {dict(sorted(listed.items()))}; stances with a conflict hint: {conflicts}"
    )


def _golden_documents() -> list[DocumentRows]:
    documents = []
    for path in sorted(GOLDEN.glob("*.json")):
        snapshot = json.loads(path.read_text(encoding="utf-8"))
        (article,) = snapshot["articles"]
        documents.append(
            DocumentRows(
                article=ArticleRow(doc_id=path.name, **article),
                agencies=tuple(AgencyRow(doc_id=path.name, **a) for a in snapshot["agencies"]),
                stances=tuple(StanceRow(doc_id=path.name, **s) for s in snapshot["stances"]),
            )
        )
    return documents


def _unlinked(rows: DocumentRows) -> DocumentRows:
    agencies = tuple(
        dataclasses.replace(
            a,
            state="" if a.ori_match == "state_filled" else a.state,
            ori="",
            ori_name="",
            ori_match="",
            in_287g="",
            agreement_287g="",
        )
        for a in rows.agencies
    )
    stances = tuple(dataclasses.replace(s, conflict="") for s in rows.stances)
    return dataclasses.replace(rows, agencies=agencies, stances=stances)


def _documents(out: Path) -> list[DocumentRows]:
    articles = read_table(out, "articles").to_dict(orient="records")
    by_doc: dict[str, dict[str, list[Any]]] = collections.defaultdict(
        lambda: {"agencies": [], "stances": []}
    )
    for record in read_table(out, "agencies").to_dict(orient="records"):
        by_doc[str(record["doc_id"])]["agencies"].append(AgencyRow(**record))
    for record in read_table(out, "stances").to_dict(orient="records"):
        by_doc[str(record["doc_id"])]["stances"].append(StanceRow(**record))
    documents = []
    for article in articles:
        found = by_doc[str(article["doc_id"])]
        documents.append(
            DocumentRows(
                article=ArticleRow(**article),
                agencies=tuple(found["agencies"]),
                stances=tuple(found["stances"]),
            )
        )
    return documents


def _report(label: str, documents: list[DocumentRows], repeat: int) -> None:
    print(f"{label}: {len(documents)} documents")
    print(
        _counts(
            (dataclasses.asdict(a) for d in documents for a in d.agencies),
            (dataclasses.asdict(s) for d in documents for s in d.stances),
        )
    )
    unlinked = [_unlinked(d) for d in documents]
    same = sum(
        1 for a, b in zip(unlinked, documents, strict=True) if reference.link_reference(a) == b
    )
    print(f"  re-linking reproduces the rows of {same}/{len(documents)} documents")
    per_doc: list[float] = []
    for _ in range(repeat):
        for rows in unlinked:
            start = time.perf_counter()
            reference.link_reference(rows)
            per_doc.append((time.perf_counter() - start) * 1000)
    agencies = sum(len(d.agencies) for d in documents)
    print(
        f"  link_reference per document ({repeat} passes, {agencies / len(documents):.1f} agency "
        f"rows a document): mean {statistics.fmean(per_doc):.3f} ms, "
        f"median {statistics.median(per_doc):.3f} ms, max {max(per_doc):.3f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="an `extractor extract --out` directory")
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over all documents")
    args = parser.parse_args()
    if not args.out.is_dir():
        print(f"no such directory: {args.out}", file=sys.stderr)
        return 2

    # CPU time too: on a busy machine it says more about our cost than the wall clock.
    wall, cpu = time.perf_counter(), time.process_time()
    reference._fbi()
    fbi = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    wall, cpu = time.perf_counter(), time.process_time()
    reference._ice()
    ice = (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000
    print(
        f"one-time load (wall / CPU): FBI list {fbi[0]:.0f} / {fbi[1]:.0f} ms, "
        f"ICE lists {ice[0]:.0f} / {ice[1]:.0f} ms"
    )

    _report(str(args.out), _documents(args.out), args.repeat)
    _report(f"{GOLDEN} (golden files)", _golden_documents(), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
