"""Tests for extractor.sources: URL lists, feeds and sitemaps from tests/faultsite.py and from disk."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from extractor.config import Settings
from extractor.errors import ExtractorError, FetchError, InputError, ParseError
from extractor.fetch import Fetcher
from extractor.sources import Source, discover, parse_feed, parse_sitemap, parse_url_list
from tests.faultsite import FaultSite, urlset

SITE = Settings(
    private_allowlist=("127.0.0.0/8",),
    per_host_delay=0,
    per_host_concurrency=8,
    retries=0,
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=10.0,
)
SECRET = "s3cr3t-token-for-xxe-test"


@pytest.fixture(scope="module")
def faultsite() -> Iterator[FaultSite]:
    with FaultSite() as site:
        yield site


def run(source: Source, settings: Settings = SITE) -> list[str]:
    async def main() -> list[str]:
        async with Fetcher(settings) as fetcher:
            return [url async for url in discover(source, fetcher)]

    return asyncio.run(main())


def run_partial(source: Source, settings: Settings = SITE) -> tuple[list[str], ExtractorError]:
    """The URLs yielded before ``discover`` raised, and the error."""
    urls: list[str] = []

    async def main() -> ExtractorError:
        async with Fetcher(settings) as fetcher:
            try:
                async for url in discover(source, fetcher):
                    urls.append(url)
            except ExtractorError as error:
                return error
        raise AssertionError("discover did not raise")

    return urls, asyncio.run(main())


# ---------------------------------------------------------------------------
# From the fault site


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom"])
def test_feed_links(faultsite: FaultSite, path: str) -> None:
    urls = run(Source("feed", faultsite.url(path)))
    assert urls == [faultsite.url(f"/page/{n}") for n in range(1, 6)]


def test_sitemap_index_with_gzipped_sitemap(faultsite: FaultSite) -> None:
    urls = run(Source("sitemap", faultsite.url("/sitemap_index.xml")))
    assert urls == [faultsite.url(f"/page/{n}") for n in range(1, 26)]


def test_remote_url_list(faultsite: FaultSite) -> None:
    urls = run(Source("urls", faultsite.url("/urls.txt")))
    assert urls == [faultsite.url(f"/page/{n}") for n in range(1, 4)]


def test_feed_that_is_html_is_skipped(faultsite: FaultSite) -> None:
    with pytest.raises(ExtractorError) as info:
        run(Source("feed", faultsite.url("/page/1")))
    assert info.value.reason == "content_type"


def test_feed_http_error_names_source(faultsite: FaultSite) -> None:
    with pytest.raises(FetchError) as info:
        run(Source("feed", faultsite.url("/status/404")))
    assert info.value.reason == "http_404"
    assert "/status/404" in str(info.value)


def test_sitemap_on_private_address_is_refused() -> None:
    with pytest.raises(FetchError) as info:
        run(Source("sitemap", "http://169.254.169.254/sitemap.xml"), Settings(retries=0))
    assert info.value.reason == "private_address"


def test_sitemap_index_with_missing_child(tmp_path: Path, faultsite: FaultSite) -> None:
    index = tmp_path / "index.xml"
    index.write_bytes(
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + f"<sitemap><loc>{faultsite.url('/status/500')}</loc></sitemap>".encode()
        + f"<sitemap><loc>{faultsite.url('/sitemap-more.xml')}</loc></sitemap>".encode()
        + b"</sitemapindex>"
    )
    urls, error = run_partial(Source("sitemap", str(index)))
    # The readable sitemap still counts; the broken one is named afterwards.
    assert urls == [faultsite.url(f"/page/{n}") for n in range(21, 26)]
    assert isinstance(error, FetchError)
    assert error.reason == "http_500"
    assert str(index) in str(error) and "/status/500" in str(error)


# ---------------------------------------------------------------------------
# From disk


def test_local_url_list_comments_blanks_and_duplicates(tmp_path: Path) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_bytes(
        b"\xef\xbb\xbf# nightly list\nhttps://a.test/1\n\n  https://a.test/2 \n"
        b"# https://a.test/commented\nhttps://a.test/1\nnot a url\r\n"
    )
    assert run(Source("urls", str(listing))) == [
        "https://a.test/1",
        "https://a.test/2",
        "not a url",
    ]


def test_local_gzipped_sitemap_and_nested_index(tmp_path: Path) -> None:
    pages = tmp_path / "pages.xml.gz"
    pages.write_bytes(gzip.compress(urlset(["https://a.test/1", "https://a.test/2"])))
    inner = tmp_path / "inner.xml"
    inner.write_bytes(_index([str(pages)]))
    outer = tmp_path / "outer.xml"
    outer.write_bytes(_index([str(inner), str(pages)]))
    assert run(Source("sitemap", str(outer))) == ["https://a.test/1", "https://a.test/2"]
    urls, error = run_partial(Source("sitemap", str(outer)), SITE.replace(max_sitemap_depth=1))
    assert urls == ["https://a.test/1", "https://a.test/2"]  # the direct child still counts
    assert error.reason == "sitemap_depth"


def test_sitemap_count_limit(tmp_path: Path) -> None:
    children = []
    for n in range(5):
        child = tmp_path / f"s{n}.xml"
        child.write_bytes(urlset([f"https://a.test/{n}"]))
        children.append(str(child))
    index = tmp_path / "index.xml"
    index.write_bytes(_index(children))
    urls, error = run_partial(Source("sitemap", str(index)), SITE.replace(max_sitemaps=3))
    assert urls == ["https://a.test/0", "https://a.test/1"]
    assert error.reason == "too_many_sitemaps"


def test_gzip_bomb_sitemap_stops_at_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b"<urlset>" + b" " * (64 * 1024 * 1024), compresslevel=9))
    with pytest.raises(FetchError) as info:
        run(Source("sitemap", str(bomb)), SITE.replace(max_document_bytes=1024 * 1024))
    assert info.value.reason == "too_large"


def test_plain_text_sitemap(tmp_path: Path) -> None:
    text = tmp_path / "sitemap.txt"
    text.write_text("https://a.test/1\nhttps://a.test/2\n")
    assert run(Source("sitemap", str(text))) == ["https://a.test/1", "https://a.test/2"]


def test_local_problems_are_typed(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        run(Source("feed", str(tmp_path / "nope.xml")))
    assert missing.value.reason == "missing"
    big = tmp_path / "big.txt"
    big.write_bytes(b"https://a.test/\n" * 1000)
    with pytest.raises(InputError) as too_large:
        run(Source("urls", str(big)), SITE.replace(max_document_bytes=100))
    assert too_large.value.reason == "too_large"
    with pytest.raises(InputError) as directory:
        run(Source("urls", str(tmp_path)))
    assert directory.value.reason == "unreadable"
    with pytest.raises(ParseError) as kind:
        run(Source("warc", str(big)))
    assert kind.value.reason == "source_kind"
    with pytest.raises(FetchError) as scheme:
        run(Source("feed", "file:///etc/hosts"))
    assert scheme.value.reason == "invalid_url"


def _index(locations: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locations)
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    ).encode()


# ---------------------------------------------------------------------------
# Parsers


def test_parse_feed_relative_links_and_missing_links() -> None:
    rss = (
        b"<rss version='2.0'><channel><title>t</title>"
        b"<item><title>a</title><link>/news/a</link></item>"
        b"<item><title>no link</title></item>"
        b"<item><title>b</title><link> https://b.test/b </link></item>"
        b"</channel></rss>"
    )
    assert parse_feed(rss, source="https://a.test/feed.xml") == [
        "https://a.test/news/a",
        "https://b.test/b",
    ]


def test_parse_feed_atom_alternate_link() -> None:
    atom = (
        b"<feed xmlns='http://www.w3.org/2005/Atom'><title>t</title>"
        b"<entry><title>a</title><link rel='enclosure' href='https://a.test/a.mp3'/>"
        b"<link rel='alternate' href='https://a.test/a'/></entry></feed>"
    )
    assert parse_feed(atom, source="feed.xml") == ["https://a.test/a"]


@pytest.mark.parametrize(
    "data", [b"", b"<html><body><p>hello</p></body></html>", b"/etc/passwd", b"\x00\x01\x02"]
)
def test_parse_feed_rejects_non_feeds(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(data, source="feed.xml")
    assert info.value.reason == "not_a_feed"


def test_parse_feed_never_reads_a_named_file(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would open a file so named; we hand it a stream.
    secret = tmp_path / "feed.xml"
    secret.write_text(
        f"<rss version='2.0'><channel><item><link>https://{SECRET}/</link></item></channel></rss>"
    )
    with pytest.raises(ParseError):
        parse_feed(str(secret).encode(), source="feed.xml")


def test_parse_sitemap_kinds() -> None:
    assert parse_sitemap(urlset(["https://a.test/1"]), source="s") == (
        "urlset",
        ["https://a.test/1"],
    )
    assert parse_sitemap(_index(["https://a.test/s.xml"]), source="s") == (
        "sitemapindex",
        ["https://a.test/s.xml"],
    )
    # No namespace, comments, a <loc> outside <url> (ignored), an image <loc> (ignored).
    odd = (
        b"<?xml version='1.0'?><urlset><!-- x --><loc>https://a.test/stray</loc>"
        b"<url><loc> https://a.test/2 </loc><image><loc>https://a.test/i.png</loc></image></url>"
        b"</urlset>"
    )
    assert parse_sitemap(odd, source="s") == ("urlset", ["https://a.test/2"])


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html><body/></html>", "not_a_sitemap"),
        (b"<urlset><url><loc>https://a.test/</loc>", "bad_xml"),
        (b"<", "bad_xml"),
        (b"\x00\x01binary", "not_text"),
    ],
)
def test_parse_sitemap_rejects(data: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_sitemap(data, source="s.xml")
    assert info.value.reason == reason


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def _xxe(path: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file://{path}"> ]>\n'
    ).encode()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def test_sitemap_billion_laughs_is_not_expanded() -> None:
    data = BILLION_LAUGHS + b"<urlset><url><loc>https://a.test/&lol9;</loc></url></urlset>"
    try:
        kind, urls = parse_sitemap(data, source="s.xml")
    except ParseError:
        return  # refusing it is as good as not expanding it
    assert kind == "urlset"
    assert all(len(url) < 1000 for url in urls)


def test_sitemap_xxe_is_not_resolved(secret_file: Path) -> None:
    data = _xxe(secret_file) + b"<urlset><url><loc>https://a.test/&xxe;</loc></url></urlset>"
    # The payload is live: a parser that resolves entities reads the file.
    unsafe = etree.XMLParser(resolve_entities=True, no_network=True)
    assert SECRET in etree.tostring(etree.fromstring(data, unsafe)).decode()
    try:
        _, urls = parse_sitemap(data, source="s.xml")
    except ParseError:
        return
    assert not any(SECRET in url for url in urls)


def test_feed_billion_laughs_is_not_expanded() -> None:
    data = BILLION_LAUGHS + (
        b"<rss version='2.0'><channel><title>&lol9;</title>"
        b"<item><link>https://a.test/&lol9;</link></item></channel></rss>"
    )
    try:
        urls = parse_feed(data, source="f.xml")
    except ParseError:
        return
    assert all(len(url) < 1000 for url in urls)


def test_feed_xxe_is_not_resolved(secret_file: Path) -> None:
    data = _xxe(secret_file) + (
        b"<rss version='2.0'><channel><title>&xxe;</title>"
        b"<item><title>&xxe;</title><link>https://a.test/&xxe;</link></item></channel></rss>"
    )
    try:
        urls = parse_feed(data, source="f.xml")
    except ParseError:
        return
    assert not any(SECRET in url for url in urls)


# ---------------------------------------------------------------------------
# Fuzzing: any bytes give URLs or a ParseError, never another exception

XML_PIECES = st.sampled_from(
    [
        "<urlset>",
        "</urlset>",
        "<sitemapindex>",
        "<url>",
        "</url>",
        "<loc>",
        "</loc>",
        "<rss version='2.0'>",
        "<channel>",
        "<item>",
        "<link>",
        "</link>",
        "<feed xmlns='http://www.w3.org/2005/Atom'>",
        "<entry>",
        "<link href='/a'/>",
        "https://a.test/x",
        "&amp;",
        "&x;",
        "<!DOCTYPE x [<!ENTITY x 'y'>]>",
        "<?xml version='1.0' encoding='utf-16'?>",
        "\x00",
        "\ufeff",
        "]]>",
        "<![CDATA[",
    ]
)
FUZZ = st.one_of(
    st.binary(max_size=400),
    st.lists(XML_PIECES, max_size=20).map(lambda parts: "".join(parts).encode()),
)


@settings(max_examples=200, deadline=None)
@given(FUZZ)
def test_fuzz_parse_sitemap(data: bytes) -> None:
    try:
        kind, urls = parse_sitemap(data, source="s.xml")
    except ParseError:
        return
    assert kind in ("urlset", "sitemapindex")
    assert all(isinstance(url, str) and url for url in urls)


@settings(max_examples=200, deadline=None)
@given(FUZZ)
def test_fuzz_parse_feed(data: bytes) -> None:
    try:
        urls = parse_feed(data, source="https://a.test/feed")
    except ParseError:
        return
    assert all(isinstance(url, str) and url for url in urls)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=200).map(str.encode)))
def test_fuzz_parse_url_list(data: bytes) -> None:
    try:
        urls = parse_url_list(data, source="urls.txt")
    except ParseError:
        return
    assert all(url == url.strip() and url and not url.startswith("#") for url in urls)
