"""Writing a file so that readers see the old version or the new one, never half of either.

A write is staged (a temporary file beside the destination, filled and flushed) and then committed (an
atomic rename). :func:`write_atomic` does both; a build that writes the deck and the lock stages both
first and commits them together (:func:`commit`), so that a failure of either leaves both as they were.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path


class CommitError(Exception):
    """A staged file that could not be put in place; every destination is as it was before the commit."""

    def __init__(self, index: int, error: OSError) -> None:
        super().__init__(str(error))
        self.index = index
        """Which of the staged files failed."""
        self.error = error
        """Why."""


def stage(path: Path) -> Path:
    """A new, empty temporary file beside ``path`` (same folder, so the rename is atomic), with the mode
    ``path`` has (0644 when it does not exist yet). The caller fills it, then renames or deletes it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
        os.chmod(name, mode)  # by name: Windows has no fchmod (and keeps only the read-only bit)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def fill(staged: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write ``data`` (bytes, or pieces of them) into a staged file. ``durable``: flushed to the disk, so
    that a crash after the rename cannot leave an empty file in the destination's place (a cache, whose
    files carry a checksum, can do without)."""
    with open(staged, "wb") as out:
        if isinstance(data, bytes):
            out.write(data)
        else:
            out.writelines(data)
        out.flush()
        if durable:
            os.fsync(out.fileno())


def write_atomic(path: Path, data: bytes | Iterable[bytes], durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a staged file and an atomic rename, so that an interrupted
    write leaves the old file exactly as it was."""
    staged = stage(path)
    try:
        fill(staged, data, durable)
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def commit(staged: Sequence[tuple[Path, Path]]) -> None:
    """Put each staged file (``(staged, destination)``) in its destination's place, in order. When one
    cannot be (a read-only or locked file), the destinations already replaced get their old files back,
    or are removed when they had none, and :class:`CommitError` says which failed: the files change
    together or not at all (a crash in between aside)."""
    done: list[tuple[Path, Path | None]] = []
    backup: Path | None = None
    try:
        for index, (path, destination) in enumerate(staged):
            try:
                backup = _backup(destination)
                os.replace(path, destination)
            except OSError as exc:
                raise CommitError(index, exc) from exc
            done.append((destination, backup))
            backup = None
    except BaseException:
        for destination, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is None:
                    destination.unlink(missing_ok=True)
                else:
                    os.replace(old, destination)
        raise
    finally:
        for old in (backup, *(old for _, old in done)):
            if old is not None:
                with contextlib.suppress(OSError):
                    old.unlink(missing_ok=True)


def _backup(path: Path) -> Path | None:
    """A second name for ``path``'s file beside it (a hard link; a copy where links are not to be had), or
    ``None`` when there is no such file."""
    if not path.exists():
        return None
    backup = stage(path)
    try:
        backup.unlink()
        try:
            os.link(path, backup)
        except OSError:
            shutil.copy2(path, backup)
    except BaseException:
        backup.unlink(missing_ok=True)
        raise
    return backup
