"""Dynamic int8 weights for a loaded model: 4x fewer bytes for every decoding step to read."""

from __future__ import annotations


def quantize_int8(model):
    """Dynamic int8 for every nn.Linear, in place: weights stored as int8 with one scale per
    output row (per-channel keeps rows with small weights precise), activations quantised per
    call. Embeddings stay fp32 (a lookup reads one row, nothing to gain)."""
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        # torch.ao.quantization and its quantized tensors are deprecated in favour of torchao, which is
        # not a dependency; in torch 2.13 this eager API still works and is torch's own int8 CPU path.
        # Only those two notices are hidden, and only here.
        warnings.filterwarnings("ignore", message="torch.ao.quantization is deprecated", category=DeprecationWarning)
        warnings.filterwarnings(
            "ignore", message="torch.quantize_per_tensor, torch.quantize_per_channel", category=UserWarning
        )
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, inplace=True)
