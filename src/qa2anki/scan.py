"""Parse many documents fast: cut them into sections, reuse cached section scans, scan the rest on all cores.

markdown-it-py is the slow step of a build. A document is cut before each top-level heading (outside code
fences; see :func:`qa2anki.parse.split_sections`); each section's block scan depends only on its text,
so it is cached by content hash in ``build/.qa2anki-cache/sections`` and, when there is enough new text,
computed in worker processes.

Turning blocks into entries (:func:`qa2anki.parse.assemble_part`) is done section by section too: a
section's entries (its "part") depend on its blocks and on a little context — the heading stack the
sections before it left, how the next section opens, the document's opening labels — so a rebuild
assembles (and reads the blocks of) only sections whose text or context changed. ``facts.marshal`` holds
what the context needs of each section. Where an entry runs on from one section into the next, the
document is assembled whole, as before.

Each document's last scan is kept (``documents/``: its text, sections and their parts' keys; ``chunks/``:
the parts, in runs of consecutive sections). A rebuild compares the text with the last one: the sections
before and after the changed lines are the last scan's, moved, and only the sections in between are cut,
hashed and looked up again — a one-line edit of a large document costs little more than reading it.

The caches are only caches: every file is a :mod:`qa2anki.cache` blob, keyed by the code that wrote it
and the labels in force; a damaged file is ignored, and deleting them only costs time.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import shutil
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

from qa2anki import i18n
from qa2anki.cache import BlobWriter, DamagedCache, decoding, load_blob
from qa2anki.errors import Problem, Severity
from qa2anki.parse import (
    DEFAULT_LABELS,
    BlockInfo,
    Definitions,
    Entry,
    Labels,
    ParseResult,
    Part,
    SectionFacts,
    assemble,
    assemble_part,
    document_openers,
    document_result,
    empty_document_problem,
    is_atx_heading,
    line_starts,
    scan_texts,
    section_context,
    section_facts,
    split_sections,
)
from qa2anki.sources import Document
from qa2anki.workers import process_pool

SECTIONS_FOLDER = "sections"
"""The section cache's folder inside the cache folder: one file per shard (the first two hex digits of
a section's hash), so that a small edit rewrites two small files, not one that holds every section."""
DOCUMENTS_FOLDER = "documents"
"""Each document's last scan, one file per document (see :class:`_LastScan`)."""
CHUNKS_FOLDER = "chunks"
"""Assembled sections (parts) of the documents' last scans, in runs of consecutive sections, one file per
run, named by the run's part keys: an edit writes a new run or two, the other runs stay as they are."""
CHUNK_SECTIONS = 64
"""A run ends after a section whose part key is 0 modulo this (so about this many sections a run, and
where runs end depends on the sections, not on their positions: an inserted section changes one run)."""
MAX_CHUNK_SECTIONS = 1024
"""No run is longer than this."""
FACTS_NAME = "facts.marshal"
"""What neighbouring sections need to know of each cached section (:class:`qa2anki.parse.SectionFacts`)."""
FACTS_CHANGES_NAME = "facts-changes.marshal"
"""The facts of the sections cached since :data:`FACTS_NAME` was written, and the keys of those no longer
cached: a small edit writes this small file instead of every section's facts again. Facts depend on their
key alone, so any mix of the two files (one damaged, or left from another build) holds true facts; a
missing one means only that its section is scanned again."""
FACTS_CHANGES_SHARE = 0.02
"""Once the changes (sections added and dropped) are more than this share of the facts written, all the
facts are written again and the changes file removed."""
PARALLEL_MIN_CHARS = 400_000
"""Less new text than this is scanned in this process: starting workers would cost more than it saves."""
BATCH_CHARS = 200_000
"""About how much text one worker task scans."""

Progress = Callable[[int, int], None]
"""Called with (characters scanned so far, characters to scan)."""


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
    damaged: bool = False
    """Whether the cache turned out damaged (everything was scanned afresh, and is saved anew)."""
    save: Callable[[], int] | None = field(default=None, compare=False)
    """The cache writing left for later (see ``scan_documents``'s ``defer``): call it to write the cache
    files; it returns how many it wrote (once: a second call writes nothing again). ``None`` when there is
    nothing left to write."""


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _shard(key: str) -> str:
    return key[:2]


def _sections_tag(labels: Labels) -> str:
    # The parse problems kept with each part are in the language of the build that made them.
    return f"sections labels {labels.fingerprint()} language {i18n.language()}"


class _Shards:
    """One cache kept in up to 256 files by the first two hex digits of its keys, each read only when
    one of its keys is asked for, and rewritten only when its keys change."""

    def __init__(self, folder: Path | None, tag: str) -> None:
        self.folder = folder
        self.tag = tag
        self.shards: dict[str, dict[str, Any]] = {}

    def shard(self, name: str) -> dict[str, Any]:
        """The shard's data, read now if it has not been."""
        if name not in self.shards:
            data = load_blob(self.folder / f"{name}.marshal", self.tag) if self.folder else None
            self.shards[name] = data if isinstance(data, dict) else {}
        return self.shards[name]

    def get(self, key: str) -> Any:
        """The cached value of ``key``, or ``None``."""
        return self.shard(_shard(key)).get(key)

    def save(
        self, folder: Path, keys: set[str], names: set[str], fresh: dict[str, Any], writer: BlobWriter
    ) -> int:
        """Rewrite the shards ``names`` to hold exactly the ``keys`` that fall in them, each with its value
        in ``fresh`` or as stored (an empty shard's file is removed); returns how many were written or
        removed. One shard at a time, let go once written: an edit that touches every shard (inserting
        an entry renumbers the headings after it) does not hold every stored section at once."""
        by_shard: dict[str, list[str]] = {name: [] for name in names}
        for key in keys:
            if _shard(key) in by_shard:
                by_shard[_shard(key)].append(key)
        with contextlib.suppress(OSError):
            folder.mkdir(parents=True, exist_ok=True)
        for name, shard_keys in sorted(by_shard.items()):
            data = {key: fresh[key] if key in fresh else self.get(key) for key in sorted(shard_keys)}
            data = {key: value for key, value in data.items() if value is not None}
            if data:
                writer.write(folder / f"{name}.marshal", self.tag, data, deflate=True)
            else:
                with contextlib.suppress(OSError):
                    (folder / f"{name}.marshal").unlink(missing_ok=True)
            self.shards.pop(name, None)
        return len(by_shard)


def _blocks(stored: Any, offset: int) -> list[BlockInfo]:
    """A section's stored blocks, moved to the section's place in its document."""
    with decoding():
        plain = _plain_blocks(stored)
        if not offset:
            return list(map(BlockInfo._make, plain))
        return [BlockInfo(kind, start + offset, end + offset, *rest) for kind, start, end, *rest in plain]


def _plain_blocks(stored: Any) -> Any:
    """A section's stored blocks (see :data:`_ScannedText`) as the plain tuples they were."""
    if type(stored) is not bytes:
        raise TypeError("stored blocks are not bytes")
    return marshal.loads(stored)


_ScannedText = tuple[bytes, Definitions, SectionFacts]
"""A text's blocks as plain data, marshalled, the link references it defines, and its facts. Blocks stay
marshalled from the worker that scanned them to the cache file: they cross from process to process as one
string of bytes each, the build holds them in a fraction of the memory, and saving them copies bytes."""


def _scan_batch(job: tuple[Labels, list[str], Definitions]) -> list[_ScannedText]:
    """Each text's blocks as plain data, the link references it defines and its facts (each parsed with
    the document's definitions ``table``, the job's third item). The facts are found here, in the
    workers, from the blocks at hand: the build's own process would convert every block to find them."""
    labels, texts, table = job
    return [
        (marshal.dumps(tuple(map(tuple, blocks))), references, section_facts(blocks, references))
        for blocks, references in scan_texts(texts, labels, table)
    ]


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


class _Store:
    """The caches of a scan: section blocks, section facts and the documents' last scans."""

    def __init__(self, folder: Path | None, labels: Labels) -> None:
        tag = _sections_tag(labels)
        self.folder = folder
        self.blocks = _Shards(folder / SECTIONS_FOLDER if folder else None, tag)
        self.parts_tag = f"{tag} parts"
        self.facts_tag = f"{tag} facts"
        stored = load_blob(folder / FACTS_NAME, self.facts_tag) if folder else None
        written: dict[str, Any] = stored if isinstance(stored, dict) else {}
        # The sections whose facts FACTS_NAME holds (see FACTS_CHANGES_NAME).
        self.written = set(written)
        changes = load_blob(folder / FACTS_CHANGES_NAME, self.facts_tag) if folder and written else None
        added, removed = changes if isinstance(changes, tuple) and len(changes) == 2 else ({}, ())
        # Section key → facts, for every section whose blocks are cached.
        self.facts: dict[str, SectionFacts] = {
            key: SectionFacts._make(facts)
            for key, facts in itertools.chain(written.items(), dict(added).items())
        }
        for key in removed:
            self.facts.pop(key, None)

    def last_scan(self, document: Document) -> _LastScan:
        """The document's last scan (empty when there is none, or it is damaged)."""
        return _LastScan(self.folder, self.parts_tag, document)


DIGEST_BLOCK = 1 << 12
"""A last scan keeps a digest of every block of this many characters of its text, counted from the start
and from the end: enough to find what an edit left as it was, without keeping the text."""


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _block(text: str, index: int, backwards: bool) -> str:
    """Block ``index`` of ``text``, counted from its start (or, ``backwards``, from its end)."""
    if backwards:
        end = len(text) - index * DIGEST_BLOCK
        return text[max(end - DIGEST_BLOCK, 0) : max(end, 0)]
    return text[index * DIGEST_BLOCK : (index + 1) * DIGEST_BLOCK]


def text_digests(
    text: str, known: tuple[tuple[bytes, ...], tuple[bytes, ...]] = ((), ())
) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """The digests of the text's blocks from its start, and from its end; ``known`` are the first ones of
    each, already computed."""
    count = -(-len(text) // DIGEST_BLOCK)
    head, tail = known
    return (
        head[:count] + tuple(_digest(_block(text, i, False)) for i in range(len(head), count)),
        tail[:count] + tuple(_digest(_block(text, i, True)) for i in range(len(tail), count)),
    )


def _same_blocks(text: str, digests: Sequence[bytes], backwards: bool) -> int:
    """How many blocks ``text`` shares with the text of ``digests``, from the start (or from the end)."""
    for index, digest in enumerate(digests):
        block = _block(text, index, backwards)
        if not block or _digest(block) != digest:
            return index
    return len(digests)


def _body_key(section: str) -> str:
    """The key of a section without its heading line (``""`` when it does not start with one)."""
    head = _heading_line(section)
    return _key(section[len(head) :]) if head is not None else ""


def _document_id(document: Document) -> str:
    return hashlib.blake2b(f"{document.path}\0{document.name}".encode(), digest_size=16).hexdigest()


class _LastScan:
    """What the last scan of a document left: its text's length and block digests, its sections (first
    line, first character, key, key without the heading line), the key of each section's part, a summary
    of each part (how many entries, the heading stack it leaves, its problems) and the runs ("chunks")
    that hold the parts: the parts of one topic (their first entry's), in runs of consecutive ones, so
    that a build that needs one topic's entries reads its chunks only. Chunks are read when one of their
    parts is asked for."""

    def __init__(self, folder: Path | None, tag: str, document: Document) -> None:
        self.folder = folder
        self.tag = tag
        self.found = False
        self.length = 0
        self.head: tuple[bytes, ...] = ()
        self.tail: tuple[bytes, ...] = ()
        self.bodies: tuple[str, ...] = ()
        self.lines: tuple[int, ...] = ()
        self.chars: tuple[int, ...] = ()
        self.keys: tuple[str, ...] = ()
        self.part_keys: tuple[str, ...] = ()
        self.openers: tuple[str, ...] = ()
        self.chunks: tuple[str, ...] = ()
        self.chunk_of: tuple[int, ...] = ()
        self.counts: tuple[int, ...] = ()
        self.headings: tuple[Any, ...] = ()
        self.problems: dict[int, Any] = {}
        self.topics: tuple[str, ...] = ()
        self.data: Any = None
        self.damaged: set[str] = set()
        self._at: list[int] = []
        self._sizes: list[int] = []
        self._loaded: dict[int, tuple[Any, ...] | None] = {}
        self._by_key: dict[str, int] | None = None
        self._shared: tuple[tuple[bytes, ...], tuple[bytes, ...]] | None = None
        identity = _document_id(document)
        data = load_blob(folder / DOCUMENTS_FOLDER / f"{identity}.marshal", tag) if folder else None
        if not folder or type(data) is not tuple or data[:2] != (document.path, document.name):
            return  # none, or another document's whose identity hashed alike
        with decoding():
            self.data = data
            (
                _,
                _,
                self.length,
                (self.head, self.tail),
                self.lines,
                self.chars,
                self.keys,
                self.part_keys,
                self.openers,
                self.chunks,
                self.chunk_of,
                self.counts,
                self.headings,
                self.problems,
                self.topics,
                self.bodies,
            ) = data
            self.found = True
            # Each part's place in its chunk.
            self._sizes = [0] * len(self.chunks)
            for chunk in self.chunk_of:
                self._at.append(self._sizes[chunk])
                self._sizes[chunk] += 1

    def same_text(self, text: str) -> bool:
        """Whether ``text`` is the text this scan was of."""
        head, _ = self.shared(text)
        return self.found and len(text) == self.length and len(head) == len(self.head)

    def shared(self, text: str) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
        """The digests of the blocks ``text`` shares with the last text, from its start and from its end
        (remembered: a scan asks for them when it lays out the sections and when it saves)."""
        if self._shared is None:
            same_head = _same_blocks(text, self.head, False)
            if len(text) == self.length and same_head == len(self.head):
                self._shared = self.head, self.tail
            else:
                self._shared = self.head[:same_head], self.tail[: _same_blocks(text, self.tail, True)]
        return self._shared

    def part(self, index: int) -> Any:
        """The stored part of the last scan's section ``index``, or ``None`` when its chunk is gone."""
        chunk = self.chunk_of[index]
        if chunk not in self._loaded:
            name = self.chunks[chunk]
            assert self.folder is not None  # there are chunks only when there is a folder
            stored = load_blob(self.folder / CHUNKS_FOLDER / f"{name}.marshal", self.tag)
            valid = type(stored) is tuple and len(stored) == self._sizes[chunk]
            self._loaded[chunk] = stored if valid else None
            if not valid:
                self.damaged.add(name)
        parts = self._loaded[chunk]
        return parts[self._at[index]] if parts is not None else None

    def find(self, part_key: str) -> Any:
        """The stored part with this key, or ``None``."""
        if self._by_key is None:
            self._by_key = {key: index for index, key in enumerate(self.part_keys)}
        index = self._by_key.get(part_key)
        return None if index is None else self.part(index)


class _Summary(NamedTuple):
    """A stored part without its entries."""

    size: int
    """How many entries it has."""
    headings: Any
    """The heading stack it leaves."""
    problems: Any
    """Its problems, as stored."""
    topic: str
    """Its first entry's topic (``""`` without entries): the parts of a topic are stored together."""


def _summary(stored: Any) -> _Summary:
    """A stored part's summary."""
    with decoding():
        entries = stored[0]
        return _Summary(len(entries), stored[2], stored[1], entries[0][1] if entries else "")


class _Lazy(NamedTuple):
    """A part of the last scan not read (yet): its section index there."""

    old: int
    """Its section index in the last scan."""


class _Layout(NamedTuple):
    """A document's sections, and which of them are the last scan's sections unchanged."""

    piece: list[tuple[int, str]]
    """Each section's first line and key."""
    prefix: int
    """The first ``prefix`` sections are the last scan's first ones, and so are the sections after each
    of them: their parts are the last scan's (if the document's opening labels are the same)."""
    suffix: int
    """Sections from ``suffix`` on are the last scan's last ones, moved: their parts are the last scan's
    if the first of them stands in the same context as it did."""
    shift: int
    """A suffix section's index in the last scan is its index minus ``shift``."""


def _fresh_layout(text: str, starts: array[int]) -> _Layout:
    piece = [(line, _key(section)) for line, section in split_sections(text, starts)]
    return _Layout(piece, 0, len(piece), 0)


def _layout(text: str, starts: array[int], last: _LastScan) -> _Layout:
    """The document's sections: those before and after the lines that changed since the last scan are
    the last scan's (moved), only the lines in between are cut into sections and hashed again."""
    if not last.found:
        return _fresh_layout(text, starts)
    count = len(last.keys)
    if last.same_text(text):
        return _Layout(list(zip(last.lines, last.keys, strict=True)), count, count, 0)
    # What the edits left as it was, to a block's precision: the sections in the blocks around a change
    # are cut and hashed again, and found in the cache by their keys.
    shorter = min(last.length, len(text))
    same_head, same_tail = last.shared(text)
    prefix = min(len(same_head) * DIGEST_BLOCK, shorter)
    suffix = min(len(same_tail) * DIGEST_BLOCK, shorter - prefix)
    # Sections that end before the first changed line are cut where they were (the lines up to there and
    # the fence state are the same); the boundary at the changed line itself may move.
    changed_line = bisect_right(starts, prefix) - 1
    kept = max(bisect_left(last.lines, changed_line, 1) - 1, 0)
    # Sections whose first line and the newline before it lie in the unchanged end, likewise.
    tail = bisect_right(last.chars, last.length - suffix, kept + 1)
    begin, moved = last.chars[kept], 0
    if tail < count:
        head_char = last.chars[tail] + len(text) - last.length
        head_line = bisect_left(starts, head_char)
        if starts[head_line] != head_char:  # cannot happen: the suffix starts after a newline
            return _fresh_layout(text, starts)
        # Cut the changed lines together with the suffix's first line: it must still start a section
        # (a fence opened in the changed lines would swallow it).
        cut = split_sections(text[begin : starts[head_line + 1]])
        if cut[-1][0] != head_line - last.lines[kept]:
            return _fresh_layout(text, starts)
        cut.pop()
        moved = head_line - last.lines[tail]
    else:
        cut = split_sections(text[begin:])
    middle = [(line + last.lines[kept], _key(section)) for line, section in cut]
    piece = [
        *zip(last.lines[:kept], last.keys[:kept], strict=True),
        *middle,
        *((line + moved, key) for line, key in zip(last.lines[tail:], last.keys[tail:], strict=True)),
    ]
    return _Layout(piece, max(kept - 1, 0), kept + len(middle), kept + len(middle) - tail)


DEFERRED_SAVE_SECTIONS = 1000
"""A save of up to this many newly scanned sections may be left for later (holding them costs little)."""


def scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    labels: Labels = DEFAULT_LABELS,
    save: bool = False,
    defer: bool = False,
) -> tuple[ParseResult, ScanStats]:
    """Parse every document, reusing the caches in ``cache_folder`` (if given); with ``save``, the cache
    files whose sections changed are rewritten there (a scan is true whatever becomes of the build, so
    they are saved right away, and the scanned blocks need not be kept for later). With ``defer`` too, a
    small save (few sections scanned: a rebuild) is left to the caller as ``ScanStats.save``, to be done
    beside other work; a large one is still done at once, to free the scanned blocks."""
    scan, stats = _scan_or_rescan(documents, cache_folder, jobs, progress, labels, save, defer, decode=True)
    entries: list[Entry] = []
    problems: list[Problem] = []
    for outcome in scan:
        result = outcome.result if isinstance(outcome, _Scanned) else outcome
        assert result is not None  # decoded
        entries.extend(result.entries)
        problems.extend(result.problems)
    return ParseResult(tuple(entries), tuple(problems)), stats


def scan_sections(
    documents: Sequence[Document],
    cache_folder: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    labels: Labels = DEFAULT_LABELS,
    save: bool = False,
    defer: bool = False,
) -> tuple[list[SectionedDocument | ParseResult], ScanStats]:
    """:func:`scan_documents`, but each document assembled section by section is returned as its
    sections, their entries decoded only when asked for (see :class:`SectionedDocument`); a document
    that must be assembled whole is returned as its entries. For a build that carries most notes over."""
    scan, stats = _scan_or_rescan(documents, cache_folder, jobs, progress, labels, save, defer, decode=False)
    return [
        SectionedDocument(outcome) if isinstance(outcome, _Scanned) else outcome for outcome in scan
    ], stats


def _scan_or_rescan(
    documents: Sequence[Document],
    cache_folder: Path | None,
    jobs: int | None,
    progress: Progress | None,
    labels: Labels,
    save: bool,
    defer: bool,
    decode: bool,
) -> tuple[list[_Scanned | ParseResult], ScanStats]:
    try:
        # The cached data is read all through the scan: whatever in it does not fit is a damaged cache.
        with decoding():
            store = _Store(cache_folder, labels)
            return _scan_documents(
                documents, cache_folder, store, jobs, progress, labels, save, defer, decode
            )
    except DamagedCache:
        # Scan everything afresh (and, with save, overwrite the damaged files); any error now is ours.
        fresh_store = _Store(None, labels)
        outcomes, stats = _scan_documents(
            documents, cache_folder, fresh_store, jobs, progress, labels, save, defer, decode=True
        )
        return outcomes, replace(stats, damaged=True)


def _scan_documents(
    documents: Sequence[Document],
    cache_folder: Path | None,
    store: _Store,
    jobs: int | None,
    progress: Progress | None,
    labels: Labels,
    save: bool,
    defer: bool,
    decode: bool,
) -> tuple[list[_Scanned | ParseResult], ScanStats]:
    # Each section as (first line, hash); only the text of sections to scan is kept.
    starts = [line_starts(document.text) for document in documents]
    lasts = [store.last_scan(document) for document in documents]
    layouts = [
        _layout(document.text, document_starts, last)
        for document, document_starts, last in zip(documents, starts, lasts, strict=True)
    ]
    pieces = [layout.piece for layout in layouts]
    missing: dict[str, str] = {}
    for document, document_starts, piece in zip(documents, starts, pieces, strict=True):
        for index, (_, key) in enumerate(piece):
            if key not in store.facts:
                missing.setdefault(key, _section_text(document.text, document_starts, piece, index))

    bodies, body_keys = _shared_bodies(missing, zip(pieces, lasts, strict=True), store)
    fresh, references, scanned_facts, workers = _scan_texts(missing, labels, (), jobs, progress)
    del missing
    _join_bodies(bodies, fresh, references, store, labels)
    for key in bodies:  # their blocks are joined now: their facts are found again
        scanned_facts.pop(key, None)

    facts: dict[str, Any] = {}
    scans: list[_Scanned] = []
    outcomes: list[_Scanned | ParseResult] = []
    for document, document_starts, layout, last in zip(documents, starts, layouts, lasts, strict=True):
        section = _Sections(
            document, document_starts, layout.piece, store, fresh, references, labels, scanned=scanned_facts
        )
        facts.update(section.facts)
        outcome: _Scanned | ParseResult
        table = section.references()
        if table:
            # A link reference holds for the whole document: the sections that may use one are parsed
            # (and cached) with the document's definitions.
            section = _with_references(section, table, jobs)
            facts.update(section.facts)
        if (assembled := _assemble_by_sections(section, layout, last, decode)) is None:
            outcome = section.assemble_whole()
        else:
            # What the next scan compares with: the sections' own keys.
            outcome = assembled = assembled._replace(piece=layout.piece)
            scans.append(assembled)
        outcomes.append(outcome)

    scanned_count = len(fresh)
    saved = 0
    later: Callable[[], int] | None = None
    if save and cache_folder is not None:
        if defer and scanned_count <= DEFERRED_SAVE_SECTIONS:
            later = _once(partial(_save, cache_folder, store, fresh, facts, scans, lasts, body_keys))
        else:
            saved = _save(cache_folder, store, fresh, facts, scans, lasts, body_keys)
    stats = ScanStats(
        sections=sum(len(p) for p in pieces),
        scanned=scanned_count,
        workers=workers,
        saved=saved,
        labels=labels,
        save=later,
    )
    return outcomes, stats


def _scan_texts(
    texts: dict[str, str], labels: Labels, table: Definitions, jobs: int | None, progress: Progress | None
) -> tuple[dict[str, Any], dict[str, Definitions], dict[str, SectionFacts], int]:
    """Scan sections (key → text; with the document's link references ``table``): their blocks by key,
    the references each defines (only those that define any), their facts by key, and how many worker
    processes ran."""
    keys, pieces = list(texts), list(texts.values())
    total = sum(len(t) for t in pieces)
    workers = min(jobs or os.cpu_count() or 1, 8) if total >= PARALLEL_MIN_CHARS else 0
    scanned: list[_ScannedText] = []
    done = 0
    batches = _batches(pieces)
    if workers > 1 and len(batches) > 1:
        with process_pool(workers) as pool:
            jobs_ = [(labels, batch, table) for batch in batches]
            for batch, batch_result in zip(batches, pool.map(_scan_batch, jobs_), strict=True):
                scanned.extend(batch_result)
                done += sum(len(t) for t in batch)
                if progress:
                    progress(done, total)
    else:
        workers = 0
        for batch in batches:
            scanned.extend(_scan_batch((labels, batch, table)))
            done += sum(len(t) for t in batch)
            if progress:
                progress(done, total)
    fresh = {key: blocks for key, (blocks, _, _) in zip(keys, scanned, strict=True)}
    references = {key: defined for key, (_, defined, _) in zip(keys, scanned, strict=True) if defined}
    facts = {key: found for key, (_, _, found) in zip(keys, scanned, strict=True)}
    return fresh, references, facts, workers


def _once(work: Callable[[], int]) -> Callable[[], int]:
    """``work``, done on the first call only; later calls return what it returned."""
    done: list[int] = []

    def run() -> int:
        if not done:
            done.append(work())
        return done[0]

    return run


def _section_text(text: str, starts: array[int], piece: list[tuple[int, str]], index: int) -> str:
    """The text of a document's section ``index`` (``starts``: the document's line starts)."""
    after = piece[index + 1][0] if index + 1 < len(piece) else len(starts) - 1
    return text[starts[piece[index][0]] : starts[after]]


class _Body(NamedTuple):
    """A section to scan as its heading line only: the rest of it is another section's."""

    text: str
    """The whole section (scanned whole after all if the two do not fit together)."""
    key: str
    """The key of the section whose blocks after its heading are this one's."""
    old: bool
    """Whether that section is a cached one (else it is scanned whole in this scan)."""


def _heading_line(text: str) -> str | None:
    """A section's first line, with its newline, when it is an ATX heading and more lines follow."""
    end = text.find("\n")
    return text[: end + 1] if end != -1 and is_atx_heading(text[:end]) else None


def _shared_bodies(
    missing: dict[str, str], documents: Iterable[tuple[list[tuple[int, str]], _LastScan]], store: _Store
) -> tuple[dict[str, _Body], dict[str, str]]:
    """Sections to scan that, but for their heading line, are another section: a cached one that is no
    longer in use (its "### N." heading renumbered because an entry was inserted before it) or another
    section to scan (an entry repeated under another heading). Only their heading lines are scanned;
    ``missing`` is changed to hold just those lines. A heading is one line and one block, which ends the
    block before it and starts nothing after it, so the blocks of a section are its heading's and those
    of the rest, whatever the heading says. Also gives each section's key without its heading line
    (see :func:`_body_key`), which the last scan saved keeps."""
    by_body: dict[str, list[str]] = {}
    heads: dict[str, str] = {}
    body_keys: dict[str, str] = {}
    for key, text in missing.items():
        body_keys[key] = _body_key(text)
        head = _heading_line(text)
        if head is not None:
            heads[key] = head
            by_body.setdefault(body_keys[key], []).append(key)
    if not by_body:
        return {}, body_keys
    old_bodies: dict[str, str] = {}
    for piece, last in documents:
        in_use = {key for _, key in piece}
        for old_key, body in zip(last.keys, last.bodies, strict=True):
            if body and old_key not in in_use and old_key in store.facts:
                old_bodies.setdefault(body, old_key)
    bodies: dict[str, _Body] = {}
    for body, keys in by_body.items():
        cached = old_bodies.get(body)
        if cached is None:
            # No cached section to take the rest from: the first of them is scanned whole.
            first, *others = sorted(keys)
            shared, source = others, first
        else:
            shared, source = keys, cached
        for key in shared:
            bodies[key] = _Body(missing[key], source, cached is not None)
            missing[key] = heads[key]
    return bodies, body_keys


def _join_bodies(
    bodies: dict[str, _Body],
    fresh: dict[str, Any],
    references: dict[str, Definitions],
    store: _Store,
    labels: Labels,
) -> None:
    """Complete the sections whose heading line alone was scanned with the rest of the section they
    share it with; a section whose parts do not fit together (cache trouble) is scanned whole."""
    # Shard by shard, each let go when done: the cached sections read may be most of the cache.
    done = ""
    for key, body in sorted(bodies.items(), key=lambda item: (item[1].old, _shard(item[1].key), item[0])):
        if body.old and _shard(body.key) != done:
            store.blocks.shards.pop(done, None)
            done = _shard(body.key)
        heading = marshal.loads(fresh[key])  # (scanned just now)
        try:
            with decoding():
                rest = _plain_blocks(store.blocks.get(body.key) if body.old else fresh.get(body.key))
        except DamagedCache:
            rest = None
        joined: bytes | None = None
        if (
            type(heading) is tuple
            and len(heading) == 1
            and type(rest) is tuple
            and rest
            and all(type(block) is tuple and len(block) > 2 for block in (heading[0], rest[0]))
            and heading[0][1:3] == rest[0][1:3] == (0, 1)
        ):
            joined = marshal.dumps(heading + rest[1:])
        defines: Definitions = store.facts[body.key].references if body.old else references.get(body.key, ())
        if joined is None:
            [(joined, defines, _)] = _scan_batch((labels, [body.text], ()))
        fresh[key] = joined
        if defines:
            references[key] = defines
        else:
            references.pop(key, None)
    # The cached sections read for this are not needed again (saving reads its shards one at a time).
    store.blocks.shards.clear()


def _save(
    folder: Path,
    store: _Store,
    fresh: dict[str, Any],
    facts: dict[str, Any],
    scans: list[_Scanned],
    lasts: list[_LastScan],
    body_keys: Mapping[str, str],
) -> int:
    """Rewrite the cache files whose keys changed (``body_keys``: the keys without heading line found while
    scanning); returns how many files were written or removed."""
    saved = 0
    with BlobWriter() as writer:
        # Blocks: the shards that gain a newly scanned section or lose one no longer used.
        gone = {key for key in store.facts if key not in facts}
        touched = {_shard(key) for key in (*fresh, *gone)}
        saved += store.blocks.save(folder / SECTIONS_FOLDER, set(facts), touched, fresh, writer)
        # The scanned blocks are given to the writer: let them go before the scans are written.
        fresh.clear()
        if facts != store.facts:
            saved += _save_facts(folder, store, facts, writer)
        saved += _save_last_scans(folder, store.parts_tag, scans, lasts, body_keys, writer)
    # Earlier builds kept every section in one file, and parts by hash; neither is read again.
    with contextlib.suppress(OSError):
        (folder / "sections.marshal").unlink(missing_ok=True)
    shutil.rmtree(folder / "parts", ignore_errors=True)
    return saved


def _save_facts(folder: Path, store: _Store, facts: dict[str, Any], writer: BlobWriter) -> int:
    """Write the facts of the cached sections: the changes since the facts file was written, or (when
    they are many) every section's facts; returns how many files were written or removed."""
    written = store.written
    # Marshal takes plain tuples only.
    added = {key: tuple(value) for key, value in facts.items() if key not in written}
    removed = tuple(sorted(key for key in written if key not in facts))
    if len(added) + len(removed) <= FACTS_CHANGES_SHARE * len(written):
        writer.write(folder / FACTS_CHANGES_NAME, store.facts_tag, (added, removed))
        return 1
    writer.write(folder / FACTS_NAME, store.facts_tag, {key: tuple(value) for key, value in facts.items()})
    changes = folder / FACTS_CHANGES_NAME
    if not changes.exists():
        return 1
    writer.flush()  # before the changes go: they hold true facts, the file before it fewer
    with contextlib.suppress(OSError):
        changes.unlink(missing_ok=True)
    return 2


def _chunk_bounds(part_keys: Sequence[str]) -> list[tuple[int, int]]:
    """Where the runs of a document's parts begin and end: after a part whose key says so (see
    :data:`CHUNK_SECTIONS`), or after :data:`MAX_CHUNK_SECTIONS` parts."""
    bounds, begin = [], 0
    for index, key in enumerate(part_keys):
        if int(key[-4:], 16) % CHUNK_SECTIONS == 0 or index + 1 - begin >= MAX_CHUNK_SECTIONS:
            bounds.append((begin, index + 1))
            begin = index + 1
    if begin < len(part_keys):
        bounds.append((begin, len(part_keys)))
    return bounds


def _save_last_scans(
    folder: Path,
    tag: str,
    scans: list[_Scanned],
    lasts: list[_LastScan],
    body_keys: Mapping[str, str],
    writer: BlobWriter,
) -> int:
    """Write each document's scan and the runs of parts that are new; remove what no document uses."""
    saved = 0
    for subfolder in (CHUNKS_FOLDER, DOCUMENTS_FOLDER):
        with contextlib.suppress(OSError):
            (folder / subfolder).mkdir(parents=True, exist_ok=True)
    stored = {name for last in lasts for name in last.chunks if name not in last.damaged}
    used: set[str] = set()
    documents: set[str] = set()
    for scan in scans:
        # The parts of each topic in runs (see _chunk_bounds), in order of their first part.
        by_topic: dict[str, list[int]] = {}
        for index, summary in enumerate(scan.summaries):
            by_topic.setdefault(summary.topic, []).append(index)
        names: list[str] = []
        chunk_of = [0] * len(scan.part_keys)
        whole = True
        for members in by_topic.values():
            for begin, end in _chunk_bounds([scan.part_keys[i] for i in members]):
                run = members[begin:end]
                name = hashlib.blake2b(
                    "\n".join(scan.part_keys[i] for i in run).encode(), digest_size=16
                ).hexdigest()
                for index in run:
                    chunk_of[index] = len(names)
                names.append(name)
                if name not in stored and name not in used:
                    parts = tuple(scan.stored(i) for i in run)
                    if None in parts:  # a damaged chunk of the last scan: scanned again next time
                        whole = False
                        continue
                    writer.write(folder / CHUNKS_FOLDER / f"{name}.marshal", tag, parts, deflate=True)
                    saved += 1
                used.add(name)
        document = scan.document
        if not whole:
            continue
        starts = scan.starts
        identity = _document_id(document)
        documents.add(identity)
        digests = text_digests(
            document.text, scan.last.shared(document.text) if scan.last.found else ((), ())
        )
        # A section's key without its heading line: the last scan's for its sections, or the scan's for
        # those it scanned, else computed.
        known = dict(zip(scan.last.keys, scan.last.bodies, strict=True))
        bodies = tuple(
            known[key]
            if key in known
            else body_keys[key]
            if key in body_keys
            else _body_key(_section_text(document.text, starts, scan.piece, index))
            for index, (_, key) in enumerate(scan.piece)
        )
        # One string per topic: marshal writes a string used again as a reference.
        topics: dict[str, str] = {}
        first_lines = tuple(map(itemgetter(0), scan.piece))
        sizes, headings, problems, stored_topics = list(zip(*scan.summaries, strict=True)) or [()] * 4
        data = (
            document.path,
            document.name,
            len(document.text),
            digests,
            first_lines,
            tuple(map(starts.__getitem__, first_lines)),
            tuple(map(itemgetter(1), scan.piece)),
            scan.part_keys,
            scan.openers,
            tuple(names),
            tuple(chunk_of),
            sizes,
            headings,
            {index: found for index, found in enumerate(problems) if found},
            tuple(topics.setdefault(topic, topic) for topic in stored_topics),
            bodies,
        )
        if data != scan.last.data:
            writer.write(folder / DOCUMENTS_FOLDER / f"{identity}.marshal", tag, data)
            saved += 1
    writer.flush()  # before the clean-up, which would take a file being written for a stray one
    for subfolder, keep in ((CHUNKS_FOLDER, used), (DOCUMENTS_FOLDER, documents)):
        with contextlib.suppress(OSError):
            for path in sorted((folder / subfolder).iterdir()):
                if path.stem not in keep or path.suffix != ".marshal":
                    path.unlink(missing_ok=True)
                    saved += 1
    return saved


def _references_digest(table: Definitions) -> str:
    """What a document's link references are, in a few characters: part of the keys they change."""
    return hashlib.blake2b(repr(table).encode(), digest_size=16).hexdigest()


def _with_references(section: _Sections, table: Definitions, jobs: int | None) -> _Sections:
    """The document's sections, those that may use a link reference (that have a ``[``) under keys of
    their text and ``table``, parsed with it (and cached) where they are new: as a parse of the whole
    document sees them. The others are the same either way."""
    digest = _references_digest(table)
    piece: list[tuple[int, str]] = []
    missing: dict[str, str] = {}
    references: dict[str, Definitions] = {}
    for index, (line, key) in enumerate(section.piece):
        text = section.text(index)
        if "[" in text:
            defined = section.facts[key].references
            key = _key(f"{key}\x00{digest}")
            if defined:
                references[key] = defined
            if key not in section.fresh and key not in section.store.facts:
                missing[key] = text
        piece.append((line, key))
    scanned, _, _, _ = _scan_texts(missing, section.labels, table, jobs, None)
    section.fresh.update(scanned)
    return _Sections(
        section.document,
        section.starts,
        piece,
        section.store,
        section.fresh,
        references,
        section.labels,
        table,
    )


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
        references: dict[str, Definitions],
        labels: Labels,
        table: Definitions = (),
        scanned: Mapping[str, SectionFacts] | None = None,
    ) -> None:
        self.document = document
        self.starts = starts  # the document's line_starts
        self.piece = piece
        self.store = store
        self.fresh = fresh
        self.labels = labels
        self.table = table
        """The document's link references the sections were parsed with (see :func:`_with_references`)."""
        self.facts: dict[str, SectionFacts] = {}
        found = scanned or {}  # the facts of sections just scanned, as the workers found them
        for index, (_, key) in enumerate(piece):
            if key not in self.facts:
                known = store.facts.get(key) if key not in fresh else found.get(key)
                self.facts[key] = (
                    known
                    if known is not None
                    else section_facts(self.blocks(index, 0), references.get(key, ()))
                )

    def references(self) -> Definitions:
        """The document's link reference definitions: the first of each label, in document order."""
        table: dict[str, tuple[str, str, str]] = {}
        for _, key in self.piece:
            for definition in self.facts[key].references:
                table.setdefault(definition[0], definition)
        return tuple(table.values())

    def openers(self) -> tuple[str, ...]:
        """What, besides the opening labels, every part's key depends on: the link references."""
        if not self.table:
            return ()
        return ("\x00references " + _references_digest(self.table),)

    def text(self, index: int) -> str:
        """The text of section ``index``."""
        return _section_text(self.document.text, self.starts, self.piece, index)

    def stored(self, index: int) -> Any:
        """Section ``index``'s blocks as scanned (unchecked)."""
        key = self.piece[index][1]
        stored = self.fresh[key] if key in self.fresh else self.store.blocks.get(key)
        if stored is None:
            # Known, but its cache file is gone or damaged: scan it again (it is saved as new).
            stored = self.fresh[key] = _scan_batch((self.labels, [self.text(index)], self.table))[0][0]
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


class _Scanned(NamedTuple):
    """A document assembled section by section, and what its next scan needs to know."""

    document: Document
    """The document."""
    starts: array[int]
    """Its line starts."""
    piece: list[tuple[int, str]]
    """Its sections' first lines and keys."""
    part_keys: tuple[str, ...]
    """Each section's part key (the section and the context it stands in)."""
    parts: tuple[Any, ...]
    """Each section's part, as stored."""
    openers: tuple[str, ...]
    """The document's opening labels."""
    last: _LastScan
    """Its last scan."""
    result: ParseResult | None
    """Its entries and problems (``None`` when its parts were not decoded: see ``assembled``)."""
    assembled: dict[int, Part]
    """The parts assembled in this scan, by section (the others are decoded from ``parts`` on demand)."""
    summaries: tuple[_Summary, ...]
    """Each section's part's summary."""
    problems: tuple[Problem, ...]
    """Every problem of its parts, in order (without the document's own: see ``document_result``)."""

    def stored(self, index: int) -> Any:
        """Section ``index``'s part as stored (read from the last scan if it was left there; ``None`` when
        that is damaged)."""
        stored = self.parts[index]
        return self.last.part(stored.old) if isinstance(stored, _Lazy) else stored


def _assemble_by_sections(
    sections: _Sections, layout: _Layout, last: _LastScan, decode: bool = True
) -> _Scanned | None:
    """Assemble a document section by section, each from the last scan when the same section stood in
    the same context then; ``None`` when an entry runs on from one section into the next (then the whole
    document is assembled at once). Without ``decode``, the entries of parts taken from the last scan are
    left undecoded (``result`` is ``None``)."""
    document, piece = sections.document, sections.piece
    facts = [sections.facts[key] for _, key in piece]
    openers = document_openers(facts)
    if any(not fact.kind for fact in facts[1:]):
        return None
    openers_key = (*sorted(openers), *sections.openers())
    # Parts known to be the last scan's without computing their keys (see _Layout).
    known = layout.prefix if openers_key == last.openers else 0
    tail_known = False
    headings: tuple[tuple[int, str], ...] = ()
    entries: list[Entry] = []
    problems: list[Problem] = []
    part_keys: list[str] = []
    parts: list[Any] = []
    assembled: dict[int, Part] = {}
    summaries: list[_Summary] = []
    begin = 0
    if not decode and known:
        run = _unread(last, document, piece, 0, known, 0)
        part_keys, parts, summaries, problems = run.part_keys, run.parts, run.summaries, run.problems
        headings, begin = run.headings or (), known
    for index in range(begin, len(piece)):
        offset, key = piece[index]
        part = None
        if index < known or tail_known:  # (decoded: without ``decode`` they were taken in bulk)
            old = index if index < known else index - layout.shift
            part_key = last.part_keys[old]
            stored = last.part(old)
            part = _decode_part(stored, document, offset)
            summary = _summary(stored) if part is not None else None
        if part is None:
            next_opening = facts[index + 1].opening if index + 1 < len(piece) else None
            context = section_context(headings, facts[index])
            signature = (key, context, next_opening, openers_key, document.path, document.name)
            part_key = hashlib.blake2b(repr(signature).encode(), digest_size=16).hexdigest()
            if index == layout.suffix and part_key == last.part_keys[index - layout.shift]:
                tail_known = True
            stored = last.find(part_key)
            part = _decode_part(stored, document, offset, decode)
            if part is None:
                blocks = sections.blocks(index, offset)
                part = assemble_part(document, blocks, openers, context, next_opening, sections.starts)
                stored = _encode_part(part, offset)
                assembled[index] = part
            summary = _summary(stored)
        if not part.clean:
            return None
        assert summary is not None  # set with every part
        part_keys.append(part_key)
        parts.append(stored)
        summaries.append(summary)
        entries.extend(part.entries)
        problems.extend(part.problems)
        headings = part.headings
        if tail_known and not decode:
            run = _unread(last, document, piece, index + 1, len(piece), layout.shift)
            part_keys += run.part_keys
            parts += run.parts
            summaries += run.summaries
            problems += run.problems
            headings = run.headings or headings
            break
    result = document_result(document, entries, problems) if decode else None
    return _Scanned(
        document,
        sections.starts,
        piece,
        tuple(part_keys),
        tuple(parts),
        openers_key,
        last,
        result,
        assembled,
        tuple(summaries),
        tuple(problems),
    )


class _Unread(NamedTuple):
    """A run of sections whose parts are the last scan's, left unread (most sections of a large document a
    build carries notes over for), taken in bulk from the last scan's columns."""

    part_keys: list[str]
    parts: list[_Lazy]
    summaries: list[_Summary]
    problems: list[Problem]
    headings: tuple[tuple[int, str], ...] | None
    """The heading stack the last of them leaves (``None``: the run is empty)."""


def _unread(
    last: _LastScan, document: Document, piece: list[tuple[int, str]], begin: int, end: int, shift: int
) -> _Unread:
    """Sections ``begin`` to ``end``, which were the last scan's ``begin - shift`` to ``end - shift``."""
    first, stop = begin - shift, end - shift
    found = list(map(last.problems.get, range(first, stop), itertools.repeat(())))
    problems = [
        problem
        for old in sorted(i for i in last.problems if first <= i < stop)
        for problem in _decode_problems(last.problems[old], document, piece[old + shift][0])
    ]
    return _Unread(
        list(last.part_keys[first:stop]),
        list(map(_Lazy, range(first, stop))),
        list(
            map(_Summary, last.counts[first:stop], last.headings[first:stop], found, last.topics[first:stop])
        ),
        problems,
        last.headings[stop - 1] if first < stop else None,
    )


class SectionedDocument:
    """A document assembled section by section, each section's entries decoded when asked for."""

    def __init__(self, scanned: _Scanned) -> None:
        self._scanned = scanned
        self.document: Document = scanned.document
        """The document."""
        self.part_keys: tuple[str, ...] = scanned.part_keys
        """Each section's part key: its text and the context it stands in (equal keys, equal parts)."""
        self.lines: tuple[int, ...] = tuple(line for line, _ in scanned.piece)
        """Each section's first line (0-based)."""
        self.counts: tuple[int, ...] = tuple(summary.size for summary in scanned.summaries)
        """How many entries each section has."""
        empty = () if any(self.counts) else (empty_document_problem(scanned.document),)
        self.problems: tuple[Problem, ...] = (*scanned.problems, *empty)
        """Every problem found in the document."""

    def entries(self, index: int) -> tuple[Entry, ...]:
        """Section ``index``'s entries (:class:`qa2anki.cache.DamagedCache` when its cached part is gone
        or damaged)."""
        if index in self._scanned.assembled:
            return self._scanned.assembled[index].entries
        part = _decode_part(self._scanned.stored(index), self.document, self.lines[index])
        if part is None:
            raise DamagedCache(f"a part of {self.document.path} is gone from the cache")
        return part.entries


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
            e.last - offset,
        )
        for e in part.entries
    )
    problems = tuple((p.line - offset if p.line else 0, str(p.severity), p.message) for p in part.problems)
    return (entries, problems, part.headings, part.clean)


def _decode_part(stored: Any, document: Document, offset: int, decode: bool = True) -> Part | None:
    """A cached part, moved to the section's place; ``None`` when there is none (its chunk is gone).
    Without ``decode``, its entries are left out."""
    if stored is None:
        return None
    path, name = document.path, document.name
    with decoding():
        stored_entries, stored_problems, headings, clean = stored
        # Each row: line, topic, the question's and answer's Markdown, HTML and folded text, images, rule,
        # last line.
        rows: Iterable[tuple[Any, ...]] = stored_entries if decode else ()
        entries = [
            Entry(*(path, name, line + offset, *texts, _moved(images, offset), rule, last + offset))
            for line, *texts, images, rule, last in rows
        ]
        return Part(tuple(entries), _decode_problems(stored_problems, document, offset), headings, clean)


def _moved(images: tuple[tuple[str, int], ...], offset: int) -> tuple[tuple[str, int], ...]:
    return tuple((src, line + offset) for src, line in images) if images else ()


def _decode_problems(stored: Any, document: Document, offset: int) -> tuple[Problem, ...]:
    """A part's stored problems, moved to its section's place."""
    with decoding():
        return tuple(
            Problem(document.path, line + offset if line else 0, Severity(severity), message)
            for line, severity, message in stored
        )
