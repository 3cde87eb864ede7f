"""The CPU speed paths of generation/ (our greedy and beam search, their backend) on tiny random models: same beams and same
greedy tokens as transformers, int8 close to fp32, threads from the environment, and profiles
that reach the model: its input budget, quantisation and beams."""

import math
import shutil

import pytest
import torch
from helpers.fakes import FakeGenerator
from helpers.paths import SEEDS
from helpers.tiny_models import (
    DECODING_LIMITS,
    assert_generator_writes,
    assert_in_step_as_alone,
    build_tiny_model,
    encoder_states,
)

from benchmarks.numerics import compare_first_steps, decoder_logits, reference_tokens
from summarizer import SummaryOptions, summarize
from summarizer.cli import main
from summarizer.generation.backends import Int8BartSearch, TransformersGenerate
from summarizer.generation.bart_decoder_step import int8_bart_decoder_step
from summarizer.generation.greedy_search import RepeatedNgrams, greedy_ids, greedy_ids_many
from summarizer.generation.loading import Seq2SeqGenerator, configure_torch_threads
from summarizer.generation.shared_cross_attention import SHARED_KV_ATTENTION, shared_kv_sdpa
from summarizer.inputs import read_articles
from summarizer.options import PROFILES
from summarizer.settings import GenerationSettings

TEXT = (
    "Russian President Vladimir Putin will visit North Korea on June 18 and 19 . "
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security . "
    "The Kremlin said the two leaders would sign a partnership agreement ."
)


@pytest.fixture
def restore_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


class RecordingGenerator(FakeGenerator):
    """Also remembers the decoding settings it was asked for."""

    def generate(self, model_input, **decoding):
        self.decoding = decoding
        return super().generate(model_input, **decoding)


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_profile_sets_the_input_budget_and_reaches_the_model(name):
    articles, _ = read_articles([SEEDS])
    model = RecordingGenerator("Putin will visit North Korea.", max_input_tokens=1024)
    briefing = summarize(articles, SummaryOptions(engine="abstractive", profile=name), generator=model)
    profile = PROFILES[name]
    assert model.decoding["profile"] == profile
    stats = briefing.stats
    # fast: its own 384 tokens; default: 7/8 of the model's window; exact: the whole window.
    assert stats.budget_tokens == {"default": 896, "fast": 384, "exact": 1024}[name]
    # The seeds are longer than any budget, so it binds: the input is cut to it.
    assert stats.left_out.facts > 0
    assert 0.8 * stats.budget_tokens < stats.model_input_tokens <= stats.budget_tokens


def test_a_profile_budget_follows_the_models_window():
    default, fast, exact = PROFILES["default"], PROFILES["fast"], PROFILES["exact"]
    assert [default.budget_for(w) for w in (512, 1024, 16384)] == [448, 896, 14336]
    assert [fast.budget_for(w) for w in (256, 1024, 16384)] == [256, 384, 384]
    assert [exact.budget_for(w) for w in (512, 16384)] == [512, 16384]


def is_int8(model) -> bool:
    return any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in model.modules())


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_profile_decides_quantisation_and_beams(tiny_models, name, monkeypatch):
    from transformers import GenerationMixin

    calls = []
    generate, greedy, beams = GenerationMixin.generate, Int8BartSearch.greedy, Int8BartSearch.beams

    def spy_generate(model, *args, **kwargs):
        calls.append(("generate", kwargs["num_beams"], is_int8(model)))
        return generate(model, *args, **kwargs)

    def spy_greedy(backend, *args, **kwargs):
        calls.append(("our greedy loop", 1, is_int8(backend.model)))
        return greedy(backend, *args, **kwargs)

    def spy_beams(backend, *args, **kwargs):
        calls.append(("our beam search", kwargs["num_beams"], is_int8(backend.model)))
        return beams(backend, *args, **kwargs)

    monkeypatch.setattr(GenerationMixin, "generate", spy_generate)
    monkeypatch.setattr(Int8BartSearch, "greedy", spy_greedy)
    monkeypatch.setattr(Int8BartSearch, "beams", spy_beams)
    articles, _ = read_articles([SEEDS])
    summarize(articles, SummaryOptions(engine="abstractive", model=tiny_models["bart"], profile=name))
    profile = PROFILES[name]
    # Decoding an int8 BART model runs our own loops; everything else runs generate().
    path = ("our greedy loop" if profile.num_beams == 1 else "our beam search") if profile.quantize else "generate"
    assert calls == [(path, profile.num_beams, profile.quantize)]


def test_a_thread_count_is_applied_as_given(restore_threads, monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_TORCH_THREADS", "3")  # the caller's Settings read it, not the model code
    torch.set_num_threads(2)
    assert configure_torch_threads(None) == 2 == torch.get_num_threads()  # None: left as it is
    assert configure_torch_threads(1) == 1 == torch.get_num_threads()


def test_settings_given_to_the_generator_win_over_the_environment(restore_threads, monkeypatch, tiny_models):
    monkeypatch.setenv("NEWSBRIEF_TORCH_THREADS", "3")
    torch.set_num_threads(2)
    generator = Seq2SeqGenerator(tiny_models["t5"], settings=GenerationSettings(torch_threads=1))
    assert generator.threads == 1 == torch.get_num_threads()
    # Given none, it leaves the count as it is: a generator that read the environment would make it 3.
    torch.set_num_threads(2)
    assert Seq2SeqGenerator(tiny_models["t5"]).threads == 2 == torch.get_num_threads()


def test_the_command_line_gives_its_thread_setting_to_the_model(restore_threads, monkeypatch, tiny_models, tmp_path):
    # A copy: a model this process has not loaded yet, so that the loading code runs.
    model = str(shutil.copytree(tiny_models["bart"], tmp_path / "model"))
    torch.set_num_threads(2)
    monkeypatch.setenv("NEWSBRIEF_TORCH_THREADS", "1")
    assert main(["summarize", str(SEEDS), "--engine", "abstractive", "--model", model, "--profile", "exact"]) == 0
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_beam_search_over_one_shared_copy_writes_what_transformers_writes(tiny_models, family, monkeypatch):
    from transformers import AutoModelForSeq2SeqLM
    from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS

    generator = Seq2SeqGenerator(tiny_models[family])
    assert generator.shares_beam_rows
    folded = []
    attention = ALL_ATTENTION_FUNCTIONS[SHARED_KV_ATTENTION]

    def spy(module, query, key, *args, **kwargs):
        folded.append(query.shape[0] > 1 and key.stride(0) == 0)
        return attention(module, query, key, *args, **kwargs)

    monkeypatch.setitem(ALL_ATTENTION_FUNCTIONS, SHARED_KV_ATTENTION, spy)
    reference = AutoModelForSeq2SeqLM.from_pretrained(tiny_models[family]).eval()
    text = generator.template.render([[TEXT]])
    encoded = generator.tokenizer(text, return_tensors="pt")
    with torch.inference_mode():
        expected = reference.generate(
            **encoded, num_beams=4, early_stopping=True, no_repeat_ngram_size=3, min_new_tokens=12, max_new_tokens=12
        )
    result = generator.generate(text, max_words=10, profile=PROFILES["exact"], min_new_tokens=12, max_new_tokens=12)
    assert result.text == generator.tokenizer.decode(expected[0], skip_special_tokens=True).strip()
    assert result.new_tokens == expected.shape[1] - 1
    assert any(folded)  # the beams really read one shared copy


@pytest.mark.parametrize("with_mask", [False, True])
def test_folded_attention_equals_attention_per_beam(with_mask):
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    class Module(torch.nn.Module):
        is_causal = False

    torch.manual_seed(0)
    beams, heads, length, dim = 4, 2, 9, 8
    query = torch.randn(beams, heads, 1, dim)
    key = torch.randn(1, heads, length, dim).expand(beams, -1, -1, -1)  # one stored copy, stride 0
    value = torch.randn(1, heads, length, dim).expand(beams, -1, -1, -1)
    mask = torch.ones(beams, 1, 1, length, dtype=torch.bool)
    mask[:, :, :, -2:] = False  # padding at the end of the input
    mask = mask if with_mask else None
    folded, _ = shared_kv_sdpa(Module(), query, key, value, mask, scaling=dim**-0.5)
    expected, _ = sdpa_attention_forward(Module(), query, key.contiguous(), value.contiguous(), mask, scaling=dim**-0.5)
    assert folded.shape == expected.shape == (beams, 1, heads, dim)
    torch.testing.assert_close(folded, expected)


def test_int8_keeps_the_first_steps_logits_close(tiny_models, tmp_path):
    from transformers import AutoModelForSeq2SeqLM

    reference = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["bart"]).eval()
    int8 = Seq2SeqGenerator(tiny_models["bart"], quantize=True)
    assert any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in int8.model.modules())
    encoded = int8.tokenizer(TEXT, return_tensors="pt")
    ids, mask = encoded["input_ids"], encoded["attention_mask"]
    tokens = reference_tokens(reference, ids, mask, 6)
    greedy = compare_first_steps(reference, int8.model, ids, mask, name="int8", steps=6, tokens=tokens)
    beam = compare_first_steps(
        reference, int8.model, ids, mask, name="int8 beams", beams=4, tokens=tokens, cache=int8.beam_cache()
    )
    for comparison in (greedy, beam):
        assert comparison.relative_diff < 0.1
        assert comparison.top1_agreement >= 0.8
    # The check itself is sensitive: the fp32 model against itself is exact, other weights are not.
    assert compare_first_steps(reference, reference, ids, mask, name="same", tokens=tokens).max_abs_diff == 0
    other = AutoModelForSeq2SeqLM.from_pretrained(build_tiny_model("bart", tmp_path / "other", seed=1)).eval()
    assert compare_first_steps(reference, other, ids, mask, name="other", tokens=tokens).relative_diff > 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_our_greedy_loop_writes_what_generate_writes(tiny_models, tmp_path, seed, monkeypatch):
    from summarizer.generation import greedy_search

    folder = tiny_models["bart"] if seed == 0 else str(build_tiny_model("bart", tmp_path / "bart", seed=seed))
    generator = Seq2SeqGenerator(folder, quantize=True)
    assert generator.decoder_step is not None
    steps = []
    monkeypatch.setattr(greedy_search, "greedy_ids_many", lambda *args: steps.append(1) or greedy_ids_many(*args))
    encoded = generator.tokenizer(TEXT, return_tensors="pt")
    for low, high, ngram in DECODING_LIMITS:
        with torch.inference_mode():
            expected = generator.model.generate(
                **encoded, num_beams=1, min_new_tokens=low, max_new_tokens=high, no_repeat_ngram_size=ngram
            )[0]
        assert_generator_writes(generator, TEXT, "fast", expected, low=low, high=high, ngram=ngram)
    assert len(steps) == len(DECODING_LIMITS)  # every one of them ran our loop, not generate


def test_our_decoder_step_gives_the_models_logits_bit_for_bit(tiny_models):
    generator = Seq2SeqGenerator(tiny_models["bart"], quantize=True)
    model, step = generator.model, generator.decoder_step
    encoded = generator.tokenizer(TEXT, return_tensors="pt")
    tokens = [model.generation_config.decoder_start_token_id, *encoded["input_ids"][0, 1:20].tolist()]
    expected = decoder_logits(model, encoded["input_ids"], encoded["attention_mask"], tokens)[:, 0]
    with torch.inference_mode():
        keys_values = step.start(model.get_encoder()(**encoded).last_hidden_state, max_tokens=len(tokens))
        got = torch.stack([step(token, position, keys_values) for position, token in enumerate(tokens)])
    assert torch.equal(got, expected)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_repeated_ngrams_ban_what_transformers_bans(n):
    from transformers import NoRepeatNGramLogitsProcessor

    generator = torch.Generator().manual_seed(n)
    ids = torch.randint(0, 6, (40,), generator=generator).tolist()  # a small vocabulary: many repeats
    repeated = RepeatedNgrams(n)
    for length in range(1, len(ids) + 1):
        repeated.add_last(ids[:length])
        scores = NoRepeatNGramLogitsProcessor(n)(torch.tensor([ids[:length]]), torch.zeros(1, 6))
        assert repeated.banned(ids[:length]) == set(torch.nonzero(scores[0] == -math.inf).flatten().tolist())


def test_a_backend_runs_prepare_forward_postprocess_and_only_forward_holds_the_model(tiny_models):
    generator = Seq2SeqGenerator(tiny_models["bart"], quantize=True)
    ours = generator.generate(TEXT, max_words=10, profile=PROFILES["fast"])
    steps = []

    class Recording(TransformersGenerate):
        """transformers' generate() as another engine would stand beside ours: steps recorded."""

        def prepare(self, *args):
            steps.append(("prepare", generator._lock.locked()))
            return super().prepare(*args)

        def forward(self, *args):
            steps.append(("forward", generator._lock.locked()))
            return super().forward(*args)

        def postprocess(self, *args):
            steps.append(("postprocess", generator._lock.locked()))
            return super().postprocess(*args)

    assert isinstance(generator.backend, Int8BartSearch)
    generator.backend = Recording(
        generator.model, generator.tokenizer, global_attention_first_token=False, shares_beam_rows=True
    )
    assert generator.generate(TEXT, max_words=10, profile=PROFILES["fast"]) == ours
    assert steps == [("prepare", False), ("forward", True), ("postprocess", False)]


def test_other_models_keep_generate(tiny_models, tmp_path):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, GenerationConfig

    assert (
        Seq2SeqGenerator(tiny_models["bart"], quantize=False).decoder_step is None
    )  # fp32: not what the step computes
    assert Seq2SeqGenerator(tiny_models["t5"], quantize=True).decoder_step is None
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_models["bart"])
    model.generation_config = GenerationConfig.from_dict(
        {**model.generation_config.to_dict(), "repetition_penalty": 1.2}
    )
    model.save_pretrained(tmp_path / "penalised")
    AutoTokenizer.from_pretrained(tiny_models["bart"]).save_pretrained(tmp_path / "penalised")
    assert Seq2SeqGenerator(str(tmp_path / "penalised"), quantize=True).decoder_step is None
    assert int8_bart_decoder_step(Seq2SeqGenerator(tiny_models["bart"], quantize=True).model) is not None


OTHER_TEXTS = [
    TEXT,
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security .",
    "Floods killed 12 people in the northern province on Monday , officials said . " * 3,
    "The Kremlin said the two leaders would sign a partnership agreement .",
]


@pytest.mark.parametrize("seed", [0, 1])
def test_inputs_decoded_in_step_get_the_tokens_they_get_alone(tiny_models, tmp_path, seed):
    """greedy_ids_many against greedy_ids one input at a time: inputs of different lengths, rules
    that end them at different steps (an input that stops early drops out of the batch)."""
    from summarizer.generation.greedy_search import GreedyRules

    folder = tiny_models["bart"] if seed == 0 else str(build_tiny_model("bart", tmp_path / "bart", seed=seed))
    generator = Seq2SeqGenerator(folder, quantize=True)
    config = generator.model.generation_config
    rules = [
        GreedyRules.of(config, min_new_tokens=low, max_new_tokens=high, no_repeat_ngram_size=n)
        for low, high, n in DECODING_LIMITS[:4]
    ]
    assert_in_step_as_alone(greedy_ids, greedy_ids_many, generator, encoder_states(generator, OTHER_TEXTS), rules)


@pytest.mark.parametrize("profile", ["fast", "default", "exact"])
def test_generate_many_writes_what_generate_writes_for_each(tiny_models, profile):
    generator = Seq2SeqGenerator(tiny_models["bart"], quantize=PROFILES[profile].quantize)
    limits = {"max_words": 10, "profile": PROFILES[profile], "min_new_tokens": 3, "max_new_tokens": 20}
    expected = [generator.generate(text, **limits) for text in OTHER_TEXTS]
    assert generator.generate_many(OTHER_TEXTS, **limits) == expected
