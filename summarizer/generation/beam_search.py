"""Beam search for an int8 BART model (the default profile) on our own decoder step, for one input
or several at once: the tokens model.generate(num_beams=...) writes, without its per-token overhead.

transformers' beam search spent ~2.4x the bandwidth floor per token on 2 cores (benchmarks/
latency.py), against ~1.0x for our greedy loop: around the same int8 matrix products it builds
cache objects and masks, runs module calls and logits processors, and keeps its bookkeeping in
[batch, beams, max length] tensors that it gathers every step. Here:

- a step is `BartDecoderStep.rows` with one row per beam: an input's beams go through each int8
  matrix as one call, as transformers' beams of one input do (torch's dynamic int8 quantises a
  call's activations with one scale, so the call's rows must be the same to get the same logits),
  and attend to ONE copy of the input's cross-attention keys and values, as with our beam cache
  (shared_cross_attention.py); their own keys and values sit in a buffer per beam that is reordered
  (only the rows that change) when beams are dropped and continued;
- `BeamSearch` does what transformers' `_beam_search` does for batch size 1 (top 2 x beams
  continuations, finished hypotheses with the length penalty, early stopping and its heuristic),
  with the same float32 tensor arithmetic on the scores, so the same candidates win; the
  logits processors for our settings (min_new_tokens, no_repeat_ngram_size, forced BOS/EOS) run
  after log_softmax, in generate()'s order.

Several inputs (`beam_ids_many`) are decoded in step: each int8 matrix is applied to every input's
beams in turn before the next matrix, so it is read from memory once per step for all of them;
every input keeps its own call, so its tokens are those it gets alone. The tests compare the
tokens with model.generate's beam search on our beam cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .bart_decoder_step import BartDecoderStep
from .greedy_search import GreedyRules

# What transformers adds to a score to rule a candidate out.
RULED_OUT = -1.0e9


@dataclass(frozen=True)
class BeamRules(GreedyRules):
    """GreedyRules, and the beam settings generate() runs with for our calls."""

    num_beams: int
    length_penalty: float
    early_stopping: bool | str

    @classmethod
    def of_beams(
        cls,
        generation_config,
        *,
        num_beams: int,
        early_stopping: bool | str,
        min_new_tokens: int,
        max_new_tokens: int,
        no_repeat_ngram_size: int,
    ) -> BeamRules:
        greedy = GreedyRules.of(
            generation_config,
            min_new_tokens=min_new_tokens,
            max_new_tokens=max_new_tokens,
            no_repeat_ngram_size=no_repeat_ngram_size,
        )
        return cls(
            **vars(greedy),
            num_beams=num_beams,
            # Unset: generate()'s default, 1.0.
            length_penalty=1.0 if generation_config.length_penalty is None else float(generation_config.length_penalty),
            early_stopping=early_stopping,
        )


def banned_ngram_followers(ids: Sequence[int], n: int) -> set[int]:
    """The tokens that would repeat an n-gram of `ids` (NoRepeatNGramLogitsProcessor's rule)."""
    if not n or len(ids) < n - 1:
        return set()
    tail = list(ids[len(ids) - n + 1 :])
    return {ids[i + n - 1] for i in range(len(ids) - n + 1) if list(ids[i : i + n - 1]) == tail}


class BeamSearch:
    """transformers' `_beam_search` for one input (batch size 1), one step at a time. Tensors are
    1-D over beams or candidates where transformers' are [1, beams]; token sequences are lists."""

    def __init__(self, rules: BeamRules):
        self.rules = rules
        beams = rules.num_beams
        self.eos = torch.tensor(sorted(rules.eos), dtype=torch.long)
        self.max_length = 1 + rules.max_new_tokens  # the decoder start token, then the new tokens
        self.candidates = max(2, 1 + len(rules.eos)) * beams
        self.running = [[rules.start] for _ in range(beams)]
        # Only the first beam counts at first: the others would repeat its candidates.
        self.running_scores = torch.full((1, beams), RULED_OUT)
        self.running_scores[0, 0] = 0.0
        self.finished = [[rules.start] for _ in range(beams)]
        self.finished_scores = torch.full((1, beams), RULED_OUT)
        self.is_finished = torch.zeros((1, beams), dtype=torch.bool)
        self.can_improve = torch.ones((1, 1), dtype=torch.bool)
        self.top_beams = torch.arange(self.candidates) < beams
        self.length = 1
        self.done = rules.max_new_tokens <= 0

    def _process(self, log_probs: torch.Tensor) -> torch.Tensor:
        """generate()'s logits processors for our settings, in its order."""
        rules, length = self.rules, self.length
        if length - 1 < rules.min_new_tokens:  # MinLength and MinNewTokens: no EOS yet
            log_probs[:, self.eos] = -torch.inf
        for beam, ids in enumerate(self.running):
            banned = banned_ngram_followers(ids, rules.no_repeat_ngram_size)
            if banned:
                log_probs[beam, sorted(banned)] = -torch.inf
        if rules.forced_bos is not None and length == 1:
            log_probs = torch.full_like(log_probs, -torch.inf)
            log_probs[:, rules.forced_bos] = 0
        if rules.forced_eos is not None and length == self.max_length - 1:
            log_probs = torch.full_like(log_probs, -torch.inf)
            log_probs[:, rules.forced_eos] = 0
        return log_probs

    def advance(self, logits: torch.Tensor) -> list[int]:
        """Take the step's logits [beams, vocab]; return, for each beam that goes on, the beam it
        continues (the order to reorder the keys and values in). Sets `done` when the search ends."""
        rules, beams, length = self.rules, self.rules.num_beams, self.length
        log_probs = self._process(torch.nn.functional.log_softmax(logits.float(), dim=-1))
        accumulated = log_probs + self.running_scores[0, :, None]
        # transformers takes the top candidates over all beams' scores in one row; the top of each
        # beam's, then the top of those, are the same scores in the same order (2.5x faster: topk
        # over one long row is slow). Only among exactly equal scores could the order differ: the
        # ruled-out ones, or beams in the same state (the copies of the first before it branches).
        per_beam_scores, per_beam_tokens = torch.topk(accumulated, k=min(self.candidates, accumulated.shape[-1]))
        top_scores, top_indices = torch.topk(per_beam_scores.reshape(1, -1), k=self.candidates)
        sources = (top_indices // per_beam_scores.shape[-1])[0].tolist()
        tokens = per_beam_tokens.reshape(-1)[top_indices[0]].tolist()
        continued = [self.running[source] + [token] for source, token in zip(sources, tokens, strict=True)]
        ends = torch.tensor(
            [[token in rules.eos or length + 1 >= self.max_length for token in tokens]], dtype=torch.bool
        )

        # The best `beams` candidates that did not end go on.
        running_scores = top_scores + ends.to(torch.float32) * RULED_OUT
        going_on = torch.topk(running_scores, k=beams)[1]
        self.running_scores = torch.take_along_dim(running_scores, going_on, dim=1)
        going_on_list = going_on[0].tolist()
        self.running = [continued[i] for i in going_on_list]

        # Those among the top `beams` that ended join the finished hypotheses if they beat one.
        just_finished = ends & self.top_beams[None, :]
        finished_scores = top_scores / ((length + 1 - 1) ** rules.length_penalty)
        all_full = torch.all(self.is_finished, dim=-1, keepdim=True) & (rules.early_stopping is True)
        finished_scores += all_full.to(torch.float32) * RULED_OUT
        finished_scores += (~self.can_improve).to(torch.float32) * RULED_OUT
        finished_scores += (~just_finished) * RULED_OUT
        merged_scores = torch.cat((self.finished_scores, finished_scores), dim=1)
        kept = torch.topk(merged_scores, k=beams)[1]
        merged = self.finished + continued
        merged_is_finished = torch.cat((self.is_finished, just_finished), dim=1)
        self.finished = [merged[i] for i in kept[0].tolist()]
        self.finished_scores = torch.take_along_dim(merged_scores, kept, dim=1)
        self.is_finished = torch.take_along_dim(merged_is_finished, kept, dim=1)

        self.length = length = length + 1
        if rules.early_stopping == "never" and rules.length_penalty > 0.0:
            best_length = self.max_length - 1
        else:
            best_length = length - 1
        best_running = self.running_scores[:, :1] / (best_length**rules.length_penalty)
        worst_finished = torch.where(
            self.is_finished, torch.min(self.finished_scores, dim=1, keepdim=True)[0], RULED_OUT
        )
        self.can_improve = self.can_improve & torch.any(best_running > worst_finished, dim=-1, keepdim=True)
        self.done = not bool(
            torch.any(self.can_improve)
            & ~(torch.all(self.is_finished) & (rules.early_stopping is True))
            & ~torch.all(ends)
        )
        return [sources[i] for i in going_on_list]

    def best(self) -> list[int]:
        """The best finished hypothesis (decoder start first), what generate() returns."""
        return self.finished[0]


def beam_ids(step: BartDecoderStep, encoder_states: torch.Tensor, rules: BeamRules) -> list[int]:
    """Token ids (decoder start first) that model.generate(num_beams=rules.num_beams) writes for one input."""
    return beam_ids_many(step, [encoder_states], [rules])[0]


def beam_ids_many(
    step: BartDecoderStep, encoder_states: Sequence[torch.Tensor], rules: Sequence[BeamRules]
) -> list[list[int]]:
    """`beam_ids` of each input (its encoder states and rules), decoded in step: each step reads the
    weights once for every input still searching; an input whose search ends drops out."""
    kvs = [
        step.start(states, max_tokens=r.max_new_tokens, rows=r.num_beams)
        for states, r in zip(encoder_states, rules, strict=True)
    ]
    searches = [BeamSearch(r) for r in rules]
    searching = [i for i, search in enumerate(searches) if not search.done]
    while searching:
        logits = step.rows(
            [[ids[-1] for ids in searches[i].running] for i in searching],
            [searches[i].length - 1 for i in searching],
            [kvs[i] for i in searching],
        )
        for i, input_logits in zip(searching, logits, strict=True):
            sources = searches[i].advance(input_logits)
            if not searches[i].done:
                kvs[i].reorder(sources, searches[i].length - 1)
        searching = [i for i in searching if not searches[i].done]
    return [search.best() for search in searches]
