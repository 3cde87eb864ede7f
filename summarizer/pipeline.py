"""The one entry point: summarize(articles, options) -> Briefing.

    clean -> segment -> dedup -> select -> generate (or extract) -> attribute

The split of Hugging Face pipelines: everything before `write` prepares the model input
(preprocess), `write` is the only step that runs a model (forward), and attribution and
assembly check and package what it wrote (postprocess). Each stage lives in
`summarizer.stages`; the model in `summarizer.generation`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from .briefing import assemble, count_stats, list_sources
from .errors import InputError, ModelUnavailable
from .generation import BatchGenerator, Generation, Generator
from .generation.memory import return_freed_memory
from .generation.prompts import template_for
from .generation.tokens import tokenizer_counter
from .options import SummaryOptions
from .resources import ENGLISH
from .settings import GenerationSettings
from .stages import attribute, clean, deduplicate, extract, find_disagreements, fit_budget, rank
from .stages.attribute import Dropped, People
from .stages.clean import quoted
from .stages.novelty import NoveltyReport, find_novelty, mark_earlier, mark_novelty, nothing_new
from .stages.segment import language_warnings, make_sentence, segment_documents
from .text import normalize
from .types import (
    Article,
    Briefing,
    BriefingSentence,
    CleanDocument,
    Fact,
    InputFormat,
    RankedFact,
    Selection,
    Sentence,
    TokenCounter,
    count_words,
)

# Input budget when no model is loaded: the 1024-token window of BART-family models.
DEFAULT_BUDGET_TOKENS = 1024
NO_SENTENCES = "the articles contain no complete sentences to summarise"
SURROGATE = re.compile("[\ud800-\udfff]")


def summarize(
    articles: Sequence[Article],
    options: SummaryOptions | None = None,
    *,
    generator: Generator | None = None,
    since: Sequence[Article] = (),
    settings: GenerationSettings | None = None,
) -> Briefing:
    """The briefing of `articles`; with `since` (articles the reader has read), an update
    briefing: only what `articles` add to them (stages/novelty.py). Without a `generator`, the
    options' model is loaded (once per process) with `settings` (torch threads, int8 cache)."""
    return finish(prepare(articles, options, generator=generator, since=since, settings=settings))


@dataclass(frozen=True)
class PreparedBriefing:
    """A cluster up to its model input (`selection.model_input`): what `finish` needs to write and
    assemble its briefing. Splitting there lets `summarize_many` run several clusters' generation
    as one batch."""

    articles: list[Article]
    options: SummaryOptions
    warnings: list[str]
    documents: list[CleanDocument]
    sentences: list[Sentence]
    fragments_dropped: int
    facts: list[Fact]
    model: Generator | None
    engine_warnings: list[str]
    selection: Selection
    counter: TokenCounter
    timer: StageTimer
    novelty: NoveltyReport | None = None


def prepare(
    articles: Sequence[Article],
    options: SummaryOptions | None = None,
    *,
    generator: Generator | None = None,
    since: Sequence[Article] = (),
    settings: GenerationSettings | None = None,
) -> PreparedBriefing:
    """Every stage before generation: clean, segment, dedup, choose the engine, select. With
    `since`, the earlier articles come first and only the facts the new ones add are selected."""
    options = options or SummaryOptions()
    articles, warnings = check_articles(articles, options.refuse_separate_events)
    earlier, earlier_warnings = check_earlier(since)
    articles, warnings = [*earlier, *articles], [*earlier_warnings, *warnings]
    timer = StageTimer()
    with timer("clean"):
        try:
            documents = clean(articles)
        except InputError as err:  # one message for "nothing to summarise", whichever stage finds it
            raise InputError(f"{NO_SENTENCES}: {err.message}", err.field) from None
    with timer("segment"):
        segmentation = segment_documents(documents)
        sentences = segmentation.sentences
    if not sentences:
        lines = [line for doc in documents for line in doc.paragraphs]
        found = (
            f"{len(lines)} line{'s' if len(lines) != 1 else ''}: {quoted(lines[0])}{', ...' if len(lines) > 1 else ''}"
        )
        raise InputError(f"{NO_SENTENCES}: the text found ({found}) holds no complete sentence", "articles")
    with timer("dedup"):
        facts = deduplicate(sentences)
    novelty = None
    if earlier:
        with timer("novelty"):
            novelty = find_novelty(facts, len(earlier))
            facts = list(novelty.facts)
    with timer("load"):
        model, engine_warnings = resolve_engine(options, generator, settings)
    if model is not None:
        engine_warnings += language_warnings(sentences, model.name)
    with timer("select"):
        input_format, counter, budget = input_budget(options, model)
        selection = fit_budget(rank(facts, headlines(documents, sentences)), input_format, counter, budget)
    return PreparedBriefing(
        articles,
        options,
        warnings,
        documents,
        sentences,
        segmentation.fragments_dropped,
        facts,
        model,
        engine_warnings,
        selection,
        counter,
        timer,
        novelty,
    )


def headlines(documents: Sequence[CleanDocument], sentences: Sequence[Sentence]) -> list[Sentence]:
    """Each titled article's headline, as a sentence at position 0 in its article's language."""
    languages = {s.article_index: s.language for s in sentences}
    return [
        make_sentence(d.article_index, 0, d.title, languages.get(d.article_index, ENGLISH))
        for d in documents
        if d.title
    ]


def finish(prepared: PreparedBriefing, generation: Generation | None = None) -> Briefing:
    """Generation (unless `generation` is the model's output for this cluster's input, from a
    batch), attribution and assembly."""
    model = prepared.model
    if model is not None and generation is not None:
        model = GeneratedAlready(model, prepared.selection.model_input, generation)
    novelty = prepared.novelty
    if novelty is not None and not prepared.facts:
        new_articles = len(prepared.articles) - novelty.earlier_articles
        draft = Draft([nothing_new(new_articles, novelty.earlier_articles, novelty.repeated)], None)
    else:
        draft = write(prepared.selection, prepared.facts, model, prepared.options, prepared.timer)
    if model is not None:  # a model wrote (even when attribution then dropped what it wrote)
        # The generation's temporaries are freed, but glibc would keep them: a serving process
        # would hold ~150 MiB more between briefings than it needs (generation/memory.py).
        return_freed_memory()
    with prepared.timer("disagreements"):
        briefing_sentences, disagreements = find_disagreements(draft.sentences, prepared.facts)
    sources = list_sources(with_found_titles(prepared.articles, prepared.documents), prepared.documents)
    if novelty is not None:
        briefing_sentences = mark_novelty(briefing_sentences, novelty)
        sources = mark_earlier(sources, novelty.earlier_articles)
    stats = replace(
        count_stats(
            prepared.articles,
            prepared.sentences,
            prepared.facts,
            prepared.selection,
            prepared.counter.name,
            draft.dropped.unsupported,
            draft.dropped.contradicted,
            prepared.timer.timings_ms,
        ),
        fragments_dropped=prepared.fragments_dropped,
    )
    too_long = length_warnings(draft.sentences, prepared.options.max_words)
    warnings = [*prepared.warnings, *prepared.engine_warnings, *draft.warnings, *too_long]
    return assemble(
        briefing_sentences,
        sources,
        model=draft.model.name if draft.model is not None else None,
        profile=prepared.options.profile,
        stats=stats,
        warnings=warnings,
        model_input=prepared.selection.model_input,
        disagreements=disagreements,
    )


def summarize_many(
    clusters: Sequence[Sequence[Article]],
    options: SummaryOptions | None = None,
    *,
    generator: Generator | None = None,
    settings: GenerationSettings | None = None,
) -> list[Briefing | InputError]:
    """`summarize` of each cluster (same options), with the model's generation for all of them
    in one batch when the model can (`BatchGenerator`); a cluster with bad input gets its
    InputError in its place and the others go on. Each briefing's stats time the whole batch's
    generation as `generate_batch`."""
    prepared: list[PreparedBriefing | InputError] = []
    for articles in clusters:
        try:
            prepared.append(prepare(articles, options, generator=generator, settings=settings))
        except InputError as err:
            prepared.append(err)
    ready = [p for p in prepared if isinstance(p, PreparedBriefing) and p.model is not None]
    generations: dict[int, Generation] = {}
    if ready:
        model, shared = ready[0].model, ready[0].options
        assert model is not None  # for the type checker: `ready` holds the clusters with a model
        started = time.perf_counter()
        inputs = [p.selection.model_input for p in ready]
        profile, max_words, ngram = shared.profile_settings, shared.max_words, shared.no_repeat_ngram_size
        if isinstance(model, BatchGenerator):
            written = model.generate_many(inputs, max_words=max_words, profile=profile, no_repeat_ngram_size=ngram)
        else:
            written = [
                model.generate(text, max_words=max_words, profile=profile, no_repeat_ngram_size=ngram)
                for text in inputs
            ]
        batch_ms = round((time.perf_counter() - started) * 1000, 2)
        for p, generation in zip(ready, written, strict=True):
            generations[id(p)] = generation
            p.timer.timings_ms["generate_batch"] = batch_ms
    return [p if isinstance(p, InputError) else finish(p, generations.get(id(p))) for p in prepared]


class GeneratedAlready:
    """`model` whose output for `model_input` was written already (in a batch): `generate` gives
    that output, so `write` runs as it does for one cluster."""

    def __init__(self, model: Generator, model_input: str, generation: Generation):
        self.name, self.template = model.name, model.template
        self.max_input_tokens, self.counter = model.max_input_tokens, model.counter
        self._model_input, self._generation = model_input, generation

    def generate(self, model_input: str, **_decoding) -> Generation:
        if model_input != self._model_input:
            raise ValueError("GeneratedAlready was asked about another input than the one it was written for")
        return self._generation


class StageTimer:
    """Wall time of each named step, in milliseconds, for the briefing's stats."""

    def __init__(self) -> None:
        self.timings_ms: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings_ms[name] = round((time.perf_counter() - started) * 1000, 2)


@dataclass(frozen=True)
class Draft:
    """The briefing's sentences, the model that wrote them (None: the extractive engine), and the
    generated sentences attribution dropped."""

    sentences: list[BriefingSentence]
    model: Generator | None
    dropped: Dropped = Dropped()
    warnings: list[str] = field(default_factory=list)


# Elements that never belong in news text: one is enough to call a text HTML.
ACTIVE_ELEMENT = re.compile(r"<\s*(?:script|style|iframe|object|embed|img|svg|link|meta|form)\b[^<>]*>", re.I)
# Any element's tag, opening (with attributes) or closing: two make a text markup.
HTML_TAG = re.compile(
    r"</?\s*(?:html|head|body|title|p|div|span|a|br|hr|article|section|main|aside|header|footer|nav|h[1-6]"
    r"|ul|ol|li|table|tr|td|th|em|strong|b|i|u|figure|figcaption|blockquote|pre|code)\b[^<>]*>",
    re.I,
)


def looks_like_markup(text: str) -> bool:
    """Whether a text is HTML (a pasted page or fragment) rather than prose that mentions a tag."""
    return ACTIVE_ELEMENT.search(text) is not None or len(HTML_TAG.findall(text, 0, 200_000)) >= 2


def read_markup_as_html(articles: Sequence[Article]) -> tuple[list[Article], list[str]]:
    """The articles, those sent as text that is HTML read as HTML (its main text, no markup or
    scripts in a briefing), with a warning naming each."""
    found, warnings = [], []
    for position, article in enumerate(articles, start=1):
        if article.content_type == "text" and looks_like_markup(article.text):
            found.append(replace(article, content_type="html"))
            name = f" ({article.title})" if article.title else ""
            warnings.append(
                f"article {position}{name} was sent as text but is HTML markup: read as HTML (its main "
                'text only); send a page as "html" to say so'
            )
        else:
            found.append(article)
    return found, warnings


def check_articles(
    articles: Sequence[Article], refuse_separate_events: bool = False
) -> tuple[list[Article], list[str]]:
    """The articles to summarise, exact duplicates merged, and warnings about them; InputError
    for articles that tell separate events when `refuse_separate_events`."""
    if not articles:
        raise InputError("at least one article is needed", "articles")
    for position, article in enumerate(articles, start=1):
        check_unicode(article, position)
    articles, warnings = read_markup_as_html(articles)
    distinct = without_duplicates(articles)
    if merged := len(articles) - len(distinct):
        warnings.append(
            f"{merged} of {len(articles)} articles had the same text as an earlier one and were merged into it "
            "(the first one's title and id are kept, and cited once)"
        )
    if len(distinct) == 1:
        warnings.append("only one article: nothing to cross-check, every citation points to it")
    else:
        # Imported here: summarizer.stories brings page fetching and feeds along, which a briefing
        # never needs.
        from .stories.events import describe_events, describe_set_aside, group_events

        groups = group_events(distinct)
        if events := describe_events(groups):
            advice = "brief each event on its own (newsbrief stories groups a stream of articles into events)"
            if refuse_separate_events:
                raise InputError(f"{events}; refused (refuse_separate_events): {advice}", "articles")
            warnings.append(f"{events}; summarised together here: {advice}")
        if set_aside := describe_set_aside(groups):
            warnings.append(set_aside)
    return distinct, warnings


def check_earlier(since: Sequence[Article]) -> tuple[list[Article], list[str]]:
    """The earlier articles of an update briefing, exact duplicates merged, and a warning about
    them. A new article with an earlier one's text stays: all it says is then repeated."""
    for position, article in enumerate(since, start=1):
        check_unicode(article, position)
    earlier = without_duplicates(since)
    if merged := len(since) - len(earlier):
        return earlier, [f"{merged} of {len(since)} earlier articles had the same text as an earlier one"]
    return earlier, []


def check_unicode(article: Article, position: int) -> None:
    """InputError for a string field holding a surrogate code point: no Unicode text has one (a
    JSON "\\ud800" escape makes one), and neither a tokenizer nor a UTF-8 encoder takes it."""
    for name in ("id", "title", "text", "url", "source", "published"):
        value = getattr(article, name)
        if value is not None and (found := SURROGATE.search(value)):
            raise InputError(
                f"article {position}: its {name} holds a lone surrogate (U+{ord(found.group()):04X}), "
                "which is not Unicode text",
                name,
            )


def without_duplicates(articles: Sequence[Article]) -> list[Article]:
    """The articles without those whose text (Unicode, quotes and white space normalised) an
    earlier one has: a cluster that carries one story many times over would otherwise cite it
    once per copy, in every sentence."""
    seen: set[tuple[str, str]] = set()
    distinct = []
    for article in articles:
        key = (article.content_type, normalize(article.text))
        if key not in seen:
            seen.add(key)
            distinct.append(article)
    return distinct


def with_found_titles(articles: Sequence[Article], documents: Sequence[CleanDocument]) -> list[Article]:
    """The articles, those without a title given the one cleaning found (an HTML page's own)."""
    return [
        replace(a, title=doc.title) if not a.title and doc.title else a
        for a, doc in zip(articles, documents, strict=True)
    ]


def resolve_engine(
    options: SummaryOptions, generator: Generator | None, settings: GenerationSettings | None = None
) -> tuple[Generator | None, list[str]]:
    """The generator to use (None: extractive), loaded with `settings` when none is given, and
    warnings that explain the choice."""
    if options.engine == "extractive":
        return None, []
    if generator is not None:
        return generator, []
    # Imported on first use of a model: loading brings in transformers and torch.
    from .generation.loading import load_generator

    try:
        return load_generator(options.model, quantize=options.profile_settings.quantize, settings=settings), []
    except ModelUnavailable as err:
        if options.engine == "abstractive":
            raise
        return None, [f"used the extractive engine: {err}"]


def input_budget(options: SummaryOptions, model: Generator | None) -> tuple[InputFormat, TokenCounter, int]:
    """The model's input format, its token counter, and how many tokens to fill: the caller's
    budget, else the profile's (see Profile.budget_for), never more than the model's window. Without a model, the
    configured model's format and tokenizer (when found locally) and BART's 1024-token window."""
    if model is not None:
        input_format, counter, window = model.template, model.counter, model.max_input_tokens
    else:
        input_format = template_for(options.model)
        counter = tokenizer_counter(options.tokenizer or options.model)
        window = DEFAULT_BUDGET_TOKENS
    return input_format, counter, min(options.budget_tokens or options.profile_settings.budget_for(window), window)


def write(
    selection: Selection,
    facts: Sequence[Fact],
    model: Generator | None,
    options: SummaryOptions,
    timer: StageTimer,
) -> Draft:
    """Generate and keep the supported sentences; the extractive engine when there is no model
    or when the model's output had no supported sentence."""
    if model is not None:
        with timer("generate"):
            generation = model.generate(
                selection.model_input,
                max_words=options.max_words,
                profile=options.profile_settings,
                no_repeat_ngram_size=options.no_repeat_ngram_size,
            )
        with timer("attribute"):
            sentences, dropped = attribute(generation.text, facts, options.keep_unsupported)
            sentences = trim_to_words(sentences, options.max_words)
        if sentences:
            return Draft(sentences, model, dropped)
        fallback = ["the model's output had no supported sentence; used the extractive engine"]
    else:
        dropped, fallback = Dropped(), []
    with timer("extract"):
        return Draft(extract_introduced(selection.facts, facts, options.max_words), None, dropped, fallback)


# Extractions of one briefing, each with less room, to fit its introductions (extract_introduced).
MAX_EXTRACTIONS = 3


def extract_introduced(chosen: Sequence[RankedFact], facts: Sequence[Fact], max_words: int) -> list[BriefingSentence]:
    """The extractive briefing with the people it names by surname introduced (introduce_people).
    Where an introduction would take it past `max_words`, it is extracted again with room for
    them: "Engelhardt approved a plea agreement ..." says less to a reader than a briefing one
    fact shorter that says "Kurt Engelhardt approved ...". The briefing extracted with less room
    may hold other sentences and want other introductions, so it is measured again, a few times
    at most (MAX_EXTRACTIONS); the last one introduces whom it has room for."""
    people = People(facts)  # the sources' names, read once for every extraction
    budget = max_words
    for _ in range(MAX_EXTRACTIONS - 1):
        introduced = people.introduce(extract(chosen, budget), max_words, every_name=True)
        overflow = sum(count_words(s.text) for s in introduced) - max_words
        if overflow <= 0:  # every introduction fits: within max_words they are the same
            return introduced
        budget -= overflow
    return people.introduce(extract(chosen, budget), max_words)


def length_warnings(sentences: Sequence[BriefingSentence], max_words: int) -> list[str]:
    """A warning when the briefing is longer than asked: it never cuts a sentence, so when the one
    it starts with (always kept) is over `max_words` on its own, that is the whole briefing."""
    words = sum(count_words(s.text) for s in sentences)
    if words <= max_words:
        return []
    return [
        f"the briefing has {words} words, over max_words={max_words}: sentences are never cut, and its "
        "one sentence is longer than that on its own"
    ]


def trim_to_words(sentences: list[BriefingSentence], max_words: int) -> list[BriefingSentence]:
    """Whole sentences up to `max_words` (the first is always kept)."""
    kept: list[BriefingSentence] = []
    words = 0
    for s in sentences:
        n = count_words(s.text)
        if kept and words + n > max_words:
            break
        kept.append(s)
        words += n
    return kept
