"""Word-level features shared by segmentation, deduplication and attribution.

Kept in one place so that "the same fact" means the same thing when sentences
are merged and when a generated sentence is checked against its sources.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import regex

from .resources import ENGLISH, stemmer, stop_words
from .types import UNSPACED_CHARACTER, UNSPACED_LETTER, UNSPACED_SCRIPTS

# A word: one character of a script written without spaces (with its marks), or a run of letters
# (with their marks, apostrophes and hyphens) of any other script, or a number. On ASCII text
# this is the earlier [A-Za-z][A-Za-z'’-]* rule, so English tokens are unchanged.
WORD_RE = regex.compile(
    rf"{UNSPACED_LETTER}\p{{M}}*"
    rf"|[[\p{{L}}]--[{UNSPACED_SCRIPTS}]](?:[[\p{{L}}\p{{M}}]--[{UNSPACED_SCRIPTS}]]|['’\-])*"
    r"|\d[\d,.]*\d|\d",
    regex.V1,
)
# French, Italian and Catalan write an elided article or pronoun onto the next word ("l'accord").
ELIDING_LANGUAGES = {"fr", "it", "ca"}
ELISION = re.compile(r"^(?:c|d|j|l|m|n|s|t|qu|jusqu|lorsqu|puisqu|un|all|dall|dell|nell|sull|coll)'(?=\w)")
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
# The C0 control characters other than tab, line feed and carriage return (a regex character-class
# body): no text needs them, and PostgreSQL cannot store NUL. The service refuses a request's text
# with them; text fetched from elsewhere is cleaned of them (`without_control_characters`).
CONTROL_CHARACTERS = r"\x00-\x08\x0B\x0C\x0E-\x1F"
CONTROL_CHARACTER = re.compile(f"[{CONTROL_CHARACTERS}]")
# Characters a page carries for its layout and a reader never sees: a soft hyphen, a zero-width
# space, a word joiner, a byte-order mark. Left in, they split a word from its match ("The\u200b
# Flight Crew", "knew \u00adChapman") and print as odd gaps. Zero-width (non-)joiners stay: some
# scripts and emoji need them.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Words that are capitalised for grammar, not because they name something.
NOT_NAMES = {"i", "mr", "mrs", "ms", "dr"}

# An opinion column's disclaimer ("The views expressed are solely his own."): the cleaner drops a
# line that opens with it, segmentation a sentence holding it inside a paragraph.
COLUMN_DISCLAIMER = r"\b(?:views|opinions) expressed\b.{0,40}\bare (?:solely )?(?:his|her|their|those of)\b"

# A page speaking to its reader about the page itself: its scripts, browser, sign-up forms,
# embedded players and reprint terms. News prose reports on others, so these words mark site
# furniture even inside a long paragraph, where the line rules of cleaning do not reach; segmentation
# drops each sentence that has them (`site_notice`); story clustering sets aside a page of them.
SITE_NOTICE = re.compile(
    r"\bjavascript\b|\byour (web )?browser\b|\byour (email )?inbox\b|\byour tweets?\b"
    r"|\bthanks? (you )?for (subscribing|signing up|registering)\b|\bsee our privacy\b"
    r"|\b(could not|couldn't|cannot|can't) (be )?(loaded|load|played|subscribe)\b|\btry again later\b"
    r"|\bnon-commercial use\b|\bpresentation-ready copies\b"
    r"|\b(the )?page you (requested|are looking for)\b|\bpage (was )?not found\b"
    r"|\bnewsletters?\b.*\b(sign up|subscribe|inbox)\b|\b(sign up|subscribe)\b.*\bnewsletters?\b"
    # A newsletter's promotion that is nothing more: "The most reliable politics newsletter."
    r"|^(?:\S+\s+){0,5}newsletters?\.?$"
    # A video player's rating notice, a news site's "follow this topic" button, a web archive's
    # notes on its own pages and its files, an opinion column's disclaimer (COLUMN_DISCLAIMER).
    r"|\bwhen the video has been rented\b|\bas an interest to stay up to date\b"
    r"|\bcrawls (are part|of supported)\b|\barchived? (the )?pages\b|\bpages that are referenced\b"
    r"|\bbroken links? on the web\b|\bWARCs?\b"
    # A photo's sale button, a video player's buttons, a page's redirect notice, and a teaser cut
    # off before its link ("... looking for a new publisher; several... More.").
    r"|\bbuy photo\b|\bembed x share\b|\bwait \d+ seconds? to continue\b|(?:\.\.\.|…)\s*more\.?$"
    rf"|{COLUMN_DISCLAIMER}",
    re.I,
)


def tidy_generated(text: str) -> str:
    """Undo the tokenizer-style spacing of some seq2seq outputs ("Korea ." -> "Korea.")."""
    text = normalize(text)
    text = re.sub(r"\s+([.,;:!?%])", r"\1", text)
    return re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d)\b", r"\1", text)


def without_control_characters(text: str) -> str:
    """`text` without CONTROL_CHARACTERS."""
    return CONTROL_CHARACTER.sub("", text)


def normalize(text: str) -> str:
    """Unicode NFC, typographic quotes and dashes folded, invisible characters taken out,
    whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate(QUOTES).translate(INVISIBLE)
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    return WORD_RE.findall(normalize(text))


def fold(word: str, language: str = ENGLISH) -> str:
    """A lower-case word as `language` compares it: Greek without accents and with σ for a final ς
    (as NLTK's Greek stop words are written, and Greek has no Snowball stemmer); French, Italian and
    Catalan without an elided article or pronoun ("l'accord" -> "accord"). English is unchanged."""
    if language == "el":
        return without_accents(word).replace("ς", "σ")
    if language in ELIDING_LANGUAGES:
        return ELISION.sub("", word)
    return word


def without_accents(word: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    )


@cache
def stop_keys(language: str = ENGLISH) -> frozenset[str]:
    """The language's stop words, folded as its words are."""
    return frozenset(fold(word, language) for word in stop_words(language))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str = ENGLISH) -> str:
    """Porter stem for English, Snowball for the languages NLTK covers, the word itself for the
    rest; memoised: news vocabulary repeats, and the Python stemmers are the slow part."""
    word_stemmer = stemmer(language)
    return word_stemmer.stem(word) if word_stemmer is not None else word


def content_stems(tokens: list[str], language: str = ENGLISH) -> tuple[str, ...]:
    """Stemmed, lower-cased tokens without stop words, bare digits or one-letter words (a
    character of a script written without spaces is a word)."""
    stops = stop_keys(language)
    out = []
    for token in tokens:
        key = fold(token.lower().strip("'-"), language)
        if (len(key) < 2 and not UNSPACED_CHARACTER.match(key)) or key in stops or key[0].isdigit():
            continue
        out.append(stem(key, language))
    return tuple(out)


def _number(token: str, language: str) -> str | None:
    lower = token.lower()
    if lower[0].isdigit():
        digits = lower.replace(",", "")
        if digits.endswith(".0"):
            digits = digits[:-2]
        return digits
    if language != ENGLISH:  # the words below are English ("ten" is Dutch for "at the")
        return None
    lower = name_key(lower)  # "Tuesday's jackpot" dates it as "Tuesday" does
    if lower in NUMBER_WORDS:
        return NUMBER_WORDS[lower]
    if lower in MONTHS and token[0].isupper():  # "may" and "march" are verbs too
        return MONTHS[lower]
    if lower in WEEKDAYS:
        return lower
    return None


def numbers(tokens: list[str], language: str = ENGLISH) -> frozenset[str]:
    """Numbers, and in English number words, months and weekdays: the facts that must never be
    mixed up."""
    found = set()
    for token in tokens:
        for part in token.split("-"):
            if part and (value := _number(part, language)) is not None:
                found.add(value)
    return frozenset(found)


def name_key(token: str) -> str:
    """How a name is compared: lower case, no quotes, no possessive ("People's" -> "people")."""
    key = token.lower().strip("'-")
    return key[:-2] if key.endswith("'s") else key


def names(tokens: list[str], language: str = ENGLISH) -> frozenset[str]:
    """Capitalised words, lower-cased, skipping the sentence's first word, date words and stop words.

    A name at the start of a sentence is missed; that only weakens the name
    check, which is a guard on top of content-word overlap. Scripts without
    case (Arabic, Hebrew, Chinese...) have no names by this rule; German, which
    capitalises every noun, has many.
    """
    stops = stop_keys(language)
    found = set()
    for i, token in enumerate(tokens):
        if i == 0 or not token[0].isupper():
            continue
        lower = name_key(token)
        if lower in NOT_NAMES or lower in MONTHS or lower in WEEKDAYS or fold(lower, language) in stops:
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


def site_notice(sentence: str) -> bool:
    """Whether a sentence is the page talking about itself ("We've detected that JavaScript is
    disabled in your browser."), not news."""
    return bool(SITE_NOTICE.search(sentence))
