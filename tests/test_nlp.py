"""The pipeline's own pieces: the anchored matcher behind the agency ruler, the table
matcher behind the model's attribute ruler, batching and memory zones."""

from __future__ import annotations

from typing import Any

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

import extractor.nlp as nlp_module
from extractor.config import DEFAULT_MODEL
from extractor.nlp import (
    AnchoredMatcher,
    TableMatcher,
    agency_patterns,
    batch_zone,
    doc_text,
    pipe_bounded,
)

_BLANK = spacy.blank("en")
_TOKEN_PATTERNS = [p["pattern"] for p in agency_patterns() if isinstance(p["pattern"], list)]
_EXTRA_PATTERNS: list[list[dict[str, Any]]] = [
    [{"LOWER": "of"}, {"IS_TITLE": True, "OP": "{1,2}"}, {"LOWER": "x", "OP": "?"}],
    [{"ORTH": "PD"}, {"OP": "!", "LOWER": "said"}, {"IS_TITLE": True, "OP": "?"}],
    [{"TEXT": {"IN": ["Board", "Town"]}}, {"IS_TITLE": True, "OP": "{,2}"}],
]
_WORDS = [
    "Polk", "County", "county", "Sheriff", "sheriff", "'s", "’s", "Office", "office", "police",
    "Police", "Department", "Dept.", "of", "the", "City", "city", "Boise", "PD", "said", ",",
    ".", "McHenry", "DeKalb", "Board", "board", "Supervisors", "supervisors", "Nation", "(",
    ")", "Navajo", "State", "Patrol", "Precinct", "1", "Constable", "Mayor", "Town", "Council",
    "x", "ICE", "Attorney", "General", "Office", "Metro", "Government", "and",
]  # fmt: skip


def _matchers(
    patterns: list[list[dict[str, Any]]], **kwargs: Any
) -> tuple[Matcher, AnchoredMatcher]:
    plain, anchored = Matcher(_BLANK.vocab), AnchoredMatcher(_BLANK.vocab)
    for i, pattern in enumerate(patterns):
        plain.add(f"p{i % 3}", [pattern], **kwargs)
        anchored.add(f"p{i % 3}", [pattern], **kwargs)
    return plain, anchored


@given(st.lists(st.sampled_from(_WORDS), max_size=60))
def test_anchored_matcher_finds_what_the_matcher_finds_in_the_same_order(words: list[str]) -> None:
    plain, anchored = _matchers(_TOKEN_PATTERNS + _EXTRA_PATTERNS)
    doc = Doc(_BLANK.vocab, words=words)
    assert anchored(doc) == plain(doc)


def test_anchored_matcher_searches_windows_only() -> None:
    _, anchored = _matchers(_TOKEN_PATTERNS)
    words = ["the", "Polk", "County", "Sheriff", "'s", "Office", "said", *["it", "was"] * 50]
    windows = anchored._stretches(Doc(_BLANK.vocab, words=words), anchored._window_table())
    assert windows and all(end - start < 20 for start, end in windows)


@pytest.mark.parametrize(
    ("pattern", "kwargs"),
    [
        ([{"IS_TITLE": True, "OP": "+"}, {"LOWER": "police"}], {}),  # unbounded
        ([{"IS_TITLE": True}, {"LOWER": {"REGEX": "^pol"}}], {}),  # no fixed word
        ([{"IS_TITLE": True}, {"LOWER": "police"}], {"greedy": "LONGEST"}),
    ],
)
def test_patterns_without_a_window_search_the_whole_doc(
    pattern: list[dict[str, Any]], kwargs: dict[str, Any]
) -> None:
    plain, anchored = _matchers([*_TOKEN_PATTERNS, pattern], **kwargs)
    assert anchored._window_table() == {}
    doc = Doc(_BLANK.vocab, words=["the", "Polk", "County", "Police", "police", "said"])
    assert anchored(doc) == plain(doc)


def test_removing_the_pattern_without_a_window_brings_the_windows_back() -> None:
    anchored = AnchoredMatcher(_BLANK.vocab)
    anchored.add("fixed", [[{"IS_TITLE": True}, {"LOWER": "police"}]])
    anchored.add("open", [[{"IS_TITLE": True, "OP": "*"}, {"LOWER": "police"}]])
    assert anchored._window_table() == {}
    anchored.remove("open")
    assert anchored._window_table()


@pytest.mark.model
def test_the_agency_ruler_uses_the_anchored_matcher(nlp: Language) -> None:
    ruler = nlp.get_pipe("entity_ruler")
    assert isinstance(ruler.matcher, AnchoredMatcher)  # type: ignore[attr-defined]
    doc = nlp("Officers of the Polk County Sheriff's Office and Boise PD met.")
    assert [e.text for e in doc.ents if e.label_ == "AGENCY"] == [
        "Polk County Sheriff's Office",
        "Boise PD",
    ]


def test_batch_zone_warms_up_outside_a_zone_then_zones_every_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nlp_module, "WARM_UP_DOCS", 20)
    blank = spacy.blank("en")
    zones: list[bool] = []
    for _ in range(4):
        with batch_zone(blank, 16):
            zones.append(blank.vocab.in_memory_zone)
            blank("Sheriff Zeborah Quillfeather spoke.")
    # 16 then 32 documents outside a zone (warm-up reached 20 during the second), then zoned.
    assert zones == [False, False, True, True]
    # The warm-up's words stay; a zoned batch's new words leave with it.
    assert "Quillfeather" in blank.vocab.strings
    with batch_zone(blank, 1):
        blank("Xanthippa Oberwald")
    assert "Oberwald" not in blank.vocab.strings
    # Another pipeline warms up on its own.
    other = spacy.blank("en")
    with batch_zone(other, 1):
        assert not other.vocab.in_memory_zone


def test_pipe_bounded_cuts_batches_by_count_and_characters() -> None:
    blank = spacy.blank("en")
    batches: list[list[int]] = []
    pipe = blank.pipe

    def recording_pipe(texts: list[str], batch_size: int) -> Any:
        batches.append([len(text) for text in texts])
        assert batch_size == len(texts)
        return pipe(texts, batch_size=batch_size)

    blank.pipe = recording_pipe  # type: ignore[method-assign]
    texts = ["a " * 10, "b " * 10, "c " * 10, "d " * 40, "e " * 5, "f " * 5, "g " * 5, "h " * 5]
    docs = list(pipe_bounded(blank, iter(texts), batch_size=3, max_chars=50))
    # 20+20 fits 50, a third 20 would not; the 80-character text is a batch of its own;
    # then three short texts hit the count before the characters.
    assert batches == [[20, 20], [20], [80], [10, 10, 10], [10]]
    assert [doc.text for doc in docs] == texts
    # Every Doc hands doc_text its own input, without rebuilding the string.
    assert all(doc_text(doc) is text for doc, text in zip(docs, texts, strict=True))


def test_pipe_bounded_gives_the_docs_plain_pipe_gives(nlp: Language) -> None:
    texts = [
        "Sheriff Ana Ruiz said the jail will not hold people for ICE.",
        "The Polk County Sheriff's Office signed a 287(g) agreement.\n\nIt starts in May.",
        "Chief Tom Lee said officers do not ask about immigration status.",
    ]
    bounded = list(pipe_bounded(nlp, texts, batch_size=2, max_chars=70))
    plain = list(nlp.pipe(texts))
    for one, other in zip(bounded, plain, strict=True):
        assert [(t.text, t.tag_, t.dep_, t.ent_type_, t.is_sent_start) for t in one] == [
            (t.text, t.tag_, t.dep_, t.ent_type_, t.is_sent_start) for t in other
        ]


# The model's own attribute-ruler rules, plus tests the model does not use.
_STOCK_RULER = spacy.load(DEFAULT_MODEL).get_pipe("attribute_ruler")
_RULER_PATTERNS = [
    pattern
    for index in range(len(_STOCK_RULER.attrs))
    for pattern in _STOCK_RULER.matcher.get(str(index))[1]
]
_TABLE_EXTRA: list[list[dict[str, Any]]] = [
    [{"LEMMA": "be"}, {"TAG": {"NOT_IN": ["RB", "DT"]}}],
    [{"ORTH": {"REGEX": "^[A-Z]"}, "IS_SPACE": False}, {"DEP": "nsubj"}],
    [{"TEXT": "ai", "TAG": {"IN": ["VBP", "VBZ"]}}, {"LOWER": {"REGEX": "^n'?t$"}}],
    [{"IS_SPACE": True}],
]
_TABLE_WORDS = ["ai", "n't", "nt", "not", "y'", "y", "all", "is", "'s", "Be", "be", "\n", "A"]
_TAGS = ["VBP", "VBZ", "RB", "DT", "NNP", "PRP", "_SP", "IN"]
_DEPS = ["nsubj", "ROOT", "dep", "neg"]


@given(
    st.lists(
        st.tuples(st.sampled_from(_TABLE_WORDS), st.sampled_from(_TAGS), st.sampled_from(_DEPS)),
        max_size=40,
    )
)
def test_table_matcher_finds_what_the_matcher_finds(tokens: list[tuple[str, str, str]]) -> None:
    vocab = _STOCK_RULER.vocab
    words = [w for w, _, _ in tokens]
    doc = Doc(
        vocab,
        words=words,
        spaces=[False] * len(words),
        tags=[t for _, t, _ in tokens],
        deps=[d for _, _, d in tokens],
        heads=list(range(len(words))),
        lemmas=[w.lower() for w in words],
    )
    plain, table = Matcher(vocab), TableMatcher(vocab)
    for i, pattern in enumerate([*_RULER_PATTERNS, *_TABLE_EXTRA]):
        plain.add(f"rule{i % 50}", [pattern])
        table.add(f"rule{i % 50}", [pattern])
    expected = plain(doc, allow_missing=True, as_spans=False)
    found = table(doc, allow_missing=True, as_spans=False)
    assert sorted(found) == sorted(expected)
    assert len(found) == len(set(found))


def test_table_matcher_leaves_what_it_cannot_run_to_the_matcher() -> None:
    vocab = _BLANK.vocab
    doc = Doc(vocab, words=["a", "b", "b", "c"])
    table = TableMatcher(vocab)
    table.add("simple", [[{"LOWER": "b"}]])
    # allow_missing=False keeps spaCy's check that the tested attributes are annotated.
    assert table(doc) == [(vocab.strings["simple"], 1, 2), (vocab.strings["simple"], 2, 3)]
    table.add("operator", [[{"LOWER": "b", "OP": "+"}]])
    assert table._tests is None  # an operator: the plain Matcher from now on
    assert sorted(table(doc, allow_missing=True)) == sorted(
        [(vocab.strings["simple"], 1, 2), (vocab.strings["simple"], 2, 3)]
        + [(vocab.strings["operator"], s, e) for s, e in [(1, 2), (1, 3), (2, 3)]]
    )


def test_the_attribute_ruler_runs_a_table_matcher_with_the_same_annotations(
    nlp: Language,
) -> None:
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler.matcher, TableMatcher)  # type: ignore[attr-defined]
    stock = spacy.load(DEFAULT_MODEL)
    text = (
        "Y'all ain't seen nothin' yet, the sheriff said. \"We're not ICE and we won't be.\"\n\n"
        "She'd said the county isn't holding anyone; it's the law, and I'm sure of that."
    )
    ours = nlp(text)
    theirs = stock(text)
    assert [(t.pos_, t.tag_, str(t.morph), t.lemma_) for t in ours] == [
        (t.pos_, t.tag_, str(t.morph), t.lemma_) for t in theirs
    ]
