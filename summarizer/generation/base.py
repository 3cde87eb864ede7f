"""What the pipeline needs from a model, and what a model gives back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
