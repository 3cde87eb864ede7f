"""Options for one briefing, with defaults that work with nothing installed.

Defaults can be changed per process with NEWSBRIEF_* environment variables
(`Settings.load().summary_options(...)` in summarizer/settings.py); explicit values always win.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError
from .types import Engine

DEFAULT_MODEL = "sshleifer/distilbart-cnn-12-6"
ENGINES = ("auto", "abstractive", "extractive")
# Inclusive bounds of the numeric options, shared with the REST schema.
MAX_WORDS_RANGE = (10, 2000)
BUDGET_TOKENS_RANGE = (32, 100_000)


@dataclass(frozen=True)
class Profile:
    """How the model runs: the trade between speed and fidelity.

    `budget_tokens` caps the model input; without it the input fills `window_share` of the
    model's own limit (its input window);
    `quantize` applies torch dynamic int8 (per-channel weights) to the Linear layers.
    Profiles with the same `quantize` share one loaded model in a process.
    """

    name: str
    num_beams: int
    quantize: bool
    budget_tokens: int | None
    window_share: float = 1.0

    def budget_for(self, window: int) -> int:
        """The tokens of input this profile fills in a model whose window is `window` tokens."""
        return min(self.budget_tokens or round(window * self.window_share), window)


# Measured with benchmarks/latency.py (distilbart-cnn-12-6 shape, seeds cluster, 128 new tokens,
# 2-core machine, five runs): against the naive recipe (1024 concatenated tokens, fp32, beam 4)
# the default is 4.3-4.8x faster and fast 8.6-9.9x. Decoding dominates: every new token streams the decoder's
# weights from memory, so int8 (4x fewer bytes) is the big lever; the input budget moves the
# encoder's share and the cross-attention's. The default profile reads 7/8 of the model's window
# (896 of BART's 1024 tokens): the least of the budgets measured whose input still covers more of
# what the human summaries say than the naive recipe's (input coverage on the Multi-News dev set,
# as `newsbrief eval --engine extractive --budget-tokens B` prints it: 24.1 at 512, 29.1 at 768,
# 30.9 at 896, 32.3 at 1024, naive 30.1); 512 tokens starved the model, and the whole window
# (4.0-4.6x) leaves no margin on the 4x. What each budget costs: `benchmarks/latency.py --curve`
# (README, Performance).
PROFILES = {
    # Beam search kept; int8 weights, beams that share one copy of the encoder's keys and values,
    # and the deduplicated, ranked selection filling 7/8 of the model's window.
    "default": Profile("default", num_beams=4, quantize=True, budget_tokens=None, window_share=7 / 8),
    # Greedy decoding, int8, 384 tokens: for bulk work where latency matters most. On a BART model
    # greedy search runs our own loop (summarizer/generation/greedy.py), same tokens as generate().
    "fast": Profile("fast", num_beams=1, quantize=True, budget_tokens=384),
    # The reference: fp32, beam 4, the model's full input window (beams still share one copy).
    "exact": Profile("exact", num_beams=4, quantize=False, budget_tokens=None),
}


@dataclass(frozen=True)
class SummaryOptions:
    engine: Engine = "auto"
    model: str = DEFAULT_MODEL
    max_words: int = 150
    profile: str = "default"
    budget_tokens: int | None = None
    tokenizer: str | None = None
    keep_unsupported: bool = False
    no_repeat_ngram_size: int = 3
    # Articles that tell separate events (see pipeline.separate_events): False warns and briefs
    # them together; True refuses them (InputError naming which articles go together).
    refuse_separate_events: bool = False

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise InputError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}", "engine")
        if self.profile not in PROFILES:
            raise InputError(f"profile must be one of {', '.join(PROFILES)}, not {self.profile!r}", "profile")
        low, high = MAX_WORDS_RANGE
        if not isinstance(self.max_words, int) or not low <= self.max_words <= high:
            raise InputError(f"max_words must be a whole number from {low} to {high}", "max_words")
        low, high = BUDGET_TOKENS_RANGE
        if self.budget_tokens is not None and (
            not isinstance(self.budget_tokens, int) or not low <= self.budget_tokens <= high
        ):
            raise InputError(f"budget_tokens must be a whole number from {low} to {high}", "budget_tokens")
        if not self.model or not isinstance(self.model, str):
            raise InputError("model must be a non-empty hub id or folder", "model")

    @property
    def decoding(self) -> Profile:
        return PROFILES[self.profile]
