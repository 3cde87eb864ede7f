"""The library's settings (summarizer/settings.py): NEWSBRIEF_* variables parsed and checked in
one place, read when used (not when a module is imported), and a bad one named in one line."""

import json
import os

import pytest
from helpers.paths import SEEDS

from summarizer import InputError, SummaryOptions, merge_options
from summarizer.cli import main
from summarizer.inputs import read_articles
from summarizer.settings import InvalidSettings, Settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No NEWSBRIEF_* variable of the developer's own; offline, so auto means extractive."""
    for name in [name for name in os.environ if name.startswith("NEWSBRIEF_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_the_briefing_defaults_are_summary_options_fields_with_their_defaults():
    settings = Settings.load()
    assert set(SummaryOptions.model_fields) <= set(Settings.model_fields)
    for name, field in SummaryOptions.model_fields.items():  # the same declaration: default, bounds, help
        assert repr(Settings.model_fields[name]) == repr(field), name
    assert merge_options(settings) == SummaryOptions()
    assert (settings.max_article_bytes, settings.torch_threads) == (2_000_000, None)


def test_values_come_from_the_environment(monkeypatch):
    for name, value in {
        "ENGINE": "extractive",
        "MODEL": "org/model",
        "MAX_WORDS": "80",
        "PROFILE": "fast",
        "BUDGET_TOKENS": "256",
        "TOKENIZER": "/models/tokenizer",
        "KEEP_UNSUPPORTED": "yes",
        "NO_REPEAT_NGRAM_SIZE": "0",
        "REFUSE_SEPARATE_EVENTS": "true",
        "MAX_ARTICLE_BYTES": "1000",
        "TORCH_THREADS": "3",
    }.items():
        monkeypatch.setenv(f"NEWSBRIEF_{name}", value)
    monkeypatch.setenv("NEWSBRIEF_SOMETHING_ELSE", "is not the library's")
    settings = Settings.load()
    assert merge_options(settings).model_dump() == {
        "engine": "extractive",
        "model": "org/model",
        "max_words": 80,
        "profile": "fast",
        "budget_tokens": 256,
        "tokenizer": "/models/tokenizer",
        "keep_unsupported": True,
        "no_repeat_ngram_size": 0,
        "refuse_separate_events": True,
    }
    assert (settings.max_article_bytes, settings.torch_threads) == (1000, 3)


def test_an_empty_variable_is_unset(monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_BUDGET_TOKENS", "")
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "")
    assert (Settings.load().budget_tokens, Settings.load().max_words) == (None, 150)


def test_explicit_values_win_and_are_checked(monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "80")
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "extractive")
    settings = Settings.load()
    options = merge_options(settings, max_words=120, engine=None, profile="exact")
    assert (options.max_words, options.engine, options.profile) == (120, "extractive", "exact")
    with pytest.raises(InputError) as err:
        merge_options(settings, max_words=3)
    assert err.value.field == "max_words" and not isinstance(err.value, InvalidSettings)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        # Not a number at all, a number SummaryOptions refuses, and one the settings refuse.
        ("NEWSBRIEF_MAX_WORDS", "many", "NEWSBRIEF_MAX_WORDS: must be a valid integer, unable to parse"),
        ("NEWSBRIEF_MAX_WORDS", "5", "NEWSBRIEF_MAX_WORDS: must be greater than or equal to 10, not '5'"),
        ("NEWSBRIEF_BUDGET_TOKENS", "8", "NEWSBRIEF_BUDGET_TOKENS: must be greater than or equal to 32, not '8'"),
        ("NEWSBRIEF_NO_REPEAT_NGRAM_SIZE", "-1", "NEWSBRIEF_NO_REPEAT_NGRAM_SIZE: must be greater than or equal to 0"),
        ("NEWSBRIEF_ENGINE", "fast", "NEWSBRIEF_ENGINE: must be 'auto', 'abstractive' or 'extractive', not 'fast'"),
        ("NEWSBRIEF_PROFILE", "turbo", "NEWSBRIEF_PROFILE: must be 'default', 'fast' or 'exact', not 'turbo'"),
        ("NEWSBRIEF_KEEP_UNSUPPORTED", "maybe", "NEWSBRIEF_KEEP_UNSUPPORTED: must be a valid boolean"),
        ("NEWSBRIEF_MAX_ARTICLE_BYTES", "0", "NEWSBRIEF_MAX_ARTICLE_BYTES: must be greater than 0, not '0'"),
        ("NEWSBRIEF_TORCH_THREADS", "many", "NEWSBRIEF_TORCH_THREADS: must be a valid integer"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSettings) as err:
        Settings.load()
    assert err.value.message.startswith(message)
    assert "\n" not in err.value.message
    assert err.value.field == variable.removeprefix("NEWSBRIEF_").lower()


def test_every_bad_value_is_named_on_one_line(monkeypatch):
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "many")
    monkeypatch.setenv("NEWSBRIEF_TORCH_THREADS", "0")
    with pytest.raises(InvalidSettings) as err:
        Settings.load()
    assert err.value.message == (
        "NEWSBRIEF_MAX_WORDS: must be a valid integer, unable to parse string as an integer, not 'many'; "
        "NEWSBRIEF_TORCH_THREADS: must be greater than 0, not '0'"
    )


def test_the_article_size_limit_is_read_when_articles_are(monkeypatch, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Floods hit the north\nTwelve people died when the river rose on Monday.\n")
    assert len(read_articles([article])[0]) == 1
    monkeypatch.setenv("NEWSBRIEF_MAX_ARTICLE_BYTES", "10")
    with pytest.raises(InputError, match="over the 0.0 MB limit for an article file"):
        read_articles([article])
    assert len(read_articles([article], max_bytes=1000)[0]) == 1  # an explicit limit wins


def test_the_command_line_takes_its_defaults_from_the_settings(monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "extractive")
    monkeypatch.setenv("NEWSBRIEF_PROFILE", "fast")
    assert main(["summarize", str(SEEDS), "--json"]) == 0
    captured = capsys.readouterr()
    briefing = json.loads(captured.out)
    # Chosen, not fallen back to: auto would have tried the model and said so.
    assert briefing["engine"] == "extractive" and "used the extractive engine" not in captured.err
    assert briefing["profile"] == "fast"
    assert main(["summarize", str(SEEDS), "--json", "--profile", "exact"]) == 0
    assert json.loads(capsys.readouterr().out)["profile"] == "exact"


def test_the_command_line_reports_a_bad_setting_in_one_line(monkeypatch, capsys):
    monkeypatch.setenv("NEWSBRIEF_MAX_ARTICLE_BYTES", "lots")
    assert main(["summarize", str(SEEDS)]) == 2
    assert capsys.readouterr().err == (
        "newsbrief: error: NEWSBRIEF_MAX_ARTICLE_BYTES: must be a valid integer, "
        "unable to parse string as an integer, not 'lots'\n"
    )
