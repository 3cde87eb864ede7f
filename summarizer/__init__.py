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
    from .errors import InputError, ModelUnavailable
    from .options import DEFAULT_MODEL, PROFILES, SummaryOptions
    from .pipeline import summarize
    from .types import Article, Briefing, BriefingSentence, Citation, Source

_MODULE_OF = {
    "Article": ".types",
    "Briefing": ".types",
    "BriefingSentence": ".types",
    "Citation": ".types",
    "DEFAULT_MODEL": ".options",
    "InputError": ".errors",
    "ModelUnavailable": ".errors",
    "PROFILES": ".options",
    "Source": ".types",
    "SummaryOptions": ".options",
    "summarize": ".pipeline",
}

__all__ = [
    "DEFAULT_MODEL",
    "PROFILES",
    "Article",
    "Briefing",
    "BriefingSentence",
    "Citation",
    "InputError",
    "ModelUnavailable",
    "Source",
    "SummaryOptions",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name], __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value
