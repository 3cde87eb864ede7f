"""`newsbrief stories` on a feed served by a local server, and on files."""

from __future__ import annotations

import json

import pytest
from helpers.news_server import NewsServer, Page, article_page, rss

from summarizer.cli import main
from summarizer.settings import Settings

FLOOD_PAGES = {
    "Cork Courier": [
        "Floods closed the main bridge in Cork on Tuesday after two days of heavy rain across the county.",
        "The city council said about 300 homes were without power on Tuesday evening.",
        "Engineers will inspect the bridge on Wednesday before it can reopen to traffic.",
    ],
    "Irish Daily": [
        "The river Lee burst its banks in Cork on Tuesday and the council closed the main bridge.",
        "About 300 homes in the city lost power as the water rose, the council said.",
        "Schools in the flooded streets will stay shut until Thursday, the education office said.",
    ],
    "Munster Radio": [
        "Heavy rain flooded the centre of Cork on Tuesday and the main bridge was closed.",
        "Engineers are to inspect the bridge on Wednesday, and 300 homes are still without power.",
        "The weather service warned of more rain in Cork at the weekend.",
    ],
}
COMET = [
    "Astronomers in Osaka photographed a bright comet low over the bay at dawn on Monday.",
    "The comet will be visible to the naked eye for about a week, the observatory said.",
]


@pytest.fixture(autouse=True)
def settings_from_the_test_only(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("NEWSBRIEF_FETCH_ALLOW_NETWORKS", raising=False)


@pytest.fixture
def news():
    with NewsServer("127.0.0.1").running() as server:
        items = []
        for number, (outlet, paragraphs) in enumerate(FLOOD_PAGES.items()):
            server.pages[f"/flood-{number}"] = Page(article_page(f"{outlet}: Cork floods", paragraphs, outlet))
            items.append({"title": f"Cork floods ({outlet})", "link": server.url(f"/flood-{number}")})
        server.pages["/comet"] = Page(article_page("Comet over Osaka", COMET, "Osaka Star"))
        items.insert(1, {"title": "Comet over Osaka", "link": server.url("/comet")})
        server.pages["/rss"] = Page(rss("Local news", items), "application/rss+xml")
        yield server


def test_stories_of_a_local_feed_with_a_briefing_for_the_story_from_several_outlets(news, monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW_NETWORKS", "127.0.0.1")
    assert main(["stories", news.url("/rss"), "--engine", "extractive", "--json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert len(stories) == 2
    flood = next(s for s in stories if len(s["articles"]) == 3)
    comet = next(s for s in stories if len(s["articles"]) == 1)
    assert flood["outlets"] == ["Cork Courier", "Irish Daily", "Munster Radio"]
    briefing = flood["briefing"]
    assert briefing is not None and briefing["engine"] == "extractive"
    assert "[" in briefing["text"] and len(briefing["sources"]) == 3
    assert comet["briefing"] is None and "1 outlet" in comet["note"]
    assert news.hits["/rss"] == 1 and all(news.hits[f"/flood-{n}"] == 1 for n in range(3))


def test_the_plain_output_lists_each_story_its_articles_and_briefing(news, monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW_NETWORKS", "127.0.0.1/32")
    assert main(["stories", news.url("/rss"), "--engine", "extractive"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 articles, 2 stories")
    assert "outlets: Cork Courier, Irish Daily, Munster Radio" in out
    assert "Sources:" in out and "(no briefing: 1 outlet (a briefing needs 2))" in out


def test_a_feed_on_a_refused_address_is_a_one_line_error_and_gets_no_request(news, capsys):
    assert main(["stories", news.url("/rss")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("newsbrief: error: ") and "loopback" in err[0]
    assert news.total_hits == 0


def test_articles_from_jsonl_and_folders_are_grouped_too(tmp_path, capsys):
    lines = [
        {"title": f"{outlet}: Cork floods", "text": " ".join(paragraphs), "source": outlet}
        for outlet, paragraphs in FLOOD_PAGES.items()
    ]
    (tmp_path / "articles.jsonl").write_text("\n".join(json.dumps(line) for line in lines[:2]) + "\n")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "radio.json").write_text(json.dumps(lines[2]))
    (folder / "comet.txt").write_text("Comet over Osaka\n\n" + " ".join(COMET))
    assert main(["stories", str(tmp_path / "articles.jsonl"), str(folder), "--engine", "extractive", "--json"]) == 0
    stories = json.loads(capsys.readouterr().out)
    assert sorted(len(s["articles"]) for s in stories) == [1, 3]


def test_a_bad_jsonl_line_is_named(tmp_path, capsys):
    (tmp_path / "bad.jsonl").write_text('{"text": "fine text here."}\n[1, 2\n')
    assert main(["stories", str(tmp_path / "bad.jsonl")]) == 2
    assert "bad.jsonl line 2" in capsys.readouterr().err


def test_the_allow_list_setting_is_read_comma_separated_and_checked(news, monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW_NETWORKS", " localhost , 10.0.0.0/8 ")
    assert Settings.load().fetch_allow_networks == ("localhost", "10.0.0.0/8")
    monkeypatch.setenv("NEWSBRIEF_FETCH_ALLOW_NETWORKS", "127.0.0.1/33")
    assert main(["stories", news.url("/rss")]) == 2
    assert "'127.0.0.1/33' is neither a network (CIDR) nor a host name" in capsys.readouterr().err
    assert news.total_hits == 0


def test_the_same_article_twice_is_listed_once(tmp_path, capsys):
    outlet, paragraphs = next(iter(FLOOD_PAGES.items()))
    line = json.dumps(
        {"title": "Cork floods", "text": " ".join(paragraphs), "source": outlet, "url": "https://cork.example/a"}
    )
    again = json.dumps({"title": "Cork floods", "text": " ".join(paragraphs), "url": "https://www.cork.example/a/#top"})
    (tmp_path / "twice.jsonl").write_text(f"{line}\n{again}\n")
    assert main(["stories", str(tmp_path / "twice.jsonl"), "--engine", "extractive"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 articles (1 the same as another), 1 story")
    assert out.count("https://cork.example/a") == 1


def test_a_page_that_is_no_article_is_listed_as_set_aside(tmp_path, capsys):
    pages = [
        {"id": "error", "text": "Sorry, the page you requested was not found. Please try again later."},
        {"id": "comet", "title": "Comet over Osaka", "text": " ".join(COMET)},
    ]
    (tmp_path / "pages.jsonl").write_text("\n".join(json.dumps(page) for page in pages) + "\n")
    assert main(["stories", str(tmp_path / "pages.jsonl"), "--engine", "extractive", "--json"]) == 0
    notes = {s["articles"][0]["id"]: s["note"] for s in json.loads(capsys.readouterr().out)}
    assert notes["error"].startswith("set aside: not an article")
    assert notes["comet"].startswith("no briefing: 1 outlet")
