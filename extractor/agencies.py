"""Agencies: find every mention of a government body and merge them into one canonical agency.

Mentions come from spaCy's ``entity_ruler`` (label ``AGENCY``: known agencies
and generic forms such as "<Place> Police Department" or the title-implied
"<Place> County Sheriff"), from the model's ORG entities that name an agency,
and from group phrases ("counties, including Anoka, Dakota and Ramsey").
Normalisation turns each into a canonical name; an acronym defined in the
text ("... (LVMPD)") joins its agency; short forms ("Las Vegas Police") join
the full agency of the same place; and "the department" after an agency is
recorded as another mention of it, so later extractors can resolve it.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractor import places
from extractor.mentions import Agency
from extractor.mentions import Span as CharSpan
from extractor.nlp import AGENCY_LABEL, doc_text, known_agencies, per_doc, token_lowers
from extractor.stances import document_on_topic

# Words that can open a title-case run but are never part of a place name.
_NOT_PLACE = {
    "the",
    "a",
    "an",
    "former",
    "acting",
    "interim",
    "local",
    "several",
    "many",
    "some",
    "all",
    "both",
    "other",
    "area",
    "nearby",
    "neighboring",
    "neighbouring",
    "democratic",
    "republican",
    "federal",
    "national",
    "nationwide",
    "in",
    "at",
    "on",
    "for",
    "when",
    "after",
    "while",
    "but",
    "and",
    "as",
    "if",
    "also",
    "meanwhile",
    "then",
    "said",
    "says",
    "our",
    "their",
    "his",
    "her",
    "its",
    "new",
    "top",
    "chief",
    "deputy",
    "assistant",
    "sheriff",
    "mayor",
    "police",
    "county",
    "city",
    "state",
    "u.s.",
    "us",
    "american",
    "by",
    "of",
    "with",
    "from",
    "to",
    "than",
    "under",
    "how",
    "why",
    "what",
    "where",
    "who",
    "this",
    "that",
    "these",
    "those",
    "every",
    "each",
    "outside",
    "inside",
    "near",
    "behind",
    "across",
    "around",
    "into",
    "during",
    "within",
    "beyond",
    "through",
}
_AGENCY_WORDS = re.compile(
    r"\b(police|sheriff|sheriffs|patrol|marshals?|department of|county|city of|town of|"
    r"bureau|attorney's office|board of supervisors|city council|commission|school district)\b",
    re.IGNORECASE,
)
_GROUP_NOUNS = {"cities": "city", "counties": "county", "towns": "city", "municipalities": "city"}
_GROUP_OPENERS = ("such as", "including", "like", "among them", "among them,")
_ANAPHORA = {
    "department": ("police", "sheriff", "state"),
    "police department": ("police",),
    "sheriff's office": ("sheriff",),
    "sheriff's department": ("sheriff",),
    "office": ("sheriff",),
    "agency": ("police", "sheriff", "state", "federal"),
    "city": ("city",),
    "county": ("county",),
    # The county jail is the sheriff's ("The jail does not hold anyone on ICE detainers").
    "jail": ("sheriff",),
    "district": ("other",),
}
_ANAPHORA_WINDOW = 4  # sentences back; further than that, "the department" is ambiguous


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    surface: str  # as written, minus a leading "the" and a trailing possessive
    name: str  # canonical name
    agency_type: str
    state: str = ""
    implied: bool = False  # named only through an official's title ("Omaha Police Chief")
    place: str = ""  # the place part of the name, for state inference and short forms


@dataclass(slots=True)
class _Cluster:
    name: str
    agency_type: str
    state: str
    mentions: list[_Mention] = field(default_factory=list)
    extra_spans: list[CharSpan] = field(default_factory=list)


def clean_surface(text: str) -> str:
    """Drop a leading "the", a trailing possessive, curly apostrophes and extra spaces."""
    text = " ".join(text.replace("\u2019", "'").split())
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r"'s$|'$", "", text).strip(" ,.;:")
    return text


def name_key(name: str) -> str:
    """Key two names share when they are the same agency written differently."""
    key = clean_surface(name).lower().replace("'s ", " ").replace("dept.", "department")
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", key).split())


def _known_by_form() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for entry in known_agencies():
        for form in entry["forms"]:
            table[name_key(form)] = entry
    return table


_KNOWN = _known_by_form()
_KNOWN_LED_BY = {entry["name"]: entry["led_by"] for entry in known_agencies() if "led_by" in entry}


def _strip_place(words: list[str]) -> list[str]:
    while words and words[0].lower() in _NOT_PLACE:
        # "New" opens place names ("New York State Police"); keep it before a known place.
        if words[0].lower() == "new" and len(words) > 1 and _known_place(" ".join(words[:2])):
            break
        words = words[1:]
    return words


def _known_place(name: str) -> bool:
    """Whether the gazetteer knows ``name`` as a state, county or city."""
    bare = re.sub(r" (?:County|Parish)$", "", name)
    return bool(places.state_code(name) or places.county_states(bare) or places.city_states(bare))


def _headline_end(doc: Doc) -> int:
    cut = doc_text(doc).find("\n\n")
    return cut if cut > 0 else 0


def _known_tail(surface: str) -> str:
    """``surface`` from the first word of a tail that starts with a known county or city
    ("Records Show Barnstable County Sheriff's Office" -> "Barnstable County Sheriff's Office")."""
    words = surface.split()
    for k in range(1, len(words) - 1):
        for n in (3, 2, 1):
            place = " ".join(words[k : k + n])
            if words[k + n - 1 : k + n] == ["County"] and places.county_states(place):
                return " ".join(words[k:])
    return surface


def _title_words(text: str) -> str:
    """Title case that leaves "of", "and", "the" and "for" lower case."""
    return " ".join(
        w if w.lower() in ("of", "and", "the", "for") and i else w[:1].upper() + w[1:]
        for i, w in enumerate(text.split())
    )


_FORMS: list[tuple[re.Pattern[str], str, str, bool]] = [
    # (pattern over the cleaned surface, canonical template, type, implied)
    # Tribal police keep their own names ("Muscogee (Creek) Nation Lighthorse Police").
    (
        re.compile(r"^(?P<place>.+? Nation) (?P<kind>(?:\w+ )?(?:Police|Marshal Service))$", re.I),
        "{place} {kind}",
        "police",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) County Sheriff$", re.I),
        "{place} County Sheriff's Office",
        "sheriff",
        True,
    ),
    # A county jail is run by the sheriff in almost every US county; its policy is the sheriff's.
    (
        re.compile(
            r"^(?P<place>.+?) County (?:Jail|Detention(?: Center| Centre| Facility)?)$", re.I
        ),
        "{place} County Sheriff's Office",
        "sheriff",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) Sheriffs? ?'?s? (?P<kind>Office|Department|Dept\.?)$", re.I),
        "{place} Sheriff's {kind}",
        "sheriff",
        False,
    ),
    (
        re.compile(
            r"^(?P<place>.+?) (?P<kind>State Police|State Patrol|Highway Patrol|Department of Public Safety|Department of Corrections?(?: and (?:Community Supervision|Rehabilitation))?|Office of the Attorney General|Attorney General's Office)$",
            re.I,
        ),
        "{place} {kind}",
        "state",
        False,
    ),
    # Kinds a state's own agencies share with federal ones or with nothing local: the place
    # must be a state ("Montana Department of Justice"; "Department of Justice" is federal).
    (
        re.compile(
            r"^(?P<place>.+?) (?P<kind>Department of (?:(?:Criminal )?Justice|Law Enforcement)|(?:State )?(?:Bureau|Division) of (?:Criminal )?(?:Investigations?|Apprehension)|Law Enforcement (?:Agency|Division)|State Troopers)$",
            re.I,
        ),
        "{place} {kind}",
        "state",
        False,
    ),
    (
        re.compile(
            r"^(?P<kind>Office of the Attorney General of(?: the State of)?) (?P<place>.+)$", re.I
        ),
        "{kind} {place}",
        "state",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?P<kind>(?:Division|Department|Bureau) of Police)$", re.I),
        "{place} {kind}",
        "police",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) Police (?:Chief|Commissioner|Superintendent)$", re.I),
        "{place} Police Department",
        "police",
        True,
    ),
    (
        re.compile(r"^(?P<place>.+?) Police (?:Department|Dept\.?)$", re.I),
        "{place} Police Department",
        "police",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?P<kind>Police (?:Bureau|Service|Force|Division))$", re.I),
        "{place} {kind}",
        "police",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?:Metro |Metropolitan )?Police$", re.I),
        "{place} Police Department",
        "police",
        False,
    ),
    (re.compile(r"^(?P<place>.+?) PD$"), "{place} Police Department", "police", False),
    (re.compile(r"^(?P<place>.+?) Mayor$", re.I), "City of {place}", "city", True),
    (
        re.compile(
            r"^(?P<kind>City|Town|Village) of (?P<place>.+?)"
            r"(?: (?:Select Board|Board of \w+|Board|City Council|Council|Commission))?$",
            re.I,
        ),
        "{kind} of {place}",
        "city",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) City (?:Council|Hall|Government|Commission)$", re.I),
        "City of {place}",
        "city",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?P<kind>Village|Town) (?:Board|Council)$", re.I),
        "{kind} of {place}",
        "city",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?:Select Board|Board of Selectmen)$", re.I),
        "Town of {place}",
        "city",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) Board of (?:Trustees|Aldermen)$", re.I),
        "Village of {place}",
        "city",
        False,
    ),
    (re.compile(r"^County of (?P<place>.+)$", re.I), "{place} County", "county", False),
    (
        re.compile(r"^(?P<place>.+?)(?: County)? Board of County Commissioners$", re.I),
        "{place} County",
        "county",
        False,
    ),
    (
        re.compile(
            r"^(?P<place>.+?) County(?: Board(?: of (?:Supervisors|Commissioners|Legislators|Chosen Freeholders))?| Commission| Commissioners(?: Court)?| Government| Council| Legislature| Fiscal Court)?$",
            re.I,
        ),
        "{place} County",
        "county",
        False,
    ),
    (
        re.compile(
            r"^(?P<place>.+?) County (?:Executive|Commissioner|Supervisor|Legislator|Judge|Administrator|Manager|Freeholder)$",
            re.I,
        ),
        "{place} County",
        "county",
        True,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?P<kind>(?:Precinct \d+ )?Constable's Office)$", re.I),
        "{place} {kind}",
        "police",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) Metro Government$", re.I),
        "{place} Metro Government",
        "city",
        False,
    ),
    (
        re.compile(
            r"^(?P<place>.+?) (?P<kind>Transit (?:System|Authority|Administration)(?: Police)?|Public Schools|Board of Education)$",
            re.I,
        ),
        "{place} {kind}",
        "other",
        False,
    ),
    (
        re.compile(
            r"^(?P<place>.+?) County (?P<kind>District Attorney|Attorney|Prosecutor)(?P<office>'s Office)?$",
            re.I,
        ),
        "{place} County {kind}'s Office",
        "county",
        False,
    ),
    (
        re.compile(r"^Office of the (?P<place>.+?) Attorney General$", re.I),
        "Office of the {place} Attorney General",
        "state",
        False,
    ),
    (
        re.compile(r"^(?P<place>.+?) (?P<kind>Marshal's Office)$", re.I),
        "{place} {kind}",
        "police",
        False,
    ),
]


# Kinds of agency only a state has under that name: the place before one must be a state.
_STATE_ONLY_KIND = re.compile(
    r"^(?:Department of (?:(?:Criminal )?Justice|Law Enforcement)|"
    r"(?:State )?(?:Bureau|Division) of (?:Criminal )?(?:Investigations?|Apprehension)|"
    r"Law Enforcement (?:Agency|Division)|State Troopers|"
    r"Office of the Attorney General of(?: the State of)?)$",
    re.I,
)


def _and_county(place_words: list[str]) -> bool:
    """Whether ``place_words`` name a county with "and" in its name ("Lewis and Clark")."""
    return bool(places.county_states(" ".join(place_words).removesuffix(" County")))


def classify(surface: str) -> tuple[str, str, str, bool] | None:
    """(canonical name, type, place, implied) for a cleaned surface form, or None if no agency."""
    known = _KNOWN.get(name_key(surface))
    if known is not None:
        return known["name"], known["type"], "", False
    for pattern, template, agency_type, implied in _FORMS:
        match = pattern.match(surface)
        if match is None:
            continue
        place_words = _strip_place(match.group("place").split())
        if place_words and places.state_code(" ".join(place_words).removesuffix("'s")):
            # "Montana's Department of Justice" -> "Montana Department of Justice"
            place_words[-1] = place_words[-1].removesuffix("'s")
        if not place_words or not all(
            w.lstrip("(")[:1].isupper()
            or w[:1].isdigit()
            # "University of Maryland Police Department"
            or (w == "of" and i == 1 and place_words[0] in ("University", "College"))
            # "Lewis and Clark County Sheriff": a county the gazetteer knows by that name.
            or (w == "and" and 0 < i < len(place_words) - 1 and _and_county(place_words))
            for i, w in enumerate(place_words)
        ):
            return None
        place = " ".join(place_words)
        kind = match.groupdict().get("kind") or ""
        if _STATE_ONLY_KIND.match(kind) and not places.state_code(place):
            return None  # "Department of Justice" alone, or after no state, is federal
        if places.is_country(place) or len(place.replace(".", "")) < 2:
            return None  # "Bolivia's police", "Nigeria Police": US local agencies only
        if "office" in match.groupdict():
            implied = match.group("office") is None  # "Hennepin County Attorney Mary Moriarty"
        parts = {"place": place, "kind": _title_words(kind)}
        if (
            template == "City of {place}"
            and places.county_states(place)
            and not places.city_states(place)
        ):
            # "Miami-Dade Mayor": a county with a mayor and no city of that name.
            template, agency_type = "{place} County", "county"
        if template == "{place} Police Department" and place.endswith(" State"):
            # "Oregon State Police Superintendent": the state police, not a city's.
            template, agency_type = "{place} Police", "state"
        name = template.format(**parts).replace("Dept.", "Department").replace("Dept", "Department")
        if name_key(name) in _KNOWN:
            return _KNOWN[name_key(name)]["name"], _KNOWN[name_key(name)]["type"], "", implied
        return name, agency_type, place, implied
    return _other_agency(surface)


_HEAD_NOUNS = {
    "department",
    "office",
    "patrol",
    "service",
    "bureau",
    "agency",
    "commission",
    "council",
    "board",
    "police",
    "marshals",
    "authority",
    "administration",
    "division",
    "supervisors",
    "district",
}
_GENERIC_WORDS = _HEAD_NOUNS | {
    "sheriff",
    "sheriff's",
    "sheriffs",
    "of",
    "and",
    "the",
    "for",
    "county",
    "city",
    "state",
    "public",
    "safety",
    "attorney's",
    "district",
    "metropolitan",
    "metro",
}


def _other_agency(surface: str) -> tuple[str, str, str, bool] | None:
    """An entity the model tagged ORG that names a government body by its head noun.

    It must end in a head noun ("... Department", "... Office") and carry a
    proper name besides the generic words, so "Police Chiefs Across" (a
    headline) and a bare "Sheriff's Office" (a reference) are not agencies.
    """
    if not _AGENCY_WORDS.search(surface):
        return None
    words = surface.split()
    if len(words) < 2 or words[-1].lower() not in _HEAD_NOUNS:
        return None
    proper = [w for w in _strip_place(words) if w.lower() not in _GENERIC_WORDS]
    if not proper or not all(
        w[:1].isupper() for w in words if w.lower() not in ("of", "and", "for", "the")
    ):
        return None
    agency_type = "sheriff" if "sheriff" in surface.lower() else "other"
    if re.search(r"\bpolice\b", surface, re.I):
        agency_type = "police"
    return surface, agency_type, "", False


def _mention(doc: Doc, start: int, end: int, raw: str) -> _Mention | None:
    # "Miami-Dade Mayor": the ruler's word pattern starts after the hyphen.
    text = doc_text(doc)
    while start > 1 and text[start - 1] == "-" and text[start - 2].islower():
        first = start - 2
        while first > 0 and (text[first - 1].isalpha() or text[first - 1] in ".'’"):
            first -= 1
        if not text[first].isupper():
            break  # "USB-C PD" is no place: a capitalised word, not an acronym, opens one
        raw, start = text[first:start] + raw, first
    start, raw = _and_county_start(text, start, raw)
    # "In Cass County" -> "Cass County": the ruler's title-case run can take in a sentence opener.
    words = raw.split()
    while (
        len(words) > 1
        and words[0].lower() in _NOT_PLACE
        and words[0].lower() not in ("the", "city", "county", "u.s.")
        and not (words[0].lower() == "new" and _known_place(" ".join(words[:2])))
    ):
        dropped = raw.index(words[0]) + len(words[0])
        start += dropped
        raw = raw[dropped:]
        words = raw.split()
    # "Westbrook police will ...": the ruler takes one word after a lower-case "police".
    if re.search(r"\S police \S+$", raw):
        raw = raw[: raw.rindex(" ")]
    surface = clean_surface(raw)
    if start < _headline_end(doc):
        # A title-case headline runs words into the name ("Records Show Barnstable County
        # Sheriff's Office"): keep the shortest tail the gazetteer knows as a county or city.
        tail = _known_tail(surface)
        if tail != surface:
            cut = raw.index(tail.split()[0])
            start += cut
            raw = raw[cut:]
            surface = tail
    found = classify(surface)
    if found is None:
        return None
    name, agency_type, place, implied = found
    lead = len(raw) - len(raw.lstrip())
    start += lead
    if raw.lower().startswith("the "):
        start += 4
    known = _KNOWN.get(name_key(name))
    state = known["state"] if known is not None else ""
    return _Mention(start, start + len(surface), surface, name, agency_type, state, implied, place)


_COUNTY_HEAD = re.compile(r"(?P<second>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)?) County\b")
_AND_BEFORE = re.compile(r"(?:^|(?<=\s))(?P<first>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)?) and $")


def _and_county_start(text: str, start: int, raw: str) -> tuple[int, str]:
    """``start`` and ``raw`` taken back over the first half of a county named "X and Y"
    ("Clark County Sheriff" after "Lewis and " -> "Lewis and Clark County Sheriff")."""
    head = _COUNTY_HEAD.match(raw)
    before = _AND_BEFORE.search(text, max(0, start - 40), start)
    if head is None or before is None:
        return start, raw
    words = before.group("first").split()
    for n in range(len(words), 0, -1):
        first = " ".join(words[-n:])
        if places.county_states(f"{first} and {head.group('second')}"):
            begin = start - len(f"{first} and ")
            return begin, text[begin:start] + raw
    return start, raw


# Words that continue an agency's name into another organisation's ("Seattle Police Officers
# Guild", "Fraternal Order of Police Lodge 7", "Houston Police Foundation").
_ASSOCIATION_WORDS = {
    "guild", "union", "association", "foundation", "federation", "officers", "benevolent",
    "league", "auxiliary", "academy", "museum", "athletic", "credit", "lodge", "explorers",
    "chaplains", "memorial", "band", "officers'", "employees", "accountability", "oversight",
    "training",
}  # fmt: skip


def _continues_as_association(doc: Doc, end: int) -> bool:
    """Whether capitalised words right after token ``end`` name an association."""
    for token in doc[end : end + 3]:
        if not (token.is_title or token.text.isdigit()):
            return False
        if token.lower_ in _ASSOCIATION_WORDS:
            return True
    return False


def _entity_mentions(doc: Doc) -> list[_Mention]:
    found: list[_Mention] = []
    for ent in doc.ents:
        if ent.label_ in (AGENCY_LABEL, "ORG") and _continues_as_association(doc, ent.end):
            continue
        if ent.label_ == AGENCY_LABEL or (
            ent.label_ in ("ORG", "FAC") and _AGENCY_WORDS.search(ent.text)
        ):
            mention = _mention(doc, ent.start_char, ent.end_char, ent.text)
            if mention is not None:
                found.append(mention)
    return found


def _group_mentions(doc: Doc) -> list[_Mention]:
    """Members of "cities such as X, Y and Z" / "counties, including A, B" lists."""
    found: list[_Mention] = []
    for token in doc:
        kind = _GROUP_NOUNS.get(token.lower_)
        if kind is None:
            continue
        rest = doc[token.i + 1 : token.i + 5].text.lower().lstrip(", ")
        opener = next((o for o in _GROUP_OPENERS if rest.startswith(o)), None)
        if opener is None:
            continue
        # "Sheriff's offices in a dozen counties, including ...": the members are the offices.
        lead = doc[max(token.sent.start, token.i - 10) : token.i].text.lower().replace("’", "'")
        office = ""
        if kind == "county" and re.search(
            r"\bsheriffs\b|\bsheriff's (?:offices|departments)", lead
        ):
            office = "sheriff"
        elif kind == "city" and re.search(r"\bpolice (?:departments|chiefs|forces)\b", lead):
            office = "police"
        if not office and not document_on_topic(doc):
            continue  # "cities like Beijing", "30 cities including Nashville": places on a tour
        i = token.i + 1
        while i < len(doc) and (doc[i].is_punct or doc[i].lower_ in opener.split()):
            i += 1
        while i < len(doc):
            j = i
            while j < len(doc) and doc[j].is_title and doc[j].lower_ not in ("and", "or"):
                j += 1
            if j == i:
                break
            place = doc[i:j]
            if office == "sheriff":
                name, member = f"{place.text} County Sheriff's Office", "sheriff"
            elif office == "police":
                name, member = f"{place.text} Police Department", "police"
            else:
                name = f"City of {place.text}" if kind == "city" else f"{place.text} County"
                member = kind
            found.append(
                _Mention(
                    place.start_char,
                    place.end_char,
                    place.text,
                    name,
                    member,
                    "",
                    False,
                    place.text,
                )
            )
            while j < len(doc) and (doc[j].text == "," or doc[j].lower_ in ("and", "or")):
                j += 1
            i = j
    return found


_PLACE = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}"
# "Police chiefs in Elk Crossing, Fremont Springs and Bridal Veil": each place's force.
_OFFICES_IN = re.compile(
    r"\b(?:[Pp]olice(?: chiefs| departments| forces)?|[Cc]hiefs of police) (?:in|of) "
    rf"(?P<places>{_PLACE}(?:, {_PLACE})*,? (?:and|or) {_PLACE})"
)
# "Sheriffs in Renfrew and Caswell counties": each county's office.
_SHERIFFS_IN = re.compile(
    r"\b[Ss]heriff(?:s|['’]s offices|s['’] offices) (?:in|of) "
    rf"(?P<places>{_PLACE}(?:, {_PLACE})*,? (?:and|or) {_PLACE}) counties\b"
)


# "The Goose Creek and Hanahan police departments", "Dakota and Scott county sheriffs": a
# plural office after coordinated places is one office of each.
_PLACES_OFFICES = re.compile(
    rf"(?P<places>{_PLACE}(?:, {_PLACE})*,? (?:and|or) {_PLACE}) "
    r"(?P<office>police (?:departments|chiefs|forces)|(?:[Cc]ount(?:y|ies)'? )?"
    r"(?:sheriffs|sheriff's offices|sheriff’s offices|sheriffs' offices|sheriffs’ offices))\b"
)
_LEADING_ARTICLE = re.compile(r"^(?:The|Both|Neighboring|Nearby) ")


def _office_list_mentions(doc: Doc) -> list[_Mention]:
    """The police departments of a list of places ("police chiefs in A, B and C"; "the A and
    B police departments") and the sheriff's offices of a list of counties."""
    found: list[_Mention] = []
    text = doc_text(doc)
    matches = [(m, "police") for m in _OFFICES_IN.finditer(text)]
    matches += [
        (m, "police" if m.group("office").startswith("police") else "sheriff")
        for m in _PLACES_OFFICES.finditer(text)
    ]
    matches += [(m, "sheriff") for m in _SHERIFFS_IN.finditer(text)]
    for match, kind in matches:
        start = match.start("places")
        for part in re.finditer(rf"{_PLACE}", match.group("places")):
            place = _LEADING_ARTICLE.sub("", part.group(0))
            if place in ("And", "Or") or places.state_code(place) or places.is_country(place):
                continue
            begin = start + part.end() - len(place)
            if kind == "sheriff":
                surface = place
                place = place.removesuffix(" County")
                found.append(
                    _Mention(
                        begin,
                        begin + len(surface),
                        surface,
                        f"{place} County Sheriff's Office",
                        "sheriff",
                        "",
                        True,
                        f"{place} County",
                    )
                )
                continue
            # Implied: the place only stands for its force, as in a title ("Omaha Police
            # Chief"); it is no alias and no sign of which city a story is about.
            found.append(
                _Mention(
                    begin,
                    begin + len(place),
                    place,
                    f"{place} Police Department",
                    "police",
                    "",
                    True,
                    place,
                )
            )
    return found


_MAYOR_OF = re.compile(
    r"\bmayor of (?:the city of )?(?P<place>[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3})"
)
_FORMER = {"former", "ex", "ex-", "late", "then"}


def _locative_place(doc: Doc, title_start: int) -> str:
    """The place of a sentence that opens "In Cass County, ..." before token ``title_start``.

    Only a comma-set phrase without a verb may stand between the place and the
    title ("In Cass County, in north-central Minnesota, Sheriff ...").
    """
    if title_start < 3 or doc[title_start - 1].text != ",":
        return ""
    sentence_start = doc[title_start].sent.start
    while sentence_start < title_start and doc[sentence_start].is_space:
        sentence_start += 1
    if doc[sentence_start].lower_ != "in":
        return ""
    first = sentence_start + 1
    # "In neighboring Carrow County, Sheriff ...": a lower-case word before the place.
    while first < min(title_start, sentence_start + 3) and doc[first].is_lower:
        first += 1
    end = first
    while end < title_start and (doc[end].text[:1].isupper() or doc[end].text == "."):
        end += 1
    words = doc[first:end]
    between = doc[end : title_start - 1]
    if not 1 <= len(words) <= 4 or doc[end].text != ",":
        return ""
    if any(t.pos_ in ("VERB", "AUX") for t in between) or len(between) > 8:
        return ""
    return words.text


def _mayor_place(doc: Doc, mentions: list[_Mention], dateline_city: str) -> str:
    """The city a mayor with no place in the title leads: "mayor of X", else the one city
    the story's local agencies belong to, else the dateline's city."""
    named = {m.group("place") for m in _MAYOR_OF.finditer(doc_text(doc))}
    if len(named) == 1:
        return named.pop()
    local = {
        m.place
        for m in mentions
        if m.place and m.agency_type in ("police", "city") and not m.implied
    }
    if len(local) == 1:
        return local.pop()
    return dateline_city if not local else ""


def _story_county(mentions: list[_Mention], dateline_city: str) -> str:
    """The county a story is about, for a sheriff named without one: the dateline's county
    ("RIO SECO COUNTY, Texas —") or the only county the text names, when no sheriff's office
    is named at all."""
    if any(m.agency_type == "sheriff" or _KNOWN_LED_BY.get(m.name) == "sheriff" for m in mentions):
        return ""  # the story's sheriff leads an office it names (LVMPD's is Clark County's)
    if dateline_city.endswith(" County"):
        return dateline_city
    counties = {m.name for m in mentions if m.agency_type == "county"}
    return counties.pop() if len(counties) == 1 else ""


def _title_mentions(doc: Doc, mentions: list[_Mention], dateline_city: str) -> list[_Mention]:
    """Agencies named only through an official's title and the place around it.

    "In Cass County, Sheriff Brian Mueller ..." names the Cass County Sheriff's
    Office; "Mayor Patricia Nguyen" in a story about one city names that city.
    """
    taken = [(m.start, m.end) for m in mentions]
    found: list[_Mention] = []
    mayor_place: str | None = None
    for i, lower in enumerate(token_lowers(doc)):
        if lower == "undersheriff":
            lower = "sheriff"  # the second in command of the same office
        if lower not in ("sheriff", "mayor", "chief"):
            continue
        token = doc[i]
        first = token.i
        # "In Cass County, the sheriff ...": the office without a name.
        described = lower == "sheriff" and first > 0 and doc[first - 1].lower_ == "the"
        if described:
            first -= 1
        elif not token.is_title:
            continue
        if lower == "chief":
            if first == 0 or doc[first - 1].lower_ != "police":
                continue
            first -= 1
        after = doc[token.i + 1] if token.i + 1 < len(doc) else None
        named = after is not None and (
            after.ent_type_ == "PERSON" or (after.is_title and after.pos_ == "PROPN")
        )
        if not named and not described:
            continue
        start, end = doc[first].idx, token.idx + len(token.text)
        if any(s < end and start < e for s, e in taken):
            continue
        if first > 0 and doc[first - 1].lower_.rstrip("-") in _FORMER:
            continue
        place = _locative_place(doc, first)
        if described and not place:
            continue
        if lower == "sheriff":
            if not place and not described:
                place = _story_county(mentions, dateline_city)
            if not re.search(r" (?:County|Parish)$", place):
                continue
            name, kind = f"{place} Sheriff's Office", "sheriff"
        elif lower == "chief":
            before = doc[first - 1] if first > 0 else None
            named = (
                before is not None
                and before.text[:1].isupper()
                and before.lower_ not in _NOT_PLACE  # "Interim Police Chief X"
            )
            if (
                not place
                and not named  # "BART Police Chief": a force the patterns did not know
                and not any(m.agency_type == "police" and not m.implied for m in mentions)
            ):
                # "Police Chief X" in a story about one town names no force: the town's.
                if mayor_place is None:
                    mayor_place = _mayor_place(doc, mentions, dateline_city)
                place = mayor_place
            if not place or re.search(r" (?:County|Parish)$", place):
                continue
            name, kind = f"{place} Police Department", "police"
        else:
            if not place:
                if mayor_place is None:
                    mayor_place = _mayor_place(doc, mentions, dateline_city)
                place = mayor_place
            if not place or re.search(r" (?:County|Parish)$", place):
                continue
            name, kind = f"City of {place}", "city"
        known = _KNOWN.get(name_key(name))
        if known is not None:
            name, kind = known["name"], known["type"]
        surface = doc_text(doc)[start:end]
        found.append(_Mention(start, end, surface, name, kind, "", True, place))
    return found


_POSSESSIVE_OFFICE = re.compile(
    r"\b(?P<place>[A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2})['’]s "
    r"(?:(?:interim|acting|new) )?"
    r"(?P<what>police chief|chief of police|police department|police force|police|"
    r"sheriff['’]s office|sheriff|mayor|(?i:city council|city commission))\b"
)


def _possessive_mentions(doc: Doc) -> list[_Mention]:
    """Agencies named by a place's office: "Henderson's police chief", "Wake County's sheriff"."""
    found: list[_Mention] = []
    for match in _POSSESSIVE_OFFICE.finditer(doc_text(doc)):
        words = _strip_place(match.group("place").split())
        if not words:
            continue
        place = " ".join(words)
        start = match.start("place") + match.group("place").index(words[0])
        end = match.end()
        if places.state_code(place) or places.is_country(place) or len(place) < 2:
            continue
        what = match.group("what").replace("’", "'").lower()
        county = re.search(r" (?:County|Parish)$", place) is not None
        if what.startswith("sheriff"):
            if not county:
                continue
            name, kind = f"{place} Sheriff's Office", "sheriff"
        elif county:
            continue
        elif what in ("mayor", "city council", "city commission"):
            name, kind = f"City of {place}", "city"
        else:
            name, kind = f"{place} Police Department", "police"
        known = _KNOWN.get(name_key(name))
        if known is not None:
            name, kind = known["name"], known["type"]
        implied = what in ("police chief", "chief of police", "sheriff", "mayor")
        surface = doc_text(doc)[start:end]
        found.append(_Mention(start, end, surface, name, kind, "", implied, place))
    return found


def _quoted(doc: Doc, char: int) -> bool:
    """Whether ``char`` lies inside double quotation marks of its paragraph."""
    text = doc_text(doc)
    start = text.rfind("\n\n", 0, char) + 1
    before = text[start:char]
    straight = before.count('"') % 2 == 1
    return straight or before.count("\u201c") > before.count("\u201d")


def _bare_county(mention: _Mention) -> bool:
    """A mention that is only a county's name ("Alder County"), not its board or a list member."""
    return re.search(r" County$", mention.surface) is not None and mention.surface[:1].isupper()


def _bare_city(mention: _Mention) -> bool:
    """A mention that only names a city ("the City of Las Vegas"), not its council or mayor."""
    return re.match(r"(?:City|Town|Village) of ", mention.surface) is not None


# Subjects that stand for a county's or city's government.
_GOVERNING_BODIES = {
    "commissioner", "supervisor", "board", "council", "councilmember", "legislator", "official",
    "leader", "alderman", "selectman", "government",
}  # fmt: skip


def _acts(doc: Doc, mention: _Mention) -> bool:
    """Whether a bare county name ("Alder County") stands for the county acting, not a place.

    A place sits in a prepositional phrase ("in neighboring Alder County") or
    modifies a noun ("Alder County residents"); an actor is a subject, a
    possessor ("Alder County's policy") or an agent ("by Alder County").
    """
    city = _bare_city(mention)
    if not (_bare_county(mention) or city):
        return True  # "... County Board", a group member, a mayor: an actor by construction
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return True
    if not city and _quoted(doc, mention.start):
        return False  # speech names places loosely ("Gaston County is choosing fear")
    head = span.root
    following = doc_text(doc)[mention.end : mention.end + 2]
    if following in ("'s", "’s") or following.startswith(("'", "’")):
        return True
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("nsubj", "nsubjpass", "poss", "appos"):
        return True
    if head.dep_ == "pobj" and head.head.lower_ == "in" and head.head.i == head.sent.start:
        # "In Berks County, commissioners approved ...": the place of a sentence whose
        # subject is its own governing body is that body's county or city.
        root = head.sent.root
        return any(
            child.dep_ in ("nsubj", "nsubjpass") and child.lemma_.lower() in _GOVERNING_BODIES
            for child in root.children
        )
    return head.dep_ == "pobj" and head.head.lower_ == "by"


def _subject_or_agent(doc: Doc, mention: _Mention) -> bool:
    """Whether ``mention`` is a subject, a possessor or an agent ("by ...") in its sentence."""
    span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return True
    head = span.root
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    if head.dep_ in ("nsubj", "nsubjpass", "poss", "appos"):
        return True
    return head.dep_ == "pobj" and head.head.lower_ == "by"


def _acronym_aliases(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """An acronym in parentheses right after an agency ("... Department (LVMPD)") names it."""
    by_end = {m.end: m for m in mentions}
    defined: dict[str, _Mention] = {}
    for match in re.finditer(r"\s?\((?P<acr>[A-Z][A-Za-z.&]{1,9})\)", doc_text(doc)):
        owner = by_end.get(match.start())
        acronym = match.group("acr")
        if owner is not None and acronym.upper() == acronym and owner.agency_type != "federal":
            defined[acronym] = owner
    # "SLCPD", "HCSO": capitals that spell the initials of exactly one agency of the text.
    owners: dict[str, list[_Mention]] = {}
    for mention in mentions:
        if mention.agency_type != "federal" and mention.name not in (
            m.name for m in owners.get(_initials(mention.name), [])
        ):
            owners.setdefault(_initials(mention.name), []).append(mention)
    for match in re.finditer(r"\b[A-Z]{3,7}\b", doc_text(doc)):
        found = owners.get(match.group(0), [])
        if len(found) == 1 and match.group(0) not in defined:
            defined[match.group(0)] = found[0]
    added: list[_Mention] = []
    taken = {(m.start, m.end) for m in mentions}
    for acronym, owner in defined.items():
        for match in re.finditer(rf"\b{re.escape(acronym)}\b", doc_text(doc)):
            if (match.start(), match.end()) not in taken:
                added.append(
                    _Mention(
                        match.start(),
                        match.end(),
                        acronym,
                        owner.name,
                        owner.agency_type,
                        owner.state,
                        False,
                        owner.place,
                    )
                )
    return added


def _initials(name: str) -> str:
    """Capital initials of a name's words ("Salt Lake City Police Department" -> "SLCPD")."""
    words = clean_surface(name).replace("'s ", " ").split()
    return "".join(w[0] for w in words if w[:1].isupper())


def _police_rank(name: str) -> tuple[bool, int]:
    """Which of two names of one place's police is the full one: a force's own name
    ("Columbus Division of Police", "Portland Police Bureau") over the generic "<place>
    Police Department" a short form ("Columbus Police") is given, then the longer."""
    return not name.endswith(" Police Department"), len(name)


def _place_key(name: str) -> str:
    words = [
        w
        for w in name_key(name).split()
        if w
        not in {"metropolitan", "metro", "police", "department", "division", "bureau", "city", "of"}
    ]
    return " ".join(words)


def _cluster(mentions: list[_Mention]) -> list[_Cluster]:
    clusters: dict[str, _Cluster] = {}
    for mention in sorted(mentions, key=lambda m: m.start):
        key = name_key(mention.name)
        cluster = clusters.get(key)
        if cluster is None:
            cluster = clusters[key] = _Cluster(mention.name, mention.agency_type, mention.state)
        cluster.mentions.append(mention)
    # Short forms ("Las Vegas Police") join the police agency of the same place.
    police = [c for c in clusters.values() if c.agency_type == "police"]
    for short in list(police):
        for full in police:
            if full is short or _place_key(full.name) != _place_key(short.name):
                continue
            if (
                _police_rank(full.name) > _police_rank(short.name)
                and name_key(short.name) in clusters
                and name_key(full.name) in clusters
            ):
                full.mentions.extend(short.mentions)
                del clusters[name_key(short.name)]
                break
    # "The Highway Patrol's agreement" after "the Oklahoma Highway Patrol": a name without its
    # place is the one agency whose name ends with it.
    for short in [c for c in clusters.values() if c.agency_type == "other"]:
        tail = " " + name_key(short.name)
        fuller = [c for c in clusters.values() if name_key(c.name).endswith(tail)]
        if len(fuller) == 1:
            fuller[0].mentions.extend(short.mentions)
            del clusters[name_key(short.name)]
    return list(clusters.values())


def _resolve_anaphora(doc: Doc, clusters: list[_Cluster]) -> None:
    """Attach "the department" and the like to the nearest fitting agency before it."""
    sentence_starts = [sent.start_char for sent in doc.sents]
    spans = sorted(
        ((m.start, m.end, c) for c in clusters for m in c.mentions), key=lambda item: item[0]
    )
    for match in re.finditer(
        r"\bthe (police department|sheriff[’']s (?:office|department)|department|office|agency|city|county|jail|district)\b",
        doc_text(doc),
        flags=re.IGNORECASE,
    ):
        if any(start <= match.start(1) < end for start, end, _ in spans):
            continue  # "the Department of Homeland Security" names an agency of its own
        if doc_text(doc)[match.end() : match.end() + 4] == " of ":
            continue  # "the Department of Corrections": a name, not a reference back
        wanted = _ANAPHORA.get(match.group(1).lower().replace("’", "'"), ())
        here = _sentence_at(sentence_starts, match.start())
        candidates = [
            c
            for start, _, c in spans
            if start < match.start()
            and c.agency_type in wanted
            and here - _sentence_at(sentence_starts, start) <= _ANAPHORA_WINDOW
        ]
        if candidates:
            candidates[-1].extra_spans.append((match.start() + 4, match.end()))


def _sentence_at(sentence_starts: list[int], char: int) -> int:
    """Index of the sentence holding character ``char``."""
    return max(0, bisect.bisect_right(sentence_starts, char) - 1)


def _infer_state(doc: Doc, cluster: _Cluster, dateline: str) -> str:
    if cluster.state or cluster.agency_type == "federal":
        return cluster.state
    place = next((m.place for m in cluster.mentions if m.place), "")
    place = re.sub(r"\s+(?:Metro|Metropolitan)$", "", place)
    if cluster.agency_type == "state" and places.state_code(re.sub(r"\s+State$", "", place)):
        return places.state_code(re.sub(r"\s+State$", "", place))  # "Colorado State Patrol"
    if cluster.agency_type in ("county", "sheriff") and "county" in cluster.name.lower():
        county = re.sub(r"\s+County.*$", "", cluster.name)
        candidates = places.county_states(county) or places.city_states(place)
    else:
        candidates = places.city_states(place) or places.county_states(place)
    if not candidates and places.state_code(place):
        return places.state_code(place)
    nearby: list[str] = []
    for mention in cluster.mentions:
        sentence = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if sentence is not None:
            nearby.extend(places.states_in(sentence.sent.text))
    in_text = _states_in_text(doc)
    local = set(in_text) | ({dateline} if dateline else set())
    home = _story_state(in_text, dateline)
    if candidates:
        for state in nearby:
            if state in candidates:
                return state
        if len(candidates) > 1:
            # The text's own states decide only when exactly one of them fits.
            hits = {state for state in local if state in candidates}
            if hits:
                return hits.pop() if len(hits) == 1 else (home if home in hits else "")
            # A much larger namesake city is the likely one; otherwise leave it open.
            return (
                places.dominant_city_state(place)
                if cluster.agency_type in ("police", "city")
                else ""
            )
        namesake = cluster.agency_type in ("county", "sheriff") or (
            places.city_population(place) < _SMALL_CITY and not places.county_states(place)
        )
        if namesake and home and candidates[0] not in local:
            # A local story's county or small town named like one elsewhere ("Pine County",
            # "Westbrook" in a New Jersey story): the story's state, not the namesake's.
            return home
        return candidates[0]
    if len(set(nearby)) == 1:
        return nearby[0]
    # A local agency the gazetteer does not know is most likely in the story's state.
    return home if not nearby else ""


# Below this population a lone namesake city elsewhere is weaker evidence than the story's state.
_SMALL_CITY = 50_000


def _story_state(in_text: list[str], dateline: str) -> str:
    """The state a story is set in: the dateline's (or, without one, the most named) state
    when it is named more often than all other states together; "" for a regional round-up.
    Washington, D.C. datelines are national stories, not local ones."""
    counts = Counter(in_text + ([dateline] if dateline else []))
    if not counts:
        return ""
    state = dateline or counts.most_common(1)[0][0]
    if state == "DC":
        return ""
    return state if 2 * counts[state] > sum(counts.values()) else ""


def _aliases(cluster: _Cluster) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for mention in cluster.mentions:
        form = (
            mention.place if mention.implied and cluster.agency_type == "city" else mention.surface
        )
        if mention.implied and cluster.agency_type != "city":
            continue
        if form and name_key(form) != name_key(cluster.name):
            seen.setdefault(name_key(form), form)
    return tuple(seen.values())


def extract_agencies(doc: Doc) -> list[Agency]:
    """Agencies named in ``doc``, one per canonical name, in order of first mention."""
    paragraphs = doc_text(doc).split("\n\n")
    # Office lists first: "the Renfrew County and Caswell County sheriff's offices" names the
    # offices, not the counties the entity ruler finds in the same words.
    mentions = (
        _office_list_mentions(doc)
        + _entity_mentions(doc)
        + _group_mentions(doc)
        + _possessive_mentions(doc)
    )
    mentions = _state_justice_departments(doc, _dedupe(mentions), paragraphs)
    mentions += _acronym_aliases(doc, mentions)
    mentions += _acting_city_mentions(doc, mentions)
    mentions += _title_mentions(doc, mentions, places.dateline_city(paragraphs))
    clusters = _cluster(mentions)
    sheriffs = {name_key(c.name) for c in clusters if c.agency_type == "sheriff"}
    clusters = [
        cluster
        for cluster in clusters
        if cluster.agency_type not in ("county", "city")
        or (
            any(_acts(doc, m) for m in cluster.mentions)
            # "Hennepin County runs the jail" beside the Hennepin County Sheriff's Office: the
            # bare county name is the sheriff's county, not a second actor.
            and not (
                f"{name_key(cluster.name)} sheriff office" in sheriffs
                and all(_bare_county(m) for m in cluster.mentions)
            )
        )
    ]
    # "asked the Texas attorney general's office for an opinion": an office written in lower
    # case is a description unless it acts ("the Kansas attorney general's office said").
    clusters = [
        cluster
        for cluster in clusters
        if not cluster.name.endswith("Attorney General's Office")
        or not all(m.surface.endswith(" office") for m in cluster.mentions)
        or any(_subject_or_agent(doc, m) for m in cluster.mentions)
    ]
    if _abroad(doc):
        # "the town of Ziketan in Qinghai province", "Huade County": in a story set abroad
        # (a foreign country named, no US state), a place the US gazetteer does not know is
        # a foreign town or county, not a US local government.
        clusters = [
            c
            for c in clusters
            if c.agency_type not in ("county", "city") or _known_place(_place_of(c.name))
        ]
    _resolve_anaphora(doc, clusters)
    dateline = places.dateline_state(paragraphs)
    agencies = []
    for cluster in sorted(clusters, key=lambda c: min(m.start for m in c.mentions)):
        spans = sorted({(m.start, m.end) for m in cluster.mentions} | set(cluster.extra_spans))
        agencies.append(
            Agency(
                name=cluster.name,
                agency_type=cluster.agency_type,
                state=_infer_state(doc, cluster, dateline),
                aliases=_aliases(cluster),
                spans=tuple(spans),
                named_mentions=len({(m.start, m.end) for m in cluster.mentions}),
            )
        )
    return agencies


_FEDERAL_JUSTICE = "U.S. Department of Justice"


def _state_justice_departments(
    doc: Doc, mentions: list[_Mention], paragraphs: list[str]
) -> list[_Mention]:
    """ "the state Department of Justice" is the state's, not the federal one: the state of a
    "<State> Department of Justice" the text names, else the state the story is set in; with
    neither, no agency."""
    text = doc_text(doc)
    named = {m.name: m for m in mentions if m.name.endswith(" Department of Justice")}
    named.pop(_FEDERAL_JUSTICE, None)
    home = _story_state(_states_in_text(doc), places.dateline_state(paragraphs))
    kept: list[_Mention] = []
    for mention in mentions:
        before = text[max(0, mention.start - 9) : mention.start].lower().replace("’", "'")
        if mention.name != _FEDERAL_JUSTICE or not re.search(r"\bstate(?:'s)? $", before):
            kept.append(mention)
            continue
        if len(named) == 1:
            state_doj = next(iter(named.values()))
            name, state, place = state_doj.name, state_doj.state, state_doj.place
        elif home and not named:
            place = next(n for n, code in places.state_names().items() if code == home).title()
            name, state = f"{place} Department of Justice", home
        else:
            continue
        kept.append(
            _Mention(
                mention.start, mention.end, mention.surface, name, "state", state, False, place
            )
        )
    return kept


def _states_in_text(doc: Doc) -> list[str]:
    """``places.states_in`` of the whole text, found once per Doc (every cluster asks)."""
    return per_doc(doc, "extractor_states", lambda: places.states_in(doc_text(doc)))


def _abroad(doc: Doc) -> bool:
    """Whether ``doc`` names a foreign country and no US state."""
    if _states_in_text(doc):
        return False
    return any(
        ent.label_ == "GPE"
        and places.is_country(ent.text)
        and ent.text not in ("U.S.", "US", "America", "United States", "the United States")
        for ent in doc.ents
    )


def _place_of(name: str) -> str:
    """The place in a city or county agency's canonical name ("Town of X" -> "X")."""
    return re.sub(r"^(?:City|Town|Village|County) of ", "", name)


# Verbs that say what a place is, not what it does ("Chicago remains a sanctuary city").
_STATE_VERBS = {"be", "remain", "become", "seem", "look", "sit", "lie", "rank", "host"}


def _acting_city_mentions(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """A US city that is the subject of an act in a story about immigration enforcement
    ("Minneapolis will not use city resources to help ICE", "Boston refuses to hold ...")
    is its government; a city named as a place ("raids in Phoenix") is not."""
    if not document_on_topic(doc):
        return []
    taken = [(m.start, m.end) for m in mentions]
    found: list[_Mention] = []
    for ent in doc.ents:
        if ent.label_ != "GPE" or ent.root.dep_ not in ("nsubj", "nsubjpass"):
            continue
        if ent.root.head.lemma_.lower() in _STATE_VERBS or _quoted(doc, ent.start_char):
            continue
        following = doc_text(doc)[ent.end_char : ent.end_char + 3].lstrip()
        if ent.text.isupper() or following[:1] in ("—", "–", "-", "(", ","):
            continue  # a dateline ("MINNEAPOLIS (AP) —", "Chicago — Attorney General ...")
        place = clean_surface(ent.text)
        if (
            not place[:1].isupper()
            or places.state_code(place)
            or places.is_country(place)
            or not places.city_states(place)
            or any(s < ent.end_char and ent.start_char < e for s, e in taken)
        ):
            continue
        name = f"City of {place}"
        known = _KNOWN.get(name_key(name))
        name, kind = (known["name"], known["type"]) if known is not None else (name, "city")
        start = ent.start_char + ent.text.index(place)
        found.append(_Mention(start, start + len(place), place, name, kind, "", False, place))
    return found


def _dedupe(mentions: list[_Mention]) -> list[_Mention]:
    """Keep the longest mention where two overlap (entity and group mentions can)."""
    kept: list[_Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def agency_at(agencies: list[Agency], start: int, end: int) -> Agency | None:
    """The agency with a mention overlapping ``[start, end)``."""
    for agency in agencies:
        for s, e in agency.spans:
            if s < end and start < e:
                return agency
    return None
