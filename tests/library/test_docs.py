"""The documentation says what the code is: every setting in the configuration tables (with its
literal default), and every module in the module map."""

import re

from helpers.paths import ROOT
from pydantic_core import PydanticUndefined

from service.settings import ServiceSettings
from summarizer import SummaryOptions
from summarizer.settings import variable_name

CONFIGURATION = ROOT / "docs" / "guide" / "configuration.md"
HOW_IT_WORKS = ROOT / "docs" / "how-it-works.md"
# A table row: | `NEWSBRIEF_NAME` | default | meaning |
SETTING_ROW = re.compile(r"^\| `(NEWSBRIEF_[A-Z0-9_]+)` \| ([^|]*) \|", re.M)
# The same row's name and meaning.
SETTING_MEANING = re.compile(r"^\| `(NEWSBRIEF_[A-Z0-9_]+)` \| [^|]* \| ([^|\n]*) \|$", re.M)
MODULE_ROW = re.compile(r"^\| `([a-z_/]+(?:\.py|/))` \|", re.M)
# The packages the map describes module by module.
MAPPED_PACKAGES = ("summarizer", "service")


def documented_settings() -> dict[str, str]:
    rows = SETTING_ROW.findall(CONFIGURATION.read_text())
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), f"documented twice: {sorted({n for n in names if names.count(n) > 1})}"
    return {name: default.strip() for name, default in rows}


def literal(value: object) -> str | None:
    """How the table writes a default that is a plain value; None for the others (described in words)."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    if isinstance(value, int | float | str):
        return f"`{value}`"
    return None


def test_every_setting_is_documented_once_and_nothing_else():
    documented = documented_settings()
    settings = {variable_name(name): field for name, field in ServiceSettings.model_fields.items()}

    assert sorted(set(settings) - set(documented)) == [], f"settings missing from {CONFIGURATION.name}"
    assert sorted(set(documented) - set(settings)) == [], f"{CONFIGURATION.name} documents settings that do not exist"


def test_documented_defaults_are_the_settings_defaults():
    documented = documented_settings()
    checked = 0
    for name, field in ServiceSettings.model_fields.items():
        assert field.default is not PydanticUndefined, name
        expected = literal(field.default)
        if expected is not None:
            assert documented[variable_name(name)] == expected, variable_name(name)
            checked += 1
    # Most defaults are plain values: the check must not pass by skipping them all.
    assert checked >= 30


def test_the_briefing_options_mean_what_the_options_model_says():
    """The options' meanings are the model's descriptions, which are the command line's help and
    the REST schema's too."""
    rows = dict(SETTING_MEANING.findall(CONFIGURATION.read_text()))
    for name, field in SummaryOptions.model_fields.items():
        assert field.description and rows[variable_name(name)].startswith(field.description), name


def mapped_paths() -> set[str]:
    return set(MODULE_ROW.findall(HOW_IT_WORKS.read_text()))


def test_every_mapped_path_exists():
    paths = mapped_paths()
    assert len(paths) > 50
    assert sorted(path for path in paths if not (ROOT / path).exists()) == []


def test_every_module_is_in_the_module_map():
    paths = mapped_paths()
    folders = {path for path in paths if path.endswith("/")}
    unmapped = []
    for package in MAPPED_PACKAGES:
        for module in sorted((ROOT / package).rglob("*.py")):
            relative = module.relative_to(ROOT).as_posix()
            # A folder row stands for everything under it.
            if relative in paths or any(relative.startswith(folder) for folder in folders):
                continue
            unmapped.append(relative)
    assert unmapped == [], "modules missing from the module map in docs/how-it-works.md"
