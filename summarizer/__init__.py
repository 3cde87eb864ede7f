"""newsbrief's summariser: cited briefings from clusters of news articles.

from summarizer import Article, SummaryOptions, summarize
briefing = summarize([Article(id="a", title="...", text="..."), ...], SummaryOptions(max_words=120))
"""

from .errors import InputError, ModelUnavailable
from .options import DEFAULT_MODEL, PROFILES, SummaryOptions
from .pipeline import summarize
from .types import Article, Briefing, BriefingSentence, Citation, Source

__all__ = [
    "Article",
    "Briefing",
    "BriefingSentence",
    "Citation",
    "DEFAULT_MODEL",
    "InputError",
    "ModelUnavailable",
    "PROFILES",
    "Source",
    "SummaryOptions",
    "summarize",
]
