"""Update briefings: of the facts of the earlier and the new articles, what the new ones add.

`summarize(new, options, since=earlier)` deduplicates the sentences of both sets together, so
"the same fact" means what it means everywhere else (dedup's TF-IDF test with its number guard),
and then sorts each fact the new articles state:
- repeated: dedup merged it with an earlier sentence and it adds no figure, or its sentences say
  what an earlier sentence says in other words (the embedding cosine selection uses for "the
  same fact", BRIEFING_SAME_FACT_COSINE) with no figure of their own: left out;
- update, changed: an earlier sentence states the same thing with another figure of the same
  kind (disagree.differing: "231 dead" against "32 dead"); the briefing states it as a change and
  cites both sides;
- update, detail added: the same fact with a figure or date the earlier articles did not give
  ("on June 18-19" where the earlier article said "soon");
- new: everything else.
Only the new and updated facts are ranked, fitted and written, so the model never sees what the
reader read, and attribution checks what it writes against them alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..similarity import embed
from ..types import BriefingSentence, Citation, Fact, Novelty, Sentence, Source
from .disagree import differing
from .select import BRIEFING_SAME_FACT_COSINE


@dataclass(frozen=True)
class Change:
    """A figure the new articles state otherwise: `earlier` is the earlier sentence, `before` its
    figures and `after` the new ones, of the same kind."""

    earlier: Sentence
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class NoveltyReport:
    """What the new articles add: `facts` (new ones and updates, only their new articles'
    sentences), `kinds` and `changes` by fact id, and how many of their facts repeat earlier ones."""

    earlier_articles: int
    facts: tuple[Fact, ...]
    kinds: dict[int, Novelty]
    changes: dict[int, Change]
    repeated: int


def find_novelty(facts: Sequence[Fact], earlier_articles: int) -> NoveltyReport:
    """Sort the facts of the earlier articles (indices below `earlier_articles`) and the new
    ones (see the module doc)."""
    earlier = [s for f in facts for s in f.sentences if s.article_index < earlier_articles]
    stems = {id(s): frozenset(s.stems) for f in facts for s in f.sentences}
    earlier_vectors = embed([s.text for s in earlier])
    earlier_numbers = frozenset().union(*(s.numbers for s in earlier)) if earlier else frozenset()
    kept: list[Fact] = []
    kinds: dict[int, Novelty] = {}
    changes: dict[int, Change] = {}
    repeated = 0
    for fact in facts:
        new = tuple(s for s in fact.sentences if s.article_index >= earlier_articles)
        if not new:
            continue
        said_before = [s for s in fact.sentences if s.article_index < earlier_articles]
        if said_before:
            known = frozenset().union(*(s.numbers for s in said_before))
            added = [s for s in new if s.numbers - known]
            if not added:
                repeated += 1
                continue
            fact = Fact(fact.id, new, added[0])
            kinds[fact.id] = "update"
            kept.append(fact)
            continue
        if fact.representative not in new:
            fact = Fact(fact.id, new, new[0])
        change = changed_figure(fact.representative, earlier, stems)
        if change is not None:
            kinds[fact.id], changes[fact.id] = "update", change
            kept.append(fact)
            continue
        if len(earlier):
            similar = (embed([s.text for s in new]) @ earlier_vectors.T).max(axis=1)
            if float(similar.max()) >= BRIEFING_SAME_FACT_COSINE:
                if not fact.representative.numbers - earlier_numbers:
                    repeated += 1
                    continue
                kinds[fact.id] = "update"
                kept.append(fact)
                continue
        kinds[fact.id] = "new"
        kept.append(fact)
    return NoveltyReport(earlier_articles, tuple(kept), kinds, changes, repeated)


def changed_figure(sentence: Sentence, earlier: Sequence[Sentence], stems: dict[int, frozenset[str]]) -> Change | None:
    """The earlier sentence that states `sentence`'s fact with another figure, if one does."""
    for before in earlier:
        after = differing(sentence, before, stems)
        if after:
            # One kind of quantity is stated as the change: a count when one changed ("31", not
            # also "Wednesday" for "Monday"), else the first kind.
            kinds = {kind for kind, _ in after}
            kind = "count" if "count" in kinds else sorted(kinds)[0]
            old = differing(before, sentence, stems)
            return Change(
                before,
                tuple(sorted(value for k, value in old if k == kind)),
                tuple(sorted(value for k, value in after if k == kind)),
            )
    return None


def mark_novelty(sentences: Sequence[BriefingSentence], report: NoveltyReport) -> list[BriefingSentence]:
    """Each briefing sentence with its novelty (an update when it states a fact that changed or
    gained a detail); a changed figure is stated as a change, the earlier source cited too. The
    sentence saying that nothing is new cites nothing and has none."""
    fact_of = {(s.article_index, s.position): f.id for f in report.facts for s in f.sentences}
    marked = []
    for sentence in sentences:
        if not sentence.citations:  # the one sentence saying that nothing is new
            marked.append(sentence)
            continue
        cited = ((c.source - 1, c.sentence) for c in sentence.evidence)
        facts = [fact_of[key] for key in cited if key in fact_of]
        change = next((report.changes[f] for f in facts if f in report.changes), None)
        novelty: Novelty = "update" if any(report.kinds.get(f) == "update" for f in facts) else "new"
        if change is not None:
            sentence = stated_as_change(sentence, change)
        marked.append(replace(sentence, novelty=novelty))
    return marked


def stated_as_change(sentence: BriefingSentence, change: Change) -> BriefingSentence:
    """`sentence` with the figure it changes ("..., up from 32 reported earlier"), citing the
    earlier source as well."""
    before = " and ".join(change.before) if change.before else None
    if before is None:
        return sentence
    direction = "earlier reported as"
    if all(v.replace(".", "", 1).isdigit() for v in (*change.before, *change.after)):
        old, new = float(change.before[0]), float(change.after[0])
        direction = "up from" if new > old else "down from" if new < old else direction
    text = sentence.text.rstrip()
    end = text[-1] if text and text[-1] in ".!?" else "."
    text = text.rstrip(".!?")
    clause = f"{direction} {before}" + (" reported earlier" if direction != "earlier reported as" else "")
    source = change.earlier.article_index + 1
    evidence = Citation(source, change.earlier.position, change.earlier.text, 1.0)
    return replace(
        sentence,
        text=f"{text}, {clause}{end}",
        citations=tuple(dict.fromkeys((*sentence.citations, source))),
        evidence=(*sentence.evidence, evidence),
    )


def nothing_new(new_articles: int, earlier_articles: int, repeated: int) -> BriefingSentence:
    """The one sentence of an update briefing when the new articles add nothing."""
    said = f"{repeated} fact{'s' if repeated != 1 else ''}" if repeated else "nothing"
    articles = f"{new_articles} new article{'s' if new_articles != 1 else ''}"
    earlier = f"{earlier_articles} earlier one{'s' if earlier_articles != 1 else ''}"
    return BriefingSentence(
        text=f"Nothing new: the {articles} repeat{'s' if new_articles == 1 else ''} what the {earlier} said "
        f"({said} restated, none added or changed).",
        citations=(),
        evidence=(),
    )


def mark_earlier(sources: Sequence[Source], earlier_articles: int) -> tuple[Source, ...]:
    """The sources, the earlier articles marked as such."""
    return tuple(replace(s, earlier=True) if s.index <= earlier_articles else s for s in sources)
