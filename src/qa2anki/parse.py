"""Markdown → entries, on markdown-it-py's block token stream.

A document is read as a flat run of top-level blocks (headings, paragraphs, lists, code, tables, quotes),
each with its source lines from ``Token.map``, in two steps:

* :func:`scan_section` parses a piece of a document and says what each block is — a topic heading, a
  question (label paragraph, label heading, question heading, numbered question line), an answer label,
  an answer-side block (``**解题思路**``), a possible epilogue, or plain content — and renders it from its
  own tokens. A paragraph whose lines hold a question label and an answer label gives a block per
  labelled line; a list item or quote that holds a labelled pair gives its own blocks. It depends only
  on the text and the labels, so it is cached and run in parallel (see :mod:`qa2anki.scan`).
* :func:`assemble` walks those blocks and builds the entries: topics from headings that are no questions
  (numbering stripped), answers up to the next question or the next heading of the same or a higher
  level, headings without a question mark that ask in context, question-only documents, summary/TOC
  sections skipped but for labelled pairs, sub-questions inside answers kept in them, the article's
  closing paragraph and a trailing ``---`` left out.

Each marker style is one named rule; the README lists them, ``tests/fixtures/parse`` pins them.
Nothing here knows about duplicates or GUIDs; HTML comes from :mod:`qa2anki.dialect`.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from html import unescape
from itertools import accumulate, pairwise
from typing import Any, NamedTuple

from markdown_it.token import Token

from qa2anki.dialect import (
    CALLOUT_HEADER_RE,
    COMMENT,
    FOLD_SUMMARY,
    FOLD_TAG,
    HTML_BREAK,
    INDENTED,
    TOO_DEEP,
    markdown_parser,
    render_inline,
    render_markdown,
    render_tokens,
)
from qa2anki.errors import Problem, Severity
from qa2anki.fold import fold
from qa2anki.guard import guard_document
from qa2anki.i18n import N_
from qa2anki.i18n import gettext as _
from qa2anki.sources import Document

SUMMING_UP_OPENINGS = ("通过以上", "以上就是", "以上是")
"""Closing paragraphs that sum up what is above them: the document (``通过以上技术亮点，GPT-4.0…`` below
the last answer of ``## GPT-4.0展示的技术亮点``) or an answer (``通过以上三步，…``)."""
READER_CLOSING_OPENINGS = (
    *("希望这些", "希望以上", "希望本文", "希望对你", "希望能帮", "祝你面试", "祝面试", "祝大家"),
    *("觉得有用", "觉得有帮助"),
)
"""Closing paragraphs that speak to the reader (a chat model's or a blog's sign-off): no answer ends so."""
EPILOGUE_OPENINGS = (
    *SUMMING_UP_OPENINGS,
    *("综上所述", "综上", "总之", "总而言之", "总的来说"),
    *READER_CLOSING_OPENINGS,
    *("这些问题涵盖", "这些题目涵盖", "这些问题和答案涵盖", "这些面试题涵盖"),
)
"""How the genre's closing paragraphs start, after any decorating symbol (``🎉 祝你面试顺利``). Not
``总结：以上…``, ``以上题目…`` or ``以上内容…``: a last answer may end so (``以上内容基于 JDK 8``,
``以上题目考察的是 defer 的栈结构…``). Such a paragraph is left off the document's last answer, and off one
that a higher heading ends; off any other answer only when it closes the document (see
:func:`_closes_document`)."""
SIGN_OFF_OPENINGS = (
    *("如果你有其他问题", "如果您有其他问题", "如果你还有其他问题", "如果您还有其他问题"),
    *("如果还有其他问题", "如果需要更详细", "如果需要进一步", "如果你需要更详细", "如果你需要进一步"),
    *("需要我进一步", "需要我详细", "如有疑问", "如有问题", "有问题欢迎", "欢迎评论", "欢迎留言"),
    *("欢迎在评论区", "欢迎关注", "更多面试题", "原文链接", "转载自", "本文首发于", "编辑于", "发布于"),
    *("作者：", "赞同 ", "（完）", "(完)", "—— END", "——END", "著作权归作者所有"),
    *("整理不易", "码字不易", "创作不易", "本文已收录", "本文收录于", "关注公众号", "欢迎点赞", "点赞收藏"),
    *("欢迎 Star", "欢迎Star", "版权声明：本文为", "版权声明:本文为", "本文由", "以上内容由"),
    # A chat model's offer to go on (``如果你需要，我还可以：`` and a list of offers, ``要不要我帮你继续？``).
    *("如果你需要，我", "如果你需要,我", "如果您需要，我", "如果你愿意，我", "如果你愿意,我"),
    *("如果您愿意，我", "如果你愿意的话", "如果还需要我", "需要我帮你", "需要我帮您", "需要我为你"),
    *("需要我继续", "要不要我", "需要我把", "需要我整理", "需要我再"),
)
"""How a chat model's offer of more help and a page's footer start: no answer ends so, so such paragraphs
(or quotes: ``> 作者：…`` / ``> 链接：…``) are left off the end of any answer (a file of pasted chats has one
after each), not only the last one's."""
SIGN_OFF = "sign-off"
"""The rule of a closing paragraph that starts with one of :data:`SIGN_OFF_OPENINGS`."""
FOOTER_TITLES = frozenset(
    {"推荐阅读", "往期推荐", "往期精选", "往期回顾", "相关推荐"}
    | {"相关阅读", "相关文章", "延伸阅读", "扩展阅读"}
)
"""A blog's list of further reading, as a paragraph of its own (``**推荐阅读：**``): it and what follows it
are left off the end of the last answer of a part of the article. Not ``参考资料``: an answer may end with
its own sources."""
FOOTER_TITLE = "footer-title"
"""The rule of a paragraph that is one of :data:`FOOTER_TITLES`."""
CLOSING_HEADINGS = (
    "总结",
    "小结",
    "结语",
    "参考资料",
    "参考文献",
    "延伸阅读",
    "扩展阅读",
    "推荐阅读",
    "展望",
)
"""Headings of sections that hold no entries (summary, further reading, table of contents), but for
labelled pairs (see :func:`_labelled_pair`)."""
ROLE_HEADINGS = frozenset(
    {"user", "assistant", "you", "human", "ai", "chatgpt", "claude", "gemini", "deepseek", "kimi", "copilot"}
    | {"用户", "助手", "豆包", "通义千问", "文心一言", "智谱清言"}
)
"""Headings of a chat exported whole (``## User`` / ``## Assistant``): they name who speaks, no topic (the
questions below them take the topic above)."""
TOC_HEADINGS = frozenset(("目录", "contents", "table of contents", "toc"))
"""Headings of a table of contents: an aside (its list of links on no card) that names no topic (the
questions below it, at any level, are the document's)."""
ASIDE_HEADINGS = frozenset(
    {
        "参考",
        "参考链接",
        "相关链接",
        "相关页面",
        "相关笔记",
        "前言",
        "引言",
        "序言",
        "简介",
        "介绍",
        "概述",
        "背景",
        "导读",
        "说明",
        "附录",
        "写在前面",
        "写在最后",
        "后记",
        "致谢",
        "结束语",
        # A blog's own asides (``## 公众号`` over "关注公众号…", ``## 关于作者``).
        "公众号",
        "关注我",
        "关于作者",
        "作者简介",
        "待完成",
        "待补充",
        "待更新",
        "未完待续",
        "todo",
        *TOC_HEADINGS,
        "贡献",
        "参与贡献",
        "贡献指南",
        "contributing",
        "license",
        "许可证",
        "开源协议",
        "star history",
        "面试技巧",
        "面试小技巧",
        "答题技巧",
        "记忆口诀",
        # A chat bot's asides between its answers (``## 💡 实战技巧``).
        "实战技巧",
        "小技巧",
        "使用技巧",
        "技巧",
        "小贴士",
        "贴士",
        "温馨提示",
        "小提示",
        "提示",
        "注意事项",
        "tips",
        "tip",
        "pro tips",
        "references",
        "reference",
        "introduction",
        "summary",
    }
)
"""Whole headings that name a part of an article (``## 前言``, ``### 参考``): never a question, whatever
their siblings are."""
GENRE_WORDS = ("面试", "问答", "题", "八股", "面经", "interview", "faq", "q&a")
"""Words by which a title names the genre: under such a title, numbered headings can be questions."""
NOT_GENRE_WORDS = ("主题", "标题", "话题", "专题", "课题", "议题")
"""Words with 题 in them that do not name the genre."""
ASKING_WORDS = (
    "什么",
    "为何",
    "怎么",
    "怎样",
    "如何",
    "哪些",
    "哪个",
    "哪种",
    "是否",
    "能否",
    "区别",
    "异同",
    " vs ",
    *("说说", "谈谈", "聊聊", "讲讲", "说一下", "讲一下", "简述", "介绍一下", "解释一下", "你对"),
)
"""Words by which a heading without a question mark asks (``Redis是什么``, ``Java SE vs Java EE``,
``X 和 Y 的区别``, ``说说你对闭包的理解``): with its siblings, evidence that a level's headings are
questions (see :func:`asks_by_wording`)."""


@dataclass(frozen=True)
class Labels:
    """The words that mark questions and answers, and whether headings can be questions.

    Built from the defaults below plus ``[tool.qa2anki] question_labels`` / ``answer_labels``.
    """

    question: tuple[str, ...] = (
        "面试题",
        "问题描述",
        "题目描述",
        "问题",
        "题目",
        "面试官",
        "问",
        "Question",
        "Q",
    )
    """Question labels. A number may follow (``面试题1``, ``题目001``, ``Q12``, ``问题一：``)."""
    answer: tuple[str, ...] = (
        "参考答案",
        "正确答案",
        "标准答案",
        "答案要点",
        "答案解析",
        "参考回答",
        "回答要点",
        "候选人",
        "应聘者",
        "求职者",
        "题解",
        "解法",
        "参考实现",
        "参考代码",
        "参考思路",
        "参考解答",
        "解答过程",
        "答案",
        "简答",
        "详解",
        "解答",
        "回答",
        "解析",
        "答",
        "Answer",
        "A",
    )
    """Answer labels."""
    answer_side: tuple[str, ...] = ("解题思路", "答题思路", "思路分析", "代码实现", "实现代码")
    """Bold paragraph labels that belong to the answer side (they open the answer and stay in it)."""
    heading_questions: bool = True
    """A heading can be a question (its answer: the blocks below it): one that ends with a question mark,
    or one without in the right context (see :func:`_may_ask`)."""

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


_CHINESE_NUMBER = r"[一二三四五六七八九十]{1,3}(?=\s*(?:[】\]:：]|$))"
"""A label's number in Chinese numerals (``问题一：``, a heading ``### 题目一``), only right before a colon or
closing bracket or at the end: ``问题十分重要`` has none."""


LABEL_ASIDES = ("追问", "收尾", "开场", "参考", "参考答案", "仅供参考", "续")
"""Words in brackets after a label that leave it a label (``面试官（追问）：``, ``候选人（参考）：``,
``答案（仅供参考）：``; and a number, ``问题（一）：``, ``答案(1)：``): they say how the question or answer
stands in the document, not what it says. A category (``问题（概念）``, ``答案（基础）``) is no aside: a
document that uses one uses several (``（基础概念）``, ``（进阶）``), and they would read unevenly.
Others are the text's (``答案（错误示范）：``, ``答案（JDK 1.7）：``, ``答案（D）``, ``面试官（点评）：``)."""
_ASIDE_WORDS = "|".join((*LABEL_ASIDES, "[一二三四五六七八九十]{1,3}", "[0-9]{1,3}"))
_LABEL_ASIDE = rf"(?P<aside>[（(](?:{_ASIDE_WORDS})[）)])"


_LABEL_NUMBER = rf"(?<=[A-Za-z])[0-9]{{1,4}}\.[0-9]{{1,3}}(?=\s*[:：])|[0-9]{{1,4}}|{_CHINESE_NUMBER}"
"""A label's number: ``面试题1``, ``问题一``, and a decimal glued to a Latin label right before its colon
(``Q7.1:``; not ``答案 0.75：``, whose number is the answer's)."""


def _label_re(words: Sequence[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    long = "|".join(re.escape(w) for w in ordered if len(w) > SHORT_LABEL_LENGTH)
    short = "|".join(re.escape(w) for w in ordered if len(w) <= SHORT_LABEL_LENGTH)
    # Only a long label takes an aside: ``A（正确）：`` explains a choice question's option.
    alternation = "|".join(piece for piece in (f"(?P<long>{long})" if long else "", short) if piece)
    aside = f"(?(long){_LABEL_ASIDE}?)" if long else ""
    return re.compile(
        rf"\s*(?P<open>[【\[])?(?P<label>{alternation})\s*(?P<number>{_LABEL_NUMBER})?\s*"
        rf"{aside}(?(open)[】\]])\s*(?P<colon>{_COLON})?\s*"
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
        (?:第\s*[0-9一二三四五六七八九十百]+\s*(?:部分|[章节部篇讲课天题])\s*[:：.、]?)  # 第三章 第1题
      | (?:(?:[0-9]\uFE0F?\u20E3)+|\U0001F51F)                          # 1️⃣ 🔟 (keycaps)
      | (?:[Qq][0-9]{1,3}(?=\s))                                          # Q5 (a count, then a space)
      | (?:[0-9０-９]+(?:\.[0-9０-９]+)*(?:\x20(?=、|[.．]\s))?  # 1. 2.3、 4) 5． 7 . 8 、
         (?:[.．](?![0-9０-９])|[、:：)）]))
      | (?:[0-9０-９]+(?:\.[0-9０-９]+)*(?![0-9０-９.．])  # 1 简介, 2.3 简介, 1什么是…, 1JVM
         (?!(?:[A-Z](?![A-Za-z])|PC|MSL|NF|Sum|bit|[KMGT]B))  # not 2PC 5G 3D 7B 3Sum 4GB
         (?<![0-9０-９][0-9０-９][0-9０-９][0-9０-９](?=\s*年))  # not 2021 年
         (?<![0-9０-９][0-9０-９](?=位))(?!次))  # not 64位, 3次握手
      | (?:[\u2460-\u2473]|【[0-9]{1,3}】)                                  # ① 【1】
      | (?:[一二三四五六七八九十百]+[、.．])                               # 一、
      | (?:[一二三四五六七八九十]{1,3}(?=\x20))                          # 二 (a numeral, then a space)
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
    last: int = 0
    """1-based last line of its last block (from ``Token.map``; ``0`` when not parsed from a document):
    with :attr:`line`, the lines the entry takes (``qa2anki tidy`` removes copies by them)."""


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
    """The Markdown after the label of a question or answer, or of a heading without its number (the
    question, if it is one); the topic of a summary or aside heading; else ``""``."""
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
    ``heading-label``, ``heading-question``, ``bold-question`` (a question only with an answer label
    below it); for a heading, ``closing`` (summary or further reading), ``aside`` (``前言``, ``参考``),
    ``numbered`` (an arabic-numbered heading) or ``heading`` (both questions in the right context, see
    :func:`_may_ask`: then the entry's rule is ``heading-without-mark``);
    ``thematic-break`` for ``---``."""
    marker: str = ""
    """The label word of a question or answer (``面试题``, ``Q``…), without its number; for a fold's line
    (see :data:`FOLD_RULES`), the fold tag it opens or closes (``details``, ``/details``) or ``""``."""
    topic: str = ""
    """For a heading of any kind: the topic it gives (its text without emphasis, numbering or a trailing
    colon)."""
    number: str = ""
    """For a heading: its leading number as written (``1.``, ``2.3``, ``一、``), or ``""``."""
    source: str = ""
    """For a block inside a list item or a quote: its Markdown without the item's or quote's markers
    (``""``: the block's lines of the document are its Markdown)."""


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


def _children(inline: Token) -> list[Token]:
    """An inline token's children without the empty text tokens markdown-it leaves around emphasis."""
    return [c for c in inline.children or () if not (c.type == "text" and c.content == "")]


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
    """``"1. 预训练"`` → ``"预训练"`` (``"🔥 1. 预训练"`` too: a symbol before a number decorates it); a
    heading that is only a number stays as it is, and so does one whose number is compared with another
    (``301 和 302 的区别？``, see :func:`_shown_number_end`)."""
    text = _before_number(heading)
    match = _NUMBERING_RE.match(text)
    if match is None:
        return text.strip() or heading.strip()
    end = _shown_number_end(text, match)
    return (text[end:].strip() or heading.strip()) if end else heading.strip()


_COMPARED_RE = re.compile(r"(?:和|与|及|跟|或|还是|对比|vs\.?|VS|v\.s\.|[、/~～到至\-–])\s*[0-9０-９]")
"""What makes a bare number before it part of the text: another number it is compared or ranged with
(``2-3 树``, ``3-5 年经验``: a range, unless a mark ends it, see :data:`_SUBNUMBER_RE`)."""
_SUBNUMBER_RE = re.compile(r"(?:[-–][0-9０-９]+)+(?:[.．](?![0-9０-９])|[、:：])\s*")
"""The rest of a section number written with dashes and ended by a mark (``9-1. …``, ``1-1-1. …``), after
its first number."""


def _bare_number(match: re.Match[str]) -> bool:
    """Whether a :data:`_NUMBERING_RE` match is a number with no mark after it (``301 ``, ``2.7``)."""
    number = match.group().strip()
    return number[-1:].isdigit() and number.replace(".", "").isdigit()


def _shown_number_end(text: str, match: re.Match[str]) -> int:
    """Where the section number ``match`` found at the start of ``text`` ends as the heading shows it: past
    a dashed second number too (``9-1. ``, which :func:`heading_number` leaves out); 0 when the number is
    the text's own, a bare number compared or ranged with another (``301 和 302 的区别？``, ``2.7 与 3.x``,
    ``80/20 法则``, ``2-3 树``). Such a number still counts as the heading's (:func:`heading_number`): only
    what the heading shows keeps it, so a run of numbered lines reads as before."""
    if not _bare_number(match):
        return match.end()
    rest = _SUBNUMBER_RE.match(text, match.end())
    if rest is not None:
        return rest.end()
    return 0 if _COMPARED_RE.match(text, match.end()) else match.end()


def _before_number(heading: str) -> str:
    """A heading without the symbols before its number (``🔥 1. 预训练``), or as it is."""
    if not heading or heading[0].isalnum():
        return heading  # (most headings)
    undecorated = _undecorated(heading)
    return undecorated if undecorated[:1].isdigit() else heading


class _Label(NamedTuple):
    """What follows a label: as Markdown, and as the paragraph's own inline tokens."""

    markdown: str
    children: list[Token]
    marker: str = ""
    number: str = ""
    """For a :data:`NUMBERED_LABEL` (``Q1.``): its number, which the answer's must match."""


def _text_token(text: str) -> Token:
    return Token("text", "", 0, content=text)


def _with_content(token: Token, content: str, children: list[Token] | None = None) -> Token:
    """A copy of a token with other content (keeping its type, attributes and meta), and ``children`` if
    given. (``Token.copy`` goes through ``dataclasses.replace``, three times slower, and this runs for
    several tokens of every entry.)"""
    return Token(
        type=token.type,
        tag=token.tag,
        nesting=token.nesting,
        attrs=token.attrs,
        map=token.map,
        level=token.level,
        children=token.children if children is None else children,
        content=content,
        markup=token.markup,
        info=token.info,
        meta=token.meta,
        block=token.block,
        hidden=token.hidden,
    )


def _lstrip_children(children: list[Token]) -> list[Token]:
    """Drop a colon and white space the label left at the start of the rest."""
    if children and children[0].type == "text":
        first = children[0].content
        colon = _COLON_RE.match(first)
        stripped = first[colon.end() :] if colon else first.lstrip()
        children = ([_with_content(children[0], stripped)] if stripped else []) + children[1:]
    return children


def _without_numbering(inline: Token) -> Token:
    """A copy of a heading's inline token with its leading section number removed (``9.2 如何…？``); the
    token itself when it has none. A number compared with another (``301 和 302 的区别？``) is the text's
    own and stays, but the line is still numbered: the result is then a copy with the same text, for
    callers tell a numbered line by the token they get back."""
    children = _children(inline)
    if not children or children[0].type != "text":
        return inline
    first = children[0].content
    lead = len(first) - len(_before_number(first))  # ``🔥 1. …``: the symbol goes with the number
    match = _NUMBERING_RE.match(first[lead:])
    if match is None or not match.group().strip():
        return inline
    end = _shown_number_end(first[lead:], match)
    if not end:
        return _with_content(inline, inline.content, list(children))
    return _without_lead(inline, lambda _: lead + end)


def _without_label_number(inline: Token, pattern: re.Pattern[str]) -> Token:
    """A copy of a question heading's inline token without a numbered label before it (``Q1 …？``, see
    :func:`_label_number_end`)."""
    return _without_lead(inline, partial(_label_number_end, pattern=pattern))


def _without_lead(inline: Token, lead_end: Callable[[str], int]) -> Token:
    """A copy of an inline token without the start of its first text up to ``lead_end`` of it (the token
    itself when that is 0, or the first child is no text)."""
    children = _children(inline)
    if not children or children[0].type != "text":
        return inline
    first = children[0].content
    end = lead_end(first)
    if not end or not inline.content.startswith(first[:end]):
        return inline
    rest = first[end:]
    kept = ([_with_content(children[0], rest)] if rest else []) + children[1:]
    return _with_content(inline, inline.content[end:], kept)


_HASHTAGS_RE = re.compile(r"(?:\s+#(?![0-9]+$)[\w/-]+)+\s*$")
"""Obsidian tags at the end of a text (`` #card #java/集合``)."""
FLASHCARD_TAGS = frozenset(("card", "cards", "flashcard", "flashcards", "anki", "srs", "review"))
"""Tags that mark a note or heading for spaced repetition (Obsidian's Spaced Repetition plugin)."""


def _tags_end(text: str) -> int:
    """Where the Obsidian tags at the end of a heading's text begin (``len(text)``: none): tags after a
    question mark, or tags that are plainly tags (a flashcard tag, a nested ``#java/集合``, one in Chinese),
    so that ``### 预处理指令 #include`` keeps its text."""
    match = _HASHTAGS_RE.search(text) if "#" in text else None
    if match is None or not text[: match.start()].strip():
        return len(text)
    tags = match.group().split()
    if text[: match.start()].rstrip().endswith(_QUESTION_MARKS) or all(
        tag[1:].casefold() in FLASHCARD_TAGS or "/" in tag or not tag.isascii() for tag in tags
    ):
        return match.start()
    return len(text)


def _without_tags(inline: Token) -> Token:
    """A copy of a heading's inline token without the Obsidian tags that end it (see :func:`_tags_end`):
    they mark the heading, they are not its text (the token itself when it has none)."""
    children = _children(inline)
    if not children or children[-1].type != "text":
        return inline
    last = children[-1].content
    end = _tags_end(last)
    if end == len(last) or not inline.content.endswith(last[end:].rstrip()):
        return inline
    cut = len(last[end:].rstrip())
    content = inline.content.rstrip()
    return _with_content(
        inline,
        content[: len(content) - cut].rstrip(),
        [*children[:-1], _with_content(children[-1], last[:end])],
    )


_EMPHASIS_CLOSERS = {"strong_open": "strong_close", "em_open": "em_close"}
"""The emphasis a label may stand in, by the token that opens it: what closes it."""


def _opening_emphasis(children: list[Token]) -> tuple[str, tuple[str, ...], int]:
    """The emphasis a paragraph opens with, up to two deep (``***面试题：***`` is italic and bold): its
    markup, the token types that close it (innermost first) and the index of the first child inside it.
    markdown-it-py leaves an empty text token between nested delimiters; it is passed over."""
    markup, index = "", 0
    closers: tuple[str, ...] = ()
    while index < len(children) and len(closers) < 2:
        child = children[index]
        if child.type == "text" and not child.content and closers:
            index += 1
            continue
        closer = _EMPHASIS_CLOSERS.get(child.type)
        if closer is None:
            break
        markup, closers, index = markup + child.markup, (closer, *closers), index + 1
    return markup, closers, index


def _closing_emphasis(tokens: list[Token], closers: tuple[str, ...]) -> int:
    """How many of ``tokens`` close ``closers`` in that order (empty text tokens between them included),
    or 0 when they do not start with them."""
    index = 0
    for closer in closers:
        while index < len(tokens) and tokens[index].type == "text" and not tokens[index].content and index:
            index += 1
        if index >= len(tokens) or tokens[index].type != closer:
            return 0
        index += 1
    return index


def _asks_somewhere(text: str) -> bool:
    """Whether a paragraph ends asking, or asks and then, right after, seems to label an answer (a colon
    within its first words: ``什么是页表？ 答案：映射表。``)."""
    if ends_asking(text):
        return True
    mark = min((at for at in (text.find("？"), text.find("?")) if at != -1), default=-1)
    after = text[mark + 1 :].lstrip()[:8] if mark != -1 else ""
    return "：" in after or ":" in after


def _split_label(inline: Token, label_re: re.Pattern[str], dotted: bool = False) -> _Label | None:
    """If the paragraph starts with a label, what follows it (maybe empty); else ``None``.

    Works on the inline children to find the label, and maps its end back onto ``inline.content``
    so that the rest keeps its Markdown (bold, code, links); the rest's tokens are kept for rendering.
    ``dotted``: only a plain label closed by a dot or 、 (``Q1.``, ``A1、``, ``A.``; see
    :data:`NUMBERED_LABEL`), with its number (if any) in the result.
    """
    children = _children(inline)
    content = inline.content
    pos = len(content) - len(_undecorated(content))
    if pos:
        # Symbols before the label decorate it (``📌 **问题：**``, ``💡 答案：``); they are left out.
        if not children or children[0].type != "text" or not children[0].content.startswith(content[:pos]):
            return None
        rest_of_first = children[0].content[pos:]
        children = ([_with_content(children[0], rest_of_first)] if rest_of_first else []) + children[1:]
    if not dotted and (literal := _literal_bold_label(children, content, pos, label_re)) is not None:
        return literal
    # A bold label (**面试题：**), an italic one (*面试题：*), or both (***面试题：***).
    markup, closers, index = _opening_emphasis(children)
    if markup:
        if not content.startswith(markup, pos):
            return None
        pos += len(markup)
    if index >= len(children) or children[index].type != "text":
        return None
    text = children[index].content
    if markup and (skip := len(text) - len(_undecorated(text))):
        # ``**❓ 问题：**``, ``**✅ 答案：**``: symbols inside the emphasis decorate the label too.
        if not content.startswith(text[:skip], pos):
            return None
        pos += skip
        text = text[skip:]
        children = [*children[:index], _with_content(children[index], text), *children[index + 1 :]]
    match = label_re.match(text)
    if match is None or not content.startswith(text[: match.end()], pos):
        return None
    number = match.group("number")
    if number and not number.replace(".", "").isdigit() and not _asks_somewhere(plain_text(inline)):
        # ``问题一：代码耦合严重。`` enumerates problems: numbered in words, a label asks
        # (``问题一：什么是页表？``, its answer maybe glued after it).
        return None
    has_colon = _has_colon(match)
    marker = match.group("label")
    if dotted:
        dot = _DOTTED_RE.match(text, match.end())
        if has_colon or dot is None:
            return None
        if markup:
            return _bold_dotted_label(
                inline, children[index:], closers, markup, pos + dot.end(), dot.end(), match
            )
        pos += dot.end()
        after = _lstrip_children([_text_token(text[dot.end() :]), *children[index + 1 :]])
        return _Label(content[pos:].strip(), after, marker, match.group("number") or "")
    pos += match.end()
    rest_of_text = text[match.end() :]
    after = children[index + 1 :]
    if markup:
        closed = _closing_emphasis(after, closers)
        if rest_of_text == "" and closed:
            # **面试题：** … or **面试题**：…
            pos = content.index(markup, pos) + len(markup)
            colon = _COLON_RE.match(content, pos)
            if colon:
                pos = colon.end()
            elif not has_colon and _needs_colon(match):
                return None
            return _Label(*_without_leading_breaks(content[pos:].strip(), after[closed:]), marker)
        if not has_colon:
            return None
        # **问题：什么是过拟合？** — label and question share one bold span: drop the bold when it spans the
        # whole paragraph, else keep the rest of the span bold.
        rest = content[pos:].strip()
        outer = closers[-1]
        trailing = _closing_emphasis(after[::-1], closers[::-1])
        closes_at_end = bool(trailing) and sum(1 for c in children if c.type == outer) == 1
        head = [_text_token(rest_of_text)] if rest_of_text else []
        if closes_at_end and rest.endswith(markup):
            return _Label(rest[: -len(markup)].strip(), head + after[: len(after) - trailing], marker)
        return _Label(markup + rest, [*children[:index], *head, *after], marker)
    if not has_colon:
        return None
    return _Label(
        *_without_leading_breaks(content[pos:].strip(), [_text_token(rest_of_text), *after]), marker
    )


def _without_leading_breaks(markdown: str, children: list[Token]) -> tuple[str, list[Token]]:
    """What follows a label, without the ``<br />`` right after it (语雀 writes ``**答案：**<br />…``): the
    answer starts on the label's line either way."""
    children = _lstrip_children(children)
    while children and children[0].type == HTML_BREAK and markdown.startswith(children[0].markup):
        markdown = markdown[len(children[0].markup) :].lstrip()
        children = _lstrip_children(children[1:])
    return markdown, children


def _literal_bold_label(
    children: list[Token], content: str, pos: int, label_re: re.Pattern[str]
) -> _Label | None:
    """``**问题:**Redis为什么快？``: a bold label that CommonMark leaves as text (an ASCII colon before the
    closing ``**`` and a letter after it make no closing run), read as the bold label it was meant to be."""
    if not children or children[0].type != "text":
        return None
    text = children[0].content
    markup = text[:2]
    if markup not in ("**", "__"):
        return None
    match = label_re.match(text, len(markup))
    if match is None or match.group("colon") is None or not text.startswith(markup, match.end()):
        return None
    end = match.end() + len(markup)
    if not content.startswith(text[:end], pos):
        return None
    after = _lstrip_children([_text_token(text[end:]), *children[1:]])
    return _Label(content[pos + end :].strip(), after, match.group("label"))


_DOTTED_RE = re.compile(r"[.、．](?![0-9])\s*")
"""What closes a numbered label without a colon (``Q1.``, ``A1、``); not a decimal point (``Q1.5``)."""


_Q_NUMBER_RE = re.compile(r"\s*[Qq][0-9]{1,3}(?:[.．][0-9]{1,3})*(?:、|[.．]?(?=\s))(?!\s*[Qq][0-9])\s*")
"""A heading's question number written ``Q1.``, ``Q1.2`` or ``Q2、`` (``#### Q1. Spring 的核心是什么？``):
``Q5 `` is a number as ``1.`` is (see :data:`_NUMBERING_RE`). Not before another one (``Q1、Q2 两个季度``:
quarters). In a paragraph, ``**Q1. 什么是过拟合？**`` is a numbered label instead."""


def _classify_heading(text: str, patterns: _LabelPatterns, labels: Labels) -> tuple[str, str, str, str]:
    """(kind, rule, text, marker) of a heading: a question, an answer label, a closing section, an aside
    (``前言``), or a topic heading that may be a question in the right context (``numbered`` or
    ``heading``, see :func:`_may_ask`)."""
    q_number = _Q_NUMBER_RE.match(text)
    topic = strip_numbering(text[q_number.end() :] if q_number else text)
    plain = _undecorated(topic)
    bare = None
    for kind, pattern in (("question", patterns.question), ("answer", patterns.answer)):
        match = pattern.match(plain)
        if match and _has_colon(match):  # a bare "## 面试题" is a title, not a label
            return kind, "heading-label", plain[match.end() :].strip(), match.group("label")
        numbered = match is not None and (match.group("number") or "").isdigit()  # (``Question 1``)
        if match and bare is None and match.end() == len(plain) and (numbered or not _needs_colon(match)):
            bare = QUESTION_LABEL_HEADING if kind == "question" else BARE_ANSWER, match.group("label")
    if _is_quiz_number(text):
        return "heading", QUIZ_NUMBER, topic, ""
    if labels.heading_questions and topic == text.strip():  # no number: ``## 面试题``, not ``## 1. 问题``
        section = _label_section(topic, patterns)
        if section:
            return "heading", section, topic, ""
    if bare is not None:
        return "heading", bare[0], topic, bare[1]
    if plain.startswith(CLOSING_HEADINGS):  # (``## 📌 总结``, as chat bots end)
        return "heading", "closing", topic, ""
    if labels.heading_questions and ends_asking(topic):
        numbered = _label_number_end(plain, patterns.question)
        return "question", "heading-question", plain[numbered:] if numbered else topic, ""
    if _undecorated(heading_topic(text)).casefold() in ASIDE_HEADINGS:
        return "heading", "aside", topic, ""
    if labels.heading_questions and heading_number(text)[:1].isdigit():
        return "heading", "numbered", topic, ""
    return "heading", "heading", topic, ""


def _label_number_end(text: str, pattern: re.Pattern[str]) -> int:
    """Where a question label with a number and no colon ends, before white space and a question
    (``Q1 什么是过拟合？``, ``问题2 …``, ``Q1. …``, ``Q2、…``): the label numbers the question and is no part
    of it; else 0."""
    match = pattern.match(text)
    if match is None or _has_colon(match) or not (match.group("number") or "").isdigit():
        return 0
    end = match.end()
    if (dotted := _Q_NUMBER_RE.match(text)) is not None and dotted.end() > end:
        return dotted.end() if dotted.end() < len(text) else 0
    return end if 0 < end < len(text) and text[end - 1].isspace() else 0


QUESTION_LABEL_HEADING = "question-label-heading"
"""The rule of a heading that is only a question label (``### 题目``): a title, unless an answer label
follows it (then it opens a ``quiz-headings`` entry, see :func:`assemble_part`)."""
BARE_ANSWER = "bare-answer"
"""The rule of a heading that is only an answer label (``### 📖 解析``, ``### 参考答案``): the answer, or
part of it, in a ``quiz-headings`` entry; else a heading like any other."""
QUIZ_NUMBER = "quiz-number"
"""The rule of a heading that is only a quiz number (``## 第1题``, ``## 第 2 题 🟢``): it opens a
``quiz-headings`` entry like a bare question-label heading; a title unless an answer label follows it, or
when a deeper question or question-label heading comes first."""
QUIZ_HEADINGS = "quiz-headings"
"""The rule of an entry whose question is the body of a bare question-label heading (``### 题目``) and
whose answer starts at an answer label (``### ✅ 正确答案：B``, ``### 📖 参考答案``, ``**答案：**``)."""
FOLD_RULES = ("fold-tag", "fold-summary")
"""Rules of a ``<details>`` fold's lines (see :mod:`qa2anki.dialect`): a tag line that shows nothing, and
the summary line. A fold right before an answer label, or opening an answer, is the author's "show the
answer" button (on a card, the card's flip): it is left out."""


FOLD_ANSWER = "fold-answer"
"""The rule of a fold's summary that is an answer label (``<summary>答案</summary>``, ``查看答案``,
``Show answer``): the answer label, its fold's body the answer (up to the fold's ``</details>``)."""
_SHOW_WORDS = (
    "点击查看",
    "点击显示",
    "点击展开",
    "点此查看",
    "查看",
    "显示",
    "展开",
    "show",
    "view",
    "reveal",
    "see",
)
"""Words before an answer label in a fold's summary that ask to show it (``点击查看答案``,
``Show answer``)."""


SUMMARY_QUESTION = "summary-question"
"""The rule of a ``<details>`` fold whose summary is a question (``<summary>1. 什么是闭包？</summary>``):
the summary is the question, without its number, and the fold's body, up to its ``</details>``, the
answer."""


def _question_summary(inline: Token | None, question_label: re.Pattern[str] | None = None) -> _Label | None:
    """A fold's summary as a question (see :data:`SUMMARY_QUESTION`), else ``None``: one that asks, or
    one that opens with a question label and asks by its wording or as a task too (``<summary>问题1： 解释
    对数导数技巧以及为什么它是必要的。</summary>``), the label left out; ``<summary>问题：见上文</summary>``
    asks nothing."""
    if inline is None or "\n" in inline.content.strip():
        return None
    numbered = _without_numbering(inline)
    labelled = _split_label(numbered, question_label) if question_label is not None else None
    if labelled is not None and _asks_at_all(plain_text(Token("inline", "", 0, children=labelled.children))):
        return labelled
    text = plain_text(numbered).strip()
    if not ends_asking(text) or len(text) > QUESTION_LINE_CHARS:
        return None
    return _Label(numbered.content.strip(), list(numbered.children or ()))


def _asks_at_all(text: str) -> bool:
    """Whether a text asks by a question mark, by its wording, or as a task (``简述…``: see
    :data:`IMPERATIVE_OPENINGS`, as :func:`_worded_question` reads one)."""
    text = text.strip()
    return ends_asking(text) or asks_by_wording(text) or text.startswith(IMPERATIVE_OPENINGS)


def _answer_summary(inline: Token | None, labels: Labels) -> bool:
    """Whether a fold's summary is an answer label (see :data:`FOLD_ANSWER`): an answer-label word longer than
    :data:`SHORT_LABEL_LENGTH`, perhaps after a word that asks to show it, and nothing else."""
    if inline is None:
        return False
    text = _undecorated(inline.content.strip()).rstrip(" :：").casefold()
    for word in _SHOW_WORDS:
        if text.startswith(word):
            text = text[len(word) :].strip()
            break
    return any(text == word.casefold() for word in labels.answer if len(word) > SHORT_LABEL_LENGTH)


def _is_quiz_number(text: str) -> bool:
    """Whether a heading is only a quiz number (see :data:`QUIZ_NUMBER`)."""
    if "题" not in text:
        return False
    match = _NUMBERING_RE.match(text)
    return (
        match is not None
        and match.group().lstrip().startswith("第")
        and "题" in match.group()
        and not _undecorated(text[match.end() :].strip())
    )


def _undecorated(text: str) -> str:
    """A heading's text without the symbols that decorate its start (``✅ 正确答案``, ``📖 解析``)."""
    index = 0
    while index < len(text) and (
        text[index].isspace() or unicodedata.category(text[index]) in ("So", "Sk", "Mn", "Cf")
    ):
        index += 1
    return text[index:] if index else text


QUESTION_SECTION = "question-section"
"""The rule of a heading that is a bare question label (``## 面试题``): the question may be its body, when
an :data:`ANSWER_SECTION` heading of its level follows (see :data:`QUESTION_ANSWER_SECTIONS`)."""
ANSWER_SECTION = "answer-section"
"""The rule of a heading that is a bare answer label (``## 答案``, ``## 解析``) or a question label and an
analysis word (``## 面试题剖析``)."""
QUESTION_ANSWER_SECTIONS = "question-answer-sections"
"""The rule of an entry whose question is the body of a :data:`QUESTION_SECTION` heading and whose answer
is the body of the next :data:`ANSWER_SECTION` heading of its level; the sections between them
(``## 面试官心理分析``) are left out."""
QUESTION_ANSWER_LISTS = "question-answer-lists"
"""The rule of the entries of a :data:`QUESTION_ANSWER_SECTIONS` pair whose question section is a
:data:`QUESTION_LIST` and whose answer section one list of as many items, numbered alike (``## 题目`` /
``1. Redis 为什么快？`` … ``## 答案`` / ``1. 基于内存。`` …): item n answers question n, each its own card,
not one card of every question and every answer."""
UNPAIRED_LISTS = N_(
    "{questions} questions listed in the question section but {answers} items in the answer section: "
    "they are one card; number the answers as the questions are to make a card of each"
)
MISNUMBERED_LISTS = N_(
    "the questions listed in the question section and the items of the answer section are numbered "
    "differently: they are one card; number the answers as the questions are to make a card of each"
)
ANALYSIS_WORDS = ("剖析", "解析", "分析", "答案", "解答", "参考答案")
"""Words that, after a question label, make a heading an answer section (``面试题剖析``)."""


def _label_section(topic: str, patterns: _LabelPatterns) -> str:
    """:data:`QUESTION_SECTION`, :data:`ANSWER_SECTION` or ``""`` for a heading's topic (its text without
    numbering)."""
    bare = topic.strip()
    match = patterns.question.fullmatch(bare)
    if match is not None and not match.group("number") and not _has_colon(match):
        return QUESTION_SECTION
    for answer in (patterns.answer, patterns.answer_side):  # (``### 解题思路`` answers a ``### 题目``)
        match = answer.fullmatch(bare)
        if match is not None and not match.group("number") and not _has_colon(match):
            return ANSWER_SECTION
    match = patterns.question.match(bare)
    if match is not None and not _has_colon(match) and bare[match.end() :] in ANALYSIS_WORDS:
        return ANSWER_SECTION
    return ""


def heading_number(text: str) -> str:
    """A heading's leading number as written (``"1."``, ``"2.3"``, ``"一、"``), or ``""``."""
    text = _before_number(text)
    match = _NUMBERING_RE.match(text)
    return match.group().strip() if match and text[match.end() :].strip() else ""


def heading_topic(text: str) -> str:
    """The topic a heading gives: its plain text without numbering and without a trailing colon."""
    topic = strip_numbering(text)
    return topic.rstrip(" :：").strip() or topic


def names_genre(title: str) -> bool:
    """Whether a title (or a file name) names the genre: 面试题, 问答, …题."""
    folded = title.casefold()
    for word in NOT_GENRE_WORDS:
        folded = folded.replace(word, "")
    return any(word in folded for word in GENRE_WORDS)


_ASKING_RE = re.compile(
    "|".join((*(re.escape(word) for word in ASKING_WORDS), r"吗(?=[\s*_~。.!！]*$)")), re.IGNORECASE
)
"""One of :data:`ASKING_WORDS`, or the yes/no particle 吗 that ends the text (``Redis事务的CAS操作吗``)."""


def asks_by_wording(topic: str) -> bool:
    """Whether a heading's topic is worded as a question without a question mark (see
    :data:`ASKING_WORDS`; or it ends with 吗)."""
    return _ASKING_RE.search(f" {topic} ") is not None


def _answer_side(inline: Token, pattern: re.Pattern[str]) -> bool:
    """A paragraph that opens with a bold answer-side label (``**解题思路**``)."""
    children = _children(inline)
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
    env = _references_env(references)
    tokens = markdown_parser().parse(text, env)
    lines = text.split("\n")
    return _infos(_blocks(tokens), lines, labels, 0), _defined(env, references)


RUN_CHARS = 100_000
"""The most text :func:`scan_texts` parses at once (more saves nothing, and holds more tokens)."""


def scan_texts(
    texts: Sequence[str], labels: Labels = DEFAULT_LABELS, references: Definitions = ()
) -> list[tuple[tuple[BlockInfo, ...], Definitions]]:
    """:func:`scan_section_and_references` of each text.

    Setting up a parse costs markdown-it-py about a tenth of a small section's time, so runs of texts
    that each begin with an unindented ATX heading are parsed as one text and cut apart again. Such a
    heading ends any block before it, except a fence left open (at the end of a document); and a link
    reference definition holds for the texts after it. So a run is parsed text by text after all when one
    of its texts does not begin a block of its own, or when it defines a link reference.
    """
    scanned: list[tuple[tuple[BlockInfo, ...], Definitions]] = []
    run: list[str] = []
    size = 0
    for text in texts:
        if run and (size + len(text) > RUN_CHARS or not (run[-1].endswith("\n") and _opens_run(text))):
            scanned += _scan_run(run, labels, references)
            run, size = [], 0
        run.append(text)
        size += len(text)
    if run:
        scanned += _scan_run(run, labels, references)
    return scanned


def _opens_run(text: str) -> bool:
    """Whether a text begins with an unindented ATX heading (see :func:`scan_texts`)."""
    end = text.find("\n")
    return is_atx_heading(text if end == -1 else text[:end])


def _scan_run(
    texts: list[str], labels: Labels, references: Definitions
) -> list[tuple[tuple[BlockInfo, ...], Definitions]]:
    """The texts of a run (see :func:`scan_texts`) parsed as one, or one by one where the cut fails."""
    if len(texts) > 1:
        joined = "".join(texts)
        env = _references_env(references)
        tokens = markdown_parser().parse(joined, env)
        firsts = list(accumulate((text.count("\n") for text in texts[:-1]), initial=0))
        cut = _cut_blocks(_blocks(tokens), firsts) if not _defined(env, references) else None
        if cut is not None:
            lines = joined.split("\n")
            return [
                (_infos(blocks, lines, labels, first), ()) for blocks, first in zip(cut, firsts, strict=True)
            ]
    return [scan_section_and_references(text, labels, references) for text in texts]


def _cut_blocks(blocks: list[_Block], firsts: list[int]) -> list[list[_Block]] | None:
    """The blocks of each text whose first lines are ``firsts``, or ``None`` when a text does not begin a
    block of its own (a block before it ran on into it)."""
    cut: list[list[_Block]] = [[] for _ in firsts]
    index, last = 0, len(firsts) - 1
    for block in blocks:
        if block.end == 0:
            return None  # a token without lines cannot be placed
        if index < last and block.start >= firsts[index + 1]:
            if block.start != firsts[index + 1]:
                return None
            index += 1
        cut[index].append(block)
    return cut if index == last else None


def _references_env(references: Definitions) -> dict[str, Any]:
    """A parse's ``env`` with the document's link reference definitions given beforehand."""
    if not references:
        return {}
    return {
        "references": {
            label: {"href": href, "title": title, "map": None} for label, href, title in references
        }
    }


def _defined(env: dict[str, Any], references: Definitions) -> Definitions:
    """The link references a parse defined beyond those given."""
    defined = env.get("references") or {}
    given = {label for label, _, _ in references}
    return tuple(
        (label, str(ref.get("href", "")), str(ref.get("title", "") or ""))
        for label, ref in defined.items()
        if label not in given
    )


def _infos(blocks: list[_Block], lines: list[str], labels: Labels, first: int) -> tuple[BlockInfo, ...]:
    """What each top-level block is, with lines counted from line ``first`` of ``lines``."""
    patterns = _patterns(labels)

    def source(start: int, end: int) -> list[str]:
        return lines[start:end]

    found = []
    for block in blocks:
        meta = block.tokens[0].meta
        if meta and INDENTED in meta:
            found += _read_indented(block, meta[INDENTED], patterns, labels, source)
        else:
            found += _read_block(block, patterns, labels, source)
    found = _option_paragraphs(_label_paragraphs(found, patterns))
    return tuple(_block_info(one, lines, first) for one in found)


def _option_paragraphs(found: list[_Found]) -> list[_Found]:
    """A paragraph that opens with the label ``A：`` right before one that opens as a second option
    (``B：sizeof``) is a choice question's first option, in paragraphs of their own: content, not an
    answer (:func:`_options` says so of options in one paragraph)."""
    for at in range(len(found) - 1):
        option = found[at]
        marker = option.label.marker if option.label is not None else ""
        first_option = option.kind == "answer" and marker in ("A", "Ａ")
        if first_option and len(option.tokens) == 3 and _second_option(found[at + 1]):
            found[at] = option._replace(kind="block", rule="", label=None)
    return found


def _label_paragraphs(found: list[_Found], patterns: _LabelPatterns) -> list[_Found]:
    """:data:`NUMBERED_LABEL` lines in paragraphs of their own: a question paragraph ``Q2. 分段回答？``
    (a :data:`BARE_QUESTION`) right before a paragraph that opens with its answer label (``A2. 第一段。``
    or ``A. 第一段。``, not a choice question's options) is that question, and the paragraph its answer."""
    last = 0  # the number of the last question so made (in this heading's section: see split_sections)
    for at, question in enumerate(found):
        if question.level:
            last = 0
        if (question.kind, question.rule) == ("question", NUMBERED_LABEL):  # (``Q3.``/``A3.`` lines in one)
            number = question.label.number if question.label is not None else ""
            last = int(number) if number.isdigit() else 0
        if (question.kind, question.rule) != ("block", BARE_QUESTION):
            continue
        asked = _paragraph_label(question, patterns.question)
        if asked is None or not asked[1].number:
            continue
        answer = found[at + 1] if at + 1 < len(found) else None
        answered = (
            _paragraph_label(answer, patterns.answer)
            if answer is not None and answer.kind == "block" and answer.rule in _PLAIN_RULES
            else None
        )
        number = asked[1].number
        if (
            answer is not None
            and answered is not None
            and (
                answered[1].number.lstrip("0") == number.lstrip("0")
                or (
                    not answered[1].number
                    and not _options(answered[0], answered[1])
                    and not (at + 2 < len(found) and _second_option(found[at + 2]))
                )
            )
        ):
            found[at] = question._replace(kind="question", rule=NUMBERED_LABEL, label=asked[1])
            found[at + 1] = answer._replace(kind="answer", rule=NUMBERED_LABEL, label=answered[1])
        elif last and number.isdigit() and int(number) > last:
            # Numbered on from the pairs before it (numbers may be skipped: an entry deleted), without an
            # answer label (a choice question, its options below it): a question all the same, what
            # follows it its answer.
            found[at] = question._replace(kind="question", rule=NUMBERED_LABEL, label=asked[1])
        else:
            continue
        last = int(number) if number.isdigit() else 0
    return found


def _second_option(found: _Found) -> bool:
    """Whether a paragraph opens as a choice question's second option (``B. goto``): the paragraph before
    it that opens with ``A.`` is the first option, not an answer."""
    tokens = found.tokens
    return len(tokens) == 3 and tokens[0].type == "paragraph_open" and _opens_second_option(tokens[1].content)


def _bold_dotted_label(
    inline: Token,
    children: list[Token],
    closers: tuple[str, ...],
    markup: str,
    pos: int,
    dot_end: int,
    match: re.Match[str],
) -> _Label | None:
    """A numbered label closed by a dot, in bold: the label alone (``**A1.** 第一段。``) or the whole line
    (``**Q1. 什么是过拟合？**``). ``children`` start at the label's text; the dot ends at ``dot_end`` in it,
    and at ``pos`` in the Markdown. Only with a number: a bold ``**A.**`` is a choice's option more often."""
    number = match.group("number") or ""
    if not number:
        return None
    content = inline.content
    text, after = children[0].content, children[1:]
    marker = match.group("label")
    closed = _closing_emphasis(after, closers)
    if text[dot_end:] == "" and closed:
        end = content.find(markup, pos)
        if end < 0:
            return None
        return _Label(content[end + len(markup) :].strip(), _lstrip_children(after[closed:]), marker, number)
    trailing = _closing_emphasis(after[::-1], closers[::-1])
    rest = content[pos:].rstrip()
    if not (trailing and sum(1 for c in after if c.type == closers[-1]) == 1 and rest.endswith(markup)):
        return None
    head = [_text_token(text[dot_end:])] if text[dot_end:] else []
    return _Label(rest[: -len(markup)].strip(), [*head, *after[: len(after) - trailing]], marker, number)


def _paragraph_label(found: _Found, pattern: re.Pattern[str]) -> tuple[Token, _Label] | None:
    """The inline token of a paragraph that opens with a label closed by a dot (``Q2.``, ``A.``), and the
    label; else ``None``."""
    tokens = found.tokens
    if len(tokens) != 3 or tokens[0].type != "paragraph_open" or found.source:
        return None
    label = _split_label(tokens[1], pattern, dotted=True)
    return None if label is None else (tokens[1], label)


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


UNCLOSED_FENCE = "unclosed-fence"
"""The rule of a fenced code block never closed (it runs to the end of its document, or of the list item
or quote it is in) that holds lines starting with a question label, or question headings (``### 3. 什么是
重排？``): most likely entries the fence swallowed, which a build would report removed. A warning says so."""
UNCLOSED_FENCE_TEXT = N_(
    "this code block is never closed: it runs on to the end, and the lines in it that look like questions "
    "or headings are code, on no card (close it with its fence line)"
)
_HEADING_LINE_RE = re.compile(r"#{2,6}[ \t].*[？?]\s*$")


def _unclosed_fence(block: _Block, source: _Source) -> bool:
    """Whether a fence block's last line is not a closing fence (markdown-it ends an unclosed one where
    its container or the document ends)."""
    fence = block.tokens[0]
    lines = source(block.end - 1, block.end) if block.end - block.start > 1 else []
    last = lines[0].strip() if lines else ""
    mark = fence.markup[:1]
    return not (mark and len(last) >= len(fence.markup) and last == mark * len(last))


def _holds_headings(block: _Block) -> bool:
    """Whether a code block has lines that read as question headings (``### 3. 什么是重排？``)."""
    return any(_HEADING_LINE_RE.match(line) for line in block.tokens[0].content.split("\n"))


class _Found(NamedTuple):
    """What a top-level block, or a run of lines of one, is (see :func:`_read_block`)."""

    kind: str
    rule: str
    start: int
    end: int
    html: str
    tokens: Sequence[Token]
    """Its tokens (for its images)."""
    level: int = 0
    label: _Label | None = None
    topic: str = ""
    number: str = ""
    source: str = ""
    """Inside a list item or quote: its Markdown without their markers."""
    marker: str = ""
    """For a fold's line: the fold tag it opens or closes (see :attr:`BlockInfo.marker`)."""


_Source = Callable[[int, int], list[str]]
"""Lines ``[start, end)`` of the text, as a block inside them sees them (without its containers' markers)."""


def _block_info(found: _Found, lines: Sequence[str], first: int = 0) -> BlockInfo:
    label = found.label
    label_text = found.topic if found.kind == "heading" and label is None else ""
    head_html = head_folded = ""
    marker = found.marker
    if label is not None:
        label_text, marker = label.markdown, label.marker
        head_html, head_folded = render_inline(label.children), fold(label_text)
    images = tuple(
        src
        for token in found.tokens
        for child in token.children or ()
        if child.type == "image" and isinstance(src := child.attrs.get("src"), str)
    )
    return BlockInfo(
        found.kind,
        found.start - first,
        found.end - first,
        found.level,
        label_text,
        found.html,
        fold(found.source or "\n".join(lines[found.start : found.end])),
        head_html,
        head_folded,
        images,
        found.rule,
        marker,
        found.topic,
        found.number,
        found.source,
    )


def _read_block(block: _Block, patterns: _LabelPatterns, labels: Labels, source: _Source) -> list[_Found]:
    """What a top-level block is: a heading, a question, an answer, … (one rule each), or content."""
    if block.kind == COMMENT or (block.kind in _NAVIGABLE and _in_page_links_only(block.tokens)):
        return []  # it shows nothing, and it is in no entry's text (nor is a table of contents)
    inline = block.inline
    if block.kind == "heading" and inline is not None:
        return [_read_heading(block, inline, patterns, labels)]
    if block.kind in ("bullet_list", "ordered_list") and _has_outline_artefacts(block):
        outline = _read_outline(block, source)
        if outline:
            return outline
    if block.kind in ("bullet_list", "ordered_list", "blockquote"):
        inside = _read_container(block, patterns, labels, source)
        if inside:
            return inside
    if block.kind == "blockquote" and _signs_off(block):
        footer = render_tokens(block.tokens)
        return [_Found("epilogue", SIGN_OFF, block.start, block.end, footer, block.tokens)]
    if block.kind in ("bullet_list", "blockquote") and (answer := _answer_item(block, patterns.answer)):
        return [answer]
    if block.kind == "bullet_list" and (answered := _answer_items(block, patterns.answer)):
        return answered
    if block.kind == "bullet_list" and (answered := _answer_item_with_body(block, patterns.answer, source)):
        return answered
    if block.kind == "blockquote" and (answered := _quoted_answer(block, patterns, labels, source)):
        return answered
    if block.kind == "blockquote" and (asked := _quoted_question(block, patterns, labels, source)):
        return asked
    if block.kind == "table" and (rows := _table_rows(block, patterns)):
        return rows
    if block.kind in ("bullet_list", "ordered_list") and (pairs := _label_items(block, patterns)):
        return pairs
    if block.kind in ("bullet_list", "ordered_list"):
        # Lists read as entries without labels: the labelled items above come first.
        items = (
            _bold_question_items(block, patterns.answer)
            or _question_line_items(block, patterns.answer)
            or _list_pairs(block, GLUED_ITEM, partial(_glued_pair, answer_label=patterns.answer))
            or _worded_line_items(block, patterns.answer)
        )
        if not items and _asks_in_every_item(block, patterns.answer):
            asked = _read_outline(block, source, QUESTION_ITEMS, patterns.answer)
            items = [_whole_list(block), *asked] if asked else []
        if items:
            return items
    html = render_tokens(block.tokens)
    if block.kind in ("bullet_list", "ordered_list") and (labelled := _labelled_item(block, html, patterns)):
        return [labelled]
    if block.kind == "ordered_list":
        item = _question_item(block, html)
        if item is not None:
            return [item]
    if block.kind == "bullet_list" and (bullet := _question_bullet(block, html)) is not None:
        return [bullet]
    if block.kind == FOLD_TAG or (block.kind == "paragraph" and block.tokens[0].meta.get(FOLD_SUMMARY)):
        tag = str(block.tokens[0].meta.get("tag", ""))
        if block.kind == FOLD_TAG:
            return [_Found("block", "fold-tag", block.start, block.end, html, block.tokens, marker=tag)]
        kind, rule = ("answer", FOLD_ANSWER) if _answer_summary(inline, labels) else ("block", "fold-summary")
        question = _question_summary(inline, patterns.question) if kind == "block" else None
        if question is not None:
            start, end = block.start, block.end
            return [_Found("question", SUMMARY_QUESTION, start, end, html, block.tokens, label=question)]
        return [_Found(kind, rule, block.start, block.end, html, block.tokens, marker=tag)]
    if block.kind == "paragraph" and inline is not None:
        runs = (
            _label_lines(block, inline, patterns) or _separated_card(block, inline) or _question_lines(block)
        )
        if runs:
            return runs
        found = _read_paragraph(inline, patterns)
        glued = _glued_pairs(found[2], patterns) if found and found[0] == "question" and found[2] else []
        if glued:
            # The paragraph's HTML and tokens go with its first block (as content, it shows whole).
            return [
                _Found(
                    kind,
                    GLUED_LABEL,
                    block.start,
                    block.end,
                    "" if at else html,
                    [] if at else block.tokens,
                    label=label,
                )
                for at, (kind, label) in enumerate(glued)
            ]
        if found is not None:
            kind, rule, label = found
            number = heading_number(plain_text(inline).strip()) if rule in QUESTION_LINE_RULES else ""
            return [
                _Found(kind, rule, block.start, block.end, html, block.tokens, label=label, number=number)
            ]
        unlabelled = _unlabelled_question(block, inline, html)
        if unlabelled:
            return unlabelled
    rule = "thematic-break" if block.kind == "hr" else ""
    if block.kind in ("fence", "code_block"):
        rule = _code_label_rule(block, patterns)
        if block.kind == "fence" and _unclosed_fence(block, source) and (rule or _holds_headings(block)):
            rule = UNCLOSED_FENCE
    elif inline is not None and block.kind == "paragraph" and _separator_line(inline.content):
        rule, html = "thematic-break", "<hr />\n"  # (``━━━━━━``: a 公众号 article's rule between questions)
    elif block.kind in _CONTAINERS and any(token.meta.get(TOO_DEEP) for token in block.tokens if token.meta):
        rule = TOO_DEEP_RULE
    elif block.kind in ("bullet_list", "ordered_list") and _links_to_answer(block):
        rule = ANSWER_LINK
    elif block.kind in ("bullet_list", "ordered_list") and _lists_questions(block):
        rule = QUESTION_LIST
    elif block.kind == "ordered_list" and _outline(block):
        rule = OUTLINE_LIST
    return [_Found("block", rule, block.start, block.end, html, block.tokens)]


TOO_DEEP_RULE = "too-deep"
"""The rule of a list or quote nested deeper than markdown-it reads (see :func:`qa2anki.dialect._too_deep`):
its deepest lines show as plain text, and a warning says so."""
TOO_DEEP_TEXT = N_(
    "nested deeper than Markdown is read here (about 9 levels of lists, or 18 of quotes): the deepest lines "
    "show as plain text on the card (indent less)"
)
_CONTAINERS = frozenset(("bullet_list", "ordered_list", "blockquote"))


OUTLINE_LIST = "outline-list"
"""The rule of a numbered list of two or more items that each hold a short line and a list of points below
it, but do not ask (``2. 硬连接和软连接。`` / ``   * 硬连接指…``): a note's outline, or questions without
their question marks. Content; ``check`` names it in a document without entries (see
:func:`qa2anki.hints.shape_hints`)."""


def _outline(block: _Block) -> bool:
    """Whether a list is an :data:`OUTLINE_LIST`."""
    items = _blocks(block.tokens[1:-1])
    if len(items) < 2:
        return False
    for item in items:
        children = _blocks(item.tokens[1:-1])
        inline = children[0].inline if len(children) == 2 and children[0].kind == "paragraph" else None
        if inline is None or "\n" in inline.content or len(plain_text(inline)) > QUESTION_LINE_CHARS:
            return False
        if children[1].kind not in ("bullet_list", "ordered_list"):
            return False
    return True


QUESTION_LIST = "question-list"
"""The rule of a list of two or more questions, one line each, and nothing else: questions without their
answers (an exercise list, or the first half of a document that answers them all further down)."""
QUESTION_LIST_TEXT = N_(
    "a list of questions without answers: none is on a card (qa2anki takes what follows a question as its "
    "answer: put each answer below its question, indented, or after 答案：)"
)


def _lists_questions(block: _Block) -> bool:
    """Whether a list is :data:`QUESTION_LIST`."""
    tokens = block.tokens
    count = 0
    for index in _list_items(tokens):
        if not (
            tokens[index + 1].type == "paragraph_open"
            and tokens[index + 4].type == "list_item_close"
            and "\n" not in (line := plain_text(tokens[index + 2]).strip())
            and ends_asking(line)
        ):
            return False
        count += 1
    return count > 1


ANSWER_LINK = "answer-link"
"""The rule of a paragraph or list that only links to the answer elsewhere (``- [点击查看答案](https://…)``,
perhaps below the questions it answers): with nothing else below a question, it has no answer here."""
ANSWER_LINK_TEXTS = frozenset(
    {"点击查看答案", "查看答案", "答案", "参考答案", "点击查看", "查看解析", "点击查看解析", "答案解析"}
    | {"查看详细答案", "详细答案", "点击查看详情", "查看详情"}
    | {"answer", "answers", "see answer", "view answer"}
)
"""What the link to an answer kept elsewhere says (a paid knowledge base's outline, km1994's)."""
ANSWER_ELSEWHERE = N_(
    "the answer below this question is only a link to it: the entry is skipped (copy the answer into the "
    "document to make it a card)"
)


LINKED_CONTENT = N_(
    "the text below this heading only links to its content elsewhere (点击查看答案): it is on no card"
)


_LINK_STARTS = frozenset(("link_open", "strong_open", "em_open"))


def _links_to_answer(block: _Block) -> bool:
    """Whether a list's last item is only a link to the answer (see :data:`ANSWER_LINK_TEXTS`), its other
    items the linked page's outline (see :func:`_outline_line`)."""
    tokens = block.tokens
    if len(tokens) < 5 or tokens[-2].type != "list_item_close" or tokens[-3].type != "paragraph_close":
        return False
    level = tokens[0].level + 1
    # The last item first, from the end: most lists end in no link, and this costs a few tokens.
    last = next(
        (
            i
            for i in range(len(tokens) - 2, 0, -1)
            if tokens[i].type == "list_item_open" and tokens[i].level == level
        ),
        0,
    )
    if not last or tokens[last + 1].type != "paragraph_open" or tokens[-3] is not tokens[last + 3]:
        return False  # the last item holds more than one paragraph
    return _answer_link(tokens[last + 2]) and all(
        tokens[index + 1].type == "paragraph_open" and _outline_line(plain_text(tokens[index + 2]).strip())
        for index in _list_items(tokens)
        if index != last
    )


def _list_items(tokens: Sequence[Token]) -> Iterator[int]:
    """Where each item of a list opens among its tokens, lazily (a test of the first items stops early)."""
    level = tokens[0].level + 1
    return (i for i, token in enumerate(tokens) if token.type == "list_item_open" and token.level == level)


class ListedItem(NamedTuple):
    """One item of a list, read apart from the others (see :func:`listed_items`)."""

    line: int
    """The item's first line (0-based, in the document)."""
    number: str
    """Its number as written (``""`` in a bullet list)."""
    markdown: str
    """Its Markdown, without the marker and the indentation that put it in the list."""


def listed_items(text: str, starts: Sequence[int], block: BlockInfo) -> list[ListedItem] | None:
    """The items of a block that is one list and nothing else, or ``None``."""
    lines = text[starts[block.start] : starts[block.end] - 1].split("\n") if block.end > block.start else []
    tokens = markdown_parser().parse("\n".join(lines))
    if not tokens or tokens[0].type not in ("ordered_list_open", "bullet_list_open"):
        return None
    if tokens[-1].type != tokens[0].type.replace("open", "close") or tokens[-1].level != 0:
        return None
    if any(token.level == 0 for token in tokens[1:-1]):
        return None  # (two lists, or a list and more)
    items = []
    for index in _list_items(tokens):
        item = tokens[index]
        if item.map is None:
            return None
        first, end = item.map
        markdown = "\n".join(_item_lines(lines[first:end], item)).strip()
        items.append(ListedItem(block.start + first, item.info, markdown))
    return items


ASIDE_BETWEEN_LISTS = N_(
    "a fold between a list of questions and the list of their answers (a tip) is on no card: each card "
    "holds one question and its answer"
)
"""Said of the fold :func:`_aside_fold` finds."""


def _aside_fold(question_blocks: Sequence[BlockInfo]) -> list[BlockInfo]:
    """The blocks of a fold that stands between a list of questions and the fold of their answers
    (``::: tip 提示`` … ``:::`` before ``::: details 答案``): the whole of ``question_blocks`` after its
    first, when they are one fold (its closing tag taken off already, as trailing fold tags are); else
    ``[]``."""
    rest = question_blocks[1:]
    inside = rest[1:]
    if inside and rest[0].rule == "fold-summary" and all(b.rule in ("", "fold-tag") for b in inside):
        return list(rest)
    return []


def _listed_pairs(
    text: str, starts: Sequence[int], question: BlockInfo, answer: BlockInfo
) -> list[tuple[ListedItem, ListedItem]] | str | None:
    """Question n and answer n of a :data:`QUESTION_ANSWER_LISTS` pair; the :data:`UNPAIRED_LISTS` warning
    when the lists differ in length, :data:`MISNUMBERED_LISTS` in numbering; ``None`` when the sections are
    not two lists."""
    if question.rule != QUESTION_LIST or question.images or answer.images:
        return None
    asked, told = listed_items(text, starts, question), listed_items(text, starts, answer)
    if asked is None or told is None:
        return None
    if len(asked) != len(told):
        return _(UNPAIRED_LISTS).format(questions=len(asked), answers=len(told))
    if any(q.number != a.number for q, a in zip(asked, told, strict=True)):
        return _(MISNUMBERED_LISTS)
    return list(zip(asked, told, strict=True))


def _outline_line(text: str) -> bool:
    """Whether a list item above a link to the answer is a line of the linked page's outline: a question,
    a numbered section (``一、前言``), or an ellipsis for the rest."""
    return ends_asking(text) or bool(heading_number(text)) or not text.strip(".…。")


def _answer_link(inline: Token) -> bool:
    """Whether an inline token is only a link (maybe bold) whose text says it leads to the answer."""
    children = [
        child
        for child in inline.children or ()
        if child.type not in _LINK_MARKUP and (child.type != "text" or child.content.strip())
    ]
    return (
        len(children) == 3
        and children[0].type == "link_open"
        and not str(children[0].attrs.get("href", "")).startswith("#")  # (the answer is on this page)
        and children[1].type == "text"
        and children[2].type == "link_close"
        and _undecorated(children[1].content).strip(" :：》>»→").lower() in ANSWER_LINK_TEXTS
    )


_SEPARATOR_CHARS = frozenset("—─━═－-~～·•=_*")
"""What a line drawn to part sections is made of (box drawing ``━``, dashes, ``～``, dots)."""


def _separator_line(content: str) -> bool:
    """Whether a paragraph is only a drawn line (``━━━━━━━━━━``, ``——————``): a thematic break."""
    text = content.strip()
    return len(text) >= 3 and all(ch in _SEPARATOR_CHARS or "\u2500" <= ch <= "\u257f" for ch in text)


def _read_container(block: _Block, patterns: _LabelPatterns, labels: Labels, source: _Source) -> list[_Found]:
    """Entries inside list items and quotes: a list item or a quote that holds a question label and an
    answer label of its own gives its blocks one by one, as if they stood outside it (the other items of
    its list stay whole). So does each item of a list whose every item opens with a question label, when
    more follows that label in the item (the answer indented below it). ``[]`` when nothing is read so."""
    quote = block.kind == "blockquote"
    quote_question = quote and (_opens_with_question(block, patterns) or _asking_callout(block))
    if not quote_question and not any(
        token.type == "inline"
        and any(
            patterns.question.match(line.lstrip("*_ ")) is not None
            for line in token.content.split("\n", 2)[:2]
        )
        for token in block.tokens
    ):
        return []  # a quick test: no paragraph in it opens with a question label (on its first two lines)
    units = [block] if quote else _blocks(block.tokens[1:-1])
    if not quote_question and not any(_may_hold_pair(unit, patterns) for unit in units):
        return []
    reads: list[tuple[_Block, list[str], list[_Found]]] = []
    for unit in units:
        outer = source(unit.start, unit.end)
        inner = _quote_lines(outer) if quote else _item_lines(outer, unit.tokens[0])

        def inner_source(
            start: int, end: int, inner: list[str] = inner, first: int = unit.start
        ) -> list[str]:
            return inner[start - first : end - first]

        read = [
            _inside(piece, "\n".join(inner_source(piece.start, piece.end)))
            for child in _blocks(_shown(unit.tokens[1:-1]))
            for piece in _read_block(child, patterns, labels, inner_source)
        ]
        callout = _callout_pair(read[0], inner_source(read[0].start, read[0].end)) if quote and read else None
        if callout is not None:
            told = callout[1].label
            if told and ends_asking(told.markdown) and any(found.kind == "answer" for found in read[1:]):
                # An answer label further down the callout: the lines below its title ask too.
                read[:1] = [_asked_whole(*callout)]
            else:
                read[:1] = callout
                if not told or not told.markdown:  # (the answer is what follows)
                    read[2:3] = [_callout_body(found) for found in read[2:3]]
        elif quote_question and len(read) > 1 and read[0].kind == "block" and read[1].kind == "answer":
            inline = read[0].tokens[1]
            label = _Label(inline.content.strip(), list(inline.children or ()))
            read[0] = read[0]._replace(kind="question", rule=QUOTE_QUESTION, label=label)
        elif quote and _unlabelled_answer(read):
            # ``> 问：…？`` and a paragraph without ``答：``: what follows a question is its answer, as
            # outside a quote (the pair's card stays when an edit drops the label).
            inline = read[1].tokens[1]
            label = _Label(inline.content.strip(), list(inline.children or ()))
            read[1] = read[1]._replace(kind="answer", rule="plain-label", label=label)
        reads.append((unit, outer, read))
    list_of_questions = not quote and all(
        read and read[0].kind == "question" and read[0].label and read[0].label.marker for _, _, read in reads
    )
    if not quote and not list_of_questions and (tail := _labelled_list_tail(reads)):
        reads, list_of_questions = tail, True
    found: list[_Found] = []
    paired = False
    for unit, outer, read in reads:
        if _holds_pair(read) or (list_of_questions and len(read) > 1):
            paired = True
            found.extend(read if quote else _titled(read))
        elif list_of_questions:
            found.extend(read)  # a question without its answer (``* Q2：…`` in 面经 lists): said so
        elif not quote:
            list_open = block.tokens[0].copy()
            if block.kind == "ordered_list" and unit.tokens[0].info.isdigit():
                list_open.attrs = {**list_open.attrs, "start": int(unit.tokens[0].info)}
            tokens = [list_open, *unit.tokens, block.tokens[-1]]
            html = render_tokens(tokens)
            found.append(
                _Found("block", "", unit.start, unit.end, html, unit.tokens, source="\n".join(outer))
            )
    return found if paired else []


LABELLED_LIST_TAIL = "labelled-list-tail"
"""The rule of an item in a 面经 list of labelled questions (``* Q1：…？`` with its answer indented below
it) numbered without the label (``* 11：…？``), on one line: a question like the labelled ones."""


def _labelled_list_tail(
    reads: list[tuple[_Block, list[str], list[_Found]]],
) -> list[tuple[_Block, list[str], list[_Found]]]:
    """The items of a list of labelled questions (at least two with their answers below them) whose other
    items are numbered questions without the label, those read as :data:`LABELLED_LIST_TAIL` questions;
    ``[]`` when the list is not so."""
    if not all(read for _, _, read in reads):
        return []
    if sum(bool(read[0].label and read[0].label.marker) and len(read) > 1 for _, _, read in reads) < 2:
        return []
    tail = []
    for unit, outer, read in reads:
        first = read[0]
        if not (first.label and first.label.marker):
            numbered = first.rule == "numbered-question" or (
                first.rule == NUMBERED_LINE and first.end - first.start == 1
            )
            if not numbered or not first.label:
                return []
            read = [first._replace(kind="question", rule=LABELLED_LIST_TAIL), *read[1:]]
        tail.append((unit, outer, read))
    return tail


OUTLINE_ITEMS = "outline-items"
"""The rule of a question that is an outliner's list item (Logseq, ``- DONE 3、问题？``) with its answer in
the items nested below it."""
QUESTION_ITEMS = "question-items"
"""The rule of a list whose every item asks a question on its own line and holds its answer below it, in
the item: a nested list (``- 什么是ZooKeeper？`` / ``  - 分布式协调服务。``) or paragraphs (a loose list:
``1. 什么是进程？``, a blank line, ``   进程是…``). Read as an outline is."""
_PROPERTY_RE = re.compile(r"[A-Za-z][\w-]*::(?:\s|$)")
"""An outliner's property line (``collapsed:: true``, ``id:: 64f…``, ``tags:: #java``)."""
_TASK_RE = re.compile(r"(?:TODO|DOING|DONE|LATER|NOW|WAITING|WAIT|CANCELED|CANCELLED|IN-PROGRESS)[ \t]+")
"""An outliner's task marker at the start of an item (``DONE 3、…``)."""


def _has_outline_artefacts(block: _Block) -> bool:
    """Whether a list is an outliner's: an item line is a property (``collapsed:: true``) or opens with a
    task marker (``DONE``)."""
    for token in block.tokens:
        if token.type != "inline":
            continue
        content = token.content
        if _TASK_RE.match(content):
            return True
        if "::" in content and any(_PROPERTY_RE.match(line) for line in content.split("\n")):
            return True
    return False


def _asks_in_every_item(block: _Block, answer_label: re.Pattern[str]) -> bool:
    """Whether a list of at least two items asks a question on each item's own line and holds more below
    it (see :data:`QUESTION_ITEMS`): one item that does not leaves an ordinary list alone. But for items
    of one line (see :func:`_lone_line`: a 面经's steps of the interview, and its questions left
    unanswered), and items worded as questions without a question mark (``说一下…``, ``…的区别``), as long
    as at least two items are questions with question marks and answers."""
    items = _blocks(block.tokens[1:-1])
    if len(items) < 2:
        return False
    asking = steps = worded = 0
    for item in items:
        children = _blocks(item.tokens[1:-1])
        if _line_item(children, answer_label) is not None:
            asking += 1
            continue  # (its answer on the lines below its question, in its paragraph)
        if _lone_line(children):
            steps += 1
            if steps == 1 and _asking_items(items) < 2:
                return False  # (no two items that ask: an ordinary list, as most are)
            continue
        if len(children) < 2:
            return False
        if _item_question(children, answer_label) is None:
            if _item_question(children, answer_label, worded=True) is None:
                return False
            worded += 1  # (a question only among items with question marks: counted apart)
            continue
        # A checklist of questions (复习清单: every nested item asks too) answers nothing; an answer that is
        # only code (a fenced block has no inline text) is an answer.
        asks = [
            ends_asking(token.content)
            for child in children[1:]
            for token in child.tokens
            if token.type == "inline"
        ]
        if (asks and all(asks)) or _sub_outline(children[1:]):
            return False
        asking += 1
    return (not steps and not worded) or asking >= 2


UNREAD_ITEM = "unread-item"
"""The rule of a break for an outline item that asks nothing and holds text below it that asks nothing
either (``- memcache和redis的区别`` / ``  - …``, a question without ``？``): on no card, and said so."""
UNREAD_ITEM_TEXT = N_(
    "a list item among questions that does not ask (no ？), with text below it: neither is on any card; "
    "end the item with ？ to make it a question"
)
INTERVIEW_STEP = "interview-step"
"""The rule of a break for a list item that is a step of an interview (see :func:`_interview_step`)."""


def _asking_items(items: Sequence[_Block]) -> int:
    """How many list items ask on their first line (a quick count, before reading them)."""
    count = 0
    for item in items:
        inline = next((token for token in item.tokens if token.type == "inline"), None)
        if inline is not None and ends_asking(inline.content.split("\n", 1)[0]):
            count += 1
    return count


_SECTION_NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)+\s")
"""A section's number in an outline, ``2.1 ``."""


def _sub_outline(blocks: Sequence[_Block]) -> bool:
    """Whether what a list item holds below its question is only a list of numbered sections (``- 2.1
    DeepSpeed 介绍`` / ``- 2.2 …``): an article's outline, whose answers are elsewhere, not an answer."""
    if len(blocks) != 1 or blocks[0].kind != "bullet_list":
        return False
    level = blocks[0].tokens[0].level + 3  # (its items' own paragraphs, not nested lists')
    firsts = [token.content for token in blocks[0].tokens if token.type == "inline" and token.level == level]
    return bool(firsts) and all(_SECTION_NUMBER_RE.match(content) for content in firsts)


def _lone_line(children: Sequence[_Block]) -> bool:
    """Whether a list item is one line and holds nothing below it."""
    inline = children[0].inline if len(children) == 1 and children[0].kind == "paragraph" else None
    return inline is not None and "\n" not in inline.content


def _interview_step(children: Sequence[_Block]) -> bool:
    """Whether a list item is one line that neither asks nor holds anything below it: in a 面经's list of
    questions, a step of the interview (``自我介绍``, ``手撕：反转链表``, ``反问``), on no card."""
    return _lone_line(children) and not ends_asking(children[0].tokens[1].content)


def _read_outline(
    block: _Block, source: _Source, rule: str = OUTLINE_ITEMS, answer_label: re.Pattern[str] | None = None
) -> list[_Found]:
    """An outliner's list (see :data:`OUTLINE_ITEMS`): each item whose own line asks a question (ending in
    a question mark once its task marker, highlight and number are dropped) is a question, the items
    nested below it its answer; an item that asks nothing ends the entry before it (``break``) and its
    nested items are read the same way. Property lines and task markers never reach a card. ``[]`` when no
    item asks a question that has items below it. With ``answer_label``, items below a question that are
    one item opening with an answer label (``  - 答：…``) are its answer label (see :data:`ANSWER_ITEM`)."""
    found: list[_Found] = []
    _read_outline_items(block, source, found, rule, answer_label, worded=rule == QUESTION_ITEMS)
    if rule == OUTLINE_ITEMS and sum(piece.kind == "question" for piece in found) >= 2:
        # Among items that ask, one worded as a question (``3. Redis的主键争用问题如何解决``) asks too, as in
        # a list of questions without an outliner's markers.
        found = []
        _read_outline_items(block, source, found, rule, answer_label, worded=True)
    if not any(piece.kind in ("block", "answer") for piece in found):
        return []
    if rule != OUTLINE_ITEMS:
        return found  # what follows the list is the last answer's, as after any list read as entries
    # An outline entry's answer is the items below its question, never what follows the list.
    return [*found, _Found("break", rule, block.end, block.end, "", [])]


def _read_outline_items(
    block: _Block,
    source: _Source,
    found: list[_Found],
    rule: str,
    answer_label: re.Pattern[str] | None,
    topic: str = "",
    worded: bool = False,
) -> None:
    """The items of one list of an outline, and the lists nested in those that ask nothing (whose own
    line is then the topic of the questions below them); ``worded``: see :func:`_item_question`."""
    for item in _blocks(block.tokens[1:-1]):
        children = _blocks(item.tokens[1:-1])
        question = _item_question(children, answer_label, worded=worded) if children else None
        line_item = (
            _line_item(children, answer_label) if question is None and rule == QUESTION_ITEMS else None
        )
        if line_item is not None:
            # A question line with its answer below it in the paragraph, among items whose answers are
            # their own blocks (a generated list answers some questions in a line, others in a list).
            (asked, asked_md), (told, told_md) = line_item
            label = _Label(asked_md, list(asked.children or ()))
            found.append(
                _Found("question", rule, item.start, children[0].end, "", [], label=label, topic=topic)
            )
            if told_md:
                html = render_inline(list(told.children or ()))
                found.append(_Found("block", "", item.start, children[0].end, html, [told], source=told_md))
            _add_outline_answer(children[1:], item, source, found)
            continue
        if question is None:
            step = rule == QUESTION_ITEMS and _interview_step(children)
            at = len(found)
            found.append(
                _Found("break", INTERVIEW_STEP if step else rule, item.start, item.start + 1, "", [])
            )
            for child in children:
                if child.kind in ("bullet_list", "ordered_list"):
                    topic_ = _outline_topic(children[0]) or topic
                    _read_outline_items(child, source, found, rule, answer_label, topic_, worded)
            if len(children) > 1 and not any(piece.kind == "question" for piece in found[at:]):
                found[at] = found[at]._replace(rule=UNREAD_ITEM)  # (its text is on no card: said so)
            continue
        found.append(
            _Found("question", rule, item.start, children[0].end, "", [], label=question, topic=topic)
        )
        rest = children[1:]
        if answer_label is not None and len(rest) == 1 and rest[0].kind == "bullet_list":
            answer = _answer_item(rest[0], answer_label)
            if answer is not None:
                found.append(answer)
                continue
        if answer_label is not None and rest and (answer := _labelled_paragraph(rest[0], answer_label)):
            found.append(answer)  # ``1. **问题？**`` with ``   **答案：** …`` indented below it
            rest = rest[1:]
        _add_outline_answer(rest, item, source, found)


def _add_outline_answer(rest: Sequence[_Block], item: _Block, source: _Source, found: list[_Found]) -> None:
    """The blocks of an outline item below its question, as one block of its answer (property lines and
    task markers left out)."""
    tokens = _without_artefacts([token for child in rest for token in child.tokens])
    if tokens:
        start = rest[0].start
        dropped = {line for child in rest for token in child.tokens for line in _property_lines(token)}
        lines = [line for number, line in enumerate(source(start, item.end), start) if number not in dropped]
        html = render_tokens(_shown(tokens))
        found.append(_Found("block", "", start, item.end, html, tokens, source=_dedented(lines)))


def _line_item(children: Sequence[_Block], answer_label: re.Pattern[str] | None) -> _Pair | None:
    """The question a list item's first paragraph opens with, on its first line or in bold, and the answer
    in the rest of it (see :func:`_line_pair` and :func:`_bold_pair`), or ``None``."""
    inline = children[0].inline if children and children[0].kind == "paragraph" else None
    if inline is None or answer_label is None:
        return None
    # (A label alone on the paragraph's last line, ``答：<br>``, when the answer is the blocks below it.)
    below = len(children) > 1
    return _line_pair(inline, answer_label, bare_label=below) or _bold_pair(inline, answer_label)


def _signs_off(block: _Block) -> bool:
    """Whether a quote opens as a page's footer does (see :data:`SIGN_OFF_OPENINGS`): ``> 作者：…``."""
    tokens = block.tokens
    if len(tokens) < 3 or tokens[1].type != "paragraph_open" or tokens[2].type != "inline":
        return False
    return _undecorated(plain_text(tokens[2]).lstrip()).startswith(SIGN_OFF_OPENINGS)


def _labelled_paragraph(block: _Block, answer_label: re.Pattern[str]) -> _Found | None:
    """A paragraph inside a list item that opens with an answer label, as that answer's label; else
    ``None``."""
    inline = block.inline if block.kind == "paragraph" else None
    label = _split_label(inline, answer_label) if inline is not None else None
    if inline is None or label is None or _options(inline, label):
        return None
    rule = "bold-label" if _first_is_bold(inline) else "plain-label"
    html = render_tokens(block.tokens)
    return _Found("answer", rule, block.start, block.end, html, block.tokens, label=label)


def _outline_topic(first: _Block) -> str:
    """The topic an outline item that asks nothing gives the questions nested below it: its own line,
    without task marker or markup."""
    inline = first.inline if first.kind == "paragraph" else None
    cleaned = _outline_inline(inline) if inline is not None else None
    if cleaned is None:
        return ""
    return plain_text(Token("inline", "", 0, children=_first_line(cleaned))).strip()


def _first_line(inline: Token) -> list[Token]:
    """An inline token's children up to its first line break."""
    line: list[Token] = []
    for child in inline.children or ():
        if child.type in ("softbreak", "hardbreak"):
            break
        line.append(child)
    return line


def _item_question(
    children: Sequence[_Block], answer_label: re.Pattern[str] | None, worded: bool = False
) -> _Label | None:
    """The question of a list item (its blocks ``children``): its own line when it asks, or when an answer
    label opens the paragraph below it (``1. **请解释…的应用。**`` / ``   **答案：** …``: the label says the
    line is a question, whatever it ends with). With ``worded`` (among items that ask), also a line
    worded as a question (``说一下Redis的线程模型``, see :func:`asks_by_wording`) over an answer that asks
    nothing."""
    question = _outline_question(children[0])
    if question is not None or len(children) < 2:
        return question
    if answer_label is not None and _labelled_below(children[1:], answer_label):
        return _outline_question(children[0], answered=True)
    if worded and not any(
        token.type == "inline" and ends_asking(token.content.split("\n", 1)[0])
        for child in children[1:]
        for token in child.tokens
    ):
        return _outline_question(children[0], worded=True)
    return None


def _labelled_below(below: Sequence[_Block], answer_label: re.Pattern[str]) -> bool:
    """Whether an answer label opens what is below a list item's line: its next paragraph, or the quote
    below it (``   > 答：…``, an exam's notes), past the code the line asks about (``1. 请说出下列代码的
    执行结果`` / a fence / ``> 答：10``)."""
    rest = [block for block in below if block.kind not in ("fence", "code_block")]
    if not rest:
        return False
    first = rest[0]
    if first.kind == "blockquote":
        inside = _blocks(first.tokens[1:-1])
        first = inside[0] if inside else first
    inline = first.inline if first.kind == "paragraph" else None
    return inline is not None and _split_label(inline, answer_label) is not None


def _outline_question(first: _Block, answered: bool = False, worded: bool = False) -> _Label | None:
    """The question an outline item's own line asks (its other lines all properties), or ``None``; with
    ``answered``, the line whatever it ends with."""
    inline = first.inline
    if first.kind != "paragraph" or inline is None:
        return None
    lines = inline.content.split("\n")
    if not all(_PROPERTY_RE.match(line) for line in lines[1:]):
        return None
    children: list[Token] = []
    for child in inline.children or ():
        if child.type in ("softbreak", "hardbreak"):
            break
        if not (child.type == "text" and child.content == ""):
            children.append(child)
    markdown = lines[0]
    task = _TASK_RE.match(markdown)
    if task and children and children[0].type == "text" and children[0].content.startswith(task.group()):
        markdown = markdown[task.end() :]
        rest = children[0].content[task.end() :]
        children = ([_with_content(children[0], rest)] if rest else []) + children[1:]
    if len(children) > 2 and children[0].type == "mark_open" and children[-1].type == "mark_close":
        children = children[1:-1]  # (a highlight over the whole line only sets the question off)
    if len(children) == 1 and children[0].type == "code_inline":
        # ==`问题？`==: the code marks only set the question off; it is text.
        markdown = children[0].content
        children = [_text_token(markdown)]
    line = Token("inline", "", 0, content=markdown, children=children)
    plain = plain_text(line)
    if not (answered or ends_asking(plain) or (worded and _worded_line(plain))):
        return None
    numbered = _without_numbering(line)
    return _Label(numbered.content.strip(), list(numbered.children or ()))


def _worded_line(text: str) -> bool:
    """Whether a short line asks by its wording, without a question mark (see :func:`asks_by_wording`)."""
    stripped = text.strip()
    return len(stripped) <= QUESTION_LINE_CHARS and asks_by_wording(stripped)


def _property_lines(token: Token) -> list[int]:
    """The document lines of a paragraph that are property lines (0-based, from ``Token.map``)."""
    if token.type != "inline" or not token.map or "::" not in token.content:
        return []
    first = token.map[0]
    return [first + index for index, line in enumerate(token.content.split("\n")) if _PROPERTY_RE.match(line)]


def _without_artefacts(tokens: Sequence[Token]) -> list[Token]:
    """An outline's tokens without property lines (a paragraph of nothing else goes too) and without the
    task marker at the start of an item."""
    kept: list[Token] = []
    skip_close = 0
    for index, token in enumerate(tokens):
        if skip_close and token.type == "paragraph_close":
            skip_close -= 1
            continue
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            inline = _outline_inline(tokens[index + 1])
            if inline is None:
                skip_close += 1
                continue
            kept.append(token)
            continue
        if token.type == "inline":
            inline = _outline_inline(token)
            if inline is not None:
                kept.append(inline)
            continue
        kept.append(token)
    return kept


def _outline_inline(inline: Token) -> Token | None:
    """An inline token without its property lines and its leading task marker; ``None`` when nothing is
    left."""
    if inline.type != "inline":
        return inline
    lines = inline.content.split("\n")
    drop = {index for index, line in enumerate(lines) if "::" in line and _PROPERTY_RE.match(line)}
    children = _children(inline)
    task = _TASK_RE.match(inline.content)
    if not drop and not task:
        return inline
    if len(drop) == len(lines):
        return None
    groups: list[list[Token]] = [[]]
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            groups.append([])
        else:
            groups[-1].append(child)
    if len(groups) != len(lines):
        return inline  # a line break inside code: lines and tokens do not match up
    kept_lines = [line for index, line in enumerate(lines) if index not in drop]
    kept_groups = [group for index, group in enumerate(groups) if index not in drop]
    if task and 0 not in drop and kept_groups[0] and kept_groups[0][0].type == "text":
        first = kept_groups[0][0]
        if first.content.startswith(task.group()):
            rest = first.content[task.end() :]
            kept_groups[0] = ([_with_content(first, rest)] if rest else []) + kept_groups[0][1:]
            kept_lines[0] = kept_lines[0][task.end() :]
    copy = inline.copy()
    copy.content = "\n".join(kept_lines)
    copy.children = [
        token for index, group in enumerate(kept_groups) for token in ([_break()] if index else []) + group
    ]
    return copy


def _dedented(lines: Sequence[str]) -> str:
    """Lines without the white space they all start with (outliners indent with tabs)."""
    return textwrap.dedent("\n".join(lines)).strip("\n")


WHOLE_LIST = "whole-list"
"""The rule of a list read as entries (:data:`BOLD_QUESTION_ITEM`, :data:`QUESTION_LINE_ITEM`,
:data:`QUESTION_ITEMS`), given whole before its entries: inside an entry's answer the list is content of
that answer, whole (its items are sub-questions), and its entries are left out."""
BOLD_QUESTION_ITEM = "bold-question-item"
"""The rule of a list whose every item is a bold question and its answer on the same line
(``- **能加载 MSG 文件吗？** 可以。``)."""


def _bold_question_items(block: _Block, answer_label: re.Pattern[str]) -> list[_Found]:
    """A list of at least two items, each one paragraph that opens with a bold span ending in a question
    mark and goes on with more text: each item is a question (the bold span) and its answer (the rest).
    ``[]`` when any item is not so."""
    # A quick test of the first item: its inline token opens with a bold span that ends in a question mark.
    first = block.tokens[3] if len(block.tokens) > 3 else None
    if first is None or first.type != "inline" or not first.children:
        return []
    opening = next((c for c in first.children if c.type != "text" or c.content), None)
    if opening is None or opening.type != "strong_open":
        return []
    closing = first.content.find(opening.markup, len(opening.markup))
    if not ends_asking(first.content[:closing]):
        return []
    found = _list_pairs(block, BOLD_QUESTION_ITEM, partial(_bold_pair, answer_label=answer_label))
    items = _blocks(block.tokens[1:-1])
    if found or len(items) != 1 or len(items[0].tokens) != 5 or items[0].tokens[2].type != "inline":
        return found
    # A list of one such item is an entry when its answer opens with an answer label (``1. **什么是X？**`` /
    # ``**答案：** …``): without it, the bold line may be any list's.
    pieces = _bold_pair(items[0].tokens[2], answer_label, labelled=True)
    item = items[0]
    return (
        [_whole_list(block), *_item_entry(BOLD_QUESTION_ITEM, item.start, item.end, *pieces)]
        if pieces
        else []
    )


_Pair = tuple[tuple[Token, str], tuple[Token, str]]
"""A question and its answer, each as its inline token and its Markdown."""


def _bold_pair(inline: Token, answer_label: re.Pattern[str], labelled: bool = False) -> _Pair | None:
    """The bold question a paragraph opens with and the rest of it, without the answer label the rest may
    open with (``答：``; see :func:`_bold_question_items`); with ``labelled``, only when it does."""
    children = _children(inline)
    if not children or children[0].type != "strong_open":
        return None
    close = next((i for i, c in enumerate(children) if c.type == "strong_close"), 0)
    markup = children[0].markup
    content = inline.content
    closing = content.find(markup, len(markup))
    question, answer = content[len(markup) : closing].strip(), content[closing + len(markup) :].strip()
    inner = Token("inline", "", 0, children=children[1:close])
    if not close or closing < 0 or not content.startswith(markup) or not answer:
        return None
    asks = ends_asking(question) and ends_asking(plain_text(inner))
    if not asks and answer_label.match(answer.lstrip("*_ ")) is None:
        return None  # (a quick test first: most bold openings are neither)
    after = children[close + 1 :]
    while after and after[0].type in ("softbreak", "hardbreak"):
        after = after[1:]  # (the answer on the item's next line)
    rest = Token("inline", "", 0, content=answer, children=_lstrip_children(after))
    label = _split_label(rest, answer_label)
    if not asks and (label is None or not label.markdown or len(plain_text(inner)) > QUESTION_LINE_CHARS):
        return None  # (bold that does not ask is a question only over an answer label: ``答：…``)
    if label is not None and label.markdown:
        rest, answer = Token("inline", "", 0, content=label.markdown, children=label.children), label.markdown
    elif labelled:
        return None
    return (inner, question), (rest, answer)


ANSWER_ITEM = "answer-item"
"""The rule of a list of one item, or a quote, of one paragraph that opens with an answer label
(``- **答案**：解耦。``, as Kimi writes answers below question headings; ``> **参考答案**：…`` below a
tutorial's exercise): the answer label, as if the paragraph stood alone."""


def _answer_item(block: _Block, answer_label: re.Pattern[str]) -> _Found | None:
    """The answer of an :data:`ANSWER_ITEM` list or quote, else ``None``."""
    tokens = block.tokens
    # bullet_list_open, list_item_open, paragraph_open, inline, paragraph_close, list_item_close, …_close;
    # blockquote_open, paragraph_open, inline, paragraph_close, blockquote_close
    at = 2 if block.kind == "blockquote" else 3
    if len(tokens) != 2 * at + 1 or tokens[at].type != "inline":
        return None
    label = _split_label(tokens[at], answer_label)
    if label is None or not label.markdown:
        return None
    html = render_tokens(tokens)
    return _Found("answer", ANSWER_ITEM, block.start, block.end, html, tokens, label=label)


def _answer_item_with_body(block: _Block, answer_label: re.Pattern[str], source: _Source) -> list[_Found]:
    """The answer label and the rest of a list of one item whose first paragraph opens with an answer
    label and has more blocks below it (``* A：全局变量`` / ``  ```js …```, under ``## Q：…？``): read as an
    :data:`ANSWER_ITEM` whose answer goes on with the item's other blocks, as if they stood outside the
    list; ``[]`` for any other list."""
    if block.tokens[1].map != block.tokens[0].map:
        return []  # (more than one item: the first item does not span the list)
    items = _blocks(block.tokens[1:-1])
    if len(items) != 1:
        return []
    inner = _blocks(items[0].tokens[1:-1])
    if len(inner) < 2 or inner[0].kind != "paragraph" or len(inner[0].tokens) != 3:
        return []
    label = _split_label(inner[0].tokens[1], answer_label)
    if (
        label is None
        or not label.markdown
        or any(
            b.kind == "paragraph" and _split_label(b.tokens[1], answer_label)
            for b in inner[1:]
            if len(b.tokens) > 1
        )
    ):
        return []
    opened, item_open = block.tokens[0], items[0].tokens[0]
    first = [opened, item_open, *inner[0].tokens, items[0].tokens[-1], block.tokens[-1]]
    answer = _Found(
        "answer", ANSWER_ITEM, block.start, inner[0].end, render_tokens(first), first, label=label
    )
    rest = [token for found in inner[1:] for token in found.tokens]
    markdown = textwrap.dedent("\n".join(source(inner[1].start, block.end))).strip("\n")
    return [
        answer,
        _Found("block", "", inner[1].start, block.end, render_tokens(rest), rest, source=markdown),
    ]


ANSWER_ITEMS = "answer-items"
"""The rule of a bullet list whose first item is one line that opens with an answer label and whose other
items explain it (``- 参考答案：AD`` / ``- 全局变量要定义在函数之外…``, as a Go quiz answers its choice
questions): the first item is the answer label, as if it stood alone, and the other items are the rest
of the answer, a list of their own. (A list of items that each open with a label is another rule.)"""


def _answer_items(block: _Block, answer_label: re.Pattern[str]) -> list[_Found]:
    """The answer label and the rest of an :data:`ANSWER_ITEMS` list; ``[]`` for any other list."""
    items = _blocks(block.tokens[1:-1])
    if len(items) < 2:
        return []
    first = items[0].tokens
    if len(first) != 5 or first[2].type != "inline" or "\n" in first[2].content.strip():
        return []
    label = _split_label(first[2], answer_label)
    if label is None or not label.markdown:
        return []
    lines = [item.tokens[2] for item in items[1:] if len(item.tokens) > 2 and item.tokens[2].type == "inline"]
    if label.marker in ("A", "Ａ") and lines and _opens_second_option(lines[0].content):
        return []  # (``- A: "null"`` / ``- B: "object"``: a choice question's options)
    if any(_split_label(inline, answer_label) for inline in lines):
        return []
    opened, closed = block.tokens[0], block.tokens[-1]
    rest = [opened, *(token for item in items[1:] for token in item.tokens), closed]
    shown = render_tokens([opened, *first, closed])  # (its own list, when it turns out to be content)
    answer = _Found("answer", ANSWER_ITEMS, block.start, items[0].end, shown, first, label=label)
    return [answer, _Found("block", "", items[1].start, block.end, render_tokens(rest), rest)]


QUOTED_LABEL = "quoted-label"
"""The rule of a quote that is an answer label alone (``### Q: 什么是冒泡事件？`` / ``> A:`` / ``- …``): the
answer label of the question right above it, its answer what follows; anywhere else (below an answer,
or below text under the question: ``> 解析：``, ``> 参考答案：`` over a reading list) it is content."""
QUOTED_ANSWER = "quoted-answer"
"""The rule of a quote that opens with an answer label alone on its line (``> 参考答案：`` / ``>`` / ``> 用
Set。``, 渡一-style answers): the label is the answer's, and the quote's other blocks are the answer,
read as if they stood outside it (the quote only set the answer off). Not a quote whose label has its
text on its line and more paragraphs below (``> 参考答案：…`` / ``>`` / ``> 提示：…``): inside a question
heading's answer that is the answer's own quote, and reading it as the label put the answer above it on
the front of the card."""


def _quoted_answer(block: _Block, patterns: _LabelPatterns, labels: Labels, source: _Source) -> list[_Found]:
    """The answer label and the blocks of a :data:`QUOTED_ANSWER` quote, or the label of a
    :data:`QUOTED_LABEL` one; ``[]`` for any other quote."""
    tokens = block.tokens
    if len(tokens) < 5 or tokens[1].type != "paragraph_open" or tokens[3].type != "paragraph_close":
        return []
    label = _split_label(tokens[2], patterns.answer) if tokens[2].type == "inline" else None
    if label is None or label.markdown or "\n" in tokens[2].content.strip():
        return []
    first = _blocks(_shown(tokens[1:-1]))
    if len(tokens) == 5:  # (the quote is the label alone: shown as it is where it answers nothing)
        html = render_tokens(tokens)
        return [_Found("answer", QUOTED_LABEL, block.start, block.end, html, tokens[1:4], label=label)]
    answer = _Found("answer", QUOTED_ANSWER, block.start, first[0].end, "", tokens[1:4], label=label)
    inner_source = _quoted_source(block, source)
    read = [
        _inside(piece, "\n".join(inner_source(piece.start, piece.end)).strip("\n"))
        for child in first[1:]
        for piece in _read_block(child, patterns, labels, inner_source)
    ]
    return [answer, *read] if read else []


def _quoted_source(block: _Block, source: _Source) -> _Source:
    """The lines of a quote as the blocks inside it see them (without its ``>``)."""
    inner = _quote_lines(source(block.start, block.end))

    def inner_source(start: int, end: int) -> list[str]:
        return inner[start - block.start : end - block.start]

    return inner_source


def _quoted_question(
    block: _Block, patterns: _LabelPatterns, labels: Labels, source: _Source
) -> list[_Found]:
    """A quote of one paragraph that opens with a question label (``> 题目：如何理解JavaScript的原型``, its
    answer below the quote): that labelled question, as if the paragraph stood alone; ``[]`` for any other
    quote."""
    tokens = block.tokens
    if len(tokens) != 5 or tokens[2].type != "inline" or _split_label(tokens[2], patterns.question) is None:
        return []
    inner_source = _quoted_source(block, source)
    paragraph = _blocks(tokens[1:-1])[0]
    read = _read_block(paragraph, patterns, labels, inner_source)
    if len(read) != 1 or read[0].kind != "question" or read[0].label is None:
        return []
    asked = read[0].label.markdown
    if not any(mark in asked for mark in _QUESTION_MARKS) and not asks_by_wording(asked):
        return []  # (``> 问题描述：…`` states a problem, as a fold's exercise does: the quote stays content)
    return [_inside(read[0], "\n".join(inner_source(read[0].start, read[0].end)).strip("\n"))]


QUESTION_LINE_ITEM = "question-line-item"
"""The rule of a list whose every item is a question on its first line and its answer on the lines below
it (``1. 什么是进程？`` then ``进程是…``: the answer continues the item's paragraph)."""
QUESTION_LINES = "question-lines"
"""The rule of a paragraph of short question lines, each followed by the lines of its answer, two pairs at
least (``Redis为什么快?`` / ``基于内存，单线程。`` / ``Redis支持事务吗?`` / ``支持 MULTI/EXEC。``, a
plain-text copy with a newline between lines): each pair is an entry, given after the paragraph whole
(see :data:`WHOLE_LIST`)."""


def _question_lines(block: _Block) -> list[_Found]:
    """The entries of a :data:`QUESTION_LINES` paragraph; ``[]`` for any other paragraph."""
    inline = block.inline
    if inline is None or inline.content.count("\n") < 3:
        return []
    runs = _line_runs(inline)
    lines = inline.content.split("\n")
    if runs is None or len(runs) != len(lines):
        return []  # (emphasis, a link or code spans a line break)
    tokens = [_run_line(runs, index, lines) for index in range(len(runs))]
    pairs: list[tuple[int, list[int]]] = []
    for index, token in enumerate(tokens):
        text = plain_text(token).strip()
        if ends_asking(text) and len(text) <= QUESTION_LINE_CHARS:
            if heading_number(text):
                return []  # (numbered lines are read as a run of them: see _unlabelled_runs)
            pairs.append((index, []))
        elif not pairs:
            return []
        else:
            pairs[-1][1].append(index)
    if len(pairs) < 2 or any(not told for _, told in pairs):
        return []
    found = [_whole_list(block)]
    for asked, told in pairs:
        answer_children: list[Token] = []
        for at in told:
            if answer_children:
                answer_children.append(Token("softbreak", "br", 0))
            answer_children.extend(tokens[at].children or ())
        answer_md = "\n".join(lines[at].strip() for at in told)
        answer = Token("inline", "", 0, content=answer_md, children=answer_children)
        start, end = block.start + asked, block.start + told[-1] + 1
        question = (tokens[asked], tokens[asked].content.strip())
        found += _item_entry(QUESTION_LINES, start, end, question, (answer, answer_md))
    return found


GLUED_ITEM = "glued-item"
"""The rule of a list whose every item is a question and its answer on one line, after an answer label
(``1. SSH 默认端口？ 答：22。``)."""
WORDED_LINE_ITEM = "worded-line-item"
"""The rule of a list whose every item is a question on its first line, numbered with a comma, and its
answer on the lines below it, the questions worded as questions without a question mark (``- 1,说说你的
工作经历`` / ``工作经历有两段…``, ``- 4,期待薪资是多少`` / ``先调研…``): most of them ask by their wording,
and none of the answers' first lines asks."""
LABEL_ITEMS = "label-items"
"""The rule of a list whose items take turns: a question label, then an answer label (``- Q：进程和线程的
区别？`` / ``- A：…``), each item one paragraph: each pair of items is an entry (the list given whole first,
see :data:`WHOLE_LIST`)."""
TABLE_ROW = "table-row"
"""The rule of a table whose header names a question column and an answer column (``| 问题 | 答案 |``,
``| 序号 | 面试题 | 参考答案 |``): each row is a question and its answer, given after the table whole (see
:data:`WHOLE_LIST`)."""
_CARD_LINE_RULES = frozenset(("inline-card", "separated-card"))
"""Obsidian's cards (see :data:`INLINE_CARD`, :data:`SEPARATED_CARD`): a card ends with its line or
paragraph, as the plugins read it; what follows (a deeper heading too) is not its answer."""
_ITEM_ANSWER_RULES = frozenset(
    (
        BOLD_QUESTION_ITEM,
        QUESTION_LINE_ITEM,
        GLUED_ITEM,
        WORDED_LINE_ITEM,
        LABEL_ITEMS,
        TABLE_ROW,
        QUESTION_LINES,
        *_CARD_LINE_RULES,
    )
)
"""The rules of lists (and tables) read as entries whose answers are inside their items (or rows): the
blocks after the list are none of them."""
_LIST_ENTRY_RULES = frozenset(
    (
        BOLD_QUESTION_ITEM,
        QUESTION_LINE_ITEM,
        QUESTION_ITEMS,
        GLUED_ITEM,
        WORDED_LINE_ITEM,
        LABEL_ITEMS,
        TABLE_ROW,
        QUESTION_LINES,
    )
)
"""The rules that read a list (or a table) as entries (see :data:`WHOLE_LIST`)."""


def _label_items(block: _Block, patterns: _LabelPatterns) -> list[_Found]:
    """The entries of a :data:`LABEL_ITEMS` list; ``[]`` for any other list."""
    items = _blocks(block.tokens[1:-1])
    if len(items) < 2 or len(items) % 2:
        return []
    found: list[_Found] = []
    for index, item in enumerate(items):
        if len(item.tokens) != 5 or item.tokens[2].type != "inline":
            return []
        inline = item.tokens[2]
        kind, pattern = ("answer", patterns.answer) if index % 2 else ("question", patterns.question)
        label = _split_label(inline, pattern)
        if label is None or not label.markdown:
            return []
        html = render_inline(label.children)
        found.append(_Found(kind, LABEL_ITEMS, item.start, item.end, html, [inline], label=label))
    return [_whole_list(block), *found]  # (rendered last: most lists are no such list)


def _table_rows(block: _Block, patterns: _LabelPatterns) -> list[_Found]:
    """The rows of a :data:`TABLE_ROW` table as questions and answers (a row with an empty question or
    answer cell too: assembly reports it); ``[]`` for any other table."""
    rows: list[list[Token]] = []
    starts: list[tuple[int, int]] = []
    for index, token in enumerate(block.tokens):
        if token.type == "tr_open":
            rows.append([])
            starts.append((token.map[0], token.map[1]) if token.map else (0, 0))
        elif token.type == "inline" and rows and block.tokens[index - 1].type in ("th_open", "td_open"):
            rows[-1].append(token)
    if len(rows) < 2:
        return []
    header = [_undecorated(plain_text(cell).strip()) for cell in rows[0]]
    asked = next((i for i, text in enumerate(header) if _bare_label(text, patterns.question)), None)
    told = next((i for i, text in enumerate(header) if _bare_label(text, patterns.answer)), None)
    if asked is not None and told is None:
        told = _answer_column(header, rows, asked)
    if asked is None or told is None:
        return []
    if all(told < len(cells) and _link_only(cells[told]) for cells in rows[1:]):
        return []  # (an index: each answer a link to the page that holds it)
    # The other columns after the question's (备注, 关键词, 难度) go below the answer, each after its name.
    extras = [(i, text) for i, text in enumerate(header) if i > asked and i != told and text]
    # A column before the question's that names its subject (知识点, 主题) goes before it: the question
    # often asks only in its light (``| 过拟合/欠拟合 | 如何判断？ |``).
    subjects = [i for i, text in enumerate(header) if i < asked and text in TABLE_SUBJECT_COLUMNS]
    found = [_whole_list(block)]
    for (start, end), cells in zip(starts[1:], rows[1:], strict=True):
        if max(asked, told) >= len(cells):
            continue  # (markdown-it fills a short row with empty cells; a row it did not is skipped)
        question = _with_subjects(cells[asked], [cells[i] for i in subjects])
        answer = _with_columns(cells[told], [(name, cells[i]) for i, name in extras if i < len(cells)])
        found += _item_entry(TABLE_ROW, start, end, question, answer)
    return found


def _with_subjects(question: Token, subjects: list[Token]) -> tuple[Token, str]:
    """A question cell's inline token and Markdown, after the cells of its row that name its subject
    (``监督学习 vs 无监督：区别是什么？``): those that name one, and are not in the question already."""
    markdown = question.content.strip()
    asked = plain_text(question).casefold()
    shown = [
        cell
        for cell in subjects
        if _names_a_subject(cell) and plain_text(cell).strip().casefold() not in asked
    ]
    if not markdown or not shown:
        return question, markdown
    children: list[Token] = []
    for cell in shown:
        children += [*_children(cell), _text_token("：")]
    markdown = "".join(f"{cell.content.strip()}：" for cell in shown) + markdown
    return Token("inline", "", 0, content=markdown, children=[*children, *_children(question)]), markdown


SUBJECT_CHARS = 20
"""The most a subject cell holds (see :func:`_names_a_subject`)."""


def _names_a_subject(cell: Token) -> bool:
    """Whether a subject column's cell names one: a short text (not a list of points, ``可见性、禁止重排``;
    not a number, a ditto mark or an image)."""
    text = plain_text(cell).strip()
    return (
        0 < len(text) <= SUBJECT_CHARS
        and not any(mark in text for mark in "、，,；;")
        and text.strip("-—–〃\"'同上 ") != ""
        and not text.isdigit()
        and all(child.type != "image" for child in _children(cell))
    )


TABLE_META_COLUMNS = frozenset(
    (
        "序号",
        "编号",
        "题号",
        "难度",
        "频率",
        "频次",
        "分类",
        "类别",
        "类型",
        "标签",
        "来源",
        "出处",
        "链接",
        "公司",
        "考点",
        "考察点",
        "备注",
    )
)
"""Column names of a question table that say something about the question, not answer it."""


TABLE_SUBJECT_COLUMNS = frozenset(
    (
        "知识点",
        "主题",
        "概念",
        "技术点",
        "技术",
        "模块",
        "术语",
        "名词",
        "组件",
        "领域",
        "方向",
        "专题",
    )
)
"""Column names of a question table that name what its question asks about (see :func:`_with_subjects`);
a chapter, a date, a type, a status or an id says something else."""


def _answer_column(header: Sequence[str], rows: Sequence[Sequence[Token]], asked: int) -> int | None:
    """A question table's answer column when no column is named by an answer label (``| 问题 | 核心知识点
    |``, ``要点``, ``说明``): the first named column after the question's that is no
    :data:`TABLE_META_COLUMNS`, as long as most question cells, two at least, ask (``| 问题 | 原因 |``
    over ``缓存穿透`` is a table of problems, not questions)."""
    told = next(
        (i for i, name in enumerate(header) if i > asked and name and name not in TABLE_META_COLUMNS), None
    )
    questions = [plain_text(cells[asked]).strip() for cells in rows[1:] if asked < len(cells)]
    asking = sum(1 for question in questions if ends_asking(question))
    return told if asking >= 2 and 2 * asking >= len(questions) else None


def _link_only(cell: Token) -> bool:
    """Whether a table cell is one link and nothing else (``[答案](answers/001.md)``)."""
    children = [
        child for child in _children(cell) if not (child.type == "text" and not child.content.strip())
    ]
    return (
        len(children) >= 2
        and children[0].type == "link_open"
        and children[-1].type == "link_close"
        and sum(1 for child in children if child.type == "link_open") == 1
    )


def _with_columns(answer: Token, columns: list[tuple[str, Token]]) -> tuple[Token, str]:
    """An answer cell's inline token and Markdown, each other non-empty cell of its row on a line of its
    own below it, after its column's name: ``**备注：** 只在 RC、RR 下生效``."""
    markdown = answer.content.strip()
    if not markdown:
        return answer, markdown  # an empty answer is reported as one, whatever the other cells hold
    children = list(_children(answer))
    for name, cell in columns:
        text = cell.content.strip()
        if not text:
            continue
        name_tokens = [
            Token("strong_open", "strong", 1, markup="**"),
            _text_token(f"{name}："),
            Token("strong_close", "strong", -1, markup="**"),
        ]
        children += [Token("hardbreak", "br", 0), *name_tokens, _text_token(" "), *_children(cell)]
        markdown = f"{markdown}\n**{name}：** {text}"
    if len(children) == len(_children(answer)):
        return answer, markdown
    return Token("inline", "", 0, content=markdown, children=children), markdown


def _bare_label(text: str, pattern: re.Pattern[str]) -> bool:
    """Whether a table's header cell is only a label (``问题``, ``参考答案``, ``Q``)."""
    match = pattern.match(text)
    return match is not None and match.end() == len(text)


def _question_line_items(block: _Block, answer_label: re.Pattern[str]) -> list[_Found]:
    """A list of at least two items, each one paragraph whose first line is a short question
    (ending in a question mark) and whose other lines are its answer: each item is a question and its
    answer. ``[]`` when any item is not so."""
    # A quick test of the first item: its first line ends in a question mark, and more lines follow.
    first = block.tokens[3] if len(block.tokens) > 3 else None
    if first is None or first.type != "inline" or not ends_asking(first.content.partition("\n")[0]):
        return []
    return _list_pairs(block, QUESTION_LINE_ITEM, partial(_line_pair, answer_label=answer_label))


def _line_pair(inline: Token, answer_label: re.Pattern[str], bare_label: bool = False) -> _Pair | None:
    """A paragraph's short first line ending in a question mark, or over a line that opens with an answer
    label (``答：…``), and its other lines (without that label); with ``bare_label``, also over a label
    with nothing after it (the answer is below the paragraph), the answer then empty."""
    children = _children(inline)
    cut = next(iter(_line_breaks(children)), -1)
    question, _, answer = inline.content.partition("\n")
    question, answer = question.strip(), answer.strip()
    inner = Token("inline", "", 0, content=question, children=children[:cut])
    if cut < 0 or not answer:
        return None
    asks = ends_asking(question)
    labelled = answer_label.match(answer.lstrip("*_ ")) is not None
    if not asks and not labelled:
        return None  # (a quick test first: most paragraphs are neither)
    if not labelled and len(plain_text(inner).strip()) > QUESTION_LINE_CHARS:
        return None  # (a long line asks only over an answer label: ``谈谈你是如何理解…？`` / ``答：``)
    if asks and (options := _options_then_answer(inline, answer_label)) is not None:
        return options
    rest = Token("inline", "", 0, content=answer, children=_lstrip_children(children[cut + 1 :]))
    label = _split_label(rest, answer_label)
    if label is None:
        if not asks:
            return None  # (a line that does not ask is a question only over an answer label)
    elif not label.markdown:
        if not bare_label or "\n" in answer:
            return None
        rest, answer = Token("inline", "", 0, content="", children=[]), ""
    else:
        rest = Token("inline", "", 0, content=label.markdown, children=label.children)
        answer = label.markdown
    return (inner, question), (rest, answer)


_OPTION_RE = re.compile(r"\s*[A-HＡ-Ｈ]\s*[.．、)）:：]")
"""A line of a choice question's options (``A. int``, ``B、String``, ``C) char``)."""


def _line_breaks(children: Sequence[Token]) -> list[int]:
    """The indices of the line breaks among inline children that no emphasis spans."""
    breaks, depth = [], 0
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak") and depth == 0:
            breaks.append(index)
        depth += child.nesting
    return breaks


def _options_then_answer(inline: Token, answer_label: re.Pattern[str]) -> _Pair | None:
    """A listed choice question: its first line and the lines after it (the options) up to the first line
    that opens with an answer label, then that line's rest and every line after it as the answer
    (``1. 以下哪个…？`` / ``A. int  B. String`` / ``答案：B`` / ``解析：…``). ``None`` unless the first such
    line comes after the second line (right under the question, it only opens the answer) and the lines
    before it are all options (``A. …``)."""
    lines = inline.content.split("\n")
    runs = _line_runs(inline)
    if runs is None:
        return None
    children = _children(inline)
    cuts = _line_breaks(children)
    for at in range(1, min(len(runs), len(cuts) + 1)):
        first = runs[at][0]
        if _split_label(_run_line(runs, at, lines), answer_label) is None:
            continue
        if at == 1 or not all(_OPTION_RE.match(line) for line in lines[runs[1][0] : first]):
            return None  # the label opens the answer, or the lines before it are answer, not options
        # The question keeps its line breaks as parsed (hard before ``A.``: see the dialect); the answer
        # is the label line's rest and every line after it.
        rest = Token("inline", "", 0, content="\n".join(lines[first:]), children=children[cuts[at - 1] + 1 :])
        label = _split_label(rest, answer_label)
        if label is None or not label.markdown:
            return None
        question = "\n".join(line.strip() for line in lines[:first])
        asked = Token("inline", "", 0, content=question, children=children[: cuts[at - 1]])
        answer = Token("inline", "", 0, content=label.markdown, children=label.children)
        return (asked, question), (answer, label.markdown)
    return None


def _glued_pair(inline: Token, answer_label: re.Pattern[str]) -> _Pair | None:
    """A one-line paragraph's question and the answer glued after it (see :func:`_asks_then_answers`)."""
    if "\n" in inline.content.strip():
        return None
    cut = _asks_then_answers(_Label(inline.content.strip(), list(inline.children or ())), answer_label)
    if cut is None:
        return None
    question, answer = cut
    pieces = [Token("inline", "", 0, content=label.markdown, children=label.children) for label in cut]
    return (pieces[0], question.markdown), (pieces[1], answer.markdown)


def _list_pairs(block: _Block, rule: str, pair: Callable[[Token], _Pair | None]) -> list[_Found]:
    """Each item of a list as a question and its answer, as ``pair`` finds them in the item's one
    paragraph; ``[]`` unless at least two items are so and every other item is a question still waiting
    for its answer (one short line ending in a question mark): a question whose answer is what follows
    it, or, with nothing, one that assembly reports, not a reason to leave the answered ones out."""
    items = _blocks(block.tokens[1:-1])
    if len(items) < 2:
        return []
    found: list[_Found] = []
    answered = 0
    for item in items:
        tokens = item.tokens
        inline = tokens[2] if len(tokens) == 5 and tokens[2].type == "inline" else None
        pieces = pair(inline) if inline is not None else None
        if pieces is not None:
            found += _item_entry(rule, item.start, item.end, *pieces)
            answered += 1
        elif inline is not None and _unanswered_item(inline):
            label = _Label(inline.content.strip(), list(inline.children or ()))
            html = render_inline(label.children)
            # Its answer is what follows it, if anything (the next item's question closes it first).
            found.append(_Found("question", rule, item.start, item.end, html, [inline], label=label))
        else:
            return []
    return [_whole_list(block), *found] if answered >= 2 else []


_COMMA_NUMBER_RE = re.compile(r"\s*[0-9]{1,3}[,，](?![0-9])\s*")
"""A number written with a comma at the start of an item's text (``1,说说…``, ``2，为什么…``; not
``1,000``)."""


def _worded_line_items(block: _Block, answer_label: re.Pattern[str]) -> list[_Found]:
    """A :data:`WORDED_LINE_ITEM` list as entries (``[]`` when it is none)."""
    first = block.tokens[3] if len(block.tokens) > 3 else None
    if first is None or first.type != "inline" or not _COMMA_NUMBER_RE.match(first.content):
        return []  # (a quick test of the first item: most lists are none)
    found = [_whole_list(block)]
    worded = 0
    items = _blocks(block.tokens[1:-1])
    for item in items:
        tokens = item.tokens
        inline = tokens[2] if len(tokens) == 5 and tokens[2].type == "inline" else None
        pair = _worded_line_pair(inline, answer_label) if inline is not None else None
        if pair is None:
            return []
        worded += asks_by_wording(pair[0][1])
        found += _item_entry(WORDED_LINE_ITEM, item.start, item.end, *pair)
    return found if worded >= 2 and 2 * worded >= len(items) else []


def _worded_line_pair(inline: Token, answer_label: re.Pattern[str]) -> _Pair | None:
    """An item's short first line that asks nothing by a question mark (its comma number left out, see
    :data:`_COMMA_NUMBER_RE`) and the lines below it, none of which the first asks, nor opens with an
    answer label (another rule's: :func:`_line_pair`); else ``None``."""
    children = _children(inline)
    cut = next(iter(_line_breaks(children)), -1)
    question, _, answer = inline.content.partition("\n")
    question, answer = question.strip(), answer.strip()
    if cut < 0 or not answer or ends_asking(question) or ends_asking(answer.partition("\n")[0]):
        return None
    if answer_label.match(answer.lstrip("*_ ")) is not None:
        return None
    line = Token("inline", "", 0, content=question, children=children[:cut])
    asked = _without_lead(line, _comma_number_end)
    text = plain_text(asked).strip()
    if asked is line or not text or len(text) > QUESTION_LINE_CHARS:
        return None  # (the comma number is what marks such a list: a list of steps or a changelog has none)
    rest = Token("inline", "", 0, content=answer, children=_lstrip_children(children[cut + 1 :]))
    return (asked, asked.content.strip()), (rest, answer)


def _comma_number_end(first: str) -> int:
    match = _COMMA_NUMBER_RE.match(first)
    return match.end() if match else 0


def _unanswered_item(inline: Token) -> bool:
    """One short line ending in a question mark: a list item that asks and has no answer yet."""
    text = plain_text(inline).strip()
    one_line = "\n" not in inline.content.strip()
    return one_line and ends_asking(text) and len(text) <= QUESTION_LINE_CHARS


def _whole_list(block: _Block) -> _Found:
    """The :data:`WHOLE_LIST` block of a list read as entries."""
    return _Found("block", WHOLE_LIST, block.start, block.end, render_tokens(block.tokens), block.tokens)


def _item_entry(
    rule: str, start: int, end: int, question: tuple[Token, str], answer: tuple[Token, str]
) -> list[_Found]:
    """A list item's (or a table row's) question and answer on lines ``[start, end)``, each its inline
    token and Markdown, as two blocks."""
    found = []
    for kind, (piece, markdown) in (("question", question), ("answer", answer)):
        label = _Label(markdown, list(piece.children or ()))
        html = render_inline(label.children)
        found.append(_Found(kind, rule, start, end, html, [piece], label=label, source=markdown))
    return found


QUOTE_QUESTION = "quote-question"
"""The rule of a quote that opens with a one-line paragraph ending in a question mark, followed by an
answer label (``> 为什么还要有 OpenJDK？`` / ``>`` / ``> 答：``): that paragraph is a question."""


CALLOUT = "callout"
"""The rule of an Obsidian callout that asks (``> [!question] 什么是过拟合？`` / ``> 模型在训练集上…``): its
title is the question, the rest of it the answer."""
QUESTION_CALLOUTS = frozenset(("question", "faq", "help"))
"""The callout types that ask (Obsidian's ``question`` and its aliases)."""


def _asking_callout(block: _Block) -> bool:
    """Whether a quote opens as a callout that asks (see :data:`CALLOUT`)."""
    tokens = block.tokens
    if len(tokens) < 4 or tokens[1].type != "paragraph_open" or tokens[2].type != "inline":
        return False
    match = CALLOUT_HEADER_RE.match(tokens[2].content)
    return match is not None and match.group("type").lower() in QUESTION_CALLOUTS


def _callout_pair(first: _Found, lines: list[str]) -> list[_Found] | None:
    """A callout's first paragraph (its ``lines``) read as its question (the title on the first line, or
    for a callout without a title, a line that asks right below its header) and the start of its answer
    (the paragraph's other lines, maybe none); ``None`` when it is no callout that asks."""
    inline = first.tokens[1] if first.kind == "block" and len(first.tokens) == 3 else None
    children = _children(inline) if inline is not None and inline.type == "inline" else []
    if inline is None or not children or children[0].type != "text":
        return None
    match = CALLOUT_HEADER_RE.match(children[0].content)
    if match is None or match.group("type").lower() not in QUESTION_CALLOUTS:
        return None
    if not inline.content.startswith(children[0].content[: match.end()]):
        return None
    cut = _first_break(children)
    title = [_with_content(children[0], children[0].content[match.end() :]), *children[1:cut]]
    asked, _, told = inline.content[match.end() :].partition("\n")
    at = 0  # the question's line in the paragraph
    if not asked.strip():
        # No title: the question is the line below the header (``> [!question]`` / ``> 什么是JVM？``).
        if cut is None:
            return None
        asked, _, told = told.partition("\n")
        rest = children[cut + 1 :]
        below = _first_break(rest)
        title = rest[:below] if below is not None else rest
        cut = cut + 1 + below if below is not None else None
        at = 1
        if not asked.strip() or not ends_asking(asked.strip()) or len(asked.strip()) > QUESTION_LINE_CHARS:
            return None
    body = _lstrip_children(children[cut + 1 :]) if cut is not None else []
    question = _Found(
        "question",
        CALLOUT,
        first.start + at,
        first.start + at + 1,
        f"<p>{render_inline(title)}</p>\n",
        first.tokens,
        label=_Label(asked.strip(), title),
        source=lines[at] if len(lines) > at else "",
    )
    answer = _Found(
        "answer",
        CALLOUT,
        first.start + at + 1 if told else first.start + at,
        first.end if told else first.start + at + 1,
        "",
        [],
        label=_Label(told.strip(), body),
        source="\n".join(lines[at + 1 :]),
    )
    return [question, answer]


def _asked_whole(question: _Found, body: _Found) -> _Found:
    """A question callout's question with the rest of its first paragraph (``body``, see
    :func:`_callout_pair`) below its title: the question, when an answer label follows further down
    (``> [!question]- 自检：…？`` / ``> 若梯度为零，为什么…？`` / ``> **答案：** …``)."""
    assert question.label is not None and body.label is not None
    children = [*question.label.children, Token("softbreak", "br", 0), *body.label.children]
    markdown = f"{question.label.markdown}\n{body.label.markdown}"
    return question._replace(
        end=body.end,
        html=f"<p>{render_inline(children)}</p>\n",
        label=_Label(markdown, children),
        source="\n".join(line for line in (question.source, body.source) if line),
    )


def _first_break(children: Sequence[Token]) -> int | None:
    """Where the first line of an inline token's children ends (its first line break), if it does."""
    return next((i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")), None)


def _callout_body(found: _Found) -> _Found:
    """A callout right below a question callout's title (``> > [!success]- 答案`` / ``> > …``) as its body
    alone: the answer, shown without the callout's header line; any other block as it is."""
    tokens = found.tokens
    if found.kind != "block" or len(tokens) < 5 or tokens[0].type != "blockquote_open":
        return found
    inline = tokens[2]
    if (
        tokens[1].type != "paragraph_open"
        or inline.type != "inline"
        or not CALLOUT_HEADER_RE.match(inline.content)
    ):
        return found
    children = _children(inline)
    cut = _first_break(children)
    _, _, body = inline.content.partition("\n")
    if cut is None or not body.strip():
        kept = list(tokens[4:-1])  # the header was the whole first paragraph
    else:
        kept = [tokens[1], _with_content(inline, body, _lstrip_children(children[cut + 1 :])), *tokens[3:-1]]
    lines = _quote_lines(found.source.split("\n"))[1:] if found.source else []
    return found._replace(html=render_tokens(kept), tokens=kept, source="\n".join(lines))


def _opens_with_question(block: _Block, patterns: _LabelPatterns) -> bool:
    """Whether a quote opens with a one-line paragraph ending in a question mark and, right after it, a
    paragraph that opens with an answer label (see :data:`QUOTE_QUESTION`)."""
    tokens = block.tokens
    if len(tokens) < 7 or tokens[1].type != "paragraph_open" or tokens[4].type != "paragraph_open":
        return False
    question, answer = tokens[2], tokens[5]
    return (
        question.type == "inline"
        and "\n" not in question.content.strip()
        and ends_asking(plain_text(question))
        and answer.type == "inline"
        and _split_label(answer, patterns.answer) is not None
    )


def _may_hold_pair(unit: _Block, patterns: _LabelPatterns) -> bool:
    """Whether a list item or quote has a paragraph (maybe in a list or quote inside it) that opens with a
    question label, or with a title line above one (a quick test)."""
    return any(
        token.type == "inline"
        and (
            _split_label(token, patterns.question) is not None
            or _titled_label(token, patterns.question) is not None
        )
        for token in unit.tokens
    )


def _titled(read: list[_Found]) -> list[_Found]:
    """A list item's blocks, a paragraph right above its question label (``1. **人工智能的发展历程**`` /
    ``   **题目：** …``, as AI-written 题库 lists title their items) shown on the question's front, above
    it: it is the item's, not the end of the answer of the item before. Only shown: the question's
    Markdown and folded text, what identifies its note, stay without it."""
    if (
        len(read) < 2
        or read[0].kind != "block"
        or read[0].rule not in _PLAIN_RULES
        or read[1].kind != "question"
    ):
        return read
    title, question = read[0], read[1]
    tokens, label = title.tokens, question.label
    if label is None or len(tokens) != 3 or tokens[1].type != "inline":
        return read
    titled = question._replace(
        start=title.start,
        html=title.html + question.html,
        tokens=[*tokens, *question.tokens],
        label=_title_shown(_children(tokens[1]), label),
        source=f"{title.source}\n\n{question.source}" if title.source and question.source else "",
    )
    return [titled, *read[2:]]


def _unlabelled_answer(read: Sequence[_Found]) -> bool:
    """Whether a quote's blocks are a labelled question and, right after it, a paragraph without a label,
    and no answer label anywhere."""
    return (
        len(read) > 1
        and read[0].kind == "question"
        and read[0].label is not None
        and read[0].rule in ("bold-label", "plain-label")
        and read[1].kind == "block"
        and len(read[1].tokens) == 3
        and read[1].tokens[1].type == "inline"
        and not any(piece.kind == "answer" for piece in read)
    )


def _holds_pair(found: Sequence[_Found]) -> bool:
    """A question label and, after it, an answer label."""
    questions = [index for index, piece in enumerate(found) if piece.kind == "question" and piece.label]
    return bool(questions) and any(piece.kind == "answer" for piece in found[questions[0] :])


def _read_indented(
    block: _Block, width: int, patterns: _LabelPatterns, labels: Labels, source: _Source
) -> list[_Found]:
    """A block of an admonition's body (see :data:`qa2anki.dialect.INDENTED`): read as if it stood outside
    it, with its lines' indentation taken off."""

    def inner_source(start: int, end: int) -> list[str]:
        return [_unindented(line, width) for line in source(start, end)]

    return [
        _inside(piece, "\n".join(inner_source(piece.start, piece.end)).strip("\n"))
        for piece in _read_block(block, patterns, labels, inner_source)
    ]


def _unindented(line: str, width: int) -> str:
    """``line`` without up to ``width`` columns of leading white space (a tab reaching the next multiple of
    four)."""
    column = at = 0
    while at < len(line) and column < width and line[at] in " \t":
        column = column + 4 - column % 4 if line[at] == "\t" else column + 1
        at += 1
    return line[at:]


def _inside(found: _Found, source: str) -> _Found:
    """A block read inside a list item or quote: with its own Markdown; a heading there is content."""
    if found.level:
        found = found._replace(kind="block", rule="", level=0, label=None, topic="", number="")
    return found._replace(source=found.source or source)  # a block in a nested quote or item has its own


def _shown(tokens: Sequence[Token]) -> list[Token]:
    """A tight list item's tokens with its paragraphs shown (as ``<p>``, like the paragraphs outside it)."""
    shown = []
    depth = 0
    for token in tokens:
        depth += min(token.nesting, 0)
        if depth == 0 and token.hidden and token.type in ("paragraph_open", "paragraph_close"):
            token = token.copy()
            token.hidden = False
        depth += max(token.nesting, 0)
        shown.append(token)
    return shown


def _quote_lines(lines: Sequence[str]) -> list[str]:
    """A quote's lines without their ``>`` (a lazy continuation line has none)."""
    inner = []
    for line in lines:
        stripped = line.lstrip(" ")
        if len(line) - len(stripped) <= 3 and stripped.startswith(">"):
            stripped = stripped[1:]
            line = stripped[1:] if stripped.startswith((" ", "\t")) else stripped
        inner.append(line)
    return inner


def _item_lines(lines: Sequence[str], item_open: Token) -> list[str]:
    """A list item's lines without its marker and without the indentation that puts them in the item."""
    if not lines:
        return []
    first = lines[0]
    marker = item_open.info + item_open.markup
    indent = len(first) - len(first.lstrip(" "))
    if not first[indent:].startswith(marker):
        return list(lines)
    rest = first[indent + len(marker) :]
    spaces = len(rest) - len(rest.lstrip(" "))
    if spaces > 4:
        spaces = 1  # an indented code block starts the item
    width = indent + len(marker) + spaces
    inner = [rest[spaces:]]
    for line in lines[1:]:
        inner.append(line[min(width, len(line) - len(line.lstrip(" "))) :])
    return inner


def _read_heading(block: _Block, inline: Token, patterns: _LabelPatterns, labels: Labels) -> _Found:
    untagged = _without_tags(inline)
    if untagged is not inline:
        tokens = [untagged if token is inline else token for token in block.tokens]
        block = _Block(block.kind, tokens, block.start, block.end)
        inline = untagged
    level, text = block.heading_level, plain_text(inline)
    kind, rule, label_text, marker = _classify_heading(text, patterns, labels)
    label: _Label | None = None
    if kind != "heading" or rule in MAY_ASK_RULES:
        # Keep the heading's own tokens (emphasis, code, math), not just its plain text; a heading bold as a
        # whole (a chat model's ``### **1. 什么是LoRA？**``) is read inside its bold.
        numbered = _without_numbering(_bold_inside(inline) or inline)
        pattern = patterns.question if kind == "question" else patterns.answer
        split = _split_label(numbered, pattern) if rule == "heading-label" else None
        if split is not None:
            label = split
        elif rule == "heading-question" or rule in MAY_ASK_RULES:
            if rule == "heading-question":
                numbered = _without_label_number(numbered, patterns.question)
            label = _Label(numbered.content.strip(), list(numbered.children or ()), marker)
        else:
            label = _Label(label_text, [_text_token(label_text)] if label_text else [], marker)
    html = render_tokens(block.tokens)
    return _Found(
        kind,
        rule,
        block.start,
        block.end,
        html,
        block.tokens,
        level,
        label,
        heading_topic(label_text),
        heading_number(text),
    )


GLUED_LABEL = "glued-label"
"""The rule of a question and its answer on one line (``**面试题：**Q？**答案：**A``, ``问：Q？ 答：A``): the
paragraph opens with a question label and a later answer label on that line is bold, or plain after white
space or a sentence end (``Q？ 答案：A``; an ASCII label only after a sentence end)."""
_GLUED_GAP_RE = re.compile(r"[\s？?。！!；;]+")
_SENTENCE_END = frozenset("？?。！!；;")


def _glued_answer(
    question: _Label, pattern: re.Pattern[str], several: bool = False
) -> tuple[_Label, _Label] | None:
    """A question label's rest cut at an answer label later on its first line: (question, answer);
    ``None`` when there is none. Looks only at the top-level children, so a label in code, a link or
    emphasis, or one glued to the prose before it (``他的回答：``), is no cut."""
    children = question.children
    depth = 0
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            return None
        if depth == 0 and child.type == "strong_open" and index + 1 < len(children):
            text = children[index + 1].content if children[index + 1].type == "text" else ""
            match = pattern.match(text)
            if match is not None and (
                _has_colon(match)
                or (
                    text[match.end() :] == ""
                    and index + 3 < len(children)
                    and children[index + 2].type == "strong_close"
                    and _COLON_RE.match(children[index + 3].content) is not None
                    and children[index + 3].content.lstrip()[:1] in ":："
                )
            ):
                cut = _glued_cut(
                    question, pattern, index, child.markup + text[: match.end()], 0, children[index:]
                )
                if cut is not None and not several and _glued_labels(children[index:], pattern) > 1:
                    return None  # (several pairs on one line, as below)
                if cut is not None:
                    return cut
        elif depth == 0 and child.type == HTML_BREAK and index + 1 < len(children):
            # ``问：什么是过拟合？<br>答：…``: a ``<br>`` is a line break before the answer label.
            after = children[index + 1]
            text = after.content if after.type == "text" else ""
            match = pattern.match(text)
            if match is not None and _has_colon(match) and (several or _broken_pairs(children, pattern) < 2):
                found, rest = child.markup + text[: match.end()], children[index + 1 :]
                cut = _glued_cut(question, pattern, index + 1, found, len(child.markup), rest)
                if cut is not None:
                    return cut
        elif depth == 0 and child.type == "text":
            text = child.content
            for gap in _GLUED_GAP_RE.finditer(text):
                match = pattern.match(text, gap.end()) if gap.end() < len(text) else None
                if match is None or not _has_colon(match):
                    continue
                if match.group("label").isascii() and not _SENTENCE_END.intersection(gap.group()):
                    continue  # ``Q: plan A: or B?``
                before = text[: gap.end()].rstrip()
                head = [*children[:index], *([_with_content(child, before)] if before else [])]
                rest = [_text_token(text[gap.end() :]), *children[index + 1 :]]
                if not several and _glued_labels(rest, pattern) > 1:
                    return None  # (``问：…？ 答：… 问：…？ 答：…``: as with ``<br>``, see _broken_pairs)
                found = text[gap.start() : match.end()]
                cut = _glued_cut(question, pattern, len(head), found, gap.end() - gap.start(), rest, head)
                if cut is not None:
                    return cut
        depth += child.nesting
    return None


def _glued_pairs(question: _Label, patterns: _LabelPatterns) -> list[tuple[str, _Label]]:
    """A one-paragraph question label's question and the answer glued after it, as ``("question", …)``,
    ``("answer", …)``; and when the answer holds more glued pairs (``**Q：**…？ **A：**… **Q：**…？
    **A：**…``, a WordPress export), each of them too. ``[]`` when no answer is glued on."""
    cut = _glued_answer(question, patterns.answer, several=True)
    if cut is None:
        return []
    pairs: list[tuple[str, _Label]] = [("question", cut[0])]
    answer = cut[1]
    while (following := _glued_answer(answer, patterns.question, several=True)) is not None:
        told, asked = following
        next_cut = _glued_answer(asked, patterns.answer, several=True)
        if next_cut is None:
            break  # (a question label in an answer without an answer of its own: the answer's text)
        pairs += [("answer", told), ("question", next_cut[0])]
        answer = next_cut[1]
    return [*pairs, ("answer", answer)]


def _glued_labels(children: Sequence[Token], answer_label: re.Pattern[str]) -> int:
    """How many answer labels the top-level text of a line holds after a gap (white space or the end of a
    sentence), as :func:`_glued_answer` finds them."""
    count = 0
    depth = 0
    for index, child in enumerate(children):
        if depth == 0 and child.type == "text":
            text = child.content
            starts = (0, *(gap.end() for gap in _GLUED_GAP_RE.finditer(text)))
            for start in starts:
                match = answer_label.match(text, start) if start < len(text) else None
                if match is not None and _has_colon(match):
                    count += 1
        elif depth == 0 and child.type == "strong_open" and index + 2 < len(children):
            inside, after = children[index + 1], children[index + 2]
            match = answer_label.match(inside.content) if inside.type == "text" else None
            colon = after.type == "strong_close" and index + 3 < len(children)
            if match is not None and (
                _has_colon(match) or (colon and children[index + 3].content.lstrip()[:1] in ":：")
            ):
                count += 1
        depth += child.nesting
    return count


def _broken_pairs(children: Sequence[Token], answer_label: re.Pattern[str]) -> int:
    """How many times a ``<br>`` in a line is followed by an answer label: more than once (``问：…？<br>答：…
    <br>问：…？<br>答：…``), the line holds pairs that one entry cannot; only :func:`_glued_pairs` cuts them,
    elsewhere they are left to the warning of a question without an answer."""
    return sum(
        1
        for child, after in pairwise(children)
        if child.type == HTML_BREAK
        and after.type == "text"
        and (match := answer_label.match(after.content)) is not None
        and _has_colon(match)
    )


def _glued_cut(
    question: _Label,
    pattern: re.Pattern[str],
    index: int,
    found: str,
    skip: int,
    rest: list[Token],
    head: list[Token] | None = None,
) -> tuple[_Label, _Label] | None:
    """Cut a question label's rest where ``found`` (the answer label as written, after ``skip`` characters
    of gap) first stands in its Markdown, if the question part keeps some text."""
    at = question.markdown.find(found)
    if at < 0:
        return None
    at += skip
    head = question.children[:index] if head is None else head
    asked = question.markdown[:at].rstrip()
    if not asked or not plain_text(Token("inline", "", 0, children=head)).strip():
        return None
    answer = _split_label(Token("inline", "", 0, content=question.markdown[at:], children=rest), pattern)
    if answer is None:
        return None
    if head and head[-1].type == HTML_BREAK:  # (the line break before the answer label is neither's)
        asked, head = asked.removesuffix(head[-1].markup).rstrip(), head[:-1]
    if head and head[-1].type == "text":
        head = [*head[:-1], _with_content(head[-1], head[-1].content.rstrip())]
    return question._replace(markdown=asked, children=head), answer


def _numbered_closing(text: str) -> bool:
    """Whether a paragraph is a numbered closing title alone (``4. 总结``, ``**5、参考资料**`` after numbered
    questions): the article's end, as a further-reading title is (see :data:`FOOTER_TITLE`), not a
    question numbered on from them."""
    text = text.strip()
    return bool(heading_number(text)) and _undecorated(heading_topic(text)) in CLOSING_HEADINGS


def _read_paragraph(inline: Token, patterns: _LabelPatterns) -> tuple[str, str, _Label | None] | None:
    """(kind, rule, label) of a paragraph that is a question, an answer or an answer-side block, or of one
    that may close an article; ``None`` for content."""
    for kind, pattern in (("question", patterns.question), ("answer", patterns.answer)):
        label = _split_label(inline, pattern)
        if label is not None and not _options(inline, label):
            return kind, "bold-label" if _first_is_bold(inline) else "plain-label", label
    if (titled := _titled_label(inline, patterns.question)) is not None:
        return "question", "bold-label", titled
    if _answer_side(inline, patterns.answer_side):
        return "answer-side", "bold-label", None
    opening = _undecorated(plain_text(inline))
    if inline.children and inline.children[0].type in _LINK_STARTS and _answer_link(inline):
        return "block", ANSWER_LINK, None  # (``[点击查看答案](…)``: no answer label, though it says 答案)
    if (lone := _lone_answer_label(inline, opening, patterns.answer)) is not None:
        return "answer", "plain-label", lone
    if _numbered_closing(opening) or _footnotes(inline.content):
        return "epilogue", FOOTER_TITLE, None
    question_line = _question_line(inline, patterns)
    if question_line is not None:
        return "question", *question_line
    bare = opening.strip().strip("—-–－~～_=*·• ")  # (``—— 以上内容由飞书文档导出 ——``, ``- END -``)
    if opening.startswith(SIGN_OFF_OPENINGS) or bare.startswith(SIGN_OFF_OPENINGS) or bare in ("END", "完"):
        return "epilogue", SIGN_OFF, None
    if _action_bar(opening) or _page_links(inline, opening):
        return "epilogue", SIGN_OFF, None
    if opening.strip().rstrip(":：").strip() in FOOTER_TITLES:
        return "epilogue", FOOTER_TITLE, None
    if opening.startswith(EPILOGUE_OPENINGS) or _ends_wishing(opening):
        return "epilogue", "", None
    return None


_ACTION_BAR_RE = re.compile(
    r"(?:赞同[\d.]*[kKwW万]?|\d+条评论|添加评论|分享|收藏|喜欢|收起|举报|点赞|评论|关注|打赏|送礼物|感谢)+"
)
"""A row of a page's buttons copied with its text (知乎's ``​赞同 1.2K​​87 条评论​分享​​收藏​​喜欢``)."""


def _action_bar(text: str) -> bool:
    """Whether a paragraph is a page's row of buttons (see :data:`_ACTION_BAR_RE`): a footer's line."""
    squeezed = "".join(text.replace("\u200b", " ").split())
    return bool(squeezed) and _ACTION_BAR_RE.fullmatch(squeezed) is not None


_PAGE_LINK_RE = re.compile(
    r"(?:上一|下一)[页篇章节题]|返回(?:目录|首页|顶部|上一级)|回到(?:顶部|目录)|[←→«»‹›⬅➡]"
    r"|\b(?:prev(?:ious)?|next)(?:\s+page)?\b(?![.\w-])",
    re.IGNORECASE,
)
"""How a link to the page before or after this one reads (docsify's and a static site's ``[上一页：JavaScript]
(javascript.md) | [下一页：React](react.md)``), at the start of the link's text or before it (or an arrow
at its end). Not ``Next.js``."""
_PAGE_LINK_GLUE = " \t|｜·•/／:：-—–"
"""What stands between the links of a row of page links."""


def _page_links(inline: Token, opening: str) -> bool:
    """Whether a paragraph is only links to other pages, one of them named as the page before or after
    this one (see :data:`_PAGE_LINK_RE`): a page's navigation, a footer's line."""
    children = inline.children or ()
    if not children or not (children[0].type == "link_open" or _PAGE_LINK_RE.match(opening)):
        return False
    named = False
    outside: list[str] = []
    inside: list[str] | None = None
    for child in children:
        if child.type == "link_open":
            inside = []
        elif child.type == "link_close" and inside is not None:
            text = "".join(inside).strip()
            named = named or bool(_PAGE_LINK_RE.match(text)) or text.endswith(("→", "»", "›", "➡"))
            inside = None
        elif child.type in ("text", "softbreak", "hardbreak"):
            (outside if inside is None else inside).append(child.content or " ")
        elif inside is None:
            return False  # anything but a link's text or the glue between links
    glue, found = _PAGE_LINK_RE.subn("", "".join(outside))
    return (named or found > 0) and not glue.strip(_PAGE_LINK_GLUE)


_WISH_RE = re.compile(r"[。！!]\s*祝(?:大家|你|您|各位)[^。！!]*[。！!~～]*$")
"""A short closing paragraph whose last sentence wishes the reader well (``面试官人很好。祝大家都能拿到
心仪的 offer！``)."""


def _ends_wishing(text: str) -> bool:
    """Whether a short paragraph ends wishing the reader well: a closing, as :data:`EPILOGUE_OPENINGS`."""
    text = text.strip()
    return len(text) <= QUESTION_LINE_CHARS + 20 and _WISH_RE.search(text) is not None


_FOOTNOTE_RE = re.compile(r"\[\^[^\]\s]+\]:")
"""A footnote's definition (``[^1]: 《统计学习方法》…``), as chat models with citations end their answers."""


def _footnotes(content: str) -> bool:
    """Whether a paragraph is footnote definitions, each line one: a page's footer, as further reading is
    (see :data:`FOOTER_TITLE`), never the last answer's."""
    return content.startswith("[^") and all(_FOOTNOTE_RE.match(line) for line in content.split("\n"))


def _titled_label(inline: Token, question_label: re.Pattern[str]) -> _Label | None:
    """A question label on a paragraph's second line below a bold title line (``1. **数据隐私保护**`` /
    ``**题目：** 请简要介绍…``, as AI-written 题库 lists write their items): the label, the title shown
    above its text (see :func:`_titled`); else ``None``."""
    children = _children(inline)
    if not children or children[0].type != "strong_open":
        return None  # (most paragraphs: before looking for the line break)
    cut = next((i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")), 0)
    head = children[:cut]
    if not head or head[0].type != "strong_open" or head[-1].type != "strong_close":
        return None
    if sum(1 for child in head if child.type == "strong_open") != 1:
        return None
    _, _, rest = inline.content.partition("\n")
    after = Token("inline", "", 0, content=rest.strip(), children=_lstrip_children(children[cut + 1 :]))
    label = _split_label(after, question_label)
    if label is None or not label.markdown:
        return None
    return _title_shown(head, label)


def _title_shown(title: Sequence[Token], label: _Label) -> _Label:
    """A question label with a title line shown above it. Only shown: the label's Markdown, and so the
    folded text that identifies its note, stay without it."""
    return label._replace(children=[*title, Token("hardbreak", "br", 0), *label.children])


def _lone_answer_label(inline: Token, opening: str, answer_label: re.Pattern[str]) -> _Label | None:
    """A paragraph that is only an answer label of two or more characters, plain and without a colon
    (``答案``, ``参考答案`` on a line of their own: VitePress interview sites write them so), as the bold
    ``**答案**`` alone is; its answer is what follows. ``答`` or ``A`` alone still needs its colon."""
    text = opening.strip()
    match = answer_label.match(text)
    if match is None or match.end() != len(text) or _needs_colon(match) or "\n" in inline.content.strip():
        return None
    if any(child.type != "text" for child in _children(inline)):
        return None  # (only plain text: ``[答案](…)`` is a link)
    return _Label("", [], match.group("label"))


def _options(inline: Token, label: _Label) -> bool:
    """Whether a paragraph that opens with the label ``A`` lists a choice question's options
    (``A: static`` / ``B: final``): a later line opens with ``B``, so ``A`` is an option, not the answer."""
    if label.marker not in ("A", "Ａ"):
        return False
    return any(map(_opens_second_option, inline.content.split("\n")[1:]))


def _opens_second_option(line: str) -> bool:
    """Whether a line opens as a choice question's second option (``B. goto``, ``B：sizeof``)."""
    return bool(_OPTION_RE.match(line)) and line.lstrip()[:1] in "BＢ"


def _label_lines(block: _Block, inline: Token, patterns: _LabelPatterns) -> list[_Found]:
    """``**面试题：** Q`` and ``**答案：** A`` on consecutive lines of one paragraph: one block per labelled
    line (and the lines after it up to the next labelled one). Only when the paragraph opens with a question
    label and a later line opens with an answer label; else ``[]``."""
    content_lines = inline.content.split("\n")
    if len(content_lines) < 2 and "::" not in inline.content:
        return []
    runs = _line_runs(inline)
    if runs is None:
        return []  # a line break inside code: lines and tokens do not match up
    labelled: list[tuple[int, str, _Label, str]] = []  # (run, kind, label, rule: "" for a label's own)
    for index in range(len(runs)):
        piece = _run_line(runs, index, content_lines)
        for kind, pattern in (("question", patterns.question), ("answer", patterns.answer)):
            label = _split_label(piece, pattern)
            if label is not None:
                glued = _glued_answer(label, patterns.answer) if kind == "question" else None
                if glued is not None:
                    labelled.append((index, "question", glued[0], GLUED_LABEL))
                    labelled.append((index, "answer", glued[1], GLUED_LABEL))
                else:
                    labelled.append((index, kind, label, ""))
                break
        else:
            card = _inline_card(piece)
            if card is not None:
                labelled.append((index, "question", card[0], INLINE_CARD))
                labelled.append((index, "answer", card[1], INLINE_CARD))
                continue
            dotted = _dotted_label(piece, patterns, labelled, inline)
            if dotted is not None:
                labelled.append((index, dotted[0], dotted[1], NUMBERED_LABEL))
                continue
            question_line = _question_line(piece, patterns)
            glued_line = _asks_then_answers(question_line[1], patterns.answer) if question_line else None
            if glued_line is not None:  # ``1、Q？ 答：A`` on any line: a pair of its own
                labelled.append((index, "question", glued_line[0], GLUED_LABEL))
                labelled.append((index, "answer", glued_line[1], GLUED_LABEL))
                continue
            if question_line is None and (asked := _plain_question(_unbolded(piece))) is not None:
                question_line = PLAIN_QUESTION, asked  # (``**什么是JVM？**``: the question is what is bold)
            # A later line asks only right above an answer label (``**Q2？**`` / ``答：…`` in one paragraph).
            if index and not _answer_line(runs, index + 1, content_lines, patterns):
                question_line = None
            if question_line is not None:
                labelled.append((index, "question", question_line[1], question_line[0]))
        if not labelled:
            return []  # the paragraph does not open with a question: no need to look at its other lines
    labelled = [
        entry
        for at, entry in enumerate(labelled)
        if entry[3] != NUMBERED_LABEL
        or (entry[1] == "answer" and at and labelled[at - 1][3] == NUMBERED_LABEL)
        or (
            entry[1] == "question"
            and at + 1 < len(labelled)
            and labelled[at + 1][1] == "answer"
            and labelled[at + 1][3] == NUMBERED_LABEL
        )
    ]
    kinds = [kind for _, kind, _, _ in labelled]
    if not labelled or labelled[0][0] != 0 or kinds[0] != "question" or "answer" not in kinds:
        return []
    found: list[_Found] = []
    ends = [*(index for index, _, _, _ in labelled[1:]), len(runs)]
    for (index, kind, label, line_rule), following in zip(labelled, ends, strict=True):
        first = runs[index][0]
        if following == index:  # a question glued to its answer: the line's question part
            last = runs[index + 1][0] if index + 1 < len(runs) else len(content_lines)
            piece = Token("inline", "", 0, children=label.children)
            html = render_inline(label.children)
            found.append(
                _Found(kind, line_rule, block.start + first, block.start + last, html, [piece], label=label)
            )
            continue
        last = runs[following][0] if following < len(runs) else len(content_lines)
        # The lines after the labelled one keep their line breaks.
        tail = [token for _, run in runs[index + 1 : following] for token in (_break(), *run)]
        own = label.children if line_rule in (GLUED_LABEL, INLINE_CARD) else runs[index][1]
        label = label._replace(
            markdown="\n".join([label.markdown, *content_lines[runs[index + 1][0] if tail else last : last]]),
            children=[*label.children, *tail],
        )
        piece = Token("inline", "", 0, children=[*own, *tail])
        rule = line_rule or ("bold-label" if _first_is_bold(piece) else "plain-label")
        html = render_inline(piece.children or [])
        number = ""
        if rule in QUESTION_LINE_RULES:
            number = heading_number(plain_text(Token("inline", "", 0, children=runs[index][1])).strip())
        start, end = block.start + first, block.start + last
        found.append(_Found(kind, rule, start, end, html, [piece], label=label, number=number))
    return found


INLINE_CARD = "inline-card"
"""The rule of a line that is a question and its answer joined by ``::`` (``ArrayList是线程安全的吗？::不是。
^1678777222375``, as Obsidian's spaced-repetition plugins write cards): the question must end in a
question mark, and an Obsidian block id at the end is left off."""
_BLOCK_ID_RE = re.compile(r"\s+\^[A-Za-z0-9-]+\s*$")


def _inline_card(line: Token) -> tuple[_Label, _Label] | None:
    """A line's question and answer around its one ``::`` (see :data:`INLINE_CARD`); else ``None``."""
    content = line.content
    if content.count("::") != 1 or ":::" in content:
        return None
    children = _children(line)
    at = next((i for i, c in enumerate(children) if c.type == "text" and "::" in c.content), None)
    if at is None:
        return None  # (in code or a link: no card)
    before, _, after = children[at].content.partition("::")
    head = [*children[:at], *([_with_content(children[at], before)] if before else [])]
    rest = [*([_with_content(children[at], after)] if after else []), *children[at + 1 :]]
    if rest and rest[-1].type == "text":
        rest[-1] = _with_content(rest[-1], _BLOCK_ID_RE.sub("", rest[-1].content))
    asked, _, told = content.partition("::")
    told = _BLOCK_ID_RE.sub("", told).strip()
    if not ends_asking(plain_text(Token("inline", "", 0, children=head)).strip()) or not told:
        return None
    return _Label(asked.strip(), head), _Label(told, _lstrip_children(rest))


SEPARATED_CARD = "separated-card"
"""The rule of a paragraph whose question lines and answer lines a line of a lone ``?`` parts (Obsidian's
spaced-repetition plugins write a card so when its answer takes several lines)."""


def _separated_card(block: _Block, inline: Token) -> list[_Found]:
    """A :data:`SEPARATED_CARD` paragraph's question and answer; ``[]`` for any other paragraph."""
    lines = inline.content.split("\n")
    at = next((i for i, line in enumerate(lines) if line.strip() == "?"), 0)
    runs = _line_runs(inline) if 0 < at < len(lines) - 1 else None
    if runs is None or len(runs) != len(lines):
        return []  # (a line break inside emphasis or code: no card)
    found: list[_Found] = []
    # (kind, its lines, the paragraph's lines its block covers: the question's take the ``?`` line too)
    for kind, first, last, end in (("question", 0, at, at + 1), ("answer", at + 1, len(lines), len(lines))):
        children = [token for index in range(first, last) for token in (*runs[index][1], _break())][:-1]
        piece = Token("inline", "", 0, content="\n".join(lines[first:last]).strip(), children=children)
        if kind == "question":  # (``什么是 JDK？ #card``: its tags mark the card)
            piece = _without_tags(piece)
            children = list(piece.children or ())
        label = _Label(piece.content, children)
        start, stop = block.start + first, block.start + end
        found.append(_Found(kind, SEPARATED_CARD, start, stop, render_inline(children), [piece], label=label))
    return found


NUMBERED_LABEL = "numbered-label"
"""The rule of ``Q1.``/``A1.`` (or ``Q1、``/``A1、``) lines of one paragraph: labels without a colon, which
count only as a question line followed by an answer line of the same number, or of none (``Q1.`` /
``A.``; not when a later line of the answer opens with ``B.``: then ``A.`` is a choice question's first
option)."""


def _dotted_label(
    piece: Token, patterns: _LabelPatterns, labelled: Sequence[tuple[int, str, _Label, str]], inline: Token
) -> tuple[str, _Label] | None:
    """A :data:`NUMBERED_LABEL` line: a question, or the answer to the numbered question just before it
    (``inline``: the whole paragraph, whose later lines may be a choice question's options)."""
    label = _split_label(piece, patterns.question, dotted=True)
    if label is not None:
        return ("question", label) if label.number else None
    label = _split_label(piece, patterns.answer, dotted=True)
    previous = labelled[-1] if labelled else None
    if (
        label is not None
        and previous is not None
        and previous[1] == "question"
        and previous[3] == NUMBERED_LABEL
        and (
            previous[2].number.lstrip("0") == label.number.lstrip("0")
            or (not label.number and not _options(inline, label))
        )
    ):
        return "answer", label
    return None


def _break() -> Token:
    return Token("softbreak", "br", 0)


PLAIN_QUESTION = "plain-question"
"""The rule of a short line ending in a question mark, neither numbered nor labelled, with an answer label
after it before the next question or heading (``什么是 BFC？`` / ``答：块级格式化上下文。``): on the line
above that label, or as a paragraph of its own (a :data:`BARE_QUESTION` that an answer label follows)."""
QUESTION_LINE_RULES = ("bold-question", "numbered-question", PLAIN_QUESTION)
UNANSWERED_TAIL = N_(
    "{count} numbered questions without answers after this answer (the document lists more questions than "
    "it answers): they are on no card; an answer below each makes them entries"
)


def _unanswered_tail(answer: BlockInfo, answer_blocks: Sequence[BlockInfo]) -> int:
    """How many numbered question lines, two or more, end an answer one after another with nothing
    between them (``20、Redis集群会有写操作丢失吗？`` / ``21、…？``: a list of questions the author did
    not answer, which was the last answer's); 0 when the text before them introduces them (``分为以下几
    类：``: the answer's own points, worded as questions) or they would leave the answer empty."""
    count = 0
    for block in reversed(answer_blocks):
        if block.rule != "numbered-question" or block.end - block.start != 1:
            break
        count += 1
    if count < 2:
        return 0
    before = answer_blocks[-count - 1].folded if count < len(answer_blocks) else answer.head_folded
    return count if before and not before.rstrip().endswith(":") else 0


"""Rules of questions that are only questions when an answer label follows them, or (numbered) in a run of
numbered question lines (see :func:`_unlabelled_runs`)."""


def _question_line(inline: Token, patterns: _LabelPatterns) -> tuple[str, _Label] | None:
    """A numbered line ending in a question mark, bold as a whole (``**1. 什么是梯度爆炸？**``:
    ``bold-question``) or not bold at all (``1、面向对象的特征有哪些？``: ``numbered-question``). It is a
    question only when an answer label follows it (see :func:`_answered_questions`) or in a run of such
    lines (see :func:`_unlabelled_runs`). A question label after the number goes with it
    (``1、问题：Go的slice扩容规则？``)."""
    children = _children(inline)
    content = inline.content.strip()
    if "\n" in content or not children:
        return None
    rule, inner = "numbered-question", inline
    if any(c.type == "strong_open" for c in children) and children[0].type == "text":
        # ``2、**问题：**map是并发安全的吗？``: a bold question label after the number
        numbered = _without_numbering(inline)
        labelled = _split_label(numbered, patterns.question) if numbered is not inline else None
        text = plain_text(inline).strip()
        if labelled is None or not labelled.markdown or not ends_asking(text):
            return None
        if not _counts(heading_number(text)):
            return None
        return rule, labelled._replace(marker="")
    if any(c.type == "strong_open" for c in children):
        bold = _bold_inside(inline)
        if bold is None:
            return None
        rule, inner = "bold-question", bold
    text = plain_text(inner).strip()
    if not _counts(heading_number(text)):
        return None
    numbered = _without_numbering(inner)
    if numbered is inner:
        return None
    label = _Label(numbered.content.strip(), list(numbered.children or ()))
    # Bold as a whole, a short line may ask without a question mark (``**4. 说说HTTP和HTTPS的区别**``): it
    # is one when an answer label follows, or in a run most of whose lines end in one.
    unmarked_may_ask = rule == "bold-question" and len(plain_text(numbered).strip()) <= QUESTION_LINE_CHARS
    if not ends_asking(text) and _asks_then_answers(label, patterns.answer) is None and not unmarked_may_ask:
        return None
    labelled = _split_label(numbered, patterns.question)
    if labelled is not None and labelled.markdown:
        return rule, labelled._replace(marker="")
    return rule, label


def _asks_then_answers(line: _Label, answer_label: re.Pattern[str]) -> tuple[_Label, _Label] | None:
    """A line's question, ending in a question mark, and the answer glued after it
    (``SSH 默认端口？ 答：22。``, see :func:`_glued_answer`); else ``None``."""
    cut = _glued_answer(line, answer_label)
    if cut is None or not cut[1].markdown:
        return None
    asked = plain_text(Token("inline", "", 0, children=cut[0].children)).rstrip()
    return cut if ends_asking(asked) else None


def _plain_question(inline: Token, worded: bool = False) -> _Label | None:
    """A line's question when it is short, ends in a question mark and is not numbered (see
    :data:`PLAIN_QUESTION`); else ``None``. ``worded``: when it asks by its wording instead (see
    :func:`asks_by_wording`), question mark or not."""
    stripped = inline.content.strip()
    plain = plain_text(inline)
    if not (asks_by_wording(plain) if worded else ends_asking(stripped)) or heading_number(stripped):
        return None
    if len(plain.strip()) > QUESTION_LINE_CHARS:
        return None
    return _Label(stripped, list(inline.children or ()))


def _counts(number: str) -> bool:
    """Whether a line's number counts questions: ``1.``, ``2、``, ``（3）``, or in Chinese numerals,
    ``三、``."""
    return number[:1].isdigit() or number[:1] in "一二三四五六七八九十" or _line_count_number(number) > 0


def _bold_inside(inline: Token) -> Token | None:
    """The inside of a one-line paragraph that is one bold span as a whole (``**什么是TCP粘包？**``), else
    ``None``."""
    children = _children(inline)
    content = inline.content.strip()
    if (
        len(children) < 3
        or children[0].type != "strong_open"
        or children[-1].type != "strong_close"
        or "\n" in content
        or sum(1 for c in children if c.type == "strong_open") != 1
        or not content.startswith(children[0].markup)
        or not content.endswith(children[-1].markup)
    ):
        return None
    markup = children[0].markup
    return Token("inline", "", 0, content=content[len(markup) : -len(markup)], children=children[1:-1])


def _answer_line(
    runs: list[tuple[int, list[Token]]], index: int, lines: list[str], patterns: _LabelPatterns
) -> bool:
    """Whether line run ``index`` of a paragraph (see :func:`_line_runs`) opens with an answer label."""
    return index < len(runs) and _split_label(_run_line(runs, index, lines), patterns.answer) is not None


def _run_line(runs: list[tuple[int, list[Token]]], index: int, lines: list[str]) -> Token:
    """Line run ``index`` of a paragraph (see :func:`_line_runs`) as an inline token of its own."""
    first, children = runs[index]
    last = runs[index + 1][0] if index + 1 < len(runs) else len(lines)
    return Token("inline", "", 0, content="\n".join(lines[first:last]), children=children)


def _unbolded(inline: Token) -> Token:
    """A line that is one bold span as a whole, without its bold; any other line as it is."""
    return _bold_inside(inline) or inline


NUMBERED_LINE = "numbered-line"
"""The rule of a paragraph whose first line is short and numbered (``1.RecyclerView的缓存机制``,
``1:你先自我介绍一下？``) with no answer label after it: a question only in a run of such lines (see
:func:`_unlabelled_runs`); else content."""
NUMBERED_REST = "numbered-rest"
"""The lines of a :data:`NUMBERED_LINE` paragraph after its first: the start of the answer when the first
line is a question; when it is not, the paragraph stays whole and this block is dropped."""
NUMBERED_BEFORE = "numbered-before"
"""A paragraph with a :data:`NUMBERED_LINE` after its first line (``…报道。\\n7:你还有其他offer吗？``): the
whole paragraph, with the lines before that one as its label; when that line is a question, only those
lines are content, else the whole paragraph is and the blocks of its later lines are dropped."""
BARE_QUESTION = "bare-question"
"""The rule of a short one-line paragraph that ends in a question mark and is neither numbered nor
labelled (``i++是原子操作吗?``, or bold as a whole: ``**什么是TCP粘包？**``): a question only in a run of
such paragraphs (see :func:`_unlabelled_runs`)."""
WORDED_QUESTION = "worded-question"
"""The rule of a short one-line paragraph that asks by its wording, without a question mark (``请列举至少 3
个常用的评估指标。``, ``简述 RLHF 的流程``, ``Redis 和 Memcached 的区别``): a question only when an
answer label comes right after it and no question above it still waits for its answer (``请举例说明``
below ``什么是闭包？`` is that question's text); else content, and never one of a run of unlabelled
questions. Inside a labelled question's answer it is a follow-up, as a :data:`PLAIN_QUESTION` is."""
_PLAIN_RULES = frozenset(("", WORDED_QUESTION))
"""Rules of a paragraph that is plain text where it is not a question."""
IMPERATIVE_OPENINGS = (
    *("请列举", "请说明", "请解释", "请简述", "请简要", "请描述", "请比较", "请分析", "请阐述", "请写出"),
    *("请谈谈", "请介绍", "请给出", "简述", "列举", "阐述", "概述", "论述", "试述", "谈谈", "说说", "聊聊"),
)
"""How a question without a question mark may open: it asks the reader to do something (``请…``,
``简述…``, ``列举…``)."""


def _worded_question(inline: Token) -> _Label | None:
    """A :data:`WORDED_QUESTION` line's question, else ``None``."""
    stripped = inline.content.strip()
    plain = plain_text(inline).strip()
    if (
        not plain
        or len(plain) > QUESTION_LINE_CHARS
        or plain.endswith((":", "："))
        or any(mark in plain[:6] for mark in (":", "："))  # (``说明：下面是加分项``: a note, labelled)
        or heading_number(stripped)
        or not (plain.startswith(IMPERATIVE_OPENINGS) or asks_by_wording(plain))
    ):
        return None
    return _Label(stripped, list(inline.children or ()))


UNLABELLED_RULES = (NUMBERED_LINE, BARE_QUESTION)
"""Rules of questions that come from a run of unlabelled lines."""
QUESTION_LINE_CHARS = 60
"""A numbered or bare question line is at most this long (its plain text without the number)."""
_LINE_NUMBER_RE = re.compile(
    r"([0-9０-９]{1,3})(?:\x20(?=、|[.．](?:\s|$)))?[.．、:：]|[(（]([0-9０-９]{1,3})[)）]"
    r"|(?P<words>[一二三四五六七八九十]{1,3})[、.．]"
    r"|(?P<keycap>[0-9])\uFE0F?\u20E3"  # 1️⃣, as chat bots number their questions
)
_CHINESE_DIGITS = {digit: value for value, digit in enumerate("一二三四五六七八九", start=1)}


def _chinese_count(words: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23; 0 for anything else (``一一``)."""
    tens, _, units = words.partition("十")
    if "十" not in words:
        return _CHINESE_DIGITS.get(words, 0) if len(words) == 1 else 0
    if (tens and tens not in _CHINESE_DIGITS) or (units and units not in _CHINESE_DIGITS):
        return 0
    return _CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(units, 0)


_QUESTION_MARKS = ("？", "?")
_TRAILING_TAG_RE = re.compile(
    r"(?:\s*(?:[（(【\[][^（）()【】\[\]\n]{1,12}[）)】\]]|[★☆⭐🔥❗❓✨💡️\uFE0F]+))+\s*$"
)
"""What may follow a question's question mark: a tag (``（高频）``, ``【字节】``, ``(美团)``) or stars and
flames (``⭐⭐⭐``, ``🔥``), as question banks mark how often a question is asked."""


def ends_asking(text: str) -> bool:
    """Whether a line ends in a question mark, but for a trailing tag (see :data:`_TRAILING_TAG_RE`) or
    brackets that ask again (see :func:`_asking_aside`), or in a blank to fill in (see :data:`_BLANK_RE`)."""
    text = text.rstrip()
    if text.endswith(_QUESTION_MARKS):
        return True
    if text.endswith(_CLOSING_QUOTES):  # (``“为什么？”``: the question mark inside its quotes)
        return text.rstrip("".join(_CLOSING_QUOTES)).endswith(_QUESTION_MARKS)
    if not text or text[-1] not in _TAG_ENDS:
        if text[-1:] in ".。．":  # (a blank before a full stop: ``… is implemented by ____ .``)
            body = text[:-1].rstrip()
            blank = _BLANK_RE.search(body) if body[-1:] in ("_", "＿", ")", "）") else None
            if blank is None:
                return False
            before = body[: blank.start()][-1:]
            return not (before.isascii() and before.isalnum())  # (not a name: ``__init__.``)
        return False  # (most lines: the patterns need not be tried)
    if text[-1] in "）)" and _asking_aside(text):
        return True
    return _BLANK_RE.search(text) is not None or _TRAILING_TAG_RE.sub("", text).endswith(_QUESTION_MARKS)


def _asking_aside(text: str) -> bool:
    """Whether a line that asks ends in brackets that ask again in other words (``如何创建BFC？（可以触发生成
    BFC的条件有哪些？）``): the question is the line's, however long the brackets. A heading that asks
    nothing before its brackets (``## 写在最后（觉得有用吗？）``) asks nothing."""
    opening = text.rfind("（" if text[-1] == "）" else "(")
    return (
        opening > 0
        and text[:opening].rstrip().endswith(_QUESTION_MARKS)
        and text[opening + 1 : -1].rstrip().endswith(_QUESTION_MARKS)
    )


_BLANK_RE = re.compile(r"(?:(?<![A-Za-z0-9_])[（(][\s\u3000]*[）)]|_{2,}|＿+)$")
"""A blank to fill in at the end of a line, maybe before a full stop (``Java中用于定义常量的关键字是（ ）``,
``…的结果是____``, ``Interrupt system is implemented by ____ .``): an exam question asks so, without a
question mark. Not a call's parentheses (``BLOCKINGQUEUE OFFER()``)."""


_CLOSING_QUOTES = ("”", '"', "」", "』", "’")
_TAG_ENDS = frozenset("）)】]★☆⭐🔥❗❓✨💡\ufe0f_＿")


def _counted_start(line: str) -> bool:
    """Whether a line may open with a count: a digit or a Chinese numeral (see :func:`_line_count_number`)."""
    return line[:1].isdigit() or line[:1] in _CHINESE_DIGITS or line[:1] == "十"


def _line_count_number(number: str) -> int:
    """The count a question line's number gives (``"3."``, ``"3、"``, ``"3:"``, ``"（3）"``, ``"３．"``,
    ``"三、"`` → 3), or 0 for any other numbering (``2.3``, ``（一）``) and for none."""
    match = _LINE_NUMBER_RE.fullmatch(number)
    if match is None:
        return 0
    words = match.group("words")
    if words:
        return _chinese_count(words)
    return int(match.group(1) or match.group(2) or match.group("keycap"))


def _line_runs(inline: Token) -> list[tuple[int, list[Token]]] | None:
    """A paragraph's lines as (first line, children) runs, cut at line breaks that no emphasis spans;
    ``None`` when a line break inside code makes lines and tokens not match up."""
    children = _children(inline)
    runs: list[tuple[int, list[Token]]] = [(0, [])]
    line = depth = 0
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            if depth == 0:
                runs.append((line, []))
                continue
        depth += child.nesting
        runs[-1][1].append(child)
    return runs if line == inline.content.count("\n") else None


def _unlabelled_question(block: _Block, inline: Token, html: str) -> list[_Found]:
    """A paragraph that may hold questions without any label (whether they are depends on their
    neighbours, see :func:`_unlabelled_runs`); ``[]`` for any other paragraph.

    * A short first line numbered with a count is a :data:`NUMBERED_LINE` block (the whole paragraph), the
      rest of the paragraph a :data:`NUMBERED_REST` block.
    * So is a later line that is short, numbered with a count and ends in a question mark, between lines
      that are not numbered (the lines before it are a :data:`NUMBERED_BEFORE` block, the whole
      paragraph, unless the first line is numbered).
    * One short line ending in a question mark is a :data:`BARE_QUESTION`."""
    content = inline.content
    if not content:
        return []
    lines = content.split("\n")
    if not _counted_start(content) and not any(_counted_start(line) for line in lines[1:]):
        if content[0] in "*_" and (asked_first := _bold_question_paragraph(block, inline, html)):
            return asked_first
        if len(lines) > 1:
            return []
        asked = inline
        if content[0] in "*_" and (bold := _bold_inside(inline)) is not None:
            asked = bold  # ``**什么是TCP粘包？**``: the question is what is bold
        label = _plain_question(asked)
        if label is None and asked is not inline:
            label = _plain_question(asked, worded=True)  # ``**说一下MVCC**``: bold, worded as a question
        if label is None:
            worded = _worded_question(inline) if asked is inline else None
            if worded is None:
                return []
            return [_Found("block", WORDED_QUESTION, block.start, block.end, html, block.tokens, 0, worded)]
        return [_Found("block", BARE_QUESTION, block.start, block.end, html, block.tokens, 0, label)]
    runs = _line_runs(inline)
    if runs is None:
        return []
    firsts = [first for first, _ in runs] + [len(lines)]

    def question(index: int) -> tuple[_Label, str] | None:
        first, children = runs[index]
        if not children:
            return None
        head = Token("inline", "", 0, content="\n".join(lines[first : firsts[index + 1]]), children=children)
        text = plain_text(head).strip()
        number = heading_number(text)
        if not _line_count_number(number) or len(text) - len(number) > QUESTION_LINE_CHARS:
            return None
        if not number[:1].isdigit() and not ends_asking(text):
            return None  # ``一、基础`` names a part; ``一、什么是多态？`` asks
        numbered = _without_numbering(head)
        if numbered is head or not numbered.content.strip() or numbered.content[0].isdigit():
            return None  # no text after the number, or a time or ratio (``10:30``, ``3:2``)
        return _Label(numbered.content.strip(), list(numbered.children or ())), number

    def counted(index: int) -> bool:
        return 0 <= index < len(runs) and bool(
            _line_count_number(heading_number(lines[runs[index][0]].strip()))
        )

    questions: dict[int, tuple[_Label, str]] = {}
    if _counted_start(content) and not counted(1) and (first := question(0)) is not None:
        questions[0] = first
    for index in range(1, len(runs)):
        one_line = firsts[index + 1] == firsts[index] + 1
        asks = ends_asking(lines[firsts[index]])
        if one_line and asks and counted(index) and not counted(index - 1) and not counted(index + 1):
            later = question(index)
            if later is not None:
                questions[index] = later
    if not questions:
        return []

    def joined(first: int, last: int) -> list[Token]:
        return [
            token
            for index in range(first, last)
            for token in ((_break(),) if index > first else ()) + tuple(runs[index][1])
        ]

    found: list[_Found] = []
    splits = sorted(questions)
    if splits[0]:
        before = joined(0, splits[0])
        label = _Label("\n".join(lines[: firsts[splits[0]]]), before)
        found.append(_Found("block", NUMBERED_BEFORE, block.start, block.end, html, block.tokens, 0, label))
    for split, following in zip(splits, [*splits[1:], len(runs)], strict=True):
        label, number = questions[split]
        line, after, end = firsts[split], firsts[split + 1], firsts[following]
        if split:
            piece = Token("inline", "", 0, content=lines[line], children=runs[split][1])
            shown = render_inline(runs[split][1])
            found.append(
                _Found(
                    "block",
                    NUMBERED_LINE,
                    block.start + line,
                    block.start + after,
                    shown,
                    [piece],
                    0,
                    label,
                    "",
                    number,
                )
            )
        else:
            found.append(
                _Found(
                    "block", NUMBERED_LINE, block.start, block.end, html, block.tokens, 0, label, "", number
                )
            )
        if after < end:
            rest = joined(split + 1, following)
            piece = Token("inline", "", 0, content="\n".join(lines[after:end]), children=rest)
            found.append(
                _Found(
                    "block",
                    NUMBERED_REST,
                    block.start + after,
                    block.start + end,
                    render_inline(rest),
                    [piece],
                )
            )
    return found


def _bold_question_paragraph(block: _Block, inline: Token, html: str) -> list[_Found]:
    """A paragraph that opens with a bold question and goes on with its answer, on the lines below it
    (``**final 的作用？**`` / ``修饰类不能继承…``) or on the same line (``**static 的作用？** 属于类…``): the
    question a :data:`BARE_QUESTION` (numbered: a :data:`NUMBERED_LINE`) standing for the whole
    paragraph, the rest a :data:`NUMBERED_REST` block. As for a numbered first line, it is a question
    only in a run of such lines; else the paragraph stays whole. ``[]`` for any other paragraph."""
    children = _children(inline)
    content = inline.content
    if len(children) < 4 or children[0].type != "strong_open" or not content.startswith(children[0].markup):
        return []
    close = next((index for index, child in enumerate(children) if child.type == "strong_close"), 0)
    inner = children[1:close]
    markup = children[0].markup
    end = content.find(markup, len(markup))
    if close < 2 or end < 0 or any(c.type in ("softbreak", "hardbreak", "strong_open") for c in inner):
        return []
    rest = children[close + 1 :]
    first = 0
    if rest and rest[0].type in ("softbreak", "hardbreak"):
        first, rest = 1, rest[1:]
        rest_content = content.split("\n", 1)[1]
    else:
        rest = _lstrip_children(rest)
        rest_content = _COLON_RE.sub("", content[end + len(markup) :], count=1).strip()
        if "\n" in content[: end + len(markup)] or not rest_content:
            return []
    if not rest or not rest_content.strip():
        return []
    inside = Token("inline", "", 0, content=content[len(markup) : end], children=inner)
    text = plain_text(inside).strip()
    number = heading_number(text)
    label: _Label | None
    if _line_count_number(number):
        numbered = _without_numbering(inside)
        asks = ends_asking(text) and len(text) - len(number) <= QUESTION_LINE_CHARS
        label = _Label(numbered.content.strip(), list(numbered.children or ())) if asks else None
        rule = NUMBERED_LINE
    else:
        label, rule, number = _plain_question(inside), BARE_QUESTION, ""
    if label is None:
        return []
    question = _Found("block", rule, block.start, block.end, html, block.tokens, 0, label, "", number)
    piece = Token("inline", "", 0, content=rest_content, children=rest)
    # On the question's line, the answer's Markdown is not its lines': it is given as its source.
    source = "" if first else rest_content
    shown = render_inline(rest)
    answer = _Found("block", NUMBERED_REST, block.start + first, block.end, shown, [piece], source=source)
    return [question, answer]


def _question_item(block: _Block, html: str) -> _Found | None:
    """An ordered list of one item that is one short line (``2. 如何解决粘包？``, ``3. 简述DNS解析过程``,
    its answer in the paragraphs after the list): a ``numbered-question`` numbered as the list starts, a
    question when an answer label follows it or in a run of such lines most of which end in a question
    mark (see :func:`_unlabelled_runs`)."""
    tokens = block.tokens
    if len(tokens) != 7 or tokens[3].type != "inline" or not tokens[1].info.isdigit():
        return None
    inline = tokens[3]
    content = inline.content.strip()
    if (
        not content
        or "\n" in content
        or content[0].isdigit()
        or len(plain_text(inline).strip()) > QUESTION_LINE_CHARS
    ):
        return None
    label = _Label(content, list(inline.children or ()))
    number = f"{int(tokens[1].info)}."
    return _Found(
        "question", "numbered-question", block.start, block.end, html, block.tokens, 0, label, "", number
    )


LABELLED_ITEM = "labelled-item"
"""The rule of a list of one item that is one line opening with a question label (``* **面试题：** 简述
HashMap 的结构``, ``1. 问：什么是 GIL？``), its answer in the paragraphs after the list: the question that
line is without its bullet or number, the label taken off as from a paragraph. (Read as any other one-item
list, the label stayed on the card's front, or, without a question mark, the question was lost.)"""


def _labelled_item(block: _Block, html: str, patterns: _LabelPatterns) -> _Found | None:
    """A :data:`LABELLED_ITEM` block, else ``None``."""
    inline = _one_line_item(block)
    label = _split_label(inline, patterns.question) if inline is not None else None
    if inline is None or label is None or not label.markdown or _options(inline, label):
        return None
    if not (ends_asking(label.markdown) or asks_by_wording(label.markdown)):
        return None  # (``- 问题：缓存击穿导致数据库压力骤增``: a point of an answer, stating a problem)
    return _Found("question", LABELLED_ITEM, block.start, block.end, html, block.tokens, 0, label)


def _one_line_item(block: _Block) -> Token | None:
    """The inline token of a list of one item that is one line of text, else ``None``."""
    tokens = block.tokens
    if len(tokens) != 7 or tokens[3].type != "inline" or tokens[2].type != "paragraph_open":
        return None
    return None if "\n" in tokens[3].content.strip() else tokens[3]


QUESTION_BULLET = "question-bullet"
"""The rule of a bullet list of one item that is one short line ending in a question mark
(``- 函数没有返回语句时，有返回值吗？``, its answer in a quote after it: ``> 参考答案：有，返回值是
None。``): a question when an answer label follows it before the next question or heading, as the same
line without its bullet is (a :data:`PLAIN_QUESTION`), or in a run of bare question lines, as the same
line without its bullet would be (``* Handler的机制原理是什么?`` over a fenced answer, three or more in a
row: see :func:`_unlabelled_runs`); else content, a point of the text around it."""


def _question_bullet(block: _Block, html: str) -> _Found | None:
    """A :data:`QUESTION_BULLET` block, else ``None``."""
    inline = _one_line_item(block)
    if inline is None or (label := _plain_question(inline)) is None:
        return None
    return _Found("block", QUESTION_BULLET, block.start, block.end, html, block.tokens, 0, label)


def _first_is_bold(inline: Token) -> bool:
    return "strong_close" in _opening_emphasis(_children(inline))[1]


_MAY_MATTER = frozenset(" #`~")


def split_sections(text: str, starts: array[int] | None = None) -> list[tuple[int, str]]:
    """Cut a document before every ATX heading that starts a line outside a fenced code block.

    Each piece parses to the same blocks alone as inside the whole document (a heading always ends the
    block before it), so pieces can be parsed independently, in parallel, and cached. Returns
    ``(first line, text)`` pairs that join back to ``text``. ``starts`` are the text's
    :func:`line_starts`, if known.

    Whether a fence opened with an indent is still open after a line indented less cannot be told line by
    line: in a list item, the line ends the item and the fence with it; at the top level, it is code.
    Both are followed, and a heading is cut only where neither has a fence open (fewer cuts are always
    safe: a piece is parsed as the whole document parses it).
    """
    lines = text.split("\n")
    cuts = [0]
    fences: set[_Fence | None] = {None}  # what may be open: a fence, or none
    for number, line in enumerate(lines):
        if fences == {None}:
            # Only lines that start with a space, '#', '`' or '~' can open a fence or be a heading.
            if not line or line[0] not in _MAY_MATTER:
                continue
            stripped = line.lstrip(" ")
            opened = _fence_opened(stripped, len(line) - len(stripped))
            if opened is not None:
                fences = {opened}
            elif number > 0 and is_atx_heading(line):
                cuts.append(number)
            continue
        stripped = line.lstrip(" ")
        if not stripped:
            continue  # a blank line ends neither a fence nor a list item
        indent = len(line) - len(stripped)
        following: set[_Fence | None] = set()
        for fence in fences:
            if fence is None:
                following.add(_fence_opened(stripped, indent))
                continue
            if indent < fence.indent:  # the list item the fence was in may end here, and the fence with it
                following.add(_fence_opened(stripped, indent))
            following.add(None if _fence_closed(fence, stripped, indent) else fence)
        fences = following
    cuts.append(len(lines))
    starts = line_starts(text) if starts is None else starts
    return [(a, text[starts[a] : starts[b]]) for a, b in pairwise(cuts) if b > a]


class _Fence(NamedTuple):
    """An open fenced code block, as :func:`split_sections` follows it."""

    marker: str
    """Its opening run of backticks or tildes (a closing run is at least as long)."""
    indent: int
    """The spaces before its opening run."""


def _fence_opened(stripped: str, indent: int) -> _Fence | None:
    """The fence a line (``stripped`` of its ``indent`` spaces) opens, if it opens one."""
    if indent > 3 or stripped[:3] not in ("```", "~~~"):
        return None
    marker = stripped[0]
    run = len(stripped) - len(stripped.lstrip(marker))
    if marker == "`" and "`" in stripped[run:]:
        return None  # a backtick fence's info string holds no backtick: this is inline code
    return _Fence(marker * run, indent)


def _fence_closed(fence: _Fence, stripped: str, indent: int) -> bool:
    """Whether a line closes the fence: a run of its marker at least as long, and nothing else."""
    bare = stripped.strip()
    return indent <= 3 and stripped.startswith(fence.marker) and bare == fence.marker[0] * len(bare)


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
    skipping: bool = False
    """Inside a section between a question section and its answer section (left out)."""
    cited: bool = False
    """Whether a pair it cites interrupted it (see :func:`_quotes_pair`): its blocks are not one run of the
    document's lines."""
    fold_depth: int = 0
    """For an answer that a fold's summary opened (see :data:`FOLD_ANSWER`): how many folds are open; the
    entry ends where it drops to 0 (its fold's ``</details>``)."""

    @property
    def answer_open(self) -> bool:
        """Whether an answer label may still start its answer: it has none, or only a fold's summary with
        nothing below it yet (``<summary>答案</summary>`` then ``**答案：**``)."""
        return self.answer is None or (
            self.answer.rule == FOLD_ANSWER and all(block.rule in FOLD_RULES for block in self.answer_blocks)
        )

    @property
    def tentative(self) -> bool:
        """Whether its question is a heading without a question mark (see :func:`_may_ask`) or the body
        of a bare question-label heading (see :data:`QUESTION_ANSWER_SECTIONS`)."""
        return self.question.rule in ("heading-without-mark", QUESTION_ANSWER_SECTIONS)

    @property
    def awaits_answer_section(self) -> bool:
        """Whether it is a question section's entry still without its answer section."""
        return self.question.rule == QUESTION_ANSWER_SECTIONS and self.answer is None

    def set_answer(self, block: BlockInfo) -> None:
        """Start the answer at an answer label; a ``<details>`` fold right before it is left out."""
        self.pending_headings.clear()
        self.skipping = False  # a question section's answer section has come
        while self.question_blocks and self.question_blocks[-1].rule in (*FOLD_RULES, "thematic-break"):
            self.question_blocks.pop()  # (a ``---`` between a question heading and ``#### Answer：`` too)
        self.answer = block

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
    """Start lines of question blocks that an answer label follows before the next question or heading (a
    heading that is an answer label, ``### 答案：B``, is a heading: it ends the section the question is
    in, and a document read section by section sees it only in the next one)."""
    answered: set[int] = set()
    waiting: int | None = None
    waiting_rule = ""
    waiting_level = 0
    for block in blocks:
        if block.rule == WORDED_QUESTION and waiting is not None:
            continue  # (``请举例说明`` below a question still waiting for its answer: that question's text)
        if block.kind == "question" or _answerable_line(block):
            if (
                block.rule in _ASKED_RULES
                and waiting is not None
                and waiting_rule not in _ASKED_RULES
                and not waiting_level
            ):
                continue  # a bold line below a labelled question does not take that question's answer
            # (Below a question heading it does: see _follow_up, which keeps both in that entry.)
            waiting, waiting_rule, waiting_level = block.start, block.rule, block.level
        elif block.kind in ("heading", "break") or block.level:
            waiting = None
        elif waiting_rule == WORDED_QUESTION and block.kind not in ("answer", "answer-side"):
            waiting = None  # (only an answer label right after it makes such a line a question)
        elif block.kind in ("answer", "answer-side") and waiting is not None:
            if waiting_rule != BARE_QUESTION or block.rule != FOLD_ANSWER:  # a fold has its own rule
                answered.add(waiting)
            waiting = None
    return answered


_ANSWERABLE_RULES = frozenset((BARE_QUESTION, QUESTION_BULLET, WORDED_QUESTION))
"""Rules of short bare lines that are questions when an answer label follows them."""
_ASKED_RULES = frozenset((*QUESTION_LINE_RULES, *_ANSWERABLE_RULES))
"""Rules of lines that are questions when an answer label follows them (see :func:`_answered_questions`)."""


def _bare_line(block: BlockInfo) -> bool:
    """A short bare question line, as a paragraph or a bullet of its own."""
    return block.rule in _BARE_RULES


def _answerable_line(block: BlockInfo) -> bool:
    """A short bare question line, as a paragraph or a bullet of its own: a question when an answer label
    follows it (see :func:`_answered_questions`)."""
    return block.rule in _ANSWERABLE_RULES


class _Run(NamedTuple):
    """Unlabelled question lines of one section that may be its questions (see :func:`_unlabelled_runs`)."""

    rule: str
    """:data:`NUMBERED_LINE` or :data:`BARE_QUESTION`."""
    members: tuple[int, ...]
    """Start lines of its blocks."""
    bodied: int
    """How many of them have content after them (an answer)."""
    marked: int
    """How many of them end with a question mark."""
    opens: bool
    """Whether it is the section's first numbered run and counts from 1."""
    passed: tuple[int, ...] = ()
    """Start lines of numbered questions with an answer label of their own that it counts past (``5:说说你的
    优缺点？`` / ``参考回答：…`` among unlabelled ``4:`` and ``6:``): entries anyway, they do not end it."""

    def shaped(self) -> bool:
        """Whether its shape alone makes it a run of questions (when they name the genre or ask)."""
        if self.rule == BARE_QUESTION:
            return len(self.members) >= UNLABELLED_RUN and self.bodied == len(self.members)
        return len(self.members) >= UNLABELLED_RUN and self.bodied * 3 >= len(self.members) * 2

    def asks(self) -> bool:
        """Whether most of its lines end with a question mark."""
        return _mostly(self.marked, len(self.members))


_BARE_RULES = frozenset((BARE_QUESTION, QUESTION_BULLET))
"""Rules of the lines of a bare run (see :func:`_unlabelled_runs`)."""
_RUN_RULES = frozenset((NUMBERED_LINE, *_BARE_RULES, *QUESTION_LINE_RULES))
UNLABELLED_RUN = 3
"""At least this many unlabelled question lines in a row, most with an answer after them, make a run of
questions (see :func:`_unlabelled_runs`)."""


def _bodied(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether content (an answer, if block ``index`` is a question line) follows block ``index``."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return (
        following is not None
        and not following.level
        and following.rule not in _RUN_RULES
        and following.kind in ("block", "epilogue")
    )


SKIPPED_NUMBERS = 2
"""How many numbers a run of numbered questions may skip: deleting an entry or two leaves such a gap."""


def _counts_on(number: int, count: int) -> bool:
    """Whether a line numbered ``number`` goes on from one numbered ``count``: the next number, the same
    one again, or one a deleted entry or two left out (see :data:`SKIPPED_NUMBERS`)."""
    return count <= number <= count + 1 + SKIPPED_NUMBERS


def _jumps_on(number: int, count: int, bodied: bool, marked: bool) -> bool:
    """Whether a line numbered past the gap :func:`_counts_on` allows still goes on from ``count``: one that
    asks, with an answer after it (an author who deleted five entries leaves a larger gap). Read as
    content instead, it and the questions after it fell into the answer above. A line that does not ask
    (``12. 总结``) is more often a closing note numbered on from the list."""
    return number > count and bodied and marked


def _unlabelled_runs(blocks: Sequence[BlockInfo], answered: set[int]) -> list[_Run]:
    """The runs of unlabelled question lines in blocks, section by section (a heading ends them).

    Numbered lines (:data:`NUMBERED_LINE`, and :data:`QUESTION_LINE_RULES` lines without an answer label:
    ``**1. 什么是…？**``, one-item ordered lists ``2. 如何…？``) run while each one counts on from the one
    before (see :func:`_counts_on`); bare lines (:data:`BARE_QUESTION`, and :data:`QUESTION_BULLET` bullets
    of their own) run to the end of their section. A labelled question or answer ends both. A run of
    questions that asks and meets a line numbered 1 is paused, not ended: an answer may number its own
    points (``**1. RDB**``, ``**2. AOF**``), and the next line that asks and counts on from the paused run
    (``**3. 数据类型有哪些？**``) takes it up again, the points left as that answer's content (see
    :func:`_resumes`)."""
    runs: list[_Run] = []
    numbered: list[tuple[int, bool, bool]] = []  # (start, bodied, marked)
    # A paused run (see above): its members, count, opens and passed.
    paused: tuple[list[tuple[int, bool, bool]], int, bool, list[int]] | None = None
    bare: list[tuple[int, bool, bool]] = []
    passed: list[int] = []  # labelled numbered questions the numbered run counts past
    count = 0
    first_numbered = True
    passing = False  # the block before was such a question: its answer label does not end the run

    def flush(members: list[tuple[int, bool, bool]], rule: str, opens: bool = False) -> None:
        if members:
            runs.append(
                _Run(
                    rule,
                    tuple(start for start, _, _ in members),
                    sum(1 for _, bodied, _ in members if bodied),
                    sum(1 for _, _, marked in members if marked),
                    opens,
                    tuple(passed) if rule == NUMBERED_LINE else (),
                )
            )
        members.clear()
        if rule == NUMBERED_LINE:
            passed.clear()

    def flush_numbered(opens: bool) -> None:
        nonlocal paused
        if paused is not None:
            inner, inner_passed = numbered.copy(), passed.copy()
            numbered[:], _, paused_opens, passed[:] = paused
            paused = None
            flush(numbered, NUMBERED_LINE, paused_opens)
            numbered[:], passed[:] = inner, inner_passed
        flush(numbered, NUMBERED_LINE, opens)

    opens = False
    for index, block in enumerate(blocks):
        rule = block.rule
        if rule == NUMBERED_REST:
            continue
        if passing and block.kind == "answer":
            passing = False
            continue
        passing = False
        number = _line_count_number(block.number)
        if (
            rule in QUESTION_LINE_RULES
            and block.start in answered
            and numbered
            and _counts_on(number, count)
            and not block.level
        ):
            passed.append(block.start)
            count, passing = number, True
            continue
        is_numbered = (
            rule == NUMBERED_LINE
            or (
                rule in QUESTION_LINE_RULES
                and rule != PLAIN_QUESTION
                # (``三、…？`` is a question only before an answer label; ``（1）`` counts like ``1.``)
                and (block.number[:1].isdigit() or number > 0)
                and block.start not in answered
            )
        )
        if rule in QUESTION_LINE_RULES and not is_numbered and block.start not in answered:
            continue  # content, as no answer label follows it
        asked = (block.kind in ("question", "answer") and not _states_a_problem(block, answered)) or (
            _bare_line(block) and block.start in answered
        )
        if block.level or (asked and not is_numbered):
            flush_numbered(opens)
            flush(bare, BARE_QUESTION)
            first_numbered = bool(block.level) or first_numbered
            continue
        if not is_numbered and rule not in _BARE_RULES:
            continue
        bodied = _bodied(blocks, index)
        marked = ends_asking(block.text.rstrip().rstrip("*"))  # (``2. **如何…？**``: bold, still asks)
        if rule in _BARE_RULES:
            bare.append((block.start, bodied, marked))
            continue
        if paused is not None and _resumes(numbered, number, paused[1], bodied, marked):
            numbered[:], _, opens, passed[:] = paused
            paused = None
            numbered.append((block.start, bodied, marked))
        elif numbered and (_counts_on(number, count) or _jumps_on(number, count, bodied, marked)):
            numbered.append((block.start, bodied, marked))
        elif number == 1 and paused is None and _asking(numbered):
            paused = (numbered.copy(), count, opens, passed.copy())
            numbered[:], passed[:], opens = [(block.start, bodied, marked)], [], False
        else:
            flush_numbered(opens)
            opens = first_numbered and number == 1
            numbered.append((block.start, bodied, marked))
        count = number
        first_numbered = False
    flush_numbered(opens)
    flush(bare, BARE_QUESTION)
    return runs


def _asking(members: Sequence[tuple[int, bool, bool]]) -> bool:
    """Whether a run's members (start, bodied, marked) are there and mostly end with a question mark."""
    return bool(members) and _mostly(sum(1 for _, _, marked in members if marked), len(members))


def _mostly(marked: int, total: int) -> bool:
    """Whether ``marked`` of ``total`` lines are at least half of them (see :meth:`_Run.asks`)."""
    return marked * 2 >= total


def _resumes(
    inner: Sequence[tuple[int, bool, bool]], number: int, count: int, bodied: bool, marked: bool
) -> bool:
    """Whether a line numbered ``number`` takes up a paused run numbered up to ``count`` (see
    :func:`_unlabelled_runs`): it asks, has its answer below and counts on from the paused run, and the
    lines numbered since do not ask (they were an answer's points, not a new list of questions)."""
    return marked and bodied and number > count and _counts_on(number, count) and not _asking(inner)


def assemble(document: Document, blocks: Sequence[BlockInfo]) -> ParseResult:
    """Turn a document's blocks (with document line numbers) into entries and problems."""
    part = assemble_part(document, blocks, document_openers([section_facts(blocks)]))
    return document_result(document, part.entries, part.problems)


def document_result(document: Document, entries: Sequence[Entry], problems: Sequence[Problem]) -> ParseResult:
    """A whole document's entries and problems, with a warning when it has no entry at all."""
    if not entries:
        problems = (*problems, empty_document_problem(document))
    return ParseResult(tuple(entries), tuple(problems))


CLOSING_CUT = N_(
    "the answer above ends before this line: what follows reads as a closing (a sign-off, a source line, "
    "further reading or a summary) and is on no card"
)
"""Said of the text cut from the end of an answer (see :func:`_further_reading` and the epilogues):
cutting it is right for most documents, but it is text the deck does not hold."""

CODE_LABEL_HINT = N_(
    "a code block holds lines that start with a question label; code is never read as entries "
    "(if the fence is a mistake, close it before the entries)"
)


def empty_document_problem(document: Document) -> Problem:
    """The warning for a document without entries."""
    return Problem(document.path, 0, Severity.WARNING, _("no 面试题/答案 entries found"))


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
    title: str | None = None
    """The topic of its first heading (``None``: it has none): the document's title, if it comes first."""
    headings: tuple[tuple[int, int, int], ...] = ()
    """Its headings by level: (level, how many are questions or worded as questions (see
    :func:`asks_by_wording`), how many are other headings that are no summary or further-reading
    title)."""
    numbered: int = 0
    """Its runs of numbered question lines (see :func:`_unlabelled_runs`): 2 when one has the shape of
    questions and asks, 1 when one only has the shape, else 0."""

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
    title = next((block.topic for block in blocks if block.level), None)
    counts: dict[int, list[int]] = {}
    for block in blocks:
        if block.level and block.kind in ("question", "heading") and block.rule != "closing":
            asks = block.kind == "question" or (block.rule in MAY_ASK_RULES and asks_by_wording(block.topic))
            counts.setdefault(block.level, [0, 0])[not asks] += 1
    headings = tuple((level, questions, others) for level, (questions, others) in sorted(counts.items()))
    numbered = max(
        (
            1 + run.asks()
            for run in _unlabelled_runs(blocks, _answered_questions(blocks))
            if run.rule == NUMBERED_LINE and run.shaped()
        ),
        default=0,
    )
    return SectionFacts(
        first.kind,
        first.level,
        first.rule,
        first.marker,
        last.kind,
        openers,
        references,
        title,
        headings,
        numbered,
    )


def document_openers(sections: Sequence[SectionFacts]) -> frozenset[str]:
    """What assembling any section of a document needs to know of the whole, from its sections' facts.

    * :func:`opening_markers` of the whole document: the openers inside each section, and a question that
      opens a section right after one that ends with a heading;
    * :func:`title_tag` of the document's title, and :data:`GENRE_TAG` when it names the genre (see
      :func:`names_genre`);
    * :data:`NUMBERED_TAG` when a section has a run of numbered question lines (see :func:`_unlabelled_runs`);
    * :func:`question_level_tag` of each heading level whose headings are mostly questions.
    """
    openers = {marker for facts in sections for marker in facts.openers}
    openers.update(
        facts.marker
        for before, facts in pairwise(sections)
        if facts.kind == "question" and facts.marker and before.last_kind == "heading"
    )
    title = next((facts.title for facts in sections if facts.title is not None), None)
    if title is not None:
        # As the heading stack holds it: a heading of symbols alone leaves no topic.
        openers.add(title_tag(title if _undecorated(title) else ""))
    if title and names_genre(title):
        openers.add(GENRE_TAG)
    numbered = max((facts.numbered for facts in sections), default=0)
    if numbered > 1 or (numbered and GENRE_TAG in openers):
        openers.add(NUMBERED_TAG)
    counts: dict[int, list[int]] = {}
    for facts in sections:
        for level, questions, others in facts.headings:
            total = counts.setdefault(level, [0, 0])
            total[0] += questions
            total[1] += others
    openers.update(
        question_level_tag(level)
        for level, (questions, others) in counts.items()
        if questions >= QUESTION_SIBLINGS and questions >= others
    )
    openers.update(
        mixed_level_tag(level)
        for level, (questions, others) in counts.items()
        if QUESTION_SIBLINGS <= questions < others
    )
    return frozenset(openers)


GENRE_TAG = "\x00genre"
"""In :func:`document_openers`: the document's title names the genre."""
NUMBERED_TAG = "\x00numbered lines"
"""In :func:`document_openers`: a section of the document has a run of numbered question lines (that asks,
or under a title that names the genre): then a section's first numbered run, counting from 1, is one of
questions however short it is."""
QUESTION_SIBLINGS = 2
"""At least this many question headings at one level (and no fewer than the other headings there) make
that level one of questions."""


def title_tag(title: str) -> str:
    """In :func:`document_openers`: the topic of the document's first heading, its title (the text right
    below it introduces the document: in no entry, it needs no word)."""
    return f"\x00title {title}"


def question_level_tag(level: int) -> str:
    """In :func:`document_openers`: the headings of this level are mostly questions."""
    return f"\x00questions at level {level}"


def mixed_level_tag(level: int) -> str:
    """In :func:`document_openers`: some headings of this level are questions, but fewer than the others
    (those stay topics; a numbered one with text right below it and no entry gets a warning)."""
    return f"\x00some questions at level {level}"


EMPTY_QUESTION_LEVEL_HEADING = N_(
    "heading at a level of question headings, with nothing below it: no card (write its answer below it, "
    "or make it a heading of a deeper level's questions)"
)
"""Said of a heading without a question mark among headings that are mostly questions, with no body."""
MAY_ASK_RULES = ("numbered", "heading")
"""Rules of headings that may ask in the right context (see :func:`_may_ask`)."""


class _Context(NamedTuple):
    """What decides whether a heading without a question mark is a question (see :func:`_may_ask`)."""

    headings: list[tuple[int, str]]
    openers: frozenset[str]
    document: Document


def _may_ask(rule: str, level: int, context: _Context) -> bool:
    """Whether a heading without a question mark opens a question (if it has a body and no labelled entry
    or question below it): its siblings are mostly questions, or, for a numbered heading, the document's
    title, its file name or a section around it names the genre."""
    if rule not in MAY_ASK_RULES:
        return False
    if question_level_tag(level) in context.openers:
        return True
    return rule == "numbered" and (
        GENRE_TAG in context.openers
        or names_genre(_document_topic(context.document.name))
        or any(names_genre(topic) for above, topic in context.headings if above < level)
    )


def _may_title_a_page(block: BlockInfo | Opening) -> bool:
    """Whether a block (or how a section opens) is a ``#`` question heading: one :func:`_asking_titles`
    may find to title a page of questions."""
    return block.level == 1 and block.kind == "question" and block.rule == "heading-question"


def _asking_titles(
    blocks: Sequence[BlockInfo],
    runs: Mapping[int, _Run],
    context: _Context,
    next_opening: Opening | None,
    answered: set[int],
) -> set[int]:
    """The starts of ``#`` headings that ask but title a page of questions (a 知乎 question,
    ``# 有哪些常见的MySQL面试题？``): questions follow right below, before any other heading (a labelled
    question, a run of question lines, or a deeper question heading), so the heading is no question of
    its own. Only the blocks up to the next heading are looked at, and how the next section opens: a
    document read section by section decides as a whole one does."""
    titles: set[int] = set()
    for index, block in enumerate(blocks):
        if not _may_title_a_page(block) or block.number:
            continue  # (a numbered one, ``# 一 在go语言中，new和make的区别？``, is one of the questions)
        below = next((later for later in blocks[index + 1 :] if later.level), None)
        if below is not None:
            following = below.level > 1 and below.kind == "question"
        else:
            following = (
                next_opening is not None and next_opening.level > 1 and next_opening.kind == "question"
            )
        for later in blocks[index + 1 :]:
            if later.level or following:
                break
            run = runs.get(later.start)
            # (``问题：…`` that states a problem, no question mark, is part of the heading's answer)
            labelled = later.kind == "question" and later.rule in ("bold-label", "plain-label")
            following = (labelled and not _states_a_problem(later, answered)) or (
                run is not None and later.start == run.members[0] and _run_asks(run, context)
            )
        if following:
            titles.add(block.start)
    return titles


SKIPPED_BARE_QUESTION = N_(
    "a question line with text below it, in no entry: neither is on any card; label them 面试题/答案, or "
    "make the question a heading"
)
"""Said of a bare question line (:data:`BARE_QUESTION`) with content below it that no entry takes: fewer
than :data:`UNLABELLED_RUN` in a row, or below a heading that turned out to be a title."""


def _skipped_bare_question(
    block: BlockInfo, blocks: Sequence[BlockInfo], index: int, context: _Context
) -> bool:
    """Whether ``block`` (at ``index``), in no entry, is a bare question line with content below it,
    outside an aside section: both are on no card (see :data:`SKIPPED_BARE_QUESTION`)."""
    return _bare_line(block) and _bodied(blocks, index) and not _aside(context)


def _aside(context: _Context) -> bool:
    """Whether the section is under a heading such as 前言 or 简介, whose questions are rhetorical."""
    return bool(context.headings) and _undecorated(context.headings[-1][1]).casefold() in ASIDE_HEADINGS


def _run_opens(run: _Run, current: _Open | None, before: BlockInfo | None) -> bool:
    """Whether a run of unlabelled question lines may open entries where it begins: outside any entry, or,
    when it asks and has the shape of questions, after the answer of a question from another such run
    (a second list, numbered from 1 again under ``下面是进阶题。``, is questions, not that answer's text),
    unless the text right before it introduces it (``常见追问：``: the answer's follow-ups, which ``为什么？``
    makes no card of its own)."""
    if current is None:
        return True
    introduced = before is not None and before.folded.rstrip().endswith(":")
    return current.question.rule in UNLABELLED_RULES and run.asks() and run.shaped() and not introduced


def _run_asks(run: _Run, context: _Context) -> bool:
    """Whether a run of unlabelled question lines (see :func:`_unlabelled_runs`) is one of questions: bare
    lines by their shape alone; numbered lines when they ask (most end in a question mark) or the
    document's title, its file name or a heading above them names the genre, and the run has the shape
    of questions or is the first of its section, counting from 1, in a document that has such a run."""
    if _aside(context):
        return False  # lines under 前言, 简介, …
    if run.rule == BARE_QUESTION:
        return run.shaped()
    if not run.bodied or not (
        run.asks()
        or GENRE_TAG in context.openers
        or names_genre(_document_topic(context.document.name))
        or any(names_genre(topic) for _, topic in context.headings)
    ):
        return False
    return run.shaped() or (run.opens and NUMBERED_TAG in context.openers)


def _is_title(
    current: _Open | None, kind: str, rule: str, level: int, marker: str, context: _Context
) -> bool:
    """Whether a block shows that the heading an open entry's question came from (by :func:`_may_ask`) is
    a title after all: a labelled question below it before any answer label; or, below it, a deeper
    question heading or a deeper heading that may ask (one that cannot is a point of its answer: ``###
    悲观锁`` under ``## 13. 数据库的乐观锁和悲观锁。``). A heading worded as a question (see
    :func:`asks_by_wording`) is a title only when a question comes before its body. A quiz-number or
    bare question-label heading's entry (see :data:`QUIZ_NUMBER`) is a title when a deeper question, or
    question-label or quiz-number heading, comes before its answer."""
    if (
        current is not None
        and current.question.rule == QUIZ_HEADINGS
        and current.answer is None
        and level > current.level
        and (kind == "question" or rule in (QUESTION_LABEL_HEADING, QUIZ_NUMBER, QUESTION_SECTION))
    ):
        return True
    if current is None or not current.tentative or current.answer is not None:
        return False
    # A heading worded as a question is a title only if questions come before any body; its own
    # sub-headings (``#### JVM`` under ``### JVM vs JDK vs JRE``) are part of its answer.
    if not level:
        if not (kind == "question" and marker):
            return False
    elif level <= current.level or (kind != "question" and not _may_ask(rule, level, context)):
        return False
    return not current.question_blocks or not asks_by_wording(current.question.topic)


def _paragraph_text(text: str, starts: array[int], block: BlockInfo) -> str:
    """A paragraph's source text on one line, without emphasis marks or decorating symbols."""
    source = text[starts[block.start] : starts[min(block.end, len(starts) - 1)]]
    return _undecorated(" ".join(source.replace("*", "").split()))


_REFERENT_END_RE = re.compile(r"[，,。；;：:、！!？?\s]")


TITLE_REFERENT_LETTERS = 3
"""How long the words after ``通过以上`` that the title holds must be for :func:`_closes_document`: the
two of ``通过以上分析``, ``通过以上配置`` or ``通过以上优化`` sum up an answer as often as a document."""


def _closes_document(paragraph: str, context: _Context) -> bool:
    """Whether a closing paragraph (see :data:`EPILOGUE_OPENINGS`) closes the document rather than the answer
    above it: it speaks to the reader (:data:`READER_CLOSING_OPENINGS`), or it sums up what the document's
    title names (``通过以上技术亮点，…`` under ``## OpenAI的GPT-4.0展示的技术亮点``). Then it is on no card
    wherever it stands, so an entry added below the last one leaves that one's card as it was."""
    if paragraph.startswith(READER_CLOSING_OPENINGS):
        return True
    opening = next((o for o in SUMMING_UP_OPENINGS if paragraph.startswith(o)), None)
    if opening is None:
        return False
    referent = _REFERENT_END_RE.split(paragraph[len(opening) :], maxsplit=1)[0]
    prefix = title_tag("")
    title = next((o[len(prefix) :] for o in context.openers if o.startswith(prefix)), "")
    return len(referent) >= TITLE_REFERENT_LETTERS and referent in title


def section_context(
    headings: tuple[tuple[int, str], ...], facts: SectionFacts
) -> tuple[tuple[int, str], ...]:
    """The part of the heading stack the sections before it left that a section's assembly depends on:
    the headings its first block pops anyway (as :func:`assemble_part` does) do not make it differ."""
    if (facts.kind == "heading" and facts.rule != "closing") or (
        facts.kind == "question" and facts.level > 1  # (a ``#`` one may take the title: _title_above)
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
    markers = frozenset(opener for opener in openers if not opener.startswith("\x00"))
    context = _Context(headings, openers, document)
    runs = {start: run for run in _unlabelled_runs(blocks, answered) for start in run.members}
    asking: set[_Run] = set()  # runs whose lines are questions
    whole_until = 0  # a paragraph that stays whole ends here: the blocks of its lines are in it already
    list_until = 0  # a list read whole into an open entry ends here (see WHOLE_LIST)
    loose: list[BlockInfo] = []  # content blocks in no entry, right before this block
    unplaced: list[BlockInfo] = []  # the same, below a section's heading: on no card, and said so
    warned_body = -1  # the start of the body of a bare question line warned of (see SKIPPED_BARE_QUESTION)
    unread: list[BlockInfo] = []  # a numbered topic heading among question headings, and text below it
    host: _Open | None = None  # an entry whose answer a quoted or listed pair interrupts (see _quotes_pair)
    cited = False  # whether one did
    follow_up = 0  # 1 + the start of the last question line kept inside the open entry (see _follow_up)
    outside: list[int] = []  # the first entry outside any heading, once said
    first_heading = [len(starts) + 1]  # the line of the part's first heading, once met
    list_end = 0  # where the last list (or table) read as entries ends
    skipped_said = False  # whether the section left out between a question and an answer section was said

    def check_unread() -> None:
        # Its text, in no entry, is on no card: a question heading without a question mark, most likely.
        if len(unread) > 1:
            warn(
                unread[0].start + 1,
                _(
                    "numbered heading read as a topic, not a question (other headings of its level are "
                    "questions): the text below it is on no card; end the heading with ？, or name the genre "
                    "(面试题) in the document's title or file name to make numbered headings questions"
                ),
            )
        unread.clear()

    def warn(line: int, message: str) -> None:
        problems.append(Problem(document.path, line, Severity.WARNING, message))

    def hint(line: int, message: str) -> None:
        problems.append(Problem(document.path, line, Severity.HINT, message))

    def add_entry(line: int, topic: str, question_md: str, answer_md: str, rule: str) -> None:
        # An entry made of pieces of blocks (list items): rendered and folded here, not with the scan.
        entries.append(
            Entry(
                path=document.path,
                document=document.name,
                line=line,
                topic=topic or _document_topic(document.name),
                question_md=question_md,
                answer_md=answer_md,
                question_html=render_markdown(question_md),
                answer_html=render_markdown(answer_md),
                question_folded=fold(question_md),
                answer_folded=fold(answer_md),
                rule=rule,
            )
        )

    def flush_unplaced() -> None:
        if unplaced:
            if all(block.rule == ANSWER_LINK for block in unplaced):
                hint(unplaced[0].start + 1, _(LINKED_CONTENT))
            elif all(block.rule == QUESTION_LIST for block in unplaced):
                warn(unplaced[0].start + 1, _(QUESTION_LIST_TEXT))
            elif all(block.rule == "numbered-question" for block in unplaced):
                # (A hint: a table of contents of questions answered further down is common.)
                hint(unplaced[0].start + 1, _(UNANSWERED_LINES_TEXT))
            else:
                warn(unplaced[0].start + 1, _(UNPLACED_TEXT))
            unplaced.clear()

    def join(head: BlockInfo, blocks_: list[BlockInfo], pieces: bool = False) -> tuple[str, str, str]:
        # The folded text is joined from the blocks' folds (computed, and cached, with the scan): the
        # same as folding the joined Markdown, white space between blocks becoming one space.
        if pieces:  # (without the lines of the pair between them)
            source = "\n\n".join(
                (block.source or text[starts[block.start] : starts[block.end] - 1]).strip("\n")
                for block in blocks_
            ).strip()
        elif any(block.source for block in blocks_) or any(
            text[starts[a.end] : starts[b.start]].strip() for a, b in pairwise(blocks_)
        ):
            # (block by block also when a block between them is left out: the Markdown is of these only)
            source = "\n\n".join(
                block.source or text[starts[block.start] : starts[block.end] - 1] for block in blocks_
            ).strip()
        else:
            source = text[starts[blocks_[0].start] : starts[blocks_[-1].end] - 1].strip() if blocks_ else ""
        markdown_ = "\n\n".join(part for part in (head.text, source) if part)
        html = "\n".join(part for part in (head.head_html, *(b.html for b in blocks_)) if part)
        folded = " ".join(part for part in (head.head_folded, *(b.folded for b in blocks_)) if part)
        return markdown_, html, folded

    def as_title() -> None:
        # The open entry's heading is a title after all: the question lines below it are on no card.
        nonlocal current
        body = current.question_blocks if current is not None else []
        warned = False
        for index, block in enumerate(body):
            if _skipped_bare_question(block, body, index, context):
                warn(block.start + 1, _(SKIPPED_BARE_QUESTION))
                warned = True
        shown = [block for block in body if _shows(block)]
        if shown and not warned:
            hint(shown[0].start + 1, _(TITLE_BODY))
        current = None

    def close(at_part_end: bool, next_is_question: bool = False, at_document_end: bool = False) -> None:
        nonlocal current
        entry, current = current, None
        if entry is None:
            return
        rule = entry.question.rule
        answer, answer_blocks = entry.answer, entry.answer_blocks
        question_blocks = entry.question_blocks
        if entry.tentative and answer is None and not question_blocks:
            # A heading that may ask, with nothing below it: a heading; among headings that ask, one worded
            # as a task (``### 手写一下快排``) is a question left unanswered, as theirs are warned of.
            if (
                rule == "heading-without-mark"
                and not next_is_question
                and question_level_tag(entry.question.level) in openers
            ):
                hint(entry.line, _(EMPTY_QUESTION_LEVEL_HEADING))  # (a hint: an empty title may stand so)
            return
        if rule == QUIZ_HEADINGS and answer is None:
            return  # a heading that is only a question label, and no answer label below it: a title
        if rule == QUESTION_ANSWER_SECTIONS and answer is None:
            return  # a bare question-label heading without an answer section: a title
        title = rule == "heading-question" and answer is None and not question_blocks and next_is_question
        if entry.question.level and not title:
            # A question heading is no topic: the entries after it take the topic of the heading above it
            # (and still end at the next heading of its level); with none above, its own (the cards an
            # Obsidian note writes below a question heading, ``…？::…``).
            while headings and headings[-1][0] >= entry.question.level:
                headings.pop()
            headings.append(
                (entry.question.level, headings[-1][1] if headings else entry.topic or entry.question.topic)
            )
        if answer is None:
            # Documents that label only their questions: what follows the question is the answer.
            if entry.question.text and question_blocks:
                # (``下面代码的输出是什么？`` over a code block: the code is what it asks about.)
                asked = 1 if _asks_about_code_below(entry.question.text, question_blocks) else 0
                answer = entry.question._replace(text="")
                answer_blocks, question_blocks = question_blocks[asked:], question_blocks[:asked]
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
                warn(entry.line, _("heading looks like a question but has no answer below it"))
                return
            else:
                warn(entry.line, _("question without an answer (no 答案 label and nothing below it)"))
                return
            rule += "+unlabelled-answer"
            answer = answer._replace(text="", head_html="", head_folded="")
        while answer_blocks and answer_blocks[0].rule in FOLD_RULES:
            answer_blocks = answer_blocks[1:]
        answer_blocks = _without_trailing_rules(answer_blocks)
        if next_is_question:
            led = _without_lead_ins(answer_blocks, 0 if answer.text else 1)
            for block in answer_blocks[len(led) :]:
                if block.text:
                    hint(block.start + 1, _(SECTION_LINE))
            answer_blocks = led
        footer = _footer_start(answer, answer_blocks) if at_document_end else len(answer_blocks)
        if footer < len(answer_blocks):
            hint(
                answer_blocks[footer].start + 1,
                _("after the last answer's ---, the rest of the document is left out (a page footer?)"),
            )
            answer_blocks = _without_trailing_rules(answer_blocks[:footer])
        kept = 0 if answer.text else 1  # an answer keeps some text
        whole = answer_blocks
        while True:
            reading = _further_reading(answer_blocks) if at_part_end else -1
            if reading >= kept:
                answer_blocks = _without_trailing_rules(answer_blocks[:reading])
            elif (
                len(answer_blocks) > kept
                and answer_blocks[-1].kind == "epilogue"
                and (
                    at_part_end
                    or answer_blocks[-1].rule == SIGN_OFF
                    or _closes_document(_paragraph_text(text, starts, answer_blocks[-1]), context)
                )
            ):
                answer_blocks = _without_trailing_rules(answer_blocks[:-1])
            else:
                break
        cut = [b for b in whole[len(answer_blocks) :] if b.rule not in ("thematic-break", "fold-tag")]
        if cut:
            hint(cut[0].start + 1, _(CLOSING_CUT))
        asked_after = _unanswered_tail(answer, answer_blocks)
        if asked_after:
            warn(answer_blocks[-asked_after].start + 1, _(UNANSWERED_TAIL).format(count=asked_after))
            answer_blocks = answer_blocks[:-asked_after]
        if not answer.text and answer_blocks and all(block.rule == ANSWER_LINK for block in answer_blocks):
            warn(entry.line, _(ANSWER_ELSEWHERE))
            return
        listed = rule in (QUESTION_ANSWER_SECTIONS, FOLD_QUESTION)
        aside = _aside_fold(question_blocks) if listed and len(answer_blocks) == 1 else []
        if listed and len(question_blocks) - len(aside) == len(answer_blocks) == 1:
            pairs = _listed_pairs(text, starts, question_blocks[0], answer_blocks[0])
            if isinstance(pairs, str):
                warn(entry.line, pairs)
            elif pairs is not None:
                if aside:
                    hint(aside[0].start + 1, _(ASIDE_BETWEEN_LISTS))
                for item_question, item_answer in pairs:
                    add_entry(
                        item_question.line + 1,
                        entry.topic,
                        item_question.markdown,
                        item_answer.markdown,
                        QUESTION_ANSWER_LISTS,
                    )
                return
        question_md, question_html, question_folded = join(entry.question, question_blocks, entry.cited)
        answer_md, answer_html, answer_folded = join(answer, answer_blocks, entry.cited)
        if not question_md:
            warn(entry.line, _("empty question; the entry is skipped"))
            return
        if not answer_md:
            warn(answer.start + 1, _("empty answer; the entry is skipped"))
            return
        if _greets(question_folded):
            hint(entry.line, _(GREETING))
            return
        if not entry.topic and not entry.question.level and not outside and entry.line <= first_heading[0]:
            # Said once, of the first entry above the document's first heading (a section starts at its
            # heading: only the first part has such entries): a chat answer pasted whole has no heading,
            # and every entry is right. (A question heading is its own topic.)
            outside.append(entry.line)
            hint(entry.line, _("entries outside any heading, from this one on: their topic is the file name"))
        images = tuple(
            (src, block.start + 1)
            for block in (entry.question, *question_blocks, answer, *answer_blocks)
            for src in block.images
        )
        for src, line in images:
            if web_image(src):
                hint(line, _(WEB_IMAGE).format(src=src))
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
                images=images,
                rule=rule,
                last=(answer_blocks[-1] if answer_blocks else answer).end,
            )
        )

    # A question label inside an answer, in a style that never opens a section and with no answer label of
    # its own, is a sub-question or exercise of that answer, not a new entry.
    titles = _asking_titles(blocks, runs, context, next_opening, answered)
    for index, block in enumerate(blocks):
        if block.start in titles or _answer_subheading(block.kind, block.level, current, openers):
            block = block._replace(kind="heading", rule="heading")
        if (block.kind == "heading" or block.level) and first_heading[0] > block.start:
            first_heading[0] = block.start
        if block.rule == TOO_DEEP_RULE:
            warn(block.start + 1, _(TOO_DEEP_TEXT))
        card_answer = block.kind == "answer" and block.rule in _CARD_LINE_RULES  # (on its question's line)
        if (
            current is not None
            and current.question.rule in _ITEM_ANSWER_RULES
            and block.start >= list_end
            and not card_answer
        ):
            close(at_part_end=False)  # (its answer is in its row or item: what follows the list is not)
            if block.kind == "epilogue":
                hint(block.start + 1, _(CLOSING_CUT))
            elif block.kind == "block" and _shows(block) and host is None:
                warn(block.start + 1, _(AFTER_ITEMS))
                warned_body = block.start  # (said once: not again as text below a heading)
        if host is not None and (current is None or not block.source):
            # The quote or list item holding the pair has ended: the interrupted answer goes on.
            if current is not None:
                close(at_part_end=False)
            current, host = host, None
            current.cited = cited = True
        if block.rule == WHOLE_LIST or card_answer:
            list_end = block.end
        # Only content in no entry stands between a fold's question and its answer summary: any other
        # block (an answer label without a question too, or a heading, so none runs on into a section)
        # ends the wait.
        if current is not None or not (block.kind == "block" or block.rule == FOLD_ANSWER):
            loose.clear()
        if block.rule == CODE_LABEL:
            hint(block.start + 1, _(CODE_LABEL_HINT))
        elif block.rule == UNCLOSED_FENCE:
            warn(block.start + 1, _(UNCLOSED_FENCE_TEXT))
        if block.rule in QUESTION_LINE_RULES and block.start not in answered:
            block = block._replace(kind="block")  # a bold line without an answer label is content
        elif block.rule == QUOTED_LABEL and (
            current is None or current.answer is not None or current.question_blocks
        ):
            block = block._replace(kind="block", rule="")  # (see QUOTED_LABEL)
        elif _answerable_line(block) and block.start in answered and (current is None or current.answer):
            # (Below a question still waiting for its answer, as in a quiz, it is that question's text.)
            block = block._replace(kind="question", rule=PLAIN_QUESTION)
        fold_asked: list[BlockInfo] = []
        if block.rule == FOLD_ANSWER and current is None:
            fold_asked = _fold_question(loose, _heading_body(loose, blocks, index, context))
            # What stands above the fold's question is on no card (with none, the answer is warned of).
            unplaced[:] = [shown for shown in unplaced if fold_asked and shown.start < fold_asked[0].start]
            flush_unplaced()
        elif current is not None or block.kind != "block":
            flush_unplaced()
        if block.rule == WHOLE_LIST:
            if _below_its_heading(current):
                close(at_part_end=False)  # (a list of questions in a section of its own, after an answer)
            elif current is not None and current.awaits_answer_section and not current.question_blocks:
                as_title()  # (``# 面试题`` with a list or table of pairs right below it: a title)
            elif _titles_a_list(current) and _whole_body(blocks, index):
                as_title()  # (a 面经's ``### 2.计算机基础`` over the questions asked, with notes)
            if current is None or current.question.rule in _LIST_ENTRY_RULES:
                continue  # its entries follow (after a heading, or after another such list's)
            list_until = block.end  # inside an open entry: the list is its content, whole
            block = block._replace(rule="")
        elif block.start < list_until:
            continue
        if closing_level:
            if (
                block.level
                and block.level <= closing_level
                and block.kind in ("heading", "question", "answer")
            ) or _labelled_pair(block, answered):
                closing_level = 0
            else:
                continue
        if block.rule in (NUMBERED_LINE, NUMBERED_REST) and block.start < whole_until:
            continue
        if block.rule == NUMBERED_BEFORE:
            later = runs.get(blocks[index + 1].start) if index + 1 < len(blocks) else None
            if later in asking and current is not None and current.question.rule in UNLABELLED_RULES:
                end = blocks[index + 1].start
                block = block._replace(html=block.head_html, folded=block.head_folded, end=end)
            else:
                whole_until = block.end
        run = runs.get(block.start) if block.rule in _RUN_RULES and block.kind != "heading" else None
        if run is not None:
            if block.start == run.members[0] and _bare_run_below(current) and _run_asks(run, context):
                as_title()  # (a heading that may ask, and a run of questions right below it: a topic)
            elif block.start == run.members[0] and _below_its_heading(current) and _run_asks(run, context):
                close(at_part_end=False)  # (a section of questions after an answer, not more of it)
            before = blocks[index - 1] if index else None
            if block.start == run.members[0] and _run_opens(run, current, before) and _run_asks(run, context):
                asking.add(run)
            if run in asking and (
                current is None
                or current.question.rule in UNLABELLED_RULES
                or current.question.start in run.passed
            ):
                close(at_part_end=False, next_is_question=True)
                level, topic = headings[-1] if headings else (0, "")
                current = _Open(
                    line=block.start + 1,
                    topic=topic,
                    level=level or 6,  # outside any heading: the next heading ends the answer
                    question=block._replace(kind="question", rule=run.rule),
                )
                continue
            # A question line that is not one: its paragraph stays whole (its rest, if any, is dropped).
            whole_until = block.end if block.rule in (NUMBERED_LINE, BARE_QUESTION) else whole_until
            block = block._replace(kind="block")
        skipped = current is not None and current.skipping
        if skipped and block.kind in ("question", "answer") and not block.level:
            # A labelled question or answer in a section after a question section (``## 面试题``) that is
            # not its answer section: no answer section is coming, and the question section was a title.
            close(at_part_end=False)
        if block.kind in ("heading", "question", "answer", "answer-side") or block.level:
            if block.kind == "heading" or block.level:
                check_unread()
                follow_up = 0  # a follow-up question's answer label is only that entry's
            else:
                unread.clear()  # an entry under it: its text is that entry's
        if block.kind == "heading":
            if block.rule == "closing":
                close(at_part_end=True)
                closing_level = block.level
                while headings and headings[-1][0] >= block.level:
                    headings.pop()
                headings.append((block.level, block.topic))  # the topic of a labelled entry in it
                continue
            if _quiz_answer(current, block.rule, block.level) and current is not None:
                if current.answer_open:
                    current.set_answer(block._replace(kind="answer", text=""))
                else:
                    current.add(block)
                continue
            if _is_title(current, block.kind, block.rule, block.level, block.marker, context):
                as_title()
            if current is not None and current.awaits_answer_section and block.level == current.level:
                # Between a question section and its answer section: the sections in between are left out.
                current.pending_headings.clear()
                current.skipping = block.rule != ANSWER_SECTION
                skipped_said = False
                if not current.skipping:
                    current.answer = block._replace(kind="answer", text="", head_html="", head_folded="")
            else:
                if current is not None and block.level <= current.level:
                    close(at_part_end=block.level < current.level)
                if current is not None:
                    current.pending_headings.append(block)
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            if current is None and block.rule in (QUESTION_LABEL_HEADING, QUIZ_NUMBER):
                current = _Open(
                    line=block.start + 1,
                    topic=headings[-1][1] if headings else "",
                    level=block.level,
                    question=block._replace(kind="question", rule=QUIZ_HEADINGS, text=""),
                )
            elif current is None and (
                _may_ask(block.rule, block.level, context) or (not markers and _answered_below(blocks, index))
            ):
                current = _Open(
                    line=block.start + 1,
                    topic=headings[-1][1] if headings else "",
                    level=block.level,
                    question=block._replace(kind="question", rule="heading-without-mark"),
                )
            elif current is None and block.rule == QUESTION_SECTION:
                current = _Open(
                    line=block.start + 1,
                    topic=headings[-1][1] if headings else "",
                    level=block.level,
                    question=block._replace(kind="question", rule=QUESTION_ANSWER_SECTIONS, text=""),
                )
            # A heading that is only a number and decoration (``## 第 1 题 🟢``) names no topic, nor does a
            # table of contents (``## 目录`` over the questions' list of links), nor a question label,
            # numbered (语雀's ``#### 面试题 1`` over each labelled pair) or bare below a section's topic
            # (``### 面试题`` over the questions on ``## 数组``: they are about arrays; right below the
            # document's title, ``## 面试题`` is the section's name).
            named = (
                _undecorated(block.topic)
                and _undecorated(block.topic).casefold() not in TOC_HEADINGS | ROLE_HEADINGS
                and block.rule != QUESTION_LABEL_HEADING
                and not (block.rule == QUESTION_SECTION and headings and not _below_title(headings, context))
            )
            topic = block.topic if named else (headings[-1][1] if headings else "")
            headings.append((block.level, topic))
            if current is None and block.rule == "numbered" and mixed_level_tag(block.level) in openers:
                unread.append(block)
        elif block.kind == "question":
            heading_question = block.level > 0
            if current is not None and _quiz_body(block, current):
                current.add(block._replace(kind="block"))  # the quiz's question, below its heading
                continue
            if current is not None and _follow_up(block, current):
                warn(block.start + 1, _(QUESTION_IN_ANSWER))
                current.add(block._replace(kind="block"))
                follow_up = block.start + 1  # and so is the answer label after it
                continue
            follow_up = 0
            if current is not None and _problem_statement(block, current, answered):
                current.add(block._replace(kind="block"))
                continue
            cites = current is not None and _quotes_pair(block, current, answered, host, blocks, index)
            if not cites and (
                _is_title(current, block.kind, block.rule, block.level, block.marker, context)
                or _titles_a_pair(current, block, answered)
            ):
                as_title()
            inside_answer = (
                current is not None and current.answer is not None and not current.pending_headings
            )
            if (
                not heading_question
                and inside_answer
                and markers
                and block.marker not in markers
                and block.start not in answered
                and current
            ):
                if not _states_a_problem(block, answered):  # (a problem stated in an answer asks nothing)
                    warn(
                        block.start + 1,
                        _(QUESTION_IN_ANSWER),
                    )
                current.add(block)
                continue
            if cites:
                host, current = current, None
            close(at_part_end=False, next_is_question=not heading_question)
            title = _title_above(block, headings, context)
            while heading_question and headings and headings[-1][0] >= block.level:
                headings.pop()
            level, topic = headings[-1] if headings else (0, title)
            if host is not None:
                topic = host.topic  # (not the citing question's, which a question heading puts above it)
            if block.rule in (OUTLINE_ITEMS, QUESTION_ITEMS) and block.topic:
                topic = block.topic  # the outline item it is nested in
            current = _Open(
                line=block.start + 1,
                topic=topic,
                level=block.level if heading_question else level,
                question=block,
                fold_depth=1 if block.rule == SUMMARY_QUESTION else 0,  # its answer ends with its fold
            )
            if heading_question:
                # It may also be the title of a section of labelled entries: those take it as topic.
                headings.append((block.level, block.topic))
        elif block.kind == "break":
            close(at_part_end=False)
            if block.rule == INTERVIEW_STEP:
                hint(block.start + 1, _(INTERVIEW_STEP_SKIPPED))
            elif block.rule == UNREAD_ITEM:
                warn(block.start + 1, _(UNREAD_ITEM_TEXT))
        elif block.kind in ("answer", "answer-side") and follow_up and current is not None:
            # A follow-up question's answer is content too (but for one glued to it: its line is in).
            if block.start + 1 != follow_up:
                current.add(block._replace(kind="block"))
        elif (
            block.rule in (ANSWER_ITEM, ANSWER_ITEMS)
            and current is not None
            and current.question_blocks
            and not _question_material(current.question.text, current.question_blocks)
        ):
            current.add(block._replace(kind="block"))  # after text below the question: a list in it
        elif block.kind in ("answer", "answer-side") and (current is None or current.answer_open):
            asked = fold_asked
            if len(asked) == 1 and _quiz_item(asked[0]):
                asked = [_unnumbered(asked[0], text[starts[asked[0].start] : starts[asked[0].end]])]
            embedded = _embedded_question(current) if current is not None and block.rule != FOLD_ANSWER else 0
            if embedded and current is not None:
                # The heading's body up to the question is its answer; the question is asked in it.
                asked, current.question_blocks = (
                    current.question_blocks[embedded:],
                    current.question_blocks[:embedded],
                )
                close(at_part_end=False)
                level, topic = headings[-1] if headings else (0, "")
                current = _Open(
                    line=asked[0].start + 1,
                    topic=topic,
                    level=level,
                    question=asked[0]._replace(
                        kind="question", rule=PLAIN_QUESTION, text="", head_html="", head_folded="", images=()
                    ),
                    question_blocks=asked,
                )
            elif asked:
                level, topic = headings[-1] if headings else (0, "")
                current = _Open(
                    line=asked[0].start + 1,
                    topic=topic,
                    level=level or 6,  # outside any heading: the next heading ends the answer
                    question=asked[0]._replace(
                        kind="question", rule=FOLD_QUESTION, text="", head_html="", head_folded="", images=()
                    ),
                    question_blocks=asked,
                )
            if current is None:
                warn(block.start + 1, _("answer label without a question; ignored"))
            elif _answers_follow_up(current):
                # The body below the heading was its answer: the follow-up and this answer stay in it.
                body = current.question_blocks
                warn(body[-1].start + 1, _(QUESTION_IN_ANSWER))
                current.answer = body[0]._replace(kind="answer", text="", head_html="", head_folded="")
                current.answer_blocks, current.question_blocks = body, []
                current.add(block._replace(kind="block"))
            elif block.kind == "answer-side":
                current.set_answer(block._replace(text="", head_html="", head_folded=""))
                current.add(block)
            else:
                current.set_answer(block)
                if block.rule == FOLD_ANSWER:
                    current.fold_depth = 1
        elif current is not None and current.skipping:
            if not skipped_said and _shows(block):
                hint(block.start + 1, _(SKIPPED_SECTION))
                skipped_said = True
        elif current is not None:
            further_fold = block.rule == FOLD_ANSWER and current.answer is not None and not current.fold_depth
            if further_fold:
                current.fold_depth = 1  # (kept open for it below: inside it now, its ``<details>`` passed)
            elif (
                block.kind == "answer"
                and current.answer is not None
                and current.answer.kind == "answer"
                and block.marker not in EXPLAINING_LABELS
            ):
                hint(block.start + 1, _(SECOND_ANSWER_LABEL))
            current.add(block)
            if current.fold_depth and block.marker in ("details", "/details") and block.kind != "question":
                current.fold_depth += 1 if block.marker == "details" else -1
                if not current.fold_depth and not _answer_fold_at(blocks, index + 1):
                    close(at_part_end=False)  # its fold ends here
        elif current is None and block.kind == "block":
            loose.append(block)
            if unread:
                unread.append(block)
            elif _skipped_bare_question(block, blocks, index, context) and not _fold_takes(blocks, index):
                flush_unplaced()
                warn(block.start + 1, _(SKIPPED_BARE_QUESTION))
                warned_body = blocks[index + 1].start
            elif block.start != warned_body and _unplaced(block, headings, context, blocks, index):
                unplaced.append(block)
    if host is not None:  # (the part ends with the pair: so does the answer it interrupted)
        close(at_part_end=False)
        current, host = host, None
        current.cited = cited = True
    flush_unplaced()
    check_unread()  # the next section, if any, opens with a heading
    clean = True
    # What the next section's first block does to the open entry, as in the loop above. Every case that
    # is not spelled out here (the entry, or a summary section, goes on into the next section) is unclean.
    if next_opening is None:
        close(at_part_end=True, at_document_end=True)
    elif _answer_subheading(next_opening.kind, next_opening.level, current, openers):
        clean = False  # the next section's heading opens this entry's answer (the loop above sees it first)
    elif current is not None and current.awaits_answer_section:
        clean = False  # whether its answer section comes is for the whole document to say
    elif closing_level and not (
        next_opening.level
        and next_opening.level <= closing_level
        and next_opening.kind in ("heading", "question", "answer")
    ):
        clean = False
    elif next_opening.kind == "heading" and next_opening.rule == "closing":
        close(at_part_end=True)
    elif next_opening.kind == "heading" and _quiz_answer(current, next_opening.rule, next_opening.level):
        clean = False  # (before the title test, as in the loop above)
    elif next_opening.kind == "heading":
        if _is_title(current, next_opening.kind, next_opening.rule, next_opening.level, "", context):
            as_title()
        if current is not None and next_opening.level <= current.level:
            close(at_part_end=next_opening.level < current.level)
        elif current is not None:
            clean = False
    elif next_opening.kind == "question" and _may_title_a_page(next_opening) and current is not None:
        # The next section says whether that heading asks or titles a page of questions (see
        # _asking_titles); as a title, a heading deeper than the entry's leaves it open.
        clean = current.level == next_opening.level
        if clean:
            close(at_part_end=False)
    elif next_opening.kind == "question" and next_opening.level > 0:
        if _is_title(current, next_opening.kind, next_opening.rule, next_opening.level, "", context):
            as_title()
        close(at_part_end=False)
    elif current is not None:
        clean = False
    # After the closing above: closing a question heading's entry takes it off the stack.
    if cited:
        entries.sort(key=lambda entry: entry.line)  # (a cited pair closed before the answer citing it)
    return Part(tuple(entries), tuple(problems), tuple(headings), clean)


_UNLABELLED_LINES = frozenset(
    (PLAIN_QUESTION, "numbered-question", "bold-question", GLUED_LABEL, SUMMARY_QUESTION)
)
"""Rules of question lines that carry no label of their own (a ``glued-label`` one without a marker)."""
_UNNUMBERED_LINES = frozenset((PLAIN_QUESTION, SUMMARY_QUESTION, GLUED_LABEL))
"""Those of them that follow up below a question heading (see :func:`_follow_up`)."""
_QUIZ_RULES = (QUIZ_HEADINGS, QUESTION_ANSWER_SECTIONS)
"""Rules of entries whose question heading is only a label: its body is the question."""


def _unlabelled_line(block: BlockInfo) -> bool:
    """A question line that is no heading and carries no label of its own."""
    return not block.level and block.rule in _UNLABELLED_LINES and not block.marker


QUESTION_IN_ANSWER = N_("looks like a question inside an answer; kept as part of that answer")
"""Said of a follow-up question line kept in the answer it stands in (see :func:`_follow_up`)."""
FOLLOW_UP_OPENINGS = ("追问", "面试官追问", "继续追问", "延伸问题", "延伸追问", "扩展问题", "进阶问题")
"""How a follow-up question line below a question heading's answer starts (``**追问：** 为什么…？``)."""


def _embedded_question(current: _Open) -> int:
    """Where a question asked in the body of a heading without a question mark begins, when an answer
    label below answers it (``### ⭐️ 自增自减运算符``, its explanation, then ``下面来看一个高频笔试题：…的值
    是？``, code, ``答案：…``): the last paragraph that asks, after a paragraph of the heading's own answer
    (one that does not only lead on, as ``阅读下面的代码：`` does); else 0 (the body is the question)."""
    blocks = current.question_blocks
    if (
        current.question.rule != "heading-without-mark"
        or current.answer is not None
        or current.pending_headings
    ):
        return 0
    for index in range(len(blocks) - 1, 0, -1):
        if _may_be_fold_question(blocks[index]):
            answered = any(
                block.html.startswith("<p>") and not block.folded.endswith((":", "?"))
                for block in blocks[:index]
            )
            return index if answered else 0
    return 0


def _answers_follow_up(current: _Open) -> bool:
    """Whether an answer label below a question heading answers a follow-up, not the heading: the
    heading's body so far is text, then a line that opens as a follow-up (see :data:`FOLLOW_UP_OPENINGS`).
    Read as the heading's answer, it put the body and the follow-up on the question side."""
    blocks = current.question_blocks
    return (
        current.question.rule == "heading-question"
        and current.answer is None
        and len(blocks) > 1
        and blocks[-1].folded.startswith(FOLLOW_UP_OPENINGS)
    )


def _answer_subheading(kind: str, level: int, current: _Open | None, openers: frozenset[str]) -> bool:
    """Whether a deeper question heading (a block of ``kind`` and ``level``) right below a question heading
    opens that question's answer, as a sub-heading of it (``## 3. 用过 LiteLLM 吗？它做什么？`` /
    ``### LiteLLM 是什么？`` / ``### 能力包括：``): its level is no level of questions in the document
    (most of its headings ask nothing)."""
    return (
        kind == "question"
        and level > 0
        and current is not None
        and current.question.rule == "heading-question"
        and level > current.question.level
        and current.answer is None
        and not current.question_blocks
        and not current.pending_headings
        and question_level_tag(level) not in openers
    )


def _follow_up(block: BlockInfo, current: _Open) -> bool:
    """Whether a question block is a follow-up inside the open entry, not an entry: a question line
    without a label of its own (``那怎么办呢？`` / ``答：…``, ``1、为什么…？ 答：…``, ``一、…？``, a fold
    whose summary asks) below a question heading, or in the answer of a labelled question. Authors
    outline answers so (``追问``); documents of such lines alone are entries, line after line."""
    if not _unlabelled_line(block) or current.pending_headings:
        return False
    if current.question.level:
        # A numbered question line with its answer label below it is a sibling (``### 3. …`` then
        # ``**4. …？**`` / ``答：``), as it always was; one glued to its answer, or unnumbered, follows up.
        return block.rule in _UNNUMBERED_LINES and current.question.rule not in _QUIZ_RULES
    return bool(current.question.marker) and current.answer is not None


def _titles_a_pair(current: _Open | None, block: BlockInfo, answered: set[int]) -> bool:
    """Whether a labelled question with its own answer label shows that the open entry's question label
    heading is a title (``### 题目 2：Web Worker 使用场景`` / ``**难度**：基础`` / ``**问题描述**：…`` /
    ``**参考答案**：…``): the heading has no answer label of its own yet."""
    return (
        current is not None
        and current.question.rule == "heading-label"
        and current.answer is None
        and not block.level
        and bool(block.marker)
        and block.start in answered
    )


def _problem_statement(block: BlockInfo, current: _Open, answered: set[int]) -> bool:
    """Whether a labelled question is the problem an answer goes on to solve, not a question of its own:
    in the body of a question heading or question line (``### 1. 线上OOM如何排查？`` / ``**问题：**
    服务运行一段时间后抛出OOM。`` / ``**解决：** …``, right below it or after a paragraph that leads to a
    case: ``我遇到的案例：``), and it states a problem (see :func:`_states_a_problem`)."""
    return (
        current.answer is None
        and not current.pending_headings
        and current.question.rule in ("heading-question", *UNLABELLED_RULES)
        and _states_a_problem(block, answered)
    )


def _states_a_problem(block: BlockInfo, answered: set[int]) -> bool:
    """Whether a block is a labelled question without a question mark anywhere and without an answer label
    of its own (``问题：服务运行一段时间后抛出OOM。``): below a question, part of its answer; it does not end
    a run of question lines either."""
    return (
        block.kind == "question"
        and not block.level
        and block.rule in ("bold-label", "plain-label")
        and block.start not in answered
        and not any(mark in block.text for mark in _QUESTION_MARKS)
    )


def _quiz_body(block: BlockInfo, current: _Open) -> bool:
    """Whether a question line without a label is the body of a quiz entry still waiting for its answer
    (``### 题目 1`` / ``为什么…？`` / ``**答案：**``)."""
    return _unlabelled_line(block) and current.question.rule in _QUIZ_RULES and current.answer is None


def _quiz_answer(current: _Open | None, rule: str, level: int) -> bool:
    """Whether a heading is a bare answer label (``### 📖 参考答案``) that belongs to the open entry: one
    whose question is a bare question-label heading (``### 题目``) at its level or above, or a question
    heading above it still without an answer (``### 1. 什么是服务熔断？`` then ``#### 答案``), or at its
    level (``### 答案``) when it stands right below the question or its options or code."""
    if current is None or rule not in (BARE_ANSWER, ANSWER_SECTION):
        return False
    if current.question.rule in _QUIZ_RULES:
        return level >= current.level
    return (
        bool(current.question.level)
        and level >= current.level
        and current.answer is None
        # After text below the question, that text is the answer; after its options or code, not.
        and (
            not current.question_blocks or _question_material(current.question.text, current.question_blocks)
        )
        and not current.pending_headings
    )


def _question_material(question: str, blocks: Sequence[BlockInfo]) -> bool:
    """Whether the blocks below a question are what it asks about, not an answer: a choice question's
    options (short ``A. var x = nil`` lines), or the code or table it points at (``下面代码输出什么？``,
    see :data:`_CODE_BELOW_RE`), as a quiz gives them before ``#### 答案``. (Code below ``手写一个单例？``
    is its answer, and so are ``A. 优点：…`` / ``B. 缺点：…`` paragraphs.)"""
    pointed = _CODE_BELOW_RE.search(question) is not None
    return all(
        block.kind == "block"
        and ((pointed and block.html.startswith(("<pre", "<table"))) or _option_lines(block.html))
        for block in blocks
    )


_HTML_TAG_RE = re.compile(r"<[^>]*>")
_HTML_BREAK_RE = re.compile(r"</p>|</li>|<br\s*/?>")


def _option_lines(html: str) -> bool:
    """Whether every line of a paragraph or list (its HTML) is a choice's option (``A. …``, ``B、…``), as
    the card shows it (``B. str := "abc" + "123"``, not its HTML's ``&quot;``)."""
    text = unescape(_HTML_TAG_RE.sub("", _HTML_BREAK_RE.sub("\n", html)))
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and all(_option(line) for line in lines)


OPTION_CHARS = 40
"""A choice's option is at most this long (``A. var x interface{} = nil``); longer lines lettered ``A.``
/ ``B.`` are points of an answer."""


def _option(line: str) -> bool:
    """Whether a line is a choice's option: lettered, short, and no labelled point (``A. 优点：…``)."""
    match = _OPTION_RE.match(line)
    return match is not None and len(line) <= OPTION_CHARS and "：" not in line[match.end() :]


FOLD_QUESTION = "question-before-fold"
"""The rule of an entry whose question is the paragraph in no entry right before a fold whose summary is an
answer label (see :data:`FOLD_ANSWER`), ending in a question mark (with the blocks between them: options,
code), and whose answer is the fold's body."""


INTERVIEW_STEP_SKIPPED = N_(
    "a list item among questions that asks nothing (自我介绍, 反问, 手撕…) is on no card; end it with ？ "
    "and put its answer below it to make it one"
)
"""Said of each :data:`INTERVIEW_STEP` item of a list read as questions."""
GREETING = N_("a greeting, not a question (你好): it and its reply are on no card")
"""Said of an entry whose question only greets: an interview written as a dialogue opens so (``**面试官**：
你好。`` / ``**候选人**：你好。``)."""
GREETINGS = frozenset(
    (
        *("你好", "您好", "你好呀", "您好呀", "嗨", "哈喽", "hi", "hello"),
        *("早上好", "下午好", "晚上好", "你好请坐", "请坐"),
    )
)
"""What a question that only greets says, without punctuation or white space (folded)."""
_WORDLESS_RE = re.compile(r"[\W_]+")


def _greets(folded: str) -> bool:
    """Whether a folded question only greets (see :data:`GREETINGS`)."""
    return len(folded) <= 12 and _WORDLESS_RE.sub("", folded) in GREETINGS


def _answer_after(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether content that shows follows the quote or list item ``blocks[index]`` stands in, before any
    heading or label (the rest of an answer that cites the pair in it)."""
    after = next((block for block in blocks[index:] if not block.source), None)
    return after is not None and after.kind == "block" and not after.level and _shows(after)


def _answer_fold_at(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether another answer fold opens at ``blocks[index]`` (``<details>`` / ``<summary>解析</summary>``
    right after the fold that answered): it goes on with that answer, instead of lacking a question."""
    return (
        index + 1 < len(blocks)
        and blocks[index].marker == "details"
        and blocks[index].rule in FOLD_RULES
        and blocks[index + 1].rule == FOLD_ANSWER
    )


def _title_above(block: BlockInfo, headings: Sequence[tuple[int, str]], context: _Context) -> str:
    """The document's title when a question heading stands at its level right below it (``# 一 在go语言中，
    new和make的区别？`` after ``# Golang常见语法面试题总结``): the question's topic, and the topic of the
    entries below it; else ``""``. A first heading that asks is no title but a question like the others
    (``# 什么是JVM？`` / ``# JVM内存区域的划分？``), which leaves its own topic on the stack for the cards
    below it: the questions after it do not take it."""
    below_title = block.level == 1 and len(headings) == 1 and headings[0][0] == 1
    if not below_title or ends_asking(headings[0][1]):
        return ""
    return headings[0][1] if title_tag(headings[0][1]) in context.openers else ""


def _quotes_pair(
    block: BlockInfo,
    current: _Open,
    answered: set[int],
    host: _Open | None,
    blocks: Sequence[BlockInfo],
    index: int,
) -> bool:
    """Whether a question with an answer label of its own, inside a quote or list item (``> 问：…？`` /
    ``> 答：…`` in JavaGuide's answers), is a pair the open answer cites: it is an entry of its own, and
    the answer goes on after the quote or item (``最后，简单总结一下…``) instead of ending above it. Right
    below a question heading, the pair is cited when more of the answer follows the quote or item (else
    the heading titles it and what follows, as before)."""
    below = current.question.level and (current.question_blocks or _answer_after(blocks, index))
    in_answer = current.answer is not None or bool(below)
    return (
        host is None
        and in_answer
        and not current.pending_headings
        and bool(block.source)
        and block.start in answered
        and _answered_inside(blocks, index)
        and not current.question.source
        and current.question.rule not in _ITEM_ANSWER_RULES
        and not current.fold_depth
    )


def _answered_inside(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether the answer label that answers the question at ``index`` stands inside a quote or list item
    too. A quoted question answered below its quote (``> **面试题：** …？`` then ``**答案：** …``) is an
    entry of its own, not a pair an answer above it cites: that answer ends above the quote."""
    for block in blocks[index + 1 :]:
        if block.kind in ("answer", "answer-side"):
            return bool(block.source)
        if block.kind in ("question", "heading", "break") or block.level:
            return False
    return False


def _fold_question(loose: Sequence[BlockInfo], heading_body: bool = False) -> list[BlockInfo]:
    """The question of a :data:`FOLD_QUESTION` entry among the blocks in no entry right before its fold: all
    of them when they are the whole body of a heading (``heading_body``: a quiz's setup, data and options,
    its stem worded as a question or not, ``下面哪张图能表示朴素贝叶斯分类的假设。``); else from the last
    paragraph that asks, or, with none, the last that ends in a colon (a quiz's stem over its options,
    ``这种方式的最大问题是：``)."""
    if heading_body and any(_shows(block) for block in loose):
        return list(loose)
    for index in range(len(loose) - 1, -1, -1):
        # A list of questions right above (or above a tip fold): the fold lists their answers.
        if loose[index].rule == QUESTION_LIST and (index == len(loose) - 1 or _aside_fold(loose[index:])):
            return list(loose[index:])
    for ends in ("?", ":"):
        for index in range(len(loose) - 1, -1, -1):
            if _may_be_fold_question(loose[index], ends):
                return list(loose[index:])
    return [loose[-1]] if loose and _quiz_item(loose[-1]) else []


def _unnumbered(item: BlockInfo, line: str) -> BlockInfo:
    """A :func:`_quiz_item` (``line``: its Markdown) as the paragraph of its text, without its number, as a
    numbered question line's is shown."""
    source = strip_numbering(line.strip())
    return item._replace(html=render_markdown(source), source=source, folded=fold(source))


def _quiz_item(block: BlockInfo) -> bool:
    """A numbered list item of one line (``2. 给出一个只能用 silence 的场景。``): a quiz's question when a
    fold's answer summary comes right below it, whether or not it asks (too long to be a question line)."""
    return (
        block.kind == "block"
        and not block.rule
        and block.end - block.start == 1
        and block.html.startswith(("<ol>", "<ol "))
        and block.html.count("<li") == 1
    )


AFTER_ITEMS = N_(
    "text right after a list (or table) of questions and answers, in no entry: it is on no card (each "
    "answer ends with its item or row; give the text a heading, or put it in the item)"
)
"""Said of the content right after a list or table read as entries (see :data:`_ITEM_ANSWER_RULES`)."""
SKIPPED_SECTION = N_(
    "a section between a question section and its answer section (## 面试题 … ## 面试题剖析) is left out: "
    "its text is on no card"
)
"""Said once of each section left out between a question section and its answer section."""
SECOND_ANSWER_LABEL = N_(
    "a second answer label in one answer, kept in it: the text above it may be a question not read as one "
    "(without ？, or longer than a question line); label it (**面试题：**) to make it a card of its own"
)
"""Said of an answer label inside an answer that already has one (see :func:`assemble_part`), but for one
of :data:`EXPLAINING_LABELS`."""
EXPLAINING_LABELS = frozenset(("解析", "详解", "答案解析", "解答过程", "题解"))
"""Answer labels that, after an answer (``**答案：** 16。``), explain it (``**解析：** 容量必须是 2 的幂…``):
the answer goes on, as a quiz writes it, and nothing is wrong."""
TITLE_BODY = N_(
    "text below a heading that titles the questions below it, in no entry: it is on no card (if it "
    "answers the heading, end the heading with ？)"
)
"""Said of the body of a heading that seemed to ask but titles deeper questions (see :func:`_is_title`):
an introduction, mostly, but it may be an answer."""
WEB_IMAGE = N_(
    "a web image ({src}) is not packed into the deck: Anki shows it only online, and only while the site "
    "serves it (blogs often refuse other sites); save it beside the document and link the file to pack it"
)
"""Said of each image on a card that is a web address (see :func:`web_image`)."""
_WEB_IMAGE_RE = re.compile(r"(?:https?:)?//", re.IGNORECASE)


def web_image(src: str) -> bool:
    """Whether an image's ``src`` is a web address (``https://…``, ``//cdn…``), not a file to pack."""
    return _WEB_IMAGE_RE.match(src) is not None


UNPLACED_TEXT = N_(
    "text below a heading, in no entry: it is on no card (a question without ？, or a list of questions "
    "with an item that does not ask?)"
)
"""Said of a run of content in no entry below a section's heading (see :func:`_unplaced`)."""


UNANSWERED_LINES_TEXT = N_(
    "numbered questions with no answer below them: they are on no card, unless a heading further down asks "
    "them again (put each answer below its question to make it a card)"
)
"""Said of numbered question lines in no entry with nothing below them (see :func:`_unplaced`)."""


def _unplaced(
    block: BlockInfo,
    headings: Sequence[tuple[int, str]],
    context: _Context,
    blocks: Sequence[BlockInfo],
    index: int,
) -> bool:
    """Whether content in no entry is worth a word: it shows something and stands below a section's
    heading (a document's title, and the text right below it, introduce it, also below headings that
    name no topic of their own, as a chat's ``## User`` does; 前言 and its like aside). Below the title,
    a numbered question line with nothing below it (``block`` is ``blocks[index]``) is worth one: the
    question is on no card."""
    if not headings or _aside(context) or not _shows(block):
        return False
    if not _below_title(headings, context):
        return True
    after = blocks[index + 1] if index + 1 < len(blocks) else None
    bodiless = after is None or after.kind != "block" or after.rule == "numbered-question"
    return block.rule == "numbered-question" and bodiless


def _below_title(headings: Sequence[tuple[int, str]], context: _Context) -> bool:
    """Whether a block stands right below the document's title: below headings that all give the title's
    topic (the title alone, or with a chat's ``## User`` below it, which names no topic)."""
    return (
        bool(headings)
        and all(topic == headings[0][1] for _, topic in headings)
        and title_tag(headings[0][1]) in context.openers
    )


_NAVIGABLE = frozenset(("paragraph", "bullet_list", "ordered_list"))
_LINK_MARKUP = frozenset(("strong_open", "strong_close", "em_open", "em_close", "softbreak", "hardbreak"))


def _in_page_links_only(tokens: Sequence[Token]) -> bool:
    """Whether a paragraph or list holds nothing but links within the page: a table of contents, or
    ``**[⬆ 返回顶部](#目录)**`` after each answer of a GitHub README. On a card they lead nowhere."""
    linked = False
    for token in tokens:
        if token.type != "inline":
            continue
        depth = 0
        for child in token.children or ():
            if child.type == "link_open":
                href = child.attrs.get("href", "")
                if not isinstance(href, str) or not href.startswith("#"):
                    return False
                depth, linked = depth + 1, True
            elif child.type == "link_close":
                depth -= 1
            elif (
                depth == 0
                and child.type not in _LINK_MARKUP
                and (child.type != "text" or child.content.strip())
            ):
                return False
    return linked


def _shows(block: BlockInfo) -> bool:
    """Whether a block shows something on a card (not a ``---``, a fold's tag or its summary line)."""
    return bool(block.html) and block.rule not in ("thematic-break", *FOLD_RULES)


def _answered_below(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether a topic heading (``## 为什么快``, ``### 持久化``) has an answer label right below it
    (``**回答要点：**``): then it asks, as the question heading that the label answers (in a document
    that opens no section with a question label: there, the label's question is missing, and reported)."""
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    return (
        blocks[index].rule in MAY_ASK_RULES
        and following is not None
        and following.kind == "answer"
        and following.rule not in (GLUED_LABEL, ANSWER_ITEM, ANSWER_ITEMS)
        and not following.level
    )


def _bare_run_below(current: _Open | None) -> bool:
    """Whether a run of questions starting now would stand right below the heading of an open entry
    that only may ask (see :func:`_may_ask`), or of a bare question-label heading still waiting for its
    answer section (``# 面试题``, a document's title; see :data:`QUESTION_ANSWER_SECTIONS`): nothing
    below it yet."""
    return (
        current is not None
        and (current.question.rule == "heading-without-mark" or current.awaits_answer_section)
        and current.answer is None
        and not current.question_blocks
    )


def _titles_a_list(current: _Open | None) -> bool:
    """Whether the open entry is a heading that may ask (no question mark, see :func:`_may_ask`) with
    nothing below it yet, so that a list read as entries right below it (questions answered item by item)
    makes it their title: a 面经's ``### 2.计算机基础`` over the questions asked and its notes is no
    question, and its list's items are. A heading worded as a question (``Category 的实现原理，以及为什么
    不能添加成员变量``) is answered by the list."""
    return (
        current is not None
        and current.question.rule == "heading-without-mark"
        and current.answer is None
        and not current.question_blocks
        and not asks_by_wording(current.question.text)
    )


def _whole_body(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether the list ``blocks[index]`` is the rest of its heading's body: a heading, or the end of the
    section, comes next (``### 2.计算机基础`` over the questions asked, and the next section). Text or code
    after it (``## 1. 闭包`` / ``- 什么是闭包？`` / an explanation) answers the heading, list and all; so
    does an answer label (``## 复习题`` / a list of questions / ``**答：**``). A section read apart ends
    where the next one begins, at a heading."""
    end = blocks[index].end
    after = next(
        (block for block in blocks[index + 1 :] if block.start >= end and block.kind != "break"), None
    )
    return after is None or after.level > 0


def _below_its_heading(current: _Open | None) -> bool:
    """Whether an answered entry is open with a deeper heading just read and nothing after it yet: what
    starts now is that heading's section's, not more of the answer, if it is a run of questions."""
    return current is not None and current.answer is not None and bool(current.pending_headings)


def _fold_takes(blocks: Sequence[BlockInfo], index: int) -> bool:
    """Whether a fold's answer summary further down makes block ``index`` its question (see
    :func:`_fold_question`): only content comes before it, and no later question line."""
    for block in blocks[index + 1 :]:
        if block.rule == FOLD_ANSWER:
            return True
        if block.kind != "block" or block.level:
            return False
        if _may_be_fold_question(block):
            return False
    return False


def _heading_body(
    loose: Sequence[BlockInfo], blocks: Sequence[BlockInfo], index: int, context: _Context
) -> bool:
    """Whether the blocks in no entry right before ``blocks[index]`` are the whole body of a topic heading
    (not of the document's title: the text below it introduces the document)."""
    if not loose or _aside(context):
        return False
    first = index - 1
    while first >= 0 and blocks[first].start != loose[0].start:
        first -= 1
    if first <= 0:
        return False
    above = blocks[first - 1]
    headings = context.headings
    return above.kind == "heading" and above.level > 0 and not _below_title(headings, context)


def _may_be_fold_question(block: BlockInfo, ends: str = "?") -> bool:
    """A paragraph ending in a question mark (or ``ends``, folded): what a fold's answer summary below may
    take as its question."""
    return block.rule not in FOLD_RULES and block.html.startswith("<p>") and block.folded.endswith(ends)


def _labelled_pair(block: BlockInfo, answered: set[int]) -> bool:
    """A question label with an answer label of its own: an entry even in a summary section."""
    return block.kind == "question" and bool(block.marker) and block.start in answered


def _footer_start(answer: BlockInfo, blocks: Sequence[BlockInfo]) -> int:
    """Where the last answer of a document ends when a page footer follows it: at its first thematic break
    (``---``, ``***``) after some of the answer that a footer's block follows (a blog's copyright note,
    further reading, "follow us", a QR code: see :func:`_opens_a_footer`), since only content in no entry
    follows it to the end of the document; the index of that break in the answer's blocks, else
    ``len(blocks)``. A break followed by more answer (a chat model's answer in parts) stays in it."""
    for index, block in enumerate(blocks):
        if (
            block.rule == "thematic-break"
            and (answer.text or any(b.rule not in FOLD_RULES for b in blocks[:index]))
            and index + 1 < len(blocks)  # (never the last: the caller took trailing breaks off)
            and _opens_a_footer(blocks[index + 1])
        ):
            return index
    return len(blocks)


def _opens_a_footer(block: BlockInfo) -> bool:
    """Whether a block after a thematic break reads as a page footer's: a closing paragraph (a sign-off,
    further reading), a quote (``> 版权声明``) or an image (a QR code)."""
    return block.kind == "epilogue" or block.html.startswith("<blockquote") or bool(block.images)


def _further_reading(blocks: list[BlockInfo]) -> int:
    """Where a blog's further-reading list starts in an answer's blocks (its last :data:`FOOTER_TITLE`
    paragraph), or -1."""
    for index in range(len(blocks) - 1, -1, -1):
        if blocks[index].rule == FOOTER_TITLE:
            return index
    return -1


SECTION_LINE = N_(
    "a bold numbered line right before a question reads as the title of the questions after it, and is on "
    "no card (make it a heading to give them its topic)"
)
"""Said of a line :func:`_without_lead_ins` takes off the end of an answer that has text."""


def _without_lead_ins(blocks: list[BlockInfo], kept: int) -> list[BlockInfo]:
    """An answer without the lines at its end that lead into the next question: its bold number alone
    (``**02**``) or the title of the next part, numbered in Chinese (``**二、可靠性**``), a line that asks
    nothing and follows no line numbered so (points of the answer: ``**一、加索引**`` / ``**二、…**``); and
    the rule drawn above them. An answer keeps ``kept`` blocks (1 when its label has no text)."""
    while len(blocks) > kept and _leads_in(blocks[-1]) and not (len(blocks) > 1 and _leads_in(blocks[-2])):
        blocks = _without_trailing_rules(blocks[:-1])
    return blocks


def _leads_in(block: BlockInfo) -> bool:
    """Whether an answer's block is a bold line that may lead into the next question (see
    :func:`_without_lead_ins`)."""
    return (
        block.rule in QUESTION_LINE_RULES
        and not ends_asking(block.text)
        and (not block.text or block.number[:1] in _CHINESE_DIGITS or block.number[:1] == "十")
    )


def _without_trailing_rules(blocks: list[BlockInfo]) -> list[BlockInfo]:
    """An answer without the ``---`` its author put after it (nor a fold's closing tag)."""
    while blocks and blocks[-1].rule in ("thematic-break", "fold-tag"):
        blocks = blocks[:-1]
    return blocks


_CODE_BELOW_RE = re.compile(
    r"(?:下面|以下|如下|下列|下述)的?(?:这段|这个|这些|这几行)?(?:代码|程序|语句|函数|sql|SQL)"
    r"|输出(?:的)?(?:是什么|什么|结果)"
)
"""A question that points at code below it (``下面代码的输出结果将是什么？``, ``输出是什么？``)."""


def _asks_about_code_below(question: str, blocks: Sequence[BlockInfo]) -> bool:
    """Whether an unlabelled answer's first block is the code its question points at (see
    :data:`_CODE_BELOW_RE`): it goes on the card's front, and the answer is what follows it."""
    return (
        len(blocks) > 1 and blocks[0].html.startswith("<pre") and _CODE_BELOW_RE.search(question) is not None
    )


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
