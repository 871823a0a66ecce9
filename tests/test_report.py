"""The HTML report: escaping of hostile text, no external requests, determinism, and the page
in headless Chromium (rendering, filters, counts, requests, a screenshot)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.util
import os
import re
import shutil
import textwrap
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from extractor.changes import Timeline, stance_timeline
from extractor.cli import EXIT_OK, EXIT_USAGE, main
from extractor.context import InContext
from extractor.crawl import run_pipeline
from extractor.pipeline import load_pipeline
from extractor.report import CSP, highlight, write_report
from extractor.store import Store, parse_since

from .conftest import ROOT
from .stancestore import S, add_article

HOSTILE = '</script><img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "header",
    "h1",
    "p",
    "form",
    "label",
    "select",
    "option",
    "input",
    "noscript",
    "b",
    "span",
    "main",
    "div",
    "details",
    "summary",
    "ol",
    "li",
    "time",
    "br",
    "abbr",
    "a",
    "blockquote",
    "mark",
    "strong",
    "footer",
    "i",
    "script",
}


class Tags(HTMLParser):
    """Every element name, attribute name and ``(attribute, value)`` pair of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.attributes: set[str] = set()
        self.values: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.names.add(tag)
        self.attributes.update(name for name, _ in attrs)
        self.values.extend(attrs)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "crawl.sqlite3") as opened:
        yield opened


def inline(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)


def test_highlight_marks_the_evidence_and_the_cue_parts() -> None:
    found = InContext(
        "Before <b>.", "It will NOT hold  people, and notify ICE only for felonies.", "After & co."
    )
    html = highlight(found, "notify ICE … will not hold")
    assert html == (
        "Before &lt;b&gt;. <mark>It <strong>will NOT hold</strong>  people, and "
        "<strong>notify ICE</strong> only for felonies.</mark> After &amp; co."
    )
    assert highlight(InContext("", "No cue here.", ""), "absent") == "<mark>No cue here.</mark>"
    assert highlight(InContext("", "a b", ""), "") == "<mark>a b</mark>"


def test_hostile_text_is_escaped_and_nothing_external_is_referenced(
    tmp_path: Path, store: Store
) -> None:
    add_article(
        store,
        "javascript:alert(1)//",
        [
            S(
                f"Evil {HOSTILE} Office",
                "refuses",
                evidence=f"Evidence {HOSTILE} here.",
                state="NV",
                cue="here",
                speaker=HOSTILE,
                conflict=HOSTILE,
                in_287g="participating",
                agreement_287g=HOSTILE,
            )
        ],
        published="2025-01-01",
        title=f"Title {HOSTILE}",
        site=HOSTILE,
        text=f"Before {HOSTILE}. Evidence {HOSTILE} here. After.",
    )
    add_article(
        store,
        'https://n.example/a?x=1&y="2"',
        [S("Storey County", "refuses", state='"><img src=x>')],
        published="2025-01-02",
        title="Plain",
    )
    out = tmp_path / "report.html"
    write_report(store, out)
    html = out.read_text(encoding="utf-8")
    # One script and one style element, the page's own; the hostile markup is text.
    assert html.count("<script") == 1 and html.count("</script>") == 1
    assert html.count("<style") == 1 and "<img" not in html and 'onerror="' not in html
    assert "Title &lt;/script&gt;&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;" in html
    assert "<mark>Evidence &lt;/script&gt;" in html
    # Only http(s) URLs become links, attribute-escaped; a javascript: URL is shown as text.
    assert 'href="https://n.example/a?x=1&amp;y=&quot;2&quot;"' in html
    assert 'data-state="&quot;&gt;&lt;img src=x&gt;"' in html
    # Parsed as a browser would: only the report's own elements, nothing that loads.
    tags = Tags()
    tags.feed(html)
    assert tags.names <= ALLOWED_TAGS, tags.names - ALLOWED_TAGS
    assert (
        not {"src", "srcset", "poster", "action", "formaction", "background", "style"}
        & tags.attributes
    )
    assert [value for name, value in tags.values if name == "href"] == [
        'https://n.example/a?x=1&y="2"'
    ]
    assert not any(name.startswith("on") for name in tags.attributes)
    assert "url(" not in html and "@import" not in html
    # The CSP allows exactly the inline style and script there are, by hash.
    assert f'content="{CSP}"' in html and "default-src 'none'" in CSP
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        (source,) = inline(html, tag)
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in CSP


def test_report_is_deterministic_and_written_atomically(tmp_path: Path, store: Store) -> None:
    for n, (stance, day) in enumerate([("refuses", "2025-01-01"), ("cooperates", "2025-05-01")]):
        add_article(store, f"https://n.example/{n}", [S("Lyon County", stance)], published=day)
    add_article(
        store,
        "https://n.example/w",
        [S("Dane County", "limits", state="WI")],
        published="2025-02-01",
    )
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    summary = write_report(store, first)
    write_report(store, second)
    assert first.read_bytes() == second.read_bytes()
    assert str(summary) == "report of 2 agencies, 3 stances, 1 change"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.html",
        "b.html",
        "crawl.sqlite3",
        "crawl.sqlite3-shm",
        "crawl.sqlite3-wal",
    ]
    html = first.read_text(encoding="utf-8")
    assert html.index("Dane County") > html.index("Lyon County")  # by state: NV, then WI
    assert '<span class="delta">changed from refuses</span>' in html
    # --since keeps agencies with a stance since then, each with its whole timeline.
    write_report(store, first, since=parse_since("2025-03-01"))
    html = first.read_text(encoding="utf-8")
    assert "Lyon County" in html and "Dane County" not in html and html.count('class="entry') == 2


def test_report_cli(tmp_path: Path, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "--store", str(store.path), "--out", str(out)]) == EXIT_OK
    assert "report of 0 agencies, 0 stances, 0 changes written to" in capsys.readouterr().err
    assert "No stances in this store." in out.read_text(encoding="utf-8")
    assert (
        main(["report", "--store", str(tmp_path / "none.sqlite3"), "--out", str(out)]) == EXIT_USAGE
    )
    assert main(["report", "--store", str(store.path), "--out", str(out / "x.html")]) == EXIT_USAGE
    assert "cannot write" in capsys.readouterr().err


# ---------------------------------------------------------------------- in Chromium

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium reaches out to Google's services at start-up.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE = """<html><head><title>{title}</title>
<meta property="article:published_time" content="{date}"></head>
<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"""
PAGES = {
    "washoe-1": (
        "2025-02-03",
        "Washoe sheriff won't hold people for ICE",
        "RENO, Nev. — The Washoe County Sheriff's Office will not hold people for ICE without a judicial warrant, Sheriff Darin Balaam said on Monday.",
    ),
    "washoe-2": (
        "2025-08-12",
        "Washoe County jail and ICE",
        "RENO, Nev. — The Washoe County Sheriff's Office will honor ICE detainers and hold inmates for federal immigration agents at the county jail, Sheriff Darin Balaam said Tuesday.",
    ),
    "dane-1": (
        "2025-03-04",
        "Dane County sheriff on detainers",
        "MADISON, Wis. — The Dane County Sheriff's Office will not honor ICE detainers without a judicial warrant, Sheriff Kalvin Barrett said.",
    ),
    "dane-2": (
        "2025-10-01",
        "Dane County sheriff changes course",
        "MADISON, Wis. — The Dane County Sheriff's Office will notify ICE only when a person is charged with a violent felony, and will not otherwise share release dates, Sheriff Kalvin Barrett said.",
    ),
    "lvmpd": (
        "2025-05-05",
        "Las Vegas police and ICE",
        "LAS VEGAS — The Las Vegas Metropolitan Police Department will continue to honor ICE detainers at the Clark County Detention Center, Sheriff Kevin McMahill said.",
    ),
    "storey": (
        "2025-06-01",
        '&lt;/script&gt;&lt;img src=x onerror="window.pwned=1"&gt; Storey County news',
        'VIRGINIA CITY, Nev. — The Storey County Sheriff\'s Office will not hold people for ICE without a judicial warrant &lt;img src=x onerror="window.pwned=2"&gt;, Sheriff Mike Cullen said.',
    ),
}


def require_chromium() -> str:
    """The path of Debian's ``chromium``; skip without it, or fail if EXTRACTOR_REQUIRE_BROWSER=1."""
    executable = shutil.which("chromium")
    if executable is None or importlib.util.find_spec("playwright") is None:
        message = (
            "headless Chromium is needed for the report test: apt-get install chromium "
            "(the README's test command does) and pip install -e '.[dev]' (playwright)"
        )
        if os.environ.get("EXTRACTOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"EXTRACTOR_REQUIRE_BROWSER=1: {message}")
        pytest.skip(message)
    return executable


@pytest.mark.parametrize(
    ("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_without_chromium_the_browser_tests_skip_unless_required(
    monkeypatch: pytest.MonkeyPatch, required: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("EXTRACTOR_REQUIRE_BROWSER", required)
    with pytest.raises(outcome, match="apt-get install chromium"):
        require_chromium()


@contextlib.contextmanager
def chromium(executable: str) -> Iterator[Any]:
    """Headless Chromium driven by Playwright; no browser is downloaded.

    Playwright's sync API runs an asyncio loop in this thread while it is open,
    so stores are crawled (``asyncio.run``) before it starts.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A page opened in Chromium, with every request it made and every console message."""

    def __init__(
        self,
        browser: Any,
        path: Path,
        *,
        viewport: dict[str, int] | None = None,
        javascript: bool = True,
    ) -> None:
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.context = browser.new_context(
            viewport=viewport or {"width": 1100, "height": 900}, java_script_enabled=javascript
        )
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("dialog", lambda dialog: self.console.append(f"dialog: {dialog.message}"))
        self.page.goto(path.as_uri())

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def visible(self) -> int:
        return int(self.page.locator("#agencies > .agency:visible").count())

    def shown(self) -> str:
        return str(self.page.inner_text("#shown"))

    def tally(self, stance: str) -> str:
        return str(self.page.inner_text(f'[data-tally="{stance}"]'))

    def close(self) -> None:
        self.context.close()


def crawl(tmp_path: Path, pages: Path, nlp: Language) -> Path:
    pipeline = tmp_path / "pipeline.toml"
    pipeline.write_text(
        textwrap.dedent(
            f"""
            [store]
            path = "store.sqlite3"

            [[sources]]
            kind = "directory"
            path = "{pages.as_posix()}"
            """
        ),
        encoding="utf-8",
    )
    report = run_pipeline(load_pipeline(pipeline), nlp=nlp, progress=False)
    assert report.ok
    return tmp_path / "store.sqlite3"


def test_report_in_chromium(tmp_path: Path, nlp: Language) -> None:
    executable = require_chromium()
    pages = tmp_path / "pages"
    pages.mkdir()
    for name, (date, title, body) in PAGES.items():
        (pages / f"{name}.html").write_text(
            PAGE.format(date=date, title=title, body=body), encoding="utf-8"
        )
    store_path = crawl(tmp_path, pages, nlp)
    out = tmp_path / "report.html"
    assert main(["report", "--store", str(store_path), "--out", str(out)]) == EXIT_OK
    with chromium(executable) as browser:
        check_small_report(Visit(browser, out), out, tmp_path)
        # Without JavaScript: every agency listed, no filters, a note saying so.
        static = Visit(browser, out, javascript=False)
        try:
            assert static.visible() == 4 and not static.page.is_visible("#filters")
            assert static.page.is_visible(".note")
            static.page.locator("#agencies > .agency", has_text="Dane").locator("summary").click()
            assert static.page.locator(".entry mark:visible").count() == 2
            assert static.blocked == []
        finally:
            static.close()


def check_small_report(visit: Visit, out: Path, tmp_path: Path) -> None:
    page = visit.page
    try:
        # Rendered: one row per agency, in state order, latest stance badges and counts.
        names = page.locator("#agencies > .agency .name").all_inner_texts()
        assert [
            name.split("\n")[0].split("sheriff")[0].split("police")[0].strip() for name in names
        ] == [
            "Las Vegas Metropolitan Police Department",
            "Storey County Sheriff's Office",
            "Washoe County Sheriff's Office",
            "Dane County Sheriff's Office",
        ]
        assert page.locator("#agencies > .agency > summary .badge").all_inner_texts() == [
            "cooperates",
            "refuses",
            "cooperates",
            "limits",
        ]
        assert (visit.visible(), visit.shown()) == (4, "4")
        assert [visit.tally(s) for s in ("refuses", "limits", "cooperates", "unclear")] == [
            "1",
            "1",
            "2",
            "0",
        ]
        assert page.is_visible("#filters")
        # The style applied (its CSP hash matched): a refusal's badge is red.
        color = page.eval_on_selector(
            ".badge.b-refuses", "e => getComputedStyle(e).backgroundColor"
        )
        assert color == "rgb(180, 35, 24)"

        # A timeline: newest first, the change marked, links and evidence highlighted.
        washoe = page.locator("#agencies > .agency", has_text="Washoe")
        washoe.locator("summary").click()
        entries = washoe.locator(".entry")
        assert entries.count() == 2
        assert entries.nth(0).locator("time").inner_text() == "2025-08-12"
        assert entries.nth(0).locator(".delta").inner_text() == "changed from refuses"
        assert entries.nth(1).locator("time").inner_text() == "2025-02-03"
        assert (
            entries.nth(1)
            .locator("mark")
            .inner_text()
            .startswith("The Washoe County Sheriff's Office will not hold")
        )
        assert entries.nth(1).locator("mark strong").inner_text().lower() == "will not hold"
        assert washoe.locator(".title").first.inner_text() == "Washoe County jail and ICE"

        # Hostile text is shown as text and runs nothing.
        storey = page.locator("#agencies > .agency", has_text="Storey")
        storey.locator("summary").click()
        assert (
            '<img src=x onerror="window.pwned=1"> Storey County news'
            in storey.locator(".title").inner_text()
        )
        assert page.evaluate("window.pwned") is None and page.locator("img").count() == 0

        # Filters: state, stance, changed only, text search; the counts follow.
        page.select_option("select[name=state]", "WI")
        assert (
            visit.visible(),
            visit.shown(),
            visit.tally("limits"),
            visit.tally("cooperates"),
        ) == (1, "1", "1", "0")
        page.select_option("select[name=state]", "NV")
        assert (visit.visible(), visit.shown(), visit.tally("cooperates")) == (3, "3", "2")
        page.select_option("select[name=stance]", "cooperates")
        assert (visit.visible(), visit.tally("refuses")) == (2, "0")
        page.check("input[name=changed]")
        assert visit.visible() == 1 and washoe.is_visible()
        page.uncheck("input[name=changed]")
        page.select_option("select[name=state]", "")
        page.select_option("select[name=stance]", "")
        page.fill("input[name=q]", "mcmahill")
        assert visit.visible() == 1 and visit.shown() == "1"
        page.fill("input[name=q]", "")
        assert visit.visible() == 4
        page.keyboard.press("Enter")  # submitting the form does nothing (form-action 'none')
        assert visit.visible() == 4 and page.url == out.as_uri()

        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert (tmp_path / "report.png").stat().st_size > 10_000
        # Nothing left the page; no CSP violation, no script error, no dialog.
        assert visit.blocked == [] and visit.requests == [out.as_uri()]
        assert visit.console == []
    finally:
        visit.close()


def test_report_of_the_fixture_pages_in_chromium(tmp_path: Path, nlp: Language) -> None:
    """The report of every page in fixtures/pages; its screenshot is the README's.

    EXTRACTOR_SCREENSHOT=docs/report.png keeps the screenshot there.
    """
    executable = require_chromium()
    store_path = crawl(tmp_path, ROOT / "fixtures" / "pages", nlp)
    out = tmp_path / "report.html"
    with Store(store_path) as store:
        timelines = stance_timeline(store)
        write_report(store, out)
    with chromium(executable) as browser:
        check_fixture_report(
            Visit(browser, out, viewport={"width": 1100, "height": 760}), out, timelines, tmp_path
        )


def check_fixture_report(
    visit: Visit, out: Path, timelines: list[Timeline], tmp_path: Path
) -> None:
    page = visit.page
    try:
        assert visit.visible() == len(timelines) > 100
        assert page.locator(".entry").count() == sum(len(t.entries) for t in timelines)
        # One state with agencies that changed stance, one of them opened.
        page.select_option("select[name=state]", "MN")
        changed = page.locator("#agencies > .agency[data-changed='1']:visible")
        assert changed.count() >= 1
        changed.first.locator("summary").click()
        assert changed.first.locator(".entry.change mark").count() >= 1
        assert visit.blocked == [] and visit.requests == [out.as_uri()] and visit.console == []
        target = Path(os.environ.get("EXTRACTOR_SCREENSHOT") or tmp_path / "report.png")
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
    finally:
        visit.close()
