"""Tests for extractor.parse: HTML and plain text into a ``Page``."""

# Curly quotes and dashes are the data under test here, not typos.

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.config import Settings
from extractor.errors import ParseError
from extractor.inputs import Input
from extractor.parse import Page, detect_language, parse_html, parse_text, to_iso_date
from extractor.run import read_page

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures" / "pages"
SEEDS = {
    "000": PAGES / "000_79f2075f555beae4.txt",
    "003": PAGES / "003_92338cb8d8728ea3.txt",
}

# name -> fetched URL, expected metadata, snippets that must appear, snippets that must not.
FIXTURES: dict[str, dict[str, Any]] = {
    "news_sheriff_287g": {
        "url": "https://www.wknx4.com/news/local/brenton-county-sheriff-signs-287g-agreement-ice/?utm_source=fb",
        "meta": {
            "title": "Brenton County sheriff signs 287(g) agreement with ICE; Millford police chief"
            " says city officers won't take part",
            "published": "2025-02-11T17:42:00-06:00",
            "author": "Maria Lopez; Tom Chen",
            "site": "WKNX News 4",
            "language": "en",
            "url": "https://www.wknx4.com/news/local/brenton-county-sheriff-signs-287g-agreement-ice/",
        },
        "present": [
            "Brenton County Sheriff Dale Whitaker on Tuesday signed a 287(g) agreement",
            "Brenton County Sheriff’s Office (BCSO)",
            '"We are not going to be setting up checkpoints," he said, "and my deputies',
            "City police will not take part",
            "Millford Police Department (MPD)",
            "“We have asked the county attorney to walk us through every line",
            "“Until then, I am not going to tell people this is good or bad",
            "Tennessee Immigrant Rights Alliance (TIRA)",
        ],
        "absent": [
            "We use cookies",
            "Watch Live",
            "Share on Facebook",
            "Get the WKNX 4 Morning Brief",
            "Related Stories",
            "Brenton County Fair breaks attendance record",
            "Finally a sheriff who actually does his job",
            "Trending Now",
            "Advertisement",
            "Skip to content",
            "Winter storm watch",
            "(WKNX photo/Ana Ruiz)",
            "Published: Feb. 11, 2025",
            "Tags:",
            "1200 Broadcast Way",
        ],
    },
    "sheriff_press_release_detainers": {
        "url": "https://www.bayviewcountysheriff.org/CivicAlerts.aspx?AID=412",
        "meta": {
            "title": "Sheriff Marcus Bell Clarifies Jail Policy on ICE Detainers",
            "published": "2025-03-04",
            "author": "",
            # The tail of <title> after the page's own headline.
            "site": "Bayview County Sheriff",
            "language": "en",
            "url": "https://www.bayviewcountysheriff.org/CivicAlerts.aspx?AID=412",
        },
        "present": [
            "Bayview County Sheriff’s Office (BCSO)",
            "will honor an ICE detainer only when the person in custody",
            "“The Sheriff’s Office has one job in that jail, and that is public safety,” said"
            " Sheriff Bell.",
            "Policy highlights",
            "ICE officers may interview an inmate only with the inmate’s written consent.",
            "The Bayview County Sheriff’s Office will not participate in the 287(g) program.",
            "Harbor City Police Chief Raymond Osei",
        ],
        "absent": [
            "Skip to Main Content",
            "Create a Website Account",
            "Quick Links",
            "Sex Offender Registry",
            "Notify Me",
            "Newsroom",
            "Posted on:",
            "Share & Bookmark",
            "Other News in Press Releases",
            "Deputies Recover Stolen Boat",
            "400 Lakeshore Drive",
            "CivicPlus",
            "Sys.Application",
        ],
    },
    "advocacy_press_release_police_chiefs": {
        "url": "https://heartlandimmigration.org/press/police-chiefs-refuse-ice-raids/",
        "meta": {
            "title": "Police Chiefs Across the Midwest Refuse to Join ICE Raids, Putting Community"
            " Safety First",
            "published": "2025-01-29T14:05:33+00:00",
            "author": "HIN Communications",
            "site": "Heartland Immigration Network",
            "language": "en",
            "url": "https://heartlandimmigration.org/press/police-chiefs-refuse-ice-raids/",
        },
        "present": [
            "“We are here to protect every resident of Elm Grove",
            "said Laura Benitez, Executive Director of the Heartland Immigration Network.",
            "Department of Homeland Security (DHS)",
            "The Lakewood Police Department (LPD) in Ohio said it “will not participate",
            "Prairie Hills Police Chief Samuel Ortiz said",
            "Marquette County Sheriff Helen Brandt said",
            "“We will be a full partner with ICE, period,” Mueller told reporters.",
            "U.S. Department of Justice (DOJ)",
            "The Heartland Immigration Network is a coalition",
        ],
        "absent": [
            "This website uses cookies",
            "Take Action",
            "Donate",
            "Share this:",
            "Recent Press Releases",
            "Statement on the President’s First-Day Executive Orders",
            "Sign up for Network Updates",
            "Topic (Required)",
            "Posted in",
            "501(c)(3)",
            "January 29, 2025",
        ],
    },
    "city_news_mayor_executive_order": {
        "url": "https://www.riverbendoh.gov/news/2025/03/mayor-signs-executive-order-immigration"
        "?utm_campaign=x",
        "meta": {
            "title": "Mayor Nguyen Signs Executive Order on Immigration Enforcement",
            "published": "2025-03-10",
            "author": "City of Riverbend Office of Communications",
            "site": "City of Riverbend, Ohio",
            "language": "en",
            "url": "https://www.riverbendoh.gov/news/2025/03/mayor-signs-executive-order-immigration",
        },
        "present": [
            "including the Riverbend Police Department (RPD), from using city money",
            "“Riverbend is safer when every resident can call the police without fear,” Mayor"
            " Nguyen said.",
            '"Our officers have not enforced civil immigration law for years',
            "What the order does not cover",
            "Pine County Sheriff’s Office (PCSO)",
            "“will continue to honor every ICE detainer we receive”",
            "Council Member Jamal Price",
        ],
        "absent": [
            "Trash and recycling",
            "Translate this page",
            "Select Language",
            "How Do I",
            "Search Riverbend",
            "Mayor Signs Executive Order\n",
            "News Flash",
            "Spring leaf collection",
            "RSS",
            "100 Main Street",
        ],
    },
    "og_meta_police_policy_review": {
        "url": "https://www.thevalleycourier.com/news/local/copper-springs-police-ice-policy-review/"
        "?amp=1",
        "meta": {
            "title": "Copper Springs police chief says department's ICE policy is under review",
            "published": "2025-02-19T18:30:00-07:00",
            "author": "Jenna Morales",
            "site": "The Valley Courier",
            "language": "en",
            "url": "https://www.thevalleycourier.com/news/local/copper-springs-police-ice-policy-review/",
        },
        "present": [
            "Copper Springs Police Chief Harold Kim said Wednesday",
            "Copper Springs Police Department (CSPD)",
            '"We will pick up the phone and call ICE when we have a violent felon in custody.',
            '"But we are not going to keep people in jail on a paperwork request.',
            "Sonora County Sheriff's Office (SCSO)",
            'Councilman Rick Alvarez said officers should "cooperate fully with ICE,'
            ' no exceptions."',
        ],
        "absent": [
            "Support local journalism",
            "Obituaries",
            "RELATED:",
            "Copper Springs council to take up police budget",
            "More from the Courier",
            "water rates to rise",
            "Comments are moderated",
            "DesertRat",
            "Most Read",
            "All rights reserved",
            "By Jenna Morales |",
        ],
    },
    "latin1_county_ends_ice_jail_contract": {
        "url": "https://www.prairieledger.com/news/2025/04/07/county-ice-contract.html",
        "encoding": "cp1252",
        "meta": {
            "title": "Hartsell County commissioners vote to end ICE jail contract",
            "published": "2025-04-07",
            "author": "Earl Simmons",
            "site": "prairieledger.com",
            "language": "en",
            "url": "https://www.prairieledger.com/news/2025/04/07/county-ice-contract.html",
        },
        "present": [
            "Hartsell County Board of Commissioners voted 3–2 on Monday",
            "“We are not in the business of running a federal detention center,” said"
            " Commissioner José Ramírez",
            "Hartsell County Sheriff’s Office (HCSO)",
            "“What we won’t do anymore is keep ICE’s detainees for them.”",
            "Police Chief Norma Vance said the department’s policy is “under review”",
            "Capt. Renée Dubois",
        ],
        "absent": [
            "Front Page",
            "Classifieds",
            "Serving Hartsell County since 1889",
            "Ledger Staff Writer",
            "Get the Ledger delivered",
            "Reproduction without permission",
        ],
    },
    "minimal_police_chief_statement": {
        "url": "https://www.fairviewnc.gov/police/news/statement-ice-operations",
        "meta": {
            "title": "Statement from Police Chief Dana Whitfield on Federal Immigration Operations",
            # The date line at the top of the statement.
            "published": "2025-01-27",
            "author": "",
            "site": "fairviewnc.gov",
            "language": "en",
            "url": "https://www.fairviewnc.gov/police/news/statement-ice-operations",
        },
        "present": [
            '"The Fairview Police Department (FPD) does not and will not participate in civil'
            " immigration enforcement.",
            '"Some residents have told us they are afraid to report crimes.',
            "Alder County Sheriff Greg Pruitt announced",
            "'immigration enforcement is not part of that partnership.'",
        ],
        "absent": ["| News |", "Contact", "200 Court Street"],
    },
    "news_microdata_police_task_force": {
        "url": "https://www.granitefallsherald.com/news/police-pull-detectives-from-federal-task-force"
        "?ref=home",
        "meta": {
            "title": "Granite Falls police pull detectives from federal task force over"
            " immigration arrests",
            "published": "2025-03-18",
            "author": "Dave Kowalczyk",
            "site": "granitefallsherald.com",
            "language": "en",
            "url": "http://www.granitefallsherald.com/news/police-pull-detectives-from-federal-task-force",
        },
        "present": [
            "Granite Falls Police Department (GFPD)",
            "“When I assigned detectives to that task force, it was to go after fentanyl"
            " traffickers, not landscapers,” Hale said in a statement.",
            "“Our people will not stand on a perimeter",
            "Carbon Ridge County Sheriff's Office (CRCSO)",
            '"We will help ICE wherever the law allows us to," Carbon Ridge County Sheriff Janet'
            ' Moore said. "If that makes',
            "Editor's note: An earlier version",
            "It was two, not three.",
        ],
        "absent": [
            "Advertisement",
            "Opinion",
            "Staff Writer",
            "Facebook",
            "More local news",
            "library to close",
            "About the Herald",
            "All rights reserved",
        ],
    },
}
META_FIELDS = ("title", "published", "author", "site", "language", "url")


def load_fixture(name: str) -> Page:
    spec = FIXTURES[name]
    html = (PAGES / f"{name}.html").read_bytes().decode(spec.get("encoding", "utf-8"))
    return parse_html(html, source=name, url=spec["url"])


@pytest.fixture(scope="module")
def fixture_pages() -> dict[str, Page]:
    return {name: load_fixture(name) for name in FIXTURES}


def _gold_pages() -> list[tuple[Path, dict[str, Any]]]:
    """(page, gold record) for every annotated fixture page, held-out ones included."""
    pages = []
    for gold in GOLD_FILES:
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                pages.append((gold.parent / record["file"], record))
    return pages


GOLD_FILES = [
    ROOT / "fixtures" / "gold.jsonl",
    ROOT / "fixtures" / "gold-politics.jsonl",
    ROOT / "fixtures" / "heldout" / "gold.jsonl",
    ROOT / "fixtures" / "heldout" / "gold-politics.jsonl",
]
GOLD_PAGES = _gold_pages()


def test_every_html_fixture_is_covered() -> None:
    """Each HTML page has snippet checks here or gold rows checked below."""
    annotated = {page.resolve() for page, _ in GOLD_PAGES}
    uncovered = [
        path.name
        for path in PAGES.glob("*.html")
        if path.stem not in FIXTURES and path.resolve() not in annotated
    ]
    assert uncovered == []


@pytest.mark.parametrize(
    ("page", "record"), GOLD_PAGES, ids=[record["doc_id"] for _, record in GOLD_PAGES]
)
def test_parser_keeps_what_the_gold_needs(page: Path, record: dict[str, Any]) -> None:
    """Every gold quote opening and stance evidence survives parsing (whitespace aside)."""
    parsed = read_page(Input(str(page), "path"), settings=Settings())
    text = " ".join(parsed.text.split())
    needed = [quote["starts"] for quote in record["quotes"]]
    needed += [stance["evidence_contains"] for stance in record["stances"]]
    assert [s for s in needed if " ".join(s.split()) not in text] == []


# --- HTML fixtures ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field"), [(name, field) for name in FIXTURES for field in META_FIELDS]
)
def test_fixture_metadata(fixture_pages: dict[str, Page], name: str, field: str) -> None:
    assert getattr(fixture_pages[name], field) == FIXTURES[name]["meta"][field]


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_keeps_body(fixture_pages: dict[str, Page], name: str) -> None:
    text = fixture_pages[name].text
    missing = [snippet for snippet in FIXTURES[name]["present"] if snippet not in text]
    assert missing == []


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_drops_boilerplate(fixture_pages: dict[str, Page], name: str) -> None:
    text = fixture_pages[name].text
    leaked = [snippet for snippet in FIXTURES[name]["absent"] if snippet in text]
    assert leaked == []


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_headline_first_once(fixture_pages: dict[str, Page], name: str) -> None:
    page = fixture_pages[name]
    assert page.paragraphs[0] == page.title
    assert page.paragraphs.count(page.title) == 1


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_paragraphs_are_clean(fixture_pages: dict[str, Page], name: str) -> None:
    for paragraph in fixture_pages[name].paragraphs:
        assert paragraph == paragraph.strip() != ""
        assert "\n" not in paragraph
        assert "  " not in paragraph


def test_list_items_become_paragraphs(fixture_pages: dict[str, Page]) -> None:
    page = fixture_pages["sheriff_press_release_detainers"]
    assert "ICE officers may interview an inmate only with the inmate’s written consent." in (
        page.paragraphs
    )


def test_blockquote_paragraphs_stay_separate(fixture_pages: dict[str, Page]) -> None:
    paragraphs = fixture_pages["news_microdata_police_task_force"].paragraphs
    assert any(p.startswith("“Our people will not stand on a perimeter") for p in paragraphs)
    assert any(p.endswith("not landscapers,” Hale said in a statement.") for p in paragraphs)


# --- HTML units -------------------------------------------------------------------


BODY = "<p>The sheriff said the county will not hold people for ICE.</p>"


def html_page(body: str = BODY, head: str = "", attrs: str = "", url: str = "") -> Page:
    html = f"<html{attrs}><head>{head}</head><body>{body}</body></html>"
    return parse_html(html, source="test", url=url)


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Sheriff says no to ICE | WKNX News 4", "", "Sheriff says no to ICE"),
        ("Sheriff says no to ICE - The Courier", "", "Sheriff says no to ICE"),
        ("Sheriff says no to ICE – Valley Courier", "", "Sheriff says no to ICE"),
        ("Sheriff says no to ICE | Local | WKNX", "", "Sheriff says no to ICE"),
        ("Chief: ICE - a partner we cannot trust right now, he says", "", None),
        (
            "Sheriff says no to ICE - Bayview County Sheriff's Office",
            "Bayview County Sheriff's Office",
            "Sheriff says no to ICE",
        ),
    ],
)
def test_title_site_suffix_removed(title: str, site: str, expected: str | None) -> None:
    head = f"<title>{title}</title>"
    if site:
        head += f'<meta property="og:site_name" content="{site}">'
    page = html_page(head=head)
    assert page.title == (title if expected is None else expected)
    assert page.paragraphs[0] == page.title


def test_og_title_beats_title_tag() -> None:
    head = '<title>Short | Site</title><meta property="og:title" content="The real headline">'
    assert html_page(head=head).title == "The real headline"


def test_h1_in_article_beats_og_title() -> None:
    head = '<meta property="og:title" content="Social headline">'
    body = (
        "<article><h1>Article headline</h1><p>Chief Ruiz said officers will not help.</p></article>"
    )
    page = html_page(body, head=head)
    assert page.title == "Article headline"
    assert page.paragraphs == ("Article headline", "Chief Ruiz said officers will not help.")


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            ' "datePublished": "2025-01-24T09:00:00Z"}</script>'
            '<meta property="article:published_time" content="2025-01-20">',
            "",
            "2025-01-24T09:00:00+00:00",
        ),
        (
            '<meta property="article:published_time" content="2025-01-20">'
            '<meta name="pubdate" content="2025-01-19">',
            "",
            "2025-01-20",
        ),
        (
            '<meta name="date" content="2099-01-01"><meta name="DC.date" content="2024-12-31">',
            "",
            "2024-12-31",
        ),
        (
            "",
            '<time datetime="2025-02-03T08:00:00-05:00">Feb. 3</time>',
            "2025-02-03T08:00:00-05:00",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle",'
            ' "datePublished": }</script>',
            '<time datetime="2025-02-03">Feb. 3</time>',
            "2025-02-03",
        ),
        ('<meta name="date" content="sometime soon">', "", ""),
    ],
)
def test_published_sources_in_order(head: str, body: str, expected: str) -> None:
    page = html_page(body + "<p>Police will not assist ICE with civil enforcement.</p>", head=head)
    assert page.published == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-24", "2025-01-24"),
        ("2025-01-24T10:00:00Z", "2025-01-24T10:00:00+00:00"),
        ("January 24, 2025", "2025-01-24"),
        ("24 JANUARY 2025", "2025-01-24"),
        ("20250310", "2025-03-10"),
        ("Feb. 11, 2025 5:42 PM CST", "2025-02-11T17:42:00-06:00"),
        ("2025-05-31T23:00:00", "2025-05-31T23:00:00"),
        ("2099-01-01", ""),
        ("2025-06-03", ""),
        ("March 2025", ""),
        ("not a date", ""),
        ("1850-01-01", ""),
        ("", ""),
    ],
)
def test_to_iso_date(value: str, expected: str) -> None:
    assert to_iso_date(value, now=datetime(2025, 6, 1, 12, tzinfo=UTC)) == expected


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "author":'
            ' [{"name": "A. Reporter"}, {"name": "B. Writer"}]}</script>'
            '<meta name="author" content="X">',
            "",
            "A. Reporter; B. Writer",
        ),
        (
            '<script type="application/ld+json">{"@type": "Article", "author": "Sam Lee"}</script>',
            "",
            "Sam Lee",
        ),
        ('<meta name="author" content="By Jenna Morales">', "", "Jenna Morales"),
        ('<meta name="author" content="https://facebook.com/someone">', "", ""),
        ("", '<p class="byline">By Ana Diaz and Tom Chen | Staff</p>', "Ana Diaz; Tom Chen"),
        ("", '<a rel="author" href="/a/1">Pat Quinn</a>', "Pat Quinn"),
    ],
)
def test_author_sources(head: str, body: str, expected: str) -> None:
    page = html_page(body + "<p>The chief said the department will not help ICE.</p>", head=head)
    assert page.author == expected


def test_byline_not_in_text() -> None:
    body = '<p class="byline">By Ana Diaz</p><p>The sheriff will not honor ICE detainers.</p>'
    assert "Ana Diaz" not in html_page(body).text


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        (
            '<meta property="og:site_name" content="The Courier">',
            "https://www.x.com/a",
            "The Courier",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "publisher":'
            ' {"@type": "Organization", "name": "Metro Daily"}}</script>',
            "https://x.com/a",
            "Metro Daily",
        ),
        ("", "https://www.sheriff.example.gov/news/1", "sheriff.example.gov"),
        ("", "", ""),
    ],
)
def test_site(head: str, url: str, expected: str) -> None:
    assert html_page(head=head, url=url).site == expected


@pytest.mark.parametrize(
    ("attrs", "head", "body", "expected"),
    [
        (' lang="en-US"', "", "<p>x y</p>", "en"),
        (' lang="ES"', "", "<p>El jefe de policía dijo que no.</p>", "es"),
        ("", '<meta http-equiv="Content-Language" content="fr-CA">', "<p>x y</p>", "fr"),
        (
            "",
            "",
            "<p>The chief said that the department will not help ICE with any of it.</p>",
            "en",
        ),
        (
            "",
            "",
            "<p>El jefe de la policía dijo que el departamento no ayudará a ICE nunca.</p>",
            "",
        ),
        (' lang="not a language"', "", "<p>x y</p>", ""),
    ],
)
def test_language(attrs: str, head: str, body: str, expected: str) -> None:
    assert html_page(body, head=head, attrs=attrs).language == expected


@pytest.mark.parametrize(
    ("head", "url", "expected"),
    [
        (
            '<link rel="canonical" href="/news/1">',
            "https://www.x.com/news/1?utm=a",
            "https://www.x.com/news/1",
        ),
        (
            '<meta property="og:url" content="https://x.com/n/2">',
            "https://x.com/n/2#top",
            "https://x.com/n/2",
        ),
        ('<link rel="canonical" href="javascript:void(0)">', "https://x.com/a", "https://x.com/a"),
        ('<link rel="canonical" href="/news/1">', "", ""),
        ('<link rel="canonical" href="http://[bad">', "https://x.com/a", "https://x.com/a"),
        ("", "https://x.com/a", "https://x.com/a"),
    ],
)
def test_canonical_url(head: str, url: str, expected: str) -> None:
    assert html_page(head=head, url=url).url == expected


def test_double_br_splits_paragraphs() -> None:
    body = "<div>The chief spoke.<br>He said no.<br><br>The mayor agreed.</div>"
    assert html_page(body).paragraphs == ("The chief spoke. He said no.", "The mayor agreed.")


def test_short_link_lines_dropped_long_kept() -> None:
    body = (
        '<div><p><a href="/a">Read more: other story</a></p>'
        "<p>The sheriff said deputies will not ask about status, and the "
        '<a href="/policy">written policy</a> says so too.</p></div>'
    )
    paragraphs = html_page(body).paragraphs
    assert paragraphs == (
        "The sheriff said deputies will not ask about status, and the written policy says so too.",
    )


def test_wrapper_named_like_furniture_is_kept() -> None:
    body = (
        '<div class="has-sidebar"><div class="main-with-sidebar">'
        "<p>The police department will not enforce civil immigration law.</p></div></div>"
    )
    assert html_page(body).text == "The police department will not enforce civil immigration law."


def test_form_wrapping_article_is_kept() -> None:
    body = '<form id="aspnetForm"><main><p>Deputies will not hold people for ICE.</p></main></form>'
    assert html_page(body).text == "Deputies will not hold people for ICE."


def test_hidden_elements_dropped() -> None:
    body = (
        '<div style="display: none">Hidden promo text here</div><p hidden>Hidden too</p>'
        "<p>The chief will not cooperate with ICE raids.</p>"
    )
    assert html_page(body).text == "The chief will not cooperate with ICE raids."


def test_whitespace_and_entities_collapsed() -> None:
    body = "<p>  Sheriff&nbsp;Jane\n\tDoe &amp; Chief\u200b Roe   said no. </p>"
    assert html_page(body).paragraphs == ("Sheriff Jane Doe & Chief Roe said no.",)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html><head><title></title></head><body></body></html>",
        "<script>var a = 1;</script><style>p {}</style>",
        "<nav><a href='/'>Home</a></nav>",
        "<p>###</p><p>* * *</p>",
        "<!-- only a comment -->",
    ],
)
def test_no_text_raises(html: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_html(html, source="empty")
    assert error.value.reason == "no_text"


@pytest.mark.parametrize(
    "html",
    [
        "https://example.com/story",
        "story.html",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>Chief says no.</p></body></html>',
    ],
)
def test_odd_markup_parses_without_warnings(html: str) -> None:
    # pytest turns warnings into errors, so reaching the assert is the test.
    assert parse_html(html, source="odd").paragraphs


def test_deep_nesting_does_not_overflow() -> None:
    html = "<div>" * 20_000 + "<p>The sheriff will not help ICE.</p>" + "</div>" * 20_000
    assert "The sheriff will not help ICE." in parse_html(html, source="deep").text


def test_surrogates_and_nul_tolerated() -> None:
    page = parse_html("<p>Chief\x00 said \udcff no to ICE.</p>", source="bad")
    assert page.paragraphs[0].startswith("Chief said")


# --- plain text -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_pages() -> dict[str, Page]:
    return {
        key: parse_text(path.read_text("utf-8"), source=path.name) for key, path in SEEDS.items()
    }


def test_seed_000_metadata(seed_pages: dict[str, Page]) -> None:
    page = seed_pages["000"]
    assert page.title.startswith("Local Police Forces Nationwide Reject Trump’s Attempt")
    assert page.title.endswith("As They Pledge to Uphold Public Safety")
    assert page.paragraphs[0] == page.title
    assert page.published == "2025-01-24"
    assert page.language == "en"


def test_seed_003_metadata(seed_pages: dict[str, Page]) -> None:
    page = seed_pages["003"]
    assert (
        page.title == "NYPD Takes Stand: New Policy Limits ICE Collaboration with Immigrant Cases"
    )
    assert page.published == ""
    assert page.language == "en"


@pytest.mark.parametrize(
    ("seed", "start"),
    [
        ("000", "The Las Vegas Metropolitan Police Department stated it “will not stop"),
        ("000", "The Chicago Police Department reaffirmed it will not assist"),
        ("000", "Hennepin County Sheriff Dawanna Witt emphasized"),
        ("000", "The Beloit Police Department in Wisconsin announced"),
        ("003", "Las Vegas Metropolitan Police Department (LVMPD) will not participate"),
        ("003", "Debate continues over the impact of sanctuary policies"),
    ],
)
def test_seed_bullets_become_paragraphs(seed_pages: dict[str, Page], seed: str, start: str) -> None:
    assert [p for p in seed_pages[seed].paragraphs if p.startswith(start)], start


def test_seed_bullet_count(seed_pages: dict[str, Page]) -> None:
    paragraphs = seed_pages["000"].paragraphs
    first = paragraphs.index(next(p for p in paragraphs if p.startswith("The Las Vegas Metro")))
    assert paragraphs[first - 1].startswith("Despite these overreaching tactics")
    assert paragraphs[first + 8].startswith("The Beloit Police Department")
    assert not any("•" in p for p in paragraphs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One line\nwrapped here.", ["One line wrapped here."]),
        (
            "Intro:\n  • First item\n  • Second item\n    continued",
            ["Intro:", "First item", "Second item continued"],
        ),
        (
            "- dash item\n* star item\n1. numbered\n2) also numbered",
            ["dash item", "star item", "numbered", "also numbered"],
        ),
        ("Temperatures hit\n-5 degrees", ["Temperatures hit -5 degrees"]),
        ("A\r\n\r\nB\n \u00a0\nC", ["A", "B", "C"]),
        ("  spaced   out  \n\n\n\n  next ", ["spaced out", "next"]),
    ],
)
def test_text_paragraph_splitting(text: str, expected: list[str]) -> None:
    assert list(parse_text(text, source="t").paragraphs) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("24 JANUARY 2025", "2025-01-24"),
        ("January 24, 2025", "2025-01-24"),
        ("Friday, January 24, 2025", "2025-01-24"),
        ("Published: Jan. 24, 2025", "2025-01-24"),
        ("2025-01-24", "2025-01-24"),
        ("On January 24, 2025 the chief spoke", ""),
        ("January 2099", ""),
        ("24 JANUARY 2099", ""),
    ],
)
def test_text_date_line(line: str, expected: str) -> None:
    page = parse_text(f"Police chief says no to ICE\n\n{line}\n\nThe chief said no.", source="t")
    assert page.published == expected


def test_text_date_only_in_first_three_paragraphs() -> None:
    text = "Headline here\n\nOne.\n\nTwo.\n\nJanuary 24, 2025"
    assert parse_text(text, source="t").published == ""


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Sheriffs split on ICE cooperation", "Sheriffs split on ICE cooperation"),
        ("The sheriff said on Tuesday that deputies will not help.", ""),
        ("Why won't the chief help ICE?", ""),
        ("A" * 260, ""),
    ],
)
def test_text_title(first: str, expected: str) -> None:
    assert parse_text(f"{first}\n\nBody text here.", source="t").title == expected


@pytest.mark.parametrize("text", ["", "   \n\n  ", "### \n\n * * *", "\u00a0"])
def test_text_without_words_raises(text: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_text(text, source="t")
    assert error.value.reason == "no_text"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The chief said that the department will not work with ICE in the city.", "en"),
        ("Short text", ""),
        ("La policía de la ciudad no colaborará con ICE en ninguna redada este año.", ""),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


# --- properties -------------------------------------------------------------------

FRAGMENTS = [
    "<p>", "</p>", "<div>", "</div>", "<div class='nav'>", "<div class=\"comments\">", "<article>",
    "</article>", "<main>", "<form>", "</form>", "<h1>", "</h1>", "<h2>", "<li>", "<ul>",
    "<blockquote>", "<br>", "<br/>", "<a href='x'>", "</a>", "<script>", "</script>", "<style>",
    "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&#0;", "&#xD800;", "&nbsp;", "<title>", "</title>",
    "<html lang='", "'>", "<meta property='og:title' content='", "<meta name='date' content='",
    "<time datetime='", "<link rel='canonical' href='", "<script type='application/ld+json'>",
    '{"@type": "NewsArticle", "datePublished": "', '", "author": [{"name": ', "}]}", "\n\n",
    "<table><tr><td>", "<", ">", "\"", "'", "Sheriff said no", "2025-01-24", "“quote”", "\x00",
]  # fmt: skip
tag_soup = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=40).map(
    "".join
)


def check_page(page: Page) -> None:
    assert page.paragraphs
    for paragraph in page.paragraphs:
        assert paragraph and paragraph == paragraph.strip()
        assert "\n" not in paragraph
    assert page.text == "\n\n".join(page.paragraphs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), tag_soup), st.text(max_size=30))
def test_parse_html_only_raises_parse_error(html: str, url: str) -> None:
    try:
        page = parse_html(html, source="fuzz", url=url)
    except ParseError as error:
        assert error.reason == "no_text"
        return
    check_page(page)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parse_text_only_raises_parse_error(text: str) -> None:
    try:
        page = parse_text(text, source="fuzz")
    except ParseError as error:
        assert error.reason == "no_text"
        return
    check_page(page)


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1, max_size=64))
def test_to_iso_date_never_raises(value: str) -> None:
    result = to_iso_date(value)
    assert result == "" or result[:4].isdigit()
