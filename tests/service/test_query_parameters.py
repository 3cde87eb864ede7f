"""Query parameters are text like a body's: a control character in one (a NUL among them, which
Python's ISO time parser reads as the end of the string) is a 422 naming the parameter."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=2026-12-06T10:00:00Z%00", "until"),
        ("since=2026-12-06T10:00:00%00", "since"),
        ("limit=5&cursor=WyIyMDI2LTEyLTA2VDEwOjAwOjAwKzAwOjAwIiwgMV0%00", "cursor"),
        ("since=2026-12-06%01T10:00:00", "since"),
    ],
)
def test_a_control_character_in_a_query_parameter_is_a_422_naming_it(client, query, field):
    answer = client.get(f"/v1/stories?{query}")
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json", answer.get_data(as_text=True)
    assert answer.get_json()["fields"] == [field]
    assert "control character" in answer.get_json()["detail"]


def test_a_control_character_in_a_parameter_name_is_a_422_too(client):
    answer = client.get("/v1/stories?li%00mit=5")
    assert answer.status_code == 422 and answer.get_json()["fields"] == ["li\x00mit"]
