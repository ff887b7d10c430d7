"""Worker processes for the two steps that use every core: scanning sections and comparing topics.

Linux forks them: a forked worker shares the build's memory until either side writes a page, so jobs
pickled before the fork cost no copy. Elsewhere (macOS, Windows) they are spawned, which starts each one
afresh and imports qa2anki again: the jobs and their functions are plain picklable data and top-level
functions for that reason, and the ``qa2anki`` entry points guard their main code.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

from qa2anki import i18n

START_METHOD = "fork" if sys.platform == "linux" else "spawn"
"""How workers start here (tests set ``spawn`` to run the other platforms' way)."""


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started the way this platform starts them safely, speaking the
    language of this one (a spawned worker starts in English)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=i18n.use,
        initargs=(i18n.language(),),
    )
