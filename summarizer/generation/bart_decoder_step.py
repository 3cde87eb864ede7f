"""One decoding step of an int8 BART model without transformers' per-token overhead: what our
greedy search (greedy_search.py, one row per input) and beam search (beam_search.py, one row per
beam) run for every new token.

Measured on 2 cores with distilbart-cnn-12-6 (benchmarks/latency.py): a greedy token costs ~6 ms
of int8 matrix-vector products, bound by reading the ~135 MB of decoder and output-layer weights,
and ~0.8 ms of attention; transformers' modules and generate() added ~5 ms around them (mask
building, cache objects and re-copying the growing cache, module calls, logits processors).
Here the same token costs ~1 ms around them:

- a token's decoder step (embeddings, every layer, the LM head) calls the same aten ops as
  transformers' BartDecoder, BartAttention on SDPA and BartForConditionalGeneration, in the same
  order, on the model's own int8 weights, so the logits are bit-identical; plain eager calls (no
  TorchScript, which PyTorch deprecated: its interpreter saved nothing measurable over them);
- self-attention keys and values go into a buffer sized for the whole output, where transformers
  concatenates (copying the whole cache every token); attention over a prefix of the buffer gives
  the same sums.

Several inputs are decoded in step: each int8 matrix is applied to every input's rows in turn
before the next matrix, so it is read from memory once for all of them and from the CPU's cache
after the first. Each input still goes through its own call: torch's dynamic int8 quantises a
call's activations with one scale for the whole call, so stacking the inputs into one matrix would
make an input's tokens depend on its batch neighbours. Per input, the arithmetic is the unbatched
one exactly, so the tokens are identical to decoding each input alone; no padding either, every
input keeps its own length. (Cutting the 51 MB output layer into pieces that stay in the L2 cache
made batches ~10% faster but one input ~15% slower, and cost a second copy.)

`int8_bart_decoder_step` says which models this covers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicInt8Linear

from .shared_cross_attention import SHARED_KV_ATTENTION

# The attention implementations whose arithmetic `_layer` reproduces (ours is SDPA for one beam).
SDPA_IMPLEMENTATIONS = ("sdpa", SHARED_KV_ATTENTION)


def _linear(rows: list[torch.Tensor], packed) -> list[torch.Tensor]:
    """Every row through one int8 matrix, one call per row (see the module's docstring)."""
    return [torch.ops.quantized.linear_dynamic(row, packed, True) for row in rows]


def _packed(linear):
    """The int8 weights that DynamicInt8Linear.forward passes to linear_dynamic (with reduce_range=True)."""
    return linear._packed_params._packed_params


def _is_int8(linear) -> bool:
    """Dynamic int8 with one scale per output row, as quantize_int8 makes it (`_fused` relies on it)."""
    return (
        type(linear) is DynamicInt8Linear
        and linear._packed_params.dtype == torch.qint8
        and linear.version >= 4
        and linear.weight().qscheme() == torch.per_channel_affine
    )


def _fused(*linears):
    """One int8 matrix that computes what `linears` (same input) compute, their outputs side by side:
    their rows stacked with their own scales. A call quantises its input once with one scale, the
    same for all of them, and each output row is its weight row's int8 dot product rescaled by its
    own scale and plus its bias, so the outputs are those of separate calls, bit for bit (tested),
    for one call's overhead and one pass over the input."""
    weights = [linear.weight() for linear in linears]
    stacked = torch._make_per_channel_quantized_tensor(
        torch.cat([w.int_repr() for w in weights]),
        torch.cat([w.q_per_channel_scales() for w in weights]),
        torch.cat([w.q_per_channel_zero_points() for w in weights]),
        0,
    )
    return torch.ops.quantized.linear_prepack(stacked, torch.cat([linear.bias() for linear in linears]))


@dataclass
class DecoderKeysValues:
    """One input's attention keys and values while BartDecoderStep decodes it, for its `rows` rows
    (1 for greedy search, one per beam for beam search)."""

    cross_keys: list[torch.Tensor]  # per layer, of the encoder's states: [1, heads, input length, head_dim]
    cross_values: list[torch.Tensor]
    # [rows, layers, 2 (keys, values), heads, max tokens, head_dim], filled one token at a time. Rows
    # first: all of a beam's keys and values are one block, which `reorder` copies as a whole.
    own: torch.Tensor
    own_keys: list[torch.Tensor] = field(init=False)  # per layer, views of `own`: [rows, heads, max tokens, head_dim]
    own_values: list[torch.Tensor] = field(init=False)

    def __post_init__(self) -> None:
        self.own_keys = list(self.own[:, :, 0].unbind(1))
        self.own_values = list(self.own[:, :, 1].unbind(1))

    @property
    def rows(self) -> int:
        return self.own.shape[0]

    def reorder(self, sources: Sequence[int], length: int) -> None:
        """Row r takes the first `length` tokens' keys and values of row `sources[r]` (beam search
        keeping some beams and dropping others, as transformers' reorder_cache); rows that keep their
        own are not copied. Each row is copied in place once no row still to be written reads it,
        so only beams that swap (a cycle) need a row set aside: 1.5-2.5x faster than gathering the
        changed rows into a new tensor and scattering them back."""
        pending = {row: source for row, source in enumerate(sources) if source != row}
        filled = self.own.narrow(4, 0, length)
        set_aside: dict[int, torch.Tensor] = {}
        while pending:
            still_read = {source for source in pending.values() if source not in set_aside}
            row = next((row for row in pending if row not in still_read), None)
            if row is None:  # every row left is read by another: set one aside to break the cycle
                row = next(iter(pending))
                set_aside[row] = filled[row].clone()
            source = pending.pop(row)
            filled[row].copy_(set_aside[source] if source in set_aside else filled[source])


class BartDecoderStep:
    """Decoding steps of a loaded int8 BART model for inputs without padding (no attention mask is
    applied): transformers' BartDecoder and LM head, op for op. Each input has one row (greedy) or
    one per beam; an input's rows go through every int8 matrix as one call, as transformers' beams
    of one input do."""

    def __init__(self, model):
        decoder = model.model.decoder
        self.embed_tokens = decoder.embed_tokens.weight
        self.embed_scale = float(decoder.embed_tokens.embed_scale)
        self.embed_positions = decoder.embed_positions.weight
        self.position_offset = int(decoder.embed_positions.offset)
        norm = decoder.layernorm_embedding
        self.embedding_norm = (norm.weight, norm.bias, float(norm.eps))
        self.layers = [
            [
                _fused(layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj),
                *(
                    _packed(m)
                    for m in (
                        layer.self_attn.out_proj,
                        layer.encoder_attn.q_proj,
                        layer.encoder_attn.out_proj,
                        layer.fc1,
                        layer.fc2,
                    )
                ),
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
        self.cross_projections = [
            _fused(layer.encoder_attn.k_proj, layer.encoder_attn.v_proj) for layer in decoder.layers
        ]

    def _heads(self, keys_values, states: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[1, length, d_model] through the fused keys and values matrix -> two contiguous
        [1, heads, length, head_dim], as transformers caches them."""
        projected = torch.ops.quantized.linear_dynamic(states, keys_values, True)
        heads = projected.view(1, states.shape[1], 2, -1, self.head_dim)
        return heads[:, :, 0].transpose(1, 2).contiguous(), heads[:, :, 1].transpose(1, 2).contiguous()

    def start(self, encoder_states: torch.Tensor, max_tokens: int, rows: int = 1) -> DecoderKeysValues:
        """Every layer's cross-attention keys and values (computed once per input, shared by its
        rows) and room for `max_tokens` tokens' own in each of `rows` rows."""
        keys, values = map(list, zip(*(self._heads(kv, encoder_states) for kv in self.cross_projections), strict=True))
        shape = (rows, len(keys), 2, keys[0].shape[1], max_tokens, self.head_dim)
        return DecoderKeysValues(
            cross_keys=keys, cross_values=values, own=torch.empty(shape, dtype=encoder_states.dtype)
        )

    def __call__(self, token: int, position: int, kv: DecoderKeysValues) -> torch.Tensor:
        """Logits [vocab] for `token` at `position`; stores its keys and values in `kv`."""
        return self.rows([[token]], [position], [kv])[0][0]

    def rows(
        self, tokens: Sequence[Sequence[int]], positions: Sequence[int], kvs: Sequence[DecoderKeysValues]
    ) -> list[torch.Tensor]:
        """Logits [rows, vocab] for each input's next tokens (one per row), every input at its own position."""
        weight, bias, eps = self.embedding_norm
        hidden = []
        for ids, position in zip(tokens, positions, strict=True):
            embedded = torch.embedding(self.embed_tokens, torch.tensor(ids).view(-1, 1)) * self.embed_scale
            embedded = embedded + torch.embedding(
                self.embed_positions, torch.tensor([[position + self.position_offset]])
            )
            hidden.append(torch.nn.functional.layer_norm(embedded, [embedded.shape[-1]], weight, bias, eps))
        for index in range(len(self.layers)):
            hidden = self._layer(index, hidden, positions, kvs)
        return [(logits + self.final_logits_bias)[:, -1] for logits in _linear(hidden, self.lm_head)]

    def _split(self, rows: list[torch.Tensor], parts: int = 1) -> list[tuple[torch.Tensor, ...]]:
        """[rows, 1, parts * d_model] -> `parts` views [rows, heads, 1, head_dim]: for one token, the
        same numbers in the same order as transformers' view and transpose of each part."""
        return [row.view(row.shape[0], parts, -1, 1, self.head_dim).unbind(1) for row in rows]

    @staticmethod
    def _merge(rows: list[torch.Tensor]) -> list[torch.Tensor]:
        """[rows, heads, 1, head_dim] -> [rows, 1, d_model]: transformers' transpose and reshape,
        which for one token keep the order of the numbers."""
        return [row.reshape(row.shape[0], 1, -1) for row in rows]

    def _cross_attention(self, query: torch.Tensor, position: int, keys: torch.Tensor, values: torch.Tensor):
        """[rows, heads, 1, head_dim] queries against the input's one copy of the encoder's keys and
        values, as transformers computes it with our beam cache (shared_cross_attention.py): at the first
        step every row attends separately (that cache holds one copy per beam until it is first
        reordered), later all rows are the queries of one attention over the shared copy."""
        rows = query.shape[0]
        if rows == 1:
            return torch.nn.functional.scaled_dot_product_attention(query, keys, values, scale=self.scaling)
        if position == 0:
            shape = (rows, -1, -1, -1)
            return torch.nn.functional.scaled_dot_product_attention(
                query, keys.expand(shape), values.expand(shape), scale=self.scaling
            )
        folded = torch.nn.functional.scaled_dot_product_attention(
            query.transpose(0, 2), keys, values, scale=self.scaling
        )
        return folded.transpose(0, 2)

    def _layer(
        self, index: int, hidden: list[torch.Tensor], positions: Sequence[int], kvs: Sequence[DecoderKeysValues]
    ) -> list[torch.Tensor]:
        """One BartDecoderLayer (post-norm, GELU, SDPA attention, eval mode) for every input's new
        token, whose keys and values it writes into that input's buffer."""
        linears, norms = self.layers[index], self.norms[index]
        shape = [hidden[0].shape[-1]]
        attended = []
        for (query, key, value), position, kv in zip(
            self._split(_linear(hidden, linears[0]), 3), positions, kvs, strict=True
        ):
            keys, values = kv.own_keys[index], kv.own_values[index]
            keys.narrow(2, position, 1).copy_(key)
            values.narrow(2, position, 1).copy_(value)
            attended.append(
                torch.nn.functional.scaled_dot_product_attention(
                    query, keys.narrow(2, 0, position + 1), values.narrow(2, 0, position + 1), scale=self.scaling
                )
            )
        hidden = [
            torch.nn.functional.layer_norm(h + out, shape, norms[0], norms[1], self.eps)
            for h, out in zip(hidden, _linear(self._merge(attended), linears[1]), strict=True)
        ]
        attended = [
            self._cross_attention(query, position, kv.cross_keys[index], kv.cross_values[index])
            for (query,), position, kv in zip(self._split(_linear(hidden, linears[2])), positions, kvs, strict=True)
        ]
        hidden = [
            torch.nn.functional.layer_norm(h + out, shape, norms[2], norms[3], self.eps)
            for h, out in zip(hidden, _linear(self._merge(attended), linears[3]), strict=True)
        ]
        inner = [torch.nn.functional.gelu(h) for h in _linear(hidden, linears[4])]
        return [
            torch.nn.functional.layer_norm(h + out, shape, norms[4], norms[5], self.eps)
            for h, out in zip(hidden, _linear(inner, linears[5]), strict=True)
        ]


def int8_bart_decoder_step(model) -> BartDecoderStep | None:
    """A BartDecoderStep for `model` if its decoder is what `_layer` computes (BART, int8 Linear
    layers, SDPA attention, GELU, post-norm layers of one epsilon); None otherwise. Whether our
    searches reproduce its generation config is theirs to say (`GreedyRules.supported`)."""
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
    ):
        return BartDecoderStep(model)
    return None
