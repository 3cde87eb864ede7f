"""Hand the memory a generation freed back to the operating system, so that a serving process's
resident size comes back to what it holds between briefings.

A generation allocates large temporaries (the encoder's activations over a 1024-token input, the
cross-attention keys and values of every beam, the self-attention cache grown one token at a
time) and frees them. glibc's malloc keeps most of that memory: after a free of a block it had
mapped on its own it raises its threshold for mapping blocks directly (up to 32 MiB), so the next
such temporaries come from its heaps, and it returns a heap's memory only from the top, which the
objects that outlive a briefing keep occupied. distilbart-cnn-12-6 with the default profile
held ~150 MiB more after each briefing than before it, memory nothing used until the next one.
`malloc_trim(0)` returns every free page of every heap (madvise, so the heaps stay usable): a
couple of milliseconds after a briefing, and the heaps are filled again by the next one as fast.
Mapping every large block directly instead (a fixed, low mmap threshold) would give it back at
each free, but costs fresh zeroed pages for every step's allocations.
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _malloc_trim():
    """glibc's malloc_trim; None under another C library (musl, macOS), which has none."""
    return getattr(ctypes.CDLL(None), "malloc_trim", None)


def return_freed_memory() -> bool:
    """Return the C heap's free pages to the operating system; False where the C library cannot."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
