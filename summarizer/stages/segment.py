"""Stage 2: split clean paragraphs into sentences with token data, in the article's language.

Each article's language is identified (py3langid); it chooses the stop words and stemmer of its
sentences. Sentences are split by NLTK's punkt with the English parameters (the only punkt_tab
model shipped), which serves every script that ends sentences with . ! ? (Latin, Cyrillic,
Greek, with ';' as the Greek question mark); the full stops of other scripts (。！？ । ؟ ...)
end a sentence too, with or without a space after them.

A sentence is a complete one or none. Punkt splits at every full stop, so a stray one in mid
sentence ("... arms deliveries to Russia. intended for its assault in Ukraine.") leaves a
dangling half: a piece that opens in lower case is joined back to the sentence before it (the
stray stop removed). A quotation of several sentences stays one unit with the words that
attribute it ('"... Russia. They are doing everything ...," said Putin.'): cut at its full
stops, its inner sentences would read as plain statements of fact. What is still incomplete is
dropped and counted: a piece that opens in lower case with nothing before it, text that is not
prose, and a quotation that has no words outside its quote marks (its speaker is in another
paragraph, so the reader could not tell whose voice it is).

A quotation is given a speaker only where the text proves it: its quote marks open and close
where quote marks do (an opening one before a word, a closing one after one), inside the
paragraph or across a paragraph break that news style marks by opening the next paragraph with a
quote mark again, and the speaker is named in the same sentence or in the quotation right before
it. Wire text that lost its paragraph breaks leaves quotations unclosed, or closed where none
opened: there the marks do not tell quoted words from narration, so no sentence is put in anyone's
voice, the pieces holding the stray marks are dropped, and the pieces between them are kept only
when they are not in the first or second person (narration, not a voice nobody is named for).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import dropwhile

import regex

from ..resources import ENGLISH, MIN_LANGUAGE_CONFIDENCE, detect_language, language_name, sentence_tokenizer
from ..similarity import embed
from ..text import MONTHS, WEEKDAYS, content_stems, names, numbers, site_notice, stop_keys, words
from ..types import UNSPACED_LETTER, UNSPACED_SCRIPTS, CleanDocument, Sentence, count_words

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
# A sentence's end run into the next sentence: a lower-case letter or a digit, a full stop, question
# or exclamation mark, perhaps a quote mark, then a word in capitals ("26.Cosme", "ground.The",
# 'done."The', "news.A shooting", "Wednesday.NTSB"), a word in capitals before the stop ("World War
# II.The", "NATO.The"), or in a script without case two of its letters each side ("المدينة.وقال").
# Not the stop of an abbreviation or initials (a capital after a dot before it: "U.S.",
# "J.K.Rowling"; or a dot before the letter: "p.m."), a decimal ("3.5"), an ellipsis or a domain
# ("example.com": lower case after it); scripts written without spaces end sentences with their own
# stops (OTHER_SENTENCE_END).
# (A caseless letter is a letter or, as in "कहा", a vowel sign after one.)
_CASELESS_LETTERS = rf"[[\p{{Lo}}]--[{UNSPACED_SCRIPTS}]][[\p{{Lo}}\p{{M}}]--[{UNSPACED_SCRIPTS}]]"
RUN_TOGETHER = regex.compile(
    rf"(?:(?:(?<![.…])[\p{{Ll}}\p{{Nd}}]|(?<![\p{{L}}.])\p{{Lu}}{{2,}})[.!?](?P<quote>[\"“”‘’«»]?)"
    rf"(?=\p{{Lu}}(?:\p{{Ll}}|[\p{{Lu}}\d]+\b|\s))"
    rf"|(?<={_CASELESS_LETTERS})[.!?](?={_CASELESS_LETTERS}))",
    regex.V1,
)
CLOSING_QUOTES = "”’»"
# A short capitalised word before the stop is a title's abbreviation more often than a sentence's
# last word ("Gov.Cuomo", "Sen.Warren", "Rep.Ocasio-Cortez"), which punkt does not all know.
TITLE = regex.compile(r"^\p{Lu}\p{Ll}{1,2}\.")
# A word that is a web or e-mail address, whose full stops end no sentence.
LINK = re.compile(r"://|^www\.|@|\.(?:com|org|net|gov|edu|io)(?![a-z0-9-])", re.I)
# Enough text to tell the language; the identifier reads every byte it is given.
LANGUAGE_SAMPLE_CHARS = 10_000
# Seq2seq families trained on many languages; any other model is taken to be an English one.
MULTILINGUAL_MODEL = re.compile(r"mt5|mt0|mbart|m2m|nllb|multilingual|xlm|byt5", re.I)


def is_prose(text: str, language: str = ENGLISH) -> bool:
    lowercase_word = ENGLISH_LOWERCASE_WORD if language == ENGLISH else LOWERCASE_WORD
    return count_words(text) >= MIN_SENTENCE_WORDS and len(lowercase_word.findall(text)) >= MIN_LOWERCASE_WORDS


def make_sentence(
    article_index: int, position: int, text: str, language: str = ENGLISH, as_written: str | None = None
) -> Sentence:
    tokens = words(text)
    return Sentence(
        article_index=article_index,
        position=position,
        text=text,
        stems=content_stems(tokens, language),
        numbers=numbers(tokens, language),
        names=names(tokens, language),
        language=language,
        quoted=is_quoted(text),
        speaker=speaker_of(text) if language == ENGLISH else None,
        as_written=as_written if as_written != text else None,
    )


# Double quote marks of any style, folded to '"' before counting: « » „ “ ” and the straight one.
# Single quotes are left alone: the same character is the apostrophe.
DOUBLE_QUOTES = str.maketrans(dict.fromkeys("«»„“”", '"'))
QUOTATION = re.compile(r'"[^"]*"?')
# Where a quote mark stands tells whether it opens a quotation (after a space, a bracket, a dash or
# a colon, before a word) or closes one (after a word or punctuation, before a space, punctuation or
# the end). A mark that fits neither ('" ' between spaces) fits whichever the text expects.
OPENING_MARK = re.compile(r'(?:^|(?<=[\s(\[{:—–-]))"(?=\S)')
CLOSING_MARK = re.compile(r'(?<=\S)"(?=$|[\s.,;:!?)\]}—–-])')
# Words of a voice speaking in the first or second person: narration does not use them (a
# contraction's first word counts: "I'm", "We're", "You've").
FIRST_OR_SECOND_PERSON = re.compile(r"\b(?:I|[Ww]e|us|[Oo]urs?|[Mm]y|[Mm]e|[Yy]ours?|[Yy]ou)\b")
# Verbs that attribute speech; the speaker is the name or noun phrase beside one ("continued to
# live with her father" and "added to the law" are no speech).
SPEECH_VERB = (
    r"(?:said|says|say|told|tells|added(?!\s+to\b)|adds|stated|states|reiterated|declared|announced|wrote|"
    r"writes|asked|insisted|explained|noted|warned|argued|claimed|recalled|continued(?!\s+to\b)|"
    r"commented|replied|responded|acknowledged|admitted|stressed|urged|tweeted|posted|reads|read|concluded|"
    r"[Aa]ccording to)"
)
# The words of those verbs: an attribution's words, not what was said.
SPEECH_WORDS = frozenset(re.findall(r"[a-z]{2,}", SPEECH_VERB.replace("[Aa]", "a")))
# A common noun's whole first word: a brand written in camel case is one ("the iSight report", not
# "the i"). A name with its title runs to five capitalised words ("Public Information Officer
# Samantha Karges": at four the surname was cut off), across the "of" of an institution or a title
# ("The Institute of Directors", "U.S. Secretary of State John Kerry"), not of a place ("Sen. Jeff
# Sessions of Alabama" is Sen. Jeff Sessions).
_OF_NAME = (
    r"(?:Institute|Department|University|Ministry|Office|Bureau|Board|Council|Committee|School|College|Center"
    r"|Centre|Association|Society|Academy|League|Union|Court|Bank|Secretary|Minister|General|President|Chief"
    r"|Director|Head|Inspector-General|Attorney|Chancellor|Governor|Commissioner|Chairman)"
)
# Auxiliaries that, after a noun, make it the subject of a clause: "said the decision did not ...".
_CLAUSE_AUXILIARIES = "is|was|were|are|has|had|have|will|would|could|did|does"
_WHO = (
    rf"(?:[Tt]he\s+)?(?:{_OF_NAME}\s+of\s+(?=[A-Z])|[A-Z][\w'’.-]*\s+){{0,4}}[A-Z][\w'’.-]*|[Hh]e|[Ss]he|[Tt]hey"
    rf"|[Tt]he\s+[a-z][\w'’-]*(?:\s+(?!(?:{_CLAUSE_AUXILIARIES})\b)[a-z]+)?\b"
)
# Nouns of the roles news writing puts before a speaker's name ("National Security Council
# spokesman John Kirby", "deputy commissioner Russ Granik", "President Joe Biden").
ROLE_NOUNS = (
    "spokesman|spokeswoman|spokesperson|minister|secretary|president|director|chief|commissioner|"
    "official|senator|governor|mayor|chairman|chairwoman|chair|ceo|leader|head|attorney|lawyer|"
    "prosecutor|judge|sheriff|officer|captain|ambassador|adviser|advisor|analyst|professor|economist|"
    "executive|founder|manager|coach|representative|lieutenant|sergeant|detective|inspector|"
    "superintendent|councilman|councilwoman|commander|counsel|researcher|scientist|candidate|nominee|"
    "editor|correspondent|owner|activist|organizer|general|premier|chancellor|envoy|negotiator"
)
# After these the name is who was spoken to or about, not the speaker ("an insider told UK
# magazine Look", "asked Smith", "the note reads"); "according to" names its source only after
# it ("at the time, according to Lt. Corina").
NOT_INVERTED = {"told", "tells", "asked", "urged", "reads", "read", "posted"}
# Lower-case words of a role between the verb and the name ("said deputy commissioner Russ
# Granik"), not a preposition or article that starts a phrase of time or place ("said on Monday").
_NOT_ROLE = r"on|in|at|that|the|a|an|to|of|for|from|by|with|as|after|before|during|when|while|last|this|it"
_ROLE_WORDS = rf"(?:(?!(?:{_NOT_ROLE})\s)[a-z][a-z-]+\s+){{1,3}}(?=[A-Z])"
# An organisation's or a place's name, then the role in lower case, between the verb and the name
# ("said State Department spokesman Mark Toner", "said Spokane resident Jason Prettyman"): the
# organisation is whom the person speaks for, not the speaker.
_ORGANISATION_ROLE = (
    rf"(?:[A-Z][\w'’.&-]*\s+){{1,4}}(?:[a-z][\w-]*\s+){{0,2}}"
    rf"(?:{ROLE_NOUNS}|resident|volunteer|explorer|member|student|native|worker|employee)\s+(?=[A-Z])"
)
# A verb right after the name: the name is the subject of what was said ("an anchor said Trump was
# down"), not the speaker.
CLAUSE_VERB = re.compile(rf"\s+(?:{_CLAUSE_AUXILIARIES}|should|can|may|might|must|do)\b")
SPEAKER_AFTER_VERB = re.compile(
    rf"\b(?!(?:{'|'.join(NOT_INVERTED)})\b){SPEECH_VERB}\s+(?:{_ORGANISATION_ROLE}|{_ROLE_WORDS})?"
    rf"(?!(?:[Hh]e|[Ss]he|[Tt]hey)\b)(?P<who>{_WHO})"
)
# An attribution after a comma, the name after its verb: '..., said Barbara LaBoe, a state
# spokeswoman.' The words before the comma end what was said ("continued to sweep the area").
SPEAKER_INVERTED = re.compile(
    rf",\s+(?!(?:{'|'.join(NOT_INVERTED)}|[Aa]ccording)\b){SPEECH_VERB}\s+"
    rf"(?:{_ORGANISATION_ROLE}|(?:[a-z][\w-]*\s+){{0,2}}(?:{ROLE_NOUNS})\s+)?"
    rf"(?P<who>(?:[A-Z][\w'’.-]*\s+){{0,4}}[A-Z][\w'’.-]*)(?=\s*(?:[,;]|\||$))"
)
SPEECH_VERB_ANYWHERE = re.compile(rf"\b{SPEECH_VERB}\b")
SPEAKER_BEFORE_VERB = re.compile(
    rf"(?P<who>{_WHO}),?\s+(?:has\s+|had\s+|also\s+|later\s+)?(?![Aa]ccording to){SPEECH_VERB}\b"
)
# A piece that only attributes the quotation before it: '"I have three jobs." Andy Smith said.'
# (punkt splits after the quotation's own full stop), or 'said Andy Smith, a nurse.'.
ATTRIBUTION_TAIL = re.compile(
    rf"^(?:(?:{_WHO}),?\s+(?:also\s+|later\s+)?{SPEECH_VERB}|{SPEECH_VERB}\s+(?:{_WHO})(?:,[^\"“”]*)?)[.!]$"
)
# A complete sentence ends with a full stop, question or exclamation mark (of any script), then
# perhaps closing quotes or brackets. One that does not is a caption, a line that introduces what
# follows ("... said:"), or a teaser cut short by an ellipsis ("Durst still faces a separate...").
# Thai, Lao and Khmer do not mark the end of a sentence.
SENTENCE_END = regex.compile(r"(?<![.…])[.!?;。！？｡।॥؟።։။][\p{Pf}\p{Pe}\"'”’»]*$")
UNPUNCTUATED_LANGUAGES = {"th", "lo", "km"}
# Abbreviations that end a name or a title ("Corp.", "Jr."): a full stop after any other last word
# of a speaker is the sentence's ("..., said Ann Lee.").
NAME_ABBREVIATIONS = {"jr", "sr", "inc", "corp", "co", "ltd", "bros", "gov", "sen", "rep", "lt", "gen", "col"}
NAME_ABBREVIATIONS |= {"capt", "sgt", "cmdr", "dr", "st", "mr", "mrs", "ms", "prof", "esq", "ii", "iii", "iv"}
# Words that open a sentence before a speaker's name, not part of it ("But Davis said", "Monday
# Medicine Hat Police Service said", a live blog's "12:01 P.M. Prime Minister Benjamin Netanyahu").
_WEEKDAY_NAMES = "|".join(sorted(w.title() for w in WEEKDAYS))
_OPENERS = rf"But|And|As|So|Yet|Or|Then|Now|When|While|If|We're|[AP]\.M\.|{_WEEKDAY_NAMES}"
SENTENCE_OPENER = re.compile(rf"^(?:(?:{_OPENERS})(?:\s+(?=[A-Z])|$))+|^(?:The|A|An)$")
# Speakers that name no one the reader can see outside their sentence.
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you"}
# Capitalised words beside a speech verb that are not who spoke ("said Thursday", "It said").
NOT_SPEAKERS = {*WEEKDAYS, *MONTHS, "it", "this", "that", "yesterday", "today", "earlier", "later", "in", "on"}
# A piece that opens in lower case (after any quote mark or bracket) continues the one before it.
CONTINUATION = regex.compile(r"^[\p{Pi}\p{Ps}\"'“‘]*\p{Ll}")
# A time zone after a clock time ("the 8 p.m. | ET primetime slot") continues it: punkt takes the
# stop of "p.m." before a capitalised word for a sentence end.
CLOCK_TIME_END = re.compile(r"\b[ap]\.m\.$", re.I)
TIME_ZONE_START = re.compile(r"^(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|JST|AEST)\b")
# A clock time's "a.m." or "p.m." that ends a sentence, which punkt reads as an abbreviation when
# the next sentence opens with an article or a pronoun: "... Buffalo Springs Drive at about 4 a.m.
# A spokesman said ...". A weekday, a date or a time zone after it goes on with the time ("5 p.m.
# Sunday", "8 p.m. ET").
CLOCK_TIME_THEN_SENTENCE = re.compile(
    r"(?<=\b[ap]\.m\.)\s+(?=(?:A|An|The|He|She|It|They|We|His|Her|Their|Its|This|These|Those|There)\s)"
)
# Initials before a name or a noun ("O.J. | Simpson", "George H.W. | Bush", "the U.S. | Postal
# Service", 'Orenthal James "O.J." | Simpson'): punkt takes their last stop for a sentence end
# when a capitalised word follows. A word that commonly opens a sentence ("The", "He", "In") after
# them is a new sentence.
INITIALS_END = re.compile(r"(?:^|[\s\"“])(?:[A-Z]\.){2,}[\"”]?$")
CAPITALISED_START = re.compile(r"^([A-Z][\w'’-]*)")
# A figure after "No." ("No. | 2 on the most wanted list"): punkt ends a sentence at the
# abbreviation, but a sentence of news does not open with a numeral.
NUMBER_SIGN_END = re.compile(r"\b[Nn]os?\.$")
DIGIT_START = re.compile(r"^\d")


def quote_marks(text: str) -> int:
    return text.translate(DOUBLE_QUOTES).count('"')


def is_quoted(text: str) -> bool:
    return quote_marks(text) > 0


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Where the text's quotations stand (start, end), quote marks included; an unclosed one runs
    to the end."""
    return [m.span() for m in QUOTATION.finditer(text.translate(DOUBLE_QUOTES))]


def outside_quotes(text: str, mark: str = " ") -> str:
    """The text with its quotations cut out (an unclosed one runs to the end), each left as
    `mark`."""
    return QUOTATION.sub(mark, text.translate(DOUBLE_QUOTES))


# What attributed_speaker leaves of a quotation: no speaker's name or speech verb runs across it.
QUOTATION_LEFT_OUT = " | "


def speaker_of(text: str) -> str | None:
    """Who the quotation in an English sentence is attributed to, as written, or None."""
    return attributed_speaker(text) if is_quoted(text) else None


# Segmentation reads a sentence's speaker for the pronouns it may name and again for the sentence.
@lru_cache(maxsize=1 << 14)
def attributed_speaker(text: str) -> str | None:
    """Who an English sentence reports the words of, quoted or not ("Smith said the plan had
    failed."), as written, or None. The speaker and the verb stand together outside the quotation
    marks: in 'inquiries about the trail, "but the movie seems to have had a much bigger effect,"
    said Jack Haskel', the words before the quotation are not the speaker's name."""
    rest = outside_quotes(text, QUOTATION_LEFT_OUT)
    if not SPEECH_VERB_ANYWHERE.search(rest):  # most sentences: every reading needs the verb
        return None
    described = described_speaker(rest)
    if described is not None:
        return described
    unnamed_subject = False  # "a statement from the North Korean Jurists Committee said the ..."
    for pattern in (SPEAKER_INVERTED, SPEAKER_BEFORE_VERB, SPEAKER_AFTER_VERB):
        for found in pattern.finditer(rest):
            if pattern is SPEAKER_BEFORE_VERB and after_preposition(rest[: found.start("who")]):
                unnamed_subject = True
                continue
            # After a subject the sentence does not name, a name after the verb is the speaker only
            # as an attribution of its own (", said Barbara LaBoe"), not what was said ("An official
            # with the Russian Embassy said Katriuk's death ...").
            inverted = rest[: found.start()].rstrip().endswith(",")
            if pattern is SPEAKER_AFTER_VERB and CLAUSE_VERB.match(rest, found.end()):
                continue
            who = speaker_as_written(found.group("who"))
            if who is not None and not (unnamed_subject and (who[:1].islower() or not inverted)):
                return who
    return None


def described_speaker(rest: str) -> str | None:
    """The full name that a description of the person and then the speech verb follow
    (SPEAKER_BEFORE_APPOSITIVE) in `rest`, a sentence with its quotations left out, or None."""
    for found in SPEAKER_BEFORE_APPOSITIVE.finditer(rest):
        written = found.group("who")
        who = speaker_as_written(written)
        if who is None:
            continue
        # "Secretary of State John Kerry said" is a title, not a person from a place.
        if found.group("place") and ROLE_NOUN.fullmatch(who.split()[-1]):
            continue
        # One word opening the sentence is a name ("Schmack, the state's attorney, said", which
        # had read "the state's attorney"), not an adverb ("Meanwhile, ...").
        if len(written.split()) == 1 and not rest[: found.start("who")].strip() and SENTENCE_ADVERB.match(written):
            continue
        return who
    return None


# Words that open a sentence before a comma without naming anyone: "Meanwhile, the head of the
# agency, said ..." is no "Meanwhile" speaking.
SENTENCE_ADVERB = re.compile(
    rf"^(?:\w+ly|However|Meanwhile|Still|Instead|Now|Then|Today|Yesterday|Tonight|Later|Earlier|Also|Moreover"
    rf"|Furthermore|Nevertheless|Nonetheless|Indeed|Overall|Afterwards?|Elsewhere|Again|Thus|Hence|Otherwise"
    rf"|Besides|Yet|So|But|And|Anyway|Here|There|Regardless|Together|First|Second|Third|{_WEEKDAY_NAMES})$"
)


def speaker_as_written(written: str) -> str | None:
    """The speaker's words found beside a speech verb, less a word that opens the sentence ("But
    Davis writes") and the sentence's own full stop; None for a day or a word that names no one
    ("said Thursday", "It said")."""
    who = SENTENCE_OPENER.sub("", written)
    if not who:
        return None
    last = words(who)[-1]
    if last.lower() in NOT_SPEAKERS:
        return None
    # The sentence's full stop after a name ("..., said Delynn."), not an abbreviation's ("Cmdr.",
    # "Corp."), nor an initial's ("U.S.").
    sentence_stop = who.endswith(f"{last}.") and last.lower() not in NAME_ABBREVIATIONS and len(last) > 1
    return who[:-1] if sentence_stop else who


_NAME_WORD = r"[A-Z][\w'’-]*[a-z][\w'’-]*"
ROLE_NOUN = re.compile(rf"(?i:{ROLE_NOUNS})")
ROLE_MENTION = re.compile(
    # From a word's start only: the same mentions, found three times as fast.
    rf"\b(?P<role>(?:[A-Z][\w'’&.-]*\s+){{0,4}}(?:[a-z][\w-]*\s+){{0,2}}(?i:{ROLE_NOUNS}))\s+"
    rf"(?P<name>{_NAME_WORD}(?:\s+[A-Z]\.)?(?:\s+{_NAME_WORD}){{1,2}})\b(?!\s*[A-Z])"
)
# Capitalised words in a row: a name, perhaps after a title ("President Joe Biden").
CAPITALISED_RUN = re.compile(rf"\b{_NAME_WORD}(?:\s+(?:[A-Z]\.\s+)?{_NAME_WORD})+\b")
# A full name that opens its clause, then what the person is, then the speech verb: 'Matteo Borrini,
# a forensic scientist at Liverpool John Moores University in the United Kingdom, told BuzzFeed
# News', 'Sarah Murphy, United's vice president of Global Operations Strategy, Planning and
# Design, said', 'Dick DeGuerin, Durst's longtime attorney, said the deal ...', 'Ellen Rogovinhart
# of Elkins Park said'. The name beside the verb ends the description ("the United Kingdom",
# "Design", "Elkins Park"), or there is none ("the deal" is what was said of). A description with
# a verb of its own is a clause, not what the person is ("Kim Jong-nam, the half-brother of North
# Korea's leader, was killed by a nerve agent, says Malaysia.").
_TITLES = "|".join(sorted(w.title() for w in NAME_ABBREVIATIONS if w not in {"jr", "sr", "inc", "corp", "co", "ltd"}))
SPEAKER_BEFORE_APPOSITIVE = re.compile(
    rf"(?:^|\||,)\s*(?P<who>(?:(?:{_TITLES}|Det|Con|Insp|Supt|Rev)\.?\s+)*(?!The\s)(?:{_NAME_WORD}|(?:[A-Z]\.){{1,3}})"
    rf"(?:\s+(?:[A-Z]\.\s+)?{_NAME_WORD}){{0,5}})(?:\s+\([^()|]{{1,20}}\))?"
    rf"(?:,\s+(?=[a-z0-9]|{_NAME_WORD}['’]s\s|(?i:{ROLE_NOUNS})\s+(?:of|at|for)\s)(?:(?!\b(?:is|was|were|are|has|had|have|will|would)\b)[^|]){{3,140}}?,"
    rf"|(?P<place>\s+(?:of|from)\s+[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){{0,4}},?))"
    rf"\s+(?:has\s+|had\s+|also\s+|later\s+)?(?![Aa]ccording to){SPEECH_VERB}\b"
)
# Prepositions before a name that say where or whose the speaker is (after_preposition).
_PREPOSITIONS = (
    "in|at|of|for|from|with|on|by|near|to|into|across|inside|outside|throughout|within|under|over|about"
    "|against|among|between|behind|beyond|via"
)
PREPOSITIONS = frozenset(_PREPOSITIONS.split("|"))


def after_preposition(before: str) -> bool:
    """Whether the words `before` a name end on a preposition after a common noun: the name is
    where or whose the speaker is, never the speaker ("a doctor at al-Shifa Hospital said",
    "leaflets the U.S. military distributed throughout Afghanistan said"). After a capitalised
    word the preposition is part of a name ("Secretary of State Mike Pompeo said")."""
    tokens = before.split()
    if tokens and tokens[-1] in ("al-", "el-"):
        tokens = tokens[:-1]
    return len(tokens) >= 2 and tokens[-1] in PREPOSITIONS and tokens[-2][:1].islower()


def speaker_introductions(texts: Sequence[str]) -> dict[str, str]:
    """Per surname, the fullest role-and-name mention of the one person of that surname in the
    English `texts` ("Kirby": "National Security Council spokesman John Kirby"); a surname that
    follows two different words in the texts' names ("John Kirby", "Mary Kirby") has none, nor
    has one never given a role."""
    stops = stop_keys()
    given_names = words_before_surnames(texts)
    fullest: dict[str, str] = {}
    for text in texts:
        for found in ROLE_MENTION.finditer(text):
            role = found.group("role").split()
            while role and role[0].lower() in stops:  # "The", "But" open a sentence, not a role
                role = role[1:]
            # The role is what follows a stop word inside it: "proponent of President Barack Obama"
            # is President Obama.
            within = [i for i, word in enumerate(role) if word.islower() and word in stops]
            role = role[within[-1] + 1 :] if within else role
            name = found.group("name").split()
            if name[-1].lower() in NAME_ABBREVIATIONS:  # "Medical Examiner Dr. Christopher Happy"
                continue
            if role and len(f"{' '.join(role)} {found.group('name')}") > len(fullest.get(name[-1], "")):
                fullest[name[-1]] = f"{' '.join(role)} {found.group('name')}"
    return {
        surname: mention for surname, mention in fullest.items() if given_names.get(surname) == {mention.split()[-2]}
    }


# A role set beside a full name between commas, after it ("said Maria Walter, United Airlines'
# managing director of global operations strategy.") or before it ("The cheerleader's attorney,
# Patricia Pierce, used ..."): a few words, none a quotation's or a clause's ("Victor Payes, who
# works at the airport ..." is no role), one of them a role's noun (APPOSITIVE_ROLE_NOUN).
_APPOSITIVE = r"[^,.;:!?\"“”()\[\]]{3,80}?"
ROLE_AFTER_NAME = re.compile(
    rf"\b(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),\s+(?P<role>{_APPOSITIVE})(?=[,;]|\.(?:\s|$)|$)"
)
ROLE_BEFORE_NAME = re.compile(
    rf"(?:^|[,;]\s+)(?P<role>(?:[Tt]he|[Aa]n?)\s+{_APPOSITIVE}),\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),"
)
APPOSITIVE_ROLE_NOUN = re.compile(
    rf"\b(?:{ROLE_NOUNS}|partner|host|anchor|reporter|member|resident|worker|employee|supervisor|dispatcher"
    r"|teacher|doctor|surgeon|nurse|curator|archaeologist|historian|expert|consultant|specialist"
    r"|coordinator|administrator|agent|broker|trader|strategist|planner|engineer|designer)s?\b"
)
MAX_ROLE_WORDS = 10
NOT_A_ROLE = re.compile(r"\b(?:who|whom|whose|which|that|said|says|told|is|was|were|are|has|had|have)\b", re.I)


def appositive_roles(texts: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Per surname, (full name, role) where the English `texts` set a role beside the full name of
    the one person of that surname (ROLE_AFTER_NAME, ROLE_BEFORE_NAME): "Walter": ("Maria Walter",
    "United Airlines' managing director of global operations strategy"); the shortest where they
    set several. A surname that follows two different words in the texts' names has none."""
    stops = stop_keys()
    given_names = words_before_surnames(texts)
    roles: dict[str, tuple[str, str]] = {}
    for text in texts:
        for found in (*ROLE_AFTER_NAME.finditer(text), *ROLE_BEFORE_NAME.finditer(text)):
            name, role = found.group("name").split()[-2:], found.group("role").strip()
            # What the role says besides its article and noun: "the spokesman" alone says nothing.
            said = [w for w in role.split() if w.lower() not in stops and not APPOSITIVE_ROLE_NOUN.fullmatch(w)]
            if not (APPOSITIVE_ROLE_NOUN.search(role) and said and len(role.split()) <= MAX_ROLE_WORDS):
                continue
            if NOT_A_ROLE.search(role) or given_names.get(name[-1]) != {name[0]} or not first_name(name[0], stops):
                continue
            role = role[:1].lower() + role[1:] if role.split()[0] in ("The", "A", "An") else role
            if name[-1] not in roles or len(role.split()) < len(roles[name[-1]][1].split()):
                roles[name[-1]] = (" ".join(name), role)
    return roles


def words_before_surnames(texts: Sequence[str]) -> dict[str, set[str]]:
    """Per last word of a name in the texts, the words written just before it ("Kirby": {"John"}),
    less a stop word that opens the sentence (given_words)."""
    stops = stop_keys()
    return {surname: {word for word, _ in given_words(before, stops)} for surname, before in name_runs(texts).items()}


def given_words(before: set[tuple[str, bool]], stops: frozenset[str]) -> set[tuple[str, bool]]:
    """The words written before a surname (name_runs), less a stop word that opens the sentence:
    it is no first name ("Is Herman a publicity-seeker?", "But Engelhardt, in formally accepting
    the deal ...")."""
    return {(word, opens) for word, opens in before if not (opens and word.lower() in stops)}


def name_runs(texts: Sequence[str]) -> dict[str, set[tuple[str, bool]]]:
    """Per last word of a name in the texts, the words written just before it, each with whether
    the name opens its text (where a capitalised word before a name may be the sentence's first
    word: "Since Lumos began ...")."""
    before: dict[str, set[tuple[str, bool]]] = {}
    for text in texts:
        for found in CAPITALISED_RUN.finditer(text):
            run = found.group().split()
            before.setdefault(run[-1], set()).add((run[-2], found.start() == 0))
    return before


def speaker_surnames(texts: Sequence[str]) -> set[str]:
    """The last words of the names of those the English `texts` report the words of, or give
    them under a transcript's label (labelled_speaker)."""
    return {
        who.split()[-1]
        for text in texts
        if (who := named(attributed_speaker(text)) or labelled_speaker(text)) is not None
    }


# A transcript's speaker label run into the words spoken: 'Art Iwasaki "In my company - half of
# them were from the Hawaiian Islands. ..."' (a name of two or three words, no verb, then the
# quotation).
LABELLED_QUOTATION = re.compile(r"^((?:[A-Z][a-z'’-]+\s+){2,3})[\"“][A-Z]")


def labelled_speaker(text: str) -> str | None:
    """The name a transcript's label gives the quotation it runs into (LABELLED_QUOTATION), or
    None; a name has no stop word ('On "The Bachelor," Martinez ...' is no label)."""
    label = LABELLED_QUOTATION.match(text)
    if label is None or set(label.group(1).lower().split()) & stop_keys():
        return None
    return label.group(1).strip()


def reported_surnames(texts: Sequence[str]) -> set[str]:
    """The last words of the names that what the English `texts` report is about: "friends say
    Cruise has taken ...", "a doctor said Caleb was failing to thrive"."""
    rests = [outside_quotes(text, QUOTATION_LEFT_OUT) for text in texts]
    return {
        words(found.group("who"))[-1]
        for rest in rests
        for found in SPEAKER_AFTER_VERB.finditer(rest)
        if CLAUSE_VERB.match(rest, found.end()) and found.group("who")[:1].isupper()
    }


def speakers_full_names(texts: Sequence[str], speakers: set[str]) -> dict[str, str]:
    """Per surname of someone the English `texts` report the words of ("Medlin said ...";
    `speakers`: speaker_surnames), the one full name they write it in, inside a sentence
    ("Medlin": "Tim Medlin"): where one word only ever comes before it, and that word can be a
    first name (first_name: no stop word, title, role or initials) and is no possessive
    ("Chapman's IMDb") or other name's last word."""
    stops = stop_keys()
    runs = name_runs(texts)
    names: dict[str, str] = {}
    for surname in speakers:
        before = given_words(runs.get(surname, set()), stops)
        first = next(iter(before), ("", True))[0]
        if (
            {word for word, _ in before} == {first}
            and any(not opens for _, opens in before)
            and first_name(first, stops)
            and first not in runs
            and not first.endswith(("'s", "’s"))  # "Chapman's IMDb"
        ):
            names[surname] = f"{first} {surname}"
    return names


def named_in(name: str, text: str) -> bool:
    """Whether `text` writes `name` as whole words."""
    return re.search(rf"\b{re.escape(name)}\b", text) is not None


def full_name_in(text: str, surname: str) -> str | None:
    """The last name in `text` that ends with `surname` and gives a first name, as written, less
    a word that opens the sentence ("When Jeff Herman sees ...": "Jeff Herman"); None where it has
    none: a title or a role is no first name ("Mr Wilson", "President Putin")."""
    stops = stop_keys()
    for run in reversed(full_names(text, stops)):
        if run[-1] == surname and any(first_name(word, stops) for word in run[:-1]):
            return " ".join(run)
    return None


def lower_case_words(texts: Iterable[str]) -> set[str]:
    """The words the texts write in lower case: a capitalised one of them opening a sentence is a
    common noun ("Police"), not a name."""
    return {w for text in texts for w in words(text) if w.islower()}


def names_opened(texts: Sequence[str], people: set[str]) -> set[str]:
    """The words that open the full names of `people` (by surname) in the texts and can only be
    first names: no title or role (segment.first_name), no word the texts write in lower case
    ("Police Chief Smith") and none that ends a name the texts write in full."""
    stops, lower_case = stop_keys(), lower_case_words(texts)
    opening = {run[0] for t in texts for run in full_names(t, stops) if run[-1] in people}
    return {
        word for word in opening - set(name_runs(texts)) if first_name(word, stops) and word.lower() not in lower_case
    }


def full_name_from(text: str, first: str, surnames: set[str]) -> str | None:
    """The last name in `text` that opens with the first name `first` and ends with one of
    `surnames`, as written ("Patty": "Patty Campbell" in "When William and Patty Campbell were
    finally allowed in ..."); None where it has none."""
    for run in reversed(full_names(text, stop_keys())):
        if run[0] == first and run[-1] in surnames:
            return " ".join(run)
    return None


def full_names(text: str, stops: frozenset[str]) -> list[list[str]]:
    """The words of each run of capitalised words in `text` that can be a full name, less the stop
    words that open it (a sentence's first word: "When Patty Campbell ...")."""
    runs = [found.group().split() for found in CAPITALISED_RUN.finditer(text)]
    names = [list(dropwhile(lambda word: word.lower() in stops, run)) for run in runs]
    return [name for name in names if len(name) > 1]


def first_name(word: str, stops: frozenset[str]) -> bool:
    """Whether a capitalised word before a surname can be a first name: no stop word, title, role
    or initials."""
    title = word.lower().rstrip(".") in stops | NAME_ABBREVIATIONS
    return not (title or word.isupper() or ROLE_NOUN.fullmatch(word))


def complete(text: str, language: str = ENGLISH) -> bool:
    """Prose that opens as a sentence does and ends as one does."""
    if CONTINUATION.match(text) or not is_prose(text, language):
        return False
    return language in UNPUNCTUATED_LANGUAGES or bool(SENTENCE_END.search(text))


def voiceless_quotation(text: str) -> bool:
    """A quotation the reader cannot tell the voice of: an unclosed quote mark, or no words at all
    outside the quote marks (its attribution is in another sentence or paragraph)."""
    if not is_quoted(text):
        return False
    return quote_marks(text) % 2 == 1 or not words(outside_quotes(text))


def join_stray_stop(sentence: str, continuation: str) -> str:
    """Two pieces of one sentence that a stray full stop split; the stop goes (not an
    abbreviation's, as in "U.S.")."""
    last = sentence.rsplit(maxsplit=1)[-1]
    if last.endswith(".") and "." not in last[:-1]:
        sentence = sentence[:-1]
    return f"{sentence} {continuation}"


def split_units(paragraph: str, language: str = ENGLISH) -> list[str]:
    """The paragraph's sentences with stray full stops mended and each quotation of several
    sentences kept whole, complete or not."""
    return [" ".join(run.pieces) for run in paragraph_runs(paragraph, language)]


@dataclass(frozen=True)
class Run:
    """Consecutive sentences of a paragraph: one, or those a quotation spans. `consistent`: every
    quote mark stands where one opening (or closing) the quotation is expected to; `unclosed`: the
    quotation is still open at the paragraph's end."""

    pieces: list[str]
    consistent: bool = True
    unclosed: bool = False

    def proven(self, continued: bool) -> bool:
        """Whether its marks show where its quotations begin and end; an unclosed one only where
        the next paragraph opens with a quote mark (`continued`), as news style carries a
        quotation over a paragraph break."""
        return self.consistent and (not self.unclosed or continued)


def paragraph_runs(paragraph: str, language: str = ENGLISH) -> list[Run]:
    """The paragraph's sentences, stray full stops mended, grouped into runs: a quotation of
    several sentences is one run, and so is a passage a pronoun speaks."""
    runs = quotation_runs(join_attributions(mend_stray_stops(split_sentences(paragraph, language))))
    return join_pronoun_passages(runs) if language == ENGLISH else runs


def mend_stray_stops(pieces: Sequence[str]) -> list[str]:
    """Pieces that open in lower case, with the time zone of the clock time the piece before ends
    on, with the rest of a name or noun the piece before ends on the initials of, or with the
    figure of a "No." the piece before ends on, joined to the one before them."""
    mended: list[str] = []
    for piece in pieces:
        if mended and NUMBER_SIGN_END.search(mended[-1]) and DIGIT_START.match(piece):
            mended[-1] = f"{mended[-1]} {piece}"  # the stop is the abbreviation's, and stays
        elif mended and (
            CONTINUATION.match(piece)
            or (CLOCK_TIME_END.search(mended[-1]) and TIME_ZONE_START.match(piece))
            or (INITIALS_END.search(mended[-1]) and opens_with_name(piece))
        ):
            mended[-1] = join_stray_stop(mended[-1], piece)
        else:
            mended.append(piece)
    return mended


def opens_with_name(text: str, language: str = ENGLISH) -> bool:
    """Whether the text opens with a capitalised word that is no stop word: a piece after initials
    goes on with the name or noun they begin ("O.J. | Simpson"), a main clause names its subject."""
    found = CAPITALISED_START.match(text)
    return found is not None and found.group(1).lower() not in stop_keys(language)


def join_attributions(pieces: Sequence[str]) -> list[str]:
    """A piece that only attributes a quotation joined to the quotation it follows."""
    joined: list[str] = []
    for piece in pieces:
        if joined and joined[-1].endswith(('"', "”")) and ATTRIBUTION_TAIL.match(piece):
            joined[-1] = f"{joined[-1]} {piece}"
        else:
            joined.append(piece)
    return joined


def mark_directions(text: str) -> list[str | None]:
    """Each double quote mark of the text as its place shows it: "open", "close", or None when
    the place does not tell."""
    folded = text.translate(DOUBLE_QUOTES)
    opening = {m.start() for m in OPENING_MARK.finditer(folded)}
    closing = {m.start() for m in CLOSING_MARK.finditer(folded)}
    return [
        "open" if i in opening - closing else "close" if i in closing - opening else None
        for i, character in enumerate(folded)
        if character == '"'
    ]


def quotation_runs(pieces: Sequence[str]) -> list[Run]:
    """Consecutive sentences grouped while a quotation is open across them (one per group when
    none is). A mark that opens a quotation while one is open ends the run before its sentence:
    the earlier quotation closed where the text does not show (wire text that lost a paragraph
    break and its mark), so that run is not consistent, and neither is one with a closing mark
    where no quotation was open."""
    runs: list[Run] = []
    current: list[str] = []
    consistent, is_open = True, False
    for piece in pieces:
        directions = mark_directions(piece)
        if current and is_open and directions and directions[0] == "open":
            runs.append(Run(current, consistent=False))
            current, consistent, is_open = [], True, False
        current.append(piece)
        for direction in directions:
            if direction == ("open" if is_open else "close"):
                consistent = False  # a stray mark: the quotation stays as it was
            else:
                is_open = not is_open
        if not is_open:
            runs.append(Run(current, consistent))
            current, consistent = [], True
    if current:
        runs.append(Run(current, consistent, unclosed=True))
    return runs


def join_pronoun_passages(runs: Sequence[Run]) -> list[Run]:
    """A bare quotation joined to the quotation before it when that one's attribution is only a
    pronoun: in '"A," he said. "B."' B goes on in the voice of "he", and alone it would have
    none; with A and its attribution it is one passage."""
    joined: list[Run] = []
    for run in runs:
        whole = " ".join(run.pieces)
        if joined and voiceless_quotation(whole) and quote_marks(whole) % 2 == 0 and pronoun_speaker(joined[-1].pieces):
            before = joined[-1]
            joined[-1] = Run([*before.pieces, *run.pieces], before.consistent and run.consistent, run.unclosed)
        else:
            joined.append(run)
    return joined


def pronoun_speaker(run: Sequence[str]) -> bool:
    """Whether the run is a quotation whose attribution names its speaker only by a pronoun."""
    speaker = speaker_of(" ".join(run))
    return speaker is not None and named(speaker) is None


def named(speaker: str | None) -> str | None:
    """The speaker when it names someone, not a pronoun the reader could not resolve."""
    return speaker if speaker and speaker.lower() not in PRONOUNS else None


def in_voice(text: str, speaker: str, opens_inside: bool, closes_inside: bool, marks: tuple[str, str]) -> str | None:
    """One sentence of a quotation, its quote marks closed and its speaker named unless it names
    one itself: 'Putin said: "The United States ... defeat to Russia."'. None where it opens with
    words of its own before its quotation: they are not the speaker's, and where they give the
    quotation to someone this reading does not name ('The 44-year-old IT manager added: "..."',
    'Hamas spokesman Fawzi Barhoum, meanwhile, said "..."', 'His wife added: "..."'), whether that
    is the quotation's speaker the text does not say, and the rest of the quotation is theirs too.
    ('Netanyahu said: Hamas spokesman Fawzi Barhoum, meanwhile, said "Netanyahu is leading his
    army into the unknown."' was made so.)"""
    text = f"{marks[0] if opens_inside else ''}{text}{marks[1] if closes_inside else ''}"
    if speaker_of(text) is not None:
        return text
    if text.translate(DOUBLE_QUOTES).split('"')[0].strip(" '‘"):
        return None
    return f"{speaker[:1].upper()}{speaker[1:]} said: {text}"


def opens_with_quote(paragraph: str) -> bool:
    return paragraph.lstrip().translate(DOUBLE_QUOTES)[:1] == '"'


@dataclass(frozen=True)
class Paragraph:
    """A paragraph's complete sentences, each with its words as the paragraph has them (see
    Sentence.as_written), how many pieces were dropped, and who was speaking when it ended inside
    an open quotation (news style continues a quotation into the next paragraph and closes it only
    at the end)."""

    sentences: list[tuple[str, str]]
    dropped: int
    open_speaker: str | None = None


def sentence_units(
    paragraph: str, language: str = ENGLISH, continuing: str | None = None, continued: bool = False
) -> Paragraph:
    """The paragraph's complete sentences, each quotation in the voice of whoever said it.

    A quotation of several sentences whose speaker is named (in it, in the quotation right before
    it, or in the paragraph before, whose quotation it continues: `continuing`) becomes one
    sentence per sentence of the quotation, each in quote marks with the speaker; without a named
    speaker it stays one unit with whatever attributes it, and a bare quotation right after one a
    pronoun speaks ('"A," he said. "B."') joins that unit. A quotation whose speaker the text does
    not give is dropped, as are fragments; both are counted. `continued`: the next paragraph
    opens with a quote mark, so a quotation left open here goes on there.

    Only a run whose quote marks prove where its quotations begin and end (Run.proven) is put in a
    voice; of one that is not, the sentences without quote marks that no first or second person
    speaks and that no quote mark left open before them puts inside a quotation are kept as they
    are, and the rest dropped."""
    marks = ("“", "”") if "“" in paragraph else ('"', '"')
    kept: list[tuple[str, str]] = []
    dropped = 0
    # Who spoke the quotation right before the next run: a bare quotation goes on in that voice.
    speaker = continuing
    open_speaker = None
    for run in paragraph_runs(paragraph, language):
        whole = " ".join(run.pieces)
        if not run.proven(continued):
            narration = [
                piece
                for piece, marks_before in zip(run.pieces, marks_before_each(run.pieces), strict=True)
                if marks_before % 2 == 0 and not is_quoted(piece) and not FIRST_OR_SECOND_PERSON.search(piece)
            ]
            units: list[tuple[str | None, str]] = [(piece, piece) for piece in narration]
            dropped += len(run.pieces) - len(narration)
            speaker = open_speaker = None
        else:
            # Its own attribution when it has one (a pronoun one keeps the passage whole), else the
            # voice of the quotation right before it: '"A," Putin said. "B. C."' is Putin throughout.
            own = speaker_of(whole) if language == ENGLISH else None
            run_speaker = named(own) if own is not None else speaker
            voiced = is_quoted(whole) and (len(run.pieces) > 1 or voiceless_quotation(whole))
            if run_speaker is not None and voiced:
                last = len(run.pieces) - 1
                units = []
                for i, piece in enumerate(run.pieces):
                    # After words given to someone the text does not name, the quotation is theirs.
                    voiced_piece = in_voice(piece, run_speaker, i > 0, i < last or run.unclosed, marks)
                    units.append((voiced_piece if not units or units[-1][0] is not None else None, piece))
            else:
                units = [(whole, whole)]
            speaker = run_speaker if own is not None or (voiced and run_speaker) else None
            open_speaker = speaker if run.unclosed else None
        for unit, as_written in units:
            if unit is not None and complete(unit, language) and not voiceless_quotation(unit):
                kept.append((unit, as_written))
            else:
                dropped += 1
    return Paragraph(kept, dropped, open_speaker)


def marks_before_each(pieces: Sequence[str]) -> list[int]:
    """How many quote marks stand before each piece in its run: after an odd number a piece sits
    inside a quotation, whoever said it ('"Here's what gets me. They could end up in prison.')."""
    counts, seen = [], 0
    for piece in pieces:
        counts.append(seen)
        seen += quote_marks(piece)
    return counts


def split_sentences(text: str, language: str = ENGLISH) -> list[str]:
    """The text's sentences by punkt, and by the full stops of scripts punkt does not know.

    Run-together text (a sentence's stop with no space before the next sentence, "on Dec.
    26.Cosme allegedly", which feeds and scrapers make of paragraph breaks) is given the space
    punkt needs to see a boundary, and punkt decides as it does for spaced text ("Gov.Cuomo" stays
    one abbreviation's worth of sentence); where it does not split, the space is taken out again,
    so every piece is the article's own words."""
    spaced, inserted = spaced_run_together(text)
    pieces = (
        piece
        for start, end in sentence_tokenizer(language).span_tokenize(spaced)
        for piece in OTHER_SENTENCE_END.split(without_positions(spaced, start, end, inserted))
    )
    return [part.strip() for piece in pieces for part in CLOCK_TIME_THEN_SENTENCE.split(piece) if part.strip()]


def spaced_run_together(text: str) -> tuple[str, list[int]]:
    """The text with a space at each run-together sentence boundary, and where the spaces went
    (offsets in the new text)."""
    cuts = []
    for found in RUN_TOGETHER.finditer(text):
        word = word_at(text, found.start())
        if LINK.search(word) or TITLE.match(word):
            continue
        quote = found.group("quote") or ""
        # A quote mark closes the sentence before it or opens the next one: curly ones say which,
        # a straight one closes when an odd number of them come before it.
        closes = quote in CLOSING_QUOTES or (quote == '"' and text.count('"', 0, found.end() - 1) % 2 == 1)
        cuts.append(found.end() if not quote or closes else found.end() - 1)
    pieces, inserted, previous = [], [], 0
    for count, cut in enumerate(cuts):
        pieces.append(text[previous:cut])
        inserted.append(cut + count)
        previous = cut
    pieces.append(text[previous:])
    return " ".join(pieces), inserted


def word_at(text: str, position: int) -> str:
    """The whitespace-delimited word that spans `position`."""
    start = max(text.rfind(" ", 0, position), text.rfind("\n", 0, position)) + 1
    ends = [i for i in (text.find(" ", position), text.find("\n", position)) if i >= 0]
    return text[start : min(ends, default=len(text))]


def without_positions(text: str, start: int, end: int, positions: Sequence[int]) -> str:
    """text[start:end] without the characters at `positions` (sorted)."""
    kept, previous = [], start
    for position in positions:
        if start <= position < end:
            kept.append(text[previous:position])
            previous = position + 1
    kept.append(text[previous:end])
    return "".join(kept)


def document_languages(documents: Sequence[CleanDocument]) -> list[str]:
    """Each document's language (ISO 639-1). One too short to tell takes the cluster's most
    common confident language, or English when none is confident (as before languages were told)."""
    detected = [detect_language(" ".join((doc.title, *doc.paragraphs))[:LANGUAGE_SAMPLE_CHARS]) for doc in documents]
    confident = Counter(code for code, probability in detected if probability >= MIN_LANGUAGE_CONFIDENCE)
    fallback = confident.most_common(1)[0][0] if confident else ENGLISH
    return [code if probability >= MIN_LANGUAGE_CONFIDENCE else fallback for code, probability in detected]


@dataclass(frozen=True)
class Segmentation:
    sentences: list[Sentence]
    fragments_dropped: int


def segment_documents(documents: Sequence[CleanDocument]) -> Segmentation:
    """Every document's complete sentences, and the count of incomplete pieces left out."""
    dropped = 0
    languages = document_languages(documents)
    articles: list[list[tuple[str, str]]] = []
    for doc, language in zip(documents, languages, strict=True):
        kept: list[tuple[str, str]] = []
        continuing = None
        for i, paragraph in enumerate(doc.paragraphs):
            continued = i + 1 < len(doc.paragraphs) and opens_with_quote(doc.paragraphs[i + 1])
            units = sentence_units(paragraph, language, continuing, continued)
            dropped += units.dropped
            continuing = units.open_speaker
            # Site furniture inside a long paragraph, out of reach of the cleaner's line rules; the
            # words of a quotation are someone's voice, not the page's ('"... your tweets ..."').
            kept.extend(unit for unit in units.sentences if not site_notice(outside_quotes(unit[0])))
        articles.append(kept)
    english = [units for units, language in zip(articles, languages, strict=True) if language == ENGLISH]
    speakers = PronounSpeakers([text for units in english for text, _ in units])
    sentences = [
        make_sentence(doc.article_index, position, text, language, as_written)
        for doc, language, units in zip(documents, languages, articles, strict=True)
        for position, (text, as_written) in enumerate(speakers.named(units) if language == ENGLISH else units)
    ]
    return Segmentation(sentences, dropped)


# A "he" or "she" beside the speech verb that attributes a sentence's words ("he said", "She added").
PRONOUN_ATTRIBUTION = re.compile(rf"\b(?P<pronoun>[Hh]e|[Ss]he),?\s+(?:also\s+|later\s+)?{SPEECH_VERB}\b")
# Titles that say whether a "he" or a "she" can stand for the person ("Mr Wilson", "Mrs Wilson").
GENDERED_TITLES = {
    **dict.fromkeys(("mr", "sir", "lord", "king", "prince", "father"), "he"),
    **dict.fromkeys(("mrs", "ms", "miss", "dame", "lady", "queen", "princess", "sister"), "she"),
}
GENDERED_TITLE = re.compile(rf"\b(?P<title>(?i:{'|'.join(GENDERED_TITLES)}))\.?\s+(?P<surname>{_NAME_WORD})\b")
# A speaker's report of what they did or felt: "Greig said she was devastated".
SAID_OF_SELF = re.compile(
    rf"\b(?P<surname>{_NAME_WORD}),?\s+(?:also\s+)?{SPEECH_VERB}\s+(?:that\s+)?(?P<pronoun>he|she)\b"
)
# How much closer a first name's WordLlama vector stands to "she her woman" than to "he him man"
# (or the other way) before it says which pronoun cannot be the person's: "Brianna" 0.24, "Susan"
# 0.51, "Mike" -0.45, "Tim" -0.27; names that lean less ("Colleen" -0.05, "Sean" -0.06, "Patty"
# 0.06) say nothing.
FIRST_NAME_LEAN = 0.15


class PronounSpeakers:
    """Whom a "he" or "she" that attributes words stands for, where news writing makes it certain
    (named): the cluster's titles, reported speech and first names tell which pronoun each
    surname's person cannot be."""

    def __init__(self, texts: Sequence[str]) -> None:
        stops = stop_keys()
        # Words the cluster writes in lower case are no names: "Boston Globe", "Bunker Hill School".
        common = lower_case_words(texts) | stops
        # Per surname, the one first name the cluster writes before it ("Henderson": "Susan").
        self.first_names: dict[str, str] = {}
        for surname, before in words_before_surnames(texts).items():
            given = {word for word in before if first_name(word, stops)}
            if len(given) == 1 and not {surname.lower(), next(iter(given)).lower()} & common:
                self.first_names[surname] = given.pop()
        self.pronouns: dict[str, set[str]] = {}
        for text in texts:
            for found in GENDERED_TITLE.finditer(text):
                self.pronouns.setdefault(found.group("surname"), set()).add(
                    GENDERED_TITLES[found.group("title").lower()]
                )
            who = named(attributed_speaker(text))
            if who is None:
                continue
            surname = who.split()[-1]
            said = next((f for f in SAID_OF_SELF.finditer(outside_quotes(text)) if f.group("surname") == surname), None)
            if said is not None:
                self.pronouns.setdefault(surname, set()).add(said.group("pronoun"))
        if self.first_names:
            vectors = embed([*self.first_names.values(), "she her woman", "he him man"])
            leans = vectors[:-2] @ (vectors[-2] - vectors[-1])
            for surname, lean in zip(self.first_names, leans.tolist(), strict=True):
                if abs(lean) >= FIRST_NAME_LEAN:
                    self.pronouns.setdefault(surname, set()).add("she" if lean > 0 else "he")

    def named(self, units: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """An English article's sentences (text, as written), each "he" or "she" that attributes
        words right after a sentence whose words a named person said given that person's surname:
        in "Rite Aid spokeswoman Susan Henderson said roughly 1,000 employees work at the
        distribution center." then '"The shooting happened adjacent to the primary building," she
        said.' news writing makes the "she" Henderson, and alone the sentence now says so ('"...,"
        Henderson said.'). It is certain only so: the sentence right before (after a paragraph
        break too) names the speaker, a person (a_person: not "Police"), whom the cluster never
        gives the other pronoun (could_be), and the sentence names no one before its pronoun whom
        it could stand for (pronoun_attribution) nor the speaker after it ("She told Davis years
        later ..." is someone else). In an interview's back and forth the "he" is the other side: '"All
        of them?" replied anchor Brianna Keilar.' then '"Says who?" he asked again.' is Cohen, and
        Brianna is no "he". Naming the last person who spoke a paragraph or more before gave a
        man's words to a woman quoted earlier."""
        named_before: str | None = None
        resolved = []
        for text, as_written in units:
            speaker = attributed_speaker(text)
            if speaker is not None and speaker.lower() in ("he", "she") and named_before is not None:
                surname = named_before.split()[-1]
                attribution = self.pronoun_attribution(text, speaker)
                if attribution is not None and self.could_be(surname, speaker) and not named_in(surname, text):
                    text = f"{text[: attribution.start('pronoun')]}{surname}{text[attribution.end('pronoun') :]}"
                    speaker = surname
            resolved.append((text, as_written))
            who = named(speaker)
            named_before = who if who is not None and self.a_person(who) else None
        return resolved

    def could_be(self, surname: str, pronoun: str) -> bool:
        """Whether the cluster lets `pronoun` stand for the person of `surname` (it never gives them
        the other one)."""
        return pronoun.lower() in self.pronouns.get(surname, {pronoun.lower()})

    def pronoun_attribution(self, text: str, pronoun: str) -> re.Match[str] | None:
        """The attribution by `pronoun` outside the sentence's quotations, or None where someone
        the pronoun could stand for is named before it: in "Mary Smith was upset, she said" the
        "she" may be Mary; in "In the case of Jeff Joseph, she says" it is not Jeff."""
        for found in pronoun_attributions(text):
            if found.group("pronoun") != pronoun:
                continue
            before = words(outside_quotes(text[: found.start()]))
            if any(self.a_person(word) and self.could_be(word, pronoun) for word in before):
                return None
            return found
        return None

    def a_person(self, who: str) -> bool:
        """Whether a speaker as written names a person: a capitalised name, not "The ...", that
        comes with a title or a first name in the cluster ("Mr Hamm", "Sean McManus", "McManus"
        after "CBS News President Sean McManus")."""
        surname = who.split()[-1]
        if not re.fullmatch(_NAME_WORD, surname) or who.startswith("The ") or who[:1].islower():
            return False
        return surname in self.first_names or surname in self.pronouns


def reported_by_pronoun(text: str) -> bool:
    """Whether the sentence reports what a "he" or "she" said, by an attribution of its own outside
    its quotations: "The gun used in the shooting ... was registered and owned by Moseley, he
    said." ("Trump said he had no regret" reports Trump.)"""
    return any(text[: found.start()].rstrip().rstrip("\"”'’")[-1:] in ("", ",") for found in pronoun_attributions(text))


def pronoun_attributions(text: str) -> list[re.Match[str]]:
    """The sentence's attributions to a "he" or "she" (PRONOUN_ATTRIBUTION) outside its quotations."""
    quotations = quotation_spans(text)
    return [
        found
        for found in PRONOUN_ATTRIBUTION.finditer(text)
        if not any(start <= found.start() < end for start, end in quotations)
    ]


def segment(documents: Sequence[CleanDocument]) -> list[Sentence]:
    return segment_documents(documents).sentences


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
