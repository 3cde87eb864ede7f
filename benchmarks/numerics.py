"""How far a faster model path moves the numbers: the first decoding steps' logits of a
candidate (int8 weights, the shared-keys beam path) against the fp32 transformers reference.

Both models read the same input and are fed the same decoder tokens (the reference's own
greedy choices, so neither drifts onto its own path), step by step through the KV cache as
`generate` does. The candidate runs as beam search runs it: `beams` identical rows, the
generator's beam cache, a reorder after every step. Reported: the largest absolute logit
difference, that difference relative to the spread of the reference's logits, and how often
both pick the same top token. On random weights this is a weak proxy for quality (their
logits are nearly flat, so top-1 flips on near-ties count against a path that is fine on a
trained model); it does catch a path that computes something else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LogitsComparison:
    name: str
    steps: int
    beams: int
    max_abs_diff: float
    relative_diff: float  # max_abs_diff / standard deviation of the reference logits
    top1_agreement: float  # share of (step, beam) rows whose argmax matches the reference

    def line(self) -> str:
        return (
            f"{self.name:<34} steps={self.steps} beams={self.beams} max|dlogit|={self.max_abs_diff:.3g} "
            f"({self.relative_diff:.2%} of the logits' std) top-1 agreement={self.top1_agreement:.1%}"
        )


def decoder_logits(model, input_ids, attention_mask, tokens, beams: int = 1, cache=None):
    """Logits [steps, beams, vocab] for the decoder fed `tokens` one at a time (first: the start
    token) through `cache` (a plain transformers cache when None)."""
    import torch
    from transformers import DynamicCache, EncoderDecoderCache
    from transformers.modeling_outputs import BaseModelOutput

    cache = cache if cache is not None else EncoderDecoderCache(DynamicCache(), DynamicCache())
    with torch.inference_mode():
        encoded = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
        # As generate expands a single input for beam search.
        encoder_outputs = BaseModelOutput(last_hidden_state=encoded.last_hidden_state.repeat_interleave(beams, dim=0))
        mask = attention_mask.repeat_interleave(beams, dim=0)
        steps = []
        for token in tokens:
            out = model(
                encoder_outputs=encoder_outputs,
                attention_mask=mask,
                cache=cache,
                use_cache=True,
                decoder_input_ids=torch.full((beams, 1), token, dtype=torch.long),
            )
            steps.append(out.logits[:, -1].float())
            if beams > 1:
                cache.reorder_cache(torch.arange(beams))  # beam search reorders after every step
        return torch.stack(steps)


def reference_tokens(model, input_ids, attention_mask, steps: int) -> list[int]:
    """The decoder start token followed by the reference's first greedy choices."""
    import torch
    from transformers import DynamicCache, EncoderDecoderCache

    tokens = [model.generation_config.decoder_start_token_id]
    cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
    with torch.inference_mode():
        encoded = model.get_encoder()(input_ids=input_ids, attention_mask=attention_mask)
        for _ in range(steps - 1):
            out = model(
                encoder_outputs=encoded,
                attention_mask=attention_mask,
                cache=cache,
                use_cache=True,
                decoder_input_ids=torch.tensor([[tokens[-1]]]),
            )
            tokens.append(int(out.logits[0, -1].argmax()))
    return tokens


def compare_first_steps(
    reference,
    candidate,
    input_ids,
    attention_mask,
    *,
    name: str,
    steps: int = 8,
    beams: int = 1,
    cache=None,
    tokens: list[int] | None = None,
) -> LogitsComparison:
    """Compare `candidate`'s logits with `reference`'s (fp32, plain cache, one row) over the first
    `steps` decoding steps. `cache`: the cache the candidate decodes with (the generator's beam
    cache for beam search); a plain one when None."""
    tokens = tokens or reference_tokens(reference, input_ids, attention_mask, steps)
    expected = decoder_logits(reference, input_ids, attention_mask, tokens)
    got = decoder_logits(candidate, input_ids, attention_mask, tokens, beams, cache)
    return compare_logits(name, got, expected)


def compare_logits(name: str, got, expected) -> LogitsComparison:
    """`got` [steps, beams, vocab] against the reference's `expected` [steps, 1, vocab]."""
    diff = (got - expected).abs().max().item()
    agree = (got.argmax(-1) == expected.argmax(-1)).float().mean()
    spread = expected.std().item()
    return LogitsComparison(
        name=name,
        steps=got.shape[0],
        beams=got.shape[1],
        max_abs_diff=diff,
        relative_diff=diff / spread if spread else 0.0,
        top1_agreement=agree.item(),
    )
