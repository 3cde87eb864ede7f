"""Disagreements only about the same thing: a count against a count of the same noun, a time
against a time, a date against a date, a place against a place of the same kind; never an age
against a time, nor parts against objects, nor a running total against one day's count, nor a
duration in round figures against the exact one it rounds."""

import pytest
from helpers.fakes import FakeGenerator

from summarizer import Article, SummaryOptions, summarize
from summarizer.stages.checks import quantities
from summarizer.stages.disagree import differing
from summarizer.stages.segment import make_sentence


def disputed(first: str, second: str) -> frozenset[tuple[str, str]]:
    """What `first` (article 1) states that `second` (article 2) states otherwise."""
    a, b = make_sentence(0, 0, first), make_sentence(1, 0, second)
    return differing(a, b, {id(a): frozenset(a.stems), id(b): frozenset(b.stems)})


def briefing_disagreements(claim: str, *texts: str):
    articles = [Article(id=str(i), title=f"Report {i}", text=text) for i, text in enumerate(texts, 1)]
    briefing = summarize(articles, SummaryOptions(engine="abstractive"), generator=FakeGenerator(claim))
    return briefing


def test_quantities_are_typed_so_that_a_time_is_not_read_as_two_numbers():
    found = {(q.kind, q.value, q.thing) for q in quantities("Andre Jackson, 32, was shot at 1:30 p.m. on Dec. 26.")}
    assert found == {("age", "32", None), ("time", "13:30", None), ("date", "dec 26", None)}
    assert {(q.kind, q.value, q.thing) for q in quantities("The 19-year-old paid $33.5 million, 12 percent more.")} == {
        ("age", "19", None),
        ("money", "$33500000", "$"),
        ("percent", "12", None),
    }
    assert {(q.kind, q.value, q.thing) for q in quantities("More than 2,000 people came in 2000 to Logan Square.")} == {
        ("count", "2000", "person"),
        ("year", "2000", None),
        ("place", "logan square", "square"),
    }


def test_an_age_is_not_weighed_against_a_time():
    assert not disputed(
        "Police said Andre Jackson, 32, was shot in the chest on Sunday in Humboldt Park.",
        "Andre Jackson was shot in the chest at 1:30 p.m. on Sunday in Humboldt Park, police said.",
    )


def test_counts_of_different_things_are_not_weighed_against_each_other():
    assert not disputed(
        "Rescuers have found four big parts of the plane near the coast of Borneo, the agency chief said.",
        "Rescuers found two big objects of the plane near the coast of Borneo, the agency chief said.",
    )


def test_a_count_of_the_same_thing_disagrees_even_when_outlets_word_it_apart():
    first = "A Change.org petition urging the university to reinstate the coach had 11,000 signatures by Tuesday."
    second = "Supporters of the fired coach delivered a petition with 17,000 signatures to the university president."
    assert disputed(first, second) == {("count", "11000")}
    assert disputed(second, first) == {("count", "17000")}


def test_a_running_total_is_no_count_of_one_day():
    total = "Southern Israel had been the target of more than 750 rockets fired from Gaza this year."
    friday = "The Israeli military said 97 rockets fired from Gaza hit southern Israel on Friday."
    assert not disputed(total, friday) and not disputed(friday, total)
    # Two counts of one day still disagree.
    assert disputed("Militants fired 120 rockets from Gaza at southern Israel on Friday.", friday) == {("count", "120")}


def test_a_duration_in_round_figures_is_the_exact_one_it_rounds():
    rounded = "A judge in New Orleans sentenced Robert Durst to seven years in prison for a federal gun crime."
    exact = "A federal judge in New Orleans sentenced Robert Durst to 7 years, 1 month in prison for a gun crime."
    assert not disputed(rounded, exact)
    # Three years are not three and a half.
    longer = "A federal judge in New Orleans sentenced Robert Durst to 42 months in prison for a gun crime."
    assert disputed(longer, "A judge in New Orleans sentenced Robert Durst to 3 years in prison for a gun crime.")


def test_a_time_disagrees_with_a_time_and_a_date_with_a_date():
    assert disputed(
        "The shooting in Humboldt Park happened at 1:30 p.m. on Sunday, police said.",
        "The shooting in Humboldt Park happened at 2:15 p.m. on Sunday, police said.",
    ) == {("time", "13:30")}
    assert disputed(
        "She is scheduled to return to court on Dec. 26 for a hearing on the charges.",
        "She is due back in court on Dec. 28 for a hearing on the charges, prosecutors said.",
    ) == {("date", "dec 26")}


def test_two_places_of_the_same_kind_disagree():
    first = "The shooting happened shortly after 10 p.m. Saturday near a bus stop in Logan Square, police said."
    second = "A 19-year-old man was shot near a bus stop in Palmer Square on Saturday night, police said."
    assert disputed(first, second) == {("place", "logan square")}
    # A place of another kind is another thing: a square is not weighed against a park.
    assert not disputed(first, second.replace("Palmer Square", "Humboldt Park"))


@pytest.mark.parametrize(
    ("claim", "other"),
    [
        (
            "The shooting happened shortly after 10 p.m. Saturday near a bus stop in Logan Square, police said.",
            "A 19-year-old man was shot near a bus stop in Palmer Square on Saturday night, police said.",
        ),
        (  # One fact to deduplication, which keeps apart only sentences whose figures differ.
            "A 19-year-old man was shot near a bus stop in Logan Square on Saturday night, police said.",
            "A 19-year-old man was shot near a bus stop in Palmer Square on Saturday night, police said.",
        ),
        (
            "A Change.org petition urging the university to reinstate the coach had 11,000 signatures by Tuesday.",
            "Supporters of the fired coach delivered a petition with 17,000 signatures to the university president.",
        ),
    ],
)
def test_a_briefing_sentence_on_one_side_lists_the_disagreement(claim, other):
    briefing = briefing_disagreements(claim, claim + " The family asked for privacy.", other)
    [sentence] = briefing.sentences
    assert sentence.reason.startswith("sources disagree: source 2 gives another figure, date or place")
    [disagreement] = briefing.disagreements
    assert [(v.text, v.sources) for v in disagreement.versions] == [(claim, (1,)), (other, (2,))]


def test_an_age_and_a_time_make_no_disagreement_in_a_briefing():
    claim = "Police said Andre Jackson, 32, was shot in the chest on Sunday in Humboldt Park."
    briefing = briefing_disagreements(
        claim, claim, "Andre Jackson was shot in the chest at 1:30 p.m. on Sunday in Humboldt Park, police said."
    )
    assert briefing.sentences[0].verdict == "supported"
    assert briefing.disagreements == ()
