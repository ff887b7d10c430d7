"""The cache's one store format, keyed by the code that wrote it.

Every cache file (section scans, parts, clustering memo, ledger) is a blob: a header, a CRC-32 and the
marshalled ``{"tag": …, "data": …}``. The tag always starts with :func:`code_fingerprint`, a digest of
this package's source bytes, of the libraries whose output is cached (markdown-it-py, Pygments, genanki)
and of the Python that ran it (its Unicode tables fold text). So a cache written by other code is never
read: after a ``git pull``, an edited rule or an upgraded library, a warm build equals a cold one without
anyone remembering to raise a version number. The settings in force are the callers' part of each tag.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import marshal
import os
import sys
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from qa2anki.atomic import write_atomic
from qa2anki.i18n import gettext as _

PACKAGE = Path(__file__).resolve().parent
"""The folder of this package's modules: what the fingerprint reads."""

_MAGIC = b"qa2anki-cache\n"
_MAGIC_DEFLATED = b"qa2anki-cachez\n"
_CHECK = 4
_LEVEL = 1
"""zlib's fastest level: the cached HTML and folded text shrink about five times at 150 MB/s."""


class DamagedCache(Exception):
    """Cached data that read back whole (its checksum holds) but does not decode: the build goes on as if
    there were no cache."""


_DECODE_ERRORS = (TypeError, ValueError, IndexError, KeyError, AttributeError, EOFError)


class _Decoding:
    """:func:`decoding`'s context manager: a class, not a generator, since a build enters it several
    times for every section, where a generator's set-up is most of the cost."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, trace: object) -> None:
        if isinstance(exc, _DECODE_ERRORS):
            raise DamagedCache(str(exc)) from exc


_DECODING = _Decoding()


def decoding() -> _Decoding:
    """Decoding cached data. The data was written by this very code (the tag's fingerprint says so) and
    read back whole (the checksum says so), so it is not checked field by field: anything that still
    fails to decode is a damaged cache, not a crash."""
    return _DECODING


def _library_versions() -> str:
    """The versions of the libraries whose output ends up in a cache. genanki's is read from its
    ``version.py`` without importing it (``check`` and ``list`` never pay for genanki)."""
    import markdown_it
    import pygments

    versions = [f"markdown-it-py {markdown_it.__version__}", f"pygments {pygments.__version__}"]
    spec = importlib.util.find_spec("genanki")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    try:
        genanki = (origin.parent / "version.py").read_text(encoding="utf-8") if origin else "absent"
    except OSError:
        genanki = "unreadable"
    versions.append(f"genanki {genanki.strip()}")
    return "\n".join(versions)


def fingerprint_of(package: Path) -> str:
    """A digest of the ``*.py`` files in ``package`` (names and bytes), the libraries' versions and the
    Python version. A package whose files cannot be read gets a fingerprint of its own, new every
    process: its caches are never read again (only their cost is lost)."""
    digest = hashlib.sha256()
    digest.update(f"{sys.implementation.name} {sys.version}\n{_library_versions()}\n".encode())
    try:
        paths = sorted(package.glob("*.py"))
        for path in paths:
            source = path.read_bytes()
            digest.update(f"{path.name} {len(source)}\n".encode())
            digest.update(source)
    except OSError:
        paths = []
    if not paths:
        digest.update(os.urandom(16))
    return digest.hexdigest()


@cache
def code_fingerprint() -> str:
    """:func:`fingerprint_of` this package, computed once per process (about a millisecond)."""
    return fingerprint_of(PACKAGE)


def _stored_tag(tag: str) -> str:
    return f"{code_fingerprint()} {tag}"


def load_blob(path: Path, tag: str) -> Any:
    """The data of a cache file written by :func:`encode_blob` with the same ``tag`` by the same code,
    else ``None``.

    The checksum is checked before unmarshalling, so a truncated or damaged file is ignored instead of
    making marshal allocate wildly. (A checksum, not a cryptographic digest: the cache is the user's own
    git-ignored folder; it guards against accidents.)"""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    deflated = raw.startswith(_MAGIC_DEFLATED)
    magic = _MAGIC_DEFLATED if deflated else _MAGIC
    header = len(magic) + _CHECK
    if not raw.startswith(magic) or len(raw) < header:
        return None
    payload = memoryview(raw)[header:]
    if zlib.crc32(payload).to_bytes(_CHECK, "big") != raw[len(magic) : header]:
        return None
    try:
        data = marshal.loads(zlib.decompress(payload) if deflated else payload)
    except (EOFError, ValueError, TypeError, zlib.error):
        return None
    if not isinstance(data, dict) or data.get("tag") != _stored_tag(tag):
        return None
    return data.get("data")


def unread_reason(path: Path, tag: str) -> str:
    """Why :func:`load_blob` gives nothing for this file, for messages (it reads the file again)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _("is not there")
    except OSError as exc:
        return _("cannot be read ({reason})").format(reason=exc.strerror or exc)
    magic = _MAGIC_DEFLATED if raw.startswith(_MAGIC_DEFLATED) else _MAGIC
    try:
        payload = raw[len(magic) + _CHECK :]
        stored = marshal.loads(zlib.decompress(payload) if magic == _MAGIC_DEFLATED else payload)
        stored_tag = stored["tag"]
    except (EOFError, ValueError, TypeError, KeyError, zlib.error):
        return _("is damaged")
    if not isinstance(stored_tag, str) or not stored_tag.startswith(code_fingerprint()):
        return _("was written by other code (another qa2anki, markdown-it-py, Pygments, genanki or Python)")
    if stored_tag != _stored_tag(tag) or load_blob(path, tag) is None:
        return _("is damaged")
    return _("does not check out")


def encode_blob(tag: str, data: Any, deflate: bool = False) -> bytes:
    """A cache file's bytes: header, checksum, marshalled ``{"tag": …, "data": data}`` (``deflate``:
    compressed, for the bulky text caches that are written once and read a little at a time)."""
    return b"".join(blob_pieces(tag, data, deflate))


def blob_pieces(tag: str, data: Any, deflate: bool = False) -> tuple[bytes, bytes]:
    """:func:`encode_blob`'s bytes in two pieces (header and checksum, data), to be written without
    being copied into one."""
    return _framed(marshal.dumps({"tag": _stored_tag(tag), "data": data}), deflate)


def _framed(payload: bytes, deflate: bool) -> tuple[bytes, bytes]:
    if deflate:
        payload = zlib.compress(payload, _LEVEL)
    magic = _MAGIC_DEFLATED if deflate else _MAGIC
    return magic + zlib.crc32(payload).to_bytes(_CHECK, "big"), payload


def _trim_heap() -> None:
    """Give the memory the writer thread's deflating left in its own malloc arena back to the system
    (glibc keeps it otherwise, and it adds to the build's peak later). Elsewhere there is nothing to do."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class BlobWriter:
    """Writes many cache files while the caller goes on: the caller's thread marshals (which holds the
    interpreter) and writes the files, threads deflate (which lets go of it), so a large save uses both
    cores. The threads do nothing but deflate: a thread that also wrote its files needed the interpreter
    back after every system call, and waited each time for the caller's marshalling to end. A few files
    wait at most, so memory stays bounded; a file that cannot be written is skipped (a cache is only a
    cache). Leaving the ``with`` block writes every file."""

    THREADS = 2
    """Threads that deflate."""
    WAITING = 6
    """How many files may wait to be deflated and written."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.THREADS, thread_name_prefix="qa2anki-cache")
        self._waiting: deque[tuple[Path, Future[tuple[bytes, bytes]]]] = deque()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()
        self._pool.shutdown()
        _trim_heap()

    def write(self, path: Path, tag: str, data: Any, deflate: bool = False) -> None:
        """Write ``data`` as :func:`encode_blob` would, at ``path``, soon."""
        payload = marshal.dumps({"tag": _stored_tag(tag), "data": data})
        while len(self._waiting) >= self.WAITING:
            self._commit()
        self._waiting.append((path, self._pool.submit(_framed, payload, deflate)))

    def _commit(self) -> None:
        path, framed = self._waiting.popleft()
        with contextlib.suppress(OSError):
            write_atomic(path, framed.result(), durable=False)

    def flush(self) -> None:
        """Write every file given so far."""
        while self._waiting:
            self._commit()


def save_cache(folder: Path, data: bytes, name: str) -> None:
    """Write a cache file (atomically; a failure to write a cache is not an error)."""
    with contextlib.suppress(OSError):
        write_atomic(folder / name, data, durable=False)
