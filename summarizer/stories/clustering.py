"""Incremental story clustering: each new article joins the story it is closest to, or starts one.

An editor groups articles by the event they report: who, where and how many (the names and
numbers), what happened (the meaning of the lead), and when. Each article is read as
- terms: TF-IDF over stemmed content words (summarizer.text) and the numbers it gives, a name
  written as one mid-sentence (a capital not opening a sentence) weighing `NAME_WEIGHT` times as
  much, the title's words `TITLE_WEIGHT` times; the idf comes from a running count of document
  frequencies, so nothing is fitted in advance. The `TERMS_PER_ARTICLE` heaviest, a unit vector.
- meaning: the WordLlama embedding of its title and lead (summarizer.similarity), which sees a
  paraphrase the words miss.
- time: its publication date when it has one, else when it was seen.
Its similarity to a story mixes the cosine of its terms with the story's centroid and the cosine
of its lead with the story's mean lead (rescaled: any two news leads score about
`MEANING_FLOOR`), and where both have dates, a little more the closer in time (`TIME_BONUS`).
The centroid is what the story is about: its first article's terms keep a fixed share of it
(`ANCHOR_SHARE`) however many join, so a chain of near neighbours does not drag it into the next
event. Single pass: the article joins the most similar story still open (last seen within
`window` of the article, and, where both have dates, published within `window` of the story)
when the similarity reaches `threshold`, else it starts a new story. Candidates come from an
inverted index (term -> open stories); stories older than the window leave the index.

A page that is no article (an error page, a cookie or script notice, a passage repeated, a few
words) is set aside: a story of its own that says why (`StorySummary.set_aside`), which no other
article joins.

The weights and the threshold were chosen on half of the Multi-News dev clusters and checked on
the other half (benchmarks/stories.py prints the table).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from ..errors import InputError
from ..similarity import embed
from ..text import WORD_RE, content_stems, site_notice
from ..types import Article
from .articles import article_key, html_text, site_of

# The similarity an article must reach with a story to join it (see the module doc).
DEFAULT_THRESHOLD = 0.11
# Terms kept per article: the rare ones that name the event; the rest only cost time.
TERMS_PER_ARTICLE = 100
# An article is compared with the stories that share one of its this many heaviest terms.
CANDIDATE_TERMS = 20
# A title says what the event is: its words count as this many occurrences.
TITLE_WEIGHT = 3
# A name (a person, place, organisation) says who and where: its weight is multiplied by this.
NAME_WEIGHT = 2.0
# Share of the lead's meaning in the similarity (the rest: the terms).
MEANING_SHARE = 0.4
# The cosine of two unrelated news leads' embeddings, about: the zero of the meaning score.
MEANING_FLOOR = 0.65
# Where both have dates, an article published when the story's last one was gains this much
# similarity, falling to nothing a window apart: the same day's news is likelier the same event.
TIME_BONUS = 0.03
# Words of the lead embedded for its meaning.
LEAD_WORDS = 60
# The share of a story's centroid that stays its first article's (see the module doc).
ANCHOR_SHARE = 0.35
# Words of an article's text read: the lead says what the story is, and long texts cost time.
MAX_WORDS = 2000
# Words of a headline made from an article's text when no article has a title.
HEADLINE_WORDS = 12
# Expired stories leave the index every this many articles.
EXPIRE_EVERY = 256
# A page with fewer words of prose than this (site notices left out) is no article; a feed entry
# gives a sentence or two, which is one.
MIN_ARTICLE_WORDS = 10
# A page whose sentences are mostly repeats of its own (a notice printed again and again) is no article.
MIN_DISTINCT_SENTENCES = 0.5

# A capitalised word after a lower-case word or a comma: a name, not a sentence's first word.
NAME_RE = re.compile(r"(?<=[a-z,;:] )[A-Z][\w'’-]+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'”’)]*\s+|\n+")

Vector = dict[str, float]


@dataclass(frozen=True)
class StoryAssignment:
    """Where `add` put an article: its story's id, whether that story was new, and why the page
    was set aside as no article (None for an article)."""

    story: int
    new: bool
    set_aside: str | None = None


@dataclass(frozen=True)
class StorySummary:
    """A story as it stands: `headline` is the title of its most central article; `outlets` the
    distinct sources (site names, else hosts), in order of first appearance; `set_aside` why its
    one page is no article (None for a story)."""

    id: int
    headline: str
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    set_aside: str | None = None


@dataclass
class _Member:
    id: str
    title: str
    outlet: str | None
    lead: str
    vector: Vector


@dataclass(frozen=True)
class _Reading:
    """What an article is read as (see the module doc)."""

    vector: Vector
    meaning: np.ndarray
    published: datetime | None


@dataclass
class _Story:
    id: int
    first_seen: datetime
    last_seen: datetime
    members: list[_Member] = field(default_factory=list)
    centroid: Vector = field(default_factory=dict)
    norm: float = 0.0
    later: Vector = field(default_factory=dict)
    # The sum of its articles' lead embeddings, and that to unit length (its mean lead's direction).
    meaning_sum: np.ndarray | None = None
    meaning: np.ndarray | None = None
    first_published: datetime | None = None
    last_published: datetime | None = None
    set_aside: str | None = None

    def absorb(self, member: _Member, reading: _Reading, seen: datetime) -> None:
        """Add a member; the centroid is the first article's vector, weighing `ANCHOR_SHARE`, plus
        the mean of the later ones' (the first article anchors what the story is about)."""
        self.members.append(member)
        if len(self.members) == 1:
            self.centroid = dict(member.vector)
        else:
            for term, weight in member.vector.items():
                self.later[term] = self.later.get(term, 0.0) + weight
            first, later_weight = self.members[0].vector, (1 - ANCHOR_SHARE) / (len(self.members) - 1)
            self.centroid = {t: ANCHOR_SHARE * w for t, w in first.items()}
            for term, weight in self.later.items():
                self.centroid[term] = self.centroid.get(term, 0.0) + later_weight * weight
        self.norm = math.sqrt(sum(w * w for w in self.centroid.values()))
        self.meaning_sum = reading.meaning.copy() if self.meaning_sum is None else self.meaning_sum + reading.meaning
        norm = float(np.linalg.norm(self.meaning_sum))
        self.meaning = self.meaning_sum / norm if norm else self.meaning_sum
        self.first_seen = min(self.first_seen, seen)
        self.last_seen = max(self.last_seen, seen)
        if reading.published is not None:
            self.first_published = min(self.first_published or reading.published, reading.published)
            self.last_published = max(self.last_published or reading.published, reading.published)


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
        """Put `article`, seen at `seen`, in its story: the closest open one, or a new one; a page
        that is no article in a story of its own, set aside with the reason. An article already
        added (the same `article_key`: canonical URL, or text when it has no URL) keeps its story
        and is not counted again."""
        key = article_key(article)
        if key in self._keys:
            story_id = self._keys[key]
            return StoryAssignment(story_id, new=False, set_aside=self._stories[story_id].set_aside)
        text = article_text(article)
        story = max(self._stories, default=0) + 1
        if (reason := set_aside_reason(text)) is not None:
            self._set_aside(key, article, text, seen, story, reason)
            return StoryAssignment(story, new=True, set_aside=reason)
        reading = self._read(article, text)
        best, best_score = self._closest(reading, seen)
        if best is not None and best_score >= self.threshold:
            self._join(key, article, text, reading, seen, best)
            return StoryAssignment(best, new=False)
        self._join(key, article, text, reading, seen, story)
        return StoryAssignment(story, new=True)

    def restore(self, article: Article, seen: datetime, story: int) -> None:
        """Replay an assignment made earlier (a restarted service reloading its stories) without
        deciding it again; the ids of stories created later continue after the largest one."""
        if story < 1:
            raise InputError("a story id is a positive integer", "story")
        key = article_key(article)
        if key in self._keys:
            return
        text = article_text(article)
        if (reason := set_aside_reason(text)) is not None and story not in self._stories:
            self._set_aside(key, article, text, seen, story, reason)
            return
        self._join(key, article, text, self._read(article, text), seen, story)

    def stories(self) -> list[StorySummary]:
        """Every story, the most recently seen first."""
        ordered = sorted(self._stories.values(), key=lambda s: (s.last_seen, s.id), reverse=True)
        return [self._summary(story) for story in ordered]

    def story(self, story: int) -> StorySummary:
        if story not in self._stories:
            raise InputError(f"no story {story}", "story")
        return self._summary(self._stories[story])

    def _read(self, article: Article, text: str) -> _Reading:
        lead = " ".join(text.split()[:LEAD_WORDS])
        meaning = embed([f"{article.title}. {lead}" if article.title else lead])[0]
        return _Reading(self._vector(self._count(article, text)), meaning, published_time(article))

    def _count(self, article: Article, text: str) -> Counter[str]:
        """Term counts of an article (names marked with a weight of NAME_WEIGHT in `_names`), and
        the document frequencies updated with it."""
        read = " ".join(text.split()[:MAX_WORDS])
        tokens = Counter(WORD_RE.findall(read.lower()))
        for token in WORD_RE.findall(article.title.lower()):
            tokens[token] += TITLE_WEIGHT
        names = {token.lower() for token in NAME_RE.findall(read)}
        # Each distinct word is stemmed once (the stemmer is the slow part).
        counts: Counter[str] = Counter()
        for token, count in tokens.items():
            if (term := _term(token, token in names)) is not None:
                counts[term] += count
        self._documents += 1
        self._document_frequency.update(counts.keys())
        return counts

    def _vector(self, counts: Counter[str]) -> Vector:
        """Sublinear TF-IDF of the counts, names weighed up: the heaviest terms, to unit length."""
        documents = self._documents
        frequency = self._document_frequency
        weights = {
            term: (1.0 + math.log(count))
            * (math.log((1 + documents) / (1 + frequency[term])) + 1.0)
            * (NAME_WEIGHT if term.startswith(NAME_MARK) else 1.0)
            for term, count in counts.items()
        }
        kept = sorted(weights.items(), key=lambda item: item[1], reverse=True)[: self.terms_per_article]
        norm = math.sqrt(sum(w * w for _, w in kept)) or 1.0
        return {term: w / norm for term, w in kept}

    def _closest(self, reading: _Reading, seen: datetime) -> tuple[int | None, float]:
        """The open story most similar to the article, and that similarity. Candidates are the
        stories that share one of the article's heaviest terms: a story sharing none of them
        cannot come near the threshold, and a common term's postings list every story."""
        vector = reading.vector
        oldest = seen - self.window
        heaviest = sorted(vector, key=vector.__getitem__, reverse=True)[:CANDIDATE_TERMS]
        candidates = set().union(*(self._index.get(term, ()) for term in heaviest))
        stories = [
            story
            for story in map(self._stories.__getitem__, candidates)
            if story.last_seen >= oldest and story.norm and self._in_time(story, reading.published)
        ]
        leads = [story.meaning for story in stories if story.meaning is not None]  # every indexed story has one
        if not leads:
            return None, 0.0
        # The leads' cosines in one product; rescaled so that unrelated news scores 0.
        cosines = np.stack(leads) @ reading.meaning
        meanings = np.maximum(0.0, (cosines - MEANING_FLOOR) / (1 - MEANING_FLOOR)).tolist()
        best, best_score = None, 0.0
        for story, meaning in zip(stories, meanings, strict=True):
            centroid = story.centroid
            terms = sum(weight * centroid.get(term, 0.0) for term, weight in vector.items()) / story.norm
            score = (1 - MEANING_SHARE) * terms + MEANING_SHARE * meaning
            score += TIME_BONUS * self._closeness(story, reading.published)
            if score > best_score:
                best, best_score = story.id, score
        return best, best_score

    def _closeness(self, story: _Story, published: datetime | None) -> float:
        """1 for an article published when the story's last one was, falling to 0 a window
        apart; 0 when either has no date."""
        if published is None or story.last_published is None:
            return 0.0
        gap = abs((published - story.last_published).total_seconds())
        return max(0.0, 1 - gap / self.window.total_seconds())

    def _in_time(self, story: _Story, published: datetime | None) -> bool:
        """Whether an article published at `published` can be of `story`: within the window of
        its articles' publication dates (either without dates: yes)."""
        if published is None or story.first_published is None or story.last_published is None:
            return True
        return story.first_published - self.window <= published <= story.last_published + self.window

    def _join(self, key: str, article: Article, text: str, reading: _Reading, seen: datetime, story_id: int) -> None:
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, seen, seen)
        outlet = article.source or site_of(article.url)
        story.absorb(_Member(article.id, article.title, outlet, _lead(text), reading.vector), reading, seen)
        self._keys[key] = story_id
        for term in reading.vector:
            self._index[term].add(story_id)
        self._open.add(story_id)
        self._added += 1
        if self._added % EXPIRE_EVERY == 0:
            self._expire(seen)

    def _set_aside(self, key: str, article: Article, text: str, seen: datetime, story_id: int, reason: str) -> None:
        """A story of its own for a page that is no article, out of the index (nothing joins it)."""
        outlet = article.source or site_of(article.url)
        story = _Story(story_id, seen, seen, set_aside=reason)
        story.members.append(_Member(article.id, article.title, outlet, _lead(text), {}))
        self._stories[story_id] = story
        self._keys[key] = story_id

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
            set_aside=story.set_aside,
        )


def article_text(article: Article) -> str:
    return html_text(article.text) if article.content_type == "html" else article.text


def set_aside_reason(text: str) -> str | None:
    """Why a page's text is no article (see the module doc), or None for an article."""
    sentences = [s for s in SENTENCE_BREAK.split(text) if s.strip()]
    distinct = len({" ".join(s.lower().split()) for s in sentences})
    if distinct < MIN_DISTINCT_SENTENCES * len(sentences):
        return f"not an article: {len(sentences)} sentences, {distinct} of them distinct (one passage repeated)"
    # Prose words are counted until there are enough (the notice test is the slow part).
    words, notices = 0, 0
    for sentence in sentences:
        if site_notice(sentence):
            notices += 1
            continue
        words += len(sentence.split())
        if words >= MIN_ARTICLE_WORDS:
            return None
    told = f", {notices} sentence{'s' if notices != 1 else ''} of it about the page itself" if notices else ""
    return f"not an article: {words} words of prose{told} (an article has at least {MIN_ARTICLE_WORDS})"


def published_time(article: Article) -> datetime | None:
    """An article's publication date as an aware datetime (UTC when it names no zone), or None."""
    if not article.published:
        return None
    try:
        published = datetime.fromisoformat(article.published)
    except ValueError:
        return None
    return published if published.tzinfo else published.replace(tzinfo=UTC)


# Prefix of a term that is a name; a number's term starts with "#".
NAME_MARK = "@"


@lru_cache(maxsize=200_000)
def _term(word: str, name: bool = False) -> str | None:
    """The term a lower-case word counts as: its stem (marked when it is written as a name), "#"
    and the figure for a number of two digits or more, or None for a stop word, a digit or a letter."""
    if word[0].isdigit():
        figure = word.replace(",", "")
        return f"#{figure}" if len(figure) > 1 else None
    stems = content_stems([word])
    if not stems:
        return None
    return NAME_MARK + stems[0] if name else stems[0]


def _lead(text: str, count: int = HEADLINE_WORDS) -> str:
    """The first words of a text, the headline of a story none of whose articles has a title."""
    first = text.split(maxsplit=count)
    return " ".join(first[:count]) + (" ..." if len(first) > count else "")
