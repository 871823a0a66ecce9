"""Stance timelines: each agency's stances across a store's articles, in date order, and the changes.

Rules (the README's "Stance changes and the HTML report" states them too):

- **Who.** An agency is its FBI ORI code when the article linked one, else its
  name key (``reference.name_key``: spelling variants folded) with its state.
  A name and state that some article linked to one ORI take that ORI in the
  articles that did not. A name with no state is an agency of its own (no
  guess from namesakes in other states).
- **When.** The article's ``published`` date; an article without one (or with
  one that is not ISO 8601) is placed at the time it was extracted into the
  store, and says so (``dated_by = "extracted"``). Articles of the same
  moment are in URL order, so the order never depends on the crawl.
- **Position.** An article gives an agency one position: its most confident
  stance other than ``unclear`` (``unclear`` only when that is all the article
  says). The extractor writes one stance per agency and article, so this
  matters only for agencies an ORI joins.
- **Change.** Two consecutive positions with different labels, ``unclear``
  skipped: ``refuses``, ``unclear``, ``refuses`` is no change, ``refuses``,
  ``unclear``, ``cooperates`` is one (``refuses`` -> ``cooperates``), and a
  first clear stance after ``unclear`` ones is none. The latest stance of an
  agency follows the same rule.

``stance_timeline`` is the one place stance rows are read from the store
(``_read_entries``, which lays the review decisions over them: ``review.review_row``); ``extractor
changes`` and the HTML report both start from it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Literal

from extractor.errors import ConfigError
from extractor.export import csv_safe
from extractor.reference import name_key
from extractor.review import review_row
from extractor.rows import StanceRow
from extractor.store import Store

DatedBy = Literal["published", "extracted"]
#: Output formats of ``extractor changes``.
CHANGE_FORMATS: tuple[str, ...] = ("text", "csv", "jsonl")


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One stance of one agency in one article, with what the timeline needs of both."""

    doc_id: str
    ord: int
    agency: str
    agency_type: str
    state: str
    ori: str
    in_287g: str
    agreement_287g: str
    stance: str
    evidence: str
    cue: str
    speaker: str
    confidence: float
    conflict: str
    #: The date shown: the published date as the article gives it (day only), or the extraction day.
    date: str
    dated_by: DatedBy
    #: The moment in UTC (ISO 8601), for ordering and ``--since``.
    moment: str
    title: str
    #: The article's URL; for a local file, its path.
    url: str
    site: str


@dataclass(frozen=True, slots=True)
class Timeline:
    """One agency's entries in date order (then article URL, then order in the article)."""

    key: str
    entries: tuple[TimelineEntry, ...]

    @property
    def agency(self) -> str:
        """The name the latest article uses."""
        return self.entries[-1].agency

    @property
    def state(self) -> str:
        return next((e.state for e in reversed(self.entries) if e.state), "")

    @property
    def ori(self) -> str:
        return next((e.ori for e in reversed(self.entries) if e.ori), "")

    @property
    def agency_type(self) -> str:
        return self.entries[-1].agency_type

    @property
    def in_287g(self) -> tuple[str, str]:
        """``(status, agreement)`` from the reference data, as the latest linked entry has it."""
        for entry in reversed(self.entries):
            if entry.in_287g:
                return entry.in_287g, entry.agreement_287g
        return "", ""

    @property
    def articles(self) -> int:
        return len({entry.doc_id for entry in self.entries})

    def positions(self) -> list[TimelineEntry]:
        """One entry per article, in order: the article's position (see the module rules)."""
        best: dict[str, TimelineEntry] = {}
        order: list[str] = []
        for entry in self.entries:
            held = best.get(entry.doc_id)
            if held is None:
                order.append(entry.doc_id)
                best[entry.doc_id] = entry
            elif _strength(entry) > _strength(held):
                best[entry.doc_id] = entry
        return [best[doc_id] for doc_id in order]

    @property
    def latest(self) -> str:
        """The latest stance other than ``unclear``; ``unclear`` if there is no other."""
        clear = [entry.stance for entry in self.positions() if entry.stance != "unclear"]
        return clear[-1] if clear else "unclear"

    def changes(self) -> list[tuple[TimelineEntry, TimelineEntry]]:
        """``(before, after)`` for each change of position, ``unclear`` skipped."""
        found: list[tuple[TimelineEntry, TimelineEntry]] = []
        previous: TimelineEntry | None = None
        for entry in self.positions():
            if entry.stance == "unclear":
                continue
            if previous is not None and entry.stance != previous.stance:
                found.append((previous, entry))
            previous = entry
        return found


def _strength(entry: TimelineEntry) -> tuple[bool, float]:
    # Later entries of one article win only when strictly stronger: the first stays on ties.
    return entry.stance != "unclear", entry.confidence


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One change of an agency's stance between two articles (a row of ``extractor changes``)."""

    agency: str
    state: str
    ori: str
    from_stance: str
    to_stance: str
    from_date: str
    to_date: str
    from_dated_by: str
    to_dated_by: str
    from_title: str
    to_title: str
    from_url: str
    to_url: str
    from_evidence: str
    to_evidence: str


CHANGE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ChangeRow))


def moment_of(published: str, extracted_at: str) -> tuple[str, str, DatedBy]:
    """``(moment in UTC, date shown, dated_by)`` of an article.

    A published day without a time is taken as midnight UTC that day; a
    published time with an offset keeps its own calendar day for display.
    """
    candidates: tuple[tuple[str, DatedBy], ...] = (
        (published, "published"),
        (extracted_at, "extracted"),
    )
    for value, dated_by in candidates:
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            continue
        shown = when.date().isoformat()
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(UTC).isoformat(timespec="seconds"), shown, dated_by
    # extracted_at is written by the store; an unreadable one sorts first, undated.
    return "", "", "extracted"


# The one query stance rows come from: each stance with its article and the first
# agencies row of the same name in that article (state, ORI, 287(g)). Error rows
# have no stances; the status test keeps it that way if that ever changes.
_STANCES_SQL = """
SELECT s.doc_id, s.ord, s.agency, s.stance, s.evidence, s.cue, s.speaker, s.confidence,
       s.conflict, a.published, a.extracted_at, a.title, a.url, a.source, a.site,
       COALESCE(g.agency_type, ''), COALESCE(g.state, ''), COALESCE(g.ori, ''),
       COALESCE(g.in_287g, ''), COALESCE(g.agreement_287g, '')
FROM stances s
JOIN articles a ON a.doc_id = s.doc_id AND a.status = 'ok'
LEFT JOIN agencies g ON g.doc_id = s.doc_id AND g.ord = (
    SELECT min(ord) FROM agencies WHERE doc_id = s.doc_id AND agency = s.agency
)
ORDER BY s.doc_id, s.ord
"""


def _read_entries(store: Store) -> Iterator[TimelineEntry]:
    """The store's stances as reviewers left them: reviewed values shown, spurious ones left out."""
    reviews = store.reviews("stances")
    for row in store.query(_STANCES_SQL):
        doc_id, ord_ = row[:2]
        reviewed = review_row("stances", StanceRow(doc_id, *row[2:9]), reviews)
        if reviewed.spurious:
            continue
        stance: StanceRow = reviewed.row
        published, extracted_at, title, url, source, site = row[9:15]
        agency_type, state, ori, in_287g, agreement_287g = row[15:]
        moment, shown, dated_by = moment_of(published or "", extracted_at or "")
        yield TimelineEntry(
            doc_id=doc_id,
            ord=int(ord_),
            agency=stance.agency,
            agency_type=agency_type,
            state=state,
            ori=ori,
            in_287g=in_287g,
            agreement_287g=agreement_287g,
            stance=stance.stance,
            evidence=stance.evidence or "",
            cue=stance.cue or "",
            speaker=stance.speaker or "",
            confidence=float(stance.confidence or 0.0),
            conflict=stance.conflict or "",
            date=shown,
            dated_by=dated_by,
            moment=moment,
            title=title or "",
            url=url or source or "",
            site=site or "",
        )


def _identities(entries: Sequence[TimelineEntry]) -> list[str]:
    """The agency key of each entry (see the module rules)."""
    named = [(name_key(entry.agency), entry.state) for entry in entries]
    linked: dict[tuple[str, str], set[str]] = {}
    for entry, name in zip(entries, named, strict=True):
        if entry.ori:
            linked.setdefault(name, set()).add(entry.ori)
    keys = []
    for entry, name in zip(entries, named, strict=True):
        oris = linked.get(name, set())
        if entry.ori:
            keys.append(f"ori:{entry.ori}")
        elif len(oris) == 1:
            keys.append(f"ori:{next(iter(oris))}")
        else:
            keys.append(f"name:{name[0]}|{name[1]}")
    return keys


def stance_timeline(store: Store, *, since: str | None = None) -> list[Timeline]:
    """Every agency's stance timeline, ordered by state, then name, then key.

    ``since`` (a store timestamp, see ``store.parse_since``) keeps the agencies
    with an entry at or after it, each with its whole timeline, so a change
    that happened since then has its "before".
    """
    # One SELECT: it sees one committed state of the store, even during a run.
    entries = list(_read_entries(store))
    grouped: dict[str, list[TimelineEntry]] = {}
    for key, entry in zip(_identities(entries), entries, strict=True):
        grouped.setdefault(key, []).append(entry)
    timelines = [
        Timeline(key, tuple(sorted(group, key=lambda e: (e.moment, e.url, e.doc_id, e.ord))))
        for key, group in grouped.items()
    ]
    if since is not None:
        timelines = [t for t in timelines if t.entries[-1].moment >= since]
    # Agencies without a state last; names compared without case.
    return sorted(timelines, key=lambda t: (not t.state, t.state, t.agency.casefold(), t.key))


def find_changes(timelines: Iterable[Timeline], *, since: str | None = None) -> list[ChangeRow]:
    """The changes of every timeline, in timeline order; ``since`` keeps those whose later
    article is at or after it."""
    rows = []
    for timeline in timelines:
        for before, after in timeline.changes():
            if since is not None and after.moment < since:
                continue
            rows.append(
                ChangeRow(
                    agency=timeline.agency,
                    state=timeline.state,
                    ori=timeline.ori,
                    from_stance=before.stance,
                    to_stance=after.stance,
                    from_date=before.date,
                    to_date=after.date,
                    from_dated_by=before.dated_by,
                    to_dated_by=after.dated_by,
                    from_title=before.title,
                    to_title=after.title,
                    from_url=before.url,
                    to_url=after.url,
                    from_evidence=before.evidence,
                    to_evidence=after.evidence,
                )
            )
    return rows


def _shown_date(date: str, dated_by: str) -> str:
    if not date:
        return "undated"
    return date if dated_by == "published" else f"{date} (extracted; no published date)"


def format_text(rows: Sequence[ChangeRow]) -> str:
    """The changes as readable text, one block each; a plain sentence when there are none."""
    if not rows:
        return "No stance changes.\n"
    blocks = []
    for row in rows:
        where = ", ".join(part for part in (row.state, f"ORI {row.ori}" if row.ori else "") if part)
        head = f"{row.agency}{f' ({where})' if where else ''}: {row.from_stance} -> {row.to_stance}"
        lines = [head]
        for side in ("from", "to"):
            stance = getattr(row, f"{side}_stance")
            date = _shown_date(getattr(row, f"{side}_date"), getattr(row, f"{side}_dated_by"))
            lines.append(f"  {date}  {stance}: {getattr(row, f'{side}_title') or '(no title)'}")
            lines.append(f"    {getattr(row, f'{side}_url')}")
            lines.append(f"    evidence: {' '.join(getattr(row, f'{side}_evidence').split())}")
        blocks.append("\n".join(lines))
    noun = "change" if len(rows) == 1 else "changes"
    return "\n\n".join(blocks) + f"\n\n{len(rows)} stance {noun}.\n"


def format_csv(rows: Sequence[ChangeRow]) -> str:
    """The changes as CSV: a header, then one row each; formula-safe cells (``csv_safe``)."""
    buffer = io.StringIO()
    # RFC 4180 line ends, as the tables are written (export._TableFile).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CHANGE_COLUMNS)
    for row in rows:
        writer.writerow([csv_safe(str(value)) for value in asdict(row).values()])
    return buffer.getvalue()


def format_jsonl(rows: Sequence[ChangeRow]) -> str:
    """The changes as JSON lines, one object each, keys in column order."""
    return "".join(json.dumps(asdict(row), ensure_ascii=False) + "\n" for row in rows)


def format_changes(rows: Sequence[ChangeRow], output_format: str) -> str:
    formatters = {"text": format_text, "csv": format_csv, "jsonl": format_jsonl}
    if output_format not in formatters:
        raise ConfigError(
            f"unknown changes format {output_format!r}; choose from {', '.join(CHANGE_FORMATS)}"
        )
    return formatters[output_format](rows)


def describe(rows: Sequence[ChangeRow], timelines: Sequence[Timeline]) -> str:
    """One line for stderr: how many changes among how many agencies."""
    changed = len({(row.agency, row.state, row.ori) for row in rows})
    return (
        f"{len(rows)} stance change{'' if len(rows) == 1 else 's'} in {changed} of "
        f"{len(timelines)} agencies with a stance"
    )
