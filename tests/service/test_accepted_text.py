"""The text a request may carry, the same on SQLite and PostgreSQL: any Unicode text with tab, newline
and carriage return, but no other C0 control character (PostgreSQL cannot store NUL; SQLite
could, so a request used to be stored on one and a 500 on the other). A request with one is a 422
naming the field, and nothing is stored.

PostgreSQL runs when NEWSBRIEF_TEST_DATABASE_URL is set (see test_storage.py).
"""

from __future__ import annotations

import pytest
from helpers.databases import fresh_postgres, migrated
from sqlalchemy import func, select

from service.briefings.store import BriefingRow
from service.jobs.store import JobRow

TEXT = "Floods killed 12 people in the northern province on Monday, officials said. Rescue teams arrived on Tuesday."
OTHER = "Officials said the floods killed 12 people in the north on Monday. The governor declared an emergency."


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request, tmp_path_factory, make_module_app):
    """One app per database for the whole module: the tests count the rows a request adds."""
    folder = tmp_path_factory.mktemp("text")
    url = migrated(f"sqlite:///{folder / 'text.sqlite3'}" if request.param == "sqlite" else fresh_postgres())
    return make_module_app(DATABASE_URL=url).test_client()


def stored_rows(client, row) -> int:
    storage = client.application.extensions["newsbrief.database"]
    with storage.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(row))


def articles(**changes) -> list[dict]:
    return [{"id": "a", "title": "Floods in the north", "text": TEXT, **changes}, {"id": "b", "text": OTHER}]


def assert_control_character_refused(response, field: str) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json(force=True)
    assert problem["fields"] == [field]
    assert "control characters other than tab, newline and carriage return" in problem["errors"][0]["message"]


FIELDS = ["title", "text", "html", "url", "source", "published", "id"]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x1f"], ids=["NUL", "SOH", "VT", "US"])
def test_a_control_character_in_any_article_field_is_422_and_nothing_is_stored(client, field, character):
    value = f"{TEXT[:30]}{character}{TEXT[30:]}" if field in ("text", "html") else f"x{character}y"
    stored_before = stored_rows(client, BriefingRow)
    response = client.post("/v1/briefings", json={"articles": articles(**{field: value})})
    assert_control_character_refused(response, f"articles[0].{field}")
    assert f"U+{ord(character):04X} at character" in response.get_json()["detail"]
    assert stored_rows(client, BriefingRow) == stored_before


@pytest.mark.parametrize(
    ("cluster", "field"),
    [
        pytest.param({"id": "floods\x00", "articles": articles()}, "clusters[0].id", id="cluster-id"),
        pytest.param({"articles": articles(title="T\x00")}, "clusters[0].articles[0].title", id="title"),
        pytest.param({"articles": articles(text=TEXT + "\x00")}, "clusters[0].articles[0].text", id="text"),
        pytest.param({"articles": articles(source="\x07")}, "clusters[0].articles[0].source", id="source"),
    ],
)
def test_a_control_character_in_a_job_is_422_and_nothing_is_stored(client, cluster, field):
    stored_before = stored_rows(client, JobRow)
    assert_control_character_refused(client.post("/v1/jobs", json={"clusters": [cluster]}), field)
    assert stored_rows(client, JobRow) == stored_before


def test_tab_newline_carriage_return_and_other_unicode_are_stored_and_read_back(client):
    title = "Floods\tin the north: “12 dead” – Zürich, Αθήνα, Москва \x7f ✓"
    text = TEXT.replace(". ", ".\r\n\t", 1)
    created = client.post("/v1/briefings", json={"articles": articles(title=title, text=text, url="https://x.test/\t")})
    assert created.status_code == 201, created.get_data(as_text=True)
    fetched = client.get(created.headers["Location"]).get_json()
    assert fetched["briefing"]["sources"][0]["title"] == title
    job = client.post("/v1/jobs", json={"clusters": [{"id": "tab\there", "articles": articles(title=title)}]})
    assert job.status_code == 202, job.get_data(as_text=True)
    assert job.get_json()["clusters"][0]["id"] == "tab\there"


@pytest.mark.parametrize("path", ["/v1/briefings/%00", "/v1/briefings/a%01b", "/v1/jobs/%00", "/v1/jobs/a%1Fb"])
def test_an_id_with_a_control_character_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["fields"] == ["id"]


def test_the_schema_says_which_characters_are_refused(client):
    spec = client.get("/openapi.json").get_json()
    article = spec["components"]["schemas"]["Article"]["properties"]
    for field in ("text", "html"):
        assert article[field]["pattern"].startswith("^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]*")
    for field in ("title", "url", "source", "published", "id"):
        assert article[field]["anyOf"][0]["pattern"] == "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]*$"
