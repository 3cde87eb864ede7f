"""What a new user hits first on the command line: a stream of articles given to `summarize`,
and HTML pages given to `stories` (which reads local files as `summarize` does)."""

from __future__ import annotations

import json

import pytest
from helpers.news_server import article_page

from summarizer.cli import main

STORM = [
    "A powerful storm hit the northern coast on Monday, cutting power to 40,000 homes, officials said.",
    "The storm brought winds of 120 kilometres an hour and flooded the harbour district of the port city.",
    "Emergency services rescued 35 people from flooded homes overnight, the regional fire service said.",
]
STORM_TOO = [
    "Officials said the storm that hit the northern coast on Monday cut power to 40,000 homes.",
    "Winds of 120 kilometres an hour flooded the harbour district, and 35 people were rescued overnight.",
    "The regional governor visited the port city on Tuesday and promised help for the flooded homes.",
]


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_a_stream_of_articles_given_to_summarize_fails_and_points_to_stories(tmp_path, capsys):
    stream = tmp_path / "stream.jsonl"
    lines = [{"title": f"Story {n}", "text": " ".join(STORM), "source": f"Outlet {n}"} for n in range(8)]
    stream.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["summarize", str(stream), "--engine", "extractive", "--out", str(tmp_path / "out.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "one article" in err and "newsbrief stories" in err and str(stream) in err


def test_summarize_exits_1_naming_the_clusters_that_failed(tmp_path, capsys):
    clusters = tmp_path / "clusters.jsonl"
    good = {"id": "storm", "articles": [{"text": " ".join(STORM)}, {"text": " ".join(STORM_TOO)}]}
    empty = {"id": "empty", "articles": [{"text": "..."}]}
    clusters.write_text(json.dumps(good) + "\n" + json.dumps(empty) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(clusters), "--engine", "extractive", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "1 clusters summarised, 1 failed" in err and "failed: empty" in err
    assert [json.loads(line)["status"] for line in out.read_text().splitlines()] == ["done", "failed"]


def test_stories_reads_html_files_as_summarize_does(tmp_path, capsys):
    first, second = tmp_path / "page1.html", tmp_path / "page2.html"
    first.write_bytes(article_page("Storm cuts power to 40,000 homes", STORM, "Coast Herald"))
    second.write_bytes(article_page("Storm floods the harbour district", STORM_TOO, "Port News"))
    assert main(["stories", str(first), str(second), "--json", "--engine", "extractive"]) == 0
    [story] = json.loads(capsys.readouterr().out)
    assert "<" not in story["headline"] and story["headline"] in (
        "Storm cuts power to 40,000 homes",
        "Storm floods the harbour district",
    )
    assert sorted(a["title"] for a in story["articles"]) == [
        "Storm cuts power to 40,000 homes",
        "Storm floods the harbour district",
    ]
    assert sorted(story["outlets"]) == ["Coast Herald", "Port News"]
    assert story["briefing"] is not None and "<" not in story["briefing"]["text"]

    # summarize reads the same files alike: the titles and outlets its sources list.
    assert main(["summarize", str(first), str(second), "--json", "--engine", "extractive"]) == 0
    sources = json.loads(capsys.readouterr().out)["sources"]
    assert sorted((s["title"], s["source"]) for s in sources) == [
        ("Storm cuts power to 40,000 homes", "Coast Herald"),
        ("Storm floods the harbour district", "Port News"),
    ]
