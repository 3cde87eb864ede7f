"""The real loading and generation code, on tiny random models built by the tests."""

import math

import pytest
from helpers.paths import SEEDS

from summarizer import SummaryOptions, summarize
from summarizer.generation.loading import load_generator
from summarizer.inputs import read_articles


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_loads_from_a_folder_with_family_template_and_input_limit(tiny_models, family):
    generator = load_generator(tiny_models[family])
    assert generator.template.family == family
    assert generator.max_input_tokens == 256
    assert generator.counter.count("Putin will visit North Korea") == len(
        generator.tokenizer("Putin will visit North Korea")["input_ids"]
    )
    assert load_generator(tiny_models[family]) is generator  # loaded once per process


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_budget_is_fitted_with_the_real_tokenizer(tiny_models, family):
    articles, _ = read_articles([SEEDS])
    briefing = summarize(
        articles,
        SummaryOptions(engine="abstractive", model=tiny_models[family], budget_tokens=64, keep_unsupported=True),
    )
    tokenizer = load_generator(tiny_models[family], quantize=True).tokenizer
    assert briefing.stats.token_counter == tiny_models[family]
    assert briefing.stats.model_input_tokens == len(tokenizer(briefing.model_input)["input_ids"]) <= 64
    assert briefing.stats.left_out.facts > 0
    if family == "t5":
        assert briefing.model_input.startswith("summarize: ")


class RecordingGenerator:
    """The real generator, keeping what it wrote."""

    def __init__(self, inner):
        self.inner = inner
        self.written: list = []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, model_input, **kwargs):
        result = self.inner.generate(model_input, **kwargs)
        self.written.append(result)
        return result

    def generate_many(self, model_inputs, **kwargs):
        results = self.inner.generate_many(model_inputs, **kwargs)
        self.written.extend(results)
        return results


def test_generate_runs_and_the_attribution_guard_drops_noise(tiny_models):
    articles, _ = read_articles([SEEDS])
    generator = RecordingGenerator(load_generator(tiny_models["bart"], quantize=True))
    briefing = summarize(
        articles,
        SummaryOptions(engine="abstractive", model=tiny_models["bart"], profile="fast"),
        generator=generator,
    )
    # A random model writes word salad: nothing in it is supported, so it is dropped (as
    # unsupported, or contradicted where its words mix up the sources' figures) and the
    # extractive engine answers instead, saying why.
    assert briefing.stats.dropped_unsupported + briefing.stats.dropped_contradicted >= 1
    assert briefing.engine == "extractive"
    assert any("no supported sentence" in w for w in briefing.warnings)
    assert all(s.supported and s.citations for s in briefing.sentences)
    # The model did write, and none of what it wrote is in the briefing.
    [written] = generator.written
    assert written.new_tokens > 0 and written.text.strip()
    assert written.text.strip() not in briefing.text


def test_generation_respects_the_new_token_limits(tiny_models):
    from summarizer.options import PROFILES

    generator = load_generator(tiny_models["t5"])
    result = generator.generate(
        "summarize: Putin will visit North Korea on June 18 .",
        max_words=10,
        profile=PROFILES["fast"],
        min_new_tokens=5,
        max_new_tokens=5,
    )
    assert result.new_tokens == 5
    assert result.text


@pytest.mark.parametrize("max_words", [2, 20])
def test_max_words_sets_the_new_token_limits(tiny_models, max_words):
    from summarizer.generation.loading import TOKENS_PER_WORD
    from summarizer.options import PROFILES

    generator = load_generator(tiny_models["t5"])
    result = generator.generate(
        "summarize: Putin will visit North Korea on June 18 .", max_words=max_words, profile=PROFILES["fast"]
    )
    # About TOKENS_PER_WORD tokens a word at most, and at least half that: for 2 words 1 to 3
    # tokens, for 20 words 14 to 28, ranges apart, so the count shows which limit applied.
    most = math.ceil(max_words * TOKENS_PER_WORD)
    assert most // 2 <= result.new_tokens <= most
