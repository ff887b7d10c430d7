"""Side jobs: work in a thread (or a forked process) beside a ``with`` block, waited for when the block
ends, its exception raised there; the block's own exception wins.

The threads meet through events with timeouts, so a broken side job fails a test instead of hanging it.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import qa2anki.sidejob
from qa2anki.errors import Qa2AnkiError
from qa2anki.sidejob import SideJob, side_job, side_process
from qa2anki.workers import START_METHOD

_TIMEOUT = 5.0
_FORKS = pytest.mark.skipif(START_METHOD != "fork", reason="processes are spawned here, not forked")


def test_work_runs_beside_the_block() -> None:
    """The work and the block wait for each other: only concurrent code gets past both waits."""
    started, answered = threading.Event(), threading.Event()
    seen: list[bool] = []

    def work() -> None:
        started.set()
        seen.append(answered.wait(_TIMEOUT))

    with side_job(work, "lock writer"):
        assert started.wait(_TIMEOUT)
        answered.set()
    assert seen == [True]


def test_leaving_the_block_waits_for_the_work() -> None:
    done: list[str] = []

    def work() -> None:
        time.sleep(0.05)
        done.append("written")

    with side_job(work, "lock writer"):
        pass
    assert done == ["written"]


def test_the_thread_is_named_after_the_work() -> None:
    names: list[str] = []
    with side_job(lambda: names.append(threading.current_thread().name), "lock writer") as job:
        assert job.what == "lock writer"
    assert names == ["lock writer"]


def test_the_works_exception_is_raised_when_the_block_ends() -> None:
    """The work fails at once, yet the block runs to its end; only leaving it raises the work's error."""
    error = ValueError("cannot write the lock")

    def work() -> None:
        raise error

    finished: list[bool] = []
    with pytest.raises(ValueError) as caught, side_job(work, "lock writer") as job:
        job.wait()
        finished.append(True)
    assert caught.value is error
    assert finished == [True]


def test_the_blocks_exception_wins_and_the_work_is_still_waited_for() -> None:
    """The block fails while the work is running: the block's error is raised, but only once the work
    (which may be writing a file the caller will delete) has ended; the work's own error is not raised."""
    release = threading.Event()
    ended: list[bool] = []

    def work() -> None:
        release.wait(_TIMEOUT)
        time.sleep(0.05)
        ended.append(True)
        raise ValueError("the work's error")

    with pytest.raises(KeyError), side_job(work, "lock writer"):
        release.set()
        raise KeyError("the block's error")
    assert ended == [True]


def test_an_interrupt_in_the_block_still_waits_for_the_work() -> None:
    ended: list[bool] = []

    def work() -> None:
        time.sleep(0.05)
        ended.append(True)

    with pytest.raises(KeyboardInterrupt), side_job(work, "lock writer"):
        raise KeyboardInterrupt
    assert ended == [True]


def test_join_raises_the_works_exception_once() -> None:
    """Whatever the work raised (an interrupt too) comes out of join, the first time only."""
    error = KeyboardInterrupt()

    def work() -> None:
        raise error

    job = SideJob(work, "cache writer")
    with pytest.raises(KeyboardInterrupt) as caught:
        job.join()
    assert caught.value is error
    job.join()


def test_wait_never_raises() -> None:
    def work() -> None:
        raise ValueError("failed")

    job = SideJob(work, "cache writer")
    job.wait()
    job.wait()
    with pytest.raises(ValueError, match="failed"):
        job.join()


def test_join_after_successful_work_returns() -> None:
    done: list[bool] = []
    job = SideJob(lambda: done.append(True), "cache writer")
    job.join()
    assert done == [True]


@_FORKS
def test_side_process_runs_the_work_in_a_process_of_its_own(tmp_path: Path) -> None:
    """Where processes fork, the work runs in another process: its files are there when the block is
    left, and what it changed in memory is not."""
    marker, changed = tmp_path / "pid", []

    def work() -> None:
        changed.append("in the child")
        marker.write_text(str(os.getpid()))

    with side_process(work, "writing the lock"):
        pass
    assert int(marker.read_text()) != os.getpid()
    assert changed == []


def test_side_process_the_block_error_wins_and_the_process_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "written"

    def work() -> None:
        time.sleep(0.05)
        marker.write_text("done")

    with pytest.raises(RuntimeError, match="the deck failed"), side_process(work, "writing the lock"):
        raise RuntimeError("the deck failed")
    assert marker.read_text() == "done"


@_FORKS
def test_a_side_process_that_dies_is_an_error_naming_its_work() -> None:
    """A process that ends without raising (killed, or an exit of its own) is one error line."""
    stopped = r"writing the lock stopped unexpectedly \(exit status 3\)"
    with pytest.raises(Qa2AnkiError, match=stopped), side_process(lambda: os._exit(3), "writing the lock"):
        pass


def test_side_process_is_a_thread_where_processes_are_spawned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows spawn processes (a spawned one would not have the caller's data): the work runs
    in a thread there."""
    monkeypatch.setattr(qa2anki.sidejob, "START_METHOD", "spawn")
    marker = tmp_path / "pid"
    with side_process(lambda: marker.write_text(str(os.getpid())), "writing the lock"):
        pass
    assert int(marker.read_text()) == os.getpid()
