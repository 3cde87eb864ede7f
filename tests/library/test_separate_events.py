"""Articles about unrelated events summarised together: the briefing warns, naming which articles
go together (the story clustering of summarizer.stories), instead of alternating the events."""

from __future__ import annotations

import pytest
from helpers.paths import SEEDS

from summarizer import Article, InputError, SummaryOptions, merge_options, summarize
from summarizer.cli import main
from summarizer.inputs import read_articles

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
