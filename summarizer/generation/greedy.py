"""Greedy search for an int8 BART model (the fast profile) without generate()'s per-token overhead.

Measured on 2 cores with distilbart-cnn-12-6 (benchmarks/latency.py): a greedy token costs ~6 ms
of int8 matrix-vector products, bound by reading the ~135 MB of decoder and output-layer weights,
and ~0.8 ms of attention; transformers' modules and generate() added ~5 ms around them (mask
building, cache objects and re-copying the growing cache, module calls, logits processors).
Here the same token costs ~1 ms around them:

- a token's whole decoder step (embeddings, every layer, the LM head) is one TorchScript call
  (`_DecoderStep`, `_layer_step`) of the same aten ops as transformers' BartDecoder, BartAttention
  on SDPA and BartForConditionalGeneration, in the same order, on the model's own int8 weights,
  so the logits are bit-identical; TorchScript's interpreter only dispatches them;
- self-attention keys and values go into a buffer sized for the whole output, where transformers
  concatenates (copying the whole cache every token); attention over a prefix of the buffer gives
  the same sums;
- `_next_token` applies what generate()'s logits processors do for the settings we pass.

`lean_greedy_step` says which models this covers; any other decodes with model.generate. The tests
compare the tokens with model.generate's greedy search.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

from .beam import SHARED_KV_ATTENTION

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
# The attention implementations whose arithmetic `_layer_step` reproduces (ours is SDPA for one beam).
SDPA_IMPLEMENTATIONS = ("sdpa", SHARED_KV_ATTENTION)


def _layer_step(
    hidden: torch.Tensor,
    position: int,
    own: torch.Tensor,
    cross_keys: torch.Tensor,
    cross_values: torch.Tensor,
    linears: list[torch.classes.quantized.LinearPackedParamsBase],
    norms: list[torch.Tensor],
    eps: float,
    scaling: float,
    head_dim: int,
) -> torch.Tensor:
    """One BartDecoderLayer (post-norm, GELU, SDPA attention, eval mode) for one new token at
    `position`, whose keys and values it writes into `own` [2, 1, heads, max tokens, head_dim].
    `linears`: int8 self q, k, v, out, cross q, out, fc1, fc2; `norms`: weight and bias of the
    self-attention, cross-attention and final layer norms."""
    shape = [hidden.shape[-1]]
    query = torch.ops.quantized.linear_dynamic(hidden, linears[0], True).view(1, 1, -1, head_dim).transpose(1, 2)
    own[0, :, :, position : position + 1] = (
        torch.ops.quantized.linear_dynamic(hidden, linears[1], True).view(1, 1, -1, head_dim).transpose(1, 2)
    )
    own[1, :, :, position : position + 1] = (
        torch.ops.quantized.linear_dynamic(hidden, linears[2], True).view(1, 1, -1, head_dim).transpose(1, 2)
    )
    attended = torch.nn.functional.scaled_dot_product_attention(
        query, own[0, :, :, : position + 1], own[1, :, :, : position + 1], scale=scaling
    )
    attended = attended.transpose(1, 2).contiguous().reshape(1, 1, -1).contiguous()
    hidden = torch.nn.functional.layer_norm(
        hidden + torch.ops.quantized.linear_dynamic(attended, linears[3], True), shape, norms[0], norms[1], eps
    )
    query = torch.ops.quantized.linear_dynamic(hidden, linears[4], True).view(1, 1, -1, head_dim).transpose(1, 2)
    attended = torch.nn.functional.scaled_dot_product_attention(query, cross_keys, cross_values, scale=scaling)
    attended = attended.transpose(1, 2).contiguous().reshape(1, 1, -1).contiguous()
    hidden = torch.nn.functional.layer_norm(
        hidden + torch.ops.quantized.linear_dynamic(attended, linears[5], True), shape, norms[2], norms[3], eps
    )
    feed_forward = torch.ops.quantized.linear_dynamic(
        torch.nn.functional.gelu(torch.ops.quantized.linear_dynamic(hidden, linears[6], True)), linears[7], True
    )
    return torch.nn.functional.layer_norm(hidden + feed_forward, shape, norms[4], norms[5], eps)


def _packed(linear) -> torch.classes.quantized.LinearPackedParamsBase:
    """The int8 weights that DynamicInt8Linear.forward passes to linear_dynamic (with reduce_range=True)."""
    return linear._packed_params._packed_params


def _is_int8(linear) -> bool:
    return type(linear) is DynamicInt8Linear and linear._packed_params.dtype == torch.qint8 and linear.version >= 4


class _DecoderStep(torch.nn.Module):
    """BartDecoder (embeddings, layers) and the LM head for one new token, to be scripted whole:
    one call from Python per token."""

    def __init__(self, model):
        super().__init__()
        decoder = model.model.decoder
        self.embed_tokens = decoder.embed_tokens.weight
        self.embed_scale = float(decoder.embed_tokens.embed_scale)
        self.embed_positions = decoder.embed_positions.weight
        self.position_offset = int(decoder.embed_positions.offset)
        norm = decoder.layernorm_embedding
        self.embedding_norm = [norm.weight, norm.bias]
        self.embedding_eps = float(norm.eps)
        self.linears = [
            [
                _packed(m)
                for m in (
                    layer.self_attn.q_proj,
                    layer.self_attn.k_proj,
                    layer.self_attn.v_proj,
                    layer.self_attn.out_proj,
                    layer.encoder_attn.q_proj,
                    layer.encoder_attn.out_proj,
                    layer.fc1,
                    layer.fc2,
                )
            ]
            for layer in decoder.layers
        ]
        self.norms = [
            [
                t
                for n in (layer.self_attn_layer_norm, layer.encoder_attn_layer_norm, layer.final_layer_norm)
                for t in (n.weight, n.bias)
            ]
            for layer in decoder.layers
        ]
        self.eps = float(decoder.layers[0].final_layer_norm.eps)
        self.scaling = float(decoder.layers[0].self_attn.scaling)
        self.head_dim = int(decoder.layers[0].self_attn.head_dim)
        self.lm_head = _packed(model.lm_head)
        self.final_logits_bias = model.final_logits_bias

    def forward(
        self,
        token: int,
        position: int,
        own: torch.Tensor,
        cross_keys: list[torch.Tensor],
        cross_values: list[torch.Tensor],
    ) -> torch.Tensor:
        embedded = torch.embedding(self.embed_tokens, torch.tensor([[token]])) * self.embed_scale
        hidden = embedded + torch.embedding(self.embed_positions, torch.tensor([[position + self.position_offset]]))
        hidden = torch.nn.functional.layer_norm(
            hidden, [hidden.shape[-1]], self.embedding_norm[0], self.embedding_norm[1], self.embedding_eps
        )
        for i in range(len(self.linears)):
            hidden = _layer_step(
                hidden,
                position,
                own[i],
                cross_keys[i],
                cross_values[i],
                self.linears[i],
                self.norms[i],
                self.eps,
                self.scaling,
                self.head_dim,
            )
        return (torch.ops.quantized.linear_dynamic(hidden, self.lm_head, True) + self.final_logits_bias)[0, -1]


@dataclass
class DecoderKeysValues:
    """One input's attention keys and values while BartDecoderStep decodes it."""

    cross_keys: list[torch.Tensor]  # per layer, of the encoder's states: [1, heads, input length, head_dim]
    cross_values: list[torch.Tensor]
    own: torch.Tensor  # [layers, 2 (keys, values), 1, heads, max tokens, head_dim], filled one token at a time


class BartDecoderStep:
    """Greedy decoding steps of a loaded int8 BART model for one input without padding (no
    attention mask is applied): transformers' BartDecoder and LM head, op for op, run by TorchScript."""

    def __init__(self, model):
        with warnings.catch_warnings():
            # torch.jit is deprecated in favour of torch.compile, whose generated kernels would not give
            # transformers' exact arithmetic; in torch 2.13 TorchScript still works. Only that notice is hidden.
            warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated", category=DeprecationWarning)
            self.step = torch.jit.script(_DecoderStep(model))
        layers = model.model.decoder.layers
        self.cross_projections = [
            (_packed(layer.encoder_attn.k_proj), _packed(layer.encoder_attn.v_proj)) for layer in layers
        ]
        self.head_dim = layers[0].self_attn.head_dim

    def _heads(self, linear, states: torch.Tensor) -> torch.Tensor:
        """[1, length, d_model] through `linear` -> contiguous [1, heads, length, head_dim],
        as transformers caches it."""
        projected = torch.ops.quantized.linear_dynamic(states, linear, True)
        return projected.view(1, states.shape[1], -1, self.head_dim).transpose(1, 2).contiguous()

    def start(self, encoder_states: torch.Tensor, max_tokens: int) -> DecoderKeysValues:
        """Every layer's cross-attention keys and values (computed once per input) and room for
        `max_tokens` tokens' own."""
        keys = [self._heads(k, encoder_states) for k, _ in self.cross_projections]
        values = [self._heads(v, encoder_states) for _, v in self.cross_projections]
        shape = (len(keys), 2, 1, keys[0].shape[1], max_tokens, self.head_dim)
        return DecoderKeysValues(
            cross_keys=keys, cross_values=values, own=torch.empty(shape, dtype=encoder_states.dtype)
        )

    def __call__(self, token: int, position: int, kv: DecoderKeysValues) -> torch.Tensor:
        """Logits [vocab] for `token` at `position`; stores its keys and values in `kv`."""
        return self.step(token, position, kv.own, kv.cross_keys, kv.cross_values)


def lean_greedy_step(model) -> BartDecoderStep | None:
    """A BartDecoderStep for `model` if its decoder is what `_layer_step` computes (BART, int8
    Linear layers, SDPA attention, GELU, post-norm layers of one epsilon) and its generation config
    sets nothing `_next_token` does not reproduce; None otherwise."""
    from transformers import BartForConditionalGeneration

    if type(model) is not BartForConditionalGeneration or model.training:
        return None
    layers = model.model.decoder.layers
    linears = [model.lm_head] + [
        m for layer in layers for m in layer.modules() if isinstance(m, (torch.nn.Linear, torch.ao.nn.quantized.Linear))
    ]
    norms = [
        m
        for layer in layers
        for m in (layer.self_attn_layer_norm, layer.encoder_attn_layer_norm, layer.final_layer_norm)
    ]
    if (
        model.config._attn_implementation in SDPA_IMPLEMENTATIONS
        and model.config.activation_function == "gelu"
        and not getattr(model.config, "normalize_before", False)
        and all(map(_is_int8, linears))
        and len({norm.eps for norm in norms}) == 1
        and GreedyRules.supported(model.generation_config)
    ):
        return BartDecoderStep(model)
    return None


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
    kv = step.start(encoder_states, max_tokens=rules.max_new_tokens)
    ids = [rules.start]
    repeated = RepeatedNgrams(rules.no_repeat_ngram_size)
    repeated.add_last(ids)  # the start token counts too (for n = 1 it is banned from then on)
    while len(ids) <= rules.max_new_tokens:
        ids.append(_next_token(step(ids[-1], len(ids) - 1, kv), ids, rules, repeated))
        repeated.add_last(ids)
        if ids[-1] in rules.eos:
            break
    return ids
