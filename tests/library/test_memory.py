"""A serving process gives the memory a generation freed back (generation/memory.py): glibc keeps
freed heap memory otherwise, and the process's resident size would stay at its peak."""

import ctypes
from pathlib import Path

import pytest
from helpers.fakes import FakeGenerator
from helpers.paths import SEEDS

from summarizer import SummaryOptions, summarize
from summarizer.generation import memory
from summarizer.inputs import read_articles
from summarizer.pipeline import summarize_many

GLIBC = memory._malloc_trim() is not None
M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter (malloc.h)
DEFAULT_TRIM_THRESHOLD = 128 * 1024


def resident_anonymous_kib() -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("RssAnon:")).split()[1])


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's; other C libraries have none")
def test_freed_heap_memory_goes_back_to_the_system():
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    # free() itself gives back a heap top over M_TRIM_THRESHOLD: after other tests the small blocks
    # may fill old holes, leaving the large ones together at the top, and free() would hand them
    # back before the trim under test. Held off for this test; glibc's default (128 KiB) after.
    assert libc.mallopt(M_TRIM_THRESHOLD, 1 << 30)
    # 64 MiB in 64 KiB blocks (below glibc's mmap threshold: they come from the heap), each followed
    # by a small block that stays: freed, the large ones are holes that cannot merge into the heap's
    # top, as a generation's temporaries between the objects that outlive a briefing.
    blocks, pins = [], []
    for _ in range(1024):
        blocks.append(libc.malloc(64 * 1024))
        pins.append(libc.malloc(1024))
    assert all(blocks) and all(pins)
    for block in blocks:
        ctypes.memset(block, 1, 64 * 1024)  # touched: resident
    try:
        for block in blocks:
            libc.free(block)
        held = resident_anonymous_kib()
        assert memory.return_freed_memory()
        assert held - resident_anonymous_kib() > 32 * 1024  # most of the 64 MiB given back
    finally:
        for pin in pins:
            libc.free(pin)
        libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)


def test_a_briefing_by_a_model_gives_freed_memory_back(monkeypatch):
    seed_articles = read_articles([SEEDS])[0]
    calls = []
    monkeypatch.setattr("summarizer.pipeline.return_freed_memory", lambda: calls.append(1) or True)
    # Output that attribution drops (no source supports it): the model still ran, so it still counts.
    generator = FakeGenerator("Zebras painted the moon purple on Tuesday.")
    summarize(seed_articles, SummaryOptions(engine="abstractive"), generator=generator)
    assert len(generator.inputs) == 1 and len(calls) == 1
    summarize_many([seed_articles, seed_articles], SummaryOptions(engine="abstractive"), generator=generator)
    assert len(calls) == 3  # once per briefing of the batch
    summarize(seed_articles, SummaryOptions(engine="extractive"))
    assert len(calls) == 3  # no model, no generation's temporaries
