"""Properties that hold for any input (Hypothesis): whatever Unicode text the articles hold
(titles, bodies, HTML, scripts mixed, control characters, lone surrogates as a JSON "\\ud800"
escape makes them, very long words, nothing at all), `summarize()` answers with a briefing whose
every sentence cites the sources, or with an InputError, never another exception, with the
extractive engine and through a model; prose in any script always gets a briefing; and
`article_from_dict` makes an Article or raises an InputError for any JSON value.

The extractive runs count tokens with the tiny model's real tokenizer, as a server with its model
at hand does. Example counts and deadlines are bounded so that the file runs in about half a minute.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from summarizer import Article, Briefing, InputError, SummaryOptions, summarize
from summarizer.inputs import article_from_dict

# A briefing of a few dozen sentences takes a few hundred ms on a busy 2-core machine; the
# deadline catches one that takes many seconds (a regular expression gone quadratic, say).
# Generation with the tiny model varies more with the machine's load.
BOUNDED = settings(deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
THROUGH_A_MODEL = settings(BOUNDED, deadline=timedelta(seconds=30), max_examples=25)
WARM_UP = [Article(id="a", title="Warm", text="The river rose on Monday. Crews built walls.")]

# Letters of several scripts, so that sentences mix them (and their own punctuation).
SCRIPTS = {
    "latin": "abcdefghijklmnopqrstuvwxyzéèüößñçÀÉÜ",
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяДЖЯ",
    "greek": "αβγδεζηθικλμνξοπρστυφχψωΔΣΩ",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "cjk": "的一是不了人我在有他这中大来上国",
    "devanagari": "अआइईउऊकखगघचछजझटठडढणतथदधनपफबभमयरलवशसह",
}
PUNCTUATION = ".!?。؟…;:,\"'«»()[]-–—"
# Control characters (C0, DEL, C1), format characters, odd spaces and line breaks, a lone surrogate.
ODD = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\x9f\u00ad\u200b\u200d\u200e\u2028\u2029\u202e\ufeff\ufffd\ud800\t\n\r \u00a0\u3000"

words = st.one_of(
    *(st.text(alphabet=letters, min_size=1, max_size=12) for letters in SCRIPTS.values()),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(alphabet=SCRIPTS["latin"], min_size=200, max_size=3000),  # a very long word
    st.text(alphabet=ODD, min_size=1, max_size=3),
    st.text(min_size=1, max_size=8),  # any code points but surrogates
)
sentences = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    words,
    st.lists(words, max_size=25),
    st.sampled_from([*PUNCTUATION[:4], "", "\n"]),
)
plain_texts = st.one_of(
    st.lists(sentences, max_size=12).map(" ".join),
    st.lists(sentences, max_size=6).map("\n\n".join),
    st.text(max_size=400),
    st.text(alphabet=ODD + PUNCTUATION, max_size=50),
    st.just(""),
)


@st.composite
def html_texts(draw) -> str:
    title = draw(st.text(max_size=40))
    paragraphs = draw(st.lists(plain_texts, max_size=5))
    tag = draw(st.sampled_from(["p", "div", "h1", "li", "script", "pre", "td"]))
    body = "".join(f"<{tag}>{p}</{tag}>" for p in paragraphs)
    wrapped = f"<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"
    return draw(st.sampled_from([wrapped, body, f"<p>{title}", f"{body}</html></html><!--", "<" + title]))


@st.composite
def articles(draw) -> Article:
    # Mostly what the content type says, sometimes HTML sent as text or text sent as HTML.
    kind = draw(st.sampled_from(["text", "html"]))
    text = draw(st.one_of(plain_texts if kind == "text" else html_texts(), plain_texts | html_texts()))
    return Article(
        id=draw(st.text(max_size=12)),
        title=draw(st.one_of(st.text(max_size=80), sentences)),
        text=text,
        url=draw(st.none() | st.text(max_size=30)),
        source=draw(st.none() | st.text(max_size=20)),
        published=draw(st.none() | st.text(max_size=20)),
        content_type=kind,
    )


def assert_cited(briefing: Briefing, count: int) -> None:
    """`briefing` lists at most `count` sources (exact duplicate articles are one source), and
    every sentence cites at least one of them."""
    assert isinstance(briefing, Briefing)
    sources = len(briefing.sources)
    assert 1 <= sources <= count
    assert [source.index for source in briefing.sources] == list(range(1, sources + 1))
    assert briefing.sentences
    for sentence in briefing.sentences:
        assert sentence.citations, sentence
        assert all(1 <= source <= sources for source in sentence.citations), sentence
        assert all(1 <= evidence.source <= sources for evidence in sentence.evidence), sentence


@pytest.fixture(scope="module")
def extractive(tiny_model) -> SummaryOptions:
    """The extractive engine, fitting its input with the tiny model's tokenizer. NLTK's data, the
    numerical libraries and the tokenizer load on the first briefing, here, not in a timed example."""
    options = SummaryOptions(engine="extractive", tokenizer=tiny_model, max_words=60)
    summarize(WARM_UP, options)
    return options


# A lone surrogate (what a JSON "\\ud800" escape makes) must not reach the tokenizer, which raises TypeError.
LONE_SURROGATE = Article(id="a", title="", text="Floods killed twelve people \ud800 on Monday. Rescue teams came.")


@settings(BOUNDED, max_examples=150)
@given(cluster=st.lists(articles(), min_size=1, max_size=6))
@example(cluster=[LONE_SURROGATE])
def test_any_text_ends_in_a_cited_briefing_or_an_input_error(extractive, cluster):
    assert_briefing_or_input_error(cluster, extractive)


def assert_briefing_or_input_error(cluster: list[Article], options: SummaryOptions) -> None:
    """summarize() either refuses the cluster with an InputError that says why, or cites every sentence."""
    try:
        briefing = summarize(cluster, options)
    except InputError as err:
        assert err.message
        event("InputError")
        return
    event("briefing")
    assert_cited(briefing, len(cluster))


@pytest.fixture(scope="module")
def through_a_model(tiny_model) -> SummaryOptions:
    """Options that run the tiny random BART (tests/helpers/tiny_models.py), loaded here, not in a
    timed example: its output is noise, so attribution drops it and the extractive engine answers."""
    options = SummaryOptions(engine="abstractive", model=tiny_model, profile="fast", max_words=60)
    summarize(WARM_UP, options)
    return options


@THROUGH_A_MODEL
@given(cluster=st.lists(articles(), min_size=1, max_size=4))
def test_any_text_through_a_model_ends_in_a_cited_briefing_or_an_input_error(through_a_model, cluster):
    assert_briefing_or_input_error(cluster, through_a_model)


# Prose as the segmenter takes it: sentences of at least four words in lower case (and a
# capitalised first word), each in one script, ended by a full stop.
prose_sentences = (
    st.sampled_from(list(SCRIPTS.values()))
    .flatmap(
        lambda letters: st.lists(st.text(alphabet=letters.lower(), min_size=2, max_size=10), min_size=4, max_size=15)
    )
    .map(lambda words: " ".join([words[0].capitalize(), *words[1:]]) + ".")
)


@settings(BOUNDED, max_examples=60)
@given(texts=st.lists(st.lists(prose_sentences, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=5))
def test_prose_in_any_script_gets_a_cited_briefing(extractive, texts):
    """Sentences in any script are kept: never "no complete sentences to summarise"."""
    cluster = [Article(id=f"a{i}", title="", text=text) for i, text in enumerate(texts)]
    assert_cited(summarize(cluster, extractive), len(cluster))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
ARTICLE_KEYS = ["id", "title", "text", "html", "url", "source", "published", "content_type"]
# Objects with the article's keys, holding strings more often than not; some with a body for sure.
article_like = st.fixed_dictionaries({}, optional={key: st.text() | json_values for key in ARTICLE_KEYS})
with_a_body = st.sampled_from(["text", "html"]).flatmap(
    lambda body: st.fixed_dictionaries(
        {body: st.text(min_size=1)}, optional={key: st.text() | json_values for key in ARTICLE_KEYS if key != body}
    )
)


@settings(BOUNDED, max_examples=300)
@given(st.one_of(json_values, article_like, with_a_body))
def test_any_json_value_is_an_article_or_an_input_error(value):
    value = json.loads(json.dumps(value))  # what a JSON parser hands over
    try:
        article = article_from_dict(value, "article-1", "articles[0]")
    except InputError as err:
        assert err.message
        event("InputError")
        return
    event("article")
    assert isinstance(article, Article)
    for name in ("id", "title", "text", "content_type"):
        assert isinstance(getattr(article, name), str)
    assert article.text.strip()
    assert article.content_type in ("text", "html")
    for name in ("url", "source", "published"):
        assert getattr(article, name) is None or isinstance(getattr(article, name), str)
