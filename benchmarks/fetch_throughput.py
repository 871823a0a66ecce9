"""Fetch+store throughput of `extractor run` and its peak memory at growing crawl sizes.

Usage: python benchmarks/fetch_throughput.py [--sizes 1000,5000,20000] [--concurrency 16]

Starts the fault-injecting test site (tests/faultsite.py) on 127.0.0.1 in this
process, then for each size runs one fetch+store-only pipeline (``extract =
false``: no parsing, no NLP; politeness off: no per-host delay, no robots.txt)
over that many distinct pages in a fresh subprocess, so each size's peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own. Each child prints
pages, seconds, pages/s and peak RSS; a flat RSS across sizes means memory does
not grow with the number of URLs. The site runs in the parent, so the child's
RSS is the crawler's alone; the site's CPU competes for the same cores, so the
CPU milliseconds per page of the crawler and of the site are printed too (they
vary less than wall-clock time on a busy machine: 1000 / (crawler + site ms)
bounds pages/s on one free core).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(base: str, size: int, concurrency: int, work: Path) -> None:
    from extractor.crawl import run_pipeline
    from extractor.pipeline import load_pipeline

    (work / "urls.txt").write_text(
        "".join(f"{base}/page/{n}\n" for n in range(1, size + 1)), encoding="utf-8"
    )
    path = work / "bench.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            extract = false
            [store]
            path = "bench.sqlite3"
            [[sources]]
            kind = "urls"
            file = "urls.txt"
            [fetch]
            concurrency = {concurrency}
            per_host_concurrency = {concurrency}
            per_host_delay = 0
            respect_robots = false
            allow_private = true
            """
        ),
        encoding="utf-8",
    )
    before = resource.getrusage(resource.RUSAGE_SELF)
    report = run_pipeline(load_pipeline(path), progress=False)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # ru_maxrss is in KiB on Linux.
    peak_mib = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    print(
        json.dumps(
            {
                "size": size,
                "pages": report.processed,
                "fetched": report.fetched,
                "failed": dict(report.failed),
                "seconds": round(report.seconds, 2),
                "pages_per_s": round(report.processed / report.seconds, 1),
                "peak_rss_mib": round(peak_mib, 1),
                "crawler_cpu_ms_per_page": round(1000 * cpu / max(report.processed, 1), 2),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--child", nargs=2, metavar=("BASE", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.concurrency, args.work)
        return 0

    sys.path.insert(0, str(ROOT))
    from tests.faultsite import FaultSite

    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"fetch+store, politeness off, concurrency {args.concurrency}, fault site on 127.0.0.1")
    print(
        f"{'URLs':>7} {'pages':>7} {'seconds':>8} {'pages/s':>8} {'peak RSS MiB':>13}"
        f" {'crawler CPU ms/page':>20} {'site CPU ms/page':>17}"
    )
    with FaultSite() as site:
        for size in sizes:
            site_before = resource.getrusage(resource.RUSAGE_SELF)
            with tempfile.TemporaryDirectory() as work:
                result = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        site.base,
                        str(size),
                        "--concurrency",
                        str(args.concurrency),
                        "--work",
                        work,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                )
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                return 1
            site_after = resource.getrusage(resource.RUSAGE_SELF)
            site_cpu = (
                site_after.ru_utime
                + site_after.ru_stime
                - site_before.ru_utime
                - site_before.ru_stime
            )
            data = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{size:>7} {data['pages']:>7} {data['seconds']:>8} {data['pages_per_s']:>8} "
                f"{data['peak_rss_mib']:>13} {data['crawler_cpu_ms_per_page']:>20} "
                f"{1000 * site_cpu / max(data['pages'], 1):>17.2f}"
                + (f"  failed: {data['failed']}" if data["failed"] else "")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
