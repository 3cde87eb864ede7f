"""Where the sources disagree: a briefing sentence never silently picks one side.

Deduplication never merges sentences whose figures or dates differ ("3 dead", "5 dead"), so the
versions of a disputed fact stay in separate facts with nearly the same words. For each
supported briefing sentence, every sentence of its evidence is compared with every source sentence
of another article: when the two share most content words, each has a figure or date of the same
kind the other lacks with a content word in common next to both (the same thing counted), and the
briefing sentence states one of those, the sources disagree on what it states. The briefing lists
each such `Disagreement` (the claim, each version with its sources) and the sentence's `reason`
says so; rendering marks it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..text import numbers, words
from ..types import BriefingSentence, Disagreement, DisagreementVersion, Fact, Sentence
from .checks import Said, context_of, number_kind

# Two sentences state the same fact when they share this many content stems, and this cosine
# of their stem sets (the dedup's 0.45 threshold is on TF-IDF weights; sets are rougher).
MIN_SHARED_STEMS = 3
MIN_SIMILARITY = 0.5


def differing(a: Sentence, b: Sentence, stems: dict[int, frozenset[str]]) -> frozenset[str]:
    """The figures of `a` that `b` states otherwise (empty: no disagreement): `a` and `b` come
    from different articles, say nearly the same words, and each has a figure of a kind the
    other has with another value."""
    if a.article_index == b.article_index or not b.numbers:
        return frozenset()
    only_a, only_b = a.numbers - b.numbers, b.numbers - a.numbers
    kinds = {number_kind(n) for n in only_b}
    conflicting = frozenset(n for n in only_a if number_kind(n) in kinds)
    if not conflicting:
        return frozenset()
    sa, sb = stems[id(a)], stems[id(b)]
    shared = len(sa & sb)
    if shared < MIN_SHARED_STEMS or shared / math.sqrt(len(sa) * len(sb)) < MIN_SIMILARITY:
        return frozenset()
    # The two figures must be said of the same thing: a content word next to both ("$33.5 million
    # in damages" / "$25 million in damages"; not "one shot" / "the 55-year-old woman").
    first, second = Said.of(a), Said.of(b)
    theirs = [(j, value) for j, t in enumerate(second.tokens) for value in numbers([t.text]) if value in only_b]
    return frozenset(
        value
        for i, t in enumerate(first.tokens)
        for value in numbers([t.text])
        if value in conflicting
        and any(
            number_kind(other) == number_kind(value) and context_of(first, i) & context_of(second, j)
            for j, other in theirs
        )
    )


def find_disagreements(
    sentences: Sequence[BriefingSentence], facts: Sequence[Fact]
) -> tuple[list[BriefingSentence], tuple[Disagreement, ...]]:
    """The sentences, those that state one side of a disputed figure with a reason saying so, and
    the disagreements."""
    member_of = {(s.article_index + 1, s.position): (c, s) for c in facts for s in c.sentences}
    everything = [s for c in facts for s in c.sentences if s.numbers]
    stems = {id(s): frozenset(s.stems) for c in facts for s in c.sentences}
    annotated: list[BriefingSentence] = []
    found: list[Disagreement] = []
    for sentence in sentences:
        evidence = [member_of[key] for e in sentence.evidence if (key := (e.source, e.sentence)) in member_of]
        stated = numbers(words(sentence.text))
        own = {id(c) for c, _ in evidence}
        texts: dict[frozenset[str], str] = {}
        sources: dict[frozenset[str], set[int]] = {}
        for fact, said in evidence if sentence.supported and stated else []:
            for other in everything:
                if id(member_of[(other.article_index + 1, other.position)][0]) in own:
                    continue
                if differing(said, other, stems) & stated:
                    texts.setdefault(said.numbers, said.text)
                    sources.setdefault(said.numbers, set()).update(s.article_index + 1 for s in fact.sentences)
                    texts.setdefault(other.numbers, other.text)
                    sources.setdefault(other.numbers, set()).add(other.article_index + 1)
        if len(texts) < 2:
            annotated.append(sentence)
            continue
        versions = tuple(DisagreementVersion(text, tuple(sorted(sources[key]))) for key, text in texts.items())
        # The extractive engine may quote both versions: list their disagreement once.
        if frozenset(versions) not in {frozenset(d.versions) for d in found}:
            found.append(Disagreement(sentence.text, versions))
        others = sorted({n for v in versions[1:] for n in v.sources})
        which = f"source {others[0]} gives" if len(others) == 1 else f"sources {', '.join(map(str, others))} give"
        reason = f"sources disagree: {which} another figure or date (see disagreements)"
        annotated.append(replace(sentence, reason=reason))
    return annotated, tuple(found)
