"""make deck: a real importable deck — the seed document built with the CLI and imported by the real Anki
backend with the default options."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from anki.collection import Collection

from tests.anki.conftest import (
    FIELDS,
    NOTE_TYPE_NAME,
    NoteState,
    answer_all,
    build_deck,
    deck_of,
    import_apkg,
    snapshot,
)
from tests.conftest import SEED, RunCli, read_apkg

SEED_STEM = SEED.stem  # "gpt-4-tech-highlights"


@pytest.fixture
def seed_project(project: Path) -> Path:
    """The project with the seed document in ``source/``."""
    shutil.copyfile(SEED, project / "source" / SEED.name)
    return project


def test_seed_deck_imports_into_anki(seed_project: Path, run_cli: RunCli, collection: Collection) -> None:
    """``qa2anki build`` writes build/qa2anki.apkg, which Anki imports as 12 notes of the qa2anki note type
    in the default deck "qa2anki", with topic and document tags and rendered HTML."""
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    apkg = seed_project / "build" / "qa2anki.apkg"
    assert apkg.is_file(), result.output

    response = import_apkg(collection, apkg)
    assert len(response.log.new) == 12
    assert not response.log.conflicting and not response.log.missing_notetype
    states = snapshot(collection)
    assert len(states) == 12
    assert collection.card_count() == 12

    for state in states.values():
        assert deck_of(collection, state) == "qa2anki"
        assert state.notetype == NOTE_TYPE_NAME
        assert tuple(state.fields) == FIELDS
        _assert_seed_note(state)


def _assert_seed_note(state: NoteState) -> None:
    question, answer, topic, source = (state.fields[name] for name in FIELDS)
    assert question.strip(), state
    assert "面试题" not in question and "答案" not in question
    assert "**" not in question + answer
    assert "<ol>" in answer and "<li>" in answer and "<strong>" in answer, answer
    assert not answer.startswith("<p>答案") and "**答案" not in answer
    assert "通过以上" not in answer  # the article's closing paragraph belongs to no entry
    topics = topic.split(" / ")
    # Tags are NFKC-folded (Anki tags are plain words): 生成对抗网络（GAN） → 主题::生成对抗网络(GAN).
    topic_tags = {f"主题::{unicodedata.normalize('NFKC', t)}" for t in topics}
    assert set(state.tags) == {*topic_tags, f"文档::{SEED_STEM}"}
    # The Source field names the document and the topic, never a line number.
    for location in source.split("<br>"):
        match = re.fullmatch(rf"{re.escape(SEED.name)} › (.+)", location)
        assert match is not None, source
        assert match.group(1) in topics
        assert not re.search(r"\d", match.group(1)), source
    assert not re.search(r"[:：]\s*\d+|#L?\d+|第\s*\d+\s*行|\bline\b", source), source


def test_configured_deck_name(seed_project: Path, run_cli: RunCli, collection: Collection) -> None:
    """``[tool.qa2anki] deck_name`` in pyproject.toml is the deck the imported cards land in."""
    (seed_project / "pyproject.toml").write_text(
        '[project]\nname = "my-notes"\n\n[tool.qa2anki]\ndeck_name = "面试题::测试"\n', encoding="utf-8"
    )
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    (apkg,) = (seed_project / "build").glob("*.apkg")
    import_apkg(collection, apkg)
    states = snapshot(collection)
    assert len(states) == 12
    assert {deck_of(collection, s) for s in states.values()} == {"面试题::测试"}
    assert "面试题::测试" in [d.name for d in collection.decks.all_names_and_ids()]


def test_rebuilding_gives_identical_guids(seed_project: Path, run_cli: RunCli) -> None:
    """Rebuilding — with the lock, and from scratch without it (asked for with --new-lock) — gives every
    note the same GUID."""
    first, _ = build_deck(run_cli, output="first.apkg")
    second, _ = build_deck(run_cli, output="second.apkg")
    guids = set(read_apkg(first))
    assert len(guids) == 12
    assert set(read_apkg(second)) == guids
    (seed_project / "source" / "qa2anki.lock").unlink()
    third, _ = build_deck(run_cli, "--new-lock", output="third.apkg")
    assert set(read_apkg(third)) == guids


def test_editing_one_answer_updates_that_note_in_place(
    seed_project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing one answer keeps that note's GUID; re-importing updates its Answer field in the same note
    (same id, cards and review log) and leaves every other note as it was."""
    v1_path, _ = build_deck(run_cli)
    v1 = read_apkg(v1_path)
    import_apkg(collection, v1_path)
    assert answer_all(collection) == 12
    before = snapshot(collection)

    seed = seed_project / "source" / SEED.name
    text = seed.read_text(encoding="utf-8")
    old, new = "包括社交媒体、新闻报道、科学论文等", "包括社交媒体、新闻报道、科学论文和开源代码等"
    assert text.count(old) == 1
    seed.write_text(text.replace(old, new), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700003600")
    v2_path, result = build_deck(run_cli)
    assert "0 added, 1 updated, 0 re-identified, 0 revived, 11 unchanged, 0 removed" in result.output
    v2 = read_apkg(v2_path)
    assert set(v2) == set(v1)
    (edited_guid,) = [g for g in v1 if v1[g].fields != v2[g].fields]
    assert new in v2[edited_guid].fields[1]

    response = import_apkg(collection, v2_path)
    assert len(response.log.updated) == 1 and not response.log.new
    after = snapshot(collection)
    assert set(after) == set(before)
    for note_id, old_state in before.items():
        state = after[note_id]
        assert state.guid == old_state.guid
        assert state.cards == old_state.cards  # scheduling and review log
        if state.guid == edited_guid:
            assert new in state.fields["Answer"] and old not in state.fields["Answer"]
            assert state.fields["Question"] == old_state.fields["Question"]
            assert state.mod > old_state.mod
        else:
            assert state == old_state
