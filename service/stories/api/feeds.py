"""POST /v1/feeds (subscribe to an RSS or Atom feed), GET /v1/feeds and GET /v1/feeds/<id>.

A new feed's URL is checked at once, as an article's (a refusal is a 422 naming `url`), stored,
and polled in the background right away, then every NEWSBRIEF_FEED_POLL_INTERVAL seconds (see
service/stories/ingestion.py): each poll ingests the entries not seen before, at most
NEWSBRIEF_FEED_MAX_ENTRIES of them. Subscribing to a feed again answers with the stored one.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, request, url_for

from summarizer.stories import FetchFailed, FetchRefused, check_url

from ...briefings.api import check_json_body
from ...jobs.runner import DispatchError
from ...openapi import Responses, api
from ...problems import Problem, invalid
from ...schemas import CONTROL_CHARACTER
from ...settings import current_settings
from ..ingestion import get_ingestion
from ..scheduling import POLL_TASK, get_scheduler
from ..schemas import FeedList, FeedRequest, FeedResource
from ..store import FeedRow, get_story_stores, url_digest
from .articles import refusal

log = logging.getLogger(__name__)

bp = Blueprint("feeds", __name__, url_prefix="/v1/feeds")

LOCATION = {"Location": "The feed's address, /v1/feeds/{id}"}


@bp.before_request
def check_feed_request() -> None:
    if request.method == "POST":
        check_json_body("max_content_length")


def resource(row: FeedRow) -> FeedResource:
    return FeedResource.model_validate(
        {
            "id": row.id,
            "url": row.url,
            "title": row.title,
            "created_at": row.created_at,
            "next_poll_at": row.next_poll_at,
            "last_polled_at": row.last_polled_at,
            "last_error": row.last_error,
            "articles_added": row.articles_added,
        }
    )


@bp.post("")
@api.validate(
    resp=Responses(
        {
            201: (FeedResource, "Subscribed; the first poll has started"),
            200: (FeedResource, "Subscribed before"),
        },
        problems=(400, 413, 415, 422),
        headers={201: LOCATION, 200: LOCATION},
    ),
    operation_id="subscribe_feed",
)
def subscribe_feed(json: FeedRequest) -> tuple[FeedResource, int, dict[str, str]]:
    """Subscribe to an RSS or Atom feed, polled on a schedule"""
    feeds, scheduler = get_story_stores().feeds, get_scheduler()
    url = json.url.strip()
    try:
        check_url(url, get_ingestion().policy)
    except FetchRefused as err:
        raise invalid([("url", refusal(err))]) from None
    except FetchFailed:
        pass  # the host does not resolve now: the polls say so in last_error until it does
    digest = url_digest(url)
    existing = feeds.find(digest)
    count = feeds.count()
    limit = current_settings().max_feeds
    if existing is None and count >= limit:
        raise invalid([("url", f"already {count} feeds, the most this service polls (NEWSBRIEF_MAX_FEEDS={limit})")])
    status = 200
    if existing is None:
        feed_id = feeds.add(url, digest, datetime.now(UTC))
        if feed_id is not None:  # else the same feed, subscribed by a concurrent request
            status = 201
            if scheduler.claim_feed(feed_id, due=None):
                try:
                    scheduler.submit(POLL_TASK, feed_id)
                except DispatchError as err:
                    log.warning("feed %d: first poll not queued (the scheduler will poll it): %s", feed_id, err)
            scheduler.start_scheduler()
    stored = feeds.find(digest)
    assert stored is not None  # subscribed above, or by the concurrent request
    return resource(stored), status, {"Location": url_for("feeds.get_feed", feed_id=stored.id)}


@bp.get("")
@api.validate(resp=Responses({200: (FeedList, "The subscribed feeds, oldest first")}), operation_id="list_feeds")
def list_feeds() -> FeedList:
    """The subscribed feeds and how their polls went"""
    return FeedList(feeds=[resource(row) for row in get_story_stores().feeds.all()])


@bp.get("/<feed_id>")
@api.validate(
    resp=Responses({200: (FeedResource, "The feed")}, problems=(404,), headers={200: LOCATION}),
    operation_id="get_feed",
)
def get_feed(feed_id: str) -> tuple[FeedResource, int, dict[str, str]]:
    """A subscribed feed"""
    row = (
        get_story_stores().feeds.get(int(feed_id))
        if feed_id.isascii() and feed_id.isdigit() and len(feed_id) < 10
        else None
    )
    if row is None or CONTROL_CHARACTER.search(feed_id):
        raise Problem(404, "not-found", "Not Found", f"no feed with id {feed_id!r}", [("id", "no such feed")])
    return resource(row), 200, {"Location": url_for("feeds.get_feed", feed_id=row.id)}
