"""Writing a build's files: the deck here and the lock in a side job, both or neither, errors on one line."""

from __future__ import annotations

import errno
import os
import signal
import time
from pathlib import Path

import pytest

import qa2anki.build
from qa2anki.build import Options, analyse, build
from qa2anki.errors import Qa2AnkiError
from qa2anki.lockfile import lock_from_records, lock_records, parse_lock, read_lock
from qa2anki.sidejob import side_job
from tests.conftest import RunCli
from tests.test_bad_input import DECK, GOOD, LOCK, assert_fails, build_good, snapshot
from tests.test_lockfile import LOCK as SAMPLE

EDITED = GOOD.replace("它限制了模型的复杂度。", "它限制了模型的复杂度，让模型更平滑。")


def _leftovers(project: Path) -> list[str]:
    """Staged files (``.name.….tmp``) anywhere in the project."""
    return sorted(p.relative_to(project).as_posix() for p in project.rglob(".*.tmp"))


def test_side_job_runs_in_another_process_and_is_done_on_leaving(tmp_path: Path) -> None:
    """The work runs in a child process while the block runs here, and has finished when the block is left."""
    marker = tmp_path / "pid"

    def work() -> None:
        time.sleep(0.2)
        marker.write_text(str(os.getpid()))

    with side_job(work, "writing the marker"):
        pass
    assert int(marker.read_text()) != os.getpid()


def test_side_job_domain_error_is_raised_here_on_one_line() -> None:
    """A domain error in the child is raised here with the same one-line message."""

    def work() -> None:
        raise Qa2AnkiError("cannot write the lock: No space left on device", "source/qa2anki.lock")

    with pytest.raises(Qa2AnkiError) as caught, side_job(work, "writing the lock"):
        pass
    assert str(caught.value) == "source/qa2anki.lock: cannot write the lock: No space left on device"


def test_side_job_bug_is_reported_by_its_type() -> None:
    """Any other exception in the child is reported by type and message, never lost."""

    def work() -> None:
        _ = 1 // 0

    bug = r"^ZeroDivisionError: integer division or modulo by zero$"
    with pytest.raises(Qa2AnkiError, match=bug), side_job(work, "writing the lock"):
        pass


def test_side_job_killed_by_a_signal_is_an_error() -> None:
    """A child that dies of a signal (say, the out-of-memory killer) is an error naming the job."""

    def work() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    killed = r"^writing the lock was stopped by signal SIGKILL$"
    with pytest.raises(Qa2AnkiError, match=killed), side_job(work, "writing the lock"):
        pass


def test_failing_block_stops_and_reaps_the_child(tmp_path: Path) -> None:
    """When the block here fails, the child is stopped and reaped, and the block's error propagates."""
    marker = tmp_path / "pid"

    def work() -> None:
        marker.write_text(str(os.getpid()))
        time.sleep(600)

    with pytest.raises(RuntimeError, match="the deck failed"), side_job(work, "sleeping"):
        while not marker.exists() or not marker.read_text():
            time.sleep(0.01)
        raise RuntimeError("the deck failed")
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


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
    assert build(options).analysis.scan.scanned == 2
    assert analyse(options).scan.scanned == 0
    source.write_text(EDITED, encoding="utf-8")
    assert build(options).analysis.scan.scanned == 1
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


def test_the_parsed_lock_is_cached_by_its_bytes(project: Path, run_cli: RunCli) -> None:
    """A build caches the lock it wrote as parsed; the next build reads that instead of parsing, and gets
    exactly the lock parsing gives; a lock edited by hand is parsed again (the cache is keyed by bytes)."""
    build_good(project, run_cli)
    lock_path, cache = project / LOCK, project / "build" / ".qa2anki-cache"
    first, digest, cached = qa2anki.build._read_lock(lock_path, LOCK, cache)
    assert cached and digest is not None
    assert first == parse_lock(lock_path.read_bytes(), LOCK) == read_lock(lock_path, LOCK)

    edited = lock_path.read_text(encoding="utf-8").replace('"mod": 1700000000', '"mod": 1700000001', 1)
    lock_path.write_text(edited, encoding="utf-8")
    lock, _, cached = qa2anki.build._read_lock(lock_path, LOCK, cache)
    assert not cached
    assert lock == parse_lock(edited.encode(), LOCK) != first


def test_lock_records_round_trip_and_refuse_other_shapes() -> None:
    """Lock records give back the same lock; records of any other shape give ``None``, not an error."""
    records = lock_records(SAMPLE)
    assert lock_from_records(records) == SAMPLE
    notetype, notes = records
    for bad in [
        None,
        (),
        (notetype,),
        (notetype, [*notes]),
        (notetype, (notes[0][:7],)),
        (notetype, ((*notes[0][:4], ("topic", 1), *notes[0][5:]),)),
        (notetype, ((*notes[0][:6], True, notes[0][7]),)),
        ((1, ("Question",), ("Card 1",), "fp"), notes),
        ((1, ("Question", 2), ("Card 1",), "fp", 1), notes),
    ]:
        assert lock_from_records(bad) is None, bad
