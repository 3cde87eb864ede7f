"""The content hash that identifies a request: same articles, earlier articles and options, same briefing.

sha256 over canonical JSON (sorted keys, no spaces, UTF-8) of the normalised articles, the
effective options (server defaults filled in, so a default that changes makes a new key)
and the summariser's version (a new release may write a different briefing).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from summarizer import Article, SummaryOptions


@lru_cache(maxsize=1)
def summarizer_version() -> str:
    try:
        return version("newsbrief")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


# Options added after briefings were first stored, with their defaults.
LATER_OPTIONS = {"refuse_separate_events": False}


def canonical_request(articles: Sequence[Article], options: SummaryOptions, since: Sequence[Article] = ()) -> dict:
    """The request as stored and hashed; `since` (an update's earlier articles) only when given, so
    the hash of a request without it is what it always was."""
    # An option added later is hashed only when not at its default, so earlier hashes stand.
    given = {name: value for name, value in options.model_dump().items() if LATER_OPTIONS.get(name, ...) != value}
    request = {"articles": [asdict(a) for a in articles], "options": given}
    return {**request, "since": [asdict(a) for a in since]} if since else request


def content_hash(articles: Sequence[Article], options: SummaryOptions, since: Sequence[Article] = ()) -> str:
    document = {**canonical_request(articles, options, since), "summarizer_version": summarizer_version()}
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
