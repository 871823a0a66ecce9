"""Loading local inputs: bytes from disk, and the ``RawDocument`` every source yields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RawDocument:
    """Bytes of one input plus what we know about them, before parsing.

    ``source`` is the input exactly as the user gave it (path or URL);
    ``url`` is the final URL after redirects ("" for local files);
    ``media_type`` is a bare media type (``text/html``, ``text/plain``);
    ``charset`` is the charset declared by the transport (HTTP header), if any.
    """

    source: str
    content: bytes
    media_type: str
    charset: str | None = None
    url: str = ""
