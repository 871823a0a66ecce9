"""The HTML report at scale: a store of N agencies with 3 articles each, the report's size and
the time to write it, and (with Chromium) the time to open it and apply filters.

Usage:
    python benchmarks/report_scale.py [--agencies 3000] [--dir /tmp/report-scale]

The store is synthetic (10 agencies an article, each article a few hundred
words of text holding the evidence sentences, random stances, 10 states); it
is built once in ``--dir`` and reused. Browser timings are wall-clock through
Playwright on a shared machine: compare them within one run only.
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from pathlib import Path

from extractor.report import write_report
from extractor.rows import STANCES, AgencyRow, ArticleRow, DocumentRows, StanceRow
from extractor.run import doc_id_for
from extractor.store import Attempt, Store

STATES = ("NV", "WI", "MN", "TX", "CA", "NY", "FL", "GA", "IL", "OH")
PER_ARTICLE = 10
ARTICLES_EACH = 3


def build(path: Path, agencies: int) -> None:
    rnd = random.Random(1)
    with Store(path) as store:
        run_id = store.begin_run("report-scale")
        for first in range(0, agencies, PER_ARTICLE):
            for k in range(ARTICLES_EACH):
                url = f"https://news.example/{first}/{k}"
                store.add_urls(run_id, [(url, url, "url")])
                doc_id = doc_id_for(url)
                names = [f"Agency {first + i} Police Department" for i in range(PER_ARTICLE)]
                evidence = [
                    f"The {name} will not hold people for ICE without a warrant, the chief said."
                    for name in names
                ]
                text = "Words before. " * 30 + " ".join(evidence) + " Words after." * 30
                rows = DocumentRows(
                    article=ArticleRow(
                        doc_id=doc_id,
                        source=url,
                        url=url,
                        title=f"Story {first}-{k}",
                        published=f"202{k + 4}-0{1 + first % 9}-01",
                        site="News Example",
                        text_sha256=doc_id,
                    ),
                    agencies=tuple(
                        AgencyRow(doc_id, name, "police", STATES[(first + i) % 10], "", 1)
                        for i, name in enumerate(names)
                    ),
                    stances=tuple(
                        StanceRow(
                            doc_id, name, rnd.choice(STANCES), sentence, "will not hold", "", 0.8
                        )  # type: ignore[arg-type]
                        for name, sentence in zip(names, evidence, strict=True)
                    ),
                )
                attempt = Attempt(url=url, outcome="fetched", body_sha256=doc_id, http_status=200)
                store.record_rows(run_id, attempt, rows, status="new", text=text)
        store.end_run(run_id, outcome="finished", report="{}")


_FILTER_JS = """([name, value]) => {
  const control = document.querySelector(`[name=${name}]`);
  const start = performance.now();
  control.value = value;
  control.dispatchEvent(new Event("input", {bubbles: true}));
  const script = performance.now() - start;
  document.body.offsetHeight;
  return [script, performance.now() - start];
}"""


def browse(html: Path) -> None:
    executable = shutil.which("chromium")
    if executable is None:
        print("no chromium on PATH: browser timings skipped")
        return
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        start = time.perf_counter()
        page.goto(html.as_uri())
        print(f"open in chromium: {time.perf_counter() - start:.2f} s")
        # In the page: the filter's script and the layout it causes (Playwright's own
        # round trips, several times larger, are left out).
        for control, value in (("state", "WI"), ("state", ""), ("state", "NV"), ("q", "agency 12")):
            script_ms, total_ms = page.evaluate(_FILTER_JS, [control, value])
            shown = page.inner_text("#shown")
            print(
                f"filter {control}={value!r}: {shown} shown; script {script_ms:.0f} ms, "
                f"with layout {total_ms:.0f} ms"
            )
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=3000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/report-scale"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    store_path = args.dir / f"store-{args.agencies}.sqlite3"
    if not store_path.exists():
        start = time.perf_counter()
        build(store_path, args.agencies)
        print(f"store built in {time.perf_counter() - start:.1f} s")
    html = args.dir / "report.html"
    with Store(store_path) as store:
        start = time.perf_counter()
        summary = write_report(store, html)
    elapsed = time.perf_counter() - start
    print(f"{summary}: {html.stat().st_size / 2**20:.1f} MiB in {elapsed:.2f} s")
    browse(html)


if __name__ == "__main__":
    main()
