"""Re-export after any content edit keeps every note's review history (real Anki importer, default options).

Each edit test builds v1 of a small document, imports it into a fresh collection, answers every card once,
edits the document, builds v2 and imports it into the same collection; then every note the user had must
still be there with the same id, GUID, cards, scheduling and review log, showing the v2 text.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportResponse

from tests.anki.conftest import (
    ATTENTION,
    BASE_KEYS,
    BASE_SECTIONS,
    EVALUATION,
    LORA,
    MOE,
    NORMALIZATION,
    POSITION,
    QUANT,
    RAG,
    NoteState,
    Section,
    answer_all,
    build_deck,
    import_apkg,
    snapshot,
    write_document,
)
from tests.conftest import DeckNote, RunCli, read_apkg

EPOCH = 1700000000
"""The ``project`` fixture's pinned ``SOURCE_DATE_EPOCH``."""
LATER = EPOCH + 86400


# --------------------------------------------------------------------------------------------------
# The edits
# --------------------------------------------------------------------------------------------------

Sections = list[Section]


def _change(key: str, **changes: object) -> Callable[[Sections], Sections]:
    def apply(sections: Sections) -> Sections:
        assert any(s.key == key for s in sections)
        return [s.with_(**changes) if s.key == key else s for s in sections]

    return apply


def _reorder(sections: Sections) -> Sections:
    # Reverse the document, then swap the first two: every section moves, numbers are rewritten.
    moved = sections[::-1]
    return [moved[1], moved[0], *moved[2:]]


def _delete_entry(sections: Sections) -> Sections:
    return [s for s in sections if s.key != "normalization"]


def _add_entry(sections: Sections) -> Sections:
    return [*sections[:3], MOE, *sections[3:]]


def _delete_duplicates(sections: Sections) -> Sections:
    kept: Sections = []
    for section in sections:
        if section.key == "attention" and any(s.key == "attention" for s in kept):
            continue  # the second copy under the same topic
        if section.key == "quant" and section.topic == "推理加速":
            continue  # the copy under another topic: the note loses a topic
        kept.append(section)
    return kept


_fix_typo = _change("lora", question=LORA.question.replace("降底", "降低"))
_reword_question = _change("decoding", question="大模型在推理时，常用哪些方法来选择下一个要输出的词？")
_extend_answer = _change(
    "evaluation",
    items=(*EVALUATION.items, "**基准测试**：在MMLU、C-Eval等公开基准上考察模型的知识和推理能力。"),
)
_reword_answer = _change(
    "rag",
    lead="RAG把检索和生成结合起来，一般分为离线和在线两个阶段：",
    items=(
        "**离线建库**：清洗并切分知识库文档，用嵌入模型编码后写入向量数据库。",
        "**在线检索**：把用户的问题向量化，召回相似度最高的文档片段，必要时再做重排序。",
        "**增强生成**：把召回的片段拼接进提示词，由大模型结合这些上下文作答。",
    ),
)
_rename_topic = _change("position", topic="位置信息编码")
_edit_both = _change(
    "attention",
    question="Transformer里的自注意力是怎样计算的？",
    items=(*ATTENTION.items[:3], "**加权求和**：用注意力权重对V加权求和，得到该位置的输出表示。"),
)


@dataclass(frozen=True)
class Edit:
    """One kind of edit and what it must do to the user's collection."""

    name: str
    steps: tuple[Callable[[Sections], Sections], ...]
    changed: frozenset[str] = frozenset()
    """Keys of notes whose fields or tags change (the update must land)."""
    removed: frozenset[str] = frozenset()
    """Keys of notes no longer in the sources (Anki keeps them as they were)."""
    added: frozenset[str] = frozenset()
    """Keys of notes new in v2."""
    checks: tuple[tuple[str, str, str], ...] = field(default=())
    """(key, field, text) that must appear in the v2 note, beyond the sections' own text."""

    def apply(self, sections: Sequence[Section]) -> Sections:
        """The edited document."""
        result = list(sections)
        for step in self.steps:
            result = step(result)
        return result


EDITS = [
    Edit("fix-typo-in-question", (_fix_typo,), changed=frozenset({"lora"})),
    Edit("reword-question-keep-answer", (_reword_question,), changed=frozenset({"decoding"})),
    Edit("extend-answer", (_extend_answer,), changed=frozenset({"evaluation"})),
    Edit("reword-answer", (_reword_answer,), changed=frozenset({"rag"})),
    Edit(
        "rename-section-heading",
        (_rename_topic,),
        changed=frozenset({"position"}),
        checks=(("position", "Topic", "位置信息编码"), ("position", "Source", "位置信息编码")),
    ),
    Edit("reorder-sections", (_reorder,)),
    Edit("delete-entry", (_delete_entry,), removed=frozenset({"normalization"})),
    Edit("add-entry", (_add_entry,), added=frozenset({"moe"})),
    Edit("delete-duplicate-copies", (_delete_duplicates,), changed=frozenset({"quant"})),
    Edit("edit-question-and-answer-a-little", (_edit_both,), changed=frozenset({"attention"})),
    Edit(
        "all-at-once",
        (
            _reorder,
            _delete_duplicates,
            _fix_typo,
            _reword_question,
            _extend_answer,
            _reword_answer,
            _rename_topic,
            _edit_both,
            _delete_entry,
            _add_entry,
        ),
        changed=frozenset({"lora", "decoding", "evaluation", "rag", "position", "quant", "attention"}),
        removed=frozenset({"normalization"}),
        added=frozenset({"moe"}),
    ),
]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def ids_by_key(states: dict[int, NoteState], sections: Sequence[Section]) -> dict[str, int]:
    """Which note of the collection holds each section's question (exactly one per key)."""
    ids: dict[str, int] = {}
    for section in sections:
        matching = [s.id for s in states.values() if section.question in s.question]
        assert len(matching) == 1, f"{section.key}: {len(matching)} notes show {section.question!r}"
        ids.setdefault(section.key, matching[0])
        assert ids[section.key] == matching[0]
    return ids


def first(sections: Sequence[Section], key: str) -> Section:
    """The first section with this key."""
    return next(s for s in sections if s.key == key)


def assert_shows(state: NoteState, sections: Sequence[Section], key: str) -> None:
    """The note shows the sections' text for ``key``: question, every answer item, topics and tags."""
    section = first(sections, key)
    assert section.question in state.fields["Question"], (key, state.fields["Question"])
    assert "面试题" not in state.fields["Question"]
    assert section.lead in state.fields["Answer"], (key, state.fields["Answer"])
    for item in section.items:
        label, text = item.removeprefix("**").split("**", 1)
        assert f"<strong>{label}</strong>{text}" in state.fields["Answer"], (key, item)
    topics = {s.topic for s in sections if s.key == key}
    assert set(state.fields["Topic"].split(" / ")) == topics, (key, state.fields["Topic"])
    assert {t for t in state.tags if t.startswith("主题::")} == {f"主题::{t}" for t in topics}, key
    assert "文档::llm-interview" in state.tags


def set_clock(monkeypatch: pytest.MonkeyPatch, seconds: int) -> None:
    """Pin ``SOURCE_DATE_EPOCH`` for the next build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(seconds))


@dataclass(repr=False)
class RoundTrip:
    """The state of one v1 → study → v2 round trip."""

    before: dict[int, NoteState]
    after: dict[int, NoteState]
    ids: dict[str, int]
    v1: dict[str, DeckNote]
    v2: dict[str, DeckNote]
    response: ImportResponse
    output: str


def round_trip(
    project: Path,
    run_cli: RunCli,
    col: Collection,
    monkeypatch: pytest.MonkeyPatch,
    v2_sections: Sequence[Section],
    v2_clock: int,
) -> RoundTrip:
    """Build and import v1, answer every card, build v2 (at ``v2_clock``) and import it."""
    write_document(project, BASE_SECTIONS)
    v1_path, _ = build_deck(run_cli)
    v1 = read_apkg(v1_path)
    import_apkg(col, v1_path)
    assert answer_all(col) == len(BASE_KEYS)
    before = snapshot(col)
    assert len(before) == len(BASE_KEYS)
    assert all(card.reps == 1 and len(card.revlog) == 1 for s in before.values() for card in s.cards)
    ids = ids_by_key(before, BASE_SECTIONS)

    set_clock(monkeypatch, v2_clock)
    write_document(project, v2_sections)
    v2_path, result = build_deck(run_cli)
    v2 = read_apkg(v2_path)
    response = import_apkg(col, v2_path)
    return RoundTrip(before, snapshot(col), ids, v1, v2, response, result.output)


def assert_history_kept(trip: RoundTrip, edit: Edit, v2_sections: Sequence[Section]) -> None:
    """Everything the issue promises for one edit."""
    before, after, ids = trip.before, trip.after, trip.ids
    surviving = set(BASE_KEYS) - edit.removed

    # The v2 deck must carry the GUID of every note that is still in the sources.
    lost = sorted(k for k in surviving if before[ids[k]].guid not in trip.v2)
    assert not lost, (
        f"v2 gave these notes new GUIDs, so Anki adds a duplicate and the history stays on the old "
        f"note: {lost}\n{trip.output}"
    )

    # Anki never deletes on import; the new entry arrives as a new note.
    assert set(before) <= set(after)
    assert len(after) == len(before) + len(edit.added), trip.output
    assert not trip.response.log.conflicting

    # Every note the user had keeps its id, GUID, cards, scheduling and review log.
    for key, note_id in ids.items():
        old, new = before[note_id], after[note_id]
        assert new.guid == old.guid, key
        assert new.cards == old.cards, f"{key}: scheduling or review log changed"

    # Surviving notes show the v2 text (fields and tags exactly as in the v2 deck).
    changed = set()
    for key in sorted(surviving):
        old, new = before[ids[key]], after[ids[key]]
        deck_note = trip.v2[new.guid]
        assert tuple(new.fields.values()) == deck_note.fields, f"{key}: the v2 text did not land"
        assert new.tags == deck_note.tags, key
        assert_shows(new, v2_sections, key)
        if new.fields != old.fields or new.tags != old.tags:
            changed.add(key)
            assert new.mod > old.mod, key
        else:
            assert new == old, key
    assert changed == set(edit.changed)
    assert len(trip.response.log.updated) == len(edit.changed)
    for key, field_name, text in edit.checks:
        assert text in after[ids[key]].fields[field_name], (key, field_name)

    # Removed notes stay in the collection exactly as they were; the build says how many.
    for key in edit.removed:
        assert before[ids[key]].guid not in trip.v2
        assert after[ids[key]] == before[ids[key]]
    assert f", {len(edit.removed)} removed" in trip.output

    # New notes: fresh cards, no history.
    new_notes = [after[i] for i in sorted(set(after) - set(before))]
    assert len(trip.response.log.new) == len(edit.added)
    for key in edit.added:
        (state,) = [s for s in new_notes if first(v2_sections, key).question in s.question]
        assert state.guid in trip.v2
        assert_shows(state, v2_sections, key)
        assert all(card.reps == 0 and card.revlog == () for card in state.cards)

    # Every note of the v2 deck is in the collection with the deck's text; no question appears twice.
    by_guid = {s.guid: s for s in after.values()}
    for guid, deck_note in trip.v2.items():
        assert tuple(by_guid[guid].fields.values()) == deck_note.fields
    questions = [s.question for s in after.values()]
    assert len(questions) == len(set(questions)), "two notes show the same question"


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("v2_clock", [LATER, EPOCH], ids=["a-day-later", "same-second"])
@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_edit_keeps_review_history(
    edit: Edit,
    v2_clock: int,
    project: Path,
    run_cli: RunCli,
    collection: Collection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After this edit, re-importing the rebuilt deck keeps every note's id, GUID, cards and review log,
    shows the new text, adds only new entries and keeps removed ones untouched."""
    v2_sections = edit.apply(BASE_SECTIONS)
    trip = round_trip(project, run_cli, collection, monkeypatch, v2_sections, v2_clock)
    assert_history_kept(trip, edit, v2_sections)


def test_same_second_update_lands(
    project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SOURCE_DATE_EPOCH the same for v1 and v2, a changed note gets mod v1+1 and Anki takes it."""
    edit = EDITS[2]  # extend an answer
    v2_sections = edit.apply(BASE_SECTIONS)
    trip = round_trip(project, run_cli, collection, monkeypatch, v2_sections, EPOCH)
    guid = trip.before[trip.ids["evaluation"]].guid
    assert trip.v1[guid].mod == EPOCH
    assert trip.v2[guid].mod == EPOCH + 1
    unchanged = [g for g in trip.v1 if g != guid]
    assert all(trip.v2[g].mod == trip.v1[g].mod == EPOCH for g in unchanged)
    assert "基准测试" in trip.after[trip.ids["evaluation"]].fields["Answer"]
    assert "1 updated" in trip.output
    assert_history_kept(trip, edit, v2_sections)


def test_two_builds_from_the_same_state_are_byte_identical(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building twice from the same sources and lock gives the same .apkg bytes (zip dates included)."""
    write_document(project, BASE_SECTIONS)
    first_path, _ = build_deck(run_cli, output="first.apkg")
    second_path, second = build_deck(run_cli, output="second.apkg")
    assert "(source/qa2anki.lock unchanged)" in second.output
    assert first_path.read_bytes() == second_path.read_bytes()
    # A day later, with nothing changed, the deck is still the same bytes (unchanged notes keep their mod).
    set_clock(monkeypatch, LATER)
    third_path, _ = build_deck(run_cli, output="third.apkg")
    assert third_path.read_bytes() == first_path.read_bytes()


def test_rebuild_without_changes_updates_nothing_in_anki(
    project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-importing a rebuild of unchanged sources leaves every studied note exactly as it was."""
    write_document(project, BASE_SECTIONS)
    v1, _ = build_deck(run_cli)
    import_apkg(collection, v1)
    answer_all(collection)
    before = snapshot(collection)
    set_clock(monkeypatch, LATER)
    v2, result = build_deck(run_cli)
    assert "0 added, 0 updated, 0 re-identified, 0 revived, 8 unchanged, 0 removed" in result.output
    response = import_apkg(collection, v2)
    assert not response.log.new and not response.log.updated and not response.log.conflicting
    assert snapshot(collection) == before


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "anki-profile" not in p.parts
    }


def test_dry_run_writes_nothing(project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """``build --dry-run`` reports what would change but writes no deck, no lock and no other file."""
    write_document(project, BASE_SECTIONS)
    tree = _tree(project)
    result = run_cli("build", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "8 added" in result.output
    assert "dry run: nothing written" in result.output
    assert _tree(project) == tree
    assert not (project / "build").exists()

    build_deck(run_cli)
    set_clock(monkeypatch, LATER)
    write_document(project, _extend_answer(_delete_entry(list(BASE_SECTIONS))))
    tree = _tree(project)
    result = run_cli("build", "-o", "deck.apkg", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "1 removed" in result.output
    assert _tree(project) == tree


def test_locked_fails_only_when_the_lock_would_change(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``build --locked`` exits 1 (writing no deck or lock) when the lock would change, else 0."""
    lock = project / "source" / "qa2anki.lock"
    write_document(project, BASE_SECTIONS)
    result = run_cli("build", "-o", "deck.apkg", "--locked")
    assert result.exit_code == 1, result.output
    assert "lock" in result.output
    assert not lock.exists() and not (project / "deck.apkg").exists()

    deck, _ = build_deck(run_cli)
    lock_bytes, deck_bytes = lock.read_bytes(), deck.read_bytes()
    result = run_cli("build", "-o", "deck.apkg", "--locked")
    assert result.exit_code == 0, result.output
    set_clock(monkeypatch, LATER)  # time passing alone does not change the lock
    result = run_cli("build", "-o", "deck.apkg", "--locked")
    assert result.exit_code == 0, result.output
    assert lock.read_bytes() == lock_bytes and deck.read_bytes() == deck_bytes

    write_document(project, _fix_typo(list(BASE_SECTIONS)))
    result = run_cli("build", "-o", "deck.apkg", "--locked")
    assert result.exit_code == 1, result.output
    assert lock.read_bytes() == lock_bytes and deck.read_bytes() == deck_bytes
    # The next build without --locked takes the edit; then --locked passes again.
    build_deck(run_cli)
    assert lock.read_bytes() != lock_bytes
    result = run_cli("build", "-o", "deck.apkg", "--locked")
    assert result.exit_code == 0, result.output


def test_added_entry_in_the_same_second_gets_its_own_note_and_card(
    project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new entry inserted before existing ones, built in the same second, arrives as a new note with a
    card of its own (its ids inside the .apkg may equal ids Anki already uses)."""
    v2_sections = _add_entry(list(BASE_SECTIONS))
    trip = round_trip(project, run_cli, collection, monkeypatch, v2_sections, EPOCH)
    new_ids = set(trip.after) - set(trip.before)
    assert len(new_ids) == 1
    (state,) = [trip.after[i] for i in new_ids]
    assert MOE.question in state.question
    assert len(state.cards) == 1 and state.cards[0].reps == 0
    assert collection.card_count() == len(BASE_KEYS) + 1
    assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH)


def test_deleted_entry_restored_later_gets_its_note_back(
    project: Path, run_cli: RunCli, collection: Collection
) -> None:
    """An entry deleted in v2 and restored (edited) in v3 gets its old GUID back and updates the note the
    user kept, with its history, even when all three builds happen in the same second."""
    write_document(project, BASE_SECTIONS)
    v1, _ = build_deck(run_cli)
    import_apkg(collection, v1)
    answer_all(collection)
    before = snapshot(collection)
    note_id = ids_by_key(before, BASE_SECTIONS)["normalization"]

    write_document(project, _delete_entry(list(BASE_SECTIONS)))
    v2, result = build_deck(run_cli)
    assert ", 1 removed" in result.output
    import_apkg(collection, v2)
    assert snapshot(collection) == before

    extra = "**推理开销**：LayerNorm在推理时也要实时计算统计量，RMSNorm去掉均值项以减少计算。"
    restored = _change("normalization", items=(*NORMALIZATION.items, extra))(list(BASE_SECTIONS))
    write_document(project, restored)
    v3, result = build_deck(run_cli)
    assert "1 revived" in result.output, result.output
    response = import_apkg(collection, v3)
    assert len(response.log.updated) == 1 and not response.log.new
    after = snapshot(collection)
    assert set(after) == set(before)
    assert after[note_id].guid == before[note_id].guid
    assert after[note_id].cards == before[note_id].cards
    assert "RMSNorm" in after[note_id].fields["Answer"]


def test_a_lock_deleted_after_a_build_is_refused(
    project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting the lock after a build and rebuilding used to mint new GUIDs for edited notes, which came
    back as duplicates without history. Now the build stops (exit 1, naming the lock and saying how to
    restore it) and writes nothing; restoring the lock gives the edit in place, history kept."""
    write_document(project, BASE_SECTIONS)
    v1_path, _ = build_deck(run_cli)
    import_apkg(collection, v1_path)
    answer_all(collection)
    before = snapshot(collection)
    lock = project / "source" / "qa2anki.lock"
    saved_lock = lock.read_bytes()
    v1_deck = v1_path.read_bytes()
    lock.unlink()
    write_document(project, EDITS[0].apply(BASE_SECTIONS))
    refused = run_cli("build", "-o", "deck.apkg")
    assert refused.exit_code == 1
    assert "source/qa2anki.lock: the lock is missing, but deck.apkg shows an earlier build" in refused.output
    assert "--new-lock" in refused.output and "git checkout" in refused.output
    assert not lock.exists() and v1_path.read_bytes() == v1_deck  # nothing written
    lock.write_bytes(saved_lock)  # restored, as the message says
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(LATER))
    v2_path, _ = build_deck(run_cli)
    import_apkg(collection, v2_path)
    after = snapshot(collection)
    assert after.keys() == before.keys()  # no duplicate: every note updated in place
    assert all([c.revlog for c in after[i].cards] == [c.revlog for c in before[i].cards] for i in before)
    assert sum(after[i].fields != before[i].fields for i in before) == 1  # the fixed typo landed


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git as a user runs it (an author set, nothing from this process's settings)."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(folder), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_a_lock_merge_conflict_keeps_both_branches_notes(
    project: Path, run_cli: RunCli, collection: Collection, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two people build on two branches and import into their own Anki; the lock conflicts on merge. On
    one branch a new entry got its GUID from a question with a typo, fixed later: keeping one side's lock
    whole gave that note a new GUID, and its studier a duplicate without history. The build reads both
    sides, says so at the first marker, and writes the lock whole: both people's Anki update in place."""
    sections = [ATTENTION, POSITION, LORA, RAG, QUANT]
    (project / ".gitignore").write_text("*.apkg\nanki-profile/\nbuild/\n", encoding="utf-8")
    write_document(project, sections)
    base, _ = build_deck(run_cli)
    theirs_profile = tmp_path_factory.mktemp("theirs") / "collection.anki2"
    theirs = Collection(str(theirs_profile))
    try:
        for col in (collection, theirs):
            import_apkg(col, base)
            answer_all(col)
        assert _git(project, "init", "-q", "-b", "main").returncode == 0
        _git(project, "add", "-A")
        _git(project, "commit", "-qm", "base")
        # Their branch: a new entry, its typo fixed after a build; the RAG question reworded.
        _git(project, "checkout", "-qb", "theirs")
        typo = MOE.with_(question=MOE.question.replace("优势", "优事"))
        for added in (typo, MOE):
            write_document(project, [*sections, added])
            import_apkg(theirs, build_deck(run_cli)[0])
            answer_all(theirs)
        reworded = [
            RAG.with_(question="检索增强生成（RAG）的基本流程是怎样的？") if s is RAG else s for s in sections
        ]
        write_document(project, [*reworded, MOE])
        import_apkg(theirs, build_deck(run_cli)[0])
        _git(project, "commit", "-qam", "theirs")
        studied = snapshot(theirs)
        # Our branch: the RAG answer extended.
        _git(project, "checkout", "-q", "main")
        extended = RAG.with_(items=(*RAG.items, "**重排序**：用交叉编码器对检索结果重新排序。"))
        write_document(project, [extended if s is RAG else s for s in sections])
        import_apkg(collection, build_deck(run_cli)[0])
        _git(project, "commit", "-qam", "ours")
        ours_before = snapshot(collection)
        merge = _git(project, "merge", "theirs", "-m", "merge")
        lock = project / "source" / "qa2anki.lock"
        assert merge.returncode != 0 and "<<<<<<<" in lock.read_text(encoding="utf-8"), merge.stdout
        assert _git(project, "diff", "--name-only", "--diff-filter=U").stdout.split() == [
            "source/qa2anki.lock"
        ]
        marker = (
            lock.read_text(encoding="utf-8")
            .splitlines()
            .index(
                next(
                    line
                    for line in lock.read_text(encoding="utf-8").splitlines()
                    if line.startswith("<<<<<<<")
                )
            )
        )

        merged, result = build_deck(run_cli)
        assert (
            f"source/qa2anki.lock:{marker + 1}: warning: the lock holds a git merge conflict" in result.output
        )
        assert "1 only on theirs" in result.output, result.output
        assert "<<<<<<<" not in lock.read_text(encoding="utf-8")
        for col, before, new in ((theirs, studied, 0), (collection, ours_before, 1)):
            response = import_apkg(col, merged)
            assert len(response.log.new) == new
            after = snapshot(col)
            assert before.keys() <= after.keys() and len(after) == len(before) + new
            assert all(after[i].guid == before[i].guid and after[i].cards == before[i].cards for i in before)
            (rag,) = [state for state in after.values() if "RAG" in state.question]
            assert "怎样的" in rag.question and "重排序" in rag.fields["Answer"]
        assert run_cli("build", "-o", "deck.apkg", "--locked").exit_code == 0
    finally:
        theirs.close()
