"""Language resources shipped inside the package, so a fresh install works offline.

The punkt_tab sentence model (English) and the stop-word lists come from NLTK Data
(Apache-2.0; see data/nltk_data/NOTICE); the language identifier's model ships inside the
py3langid wheel.

The NLTK files are read here directly, not through `nltk.data`: NLTK 3.10 refuses to read data
that is group- or world-writable or owned by another account, which is how `pip install -e .`
leaves a checkout under umask 002. These files are plain word lists and tab-separated tables,
parsed as text (nothing is unpickled or run), and they sit beside the package's own code, so
whoever could alter them could alter the code too.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Protocol

# Imported here, not on first use: the first summarize() calls of a threaded server run at once,
# and concurrent first imports of one module can deadlock or see it half initialised.
from nltk.stem.porter import PorterStemmer
from nltk.stem.snowball import SnowballStemmer
from nltk.tabdata import PunktDecoder
from nltk.tokenize.punkt import PunktLanguageVars, PunktParameters, PunktSentenceTokenizer
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from wordllama.inference import WordLlamaInference

from .errors import ResourceUnavailable

NLTK_DATA_DIR = Path(__file__).parent / "data" / "nltk_data"
ENGLISH = "en"

# ISO 639-1 codes (as the language identifier answers) of the languages NLTK has stop words or a
# Snowball stemmer for, and NLTK's names for them.
NLTK_LANGUAGES = {
    "ar": "arabic",
    "az": "azerbaijani",
    "bn": "bengali",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "he": "hebrew",
    "hu": "hungarian",
    "id": "indonesian",
    "it": "italian",
    "kk": "kazakh",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sl": "slovene",
    "sv": "swedish",
    "tg": "tajik",
    "tr": "turkish",
    "zh": "chinese",
}
# Names for messages, beyond NLTK's list: the other languages news often comes in.
LANGUAGE_NAMES = {
    code: name.capitalize() for code, name in NLTK_LANGUAGES.items() if code not in ("nn", "no", "zh")
} | {
    "bg": "Bulgarian",
    "cs": "Czech",
    "fa": "Persian",
    "hi": "Hindi",
    "hr": "Croatian",
    "ja": "Japanese",
    "ko": "Korean",
    "nn": "Norwegian",
    "no": "Norwegian",
    "pl": "Polish",
    "sk": "Slovak",
    "sr": "Serbian",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
# Below this probability the text is too short to tell its language (one short English sentence
# scores about 0.8, a Spanish headline 0.66, a four-word name list under 0.15).
MIN_LANGUAGE_CONFIDENCE = 0.3
_IDENTIFIER_LOCK = threading.Lock()


class Stemmer(Protocol):
    def stem(self, word: str) -> str: ...


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, repr(code))


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ResourceUnavailable(
            f"cannot read {path} ({getattr(err, 'strerror', None) or err}): the NLTK data shipped with "
            "newsbrief is missing or damaged; reinstall the package"
        ) from None


# Titles news writing puts before a name that the English punkt model does not know, so that it
# ended a sentence at each: "New York Police Department Sgt. | Brendan Ryan said.", "Gov. | Andrew
# Cuomo", "the Mt. | Tabor Reservoir". (It knows "Lt.", "Col.", "Gen.", "Sen.", "Rep.", "Dr.", "Mr.".)
TITLE_ABBREVIATIONS = frozenset(
    {"sgt", "gov", "det", "capt", "cmdr", "supt", "insp", "atty", "cpl", "pvt", "brig", "mt"}
)


@cache
def punkt_parameters() -> PunktParameters:
    """The English punkt_tab model, read from the package's files (the decoder takes any
    iterable of lines)."""
    folder = NLTK_DATA_DIR / "tokenizers" / "punkt_tab" / "english"
    decoder = PunktDecoder()
    params = PunktParameters()
    params.collocations = set(decoder.tab2tups(_read_lines(folder / "collocations.tab")))
    params.sent_starters = decoder.txt2set(_read_lines(folder / "sent_starters.txt"))
    params.abbrev_types = decoder.txt2set(_read_lines(folder / "abbrev_types.txt")) | TITLE_ABBREVIATIONS
    params.ortho_context = decoder.tab2intdict(_read_lines(folder / "ortho_context.tab"))
    return params


class GreekPunctuation(PunktLanguageVars):
    sent_end_chars = (".", "?", "!", ";", "\u037e")
    internal_punctuation = ",:·"


@cache
def sentence_tokenizer(language: str = ENGLISH) -> PunktSentenceTokenizer:
    """Punkt with the English parameters, for every language written with . ! ? (Latin, Cyrillic
    and Greek scripts): only the English punkt_tab model ships. Greek also ends questions with
    ';' (the Greek question mark, which Unicode normalisation turns into a semicolon)."""
    return PunktSentenceTokenizer(punkt_parameters(), lang_vars=GreekPunctuation() if language == "el" else None)


@cache
def stop_words(language: str = ENGLISH) -> frozenset[str]:
    """NLTK's stop words for `language` (an ISO 639-1 code); empty where NLTK has no list."""
    name = NLTK_LANGUAGES.get(language)
    if name is None:
        return frozenset()
    return frozenset(w.strip() for w in _read_lines(NLTK_DATA_DIR / "corpora" / "stopwords" / name) if w.strip())


@cache
def stemmer(language: str = ENGLISH) -> Stemmer | None:
    """Porter for English (as before), NLTK's Snowball stemmer for the languages it covers, else None."""
    if language == ENGLISH:
        return PorterStemmer()
    name = NLTK_LANGUAGES.get(language)
    return SnowballStemmer(name) if name in SnowballStemmer.languages else None


@cache
def _load_language_identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """The language of `text` as an ISO 639-1 code, and its probability (py3langid, offline).
    The model (a second to load) is loaded once, even when the first calls come at once."""
    with _IDENTIFIER_LOCK:
        identifier = _load_language_identifier()
    code, probability = identifier.classify(text)
    return code, probability


# Pretrained static word embeddings (WordLlama "l2_supercat", 256 dimensions, MIT) ship in the
# `wordllama` wheel. Its own loader looks for the tokenizer under a folder name the wheel does
# not use and then tries the Hugging Face hub, so the two files are read here directly.
_WORD_VECTORS_LOCK = threading.Lock()


@cache
def _load_word_vectors() -> WordLlamaInference:
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer

    root = Path(wordllama.__file__).parent
    tokenizer_file = root / "tokenizers" / "l2_supercat_tokenizer_config.json"
    weights_file = root / "weights" / "l2_supercat_256.safetensors"
    if not (tokenizer_file.is_file() and weights_file.is_file()):
        raise ResourceUnavailable(f"the wordllama wheel lacks its embeddings ({root}); reinstall wordllama")
    with safe_open(str(weights_file), framework="np", device="cpu") as weights:
        embedding = weights.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, Tokenizer.from_file(str(tokenizer_file)))


def word_vectors() -> WordLlamaInference:
    """The static sentence embedder (a third of a second to load, once per process)."""
    with _WORD_VECTORS_LOCK:
        return _load_word_vectors()
