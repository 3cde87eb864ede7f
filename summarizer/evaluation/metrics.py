"""Quality measures of one briefing, as pure functions of texts and values.

ROUGE is the `rouge-score` package with Porter stemming, the scorer behind most
published news-summarisation figures; a cluster with several human summaries
scores the average over them (not the maximum, which would reward a briefing
for matching whichever reference happens to be closest). Figures are percent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import comb

from ..stages.dedup import deduplicate
from ..stages.segment import make_sentence

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


@lru_cache(maxsize=1)
def _scorer():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge_f1(prediction: str, references: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F1 (percent) of `prediction`, averaged over `references`."""
    if not references:
        raise ValueError("at least one reference summary is needed")
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    for reference in references:
        scores = _scorer().score(reference, prediction)
        for name in ROUGE_TYPES:
            totals[name] += scores[name].fmeasure
    return {name: 100 * total / len(references) for name, total in totals.items()}


def rouge2_recall(text: str, references: Sequence[str]) -> float:
    """ROUGE-2 recall (percent) of `text`: how much of the references' bigrams it contains."""
    if not references:
        raise ValueError("at least one reference summary is needed")
    return 100 * sum(_scorer().score(reference, text)["rouge2"].recall for reference in references) / len(references)


def redundancy(texts: Sequence[str]) -> float:
    """Share of sentence pairs that deduplication would merge into one fact (0 to 1).

    Each sentence counts as its own article, so the cross-article merge rule and
    the number guard of `dedup.deduplicate` apply exactly as they do to sources.
    """
    if len(texts) < 2:
        return 0.0
    clusters = deduplicate([make_sentence(i, 0, t) for i, t in enumerate(texts)])
    return sum(comb(len(c.sentences), 2) for c in clusters) / comb(len(texts), 2)


@dataclass(frozen=True)
class CitationStats:
    citations_per_sentence: float
    sources_cited: float  # share of the input articles cited at least once
    uncited_sentences: int
    dropped_unsupported: int


def citation_stats(citations: Sequence[Sequence[int]], n_sources: int, dropped_unsupported: int) -> CitationStats:
    """Citation measures of a briefing given each sentence's cited sources (1-based)."""
    cited = {source for sentence in citations for source in sentence}
    return CitationStats(
        citations_per_sentence=sum(len(c) for c in citations) / len(citations) if citations else 0.0,
        sources_cited=len(cited) / n_sources if n_sources else 0.0,
        uncited_sentences=sum(1 for c in citations if not c),
        dropped_unsupported=dropped_unsupported,
    )
