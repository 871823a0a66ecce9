"""Tests for extractor.fetch: a real HTTP server on 127.0.0.1, plus MockTransport unit tests."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import httpx
import pytest

from extractor.config import Settings
from extractor.errors import ConfigError, ExtractorError, FetchError, HTTPStatusError, SkipPage
from extractor.fetch import (
    Fetcher,
    FetchRequest,
    FetchResult,
    _AsyncGuardedBackend,
    _check_peer,
    _GuardedBackend,
    blocked_address,
    fetch_url,
    gunzip,
    retry_after_seconds,
)
from extractor.load import RawDocument, decode
from tests.faultsite import (
    CHARSET_PAGES,
    LAST_MODIFIED,
    FaultSite,
    article_html,
    gzip_zeros,
)

HTML = b"<html><head><title>T</title></head><body><p>Sheriff declines.</p></body></html>"
# Short limits so failing paths end quickly.
FAST = Settings(
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=5.0,
    allow_private=True,
    per_host_delay=0,
    retries=0,
    respect_robots=False,
)
CHUNK = 64 * 1024


class Server(ThreadingHTTPServer):
    """The test server; ``release`` ends stalled handlers, ``sent`` counts streamed bytes."""

    release: threading.Event
    sent: dict[str, int]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The client hanging up mid-body is what several tests provoke.
        pass


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def reply(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.send_response(status)
        fields = {name.replace("_", "-"): value for name, value in headers.items()}
        fields.setdefault("Content-Type", "text/html; charset=utf-8")
        for name, value in fields.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        route = ROUTES.get(path.split("/")[1] if "/" in path else path)
        if route is None:
            self.reply(404, b"not found")
            return
        # The client hanging up mid-body is what the size and timeout tests provoke.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self, path)


def page(h: Handler, path: str) -> None:
    h.reply(200, HTML)


def status(h: Handler, path: str) -> None:
    h.reply(int(path.rsplit("/", 1)[1]), b"<p>error page</p>")


def redirect(h: Handler, path: str) -> None:
    # /redirect/N: N more hops, then the page.
    left = int(path.rsplit("/", 1)[1])
    h.reply(302, Location=f"/redirect/{left - 1}" if left > 1 else "/page")


def loop(h: Handler, path: str) -> None:
    h.reply(301, Location="/loop")


def relative(h: Handler, path: str) -> None:
    h.reply(303, Location="page")


def to_ftp(h: Handler, path: str) -> None:
    h.reply(302, Location="ftp://127.0.0.1/file.html")


def pdf(h: Handler, path: str) -> None:
    h.reply(200, b"%PDF-1.7\n", Content_Type="application/pdf")


def no_type(h: Handler, path: str) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(len(HTML)))
    h.end_headers()
    h.wfile.write(HTML)


def png_as_html(h: Handler, path: str) -> None:
    h.reply(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def huge(h: Handler, path: str) -> None:
    # No Content-Length: only counting while streaming can stop this.
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    block = b"<p>" + b"x" * (CHUNK - 8) + b"</p>\n"
    h.server.sent["huge"] = 0
    for _ in range(100 * 1024 * 1024 // CHUNK):
        h.wfile.write(block)
        h.server.sent["huge"] += len(block)


def declared_huge(h: Handler, path: str) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(50 * 1024 * 1024))
    h.end_headers()
    h.wfile.write(b"<p>start</p>")


def stall(h: Handler, path: str) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.write(b"<p>first part")
    h.wfile.flush()
    h.server.release.wait(10)


def drip(h: Handler, path: str) -> None:
    # Each byte arrives well within read_timeout; only the total is too long.
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    while not h.server.release.wait(0.05):
        h.wfile.write(b"<p>drip</p>\n")
        h.wfile.flush()


def latin1(h: Handler, path: str) -> None:
    body = "<p>Caf\u00e9 \u2014 it\u2019s</p>".encode("cp1252")
    h.reply(200, body, Content_Type="text/html; charset=ISO-8859-1")


def plain(h: Handler, path: str) -> None:
    h.reply(200, b"Sheriff declines.", Content_Type='TEXT/PLAIN; charset="utf-8"')


def gzipped(h: Handler, path: str) -> None:
    h.reply(200, gzip.compress(HTML), Content_Encoding="gzip")


def gzip_bomb(h: Handler, path: str) -> None:
    h.reply(200, GZIP_BOMB, Content_Encoding="gzip")


def bad_gzip(h: Handler, path: str) -> None:
    h.reply(200, b"\x1f\x8b\x08\x00not deflate at all", Content_Encoding="gzip")


def user_agent(h: Handler, path: str) -> None:
    h.reply(200, h.headers.get("User-Agent", "").encode(), Content_Type="text/plain")


ROUTES: dict[str, Callable[[Handler, str], None]] = {
    "page": page,
    "status": status,
    "redirect": redirect,
    "loop": loop,
    "relative": relative,
    "to-ftp": to_ftp,
    "pdf": pdf,
    "no-type": no_type,
    "png-as-html": png_as_html,
    "huge": huge,
    "declared-huge": declared_huge,
    "stall": stall,
    "drip": drip,
    "latin1": latin1,
    "plain": plain,
    "gzip": gzipped,
    "gzip-bomb": gzip_bomb,
    "bad-gzip": bad_gzip,
    "ua": user_agent,
}
# 20 MB of zeros in ~20 KB: inflating all of it would show in the timing.
GZIP_BOMB = gzip.compress(b"\0" * (20 * 1024 * 1024), compresslevel=9)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.release = threading.Event()
    httpd.sent = {}
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd
    finally:
        httpd.release.set()
        httpd.shutdown()
        # Joins the handler threads (block_on_close), so none outlives the module.
        httpd.server_close()
        thread.join()


@pytest.fixture
def base(server: Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def fetch_error(url: str, limits: Settings = FAST) -> ExtractorError:
    with pytest.raises(ExtractorError) as info:
        fetch_url(url, settings=limits)
    return info.value


# ---------------------------------------------------------------------------
# Success


def test_fetch_200_html(base: str) -> None:
    raw = fetch_url(f"{base}/page", settings=FAST)
    assert raw == RawDocument(
        source=f"{base}/page",
        content=HTML,
        media_type="text/html",
        charset="utf-8",
        url=f"{base}/page",
    )


def test_fetch_plain_text_media_type_is_bare_and_lowercase(base: str) -> None:
    raw = fetch_url(f"{base}/plain", settings=FAST)
    assert (raw.media_type, raw.charset, raw.content) == (
        "text/plain",
        "utf-8",
        b"Sheriff declines.",
    )


def test_fetch_charset_from_header(base: str) -> None:
    raw = fetch_url(f"{base}/latin1", settings=FAST)
    assert raw.charset == "iso-8859-1"  # httpx lower-cases the label
    assert decode(raw) == "<p>Caf\u00e9 \u2014 it\u2019s</p>"


def test_fetch_gzip_content_encoding_is_decompressed(base: str) -> None:
    assert fetch_url(f"{base}/gzip", settings=FAST).content == HTML


def test_fetch_sends_user_agent_from_settings(base: str) -> None:
    raw = fetch_url(f"{base}/ua", settings=FAST.replace(user_agent="extractor-test (a@b.test)"))
    assert raw.content == b"extractor-test (a@b.test)"


@pytest.mark.parametrize(("path", "final"), [("/redirect/3", "/page"), ("/relative", "/page")])
def test_fetch_follows_redirects_within_limit(base: str, path: str, final: str) -> None:
    raw = fetch_url(f"{base}{path}", settings=FAST.replace(max_redirects=3))
    assert (raw.source, raw.url, raw.content) == (f"{base}{path}", f"{base}{final}", HTML)


def test_fetch_reuses_given_client_and_leaves_it_open(base: str) -> None:
    with httpx.Client() as client:
        first = fetch_url(f"{base}/page", settings=FAST, client=client)
        second = fetch_url(f"{base}/redirect/1", settings=FAST, client=client)
        assert not client.is_closed
    assert first.content == second.content == HTML


# ---------------------------------------------------------------------------
# Failures, by reason


@pytest.mark.parametrize(
    ("path", "error_type", "reason"),
    [
        ("/status/500", HTTPStatusError, "http_500"),
        ("/status/503", HTTPStatusError, "http_503"),
        ("/status/404", HTTPStatusError, "http_404"),
        ("/no-such-route", HTTPStatusError, "http_404"),
        ("/loop", FetchError, "too_many_redirects"),
        ("/redirect/4", FetchError, "too_many_redirects"),
        ("/to-ftp", FetchError, "invalid_url"),
        ("/pdf", SkipPage, "content_type"),
        ("/no-type", SkipPage, "content_type"),
        ("/png-as-html", SkipPage, "binary"),
        ("/bad-gzip", FetchError, "protocol"),
        ("/declared-huge", FetchError, "too_large"),
    ],
)
def test_fetch_fails_with_reason(base: str, path: str, error_type: type, reason: str) -> None:
    error = fetch_error(f"{base}{path}", FAST.replace(max_redirects=3))
    assert type(error) is error_type
    assert error.reason == reason


def test_fetch_http_status_error_carries_code(base: str) -> None:
    error = fetch_error(f"{base}/status/500")
    assert isinstance(error, HTTPStatusError)
    assert error.status_code == 500
    assert error.describe().startswith("http_500: 500")


def test_fetch_skip_names_the_content_type(base: str) -> None:
    assert "application/pdf" in str(fetch_error(f"{base}/pdf"))


def test_fetch_zero_redirects_allowed(base: str) -> None:
    error = fetch_error(f"{base}/redirect/1", FAST.replace(max_redirects=0))
    assert error.reason == "too_many_redirects"


def test_fetch_oversize_body_stops_early(base: str, server: Server) -> None:
    limits = FAST.replace(max_bytes=1024 * 1024)
    error = fetch_error(f"{base}/huge", limits)
    assert error.reason == "too_large"
    # Give the server a moment to notice the hang-up, then check it was cut off
    # far short of its 100 MB (socket buffers hold a few MB at most).
    time.sleep(0.2)
    assert server.sent["huge"] < 20 * 1024 * 1024


def test_fetch_gzip_bomb_counts_decompressed_bytes(base: str) -> None:
    # 20 MB inflated at once would show in the peak; bounded steps stay small.
    tracemalloc.start()
    try:
        error = fetch_error(f"{base}/gzip-bomb", FAST.replace(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "too_large"
    assert peak < 16 * 1024 * 1024


def test_fetch_stalled_read_times_out(base: str) -> None:
    error = fetch_error(f"{base}/stall", FAST.replace(read_timeout=0.3))
    assert error.reason == "timeout"
    # The read timeout, not the 5 s total budget, ended it.
    assert isinstance(error.__cause__, httpx.ReadTimeout)


def test_fetch_total_timeout_stops_a_slow_drip(base: str) -> None:
    start = time.perf_counter()
    error = fetch_error(f"{base}/drip", FAST.replace(read_timeout=1.0, total_timeout=0.5))
    assert error.reason == "timeout"
    assert "total_timeout" in str(error)
    assert time.perf_counter() - start > 0.4  # a lower bound only


def test_fetch_connection_refused_is_connection() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/page")
    assert error.reason == "connection"
    assert isinstance(error.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/a.html", "file:///etc/hosts", "not a url", "http://", "http://[::1"]
)
def test_fetch_invalid_url(url: str) -> None:
    assert fetch_error(url).reason == "invalid_url"


# ---------------------------------------------------------------------------
# MockTransport unit tests: what is sent, and that redirects stay manual


def mock_client(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    # follow_redirects=True on purpose: fetch_url must still follow by hand.
    return httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)


def test_fetch_redirect_hops_are_each_checked() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/start":
            return httpx.Response(307, headers={"location": "https://other.test/end"})
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    with mock_client(handler) as client:
        raw = fetch_url("http://news.test/start", settings=FAST, client=client)
    assert seen == ["http://news.test/start", "https://other.test/end"]
    assert raw.url == "https://other.test/end"


def test_fetch_user_agent_overrides_client_default() -> None:
    agents: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        agents.append(request.headers["user-agent"])
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    with mock_client(handler) as client:
        fetch_url("http://news.test/", settings=FAST, client=client)
    assert agents == [FAST.user_agent]


def test_fetch_redirect_without_location_is_status_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302)

    with mock_client(handler) as client, pytest.raises(HTTPStatusError) as info:
        fetch_url("http://news.test/", settings=FAST, client=client)
    assert info.value.reason == "http_302"


def test_fetch_remote_protocol_error_is_protocol() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server hung up", request=request)

    with mock_client(handler) as client, pytest.raises(FetchError) as info:
        fetch_url("http://news.test/", settings=FAST, client=client)
    assert info.value.reason == "protocol"
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectTimeout("slow connect"), "timeout"),
        (httpx.PoolTimeout("no connection free"), "timeout"),
        (httpx.ConnectError("refused"), "connection"),
        (httpx.ProxyError("proxy refused"), "connection"),
        (httpx.UnsupportedProtocol("no transport for scheme"), "invalid_url"),
        (httpx.LocalProtocolError("bad request line"), "protocol"),
        (httpx.ReadError("connection reset"), "connection"),
        (httpx.WriteError("broken pipe"), "connection"),
    ],
)
def test_fetch_wraps_httpx_errors(error: httpx.TransportError, reason: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    with mock_client(handler) as client, pytest.raises(FetchError) as info:
        fetch_url("http://news.test/", settings=FAST, client=client)
    assert info.value.reason == reason
    assert info.value.__cause__ is error


def test_fetch_total_timeout_spans_redirect_hops() -> None:
    # Each hop is quick enough alone; together they exceed the total budget.
    def handler(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)
        return httpx.Response(302, headers={"location": "/again"})

    limits = FAST.replace(total_timeout=0.3, max_redirects=10)
    with mock_client(handler) as client, pytest.raises(FetchError) as info:
        fetch_url("http://news.test/", settings=limits, client=client)
    assert info.value.reason == "timeout"


# ---------------------------------------------------------------------------
# The async Fetcher against tests/faultsite.py (a real server on 127.0.0.1)

# The fault site is on 127.0.0.1: reachable through the allowlist, while the
# private-address guard stays on for everything else (10.x, 169.254.x ...).
SITE = Settings(
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=10.0,
    private_allowlist=("127.0.0.0/8",),
    per_host_delay=0,
    per_host_concurrency=8,
    retries=2,
    backoff_base=0.01,
    backoff_max=0.05,
)


@pytest.fixture(scope="module")
def faultsite() -> Iterator[FaultSite]:
    with FaultSite() as site:
        yield site


def fetch_one(site: FaultSite, path: str, settings: Settings = SITE, **request: str) -> FetchResult:
    async def main() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(FetchRequest(site.url(path), **request))

    return asyncio.run(main())


def fetch_all(requests: Iterable[FetchRequest], settings: Settings = SITE) -> list[FetchResult]:
    async def main() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return [result async for result in fetcher.fetch_many(requests)]

    return asyncio.run(main())


def test_fetcher_page(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/page/3")
    assert (result.outcome, result.reason, result.message) == ("fetched", "", "")
    assert result.url == result.final_url == faultsite.url("/page/3")
    assert (result.http_status, result.media_type, result.charset) == (200, "text/html", "utf-8")
    assert result.body == article_html(3)
    assert (result.etag, result.last_modified) == ('"page-3"', LAST_MODIFIED)
    assert result.attempts == 1
    assert datetime.fromisoformat(result.fetched_at).tzinfo is not None
    raw = result.raw()
    assert (raw.source, raw.url, raw.content) == (result.url, result.final_url, result.body)


def test_fetcher_sends_user_agent_and_robots_first(faultsite: FaultSite) -> None:
    agent = "extractor-test/1.0 (+https://example.org/contact)"
    fetch_one(faultsite, "/page/77", SITE.replace(user_agent=agent))
    log = [(path, ua) for path, _, ua in faultsite.log()]
    assert ("/page/77", agent) in log
    assert log.index(("/robots.txt", agent)) < log.index(("/page/77", agent))


@pytest.mark.parametrize(
    ("request_fields"),
    [{"etag": '"page-4"'}, {"last_modified": LAST_MODIFIED}],
)
def test_fetcher_conditional_request_not_modified(
    faultsite: FaultSite, request_fields: dict[str, str]
) -> None:
    result = fetch_one(faultsite, "/page/4", **request_fields)
    assert (result.outcome, result.http_status, result.body) == ("not_modified", 304, b"")
    assert result.etag == '"page-4"'
    with pytest.raises(FetchError):
        result.raw()


def test_fetcher_stale_etag_fetches(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/page/4", etag='"page-3"')
    assert result.outcome == "fetched"


@pytest.mark.parametrize(
    ("path", "outcome", "reason", "attempts"),
    [
        ("/status/404", "failed", "http_404", 1),  # not worth another try
        ("/status/500", "failed", "http_500", 3),  # retried twice
        ("/flaky/a?fail=2", "fetched", "", 3),  # 503, 503, then the page
        ("/flaky/b?fail=1&status=502", "fetched", "", 2),
        ("/truncated", "failed", "truncated", 3),
        ("/loop", "failed", "too_many_redirects", 1),
        ("/redirect/2", "fetched", "", 1),
        ("/pdf", "skipped", "content_type", 1),
        ("/private/1", "skipped", "robots", 1),
        ("/declared-huge", "failed", "too_large", 1),
        ("/huge", "failed", "too_large", 1),
        ("/redirect-to?url=ftp://127.0.0.1/x", "failed", "invalid_url", 1),
    ],
)
def test_fetcher_outcomes(
    faultsite: FaultSite, path: str, outcome: str, reason: str, attempts: int
) -> None:
    result = fetch_one(faultsite, path)
    assert (result.outcome, result.reason, result.attempts) == (outcome, reason, attempts)
    assert bool(result.message) == (outcome != "fetched")
    if outcome != "fetched":
        assert result.body == b""


def test_fetcher_redirect_final_url(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/redirect/2")
    assert result.final_url == faultsite.url("/page/1")
    assert result.raw().url == faultsite.url("/page/1")


def test_fetcher_stalled_read_times_out(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/stall", SITE.replace(read_timeout=0.3, retries=0))
    assert (result.outcome, result.reason) == ("failed", "timeout")


def test_fetcher_total_timeout(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/slow/1?delay=5", SITE.replace(total_timeout=0.3, retries=0))
    assert (result.outcome, result.reason) == ("failed", "timeout")
    assert "total_timeout" in result.message


@pytest.mark.parametrize("after", ["1", "date:3"])
def test_fetcher_honours_retry_after(faultsite: FaultSite, after: str) -> None:
    key = f"wait-{after}"
    result = fetch_one(faultsite, f"/retry-after/{key}?after={after}")
    assert (result.outcome, result.attempts) == ("fetched", 2)
    times = [t for path, t, _ in faultsite.log() if path == f"/retry-after/{key}"]
    # A lower bound only: the second request came no sooner than the server asked.
    # (An HTTP date has whole seconds, so "3 s ahead" may be just over 2 s.)
    assert times[1] - times[0] >= 0.95


def test_fetcher_retry_after_beyond_cap_fails_at_once(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, "/retry-after/long?after=600", SITE.replace(max_retry_after=5.0))
    assert (result.outcome, result.reason, result.attempts) == ("failed", "http_429", 1)


def test_fetcher_gzip_bomb_stops_at_max_bytes(faultsite: FaultSite) -> None:
    # 1 GiB of zeros, ~1 MB on the wire. Memory, not time, shows whether the
    # body was inflated in bounded steps: httpx's own decoder would turn each
    # 64 KB read into 64 MB at once.
    tracemalloc.start()
    try:
        result = fetch_one(faultsite, "/bomb", SITE.replace(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.outcome, result.reason, result.attempts) == ("failed", "too_large", 1)
    assert peak < 16 * 1024 * 1024


def test_faultsite_bomb_is_valid_gzip() -> None:
    data = b"".join(gzip_zeros(3))
    assert len(data) < 10_000
    assert gzip.decompress(data) == bytes(3 * 1024 * 1024)


@pytest.mark.parametrize("name", sorted(CHARSET_PAGES))
def test_fetcher_charsets_decode(faultsite: FaultSite, name: str) -> None:
    result = fetch_one(faultsite, f"/charset/{name}")
    assert result.outcome == "fetched"
    assert CHARSET_PAGES[name][2] in decode(result.raw())


def test_guard_refuses_loopback_without_allow_private(faultsite: FaultSite) -> None:
    before = faultsite.hits()
    result = fetch_one(faultsite, "/page/1", Settings(retries=0))
    assert (result.outcome, result.reason, result.attempts) == ("failed", "private_address", 0)
    assert "127.0.0.1" in result.message
    assert faultsite.hits() == before  # refused before connecting: not even robots.txt


@pytest.mark.parametrize(
    "target", ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/"]
)
def test_guard_refuses_redirect_to_private_address(faultsite: FaultSite, target: str) -> None:
    result = fetch_one(faultsite, f"/redirect-to?url={target}")
    assert (result.outcome, result.reason) == ("failed", "private_address")
    assert result.final_url == target


def test_guard_refuses_hostname_resolving_to_loopback(faultsite: FaultSite) -> None:
    localhost = faultsite.base.replace("127.0.0.1", "localhost")

    async def main() -> FetchResult:
        async with Fetcher(Settings(retries=0)) as fetcher:
            return await fetcher.fetch(FetchRequest(f"{localhost}/page/1"))

    result = asyncio.run(main())
    assert (result.outcome, result.reason) == ("failed", "private_address")
    assert "localhost resolves to" in result.message


def test_guard_allow_private_reaches_loopback(faultsite: FaultSite) -> None:
    settings = SITE.replace(private_allowlist=(), allow_private=True)
    assert fetch_one(faultsite, "/page/1", settings).outcome == "fetched"


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "100.64.0.1",
        "::1",
        "::",
        "fe80::1%eth0",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
    ],
)
def test_blocked_address(address: str) -> None:
    assert blocked_address(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])
def test_public_address_allowed(address: str) -> None:
    assert blocked_address(address) is None


def timed_fetch_all(requests: list[FetchRequest], settings: Settings) -> tuple[list[str], float]:
    """Outcomes, and the seconds fetch_many took (measured where the requests start)."""

    async def main() -> tuple[list[str], float]:
        async with Fetcher(settings) as fetcher:
            start = time.monotonic()
            outcomes = [r.outcome async for r in fetcher.fetch_many(requests)]
            return outcomes, time.monotonic() - start

    return asyncio.run(main())


def test_robots_crawl_delay_spaces_requests() -> None:
    with FaultSite(crawl_delay=0.3) as site:
        requests = [FetchRequest(site.url(f"/page/{n}")) for n in range(3)]
        outcomes, seconds = timed_fetch_all(requests, SITE)
    assert outcomes == ["fetched"] * 3
    # A lower bound only (a slow machine only adds): the third request may not
    # start before two Crawl-delays (0.3 s, beating per_host_delay 0) have passed.
    assert seconds >= 2 * 0.3


def test_crawl_delay_beyond_max_skips_the_host() -> None:
    with FaultSite(crawl_delay=100) as site:
        settings = SITE.replace(max_crawl_delay=10.0)
        results = fetch_all([FetchRequest(site.url(f"/page/{n}")) for n in range(3)], settings)
        with pytest.raises(SkipPage) as info:
            fetch_url(site.url("/page/9"), settings=settings)
        assert site.hits("/page/") == 0
    assert {(r.outcome, r.reason) for r in results} == {("skipped", "robots")}
    assert "Crawl-delay 100" in results[0].message
    assert info.value.reason == "robots"


def test_per_host_concurrency_is_a_ceiling() -> None:
    with FaultSite() as site:
        settings = SITE.replace(per_host_concurrency=2, concurrency=8)
        results = fetch_all(
            [FetchRequest(site.url(f"/slow/{n}?delay=0.1")) for n in range(8)], settings
        )
        assert [r.outcome for r in results] == ["fetched"] * 8
        assert site.max_in_flight <= 2


def test_fetch_many_one_result_per_request(faultsite: FaultSite) -> None:
    paths = [f"/page/{n}" for n in range(40)] + ["/status/404", "/pdf", "/private/9", "bad"]
    requests = [FetchRequest(faultsite.url(p) if p != "bad" else "bad") for p in paths]
    results = fetch_all(requests)
    assert sorted(r.url for r in results) == sorted(r.url for r in requests)
    by_url = {r.url: r for r in results}
    assert by_url["bad"].reason == "invalid_url"
    assert by_url[faultsite.url("/status/404")].reason == "http_404"
    assert sum(r.outcome == "fetched" for r in results) == 40


def test_fetch_many_consumes_lazily(faultsite: FaultSite) -> None:
    pulled = 0

    def requests() -> Iterator[FetchRequest]:
        nonlocal pulled
        for n in range(10_000):
            pulled += 1
            yield FetchRequest(faultsite.url(f"/page/{n}"))

    async def main() -> int:
        settings = SITE.replace(concurrency=4)
        async with (
            Fetcher(settings) as fetcher,
            contextlib.aclosing(fetcher.fetch_many(requests())) as results,
        ):
            async for _ in results:
                return pulled
        raise AssertionError("no result")

    # The window (256 for low concurrency), not the 10,000 of the input.
    assert asyncio.run(main()) <= 256 + 1


def test_fetch_many_accepts_async_iterables(faultsite: FaultSite) -> None:
    async def requests() -> AsyncIterator[FetchRequest]:
        for n in range(5):
            yield FetchRequest(faultsite.url(f"/page/{n}"))

    async def main() -> list[str]:
        async with Fetcher(SITE) as fetcher:
            return [r.outcome async for r in fetcher.fetch_many(requests())]

    assert asyncio.run(main()) == ["fetched"] * 5


def test_fetch_document_accepts_feeds_only(faultsite: FaultSite) -> None:
    async def main() -> tuple[bytes, ExtractorError]:
        async with Fetcher(SITE) as fetcher:
            feed = await fetcher.fetch_document(faultsite.url("/feed.rss"))
            with pytest.raises(ExtractorError) as info:
                await fetcher.fetch_document(faultsite.url("/page/1"))
            return feed, info.value

    feed, error = asyncio.run(main())
    assert feed.startswith(b"<?xml")
    assert isinstance(error, SkipPage)
    assert error.reason == "content_type"


def test_sync_path_shares_the_checks(faultsite: FaultSite) -> None:
    with pytest.raises(FetchError) as info:
        fetch_url(faultsite.url("/page/1"), settings=Settings(retries=0))
    assert info.value.reason == "private_address"
    with pytest.raises(SkipPage) as skipped:
        fetch_url(faultsite.url("/private/2"), settings=SITE)
    assert skipped.value.reason == "robots"
    raw = fetch_url(faultsite.url("/flaky/sync?fail=2"), settings=SITE)
    assert raw.content == article_html(1)
    with pytest.raises(FetchError) as refused:
        fetch_url(faultsite.url("/redirect-to?url=http://10.0.0.1/"), settings=SITE)
    assert refused.value.reason == "private_address"


def test_sync_path_robots_unreachable_disallows(faultsite: FaultSite) -> None:
    # RFC 9309: a robots.txt that cannot be fetched (5xx, no answer) means "disallow all".
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(503)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    settings = FAST.replace(respect_robots=True)
    with mock_client(handler) as client, pytest.raises(SkipPage) as info:
        fetch_url("http://news.test/a", settings=settings, client=client)
    assert info.value.reason == "robots"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
        ("-3", None),
    ],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after_seconds(value, now=now) == expected


def test_gunzip_limits() -> None:
    data = gzip.compress(b"<urlset/>" * 1000)
    assert gunzip(data, limit=10_000, source="s.xml.gz") == b"<urlset/>" * 1000
    with pytest.raises(FetchError) as info:
        gunzip(data, limit=100, source="s.xml.gz")
    assert info.value.reason == "too_large"
    with pytest.raises(FetchError) as bad:
        gunzip(b"not gzip", limit=100, source="s.xml.gz")
    assert bad.value.reason == "protocol"
    with pytest.raises(FetchError) as cut:
        gunzip(data[:20], limit=10_000, source="s.xml.gz")
    assert cut.value.reason == "truncated"


def test_multi_member_gzip_and_raw_deflate() -> None:
    assert gunzip(gzip.compress(b"a") + gzip.compress(b"b"), limit=10, source="x") == b"ab"

    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = raw_deflate.compress(HTML) + raw_deflate.flush()

    def handler(request: httpx.Request) -> httpx.Response:
        stream = httpx.ByteStream(body)
        headers = {"content-type": "text/html", "content-encoding": "deflate"}
        return httpx.Response(200, headers=headers, stream=stream)

    with mock_client(handler) as client:
        raw = fetch_url("http://news.test/", settings=FAST, client=client)
    assert raw.content == HTML


def test_unrequested_content_encoding_is_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/html", "content-encoding": "br"}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(b"\x0b"))

    with mock_client(handler) as client, pytest.raises(FetchError) as info:
        fetch_url("http://news.test/", settings=FAST, client=client)
    assert info.value.reason == "protocol"


def test_check_peer_refuses_a_private_peer() -> None:
    class Stream:
        def get_extra_info(self, name: str) -> object:
            return ("10.0.0.7", 80) if name == "server_addr" else None

    request = httpx.Request("GET", "http://news.test/")
    response = httpx.Response(200, request=request, extensions={"network_stream": Stream()})
    with pytest.raises(FetchError) as info:
        _check_peer(response, request.url, Settings())
    assert info.value.reason == "private_address"
    _check_peer(response, request.url, Settings(allow_private=True))


def test_fetcher_transport_is_injectable() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    async def main() -> FetchResult:
        settings = FAST.replace(respect_robots=True)
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
            return await fetcher.fetch(FetchRequest("http://news.test/a"))

    result = asyncio.run(main())
    assert (result.outcome, result.body) == ("fetched", HTML)
    assert seen == ["/robots.txt", "/a"]  # a 404 robots.txt allows everything


def test_unresolvable_host_is_connection_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS traffic in tests: the resolver itself is replaced.
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError) as info:
        fetch_url("http://news.example/a", settings=Settings(retries=0))
    assert info.value.reason == "connection"
    assert "cannot resolve host" in str(info.value)

    async def main() -> FetchResult:
        async with Fetcher(Settings(retries=0)) as fetcher:
            return await fetcher.fetch(FetchRequest("http://news.example/a"))

    result = asyncio.run(main())
    assert (result.outcome, result.reason) == ("failed", "connection")


def test_sync_guard_resolves_hostnames(faultsite: FaultSite) -> None:
    localhost = faultsite.base.replace("127.0.0.1", "localhost")
    with pytest.raises(FetchError) as info:
        fetch_url(f"{localhost}/page/1", settings=Settings(retries=0))
    assert info.value.reason == "private_address"


def test_retry_after_date_without_zone_is_utc() -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 -0000", now=now) == 10.0


def test_robots_txt_is_read_up_to_500_kib() -> None:
    # RFC 9309: at least 500 KiB must be read; what lies beyond is ignored.
    robots = b"User-agent: *\nDisallow: /early\n" + b"#" * (600 * 1024) + b"\nDisallow: /late\n"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, headers={"content-type": "text/plain"}, content=robots)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    settings = FAST.replace(respect_robots=True)
    with mock_client(handler) as client:
        assert fetch_url("http://news.test/late", settings=settings, client=client).content == HTML
        with pytest.raises(SkipPage):
            fetch_url("http://news.test/early", settings=settings, client=client)


@pytest.mark.parametrize(
    "changes",
    [
        {"concurrency": 0},
        {"per_host_concurrency": 0},
        {"per_host_delay": -1},
        {"retries": -1},
        {"max_retry_after": -1},
        {"max_crawl_delay": -1},
        {"max_document_bytes": 0},
        {"max_sitemaps": 0},
        {"max_sitemap_depth": -1},
        {"read_timeout": 0},
        {"private_allowlist": ("10.0.0.0/33",)},
        {"private_allowlist": ("not a network",)},
        {"user_agent": "  "},
    ],
)
def test_fetch_settings_are_validated(changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        Settings().replace(**changes)


def test_default_user_agent_says_what_the_tool_is() -> None:
    agent = Settings().user_agent
    assert agent.startswith("extractor/") and "research" in agent


@pytest.fixture
def news_example_is_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolve news.example to 127.0.0.1 (no DNS traffic); other names as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if host == "news.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("news_example_is_loopback")
def test_transport_connects_only_to_checked_addresses(faultsite: FaultSite) -> None:
    # The name resolves only through our resolver, so a fetch that works
    # proves the connection went to the address the guard checked.
    url = faultsite.base.replace("127.0.0.1", "news.example") + "/page/5"

    async def main(settings: Settings) -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(FetchRequest(url))

    assert asyncio.run(main(SITE)).body == article_html(5)
    assert fetch_url(url, settings=SITE).content == article_html(5)
    before = faultsite.hits()
    refused = asyncio.run(main(Settings(retries=0)))
    assert (refused.outcome, refused.reason) == ("failed", "private_address")
    assert "news.example resolves to 127.0.0.1" in refused.message
    with pytest.raises(FetchError) as info:
        fetch_url(url, settings=Settings(retries=0))
    assert info.value.reason == "private_address"
    assert faultsite.hits() == before


@pytest.mark.usefixtures("news_example_is_loopback")
def test_transport_connection_refused_by_name() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> FetchResult:
        async with Fetcher(SITE.replace(retries=0)) as fetcher:
            return await fetcher.fetch(FetchRequest(f"http://news.example:{port}/"))

    result = asyncio.run(main())
    assert (result.outcome, result.reason) == ("failed", "connection")


def test_guarded_backends_refuse_unix_sockets_and_delegate_sleep() -> None:
    sync_backend = _GuardedBackend(httpcore.SyncBackend(), Settings())
    with pytest.raises(FetchError):
        sync_backend.connect_unix_socket("/tmp/socket")
    sync_backend.sleep(0)
    async_backend = _AsyncGuardedBackend(httpcore.AnyIOBackend(), Settings())

    async def main() -> None:
        await async_backend.sleep(0)
        await async_backend.connect_unix_socket("/tmp/socket")

    with pytest.raises(FetchError) as info:
        asyncio.run(main())
    assert info.value.reason == "invalid_url"


def test_per_host_delay_spaces_requests() -> None:
    with FaultSite() as site:
        requests = [FetchRequest(site.url(f"/page/{n}")) for n in range(4)]
        outcomes, seconds = timed_fetch_all(requests, SITE.replace(per_host_delay=0.2))
    assert outcomes == ["fetched"] * 4
    assert seconds >= 3 * 0.2  # a lower bound only


def test_redirect_hop_is_checked_against_robots(faultsite: FaultSite) -> None:
    result = fetch_one(faultsite, f"/redirect-to?url={faultsite.url('/private/3')}")
    assert (result.outcome, result.reason) == ("skipped", "robots")
    assert result.final_url == faultsite.url("/private/3")
    assert faultsite.hits("/private/3") == 0


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [
        # Groups match the product token "extractor", not words elsewhere in the User-Agent.
        ("User-agent: news\nDisallow: /\n\nUser-agent: *\nAllow: /\n", True),
        ("User-agent: python\nAllow: /\n\nUser-agent: *\nDisallow: /\n", False),
        ("User-agent: Extractor\nDisallow: /a\n\nUser-agent: *\nAllow: /\n", False),
    ],
)
def test_robots_groups_match_the_product_token(robots: str, allowed: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, headers={"content-type": "text/plain"}, text=robots)
        return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)

    settings = FAST.replace(respect_robots=True)
    with mock_client(handler) as client:
        if allowed:
            fetch_url("http://news.test/a", settings=settings, client=client)
        else:
            with pytest.raises(SkipPage):
                fetch_url("http://news.test/a", settings=settings, client=client)


def test_many_hosts_stay_within_the_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    # h0.example ... h11.example all resolve to the site: twelve hosts, each
    # with its own robots.txt, which answers slowly.
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if str(host).endswith(".example") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with FaultSite(robots_delay=0.1) as site:
        port = site.base.rsplit(":", 1)[1]
        requests = [FetchRequest(f"http://h{n}.example:{port}/page/{n}") for n in range(12)]
        results = fetch_all(requests, SITE.replace(concurrency=2))
        assert [r.outcome for r in results] == ["fetched"] * 12
        assert site.hits("/robots.txt") == 12
        # Only the slow robots.txt answers are held and counted: at most 2 at
        # once (their own slots, sized like concurrency), not 12.
        assert site.max_in_flight <= 2
