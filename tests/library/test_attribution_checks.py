"""Verdicts of the attribution stage on hand-made sentences: each kind of meaning error is caught,
honest paraphrase is kept, evidence spans point at the supporting words, and sources that
disagree are listed."""

import json

import pytest
from helpers.fakes import FakeGenerator

from summarizer import Article, SummaryOptions, summarize
from summarizer.cli import format_plain
from summarizer.stages.attribute import AttributionConfig, Dropped, attribute
from summarizer.stages.clean import clean
from summarizer.stages.dedup import deduplicate
from summarizer.stages.segment import segment

ARTICLES = [
    Article(
        id="a",
        title="Arrest in Kars",
        text=(
            "Police arrested Maria Lopez in Kars on Monday after a two-day search. "
            "The mayor confirmed that the old bridge will reopen next week. "
            "Brazil defeated Germany in the regional final on Sunday evening."
        ),
    ),
    Article(
        id="b",
        title="Kars news",
        text=(
            "The governor said the new hospital may open in June, officials said. "
            "Lopez was not charged with any crime, her lawyer told reporters."
        ),
    ),
]


def judged(text: str, config: AttributionConfig | None = None):
    clusters = deduplicate(segment(clean(ARTICLES)))
    [sentence], dropped = attribute(text, clusters, keep_unsupported=True, config=config or AttributionConfig())
    assert dropped == Dropped()
    return sentence


@pytest.mark.parametrize(
    "text",
    [
        "Police arrested Maria Lopez in Kars on Monday after a two-day search.",
        "Meanwhile, police arrested Maria Lopez in Kars on Monday.",
        "Officers detained Maria Lopez in Kars on Monday after a search.",
        "Germany was defeated by Brazil in the regional final on Sunday.",
        "Lopez was not charged with a crime, her lawyer said.",
        "The governor said the hospital may open in June.",
        "Police arrested Maria Lopez in Kars on Monday after a two-day search, per News10.",
    ],
    ids=["extract", "opener", "paraphrase", "passive", "kept-negation", "kept-hedge", "credited-outlet"],
)
def test_true_sentences_are_supported_and_cited(text):
    sentence = judged(text)
    assert (sentence.verdict, sentence.reason) == ("supported", None)
    assert sentence.citations and 0.45 <= sentence.score <= 1


@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("Police arrested Maria Lopez in Kars on Tuesday.", "contradicted", "Tuesday where the source says Monday"),
        (
            "Police arrested Maria Lopez in Kars on Monday after a 9-day search.",
            "contradicted",
            "where the source says two-day",
        ),
        ("The mayor confirmed that 40 bridges will reopen next week.", "unsupported", "40 in no source"),
        ("Erdogan arrested Maria Lopez in Kars on Monday.", "unsupported", "Erdogan: in no source"),
        ("Police arrested Maria Lopez in Kars on Monday, Erdogan said.", "unsupported", "Erdogan: in no source"),
        ("The mayor confirmed that the old bridge will not reopen next week.", "contradicted", "the opposite"),
        ("Lopez was charged with a crime, her lawyer told reporters.", "contradicted", "the opposite"),
        ("The mayor denied that the old bridge will reopen next week.", "contradicted", '"denied" where the source'),
        ("The governor said the new hospital will open in June.", "contradicted", "another certainty"),
        ("The mayor confirmed that the old bridge may reopen next week.", "contradicted", "another certainty"),
        ("Germany defeated Brazil in the regional final on Sunday evening.", "contradicted", "roles exchanged"),
        ("The central bank raised interest rates to curb inflation.", "unsupported", "support score"),
        ("Germany was not charged with any crime, her lawyer told reporters.", "contradicted", "misnamed: Germany"),
        ("Police arrested Maria Lopez in Kars on Tuesday's search.", "contradicted", "Tuesday's where the source"),
    ],
    ids=[
        "date",
        "number",
        "new-number",
        "initial-name",
        "name",
        "negated",
        "negation-dropped",
        "antonym",
        "overclaim",
        "hedged",
    ]
    + ["roles", "outside", "name-swapped", "possessive-date"],
)
def test_false_sentences_get_their_verdict_and_reason(text, verdict, reason):
    sentence = judged(text)
    assert sentence.verdict == verdict
    assert reason in sentence.reason
    assert sentence.citations == ()


def test_each_check_can_be_left_out_to_measure_it():
    negated = "The mayor confirmed that the old bridge will not reopen next week."
    assert judged(negated).verdict == "contradicted"
    without = AttributionConfig(checks=tuple(c for c in AttributionConfig().checks if c != "negation"))
    assert judged(negated, without).verdict == "supported"


def test_evidence_spans_cover_the_supporting_words():
    sentence = judged("Police arrested Maria Lopez in Kars on Monday.")
    best = sentence.evidence[0]
    start, end = best.span
    assert best.text[start:end] == "Police arrested Maria Lopez in Kars on Monday"


FLOODS = [
    Article(id="a", title="A", text="Floods killed 12 people in Kars province on Monday. The mayor visited the dam."),
    Article(id="b", title="B", text="Floods killed 14 people in Kars province on Monday, the governor said."),
]


def test_a_model_sentence_that_picks_one_side_of_a_disagreement_is_flagged():
    generated = "Floods killed 12 people in Kars province on Monday."
    briefing = summarize(FLOODS, SummaryOptions(engine="abstractive"), generator=FakeGenerator(generated))
    [sentence] = briefing.sentences
    assert sentence.citations == (1,)
    assert sentence.reason.startswith("sources disagree: source 2 gives another figure")
    assert briefing.text == f"{generated} [1] [disputed by 2]"
    [disagreement] = briefing.disagreements
    assert disagreement.claim == generated
    assert [(v.text, v.sources) for v in disagreement.versions] == [
        (generated, (1,)),
        ("Floods killed 14 people in Kars province on Monday, the governor said.", (2,)),
    ]
    as_json = json.loads(json.dumps(briefing.to_dict()))
    assert as_json["disagreements"][0]["versions"][1]["sources"] == [2]
    assert "Sources disagree:" in format_plain(briefing)


def test_sources_that_agree_make_no_disagreement():
    briefing = summarize(FLOODS[:1] + [FLOODS[0]], SummaryOptions(engine="extractive"))
    assert briefing.disagreements == ()
    assert "Sources disagree" not in format_plain(briefing)


def test_contradicted_and_unsupported_are_counted_apart():
    output = "Floods killed 40 people in Kars province on Monday. Floods killed 12 people in Ankara on Monday."
    briefing = summarize(FLOODS, SummaryOptions(engine="abstractive"), generator=FakeGenerator(output))
    assert briefing.engine == "extractive"  # nothing was supported: the fallback
    assert (briefing.stats.dropped_contradicted, briefing.stats.dropped_unsupported) == (1, 1)
    kept = summarize(
        FLOODS, SummaryOptions(engine="abstractive", keep_unsupported=True), generator=FakeGenerator(output)
    )
    assert [s.verdict for s in kept.sentences] == ["contradicted", "unsupported"]
    assert kept.text.endswith("[contradicted] Floods killed 12 people in Ankara on Monday. [unsupported]")


TALKS = [
    Article(
        id="a",
        title="Talks stall",
        text=(
            '"We are still far apart on the salary cap," said deputy commissioner Russ Granik.\n\n'
            "Union chief Billy Hunter said: \"I don't think that they're ready to make a deal.\"\n\n"
            "The league and the union will meet again in New York on Friday."
        ),
    ),
    Article(
        id="b",
        title="Storm",
        text=(
            "The U.S. Agency for International Development sent two helicopters to the island on Tuesday.\n\n"
            "The National Weather Service said the storm would weaken over the sea by Thursday.\n\n"
            '"We have never seen water like this," said Jim Montgomery, a tourist from Ohio.'
        ),
    ),
]
DEAL = "I don't think that they're ready to make a deal"


def judged_talks(text: str, config: AttributionConfig | None = None):
    facts = deduplicate(segment(clean(TALKS)))
    [sentence], _ = attribute(text, facts, keep_unsupported=True, config=config or AttributionConfig())
    return sentence


@pytest.mark.parametrize(
    ("text", "given"),
    [
        (f'Russ Granik said: "{DEAL}."', "gives them to Billy Hunter"),
        (f'"{DEAL}," Granik said.', "gives them to Billy Hunter"),
        (f'Granik said "{DEAL}."', "gives them to Billy Hunter"),
        (f'"{DEAL}," said Granik, and the two sides will meet in New York on Friday.', "gives them to Billy Hunter"),
        (
            'Montgomery said: "The U.S. Agency for International Development sent two helicopters to the island."',
            "attributes them to no one",
        ),
        (
            "According to Montgomery, the U.S. Agency for International Development sent two helicopters.",
            "attributes them to no one",
        ),
        ("Jim Montgomery said the storm would weaken by Thursday.", "gives them to The National Weather Service"),
    ],
    ids=["voice", "quote-then-speaker", "speaker-then-quote", "fused", "narration-quoted", "according-to", "reported"],
)
def test_words_given_to_someone_the_sources_do_not_give_them_to_are_misattributed(text, given):
    sentence = judged_talks(text)
    assert sentence.verdict == "contradicted"
    assert sentence.reason.startswith("misattributed: words given to ")
    assert given in sentence.reason
    assert sentence.citations == ()
    without = AttributionConfig(checks=tuple(c for c in AttributionConfig().checks if c != "speaker"))
    assert judged_talks(text, without).verdict == "supported"


@pytest.mark.parametrize(
    "text",
    [
        f'Hunter said: "{DEAL}."',
        f'"{DEAL}," union chief Billy Hunter said.',
        "According to Granik, the two sides are still far apart on the salary cap.",
        '"We have never seen water like this," Montgomery said.',
        # Who is "he"? The check cannot tell, and leaves it to the others.
        f'"{DEAL}," he said.',
        # A fused sentence: the attribution covers its own clause, not the narration after it.
        f'"{DEAL}," Hunter said, and the league and the union will meet again in New York on Friday.',
        # Someone who speaks for the organisation the evidence gives the words to.
        "National Weather Service forecaster Jim Montgomery said the storm would weaken by Thursday.",
        # An outlet or author credited with a report is provenance, not a speaker.
        "Montgomery writes that the U.S. Agency for International Development sent two helicopters.",
    ],
    ids=["surname", "full-name", "according-to", "quote", "pronoun", "fused", "affiliation", "outlet-credit"],
)
def test_words_given_to_their_speaker_are_supported(text):
    assert judged_talks(text).verdict == "supported"


def test_words_someone_unnamed_reports_are_not_narration_that_misattributes():
    # The source reports a caller's words without naming her: no proof they are nobody's.
    trunk = Article(
        id="a",
        title="Trunk",
        text=(
            "On Saturday, dispatcher Tim Medlin received a call from a woman who said she was locked in the "
            "trunk of a moving car by her jealous boyfriend."
        ),
    )
    facts = deduplicate(segment(clean([trunk])))
    claim = 'The woman had been locked in the trunk by her boyfriend, who was "jealous," according to WRAL.'
    [sentence], _ = attribute(claim, facts, keep_unsupported=True, config=AttributionConfig())
    assert not (sentence.reason or "").startswith("misattributed")


SHOOTING = [
    Article(
        id="a",
        title="Warehouse shooting",
        text=(
            "Investigators believe the shooting began outside the distribution center on Perryman Road, "
            "then moved inside, Sheriff Jeffrey Gahler said.\n\n"
            '"This happened inside the warehouse on Perryman Road," spokeswoman Cristie Hopkins said.\n\n'
            "Former anchor Heather Unruh said that when her son was drunk, Spacey made his move.\n\n"
            'The tactic used by the hackers is "new to eCrime," the report says.\n\n'
            "Analyst Tom Smith studied the attacks on the stores for a month."
        ),
    ),
    Article(
        id="b",
        title="Interview",
        text=(
            "The exchange on the news channel ended with Cohen's statement on the campaign: "
            '"Bringing on someone like Kellyanne Conway was a great move, and it was something I would have '
            'liked to see happen earlier," he said. "But the campaign was not ready for it. Now they are."\n\n'
            'Michael Cohen said: "But the campaign was not ready for it."\n\n'
            '"Bringing on someone like Kellyanne Conway was a great move, and it was something I would have '
            'liked to see happen earlier," Cohen said.\n\n'
            "Host Brianna Keilar asked Cohen about the hiring of the campaign manager."
        ),
    ),
]


def judged_shooting(text: str):
    facts = deduplicate(segment(clean(SHOOTING)))
    [sentence], _ = attribute(text, facts, keep_unsupported=True, config=AttributionConfig())
    return sentence


@pytest.mark.parametrize(
    ("text", "given"),
    [
        # Gahler's own sentence shares "inside" and "Perryman Road"; the quotation is Hopkins's.
        ('"This happened inside the warehouse on Perryman Road," Gahler said.', "Cristie Hopkins"),
        # One source gives the words to "he"; another names him.
        ('Brianna Keilar said: "But the campaign was not ready for it."', "Michael Cohen"),
        # ", and" inside the quotation does not make its second half a clause of its own.
        (
            '"Bringing on someone like Kellyanne Conway was a great move, and it was something I would have '
            'liked to see happen earlier," Keilar said.',
            "Cohen",
        ),
    ],
    ids=["closest-evidence", "named-in-another-source", "clause-inside-quotation"],
)
def test_the_speaker_is_the_one_the_closest_source_names(text, given):
    sentence = judged_shooting(text)
    assert sentence.verdict == "contradicted"
    assert sentence.reason.startswith("misattributed: words given to ")
    assert sentence.reason.endswith(f"gives them to {given}")


@pytest.mark.parametrize(
    "text",
    [
        # Words a source gives to no one by name ("the report says") may be the named speaker's.
        'The tactic is "new to eCrime," analyst Tom Smith said.',
        # Who said it and whom the quotation is about play no roles against each other.
        '"When my son was drunk, Spacey made his move," said Unruh.',
    ],
    ids=["unnamed-source", "speaker-and-quoted-name"],
)
def test_quotations_a_source_does_not_give_to_someone_else_stand(text):
    assert judged_shooting(text).verdict == "supported"


@pytest.mark.parametrize(
    ("text", "word", "negated", "hedge"),
    [
        ("I cant imagine being inside that column.", "imagine", True, None),
        ("He was unable to reach her by phone.", "reach", True, None),
        ("Nobody could've imagined this to happen.", "imagined", True, "modal"),
        ("Nobody could have imagined this to happen.", "imagined", True, "modal"),
        ("They imagined this would happen.", "imagined", False, None),
        # A quotation opened inside the clause is what the negation bears on; one closed is not.
        ('Sasse said the tweets were not "beneath the dignity" of the office.', "beneath", True, None),
        ('"We will not rebuild," the mayor said, "the market."', "market", False, None),
        ("The discovery suggests a more colorful world than imagined.", "colorful", False, "modal"),
    ],
)
def test_negations_and_hedges_are_read_as_scraped_text_writes_them(text, word, negated, hedge):
    from summarizer.stages.checks import Said, tokenize

    said = Said(text, tokenize(text), frozenset(), frozenset())
    i = next(i for i, t in enumerate(said.tokens) if t.key == word)
    assert said.negated(i) is negated
    assert said.hedge(i) == hedge


PLACED = [
    Article(
        id="a",
        title="Findings",
        text=(
            "Astronomers Michael Brown and Konstantin Batygin have not observed the distant planet directly, but "
            "they say its pull shapes the orbits of small objects.\n\n"
            "The girl probably died because of the sedatives and local anesthesia she received, the autopsy "
            "report said.\n\n"
            "Police said it is not their intent to clear the park at this time."
        ),
    )
]


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        # The same hedge on another word: one certainty, placed differently.
        ("The report says the sedatives and anesthesia she received probably caused her death.", "supported"),
        # "intent to" hedges as "intend to" does; both negated.
        ("Police said they did not intend to clear the park at this time.", "supported"),
        ("Brown and Batygin have observed the distant planet directly.", "contradicted"),
        (
            "The girl died because of the sedatives and local anesthesia she received, the autopsy report said.",
            "contradicted",
        ),
    ],
    ids=["hedge-placed-differently", "intent", "negation-removed", "hedge-removed"],
)
def test_a_negation_or_hedge_placed_differently_is_not_the_opposite(text, verdict):
    facts = deduplicate(segment(clean(PLACED)))
    [sentence], _ = attribute(text, facts, keep_unsupported=True, config=AttributionConfig())
    assert sentence.verdict == verdict


def test_an_opposite_inside_a_hyphenated_word_is_caught():
    articles = [
        Article(
            id="a",
            title="Trial",
            text=(
                "The best-selling novel was adapted into a film by Peter Jackson last year.\n\n"
                "In individual categories, first-place gold winners each receive $500."
            ),
        )
    ]
    facts = deduplicate(segment(clean(articles)))
    for text, word in [
        ("The worst-selling novel was adapted into a film by Peter Jackson last year.", "best-selling"),
        ("In individual categories, last-place gold winners each receive $500.", "first-place"),
    ]:
        [sentence], _ = attribute(text, facts, keep_unsupported=True, config=AttributionConfig())
        assert sentence.verdict == "contradicted"
        assert f'where the source says "{word}"' in sentence.reason
    [kept], _ = attribute("First-place gold winners each receive $500.", facts, config=AttributionConfig())
    assert kept.verdict == "supported"
