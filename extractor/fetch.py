"""Fetching over HTTP(S): every safety check in one place, for the async ``Fetcher`` and ``fetch_url``.

Both paths run the same checks, defined once below: the URL scheme and host
(``check_url``), the private-address guard (``check_addresses``, run by the
transport on the addresses it connects to, see ``_GuardedBackend``; before the
request for IP literals and for injected transports; and on the connected
peer), robots.txt
(``_robots_from``), redirects followed by hand with a limit and every hop
re-checked, status and content-type handling (``_classify``), a body limit
counted after decompression (``_Body``), the mapping of httpx errors to reasons
(``_wrap``), and the retry policy (``_retry_wait``). Only sending and reading
differ: ``Fetcher`` awaits an ``httpx.AsyncClient``, ``fetch_url`` calls an
``httpx.Client``.

Every per-URL failure is an ``ExtractorError`` with a ``reason``; httpx's own
errors are wrapped with ``from`` so the cause stays in the traceback.
``Fetcher.fetch`` turns them into a ``FetchResult`` instead of raising.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import random
import socket
import time
import weakref
import zlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Iterable,
    Iterator,
)
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
from protego import Protego

from extractor.config import Settings
from extractor.errors import ExtractorError, FetchError, HTTPStatusError, SkipPage
from extractor.load import RawDocument, looks_binary

SCHEMES = ("http", "https")
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# Only encodings we inflate ourselves, with a bounded output size (see _Body).
_ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024
# RFC 9309: crawlers must read at least 500 KiB of robots.txt; we read no more.
_ROBOTS_MAX_BYTES = 500 * 1024
_ALLOW_ALL = ""
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
# Failures worth another try: the next attempt may well succeed.
_RETRY_REASONS = frozenset({"timeout", "connection", "truncated"})
# Requests fetch_many takes from its input before results come back: enough
# that URLs waiting for a slow or polite host leave room for other hosts' URLs,
# few enough to bound memory (a waiting request costs a few KB).
_WINDOW_PER_SLOT = 4
_WINDOW_MIN = 256


# ---------------------------------------------------------------------------
# The public records


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One URL to fetch; ``etag``/``last_modified`` from an earlier fetch make it conditional."""

    url: str
    etag: str | None = None  # sent as If-None-Match
    last_modified: str | None = None  # sent as If-Modified-Since


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What became of one ``FetchRequest``; ``Fetcher.fetch`` returns one for every request.

    ``outcome`` is ``fetched``, ``not_modified`` (a 304 to a conditional
    request), ``skipped`` (``reason``: ``robots``, ``content_type``,
    ``binary``) or ``failed`` (``reason``: the ``ExtractorError`` reason, e.g.
    ``http_404``, ``timeout``, ``too_large``, ``private_address``,
    ``too_many_redirects``, ``connection``, ``truncated``, ``invalid_url``,
    ``protocol``). ``body`` is the decompressed body, ``b""`` unless fetched.
    """

    url: str
    final_url: str
    outcome: str
    reason: str
    message: str
    http_status: int | None
    media_type: str
    charset: str | None
    body: bytes
    etag: str | None
    last_modified: str | None
    attempts: int
    fetched_at: str

    def raw(self) -> RawDocument:
        """The body as a ``RawDocument`` for ``run.parse_raw``; ``FetchError`` unless fetched."""
        if self.outcome != "fetched":
            raise FetchError(
                f"{self.url} has no body: {self.outcome} {self.message}".rstrip(),
                reason=self.reason or self.outcome,
            )
        return RawDocument(
            source=self.url,
            content=self.body,
            media_type=self.media_type,
            charset=self.charset,
            url=self.final_url,
        )


# ---------------------------------------------------------------------------
# Checks shared by both paths


@dataclass(frozen=True, slots=True)
class _Policy:
    """What one kind of fetch accepts: pages, documents (feeds, sitemaps) or robots.txt."""

    media_types: tuple[str, ...] | None  # None: any
    max_bytes: int
    truncate: bool  # keep the first max_bytes instead of failing (robots.txt)
    robots: bool  # obey robots.txt on every hop
    reject_binary: bool


def _page_policy(settings: Settings) -> _Policy:
    return _Policy(
        media_types=settings.html_content_types + settings.text_content_types,
        max_bytes=settings.max_bytes,
        truncate=False,
        robots=settings.respect_robots,
        reject_binary=True,
    )


def _document_policy(settings: Settings) -> _Policy:
    return _Policy(
        media_types=settings.feed_content_types,
        max_bytes=settings.max_document_bytes,
        truncate=False,
        robots=settings.respect_robots,
        reject_binary=False,
    )


_ROBOTS_POLICY = _Policy(
    media_types=None, max_bytes=_ROBOTS_MAX_BYTES, truncate=True, robots=False, reject_binary=False
)


def check_url(url: str | httpx.URL, *, original: str | None = None) -> httpx.URL:
    """``url`` parsed, if it is an absolute http(s) URL with a host; else ``invalid_url``."""
    original = str(url) if original is None else original
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"invalid URL {original!r}: {exc}", reason="invalid_url") from exc
    if parsed.scheme not in SCHEMES:
        raise FetchError(
            f"unsupported URL scheme {parsed.scheme!r} in {str(parsed)!r} (from {original})",
            reason="invalid_url",
        )
    if not parsed.host:
        raise FetchError(f"URL without a host: {str(parsed)!r}", reason="invalid_url")
    return parsed


def blocked_address(address: str) -> str | None:
    """Why ``address`` (an IP literal) may not be fetched by default, or None if it is public.

    Everything that is not a global unicast address is refused: private,
    loopback, link-local (169.254.169.254, the cloud metadata service),
    carrier-grade NAT, reserved, multicast, unspecified, and IPv6 forms that
    embed such an IPv4 address (IPv4-mapped, 6to4, Teredo).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            why = blocked_address(str(embedded))
            if why is not None:
                return f"{why} (embedded in {ip})"
    kinds = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("not globally routable", not ip.is_global),
    )
    for kind, hit in kinds:
        if hit:
            return kind
    return None


def check_addresses(host: str, addresses: Iterable[str], *, settings: Settings) -> None:
    """``private_address`` if any address ``host`` resolves to is not public.

    Addresses in ``settings.private_allowlist`` pass; ``allow_private`` passes all.
    """
    if settings.allow_private:
        return
    allowed = [ipaddress.ip_network(n, strict=False) for n in settings.private_allowlist]
    for address in addresses:
        why = blocked_address(address)
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if why is not None and not any(ip in network for network in allowed):
            raise FetchError(
                f"{host} resolves to {address}, a {why} address; refused"
                " (set allow_private = true to fetch it)",
                reason="private_address",
            )


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _resolved(infos: list[tuple[object, ...]]) -> list[str]:
    return [str(info[4][0]) for info in infos if isinstance(info[4], tuple)]


def _resolve_error(host: str, exc: OSError) -> FetchError:
    return FetchError(f"cannot resolve host {host!r}: {exc}", reason="connection")


def _host(url: httpx.URL) -> str:
    # raw_host is the ASCII (IDNA) form that DNS is asked about.
    return url.raw_host.decode("ascii")


def _resolve_sync(host: str, port: int) -> list[str]:
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    try:
        return _resolved(list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    except OSError as exc:
        raise _resolve_error(host, exc) from exc


async def _resolve_async(host: str, port: int) -> list[str]:
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        return _resolved(list(await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    except OSError as exc:
        raise _resolve_error(host, exc) from exc


def _port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def _guard_sync(url: httpx.URL, settings: Settings, *, at_connect: bool) -> None:
    """The address check before a request. ``at_connect``: the transport checks host names
    itself when it connects (see ``_GuardedBackend``), so only IP literals are checked here."""
    if settings.allow_private:
        return
    host = _host(url)
    if at_connect and _ip_literal(host) is None:
        return
    check_addresses(host, _resolve_sync(host, _port(url)), settings=settings)


async def _guard_async(url: httpx.URL, settings: Settings, *, at_connect: bool) -> None:
    if settings.allow_private:
        return
    host = _host(url)
    if at_connect and _ip_literal(host) is None:
        return
    check_addresses(host, await _resolve_async(host, _port(url)), settings=settings)


class _GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, resolving the host itself and connecting only to checked addresses.

    Checking the addresses before the request and letting the transport
    resolve the name again would leave a gap: DNS may answer with a public
    address first and a private one a moment later (DNS rebinding). Here the
    addresses that are checked are the addresses connected to.
    """

    def __init__(self, inner: httpcore.NetworkBackend, settings: Settings) -> None:
        self._inner = inner
        self._settings = settings

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = _resolve_sync(host, port)
        check_addresses(host, addresses, settings=self._settings)
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise FetchError(f"unix sockets are not fetched: {path}", reason="invalid_url")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """``_GuardedBackend`` for the ``Fetcher``'s async transport."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, settings: Settings) -> None:
        self._inner = inner
        self._settings = settings

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve_async(host, port)
        check_addresses(host, addresses, settings=self._settings)
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError(f"unix sockets are not fetched: {path}", reason="invalid_url")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(settings: Settings) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx has no parameter for httpcore's network backend; the pool holds it.
    pool = transport._pool
    pool._network_backend = _GuardedBackend(pool._network_backend, settings)
    return transport


def _async_guarded_transport(settings: Settings) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(
        trust_env=False,
        limits=httpx.Limits(
            max_connections=None, max_keepalive_connections=settings.concurrency * 2
        ),
    )
    pool = transport._pool
    pool._network_backend = _AsyncGuardedBackend(pool._network_backend, settings)
    return transport


def _check_peer(response: httpx.Response, url: httpx.URL, settings: Settings) -> None:
    """Check the address connected to, after the fact: the guard of last resort for a
    transport that did not connect through ``_GuardedBackend`` (one passed in)."""
    if settings.allow_private:
        return
    stream = response.extensions.get("network_stream")
    if stream is None:  # a transport without sockets (tests' MockTransport)
        return
    peer = stream.get_extra_info("server_addr")
    if isinstance(peer, tuple) and peer:
        check_addresses(_host(url), [str(peer[0])], settings=settings)


def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{_host(url)}{port}"


def _robots_from(outcome: FetchResult, *, settings: Settings) -> Protego:
    """robots.txt rules as RFC 9309 reads a fetch of it.

    A body is parsed. A 4xx, or more redirects than we follow, means there
    are no rules; a 5xx means "disallow everything" (the server may be
    overloaded). No answer at all (no address, refused address, timeout) is
    a ``FetchError`` with that reason: the pages of the host fail with it,
    rather than being reported as disallowed.
    """
    if outcome.outcome == "fetched":
        return Protego.parse(outcome.body.decode("utf-8", errors="replace"))
    status = outcome.http_status
    if outcome.reason == "too_many_redirects" or (status is not None and 400 <= status < 500):
        return Protego.parse(_ALLOW_ALL)
    if status is None:
        raise FetchError(
            f"robots.txt could not be fetched: {outcome.message}", reason=outcome.reason
        )
    return Protego.parse(_DISALLOW_ALL)


def _robots_token(settings: Settings) -> str:
    """The product token robots.txt groups are matched against: "extractor" in "extractor/0.1 (...)".

    RFC 9309 matches groups to the product token; protego matches by
    substring, so the whole User-Agent would also match groups for "news",
    "research" or "python".
    """
    words = settings.user_agent.split()
    return words[0].split("/", 1)[0] if words else "*"


def _robots_check(rules: Protego, url: httpx.URL, settings: Settings) -> None:
    if not rules.can_fetch(str(url), _robots_token(settings)):
        raise SkipPage(f"robots.txt of {_origin(url)} disallows {url}", reason="robots")


def _host_delay(rules: Protego | None, origin: str, settings: Settings) -> float:
    """Seconds between requests to one host: per_host_delay, or robots.txt's longer Crawl-delay.

    A Crawl-delay beyond ``max_crawl_delay`` is a ``SkipPage`` (reason
    ``robots``): the host asked for a pace we will not keep.
    """
    crawl_delay = rules.crawl_delay(_robots_token(settings)) if rules is not None else None
    if crawl_delay is None:
        return settings.per_host_delay
    if crawl_delay > settings.max_crawl_delay:
        raise SkipPage(
            f"robots.txt of {origin} asks for Crawl-delay {crawl_delay:g} s, more than"
            f" max_crawl_delay={settings.max_crawl_delay:g}",
            reason="robots",
        )
    return max(settings.per_host_delay, float(crawl_delay))


def _request_headers(settings: Settings, request: FetchRequest) -> dict[str, str]:
    headers = {"User-Agent": settings.user_agent, "Accept-Encoding": _ACCEPT_ENCODING}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    return headers


def _timeout(settings: Settings, *, remaining: float) -> httpx.Timeout:
    # No single wait may outlast what is left of the total budget.
    remaining = max(remaining, 0.001)
    return httpx.Timeout(
        connect=min(settings.connect_timeout, remaining),
        read=min(settings.read_timeout, remaining),
        write=min(settings.read_timeout, remaining),
        pool=min(settings.connect_timeout, remaining),
    )


def _media_type(response: httpx.Response) -> str:
    """The bare media type of ``response`` ("text/html"), "" when the header is missing."""
    header: str = response.headers.get("content-type", "")
    return header.split(";", 1)[0].strip().lower()


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header (delay in seconds, or an HTTP date) as seconds from ``now``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" in an HTTP date means UTC
        when = when.replace(tzinfo=UTC)
    now = datetime.now(UTC) if now is None else now
    return max(0.0, (when - now).total_seconds())


@dataclass(slots=True)
class _Trace:
    """What one attempt has seen so far, for the result of a failure."""

    current: httpx.URL
    status: int | None = None
    media_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None  # seconds, from an error response's Retry-After


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    if response.status_code in _REDIRECT_CODES and "location" in response.headers:
        return response.url.join(response.headers["location"])
    return None


def _next_hop(target: httpx.URL, *, redirects: int, url: str, settings: Settings) -> httpx.URL:
    if redirects > settings.max_redirects:
        raise FetchError(
            f"more than {settings.max_redirects} redirects fetching {url}",
            reason="too_many_redirects",
        )
    return check_url(target, original=url)


def _classify(
    response: httpx.Response, *, trace: _Trace, policy: _Policy, url: str
) -> _Body | None:
    """After the headers of a final (non-redirect) response: None for 304, else a body reader."""
    trace.status = response.status_code
    trace.etag = response.headers.get("etag")
    trace.last_modified = response.headers.get("last-modified")
    if response.status_code == 304:
        return None
    if response.status_code >= 300:
        trace.retry_after = retry_after_seconds(response.headers.get("retry-after"))
        wait = f" (Retry-After {trace.retry_after:g} s)" if trace.retry_after is not None else ""
        raise HTTPStatusError(
            f"{response.status_code} {response.reason_phrase} from {trace.current}{wait}",
            status_code=response.status_code,
        )
    trace.media_type = _media_type(response)
    trace.charset = response.charset_encoding
    if policy.media_types is not None and trace.media_type not in policy.media_types:
        raise SkipPage(
            f"content type {trace.media_type or '(none)'} is not handled: {trace.current}",
            reason="content_type",
        )
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if response.is_stream_consumed:  # httpx already decoded it (see _raw)
        encoding = "identity"
    # Content-Length counts encoded bytes; only without an encoding is it the size we limit.
    too_large = declared.isdigit() and int(declared) > policy.max_bytes
    if encoding == "identity" and too_large and not policy.truncate:
        raise _too_large(url, policy.max_bytes)
    return _Body(encoding, limit=policy.max_bytes, truncate=policy.truncate, url=url)


def _too_large(url: str, limit: int) -> FetchError:
    return FetchError(f"{url} is larger than the limit of {limit} bytes", reason="too_large")


class _Inflater:
    """zlib decompression whose output comes in bounded chunks, so a bomb never fills memory.

    httpx inflates each network read in one go: 64 KB of a gzip bomb becomes
    64 MB before anyone can count it. Here ``max_length`` caps every step.
    """

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        self._started = False
        self._z = self._new()

    def _new(self, wbits: int | None = None) -> zlib._Decompress:
        if wbits is None:
            wbits = 16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        return zlib.decompressobj(wbits)

    def inflate(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._z.decompress(data, _CHUNK)
            except zlib.error:
                if self._gzip or self._started:
                    raise
                # "deflate" is meant to be zlib-wrapped, but some servers send it raw.
                self._z = self._new(-zlib.MAX_WBITS)
                out = self._z.decompress(data, _CHUNK)
            self._started = True
            if out:
                yield out
            data = self._z.unconsumed_tail
            if self._z.eof:
                rest = self._z.unused_data
                if not (self._gzip and rest.startswith(b"\x1f\x8b")):
                    return  # trailing bytes after the stream are ignored, as browsers do
                self._z = self._new()  # a multi-member gzip file
                data = rest

    @property
    def complete(self) -> bool:
        return self._z.eof


class _Body:
    """Counts a body while it streams, after decompression, and stops it at the limit."""

    def __init__(self, encoding: str, *, limit: int, truncate: bool, url: str) -> None:
        if encoding in ("gzip", "x-gzip", "deflate"):
            self._inflater: _Inflater | None = _Inflater(encoding)
        elif encoding in ("identity", ""):
            self._inflater = None
        else:
            raise FetchError(
                f"{url} came with Content-Encoding {encoding!r}, which was not asked for",
                reason="protocol",
            )
        self._limit = limit
        self._truncate = truncate
        self._url = url
        self._chunks: list[bytes] = []
        self._size = 0
        self.full = False

    def feed(self, data: bytes) -> None:
        """Add raw (still encoded) bytes; ``full`` turns True when a truncating body has enough."""
        try:
            pieces = self._inflater.inflate(data) if self._inflater is not None else iter([data])
            for piece in pieces:
                self._add(piece)
                if self.full:
                    return
        except zlib.error as exc:
            raise FetchError(
                f"{self._url}: the body does not match its Content-Encoding ({exc})",
                reason="protocol",
            ) from exc

    def _add(self, piece: bytes) -> None:
        if self._size + len(piece) > self._limit:
            if not self._truncate:
                raise _too_large(self._url, self._limit)
            piece = piece[: self._limit - self._size]
            self.full = True
        self._size += len(piece)
        self._chunks.append(piece)

    def finish(self) -> bytes:
        if self._inflater is not None and not self.full and not self._inflater.complete:
            raise FetchError(f"{self._url}: the compressed body ends early", reason="truncated")
        return b"".join(self._chunks)


def gunzip(data: bytes, *, limit: int, source: str) -> bytes:
    """Decompress gzip ``data`` (a ``.gz`` sitemap) with ``limit`` on the output size.

    ``FetchError``: ``too_large`` past the limit, ``protocol`` if not gzip,
    ``truncated`` if the stream ends early.
    """
    body = _Body("gzip", limit=limit, truncate=False, url=source)
    body.feed(data)
    return body.finish()


def _wrap(exc: httpx.HTTPError, current: httpx.URL, *, in_body: bool) -> FetchError:
    """The ``FetchError`` for an httpx error met while fetching ``current``."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"timed out fetching {current}: {exc!r}", reason="timeout")
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FetchError(f"invalid URL {current}: {exc}", reason="invalid_url")
    if in_body and isinstance(exc, httpx.RemoteProtocolError):
        # "peer closed connection without sending complete message body"
        return FetchError(f"{current}: the body ends early: {exc}", reason="truncated")
    if isinstance(exc, httpx.ProtocolError | httpx.DecodingError):
        return FetchError(f"protocol error from {current}: {exc}", reason="protocol")
    # Connect, proxy, read, write and close errors: the connection failed.
    return FetchError(f"connection to {current} failed: {exc!r}", reason="connection")


def _retry_wait(
    error: ExtractorError, *, retry_after: float | None, attempt: int, settings: Settings
) -> float | None:
    """Seconds to wait before another attempt after ``error``, or None to give up.

    ``retry_after`` is the server's Retry-After with an error status, in seconds.
    """
    if attempt > settings.retries:
        return None
    if isinstance(error, HTTPStatusError):
        if error.status_code != 429 and error.status_code < 500:
            return None
        if retry_after is not None:
            # A server asking for longer than we are willing to wait gets no retry now.
            return retry_after if retry_after <= settings.max_retry_after else None
    elif error.reason not in _RETRY_REASONS:
        return None
    # Exponential backoff with additive jitter, so that many URLs failing
    # together do not retry in lock-step. (Three lines: tenacity's loop could not
    # release the per-host slot between attempts or honour Retry-After.)
    backoff = min(settings.backoff_max, settings.backoff_base * 2.0 ** (attempt - 1))
    return backoff + random.uniform(0, settings.backoff_base)


def _raw(response: httpx.Response) -> Iterator[bytes]:
    """The raw (still encoded) body bytes of ``response`` as they arrive."""
    if response.is_stream_consumed:
        # A response built with its body in memory (MockTransport in tests) is
        # already read, and decoded by httpx; see _classify.
        return iter([response.content])
    return response.iter_raw()


async def _araw(response: httpx.Response) -> AsyncIterator[bytes]:
    if response.is_stream_consumed:
        yield response.content
        return
    async for chunk in response.aiter_raw():
        yield chunk


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _result(
    request: FetchRequest, trace: _Trace | None, *, body: bytes | None, attempts: int
) -> FetchResult:
    final = str(trace.current) if trace is not None else request.url
    if body is None:  # 304
        outcome, media_type, charset, content = "not_modified", "", None, b""
    else:
        outcome, content = "fetched", body
        media_type = trace.media_type if trace else ""
        charset = trace.charset if trace else None
    return FetchResult(
        url=request.url,
        final_url=final,
        outcome=outcome,
        reason="",
        message="",
        http_status=trace.status if trace else None,
        media_type=media_type,
        charset=charset,
        body=content,
        etag=trace.etag if trace else None,
        last_modified=trace.last_modified if trace else None,
        attempts=attempts,
        fetched_at=_now(),
    )


def _failure(
    request: FetchRequest, trace: _Trace | None, error: ExtractorError, *, attempts: int
) -> FetchResult:
    return FetchResult(
        url=request.url,
        final_url=str(trace.current) if trace is not None else request.url,
        outcome="skipped" if isinstance(error, SkipPage) else "failed",
        reason=error.reason,
        message=str(error),
        http_status=trace.status if trace else None,
        media_type=trace.media_type if trace else "",
        charset=trace.charset if trace else None,
        body=b"",
        etag=trace.etag if trace else None,
        last_modified=trace.last_modified if trace else None,
        attempts=attempts,
        fetched_at=_now(),
    )


def _deadline_error(url: str, settings: Settings) -> FetchError:
    return FetchError(
        f"fetching {url} took longer than total_timeout={settings.total_timeout}s",
        reason="timeout",
    )


def _check_binary(body: bytes, trace: _Trace, policy: _Policy) -> None:
    if policy.reject_binary and looks_binary(body):
        raise SkipPage(f"{trace.current} sent binary data as {trace.media_type}", reason="binary")


# ---------------------------------------------------------------------------
# The async Fetcher


class _HostGate:
    """Per-host politeness: at most n requests at once, starts spaced by ``delay`` seconds."""

    def __init__(self, concurrency: int, delay: float, refusal: SkipPage | None = None) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.refusal = refusal  # set when robots.txt asks for too long a Crawl-delay
        self._next_start = 0.0

    async def wait_turn(self) -> None:
        """Sleep until this host may see another request (call while holding a slot)."""
        now = time.monotonic()
        start = max(now, self._next_start)
        self._next_start = start + self.delay
        if start > now:
            await asyncio.sleep(start - now)

    def hold_off(self, seconds: float) -> None:
        """No request to this host for ``seconds`` (the server sent Retry-After)."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)


class Fetcher:
    """Fetches many URLs politely and safely with one keep-alive ``httpx.AsyncClient``.

    Use as ``async with Fetcher(settings) as fetcher:``. ``transport`` replaces
    the network (tests). ``fetch`` never raises for a per-URL problem: it
    returns a ``FetchResult`` saying what happened.
    """

    def __init__(
        self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._settings = settings
        # Our own transport checks host names when it connects; another
        # (a test's MockTransport) gets the same check before each request.
        self._checks_at_connect = transport is None
        self._client = httpx.AsyncClient(
            transport=_async_guarded_transport(settings) if transport is None else transport,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
            follow_redirects=False,
            # Proxies from the environment would hide the peer address the guard checks.
            trust_env=False,
            timeout=_timeout(settings, remaining=settings.total_timeout),
        )
        self._slots = asyncio.Semaphore(settings.concurrency)
        # robots.txt loads have slots of their own: a redirect to a new host
        # loads its robots.txt while holding a page slot, so sharing could deadlock.
        self._robots_slots = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _HostGate] = {}
        self._robots: dict[str, asyncio.Task[Protego]] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for task in self._robots.values():
            task.cancel()
        await asyncio.gather(*self._robots.values(), return_exceptions=True)
        await self._client.aclose()

    @property
    def settings(self) -> Settings:
        return self._settings

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one page (HTML or text), with retries; never raises for a per-URL problem."""
        result, _ = await self._run(request, _page_policy(self._settings), polite=True)
        return result

    async def fetch_many(
        self, requests: Iterable[FetchRequest] | AsyncIterable[FetchRequest]
    ) -> AsyncGenerator[FetchResult, None]:
        """Fetch ``requests`` concurrently; one result per request, in completion order.

        Requests are taken from ``requests`` only as results come back (a
        window of max(4 x concurrency, 256) in flight), so a list of 20,000
        URLs costs no more memory than 300. Politeness is per host of the
        requested URL: requests waiting for a busy host hold a window place,
        so interleave hosts in the input for the best throughput.
        Closing the generator early (``contextlib.aclosing``) cancels the
        fetches in flight.
        """
        window = max(self._settings.concurrency * _WINDOW_PER_SLOT, _WINDOW_MIN)
        source = _aiter(requests)
        pending: set[asyncio.Task[FetchResult]] = set()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    try:
                        request = await anext(source)
                    except StopAsyncIteration:
                        exhausted = True
                        break
                    pending.add(asyncio.ensure_future(self.fetch(request)))
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def fetch_document(self, url: str) -> bytes:
        """The body of a feed, sitemap or URL list at ``url``, with the same checks as pages.

        Accepts ``settings.feed_content_types`` up to ``max_document_bytes``;
        raises the ``FetchError``/``SkipPage`` a page fetch would report.
        """
        result, error = await self._run(
            FetchRequest(url), _document_policy(self._settings), polite=True
        )
        if error is not None:
            raise error
        return result.body

    async def _run(
        self, request: FetchRequest, policy: _Policy, *, polite: bool
    ) -> tuple[FetchResult, ExtractorError | None]:
        settings = self._settings
        attempts = 0
        trace: _Trace | None = None
        try:
            start = check_url(request.url)
            gate = await self._gate(start, policy) if polite else None
            if gate is not None and gate.refusal is not None:
                raise SkipPage(str(gate.refusal), reason=gate.refusal.reason)
            while True:
                attempts += 1
                trace = _Trace(start)
                try:
                    if gate is None:
                        body = await self._attempt(request, policy, trace)
                    else:
                        async with gate.slots:
                            await gate.wait_turn()
                            async with self._slots:
                                body = await self._attempt(request, policy, trace)
                    return _result(request, trace, body=body, attempts=attempts), None
                except ExtractorError as error:
                    wait = _retry_wait(
                        error, retry_after=trace.retry_after, attempt=attempts, settings=settings
                    )
                    if wait is None:
                        raise
                    if gate is not None and trace.retry_after is not None:
                        gate.hold_off(wait)
                    await asyncio.sleep(wait)
        except ExtractorError as error:
            return _failure(request, trace, error, attempts=attempts), error

    async def _gate(self, url: httpx.URL, policy: _Policy) -> _HostGate:
        origin = _origin(url)
        gate = self._hosts.get(origin)
        if gate is None:
            rules = await self._robots_for(url) if policy.robots else None
            try:
                new = _HostGate(
                    self._settings.per_host_concurrency, _host_delay(rules, origin, self._settings)
                )
            except SkipPage as refusal:
                new = _HostGate(1, 0.0, refusal)
            # setdefault: another task may have made one while robots.txt loaded.
            gate = self._hosts.setdefault(origin, new)
        return gate

    async def _robots_for(self, url: httpx.URL) -> Protego:
        origin = _origin(url)
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._load_robots(origin))
            self._robots[origin] = task
        # Shielded: one waiter giving up must not cancel the load the others await.
        return await asyncio.shield(task)

    async def _load_robots(self, origin: str) -> Protego:
        async with self._robots_slots:
            outcome, _ = await self._run(
                FetchRequest(f"{origin}/robots.txt"), _ROBOTS_POLICY, polite=False
            )
        return _robots_from(outcome, settings=self._settings)

    async def _attempt(self, request: FetchRequest, policy: _Policy, trace: _Trace) -> bytes | None:
        settings = self._settings
        try:
            async with asyncio.timeout(settings.total_timeout):
                return await self._hops(request, policy, trace)
        except TimeoutError as exc:
            raise _deadline_error(request.url, settings) from exc

    async def _hops(self, request: FetchRequest, policy: _Policy, trace: _Trace) -> bytes | None:
        settings = self._settings
        redirects = 0
        headers = _request_headers(settings, request)
        while True:
            current = trace.current
            await _guard_async(current, settings, at_connect=self._checks_at_connect)
            if policy.robots:
                _robots_check(await self._robots_for(current), current, settings)
            in_body = False
            try:
                response = await self._client.send(
                    self._client.build_request("GET", current, headers=headers),
                    stream=True,
                    follow_redirects=False,
                )
                try:
                    _check_peer(response, current, settings)
                    trace.status = response.status_code
                    target = _redirect_target(response)
                    if target is None:
                        body = _classify(response, trace=trace, policy=policy, url=request.url)
                        if body is None:
                            return None
                        in_body = True
                        async for chunk in _araw(response):
                            body.feed(chunk)
                            if body.full:
                                break
                        content = body.finish()
                        _check_binary(content, trace, policy)
                        return content
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                raise _wrap(exc, current, in_body=in_body) from exc
            redirects += 1
            trace.current = _next_hop(
                target, redirects=redirects, url=request.url, settings=settings
            )


async def _aiter(
    requests: Iterable[FetchRequest] | AsyncIterable[FetchRequest],
) -> AsyncIterator[FetchRequest]:
    if isinstance(requests, AsyncIterable):
        async for request in requests:
            yield request
    else:
        for request in requests:
            yield request


# ---------------------------------------------------------------------------
# The sync path: one URL at a time, same checks


@dataclass(slots=True)
class _SyncState:
    """Per-client memory of the sync path: robots.txt rules and host politeness."""

    robots: dict[str, Protego] = field(default_factory=dict)
    next_start: dict[str, float] = field(default_factory=dict)
    checks_at_connect: bool = False  # a client from new_client (see _GuardedBackend)


_SYNC_STATE: weakref.WeakKeyDictionary[httpx.Client, _SyncState] = weakref.WeakKeyDictionary()


def fetch_url(url: str, *, settings: Settings, client: httpx.Client | None = None) -> RawDocument:
    """GET ``url`` and return its body; a ``FetchError`` or ``SkipPage`` when that fails.

    The same checks, retries and reasons as ``Fetcher.fetch`` (see
    ``FetchResult``), one URL at a time. ``client`` is used as is and left open
    (the caller owns it); robots.txt rules and per-host delays are remembered
    per client. Without one a client is made for this call and closed.
    """
    if client is not None:
        return _fetch_sync(url, settings=settings, client=client)
    with new_client(settings) as own_client:
        return _fetch_sync(url, settings=settings, client=own_client)


def new_client(settings: Settings) -> httpx.Client:
    """An ``httpx.Client`` configured from ``settings``, for callers fetching many URLs.

    Its transport checks every address it connects to (``_GuardedBackend``).
    """
    client = httpx.Client(
        transport=_guarded_transport(settings),
        timeout=_timeout(settings, remaining=settings.total_timeout),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": _ACCEPT_ENCODING},
        follow_redirects=False,
        trust_env=False,
    )
    _SYNC_STATE[client] = _SyncState(checks_at_connect=True)
    return client


def _fetch_sync(url: str, *, settings: Settings, client: httpx.Client) -> RawDocument:
    result, error = _run_sync(
        FetchRequest(url), _page_policy(settings), settings, client, polite=True
    )
    if error is not None:
        raise error
    return result.raw()


def _run_sync(
    request: FetchRequest,
    policy: _Policy,
    settings: Settings,
    client: httpx.Client,
    *,
    polite: bool,
) -> tuple[FetchResult, ExtractorError | None]:
    state = _SYNC_STATE.setdefault(client, _SyncState())
    attempts = 0
    trace: _Trace | None = None
    try:
        start = check_url(request.url)
        delay = 0.0
        if polite:
            rules = _robots_sync(start, state, settings, client) if policy.robots else None
            delay = _host_delay(rules, _origin(start), settings)
        while True:
            attempts += 1
            trace = _Trace(start)
            _wait_turn_sync(state, _origin(start), delay)
            try:
                body = _hops_sync(request, policy, trace, settings, client, state)
                return _result(request, trace, body=body, attempts=attempts), None
            except ExtractorError as error:
                wait = _retry_wait(
                    error, retry_after=trace.retry_after, attempt=attempts, settings=settings
                )
                if wait is None:
                    raise
                time.sleep(wait)
    except ExtractorError as error:
        return _failure(request, trace, error, attempts=attempts), error


def _wait_turn_sync(state: _SyncState, origin: str, delay: float) -> None:
    now = time.monotonic()
    start = max(now, state.next_start.get(origin, 0.0))
    state.next_start[origin] = start + delay
    if start > now:
        time.sleep(start - now)


def _robots_sync(
    url: httpx.URL, state: _SyncState, settings: Settings, client: httpx.Client
) -> Protego:
    origin = _origin(url)
    rules = state.robots.get(origin)
    if rules is None:
        outcome, _ = _run_sync(
            FetchRequest(f"{origin}/robots.txt"), _ROBOTS_POLICY, settings, client, polite=False
        )
        rules = state.robots[origin] = _robots_from(outcome, settings=settings)
    return rules


def _hops_sync(
    request: FetchRequest,
    policy: _Policy,
    trace: _Trace,
    settings: Settings,
    client: httpx.Client,
    state: _SyncState,
) -> bytes | None:
    deadline = time.monotonic() + settings.total_timeout
    redirects = 0
    headers = _request_headers(settings, request)
    while True:
        current = trace.current
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _deadline_error(request.url, settings)
        _guard_sync(current, settings, at_connect=state.checks_at_connect)
        if policy.robots:
            _robots_check(_robots_sync(current, state, settings, client), current, settings)
        in_body = False
        try:
            response = client.send(
                client.build_request(
                    "GET", current, headers=headers, timeout=_timeout(settings, remaining=remaining)
                ),
                stream=True,
                follow_redirects=False,
            )
            try:
                _check_peer(response, current, settings)
                trace.status = response.status_code
                target = _redirect_target(response)
                if target is None:
                    body = _classify(response, trace=trace, policy=policy, url=request.url)
                    if body is None:
                        return None
                    in_body = True
                    for chunk in _raw(response):
                        body.feed(chunk)
                        if body.full:
                            break
                        # read_timeout bounds each wait; this bounds a server that drips slowly.
                        if time.monotonic() > deadline:
                            raise _deadline_error(request.url, settings)
                    content = body.finish()
                    _check_binary(content, trace, policy)
                    return content
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise _wrap(exc, current, in_body=in_body) from exc
        redirects += 1
        trace.current = _next_hop(target, redirects=redirects, url=request.url, settings=settings)
