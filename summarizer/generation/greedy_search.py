"""Greedy search (the fast profile) on an int8 BART model's decoder step (bart_decoder_step.py),
for one input or several at once, in step (`greedy_ids_many`: each step reads the weights once for
every input still writing). `_next_token` applies what generate()'s logits processors do for the
settings we pass; the tests compare the tokens with model.generate's greedy search.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .bart_decoder_step import BartDecoderStep

# Generation settings that `_next_token` reproduces; a model whose generation config sets anything
# else (repetition penalty, suppressed tokens, sampling, ...) is decoded by model.generate.
GREEDY_CONFIG_KEYS = frozenset(
    {
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
        "decoder_start_token_id",
        "forced_bos_token_id",
        "forced_eos_token_id",
        "max_length",
        "min_length",
        "no_repeat_ngram_size",
        "num_beams",
        "early_stopping",
        "length_penalty",  # beam search only
        "use_cache",
        "output_attentions",
        "output_hidden_states",
        "_from_model_config",
        "transformers_version",
    }
)


@dataclass(frozen=True)
class GreedyRules:
    """What generate()'s greedy search and logits processors do for our calls (max_new_tokens,
    min_new_tokens and no_repeat_ngram_size always given), from the model's generation config."""

    start: int
    eos: frozenset[int]
    forced_bos: int | None
    forced_eos: int | None
    min_new_tokens: int
    max_new_tokens: int
    no_repeat_ngram_size: int

    @classmethod
    def of(
        cls, generation_config, *, min_new_tokens: int, max_new_tokens: int, no_repeat_ngram_size: int
    ) -> GreedyRules:
        eos = generation_config.eos_token_id
        return cls(
            start=generation_config.decoder_start_token_id,
            eos=frozenset([eos] if isinstance(eos, int) else eos or ()),
            forced_bos=generation_config.forced_bos_token_id,
            forced_eos=generation_config.forced_eos_token_id,
            min_new_tokens=min_new_tokens,
            max_new_tokens=max_new_tokens,
            no_repeat_ngram_size=no_repeat_ngram_size,
        )

    @staticmethod
    def supported(generation_config) -> bool:
        forced = (generation_config.forced_bos_token_id, generation_config.forced_eos_token_id)
        return set(generation_config.to_diff_dict()) <= GREEDY_CONFIG_KEYS and all(
            token is None or isinstance(token, int) for token in forced
        )


class RepeatedNgrams:
    """The tokens that would repeat an n-gram of `ids` (NoRepeatNGramLogitsProcessor's rule), kept
    up to date as tokens are appended instead of rescanning the sequence every step."""

    def __init__(self, n: int):
        self.n = n
        self.followers: dict[tuple[int, ...], set[int]] = {}

    def add_last(self, ids: list[int]) -> None:
        if self.n and len(ids) >= self.n:
            self.followers.setdefault(tuple(ids[len(ids) - self.n : -1]), set()).add(ids[-1])

    def banned(self, ids: list[int]) -> set[int]:
        if not self.n or len(ids) < self.n - 1:
            return set()
        return self.followers.get(tuple(ids[len(ids) - self.n + 1 :]), set())


def _next_token(logits: torch.Tensor, ids: list[int], rules: GreedyRules, repeated: RepeatedNgrams) -> int:
    """generate()'s choice: forced EOS at the last step and forced BOS at the first win over
    everything (their processors run last); otherwise the argmax over the tokens not banned by
    no_repeat_ngram_size, nor EOS before min_new_tokens."""
    if rules.forced_eos is not None and len(ids) == rules.max_new_tokens:
        return rules.forced_eos
    if rules.forced_bos is not None and len(ids) == 1:
        return rules.forced_bos
    banned = set(repeated.banned(ids))
    if len(ids) - 1 < rules.min_new_tokens:
        banned |= rules.eos
    if banned:
        logits[sorted(banned)] = -math.inf
    return int(logits.argmax())


def greedy_ids(step: BartDecoderStep, encoder_states: torch.Tensor, rules: GreedyRules) -> list[int]:
    """Token ids (decoder start first) that model.generate(num_beams=1) writes for one input."""
    return greedy_ids_many(step, [encoder_states], [rules])[0]


def greedy_ids_many(
    step: BartDecoderStep, encoder_states: Sequence[torch.Tensor], rules: Sequence[GreedyRules]
) -> list[list[int]]:
    """`greedy_ids` of each input (its encoder states and rules), decoded in step: each step reads
    the weights once for every input still writing; an input that ends drops out."""
    kvs = [step.start(states, max_tokens=r.max_new_tokens) for states, r in zip(encoder_states, rules, strict=True)]
    ids = [[r.start] for r in rules]
    repeated = [RepeatedNgrams(r.no_repeat_ngram_size) for r in rules]
    for row, seen in zip(ids, repeated, strict=True):
        seen.add_last(row)  # the start token counts too (for n = 1 it is banned from then on)
    writing = [i for i, r in enumerate(rules) if r.max_new_tokens > 0]
    while writing:
        logits = step.rows(
            [ids[i][-1:] for i in writing], [len(ids[i]) - 1 for i in writing], [kvs[i] for i in writing]
        )
        for i, (row_logits,) in zip(writing, logits, strict=True):
            ids[i].append(_next_token(row_logits, ids[i], rules[i], repeated[i]))
            repeated[i].add_last(ids[i])
        writing = [i for i in writing if ids[i][-1] not in rules[i].eos and len(ids[i]) <= rules[i].max_new_tokens]
    return ids
