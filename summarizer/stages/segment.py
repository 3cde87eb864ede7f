"""Stage 2: split clean paragraphs into sentences (NLTK punkt_tab) with token data."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..resources import sentence_tokenizer
from ..text import content_stems, names, numbers, words
from ..types import CleanDocument, Sentence

# Fragments shorter than this carry no fact worth citing ("Okay.", "He said.").
MIN_SENTENCE_WORDS = 4
# Prose has function words and verbs in lower case; a run of capitalised words
# ("Jung Un, Kim Jong-il.") is a caption, a headline or a garbled name list.
MIN_LOWERCASE_WORDS = 2
LOWERCASE_WORD = re.compile(r"\b[a-z][a-z'’]+\b")


def is_prose(text: str) -> bool:
    return len(text.split()) >= MIN_SENTENCE_WORDS and len(LOWERCASE_WORD.findall(text)) >= MIN_LOWERCASE_WORDS


def make_sentence(article_index: int, position: int, text: str) -> Sentence:
    tokens = words(text)
    return Sentence(
        article_index=article_index,
        position=position,
        text=text,
        stems=content_stems(tokens),
        numbers=numbers(tokens),
        names=names(tokens),
    )


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in sentence_tokenizer().tokenize(text) if s.strip()]


def segment(documents: Sequence[CleanDocument]) -> list[Sentence]:
    sentences = []
    for doc in documents:
        position = 0
        for paragraph in doc.paragraphs:
            for text in split_sentences(paragraph):
                if not is_prose(text):
                    continue
                sentences.append(make_sentence(doc.article_index, position, text))
                position += 1
    return sentences
