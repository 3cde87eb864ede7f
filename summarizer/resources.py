"""Language resources shipped inside the package, so a fresh install works offline.

The English punkt_tab model and stop-word list come from NLTK Data (Apache-2.0);
see data/nltk_data/NOTICE. NLTK only opens data files under the roots listed in
`nltk.data.path`, so the package's own folder is put first on that list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import nltk.data

NLTK_DATA_DIR = Path(__file__).parent / "data" / "nltk_data"


def _use_shipped_nltk_data() -> None:
    root = str(NLTK_DATA_DIR)
    if root not in nltk.data.path:
        nltk.data.path.insert(0, root)


@cache
def sentence_tokenizer(language: str = "english"):
    from nltk.tokenize.punkt import PunktTokenizer

    _use_shipped_nltk_data()
    return PunktTokenizer(language)


@cache
def stop_words(language: str = "english") -> frozenset[str]:
    path = NLTK_DATA_DIR / "corpora" / "stopwords" / language
    return frozenset(w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip())


@cache
def stemmer():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()
