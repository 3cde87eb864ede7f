"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..openapi import Body, document

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@document("Prometheus metrics", responses={200: Body("Metrics in the Prometheus text format", media_type="text/plain")})
def metrics() -> Response:
    body, content_type = current_app.extensions["newsbrief.metrics"].exposition()
    return Response(body, content_type=content_type)
