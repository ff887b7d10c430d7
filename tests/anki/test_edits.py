"""Editing a repeated entry, tidying the copies and finding removed notes, in a real collection.

Generated documents repeat an entry three to five times; an author fixes the copy they see. That edit
must land (the card shows it, the note keeps its GUID and history), the stale copies must be named, and
``tidy`` must remove the copies without touching the note. Removed notes stay listed until forgotten,
with an Anki search that finds them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from anki.collection import Collection

from tests.anki.conftest import (
    ATTENTION,
    DECODING,
    EVALUATION,
    NORMALIZATION,
    POSITION,
    QUANT,
    RAG,
    Section,
    answer_all,
    build_deck,
    import_apkg,
    snapshot,
    write_document,
)
from tests.conftest import RunCli, read_apkg

REPEATED: tuple[Section, ...] = (
    ATTENTION,
    POSITION,
    RAG,
    ATTENTION,
    QUANT,
    ATTENTION,
    DECODING,
    RAG,
    ATTENTION,
    EVALUATION,
)
"""The genre: ATTENTION four times, RAG twice (the same topic each time). 6 notes."""

NEW_QUESTION = "Transformer的自注意力具体是怎样一步步计算出来的？"
NEW_ITEM = "**加权求和**：用注意力权重对V加权求和，得到每个位置新的输出表示。"


def _edit_first_copy(sections: tuple[Section, ...]) -> list[Section]:
    """The author fixes question and answer of the first ATTENTION copy only."""
    edited = ATTENTION.with_(question=NEW_QUESTION, items=(*ATTENTION.items[:3], NEW_ITEM))
    first = sections.index(ATTENTION)
    return [edited if i == first else s for i, s in enumerate(sections)]


def _heading_lines(project: Path, question: str) -> list[int]:
    """The 1-based lines of the document's question labels holding ``question``."""
    text = (project / "source/llm-interview.md").read_text(encoding="utf-8")
    return [n for n, line in enumerate(text.split("\n"), 1) if line == f"**面试题：** {question}"]


def _summary(output: str) -> str:
    return next(line for line in output.splitlines() if re.match(r"\d+ added, ", line))


def test_an_edit_of_the_first_copy_lands_and_tidy_changes_nothing(
    project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing the first of four copies changes the card (question and answer), keeps the note, its
    GUID and its review history, and names the three stale copies; tidy --write then removes the copies
    and the next build changes nothing."""
    write_document(project, REPEATED)
    v1_path, _ = build_deck(run_cli)
    import_apkg(collection, v1_path)
    assert answer_all(collection) == 6
    before = snapshot(collection)
    (attention,) = [s for s in before.values() if ATTENTION.question in s.question]

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700086400")
    write_document(project, _edit_first_copy(REPEATED))
    v2_path, result = build_deck(run_cli)
    assert _summary(result.output).startswith("0 added, 1 updated, 0 re-identified")
    stale = _heading_lines(project, ATTENTION.question)
    assert len(stale) == 3
    for line in stale:
        assert f"llm-interview.md:{line}: warning: stale copy" in result.output
    (edited_line,) = _heading_lines(project, NEW_QUESTION)
    assert f"newer wording at source/llm-interview.md:{edited_line}" in result.output

    response = import_apkg(collection, v2_path)
    assert len(response.log.updated) == 1 and not response.log.new
    after = snapshot(collection)
    note = after[attention.id]
    assert note.guid == attention.guid and note.cards == attention.cards
    assert NEW_QUESTION in note.question and "得到每个位置新的输出表示" in note.fields["Answer"]
    assert note.mod > attention.mod
    assert {i: s for i, s in after.items() if i != attention.id} == {
        i: s for i, s in before.items() if i != attention.id
    }

    # The next build keeps the edit (the lock knows the card shows it) and still names the copies.
    again = run_cli("build", "-o", "deck.apkg")
    assert _summary(again.output).startswith("0 added, 0 updated, 0 re-identified")
    assert again.output.count("stale copy") == 3

    tidied = run_cli("tidy")
    assert tidied.exit_code == 0, tidied.output
    assert tidied.stdout.count(f"-**面试题：** {ATTENTION.question}") == 3
    assert tidied.stdout.count("-**面试题：** 检索增强生成（RAG）的基本流程是什么？") == 1
    assert "+" not in "".join(
        line[:1] for line in tidied.stdout.splitlines() if not line.startswith("+++")
    ), "tidy only removes lines"
    written = run_cli("tidy", "--write")
    assert written.exit_code == 0, written.output
    text = (project / "source/llm-interview.md").read_text(encoding="utf-8")
    assert text.count("**面试题：**") == 6 and NEW_QUESTION in text and ATTENTION.question not in text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700172800")
    v3_path, result = build_deck(run_cli)
    assert _summary(result.output) == "0 added, 0 updated, 0 re-identified, 0 revived, 6 unchanged, 0 removed"
    assert "stale copy" not in result.output
    assert read_apkg(v3_path) == read_apkg(v2_path)
    response = import_apkg(collection, v3_path)
    assert not response.log.updated and not response.log.new
    assert snapshot(collection) == after


def test_copies_changed_differently_keep_the_card_and_are_reported(project: Path, run_cli: RunCli) -> None:
    """Two copies edited two ways: the card keeps its wording, the build says where, until they agree."""
    write_document(project, REPEATED)
    build_deck(run_cli)
    sections = list(REPEATED)
    sections[0] = ATTENTION.with_(question=NEW_QUESTION)
    sections[3] = ATTENTION.with_(question="自注意力怎么算？请详细说明计算过程。")
    write_document(project, sections)
    v2_path, result = build_deck(run_cli)
    assert "changed differently since the last build" in result.output
    assert _summary(result.output).startswith("0 added, 0 updated")
    assert any(ATTENTION.question in n.fields[0] for n in read_apkg(v2_path).values())
    sections[3] = sections[0]
    write_document(project, sections)
    v3_path, result = build_deck(run_cli)
    assert "changed differently" not in result.output
    assert any(NEW_QUESTION in n.fields[0] for n in read_apkg(v3_path).values())


TRICKY = Section(
    "tricky",
    "特殊字符",
    '`a_b*c` 与 "x\\y" 有什么区别？',
    "区别如下：",
    ("**前者**：是代码。", "**后者**：是字符串。"),
)


GENERIC = Section(
    "generic",
    "泛型",
    "Java中 `List<T>` 与 `List<?>` & 原始类型有何不同？",
    "不同之处：",
    ("**类型安全**：前者在编译期检查。", "**通配符**：后者只读。"),
)
"""A question Anki would read as HTML once stripped: found by a field search instead of ``dupe:``."""


@pytest.mark.parametrize(
    "gone", [NORMALIZATION, TRICKY, GENERIC], ids=["plain", "special-characters", "html-like"]
)
def test_a_removed_note_stays_listed_and_its_search_finds_it(
    gone: Section, project: Path, run_cli: RunCli, collection: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A removed entry is listed (as written, with an Anki search) build after build until forgotten;
    the printed search finds exactly that note in the real collection."""
    every = [*REPEATED, NORMALIZATION, TRICKY, GENERIC]
    write_document(project, every)
    v1_path, _ = build_deck(run_cli)
    import_apkg(collection, v1_path)
    answer_all(collection)
    (kept,) = [s for s in snapshot(collection).values() if gone.topic in s.fields["Topic"]]

    write_document(project, [s for s in every if s is not gone])
    _, result = build_deck(run_cli)
    assert ", 1 removed" in result.output and "qa2anki list --removed" in result.output
    for clock in ("1700086400", "1700172800"):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", clock)
        _, result = build_deck(run_cli)
        assert ", 0 removed" in result.output and "1 note is no longer in the sources" in result.output

    listed = run_cli("list", "--removed")
    assert listed.exit_code == 0, listed.output
    assert kept.guid in listed.output and gone.question in listed.output  # as written: ？ and all
    search = re.search(r"Anki search: (.*)", listed.output)
    assert search is not None
    assert collection.find_notes(search.group(1)) == [kept.id]
    (entry,) = json.loads(run_cli("list", "--json").stdout)["removed"]
    assert entry == {
        "guid": kept.guid,
        "question": gone.question,
        "search": search.group(1),
        "also_finds": [],
    }

    forgot = run_cli("forget", kept.guid)
    assert forgot.exit_code == 0, forgot.output
    assert kept.guid not in run_cli("list", "--removed").output
    assert json.loads(run_cli("list", "--json").stdout)["removed"] == []
    lock = (project / "source/qa2anki.lock").read_text(encoding="utf-8")
    assert f'"guid": "{kept.guid}"' in lock and '"forgotten": true' in lock  # the tombstone stays

    # It comes back: its GUID and history again (and it is no longer forgotten).
    write_document(project, every)
    v4_path, result = build_deck(run_cli)
    assert "1 revived" in result.output
    assert kept.guid in read_apkg(v4_path)
    assert '"forgotten": true' not in (project / "source/qa2anki.lock").read_text(encoding="utf-8")


INDEX_MYSQL = NORMALIZATION.with_(key="mysql", topic="MySQL", question="什么是索引？", lead="B+树。")
INDEX_STRUCTURES = INDEX_MYSQL.with_(key="structures", topic="数据结构", lead="加快查找的辅助结构。")
"""One question under two topics: two notes (different answers, different topics)."""


@pytest.mark.parametrize(
    ("gone", "stays"),
    [
        ((INDEX_STRUCTURES,), (INDEX_MYSQL,)),
        ((INDEX_MYSQL,), (INDEX_STRUCTURES,)),
        # A question over two lines is found by a field search, by one line of it.
        (
            (INDEX_STRUCTURES.with_(question="什么是\n索引？"),),
            (INDEX_MYSQL.with_(question="什么是\n索引？"),),
        ),
    ],
    ids=["second-topic", "first-topic", "two-lines"],
)
def test_a_removed_note_search_never_finds_a_note_still_studied(
    gone: tuple[Section, ...],
    stays: tuple[Section, ...],
    project: Path,
    run_cli: RunCli,
    collection: Collection,
) -> None:
    """The same question stands under two topics, in two documents; one document goes. Following
    ``list --removed`` (Browse, paste the search, delete) must delete the removed note only: the search
    also asks for its topic tags, and leaves out the other's."""
    write_document(project, stays, name="mysql.md")
    removed = write_document(project, gone, name="structures.md")
    v1_path, _ = build_deck(run_cli)
    import_apkg(collection, v1_path)
    answer_all(collection)
    by_topic = {topic: s for s in snapshot(collection).values() for topic in [s.fields["Topic"]]}
    assert len(by_topic) == 2

    removed.unlink()
    v2_path, result = build_deck(run_cli)
    assert ", 1 removed" in result.output
    import_apkg(collection, v2_path)
    listed = run_cli("list", "--removed")
    search = re.search(r"Anki search: (.*)", listed.output)
    assert search is not None and "also finds" not in listed.output
    assert collection.find_notes(search.group(1)) == [by_topic[gone[0].topic].id]


def test_a_rewritten_answer_of_one_copy_lands_without_the_old_one(project: Path, run_cli: RunCli) -> None:
    """The author rewrites the first copy's answer entirely: the card shows the new answer only (the
    older copies are stale, not alternative answers), and the note keeps its GUID."""
    write_document(project, REPEATED)
    v1_path, _ = build_deck(run_cli)
    (guid,) = [g for g, n in read_apkg(v1_path).items() if ATTENTION.question in n.fields[0]]
    rewritten = ATTENTION.with_(
        lead="一句话：softmax(QKᵀ/√d)·V。",
        items=("**先投影**：得到Q、K、V三组向量。", "**再打分**：点积缩放后归一化，作为权重汇总V。"),
    )
    write_document(project, [rewritten if i == 0 else s for i, s in enumerate(REPEATED)])
    v2_path, result = build_deck(run_cli)
    assert result.output.count("stale copy") == 3
    answer = read_apkg(v2_path)[guid].fields[1]
    assert "softmax" in answer and "另一种答案" not in answer and "线性投影" not in answer
