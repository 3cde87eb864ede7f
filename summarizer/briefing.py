"""Assembling the `Briefing`: text with [n] markers, the numbered sources, and the stats."""

from __future__ import annotations

from collections.abc import Sequence

from .types import (
    Article,
    Briefing,
    BriefingSentence,
    CleanDocument,
    Disagreement,
    Fact,
    Selection,
    Sentence,
    Source,
    Stats,
)


def render_text(sentences: Sequence[BriefingSentence], disagreements: Sequence[Disagreement] = ()) -> str:
    """The sentences with their [n] markers; a sentence kept unsupported or contradicted is marked
    so, and one that states one side of a disagreement names the sources that say otherwise."""
    # A sentence states one side of a disagreement as its claim, or (quoted by the extractive
    # engine) as one of its versions.
    disputed = {text: d for d in disagreements for text in (d.claim, *(v.text for v in d.versions))}
    parts = []
    for s in sentences:
        markers = "".join(f"[{c}]" for c in s.citations) if s.supported else f"[{s.verdict}]"
        if s.supported and s.text in disputed:
            others = sorted(
                {n for v in disputed[s.text].versions if not set(v.sources) & set(s.citations) for n in v.sources}
            )
            markers += f" [disputed by {', '.join(map(str, others))}]" if others else " [sources disagree]"
        parts.append(f"{s.text} {markers}".rstrip())
    return " ".join(parts)


def list_sources(articles: Sequence[Article], documents: Sequence[CleanDocument]) -> tuple[Source, ...]:
    """One numbered source per input article; a dateline found in the text stands in for a missing date."""
    return tuple(
        Source(
            index=i + 1,
            id=a.id,
            title=a.title or a.id,
            url=a.url,
            source=a.source,
            published=a.published or doc.dateline,
        )
        for i, (a, doc) in enumerate(zip(articles, documents, strict=True))
    )


def count_stats(
    articles: Sequence[Article],
    sentences: Sequence[Sentence],
    facts: Sequence[Fact],
    selection: Selection,
    token_counter: str,
    dropped_unsupported: int,
    dropped_contradicted: int,
    timings_ms: dict[str, float],
) -> Stats:
    return Stats(
        articles=len(articles),
        sentences=len(sentences),
        duplicate_sentences_merged=len(sentences) - len(facts),
        facts=len(facts),
        model_input_tokens=selection.input_tokens,
        budget_tokens=selection.budget_tokens,
        token_counter=token_counter,
        left_out=selection.left_out,
        dropped_unsupported=dropped_unsupported,
        dropped_contradicted=dropped_contradicted,
        timings_ms=timings_ms,
    )


def assemble(
    sentences: Sequence[BriefingSentence],
    sources: tuple[Source, ...],
    *,
    model: str | None,
    profile: str,
    stats: Stats,
    warnings: Sequence[str],
    model_input: str,
    disagreements: tuple[Disagreement, ...] = (),
) -> Briefing:
    return Briefing(
        text=render_text(sentences, disagreements),
        sentences=tuple(sentences),
        sources=sources,
        engine="abstractive" if model is not None else "extractive",
        model=model,
        profile=profile,
        stats=stats,
        warnings=tuple(warnings),
        model_input=model_input,
        disagreements=disagreements,
    )
