"""Request and response bodies as pydantic models: they validate requests and generate /openapi.json.

The request model is built per app, because its limits (articles per request, characters per
article) and the models a request may name are settings. Option bounds mirror the checks in
`SummaryOptions.__post_init__`; a test holds the two together. The briefing inside a
response is the summariser's own `Briefing` dataclass, so its schema cannot drift from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from summarizer.options import BUDGET_TOKENS_RANGE, ENGINES, MAX_WORDS_RANGE, PROFILES
from summarizer.types import Briefing

# Contains something other than white space (JSON Schema patterns match anywhere in a string).
NOT_BLANK = r"\S"


EXAMPLE_REQUEST = {
    "articles": [
        {
            "id": "wire",
            "title": "Floods kill 12 in the north",
            "text": "Floods killed 12 people in the northern province on Monday, officials said. "
            "Rescue teams reached the cut-off villages on Tuesday morning. "
            "The regional governor declared a state of emergency.",
        },
        {
            "id": "local",
            "title": "State of emergency after deadly floods",
            "text": "Officials said the floods killed 12 people in the northern province on Monday. "
            "The governor declared a state of emergency on Monday night. "
            "Schools in the province will stay closed until Friday.",
        },
    ],
    "options": {"max_words": 60},
}


class Strict(BaseModel):
    # Strict: "150" is not a number and 1 is not true; unknown keys are errors, never ignored.
    model_config = ConfigDict(strict=True, extra="forbid")


def request_model(models: list[str], max_articles: int, max_article_chars: int) -> type[BaseModel]:
    """The POST /v1/briefings body for these settings."""
    Body = Annotated[str, Field(min_length=1, max_length=max_article_chars, pattern=NOT_BLANK)]
    Meta = Annotated[str | None, Field(max_length=2000)]

    class Article(Strict):
        """One article: `text` (plain text) or `html` (a whole page; the article is extracted)."""

        model_config = ConfigDict(
            title="Article", json_schema_extra={"anyOf": [{"required": ["text"]}, {"required": ["html"]}]}
        )
        id: Meta = Field(None, description="Defaults to article-N (N counts from 1)")
        title: Meta = None
        text: Body = None
        html: Body = None
        content_type: Literal["text", "html"] | None = Field(None, description='"html" when `text` holds HTML')
        url: Meta = None
        source: Meta = None
        published: Meta = None

    class BriefingOptions(Strict):
        """Unset options take the server's defaults (NEWSBRIEF_ENGINE, NEWSBRIEF_MODEL, ...)."""

        model_config = ConfigDict(title="BriefingOptions")
        engine: Literal[ENGINES] | None = Field(None, description="auto: the model if it loads, else extractive")
        model: Literal[tuple(models)] | None = Field(None, description="One of GET /v1/models")
        max_words: Annotated[int, Field(ge=MAX_WORDS_RANGE[0], le=MAX_WORDS_RANGE[1])] | None = None
        profile: Literal[tuple(PROFILES)] | None = Field(None, description="Speed/fidelity profile of the model")
        budget_tokens: Annotated[int, Field(ge=BUDGET_TOKENS_RANGE[0], le=BUDGET_TOKENS_RANGE[1])] | None = None
        keep_unsupported: bool | None = Field(None, description="Keep unsupported sentences, flagged")

    class BriefingRequest(Strict):
        model_config = ConfigDict(title="BriefingRequest", json_schema_extra={"examples": [EXAMPLE_REQUEST]})
        articles: list[Article] = Field(min_length=1, max_length=max_articles)
        options: BriefingOptions = Field(default_factory=BriefingOptions)

    return BriefingRequest


EXAMPLE_JOB = {
    "clusters": [
        {"id": "floods-north", "articles": EXAMPLE_REQUEST["articles"]},
        {"id": "floods-north-update", "articles": EXAMPLE_REQUEST["articles"][:1]},
    ],
    "options": {"max_words": 60},
}
# Idempotency-Key: visible ASCII, as HTTP header values can carry safely.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"


def job_request_model(briefing_request: type[BaseModel], max_clusters: int, max_articles: int) -> type[BaseModel]:
    """The POST /v1/jobs body: clusters of the same articles, with the same options, as a
    POST /v1/briefings body (the very same models, so one schema describes both)."""
    Articles = briefing_request.model_fields["articles"].annotation  # list[Article]
    Options = briefing_request.model_fields["options"].annotation

    class JobCluster(Strict):
        model_config = ConfigDict(title="JobCluster")
        id: Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK)] | None = Field(
            None, description="The cluster's own id, echoed in the results; defaults to cluster-N (N counts from 1)"
        )
        articles: Annotated[Articles, Field(min_length=1, max_length=max_articles)]

    class JobRequest(Strict):
        model_config = ConfigDict(title="JobRequest", json_schema_extra={"examples": [EXAMPLE_JOB]})
        clusters: list[JobCluster] = Field(min_length=1, max_length=max_clusters)
        options: Options = Field(default_factory=Options, description="For every cluster of the job")

    return JobRequest


class EffectiveOptions(BaseModel):
    """The options the briefing was made with, server defaults filled in."""

    engine: Literal[ENGINES]
    model: str
    max_words: int
    profile: str
    budget_tokens: int | None
    tokenizer: str | None
    keep_unsupported: bool
    no_repeat_ngram_size: int


class BriefingResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str
    content_hash: str = Field(description="sha256 of the articles, the options and the summariser version")
    created_at: datetime
    options: EffectiveOptions
    briefing: Briefing


class ProblemError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `fields` names the request parts at fault."""

    type: str
    title: str
    status: int
    detail: str
    fields: list[str]
    errors: list[ProblemError]


class ModelInfo(BaseModel):
    name: str
    default: bool
    state: Literal["not loaded", "loading", "loaded", "unavailable"]
    detail: str | None = Field(description="Why the model is unavailable")


class ModelList(BaseModel):
    models: list[ModelInfo]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    ready: bool
    engine: Literal["abstractive", "extractive"] | None = Field(
        description="The engine requests with default options use now; null until a lazily loaded model is first needed"
    )
    fallback: bool = Field(description="The default model could not load, so engine auto uses the extractive engine")
    model: ModelInfo
    database: Literal["ok", "unavailable"]
    detail: str


class ClusterError(BaseModel):
    message: str
    field: str | None = Field(description="The part of the request at fault, like clusters[3].articles")


class JobClusterResult(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    index: int = Field(description="Position in the request's `clusters`, from 0")
    id: str
    status: Literal["queued", "running", "done", "failed"]
    attempts: int = Field(description="Times a worker took the cluster up (more than 1 after a retry or a lost worker)")
    finished_at: datetime | None
    briefing_id: str | None
    briefing_url: str | None = Field(description="The stored briefing, /v1/briefings/{id}, once done")
    error: ClusterError | None = Field(description="Why the cluster failed; the rest of the job goes on")


class JobCounts(BaseModel):
    total: int
    queued: int
    running: int
    done: int
    failed: int


class JobResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str
    status: Literal["queued", "running", "done"] = Field(description="done: every cluster is done or failed")
    created_at: datetime
    finished_at: datetime | None
    options: EffectiveOptions
    counts: JobCounts
    clusters: list[JobClusterResult]
