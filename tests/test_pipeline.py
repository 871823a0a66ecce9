"""Pipeline files: validation names the key and its table; paths resolve against the file."""

from __future__ import annotations

import datetime
import re
import textwrap
from pathlib import Path
from typing import Any, Literal

import pytest

from extractor.errors import ConfigError
from extractor.pipeline import SourceSpec, _coerce, load_pipeline

from .conftest import ROOT

BASE = """
[store]
path = "state/crawl.sqlite3"

[[sources]]
kind = "urls"
urls = ["https://example.org/a"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "conf" / "p.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_pipeline(write(tmp_path, text))
    return str(info.value)


def test_minimal_pipeline_gets_defaults_and_resolves_paths(tmp_path: Path) -> None:
    pipeline = load_pipeline(write(tmp_path, BASE))
    assert pipeline.name == "p"
    assert pipeline.store == (tmp_path / "conf" / "state" / "crawl.sqlite3").resolve()
    assert pipeline.sources == (SourceSpec("urls", "", ("https://example.org/a",)),)
    assert pipeline.extract is True
    assert pipeline.out_dir is None
    assert pipeline.settings.per_host_delay == 1.0


def test_every_section_maps_onto_settings(tmp_path: Path) -> None:
    pipeline = load_pipeline(
        write(
            tmp_path,
            'name = "night"\nextract = false\n'
            + BASE
            + """
            [[sources]]
            kind = "feed"
            url = "https://example.org/rss.xml"

            [[sources]]
            kind = "sitemap"
            url = "https://example.org/sitemap.xml.gz"

            [[sources]]
            kind = "directory"
            path = "../archive"

            [[sources]]
            kind = "urls"
            file = "urls.txt"

            [fetch]
            per_host_delay = 2        # an integer is a fine number of seconds
            retries = 5
            respect_robots = false
            user_agent = "bot (+mailto:me@example.org)"
            html_content_types = ["text/html"]

            [nlp]
            batch_size = 4

            [output]
            dir = "../out"
            formats = ["csv", "parquet"]
            excel = true
            """,
        )
    )
    conf = tmp_path / "conf"
    assert pipeline.name == "night"
    assert pipeline.extract is False
    assert [s.kind for s in pipeline.sources] == ["urls", "feed", "sitemap", "directory", "urls"]
    assert pipeline.sources[3].location == str((tmp_path / "archive").resolve())
    assert pipeline.sources[4].location == str((conf / "urls.txt").resolve())
    assert pipeline.out_dir == (tmp_path / "out").resolve()
    settings = pipeline.settings
    assert settings.per_host_delay == 2.0 and isinstance(settings.per_host_delay, float)
    assert settings.retries == 5
    assert settings.respect_robots is False
    assert settings.user_agent.startswith("bot")
    assert settings.html_content_types == ("text/html",)
    assert settings.batch_size == 4
    assert settings.formats == ("csv", "parquet")
    assert settings.excel is True


def test_cli_override_of_extract(tmp_path: Path) -> None:
    assert load_pipeline(write(tmp_path, BASE), extract=False).extract is False


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[fetch]\nper_host_dealy = 1\n",
            "fetch.per_host_dealy: unknown key (did you mean per_host_delay?)",
        ),
        ('[fetch]\nretries = "3"\n', 'fetch.retries: expected an integer, got "3"'),
        ("[fetch]\nretries = true\n", "fetch.retries: expected an integer, got true"),
        ("[fetch]\nrespect_robots = 1\n", "fetch.respect_robots: expected true or false, got 1"),
        ('[fetch]\nper_host_delay = "1s"\n', 'fetch.per_host_delay: expected a number, got "1s"'),
        (
            '[fetch]\nhtml_content_types = "text/html"\n',
            "fetch.html_content_types: expected a list of strings",
        ),
        (
            "[fetch]\nhtml_content_types = [1]\n",
            "fetch.html_content_types: expected a list of strings, got [1]",
        ),
        ("[fetch]\nconcurrency = 0\n", "fetch.concurrency: must be positive"),
        ("[fetch]\nmodel = 'x'\n", "fetch.model: unknown key"),
        ("[nlp]\nbatch_size = 0\n", "nlp.batch_size: must be positive"),
        ("[nlp]\nbatch_chars = 0\n", "nlp.batch_chars: must be positive"),
        ("[nlp]\nretries = 1\n", "nlp.retries: unknown key"),
        ('[output]\nformats = ["xls"]\n', 'output.formats: unknown format "xls"'),
        ("[output]\nformats = []\n", "output.formats: unknown format []"),
        (
            "[output]\ndirectory = 'x'\n",
            "output.directory: unknown key (known: dir, formats, excel)",
        ),
        ("fetch = 3\n", "fetch: expected a table, got 3"),
        ("extract = 'no'\n", 'extract: expected true or false, got "no"'),
        ("schedule = 'nightly'\n", "schedule: unknown key"),
        (
            "[[sources]]\nkind = 'ftp'\n",
            'sources[1].kind: unknown source kind "ftp"; choose from urls, feed, sitemap, directory',
        ),
        ("[[sources]]\nurl = 'https://x/'\n", "sources[1].kind: required key is missing"),
        (
            "[[sources]]\nkind = 'feed'\nurl = 'ftp://x/feed'\n",
            'sources[1].url: expected an http(s) URL, got "ftp://x/feed"',
        ),
        (
            "[[sources]]\nkind = 'feed'\nurl = 'https://x/'\npath = 'y'\n",
            'sources[1].path: unknown key for kind "feed"',
        ),
        (
            "[[sources]]\nkind = 'urls'\n",
            'sources[1]: kind "urls" needs "urls" (a list), "url" or "file"',
        ),
        ("[[sources]]\nkind = 'sitemap'\n", 'sources[1]: kind "sitemap" needs "url" or "file"'),
        (
            "[[sources]]\nkind = 'feed'\nurl = 'https://x/'\nfile = 'f.xml'\n",
            'sources[1]: give "url" or "file", not both',
        ),
        ("[[sources]]\nkind = 'directory'\n", "sources[1].path: required key is missing"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, extra: str, message: str) -> None:
    text = (
        BASE + extra
        if not extra.startswith(("fetch =", "extract =", "schedule ="))
        else extra + BASE
    )
    assert message in error_of(tmp_path, text)


def test_error_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "[fetch]\nretries = '3'\n")
    with pytest.raises(ConfigError, match=rf"^{path}: fetch\.retries"):
        load_pipeline(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[sources]]\nkind = "urls"\nurls = ["https://x/"]\n', "store: required: a [store] table"),
        (
            '[store]\n[[sources]]\nkind = "urls"\nurls = ["https://x/"]\n',
            "store.path: required key is missing",
        ),
        ('[store]\npath = "s"\n', "sources: required: at least one [[sources]] table"),
        (
            'sources = []\n[store]\npath = "s"\n',
            "sources: required: at least one [[sources]] table",
        ),
        (
            'sources = "x"\n[store]\npath = "s"\n',
            'sources: expected an array of tables ([[sources]]), got "x"',
        ),
        (
            '[store]\npath = "s"\ncompress = true\n[[sources]]\nkind = "urls"\nurls = ["https://x/"]\n',
            "store.compress: unknown key",
        ),
    ],
)
def test_missing_and_malformed_tables(tmp_path: Path, text: str, message: str) -> None:
    assert message in error_of(tmp_path, text)


def test_bad_toml_and_missing_file(tmp_path: Path) -> None:
    assert "not valid TOML" in error_of(tmp_path, "[store\npath=1")
    with pytest.raises(ConfigError, match="no such pipeline file"):
        load_pipeline(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_pipeline(tmp_path)


def test_shipped_nightly_pipeline_is_valid() -> None:
    pipeline = load_pipeline(ROOT / "pipelines" / "nightly.toml")
    assert pipeline.name == "nightly"
    assert {source.kind for source in pipeline.sources} == {"urls", "feed", "sitemap", "directory"}
    assert pipeline.store.is_relative_to(ROOT)
    # Every key in the example carries a comment, on its line or the line above.
    lines = (ROOT / "pipelines" / "nightly.toml").read_text(encoding="utf-8").splitlines()
    for before, line in zip(["", *lines], lines, strict=False):
        stripped = line.strip()
        if "=" in stripped and not stripped.startswith("#"):
            inline = "#" in stripped.split("=", 1)[1]
            assert inline or before.strip().startswith("#"), f"undocumented key: {line}"


@pytest.mark.parametrize(
    ("value", "hint", "expected"),
    [
        (3, int | None, 3),
        ("x", str | None, "x"),
        ("csv", Literal["csv", "jsonl"], "csv"),
        ([1, "a"], tuple[Any, ...], (1, "a")),
        ({"a": 1}, Any, {"a": 1}),
    ],
)
def test_coerce_accepts(value: object, hint: object, expected: object) -> None:
    assert _coerce(value, hint, where="fetch.x") == expected


@pytest.mark.parametrize(
    ("value", "hint", "message"),
    [
        ("3", int | None, 'fetch.x: expected an integer, got "3"'),
        ("xls", Literal["csv", "jsonl"], 'fetch.x: expected one of "csv", "jsonl", got "xls"'),
        ({"a": 1}, int, "fetch.x: expected an integer, got a table"),
        (datetime.date(2026, 1, 2), str, 'fetch.x: expected a string, got "2026-01-02"'),
        (1, dict[str, int], "cannot be set from a pipeline file"),
    ],
)
def test_coerce_rejects(value: object, hint: object, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _coerce(value, hint, where="fetch.x")
