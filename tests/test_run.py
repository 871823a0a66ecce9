"""The batch runner: every input ends as rows or an error row, and bad inputs never stop a batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from extractor import run
from extractor.config import Settings
from extractor.inputs import Input
from extractor.parse import Page
from extractor.rows import DocumentRows
from extractor.run import analyse_pages, doc_id_for, process, process_chunk

GOOD = (
    "<html><head><title>Sheriff limits ICE help</title></head><body><article><h1>Sheriff limits ICE help</h1>"
    "<p>The Reno Police Department will not participate in immigration raids, Chief Ann Lee said.</p>"
    "</article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/ok":
            body = GOOD.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
        else:
            body = b"server exploded"
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


# The test server is on 127.0.0.1 and has no robots.txt (it answers 500).
LOCAL = Settings(allow_private=True, respect_robots=False, retries=0)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def bad_inputs(tmp_path: Path, server: str) -> list[tuple[Input, str]]:
    """(input, expected error reason prefix); "" means the input must succeed."""
    (tmp_path / "good.html").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "huge.html").write_bytes(
        b"<html><body>" + b"<p>word word word</p>" * (20 * 1024 * 1024 // 21) + b"</body></html>"
    )
    (tmp_path / "latin.txt").write_bytes(
        "Caf\xe9 owners said the Reno Police Department will not help ICE.".encode("cp1252")
    )
    return [
        (Input(str(tmp_path / "good.html"), "file"), ""),
        (Input(str(tmp_path / "empty.html"), "file"), "empty"),
        (Input(str(tmp_path / "binary.html"), "file"), "binary"),
        (Input(str(tmp_path / "huge.html"), "file"), "too_large"),
        (Input(str(tmp_path / "missing.html"), "file"), "missing"),
        (Input(str(tmp_path / "latin.txt"), "file"), ""),
        (Input(f"{server}/fail", "url"), "http_500"),
        (Input(f"{server}/ok", "url"), ""),
    ]


def test_every_input_ends_as_rows_or_error_row(
    nlp: Language, bad_inputs: list[tuple[Input, str]]
) -> None:
    results = list(
        process((item for item, _ in bad_inputs), nlp=nlp, settings=LOCAL.replace(batch_size=3))
    )
    assert [r.article.source for r in results] == [item.source for item, _ in bad_inputs]
    for rows, (item, reason) in zip(results, bad_inputs, strict=True):
        if reason:
            assert rows.article.status == "error", item.source
            assert rows.article.error.startswith(f"{reason}:"), rows.article.error
            assert rows.agencies == rows.quotes == rows.stances == ()
        else:
            assert rows.article.status == "ok", rows.article.error
            assert rows.article.error == ""
            assert "Reno Police Department" in {a.agency for a in rows.agencies}


def test_invalid_utf8_is_decoded_not_lost(
    nlp: Language, bad_inputs: list[tuple[Input, str]]
) -> None:
    latin = next(item for item, _ in bad_inputs if item.source.endswith("latin.txt"))
    (rows,) = process([latin], nlp=nlp, settings=Settings())
    assert rows.article.status == "ok"
    assert rows.stances[0].evidence.startswith("Café owners")


def test_doc_id_is_stable_and_source_specific() -> None:
    assert doc_id_for("a.html") == doc_id_for("a.html")
    assert doc_id_for("a.html") != doc_id_for("./a.html")
    assert len(doc_id_for("x")) == 16


def test_text_over_model_limit_is_an_error_row(nlp: Language) -> None:
    long_page = Page(source="long.txt", paragraphs=("word " * (nlp.max_length // 5 + 10),))
    (rows,) = analyse_pages([long_page], nlp=nlp, settings=Settings())
    assert rows.article.status == "error"
    assert rows.article.error.startswith("text_too_long:")


def test_a_bug_on_one_document_is_an_internal_error_row_not_a_lost_batch(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("a", "bug", "c"):
        (tmp_path / f"{name}.html").write_text(GOOD, encoding="utf-8")
    real = run.extract_rows

    def flaky(doc: Doc, page: Page, *, doc_id: str) -> DocumentRows:
        if page.source.endswith("bug.html"):
            raise KeyError("boom")
        return real(doc, page, doc_id=doc_id)

    monkeypatch.setattr(run, "extract_rows", flaky)
    items = [Input(str(tmp_path / f"{name}.html"), "file") for name in ("a", "bug", "c")]
    results = process_chunk(items, nlp=nlp, settings=Settings())
    assert [r.article.status for r in results] == ["ok", "error", "ok"]
    assert results[1].article.error == "internal: KeyError: 'boom'"
    assert results[0].agencies and results[2].agencies
    assert "internal error while analysing" in caplog.text


def test_a_bug_while_reading_is_an_internal_error_row(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.html").write_text(GOOD, encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> Page:
        raise ValueError("parser bug")

    monkeypatch.setattr(run, "parse_html", broken)
    (rows,) = process_chunk([Input(str(tmp_path / "a.html"), "file")], nlp=nlp, settings=Settings())
    assert rows.article.error == "internal: ValueError: parser bug"


def test_process_chunk_leaves_the_vocabulary_as_it_found_it(
    nlp: Language, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # New words must not accumulate in the shared vocabulary across chunks, or a
    # worker's memory grows with the corpus. (Past the warm-up, whichever tests ran before.)
    monkeypatch.setattr("extractor.nlp.WARM_UP_DOCS", 0)
    paths = []
    for i in range(4):
        path = tmp_path / f"{i}.txt"
        path.write_text(
            f"Sheriff Qzx{i}vel said the Polk County Sheriff's Office will not "
            f"hold people for ICE, citing policy fnord{i}zap.",
            encoding="utf-8",
        )
        paths.append(Input(str(path), "file"))
    before = len(nlp.vocab.strings)
    results = process_chunk(paths, nlp=nlp, settings=Settings())
    assert len(nlp.vocab.strings) == before
    assert "Polk County Sheriff's Office" in {a.agency for a in results[2].agencies}
    # The same texts outside a memory zone would have added their new words.
    list(nlp.pipe(path.read_text(encoding="utf-8") for path in tmp_path.iterdir()))
    assert len(nlp.vocab.strings) > before
