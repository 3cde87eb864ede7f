"""Counting model-input tokens: with the model's real tokenizer when one can be
loaded, otherwise with a documented approximation (and the stats say which).

Counting needs no model, so it never imports transformers (and with it torch, ~5 s): a model's
`tokenizer.json` is read by the `tokenizers` library, which is what transformers' fast
tokenizers run on. Only a model whose local files hold a tokenizer but no `tokenizer.json` (a
sentencepiece or vocab-and-merges one) goes through transformers' AutoTokenizer, as loading it
does.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

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


class FileTokenizerCounter:
    """Counts with a `tokenizers.Tokenizer` read from a model's tokenizer.json, special tokens
    included: the same counts as transformers' fast tokenizer of that file."""

    def __init__(self, path: Path, name: str):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(path))
        # A tokenizer.json may carry the model's truncation and padding: a count needs neither.
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.name = name

    def count(self, text: str) -> int:
        return len(self.tokenizer.encode(text, add_special_tokens=True).ids)

    def count_many(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        return [len(encoding.ids) for encoding in self.tokenizer.encode_batch(texts, add_special_tokens=True)]


class ApproximateCounter:
    name = "approximate"

    def count(self, text: str) -> int:
        return len(APPROXIMATE_PIECE.findall(text)) + 2

    def count_many(self, texts: list[str]) -> list[int]:
        return [self.count(t) for t in texts]


def local_tokenizer_file(name: str, filename: str) -> Path | None:
    """`filename` of the model `name` (a folder, or a hub id in the local cache), if it is there."""
    folder = Path(name)
    if folder.is_dir():
        return folder / filename if (folder / filename).is_file() else None
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(name, filename)
    except ValueError:  # not a valid hub id either
        return None
    return Path(cached) if isinstance(cached, str) else None


@lru_cache(maxsize=8)
def tokenizer_counter(name: str) -> TokenCounter:
    """The real tokenizer of `name` from local files (folder or cache), else an approximation."""
    tokenizer_json = local_tokenizer_file(name, "tokenizer.json")
    if tokenizer_json is not None:
        try:
            return FileTokenizerCounter(tokenizer_json, name)
        except Exception:  # an unreadable file: try transformers' own loading, below
            pass
    if local_tokenizer_file(name, "tokenizer_config.json") is None:
        # No tokenizer here at all: transformers would find none either.
        return ApproximateCounter()
    AutoTokenizer, _ = auto_classes()
    try:
        return TokenizerCounter(AutoTokenizer.from_pretrained(name, local_files_only=True), name)
    except Exception:  # not available locally, in whatever way: count approximately
        return ApproximateCounter()
