"""Running pipelines against servers on 127.0.0.1: incremental runs, syndication, stops, export."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from spacy.language import Language

from extractor import crawl, run
from extractor.cli import (
    EXIT_ABORTED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    main,
)
from extractor.crawl import RunReport, StopFlag, export_store, run_pipeline
from extractor.errors import ConfigError
from extractor.pipeline import load_pipeline
from extractor.review import REVIEW_COLUMNS
from extractor.rows import TABLES, columns
from extractor.store import FETCH_LOG_COLUMNS, Store

from .conftest import ROOT
from .faultsite import FaultSite, faultsite

__all__ = ["faultsite"]

STORY = (
    "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>The {county} County Sheriff's Office will not hold people for ICE without a judicial "
    "warrant, Sheriff {sheriff} said on Monday.</p>"
    '<p>"We are not going to do the federal government\'s job," {sheriff} said.</p>'
    "</article><footer>{footer}</footer></body></html>"
)


def story(n: int, *, footer: str = "Daily Example") -> str:
    county = ("Washoe", "Clark", "Marion", "Dane", "Ramsey", "Storey")[n % 6]
    sheriff = (
        "Darin Balaam",
        "Kevin McMahill",
        "Joe Kast",
        "Kalvin Barrett",
        "Bob Fletcher",
        "Mike Cullen",
    )[n % 6]
    return STORY.format(title=f"Story {n}", county=county, sheriff=sheriff, footer=footer)


class MutableSite:
    """A site whose pages a test can change between runs: path -> (HTML, ETag or None)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str | None, str]] = {}
        self.requests: list[tuple[str, str | None]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append((self.path, self.headers.get("If-None-Match")))
                if self.path == "/robots.txt":
                    self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
                    return
                if self.path not in site.pages:
                    self.send(404, b"<p>gone</p>", "text/html")
                    return
                body, etag, media_type = site.pages[self.path]
                if etag is not None and self.headers.get("If-None-Match") == etag:
                    self.send(304, b"", media_type, etag=etag)
                    return
                self.send(200, body.encode(), media_type, etag=etag)

            def send(
                self, status: int, body: bytes, media_type: str, etag: str | None = None
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                if etag is not None:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set(
        self, path: str, html: str, *, etag: str | None = None, media_type: str = "text/html"
    ) -> None:
        self.pages[path] = (html, etag, media_type)

    def fetched(self, path: str) -> int:
        """How many requests for ``path`` got a full body (not a 304)."""
        return sum(
            1
            for p, sent in self.requests
            if p == path and (sent is None or sent != self.pages.get(path, ("", None, ""))[1])
        )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[MutableSite]:
    mutable = MutableSite()
    yield mutable
    mutable.close()


def write_pipeline(tmp_path: Path, sources: str, *, extra: str = "", name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(
        textwrap.dedent(
            """
            [store]
            path = "store/crawl.sqlite3"

            [fetch]
            per_host_delay = 0
            allow_private = true
            retries = 0
            backoff_base = 0
            connect_timeout = 5.0
            read_timeout = 5.0
            """
        )
        + textwrap.dedent(extra)
        + textwrap.dedent(sources),
        encoding="utf-8",
    )
    return path


def url_sources(urls: list[str]) -> str:
    listed = ", ".join(f'"{url}"' for url in urls)
    return f'\n[[sources]]\nkind = "urls"\nurls = [{listed}]\n'


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sources of the pages that went through the NLP, in order."""
    seen: list[str] = []
    original = run.analyse_pages

    def spy(pages: list[Any], **kwargs: Any) -> Any:
        seen.extend(page.source for page in pages)
        return original(pages, **kwargs)

    monkeypatch.setattr(run, "analyse_pages", spy)
    return seen


def read_store(path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_incremental_runs(
    tmp_path: Path, site: MutableSite, nlp: Language, analysed: list[str]
) -> None:
    for n in (1, 2, 3):
        site.set(f"/news/{n}", story(n), etag=f'"v{n}"')
    site.set("/news/4", story(4))  # no validators: only the content hash tells it is unchanged
    site.set(
        "/copy/1", story(1, footer="Syndicated from Daily Example")
    )  # same main text as /news/1
    site.set("/private/5", story(5))
    site.set("/report.pdf", "%PDF-1.7", media_type="application/pdf")
    urls = [f"{site.base}/news/{n}" for n in (1, 2, 3, 4)] + [
        f"{site.base}/copy/1",
        f"{site.base}/private/5",
        f"{site.base}/report.pdf",
        f"{site.base}/gone",
        f"{site.base}/news/1#comments",  # the same page as /news/1 once canonicalised
    ]
    path = write_pipeline(tmp_path, url_sources(urls), extra='[output]\ndir = "out"\n')
    first = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (first.new, first.changed, first.unchanged) == (4, 0, 0)
    assert dict(first.skipped) == {"duplicate": 1, "robots": 1, "content_type": 1}
    assert dict(first.failed) == {"http_404": 1}
    assert first.discovered == 8 and first.processed == 8
    assert not first.ok and not first.interrupted
    assert len(analysed) == 4

    store_path = tmp_path / "store" / "crawl.sqlite3"
    articles = pd.read_csv(tmp_path / "out" / "articles.csv", keep_default_na=False)
    ok = articles[articles["status"] == "ok"]
    assert sorted(ok["source"]) == [f"{site.base}/news/{n}" for n in (1, 2, 3, 4)]
    assert ok["doc_id"].tolist() == [run.doc_id_for(s) for s in ok["source"]]
    errors = dict(zip(articles["source"], articles["error"], strict=True))
    assert errors[f"{site.base}/gone"].startswith("http_404:")
    assert errors[f"{site.base}/private/5"].startswith("robots:")
    assert errors[f"{site.base}/report.pdf"].startswith("content_type:")
    assert read_store(store_path, "SELECT url, doc_id FROM article_urls") == [
        (f"{site.base}/copy/1", run.doc_id_for(f"{site.base}/news/1"))
    ]

    # Night two: /news/2 changed, /news/6 is new, the rest is as it was.
    analysed.clear()
    site.set("/news/2", story(6), etag='"v2b"')
    site.set("/news/6", story(7), etag='"v6"')
    second = run_pipeline(
        load_pipeline(
            write_pipeline(
                tmp_path,
                url_sources([*urls, f"{site.base}/news/6"]),
                extra='[output]\ndir = "out"\n',
            )
        ),
        nlp=nlp,
        progress=False,
    )
    assert (second.new, second.changed, second.unchanged) == (1, 1, 4)
    assert sorted(analysed) == [f"{site.base}/news/2", f"{site.base}/news/6"]
    # Pages with an ETag were revalidated with a conditional GET (304, no body).
    assert site.requests.count(("/news/1", '"v1"')) == 1
    assert site.requests.count(("/news/3", '"v3"')) == 1
    assert second.run_id == first.run_id + 1
    history = read_store(
        store_path,
        f"SELECT run_id, status FROM fetch_log WHERE url = '{site.base}/news/2' ORDER BY run_id",
    )
    assert history == [(first.run_id, "new"), (second.run_id, "changed")]
    reports = read_store(store_path, "SELECT outcome FROM runs ORDER BY run_id")
    assert reports == [("finished",), ("finished",)]
    titles = pd.read_csv(tmp_path / "out" / "articles.csv", keep_default_na=False)
    assert "Story 6" in set(titles["title"])


def test_wrappers_copies_and_unreadable_pages(
    tmp_path: Path,
    site: MutableSite,
    nlp: Language,
    analysed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site.set("/a", story(1))
    site.set("/b", story(2))
    site.set("/empty", "<html><body></body></html>")
    site.set(
        "/long", f"<html><body><article><p>{'Sheriff said no. ' * 100}</p></article></body></html>"
    )
    urls = [f"{site.base}/{p}" for p in ("a", "b", "empty", "long")]
    path = write_pipeline(tmp_path, url_sources(urls))
    monkeypatch.setattr(nlp, "max_length", 1000)
    first = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert first.new == 2
    assert dict(first.failed) == {"no_text": 1, "text_too_long": 1}
    # Night two: /a has a new footer around the same text; /copy appears with /b's
    # text (a syndicated copy found a night later); the failures are tried again.
    analysed.clear()
    site.set("/a", story(1, footer="New footer"))
    site.set("/copy", story(2, footer="Syndicated"))
    path = write_pipeline(tmp_path, url_sources([*urls, f"{site.base}/copy"]))
    second = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (second.new, second.changed, second.unchanged) == (0, 0, 2)
    assert dict(second.skipped) == {"duplicate": 1}
    assert dict(second.failed) == {"no_text": 1, "text_too_long": 1}
    assert analysed == [f"{site.base}/long"]
    store_path = tmp_path / "store" / "crawl.sqlite3"
    assert read_store(store_path, "SELECT url, doc_id FROM article_urls") == [
        (f"{site.base}/copy", run.doc_id_for(f"{site.base}/b"))
    ]
    errors = read_store(
        store_path, "SELECT error FROM articles WHERE status = 'error' ORDER BY source"
    )
    assert [e[0].split(":")[0] for e in errors] == ["no_text", "text_too_long"]
    # Nights three and four: the copy is unchanged, then changes around the same text:
    # it stays the same copy (no new duplicate decision, nothing extracted).
    for footer in ("Syndicated", "Syndicated, updated"):
        site.set("/copy", story(2, footer=footer))
        later = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
        assert (later.unchanged, dict(later.skipped)) == (3, {})


def test_fetch_only_run_sees_unchanged_bodies_by_hash(tmp_path: Path, site: MutableSite) -> None:
    site.set("/a", story(1))  # no ETag: the body hash decides
    site.set("/b", story(2))
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/a", f"{site.base}/b"]))
    assert run_pipeline(load_pipeline(path, extract=False), progress=False).fetched == 2
    site.set("/b", story(3))
    again = run_pipeline(load_pipeline(path, extract=False), progress=False)
    assert (again.fetched, again.unchanged) == (1, 1)
    statuses = read_store(
        tmp_path / "store" / "crawl.sqlite3", "SELECT status FROM urls ORDER BY seq"
    )
    assert statuses == [("unchanged",), ("changed",)]


def test_extracting_after_a_fetch_only_run_does_not_trust_its_validators(
    tmp_path: Path, site: MutableSite, nlp: Language
) -> None:
    site.set("/a", story(1), etag='"a1"')
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/a"]))
    assert run_pipeline(load_pipeline(path, extract=False), progress=False).fetched == 1
    report = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    # A 304 would have left the page without rows: the request was unconditional.
    assert site.requests[-1] == ("/a", None)
    assert report.new == 1
    again = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (again.unchanged, site.requests[-1]) == (1, ("/a", '"a1"'))


def test_syndicated_copy_discovered_first_owns_the_article(
    tmp_path: Path, site: MutableSite, nlp: Language
) -> None:
    site.set("/a", story(1))
    site.set("/b", story(1, footer="Other site"))
    site.set("/c", story(1, footer="Third site"))
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/{p}" for p in ("a", "b", "c")]))
    report = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (report.new, dict(report.skipped)) == (1, {"duplicate": 2})
    store_path = tmp_path / "store" / "crawl.sqlite3"
    assert read_store(store_path, "SELECT source FROM articles") == [(f"{site.base}/a",)]


def test_local_directory_source(tmp_path: Path, nlp: Language) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"p{n}.html").write_text(story(n), encoding="utf-8")
    (pages / "empty.txt").write_text("  ", encoding="utf-8")
    path = write_pipeline(tmp_path, '\n[[sources]]\nkind = "directory"\npath = "pages"\n')
    first = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (first.new, dict(first.failed)) == (3, {"empty": 1})
    (pages / "p1.html").write_text(story(9), encoding="utf-8")
    second = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (second.new, second.changed, second.unchanged, dict(second.failed)) == (
        0,
        1,
        2,
        {"empty": 1},
    )
    sources = read_store(
        tmp_path / "store" / "crawl.sqlite3", "SELECT source FROM articles ORDER BY source"
    )
    assert sources[0][0] == str((pages / "empty.txt").resolve())
    # The main text of each article is kept (the changed page's new text), none for errors.
    with Store(tmp_path / "store" / "crawl.sqlite3") as store:
        texts = {
            source: store.article_text(doc_id)
            for doc_id, source in store.query("SELECT doc_id, source FROM articles")
        }
    assert texts[str((pages / "empty.txt").resolve())] is None
    changed = texts[str((pages / "p1.html").resolve())]
    assert changed is not None and changed.startswith("Story 9\n\nThe Dane County")


def test_feeds_sitemaps_and_url_lists(tmp_path: Path, faultsite: FaultSite) -> None:
    (tmp_path / "urls.txt").write_text(
        f"# listed\n{faultsite.url('/page/1')}\n\n{faultsite.url('/page/99')}\n", encoding="utf-8"
    )
    sources = (
        f'\n[[sources]]\nkind = "feed"\nurl = "{faultsite.url("/feed.rss")}"\n'
        f'\n[[sources]]\nkind = "sitemap"\nurl = "{faultsite.url("/sitemap_index.xml")}"\n'
        '\n[[sources]]\nkind = "urls"\nfile = "urls.txt"\n'
        f'\n[[sources]]\nkind = "feed"\nurl = "{faultsite.url("/status/404")}"\n'
    )
    path = write_pipeline(tmp_path, sources)
    report = run_pipeline(load_pipeline(path, extract=False), progress=False)
    # 5 feed items and 25 sitemap URLs overlap: /page/1../page/25, plus /page/99.
    assert report.discovered == 26
    assert report.fetched == 26
    assert list(report.source_errors) == [faultsite.url("/status/404")]
    assert report.source_errors[faultsite.url("/status/404")].startswith("http_404")
    order = read_store(tmp_path / "store" / "crawl.sqlite3", "SELECT source FROM urls ORDER BY seq")
    assert [row[0] for row in order[:5]] == [faultsite.url(f"/page/{n}") for n in range(1, 6)]
    # Fetch-only: no articles; a second run revalidates every page (304).
    again = run_pipeline(load_pipeline(path, extract=False), progress=False)
    assert (again.fetched, again.unchanged) == (0, 26)


def test_stop_flag_stops_after_the_current_page(
    tmp_path: Path, site: MutableSite, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        site.set(f"/news/{n}", story(n))
    path = write_pipeline(
        tmp_path,
        url_sources([f"{site.base}/news/{n}" for n in range(30)]),
        extra="[nlp]\nbatch_size = 2\n",
    )
    original = Store.record_rows
    calls = 0

    def record_then_signal(self: Store, *args: Any, **kwargs: Any) -> None:
        nonlocal calls
        original(self, *args, **kwargs)
        calls += 1
        if calls == 1:
            # The handler run_pipeline installed turns SIGTERM into "stop after this page".
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(Store, "record_rows", record_then_signal)
    report = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert report.interrupted
    # The page in hand and the batch it belongs to are committed, nothing after.
    assert 1 <= report.new <= 2 < 30
    store_path = tmp_path / "store" / "crawl.sqlite3"
    assert read_store(store_path, "SELECT outcome FROM runs") == [("interrupted",)]
    assert read_store(store_path, "SELECT count(*) FROM articles") == [(report.new,)]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    monkeypatch.setattr(Store, "record_rows", original)
    rest = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (rest.new, rest.unchanged, rest.interrupted) == (30 - report.new, report.new, False)


def test_second_ctrl_c_aborts_at_once_and_keeps_whole_pages(
    tmp_path: Path, site: MutableSite, nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(6):
        site.set(f"/news/{n}", story(n))
    path = write_pipeline(
        tmp_path,
        url_sources([f"{site.base}/news/{n}" for n in range(6)]),
        extra="[nlp]\nbatch_size = 3\n",
    )
    original = Store.record_rows

    def interrupted_twice(self: Store, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)  # stop after this batch...
        signal.raise_signal(signal.SIGINT)  # ...no: now

    monkeypatch.setattr(Store, "record_rows", interrupted_twice)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    store_path = tmp_path / "store" / "crawl.sqlite3"
    assert read_store(store_path, "SELECT count(*) FROM articles") == [(1,)]
    assert read_store(store_path, "SELECT count(DISTINCT doc_id) FROM stances") == [(1,)]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(Store, "record_rows", original)
    rest = run_pipeline(load_pipeline(path), nlp=nlp, progress=False)
    assert (rest.new, rest.unchanged) == (5, 1)


def test_stop_does_not_wait_for_a_slow_page(
    tmp_path: Path, faultsite: FaultSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = [faultsite.url("/page/1"), faultsite.url("/slow/1?delay=60")]
    path = write_pipeline(tmp_path, url_sources(urls))
    stop = StopFlag()
    original = Store.record_fetched

    def record_then_stop_soon(self: Store, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        # From another thread, while the run waits for the slow page.
        threading.Timer(0.2, stop.set).start()

    monkeypatch.setattr(Store, "record_fetched", record_then_stop_soon)
    report = run_pipeline(load_pipeline(path, extract=False), progress=False, stop=stop)
    assert report.interrupted and report.fetched == 1
    slow = read_store(
        tmp_path / "store" / "crawl.sqlite3",
        f"SELECT status FROM urls WHERE url = '{faultsite.url('/slow/1?delay=60')}'",
    )
    assert slow == [("pending",)]
    stop.set()  # after the run: the loop is closed, setting the flag again is harmless


def test_stop_before_fetching(tmp_path: Path, site: MutableSite) -> None:
    site.set("/a", story(1))
    stop = StopFlag()
    stop.set()
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/a"]))
    report = run_pipeline(load_pipeline(path, extract=False), progress=False, stop=stop)
    assert report.interrupted and report.processed == 0 and site.requests == []


def test_sigterm_in_a_subprocess_exits_3_and_a_rerun_completes(
    tmp_path: Path, faultsite: FaultSite
) -> None:
    urls = [faultsite.url(f"/slow/{n}?delay=0.2") for n in range(40)]
    path = write_pipeline(tmp_path, url_sources(urls), extra="concurrency = 1\n")
    store_path = tmp_path / "store" / "crawl.sqlite3"
    command = [sys.executable, "-m", "extractor", "run", str(path), "--no-extract"]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(sqlite3.Error):
            if (
                store_path.exists()
                and read_store(store_path, "SELECT count(*) FROM fetch_log")[0][0] >= 2
            ):
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == EXIT_INTERRUPTED, stderr
    assert "SIGTERM: stopping after the current page" in stderr
    assert "(interrupted)" in stderr
    done = read_store(store_path, "SELECT count(*) FROM fetch_log")[0][0]
    assert 2 <= done < 40
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert finished.returncode == EXIT_OK, finished.stderr
    assert read_store(
        store_path, "SELECT count(*) FROM urls WHERE status IN ('new', 'unchanged')"
    ) == [(40,)]


def test_second_run_on_the_same_store_is_refused(tmp_path: Path, site: MutableSite) -> None:
    site.set("/a", story(1))
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/a"]))
    pipeline = load_pipeline(path, extract=False)
    with crawl._exclusive(pipeline.store), pytest.raises(ConfigError, match="another run"):
        run_pipeline(pipeline, progress=False)


def test_progress_lines_when_not_a_terminal(
    tmp_path: Path, site: MutableSite, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(3):
        site.set(f"/n/{n}", story(n))
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/n/{n}" for n in range(3)]))
    with caplog.at_level("INFO", logger="extractor.crawl"):
        run_pipeline(load_pipeline(path, extract=False), progress=False)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("progress:")]
    assert lines[-1].startswith("progress: 3/3 pages")


def test_progress_bar(
    tmp_path: Path, site: MutableSite, capsys: pytest.CaptureFixture[str]
) -> None:
    site.set("/a", story(1))
    path = write_pipeline(tmp_path, url_sources([f"{site.base}/a"]))
    run_pipeline(load_pipeline(path, extract=False), progress=True)
    assert "1/1" in capsys.readouterr().err


def test_report_format() -> None:
    report = RunReport(pipeline="nightly", run_id=4, discovered=9, new=2, changed=1, unchanged=3)
    report.skipped.update({"robots": 1, "duplicate": 1})
    report.failed.update({"http_404": 1})
    report.source_errors["https://x/feed"] = "http_500: boom"
    text = report.format()
    assert text.splitlines() == [
        "run 4 of nightly: 9 of 9 pages in 0.0 s",
        "  new 2, changed 1, unchanged 3",
        "  skipped 2 (duplicate 1, robots 1)",
        "  failed 1 (http_404 1)",
        "  source failed: https://x/feed: http_500: boom",
    ]
    assert report.to_dict()["skipped"] == {"duplicate": 1, "robots": 1}
    assert report.to_dict()["processed"] == 9


# ---------------------------------------------------------------------- CLI and export


def test_cli_run_and_export_contract(
    tmp_path: Path, site: MutableSite, seeds: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site.set("/a", story(1))
    site.set("/b", story(2))
    site.set("/c", story(2, footer="copy"))
    path = write_pipeline(
        tmp_path, url_sources([f"{site.base}/{p}" for p in ("a", "b", "c", "gone")])
    )
    assert main(["run", str(path), "--progress", "log"]) == EXIT_SOME_FAILED
    assert "new 2, changed 0, unchanged 0" in capsys.readouterr().err
    store_path = tmp_path / "store" / "crawl.sqlite3"
    out = tmp_path / "export"
    assert (
        main(
            [
                "export",
                "--store",
                str(store_path),
                "--out",
                str(out),
                "--format",
                "csv,jsonl,parquet",
            ]
        )
        == EXIT_OK
    )
    # The same columns, in the same order, as `extractor extract` writes; the finding
    # tables then end with the review columns.
    extract_out = tmp_path / "extract"
    assert (
        main(["extract", str(seeds / "003_92338cb8d8728ea3.txt"), "--out", str(extract_out)])
        == EXIT_OK
    )
    for table in TABLES:
        exported = pd.read_csv(out / f"{table}.csv", keep_default_na=False)
        extracted = pd.read_csv(extract_out / f"{table}.csv", keep_default_na=False)
        assert list(extracted.columns) == columns(table)
        review_columns = [] if table == "articles" else list(REVIEW_COLUMNS)
        assert list(exported.columns) == [*columns(table), *review_columns]
        assert pd.read_parquet(out / f"{table}.parquet").shape == exported.shape
    fetch_log = pd.read_csv(out / "fetch_log.csv", keep_default_na=False)
    assert list(fetch_log.columns) == list(FETCH_LOG_COLUMNS)
    assert fetch_log["url"].tolist() == sorted(fetch_log["url"])
    assert dict(zip(fetch_log["url"], fetch_log["status"], strict=True)) == {
        f"{site.base}/a": "new",
        f"{site.base}/b": "new",
        f"{site.base}/c": "duplicate",
        f"{site.base}/gone": "failed",
    }
    assert fetch_log.loc[fetch_log["url"].str.endswith("/c"), "doc_id"].item() == run.doc_id_for(
        f"{site.base}/b"
    )
    assert pd.read_parquet(out / "fetch_log.parquet")["http_status"].tolist() == [
        200,
        200,
        200,
        404,
    ]
    assert (out / "fetch_log.jsonl").read_text(encoding="utf-8").count("\n") == 4
    # Deterministic: a second export is byte for byte the same.
    again = tmp_path / "again"
    assert main(["export", "--store", str(store_path), "--out", str(again)]) == EXIT_OK
    for table in [*TABLES, "fetch_log"]:
        assert (again / f"{table}.csv").read_bytes() == (out / f"{table}.csv").read_bytes()
    # --since keeps only what happened since then; csv only now, stale formats go.
    later = tmp_path / "later"
    assert (
        main(["export", "--store", str(store_path), "--out", str(out), "--since", "2999-01-01"])
        == EXIT_OK
    )
    assert pd.read_csv(out / "articles.csv").empty and pd.read_csv(out / "fetch_log.csv").empty
    assert not (out / "fetch_log.parquet").exists()
    assert (
        main(["export", "--store", str(store_path), "--out", str(later), "--since", "2000-01-01"])
        == EXIT_OK
    )
    assert len(pd.read_csv(later / "articles.csv")) == 3


def test_cli_run_aborted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def abort(*args: Any, **kwargs: Any) -> RunReport:
        raise KeyboardInterrupt

    monkeypatch.setattr(crawl, "run_pipeline", abort)
    path = write_pipeline(tmp_path, url_sources(["http://127.0.0.1:9/"]))
    assert main(["run", str(path)]) == EXIT_ABORTED
    assert "aborted" in capsys.readouterr().err


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_pipeline(tmp_path, "\n[[sources]]\nkind = 'ftp'\n")
    assert main(["run", str(bad)]) == EXIT_USAGE
    assert "sources[0].kind: unknown source kind" in capsys.readouterr().err
    assert (
        main(["export", "--store", str(tmp_path / "none.sqlite3"), "--out", str(tmp_path)])
        == EXIT_USAGE
    )
    assert "no such store" in capsys.readouterr().err
    store_path = tmp_path / "s.sqlite3"
    Store(store_path).close()
    assert (
        main(
            ["export", "--store", str(store_path), "--out", str(tmp_path / "o"), "--since", "soon"]
        )
        == EXIT_USAGE
    )


def test_csv_export_is_formula_safe(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        run_id = store.begin_run("p")
        store.add_urls(run_id, [("=cmd", "=cmd", "file")])
        from extractor.store import Attempt

        store.record_fetched(
            run_id,
            Attempt(url="=cmd", outcome="fetched", message="-1", body_sha256="x"),
            status="new",
        )
        export_store(store, tmp_path / "o", formats=("csv", "jsonl"))
    fetch_log = (tmp_path / "o" / "fetch_log.csv").read_text(encoding="utf-8")
    assert "'=cmd" in fetch_log and "'-1" in fetch_log
    assert '"url": "=cmd"' in (tmp_path / "o" / "fetch_log.jsonl").read_text(encoding="utf-8")
    assert os.path.exists(tmp_path / "o" / "articles.jsonl")
