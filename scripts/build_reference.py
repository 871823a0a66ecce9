"""Regenerate ``extractor/data`` from the reference lists in ``../shared/data``, deterministically.

Usage: python scripts/build_reference.py [--source DIR] [--out DIR] [--check]

Reads the FBI agency list (``fbi_agencies/agencies.csv``) and ICE's 287(g)
lists (``ice_287g/*_2025-07-18pm.csv``) and writes the compact copies the
package ships (see ``extractor/data/README.md`` for what is kept and why):

- ``fbi_agencies.csv.gz``: ori, state, agency, type for every agency, in source
  order; names with whitespace collapsed, ``NA`` types as "". Gzip with a fixed
  header (no name, mtime 0), so the same input gives the same bytes.
- ``ice_287g.csv``: state (USPS code), agency, status (participating/pending),
  support_type, signed (ISO date; "" for pending), one row per agreement.

The same source files always give the same output bytes; ``--check`` compares
instead of writing and exits 1 when the packaged data differs.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "extractor" / "data"

FBI_FILE = Path("fbi_agencies") / "agencies.csv"
ICE_PARTICIPATING = Path("ice_287g") / "participating_agencies_2025-07-18pm.csv"
ICE_PENDING = Path("ice_287g") / "pending_agencies_2025-07-18pm.csv"

# Typos in ICE's SIGNED column of the 2025-07-18 snapshot, read as the date they
# evidently mean (recorded in extractor/data/README.md). Any other value that is
# not an ISO date stops the build, so a new snapshot's typos get a human decision.
SIGNED_FIXES = {
    "05/082025": "2025-05-08",  # Campbell County Sheriff's Office, VA
    "7/72025": "2025-07-07",  # Tooele County Sheriff's Office, UT
    "5025-07-07": "2025-07-07",  # Grundy County Sheriff's Office, TN
}
_ISO_DATE = re.compile(r"20\d\d-[01]\d-[0-3]\d")


class BuildError(Exception):
    """A source file is missing or does not look the way this script expects."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    # No file name and mtime 0 in the header: the bytes depend on the data only.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as fh:
        fh.write(data)
    return buffer.getvalue()


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise BuildError(f"missing source file {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def fbi_rows(source: Path) -> tuple[list[list[str]], dict[str, str]]:
    """Packaged FBI rows, and the upper-case state name -> USPS code table they imply."""
    rows: list[list[str]] = []
    states: dict[str, str] = {}
    seen: set[str] = set()
    for number, record in enumerate(_read(source / FBI_FILE), start=2):
        ori, state = record["ori"].strip(), record["state_abbr"].strip()
        if not re.fullmatch(r"[A-Z0-9]{9}", ori) or ori in seen:
            raise BuildError(f"{FBI_FILE}:{number}: bad or repeated ORI {ori!r}")
        if not re.fullmatch(r"[A-Z]{2}", state):
            raise BuildError(f"{FBI_FILE}:{number}: bad state code {state!r}")
        seen.add(ori)
        states[record["state"].strip().upper()] = state
        kind = record["agency_type"].strip()
        rows.append([ori, state, _clean(record["agency_name"]), "" if kind == "NA" else kind])
    return rows, states


def ice_rows(source: Path, states: dict[str, str]) -> list[list[str]]:
    """One packaged row per agreement: participating rows, then pending ones, in source order."""
    rows: list[list[str]] = []
    for status, path in (("participating", ICE_PARTICIPATING), ("pending", ICE_PENDING)):
        for number, record in enumerate(_read(source / path), start=2):
            state = states.get(record["STATE"].strip().upper())
            if state is None:
                raise BuildError(f"{path}:{number}: unknown state {record['STATE']!r}")
            support = _clean(record["SUPPORT TYPE"])
            support = "" if support in ("#N/A", "#NA") else support
            signed = ""
            if status == "participating":
                raw = record["SIGNED"].strip()
                signed = SIGNED_FIXES.get(raw, raw)
                if not _ISO_DATE.fullmatch(signed):
                    raise BuildError(f"{path}:{number}: SIGNED {raw!r} is not an ISO date")
            rows.append([state, _clean(record["LAW ENFORCEMENT AGENCY"]), status, support, signed])
    return rows


def build(source: Path) -> dict[str, bytes]:
    """File name -> bytes of every packaged data file derived from ``source``."""
    fbi, states = fbi_rows(source)
    ice = ice_rows(source, states)
    return {
        "fbi_agencies.csv.gz": _gzip(_csv_bytes(["ori", "state", "agency", "type"], fbi)),
        "ice_287g.csv": _csv_bytes(["state", "agency", "status", "support_type", "signed"], ice),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="the shared data directory"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="where the package keeps its data"
    )
    parser.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 on a difference"
    )
    args = parser.parse_args(argv)
    try:
        files = build(args.source)
    except BuildError as error:
        print(f"build_reference: {error}", file=sys.stderr)
        return 2
    differ = []
    for name, data in files.items():
        target = args.out / name
        if args.check:
            if not target.is_file() or target.read_bytes() != data:
                differ.append(name)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"wrote {target} ({len(data):,} bytes)")
    if differ:
        print(f"build_reference: out of date: {', '.join(differ)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
