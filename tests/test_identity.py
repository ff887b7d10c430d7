"""GUIDs and mod times: deterministic keys, re-identification against the lock, mods that land."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.build import content_hash
from qa2anki.errors import SchemaError, Severity
from qa2anki.identity import Status, Thresholds, guid_for, identify, previous_wordings
from qa2anki.lockfile import EMPTY_LOCK, Lock, loads, lock_bytes
from qa2anki.normalize import Note, normalize
from qa2anki.notetype import NOTE_TYPE, NoteType
from qa2anki.parse import Entry
from qa2anki.render import RenderedNote

NOW = 1_700_000_000
ITEMS = "1. **量化**：降低参数精度。\n2. **剪枝**：去掉冗余连接。\n3. **蒸馏**：用大模型教小模型。"


def notes(*pairs: tuple[str, str, str]) -> tuple[Note, ...]:
    entries = [
        Entry(path="a.md", document="a.md", line=i * 10 + 1, topic=t, question_md=q, answer_md=a)
        for i, (t, q, a) in enumerate(pairs)
    ]
    return normalize(entries).notes


def contents(ns: tuple[Note, ...], changed: str = "") -> dict[str, str]:
    return {n.key: f"{n.question_md}|{n.answer_md}|{n.topics}{changed}" for n in ns}


def run(ns: tuple[Note, ...], lock: Lock = EMPTY_LOCK, now: int = NOW, notetype: NoteType = NOTE_TYPE):
    return identify(ns, contents(ns), lock, now, notetype)


V1 = (
    ("模型压缩", "如何实现模型压缩？", "通过以下方法：\n\n" + ITEMS),
    ("多语言", "如何实现多语言支持？", "多语言预训练、跨语言迁移、多语言融合。"),
    ("安全性", "如何提高模型的安全性？", "对抗攻击防御、模型混淆、隐私保护，提高模型的抗攻击能力。"),
)


def test_guid_is_a_stable_hash_of_the_key() -> None:
    """The same key always gives the same 11-character GUID; different keys differ."""
    assert guid_for("a\x1fb") == guid_for("a\x1fb")
    assert guid_for("a\x1fb") != guid_for("a\x1fc")
    assert len(guid_for("x")) == 11


def test_without_lock_guids_are_deterministic() -> None:
    """Two builds without a lock give the same GUIDs; all notes are added with mod = now."""
    first, second = run(notes(*V1)), run(notes(*V1))
    assert [n.guid for n in first.notes] == [n.guid for n in second.notes]
    assert {n.status for n in first.notes} == {Status.ADDED}
    assert {n.mod for n in first.notes} == {NOW}


def test_unchanged_notes_keep_their_mod() -> None:
    """Rebuilding unchanged sources later keeps every mod and GUID: nothing is re-stamped."""
    v1 = run(notes(*V1))
    v2 = run(notes(*V1), v1.lock, now=NOW + 500)
    assert [(n.guid, n.mod, n.status) for n in v2.notes] == [
        (n.guid, NOW, Status.UNCHANGED) for n in v1.notes
    ]
    assert v2.lock == v1.lock


def test_answer_edit_keeps_guid_and_bumps_mod_even_in_the_same_second() -> None:
    """An answer edit keeps the GUID; its mod is strictly newer even when the clock has not moved."""
    v1 = run(notes(*V1))
    edited = (V1[0], V1[1], (V1[2][0], V1[2][1], V1[2][2] + "另外还有输出过滤。"))
    v2 = run(notes(*edited), v1.lock, now=NOW)
    assert [n.guid for n in v2.notes] == [n.guid for n in v1.notes]
    assert [n.status for n in v2.notes] == [Status.UNCHANGED, Status.UNCHANGED, Status.UPDATED]
    assert v2.notes[2].mod == NOW + 1
    v3 = run(notes(*edited), v2.lock, now=NOW)
    assert v3.notes[2].mod == NOW + 1 and v3.notes[2].status == Status.UNCHANGED


@pytest.mark.parametrize(
    "edit",
    [
        ("模型压缩", "如何实现模型的压缩？", "通过以下方法：\n\n" + ITEMS),  # question typo-level edit
        ("模型压缩技术", "如何实现模型压缩？", "通过以下方法：\n\n" + ITEMS),  # topic renamed
        ("模型压缩", "模型压缩有哪些常见做法？", "通过以下方法：\n\n" + ITEMS),  # question reworded
        (
            "压缩",
            "怎样实现模型压缩？",
            "常用以下方法：\n\n" + ITEMS + "\n4. **低秩分解**：分解权重矩阵。",
        ),  # all at once
    ],
)
def test_edited_note_is_reidentified(edit: tuple[str, str, str]) -> None:
    """A note whose key changed is matched to its vanished lock entry by similarity and keeps its GUID."""
    v1 = run(notes(*V1))
    v2 = run(notes(edit, V1[1], V1[2]), v1.lock, now=NOW + 60)
    by_question = {n.note.question_md: n for n in v2.notes}
    moved = by_question[edit[1]]
    assert moved.status == Status.REIDENTIFIED
    assert moved.guid == v1.notes[0].guid
    assert moved.mod == NOW + 60
    assert v2.removed == ()


def test_text_cut_elsewhere_between_question_and_answer_is_reidentified() -> None:
    """An answer line that an older parser read as part of the question: today's note, cut after the
    question, keeps the GUID (question and answer together are nearly the same text)."""
    answer_line = "它给损失加上参数大小的惩罚，限制了模型的复杂度。"
    rest = "常用的有 L1 正则化和 L2 正则化（权重衰减）。"
    old = ("正则化", "正则化为什么能缓解过拟合？\n**答案：** " + answer_line, rest)
    v1 = run(notes(old, V1[1], V1[2]))
    v2 = run(
        notes(("正则化", "正则化为什么能缓解过拟合？", answer_line + "\n\n" + rest), V1[1], V1[2]), v1.lock
    )
    assert v2.notes[0].status == Status.REIDENTIFIED
    assert v2.notes[0].guid == v1.notes[0].guid
    assert v2.removed == ()


def test_unrelated_replacement_is_not_reidentified() -> None:
    """Deleting one entry and adding an unrelated one gives a new GUID and reports the removal."""
    v1 = run(notes(*V1))
    v2 = run(notes(V1[0], V1[1], ("激活函数", "ReLU 有什么优点？", "计算简单，缓解梯度消失。")), v1.lock)
    assert v2.notes[2].status == Status.ADDED
    assert v2.notes[2].guid not in {n.guid for n in v1.notes}
    assert [r.guid for r in v2.removed] == [v1.notes[2].guid]
    tombstone = next(n for n in v2.lock.notes if n.guid == v1.notes[2].guid)
    assert tombstone.present is False


def test_a_quiz_question_replaced_by_another_with_the_same_short_answer_is_a_new_note() -> None:
    """A true/false quiz: one statement deleted and an unrelated one added, both answered ``F``. The
    short answer is in many notes and identifies none on its own: the new statement is a new note and
    the deleted one is removed (not given the new statement's text with its history)."""
    quiz = (
        ("判断题", "指针是基础类型（）", "F"),
        ("判断题", "数组是一个值类型（）", "T"),
        ("判断题", "Go语言支持goto语句（）", "T"),
    )
    v1 = run(notes(*quiz))
    added = ("判断题", "Go语言内置的map是并发安全的，多个goroutine可以同时读写（）", "F")
    v2 = run(notes(quiz[1], quiz[2], added), v1.lock, now=NOW + 60)
    new = next(n for n in v2.notes if n.note.question_md == added[1])
    assert new.status == Status.ADDED
    assert [r.guid for r in v2.removed] == [v1.notes[0].guid]


def test_a_quiz_question_reworded_with_its_short_answer_keeps_the_note() -> None:
    """A short answer still counts in the mean: the same statement reworded a little keeps its GUID."""
    quiz = (("判断题", "数组是一个值类型（）", "T"), ("判断题", "Go语言支持goto语句（）", "T"))
    v1 = run(notes(*quiz))
    v2 = run(notes(("判断题", "数组是值类型（）", "T"), quiz[1]), v1.lock, now=NOW + 60)
    assert v2.notes[0].status == Status.REIDENTIFIED
    assert v2.notes[0].guid == v1.notes[0].guid


def test_returning_entry_gets_its_old_guid_back() -> None:
    """A removed note that comes back is revived under its old GUID, with its old mod if unchanged."""
    v1 = run(notes(*V1))
    v2 = run(notes(V1[0], V1[1]), v1.lock, now=NOW + 10)
    v3 = run(notes(*V1), v2.lock, now=NOW + 20)
    assert v3.notes[2].guid == v1.notes[2].guid
    assert v3.notes[2].status == Status.REVIVED


def test_ambiguous_match_is_reported_not_guessed() -> None:
    """Two vanished notes equally similar to one new note: the match is reported and the note is new."""
    v1 = run(
        notes(
            ("甲", "如何实现模型压缩？", "方法一：量化。方法二：剪枝。"), ("丙", "别的问题？", "别的答案。")
        )
    )
    twin = v1.lock.notes[0] if v1.lock.notes[0].key.startswith("甲") else v1.lock.notes[1]
    other = replace(twin, guid="twin", key="乙\x1f" + twin.question, present=False)
    lock = replace(v1.lock, notes=(*v1.lock.notes, other))
    v2 = run(
        notes(
            ("丁", "如何实现模型压缩？", "方法一：量化。方法二：剪枝。"), ("丙", "别的问题？", "别的答案。")
        ),
        lock,
    )
    assert v2.notes[0].status == Status.ADDED
    assert len(v2.problems) == 1 and "ambiguous" in v2.problems[0].message


def test_guid_is_never_reused_for_other_content() -> None:
    """A GUID now held by a re-identified note is not given to a new note with the old key."""
    v1 = run(notes(*V1))
    renamed = ("模型压缩技术", V1[0][1], V1[0][2])
    v2 = run(notes(renamed, V1[1], V1[2]), v1.lock)
    assert v2.notes[0].guid == v1.notes[0].guid
    v3 = run(
        notes(renamed, V1[1], V1[2], ("模型压缩", V1[0][1], "完全不同的新答案，讲的是别的东西。")), v2.lock
    )
    guids = [n.guid for n in v3.notes]
    assert len(set(guids)) == 4


def test_schema_change_is_refused() -> None:
    """A lock published with other field names stops the build with an explanation."""
    v1 = run(notes(*V1))
    changed = NoteType(NOTE_TYPE.id, NOTE_TYPE.name, ("Front", "Back"), NOTE_TYPE.templates, NOTE_TYPE.css)
    with pytest.raises(SchemaError, match="re-import"):
        run(notes(*V1), v1.lock, notetype=changed)


def test_template_change_bumps_the_notetype_mod() -> None:
    """New CSS keeps the schema and moves the note type's mod forward, even in the same second."""
    v1 = run(notes(*V1))
    restyled = NoteType(
        NOTE_TYPE.id, NOTE_TYPE.name, NOTE_TYPE.fields, NOTE_TYPE.templates, NOTE_TYPE.css + "x{}"
    )
    assert run(notes(*V1), v1.lock, notetype=restyled).notetype_mod == NOW + 1
    assert run(notes(*V1), v1.lock).notetype_mod == NOW


def test_note_keeps_its_guid_when_another_merged_wording_takes_over() -> None:
    """Extending a merged copy's answer makes it the shown wording; the note keeps its GUID."""
    items = (
        "1. **对抗攻击防御**：通过增加模型的鲁棒性，提高模型对对抗攻击的抵抗能力。\n"
        "2. **模型混淆**：通过在模型中引入噪声和不确定性，提高模型的抗攻击能力。\n"
        "3. **隐私保护**：通过数据加密和隐私保护技术，保护用户数据和模型参数的隐私。"
    )
    shown = ("安全性", "如何提高模型的安全性？", "GPT-4.0 通过以下几种方法：\n\n" + items)
    copy = ("安全性", "在模型安全性方面有哪些技术？", "采用了以下技术：\n\n" + items)
    v1 = run(notes(shown, copy))
    assert len(v1.notes) == 1 and v1.notes[0].note.question_md == shown[1]
    extended = (copy[0], copy[1], copy[2] + "\n4. **输出过滤**：过滤有害输出。")
    v2 = run(notes(shown, extended), v1.lock, now=NOW + 5)
    (note,) = v2.notes
    assert note.note.question_md == extended[1]  # the longer answer's wording is shown now
    assert note.guid == v1.notes[0].guid
    assert note.status == Status.UPDATED and note.mod == NOW + 5


def test_a_live_note_that_shows_the_wording_beats_a_tombstone_with_its_key() -> None:
    """One question under two topics with different answers is two notes; once the answers agree they are
    one note (the first topic's) and the other a tombstone. When the first topic's copy goes, the note
    left has the tombstone's key, but the live note showed its very wording: the live note (the card
    studied all along) goes on, and the tombstone stays one, under a key no note has."""
    question, agreed = "Redis为什么这么快？", "基于内存，单线程避免上下文切换，IO 多路复用。"
    v1 = run(notes(("Redis", question, agreed), ("缓存", question, "因为它用了高效的数据结构。")))
    assert len(v1.notes) == 2
    v2 = run(notes(("Redis", question, agreed), ("缓存", question, agreed)), v1.lock, now=NOW + 5)
    (studied,) = v2.notes
    assert len(v2.removed) == 1
    v3 = run(notes(("缓存", question, agreed)), v2.lock, now=NOW + 10)
    (kept,) = v3.notes
    assert kept.guid == studied.guid and kept.status == Status.UPDATED
    assert v3.removed == ()
    keys = [locked.key for locked in v3.lock.notes]
    assert len(set(keys)) == len(keys)
    assert loads(b"".join(lock_bytes(v3.lock)).decode()) == v3.lock  # the next build reads it
    # The entry of the first topic comes back: the live note again, not a revived tombstone.
    v4 = run(notes(("Redis", question, agreed), ("缓存", question, agreed)), v3.lock, now=NOW + 15)
    assert [n.guid for n in v4.notes] == [studied.guid] and v4.removed == ()


def _built(lock: Lock, now: int, *pairs: tuple[str, str, str]):
    """A build as ``build`` makes it: clustered with what the lock recorded of the wordings."""
    entries = [
        Entry(path=f"{t}.md", document=f"{t}.md", line=i * 10 + 1, topic=t, question_md=q, answer_md=a)
        for i, (t, q, a) in enumerate(pairs)
    ]
    ns = normalize(entries, previous=previous_wordings(lock)).notes
    return run(ns, lock, now=now)


def test_an_edit_of_a_copy_under_another_heading_lands_on_the_note() -> None:
    """An entry repeated under another heading (a summary file) is one note; editing that copy updates
    the note (latest edit wins, the other copy is stale), never adds a second card. The same question
    under another topic with its own answer stays its own note when edited."""
    question, answer = "什么是闭包？", "闭包是函数和其词法环境的组合。"
    extended = answer + "常用于封装私有变量。"
    v1 = _built(EMPTY_LOCK, NOW, ("Python基础", question, answer), ("高频题", question, answer))
    (note,) = v1.notes
    v2 = _built(v1.lock, NOW + 5, ("Python基础", question, answer), ("高频题", question, extended))
    (edited,) = v2.notes
    assert edited.guid == note.guid and edited.status == Status.UPDATED
    assert edited.note.answer_md == extended and [e.topic for e in edited.note.stale] == ["Python基础"]
    again = _built(v2.lock, NOW + 10, ("Python基础", question, answer), ("高频题", question, extended))
    assert [(n.guid, n.status) for n in again.notes] == [(note.guid, Status.UNCHANGED)]

    own = ("数据结构", "什么是索引？", "加快查找的辅助结构。")
    v1 = _built(EMPTY_LOCK, NOW, ("MySQL", own[1], "B+树，加速查询。"), own)
    v2 = _built(v1.lock, NOW + 5, ("MySQL", own[1], "B+树，加速查询，注意回表。"), own)
    assert sorted(n.guid for n in v2.notes) == sorted(n.guid for n in v1.notes)
    assert sorted(n.status for n in v2.notes) == [Status.UNCHANGED, Status.UPDATED]


def test_a_new_note_just_below_the_threshold_against_a_removed_one_is_reported() -> None:
    """A short question reworded and its answer extended in one build scores under the threshold: the
    note comes in new, and a warning at its line names the removed note it nearly matched. A replacement
    that shares nothing with the removed note is not reported."""
    answer = "列表可变，元组不可变；元组可以作为字典的键。"
    v1 = run(
        notes(("Python", "列表和元组有什么区别？", answer), ("Python", "什么是装饰器？", "接收函数的函数。"))
    )
    old = {n.note.question_md: n.guid for n in v1.notes}["列表和元组有什么区别？"]
    edited = ("Python", "Python的列表和元组有哪些区别？", answer + "创建速度也更快。")
    v2 = run(notes(edited, ("Python", "什么是装饰器？", "接收函数的函数。")), v1.lock, now=NOW + 5)
    assert {n.status for n in v2.notes} == {Status.ADDED, Status.UNCHANGED} and len(v2.removed) == 1
    (problem,) = v2.problems
    assert problem.line == 1 and problem.severity == Severity.WARNING
    assert old in problem.message and "reidentify_threshold 0.6" in problem.message
    unrelated = ("Python", "什么是生成器？", "使用 yield 逐个产出值的函数。")
    v3 = run(notes(unrelated, ("Python", "什么是装饰器？", "接收函数的函数。")), v1.lock, now=NOW + 5)
    assert v3.problems == () and len(v3.removed) == 1


def test_an_entry_put_back_reworded_after_its_removal_is_reported() -> None:
    """An entry deleted in one build and put back reworded in a later one (below the threshold) comes in
    new: its removed note, still in Anki, is named at its line, as when both happen in one build. Once
    the removed note is forgotten (deleted in Anki), nothing is said."""
    answer = "列表可变，元组不可变；元组可以作为字典的键。"
    keep = ("Python", "什么是装饰器？", "接收函数的函数。")
    v1 = run(notes(("Python", "列表和元组有什么区别？", answer), keep))
    old = {n.note.question_md: n.guid for n in v1.notes}["列表和元组有什么区别？"]
    v2 = run(notes(keep), v1.lock, now=NOW + 5)
    assert [r.guid for r in v2.removed] == [old] and v2.problems == ()
    edited = ("Python", "Python的列表和元组有哪些区别？", answer + "创建速度也更快。")
    v3 = run(notes(edited, keep), v2.lock, now=NOW + 10)
    assert sorted(n.status for n in v3.notes) == [Status.ADDED, Status.UNCHANGED]
    (problem,) = v3.problems
    assert (
        problem.line == 1 and f"similar to {old}, a note removed earlier and still in Anki" in problem.message
    )
    forgotten = replace(v2.lock, notes=tuple(replace(n, forgotten=not n.present) for n in v2.lock.notes))
    assert run(notes(edited, keep), forgotten, now=NOW + 10).problems == ()


def test_a_lone_rewrite_under_a_topic_is_reported() -> None:
    """One entry rewritten at once (question reworded, answer extended) scores far below the threshold,
    so its card starts over: when it is the only note a topic gains and the only one it loses, and the
    two share some wording, a warning at its line names the removed note."""
    answer = (
        "混合专家模型由多个专家网络和一个门控网络组成，门控为每个词元只选择少数专家，"
        "总参数量大而计算量基本不变。"
    )
    other = ("混合专家模型", "MoE如何做负载均衡？", "加辅助损失，让各专家的负载接近。")
    v1 = run(notes(("混合专家模型", "什么是混合专家模型（MoE）？它有什么优势？", answer), other))
    old = {n.note.question_md: n.guid for n in v1.notes}["什么是混合专家模型（MoE）？它有什么优势？"]
    rewritten = (
        "混合专家模型",
        "请介绍MoE架构的原理和优点。",
        answer + "训练时需要负载均衡损失，推理时显存占用高。",
    )
    v2 = run(notes(rewritten, other), v1.lock, now=NOW + 5)
    assert sorted(n.status for n in v2.notes) == [Status.ADDED, Status.UNCHANGED] and len(v2.removed) == 1
    (problem,) = v2.problems
    assert problem.severity == Severity.WARNING and old in problem.message


def test_a_few_rewrites_under_one_topic_are_each_reported() -> None:
    """Two quiz statements each shortened by a word, their ``T`` explained, in one build: both start
    over, as one would, and each gets the warning one would get, naming its own removed note."""
    quiz = (
        ("判断题", "数组是一个值类型（）", "T"),
        ("判断题", "使用map不需要引入任何库（）", "T"),
        ("判断题", "Go语言支持goto语句（）", "T"),
    )
    v1 = run(notes(*quiz))
    guids = {n.note.question_md: n.guid for n in v1.notes}
    edited = (
        ("判断题", "数组是值类型（）", "T（注意：切片不是）"),
        ("判断题", "使用map不需要引入库（）", "T（map是内置类型）"),
        quiz[2],
    )
    v2 = run(notes(*edited), v1.lock, now=NOW + 5)
    assert len(v2.removed) == 2
    said = {p.line: p.message for p in v2.problems}
    assert guids[quiz[0][1]] in said[1] and guids[quiz[1][1]] in said[11]


def test_a_question_changed_a_little_with_its_answer_extended_keeps_the_note() -> None:
    """One character of the question changed and a sentence appended to the answer in one build: the
    answer, which holds all of the old one, counts by that share, and the note is found again. A short
    answer (「不稳定。」) is in too many answers to count so."""
    answer = "内部函数引用了外部函数作用域中的变量，并且外部函数返回了这个内部函数。"
    v1 = run(notes(("Python", "什么是闭包？", answer), ("Python", "什么是装饰器？", "接收函数的函数。")))
    old = {n.note.question_md: n.guid for n in v1.notes}["什么是闭包？"]
    edited = ("Python", "什么叫闭包？", answer + "常用于装饰器和回调函数。")
    v2 = run(notes(edited, ("Python", "什么是装饰器？", "接收函数的函数。")), v1.lock, now=NOW + 5)
    (moved,) = [n for n in v2.notes if n.status == Status.REIDENTIFIED]
    assert moved.guid == old and moved.score is not None and 0.6 <= moved.score < 0.9
    short = run(notes(("排序", "堆排序是稳定的吗？", "不稳定。")))
    longer = run(
        notes(("排序", "堆排序是稳定的排序吗？", "不稳定，因为堆调整会打乱相同元素的相对顺序。")), short.lock
    )
    assert [n.status for n in longer.notes] == [Status.ADDED]


def test_a_rewrite_alike_only_by_its_answer_holding_the_old_one_is_reported_as_such() -> None:
    """A question reworded a little with its answer more than doubled scores above the threshold by the
    answer's share alone (see _kept), and such pairs are not compared for re-identification (a different
    question whose answer quotes a removed one would take its history): the note comes in new, and the
    warning says why, not that 0.67 is "below" 0.6."""
    answer = "闭包是函数和其词法环境的组合，内部函数可以访问外部函数作用域中的变量。"
    other = ("JS", "什么是原型链？", "对象通过原型相连直到 null。")
    v1 = run(notes(("JS", "什么是闭包？", answer), other))
    more = "即使外部函数已经返回，这些变量仍被内部函数引用而不会被回收，常用于数据私有化、柯里化和模块模式。"
    v2 = run(notes(("JS", "什么叫闭包？", answer + more), other), v1.lock, now=NOW + 5)
    assert [n.status for n in v2.notes if n.note.question_md == "什么叫闭包？"] == [Status.ADDED]
    (warning,) = [p.message for p in v2.problems]
    assert "holds that note's answer" in warning and "below" not in warning


def test_a_lone_rewrite_is_reported_when_its_heading_is_renamed_too() -> None:
    """The rewrite is reported as well when the same build renames the topic (the other note, found again,
    shows the rename), and when it is the only note a build adds and removes, whatever the topics."""
    v1 = run(notes(("排序", "堆排序是稳定的吗？", "不稳定。"), ("排序", "冒泡排序是稳定的吗？", "稳定。")))
    old = {n.note.question_md: n.guid for n in v1.notes}["堆排序是稳定的吗？"]
    rewritten = "堆排序是稳定的排序算法吗？", "不稳定，因为堆调整会打乱相同元素的相对顺序。"
    for topic, other in (("排序算法", "排序算法"), ("排序算法", "排序"), ("堆", "冒泡")):
        v2 = run(notes((topic, *rewritten), (other, "冒泡排序是稳定的吗？", "稳定。")), v1.lock, now=NOW + 5)
        assert len(v2.removed) == 1
        (problem,) = v2.problems
        assert old in problem.message and "0.33 similar" in problem.message, (topic, other)
    unrelated = ("排序算法", "快速排序的平均复杂度是多少？", "O(n log n)。")
    v3 = run(notes(unrelated, ("排序算法", "冒泡排序是稳定的吗？", "稳定。")), v1.lock, now=NOW + 5)
    assert v3.problems == ()


def test_a_question_edit_of_a_copy_under_another_heading_lands_on_the_note() -> None:
    """A typo fixed in the question of one copy repeated under another heading updates the note (latest
    edit wins, the other copy is stale), whichever copy is fixed first; fixing the other copy after it
    leaves the note as it is. A new question that only shares a short answer with the note (「不是。」)
    stays a note of its own."""
    typo, fixed = "什么是LoRA？它为什么能降底微调成本？", "什么是LoRA？它为什么能降低微调成本？"
    answer = "LoRA冻结原权重，只训练低秩分解矩阵，参数量和显存都大幅下降。"
    v1 = _built(EMPTY_LOCK, NOW, ("微调方法", typo, answer), ("高频汇总", typo, answer))
    (note,) = v1.notes
    for first in ("高频汇总", "微调方法"):
        edited = [(t, fixed if t == first else typo, answer) for t in ("微调方法", "高频汇总")]
        v2 = _built(v1.lock, NOW + 5, *edited)
        assert [(n.guid, n.note.question_md) for n in v2.notes] == [(note.guid, fixed)]
        assert [e.topic for e in v2.notes[0].note.stale] == [
            t for t in ("微调方法", "高频汇总") if t != first
        ]
        both = _built(v2.lock, NOW + 10, ("微调方法", fixed, answer), ("高频汇总", fixed, answer))
        assert [(n.guid, n.status) for n in both.notes] == [(note.guid, Status.UNCHANGED)]

    short = _built(
        EMPTY_LOCK,
        NOW,
        ("集合", "HashMap是线程安全的吗？", "不是。"),
        ("高频", "HashMap是线程安全的吗？", "不是。"),
    )
    added = _built(
        short.lock,
        NOW + 5,
        ("集合", "HashMap是线程安全的吗？", "不是。"),
        ("高频", "HashMap是线程安全的吗？", "不是。"),
        ("集合", "ArrayList是线程安全的吗？", "不是。"),
    )
    assert sorted(n.status for n in added.notes) == [Status.ADDED, Status.UNCHANGED]


def test_copies_edited_apart_in_two_steps_stay_one_card() -> None:
    """One copy's question is reworded, and in a later build the other copy's answer is extended: the two
    copies share no text now, but the edited one stands where the note stood, so it is still the note's
    copy and its edit wins (as two copies under one heading would), never a second card. A new question
    under that heading that is unlike the note stays a note of its own."""
    question, reworded = "什么是缓存穿透？如何解决？", "什么是缓存穿透？该如何解决？"
    answer = "查询不存在的数据，请求每次都打到数据库。解决：缓存空值或布隆过滤器。"
    extended = answer + "另外做好参数校验。"
    v1 = _built(EMPTY_LOCK, NOW, ("缓存异常", question, answer), ("高频题汇总", question, answer))
    (note,) = v1.notes
    v2 = _built(v1.lock, NOW + 5, ("缓存异常", question, answer), ("高频题汇总", reworded, answer))
    assert [(n.guid, n.note.question_md) for n in v2.notes] == [(note.guid, reworded)]
    v3 = _built(v2.lock, NOW + 10, ("缓存异常", question, extended), ("高频题汇总", reworded, answer))
    (edited,) = v3.notes
    assert edited.guid == note.guid and edited.status == Status.UPDATED
    assert (edited.note.question_md, edited.note.answer_md) == (question, extended)
    assert [e.topic for e in edited.note.stale] == ["高频题汇总"]
    again = _built(v3.lock, NOW + 15, ("缓存异常", question, extended), ("高频题汇总", reworded, answer))
    assert [(n.guid, n.status) for n in again.notes] == [(note.guid, Status.UNCHANGED)]

    other = ("缓存异常", "什么是缓存雪崩？", "大量缓存同时失效，请求全部打到数据库。")
    v3 = _built(v2.lock, NOW + 10, other, ("高频题汇总", reworded, answer))
    assert sorted((n.status, n.note.question_md) for n in v3.notes) == [
        (Status.ADDED, other[1]),
        (Status.UPDATED, reworded),  # it no longer stands under 缓存异常
    ]


SEED_SHAPE = (
    "模型可解释性",
    "GPT-4.0如何提高模型的可解释性？",
    "GPT-4.0在模型可解释性方面有哪些技术？",
    "GPT-4.0通过以下方法提高模型的可解释性：1. 可视化注意力机制：通过可视化模型中的注意力分布，帮助用户"
    "理解模型如何处理输入数据。2. 解释性规则提取：帮助用户理解模型的决策过程。",
    "GPT-4.0在模型可解释性方面采用了以下技术：1. 可视化注意力机制：通过可视化模型中的注意力分布，帮助用户"
    "理解模型如何处理输入数据。2. 解释性规则提取：帮助用户理解模型的决策过程。",
)
"""The seed's shape: a topic, the question its copies ask, another question merged by its answer, the
answer, and the other question's near answer."""


def test_a_copy_that_asks_differently_stays_when_another_copy_is_extended() -> None:
    """The seed's shape: four copies of one entry and a fifth that asks differently, merged by its
    answer. A point added to one copy's answer makes its answer unlike the fifth's; the fifth stays on
    the card (the note's own copy, no conflict), never a card of its own. Undoing the edit gives the card
    its wording back, and the note studied all along goes on."""
    topic, asked, other, answer, near = SEED_SHAPE
    extended = answer + "3. 特征归因：用积分梯度等方法衡量每个输入的贡献。4. 反事实解释：改动输入看输出。"
    copies = [(topic, asked, answer)] * 4
    v1 = _built(EMPTY_LOCK, NOW, (topic, other, near), *copies)
    (note,) = v1.notes
    assert len(note.note.merges) == 5
    v2 = _built(v1.lock, NOW + 5, (topic, other, near), (topic, asked, extended), *copies[1:])
    (edited,) = v2.notes
    assert (edited.guid, edited.status, edited.note.answer_md) == (note.guid, Status.UPDATED, extended)
    assert edited.note.alternatives == ()
    assert [m.kind for m in edited.note.merges if m.entry.question_md == other] == ["near"]
    assert not any("different answers" in problem.message for problem in v2.problems)
    undone = _built(v2.lock, NOW + 10, (topic, other, near), *copies)
    assert [(n.guid, n.note.answer_md) for n in undone.notes] == [(note.guid, answer)]


def test_a_stale_copy_brought_up_to_date_its_own_way_stays_on_the_card() -> None:
    """Two copies and a third that asks differently; a point added to the third (the card shows it, the
    two copies are stale); then one stale copy gains a point of its own. The edit is that note's: its
    copy stood on the card, so it is no new card next to the studied one, however unlike the two points
    make the answers."""
    topic, asked, other = "对齐", "DPO相比PPO有什么优点？", "请简要说明：DPO相比PPO有什么优点。"
    points = (
        "\n\n1. **无需奖励模型**：省去单独训练奖励模型的步骤。\n2. **训练稳定**：不需要在线采样和复杂的强化"
        "学习超参数。\n3. **实现简单**：只需一个分类式的损失函数。"
    )
    answer, near = "DPO直接用偏好数据优化策略：" + points, "DPO直接用偏好数据优化策略，具体如下：" + points
    first = "\n5. **补充**：面试时可以结合项目经验举例说明83。"
    second = "\n5. **补充**：这一点在长文本场景下尤其重要87。"
    lora = ("微调方法", "什么是LoRA？", "LoRA冻结原始权重，只训练两个低秩矩阵，可训练参数很少。")

    def build(lock: Lock, now: int, one: str, three: str):
        return _built(lock, now, (topic, asked, one), lora, (topic, asked, answer), (topic, other, three))

    v1 = build(EMPTY_LOCK, NOW, answer, near)
    (note,) = [n for n in v1.notes if n.note.topic == topic]
    v2 = build(v1.lock, NOW + 5, answer, near + first)
    assert [(n.guid, n.note.question_md) for n in v2.notes if n.note.topic == topic] == [(note.guid, other)]
    v3 = build(v2.lock, NOW + 10, answer + second, near + first)
    assert [(n.guid, n.status) for n in v3.notes if n.note.topic == topic] == [(note.guid, Status.UPDATED)]


def test_a_copy_given_its_own_answer_as_the_hint_says_is_a_card_of_its_own() -> None:
    """q2's copies hold q1's answer pasted as a placeholder, so they are on q1's card; one copy given an
    answer of its own (as the hint at it says) is a card of its own, and q1's card goes on asking q1."""
    topic = "Transformer"
    q1, q2 = "Transformer中的自注意力机制是如何计算的？", "Transformer中的位置编码有什么作用？"
    a1 = "自注意力先把输入乘以三个矩阵得到Q、K、V，再用Q与K的点积除以根号d，经softmax归一化后对V加权求和。"
    a2 = "Transformer没有循环结构，位置编码把每个位置的正弦余弦向量加到词向量上，使模型区分不同位置的词。"
    x = (topic, q1, a1)
    v1 = _built(EMPTY_LOCK, NOW, x, (topic, q2, a1), x, (topic, q2, a1), x)
    (note,) = v1.notes
    assert note.note.question_md == q1
    v2 = _built(v1.lock, NOW + 5, x, (topic, q2, a2), x, (topic, q2, a1), x)
    by_guid = {n.guid: n for n in v2.notes}
    assert by_guid[note.guid].note.question_md == q1 and by_guid[note.guid].status == Status.UNCHANGED
    assert sorted(n.note.question_md for n in v2.notes) == sorted([q1, q2])


def test_an_answer_pasted_into_another_notes_copy_does_not_glue_the_notes() -> None:
    """A's answer pasted by mistake into one copy of B, then one copy of A extended, then the paste fixed:
    B's note, studied all along, is never removed, and shows B's answer again."""
    topic = "大模型"
    qa, qb = "GPT-4.0如何提高模型的可解释性？", "GPT-4.0在模型安全性方面做了哪些工作？"
    aa = "GPT-4.0通过以下方法提高可解释性：1. 可视化注意力分布，帮助理解模型如何处理输入。2. 提取解释性规则。"
    ab = "GPT-4.0通过以下方式提高安全性：1. 红队测试：请专家做对抗测试。2. 用人类反馈强化学习拒绝有害请求。"
    ax = aa + "3. 特征归因：用积分梯度等方法衡量每个输入的贡献。"
    a, b = (topic, qa, aa), (topic, qb, ab)
    v1 = _built(EMPTY_LOCK, NOW, a, b, a, b)
    guid_b = next(n.guid for n in v1.notes if n.note.question_md == qb)
    v2 = _built(v1.lock, NOW + 5, a, b, a, (topic, qb, aa))
    v3 = _built(v2.lock, NOW + 10, (topic, qa, ax), b, a, (topic, qb, aa))
    assert guid_b in {n.guid for n in v3.notes}
    v4 = _built(v3.lock, NOW + 15, (topic, qa, ax), b, a, b)
    [shown] = [n for n in v4.notes if n.guid == guid_b]
    assert (shown.note.question_md, shown.note.answer_md) == (qb, ab)


def test_an_answer_pasted_into_one_copy_of_another_note_keeps_both_notes() -> None:
    """A's answer pasted by mistake into one copy of B: the copy is B's edit (it asks B's question), so A,
    whose copies are untouched, stays a note of its own; it was removed, its copies called stale."""
    topic = "大模型"
    qa, qb = "GPT-4.0如何提高模型的可解释性？", "GPT-4.0在模型安全性方面做了哪些工作？"
    aa = "GPT-4.0通过以下方法提高可解释性：1. 可视化注意力分布，帮助理解模型如何处理输入。2. 提取解释性规则。"
    ab = "GPT-4.0通过以下方式提高安全性：1. 红队测试：请专家做对抗测试。2. 用人类反馈强化学习拒绝有害请求。"
    a, b = (topic, qa, aa), (topic, qb, ab)
    v1 = _built(EMPTY_LOCK, NOW, a, b, a, b)
    guids = {n.note.question_md: n.guid for n in v1.notes}
    v2 = _built(v1.lock, NOW + 5, a, b, a, (topic, qb, aa))
    assert not v2.removed
    assert {n.note.question_md: n.guid for n in v2.notes} == guids
    assert not next(n.note.stale for n in v2.notes if n.note.question_md == qa)


def test_a_rewritten_card_does_not_hold_a_copy_that_asks_differently() -> None:
    """Both copies that showed a card get a rewritten answer; a copy that asks differently, merged by the
    old answer, is unlike the card now: a card of its own, not held on the card it no longer is like (its
    question and answer were on no card, without a word)."""
    topic, b0, b1 = "模型安全", "GPT-4.0如何提高模型的安全性？", "GPT-4.0在模型安全性方面做了哪些工作？"
    answer = "GPT-4.0通过以下方式提高安全性：1. 红队测试：请专家做对抗测试，发现风险。2. 人类反馈强化学习。"
    rewritten = "安全性依赖多层防护：预训练数据过滤、对齐训练、上线后的内容审核与监控。"
    extended = answer + "3. 输入过滤：拦截提示注入与越狱攻击。"
    v1 = _built(
        EMPTY_LOCK, NOW, (topic, b0, answer), (topic, b0, extended), (topic, b1, answer), (topic, b0, answer)
    )
    (note,) = v1.notes
    v2 = _built(
        v1.lock,
        NOW + 5,
        (topic, b0, rewritten),
        (topic, b0, extended),
        (topic, b1, answer),
        (topic, b0, rewritten),
    )
    assert sorted(n.note.question_md for n in v2.notes) == sorted([b0, b1])
    assert note.guid in {n.guid for n in v2.notes}


def test_copies_that_agree_again_keep_the_note_studied_first() -> None:
    """A copy that asks differently, merged by its answer, is edited unlike the card in the build that
    edits the card: it splits off as a card of its own. When the copies agree again, the two notes stay
    (each card keeps its key); the first note was removed, its copies called stale."""
    topic, asked, other, answer, near = SEED_SHAPE
    p3 = "3. 特征归因：用积分梯度等方法衡量每个输入的贡献。4. 反事实解释：改动输入看输出。"
    p5 = "5. 概念激活向量：用人类可理解的概念解释内部表示。6. 探针分类器：训练线性探针读出中间层信息。"
    x, xp = (topic, asked, answer), (topic, asked, answer + p3)
    v1 = _built(EMPTY_LOCK, NOW, (topic, other, near), x, x, x, x)
    (studied,) = v1.notes
    v2 = _built(v1.lock, NOW + 5, (topic, other, near + p5), xp, x, x, x)
    assert studied.guid in {n.guid for n in v2.notes}
    v3 = _built(v2.lock, NOW + 10, (topic, other, near + p5), xp, xp, xp, xp)
    v4 = _built(v3.lock, NOW + 15, (topic, other, near + p3), xp, xp, xp, xp)
    assert not v4.removed
    assert {n.guid for n in v4.notes} == {n.guid for n in v3.notes} and studied.guid in {
        n.guid for n in v4.notes
    }
    assert not any(n.note.stale for n in v4.notes)


def _merged_lock(ours: Lock, theirs: Lock) -> Lock:
    """The lock ``build`` reads when git left both sides of ``ours`` and ``theirs`` in conflict."""
    mine, other = lock_bytes_text(ours).split("\n"), lock_bytes_text(theirs).split("\n")
    begin, end, other_end = mine.index(' "notes": [') + 1, mine.index(" ]"), other.index(" ]")
    text = "\n".join(
        [
            *mine[:begin],
            "<<<<<<< HEAD",
            *mine[begin:end],
            "=======",
            *other[begin:other_end],
            ">>>>>>> b",
            *mine[end:],
        ]
    )
    merged = loads(text)
    assert merged.conflict is not None
    return merged


def lock_bytes_text(lock: Lock) -> str:
    return b"".join(lock_bytes(lock)).decode("utf-8")


def test_a_note_one_branch_reworded_and_the_other_moved_keeps_its_guid() -> None:
    """One branch rewords a note's question, then rewrites its answer; the other moves it under a renamed
    heading later (its record has the later mod, and the old texts). The merged sources have both: the
    note is found by the first branch's record, kept in the merged lock beside the later one."""
    question, answer = (
        "什么是LoRA？它为什么能降低微调成本？",
        "LoRA冻结原始权重，只训练两个低秩矩阵A和B，用乘积近似更新。",
    )
    reworded, rewritten = (
        "LoRA的原理是什么，为何省显存？",
        "低秩适配：冻结预训练权重，在旁路训练秩很小的两个矩阵，参数量小。",
    )
    base = _built(EMPTY_LOCK, NOW, ("微调", question, answer))
    (note,) = base.notes
    a1 = _built(base.lock, NOW + 10, ("微调", reworded, answer))
    a2 = _built(a1.lock, NOW + 20, ("微调", reworded, rewritten))
    b = _built(base.lock, NOW + 30, ("微调方法", question, answer))
    assert [n.guid for n in a2.notes] == [n.guid for n in b.notes] == [note.guid]
    merged = _built(_merged_lock(a2.lock, b.lock), NOW + 40, ("微调方法", reworded, rewritten))
    assert [(n.guid, n.status) for n in merged.notes] == [(note.guid, Status.REIDENTIFIED)]
    assert not merged.removed


def test_a_merged_lock_keeps_the_edit_one_branch_showed() -> None:
    """One branch edits one copy of a repeated entry, then the other copy further (its card shows the
    latest edit); the other branch renames the heading later (its record has the later mod and the old
    wordings). After the merge the card goes on showing the latest edit, found in the first branch's
    record: it went back to the older wording, whose copy was left."""
    topic, question = "微调方法", "什么是LoRA？它为什么能降低微调成本？"
    answer = "LoRA冻结原始权重，只训练两个低秩矩阵，用它们的乘积近似权重更新，可训练参数很少。"
    first, latest = answer + "常用的秩一般取8或16，alpha一般取秩的两倍。", answer + "常用的秩取8，alpha取16。"
    base = _built(EMPTY_LOCK, NOW, (topic, question, answer), (topic, question, answer))
    a1 = _built(base.lock, NOW + 10, (topic, question, first), (topic, question, answer))
    a2 = _built(a1.lock, NOW + 20, (topic, question, first), (topic, question, latest))
    assert [n.note.answer_md for n in a2.notes] == [latest]
    b = _built(base.lock, NOW + 30, ("微调", question, answer), ("微调", question, answer))
    merged = _built(
        _merged_lock(a2.lock, b.lock), NOW + 40, ("微调", question, first), ("微调", question, latest)
    )
    ((guid, shown),) = [(n.guid, n.note.answer_md) for n in merged.notes]
    assert (guid, shown) == (a2.notes[0].guid, latest)


def test_a_note_both_branches_changed_in_one_second_is_updated_for_both() -> None:
    """Both branches change one note in builds of the same second (a pinned SOURCE_DATE_EPOCH), so both
    records have one mod. The merge keeps one side's text: the note still gets a newer mod, or the other
    side's Anki, which has that mod, would keep its own text."""
    question = "什么是KV Cache？"
    base = _built(EMPTY_LOCK, NOW, ("推理", question, "缓存键和值。"))
    ours = _built(base.lock, NOW + 10, ("推理", question, "缓存已生成词元的键和值，避免重复计算。"))
    theirs = _built(base.lock, NOW + 10, ("推理", question, "缓存键和值，显存随长度线性增长。"))
    (mine,) = ours.notes
    (other,) = theirs.notes
    assert mine.mod == other.mod == NOW + 10
    merged = _built(_merged_lock(ours.lock, theirs.lock), NOW + 10, ("推理", question, mine.note.answer_md))
    ((guid, status, mod),) = [(n.guid, n.status, n.mod) for n in merged.notes]
    assert (guid, status) == (mine.guid, Status.UPDATED) and mod > NOW + 10


def test_a_choice_question_whose_options_move_to_the_front_keeps_its_guid() -> None:
    """A parser that reads a choice question's options as part of its question, not of its answer (their
    ``#### 答案`` heading left out), keeps the card: question and answer together are 0.89 alike."""
    question = "通过指针变量 p 访问其成员变量 name，有哪几种方式？"
    options = "A. p.name\n\nB. (&p).name\n\nC. (*p).name\n\nD. p->name"
    v1 = _built(EMPTY_LOCK, NOW, ("选择题", question, f"{options}\n\n#### 答案\n> AC"))
    v2 = _built(v1.lock, NOW + 5, ("选择题", f"{question}\n\n{options}", "> AC"))
    assert [(n.guid, n.status) for n in v2.notes] == [(v1.notes[0].guid, Status.REIDENTIFIED)]


TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from('"\\\x00\x1f\u2028/'))


@settings(max_examples=200, deadline=None)
@given(fields=st.lists(TEXT, max_size=4), tags=st.lists(TEXT, max_size=3))
def test_content_hash_is_sha256_of_the_json_text(fields: list[str], tags: list[str]) -> None:
    """The content hash stays what locks already hold: SHA-256 of ``json.dumps([fields, tags])``."""
    payload = json.dumps([fields, tags], ensure_ascii=False).encode()
    expected = hashlib.sha256(payload).hexdigest()[:16]
    assert content_hash(RenderedNote(tuple(fields), tuple(tags))) == expected


def test_the_same_note_in_two_decks_gets_two_guids() -> None:
    """Anki matches notes by GUID across the whole collection: the same question in two decks must be two
    notes, or importing the second deck takes the first deck's note over."""
    machine = identify(notes(*V1), contents(notes(*V1)), EMPTY_LOCK, NOW, NOTE_TYPE, deck="机器学习")
    deep = identify(notes(*V1), contents(notes(*V1)), EMPTY_LOCK, NOW, NOTE_TYPE, deck="深度学习")
    assert not {n.guid for n in machine.notes} & {n.guid for n in deep.notes}
    assert machine.lock.deck == "机器学习" and deep.lock.deck == "深度学习"
    again = identify(notes(*V1), contents(notes(*V1)), EMPTY_LOCK, NOW, NOTE_TYPE, deck="机器学习")
    assert [n.guid for n in again.notes] == [n.guid for n in machine.notes]  # still deterministic


def test_notes_in_a_lock_keep_their_guids_whatever_the_deck() -> None:
    """Existing locks keep their GUIDs: GUIDs made before decks were part of them, and after a rename."""
    old = run(notes(*V1))  # no deck: how earlier versions made them
    assert [n.guid for n in old.notes] == [guid_for(n.note.key) for n in old.notes]
    renamed = identify(notes(*V1), contents(notes(*V1)), old.lock, NOW + 1, NOTE_TYPE, deck="新名字")
    assert [n.guid for n in renamed.notes] == [n.guid for n in old.notes]
    assert {n.status for n in renamed.notes} == {Status.UNCHANGED} and renamed.lock.deck == "新名字"


SAME_SHORT_ANSWERS = (
    ("集合", "HashMap是线程安全的吗？", "不是。"),
    ("集合", "ArrayList是线程安全的吗？", "不是。"),
    ("集合", "Vector是线程安全的吗？", "是。"),
)


@pytest.mark.parametrize("margin", [0.1, 0.0])
def test_renamed_topic_keeps_notes_whose_answers_are_the_same(margin: float) -> None:
    """After a topic rename, two notes with the same short answer each find their own lock note: the
    answer alone makes both lock notes as likely, the question tells them apart. No note is new, none
    is reported ambiguous, and no two swap their histories (whatever the margin)."""
    v1 = run(notes(*SAME_SHORT_ANSWERS))
    renamed = notes(*(("Java集合", q, a) for _, q, a in SAME_SHORT_ANSWERS))
    limits = Thresholds(margin=margin)
    v2 = identify(renamed, contents(renamed), v1.lock, NOW + 10, NOTE_TYPE, limits)
    before = {n.note.question_md: n.guid for n in v1.notes}
    assert {n.note.question_md: n.guid for n in v2.notes} == before
    assert {n.status for n in v2.notes} == {Status.REIDENTIFIED}
    assert v2.problems == ()


def test_removed_copy_does_not_rival_the_live_note() -> None:
    """A removed note with the same answer (a copy deleted earlier) does not make a live note's next
    version ambiguous: the live note's own question is closer."""
    answer = "检索、增强、生成：先检索相关文档，再拼进提示，由模型生成回答。"
    v1 = run(
        notes(
            ("检索增强生成", "检索增强生成（RAG）的基本流程是什么？", answer),
            ("高频汇总", "简述检索增强生成（RAG）的基本流程。", answer),
        )
    )
    v2 = run(notes(("检索增强生成", "检索增强生成（RAG）的基本流程是什么？", answer)), v1.lock, NOW + 10)
    v3 = run(notes(("RAG", "检索增强生成（RAG）的基本流程是什么？", answer)), v2.lock, NOW + 20)
    assert v3.notes[0].guid == v2.notes[0].guid
    assert v3.notes[0].status == Status.REIDENTIFIED
    assert v3.problems == ()


def test_forgotten_notes_are_found_by_key_only() -> None:
    """A forgotten note (deleted in Anki) comes back by its key, never by likeness: it does not rival a
    live note's next version."""
    answer = "检索、增强、生成：先检索相关文档，再拼进提示，由模型生成回答。"
    v1 = run(notes(("甲", "RAG的基本流程是什么？", answer), ("乙", "RAG流程是怎样的？", answer)))
    live = next(n for n in v1.notes if n.note.topics == ("甲",))
    gone = next(n for n in v1.notes if n.note.topics == ("乙",))
    lock = replace(
        v1.lock,
        notes=tuple(
            replace(n, present=False, forgotten=True) if n.guid == gone.guid else n for n in v1.lock.notes
        ),
    )
    v2 = run(notes(("丙", "RAG的基本流程是怎样的？", answer)), lock, NOW + 10)
    assert v2.notes[0].guid == live.guid and v2.problems == ()
    back = run(notes(("乙", "RAG流程是怎样的？", answer)), lock, NOW + 10)
    assert back.notes[0].guid == gone.guid


def test_styling_tags_in_an_older_lock_do_not_cost_the_guid() -> None:
    """A lock written before folding left styling tags out (``<font color=red>``, CSDN's) holds them in
    its folded texts and its key: a note whose question and answer both lost them would be new, its
    card's history gone. The lock's texts are folded again for re-identification, so it keeps its GUID."""
    v1 = run(notes(("基础", "什么是GC？", "垃圾回收。"), V1[1], V1[2]))
    gc_note = next(n for n in v1.lock.notes if n.question == "什么是gc?")
    older = replace(
        gc_note,
        key=gc_note.key + "<span>",
        question='<span style="color:red">什么是gc?</span>',
        answer="<font color=red>垃圾回收</font>.",
    )
    lock = replace(v1.lock, notes=tuple(older if n is gc_note else n for n in v1.lock.notes))
    v2 = run(notes(("基础", "什么是GC？", "垃圾回收。"), V1[1], V1[2]), lock)
    again = next(item for item in v2.notes if item.note.question_md == "什么是GC？")
    assert again.guid == gc_note.guid
    assert again.status == Status.REIDENTIFIED
    assert v2.removed == ()
