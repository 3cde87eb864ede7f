"""The browser the browser tier drives: Debian's chromium (NEWSBRIEF_TEST_CHROMIUM, else
/usr/bin/chromium), through Playwright's `executable_path`: Playwright's own download cannot work
offline. Without it the tests fail, saying how to install it: a page nobody looked at is not tested."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

DEFAULT_CHROMIUM = "/usr/bin/chromium"


def chromium_path(environ: Mapping[str, str] = os.environ) -> str:
    path = environ.get("NEWSBRIEF_TEST_CHROMIUM") or DEFAULT_CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"no chromium at {path}: the browser tests drive Debian's chromium. Install it with "
            "`apt-get install chromium` (or `bash .ci/install-chromium`), or set NEWSBRIEF_TEST_CHROMIUM "
            "to a Chromium executable",
            pytrace=False,
        )
    return path
