"""A URL as a source of articles: a feed's entries, or one article page, told apart by what the
server sends (fetched once)."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import InputError
from ..types import Article
from .articles import article_from_page
from .feeds import entry_articles, parse_feed
from .fetch import FetchPolicy, fetch

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "text/xml", "application/xml"}
)
# How a feed begins (after an XML declaration and comments), for servers that call it text/html.
FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf")


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    if content_type in FEED_TYPES:
        return True
    head = body[:1024].lstrip().lower()
    return any(root in head for root in FEED_ROOTS)


def articles_from_url(url: str, policy: FetchPolicy) -> Iterator[Article | InputError]:
    """The articles a URL gives: each entry of a feed (an entry that fails comes back as its error),
    or the one article of a page. FetchRefused, FetchFailed or InputError when the URL itself fails."""
    page = fetch(url, policy)
    if looks_like_feed(page.body, page.content_type):
        feed = parse_feed(page.body, page.url)
        if not feed.entries:
            raise InputError(f"{url}: the feed has no entries", "url")
        yield from entry_articles(feed, policy)
    else:
        yield article_from_page(page.body, page.url, page.content_type, page.charset)
