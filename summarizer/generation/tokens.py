"""Counting model-input tokens: with the model's real tokenizer when one can be
loaded, otherwise with a documented approximation (and the stats say which)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from ..types import TokenCounter

# BPE tokenizers of English news average about 1.3 tokens a word; pieces of
# words and punctuation are counted separately, which lands close to that.
APPROXIMATE_PIECE = re.compile(r"\w{1,6}|[^\w\s]")


_TRANSFORMERS_IMPORT_LOCK = threading.Lock()


def auto_classes():
    """(AutoTokenizer, AutoModelForSeq2SeqLM). transformers resolves these lazy attributes
    without a lock, and two threads doing it first at the same time can fail with ImportError,
    so every import of them in the package goes through here."""
    with _TRANSFORMERS_IMPORT_LOCK:
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    return AutoTokenizer, AutoModelForSeq2SeqLM


class TokenizerCounter:
    """Counts with a Hugging Face tokenizer, special tokens included."""

    def __init__(self, tokenizer, name: str):
        self.tokenizer = tokenizer
        self.name = name

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def count_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(ids) for ids in self.tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]]


class ApproximateCounter:
    name = "approximate"

    def count(self, text: str) -> int:
        return len(APPROXIMATE_PIECE.findall(text)) + 2

    def count_many(self, texts: list[str]) -> list[int]:
        return [self.count(t) for t in texts]


@lru_cache(maxsize=8)
def tokenizer_counter(name: str) -> TokenCounter:
    """The real tokenizer of `name` from local files (folder or cache), else an approximation."""
    AutoTokenizer, _ = auto_classes()
    try:
        return TokenizerCounter(AutoTokenizer.from_pretrained(name, local_files_only=True), name)
    except Exception:  # not available locally, in whatever way: count approximately
        return ApproximateCounter()
