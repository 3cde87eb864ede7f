"""The JSON Lines cluster reader shared by `newsbrief summarize clusters.jsonl` and `newsbrief eval`."""

import json

import pytest

from summarizer.errors import InputError
from summarizer.inputs import ArticleCluster, BadClusterLine, cluster_from_json, iter_cluster_lines, read_clusters

FLOODS = "Floods killed 12 people in the northern province of Kars on Monday."
FUNDS = "The government promised new funds for rebuilding bridges."
ZEBRAS = "Zebras graze quietly near rivers at dawn."
FILLER = "Tickets for the spring concert series go on sale online next week."


def write_jsonl(path, rows):
    path.write_text(
        "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows) + "\n", encoding="utf-8"
    )
    return path


THREE_CLUSTERS = [
    {"id": "exact", "documents": [{"title": "", "text": FLOODS}], "summary": FLOODS},
    {"id": "two-refs", "articles": [{"text": FUNDS}], "references": [FUNDS, ZEBRAS]},
    {
        "id": "boilerplate",
        "documents": [{"text": FLOODS, "boilerplate": False}, {"text": FILLER, "boilerplate": True}],
        "summary": FLOODS,
    },
]


def test_both_key_styles_boilerplate_skipped_and_references(tmp_path):
    path = write_jsonl(tmp_path / "data.jsonl", THREE_CLUSTERS)
    clusters = read_clusters(path, with_references=True)
    assert [c.id for c in clusters] == ["exact", "two-refs", "boilerplate"]
    assert [[a.text for a in c.articles] for c in clusters] == [[FLOODS], [FUNDS], [FLOODS]]
    # Article ids count from the cluster's position in the input, boilerplate included.
    assert [[a.id for a in c.articles] for c in clusters] == [["exact-0"], ["two-refs-0"], ["boilerplate-0"]]
    assert [c.references for c in clusters] == [(FLOODS,), (FUNDS, ZEBRAS), (FLOODS,)]
    assert [c.line for c in read_clusters(path, with_references=True, limit=2)] == [1, 2]


def test_references_are_read_only_when_asked_for(tmp_path):
    path = write_jsonl(tmp_path / "plain.jsonl", [{"id": 7, "articles": [{"text": FUNDS}]}])
    [cluster] = read_clusters(path)
    assert (cluster.id, cluster.references, [a.text for a in cluster.articles]) == ("7", (), [FUNDS])
    with pytest.raises(InputError, match='a cluster needs a "summary"'):
        read_clusters(path, with_references=True)


@pytest.mark.parametrize(
    "bad, message, field",
    [
        ("{not json", "invalid JSON (Expecting property name enclosed in double quotes at column 2)", None),
        ("[1, 2]", 'a cluster must be a JSON object with an "articles" list', None),
        ({"summary": FUNDS}, 'a cluster needs an "articles" (or "documents") list', "articles"),
        ({"articles": [], "summary": FUNDS}, '"articles" must be a non-empty list', "articles"),
        ({"documents": "text", "summary": FUNDS}, '"documents" must be a non-empty list', "documents"),
        (
            {"articles": [{"text": FUNDS}], "documents": [{"text": FLOODS}], "summary": FUNDS},
            'give "articles" or "documents", not both',
            "articles",
        ),
        (
            {"id": ["c"], "articles": [{"text": FUNDS}], "summary": FUNDS},
            '"id" must be a non-empty string or an integer',
            "id",
        ),
        (
            {"id": "", "articles": [{"text": FUNDS}], "summary": FUNDS},
            '"id" must be a non-empty string or an integer',
            "id",
        ),
        (
            {"documents": [{"text": FUNDS, "boilerplate": True}], "summary": FUNDS},
            "no documents left once boilerplate ones are skipped",
            "documents",
        ),
        (
            {"documents": [{"title": "no text"}], "summary": FUNDS},
            'document 1: the article has no "text" (or "html")',
            "text",
        ),
        (
            {"articles": [{"text": FUNDS, "url": 3}], "summary": FUNDS},
            'article 1: "url" must be a string',
            "url",
        ),
        ({"documents": [{"text": FUNDS}]}, 'a cluster needs a "summary" string or a "references" list', "summary"),
        (
            {"documents": [{"text": FUNDS}], "references": [FUNDS, " "]},
            '"references" must be a non-empty list of non-empty strings',
            "references",
        ),
    ],
)
def test_a_bad_line_stops_read_clusters_naming_the_file_line_and_field(tmp_path, bad, message, field):
    path = write_jsonl(tmp_path / "bad.jsonl", [THREE_CLUSTERS[0], bad])
    with pytest.raises(InputError) as caught:
        read_clusters(path, with_references=True)
    assert caught.value.message == f"{path} line 2: {message}"
    assert caught.value.field == field


def test_an_article_is_named_by_its_place_in_the_input():
    cluster = {"id": "c", "articles": [{"text": "filler", "boilerplate": True}, {"title": "no text"}]}
    with pytest.raises(InputError) as caught:
        cluster_from_json(cluster, 9)
    assert caught.value.message == 'line 9: article 2: the article has no "text" (or "html")'


def test_iter_cluster_lines_hands_back_bad_lines_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_MAX_ARTICLE_BYTES", "8")  # lines of over 8 x 50 = 400 bytes are refused
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "good", "articles": [{"text": FUNDS}]}).encode()
    lines = [
        good,
        b"",  # blank: skipped, still counted
        json.dumps({"id": "empty", "articles": []}).encode(),
        json.dumps({"id": {"no": 1}, "articles": []}).encode(),
        b'{"id": "latin1", "articles": [{"text": "caf\xe9"}]}',
        json.dumps({"id": "huge", "articles": [{"text": "word " * 100}]}).encode(),
        json.dumps({"articles": [{"text": FLOODS}]}).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    entries = list(iter_cluster_lines(path))
    assert [(type(e), e.line, e.id) for e in entries] == [
        (ArticleCluster, 1, "good"),
        (BadClusterLine, 3, "empty"),  # a bad line keeps its own id, so a batch run's resume skips it
        (BadClusterLine, 4, "line-4"),
        (BadClusterLine, 5, "line-5"),
        (BadClusterLine, 6, "line-6"),
        (ArticleCluster, 7, "line-7"),
    ]
    latin1_at = lines[4].index(b"\xe9")
    errors = [(e.error.message, e.error.field) for e in entries if isinstance(e, BadClusterLine)]
    assert errors[:3] == [
        ('line 3: "articles" must be a non-empty list', "articles"),
        ('line 4: "id" must be a non-empty string or an integer', "id"),
        (f"line 5: not UTF-8 text (byte 0xe9 at offset {latin1_at} of the line)", None),
    ]
    assert errors[3] == (
        "line 6: 0.0 MB is over the 0.0 MB limit for a cluster (50 times NEWSBRIEF_MAX_ARTICLE_BYTES; "
        "set it to raise the limit)",
        None,
    )


def test_file_errors(tmp_path):
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(InputError, match=f"^{missing}: cannot read \\(No such file or directory\\)$"):
        read_clusters(missing)
    with pytest.raises(InputError, match=f"^{missing}: cannot read"):
        next(iter_cluster_lines(missing))
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no clusters in the file"):
        read_clusters(blank)
    assert list(iter_cluster_lines(blank)) == []


def test_limit_stops_before_a_later_bad_line(tmp_path):
    path = write_jsonl(tmp_path / "data.jsonl", [THREE_CLUSTERS[0], "{not json"])
    assert [c.id for c in read_clusters(path, with_references=True, limit=1)] == ["exact"]


def test_a_line_separator_inside_a_json_string_does_not_split_the_line(tmp_path):
    row = {"documents": [{"text": FLOODS + "\u2028" + FUNDS}], "summary": FUNDS}
    path = tmp_path / "sep.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    [cluster] = read_clusters(path, with_references=True)
    assert cluster.articles[0].text == FLOODS + "\u2028" + FUNDS
    [entry] = iter_cluster_lines(path, with_references=True)
    assert entry == cluster
