"""Reference lists as gazetteers: FBI ORI codes for agencies, ICE 287(g) agreements, contradicting stances.

Two public lists ship in ``extractor/data`` (provenance and licences in its
README; regenerate with ``scripts/build_reference.py``):

- the FBI's list of about 19,000 US law-enforcement agencies with their ORI
  code and state (Crime Data Explorer, via TidyTuesday 2025-02-18);
- ICE's list of agencies with a 287(g) agreement, participating and pending
  (snapshot of 2025-07-18).

An agency row gets an ORI only when its name, normalised on both sides
("Sheriff's Department" = "Sheriff's Office", "Dept." = "Department",
"Sheriff's Office of Harris County" = "Harris County Sheriff's Office"), points
to exactly one agency of the row's state, or, when the text gave no state, to
exactly one agency in the country, a city, county or state-police one whose
name carries its place; the state is then filled from the list. A state the
extractor found is never changed. City and county governments and federal
agencies are not in the FBI list, so they are never looked up. A stance that
refuses or limits cooperation for an agency with a signed 287(g) agreement
gets a ``conflict`` note: a hint for a reviewer, not a verdict.

Both lists are read once per process, on first use, into dictionaries keyed by
normalised name, so a lookup is a few dictionary reads.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from typing import Literal

from extractor import places
from extractor.rows import AgencyRow, DocumentRows, OriMatch, StanceRow

#: Date of the ICE 287(g) snapshot in ``extractor/data/ice_287g.csv``.
ICE_SNAPSHOT = "2025-07-18"

# Agency types the FBI and ICE lists can hold; "city" and "county" are governments.
_LINKED_TYPES = ("police", "sheriff", "state", "other")
# FBI agency types whose names carry their place ("Omaha Police Department"), so that a
# name unique in the country is in one state. "Capitol Police" (FL, Other State Agency) or
# "Metropolitan Transportation Authority" (CT, Other) can be another state's namesake.
_PLACE_BOUND = ("City", "County", "State Police")
# Stances a signed 287(g) agreement contradicts.
_CONTRADICTED = ("refuses", "limits")

_WORDS = {
    "dept": "department",
    "st": "saint",
    "ste": "sainte",
    "ft": "fort",
    "mt": "mount",
    "co": "county",
    "cnty": "county",
    "twp": "township",
    "sheriffs": "sheriff",
    "pd": "police department",
    "hwy": "highway",
}
# "Sheriff's Office of Harris County" -> "Harris County Sheriff's Office".
_HEADS = (
    ("sheriff", "office"),
    ("sheriff", "department"),
    ("police", "department"),
    ("office", "of", "the", "sheriff"),
    ("office", "of", "sheriff"),
)
# Endings that name a sheriff's or a police agency, longest first within each kind.
_KIND_ENDINGS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("sheriff", "office"), "sheriff"),
    (("sheriff", "department"), "sheriff"),
    (("sheriff",), "sheriff"),
    (("metropolitan", "police", "department"), "police"),
    (("metro", "police", "department"), "police"),
    (("police", "services", "department"), "police"),
    (("police", "department"), "police"),
    (("bureau", "of", "police"), "police"),
    (("division", "of", "police"), "police"),
    (("department", "of", "police"), "police"),
    (("police", "bureau"), "police"),
    (("police", "services"), "police"),
    (("police", "service"), "police"),
    (("police", "force"), "police"),
    (("police", "division"), "police"),
    (("metropolitan", "police"), "police"),
    (("metro", "police"), "police"),
    (("police",), "police"),
)
_ENDINGS_BY_LAST_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
for _ending, _kind in _KIND_ENDINGS:
    _ENDINGS_BY_LAST_WORD[_ending[-1]].append((_ending, _kind))
_PLACE_PREFIXES = ("city", "town", "village", "township", "borough")
_PLACE_SUFFIXES = ("township", "town", "village", "borough")
_ACRONYM_SKIP = {"of", "the", "and", "for"}
_ACRONYM = re.compile(r"[A-Z]{2,7}")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def name_key(name: str) -> str:
    """Lower-case ASCII words of an agency name with spelling variants folded.

    Accents, possessives and punctuation are dropped, abbreviations spelled out
    ("Dept." -> department, "St." -> saint, "Co." -> county, "PD" -> police
    department), a leading "the" and the FBI's doubled "Police Department
    Police Department" removed, "Sheriff's Office of X" and "X Office of the
    Sheriff" turned into "X Sheriff's Office", and a trailing ", X County" (the
    FBI's way of telling namesakes apart, which a text never writes) cut off.
    """
    text = name.lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    if ":" not in text:
        text = re.sub(r",[^,]*\b(?:county|counties|parish)\s*$", "", text)
    text = re.sub(r"'s\b", "", text)
    words = " ".join(_WORDS.get(w, w) for w in re.sub(r"[^a-z0-9]+", " ", text).split()).split()
    # Each fold shortens the list, so this ends; folding until nothing changes
    # makes the key of a key the key itself.
    while (folded := _fold(words)) != words:
        words = folded
    return " ".join(words)


def _fold(words: list[str]) -> list[str]:
    if words[:1] == ["the"]:
        return words[1:]
    if len(words) >= 4 and words[-2:] == words[-4:-2]:
        return words[:-2]
    for head in _HEADS:
        n = len(head)
        canonical = ["sheriff", "office"] if head[0] == "office" else list(head)
        if tuple(words[:n]) == head and len(words) > n + 1 and words[n] == "of":
            return [*words[n + 1 :], *canonical]
        if head[0] == "office" and len(words) > n and tuple(words[-n:]) == head:
            return [*words[:-n], *canonical]
    return words


def variant_key(key: str) -> tuple[str, str] | None:
    """(place, kind) of a sheriff's or police agency's ``name_key``, or None.

    Folds the ways one agency is written: "Sheriff's Office"/"Department"/
    "Sheriff", "Police Department"/"Police"/"Metropolitan Police
    Department"/"Bureau of Police", "City of X Police", "X Township Police".
    """
    words = key.split()
    for ending, kind in _ENDINGS_BY_LAST_WORD.get(words[-1] if words else "", ()):
        n = len(ending)
        if len(words) > n and tuple(words[-n:]) == ending:
            place = words[:-n]
            if len(place) > 2 and place[0] in _PLACE_PREFIXES and place[1] == "of":
                place = place[2:]
            if len(place) > 1 and place[-1] in _PLACE_SUFFIXES:
                place = place[:-1]
            return " ".join(place), kind
    return None


@functools.cache
def _state_keys() -> dict[str, str]:
    """USPS code -> ``name_key`` of the state's name ("NH" -> "new hampshire")."""
    keys: dict[str, str] = {}
    for name, code in places.state_names().items():
        keys.setdefault(code, name_key(name))
    return keys


def strip_state(key: str, state: str) -> str:
    """``key`` without ``state``'s name in front ("louisiana state police", "LA" -> "state police")."""
    prefix = _state_keys().get(state, "")
    return key[len(prefix) + 1 :] if prefix and key.startswith(prefix + " ") else key


def acronym(key: str) -> str:
    """Initials of a ``name_key`` ("harris county sheriff office" -> "hcso")."""
    return "".join(w[0] for w in key.split() if w not in _ACRONYM_SKIP)


@dataclass(frozen=True, slots=True)
class _Entry:
    ident: str  # ORI for the FBI list, "" for ICE
    name: str
    state: str
    kind: str = ""  # the FBI's agency_type: City, County, State Police, Other, ...


class _Gazetteer:
    """Entries indexed by exact key, variant key and (acronym, state)."""

    def __init__(self, entries: list[_Entry], *, acronyms: bool = True) -> None:
        self.entries = entries
        self.exact: dict[str, list[int]] = defaultdict(list)
        self.variant: dict[tuple[str, str], list[int]] = defaultdict(list)
        # Within a state, by the name without the state's own name in front.
        self.local: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.local_variant: dict[tuple[tuple[str, str], str], list[int]] = defaultdict(list)
        self.acronyms: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, entry in enumerate(entries):
            key = name_key(entry.name)
            self.exact[key].append(index)
            variant = variant_key(key)
            if variant is not None:
                self.variant[variant].append(index)
            local = strip_state(key, entry.state)
            self.local[(local, entry.state)].append(index)
            local_variant = variant_key(local) if local != key else variant
            if local_variant is not None:
                self.local_variant[(local_variant, entry.state)].append(index)
            if acronyms:
                self.acronyms[(acronym(key), entry.state)].append(index)

    def candidates(self, form: str, *, state: str, agency_type: str) -> list[int]:
        """Entries ``form`` can name.

        Within a state, the strictest way of matching that finds any wins: the
        exact key, then the variant key (of the agency's kind), then both
        without the state's name in front ("Texas Department of Public Safety"
        is the FBI's "Department of Public Safety" in TX), then an acronym
        ("HCSO"), so "Beloit Police Department" is not also "Beloit Town Police
        Department". Without a state, every namesake counts, strict or loose:
        "Las Vegas Police Department" is exact in NM but loosely also the
        Las Vegas Metropolitan Police Department in NV, so it stays ambiguous.
        """
        key = name_key(form)
        if not key:
            return []
        tiers = [self.exact.get(key, [])]
        variant = _of_kind(variant_key(key), agency_type)
        if variant is not None:
            tiers.append(self.variant.get(variant, []))
        if not state:
            return sorted({index for found in tiers for index in found})
        local = strip_state(key, state)
        tiers.append(self.local.get((local, state), []))
        local_variant = _of_kind(variant_key(local), agency_type)
        if local_variant is not None:
            tiers.append(self.local_variant.get((local_variant, state), []))
        bare = form.replace(".", "")
        if agency_type != "state" and _ACRONYM.fullmatch(bare):
            # Acronyms only within a state: nationally one names dozens of agencies.
            tiers.append(self.acronyms.get((bare.lower(), state), []))
        for found in tiers:
            found = [i for i in found if self.entries[i].state == state]
            if found:
                return found
        return []


def _of_kind(variant: tuple[str, str] | None, agency_type: str) -> tuple[str, str] | None:
    """``variant`` if an agency of ``agency_type`` can be of its kind: a sheriff is no police."""
    if variant is None or agency_type not in (variant[1], "state", "other"):
        return None
    return variant


def _data(name: str) -> bytes:
    return resources.files("extractor.data").joinpath(name).read_bytes()


@functools.cache
def _fbi() -> _Gazetteer:
    text = gzip.decompress(_data("fbi_agencies.csv.gz")).decode("utf-8")
    return _Gazetteer(
        [
            _Entry(r["ori"], r["agency"], r["state"], r["type"])
            for r in csv.DictReader(io.StringIO(text))
        ]
    )


@dataclass(frozen=True, slots=True)
class Agreement:
    """One 287(g) agreement: its support model, signing date ("" while pending) and status."""

    support_type: str
    signed: str
    status: Literal["participating", "pending"]

    @property
    def label(self) -> str:
        return self.support_type or "support type not given"

    def describe(self) -> str:
        """Model and date ("Task Force Model 2025-02-20"), or "Task Force Model (pending)"."""
        return (
            f"{self.label} {self.signed}"
            if self.status == "participating"
            else f"{self.label} (pending)"
        )


@dataclass(frozen=True, slots=True)
class Listing287g:
    """An agency's entry in ICE's 287(g) lists: ``participating`` if any agreement is signed."""

    agency: str
    state: str
    agreements: tuple[Agreement, ...]

    @property
    def status(self) -> Literal["participating", "pending"]:
        signed = any(a.status == "participating" for a in self.agreements)
        return "participating" if signed else "pending"

    def describe(self) -> str:
        """Signed agreements (oldest first), then pending ones: "Jail Enforcement Model 2025-02-20; ..."."""
        ordered = sorted(
            self.agreements, key=lambda a: (a.status != "participating", a.signed, a.support_type)
        )
        return "; ".join(a.describe() for a in ordered)


@dataclass(frozen=True, slots=True)
class _Ice:
    gazetteer: _Gazetteer
    listings: tuple[Listing287g, ...]
    by_ori: dict[str, Listing287g]
    ori_of: tuple[str, ...]  # per listing, the ORI it links to ("" when none or ambiguous)


@functools.cache
def _ice() -> _Ice:
    grouped: dict[tuple[str, str], list[Agreement]] = defaultdict(list)
    text = _data("ice_287g.csv").decode("utf-8")
    for r in csv.DictReader(io.StringIO(text)):
        status: Literal["participating", "pending"] = (
            "participating" if r["status"] == "participating" else "pending"
        )
        grouped[(r["state"], r["agency"])].append(Agreement(r["support_type"], r["signed"], status))
    listings = tuple(
        Listing287g(agency, state, tuple(agreements))
        for (state, agency), agreements in grouped.items()
    )
    fbi = _fbi()
    ori_of: list[str] = []
    by_ori: dict[str, list[Listing287g]] = defaultdict(list)
    for listing in listings:
        found = fbi.candidates(listing.agency, state=listing.state, agency_type="other")
        ori = fbi.entries[found[0]].ident if len(found) == 1 else ""
        ori_of.append(ori)
        if ori:
            by_ori[ori].append(listing)
    return _Ice(
        # No acronyms: unique among ICE's few hundred is not unique among all agencies.
        _Gazetteer([_Entry("", item.agency, item.state) for item in listings], acronyms=False),
        listings,
        {ori: _merge(items) for ori, items in by_ori.items()},
        tuple(ori_of),
    )


def _merge(listings: list[Listing287g]) -> Listing287g:
    """One listing for an agency that ICE lists under two spellings."""
    if len(listings) == 1:
        return listings[0]
    agreements = tuple(a for item in listings for a in item.agreements)
    return Listing287g(listings[0].agency, listings[0].state, agreements)


@dataclass(frozen=True, slots=True)
class OriLink:
    """The FBI agency a name points to; ``match`` says how sure (see the README)."""

    ori: str = ""
    name: str = ""
    state: str = ""
    match: OriMatch = ""


def link_ori(name: str, *, agency_type: str, state: str = "") -> OriLink:
    """The FBI agency ``name`` names, or why there is none.

    ``matched``: exactly one agency of that name in ``state``; ``state_filled``:
    no state given and exactly one agency of that name in the country, a city,
    county or state-police agency; ``ambiguous``: several, or, without a state,
    one whose name carries no place (a transit authority, a university);
    ``not_found``: none; "" for types the list does not hold (city and county
    governments, federal agencies).

    The row's aliases are not tried: the name is already the fullest form the
    text gave, so when it is not in the list, a looser alias ("Millford
    Police", "MPD") can only find a namesake.
    """
    if agency_type not in _LINKED_TYPES:
        return OriLink()
    fbi = _fbi()
    found = fbi.candidates(name, state=state, agency_type=agency_type)
    if not found:
        return OriLink(match="not_found")
    entry = fbi.entries[found[0]]
    if len(found) > 1 or (not state and entry.kind not in _PLACE_BOUND):
        return OriLink(match="ambiguous")
    return OriLink(entry.ident, entry.name, entry.state, "matched" if state else "state_filled")


def find_287g(name: str, *, agency_type: str, state: str, ori: str = "") -> Listing287g | None:
    """The agency's 287(g) listing: through its ORI, else by name within its state.

    ICE's names are linked to ORIs once, when the list is loaded, so an
    agency whose ORI is known finds its listing however either side spells
    the name. Otherwise the name is matched within ``state``; a listing that
    links to another ORI than the agency's is another agency. Without a state
    there is no name lookup: ICE's list holds a few hundred agencies, so a
    name unique there may still have namesakes elsewhere.
    """
    if agency_type not in _LINKED_TYPES:
        return None
    ice = _ice()
    if ori and ori in ice.by_ori:
        return ice.by_ori[ori]
    if not state:
        return None
    found = ice.gazetteer.candidates(name, state=state, agency_type=agency_type)
    # ICE lists some agencies twice (curly and straight apostrophes): one ORI, one agency.
    agencies = {ice.ori_of[i] or f"#{i}" for i in found}
    if len(agencies) != 1:
        return None
    listed_ori = ice.ori_of[found[0]]
    if ori and listed_ori and listed_ori != ori:
        return None
    return ice.by_ori[listed_ori] if listed_ori else ice.listings[found[0]]


def conflict_note(stance: str, listing: Listing287g | None, *, published: str = "") -> str:
    """A reviewer's hint when a refusing or limiting stance meets a signed 287(g) agreement.

    "" unless ``stance`` is refuses/limits and ``listing`` has a signed
    agreement. Pending agreements are not flagged. When the article's date is
    known and every agreement was signed after it, the note says so: the
    policy may have changed since, rather than contradict it.
    """
    if stance not in _CONTRADICTED or listing is None or listing.status != "participating":
        return ""
    signed = sorted(
        (a for a in listing.agreements if a.status == "participating"),
        key=lambda a: (a.signed, a.support_type),
    )
    note = "287(g) " + "; ".join(f"{a.label} signed {a.signed}" for a in signed)
    note += f" (ICE list of {ICE_SNAPSHOT})"
    day = published[:10]
    if _ISO_DAY.fullmatch(day) and all(a.signed > day for a in signed):
        note += f"; signed after this article ({day})"
    return note


def link_reference(rows: DocumentRows) -> DocumentRows:
    """``rows`` with ORI and 287(g) columns on agencies and the conflict hint on stances."""
    listings: dict[str, Listing287g | None] = {}
    agencies: list[AgencyRow] = []
    for row in rows.agencies:
        link = link_ori(row.agency, agency_type=row.agency_type, state=row.state)
        state = row.state or link.state
        listing = find_287g(row.agency, agency_type=row.agency_type, state=state, ori=link.ori)
        listings[row.agency] = listing
        agencies.append(
            dataclasses.replace(
                row,
                state=state,
                ori=link.ori,
                ori_name=link.name,
                ori_match=link.match,
                in_287g=listing.status if listing is not None else "",
                agreement_287g=listing.describe() if listing is not None else "",
            )
        )
    stances: list[StanceRow] = [
        dataclasses.replace(
            row,
            conflict=conflict_note(
                row.stance, listings.get(row.agency), published=rows.article.published
            ),
        )
        for row in rows.stances
    ]
    return dataclasses.replace(rows, agencies=tuple(agencies), stances=tuple(stances))
