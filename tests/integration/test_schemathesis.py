"""schemathesis, every check it has, against the live /openapi.json of gunicorn on SQLite and on
PostgreSQL (marked slow to keep the default run short; .ci/run runs it): each operation alone
(examples, coverage and fuzzing phases), then chains of calls that follow the spec's OpenAPI
links (POST /v1/briefings -> GET /v1/briefings/{briefing_id}, POST /v1/jobs -> GET /v1/jobs/{job_id};
service/openapi.py adds them, as spectree cannot).

The runs are bounded (MAX_EXAMPLES per operation, STATEFUL_SCENARIOS of STATEFUL_STEPS calls, a
request timeout). On SQLite, in the default run, the coverage phase sends valid requests only:
its invalid ones (a deterministic set for every constraint of the schema, and the methods an
operation does not allow) take schemathesis over a minute to build for the request schemas'
string patterns (no control characters), while the fuzzing phase sends invalid requests of every
kind at random all the same. The PostgreSQL run (slow) has the full coverage phase. A fuzz dictionary makes some
generated strings sentences of news prose (PROSE), so that requests also get past "no complete
sentences" to stored briefings and their links. The servers run without API keys and rate
limits (tests/integration/conftest.py). Two built-in checks are narrowed to the answers the API
documents, and only those:

- not_a_server_error fails on any 5xx. The API documents two 503s: a request that insists on
  engine "abstractive" when its model cannot load (no weights here), and POST /v1/jobs when
  NEWSBRIEF_MAX_QUEUED_CLUSTERS clusters are already waiting (with Retry-After).
- positive_data_acceptance expects every schema-valid request to succeed. DOCUMENTED_REJECTIONS
  are the 422s that JSON Schema cannot rule out: articles whose text holds no sentence to
  summarise (`{"articles": [{"text": "0"}]}`; only the segmenter can tell), articles that tell
  separate events when the request asks to refuse them (only the story clustering can tell), an
  Idempotency-Key sent again with another body (a conflict with an earlier request; 422, as the
  IETF Idempotency-Key draft says).

max_response_time, off unless configured, is on with MAX_RESPONSE_TIME_S: a generous bound that
only a hang (such as a connection left open for a body that never ends) would exceed.
"""

from __future__ import annotations

import re
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error, positive_data_acceptance

MAX_EXAMPLES = 25
STATEFUL_SCENARIOS = 15
STATEFUL_STEPS = 6
REQUEST_TIMEOUT_S = 120
MAX_RESPONSE_TIME_S = 60
ACCESS_LOG_WAIT_S = 10
PROBLEM = "urn:newsbrief:problem:"
# (operation, field as a regular expression, start of the message) of each schema-valid request
# the API refuses by design.
DOCUMENTED_REJECTIONS = [
    ("POST /v1/briefings", "articles", "the articles contain no complete sentences"),
    # With options.refuse_separate_events, articles that tell more than one event (the story
    # clustering tells them apart, not JSON Schema).
    ("POST /v1/briefings", "articles", "the articles tell "),
    ("POST /v1/jobs", "Idempotency-Key", "was used before with a different request body"),
    # A URL the fetch policy refuses (not http(s), credentials, a non-public address).
    ("POST /v1/articles", r"articles\[\d+\]\.url", "may not be fetched"),
    ("POST /v1/articles", r"articles\[\d+\]\.(html|text)", "the HTML holds no article text"),
    ("POST /v1/feeds", "url", "may not be fetched"),
    ("GET /v1/stories", "cursor", "not a cursor this API gave"),
]
PROSE = [
    "Floods killed 12 people in the northern province on Monday, officials said.",
    "Rescue teams reached the cut-off villages on Tuesday morning after the water fell.",
    "The regional governor declared a state of emergency and closed the schools until Friday.",
    "Des inondations ont fait douze morts dans la province du nord lundi, selon les autorités.",
    "Наводнение унесло жизни двенадцати человек в северной провинции в понедельник.",
]
PROSE_PROBABILITY = 0.3
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def problem_of(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def documented_server_error(response, case) -> bool:
    problem_type = problem_of(response).get("type")
    if response.status_code != 503:
        return False
    if case.operation.label == "POST /v1/briefings":
        options = case.body.get("options") if isinstance(case.body, dict) else None
        insists = isinstance(options, dict) and options.get("engine") == "abstractive"
        return insists and problem_type == PROBLEM + "model-unavailable"
    if case.operation.label == "POST /v1/jobs":
        return problem_type == PROBLEM + "queue-full" and "Retry-After" in response.headers
    return False


def documented_rejection(response, case) -> bool:
    errors = problem_of(response).get("errors")
    return (
        response.status_code == 422
        and isinstance(errors, list)
        and bool(errors)
        and all(
            any(
                case.operation.label == operation
                and re.fullmatch(field, str(error.get("field")))
                and str(error.get("message", "")).startswith(message)
                for operation, field, message in DOCUMENTED_REJECTIONS
            )
            for error in errors
        )
    )


def not_a_server_error_but_the_documented(ctx, response, case):
    if documented_server_error(response, case):
        return None
    return not_a_server_error(ctx, response, case)


def positive_data_acceptance_but_the_documented(ctx, response, case):
    if documented_rejection(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)


# Every other check runs as schemathesis has it.
CHECKS = {
    "excluded_checks": [not_a_server_error, positive_data_acceptance],
    "additional_checks": [not_a_server_error_but_the_documented, positive_data_acceptance_but_the_documented],
}


def load(server, *, negative_coverage: bool) -> schemathesis.BaseSchema:
    """The server's schema, with the checks' settings, the fuzz dictionary and, unless
    `negative_coverage`, a coverage phase of valid requests only (see the module's docstring)."""
    settings: dict = {
        "checks": {"max_response_time": MAX_RESPONSE_TIME_S},
        # A fuzz dictionary: PROSE_PROBABILITY of the generated strings (where the schema
        # allows them) are sentences of news prose, so that more requests get past "no complete
        # sentences" to a stored briefing, through the whole pipeline, and to the link that reads it back.
        "dictionaries": {"prose": {"values": PROSE}},
        "generation": {"dictionaries": {"string": {"dictionary": "prose", "probability": PROSE_PROBABILITY}}},
    }
    if not negative_coverage:
        settings["phases"] = {"coverage": {"generation": {"mode": "positive"}}}
    return schemathesis.openapi.from_url(server.url + "/openapi.json", config=schemathesis.Config.from_dict(settings))


@pytest.fixture(scope="module")
def sqlite_schema(live_server):
    return load(live_server, negative_coverage=False)


@pytest.fixture(scope="module")
def postgres_schema(live_server_postgres):
    return load(live_server_postgres, negative_coverage=True)


def run_linked_calls(schema: schemathesis.BaseSchema) -> None:
    """Scenarios of linked calls, every response checked as in the tests of single operations.

    A scenario cannot be replayed against a server that remembers it: a briefing created once is
    found the second time (200, not 201, another link to follow), so when Hypothesis draws the
    same steps again the rules on offer differ and it raises its own "flaky" error. As
    schemathesis's own runner does, that error fails the test only when a check failed first, and
    then with that check's failure. No shrinking and no example database for the same reason;
    a failing scenario is at most STATEFUL_STEPS calls anyway."""
    failures: list[Exception] = []

    class LinkedCalls(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case):
            return {"timeout": REQUEST_TIMEOUT_S}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            try:
                case.validate_response(response, **CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)
            except Exception as failure:
                failures.append(failure)
                raise

    # The served spec links each success of both POSTs to the GET that reads the resource back.
    for path, reader in (("/v1/briefings", "get_briefing"), ("/v1/jobs", "get_job")):
        responses = schema.raw_schema["paths"][path]["post"]["responses"]
        successes = [status for status in responses if status.startswith("2")]
        assert successes and all(reader in responses[status].get("links", {}) for status in successes), path
    assert schema.statistic.transitions.total >= 4, schema.statistic  # and schemathesis follows them
    scenarios = settings(
        SETTINGS,
        max_examples=STATEFUL_SCENARIOS,
        stateful_step_count=STATEFUL_STEPS,
        phases=[Phase.generate],
        database=None,
    )
    try:
        LinkedCalls.run(settings=scenarios)
    except Flaky:
        if failures:
            raise failures[0] from None


@schemathesis.pytest.from_fixture("sqlite_schema").parametrize()
@SETTINGS
def test_each_operation_on_sqlite(case):
    case.call_and_validate(timeout=REQUEST_TIMEOUT_S, **CHECKS)


def test_linked_calls_on_sqlite(sqlite_schema):
    run_linked_calls(sqlite_schema)


@pytest.mark.slow
@schemathesis.pytest.from_fixture("postgres_schema").parametrize()
@SETTINGS
def test_each_operation_on_postgres(case):
    case.call_and_validate(timeout=REQUEST_TIMEOUT_S, **CHECKS)


@pytest.mark.slow
def test_linked_calls_on_postgres(postgres_schema):
    run_linked_calls(postgres_schema)


# Bad requests of each kind the API answers 4xx, sent by the log check itself so that it checks
# a server that has answered them whatever ran before: (method, path, headers, body, status).
BAD_REQUESTS = [
    ("POST", "/v1/briefings", {"Content-Type": "application/json"}, b"{not json", 400),
    ("POST", "/v1/briefings", {"Content-Type": "text/plain"}, b"hello", 415),
    ("POST", "/v1/briefings", {"Content-Type": "application/json"}, b'{"articles": [], "colour": 1}', 422),
    ("POST", "/v1/jobs", {"Content-Type": "application/json"}, b'{"clusters": "none"}', 422),
    ("GET", "/v1/briefings/no-such-briefing", {}, None, 404),
    ("GET", "/v1/stories?limit=0", {}, None, 422),
]


@pytest.mark.parametrize("server", ["live_server", pytest.param("live_server_postgres", marks=pytest.mark.slow)])
def test_no_traceback_in_the_server_log(server, request):
    """No 4xx logs a traceback: the bad requests below, and whatever fuzzing ran before on the
    same server (pytest keeps the file's order, so in a whole run that is all of the above)."""
    import requests

    live = request.getfixturevalue(server)
    for method, path, headers, body, status in BAD_REQUESTS:
        response = requests.request(method, live.url + path, headers=headers, data=body, timeout=REQUEST_TIMEOUT_S)
        assert response.status_code == status, (method, path, response.text[:500])
    # The access log shows the server answered them: the check reads the log of this server.
    # gunicorn writes a request's line after sending the answer, so the last lines may come a
    # moment after the answers (waited for, bounded).
    lines = [rf'"{method} {re.escape(path)} HTTP/1\.1" {status} ' for method, path, _, _, status in BAD_REQUESTS]
    deadline = time.monotonic() + ACCESS_LOG_WAIT_S
    log = live.output()
    while not all(re.search(line, log) for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
        log = live.output()
    for line in lines:
        assert re.search(line, log), (line, log[-2000:])
    assert "Traceback" not in log, log[-5000:]
