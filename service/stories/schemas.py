"""Request and response bodies of the stories API (POST /v1/articles, /v1/feeds, /v1/stories), as
pydantic models for spectree, like service/briefings/schemas.py's."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from summarizer import Briefing

from ..schemas import NOT_BLANK, ArticleBody, AtMost, ClusterError, Meta, NoControlCharacters, Strict, omitted


def _iso_time(value: object) -> object:
    """An ISO 8601 time (a time zone, or UTC), and only that: pydantic alone also takes a number
    of seconds, which a query string cannot tell from a typo."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "datetime_from_iso", "must be an ISO 8601 time, like 2026-11-30T14:00:00Z"
            ) from None
    return value


IsoTime = Annotated[datetime, BeforeValidator(_iso_time)]
WebUrl = Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK), NoControlCharacters()]

EXAMPLE_INGEST: dict[str, Any] = {
    "articles": [
        {
            "title": "Floods kill 12 in the north",
            "text": "Floods killed 12 people in the northern province on Monday, officials said. "
            "Rescue teams reached the cut-off villages on Tuesday morning.",
            "url": "https://wire.example/floods",
            "source": "Wire",
        },
        {"url": "https://local.example/news/floods-emergency"},
    ]
}


class IngestArticle(Strict):
    """An article's content (`text` or `html`, with any of title, url, source, published), or only a
    `url` to fetch it from."""

    model_config = ConfigDict(
        json_schema_extra={
            "if": {"not": {"anyOf": [{"required": ["text"]}, {"required": ["html"]}]}},
            "then": {"required": ["url"]},
        }
    )

    title: Meta = None
    text: ArticleBody = omitted("Plain text")
    html: ArticleBody = omitted("A whole HTML page; its main text is extracted")
    content_type: Literal["text", "html"] | None = Field(default=None, description='"html" when `text` holds HTML')
    # Typed str, not str | None: an item of only {"url": null} would pass the schema's "then".
    url: Annotated[str, Field(max_length=2000), NoControlCharacters()] = omitted(
        "The article's address; alone, the page to fetch"
    )
    source: Meta = Field(default=None, description="The outlet; defaults to the URL's site")
    published: Meta = None


class IngestRequest(Strict):
    """The POST /v1/articles body."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_INGEST]})
    articles: Annotated[list[IngestArticle], Field(min_length=1), AtMost("max_ingest_articles")]


class IngestResult(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    index: int = Field(description="Position in the request's `articles`, from 0")
    status: Literal["new", "duplicate", "queued"] = Field(
        description="new: stored now; duplicate: stored before (same canonical URL or text); queued: to be fetched"
    )
    article_id: int | None
    story_id: int | None = Field(description="The story the article joined")
    story_url: str | None
    fetch_id: str | None = Field(description="For a URL to fetch: follow fetch_url")
    fetch_url: str | None


class IngestResponse(BaseModel):
    new: int
    duplicates: int
    queued: int
    articles: list[IngestResult]


class FetchResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str
    url: str
    status: Literal["queued", "running", "done", "failed"]
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    article_id: int | None
    story_id: int | None
    story_url: str | None
    duplicate: bool | None = Field(description="The fetched article was stored before")
    error: ClusterError | None = Field(description="Why the fetch failed (refused, unreachable, no article text)")


class FeedRequest(Strict):
    """The POST /v1/feeds body."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://news.example/rss.xml"}]})
    url: WebUrl = Field(description="An RSS or Atom feed's address")


class FeedResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: int
    url: str
    title: str | None
    created_at: datetime
    next_poll_at: datetime
    last_polled_at: datetime | None
    last_error: str | None = Field(description="What went wrong in the last poll (the feed or some entries)")
    articles_added: int = Field(description="New articles its polls have stored")


class FeedList(BaseModel):
    feeds: list[FeedResource]


class StoryQuery(BaseModel):
    """GET /v1/stories: stories last seen in [since, until), newest first, `limit` a page."""

    model_config = ConfigDict(extra="forbid")
    since: IsoTime | None = omitted("Only stories last seen at or after this time (ISO 8601)")
    until: IsoTime | None = omitted("Only stories first seen before this time (ISO 8601)")
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, Field(min_length=1, max_length=200), NoControlCharacters()] | None = omitted(
        "The `next_cursor` of the previous page"
    )


class StoryArticle(BaseModel):
    id: int
    title: str
    url: str | None
    source: str | None
    published: str | None
    seen_at: datetime


class StoryBriefing(BaseModel):
    """One version of a story's briefing: a job of one cluster (its articles then)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    version: int
    created_at: datetime
    article_count: int
    status: Literal["queued", "running", "done", "failed"]
    job_url: str
    briefing_id: str | None
    briefing_url: str | None
    briefing: Briefing | None
    error: ClusterError | None


class StoryItem(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: int
    url: str
    headline: str
    article_count: int
    outlets: list[str]
    first_seen: datetime
    last_seen: datetime
    briefing_versions: int = Field(description="Briefing versions made so far (GET /v1/stories/{id}/briefings)")
    # What a front page shows of the current briefing (GET /v1/stories/{id}'s `briefing`), so a
    # list of stories needs no request per story.
    briefing_status: Literal["queued", "running", "done", "failed"] | None = Field(
        description="The status of the current briefing version (GET /v1/stories/{id}'s `briefing.status`); "
        "null while the story has no version"
    )
    gist: str | None = Field(
        description="The first sentence of the current briefing (its `sentences[0].text`); null until a "
        "version is done, or when it has no sentence"
    )
    disputed: bool = Field(
        description="The current briefing lists a disagreement between its sources (its `disagreements` is "
        "not empty); false without a briefing"
    )


class StoryList(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    stories: list[StoryItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
    next_url: str | None


class StoryResource(StoryItem):
    articles: list[StoryArticle] = Field(description="Its articles, the newest first (at most 200)")
    briefing: StoryBriefing | None = Field(
        description="The newest version that is done; else the newest one (queued, running or failed); "
        "null until the story has articles from two outlets"
    )


class StoryBriefingList(BaseModel):
    versions: list[StoryBriefing] = Field(description="Every version, the newest first")


class StoryVersionQuery(BaseModel):
    since: Annotated[int, Field(ge=1)] | None = omitted(
        "An earlier version: the answer is then the update briefing, what this version's articles add to that "
        'one\'s (each sentence\'s `novelty` says "new" or "update")'
    )


class TimelineFact(BaseModel):
    text: str = Field(description="A sentence of the version's update briefing")
    citations: list[int] = Field(
        description="Its sources: numbers of the sources of this version's briefing "
        "(GET /v1/stories/{id}/briefings/{version})"
    )


class TimelineVersion(BaseModel):
    version: int
    created_at: datetime
    articles: int = Field(description="The version's article count")
    added: list[TimelineFact] = Field(
        description="What the version added: for the first, its briefing; for each later one, its update briefing "
        "since the version before (empty when its new articles only repeat)"
    )


class StoryTimeline(BaseModel):
    story_id: int
    versions: list[TimelineVersion] = Field(description="Every briefing version, the oldest first")
