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


def record_generation_batches(monkeypatch) -> list[int]:
    """The number of inputs of every Seq2SeqGenerator.generate_many call from now on (each call
    still runs), appended to the list returned."""
    from summarizer.generation.loading import Seq2SeqGenerator

    sizes: list[int] = []
    many = Seq2SeqGenerator.generate_many
    monkeypatch.setattr(
        Seq2SeqGenerator,
        "generate_many",
        lambda self, inputs, **kw: sizes.append(len(inputs)) or many(self, inputs, **kw),
    )
    return sizes
