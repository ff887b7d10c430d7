"""Notes + lock → GUIDs and mod times. Pure: the lock comes in as data, the clock as an argument.

* **Key match**: a note whose identity key (folded topic + question) is in the lock gets that GUID back,
  tombstones included (a returning entry gets its old GUID and history); failing that, a note that one of
  its merged wordings' keys finds (the card now shows another of its wordings) does. A live note that had
  the note's very wording goes before a tombstone a key finds (see :func:`_live_twin`).
* **Re-identification**: every other note is compared with the lock's unclaimed notes (vanished ones and
  tombstones). The score is the mean of the question and the answer similarity (character bigrams, so
  Chinese works; an answer extended or cut counts by how much of the shorter the longer holds, see
  :func:`_kept`), or either similarity alone when it is at least 0.9 (a reworded question with the same
  answer is the same note; an answer only when it is not a short one many questions share, ``F``), or the
  similarity of question and answer taken together when that is at
  least 0.85 (the same text, cut elsewhere between question and answer: an answer line a parser of
  another version read as part of the question, a choice question's options moved to the front);
  position and topic play no part. A pair scoring at least
  ``reidentify_threshold`` is the same note, unless another candidate of either side scores within
  ``reidentify_margin`` of it: that is ambiguous, reported, and the note is treated as new. Best pairs
  are taken first, ties broken by document order and GUID, so the result is deterministic.
* **New notes** get ``guid_for(key, deck)``: a hash of the key namespaced by qa2anki and the deck name,
  so that without a lock the same sources still give the same GUIDs, and the same question in two decks
  is two notes (Anki matches notes by GUID across the whole collection). A GUID the lock already gives to
  other content is never reused; notes the lock has keep their GUIDs, whatever the deck is called now.
* **Mod times**: a note keeps its mod while its content (fields and tags) is unchanged; changed or revived
  content gets ``max(now, old mod + 1)``, new notes ``now``. Anki only updates a note whose incoming mod
  is strictly newer, so two builds in the same second, or a pinned ``SOURCE_DATE_EPOCH``, still land.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from qa2anki.errors import Problem, SchemaError, Severity
from qa2anki.fold import fold
from qa2anki.i18n import N_
from qa2anki.i18n import gettext as _
from qa2anki.lockfile import Lock, LockedNote, LockedNoteType
from qa2anki.normalize import Note, Previous, fold_topic
from qa2anki.notetype import NoteType
from qa2anki.similarity import bigrams, candidate_pairs, letter_count, similarity

_GUID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_GUID_NAMESPACE = "qa2anki/guid/v1"


def guid_for(key: str, deck: str = "") -> str:
    """The GUID of an identity key in a deck: base62 of a namespaced SHA-256, 11 characters. (Without a
    deck, what locks written before decks were part of it have.)"""
    namespace = f"{_GUID_NAMESPACE}\x1f{deck}" if deck else _GUID_NAMESPACE
    number = int.from_bytes(hashlib.sha256(f"{namespace}\x1f{key}".encode()).digest()[:8], "big")
    chars = []
    for _digit in range(11):
        number, digit = divmod(number, 62)
        chars.append(_GUID_ALPHABET[digit])
    return "".join(reversed(chars))


class Status(StrEnum):
    """What happened to a note in this build, relative to the lock."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REIDENTIFIED = "reidentified"
    REVIVED = "revived"


@dataclass(frozen=True)
class IdentifiedNote:
    """A note with its GUID and mod time."""

    note: Note
    """The note."""
    guid: str
    """Its Anki GUID."""
    mod: int
    """Its mod time (seconds)."""
    status: Status
    """Added, updated, unchanged, re-identified or revived."""
    previous: LockedNote | None
    """What the lock had for this GUID, if anything."""
    score: float | None = None
    """The re-identification score, for re-identified notes."""


@dataclass(frozen=True)
class Identification:
    """The result of the identity step."""

    notes: tuple[IdentifiedNote, ...]
    """Every note of the build, in the notes' order."""
    removed: tuple[LockedNote, ...]
    """Notes present in the lock that the sources no longer have (now tombstones)."""
    lock: Lock
    """The lock to write."""
    notetype_mod: int
    """The note type's mod time."""
    problems: tuple[Problem, ...]
    """Ambiguous re-identifications."""
    comparisons: int
    """How many (new note, lock note) pairs were scored."""


@dataclass(frozen=True)
class Thresholds:
    """Re-identification settings."""

    threshold: float = 0.6
    """Minimum score for two notes to be the same."""
    margin: float = 0.1
    """Minimum lead over the runner-up (of either side) for the match to be taken."""


STRONG_SIMILARITY = 0.9
"""A question or an answer at least this similar identifies a note on its own."""
STRONG_ANSWER_LETTERS = 6
"""How long (letters) the shorter of two answers must be to identify a note on its own: a quiz's ``F``,
``BD`` or ``不是。`` answers many questions, and a question deleted and another added with the same one
are two notes."""
WHOLE_SIMILARITY = 0.85
"""Question and answer taken together at least this similar identify a note on their own: the same text
cut elsewhere between front and back (a choice question's options moved to the front, its ``#### 答案``
heading left behind), which loses a few bigrams to the label it leaves. Both sides must hold most of it,
so it can be lower than :data:`STRONG_SIMILARITY`."""
NEAR_MISS = 0.15
"""A new note that scores this close below ``reidentify_threshold`` against a note the build removes is
reported: it may be an edit that changed too much at once (a short question reworded and its answer
extended), and then a studied card would start over."""


LONE_SWAP = 0.2
"""How alike (at least) a note a build adds under a topic and one it removes there must be to be reported
as a possible rewrite (see :func:`_lone_swaps`): they share some of their wording. A replacement that
shares nothing (a question swapped for another) is not worth a warning."""
SWAPS_PER_TOPIC = 5
"""The most notes a build may add, and remove, under one topic for :func:`_lone_swaps` to pair them up:
a few short cards each edited at once (two quiz statements, each a word shorter and its ``T`` explained)
are reported as one is; a section rewritten wholesale is not worth a warning per card."""


def previous_wordings(lock: Lock) -> Previous | None:
    """What the lock recorded of the notes' wordings (``None`` when it recorded none: an older lock,
    whose next build keeps the rule of most copies and records them)."""
    shown: set[str] = set()
    known: set[str] = set()
    older: set[str] = set()
    owners: dict[str, str] = {}
    topics: dict[str, frozenset[str]] = {}
    alone: set[str] = set()
    keys: dict[str, str] = {}
    texts: dict[str, tuple[str, str]] = {}
    removed: dict[str, frozenset[str]] = {}
    aliases: dict[str, str] = {}
    # The other side's record of a note a merged lock holds goes with its note (after every note's own).
    variants = [(v, n) for n in lock.notes if (v := lock.variants.get(n.guid)) is not None and n.wording]
    for locked, note in (*((n, n) for n in lock.notes), *variants):
        if locked.wording and note.present:
            keys.setdefault(locked.key, note.wording)
            topics.setdefault(locked.wording, frozenset(map(fold_topic, locked.topics)))
            if locked is note:
                texts.setdefault(locked.wording, (locked.question, locked.answer))
            if not locked.others and locked is note:
                alone.add(locked.key)
            shown.add(locked.wording)
            known.add(locked.wording)
            known.update(locked.others)
            older.update(locked.older)
            for digest in (locked.wording, *locked.others):
                owners.setdefault(digest, note.wording)
            if locked is not note and locked.wording != note.wording:
                aliases[locked.wording] = note.wording
        elif locked.wording and locked is note:
            for digest in (locked.wording, *locked.others):
                removed.setdefault(digest, frozenset(map(fold_topic, locked.topics)))
    if not known:
        return None
    return Previous(
        frozenset(shown),
        frozenset(known),
        frozenset(older),
        owners,
        topics,
        frozenset(alone),
        aliases,
        keys,
        texts,
        {digest: topics for digest, topics in removed.items() if digest not in known},
    )


def reidentify_score(question: str, answer: str, locked: LockedNote) -> float:
    """How likely a note (folded texts) is the lock entry's next version: the mean of question and answer
    similarity, or the similarity of either one alone when it is nearly identical (a reworded question
    with an unchanged answer, or a rewritten answer to the same question under a renamed topic), or of
    both together when that is nearly identical (the same text, cut elsewhere between question and
    answer: ``**答案：**`` on the question's next line was read as part of the question before qa2anki
    read such pairs)."""
    return _scores(question, answer, fold(locked.question), fold(locked.answer))[0]


def _scores(question: str, answer: str, old_question: str, old_answer: str) -> tuple[float, float]:
    """:func:`reidentify_score`, and the mean of question and answer similarity, which tells apart two
    lock notes that one side alone makes equally likely: after a topic rename, ``HashMap是线程安全的吗？``
    and ``ArrayList是线程安全的吗？`` with the same answer ``不是。`` both score 1 by the answer alone, and
    only the question says which note is which."""
    q_sim = similarity(question, old_question)
    a_sim = similarity(answer, old_answer)
    mean = (q_sim + max(a_sim, _kept(answer, old_answer))) / 2
    whole = similarity(_whole(question, answer), _whole(old_question, old_answer))
    distinct = letter_count(min(answer, old_answer, key=len)) >= STRONG_ANSWER_LETTERS
    strong = [sim for sim in (q_sim, a_sim if distinct else 0.0) if sim >= STRONG_SIMILARITY]
    strong += [whole] if whole >= WHOLE_SIMILARITY else []
    return (max(strong) if strong else mean), mean


KEPT_SHARE = 0.9
"""How much of the shorter of two answers (its bigrams) the longer must hold for :func:`_kept`."""
KEPT_LETTERS = 20
"""How long (letters) the shorter answer must be for :func:`_kept`: a short one (「不是。」) is in many."""


def _kept(answer: str, old_answer: str) -> float:
    """How much of the shorter of two folded answers the longer holds, when it holds nearly all of it (an
    answer extended by a sentence, or cut): the answer's likeness in the mean, where the Jaccard index
    counts the added sentence against it. A question changed a little (「什么是闭包？」 → 「什么叫闭包？」,
    0.33) with its answer extended in the same build then scores as the edit it is. (Not for the score
    of either side alone: the question still counts.)"""
    shorter = min(answer, old_answer, key=len)
    if letter_count(shorter) < KEPT_LETTERS:
        return 0.0
    x, y = bigrams(answer), bigrams(old_answer)
    share = len(x & y) / min(len(x), len(y))
    return share if share >= KEPT_SHARE else 0.0


def _whole(question: str, answer: str) -> str:
    """A note's question and answer as one folded text."""
    return f"{question} {answer}"


class _Pair(NamedTuple):
    """A new note and a lock note it may be the next version of."""

    score: float
    """:func:`reidentify_score`."""
    mean: float
    """The mean of question and answer similarity (see :func:`_scores`)."""
    place: int
    """The new note's place among the notes."""
    guid: str
    """The lock note's GUID."""
    locked: LockedNote
    """The lock note."""


def identify(
    notes: Sequence[Note],
    contents: Mapping[str, str],
    lock: Lock,
    now: int,
    notetype: NoteType,
    thresholds: Thresholds | None = None,
    kept: frozenset[str] = frozenset(),
    deck: str = "",
) -> Identification:
    """Give every note its GUID and mod; compute the next lock.

    ``contents`` maps each note's key to a hash of its fields and tags as rendered now. ``kept`` are the
    GUIDs of notes carried over unchanged from the last build (see :mod:`qa2anki.carry`), which are not in
    ``notes``: their records are theirs, and go into the next lock as they are. ``deck`` is the deck's
    name: new notes' GUIDs are made in it, and the lock records it.
    """
    limits = thresholds or Thresholds()
    notetype_mod = _notetype_mod(lock.notetype, notetype, now)
    by_key = {locked.key: locked for locked in lock.notes}
    if lock.variants:
        # (The other side's record of a note a merged lock holds: its key finds the note too.)
        recorded_by_guid = {locked.guid: locked for locked in lock.notes}
        for guid, variant in lock.variants.items():
            by_key.setdefault(variant.key, recorded_by_guid[guid])
    showing = _showing(lock)
    matched: dict[int, tuple[LockedNote, float | None]] = {}
    claimed: set[str] = set(kept)
    # First by each note's own key (live notes before tombstones), then by the keys of the other
    # wordings merged into it.
    for live in (True, False):
        for index, note in enumerate(notes):
            locked = by_key.get(note.key)
            if index in matched or locked is None or locked.present != live or locked.guid in claimed:
                continue
            locked = _live_twin(note, locked, showing, claimed)
            matched[index] = (locked, None)
            claimed.add(locked.guid)
    for index, note in enumerate(notes):
        if index in matched:
            continue
        for key in note.keys:
            locked = by_key.get(key)
            if locked is not None and locked.guid not in claimed:
                locked = _live_twin(note, locked, showing, claimed)
                matched[index] = (locked, None)
                claimed.add(locked.guid)
                break

    unmatched = [i for i in range(len(notes)) if i not in matched]
    # A forgotten note was deleted in Anki: its key still brings its GUID back, but no likeness does (it
    # would only rival the live notes it resembles).
    candidates = [locked for locked in lock.notes if locked.guid not in claimed and not locked.forgotten]
    recorded = {locked.guid: locked for locked in candidates}
    candidates += [v for guid, v in sorted(lock.variants.items()) if guid in recorded]
    problems: list[Problem] = []
    comparisons = 0
    near: list[tuple[float, int, str, LockedNote]] = []
    taken_notes: set[int] = set()
    if unmatched and candidates:
        # Items 0..len(unmatched)-1 are new notes, the rest lock notes; only mixed pairs are scored.
        texts = [(notes[i].question_folded, notes[i].answer_folded) for i in unmatched]
        # Folded again: what fold leaves out grows (styling tags), and an older lock's texts still hold it.
        texts += [(fold(locked.question), fold(locked.answer)) for locked in candidates]
        slots = [(question, answer, _whole(question, answer)) for question, answer in texts]
        sides = [0] * len(unmatched) + [1] * len(candidates)
        # A pair can only reach the threshold if its question or its answer does, or both together are
        # nearly identical (WHOLE_SIMILARITY).
        floor = min(limits.threshold, STRONG_SIMILARITY)
        pairs: list[_Pair] = []
        for a, b in sorted(candidate_pairs(slots, (floor, floor, WHOLE_SIMILARITY), groups=sides)):
            comparisons += 1
            i, locked = unmatched[a], candidates[b - len(unmatched)]
            score, mean = _scores(*texts[a], *texts[b])
            if score >= limits.threshold:
                pairs.append(_Pair(score, mean, i, locked.guid, recorded[locked.guid]))
            elif score >= limits.threshold - NEAR_MISS:
                near.append((score, i, locked.guid, recorded[locked.guid]))
        # Best first; of equal scores, the pair whose question and answer are both closer.
        pairs.sort(key=lambda p: (-p.score, -p.mean, p.place, p.guid))
        by_note: dict[int, list[_Pair]] = defaultdict(list)
        by_guid: dict[str, list[_Pair]] = defaultdict(list)
        for pair in pairs:
            by_note[pair.place].append(pair)
            by_guid[pair.guid].append(pair)
        for score, mean, i, guid, locked in pairs:
            if i in taken_notes or guid in claimed:
                continue
            # A rival is as likely by both measures: one that only the score makes as likely is not.
            rivals = [
                p
                for p in (*by_note[i], *by_guid[guid])
                if (p.place == i) != (p.guid == guid)
                and p.place not in taken_notes
                and p.guid not in claimed
                and p.score > score - limits.margin
                and p.mean > mean - limits.margin
            ]
            if rivals:
                rival = rivals[0]
                entry = notes[i].first
                problems.append(
                    Problem(
                        entry.path,
                        entry.line,
                        Severity.WARNING,
                        _(
                            "ambiguous match: this note is {score} similar to lock note {guid} and "
                            "{rival_score} to {rival}; "
                            "it is kept as a new note (lower reidentify_margin, or edit less at once)"
                        ).format(
                            score=f"{score:.2f}",
                            guid=guid,
                            rival_score=f"{rival.score:.2f}",
                            rival=rival.guid if rival.place == i else _("another note"),
                        ),
                    )
                )
                taken_notes.add(i)
                continue
            matched[i] = (locked, score)
            taken_notes.add(i)
            claimed.add(guid)

    decided = taken_notes | matched.keys()
    near += _lone_swaps(notes, decided, lock, claimed, _renamed_topics(notes, matched))
    problems += _near_misses(notes, near, decided, claimed, limits.threshold)
    used_guids = {locked.guid for locked in lock.notes} | lock.unparsed.keys()
    identified: list[IdentifiedNote] = []
    for index, note in enumerate(notes):
        content = contents[note.key]
        if index in matched:
            locked, match_score = matched[index]
            # A note both sides of a merged lock changed: the Anki of the side whose content it does not
            # have must take it, though the mod is that side's too.
            other_side = lock.variants.get(locked.guid)
            same = locked.content == content and (other_side is None or other_side.content == content)
            if match_score is not None:
                status = Status.REIDENTIFIED
            elif not locked.present:
                status = Status.REVIVED
            elif not same:
                status = Status.UPDATED
            else:
                status = Status.UNCHANGED
            mod = locked.mod if same and locked.present else max(now, locked.mod + 1)
            identified.append(IdentifiedNote(note, locked.guid, mod, status, locked, match_score))
        else:
            guid = _fresh_guid(note.key, deck, used_guids)
            used_guids.add(guid)
            identified.append(IdentifiedNote(note, guid, now, Status.ADDED, None))

    removed = tuple(locked for locked in lock.notes if locked.guid not in claimed and locked.present)
    taken = {item.note.key for item in identified}
    new_lock = Lock(
        notetype=LockedNoteType(
            id=notetype.id,
            fields=notetype.fields,
            templates=tuple(t[0] for t in notetype.templates),
            fingerprint=notetype.fingerprint,
            mod=notetype_mod,
        ),
        unparsed=lock.unparsed,
        deck=deck or lock.deck,
        notes=tuple(
            sorted(
                [_locked(item, contents[item.note.key]) for item in identified]
                + [locked for locked in lock.notes if locked.guid in kept]
                + [_tombstone(locked, taken) for locked in lock.notes if locked.guid not in claimed],
                key=lambda n: n.guid,
            )
        ),
    )
    return Identification(
        notes=tuple(identified),
        removed=removed,
        lock=new_lock,
        notetype_mod=notetype_mod,
        problems=tuple(problems),
        comparisons=comparisons,
    )


def _renamed_topics(
    notes: Sequence[Note], matched: Mapping[int, tuple[LockedNote, float | None]]
) -> dict[str, set[str]]:
    """Each folded topic the lock's notes stood under that some of them left, to the topics they stand
    under now: a heading renamed (or its entries moved) in this build, as the notes found again show it."""
    renamed: dict[str, set[str]] = defaultdict(set)
    for index, (locked, _score) in matched.items():
        now = {fold_topic(t) for t in notes[index].topics}
        for topic in {fold_topic(t) for t in locked.topics} - now:
            renamed[topic] |= now
    return renamed


def _lone_swaps(
    notes: Sequence[Note],
    decided: set[int],
    lock: Lock,
    claimed: set[str],
    renamed: Mapping[str, set[str]],
) -> list[tuple[float, int, str, LockedNote]]:
    """The new notes and the removed notes of each topic where a build adds a few notes and removes a few
    (:data:`SWAPS_PER_TOPIC`), paired best first, each note once, when they share enough of their wording
    (:data:`LONE_SWAP`): most likely entries rewritten, question and answer at once. Scored as
    re-identification would, for :func:`_near_misses` to report.
    A removed note counts under the topics its own topic was ``renamed`` to as well (an entry rewritten in
    the build that renames its heading), and when the whole build adds one note and removes one, those two
    are a swap whatever their topics."""
    added: dict[str, list[int]] = defaultdict(list)
    for index, note in enumerate(notes):
        if index not in decided:
            for topic in {fold_topic(t) for t in note.topics}:
                added[topic].append(index)
    removed: dict[str, list[LockedNote]] = defaultdict(list)
    gone_notes = [locked for locked in lock.notes if locked.present and locked.guid not in claimed]
    for locked in gone_notes:
        old = {fold_topic(t) for t in locked.topics}
        for topic in old.union(*(renamed.get(t, ()) for t in old)):
            removed[topic].append(locked)
    groups = [
        (indices, removed[topic])
        for topic, indices in added.items()
        if len(indices) <= SWAPS_PER_TOPIC and 0 < len(removed.get(topic, ())) <= SWAPS_PER_TOPIC
    ]
    new_notes = {index for indices in added.values() for index in indices}
    if len(new_notes) == 1 and len(gone_notes) == 1:
        groups.append(([min(new_notes)], gone_notes))
    swaps: dict[tuple[int, str], tuple[float, int, str, LockedNote]] = {}
    for indices, gone in groups:
        scored = sorted(
            (
                (
                    reidentify_score(notes[index].question_folded, notes[index].answer_folded, locked),
                    index,
                    locked,
                )
                for index in indices
                for locked in gone
            ),
            key=lambda found: (-found[0], found[1], found[2].guid),
        )
        paired_notes: set[int] = set()
        paired_guids: set[str] = set()
        for score, index, locked in scored:
            if score < LONE_SWAP or index in paired_notes or locked.guid in paired_guids:
                continue
            paired_notes.add(index)
            paired_guids.add(locked.guid)
            swaps[(index, locked.guid)] = (score, index, locked.guid, locked)
    return [swaps[pair] for pair in sorted(swaps)]


HELD_ANSWER = N_(
    "this new note is {score} similar to {guid}, a note this build removes, mostly because its answer holds "
    "that note's answer; that does not re-identify a note: if it is an edit of that card, its history starts "
    "over; to keep it, before importing this deck, restore the lock and change the question and the answer "
    "in separate builds"
)
"""Said of a new note whose lone swap (see :func:`_lone_swaps`) reaches the threshold by its answer alone."""
HELD_ANSWER_REMOVED_EARLIER = N_(
    "this new note is {score} similar to {guid}, a note removed earlier and still in Anki, mostly because "
    "its answer holds that note's answer; that does not re-identify a note: if it is that entry back, "
    "reworded, its card's history starts over; to keep it, put the entry back as it was, build, then "
    "reword it"
)
""":data:`HELD_ANSWER`, of a note removed in an earlier build."""


def _near_misses(
    notes: Sequence[Note],
    near: list[tuple[float, int, str, LockedNote]],
    decided: set[int],
    claimed: set[str],
    threshold: float,
) -> list[Problem]:
    """A warning for each note that comes in new while a note the build removes, or one removed before and
    not yet deleted in Anki (an entry deleted, then put back reworded), scored just below ``threshold``
    against it, or (a lone swap, see :func:`_lone_swaps`) above it by its answer holding the other alone
    (the best such, ties to the smaller GUID): see :data:`NEAR_MISS` and :data:`HELD_ANSWER`."""
    best: dict[int, tuple[float, str, bool]] = {}
    for score, i, guid, locked in sorted(near, key=lambda p: (-p[0], p[2])):
        if i not in decided and guid not in claimed and i not in best:
            best[i] = (score, guid, locked.present)
    problems = []
    for i, (score, guid, present) in sorted(best.items()):
        entry = notes[i].first
        if score >= threshold:
            # A lone swap that scores so only by its answer's share (see _kept): a pair alike by neither side,
            # which re-identification does not compare (an answer holding another is no evidence alone).
            message = _(HELD_ANSWER if present else HELD_ANSWER_REMOVED_EARLIER)
        elif present:
            message = _(
                "this new note is {score} similar to {guid}, a note this build removes (below "
                "reidentify_threshold {threshold}): if it is an edit of that card, its history starts over; "
                "to keep it, before importing this deck, restore the lock and build again with a lower "
                "reidentify_threshold, or change question and answer in separate builds"
            )
        else:
            message = _(
                "this new note is {score} similar to {guid}, a note removed earlier and still in Anki (below "
                "reidentify_threshold {threshold}): if it is that entry back, reworded, its card's history "
                "starts over; to keep it, put the entry back as it was, build, then reword it"
            )
        text = message.format(score=f"{score:.2f}", guid=guid, threshold=f"{threshold:g}")
        problems.append(Problem(entry.path, entry.line, Severity.WARNING, text))
    return problems


def _showing(lock: Lock) -> dict[str, LockedNote]:
    """The live notes of the lock by each wording they had (the one their card showed, and the others
    merged into them)."""
    showing: dict[str, LockedNote] = {}
    for locked in lock.notes:
        if locked.present and locked.wording:
            for digest in (locked.wording, *locked.others):
                showing.setdefault(digest, locked)
    return showing


def _live_twin(
    note: Note, locked: LockedNote, showing: Mapping[str, LockedNote], claimed: set[str]
) -> LockedNote:
    """The lock note a key found, or, when that is a tombstone, the live note that had the note's very
    wording, if no note of this build has claimed it. The copy a note was built from can go while another
    copy, under a heading whose key a tombstone holds, stays: the live note (and its history) goes on, the
    tombstone stays one."""
    if locked.present:
        return locked
    twin = showing.get(note.wording)
    return twin if twin is not None and twin.guid not in claimed else locked


def _tombstone(locked: LockedNote, taken: set[str]) -> LockedNote:
    """A lock note no note of the build claimed, as the next lock keeps it. When a live note took over its
    key (see :func:`_live_twin`), its key becomes one no note has (its GUID appended): a key names one
    lock note, and the key's entry is the live note's now."""
    key = f"{locked.key}\x1f{locked.guid}" if locked.key in taken else locked.key
    return locked if key == locked.key and not locked.present else replace(locked, present=False, key=key)


def _locked(item: IdentifiedNote, content: str) -> LockedNote:
    """The lock's record of a note: the one read, when the note is as it was (most are; and the next lock
    then compares equal to the old one by identity, note by note), else a new one."""
    note, locked = item.note, item.previous
    if (
        locked is not None
        and locked.present
        and locked.mod == item.mod
        and locked.content == content
        and locked.key == note.key
        and locked.question == note.question_folded
        and locked.answer == note.answer_folded
        and locked.topics == note.topics
        and locked.wording == note.wording
        and locked.question_md == note.question_md
        and locked.others == note.others
        and locked.older == note.older
    ):
        return locked
    return LockedNote(
        guid=item.guid,
        key=note.key,
        question=note.question_folded,
        answer=note.answer_folded,
        topics=note.topics,
        content=content,
        mod=item.mod,
        present=True,
        question_md=note.question_md,
        wording=note.wording,
        others=note.others,
        older=note.older,
    )


def _fresh_guid(key: str, deck: str, used: set[str]) -> str:
    guid = guid_for(key, deck)
    attempt = 1
    while guid in used:
        attempt += 1
        guid = guid_for(f"{key}\x1f{attempt}", deck)
    return guid


def _notetype_mod(locked: LockedNoteType | None, notetype: NoteType, now: int) -> int:
    if locked is None:
        return now
    published = {"id": locked.id, "fields": list(locked.fields), "templates": list(locked.templates)}
    if published != notetype.schema:
        raise SchemaError(
            _(
                "the note type would change from {published} to {schema}; every user's re-import "
                "would stop updating their notes (Anki treats the notes as conflicting). Keep the published "
                "note type, or start a new deck with a new lock"
            ).format(published=published, schema=notetype.schema)
        )
    if locked.fingerprint == notetype.fingerprint:
        return locked.mod
    return max(now, locked.mod + 1)
