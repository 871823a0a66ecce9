"""A misbehaving news site on 127.0.0.1 for fetch tests, kill tests and benchmarks.

    with FaultSite() as site:                 # a thread serving http://127.0.0.1:<free port>
        site.url("/page/7")                   # absolute URL of a route
        site.hits("/page/")                   # requests seen so far whose path starts so

In tests, the module-scoped fixture ``faultsite`` below gives one server per
test module (``from tests.faultsite import faultsite``; name the test
parameter ``faultsite``), or define your own the same way.

Benchmarks and kill tests start it the same way (it needs nothing but the
standard library); ``FaultSite(crawl_delay=0.5)`` adds a robots.txt Crawl-delay.

Routes (N is any integer; every page is small, deterministic news-like HTML):

    /robots.txt                 disallows /private/; Crawl-delay if crawl_delay= was given;
                                answers after robots_delay= seconds
    /page/N                     an article about a sheriff's office and ICE, with
                                ETag "page-N" and Last-Modified; 304 to a matching
                                If-None-Match or If-Modified-Since
    /slow/N?delay=S             /page/N after S seconds (default 1)
    /private/N                  a page robots.txt disallows
    /status/CODE                that status with a small body
    /flaky/KEY?fail=K&status=S  status S (default 503) the first K times (default 2) per KEY, then a page
    /retry-after/KEY?after=V&fail=K
                                429 with "Retry-After: V" the first K times (default 1), then a
                                page; V "date:S" sends an HTTP date S seconds ahead
    /stall                      headers, a few bytes, then silence until the server closes
    /truncated                  Content-Length 1000, 100 bytes sent, connection closed
    /loop                       redirects to itself
    /redirect/N                 N redirects, then /page/1
    /redirect-to?url=U          302 to U (e.g. http://10.0.0.1/ or http://169.254.169.254/)
    /bomb?mb=M                  gzip of M MiB (default 1024: 1 GiB) of zeros, ~1 MiB per GiB on
                                the wire, generated lazily from one precomputed block
    /huge?mb=M                  M MiB (default 50) of HTML, no Content-Length
    /declared-huge              Content-Length of 50 MiB, a few bytes sent
    /charset/cp1252-as-utf8     Windows-1252 bytes served as charset=utf-8
    /charset/sjis-meta          Shift_JIS bytes; charset only in <meta>
    /charset/none               Windows-1252 bytes, no charset anywhere
    /pdf                        application/pdf
    /feed.rss, /feed.atom       RSS 2.0 and Atom feeds linking to /page/1../page/5
    /sitemap_index.xml          an index pointing to /sitemap-pages.xml.gz and /sitemap-more.xml
    /sitemap-pages.xml.gz       a gzipped urlset of /page/1../page/20 (application/octet-stream)
    /sitemap-more.xml           a urlset of /page/21../page/25
    /urls.txt                   a URL list: /page/1../page/3, a comment and a blank line

Anything else is a 404.

From a shell (the repository root as working directory):

    python -m tests.faultsite serve [--crawl-delay S]     # prints the base URL, serves until killed
    python -m tests.faultsite bench [--pages 2000] [--concurrency 16]
        # Fetcher.fetch_many over /page/0..N-1 with politeness off, the site in a
        # child process: pages/s, peak RSS of the fetching process, CPU ms per page
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email.utils
import gzip
import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

MIB = 1024 * 1024
LAST_MODIFIED = "Wed, 01 Jan 2025 00:00:00 GMT"


def article_html(n: int) -> bytes:
    """The page /page/N: a small article (about 2 KB) in the shape of a local news story."""
    county = ("Washoe", "Clark", "Marion", "Dane", "Ramsey")[n % 5]
    sheriff = ("Darin Balaam", "Kevin McMahill", "Joe Kast", "Kalvin Barrett", "Bob Fletcher")[
        n % 5
    ]
    paragraphs = [
        f"The {county} County Sheriff's Office will not hold people for Immigration and"
        f" Customs Enforcement without a judicial warrant, Sheriff {sheriff} said on day {n}.",
        f'"We are not going to do the federal government\'s job," {sheriff} said at a news'
        " conference on Tuesday.",
        "Advocates welcomed the change, while county commissioners said they would review the"
        " jail's agreements with federal agencies in the coming weeks.",
        "The office said it would still honour criminal warrants signed by a judge and would"
        " notify ICE of releases only when required by state law.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>Sheriff limits ICE holds ({n})</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{county} County sheriff limits ICE holds ({n})</h1>{body}</article>"
        "<footer>Copyright The Daily Example</footer></body></html>"
    ).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: FaultSite

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-body is what many tests provoke.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as real sites
    # Headers and body go out in two writes; with Nagle's algorithm the second
    # waits for the client's delayed ACK, adding ~40 ms to every response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        site = self.server.site
        site._record(parts.path, self.headers.get("User-Agent", ""))
        route, arg = _route(parts.path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if route is None:
                self.reply(404, b"<p>not found</p>")
            else:
                route(self, arg, query)

    def reply(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        fields = {name.replace("_", "-"): value for name, value in headers.items()}
        fields.setdefault("Content-Type", "text/html; charset=utf-8")
        for name, value in fields.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, chunks: Iterator[bytes], **headers: str) -> None:
        """A 200 without Content-Length: the body ends when the connection closes."""
        self.send_response(200)
        fields = {name.replace("_", "-"): value for name, value in headers.items()}
        fields.setdefault("Content-Type", "text/html")
        for name, value in fields.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for chunk in chunks:
            self.wfile.write(chunk)
            self.server.site._sent(self.path, len(chunk))


Route = Callable[[_Handler, str, dict[str, str]], None]


def _robots(h: _Handler, arg: str, query: dict[str, str]) -> None:
    if h.server.site.robots_delay:
        h.server.site._hold(h.server.site.robots_delay)
    lines = ["User-agent: *", "Disallow: /private/"]
    if h.server.site.crawl_delay is not None:
        lines.append(f"Crawl-delay: {h.server.site.crawl_delay}")
    h.reply(200, ("\n".join(lines) + "\n").encode(), Content_Type="text/plain")


def _page(h: _Handler, arg: str, query: dict[str, str]) -> None:
    n = int(arg or 0)
    etag = f'"page-{n}"'
    if h.headers.get("If-None-Match") == etag or h.headers.get("If-Modified-Since") == (
        LAST_MODIFIED
    ):
        h.reply(304, ETag=etag, Last_Modified=LAST_MODIFIED)
        return
    h.reply(200, article_html(n), ETag=etag, Last_Modified=LAST_MODIFIED)


def _slow(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.server.site._hold(float(query.get("delay", "1")))
    _page(h, arg, query)


def _status(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.reply(int(arg), b"<p>error page</p>")


def _flaky(h: _Handler, arg: str, query: dict[str, str]) -> None:
    if h.server.site._count(f"flaky/{arg}") <= int(query.get("fail", "2")):
        h.reply(int(query.get("status", "503")), b"<p>try again</p>")
    else:
        _page(h, "1", query)


def _retry_after(h: _Handler, arg: str, query: dict[str, str]) -> None:
    if h.server.site._count(f"retry-after/{arg}") <= int(query.get("fail", "1")):
        after = query.get("after", "1")
        if after.startswith("date:"):
            after = email.utils.formatdate(time.time() + float(after[5:]), usegmt=True)
        h.reply(429, b"<p>slow down</p>", Retry_After=after)
    else:
        _page(h, "1", query)


def _stall(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"<p>first part")
    h.wfile.flush()
    h.server.site.release.wait(30)


def _truncated(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"<p>" + b"x" * 97)
    h.wfile.flush()
    h.close_connection = True


def _loop(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.reply(301, Location="/loop")


def _redirect(h: _Handler, arg: str, query: dict[str, str]) -> None:
    left = int(arg)
    h.reply(302, Location=f"/redirect/{left - 1}" if left > 1 else "/page/1")


def _redirect_to(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.reply(302, Location=query["url"])


def _bomb(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.stream(gzip_zeros(int(query.get("mb", "1024"))), Content_Encoding="gzip")


def _huge(h: _Handler, arg: str, query: dict[str, str]) -> None:
    block = b"<p>" + b"news " * (MIB // 5 - 2) + b"</p>\n"
    h.stream(block[:MIB] for _ in range(int(query.get("mb", "50"))))


def _declared_huge(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(50 * MIB))
    h.end_headers()
    h.wfile.write(b"<p>start</p>")
    h.close_connection = True


_CAFE = "<html><body><p>Caf\u00e9 owners said the sheriff\u2019s policy \u2014 no ICE holds \u2014 stands.</p></body></html>"
_SJIS = (
    '<html><head><meta charset="Shift_JIS"><title>\u4fdd\u5b89\u5b98</title></head>'
    "<body><p>\u90e1\u4fdd\u5b89\u5b98\u306f\u79fb\u6c11\u5c40\u306b\u5354\u529b\u3057\u306a\u3044\u3068\u8ff0\u3079\u305f\u3002</p></body></html>"
)
CHARSET_PAGES: dict[str, tuple[bytes, str, str]] = {
    # name: (body, Content-Type, the text a correct decoder finds in it)
    "cp1252-as-utf8": (_CAFE.encode("cp1252"), "text/html; charset=utf-8", "Caf\u00e9 owners"),
    "sjis-meta": (_SJIS.encode("shift_jis"), "text/html", "\u90e1\u4fdd\u5b89\u5b98"),
    "none": (_CAFE.encode("cp1252"), "text/html", "sheriff\u2019s policy \u2014 no ICE"),
}


def _charset(h: _Handler, arg: str, query: dict[str, str]) -> None:
    body, content_type, _ = CHARSET_PAGES[arg]
    h.reply(200, body, Content_Type=content_type)


def _pdf(h: _Handler, arg: str, query: dict[str, str]) -> None:
    h.reply(200, b"%PDF-1.7\n", Content_Type="application/pdf")


def _feed_rss(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/page/{n}</link></item>" for n in range(1, 6)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Daily Example</title><link>{base}/</link><description>News</description>"
        f"{items}</channel></rss>"
    )
    h.reply(200, body.encode(), Content_Type="application/rss+xml")


def _feed_atom(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    entries = "".join(
        f'<entry><title>Story {n}</title><id>urn:page:{n}</id><link href="{base}/page/{n}"/>'
        "<updated>2025-01-01T00:00:00Z</updated></entry>"
        for n in range(1, 6)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Daily Example</title><id>urn:daily</id><updated>2025-01-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    )
    h.reply(200, body.encode(), Content_Type="application/atom+xml")


def urlset(urls: list[str]) -> bytes:
    """A sitemap <urlset> of ``urls``."""
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def _sitemap_index(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap-pages.xml.gz</loc></sitemap>"
        f"<sitemap><loc>{base}/sitemap-more.xml</loc></sitemap>"
        "</sitemapindex>"
    )
    h.reply(200, body.encode(), Content_Type="application/xml")


def _sitemap_pages(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    body = gzip.compress(urlset([f"{base}/page/{n}" for n in range(1, 21)]))
    h.reply(200, body, Content_Type="application/octet-stream")


def _sitemap_more(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    h.reply(200, urlset([f"{base}/page/{n}" for n in range(21, 26)]), Content_Type="text/xml")


def _urls(h: _Handler, arg: str, query: dict[str, str]) -> None:
    base = h.server.site.base
    body = f"# pages to fetch\n{base}/page/1\n\n  {base}/page/2  \n{base}/page/3\n"
    h.reply(200, body.encode(), Content_Type="text/plain; charset=utf-8")


_ROUTES: dict[str, Route] = {
    "robots.txt": _robots,
    "page": _page,
    "slow": _slow,
    "private": _page,
    "status": _status,
    "flaky": _flaky,
    "retry-after": _retry_after,
    "stall": _stall,
    "truncated": _truncated,
    "loop": _loop,
    "redirect": _redirect,
    "redirect-to": _redirect_to,
    "bomb": _bomb,
    "huge": _huge,
    "declared-huge": _declared_huge,
    "charset": _charset,
    "pdf": _pdf,
    "feed.rss": _feed_rss,
    "feed.atom": _feed_atom,
    "sitemap_index.xml": _sitemap_index,
    "sitemap-pages.xml.gz": _sitemap_pages,
    "sitemap-more.xml": _sitemap_more,
    "urls.txt": _urls,
}


def _route(path: str) -> tuple[Route | None, str]:
    first, _, rest = path.lstrip("/").partition("/")
    return _ROUTES.get(first), rest


_BLOCK_CACHE: dict[str, bytes] = {}


def _zero_blocks() -> tuple[bytes, bytes, int]:
    """(first compressed MiB with the gzip header, every later MiB, crc32 of one MiB of zeros).

    After a full flush deflate forgets its history, so every further MiB of
    zeros compresses to the same bytes: the stream is built by repetition.
    """
    if not _BLOCK_CACHE:
        zeros = bytes(MIB)
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        _BLOCK_CACHE["first"] = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
        _BLOCK_CACHE["next"] = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    return _BLOCK_CACHE["first"], _BLOCK_CACHE["next"], zlib.crc32(bytes(MIB))


def gzip_zeros(mib: int) -> Iterator[bytes]:
    """A valid gzip stream of ``mib`` MiB of zeros, about 1 KB per MiB, made lazily."""
    first, block, _ = _zero_blocks()
    crc = 0
    zeros = bytes(MIB)
    for index in range(mib):
        crc = zlib.crc32(zeros, crc)
        yield first if index == 0 else block
    # An empty final fixed-Huffman block, then the gzip trailer (CRC-32, size mod 2**32).
    yield b"\x03\x00" + crc.to_bytes(4, "little") + ((mib * MIB) % 2**32).to_bytes(4, "little")


class FaultSite:
    """The server; a context manager. ``base`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, *, crawl_delay: float | None = None, robots_delay: float = 0.0) -> None:
        self.crawl_delay = crawl_delay
        self.robots_delay = robots_delay  # seconds robots.txt takes to answer
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._log: list[tuple[str, float, str]] = []
        self.sent: dict[str, int] = {}
        self._in_flight = 0
        #: The most requests held at once (/slow/ and a delayed robots.txt).
        #: Counted only while the response is withheld, so it never exceeds
        #: what the client had in flight.
        self.max_in_flight = 0
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        host, port = self._server.server_address[:2]
        self.base = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FaultSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, prefix: str = "/") -> int:
        """How many requests so far had a path starting with ``prefix``."""
        with self._lock:
            return sum(1 for path, _, _ in self._log if path.startswith(prefix))

    def log(self) -> list[tuple[str, float, str]]:
        """(path, time.monotonic() on arrival, User-Agent) of every request so far."""
        with self._lock:
            return list(self._log)

    def _record(self, path: str, user_agent: str) -> None:
        with self._lock:
            self._log.append((path, time.monotonic(), user_agent))

    def _hold(self, seconds: float) -> None:
        """Withhold a response for ``seconds`` (or until close), counting it in max_in_flight."""
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            self.release.wait(seconds)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _count(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def _sent(self, path: str, size: int) -> None:
        with self._lock:
            self.sent[path] = self.sent.get(path, 0) + size


@pytest.fixture(scope="module")
def faultsite() -> Iterator[FaultSite]:
    """One ``FaultSite`` per test module."""
    with FaultSite() as site:
        yield site


# ---------------------------------------------------------------------------
# Command line: serve, or measure Fetcher throughput against the site


def _serve(crawl_delay: float | None) -> None:
    with FaultSite(crawl_delay=crawl_delay) as site:
        print(site.base, flush=True)
        threading.Event().wait()


async def _fetch_pages(base: str, pages: int, concurrency: int) -> dict[str, int]:
    from extractor.config import Settings
    from extractor.fetch import Fetcher, FetchRequest

    settings = Settings(
        private_allowlist=("127.0.0.0/8",),
        concurrency=concurrency,
        per_host_concurrency=concurrency,
        per_host_delay=0,
    )
    outcomes: dict[str, int] = {}
    requests = (FetchRequest(f"{base}/page/{n}") for n in range(pages))
    async with Fetcher(settings) as fetcher:
        async for result in fetcher.fetch_many(requests):
            key = result.outcome if result.outcome == "fetched" else result.reason
            outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _bench(pages: int, concurrency: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.faultsite", "serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        site_before = _cpu_seconds(server.pid)
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        outcomes = asyncio.run(_fetch_pages(base, pages, concurrency))
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        site_cpu = _cpu_seconds(server.pid) - site_before
    finally:
        server.terminate()
        server.wait()
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"Fetcher.fetch_many, politeness off, concurrency {concurrency}, site on {base}")
    print(f"pages: {pages}  outcomes: {outcomes}")
    print(f"seconds: {seconds:.2f}  pages/s: {pages / seconds:.0f}")
    print(f"peak RSS of the fetching process: {after.ru_maxrss / 1024:.0f} MiB")
    print(
        f"CPU ms/page: fetcher {1000 * cpu / pages:.2f}, site {1000 * site_cpu / pages:.2f}"
        f" (so at most {pages / (cpu + site_cpu):.0f} pages/s on one free core)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.faultsite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve until killed; prints the base URL")
    serve.add_argument("--crawl-delay", type=float)
    bench = commands.add_parser("bench", help="measure Fetcher.fetch_many against the site")
    bench.add_argument("--pages", type=int, default=2000)
    bench.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve(args.crawl_delay)
    else:
        _bench(args.pages, args.concurrency)


if __name__ == "__main__":
    main()
