"""The HTML report: one self-contained page to browse agencies, their stances over time and the evidence.

The page is rendered here in full (every agency, timeline and evidence is
plain HTML), so it reads without JavaScript; a small inline script only adds
the filters (state, latest stance, changed, text search) and keeps the counts
in step with them. Everything from the store is hostile input (titles,
evidence and URLs come from the web): every value goes through
``html.escape``, only ``http``/``https`` URLs become links, and a Content
Security Policy allows nothing but the page's own style and script (by hash),
so the page makes no request of any kind, even if something slipped through.
The output depends only on the store's content, byte for byte.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from extractor.changes import Timeline, TimelineEntry, stance_timeline
from extractor.context import InContext, in_context
from extractor.export import write_text_atomic
from extractor.rows import STANCES
from extractor.store import Store

_CUE_PARTS = re.compile(r"\s*(?:\u2026|\.\.\.)\s*")
# http(s) only: a javascript: or data: URL from a hostile page never becomes a link.
_LINKABLE = re.compile(r"https?://[^\s\x00-\x1f]+\Z", re.IGNORECASE)

_STYLE = """
:root{--fg:#1d2433;--mute:#5b6477;--line:#e3e6ee;--bg:#fff;--soft:#f6f7fb;
--refuses:#b42318;--limits:#b54708;--cooperates:#175cd3;--unclear:#667085}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,#filters,footer{max-width:1100px;margin:0 auto;padding:0 16px}
header{padding-top:16px}
h1{font-size:20px;margin:0 0 2px}
.sub{color:var(--mute);margin:0 0 10px}
#filters{display:flex;flex-wrap:wrap;gap:8px;align-items:center;padding-top:6px;padding-bottom:6px;position:sticky;top:0;background:var(--bg);border-bottom:1px solid var(--line);z-index:1}
#filters select,#filters input[type=search]{font:inherit;padding:4px 6px;border:1px solid #c9cedb;border-radius:6px;background:#fff}
#filters input[type=search]{flex:1;min-width:180px}
#filters label{color:var(--mute)}
#status,.note{max-width:1100px;margin:0 auto;padding:8px 16px 6px;color:var(--mute)}
#status b{color:var(--fg)}
.tally{margin-left:10px}
.badge{display:inline-block;min-width:74px;text-align:center;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff;background:var(--unclear)}
.b-refuses{background:var(--refuses)}.b-limits{background:var(--limits)}
.b-cooperates{background:var(--cooperates)}.b-unclear{background:var(--unclear)}
.agency{border-bottom:1px solid var(--line);content-visibility:auto;contain-intrinsic-size:auto 36px}
.agency>summary{display:grid;grid-template-columns:minmax(0,1fr) 48px 92px 190px 80px;gap:10px;align-items:center;padding:7px 4px;cursor:pointer;list-style:none}
.agency>summary::-webkit-details-marker{display:none}
.agency>summary:hover{background:var(--soft)}
.agency[open]>summary{background:var(--soft)}
.who{overflow-wrap:anywhere}
.name{font-weight:600}
.who::before{content:"\\25B8";display:inline-block;width:14px;color:var(--mute)}
.agency[open] .who::before{content:"\\25BE"}
.type{color:var(--mute);font-weight:400;font-size:12px;margin-left:6px}
.changed{display:inline-block;margin-left:6px;font-size:11px;font-weight:600;color:#6941c6;border:1px solid #d9d6fe;border-radius:8px;padding:0 6px}
.g287,.n{color:var(--mute);font-size:12px}
.head{display:grid;grid-template-columns:minmax(0,1fr) 48px 92px 190px 80px;gap:10px;padding:6px 4px 4px;font-size:12px;color:var(--mute);border-bottom:1px solid var(--line)}
.head span:first-child{padding-left:14px}
ol.timeline{list-style:none;margin:0;padding:4px 4px 12px 18px}
.entry{position:relative;padding:8px 0 8px 118px;border-left:2px solid var(--line);margin-left:4px}
.entry .when{position:absolute;left:12px;top:8px;width:100px;color:var(--mute);font-size:12px}
.entry .top{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline}
.entry.change{border-left-color:#6941c6}
.delta{font-size:12px;color:#6941c6;font-weight:600}
.title{overflow-wrap:anywhere}
.site,.path{color:var(--mute);font-size:12px;overflow-wrap:anywhere}
blockquote{margin:6px 0 2px;padding:6px 10px;background:var(--soft);border-radius:6px;color:#3a4254;overflow-wrap:anywhere}
mark{background:#fff1b8;color:var(--fg);padding:0 1px}
mark strong{text-decoration:underline;text-decoration-thickness:2px}
.meta{margin:2px 0 0;color:var(--mute);font-size:12px}
.flag{color:#b42318}
footer{color:var(--mute);font-size:12px;padding-top:14px;padding-bottom:24px}
.empty{padding:20px 4px;color:var(--mute)}
@media (max-width:720px){.agency>summary,.head{grid-template-columns:minmax(0,1fr) 40px 84px}
.g287,.n,.head .hg,.head .hn{display:none}.entry{padding-left:8px}.entry .when{position:static}}
"""

_SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#agencies > .agency"));
  var text = rows.map(function (row) { return row.textContent.toLowerCase(); });
  var shown = document.getElementById("shown");
  var tallies = {};
  Array.prototype.forEach.call(document.querySelectorAll("[data-tally]"), function (node) {
    tallies[node.getAttribute("data-tally")] = node;
  });
  function apply() {
    var state = form.elements.state.value;
    var stance = form.elements.stance.value;
    var changed = form.elements.changed.checked;
    var words = form.elements.q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var count = 0;
    var per = {};
    Object.keys(tallies).forEach(function (key) { per[key] = 0; });
    rows.forEach(function (row, i) {
      var ok = (!state || row.getAttribute("data-state") === state) &&
        (!stance || row.getAttribute("data-stance") === stance) &&
        (!changed || row.getAttribute("data-changed") === "1") &&
        words.every(function (word) { return text[i].indexOf(word) >= 0; });
      if (row.hidden === ok) { row.hidden = !ok; }
      if (ok) {
        count += 1;
        per[row.getAttribute("data-stance")] += 1;
      }
    });
    shown.textContent = String(count);
    Object.keys(tallies).forEach(function (key) { tallies[key].textContent = String(per[key]); });
  }
  // Selects, the checkbox and the search box all fire "input".
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


#: Nothing may load: no fetch, image, font, frame or form target; only the page's own
#: style and script, by hash. ``frame-ancestors`` has no effect in a meta tag, so it is left out.
CSP = (
    "default-src 'none'; "
    f"style-src {_csp_hash(_STYLE)}; script-src {_csp_hash(_SCRIPT)}; "
    "img-src 'none'; font-src 'none'; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What ``write_report`` wrote, for the command's one line."""

    agencies: int
    entries: int
    changes: int

    def __str__(self) -> str:
        return (
            f"report of {self.agencies} agencies, {self.entries} stances, "
            f"{self.changes} change{'' if self.changes == 1 else 's'}"
        )


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _stance_class(stance: str) -> str:
    # A class name from a fixed set, never from the data.
    return f"b-{stance}" if stance in STANCES else "b-other"


def _badge(stance: str) -> str:
    return f'<span class="badge {_stance_class(stance)}">{_e(stance)}</span>'


def highlight(found: InContext, cue: str) -> str:
    """The evidence in context as HTML: the evidence in ``<mark>``, the cue's words in ``<strong>``.

    A cue of several parts ("not our job … focuses only on") has each part
    found, ignoring case and runs of spaces, in any order (a cue lists its
    parts in the order the rules matched them); a part not found is left out.
    """
    evidence = found.evidence
    spans: list[tuple[int, int]] = []
    for part in _CUE_PARTS.split(cue.strip()):
        words = part.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(word) for word in words)
        match = re.compile(pattern, re.IGNORECASE).search(evidence)
        if match is not None:
            spans.append((match.start(), match.end()))
    spans.sort()
    # Overlapping parts: the first one wins.
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    pieces = []
    position = 0
    for start, end in kept:
        pieces.append(_e(evidence[position:start]))
        pieces.append(f"<strong>{_e(evidence[start:end])}</strong>")
        position = end
    pieces.append(_e(evidence[position:]))
    marked = f"<mark>{''.join(pieces)}</mark>"
    return " ".join(part for part in (_e(found.before), marked, _e(found.after)) if part)


def _link(entry: TimelineEntry) -> str:
    title = _e(entry.title or entry.url or "(untitled)")
    if _LINKABLE.match(entry.url):
        return (
            f'<a class="title" href="{_e(entry.url)}" rel="noreferrer noopener" '
            f'target="_blank">{title}</a>'
        )
    # A local file path, or a URL of a scheme not to be followed (javascript:, data:...).
    path = f' <span class="path">{_e(entry.url)}</span>' if entry.url and entry.title else ""
    return f'<span class="title">{title}</span>{path}'


def _entry_html(entry: TimelineEntry, context: InContext, change_from: str | None) -> str:
    when = _e(entry.date) if entry.date else "undated"
    if entry.dated_by == "extracted":
        when += '<br><abbr title="no published date: the day it was extracted">(extracted)</abbr>'
    delta = (
        f'<span class="delta">changed from {_e(change_from)}</span>'
        if change_from is not None
        else ""
    )
    meta = [f"confidence {entry.confidence:.2f}"]
    if entry.speaker:
        meta.insert(0, f"speaker: {_e(entry.speaker)}")
    if entry.conflict:
        meta.append(f'<span class="flag">287(g): {_e(entry.conflict)}</span>')
    site = f'<span class="site">{_e(entry.site)}</span>' if entry.site else ""
    return (
        f'<li class="entry{" change" if change_from is not None else ""}">'
        f'<div class="when"><time>{when}</time></div>'
        f'<div class="top">{_badge(entry.stance)}{delta}{_link(entry)}{site}</div>'
        f"<blockquote>{highlight(context, entry.cue)}</blockquote>"
        f'<p class="meta">{" · ".join(meta)}</p></li>'
    )


def _agency_html(timeline: Timeline, contexts: dict[tuple[str, int], InContext]) -> str:
    changes = timeline.changes()
    change_from = {(after.doc_id, after.ord): before.stance for before, after in changes}
    status, agreement = timeline.in_287g
    g287 = f"{_e(status)}{f': {_e(agreement)}' if agreement else ''}" if status else "—"
    articles = timeline.articles
    latest = timeline.latest
    state = timeline.state
    ori = f" · ORI {_e(timeline.ori)}" if timeline.ori else ""
    changed = '<span class="changed">changed</span>' if changes else ""
    entries = "".join(
        _entry_html(
            entry, contexts[(entry.doc_id, entry.ord)], change_from.get((entry.doc_id, entry.ord))
        )
        for entry in reversed(timeline.entries)
    )
    return (
        f'<details class="agency" data-state="{_e(state or "none")}" data-stance="{_e(latest)}" '
        f'data-changed="{1 if changes else 0}"><summary>'
        f'<span class="who"><span class="name">{_e(timeline.agency)}</span>'
        f'<span class="type">{_e(timeline.agency_type)}{ori}</span>{changed}</span>'
        f'<span class="state">{_e(state) or "—"}</span>{_badge(latest)}'
        f'<span class="g287">{g287}</span>'
        f'<span class="n">{articles} article{"" if articles == 1 else "s"}</span>'
        f'</summary><ol class="timeline">{entries}</ol></details>'
    )


def _options(counts: Sequence[tuple[str, int]], *, everything: str) -> str:
    """``<option>``s: "everything" first, then each ``(value, count)`` with its label."""
    total = sum(n for _, n in counts)
    options = [f'<option value="">{_e(everything)} ({total})</option>']
    options += [
        f'<option value="{_e(value)}">{_e("no state" if value == "none" else value)} ({n})</option>'
        for value, n in counts
    ]
    return "".join(options)


def render_report(
    timelines: Sequence[Timeline],
    contexts: dict[tuple[str, int], InContext],
    *,
    title: str,
    as_of: str,
    since: str | None = None,
) -> str:
    """The whole page for ``timelines``; ``contexts`` maps ``(doc_id, ord)`` to the evidence in context."""
    entries = sum(len(t.entries) for t in timelines)
    articles = len({e.doc_id for t in timelines for e in t.entries})
    changes = sum(len(t.changes()) for t in timelines)
    states = Counter(t.state or "none" for t in timelines)
    latest = Counter(t.latest for t in timelines)
    # Every stance is listed, with its count of 0 too; "none" (no state) last.
    stance_counts = [(s, latest[s]) for s in sorted({*STANCES, *latest}, key=_stance_order)]
    state_counts = sorted(states.items(), key=lambda item: (item[0] == "none", item[0]))
    state_options = _options(state_counts, everything="All states")
    stance_options = _options(stance_counts, everything="Any latest stance")
    tallies = " ".join(
        f'{_badge(stance)} <b data-tally="{_e(stance)}">{n}</b>' for stance, n in stance_counts
    )
    scope = f" · agencies with a stance since {_e(since)}" if since else ""
    body = "".join(_agency_html(t, contexts) for t in timelines) or (
        '<p class="empty">No stances in this store.</p>'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Agency stances · {_e(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f"<header><h1>Agency stances</h1>"
        f'<p class="sub">{len(timelines)} agencies · {articles} articles · {entries} stances · '
        f"{changes} change{'' if changes == 1 else 's'} · {_e(title)}, data up to {_e(as_of)}"
        f"{scope}</p></header>\n"
        '<form id="filters" hidden role="search">'
        f'<label>State <select name="state">{state_options}</select></label>'
        f'<label>Latest stance <select name="stance">{stance_options}</select></label>'
        '<label><input type="checkbox" name="changed"> changed only</label>'
        '<input type="search" name="q" placeholder="Search agencies, titles, evidence" '
        'aria-label="Search">'
        "</form>\n"
        '<noscript><p class="note">The filters need JavaScript; every agency is listed below.'
        "</p></noscript>"
        f'<p id="status">Showing <b id="shown">{len(timelines)}</b> of {len(timelines)} agencies'
        f'<span class="tally">{tallies}</span></p>\n'
        '<main><div class="head"><span>Agency</span><span>State</span><span>Latest</span>'
        '<span class="hg">287(g)</span><span class="hn">Articles</span></div>'
        f'<div id="agencies">{body}</div></main>\n'
        "<footer><p>The latest stance is the most recent one other than <i>unclear</i>. "
        "A change is two consecutive articles with different stances; <i>unclear</i> ones are "
        "skipped. Dates are the articles' published dates; <i>(extracted)</i> marks an article "
        "without one, placed on the day it was extracted. Evidence is "
        "<mark>highlighted</mark> in its article's text, the stance's cue "
        "<mark><strong>underlined</strong></mark>.</p></footer>\n"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def _stance_order(stance: str) -> tuple[int, str]:
    return (STANCES.index(stance) if stance in STANCES else len(STANCES), stance)


def write_report(store: Store, out: Path, *, since: str | None = None) -> ReportSummary:
    """Write the report of ``store`` to ``out`` (atomically); ``since`` as in ``stance_timeline``."""
    with store.snapshot():
        timelines = stance_timeline(store, since=since)
        by_doc: dict[str, list[TimelineEntry]] = {}
        for timeline in timelines:
            for entry in timeline.entries:
                by_doc.setdefault(entry.doc_id, []).append(entry)
        contexts: dict[tuple[str, int], InContext] = {}
        for doc_id in sorted(by_doc):
            # Each article's text is read and decompressed once.
            text = store.article_text(doc_id)
            for entry in by_doc[doc_id]:
                contexts[(doc_id, entry.ord)] = in_context(text, entry.evidence)
        as_of = store.query("SELECT max(extracted_at) FROM articles")[0][0] or "never"
    html = render_report(timelines, contexts, title=store.path.name, as_of=as_of, since=since)
    write_text_atomic(out, html)
    return ReportSummary(
        agencies=len(timelines),
        entries=sum(len(t.entries) for t in timelines),
        changes=sum(len(t.changes()) for t in timelines),
    )
