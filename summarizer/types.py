"""Typed values passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses, so each stage can be
tested alone with hand-made values and the whole flow stays easy to follow:
Article -> CleanDocument -> Sentence -> Fact -> Selection -> Briefing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

import regex

Engine = Literal["auto", "abstractive", "extractive"]
ContentType = Literal["text", "html"]

# Scripts written without spaces between words (a regex character-class body): there each
# character counts as a word, the usual unit for Chinese, Japanese and Thai text.
UNSPACED_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
# One such character, not a mark of it (a regex.V1 class: it uses set difference).
UNSPACED_LETTER = rf"[[{UNSPACED_SCRIPTS}]--[\p{{M}}]]"
UNSPACED_CHARACTER = regex.compile(UNSPACED_LETTER, regex.V1)
_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")


def count_words(text: str) -> int:
    """Whitespace-separated words; in a script written without spaces, characters."""
    unspaced = len(UNSPACED_CHARACTER.findall(text))
    if not unspaced:
        return len(text.split())
    rest = UNSPACED_CHARACTER.sub(" ", text).split()
    return unspaced + sum(1 for token in rest if _LETTER_OR_DIGIT.search(token))


class TokenCounter(Protocol):
    """Counts model-input tokens (generation/tokens.py has the real and the approximate one)."""

    @property
    def name(self) -> str: ...

    def count(self, text: str) -> int: ...

    def count_many(self, texts: list[str]) -> list[int]: ...


class InputFormat(Protocol):
    """How sentences are laid out as a model's input (generation/prompts.py's PromptTemplate):
    selection renders candidate inputs with it to count their exact tokens."""

    @property
    def group_by_article(self) -> bool: ...

    def render(self, documents: list[list[str]]) -> str: ...


@dataclass(frozen=True)
class Article:
    """One input article; `text` is plain text or HTML as `content_type` says."""

    id: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    content_type: ContentType = "text"


@dataclass(frozen=True)
class CleanDocument:
    """An article after boilerplate removal: paragraphs of prose only.

    `dateline` is the date (YYYY-MM-DD) found in a removed byline or timestamp line.
    """

    article_index: int
    title: str
    paragraphs: tuple[str, ...]
    removed_lines: tuple[str, ...] = ()
    dateline: str | None = None


@dataclass(frozen=True)
class Sentence:
    """A source sentence with the token data the later stages compare on.

    `position` is the sentence's index within its article (0-based).
    `stems` are stemmed content words (stop words removed); `numbers` holds
    normalised numbers and date words; `names` holds lower-cased capitalised
    words that are not merely sentence-initial. `language` is the ISO 639-1
    code of its article's language, which chose the stop words and stemmer.
    `quoted` is true when the sentence holds direct speech (a whole quotation,
    kept as one unit however many sentences it runs to); `speaker` is who it is
    attributed to, as the sentence words it ("Putin", "the Kremlin", "he"),
    when an English attribution was found. `as_written` is the sentence as its
    article words it, when `text` differs: one sentence of a longer quotation,
    given in its speaker's voice ('Putin said: "..."'), is only its quoted words
    in the article.
    """

    article_index: int
    position: int
    text: str
    stems: tuple[str, ...] = ()
    numbers: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    language: str = "en"
    quoted: bool = False
    speaker: str | None = None
    as_written: str | None = None

    @property
    def word_count(self) -> int:
        return count_words(self.text)


@dataclass(frozen=True)
class Fact:
    """One fact and every place it was said: near-duplicate sentences merged.

    `representative` is the member that best stands for the whole fact.
    `articles` are the distinct article indices (0-based, sorted).
    """

    id: int
    sentences: tuple[Sentence, ...]
    representative: Sentence

    @property
    def articles(self) -> tuple[int, ...]:
        return tuple(sorted({s.article_index for s in self.sentences}))


@dataclass(frozen=True)
class RankedFact:
    fact: Fact
    score: float


@dataclass(frozen=True)
class LeftOut:
    """What selection could not fit into the model's input budget (words of the
    facts' representative sentences)."""

    facts: int = 0
    sentences: int = 0
    words: int = 0


@dataclass(frozen=True)
class Selection:
    """The facts chosen for the briefing, in reading order, and the model input."""

    facts: tuple[RankedFact, ...]
    model_input: str
    input_tokens: int
    budget_tokens: int
    left_out: LeftOut


@dataclass(frozen=True)
class Citation:
    """Evidence for a briefing sentence: `source` is 1-based, `sentence` 0-based. `span` is the
    part of `text` that supports the claim, as (start, end) character offsets, for highlighting.
    `speaker` is who the source sentence quotes, when it names them; `as_written` is the sentence
    as the article words it when `text` gives it in its speaker's voice (see Sentence), so that it
    can be found in the article."""

    source: int
    sentence: int
    text: str
    score: float
    span: tuple[int, int] | None = None
    speaker: str | None = None
    as_written: str | None = None


Verdict = Literal["supported", "contradicted", "unsupported"]
# In an update briefing (`summarize(..., since=...)`): a fact the earlier articles did not state,
# or one they stated that the new articles change (another figure, a detail added).
Novelty = Literal["new", "update"]


@dataclass(frozen=True)
class BriefingSentence:
    """A sentence of the briefing and its verdict: `supported` (the cited sources say it),
    `contradicted` (they say otherwise: a flipped polarity, a conflicting figure, swapped roles) or
    `unsupported` (they do not say it). `score` (0-1) is its support: the share of its content words
    the supporting sources hold (synonyms counted) and its paraphrase similarity with them;
    `reason` says why a sentence is not supported, or where sources disagree. `novelty` is set in
    an update briefing only (see Novelty)."""

    text: str
    citations: tuple[int, ...]
    evidence: tuple[Citation, ...]
    verdict: Verdict = "supported"
    score: float = 1.0
    reason: str | None = None
    novelty: Novelty | None = None

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"


@dataclass(frozen=True)
class Source:
    """An input article as listed under the briefing; `index` is 1-based. `earlier`: one of the
    articles an update briefing was asked about what is new since (listed first)."""

    index: int
    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    earlier: bool = False


@dataclass(frozen=True)
class DisagreementVersion:
    """One version of a disputed fact and the sources (1-based) that state it."""

    text: str
    sources: tuple[int, ...]


@dataclass(frozen=True)
class Disagreement:
    """Sources that state one fact with different figures or dates ("3 dead", "5 dead"): `claim`
    is the briefing sentence that states the fact."""

    claim: str
    versions: tuple[DisagreementVersion, ...]


@dataclass(frozen=True)
class Stats:
    """Counts of one briefing. `dropped_unsupported` and `dropped_contradicted`: generated
    sentences dropped because the sources do not say them, or say otherwise (each sentence counted
    once, under its verdict)."""

    articles: int
    sentences: int
    duplicate_sentences_merged: int
    facts: int
    model_input_tokens: int
    budget_tokens: int
    token_counter: str
    left_out: LeftOut
    dropped_unsupported: int
    dropped_contradicted: int = 0
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Pieces of text segmentation left out as incomplete sentences (a dangling half, a caption,
    # a quotation whose speaker the text does not give).
    fragments_dropped: int = 0


@dataclass(frozen=True)
class Briefing:
    """The result: `text` carries [n] markers that index `sources` (1-based)."""

    text: str
    sentences: tuple[BriefingSentence, ...]
    sources: tuple[Source, ...]
    engine: Literal["abstractive", "extractive"]
    model: str | None
    profile: str
    stats: Stats
    warnings: tuple[str, ...]
    model_input: str
    disagreements: tuple[Disagreement, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)
