"""The parser: golden fixtures (Markdown in, entries as JSON out) and invariants."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.parse import (
    ends_asking,
    heading_number,
    parse_document,
    scan_section_and_references,
    scan_texts,
    split_sections,
    strip_numbering,
)
from qa2anki.sources import Document

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))


def parse_fixture(name: str) -> dict[str, Any]:
    text = (FIXTURES / f"{name}.md").read_text(encoding="utf-8")
    result = parse_document(Document(path=f"{name}.md", name=f"{name}.md", text=text))
    return {
        "entries": [
            {
                "line": e.line,
                "topic": e.topic,
                "question": e.question_md,
                "answer": e.answer_md,
                "question_html": e.question_html,
                "answer_html": e.answer_html,
            }
            for e in result.entries
        ],
        "problems": [
            {"line": p.line, "severity": p.severity.value, "message": p.message} for p in result.problems
        ],
    }


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    """Each fixture parses to exactly the entries and problems recorded beside it."""
    actual = parse_fixture(name)
    expected_path = FIXTURES / f"{name}.json"
    if os.environ.get("QA2ANKI_UPDATE_GOLDEN") == "1":
        expected_path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


def test_every_fixture_has_expectations() -> None:
    """No fixture is without its golden JSON (a missing one would silently test nothing)."""
    assert CASES
    for name in CASES:
        assert (FIXTURES / f"{name}.json").is_file(), name


@pytest.mark.parametrize(
    ("heading", "topic"),
    [
        ("1. 预训练语言模型的效果提升", "预训练语言模型的效果提升"),
        ("12. 模型可解释性", "模型可解释性"),
        ("2.3 无监督学习", "无监督学习"),
        ("一、基础知识", "基础知识"),
        ("（4）强化学习", "强化学习"),
        ("第5题：迁移学习", "迁移学习"),
        ("GPT-4 的能力", "GPT-4 的能力"),
        ("2024", "2024"),
        ("1 简介", "简介"),
        ("1.2 简介", "简介"),
        ("2 . 简介", "简介"),
        ("1143 最长公共子序列", "最长公共子序列"),
        ("1.1什么是IOC", "什么是IOC"),
        ("2Redis为什么快", "Redis为什么快"),
        # A number glued to a unit or a short name, or a year, is part of the text.
        ("2PC 和 3PC 的区别？", "2PC 和 3PC 的区别？"),
        ("5G 和 4G 的区别？", "5G 和 4G 的区别？"),
        ("2.5D 是什么？", "2.5D 是什么？"),
        ("3Sum", "3Sum"),
        ("64位系统的指针多大？", "64位系统的指针多大？"),
        ("3次握手", "3次握手"),
        ("4GB 内存够吗？", "4GB 内存够吗？"),
        # A number glued to an acronym or a word is a section number still.
        ("1JVM内存模型", "JVM内存模型"),
        ("2GC算法", "GC算法"),
        ("1年轻代", "年轻代"),
        ("1位运算", "位运算"),
        ("2021 年前端面试题", "2021 年前端面试题"),
        ("2024年春招", "2024年春招"),
        ("301 和 302 的区别？", "301 和 302 的区别？"),
        ("502与504有什么区别？", "502与504有什么区别？"),
        ("2.0 vs 3.0", "2.0 vs 3.0"),
        ("80/20 法则", "80/20 法则"),
        ("3. 1 和 2 谁大？", "1 和 2 谁大？"),
        ("9-1. XMLHttpRequest 与 Fetch", "XMLHttpRequest 与 Fetch"),
        ("📝 9-2. 什么时候用 Fetch？", "什么时候用 Fetch？"),
        ("1-1 Java基础", "1-1 Java基础"),
        ("2-3 树和 B 树的区别？", "2-3 树和 B 树的区别？"),
        ("3-5 年经验", "3-5 年经验"),
        ("1-1-1. 什么是进程？", "什么是进程？"),
    ],
)
def test_strip_numbering(heading: str, topic: str) -> None:
    """Leading section numbers are not part of the topic; a heading that is only a number is kept, and so
    is a number that belongs to the text (``2PC``, a year, ``301 和 302``, a range ``2-3 树``). A dashed
    number ended by a mark (``9-1.``) goes whole."""
    assert strip_numbering(heading) == topic


@pytest.mark.parametrize(
    ("heading", "number"),
    [
        ("301 和 302 的区别？", "301"),
        ("2.0 vs 3.0", "2.0"),
        ("9-1. XMLHttpRequest", "9"),
        ("1-1 Java基础", "1"),
    ],
)
def test_a_number_kept_in_the_text_still_numbers_the_heading(heading: str, number: str) -> None:
    """What a heading shows and whether it is numbered are apart: ``301 和 302 的区别？`` keeps its number
    on the card, and still counts among numbered lines (a run of them reads as before)."""
    assert heading_number(heading) == number


@pytest.mark.parametrize(
    ("line", "asks"),
    [
        ("如何创建BFC？（可以触发生成BFC的条件有哪些？）", True),
        ("写在最后（觉得有用吗？）", False),
        ("Interrupt system is implemented by ____ .", True),
        ("Java中用于定义常量的关键字是（ ）。", True),
        ("初始化写在 __init__.", False),
        ("调用 f() .", False),
        ("这是一句话。", False),
    ],
)
def test_ends_asking(line: str, asks: bool) -> None:
    """Brackets that ask again end a line that asks; a blank before a full stop asks, a name or a call
    before one does not."""
    assert ends_asking(line) is asks


def test_answer_ends_at_same_level_heading_but_not_deeper() -> None:
    """A deeper heading belongs to the answer; a same-level one starts a new section."""
    result = parse_fixture("answer-blocks")
    first, second = result["entries"]
    assert "#### 补充说明" in first["answer"] and "推理时" in first["answer"]
    assert "| BatchNorm | batch |" in first["answer"]
    assert second["topic"] == "Dropout"


def test_labels_in_lists_and_code_are_not_entries() -> None:
    """Bold labels inside list items and code fences, and a sentence starting with 问题, open no entry."""
    result = parse_fixture("not-labels")
    assert [e["question"] for e in result["entries"]] == ["模型压缩有哪些方法？"]
    assert "代码块里的标签不是问题" in result["entries"][0]["answer"]


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parser_never_raises(text: str) -> None:
    """Any text parses: entries and problems come back, never an exception."""
    result = parse_document(Document(path="x.md", name="x.md", text=text))
    for entry in result.entries:
        assert entry.question_md and entry.answer_md
        assert entry.line >= 1


LABELLED = st.lists(
    st.tuples(
        st.sampled_from(["**面试题：**", "**问题**：", "题目:", "面试题："]),
        st.text(alphabet="什么是过拟合梯度下降模型压缩abc 123", min_size=1, max_size=20),
        st.sampled_from(["**答案：**", "**答**：", "解答:", "回答："]),
        st.text(alphabet="通过正则化早停数据增强xyz 456", min_size=1, max_size=30),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(LABELLED)
def test_generated_entries_are_all_found(pairs: list[tuple[str, str, str, str]]) -> None:
    """Every labelled pair under a heading is found with its question, answer and line."""
    lines: list[str] = []
    expected = []
    for n, (qlabel, question, alabel, answer) in enumerate(pairs, 1):
        lines += [f"### {n}. 主题{n}", ""]
        expected.append((len(lines) + 1, f"主题{n}", question.strip(), answer.strip()))
        lines += [f"{qlabel} {question}", "", f"{alabel} {answer}", ""]
    result = parse_document(Document(path="x.md", name="x.md", text="\n".join(lines)))
    found = [(e.line, e.topic, e.question_md, e.answer_md) for e in result.entries]
    assert found == [e for e in expected if e[2] and e[3]]


@settings(max_examples=100, deadline=None)
@given(LABELLED)
def test_pairs_on_consecutive_lines_are_found_as_with_a_blank_line(
    pairs: list[tuple[str, str, str, str]],
) -> None:
    """A question line and its answer line in one paragraph give what they give with a blank line between."""

    def entries(separator: str) -> list[tuple[int, str, str, str]]:
        lines: list[str] = []
        for n, (qlabel, question, alabel, answer) in enumerate(pairs, 1):
            lines += [f"### {n}. 主题{n}", "", f"{qlabel} {question}{separator}{alabel} {answer}", ""]
        result = parse_document(Document(path="x.md", name="x.md", text="\n".join(lines)))
        return [(e.topic, e.question_md, e.answer_md, e.answer_html) for e in result.entries]

    assert entries("\n") == entries("\n\n")


SECTION_LINES = st.sampled_from(
    [
        "### 1. 主题", "## 标题", "**面试题：** 问题？", "**答案：** 答案。", "```", "~~~", "# 注释",
        "- 列表", "  - 缩进的列表", "> 引用", "| a | b |", "| --- | --- |", "", "正文段落。", "    缩进代码",
        "见[论文][1]。", "[1]: https://a.org", "<details>", "</details>", "$$", "x = 1", "---",
        '??? question "问题？"', "    缩进的答案。", "!!! note",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(SECTION_LINES, max_size=12), max_size=12), st.randoms(use_true_random=False))
def test_texts_scanned_together_scan_as_each_alone(documents: list[list[str]], random: Any) -> None:
    """Runs of sections are parsed as one text and cut apart again: each section's blocks are what a parse
    of it alone gives, in any order, across documents, whatever a section leaves open at its end (a fence
    at the end of a document) or defines (a link reference)."""
    texts = [text for lines in documents for _, text in split_sections("\n".join(lines))]
    random.shuffle(texts)
    assert scan_texts(texts) == [scan_section_and_references(text) for text in texts]


def test_a_run_is_cut_where_each_text_begins() -> None:
    """Texts that begin with a heading are parsed as one; one that leaves a fence open, or defines a link
    reference, makes its run parse text by text (the heading after it would be code, or the reference
    would hold for the texts after it)."""
    plain = ["### 1. 题\n\n**面试题：** 问？\n\n**答案：** 答。\n", "### 2. 题\n\n- 列表\n  续\n"]
    open_fence = ["### 1. 题\n\n```\ncode\n", "### 2. 题\n\n正文。\n"]
    reference = ["### 1. 题\n\n[1]: https://a.org\n", "### 2. 题\n\n见[论文][1]。\n"]
    for texts in (plain, open_fence, reference):
        scanned = scan_texts(texts)
        assert scanned == [scan_section_and_references(text) for text in texts]
        assert [blocks[0].start for blocks, _ in scanned] == [0, 0]
    assert scan_texts(reference)[0][1] == (("1", "https://a.org", ""),)
    # With the document's definitions given, texts that only use them are parsed together.
    table = (("1", "https://a.org", ""),)
    using = ["### 1. 题\n\n见[论文][1]。\n", "### 2. 题\n\n又见[论文][1]。\n"]
    assert scan_texts(using, references=table) == [
        scan_section_and_references(text, references=table) for text in using
    ]
    assert '<a href="https://a.org">' in scan_texts(using, references=table)[1][0][-1].html


def test_token_copies_keep_every_field() -> None:
    """The parser copies tokens field by field (faster than ``Token.copy``): a field markdown-it-py adds
    one day must not be dropped from the copies."""
    from markdown_it.token import Token

    from qa2anki.parse import _with_content

    child = Token("text", "", 0, content="child")
    token = Token("inline", "p", 1, {"id": "x"}, [3, 4], 2, [child], "old", "*", "info", {"m": 1}, True, True)
    assert _with_content(token, "new") == token.copy(content="new")
    assert _with_content(token, "new", []) == token.copy(content="new", children=[])
