"""GET /v1/stories (newest first, by time, in pages), GET /v1/stories/<id> (its articles and its
current briefing), GET /v1/stories/<id>/briefings (every version of its briefing),
GET /v1/stories/<id>/briefings/<version>[?since=<earlier version>] (one version's briefing, or the
update between two) and GET /v1/stories/<id>/timeline (what each version added).

A version keeps the ids of its articles, so the update between two versions is the briefing of
the later one's articles since the earlier one's (`summarize(..., since=...)`); it is written on
first request and stored like any briefing (by content hash), so later requests find it.

Stories are ordered by when they were last seen (a story that grows comes back to the top), then
by id; a page's `next_cursor` holds the last story's (last_seen, id), so pages do not overlap. A
story that grows while a client pages moves above the cursor: it shows on the next first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from flask import Blueprint, url_for

from summarizer import Article

from ...briefings.api import find_or_write, respond
from ...briefings.schemas import BriefingResource
from ...briefings.store import StoredBriefing, get_briefing_store
from ...openapi import Responses, api
from ...problems import Problem, invalid
from ...settings import briefing_defaults
from ..ingestion import row_article
from ..schemas import (
    StoryBriefingList,
    StoryList,
    StoryQuery,
    StoryResource,
    StoryTimeline,
    StoryVersionQuery,
)
from ..store import BriefingGlance, StoryBriefingRow, StoryRow, get_story_stores

bp = Blueprint("stories", __name__, url_prefix="/v1/stories")

# Articles listed with a story (its newest).
MAX_LISTED_ARTICLES = 200


def encode_cursor(last_seen: datetime, story_id: int) -> str:
    raw = json.dumps([last_seen.isoformat(), story_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        moment, story_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(moment), int(story_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise invalid([("cursor", "not a cursor this API gave: pass a page's next_cursor as it is")]) from None


def item(row: StoryRow, glance: BriefingGlance | None) -> dict:
    return {
        "id": row.id,
        "url": url_for("stories.get_story", story_id=row.id),
        "headline": row.headline,
        "article_count": row.article_count,
        "outlets": row.outlets,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "briefing_versions": glance.versions if glance else 0,
        "briefing_status": glance.status if glance else None,
        "gist": glance.gist if glance else None,
        "disputed": glance.disputed if glance else False,
    }


@bp.get("")
@api.validate(
    query=StoryQuery,
    resp=Responses({200: (StoryList, "A page of stories")}, problems=(422,)),
    operation_id="list_stories",
)
def list_stories(query: StoryQuery) -> StoryList:
    """Stories, the most recently seen first, by time, in pages"""
    store = get_story_stores().stories
    after = decode_cursor(query.cursor) if query.cursor is not None else None
    rows = store.page(query.since, query.until, after, query.limit + 1)
    page = rows[: query.limit]
    glances = store.briefing_glances([row.id for row in page])
    cursor = encode_cursor(page[-1].last_seen, page[-1].id) if len(rows) > query.limit else None
    return StoryList.model_validate(
        {
            "stories": [item(row, glances.get(row.id)) for row in page],
            "next_cursor": cursor,
            "next_url": url_for("stories.list_stories", **{**query.model_dump(exclude_none=True), "cursor": cursor})
            if cursor
            else None,
        }
    )


def find_story(story_id: str) -> StoryRow:
    row = None
    if story_id.isascii() and story_id.isdigit() and len(story_id) < 10:
        row = get_story_stores().stories.get(int(story_id))
    if row is None:
        raise Problem(404, "not-found", "Not Found", f"no story with id {story_id!r}", [("id", "no such story")])
    return row


def briefing_versions(story_id: int) -> list[dict]:
    """Every version of the story's briefing, the newest first."""
    storage = get_briefing_store()
    versions = []
    for version, cluster in get_story_stores().stories.versions_with_clusters(story_id):
        stored = storage.get(cluster.briefing_id) if cluster.briefing_id else None
        versions.append(
            {
                "version": version.version,
                "created_at": version.created_at,
                "article_count": version.article_count,
                "status": cluster.status,
                "job_url": url_for("jobs.get_job", job_id=version.job_id),
                "briefing_id": cluster.briefing_id,
                "briefing_url": url_for("briefings.get_briefing", briefing_id=cluster.briefing_id)
                if cluster.briefing_id
                else None,
                "briefing": stored.briefing if stored else None,
                "error": {"message": cluster.error, "field": cluster.error_field} if cluster.error else None,
            }
        )
    return versions


@bp.get("/<story_id>")
@api.validate(resp=Responses({200: (StoryResource, "The story")}, problems=(404,)), operation_id="get_story")
def get_story(story_id: str) -> StoryResource:
    """A story: its articles and its current briefing"""
    row = find_story(story_id)
    store = get_story_stores().stories
    articles = store.article_listing(row.id, MAX_LISTED_ARTICLES)
    versions = briefing_versions(row.id)
    current = next((v for v in versions if v["status"] == "done"), versions[0] if versions else None)
    return StoryResource.model_validate(
        {
            **item(row, store.briefing_glances([row.id]).get(row.id)),
            "articles": [{**a._asdict(), "seen_at": a.seen_at} for a in articles],
            "briefing": current,
        }
    )


@bp.get("/<story_id>/briefings")
@api.validate(
    resp=Responses({200: (StoryBriefingList, "Every version of the story's briefing")}, problems=(404,)),
    operation_id="list_story_briefings",
)
def list_story_briefings(story_id: str) -> StoryBriefingList:
    """Every version of a story's briefing, the newest first"""
    row = find_story(story_id)
    return StoryBriefingList.model_validate({"versions": briefing_versions(row.id)})


def find_version(rows: list[StoryBriefingRow], story_id: int, version: str | int, field: str) -> StoryBriefingRow:
    """The version `version` of the story: 404 naming `field` when it has none of that number."""
    number = int(version) if isinstance(version, int) or (version.isascii() and version.isdigit()) else None
    found = next((row for row in rows if row.version == number), None)
    if found is None:
        raise Problem(
            404,
            "not-found",
            "Not Found",
            f"story {story_id} has no briefing version {str(version)[:40]!r} (it has {len(rows)})",
            [(field, "no such version")],
        )
    return found


def version_articles(row: StoryBriefingRow) -> list[Article]:
    """A version's articles in the order its briefing cites them (stored order)."""
    return [row_article(article) for article in get_story_stores().stories.articles(row.article_ids)]


def update_between(earlier: StoryBriefingRow, later: StoryBriefingRow) -> StoredBriefing:
    """The update briefing: what `later`'s articles add to `earlier`'s (stored once written)."""
    before = version_articles(earlier)
    read = {article.id for article in before}
    new = [article for article in version_articles(later) if article.id not in read]
    if not new:
        # The later version has no article the earlier one lacks (a cut to the newest articles):
        # its own articles are then all the new side has, and they only repeat.
        new = version_articles(later)
    stored, _ = find_or_write(new, briefing_defaults(), since=before, made_by="story")
    return stored


@bp.get("/<story_id>/briefings/<version>")
@api.validate(
    query=StoryVersionQuery,
    resp=Responses(
        {200: (BriefingResource, "The version's briefing; with `since`, the update since that version")},
        problems=(404, 422),
    ),
    operation_id="get_story_briefing",
)
def get_story_briefing(story_id: str, version: str, query: StoryVersionQuery) -> tuple[BriefingResource, int, dict]:
    """One version of a story's briefing, or (with `since`) what it adds to an earlier version"""
    row = find_story(story_id)
    rows = get_story_stores().stories.versions(row.id)
    later = find_version(rows, row.id, version, "version")
    if query.since is None:
        stored, _ = find_or_write(version_articles(later), briefing_defaults(), made_by="story")
        return respond(stored, 200)
    if query.since >= later.version:
        raise invalid([("since", f"must be an earlier version than {later.version}, not {query.since}")])
    earlier = find_version(rows, row.id, query.since, "since")
    return respond(update_between(earlier, later), 200)


@bp.get("/<story_id>/timeline")
@api.validate(
    resp=Responses({200: (StoryTimeline, "What each briefing version added, the oldest first")}, problems=(404,)),
    operation_id="get_story_timeline",
)
def get_story_timeline(story_id: str) -> StoryTimeline:
    """A story's timeline: each briefing version with its time and the facts it added, cited"""
    row = find_story(story_id)
    versions = []
    previous = None
    for version in get_story_stores().stories.versions(row.id):
        if previous is None:
            stored, _ = find_or_write(version_articles(version), briefing_defaults(), made_by="story")
        else:
            stored = update_between(previous, version)
        versions.append(
            {
                "version": version.version,
                "created_at": version.created_at,
                "articles": version.article_count,
                "added": added_facts(stored, version, first=previous is None),
            }
        )
        previous = version
    return StoryTimeline.model_validate({"story_id": row.id, "versions": versions})


def added_facts(stored: StoredBriefing, version: StoryBriefingRow, first: bool) -> list[dict]:
    """The sentences a version added, cited by the numbers of its own briefing's sources (its
    articles in stored order); a citation of an article it no longer lists is left out."""
    number_of = {str(article_id): n for n, article_id in enumerate(sorted(version.article_ids), start=1)}
    ids = {source["index"]: source["id"] for source in stored.briefing["sources"]}
    return [
        {
            "text": sentence["text"],
            "citations": [number_of[ids[c]] for c in sentence["citations"] if ids.get(c) in number_of],
        }
        for sentence in stored.briefing["sentences"]
        if first or sentence.get("novelty")
    ]
