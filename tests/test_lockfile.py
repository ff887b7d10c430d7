"""The lock file: a stable text format that round-trips, and that refuses to be read when damaged."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.errors import LockError
from qa2anki.lockfile import (
    EMPTY_LOCK,
    Lock,
    LockedNote,
    LockedNoteType,
    MergedConflict,
    committed_revision,
    dumps,
    loads,
    read_lock,
    read_lock_carrying,
    write_lock,
)

LOCK = Lock(
    notetype=LockedNoteType(1, ("Question", "Answer"), ("Card 1",), "abc", 5),
    notes=(
        LockedNote("b", "k2", "问题二", "答案二", ("主题",), "h2", 7, False),
        LockedNote("a", "k1", "问题一", "答案一", ("主题", "其他"), "h1", 6, True),
    ),
)


def test_round_trip() -> None:
    """dumps then loads gives the same lock (notes sorted by GUID), and dumps is stable."""
    text = dumps(LOCK)
    again = loads(text)
    assert [n.guid for n in again.notes] == ["a", "b"]
    assert dumps(again) == text
    assert loads(dumps(EMPTY_LOCK)) == EMPTY_LOCK


def test_one_note_per_line() -> None:
    """Each note is one line, so a diff shows exactly the notes that changed."""
    lines = dumps(LOCK).splitlines()
    assert sum(1 for line in lines if '"guid"' in line) == 2
    assert "问题一" in dumps(LOCK)  # readable, not escaped


def test_missing_lock_is_empty(tmp_path: Path) -> None:
    """No lock file yet means an empty lock."""
    assert read_lock(tmp_path / "qa2anki.lock", "qa2anki.lock") == EMPTY_LOCK


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        dumps(LOCK)[: len(dumps(LOCK)) // 2],
        "[]",
        json.dumps({"format": 99, "notes": []}),
        json.dumps({"format": 1}),
        dumps(LOCK).replace('"mod": 6', '"mod": "6"'),
        dumps(LOCK).replace('"guid": "b"', '"guid": "a"'),
        dumps(LOCK).replace('"present": true', '"present": 1'),
    ],
)
def test_damaged_lock_is_an_error(tmp_path: Path, text: str) -> None:
    """A corrupt, truncated or hand-mangled lock is an error naming the file; it is never regenerated."""
    path = tmp_path / "qa2anki.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError) as caught:
        read_lock(path, "source/qa2anki.lock")
    assert str(caught.value).startswith("source/qa2anki.lock")
    assert path.read_text(encoding="utf-8") == text


def _refused_at(tmp_path: Path, text: str, marker: str, match: str) -> None:
    """Reading ``text`` as the lock fails with ``match``, naming the line that holds ``marker``."""
    line = next(n for n, row in enumerate(text.splitlines(), 1) if marker in row)
    path = tmp_path / "qa2anki.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError, match=match) as caught:
        read_lock(path, "source/qa2anki.lock")
    assert caught.value.line == line


def test_an_invalid_note_is_named_by_its_line(tmp_path: Path) -> None:
    """A note that does not validate (here: no GUID) is reported at its line of the lock."""
    _refused_at(tmp_path, dumps(LOCK).replace('"guid": "b", ', ""), '"问题二"', "missing 'guid'")


def test_a_lone_surrogate_escape_in_the_lock_is_named_by_its_line(tmp_path: Path) -> None:
    """A ``\\ud800`` escape without its pair (no text can hold it, so writing the lock again failed) makes
    the lock invalid at its line; a pair (an emoji escaped) is fine."""
    lone = dumps(LOCK).replace("答案一", "答案一\\ud800")
    _refused_at(tmp_path, lone, "\\ud800", "escape without its pair")
    path = tmp_path / "qa2anki.lock"
    path.write_text(dumps(LOCK).replace("答案一", "答案一\\ud83d\\ude00"), encoding="utf-8")
    assert read_lock(path, "source/qa2anki.lock").notes


def _conflicted(ours: Lock, theirs: Lock, marker: str = "") -> str:
    """A lock as ``git merge`` leaves it when both sides changed the lines of the notes whose GUIDs differ
    between them or whose records do: one conflict around the notes' lines (git's own layout is tried
    against real merges in :func:`test_a_real_git_merge_conflict_keeps_every_note_of_both_branches`)."""
    mine, other = dumps(ours).split("\n"), dumps(theirs).split("\n")
    begin = mine.index(' "notes": [') + 1
    ending, other_ending = mine.index(" ]"), other.index(" ]")
    base = [f"||||||| base{marker}", *mine[begin:ending][:1]] if marker else []
    return "\n".join(
        [
            *mine[:begin],
            "<<<<<<< HEAD",
            *mine[begin:ending],
            *base,
            "=======",
            *other[begin:other_ending],
            ">>>>>>> theirs",
            *mine[ending:],
        ]
    )


THEIRS = Lock(
    notetype=LOCK.notetype,
    notes=(
        LockedNote("a", "k1", "问题一", "答案一（改）", ("主题", "其他"), "h1b", 9, True),
        LockedNote("b", "k2", "问题二", "答案二", ("主题",), "h2", 7, False),
        LockedNote("c", "k3", "问题三", "答案三", ("主题",), "h3", 8, True),
    ),
)


@pytest.mark.parametrize("marker", ["", " (diff3)"])
def test_a_merge_conflict_in_the_lock_keeps_both_sides(tmp_path: Path, marker: str) -> None:
    """A lock with git's conflict markers (two branches built and merged) is read side by side: every GUID
    of either side, a note both changed as the side that changed it later has it, and what was done is
    told (the first marker's line, how many notes came from where). A ``diff3`` base section is read as
    neither side."""
    text = _conflicted(LOCK, THEIRS, marker)
    path = tmp_path / "qa2anki.lock"
    path.write_text(text + "\n", encoding="utf-8")
    lock = read_lock(path, "source/qa2anki.lock")
    assert [n.guid for n in lock.notes] == ["a", "b", "c"]
    assert lock.notes[0] == THEIRS.notes[0]  # changed later (mod 9 > 6)
    assert lock.conflict == MergedConflict(text.split("\n").index("<<<<<<< HEAD") + 1, 0, 1, 1)
    assert lock.variants == {"a": LOCK.notes[1]}  # the other side's record, to find the note by
    assert "<<<<<<<" not in dumps(lock)
    assert loads(dumps(lock)) == replace(lock, conflict=None, variants={})


def test_the_longer_markers_of_a_criss_cross_base_are_the_bases_text() -> None:
    """In ``diff3`` style a criss-cross merge writes the base it merged first with its own conflicts, marked
    with nine characters: text of the base, read as neither side, not as markers that do not pair up."""
    lines = _conflicted(LOCK, THEIRS).split("\n")
    at = lines.index("=======")
    inner = [
        "||||||| merged common ancestors",
        "<<<<<<<<< Temporary merge branch 1",
        "=========",
        ">>>>>>>>>",
    ]
    lock = loads("\n".join([*lines[:at], *inner, *lines[at:]]))
    assert [n.guid for n in lock.notes] == ["a", "b", "c"] and lock.conflict is not None


def test_a_clean_merge_that_left_one_key_to_two_notes_reads() -> None:
    """Two branches each added one entry, one of them with a typo fixed in a later build: two GUIDs, one
    key, on lines git merged without a conflict. The lock reads (it was refused as invalid, with advice to
    restore it that could not help): the key stays with the note changed later, the other is named."""
    text = dumps(
        Lock(LOCK.notetype, (*LOCK.notes, LockedNote("z", "k1", "问题一", "答案一", (), "h", 9, True)))
    )
    lock = loads(text)
    keys = {note.guid: note.key for note in lock.notes}
    assert keys == {"a": "k1\x1fa", "b": "k2", "z": "k1"} and lock.shared_keys == ("a",)


def test_a_key_both_sides_gave_to_two_notes_stays_with_one(tmp_path: Path) -> None:
    """One side reworded a note into a question the other side added as a new note: two GUIDs, one key.
    The key stays with the note changed later; the other's gets its GUID appended (as a tombstone's does
    in identity), so a key still names one note and the other is found by its question and answer."""
    ours = Lock(LOCK.notetype, (*LOCK.notes, LockedNote("c", "k3", "问题三", "答案三", (), "h3", 8, True)))
    theirs = Lock(LOCK.notetype, (*LOCK.notes, LockedNote("d", "k3", "问题三", "答案三", (), "h4", 9, True)))
    lock = loads(_conflicted(ours, theirs))
    keys = {note.guid: note.key for note in lock.notes}
    assert keys["d"] == "k3" and keys["c"] == "k3\x1fc"


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda text: text.replace(">>>>>>> theirs\n", ""), id="no end marker"),
        pytest.param(lambda text: text.replace('"h3"', '"h3'), id="a side that is not JSON"),
    ],
)
def test_a_merge_conflict_that_cannot_be_read_side_by_side_says_what_to_do(
    tmp_path: Path, damage: Callable[[str], str]
) -> None:
    """Markers that do not pair up, or a side that is no lock, stop the build at the first marker's line
    with what to do (keep one side whole), not as a corrupt file."""
    text = damage(_conflicted(LOCK, THEIRS) + "\n")
    path = tmp_path / "qa2anki.lock"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LockError, match="merge conflict that cannot be read side by side") as caught:
        read_lock(path, "source/qa2anki.lock")
    assert caught.value.line == text.split("\n").index("<<<<<<< HEAD") + 1
    assert "--theirs" in str(caught.value)


_EDITS = st.lists(st.tuples(st.sampled_from("aerx"), st.integers(0, 5)), max_size=5)
"""One branch's changes to a lock of six notes: add a note, edit one's answer, remove one (tombstone),
reword one's question (its key)."""


def _branch(lock: Lock, edits: list[tuple[str, int]], side: str, mod: int) -> Lock:
    notes = {note.guid: note for note in lock.notes}
    for number, (kind, index) in enumerate(edits):
        guid = sorted(notes)[index % len(notes)]
        note = notes[guid]
        mod += 1
        if kind == "a":
            guid = f"{side}{number}"
            notes[guid] = LockedNote(guid, f"{side}键{number}", "新问题", "新答案", ("主题",), "c", mod, True)
        elif kind == "e":
            notes[guid] = replace(note, answer=f"{note.answer}+{side}", content=f"{side}{number}", mod=mod)
        elif kind == "r":
            notes[guid] = replace(note, present=False, mod=mod)
        else:
            notes[guid] = replace(note, key=f"{note.key}·{side}", question=f"{note.question}?", mod=mod)
    return Lock(lock.notetype, tuple(notes.values()), deck=lock.deck)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(ours=_EDITS, theirs=_EDITS, diff3=st.booleans())
def test_a_real_git_merge_conflict_keeps_every_note_of_both_branches(
    tmp_path_factory: pytest.TempPathFactory,
    ours: list[tuple[str, int]],
    theirs: list[tuple[str, int]],
    diff3: bool,
) -> None:
    """Both branches change a lock; ``git merge`` leaves what it leaves. Read, the lock has every GUID of
    either branch, a note both changed as the later change has it, one note per key, and it is told when
    there was a conflict. (Git's own conflict layout: the test above builds one by hand.)"""
    folder = tmp_path_factory.mktemp("merge")
    base = Lock(
        LOCK.notetype,
        tuple(LockedNote(g, f"键{g}", f"问题{g}", f"答案{g}", ("主题",), "h", 10, True) for g in "ABCDEF"),
        deck="面试题",
    )
    path = folder / "qa2anki.lock"
    write_lock(path, base)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-qm", "base")
    git(folder, "checkout", "-qb", "theirs")
    their_lock = _branch(base, theirs, "t", 100)
    write_lock(path, their_lock)
    git(folder, "commit", "-qam", "theirs", "--allow-empty")
    git(folder, "checkout", "-q", "main")
    our_lock = _branch(base, ours, "o", 200)
    write_lock(path, our_lock)
    git(folder, "commit", "-qam", "ours", "--allow-empty")
    style = ["-c", "merge.conflictStyle=diff3"] if diff3 else []
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            *style,
            "-C",
            str(folder),
            "merge",
            "-q",
            "theirs",
            "-m",
            "merge",
        ],
        capture_output=True,
        check=False,
    )
    text = path.read_text(encoding="utf-8")
    lock = read_lock(path, "qa2anki.lock")
    assert (lock.conflict is not None) == ("<<<<<<<" in text)
    mine = {note.guid: note for note in our_lock.notes}
    other = {note.guid: note for note in their_lock.notes}
    got = {note.guid: note for note in lock.notes}
    assert got.keys() == mine.keys() | other.keys()
    assert len({note.key for note in lock.notes}) == len(lock.notes)
    if lock.conflict is not None:
        for guid, note in got.items():
            records = [side[guid] for side in (mine, other) if guid in side]
            latest = max(records, key=lambda r: r.mod)
            assert replace(note, key=latest.key) == latest
            assert note.key in (latest.key, f"{latest.key}\x1f{guid}")


def test_write_is_atomic(tmp_path: Path) -> None:
    """Writing leaves no temporary file behind and replaces the old lock whole."""
    path = tmp_path / "qa2anki.lock"
    path.write_text("old", encoding="utf-8")
    write_lock(path, LOCK)
    assert loads(path.read_text(encoding="utf-8")) == loads(dumps(LOCK))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qa2anki.lock"]


TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('"\\\x00\x1f\u2028/'))


@settings(max_examples=200, deadline=None)
@given(
    guid=TEXT.filter(bool),
    key=TEXT,
    question=TEXT,
    answer=TEXT,
    topics=st.lists(TEXT, max_size=3),
    content=TEXT,
    mod=st.integers(0, 253_402_300_799),
    present=st.booleans(),
)
def test_note_lines_are_json_dumps(
    guid: str, key: str, question: str, answer: str, topics: list[str], content: str, mod: int, present: bool
) -> None:
    """Each note line of the lock is exactly what json.dumps writes for the note's record."""
    note = LockedNote(guid, key, question, answer, tuple(topics), content, mod, present)
    record = {
        "guid": guid,
        "key": key,
        "question": question,
        "answer": answer,
        "topics": topics,
        "content": content,
        "mod": mod,
        "present": present,
    }
    line = dumps(Lock(notetype=None, notes=(note,))).split("\n")[4]
    assert line == "  " + json.dumps(record, ensure_ascii=False)
    assert loads(dumps(Lock(notetype=None, notes=(note,)))).notes == (note,)


def test_a_carrying_read_leaves_kept_notes_as_lines_and_writes_them_back(tmp_path: Path) -> None:
    """Read for a carried build, the kept notes stay text, the others are parsed, and the same lock is
    written back byte for byte."""
    notes = tuple(
        LockedNote(f"g{i}", f"k{i}", f"问{i}", f"答{i}", ("主题",), f"h{i}", 10 + i, i != 3) for i in range(6)
    )
    lock = Lock(LOCK.notetype, notes)
    path = tmp_path / "qa2anki.lock"
    write_lock(path, lock)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    kept = {"g0": ("h0", 10), "g5": ("h5", 15)}
    read = read_lock_carrying(path, "qa2anki.lock", digest, kept)
    assert read is not None
    assert set(read.unparsed) == {"g0", "g5"}
    assert [n.guid for n in read.notes] == ["g1", "g2", "g3", "g4"]
    assert dumps(read) == dumps(lock) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "kept",
    [
        {"g0": ("other", 10)},  # another content hash than the ledger's
        {"g0": ("h0", 11)},  # another mod
        {"g3": ("h3", 13)},  # a tombstone
        {"missing": ("h", 1)},  # not in the lock
    ],
)
def test_a_carrying_read_refuses_notes_that_are_not_as_kept(
    tmp_path: Path, kept: dict[str, tuple[str, int]]
) -> None:
    """A kept note that is not in the lock, live, with the content and mod the ledger has: no carried read."""
    notes = tuple(
        LockedNote(f"g{i}", f"k{i}", f"问{i}", f"答{i}", ("主题",), f"h{i}", 10 + i, i != 3) for i in range(6)
    )
    path = tmp_path / "qa2anki.lock"
    write_lock(path, Lock(LOCK.notetype, notes))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_lock_carrying(path, "qa2anki.lock", digest, kept) is None
    assert read_lock_carrying(path, "qa2anki.lock", "0" * 64, {}) is None  # another file than the ledger's


def test_the_deck_is_recorded_and_optional() -> None:
    """The lock records the deck its notes were built into; a lock written before that has none."""
    with_deck = Lock(LOCK.notetype, LOCK.notes, deck="面试题::机器学习")
    text = dumps(with_deck)
    assert ' "deck": "面试题::机器学习",\n' in text
    assert loads(text) == Lock(
        LOCK.notetype, tuple(sorted(LOCK.notes, key=lambda n: n.guid)), deck=with_deck.deck
    )
    assert loads(dumps(LOCK)).deck is None
    with pytest.raises(LockError, match="deck has the wrong type"):
        loads(text.replace('"面试题::机器学习"', "7"))


RECORDED = LockedNote(
    "c",
    "k3",
    "问题三?",
    "答案三",
    ("主题",),
    "h3",
    8,
    True,
    question_md="问题三？",
    wording="0123456789abcdef",
    others=("1111111111111111", "2222222222222222"),
    older=("2222222222222222",),
)


def test_what_the_card_shows_is_recorded_and_optional() -> None:
    """The question as written, the wording digests and the forgotten mark round-trip; a note line
    without them (an older lock) reads as not recorded, and is written back as it was."""
    forgotten = LockedNote(
        "d", "k4", "问题四", "答案四", (), "h4", 9, False, "问题四？", "fe" * 8, forgotten=True
    )
    lock = Lock(LOCK.notetype, (*LOCK.notes, RECORDED, forgotten))
    text = dumps(lock)
    assert loads(text) == Lock(LOCK.notetype, tuple(sorted(lock.notes, key=lambda n: n.guid)))
    line = next(line for line in text.splitlines() if '"guid": "c"' in line)
    assert '"question_md": "问题三？", "wording": "0123456789abcdef", "others": [' in line
    assert line.endswith('"content": "h3", "mod": 8, "present": true},')
    assert next(line for line in text.splitlines() if '"guid": "d"' in line).endswith(
        '"present": false, "forgotten": true}'
    )
    old = loads(dumps(LOCK))
    assert not any(note.recorded for note in old.notes)
    assert old.notes[0].written == "问题一"  # the folded question, all an older lock has
    assert RECORDED.written == "问题三？"
    assert dumps(old) == dumps(LOCK)


def test_a_carrying_read_keeps_recorded_notes_as_lines(tmp_path: Path) -> None:
    """A kept note with recorded wordings is left as its line, and the lock is written back the same."""
    lock = Lock(LOCK.notetype, (*LOCK.notes, RECORDED))
    path = tmp_path / "qa2anki.lock"
    write_lock(path, lock)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    carried = read_lock_carrying(path, "qa2anki.lock", digest, {"c": ("h3", 8)})
    assert carried is not None and set(carried.unparsed) == {"c"}
    assert dumps(carried) == path.read_text(encoding="utf-8")


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` as a user would (an author set, nothing from this process's settings)."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def test_a_missing_file_is_found_in_git_history_where_it_was_committed(tmp_path: Path) -> None:
    """Deleted in the working tree only: restored from the last commit that has it. Deleted and committed:
    from the parent of the commit that deleted it. Never committed, or no repository: nothing known."""
    lock = tmp_path / "source" / "qa2anki.lock"
    assert committed_revision(lock) is None  # no repository (nor the folder)
    git(tmp_path, "init", "-q")
    lock.parent.mkdir()
    (lock.parent / "a.md").write_text("x\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "documents")
    assert committed_revision(lock) is None  # never committed
    lock.write_text("{}\n", encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "lock")
    added = git(tmp_path, "rev-parse", "HEAD")[:12]
    lock.unlink()
    assert committed_revision(lock) == added
    git(tmp_path, "commit", "-qam", "lock deleted")
    deleted = git(tmp_path, "rev-parse", "HEAD")[:12]
    assert committed_revision(lock) == f"{deleted}~1"
    git(tmp_path, "checkout", "-q", f"{deleted}~1", "--", "source/qa2anki.lock")
    assert lock.read_text(encoding="utf-8") == "{}\n"
