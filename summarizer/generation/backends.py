"""The seam between a loaded model and the engine that decodes with it, as in transformers'
pipelines: `prepare` (text -> model inputs) -> `forward` (the only step that runs the model) ->
`postprocess` (token ids -> `Generation`). `Seq2SeqGenerator` loads a model and picks a backend;
another engine (CTranslate2, ONNX Runtime, ...) stands beside these as one more `Backend`.

- `TransformersGenerate`: model.generate, for any seq2seq model; beams share one copy of the
  encoder's keys and values (shared_cross_attention.py).
- `Int8BartSearch`: our greedy and beam search on an int8 BART model's own decoder step
  (bart_decoder_step.py, greedy_search.py, beam_search.py): the same tokens without generate()'s
  per-token overhead, for several inputs in step.

torch is imported inside the methods: this module loads with `loading`, before any model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..options import Profile
from .base import Generation
from .shared_cross_attention import one_input_beam_cache

if TYPE_CHECKING:
    from .bart_decoder_step import BartDecoderStep


@dataclass(frozen=True)
class DecodingLimits:
    """How long the output may be and which repeats it may not make, for every input of a call."""

    min_new_tokens: int
    max_new_tokens: int
    no_repeat_ngram_size: int


class Backend(Protocol):
    """One way to decode with a loaded model. Only `forward` touches the model, and it is the only
    step the caller runs under the model's lock."""

    def prepare(self, model_inputs: Sequence[str], max_input_tokens: int) -> list[Any]: ...

    def forward(self, prepared: Sequence[Any], profile: Profile, limits: DecodingLimits) -> list[list[int]]: ...

    def postprocess(self, prepared: Sequence[Any], outputs: Sequence[list[int]]) -> list[Generation]: ...


class TokenizedBackend:
    """`prepare` and `postprocess` with the model's Hugging Face tokenizer, each input on its own
    (no padding), shared by the backends that decode transformers' token ids."""

    def __init__(self, model, tokenizer):
        self.model = model
        self.tokenizer = tokenizer

    def prepare(self, model_inputs: Sequence[str], max_input_tokens: int) -> list[Any]:
        return [
            self.tokenizer(text, return_tensors="pt", truncation=True, max_length=max_input_tokens)
            for text in model_inputs
        ]

    def postprocess(self, prepared: Sequence[Any], outputs: Sequence[list[int]]) -> list[Generation]:
        return [
            # One sequence, so no padding: everything after the decoder start token is new.
            Generation(
                text=self.tokenizer.decode(output, skip_special_tokens=True).strip(),
                input_tokens=int(one["input_ids"].shape[1]),
                new_tokens=len(output) - 1,
            )
            for one, output in zip(prepared, outputs, strict=True)
        ]


class TransformersGenerate(TokenizedBackend):
    """model.generate, one input after the other."""

    def __init__(self, model, tokenizer, *, global_attention_first_token: bool, shares_beam_rows: bool):
        super().__init__(model, tokenizer)
        self.global_attention_first_token = global_attention_first_token
        self.shares_beam_rows = shares_beam_rows

    def beam_cache(self):
        """A fresh cache for beam search over one input (see `one_input_beam_cache`)."""
        from transformers import DynamicCache

        config = self.model.config
        return one_input_beam_cache()(
            DynamicCache(config=config), DynamicCache(config=config), share_rows=self.shares_beam_rows
        )

    def forward(self, prepared: Sequence[Any], profile: Profile, limits: DecodingLimits) -> list[list[int]]:
        return [self.generate(one, profile, limits) for one in prepared]

    def generate(self, encoded, profile: Profile, limits: DecodingLimits) -> list[int]:
        """model.generate's token ids for one input (decoder start first)."""
        import torch

        extra = {}
        if self.global_attention_first_token:
            extra["global_attention_mask"] = torch.zeros_like(encoded["input_ids"])
            extra["global_attention_mask"][:, 0] = 1
        if profile.num_beams > 1:
            extra["cache"] = self.beam_cache()
        return self.model.generate(
            **encoded,
            **extra,
            max_new_tokens=limits.max_new_tokens,
            min_new_tokens=limits.min_new_tokens,
            num_beams=profile.num_beams,
            early_stopping=profile.num_beams > 1,
            no_repeat_ngram_size=limits.no_repeat_ngram_size,
        )[0].tolist()


class Int8BartSearch(TokenizedBackend):
    """Our greedy and beam search on `step`, all inputs in step; inputs with padding (never one
    tokenised text, checked anyway: our loops apply no attention mask) go to `fallback`."""

    def __init__(self, model, tokenizer, step: BartDecoderStep, fallback: TransformersGenerate):
        super().__init__(model, tokenizer)
        self.step = step
        self.fallback = fallback

    @staticmethod
    def for_model(model, tokenizer, fallback: TransformersGenerate) -> Int8BartSearch | None:
        """The backend for `model` if our searches reproduce what generate() does with it: an int8
        BART decoder (`int8_bart_decoder_step`) and a generation config that sets nothing else."""
        # Imported on first load, not with the library: these build on torch at import time.
        from .bart_decoder_step import int8_bart_decoder_step
        from .greedy_search import GreedyRules

        if not GreedyRules.supported(model.generation_config):
            return None
        step = int8_bart_decoder_step(model)
        return None if step is None else Int8BartSearch(model, tokenizer, step, fallback)

    def forward(self, prepared: Sequence[Any], profile: Profile, limits: DecodingLimits) -> list[list[int]]:
        if not all(bool(one["attention_mask"].all()) for one in prepared):
            return self.fallback.forward(prepared, profile, limits)
        if profile.num_beams == 1:
            return self.greedy(prepared, limits)
        return self.beams(prepared, limits, num_beams=profile.num_beams)

    def _encoder_states(self, prepared: Sequence[Any]) -> list:
        """The encoder's output for each tokenised input, run alone (no padding), for our loops."""
        encoder = self.model.get_encoder()
        return [encoder(**one).last_hidden_state for one in prepared]

    def greedy(self, prepared: Sequence[Any], limits: DecodingLimits) -> list[list[int]]:
        """What model.generate(num_beams=1) writes for each input, by our greedy search."""
        from .greedy_search import GreedyRules, greedy_ids_many

        states = self._encoder_states(prepared)
        rules = GreedyRules.of(self.model.generation_config, **vars(limits))
        return greedy_ids_many(self.step, states, [rules] * len(states))

    def beams(self, prepared: Sequence[Any], limits: DecodingLimits, *, num_beams: int) -> list[list[int]]:
        """What TransformersGenerate writes with `num_beams` beams for each input, by our beam search."""
        from .beam_search import BeamRules, beam_ids_many

        states = self._encoder_states(prepared)
        rules = BeamRules.of_beams(
            self.model.generation_config, num_beams=num_beams, early_stopping=True, **vars(limits)
        )
        return beam_ids_many(self.step, states, [rules] * len(states))
