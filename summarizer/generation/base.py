"""What the pipeline needs from a model, and what a model gives back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..options import Profile
from ..types import TokenCounter
from .prompts import PromptTemplate


@dataclass(frozen=True)
class Generation:
    text: str
    input_tokens: int
    new_tokens: int


class Generator(Protocol):
    """A loaded model behind the one call the pipeline makes; tests pass fakes with the same shape."""

    @property
    def name(self) -> str: ...

    @property
    def template(self) -> PromptTemplate: ...

    @property
    def max_input_tokens(self) -> int: ...

    @property
    def counter(self) -> TokenCounter: ...

    def generate(
        self, model_input: str, *, max_words: int, profile: Profile, no_repeat_ngram_size: int = 3
    ) -> Generation: ...


@runtime_checkable
class BatchGenerator(Generator, Protocol):
    """A generator that can write for several inputs in one call (one model's batch)."""

    def generate_many(
        self, model_inputs: Sequence[str], *, max_words: int, profile: Profile, no_repeat_ngram_size: int = 3
    ) -> list[Generation]: ...
