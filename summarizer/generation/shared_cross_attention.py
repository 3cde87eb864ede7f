"""transformers' own beam search (model.generate) over ONE input with one shared copy of the
encoder's keys and values: an attention function and a cache class plugged into transformers.
Our beam search (beam_search.py) shares the copy in its own decoder step instead.

transformers keeps one copy of the cross-attention keys/values per beam and re-copies them
every step; every beam of one input attends to the same encoder states, so one copy is enough.
"""

from __future__ import annotations

import functools

# The attention function registered with transformers for beam search over one shared copy.
SHARED_KV_ATTENTION = "newsbrief_sdpa"


def shared_kv_sdpa(module, query, key, value, attention_mask, **kwargs):
    """transformers' SDPA attention, except for one query token per beam against keys/values
    whose rows are one stored copy (stride 0, see `one_input_beam_cache`): the beams become
    the query length of a single attention over that copy, so it is read once, not per beam.
    Masks and position biases are the same for every beam of one input; their first row is kept."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    beams = query.shape[0]
    if beams == 1 or query.shape[2] != 1 or key.stride(0) != 0 or value.stride(0) != 0:
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    if attention_mask is not None and attention_mask.shape[0] > 1:
        attention_mask = attention_mask[:1]
    if kwargs.get("position_bias") is not None and kwargs["position_bias"].shape[0] > 1:
        kwargs["position_bias"] = kwargs["position_bias"][:1]
    kwargs["is_causal"] = False  # cross-attention: every beam sees all of the input
    output, weights = sdpa_attention_forward(
        module, query.transpose(0, 2), key[:1], value[:1], attention_mask, **kwargs
    )
    # [1, beams, heads, dim] -> [beams, 1, heads, dim], what the model expects from one token per beam
    return output.transpose(0, 1), weights


@functools.cache
def register_shared_kv_attention() -> None:
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(SHARED_KV_ATTENTION, shared_kv_sdpa)
    AttentionMaskInterface.register(SHARED_KV_ATTENTION, sdpa_mask)


@functools.cache
def one_input_beam_cache():
    """The cache class for beam search over ONE input (defined lazily: transformers is imported on
    first use only). Every beam attends to the same encoder states, so the cross-attention keys and
    values of all beams are equal: reordering them after each step, as transformers does, copies
    ~100 MB per step for a 512-token input to no effect. Only the self-attention cache is reordered;
    with `share_rows` the beams' equal rows also become stride-0 views of the first one after the
    first step, which frees the copies and lets `shared_kv_sdpa` read them once."""
    from transformers import EncoderDecoderCache

    class OneInputBeamCache(EncoderDecoderCache):
        def __init__(self, *caches, share_rows: bool = False):
            super().__init__(*caches)
            self.share_rows = share_rows

        def reorder_cache(self, beam_idx):
            self.self_attention_cache.reorder_cache(beam_idx)
            if self.share_rows:
                for layer in self.cross_attention_cache.layers:
                    if layer.is_initialized and layer.keys.stride(0) != 0:
                        layer.keys = layer.keys[:1].expand_as(layer.keys)
                        layer.values = layer.values[:1].expand_as(layer.values)

    return OneInputBeamCache
