"""Quality measures of one briefing, as pure functions of texts and values.

ROUGE is the `rouge-score` package with Porter stemming, the scorer behind most
published news-summarisation figures; a cluster with several human summaries
scores the average over them (not the maximum, which would reward a briefing
for matching whichever reference happens to be closest). Figures are percent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from math import comb

from ..stages.segment import complete, make_sentence, quote_marks, speaker_of, split_units, voiceless_quotation
from ..stages.select import same_fact

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
    """Share of sentence pairs that state the same fact (0 to 1), by `select.same_fact`: the
    cosine of their embeddings is at least select.SAME_FACT_COSINE. It sees paraphrase ("Putin
    will visit North Korea" / "Putin is preparing a visit to Pyongyang"), which the
    deduplication's strict word overlap leaves apart."""
    if len(texts) < 2:
        return 0.0
    sentences = [make_sentence(i, 0, t) for i, t in enumerate(texts)]
    repeats = sum(same_fact(a, b) for a, b in combinations(sentences, 2))
    return repeats / comb(len(texts), 2)


def units_of(text: str) -> list[str]:
    """A model input (or any text) cut into sentences as segmentation cuts its sources:
    quotations whole, stray full stops mended, and a bare quotation right after a quotation whose
    speaker is named kept with it: '"A," Trump said. "B."' is one passage of Trump's, as
    segmentation gives it once it names the "he" of '"A," he said. "B."' (segment.PronounSpeakers)."""
    units: list[str] = []
    for paragraph in text.splitlines():
        for index, unit in enumerate(split_units(paragraph)):
            if index and voiceless_quotation(unit) and speaker_of(units[-1]) is not None:
                units[-1] = f"{units[-1]} {unit}"
            else:
                units.append(unit)
    return units


def fragments(texts: Sequence[str]) -> int:
    """How many of the texts are not complete sentences (segment.complete: one that opens in
    lower case, has no verb-like lower-case words, or does not end as a sentence does)."""
    return sum(not complete(t) for t in texts)


def quotation_breaks(texts: Sequence[str], sources: Sequence[str]) -> int:
    """How many of the texts are cut from a quotation without its speaker: an unclosed quote
    mark, a quotation with no words outside it, or text that sits inside a quotation wherever the
    `sources` (paragraphs) have it, its quote marks left behind ("... Russia. They are doing
    everything ...," said Putin: the middle sentence alone reads as plain fact)."""
    return sum(voiceless_quotation(t) or inside_quotation(t, sources) for t in texts)


def inside_quotation(text: str, sources: Sequence[str]) -> bool:
    """Whether every place `text` appears in the source paragraphs is inside a quotation (after an
    odd number of double quote marks). A text one source states as its own words (a press
    release that another article quotes) is no break when it is presented plainly."""
    places = [
        quote_marks(paragraph[:start]) % 2 == 1
        for paragraph in sources
        for start in (m.start() for m in re.finditer(re.escape(text), paragraph))
    ]
    return bool(places) and all(places)


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


# Third-person pronouns and demonstratives: a sentence that opens with one leans on something
# before it ("He said...", "This comes after..."), so it does not stand alone. First-person words
# are left out: inside a quotation they are the speaker's own.
BACK_REFERENCES = frozenset(
    ["he", "she", "it", "they", "him", "her", "his", "its", "their", "them", "this", "these", "those", "that", "such"]
)
_FIRST_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def opens_with_back_reference(text: str) -> bool:
    """Whether the text's first word (after any opening quote mark) is in BACK_REFERENCES."""
    first = _FIRST_WORD.search(text)
    return first is not None and first.start() <= 2 and first.group().lower() in BACK_REFERENCES


def share(texts: Sequence[str], test: Callable[[str], bool]) -> float:
    """The share (0 to 1) of `texts` for which `test` is true; 0 for none."""
    return sum(test(t) for t in texts) / len(texts) if texts else 0.0
