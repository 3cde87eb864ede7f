"""Whether the few articles sent for one briefing tell one event or several.

The story clustering (`clustering`) groups them, with a lower threshold than a stream needs: a
briefing's articles were chosen as one story, so only a clearly different one should stand apart.
Two things an editor would check before calling the groups separate events:
- a page that is no article (a "Tweet with a location" notice, an error page, a few words) is no
  event: the clusterer sets it aside, and it is reported as such, not as an event of its own;
- articles that name the same people, places or organisations, or give the same figures, tell
  one story from different angles (the trial and the victim's family, the storm and the
  insurance bill): groups that share `SHARED_NAMES_TO_JOIN` distinctive names or figures are
  joined. A name is distinctive when it is written mid-sentence with a capital and never in lower
  case in these articles (so "President" beside "the president" is not one), and general English
  uses it rarely (wordfreq: "Washington" and "Trump" are common, "Schwarzenegger" is not); a
  figure has three digits or more and is neither a year nor round (200 and 40,000 are in any news).

benchmarks/separate_events.py measures both on Multi-News dev clusters (false alarms on real
clusters, detection on clusters with another event's articles mixed in).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache

from ..types import Article
from .clustering import MAX_WORDS, NAME_RE, StoryClusterer, article_text

# How close an article must be to a group of others to tell the same event: lower than the
# clustering's own threshold, which splits a stream of many articles. Chosen with
# SHARED_NAMES_TO_JOIN on the first 50 of the 99 Multi-News dev clusters of 2 or more articles
# (each one event) and the same clusters with 1 or 2 articles of another event added; on the other
# 49, held out: real articles of one event called separate events 4 -> 0 (before names were
# compared and set-aside pages left out; 7 warnings left, each setting apart a stray page: an
# archive notice, a video page, another event), mixtures flagged 49/49 with 1 or 2 added (before
# too), their groups exactly right 45 -> 49 and 43 -> 48 (benchmarks/separate_events.py).
SAME_EVENT_THRESHOLD = 0.06
# Groups that share this many distinctive names or figures tell one story (see the module doc):
# one in common joins by chance too often ("Getty" of a photo credit, a "Denise" in each): on the
# first 50 clusters it missed 3 mixtures with 1 article added and 2 with 2, to save one false alarm.
SHARED_NAMES_TO_JOIN = 2

# A name is distinctive when general English uses it less than this often: a Zipf frequency
# (wordfreq) of 4 is 10 times a million words ("Washington" 5.1, "Trump" 4.9, "Reid" 4.0,
# "Schwarzenegger" 3.1, "Warratyi" 0).
RARE_NAME_ZIPF = 4.0
FIGURE_RE = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?")
YEAR_RE = re.compile(r"(?:19|20)\d\d")
LOWER_WORD_RE = re.compile(r"\b[a-z][\w'’-]*")
POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class EventGroups:
    """The articles by event: each event's article positions (from 1) and headline, and the pages
    set aside as no article, with why."""

    events: tuple[tuple[tuple[int, ...], str], ...]
    set_aside: tuple[tuple[int, str], ...] = ()


def group_events(
    articles: Sequence[Article],
    threshold: float = SAME_EVENT_THRESHOLD,
    shared_names_to_join: int | None = SHARED_NAMES_TO_JOIN,
) -> EventGroups:
    """The articles grouped by event (see the module doc); `shared_names_to_join` None leaves the
    clustering's groups as they are."""
    clusterer = StoryClusterer(threshold=threshold)
    now = datetime.now(UTC)
    # Named by position; without URLs, so two copies of one page (merged before) are told by their text.
    for position, article in enumerate(articles, start=1):
        clusterer.add(replace(article, id=str(position), url=None), now)
    stories = clusterer.stories()
    set_aside = tuple(sorted((int(s.article_ids[0]), s.set_aside) for s in stories if s.set_aside is not None))
    groups = sorted((sorted(map(int, s.article_ids)), s.headline) for s in stories if s.set_aside is None)
    if shared_names_to_join is not None and len(groups) > 1:
        groups = join_sharing_names(articles, groups, shared_names_to_join)
    return EventGroups(tuple((tuple(positions), headline) for positions, headline in groups), set_aside)


def join_sharing_names(
    articles: Sequence[Article], groups: list[tuple[list[int], str]], needed: int
) -> list[tuple[list[int], str]]:
    """The groups, those sharing `needed` distinctive names or figures joined (transitively); a
    joined group keeps the headline of its largest part."""
    names = group_names(articles, [positions for positions, _ in groups])
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if len(names[i] & names[j]) >= needed:
                parent[root(j)] = root(i)
    joined: dict[int, list[tuple[list[int], str]]] = {}
    for i, group in enumerate(groups):
        joined.setdefault(root(i), []).append(group)
    return sorted(
        (sorted(p for positions, _ in parts for p in positions), max(parts, key=lambda g: len(g[0]))[1])
        for parts in joined.values()
    )


def group_names(articles: Sequence[Article], groups: Sequence[Sequence[int]]) -> list[set[str]]:
    """The distinctive names and figures of each group of articles (positions from 1)."""
    texts = [f"{a.title}. {' '.join(article_text(a).split()[:MAX_WORDS])}" for a in articles]
    lower = {word for text in texts for word in LOWER_WORD_RE.findall(text)}
    names = [distinctive_names(text, lower) for text in texts]
    return [set().union(*(names[p - 1] for p in positions)) for positions in groups]


def distinctive_names(text: str, lower_words: set[str]) -> set[str]:
    """The distinctive names (lower-cased) and figures of a text (see the module doc)."""
    found = set()
    for name in NAME_RE.findall(text):
        word = POSSESSIVE.sub("", name).lower()
        if len(word) > 1 and word not in lower_words and rare(word):
            found.add(word)
    for figure in FIGURE_RE.findall(text):
        digits = figure.replace(",", "")
        if len(digits.split(".")[0]) >= 3 and not YEAR_RE.fullmatch(digits) and not digits.endswith("00"):
            found.add(digits)
    return found


@lru_cache(maxsize=100_000)
def rare(word: str) -> bool:
    # Imported here: wordfreq and its data take ~0.4 s, needed only when the articles split.
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") < RARE_NAME_ZIPF


def describe_events(groups: EventGroups) -> str | None:
    """The warning for articles that tell separate events, naming which go together; None for one event."""
    if len(groups.events) < 2:
        return None
    described = [f"{_articles(positions)} ({headline})" for positions, headline in groups.events]
    return f"the articles tell {len(groups.events)} separate events: {'; '.join(described)}"


def describe_set_aside(groups: EventGroups) -> str | None:
    """The warning naming the pages set aside as no article (not counted as events); None when
    every page is an article."""
    if not groups.set_aside:
        return None
    return "; ".join(
        f"{_articles([position])} was set aside ({reason}): not counted as an event"
        for position, reason in groups.set_aside
    )


def _articles(positions: Sequence[int]) -> str:
    numbers = ", ".join(map(str, positions[:-1])) + (" and " if len(positions) > 1 else "") + str(positions[-1])
    return f"article{'s' if len(positions) > 1 else ''} {numbers}"
