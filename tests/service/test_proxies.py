"""Behind NEWSBRIEF_PROXIES reverse proxies (nginx in docker-compose.yml), each client is known by
the address the proxy sets in X-Forwarded-For (rate limits count it); without, that header is
not trusted."""

from __future__ import annotations

ONE_A_MINUTE = {"RATE_LIMIT_DEFAULT": "1/minute", "RATE_LIMIT_BRIEFINGS": "off", "RATE_LIMIT_JOBS": "off"}


def statuses(client, *addresses: str) -> list[int]:
    return [client.get("/v1/models", headers={"X-Forwarded-For": a}).status_code for a in addresses]


def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(make_app):
    client = make_app(PROXIES=1, **ONE_A_MINUTE).test_client()
    assert statuses(client, "203.0.113.1", "203.0.113.2", "203.0.113.1") == [200, 200, 429]


def test_without_proxies_the_forwarded_address_is_not_trusted(make_app):
    client = make_app(**ONE_A_MINUTE).test_client()
    assert statuses(client, "203.0.113.1", "203.0.113.2") == [200, 429]
