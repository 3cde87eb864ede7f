"""newsbrief's summariser: cited briefings from clusters of news articles.

    from summarizer import Article, SummaryOptions, summarize
    briefing = summarize([Article(id="a", title="...", text="..."), ...], SummaryOptions(max_words=120))

The names below are imported on first use (PEP 562), so that importing a light submodule such as
`summarizer.settings` (gunicorn's master does, before it forks its workers) does not load the
pipeline's numerical libraries.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .batch import BATCH_CLUSTERS
    from .errors import InputError, ModelUnavailable
    from .generation.base import Generation
    from .generation.loading import configure_torch_threads, load_generator
    from .options import BUDGET_TOKENS_RANGE, DEFAULT_MODEL, MAX_WORDS_RANGE, PROFILES, SummaryOptions, merge_options
    from .pipeline import summarize, summarize_many
    from .text import CONTROL_CHARACTER, CONTROL_CHARACTERS
    from .types import Article, Briefing, BriefingSentence, Citation, Engine, Source

# The public API: what the service and other callers may import (lint-imports holds the service
# to it). Loading a model (load_generator, configure_torch_threads) imports torch when called for.
_MODULE_OF = {
    "Article": ".types",
    "BATCH_CLUSTERS": ".batch",
    "BUDGET_TOKENS_RANGE": ".options",
    "Briefing": ".types",
    "BriefingSentence": ".types",
    "CONTROL_CHARACTER": ".text",
    "CONTROL_CHARACTERS": ".text",
    "Citation": ".types",
    "DEFAULT_MODEL": ".options",
    "Engine": ".types",
    "Generation": ".generation.base",
    "InputError": ".errors",
    "MAX_WORDS_RANGE": ".options",
    "ModelUnavailable": ".errors",
    "PROFILES": ".options",
    "Source": ".types",
    "SummaryOptions": ".options",
    "configure_torch_threads": ".generation.loading",
    "load_generator": ".generation.loading",
    "merge_options": ".options",
    "summarize": ".pipeline",
    "summarize_many": ".pipeline",
}

__all__ = [
    "BATCH_CLUSTERS",
    "BUDGET_TOKENS_RANGE",
    "CONTROL_CHARACTER",
    "CONTROL_CHARACTERS",
    "DEFAULT_MODEL",
    "MAX_WORDS_RANGE",
    "PROFILES",
    "Article",
    "Briefing",
    "BriefingSentence",
    "Citation",
    "Engine",
    "Generation",
    "InputError",
    "ModelUnavailable",
    "Source",
    "SummaryOptions",
    "configure_torch_threads",
    "load_generator",
    "merge_options",
    "summarize",
    "summarize_many",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value
