"""Markdown → entries, on markdown-it-py's block token stream.

A document is read as a flat run of top-level blocks (headings, paragraphs, lists, code, tables, quotes),
each with its source lines from ``Token.map``. A small set of named rules decides what a block is:

* ``heading``: an ATX/Setext heading; its text without the leading numbering (``1.``, ``2.3``, ``一、``) is
  the topic of the entries below it. A heading of the same or a higher level than the one an entry
  started under ends that entry; a deeper one belongs to the answer.
* ``question-label``: a paragraph that starts with a question label (``面试题``/``问题``/``题目``), bold or
  not, colon full-width or ASCII, inside or outside the bold. The text after the label is the question;
  when there is none, the blocks up to the answer label are.
* ``answer-label``: a paragraph that starts with an answer label (``答案``/``答``/``解答``/``回答``); the text
  after it and every block up to the next question or ending heading are the answer.
* ``epilogue``: paragraphs that close a document or a part of it (``通过以上…``, ``综上所述…``, ``总之…``)
  after the last answer are the article's conclusion, not part of that answer.

Nothing here knows about duplicates, GUIDs or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from qa2anki.errors import Problem, Severity
from qa2anki.sources import Document

QUESTION_LABELS = ("面试题", "问题", "题目")
"""Words that open a question, longest first where they overlap."""
ANSWER_LABELS = ("答案", "解答", "回答", "答")
"""Words that open an answer, longest first where they overlap."""
EPILOGUE_OPENINGS = ("通过以上", "综上所述", "综上", "总之", "总而言之", "总的来说", "以上就是", "以上是")
"""How the genre's closing paragraph starts."""

_COLON = "[:：]"
_QUESTION_RE = re.compile(rf"\s*({'|'.join(QUESTION_LABELS)})\s*({_COLON})?\s*")
_ANSWER_RE = re.compile(rf"\s*({'|'.join(ANSWER_LABELS)})\s*({_COLON})?\s*")
_COLON_RE = re.compile(rf"\s*{_COLON}\s*")
_NUMBERING_RE = re.compile(
    r"""^\s*(?:
        (?:第\s*[0-9一二三四五六七八九十百]+\s*[章节部分题]\s*[:：.、]?)   # 第三章 / 第1题
      | (?:[0-9]+(?:\.[0-9]+)*[.、:：)）]?)                               # 1.  2.3  4、  5)
      | (?:[一二三四五六七八九十百]+[、.．])                               # 一、
      | (?:[(（][0-9一二三四五六七八九十]+[)）])                          # (1) （一）
    )\s*""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Entry:
    """One 面试题/答案 pair as it stands in one file."""

    path: str
    """The file, as the user named it (for messages)."""
    document: str
    """The file relative to its source folder (for fields and tags)."""
    line: int
    """1-based line of the question label."""
    topic: str
    """The heading the entry stands under, without its numbering; ``""`` outside any heading."""
    question_md: str
    """The question, as Markdown, without its label."""
    answer_md: str
    """The answer, as Markdown, without its label: every block up to the next entry or ending heading."""
    rule: str = "question-label"
    """The name of the rule that recognised the question."""


@dataclass(frozen=True)
class ParseResult:
    """What one document gave."""

    entries: tuple[Entry, ...]
    """The entries, in document order."""
    problems: tuple[Problem, ...] = field(default=())
    """What looked wrong, with file and line."""


@cache
def markdown() -> MarkdownIt:
    """The Markdown dialect qa2anki reads: CommonMark + tables + strikethrough, raw HTML off."""
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class _Block:
    """One top-level block: its tokens and source lines ``[start, end)``."""

    kind: str
    tokens: Sequence[Token]
    start: int
    end: int

    @property
    def inline(self) -> Token | None:
        if self.kind in ("paragraph", "heading") and len(self.tokens) > 1:
            return self.tokens[1]
        return None

    @property
    def heading_level(self) -> int:
        return int(self.tokens[0].tag[1:]) if self.kind == "heading" else 0


def _blocks(tokens: Sequence[Token]) -> list[_Block]:
    blocks: list[_Block] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        j = i
        if token.nesting == 1:
            depth = 0
            while True:
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
        start, end = token.map if token.map else (0, 0)
        kind = token.type.removesuffix("_open")
        blocks.append(_Block(kind, tokens[i : j + 1], start, end))
        i = j + 1
    return blocks


def plain_text(inline: Token) -> str:
    """The text of an inline token with its markup dropped; line breaks become spaces."""
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def strip_numbering(heading: str) -> str:
    """``"1. 预训练"`` → ``"预训练"``; a heading that is only a number stays as it is."""
    stripped = _NUMBERING_RE.sub("", heading, count=1).strip()
    return stripped or heading.strip()


def _split_label(inline: Token, label_re: re.Pattern[str]) -> str | None:
    """If the paragraph starts with a label, the Markdown after it (maybe ``""``); else ``None``.

    Works on the inline children to find the label, and maps its end back onto ``inline.content``
    so that the rest keeps its Markdown (bold, code, links) for rendering.
    """
    children = [c for c in inline.children or () if not (c.type == "text" and c.content == "")]
    content = inline.content
    pos = 0
    index = 0
    bold_markup = ""
    if children and children[0].type == "strong_open":
        bold_markup = children[0].markup
        if not content.startswith(bold_markup):
            return None
        pos = len(bold_markup)
        index = 1
    if index >= len(children) or children[index].type != "text":
        return None
    text = children[index].content
    match = label_re.match(text)
    if match is None or not content.startswith(text[: match.end()], pos):
        return None
    has_colon = match.group(2) is not None
    pos += match.end()
    rest_of_text = text[match.end() :]
    if bold_markup:
        closes_next = index + 1 < len(children) and children[index + 1].type == "strong_close"
        if rest_of_text == "" and closes_next:
            # **面试题：** … or **面试题**：…
            pos = content.index(bold_markup, pos) + len(bold_markup)
            colon = _COLON_RE.match(content, pos)
            if colon:
                pos = colon.end()
            return content[pos:].strip()
        if not has_colon:
            return None
        # **问题：什么是过拟合？** — label and question share one bold span: drop the bold when it spans the
        # whole paragraph, else keep the rest of the span bold.
        rest = content[pos:].strip()
        closes_at_end = (
            children[-1].type == "strong_close" and sum(1 for c in children if c.type == "strong_close") == 1
        )
        if closes_at_end and rest.endswith(bold_markup):
            return rest[: -len(bold_markup)].strip()
        return bold_markup + rest
    if not has_colon:
        return None
    return content[pos:].strip()


def _is_epilogue(block: _Block) -> bool:
    inline = block.inline
    return (
        block.kind == "paragraph"
        and inline is not None
        and plain_text(inline).lstrip().startswith(EPILOGUE_OPENINGS)
    )


@dataclass
class _Open:
    """An entry being read."""

    line: int
    topic: str
    level: int
    question_head: str
    question_blocks: list[_Block] = field(default_factory=list)
    answer_head: str | None = None
    answer_line: int = 0
    answer_blocks: list[_Block] = field(default_factory=list)
    pending_headings: list[_Block] = field(default_factory=list)
    """Deeper headings inside the answer: part of it unless a new question follows them."""


def parse_document(document: Document) -> ParseResult:
    """Find every entry of one document; report what looks wrong with its line."""
    lines = document.text.split("\n")
    blocks = _blocks(markdown().parse(document.text))
    entries: list[Entry] = []
    problems: list[Problem] = []
    headings: list[tuple[int, str]] = []
    current: _Open | None = None

    def warn(line: int, message: str) -> None:
        problems.append(Problem(document.path, line, Severity.WARNING, message))

    def source(blocks_: list[_Block]) -> str:
        if not blocks_:
            return ""
        return "\n".join(lines[blocks_[0].start : blocks_[-1].end]).strip()

    def join(head: str, blocks_: list[_Block]) -> str:
        return "\n\n".join(part for part in (head, source(blocks_)) if part)

    def close(at_part_end: bool) -> None:
        nonlocal current
        entry, current = current, None
        if entry is None:
            return
        if entry.answer_head is None:
            warn(entry.line, "question without an answer (no 答案 label before the next question or heading)")
            return
        answer_blocks = entry.answer_blocks
        if at_part_end:
            while (
                answer_blocks
                and _is_epilogue(answer_blocks[-1])
                and (entry.answer_head or len(answer_blocks) > 1)
            ):
                answer_blocks = answer_blocks[:-1]
        question = join(entry.question_head, entry.question_blocks)
        answer = join(entry.answer_head, answer_blocks)
        if not question:
            warn(entry.line, "empty question; the entry is skipped")
            return
        if not answer:
            warn(entry.answer_line, "empty answer; the entry is skipped")
            return
        if not entry.topic:
            warn(entry.line, "entry outside any heading; its topic is the file name")
        entries.append(
            Entry(
                path=document.path,
                document=document.name,
                line=entry.line,
                topic=entry.topic or _document_topic(document.name),
                question_md=question,
                answer_md=answer,
            )
        )

    for block in blocks:
        inline = block.inline
        if block.kind == "heading" and inline is not None:
            level = block.heading_level
            if current is not None and level <= current.level:
                close(at_part_end=level < current.level)
            if current is not None and current.answer_head is not None:
                current.pending_headings.append(block)
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, strip_numbering(plain_text(inline))))
            continue
        if block.kind == "paragraph" and inline is not None:
            question = _split_label(inline, _QUESTION_RE)
            if question is not None:
                close(at_part_end=False)
                level, topic = headings[-1] if headings else (0, "")
                current = _Open(line=block.start + 1, topic=topic, level=level, question_head=question)
                continue
            answer = _split_label(inline, _ANSWER_RE)
            if answer is not None:
                if current is None or current.answer_head is not None:
                    if current is not None:
                        current.answer_blocks.extend(current.pending_headings)
                        current.pending_headings.clear()
                        current.answer_blocks.append(block)
                    else:
                        warn(block.start + 1, "answer label without a question; ignored")
                    continue
                current.answer_head = answer
                current.answer_line = block.start + 1
                continue
        if current is not None:
            if current.answer_head is None:
                current.question_blocks.append(block)
            else:
                current.answer_blocks.extend(current.pending_headings)
                current.pending_headings.clear()
                current.answer_blocks.append(block)
    close(at_part_end=True)
    if not entries:
        problems.append(Problem(document.path, 0, Severity.WARNING, "no 面试题/答案 entries found"))
    return ParseResult(tuple(entries), tuple(problems))


def _document_topic(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if "." in stem else stem


def parse_documents(documents: Sequence[Document]) -> ParseResult:
    """Parse every document; entries and problems in document order."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document in documents:
        result = parse_document(document)
        entries.extend(result.entries)
        problems.extend(result.problems)
    return ParseResult(tuple(entries), tuple(problems))
