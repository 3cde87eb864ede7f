"""Each test carries the marker of its tier folder (tests/conftest.py), declared in pyproject.toml."""

import tomllib

from helpers.paths import ROOT


def test_a_test_carries_its_folders_marker_only(request):
    markers = {marker.name for marker in request.node.iter_markers()}
    assert "library" in markers
    assert markers.isdisjoint({"service", "integration", "browser"})


def test_every_tier_marker_is_declared():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    names = {line.split(":", 1)[0] for line in declared}
    # Every folder of tests/ but the shared helpers is a tier.
    tier_folders = {
        path.name
        for path in (ROOT / "tests").iterdir()
        if path.is_dir() and path.name not in {"helpers", "__pycache__"}
    }
    assert {"library", "service", "integration", "browser", "slow"} == names
    assert tier_folders == {"library", "service", "integration", "browser"}
