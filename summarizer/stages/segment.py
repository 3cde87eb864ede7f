"""Stage 2: split clean paragraphs into sentences with token data, in the article's language.

Each article's language is identified (py3langid); it chooses the stop words and stemmer of its
sentences. Sentences are split by NLTK's punkt with the English parameters (the only punkt_tab
model shipped), which serves every script that ends sentences with . ! ? (Latin, Cyrillic,
Greek, with ';' as the Greek question mark); the full stops of other scripts (。！？ । ؟ ...)
end a sentence too, with or without a space after them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import regex

from ..resources import ENGLISH, MIN_LANGUAGE_CONFIDENCE, detect_language, language_name, sentence_tokenizer
from ..text import content_stems, names, numbers, words
from ..types import UNSPACED_LETTER, CleanDocument, Sentence, count_words

# Fragments shorter than this carry no fact worth citing ("Okay.", "He said.").
MIN_SENTENCE_WORDS = 4
# Prose has function words and verbs in lower case; a run of capitalised words
# ("Jung Un, Kim Jong-il.") is a caption, a headline or a garbled name list. A word of a script
# without case (Arabic, Hebrew, Devanagari...) counts as lower case, and so does each character of
# a script written without spaces. English words of one letter do not count ("a" is no sign of
# prose; on ASCII text the English rule is the earlier \b[a-z][a-z'’]+\b); in other languages
# they do: Russian "в", "и", "с" are the function words the rule looks for.
MIN_LOWERCASE_WORDS = 2
LOWERCASE_WORD = regex.compile(rf"{UNSPACED_LETTER}|\b[\p{{Ll}}\p{{Lo}}][\p{{Ll}}\p{{Lo}}\p{{M}}'’]*\b", regex.V1)
ENGLISH_LOWERCASE_WORD = regex.compile(
    rf"{UNSPACED_LETTER}|\b[\p{{Ll}}\p{{Lo}}][\p{{Ll}}\p{{Lo}}\p{{M}}'’]+\b", regex.V1
)
# Sentence ends that punkt does not know: CJK full stops, Devanagari danda, Arabic question mark,
# Ethiopic, Armenian and Myanmar full stops. One followed by a closing quote or bracket does not
# split: Japanese and Chinese quote whole sentences inside a sentence (「本当か？」と聞いた。).
OTHER_SENTENCE_END = regex.compile(r"(?<=[。！？｡।॥؟።։။])(?![\p{Pe}\p{Pf}\"'。！？｡।॥؟።։။])\s*")
# Enough text to tell the language; the identifier reads every byte it is given.
LANGUAGE_SAMPLE_CHARS = 10_000
# Seq2seq families trained on many languages; any other model is taken to be an English one.
MULTILINGUAL_MODEL = re.compile(r"mt5|mt0|mbart|m2m|nllb|multilingual|xlm|byt5", re.I)


def is_prose(text: str, language: str = ENGLISH) -> bool:
    lowercase_word = ENGLISH_LOWERCASE_WORD if language == ENGLISH else LOWERCASE_WORD
    return count_words(text) >= MIN_SENTENCE_WORDS and len(lowercase_word.findall(text)) >= MIN_LOWERCASE_WORDS


def make_sentence(article_index: int, position: int, text: str, language: str = ENGLISH) -> Sentence:
    tokens = words(text)
    return Sentence(
        article_index=article_index,
        position=position,
        text=text,
        stems=content_stems(tokens, language),
        numbers=numbers(tokens, language),
        names=names(tokens, language),
        language=language,
    )


def split_sentences(text: str, language: str = ENGLISH) -> list[str]:
    pieces = (piece for s in sentence_tokenizer(language).tokenize(text) for piece in OTHER_SENTENCE_END.split(s))
    return [piece.strip() for piece in pieces if piece.strip()]


def document_languages(documents: Sequence[CleanDocument]) -> list[str]:
    """Each document's language (ISO 639-1). One too short to tell takes the cluster's most
    common confident language, or English when none is confident (as before languages were told)."""
    detected = [detect_language(" ".join((doc.title, *doc.paragraphs))[:LANGUAGE_SAMPLE_CHARS]) for doc in documents]
    confident = Counter(code for code, probability in detected if probability >= MIN_LANGUAGE_CONFIDENCE)
    fallback = confident.most_common(1)[0][0] if confident else ENGLISH
    return [code if probability >= MIN_LANGUAGE_CONFIDENCE else fallback for code, probability in detected]


def segment(documents: Sequence[CleanDocument]) -> list[Sentence]:
    sentences = []
    for doc, language in zip(documents, document_languages(documents), strict=True):
        position = 0
        for paragraph in doc.paragraphs:
            for text in split_sentences(paragraph, language):
                if not is_prose(text, language):
                    continue
                sentences.append(make_sentence(doc.article_index, position, text, language))
                position += 1
    return sentences


def language_warnings(sentences: Sequence[Sentence], model_name: str) -> list[str]:
    """A warning when articles are not in English and the model is an English one: a model
    trained on English news (the default distilbart-cnn-12-6 learnt from CNN/DailyMail) writes
    English, or garbled text, from other languages."""
    article_languages = {s.article_index: s.language for s in sentences}
    foreign = Counter(code for code in article_languages.values() if code != ENGLISH)
    if not foreign or MULTILINGUAL_MODEL.search(model_name):
        return []
    languages = ", ".join(language_name(code) for code, _ in foreign.most_common())
    return [
        f"{foreign.total()} of {len(article_languages)} articles are not in English ({languages}), but the model "
        f"{model_name} was trained on English text: it may write English or garbled sentences, and those the "
        "sources do not support are dropped; the extractive engine quotes the articles in their own language"
    ]
