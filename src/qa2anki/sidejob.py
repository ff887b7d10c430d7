"""A piece of work done in a thread beside the caller's: a build's lock (and caches) are written while
its deck is made. The deck's SQLite and deflate work let go of the interpreter, so the two overlap.

(A forked process overlapped them a little better, but duplicated every memory page either side touched
while both ran: a third of a gigabyte at 100,000 entries.)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class SideJob:
    """Work running in a thread; :meth:`join` waits for it and raises its exception here."""

    def __init__(self, work: Callable[[], None], what: str) -> None:
        self.what = what
        """What the work is, for the thread's name."""
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name=what, daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:
            self._error = exc

    def wait(self) -> None:
        """Wait for the work to end, whatever becomes of it."""
        self._thread.join()

    def join(self) -> None:
        """Wait for the work; whatever it raised is raised here."""
        self.wait()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


@contextlib.contextmanager
def side_job(work: Callable[[], None], what: str) -> Iterator[SideJob]:
    """``work`` runs in a thread while the ``with`` block runs here; leaving the block waits for it and
    raises its exception. If the block fails, the work is still waited for (it may be writing a file the
    caller will delete), and the block's exception is the one raised."""
    job = SideJob(work, what)
    try:
        yield job
    except BaseException:
        job.wait()
        raise
    job.join()
