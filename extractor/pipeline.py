"""Pipeline files: a TOML file naming sources, fetch settings, the store and the outputs, validated.

``load_pipeline`` reads ``pipelines/NAME.toml`` and returns a ``Pipeline`` or
raises a ``ConfigError`` naming the first problem with its table path
(``fetch.per_host_dealy: unknown key (did you mean per_host_delay?)``,
``fetch.retries: expected an integer, got "3"``). Keys of ``[fetch]`` and
``[nlp]`` are the fields of ``Settings``, found by introspection, so a new
setting is usable in a pipeline file without touching this module. Relative
paths resolve against the directory of the TOML file, so a pipeline behaves
the same from any working directory (cron and systemd start elsewhere).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from extractor.config import FORMATS, Settings
from extractor.errors import ConfigError

SourceKind = Literal["urls", "feed", "sitemap", "directory"]
SOURCE_KINDS: tuple[str, ...] = ("urls", "feed", "sitemap", "directory")

#: ``Settings`` fields set in ``[nlp]`` and ``[output]``; every other field belongs to ``[fetch]``.
NLP_KEYS: tuple[str, ...] = ("model", "batch_size", "batch_chars")
OUTPUT_SETTINGS: tuple[str, ...] = ("formats", "excel")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """One source of a pipeline.

    ``location`` is an http(s) URL or an absolute path: of a URL list (one
    URL a line, ``#`` comments) for ``urls``, of a feed or a sitemap, or of a
    directory for ``directory``. ``urls`` may list URLs inline in ``urls``
    instead of (or as well as) naming a list file.
    """

    kind: SourceKind
    location: str = ""
    urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A validated pipeline file: what to crawl, how, where to keep it, what to write."""

    name: str
    path: Path
    sources: tuple[SourceSpec, ...]
    store: Path
    settings: Settings
    #: Run the NLP and write rows; False is a fetch+store-only crawl.
    extract: bool = True
    #: Directory the tables are exported to after each run; None writes none.
    out_dir: Path | None = None


_TOP_KEYS = ("name", "extract", "store", "sources", "fetch", "nlp", "output")
_SOURCE_KEYS: dict[str, tuple[str, ...]] = {
    "urls": ("kind", "urls", "url", "file"),
    "feed": ("kind", "url", "file"),
    "sitemap": ("kind", "url", "file"),
    "directory": ("kind", "path"),
}


def load_pipeline(path: Path | str, *, extract: bool | None = None) -> Pipeline:
    """Read and validate the pipeline file ``path``; ``extract`` overrides its ``extract`` key."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such pipeline file") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return parse_pipeline(data, path=path.resolve(), extract=extract)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def parse_pipeline(data: Mapping[str, Any], *, path: Path, extract: bool | None = None) -> Pipeline:
    """Validate the parsed TOML ``data`` of the pipeline file at ``path`` (absolute)."""
    base = path.parent
    _check_keys(data, _TOP_KEYS, where="")
    name = _get(data, "name", str, where="", default=path.stem)
    extract_key = _get(data, "extract", bool, where="", default=True)

    store_table = _table(data, "store", where="", required=True)
    _check_keys(store_table, ("path",), where="store")
    store = _resolve(base, _get(store_table, "path", str, where="store", required=True))

    sources_value = data.get("sources")
    if sources_value is None:
        raise ConfigError("sources: required: at least one [[sources]] table")
    if not isinstance(sources_value, list) or not all(
        isinstance(item, dict) for item in sources_value
    ):
        raise ConfigError(
            f"sources: expected an array of tables ([[sources]]), got {_render(sources_value)}"
        )
    if not sources_value:
        raise ConfigError("sources: required: at least one [[sources]] table")
    sources = tuple(
        _source(item, where=f"sources[{index}]", base=base)
        for index, item in enumerate(sources_value)
    )

    changes: dict[str, Any] = {}
    fetch_keys = tuple(
        name for name in _settings_fields() if name not in NLP_KEYS and name not in OUTPUT_SETTINGS
    )
    for table_name, allowed in (("fetch", fetch_keys), ("nlp", NLP_KEYS)):
        table = _table(data, table_name, where="")
        _check_keys(table, allowed, where=table_name)
        for key, value in table.items():
            changes[key] = _coerce(value, _settings_hints()[key], where=f"{table_name}.{key}")

    output = _table(data, "output", where="")
    _check_keys(output, ("dir", *OUTPUT_SETTINGS), where="output")
    out_value = _get(output, "dir", str, where="output")
    out_dir = _resolve(base, out_value) if out_value is not None else None
    for key in OUTPUT_SETTINGS:
        if key in output:
            changes[key] = _coerce(output[key], _settings_hints()[key], where=f"output.{key}")
    if "formats" in changes:
        unknown = [fmt for fmt in changes["formats"] if fmt not in FORMATS]
        if unknown or not changes["formats"]:
            raise ConfigError(
                f"output.formats: unknown format {_render(unknown[0] if unknown else [])}; "
                f"choose from {', '.join(FORMATS)}"
            )
    try:
        settings = Settings().replace(**changes)
    except ConfigError as exc:
        # Settings checks ranges ("batch_size must be positive") and names the field only.
        field = str(exc).split(" ", 1)[0]
        section = "nlp" if field in NLP_KEYS else "output" if field in OUTPUT_SETTINGS else "fetch"
        if field not in changes:
            raise ConfigError(f"settings: {exc}") from exc
        raise ConfigError(f"{section}.{field}: {str(exc).removeprefix(field).strip()}") from exc
    return Pipeline(
        name=name,
        path=path,
        sources=sources,
        store=store,
        settings=settings,
        extract=extract_key if extract is None else extract,
        out_dir=out_dir,
    )


def _source(item: Mapping[str, Any], *, where: str, base: Path) -> SourceSpec:
    kind = _get(item, "kind", str, where=where, required=True)
    if kind not in SOURCE_KINDS:
        raise ConfigError(
            f"{where}.kind: unknown source kind {_render(kind)}; "
            f"choose from {', '.join(SOURCE_KINDS)}"
        )
    _check_keys(item, _SOURCE_KEYS[kind], where=where, context=f'for kind "{kind}"')
    if kind == "directory":
        path = _get(item, "path", str, where=where, required=True)
        return SourceSpec("directory", str(_resolve(base, path)))
    url = _get(item, "url", str, where=where)
    file = _get(item, "file", str, where=where)
    urls = _get(item, "urls", tuple[str, ...], where=where, default=())
    if url is not None and file is not None:
        raise ConfigError(f'{where}: give "url" or "file", not both')
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}.url: expected an http(s) URL, got {_render(url)}")
    location = url if url is not None else str(_resolve(base, file)) if file is not None else ""
    if not location and not urls:
        wanted = '"urls" (a list), "url" or "file"' if kind == "urls" else '"url" or "file"'
        raise ConfigError(f'{where}: kind "{kind}" needs {wanted}')
    return SourceSpec(typing.cast(SourceKind, kind), location, urls)


def _resolve(base: Path, value: str) -> Path:
    return (base / Path(value).expanduser()).resolve()


def _settings_fields() -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(Settings))


def _settings_hints() -> dict[str, Any]:
    return typing.get_type_hints(Settings)


def _check_keys(
    table: Mapping[str, Any], allowed: tuple[str, ...], *, where: str, context: str = ""
) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(allowed)})"
            raise ConfigError(
                f"{_join(where, key)}: unknown key{' ' + context if context else ''}{hint}"
            )


def _table(
    data: Mapping[str, Any], key: str, *, where: str, required: bool = False
) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{_join(where, key)}: required: a [{_join(where, key)}] table")
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{_join(where, key)}: expected a table, got {_render(value)}")
    return value


def _get(
    table: Mapping[str, Any],
    key: str,
    hint: Any,
    *,
    where: str,
    required: bool = False,
    default: Any = None,
) -> Any:
    if key not in table:
        if required:
            raise ConfigError(f"{_join(where, key)}: required key is missing")
        return default
    return _coerce(table[key], hint, where=_join(where, key))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _coerce(value: Any, hint: Any, *, where: str) -> Any:
    """``value`` as the type ``hint`` (a Settings annotation), or a ConfigError saying what was expected."""
    result = _convert(value, hint)
    if result is _MISMATCH:
        raise ConfigError(f"{where}: expected {_describe(hint)}, got {_render(value)}")
    return result


_MISMATCH = object()


def _convert(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is bool:
        return value if isinstance(value, bool) else _MISMATCH
    if hint is int:
        # bool is an int subclass; `retries = true` is a mistake, not 1.
        return value if isinstance(value, int) and not isinstance(value, bool) else _MISMATCH
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok else _MISMATCH
    if hint is str:
        return value if isinstance(value, str) else _MISMATCH
    if origin is tuple:
        args = typing.get_args(hint)
        if not isinstance(value, list):
            return _MISMATCH
        item_hint = args[0] if len(args) == 2 and args[1] is Ellipsis else Any
        items = [_convert(item, item_hint) for item in value]
        return _MISMATCH if any(item is _MISMATCH for item in items) else tuple(items)
    if origin in (typing.Union, types.UnionType):
        # TOML has no null, so an optional setting is set by giving its value.
        for arm in typing.get_args(hint):
            if arm is type(None):
                continue
            converted = _convert(value, arm)
            if converted is not _MISMATCH:
                return converted
        return _MISMATCH
    if origin is Literal:
        return value if value in typing.get_args(hint) else _MISMATCH
    if hint is Any:
        return value
    raise ConfigError(f"setting of type {hint!r} cannot be set from a pipeline file")


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    names = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
    if hint in names:
        return names[hint]
    if origin is tuple:
        args = typing.get_args(hint)
        return f"a list of {_describe(args[0]).removeprefix('a ').removeprefix('an ')}s"
    if origin is Literal:
        return "one of " + ", ".join(_render(arg) for arg in typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arm) for arm in typing.get_args(hint) if arm is not type(None))
    return str(hint)


def _render(value: Any) -> str:
    """``value`` as it would be written in TOML (strings double-quoted)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    # default=str: TOML dates and times are shown as written.
    return json.dumps(value, ensure_ascii=False, default=str)
