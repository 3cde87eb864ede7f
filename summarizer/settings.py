"""The library's settings, from NEWSBRIEF_* environment variables (pydantic-settings).

The briefing defaults are the options model's fields (`BriefingOptionFields` in
summarizer/options.py: NEWSBRIEF_ENGINE, NEWSBRIEF_MODEL, NEWSBRIEF_MAX_WORDS, ...), with its
defaults and checks; besides them, the largest article file read (NEWSBRIEF_MAX_ARTICLE_BYTES),
torch's thread count (NEWSBRIEF_TORCH_THREADS) and how story sources are fetched (NEWSBRIEF_FETCH_ALLOW_NETWORKS,
NEWSBRIEF_FETCH_TIMEOUT, NEWSBRIEF_FETCH_MAX_BYTES, NEWSBRIEF_FETCH_MAX_REDIRECTS). The service's
settings extend this class, so one variable means the same to the command line, the library and
the service.

`Settings.load()` reads the environment as it is when called and checks every value at once; a bad
one raises InvalidSettings, an InputError whose one-line message names the variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, NonNegativeInt, PositiveFloat, PositiveInt, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .errors import InputError
from .options import BriefingOptionFields, describe_problem

ENV_PREFIX = "NEWSBRIEF_"


class InvalidSettings(InputError):
    """A NEWSBRIEF_* setting is unusable; the message names the variable and says why."""


def variable_name(setting: str) -> str:
    """The environment variable of a setting: max_words -> NEWSBRIEF_MAX_WORDS."""
    return f"{ENV_PREFIX}{setting.upper()}"


def describe(error: ValidationError) -> str:
    """Every problem of `error` on one line, each naming its variable."""
    return "; ".join(_describe_one(problem) for problem in error.errors(include_url=False))


def _describe_one(problem: ErrorDetails) -> str:
    # A value_error is raised by our own validators, whose messages give the value where it helps.
    message = str(problem["ctx"]["error"]) if problem["type"] == "value_error" else describe_problem(problem)
    location = problem["loc"]
    # A check across settings (an empty location) names its variables itself.
    return f"{variable_name(str(location[0]))}: {message}" if location else message


class GenerationSettings(BaseModel):
    """How this process loads and runs models, given to the model code as an argument (it reads no
    environment): the settings below extend it, so a caller passes its `Settings` as they are."""

    # torch's intra-op threads in this process; None: leave torch's count (one per core) as it is.
    torch_threads: PositiveInt | None = None
    # Where int8 weights are cached, one folder per model revision (generation/quantize.py);
    # None: $HF_HOME/newsbrief-int8.
    int8_cache_dir: Path | None = None


class Settings(BaseSettings, GenerationSettings, BriefingOptionFields):
    """The library's settings; a field `name` comes from NEWSBRIEF_NAME (empty means unset).

    The briefing defaults are the inherited fields of the options model (`merge_options(settings,
    **explicit)` makes one briefing's options from them); the model's, `GenerationSettings`'."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_ignore_empty=True)
    error_class: ClassVar[type[InvalidSettings]] = InvalidSettings

    # The largest article file read from disk (the command line's files and folders).
    max_article_bytes: PositiveInt = 2_000_000
    # Story ingestion (summarizer.stories.FetchPolicy): networks (CIDR) or host names that URLs
    # may reach although they are not public, comma-separated ("127.0.0.1/32,localhost"); empty:
    # public addresses only. The time, size and redirect limits of one fetch.
    fetch_allow_networks: Annotated[tuple[str, ...], NoDecode] = ()
    fetch_timeout: PositiveFloat = 10.0
    fetch_max_bytes: PositiveInt = 5_000_000
    fetch_max_redirects: NonNegativeInt = 5

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
