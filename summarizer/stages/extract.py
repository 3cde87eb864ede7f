"""The extractive engine: the best-ranked source sentences that fit the word budget, cited.

It answers whenever no model is loaded, and whenever a model's output had no supported
sentence, so a briefing is always written.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..types import BriefingSentence, RankedFact
from .attribute import cite_fact
from .select import BRIEFING_SAME_FACT_COSINE, FactMemory, reading_order, self_contained


def extract(ranked: Sequence[RankedFact], max_words: int) -> list[BriefingSentence]:
    """The highest-ranked facts' representatives that fit `max_words`, in reading order.

    A sentence is skipped when it states a fact already taken (paraphrases that
    deduplication kept apart; stricter than select.same_fact, see
    BRIEFING_SAME_FACT_COSINE), or when it opens with a
    dangling reference ("He said", "This ...") that its source context
    explained. The top one is always taken, so a short budget still gets a
    briefing.
    """
    chosen: list[RankedFact] = []
    taken = FactMemory(BRIEFING_SAME_FACT_COSINE)
    words = 0
    for r in ranked:
        sentence = r.fact.representative
        if chosen and (words + sentence.word_count > max_words or not self_contained(sentence)):
            continue
        if taken.restates(sentence):
            continue
        chosen.append(r)
        taken.add(sentence)
        words += sentence.word_count
    return [cite_fact(r.fact) for r in reading_order(chosen)]
