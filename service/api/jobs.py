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
import re
from dataclasses import asdict

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pydantic import BaseModel, ValidationError

from summarizer import InputError
from summarizer.inputs import article_from_dict

from ..job_storage import Job, NewCluster
from ..jobs import DispatchError, dispatch, get_job_store
from ..openapi import Body, RequestHeader, document
from ..problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from ..problems import Problem, from_validation_error, invalid
from ..schemas import IDEMPOTENCY_KEY_PATTERN, JobResource, job_request_model
from ..schemas import Problem as ProblemBody
from .briefings import ARTICLE_KEYS, effective_options, read_json, request_schema

bp = Blueprint("jobs", __name__, url_prefix="/v1/jobs")

LOCATION = {"Location": "The job's address, /v1/jobs/{id}"}
RETRY_AFTER = {"Retry-After": "Seconds to wait before trying again"}
IDEMPOTENCY_KEY = RequestHeader(
    "Idempotency-Key",
    "Any unique string (a UUID, say) that makes a retried POST safe: the same key with the same body "
    "answers with the job made the first time; with a different body, 422",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
)


def job_schema(app: Flask) -> type[BaseModel]:
    """The POST body model for this app's limits and models (built once per app)."""
    if "newsbrief.job_request_model" not in app.extensions:
        app.extensions["newsbrief.job_request_model"] = job_request_model(
            request_schema(app), app.config["MAX_JOB_CLUSTERS"], app.config["MAX_ARTICLES"]
        )
    return app.extensions["newsbrief.job_request_model"]


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise invalid([("Idempotency-Key", "must be 1 to 255 visible ASCII characters (no spaces)")])
    return key


def to_clusters(body: BaseModel) -> list[NewCluster]:
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


def resource(job: Job) -> dict:
    def when(moment):
        return moment.isoformat().replace("+00:00", "Z") if moment else None

    return {
        "id": job.id,
        "status": job.status,
        "created_at": when(job.created_at),
        "finished_at": when(job.finished_at),
        "options": job.options,
        "counts": job.counts,
        "clusters": [
            {
                "index": c.index,
                "id": c.id,
                "status": c.status,
                "attempts": c.attempts,
                "finished_at": when(c.finished_at),
                "briefing_id": c.briefing_id,
                "briefing_url": url_for("briefings.get_briefing", briefing_id=c.briefing_id) if c.briefing_id else None,
                "error": {"message": c.error, "field": c.error_field} if c.error is not None else None,
            }
            for c in job.clusters
        ],
    }


def respond(job: Job, status: int) -> Response:
    response = current_app.json.response(resource(job))
    response.status_code = status
    response.headers["Location"] = url_for("jobs.get_job", job_id=job.id)
    return response


def replay(job: Job, request_hash: str) -> Response:
    if job.request_hash != request_hash:
        raise invalid(
            [("Idempotency-Key", "was used before with a different request body")],
            f"this Idempotency-Key was used for another request (job {job.id}); use a new key for a new request",
        )
    return respond(job, 200)


def unavailable(slug: str, title: str, detail: str) -> Response:
    """503 with Retry-After: nothing was stored, the same request may simply be sent again."""
    return Problem(503, slug, title, detail).response([("Retry-After", str(current_app.config["RETRY_AFTER"]))])


@bp.post("")
@document(
    "Summarise many clusters in the background",
    request=job_schema,
    headers=(IDEMPOTENCY_KEY,),
    responses={
        202: Body("The job, stored with every cluster queued", JobResource, headers=LOCATION),
        200: Body("The job made earlier for this Idempotency-Key and body", JobResource, headers=LOCATION),
        503: Body(
            "Too many clusters queued (NEWSBRIEF_MAX_QUEUED_CLUSTERS), or no broker: nothing was stored",
            ProblemBody,
            PROBLEM_MEDIA_TYPE,
            headers=RETRY_AFTER,
        ),
    },
    errors=(400, 413, 415, 422),
)
def create_job() -> Response:
    key = idempotency_key()
    data = read_json("MAX_JOB_CONTENT_LENGTH")
    try:
        body = job_schema(current_app).model_validate(data)
    except ValidationError as err:
        raise from_validation_error(err) from None
    options = effective_options(body.options)
    clusters = to_clusters(body)
    request_hash = body_hash(data)
    store = get_job_store()
    if key is not None and (earlier := store.find_by_key(key)) is not None:
        return replay(earlier, request_hash)

    cap = current_app.config["MAX_QUEUED_CLUSTERS"]
    # A soft cap: requests admitted together can each see room for themselves.
    pending = store.pending_clusters()
    if pending + len(clusters) > cap:
        return unavailable(
            "queue-full",
            "Too many clusters queued",
            f"{pending} clusters are queued or running and this job adds {len(clusters)}, over the "
            f"limit of {cap} (NEWSBRIEF_MAX_QUEUED_CLUSTERS); try again later",
        )

    job, created = store.create(clusters, asdict(options), request_hash, key)
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
    return respond(store.get(job.id), 202)


@bp.get("/<job_id>")
@document(
    "A job: its status, each cluster's progress, briefing link or error",
    responses={200: Body("The job", JobResource)},
    errors=(404,),
)
def get_job(job_id: str) -> Response:
    job = get_job_store().get(job_id)
    if job is None:
        raise Problem(404, "not-found", "Not Found", f"no job with id {job_id!r}", [("id", "no such job")])
    return respond(job, 200)
