"""Writing a file so that readers see the old version or the new one, never half of either.

A write is staged (a temporary file beside the destination, filled and flushed) and then committed (an
atomic rename). :func:`write_atomic` does both; a build that writes the deck and the lock stages both
first and commits them together, so that a failure of either leaves both as they were.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


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
