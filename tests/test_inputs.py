"""Tests for extractor.inputs: expanding INPUT arguments and loading one input."""

from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from extractor.config import Settings
from extractor.errors import InputError
from extractor.inputs import Input, RecordColumns, iter_inputs, load_input
from extractor.load import RawDocument, decode

TREE = [
    "b.html",
    "a.htm",
    "c.txt",
    "d.html.gz",
    "e.htm.gz",
    "f.txt.gz",
    "notes.md",
    "image.png",
    "archive.gz",
    "UPPER.HTML",
    ".hidden.html",
    ".git/config.html",
    "sub/z.html",
    "sub/deeper/y.txt",
    "sub/.secret/x.html",
    "aa/first.html",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory ``pages`` holding TREE, with the working directory at its parent."""
    root = tmp_path / "pages"
    for name in TREE:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"<p>x</p>")
    monkeypatch.chdir(tmp_path)
    return root


def sources(args: list[str], stdin: str | None = None) -> list[str]:
    stream = None if stdin is None else io.StringIO(stdin)
    return [item.source for item in iter_inputs(args, stdin=stream)]


WALKED = [
    "pages/UPPER.HTML",
    "pages/a.htm",
    "pages/aa/first.html",
    "pages/b.html",
    "pages/c.txt",
    "pages/d.html.gz",
    "pages/e.htm.gz",
    "pages/f.txt.gz",
    "pages/sub/deeper/y.txt",
    "pages/sub/z.html",
]


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pages"], WALKED),
        (["pages/"], WALKED),
        (["./pages/sub"], ["./pages/sub/deeper/y.txt", "./pages/sub/z.html"]),
        # Files named explicitly are yielded as given, whatever their suffix.
        (["pages/notes.md"], ["pages/notes.md"]),
        (["pages/.hidden.html"], ["pages/.hidden.html"]),
        (["missing.html"], ["missing.html"]),
        (
            ["pages/b.html", "pages/sub", "pages/b.html"],
            ["pages/b.html", *WALKED[-2:], "pages/b.html"],
        ),
        ([], []),
    ],
)
def test_iter_inputs_sources(args: list[str], expected: list[str]) -> None:
    assert sources(args) == expected


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("https://example.org/a?b=1#c", Input("https://example.org/a?b=1#c", "url")),
        ("http://127.0.0.1:8000/", Input("http://127.0.0.1:8000/", "url")),
        ("HTTPS://EXAMPLE.ORG/", Input("HTTPS://EXAMPLE.ORG/", "url")),
        # Other schemes go to the fetcher, which names them in an invalid_url error.
        ("ftp://example.org/a.html", Input("ftp://example.org/a.html", "url")),
        ("page.html", Input("page.html", "file")),
        ("C:\\news\\page.html", Input("C:\\news\\page.html", "file")),
        ("", Input("", "file")),
    ],
)
def test_iter_inputs_kind(arg: str, expected: Input) -> None:
    assert list(iter_inputs([arg])) == [expected]


@pytest.mark.usefixtures("tree")
@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        ("pages/b.html\nhttps://example.org/x\n", ["pages/b.html", "https://example.org/x"]),
        ("  pages/b.html  \r\n\n\n# a comment\n   # indented comment\n", ["pages/b.html"]),
        ("pages/sub\n", WALKED[-2:]),
        ("-\n", ["-"]),
        ("", []),
    ],
)
def test_iter_inputs_reads_stdin_on_dash(stdin: str, expected: list[str]) -> None:
    assert sources(["-"], stdin=stdin) == expected


def test_iter_inputs_dash_keeps_position_among_args() -> None:
    assert sources(["a.html", "-", "z.html"], stdin="m.html\n") == ["a.html", "m.html", "z.html"]


def test_iter_inputs_dash_defaults_to_sys_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin.html\n"))
    assert sources(["-"]) == ["from-stdin.html"]


def test_iter_inputs_is_lazy() -> None:
    def args() -> Iterator[str]:
        yield "first.html"
        raise AssertionError("read past the first input")

    assert next(iter_inputs(args())) == Input("first.html", "file")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_iter_inputs_does_not_follow_directory_symlinks(tree: Path) -> None:
    os.symlink(tree, tree / "sub" / "loop")
    assert sources(["pages/sub"]) == WALKED[-2:]


def test_iter_inputs_unreadable_directory_is_yielded(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deny(path: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "scandir", deny)
    assert sources(["pages"]) == ["pages"]


def test_input_is_frozen() -> None:
    item = Input("a.html", "file")
    with pytest.raises(AttributeError):
        item.source = "b.html"  # type: ignore[misc]


# ---------------------------------------------------------------------------
# load_input


def test_load_input_file(tree: Path) -> None:
    raw = load_input(Input("pages/b.html", "file"), settings=Settings())
    assert (raw.source, raw.content, raw.media_type) == ("pages/b.html", b"<p>x</p>", "text/html")


def test_load_input_missing_file_is_input_error(tree: Path) -> None:
    with pytest.raises(InputError) as info:
        load_input(Input("nope.html", "file"), settings=Settings())
    assert info.value.reason == "missing"


def test_load_input_url_uses_fetch() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>y</p>")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        settings = Settings(allow_private=True, respect_robots=False)
        raw = load_input(Input("http://news.test/a", "url"), settings=settings, client=client)
    assert (raw.source, raw.content, raw.url) == (
        "http://news.test/a",
        b"<p>y</p>",
        "http://news.test/a",
    )


# ---------------------------------------------------------------------------
# Research collections: JSONL, CSV, WARC


def records(path: Path, **kwargs: object) -> list[Input]:
    return list(iter_inputs([str(path)], **kwargs))  # type: ignore[arg-type]


def load_or_reason(item: Input, settings: Settings | None = None) -> str:
    """``load_input``'s content as text, or ``!reason`` when it raises."""
    try:
        return load_input(item, settings=settings or Settings()).content.decode("utf-8")
    except InputError as error:
        return f"!{error.reason}"


def test_jsonl_records_are_inputs_with_stable_sources(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"id": "a-1", "html": "<p>Hello</p>", "url": "https://news.test/a"}),
        "",
        json.dumps({"text": "Plain text.", "html": ""}),
        "{not json",
        "[1, 2]",
        json.dumps({"title": "no body"}),
        json.dumps({"id": 7, "text": ""}),
        json.dumps({"text": ["a", "list"]}),
        json.dumps({"text": "x" * 50}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = records(path, settings=Settings(max_bytes=40))
    assert [item.source for item in items] == [
        "a-1",
        f"{path}#L3",
        f"{path}#L4",
        f"{path}#L5",
        f"{path}#L6",
        "7",
        f"{path}#L8",
        f"{path}#L9",
    ]
    first = load_input(items[0], settings=Settings())
    assert (first.media_type, first.url, first.content) == (
        "text/html",
        "https://news.test/a",
        b"<p>Hello</p>",
    )
    assert load_input(items[1], settings=Settings()).media_type == "text/plain"
    assert [load_or_reason(item) for item in items[2:]] == [
        "!invalid_json",
        "!invalid_record",
        "!missing_column",
        "!empty",
        "!invalid_record",
        "!too_large",
    ]


def test_jsonl_bad_record_messages_name_line_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"body": "x"}\n{"a": \n', encoding="utf-8")
    missing, invalid = records(path)
    with pytest.raises(InputError, match=r"no 'html' or 'text' column \(has 'body'\)"):
        load_input(missing, settings=Settings())
    with pytest.raises(InputError, match="line 2"):
        load_input(invalid, settings=Settings())


def test_jsonl_custom_columns_gzip_and_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    body = json.dumps({"doc": "d9", "body": "Some text", "link": "https://x.test/"}).encode()
    path.write_bytes(gzip.compress(body + b"\n" + b'{"body": "caf\xe9"}\n'))
    columns = RecordColumns(text="body", html="markup", id="doc", url="link")
    good, bad = records(path, columns=columns)
    assert good.source == "d9"
    assert load_input(good, settings=Settings()).url == "https://x.test/"
    assert load_or_reason(bad) == "!encoding"


def test_truncated_gzip_collection_is_an_error_input(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    data = gzip.compress(("\n".join(json.dumps({"text": f"t{i}"}) for i in range(500))).encode())
    path.write_bytes(data[: len(data) // 2])
    items = records(path)
    assert items[-1].source == str(path)
    assert load_or_reason(items[-1]) == "!bad_gzip"
    assert all(load_or_reason(item).startswith("t") for item in items[:-1])


def test_csv_records(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    big = "<p>" + "word " * 40_000 + "</p>"  # over the csv module's default field limit
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "html"])
        writer.writerow(["", "Line one,\nline two", ""])
        writer.writerow(["r2", "", big])
        writer.writerow(["r3", "", "", "extra"])
        writer.writerow(["r4", "", ""])
    items = records(path)
    assert [item.source for item in items] == [f"{path}#R1", "r2", f"{path}#R3", "r4"]
    assert load_or_reason(items[0]) == "Line one,\nline two"
    assert load_input(items[1], settings=Settings()).media_type == "text/html"
    assert [load_or_reason(item) for item in items[2:]] == ["!invalid_record", "!empty"]


def test_csv_bad_bytes_fail_only_their_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"text\nfine\ncaf\xe9\nalso fine\n")
    assert [load_or_reason(item) for item in records(path)] == ["fine", "!encoding", "also fine"]


def test_csv_field_over_the_limit_stops_with_an_error_input(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("text\nfine\n" + "x" * 3000 + "\nnever read\n", encoding="utf-8")
    old = csv.field_size_limit(1000)
    try:
        items = records(path, settings=Settings(max_bytes=500))
    finally:
        csv.field_size_limit(old)
    assert [item.source for item in items] == [f"{path}#R1", str(path)]
    assert load_or_reason(items[0]) == "fine"
    with pytest.raises(InputError, match="stopped reading after row 1") as info:
        load_input(items[1], settings=Settings())
    assert info.value.reason == "invalid_record"


def test_record_loading_checks_size_blank_and_binary() -> None:
    def record(content: bytes) -> Input:
        return Input("r", "record", raw=RawDocument("r", content, "text/html"))

    assert load_or_reason(record(b"x" * 11), Settings(max_bytes=10)) == "!too_large"
    assert load_or_reason(record(b"  \n ")) == "!empty"
    assert load_or_reason(record(b"%PDF-1.4 ...")) == "!binary"
    assert load_or_reason(Input("r", "record")) == "!empty"


def test_directories_skip_jsonl_and_csv_but_read_warc(tmp_path: Path) -> None:
    (tmp_path / "tables.csv").write_text("text\nx\n", encoding="utf-8")
    (tmp_path / "c.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    write_warc(tmp_path / "crawl.warc.gz", [("https://a.test/", 200, "text/html", b"<p>a</p>")])
    assert [item.url for item in _raws(records(tmp_path))] == ["https://a.test/"]


def test_missing_collection_is_a_missing_file(tmp_path: Path) -> None:
    (item,) = records(tmp_path / "nope.jsonl")
    assert item == Input(str(tmp_path / "nope.jsonl"), "file")


def write_warc(path: Path, responses: list[tuple[str, int, str, bytes]]) -> None:
    """A WARC with a request record before each response (status, content type, body)."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=path.suffix == ".gz")
        for url, status, content_type, body in responses:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "a.test")], is_http_request=True)
            headers = StatusAndHeaders(
                f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1"
            )
            for kind, http, payload in (("request", request, b""), ("response", headers, body)):
                record = writer.create_warc_record(
                    url, kind, payload=io.BytesIO(payload), length=len(payload), http_headers=http
                )
                writer.write_record(record)
                # warcio spools the payload to compute its digest; close it (ResourceWarning).
                record.raw_stream.close()


def _raws(items: list[Input]) -> list[RawDocument]:
    return [item.raw for item in items if item.raw is not None]


def test_warc_yields_html_200_responses_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(
        path,
        [
            (
                "https://a.test/story",
                200,
                "text/html; charset=iso-8859-1",
                "Caf\xe9".encode("cp1252"),
            ),
            ("https://a.test/logo.png", 200, "image/png", b"\x89PNG"),
            ("https://a.test/gone", 404, "text/html", b"<p>not found</p>"),
            ("https://a.test/other", 200, "application/xhtml+xml", b"<p>b</p>"),
        ],
    )
    skipped: collections.Counter[str] = collections.Counter()
    items = records(path, skipped=skipped)
    assert [item.source.split("#")[0] for item in items] == [str(path)] * 2
    assert items[0].source.startswith(f"{path}#<urn:uuid:")
    first = load_input(items[0], settings=Settings())
    assert (first.url, first.charset, first.media_type) == (
        "https://a.test/story",
        "iso-8859-1",
        "text/html",
    )
    assert decode(first) == "Café"
    assert skipped == {
        "WARC request records": 4,
        "non-HTML responses (image/png)": 1,
        "HTTP 404 responses": 1,
    }


def test_warc_record_over_max_bytes_is_an_error_input(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    write_warc(path, [("https://a.test/", 200, "text/html", b"<p>" + b"x" * 100 + b"</p>")])
    (item,) = records(path, settings=Settings(max_bytes=50))
    assert load_or_reason(item) == "!too_large"


def test_corrupt_warc_is_an_error_input_after_its_good_records(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [("https://a.test/", 200, "text/html", b"<p>a</p>")])
    path.write_bytes(path.read_bytes() + b"this is not a WARC record at all\r\n\r\n")
    items = records(path)
    assert load_or_reason(items[0]) == "<p>a</p>"
    assert items[-1].source == str(path)
    assert load_or_reason(items[-1]) == "!bad_warc"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.one_of(
                st.dictionaries(
                    st.sampled_from(["id", "text", "html", "url", "x"]),
                    st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()),
                ).map(json.dumps),
                st.text(max_size=30),
            ),
            max_size=6,
        ).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    ),
    suffix=st.sampled_from([".jsonl", ".csv", ".warc", ".jsonl.gz", ".warc.gz"]),
)
def test_any_collection_bytes_give_inputs_that_load_or_fail_cleanly(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(
        gzip.compress(content) if suffix.endswith(".gz") and content[:1] == b"{" else content
    )
    skipped: collections.Counter[str] = collections.Counter()
    for item in iter_inputs([str(path)], skipped=skipped):
        assert item.kind == "record"
        assert item.source
        try:
            raw = load_input(item, settings=Settings())
        except InputError as error:
            assert error.reason != "error"
        else:
            assert raw.content.strip()
