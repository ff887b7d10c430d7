"""Atomic writes: a staged file beside the destination, filled, then renamed over it; a failure on the way
leaves the old file as it was and no temporary file behind."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa2anki.atomic import CommitError, commit, fill, stage, write_atomic


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_stage_makes_an_empty_file_beside_the_destination(tmp_path: Path) -> None:
    """Same folder (so the rename is atomic), a hidden name that says whose it is, nothing written yet."""
    destination = tmp_path / "deck.apkg"
    staged = stage(destination)
    assert staged.parent == tmp_path
    assert staged.name.startswith(".deck.apkg.") and staged.name.endswith(".tmp")
    assert staged.read_bytes() == b""
    assert not destination.exists()


def test_stage_twice_gives_two_files(tmp_path: Path) -> None:
    destination = tmp_path / "deck.apkg"
    assert stage(destination) != stage(destination)
    assert len(list(tmp_path.iterdir())) == 2


def test_stage_makes_the_missing_folders(tmp_path: Path) -> None:
    destination = tmp_path / "a" / "b" / "deck.apkg"
    staged = stage(destination)
    assert staged.parent == destination.parent
    assert staged.is_file()


def test_stage_gives_a_new_file_mode_0644(tmp_path: Path) -> None:
    """0644 whatever the umask (mkstemp alone would make it 0600)."""
    staged = stage(tmp_path / "new.txt")
    assert os.name != "posix" or _mode(staged) == 0o644


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_stage_copies_the_destinations_mode(tmp_path: Path, mode: int) -> None:
    destination = tmp_path / "old.txt"
    destination.write_bytes(b"old")
    destination.chmod(mode)
    staged = stage(destination)
    assert os.name != "posix" or _mode(staged) == mode
    assert destination.read_bytes() == b"old"


def test_fill_writes_bytes(tmp_path: Path) -> None:
    staged = stage(tmp_path / "f")
    fill(staged, b"\x00\xffbytes")
    assert staged.read_bytes() == b"\x00\xffbytes"


def test_fill_writes_pieces_in_order(tmp_path: Path) -> None:
    staged = stage(tmp_path / "f")
    fill(staged, (piece for piece in [b"one ", b"", b"two ", b"three"]))
    assert staged.read_bytes() == b"one two three"


def test_fill_without_durability_writes_the_same(tmp_path: Path) -> None:
    staged = stage(tmp_path / "f")
    fill(staged, [b"a", b"b"], durable=False)
    assert staged.read_bytes() == b"ab"


def test_fill_replaces_what_the_file_held(tmp_path: Path) -> None:
    staged = stage(tmp_path / "f")
    fill(staged, b"a longer first text")
    fill(staged, b"short")
    assert staged.read_bytes() == b"short"


@pytest.mark.parametrize("durable", [True, False])
def test_write_atomic_writes_a_new_file(tmp_path: Path, durable: bool) -> None:
    destination = tmp_path / "out" / "deck.apkg"
    write_atomic(destination, b"new", durable=durable)
    assert destination.read_bytes() == b"new"
    assert os.name != "posix" or _mode(destination) == 0o644
    assert os.listdir(destination.parent) == ["deck.apkg"]


def test_write_atomic_replaces_a_file_and_keeps_its_mode(tmp_path: Path) -> None:
    destination = tmp_path / "deck.apkg"
    destination.write_bytes(b"old content")
    destination.chmod(0o600)
    write_atomic(destination, [b"new ", b"content"])
    assert destination.read_bytes() == b"new content"
    assert os.name != "posix" or _mode(destination) == 0o600
    assert os.listdir(tmp_path) == ["deck.apkg"]


def _failing_midway(error: BaseException) -> Iterator[bytes]:
    yield b"first half, "
    raise error


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, error: BaseException) -> None:
    """Filling fails halfway (an error, or even an interrupt): the error comes through, the old file keeps
    its bytes, and the staged file is gone."""
    destination = tmp_path / "deck.apkg"
    destination.write_bytes(b"old content")
    with pytest.raises(type(error)) as caught:
        write_atomic(destination, _failing_midway(error))
    assert caught.value is error
    assert destination.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == ["deck.apkg"]


def test_failed_first_write_leaves_nothing(tmp_path: Path) -> None:
    destination = tmp_path / "deck.apkg"
    with pytest.raises(OSError, match="disk full"):
        write_atomic(destination, _failing_midway(OSError("disk full")))
    assert os.listdir(tmp_path) == []


def test_failed_rename_leaves_no_temporary(tmp_path: Path) -> None:
    """A destination that is a folder cannot be replaced by a file: the rename fails, the staged file goes."""
    destination = tmp_path / "deck.apkg"
    destination.mkdir()
    with pytest.raises(OSError):
        write_atomic(destination, b"new")
    assert destination.is_dir()
    assert os.listdir(tmp_path) == ["deck.apkg"]


def test_commit_puts_every_staged_file_in_place(tmp_path: Path) -> None:
    deck, lock = tmp_path / "deck.apkg", tmp_path / "qa2anki.lock"
    deck.write_bytes(b"old deck")
    staged = [stage(deck), stage(lock)]
    fill(staged[0], b"new deck")
    fill(staged[1], b"new lock")
    commit([(staged[0], deck), (staged[1], lock)])
    assert (deck.read_bytes(), lock.read_bytes()) == (b"new deck", b"new lock")
    assert sorted(os.listdir(tmp_path)) == ["deck.apkg", "qa2anki.lock"]


@pytest.mark.parametrize("lock_there", [True, False])
def test_a_failed_commit_puts_back_what_it_replaced(tmp_path: Path, lock_there: bool) -> None:
    """The second file cannot be put in place (its destination is a folder): the first gets its old
    bytes back, or goes when it was new, and no temporary or backup file is left."""
    deck, lock = tmp_path / "deck.apkg", tmp_path / "qa2anki.lock"
    if lock_there:
        deck.write_bytes(b"old deck")
    lock.mkdir()
    staged = [stage(deck), stage(lock)]
    fill(staged[0], b"new deck")
    fill(staged[1], b"new lock")
    with pytest.raises(CommitError) as failed:
        commit([(staged[0], deck), (staged[1], lock)])
    assert failed.value.index == 1 and isinstance(failed.value.error, OSError)
    assert (deck.read_bytes() == b"old deck") if lock_there else not deck.exists()
    staged_left = [name for name in os.listdir(tmp_path) if name.startswith(".")]
    assert staged_left == [p.name for p in staged if p.exists()]  # (the caller removes what it staged)
    assert lock.is_dir()
