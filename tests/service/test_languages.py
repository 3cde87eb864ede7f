"""POST /v1/briefings with articles in other languages and scripts: a cited briefing, stored
and served back unchanged (SQLite, and PostgreSQL when NEWSBRIEF_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest
from helpers.databases import fresh_postgres, migrated
from helpers.languages import ALPHABETIC, CLUSTERS, cluster_request


def assert_cited(briefing: dict, language: str) -> None:
    assert briefing["engine"] == "extractive"
    assert briefing["sentences"], f"no sentences for {language}"
    n_sources = len(CLUSTERS[language])
    assert len(briefing["sources"]) == n_sources
    bodies = " ".join(text for _, text in CLUSTERS[language])
    for sentence in briefing["sentences"]:
        assert sentence["text"] in bodies  # the articles' own words, in their own script
        assert sentence["citations"] and all(1 <= c <= n_sources for c in sentence["citations"])
        assert f"{sentence['text']} " + "".join(f"[{c}]" for c in sentence["citations"]) in briefing["text"]


@pytest.mark.parametrize("language", [*ALPHABETIC, "zh"])
def test_a_cluster_in_another_language_gets_a_cited_briefing(client, language):
    response = client.post("/v1/briefings", json=cluster_request(language))
    assert response.status_code == 201, response.get_json()
    assert_cited(response.get_json()["briefing"], language)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_a_russian_briefing_is_stored_and_served_back(make_app, tmp_path, database):
    url = f"sqlite:///{tmp_path / 'ru.sqlite3'}" if database == "sqlite" else migrated(fresh_postgres())
    client = make_app(DATABASE_URL=url).test_client()
    created = client.post("/v1/briefings", json=cluster_request("ru"))
    assert created.status_code == 201, created.get_json()
    briefing = created.get_json()["briefing"]
    assert_cited(briefing, "ru")
    assert "Орск" in briefing["text"]
    assert [s["title"] for s in briefing["sources"]] == [title for title, _ in CLUSTERS["ru"]]
    fetched = client.get(created.headers["Location"])
    assert fetched.status_code == 200 and fetched.get_json() == created.get_json()
