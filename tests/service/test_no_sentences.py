"""A cluster with no sentence to summarise fails saying what was found in it, not blaming markup
and boilerplate that are not there."""

from __future__ import annotations

import pytest
from helpers.story_server import wait_for


@pytest.mark.parametrize(
    ("articles", "found"),
    [
        ([{"text": "hello world"}], 'found 1 line of text in 1 article, none of it prose: 1 label ("hello world")'),
        (
            [{"text": "Trending Now\nLatest Videos"}, {"text": "By Jane Smith"}],
            "found 3 lines of text in 2 articles, none of it prose: 2 label",
        ),
        ([{"text": "... ..."}], 'the text found (1 line: "... ...") holds no complete sentence'),
        ([{"html": "<div><script>var x = 1;</script></div>"}], "found no text in 1 article"),
    ],
)
def test_a_job_cluster_without_sentences_says_what_was_found(client, articles, found):
    job = client.post("/v1/jobs", json={"clusters": [{"articles": articles}]})
    assert job.status_code == 202, job.get_json()
    done = wait_for(lambda: client.get(job.headers["Location"]).get_json(), lambda j: j["status"] == "done", "job")
    [cluster] = done["clusters"]
    assert cluster["status"] == "failed"
    message = cluster["error"]["message"]
    assert found in message and "markup and boilerplate" not in message, message
    assert cluster["error"]["field"] == "clusters[0].articles"
