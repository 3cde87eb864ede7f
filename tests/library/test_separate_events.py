"""Articles about unrelated events summarised together: the briefing warns, naming which articles
go together (the story clustering of summarizer.stories), instead of alternating the events."""

from __future__ import annotations

import pytest
from helpers.paths import SEEDS

from summarizer import Article, InputError, SummaryOptions, merge_options, summarize
from summarizer.cli import main
from summarizer.inputs import read_articles
from summarizer.stories.events import distinctive_names, group_events

STORM = Article(
    id="storm-1",
    title="Storm cuts power to 40,000 homes",
    text="A powerful storm hit the northern coast on Monday, cutting power to 40,000 homes, officials said. "
    "The storm brought winds of 120 kilometres an hour and flooded the harbour district of the port city.",
)
STORM_TOO = Article(
    id="storm-2",
    title="Storm floods harbour district",
    text="Officials said the storm that hit the northern coast on Monday cut power to 40,000 homes. "
    "Winds of 120 kilometres an hour flooded the harbour district, and 35 people were rescued overnight.",
)
BAKERY = Article(
    id="bakery",
    title="Bakery wins national bread prize",
    text="A family bakery in the old town won the national bread prize on Saturday for its sourdough loaf. "
    "The owners said they had baked bread in the same oven for forty years and would celebrate with customers.",
)
# One story from two angles: the verdict, and the savers it ruined. Their words differ, so the
# clustering alone splits them; a rare name and a figure they share say they are one story.
VERDICT = Article(
    id="verdict",
    title="Jury convicts fund manager of fraud",
    text="A jury convicted the former fund manager Oskar Brandvik on Thursday of taking money from 1,437 pension "
    "accounts. The judge said he would pass sentence next month; the defence said it would appeal.",
)
SAVERS = Article(
    id="savers",
    title="Retired teachers cannot pay for heating this winter",
    text="Retired teachers in the valley say they cannot pay for heating this winter, and a church hall in Tromsvik "
    "now opens every evening so that they can keep warm. Volunteers bring soup and blankets, and the local choir "
    "sings. Many of the 1,437 savers had known Brandvik for years, and one widow said she still kept his letters.",
)
TWEET_NOTICE = Article(id="notice", title="", text="Add a location to your Tweets. Learn more.")
OPTIONS = SummaryOptions(engine="extractive", max_words=80)


def test_unrelated_articles_are_warned_about_naming_which_go_together():
    briefing = summarize([STORM, BAKERY, STORM_TOO], OPTIONS)
    [warning] = [w for w in briefing.warnings if "separate events" in w]
    assert "2 separate events" in warning
    assert "articles 1 and 3 (Storm" in warning and "article 2 (Bakery wins national bread prize)" in warning


def test_articles_about_one_event_give_no_such_warning():
    seeds, _ = read_articles([SEEDS])
    for articles in ([STORM, STORM_TOO], seeds):
        assert not [w for w in summarize(articles, OPTIONS).warnings if "separate events" in w]


def test_an_option_refuses_separate_events_instead():
    with pytest.raises(InputError, match=r"2 separate events: articles 1 and 3 .*refused") as caught:
        summarize([STORM, BAKERY, STORM_TOO], merge_options(OPTIONS, refuse_separate_events=True))
    assert caught.value.field == "articles"
    assert summarize([STORM, STORM_TOO], merge_options(OPTIONS, refuse_separate_events=True)).text


def test_the_api_and_the_command_line_take_the_option(make_app, tmp_path, capsys):
    client = make_app().test_client()
    articles = [{"title": a.title, "text": a.text} for a in (STORM, BAKERY)]
    warned = client.post("/v1/briefings", json={"articles": articles})
    assert warned.status_code == 201 and any("separate events" in w for w in warned.get_json()["briefing"]["warnings"])
    refused = client.post("/v1/briefings", json={"articles": articles, "options": {"refuse_separate_events": True}})
    assert refused.status_code == 422 and "separate events" in refused.get_json()["detail"]

    for article in (STORM, BAKERY):
        (tmp_path / f"{article.id}.txt").write_text(f"{article.title}\n\n{article.text}\n")
    assert main(["summarize", str(tmp_path), "--engine", "extractive"]) == 0
    assert "separate events" in capsys.readouterr().err
    assert main(["summarize", str(tmp_path), "--engine", "extractive", "--refuse-separate-events"]) == 2
    assert "separate events" in capsys.readouterr().err


def separate_events_warnings(articles: list[Article]) -> list[str]:
    return [w for w in summarize(articles, OPTIONS).warnings if "separate events" in w]


def test_one_story_from_two_angles_sharing_rare_names_gives_no_warning():
    # The clustering alone calls them two events; the shared name and figure join them.
    assert len(group_events([VERDICT, SAVERS], shared_names_to_join=None).events) == 2
    assert group_events([VERDICT, SAVERS]).events == (((1, 2), "Jury convicts fund manager of fraud"),)
    assert not separate_events_warnings([VERDICT, SAVERS])


def test_unrelated_stories_sharing_only_common_names_are_still_told_apart():
    # "Washington" is in any news: even one distinctive name in common would join them, but it is none.
    storm = Article(id="s", title=STORM.title, text=STORM.text.replace("the northern coast", "the coast of Washington"))
    bakery = Article(id="b", title=BAKERY.title, text=BAKERY.text.replace("in the old town", "in Washington"))
    assert len(group_events([storm, bakery], shared_names_to_join=1).events) == 2
    [warning] = separate_events_warnings([storm, bakery])
    assert "2 separate events: article 1 (Storm cuts power to 40,000 homes); article 2 (Bakery wins" in warning


def test_a_page_that_is_no_article_is_set_aside_not_called_an_event():
    briefing = summarize([STORM, TWEET_NOTICE, STORM_TOO], merge_options(OPTIONS, refuse_separate_events=True))
    assert not [w for w in briefing.warnings if "separate events" in w]
    [set_aside] = [w for w in briefing.warnings if "set aside" in w]
    assert set_aside.startswith("article 2 was set aside (not an article: 2 words of prose")
    assert set_aside.endswith("not counted as an event")


def test_distinctive_names_are_rare_names_and_figures_that_are_no_year_nor_round():
    text = (
        "The talks in Washington with President Okonjo-Iweala of the Warratyi council ended in 2015, when the "
        "president said 40,000 people and 1,437 farms were affected. Oskar Brandvik's fund lost 250."
    )
    assert distinctive_names(text, {"president"}) == {"okonjo-iweala", "warratyi", "brandvik", "1437", "250"}
