"""Stances: each agency's position on helping federal immigration enforcement, with evidence.

Per sentence: the sentence must be about immigration enforcement; its cues
(``patterns/stance_cues.toml``) give a label (a refusal with a narrow
exception becomes ``limits``; an exception only for judicial warrants stays
``refuses``; an arrangement such as 287(g) cooperates whatever it allows;
turning an arrangement down refuses only what it turns down; work with federal
agencies on ordinary crimes is no immigration cooperation); the label goes to
the agencies the sentence is about: named in the subject, the agency of an
official in the subject (or the office the sentence gives them), a group
subject's members, or, for "it"/"the department", the agency of the sentence
before. Clauses about another agency are left out of an agency's sentence.
Sentences that report what others demand or criticise give no stance. Per
agency, sentences combine: any narrow cooperation next to refusals is
``limits``. Federal agencies are the enforcers, so they get no stance.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from spacy.tokens import Doc, Span, Token

from extractor.mentions import Agency, Official, Quote
from extractor.nlp import doc_text, per_doc

_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
_PRONOUNS = {"it", "they", "we", "its"}
_LABEL_ORDER = ("limits", "refuses", "cooperates", "unclear")


@dataclass(frozen=True, slots=True)
class StanceFinding:
    agency: str
    stance: str
    evidence: str
    cue: str
    speaker: str
    confidence: float


@dataclass(frozen=True, slots=True)
class _Cues:
    topic: tuple[re.Pattern[str], ...]
    refuses: tuple[re.Pattern[str], ...]
    limits: tuple[re.Pattern[str], ...]
    exception: tuple[re.Pattern[str], ...]
    warrant_only: tuple[re.Pattern[str], ...]
    cooperates: tuple[re.Pattern[str], ...]
    unclear: tuple[re.Pattern[str], ...]
    reported: tuple[re.Pattern[str], ...]
    bare_refuses: tuple[re.Pattern[str], ...]


# Up to three words between a negator and its verb, none of which starts a new clause:
# "will not be turning people over" is in scope, "not only X but will assist" is not.
# The words a negation reaches across are those of a verb chain: auxiliaries, verbs of
# intention and aspect, adverbs ("will not be turning people over", "won't even try to
# help"); a content verb in between ("has never hidden his support") ends its scope.
_GAP = (
    r"(?:(?:be|been|being|going|gonna|to|have|has|had|ever|also|always|even|further|"
    r"otherwise|now|yet|any|longer|get|start|begin|continue|seek|try|agree|plan|intend|want|"
    r"able|allowed|permitted|used|asked|willing|required|expected|lift a finger to|"
    r"civil|federal|immigration|ICE|local|its|their|any|all|the|in|with|"
    r"spend (?:a dime|money|resources|time)(?: on)?|use (?:its|their|our|county|city) "
    r"(?:\w+ ){0,4}to|\w+ly)\s+)"
)


def _alternation(patterns: list[str]) -> str:
    return "(?:" + "|".join(f"(?:{p})" for p in patterns) + ")"


def _constructions(data: dict[str, list[str]]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(negated taking part, taking part with the federal enforcer) built from the word classes."""
    negated = re.compile(
        _alternation(data["negators"])
        + rf"\s*{_GAP}{{0,3}}\b"
        + _alternation(data["cooperation_verbs"])
        + r"\b",
        re.IGNORECASE,
    )
    assisting = re.compile(
        r"\b"
        + _alternation(data["assistance_verbs"])
        + r"\s+(?:[\w\x27’-]+\s+){0,4}?(?:the\s+)?"
        + _alternation(data["enforcement_objects"]),
        re.IGNORECASE,
    )
    return negated, assisting


@functools.cache
def cues() -> _Cues:
    text = (
        resources.files("extractor.patterns")
        .joinpath("stance_cues.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(text)
    compiled = {
        key: tuple(re.compile(p, re.IGNORECASE) for p in data[key]) for key in _Cues.__slots__
    }
    negated, assisting = _constructions(data)
    compiled["refuses"] = (*compiled["refuses"], negated)
    compiled["cooperates"] = (*compiled["cooperates"], assisting)
    return _Cues(**compiled)


def _in_scope(text: str, refusal: re.Match[str], cue: re.Match[str] | None) -> bool:
    """Whether ``cue`` follows ``refusal`` in the same list of things refused: no new verb
    phrase (auxiliary), contrast or exception between them."""
    if cue is None or cue.start() < refusal.end():
        return False
    return _SCOPE_BREAK.search(text[refusal.end() : cue.start()]) is None


_SCOPE_BREAK = re.compile(
    r"[.;:]|\b(?:but|while|although|though|however|yet|whereas|except|unless|only|will|would|"
    r"shall|does|do|did|can|may|must|is|are|has|have)\b",
    re.IGNORECASE,
)


def _contrasted(text: str, one: re.Match[str], other: re.Match[str]) -> bool:
    """Whether two cues stand in clauses set against each other ("..., but ...")."""
    first, second = sorted((one, other), key=lambda m: m.start())
    between = text[first.end() : second.start()]
    return first.end() <= second.start() and _CONTRAST.search(between) is not None


_CONTRAST = re.compile(r"\b(?:but|while|although|though|however|yet|whereas)\b", re.IGNORECASE)


def document_on_topic(doc: Doc) -> bool:
    """Whether ``doc`` mentions immigration enforcement (the topic cues); once per Doc."""
    return per_doc(
        doc,
        "extractor_on_topic",
        lambda: _first(cues().topic, doc_text(doc).replace("’", "'")) is not None,
    )


def _overlap(match: re.Match[str] | None, other: re.Match[str]) -> bool:
    return match is not None and match.start() < other.end() and other.start() < match.end()


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    """The match that starts first among ``patterns`` (the earlier pattern on a tie)."""
    combined = _combined(patterns)
    if combined is not None:
        return combined.search(text)
    matches = [m for p in patterns if (m := p.search(text)) is not None]
    return min(matches, key=lambda m: m.start()) if matches else None


@functools.cache
def _combined(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    """``patterns`` as one alternation, which finds what ``_first``'s loop finds: the leftmost
    position any of them matches at, and there the first of them that matches, the same text
    (one scan of the text instead of one per pattern). None when they cannot be joined
    (different flags, a group name used twice)."""
    if len({p.flags for p in patterns}) != 1:
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns), patterns[0].flags)
    except re.error:
        return None


def _all(patterns: tuple[re.Pattern[str], ...], text: str) -> list[re.Match[str]]:
    """Every match of every pattern, in order of start."""
    return sorted((m for p in patterns for m in p.finditer(text)), key=lambda m: m.start())


def _first_outside(
    patterns: tuple[re.Pattern[str], ...], text: str, spans: Sequence[tuple[int, int]]
) -> re.Match[str] | None:
    """The first match not inside any of the character ranges ``spans``."""
    for match in _all(patterns, text):
        if not any(start <= match.start() and match.end() <= end for start, end in spans):
            return match
    return None


_FEDERAL_PARTNERS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bFBI\b",
        r"\bfederal (?:agents|agencies|partners|authorities)\b",
        r"\btask force\b",
        # "officers would not ask about status" in an immigration story: whose status is plain.
        r"\b(?:ask|asks|asked|asking|inquir\w*|question\w*) (?:[\w']+ ){0,3}(?:about|into|for) "
        r"(?:[\w']+ ){0,2}(?:status|papers)\b",
    )
)


def classify_sentence(
    text: str, *, context: str = "", document_on_topic: bool = False
) -> tuple[str, str, float] | None:
    """(label, cue, strength) for one sentence or clause, or None when it states no stance.

    ``context`` is the whole sentence when ``text`` is one clause of it: the
    topic (immigration enforcement) may be named in the other clause.
    """
    c = cues()
    text = text.replace("’", "'")
    on_topic = _first(c.topic, (context or text).replace("’", "'")) is not None
    if not on_topic and not document_on_topic:
        # Both ways an off-topic sentence can still count need an on-topic document.
        return None
    refusal = _first(c.refuses, text)
    limit = _unless_hypothetical(_first(c.limits, text), text)
    # "unless it comes with a judicial warrant": the exception clause names only a judge's
    # warrant or order, so its words ("unless", "criminal warrant") are no narrow case; a
    # narrow case named outside it ("... or involves a violent felony") still is.
    warrants = _all(c.warrant_only, text)
    exception = _first_outside(c.exception, text, [m.span() for m in warrants])
    warrant = warrants[0] if warrants else None
    cooperation = _unless_hypothetical(_first(c.cooperates, text), text)
    # "works with the FBI on gun violence and narcotics cases": help on ordinary crimes is no
    # help with immigration enforcement, neither cooperation nor a narrow case beside a refusal.
    # Sharing information or intelligence in criminal cases is a narrow case in its own right
    # (GOLD-FORMAT), so a clause with a limiting cue keeps its words.
    cooperation = None if _ordinary_crime_work(text, cooperation) else cooperation
    if cooperation is not None and _ABOUT_BEFORE.search(text, 0, cooperation.start()):
        # "reaffirming its policy on cooperation with federal immigration authorities": what
        # a policy is about is no act of cooperation.
        cooperation = None
    exception = None if _ordinary_crime_work(text, exception) else exception
    if (
        cooperation is not None
        and refusal is None
        and _NEGATION_BEFORE.search(text[max(0, cooperation.start() - 80) : cooperation.start()])
    ):
        # "directs departments not to use county staff or money to assist ICE": the
        # negation governs the cooperation named further on.
        refusal, cooperation = cooperation, None
    if refusal is not None:
        # "will no longer share booking data with ICE": the negated verb is no narrow case;
        # nor is one listed after it in its scope ("prohibits staff from asking about status,
        # from sharing nonpublic information with ICE").
        limit = None if _overlap(limit, refusal) or _in_scope(text, refusal, limit) else limit
        exception = None if _overlap(exception, refusal) else exception
    if (
        cooperation is not None
        and limit is not None
        and cooperation.start() <= limit.start() < limit.end() < cooperation.end()
        and (exception is None or _overlap(exception, cooperation))
    ):
        # "notifies ICE of every inmate": a longer cooperation cue around a limited one and
        # no narrow case beside it ("limiting cooperation with ICE" starts before it).
        limit = exception = None
    unclear = _first(c.unclear, text)
    # "is reviewing whether to sign a similar agreement": the review governs the cooperation.
    # "the county's policy on sharing information with ICE is under review": a review with
    # no refusal beside it is the position, whatever the policy under review says.
    # "does not currently hold anyone on detainers and is reviewing ICE's latest request": a
    # practice stated as for now beside a review is the review.
    weighing = unclear is not None and (refusal is None or _FOR_NOW.search(text) is not None)
    if not on_topic and document_on_topic and _first(_FEDERAL_PARTNERS, text) is not None:
        # In a story about immigration enforcement, "sharing criminal intelligence with the
        # FBI" is about the same federal partners even when the sentence does not say so.
        on_topic = True
    if not on_topic:
        # "The policy is under review" rarely repeats what policy; the document's topic
        # (immigration enforcement) is what the review is about.
        if unclear is not None and document_on_topic and weighing:
            return "unclear", unclear.group(0), 0.5
        bare = _first(c.bare_refuses, text) if document_on_topic else None
        if bare is not None and exception is None:
            # "The department would not get involved" in a story about immigration enforcement.
            return "refuses", bare.group(0), 0.7
        return None
    if weighing and unclear is not None:
        return "unclear", unclear.group(0), 0.6
    if refusal is not None:
        if exception is not None or limit is not None:
            cue = exception or limit
            return "limits", f"{refusal.group(0)} … {cue.group(0) if cue else ''}".strip(), 0.8
        standing = _first_outside(c.cooperates, text, [refusal.span()])
        if (
            standing is not None
            and _STREET_LEVEL.search(refusal.group(0))
            and _STANDING_COOPERATION.search(standing.group(0))
            and _first_outside(c.refuses, text, [refusal.span()]) is None
        ):
            # "will honor detainers ... and will not let deputies ask about status on patrol":
            # declining street enforcement does not undo a standing arrangement (as in _combine).
            return "cooperates", standing.group(0), 0.75
        declined = _declined_arrangement(text, refusal)
        if declined is not None and _first_outside(c.refuses, text, [declined]) is None:
            # "has no plans to seek a task force agreement but will keep honoring detainers":
            # turning an arrangement down is no refusal of the cooperation it keeps up.
            kept = _first_outside(c.cooperates, text, [declined])
            if kept is not None and _HOLDING.search(kept.group(0)):
                return "cooperates", kept.group(0), 0.75
            return "refuses", refusal.group(0), 0.85
        if cooperation is not None and _contrasted(text, refusal, cooperation):
            # "transfers people with final orders to ICE custody, but otherwise does not share
            # release information": one practice kept beside a refusal is a narrow one.
            return "limits", f"{refusal.group(0)} … {cooperation.group(0)}", 0.8
        return "refuses", refusal.group(0), 0.85
    if (
        cooperation is not None
        and warrant is not None
        and warrant.group(0).lower().startswith(("only", "if", "when", "provided"))
        and cooperation.start() < warrant.end()
        and _HOLDING.search(cooperation.group(0))
        # the condition is the hold's own: "honor a detainer if ...", not "honors all
        # detainers, and when a judge signs a warrant ..."
        and not re.search(
            r"[,;]|\b(?:and|but|all|every|each)\b", text[cooperation.start() : warrant.start()]
        )
    ):
        # "honors detainers only when they come with a judicial warrant": a hold only on a
        # judge's order is no hold for ICE (GOLD-FORMAT: the warrant exception refuses).
        inside = cooperation.start() >= warrant.start()
        label_cue = warrant.group(0) if inside else f"{cooperation.group(0)} … {warrant.group(0)}"
        return "refuses", label_cue, 0.8
    arrangement = next(
        (m for m in _all(c.cooperates, text) if _ARRANGEMENT_WORDS.search(m.group(0))), None
    )
    if cooperation is not None and arrangement is not None:
        # "signed a 287(g) agreement that lets detention officers screen inmates charged with
        # felonies": an arrangement is cooperation whatever it allows; narrow cases are
        # `limits` only for an agency that otherwise declines.
        return "cooperates", arrangement.group(0), 0.8 if "287" in arrangement.group(0) else 0.75
    if limit is not None:
        return "limits", limit.group(0), 0.75
    if cooperation is not None:
        # Cooperation confined to narrow cases ("honor a detainer only for violent felonies") is
        # `limits`; a 287(g) agreement is cooperation whatever its scope.
        if exception is not None and "287" not in cooperation.group(0):
            return "limits", f"{cooperation.group(0)} … {exception.group(0)}", 0.7
        return "cooperates", cooperation.group(0), 0.75
    if unclear is not None:
        return "unclear", unclear.group(0), 0.6
    return None


# A refusal to enter or keep an arrangement ("no plans to seek", "never had", "declined to
# join") and the arrangement it names, up to the end of its clause.
_ENTERING = re.compile(
    r"\b(?:ha(?:ve|s|d)|start\w*|sign\w*|seek\w*|sought|join\w*|enter\w*|pursu\w*|renew\w*|"
    r"appl(?:y|ied|ies|ying)|plans?|interest|intention|part of|participat\w*|let|lets|letting|"
    r"allow\w*|end|ends|ended|ending|terminat\w*|cancel\w*|withdr\w*|pull\w* out)\b",
    re.IGNORECASE,
)
_ARRANGEMENT_WORDS = re.compile(
    r"287\s*\(\s*g\s*\)|\bagreements?\b|\bmemorand|\bMOAs?\b|\btask force\b|\bprogram\b|"
    r"\bcontract\b|\bpartnership\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;]|,?\s\b(?:but|while|although|though|however|yet|whereas)\b", re.I)


def _declined_arrangement(text: str, refusal: re.Match[str]) -> tuple[int, int] | None:
    """The character range of a refusal that only turns an arrangement down (287(g), a task
    force, a contract), through the arrangement it names; None for any other refusal."""
    if not _ENTERING.search(refusal.group(0)):
        return None
    end_of_clause = _CLAUSE_END.search(text, refusal.end())
    stop = end_of_clause.start() if end_of_clause is not None else len(text)
    stop = min(stop, refusal.end() + 60)
    arrangement = _ARRANGEMENT_WORDS.search(text, refusal.start(), stop)
    if arrangement is None:
        return None
    return refusal.start(), max(arrangement.end(), refusal.end())


def declines_arrangement_only(sentence: str) -> bool:
    """Whether the refusal ``sentence`` states only turns an arrangement down."""
    text = sentence.replace("’", "'")
    refusal = _first(cues().refuses, text)
    return refusal is not None and _declined_arrangement(text, refusal) is not None


# Ordinary criminal work done with federal agencies (FBI, DEA, ATF), and words that make a
# clause about immigration enforcement after all.
_ORDINARY_CRIMES = re.compile(
    r"\b(?:gun violence|guns?|firearms?|narcotics?|drugs?|fentanyl|opioids?|gangs?|homicides?|"
    r"murders?|robber(?:y|ies)|carjack\w*|shootings?|child (?:exploitation|abuse|pornography)|"
    r"terrorism|cyber\w*|fraud|fugitives?|counterfeit\w*|money laundering|bank robber\w*)\b",
    re.IGNORECASE,
)
_IMMIGRATION_WORDS = re.compile(
    r"immigra|\bICE\b|deport|detainer|287\s*\(\s*g|undocumented|\bCBP\b|\bDHS\b|border patrol|"
    r"homeland security|migrant|noncitizen|\bstatus\b|sanctuary",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[.;]|\b(?:but|while|although|though|however|whereas)\b", re.IGNORECASE)


def _ordinary_crime_work(text: str, match: re.Match[str] | None) -> bool:
    """Whether ``match`` stands in a clause about ordinary crimes that names no immigration
    enforcement ("works with the FBI on gun violence and narcotics cases")."""
    if match is None:
        return False
    start = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, match.start())), default=0)
    after = _CLAUSE_BREAK.search(text, match.end())
    clause = text[start : after.start() if after is not None else len(text)]
    return (
        bool(_ORDINARY_CRIMES.search(clause))
        and not _IMMIGRATION_WORDS.search(clause)
        and _first(cues().limits, clause) is None
    )


_FOR_NOW = re.compile(
    r"\b(?:currently|at (?:this|the present) time|for now|at present|right now|for the time being)\b",
    re.IGNORECASE,
)


_ABOUT_BEFORE = re.compile(
    r"\b(?:polic(?:y|ies)|rules?|guidelines|debate|questions?|stance|position|views?|laws?|bills?|"
    r"language|approach)\s+(?:on|about|regarding|toward|towards|over|governing)\s+"
    r"(?:[\w'’-]+\s+){0,2}$",
    re.IGNORECASE,
)


# Cooperation cues that hold or hand people over for ICE.
_HOLDING = re.compile(r"\b(?:honou?r|hold|held|detain|compl|transfer|hand|turn|keep|kept)", re.I)


# A negation whose scope runs to the end of its clause (no "but", semicolon or full stop).
# Only a negated infinitive ("not to ...") or a negated verb of lending means ("not use county
# staff or money to ...", "won't let deputies ...") reaches a cooperation further on; "has
# never hidden his support for 287(g)" negates the hiding, not the support.
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|never|no longer)\b|n't\b)\s*"
    + _GAP
    + r"{0,3}(?:to\s+)?\b(?:to|use|spend|allow|let|permit|commit|provide|lend|devote|dedicate|"
    r"assign|send)\b(?![^;:]*\b(?:but|although|though|yet|except|unless)\b)[^;:]*$",
    re.IGNORECASE,
)


def _unless_hypothetical(match: re.Match[str] | None, text: str) -> re.Match[str] | None:
    """Drop a cue that a "whether" just before puts in question ("wonder whether the nurse is
    going to call ICE")."""
    if match is not None and re.search(
        r"\bwhether\b", text[max(0, match.start() - 50) : match.start()]
    ):
        return None
    return match


def _is_reported(text: str) -> bool:
    return _first(cues().reported, text.replace("’", "'")) is not None


def _overlaps(span: tuple[int, int], start: int, end: int) -> bool:
    return span[0] < end and start < span[1]


def _subjects(sent: Span) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(whole subject, subject without possessive modifiers) character ranges of each subject.

    The second range drops possessors: in "Kim's comments came after ...", Kim is not the subject.
    """
    return [(whole, head) for whole, head, _ in _subjects_with_role(sent)]


def _subjects_with_role(sent: Span) -> list[tuple[tuple[int, int], tuple[int, int], bool]]:
    """``_subjects`` plus whether each subject belongs to the main clause (or one joined to it)."""
    subjects = []
    for token in sent:
        if token.dep_ not in _SUBJECT_DEPS:
            continue
        subtree = list(token.subtree)
        possessed = {t.i for child in subtree if child.dep_ == "poss" for t in child.subtree}
        kept = [t for t in subtree if t.i not in possessed]
        whole = (subtree[0].idx, subtree[-1].idx + len(subtree[-1].text))
        verb = token.head
        while verb.dep_ == "conj" and verb.head.i != verb.i:
            verb = verb.head
        main = verb.dep_ == "ROOT" or verb.i == sent.root.i
        subjects.append((whole, (kept[0].idx, kept[-1].idx + len(kept[-1].text)), main))
    return subjects


def _group_members(local: list[Agency], sent: Span, start: int, end: int) -> list[Agency]:
    """Members listed inside a group subject ("counties, including Anoka, Dakota ...")."""
    subject = doc_text(sent.doc)[start:end].lower()
    if any(word in subject for word in ("including", "such as", " like ")) or re.search(
        r"\b(?:chiefs|sheriffs|departments|offices|officials|leaders) in ", subject
    ):
        return _agencies_in(local, start, end)
    return []


def _agencies_in(agencies: list[Agency], start: int, end: int) -> list[Agency]:
    return [a for a in agencies if any(_overlaps(s, start, end) for s in a.spans)]


def _sentence_agencies(
    sent: Span,
    agencies: list[Agency],
    officials: list[Official],
    previous: list[Agency],
    previous_end: int = 0,
) -> tuple[list[Agency], float]:
    """Agencies a sentence speaks for, with how sure the attribution is."""
    text = doc_text(sent.doc)
    # "filings in Garland County Circuit Court", "a judge at the Garland County Courthouse":
    # a place named only inside a court's name is no actor in the sentence.
    local = [
        a
        for a in agencies
        if a.agency_type != "federal"
        and not (
            (inside := [e for s, e in a.spans if sent.start_char <= s < sent.end_char])
            and all(_COURT_AFTER.match(text, e) for e in inside)
        )
    ]
    by_name = {a.name: a for a in local}
    labelled = _paragraph_label(sent, local)
    if labelled is not None:
        # "McHenry County Sheriff's Office: The office ended its agreement ...": a list entry
        # is about the agency that heads it.
        return [labelled], 1.0
    # A subject in an adverbial clause ("While the sheriff's office signed an agreement, the
    # chief said ...") is the background, tried after the others.
    background = {
        t.left_edge.idx for t in sent if t.dep_ in _SUBJECT_DEPS and t.head.dep_ == "advcl"
    }
    subjects = _subjects_with_role(sent)
    # "While the LVMPD maintains ..., it does share ...", "When Executive X signed the order,
    # she said ...": a pronoun is the same agency or official, so the background stays first.
    foreground = [
        t
        for t in sent
        if t.dep_ in _SUBJECT_DEPS and t.head.dep_ != "advcl" and t.pos_ not in ("PRON", "DET")
    ]
    if foreground:
        subjects = sorted(subjects, key=lambda item: item[0][0] in background)
    # An agency named as the subject of any clause acts itself: in "Mayor X told reporters
    # that Newark police will not help ICE", the police, not the mayor's city.
    for (start, _), (head_start, head_end), _ in subjects:
        if start in background and foreground:
            continue
        named = _agencies_in(local, head_start, head_end)
        if named and not _official_in(officials, head_start, head_end):
            return named, 1.0
    for (start, end), (head_start, head_end), main in subjects:
        found = _agencies_in(local, head_start, head_end) or _group_members(local, sent, start, end)
        head_text = doc_text(sent.doc)[head_start:head_end]
        if (
            not found
            and head_text.lower().split()[-1:]
            and (head_text.lower().split()[-1] in _BODY_NOUNS | _POLICY_NOUNS)
        ):
            # "Sheriff Wade Tillman's office participates ...": the office is its owner's.
            found = (
                _agencies_in(local, start, end)
                or [
                    by_name[o.agency]
                    for o in officials
                    if o.agency in by_name and any(_overlaps(sp, start, end) for sp in o.spans)
                ][:1]
            )
        if found:
            return found, 1.0
        for official in officials:
            if (
                official.agency in by_name
                and (
                    any(_overlaps(s, head_start, head_end) for s in official.spans)
                    # "Turner said": a surname the tagger did not mark as a name.
                    or head_text.split()[-1:] == official.name.split()[-1:]
                )
            ):
                owner = _owner_described(sent, start, end, local, by_name[official.agency])
                if owner is not None:
                    # "Maj. Ron Felder, the sheriff's operations commander, said ...": the
                    # office the sentence gives the official outweighs another one.
                    return [owner], 0.9
                return [by_name[official.agency]], 0.95
            if official.agency not in by_name and any(
                _overlaps(s, head_start, head_end) for s in official.spans
            ):
                # "Sgt. Mia Cole, a sheriff's spokeswoman, said ...": no agency in the officials
                # table, but the sentence gives one.
                owner = _owner_described(sent, start, end, local, None)
                if owner is not None:
                    return [owner], 0.9
        described = (
            None
            if _agencies_in(agencies, head_start, head_end)
            else _described_agency(sent, head_start, head_end, agencies)
        )
        if described is not None:
            # "Deputies will not ask ...", "the sheriff announced": the office described.
            return [described], 0.8
        subject = doc_text(sent.doc)[start:end].lower()
        if main and subject in ("he", "she"):
            # "He said the department ...": the official last named before speaks for theirs.
            latest = _latest_official(officials, start)
            if latest is not None and latest.agency in by_name:
                return [by_name[latest.agency]], 0.85
        # "It said ..." continues the agency before; "unless they are signed" does not.
        if main and subject.split()[:1] and subject.split()[0] in _PRONOUNS and previous:
            return previous, 0.8
    mentioned = _agencies_in(local, sent.start_char, sent.end_char)
    if len(mentioned) == 1:
        return mentioned, 0.7
    speaking = {
        o.agency
        for o in officials
        if o.agency in by_name
        and any(_overlaps(span, sent.start_char, sent.end_char) for span in o.spans)
    }
    if not mentioned and len(speaking) == 1:
        # "Sheriff Wade Tillman's office participates ..." parsed with no subject: the one
        # official the sentence names, not the agency of the sentence before.
        return [by_name[speaking.pop()]], 0.7
    if (
        not subjects
        and len(sent) <= 30
        and previous
        and sent.start_char - previous_end <= 80
        # "About 287(g)", "About ICE": a release's boilerplate section heading.
        and sent[0].lower_ != "about"
    ):
        # A table cell or list entry with no subject of its own ("Ended its 287(g) agreement
        # in 2021") is about the agency its row or list names just before.
        return previous, 0.75
    return [], 0.0


# "the sheriff's operations commander"; not "the city's police chief" (the police's).
_OWNER = re.compile(
    r"\b(?:the|its|their|his|her|a) (sheriff|police|city|county|state)['’]s\b"
    r"(?!\s+(?:police|sheriff|jail|detention|correction|highway|patrol))",
    re.IGNORECASE,
)


def _owner_described(
    sent: Span, start: int, end: int, local: list[Agency], given: Agency | None
) -> Agency | None:
    """The agency a subject's own words give an official ("X, the sheriff's operations
    commander") when it is not ``given``: the nearest fitting agency named before the
    sentence, else the only fitting one in the document; None when it fits or is unknown."""
    match = _OWNER.search(doc_text(sent.doc), start, end)
    if match is None:
        return None
    kinds = _DESCRIBED.get(match.group(1).lower(), ())
    if given is not None and given.agency_type in kinds:
        return None
    fitting = [a for a in local if a.agency_type in kinds]
    before = [(s, a) for a in fitting for s, _ in a.spans if s < start]
    if before:
        return max(before, key=lambda item: item[0])[1]
    return fitting[0] if len(fitting) == 1 else None


_COURT_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:[A-Z][\w.]*\s+){0,2}(?:Court|Courthouse|Courts)\b|\s+court(?:house)?\b"
)


def _official_in(officials: list[Official], start: int, end: int) -> bool:
    return any(_overlaps(span, start, end) for o in officials for span in o.spans)


# Subjects that describe an agency's people or head by their office, with the agency types
# they belong to: "deputies" are the sheriff's, "the city council" is the city's.
_DESCRIBED = {
    "sheriff": ("sheriff",), "undersheriff": ("sheriff",), "deputies": ("sheriff",),
    "officers": ("police", "sheriff", "state"), "police": ("police",), "chief": ("police",),
    "troopers": ("state",), "mayor": ("city",), "council": ("city",),
    "commissioners": ("county",), "supervisors": ("county",), "jail": ("sheriff",),
    "city": ("city",), "county": ("county",),
    # "The ordinance bars city employees from ...": the body that passed it.
    "ordinance": ("city", "county"), "commission": ("county", "city"),
}  # fmt: skip
# How far back (characters) a described subject looks for the agency it belongs to.
_DESCRIBED_REACH = 2000


def _described_agency(sent: Span, start: int, end: int, agencies: list[Agency]) -> Agency | None:
    """The agency a subject describes by its office alone ("the sheriff", "his deputies"):
    the nearest fitting agency named before it (within reach), else the only fitting one."""
    subject = sent.doc.char_span(start, end, alignment_mode="expand")
    if subject is None:
        return None
    head = subject.root
    kinds = _DESCRIBED.get(head.lower_)
    # Only a determiner or possessive pronoun may qualify it: "federal officers", "Kent
    # police" or "officers in Ohio" describe someone else.
    if kinds is None or any(
        child.dep_ not in ("det", "poss") and child.lower_ not in ("county", "city")
        for child in head.children
    ):
        return None
    if any(child.dep_ == "poss" and child.pos_ != "PRON" for child in head.children):
        return None
    local = [a for a in agencies if a.agency_type != "federal"]
    fitting = [a for a in local if a.agency_type in kinds]
    # An agency the sentence names decides ("In Berks County, commissioners approved ...",
    # "Under SLCPD policy, officers may not ..."); one that does not fit leaves it open.
    named = _agencies_in(local, sent.start_char, sent.end_char)
    # A body or place the sentence names that is no fitting agency ("In Berks County" beside
    # Bucks County's office) may be whom it describes.
    unknown = [
        e
        for e in sent.ents
        if e.label_ in ("ORG", "GPE", "AGENCY")
        and not _agencies_in(agencies, e.start_char, e.end_char)
        and not any(_place_words(e.text) <= _place_words(a.name) for a in fitting)
    ]
    if unknown and not named:
        return None
    if named:
        here = [a for a in named if a in fitting]
        return here[0] if len(here) == 1 else None
    before = [(s, a) for a in fitting for s, _ in a.spans if start - _DESCRIBED_REACH <= s < start]
    if before:
        return max(before, key=lambda item: item[0])[1]
    return fitting[0] if len(fitting) == 1 else None


def _place_words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower())) - {"the", "in", "of"}


# Nouns for a body whose owner, named before it, is the agency: "the sheriff's office".
_BODY_NOUNS = {
    "office", "department", "agency", "administration", "deputies", "officers", "jail",
    "staff", "government", "troopers",
    # "The Renfrew and Caswell county sheriff's offices said ...": each office listed.
    "offices", "departments", "agencies", "sheriffs",
}  # fmt: skip


# Nouns for a rule whose owner, named before it, states the agency's position: "MPD's
# standard operating procedure bars officers from ...".
_POLICY_NOUNS = {"policy", "policies", "procedure", "procedures", "order", "rules", "guidelines"}


def _paragraph_label(sent: Span, agencies: list[Agency]) -> Agency | None:
    """The agency named as the label of the paragraph ``sent`` opens ("Agency: text")."""
    text = doc_text(sent.doc)
    start = text.rfind("\n", 0, sent.start_char) + 1
    if text[start : sent.start_char].strip():
        return None
    for agency in agencies:
        for s, e in agency.spans:
            if s == sent.start_char and text[e : e + 1] == ":":
                return agency
    return None


def _latest_official(officials: list[Official], before: int) -> Official | None:
    """The official whose mention ends last before character ``before``."""
    best: tuple[int, Official] | None = None
    for official in officials:
        for start, end in official.spans:
            if end <= before and (best is None or start > best[0]):
                best = (start, official)
    return best[1] if best is not None else None


def _quoted_agency(
    clause: Span, agencies: Sequence[Agency], quotes: Sequence[Quote]
) -> tuple[list[Agency], float]:
    """The local agency whose official (or spokesperson) speaks a quote in ``clause``:
    "'We will call ICE about violent felons,' the sheriff said" is the sheriff's office's stance."""
    by_name = {a.name: a for a in agencies if a.agency_type != "federal"}
    for quote in quotes:
        if _overlaps((quote.start, quote.end), clause.start_char, clause.end_char):
            agency = by_name.get(quote.speaker_agency)
            if agency is not None:
                # "'...,' said Maj. Ron Felder, the sheriff's operations commander": the office
                # the attribution names outweighs the one the officials table gives.
                owner = _owner_described(
                    clause, clause.start_char, clause.end_char, list(by_name.values()), agency
                )
                return [owner or agency], 0.85
    return [], 0.0


def _clauses(doc: Doc) -> list[Span]:
    """Sentences, split again at semicolons: "X signs a 287(g) deal; Y says it won't" is two statements."""
    clauses: list[Span] = []
    for sent in doc.sents:
        start = sent.start
        for token in sent:
            if token.text == ";" and token.i > start:
                clauses.append(doc[start : token.i])
                start = token.i + 1
        if start < sent.end:
            clauses.append(doc[start : sent.end])
    return clauses


def _speaker(sent: Span, quotes: Sequence[Quote], officials: Sequence[Official]) -> str:
    """Who states the stance: a quote's speaker inside the sentence, else an official it names."""
    for quote in quotes:
        if _overlaps((quote.start, quote.end), sent.start_char, sent.end_char) and quote.speaker:
            return quote.speaker
    for (start, end), _ in _subjects(sent):
        for official in officials:
            if any(_overlaps(span, start, end) for span in official.spans):
                return official.name
    return ""


def extract_stances(
    doc: Doc,
    *,
    agencies: Sequence[Agency],
    officials: Sequence[Official],
    quotes: Sequence[Quote] = (),
) -> list[StanceFinding]:
    """One stance per agency whose position ``doc`` states, in order of first evidence."""
    if all(agency.agency_type == "federal" for agency in agencies):
        return []  # only local agencies take stances: no clause below could name one
    evidence: dict[str, list[StanceFinding]] = {}
    previous: list[Agency] = []
    previous_end = 0
    on_topic = document_on_topic(doc)
    headline_end = max(0, doc_text(doc).find("\n\n"))
    last: StanceFinding | None = None  # the latest stance found, for "has the same policy"
    before = ""  # the clause before, for a step that carries out an arrangement it names
    for clause in _clauses(doc):
        if not clause.text.strip():
            continue
        prior, before = before, clause.text
        targets, sure = _sentence_agencies(
            clause, list(agencies), list(officials), previous, previous_end
        )
        if not targets:
            targets, sure = _quoted_agency(clause, agencies, quotes)
        if not targets:
            # No agency, no stance: skipping the cue search here saves most of this module's time.
            continue
        previous, previous_end = targets, clause.end_char
        found = classify_sentence(
            _own_text(clause, targets, agencies, officials),
            context=clause.sent.text,
            document_on_topic=on_topic,
        )
        if found is None:
            found = _carried_over(clause.text, prior, last, targets)
        if found is None or _is_reported(clause.text):
            continue
        label, cue, strength = found
        if _weak(cue) and sure < 0.9:
            continue  # plain words need a speaker the clause itself names
        if clause.start_char < headline_end:
            # A headline compresses the story; the body's own sentence is the better evidence.
            strength *= 0.8
        speaker = _speaker(clause, quotes, officials)
        for agency in targets:
            finding = StanceFinding(
                agency.name, label, clause.sent.text.strip(), cue, speaker, strength * sure
            )
            evidence.setdefault(agency.name, []).append(finding)
            last = finding
    return [_combine(items) for items in evidence.values()]


def _own_text(
    clause: Span,
    targets: Sequence[Agency],
    agencies: Sequence[Agency],
    officials: Sequence[Official],
) -> str:
    """``clause`` without the clauses whose subject is another agency: in "his officers will
    not ask about status, while the county sheriff signed a 287(g) agreement", the sheriff's
    agreement is no narrow case of the police department's refusal."""
    dropped: set[int] = set()
    for token in clause:
        if token.dep_ not in _SUBJECT_DEPS or token.head.i == token.i:
            continue
        verb = token.head
        if verb.dep_ in ("ccomp", "xcomp") or not _other_agency(
            token, targets, agencies, officials
        ):
            # "ordered that city staff, including the police, not assist": what the agency
            # orders or says of others is its own position.
            continue
        # The verb's own words: its subtree without the clauses that have subjects of their own.
        nested = {
            t.i
            for child in verb.children
            if child.dep_ in ("conj", "advcl", "ccomp", "parataxis", "xcomp")
            and any(g.dep_ in _SUBJECT_DEPS for g in child.children)
            for t in child.subtree
        }
        own = [t for t in verb.subtree if t.i not in nested and clause.start <= t.i < clause.end]
        spans = [(t.idx, t.idx + len(t.text)) for t in own]
        if any(
            _overlaps(span, *own_span) for a in targets for span in a.spans for own_span in spans
        ):
            continue  # the target's own mention is in it: "the office, unlike the city, ..."
        dropped.update(t.i for t in own)
    dropped.update(_contrasted_other(clause, targets, agencies))
    if not dropped:
        return clause.text
    return "".join(t.text_with_ws for t in clause if t.i not in dropped)


_CONTRAST_WORDS = {"while", "but", "whereas", "although", "though", "however", "meanwhile"}


def _contrasted_other(
    clause: Span, targets: Sequence[Agency], agencies: Sequence[Agency]
) -> set[int]:
    """Token ids of a contrasted clause about another agency, from its contrast word to the
    next one: "..., while the Lorne County Sheriff's Office notifies ICE ..." (the parser
    often misreads such clauses, so this goes by words)."""
    local = [a for a in agencies if a.agency_type != "federal" and a not in targets]
    kinds = {a.agency_type for a in targets}
    dropped: set[int] = set()
    tokens = list(clause)
    for n, token in enumerate(tokens):
        if token.lower_ not in _CONTRAST_WORDS:
            continue
        rest = tokens[n + 1 :]
        end = next((k for k, t in enumerate(rest) if t.lower_ in _CONTRAST_WORDS), len(rest))
        part = rest[:end]
        if not part:
            continue
        lead = part[:6]
        other = any(
            _overlaps(span, t.idx, t.idx + len(t.text))
            for a in local
            for span in a.spans
            for t in lead[:2]
        )
        for t in lead:
            described = _DESCRIBED.get(t.lower_)
            if described is not None and t.lower_ not in ("officers", "police"):
                other = other or not any(k in kinds for k in described)
                break
            if t.pos_ == "VERB" or t.pos_ == "AUX":
                break
        own = any(
            _overlaps(span, part[0].idx, part[-1].idx + len(part[-1].text))
            for a in targets
            for span in a.spans
        )
        if other and not own:
            dropped.update(t.i for t in [token, *part])
    return dropped


def _other_agency(
    subject: Token,
    targets: Sequence[Agency],
    agencies: Sequence[Agency],
    officials: Sequence[Official],
) -> bool:
    """Whether ``subject`` names, or describes by its office, a local agency other than the
    ``targets`` ("the county sheriff" beside a police department)."""
    words = list(subject.subtree)
    start, end = words[0].idx, words[-1].idx + len(words[-1].text)
    names = {a.name for a in targets}
    named = _agencies_in([a for a in agencies if a.agency_type != "federal"], start, end)
    if named:
        return all(a.name not in names for a in named)
    speaking = [o for o in officials if any(_overlaps(s, start, end) for s in o.spans)]
    if speaking:
        return all(o.agency and o.agency not in names for o in speaking)
    owner = next((c for c in subject.children if c.dep_ == "poss"), None)
    if subject.lower_ in _BODY_NOUNS and owner is not None:
        subject = owner  # "the sheriff's office", "the city's jail"
    kinds = _DESCRIBED.get(subject.lower_)
    if kinds is None or subject.lower_ in ("officers", "police"):
        return False  # "officers" may be anyone's
    return not any(a.agency_type in kinds for a in targets)


# "The Sable Ridge department follows a similar policy": the stance just stated, again.
_SAME_POLICY = re.compile(
    r"\b(?:follow|has|have|had|adopt|use|keep|take|took|share)\w* (?:a |the |an )?"
    r"(?:similar|same|identical|comparable|like) (?:policy|policies|practice|approach|rules?|"
    r"stance|position|line)\b",
    re.IGNORECASE,
)
# A step that carries out an arrangement the sentence before names ("... signed a 287(g)
# agreement. The office will begin training two deputies next month.").
_CARRIES_OUT = re.compile(
    r"\b(?:will|would|to|plans? to|is set to|are set to)\s+(?:soon\s+)?(?:begin|start)\s+"
    r"(?:\w+\s+){0,1}(?:training|screening|interviewing|processing|checking|holding|"
    r"working|taking part|participating)\b",
    re.IGNORECASE,
)
_ARRANGEMENT = re.compile(r"287\s*\(\s*g\s*\)|\bagreement\b|\bmemorandum\b|\bMOA\b", re.I)


def _weak(cue: str) -> bool:
    """A cue that names no topic: a borrowed policy or a refusal in plain words."""
    return _SAME_POLICY.search(cue) is not None or _first(cues().bare_refuses, cue) is not None


def _carried_over(
    text: str, prior: str, last: StanceFinding | None, targets: Sequence[Agency]
) -> tuple[str, str, float] | None:
    """A stance a clause states only by reference to the clause before: the same policy as
    the agency just described, or a first step under an arrangement just named."""
    same = _SAME_POLICY.search(text)
    if same is not None and last is not None and all(a.name != last.agency for a in targets):
        return last.stance, same.group(0), 0.7
    step = _CARRIES_OUT.search(text)
    arrangement = _ARRANGEMENT.search(text) or _ARRANGEMENT.search(prior)
    if step is not None and arrangement is not None:
        return "cooperates", f"{arrangement.group(0)} … {step.group(0)}", 0.7
    return None


# Cooperation cues naming a standing arrangement rather than a one-off or narrow act.
_STANDING_COOPERATION = re.compile(
    r"287|agreement|memorandum|\bMOA\b|task force|warrant service|\bhonou?r\w* .*detainer",
    re.IGNORECASE,
)
# Refusal cues about street-level enforcement: asking about status, stopping, questioning.
_STREET_LEVEL = re.compile(r"\b(?:ask|question|stop|inquir|patrol|papers)", re.IGNORECASE)


def _surest(items: list[StanceFinding], label: str) -> float:
    return max(item.confidence for item in items if item.stance == label)


def _combine(items: list[StanceFinding]) -> StanceFinding:
    """One stance from an agency's sentences: refusals next to narrow cooperation are ``limits``."""
    # A stance borrowed from another agency ("has the same policy") or said in plain words
    # ("that is not our job") yields to the agency's own stated policy.
    items = [item for item in items if not _weak(item.cue)] or items
    labels = {item.stance for item in items}
    standing = any(
        item.stance == "cooperates" and _STANDING_COOPERATION.search(item.cue) for item in items
    )
    street_only = all(_STREET_LEVEL.search(item.cue) for item in items if item.stance == "refuses")
    declined_only = all(
        declines_arrangement_only(item.evidence) for item in items if item.stance == "refuses"
    )
    if labels == {"refuses", "cooperates"} and declined_only:
        # "has no plans to seek a 287(g) agreement" beside "honors ICE detainers": turning an
        # arrangement down refuses nothing it keeps doing; beside no more than mentions of the
        # arrangement itself, it is the refusal.
        holding = any(
            item.stance == "cooperates"
            and _HOLDING.search(item.cue)
            and not _ARRANGEMENT_WORDS.search(item.cue)
            for item in items
        )
        chosen = "cooperates" if holding else "refuses"
    elif (
        labels == {"limits", "cooperates"}
        and standing
        and not any(_first(cues().refuses, item.evidence.replace("’", "'")) for item in items)
    ):
        # "signed a 287(g) agreement" beside "officers screen inmates only after felony
        # bookings": narrow cases are `limits` only for an agency that otherwise declines.
        chosen = "cooperates"
    elif labels == {"refuses", "cooperates"} and standing and street_only:
        # "signed a 287(g) agreement" / "honors ICE detainers at its jail" beside "deputies on
        # patrol do not ask about status": a standing arrangement is no narrow case, and
        # declining street enforcement does not undo it (GOLD-FORMAT: cooperates). A refusal
        # of holds or of joint operations beside it still makes `limits`.
        chosen = "cooperates"
    elif "limits" in labels or {"refuses", "cooperates"} <= labels:
        chosen = "limits"
    elif labels == {"cooperates", "unclear"} and _surest(items, "unclear") >= _surest(
        items, "cooperates"
    ):
        # "Task force model | Under review", "is weighing a request from ICE": the agency's
        # own position under review outweighs a weaker sign of cooperation.
        chosen = "unclear"
    else:
        chosen = next(label for label in _LABEL_ORDER if label in labels)
    supporting = [item for item in items if item.stance == chosen] or items
    # The evidence is the first sentence about as sure as the surest: a story states the
    # policy before it quotes people on it.
    top = max(item.confidence for item in supporting)
    best = next(item for item in supporting if item.confidence >= top - 0.1)
    # Several sentences saying the same thing make the reading a little surer.
    agreement = min(0.1, 0.03 * (len(supporting) - 1))
    confidence = round(min(0.99, top + agreement), 2)
    return StanceFinding(best.agency, chosen, best.evidence, best.cue, best.speaker, confidence)
