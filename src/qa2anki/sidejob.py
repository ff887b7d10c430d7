"""A piece of work done beside the caller's: a build's lock (and caches) are written while its deck is
made.

In a thread (:func:`side_job`), the deck's SQLite and deflate work let go of the interpreter, so the two
overlap, but their Python halves take turns. In a forked process (:func:`side_process`) nothing takes
turns, but every memory page either side writes while both run is copied: a third of a gigabyte when a
full build's deck was made that way, so only a build that carries its notes over (and holds far less)
writes its lock and caches in a process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import threading
from collections.abc import Callable, Iterator

from qa2anki.errors import Qa2AnkiError
from qa2anki.i18n import gettext as _
from qa2anki.workers import START_METHOD


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


@contextlib.contextmanager
def side_process(work: Callable[[], None], what: str) -> Iterator[None]:
    """:func:`side_job`, with the work in a forked process where processes are forked (see
    :data:`qa2anki.workers.START_METHOD`; elsewhere in a thread). The work must leave its results in
    files: what it changes in memory stays in the process. Its exception is raised here (pickled
    across); a process that dies without one is a :class:`Qa2AnkiError` naming ``what``."""
    if START_METHOD != "fork":
        with side_job(work, what):
            yield
        return
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        os.close(reader)
        status = 0
        try:
            work()
        except BaseException as exc:
            status = 1
            with contextlib.suppress(BaseException), os.fdopen(writer, "wb") as pipe:
                pipe.write(_pickled(exc))
        finally:
            os._exit(status)
    os.close(writer)
    try:
        yield
    except BaseException:
        _reap(pid, reader, what)
        raise
    error = _reap(pid, reader, what)
    if error is not None:
        raise error


def _pickled(exc: BaseException) -> bytes:
    try:
        return pickle.dumps(exc)
    except Exception:
        return pickle.dumps(RuntimeError(repr(exc)))


def _reap(pid: int, reader: int, what: str) -> BaseException | None:
    """Wait for the side process; what it raised, if anything."""
    with os.fdopen(reader, "rb") as pipe:
        payload = pipe.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    if code == 0:
        return None
    if payload:
        with contextlib.suppress(Exception):
            error: BaseException = pickle.loads(payload)
            return error
    message = _("{what} stopped unexpectedly (exit status {status})")
    return Qa2AnkiError(message.format(what=_(what), status=code))
