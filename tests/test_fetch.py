"""Tests for extractor.fetch: a real HTTP server on 127.0.0.1, plus MockTransport unit tests."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from extractor.config import Settings
from extractor.errors import ExtractorError, FetchError, HTTPStatusError, SkipPage
from extractor.fetch import fetch_url
from extractor.load import RawDocument, decode

HTML = b"<html><head><title>T</title></head><body><p>Sheriff declines.</p></body></html>"
# Short limits so failing paths end quickly.
FAST = Settings(connect_timeout=2.0, read_timeout=2.0, total_timeout=5.0)
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
    start = time.perf_counter()
    error = fetch_error(f"{base}/huge", limits)
    assert error.reason == "too_large"
    assert time.perf_counter() - start < 2.0
    # Give the server a moment to notice the hang-up, then check it was cut off
    # far short of its 100 MB (socket buffers hold a few MB at most).
    time.sleep(0.2)
    assert server.sent["huge"] < 20 * 1024 * 1024


def test_fetch_gzip_bomb_counts_decompressed_bytes(base: str) -> None:
    start = time.perf_counter()
    error = fetch_error(f"{base}/gzip-bomb", FAST.replace(max_bytes=1024 * 1024))
    assert error.reason == "too_large"
    assert time.perf_counter() - start < 2.0


def test_fetch_stalled_read_times_out(base: str) -> None:
    start = time.perf_counter()
    error = fetch_error(f"{base}/stall", FAST.replace(read_timeout=0.3))
    assert error.reason == "timeout"
    assert isinstance(error.__cause__, httpx.ReadTimeout)
    assert time.perf_counter() - start < 2.0


def test_fetch_total_timeout_stops_a_slow_drip(base: str) -> None:
    start = time.perf_counter()
    error = fetch_error(f"{base}/drip", FAST.replace(read_timeout=1.0, total_timeout=0.5))
    assert error.reason == "timeout"
    assert 0.4 < time.perf_counter() - start < 2.0


def test_fetch_connection_refused_is_connect() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/page")
    assert error.reason == "connect"
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
        (httpx.ConnectError("refused"), "connect"),
        (httpx.ProxyError("proxy refused"), "connect"),
        (httpx.UnsupportedProtocol("no transport for scheme"), "invalid_url"),
        (httpx.LocalProtocolError("bad request line"), "protocol"),
        (httpx.ReadError("connection reset"), "network"),
        (httpx.WriteError("broken pipe"), "network"),
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
