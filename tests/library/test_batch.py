import json
import os
import signal
import subprocess
import sys
import time

from helpers.fakes import record_generation_batches
from helpers.paths import SEEDS

from summarizer.batch import finished_ids, run_batch
from summarizer.cli import main
from summarizer.inputs import read_articles
from summarizer.options import SummaryOptions


def write_clusters(path, count, extra_lines=()):
    articles, _ = read_articles([SEEDS])
    with path.open("w", encoding="utf-8") as f:
        for i in range(count):
            # Rotate the articles so clusters differ.
            chosen = articles[i % 5 :] + articles[: i % 5]
            f.write(
                json.dumps({"id": f"c{i}", "articles": [{"title": a.title, "text": a.text} for a in chosen[:3]]}) + "\n"
            )
        for line in extra_lines:
            f.write(line + "\n")


def results(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_writes_one_result_per_cluster_and_records_failures(tmp_path):
    source, out = tmp_path / "clusters.jsonl", tmp_path / "results.jsonl"
    write_clusters(
        source, 3, ['{"id": "empty", "articles": []}', "{broken", '{"documents": [{"text": "x", "boilerplate": true}]}']
    )
    done, failed, skipped = run_batch(source, out, SummaryOptions(engine="extractive"), progress=False)
    assert (done, failed, skipped) == (3, 3, 0)
    rows = results(out)
    assert [r["id"] for r in rows] == ["c0", "c1", "c2", "empty", "line-5", "line-6"]
    assert all(r["briefing"]["sentences"] for r in rows[:3])
    assert rows[3] == {
        "id": "empty",
        "status": "failed",
        "error": 'line 4: "articles" must be a non-empty list',
        "field": "articles",
    }
    assert rows[4] == {
        "id": "line-5",
        "status": "failed",
        "error": "line 5: invalid JSON (Expecting property name enclosed in double quotes at column 2)",
        "field": None,
    }
    assert rows[5] == {
        "id": "line-6",
        "status": "failed",
        "error": "line 6: no documents left once boilerplate ones are skipped",
        "field": "documents",
    }


def test_resume_skips_finished_clusters_and_cuts_a_torn_line(tmp_path):
    source, out = tmp_path / "clusters.jsonl", tmp_path / "results.jsonl"
    write_clusters(source, 4)
    run_batch(source, out, SummaryOptions(engine="extractive"), progress=False)
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text(lines[0] + lines[1][: len(lines[1]) // 2], encoding="utf-8")  # killed while writing c1
    assert finished_ids(out) == {"c0"}
    assert out.read_text(encoding="utf-8") == lines[0]
    done, failed, skipped = run_batch(source, out, SummaryOptions(engine="extractive"), progress=False)
    assert (done, failed, skipped) == (3, 0, 1)
    assert [r["id"] for r in results(out)] == ["c0", "c1", "c2", "c3"]


def test_killed_cli_run_resumes_with_every_cluster_exactly_once(tmp_path):
    source, out = tmp_path / "clusters.jsonl", tmp_path / "results.jsonl"
    write_clusters(source, 30)
    command = [
        sys.executable,
        "-m",
        "summarizer.cli",
        "summarize",
        str(source),
        "--out",
        str(out),
        "--engine",
        "extractive",
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if out.exists() and out.read_text(encoding="utf-8").count("\n") >= 3:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished_before = len(finished_ids(out))
    assert 3 <= finished_before < 30
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    ids = [r["id"] for r in results(out)]
    assert sorted(ids) == sorted(f"c{i}" for i in range(30))


def test_cli_batch_argument_errors(tmp_path, capsys):
    source = tmp_path / "clusters.jsonl"
    write_clusters(source, 1)
    assert main(["summarize", str(source), str(SEEDS)]) == 2
    assert main(["summarize", str(SEEDS), "--out", str(tmp_path / "x.jsonl")]) == 2
    assert main(["summarize", str(tmp_path / "missing.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "must be the only PATH" in err and "--out goes with" in err and "no such file" in err


def test_a_batch_writes_what_clusters_one_by_one_write(tmp_path, tiny_model, monkeypatch):
    """Batches of 2 over 3 clusters and a bad line: the model is asked once per batch, and every
    result is the briefing summarize() gives that cluster alone (greedy: the same tokens)."""
    from summarizer.inputs import iter_cluster_lines
    from summarizer.pipeline import summarize

    source, out = tmp_path / "clusters.jsonl", tmp_path / "results.jsonl"
    write_clusters(source, 3, ['{"id": "empty", "articles": []}'])
    options = SummaryOptions(engine="abstractive", model=tiny_model, profile="fast", keep_unsupported=True)
    calls = record_generation_batches(monkeypatch)
    assert run_batch(source, out, options, progress=False, batch_clusters=2) == (3, 1, 0)
    assert calls == [2, 1]  # c0 and c1 together; then c2 (the bad line has no model input)
    rows = results(out)
    assert [r["id"] for r in rows] == ["c0", "c1", "c2", "empty"]
    alone = {
        entry.id: json.loads(json.dumps(summarize(entry.articles, options).to_dict()))
        for entry in iter_cluster_lines(source)
        if entry.id != "empty"
    }
    for row in rows[:3]:
        got, expected = row["briefing"], alone[row["id"]]
        assert got["engine"] == "abstractive"
        assert got["sentences"] == expected["sentences"]
        assert got["stats"]["timings_ms"]["generate_batch"] > 0
    assert rows[3]["status"] == "failed"
