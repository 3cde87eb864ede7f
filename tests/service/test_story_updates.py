"""Update briefings over REST: POST /v1/briefings with `since`, GET /v1/stories/<id>/briefings/<v>?since=<k>
and GET /v1/stories/<id>/timeline."""

from __future__ import annotations

import pytest
from helpers.story_server import FLOODS_LOCAL, FLOODS_WIRE, briefed, ingest

# The flood story a day later: the toll changed, a new fact, and the state of emergency again.
FLOODS_TOLL = {
    "title": "Flood toll rises to 31 in the northern province",
    "text": "The floods in the northern province have now killed 31 people, officials said on Wednesday. "
    "The army was sent to clear roads into the flooded province, the defence ministry said. "
    "The governor's state of emergency remains in force across the flooded province.",
    "url": "https://radio.example/floods-toll",
    "source": "Radio",
}


def as_article(item: dict) -> dict:
    return {key: item[key] for key in ("title", "text", "url", "source") if key in item}


def test_post_briefings_with_since_answers_what_is_new(client):
    body = {"articles": [as_article(FLOODS_TOLL)], "since": [as_article(FLOODS_WIRE), as_article(FLOODS_LOCAL)]}
    response = client.post("/v1/briefings", json=body)
    assert response.status_code == 201, response.get_json()
    briefing = response.get_json()["briefing"]
    assert [s["earlier"] for s in briefing["sources"]] == [True, True, False]
    [changed] = [s for s in briefing["sentences"] if "31" in s["text"]]
    assert changed["novelty"] == "update" and "up from 12" in changed["text"] and set(changed["citations"]) == {3, 1}
    assert not any("state of emergency" in s["text"] for s in briefing["sentences"])
    # Without `since` the same articles make another briefing (another content hash), with no novelty.
    plain = client.post("/v1/briefings", json={"articles": body["articles"]})
    assert plain.status_code == 201
    assert {s["novelty"] for s in plain.get_json()["briefing"]["sentences"]} == {None}
    # The same update again is found, not written again.
    assert client.post("/v1/briefings", json=body).status_code == 200


@pytest.mark.parametrize(
    ("since", "field"),
    [([], "since"), ([{"title": "no text"}], "since[0].text"), ("text", "since")],
)
def test_a_bad_since_is_422_naming_it(client, since, field):
    response = client.post("/v1/briefings", json={"articles": [as_article(FLOODS_TOLL)], "since": since})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_a_story_version_update_and_the_timeline(stories_app):
    client = stories_app().test_client()
    [wire, local] = ingest(client, FLOODS_WIRE, FLOODS_LOCAL, status=201)["articles"]
    story_id = wire["story_id"]
    assert local["story_id"] == story_id
    briefed(client, story_id, 1)
    [toll] = ingest(client, FLOODS_TOLL, status=201)["articles"]
    assert toll["story_id"] == story_id
    briefed(client, story_id, 2)

    update = client.get(f"/v1/stories/{story_id}/briefings/2?since=1")
    assert update.status_code == 200, update.get_json()
    sentences = update.get_json()["briefing"]["sentences"]
    assert sentences and {s["novelty"] for s in sentences} <= {"new", "update"}
    assert any("31" in s["text"] and s["novelty"] == "update" for s in sentences)
    whole = client.get(f"/v1/stories/{story_id}/briefings/2").get_json()["briefing"]
    assert len(whole["sources"]) == 3 and {s["novelty"] for s in whole["sentences"]} == {None}

    timeline = client.get(f"/v1/stories/{story_id}/timeline")
    assert timeline.status_code == 200
    data = timeline.get_json()
    assert data["story_id"] == story_id
    assert [(v["version"], v["articles"]) for v in data["versions"]] == [(1, 2), (2, 3)]
    assert all(set(v) == {"version", "created_at", "articles", "added"} for v in data["versions"])
    assert all(v["created_at"].endswith("Z") for v in data["versions"])
    first, second = data["versions"]
    assert first["added"] and all(set(f) == {"text", "citations"} for f in first["added"])
    # The second version adds the new toll, cited by its own briefing's numbers (the new article is 3rd).
    [toll_fact] = [f for f in second["added"] if "31" in f["text"]]
    assert 3 in toll_fact["citations"]
    assert not any("state of emergency" in f["text"] for f in second["added"])


def test_bad_versions_are_4xx_problems(stories_app):
    client = stories_app().test_client()
    [wire, _] = ingest(client, FLOODS_WIRE, FLOODS_LOCAL, status=201)["articles"]
    story_id = wire["story_id"]
    briefed(client, story_id, 1)
    cases = [
        (f"/v1/stories/{story_id}/briefings/7", 404, "version"),
        (f"/v1/stories/{story_id}/briefings/x", 404, "version"),
        (f"/v1/stories/{story_id}/briefings/1?since=1", 422, "since"),
        (f"/v1/stories/{story_id}/briefings/1?since=3", 422, "since"),
        (f"/v1/stories/{story_id}/briefings/1?since=abc", 422, "since"),
        (f"/v1/stories/{story_id}/briefings/1?since=0", 422, "since"),
        ("/v1/stories/999/briefings/1", 404, "id"),
        ("/v1/stories/999/timeline", 404, "id"),
    ]
    for path, status, field in cases:
        response = client.get(path)
        assert response.status_code == status, (path, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert field in [e["field"] for e in response.get_json()["errors"]], path


def test_the_openapi_document_describes_updates_and_the_timeline(client):
    spec = client.get("/openapi.json").get_json()
    assert {"/v1/stories/{story_id}/briefings/{version}", "/v1/stories/{story_id}/timeline"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert "since" in schemas["BriefingRequest"]["properties"]
    assert set(schemas["TimelineVersion"]["properties"]) == {"version", "created_at", "articles", "added"}
