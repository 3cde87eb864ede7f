"""A stand-in for the seq2seq model that returns a known text, for exact citation tests."""

from __future__ import annotations

from summarizer.generation import Generation
from summarizer.generation.prompts import template_for
from summarizer.generation.tokens import ApproximateCounter


class FakeGenerator:
    """Returns `output` whatever the input; remembers the input it was given."""

    def __init__(self, output: str, name: str = "fake/bart-like", max_input_tokens: int = 1024):
        self.output = output
        self.name = name
        self.template = template_for(name)
        self.max_input_tokens = max_input_tokens
        self.counter = ApproximateCounter()
        self.inputs: list[str] = []

    def generate(self, model_input: str, **_decoding) -> Generation:
        self.inputs.append(model_input)
        return Generation(
            text=self.output, input_tokens=self.counter.count(model_input), new_tokens=len(self.output.split())
        )
