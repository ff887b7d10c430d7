"""Writing a build's files: the deck here and the lock in a side job, both or neither, errors on one line."""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

import qa2anki.build
from qa2anki.build import Options, analyse, build
from qa2anki.errors import Qa2AnkiError
from qa2anki.lockfile import Lock
from qa2anki.sidejob import side_job, side_process
from qa2anki.workers import START_METHOD
from tests.conftest import RunCli
from tests.test_bad_input import DECK, GOOD, LOCK, assert_fails, build_good, snapshot

EDITED = GOOD.replace("它限制了模型的复杂度。", "它限制了模型的复杂度，让模型更平滑。")


def _leftovers(project: Path) -> list[str]:
    """Staged files (``.name.….tmp``) anywhere in the project."""
    return sorted(p.relative_to(project).as_posix() for p in project.rglob(".*.tmp"))


def test_side_job_runs_beside_the_block_and_is_done_on_leaving(tmp_path: Path) -> None:
    """The work runs while the block runs here, and has finished when the block is left."""
    started, marker = threading.Event(), tmp_path / "done"

    def work() -> None:
        started.set()
        time.sleep(0.2)
        marker.write_text("done")

    with side_job(work, "writing the marker"):
        assert started.wait(10)
    assert marker.read_text() == "done"


@pytest.mark.parametrize("beside", [side_job, side_process])
def test_side_job_error_is_raised_on_leaving(beside: Callable[..., AbstractContextManager[object]]) -> None:
    """What the work raises (in a thread, or pickled across from a process) is raised here when the block
    is left, with its one-line message and its file."""

    def work() -> None:
        raise Qa2AnkiError("cannot write the lock: No space left on device", "source/qa2anki.lock")

    with pytest.raises(Qa2AnkiError) as caught, beside(work, "writing the lock"):
        pass
    assert str(caught.value) == "source/qa2anki.lock: cannot write the lock: No space left on device"


def test_failing_block_waits_for_the_work_and_raises_its_own_error(tmp_path: Path) -> None:
    """When the block fails, the work is still waited for (it may be writing a file the caller then
    deletes), and the block's error is the one raised."""
    marker = tmp_path / "done"

    def work() -> None:
        time.sleep(0.2)
        marker.write_text("done")
        raise Qa2AnkiError("the side job failed too")

    with pytest.raises(RuntimeError, match="the deck failed"), side_job(work, "writing"):
        raise RuntimeError("the deck failed")
    assert marker.read_text() == "done"


def test_deck_that_cannot_be_put_in_place_leaves_the_lock_as_it_was(project: Path, run_cli: RunCli) -> None:
    """A deck that cannot be written (its path is a folder) is one error line naming it; the lock, which
    the build would have changed, is not written either, and no staged file is left behind."""
    build_good(project, run_cli)
    (project / DECK).unlink()
    (project / DECK).mkdir()
    (project / "source" / "good.md").write_text(EDITED, encoding="utf-8")
    before = snapshot(project)
    assert_fails(run_cli("build"), DECK, "cannot write the deck")
    assert snapshot(project) == before
    assert _leftovers(project) == []


def test_lock_that_cannot_be_written_leaves_the_deck_as_it_was(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock the side job cannot write (the disk is full) is one error line naming the lock; the deck is
    not replaced either, and no staged file is left behind."""
    build_good(project, run_cli)
    (project / "source" / "good.md").write_text(EDITED, encoding="utf-8")
    before = snapshot(project)

    def disk_full(lock: object) -> object:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(qa2anki.build, "lock_bytes", disk_full)
    assert_fails(run_cli("build"), LOCK, "cannot write the lock: No space left on device")
    assert snapshot(project) == before
    assert _leftovers(project) == []


def test_output_folder_that_is_a_file_is_one_error_line(project: Path, run_cli: RunCli) -> None:
    """An output whose folder is a file is one error line naming the folder; nothing is written."""
    before = build_good(project, run_cli)
    (project / "taken").write_text("not a folder\n")
    result = run_cli("build", "-o", "taken/deck.apkg")
    assert_fails(result, "taken", "cannot write")
    assert {k: v for k, v in snapshot(project).items() if k != "taken"} == before


def test_the_scan_cache_is_saved_by_a_build(project: Path) -> None:
    """A build saves what it parsed (beside writing the deck): the next look at the same sources parses
    nothing again, after a first build and after an edit."""
    source = project / "source" / "good.md"
    source.write_text(GOOD, encoding="utf-8")
    options = Options(cwd=project, now=1_700_000_000)
    assert build(options).reuse.scanned == 2
    assert analyse(options).scan.scanned == 0
    source.write_text(EDITED, encoding="utf-8")
    assert build(options).reuse.scanned == 1
    assert analyse(options).scan.scanned == 0


def test_a_build_that_stops_still_saves_its_scan(project: Path) -> None:
    """A build that stops (here: ``--locked`` and the lock would change) still saves what it parsed."""
    source = project / "source" / "good.md"
    source.write_text(GOOD, encoding="utf-8")
    build(Options(cwd=project, now=1_700_000_000))
    source.write_text(EDITED, encoding="utf-8")
    with pytest.raises(Qa2AnkiError, match="the lock would change"):
        build(Options(cwd=project, now=1_700_000_000, locked=True))
    assert analyse(Options(cwd=project, now=1_700_000_000)).scan.scanned == 0


def test_a_carried_build_writes_its_lock_in_a_process_of_its_own(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that carries its notes over writes the lock (and caches) beside the deck in a forked process
    where processes fork, in a thread elsewhere. (tests/test_carry.py checks its files against a full
    build's.)"""
    source = project / "source" / "good.md"
    source.write_text(GOOD, encoding="utf-8")
    options = Options(cwd=project, now=1_700_000_000)
    build(options)
    source.write_text(EDITED, encoding="utf-8")
    writers = project / "writers"
    real = qa2anki.build.lock_bytes

    def recorded(lock: Lock) -> Iterator[bytes]:
        with writers.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(lock)

    monkeypatch.setattr(qa2anki.build, "lock_bytes", recorded)
    assert build(options).reuse.carried > 0
    pids = {int(pid) for pid in writers.read_text().split()}
    assert len(pids) == 1
    assert (os.getpid() not in pids) == (START_METHOD == "fork")
