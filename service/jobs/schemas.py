"""The bodies of POST /v1/jobs and GET /v1/jobs/<id> (pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..briefings.schemas import EXAMPLE_REQUEST, BriefingOptions, EffectiveOptions
from ..schemas import NOT_BLANK, Articles, AtMost, ClusterError, NoControlCharacters, Strict, omitted

# Idempotency-Key: visible ASCII, as HTTP header values can carry safely.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"

EXAMPLE_JOB: dict[str, Any] = {
    "clusters": [
        {"id": "floods-north", "articles": EXAMPLE_REQUEST["articles"]},
        {"id": "floods-north-update", "articles": EXAMPLE_REQUEST["articles"][:1]},
    ],
    "options": {"max_words": 60},
}


class JobCluster(Strict):
    """The articles of one cluster, as in a POST /v1/briefings body."""

    id: Annotated[str, Field(min_length=1, max_length=2000, pattern=NOT_BLANK), NoControlCharacters()] | None = Field(
        default=None, description="The cluster's own id, echoed in the results; defaults to cluster-N (N counts from 1)"
    )
    articles: Articles


class JobRequest(Strict):
    """The POST /v1/jobs body: clusters of the same articles, with the same options, as a
    POST /v1/briefings body (the very same models, so one schema describes both)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_JOB]})
    clusters: Annotated[list[JobCluster], Field(min_length=1), AtMost("max_job_clusters")]
    options: BriefingOptions = Field(  # type: ignore[valid-type]
        default_factory=BriefingOptions, description="For every cluster of the job"
    )


class JobHeaders(BaseModel):
    """The request headers POST /v1/jobs reads; it ignores the others."""

    # Typed str, not str | None (a union would report a wrong key twice): None stands for a header not sent.
    idempotency_key: Annotated[str, Field(pattern=IDEMPOTENCY_KEY_PATTERN)] = omitted(
        "Any unique string (a UUID, say) that makes a retried POST safe: the same key with the same body answers "
        "with the job made the first time; with a different body, 422",
        alias="Idempotency-Key",
    )


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
