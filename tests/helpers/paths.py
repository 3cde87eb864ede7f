"""Where the tests find the project's files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds" / "putin-north-korea"
# A configured model that cannot load: abstractive requests for it must get 503.
BROKEN_MODEL = "/nonexistent/newsbrief-model"
