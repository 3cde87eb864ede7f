import json

import pytest

from summarizer import InputError
from summarizer.inputs import read_articles, split_title

BODY = "Floods killed 12 people in Kars on Monday, officials said.\nRescue teams arrived on Tuesday."


def test_txt_first_non_empty_line_is_the_title_and_section_labels_are_skipped():
    assert split_title("\n\nFloods hit Kars province\n\nBody line one.") == (
        "Floods hit Kars province",
        "Body line one.",
    )
    title, body = split_title("Premium Content\n\nFloods hit Kars province\n\nBody line.")
    assert (title, body.split("\n")[0], body.split()[-2:]) == (
        "Floods hit Kars province",
        "Premium Content",
        ["Body", "line."],
    )


def test_folder_reads_txt_html_and_json_in_name_order(tmp_path):
    (tmp_path / "b.txt").write_text("Floods hit Kars\n\n" + BODY, encoding="utf-8")
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "articles": [
                    {"title": "One", "text": BODY, "url": "https://example.org/1"},
                    {"title": "Two", "html": "<p>" + BODY + "</p>"},
                ]
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "c.html").write_text("<html><body><p>" + BODY + "</p></body></html>", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    articles, warnings = read_articles([tmp_path])
    assert warnings == []
    assert [(a.title, a.content_type) for a in articles] == [
        ("One", "text"),
        ("Two", "html"),
        ("Floods hit Kars", "text"),
        ("", "html"),
    ]
    assert articles[0].url == "https://example.org/1"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (b"Only a title", "no body"),
    ],
)
def test_bad_single_files_are_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_articles([path])


def test_bad_json_names_the_problem(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"articles": [{"title": 3, "text": "x"}]}', encoding="utf-8")
    with pytest.raises(InputError, match='"title" must be a string'):
        read_articles([path])
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="invalid JSON"):
        read_articles([path])


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(100 * 1024 * 1024)
    with pytest.raises(InputError, match="over the .* limit"):
        read_articles([path])


def test_non_utf8_is_read_with_a_warning(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café owners protest\n\nThe café owners of Lyon protested on Monday.".encode("cp1252"))
    [article], [warning] = read_articles([path])
    assert "Café" in article.title and "not valid UTF-8" in warning


def test_a_bad_file_in_a_folder_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "good.txt").write_text("Floods hit Kars\n\n" + BODY, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    articles, warnings = read_articles([tmp_path])
    assert len(articles) == 1
    assert warnings == [f"skipped {tmp_path / 'empty.txt'}: the file is empty"]


def test_missing_or_empty_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_articles([tmp_path / "nope"])
    with pytest.raises(InputError, match="no .txt"):
        read_articles([tmp_path])
