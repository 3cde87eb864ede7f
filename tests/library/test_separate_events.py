"""Articles about unrelated events summarised together: the briefing warns, naming which articles
go together (the story clustering of summarizer.stories), instead of alternating the events."""

from __future__ import annotations

from helpers.paths import SEEDS

from summarizer import Article, SummaryOptions, summarize
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
