"""What a serving process does once it has loaded everything, before its first request."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect once, then move every object the process holds into the collector's permanent
    generation (``gc.freeze``): modules, models, URL patterns, translations, compiled
    templates — hundreds of thousands of objects that live as long as the process.

    Python's cyclic collector otherwise walks all of them in every full collection, which
    runs every few hundred requests and stopped a signal's intake for up to 65 ms (the
    slowest of 320 requests took 77 ms with it, 38 ms without; ``bench/signals_bench.py``
    calls this as ``havenbeeld/wsgi.py`` does). What a request makes is collected as
    before. In a server that forks its workers after loading, frozen objects are also never
    written to by the collector, so their memory stays shared between the workers."""
    gc.collect()
    gc.freeze()
