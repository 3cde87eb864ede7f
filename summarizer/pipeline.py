"""The one entry point: summarize(articles, options) -> Briefing.

clean -> segment -> dedup -> select -> generate (or extract) -> attribute.
Only `generate` touches the model, so every other stage runs and is tested
without one (the split of Hugging Face pipelines: preprocess, forward, postprocess).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Protocol

from .attribute import attribute, cite_cluster, without_repeats
from .clean import clean
from .dedup import deduplicate, vectorize
from .errors import InputError, ModelUnavailable
from .generate import Generation, load_generator
from .options import Profile, SummaryOptions
from .prompts import PromptTemplate, template_for
from .segment import segment
from .select import fit_budget, rank, reading_order, self_contained
from .tokens import ApproximateCounter, TokenCounter, TokenizerCounter, auto_classes
from .types import Article, Briefing, BriefingSentence, RankedCluster, Source, Stats

log = logging.getLogger(__name__)

# Input budget when no model is loaded: the 1024-token window of BART-family models.
DEFAULT_BUDGET_TOKENS = 1024


class Generator(Protocol):
    """What the pipeline needs from a model; tests pass fakes with the same shape."""

    name: str
    template: PromptTemplate
    max_input_tokens: int
    counter: TokenCounter

    def generate(self, model_input: str, *, max_words: int, profile: Profile, no_repeat_ngram_size: int = 3) -> Generation: ...


@lru_cache(maxsize=8)
def tokenizer_counter(name: str) -> TokenCounter:
    """The real tokenizer of `name` from local files (folder or cache), else an approximation."""
    AutoTokenizer, _ = auto_classes()
    try:
        return TokenizerCounter(AutoTokenizer.from_pretrained(name, local_files_only=True), name)
    except Exception:  # not available locally, in whatever way: count approximately
        return ApproximateCounter()


def resolve_engine(options: SummaryOptions, generator: Generator | None) -> tuple[Generator | None, list[str]]:
    """The generator to use (None: extractive) and warnings that explain the choice."""
    if options.engine == "extractive":
        return None, []
    if generator is not None:
        return generator, []
    try:
        return load_generator(options.model, quantize=options.decoding.quantize), []
    except ModelUnavailable as err:
        if options.engine == "abstractive":
            raise
        return None, [f"used the extractive engine: {err}"]


def extract(ranked: Sequence[RankedCluster], max_words: int) -> list[BriefingSentence]:
    """The highest-ranked clusters' representatives that fit `max_words`, in reading order.

    A sentence is skipped when deduplication would merge it with one already
    taken (paraphrases dedup kept apart among many sentences can meet among a
    few), or when it opens with a dangling reference ("He said", "This ...")
    that its source context explained. The top one is always taken, so a short
    budget still gets a briefing.
    """
    chosen: list[RankedCluster] = []
    words = 0
    for r in ranked:
        sentence = r.cluster.representative
        if chosen and (words + sentence.word_count > max_words or not self_contained(sentence)):
            continue
        texts = [c.cluster.representative.text for c in chosen] + [sentence.text]
        if len(without_repeats(texts)) < len(texts):
            continue
        chosen.append(r)
        words += sentence.word_count
    return [cite_cluster(r.cluster) for r in reading_order(chosen)]


def trim_to_words(sentences: list[BriefingSentence], max_words: int) -> list[BriefingSentence]:
    """Whole sentences up to `max_words` (the first is always kept)."""
    kept, words = [], 0
    for s in sentences:
        n = len(s.text.split())
        if kept and words + n > max_words:
            break
        kept.append(s)
        words += n
    return kept


def render_text(sentences: Sequence[BriefingSentence]) -> str:
    parts = []
    for s in sentences:
        markers = "".join(f"[{c}]" for c in s.citations) if s.supported else "[unsupported]"
        parts.append(f"{s.text} {markers}")
    return " ".join(parts)


def summarize(articles: Sequence[Article], options: SummaryOptions | None = None, *, generator: Generator | None = None) -> Briefing:
    options = options or SummaryOptions()
    if not articles:
        raise InputError("at least one article is needed", "articles")
    timings: dict[str, float] = {}

    @contextmanager
    def stage(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        timings[name] = round((time.perf_counter() - started) * 1000, 2)

    warnings: list[str] = []
    if len(articles) == 1:
        warnings.append("only one article: nothing to cross-check, every citation points to it")
    with stage("clean"):
        documents = clean(articles)
    with stage("segment"):
        sentences = segment(documents)
    if not sentences:
        raise InputError("the articles contain no complete sentences to summarise", "articles")
    with stage("dedup"):
        matrix = vectorize(sentences)
        clusters = deduplicate(sentences, matrix=matrix)
    with stage("load"):
        model, engine_warnings = resolve_engine(options, generator)
    warnings.extend(engine_warnings)
    with stage("select"):
        ranked = rank(clusters, matrix, len(articles))
        if model is not None:
            template, counter = model.template, model.counter
            limit = model.max_input_tokens
        else:
            template, counter = template_for(options.model), tokenizer_counter(options.tokenizer or options.model)
            limit = DEFAULT_BUDGET_TOKENS
        budget = min(options.budget_tokens or options.decoding.budget_tokens or limit, limit)
        selection = fit_budget(ranked, template, counter, budget)

    dropped = 0
    if model is not None:
        with stage("generate"):
            generation = model.generate(
                selection.model_input,
                max_words=options.max_words,
                profile=options.decoding,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
            )
        with stage("attribute"):
            briefing_sentences, dropped = attribute(generation.text, clusters, options.keep_unsupported)
            briefing_sentences = trim_to_words(briefing_sentences, options.max_words)
        if not briefing_sentences:
            warnings.append("the model's output had no supported sentence; used the extractive engine")
            model = None
    if model is None:
        with stage("extract"):
            briefing_sentences = extract(selection.clusters, options.max_words)

    stats = Stats(
        articles=len(articles),
        sentences=len(sentences),
        duplicate_sentences_merged=len(sentences) - len(clusters),
        clusters=len(clusters),
        model_input_tokens=selection.input_tokens,
        budget_tokens=selection.budget_tokens,
        token_counter=counter.name,
        left_out=selection.left_out,
        dropped_unsupported=dropped,
        timings_ms=timings,
    )
    sources = tuple(
        Source(index=i + 1, id=a.id, title=a.title or a.id, url=a.url, source=a.source,
               published=a.published or doc.dateline)
        for i, (a, doc) in enumerate(zip(articles, documents))
    )
    return Briefing(
        text=render_text(briefing_sentences),
        sentences=tuple(briefing_sentences),
        sources=sources,
        engine="abstractive" if model is not None else "extractive",
        model=model.name if model is not None else None,
        profile=options.profile,
        stats=stats,
        warnings=tuple(warnings),
        model_input=selection.model_input,
    )
