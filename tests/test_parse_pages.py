"""Snippet tests on hand-written newsroom pages (fixtures/parse/): text that must
appear, text that must not, and the metadata each page states.

The pages imitate the CMSes agency statements are published on: a sheriff's
newsroom (CivicPlus-like), a city press release (Drupal, sidebar and related
links), an advocacy group's release (WordPress, share bar and newsletter box),
a news story with captions, ads and comments, and a police newsroom from an
ASP.NET WebForms site laid out with tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractor.parse import Page, parse_html

from .conftest import ROOT

PAGES = ROOT / "fixtures" / "parse"

CASES: dict[str, dict[str, Any]] = {
    "sheriff_newsroom_cms": {
        "url": "https://www.dunmorecountysheriff.gov/News-Releases/2025/sheriff-ends-igsa?id=91",
        "meta": {
            "title": "Sheriff Ortega Ends Jail Agreement With ICE",
            "published": "2025-05-19",
            "site": "Dunmore County Sheriff's Office, OR",
            "language": "en",
            "url": "https://www.dunmorecountysheriff.gov/News-Releases/2025/sheriff-ends-igsa",
        },
        "present": [
            "Dunmore County Sheriff’s Office (DCSO) will end its intergovernmental service agreement",
            "“Our jail exists to hold people accused of crimes in Dunmore County",
            "What changes on July 1",
            "No person will be booked into the Dunmore County Jail on an immigration hold alone.",
            "Deputies will continue to honor criminal warrants signed by a judge",
            "Media inquiries may be directed to Lt. Corinne Vance",
        ],
        "absent": [
            "Skip to Main Content",
            "Jail visitation is closed",
            "Civil Process",
            "News Releases",
            "Posted on:",
            "Facebook",
            "Related Links",
            "Jail Policies",
            "Previous: Deputies Recover Stolen Boat",
            "News Flash",
            "Two men were arrested",
            "Sign up to receive news releases",
            "1200 Courthouse Square",
            "CivicPlus",
            "###",
        ],
    },
    "city_press_release_sidebar": {
        "url": "https://www.millbrookia.gov/node/4121",
        "meta": {
            "title": "City Council Adopts Welcoming City Ordinance",
            "published": "2025-04-08T09:30:00-05:00",
            "site": "City of Millbrook, Iowa",
            "language": "en",
            "url": "https://www.millbrookia.gov/news/city-council-adopts-welcoming-city-ordinance",
        },
        "present": [
            "officers of the Millbrook Police Department (MPD), respond to requests",
            "solely because of an immigration detainer from U.S. Immigration and Customs"
            " Enforcement (ICE).",
            "“This ordinance writes down what our police department already practices.”",
            "Police Chief Tomas Lindqvist told the council that MPD officers “do not enforce",
            "Key provisions",
            "MPD will not honor civil immigration detainers without a judicial warrant.",
            "Council Member Greg Paulsen, who cast the lone vote against the measure",
        ],
        "absent": [
            "This website uses cookies",
            "Translate this page",
            "How Do I",
            "For Immediate Release",
            "Related Links",
            "Police Department Policy Manual",
            "Tags",
            "Recent News",
            "Spring Leaf Collection",
            "Subscribe to City News",
            "100 Main Street",
            "All rights reserved",
        ],
    },
    "advocacy_release_newsletter": {
        "url": "https://gulfcoastijp.org/?p=2291",
        "meta": {
            "title": "Statement: Sheriffs’ 287(g) Expansion Puts Families at Risk",
            "published": "2025-02-20T16:12:09+00:00",
            "author": "GCIJP Press Office",
            "site": "Gulf Coast Immigrant Justice Project",
            "language": "en",
            "url": "https://gulfcoastijp.org/2025/02/20/statement-sheriffs-287g-expansion/",
        },
        "present": [
            "The Gulf Coast Immigrant Justice Project (GCIJP) today condemned the decision",
            "the Clarkston County Sheriff’s Office and the Hale Ridge County Sheriff’s Office",
            "said Marisol Danté, executive director of GCIJP.",
            "“will assist our federal partners to the fullest extent the law allows.”",
            "the Mobile Bay Police Department said last month that its officers will not take"
            " part in immigration enforcement.",
        ],
        "absent": [
            "We use cookies",
            "Know Your Rights",
            "Press Releases",
            "Posted on",
            "Share this:",
            "Twitter",
            "Stay informed",
            "Sign up for our newsletter",
            "Email address",
            "Tagged",
            "Donate",
            "501(c)(3)",
            "Recent Posts",
            "Statement on the New Executive Orders",
            "All rights reserved",
        ],
    },
    "news_comments_captions": {
        "url": "https://www.lakeportledger.com/news/police-chief-ice-sweeps/?utm_source=rss",
        "meta": {
            "title": "Police chief: Officers won't join ICE sweeps in Lakeport",
            "published": "2025-03-27T18:05:00-04:00",
            "author": "Hannah Whitcomb",
            "site": "The Lakeport Ledger",
            "language": "en",
            "url": "https://www.lakeportledger.com/news/police-chief-ice-sweeps/",
        },
        "present": [
            "Lakeport Police Chief Andre Beaumont said Thursday that his officers will not take"
            " part in immigration sweeps",
            "“That is not what the people of Lakeport pay us to do.”",
            "the Lakeport Police Department (LPD) will still respond to calls for service",
            "Stroud said Thursday he would “gladly assist” federal agents if asked.",
            "Immigrant advocates in Lakeport welcomed the chief’s statement",
        ],
        "absent": [
            "Advertisement",
            "Obituaries",
            "Subscribe for $1",
            "Public Safety\n",
            "Staff Writer",
            "Published Mar. 27",
            "speaks at City Hall on Thursday",
            "Photo: Mike Ferris",
            "Ledger file photo",
            "RELATED:",
            "Harlan County renews jail contract",
            "Get the Morning Ledger",
            "Share on Facebook",
            "12 comments",
            "Good for the chief",
            "I will remember that at election time",
            "Comments are moderated",
            "Most Read",
            "new bus routes",
            "45 Harbor Street",
        ],
    },
    "police_newsroom_table_layout": {
        "url": "https://www.pinehurstpd.org/NewsDetail.aspx?id=873",
        "meta": {
            "title": "PPD Will Not Participate in 287(g) Program",
            "published": "2025-03-12",
            "site": "pinehurstpd.org",
            "language": "en",  # undeclared: detected from the text
            "url": "https://www.pinehurstpd.org/NewsDetail.aspx?id=873",
        },
        "present": [
            "Chief of Police Lorraine Abbott announced today that the Pinehurst Police Department"
            " will not apply to join the 287(g) program",
            "“Enforcing federal immigration law is the job of federal agents.”",
            "The Moore Valley County Sheriff’s Office, which runs the county jail, has operated"
            " under a 287(g) jail model agreement since 2019.",
            "contact Sgt. Derek Lyle, Public Information Officer",
        ],
        "absent": [
            "Join PPD",
            "Office of the Chief",
            "Quick Links",
            "Sex Offender Registry",
            "3/12/2025",
            "Back to News Releases",
            "500 Beacon Street",
            "Sys.Application",
            "VIEWSTATE",
        ],
    },
}


def load(name: str) -> Page:
    html = (PAGES / f"{name}.html").read_text(encoding="utf-8")
    return parse_html(html, source=name, url=CASES[name]["url"])


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    return {name: load(name) for name in CASES}


def test_every_page_has_a_case() -> None:
    assert sorted(path.stem for path in Path(PAGES).glob("*.html")) == sorted(CASES)


@pytest.mark.parametrize(
    ("name", "field"), [(name, field) for name, case in CASES.items() for field in case["meta"]]
)
def test_metadata(pages: dict[str, Page], name: str, field: str) -> None:
    assert getattr(pages[name], field) == CASES[name]["meta"][field]


@pytest.mark.parametrize("name", CASES)
def test_text_kept(pages: dict[str, Page], name: str) -> None:
    text = pages[name].text
    assert [snippet for snippet in CASES[name]["present"] if snippet not in text] == []


@pytest.mark.parametrize("name", CASES)
def test_furniture_dropped(pages: dict[str, Page], name: str) -> None:
    text = pages[name].text + "\n"
    assert [snippet for snippet in CASES[name]["absent"] if snippet in text] == []


@pytest.mark.parametrize("name", CASES)
def test_headline_first_once_and_not_in_body(pages: dict[str, Page], name: str) -> None:
    page = pages[name]
    assert page.paragraphs[0] == page.title
    assert page.title not in page.body


def test_list_items_and_subheadings_are_paragraphs(pages: dict[str, Page]) -> None:
    paragraphs = pages["city_press_release_sidebar"].paragraphs
    assert "Key provisions" in paragraphs
    assert (
        "The city will publish an annual report on any requests received from federal"
        " immigration agencies." in paragraphs
    )


def test_blockquote_is_its_own_paragraph(pages: dict[str, Page]) -> None:
    paragraphs = pages["sheriff_newsroom_cms"].paragraphs
    assert any(
        p.startswith("“Our jail exists") and p.endswith("ICE detainer.”") for p in paragraphs
    )


def test_br_separated_paragraphs_in_a_span(pages: dict[str, Page]) -> None:
    paragraphs = pages["police_newsroom_table_layout"].paragraphs
    assert paragraphs[1].startswith("Pinehurst, N.C. – Chief of Police Lorraine Abbott")
    assert paragraphs[2].startswith("“Our officers are here to protect everyone")
