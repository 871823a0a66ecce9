"""Metadata and main-text rules of extractor.metadata and extractor.parse, one behaviour each."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.errors import ParseError
from extractor.metadata import clean_byline, date_from_url, find_visible_date
from extractor.parse import Page, parse_html

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
PROSE = (
    "The sheriff said on Tuesday that deputies will not hold anyone for ICE without a"
    " warrant signed by a judge, and that the jail will release people on time."
)


def page(body: str, head: str = "", url: str = "") -> Page:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    return parse_html(html, source="test", url=url)


# --- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.com/2019/11/19/story-slug", "2019-11-19"),
        ("https://x.com/news/2019-11-19-story", "2019-11-19"),
        ("https://x.com/2019/02/31/bad-day", ""),
        ("https://x.com/2099/01/01/future", ""),
        ("https://x.com/story/20191119", ""),
        ("", ""),
    ],
)
def test_date_from_url(url: str, expected: str) -> None:
    assert date_from_url(url, now=NOW) == expected


@pytest.mark.parametrize(
    ("html", "url", "expected"),
    [
        ('<span class="date">March 4, 2025</span><p>x</p>', "", "2025-03-04"),
        ('<div class="post-date">2025-03-04</div>', "", "2025-03-04"),
        ('<span class="date">2030-03-04</span>', "", ""),
        ("<p>x</p>", "https://x.com/2024/05/06/a", "2024-05-06"),
        ("<p>x</p>", "https://x.com/2025/12/06/a", ""),
    ],
)
def test_find_visible_date(html: str, url: str, expected: str) -> None:
    assert find_visible_date(f"<html><body>{html}</body></html>", url, now=NOW) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Posted on: May 19, 2025", "2025-05-19"),
        ("For Immediate Release: April 8, 2025", "2025-04-08"),
        ("3/12/2025", "2025-03-12"),
        ("Tuesday, January 7, 2025", "2025-01-07"),
    ],
)
def test_date_line_at_top_becomes_published_and_leaves_text(line: str, expected: str) -> None:
    result = page(f"<div><h1>Sheriff ends jail contract</h1><p>{line}</p><p>{PROSE}</p></div>")
    assert result.published == expected
    assert result.paragraphs == ("Sheriff ends jail contract", PROSE)


@pytest.mark.parametrize(
    "markup",
    [
        '<span itemprop="datePublished" content="2025-02-03">Feb. 3</span>',
        '<span itemprop="datePublished">February 3, 2025</span>',
    ],
)
def test_microdata_date_on_a_visible_element(markup: str) -> None:
    assert page(f"<article>{markup}<p>{PROSE}</p></article>").published == "2025-02-03"


def test_declared_date_beats_date_line() -> None:
    head = '<meta property="article:published_time" content="2025-02-01">'
    result = page(f"<p>Posted on: May 19, 2025</p><p>{PROSE}</p>", head=head)
    assert result.published == "2025-02-01"


# --- authors and site ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By TOM KRISHER, AP Auto Writer", "TOM KRISHER"),
        ("Telegraph Sport 19 November 2019", "Telegraph Sport"),
        ("By Ana Diaz, Tom Chen and Lee Park", "Ana Diaz; Tom Chen; Lee Park"),
        ("Amy Kuperinsky | NJ Advance Media", "Amy Kuperinsky"),
    ],
)
def test_clean_byline(byline: str, expected: str) -> None:
    assert clean_byline(byline) == expected


def test_json_ld_author_is_tidied() -> None:
    data = {"@type": "NewsArticle", "author": [{"name": "By Jane Roe, Staff Writer"}, "Jane Roe"]}
    head = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    assert page(f"<p>{PROSE}</p>", head=head).author == "Jane Roe"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        (
            "<title>Sheriff ends jail contract | Dunmore County Sheriff's Office</title>",
            "<h1>Sheriff ends jail contract</h1>",
            "Dunmore County Sheriff's Office",
        ),
        (
            "<title>Other words here | Dunmore County Sheriff's Office</title>",
            "<h1>Sheriff ends jail contract</h1>",
            "x.gov",
        ),
        (
            '<meta property="og:site_name" content="https://x.gov/">',
            "<h1>Sheriff ends jail contract</h1>",
            "x.gov",
        ),
    ],
)
def test_site_name(head: str, body: str, expected: str) -> None:
    assert page(f"{body}<p>{PROSE}</p>", head=head, url="https://www.x.gov/n/1").site == expected


# --- main text ------------------------------------------------------------------------


def paragraphs(n: int, topic: str) -> str:
    return "".join(
        f"<p>{topic} paragraph {i}: the county board met on Monday, heard from residents,"
        " and voted on the jail budget after a long debate about staffing.</p>"
        for i in range(n)
    )


def test_body_split_by_ad_wrappers_is_kept_whole() -> None:
    body = (
        '<div class="story"><div class="chunk">'
        + paragraphs(3, "First")
        + '</div><div class="ad-slot">Advertisement</div><div class="chunk"><div class="inner">'
        + paragraphs(3, "Second")
        + "</div></div></div>"
        + '<div class="footer-links"><a href="/a">About</a> <a href="/b">Contact</a></div>'
    )
    text = page(body).text
    assert "First paragraph 0" in text and "Second paragraph 2" in text
    assert "Advertisement" not in text and "About" not in text


def test_nested_article_cards_are_dropped() -> None:
    body = (
        "<article><h1>County ends ICE contract</h1>"
        + paragraphs(4, "Main")
        + "<article><h2>Other story</h2><p>A different story about road repairs that runs on"
        " for a while, with enough words to look like a paragraph of prose.</p></article>"
        + "</article>"
    )
    text = page(body).text
    assert "Main paragraph 3" in text
    assert "road repairs" not in text


def test_sidebar_of_teasers_with_blurbs_is_not_merged() -> None:
    teasers = "".join(
        f'<div class="item"><h3><a href="/n/{i}">Deputies recover stolen trailer {i}</a></h3>'
        f"<p>Deputies recovered a stolen trailer on Highway {i} after a short chase and"
        f" arrested two men from out of state on Tuesday.</p><span>May {i + 1}, 2025</span></div>"
        for i in range(6)
    )
    body = (
        '<div class="row"><div class="col-md-8"><h1>Sheriff will not renew ICE agreement</h1>'
        f'{paragraphs(3, "Main")}</div><div class="col-md-4"><h2>Latest Releases</h2>{teasers}'
        "</div></div>"
    )
    result = page(body)
    assert result.paragraphs[0] == "Sheriff will not renew ICE agreement"
    assert "Main paragraph 2" in result.text
    assert "stolen trailer" not in result.text and "Latest Releases" not in result.text


def test_link_dense_box_inside_body_is_dropped() -> None:
    links = " ".join(f'<a href="/s/{i}">Another story headline number {i}</a>,' for i in range(6))
    body = f'<div class="story">{paragraphs(4, "Main")}<div class="more">{links}</div></div>'
    text = page(body).text
    assert "Main paragraph 0" in text
    assert "Another story headline" not in text


def test_structured_article_body_is_evidence_for_the_right_block() -> None:
    chosen = paragraphs(4, "Chosen")
    other = "".join(
        f"<p>Other paragraph {i}: a storm knocked out power to thousands of homes, closed"
        " schools for two days and flooded the river road near the old mill.</p>"
        for i in range(8)
    )
    ld = {"@type": "NewsArticle", "articleBody": " ".join(
        f"Chosen paragraph {i}: the county board met on Monday, heard from residents, and voted"
        " on the jail budget after a long debate about staffing." for i in range(4)
    )}  # fmt: skip
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    links = "".join(
        f'<li><a href="/s/{i}">Another story headline number {i}</a></li>' for i in range(30)
    )
    body = f"<div><div>{other}</div><ul>{links}</ul></div><div><div>{chosen}</div></div>"
    assert "Other paragraph 0" in page(body).text  # without the evidence, the longer block wins
    text = page(body, head=head).text
    assert "Chosen paragraph 3" in text
    assert "Other paragraph 0" not in text


def test_long_paragraph_above_the_headline_stays() -> None:
    result = page(
        f"<div><p>{PROSE} {PROSE}</p><h1>Sheriff ends jail contract</h1><p>{PROSE}</p></div>"
    )
    assert result.paragraphs == ("Sheriff ends jail contract", f"{PROSE} {PROSE}", PROSE)


def test_lead_paragraph_beside_the_body_container_is_kept() -> None:
    lead = f"LEAD: {PROSE}"
    links = "".join(
        f'<li><a href="/t/{i}">Topic number {i} of the week</a></li>' for i in range(12)
    )
    body = (
        f'<div><p>{lead}</p><ul>{links}</ul><div class="body">{paragraphs(4, "Main")}</div></div>'
    )
    result = page(body)
    assert result.paragraphs[0] == lead
    assert "Topic number" not in result.text


def test_headline_marked_by_class_and_run_into_a_date() -> None:
    body = (
        '<td><span class="newsTitle">Police will not join 287(g)</span><br>'
        '<span class="newsDate">3/12/2025</span><br><br>'
        f'<span class="newsBody">{PROSE}</span></td>'
    )
    result = page(f"<table><tr>{body}</tr></table>")
    assert result.title == "Police will not join 287(g)"
    assert result.published == "2025-03-12"
    assert result.paragraphs == ("Police will not join 287(g)", PROSE)


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Share this:",
        "This slideshow requires JavaScript.",
        "Protesters gathered outside (Image: GETTY)",
        "Jane Roe | Getty Images",
        "###",
        "[button link=”/x”]Submit[/button]",
        "Was this page helpful? Yes No",
        "Return to News",
        "Select Language ▼",
        "By Jane Roe, Staff Writer",
        "______________________________",
        "(Reporting by Jane Roe; Editing by Tom Brown)",
        "Follow the Ledger on Facebook and Twitter.",
        "You may also like...",
        "Photo by Jane Roe",
        "Updated: March 4, 2025 5:00 PM",
        "Published Mar. 27, 2025 6:05 p.m.",
        "Posted in Press Releases",
    ],
)
def test_boilerplate_lines_dropped(line: str) -> None:
    assert page(f"<div><p>{PROSE}</p><p>{line}</p></div>").paragraphs == (PROSE,)


def test_embedded_post_is_kept_but_its_caption_is_not() -> None:
    tweet = (
        '<div class="social-media-embed"><blockquote class="twitter-tweet"><p>Our deputies will'
        " not ask anyone about immigration status. Period.</p>&mdash; Sheriff Roe (@sheriffroe)"
        '</blockquote><div class="embedCaption">Posted by the sheriff on Monday night</div></div>'
    )
    text = page(f'<div class="story">{paragraphs(3, "Main")}{tweet}</div>').text
    assert "Our deputies will not ask anyone about immigration status. Period." in text
    assert "Posted by the sheriff" not in text


def test_sentence_with_a_linked_phrase_is_kept() -> None:
    line = 'The sheriff was <a href="/s">sentenced to life in federal prison last week</a>.'
    assert (
        "sentenced to life"
        in page(f'<div class="story">{paragraphs(3, "Main")}<p>{line}</p></div>').text
    )


def test_inline_cluster_of_links_is_cut_from_its_paragraph() -> None:
    card = (
        '<span class="rollover"><a href="/p/1">Kristi Lynn Noem</a>'
        '<a href="/s/1">South Dakota governor doubles down on anti-drug campaign</a>'
        '<a href="/s/2">South Dakota drops pipeline protest laws</a></span>'
    )
    body = (
        f'<div class="story"><p>Gov. <a href="/p/1">Kristi Noem</a>{card} (R) said the state'
        ' will not send troops, officials from <a href="/i">ICE</a>, <a href="/c">CBP</a> and'
        f' <a href="/d">DHS</a> confirmed.</p>{paragraphs(3, "Main")}</div>'
    )
    first = page(body).paragraphs[0]
    assert first == (
        "Gov. Kristi Noem (R) said the state will not send troops, officials from ICE, CBP and"
        " DHS confirmed."
    )


def test_camel_case_caption_names_are_furniture() -> None:
    caption = '<div class="inlineImageCaption">The jail on Main Street, seen from the river bank in spring.</div>'
    assert (
        "seen from the river"
        not in page(f'<div class="story">{paragraphs(3, "Main")}{caption}</div>').text
    )


def test_a_short_line_beside_the_body_does_not_widen_it() -> None:
    body = (
        f'<table><tr><td class="content">{paragraphs(4, "Main")}</td></tr>'
        '<tr><td class="ftr">Pinehurst Police Department, 500 Beacon Street, Pinehurst</td></tr></table>'
    )
    assert "500 Beacon Street" not in page(body).text


@pytest.mark.parametrize(
    "line",
    [
        "By contrast, the police department said it will not take part.",
        "“We will not hold anyone for ICE,” said Rep. Jane Roe (D-Texas).",
        "Sheriff Roe: “No.”",
        "Published reports said the sheriff would sign the agreement.",
        "Posted on Facebook, the statement said deputies will not help ICE.",
        "Reporting by the Tribune found that deputies held people for ICE.",
    ],
)
def test_short_content_lines_kept(line: str) -> None:
    assert page(f"<div><p>{PROSE}</p><p>{line}</p></div>").paragraphs == (PROSE, line)


def test_wrapper_named_like_furniture_but_holding_the_text_is_kept() -> None:
    body = f'<div class="has-comments">{paragraphs(3, "Kept")}</div>'
    assert "Kept paragraph 2" in page(body).text


def test_excessive_nesting_keeps_text() -> None:
    html = "<div>" * 3000 + f"<p>{PROSE}</p>" + "</div>" * 3000
    assert PROSE in parse_html(html, source="deep").text


# --- properties -------------------------------------------------------------------------

PIECES = [
    "<article>", "</article>", "<div class='story'>", "<div class='share'>", "<div hidden>",
    "</div>", "<p>", "</p>", "<br>", "<br><br>", "<h1>", "</h1>", "<h2>", "</h2>", "<ul><li>",
    "</li></ul>", "<table><tr><td>", "</td></tr></table>", "<span class='newsTitle'>", "</span>",
    "<a href='/x'>", "</a>", "<figure><figcaption>", "</figcaption></figure>", "<form>", "</form>",
    "Posted on: May 1, 2025", "3/12/2025", "###", "Advertisement", PROSE, "Chief Roe said no.",
    "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"articleBody\": \"",
    "\", \"author\": {\"name\": \"By A, Staff\"}}</script>", "<title>", "</title>", " | ", "&#x0;",
    "<?xml version='1.0' encoding='latin-1'?>", "<meta property='og:site_name' content='",
    "'>", "\udcff",
]  # fmt: skip
page_soup = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=50).map(
    "".join
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_soup, st.sampled_from(["", "https://x.gov/2025/01/02/a", "not a url", "http://[::1"]))
def test_random_pages_parse_or_raise_parse_error(html: str, url: str) -> None:
    try:
        result = parse_html(html, source="fuzz", url=url)
    except ParseError as error:
        assert error.reason == "no_text"
        return
    assert result.paragraphs and all(p == p.strip() != "" for p in result.paragraphs)
    assert result.text == "\n\n".join(result.paragraphs)
    assert result.published == "" or result.published[:4].isdigit()
    assert result.title == "" or result.paragraphs[0] == result.title
