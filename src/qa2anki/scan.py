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
    offset_blocks,
    scan_section,
    split_sections,
)
from qa2anki.render import RENDER_VERSION
from qa2anki.sources import Document

SCAN_VERSION = 8
"""Bumped whenever :func:`qa2anki.parse.scan_section` gives other results for the same text."""
CACHE_NAME = "sections.marshal"
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
    cache: bytes | None = None
    """The cache file to save when the build succeeds (``None``: the stored one is still right). Encoded
    right away, so that the scanned blocks can be freed before the rest of the build runs."""
    labels: Labels = DEFAULT_LABELS
    """The labels the sections were scanned with (the cache is only good for those)."""


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_MAGIC = b"qa2anki-cache\n"
_DIGEST = 32


def load_blob(path: Path, tag: str) -> Any:
    """The data of a cache file written by :func:`encode_blob` with the same ``tag``, else ``None``.

    The file is a header, a BLAKE2b digest and the marshalled data; the digest is checked before
    unmarshalling, so a truncated or foreign file is ignored instead of making marshal allocate wildly.
    """
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + _DIGEST
    if not raw.startswith(_MAGIC) or len(raw) < header:
        return None
    payload = raw[header:]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != raw[len(_MAGIC) : header]:
        return None
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("tag") != tag:
        return None
    return data.get("data")


def encode_blob(tag: str, data: Any) -> bytes:
    """A cache file's bytes: header, digest, marshalled ``{"tag": tag, "data": data}``."""
    payload = marshal.dumps({"tag": tag, "data": data})
    return _MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def _sections_tag(labels: Labels) -> str:
    return f"{_CACHE_FORMAT} labels {labels.fingerprint()}"


def load_cache(folder: Path | None, labels: Labels = DEFAULT_LABELS) -> dict[str, Any]:
    """The cached section scans, or nothing when there is no usable cache."""
    if folder is None:
        return {}
    sections = load_blob(folder / CACHE_NAME, _sections_tag(labels))
    return sections if isinstance(sections, dict) else {}


def encode_cache(sections: dict[str, Any], labels: Labels = DEFAULT_LABELS) -> bytes:
    """The section cache file's bytes."""
    return encode_blob(_sections_tag(labels), sections)


def save_cache(folder: Path, data: bytes, name: str = CACHE_NAME) -> None:
    """Write a cache file (atomically; a failure to write a cache is not an error)."""
    with contextlib.suppress(OSError):
        write_atomic(folder / name, data)


class _DamagedCache(Exception):
    pass


_FIELD_TYPES = (str, int, int, int, str, str, str, str, str, tuple, str, str)
"""The type of each :class:`BlockInfo` field, to check cached data against."""


def _block(data: Any) -> BlockInfo:
    # One C-level comparison of the field types: this runs for every block of every rebuild.
    if type(data) is not tuple or tuple(map(type, data)) != _FIELD_TYPES:
        raise _DamagedCache
    if data[9] and not all(type(src) is str for src in data[9]):
        raise _DamagedCache
    return BlockInfo._make(data)


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
) -> tuple[ParseResult, ScanStats]:
    """Parse every document, reusing the section cache in ``cache_folder`` (if given). The refreshed
    cache comes back in the stats, for the caller to :func:`save_cache` once its build has succeeded."""
    pieces = [
        [(offset, _key(text), text) for offset, text in split_sections(document.text)]
        for document in documents
    ]
    cached = load_cache(cache_folder, labels)
    missing: dict[str, str] = {}
    for piece in pieces:
        for _, key, text in piece:
            if key not in cached:
                missing.setdefault(key, text)

    texts = list(missing.values())
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

    fresh = dict(zip(missing, scanned, strict=True))
    used: dict[str, Any] = {}
    entries: list[Entry] = []
    problems: list[Problem] = []
    try:
        for document, piece in zip(documents, pieces, strict=True):
            blocks: list[BlockInfo] = []
            for offset, key, _ in piece:
                stored = fresh[key] if key in fresh else cached[key]
                used[key] = stored
                blocks.extend(offset_blocks([_block(b) for b in stored], offset))
            result = assemble(document, blocks)
            entries.extend(result.entries)
            problems.extend(result.problems)
    except _DamagedCache:
        # Someone else's bytes in our cache: scan everything afresh; the caller overwrites it.
        return scan_documents(documents, None, jobs, progress, labels)
    changed = fresh or len(used) != len(cached)
    stats = ScanStats(
        sections=sum(len(p) for p in pieces),
        scanned=len(fresh),
        workers=workers,
        cache=encode_cache(used, labels) if changed else None,
        labels=labels,
    )
    return ParseResult(tuple(entries), tuple(problems)), stats
