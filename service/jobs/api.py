"""POST /v1/jobs and GET /v1/jobs/<id>: many clusters summarised in the background.

A new job is stored with every cluster queued, handed to the workers, and answered
`202 Accepted` with `Location: /v1/jobs/<id>`. A request that carries an `Idempotency-Key`
already used with the same body is answered with that job (`200 OK`); with a different body,
422. When NEWSBRIEF_MAX_QUEUED_CLUSTERS clusters are waiting or running already, or the broker
cannot be reached, the job is not stored and the answer is 503 with `Retry-After`.

The request is checked as a whole first (the same article and option rules as
POST /v1/briefings, per cluster): a wrong one is refused with 4xx naming the fields. What only
the summariser can find (a cluster with no sentence to summarise) fails that cluster alone.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from flask import Blueprint, Response, request, url_for

from summarizer import InputError
from summarizer.inputs import article_from_dict

from ..briefings.api import ARTICLE_KEYS, check_json_body, effective_options
from ..database import visible_to
from ..openapi import Responses, api
from ..problems import Problem, invalid
from ..schemas import CONTROL_CHARACTER
from ..schemas import Problem as ProblemDetails
from ..security import request_owner
from ..settings import current_settings
from .runner import DispatchError, dispatch, get_job_store
from .schemas import JobHeaders, JobRequest, JobResource
from .store import Job, NewCluster

bp = Blueprint("jobs", __name__, url_prefix="/v1/jobs")

LOCATION = {"Location": "The job's address, /v1/jobs/{id}"}
RETRY_AFTER = {"Retry-After": "Seconds to wait before trying again"}


@bp.before_request
def check_job_request() -> None:
    if request.method == "POST":
        check_json_body("max_job_content_length")


def to_clusters(body: JobRequest) -> list[NewCluster]:
    clusters = []
    for i, cluster in enumerate(body.clusters):
        articles = []
        for j, item in enumerate(cluster.articles):
            where = f"clusters[{i}].articles[{j}]"
            try:
                article = article_from_dict(item.model_dump(exclude_none=True), f"article-{j + 1}", where)
            except InputError as err:
                field = f"{where}.{err.field}" if err.field in ARTICLE_KEYS else where
                raise invalid([(field, err.message.removeprefix(f"{where}: "))]) from None
            articles.append(asdict(article))
        clusters.append(NewCluster(cluster.id or f"cluster-{i + 1}", articles))
    return clusters


def body_hash(data: object) -> str:
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def respond(job: Job, status: int) -> tuple[JobResource, int, dict[str, str]]:
    resource = JobResource.model_validate(
        {
            "id": job.id,
            "status": job.status,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
            "options": job.options,
            "counts": job.counts,
            "clusters": [
                {
                    "index": c.index,
                    "id": c.id,
                    "status": c.status,
                    "attempts": c.attempts,
                    "finished_at": c.finished_at,
                    "briefing_id": c.briefing_id,
                    "briefing_url": url_for("briefings.get_briefing", briefing_id=c.briefing_id)
                    if c.briefing_id
                    else None,
                    "error": {"message": c.error, "field": c.error_field} if c.error is not None else None,
                }
                for c in job.clusters
            ],
        }
    )
    return resource, status, {"Location": url_for("jobs.get_job", job_id=job.id)}


def scoped_key(idempotency_key: str, owner: str | None) -> str:
    """The Idempotency-Key as stored: the key itself without API keys; with them, a digest of the
    API key's and the Idempotency-Key, so two callers' keys never meet (and fit the column)."""
    if owner is None:
        return idempotency_key
    return "owned:" + hashlib.sha256(f"{owner}\n{idempotency_key}".encode()).hexdigest()


def replay(job: Job, request_hash: str) -> tuple[JobResource, int, dict[str, str]]:
    if job.request_hash != request_hash:
        raise invalid(
            [("Idempotency-Key", "was used before with a different request body")],
            "this Idempotency-Key was used before with another request body; use a new key for a new request",
        )
    return respond(job, 200)


def unavailable(slug: str, title: str, detail: str) -> Response:
    """503 with Retry-After: nothing was stored, the same request may simply be sent again."""
    return Problem(503, slug, title, detail).response([("Retry-After", str(current_settings().retry_after))])


@bp.post("")
@api.validate(
    resp=Responses(
        {
            202: (JobResource, "The job, stored with every cluster queued"),
            200: (JobResource, "The job made earlier for this Idempotency-Key and body"),
            503: (
                ProblemDetails,
                "Too many clusters queued (NEWSBRIEF_MAX_QUEUED_CLUSTERS), or no broker: nothing was stored",
            ),
        },
        problems=(400, 413, 415, 422),
        headers={202: LOCATION, 200: LOCATION, 503: RETRY_AFTER},
    ),
    operation_id="create_job",
)
def create_job(json: JobRequest, headers: JobHeaders) -> tuple[JobResource, int, dict[str, str]] | Response:
    """Summarise many clusters in the background"""
    owner = request_owner()
    key = scoped_key(headers.idempotency_key, owner) if headers.idempotency_key is not None else None
    options = effective_options(json.options)
    clusters = to_clusters(json)
    request_hash = body_hash(request.get_json())
    store = get_job_store()
    if key is not None and (earlier := store.find_by_key(key)) is not None:
        return replay(earlier, request_hash)

    cap = current_settings().max_queued_clusters
    # A soft cap: requests admitted together can each see room for themselves.
    pending = store.pending_clusters()
    if pending + len(clusters) > cap:
        return unavailable(
            "queue-full",
            "Too many clusters queued",
            f"{pending} clusters are queued or running and this job adds {len(clusters)}, over the "
            f"limit of {cap} (NEWSBRIEF_MAX_QUEUED_CLUSTERS); try again later",
        )

    job, created = store.create(clusters, options.model_dump(), request_hash, key, owner)
    if not created:  # the same key, stored by a concurrent request
        return replay(job, request_hash)
    try:
        dispatch(job.id, list(range(len(clusters))))
    except DispatchError as err:
        # Nothing was accepted: a task already sent finds no job and does nothing.
        store.delete(job.id)
        return unavailable(
            "broker-unavailable",
            "Jobs cannot be queued now",
            f"{str(err).rstrip('.')}; nothing was stored, try again later",
        )
    # Read again: in-process workers may have started on it already.
    return respond(store.get(job.id) or job, 202)


@bp.get("/<job_id>")
@api.validate(
    resp=Responses({200: (JobResource, "The job")}, problems=(404,), headers={200: LOCATION}),
    operation_id="get_job",
)
def get_job(job_id: str) -> tuple[JobResource, int, dict[str, str]]:
    """A job: its status, each cluster's progress, briefing link or error"""
    # No id holds a control character, and PostgreSQL cannot even be asked about one with NUL.
    job = None if CONTROL_CHARACTER.search(job_id) else get_job_store().get(job_id)
    if job is None or not visible_to(job.owner, request_owner()):  # another key's job is not found
        raise Problem(404, "not-found", "Not Found", f"no job with id {job_id!r}", [("id", "no such job")])
    return respond(job, 200)
