"""Tiny randomly initialised seq2seq models for tests, saved like real checkpoints.

No weights can be downloaded where the tests run, so the real loading code
(`AutoTokenizer` / `AutoModelForSeq2SeqLM.from_pretrained(folder)`) is exercised
on models built here: a word-level tokenizer trained on a few sentences and a
one-layer BART or T5 with random weights. Their output is noise, which is
exactly what the attribution guard must catch.
"""

from __future__ import annotations

from pathlib import Path

TRAINING_TEXT = [
    "Russian President Vladimir Putin will visit North Korea on June 18 and 19.",
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security.",
    "Floods killed 12 people in the northern province on Monday, officials said.",
    "The Kremlin said the two leaders would sign a partnership agreement.",
    "summarize: Summarize the following news reports about one event in a short briefing.",
]


def _tokenizer(family: str):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if family == "t5":
        specials = {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
    else:
        specials = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
    backend = Tokenizer(models.WordLevel(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.WordLevelTrainer(special_tokens=["<pad>", "</s>", "<unk>", "<s>"])
    backend.train_from_iterator(TRAINING_TEXT, trainer)
    if family == "t5":
        backend.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    else:
        backend.post_processor = processors.TemplateProcessing(
            single="<s> $A </s>", special_tokens=[("<s>", 3), ("</s>", 1)]
        )
    return PreTrainedTokenizerFast(tokenizer_object=backend, model_max_length=256, **specials)


def build_tiny_model(family: str, directory: Path, seed: int = 0) -> Path:
    """Save a tiny random `family` ("bart" or "t5") model and its tokenizer to `directory`."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, BartConfig, T5Config

    tokenizer = _tokenizer(family)
    vocab = len(tokenizer)
    if family == "t5":
        config = T5Config(
            vocab_size=vocab,
            d_model=16,
            d_kv=8,
            d_ff=32,
            num_layers=1,
            num_decoder_layers=1,
            num_heads=2,
            pad_token_id=0,
            eos_token_id=1,
            decoder_start_token_id=0,
        )
    elif family == "bart":
        config = BartConfig(
            vocab_size=vocab,
            d_model=16,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            max_position_embeddings=256,
            pad_token_id=0,
            eos_token_id=1,
            bos_token_id=3,
            decoder_start_token_id=1,
            forced_eos_token_id=1,
        )
    else:
        raise ValueError(f"no tiny model for family {family!r}")
    torch.manual_seed(seed)
    model = AutoModelForSeq2SeqLM.from_config(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


# (min_new_tokens, max_new_tokens, no_repeat_ngram_size) that our decoding loops are compared with
# model.generate at.
DECODING_LIMITS = [
    (12, 12, 3),  # forced length: EOS held back, then forced at the last step
    (0, 40, 3),
    (5, 30, 0),
    (3, 25, 1),
    (0, 60, 2),
    (1, 1, 3),
]


def assert_generator_writes(generator, text: str, profile: str, expected, *, low: int, high: int, ngram: int) -> None:
    """`generator.generate` of `text` with `profile` writes the token ids `expected` (decoder start
    first), as model.generate wrote them with the same limits."""
    from summarizer.options import PROFILES

    result = generator.generate(
        text,
        max_words=10,
        profile=PROFILES[profile],
        min_new_tokens=low,
        max_new_tokens=high,
        no_repeat_ngram_size=ngram,
    )
    assert result.text == generator.tokenizer.decode(expected, skip_special_tokens=True).strip()
    assert result.new_tokens == len(expected) - 1


def encoder_states(generator, texts: list[str]) -> list:
    """The generator's encoder output for each text, tokenised alone (no padding)."""
    import torch

    with torch.inference_mode():
        encoder = generator.model.get_encoder()
        return [encoder(**generator.tokenizer(text, return_tensors="pt")).last_hidden_state for text in texts]


def assert_in_step_as_alone(decode_one, decode_many, generator, states: list, rules: list) -> None:
    """Decoding the inputs in step (`decode_many`) writes for each what it gets alone
    (`decode_one`), and the inputs ended at different steps (so some dropped out of the batch)."""
    import torch

    with torch.inference_mode():
        alone = [decode_one(generator.decoder_step, s, r) for s, r in zip(states, rules, strict=True)]
        together = decode_many(generator.decoder_step, states, rules)
    assert together == alone
    assert len({len(ids) for ids in alone}) > 1
