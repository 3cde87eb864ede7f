"""RSS and Atom feeds (feedparser), and the articles of their entries."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from ..errors import InputError
from ..text import without_control_characters
from ..types import Article
from .articles import cleaned, fetch_article, html_text, is_web_url, site_of
from .fetch import FetchPolicy, fetch

# Entry pages fetched at once: a feed of 30 links waits on the slowest few, not on all in a row.
ENTRY_FETCHES = 4


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed: `content` is the article's full text (HTML) when the feed carries it
    (an Atom <content> or RSS <content:encoded>); a mere <description> teaser is not content."""

    url: str | None
    title: str
    published: str | None
    content: str | None


@dataclass(frozen=True)
class Feed:
    url: str
    title: str
    entries: tuple[FeedEntry, ...]


def fetch_feed(url: str, policy: FetchPolicy) -> Feed:
    page = fetch(url, policy)
    return parse_feed(page.body, page.url)


def parse_feed(data: bytes, url: str) -> Feed:
    """The feed in `data` (found at `url`, against which relative links resolve); InputError when
    it is not an RSS or Atom feed."""
    # A stream, never bytes or str: feedparser opens a str or bytes that names a file or a URL.
    parsed = feedparser.parse(io.BytesIO(data), response_headers={"content-location": url})
    if not parsed.get("version") or (parsed.get("bozo") and not parsed.entries):
        raise InputError(f"{url}: not an RSS or Atom feed", "url")
    entries = tuple(_entry(item) for item in parsed.entries)
    title = without_control_characters(str(parsed.feed.get("title", ""))).strip()
    return Feed(url=url, title=title, entries=entries)


def _entry(item: Any) -> FeedEntry:
    link = item.get("link")
    contents = [c.get("value", "") for c in item.get("content", []) if str(c.get("value", "")).strip()]
    return FeedEntry(
        url=link if is_web_url(link) else None,
        title=str(item.get("title", "")).strip(),
        published=_iso(item.get("published_parsed") or item.get("updated_parsed")),
        content=max(contents, key=len) if contents else None,
    )


def _iso(moment: time.struct_time | None) -> str | None:
    # feedparser gives UTC struct_times.
    return datetime(*moment[:6], tzinfo=UTC).isoformat() if moment else None


def entry_articles(feed: Feed, policy: FetchPolicy) -> Iterator[Article | InputError]:
    """Each entry's article, in the feed's order: its content when the feed carries it, else its
    page fetched (ENTRY_FETCHES at a time, each under `policy`); an entry that fails comes back as
    its error, so one dead link does not lose the others."""

    def article_or_error(entry: FeedEntry) -> Article | InputError:
        try:
            return entry_article(entry, feed, policy)
        except InputError as err:
            return err

    with ThreadPoolExecutor(max_workers=ENTRY_FETCHES) as pool:
        yield from pool.map(article_or_error, feed.entries)


def entry_article(entry: FeedEntry, feed: Feed, policy: FetchPolicy) -> Article:
    """The article of one entry, without control characters (as `article_from_page`); the feed's
    own title and date win over what a page says."""
    if entry.content is not None:
        text = without_control_characters(html_text(entry.content))
        if not text:
            raise InputError(f"{feed.url}: the entry {entry.title or entry.url!r} has empty content", "url")
        return cleaned(
            Article(
                id=entry.url or f"{feed.url}#{entry.title}",
                title=entry.title,
                text=text,
                url=entry.url,
                source=site_of(entry.url) or feed.title or site_of(feed.url),
                published=entry.published,
            )
        )
    if entry.url is None:
        raise InputError(f"{feed.url}: the entry {entry.title!r} has neither a link nor content", "url")
    article = fetch_article(entry.url, policy)
    return cleaned(replace(article, title=entry.title or article.title, published=entry.published or article.published))
