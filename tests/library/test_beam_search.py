"""Our beam search for int8 BART models (summarizer/generation/beam_search.py) against
transformers' own on tiny random models: the same logits step by step, the same tokens, and the
same tokens for inputs decoded in step as for each alone."""

import pytest
import torch
from helpers.tiny_models import (
    DECODING_LIMITS,
    assert_generator_writes,
    assert_in_step_as_alone,
    build_tiny_model,
    encoder_states,
)

from benchmarks.numerics import decoder_logits
from summarizer.generation import beam_search
from summarizer.generation.beam_search import BeamRules, banned_ngram_followers, beam_ids, beam_ids_many
from summarizer.generation.loading import Seq2SeqGenerator

TEXTS = [
    "Russian President Vladimir Putin will visit North Korea on June 18 and 19 . "
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security . "
    "The Kremlin said the two leaders would sign a partnership agreement .",
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security .",
    "Floods killed 12 people in the northern province on Monday , officials said . " * 3,
]


def int8_generator(tiny_models, tmp_path, seed: int, eos_bias: float = 0.0) -> Seq2SeqGenerator:
    """The tiny BART of `seed`, int8; `eos_bias` added to EOS's logit makes hypotheses end early
    and at different steps (random weights rarely pick EOS), so finished hypotheses compete."""
    folder = tiny_models["bart"] if seed == 0 else str(build_tiny_model("bart", tmp_path / f"bart{seed}", seed=seed))
    generator = Seq2SeqGenerator(folder, quantize=True)
    assert generator.decoder_step is not None
    eos = generator.model.generation_config.eos_token_id
    with torch.no_grad():
        generator.model.final_logits_bias[0, eos] += eos_bias  # the step reads the same tensor
    return generator


def generate_ids(generator, text, low, high, ngram) -> list[int]:
    """transformers' beam search on our beam cache, as the default profile ran it before our loop."""
    encoded = generator.tokenizer(text, return_tensors="pt")
    with torch.inference_mode():
        return generator.model.generate(
            **encoded,
            num_beams=4,
            early_stopping=True,
            min_new_tokens=low,
            max_new_tokens=high,
            no_repeat_ngram_size=ngram,
            cache=generator.beam_cache(),
        )[0].tolist()


@pytest.mark.parametrize(
    ("seed", "eos_bias", "length_penalty", "forced_bos"),
    [(0, 0.0, None, None), (1, 0.1, 2.0, None), (2, 0.1, 1.0, 5), (3, 0.25, 2.0, None)],
)
def test_our_beam_search_writes_what_generate_writes(
    tiny_models, tmp_path, seed, eos_bias, length_penalty, forced_bos, monkeypatch
):
    generator = int8_generator(tiny_models, tmp_path, seed, eos_bias)
    config = generator.model.generation_config
    config.length_penalty, config.forced_bos_token_id = length_penalty, forced_bos
    searches = []
    monkeypatch.setattr(beam_search, "beam_ids_many", lambda *args: searches.append(1) or beam_ids_many(*args))
    new_tokens = []
    for text in TEXTS:
        for low, high, ngram in DECODING_LIMITS:
            expected = generate_ids(generator, text, low, high, ngram)
            assert_generator_writes(generator, text, "default", expected, low=low, high=high, ngram=ngram)
            if forced_bos is not None and high > 1:  # at max_new_tokens 1 forced EOS wins
                assert expected[1] == forced_bos
            new_tokens.append((len(expected) - 1, high))
    assert len(searches) == len(TEXTS) * len(DECODING_LIMITS)  # every one of them ran our loop, not generate
    if eos_bias:  # the searches ended early too, by early stopping, not only at max_new_tokens
        assert any(1 < n < high for n, high in new_tokens)


def test_our_step_gives_transformers_beam_logits_bit_for_bit(tiny_models, tmp_path):
    """Four beams fed the same tokens, as decoder_logits feeds transformers' int8 model through our
    beam cache (one call per step for all beams, the shared cross-attention copy from step 2 on)."""
    generator = int8_generator(tiny_models, tmp_path, 0)
    model, step = generator.model, generator.decoder_step
    encoded = generator.tokenizer(TEXTS[0], return_tensors="pt")
    tokens = [model.generation_config.decoder_start_token_id, *encoded["input_ids"][0, 1:20].tolist()]
    expected = decoder_logits(model, encoded["input_ids"], encoded["attention_mask"], tokens, 4, generator.beam_cache())
    with torch.inference_mode():
        keys_values = step.start(model.get_encoder()(**encoded).last_hidden_state, max_tokens=len(tokens), rows=4)
        got = torch.stack(
            [step.rows([[token] * 4], [position], [keys_values])[0] for position, token in enumerate(tokens)]
        )
    assert got.shape == expected.shape == (len(tokens), 4, model.config.vocab_size)
    assert torch.equal(got, expected)


@pytest.mark.parametrize(
    "sources",
    [[2, 1, 2, 0], [0, 0, 1, 2], [1, 0, 3, 2], [1, 2, 3, 0], [3, 3, 3, 3], [0, 1, 2, 3]],
    ids=["continue-and-drop", "chain", "two-swaps", "rotation", "all-one", "unchanged"],
)
def test_reordering_keys_and_values_copies_the_rows_beam_search_keeps(tiny_models, sources):
    generator = Seq2SeqGenerator(tiny_models["bart"], quantize=True)
    with torch.inference_mode():
        states = torch.randn(1, 7, generator.model.config.d_model)
        kv = generator.decoder_step.start(states, max_tokens=6, rows=4)
        kv.own.copy_(torch.randn(kv.own.shape))
        before = kv.own.clone()
        kv.reorder(sources, length=3)
    expected = before.clone()
    expected[:, :, :, :, :3] = before[sources, :, :, :, :3]
    assert torch.equal(kv.own, expected)
    # the per-layer views still see the buffer
    assert len(kv.own_keys) == kv.own.shape[1]
    assert torch.equal(kv.own_keys[-1], kv.own[:, -1, 0]) and torch.equal(kv.own_values[-1], kv.own[:, -1, 1])


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_banned_ngram_followers_are_what_transformers_bans(n):
    from transformers import NoRepeatNGramLogitsProcessor

    generator = torch.Generator().manual_seed(n)
    ids = torch.randint(0, 6, (30,), generator=generator).tolist()  # a small vocabulary: many repeats
    for length in range(1, len(ids) + 1):
        scores = torch.zeros(1, 6)
        if n:
            scores = NoRepeatNGramLogitsProcessor(n)(torch.tensor([ids[:length]]), scores)
        assert banned_ngram_followers(ids[:length], n) == set(torch.nonzero(scores[0] == -torch.inf).flatten().tolist())


@pytest.mark.parametrize("seed", [0, 1])
def test_inputs_searched_in_step_get_the_tokens_they_get_alone(tiny_models, tmp_path, seed):
    """beam_ids_many against beam_ids one input at a time: inputs of different lengths, rules that
    end their searches at different steps (an input that ends drops out of the step)."""
    generator = int8_generator(tiny_models, tmp_path, seed, eos_bias=0.1)
    config = generator.model.generation_config
    rules = [
        BeamRules.of_beams(
            config,
            num_beams=beams,
            early_stopping=True,
            min_new_tokens=low,
            max_new_tokens=high,
            no_repeat_ngram_size=n,
        )
        for (low, high, n), beams in zip(DECODING_LIMITS[:4], [4, 4, 2, 3], strict=True)
    ]
    texts = [*TEXTS, TEXTS[1] + " " + TEXTS[2]]
    assert_in_step_as_alone(beam_ids, beam_ids_many, generator, encoder_states(generator, texts), rules)
