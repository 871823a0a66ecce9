"""Tests for extractor.inputs: expanding INPUT arguments and loading one input."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from extractor.config import Settings
from extractor.errors import InputError
from extractor.inputs import Input, iter_inputs, load_input

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
