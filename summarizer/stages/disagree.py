"""Where the sources disagree: a briefing sentence never silently picks one side.

Deduplication never merges sentences whose figures or dates differ ("3 dead", "5 dead"), so the
versions of a disputed fact stay in separate facts with nearly the same words. For each
supported briefing sentence, every sentence of its evidence is compared with every source sentence
of another article: when the two share most content words and each states a quantity the other
states otherwise, and the two are the same quantity of the same thing (checks.Quantity: a count of
the same noun, a time against a time, a date against a date, a place against a place of the same
kind), and the briefing sentence states one of them, the sources disagree on what it states. An
age is never weighed against a time ("32" / "1:30 p.m."), nor four parts against two objects, nor
a running total against one day's count ("this year" / "on Friday"), nor a duration in round
figures against the exact one it rounds ("seven years" / "7 years, 1 month"). The
briefing lists each such `Disagreement` (the claim, each version with its sources) and the
sentence's `reason` says so; rendering marks it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace

from ..resources import ENGLISH
from ..text import NUMBER_WORDS
from ..types import BriefingSentence, Disagreement, DisagreementVersion, Fact, Sentence
from .checks import Quantity, quantities

# Two sentences state the same fact when they share this many content stems, and this cosine
# of their stem sets (the dedup's 0.45 threshold is on TF-IDF weights; sets are rougher).
MIN_SHARED_STEMS = 3
MIN_SIMILARITY = 0.5
# Where the quantities name the same thing (a count of "signatures", a place's "Square"), that and
# MIN_SHARED_STEMS other shared words tell the same fact at a lower cosine: outlets word a
# petition's count or a shooting's place each their own way ("has gathered more than 11,000 signatures" / "had collected
# 17,000 signatures by Friday").
MIN_SIMILARITY_SAME_THING = 0.3
# A duration told in round figures is the exact one it rounds, within this share: a judge
# "sentenced Robert Durst to seven years in prison" and "approved a plea agreement for ... 7 years, 1
# month in prison" (84 and 85 months) tell one sentence.
ROUNDING_SHARE = 0.05
# A running total is no count of one day: "more than 750 rockets fired from Gaza this year" and "97
# rockets fired from Gaza hit Israel on Friday" count different things.
RUNNING_TOTAL = re.compile(r"\b(?:this (?:year|season|month)|so far|to date|in total|in all|altogether)\b", re.I)

Key = tuple[str, str]


def stated(sentence: Sentence) -> tuple[Quantity, ...]:
    return quantities(sentence.text, sentence.language)


def keys(sentence: Sentence) -> frozenset[Key]:
    return frozenset(q.key for q in stated(sentence))


def named_in(place: Quantity, sentence: Sentence) -> bool:
    """Whether the sentence names the place too, in another part ("Harford County Sheriff ...,
    whose last address was in Baltimore County" names both counties)."""
    return place.kind == "place" and place.value in sentence.text.lower().replace("'s", "")


def differing(a: Sentence, b: Sentence, stems: dict[int, frozenset[str]]) -> frozenset[Key]:
    """The quantities of `a` (as Quantity.key) that `b` states otherwise (empty: no
    disagreement): `a` and `b` come from different articles, say nearly the same words, and each
    states the same quantity of the same thing with another value."""
    if a.article_index == b.article_index:
        return frozenset()
    only_a = [q for q in stated(a) if q.key not in keys(b) and not named_in(q, b)]
    only_b = [q for q in stated(b) if q.key not in keys(a) and not named_in(q, a)]
    totals = bool(RUNNING_TOTAL.search(a.text)) != bool(RUNNING_TOTAL.search(b.text))
    pairs = [
        (q, other)
        for q in only_a
        for other in only_b
        if q.same_thing(other) and not rounded(q, other) and not (totals and q.kind == "count")
    ]
    if not pairs:
        return frozenset()
    sa, sb = stems[id(a)], stems[id(b)]
    # Words they share beyond the quantities' own ("50 million gallons" / "38 million gallons" of
    # water are no sign of the same fact).
    things = {q.thing for q, _ in pairs}
    shared = len({s for s in sa & sb if s not in things and s not in NUMBER_WORDS})
    if shared < MIN_SHARED_STEMS:
        return frozenset()
    similarity = shared / math.sqrt(len(sa) * len(sb))
    named = any(q.kind != "money" and q.thing is not None and q.thing == other.thing for q, other in pairs)
    if similarity < (MIN_SIMILARITY_SAME_THING if named else MIN_SIMILARITY):
        return frozenset()
    return frozenset(q.key for q, _ in pairs)


def rounded(a: Quantity, b: Quantity) -> bool:
    """Whether two durations are one told in round figures and one exactly (ROUNDING_SHARE)."""
    if a.kind != "duration" or b.kind != "duration":
        return False
    (x, unit), (y, other_unit) = a.value.split(" ", 1), b.value.split(" ", 1)
    return unit == other_unit and abs(float(x) - float(y)) <= ROUNDING_SHARE * max(float(x), float(y))


def find_disagreements(
    sentences: Sequence[BriefingSentence], facts: Sequence[Fact]
) -> tuple[list[BriefingSentence], tuple[Disagreement, ...]]:
    """The sentences, those that state one side of a disputed figure, date or place with a reason
    saying so, and the disagreements."""
    member_of = {(s.article_index + 1, s.position): (c, s) for c in facts for s in c.sentences}
    everything = [s for c in facts for s in c.sentences if stated(s)]
    stems = {id(s): frozenset(s.stems) for c in facts for s in c.sentences}
    annotated: list[BriefingSentence] = []
    found: list[Disagreement] = []
    for sentence in sentences:
        evidence = [member_of[key] for e in sentence.evidence if (key := (e.source, e.sentence)) in member_of]
        language = evidence[0][1].language if evidence else ENGLISH
        claimed = {q.key for q in quantities(sentence.text, language)}
        texts: dict[frozenset[Key], str] = {}
        sources: dict[frozenset[Key], set[int]] = {}
        # Sentences of the claim's own fact are compared too: deduplication keeps apart only
        # sentences whose figures differ, so "in Logan Square" and "in Palmer Square" can be one fact.
        for fact, said in evidence if sentence.supported and claimed else []:
            for other in everything:
                if not differing(said, other, stems) & claimed:
                    continue
                theirs_disputed = differing(other, said, stems)
                mine, theirs = keys(said), keys(other)
                texts.setdefault(mine, said.text)
                sources.setdefault(mine, set()).update(
                    s.article_index + 1 for s in fact.sentences if not theirs_disputed & keys(s)
                )
                texts.setdefault(theirs, other.text)
                sources.setdefault(theirs, set()).add(other.article_index + 1)
        if len(texts) < 2:
            annotated.append(sentence)
            continue
        versions = tuple(DisagreementVersion(text, tuple(sorted(sources[key]))) for key, text in texts.items())
        # The extractive engine may quote both versions: list their disagreement once.
        if frozenset(versions) not in {frozenset(d.versions) for d in found}:
            found.append(Disagreement(sentence.text, versions))
        others = sorted({n for v in versions[1:] for n in v.sources})
        which = f"source {others[0]} gives" if len(others) == 1 else f"sources {', '.join(map(str, others))} give"
        reason = f"sources disagree: {which} another figure, date or place (see disagreements)"
        annotated.append(replace(sentence, reason=reason))
    return annotated, tuple(found)
