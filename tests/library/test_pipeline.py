import re
from dataclasses import replace

import pytest
from helpers.paths import SEEDS

from summarizer import Article, InputError, ModelUnavailable, SummaryOptions, merge_options, summarize
from summarizer.inputs import read_articles
from summarizer.settings import Settings

# Lines of web furniture that are in the seed files and must never reach a reader or the model.
SEED_BOILERPLATE = [
    "Print Friendly",
    "Leave a Comment",
    "Read Also",
    "Trending Now",
    "Photo:",
    "Written by",
    "Back to top",
    "Latest Videos",
    "Related Articles",
    "email address",
    "Premium Content",
    "NewsPolitics",
    "8:21 AM",
]


@pytest.fixture(scope="module")
def seed_articles():
    articles, warnings = read_articles([SEEDS])
    assert warnings == []
    return articles


@pytest.fixture(scope="module")
def seed_briefing(seed_articles):
    return summarize(seed_articles, SummaryOptions(engine="extractive"))


def test_seeds_end_to_end_every_sentence_cited(seed_briefing, seed_articles):
    briefing = seed_briefing
    assert len(briefing.sources) == len(seed_articles) == 5
    assert briefing.sentences
    for sentence in briefing.sentences:
        assert sentence.supported
        assert sentence.citations, sentence.text
        assert all(1 <= c <= 5 for c in sentence.citations)
        assert {e.source for e in sentence.evidence} == set(sentence.citations)
        assert sentence.text + " " + "".join(f"[{c}]" for c in sentence.citations) in briefing.text
    assert len(re.findall(r"\[\d\]", briefing.text)) == sum(len(s.citations) for s in briefing.sentences)


def test_seeds_no_boilerplate_in_output_or_model_input(seed_briefing):
    for junk in SEED_BOILERPLATE:
        assert junk not in seed_briefing.text
        assert junk not in seed_briefing.model_input


def test_seeds_duplicates_merged_and_budget_respected(seed_briefing):
    stats = seed_briefing.stats
    assert stats.duplicate_sentences_merged > 0
    assert stats.facts == stats.sentences - stats.duplicate_sentences_merged
    assert 0 < stats.model_input_tokens <= stats.budget_tokens
    assert stats.left_out.facts > 0 and stats.left_out.words > 0
    assert set(stats.timings_ms) >= {"clean", "segment", "dedup", "select", "extract"}


def test_model_input_is_made_of_whole_source_sentences(seed_briefing, seed_articles):
    """Each sentence is a source sentence, or one of a quotation's, in quote marks (compared without
    them: those the quotation's cut needs are added) and after its speaker when it has none."""
    sources = " ".join(
        a.text.replace("’", "'").replace("“", "").replace("”", "").replace('"', "") for a in seed_articles
    )
    sources = re.sub(r"\s+", " ", sources)
    from summarizer.evaluation.metrics import units_of

    voiced = 0
    for sentence in units_of(seed_briefing.model_input):
        if quoted := re.fullmatch(r'(\w[\w .]*) said: "(.+)"', sentence):
            voiced += 1
            speaker, words = quoted.groups()
            assert speaker in sources and words.replace('"', "") in sources, sentence
        else:
            assert sentence.replace('"', "") in sources, sentence
    # Putin's quotation of three sentences: the middle one would otherwise read as plain fact.
    assert voiced


def test_seeds_model_input_has_no_fragment_and_keeps_quotations_voiced(seed_briefing, seed_articles):
    from summarizer.evaluation.metrics import fragments, quotation_breaks, units_of
    from summarizer.stages import clean

    paragraphs = [p for doc in clean(seed_articles) for p in doc.paragraphs]
    units = units_of(seed_briefing.model_input)
    assert not seed_briefing.model_input.startswith("intended")
    assert fragments(units) == 0
    assert quotation_breaks(units, paragraphs) == 0
    assert seed_briefing.stats.fragments_dropped > 0  # the seeds' lone "of ONU."-style remnants among them


def test_briefing_respects_max_words(seed_articles):
    briefing = summarize(seed_articles, SummaryOptions(engine="extractive", max_words=60))
    assert sum(len(s.text.split()) for s in briefing.sentences) <= 60


def test_one_article_gives_a_briefing_and_a_warning():
    article = Article(
        id="x",
        title="Storm",
        text=(
            "A storm hit the coast on Sunday. More than 20,000 homes lost power. "
            "Schools will stay closed until Friday, the mayor said."
        ),
    )
    briefing = summarize([article], SummaryOptions(engine="extractive"))
    assert briefing.sentences and all(s.citations == (1,) for s in briefing.sentences)
    assert any("only one article" in w for w in briefing.warnings)


def test_no_sentences_is_an_input_error():
    with pytest.raises(InputError):
        summarize([Article(id="x", title="t", text="Trending Now\nLatest Videos")])
    with pytest.raises(InputError):
        summarize([])


def test_auto_falls_back_offline_without_probing_the_network(monkeypatch, seed_articles):
    import summarizer.generation.loading as generate

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(generate, "hub_reachable", lambda: pytest.fail("probed the network while offline"))
    briefing = summarize(seed_articles, SummaryOptions(engine="auto", model="no-such-org/no-such-model"))
    assert briefing.engine == "extractive"
    assert any("could not load model 'no-such-org/no-such-model'" in w and "offline" in w for w in briefing.warnings)


def test_abstractive_with_an_unloadable_model_is_an_error(monkeypatch, seed_articles):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailable):
        summarize(seed_articles, SummaryOptions(engine="abstractive", model="no-such-org/other-model"))


def test_options_are_validated():
    for bad in ({"engine": "magic"}, {"max_words": 3}, {"profile": "turbo"}, {"budget_tokens": 1}):
        with pytest.raises(InputError) as err:
            SummaryOptions(**bad)
        assert err.value.field == next(iter(bad))


def test_options_from_environment(monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "80")
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "extractive")
    options = merge_options(Settings.load(), max_words=None, engine="auto")
    assert (options.max_words, options.engine) == (80, "auto")
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "many")
    with pytest.raises(InputError, match="NEWSBRIEF_MAX_WORDS"):
        Settings.load()


def test_first_calls_from_several_threads_at_once_all_succeed():
    """transformers' lazy imports are not thread-safe; a fresh process shows whether the first
    concurrent summarize() calls (as a threaded server makes them) can fail."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import threading
        from summarizer import SummaryOptions, summarize
        from summarizer.inputs import read_articles
        articles, _ = read_articles([{str(SEEDS)!r}])
        errors, barrier = [], threading.Barrier(4)
        def run():
            barrier.wait()
            try:
                summarize(articles, SummaryOptions(engine="extractive", tokenizer="no-such-tokenizer-dir"))
            except Exception as err:
                errors.append(repr(err))
        threads = [threading.Thread(target=run) for _ in range(4)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print(errors)
        raise SystemExit(1 if errors else 0)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_briefing_longer_than_max_words_says_so(seed_articles):
    briefing = summarize(seed_articles, SummaryOptions(engine="extractive", max_words=10))
    words = sum(len(s.text.split()) for s in briefing.sentences)
    assert len(briefing.sentences) == 1 and words > 10  # a sentence is never cut
    assert any(f"the briefing has {words} words, over max_words=10" in w for w in briefing.warnings)
    within = summarize(seed_articles, SummaryOptions(engine="extractive", max_words=150))
    assert not any("over max_words" in w for w in within.warnings)


def test_identical_articles_are_merged_with_a_warning(seed_articles):
    first = seed_articles[0]
    # The same text sixty times, re-spaced and under other ids: one source, one citation a sentence.
    copies = [
        replace(first, id=f"copy-{i}", text=first.text.replace(" ", "  ") if i % 2 else first.text) for i in range(60)
    ]
    briefing = summarize([*copies, seed_articles[1]], SummaryOptions(engine="extractive"))
    assert [s.id for s in briefing.sources] == ["copy-0", seed_articles[1].id]
    assert all(set(s.citations) <= {1, 2} for s in briefing.sentences)
    assert any("59 of 61 articles had the same text as an earlier one and were merged" in w for w in briefing.warnings)
    assert briefing.stats.articles == 2
    alone = summarize(copies, SummaryOptions(engine="extractive"))
    assert len(alone.sources) == 1 and all(s.citations == (1,) for s in alone.sentences)
    assert any("only one article" in w for w in alone.warnings)


def test_distinct_articles_are_never_merged(seed_briefing, seed_articles):
    assert len(seed_briefing.sources) == len(seed_articles)
    assert not any("merged" in w for w in seed_briefing.warnings)


STORM_PAGE = (
    "<html><head><title>Storm hits the southern coast | Example News</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><h1>Storm hits the southern coast</h1><p>The storm made landfall on the southern coast on Sunday night, "
    "bringing winds of 150 km/h to the region.</p><p>More than 20,000 homes lost power, the utility company said in "
    "a statement on Monday.</p></article></body></html>"
)


def test_an_html_article_without_a_title_takes_the_pages_own():
    articles = [
        Article(id="page", title="", text=STORM_PAGE, content_type="html"),
        Article(
            id="given",
            title="A title of its own",
            text=STORM_PAGE.replace("Sunday night", "Sunday"),
            content_type="html",
        ),
    ]
    briefing = summarize(articles, SummaryOptions(engine="extractive"))
    assert [s.title for s in briefing.sources] == ["Storm hits the southern coast", "A title of its own"]
    # The page's headline, repeated in its body, is not a sentence of the briefing.
    assert not any(s.text.startswith("Storm hits the southern coast") for s in briefing.sentences)


def test_nothing_to_summarise_is_one_message_whichever_stage_finds_it():
    for article in [
        Article(id="x", title="", text="0", content_type="html"),
        Article(id="x", title="t", text="Trending Now\nLatest Videos"),
        Article(id="x", title="t", text="Okay. Yes. He said."),
    ]:
        with pytest.raises(InputError, match="^the articles contain no complete sentences to summarise"):
            summarize([article])


@pytest.mark.parametrize("field", ["text", "title", "source"])
def test_a_lone_surrogate_is_an_input_error_naming_the_field(field):
    good = Article(id="a", title="Floods", text="Floods killed twelve people on Monday. Rescue teams came on Tuesday.")
    bad = replace(good, id="b", **{field: (getattr(good, field) or "") + " \ud800 x"})
    with pytest.raises(InputError, match=rf"^article 2: its {field} holds a lone surrogate \(U\+D800\)") as raised:
        summarize([good, bad])
    assert raised.value.field == field
