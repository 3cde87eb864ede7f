"""Incremental story clustering: each new article joins the story it is closest to, or starts one.

Representation: TF-IDF over stemmed content words (summarizer.text), the idf from a running count
of document frequencies, so nothing is fitted in advance and the weights follow the stream. Each
article keeps its `TERMS_PER_ARTICLE` heaviest terms, a unit vector. A story is the sum of its
articles' vectors (its centroid, up to length); an article's similarity to a story is the cosine
with that centroid. Single pass: the article joins the most similar story still open (last seen
within `window` of the article) when that cosine reaches `threshold`, else it starts a new story.
Candidates come from an inverted index (term -> open stories), so an article is compared only with
the stories that share one of its terms; stories older than the window leave the index.

The threshold was chosen on half of the Multi-News dev clusters and checked on the other half
(benchmarks/stories.py prints the table).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from ..errors import InputError
from ..text import WORD_RE, content_stems
from ..types import Article
from .articles import article_key, html_text, site_of

# The cosine an article must reach with a story's centroid to join it (see the module doc).
DEFAULT_THRESHOLD = 0.175
# Terms kept per article: the rare ones that name the event; the rest only cost time.
TERMS_PER_ARTICLE = 100
# An article is compared with the stories that share one of its this many heaviest terms.
CANDIDATE_TERMS = 20
# A title says what the event is: its words count as this many occurrences.
TITLE_WEIGHT = 3
# Words of an article's text read: the lead says what the story is, and long texts cost time.
MAX_WORDS = 2000
# Words of a headline made from an article's text when no article has a title.
HEADLINE_WORDS = 12
# Expired stories leave the index every this many articles.
EXPIRE_EVERY = 256

Vector = dict[str, float]


@dataclass(frozen=True)
class StoryAssignment:
    """Where `add` put an article: its story's id, and whether that story was new."""

    story: int
    new: bool


@dataclass(frozen=True)
class StorySummary:
    """A story as it stands: `headline` is the title of its most central article; `outlets` the
    distinct sources (site names, else hosts), in order of first appearance."""

    id: int
    headline: str
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime


@dataclass
class _Member:
    id: str
    title: str
    outlet: str | None
    lead: str
    vector: Vector


@dataclass
class _Story:
    id: int
    first_seen: datetime
    last_seen: datetime
    members: list[_Member] = field(default_factory=list)
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0

    def absorb(self, member: _Member, seen: datetime) -> None:
        self.members.append(member)
        for term, weight in member.vector.items():
            self.centroid[term] = self.centroid.get(term, 0.0) + weight
        self.norm = math.sqrt(sum(w * w for w in self.centroid.values()))
        self.first_seen = min(self.first_seen, seen)
        self.last_seen = max(self.last_seen, seen)


class StoryClusterer:
    """Groups a stream of articles into stories, one article at a time (see the module doc)."""

    def __init__(
        self,
        window: timedelta = timedelta(days=3),
        threshold: float = DEFAULT_THRESHOLD,
        terms_per_article: int = TERMS_PER_ARTICLE,
    ):
        if window <= timedelta(0):
            raise InputError("the story window must be positive", "window")
        if not 0 < threshold < 1:
            raise InputError("the story threshold must be between 0 and 1", "threshold")
        if terms_per_article < CANDIDATE_TERMS:
            raise InputError(f"an article keeps at least {CANDIDATE_TERMS} terms", "terms_per_article")
        self.window = window
        self.threshold = threshold
        self.terms_per_article = terms_per_article
        self._stories: dict[int, _Story] = {}
        self._keys: dict[str, int] = {}
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._index: defaultdict[str, set[int]] = defaultdict(set)
        self._open: set[int] = set()
        self._added = 0

    def add(self, article: Article, seen: datetime) -> StoryAssignment:
        """Put `article`, seen at `seen`, in its story: the closest open one, or a new one. An
        article already added (the same `article_key`: canonical URL, or text when it has no URL)
        keeps its story and is not counted again."""
        key = article_key(article)
        if key in self._keys:
            return StoryAssignment(self._keys[key], new=False)
        counts = self._count(article)
        vector = self._vector(counts)
        best, best_score = self._closest(vector, seen)
        if best is not None and best_score >= self.threshold:
            self._join(key, article, vector, seen, best)
            return StoryAssignment(best, new=False)
        story = max(self._stories, default=0) + 1
        self._join(key, article, vector, seen, story)
        return StoryAssignment(story, new=True)

    def restore(self, article: Article, seen: datetime, story: int) -> None:
        """Replay an assignment made earlier (a restarted service reloading its stories) without
        deciding it again; the ids of stories created later continue after the largest one."""
        if story < 1:
            raise InputError("a story id is a positive integer", "story")
        key = article_key(article)
        if key in self._keys:
            return
        vector = self._vector(self._count(article))
        self._join(key, article, vector, seen, story)

    def stories(self) -> list[StorySummary]:
        """Every story, the most recently seen first."""
        ordered = sorted(self._stories.values(), key=lambda s: (s.last_seen, s.id), reverse=True)
        return [self._summary(story) for story in ordered]

    def story(self, story: int) -> StorySummary:
        if story not in self._stories:
            raise InputError(f"no story {story}", "story")
        return self._summary(self._stories[story])

    def _count(self, article: Article) -> Counter[str]:
        """Term counts of an article, and the document frequencies updated with it."""
        text = html_text(article.text) if article.content_type == "html" else article.text
        tokens = Counter(WORD_RE.findall(" ".join(text.split()[:MAX_WORDS]).lower()))
        for token in WORD_RE.findall(article.title.lower()):
            tokens[token] += TITLE_WEIGHT
        # Each distinct word is stemmed once (the stemmer is the slow part).
        counts: Counter[str] = Counter()
        for token, count in tokens.items():
            if (term := _term(token)) is not None:
                counts[term] += count
        self._documents += 1
        self._document_frequency.update(counts.keys())
        return counts

    def _vector(self, counts: Counter[str]) -> Vector:
        """Sublinear TF-IDF of the counts: the heaviest terms, to unit length."""
        documents = self._documents
        frequency = self._document_frequency
        weights = {
            term: (1.0 + math.log(count)) * (math.log((1 + documents) / (1 + frequency[term])) + 1.0)
            for term, count in counts.items()
        }
        kept = sorted(weights.items(), key=lambda item: item[1], reverse=True)[: self.terms_per_article]
        norm = math.sqrt(sum(w * w for _, w in kept)) or 1.0
        return {term: w / norm for term, w in kept}

    def _closest(self, vector: Vector, seen: datetime) -> tuple[int | None, float]:
        """The open story most similar to `vector`, and that cosine. Candidates are the stories
        that share one of the article's heaviest terms: a story sharing none of them cannot come
        near the threshold, and a common term's postings list every story."""
        oldest = seen - self.window
        heaviest = sorted(vector, key=vector.__getitem__, reverse=True)[:CANDIDATE_TERMS]
        candidates = set().union(*(self._index.get(term, ()) for term in heaviest))
        best, best_score = None, 0.0
        for story_id in candidates:
            story = self._stories[story_id]
            if story.last_seen < oldest or not story.norm:
                continue
            centroid = story.centroid
            score = sum(weight * centroid.get(term, 0.0) for term, weight in vector.items()) / story.norm
            if score > best_score:
                best, best_score = story_id, score
        return best, best_score

    def _join(self, key: str, article: Article, vector: Vector, seen: datetime, story_id: int) -> None:
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, seen, seen)
        outlet = article.source or site_of(article.url)
        story.absorb(_Member(article.id, article.title, outlet, _lead(article.text), vector), seen)
        self._keys[key] = story_id
        for term in vector:
            self._index[term].add(story_id)
        self._open.add(story_id)
        self._added += 1
        if self._added % EXPIRE_EVERY == 0:
            self._expire(seen)

    def _expire(self, now: datetime) -> None:
        """Take the stories last seen before the window out of the index (they stay listed)."""
        oldest = now - self.window
        for story_id in [s for s in self._open if self._stories[s].last_seen < oldest]:
            self._open.discard(story_id)
            for term in self._stories[story_id].centroid:
                postings = self._index.get(term)
                if postings is not None:
                    postings.discard(story_id)
                    if not postings:
                        del self._index[term]

    def _summary(self, story: _Story) -> StorySummary:
        titled = [m for m in story.members if m.title] or story.members
        central = max(titled, key=lambda m: sum(w * story.centroid.get(t, 0.0) for t, w in m.vector.items()))
        outlets = tuple(dict.fromkeys(m.outlet for m in story.members if m.outlet))
        return StorySummary(
            id=story.id,
            headline=central.title or central.lead,
            article_ids=tuple(m.id for m in story.members),
            outlets=outlets,
            first_seen=story.first_seen,
            last_seen=story.last_seen,
        )


@lru_cache(maxsize=200_000)
def _term(word: str) -> str | None:
    """The term a lower-case word counts as: its stem, or None for a stop word, a number or a letter."""
    stems = content_stems([word])
    return stems[0] if stems else None


def _lead(text: str, count: int = HEADLINE_WORDS) -> str:
    """The first words of a text, the headline of a story none of whose articles has a title."""
    first = text.split(maxsplit=count)
    return " ".join(first[:count]) + (" ..." if len(first) > count else "")
