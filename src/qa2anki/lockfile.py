"""``qa2anki.lock``: which GUID each note has, what it was last built from, and when it last changed.

The lock is committed beside the sources. It is JSON, one note per line, sorted by GUID, so that a diff
shows exactly which notes a change touched. A lock that cannot be read is an error, never silently
rebuilt: regenerating it would re-key every note and cost users their review history.

Format (``"format": 1``)::

    {
     "format": 1,
     "generator": "qa2anki",
     "deck": "面试题::机器学习",
     "notetype": {"id": …, "fields": [...], "templates": [...], "fingerprint": "…", "mod": …},
     "notes": [
      {"guid": "…", "key": "topic\\u001fquestion", "question": "…", "answer": "…",
       "topics": [...], "question_md": "…", "wording": "…", "others": [...], "older": [...],
       "content": "…", "mod": 1732800000, "present": true, "forgotten": true},
      …
     ]
    }

``question``/``answer`` are the folded texts (for re-identification), ``content`` is a hash of the
note's fields and tags as last built, ``mod`` the time that content last changed, and ``present`` is
false for a tombstone: a note that was removed from the sources, kept so that it gets its GUID back
if it returns and so that its GUID is never given to different content. ``deck`` is the deck name the
notes were last built into (locks written before it was recorded have none).

What the card shows, so that the author's latest edit of one copy of a repeated entry wins (see
:mod:`qa2anki.normalize`): ``question_md`` is the question as written (what messages and ``list
--removed`` show), ``wording`` a digest of the question and answer the card shows, ``others`` the
digests of the note's other wordings in the sources (near duplicates, conflicts, older copies) and
``older`` those of them the card showed before an edit replaced them (stale copies). ``others`` and
``older`` are left out when empty. A tombstone the user has deleted in Anki (``qa2anki forget``) has
``"forgotten": true``. Locks written before these were recorded have none of them: such a note's
wordings are unknown, and the next build records them without changing the note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from qa2anki.atomic import write_atomic
from qa2anki.errors import LockError
from qa2anki.i18n import gettext as _

LOCK_FORMAT = 1
LOCK_NAME = "qa2anki.lock"


@dataclass(frozen=True)
class LockedNoteType:
    """The note type as last published."""

    id: int
    """Anki model id."""
    fields: tuple[str, ...]
    """Field names in order."""
    templates: tuple[str, ...]
    """Template names in order."""
    fingerprint: str
    """Hash of name, templates and CSS."""
    mod: int
    """When the fingerprint last changed (seconds)."""


@dataclass(frozen=True)
class LockedNote:
    """One GUID and what it was last built from."""

    guid: str
    """The Anki note GUID: never changes, never reused for other content."""
    key: str
    """The identity key (folded topic and question) it was last built from."""
    question: str
    """Folded question, for re-identification."""
    answer: str
    """Folded answer, for re-identification."""
    topics: tuple[str, ...]
    """Topics it stood under."""
    content: str
    """Hash of its fields and tags as last built."""
    mod: int
    """When its content last changed (seconds since the epoch): the note's mod in the deck."""
    present: bool
    """False for a tombstone (removed from the sources)."""
    question_md: str = ""
    """The question the card shows, as written (``""`` in a lock written before it was recorded)."""
    wording: str = ""
    """A digest of the question and answer the card shows (``""``: not recorded, an older lock)."""
    others: tuple[str, ...] = ()
    """Digests of the note's other wordings in the sources, sorted."""
    older: tuple[str, ...] = ()
    """Those of ``others`` that the card showed before an edit replaced them (stale copies), sorted."""
    forgotten: bool = False
    """For a tombstone: the user has deleted the note in Anki (``qa2anki forget``); it is no longer
    listed as removed."""

    @property
    def recorded(self) -> bool:
        """Whether the lock recorded what the card shows (locks written before it was recorded did not)."""
        return bool(self.wording)

    @property
    def written(self) -> str:
        """The question as written when recorded, else the folded one."""
        return self.question_md or self.question


@dataclass(frozen=True)
class Lock:
    """The whole lock file."""

    notetype: LockedNoteType | None
    """The note type as last published (``None`` before the first build)."""
    notes: tuple[LockedNote, ...]
    """Every GUID ever built, tombstones included, sorted by GUID (but those in ``unparsed``)."""
    unparsed: Mapping[str, bytes] = field(default_factory=dict)
    """Notes read as their lines and left so (GUID → the note's JSON text, UTF-8): the notes a build
    carries over unchanged (see :func:`read_lock_carrying`), written back as they were, byte for byte."""
    deck: str | None = None
    """The deck the notes were last built into (``None`` in a lock written before it was recorded)."""
    conflict: MergedConflict | None = None
    """Set when the file held a git merge conflict and both sides were read into this one lock."""
    variants: Mapping[str, LockedNote] = field(default_factory=dict)
    """For a lock read from a merge conflict: GUID → the other side's record of a note both sides recorded
    differently (``notes`` has the one changed later). Its key, texts and wordings find the note too: one
    side reworded the note, the other moved it, and the merged sources have both."""
    shared_keys: tuple[str, ...] = ()
    """GUIDs whose key another note of the lock had too (two branches each added one entry, and git
    merged both lines): they were given a key of their own, their GUID appended (see :func:`_own_keys`)."""


@dataclass(frozen=True)
class MergedConflict:
    """How a lock that held a git merge conflict was read: both sides' notes, so that no GUID either
    branch gave out is lost (keeping one side whole would give the other side's new notes new GUIDs)."""

    line: int
    """The line of the first conflict marker."""
    ours: int
    """Notes only our side had."""
    theirs: int
    """Notes only their side had."""
    differing: int
    """Notes both sides had, recorded differently: the one whose content changed later is kept (the other
    is in :attr:`Lock.variants`)."""


EMPTY_LOCK = Lock(notetype=None, notes=())


json_string = json.encoder.encode_basestring
"""A JSON string literal, as ``json.dumps(text, ensure_ascii=False)`` writes it (the C encoder's)."""


def _note_line(note: LockedNote) -> str:
    # What json.dumps(record, ensure_ascii=False) gives, written out: a lock has a line per note, and
    # json.dumps with options builds a new encoder every call.
    topics = ", ".join(map(json_string, note.topics))
    card = ""
    if note.wording:
        card = f'"question_md": {json_string(note.question_md)}, "wording": {json_string(note.wording)}, '
        if note.others:
            card += f'"others": [{", ".join(map(json_string, note.others))}], '
        if note.older:
            card += f'"older": [{", ".join(map(json_string, note.older))}], '
    return (
        f'{{"guid": {json_string(note.guid)}, "key": {json_string(note.key)}, '
        f'"question": {json_string(note.question)}, "answer": {json_string(note.answer)}, '
        f'"topics": [{topics}], {card}"content": {json_string(note.content)}, "mod": {int(note.mod)}, '
        f'"present": {"true" if note.present else "false"}{_FORGOTTEN if note.forgotten else ""}}}'
    )


_FORGOTTEN = ', "forgotten": true'


def dumps(lock: Lock) -> str:
    """The lock as text: stable, one note per line, sorted by GUID."""
    return b"".join(lock_bytes(lock)).decode("utf-8")


def _header(lock: Lock) -> Iterator[str]:
    """The lock's lines before its notes, each with its newline."""
    yield "{\n"
    yield f' "format": {LOCK_FORMAT},\n'
    yield ' "generator": "qa2anki",\n'
    if lock.deck is not None:
        yield f' "deck": {json_string(lock.deck)},\n'
    if lock.notetype is not None:
        nt = lock.notetype
        notetype = {
            "id": nt.id,
            "fields": list(nt.fields),
            "templates": list(nt.templates),
            "fingerprint": nt.fingerprint,
            "mod": nt.mod,
        }
        yield f' "notetype": {json.dumps(notetype, ensure_ascii=False)},\n'
    yield ' "notes": [\n'


_FOOTER = b" ]\n}\n"


def _marker(line: str) -> str:
    """The git conflict marker a line is (``<<<<<<<``, ``|||||||``, ``=======``, ``>>>>>>>``), or ``""``.
    Exactly seven characters, then a space or the line's end: git marks the conflicts of the base it
    merges first (a criss-cross merge in ``diff3`` style) with longer ones, which are that base's text."""
    head = line[:7]
    if head in _MARKERS and (len(line) == 7 or line[7] == " "):
        return head
    return ""


_MARKERS = frozenset(("<<<<<<<", "|||||||", "=======", ">>>>>>>"))


def conflict_line(text: str) -> int | None:
    """The line of the first git conflict marker in a text (a lock, a document), if it has one."""
    for number, line in enumerate(text.splitlines(), 1):
        if _marker(line.rstrip("\r")):
            return number
    return None


def _sides(text: str) -> tuple[str, str] | None:
    """Our side's and their side's text of a lock that holds git conflict markers (lines outside the
    conflicts go to both; a ``diff3`` base section to neither); ``None`` when the markers do not pair up."""
    sides: tuple[list[str], list[str]] = ([], [])
    state = ""
    for line in text.split("\n"):
        marker = _marker(line)
        if marker == "<<<<<<<" and not state:
            state = "ours"
        elif marker == "|||||||" and state == "ours":
            state = "base"
        elif marker == "=======" and state in ("ours", "base"):
            state = "theirs"
        elif marker == ">>>>>>>" and state == "theirs":
            state = ""
        elif state in ("", "ours"):
            sides[0].append(line)
            if not state:
                sides[1].append(line)
        elif state == "theirs":
            sides[1].append(line)
    if state:
        return None
    return _relaid(sides[0]), _relaid(sides[1])


def _relaid(lines: list[str]) -> str:
    """A side of a conflicted lock with a comma after every note line but the last: git may have taken
    one side's last line and the other's next one."""
    try:
        begin = lines.index(' "notes": [')
        end = lines.index(" ]", begin)
    except ValueError:
        return "\n".join(lines)
    body = [line.rstrip().rstrip(",") for line in lines[begin + 1 : end] if line.strip()]
    return "\n".join([*lines[: begin + 1], ",\n".join(body), *lines[end:]])


def _merged(text: str, path: str, line: int) -> Lock:
    """Both sides of a lock that holds a merge conflict, read into one: every GUID either side has. A note
    both have, recorded differently, is taken as the side whose content changed later recorded it; a key
    two GUIDs now share stays with the live (or later) one, the other's gets its GUID appended, as
    :mod:`qa2anki.identity` does for a tombstone."""
    sides = _sides(text)
    unreadable = LockError(
        _(
            "the lock holds a merge conflict that cannot be read side by side: keep one side's lock whole "
            "(git checkout --ours or --theirs on it), then build again: notes the other side added or "
            "changed are matched again by their questions and answers"
        ),
        path,
        line,
    )
    if sides is None:
        raise unreadable
    try:
        ours, theirs = loads(sides[0], path), loads(sides[1], path)
    except LockError:
        raise unreadable from None
    if ours.conflict or theirs.conflict:
        raise unreadable
    mine = {note.guid: note for note in ours.notes}
    other = {note.guid: note for note in theirs.notes}
    chosen = dict(mine)
    variants: dict[str, LockedNote] = {}
    for guid, note in other.items():
        held = mine.get(guid)
        if held is None:
            chosen[guid] = note
        elif held != note:
            chosen[guid], variants[guid] = (note, held) if _later(note) > _later(held) else (held, note)
    notes, shared = _own_keys(chosen.values())
    notetype = ours.notetype
    if theirs.notetype is not None and (notetype is None or theirs.notetype.mod > notetype.mod):
        notetype = theirs.notetype
    return Lock(
        notetype=notetype,
        notes=notes,
        deck=ours.deck if ours.deck is not None else theirs.deck,
        conflict=MergedConflict(
            line, len(mine.keys() - other.keys()), len(other.keys() - mine.keys()), len(variants)
        ),
        variants=variants,
        shared_keys=tuple(sorted({*ours.shared_keys, *theirs.shared_keys, *shared})),
    )


def _own_keys(notes: Iterable[LockedNote]) -> tuple[tuple[LockedNote, ...], tuple[str, ...]]:
    """The notes sorted by GUID, each key with one note: a key two GUIDs share (two branches each added
    the entry, one of them with a typo fixed later) stays with the note changed later (a live one before a
    tombstone); the other's gets its GUID appended, as :mod:`qa2anki.identity` does for a tombstone, and
    is found by its question and answer. Also the GUIDs so re-keyed."""
    by_key: dict[str, LockedNote] = {}
    kept: list[LockedNote] = []
    shared: list[str] = []
    for note in sorted(notes, key=_later, reverse=True):
        if note.key in by_key:
            note = replace(note, key=f"{note.key}\x1f{note.guid}")
            shared.append(note.guid)
        by_key[note.key] = note
        kept.append(note)
    return tuple(sorted(kept, key=lambda n: n.guid)), tuple(sorted(shared))


def _later(note: LockedNote) -> tuple[int, bool, bool, str]:
    """Which of two records of a note, or of two notes with one key, goes first: the later content, a live
    note, a forgotten tombstone, then the GUID (so the order is fixed)."""
    return note.mod, note.present, note.forgotten, note.guid


def loads(text: str, path: str = LOCK_NAME) -> Lock:
    """Parse and validate a lock; any defect is a :class:`LockError` naming the file (and line)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise LockError(
            _("corrupt lock file (nested too deeply); restore it from version control, do not delete it"),
            path,
        ) from None
    except json.JSONDecodeError as exc:
        conflict = conflict_line(text)
        if conflict is not None:
            return _merged(text, path, conflict)
        raise LockError(
            _(
                "corrupt lock file ({detail}); restore it from version control, do not delete it "
                "(a new lock re-keys every note and users lose their review history)"
            ).format(detail=exc.msg),
            path,
            exc.lineno,
        ) from None
    if ("\\ud" in text or "\\uD" in text) and (lone := _lone_surrogate_line(text, data)):
        raise LockError(
            _("invalid lock file ({detail}); restore it from version control, do not delete it").format(
                detail="a \\ud800-\\udfff escape without its pair"
            ),
            path,
            lone,
        )
    try:
        return _from_data(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        line = _record_line(text, exc.index) if isinstance(exc, _InvalidNote) else None
        cause = exc.cause if isinstance(exc, _InvalidNote) else exc
        raise LockError(
            _("invalid lock file ({detail}); restore it from version control, do not delete it").format(
                detail=_describe(cause)
            ),
            path,
            line,
        ) from None


_SURROGATE_RE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _lone_surrogate_line(text: str, data: Any) -> int:
    """The line of the first surrogate escape in a lock when one of them stands alone (no text can hold
    it: writing the lock again failed), else 0."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        found = _SURROGATE_RE.search(text)
        return text.count("\n", 0, found.start()) + 1 if found else 1
    return 0


class _InvalidNote(ValueError):
    """A note of the lock that does not validate: which one, and why."""

    def __init__(self, index: int, cause: Exception) -> None:
        super().__init__(index, cause)
        self.index = index
        self.cause = cause


def _record_line(text: str, index: int) -> int | None:
    """The line of the lock's note ``index``, as this program writes locks (one note per line after the
    ``"notes"`` line); ``None`` for a lock laid out otherwise."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.lstrip().startswith('"notes"')), None)
    if (
        start is None
        or start + 1 + index >= len(lines)
        or not lines[start + 1 + index].lstrip().startswith("{")
    ):
        return None
    return start + 2 + index


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return str(exc) or type(exc).__name__


MAX_MOD = 253_402_300_799
"""The last second of the year 9999: a mod time beyond it (or before 1970) is not a real time."""


def _require(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise TypeError(f"{what} has the wrong type")
    return value


def _mod(value: Any, what: str) -> int:
    mod: int = _require(value, int, what)
    if not 0 <= mod <= MAX_MOD:
        raise ValueError(f"{what} {mod} is not a time between 1970 and 9999")
    return mod


def _from_data(data: Any) -> Lock:
    _require(data, dict, "the lock")
    if data.get("format") != LOCK_FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}; this qa2anki reads format {LOCK_FORMAT}")
    notetype = None
    if "notetype" in data:
        nt = _require(data["notetype"], dict, "notetype")
        notetype = LockedNoteType(
            id=_require(nt["id"], int, "notetype.id"),
            fields=tuple(_require(f, str, "notetype.fields") for f in _require(nt["fields"], list, "fields")),
            templates=tuple(
                _require(t, str, "notetype.templates") for t in _require(nt["templates"], list, "templates")
            ),
            fingerprint=_require(nt["fingerprint"], str, "notetype.fingerprint"),
            mod=_mod(nt["mod"], "notetype.mod"),
        )
    notes = []
    for index, record in enumerate(_require(data["notes"], list, "notes")):
        try:
            notes.append(_note(record))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _InvalidNote(index, exc) from None
    guids = {n.guid for n in notes}
    if len(guids) != len(notes) or "" in guids:
        counted: set[str] = set()
        for note in notes:
            if not note.guid or note.guid in counted:
                raise ValueError(f"GUID {note.guid!r} is empty or appears twice")
            counted.add(note.guid)
    deck = _require(data["deck"], str, "deck") if "deck" in data else None
    if len({n.key for n in notes}) != len(notes):
        own, shared = _own_keys(notes)
        return Lock(notetype=notetype, notes=own, deck=deck, shared_keys=shared)
    return Lock(notetype=notetype, notes=tuple(sorted(notes, key=lambda n: n.guid)), deck=deck)


_NOTE_FIELDS = ("guid", "key", "question", "answer", "topics", "content", "mod", "present")
_RECORDED_FIELDS = (*_NOTE_FIELDS, "question_md", "wording")
_STRINGS = (str, str, str, str)


def _note(record: Any) -> LockedNote:
    """One note of the lock, checked."""
    # The common case in one go (a lock has a line per note); anything unusual is checked field by field,
    # which also names what is wrong.
    if type(record) is dict and len(record) in (len(_NOTE_FIELDS), len(_RECORDED_FIELDS)):
        recorded = len(record) == len(_RECORDED_FIELDS)
        try:
            guid, key, question, answer, topics, content, mod, present = map(record.__getitem__, _NOTE_FIELDS)
            question_md, wording = (record["question_md"], record["wording"]) if recorded else ("", "")
        except KeyError:
            pass
        else:
            if (
                (type(guid), type(key), type(question), type(answer)) == _STRINGS
                and type(content) is str
                and type(question_md) is str
                and type(wording) is str
                and type(topics) is list
                and all(type(t) is str for t in topics)
                and type(mod) is int
                and 0 <= mod <= MAX_MOD
                and type(present) is bool
            ):
                return LockedNote(
                    guid, key, question, answer, tuple(topics), content, mod, present, question_md, wording
                )
    _require(record, dict, "a note")
    return LockedNote(
        guid=_require(record["guid"], str, "guid"),
        key=_require(record["key"], str, "key"),
        question=_require(record["question"], str, "question"),
        answer=_require(record["answer"], str, "answer"),
        topics=tuple(_require(t, str, "topics") for t in _require(record["topics"], list, "topics")),
        content=_require(record["content"], str, "content"),
        mod=_mod(record["mod"], "mod"),
        present=_require(record["present"], bool, "present"),
        question_md=_require(record.get("question_md", ""), str, "question_md"),
        wording=_require(record.get("wording", ""), str, "wording"),
        others=_digests(record.get("others", []), "others"),
        older=_digests(record.get("older", []), "older"),
        forgotten=_require(record.get("forgotten", False), bool, "forgotten"),
    )


def note_from_line(line: bytes) -> LockedNote:
    """The note of one line of a lock this program wrote (a note left unparsed, see :attr:`Lock.unparsed`);
    ``ValueError``, ``KeyError`` or ``TypeError`` when it is none."""
    return _note(json.loads(line))


def _digests(value: Any, what: str) -> tuple[str, ...]:
    return tuple(sorted(_require(d, str, what) for d in _require(value, list, what)))


def read_lock(path: Path, display: str) -> Lock:
    """The lock at ``path``, or an empty one when there is no file yet."""
    return read_lock_and_digest(path, display)[0]


def read_lock_and_digest(path: Path, display: str) -> tuple[Lock, str]:
    """The lock at ``path`` (empty when there is no file yet) and the SHA-256 of its bytes (``""``)."""
    text, digest = _read_text(path, display)
    return (loads(text, display) if digest else EMPTY_LOCK), digest


def _read_text(path: Path, display: str) -> tuple[str, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "", ""
    except OSError as exc:
        raise LockError(
            _("cannot read lock file: {reason}").format(reason=exc.strerror or exc), display
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LockError(_("lock file is not UTF-8 text; restore it from version control"), display) from None
    return text, hashlib.sha256(data).hexdigest()


_NOTE_START = '  {"guid": "'


def read_lock_carrying(
    path: Path, display: str, digest: str, kept: Mapping[str, tuple[str, int]]
) -> Lock | None:
    """The lock at ``path`` when its SHA-256 is ``digest`` (a lock this program wrote), the notes of the
    ``kept`` GUIDs left unparsed (see :attr:`Lock.unparsed`); ``None`` when it is another file, or a kept
    note is not there, live, with the content hash and mod given (GUID → (content, mod)). Parsing a large
    lock costs more than a build that changed a few notes."""
    try:
        data = path.read_bytes()
    except OSError:
        return None  # a full build says what is wrong, in its own order
    # Compared before the bytes are decoded: a lock with the digest the ledger has is one this program wrote.
    if not digest or hashlib.sha256(data).hexdigest() != digest:
        return None
    # Left as bytes: the kept notes' lines are written back as they are (the others are few).
    lines = data.split(b"\n")
    try:
        begin, end = lines.index(b' "notes": ['), lines.index(b" ]")
    except ValueError:
        return None
    body = lines[begin + 1 : end]
    if body and not body[-1].endswith(b","):
        body[-1] += b","
    # Our own lines (the digest says so): each note's GUID stands at the same place in its line.
    start = len(_NOTE_START)
    wanted = {guid.encode("utf-8", "surrogatepass"): guid for guid in kept}
    unparsed: dict[str, bytes] = {}
    others: list[bytes] = []
    for line in body:
        guid = wanted.get(line[start : line.find(b'"', start)])
        if guid is not None:
            unparsed[guid] = line[2:-1]
        else:
            others.append(line[2:-1])
    if len(unparsed) + len(others) != len(body) or len(unparsed) != len(kept):
        return None  # a GUID twice, or a kept note missing
    for guid, (content, mod) in kept.items():
        ending = f'"content": {json_string(content)}, "mod": {mod}, "present": true}}'
        if not unparsed[guid].endswith(ending.encode("utf-8")):
            return None
    rest = b",\n".join(others)
    try:
        lock = loads(b"\n".join([*lines[: begin + 1], rest, *lines[end:]]).decode("utf-8"), display)
    except (LockError, UnicodeDecodeError):
        return None  # as above: a full build reports it
    if unparsed.keys() & {note.guid for note in lock.notes}:
        return None
    return Lock(lock.notetype, lock.notes, unparsed, lock.deck)


def write_lock(path: Path, lock: Lock) -> None:
    """Write the lock atomically."""
    write_atomic(path, lock_bytes(lock))


def lock_digest(lock: Lock) -> str:
    """The SHA-256 of the bytes :func:`lock_bytes` writes."""
    digest = hashlib.sha256()
    for piece in lock_bytes(lock):
        digest.update(piece)
    return digest.hexdigest()


def lock_bytes(lock: Lock, size: int = 4096) -> Iterator[bytes]:
    """The lock file's bytes, a few thousand lines at a time: one write of a large lock's every line
    costs more than formatting it, and one string of all of them would be as large as the lock. The
    notes' lines are sorted by GUID; those left unparsed are copied as they were read."""
    yield "".join(_header(lock)).encode("utf-8")
    texts: list[tuple[str, LockedNote | bytes]] = [(note.guid, note) for note in lock.notes]
    texts.extend(lock.unparsed.items())
    texts.sort(key=itemgetter(0))
    notes = (note if isinstance(note, bytes) else _note_line(note).encode("utf-8") for _guid, note in texts)
    first = True
    while batch := list(islice(notes, size)):
        # Each line after the first ends the line before it with a comma.
        yield (b"  " if first else b",\n  ") + b",\n  ".join(batch)
        first = False
    yield (b"\n" if texts else b"") + _FOOTER


GIT_TIMEOUT = 10
"""Seconds a ``git`` command may take before the history is taken as unknown."""


def committed_revision(path: Path) -> str | None:
    """Where git history still has a file that is missing now: the revision to restore it from (the last
    commit that touched it, or that commit's parent when the commit deleted it). ``None`` when the file
    was never committed, or there is no git, no repository or no answer in time (then nothing is known).
    A fresh clone has no deck and no cache to show an earlier build: a lock deleted by mistake and
    committed shows only here."""
    folder = path.parent
    while not folder.is_dir():
        if folder.parent == folder:
            return None
        folder = folder.parent
    relative = Path(os.path.relpath(path, folder)).as_posix()
    try:
        found = _git(folder, "rev-list", "-n", "1", "HEAD", "--", relative)
        if not found:
            return None
        deleted = _git(folder, "cat-file", "-e", f"{found}:./{relative}") is None
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{found[:12]}~1" if deleted else found[:12]


def unmerged(folder: Path) -> frozenset[Path] | None:
    """The files git has in an unresolved merge conflict (``git ls-files -u``) in the repository around
    ``folder``, resolved; ``None`` when there is no git, no repository or no answer in time."""
    try:
        listed = _git(folder, "ls-files", "-u", "-z", "--full-name")
        top = _git(folder, "rev-parse", "--show-toplevel") if listed else ""
    except (OSError, subprocess.SubprocessError):
        return None
    if listed is None or top is None:
        return None
    # Each record: mode, object and stage, a tab, the path from the top of the repository.
    return frozenset(
        (Path(top) / record.split("\t", 1)[1]).resolve() for record in listed.split("\0") if "\t" in record
    )


def _git(folder: Path, *args: str) -> str | None:
    """What a git command printed (stripped), or ``None`` when it failed. Run without this process's
    ``GIT_`` variables (a hook's ``GIT_DIR`` would name another repository)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    done = subprocess.run(
        ["git", "-C", str(folder), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=GIT_TIMEOUT,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None
