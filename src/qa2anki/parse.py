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
from itertools import pairwise
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from qa2anki.errors import Problem, Severity
from qa2anki.fold import fold
from qa2anki.render import markdown_parser, render_inline, render_tokens
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
    """The heading the entry stands under, without its numbering; the file name outside any heading."""
    question_md: str
    """The question, as Markdown, without its label."""
    answer_md: str
    """The answer, as Markdown, without its label: every block up to the next entry or ending heading."""
    question_html: str = ""
    """The question rendered from the document's own tokens (safe HTML)."""
    answer_html: str = ""
    """The answer rendered from the document's own tokens (safe HTML)."""
    question_folded: str = ""
    """The question folded (see :func:`qa2anki.fold.fold`), block by block; ``""``: fold it when needed."""
    answer_folded: str = ""
    """The answer folded, block by block; ``""``: fold it when needed."""
    images: tuple[tuple[str, int], ...] = ()
    """Every image the entry shows: (``src`` as in its HTML, 1-based line)."""
    rule: str = "question-label"
    """The name of the rule that recognised the question."""


@dataclass(frozen=True)
class ParseResult:
    """What one document gave."""

    entries: tuple[Entry, ...]
    """The entries, in document order."""
    problems: tuple[Problem, ...] = field(default=())
    """What looked wrong, with file and line."""


class BlockInfo(NamedTuple):
    """What one top-level block is, as far as entries are concerned. Plain data, so that a section's
    blocks can be computed in another process and cached."""

    kind: str
    """``heading``, ``question`` (a question-label paragraph), ``answer``, ``epilogue`` (a paragraph that
    may close an article) or ``block`` (anything else)."""
    start: int
    """First line (0-based) of the block."""
    end: int
    """Line after the block."""
    level: int
    """Heading level (1–6); 0 for other blocks."""
    text: str
    """The topic of a heading; the Markdown after the label of a question or answer; else ``""``."""
    html: str
    """The whole block rendered."""
    folded: str
    """The whole block's source folded."""
    head_html: str
    """For a label paragraph: the text after the label, rendered; else ``""``."""
    head_folded: str
    """For a label paragraph: the text after the label, folded; else ``""``."""
    images: tuple[str, ...] = ()
    """The ``src`` of every image in the block, as markdown-it normalised it."""


def markdown() -> MarkdownIt:
    """The Markdown dialect qa2anki reads (see :func:`qa2anki.render.markdown_parser`)."""
    return markdown_parser()


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


class _Label(NamedTuple):
    """What follows a label: as Markdown, and as the paragraph's own inline tokens."""

    markdown: str
    children: list[Token]


def _text_token(text: str) -> Token:
    return Token("text", "", 0, content=text)


def _lstrip_children(children: list[Token]) -> list[Token]:
    """Drop a colon and white space the label left at the start of the rest."""
    if children and children[0].type == "text":
        first = children[0].content
        colon = _COLON_RE.match(first)
        stripped = first[colon.end() :] if colon else first.lstrip()
        children = ([_text_token(stripped)] if stripped else []) + children[1:]
    return children


def _split_label(inline: Token, label_re: re.Pattern[str]) -> _Label | None:
    """If the paragraph starts with a label, what follows it (maybe empty); else ``None``.

    Works on the inline children to find the label, and maps its end back onto ``inline.content``
    so that the rest keeps its Markdown (bold, code, links); the rest's tokens are kept for rendering.
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
    after = children[index + 1 :]
    if bold_markup:
        closes_next = bool(after) and after[0].type == "strong_close"
        if rest_of_text == "" and closes_next:
            # **面试题：** … or **面试题**：…
            pos = content.index(bold_markup, pos) + len(bold_markup)
            colon = _COLON_RE.match(content, pos)
            if colon:
                pos = colon.end()
            return _Label(content[pos:].strip(), _lstrip_children(after[1:]))
        if not has_colon:
            return None
        # **问题：什么是过拟合？** — label and question share one bold span: drop the bold when it spans the
        # whole paragraph, else keep the rest of the span bold.
        rest = content[pos:].strip()
        closes_at_end = (
            children[-1].type == "strong_close" and sum(1 for c in children if c.type == "strong_close") == 1
        )
        head = [_text_token(rest_of_text)] if rest_of_text else []
        if closes_at_end and rest.endswith(bold_markup):
            return _Label(rest[: -len(bold_markup)].strip(), head + after[:-1])
        return _Label(bold_markup + rest, [children[0], *head, *after])
    if not has_colon:
        return None
    return _Label(content[pos:].strip(), _lstrip_children([_text_token(rest_of_text), *after]))


def scan_section(text: str) -> tuple[BlockInfo, ...]:
    """Parse a piece of a document with markdown-it-py and say what each top-level block is.

    This is the expensive step; its result depends only on ``text``, so it can be cached by content and
    run in parallel. Lines are relative to ``text``.
    """
    infos: list[BlockInfo] = []
    lines = text.split("\n")
    for block in _blocks(markdown().parse(text)):
        inline = block.inline
        kind, level, label_text = "block", 0, ""
        label: _Label | None = None
        if block.kind == "heading" and inline is not None:
            kind, level, label_text = "heading", block.heading_level, strip_numbering(plain_text(inline))
        elif block.kind == "paragraph" and inline is not None:
            label = _split_label(inline, _QUESTION_RE)
            if label is not None:
                kind = "question"
            else:
                label = _split_label(inline, _ANSWER_RE)
                kind = "answer" if label is not None else kind
            if label is not None:
                label_text = label.markdown
            elif plain_text(inline).lstrip().startswith(EPILOGUE_OPENINGS):
                kind = "epilogue"
        html, folded = render_tokens(block.tokens), fold("\n".join(lines[block.start : block.end]))
        head_html = head_folded = ""
        if label is not None:
            head_html, head_folded = render_inline(label.children), fold(label_text)
        images = tuple(
            src
            for token in block.tokens
            for child in token.children or ()
            if child.type == "image" and isinstance(src := child.attrs.get("src"), str)
        )
        infos.append(
            BlockInfo(
                kind, block.start, block.end, level, label_text, html, folded, head_html, head_folded, images
            )
        )
    return tuple(infos)


def split_sections(text: str) -> list[tuple[int, str]]:
    """Cut a document before every ATX heading that starts a line outside a fenced code block.

    Each piece parses to the same blocks alone as inside the whole document (a heading always ends the
    block before it), so pieces can be parsed independently, in parallel, and cached. Returns
    ``(first line, text)`` pairs that join back to ``text``.
    """
    lines = text.split("\n")
    cuts = [0]
    fence = ""
    for number, line in enumerate(lines):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence:
            if (
                indent <= 3
                and stripped.startswith(fence)
                and stripped.strip() == fence[0] * len(stripped.strip())
            ):
                fence = ""
            continue
        if indent <= 3 and stripped[:3] in ("```", "~~~"):
            marker = stripped[0]
            run = len(stripped) - len(stripped.lstrip(marker))
            if marker == "~" or "`" not in stripped[run:]:
                fence = marker * run
            continue
        if line.startswith("#") and number > 0:
            hashes = len(line) - len(line.lstrip("#"))
            if hashes <= 6 and (len(line) == hashes or line[hashes] in " \t"):
                cuts.append(number)
    cuts.append(len(lines))
    return [(a, "\n".join(lines[a:b]) + ("\n" if b < len(lines) else "")) for a, b in pairwise(cuts) if b > a]


def offset_blocks(blocks: Sequence[BlockInfo], offset: int) -> list[BlockInfo]:
    """Blocks of a section, moved to the section's place in its document."""
    if offset == 0:
        return list(blocks)
    return [b._replace(start=b.start + offset, end=b.end + offset) for b in blocks]


@dataclass
class _Open:
    """An entry being read."""

    line: int
    topic: str
    level: int
    question: BlockInfo
    question_blocks: list[BlockInfo] = field(default_factory=list)
    answer: BlockInfo | None = None
    answer_blocks: list[BlockInfo] = field(default_factory=list)
    pending_headings: list[BlockInfo] = field(default_factory=list)
    """Deeper headings inside the entry: part of it if more of it follows them, else dropped."""

    def add(self, block: BlockInfo) -> None:
        """Add a content block to the question or the answer, with the headings before it."""
        target = self.question_blocks if self.answer is None else self.answer_blocks
        target.extend(self.pending_headings)
        self.pending_headings.clear()
        target.append(block)


def parse_document(document: Document) -> ParseResult:
    """Find every entry of one document; report what looks wrong with its line."""
    return assemble(document, scan_section(document.text))


def assemble(document: Document, blocks: Sequence[BlockInfo]) -> ParseResult:
    """Turn a document's blocks (with document line numbers) into entries and problems."""
    lines = document.text.split("\n")
    entries: list[Entry] = []
    problems: list[Problem] = []
    headings: list[tuple[int, str]] = []
    current: _Open | None = None

    def warn(line: int, message: str) -> None:
        problems.append(Problem(document.path, line, Severity.WARNING, message))

    def join(head: BlockInfo, blocks_: list[BlockInfo]) -> tuple[str, str, str]:
        # The folded text is joined from the blocks' folds (computed, and cached, with the scan): the
        # same as folding the joined Markdown, white space between blocks becoming one space.
        source = "\n".join(lines[blocks_[0].start : blocks_[-1].end]).strip() if blocks_ else ""
        markdown_ = "\n\n".join(part for part in (head.text, source) if part)
        html = "\n".join(part for part in (head.head_html, *(b.html for b in blocks_)) if part)
        folded = " ".join(part for part in (head.head_folded, *(b.folded for b in blocks_)) if part)
        return markdown_, html, folded

    def close(at_part_end: bool) -> None:
        nonlocal current
        entry, current = current, None
        if entry is None:
            return
        if entry.answer is None:
            warn(entry.line, "question without an answer (no 答案 label before the next question or heading)")
            return
        answer_blocks = entry.answer_blocks
        if at_part_end:
            while (
                answer_blocks
                and answer_blocks[-1].kind == "epilogue"
                and (entry.answer.text or len(answer_blocks) > 1)
            ):
                answer_blocks = answer_blocks[:-1]
        question_md, question_html, question_folded = join(entry.question, entry.question_blocks)
        answer_md, answer_html, answer_folded = join(entry.answer, answer_blocks)
        if not question_md:
            warn(entry.line, "empty question; the entry is skipped")
            return
        if not answer_md:
            warn(entry.answer.start + 1, "empty answer; the entry is skipped")
            return
        if not entry.topic:
            warn(entry.line, "entry outside any heading; its topic is the file name")
        entries.append(
            Entry(
                path=document.path,
                document=document.name,
                line=entry.line,
                topic=entry.topic or _document_topic(document.name),
                question_md=question_md,
                answer_md=answer_md,
                question_html=question_html,
                answer_html=answer_html,
                question_folded=question_folded,
                answer_folded=answer_folded,
                images=tuple(
                    (src, block.start + 1)
                    for block in (entry.question, *entry.question_blocks, entry.answer, *answer_blocks)
                    for src in block.images
                ),
            )
        )

    for block in blocks:
        if block.kind == "heading":
            if current is not None and block.level <= current.level:
                close(at_part_end=block.level < current.level)
            if current is not None:
                current.pending_headings.append(block)
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
        elif block.kind == "question":
            close(at_part_end=False)
            level, topic = headings[-1] if headings else (0, "")
            current = _Open(line=block.start + 1, topic=topic, level=level, question=block)
        elif block.kind == "answer" and (current is None or current.answer is None):
            if current is None:
                warn(block.start + 1, "answer label without a question; ignored")
            else:
                current.pending_headings.clear()
                current.answer = block
        elif current is not None:
            current.add(block)
    close(at_part_end=True)
    if not entries:
        problems.append(Problem(document.path, 0, Severity.WARNING, "no 面试题/答案 entries found"))
    return ParseResult(tuple(entries), tuple(problems))


def _document_topic(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if "." in stem else stem


def parse_documents(documents: Sequence[Document]) -> ParseResult:
    """Parse every document, whole and in this process; entries and problems in document order."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document in documents:
        result = parse_document(document)
        entries.extend(result.entries)
        problems.extend(result.problems)
    return ParseResult(tuple(entries), tuple(problems))
