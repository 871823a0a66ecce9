"""Fetching URLs: one HTTP(S) page into a ``RawDocument``, within the limits in ``Settings``.

Redirects are followed by hand so that every hop is checked (scheme, count,
deadline); the body is streamed and abandoned as soon as it is too big or too
slow. Every failure is an ``ExtractorError``; httpx's own errors are wrapped
with ``from`` so the cause stays in the traceback.
"""

from __future__ import annotations

import time

import httpx

from extractor.config import Settings
from extractor.errors import FetchError, HTTPStatusError, SkipPage
from extractor.load import RawDocument, looks_binary

SCHEMES = ("http", "https")
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


def fetch_url(url: str, *, settings: Settings, client: httpx.Client | None = None) -> RawDocument:
    """GET ``url`` and return its body; a ``FetchError`` or ``SkipPage`` when that fails.

    Reasons: ``invalid_url``, ``connect``, ``network``, ``timeout``,
    ``too_many_redirects``, ``too_large``, ``protocol``, ``http_<code>``
    (``HTTPStatusError``); ``SkipPage`` reasons ``content_type``, ``binary``.

    ``client`` is used as is and left open (the caller owns it); without one a
    client is made for this call and closed. Redirects are never left to the
    client: each hop is checked here.
    """
    if client is not None:
        return _fetch(url, settings=settings, client=client)
    with new_client(settings) as own_client:
        return _fetch(url, settings=settings, client=own_client)


def new_client(settings: Settings) -> httpx.Client:
    """An ``httpx.Client`` configured from ``settings``, for callers fetching many URLs."""
    return httpx.Client(
        timeout=_timeout(settings, remaining=settings.total_timeout),
        headers={"User-Agent": settings.user_agent},
        follow_redirects=False,
    )


def _timeout(settings: Settings, *, remaining: float) -> httpx.Timeout:
    # No single wait may outlast what is left of the total budget.
    remaining = max(remaining, 0.001)
    return httpx.Timeout(
        connect=min(settings.connect_timeout, remaining),
        read=min(settings.read_timeout, remaining),
        write=min(settings.read_timeout, remaining),
        pool=min(settings.connect_timeout, remaining),
    )


def _parse_url(url: str | httpx.URL, *, original: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL {original!r}: {exc}", reason="invalid_url") from exc
    if parsed.scheme not in SCHEMES:
        raise FetchError(
            f"unsupported URL scheme {parsed.scheme!r} in {str(parsed)!r} (from {original})",
            reason="invalid_url",
        )
    if not parsed.host:
        raise FetchError(f"URL without a host: {str(parsed)!r}", reason="invalid_url")
    return parsed


def _fetch(url: str, *, settings: Settings, client: httpx.Client) -> RawDocument:
    deadline = time.monotonic() + settings.total_timeout
    current = _parse_url(url, original=url)
    redirects = 0
    while True:
        try:
            result = _get(current, url=url, settings=settings, client=client, deadline=deadline)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out fetching {current}: {exc!r}", reason="timeout") from exc
        except (httpx.ConnectError, httpx.ProxyError) as exc:
            raise FetchError(f"cannot connect to {current}: {exc}", reason="connect") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"invalid URL {current}: {exc}", reason="invalid_url") from exc
        except (httpx.ProtocolError, httpx.DecodingError) as exc:
            # DecodingError: a body that does not match its Content-Encoding.
            raise FetchError(f"protocol error from {current}: {exc}", reason="protocol") from exc
        except httpx.TransportError as exc:
            # The remaining transport errors: connection reset or closed mid-exchange.
            raise FetchError(f"network error fetching {current}: {exc}", reason="network") from exc
        if isinstance(result, RawDocument):
            return result
        redirects += 1
        if redirects > settings.max_redirects:
            raise FetchError(
                f"more than {settings.max_redirects} redirects fetching {url}",
                reason="too_many_redirects",
            )
        current = _parse_url(result, original=url)


def _get(
    current: httpx.URL,
    *,
    url: str,
    settings: Settings,
    client: httpx.Client,
    deadline: float,
) -> RawDocument | httpx.URL:
    """One hop: the document, or the URL a redirect points to."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _deadline_error(url, settings)
    request = client.build_request(
        "GET",
        current,
        headers={"User-Agent": settings.user_agent},
        timeout=_timeout(settings, remaining=remaining),
    )
    response = client.send(request, stream=True, follow_redirects=False)
    try:
        return _handle(response, current=current, url=url, settings=settings, deadline=deadline)
    finally:
        response.close()


def _handle(
    response: httpx.Response,
    *,
    current: httpx.URL,
    url: str,
    settings: Settings,
    deadline: float,
) -> RawDocument | httpx.URL:
    if response.status_code in _REDIRECT_CODES and "location" in response.headers:
        return response.url.join(response.headers["location"])
    if response.status_code >= 300:
        raise HTTPStatusError(
            f"{response.status_code} {response.reason_phrase} from {current}",
            status_code=response.status_code,
        )
    media_type = _media_type(response)
    allowed = settings.html_content_types + settings.text_content_types
    if media_type not in allowed:
        raise SkipPage(
            f"content type {media_type or '(none)'} is not handled: {current}",
            reason="content_type",
        )
    content = _read_body(response, url=url, settings=settings, deadline=deadline)
    if looks_binary(content):
        raise SkipPage(f"{current} sent binary data as {media_type}", reason="binary")
    return RawDocument(
        source=url,
        content=content,
        media_type=media_type,
        charset=response.charset_encoding,
        url=str(response.url),
    )


def _media_type(response: httpx.Response) -> str:
    """The bare media type of ``response`` ("text/html"), "" when the header is missing."""
    header: str = response.headers.get("content-type", "")
    return header.split(";", 1)[0].strip().lower()


def _read_body(response: httpx.Response, *, url: str, settings: Settings, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    # Content-Length counts encoded bytes; only without an encoding is it the size we limit.
    unencoded = "content-encoding" not in response.headers
    if unencoded and declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(url, settings)
    chunks: list[bytes] = []
    total = 0
    # iter_bytes yields decoded (decompressed) bytes, so a compression bomb is
    # cut off after max_bytes of output, not after max_bytes on the wire.
    # (httpx inflates one network read at a time, so the overshoot is bounded
    # by one read's worth of output.)
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > settings.max_bytes:
            raise _too_large(url, settings)
        # read_timeout bounds each wait; this bounds a server that drips slowly.
        if time.monotonic() > deadline:
            raise _deadline_error(url, settings)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: str, settings: Settings) -> FetchError:
    return FetchError(f"{url} is larger than max_bytes={settings.max_bytes}", reason="too_large")


def _deadline_error(url: str, settings: Settings) -> FetchError:
    return FetchError(
        f"fetching {url} took longer than total_timeout={settings.total_timeout}s",
        reason="timeout",
    )
