"""The options model (summarizer/options.py): each option declared once, the command line's flags
and the settings derived from it, and one merge with one order of precedence."""

import argparse
from typing import get_args

import pytest

from summarizer import InputError, SummaryOptions, merge_options
from summarizer.cli import add_summary_options
from summarizer.options import OPTION_NAMES, PROFILES, ProfileName
from summarizer.settings import Settings


@pytest.fixture
def settings(monkeypatch):
    """Settings whose briefing defaults differ from the model's in max_words and engine."""
    monkeypatch.setenv("NEWSBRIEF_MAX_WORDS", "80")
    monkeypatch.setenv("NEWSBRIEF_ENGINE", "extractive")
    return Settings.load()


def test_explicit_values_win_over_the_settings_which_win_over_the_model(settings):
    options = merge_options(settings, max_words=120, profile=None)
    assert (options.max_words, options.engine, options.profile) == (120, "extractive", "default")
    # Without settings, the model's defaults; None is "not given", never a value.
    assert merge_options(None, engine=None) == SummaryOptions()
    assert merge_options(settings) == SummaryOptions(max_words=80, engine="extractive")


def test_a_bad_value_is_an_input_error_naming_its_field(settings):
    with pytest.raises(InputError) as err:
        merge_options(settings, budget_tokens=8)
    assert err.value.field == "budget_tokens"
    assert err.value.message == "budget_tokens must be greater than or equal to 32, not 8"
    with pytest.raises(InputError) as err:
        SummaryOptions(max_word=100)  # a misspelt option is refused, not ignored
    assert err.value.field == "max_word"


def test_options_are_frozen():
    with pytest.raises(Exception, match="frozen"):
        SummaryOptions().max_words = 10  # type: ignore[misc]


def test_the_profile_names_are_the_profiles():
    assert get_args(ProfileName) == tuple(PROFILES)


def test_every_option_is_a_command_line_flag_with_its_description_as_help():
    parser = argparse.ArgumentParser()
    add_summary_options(parser)
    flags = {action.dest: action for action in parser._actions if action.dest != "help"}
    assert tuple(flags) == OPTION_NAMES
    for name, field in SummaryOptions.model_fields.items():
        assert flags[name].option_strings[0] == "--" + name.replace("_", "-")
        assert field.description and flags[name].help.startswith(field.description), name
        assert f"NEWSBRIEF_{name.upper()}" in flags[name].help
    # Unset flags are None (the settings' defaults hold); given ones are checked and typed by the model.
    assert vars(parser.parse_args([])) == dict.fromkeys(OPTION_NAMES)
    given = parser.parse_args(["--max-words", "90", "--no-keep-unsupported", "--profile", "fast"])
    assert (given.max_words, given.keep_unsupported, given.profile) == (90, False, "fast")
