"""Parse many documents fast: cut them into sections, reuse cached section scans, scan the rest on all cores.

markdown-it-py is the slow step of a build. A document is cut before each top-level heading (outside code
fences; see :func:`qa2anki.parse.split_sections`); each section's block scan depends only on its text,
so it is cached by content hash in ``build/.qa2anki-cache/sections`` and, when there is enough new text,
computed in worker processes.

Turning blocks into entries (:func:`qa2anki.parse.assemble_part`) is done section by section too: a
section's entries depend on its blocks and on a little context — the heading stack the sections before it
left, how the next section opens, the document's opening labels — so they are cached under that context
in ``parts``, and a rebuild assembles (and reads the blocks of) only sections whose text or context
changed. ``facts.marshal`` holds what the context needs of each section. Where an entry runs on from one
section into the next, the document is assembled whole, as before.

The caches are only caches: they are keyed by qa2anki's version and the scanner's and renderer's
versions, a damaged file is ignored, and deleting them only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import multiprocessing
import os
import zlib
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown_it
import pygments

from qa2anki import __version__
from qa2anki.atomic import write_atomic
from qa2anki.errors import Problem, Severity
from qa2anki.parse import (
    DEFAULT_LABELS,
    BlockInfo,
    Entry,
    Labels,
    Opening,
    ParseResult,
    Part,
    assemble,
    assemble_part,
    document_result,
    line_starts,
    opening_markers,
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
PARTS_FOLDER = "parts"
"""Assembled sections (their entries), by section and the context it stood in, sharded likewise."""
FACTS_NAME = "facts.marshal"
"""What neighbouring sections need to know of each cached section (see :data:`Facts`)."""
PART_VERSION = 1
"""Bumped whenever :func:`qa2anki.parse.assemble_part` gives other results for the same blocks."""
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


class _Shards:
    """One cache kept in up to 256 files by the first two hex digits of its keys, each read only when
    one of its keys is asked for, and rewritten only when its keys change."""

    def __init__(self, folder: Path | None, tag: str) -> None:
        self.folder = folder
        self.tag = tag
        self.shards: dict[str, dict[str, Any]] = {}
        self.stored: dict[str, frozenset[str]] = {}

    def shard(self, name: str) -> dict[str, Any]:
        """The shard's data, read now if it has not been."""
        if name not in self.shards:
            data = load_blob(self.folder / f"{name}.marshal", self.tag) if self.folder else None
            self.shards[name] = data if isinstance(data, dict) else {}
            self.stored[name] = frozenset(self.shards[name])
        return self.shards[name]

    def get(self, key: str) -> Any:
        """The cached value of ``key``, or ``None``."""
        return self.shard(_shard(key)).get(key)

    def read_all(self) -> None:
        """Read every shard there is."""
        with contextlib.suppress(OSError):
            if self.folder is not None:
                for path in sorted(self.folder.glob("*.marshal")):
                    self.shard(path.stem)

    def save(self, folder: Path, values: dict[str, Any], names: set[str]) -> int:
        """Rewrite the shards ``names`` to hold exactly the ``values`` whose keys fall in them (an empty
        shard's file is removed); returns how many were written or removed."""
        by_shard: dict[str, dict[str, Any]] = {name: {} for name in names}
        for key, value in values.items():
            if _shard(key) in by_shard:
                by_shard[_shard(key)][key] = value
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
        for name, data in sorted(by_shard.items()):
            with contextlib.suppress(OSError):
                if data:
                    write_atomic(folder / f"{name}.marshal", encode_blob(self.tag, data))
                else:
                    (folder / f"{name}.marshal").unlink(missing_ok=True)
        return len(by_shard)


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


Facts = tuple[str, int, str, str, str, tuple[str, ...]]
"""What the assembly of neighbouring sections needs to know of a section without its blocks: its first
block's kind (``""``: no blocks), level, rule and label word, its last block's kind, and the label words
of questions that open a section inside it."""
_FACTS_TYPES = (str, int, str, str, str, tuple)
_ENTRY_TYPES = (int, str, str, str, str, str, str, str, tuple, str)


def _facts(stored: Any) -> Facts:
    """The facts of a section, from its stored blocks (checked)."""
    blocks = _blocks(stored, 0)
    if not blocks:
        return ("", 0, "", "", "", ())
    first, last = blocks[0], blocks[-1]
    openers = tuple(sorted(opening_markers(blocks)))
    return (first.kind, first.level, first.rule, first.marker, last.kind, openers)


def _valid_facts(facts: Any) -> bool:
    return (
        type(facts) is tuple
        and tuple(map(type, facts)) == _FACTS_TYPES
        and all(type(marker) is str for marker in facts[5])
    )


class _Store:
    """The caches of a scan: section blocks, section facts and assembled sections ("parts")."""

    def __init__(self, folder: Path | None, labels: Labels) -> None:
        tag = _sections_tag(labels)
        self.blocks = _Shards(folder / SECTIONS_FOLDER if folder else None, tag)
        self.parts = _Shards(folder / PARTS_FOLDER if folder else None, f"{tag} parts {PART_VERSION}")
        self.facts_tag = f"{tag} facts"
        stored = load_blob(folder / FACTS_NAME, self.facts_tag) if folder else None
        # Section key → facts, for every section whose blocks are cached.
        self.facts: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self.parts.read_all()


def scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    labels: Labels = DEFAULT_LABELS,
    save: bool = False,
) -> tuple[ParseResult, ScanStats]:
    """Parse every document, reusing the caches in ``cache_folder`` (if given); with ``save``, the cache
    files whose sections changed are rewritten there (a scan is true whatever becomes of the build, so
    they are saved right away, and the scanned blocks need not be kept for later)."""
    try:
        return _scan_documents(
            documents, cache_folder, _Store(cache_folder, labels), jobs, progress, labels, save
        )
    except _DamagedCache:
        # Someone else's bytes in our cache: scan everything afresh (and, with save, overwrite them).
        return _scan_documents(documents, cache_folder, _Store(None, labels), jobs, progress, labels, save)


def _scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None,
    store: _Store,
    jobs: int | None,
    progress: Progress | None,
    labels: Labels,
    save: bool,
) -> tuple[ParseResult, ScanStats]:
    # Each section as (first line, hash); only the text of sections to scan is kept.
    pieces: list[list[tuple[int, str]]] = []
    starts = [line_starts(document.text) for document in documents]
    missing: dict[str, str] = {}
    for document, document_starts in zip(documents, starts, strict=True):
        piece = []
        for offset, text in split_sections(document.text, document_starts):
            key = _key(text)
            piece.append((offset, key))
            if key not in store.facts or not _valid_facts(store.facts[key]):
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

    facts: dict[str, Any] = {}
    parts: dict[str, Any] = {}
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document, document_starts, piece in zip(documents, starts, pieces, strict=True):
        section = _Sections(document, document_starts, piece, store, fresh, labels)
        result = _assemble_by_sections(section, parts) or section.assemble_whole()
        facts.update(section.facts)
        entries.extend(result.entries)
        problems.extend(result.problems)

    saved = 0
    if save and cache_folder is not None:
        saved = _save(cache_folder, store, fresh, facts, parts)
    stats = ScanStats(
        sections=sum(len(p) for p in pieces),
        scanned=len(fresh),
        workers=workers,
        saved=saved,
        labels=labels,
    )
    return ParseResult(tuple(entries), tuple(problems)), stats


def _save(
    folder: Path, store: _Store, fresh: dict[str, Any], facts: dict[str, Any], parts: dict[str, Any]
) -> int:
    """Rewrite the cache files whose keys changed; returns how many files were written or removed."""
    saved = 0
    # Blocks: the shards that gain a newly scanned section or lose one no longer used.
    gone = {key for key in store.facts if key not in facts}
    touched = {_shard(key) for key in (*fresh, *gone)}
    blocks = {
        key: fresh[key] if key in fresh else store.blocks.get(key) for key in facts if _shard(key) in touched
    }
    saved += store.blocks.save(
        folder / SECTIONS_FOLDER, {k: v for k, v in blocks.items() if v is not None}, touched
    )
    if facts != store.facts:
        save_cache(folder, encode_blob(store.facts_tag, facts), FACTS_NAME)
        saved += 1
    used: dict[str, set[str]] = {}
    for key in parts:
        used.setdefault(_shard(key), set()).add(key)
    changed = {
        name
        for name in {*used, *store.parts.stored}
        if frozenset(used.get(name, ())) != store.parts.stored.get(name)
    }
    saved += store.parts.save(folder / PARTS_FOLDER, parts, changed)
    # Earlier builds kept every section in one file; it is never read again.
    with contextlib.suppress(OSError):
        (folder / "sections.marshal").unlink(missing_ok=True)
    return saved


class _Sections:
    """One document's sections; a section's blocks are fetched (scanned now, or from the cache) only when
    it has to be assembled."""

    def __init__(
        self,
        document: Document,
        starts: array[int],
        piece: list[tuple[int, str]],
        store: _Store,
        fresh: dict[str, Any],
        labels: Labels,
    ) -> None:
        self.document = document
        self.starts = starts  # the document's line_starts
        self.piece = piece
        self.store = store
        self.fresh = fresh
        self.labels = labels
        self.facts: dict[str, Facts] = {}
        for index, (_, key) in enumerate(piece):
            if key not in self.facts:
                known = store.facts.get(key) if key not in fresh else None
                self.facts[key] = known if known is not None else _facts(self.stored(index))

    def text(self, index: int) -> str:
        """The text of section ``index``."""
        first = self.piece[index][0]
        after = self.piece[index + 1][0] if index + 1 < len(self.piece) else len(self.starts) - 1
        return self.document.text[self.starts[first] : self.starts[after]]

    def stored(self, index: int) -> Any:
        """Section ``index``'s blocks as scanned (unchecked)."""
        key = self.piece[index][1]
        stored = self.fresh[key] if key in self.fresh else self.store.blocks.get(key)
        if stored is None:
            # Known, but its cache file is gone or damaged: scan it again (it is saved as new).
            stored = self.fresh[key] = _scan_batch((self.labels, [self.text(index)]))[0]
        return stored

    def blocks(self, index: int, offset: int) -> list[BlockInfo]:
        """Section ``index``'s blocks, their lines moved by ``offset``."""
        return _blocks(self.stored(index), offset)

    def assemble_whole(self) -> ParseResult:
        """Assemble the document from all its blocks at once."""
        blocks: list[BlockInfo] = []
        for index, (offset, _) in enumerate(self.piece):
            blocks.extend(self.blocks(index, offset))
        return assemble(self.document, blocks)


def _context(headings: tuple[tuple[int, str], ...], facts: Facts) -> tuple[tuple[int, str], ...]:
    # The headings a section's first block pops anyway do not make its assembly differ.
    kind, level, rule = facts[0], facts[1], facts[2]
    if (kind == "heading" and rule != "closing") or (kind == "question" and level > 0):
        while headings and headings[-1][0] >= level:
            headings = headings[:-1]
    return headings


def _assemble_by_sections(sections: _Sections, parts: dict[str, Any]) -> ParseResult | None:
    """Assemble a document section by section, each from the cache when the same section stood in the same
    context before; ``None`` when an entry runs on from one section into the next (then the whole
    document is assembled at once)."""
    document, piece = sections.document, sections.piece
    facts = [sections.facts[key] for _, key in piece]
    openers: set[str] = set()
    for index, fact in enumerate(facts):
        openers.update(fact[5])
        # A question heading that opens a section right after a heading-only section.
        if index and fact[0] == "question" and fact[3] and facts[index - 1][4] == "heading":
            openers.add(fact[3])
    if any(not fact[0] for fact in facts[1:]):
        return None
    openers_key = tuple(sorted(openers))
    headings: tuple[tuple[int, str], ...] = ()
    entries: list[Entry] = []
    problems: list[Problem] = []
    for index, (offset, key) in enumerate(piece):
        after = facts[index + 1] if index + 1 < len(piece) else None
        next_opening = Opening(after[0], after[1], after[2]) if after else None
        context = _context(headings, facts[index])
        signature = (PART_VERSION, key, context, next_opening, openers_key, document.path, document.name)
        part_key = hashlib.blake2b(repr(signature).encode(), digest_size=16).hexdigest()
        stored = sections.store.parts.get(part_key)
        part = _decode_part(stored, document, offset)
        if part is None:
            blocks = sections.blocks(index, offset)
            part = assemble_part(document, blocks, frozenset(openers), context, next_opening, sections.starts)
            stored = _encode_part(part, offset)
        if not part.clean:
            return None
        parts[part_key] = stored
        entries.extend(part.entries)
        problems.extend(part.problems)
        headings = part.headings
    return document_result(document, entries, problems)


def _encode_part(part: Part, offset: int) -> tuple[Any, ...]:
    """A part as plain data, its lines counted from its section's first line."""
    entries = tuple(
        (
            e.line - offset,
            e.topic,
            e.question_md,
            e.answer_md,
            e.question_html,
            e.answer_html,
            e.question_folded,
            e.answer_folded,
            tuple((src, line - offset) for src, line in e.images),
            e.rule,
        )
        for e in part.entries
    )
    problems = tuple((p.line - offset if p.line else 0, str(p.severity), p.message) for p in part.problems)
    return (entries, problems, part.headings, part.clean)


def _decode_part(stored: Any, document: Document, offset: int) -> Part | None:
    """A cached part, moved to the section's place; ``None`` when there is none or it is malformed."""
    if type(stored) is not tuple or len(stored) != 4:
        return None
    stored_entries, stored_problems, headings, clean = stored
    if type(stored_entries) is not tuple or type(stored_problems) is not tuple or type(clean) is not bool:
        return None
    if type(headings) is not tuple or not all(
        type(h) is tuple and len(h) == 2 and type(h[0]) is int and type(h[1]) is str for h in headings
    ):
        return None
    entries = []
    for data in stored_entries:
        if type(data) is not tuple or tuple(map(type, data)) != _ENTRY_TYPES:
            return None
        images = data[8]
        if images and not all(
            type(i) is tuple and len(i) == 2 and type(i[0]) is str and type(i[1]) is int for i in images
        ):
            return None
        entries.append(
            Entry(
                path=document.path,
                document=document.name,
                line=data[0] + offset,
                topic=data[1],
                question_md=data[2],
                answer_md=data[3],
                question_html=data[4],
                answer_html=data[5],
                question_folded=data[6],
                answer_folded=data[7],
                images=tuple((src, line + offset) for src, line in images) if images else (),
                rule=data[9],
            )
        )
    problems = []
    for data in stored_problems:
        if (
            type(data) is not tuple
            or len(data) != 3
            or type(data[0]) is not int
            or data[1] not in ("error", "warning")
            or type(data[2]) is not str
        ):
            return None
        line = data[0] + offset if data[0] else 0
        problems.append(Problem(document.path, line, Severity(data[1]), data[2]))
    return Part(tuple(entries), tuple(problems), headings, clean)
