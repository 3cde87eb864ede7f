"""API keys and rate limits, for a service on a network.

API keys (NEWSBRIEF_API_KEYS, NEWSBRIEF_API_KEYS_FILE): without any, nothing changes. With some,
every /v1/* request (and /metrics, with NEWSBRIEF_METRICS_REQUIRE_KEY) must carry one, as
`Authorization: Bearer <key>` or `X-API-Key: <key>`, or is answered 401 problem+json with
`WWW-Authenticate: Bearer`; /healthz, /readyz, /metrics, /openapi.json and / stay open. Only the
keys' SHA-256 digests are kept (service/settings.py), and a key sent is compared by its digest.

Rate limits (Flask-Limiter, NEWSBRIEF_RATE_LIMIT_*): per client, its key when keys are configured,
else its address (the socket's; behind NEWSBRIEF_PROXIES reverse proxies, the one they set in
X-Forwarded-For, which is otherwise not trusted). POST /v1/briefings and POST /v1/jobs each have a
bucket of their own; every other route but /healthz, /readyz and /metrics shares the default one.
Counters live on Redis when NEWSBRIEF_REDIS_URL is set, shared by every process, else in each
process's memory. Over a limit: 429 problem+json with Retry-After. Every limited response carries
the IETF draft's RateLimit and RateLimit-Policy fields (draft-ietf-httpapi-ratelimit-headers),
written here rather than by Flask-Limiter, whose "reset" header is a timestamp where the draft wants
seconds.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import time
from typing import Any, cast

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_limiter import Limit, Limiter, RequestLimit
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits.errors import StorageError
from spectree.models import InType, SecureType, SecuritySchemeData

from .problems import Problem
from .settings import ServiceSettings, api_key_digest, current_settings, variable_name

log = logging.getLogger(__name__)

KEY_HEADER = "X-API-Key"
PROTECTED_PREFIX = "/v1/"
METRICS_PATH = "/metrics"
# The blueprints whose POST, the costly call, has a bucket of its own, named after the blueprint.
OWN_LIMITS = ("briefings", "jobs")
DEFAULT_SCOPE = "default"
# Probes and scrapers call these often, from one address.
UNLIMITED_BLUEPRINTS = ("health", "metrics")
# Seconds a rate-limit check waits for Redis before the in-memory fallback takes over.
REDIS_TIMEOUT = 2
# The OpenAPI names of the two ways to send a key.
BEARER_SCHEME, HEADER_SCHEME = "bearerAuth", "apiKeyHeader"
HOW_TO_SEND = f"send the key as 'Authorization: Bearer <key>' or '{KEY_HEADER}: <key>'"


def needs_key(path: str, service_settings: ServiceSettings) -> bool:
    if not service_settings.api_keys:
        return False
    return path.startswith(PROTECTED_PREFIX) or (service_settings.metrics_require_key and path == METRICS_PATH)


def presented_key() -> tuple[str, str | None]:
    """The header a key was sent in and the key; ("Authorization", None) when none was sent."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "Authorization", token.strip()
    key = request.headers.get(KEY_HEADER, "").strip()
    return (KEY_HEADER, key) if key else ("Authorization", None)


def valid_key_digest() -> str | None:
    """The digest of the configured key this request carries, None without one (kept in g)."""
    if "api_key_digest" not in g:
        _, key = presented_key()
        found = None
        if key is not None:
            sent = api_key_digest(key)
            # Every digest is compared, in constant time each, so the time taken tells nothing.
            for configured in current_settings().api_keys:
                if hmac.compare_digest(sent, configured):
                    found = configured
        g.api_key_digest = found
    digest: str | None = g.api_key_digest
    return digest


def request_owner() -> str | None:
    """Whose this request's jobs, briefings, fetches and Idempotency-Keys are: its API key's digest
    when keys are configured, else None (everything is everyone's)."""
    return valid_key_digest() if current_settings().api_keys else None


def client_identity() -> str:
    """The rate-limit bucket's owner: the key (a short prefix of its digest) or the address."""
    digest = valid_key_digest() if current_settings().api_keys else None
    return f"key:{digest.removeprefix('sha256:')[:16]}" if digest else f"address:{get_remote_address()}"


def require_key() -> Response | None:
    """before_request: 401 for a request that needs a key and carries no valid one."""
    if not needs_key(request.path, current_settings()) or valid_key_digest() is not None:
        return None
    header, key = presented_key()
    if key is None:
        detail = f"this request needs an API key: {HOW_TO_SEND}"
        message = (
            "must be 'Bearer <key>'"
            if request.headers.get(header)
            else f"missing: send 'Bearer <key>' here, or the key in {KEY_HEADER}"
        )
        challenge = 'Bearer realm="newsbrief"'
    else:
        detail, message = f"the API key in {header} is not valid", "not a valid API key"
        challenge = 'Bearer realm="newsbrief", error="invalid_token"'
    problem = Problem(401, "unauthorized", "Unauthorized", detail, [(header, message)])
    return problem.response([("WWW-Authenticate", challenge)])


def limit_scope(endpoint: str, method: str, service_settings: ServiceSettings) -> str | None:
    """The bucket a request to `endpoint` counts in, None when it is not limited."""
    blueprint = endpoint.rpartition(".")[0]
    if blueprint in UNLIMITED_BLUEPRINTS:
        return None
    if blueprint in OWN_LIMITS and method == "POST":
        return blueprint if limit_of(blueprint, service_settings) else None
    return DEFAULT_SCOPE if service_settings.rate_limit_default else None


def limit_of(scope: str, service_settings: ServiceSettings) -> str | None:
    value: str | None = getattr(service_settings, f"rate_limit_{scope}")
    return value


def _seconds_to_reset(limit: RequestLimit) -> int:
    # The window's own reset time: RequestLimit.reset_at adds a second to it.
    return max(0, math.ceil(limit.window.reset_time - time.time()))


def _scope_of(limit: RequestLimit) -> str:
    # Every limit here is shared, so its bucket is the scope, the last of its storage key's parts.
    return str(limit.request_args[-1])


def _too_many_requests(err: RateLimitExceeded) -> Response:
    limiter: Limiter = current_app.extensions["newsbrief.limiter"]
    breached = limiter.current_limit
    scope, retry_after = DEFAULT_SCOPE, 1
    if breached is not None:
        scope = _scope_of(breached)
        try:
            retry_after = max(1, _seconds_to_reset(breached))
        except StorageError:
            log.warning("rate-limit storage unreachable: Retry-After: 1")
    client = "API key" if valid_key_digest() else "client address"
    detail = (
        f"more than {err.limit.limit} for {scope} from this {client} "
        f"({variable_name(f'rate_limit_{scope}')}): retry in {retry_after} s"
    )
    problem = Problem(429, "rate-limited", "Too Many Requests", detail)
    return problem.response([("Retry-After", str(retry_after))])


def _rate_limit_fields(response: Response) -> Response:
    """after_request: the IETF draft's RateLimit-Policy ("scope";q=quota;w=window seconds) and
    RateLimit ("scope";r=remaining;t=seconds until the window resets) of the request's limit."""
    limit = current_app.extensions["newsbrief.limiter"].current_limit
    if limit is None:
        return response
    scope = _scope_of(limit)
    try:
        remaining, reset = limit.remaining, _seconds_to_reset(limit)
    except StorageError:
        log.warning("rate-limit storage unreachable: no RateLimit fields on this response")
        return response
    response.headers["RateLimit-Policy"] = f'"{scope}";q={limit.limit.amount};w={limit.limit.get_expiry()}'
    response.headers["RateLimit"] = f'"{scope}";r={remaining};t={reset}'
    return response


def _storage(service_settings: ServiceSettings) -> tuple[str, dict[str, Any]]:
    url = service_settings.redis_url
    if not url:
        return "memory://", {}
    # The limits package spells a Redis socket redis+unix://.
    url = re.sub(r"^unix://", "redis+unix://", url)
    return url, {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}


def _blueprint(app: Flask, name: str) -> Blueprint:
    # app.blueprints is typed with Flask's base class; the registered ones are flask.Blueprint.
    return cast(Blueprint, app.blueprints[name])


def init_limiter(app: Flask, service_settings: ServiceSettings) -> None:
    default = service_settings.rate_limit_default
    storage_uri, storage_options = _storage(service_settings)
    limiter = Limiter(
        client_identity,
        # Shared, as the other limits: one bucket, whichever route counts in it.
        default_limits=[Limit(default, scope=DEFAULT_SCOPE, shared=True)] if default else [],
        storage_uri=storage_uri,
        storage_options={"wrap_exceptions": True, **storage_options},
        strategy="fixed-window",
        key_prefix="newsbrief",
        # Redis unreachable: each process counts in memory until it answers again.
        in_memory_fallback_enabled=True,
        headers_enabled=False,
    )
    for scope in OWN_LIMITS:
        value = limit_of(scope, service_settings)
        if value:
            limiter.shared_limit(value, scope=scope, methods=["POST"])(_blueprint(app, scope))
    for name in UNLIMITED_BLUEPRINTS:
        limiter.exempt(_blueprint(app, name))
    limiter.init_app(app)
    app.extensions["newsbrief.limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)
    app.after_request(_rate_limit_fields)


def document(spec: dict, app: Flask) -> dict:
    """`spec` (changed in place) with what `app`'s keys and limits add to its operations: the
    security schemes and 401 where a key is needed, 429 where a limit applies."""
    service_settings = current_settings(app)
    if service_settings.api_keys:
        schemes = {
            BEARER_SCHEME: SecuritySchemeData(
                type=SecureType.HTTP, scheme="bearer", description="An API key: 'Authorization: Bearer <key>'"
            ),
            HEADER_SCHEME: SecuritySchemeData(
                type=SecureType.API_KEY, name=KEY_HEADER, field_in=InType.HEADER, description="An API key"
            ),
        }
        spec["components"]["securitySchemes"] = {
            name: {key: getattr(value, "value", value) for key, value in scheme.to_dict(exclude_none=True).items()}
            for name, scheme in schemes.items()
        }
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = spec["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if needs_key(rule.rule, service_settings):
                operation["security"] = [{BEARER_SCHEME: []}, {HEADER_SCHEME: []}]
                responses["401"] = _problem_response(
                    "No valid API key", {"WWW-Authenticate": "Bearer: how to authenticate"}
                )
            scope = limit_scope(rule.endpoint, method, service_settings)
            if scope is not None:
                responses["429"] = _problem_response(
                    f"Over the rate limit of {scope} ({variable_name(f'rate_limit_{scope}')})",
                    {
                        "Retry-After": "Seconds before the limit lets a request through again",
                        "RateLimit": 'The limit\'s state: "scope";r=remaining;t=seconds until it resets',
                        "RateLimit-Policy": 'The limit: "scope";q=requests;w=window in seconds',
                    },
                )
    return spec


def _problem_response(description: str, headers: dict[str, str]) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "headers": {name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()},
    }


def init_app(app: Flask) -> None:
    """Keys and limits for `app`, whose blueprints are registered."""
    service_settings = current_settings(app)
    if any(limit_of(scope, service_settings) for scope in (*OWN_LIMITS, DEFAULT_SCOPE)):
        # Before require_key: requests without a valid key count, by address, so floods of them stop too.
        init_limiter(app, service_settings)
    if service_settings.api_keys:
        app.before_request(require_key)
