"""Parse many documents fast: cut them into sections, reuse cached section scans, scan the rest on all cores.

markdown-it-py is the slow step of a build. A document is cut before each top-level heading (outside code
fences; see :func:`qa2anki.parse.split_sections`); each section's block scan depends only on its text,
so it is cached by content hash in ``build/.qa2anki-cache`` and, when there is enough new text, computed
in worker processes. The cache is only a cache: it is keyed by qa2anki's version and the scanner's and
renderer's versions, a damaged one is ignored, and deleting it only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import multiprocessing
import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown_it
import pygments

from qa2anki import __version__
from qa2anki.atomic import write_atomic
from qa2anki.errors import Problem
from qa2anki.parse import (
    DEFAULT_LABELS,
    BlockInfo,
    Entry,
    Labels,
    ParseResult,
    assemble,
    scan_section,
    split_sections,
)
from qa2anki.render import RENDER_VERSION
from qa2anki.sources import Document

SCAN_VERSION = 8
"""Bumped whenever :func:`qa2anki.parse.scan_section` gives other results for the same text."""
SECTIONS_FOLDER = "sections"
"""The section cache's folder inside the cache folder: one file per shard (the first two hex digits of
a section's hash), so that a small edit rewrites two small files, not one that holds every section."""
PARALLEL_MIN_CHARS = 400_000
"""Less new text than this is scanned in this process: starting workers would cost more than it saves."""
BATCH_CHARS = 200_000
"""About how much text one worker task scans."""

Progress = Callable[[int, int], None]
"""Called with (characters scanned so far, characters to scan)."""

# Pygments is part of rendering too: a new version may colour code differently.
_CACHE_FORMAT = (
    f"qa2anki {__version__} scan {SCAN_VERSION} render {RENDER_VERSION} md {markdown_it.__version__} "
    f"pygments {pygments.__version__}"
)


@dataclass(frozen=True)
class ScanStats:
    """How the scan went."""

    sections: int
    """Sections in all documents."""
    scanned: int
    """Sections scanned this time (the rest came from the cache or were repeats)."""
    workers: int
    """Worker processes used (0: scanned in this process)."""
    saved: int = 0
    """Cache shards written (or removed) because their sections changed."""
    labels: Labels = DEFAULT_LABELS
    """The labels the sections were scanned with (the cache is only good for those)."""


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _shard(key: str) -> str:
    return key[:2]


_MAGIC = b"qa2anki-cache\n"
_CHECK = 4


def load_blob(path: Path, tag: str) -> Any:
    """The data of a cache file written by :func:`encode_blob` with the same ``tag``, else ``None``.

    The file is a header, a CRC-32 and the marshalled data; the checksum is checked before unmarshalling,
    so a truncated or damaged file is ignored instead of making marshal allocate wildly. (A checksum, not
    a cryptographic digest: the cache is the user's own git-ignored folder; it guards against accidents.)
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + _CHECK
    if not raw.startswith(_MAGIC) or len(raw) < header:
        return None
    payload = memoryview(raw)[header:]
    if zlib.crc32(payload).to_bytes(_CHECK, "big") != raw[len(_MAGIC) : header]:
        return None
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("tag") != tag:
        return None
    return data.get("data")


def encode_blob(tag: str, data: Any) -> bytes:
    """A cache file's bytes: header, checksum, marshalled ``{"tag": tag, "data": data}``."""
    payload = marshal.dumps({"tag": tag, "data": data})
    return _MAGIC + zlib.crc32(payload).to_bytes(_CHECK, "big") + payload


def _sections_tag(labels: Labels) -> str:
    return f"{_CACHE_FORMAT} labels {labels.fingerprint()}"


def load_cache(folder: Path | None, labels: Labels = DEFAULT_LABELS) -> dict[str, dict[str, Any]]:
    """The cached section scans by shard, or nothing when there is no usable cache."""
    if folder is None:
        return {}
    tag = _sections_tag(labels)
    shards: dict[str, dict[str, Any]] = {}
    with contextlib.suppress(OSError):
        for path in sorted((folder / SECTIONS_FOLDER).glob("*.marshal")):
            sections = load_blob(path, tag)
            if isinstance(sections, dict):
                shards[path.stem] = sections
    return shards


def save_shards(folder: Path, shards: dict[str, dict[str, Any]], labels: Labels = DEFAULT_LABELS) -> int:
    """Write these shards of the section cache (an empty one is removed); returns how many changed.
    Each file is written atomically; failing to write a cache is not an error."""
    tag = _sections_tag(labels)
    target = folder / SECTIONS_FOLDER
    with contextlib.suppress(OSError):
        target.mkdir(parents=True, exist_ok=True)
        # Earlier builds kept every section in one file; it is never read again.
        (folder / "sections.marshal").unlink(missing_ok=True)
    for name, sections in sorted(shards.items()):
        with contextlib.suppress(OSError):
            if sections:
                write_atomic(target / f"{name}.marshal", encode_blob(tag, sections))
            else:
                (target / f"{name}.marshal").unlink(missing_ok=True)
    return len(shards)


def save_cache(folder: Path, data: bytes, name: str) -> None:
    """Write a cache file (atomically; a failure to write a cache is not an error)."""
    with contextlib.suppress(OSError):
        write_atomic(folder / name, data)


class _DamagedCache(Exception):
    pass


_FIELD_TYPES = (str, int, int, int, str, str, str, str, str, tuple, str, str)
"""The type of each :class:`BlockInfo` field, to check cached data against."""
_new_block = tuple.__new__


def _blocks(stored: Any, offset: int) -> list[BlockInfo]:
    """A section's stored blocks, checked and moved to the section's place in its document."""
    if type(stored) is not tuple:
        raise _DamagedCache
    blocks = []
    for data in stored:
        # One C-level comparison of the field types: this runs for every block of every rebuild.
        if type(data) is not tuple or tuple(map(type, data)) != _FIELD_TYPES:
            raise _DamagedCache
        if data[9] and not all(type(src) is str for src in data[9]):
            raise _DamagedCache
        blocks.append(
            _new_block(
                BlockInfo,
                (
                    data[0],
                    data[1] + offset,
                    data[2] + offset,
                    data[3],
                    data[4],
                    data[5],
                    data[6],
                    data[7],
                    data[8],
                    data[9],
                    data[10],
                    data[11],
                ),
            )
        )
    return blocks


def _scan_batch(job: tuple[Labels, list[str]]) -> list[tuple[tuple[Any, ...], ...]]:
    labels, texts = job
    return [tuple(tuple(block) for block in scan_section(text, labels)) for text in texts]


def _batches(texts: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= BATCH_CHARS:
            batches.append([])
            size = 0
        batches[-1].append(text)
        size += len(text)
    return [b for b in batches if b]


def scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    labels: Labels = DEFAULT_LABELS,
    save: bool = False,
) -> tuple[ParseResult, ScanStats]:
    """Parse every document, reusing the section cache in ``cache_folder`` (if given); with ``save``, the
    cache shards whose sections changed are rewritten there (a scan is true whatever becomes of the
    build, so they are saved right away, and the scanned blocks need not be kept for later)."""
    try:
        return _scan_documents(
            documents, cache_folder, load_cache(cache_folder, labels), jobs, progress, labels, save
        )
    except _DamagedCache:
        # Someone else's bytes in our cache: scan everything afresh (and, with save, overwrite them).
        return _scan_documents(documents, cache_folder, {}, jobs, progress, labels, save)


def _scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None,
    shards: dict[str, dict[str, Any]],
    jobs: int | None,
    progress: Progress | None,
    labels: Labels,
    save: bool,
) -> tuple[ParseResult, ScanStats]:
    cached: dict[str, Any] = {}
    for sections in shards.values():
        cached.update(sections)
    # Each section as (first line, hash); only the text of sections to scan is kept.
    pieces: list[list[tuple[int, str]]] = []
    missing: dict[str, str] = {}
    for document in documents:
        piece = []
        for offset, text in split_sections(document.text):
            key = _key(text)
            piece.append((offset, key))
            if key not in cached:
                missing.setdefault(key, text)
        pieces.append(piece)

    keys, texts = list(missing), list(missing.values())
    del missing
    total = sum(len(t) for t in texts)
    workers = min(jobs or os.cpu_count() or 1, 8) if total >= PARALLEL_MIN_CHARS else 0
    scanned: list[tuple[tuple[Any, ...], ...]] = []
    done = 0
    batches = _batches(texts)
    if workers > 1 and len(batches) > 1:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            jobs_ = [(labels, batch) for batch in batches]
            for batch, batch_result in zip(batches, pool.map(_scan_batch, jobs_), strict=True):
                scanned.extend(batch_result)
                done += sum(len(t) for t in batch)
                if progress:
                    progress(done, total)
    else:
        workers = 0
        for batch in batches:
            scanned.extend(_scan_batch((labels, batch)))
            done += sum(len(t) for t in batch)
            if progress:
                progress(done, total)

    fresh = dict(zip(keys, scanned, strict=True))
    del keys, texts, batches, scanned
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document, piece in zip(documents, pieces, strict=True):
        blocks: list[BlockInfo] = []
        for offset, key in piece:
            blocks.extend(_blocks(fresh[key] if key in fresh else cached[key], offset))
        result = assemble(document, blocks)
        entries.extend(result.entries)
        problems.extend(result.problems)

    wanted: dict[str, dict[str, Any]] = {}
    for piece in pieces:
        for _, key in piece:
            wanted.setdefault(_shard(key), {})[key] = fresh[key] if key in fresh else cached[key]
    changed = {
        name: wanted.get(name, {})
        for name in {*wanted, *shards}
        if name not in shards or wanted.get(name, {}).keys() != shards[name].keys()
    }
    saved = save_shards(cache_folder, changed, labels) if save and cache_folder is not None else 0
    stats = ScanStats(
        sections=sum(len(p) for p in pieces),
        scanned=len(fresh),
        workers=workers,
        saved=saved,
        labels=labels,
    )
    return ParseResult(tuple(entries), tuple(problems)), stats
