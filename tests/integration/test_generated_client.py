"""A client that openapi-python-client generates from the live /openapi.json is typed (an `Article`
and a `Briefing` class, not dictionaries) and works: it posts the seed cluster to gunicorn and
reads the cited briefing back."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import attrs
import pytest
import requests
from helpers.processes import Server

PACKAGE = "newsbrief_client"
GENERATE_TIMEOUT_S = 180
REQUEST_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def generated_client(live_server: Server, tmp_path_factory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("generated-client")
    spec = root / "openapi.json"
    spec.write_bytes(requests.get(live_server.url + "/openapi.json", timeout=30).content)
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n")  # its default hooks run ruff, which the test needs not have
    generator = Path(sys.executable).parent / "openapi-python-client"
    argv = [str(generator), "generate", "--path", str(spec), "--output-path", str(root / PACKAGE)]
    subprocess.run(
        [*argv, "--meta", "none", "--config", str(config)], check=True, capture_output=True, timeout=GENERATE_TIMEOUT_S
    )
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_the_request_and_the_briefing_are_typed(generated_client):
    models = importlib.import_module(f"{PACKAGE}.models")
    assert attrs.fields(models.BriefingRequest).articles.type == "list[Article]"
    assert {"text", "html", "title"} <= {field.name for field in attrs.fields(models.Article)}
    assert attrs.fields(models.BriefingResource).briefing.type == "Briefing"
    assert attrs.fields(models.Briefing).sentences.type == "list[BriefingSentence]"


def test_the_client_posts_the_seeds_and_reads_back_a_cited_briefing(generated_client, live_server, seed_request):
    import httpx

    create_briefing = importlib.import_module(f"{PACKAGE}.api.default.create_briefing")
    get_briefing = importlib.import_module(f"{PACKAGE}.api.default.get_briefing")
    models = importlib.import_module(f"{PACKAGE}.models")

    body = models.BriefingRequest(articles=[models.Article(**item) for item in seed_request["articles"]])
    with generated_client.Client(base_url=live_server.url, timeout=httpx.Timeout(REQUEST_TIMEOUT_S)) as client:
        created = create_briefing.sync_detailed(client=client, body=body)
        # Another test on the same server may have posted the seeds first: then it is the stored briefing.
        assert created.status_code in (200, 201), created.content
        resource = created.parsed
        assert isinstance(resource, models.BriefingResource) and isinstance(resource.briefing, models.Briefing)
        assert created.headers["Location"] == f"/v1/briefings/{resource.id}"

        briefing = resource.briefing
        assert [source.id for source in briefing.sources] == [a["id"] for a in seed_request["articles"]]
        assert briefing.sentences
        for sentence in briefing.sentences:
            assert isinstance(sentence, models.BriefingSentence)
            assert sentence.citations and all(1 <= c <= len(briefing.sources) for c in sentence.citations)
            assert f"{sentence.text} " + "".join(f"[{c}]" for c in sentence.citations) in briefing.text

        fetched = get_briefing.sync(briefing_id=resource.id, client=client)
        assert isinstance(fetched, models.BriefingResource)
        assert fetched.to_dict() == resource.to_dict()
