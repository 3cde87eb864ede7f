"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from ..openapi import Responses, api

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@api.validate(
    resp=Responses({200: (None, "Metrics in the Prometheus text format")}, media_types={200: "text/plain"}),
    operation_id="metrics",
)
def metrics() -> Response:
    """Prometheus metrics"""
    body, content_type = current_app.extensions["newsbrief.metrics"].exposition()
    return Response(body, content_type=content_type)
