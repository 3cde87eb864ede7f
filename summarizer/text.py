"""Word-level features shared by segmentation, deduplication and attribution.

Kept in one place so that "the same fact" means the same thing when sentences
are merged and when a generated sentence is checked against its sources.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .resources import stemmer, stop_words

WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,.]*\d|\d")
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "–": "-", "—": " - "})

MONTHS = {
    "january": "jan",
    "jan": "jan",
    "february": "feb",
    "feb": "feb",
    "march": "mar",
    "mar": "mar",
    "april": "apr",
    "apr": "apr",
    "may": "may",
    "june": "jun",
    "jun": "jun",
    "july": "jul",
    "jul": "jul",
    "august": "aug",
    "aug": "aug",
    "september": "sep",
    "sept": "sep",
    "sep": "sep",
    "october": "oct",
    "oct": "oct",
    "november": "nov",
    "nov": "nov",
    "december": "dec",
    "dec": "dec",
}
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "dozen": "12",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
}
# Words that are capitalised for grammar, not because they name something.
NOT_NAMES = {"i", "mr", "mrs", "ms", "dr"}


def tidy_generated(text: str) -> str:
    """Undo the tokenizer-style spacing of some seq2seq outputs ("Korea ." -> "Korea.")."""
    text = normalize(text)
    text = re.sub(r"\s+([.,;:!?%])", r"\1", text)
    return re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d)\b", r"\1", text)


def normalize(text: str) -> str:
    """Unicode NFC, typographic quotes and dashes folded, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(QUOTES)
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    return WORD_RE.findall(normalize(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter stem, memoised: news vocabulary repeats, and the Python stemmer is the slow part."""
    return stemmer().stem(word)


def content_stems(tokens: list[str]) -> tuple[str, ...]:
    """Stemmed, lower-cased tokens without stop words or bare digits."""
    stops = stop_words()
    out = []
    for token in tokens:
        lower = token.lower().strip("'-")
        if len(lower) < 2 or lower in stops or lower[0].isdigit():
            continue
        out.append(stem(lower))
    return tuple(out)


def _number(token: str) -> str | None:
    lower = token.lower()
    if lower[0].isdigit():
        digits = lower.replace(",", "")
        if digits.endswith(".0"):
            digits = digits[:-2]
        return digits
    if lower in NUMBER_WORDS:
        return NUMBER_WORDS[lower]
    if lower in MONTHS and token[0].isupper():  # "may" and "march" are verbs too
        return MONTHS[lower]
    if lower in WEEKDAYS:
        return lower
    return None


def numbers(tokens: list[str]) -> frozenset[str]:
    """Numbers, number words, months and weekdays: the facts that must never be mixed up."""
    found = set()
    for token in tokens:
        for part in token.split("-"):
            if part and (value := _number(part)) is not None:
                found.add(value)
    return frozenset(found)


def name_key(token: str) -> str:
    """How a name is compared: lower case, no quotes, no possessive ("People's" -> "people")."""
    key = token.lower().strip("'-")
    return key[:-2] if key.endswith("'s") else key


def names(tokens: list[str]) -> frozenset[str]:
    """Capitalised words, lower-cased, skipping the sentence's first word and date words.

    A name at the start of a sentence is missed; that only weakens the name
    check, which is a guard on top of content-word overlap.
    """
    found = set()
    for i, token in enumerate(tokens):
        if i == 0 or not token[0].isupper():
            continue
        lower = name_key(token)
        if lower in NOT_NAMES or lower in MONTHS or lower in WEEKDAYS or lower in stop_words():
            continue
        found.add(lower)
    return frozenset(found)


def numbers_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two sentences may state the same fact only if one's numbers include the other's."""
    return a <= b or b <= a


MONTH_NUMBERS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DATE_PATTERNS = [
    (re.compile(MONTH_NAME + r"[.\s]*(\d{1,2})(?:st|nd|rd|th)?[\s,.\-–]+(\d{4})\b", re.I), ("month", "day", "year")),
    (re.compile(r"\b(\d{1,2})\s+" + MONTH_NAME + r"[\s,.]+(\d{4})\b", re.I), ("day", "month", "year")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})(?!\d)"), ("year", "month", "day")),
]


def find_date(text: str) -> str | None:
    """The first calendar date written in `text` as an ISO date (YYYY-MM-DD), or None."""
    import datetime

    for pattern, order in DATE_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        parts = dict(zip(order, match.groups(), strict=True))
        month = parts["month"]
        month = int(month) if month.isdigit() else MONTH_NUMBERS[month.lower()[:3]]
        try:
            return datetime.date(int(parts["year"]), month, int(parts["day"])).isoformat()
        except ValueError:
            continue
    return None
