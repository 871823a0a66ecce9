"""The ``extractor`` command line: ``extract``, ``parse``, ``evaluate``, ``run``, ``export``,
``review``, ``changes`` and ``report``.

Exit codes (documented in the README):
    0  every input produced an article (``extract``, ``parse``), or the report was printed
    1  ``extract`` or ``parse`` finished but some inputs failed
       (``run``: some pages or sources failed; the rest are stored)
    2  usage or configuration error (bad option, unknown model, unreadable gold file,
       invalid pipeline file, store in use by another run, a review sheet with problems:
       nothing imported)
    3  ``run`` was stopped by SIGINT/SIGTERM after its current pages; run it again to go on
    130  ``run`` was aborted by a second Ctrl-C (the page in progress rolled back)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from extractor.api import ENGINES, extract_to
from extractor.changes import (
    CHANGE_FORMATS,
    describe,
    find_changes,
    format_changes,
    stance_timeline,
)
from extractor.config import FORMATS, Settings
from extractor.errors import ConfigError, ExtractorError
from extractor.evaluate import evaluate, format_report, load_gold
from extractor.export import write_text_atomic
from extractor.fetch import new_client
from extractor.inputs import RecordColumns, iter_inputs
from extractor.nlp import load_nlp
from extractor.parse import Page
from extractor.run import read_page
from extractor.store import Store, parse_since
from extractor.workers import default_workers

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
#: ``run`` stopped by SIGINT/SIGTERM after committing its current pages; run it again to go on.
EXIT_INTERRUPTED = 3
#: ``run`` aborted by a second Ctrl-C (128 + SIGINT, as shells report it).
EXIT_ABORTED = 130
_DEFAULTS = Settings()

log = logging.getLogger("extractor")


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {unknown[0] if unknown else value!r}; choose from {', '.join(FORMATS)}"
        )
    return chosen


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _add_reading_options(command: argparse.ArgumentParser) -> None:
    """Options of every command that loads files and fetches URLs (``extract``, ``parse``)."""
    command.add_argument(
        "--max-bytes",
        type=int,
        default=_DEFAULTS.max_bytes,
        help="largest input accepted, in bytes",
    )
    command.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.read_timeout,
        help="read timeout for URLs, seconds",
    )
    command.add_argument(
        "--allow-private",
        action="store_true",
        help="fetch URLs on private, loopback or link-local addresses (refused by default)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="extractor",
        description="Turn news articles and press releases into reviewable tables of agencies, "
        "officials, quotes and cooperation stances.",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each input as it is processed"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser(
        "extract", help="extract tables from files, directories, URLs or stdin"
    )
    extract.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=".html/.htm/.txt file (optionally .gz), directory (recursive), http(s) URL, "
        "- for stdin, or a collection read record by record: .jsonl/.csv with a text or HTML "
        "column, .warc/.warc.gz archive",
    )
    extract.add_argument("--out", required=True, type=Path, help="directory for the tables")
    extract.add_argument(
        "--format",
        default=("csv",),
        type=_formats,
        dest="formats",
        help="comma-separated: csv,jsonl,parquet (default csv)",
    )
    extract.add_argument(
        "--model", default=_DEFAULTS.model, help="installed spaCy model (default %(default)s)"
    )
    extract.add_argument(
        "--excel", action="store_true", help="write CSV with a UTF-8 BOM for spreadsheets"
    )
    _add_reading_options(extract)
    extract.add_argument(
        "--batch-size",
        type=_positive,
        default=_DEFAULTS.batch_size,
        help="documents per nlp.pipe batch, per worker task and per Dask partition "
        "(default %(default)s)",
    )
    extract.add_argument(
        "--batch-chars",
        type=_positive,
        default=_DEFAULTS.batch_chars,
        help="most characters of text per nlp.pipe batch; bounds the model's memory "
        "(default %(default)s)",
    )
    scale = extract.add_argument_group("batch engines")
    scale.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes for parsing and NLP, each loading the model once; with --engine dask, "
        "the workers of the local cluster (default: the number of cores)",
    )
    scale.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: worker processes on this machine; dask: a Dask cluster "
        '(needs pip install "extractor[dask]") (default %(default)s)',
    )
    scale.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786); default: start a local cluster",
    )
    records = extract.add_argument_group("JSONL and CSV inputs")
    columns = RecordColumns()
    records.add_argument(
        "--text-column", default=columns.text, help="column of plain text (default %(default)s)"
    )
    records.add_argument(
        "--html-column",
        default=columns.html,
        help="column of HTML, used when not empty (default %(default)s)",
    )
    records.add_argument(
        "--id-column",
        default=columns.id,
        help="column naming each record; becomes its source (default %(default)s; "
        "without it: FILE#L<line> or FILE#R<row>)",
    )
    records.add_argument(
        "--url-column", default=columns.url, help="column of the article URL (default %(default)s)"
    )

    parse = commands.add_parser(
        "parse", help="print the main text and metadata the pipeline reads from each input"
    )
    parse.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE_OR_URL",
        help=".html/.htm/.html.gz/.txt file, directory (recursive), http(s) URL, or - for stdin",
    )
    parse.add_argument(
        "--format",
        choices=("jsonl", "text"),
        default="jsonl",
        dest="output_format",
        help="one JSON object per input (default), or readable text",
    )
    _add_reading_options(parse)
    _add_store_commands(commands)
    _add_review_commands(commands)
    _add_timeline_commands(commands)

    score = commands.add_parser(
        "evaluate",
        help="score predicted tables against gold JSONL, or a store's findings against its reviews",
    )
    score.add_argument("--gold", type=Path, help="gold JSONL (see GOLD-FORMAT.md)")
    score.add_argument("--pred", type=Path, help="directory written by `extractor extract`")
    _add_reviewed_evaluation(score)
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    score.add_argument(
        "--details", action="store_true", help="list missed and spurious items per document"
    )
    return parser


def _add_store_commands(commands: Any) -> None:
    """``run`` (a pipeline file) and ``export`` (a store's tables)."""
    crawl = commands.add_parser(
        "run",
        help="run a pipeline file: discover, fetch, store and extract, then write its outputs",
    )
    crawl.add_argument("pipeline", type=Path, help="pipeline file, e.g. pipelines/nightly.toml")
    crawl.add_argument(
        "--no-extract",
        action="store_true",
        help="fetch and store only (no parsing or NLP); overrides the file's extract key",
    )
    crawl.add_argument(
        "--progress",
        choices=("auto", "bar", "log"),
        default="auto",
        help="a progress bar, log lines, or a bar only on a terminal (default)",
    )
    export = commands.add_parser(
        "export", help="write a store's tables (and its per-URL fetch_log) to a directory"
    )
    export.add_argument("--store", required=True, type=Path, help="the store (SQLite file)")
    export.add_argument("--out", required=True, type=Path, help="directory for the tables")
    export.add_argument(
        "--since",
        help="only articles extracted, and fetches made, at or after this date or time "
        "(ISO 8601, UTC unless an offset is given)",
    )
    export.add_argument(
        "--format",
        default=("csv",),
        type=_formats,
        dest="formats",
        help="comma-separated: csv,jsonl,parquet (default csv)",
    )
    export.add_argument(
        "--excel", action="store_true", help="write CSV with a UTF-8 BOM for spreadsheets"
    )


def _add_timeline_commands(commands: Any) -> None:
    """``changes`` and ``report``: agencies' stances over time, from a store."""
    dates = "(ISO 8601, UTC unless an offset is given)"
    changes = commands.add_parser(
        "changes", help="list agencies whose stance changed between articles, with both evidences"
    )
    changes.add_argument("--store", required=True, type=Path, help="the store (SQLite file)")
    changes.add_argument(
        "--since",
        help=f"only changes whose later article is dated at or after this date or time {dates}",
    )
    changes.add_argument(
        "--format",
        choices=CHANGE_FORMATS,
        default="text",
        dest="output_format",
        help="readable text (default), CSV or JSON lines",
    )
    changes.add_argument(
        "--out", type=Path, help="write to this file (replaced atomically) instead of stdout"
    )
    report = commands.add_parser(
        "report", help="write one self-contained HTML page of agencies and their stances"
    )
    report.add_argument("--store", required=True, type=Path, help="the store (SQLite file)")
    report.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    report.add_argument(
        "--since",
        help="only agencies with a stance in an article dated at or after this date or time "
        f"(each with its whole timeline) {dates}",
    )


def _add_review_commands(commands: Any) -> None:
    """``review export`` (a sheet of findings to check) and ``review import`` (the decisions)."""
    review = commands.add_parser(
        "review", help="check findings in a spreadsheet and keep the decisions in the store"
    )
    actions = review.add_subparsers(dest="review_command", required=True)
    sheet = actions.add_parser(
        "export", help="write a review sheet (CSV): one row per finding, flagged rows first"
    )
    sheet.add_argument("--store", required=True, type=Path, help="the store (SQLite file)")
    sheet.add_argument(
        "--out", required=True, type=Path, help="the sheet to write, e.g. review.csv"
    )
    sheet.add_argument(
        "--since",
        help="only findings of articles extracted at or after this date or time (ISO 8601)",
    )
    sheet.add_argument(
        "--include-reviewed",
        action="store_true",
        help="also list findings that have a decision (filled in); left out by default",
    )
    decisions = actions.add_parser(
        "import", help="check a filled-in review sheet and store its decisions"
    )
    decisions.add_argument("sheet", type=Path, help="the review sheet (CSV)")
    decisions.add_argument("--store", required=True, type=Path, help="the store (SQLite file)")
    decisions.add_argument(
        "--reviewer", help="who reviewed, for rows whose reviewer column is empty"
    )


def _add_reviewed_evaluation(score: argparse.ArgumentParser) -> None:
    reviewed = score.add_argument_group("reviewed rows as gold")
    reviewed.add_argument("--store", type=Path, help="the store (SQLite file)")
    reviewed.add_argument(
        "--reviewed",
        action="store_true",
        help="score the store's findings against its review decisions (needs --store)",
    )


def _open_store(path: Path) -> Store:
    """An existing store (opening a missing path would create an empty one)."""
    if not path.is_file():
        raise ConfigError(f"no such store: {path}")
    return Store(path)


def _run_changes(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    with _open_store(args.store) as store:
        timelines = stance_timeline(store, since=since)
    rows = find_changes(timelines, since=since)
    content = format_changes(rows, args.output_format)
    if args.out is not None:
        write_text_atomic(args.out, content)
    else:
        sys.stdout.write(content)
    print(
        f"{describe(rows, timelines)}{f' (written to {args.out})' if args.out else ''}",
        file=sys.stderr,
    )
    return EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    from extractor.report import write_report

    since = parse_since(args.since) if args.since else None
    with _open_store(args.store) as store:
        summary = write_report(store, args.out, since=since)
    print(f"{summary} written to {args.out}", file=sys.stderr)
    return EXIT_OK


def _run_review(args: argparse.Namespace) -> int:
    from extractor.review import export_sheet, import_sheet

    if args.review_command == "export":
        since = parse_since(args.since) if args.since else None
        with _open_store(args.store) as store:
            summary = export_sheet(
                store, args.out, since=since, include_reviewed=args.include_reviewed
            )
        print(
            f"{summary.rows} findings ({summary.flagged} flagged) written to {args.out}"
            + (
                f"; {summary.reviewed_left_out} already reviewed left out (--include-reviewed)"
                if summary.reviewed_left_out
                else ""
            ),
            file=sys.stderr,
        )
        return EXIT_OK
    if not args.sheet.is_file():
        raise ConfigError(f"no such review sheet: {args.sheet}")
    with _open_store(args.store) as store:
        result = import_sheet(store, args.sheet, reviewer=args.reviewer)
    print(f"{args.sheet}: {result.format()}", file=sys.stderr)
    return EXIT_OK


def _run_reviewed_evaluation(args: argparse.Namespace) -> int:
    from extractor.evaluate import evaluate_reviewed, format_reviewed

    if args.gold is not None or args.pred is not None:
        raise ConfigError("--reviewed scores a store: give --store, not --gold/--pred")
    if args.store is None:
        raise ConfigError("--reviewed needs --store PATH")
    if args.details:
        raise ConfigError(
            "--details lists gold items; to see reviewed findings, "
            "use review export --include-reviewed"
        )
    with _open_store(args.store) as store:
        report = evaluate_reviewed(store)
    print(json.dumps(report.to_dict(), indent=2) if args.json else format_reviewed(report).rstrip())
    return EXIT_OK


def _run_pipeline(args: argparse.Namespace) -> int:
    from extractor.crawl import run_pipeline
    from extractor.pipeline import load_pipeline

    pipeline = load_pipeline(args.pipeline, extract=False if args.no_extract else None)
    progress = {"auto": None, "bar": True, "log": False}[args.progress]
    # Progress lines (when not on a terminal) are INFO: cron mails and journald keep them.
    logging.getLogger("extractor.crawl").setLevel(logging.INFO)
    try:
        report = run_pipeline(pipeline, progress=progress)
    except KeyboardInterrupt:
        # The second Ctrl-C: the page in progress was rolled back.
        print("extractor: aborted; the store holds whole pages only", file=sys.stderr)
        return EXIT_ABORTED
    print(report.format(), file=sys.stderr)
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


def _run_export(args: argparse.Namespace) -> int:
    from extractor.crawl import export_store

    since = parse_since(args.since) if args.since else None
    with _open_store(args.store) as store:
        written = export_store(store, args.out, formats=args.formats, excel=args.excel, since=since)
    print(f"{len(written)} files written to {args.out}/", file=sys.stderr)
    return EXIT_OK


def _run_extract(args: argparse.Namespace) -> int:
    settings = Settings(
        model=args.model,
        formats=args.formats,
        excel=args.excel,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        batch_size=args.batch_size,
        batch_chars=args.batch_chars,
        allow_private=args.allow_private,
    )
    if args.scheduler is not None and args.engine != "dask":
        raise ConfigError("--scheduler needs --engine dask")
    workers = default_workers() if args.workers is None else args.workers
    # In this process only when the work runs here; workers load their own model.
    nlp = load_nlp(settings.model) if workers == 1 and args.engine == "local" else None
    summary = extract_to(
        args.inputs,
        args.out,
        settings=settings,
        workers=workers,
        engine=args.engine,
        scheduler=args.scheduler,
        columns=RecordColumns(
            text=args.text_column, html=args.html_column, id=args.id_column, url=args.url_column
        ),
        nlp=nlp,
    )
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary.reasons.most_common())
    print(
        f"{summary.inputs} inputs: {summary.ok} ok, {summary.failed} failed"
        f"{f' ({reasons})' if reasons else ''}; tables in {args.out}/ "
        f"({', '.join(settings.formats)})",
        file=sys.stderr,
    )
    if summary.skipped:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.skipped.items()))
        print(
            f"skipped {summary.skipped.total()} archive records that are not articles: {kinds}",
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK


def _run_parse(args: argparse.Namespace) -> int:
    """One record per input, in input order: the page, or a JSON error line."""
    settings = Settings(
        max_bytes=args.max_bytes, read_timeout=args.timeout, allow_private=args.allow_private
    )
    failed = 0
    with contextlib.ExitStack() as stack:
        client = None
        for item in iter_inputs(args.inputs, stdin=sys.stdin):
            if item.kind == "url" and client is None:
                client = stack.enter_context(new_client(settings))
            try:
                page = read_page(item, settings=settings, client=client)
            except ExtractorError as error:
                failed += 1
                log.warning("%s: %s", item.source, error.describe())
                record = {"source": item.source, "status": "error", "reason": error.reason}
                print(json.dumps({**record, "error": error.describe()}, ensure_ascii=False))
                continue
            print(_format_page(page, args.output_format), flush=args.output_format == "jsonl")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _format_page(page: Page, output_format: str) -> str:
    fields = {
        "source": page.source,
        "status": "ok",
        "title": page.title,
        "published": page.published,
        "author": page.author,
        "site": page.site,
        "language": page.language,
        "url": page.url,
    }
    if output_format == "jsonl":
        return json.dumps({**fields, "text": page.text}, ensure_ascii=False)
    header = [f"==> {page.source} <=="]
    header += [f"{name}: {value}" for name, value in fields.items() if name != "source"]
    return "\n".join(header) + "\n\n" + page.text + "\n"


def _run_evaluate(args: argparse.Namespace) -> int:
    if args.reviewed:
        return _run_reviewed_evaluation(args)
    if args.gold is None or args.pred is None or args.store is not None:
        raise ConfigError("evaluate needs --gold GOLD.jsonl --pred DIR, or --store PATH --reviewed")
    report = evaluate(load_gold(args.gold), args.pred)
    print(
        json.dumps(report.to_dict(), indent=2)
        if args.json
        else format_report(report, verbose=args.details)
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
        stream=sys.stderr,
    )
    try:
        if args.command == "extract":
            return _run_extract(args)
        if args.command == "parse":
            return _run_parse(args)
        if args.command == "run":
            return _run_pipeline(args)
        if args.command == "export":
            return _run_export(args)
        if args.command == "review":
            return _run_review(args)
        if args.command == "changes":
            return _run_changes(args)
        if args.command == "report":
            return _run_report(args)
        return _run_evaluate(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly, as Unix tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (must stay open until exit)
        return EXIT_OK
    except (ConfigError, ExtractorError) as error:
        # Errors here concern the whole run (model, gold file, output directory), not one input.
        print(f"extractor: error: {error}", file=sys.stderr)
        return EXIT_USAGE
