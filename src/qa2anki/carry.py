"""Carry a build's unchanged notes over to the next build, without parsing, clustering or rendering them.

A build of a large project that changed a few entries would otherwise redo every note: decode every entry
from the scan cache, cluster, render, hash and identify them all. Most of them cannot have changed:

* Clustering is local. Two entries share a note only through an exact duplicate (any topics) or a near
  duplicate in the same topic, so the notes fall into **regions**: sets of topics linked by notes that span
  them. A region's notes depend only on its own entries.
* Identification is local for notes whose lock record is the one they were last built from: a note finds
  its record by its own key first, before any other note looks (see :mod:`qa2anki.identity`).

So every build leaves a **ledger** beside the caches: the sections of each document (part keys), the topics
of each section, the regions, a digest of each exact-duplicate text, and per note its GUID, mod, content
hash, fields, tags, images and where its first entry (and, for a conflict, its entries shown) stand. The
next build aligns each document's sections with the ledger's (the sections before the first change and
after the last one are the ledger's, moved); the regions of the sections in between, of the topics of
their entries and of any region one of those duplicates exactly are **touched**: their entries are decoded
and go through the whole pipeline. Every other note is carried over as the ledger has it.

The ledger is used only when everything else is as it was: the versions of qa2anki, markdown-it-py and
Pygments, the settings and options, the document list, and the lock's bytes (its SHA-256; a ledger records
a lock only when it is written as this program writes it, since carried notes' lines are copied). The
images carried notes show are found and read again and must be the same files with the same bytes (an
image can change without its document changing). Otherwise, or when anything in the ledger does not fit,
the build is a full one.
``tests/test_carry.py`` checks that a carried build writes the very same deck, lock and report as a full
build, over random sequences of edits.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby, starmap
from pathlib import Path
from typing import Any, NamedTuple

from qa2anki.atomic import write_atomic
from qa2anki.cache import DamagedCache, blob_pieces, decoding, encode_blob, load_blob, unread_reason
from qa2anki.errors import Problem
from qa2anki.fold import fold, unspaced
from qa2anki.i18n import gettext as _
from qa2anki.media import ImageSource
from qa2anki.normalize import (
    Note,
    UnionFind,
    alike_problem,
    conflict_problem,
    fold_topic,
    stale_problems,
)
from qa2anki.parse import Entry
from qa2anki.scan import SectionedDocument

LEDGER_NAME = "ledger.marshal"
"""The ledger's index in the cache folder (its rows are in :data:`ROWS_FOLDER`)."""
LEDGER_TAG = "ledger"

Ref = tuple[int, int, int]
"""Where an entry stands: document index, section index, line within the section."""


class CarriedNote(NamedTuple):
    """A note as the ledger keeps it (a named tuple: a ledger holds a great many)."""

    region: int
    """The region of its topics."""
    guid: str
    """Its GUID."""
    mod: int
    """Its mod time."""
    content: str
    """The hash of its fields and tags (as in the lock)."""
    fields: tuple[str, ...]
    """Its fields."""
    tags: tuple[str, ...]
    """Its tags."""
    first: Ref
    """Its first entry (notes are in the order of their first entries)."""
    conflict: tuple[Ref, ...]
    """For a note with conflicting answers: the entry shown, then the alternatives' entries (``()``
    otherwise)."""
    media: tuple[str, ...]
    """The packed names of the images its fields show."""
    stale: tuple[Ref, ...] = ()
    """For a note with stale copies: the entry shown, then the stale copies (``()`` otherwise)."""
    edited: tuple[Ref, ...] = ()
    """For a note whose copies were changed differently: the entry shown, then those copies (its region is
    built afresh by the next carried build, see :func:`plan`)."""
    alike: tuple[Ref, ...] = ()
    """For a note whose card asks and answers like another card (see ``Note.alike``): the entry shown, then
    the other card's (``()`` otherwise)."""


@dataclass(frozen=True)
class LedgerDocument:
    """A document as the last build saw it."""

    path: str
    """Its path, as the user named it."""
    name: str
    """Its name relative to its source folder."""
    part_keys: tuple[str, ...]
    """Its sections' part keys."""
    topics: tuple[tuple[int, ...], ...]
    """Each section's entries' topics (indices into :attr:`Ledger.topics`)."""


@dataclass(frozen=True)
class Ledger:
    """What a build leaves for the next one to carry its notes over."""

    signature: str
    """A hash of the settings and the document list (the code is the ledger file's tag's part, see
    :mod:`qa2anki.cache`)."""
    lock: str
    """The SHA-256 of the lock file the build left."""
    documents: tuple[LedgerDocument, ...]
    """The documents."""
    topics: tuple[str, ...]
    """Every folded topic."""
    names: tuple[tuple[str, ...], ...]
    """Each topic's spellings (the topics as written, before folding)."""
    regions: tuple[int, ...]
    """Each topic's region."""
    groups: dict[int, int]
    """A digest of each distinct (folded question, folded answer) → one of its topics."""
    notes: tuple[CarriedNote, ...]
    """Every note of the deck."""
    media: dict[str, ImageSource]
    """The packed name of each image the notes show → where an entry showed it (to be found again)."""


def signature(*settings: object) -> str:
    """A hash of what must be the same for a ledger to be used (``repr`` of each, in order)."""
    return hashlib.sha256(repr(settings).encode()).hexdigest()


def group_digest(entry: Entry) -> int:
    """A 64-bit digest of an entry's folded question and answer, spacing style aside (``unspaced``): equal
    for exact duplicates. (Two texts
    with one digest only make a build touch a region it need not.)"""
    question = unspaced(entry.question_folded or fold(entry.question_md))
    answer = unspaced(entry.answer_folded or fold(entry.answer_md))
    return int.from_bytes(hashlib.blake2b(f"{question}\x1f{answer}".encode(), digest_size=8).digest(), "big")


# Stored as plain tuples (marshal): a large ledger holds hundreds of thousands of values. The notes' fields
# and tags (most of its bytes) are kept apart, in shards by content hash: a build that changed a few notes
# rewrites a few small shards, not every note's fields.

ROWS_FOLDER = "ledger-rows"
"""The fields and tags of the ledger's notes, one file per first two hex digits of their content hash."""


def _shard(content: str) -> str:
    return content[:2]


def load_ledger(folder: Path) -> Ledger | None:
    """The ledger in the cache folder, or ``None`` when there is none (or it is damaged)."""
    index = load_blob(folder / LEDGER_NAME, LEDGER_TAG)
    if index is None:
        return None
    try:
        with decoding():
            shards = {_shard(note[3]) for note in index[7]}
        rows: dict[str, Any] = {}
        for name in sorted(shards):
            shard = load_blob(folder / ROWS_FOLDER / f"{name}.marshal", LEDGER_TAG)
            if shard is None:
                return None  # a row file is gone
            rows.update(shard)
        return decode(index, rows)
    except DamagedCache:
        return None


def ledger_state(folder: Path) -> str:
    """Why :func:`load_ledger` found no ledger in the cache folder, for messages."""
    reason = unread_reason(folder / LEDGER_NAME, LEDGER_TAG)
    if reason == _("is not there"):
        return _("is not there (a first build, a removed cache, or a last build that could not leave one)")
    return reason


WRITTEN_NAME = "written.marshal"
"""What the last build wrote of each note (its mod and content hash), kept in the cache folder when it
could leave no ledger (which holds the same): a ``git revert`` of the sources and the lock is only seen
against it (see ``build._went_back``)."""
WRITTEN_TAG = "written"


def load_written(folder: Path) -> dict[str, tuple[int, str]] | None:
    """GUID → (mod, content hash) of the notes the last build wrote: from its ledger, else from its
    :data:`WRITTEN_NAME` record; ``None`` when there is neither (or it is damaged)."""
    ledger = load_ledger(folder)
    if ledger is not None:
        return {note.guid: (note.mod, note.content) for note in ledger.notes}
    stored = load_blob(folder / WRITTEN_NAME, WRITTEN_TAG)
    if stored is None:
        return None
    try:
        with decoding():
            return {guid: (mod, content) for guid, (mod, content) in stored.items()}
    except DamagedCache:
        return None


def save_written(folder: Path, written: Mapping[str, tuple[int, str]] | None) -> None:
    """Keep what a build that leaves no ledger wrote (``None``: the build leaves a ledger, which says it)."""
    with contextlib.suppress(OSError):
        if written is None:
            (folder / WRITTEN_NAME).unlink(missing_ok=True)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            write_atomic(folder / WRITTEN_NAME, encode_blob(WRITTEN_TAG, dict(written)), durable=False)


def save_ledger(folder: Path, ledger: Ledger | None, previous: Ledger | None) -> None:
    """Write the ledger (``None``: remove it), rewriting only the row shards whose notes changed since
    ``previous`` (the ledger read at the start of this build, if it was used)."""
    with contextlib.suppress(OSError):
        (folder / LEDGER_NAME).unlink(missing_ok=True)
    if ledger is None:
        shutil.rmtree(folder / ROWS_FOLDER, ignore_errors=True)
        return
    by_shard: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for note in ledger.notes:
        by_shard.setdefault(_shard(note.content), {})[note.content] = (note.fields, note.tags)
    before: dict[str, set[str]] = {}
    for note in previous.notes if previous is not None else ():
        before.setdefault(_shard(note.content), set()).add(note.content)
    rows = folder / ROWS_FOLDER
    with contextlib.suppress(OSError):
        rows.mkdir(parents=True, exist_ok=True)
        for name in sorted(by_shard):
            if previous is None or before.get(name) != set(by_shard[name]):
                write_atomic(rows / f"{name}.marshal", encode_blob(LEDGER_TAG, by_shard[name]), durable=False)
        for path in rows.iterdir():
            if path.stem not in by_shard:
                path.unlink(missing_ok=True)
        # The index last: it is what says the ledger is there.
        write_atomic(folder / LEDGER_NAME, blob_pieces(LEDGER_TAG, encode(ledger)), durable=False)


def encode(ledger: Ledger) -> Any:
    """The ledger's index as plain data (its notes without their fields and tags)."""
    return (
        ledger.signature,
        ledger.lock,
        tuple((d.path, d.name, d.part_keys, d.topics) for d in ledger.documents),
        ledger.topics,
        ledger.names,
        ledger.regions,
        ledger.groups,
        tuple(
            (n.region, n.guid, n.mod, n.content, n.first, n.conflict, n.media, n.stale, n.edited, n.alike)
            for n in ledger.notes
        ),
        ledger.media,
    )


def decode(data: Any, rows: dict[str, Any]) -> Ledger:
    """The ledger from its index and rows (content hash → fields and tags)."""
    with decoding():
        signature_, lock, documents, topics, names, regions, groups, notes, media = data
        ledger_documents = tuple(starmap(LedgerDocument, documents))
        regions_, guids, mods, contents, firsts, conflicts, images, stale, edited, alike = (
            zip(*notes, strict=True) if notes else ((),) * 10
        )
        fields, tags = zip(*map(rows.__getitem__, contents), strict=True) if notes else ((), ())
        carried = tuple(
            map(
                CarriedNote,
                regions_,
                guids,
                mods,
                contents,
                fields,
                tags,
                firsts,
                conflicts,
                images,
                stale,
                edited,
                alike,
            )
        )
        return Ledger(signature_, lock, ledger_documents, topics, names, regions, groups, carried, media)


@dataclass(frozen=True)
class Carry:
    """What a build takes from the ledger, and what it must build afresh."""

    carried: tuple[CarriedNote, ...]
    """The notes carried over, their refs moved to the sections' new places."""
    entries: tuple[Entry, ...]
    """The entries of the touched regions, in document order: to be clustered into the other notes."""
    touched: frozenset[str]
    """The folded topics of the touched regions."""
    moves: tuple[tuple[int, int, int], ...]
    """Per document, how its sections line up with the ledger's: the ledger's sections before ``start``
    stand where they stood, those from ``stop`` on stand ``shift`` places later, those between are gone."""


def _aligned(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """How many part keys two documents share at the start and, after that, at the end."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return start, end


def plan(ledger: Ledger, documents: Sequence[SectionedDocument]) -> Carry | None:
    """Which notes the ledger carries over to a build of ``documents`` and which entries must be built
    afresh; ``None`` when the ledger does not fit (then everything is built). A section whose cached
    entries are damaged raises :class:`qa2anki.cache.DamagedCache`."""
    if len(documents) != len(ledger.documents):
        return None
    topic_index = {topic: index for index, topic in enumerate(ledger.topics)}
    touched_regions: set[int] = set()
    new_topics: set[str] = set()
    moves: list[tuple[int, int, int]] = []  # see Carry.moves
    added: list[tuple[int, int]] = []
    for number, (old, new) in enumerate(zip(ledger.documents, documents, strict=True)):
        if (old.path, old.name) != (new.document.path, new.document.name):
            return None
        start, end = _aligned(old.part_keys, new.part_keys)
        moves.append((start, len(old.part_keys) - end, len(new.part_keys) - len(old.part_keys)))
        for index in range(start, len(old.part_keys) - end):
            touched_regions.update(ledger.regions[t] for t in old.topics[index])
        for index in range(start, len(new.part_keys) - end):
            added.append((number, index))
    new_entries: dict[tuple[int, int], tuple[Entry, ...]] = {}
    for number, index in added:
        found = documents[number].entries(index)
        new_entries[(number, index)] = found
        for entry in found:
            topic = fold_topic(entry.topic)
            if topic in topic_index:
                touched_regions.add(ledger.regions[topic_index[topic]])
            else:
                new_topics.add(topic)
            duplicate = ledger.groups.get(group_digest(entry))
            if duplicate is not None:
                touched_regions.add(ledger.regions[duplicate])
    # Copies changed differently are decided again each build, from the lock and the sources, as a full
    # build decides them: the lock does not record that the card kept its wording for them.
    touched_regions.update(note.region for note in ledger.notes if note.edited)
    touched = frozenset(
        {t for t, region in zip(ledger.topics, ledger.regions, strict=True) if region in touched_regions}
        | new_topics
    )
    touched_indices = {topic_index[t] for t in touched if t in topic_index}

    def moved(ref: Ref) -> Ref | None:
        number, index, line = ref
        if not (0 <= number < len(moves) and 0 <= index < len(ledger.documents[number].part_keys)):
            return None
        start, stop, shift = moves[number]
        if index < start:
            return ref
        if index >= stop and index + shift < len(documents[number].part_keys):
            return (number, index + shift, line)
        return None

    carried = []
    # Per document, the sections that stand where they stood: those before ``start``, and those from
    # ``stop`` to ``count`` (the ledger's sections) when as many sections stand after the change as before.
    still = [
        (start, stop if shift == 0 else len(old.part_keys), len(old.part_keys))
        for (start, stop, shift), old in zip(moves, ledger.documents, strict=True)
    ]
    for note in ledger.notes:
        if note.region in touched_regions:
            continue
        number, index, _ = note.first
        if not (note.conflict or note.stale or note.alike) and 0 <= number < len(still):
            start, stop, count = still[number]
            if 0 <= index < start or stop <= index < count:
                carried.append(note)  # most notes: one entry, in a section that stands still
                continue
        first = moved(note.first)
        conflict = tuple(ref for ref in map(moved, note.conflict) if ref is not None)
        stale = tuple(ref for ref in map(moved, note.stale) if ref is not None)
        alike = tuple(ref for ref in map(moved, note.alike) if ref is not None)
        if first is None or (len(conflict), len(stale), len(alike)) != (
            len(note.conflict),
            len(note.stale),
            len(note.alike),
        ):
            return None  # an untouched note in a changed section: the ledger does not fit
        # Most notes stand where they stood: the same tuple.
        unmoved = first is note.first and (conflict, stale, alike) == (note.conflict, note.stale, note.alike)
        if unmoved:
            carried.append(note)
        else:
            carried.append(note._replace(first=first, conflict=conflict, stale=stale, alike=alike))
    # Every entry of the touched topics: from the new sections, and from the others that have any.
    entries: list[Entry] = []
    for number, document in enumerate(documents):
        old = ledger.documents[number]
        start, _, shift = moves[number]
        for index in range(len(document.part_keys)):
            found_ = new_entries.get((number, index))
            if found_ is None:
                if not touched_indices.intersection(old.topics[index if index < start else index - shift]):
                    continue
                found_ = document.entries(index)
            entries.extend(e for e in found_ if fold_topic(e.topic) in touched)
    return Carry(tuple(carried), tuple(entries), touched, tuple(moves))


def position(ref: Ref, documents: Sequence[tuple[str, tuple[int, ...]]]) -> tuple[str, int]:
    """A ref's (path, 1-based line)."""
    number, index, line = ref
    path, lines = documents[number]
    return path, lines[index] + line


def ref_of(entry: Entry, number: int, lines: Sequence[int]) -> Ref:
    """Where an entry of document ``number`` (whose sections start at ``lines``) stands."""
    index = bisect_right(lines, entry.line - 1) - 1
    return (number, index, entry.line - lines[index])


def notices(
    carried: Sequence[CarriedNote], documents: Sequence[tuple[str, tuple[int, ...]]]
) -> list[Problem]:
    """The warnings of carried notes (conflicts, stale copies, cards alike), at their entries' current lines
    (a note with copies changed differently is never carried)."""
    problems = []
    for note in carried:
        if note.conflict:
            shown, *alternatives = (position(ref, documents) for ref in note.conflict)
            problems.append(conflict_problem(shown, alternatives))
        if note.stale:
            shown, *stale = (position(ref, documents) for ref in note.stale)
            problems.extend(stale_problems(shown, stale))
        if note.alike:
            shown, other = (position(ref, documents) for ref in note.alike)
            problems.append(alike_problem(shown, other))
    return problems


def regions_of(topic_sets: Iterable[Iterable[str]], topics: Sequence[str]) -> tuple[int, ...]:
    """Each topic's region: topics linked by a note that stands under both are one region. Numbered in
    the order of ``topics``."""
    index = {topic: number for number, topic in enumerate(topics)}
    union = UnionFind(len(topics))
    for linked in topic_sets:
        first, *others = (index[topic] for topic in linked)
        for other in others:
            union.union(first, other)
    numbers: dict[int, int] = {}
    return tuple(numbers.setdefault(union.find(number), len(numbers)) for number in range(len(topics)))


class BuiltNote(NamedTuple):
    """A note this build made, as the ledger needs it."""

    note: Note
    """The note."""
    guid: str
    """Its GUID."""
    mod: int
    """Its mod."""
    content: str
    """Its content hash."""
    fields: tuple[str, ...]
    """Its fields."""
    tags: tuple[str, ...]
    """Its tags."""
    media: tuple[str, ...]
    """The packed names of the images it shows."""


def next_ledger(
    signature_: str,
    lock_digest: str,
    documents: Sequence[SectionedDocument],
    previous: Ledger | None,
    carry: Carry | None,
    built: Sequence[BuiltNote],
    entries: Sequence[Entry],
    media: Mapping[str, ImageSource],
) -> Ledger:
    """The ledger after this build: the carried notes as they were (moved), the built ones as made;
    ``entries`` are those the built notes were made from, in document order (every entry, without a
    carry), ``media`` where the images they show were found (packed name → where an entry showed it).
    A carry keeps the last ledger's topic numbers (a topic no entry has any more stays, unused)."""
    number_of = {document.document.path: number for number, document in enumerate(documents)}
    lines = [document.lines for document in documents]
    carried = previous is not None and carry is not None
    touched: frozenset[str] = carry.touched if carry is not None else frozenset()
    topics = list(previous.topics) if previous is not None and carried else []
    names = [set(spellings) for spellings in previous.names] if previous is not None and carried else []
    topic_index = {topic: index for index, topic in enumerate(topics)}
    for index in (topic_index[t] for t in touched if t in topic_index):
        names[index].clear()
    for entry in entries:
        folded = fold_topic(entry.topic)
        if folded not in topic_index:
            topic_index[folded] = len(topics)
            topics.append(folded)
            names.append(set())
        names[topic_index[folded]].add(entry.topic)
    touched_indices = frozenset(topic_index[t] for t in touched if t in topic_index)
    # Regions: the carried ones stay together; the built notes link the topics they stand under.
    # (A card and the alike card it is warned of stay in one region: the warning needs both.)
    linked: list[list[str]] = [
        [fold_topic(t) for t in (*item.note.topics, *(e.topic for e in item.note.alike))] for item in built
    ]
    old_regions: dict[int, list[str]] = {}
    if previous is not None and carried:
        for topic, region in zip(previous.topics, previous.regions, strict=True):
            if topic not in touched:
                old_regions.setdefault(region, []).append(topic)
        linked.extend(old_regions.values())
    regions = regions_of(linked, topics)
    region_of_old = {old: regions[topic_index[members[0]]] for old, members in old_regions.items()}
    # Sections' topics: a carried section keeps its own but the touched ones; built entries add theirs.
    empty: tuple[int, ...] = ()
    part_topics = [[empty] * len(document.part_keys) for document in documents]
    groups: dict[int, int] = {}
    if previous is not None and carry is not None:
        for number, (start, stop, shift) in enumerate(carry.moves):
            old = previous.documents[number]
            kept = part_topics[number]
            for index in (*range(start), *range(stop, len(old.part_keys))):
                stood = old.topics[index]
                if touched_indices.intersection(stood):
                    stood = tuple(t for t in stood if t not in touched_indices)
                kept[index if index < start else index + shift] = stood
        groups = {digest: t for digest, t in previous.groups.items() if t not in touched_indices}

    def section_of(entry: Entry) -> tuple[int, int]:
        number = number_of[entry.path]
        return number, ref_of(entry, number, lines[number])[1]

    # Entries come in document order: each section's run of them is added at once.
    for (number, index), run in groupby(entries, key=section_of):
        found: set[int] = set()
        for entry in run:
            topic_number = topic_index[fold_topic(entry.topic)]
            found.add(topic_number)
            groups.setdefault(group_digest(entry), topic_number)
        part_topics[number][index] = tuple(sorted(found.union(part_topics[number][index])))
    # Most carried notes keep their region's number: those are kept as they are.
    notes = [
        kept if (region := region_of_old[kept.region]) == kept.region else kept._replace(region=region)
        for kept in (carry.carried if carry is not None else ())
    ]

    def refs(shown: Entry, entries: Sequence[Entry]) -> tuple[Ref, ...]:
        """The refs of a note's entry shown and of some of its other entries (``()``: none)."""
        if not entries:
            return ()
        return tuple(ref_of(e, number_of[e.path], lines[number_of[e.path]]) for e in (shown, *entries))

    for item in built:
        note = item.note
        conflict = refs(note.shown, sorted(note.alternatives, key=lambda e: (e.path, e.line)))
        first = note.first
        notes.append(
            CarriedNote(
                regions[topic_index[fold_topic(note.topic)]],
                item.guid,
                item.mod,
                item.content,
                item.fields,
                item.tags,
                ref_of(first, number_of[first.path], lines[number_of[first.path]]),
                conflict,
                item.media,
                refs(note.shown, note.stale),
                refs(note.shown, note.edited),
                refs(note.shown, note.alike),
            )
        )
    return Ledger(
        signature_,
        lock_digest,
        tuple(
            LedgerDocument(
                document.document.path, document.document.name, document.part_keys, tuple(sections)
            )
            for document, sections in zip(documents, part_topics, strict=True)
        ),
        tuple(topics),
        tuple(tuple(sorted(spellings)) for spellings in names),
        regions,
        groups,
        tuple(notes),
        {
            name: media[name] if name in media or previous is None else previous.media[name]
            for name in sorted({name for note in notes for name in note.media})
        },
    )
