import json
import re

import pytest
from helpers.paths import SEEDS

from summarizer.cli import main


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_summarize_seeds_plain(capsys):
    assert main(["summarize", str(SEEDS), "--engine", "extractive"]) == 0
    plain = capsys.readouterr().out
    assert main(["summarize", str(SEEDS), "--engine", "extractive", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    briefing, sources = plain.rstrip("\n").split("\n\nSources:\n")
    listed = [int(re.match(r"\[(\d+)\] ", line).group(1)) for line in sources.splitlines()]
    assert listed == [source["index"] for source in data["sources"]] == [1, 2, 3, 4, 5]  # one per seed article
    assert sources.startswith("[1] Putin to visit North Korea")
    # Every sentence cites at least one listed source...
    assert data["sentences"] and all(s["citations"] and set(s["citations"]) <= set(listed) for s in data["sentences"])
    # ...and the plain text is those sentences, each followed by its markers (compared without
    # whitespace, which the 100-column wrapping moves).
    expected = "".join(s["text"] + "".join(f"[{n}]" for n in s["citations"]) for s in data["sentences"])
    assert "".join(briefing.split()) == "".join(expected.split())


def test_summarize_seeds_json_has_the_whole_briefing(capsys):
    assert main(["summarize", str(SEEDS), "--json", "--max-words", "80"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["engine"] == "extractive"  # no weights can be loaded offline
    assert "used the extractive engine" in captured.err
    assert set(data) >= {
        "text",
        "sentences",
        "sources",
        "engine",
        "model",
        "warnings",
        "stats",
        "model_input",
        "profile",
    }
    assert set(data["stats"]) >= {
        "articles",
        "sentences",
        "duplicate_sentences_merged",
        "facts",
        "model_input_tokens",
        "left_out",
        "timings_ms",
    }
    first = data["sentences"][0]
    assert first["citations"] and {"source", "sentence", "text", "score"} <= set(first["evidence"][0])


@pytest.mark.parametrize(
    "make_input, message",
    [
        (lambda p: p / "missing", "no such file or folder"),
        (lambda p: p, "no .txt"),
        (lambda p: (p / "bin.txt").write_bytes(b"\x00\xff" * 100) and p / "bin.txt", "binary"),
        (lambda p: (p / "empty.txt").write_text("") == 0 and p / "empty.txt", "empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, make_input, message):
    path = make_input(tmp_path)
    assert main(["summarize", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("newsbrief: error:") and message in err[0]


def test_bad_option_values_exit_with_usage_error(capsys):
    # The flags' values are checked by the options model, with its bounds, before anything runs.
    for value in ("-3", "5"):
        with pytest.raises(SystemExit) as exit_info:
            main(["summarize", str(SEEDS), "--max-words", value])
        assert exit_info.value.code == 2
        assert f"argument --max-words: must be greater than or equal to 10, not '{value}'" in capsys.readouterr().err


def test_explicit_abstractive_without_weights_exits_1(capsys):
    assert main(["summarize", str(SEEDS), "--engine", "abstractive", "--model", "no-such-org/no-model"]) == 1
    assert "could not load model" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summarize", str(SEEDS), "--max-words", "2001"], "argument --max-words: must be less than or equal to 2000"),
        (["summarize", str(SEEDS), "--model", ""], "argument --model: String should have at least 1 character"),
        (["summarize", str(SEEDS), "--engine", "bogus"], "argument --engine: invalid choice: 'bogus'"),
        (["summarize", str(SEEDS), "--budget-tokens", "many"], "argument --budget-tokens: must be a valid integer"),
        (["summarize"], "the following arguments are required: PATH"),
        (["summarise", str(SEEDS)], "argument command: invalid choice: 'summarise'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err  # no usage block
    assert err[0].startswith(f"newsbrief: error: {message}") and err[0].endswith("--help)")


SEED_FILE = str(SEEDS / "000_89bc57a796e3b746.txt")


@pytest.mark.parametrize(
    ("model", "wrong"),
    [
        ("/etc", "/etc is a folder without a model's config.json"),
        (SEED_FILE, f"{SEED_FILE} is a file; a local model is a folder with config.json and the weights"),
        ("/no/such/model/folder", "/no/such/model/folder: no such folder"),
    ],
)
def test_a_model_path_that_is_no_model_says_what_is_wrong(capsys, model, wrong):
    assert main(["summarize", str(SEEDS), "--engine", "abstractive", "--model", model]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"newsbrief: error: could not load model {model!r}: {wrong}"]


def test_an_html_file_is_listed_with_its_pages_title(tmp_path, capsys):
    for name, when in (("page.html", "Sunday night"), ("other.html", "Sunday")):
        (tmp_path / name).write_text(
            "<html><head><title>Storm hits the southern coast</title></head><body><article>"
            f"<p>The storm made landfall on the southern coast on {when}, bringing winds of 150 km/h.</p>"
            "<p>More than 20,000 homes lost power, the utility company said in a statement on Monday.</p>"
            "</article></body></html>",
            encoding="utf-8",
        )
    assert main(["summarize", str(tmp_path), "--engine", "extractive", "--json"]) == 0
    sources = json.loads(capsys.readouterr().out)["sources"]
    assert [(s["id"], s["title"]) for s in sources] == [
        ("other", "Storm hits the southern coast"),
        ("page", "Storm hits the southern coast"),
    ]


def test_summarize_since_the_january_article_tells_what_the_june_ones_add(capsys):
    january = SEEDS / "002_5a7b70f5a442ebd2.txt"  # written before the visit's dates were known
    june = sorted(str(p) for p in SEEDS.glob("*.txt") if p != january)
    assert main(["summarize", *june, "--since", str(january), "--engine", "extractive", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(s["index"], s["earlier"]) for s in data["sources"]] == [
        (1, True),
        (2, False),
        (3, False),
        (4, False),
        (5, False),
    ]
    assert data["sentences"] and all(s["novelty"] in ("new", "update") for s in data["sentences"])
    # Nothing is cited from the January article alone: what it said is not told again.
    assert all(set(s["citations"]) - {1} for s in data["sentences"])
    assert any("June 18" in s["text"] for s in data["sentences"])


def test_since_does_not_go_with_a_batch_of_clusters(tmp_path, capsys):
    batch = tmp_path / "clusters.jsonl"
    batch.write_text("{}\n")
    assert main(["summarize", str(batch), "--since", str(SEEDS)]) == 2
    assert "--since goes with article files" in capsys.readouterr().err
