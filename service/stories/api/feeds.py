"""POST /v1/feeds (subscribe to an RSS or Atom feed), GET /v1/feeds and GET /v1/feeds/<id>.

A new feed's URL is checked at once, as an article's (a refusal is a 422 naming `url`), stored,
and polled in the background right away, then every NEWSBRIEF_FEED_POLL_INTERVAL seconds (see
service/stories/ingestion.py): each poll ingests the entries not seen before, at most
NEWSBRIEF_FEED_MAX_ENTRIES of them. Subscribing to a feed again answers with the stored one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from summarizer.stories import FetchFailed, FetchRefused, check_url

from ...briefings.api import check_json_body
from ...jobs.runner import DispatchError
from ...openapi import Responses, api
from ...problems import Problem, invalid
from ...schemas import CONTROL_CHARACTER
from ...settings import current_settings
from ..ingestion import POLL_TASK, get_stories, log
from ..schemas import FeedList, FeedRequest, FeedResource
from ..store import FeedRow, aware, url_digest
from .articles import refusal

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
            "created_at": aware(row.created_at),
            "next_poll_at": aware(row.next_poll_at),
            "last_polled_at": aware(row.last_polled_at) if row.last_polled_at else None,
            "last_error": row.last_error,
            "articles_added": row.articles_added,
        }
    )


def find(feed_id: int) -> FeedRow | None:
    with get_stories().sessions() as session:
        return session.get(FeedRow, feed_id)


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
    service = get_stories()
    url = json.url.strip()
    try:
        check_url(url, get_stories().policy)
    except FetchRefused as err:
        raise invalid([("url", refusal(err))]) from None
    except FetchFailed:
        pass  # the host does not resolve now: the polls say so in last_error until it does
    digest = url_digest(url)
    with service.sessions() as session:
        existing = session.execute(select(FeedRow).where(FeedRow.url_hash == digest)).scalar_one_or_none()
        count = session.execute(select(func.count()).select_from(FeedRow)).scalar_one()
    limit = current_settings().max_feeds
    if existing is None and count >= limit:
        raise invalid([("url", f"already {count} feeds, the most this service polls (NEWSBRIEF_MAX_FEEDS={limit})")])
    status = 200
    if existing is None:
        now = datetime.now(UTC)
        row = FeedRow(url=url, url_hash=digest, created_at=now, next_poll_at=now, articles_added=0)
        try:
            with service.sessions.begin() as session:
                session.add(row)
                session.flush()
                feed_id = row.id
        except IntegrityError:  # the same feed, subscribed by a concurrent request
            pass
        else:
            status = 201
            if service.claim_feed(feed_id, due=None):
                try:
                    service.submit(POLL_TASK, feed_id)
                except DispatchError as err:
                    log.warning("feed %d: first poll not queued (the scheduler will poll it): %s", feed_id, err)
            service.start_scheduler()
    with service.sessions() as session:
        stored = session.execute(select(FeedRow).where(FeedRow.url_hash == digest)).scalar_one()
    return resource(stored), status, {"Location": url_for("feeds.get_feed", feed_id=stored.id)}


@bp.get("")
@api.validate(resp=Responses({200: (FeedList, "The subscribed feeds, oldest first")}), operation_id="list_feeds")
def list_feeds() -> FeedList:
    """The subscribed feeds and how their polls went"""
    with get_stories().sessions() as session:
        rows = session.execute(select(FeedRow).order_by(FeedRow.id)).scalars().all()
    return FeedList(feeds=[resource(row) for row in rows])


@bp.get("/<feed_id>")
@api.validate(
    resp=Responses({200: (FeedResource, "The feed")}, problems=(404,), headers={200: LOCATION}),
    operation_id="get_feed",
)
def get_feed(feed_id: str) -> tuple[FeedResource, int, dict[str, str]]:
    """A subscribed feed"""
    row = find(int(feed_id)) if feed_id.isascii() and feed_id.isdigit() and len(feed_id) < 10 else None
    if row is None or CONTROL_CHARACTER.search(feed_id):
        raise Problem(404, "not-found", "Not Found", f"no feed with id {feed_id!r}", [("id", "no such feed")])
    return resource(row), 200, {"Location": url_for("feeds.get_feed", feed_id=row.id)}
