"""Counting model-input tokens without the model: the `tokenizers` library on the model's
tokenizer.json gives transformers' counts, and the extractive path never imports transformers
or torch."""

import json
import subprocess
import sys

import pytest
from helpers.paths import ROOT, SEEDS
from helpers.processes import clean_environ

from summarizer.generation.tokens import ApproximateCounter, FileTokenizerCounter, tokenizer_counter

# Longer than the tiny models' model_max_length (256): a count is never truncated.
TEXTS = [
    "Russian President Vladimir Putin will visit North Korea on June 18 and 19.",
    "Kim Jong Un invited Putin to Pyongyang for talks on trade and security. " * 60,
    "Words the tokenizer never saw: zebra, quantum, 2026.",
    "",
]

# What a CLI run imported, printed as JSON by the child process once the command is done.
IMPORTED_AFTER_CLI = """
import json, sys
from service.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "heavy": sorted(m for m in ("transformers", "torch") if m in sys.modules)}))
"""


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_counts_are_transformers_counts(tiny_models, family):
    from transformers import AutoTokenizer

    folder = tiny_models[family]
    reference = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    counter = tokenizer_counter(folder)

    assert isinstance(counter, FileTokenizerCounter)
    expected = [len(reference(text, add_special_tokens=True, truncation=False)["input_ids"]) for text in TEXTS]
    assert max(expected) > reference.model_max_length
    assert [counter.count(text) for text in TEXTS] == expected
    assert counter.count_many(TEXTS) == expected


def test_no_local_tokenizer_counts_approximately(tmp_path):
    assert isinstance(tokenizer_counter(str(tmp_path)), ApproximateCounter)
    assert isinstance(tokenizer_counter("no-such-org/no-such-model-here"), ApproximateCounter)


def run_cli(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", IMPORTED_AFTER_CLI, *args],
        cwd=ROOT,
        env=clean_environ(PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_extractive_cli_never_imports_transformers_or_torch(tiny_models):
    # The default model (not in any local cache here: counted approximately) and a model folder
    # with a tokenizer.json (counted with it).
    for options in ([], ["--tokenizer", tiny_models["bart"]]):
        result = run_cli("summarize", str(SEEDS), "--engine", "extractive", "--json", *options)
        assert result == {"status": 0, "heavy": []}, options


def test_the_check_sees_an_import_of_transformers(tiny_models):
    # The same child process does see transformers when a model is loaded.
    result = run_cli("summarize", str(SEEDS), "--engine", "abstractive", "--model", tiny_models["bart"])
    assert result == {"status": 0, "heavy": ["torch", "transformers"]}
