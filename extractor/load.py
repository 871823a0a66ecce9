"""Loading local inputs: bytes from disk, the ``RawDocument`` every source yields, and decoding.

``load_path`` turns a path into a ``RawDocument`` or an ``InputError`` whose
``reason`` says why it cannot be used; ``decode`` turns any ``RawDocument``
(from disk or from ``fetch``) into text.
"""

from __future__ import annotations

import codecs
import gzip
import os
import re
import stat
import zlib
from dataclasses import dataclass

import charset_normalizer

from extractor.config import Settings
from extractor.errors import InputError

#: Media type by suffix; ``.gz`` of each is read transparently.
MEDIA_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}
GZIP_SUFFIX = ".gz"

_CHUNK = 64 * 1024
# Binary sniffing looks at the start only: magic numbers live there.
_SNIFF_BYTES = 1024
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-",
    b"\x89PNG\r\n\x1a\n",
    b"PK\x03\x04",  # ZIP, and so DOCX/XLSX/EPUB
    b"\xff\xd8\xff",  # JPEG
    b"GIF87a",
    b"GIF89a",
    b"\x1f\x8b",  # gzip inside a file not named .gz
    b"\xd0\xcf\x11\xe0",  # OLE2: old .doc/.xls
)
# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Only the first 4 KB may hold the declaration; real pages put it in <head>.
_META_WINDOW = 4096
# Matches both <meta charset="x"> and <meta http-equiv=... content="text/html; charset=x">.
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:+\-]+)""",
    re.IGNORECASE,
)
_CHARSET_LABEL = re.compile(r"[A-Za-z0-9_.:+\-]{1,64}")
# Python codecs that exist but are no charset a document can declare; decoding
# with them would "succeed" and produce nonsense instead of falling through.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-7"}
)
# Without a BOM, charset-normalizer "detects" UTF-16/32 in short Latin byte
# strings (b"Caf\xe9" -> utf_16_be). Genuine UTF-16 without a BOM is almost
# unheard of for web text, and on disk it is rejected as binary (NUL bytes).
_NO_BOM_EXCLUDED = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]
_CP1252_FALLBACK = "extractor.cp1252_fallback"


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


def media_type_for(path: str) -> str | None:
    """The media type ``load_path`` gives ``path`` by its suffix, or None if unsupported."""
    name = path.lower()
    if name.endswith(GZIP_SUFFIX):
        name = name[: -len(GZIP_SUFFIX)]
    for suffix, media_type in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return media_type
    return None


def load_path(path: str, *, settings: Settings) -> RawDocument:
    """Read the local file ``path``; ``InputError`` (with a ``reason``) if it cannot be used.

    Reasons: ``missing``, ``unreadable``, ``unsupported_type``, ``too_large``,
    ``bad_gzip``, ``empty``, ``binary``.
    """
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise InputError(f"no such file: {path}", reason="missing") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", reason="unreadable") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is a directory", reason="unreadable")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or never end.
        raise InputError(f"{path} is not a regular file", reason="unreadable")
    media_type = media_type_for(path)
    if media_type is None:
        raise InputError(
            f"{path}: unsupported file type; expected .html, .htm, .txt (optionally .gz)",
            reason="unsupported_type",
        )
    # For .gz this bounds the compressed size too: it cannot be much smaller
    # than the text it holds unless the text is highly repetitive.
    if info.st_size > settings.max_bytes:
        raise _too_large(path, settings)
    if path.lower().endswith(GZIP_SUFFIX):
        content = _read_gzip(path, settings)
    else:
        content = _read_plain(path, settings)
    if _is_blank(content):
        raise InputError(f"{path} is empty", reason="empty")
    if looks_binary(content):
        raise InputError(f"{path} holds binary data, not text", reason="binary")
    return RawDocument(source=path, content=content, media_type=media_type)


def _too_large(path: str, settings: Settings) -> InputError:
    return InputError(f"{path} is larger than max_bytes={settings.max_bytes}", reason="too_large")


def _read_plain(path: str, settings: Settings) -> bytes:
    try:
        with open(path, "rb") as file:
            # One byte more than allowed tells "exactly at the limit" from
            # "grew past it since stat".
            content = file.read(settings.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", reason="unreadable") from exc
    if len(content) > settings.max_bytes:
        raise _too_large(path, settings)
    return content


def _read_gzip(path: str, settings: Settings) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        with gzip.open(path, "rb") as file:
            # GzipFile.read(n) inflates at most n bytes, so a gzip bomb stops
            # after max_bytes of output rather than filling memory.
            while chunk := file.read(_CHUNK):
                total += len(chunk)
                if total > settings.max_bytes:
                    raise _too_large(path, settings)
                chunks.append(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        # BadGzipFile: bad header or CRC; EOFError: truncated stream.
        raise InputError(f"{path} is not a valid gzip file: {exc}", reason="bad_gzip") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}", reason="unreadable") from exc
    return b"".join(chunks)


def _bom_encoding(content: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return encoding, len(bom)
    return None


def _is_blank(content: bytes) -> bool:
    """True if ``content`` holds no characters but whitespace (and a BOM)."""
    bom = _bom_encoding(content)
    if bom is not None:
        encoding, size = bom
        return not content[size:].decode(encoding, errors="replace").strip()
    stripped = content.strip()
    if not stripped:
        return True
    if stripped.isascii():
        return False
    # Non-ASCII whitespace such as U+00A0 or U+3000, if the bytes are UTF-8.
    try:
        return not stripped.decode("utf-8").strip()
    except UnicodeDecodeError:
        return False


def looks_binary(content: bytes) -> bool:
    """True if ``content`` is evidently not text: NUL bytes or a known file signature.

    UTF-16/32 with a BOM legitimately holds NUL bytes and is not binary.
    """
    head = content[:_SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        return True
    if _bom_encoding(content) is not None:
        return False
    return b"\x00" in content


# ---------------------------------------------------------------------------
# Decoding


def decode(raw: RawDocument) -> str:
    """The text of ``raw``: leading BOM removed, line ends normalised to ``\\n``.

    The charset is the first that decodes the bytes, in this order: a BOM;
    the transport charset (``raw.charset``); for HTML, a ``<meta>``
    declaration in the first 4 KB; strict UTF-8; then detection (below).
    A declared charset that is unknown, or that does not decode the bytes,
    is skipped rather than trusted; one that decodes is trusted, so a UTF-8
    page served as "ISO-8859-1" comes out as mojibake, as in a browser.
    "ISO-8859-1" is read as Windows-1252, as browsers do.

    Detection. Bytes that are *mostly UTF-8* (more valid multi-byte UTF-8
    characters than invalid bytes) are UTF-8 with stray bytes, typically a
    Windows-1252 quote pasted into a UTF-8 page: the valid UTF-8 is kept and
    each stray byte is read as Windows-1252. We do not hand these to
    charset-normalizer because it reads such a page as e.g. mac_roman and
    garbles every correct character ("won\u2019t" -> "won\u201a\xc4\xf4t"). Otherwise
    charset-normalizer's best guess is used, preferring Windows-1252 when it
    scores exactly as well as the guess (charset-normalizer ranks cp1250
    first for plain cp1252 English, turning "naïve" into "naďve"). If
    charset-normalizer finds nothing coherent (random bytes, say), the
    result is ``InputError(reason="encoding")``.
    """
    text = _decode_bytes(raw.content, media_type=raw.media_type, declared=raw.charset)
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_bytes(content: bytes, *, media_type: str, declared: str | None) -> str:
    bom = _bom_encoding(content)
    if bom is not None:
        encoding, size = bom
        # A BOM is authoritative (as in browsers); damage after it is replaced.
        return content[size:].decode(encoding, errors="replace")
    if declared:
        text = _try_declared(content, declared)
        if text is not None:
            return text
    if media_type == "text/html":
        match = _META_CHARSET.search(content, 0, _META_WINDOW)
        if match is not None:
            text = _try_declared(content, match.group(1).decode("ascii"), in_document=True)
            if text is not None:
                return text
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(content):
        return content.decode("utf-8", errors=_CP1252_FALLBACK)
    return _detect(content)


def _charset_codec(label: str, *, in_document: bool) -> str | None:
    """The Python codec for a declared charset ``label``, or None if unusable."""
    label = label.strip().strip("\"'").strip()
    # Checked first: codecs.lookup raises ValueError on e.g. an embedded NUL.
    if not _CHARSET_LABEL.fullmatch(label):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _NOT_CHARSETS:
        return None
    # As in the WHATWG Encoding standard: "ISO-8859-1" means Windows-1252,
    # which is what such pages really contain (curly quotes in 0x80-0x9F).
    if name == "iso8859-1":
        return "cp1252"
    # A <meta> we could read as ASCII cannot be in a UTF-16/32 document.
    if in_document and name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return name


def _try_declared(content: bytes, label: str, *, in_document: bool = False) -> str | None:
    codec = _charset_codec(label, in_document=in_document)
    if codec is None:
        return None
    try:
        return content.decode(codec)
    except (UnicodeError, LookupError):
        # LookupError: a codec that exists but is not bytes -> text (e.g. "base64").
        return None


def _mostly_utf8(content: bytes) -> bool:
    lenient = content.decode("utf-8", errors="replace")
    replaced = lenient.count("\ufffd")
    invalid = replaced - content.count("\ufffd".encode())
    non_ascii = len(lenient) - len(lenient.encode("ascii", errors="ignore"))
    valid_multibyte = non_ascii - replaced
    return valid_multibyte > invalid


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    stray = exc.object[exc.start : exc.end]
    return stray.decode("cp1252", errors="replace"), exc.end


# A named error handler keeps the UTF-8 decode in C; only stray bytes call back.
codecs.register_error(_CP1252_FALLBACK, _cp1252_fallback)


def _detect(content: bytes) -> str:
    matches = charset_normalizer.from_bytes(content, cp_exclusion=_NO_BOM_EXCLUDED)
    best = matches.best()
    if best is None:
        raise InputError(
            "cannot decode: not valid UTF-8 and no charset detected", reason="encoding"
        )
    for match in matches:
        tied = match.chaos == best.chaos and match.coherence == best.coherence
        if tied and "cp1252" in match.could_be_from_charset:
            try:
                return content.decode("cp1252")
            except UnicodeDecodeError:
                break
    return str(best)
