"""Parsing: HTML or plain text in, a ``Page`` (main text and metadata) out.

HTML goes through lxml's HTML parser straight into an ``etree`` (libxml2, in C):
building a BeautifulSoup tree of the same page costs more than trafilatura's
whole extraction, so the tree is walked with lxml's own iterators instead.

Main text, in three steps:

1. **Blocks.** One walk over the tree cuts the text into paragraphs (each
   block-level element, double ``<br>``, list item, heading and blockquote
   ends one) and notes for each its link characters, the elements around it,
   and whether one of them is page furniture (by tag, ARIA role, hidden
   state, or a class/id word from ``patterns/boilerplate.toml``).
2. **The article container.** Each paragraph of real prose (not furniture,
   not mostly links, not inside a nested ``<article>`` card for another story)
   votes for the elements around it, readability-style: its parent gets its
   weight, the grandparent half, the next a sixth. An element's final score is
   its votes, plus its class/id and tag evidence (``<article>``, ``main``,
   ``itemprop=articleBody``, overlap with the page's JSON-LD ``articleBody``),
   times one minus its link density. The winner widens to an ancestor while
   that adds mostly prose and no teaser list (headline links with blurbs),
   then takes siblings that score nearly as well (bodies split by an ad slot).
3. **Cleaning.** Inside the winner, cards, link-dense boxes and whole-line
   boilerplate ("Advertisement", "Read more...") are dropped; the kicker and
   headline above the text and date lines at its top leave the body (the
   headline becomes ``paragraphs[0]``, a date line the ``published`` date
   when the page declares none).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources

from lxml import etree

from extractor.errors import ParseError
from extractor.metadata import (
    Metadata,
    collapse,
    declared_language,
    find_author,
    find_published,
    find_site,
    find_title,
    find_url,
    find_visible_date,
    normalise,
    read_metadata,
    to_iso_date,
)

__all__ = [
    "Page",
    "detect_language",
    "parse_html",
    "parse_text",
    "split_paragraphs",
    "to_iso_date",
]


@dataclass(frozen=True, slots=True)
class Page:
    """The readable article: metadata plus its paragraphs.

    ``paragraphs[0]`` is the headline when the page has one, so that a stance
    stated in a headline is seen by the extractors. ``text`` is the paragraphs
    joined by blank lines; every character offset in the output refers to it.
    """

    source: str
    paragraphs: tuple[str, ...]
    title: str = ""
    published: str = ""  # ISO 8601 date or datetime, "" when unknown
    author: str = ""
    site: str = ""
    language: str = ""
    url: str = ""  # canonical URL when the page declares one, else the fetched URL

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def body(self) -> str:
        """The main text without the headline: what article-body benchmarks score."""
        start = 1 if self.title and self.paragraphs and self.paragraphs[0] == self.title else 0
        return "\n\n".join(self.paragraphs[start:])


# --- HTML vocabulary ---------------------------------------------------------


def _load_vocabulary() -> dict[str, list[str]]:
    text = resources.files("extractor.patterns").joinpath("boilerplate.toml").read_text("utf-8")
    return {key: list(value) for key, value in tomllib.loads(text).items()}


_VOCABULARY = _load_vocabulary()
_FURNITURE_NAME = re.compile(
    r"(?:^|[-_])(?:" + "|".join(_VOCABULARY["furniture"]) + ")", re.IGNORECASE
)
_NEGATIVE_NAME = re.compile("|".join(_VOCABULARY["negative"]), re.IGNORECASE)
_POSITIVE_NAME = re.compile("|".join(_VOCABULARY["positive"]), re.IGNORECASE)
_BOILERPLATE_LINE = re.compile(
    r"(?:" + "|".join(_VOCABULARY["lines"]) + r")[\s.!:»>›→|]*", re.IGNORECASE
)

# Never readable text; removed outright once metadata has been read from them.
_JUNK_TAGS = (
    "head", "script", "style", "noscript", "template", "iframe", "svg", "math", "button",
    "select", "textarea", "input", "object", "embed", "canvas", "video", "audio", "map",
    "dialog", "title", "meta", "link", "picture", "source", "img",
)  # fmt: skip
# Page furniture by tag name. Kept when it wraps most of the text: old CMSes
# (ASP.NET WebForms) put the whole page inside one <form>.
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "figcaption", "form", "menu"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
     "dialog", "alertdialog", "toolbar", "tablist"}
)  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Each of these ends the running paragraph.
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details",
        "div", "dl", "dt", "fieldset", "figure", "figcaption", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
        "menu", "caption",
    }
)  # fmt: skip
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CAPTION_NAME = re.compile(r"caption|credit", re.IGNORECASE)
_EMBED_NAME = re.compile(r"embed|tweet|instagram-media|tiktok", re.IGNORECASE)
_TITLE_NAME = re.compile(r"title|headline", re.IGNORECASE)
# Elements that can hold a box of other stories inside an article.
_BOX_TAGS = frozenset(
    {"article", "aside", "center", "div", "dl", "figure", "footer", "form", "header", "ol",
     "section", "table", "ul"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Tag evidence for a container, as in readability.
_TAG_WEIGHT = {
    "div": 5, "article": 15, "main": 10, "section": 3, "td": 3, "pre": 3, "blockquote": 3,
    "form": -3, "ol": -3, "ul": -3, "dl": -3, "li": -3, "address": -3, "th": -5,
}  # fmt: skip
_COMMAS = re.compile(r"[,，、]")
_INLINE_LINK_MAX = 0.5  # link share above which a short block is a menu entry
_SEMANTIC_BONUS = 25.0
_CLIMB_PROSE = 0.6  # share of prose in what an ancestor adds for it to replace the winner

# --- plain-text and shared vocabulary -----------------------------------------

_BULLET = re.compile(r"^\s*(?:[•●▪◦‣∙·*\-\u2013]|\d{1,3}[.)])\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    r"(?:(?:published|posted|updated|released|dated?|for immediate release)(?:\s+on)?\s*[:\-\u2013]?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?P<date>\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…。][\"'\u201d\u2019)\]]*$")
_WORD = re.compile(r"[^\W_]")
_TOKEN = re.compile(r"[a-z']+")
_STOP_WORDS = frozenset(
    {
        "a", "about", "after", "all", "an", "and", "are", "as", "at", "be", "been", "but",
        "by", "for", "from", "had", "has", "have", "he", "her", "his", "i", "in", "is", "it",
        "its", "not", "of", "on", "or", "our", "said", "she", "that", "the", "their", "them",
        "they", "this", "to", "was", "we", "were", "which", "who", "will", "with", "would",
        "you",
    }
)  # fmt: skip
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_WRAPPER_TAG = re.compile(r"</?(?:div|span|section|font|center|b|i)\b[^>]*>", re.IGNORECASE)
_EXCESSIVE_DEPTH = 114  # libxml2 XML_ERR_RESOURCE_LIMIT: "Excessive depth in document"


@dataclass(slots=True)
class _Block:
    """A paragraph candidate and where it sat in the tree."""

    text: str
    link_chars: int
    path: tuple[int, ...]  # indices of every element around it, outermost first
    tag: str  # the element that ended it ("" for a <br><br> split or loose text)
    furniture: tuple[int, ...]  # indices of furniture elements around it

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text)


@dataclass(slots=True)
class _Tree:
    """The walked tree: blocks in order, and what is known of each element."""

    blocks: list[_Block] = field(default_factory=list)
    elements: list[etree._Element] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    parent: list[int] = field(default_factory=list)
    weight: list[float] = field(default_factory=list)  # class/id, tag and semantic evidence


# --- public stages -------------------------------------------------------------


def parse_html(html: str, *, source: str, url: str = "") -> Page:
    """Parse an HTML page into its headline, main-text paragraphs and metadata.

    Raises ``ParseError(reason="no_text")`` when no readable text remains.
    """
    root = _make_tree(html)
    if root is None:
        raise ParseError(f"no readable text in {source}", reason="no_text")
    info = read_metadata(root)
    etree.strip_elements(root, *_JUNK_TAGS, with_tail=False)
    tree = _walk(root, info)
    blocks = _select(tree)
    heading = _find_heading(tree, blocks, info) or _title_element(tree, blocks)
    site = find_site(info, url, heading=heading)
    headline = find_title(info, heading, site)
    body, shown_date = _split_date_lines(_without_prefix(headline, [b.text for b in blocks]))
    shown_date = shown_date or _date_near_start(tree, blocks)
    paragraphs = _with_headline(headline, body) + _contact_lines(tree, blocks, body)
    if not any(_WORD.search(paragraph) for paragraph in paragraphs):
        raise ParseError(f"no readable text in {source}", reason="no_text")
    return Page(
        source=source,
        paragraphs=tuple(paragraphs),
        title=headline,
        published=find_published(info, url) or shown_date or find_visible_date(html, url),
        author=find_author(info),
        site=site,
        language=declared_language(info) or detect_language("\n\n".join(paragraphs)),
        url=find_url(info, url),
    )


def parse_text(text: str, *, source: str) -> Page:
    """Parse a plain-text article: blank-line paragraphs, bullets split out.

    Raises ``ParseError(reason="no_text")`` when the text holds no words.
    """
    paragraphs = split_paragraphs(text)
    if not any(_WORD.search(paragraph) for paragraph in paragraphs):
        raise ParseError(f"no words in {source}", reason="no_text")
    first = paragraphs[0]
    title = first if len(first) < 250 and not _SENTENCE_END.search(first) else ""
    return Page(
        source=source,
        paragraphs=tuple(paragraphs),
        title=title,
        published=_find_date_line(paragraphs[:3]),
        language=detect_language("\n\n".join(paragraphs)),
    )


def split_paragraphs(text: str) -> list[str]:
    """Blank-line blocks; inside a block, a bullet line starts a new paragraph."""
    paragraphs: list[str] = []
    for chunk in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        lines: list[str] = []
        for line in chunk.split("\n"):
            bullet = _BULLET.match(line)
            if bullet:
                paragraphs.append(collapse(" ".join(lines)))
                lines = [line[bullet.end() :]]
            else:
                lines.append(line)
        paragraphs.append(collapse(" ".join(lines)))
    return [paragraph for paragraph in paragraphs if paragraph]


def detect_language(text: str) -> str:
    """``"en"`` when English function words are common enough, else ``""``.

    A cheap check for pages that do not declare a language; it only has to
    tell English from not-English, since the pipeline is English-only.
    """
    tokens = _TOKEN.findall(text[:20_000].lower())
    if len(tokens) < 8:
        return ""
    stops = sum(token in _STOP_WORDS for token in tokens)
    return "en" if stops / len(tokens) >= 0.2 else ""


# --- HTML: building and walking the tree ----------------------------------------------


def _make_tree(html: str) -> etree._Element | None:
    # Bytes in, so an encoding declaration inside the markup cannot re-decode
    # text we already decoded; lone surrogates (surrogateescape) and NULs out.
    data = _XML_DECLARATION.sub("", html).replace("\x00", "").encode("utf-8", "replace")
    # huge_tree lifts libxml2's nesting limit from 256 to 2048 levels (input
    # size is bounded upstream by --max-bytes).
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(data, parser)
        if any(entry.type == _EXCESSIVE_DEPTH for entry in parser.error_log):
            # Deeper tag soup than libxml2 keeps: its text would be lost, so
            # drop the wrapper tags that build such depth and parse again.
            root = etree.fromstring(_WRAPPER_TAG.sub(" ", data.decode("utf-8")).encode(), parser)
        return root
    except (etree.XMLSyntaxError, etree.ParserError, ValueError):  # empty documents
        return None


def _walk(root: etree._Element, info: Metadata) -> _Tree:
    """Paragraphs in document order, with the evidence about every element around them.

    lxml's ``iterwalk`` runs in C and never recurses in Python, so deep tag
    soup cannot overflow the stack.
    """
    tree = _Tree()
    pieces: list[tuple[str, bool]] = []
    path: list[int] = []
    furniture: list[int] = []
    links = 0
    after_break = False  # a <br> with no text since: a second one ends the paragraph
    flushes = anchors = 0  # running counts, to tell what happened inside an element
    # Open inline elements: (index, pieces so far, flushes so far, anchors so far).
    inline: list[tuple[int, int, int, int]] = []
    ld_shingles = _shingles(info.article_body) if len(info.article_body) > 200 else set()

    def flush(tag: str) -> None:
        nonlocal after_break, flushes
        after_break = False
        flushes += 1
        if not pieces:
            return
        text = collapse("".join(piece for piece, _ in pieces))
        if text:
            link_chars = sum(len(collapse(piece)) for piece, in_link in pieces if in_link)
            block = _Block(text, link_chars, tuple(path), tag, tuple(furniture))
            tree.blocks.append(block)
        pieces.clear()

    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if not isinstance(tag, str):  # entities and the like
            continue
        if event == "start":
            if tag == "br":
                if after_break:
                    flush("")
                else:
                    pieces.append((" ", False))
                    after_break = True
                continue
            if _is_hidden(element):
                walker.skip_subtree()
                # lxml still reports the end of a skipped element, which adds its tail.
                path.append(-1)
                continue
            if tag in _BLOCK_TAGS:
                flush("")
            index = len(tree.tags)
            tree.tags.append(tag)
            tree.elements.append(element)
            tree.parent.append(path[-1] if path else -1)
            names = _names(element)
            tree.weight.append(_element_weight(element, tag, names))
            path.append(index)
            if _is_furniture(element, tag, names):
                furniture.append(index)
            if tag == "a":
                links += 1
                anchors += 1
            elif tag not in _BLOCK_TAGS:
                inline.append((index, len(pieces), flushes, anchors))
            if element.text:
                pieces.append((element.text, links > 0))
                after_break = after_break and not element.text.strip()
        else:
            if tag != "br":
                if path[-1] >= 0:
                    if tag in _BLOCK_TAGS:
                        flush(tag)
                    if furniture and furniture[-1] == path[-1]:
                        furniture.pop()
                    if tag == "a":
                        links -= 1
                    elif inline and inline[-1][0] == path[-1]:
                        _drop_link_cluster(pieces, inline.pop(), flushes, anchors)
                path.pop()
            if element.tail:
                pieces.append((element.tail, links > 0))
                after_break = after_break and not element.tail.strip()
    flush("")
    if ld_shingles:
        _credit_structured_body(tree, ld_shingles)
    return tree


def _drop_link_cluster(
    pieces: list[tuple[str, bool]], opened: tuple[int, int, int, int], flushes: int, anchors: int
) -> None:
    """An inline element that is nothing but several links inside a paragraph (a
    hover card on a name, a "More: a | b | c" strip) is cut out of the paragraph."""
    _, start, flushes_then, anchors_then = opened
    if flushes != flushes_then or anchors - anchors_then < 3:
        return
    inside = pieces[start:]
    total = sum(len(piece.strip()) for piece, _ in inside)
    linked = sum(len(piece.strip()) for piece, in_link in inside if in_link)
    if total >= 80 and linked >= 0.9 * total:
        del pieces[start:]


def _is_hidden(element: etree._Element) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return element.tag not in ("html", "body")
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _names(element: etree._Element) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _is_furniture(element: etree._Element, tag: str, names: str) -> bool:
    if tag in _FURNITURE_TAGS:
        return True
    role = element.get("role")
    if role and role.lower() in _FURNITURE_ROLES:
        return True
    return names != " " and _name_evidence(names)[0]


def _element_weight(element: etree._Element, tag: str, names: str) -> float:
    weight = float(_TAG_WEIGHT.get(tag, 0))
    if names != " ":
        weight += _name_evidence(names)[1]
    if (
        tag in ("article", "main")
        or element.get("role") == "main"
        or element.get("itemprop") == "articleBody"
    ):
        weight += _SEMANTIC_BONUS
    return weight


@functools.lru_cache(maxsize=8192)
def _name_evidence(names: str) -> tuple[bool, float]:
    """Whether class/id words mark furniture, and their weight for scoring.

    Cached: a page repeats the same class strings hundreds of times, and these
    regular expressions were a quarter of the parse time.
    """
    # camelCase names ("imageEmbedCaption") are split into words first.
    tokens = _CAMEL_CASE.sub("-", names).split()
    furniture = [token for token in tokens if _FURNITURE_NAME.search(token)]
    is_furniture = bool(furniture)
    if furniture and any(_EMBED_NAME.search(token) for token in tokens):
        # An embedded post (a sheriff's tweet) quotes someone; the "social" or
        # "share" around it names where it came from. Its caption is still furniture.
        is_furniture = any(_CAPTION_NAME.search(token) for token in furniture)
    weight = 0.0
    if _NEGATIVE_NAME.search(names):
        weight -= 25
    if _POSITIVE_NAME.search(names):
        weight += 25
    return is_furniture, weight


def _credit_structured_body(tree: _Tree, ld_shingles: set[tuple[str, ...]]) -> None:
    """Elements whose paragraphs appear in the page's JSON-LD ``articleBody`` gain
    weight: the publisher's own statement of the body, used as evidence only,
    since it is often truncated, stale or a teaser."""
    credit: dict[int, float] = defaultdict(float)
    for block in tree.blocks:
        found = _shingles(block.text)
        if len(found) >= 3 and len(found & ld_shingles) >= 0.8 * len(found):
            for level, element in enumerate(reversed(block.path[-3:])):
                credit[element] += 10 / (level + 1)
    for element, value in credit.items():
        tree.weight[element] += min(value, 50)


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = re.findall(r"\w+", text.casefold())
    return {tuple(tokens[i : i + 4]) for i in range(max(0, len(tokens) - 3))}


# --- HTML: choosing the article ---------------------------------------------------------


def _select(tree: _Tree) -> list[_Block]:
    furniture = _confirmed_furniture(tree)
    kept = [block for block in tree.blocks if not furniture.intersection(block.furniture)]
    usable = [block for block in kept if not _is_boilerplate(block)]
    if not usable:
        # Our furniture rules ate the page; junk tags are already gone, so
        # fall back to every paragraph that is not a link list.
        return [block for block in tree.blocks if not _is_boilerplate(block)]
    stats = _Stats(tree, kept)
    cards = {element for element in stats.nested_articles if stats.is_card(element)}
    # Cards for other stories do not vote, so a long list of them cannot win.
    usable = [block for block in usable if not cards.intersection(block.path)] or usable
    chosen = _choose_containers(tree, usable, stats)
    if not chosen:
        return usable
    dropped = _teasers(tree, kept, chosen, stats)
    selected = [
        block
        for block in usable
        if chosen.intersection(block.path) and not dropped.intersection(block.path)
    ]
    return _trim_head(selected)


def _teasers(tree: _Tree, blocks: list[_Block], chosen: set[int], stats: _Stats) -> set[int]:
    """Elements inside the chosen text that are other stories, not this one:
    link-dense boxes ("More stories", tag clouds) and nested ``<article>``
    cards holding a small share of the text."""
    chars: dict[int, int] = defaultdict(int)
    link_chars: dict[int, int] = defaultdict(int)
    commas: dict[int, int] = defaultdict(int)
    for block in blocks:
        if not chosen.intersection(block.path):
            continue
        count = len(_COMMAS.findall(block.text))
        for element in block.path:
            chars[element] += len(block.text)
            link_chars[element] += block.link_chars
            commas[element] += count
    dropped: set[int] = set()
    for element, size in chars.items():
        if (
            element in chosen
            or not size
            or tree.tags[element] not in _BOX_TAGS
            or not _inside(tree, element, chosen)
        ):
            continue
        density = link_chars[element] / size
        if stats.is_card(element) or (
            commas[element] < 10
            and (
                density > 0.5
                or (
                    density > 0.3
                    and _NEGATIVE_NAME.search(_names(tree.elements[element])) is not None
                )
            )
        ):
            dropped.add(element)
    return dropped


def _inside(tree: _Tree, element: int, chosen: set[int]) -> bool:
    parent = tree.parent[element]
    while parent >= 0:
        if parent in chosen:
            return True
        parent = tree.parent[parent]
    return False


def _trim_head(blocks: list[_Block]) -> list[_Block]:
    """Drop the page's own headline from the body, with the short kicker,
    breadcrumb or date lines above it; ``parse_html`` puts the headline first."""
    for index, block in enumerate(blocks[:6]):
        if block.tag == "h1":
            before = blocks[:index]
            if all(len(b.text) < 100 for b in before):
                return blocks[index + 1 :]
            return before + blocks[index + 1 :]
    return blocks


def _confirmed_furniture(tree: _Tree) -> set[int]:
    """Furniture elements, less those holding most of the page's prose (wrappers
    with names like "has-sidebar", or a <form> around a whole WebForms page)."""
    prose: dict[int, int] = defaultdict(int)
    total = 0
    for block in tree.blocks:
        if len(block.text) >= 80 and block.link_density < 0.3:
            total += len(block.text)
            for element in block.furniture:
                prose[element] += len(block.text)
    flagged = {element for block in tree.blocks for element in block.furniture}
    return {element for element in flagged if not total or prose[element] < 0.5 * total}


def _is_boilerplate(block: _Block) -> bool:
    length = len(block.text)
    density = block.link_density
    # Short lines that are mostly links are menus, tag lists and "Read more";
    # a sentence with a linked phrase is still a sentence.
    sentence = len(block.text.split()) >= 8 and _SENTENCE_END.search(block.text) is not None
    if (density >= _INLINE_LINK_MAX and length < 100 and not sentence) or density > 0.8:
        return True
    return length < 200 and _BOILERPLATE_LINE.fullmatch(block.text) is not None


def _choose_containers(tree: _Tree, blocks: list[_Block], stats: _Stats) -> set[int]:
    """The best-scoring element and its well-scoring siblings."""
    votes: dict[int, float] = defaultdict(float)
    chars: dict[int, int] = defaultdict(int)
    link_chars: dict[int, int] = defaultdict(int)
    for block in blocks:
        for element in block.path:
            chars[element] += len(block.text)
            link_chars[element] += block.link_chars
        if len(block.text) < 25 or block.tag in _HEADINGS or block.link_density > 0.3:
            continue
        weight = 1 + len(_COMMAS.findall(block.text)) + min(len(block.text) / 100, 3)
        # The element that ended the block is the paragraph itself, not a container.
        ancestors = block.path[:-1] if block.tag and block.tag != "div" else block.path
        for level, element in enumerate(reversed(ancestors[-3:])):
            votes[element] += weight / (1 if level == 0 else 2 if level == 1 else 6)
    if not votes:
        return set()
    score = {
        element: (value + tree.weight[element]) * (1 - link_chars[element] / chars[element])
        for element, value in votes.items()
        if chars[element]
    }
    top = _climb(tree, stats, max(score, key=lambda element: score[element]))
    parent = tree.parent[top]
    chosen = {top}
    if parent >= 0:
        threshold = max(10.0, 0.2 * score.get(top, 0.0))
        chosen.update(
            element
            for element, value in score.items()
            if tree.parent[element] == parent
            and value >= threshold
            and not stats.is_teaser_list(element)
        )
        # Loose paragraphs beside the winner (a lead outside the body <div>).
        for block in blocks:
            if (
                len(block.path) >= 2
                and block.path[-2] == parent
                and block.tag in ("p", "blockquote", "ul", "ol", "h2", "h3", "h4")
                and block.link_density < 0.25
                and len(block.text) > 150
                and _SENTENCE_END.search(block.text)
            ):
                chosen.add(block.path[-1])
    return chosen


class _Stats:
    """Per element: all characters, prose characters, prose paragraphs and link lines."""

    def __init__(self, tree: _Tree, blocks: list[_Block]) -> None:
        self.tree = tree
        self.chars: dict[int, int] = defaultdict(int)
        self.prose: dict[int, int] = defaultdict(int)
        self.prose_blocks: dict[int, int] = defaultdict(int)
        self.link_lines: dict[int, int] = defaultdict(int)
        for block in blocks:
            is_prose = len(block.text) >= 60 and block.link_density < 0.25
            is_link_line = block.link_density >= _INLINE_LINK_MAX
            for element in block.path:
                self.chars[element] += len(block.text)
                if is_prose:
                    self.prose[element] += len(block.text)
                    self.prose_blocks[element] += 1
                elif is_link_line:
                    self.link_lines[element] += 1

        # Every <article> inside another, and how many each outer one holds.
        self.nested_articles: list[int] = []
        self.nested_count: dict[int, int] = defaultdict(int)
        for element, tag in enumerate(tree.tags):
            if tag == "article" and (outer := self.outer_article(element)) >= 0:
                self.nested_count[outer] += 1
                self.nested_articles.append(element)

    def outer_article(self, element: int) -> int:
        parent = self.tree.parent[element]
        while parent >= 0 and self.tree.tags[parent] != "article":
            parent = self.tree.parent[parent]
        return parent

    def is_card(self, element: int) -> bool:
        """An ``<article>`` inside the story's own ``<article>`` holding the lesser part
        of its prose (a small part, when it is the only one): a card for another
        story. A site that nests its one real article in wrapper articles has no cards."""
        outer = self.outer_article(element)
        if self.tree.tags[element] != "article" or outer < 0:
            return False
        share = self.prose[element] / self.prose[outer] if self.prose[outer] else 0.0
        return share < (0.5 if self.nested_count[outer] >= 2 else 0.2)

    def is_teaser_list(self, element: int, inside: int | None = None) -> bool:
        """Headline links each followed by a blurb: a list of other stories, whose
        blurbs read like prose. ``inside`` discounts what a descendant holds."""
        links = self.link_lines[element] - (self.link_lines[inside] if inside is not None else 0)
        prose = self.prose_blocks[element] - (
            self.prose_blocks[inside] if inside is not None else 0
        )
        return links >= 2 and 2 * links > prose


def _climb(tree: _Tree, stats: _Stats, top: int) -> int:
    """Widen the winner to an ancestor when that adds mostly prose: bodies cut into
    several wrappers (by ad slots, figures, "read more" boxes) are one article."""
    ancestor = tree.parent[top]
    while ancestor >= 0:
        added_prose = stats.prose[ancestor] - stats.prose[top]
        added = stats.chars[ancestor] - stats.chars[top]
        if added:  # a wrapper adding nothing is passed through
            if (
                added_prose < max(0.1 * stats.prose[top], 150)
                or added_prose < _CLIMB_PROSE * added
                or stats.is_teaser_list(ancestor, inside=top)
            ):
                break
            top = ancestor
        ancestor = tree.parent[ancestor]
    return top


# --- HTML: headline -----------------------------------------------------------------------


def _find_heading(tree: _Tree, blocks: list[_Block], info: Metadata) -> str:
    """The page's headline element: an <h1> (or the heading matching the declared
    title) in or just before the article text."""
    hints = [normalise(hint) for hint in info.headline_hints]
    headings = [block for block in tree.blocks if block.tag in _HEADINGS and len(block.text) < 300]
    for block in headings:
        key = normalise(block.text)
        if key and any(hint.startswith(key) or key in hint for hint in hints) and len(key) > 10:
            return block.text
    first = blocks[0] if blocks else None
    for block in headings:
        if block.tag != "h1":
            continue
        if block in blocks or (first is not None and _shares_article(block, first)):
            return block.text
    return ""


def _title_element(tree: _Tree, blocks: list[_Block]) -> str:
    """A headline marked only by its class or id ("newsTitle" in an old newsroom
    CMS), at the top of the container of the first paragraph."""
    if not blocks or not blocks[0].path:
        return ""
    container = tree.elements[blocks[0].path[-1]]
    for element in container.iter():
        names = _names(element)
        if isinstance(element.tag, str) and _TITLE_NAME.search(names):
            text = collapse("".join(element.itertext()))
            if 10 <= len(text) <= 250 and not _SENTENCE_END.search(text):
                return text
    return ""


def _without_prefix(headline: str, paragraphs: list[str]) -> list[str]:
    """A first paragraph that runs the headline into the next line (inline title
    and date spans separated by one <br>) keeps only what follows the headline."""
    if headline and paragraphs and paragraphs[0].startswith(headline + " "):
        return [paragraphs[0][len(headline) :].strip(), *paragraphs[1:]]
    return paragraphs


def _split_date_lines(paragraphs: list[str]) -> tuple[list[str], str]:
    """Date lines at the top of the body ("Posted on: May 19, 2025") leave the
    text; the first one that parses is the date the page shows."""
    shown = ""
    body: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        match = _DATE_LINE.fullmatch(paragraph) if index < 3 and len(paragraph) < 80 else None
        if match is None:
            body.append(paragraph)
        elif not shown:
            shown = to_iso_date(match["date"])
    return body, shown


def _date_near_start(tree: _Tree, blocks: list[_Block]) -> str:
    """A date line next to the start of the article ("Posted on: May 19, 2025"
    under the headline), read even when cleaning dropped it as furniture."""
    if not blocks:
        return ""
    start = tree.blocks.index(blocks[0])
    for block in tree.blocks[max(0, start - 4) : start + 3]:
        match = _DATE_LINE.fullmatch(block.text) if len(block.text) < 80 else None
        iso = to_iso_date(match["date"]) if match else ""
        if iso:
            return iso
    return ""


def _shares_article(heading: _Block, first: _Block) -> bool:
    """The heading sits in the same container as the article text, a few levels up."""
    common = 0
    for a, b in zip(heading.path, first.path, strict=False):
        if a != b:
            break
        common += 1
    return common >= len(first.path) - 4


# A release's press contact ("Media Contact: Sgt. Dana Ruiz, Public Information Officer,
# 555-0100") often sits in a meta box or byline outside the body.
_CONTACT_LABEL = re.compile(r"\b(?:Media |Press |News )?(?:Contact|CONTACT|Inquiries)s?\s*:\s*\S")
_CONTACT_MAX = 300


def _contact_lines(tree: _Tree, blocks: list[_Block], body: list[str]) -> list[str]:
    """Press-contact lines from blocks left out of the body, from their label on (at most
    two), so the contact person named there is read too."""
    chosen = {id(block) for block in blocks}
    found: list[str] = []
    for block in tree.blocks:
        label = _CONTACT_LABEL.search(block.text)
        if id(block) in chosen or label is None or len(block.text) > _CONTACT_MAX:
            continue
        line = block.text[label.start() :]
        if line not in found and not any(line in paragraph for paragraph in body):
            found.append(line)
    return found[:2]


def _with_headline(headline: str, paragraphs: list[str]) -> list[str]:
    if not headline:
        return paragraphs
    key = normalise(headline)
    # The body often repeats the headline as its first heading.
    body = [p for i, p in enumerate(paragraphs) if i >= 5 or normalise(p) != key]
    return [headline, *body]


# --- plain text -------------------------------------------------------------------


def _find_date_line(paragraphs: list[str]) -> str:
    for paragraph in paragraphs:
        match = _DATE_LINE.fullmatch(paragraph)
        if match:
            iso = to_iso_date(match["date"])
            if iso:
                return iso[:10]
    return ""
