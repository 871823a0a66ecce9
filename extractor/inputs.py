"""Inputs: expanding the user's INPUT arguments into ``Input`` specs, and loading one.

An INPUT is a file, a directory (walked for supported files), an http(s) URL,
or ``-`` (read more INPUTs from a text stream, one per line). Expansion is lazy
and never drops what the user named explicitly: a missing path or a file of an
unsupported type is still yielded, so loading it produces an error row the
reviewer can see.

``load_input`` lives here, not in ``load``, because it needs both ``load`` and
``fetch`` and ``fetch`` already imports ``load``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, TextIO

import httpx

from extractor.config import Settings
from extractor.fetch import fetch_url
from extractor.load import RawDocument, load_path, media_type_for

InputKind = Literal["file", "url"]
STDIN = "-"


@dataclass(frozen=True, slots=True)
class Input:
    """One document to load: ``source`` exactly as the user gave it, and how to load it."""

    source: str
    kind: InputKind


def iter_inputs(args: Iterable[str], *, stdin: TextIO | None = None) -> Iterator[Input]:
    """Expand ``args`` lazily into ``Input``s, in the order given.

    ``-`` reads INPUTs from ``stdin`` (``sys.stdin`` when None), one per line;
    blank lines and lines starting with ``#`` are ignored. A directory yields
    its supported files (``.html``, ``.htm``, ``.txt``, each optionally
    ``.gz``) recursively in sorted order, skipping hidden files and
    directories; anything else is yielded as given.
    """
    for arg in args:
        if arg == STDIN:
            yield from _iter_stream(sys.stdin if stdin is None else stdin)
        else:
            yield from _expand(arg)


def _iter_stream(stream: TextIO) -> Iterator[Input]:
    for line in stream:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        # A "-" inside the list is not read again; it is a (missing) path.
        if entry == STDIN:
            yield Input(entry, "file")
        else:
            yield from _expand(entry)


def _expand(arg: str) -> Iterator[Input]:
    if _is_url(arg):
        yield Input(arg, "url")
    elif os.path.isdir(arg):
        yield from _walk(arg)
    else:
        yield Input(arg, "file")


def _is_url(arg: str) -> bool:
    # Any "scheme://" goes to the fetcher, which names an unsupported scheme
    # (ftp://, file://) in its error instead of reporting a missing file.
    scheme, sep, _ = arg.partition("://")
    return bool(sep) and scheme.isascii() and scheme.isalpha() and len(scheme) > 1


def _walk(directory: str) -> Iterator[Input]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        # Unreadable directory: yield it so loading reports "unreadable".
        yield Input(directory, "file")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(directory, entry.name)
        # Symlinked directories are not followed: they can form cycles.
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(path)
        elif entry.is_file() and media_type_for(entry.name) is not None:
            yield Input(path, "file")


def load_input(
    item: Input, *, settings: Settings, client: httpx.Client | None = None
) -> RawDocument:
    """The bytes of ``item``: fetched for a URL, read from disk for a file.

    Raises the ``ExtractorError`` of ``fetch_url`` or ``load_path``.
    """
    if item.kind == "url":
        return fetch_url(item.source, settings=settings, client=client)
    return load_path(item.source, settings=settings)
