"""Parsing: HTML or plain text in, a ``Page`` (main text and metadata) out."""

from __future__ import annotations

import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag
from dateutil import parser as dateparser
from dateutil import tz
from dateutil.parser import UnknownTimezoneWarning

from extractor.errors import ParseError


@dataclass(frozen=True, slots=True)
class Page:
    """The readable article: metadata plus its paragraphs.

    ``paragraphs[0]`` is the headline when the page has one, so that a stance
    stated in a headline is seen by the extractors. ``text`` is the paragraphs
    joined by blank lines; every character offset in the output refers to it.
    """

    source: str
    paragraphs: tuple[str, ...]
    title: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" when unknown
    author: str = ""
    site: str = ""
    language: str = ""
    url: str = ""  # canonical URL when the page declares one, else the fetched URL

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def body(self) -> str:
        """The main text without the headline: what article-body benchmarks score."""
        start = 1 if self.title and self.paragraphs and self.paragraphs[0] == self.title else 0
        return "\n\n".join(self.paragraphs[start:])


# --- HTML vocabulary ---------------------------------------------------------

# Never readable text; removed outright once metadata has been read from them.
_JUNK_TAGS = frozenset(
    {
        "head", "script", "style", "noscript", "template", "iframe", "svg", "math",
        "button", "select", "textarea", "input", "object", "embed", "canvas",
        "video", "audio", "map", "dialog", "title", "meta", "link",
    }
)  # fmt: skip
# Page furniture by tag name. Kept when it wraps the main content: old CMSes
# (ASP.NET WebForms) put the whole page inside one <form>.
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "figcaption", "form"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
     "dialog", "alertdialog"}
)  # fmt: skip
# Matched against each class/id token at a word start, so "ad-slot" and "top_ad"
# match but "header", "download" and "canvas" do not; "commentary" is content.
_FURNITURE_NAME = re.compile(
    r"(?:^|[-_])(?:nav|menu|footer|sidebar|share|sharing|social|related|newsletter|subscri"
    r"|signup|cookie|consent|gdpr|comment(?!ary)|advert|ads?(?:$|[-_\d])|dfp|promo|breadcrumb"
    r"|caption|byline|author|masthead|popup|modal|skip|widget|paywall|tags?(?:$|[-_])"
    r"|timestamp|(?:entry|post|article)-meta|pagination|print)"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Each of these ends the running paragraph.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# Elements that may hold the article; scored when the page does not say which.
_CONTAINER_TAGS = frozenset({"article", "body", "center", "div", "form", "main", "section", "td"})
_SCORED_DEPTH = 32
_INVISIBLE_CHARS = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNews", "AnalysisNewsArticle", "BlogPosting",
     "PressRelease", "Report", "ScholarlyArticle", "OpinionNewsArticle"}
)  # fmt: skip
_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "pubdate", "publishdate",
    "date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.created", "datepublished",
)  # fmt: skip
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "parsely-author")
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|\u2013|\u2014|::|»|·|•)\s+")
_BYLINE_ROLE = re.compile(
    r",\s*[^,]*\b(?:staff|writer|reporter|correspondent|editor|contributor)\b.*$", re.IGNORECASE
)

# --- plain-text and shared vocabulary -----------------------------------------

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*\-\u2013]|\d{1,3}[.)])\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    r"(?:(?:published|posted|updated|released|dated?)(?:\s+on)?\s*:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?P<date>\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019)\]]*$")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_WORD = re.compile(r"[^\W_]")
_TOKEN = re.compile(r"[a-z']+")
_STOP_WORDS = frozenset(
    {
        "a", "about", "after", "all", "an", "and", "are", "as", "at", "be", "been", "but",
        "by", "for", "from", "had", "has", "have", "he", "her", "his", "i", "in", "is", "it",
        "its", "not", "of", "on", "or", "our", "said", "she", "that", "the", "their", "them",
        "they", "this", "to", "was", "we", "were", "which", "who", "will", "with", "would",
        "you",
    }
)  # fmt: skip
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
class _Block:
    """A paragraph candidate and where it sat in the tree."""

    text: str
    link_chars: int
    containers: tuple[int, ...]  # ids of the innermost containers around it, outermost first
    tag: str = ""  # the element that ended it, when that element held all of it
    in_primary: bool = False


@dataclass(slots=True)
class _Meta:
    """Everything read from the page before any element is removed."""

    meta: dict[str, str]
    ld_nodes: list[dict[str, Any]]
    title_tag: str
    lang: str
    canonical: str
    byline: str
    time_value: str


# --- public stages -------------------------------------------------------------


def parse_html(html: str, *, source: str, url: str = "") -> Page:
    """Parse an HTML page into its headline, main-text paragraphs and metadata.

    Raises ``ParseError(reason="no_text")`` when no readable text remains.
    """
    soup = _make_soup(html)
    info = _read_metadata(soup)
    _remove_junk(soup)
    root = soup.body or soup
    primary = _find_primary(root)
    site = _find_site(info, url)
    blocks = _select_blocks(root, primary)
    headline = _find_headline(info, primary, blocks, site)
    paragraphs = _with_headline(headline, [block.text for block in blocks])
    if not any(_WORD.search(paragraph) for paragraph in paragraphs):
        raise ParseError(f"no readable text in {source}", reason="no_text")
    text = "\n\n".join(paragraphs)
    return Page(
        source=source,
        paragraphs=tuple(paragraphs),
        title=headline,
        published=_find_published(info),
        author=_find_author(info),
        site=site,
        language=_declared_language(info) or detect_language(text),
        url=_find_url(info, url),
    )


def parse_text(text: str, *, source: str) -> Page:
    """Parse a plain-text article: blank-line paragraphs, bullets split out.

    Raises ``ParseError(reason="no_text")`` when the text holds no words.
    """
    paragraphs = split_paragraphs(text)
    if not any(_WORD.search(paragraph) for paragraph in paragraphs):
        raise ParseError(f"no words in {source}", reason="no_text")
    first = paragraphs[0]
    title = first if len(first) < 250 and not _SENTENCE_END.search(first) else ""
    return Page(
        source=source,
        paragraphs=tuple(paragraphs),
        title=title,
        published=_find_date_line(paragraphs[:3]),
        language=detect_language("\n\n".join(paragraphs)),
    )


def split_paragraphs(text: str) -> list[str]:
    """Blank-line blocks; inside a block, a bullet line starts a new paragraph."""
    paragraphs: list[str] = []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines: list[str] = []
        for line in chunk.split("\n"):
            bullet = _BULLET.match(line)
            if bullet:
                paragraphs.append(_collapse(" ".join(lines)))
                lines = [line[bullet.end() :]]
            else:
                lines.append(line)
        paragraphs.append(_collapse(" ".join(lines)))
    return [paragraph for paragraph in paragraphs if paragraph]


def detect_language(text: str) -> str:
    """``"en"`` when English function words are common enough, else ``""``.

    A cheap check for pages that do not declare a language; it only has to
    tell English from not-English, since the pipeline is English-only.
    """
    tokens = _TOKEN.findall(text[:20_000].lower())
    if len(tokens) < 8:
        return ""
    stops = sum(token in _STOP_WORDS for token in tokens)
    return "en" if stops / len(tokens) >= 0.2 else ""


# --- HTML: reading the tree -------------------------------------------------------


def _make_soup(html: str) -> BeautifulSoup:
    # Lone surrogates (from surrogateescape decoding) make bs4 and lxml raise.
    html = html.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    with warnings.catch_warnings():
        # Our input is always markup: a short page that looks like a URL or a
        # file name, or an XHTML page with an XML declaration, is still a page,
        # and these warnings would fail runs that treat warnings as errors.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def _read_metadata(soup: BeautifulSoup) -> _Meta:
    meta: dict[str, str] = {}
    for tag in _tags(soup, "meta"):
        key = _attr(tag, "property") or _attr(tag, "name") or _attr(tag, "http-equiv")
        key = key or _attr(tag, "itemprop")
        content = _attr(tag, "content").strip()
        if key and content:
            meta.setdefault(key.lower(), content)
    html_tag = soup.find("html")
    # <svg> icons carry <title> elements too; the page's own is in <head>.
    title = (soup.head or soup).find("title")
    return _Meta(
        meta=meta,
        ld_nodes=_read_json_ld(soup),
        title_tag=_collapse(title.get_text()) if isinstance(title, Tag) else "",
        lang=_attr(html_tag, "lang") or _attr(html_tag, "xml:lang"),
        canonical=_find_canonical(soup),
        byline=_find_byline(soup),
        time_value=_find_time(soup),
    )


def _read_json_ld(soup: BeautifulSoup) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for script in _tags(soup, "script"):
        if _attr(script, "type").strip().lower() != "application/ld+json":
            continue
        try:
            # strict=False: CMSes often leave raw newlines inside JSON strings.
            data = json.loads(script.get_text(), strict=False)
        except (ValueError, RecursionError):
            continue
        nodes.extend(_flatten_ld(data, depth=0))
    return nodes


def _flatten_ld(data: Any, *, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item, depth=depth + 1)
    elif isinstance(data, dict):
        yield data
        yield from _flatten_ld(data.get("@graph"), depth=depth + 1)


def _find_canonical(soup: BeautifulSoup) -> str:
    for tag in _tags(soup, "link"):
        if "canonical" in _attr(tag, "rel").lower().split():
            return _attr(tag, "href").strip()
    return ""


def _find_byline(soup: BeautifulSoup) -> str:
    for tag in _tags(soup, "a"):
        if "author" in _attr(tag, "rel").lower().split():
            text = _collapse(tag.get_text())
            if text:
                return text
    for tag in _tags(soup, True):
        if _attr(tag, "itemprop") == "author" or any(
            "byline" in token or "author" in token for token in _name_tokens(tag)
        ):
            text = _collapse(tag.get_text(" "))
            if 2 < len(text) <= 120:
                return text
    return ""


def _find_time(soup: BeautifulSoup) -> str:
    times = [tag for tag in _tags(soup, "time") if _attr(tag, "datetime").strip()]
    # A <time> marked as the publication date beats the first one on the page,
    # which is often a clock or an event date.
    for tag in times:
        if tag.has_attr("pubdate") or _attr(tag, "itemprop") == "datePublished":
            return _attr(tag, "datetime")
    return _attr(times[0], "datetime") if times else ""


def _remove_junk(soup: BeautifulSoup) -> None:
    for tag in _tags(soup, list(_JUNK_TAGS)):
        if not tag.decomposed:
            tag.decompose()


def _find_primary(root: Tag) -> Tag | None:
    """The element the page marks as its article, if any holds real text."""
    candidates = [
        tag
        for tag in _tags(root, True)
        if tag.name in ("article", "main")
        or _attr(tag, "role") == "main"
        or _attr(tag, "itemprop") == "articleBody"
    ]
    if not candidates:
        return None
    measures = _measure(root, {id(tag) for tag in candidates})
    longest = max(measures.values())[0]
    if longest == 0:
        return None
    # The most specific element holding nearly all of the text: an
    # articleBody inside an <article> inside <main> wins.
    close = [tag for tag in candidates if measures[id(tag)][0] >= 0.8 * longest]
    return max(close, key=lambda tag: measures[id(tag)][1])


def _measure(root: Tag, wanted: set[int]) -> dict[int, tuple[int, int]]:
    """Text length and depth of the ``wanted`` elements, in one pass (nested
    candidates would make per-element ``get_text`` calls quadratic)."""
    measures: dict[int, tuple[int, int]] = {}
    starts: dict[int, int] = {}
    total = 0
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        node, depth, leaving = stack.pop()
        if leaving:
            measures[id(node)] = (total - starts[id(node)], depth)
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):
                total += len(node) - sum(char.isspace() for char in node)
        elif isinstance(node, Tag):
            if id(node) in wanted:
                starts[id(node)] = total
                stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(node.contents))
    return measures


def _select_blocks(root: Tag, primary: Tag | None) -> list[_Block]:
    protected = {id(root)}
    if primary is not None:
        protected.add(id(primary))
        protected.update(id(parent) for parent in primary.parents)
    skip = _mark_furniture(root, protected)
    blocks = _walk_blocks(root, skip, primary)
    if not any(_WORD.search(block.text) for block in blocks):
        # Our furniture rules ate the page (a wrapper named "has-sidebar" or
        # the like); junk tags are already gone, so fall back to everything.
        blocks = _walk_blocks(root, set(), primary)
    if primary is not None:
        inside = [block for block in blocks if block.in_primary]
        total = sum(len(block.text) for block in blocks)
        inside_chars = sum(len(block.text) for block in inside)
        if inside_chars and (inside_chars >= 400 or inside_chars >= 0.2 * total):
            return inside
    return _best_scored(blocks)


def _mark_furniture(root: Tag, protected: set[int]) -> set[int]:
    skip: set[int] = set()
    for tag in _tags(root, True):
        if id(tag) not in protected and _is_furniture(tag):
            skip.add(id(tag))
    return skip


def _is_furniture(tag: Tag) -> bool:
    if tag.name in _FURNITURE_TAGS:
        return True
    if _attr(tag, "role").lower() in _FURNITURE_ROLES:
        return True
    if tag.has_attr("hidden") or _attr(tag, "aria-hidden").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(_attr(tag, "style")):
        return True
    return any(_FURNITURE_NAME.search(token) for token in _name_tokens(tag))


def _walk_blocks(root: Tag, skip: set[int], primary: Tag | None) -> list[_Block]:
    """Paragraphs in document order; iterative so deep tag soup cannot overflow."""
    blocks: list[_Block] = []
    pieces: list[tuple[str, bool]] = []
    containers: list[int] = []
    links = 0
    inside = 0  # > 0 while inside the primary element
    after_break = False  # a <br> with no text since: a second one ends the paragraph

    def flush(tag: str = "") -> None:
        nonlocal after_break
        after_break = False
        # Scoring looks a few levels up only; capping keeps deep soup linear.
        block = _make_block(pieces, tuple(containers[-_SCORED_DEPTH:]), tag)
        pieces.clear()
        if block is not None:
            block.in_primary = inside > 0
            blocks.append(block)

    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node.name in _BLOCK_TAGS:
                flush(node.name)
            if node.name in _CONTAINER_TAGS:
                containers.pop()
            if node.name == "a":
                links -= 1
            if node is primary:
                inside -= 1
            continue
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                pieces.append((str(node), links > 0))
                after_break = after_break and not str(node).strip()
            continue
        if not isinstance(node, Tag) or id(node) in skip:
            continue
        if node.name == "br":
            if after_break:
                flush()
            else:
                pieces.append((" ", False))
                after_break = True
            continue
        if node.name in _BLOCK_TAGS:
            flush()
        if node.name in _CONTAINER_TAGS:
            containers.append(id(node))
        if node.name == "a":
            links += 1
        if node is primary:
            inside += 1
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return blocks


def _make_block(
    pieces: list[tuple[str, bool]], containers: tuple[int, ...], tag: str
) -> _Block | None:
    text = _collapse("".join(piece for piece, _ in pieces))
    if not text:
        return None
    link_chars = sum(len(_collapse(piece)) for piece, in_link in pieces if in_link)
    # Short lines that are mostly links are menus, tag lists and "Read more".
    if link_chars >= 0.5 * len(text) and len(text) < 100:
        return None
    return _Block(text, link_chars, containers, tag)


def _best_scored(blocks: list[_Block]) -> list[_Block]:
    """Readability-style choice: the container whose own paragraphs are longest."""
    score: dict[int, float] = defaultdict(float)
    chars: dict[int, int] = defaultdict(int)
    link_chars: dict[int, int] = defaultdict(int)
    parent: dict[int, int] = {}
    for block in blocks:
        for index, container in enumerate(block.containers):
            chars[container] += len(block.text)
            link_chars[container] += block.link_chars
            if index:
                parent.setdefault(container, block.containers[index - 1])
        if len(block.text) >= 25 and block.containers:
            score[block.containers[-1]] += len(block.text)
            if len(block.containers) > 1:
                score[block.containers[-2]] += len(block.text) / 2
    final = {c: s * (1 - link_chars[c] / chars[c]) for c, s in score.items() if chars[c]}
    if not final:
        return blocks
    top = max(final, key=lambda container: final[container])
    # Bodies split by an ad slot or a pull quote: take siblings that score well too.
    chosen = {top} | {
        c
        for c, s in final.items()
        if s >= 0.2 * final[top] and parent.get(c, -1) == parent.get(top)
    }
    return [block for block in blocks if chosen.intersection(block.containers)]


# --- HTML: metadata ----------------------------------------------------------------


def _find_headline(info: _Meta, primary: Tag | None, blocks: list[_Block], site: str) -> str:
    for scope in _headline_scopes(primary):
        heading = scope.find("h1")
        if isinstance(heading, Tag) and _collapse(heading.get_text(" ")):
            return _collapse(heading.get_text(" "))
    if primary is None:
        # Without a marked article, an <h1> inside the chosen text is its headline.
        for block in blocks:
            if block.tag == "h1":
                return block.text
    og_title = info.meta.get("og:title", "")
    if og_title:
        return _strip_site_suffix(_collapse(og_title), site, loose=False)
    article = _article_node(info.ld_nodes)
    if article and isinstance(article.get("headline"), str) and article["headline"].strip():
        return _collapse(article["headline"])
    return _strip_site_suffix(info.title_tag, site, loose=True)


def _headline_scopes(primary: Tag | None) -> Iterator[Tag]:
    if primary is None:
        return
    article = primary if primary.name == "article" else primary.find_parent("article")
    if isinstance(article, Tag):
        yield article
    yield primary
    if _attr(primary, "itemprop") == "articleBody" and primary.parent is not None:
        yield primary.parent


def _strip_site_suffix(title: str, site: str, *, loose: bool) -> str:
    """``"Headline | Site"`` -> ``"Headline"``; with ``loose``, also a short unknown tail."""
    for _ in range(2):
        separators = list(_TITLE_SEPARATOR.finditer(title))
        if not separators:
            break
        last = separators[-1]
        head, tail = title[: last.start()], title[last.end() :]
        names_site = bool(site) and _normalise(tail) in (_normalise(site), "")
        short_tail = len(tail.split()) <= (6 if "|" in last.group() else 4)
        if not (names_site or (loose and short_tail and len(head.split()) >= 3)):
            break
        title = head.strip()
    return title


def _with_headline(headline: str, paragraphs: list[str]) -> list[str]:
    if not headline:
        return paragraphs
    key = _normalise(headline)
    # The body often repeats the headline as its first heading.
    body = [p for i, p in enumerate(paragraphs) if i >= 5 or _normalise(p) != key]
    return [headline, *body]


def _find_published(info: _Meta) -> str:
    article = _article_node(info.ld_nodes)
    ld_dates = [
        node.get("datePublished")
        for node in ([article] if article else []) + info.ld_nodes
        if isinstance(node.get("datePublished"), str)
    ]
    meta_dates = [info.meta.get(key, "") for key in _PUBLISHED_META]
    for value in [*ld_dates, *meta_dates, info.time_value]:
        iso = to_iso_date(str(value)) if value else ""
        if iso:
            return iso
    return ""


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


def _find_author(info: _Meta) -> str:
    article = _article_node(info.ld_nodes)
    if article:
        names = _ld_names(article.get("author"), _ld_index(info.ld_nodes))
        if names:
            return "; ".join(names)
    for key in _AUTHOR_META:
        value = info.meta.get(key, "")
        if value and "://" not in value:
            return _clean_byline(value)
    return _clean_byline(info.byline) if info.byline else ""


def _clean_byline(text: str) -> str:
    text = re.split(r"\s+[|•·]\s+|\s+(?:updated|published|posted)\b", text, flags=re.I)[0]
    text = re.sub(r"^\s*by\b[:\s]*", "", text, flags=re.IGNORECASE)
    text = _BYLINE_ROLE.sub("", text)
    names = [_collapse(name) for name in re.split(r"\s+(?:and|&)\s+", text)]
    return "; ".join(name for name in names if name)


def _ld_index(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}


def _ld_names(value: Any, index: dict[str, dict[str, Any]]) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = index.get(item["@id"], item)
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and _collapse(name) and _collapse(name) not in names:
            names.append(_collapse(name))
    return names


def _article_node(nodes: list[dict[str, Any]]) -> dict[str, Any] | None:
    for node in nodes:
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(kind, str) and kind in _ARTICLE_TYPES for kind in kinds):
            return node
    return None


def _find_site(info: _Meta, url: str) -> str:
    if info.meta.get("og:site_name"):
        return _collapse(info.meta["og:site_name"])
    article = _article_node(info.ld_nodes)
    if article:
        names = _ld_names(article.get("publisher"), _ld_index(info.ld_nodes))
        if names:
            return names[0]
    host = urlsplit(_find_url(info, url)).hostname or ""
    return host.removeprefix("www.")


def _find_url(info: _Meta, url: str) -> str:
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


def _declared_language(info: _Meta) -> str:
    for value in (info.lang, info.meta.get("content-language", "")):
        # Content-Language may list several ("en-us, es"); the first is the main one.
        tag = value.split(",")[0].strip()
        if _LANGUAGE_TAG.fullmatch(tag):
            return re.split(r"[-_]", tag, maxsplit=1)[0].lower()
    return ""


# --- plain text -------------------------------------------------------------------


def _find_date_line(paragraphs: list[str]) -> str:
    for paragraph in paragraphs:
        match = _DATE_LINE.fullmatch(paragraph)
        if match:
            iso = to_iso_date(match["date"])
            if iso:
                return iso[:10]
    return ""


# --- small helpers ------------------------------------------------------------------


def _collapse(text: str) -> str:
    return " ".join(text.translate(_INVISIBLE_CHARS).split())


def _normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _attr(tag: Any, name: str) -> str:
    """An attribute as one string ("" when absent); bs4 gives lists for class/rel."""
    if not isinstance(tag, Tag):
        return ""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _name_tokens(tag: Tag) -> list[str]:
    return f"{_attr(tag, 'class')} {_attr(tag, 'id')}".lower().split()


def _tags(root: Tag, name: Any) -> list[Tag]:
    return [tag for tag in root.find_all(name) if isinstance(tag, Tag)]
