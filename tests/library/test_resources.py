"""The NLTK data shipped in the package: read whatever its file modes (NLTK 3.10 refuses data
that is group- or world-writable, as `pip install -e .` leaves a checkout under umask 002),
one clear line when it is missing, and the same punkt model NLTK's own loader reads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nltk.data
from helpers.paths import ROOT, SEEDS
from nltk.tokenize.punkt import PunktTokenizer

from summarizer import resources

# Runs the CLI with the package's NLTK data folder replaced by argv[1] (a fresh process: the
# loaders cache what they read).
CLI_WITH_DATA_AT = """
import sys
from pathlib import Path
import summarizer.resources
summarizer.resources.NLTK_DATA_DIR = Path(sys.argv[1])
from summarizer.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run_cli_with_data_at(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CLI_WITH_DATA_AT, str(folder), *argv],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


def copy_of_the_data(destination: Path, dir_mode: int, file_mode: int) -> Path:
    shutil.copytree(resources.NLTK_DATA_DIR, destination)
    for path in [destination, *destination.rglob("*")]:
        path.chmod(dir_mode if path.is_dir() else file_mode)
    return destination


def test_group_and_world_writable_data_is_read(tmp_path):
    data = copy_of_the_data(tmp_path / "nltk_data", dir_mode=0o777, file_mode=0o666)
    result = run_cli_with_data_at(data, "summarize", str(SEEDS), "--engine", "extractive")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "\n\nSources:\n[1] " in result.stdout


def test_missing_data_fails_with_one_clear_line(tmp_path):
    result = run_cli_with_data_at(tmp_path / "nowhere", "summarize", str(SEEDS), "--engine", "extractive")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    # Whichever shipped file is read first (stop words or punkt's), the line names it.
    assert line.startswith(f"newsbrief: error: cannot read {tmp_path / 'nowhere'}/")
    assert line.endswith("the NLTK data shipped with newsbrief is missing or damaged; reinstall the package")


def test_the_punkt_model_is_the_one_nltk_reads(tmp_path):
    """Read directly, the parameters are those NLTK's checked loader reads from a private copy."""
    data = copy_of_the_data(tmp_path / "nltk_data", dir_mode=0o700, file_mode=0o600)
    nltk.data.path.insert(0, str(data))
    try:
        by_nltk = PunktTokenizer("english")._params
    finally:
        nltk.data.path.remove(str(data))
    ours = resources.punkt_parameters.__wrapped__()  # a fresh read: tokenizing adds zeros to ortho_context
    # Ours adds the titles before a name that the English model lacks ("Sgt.", "Gov.").
    assert ours.abbrev_types == by_nltk.abbrev_types | resources.TITLE_ABBREVIATIONS
    assert ours.collocations == by_nltk.collocations
    assert ours.sent_starters == by_nltk.sent_starters and ours.ortho_context == by_nltk.ortho_context
    assert len(ours.abbrev_types) > 100


def test_every_language_with_stop_words_ships_its_list_in_the_package():
    stopwords = resources.NLTK_DATA_DIR / "corpora" / "stopwords"
    for code, name in resources.NLTK_LANGUAGES.items():
        assert (stopwords / name).is_file(), code
        assert resources.stop_words(code), code
    # pyproject's package-data globs carry them (and the notices) into a wheel.
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = ROOT / "summarizer"
    shipped = {path for pattern in package_data["summarizer"] for path in package.glob(pattern) if path.is_file()}
    expected = {path for path in resources.NLTK_DATA_DIR.rglob("*") if path.is_file()}
    assert {stopwords / "README", resources.NLTK_DATA_DIR / "NOTICE", resources.NLTK_DATA_DIR / "LICENSE"} <= expected
    assert expected <= shipped
