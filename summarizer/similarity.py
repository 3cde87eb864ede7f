"""Paraphrase similarity between sentences, shared by selection, attribution and evaluation.

Word overlap (the dedup's measure) misses paraphrase: "Putin will visit North Korea" and "Putin
is preparing a trip to Pyongyang" share one content word. Averaged pretrained word embeddings
(WordLlama, resources.word_vectors) see it, at about 20 microseconds a sentence on one core.
They are blind to polarity and roles ("will" and "will not" score 0.98), so they may only
ever say that two sentences are about the same thing, never that one is true to the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .resources import word_vectors


def embed(texts: Sequence[str]) -> np.ndarray:
    """One unit-length float32 row per text (a zero row for a text without known words)."""
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    vectors = np.asarray(word_vectors().embed(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


# Embeddings of texts seen before: attribution compares each generated sentence with the same
# source sentences and words again and again. Cleared whole when full (a simple bound).
_REMEMBERED: dict[str, np.ndarray] = {}
MAX_REMEMBERED = 200_000


def embed_remembered(texts: Sequence[str]) -> np.ndarray:
    """`embed(texts)`, each text embedded once per process (the rows are read-only views)."""
    missing = [t for t in dict.fromkeys(texts) if t not in _REMEMBERED]
    if missing:
        if len(_REMEMBERED) + len(missing) > MAX_REMEMBERED:
            _REMEMBERED.clear()
        _REMEMBERED.update(zip(missing, embed(missing), strict=True))
    if not texts:
        return embed([])
    return np.stack([_REMEMBERED[t] for t in texts])
