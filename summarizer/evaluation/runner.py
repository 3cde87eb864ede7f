"""`newsbrief eval`: run the real pipeline over clusters with human summaries and measure it.

Input: JSON Lines, one cluster a line, as {"id", "documents" (or "articles"):
[{"title", "text", "boilerplate"}], "summary" (or "references": [...])}, read by
`inputs.clusters`; documents flagged `"boilerplate": true` (Multi-News's filler
pages) are left out, and a bad line stops the run with an error naming it.

Per cluster it calls `pipeline.summarize` and records the measures of
`metrics`: ROUGE of the briefing, input coverage (ROUGE-2 recall of the exact
model input, so it measures selection), redundancy (pairs of sentences that
state the same fact), citations, time, and two checks of the briefing's and the
model input's sentences: fragments (not complete sentences) and sentences cut
from a quotation without its speaker. The summary row is the mean over clusters
(dropped and uncited sentences, fragments and quotation breaks: totals).
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from ..errors import InputError
from ..generation.tokens import ApproximateCounter
from ..inputs import ArticleCluster, read_clusters
from ..options import SummaryOptions
from ..settings import GenerationSettings
from ..stages.clean import clean
from ..stages.segment import is_quoted
from .keyfacts import KeyFact, key_fact_recall, read_key_facts
from .metrics import (
    citation_stats,
    fragments,
    opens_with_back_reference,
    quotation_breaks,
    redundancy,
    rouge2_recall,
    rouge_f1,
    share,
    units_of,
)

# The settings of the reference figures in the evaluation data's README:
# Multi-News summaries run about 220-260 words, and BART-family models read 1024 tokens.
EVAL_MAX_WORDS = 260
EVAL_BUDGET_TOKENS = 1024


@dataclass(frozen=True)
class ClusterResult:
    id: str
    engine: str
    rouge1: float
    rouge2: float
    rougeL: float
    input_coverage: float
    input_tokens: int
    redundancy: float
    sentences: int
    words: int
    citations_per_sentence: float
    sources_cited: float
    uncited_sentences: int
    dropped_unsupported: int
    seconds: float
    fragments: int
    input_fragments: int
    quotation_breaks: int
    input_quotation_breaks: int
    quoted_sentences: float
    back_reference_openings: float
    # Key-fact recall (percent) of the briefing and of the model input; None for a cluster
    # without key facts (they are averaged over the clusters that have them).
    key_facts: float | None = None
    key_facts_top: float | None = None
    input_key_facts: float | None = None
    input_key_facts_top: float | None = None


# Fields of ClusterResult summed rather than averaged in the summary row.
TOTALS = (
    "uncited_sentences",
    "dropped_unsupported",
    "fragments",
    "input_fragments",
    "quotation_breaks",
    "input_quotation_breaks",
)


def evaluate_cluster(
    cluster: ArticleCluster,
    options: SummaryOptions,
    key_facts: Sequence[KeyFact] = (),
    settings: GenerationSettings | None = None,
) -> tuple[ClusterResult, str]:
    """The measures of one cluster's briefing (with the recall of `key_facts` when given), and
    the name of the token counter used; a model is loaded with `settings`."""
    from ..pipeline import summarize

    started = time.perf_counter()
    try:
        briefing = summarize(cluster.articles, options, settings=settings)
    except InputError as err:
        raise InputError(f"line {cluster.line} ({cluster.id}): {err.message}", err.field) from None
    seconds = time.perf_counter() - started
    texts = [s.text for s in briefing.sentences]
    input_units = units_of(briefing.model_input)
    paragraphs = [paragraph for document in clean(cluster.articles) for paragraph in document.paragraphs]
    rouge = rouge_f1(" ".join(texts), cluster.references)
    cites = citation_stats(
        [s.citations for s in briefing.sentences], len(briefing.sources), briefing.stats.dropped_unsupported
    )
    result = ClusterResult(
        id=cluster.id,
        engine=briefing.engine,
        rouge1=rouge["rouge1"],
        rouge2=rouge["rouge2"],
        rougeL=rouge["rougeL"],
        input_coverage=rouge2_recall(briefing.model_input, cluster.references),
        input_tokens=briefing.stats.model_input_tokens,
        redundancy=redundancy(texts),
        sentences=len(texts),
        words=sum(len(t.split()) for t in texts),
        citations_per_sentence=cites.citations_per_sentence,
        sources_cited=cites.sources_cited,
        uncited_sentences=cites.uncited_sentences,
        dropped_unsupported=cites.dropped_unsupported,
        seconds=seconds,
        fragments=fragments(texts),
        input_fragments=fragments(input_units),
        quotation_breaks=quotation_breaks(texts, paragraphs),
        input_quotation_breaks=quotation_breaks(input_units, paragraphs),
        quoted_sentences=share(texts, is_quoted),
        back_reference_openings=share(texts, opens_with_back_reference),
    )
    if key_facts:
        briefing_recall = key_fact_recall(key_facts, " ".join(texts))
        input_recall = key_fact_recall(key_facts, briefing.model_input)
        result = replace(
            result,
            key_facts=briefing_recall.all,
            key_facts_top=briefing_recall.top,
            input_key_facts=input_recall.all,
            input_key_facts_top=input_recall.top,
        )
    return result, briefing.stats.token_counter


def aggregate(results: Sequence[ClusterResult]) -> dict[str, float]:
    """Means over clusters of every numeric field (over the clusters that have it, for key
    facts); totals for the counts in TOTALS."""
    summary: dict[str, float] = {}
    for f in fields(ClusterResult):
        if f.name in ("id", "engine"):
            continue
        values = [getattr(r, f.name) for r in results if getattr(r, f.name) is not None]
        if values:
            summary[f.name] = sum(values) if f.name in TOTALS else sum(values) / len(values)
    return summary


@dataclass(frozen=True)
class Report:
    data: str
    options: SummaryOptions
    results: tuple[ClusterResult, ...]
    token_counters: tuple[str, ...]

    @property
    def summary(self) -> dict[str, float]:
        return aggregate(self.results)

    @property
    def engines(self) -> dict[str, int]:
        return dict(Counter(r.engine for r in self.results))

    def to_dict(self) -> dict:
        return {
            "data": self.data,
            "options": self.options.model_dump(),
            "engines": self.engines,
            "token_counters": list(self.token_counters),
            "summary": self.summary,
            "clusters": [asdict(r) for r in self.results],
        }


def run_eval(
    path: str | Path,
    options: SummaryOptions,
    limit: int | None = None,
    progress: Callable[[Sequence[ArticleCluster]], Sequence[ArticleCluster]] | None = None,
    key_facts: str | Path | None = None,
    settings: GenerationSettings | None = None,
) -> Report:
    """Summarise and measure every cluster of `path` (the first `limit` only, when given), with
    the key-fact recall of the clusters that the `key_facts` file covers."""
    clusters = read_clusters(path, with_references=True, limit=limit)
    facts = read_key_facts(key_facts) if key_facts is not None else {}
    results, counters = [], set()
    for cluster in progress(clusters) if progress else clusters:
        # A key-fact file indexes clusters by their 0-based line in the evaluation file.
        result, counter = evaluate_cluster(cluster, options, facts.get(cluster.line - 1, ()), settings)
        results.append(result)
        counters.add(counter)
    return Report(str(path), options, tuple(results), tuple(sorted(counters)))


TABLE_ROWS = (
    ("rouge1", "ROUGE-1 F1", "{:.2f}"),
    ("rouge2", "ROUGE-2 F1", "{:.2f}"),
    ("rougeL", "ROUGE-L F1", "{:.2f}"),
    ("input_coverage", "input coverage: ROUGE-2 recall of the model input", "{:.2f}"),
    ("input_tokens", "model input tokens", "{:.0f}"),
    ("key_facts", "key facts carried by the briefing (clusters with key facts)", "{:.1f}"),
    ("key_facts_top", "top-3 key facts carried by the briefing", "{:.1f}"),
    ("input_key_facts", "key facts carried by the model input", "{:.1f}"),
    ("input_key_facts_top", "top-3 key facts carried by the model input", "{:.1f}"),
    ("quoted_sentences", "briefing sentences holding a quotation", "{:.1%}"),
    ("back_reference_openings", "briefing sentences opening with a pronoun or demonstrative", "{:.1%}"),
    ("redundancy", "redundancy: share of sentence pairs stating the same fact", "{:.2%}"),
    ("fragments", "briefing sentences that are fragments (total)", "{:.0f}"),
    ("input_fragments", "model input sentences that are fragments (total)", "{:.0f}"),
    ("quotation_breaks", "briefing sentences cut from a quotation, speaker lost (total)", "{:.0f}"),
    ("input_quotation_breaks", "model input sentences cut from a quotation, speaker lost (total)", "{:.0f}"),
    ("citations_per_sentence", "citations per sentence", "{:.2f}"),
    ("sources_cited", "share of sources cited", "{:.1%}"),
    ("dropped_unsupported", "sentences dropped as unsupported (total)", "{:.0f}"),
    ("uncited_sentences", "sentences without a citation (total)", "{:.0f}"),
    ("sentences", "briefing sentences", "{:.1f}"),
    ("words", "briefing words", "{:.1f}"),
    ("seconds", "seconds per cluster", "{:.2f}"),
)


def format_table(report: Report) -> str:
    options = report.options
    engines = ", ".join(f"{name} x{n}" for name, n in sorted(report.engines.items()))
    header = [
        f"{report.data}: {len(report.results)} clusters; engine {options.engine} (used: {engines}); "
        f"{options.max_words} words; input budget {options.budget_tokens or 'profile default'} tokens "
        f"counted by {', '.join(report.token_counters)}",
        "means over clusters unless marked total",
    ]
    width = max(len(label) for _, label, _ in TABLE_ROWS)
    summary = report.summary
    lines = [f"{'measure':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{label:<{width}}  {fmt.format(summary[key])}" for key, label, fmt in TABLE_ROWS if key in summary]
    return "\n".join(header + [""] + lines)


def main(
    path: str,
    options: SummaryOptions,
    limit: int | None = None,
    as_json: bool = False,
    key_facts: str | None = None,
    settings: GenerationSettings | None = None,
) -> int:
    """The CLI command: the table (or JSON with per-cluster rows) on stdout, a progress bar on a terminal."""
    from tqdm import tqdm

    def progress(clusters: Sequence[ArticleCluster]):
        return tqdm(clusters, desc="eval", unit="cluster", disable=not sys.stderr.isatty(), file=sys.stderr)

    report = run_eval(path, options, limit, progress, key_facts, settings)
    if ApproximateCounter.name in report.token_counters:
        # Coverage and the budget's fill depend on the count: say so rather than differ silently.
        print(
            "newsbrief: warning: input tokens were counted approximately (no tokenizer of the model in "
            "its folder or the local cache): pass --tokenizer DIR, a folder with the model's tokenizer.json, "
            "for figures comparable with the reference ones",
            file=sys.stderr,
        )
    if as_json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(format_table(report))
    return 0
