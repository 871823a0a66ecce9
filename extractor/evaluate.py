"""Evaluation: score exported tables against hand-annotated gold (see GOLD-FORMAT.md), or a
store's findings against its review decisions (``evaluate_reviewed``).

Gold is JSONL, one document per line, named by ``file`` (relative to the gold
file) or ``url``. Predictions are a directory written by ``export.write_tables``.
Within each document every table is matched one-to-one, greedily by best
similarity; counts are summed over documents (micro average).

Names are compared after lower-casing and dropping a leading "the",
possessives and punctuation. Two names match when their token sets overlap
with Jaccard similarity >= 0.8, or one equals an alias of the other, or one is
the acronym of the other. Jaccard rather than rapidfuzz's ``token_set_ratio``:
the latter scores 100 whenever one token set contains the other, which would
make "Hennepin County" the same body as "Hennepin County Sheriff's Office".
"""

from __future__ import annotations

import collections
import json
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from extractor.errors import ConfigError, InputError
from extractor.export import read_table
from extractor.rows import AGENCY_TYPES, STANCES, AgencyRow, OfficialRow, QuoteRow, StanceRow

__all__ = [
    "MATCH_THRESHOLD",
    "Accuracy",
    "DocumentScore",
    "GoldAgency",
    "GoldDoc",
    "GoldOfficial",
    "GoldQuote",
    "GoldStance",
    "Report",
    "ReviewedReport",
    "ReviewedScore",
    "TableScore",
    "evaluate",
    "evaluate_reviewed",
    "format_report",
    "format_reviewed",
    "load_gold",
    "name_similarity",
    "names_match",
    "normalise_name",
    "normalise_quote",
    "quote_matches",
]

#: Similarity at or above which two names (or titles) are the same.
MATCH_THRESHOLD = 0.8
#: Scored tables, in report order.
SCORED_TABLES = ("agencies", "officials", "quotes", "stances")

# Scores for the non-overlap ways to match. Below an exact name (1.0) so the greedy
# matcher prefers an exact partner, above the threshold so they count as matches.
_ALIAS_SCORE = 0.95
_ACRONYM_SCORE = 0.9
_SURNAME_SCORE = 0.85
# How far into a predicted quote a gold ``starts`` may begin: the extractor may
# keep a lead-in word or two that the annotator left out.
_QUOTE_WINDOW = 80
# refuses and limits both keep local police out of civil enforcement.
_DIRECTION = {"refuses": "restricts", "limits": "restricts", "cooperates": "cooperates"}
_PRED_ALIAS_SEP = ";"

_QUOTE_MARKS = str.maketrans(
    {
        "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
        "\N{DOUBLE LOW-9 QUOTATION MARK}": '"',
        "\N{DOUBLE HIGH-REVERSED-9 QUOTATION MARK}": '"',
        "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
        "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
        "\N{DOUBLE PRIME}": '"',
        "\N{LEFT SINGLE QUOTATION MARK}": "'",
        "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{SINGLE LOW-9 QUOTATION MARK}": "'",
        "\N{SINGLE HIGH-REVERSED-9 QUOTATION MARK}": "'",
        "\N{PRIME}": "'",
        "`": "'",
    }
)
_QUOTE_STRIP = string.punctuation + string.whitespace + "\u2026\u2013\u2014"
_POSSESSIVE = re.compile(r"'s\b")
# Dots and apostrophes join ("U.S." -> "us", "O'Brien" -> "obrien"); other
# punctuation separates ("Co-Executive" -> "co executive").
_JOINING = re.compile(r"[.']")
_SEPARATING = re.compile(r"[^\w\s]|_")
_US_PREFIX = ("us", "united states")
_ACRONYM_FUNCTION_WORDS = frozenset({"of"})

if TYPE_CHECKING:
    from extractor.store import Store

T = TypeVar("T")
G = TypeVar("G")
P = TypeVar("P")


# --------------------------------------------------------------------------- gold


@dataclass(frozen=True, slots=True)
class GoldAgency:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    state: str = ""


@dataclass(frozen=True, slots=True)
class GoldOfficial:
    name: str
    title: str = ""
    agency: str = ""


@dataclass(frozen=True, slots=True)
class GoldQuote:
    speaker: str
    starts: str


@dataclass(frozen=True, slots=True)
class GoldStance:
    agency: str
    stance: str
    evidence_contains: str = ""


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One annotated document; ``file`` is already joined to the gold file's folder."""

    doc_id: str
    file: Path | None
    url: str | None
    agencies: tuple[GoldAgency, ...] = ()
    officials: tuple[GoldOfficial, ...] = ()
    quotes: tuple[GoldQuote, ...] = ()
    stances: tuple[GoldStance, ...] = ()
    line: int = 0

    @property
    def label(self) -> str:
        """How the report names this document's input."""
        if self.url:
            return self.url
        return self.file.name if self.file is not None else ""


class _GoldReader:
    """Validates one gold line, raising ``InputError`` that names file and line."""

    def __init__(self, path: Path, line: int) -> None:
        self.where = f"{path}:{line}"

    def fail(self, message: str) -> InputError:
        return InputError(f"{self.where}: {message}", reason="gold")

    def text(self, obj: Mapping[str, Any], key: str, *, context: str, default: str | None) -> str:
        if key not in obj:
            if default is None:
                raise self.fail(f"{context} lacks key {key!r}")
            return default
        value = obj[key]
        if not isinstance(value, str):
            raise self.fail(f"{context}: {key!r} must be a string, not {type(value).__name__}")
        return value

    def required(self, obj: Mapping[str, Any], key: str, *, context: str) -> str:
        value = self.text(obj, key, context=context, default=None)
        if not value.strip():
            raise self.fail(f"{context}: {key!r} is empty")
        return value

    def choice(self, obj: Mapping[str, Any], key: str, options: Sequence[str], context: str) -> str:
        value = self.required(obj, key, context=context)
        if value not in options:
            raise self.fail(f"{context}: {key!r} is {value!r}; choose from {', '.join(options)}")
        return value

    def objects(self, obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        if key not in obj:
            raise self.fail(f"document lacks key {key!r} (use [] when there are none)")
        items = obj[key]
        if not isinstance(items, list):
            raise self.fail(f"{key!r} must be a list")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{index}] must be an object")
        return items

    def strings(self, obj: Mapping[str, Any], key: str, *, context: str) -> tuple[str, ...]:
        values = obj.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise self.fail(f"{context}: {key!r} must be a list of strings")
        return tuple(values)

    def agency(self, obj: Mapping[str, Any], index: int) -> GoldAgency:
        context = f"agencies[{index}]"
        return GoldAgency(
            name=self.required(obj, "name", context=context),
            type=self.choice(obj, "type", AGENCY_TYPES, context),
            aliases=self.strings(obj, "aliases", context=context),
            state=self.text(obj, "state", context=context, default=""),
        )

    def official(self, obj: Mapping[str, Any], index: int) -> GoldOfficial:
        context = f"officials[{index}]"
        return GoldOfficial(
            name=self.required(obj, "name", context=context),
            title=self.text(obj, "title", context=context, default=""),
            agency=self.text(obj, "agency", context=context, default=""),
        )

    def quote(self, obj: Mapping[str, Any], index: int) -> GoldQuote:
        context = f"quotes[{index}]"
        starts = self.required(obj, "starts", context=context)
        if not normalise_quote(starts):
            raise self.fail(f"{context}: 'starts' holds no words")
        return GoldQuote(speaker=self.required(obj, "speaker", context=context), starts=starts)

    def stance(self, obj: Mapping[str, Any], index: int) -> GoldStance:
        context = f"stances[{index}]"
        return GoldStance(
            agency=self.required(obj, "agency", context=context),
            stance=self.choice(obj, "stance", STANCES, context),
            evidence_contains=self.text(obj, "evidence_contains", context=context, default=""),
        )


def _parse_gold_line(text: str, *, path: Path, line: int) -> GoldDoc:
    reader = _GoldReader(path, line)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise reader.fail(f"not JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise reader.fail("expected a JSON object")
    doc_id = reader.required(obj, "doc_id", context="document")
    file = reader.text(obj, "file", context="document", default="")
    url = reader.text(obj, "url", context="document", default="")
    if not file.strip() and not url.strip():
        raise reader.fail("document needs a 'file' or a 'url'")
    return GoldDoc(
        doc_id=doc_id,
        file=path.parent / file if file.strip() else None,
        url=url.strip() or None,
        agencies=tuple(reader.agency(o, i) for i, o in enumerate(reader.objects(obj, "agencies"))),
        officials=tuple(
            reader.official(o, i) for i, o in enumerate(reader.objects(obj, "officials"))
        ),
        quotes=tuple(reader.quote(o, i) for i, o in enumerate(reader.objects(obj, "quotes"))),
        stances=tuple(reader.stance(o, i) for i, o in enumerate(reader.objects(obj, "stances"))),
        line=line,
    )


def load_gold(path: Path) -> list[GoldDoc]:
    """Read and validate a gold JSONL file; blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read gold file {path}: {exc}", reason="gold") from exc
    entries: list[GoldDoc] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        entry = _parse_gold_line(line, path=path, line=number)
        if entry.doc_id in seen:
            raise InputError(
                f"{path}:{number}: doc_id {entry.doc_id!r} already used on line "
                f"{seen[entry.doc_id]}",
                reason="gold",
            )
        seen[entry.doc_id] = number
        entries.append(entry)
    return entries


# ------------------------------------------------------------------------ matching


def normalise_name(text: str) -> str:
    """Lower-case; drop possessives, punctuation and a leading "the"; single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).lower()
    text = _POSSESSIVE.sub("", text)
    text = _SEPARATING.sub(" ", _JOINING.sub("", text))
    tokens = text.split()
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def name_similarity(a: str, b: str) -> float:
    """Jaccard overlap of the normalised token sets of ``a`` and ``b`` (0 to 1)."""
    tokens_a = set(normalise_name(a).split())
    tokens_b = set(normalise_name(b).split())
    if not tokens_a or not tokens_b:
        return 0.0
    return len(tokens_a & tokens_b) / len(tokens_a | tokens_b)


def _as_acronym(text: str) -> str | None:
    """``text`` as an acronym ("ICE", "U.S.") if it is one capitalised word."""
    letters = "".join(ch for ch in text if ch.isalpha())
    if " " in text.strip() or not 2 <= len(letters) <= 10 or not letters.isupper():
        return None
    return letters


def _acronyms_of(text: str) -> set[str]:
    """Initials of the capitalised words of ``text``, with and without "of" and "U.S."."""
    words = [w for w in re.split(r"\s+", unicodedata.normalize("NFKC", text).strip()) if w]
    if words and words[0].lower() == "the":
        words = words[1:]
    variants = [words]
    joined = normalise_name(" ".join(words[:2]))
    for prefix in _US_PREFIX:
        size = len(prefix.split())
        if normalise_name(" ".join(words[:size])) == prefix or joined == prefix:
            variants.append(words[size:])
    result: set[str] = set()
    for variant in variants:
        initials = [w for w in variant if w[:1].isupper()]
        with_of = [w for w in variant if w[:1].isupper() or w.lower() in _ACRONYM_FUNCTION_WORDS]
        for chosen in (initials, with_of):
            if len(chosen) >= 2:
                result.add("".join(w[0] for w in chosen).upper())
    return result


def _is_acronym_pair(a: str, b: str) -> bool:
    short_a, short_b = _as_acronym(a), _as_acronym(b)
    return bool(
        (short_a is not None and short_a in _acronyms_of(b))
        or (short_b is not None and short_b in _acronyms_of(a))
    )


def _name_score(
    gold: str,
    pred: str,
    *,
    gold_aliases: Iterable[str] = (),
    pred_aliases: Iterable[str] = (),
) -> float:
    """Best of token overlap, alias equality and acronym equality (0 to 1)."""
    gold_norm, pred_norm = normalise_name(gold), normalise_name(pred)
    if not gold_norm or not pred_norm:
        return 0.0
    if gold_norm == pred_norm:
        return 1.0
    score = name_similarity(gold, pred)
    gold_alias_norms = {normalise_name(alias) for alias in gold_aliases} - {""}
    pred_alias_norms = {normalise_name(alias) for alias in pred_aliases} - {""}
    if pred_norm in gold_alias_norms or gold_norm in pred_alias_norms:
        score = max(score, _ALIAS_SCORE)
    if score < _ACRONYM_SCORE:
        gold_forms = [gold, *gold_aliases]
        pred_forms = [pred, *pred_aliases]
        if any(_is_acronym_pair(g, p) for g in gold_forms for p in pred_forms):
            score = _ACRONYM_SCORE
    return score


def names_match(
    gold: str,
    pred: str,
    *,
    gold_aliases: Iterable[str] = (),
    pred_aliases: Iterable[str] = (),
) -> bool:
    """Whether two agency or person names denote the same thing (GOLD-FORMAT "Scoring")."""
    score = _name_score(gold, pred, gold_aliases=gold_aliases, pred_aliases=pred_aliases)
    return score >= MATCH_THRESHOLD


def _person_score(gold: str, pred: str) -> float:
    """Name score, also letting a surname alone ("Trump") match a full name."""
    score = _name_score(gold, pred)
    gold_tokens, pred_tokens = normalise_name(gold).split(), normalise_name(pred).split()
    if gold_tokens and pred_tokens and score < _SURNAME_SCORE:
        shorter, longer = sorted((gold_tokens, pred_tokens), key=len)
        if len(shorter) == 1 and shorter[0] == longer[-1]:
            score = _SURNAME_SCORE
        # "Donald J. Trump" is "Donald Trump": middle initials come and go between mentions.
        else:
            gold_full = [t for t in gold_tokens if len(t) > 1]
            if gold_full and gold_full == [t for t in pred_tokens if len(t) > 1]:
                score = _SURNAME_SCORE
    return score


def _titles_match(gold: str, pred: str) -> bool:
    gold_norm, pred_norm = normalise_name(gold), normalise_name(pred)
    return gold_norm == pred_norm or name_similarity(gold, pred) >= MATCH_THRESHOLD


def normalise_quote(text: str) -> str:
    """Lower-case, straight quotes, single spaces, no quote marks or punctuation at the ends."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).lower()
    return " ".join(text.split()).strip(_QUOTE_STRIP)


def _quote_score(starts: str, quote: str) -> int:
    """2: ``quote`` starts with ``starts``; 1: ``starts`` is early in it; 0: no match."""
    starts_norm, quote_norm = normalise_quote(starts), normalise_quote(quote)
    if not starts_norm:
        return 0
    if quote_norm.startswith(starts_norm):
        return 2
    return 1 if starts_norm in quote_norm[:_QUOTE_WINDOW] else 0


def quote_matches(starts: str, quote: str) -> bool:
    """Whether a predicted ``quote`` is the gold quote beginning with ``starts``."""
    return _quote_score(starts, quote) > 0


def _normalise_evidence(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    return " ".join(text.split())


def _evidence_hit(needle: str, evidence: str) -> bool:
    return _normalise_evidence(needle) in _normalise_evidence(evidence)


def _greedy_pairs(
    golds: Sequence[G],
    preds: Sequence[P],
    score: Callable[[G, P], tuple[float, ...] | None],
) -> list[tuple[int, int]]:
    """One-to-one pairs, best score first; ties go to the earlier gold, then pred."""
    candidates: list[tuple[tuple[float, ...], int, int]] = []
    for gold_index, gold in enumerate(golds):
        for pred_index, pred in enumerate(preds):
            value = score(gold, pred)
            if value is not None:
                candidates.append((value, gold_index, pred_index))
    candidates.sort(key=lambda c: (tuple(-x for x in c[0]), c[1], c[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gold_index, pred_index in candidates:
        if gold_index in used_gold or pred_index in used_pred:
            continue
        used_gold.add(gold_index)
        used_pred.add(pred_index)
        pairs.append((gold_index, pred_index))
    return sorted(pairs)


# -------------------------------------------------------------------------- scores


@dataclass(frozen=True, slots=True)
class Accuracy:
    """``right`` out of ``total`` matched items; ``value`` is None when nothing matched."""

    name: str
    right: int
    total: int

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.name, self.right + other.right, self.total + other.total)

    def to_dict(self) -> dict[str, Any]:
        return {"right": self.right, "total": self.total, "value": self.value}


@dataclass(frozen=True, slots=True)
class TableScore:
    """Counts for one table; precision and recall are 1.0 when there was nothing to get wrong."""

    table: str
    gold: int
    pred: int
    tp: int
    accuracies: tuple[Accuracy, ...] = ()
    missing: tuple[str, ...] = ()
    spurious: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        if self.pred:
            return self.tp / self.pred
        return 1.0 if self.gold == 0 else 0.0

    @property
    def recall(self) -> float:
        if self.gold:
            return self.tp / self.gold
        return 1.0 if self.pred == 0 else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def accuracy(self, name: str) -> Accuracy:
        """The accuracy called ``name`` ("type", "speaker", "exact"...)."""
        for accuracy in self.accuracies:
            if accuracy.name == name:
                return accuracy
        raise KeyError(name)

    def to_dict(self, *, items: bool = True) -> dict[str, Any]:
        result: dict[str, Any] = {
            "gold": self.gold,
            "pred": self.pred,
            "tp": self.tp,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "accuracy": {a.name: a.to_dict() for a in self.accuracies},
        }
        if items:
            result["missing"] = list(self.missing)
            result["spurious"] = list(self.spurious)
            result["wrong"] = list(self.wrong)
        return result


def _sum_scores(table: str, scores: Iterable[TableScore]) -> TableScore:
    gold = pred = tp = 0
    accuracies: dict[str, Accuracy] = {}
    for score in scores:
        gold, pred, tp = gold + score.gold, pred + score.pred, tp + score.tp
        for accuracy in score.accuracies:
            previous = accuracies.get(accuracy.name)
            accuracies[accuracy.name] = accuracy if previous is None else previous + accuracy
    return TableScore(table, gold, pred, tp, tuple(accuracies.values()))


@dataclass(frozen=True, slots=True)
class DocumentScore:
    """Scores of one gold document; ``sources`` empty means nothing was predicted for it."""

    doc_id: str
    label: str
    sources: tuple[str, ...]
    tables: dict[str, TableScore]

    @property
    def found(self) -> bool:
        return bool(self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "label": self.label,
            "found": self.found,
            "sources": list(self.sources),
            "tables": {name: score.to_dict() for name, score in self.tables.items()},
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Micro-averaged scores over all gold documents, plus each document's own."""

    tables: dict[str, TableScore]
    documents: tuple[DocumentScore, ...]
    #: doc_ids of predicted articles no gold document names (not scored).
    unscored: tuple[str, ...] = field(default=())

    @property
    def missing_documents(self) -> tuple[DocumentScore, ...]:
        return tuple(document for document in self.documents if not document.found)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: totals, then per-document scores with their items."""
        return {
            "documents": {
                "gold": len(self.documents),
                "found": len(self.documents) - len(self.missing_documents),
                "missing": [document.doc_id for document in self.missing_documents],
                "unscored_predictions": list(self.unscored),
            },
            "tables": {name: score.to_dict(items=False) for name, score in self.tables.items()},
            "per_document": [document.to_dict() for document in self.documents],
        }


# ---------------------------------------------------------------------- evaluation


@dataclass(frozen=True, slots=True)
class _Predicted:
    """One gold document's predicted rows, gathered from every matching article."""

    agencies: tuple[AgencyRow, ...] = ()
    officials: tuple[OfficialRow, ...] = ()
    quotes: tuple[QuoteRow, ...] = ()
    stances: tuple[StanceRow, ...] = ()


class _Names:
    """Agency-name matching inside one document, using both sides' aliases."""

    def __init__(self, gold: GoldDoc, predicted: _Predicted) -> None:
        self.gold_agencies = gold.agencies
        self._gold_aliases: dict[str, tuple[str, ...]] = {}
        for agency in gold.agencies:
            key = normalise_name(agency.name)
            self._gold_aliases[key] = self._gold_aliases.get(key, ()) + agency.aliases
        self._pred_aliases: dict[str, tuple[str, ...]] = {}
        for row in predicted.agencies:
            aliases = tuple(a.strip() for a in row.aliases.split(_PRED_ALIAS_SEP) if a.strip())
            key = normalise_name(row.agency)
            self._pred_aliases[key] = self._pred_aliases.get(key, ()) + aliases

    def agency_score(self, gold: str, pred: str) -> float:
        return _name_score(
            gold,
            pred,
            gold_aliases=self._gold_aliases.get(normalise_name(gold), ()),
            pred_aliases=self._pred_aliases.get(normalise_name(pred), ()),
        )

    def agencies_match(self, gold: str, pred: str) -> bool:
        if not gold.strip() and not pred.strip():
            return True
        return self.agency_score(gold, pred) >= MATCH_THRESHOLD

    def speaker_score(self, gold: str, pred: str) -> float:
        return max(self.agency_score(gold, pred), _person_score(gold, pred))

    def is_gold_agency(self, name: str) -> bool:
        return any(self.agencies_match(agency.name, name) for agency in self.gold_agencies)


def _direction(label: str) -> str:
    return _DIRECTION.get(label, label)


def _unmatched(
    items: Sequence[T], used: Iterable[int], describe: Callable[[T], str]
) -> tuple[str, ...]:
    taken = set(used)
    return tuple(describe(item) for index, item in enumerate(items) if index not in taken)


def _score_agencies(gold: GoldDoc, predicted: _Predicted, names: _Names) -> TableScore:
    golds, preds = gold.agencies, predicted.agencies

    def score(g: GoldAgency, p: AgencyRow) -> tuple[float, ...] | None:
        value = names.agency_score(g.name, p.agency)
        return (value, float(g.type == p.agency_type)) if value >= MATCH_THRESHOLD else None

    pairs = _greedy_pairs(golds, preds, score)
    type_right = state_right = 0
    wrong: list[str] = []
    for gold_index, pred_index in pairs:
        g, p = golds[gold_index], preds[pred_index]
        if g.type == p.agency_type:
            type_right += 1
        else:
            wrong.append(f"{g.name}: type {g.type!r}, predicted {p.agency_type!r}")
        if g.state.strip().upper() == p.state.strip().upper():
            state_right += 1
        else:
            wrong.append(f"{g.name}: state {g.state!r}, predicted {p.state!r}")
    return TableScore(
        "agencies",
        len(golds),
        len(preds),
        len(pairs),
        (Accuracy("type", type_right, len(pairs)), Accuracy("state", state_right, len(pairs))),
        missing=_unmatched(golds, (g for g, _ in pairs), lambda a: a.name),
        spurious=_unmatched(preds, (p for _, p in pairs), lambda a: a.agency),
        wrong=tuple(wrong),
    )


def _score_officials(gold: GoldDoc, predicted: _Predicted, names: _Names) -> TableScore:
    golds, preds = gold.officials, predicted.officials

    def score(g: GoldOfficial, p: OfficialRow) -> tuple[float, ...] | None:
        value = _person_score(g.name, p.name)
        if value < MATCH_THRESHOLD:
            return None
        return (value, float(_titles_match(g.title, p.title)))

    pairs = _greedy_pairs(golds, preds, score)
    title_right = agency_right = 0
    wrong: list[str] = []
    for gold_index, pred_index in pairs:
        g, p = golds[gold_index], preds[pred_index]
        if _titles_match(g.title, p.title):
            title_right += 1
        else:
            wrong.append(f"{g.name}: title {g.title!r}, predicted {p.title!r}")
        if names.agencies_match(g.agency, p.agency):
            agency_right += 1
        else:
            wrong.append(f"{g.name}: agency {g.agency!r}, predicted {p.agency!r}")
    return TableScore(
        "officials",
        len(golds),
        len(preds),
        len(pairs),
        (Accuracy("title", title_right, len(pairs)), Accuracy("agency", agency_right, len(pairs))),
        missing=_unmatched(golds, (g for g, _ in pairs), lambda o: f"{o.name} ({o.title})"),
        spurious=_unmatched(preds, (p for _, p in pairs), lambda o: f"{o.name} ({o.title})"),
        wrong=tuple(wrong),
    )


def _speaker_right(g: GoldQuote, p: QuoteRow, names: _Names) -> bool:
    if names.speaker_score(g.speaker, p.speaker) >= MATCH_THRESHOLD:
        return True
    # A gold speaker that is an agency ("Omaha Police Department") is also found
    # when the extractor named the person but filled in their agency.
    return (
        bool(p.speaker_agency.strip())
        and names.is_gold_agency(g.speaker)
        and names.agencies_match(g.speaker, p.speaker_agency)
    )


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _score_quotes(gold: GoldDoc, predicted: _Predicted, names: _Names) -> TableScore:
    golds, preds = gold.quotes, predicted.quotes

    def score(g: GoldQuote, p: QuoteRow) -> tuple[float, ...] | None:
        value = _quote_score(g.starts, p.quote)
        return (float(value), float(_speaker_right(g, p, names))) if value else None

    pairs = _greedy_pairs(golds, preds, score)
    speaker_right = 0
    wrong: list[str] = []
    for gold_index, pred_index in pairs:
        g, p = golds[gold_index], preds[pred_index]
        if _speaker_right(g, p, names):
            speaker_right += 1
        else:
            wrong.append(f'"{g.starts}": speaker {g.speaker!r}, predicted {p.speaker!r}')
    return TableScore(
        "quotes",
        len(golds),
        len(preds),
        len(pairs),
        (Accuracy("speaker", speaker_right, len(pairs)),),
        missing=_unmatched(golds, (g for g, _ in pairs), lambda q: f'{q.speaker}: "{q.starts}"'),
        spurious=_unmatched(
            preds, (p for _, p in pairs), lambda q: f'{q.speaker}: "{_short(q.quote)}"'
        ),
        wrong=tuple(wrong),
    )


def _score_stances(gold: GoldDoc, predicted: _Predicted, names: _Names) -> TableScore:
    golds, preds = gold.stances, predicted.stances

    def score(g: GoldStance, p: StanceRow) -> tuple[float, ...] | None:
        value = names.agency_score(g.agency, p.agency)
        return (value, float(g.stance == p.stance)) if value >= MATCH_THRESHOLD else None

    pairs = _greedy_pairs(golds, preds, score)
    exact = direction = evidence_right = evidence_total = 0
    wrong: list[str] = []
    for gold_index, pred_index in pairs:
        g, p = golds[gold_index], preds[pred_index]
        if g.stance == p.stance:
            exact += 1
        else:
            wrong.append(f"{g.agency}: stance {g.stance!r}, predicted {p.stance!r}")
        if _direction(g.stance) == _direction(p.stance):
            direction += 1
        # Gold without evidence cannot be checked, so it is left out of the rate.
        if g.evidence_contains.strip():
            evidence_total += 1
            if _evidence_hit(g.evidence_contains, p.evidence):
                evidence_right += 1
            else:
                wrong.append(f"{g.agency}: evidence lacks {_short(g.evidence_contains)!r}")
    return TableScore(
        "stances",
        len(golds),
        len(preds),
        exact,
        (
            Accuracy("exact", exact, len(pairs)),
            Accuracy("direction", direction, len(pairs)),
            Accuracy("evidence", evidence_right, evidence_total),
        ),
        missing=_unmatched(golds, (g for g, _ in pairs), lambda s: f"{s.agency}: {s.stance}"),
        spurious=_unmatched(preds, (p for _, p in pairs), lambda s: f"{s.agency}: {s.stance}"),
        wrong=tuple(wrong),
    )


_SCORERS: dict[str, Callable[[GoldDoc, _Predicted, _Names], TableScore]] = {
    "agencies": _score_agencies,
    "officials": _score_officials,
    "quotes": _score_quotes,
    "stances": _score_stances,
}


def _score_document(
    gold: GoldDoc, predicted: _Predicted, *, sources: tuple[str, ...]
) -> DocumentScore:
    """Score one gold document against the rows predicted for it."""
    names = _Names(gold, predicted)
    tables = {table: _SCORERS[table](gold, predicted, names) for table in SCORED_TABLES}
    return DocumentScore(gold.doc_id, gold.label, sources, tables)


def _resolved(path: Path) -> Path | None:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):
        return None


class _ArticleIndex:
    """Predicted articles looked up by URL, resolved path and basename, built once."""

    def __init__(self, articles: Sequence[Mapping[str, Any]]) -> None:
        self.by_address: dict[str, list[int]] = defaultdict(list)
        self.by_path: dict[Path, list[int]] = defaultdict(list)
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for index, article in enumerate(articles):
            source, url = str(article["source"]), str(article["url"])
            # ``url`` is where a fetch ended up (after redirects), ``source`` what was asked.
            for address in dict.fromkeys((source, url)):
                if address:
                    self.by_address[address].append(index)
            resolved = _resolved(Path(source))
            if resolved is not None:
                self.by_path[resolved].append(index)
            self.by_name[Path(source).name].append(index)

    def find(self, gold: GoldDoc) -> list[int]:
        """Indexes of the predicted articles that are ``gold``'s document."""
        if gold.url is not None and (gold.url in self.by_address or gold.file is None):
            return list(self.by_address.get(gold.url, ()))
        if gold.file is None:
            return []
        target = _resolved(gold.file)
        # The same path is the stronger evidence; fall back to the basename only when
        # no source is the very file (e.g. the corpus was copied before the run).
        if target is not None and target in self.by_path:
            return list(self.by_path[target])
        return list(self.by_name.get(gold.file.name, ()))


def _rows(records: list[dict[str, Any]], cls: Callable[..., T]) -> dict[str, list[T]]:
    grouped: dict[str, list[T]] = defaultdict(list)
    for record in records:
        grouped[str(record["doc_id"])].append(cls(**record))
    return grouped


def evaluate(gold: list[GoldDoc], pred_dir: Path) -> Report:
    """Score the tables in ``pred_dir`` against ``gold``; see the module docstring."""
    articles: list[dict[str, Any]] = read_table(pred_dir, "articles").to_dict(orient="records")
    agencies = _rows(read_table(pred_dir, "agencies").to_dict(orient="records"), AgencyRow)
    officials = _rows(read_table(pred_dir, "officials").to_dict(orient="records"), OfficialRow)
    quotes = _rows(read_table(pred_dir, "quotes").to_dict(orient="records"), QuoteRow)
    stances = _rows(read_table(pred_dir, "stances").to_dict(orient="records"), StanceRow)

    documents: list[DocumentScore] = []
    used: set[int] = set()
    lookup = _ArticleIndex(articles)
    for entry in gold:
        indexes = lookup.find(entry)
        used.update(indexes)
        doc_ids = list(dict.fromkeys(str(articles[i]["doc_id"]) for i in indexes))
        predicted = _Predicted(
            agencies=tuple(row for d in doc_ids for row in agencies.get(d, ())),
            officials=tuple(row for d in doc_ids for row in officials.get(d, ())),
            quotes=tuple(row for d in doc_ids for row in quotes.get(d, ())),
            stances=tuple(row for d in doc_ids for row in stances.get(d, ())),
        )
        sources = tuple(dict.fromkeys(str(articles[i]["source"]) for i in indexes))
        documents.append(_score_document(entry, predicted, sources=sources))

    totals = {
        table: _sum_scores(table, (document.tables[table] for document in documents))
        for table in SCORED_TABLES
    }
    unscored = tuple(
        str(article["doc_id"]) for index, article in enumerate(articles) if index not in used
    )
    return Report(totals, tuple(documents), unscored)


# -------------------------------------------------------------------------- report

_HEADER = ("table", "gold", "pred", "tp", "precision", "recall", "F1", "accuracy (matched)")


def _accuracy_text(accuracies: Sequence[Accuracy]) -> str:
    parts = []
    for accuracy in accuracies:
        value = "-" if accuracy.value is None else f"{accuracy.value:.3f}"
        parts.append(f"{accuracy.name} {value} ({accuracy.right}/{accuracy.total})")
    return ", ".join(parts)


def _table_lines(scores: Mapping[str, TableScore], indent: str = "") -> list[str]:
    rows = [list(_HEADER)]
    for name, score in scores.items():
        rows.append(
            [
                name,
                str(score.gold),
                str(score.pred),
                str(score.tp),
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
                _accuracy_text(score.accuracies),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = []
    for row in rows:
        # Name left, numbers right, accuracy text left and unpadded at the end.
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def format_report(report: Report, *, verbose: bool = False) -> str:
    """The report as aligned plain text; ``verbose`` adds each document's items."""
    found = len(report.documents) - len(report.missing_documents)
    lines = [
        f"documents: {len(report.documents)} in gold, {found} with predictions, "
        f"{len(report.missing_documents)} without; "
        f"{len(report.unscored)} predicted not in gold (not scored)",
        "",
        *_table_lines(report.tables),
    ]
    if report.missing_documents:
        lines += ["", "gold documents with no predicted article (all their items count as missed):"]
        lines += [f"  {document.doc_id}  {document.label}" for document in report.missing_documents]
    if verbose:
        for document in report.documents:
            state = "" if document.found else "  [no predicted article]"
            lines += ["", f"== {document.doc_id}  {document.label}{state}"]
            lines += _table_lines(document.tables, indent="  ")
            for name, score in document.tables.items():
                for kind, items in (
                    ("missing", score.missing),
                    ("spurious", score.spurious),
                    ("wrong", score.wrong),
                ):
                    lines += [f"  {kind} {name}: {item}" for item in items]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ reviewed rows as gold


@dataclass(frozen=True, slots=True)
class ReviewedScore:
    """The current extraction of one table judged against the stored review decisions.

    A reviewed finding is ``correct`` when its extracted values are what the
    decision says (a ``correct`` verdict's pinned value, a ``wrong`` verdict's
    corrections), ``wrong`` otherwise (``spurious`` ones: judged wrong with
    nothing to correct). Before any re-extraction these are the verdict counts.
    """

    table: str
    reviewed: int = 0
    correct: int = 0
    wrong: int = 0
    unsure: int = 0
    spurious: int = 0
    #: Stances that are real (not spurious, not unsure) and of those, the ones with the right label.
    labelled: int = 0
    label_right: int = 0

    @property
    def precision(self) -> float | None:
        judged = self.correct + self.wrong
        return self.correct / judged if judged else None

    @property
    def label_precision(self) -> float | None:
        """Of the real stance findings (a corrected stance counts as real), how many had the
        stance the reviewer gave; None for other tables or when there is none."""
        return self.label_right / self.labelled if self.labelled else None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "reviewed": self.reviewed,
            "correct": self.correct,
            "wrong": self.wrong,
            "unsure": self.unsure,
            "spurious": self.spurious,
            "precision": self.precision,
        }
        if self.table == "stances":
            result["label_precision"] = self.label_precision
            result["label_right"] = self.label_right
            result["labelled"] = self.labelled
        return result


@dataclass(frozen=True, slots=True)
class ReviewedReport:
    """Per-table scores on reviewed findings, and the decisions with no finding to score."""

    tables: dict[str, ReviewedScore]
    #: Decisions about findings no longer in the store (not scored).
    gone: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tables": {name: score.to_dict() for name, score in self.tables.items()},
            "reviews_without_finding": self.gone,
        }


def evaluate_reviewed(store: Store) -> ReviewedReport:
    """Score the store's current findings against its review decisions (reviewed rows as gold)."""
    from extractor.review import reviewed_rows

    stored = store.reviews()
    if not stored:
        raise ConfigError(
            f"store {store.path} has no reviews: import a review sheet first "
            "(extractor review import SHEET --store PATH)"
        )
    scores: dict[str, ReviewedScore] = {}
    scored: set[str] = set()
    with store.snapshot():
        for table in SCORED_TABLES:
            counts = collections.Counter[str]()
            for item in reviewed_rows(store, table):
                if item.review is None or item.finding_id in scored:
                    continue
                scored.add(item.finding_id)
                counts["reviewed"] += 1
                if item.verdict == "unsure":
                    counts["unsure"] += 1
                    continue
                right = not item.spurious and item.row == item.extracted
                counts["correct" if right else "wrong"] += 1
                counts["spurious"] += item.spurious
                if table == "stances" and not item.spurious:
                    counts["labelled"] += 1
                    counts["label_right"] += item.row.stance == item.extracted.stance
            scores[table] = ReviewedScore(table, **counts)
    return ReviewedReport(scores, gone=len(set(stored) - scored))


_REVIEWED_HEADER = ("table", "reviewed", "correct", "wrong", "unsure", "spurious", "precision")


def format_reviewed(report: ReviewedReport) -> str:
    """The reviewed-rows report as aligned plain text, in the style of ``format_report``."""

    def ratio(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    rows = [list(_REVIEWED_HEADER)]
    for name, score in report.tables.items():
        rows.append(
            [
                name,
                str(score.reviewed),
                str(score.correct),
                str(score.wrong),
                str(score.unsure),
                str(score.spurious),
                ratio(score.precision),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(_REVIEWED_HEADER))]
    lines = [
        "precision of the current extraction on reviewed findings "
        "(correct / (correct + wrong); unsure not counted)",
        "",
    ]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    stances = report.tables.get("stances")
    if stances is not None and stances.labelled:
        lines += [
            "",
            f"stance label precision {ratio(stances.label_precision)} "
            f"({stances.label_right}/{stances.labelled} real stance findings with the "
            "reviewed stance; corrected stances count as real)",
        ]
    if report.gone:
        lines += ["", f"{report.gone} decisions about findings no longer in the store (not scored)"]
    return "\n".join(lines) + "\n"
