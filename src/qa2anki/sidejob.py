"""A piece of work done in a forked child process while this process does another: the last steps of a
build (deck here, lock and caches there) on two cores. The child shares this process's memory as it was
at the fork (nothing is copied or pickled) and reports only whether it succeeded.

Where there is no ``fork``, the work is done here, before the caller's own.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterator

from qa2anki.errors import Qa2AnkiError

_MESSAGE_LIMIT = 4096
"""Bytes of a child's error message passed back (one line is far shorter)."""


class SideJob:
    """Work running in a child process; :meth:`join` waits for it and raises its error here."""

    def __init__(self, work: Callable[[], None], what: str) -> None:
        self._what = what
        self._pid: int | None = None
        self._pipe: int | None = None
        if not hasattr(os, "fork"):
            work()
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(work, read, write)
        os.close(write)
        self._pid, self._pipe = pid, read

    def join(self) -> None:
        """Wait for the child; its failure becomes a :class:`Qa2AnkiError` with its one-line message."""
        if self._pid is None or self._pipe is None:
            return
        message = bytearray()
        with open(self._pipe, "rb", closefd=True) as pipe:
            self._pipe = None
            while chunk := pipe.read(_MESSAGE_LIMIT):
                message += chunk
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            raise Qa2AnkiError(f"{self._what} was stopped by signal {signal.Signals(number).name}")
        if os.waitstatus_to_exitcode(status) != 0:
            text = message.decode("utf-8", "replace").strip() or "failed"
            raise Qa2AnkiError(text)

    def abandon(self) -> None:
        """Stop the child (this process is failing anyway) and reap it."""
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        self._pid = None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None


def _child(work: Callable[[], None], read: int, write: int) -> None:
    """The child's whole life: do the work, say what went wrong, and leave without running anything of the
    parent's (no ``finally`` blocks up the stack, no exit handlers, no buffered output flushed twice)."""
    code, message = 1, ""
    try:
        os.close(read)
        # Ctrl-C goes to the whole process group: the parent reports it; the child just ends.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        work()
        code = 0
    except Qa2AnkiError as exc:
        message = str(exc)
    except BaseException as exc:
        message = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(BaseException):
            os.write(write, message.encode("utf-8", "replace")[:_MESSAGE_LIMIT])
        os._exit(code)


@contextlib.contextmanager
def side_job(work: Callable[[], None], what: str) -> Iterator[SideJob]:
    """``work`` runs in a child while the ``with`` block runs here; leaving the block waits for it and
    raises its error. If the block fails, the child is stopped and its outcome ignored."""
    job = SideJob(work, what)
    try:
        yield job
    except BaseException:
        job.abandon()
        raise
    job.join()
