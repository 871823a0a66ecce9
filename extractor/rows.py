"""Output rows: the export schema, written once.

Field order is column order in every output format. The first columns of each
table are the contract the evaluation tooling reads (see README); columns may
be added after them, never before.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "error"]
AgencyType = Literal["police", "sheriff", "county", "city", "state", "federal", "other"]
SpeakerType = Literal["person", "agency", "unknown"]
Stance = Literal["refuses", "limits", "cooperates", "unclear"]
OriMatch = Literal["", "matched", "state_filled", "ambiguous", "not_found"]
Program287g = Literal["", "participating", "pending"]

AGENCY_TYPES: tuple[str, ...] = ("police", "sheriff", "county", "city", "state", "federal", "other")
STANCES: tuple[str, ...] = ("refuses", "limits", "cooperates", "unclear")


@dataclass(frozen=True, slots=True)
class ArticleRow:
    doc_id: str
    source: str
    title: str = ""
    published: str = ""
    author: str = ""
    site: str = ""
    language: str = ""
    word_count: int = 0
    text_sha256: str = ""
    status: Status = "ok"
    error: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class AgencyRow:
    doc_id: str
    agency: str
    agency_type: AgencyType
    state: str
    aliases: str
    mentions: int
    # Reference columns (extractor.reference): the FBI list and ICE's 287(g) lists.
    ori: str = ""
    ori_name: str = ""
    ori_match: OriMatch = ""
    in_287g: Program287g = ""
    agreement_287g: str = ""


@dataclass(frozen=True, slots=True)
class OfficialRow:
    doc_id: str
    name: str
    title: str
    agency: str
    mentions: int = 1


@dataclass(frozen=True, slots=True)
class QuoteRow:
    doc_id: str
    quote: str
    speaker: str
    speaker_type: SpeakerType
    speaker_title: str
    speaker_agency: str
    cue: str
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class StanceRow:
    doc_id: str
    agency: str
    stance: Stance
    evidence: str
    cue: str
    speaker: str
    confidence: float
    conflict: str = (
        ""  # a hint from extractor.reference: the stance meets a signed 287(g) agreement
    )


Row = ArticleRow | AgencyRow | OfficialRow | QuoteRow | StanceRow

#: Table name -> row class, in the order tables are written.
TABLES: dict[str, type[Any]] = {
    "articles": ArticleRow,
    "agencies": AgencyRow,
    "officials": OfficialRow,
    "quotes": QuoteRow,
    "stances": StanceRow,
}


def columns(table: str) -> list[str]:
    """Column names of ``table`` in output order."""
    return [f.name for f in dataclasses.fields(TABLES[table])]


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """Everything one input produced: its article row and its findings."""

    article: ArticleRow
    agencies: tuple[AgencyRow, ...] = ()
    officials: tuple[OfficialRow, ...] = ()
    quotes: tuple[QuoteRow, ...] = ()
    stances: tuple[StanceRow, ...] = ()

    def tables(self) -> dict[str, tuple[Any, ...]]:
        """Rows by table name, ``articles`` first."""
        return {
            "articles": (self.article,),
            "agencies": self.agencies,
            "officials": self.officials,
            "quotes": self.quotes,
            "stances": self.stances,
        }
