"""The ``extractor`` command line: ``extract``, ``parse`` and ``evaluate``.

Exit codes (documented in the README):
    0  every input produced an article (``extract``, ``parse``), or the report was printed
    1  ``extract`` or ``parse`` finished but some inputs failed
    2  usage or configuration error (bad option, unknown model, unreadable gold file)
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

from extractor.config import FORMATS, Settings
from extractor.errors import ConfigError, ExtractorError
from extractor.evaluate import evaluate, format_report, load_gold
from extractor.export import to_frames, write_tables
from extractor.fetch import new_client
from extractor.inputs import iter_inputs
from extractor.nlp import load_nlp
from extractor.parse import Page
from extractor.rows import DocumentRows
from extractor.run import process, read_page

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
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
        help=".html/.htm/.html.gz/.txt file, directory (recursive), http(s) URL, or - for stdin",
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
    extract.add_argument(
        "--max-bytes",
        type=int,
        default=_DEFAULTS.max_bytes,
        help="largest input accepted, in bytes",
    )
    extract.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.read_timeout,
        help="read timeout for URLs, seconds",
    )
    extract.add_argument(
        "--batch-size", type=int, default=_DEFAULTS.batch_size, help="documents per nlp.pipe batch"
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
    parse.add_argument(
        "--max-bytes",
        type=int,
        default=_DEFAULTS.max_bytes,
        help="largest input accepted, in bytes",
    )
    parse.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.read_timeout,
        help="read timeout for URLs, seconds",
    )

    score = commands.add_parser("evaluate", help="score predicted tables against gold JSONL")
    score.add_argument("--gold", required=True, type=Path, help="gold JSONL (see GOLD-FORMAT.md)")
    score.add_argument(
        "--pred", required=True, type=Path, help="directory written by `extractor extract`"
    )
    score.add_argument("--json", action="store_true", help="print the report as JSON")
    score.add_argument(
        "--details", action="store_true", help="list missed and spurious items per document"
    )
    return parser


def _run_extract(args: argparse.Namespace) -> int:
    settings = Settings(
        model=args.model,
        formats=args.formats,
        excel=args.excel,
        max_bytes=args.max_bytes,
        read_timeout=args.timeout,
        batch_size=args.batch_size,
    )
    nlp = load_nlp(settings.model)
    results: list[DocumentRows] = []
    for rows in process(iter_inputs(args.inputs, stdin=sys.stdin), nlp=nlp, settings=settings):
        article = rows.article
        if article.status == "error":
            log.warning("%s: %s", article.source, article.error)
        else:
            log.info(
                "%s: %d agencies, %d quotes, %d stances",
                article.source,
                len(rows.agencies),
                len(rows.quotes),
                len(rows.stances),
            )
        results.append(rows)
    write_tables(to_frames(results), args.out, formats=settings.formats, excel=settings.excel)
    failed = sum(1 for rows in results if rows.article.status == "error")
    print(
        f"{len(results)} inputs: {len(results) - failed} ok, {failed} failed; tables in {args.out}/ "
        f"({', '.join(settings.formats)})",
        file=sys.stderr,
    )
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _run_parse(args: argparse.Namespace) -> int:
    """One record per input, in input order: the page, or a JSON error line."""
    settings = Settings(max_bytes=args.max_bytes, read_timeout=args.timeout)
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
        return _run_evaluate(args)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly, as Unix tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (must stay open until exit)
        return EXIT_OK
    except (ConfigError, ExtractorError) as error:
        # Errors here concern the whole run (model, gold file, output directory), not one input.
        print(f"extractor: error: {error}", file=sys.stderr)
        return EXIT_USAGE
