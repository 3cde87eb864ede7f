"""API keys and rate limits (service/security.py): 401 without a valid key when keys are
configured, the open endpoints open, keys kept only as digests; 429 over a limit, with Retry-After
and the RateLimit fields, one bucket per client and per kind of request."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from service.cli import main as newsbrief
from service.settings import ConfigError, api_key_digest

KEY = "alice-0123456789-abcdef"
OTHER_KEY = "bob-9876543210-fedcba"
NO_LIMITS = {"RATE_LIMIT_BRIEFINGS": "off", "RATE_LIMIT_JOBS": "off", "RATE_LIMIT_DEFAULT": "off"}
OPEN = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/")


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def job_body(seed_request, name: str) -> dict:
    return {"clusters": [{"id": name, "articles": seed_request["articles"]}]}


@pytest.fixture
def keyed(make_app):
    return make_app(API_KEYS=f"{KEY}, {OTHER_KEY}", **NO_LIMITS).test_client()


# API keys


def test_without_keys_nothing_needs_one(make_app):
    client = make_app().test_client()
    assert client.get("/v1/models").status_code == 200
    spec = client.get("/openapi.json").get_json()
    assert "securitySchemes" not in spec["components"]
    assert all(
        "401" not in op["responses"] and "security" not in op for ops in spec["paths"].values() for op in ops.values()
    )


def test_no_key_is_a_401_problem_naming_the_header(keyed):
    response = keyed.get("/v1/models")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = response.get_json()
    assert problem["status"] == 401 and problem["fields"] == ["Authorization"]
    assert "Authorization: Bearer <key>" in problem["detail"] and "X-API-Key" in problem["detail"]


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        (bearer("not-the-key-0123456789"), "Authorization"),
        ({"X-API-Key": "not-the-key-0123456789"}, "X-API-Key"),
        (bearer(KEY[:-1]), "Authorization"),
        ({"Authorization": f"Basic {KEY}"}, "Authorization"),
        ({"Authorization": "Bearer"}, "Authorization"),
    ],
)
def test_a_wrong_key_is_a_401(keyed, headers, field):
    response = keyed.get("/v1/models", headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["fields"] == [field]


def test_a_key_is_accepted_in_either_header(keyed, seed_request):
    assert keyed.get("/v1/models", headers=bearer(KEY)).status_code == 200
    assert keyed.get("/v1/models", headers={"X-API-Key": OTHER_KEY}).status_code == 200
    created = keyed.post("/v1/briefings", json=seed_request, headers=bearer(KEY))
    assert created.status_code == 201
    assert keyed.get(created.headers["Location"], headers={"X-API-Key": KEY}).status_code == 200
    assert keyed.get(created.headers["Location"]).status_code == 401
    job = keyed.post("/v1/jobs", json=job_body(seed_request, "c1"), headers={"X-API-Key": KEY})
    assert job.status_code == 202
    assert keyed.post("/v1/jobs", json=job_body(seed_request, "c2")).status_code == 401


def test_every_v1_path_needs_a_key_and_the_rest_stay_open(keyed):
    for path in OPEN:
        assert keyed.get(path).status_code in (200, 503), path  # /readyz: 503 while not ready
    assert keyed.get("/v1/no-such-thing").status_code == 401
    assert keyed.get("/v1/no-such-thing", headers=bearer(KEY)).status_code == 404


def test_metrics_can_need_a_key(make_app):
    client = make_app(API_KEYS=KEY, METRICS_REQUIRE_KEY=True).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(KEY)).status_code == 200
    assert client.get("/healthz").status_code == 200
    spec = client.get("/openapi.json").get_json()
    assert "401" in spec["paths"]["/metrics"]["get"]["responses"] and "security" in spec["paths"]["/metrics"]["get"]
    assert "security" not in spec["paths"]["/healthz"]["get"]


def test_requiring_a_key_for_metrics_without_keys_stops_the_start(make_app):
    with pytest.raises(ConfigError, match="NEWSBRIEF_METRICS_REQUIRE_KEY needs API keys"):
        make_app(METRICS_REQUIRE_KEY=True)


def test_a_keys_file_may_hold_digests(make_app, tmp_path):
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# newsbrief's clients\n\n{api_key_digest(KEY)}  # alice, by digest\n{OTHER_KEY}\n")
    client = make_app(API_KEYS_FILE=str(keys_file)).test_client()
    assert client.get("/v1/models", headers=bearer(KEY)).status_code == 200
    assert client.get("/v1/models", headers={"X-API-Key": OTHER_KEY}).status_code == 200
    assert client.get("/v1/models", headers=bearer(api_key_digest(KEY))).status_code == 401


def test_keys_from_the_variable_and_the_file_all_count(make_app, tmp_path):
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"{api_key_digest(OTHER_KEY)}\n")
    client = make_app(API_KEYS=KEY, API_KEYS_FILE=str(keys_file)).test_client()
    assert [client.get("/v1/models", headers=bearer(key)).status_code for key in (KEY, OTHER_KEY)] == [200, 200]


def test_plain_keys_are_not_kept(make_app, tmp_path, seed_request):
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"{OTHER_KEY}\n")
    app = make_app(API_KEYS=KEY, API_KEYS_FILE=str(keys_file), RATE_LIMIT_BRIEFINGS="5/minute")
    client = app.test_client()
    assert client.post("/v1/briefings", json=seed_request, headers=bearer(KEY)).status_code == 201
    settings = app.extensions["newsbrief.settings"]
    assert settings.api_keys == [api_key_digest(KEY), api_key_digest(OTHER_KEY)]
    limiter = app.extensions["newsbrief.limiter"]
    kept = repr((dict(app.config), settings.model_dump(), vars(limiter.storage)))
    assert api_key_digest(KEY) in kept  # the inspection does see the app's state
    for plain in (KEY, OTHER_KEY):
        assert plain not in kept


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"API_KEYS": "s3cr3t"}, "NEWSBRIEF_API_KEYS: key 1 is shorter than 16 characters"),
        ({"API_KEYS": f"{KEY}, sha256:12ab"}, "NEWSBRIEF_API_KEYS: key 2 starts with 'sha256:' but"),
        ({"API_KEYS": " , "}, "NEWSBRIEF_API_KEYS: holds no key"),
        ({"API_KEYS": "s3cr3t w1th sp4c3s 1n 1t"}, "NEWSBRIEF_API_KEYS: key 1 must be printable ASCII"),
    ],
)
def test_a_bad_key_stops_the_start_without_showing_it(make_app, settings, message):
    with pytest.raises(ConfigError) as raised:
        make_app(**settings)
    assert raised.value.message.startswith(message)
    for entry in filter(None, (entry.strip() for entry in settings["API_KEYS"].split(","))):
        assert entry not in raised.value.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("# only a comment\n\n", "holds no key"),
        (f"{KEY} {OTHER_KEY}\n", "line 1 of .* holds more than one word"),
        (f"{KEY}\nsha256:xyz\n", "line 2 of .* starts with 'sha256:'"),
        (b"\xff\xfe\n", "is not UTF-8 text"),
    ],
)
def test_a_bad_keys_file_is_a_one_line_error(make_app, tmp_path, capsys, monkeypatch, content, message):
    keys_file = tmp_path / "keys"
    if isinstance(content, bytes):
        keys_file.write_bytes(content)
    elif content is not None:
        keys_file.write_text(content)
    with pytest.raises(ConfigError, match=f"^NEWSBRIEF_API_KEYS_FILE: .*{message}"):
        make_app(API_KEYS_FILE=str(keys_file))
    # The same from the command line: one line, exit 2.
    monkeypatch.setenv("NEWSBRIEF_API_KEYS_FILE", str(keys_file))
    assert newsbrief(["serve"]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(f"newsbrief: error: NEWSBRIEF_API_KEYS_FILE: .*{message}.*\n", err), err


def test_keys_hash_prints_what_the_keys_file_takes(make_app, tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{KEY}\n\n{OTHER_KEY}\n"))
    assert newsbrief(["keys", "hash"]) == 0
    printed = capsys.readouterr().out
    assert printed.split() == [api_key_digest(KEY), api_key_digest(OTHER_KEY)]
    assert KEY not in printed
    keys_file = tmp_path / "keys"
    keys_file.write_text(printed)
    client = make_app(API_KEYS_FILE=str(keys_file)).test_client()
    assert client.get("/v1/models", headers=bearer(OTHER_KEY)).status_code == 200

    monkeypatch.setattr("sys.stdin", io.StringIO("too-short\n"))
    assert newsbrief(["keys", "hash"]) == 2
    assert capsys.readouterr().err == "newsbrief: error: key 1 is shorter than 16 characters: use a long random key\n"


def test_the_spec_describes_the_keys_only_when_configured(keyed):
    spec = keyed.get("/openapi.json").get_json()
    validate(spec)
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert (schemes["apiKeyHeader"]["type"], schemes["apiKeyHeader"]["in"], schemes["apiKeyHeader"]["name"]) == (
        "apiKey",
        "header",
        "X-API-Key",
    )
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if path.startswith("/v1/"):
                assert operation["security"] == [{"bearerAuth": []}, {"apiKeyHeader": []}], path
                assert operation["responses"]["401"]["content"]["application/problem+json"]
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            else:
                assert "security" not in operation and "401" not in operation["responses"], path


# Rate limits


def ratelimit(response) -> tuple[str, int, int]:
    """The RateLimit field's ("scope", remaining, seconds to reset)."""
    found = re.fullmatch(r'"(\w+)";r=(\d+);t=(\d+)', response.headers["RateLimit"])
    assert found, response.headers["RateLimit"]
    return found[1], int(found[2]), int(found[3])


def test_over_the_limit_is_a_429_problem_with_retry_after_and_ratelimit(make_app, seed_request):
    client = make_app(RATE_LIMIT_BRIEFINGS="2/minute").test_client()
    answers = [client.post("/v1/briefings", json=seed_request) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 429]
    assert [ratelimit(a)[:2] for a in answers] == [("briefings", 1), ("briefings", 0), ("briefings", 0)]
    assert {a.headers["RateLimit-Policy"] for a in answers} == {'"briefings";q=2;w=60'}
    refused = answers[-1]
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["status"] == 429 and problem["type"] == "urn:newsbrief:problem:rate-limited"
    assert "NEWSBRIEF_RATE_LIMIT_BRIEFINGS" in problem["detail"]
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60 and ratelimit(refused)[2] <= retry_after
    assert "Retry-After" not in answers[0].headers


def test_briefings_and_jobs_are_counted_separately(make_app, seed_request):
    client = make_app(
        RATE_LIMIT_BRIEFINGS="1/minute", RATE_LIMIT_JOBS="1/minute", RATE_LIMIT_DEFAULT="3/minute"
    ).test_client()
    created = client.post("/v1/briefings", json=seed_request)
    assert created.status_code == 201
    assert client.post("/v1/briefings", json=seed_request).status_code == 429
    job = client.post("/v1/jobs", json=job_body(seed_request, "c1"))
    assert job.status_code == 202 and ratelimit(job)[:2] == ("jobs", 0)
    assert client.post("/v1/jobs", json=job_body(seed_request, "c2")).status_code == 429
    # Reading back counts in the default bucket, not in the exhausted ones.
    read = client.get(created.headers["Location"])
    assert read.status_code == 200 and ratelimit(read)[:2] == ("default", 2)
    assert client.get(job.headers["Location"]).status_code == 200
    assert client.get("/v1/models").status_code == 200
    assert client.get("/v1/models").status_code == 429


def test_each_key_has_its_own_bucket(make_app, seed_request):
    client = make_app(API_KEYS=f"{KEY},{OTHER_KEY}", RATE_LIMIT_BRIEFINGS="1/minute").test_client()
    assert client.post("/v1/briefings", json=seed_request, headers=bearer(KEY)).status_code == 201
    refused = client.post("/v1/briefings", json=seed_request, headers={"X-API-Key": KEY})
    assert refused.status_code == 429 and "from this API key" in refused.get_json()["detail"]
    assert client.post("/v1/briefings", json=seed_request, headers=bearer(OTHER_KEY)).status_code == 200


def test_without_keys_each_address_has_its_own_bucket(make_app, seed_request):
    client = make_app(RATE_LIMIT_BRIEFINGS="1/minute").test_client()

    def post(address: str) -> int:
        return client.post("/v1/briefings", json=seed_request, environ_base={"REMOTE_ADDR": address}).status_code

    assert [post("192.0.2.1"), post("192.0.2.1"), post("192.0.2.2")] == [201, 429, 200]
    # X-Forwarded-For is not trusted: a client cannot pick its own bucket.
    spoofed = client.post(
        "/v1/briefings",
        json=seed_request,
        headers={"X-Forwarded-For": "198.51.100.7"},
        environ_base={"REMOTE_ADDR": "192.0.2.1"},
    )
    assert spoofed.status_code == 429


def test_requests_without_a_valid_key_are_limited_by_address(make_app):
    client = make_app(API_KEYS=KEY, RATE_LIMIT_DEFAULT="2/minute").test_client()
    assert [client.get("/v1/models").status_code for _ in range(3)] == [401, 401, 429]
    assert client.get("/v1/models", headers=bearer(KEY)).status_code == 200


def test_health_readiness_and_metrics_are_not_limited(make_app):
    client = make_app(RATE_LIMIT_DEFAULT="1/minute").test_client()
    for path in ("/healthz", "/readyz", "/metrics"):
        answers = [client.get(path) for _ in range(3)]
        assert all(a.status_code in (200, 503) for a in answers), path
        assert all("RateLimit" not in a.headers for a in answers), path
    assert [client.get("/openapi.json").status_code for _ in range(2)] == [200, 429]


def test_the_default_limits_are_on_and_generous(app, client, seed_request):
    created = client.post("/v1/briefings", json=seed_request)
    assert created.status_code == 201 and created.headers["RateLimit-Policy"] == '"briefings";q=60;w=60'
    assert client.get("/v1/models").headers["RateLimit-Policy"] == '"default";q=600;w=60'


def test_off_turns_every_limit_off(make_app, seed_request):
    client = make_app(**NO_LIMITS).test_client()
    assert "newsbrief.limiter" not in client.application.extensions
    response = client.post("/v1/briefings", json=seed_request)
    assert response.status_code == 201 and "RateLimit" not in response.headers
    spec = client.get("/openapi.json").get_json()
    assert all("429" not in op["responses"] for ops in spec["paths"].values() for op in ops.values())


def test_the_spec_documents_429_where_a_limit_applies(make_app):
    spec = make_app(RATE_LIMIT_JOBS="off", RATE_LIMIT_DEFAULT="off").test_client().get("/openapi.json").get_json()
    validate(spec)
    limited = {
        (path, method) for path, ops in spec["paths"].items() for method, op in ops.items() if "429" in op["responses"]
    }
    assert limited == {("/v1/briefings", "post")}
    headers = spec["paths"]["/v1/briefings"]["post"]["responses"]["429"]["headers"]
    assert set(headers) == {"Retry-After", "RateLimit", "RateLimit-Policy"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("lots", "NEWSBRIEF_RATE_LIMIT_JOBS: must be a rate limit such as '60/minute'"),
        ("0/minute", "NEWSBRIEF_RATE_LIMIT_JOBS: '0/minute' would refuse every request"),
    ],
)
def test_a_bad_limit_stops_the_start(make_app, value, message):
    with pytest.raises(ConfigError) as raised:
        make_app(RATE_LIMIT_JOBS=value)
    assert raised.value.message.startswith(message)


def test_an_unreachable_redis_falls_back_to_counting_in_memory(make_app, seed_request):
    from helpers.processes import free_port

    # Nothing listens there: the limit still holds, counted in this process, and nothing fails.
    client = make_app(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", RATE_LIMIT_BRIEFINGS="1/minute").test_client()
    assert [client.post("/v1/briefings", json=seed_request).status_code for _ in range(2)] == [201, 429]
