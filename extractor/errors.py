"""The exception tree: every failure a caller may decide on.

    ExtractorError                 base; the batch runner turns it into an error row
    ├── ConfigError                bad settings, unknown model, bad pipeline file
    ├── InputError                 a local input cannot be used (missing, empty, binary, too big)
    ├── FetchError                 a URL could not be fetched (wraps httpx errors with ``from``)
    │   └── HTTPStatusError        the server answered with an error status
    ├── ParseError                 bytes were read but hold no usable article
    └── SkipPage                   the input is deliberately not processed (e.g. content type)

Every error carries a short machine-readable ``reason`` (``"empty"``,
``"http_500"``, ``"binary"``...) that becomes the ``error`` column prefix, so a
reviewer can filter failures by kind.
"""

from __future__ import annotations


class ExtractorError(Exception):
    """Base of every error the extractor raises on purpose."""

    reason: str = "error"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason

    def describe(self) -> str:
        """``reason: message``, the text of an articles row's ``error`` cell."""
        return f"{self.reason}: {self}"


class ConfigError(ExtractorError):
    reason = "config"


class InputError(ExtractorError):
    reason = "input"


class FetchError(ExtractorError):
    reason = "fetch"


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message, reason=f"http_{status_code}")
        self.status_code = status_code


class ParseError(ExtractorError):
    reason = "parse"


class SkipPage(ExtractorError):
    reason = "skipped"
