"""``check`` tells what it did not take: near misses between notes of a topic, the shapes of documents it
reads no way, and labels in code blocks — as hints, which never fail it, not even under ``--strict``."""

from __future__ import annotations

from pathlib import Path

from qa2anki.errors import Severity
from qa2anki.fold import fold
from qa2anki.hints import ANSWER_BAND, QUESTION_BAND, asked_differently, near_misses, shape_hints
from qa2anki.normalize import Thresholds, normalize
from qa2anki.parse import Entry, parse_document, scan_section
from qa2anki.similarity import similarity
from qa2anki.sources import Document
from tests.conftest import RunCli

FIRST = "什么是过拟合，如何在训练中避免过拟合？"
SECOND = "什么是过拟合，如何在训练时避免过拟合？"
"""Two questions 0.75 alike: under the 0.85 that merges, within the band under it."""


def _entry(line: int, question: str, answer: str, topic: str = "过拟合") -> Entry:
    return Entry(
        path="doc.md",
        document="doc.md",
        line=line,
        topic=topic,
        question_md=question,
        answer_md=answer,
        question_folded=fold(question),
        answer_folded=fold(answer),
    )


def test_the_example_pair_is_in_the_question_band() -> None:
    """The pair the tests use is just under the question threshold, within the band."""
    alike = similarity(fold(FIRST), fold(SECOND))
    assert Thresholds().question - QUESTION_BAND <= alike < Thresholds().question


def test_a_pair_just_under_the_thresholds_is_a_near_miss() -> None:
    """Two notes of one topic whose questions are 0.75 alike stay two notes and give one hint, at the
    later one, naming the earlier one and both similarities."""
    entries = [_entry(3, FIRST, "正则化和早停。"), _entry(9, SECOND, "数据增强。")]
    notes = normalize(entries).notes
    assert len(notes) == 2
    [hint] = near_misses(notes)
    assert (hint.path, hint.line, hint.severity) == ("doc.md", 9, Severity.HINT)
    assert hint.message.startswith("near miss: question 0.75, answer 0.00 alike with doc.md:3")


def test_a_copy_merged_by_its_answer_that_asks_differently_gets_a_hint() -> None:
    """Two questions with one answer (Vue's watch and methods defined as arrow functions) are one note:
    the later question is on no card, and a hint at it says so, naming the card's entry. A copy that
    asks the same, and a note of one entry, get none."""
    answer = "箭头函数绑定父级作用域的上下文，不会绑定 Vue 实例，所以 this 是 undefined。"
    entries = [
        _entry(2, "watch 的属性用箭头函数定义结果会怎么样？", answer, "vue"),
        _entry(5, "在 vue 项目中如果 methods 的方法用箭头函数定义结果会怎么样？", answer, "vue"),
        _entry(8, "watch 的属性用箭头函数定义结果会怎么样？", answer, "vue"),
        _entry(11, "什么是过拟合？", "训练集好、测试集差。", "vue"),
    ]
    [note, single] = normalize(entries).notes
    assert len(note.merges) == 3 and len(single.merges) == 1
    [hint] = asked_differently([note, single])
    assert (hint.path, hint.line, hint.severity) == ("doc.md", 5, Severity.HINT)
    assert hint.message.startswith("merged by its answer into the note at doc.md:2, which asks differently")
    assert asked_differently(normalize(entries[:1] + entries[2:]).notes) == ()


def test_a_copy_merged_by_its_answer_shows_in_check(project: Path, run_cli: RunCli) -> None:
    """``check`` prints that hint with the others."""
    answer = "箭头函数绑定父级作用域的上下文，不会绑定 Vue 实例，所以 this 是 undefined。"
    (project / "source" / "vue.md").write_text(
        f"## vue\n\n#### watch 的属性用箭头函数定义结果会怎么样？\n\n{answer}\n\n"
        f"#### 在 vue 项目中如果 methods 的方法用箭头函数定义结果会怎么样？\n\n{answer}\n",
        encoding="utf-8",
    )
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    hint = "source/vue.md:7: hint: merged by its answer into the note at source/vue.md:3, which asks"
    assert hint in result.stderr


def test_notes_of_other_topics_or_far_apart_are_no_near_miss() -> None:
    """The same pair under two topics, and two unlike questions, give no hint."""
    apart = [_entry(3, FIRST, "正则化。", "甲"), _entry(9, SECOND, "早停。", "乙")]
    unlike = [_entry(3, FIRST, "正则化。"), _entry(9, "注意力机制的复杂度是多少？", "平方。")]
    for entries in (apart, unlike):
        assert near_misses(normalize(entries).notes) == ()


def test_answers_just_under_their_threshold_are_a_near_miss() -> None:
    """Answers within :data:`ANSWER_BAND` under theirs, with questions that share something, are a near
    miss too; the thresholds in force decide."""
    answer = "过拟合是模型在训练集上表现很好但在测试集上表现差的现象"
    other = "过拟合是模型在训练集上表现很好但是在新的数据上表现很差"
    alike = similarity(fold(answer), fold(other))
    limits = Thresholds(question=0.99, answer=alike + ANSWER_BAND / 2)
    entries = [_entry(3, "什么是过拟合？", answer), _entry(9, "过拟合指什么？", other)]
    notes = normalize(entries, limits).notes
    assert len(notes) == 2
    [hint] = near_misses(notes, limits)
    assert f"answer {alike:.2f}" in hint.message
    assert near_misses(notes, Thresholds(question=0.99, answer=alike + 2 * ANSWER_BAND)) == ()


def test_large_topics_find_the_same_near_misses() -> None:
    """A topic with more notes than are compared pair by pair finds the near miss by prefix filtering."""
    filler = [
        _entry(100 + i, f"第{i}个问题：{'甲乙丙丁戊己庚辛'[i % 8]}{i * 7919}？", f"答{i}") for i in range(80)
    ]
    entries = [_entry(3, FIRST, "正则化和早停。"), _entry(9, SECOND, "数据增强。"), *filler]
    hints = near_misses(normalize(entries).notes)
    assert [(h.line, h.message[:40]) for h in hints if h.line == 9] == [
        (9, "near miss: question 0.75, answer 0.00 al")
    ]


def test_shape_hints_for_unlabelled_questions_and_lone_answer_labels() -> None:
    """A document without entries: paragraphs ending in question marks get a hint at the first one; answer
    labels without question labels another; a document with question labels none."""
    text = (
        "# 问题\n\n什么是梯度消失？\n\n变小。\n\n什么是梯度爆炸？\n\n变大。\n\n"
        "为什么要归一化?\n\n**答案：** 稳定。\n"
    )
    document = Document("doc.md", "doc.md", text)
    hints = shape_hints(document, scan_section(text))
    assert [(h.line, h.message.split(":")[0]) for h in hints] == [
        (3, "3 paragraphs end with a question mark, but none is labelled"),
        (13, "1 answer label but no question label"),
    ]
    labelled = "**面试题：** 什么？\n\n什么？\n\n什么？\n\n什么？\n"
    assert shape_hints(Document("d.md", "d.md", labelled), scan_section(labelled)) == ()


def test_shape_hint_for_too_few_question_lines() -> None:
    """A document whose only questions are two bold or numbered lines without answer labels (one fewer than
    a run needs) gets one hint at the first; numbered lines that do not ask get none."""
    text = "# 网络面试题\n\n**什么是粘包？**\n\n字节流。\n\n1. 如何解决粘包？\n\n加长度字段。\n"
    [hint] = shape_hints(Document("doc.md", "doc.md", text), scan_section(text))
    assert (hint.line, hint.severity) == (3, Severity.HINT)
    assert hint.message.startswith("2 question lines without answer labels")
    steps = "# 步骤\n\n1.安装\n\n运行安装包。\n\n2.配置\n\n改配置文件。\n"
    assert shape_hints(Document("d.md", "d.md", steps), scan_section(steps)) == ()


def test_shape_hint_for_an_outline_of_questions_without_question_marks() -> None:
    """A document that is a numbered outline (a short line per item, points below it) and nothing else
    gets one hint at the list; a list whose items have no points below them gets none."""
    text = (
        "1. 说下Linux进程和线程的区别。\n   * 进程是资源分配的单位。\n   * 线程是调度的单位。\n"
        "2. 硬连接和软连接。\n   * 硬连接指向同一索引节点。\n   * 软连接是一个特殊文件。\n"
    )
    [hint] = shape_hints(Document("os.md", "os.md", text), scan_section(text))
    assert (hint.line, hint.severity) == (1, Severity.HINT)
    assert hint.message.startswith("1 numbered list of short lines, each with points below it")
    plain = "1. 安装\n2. 配置\n"
    assert shape_hints(Document("d.md", "d.md", plain), scan_section(plain)) == ()


def test_shape_hint_for_questions_listed_apart_from_their_answers() -> None:
    """A document that lists its questions first and their answers in a list of their own below gets one
    hint at the list of questions; a list of points that ask nothing gets none."""
    text = (
        "## Java 面试题\n\n1. 什么是 JVM？\n2. 什么是 JDK？\n\n"
        "## 参考答案\n\n1. Java 虚拟机。\n2. Java 开发工具包。\n"
    )
    hints = shape_hints(Document("doc.md", "doc.md", text), scan_section(text))
    assert [(hint.line, hint.severity) for hint in hints] == [(3, Severity.HINT)]
    assert hints[0].message.startswith("1 list of questions without answers")
    points = "## Java\n\n1. 虚拟机。\n2. 工具包。\n"
    assert shape_hints(Document("d.md", "d.md", points), scan_section(points)) == ()


def test_check_prints_hints_and_strict_does_not_fail_on_them(project: Path, run_cli: RunCli) -> None:
    """``check --strict`` prints the near miss and the code-block label as hints with file:line, counts
    them on a line of their own, and exits 0; ``build`` does not print them."""
    (project / "source" / "doc.md").write_text(
        f"### 1. 过拟合\n\n**面试题：** {FIRST}\n\n**答案：** 正则化和早停。\n\n"
        f"**面试题：** {SECOND}\n\n**答案：** 数据增强。\n\n```\n**面试题：** 代码里的标签\n```\n",
        encoding="utf-8",
    )
    check = run_cli("check", "--strict")
    assert check.exit_code == 0, check.output
    assert "source/doc.md:7: hint: near miss: question 0.75" in check.stderr
    assert "source/doc.md:11: hint: a code block holds lines that start with a question label" in check.stderr
    lines = check.stdout.splitlines()
    assert lines[-2] == "2 hints: for you to decide; they never fail check, not even with --strict"
    assert lines[-1] == "1 document, 2 entries, 2 unique notes; 0 errors, 0 warnings"
    build = run_cli("build", "--strict")
    assert build.exit_code == 0, build.output
    assert "hint" not in build.stderr


def test_check_hints_at_a_document_it_reads_no_way(project: Path, run_cli: RunCli) -> None:
    """Beside a document with entries, one of unlabelled questions gets its warning and a one-line hint
    (three questions and then their answers: no question has its own answer below it, so they are not
    bare questions)."""
    (project / "source" / "a.md").write_text(
        "### 1. 甲\n\n**面试题：** 甲？\n\n**答案：** 甲。\n", encoding="utf-8"
    )
    (project / "source" / "b.md").write_text(
        "什么是甲？\n\n什么是乙？\n\n什么是丙？\n\n甲、乙、丙都是字。\n", encoding="utf-8"
    )
    check = run_cli("check")
    assert check.exit_code == 0, check.output
    assert "source/b.md: warning: no 面试题/答案 entries found" in check.stderr
    assert "source/b.md:1: hint: 3 paragraphs end with a question mark, but none is labelled" in check.stderr


def test_one_question_under_two_topics_with_two_answers_is_hinted() -> None:
    """Two documents ask one question under different headings with different answers: two cards with
    one front, hinted at the later one. Copies with one answer merge, and give no hint."""
    from qa2anki.hints import same_questions

    entries = [
        _entry(3, "什么是 KV Cache？", "缓存 K 和 V。", "推理优化"),
        _entry(9, "什么是 KV cache?", "用空间换时间。", "显存"),
    ]
    [hint] = same_questions(normalize(entries).notes)
    assert (hint.line, hint.severity) == (9, Severity.HINT)
    assert hint.message.startswith("the same question as doc.md:3 (under 推理优化), with another answer")
    copies = [
        _entry(3, "什么是 KV Cache？", "缓存 K 和 V。", "推理优化"),
        _entry(9, "什么是 KV Cache？", "缓存 K 和 V。", "显存"),
    ]
    assert same_questions(normalize(copies).notes) == ()


def test_a_bold_word_opening_most_answers_is_hinted_as_a_label() -> None:
    """When ``answer_labels`` no longer names a document's answer label, every card shows it: most of the
    document's answers open with one bold word. One hint, at the first; a word opening one answer of
    several is prose."""
    from qa2anki.hints import unread_labels

    labelled = [_entry(line, f"第{line}题是什么？", f"**参考：** 答案{line}。") for line in (3, 9, 15)]
    [hint] = unread_labels(labelled)
    assert (hint.line, hint.severity) == (3, Severity.HINT)
    assert hint.message.startswith("3 answers in this document open with **参考：**")
    prose = [
        _entry(3, "为什么？", "**注意：** 先看这里。"),
        *(_entry(n, f"第{n}题？", "答案。") for n in (9, 15)),
    ]
    assert unread_labels(prose) == ()


def test_near_misses_of_templated_entries_are_one_per_note() -> None:
    """Entries made from one template (``问题N是什么？`` / ``是N。``), where every note nearly matches every
    other, get at most one near-miss hint each (the nearest), and the search for them is capped, so a
    few thousand of them cost seconds, not minutes."""
    text = "\n".join(f"- 问题{i}是什么？\n  答：是{i}。" for i in range(600)) + "\n"
    document = Document("t.md", "t.md", text)
    notes = normalize(parse_document(document).entries).notes
    hints = near_misses(notes)
    lines = [hint.line for hint in hints]
    assert hints and len(lines) == len(set(lines)) <= len(notes)
