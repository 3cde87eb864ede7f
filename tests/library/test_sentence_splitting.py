"""Sentence splitting repairs run-together text (a stop with no space before the next sentence)
in every script, without splitting abbreviations, initials, decimals, addresses or ellipses."""

import pytest

from summarizer.stages.segment import segment, split_sentences, split_units
from summarizer.types import CleanDocument


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "She is scheduled to return to court on Dec. 26.Cosme allegedly stole a car from the lot.",
            ["She is scheduled to return to court on Dec. 26.", "Cosme allegedly stole a car from the lot."],
        ),
        (
            "More than 150,000 people fled to higher ground.The storm moved north overnight.",
            ["More than 150,000 people fled to higher ground.", "The storm moved north overnight."],
        ),
        (
            "Two men were shot in Middletown on Monday.A shooting at an office complex followed.",
            ["Two men were shot in Middletown on Monday.", "A shooting at an office complex followed."],
        ),
        (
            "The car hit a barrier on Wednesday.NTSB investigators arrived the next day.",
            ["The car hit a barrier on Wednesday.", "NTSB investigators arrived the next day."],
        ),
        (
            "They served in World War II.The 442nd is the most decorated unit of its size.",
            ["They served in World War II.", "The 442nd is the most decorated unit of its size."],
        ),
        (
            "Did anyone warn them?Nobody did, the report says.",
            ["Did anyone warn them?", "Nobody did, the report says."],
        ),
        # A clock time's "a.m." ends the sentence when an article or a pronoun opens the next.
        (
            "Officers were called to the home at about 4 a.m. A spokesman said it was a robbery.",
            ["Officers were called to the home at about 4 a.m.", "A spokesman said it was a robbery."],
        ),
    ],
)
def test_run_together_sentences_are_split(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize(
    "text",
    [
        "The economy grew 3.5 percent in the U.S. last year, the report said.",
        "J.K.Rowling and J.K. Rowling are the same writer, her publisher said.",
        "The figures are posted at example.com and at Boston.Com every morning.",
        "Write to press@Example.Org or see www.Example.Org for the details.",
        "The ceremony began at 4 p.m.Saturday in the main square of the town.",
        "About 100 protesters sat down at 5 p.m. Sunday and waited to be moved on.",
        "He waited...Then the doors opened and the crowd rushed in.",
        "Gov.Cuomo signed the bill into law on Friday afternoon.",
    ],
)
def test_abbreviations_decimals_addresses_and_ellipses_are_not_split(text):
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "units"),
    [
        (
            "It lost the 8 p.m. ET primetime slot on Monday. It drew 4.9 million viewers.",
            ["It lost the 8 p.m. ET primetime slot on Monday.", "It drew 4.9 million viewers."],
        ),
        ("Polls close at 8 p.m. PT. Results follow.", ["Polls close at 8 p.m. PT.", "Results follow."]),
    ],
)
def test_a_time_zone_stays_with_its_clock_time(text, units):
    # punkt ends a sentence at the stop of "p.m." before a capitalised word: "ET primetime slot
    # on Monday night." was a briefing sentence of its own.
    assert split_units(text) == units


def test_a_quote_mark_between_run_together_sentences_goes_with_the_sentence_it_belongs_to():
    # A straight quote closes when an odd number come before it, and opens otherwise.
    assert split_sentences('"We are done with this process."The mayor left.The council said."We will appeal."') == [
        '"We are done with this process."',
        "The mayor left.",
        "The council said.",
        '"We will appeal."',
    ]
    assert split_sentences("She said “we won the vote.”Then she left the hall.") == [
        "She said “we won the vote.”",
        "Then she left the hall.",
    ]


def test_a_quotation_split_from_run_together_text_keeps_its_speaker():
    doc = CleanDocument(
        article_index=0,
        title="t",
        paragraphs=(
            'The student was attending college in Massachusetts."It was an accident," said Connor Cummings. '
            '"We are still in shock."',
        ),
    )
    assert [(s.text, s.speaker) for s in segment([doc])] == [
        ("The student was attending college in Massachusetts.", None),
        ('"It was an accident," said Connor Cummings.', "Connor Cummings"),
        ('Connor Cummings said: "We are still in shock."', "Connor Cummings"),
    ]


def test_a_sentence_keeps_the_articles_words_where_punkt_does_not_split():
    # The space given to punkt is taken out again: the sentence can still be found in the article.
    text = "The protest started at 5 p.m.Sunday in Dilworth Plaza near City Hall."
    assert split_sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (  # Russian
            "Он сказал это вчера.Это было неожиданно для всех.",
            ["Он сказал это вчера.", "Это было неожиданно для всех."],
        ),
        (  # Greek
            "Η κατάσταση είναι σοβαρή.Αυτό είπε ο υπουργός.",
            ["Η κατάσταση είναι σοβαρή.", "Αυτό είπε ο υπουργός."],
        ),
        (  # Arabic: no case, a full stop between letters; an abbreviation's single letter is not split
            "وصلت القوات إلى المدينة.وقال المتحدث إن الوضع هادئ.",
            ["وصلت القوات إلى المدينة.", "وقال المتحدث إن الوضع هادئ."],
        ),
        ("قال د.محمد إن الوضع هادئ في المدينة.", ["قال د.محمد إن الوضع هادئ في المدينة."]),
        ("هل وصلت القوات؟وقال المتحدث إن الوضع هادئ.", ["هل وصلت القوات؟", "وقال المتحدث إن الوضع هادئ."]),
        (  # Hindi: a vowel sign before the stop, and the danda
            "पुलिस ने कहा.उसने कहा कि सब ठीक है।वह चला गया।",
            ["पुलिस ने कहा.", "उसने कहा कि सब ठीक है।", "वह चला गया।"],
        ),
        (  # Japanese and Chinese: their own full stops, and a Latin address inside is not split
            "東京で地震があった。被害はない。詳細はGoogle.Comで。",
            ["東京で地震があった。", "被害はない。", "詳細はGoogle.Comで。"],
        ),
        ("北京今天下雨。气温是3.5度。", ["北京今天下雨。", "气温是3.5度。"]),
    ],
)
def test_run_together_text_is_repaired_in_other_scripts(text, sentences):
    assert split_sentences(text) == sentences
