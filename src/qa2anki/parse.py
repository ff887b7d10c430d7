"""Markdown → entries, on markdown-it-py's block token stream.

A document is read as a flat run of top-level blocks (headings, paragraphs, lists, code, tables, quotes),
each with its source lines from ``Token.map``, in two steps:

* :func:`scan_section` parses a piece of a document and says what each block is — a topic heading, a
  question (label paragraph, label heading or question heading), an answer label, an answer-side block
  (``**解题思路**``), a possible epilogue, or plain content — and renders it from its own tokens. It
  depends only on the text and the labels, so it is cached and run in parallel (see :mod:`qa2anki.scan`).
* :func:`assemble` walks those blocks and builds the entries: topics from headings (numbering stripped),
  answers up to the next question or the next heading of the same or a higher level, question-only
  documents, summary/TOC sections skipped, sub-questions inside answers kept in them, the article's
  closing paragraph left out.

Each marker style is one named rule; the README lists them, ``tests/fixtures/parse`` pins them.
Nothing here knows about duplicates or GUIDs; HTML comes from :mod:`qa2anki.dialect`.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

from markdown_it.token import Token

from qa2anki.dialect import markdown_parser, render_inline, render_tokens
from qa2anki.errors import Problem, Severity
from qa2anki.fold import fold
from qa2anki.guard import guard_document
from qa2anki.sources import Document

EPILOGUE_OPENINGS = ("通过以上", "综上所述", "综上", "总之", "总而言之", "总的来说", "以上就是", "以上是")
"""How the genre's closing paragraph starts."""
CLOSING_HEADINGS = (
    "总结",
    "小结",
    "结语",
    "参考资料",
    "参考文献",
    "延伸阅读",
    "扩展阅读",
    "推荐阅读",
    "目录",
)
"""Headings of sections that hold no entries (summary, further reading, table of contents)."""


@dataclass(frozen=True)
class Labels:
    """The words that mark questions and answers, and whether headings can be questions.

    Built from the defaults below plus ``[tool.qa2anki] question_labels`` / ``answer_labels``.
    """

    question: tuple[str, ...] = ("面试题", "问题", "题目", "问", "Q")
    """Question labels. A number may follow (``面试题1``, ``题目001``, ``Q12``)."""
    answer: tuple[str, ...] = ("参考答案", "答案解析", "解答过程", "答案", "解答", "回答", "解析", "答", "A")
    """Answer labels."""
    answer_side: tuple[str, ...] = ("解题思路", "思路分析", "代码实现", "实现代码")
    """Bold paragraph labels that belong to the answer side (they open the answer and stay in it)."""
    heading_questions: bool = True
    """A heading that ends with a question mark is a question (its answer: the blocks below it)."""

    def fingerprint(self) -> str:
        """What the scan cache is keyed by."""
        return repr((self.question, self.answer, self.answer_side, self.heading_questions))


DEFAULT_LABELS = Labels()

SHORT_LABEL_LENGTH = 1
"""Labels this short (``问``, ``答``, ``Q``, ``A``) only count with a colon or in 【】 brackets."""

_COLON = "[:：]"
_COLON_RE = re.compile(rf"\s*{_COLON}\s*")


class _LabelPatterns(NamedTuple):
    question: re.Pattern[str]
    answer: re.Pattern[str]
    answer_side: re.Pattern[str]


def _label_re(words: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    alternation = "|".join(re.escape(w) for w in ordered)
    return re.compile(
        rf"\s*(?P<open>[【\[])?(?P<label>{alternation})\s*(?P<number>[0-9]{{1,4}})?\s*"
        rf"(?(open)[】\]])\s*(?P<colon>{_COLON})?\s*"
    )


_PATTERNS: dict[Labels, _LabelPatterns] = {}


def _patterns(labels: Labels) -> _LabelPatterns:
    if labels not in _PATTERNS:
        _PATTERNS[labels] = _LabelPatterns(
            _label_re(labels.question), _label_re(labels.answer), _label_re(labels.answer_side)
        )
    return _PATTERNS[labels]


def _has_colon(match: re.Match[str]) -> bool:
    return match.group("colon") is not None or match.group("open") is not None


def _needs_colon(match: re.Match[str]) -> bool:
    return len(match.group("label")) <= SHORT_LABEL_LENGTH or match.group("label").isascii()


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
    """``heading``, ``question`` (a question label or a question heading), ``answer`` (an answer label),
    ``answer-side`` (a bold 解题思路-style paragraph), ``epilogue`` (a paragraph that may close an article)
    or ``block`` (anything else)."""
    start: int
    """First line (0-based) of the block."""
    end: int
    """Line after the block."""
    level: int
    """Heading level (1–6), also for a heading that is a question or answer label; 0 for other blocks."""
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
    rule: str = ""
    """Which marker style made a question or answer of it: ``bold-label``, ``plain-label``,
    ``heading-label``, ``heading-question``; ``closing`` for a summary or further-reading heading."""
    marker: str = ""
    """The label word of a question or answer (``面试题``, ``Q``…), without its number."""


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
    marker: str = ""


def _text_token(text: str) -> Token:
    return Token("text", "", 0, content=text)


def _with_content(token: Token, content: str) -> Token:
    """A copy of a token with other content (keeping its type, attributes and meta)."""
    copy = token.copy()
    copy.content = content
    return copy


def _lstrip_children(children: list[Token]) -> list[Token]:
    """Drop a colon and white space the label left at the start of the rest."""
    if children and children[0].type == "text":
        first = children[0].content
        colon = _COLON_RE.match(first)
        stripped = first[colon.end() :] if colon else first.lstrip()
        children = ([_with_content(children[0], stripped)] if stripped else []) + children[1:]
    return children


def _without_numbering(inline: Token) -> Token:
    """A copy of a heading's inline token with its leading section number removed (``9.2 如何…？``)."""
    children = [c for c in inline.children or () if not (c.type == "text" and c.content == "")]
    if not children or children[0].type != "text":
        return inline
    first = children[0].content
    match = _NUMBERING_RE.match(first)
    if not match or not match.group().strip() or not inline.content.startswith(match.group()):
        return inline
    rest = first[match.end() :]
    copy = inline.copy()
    copy.children = ([_with_content(children[0], rest)] if rest else []) + children[1:]
    copy.content = inline.content[match.end() :]
    return copy


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
    has_colon = _has_colon(match)
    marker = match.group("label")
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
            elif not has_colon and _needs_colon(match):
                return None
            return _Label(content[pos:].strip(), _lstrip_children(after[1:]), marker)
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
            return _Label(rest[: -len(bold_markup)].strip(), head + after[:-1], marker)
        return _Label(bold_markup + rest, [children[0], *head, *after], marker)
    if not has_colon:
        return None
    return _Label(content[pos:].strip(), _lstrip_children([_text_token(rest_of_text), *after]), marker)


def _classify_heading(text: str, patterns: _LabelPatterns, labels: Labels) -> tuple[str, str, str, str]:
    """(kind, rule, text, marker) of a heading: a question, an answer label, a closing section or a topic."""
    topic = strip_numbering(text)
    for kind, pattern in (("question", patterns.question), ("answer", patterns.answer)):
        match = pattern.match(topic)
        if match and _has_colon(match):  # a bare "## 面试题" is a title, not a label
            return kind, "heading-label", topic[match.end() :].strip(), match.group("label")
    if topic.startswith(CLOSING_HEADINGS):
        return "heading", "closing", topic, ""
    if labels.heading_questions and topic.rstrip().endswith(("？", "?")):
        return "question", "heading-question", topic, ""
    return "heading", "heading", topic, ""


def _answer_side(inline: Token, pattern: re.Pattern[str]) -> bool:
    """A paragraph that opens with a bold answer-side label (``**解题思路**``)."""
    children = [c for c in inline.children or () if not (c.type == "text" and c.content == "")]
    if len(children) < 3 or children[0].type != "strong_open" or children[1].type != "text":
        return False
    match = pattern.match(children[1].content)
    return (
        match is not None and match.end() == len(children[1].content) and children[2].type == "strong_close"
    )


def scan_section(text: str, labels: Labels = DEFAULT_LABELS) -> tuple[BlockInfo, ...]:
    """Parse a piece of a document with markdown-it-py and say what each top-level block is.

    This is the expensive step; its result depends only on ``text`` and ``labels``, so it can be cached
    by content and run in parallel. Lines are relative to ``text``.
    """
    return scan_section_and_references(text, labels)[0]


Definitions = tuple[tuple[str, str, str], ...]
"""Link reference definitions (``[label]: url "title"``): (normalised label, URL, title), in order."""


def scan_section_and_references(
    text: str, labels: Labels = DEFAULT_LABELS, references: Definitions = ()
) -> tuple[tuple[BlockInfo, ...], Definitions]:
    """:func:`scan_section`, and the link references the piece defines (``[label]: url``).

    A definition holds for the whole document (CommonMark), so a piece that uses one defined in another
    piece parses differently alone: it is parsed with the document's definitions (``references``: the
    first of each label, as a parse of the whole document has them) given beforehand.
    """
    patterns = _patterns(labels)
    infos: list[BlockInfo] = []
    lines = text.split("\n")
    env: dict[str, Any] = {}
    if references:
        env["references"] = {
            label: {"href": href, "title": title, "map": None} for label, href, title in references
        }
    for block in _blocks(markdown_parser().parse(text, env)):
        inline = block.inline
        kind, rule, level, label_text, marker = "block", "", 0, "", ""
        label: _Label | None = None
        if block.kind == "heading" and inline is not None:
            level = block.heading_level
            kind, rule, label_text, marker = _classify_heading(plain_text(inline), patterns, labels)
            if kind != "heading":
                # Keep the heading's own tokens (emphasis, code, math), not just its plain text.
                numbered = _without_numbering(inline)
                pattern = patterns.question if kind == "question" else patterns.answer
                split = _split_label(numbered, pattern) if rule == "heading-label" else None
                if split is not None:
                    label = split
                elif rule == "heading-question":
                    label = _Label(numbered.content.strip(), list(numbered.children or ()), marker)
                else:
                    label = _Label(label_text, [_text_token(label_text)] if label_text else [], marker)
                label_text = label.markdown
        elif block.kind == "paragraph" and inline is not None:
            label = _split_label(inline, patterns.question)
            if label is not None:
                kind = "question"
            else:
                label = _split_label(inline, patterns.answer)
                kind = "answer" if label is not None else kind
            if label is not None:
                label_text, marker = label.markdown, label.marker
                rule = "bold-label" if inline.children and _first_is_bold(inline) else "plain-label"
            elif _answer_side(inline, patterns.answer_side):
                kind, rule = "answer-side", "bold-label"
            elif plain_text(inline).lstrip().startswith(EPILOGUE_OPENINGS):
                kind = "epilogue"
        elif block.kind in ("fence", "code_block"):
            rule = _code_label_rule(block, patterns)
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
                kind,
                block.start,
                block.end,
                level,
                label_text,
                html,
                folded,
                head_html,
                head_folded,
                images,
                rule,
                marker,
            )
        )
    defined = env.get("references") or {}
    given = {label for label, _, _ in references}
    return tuple(infos), tuple(
        (label, str(ref.get("href", "")), str(ref.get("title", "") or ""))
        for label, ref in defined.items()
        if label not in given
    )


CODE_LABEL = "code-label"
"""The rule of a code block that holds lines starting with a question label: never an entry (code is
shown as it is), but ``check`` says so, in case the fence was a mistake."""


def _code_label_rule(block: _Block, patterns: _LabelPatterns) -> str:
    """:data:`CODE_LABEL` when a line of the code block starts with a question label and a colon
    (``**面试题：**``, ``Q:``), else ``""``."""
    for line in block.tokens[0].content.split("\n"):
        match = patterns.question.match(line.lstrip("*_> "))
        if match is not None and _has_colon(match):
            return CODE_LABEL
    return ""


def _first_is_bold(inline: Token) -> bool:
    children = [c for c in inline.children or () if not (c.type == "text" and c.content == "")]
    return bool(children) and children[0].type == "strong_open"


_MAY_MATTER = frozenset(" #`~")


def split_sections(text: str, starts: array[int] | None = None) -> list[tuple[int, str]]:
    """Cut a document before every ATX heading that starts a line outside a fenced code block.

    Each piece parses to the same blocks alone as inside the whole document (a heading always ends the
    block before it), so pieces can be parsed independently, in parallel, and cached. Returns
    ``(first line, text)`` pairs that join back to ``text``. ``starts`` are the text's
    :func:`line_starts`, if known.
    """
    lines = text.split("\n")
    cuts = [0]
    fence = ""
    for number, line in enumerate(lines):
        # Only lines that start with a space, '#', '`' or '~' can open or close a fence or be a heading.
        if not line or line[0] not in _MAY_MATTER:
            continue
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
        if number > 0 and is_atx_heading(line):
            cuts.append(number)
    cuts.append(len(lines))
    starts = line_starts(text) if starts is None else starts
    return [(a, text[starts[a] : starts[b]]) for a, b in pairwise(cuts) if b > a]


def is_atx_heading(line: str) -> bool:
    """Whether a line (not indented, outside a fence) is an ATX heading: one to six ``#`` and then a space,
    a tab or nothing."""
    if not line.startswith("#"):
        return False
    hashes = len(line) - len(line.lstrip("#"))
    return hashes <= 6 and (len(line) == hashes or line[hashes] in " \t")


def line_starts(text: str) -> array[int]:
    """Where each line of ``text`` starts, and one more (``len(text) + 1``): line ``i`` is
    ``text[starts[i] : starts[i + 1] - 1]``, and lines ``a`` to ``b`` (``a < b``) joined are
    ``text[starts[a] : starts[b] - 1]`` — without holding every line as a string."""
    # Each line's length plus its newline, summed; all in C (no Python function per line).
    return array("q", accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))


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


def parse_document(document: Document, labels: Labels = DEFAULT_LABELS) -> ParseResult:
    """Find every entry of one document; report what looks wrong with its line."""
    document, refused = guard_document(document)
    result = assemble(document, scan_section(document.text, labels))
    return ParseResult(result.entries, (*refused, *result.problems)) if refused else result


def opening_markers(blocks: Sequence[BlockInfo]) -> set[str]:
    """The label words of questions that open a section (come right after a heading)."""
    return {
        block.marker
        for previous, block in pairwise(blocks)
        if block.kind == "question" and block.marker and previous.kind == "heading"
    }


def _answered_questions(blocks: Sequence[BlockInfo]) -> set[int]:
    """Start lines of question blocks that an answer label follows before the next question or heading."""
    answered: set[int] = set()
    waiting: int | None = None
    for block in blocks:
        if block.kind == "question":
            waiting = block.start
        elif block.kind == "heading":
            waiting = None
        elif block.kind in ("answer", "answer-side") and waiting is not None:
            answered.add(waiting)
            waiting = None
    return answered


def assemble(document: Document, blocks: Sequence[BlockInfo]) -> ParseResult:
    """Turn a document's blocks (with document line numbers) into entries and problems."""
    part = assemble_part(document, blocks, frozenset(opening_markers(blocks)))
    return document_result(document, part.entries, part.problems)


def document_result(document: Document, entries: Sequence[Entry], problems: Sequence[Problem]) -> ParseResult:
    """A whole document's entries and problems, with a warning when it has no entry at all."""
    if not entries:
        problems = (*problems, empty_document_problem(document))
    return ParseResult(tuple(entries), tuple(problems))


CODE_LABEL_HINT = (
    "a code block holds lines that start with a question label; code is never read as entries "
    "(if the fence is a mistake, close it before the entries)"
)


def empty_document_problem(document: Document) -> Problem:
    """The warning for a document without entries."""
    return Problem(document.path, 0, Severity.WARNING, "no 面试题/答案 entries found")


class Opening(NamedTuple):
    """How a section begins: what its first block does to the entry before it."""

    kind: str
    """The first block's kind (see :class:`BlockInfo`)."""
    level: int
    """Its heading level."""
    rule: str
    """Its rule (``closing`` ends entries like the end of a document)."""


class SectionFacts(NamedTuple):
    """What assembling the sections around a section needs to know of it, without its blocks (a document
    read section by section asks these of each; see :mod:`qa2anki.scan`)."""

    kind: str
    """Its first block's kind (``""``: it has no blocks)."""
    level: int
    """Its first block's heading level."""
    rule: str
    """Its first block's rule."""
    marker: str
    """Its first block's label word."""
    last_kind: str
    """Its last block's kind."""
    openers: tuple[str, ...]
    """The label words of questions that open a section inside it (see :func:`opening_markers`)."""
    references: Definitions
    """The link references it defines (a definition holds for every section of its document)."""

    @property
    def opening(self) -> Opening:
        """How the section begins, for the section before it."""
        return Opening(self.kind, self.level, self.rule)


def section_facts(blocks: Sequence[BlockInfo], references: Definitions = ()) -> SectionFacts:
    """The facts of a section's blocks."""
    if not blocks:
        return SectionFacts("", 0, "", "", "", (), references)
    first, last = blocks[0], blocks[-1]
    openers = tuple(sorted(opening_markers(blocks)))
    return SectionFacts(first.kind, first.level, first.rule, first.marker, last.kind, openers, references)


def document_openers(sections: Sequence[SectionFacts]) -> frozenset[str]:
    """:func:`opening_markers` of a whole document, from its sections' facts: the openers inside each
    section, and a question that opens a section right after one that ends with a heading."""
    openers = {marker for facts in sections for marker in facts.openers}
    openers.update(
        facts.marker
        for before, facts in pairwise(sections)
        if facts.kind == "question" and facts.marker and before.last_kind == "heading"
    )
    return frozenset(openers)


def section_context(
    headings: tuple[tuple[int, str], ...], facts: SectionFacts
) -> tuple[tuple[int, str], ...]:
    """The part of the heading stack the sections before it left that a section's assembly depends on:
    the headings its first block pops anyway (as :func:`assemble_part` does) do not make it differ."""
    if (facts.kind == "heading" and facts.rule != "closing") or (
        facts.kind == "question" and facts.level > 0
    ):
        while headings and headings[-1][0] >= facts.level:
            headings = headings[:-1]
    return headings


class Part(NamedTuple):
    """The entries of a run of sections, assembled apart from the rest of their document."""

    entries: tuple[Entry, ...]
    """Entries that start in the run, in order."""
    problems: tuple[Problem, ...]
    """What looked wrong in the run."""
    headings: tuple[tuple[int, str], ...]
    """The heading stack (level, text) at the end of the run, for the next section."""
    clean: bool
    """Whether the run's last entry ends where the next section begins (else the next section must be
    assembled together with this one: its first block continues that entry)."""


def assemble_part(
    document: Document,
    blocks: Sequence[BlockInfo],
    openers: frozenset[str],
    headings_before: Sequence[tuple[int, str]] = (),
    next_opening: Opening | None = None,
    starts: array[int] | None = None,
) -> Part:
    """Assemble a run of blocks: the whole document (the defaults), or one section given the heading stack
    the sections before it left (``headings_before``), the document's opening question labels
    (``openers``) and how the section after it begins (``next_opening``; ``None``: the document ends).
    Gives exactly the entries and problems a whole-document assembly gives for these blocks, as long as
    the result is :attr:`Part.clean`. ``starts`` are the document's :func:`line_starts`, if known."""
    text = document.text
    starts = line_starts(text) if starts is None else starts
    entries: list[Entry] = []
    problems: list[Problem] = []
    headings: list[tuple[int, str]] = list(headings_before)
    current: _Open | None = None
    closing_level = 0  # inside a summary / further-reading section of this level
    answered = _answered_questions(blocks)

    def warn(line: int, message: str) -> None:
        problems.append(Problem(document.path, line, Severity.WARNING, message))

    def join(head: BlockInfo, blocks_: list[BlockInfo]) -> tuple[str, str, str]:
        # The folded text is joined from the blocks' folds (computed, and cached, with the scan): the
        # same as folding the joined Markdown, white space between blocks becoming one space.
        source = text[starts[blocks_[0].start] : starts[blocks_[-1].end] - 1].strip() if blocks_ else ""
        markdown_ = "\n\n".join(part for part in (head.text, source) if part)
        html = "\n".join(part for part in (head.head_html, *(b.html for b in blocks_)) if part)
        folded = " ".join(part for part in (head.head_folded, *(b.folded for b in blocks_)) if part)
        return markdown_, html, folded

    def close(at_part_end: bool, next_is_question: bool = False) -> None:
        nonlocal current
        entry, current = current, None
        if entry is None:
            return
        rule = entry.question.rule
        answer, answer_blocks = entry.answer, entry.answer_blocks
        question_blocks = entry.question_blocks
        if answer is None:
            # Documents that label only their questions: what follows the question is the answer.
            if entry.question.text and question_blocks:
                answer, answer_blocks, question_blocks = entry.question._replace(text=""), question_blocks, []
            elif len(question_blocks) > 1:
                answer, answer_blocks, question_blocks = (
                    question_blocks[1],
                    question_blocks[1:],
                    question_blocks[:1],
                )
                answer = answer._replace(text="", head_html="", head_folded="")
            elif rule == "heading-question" and not question_blocks and next_is_question:
                return  # a section title that ends in a question mark, with labelled entries below it
            elif rule == "heading-question":
                warn(entry.line, "heading looks like a question but has no answer below it")
                return
            else:
                warn(entry.line, "question without an answer (no 答案 label and nothing below it)")
                return
            rule += "+unlabelled-answer"
            answer = answer._replace(text="", head_html="", head_folded="")
        if at_part_end:
            while (
                answer_blocks
                and answer_blocks[-1].kind == "epilogue"
                and (answer.text or len(answer_blocks) > 1)
            ):
                answer_blocks = answer_blocks[:-1]
        question_md, question_html, question_folded = join(entry.question, question_blocks)
        answer_md, answer_html, answer_folded = join(answer, answer_blocks)
        if not question_md:
            warn(entry.line, "empty question; the entry is skipped")
            return
        if not answer_md:
            warn(answer.start + 1, "empty answer; the entry is skipped")
            return
        if not entry.topic and entry.question.rule != "heading-question":
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
                    for block in (entry.question, *question_blocks, answer, *answer_blocks)
                    for src in block.images
                ),
                rule=rule,
            )
        )

    # A question label inside an answer, in a style that never opens a section and with no answer label of
    # its own, is a sub-question or exercise of that answer, not a new entry.
    for block in blocks:
        if block.rule == CODE_LABEL:
            problems.append(Problem(document.path, block.start + 1, Severity.HINT, CODE_LABEL_HINT))
        if closing_level:
            if (
                block.level
                and block.level <= closing_level
                and block.kind in ("heading", "question", "answer")
            ):
                closing_level = 0
            else:
                continue
        if block.kind == "heading":
            if block.rule == "closing":
                close(at_part_end=True)
                closing_level = block.level
                continue
            if current is not None and block.level <= current.level:
                close(at_part_end=block.level < current.level)
            if current is not None:
                current.pending_headings.append(block)
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
        elif block.kind == "question":
            heading_question = block.level > 0
            inside_answer = (
                current is not None and current.answer is not None and not current.pending_headings
            )
            if (
                not heading_question
                and inside_answer
                and openers
                and block.marker not in openers
                and block.start not in answered
                and current
            ):
                warn(block.start + 1, "looks like a question inside an answer; kept as part of that answer")
                current.add(block)
                continue
            close(at_part_end=False, next_is_question=not heading_question)
            while heading_question and headings and headings[-1][0] >= block.level:
                headings.pop()
            level, topic = headings[-1] if headings else (0, "")
            current = _Open(
                line=block.start + 1,
                topic=topic,
                level=block.level if heading_question else level,
                question=block,
            )
            if heading_question:
                # It may also be the title of a section of labelled entries: those take it as topic.
                headings.append((block.level, block.text))
        elif block.kind in ("answer", "answer-side") and (current is None or current.answer is None):
            if current is None:
                warn(block.start + 1, "answer label without a question; ignored")
            elif block.kind == "answer-side":
                current.pending_headings.clear()
                current.answer = block._replace(text="", head_html="", head_folded="")
                current.add(block)
            else:
                current.pending_headings.clear()
                current.answer = block
        elif current is not None:
            current.add(block)
    at_end = tuple(headings)
    clean = True
    # What the next section's first block does to the open entry, as in the loop above. Every case that
    # is not spelled out here (the entry, or a summary section, goes on into the next section) is unclean.
    if next_opening is None:
        close(at_part_end=True)
    elif closing_level and not (
        next_opening.level
        and next_opening.level <= closing_level
        and next_opening.kind in ("heading", "question", "answer")
    ):
        clean = False
    elif next_opening.kind == "heading" and next_opening.rule == "closing":
        close(at_part_end=True)
    elif next_opening.kind == "heading":
        if current is not None and next_opening.level <= current.level:
            close(at_part_end=next_opening.level < current.level)
        elif current is not None:
            clean = False
    elif next_opening.kind == "question" and next_opening.level > 0:
        close(at_part_end=False)
    elif current is not None:
        clean = False
    return Part(tuple(entries), tuple(problems), at_end, clean)


def _document_topic(name: str) -> str:
    stem = name.rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if "." in stem else stem


def parse_documents(documents: Sequence[Document], labels: Labels = DEFAULT_LABELS) -> ParseResult:
    """Parse every document, whole and in this process; entries and problems in document order."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document in documents:
        result = parse_document(document, labels)
        entries.extend(result.entries)
        problems.extend(result.problems)
    return ParseResult(tuple(entries), tuple(problems))
