"""Rate limits counted on a real Redis (NEWSBRIEF_TEST_REDIS_URL): with NEWSBRIEF_REDIS_URL set,
every process of the service shares one counter per client, so a client's limit holds whichever
process answers it. Two apps stand for two gunicorn workers."""

from __future__ import annotations

import re

KEY = "alice-0123456789-abcdef"
OTHER_KEY = "bob-9876543210-fedcba"


def remaining(response) -> int:
    found = re.fullmatch(r'"briefings";r=(\d+);t=\d+', response.headers["RateLimit"])
    assert found, response.headers["RateLimit"]
    return int(found[1])


def test_processes_share_each_clients_counter_on_redis(make_app, broker, seed_request):
    settings = {"REDIS_URL": broker.url, "API_KEYS": f"{KEY},{OTHER_KEY}", "RATE_LIMIT_BRIEFINGS": "3/minute"}
    first, second = make_app(**settings), make_app(**settings)
    # Counters left in this database by an earlier run within the minute would be counted too.
    first.extensions["newsbrief.limiter"].reset()
    one, two = first.test_client(), second.test_client()
    alice = {"Authorization": f"Bearer {KEY}"}

    answers = [
        one.post("/v1/briefings", json=seed_request, headers=alice),
        two.post("/v1/briefings", json=seed_request, headers=alice),
        one.post("/v1/briefings", json=seed_request, headers=alice),
    ]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [remaining(a) for a in answers] == [2, 1, 0]
    for client in (two, one):
        refused = client.post("/v1/briefings", json=seed_request, headers=alice)
        assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another key's counter is its own, on Redis too.
    other = two.post("/v1/briefings", json=seed_request, headers={"X-API-Key": OTHER_KEY})
    assert other.status_code == 200 and remaining(other) == 2

    counters = broker.client().keys("LIMITS:LIMITER/newsbrief/*")
    assert counters, "no rate-limit counter on Redis"
    assert not any(KEY.encode() in name or OTHER_KEY.encode() in name for name in counters)
