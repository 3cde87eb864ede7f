"""Writing the briefing with a seq2seq model: loading, prompt templates, token counting, decoding.

`load_generator` is imported lazily by its callers' first use of a model: this package's
import stays light (no torch) so the extractive engine starts fast.
"""

from .base import BatchGenerator, Generation, Generator

__all__ = ["BatchGenerator", "Generation", "Generator"]
