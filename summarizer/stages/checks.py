"""The meaning checks of attribution: does a generated sentence say what its evidence says?

Word overlap and paraphrase similarity only tell that a sentence is about what its sources are
about: "the body was not found" shares every content word with "the body was found", and
embeddings score the two 0.98. These checks look at what the overlap cannot see, along the error
types of the faithfulness literature (FRANK; FactCC's rule-made errors):

    numbers    a figure or date word the evidence lacks: contradicted when the evidence gives
               another one of the same kind ("3" and "5", "Monday" and "Tuesday"), else unsupported
    names      a name found nowhere in the sources, the sentence's first word too
    negation   a shared word negated on one side only ("was found" / "was not found")
    antonyms   a word whose opposite the evidence uses instead (confirmed / denied, won / lost)
    modality   a shared word hedged on one side and asserted on the other (will / may, plans to)
    roles      two names in the opposite order around the same word (A attacked B / B attacked A)
    speaker    words given to a named speaker ('X said "..."', '"...," X said', "According to X,
               ...") where the evidence that holds them gives them to someone else or to no one:
               contradicted, reason "misattributed"

Every check is a plain function of a `Claim` and its `Evidence` returning a `Finding` or None;
`CHECKS` names them, so a caller can run without one (the ablation of eval-attribution). They are
rules over words, without a parser: what they miss is listed in the README ("Trust").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import regex

from ..resources import ENGLISH
from ..similarity import embed_remembered
from ..text import MONTHS, NUMBER_WORDS, WEEKDAYS, WORD_RE, fold, name_key, numbers, stem, stop_keys
from ..types import Sentence
from .segment import (
    DOUBLE_QUOTES,
    PRONOUNS,
    QUOTATION,
    SPEECH_VERB_ANYWHERE,
    SPEECH_WORDS,
    attributed_speaker,
    outside_quotes,
    quotation_spans,
)

# How far before a word a negation or a modal verb may stand and still bear on it: this many
# words, of which at most SCOPE_WORDS content words ("was not immediately found").
SCOPE_TOKENS = 6
SCOPE_WORDS = 2
# Punctuation ends the clause a negation or a hedge bears on, and so does a quote mark, except one
# that opens a quotation inside the clause: 'said those tweets were not "beneath the dignity" of
# the office' negates the quoted words.
CLAUSE_BREAK = re.compile(r"[,;:.!?()]|(?<!\s)\"|\"(?!\w)")
NEGATIONS = frozenset(
    {"not", "no", "never", "neither", "nor", "none", "nobody", "nothing", "cannot", "without", "failed", "fails"}
    | {"fail", "refused", "refuses", "declined", "declines", "unable"}
    # Contractions whose apostrophe a feed or scraper lost ("I cant imagine").
    | {"cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont", "couldnt", "wouldnt"}
    | {"shouldnt", "hasnt", "havent", "hadnt", "aint"}
)
# Modal verbs and adverbs that hedge a statement; the verbs of intent count only before "to"
# ("plans to visit", not "the plan was approved"). A finding that "suggests" something states it
# no more surely than "may" does ('The discovery "suggests a more colorful Jurassic World"' / 'there
# may have been "a more colorful Jurassic World"').
MODAL_VERBS = frozenset(
    {"may", "might", "could", "possibly", "perhaps", "likely", "probably", "unlikely", "suggest", "suggests"}
    | {"suggested"}
)
INTENT_VERBS = frozenset(
    {"plan", "plans", "planned", "planning", "intend", "intends", "intended", "expected", "expect", "expects"}
    | {"hope", "hopes", "hoped", "aim", "aims", "want", "wants", "wanted", "seek", "seeks", "considering"}
    | {"intent", "intention"}
)
# Hedges a faithful writer may add to a fact the sources state ("was reportedly killed"), but
# not drop from one the sources only report.
REPORTING_ADVERBS = frozenset({"reportedly", "allegedly", "apparently", "purportedly", "supposedly", "suspected"})
# Opposites, as words (their stems are compared, so "confirms" and "confirmed" both count).
ANTONYM_PAIRS = (
    ("confirm", "deny"),
    ("admit", "deny"),
    ("win", "lose"),
    ("won", "lost"),
    ("winner", "loser"),
    ("victory", "defeat"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("increase", "decrease"),
    ("increase", "cut"),
    ("gain", "loss"),
    ("raise", "lower"),
    ("higher", "lower"),
    ("more", "less"),
    ("more", "fewer"),
    ("most", "least"),
    ("largest", "smallest"),
    ("biggest", "smallest"),
    ("best", "worst"),
    ("accept", "reject"),
    ("approve", "reject"),
    ("approve", "veto"),
    ("agree", "refuse"),
    ("agree", "disagree"),
    ("support", "oppose"),
    ("allow", "ban"),
    ("allow", "forbid"),
    ("allow", "prohibit"),
    ("legal", "illegal"),
    ("guilty", "innocent"),
    ("convict", "acquit"),
    ("uphold", "overturn"),
    ("upheld", "overturned"),
    ("impose", "lift"),
    ("open", "close"),
    ("opened", "closed"),
    ("start", "end"),
    ("begin", "end"),
    ("first", "last"),
    ("before", "after"),
    ("earlier", "later"),
    ("early", "late"),
    ("above", "below"),
    ("success", "failure"),
    ("succeed", "fail"),
    ("buy", "sell"),
    ("bought", "sold"),
    ("hire", "fire"),
    ("import", "export"),
    ("positive", "negative"),
    ("true", "false"),
    ("survive", "die"),
    ("survived", "died"),
    ("alive", "dead"),
    ("arrive", "leave"),
    ("arrived", "left"),
    ("enter", "exit"),
    ("strengthen", "weaken"),
    ("majority", "minority"),
    ("maximum", "minimum"),
    ("ally", "enemy"),
    ("friend", "enemy"),
    ("peace", "war"),
    ("release", "arrest"),
    ("released", "arrested"),
    ("found", "lost"),
    ("include", "exclude"),
    ("north", "south"),
    ("east", "west"),
)
# Verbs whose two sides can be exchanged without changing the fact ("A met B" is "B met A").
SYMMETRIC = frozenset(
    {"met", "meet", "meets", "meeting", "married", "marry", "talked", "talks", "spoke", "debated", "played"}
    | {"faced", "face", "joined", "agreed", "signed", "discussed", "hugged", "shook", "vs", "versus", "between"}
)
PASSIVE_BY = "by"
# Words from a name to the other within which they may be the two sides of one verb ("A sued B",
# "B was sued on Monday by A"); further apart they are in different sentences of a long one.
ROLE_DISTANCE = 30
HEDGES = MODAL_VERBS | INTENT_VERBS | REPORTING_ADVERBS
# Content words either side of a shared word (within so many words) that tell whether two
# sentences say it of the same thing.
CONTEXT_WORDS = 2
CONTEXT_TOKENS = 8


SYMMETRIC_STEMS = frozenset(stem(w) for w in SYMMETRIC)


@dataclass(frozen=True)
class Token:
    """A word of a sentence: `key` lower-cased and folded, `lemma` its stem, `stem` the same for
    a content word (None for a stop word, a number or a one-letter word), offsets in the text."""

    text: str
    key: str
    lemma: str
    stem: str | None
    start: int
    end: int
    name: str  # as names are compared (text.name_key)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def hedge_key(self) -> str:
        """The key as hedges are listed: "could've" is "could"."""
        return self.key.removesuffix("'ve")

    @property
    def negation(self) -> bool:
        return self.key in NEGATIONS or self.key.endswith("n't")


@lru_cache(maxsize=100_000)
def tokenize(text: str, language: str = ENGLISH) -> tuple[Token, ...]:
    """The words of `text` with their offsets (memoised: evidence sentences recur)."""
    stops = stop_keys(language)
    tokens = []
    for match in WORD_RE.finditer(text):
        raw = match.group().replace("’", "'")
        key = fold(raw.lower().strip("'-"), language)
        if not key:
            continue
        lemma = stem(key, language) if not key[0].isdigit() else key
        content = len(key) >= 2 and key not in stops and not key[0].isdigit()
        name = key[:-2] if key.endswith("'s") else key  # text.name_key, from the key already made
        tokens.append(Token(raw, key, lemma, lemma if content else None, match.start(), match.end(), name))
    return tuple(tokens)


@dataclass
class Said:
    """A sentence (generated or source) read for the checks."""

    text: str
    tokens: tuple[Token, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    source: int = 0  # 1-based article; 0 for a generated sentence
    lemmas: frozenset[str] = field(init=False)
    positions: dict[str, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.lemmas = frozenset(t.lemma for t in self.tokens)
        self.positions = {}
        for i, t in enumerate(self.tokens):
            self.positions.setdefault(t.lemma, []).append(i)

    @classmethod
    def of(cls, sentence: Sentence) -> Said:
        return cls(
            sentence.text,
            tokenize(sentence.text, sentence.language),
            sentence.numbers,
            sentence.names,
            sentence.article_index + 1,
        )

    def in_scope(self, i: int, words: Callable[[Token, int], bool]) -> Token | None:
        """The first word before word i, in the same clause and with at most SCOPE_WORDS content
        words between, for which `words(token, index)` holds ("was not immediately found",
        "may be without the actor")."""
        content = 0
        for j in range(i - 1, max(-1, i - 1 - SCOPE_TOKENS), -1):
            # Searched to the text's end: whether a quote mark opens a quotation is seen after it.
            found = CLAUSE_BREAK.search(self.text, self.tokens[j].end)
            if found is not None and found.start() < self.tokens[i].start:
                return None
            if words(self.tokens[j], j):
                return self.tokens[j]
            content += self.tokens[j].stem is not None
            if content >= SCOPE_WORDS:
                return None
        return None

    def negated(self, i: int) -> bool:
        return self.in_scope(i, lambda t, _: t.negation) is not None

    def hedge(self, i: int) -> Literal["modal", "reported", None]:
        """How word i is hedged: by a modal verb or a verb of intent ("may", "plans to"), by a
        reporting adverb ("reportedly"), or not at all."""

        def hedging(token: Token, j: int) -> bool:
            if token.hedge_key in MODAL_VERBS or token.key in REPORTING_ADVERBS:
                return not (token.key == "may" and token.capitalised)  # the month
            following = self.tokens[j + 1].key if j + 1 < len(self.tokens) else ""
            return token.key in INTENT_VERBS and following == "to"

        found = self.in_scope(i, hedging)
        if found is None:
            return None
        return "reported" if found.key in REPORTING_ADVERBS else "modal"

    def quote(self, limit: int = 90) -> str:
        text = self.text if len(self.text) <= limit else self.text[: limit - 3].rsplit(" ", 1)[0] + "..."
        return f'source {self.source}: "{text}"'


@dataclass(frozen=True)
class Finding:
    verdict: Literal["contradicted", "unsupported"]
    reason: str


@dataclass
class Context:
    """What the checks know beyond the evidence: every word and lemma of every source, and the
    lower-case content words among them."""

    source_keys: frozenset[str]
    source_lemmas: frozenset[str]
    common_words: frozenset[str] = frozenset()

    def near_common_word(self, key: str) -> bool:
        """Whether `key` means nearly what a lower-case word of the sources means (WordLlama
        vectors): "Officers" opening a sentence is the sources' "police", not a name."""
        if not self.common_words:
            return False
        vectors = embed_remembered([key, *sorted(self.common_words)])
        return float((vectors[1:] @ vectors[0]).max()) >= COMMON_WORD_SIMILARITY


Check = Callable[[Said, Sequence[Said], Context], Finding | None]


def number_kind(value: str) -> str:
    if value in WEEKDAYS:
        return "weekday"
    if value in MONTHS.values():
        return "month"
    if value[-2:] in ("st", "nd", "rd", "th"):
        return "ordinal"
    return "year" if len(value) == 4 and value[:2] in ("19", "20") else "number"


@dataclass(frozen=True)
class Quantity:
    """A figure, date or place a sentence states, typed so that only like is compared with like:
    `kind` (count, ordinal, money, percent, age, time, date, year, month, weekday, place), `value`
    as compared ("11000", "13:30", "dec 26", "logan square"), `thing` the stem of what a count
    counts, a place's head noun or a sum's currency ("signatur", "square", "$"; None where the
    sentence does not say), and
    `around` the content stems next to it, outside it."""

    kind: str
    value: str
    thing: str | None
    around: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.value

    def same_thing(self, other: Quantity) -> bool:
        """Whether the two state the same quantity of the same thing: a count of the same noun (or,
        where either names none, with a content word in common next to both), a time against a
        time, a date against a date, a place against a place of the same kind ("Logan Square",
        "Palmer Square")."""
        if self.kind != other.kind:
            return False
        if self.kind == "place":
            # "Queen Elizabeth National Park" is the park "Uganda's Queen Elizabeth National Park" is.
            mine, theirs = self.value.split(), other.value.split()
            shorter = min(len(mine), len(theirs))
            return self.thing == other.thing and mine[-shorter:] != theirs[-shorter:]
        if self.thing is not None and other.thing is not None:
            return self.thing == other.thing
        return bool(self.around & other.around)


# Times, ages, dates, sums of money and percentages: read from the text before single figures are,
# so that "1:30 p.m." is a time (not the numbers 1 and 30) and "32-year-old" an age.
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_NUMBER_WORD = "|".join(w for w, v in NUMBER_WORDS.items() if v.isdigit() and int(v) < 100)
# A duration in the smallest unit of its family, so that "an 85-month prison term" is "7 years, 1
# month in prison": months for years and months, days for weeks and days, minutes for hours.
DURATION_UNITS = {
    "year": (12, "months"),
    "month": (1, "months"),
    "week": (7, "days"),
    "day": (1, "days"),
    "hour": (60, "minutes"),
    "minute": (1, "minutes"),
}
_UNIT = "|".join(DURATION_UNITS)
QUANTITY_PATTERNS = (
    (
        "time",
        re.compile(
            r"\b(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>[ap])\.?\s?m\b\.?"
            r"|\b(?P<hour24>\d{1,2}):(?P<minute24>\d{2})\b|\b(?P<word>noon|midnight)\b",
            re.I,
        ),
    ),
    (
        "age",
        regex.compile(
            r"\b(?P<age>\d{1,3})-year-old\b|\b(?:aged?|age of)\s+(?P<aged>\d{1,3})\b"
            r"|(?<=\b\p{Lu}[\p{L}'’-]+), (?P<apposed>\d{1,3}),(?=\s)"
        ),
    ),
    (
        "duration",
        re.compile(
            rf"\b(?P<amount>\d+|{_NUMBER_WORD})[\s-](?P<unit>{_UNIT})s?\b(?!-old)"
            rf"(?:,?\s(?:and\s)?(?P<amount2>\d+|{_NUMBER_WORD})[\s-](?P<unit2>{_UNIT})s?\b)?",
            re.I,
        ),
    ),
    ("date", re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?![,.]?\d)")),
    ("date", re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?!\w)")),
    (
        "money",
        re.compile(
            r"(?P<currency>[$€£])\s?(?P<amount>\d[\d,]*(?:\.\d+)?)(?:\s*(?P<scale>million|billion|trillion|bn|m)\b)?",
            re.I,
        ),
    ),
    ("percent", re.compile(r"\b(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)),
)
SCALES = {"thousand": 1_000, "million": 1_000_000, "m": 1_000_000, "billion": 1_000_000_000, "bn": 1_000_000_000}
SCALES["trillion"] = 1_000_000_000_000
# Plurals a stemmer does not bring to their singular: "one person" counts what "two people" do.
IRREGULAR_PLURALS = {"people": "person", "men": "man", "women": "woman", "children": "child", "feet": "foot"}
# How many words after a figure may name what it counts ("four big parts").
COUNTED_WORDS = 3
PLURAL = re.compile(r"[^su]s$")
# Nouns that end the name of a place: two places with the same one and different words before it
# ("Logan Square", "Palmer Square") are two places, where the same fact can be in only one.
PLACE_HEADS = frozenset(
    {"square", "street", "avenue", "road", "boulevard", "lane", "drive", "highway", "park", "plaza", "county"}
    | {"parish", "township", "borough", "district", "province", "city", "village", "river", "lake", "bay"}
    | {"beach", "island", "mountain", "valley", "heights", "bridge", "station", "airport", "hospital", "school"}
    | {"university", "college", "church", "mosque", "temple", "mall", "stadium", "arena", "prison", "hotel"}
)


def _scaled(amount: str, scale: str | None) -> str:
    value = float(amount.replace(",", "")) * SCALES.get((scale or "").lower(), 1)
    return f"{value:.10g}"


def _pattern_value(kind: str, found: re.Match[str]) -> str:
    groups = found.groupdict()
    if kind == "time":
        if groups["word"]:
            return "12:00" if groups["word"].lower() == "noon" else "00:00"
        if groups["hour24"]:
            return f"{int(groups['hour24']):02d}:{groups['minute24']}"
        hour = int(groups["hour"]) % 12 + (12 if groups["half"].lower() == "p" else 0)
        return f"{hour:02d}:{groups['minute'] or '00'}"
    if kind == "age":
        return groups["age"] or groups["aged"] or groups["apposed"]
    if kind == "duration":
        total, family = 0, DURATION_UNITS[groups["unit"].lower()][1]
        for amount, unit in ((groups["amount"], groups["unit"]), (groups["amount2"], groups["unit2"])):
            factor, unit_family = DURATION_UNITS[unit.lower()] if unit else (0, family)
            if amount and unit_family == family:
                total += (int(amount) if amount.isdigit() else int(NUMBER_WORDS[amount.lower()])) * factor
        return f"{total} {family}"
    if kind == "date":
        return f"{MONTHS[groups['month'].lower().rstrip('.')]} {int(groups['day'])}"
    if kind == "money":
        return groups["currency"] + _scaled(groups["amount"], groups["scale"])
    return _scaled(groups["amount"], None)


def _around(said: Said, first: int, last: int) -> frozenset[str]:
    """The CONTEXT_WORDS nearest content stems before token `first` and after token `last`."""
    found: set[str] = set()
    for side in (
        range(first - 1, max(-1, first - 1 - CONTEXT_TOKENS), -1),
        range(last + 1, min(len(said.tokens), last + 1 + CONTEXT_TOKENS)),
    ):
        stems = [said.tokens[j].stem for j in side if said.tokens[j].stem is not None]
        found.update(s for s in stems[:CONTEXT_WORDS] if s is not None)
    return frozenset(found)


def _counted(said: Said, i: int) -> str | None:
    """What the figure at token i counts, from the content words right after it (before a function
    word or a punctuation mark): the first plural among them, the noun after its adjectives ("four
    big parts", "2,000 people came"), else the first ("one person", "32 killed")."""
    run = []
    for j in range(i + 1, min(len(said.tokens), i + 1 + COUNTED_WORDS)):
        token = said.tokens[j]
        if token.stem is None or said.text[said.tokens[j - 1].end : token.start].strip(" -"):
            break
        run.append(token.key)
    if not run:
        return None
    plural = next((w for w in run if w in IRREGULAR_PLURALS or PLURAL.search(w)), run[0])
    return IRREGULAR_PLURALS.get(plural) or stem(plural)


@lru_cache(maxsize=50_000)
def quantities(text: str, language: str = ENGLISH) -> tuple[Quantity, ...]:
    """The figures, dates and places a sentence states, each typed (see Quantity); the words for
    times, ages, dates and numbers are English, figures in digits are read in every language."""
    said = Said(text, tokenize(text, language), frozenset(), frozenset())
    tokens = said.tokens
    found: list[Quantity] = []
    taken: set[int] = set()

    def covering(start: int, end: int) -> list[int]:
        return [i for i, t in enumerate(tokens) if t.start < end and t.end > start]

    for kind, pattern in QUANTITY_PATTERNS if language == ENGLISH else QUANTITY_PATTERNS[-2:]:
        for match in pattern.finditer(text):
            span = [i for i in covering(*match.span()) if i not in taken]
            if not span:
                continue
            taken.update(span)
            # A sum is weighed only against one in its currency ("$27.2 million" is "24.2 million euros").
            currency = match.group("currency") if kind == "money" else None
            found.append(Quantity(kind, _pattern_value(kind, match), currency, _around(said, span[0], span[-1])))
    for i, token in enumerate(tokens):
        if i in taken:
            continue
        value = next(iter(numbers([token.text], language)), None)
        if value is None or (token.key in SCALES and i > 0 and i - 1 in taken):
            continue
        last = i
        if value[0].isdigit() and i + 1 < len(tokens) and tokens[i + 1].key in SCALES and tokens[i + 1].key != "m":
            value, last = _scaled(value, tokens[i + 1].key), i + 1
            taken.add(last)
        # "2,000 signatures" is a count, "in 2000" a year.
        kind = "number" if "," in token.text else number_kind(value)
        counts = kind in ("number", "ordinal")
        thing = _counted(said, last) if counts else None
        found.append(Quantity("count" if kind == "number" else kind, value, thing, _around(said, i, last)))
    for start, end in _capitalised_runs(tokens, text):
        head = tokens[end].name
        if end > start and head in PLACE_HEADS:
            value = " ".join(t.name for t in tokens[start : end + 1])
            found.append(Quantity("place", value, head, _around(said, start, end)))
    return tuple(found)


def _capitalised_runs(tokens: Sequence[Token], text: str) -> list[tuple[int, int]]:
    """First and last index of each run of capitalised words with only spaces between them (not
    a capitalised stop word: "The Logan Square" names what "Logan Square" does; a possessive ends
    a run: "Uganda's Queen Elizabeth National Park")."""
    runs: list[tuple[int, int]] = []
    stops = stop_keys()
    for i, token in enumerate(tokens):
        if not token.capitalised or token.key[0].isdigit() or token.key in stops:
            continue
        follows = runs and runs[-1][1] == i - 1 and not tokens[i - 1].key.endswith("'s")
        if follows and not text[tokens[i - 1].end : token.start].strip():
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def check_numbers(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """Every figure and date word of the claim must be in its evidence; where the evidence gives
    another of the same kind in the same context ("3 killed" / "5 killed"), it is contradicted."""
    known = frozenset().union(*(e.numbers for e in evidence)) if evidence else frozenset()
    missing = claim.numbers - known - credited_numbers(claim)
    if not missing:
        return None
    for i, t in enumerate(claim.tokens):
        value = next(iter(numbers([t.text])), None)
        if value not in missing:
            continue
        around = context_of(claim, i)
        for e in evidence:
            for j, other in enumerate(e.tokens):
                theirs = next(iter(numbers([other.text])), None)
                if (
                    theirs is not None
                    and theirs not in claim.numbers
                    and number_kind(theirs) == number_kind(value)
                    and around & context_of(e, j)
                ):
                    return Finding("contradicted", f"{t.text} where the source says {other.text}: {e.quote()}")
    return Finding("unsupported", f"{', '.join(sorted(missing))} in no source that supports the sentence")


# Cosine of WordLlama vectors from which a sentence's capitalised first word, found in no source,
# is taken for a common word rather than a name: common words score 0.4-0.5 with their near
# synonyms (officers/police 0.48, scientists/researchers 0.45), names under 0.3 with common words.
COMMON_WORD_SIMILARITY = 0.4
# An outlet credited with a report: provenance, not a fact of the story, and human summaries name
# outlets their sources never do. "X said" is not among them: who said what is a fact.
_OUTLET = r"((?:[A-Z][\w&.'-]*\s?){1,4})"
CREDIT = [
    re.compile(rf"\b(?:according to|per|via) (?:the )?{_OUTLET}"),
    re.compile(rf"{_OUTLET}\s*(?:reports|reported|writes|wrote|notes|noted|explains|observes|adds)\b"),
]
# Capitalised words that open a sentence for grammar, not because they name something.
OPENERS = frozenset(
    {"meanwhile", "however", "still", "yet", "also", "now", "then", "later", "earlier", "today", "yesterday"}
    | {"instead", "indeed", "besides", "thus", "hence", "overall", "finally", "first", "second", "last"}
    | {"in", "on", "at", "according", "despite", "although", "though", "while", "since", "after", "before"}
)


def credited(text: str) -> list[tuple[int, int]]:
    """Character spans of the outlets a sentence credits ("according to the AP", "CNN notes")."""
    return [m.span(1) for pattern in CREDIT for m in pattern.finditer(text)]


def credited_tokens(claim: Said) -> frozenset[int]:
    """The positions of the claim's words that name an outlet it credits."""
    spans = credited(claim.text)
    return frozenset(i for i, t in enumerate(claim.tokens) if any(start <= t.start < end for start, end in spans))


def credited_numbers(claim: Said) -> frozenset[str]:
    """The figures in the names of the outlets the claim credits ("per News10"): provenance, as
    the outlets' names are."""
    return frozenset(value for i in credited_tokens(claim) for value in numbers([claim.tokens[i].text]))


def claim_names(claim: Said, context: Context) -> list[str]:
    """The claim's names that no source has. A sentence's first word is a name only when no
    source has it in any case nor a word of its stem ("Police" is not a name: sources say "police").
    Not checked: the outlet a sentence credits with a report, and a hyphenated word whose first
    part the sources have ("Chicago-based")."""
    unknown = []
    outlets = credited_tokens(claim)
    for i, t in enumerate(claim.tokens):
        if not t.capitalised or t.key in stop_keys() or t.key[0].isdigit():
            continue
        key = t.name
        if key in context.source_keys or key in MONTHS or key in WEEKDAYS:
            continue
        if "-" in key and key.split("-", 1)[0] in context.source_keys:
            continue
        if i in outlets:
            continue
        if i == 0 and (
            key in OPENERS or key.endswith("ly") or t.lemma in context.source_lemmas or context.near_common_word(key)
        ):
            continue
        if i > 0 and key not in claim.names:
            continue
        unknown.append(t.text)
    return unknown


def check_names(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """Every name of the claim must be somewhere in the sources, and not stand where its
    evidence, in the same words, names someone else (see substituted_name)."""
    unknown = claim_names(claim, context)
    if unknown:
        return Finding("unsupported", f"{', '.join(unknown)}: in no source")
    if found := substituted_name(claim, evidence):
        return Finding("contradicted", found)
    return None


# A claim that repeats an evidence sentence in all but one name: this share of the claim's content
# words is in that sentence, and at least this many of them.
COPIED_WORDS_SHARE = 0.8
COPIED_WORDS_MIN = 4


def substituted_name(claim: Said, evidence: Sequence[Said]) -> str | None:
    """Why the claim gives another name than its evidence says in the same words ('Jong was booked
    on a $1 million bond.' where the source says 'Heath was booked ...'), or None. Only a near
    copy of one source sentence counts (COPIED_WORDS_SHARE of the claim's content words), where
    the claim's name is in no evidence sentence, the source's name is not in the claim, and the
    two share no part ("Bekah" and "Rebekah" are one person)."""
    content = {t.lemma for t in claim.tokens if t.stem is not None and not t.capitalised}
    if len(content) < COPIED_WORDS_MIN:
        return None
    copies = [e for e in evidence if len(content & e.lemmas) >= COPIED_WORDS_SHARE * len(content)]
    in_evidence = {t.name for e in evidence for t in e.tokens}
    claimed = {t.name for t in claim.tokens}
    for i, t in enumerate(claim.tokens):
        if not t.capitalised or t.stem is None or t.name in in_evidence or not (t.name in claim.names or i == 0):
            continue
        around = context_of(claim, i)
        for e in copies:
            for j, other in enumerate(e.tokens):
                if (
                    other.capitalised
                    and other.stem is not None
                    and (other.name in e.names or j == 0)
                    and other.name not in claimed
                    and t.name not in other.name
                    and other.name not in t.name
                    and around == context_of(e, j)
                ):
                    return f"misnamed: {t.text} where the source says {other.text}: {e.quote()}"
    return None


def context_of(said: Said, i: int) -> frozenset[str]:
    """The CONTEXT_WORDS nearest content lemmas either side of word i (within CONTEXT_TOKENS)."""
    found: set[str] = set()
    for side in (
        range(i - 1, max(-1, i - 1 - CONTEXT_TOKENS), -1),
        range(i + 1, min(len(said.tokens), i + 1 + CONTEXT_TOKENS)),
    ):
        taken = 0
        for j in side:
            if (lemma := said.tokens[j].stem) is not None:
                found.add(lemma)
                taken += 1
                if taken == CONTEXT_WORDS:
                    break
    return frozenset(found)


def _samecontext_of(around: frozenset[str], said: Said, j: int) -> bool:
    """Whether word j of `said` has a neighbour in `around` (a claim word without content
    neighbours matches anywhere)."""
    return not around or bool(around & context_of(said, j))


def _opposed(
    claim: Said, evidence: Sequence[Said], differs: Callable[[Said, int, Said, int], bool | None]
) -> Said | None:
    """A source sentence that `differs` from the claim on a content word they share in the same
    context (a neighbouring content word in common), where no source sentence agrees with the
    claim on that word (`differs` None: this source neither differs nor agrees)."""
    for i, t in enumerate(claim.tokens):
        if t.stem is None or t.negation or t.key in HEDGES:
            continue
        against, agree = None, False
        around = context_of(claim, i)
        for e in evidence:
            for j in e.positions.get(t.lemma, ()):
                if not _samecontext_of(around, e, j):
                    continue
                verdict = differs(claim, i, e, j)
                if verdict:
                    against = against or e
                elif verdict is not None:
                    agree = True
        if against is not None and not agree:
            return against
    return None


def _negations(said: Said) -> int:
    return sum(t.negation for t in said.tokens)


def _hedges(said: Said) -> list[str]:
    return sorted(t.hedge_key for t in said.tokens if t.hedge_key in HEDGES)


def check_negation(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """A word negated in the claim and not in the evidence, or the other way round. A source
    with as many negations as the claim says it with the negation placed differently ("haven't
    seen the planet directly" / "have not observed the planet"), not the opposite: it neither
    contradicts nor confirms."""

    def differs(c: Said, i: int, e: Said, j: int) -> bool | None:
        if c.negated(i) == e.negated(j):
            return False
        return None if _negations(c) == _negations(e) else True

    source = _opposed(claim, evidence, differs)
    if source is None:
        return None
    return Finding("contradicted", f"the source says the opposite: {source.quote()}")


def check_modality(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """A word stated as fact on one side and hedged ("may", "plans to", "reportedly") on the
    other; hedging a stated fact with "reportedly" is allowed."""

    def differs(c: Said, i: int, e: Said, j: int) -> bool | None:
        mine, theirs = c.hedge(i), e.hedge(j)
        if mine == theirs or (mine == "reported" and theirs is None):
            return False
        # The same hedges, each bearing on another word ("probably caused her death" / "probably
        # died because of the sedatives"): one certainty, differently placed.
        return None if _hedges(c) == _hedges(e) else True

    source = _opposed(claim, evidence, differs)
    if source is None:
        return None
    return Finding("contradicted", f"the source states it with another certainty: {source.quote()}")


@lru_cache(maxsize=1)
def antonyms() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for a, b in ANTONYM_PAIRS:
        sa, sb = stem(a), stem(b)
        pairs.setdefault(sa, set()).add(sb)
        pairs.setdefault(sb, set()).add(sa)
    return {k: frozenset(v) for k, v in pairs.items()}


def _word_parts(token: Token) -> list[tuple[str, str]]:
    """(frame, stem) for each part of a hyphenated word ("FDA-approved": ("fda-*", "approv") and
    ("*-approved", "fda")), for the word itself ("", its lemma): an opposite inside a compound
    ("FDA-rejected", "last-place") is one all the same, against the same frame."""
    parts = token.key.split("-")
    if len(parts) < 2:
        return [("", token.lemma)]
    return [("-".join(parts[:k] + ["*"] + parts[k + 1 :]), stem(part)) for k, part in enumerate(parts) if part]


def check_antonyms(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """A word of the claim (or a part of a hyphenated one) where its evidence, in the same
    context, has the word's opposite, and no evidence has the word itself there."""
    opposite = antonyms()
    targets = [
        (i, t, frame, word) for i, t in enumerate(claim.tokens) for frame, word in _word_parts(t) if word in opposite
    ]
    if not targets:
        return None
    # Each evidence word's parts, read once for every target.
    parts = [
        (e, j, other.text, frame, word)
        for e in evidence
        for j, other in enumerate(e.tokens)
        for frame, word in _word_parts(other)
    ]
    for i, t, frame, word in targets:
        around = context_of(claim, i)
        found = [
            (e, text, theirs == word)
            for e, j, text, their_frame, theirs in parts
            if their_frame == frame and (theirs == word or theirs in opposite[word]) and _samecontext_of(around, e, j)
        ]
        against = next(((e, text) for e, text, same in found if not same), None)
        if against is not None and not any(same for _, _, same in found):
            source, said = against
            return Finding("contradicted", f'"{t.text}" where the source says "{said}": {source.quote()}')
    return None


def _name_positions(said: Said) -> dict[str, int]:
    """The first position of each capitalised word that is not a stop word."""
    positions: dict[str, int] = {}
    stops = stop_keys()
    for i, t in enumerate(said.tokens):
        key = name_key(t.text)
        if t.capitalised and key not in stops and not key[0].isdigit() and key not in MONTHS and key not in WEEKDAYS:
            positions.setdefault(key, i)
    return positions


def _between(said: Said, first: int, second: int) -> tuple[frozenset[str], bool]:
    """The content lemmas strictly between two positions (lower-case words only) and whether
    "by" is among the words there (a passive: "B was attacked by A")."""
    tokens = said.tokens[first + 1 : second]
    lemmas = frozenset(t.stem for t in tokens if t.stem and not t.capitalised)
    return lemmas, any(t.key == PASSIVE_BY for t in tokens)


def _swapped(claim: Said, mine: dict[str, int], a: str, b: str, e: Said, theirs: dict[str, int]) -> bool | None:
    """Whether source `e` puts names a and b (a first in the claim) the other way round around a
    shared word; None when it does not have both, or has nothing between them in common."""
    if a not in theirs or b not in theirs:
        return None
    if abs(theirs[a] - theirs[b]) > ROLE_DISTANCE:
        return None
    if theirs[a] < theirs[b]:
        here, _ = _between(claim, mine[a], mine[b])
        there, _ = _between(e, theirs[a], theirs[b])
        return False if here & there else None
    here, here_by = _between(claim, mine[a], mine[b])
    there, there_by = _between(e, theirs[b], theirs[a])
    shared = here & there - SYMMETRIC_STEMS
    return True if shared and here_by == there_by else None


def _quoted_positions(said: Said) -> frozenset[int]:
    """The positions of the words that stand inside quotation marks."""
    spans = quotation_spans(said.text)
    return frozenset(i for i, t in enumerate(said.tokens) if any(start < t.start < end for start, end in spans))


def _speaker_keys_of(text: str, context: Context) -> frozenset[str]:
    """The words naming whom the text gives its words to, if it names them."""
    speaker = attributed_speaker(text)
    return speaker_keys(speaker, context) if speaker is not None else frozenset()


def check_roles(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """Two names on either side of the same word in the opposite order ("A sued B" for "B sued
    A"), unless one side is passive ("by") or the word is symmetric ("met"), and no source has
    them in the claim's order. Who says a quotation and a name in it play no roles against each
    other where a source gives the quotation to the same speaker: '"... Spacey made his move,"
    said Unruh' quotes what 'Unruh said "Spacey bought him ..."' does."""
    mine = _name_positions(claim)
    names = sorted(mine, key=lambda name: mine[name])
    sources = [(e, _name_positions(e), _speaker_keys_of(e.text, context)) for e in evidence]
    quoted = _quoted_positions(claim)
    speaker = _speaker_keys_of(claim.text, context)
    for a_index, a in enumerate(names):
        for b in names[a_index + 1 :]:
            if mine[b] - mine[a] > ROLE_DISTANCE or not _between(claim, mine[a], mine[b])[0]:
                continue  # nothing but names and function words between them: a list, one name
            # The name outside the quotation, when the other is inside it and it names the speaker.
            voice = next(
                (
                    n
                    for n, other in ((a, b), (b, a))
                    if mine[n] not in quoted and mine[other] in quoted and n in speaker
                ),
                None,
            )
            verdicts = [
                (e, None if voice in theirs_speaking else _swapped(claim, mine, a, b, e, theirs))
                for e, theirs, theirs_speaking in sources
            ]
            if any(v is False for _, v in verdicts):
                continue
            against = next((e for e, v in verdicts if v), None)
            if against is not None:
                return Finding("contradicted", f"roles exchanged between {a} and {b}: {against.quote()}")
    return None


# Share of the attributed words an evidence sentence holds to count as saying the same words; one
# that names no speaker must hold more to show the words are narration there, not merely the topic.
SAME_WORDS_SHARE = 0.5
NARRATION_SHARE = 0.8
# Of the sentences holding the words, those holding at least this share of what the closest holds.
CLOSEST_SHARE = 0.8
# An outlet or author credited with a report ("The Guardian writes"): provenance, which human
# summaries add where the sources name no speaker; only evidence naming another one contradicts it.
OUTLET_CREDIT = r"\s+(?:reports|reported|writes|wrote)\b"
# Words before a speaker's name that say whom they speak for ("Chimerix president Kenneth Moch"):
# evidence giving the words to that organisation gives them to the same voice.
AFFILIATION_WORDS = 4
# Clauses of a fused sentence ("X said A, and B"): an attribution covers its own clause only.
CLAUSE = re.compile(r",\s+(?:and|but|while|whereas)\s+|;\s+")


def speaker_keys(speaker: str, context: Context) -> frozenset[str]:
    """The words that name a speaker: its capitalised words that are neither stop words nor words
    the sources write in lower case ("Police said" names no one; "Russ Granik" and "the Kremlin" do)."""
    stops = stop_keys()
    return frozenset(
        name_key(w)
        for w in WORD_RE.findall(speaker)
        if w[:1].isupper() and name_key(w) not in stops and name_key(w) not in context.common_words
    )


def clauses(text: str) -> list[str]:
    """The text's clauses (CLAUSE), split only outside its quotations: '"A, and B," X said' is
    one clause, all of it X's."""
    quoted = quotation_spans(text)
    pieces, start = [], 0
    for m in CLAUSE.finditer(text):
        if not any(begin < m.start() < end for begin, end in quoted):
            pieces.append(text[start : m.start()])
            start = m.end()
    return [*pieces, text[start:]]


def attributed_words(claim: Said, speaker: str, who: frozenset[str]) -> frozenset[str]:
    """The content lemmas of what the claim has the speaker say: the words inside its quote marks
    when it quotes, else the rest of its clause, the attribution left out."""
    clause = next((c for c in clauses(claim.text) if speaker in c), claim.text)
    quoted = " ".join(QUOTATION.findall(clause.translate(DOUBLE_QUOTES)))
    words = tokenize(quoted) if quoted else tokenize(clause)
    return frozenset(t.lemma for t in words if t.stem and t.name not in who and t.key not in SPEECH_WORDS)


def voices_of(text: str, speaker: str, context: Context) -> frozenset[str]:
    """The words naming a speaker and whom they speak for: the words of their name and the
    capitalised ones just before it ("Kremlin spokesman Dmitry Peskov")."""
    before = text[: text.find(speaker)].split()[-AFFILIATION_WORDS:]
    return speaker_keys(speaker, context) | speaker_keys(" ".join(before), context)


def check_speaker(claim: Said, evidence: Sequence[Said], context: Context) -> Finding | None:
    """A claim that gives words to a named speaker needs evidence that gives them to that speaker.
    Of the evidence sentences holding most of those words, and nearly as many as the closest one
    holds: one that attributes them to the speaker (or to whom the speaker speaks for) settles it;
    else one that attributes them to someone named makes the claim misattributed; else one that
    names the speaker outside its quotations, or gives the words to a pronoun or to no one by name
    ("the report says", "a woman who said she was ..."), leaves it be; else words the evidence
    states as narration are misattributed too."""
    speaker = attributed_speaker(claim.text)
    if speaker is None or speaker.lower() in PRONOUNS:
        return None
    credit = re.search(re.escape(speaker) + OUTLET_CREDIT, claim.text) is not None
    who = speaker_keys(speaker, context)
    said = attributed_words(claim, speaker, who) if who else frozenset()
    if not said:
        return None
    voices = voices_of(claim.text, speaker, context)
    other: tuple[Said, str] | None = None
    undecided = False
    narration: Said | None = None
    held_by = [(e, len(said & e.lemmas)) for e in evidence]
    # The sentences that hold the words as closely as the closest one: "inside the warehouse (on
    # Perryman Road)," quoted from one voice is not narration another attributes that shares "inside"
    # and "Perryman Road".
    least = max(SAME_WORDS_SHARE * len(said), CLOSEST_SHARE * max((held for _, held in held_by), default=0))
    for e, held in held_by:
        if held < least:
            continue
        theirs = attributed_speaker(e.text)
        # Words a source gives to no one by name ("the report says", "he said") may be anyone's.
        if theirs is not None and theirs.lower() not in PRONOUNS and speaker_keys(theirs, context):
            if who & voices_of(e.text, theirs, context) or voices & speaker_keys(theirs, context):
                return None
            other = other or (e, theirs)
        elif (
            theirs is not None
            or who & {t.name for t in tokenize(outside_quotes(e.text))}
            # Someone the source does not name reports them: "a woman who said she was locked in the
            # trunk ... by her jealous boyfriend".
            or SPEECH_VERB_ANYWHERE.search(outside_quotes(e.text))
        ):
            undecided = True
        elif held >= NARRATION_SHARE * len(said):
            narration = narration or e
    if other is not None:
        source, theirs = other
        return Finding(
            "contradicted", f"misattributed: words given to {speaker}; {source.quote()} gives them to {theirs}"
        )
    if undecided or narration is None or credit:
        return None
    return Finding(
        "contradicted", f"misattributed: words given to {speaker}; {narration.quote()} attributes them to no one"
    )


CHECKS: dict[str, Check] = {
    "numbers": check_numbers,
    "names": check_names,
    "negation": check_negation,
    "antonyms": check_antonyms,
    "modality": check_modality,
    "roles": check_roles,
    "speaker": check_speaker,
}


def first_finding(
    claim: Said, evidence: Sequence[Said], context: Context, checks: Sequence[str] = tuple(CHECKS)
) -> Finding | None:
    for name in checks:
        if finding := CHECKS[name](claim, evidence, context):
            return finding
    return None
