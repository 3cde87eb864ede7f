"""Feeds and the articles of their entries (summarizer.stories.feeds, .ingest), and the key that
stores one article once (summarizer.stories.article_key)."""

from __future__ import annotations

import pytest
from helpers.news_server import NewsServer, Page, article_page, rss

from summarizer.errors import InputError
from summarizer.stories import FetchPolicy, FetchRefused, article_key, articles_from_url, fetch_feed, parse_feed
from summarizer.types import Article

ALLOW_FIRST = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=5)
FLOOD = [
    "Floods closed the main bridge in Cork on Tuesday after two days of heavy rain across the county.",
    "The council said about 300 homes were without power and that engineers would inspect the bridge.",
]
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Harbour News</title>
<entry><title>Port reopens</title><link href="/port-reopens"/><updated>2026-11-29T10:30:00Z</updated>
<content type="html">&lt;p&gt;The port of Mombasa reopened on Sunday after the storm, the harbour master said.&lt;/p&gt;</content>
</entry></feed>"""


def test_an_rss_feed_gives_its_entries_with_dates_in_utc_and_full_text_only_from_content():
    data = rss(
        "Cork Courier",
        [
            {"title": "Bridge closed", "link": "https://cork.example/bridge", "content": "<p>Full text here.</p>"},
            {"title": "Teaser only", "link": "https://cork.example/teaser", "date": "Tue, 01 Dec 2026 09:15:00 +0100"},
        ],
    )
    feed = parse_feed(data, "https://cork.example/rss")
    assert feed.title == "Cork Courier" and feed.url == "https://cork.example/rss"
    first, second = feed.entries
    assert (first.title, first.url, first.content) == (
        "Bridge closed",
        "https://cork.example/bridge",
        "<p>Full text here.</p>",
    )
    assert first.published == "2026-11-30T08:00:00+00:00"
    assert second.content is None  # a <description> is a teaser, not the article
    assert second.published == "2026-12-01T08:15:00+00:00"


def test_an_atom_feed_resolves_relative_links_against_the_feed_url():
    feed = parse_feed(ATOM, "https://harbour.example/feeds/atom.xml")
    (entry,) = feed.entries
    assert entry.url == "https://harbour.example/port-reopens"
    assert entry.published == "2026-11-29T10:30:00+00:00"
    assert "Mombasa reopened" in (entry.content or "")


@pytest.mark.parametrize("data", [b"<html><body><p>Just a page</p></body></html>", b"/etc/passwd", b""])
def test_what_is_not_a_feed_is_an_input_error(data):
    # b"/etc/passwd" must be read as a (bad) document, never opened as a file name.
    with pytest.raises(InputError, match="not an RSS or Atom feed"):
        parse_feed(data, "https://example.org/feed")


def test_a_feed_url_gives_each_entry_fetched_or_from_its_content_and_refused_links_as_errors():
    with NewsServer("127.0.0.1").running() as first, NewsServer("127.0.0.2").running() as second:
        first.pages["/bridge"] = Page(article_page("Cork bridge shut by floods", FLOOD, "Cork Courier"))
        second.pages["/internal"] = Page(b"secret", "text/plain")
        first.pages["/rss"] = Page(
            rss(
                "Cork Courier",
                [
                    {"title": "Bridge shut", "link": first.url("/bridge")},
                    {"title": "Inline", "link": first.url("/inline"), "content": "<p>Inline text of the story.</p>"},
                    {"title": "Elsewhere", "link": second.url("/internal")},
                ],
            ),
            "application/rss+xml",
        )
        items = list(articles_from_url(first.url("/rss"), ALLOW_FIRST))
        feed = fetch_feed(first.url("/rss"), ALLOW_FIRST)
    fetched, inline, refused = items
    assert isinstance(fetched, Article) and isinstance(inline, Article)
    assert fetched.title == "Bridge shut"  # the feed's title wins over the page's
    assert fetched.source == "Cork Courier" and "300 homes" in fetched.text
    assert fetched.published == "2026-11-30T08:00:00+00:00"
    assert inline.text == "Inline text of the story." and first.hits["/inline"] == 0
    assert isinstance(refused, FetchRefused) and second.total_hits == 0
    assert [e.title for e in feed.entries] == ["Bridge shut", "Inline", "Elsewhere"]


def test_a_page_url_gives_its_one_article():
    with NewsServer("127.0.0.1").running() as server:
        server.pages["/a"] = Page(article_page("Cork bridge shut by floods", FLOOD, "Cork Courier"))
        (article,) = articles_from_url(server.url("/a"), ALLOW_FIRST)
    assert isinstance(article, Article) and article.title == "Cork bridge shut by floods"


def test_the_same_article_by_url_has_one_key_whatever_the_spelling_of_its_url():
    def at(url: str, text: str = "Some text.") -> Article:
        return Article(id=url, title="", text=text, url=url)

    key = article_key(at("https://www.cork.example/news/bridge/"))
    assert article_key(at("https://cork.example/news/bridge#comments", "Other text.")) == key
    assert article_key(at("HTTPS://Cork.Example/news/bridge")) == key
    assert article_key(at("https://cork.example/news/bridge?id=2")) != key
    assert article_key(at("https://cork.example/news/other")) != key


def test_without_a_url_the_same_text_has_one_key():
    first = Article(id="a", title="One", text="Floods closed the bridge.\n\nPower is out.")
    same = Article(id="b", title="Two", text="  floods closed the BRIDGE. Power is out. ")
    other = Article(id="c", title="One", text="Floods closed the road.")
    assert article_key(first) == article_key(same)
    assert article_key(first) != article_key(other)
    assert article_key(first).startswith("sha256:")
