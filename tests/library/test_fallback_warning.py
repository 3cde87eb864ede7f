"""When the model cannot load and engine "auto" falls back, the warning says it in the project's
words (it reaches the page and the shared Markdown): which model, why it could not load, what the
briefing used instead, and how to make the model available; never the hub library's own text."""

from __future__ import annotations

import pytest
from helpers.paths import SEEDS

from summarizer import SummaryOptions, summarize
from summarizer.inputs import read_articles


@pytest.fixture
def seeds():
    articles, _ = read_articles([SEEDS])
    return articles


def test_an_uncached_model_offline_is_explained_in_the_projects_words(seeds, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    briefing = summarize(seeds, SummaryOptions(engine="auto", model="no-such-org/no-such-model", max_words=40))
    assert briefing.engine == "extractive"
    [warning] = [w for w in briefing.warnings if "no-such-org/no-such-model" in w]
    assert "could not load model 'no-such-org/no-such-model'" in warning
    assert "not in this machine's model cache" in warning and "HF_HUB_OFFLINE" in warning
    assert warning.startswith("used the extractive engine: could not load model")
    assert "NEWSBRIEF_MODEL" in warning and "download" in warning
    assert "huggingface.co" not in warning and "We couldn't" not in warning
