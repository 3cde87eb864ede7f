"""The library's settings, from NEWSBRIEF_* environment variables (pydantic-settings).

The briefing defaults are the fields of `SummaryOptions` (NEWSBRIEF_ENGINE, NEWSBRIEF_MODEL,
NEWSBRIEF_MAX_WORDS, ...); besides them, the largest article file read (NEWSBRIEF_MAX_ARTICLE_BYTES),
torch's thread count (NEWSBRIEF_TORCH_THREADS) and how story sources are fetched (NEWSBRIEF_FETCH_ALLOW_NETWORKS,
NEWSBRIEF_FETCH_TIMEOUT, NEWSBRIEF_FETCH_MAX_BYTES, NEWSBRIEF_FETCH_MAX_REDIRECTS). The service's
settings extend this class, so one variable means the same to the command line, the library and
the service.

`Settings.load()` reads the environment as it is when called and checks every value at once; a bad
one raises InvalidSettings, an InputError whose one-line message names the variable.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import NonNegativeInt, PositiveFloat, PositiveInt, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .errors import InputError
from .options import SummaryOptions
from .types import Engine

ENV_PREFIX = "NEWSBRIEF_"
_BRIEFING_DEFAULTS = SummaryOptions()


class InvalidSettings(InputError):
    """A NEWSBRIEF_* setting is unusable; the message names the variable and says why."""


def variable_name(setting: str) -> str:
    """The environment variable of a setting: max_words -> NEWSBRIEF_MAX_WORDS."""
    return f"{ENV_PREFIX}{setting.upper()}"


def describe(error: ValidationError) -> str:
    """Every problem of `error` on one line, each naming its variable."""
    return "; ".join(_describe_one(problem) for problem in error.errors(include_url=False))


def _describe_one(problem: ErrorDetails) -> str:
    if problem["type"] == "value_error":
        # Raised by our own validators, whose messages give the value where it helps.
        message = str(problem["ctx"]["error"])
    else:
        message = f"{problem['msg'].replace('Input should', 'must', 1)}, not {problem['input']!r}"
    location = problem["loc"]
    # A check across settings (an empty location) names its variables itself.
    return f"{variable_name(str(location[0]))}: {message}" if location else message


class Settings(BaseSettings):
    """The library's settings; a field `name` comes from NEWSBRIEF_NAME (empty means unset)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True)
    error_class: ClassVar[type[InvalidSettings]] = InvalidSettings

    # The briefing defaults: SummaryOptions' fields, with its defaults and its checks.
    engine: Engine = _BRIEFING_DEFAULTS.engine
    model: str = _BRIEFING_DEFAULTS.model
    max_words: int = _BRIEFING_DEFAULTS.max_words
    profile: str = _BRIEFING_DEFAULTS.profile
    budget_tokens: int | None = _BRIEFING_DEFAULTS.budget_tokens
    tokenizer: str | None = _BRIEFING_DEFAULTS.tokenizer
    keep_unsupported: bool = _BRIEFING_DEFAULTS.keep_unsupported
    no_repeat_ngram_size: NonNegativeInt = _BRIEFING_DEFAULTS.no_repeat_ngram_size
    refuse_separate_events: bool = _BRIEFING_DEFAULTS.refuse_separate_events
    # The largest article file read from disk (the command line's files and folders).
    max_article_bytes: PositiveInt = 2_000_000
    # torch's intra-op threads in this process; None: torch's default, one per core.
    torch_threads: PositiveInt | None = None
    # Story ingestion (summarizer.stories.FetchPolicy): networks (CIDR) or host names that URLs
    # may reach although they are not public, comma-separated ("127.0.0.1/32,localhost"); empty:
    # public addresses only. The time, size and redirect limits of one fetch.
    fetch_allow_networks: Annotated[tuple[str, ...], NoDecode] = ()
    fetch_timeout: PositiveFloat = 10.0
    fetch_max_bytes: PositiveInt = 5_000_000
    fetch_max_redirects: NonNegativeInt = 5
    # Where int8 weights are cached, one folder per model revision (generation/quantize.py);
    # None: $HF_HOME/newsbrief-int8.
    int8_cache_dir: Path | None = None

    @classmethod
    def load(cls, **overrides: Any) -> Self:
        """The settings from the environment, `overrides` (by field name) winning; `error_class`
        naming the variable when a value is unusable."""
        try:
            return cls(**overrides)
        except ValidationError as err:
            location = err.errors()[0]["loc"]
            raise cls.error_class(describe(err), str(location[0]) if location else None) from None

    @field_validator("fetch_allow_networks", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return tuple(part.strip() for part in value.split(",") if part.strip()) if isinstance(value, str) else value

    @field_validator(*(option.name for option in fields(SummaryOptions)))
    @classmethod
    def _a_valid_briefing_option(cls, value: Any, info: ValidationInfo) -> Any:
        # SummaryOptions checks each of its fields on its own: one field set checks that one.
        try:
            SummaryOptions(**{str(info.field_name): value})
        except InputError as err:
            raise ValueError(err.message) from None
        return value

    def summary_options(self, **explicit: Any) -> SummaryOptions:
        """The options of one briefing: these settings as defaults, `explicit` values (when not
        None) winning. InputError for a bad explicit value."""
        defaults = {option.name: getattr(self, option.name) for option in fields(SummaryOptions)}
        return SummaryOptions(**{**defaults, **{name: value for name, value in explicit.items() if value is not None}})
