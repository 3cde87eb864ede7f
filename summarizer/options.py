"""Options for one briefing: one pydantic model, from which the rest derives.

`BriefingOptionFields` declares each option once (type, default, bounds, description). From it come
`SummaryOptions` (the options of one briefing, checked, InputError naming the field), the briefing
defaults of the settings (`summarizer.settings.Settings` extends it: NEWSBRIEF_MAX_WORDS, ...), the
command line's flags (`summarizer.cli.add_summary_options`) and the REST request schema
(`service.schemas.BriefingOptions`). `merge_options` is the one merge: explicit values (a request's,
the command line's) over the settings' defaults over the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from .errors import InputError
from .types import Engine

DEFAULT_MODEL = "sshleifer/distilbart-cnn-12-6"
# Inclusive bounds of the numeric options (the page's form reads them too).
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
    # greedy search runs our own loop (summarizer/generation/greedy_search.py), same tokens as generate().
    "fast": Profile("fast", num_beams=1, quantize=True, budget_tokens=384),
    # The reference: fp32, beam 4, the model's full input window (beams still share one copy).
    "exact": Profile("exact", num_beams=4, quantize=False, budget_tokens=None),
}


ProfileName = Literal["default", "fast", "exact"]


class BriefingOptionFields(BaseModel):
    """The options of a briefing, each declared once; the descriptions are the command line's help."""

    engine: Engine = Field("auto", description="auto: the model if it loads, else extractive")
    model: str = Field(DEFAULT_MODEL, min_length=1, description="hub id or local folder of an AutoModelForSeq2SeqLM")
    max_words: int = Field(
        150, ge=MAX_WORDS_RANGE[0], le=MAX_WORDS_RANGE[1], description="length of the briefing in words"
    )
    profile: ProfileName = Field("default", description="speed/fidelity profile of the model")
    budget_tokens: int | None = Field(
        None,
        ge=BUDGET_TOKENS_RANGE[0],
        le=BUDGET_TOKENS_RANGE[1],
        description="model input budget in tokens (unset: the profile's share of the model's window)",
    )
    tokenizer: str | None = Field(
        None, min_length=1, description="tokenizer folder for counting tokens when no model is loaded"
    )
    keep_unsupported: bool = Field(
        False, description="keep unsupported generated sentences, flagged, instead of dropping them"
    )
    no_repeat_ngram_size: int = Field(
        3, ge=0, description="the model never repeats a word sequence this long (0: no limit)"
    )
    refuse_separate_events: bool = Field(
        False,
        description="refuse articles that tell separate events (naming which go together), "
        "instead of warning and briefing them together",
    )


OPTION_NAMES = tuple(BriefingOptionFields.model_fields)


def describe_problem(problem: ErrorDetails) -> str:
    """One of pydantic's problems in this project's words: "must ..., not <the value>"."""
    return f"{problem['msg'].replace('Input should', 'must', 1)}, not {problem['input']!r}"


class SummaryOptions(BriefingOptionFields):
    """The options of one briefing; a bad value is an InputError naming its field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as err:
            problem = err.errors(include_url=False)[0]
            field = str(problem["loc"][0]) if problem["loc"] else None
            raise InputError(f"{field} {describe_problem(problem)}" if field else problem["msg"], field) from None

    @property
    def profile_settings(self) -> Profile:
        """The `Profile` that the `profile` name stands for."""
        return PROFILES[self.profile]


def merge_options(defaults: BriefingOptionFields | None = None, **explicit: Any) -> SummaryOptions:
    """The options of one briefing: the model's defaults, over them `defaults` (the settings'),
    over those the `explicit` values that are not None (a request's, the command line's).
    InputError naming the field for a bad value."""
    values = defaults.model_dump(include=set(OPTION_NAMES)) if defaults is not None else {}
    values.update((name, value) for name, value in explicit.items() if value is not None)
    return SummaryOptions(**values)
