"""Tests for extractor.load: reading local files and decoding bytes to text."""

from __future__ import annotations

import codecs
import gzip
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.config import Settings
from extractor.errors import InputError
from extractor.load import RawDocument, decode, load_path, looks_binary, media_type_for

SETTINGS = Settings()
HTML = b"<html><head><title>T</title></head><body><p>Sheriff declines.</p></body></html>"


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def reason_of(path: str, limits: Settings = SETTINGS) -> str:
    with pytest.raises(InputError) as info:
        load_path(path, settings=limits)
    return info.value.reason


# ---------------------------------------------------------------------------
# load_path: what it accepts


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("a.html", "text/html"),
        ("a.htm", "text/html"),
        ("A.HTML", "text/html"),
        ("a.txt", "text/plain"),
    ],
)
def test_load_path_media_type_by_suffix(tmp_path: Path, name: str, media_type: str) -> None:
    path = write(tmp_path, name, HTML)
    raw = load_path(path, settings=SETTINGS)
    assert raw == RawDocument(source=path, content=HTML, media_type=media_type)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("a.html.gz", "text/html"), ("a.htm.gz", "text/html"), ("a.txt.gz", "text/plain")],
)
def test_load_path_reads_gzip_transparently(tmp_path: Path, name: str, media_type: str) -> None:
    path = write(tmp_path, name, gzip.compress(HTML))
    raw = load_path(path, settings=SETTINGS)
    assert (raw.content, raw.media_type) == (HTML, media_type)


def test_load_path_keeps_source_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a.html", HTML)
    monkeypatch.chdir(tmp_path)
    assert load_path("./a.html", settings=SETTINGS).source == "./a.html"


def test_load_path_accepts_exactly_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"x" * 100)
    assert len(load_path(path, settings=Settings(max_bytes=100)).content) == 100


@pytest.mark.parametrize(
    "content", [codecs.BOM_UTF16_LE + "Sheriff".encode("utf-16-le"), codecs.BOM_UTF8 + b"Sheriff"]
)
def test_load_path_bom_text_with_nul_bytes_is_not_binary(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "a.txt", content)
    assert load_path(path, settings=SETTINGS).content == content


# ---------------------------------------------------------------------------
# load_path: why it refuses


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.html", b"", "empty"),
        ("spaces.html", b" \n\t\r\n  ", "empty"),
        ("nbsp.txt", "\u00a0\u3000\n".encode(), "empty"),
        ("bom-only.txt", codecs.BOM_UTF8 + b"\n", "empty"),
        ("utf16-spaces.txt", codecs.BOM_UTF16_LE + "  \n".encode("utf-16-le"), "empty"),
        ("nul.html", b"<html>\x00\x00\x00</html>", "binary"),
        ("nul-late.txt", b"a" * 5000 + b"\x00", "binary"),
        ("png.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        ("zip.html", b"PK\x03\x04\x14\x00\x00\x00", "binary"),
        ("jpeg.htm", b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary"),
        ("doc.pdf", b"%PDF-1.7", "unsupported_type"),
        ("page.xml", HTML, "unsupported_type"),
        ("page.gz", gzip.compress(HTML), "unsupported_type"),
        ("corrupt.html.gz", b"\x1f\x8b\x08\x00garbage-not-deflate", "bad_gzip"),
        ("truncated.html.gz", gzip.compress(HTML * 50)[:40], "bad_gzip"),
        ("notgzip.html.gz", HTML, "bad_gzip"),
    ],
)
def test_load_path_refuses(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    assert reason_of(write(tmp_path, name, content)) == reason


@pytest.mark.parametrize("name", ["missing.html", "no/such/dir/a.html", "missing.pdf"])
def test_load_path_missing(tmp_path: Path, name: str) -> None:
    assert reason_of(str(tmp_path / name)) == "missing"


def test_load_path_file_used_as_directory_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "a.html", HTML)
    assert reason_of(os.path.join(path, "b.html")) == "missing"


def test_load_path_directory_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "dir.html").mkdir()
    assert reason_of(str(tmp_path / "dir.html")) == "unreadable"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX modes, not root")
def test_load_path_permission_denied_is_unreadable(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.html", HTML)
    os.chmod(path, 0)
    try:
        assert reason_of(path) == "unreadable"
    finally:
        os.chmod(path, 0o600)


def test_load_path_stat_permission_error_is_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Runs as root too, where chmod 0 does not stop reading.
    def deny(path: str) -> os.stat_result:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "stat", deny)
    assert reason_of(str(tmp_path / "a.html")) == "unreadable"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_load_path_fifo_is_unreadable(tmp_path: Path) -> None:
    # Reading a FIFO would block until a writer appears.
    os.mkfifo(tmp_path / "pipe.html")
    assert reason_of(str(tmp_path / "pipe.html")) == "unreadable"


def test_load_path_20_mb_page_is_too_large(tmp_path: Path) -> None:
    body = (
        b"<html><body>"
        + b"<p>Sheriff declines.</p>\n" * (20 * 1024 * 1024 // 25)
        + b"</body></html>"
    )
    assert len(body) > 20 * 1024 * 1024 - 100
    assert reason_of(write(tmp_path, "big.html", body)) == "too_large"


def test_load_path_gzip_over_limit_is_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt.gz", gzip.compress(b"word " * 1000))
    assert reason_of(path, Settings(max_bytes=4000)) == "too_large"


def test_load_path_gzip_bomb_stops_early(tmp_path: Path) -> None:
    # 20 gzip members of 10 MB of zeros each: 200 MB inflated from ~200 KB on
    # disk. A multi-member gzip is still one valid .gz file.
    member = gzip.compress(b"\0" * (10 * 1024 * 1024), compresslevel=9)
    path = write(tmp_path, "bomb.html.gz", member * 20)
    start = time.perf_counter()
    assert reason_of(path) == "too_large"
    # Inflating all 200 MB takes seconds; stopping after 10 MB takes ~0.05 s.
    assert time.perf_counter() - start < 1.0


# ---------------------------------------------------------------------------
# looks_binary and media_type_for


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"plain text", False),
        (b"GIF89a\x01\x00", True),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
        (b"text then \x00 nul", True),
        (codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), False),
        ("caf\u00e9".encode("cp1252"), False),
    ],
)
def test_looks_binary(content: bytes, expected: bool) -> None:
    assert looks_binary(content) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [("a.HTM.GZ", "text/html"), ("a.txt", "text/plain"), ("a.gz", None), ("a.html.bak", None)],
)
def test_media_type_for(path: str, expected: str | None) -> None:
    assert media_type_for(path) == expected


# ---------------------------------------------------------------------------
# decode

CP1252_TEXT = (
    "The sheriff\u2019s office said Tuesday it \u201cwill not hold people\u201d past release "
    "\u2014 a na\u00efve policy, critics in Montr\u00e9al said. "
) * 3


def html_doc(content: bytes, charset: str | None = None) -> RawDocument:
    return RawDocument(source="x.html", content=content, media_type="text/html", charset=charset)


def text_doc(content: bytes, charset: str | None = None) -> RawDocument:
    return RawDocument(source="x.txt", content=content, media_type="text/plain", charset=charset)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (text_doc(b"plain ascii"), "plain ascii"),
        (text_doc("caf\u00e9 \u2014 ok".encode()), "caf\u00e9 \u2014 ok"),
        (text_doc(codecs.BOM_UTF8 + "caf\u00e9".encode()), "caf\u00e9"),
        (text_doc(codecs.BOM_UTF16_LE + "caf\u00e9".encode("utf-16-le")), "caf\u00e9"),
        (text_doc(codecs.BOM_UTF16_BE + "caf\u00e9".encode("utf-16-be")), "caf\u00e9"),
        (text_doc(codecs.BOM_UTF32_LE + "caf\u00e9".encode("utf-32-le")), "caf\u00e9"),
        # The BOM wins over a wrong header.
        (text_doc(codecs.BOM_UTF8 + "caf\u00e9".encode(), "iso-8859-1"), "caf\u00e9"),
        (text_doc(b"a\r\nb\rc\n"), "a\nb\nc\n"),
    ],
)
def test_decode_bom_utf8_and_line_ends(raw: RawDocument, expected: str) -> None:
    assert decode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Transport charset; ISO-8859-1 is read as its superset Windows-1252.
        (text_doc("caf\u00e9".encode("cp1252"), "ISO-8859-1"), "caf\u00e9"),
        (text_doc("it\u2019s".encode("cp1252"), "iso-8859-1"), "it\u2019s"),
        (text_doc("\u0416\u0443\u043a".encode("koi8-r"), '"koi8-r"'), "\u0416\u0443\u043a"),
        (text_doc("\u0416".encode("cp1251"), "windows-1251"), "\u0416"),
        # A header that does not decode the bytes is skipped (here for UTF-8).
        (text_doc("caf\u00e9".encode(), "us-ascii"), "caf\u00e9"),
        # Unknown, bogus and non-text codec names fall through.
        (text_doc("caf\u00e9".encode(), "x-no-such-charset"), "caf\u00e9"),
        (text_doc("caf\u00e9".encode(), "base64"), "caf\u00e9"),
        (text_doc("caf\u00e9".encode(), "rot13"), "caf\u00e9"),
        (text_doc("caf\u00e9".encode(), "idna"), "caf\u00e9"),
        (text_doc("caf\u00e9".encode(), ""), "caf\u00e9"),
    ],
)
def test_decode_transport_charset(raw: RawDocument, expected: str) -> None:
    assert decode(raw) == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'<meta charset="windows-1251"><p>\xc6</p>', "<p>\u0416</p>"),
        (b"<META CHARSET=koi8-r><p>\xf6</p>", "<p>\u0416</p>"),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"><p>\xa3</p>',
            "<p>\u0141</p>",
        ),
        # A <meta> readable as ASCII cannot be in UTF-16: read as UTF-8 (WHATWG).
        (b'<meta charset="utf-16"><p>caf\xc3\xa9</p>', "<p>caf\u00e9</p>"),
        (b'<meta charset="bogus-8"><p>caf\xc3\xa9</p>', "<p>caf\u00e9</p>"),
    ],
)
def test_decode_meta_charset(content: bytes, expected: str) -> None:
    assert decode(html_doc(content)).endswith(expected)


def test_decode_meta_ignored_for_plain_text() -> None:
    content = b'<meta charset="windows-1251"> caf\xc3\xa9'
    assert decode(text_doc(content)).endswith("caf\u00e9")


def test_decode_meta_after_4_kb_is_ignored() -> None:
    content = b"<!--" + b"x" * 5000 + b'--><meta charset="koi8-r"><p>\xd0\x96</p>'
    assert decode(html_doc(content)).endswith("<p>\u0416</p>")


def test_decode_transport_charset_beats_meta() -> None:
    content = b'<meta charset="koi8-r"><p>\xc6</p>'
    assert decode(html_doc(content, "windows-1251")).endswith("<p>\u0416</p>")


def test_decode_cp1252_file_by_detection() -> None:
    # charset-normalizer ranks cp1250 first here (giving "na\u010fve"); the
    # tie-break to Windows-1252 gets it right.
    assert decode(html_doc(CP1252_TEXT.encode("cp1252"))) == CP1252_TEXT


def test_decode_short_cp1252_by_detection() -> None:
    # Without excluding BOM-less UTF-16 this came back as two CJK characters.
    assert decode(text_doc("Caf\u00e9".encode("cp1252"))) == "Caf\u00e9"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # A stray Windows-1252 quote in a UTF-8 page: the UTF-8 stays intact.
        (
            "Caf\u00e9 \u201cno\u201d ".encode() * 5 + b"it\x92s",
            "Caf\u00e9 \u201cno\u201d " * 5 + "it\u2019s",
        ),
        # A byte undefined in Windows-1252 becomes U+FFFD.
        ("Caf\u00e9 ".encode() * 3 + b"\x81", "Caf\u00e9 " * 3 + "\ufffd"),
    ],
)
def test_decode_mostly_utf8_keeps_utf8(content: bytes, expected: str) -> None:
    assert decode(text_doc(content)) == expected


def test_decode_ascii_with_stray_byte_reads_it_as_cp1252() -> None:
    content = b"The county board voted 4-1. " * 20 + b"The sheriff\x92s office."
    assert decode(text_doc(content)).endswith("sheriff\u2019s office.")


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(128, 256)),
        # Fixed "random" bytes: os.urandom would make the test flaky.
        bytes((i * 167 + 89) % 256 for i in range(3000)),
    ],
)
def test_decode_incoherent_bytes_is_encoding_error(content: bytes) -> None:
    with pytest.raises(InputError) as info:
        decode(text_doc(content))
    assert info.value.reason == "encoding"


@settings(max_examples=300, deadline=None)
@given(
    content=st.binary(max_size=2048),
    media_type=st.sampled_from(["text/html", "text/plain"]),
    charset=st.one_of(
        st.none(),
        st.sampled_from(["utf-8", "utf-16", "latin-1", "base64", "idna", "x-bogus", "utf-7", "hz"]),
        st.text(max_size=12),
    ),
)
def test_decode_never_raises_but_input_error(
    content: bytes, media_type: str, charset: str | None
) -> None:
    raw = RawDocument(source="x", content=content, media_type=media_type, charset=charset)
    try:
        text = decode(raw)
    except InputError as exc:
        assert exc.reason == "encoding"
    else:
        assert "\r" not in text
        assert not text.startswith("\ufeff")
