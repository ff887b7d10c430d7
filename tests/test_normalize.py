"""Duplicate clustering: exact and near duplicates merge; conflicts keep both answers; order never matters."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki import normalize as normalize_module
from qa2anki.errors import Severity
from qa2anki.normalize import fold, normalize
from qa2anki.parse import Entry, parse_document
from qa2anki.similarity import bigrams, letter_count, similarity
from qa2anki.sources import Document


def entry(question: str, answer: str, topic: str = "主题", line: int = 1, path: str = "a.md") -> Entry:
    return Entry(path=path, document=path, line=line, topic=topic, question_md=question, answer_md=answer)


def test_fold_widths_spaces_and_emphasis() -> None:
    """Full-width punctuation, Chinese commas, runs of white space and emphasis markers fold away."""
    assert fold("**什么是 GPT？**  它，\u3000很好。") == fold("什么是 GPT? 它, 很好.")
    assert fold("ＡＢＣ") == "abc"


def test_similarity_of_chinese_text() -> None:
    """Similarity works on character bigrams: near-identical Chinese sentences score high, others low."""
    assert similarity(fold("如何防止模型过拟合？"), fold("如何防止模型过拟合")) == 1.0
    assert similarity(fold("什么是过拟合？"), fold("什么是欠拟合？")) < 0.6
    assert similarity("", fold("x")) == 0.0


def test_exact_duplicates_merge_across_topics() -> None:
    """The same question and answer under two topics is one note tagged with both topics."""
    result = normalize(
        [entry("什么是过拟合？", "训练好测试差。", "甲", 1), entry("什么是过拟合?", "训练好测试差.", "乙", 9)]
    )
    (note,) = result.notes
    assert note.topics == ("乙", "甲")
    assert set(note.tags) == {"主题::甲", "主题::乙", "文档::a"}
    assert sorted(m.kind for m in note.merges) == ["canonical", "exact"]
    assert note.topic == "乙"  # the smaller folded topic, whichever comes first


def test_copies_that_differ_in_spacing_alone_are_exact_duplicates() -> None:
    """A copy spaced in another style (``IO 多路复用`` / ``IO多路复用``) under another topic is the same note,
    merged as an exact copy; a space that parts two words (``hash map`` / ``hashmap``) is not a style."""
    (note,) = normalize(
        [
            entry("Redis 为什么快？", "基于内存，IO 多路复用。", "缓存", 1),
            entry("Redis为什么快 ？", "基于内存，IO多路复用。", "中间件", 9),
        ]
    ).notes
    assert sorted(m.kind for m in note.merges) == ["canonical", "exact"]
    assert len(note.keys) == 2  # each copy keeps the key its own spacing gives
    words = normalize(
        [entry("什么是hash map？", "一种表。", "甲"), entry("什么是hashmap？", "一种表。", "乙", 9)]
    )
    assert len(words.notes) == 2


def test_near_duplicates_need_the_same_topic() -> None:
    """Similar answers merge within a topic, never across topics."""
    answer = "1. **量化**：降低精度。\n2. **剪枝**：去掉冗余连接。\n3. **蒸馏**：大模型教小模型。"
    same_topic = normalize(
        [entry("如何压缩模型？", "方法如下：\n\n" + answer), entry("模型压缩方法？", answer, line=5)]
    )
    assert len(same_topic.notes) == 1
    assert [m.kind for m in same_topic.notes[0].merges] == ["canonical", "near"] or [
        m.kind for m in same_topic.notes[0].merges
    ] == ["near", "canonical"]
    other_topic = normalize(
        [entry("如何压缩模型？", answer, "甲"), entry("模型压缩方法？", answer + "x", "乙", 5)]
    )
    assert len(other_topic.notes) == 2


def test_same_heading_different_questions_stay_apart() -> None:
    """Two entries under identical headings that ask different things are two notes."""
    result = normalize(
        [
            entry("什么是 L1 正则化？", "使参数稀疏，可做特征选择。"),
            entry("Dropout 为什么有效？", "相当于集成许多子网络。", line=7),
        ]
    )
    assert len(result.notes) == 2


SHORT_ANSWERS = [
    # Different questions, one short answer: each question is a card of its own.
    [
        ("快速排序的时间复杂度？", "O(n log n)"),
        ("归并排序的时间复杂度？", "O(n log n)"),
        ("堆排序的时间复杂度？", "O(n log n)"),
    ],
    [("HashMap是线程安全的吗？", "不是。"), ("ArrayList是线程安全的吗？", "不是。")],
    # Alike in both, and different: the short answers differ by the word that matters.
    [
        ("读未提交会出现哪些问题？", "会出现脏读、不可重复读、幻读。"),
        ("读已提交会出现哪些问题？", "会出现不可重复读、幻读。"),
    ],
]


def test_short_answers_never_merge_different_questions() -> None:
    """An answer too short to tell its question (see ANSWER_FLOOR) merges only questions that are nearly
    the same: no question is lost."""
    for pairs in SHORT_ANSWERS:
        entries = [entry(q, a, line=10 * i + 1) for i, (q, a) in enumerate(pairs)]
        notes = normalize(entries).notes
        assert sorted(n.question_md for n in notes) == sorted(q for q, _ in pairs)
    # A long answer still merges a reworded question (a generator's repeat).
    long_answer = (
        "会出现脏读、不可重复读和幻读，因为事务可以读到其他事务尚未提交的修改，回滚后数据就不存在了。"
    )
    reworded = [
        entry("读未提交会出现哪些问题？", long_answer),
        entry("读未提交隔离级别有什么问题？", long_answer, line=11),
    ]
    assert len(normalize(reworded).notes) == 1
    # A short answer still merges a question reworded by a word.
    particle = [
        entry("什么是过拟合？", "训练集上好，测试集上差。"),
        entry("什么是过拟合呢？", "训练集上好，测试集上差。", line=11),
    ]
    assert len(normalize(particle).notes) == 1


def test_conflicting_answers_are_kept_and_reported() -> None:
    """Same question, different answers: one note shows both, and the conflict names both lines."""
    result = normalize(
        [
            entry("什么是注意力机制？", "一种加权求和。", line=3),
            entry("什么是注意力机制？", "模型聚焦输入重要部分的方法。", line=30),
        ]
    )
    (note,) = result.notes
    assert len(note.alternatives) == 1
    (problem,) = result.problems
    assert problem.line in (3, 30) and ("a.md:3" in str(problem) or "a.md:30" in str(problem))
    assert "different answers" in problem.message


def test_surviving_wording_is_the_most_repeated() -> None:
    """The wording with the most copies survives, whichever copy comes first."""
    items = (
        "1. **对抗攻击防御**：提高模型的鲁棒性。\n2. **模型混淆**：引入噪声。\n3. **隐私保护**：数据加密。"
    )
    rare = entry("GPT-4 在安全性方面有哪些技术？", "采用了以下技术：\n\n" + items, line=1)
    common = [entry("GPT-4 如何提高安全性？", "通过以下方法：\n\n" + items, line=n) for n in (10, 20)]
    (note,) = normalize([rare, *common]).notes
    assert note.question_md == "GPT-4 如何提高安全性？"


def test_seed_clusters(seed_text: str) -> None:
    """The seed gives 12 notes and conflicts none."""
    parsed = parse_document(Document(path="seed.md", name="seed.md", text=seed_text))
    result = normalize(parsed.entries)
    assert len(parsed.entries) == 30
    assert len(result.notes) == 12
    assert result.problems == ()


ENTRIES = st.lists(
    st.builds(
        entry,
        st.sampled_from(
            ["什么是过拟合？", "什么是过拟合?", "如何防止过拟合？", "什么是欠拟合？", "学习率怎么选？"]
        ),
        st.sampled_from(
            ["训练好测试差。", "训练好，测试差。", "正则化、早停、数据增强。", "调小。", "网格搜索。"]
        ),
        st.sampled_from(["甲", "乙"]),
        st.integers(1, 500),
        st.sampled_from(["a.md", "b.md"]),
    ),
    max_size=12,
)


def signature(entries: list[Entry]) -> list[tuple[object, ...]]:
    result = normalize(entries)
    return sorted(
        (n.key, n.question_md, n.answer_md, n.topics, n.tags, tuple(a.answer_md for a in n.alternatives))
        for n in result.notes
    )


@settings(max_examples=150, deadline=None)
@given(ENTRIES, st.randoms(use_true_random=False))
def test_order_independence(entries: list[Entry], rnd: object) -> None:
    """Shuffling the entries changes no note: keys, wording, topics, tags and alternatives stay the same."""
    shuffled = list(entries)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert signature(entries) == signature(shuffled)


@settings(max_examples=100, deadline=None)
@given(ENTRIES)
def test_every_entry_lands_in_exactly_one_note(entries: list[Entry]) -> None:
    """Clustering loses no entry and duplicates none; keys are unique."""
    result = normalize(entries)
    merged = [m.entry for n in result.notes for m in n.merges]
    assert sorted(merged, key=repr) == sorted(entries, key=repr)
    keys = [n.key for n in result.notes]
    assert len(keys) == len(set(keys))


@settings(max_examples=100, deadline=None)
@given(
    topic=st.text('主题 a:"', min_size=1, max_size=6),
    question=st.text("问题?A ", min_size=1, max_size=8),
    document=st.sampled_from(["a.md", "dir/b.md", "c"]),
)
def test_single_entry_note_is_what_the_general_path_makes(topic: str, question: str, document: str) -> None:
    """The shortcut for an entry with no duplicate makes exactly the note the general path makes."""
    entry = Entry(document, document, 3, topic, question, "答", "<p>q</p>", "<p>a</p>", fold(question), "答")
    group = normalize_module._Group(entry.question_folded, entry.answer_folded, (entry,))
    general = normalize_module._note(
        entry,
        group,
        keys=(normalize_module.identity_key(topic, group.question),),
        alternatives=(),
        topics=(topic,),
        documents=(document,),
        locations=((document, topic),),
        merges=(normalize_module.Merge(entry, "canonical", 1.0, 1.0),),
    )
    assert normalize_module._single_note(group) == general
    assert normalize([entry]).notes == (general,)


FAR_QUESTION = 'int i=(j=4,k=8,l=16,m=32); printf("%d", i); 输出是多少？'
COPIED_ANSWER = "逗号表达式的值是最后一个表达式的值，所以 i 等于 32，输出 32。括号不能省略，否则 i 等于 4。"


def chain() -> list[Entry]:
    """A's question is like B's (B is A reworded, with another answer); B's answer was copied under C, a
    different question: a chain that used to put C on A's card."""
    a = '#include<file.h>与#include"file.h"的区别？'
    a_answer = "尖括号从系统目录开始找头文件，引号先从当前目录找，找不到再去系统目录找。"
    return [
        entry(a, a_answer, line=1),
        entry(a, a_answer, line=20),  # two copies: A is the card
        entry(a.replace("区别？", "区别呢？"), COPIED_ANSWER, line=40),
        entry(FAR_QUESTION, COPIED_ANSWER, line=60),
    ]


def test_a_chain_of_merges_never_swallows_a_distinct_question() -> None:
    """Every member of a note is like the card itself: C, far from A in question and answer, is its own
    note (with nothing lost); B, a near-identical question with another answer, stays a conflict of A."""
    result = normalize(chain())
    assert len(result.notes) == 2
    card, far = sorted(result.notes, key=lambda n: n.first.line)
    assert [m.kind for m in card.merges] == ["canonical", "exact", "conflict"]
    assert far.question_md == FAR_QUESTION and [m.kind for m in far.merges] == ["canonical"]
    assert normalize(list(reversed(chain()))).notes == result.notes  # order never matters


WORDS = ["过拟合", "正则化", "梯度", "消失", "爆炸", "学习率", "批量", "归一化", "注意力", "残差"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=5),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
        ),
        min_size=2,
        max_size=14,
    )
)
def test_no_member_of_a_note_is_unlike_its_card(pairs: list[tuple[list[str], list[str]]]) -> None:
    """Whatever chains the entries of one topic form, each member of a note is like the card in its
    question, or in its answer with a question that shares something; none is below 0.5 in both."""
    limits = normalize_module.Thresholds()
    entries = [
        entry("".join(q) + "是什么？", "".join(a) + "。", line=i * 10 + 1) for i, (q, a) in enumerate(pairs)
    ]
    for note in normalize(entries).notes:
        for merge in note.merges:
            if merge.kind in ("canonical", "exact"):
                continue
            q_sim, a_sim = merge.question_similarity, merge.answer_similarity
            answers = (fold(merge.entry.answer_md), fold(note.answer_md))
            telling = min(map(letter_count, answers)) >= normalize_module.ANSWER_FLOOR
            floor = (
                normalize_module.QUESTION_FLOOR if telling else normalize_module.SHORT_ANSWER_QUESTION_FLOOR
            )
            assert q_sim >= limits.question or (a_sim >= limits.answer and q_sim >= floor)
            assert max(q_sim, a_sim) >= 0.5


OLD_Q, NEW_Q = "如何防止模型过拟合？", "有哪些常用的方法可以防止模型过拟合？"
ANSWER = "可以使用正则化、数据增强、提前停止和 Dropout 等方法，它们都能降低模型对训练集的记忆。"


def copies(first_question: str = OLD_Q, fourth_question: str = OLD_Q) -> list[Entry]:
    """Four copies of one entry in one topic; the author may have edited the first (and the fourth)."""
    return [
        entry(first_question, ANSWER, line=1),
        entry(OLD_Q, ANSWER, line=20),
        entry(OLD_Q, ANSWER, line=40),
        entry(fourth_question, ANSWER, line=60),
    ]


def recorded(note: normalize_module.Note) -> normalize_module.Previous:
    """What the lock records of a note's wordings, as the next build reads it."""
    return normalize_module.Previous(
        shown=frozenset({note.wording}),
        known=frozenset({note.wording, *note.others}),
        older=frozenset(note.older),
    )


def test_the_latest_edit_of_one_copy_wins_and_the_stale_copies_are_named() -> None:
    """Most copies hold the old wording, but the lock knows the card showed it: the edited copy's
    wording is shown, the other copies are stale, and so it stays on the next build."""
    (before,) = normalize(copies()).notes
    assert before.question_md == OLD_Q
    previous = recorded(before)
    assert normalize(copies(NEW_Q)).notes[0].question_md == OLD_Q  # without the lock: most copies
    result = normalize(copies(NEW_Q), previous=previous)
    (note,) = result.notes
    assert note.question_md == NEW_Q and note.shown.line == 1
    assert [e.line for e in note.stale] == [20, 40, 60]
    assert note.older == (before.wording,) and note.others == (before.wording,)
    assert [p.line for p in result.problems] == [20, 40, 60]
    assert all("stale copy" in p.message and "a.md:1" in p.message for p in result.problems)
    again = normalize(copies(NEW_Q), previous=recorded(note))
    assert again.notes == result.notes and again.problems == result.problems
    # The stale copies edited to match: one wording, nothing stale.
    (tidy,) = normalize(copies(NEW_Q, NEW_Q)[:1], previous=recorded(note)).notes
    assert tidy.question_md == NEW_Q and tidy.stale == () and tidy.older == ()


def test_two_cards_that_ask_alike_stay_apart_and_are_named() -> None:
    """Two entries the lock holds as notes of their own (both branches of a merge added one entry) ask
    and answer alike: each card keeps its note, and the later one is named with the earlier. Without the
    lock they are one note; whatever their order, the same."""
    first = entry(OLD_Q, ANSWER, line=10)
    second = entry("模型过拟合如何防止？", ANSWER, line=30)
    assert len(normalize([first, second]).notes) == 1
    digests = [normalize_module.wording_digest(e.question_md, e.answer_md) for e in (first, second)]
    previous = normalize_module.Previous(
        shown=frozenset(digests), known=frozenset(digests), owners={d: d for d in digests}, older=frozenset()
    )
    result = normalize([first, second], previous=previous)
    assert [note.shown.line for note in result.notes] == [10, 30]
    (problem,) = result.problems
    assert problem.line == 30 and "asks and answers like the card at a.md:10" in problem.message
    assert normalize([second, first], previous=previous) == result
    # The same question answered otherwise is no copy (a conflict, were the two one note).
    other = entry(
        "如何防止模型过拟合呢？",
        "早停：验证集上的损失不再下降时就停止训练，保存效果最好的那一轮模型。",
        line=30,
    )
    owned = [normalize_module.wording_digest(e.question_md, e.answer_md) for e in (first, other)]
    apart = normalize_module.Previous(
        shown=frozenset(owned), known=frozenset(owned), owners={d: d for d in owned}, older=frozenset()
    )
    assert len(normalize([first, other]).notes) == 1
    kept_apart = normalize([first, other], previous=apart)
    assert len(kept_apart.notes) == 2
    assert not any("asks and answers like" in p.message for p in kept_apart.problems)
    # One record of both (the other side's, see Lock.variants): one note, nothing to say.
    aliased = replace(previous, aliases={digests[1]: digests[0]})
    assert not any(
        "asks and answers like" in p.message for p in normalize([first, second], previous=aliased).problems
    )


def lock_of(notes: Sequence[normalize_module.Note]) -> normalize_module.Previous:
    """What the lock records of several notes' wordings, each note its own card."""
    owners = {digest: note.wording for note in notes for digest in (note.wording, *note.others)}
    return normalize_module.Previous(
        shown=frozenset(note.wording for note in notes),
        known=frozenset(owners),
        older=frozenset(digest for note in notes for digest in note.older),
        owners=owners,
        topics={note.wording: frozenset(map(normalize_module.fold_topic, note.topics)) for note in notes},
        keys={note.key: note.wording for note in notes},
        texts={note.wording: (note.question_folded, note.answer_folded) for note in notes},
    )


def test_an_undone_edit_gives_the_card_its_wording_back_beside_an_alike_card() -> None:
    """A card with two copies, and another card alike to it (a merge kept both): one copy's answer is
    extended and built, then the edit is undone. The first card shows its old wording again; its copies
    do not become stale copies of the other card, which would remove the first."""
    first, second = entry(OLD_Q, ANSWER, line=10), entry(OLD_Q, ANSWER, line=20)
    other = entry("如何防止模型过拟合呢？", ANSWER, line=30)
    (one,) = normalize([first, second]).notes
    (two,) = normalize([other]).notes
    previous = lock_of([one, two])
    edited = replace(first, answer_md=ANSWER + "还可以用早停。")
    cards = normalize([edited, second, other], previous=previous).notes
    assert [note.shown.line for note in cards] == [10, 30]
    undone = normalize([first, second, other], previous=lock_of(cards))
    assert [(note.shown.line, note.wording) for note in undone.notes] == [
        (10, one.wording),
        (30, two.wording),
    ]
    assert not any("stale copy" in problem.message for problem in undone.problems)


def test_a_card_copied_under_another_heading_keeps_its_key_on_the_build_after() -> None:
    """Two cards alike (a merge kept both); one entry is copied exactly under a new heading that sorts
    first. The card keeps the copy under its own heading, and its key; so does the build after, when
    the note stands under both headings (it took the new heading's copy then, so the lock changed again
    and a build that carried the note over wrote another lock)."""
    first = entry(OLD_Q, ANSWER, topic="混合精度训练", line=10)
    other = entry("如何防止模型过拟合呢？", ANSWER, topic="混合精度训练", line=30)
    (one,) = normalize([first]).notes
    (two,) = normalize([other]).notes
    copied = [replace(first, topic="另一个主题", line=1), first, other]
    built = normalize(copied, previous=lock_of([one, two])).notes
    assert [note.key for note in built] == [one.key, two.key]
    again = normalize(copied, previous=lock_of(built)).notes
    assert again == built


def test_a_card_reworded_beside_an_alike_card_is_no_edit_of_that_card() -> None:
    """Two alike cards (a merge kept both); either one's only copy is reworded. The edit is a note of its
    own (identity finds its card by the texts), and the other card keeps its copy: not a stale copy of
    the edit, which would give that card the edit and remove the reworded one."""
    first = entry(OLD_Q, ANSWER, line=10)
    other = entry("如何防止模型过拟合呢？", ANSWER + "还可以用早停。", line=30)
    (one,) = normalize([first]).notes
    (two,) = normalize([other]).notes
    previous = lock_of([one, two])
    for reworded, kept in ((first, other), (other, first)):
        edit = replace(reworded, question_md="模型过拟合该怎么防止？", question_folded="")
        result = normalize([edit if e is reworded else e for e in (first, other)], previous=previous)
        shown = {note.shown.line: note for note in result.notes}
        assert set(shown) == {10, 30}
        assert shown[edit.line].question_md == "模型过拟合该怎么防止？"
        assert shown[kept.line].question_md == kept.question_md and shown[kept.line].stale == ()
        assert not any("stale copy" in problem.message for problem in result.problems)


def test_a_reworded_copy_is_its_card_s_edit_when_an_unlike_card_goes() -> None:
    """A card with two copies and another card under the heading, unlike it (its own answer): in one build
    that card is deleted and one copy of the first reworded. The edit is the first card's (the latest
    edit wins, the other copy is stale): a card gone that was alike to none still there is no sign that
    the edit was its."""
    copies = [entry(OLD_Q, ANSWER, line=10), entry(OLD_Q, ANSWER, line=20)]
    unlike = entry(
        "模型过拟合是什么意思呢？", "模型把训练集里的噪声也当成了规律，泛化能力因此变差。", line=30
    )
    (one,) = normalize(copies).notes
    (two,) = normalize([unlike]).notes
    edit = replace(copies[1], question_md="模型过拟合是什么意思？", question_folded="")
    (note,) = normalize([copies[0], edit], previous=lock_of([one, two])).notes
    assert note.shown.line == 20 and [e.line for e in note.stale] == [10]


def test_two_cards_of_one_question_keep_apart_when_both_headings_are_renamed() -> None:
    """Two cards ask 有哪些优缺点？ under two headings, each with its own answer. In one build both headings
    are renamed and one answer is edited: the other card's copy moved unedited, so the edit is no copy of
    it (the two were merged into one note, and the unedited card removed)."""
    redis = "优点：基于内存读写极快，支持丰富的数据结构和持久化；缺点：数据量受内存限制，大key会阻塞单线程。"
    mysql = "优点：支持事务和复杂查询，生态成熟；缺点：高并发写入时性能有限，水平扩展需要分库分表。"
    (one,) = normalize([entry("有哪些优缺点？", redis, topic="Redis", line=3)]).notes
    (two,) = normalize([entry("有哪些优缺点？", mysql, topic="MySQL", line=9)]).notes
    renamed = [
        entry("有哪些优缺点？", redis.replace("单线程", "主线程"), topic="Redis缓存", line=3),
        entry("有哪些优缺点？", mysql, topic="MySQL数据库", line=9),
    ]
    notes = normalize(renamed, previous=lock_of([one, two])).notes
    assert [(note.shown.line, len(note.merges), note.stale) for note in notes] == [(3, 1, ()), (9, 1, ())]


def test_an_edit_beside_two_alike_cards_is_the_one_it_is_most_like() -> None:
    """Two alike cards (a merge kept both), the first with two copies; one of its copies is reworded. The
    edit is that card's, the one it is most like (its answer): the other card keeps its copy (it was
    taken as a stale copy of the edit, and its card removed). So it is when the other card is deleted in
    the same build: a card gone whose answer the edit has less of is no sign that the edit was its."""
    first, second = entry(OLD_Q, ANSWER, line=10), entry(OLD_Q, ANSWER, line=20)
    other = entry("如何防止模型过拟合呢？", ANSWER + "还可以用早停。", line=30)
    (one,) = normalize([first, second]).notes
    (two,) = normalize([other]).notes
    previous = lock_of([one, two])
    edit = replace(second, question_md=NEW_Q, question_folded="")
    shown = {note.shown.line: note for note in normalize([first, edit, other], previous=previous).notes}
    assert set(shown) == {20, 30}
    assert [e.line for e in shown[20].stale] == [10] and shown[30].stale == ()
    (alone,) = normalize([first, edit], previous=previous).notes
    assert alone.shown.line == 20 and [e.line for e in alone.stale] == [10]


def test_a_removed_card_put_back_beside_an_alike_card_is_no_edit_of_it() -> None:
    """Of two alike cards, one was deleted (the lock holds it as removed); its entry put back is that
    entry again, not an edit of the other card: the card keeps its wording, and the copy joins it."""
    first = entry(OLD_Q, ANSWER, line=10)
    other = entry("如何防止模型过拟合呢？", ANSWER + "还可以用早停。", line=30)
    (one,) = normalize([first]).notes
    (two,) = normalize([other]).notes
    previous = replace(lock_of([one]), removed={two.wording: frozenset({"主题"})})
    result = normalize([first, other], previous=previous)
    (note,) = result.notes
    assert note.shown.line == 10 and note.edited == () and note.stale == ()
    assert not any("stale copy" in problem.message for problem in result.problems)
    (hint,) = [problem for problem in result.problems if "put back" in problem.message]
    assert (
        hint.line == 30 and hint.severity == Severity.WARNING and "joins the card at a.md:10" in hint.message
    )
    # Under a heading the removed note never stood under, the same wording is an edit (an answer pasted
    # over the card's copy, which happens to be the removed card's): the latest edit wins.
    elsewhere = replace(lock_of([one]), removed={two.wording: frozenset({"其他"})})
    (edited,) = normalize([first, other], previous=elsewhere).notes
    assert edited.shown.line == 30 and [entry.line for entry in edited.stale] == [10]


def test_copies_changed_differently_keep_the_card_and_stay_new() -> None:
    """Two copies edited two ways: the card keeps the wording it showed, the edits are reported, and
    they are not recorded as known (the next build reports them again)."""
    (before,) = normalize(copies()).notes
    other = "模型过拟合了怎么办？"
    result = normalize(copies(NEW_Q, other), previous=recorded(before))
    (note,) = result.notes
    assert note.question_md == OLD_Q and [e.line for e in note.edited] == [1, 60]
    assert note.others == () and note.stale == ()
    (problem,) = result.problems
    assert problem.line == 1 and "changed differently" in problem.message and "a.md:60" in problem.message
    assert normalize(copies(NEW_Q, other), previous=recorded(note)) == result


def test_without_an_edit_the_card_keeps_its_wording() -> None:
    """Deleting copies does not move the card to another wording: the one it showed stays while a copy
    holds it, whatever the counts are now."""
    near = entry("如何防止模型过拟合？请说明。", ANSWER + "另外还可以减小模型。", line=80)
    (before,) = normalize([*copies(), near]).notes
    assert before.question_md == OLD_Q
    # Three copies gone; the near duplicate now has more copies than the card's wording.
    (after,) = normalize([copies()[0], near, replace(near, line=90)], previous=recorded(before)).notes
    assert normalize([copies()[0], near, replace(near, line=90)]).notes[0].question_md != OLD_Q
    assert after.question_md == OLD_Q and after.stale == ()


@settings(max_examples=50, deadline=None)
@given(order=st.permutations(range(4)), edited=st.sampled_from([0, 1, 3]))
def test_the_edit_that_wins_does_not_depend_on_order(order: list[int], edited: int) -> None:
    """The same entries and the same lock give the same note, in whatever order the copies stand."""
    entries = copies()
    (before,) = normalize(entries).notes
    entries[edited] = entry(NEW_Q, ANSWER, line=entries[edited].line)
    result = normalize([entries[i] for i in order], previous=recorded(before))
    assert result == normalize(entries, previous=recorded(before))
    assert result.notes[0].question_md == NEW_Q


@settings(max_examples=100, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
        ),
        min_size=2,
        max_size=10,
    ),
    known=st.sets(st.integers(0, 9)),
    shown=st.sets(st.integers(0, 9)),
    order=st.randoms(),
)
def test_whatever_the_lock_says_notes_are_sound_and_order_free(
    pairs: list[tuple[list[str], list[str]]], known: set[int], shown: set[int], order: object
) -> None:
    """With any record of earlier wordings, every member is still like its card, every entry is in one
    note, and the order of the entries changes nothing."""
    limits = normalize_module.Thresholds()
    entries = [
        entry("".join(q) + "是什么？", "".join(a) + "。", line=i * 10 + 1) for i, (q, a) in enumerate(pairs)
    ]
    digests = [normalize_module.wording_digest(e.question_md, e.answer_md) for e in entries]
    previous = normalize_module.Previous(
        shown=frozenset(digests[i] for i in shown if i < len(entries)),
        known=frozenset(digests[i] for i in known | shown if i < len(entries)),
        older=frozenset(),
    )
    result = normalize(entries, previous=previous)
    assert sorted(m.entry.line for n in result.notes for m in n.merges) == [e.line for e in entries]
    for note in result.notes:
        for merge in note.merges:
            if merge.kind in ("canonical", "exact", "stale") and merge.question_similarity == 1.0:
                continue
            q_sim, a_sim = merge.question_similarity, merge.answer_similarity
            answers = (fold(merge.entry.answer_md), fold(note.answer_md))
            telling = min(map(letter_count, answers)) >= normalize_module.ANSWER_FLOOR
            floor = (
                normalize_module.QUESTION_FLOOR if telling else normalize_module.SHORT_ANSWER_QUESTION_FLOOR
            )
            assert q_sim >= limits.question or (a_sim >= limits.answer and q_sim >= floor)
    shuffled = list(entries)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert normalize(shuffled, previous=previous) == result


def test_clustering_leaves_the_texts_it_compared_as_small_as_they_were(monkeypatch: Any) -> None:
    """The texts sent to the comparing workers, and the bigram sets of the texts compared, take no memory
    once clustering is done: pickle would keep a UTF-8 copy inside each text it sends, for as long as the
    build holds the text, and the remembered bigram sets are not asked for again."""
    monkeypatch.setattr(normalize_module, "PARALLEL_MIN_GROUPS", 1)
    text = "".join(
        f"### {n}. {'甲乙'[n % 2]}类\n\n**面试题：** 第{n}个问题是什么？\n\n**答案：** 这是第{n}个答案。\n\n"
        for n in range(40)
    )
    entries = parse_document(
        Document(path="a.md", name="a.md", text=text + text.replace("答案。", "回答。"))
    ).entries
    sizes = [
        (sys.getsizeof(e.question_folded), sys.getsizeof(e.answer_folded), sys.getsizeof(e.answer_md))
        for e in entries
    ]
    normalized = normalize(entries, jobs=2)
    assert normalized.comparisons > 0
    assert [
        (sys.getsizeof(e.question_folded), sys.getsizeof(e.answer_folded), sys.getsizeof(e.answer_md))
        for e in entries
    ] == sizes
    assert bigrams.cache_info().currsize == 0


def test_a_threshold_of_zero_merges_texts_without_bigrams() -> None:
    """Two questions with no bigrams at all (punctuation only) are 0 similar, and a threshold of 0 asks
    for no more: compared in bulk, they merge as comparing them one by one merges them."""
    text = (
        "### 1. 主题\n\n**面试题：** ？？\n\n**答案：** 答案一。\n\n"
        "### 2. 主题\n\n**面试题：** ！！\n\n**答案：** 答案二。\n"
    )
    entries = parse_document(Document(path="a.md", name="a.md", text=text)).entries
    assert similarity(entries[0].question_folded, entries[1].question_folded) == 0.0
    assert len(normalize(entries, normalize_module.Thresholds(question=0.0)).notes) == 1
    assert len(normalize(entries, normalize_module.Thresholds(question=0.01)).notes) == 2


def _code_question(keyword: str, answer: str, line: int) -> str:
    return (
        f"**面试题：** 下面代码输出什么？\n\n```js\nfor ({keyword} i = 0; i < 3; i++) "
        f"{{ setTimeout(() => console.log(i), 1); }}\n```\n\n**答案：** {answer}\n\n"
    )


def _code_document(*items: tuple[str, str]) -> list[Entry]:
    text = "## JS\n\n" + "".join(_code_question(k, a, i) for i, (k, a) in enumerate(items))
    return list(parse_document(Document("a.md", "a.md", text)).entries)


def test_questions_about_different_code_are_different_notes() -> None:
    """「下面代码输出什么？」 over two snippets that differ in one word are two questions: their texts are
    alike, but the code is what they ask about."""
    result = normalize(_code_document(("var", "3 3 3"), ("let", "0 1 2")))
    assert len(result.notes) == 2
    assert result.problems == ()


def test_code_questions_still_merge_as_copies() -> None:
    """The same code asked twice with different answers is one note with both answers; the code edited
    in one copy of an entry (its answer unchanged) is still that entry."""
    conflict = normalize(_code_document(("var", "3 3 3"), ("var", "输出三个 3。")))
    assert len(conflict.notes) == 1 and len(conflict.notes[0].alternatives) == 1
    edited = normalize(
        _code_document(
            ("var", "3 3 3，因为 var 没有块级作用域。"), ("let", "3 3 3，因为 var 没有块级作用域。")
        )
    )
    assert len(edited.notes) == 1
