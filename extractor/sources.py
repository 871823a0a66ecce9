"""Sources: the page URLs a URL list, an RSS/Atom feed or a sitemap names, read without trusting them.

``discover(Source(kind, location), fetcher)`` yields page URLs, deduplicated,
in document order. ``location`` is an http(s) URL (fetched with
``Fetcher.fetch_document``: the same robots, private-address, size and
timeout checks as pages) or a local path.

Safety: the XML of sitemaps is read by lxml with entity resolution, DTD
loading and network access off; feeds go to feedparser as a byte stream it
cannot mistake for a URL or a file name, and feedparser strips entity
declarations other than plain character references before parsing (so
neither a billion-laughs nor an external-entity payload is expanded).
``.gz`` sitemaps are inflated with a limit on the output
(``max_document_bytes``).
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
from lxml import etree

from extractor.errors import ExtractorError, FetchError, InputError, ParseError
from extractor.fetch import Fetcher, gunzip
from extractor.load import RawDocument, decode, looks_binary

SOURCE_KINDS = ("urls", "feed", "sitemap")
_GZIP_MAGIC = b"\x1f\x8b"
_SITEMAP_ROOTS = {"urlset": "url", "sitemapindex": "sitemap"}


@dataclass(frozen=True, slots=True)
class Source:
    """Where page URLs come from: ``kind`` is ``urls``, ``feed`` or ``sitemap``.

    ``location`` is an http(s) URL or a local path. A ``urls`` source is a
    text file of URLs, one a line (blank lines and ``#`` comments skipped).
    """

    kind: str
    location: str


async def discover(source: Source, fetcher: Fetcher) -> AsyncIterator[str]:
    """The page URLs ``source`` names, each once, in document order.

    Raises a typed ``ExtractorError`` naming the source when it cannot be
    read: ``FetchError`` (or ``SkipPage``) from fetching, ``InputError`` for a
    local file, ``ParseError`` when the bytes are not a feed, sitemap or URL
    list. A sitemap index yields what its readable sitemaps hold, then raises
    for the ones it could not read.
    """
    if source.kind not in SOURCE_KINDS:
        raise ParseError(
            f"unknown source kind {source.kind!r} for {source.location}; "
            f"choose from {', '.join(SOURCE_KINDS)}",
            reason="source_kind",
        )
    seen: set[str] = set()
    if source.kind == "sitemap":
        urls = _sitemap_urls(source.location, fetcher)
    else:
        urls = _document_urls(source, fetcher)
    async for url in urls:
        if url not in seen:
            seen.add(url)
            yield url


async def _document_urls(source: Source, fetcher: Fetcher) -> AsyncIterator[str]:
    data = await _load(source.location, fetcher)
    if source.kind == "feed":
        urls = parse_feed(data, source=source.location)
    else:
        urls = parse_url_list(data, source=source.location)
    for url in urls:
        yield url


async def _sitemap_urls(location: str, fetcher: Fetcher) -> AsyncIterator[str]:
    """Breadth-first through a sitemap index, within max_sitemap_depth and max_sitemaps."""
    settings = fetcher.settings
    queue: deque[tuple[str, int]] = deque([(location, 0)])
    queued = {location}
    read = 0
    errors: list[ExtractorError] = []
    while queue:
        current, depth = queue.popleft()
        if read >= settings.max_sitemaps:
            errors.append(
                ParseError(
                    f"{len(queue) + 1} more sitemaps not read: max_sitemaps={settings.max_sitemaps}",
                    reason="too_many_sitemaps",
                )
            )
            break
        read += 1
        try:
            data = await _load(current, fetcher)
            kind, locations = parse_sitemap(data, source=current)
        except ExtractorError as error:
            if current == location:
                raise
            errors.append(error)
            continue
        if kind == "urlset":
            for url in locations:
                yield url
            continue
        if depth >= settings.max_sitemap_depth:
            errors.append(
                ParseError(
                    f"sitemap index {current} nests deeper than "
                    f"max_sitemap_depth={settings.max_sitemap_depth}",
                    reason="sitemap_depth",
                )
            )
            continue
        for child in locations:
            if _is_url(current):
                child = urljoin(current, child)
            if child not in queued:
                queued.add(child)
                queue.append((child, depth + 1))
    if errors:
        first = errors[0]
        message = (
            f"sitemap {location}: {len(errors)} part(s) could not be read; "
            f"first: {first.describe()}"
        )
        if isinstance(first, FetchError):
            raise FetchError(message, reason=first.reason) from first
        raise ParseError(message, reason=first.reason) from first


def _is_url(location: str) -> bool:
    # Any "scheme://" is fetched, so file:// or ftp:// is refused by name
    # (invalid_url) instead of being looked for on disk.
    scheme, sep, _ = location.partition("://")
    return bool(sep) and scheme.isascii() and scheme.isalpha()


async def _load(location: str, fetcher: Fetcher) -> bytes:
    """The bytes at ``location`` (URL or path), gunzipped if they are gzip."""
    limit = fetcher.settings.max_document_bytes
    if _is_url(location):
        data = await fetcher.fetch_document(location)
    else:
        data = _read_local(location, limit)
    if data.startswith(_GZIP_MAGIC):
        data = gunzip(data, limit=limit, source=location)
    return data


def _read_local(path: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as file:
            if not os.path.isfile(path):
                raise InputError(f"{path} is not a regular file", reason="unreadable")
            data = file.read(limit + 1)
    except FileNotFoundError as exc:
        raise InputError(f"no such file: {path}", reason="missing") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", reason="unreadable") from exc
    if len(data) > limit:
        raise InputError(f"{path} is larger than max_document_bytes={limit}", reason="too_large")
    return data


# ---------------------------------------------------------------------------
# Parsers: bytes in, URLs out, ParseError for anything else


def parse_url_list(data: bytes, *, source: str) -> list[str]:
    """The entries of a URL list: one a line, surrounding space stripped; blanks and ``#`` skipped.

    Entries are kept as written, even if they are not URLs: fetching reports
    them (``invalid_url``) rather than letting them vanish.
    """
    text = _text(data, source=source, what="URL list")
    entries = (line.strip() for line in text.splitlines())
    return [entry for entry in entries if entry and not entry.startswith("#")]


def _text(data: bytes, *, source: str, what: str) -> str:
    if looks_binary(data):
        raise ParseError(f"{source} is binary data, not a {what}", reason="not_text")
    try:
        return decode(RawDocument(source=source, content=data, media_type="text/plain"))
    except ExtractorError as exc:
        raise ParseError(f"{source}: cannot read the {what}: {exc}", reason="encoding") from exc


def parse_feed(data: bytes, *, source: str) -> list[str]:
    """The item links of an RSS or Atom feed, resolved against ``source``, in feed order.

    Items without a link are left out (there is no page to fetch). A document
    that is no feed at all is a ``ParseError``; a malformed feed whose items
    can still be read gives them.
    """
    # A stream, never bytes or str: feedparser.parse() fetches a string that
    # looks like a URL and opens one that names an existing file.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": source if _is_url(source) else ""},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.get("version") and not parsed.entries:
        cause = parsed.get("bozo_exception")
        detail = f": {cause}" if cause else ""
        raise ParseError(f"{source} is not an RSS or Atom feed{detail}", reason="not_a_feed")
    links: list[str] = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if link:
            links.append(urljoin(source, link) if _is_url(source) else link)
    return links


def _entry_link(entry: feedparser.FeedParserDict) -> str:
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        return link.strip()
    for candidate in entry.get("links", ()):
        href = candidate.get("href")
        if isinstance(href, str) and href.strip():
            return href.strip()
    return ""


def parse_sitemap(data: bytes, *, source: str) -> tuple[str, list[str]]:
    """``("urlset", page URLs)`` or ``("sitemapindex", sitemap URLs)``, in document order.

    XML per sitemaps.org (any namespace is accepted), read incrementally with
    entities, DTDs and network access off; a plain-text sitemap (one URL a
    line) is read as a URL list. Anything else is a ``ParseError``.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return "urlset", parse_url_list(data, source=source)
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    kind = ""
    entry = ""
    locations: list[str] = []
    try:
        for event, element in events:
            if not isinstance(element.tag, str):  # an entity reference left unresolved
                continue
            name = etree.QName(element).localname
            if not kind:
                if name not in _SITEMAP_ROOTS:
                    raise ParseError(
                        f"{source} is not a sitemap: its root element is <{name}>",
                        reason="not_a_sitemap",
                    )
                kind, entry = name, _SITEMAP_ROOTS[name]
                continue
            if event != "end":
                continue
            parent = element.getparent()
            if name == "loc" and parent is not None and etree.QName(parent).localname == entry:
                text = (element.text or "").strip()
                if text:
                    locations.append(text)
            elif name == entry:
                # Free what has been read: a 50 MB sitemap stays small in memory.
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.LxmlError as exc:
        raise ParseError(f"{source} is not well-formed XML: {exc}", reason="bad_xml") from exc
    return kind, locations
