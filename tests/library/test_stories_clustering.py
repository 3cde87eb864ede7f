"""Incremental story clustering (summarizer.stories.StoryClusterer) on hand-made articles."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from summarizer.errors import InputError
from summarizer.stories import StoryAssignment, StoryClusterer
from summarizer.types import Article

T0 = datetime(2026, 11, 30, 8, tzinfo=UTC)
FLOODS = [
    (
        "Cork Courier",
        "Floods close Cork bridge",
        "Floods closed the main bridge in Cork on Tuesday after heavy rain. Engineers will inspect the bridge, the council said, and 300 homes are without power.",
    ),
    (
        "Irish Daily",
        "Cork bridge shut as river floods",
        "The river Lee flooded Cork city centre and the council shut the main bridge. About 300 homes lost power and engineers began inspecting the bridge.",
    ),
    (
        "Munster Radio",
        "Power cut to 300 homes in Cork floods",
        "Heavy rain flooded Cork. The council said 300 homes had no power and the bridge stays closed until engineers inspect it.",
    ),
]
ELECTION = [
    (
        "Daily Ledger",
        "Tbilisi mayor wins second term",
        "Voters in Tbilisi re-elected the mayor for a second term on Sunday, the electoral commission said, with 58 percent of the ballots counted.",
    ),
    (
        "Caucasus Wire",
        "Mayor of Tbilisi re-elected",
        "The electoral commission announced that the mayor of Tbilisi won re-election with 58 percent; turnout was lower than at the last vote.",
    ),
]


def article(i: int, outlet: str, title: str, text: str) -> Article:
    return Article(
        id=f"a{i}", title=title, text=text, url=f"https://{outlet.lower().replace(' ', '-')}.example/{i}", source=outlet
    )


def interleaved() -> list[Article]:
    items = [*FLOODS[:2], *ELECTION, FLOODS[2]]
    order = [0, 2, 1, 3, 4]  # flood, election, flood, election, flood
    return [article(i, *items[k]) for i, k in enumerate(order)]


def test_articles_join_their_own_story_and_ids_follow_creation_order():
    clusterer = StoryClusterer()
    assignments = [clusterer.add(a, T0 + timedelta(minutes=i)) for i, a in enumerate(interleaved())]
    assert assignments == [
        StoryAssignment(1, True),
        StoryAssignment(2, True),
        StoryAssignment(1, False),
        StoryAssignment(2, False),
        StoryAssignment(1, False),
    ]
    newest, older = clusterer.stories()
    assert newest.id == 1 and newest.article_ids == ("a0", "a2", "a4")
    assert newest.outlets == ("Cork Courier", "Irish Daily", "Munster Radio")
    assert (newest.first_seen, newest.last_seen) == (T0, T0 + timedelta(minutes=4))
    assert "Cork" in newest.headline
    assert older.id == 2 and older.outlets == ("Daily Ledger", "Caucasus Wire")
    assert clusterer.story(2) == older


def test_the_same_article_twice_is_counted_once():
    clusterer = StoryClusterer()
    first = article(0, *FLOODS[0])
    clusterer.add(first, T0)
    again = Article(id="copy", title="Other title", text="Other text entirely.", url=first.url + "/#top")
    assert clusterer.add(again, T0 + timedelta(hours=1)) == StoryAssignment(1, False)
    assert clusterer.story(1).article_ids == ("a0",)


def test_a_story_last_seen_before_the_window_takes_no_new_articles():
    clusterer = StoryClusterer(window=timedelta(days=1))
    clusterer.add(article(0, *FLOODS[0]), T0)
    assert clusterer.add(article(1, *FLOODS[1]), T0 + timedelta(hours=23)) == StoryAssignment(1, False)
    later = clusterer.add(article(2, *FLOODS[2]), T0 + timedelta(hours=23) + timedelta(days=1, minutes=1))
    assert later == StoryAssignment(2, True)


def test_restored_assignments_are_kept_and_new_ids_continue_after_them():
    clusterer = StoryClusterer()
    clusterer.restore(article(0, *FLOODS[0]), T0, story=7)
    # Replayed as stored even where a fresh decision would differ.
    clusterer.restore(article(1, *ELECTION[0]), T0, story=7)
    assert clusterer.add(article(2, *FLOODS[1]), T0 + timedelta(minutes=1)) == StoryAssignment(7, False)
    assert clusterer.story(7).article_ids == ("a0", "a1", "a2")
    assert clusterer.add(
        article(3, "Other", "Comet seen", "Astronomers in Osaka photographed a bright comet over the bay at dawn."), T0
    ) == StoryAssignment(8, True)


def test_a_story_with_no_titled_article_is_headed_by_its_first_words():
    clusterer = StoryClusterer()
    clusterer.add(Article(id="x", title="", text=" ".join(f"word{i}" for i in range(30))), T0)
    assert clusterer.story(1).headline == " ".join(f"word{i}" for i in range(12)) + " ..."


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError):
        StoryClusterer(window=timedelta(0))
    with pytest.raises(InputError):
        StoryClusterer(threshold=1.5)
    with pytest.raises(InputError, match="no story 3"):
        StoryClusterer().story(3)
    with pytest.raises(InputError):
        StoryClusterer().restore(article(0, *FLOODS[0]), T0, story=0)


def test_an_article_sent_as_html_is_compared_by_its_text_not_its_markup():
    clusterer = StoryClusterer()
    markup = '<div class="story-body"><span class="x">{}</span></div>'
    html = [
        Article(id=f"h{i}", title="", text=markup.format(text), content_type="html", url=f"https://h{i}.example/")
        for i, (_, _, text) in enumerate([FLOODS[0], ELECTION[0]])
    ]
    assert [clusterer.add(a, T0).story for a in html] == [1, 2]
    assert clusterer.add(article(5, *FLOODS[1]), T0) == StoryAssignment(1, False)


def test_a_page_that_is_no_article_is_set_aside_with_its_reason_and_nothing_joins_it():
    clusterer = StoryClusterer()
    notice = Article(
        id="n",
        title="",
        text="We've detected that JavaScript is disabled in your browser. Would you like to proceed to legacy Twitter? Yes",
        url="https://twitter.example/1",
    )
    assignment = clusterer.add(notice, T0)
    assert assignment.story == 1 and assignment.new
    assert assignment.set_aside is not None and assignment.set_aside.startswith("not an article")
    assert clusterer.story(1).set_aside == assignment.set_aside
    first = clusterer.add(article(1, *FLOODS[0]), T0)
    assert first == StoryAssignment(2, True)
    assert clusterer.story(2).set_aside is None


def test_the_same_event_published_weeks_apart_makes_two_stories():
    clusterer = StoryClusterer(window=timedelta(days=3))
    early = replace(article(0, *FLOODS[0]), published="2026-11-01T08:00:00+00:00")
    late = replace(article(1, *FLOODS[1]), published="2026-11-20T08:00:00+00:00")
    again = replace(article(2, *FLOODS[2]), published="2026-11-21T08:00:00+00:00")
    # All seen at once (a pasted collection): the publication dates bound the stories.
    assert [clusterer.add(a, T0).story for a in (early, late, again)] == [1, 2, 2]
