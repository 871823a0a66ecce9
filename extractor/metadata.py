"""Page metadata: title, publication date, authors, site name, language and canonical URL.

Everything is read from the parsed tree before the main-text stage removes
anything (``read_metadata``), then resolved field by field, strongest
evidence first: JSON-LD of the article, ``<meta>`` tags, marked-up elements
(``<time>``, ``rel=author``, bylines), and finally the URL.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import htmldate
from dateutil import parser as dateparser
from dateutil import tz
from dateutil.parser import UnknownTimezoneWarning
from lxml import etree

_ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNews", "AnalysisNewsArticle", "BlogPosting",
     "PressRelease", "Report", "ScholarlyArticle", "OpinionNewsArticle", "WebPage",
     "LiveBlogPosting", "TechArticle", "BackgroundNewsArticle"}
)  # fmt: skip
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article.published",
    "datepublished", "pubdate", "publishdate", "publish-date", "date", "dc.date",
    "dc.date.issued", "dcterms.date", "dcterms.created", "dcterms.issued", "sailthru.date",
    "parsely-pub-date", "og:published_time", "datecreated", "article:modified_time",
    "og:updated_time",
)  # fmt: skip
_AUTHOR_META = (
    "author", "article:author", "byl", "dc.creator", "dcterms.creator", "parsely-author",
    "sailthru.author",
)  # fmt: skip
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|\u2014|::|»|·|•)\s+")
_BYLINE_ROLE = re.compile(
    r",\s*[^,]*\b(?:staff|writer|reporter|correspondent|editor|contributor)\b.*$", re.IGNORECASE
)
_BYLINE_NAME = re.compile(r"(?:^|[-_])(?:byline|author)")
_TRAILING_DATE = re.compile(
    r"[\s,;-]+(?:on\s+)?(?:\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})\b.*$"
)
# Expression strings, evaluated with ``root.xpath``: compiled ``etree.XPath``
# objects must not be shared between threads, and batch runners may use threads.
_MICRODATA = "//*[@itemprop='datePublished' or @itemprop='dateCreated' or @itemprop='headline']"
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
# A date in a URL path: /2019/11/19/ or /2019-11-19- (news CMSes put one there).
_URL_DATE = re.compile(
    r"(?<!\d)(20\d\d|19\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?!\d)"
)
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# US zone abbreviations dateutil does not know; without them it warns and
# returns a naive time.
_TZINFOS = {
    name: tz.tzoffset(name, hours * 3600)
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
        "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
    }.items()
}  # fmt: skip
# Publication dates later than this are mistakes (event dates, placeholders);
# the margin lets a page dated "today" in a timezone ahead of UTC through.
_FUTURE_MARGIN = timedelta(hours=14)


@dataclass(slots=True)
class Metadata:
    """Everything read from the page before any element is removed."""

    meta: dict[str, str]
    ld_nodes: list[dict[str, Any]]
    title_tag: str
    lang: str
    canonical: str
    byline: str
    time_value: str

    @property
    def article_node(self) -> dict[str, Any] | None:
        """The JSON-LD node describing the article, if the page has one."""
        for node in self.ld_nodes:
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(kind, str) and kind in _ARTICLE_TYPES for kind in kinds):
                return node
        return None

    @property
    def article_body(self) -> str:
        """JSON-LD ``articleBody`` (often truncated or stale: evidence, not the answer)."""
        for node in self.ld_nodes:
            body = node.get("articleBody")
            if isinstance(body, str) and body.strip():
                return body
        return ""

    @property
    def headline_hints(self) -> list[str]:
        """Headlines the page declares for sharing and search, strongest first."""
        hints = [
            self.meta.get("og:title", ""),
            self.meta.get("twitter:title", ""),
            self.meta.get("headline", ""),
        ]
        article = self.article_node
        if article and isinstance(article.get("headline"), str):
            hints.append(article["headline"])
        hints.append(self.title_tag)
        return [collapse(hint) for hint in hints if hint and collapse(hint)]


def read_metadata(root: etree._Element) -> Metadata:
    meta: dict[str, str] = {}
    ld_nodes: list[dict[str, Any]] = []
    title_tag = lang = canonical = ""
    times: list[etree._Element] = []
    for element in root.iter("meta", "script", "title", "link", "time"):
        tag = element.tag
        if tag == "meta":
            key = element.get("property") or element.get("name") or element.get("http-equiv")
            key = key or element.get("itemprop")
            content = (element.get("content") or "").strip()
            if key and content:
                meta.setdefault(key.lower(), content)
        elif tag == "script":
            if (element.get("type") or "").strip().lower() == "application/ld+json":
                ld_nodes.extend(_read_json_ld(element.text or ""))
        elif tag == "title":
            # <svg> icons carry <title> elements too; the page's own comes first.
            if not title_tag and not _inside(element, "svg"):
                title_tag = collapse("".join(element.itertext()))
        elif tag == "link":
            if not canonical and "canonical" in (element.get("rel") or "").lower().split():
                canonical = (element.get("href") or "").strip()
        elif (element.get("datetime") or "").strip():
            times.append(element)
    # Microdata on visible elements (<span itemprop="datePublished" content=...>).
    for element in root.xpath(_MICRODATA):
        if isinstance(element, etree._Element) and element.tag != "meta":
            value = element.get("content") or element.get("datetime") or "".join(element.itertext())
            if collapse(value):
                meta.setdefault(str(element.get("itemprop")).lower(), collapse(value))
    html_tag = root if root.tag == "html" else None
    if html_tag is not None:
        lang = html_tag.get("lang") or html_tag.get("xml:lang") or ""
    return Metadata(
        meta=meta,
        ld_nodes=ld_nodes,
        title_tag=title_tag,
        lang=lang,
        canonical=canonical,
        byline=_find_byline(root),
        time_value=_pick_time(times),
    )


def _read_json_ld(text: str) -> list[dict[str, Any]]:
    try:
        # strict=False: CMSes often leave raw newlines inside JSON strings.
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return []
    return list(_flatten_ld(data, depth=0))


def _flatten_ld(data: Any, *, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item, depth=depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _flatten_ld(data.get("@graph"), depth=depth + 1)
        yield from _flatten_ld(data.get("mainEntity"), depth=depth + 1)


def _inside(element: etree._Element, tag: str) -> bool:
    return any(parent.tag == tag for parent in element.iterancestors())


def _find_byline(root: etree._Element) -> str:
    for element in root.iter("a"):
        if "author" in (element.get("rel") or "").lower().split():
            text = collapse("".join(element.itertext()))
            if text:
                return text
    # A plain walk: an XPath narrowing the elements by translate()-lowered class and id
    # took 5x as long (2.4 ms a page, a fifth of the whole parse).
    for element in root.iter(etree.Element):
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        author = element.get("itemprop") == "author"
        if (names == " " and not author) or element.tag in ("meta", "link", "body"):
            continue
        if author or _BYLINE_NAME.search(names.lower()):
            text = collapse(" ".join(element.itertext()))
            if 2 < len(text) <= 120:
                return text
    return ""


def _pick_time(times: list[etree._Element]) -> str:
    # A <time> marked as the publication date beats the first one on the page,
    # which is often a clock or an event date.
    for element in times:
        if element.get("pubdate") is not None or element.get("itemprop") == "datePublished":
            return element.get("datetime") or ""
    return (times[0].get("datetime") or "") if times else ""


# --- fields ---------------------------------------------------------------------------


def find_site(info: Metadata, url: str, *, heading: str = "") -> str:
    """The publisher's name: declared, else the tail of ``<title>`` after the
    page's own headline ("Headline | Dunmore County Sheriff's Office"), else the host."""
    declared = collapse(info.meta.get("og:site_name", ""))
    if declared and "://" not in declared:
        return declared
    article = info.article_node
    if article:
        names = _ld_names(article.get("publisher"), _ld_index(info.ld_nodes))
        if names:
            return names[0]
    separators = list(_TITLE_SEPARATOR.finditer(info.title_tag))
    if heading and separators:
        head, tail = info.title_tag[: separators[0].start()], info.title_tag[separators[-1].end() :]
        if normalise(head) == normalise(heading) and 0 < len(tail.split()) <= 8:
            return tail.strip()
    try:
        host = urlsplit(find_url(info, url)).hostname or ""
    except ValueError:  # a malformed IPv6 host, say
        return ""
    return host.removeprefix("www.")


def find_url(info: Metadata, url: str) -> str:
    """The canonical URL the page declares, resolved against the fetched one."""
    for candidate in (info.canonical, info.meta.get("og:url", "")):
        if not candidate:
            continue
        try:
            resolved = urljoin(url, candidate.strip())
        except ValueError:  # a malformed IPv6 host, say
            continue
        if urlsplit(resolved).scheme in ("http", "https"):
            return resolved
    return url


def find_title(info: Metadata, heading: str, site: str) -> str:
    """The headline: the page's own ``<h1>`` when it has one, else declared titles."""
    if heading:
        return heading
    og_title = info.meta.get("og:title", "")
    if og_title:
        return strip_site_suffix(collapse(og_title), site, loose=False)
    article = info.article_node
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        return collapse(article["headline"])
    return strip_site_suffix(info.title_tag, site, loose=True)


def strip_site_suffix(title: str, site: str, *, loose: bool) -> str:
    """``"Headline | Site"`` -> ``"Headline"``; with ``loose``, also a short unknown tail."""
    for _ in range(2):
        separators = list(_TITLE_SEPARATOR.finditer(title))
        if not separators:
            break
        last = separators[-1]
        head, tail = title[: last.start()], title[last.end() :]
        names_site = bool(site) and normalise(tail) in (normalise(site), "")
        short_tail = len(tail.split()) <= (6 if "|" in last.group() else 4)
        if not (names_site or (loose and short_tail and len(head.split()) >= 3)):
            break
        title = head.strip()
    return title


def find_published(info: Metadata, url: str, *, now: datetime | None = None) -> str:
    article = info.article_node
    ld_dates = [
        node.get("datePublished")
        for node in ([article] if article else []) + info.ld_nodes
        if isinstance(node.get("datePublished"), str)
    ]
    meta_dates = [info.meta.get(key, "") for key in _PUBLISHED_META]
    for value in [*ld_dates, *meta_dates, info.time_value]:
        iso = to_iso_date(str(value), now=now) if value else ""
        if iso:
            return iso
    return ""


def find_visible_date(html: str, url: str, *, now: datetime | None = None) -> str:
    """The date a page shows without declaring it ("Posted on: March 4, 2025" on a
    county CMS), found by htmldate, else a date in the URL path; ``YYYY-MM-DD``.

    htmldate is the maintained library for this (markup patterns, date-bearing
    class names, visible-text search, URL); in its fast mode it costs about 2 ms
    a page, and it runs only for pages whose structured metadata gave no date.
    """
    today = (now or datetime.now(UTC)).date()
    try:
        found = htmldate.find_date(
            html,
            url=url or None,
            original_date=True,
            extensive_search=False,
            max_date=today.isoformat(),
        )
    except (ValueError, TypeError, etree.LxmlError):  # markup it cannot read
        found = None
    if found and found <= today.isoformat():
        return found
    return date_from_url(url, now=now)


def date_from_url(url: str, *, now: datetime | None = None) -> str:
    """``YYYY-MM-DD`` from a dated URL path (``/2019/11/19/slug``), else ``""``."""
    try:
        match = _URL_DATE.search(urlsplit(url).path) if url else None
    except ValueError:  # a malformed IPv6 host, say
        return ""
    if not match:
        return ""
    year, month, day = (int(part) for part in match.groups())
    try:
        value = datetime(year, month, day, tzinfo=UTC)
    except ValueError:  # 2019/02/31
        return ""
    if value - _FUTURE_MARGIN > (now or datetime.now(UTC)):
        return ""
    return value.date().isoformat()


def to_iso_date(value: str, *, now: datetime | None = None) -> str:
    """ISO 8601 for a date string; date-only input stays ``YYYY-MM-DD``.

    ``""`` for anything unparseable, incomplete (no day), implausibly old, or
    in the future relative to ``now``.
    """
    value = value.strip()
    if not value or len(value) > 64:
        return ""
    try:
        with warnings.catch_warnings():
            # Unknown zone names fall back to naive times, which is what we want.
            warnings.simplefilter("ignore", UnknownTimezoneWarning)
            # Parsing against two defaults shows which fields the string lacked.
            first: datetime = dateparser.parse(
                value, default=datetime(2000, 1, 1), tzinfos=_TZINFOS
            )
            second: datetime = dateparser.parse(
                value, default=datetime(2004, 2, 2, 1, 1, 1), tzinfos=_TZINFOS
            )
    except (ValueError, OverflowError, TypeError):
        return ""
    if first.date() != second.date() or first.year < 1900:
        return ""
    now = now or datetime.now(UTC)
    # Only the hour tells: "5:42 PM" has no seconds and "5 PM" no minutes.
    date_only = first.hour != second.hour
    moment = first if first.tzinfo else first.replace(tzinfo=UTC)
    if moment - _FUTURE_MARGIN > now:
        return ""
    return first.date().isoformat() if date_only else first.isoformat()


def find_author(info: Metadata) -> str:
    article = info.article_node
    if article:
        names = [
            _tidy_name(name) for name in _ld_names(article.get("author"), _ld_index(info.ld_nodes))
        ]
        if any(names):
            return "; ".join(dict.fromkeys(name for name in names if name))
    for key in _AUTHOR_META:
        value = info.meta.get(key, "")
        if value and "://" not in value:
            return clean_byline(value)
    return clean_byline(info.byline) if info.byline else ""


def clean_byline(text: str) -> str:
    """``"By Ana Diaz and Tom Chen | Staff"`` -> ``"Ana Diaz; Tom Chen"``."""
    text = _tidy_name(text)
    names = [collapse(name) for name in re.split(r"\s+(?:and|&)\s+|\s*,\s+", text)]
    return "; ".join(name for name in names if name)


def _tidy_name(text: str) -> str:
    """One author field without "By", a trailing role, date or site after a bar."""
    text = re.split(r"\s+[|•·]\s+|\s+(?:updated|published|posted)\b", text, flags=re.I)[0]
    text = re.sub(r"^\s*by\b[:\s]*", "", text, flags=re.IGNORECASE)
    text = _BYLINE_ROLE.sub("", text)
    text = _TRAILING_DATE.sub("", text)
    return collapse(text)


def _ld_index(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}


def _ld_names(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = index.get(item["@id"], item)
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and collapse(name) and collapse(name) not in names:
            names.append(collapse(name))
    return names


def declared_language(info: Metadata) -> str:
    for value in (info.lang, info.meta.get("content-language", ""), info.meta.get("og:locale", "")):
        # Content-Language may list several ("en-us, es"); the first is the main one.
        tag = value.split(",")[0].strip()
        if _LANGUAGE_TAG.fullmatch(tag):
            return re.split(r"[-_]", tag, maxsplit=1)[0].lower()
    return ""


# --- small helpers ------------------------------------------------------------------------


def collapse(text: str) -> str:
    """Whitespace runs to one space, invisible characters dropped, ends trimmed."""
    return " ".join(text.translate(_INVISIBLE_CHARS).split())


def normalise(text: str) -> str:
    """Case- and punctuation-blind key for comparing short strings."""
    return re.sub(r"[\W_]+", "", text.casefold())
