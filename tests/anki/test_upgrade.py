"""Upgrading qa2anki keeps the user's history (real Anki importer, default options).

``tests/fixtures/upgrade`` holds a document, and the deck and lock that the parser of 5aaf591 (before it
read one-paragraph pairs, numbered question headings, entries in lists and quotes, …) built from it. The
user imports that deck and studies it; today's parser rebuilds from the same document and lock, and the
user imports the new deck. Every entry the old parser found must update in place (same note, GUID, cards
and review log); the entries it could not read arrive as new notes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from anki.collection import Collection

from tests.anki.conftest import NoteState, answer_all, build_deck, import_apkg, snapshot
from tests.conftest import RunCli, read_apkg

UPGRADE = Path(__file__).parent.parent / "fixtures" / "upgrade"
DOCUMENT = "ml-interview.md"

OLD_QUESTIONS = (
    "什么是过拟合？",
    "正则化为什么能缓解过拟合？",  # the old parser read the answer line below it as part of the question
    "如何选择学习率？",
    "批大小如何影响训练？",
    "自注意力是如何计算的？",
)
"""What the old parser found (its deck's questions)."""
NEW_QUESTIONS = (
    "早停为什么有效？",  # question and answer in one paragraph
    "梯度消失是什么原因造成的",  # a numbered heading without a question mark, in a 面试题 document
    "什么是梯度爆炸？",  # a bold numbered question line with 答：
    "多头注意力有什么好处？",  # a labelled pair in a quote
    "What does dropout do?",  # English labels in a list item
    "怎样判断模型欠拟合？",  # 问题描述/解答 in a summary section
)
"""What only today's parser finds."""


def _note_showing(states: dict[int, NoteState], question: str) -> int:
    """The id of the one note whose question shows ``question``."""
    ids = [note_id for note_id, state in states.items() if question in state.question]
    assert len(ids) == 1, (question, len(ids))
    return ids[0]


def test_an_upgrade_updates_every_old_entry_in_place(
    project: Path, run_cli: RunCli, collection: Collection
) -> None:
    """Old deck imported and studied, rebuilt by today's parser and re-imported: history kept, text
    updated, new entries added."""
    shutil.copy(UPGRADE / "source" / DOCUMENT, project / "source" / DOCUMENT)
    shutil.copy(UPGRADE / "old-qa2anki.lock", project / "source" / "qa2anki.lock")
    old_deck = read_apkg(UPGRADE / "old-deck.apkg")
    import_apkg(collection, UPGRADE / "old-deck.apkg")
    assert answer_all(collection) == len(OLD_QUESTIONS)
    before = snapshot(collection)
    assert sorted(state.guid for state in before.values()) == sorted(old_deck)
    old_ids = {question: _note_showing(before, question) for question in OLD_QUESTIONS}

    new_path, result = build_deck(run_cli, "-v")
    new_deck = read_apkg(new_path)
    response = import_apkg(collection, new_path)
    after = snapshot(collection)

    # Every old GUID is in the new deck, and every old note keeps its id, GUID, cards and review log.
    assert set(old_deck) <= set(new_deck), result.output
    assert not response.log.conflicting
    for question, note_id in old_ids.items():
        old, new = before[note_id], after[note_id]
        assert new.guid == old.guid, question
        assert new.cards == old.cards, f"{question}: scheduling or review log changed"
        assert all(card.reps == 1 and len(card.revlog) == 1 for card in new.cards)
        assert tuple(new.fields.values()) == new_deck[new.guid].fields, f"{question}: new text not landed"

    # What the new rules change in old entries landed: no question heading as topic, no trailing ---,
    # no labelled pair left inside another entry's answer.
    batch = after[old_ids["批大小如何影响训练？"]]
    assert batch.fields["Topic"] == "基础"
    assert "主题::基础" in batch.tags and not any("如何选择学习率" in tag for tag in batch.tags)
    assert "<hr" not in after[old_ids["什么是过拟合？"]].fields["Answer"]
    attention = after[old_ids["自注意力是如何计算的？"]].fields["Answer"]
    assert "多头注意力" not in attention and "dropout" not in attention
    regularisation = after[old_ids["正则化为什么能缓解过拟合？"]]
    assert "答案" not in regularisation.fields["Question"]
    assert "惩罚" in regularisation.fields["Answer"] and "L2" in regularisation.fields["Answer"]
    assert "正则化为什么能缓解过拟合？" in result.output and "reidentified" in result.output
    updated = {question for question, note_id in old_ids.items() if after[note_id] != before[note_id]}
    assert updated == {
        "什么是过拟合？",
        "正则化为什么能缓解过拟合？",
        "批大小如何影响训练？",
        "自注意力是如何计算的？",
        "如何选择学习率？",  # ``### **如何选择学习率？**``: the front loses the heading's ``**``
    }
    assert len(response.log.updated) == len(updated)

    # The entries the old parser could not read arrive as new notes, without history.
    assert len(after) == len(OLD_QUESTIONS) + len(NEW_QUESTIONS), result.output
    assert len(response.log.new) == len(NEW_QUESTIONS)
    for question in NEW_QUESTIONS:
        state = after[_note_showing(after, question)]
        assert state.id not in before
        assert all(card.reps == 0 and card.revlog == () for card in state.cards)
