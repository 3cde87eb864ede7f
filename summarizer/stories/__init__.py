"""Stories: from a stream of articles and feeds to events.

Ingestion fetches article pages and feeds safely (`fetch`: no request reaches a non-public address
unless the operator's allow-list names it), extracts each page's main text and metadata
(`articles`), and reads RSS and Atom feeds (`feeds`); `clustering` groups the articles into
stories, one article at a time; `events` tells whether the articles of one briefing tell one
event or several.
"""

from .articles import article_from_page, article_key, fetch_article, site_of
from .clustering import StoryAssignment, StoryClusterer, StorySummary
from .feeds import Feed, FeedEntry, entry_article, entry_articles, fetch_feed, parse_feed
from .fetch import FetchFailed, FetchPolicy, FetchRefused, check_url
from .ingest import articles_from_url

__all__ = [
    "Feed",
    "FeedEntry",
    "FetchFailed",
    "FetchPolicy",
    "FetchRefused",
    "StoryAssignment",
    "StoryClusterer",
    "StorySummary",
    "article_from_page",
    "article_key",
    "articles_from_url",
    "check_url",
    "entry_article",
    "entry_articles",
    "fetch_article",
    "fetch_feed",
    "parse_feed",
    "site_of",
]
