"""Decks in a real collection: the same question in two decks is two notes, and a renamed deck warns.

Anki matches notes by GUID across the whole collection and decks by name (see the import rules in
docs/design.md), so both cases used to go wrong silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection

from tests.anki.conftest import (
    BASE_SECTIONS,
    answer_all,
    build_deck,
    deck_of,
    import_apkg,
    snapshot,
    write_document,
)
from tests.conftest import RunCli, read_apkg


def _project(root: Path, deck: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[tool.qa2anki]\ndeck_name = "{deck}"\n', encoding="utf-8")
    write_document(root, BASE_SECTIONS)
    monkeypatch.chdir(root)
    return root


def test_the_same_content_in_two_decks_stays_two_sets_of_notes(
    tmp_path: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two projects with the same entries, decks 机器学习 and 深度学习: importing both gives each deck its
    own notes and cards, and the first deck's history is untouched by the second import."""
    _project(tmp_path / "ml", "机器学习", monkeypatch)
    first, _ = build_deck(run_cli)
    import_apkg(collection, first)
    answer_all(collection)
    before = snapshot(collection)
    _project(tmp_path / "dl", "深度学习", monkeypatch)
    second, _ = build_deck(run_cli)
    assert not set(read_apkg(first)) & set(read_apkg(second))
    import_apkg(collection, second)
    after = snapshot(collection)
    assert len(after) == 2 * len(before)
    assert {deck_of(collection, state) for state in after.values()} == {"机器学习", "深度学习"}
    for note_id, state in before.items():
        assert after[note_id] == state  # the first deck's notes and history, as they were


def test_a_renamed_deck_warns_and_the_cards_stay_where_they_were(
    tmp_path: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renaming deck_name warns, naming both decks; the warning is right: Anki keeps the imported cards in
    the old deck (it matches decks by name) and updates them there."""
    project = _project(tmp_path / "p", "面试::旧名", monkeypatch)
    v1, _ = build_deck(run_cli)
    import_apkg(collection, v1)
    (project / "pyproject.toml").write_text('[tool.qa2anki]\ndeck_name = "面试::新名"\n', encoding="utf-8")
    v2, result = build_deck(run_cli, output="renamed.apkg")
    assert "deck_name is now '面试::新名', but the lock's notes were built into '面试::旧名'" in result.output
    import_apkg(collection, v2)
    assert {deck_of(collection, state) for state in snapshot(collection).values()} == {"面试::旧名"}
    assert set(read_apkg(v2)) == set(read_apkg(v1))
