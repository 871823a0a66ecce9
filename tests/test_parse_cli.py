"""`extractor parse`: the page the pipeline reads, per input, as JSON lines or text."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from extractor.cli import main

from .conftest import ROOT

PAGE = ROOT / "fixtures" / "parse" / "news_comments_captions.html"
FIELDS = ["source", "status", "title", "published", "author", "site", "language", "url", "text"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["parse", *args])
    return code, capsys.readouterr().out.splitlines()


def test_jsonl_record_per_page(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, str(PAGE))
    assert code == 0
    (record,) = [json.loads(line) for line in lines]
    assert list(record) == FIELDS
    assert record["source"] == str(PAGE)
    assert record["title"] == "Police chief: Officers won't join ICE sweeps in Lakeport"
    assert record["published"] == "2025-03-27T18:05:00-04:00"
    assert record["author"] == "Hannah Whitcomb"
    assert record["site"] == "The Lakeport Ledger"
    assert record["language"] == "en"
    assert record["url"] == "https://www.lakeportledger.com/news/police-chief-ice-sweeps/"
    assert record["text"].startswith(record["title"] + "\n\nLAKEPORT")
    assert "Good for the chief" not in record["text"]


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, str(PAGE), "--format", "text")
    assert code == 0
    assert lines[0] == f"==> {PAGE} <=="
    assert "author: Hannah Whitcomb" in lines
    assert "url: https://www.lakeportledger.com/news/police-chief-ice-sweeps/" in lines
    assert "Police chief: Officers won't join ICE sweeps in Lakeport" in lines


def test_errors_are_json_lines_in_input_order_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    missing = tmp_path / "missing.html"
    code, lines = run(capsys, str(missing), str(PAGE), str(empty))
    assert code == 1
    records = [json.loads(line) for line in lines]
    assert [r["status"] for r in records] == ["error", "ok", "error"]
    assert records[0] == {
        "source": str(missing),
        "status": "error",
        "reason": "missing",
        "error": f"missing: no such file: {missing}",
    }
    assert records[2]["reason"] == "no_text"
    assert records[2]["error"].startswith("no_text: ")


def test_directory_and_stdin_inputs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"# pages\n{PAGE}\n"))
    code, lines = run(capsys, str(ROOT / "fixtures" / "parse"), "-")
    assert code == 0
    sources = [json.loads(line)["source"] for line in lines]
    assert len(sources) == len(list((ROOT / "fixtures" / "parse").glob("*.html"))) + 1
    assert sources[-1] == str(PAGE)


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["parse", str(PAGE), "--format", "csv"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path != "/story":
            self.send_error(404)
            return
        body = PAGE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def base_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_loopback_urls_are_refused_by_default(
    capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    code, lines = run(capsys, f"{base_url}/story")
    assert code == 1
    assert json.loads(lines[0])["reason"] == "private_address"


def test_urls_are_fetched_and_http_errors_reported(
    capsys: pytest.CaptureFixture[str], base_url: str
) -> None:
    code, lines = run(capsys, "--allow-private", f"{base_url}/story", f"{base_url}/gone")
    assert code == 1
    ok, failed = (json.loads(line) for line in lines)
    assert ok["source"] == f"{base_url}/story"
    assert ok["title"] == "Police chief: Officers won't join ICE sweeps in Lakeport"
    assert failed["reason"] == "http_404"
