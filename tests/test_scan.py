"""Sections, the parse cache and parallel scanning give exactly what parsing whole documents gives."""

from __future__ import annotations

import marshal
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from benchmarks.generate import EDIT, edit_one, generate
from qa2anki import scan
from qa2anki.cache import encode_blob
from qa2anki.fold import fold
from qa2anki.parse import line_starts, parse_documents, scan_section, split_sections
from qa2anki.scan import (
    CHUNKS_FOLDER,
    DOCUMENTS_FOLDER,
    FACTS_CHANGES_NAME,
    FACTS_NAME,
    SECTIONS_FOLDER,
    scan_documents,
)
from qa2anki.sources import Document

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "parse").glob("*.md"))


def doc(text: str, name: str = "a.md") -> Document:
    return Document(path=name, name=name, text=text)


def test_sections_join_back(seed_text: str) -> None:
    """Sections cover the document exactly, each starting at a heading line (but the first)."""
    sections = split_sections(seed_text)
    assert "".join(text for _, text in sections) == seed_text
    lines = seed_text.split("\n")
    assert all(lines[start].startswith("#") for start, _ in sections[1:])
    assert len(sections) == 32


def test_no_cut_inside_code_fences() -> None:
    """A '# comment' inside a fenced code block is not a heading, so no section starts there."""
    text = (
        "### 1. 题\n\n**面试题：** 问？\n\n**答案：** 答：\n\n"
        "```python\n# comment\nx = 1\n```\n\n### 2. 下一个\n"
    )
    starts = [start for start, _ in split_sections(text)]
    assert starts == [0, 11]


def test_a_fence_in_a_list_item_ends_with_the_item() -> None:
    """A fence opened inside a list item ends with the item (a line indented less), so the next fence
    line opens a code block of its own, and the heading inside that is no cut. Line by line, the same
    lines may also be one indented fence at the top level: both readings are followed, and a heading is
    cut only where neither has a fence open (fewer cuts only make larger sections)."""
    in_item = "- 问题？\n  ```\ncol\n```\n## 不是标题\n"
    assert [start for start, _ in split_sections(in_item)] == [0]
    assert scan_documents([doc(in_item)], None)[0] == parse_documents([doc(in_item)])
    top_level = "  ```\ncol\n  ```\n## 标题\n"
    assert [start for start, _ in split_sections(top_level)] == [0]
    assert scan_documents([doc(top_level)], None)[0] == parse_documents([doc(top_level)])
    agreed = "- 问题？\n  ```\n  code\n  ```\n\n## 标题\n"
    assert [start for start, _ in split_sections(agreed)] == [0, 5]


@pytest.mark.parametrize(
    "path", [*FIXTURES, Path(__file__).parent.parent / "source" / "gpt-4-tech-highlights.md"]
)
def test_sectioned_scan_equals_whole_parse(path: Path, tmp_path: Path) -> None:
    """Scanning section by section (cold and from the cache) gives the same entries as a whole parse."""
    documents = [doc(path.read_text(encoding="utf-8"), path.name)]
    whole = parse_documents(documents)
    cold, stats = scan_documents(documents, tmp_path, save=True)
    assert stats.saved > 0
    warm, warm_stats = scan_documents(documents, tmp_path, save=True)
    assert warm_stats.saved == 0
    assert cold == whole == warm
    assert stats.scanned > 0 and warm_stats.scanned == 0


LINES = st.sampled_from(
    [
        "# 标题", "## 1. 主题", "### 2. 主题", "#### 深层", "**面试题：** 问题？", "**答案：** 答案。",
        "问题：什么？", "答：这样。", "```", "~~~", "# 注释", "1. **量化**：降低精度", "- 列表", "> 引用",
        "| a | b |", "| --- | --- |", "", "", "通过以上技术，效果很好。", "    缩进代码", "正文段落。",
        "## 总结", "### 参考资料", "### 什么是注意力？", "#### 答案", "**解题思路：** 先想。", "Q: 问？",
        "A: 答。", "### 3. **面试题：** 标题问？", "**问题1：** 子问题？", "见[论文][1]。", "[1]: https://a.org",
        "> [2]: https://b.org", "用[2]和[论文]。", "[论文]: https://c.org 'T'",
        "# 面试题大全", "## 4. 没有问号的题", "### 5. 为什么？", "#### 6. 细节", "**7. 粗体问题？**",
        "**面试题：** 同段问？\n**答案：** 同段答。", "---", "## 展望", "正确答案：B",
        "> **Question:** Why?\n>\n> **Answer:** Because.",
        "1. **面试题：** 列表问？\n\n   **答案：** 列表答。",
        "1.没有问号的题", "2:有问号的题？", "3、第三题\n答案紧跟在下一行", "裸问题吗?", "10:30 开会",
        "上一题的答案。\n4.段落中间的题？\n答案一行",
        "### 题目", "## 问题", "### 📖 解析", "#### 参考答案", "### ✅ 正确答案：B", "## 第 1 题 🟢",
        "<details>\n<summary>查看答案</summary>", "</details>", "<details><summary><b>答案</b></summary>",
        "- DONE 1、什么是栈？\n  collapsed:: true\n  - 后进先出。", "- 基础\n  collapsed:: true",
        "  - TODO 什么是堆？",
        "### 8、Redis是什么", "### A vs B", "#### X 和 Y 的区别", "- **能吗？** 能。\n- **会吗？** 会。",
        "## 面试题", "## 面试官心理分析", "## 面试题剖析", "> 为什么？\n>\n> 答：因为。",
        "**什么是粗体问题？**", "**8. 粗体编号的问题？**", "1. 列表里的问题？", "2. 第二个列表问题？",
        "**面试题：**同行问？**答案：**同行答。", "问：同行问？ 答：同行答。\n下一行仍是答案",
        "Q1. Why?\nA1. Because.", "Q2、何时？\nA3、编号不同", "1、问题：带标签的编号题？",
        "2、**问题：**粗体标签的编号题？",
        "### 题目 1", "## 第1题", "<details>", "<summary>参考答案</summary>", "<summary>展开</summary>",
        "<details><summary>Show answer</summary>", "<details>\n<summary>点击查看答案</summary>", "***",
        "握手为什么是三次？", "> 版权声明：原创文章。", "关注公众号「小栈」！",
        '??? question "为什么？"\n\n    因为。', "!!! tip", "    缩进的正文", '=== "标签"',
        "问题：", "+ 需要人工介入", "面试陷阱：为什么？", "### 1.项目相关", "1. 进程是什么？\n   > 讲了。",
        "### 301 和 302 的区别？", "## 9-1. 状态码", "- 为什么？\n  - 因为。",
        "> [!question]- 自检？\n> 为什么？", "::: details 答案\n1. 是。\n:::", "::: tip 提示\n注意。\n:::",
        "| 知识点 | 面试题 | 答案 |", "| 过拟合 | 如何判断？ | 看曲线 |", "- 1,说说经历\n工作两段。",
        "**面试官（追问）**：为什么？", "1. 请说出结果\n   > 答：10",
    ]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES, max_size=40))
# A question in a closing section, answered by a heading label: that heading ends the section.
@example(lines=["### 参考资料", "**面试题：** 问题？", "### ✅ 正确答案：B"])
# A question heading with nothing below it but a deeper one, at no level of questions: that heading opens
# its answer, which the section above must be assembled with (found by hypothesis, in CI).
@example(lines=["## 5. 为什么？", "### 5. 为什么？"])
def test_sectioned_scan_equals_whole_parse_on_any_mix(lines: list[str]) -> None:
    """For any mix of headings, fences, labels and blocks, sections parse as the whole document does."""
    documents = [doc("\n".join(lines))]
    assert scan_documents(documents)[0] == parse_documents(documents)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINES, max_size=40), st.lists(st.tuples(st.integers(0, 40), LINES), max_size=3))
# A follow-up question line in one entry, and a fold's answer label under the next heading: the label is
# that heading's entry's, not the follow-up's (found by hypothesis, seed 61).
@example(
    lines=[
        "### 8、Redis是什么",
        "**面试题：**同行问？**答案：**同行答。",
        "1. **量化**：降低精度",
        "<details>\n<summary>查看答案</summary>",
        "### 8、Redis是什么",
        "<details>\n<summary>查看答案</summary>",
    ],
    edits=[],
)
def test_cached_sections_equal_whole_parse_after_edits(
    lines: list[str], edits: list[tuple[int, str]]
) -> None:
    """After any edits, a scan that reuses the cached sections of the text before gives what a whole
    parse of the edited text gives."""
    edited = list(lines)
    for position, line in edits:
        edited.insert(min(position, len(edited)), line)
    if edited and edits:
        edited[edits[0][0] % len(edited)] = edits[0][1]  # one line replaced, too
    with tempfile.TemporaryDirectory() as folder:
        before = [doc("\n".join(lines))]
        assert scan_documents(before, Path(folder), save=True)[0] == parse_documents(before)
        after = [doc("\n".join(edited))]
        assert scan_documents(after, Path(folder), save=True)[0] == parse_documents(after)
        assert scan_documents(before, Path(folder))[0] == parse_documents(before)


SNIPPETS = st.sampled_from(
    [
        "\n",
        "\n\n",
        "# ",
        "### 9. 新主题\n",
        "```\n",
        "~~~",
        "**面试题：** 新问？\n",
        "**答案：** 新答。\n",
        "中",
        " ",
        "1. ",
        "[1]: https://a.org\n",
        "见[1]",
    ]
)


@settings(max_examples=300, deadline=None)
@example(  # a fence line that ends the list item its fence was in opens a fence of its own
    lines=[
        *["# 标题"] * 6,
        "- DONE 1、什么是栈？\n  collapsed:: true\n  - 后进先出。",
        *["# 标题"] * 6,
        "通过以上技术，效果很好。",
        "<summary>参考答案</summary>",
    ],
    edits=[(0.5, 15, ["```\n"]), (0.515625, 4, ["```\n"])],
    block=1,
)
@example(  # a fence in a list item ends with the item: the next fence line opens one of its own
    lines=[
        "# 标题",
        "# 标题",
        "**面试题：** 问题？",
        "**面试题：** 问题？",
        "- DONE 1、什么是栈？\n  collapsed:: true\n  - 后进先出。",
        "- **能吗？** 能。\n- **会吗？** 会。",
        "- DONE 1、什么是栈？\n  collapsed:: true\n  - 后进先出。",
        "## 1. 主题",
        "## 1. 主题",
        "| --- | --- |",
        "通过以上技术，效果很好。",
        "<details>\n<summary>查看答案</summary>",
        "<summary>参考答案</summary>",
    ],
    edits=[(0.5, 19, ["\n", "```\n"]), (0.51953125, 0, ["```\n"])],
    block=1,
)
@example(  # a question before an answer label and an answer heading is no question of the fold after them
    lines=[
        "1. **面试题：** 列表问？\n\n   **答案：** 列表答。",
        "### ✅ 正确答案：B",
        "<summary>参考答案</summary>",
    ],
    edits=[(0.0, 1, [])],
    block=1,
)
@given(
    st.lists(LINES, min_size=1, max_size=40),
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 30), st.lists(SNIPPETS, max_size=3)), min_size=1, max_size=3
    ),
    st.sampled_from([1, 7, 64, scan.DIGEST_BLOCK]),
)
def test_last_scan_reused_around_any_character_edit(
    lines: list[str], edits: list[tuple[float, int, list[str]]], block: int
) -> None:
    """After characters are cut out of or put into a document anywhere (splitting or joining lines,
    opening fences, adding headings), a scan that reuses the last scan's sections before and after the
    change (found by block digests, blocks of any size) gives what a whole parse of the new text gives."""
    scan.DIGEST_BLOCK, block = block, scan.DIGEST_BLOCK  # restored below: hypothesis runs no fixtures
    try:
        _edit_and_scan(lines, edits)
    finally:
        scan.DIGEST_BLOCK = block


def _edit_and_scan(lines: list[str], edits: list[tuple[float, int, list[str]]]) -> None:
    before = "\n".join(lines)
    after = before
    for where, cut, inserted in edits:
        position = int(where * len(after))
        after = after[:position] + "".join(inserted) + after[position + cut :]
    with tempfile.TemporaryDirectory() as folder:
        scan_documents([doc(before)], Path(folder), save=True)
        assert scan_documents([doc(after)], Path(folder), save=True)[0] == parse_documents([doc(after)])
        assert scan_documents([doc(before)], Path(folder))[0] == parse_documents([doc(before)])


def test_one_edit_hashes_only_the_changed_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild after a one-entry edit cuts and hashes only the sections that share a digest block with the
    edit (the last scan keeps block digests, not the text), scans only the edited one, takes the other
    sections and their entries from the last scan, and reads no section's blocks."""
    text = generate(300, seed=4)
    documents = [doc(text, "a.md"), doc(generate(50, seed=5), "b.md")]
    scan_documents(documents, tmp_path, save=True)
    hashed: list[str] = []
    key = scan._key
    monkeypatch.setattr(scan, "_key", lambda section: hashed.append(section) or key(section))
    edited = [doc(edit_one(text), "a.md"), documents[1]]
    result, stats = scan_documents(edited, tmp_path, save=True)
    assert result == parse_documents(edited)
    # The sections in the blocks around the edit, and the edited one's text after its heading (to find a
    # section it might share all but its heading with, and for the next scan to know).
    (edited_section,) = {section for section in hashed if section.startswith("#") and EDIT in section}
    assert stats.scanned == 1
    assert sum(map(len, hashed)) <= 3 * scan.DIGEST_BLOCK + 3 * len(edited_section)
    hashed.clear()
    assert scan_documents(edited, tmp_path)[0] == result
    assert hashed == []  # nothing changed: nothing cut or hashed


def test_link_references_hold_across_sections(tmp_path: Path) -> None:
    """A link used in one section and defined in another (a closing 参考资料 list) is a link on the card,
    as CommonMark defines it for the whole document, cold and from the cache, before and after the
    definition is removed."""
    text = (
        "### 1. 注意力\n\n**面试题：** 什么是注意力？\n\n**答案：** 见[论文][1]。\n\n"
        "### 2. 归一化\n\n**面试题：** 为什么要归一化？\n\n**答案：** 稳定训练。\n\n"
        "### 参考资料\n\n[1]: https://arxiv.org/abs/1706.03762\n"
    )
    documents = [doc(text)]
    cold = scan_documents(documents, tmp_path, save=True)[0]
    assert cold == parse_documents(documents) == scan_documents(documents, tmp_path, save=True)[0]
    assert '<a href="https://arxiv.org/abs/1706.03762">论文</a>' in cold.entries[0].answer_html
    without = [doc(text.replace("[1]: https://arxiv.org/abs/1706.03762\n", "没有链接。\n"))]
    warm = scan_documents(without, tmp_path, save=True)[0]
    assert warm == parse_documents(without) and "[论文][1]" in warm.entries[0].answer_html


HEADINGS = st.sampled_from(
    ["# 标题", "## 1. 主题", "### 2. 主题", "### 20. 主题", "#### 深层", "### 什么是注意力？", "#### 答案",
     "###", "### 3. **面试题：** 标题问？", "## 总结", "### 参考资料", "### `代码` 与 $x^2$"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(HEADINGS, HEADINGS, st.lists(LINES.filter(lambda line: "]:" not in line), max_size=25))
def test_a_section_is_its_heading_and_the_rest(first: str, second: str, lines: list[str]) -> None:
    """A section's blocks are its heading line's blocks followed by those of the rest, whatever heading
    the rest was scanned under: what lets a renumbered or repeated section scan only its heading."""
    body = "\n" + "\n".join(lines)
    whole = scan_section(first + body)
    assert whole == scan_section(first + "\n") + scan_section(second + body)[1:]


def _count_scans(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    texts: list[str] = []
    real = scan.scan_texts

    def counting(scanned: Any, labels: Any, references: Any = ()) -> Any:
        texts.extend(scanned)
        return real(scanned, labels, references)

    monkeypatch.setattr(scan, "scan_texts", counting)
    return texts


def test_inserting_an_entry_scans_only_renumbered_headings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry inserted into a numbered document renumbers every heading after it; those sections are
    not parsed again, only their heading lines, and the result is what a whole parse gives."""
    entries = [
        f"### {n}. 主题{n % 3}\n\n**面试题：** 问题{n}？\n\n**答案：** 答案{n}。\n\n" for n in range(1, 41)
    ]
    before = [doc("".join(entries))]
    scan_documents(before, tmp_path, save=True)
    inserted = [*entries[:20], "### 21. 新主题\n\n**面试题：** 新问题？\n\n**答案：** 新答案。\n\n"]
    inserted += [entry.replace(f"### {n}.", f"### {n + 1}.", 1) for n, entry in enumerate(entries[20:], 21)]
    after = [doc("".join(inserted))]
    scanned = _count_scans(monkeypatch)
    assert scan_documents(after, tmp_path, save=True)[0] == parse_documents(after)
    whole = [text for text in scanned if text.count("\n") > 1]
    assert len(scanned) == 21 and len(whole) == 1 and "新问题" in whole[0]


def test_repeated_entries_are_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries repeated word for word under other headings (the genre does this a lot) are parsed once;
    the repeats only have their heading lines parsed."""
    entry = "\n\n**面试题：** 什么是注意力？\n\n**答案：** 一种加权。\n\n"
    documents = [doc("".join(f"### {n}. 主题{n}{entry}" for n in range(1, 11)))]
    scanned = _count_scans(monkeypatch)
    assert scan_documents(documents, tmp_path, save=True)[0] == parse_documents(documents)
    assert len(scanned) == 10 and sum(1 for text in scanned if text.count("\n") > 1) == 1


def test_parallel_scan_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes give the same result as scanning in this process."""
    documents = [doc(generate(300, seed=3), "big.md")]
    serial, serial_stats = scan_documents(documents, jobs=1)
    monkeypatch.setattr(scan, "PARALLEL_MIN_CHARS", 1)
    monkeypatch.setattr(scan, "BATCH_CHARS", 5_000)
    parallel, stats = scan_documents(documents, jobs=2)
    assert stats.workers == 2 and serial_stats.workers == 0
    assert parallel == serial


def test_edit_rescans_only_the_changed_section(tmp_path: Path) -> None:
    """After a one-entry edit only that entry's section is scanned again."""
    text = generate(200, seed=1)
    _, first = scan_documents([doc(text)], tmp_path, save=True)
    files = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert first.saved == len(files) > 100
    edited, stats = scan_documents([doc(edit_one(text))], tmp_path, save=True)
    assert stats.scanned == 1
    assert stats.sections > 150
    # The old and the new section's shard of blocks, the facts, the document's scan and text, and the run
    # of parts the section is in (or the two runs it ends or joins), written anew and the old ones
    # removed: a few files, not the whole cache.
    assert stats.saved <= 10
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert sum(after.get(path) != stamp for path, stamp in files.items()) <= 8
    assert edited == parse_documents([doc(edit_one(text))])


def _rewrite(path: Path, change: Callable[[Any], None], through: type | None = None) -> None:
    """Change the data inside a cache file, keeping it well-formed (right header and checksum); with
    ``through``, the (tuple) data is changed as that type and turned back into a tuple."""
    raw = path.read_bytes()
    body = raw[raw.index(b"\n") + 1 + 4 :]
    stored = marshal.loads(zlib.decompress(body) if raw.startswith(b"qa2anki-cachez") else body)
    data = through(stored["data"]) if through else stored["data"]
    change(data)
    tag = stored["tag"].split(" ", 1)[1]  # without the code fingerprint encode_blob puts first
    path.write_bytes(encode_blob(tag, tuple(data) if through else data))


def test_a_small_edit_writes_the_changed_facts_only(tmp_path: Path) -> None:
    """After an edit of one section, the facts of the sections are not written again: a small file holds
    the new section's and the dropped one's; the next scan reads both, and a damaged or stray changes
    file only means a section scanned again. Many changes write the whole file again."""
    documents = [doc(generate(300, seed=4))]
    scan_documents(documents, tmp_path, save=True)
    facts = (tmp_path / FACTS_NAME).read_bytes()
    assert not (tmp_path / FACTS_CHANGES_NAME).exists()
    edited = [doc(edit_one(documents[0].text))]
    assert scan_documents(edited, tmp_path, save=True)[0] == parse_documents(edited)
    assert (tmp_path / FACTS_NAME).read_bytes() == facts
    assert (tmp_path / FACTS_CHANGES_NAME).stat().st_size < len(facts) // 20
    assert scan_documents(edited, tmp_path)[1].scanned == 0  # the edited section's facts were read back
    assert scan_documents(documents, tmp_path)[0] == parse_documents(documents)

    (tmp_path / FACTS_CHANGES_NAME).write_bytes(b"damaged")
    result, stats = scan_documents(edited, tmp_path, save=True)
    assert result == parse_documents(edited) and stats.scanned == 1

    other = [doc(generate(300, seed=5))]  # every section new: the facts are written whole
    assert scan_documents(other, tmp_path, save=True)[0] == parse_documents(other)
    assert (tmp_path / FACTS_NAME).read_bytes() != facts
    assert not (tmp_path / FACTS_CHANGES_NAME).exists()
    assert scan_documents(other, tmp_path)[1].scanned == 0


def test_damaged_cache_is_ignored(tmp_path: Path) -> None:
    """Cache files with foreign bytes or a wrong shape inside are ignored and rebuilt, never an error."""
    documents = [doc(generate(200, seed=2))]
    expected = parse_documents(documents)
    result = scan_documents(documents, tmp_path, save=True)[0]
    blocks = sorted((tmp_path / SECTIONS_FOLDER).iterdir())
    chunks = sorted((tmp_path / CHUNKS_FOLDER).iterdir())
    [index] = sorted((tmp_path / DOCUMENTS_FOLDER).glob("*.marshal"))
    assert result == expected and len(blocks) > 1 and len(chunks) > 1

    chunks[0].write_bytes(b"not marshal at all")
    assert scan_documents(documents, tmp_path, save=True)[0] == expected
    assert chunks[0].read_bytes() != b"not marshal at all"  # rewritten
    blocks[0].write_bytes(b"not marshal at all")
    (tmp_path / FACTS_NAME).write_bytes(b"")
    index.write_bytes(b"")
    assert scan_documents(documents, tmp_path, save=True)[0] == expected
    assert scan_documents(documents, tmp_path)[1].scanned == 0  # all rewritten

    def wrong_shape(data: Any) -> None:
        if isinstance(data, dict):
            data[next(iter(data))] = marshal.dumps((("heading", "x"),))

    def wrong_part(data: Any) -> None:
        data[0] = (("heading", "x"), (), (), True)

    _rewrite(chunks[1], wrong_part, list)
    assert scan_documents(documents, tmp_path)[0] == expected

    def not_marshal(data: Any) -> None:
        if isinstance(data, dict):
            data[next(iter(data))] = b"\xff not marshal"

    _rewrite(blocks[1], wrong_shape)
    _rewrite(blocks[2], not_marshal)
    for path in chunks:
        _rewrite(path, list.clear, list)  # every section must be assembled from its blocks again
    assert scan_documents(documents, tmp_path)[0] == expected
    assert scan_documents(documents, tmp_path, save=True)[0] == expected
    assert scan_documents(documents, tmp_path)[0] == expected

    def wrong_index(data: Any) -> None:
        data[6] = data[6][:-1]  # one part key short

    _rewrite(index, wrong_index, list)
    assert scan_documents(documents, tmp_path)[0] == expected
    assert scan_documents(documents, tmp_path, save=True)[0] == expected
    edited = [doc(edit_one(documents[0].text))]
    assert scan_documents(edited, tmp_path)[0] == parse_documents(edited)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINES.filter(lambda line: "]:" not in line), max_size=40))
# A labelled pair in a section after a question section that is not its answer section: the question
# section is a title, and the pair its own entry (found by hypothesis, seed 66).
@example(
    lines=[
        "## 面试题",
        "通过以上技术，效果很好。",
        "## 1. 主题",
        "**8. 粗体编号的问题？**",
        "**答案：** 答案。",
    ]
)
# A question whose Markdown spanned a block left out of it (a fold's "show the answer" summary): its text
# was in the Markdown but not in the folded text (found by hypothesis while reviewing).
@example(
    lines=[
        "# 标题",
        "## 1. 主题",
        "<details>\n<summary>查看答案</summary>",
        "- 列表",
        "<details>\n<summary>查看答案</summary>",
        "**答案：** 答案。",
    ]
)
def test_block_folds_equal_folding_the_whole_text(lines: list[str]) -> None:
    """An entry's folded texts, joined block by block, equal folding its whole question and answer
    (which holds but for link reference definitions: they are no block, so they fold to nothing)."""
    for entry in parse_documents([doc("\n".join(lines))]).entries:
        assert entry.question_folded == fold(entry.question_md)
        assert entry.answer_folded == fold(entry.answer_md)


@pytest.mark.parametrize(
    "path", [*FIXTURES, Path(__file__).parent.parent / "source" / "gpt-4-tech-highlights.md"]
)
def test_block_folds_on_fixtures(path: Path) -> None:
    """On every fixture and the seed, block-by-block folding equals folding the whole text."""
    for entry in parse_documents([doc(path.read_text(encoding="utf-8"), path.name)]).entries:
        assert (entry.question_folded, entry.answer_folded) == (
            fold(entry.question_md),
            fold(entry.answer_md),
        )


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("ab\n中 ")))
def test_line_starts_slice_like_joined_lines(text: str) -> None:
    """Slicing the text at line starts gives exactly the lines joined, for every run of lines."""
    lines, starts = text.split("\n"), line_starts(text)
    assert len(starts) == len(lines) + 1
    for a in range(len(lines)):
        for b in range(a + 1, len(lines) + 1):
            assert text[starts[a] : starts[b] - 1] == "\n".join(lines[a:b])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.sampled_from([1, 3, 16]))
def test_digests_kept_from_the_last_text_equal_fresh_ones(old: str, new: str, block: int) -> None:
    """A save takes the digests of the blocks the new text shares with the last one from the last scan
    and computes the rest: the same digests as computing them all."""
    scan.DIGEST_BLOCK, block = block, scan.DIGEST_BLOCK
    try:
        head, tail = scan.text_digests(old)
        same_head = head[: scan._same_blocks(new, head, False)]
        same_tail = tail[: scan._same_blocks(new, tail, True)]
        assert scan.text_digests(new, (same_head, same_tail)) == scan.text_digests(new)
    finally:
        scan.DIGEST_BLOCK = block
