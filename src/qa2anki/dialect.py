r"""The Markdown dialect qa2anki reads and renders. Safe by construction: raw HTML in the sources is shown
as text.

The parser reads documents with it (so the tokens it keeps are already safe) and the field assembly
(:mod:`qa2anki.render`) renders with it; it knows nothing of entries or notes.

Cards are shown in Anki's web view, so nothing from the sources may become live markup: markdown-it-py
runs with ``html`` off (``<script>`` comes out as ``&lt;script&gt;``), and links and images are only kept
for ``http``, ``https``, ``mailto`` and plain relative targets (no ``javascript:``, ``data:``, ``file:``).

On top of CommonMark + tables + strikethrough, the dialect has:

* **CJK-friendly emphasis** (:mod:`qa2anki.cjk_friendly`): ``**答案：**模型…`` is bold, as Chinese authors
  type it, where CommonMark's flanking rules leave the asterisks as text.
* **Highlighted code**: a fenced block with a language Pygments knows is highlighted at build time into
  ``<pre class="qa-code"><code class="language-x">`` with ``qa-hl-*`` class spans (the colours are in the
  note type's CSS: no JavaScript, no network). An unknown or missing language gives plain escaped text;
  the language is never guessed, so the same source always gives the same HTML.
* **Enumerated lines**: in a paragraph of two or more lines that start with an enumerator (``1)``,
  ``（2）``, ``3、``, ``①``, ``A.``), each such line starts on a line of its own (a hard break), as the
  editors these documents come from show them.
* **Folds** (``<details>``): raw HTML stays off, but the lines of a ``<details>`` fold are read for what
  they mean. A line that is only ``<details>`` (or ``<details open>``), ``</details>``, ``<p>``,
  ``</p>``, ``<div>`` or ``</div>`` shows nothing; a ``<summary>…</summary>`` (alone or right after
  ``<details>`` on its line) is a line of text of its own (tags without attributes inside it, like
  ``<b>``, dropped); the fold's body is Markdown like the rest. The parser sees these lines as tokens of
  their own (see :data:`FOLD_TAG`). VitePress and VuePress containers read the same way: ``::: details
  参考答案`` is ``<details>`` with that summary (any container's name, ``tip``, ``warning``…, opens one; a
  title is its summary) and a line of ``:::`` alone is ``</details>``, so the marker lines show nothing.
  So do MkDocs admonitions and content tabs (``??? question "什么是 GIL？"``, ``!!! note``, ``=== "Tab"``):
  the title is the summary, the lines indented below it the body.
* **Obsidian callouts**: a quote that opens with a callout header (``> [!tip] 提示``, ``> [!answer]-``)
  shows its title on a line of its own (bold), without the ``[!tip]`` marker; a header without a title
  shows nothing. The tokens keep the header (the parser reads it: a callout that asks is a question), and
  only the rendering leaves it out.
* **Obsidian embeds**: ``![[Pasted image 1.png]]`` (``|300`` sizes it) is an image, as Obsidian pastes one;
  ``![[笔记]]`` (a note, not an image) stays text.
* **Math**: ``$…$`` and ``\(…\)`` become MathJax's inline ``\(…\)``; ``$$…$$`` and a ``\[…\]`` block on
  lines of its own become display ``\[…\]``, which Anki typesets. The TeX is HTML-escaped, otherwise
  verbatim. A ``$`` only opens math when a non-space follows it and only closes it when a non-space comes
  before it and no digit after it, so prices (``$5 and $10``) stay text; ``\$`` is a dollar sign. TeX
  that would link to a refused URL (``\href{javascript:…}``) is not math but text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import cache, lru_cache
from typing import Any

import pygments
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock, blockquote, list_block
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from pygments.filter import Filter
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Name, Operator, Punctuation, Text, Whitespace, _TokenType
from pygments.util import ClassNotFound

from qa2anki.cjk_friendly import cjk_friendly_plugin
from qa2anki.fold import FORMAT_TAG_RE, STYLE_TAG_RE, markup_tag

_SAFE_URL_RE = re.compile(r"^(?:https?://|mailto:|[^:]*$)", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_DRIVE_RE = re.compile(r"^[a-z]:(?:[\\/]|%5c)", re.IGNORECASE)  # links are checked percent-encoded


def safe_url(url: str) -> bool:
    """True for web, mail and relative targets, and Windows paths (``C:\\…``: an image there is refused
    by name when images are packed, rather than shown as text); false for every other scheme."""
    stripped = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    if _DRIVE_RE.match(stripped):
        return True
    if _SCHEME_RE.match(stripped):
        return bool(re.match(r"^(?:https?|mailto):", stripped, re.IGNORECASE))
    return bool(_SAFE_URL_RE.match(stripped))


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return '<div class="qa-table">' + str(self.renderToken(tokens, idx, options, env))


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


# --------------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------------

HIGHLIGHT_CLASS_PREFIX = "qa-hl-"
"""Prefix of the Pygments token classes (``qa-hl-k``, ``qa-hl-s2``…), so they clash with nothing in Anki."""

_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")
"""A language name that may go into a class attribute as it is (anything else gets no class)."""
_FORMATTER = HtmlFormatter(nowrap=True, classprefix=HIGHLIGHT_CLASS_PREFIX)


_PLAIN_TOKENS = frozenset({Whitespace, Name, Name.Other, Operator, Punctuation})
"""Token types the CSS gives no colour: plain text, not a ``<span>`` around every name and blank."""


class _PlainTokens(Filter):
    """Turn the token types in :data:`_PLAIN_TOKENS` into plain text (Pygments then merges the runs)."""

    def filter(
        self, lexer: Lexer | None, stream: Iterable[tuple[_TokenType, str]]
    ) -> Iterator[tuple[_TokenType, str]]:
        for ttype, value in stream:
            yield (Text if ttype in _PLAIN_TOKENS else ttype), value


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    """The Pygments lexer named ``language`` (an alias like ``py`` or ``c++``), or ``None``: never a guess."""
    if not language:
        return None
    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    lexer.add_filter(_PlainTokens())
    return lexer


def highlight_code(code: str, language: str) -> str:
    """A code block → ``<pre class="qa-code"><code class="language-x">…</code></pre>``, highlighted when
    Pygments knows ``language``, else escaped as it is. Pygments escapes every character it is given."""
    lexer = _lexer(language.lower())
    body = escapeHtml(code) if lexer is None else pygments.highlight(code, lexer, _FORMATTER)
    language_class = f' class="language-{language}"' if _LANGUAGE_RE.fullmatch(language) else ""
    return f'<pre class="qa-code"><code{language_class}>{body}</code></pre>\n'


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    info = unescapeAll(tokens[idx].info).strip()
    return highlight_code(tokens[idx].content, info.split(maxsplit=1)[0] if info else "")


def _code_block(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return highlight_code(tokens[idx].content, "")


# --------------------------------------------------------------------------------------------------
# Math
# --------------------------------------------------------------------------------------------------

_MATH_CACHE = "qa2anki.math-closers"
"""The ``env`` key under which an inline source's possible math closers are kept while it is parsed."""
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")


_TEX_LINK_RE = re.compile(r"\\(?:href|url)\s*\{([^}]*)\}")


_TEX_HIDES_RE = re.compile(
    r"\\(?:[egx]?def|let|futurelet|newcommand|renewcommand|providecommand|newenvironment|renewenvironment"
    r"|DeclareMathOperator|csname|require)(?![A-Za-z])|(?<!\\)%"
)
"""TeX that could name ``\\href`` without spelling it (a macro defined or aliased to it, ``\\csname``,
a comment between it and its braces) or load more of MathJax: never needed on a card."""


def safe_tex(tex: str) -> bool:
    """False when the TeX links somewhere :func:`safe_url` refuses, or could without spelling ``\\href``
    (see :data:`_TEX_HIDES_RE`): MathJax turns ``\\href{…}`` and ``\\url{…}`` into live links, so such
    "math" is shown as the text it is."""
    if ("\\" in tex or "%" in tex) and _TEX_HIDES_RE.search(tex):
        return False
    return all(safe_url(target) for target in _TEX_LINK_RE.findall(tex))


def math_html(tex: str, display: bool) -> str:
    """TeX → Anki's MathJax delimiters, ``\\(…\\)`` or ``\\[…\\]``, with the TeX HTML-escaped."""
    return ("\\[" if display else "\\(") + escapeHtml(tex) + ("\\]" if display else "\\)")


def _escaped(src: str, at: int) -> bool:
    """Whether an odd number of backslashes stands right before ``src[at]``."""
    count = 0
    while at - count > 0 and src[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _find_closers(src: str, closer: str) -> list[int]:
    """Every place in ``src`` where a span opened by ``closer``'s opener might end: each ``\\)``, each
    ``$$`` or each ``$`` that no backslash escapes."""
    found = (match.start() for match in re.finditer(f"(?={re.escape(closer)})", src))
    return [at for at in found if closer == "\\)" or not _escaped(src, at)]


def _closers(state: StateInline, closer: str) -> list[int]:
    """:func:`_find_closers`, computed once per inline source (so many lone ``$`` stay linear)."""
    cache: dict[tuple[str, str], list[int]] = state.env.setdefault(_MATH_CACHE, {})
    key = (closer, state.src)
    if key not in cache:
        cache[key] = _find_closers(state.src, closer)
    return cache[key]


def _math_inline(state: StateInline, silent: bool) -> bool:
    """``$…$``, ``$$…$$`` and ``\\(…\\)`` inside a paragraph."""
    src, pos, end = state.src, state.pos, state.posMax
    if src.startswith("\\(", pos):
        opener, closer, display = "\\(", "\\)", False
    elif src.startswith("$$", pos):
        opener, closer, display = "$$", "$$", True
    elif src.startswith("$", pos) and pos + 1 < end and not src[pos + 1].isspace():
        opener, closer, display = "$", "$", False
    else:
        return False
    start = pos + len(opener)
    closers = _closers(state, closer)
    # The first closer after the opener is the one: TeX between dollars holds no unescaped dollar.
    index = bisect_left(closers, start)
    if index == len(closers) or closers[index] + len(closer) > end:
        return False
    close = closers[index]
    tex = src[start:close]
    if not tex.strip() or not safe_tex(tex):
        return False
    if opener == "$" and (src[close - 1].isspace() or src[close + 1 : close + 2].isdigit()):
        return False  # "$5 and $10": a closing $ has no space before it and no digit after it
    if not silent:
        token = state.push("math_inline", "", 0)
        token.content = tex
        token.markup = opener
        token.meta = {"math": tex, "display": display, "source": src[pos : close + len(closer)]}
    state.pos = close + len(closer)
    return True


_IMG_TAG_RE = re.compile(r"<img(\s[^<>]*?)?\s*/?>", re.IGNORECASE)
_ATTRIBUTE_RE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_SIZE_RE = re.compile(r"\d{1,5}(?:px|%)?")


def _html_image(state: StateInline, silent: bool) -> bool:
    """``<img src="a.png" width="300">``, as Typora writes an image once it is resized: an image like
    ``![](a.png)`` (raw HTML is shown as text). Only its source, text, title, width and height are kept."""
    if state.src[state.pos : state.pos + 4].lower() != "<img":
        return False
    match = _IMG_TAG_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    attributes = {
        name.lower(): unescapeAll(double or single or bare)
        for name, double, single, bare in _ATTRIBUTE_RE.findall(match.group(1) or "")
    }
    url = state.md.normalizeLink(attributes.get("src", ""))
    if not attributes.get("src") or not state.md.validateLink(url):
        return False
    if not silent:
        alt = attributes.get("alt", "")
        children: list[Token] = []
        state.md.inline.parse(alt, state.md, state.env, children)
        token = state.push("image", "img", 0)
        token.attrs = {"src": url, "alt": ""}
        token.children = children
        token.content = alt
        if attributes.get("title"):
            token.attrSet("title", attributes["title"])
        for size in ("width", "height"):
            if _SIZE_RE.fullmatch(attributes.get(size, "")):
                token.attrSet(size, attributes[size])
    state.pos = match.end()
    return True


_EMBED_RE = re.compile(r"!\[\[([^\[\]|#\n]+?)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]*))?\]\]")
_EMBED_SIZE_RE = re.compile(r"\s*(\d{1,5})(?:\s*x\s*(\d{1,5}))?\s*")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".svg", ".webp", ".avif")
"""What an Obsidian embed must end in to be an image (``![[笔记]]`` embeds a note: it stays text)."""


def _obsidian_embed(state: StateInline, silent: bool) -> bool:
    """``![[Pasted image 20240105192202.png]]`` (``|300`` or ``|300x200`` sizes it), as Obsidian writes a
    pasted image: an image like ``![](Pasted%20image%2020240105192202.png)``."""
    if not state.src.startswith("![[", state.pos):
        return False
    match = _EMBED_RE.match(state.src, state.pos, state.posMax)
    if match is None or not match.group(1).strip().lower().endswith(IMAGE_SUFFIXES):
        return False
    url = state.md.normalizeLink(match.group(1).strip())
    if not state.md.validateLink(url):
        return False
    if not silent:
        token = state.push("image", "img", 0)
        token.attrs = {"src": url, "alt": ""}
        token.children = []
        size = _EMBED_SIZE_RE.fullmatch(match.group(2) or "")
        if size is not None:
            token.attrSet("width", size.group(1))
            if size.group(2):
                token.attrSet("height", size.group(2))
    state.pos = match.end()
    return True


def _math_as_text(state: StateCore) -> None:
    """Inline math becomes a ``text`` token whose content is its source (``$x$``) and whose ``meta`` holds
    the TeX: whatever reads text (the parser's topics and labels) sees the document as it is written, and
    only the renderer (:func:`_text`) turns it into MathJax."""
    if _MATH_CACHE not in state.env:
        return  # no opener was met, so there is no math token to look for
    pending = list(state.tokens)
    while pending:
        token = pending.pop()
        if token.type == "math_inline":
            token.type = "text"
            token.content = token.meta["source"]
        pending.extend(token.children or ())


def _text(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    if token.meta:
        tex = token.meta.get("math")
        if isinstance(tex, str):
            return math_html(tex, bool(token.meta.get("display")))
        header = token.meta.get(_CALLOUT)
        if isinstance(header, str) and token.content.startswith(header):
            title = escapeHtml(token.content[len(header) :].rstrip())
            alone = idx + 1 == len(tokens) or tokens[idx + 1].type in ("softbreak", "hardbreak")
            return f"<strong>{title}</strong>" if title and alone else title
    return escapeHtml(token.content)


_CALLOUT = "callout"
"""The meta key of a callout's header text token (the header it starts with) and of the line break after
its title (whether it shows)."""
CALLOUT_HEADER_RE = re.compile(r"\[!(?P<type>[A-Za-z-]+)\][+-]?[ \t]*")
"""An Obsidian callout's header at the start of a quote's first line (``[!question]-``, ``[!tip] ``): the
parser reads its type, and the renderer leaves it out."""


def _callout_headers(state: StateCore) -> None:
    """Mark each callout's header (see the module's docstring): Anki has no callouts, and ``[!tip]`` on a
    card is noise. Marked, not cut: the parser reads the header."""
    if "[!" not in state.src:
        return
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        if tokens[index].type != "blockquote_open" or tokens[index + 1].type != "paragraph_open":
            continue
        children = tokens[index + 2].children
        if not children or children[0].type != "text":
            continue
        first = children[0]
        match = CALLOUT_HEADER_RE.match(first.content)
        if match is None:
            continue
        first.meta = {**first.meta, _CALLOUT: match.group()}
        breaks = [i for i, child in enumerate(children) if child.type in ("softbreak", "hardbreak")]
        line_end = breaks[0] if breaks else len(children)
        titled = bool(first.content[match.end() :].strip()) or line_end > 1
        if not titled and line_end == len(children):
            tokens[index + 1].hidden = tokens[index + 3].hidden = True  # a paragraph of the header alone
        elif line_end < len(children) and children[line_end].type == "softbreak":
            children[line_end].meta = {**children[line_end].meta, _CALLOUT: titled}


def _softbreak(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    shown = tokens[idx].meta.get(_CALLOUT) if tokens[idx].meta else None
    if shown is None:
        return str(RendererHTML.softbreak(self, tokens, idx, options, env))
    return str(RendererHTML.hardbreak(self, tokens, idx, options, env)) if shown else ""


_MATH_CLOSERS = {"$$": "$$", "\\[": "\\]"}
"""What closes display math, by what opens it."""


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Display math on lines of its own: ``$$`` or ``\\[`` at the start of a line, up to a line ending in
    ``$$`` or ``\\]``. A blank line or a heading before the end means it is not a block after all (the
    inline rules then have their say), so a stray ``$$`` never swallows the rest of a document."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    # (every line of a paragraph asks: the cheapest test first)
    opener = state.src[begin : begin + 2]
    closer = _MATH_CLOSERS.get(opener)
    if closer is None or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    first = state.src[begin : state.eMarks[start_line]].rstrip()
    rest = first[len(opener) :]
    if closer in rest:
        at = rest.index(closer)
        if rest[at + len(closer) :].strip() or not rest[:at].strip():
            return False
        tex, last = rest[:at], start_line
    else:
        last = start_line + 1
        while True:
            if last >= end_line or state.isEmpty(last) or state.sCount[last] < state.blkIndent:
                return False
            line = state.src[state.bMarks[last] + state.tShift[last] : state.eMarks[last]].rstrip()
            if _HEADING_RE.match(line):
                return False
            if line.endswith(closer) and not (closer == "$$" and _escaped(line, len(line) - 2)):
                break
            last += 1
        middle = (
            [state.getLines(start_line + 1, last, state.blkIndent, False)] if last > start_line + 1 else []
        )
        tex = "\n".join([rest, *middle, line[: -len(closer)]])
    if not tex.strip() or not safe_tex(tex):
        return False
    if silent:
        return True
    token = state.push("math_block", "div", 0)
    token.block = True
    token.content = tex
    token.markup = opener
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


COMMENT = "html_comment"
"""The token of an HTML comment on lines of its own (``<!-- more -->``, ``<!-- TODO -->``), of a line of
empty anchors (``<a id="q2"></a>``, a table of contents' targets), or of a document's YAML front matter:
nothing shows."""
_YAML_KEY_RE = re.compile(r"[A-Za-z_][\w.-]*[ \t]*:(?:[ \t]|$)")
_FRONT_MATTER_END = ("---", "...")


def _front_matter(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A document's YAML front matter (Hexo, Hugo, Jekyll, Obsidian): ``---`` on its first line, ``key:
    value`` lines, and ``---`` (or ``...``). Read as Markdown it was a heading of all its lines, the topic of
    every entry. Only lines that look like YAML (keys, indented or ``- `` continuations, blank lines) are
    taken: a document that opens with a thematic break keeps what follows it."""
    if start_line != 0 or state.parentType != "root" or not state.src.startswith("---"):
        return False
    if state.src[: state.eMarks[0]].rstrip() != "---":
        return False
    keys = 0
    for line in range(1, end_line):
        text = state.src[state.bMarks[line] : state.eMarks[line]]
        if text.rstrip() in _FRONT_MATTER_END and line > 1:
            if not keys:
                return False
            if silent:
                return True
            token = state.push(COMMENT, "", 0)
            token.block = True
            token.map = [0, line + 1]
            state.line = line + 1
            return True
        if _YAML_KEY_RE.match(text):
            keys += 1
        elif text.strip() and not text.startswith((" ", "\t", "- ")):
            return False
    return False


_ANCHOR = r"""<a(?:\s+(?:name|id)\s*=\s*(?:"[^"<>]*"|'[^'<>]*'))+\s*>\s*</a>"""
"""An empty anchor: a name, an id or both (``<a name="c4" id="c4"></a>``, jsliang's documents)."""
_ANCHOR_RE = re.compile(_ANCHOR, re.IGNORECASE)
_ANCHOR_LINE_RE = re.compile(rf"(?:{_ANCHOR}\s*)+", re.IGNORECASE)


def _comment_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """An HTML comment from ``<!--`` at the start of a line to the line holding ``-->``, as CommonMark
    reads one (it may interrupt a paragraph), though raw HTML is off: authors hide notes and Hexo's
    ``<!-- more -->`` so, and shown as text they fell on cards, or hid the question on the next line. One
    that does not close before a heading, or at all, is text (it never swallows what follows)."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : begin + 1]
    # (every line of a paragraph asks: the cheapest test first)
    if first not in _COMMENT_STARTS or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    if (
        state.src.startswith(("<a", "<A"), begin)
        and _ANCHOR_LINE_RE.fullmatch(state.src, begin, state.eMarks[start_line])
    ) or (first in _NOTE_MARK_STARTS and _marks_a_note(state.src[begin : state.eMarks[start_line]])):
        last = start_line
    else:
        head = state.src[begin : begin + 8].lower()
        opener = next((opener for opener in _HIDDEN_BLOCKS if head.startswith(opener)), None)
        if opener is None:
            return False
        last = _comment_end(state, start_line, end_line, begin + len(opener), _HIDDEN_BLOCKS[opener])
        if last < 0:
            return False
    if silent:
        return True
    token = state.push(COMMENT, "", 0)
    token.block = True
    token.map = [start_line, last + 1]
    state.line = last + 1
    return True


_HIDDEN_BLOCKS = {"<!--": "-->", "<think>": "</think>", "%%": "%%"}
"""What opens a block that shows nothing, and what closes it: an HTML comment, a reasoning model's
``<think>…</think>`` (DeepSeek-R1 pasted whole: its reasoning is no answer, and its ``问题：`` lines no
questions), and an Obsidian comment (``%% 待补充 %%``)."""
_IAL_RE = re.compile(r"\{:[^{}\n]*\}\s*|\{\{\{(?:row|col)\s*|\}\}\}\s*")
"""A 思源笔记 (SiYuan) block attribute line, ``{: id="20231102211433-k2h9qzm" updated="…"}``, or a line
that opens or closes its super block (``{{{row``, ``}}}``)."""
_WRAPPER_TAG_RE = re.compile(r"</?aside\s*>\s*|</?(?:Tabs|TabItem)(?:\s[^<>]*)?>\s*", re.IGNORECASE)
"""A Notion callout's ``<aside>`` or ``</aside>`` line, or a Docusaurus page's ``<Tabs>`` and ``<TabItem
value="read" label="读">`` lines: their text, between them, shows."""
_TAG_WORD_RE = re.compile(r"#[^\s#!-/:-@\[-^`{-~][^\s#]*")
"""An Obsidian tag: ``#`` and a word (``#python``, ``#面试/基础``), not ``# heading`` or ``#1``."""
_DIRECTIVES = frozenset(
    ("include", "define", "pragma", "if", "ifdef", "ifndef", "endif", "else", "elif", "undef")
)
"""C preprocessor directives: a line of them is code, not tags."""


_NOTE_MARK_STARTS = frozenset("{}<#")
"""The first characters of the lines :func:`_marks_a_note` may hide (it is tried at every line)."""
_COMMENT_STARTS = _NOTE_MARK_STARTS | frozenset("<%")
"""The first characters of the lines :func:`_comment_block` takes: a note mark, an anchor, or what opens
one of :data:`_HIDDEN_BLOCKS`."""


def _marks_a_note(line: str) -> bool:
    """Whether a line only marks the note it stands in, showing nothing: a SiYuan attribute line, a Notion
    ``<aside>`` tag, or a line of Obsidian tags (``#python #面试/基础``)."""
    if line[:1] == "#":
        if line[1:2] in ("#", " ", "\t", ""):
            return False  # (a heading: most lines opening with ``#``)
    elif _IAL_RE.fullmatch(line) or _WRAPPER_TAG_RE.fullmatch(line):
        return True
    words = line.split()
    return bool(words) and all(
        _TAG_WORD_RE.fullmatch(word) and not word[1:].isdigit() and word[1:] not in _DIRECTIVES
        for word in words
    )


def _comment_end(state: StateBlock, start_line: int, end_line: int, after: int, closer: str) -> int:
    """The line where a comment whose opener ends at ``after`` closes, or -1 (no ``closer`` before a
    heading)."""
    last = start_line
    text = state.src[after : state.eMarks[start_line]]
    while closer not in text.lower():
        last += 1
        if last >= end_line:
            return -1
        text = state.src[state.bMarks[last] : state.eMarks[last]]
        if _HEADING_RE.match(text):
            return -1
    return last


def _comment_inline(state: StateInline, silent: bool) -> bool:
    """An HTML comment inside a line (``是Y。<!-- 待补充 -->``): left out."""
    if not state.src.startswith("<!--", state.pos):
        return False
    close = state.src.find("-->", state.pos + 4, state.posMax)
    if close == -1:
        return False
    state.pos = close + 3
    return True


_OBSIDIAN_COMMENT_RE = re.compile(r"%%.*?%%")
_BLOCK_ID_RE = re.compile(r"\^[A-Za-z0-9-]+(?=[ \t]*(?:\n|$))")
_WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n]+)(?:\|([^\[\]\n]+))?\]\]")


def _obsidian_comment(state: StateInline, silent: bool) -> bool:
    """An Obsidian comment inside a line (``影响不大； %% PyPy 也有 GIL %%``): left out."""
    return state.src.startswith("%%", state.pos) and _left_out(state, _OBSIDIAN_COMMENT_RE, silent)


def _block_id(state: StateInline, silent: bool) -> bool:
    """An Obsidian block id ending a line (``…执行字节码。 ^gil-def``): left out, as Obsidian shows it."""
    return (
        state.src[state.pos] == "^"
        and state.pos > 0
        and state.src[state.pos - 1] in " \t"
        and _left_out(state, _BLOCK_ID_RE, silent)
    )


ECMASCRIPT_SLOTS = frozenset(
    (
        *("Prototype", "Call", "Construct", "Scopes", "Environment", "Realm", "Extensible"),
        *("PromiseState", "PromiseResult", "PromiseFulfillReactions", "PromiseRejectReactions"),
        *("GetPrototypeOf", "SetPrototypeOf", "DefineOwnProperty", "GetOwnProperty", "OwnPropertyKeys"),
        *("HomeObject", "ThisValue", "ThisMode", "FunctionLocation", "FormalParameters", "ECMAScriptCode"),
        *("BoundThis", "BoundArgs", "BoundArguments", "BoundTargetFunction", "TargetFunction"),
        *("PrimitiveValue", "ProxyTarget", "ProxyHandler", "IsRevoked", "GeneratorState"),
        *("Writable", "Enumerable", "Configurable"),
    )
)
"""ECMAScript's internal slots and methods, written ``[[Prototype]]`` in JavaScript's 原型链 answers: the
brackets are the notation, not an Obsidian link (whose text alone would read ``私有属性(Prototype)``)."""


def _wikilink(state: StateInline, silent: bool) -> bool:
    """An Obsidian link to a note (``[[Python 可变对象|可变对象]]``, ``[[GIL]]``): its text, as Obsidian
    shows it (the note it links to is not in the deck). Not one of :data:`ECMASCRIPT_SLOTS`."""
    if not state.src.startswith("[[", state.pos) or state.src[state.pos - 1 : state.pos] == "!":
        return False  # (``![[另一篇笔记]]`` embeds a note: shown as written, see _obsidian_embed)
    match = _WIKILINK_RE.match(state.src, state.pos, state.posMax)
    if match is None or (not match.group(2) and match.group(1) in ECMASCRIPT_SLOTS):
        return False
    return _shown_part(state, match, 2 if match.group(2) else 1, silent)


def _shown_part(state: StateInline, match: re.Match[str], group: int, silent: bool) -> bool:
    """Show one group of what ``match`` matched here as text, and leave the rest out of the line's text
    too (see :func:`_left_out`)."""
    if not silent:
        state.push("text", "", 0).content = match.group(group)
        _note_left_out(state, (match.start(), match.start(group)), (match.end(group), match.end()))
    state.pos = match.end()
    return True


_PANDOC_ATTRS = r"\{(?:[.#][^{}]*|[A-Za-z][\w-]*=[^{}]*)\}"
_PANDOC_SPAN_RE = re.compile(rf"\[([^\[\]\n]+)\]{_PANDOC_ATTRS}")
_PANDOC_ATTRS_RE = re.compile(_PANDOC_ATTRS)


def _pandoc_span(state: StateInline, silent: bool) -> bool:
    """A pandoc span from a Word document, ``[特权指令]{.underline}``: its text."""
    if state.src[state.pos] != "[":
        return False
    match = _PANDOC_SPAN_RE.match(state.src, state.pos, state.posMax)
    return match is not None and _shown_part(state, match, 1, silent)


def _pandoc_attrs(state: StateInline, silent: bool) -> bool:
    """Pandoc's attributes after an image or link, ``![](media/image1.png){width="5.76in"}``: left out."""
    return (
        state.src[state.pos] == "{"
        and state.src[state.pos - 1 : state.pos] in (")", "]")
        and _left_out(state, _PANDOC_ATTRS_RE, silent)
    )


_DOCSIFY_MARKS = ("!> ", "?> ")
"""docsify's paragraph helpers (``!> 重要``, ``?> 提示``): shown as a plain paragraph."""


def _docsify_marks(state: StateCore) -> None:
    """Leave docsify's helper mark off a paragraph that opens with one."""
    for token in state.tokens:
        if token.type != "inline" or not token.content.startswith(_DOCSIFY_MARKS) or not token.children:
            continue
        first = token.children[0]
        if first.type == "text" and first.content.startswith(_DOCSIFY_MARKS):
            first.content = first.content[3:]
            token.content = token.content[3:]


def _mark(state: StateInline, silent: bool) -> bool:
    """A highlight, ``==泛化能力弱==`` (Obsidian, Typora): ``<mark>``, its text read as any other."""
    src, start = state.src, state.pos
    if not src.startswith("==", start) or src.startswith("===", start):
        return False
    inner = start + 2
    if inner >= state.posMax or src[inner].isspace():
        return False
    end = src.find("==", inner + 1, state.posMax)
    while end != -1 and (src[end - 1].isspace() or src.startswith("===", end)):
        end = src.find("==", end + 2, state.posMax)
    if end == -1 or "\n" in src[inner:end]:
        return False
    if not silent:
        state.push("mark_open", "mark", 1)
        limit = state.posMax
        state.pos, state.posMax = inner, end
        state.md.inline.tokenize(state)
        state.posMax = limit
        state.push("mark_close", "mark", -1)
        _note_left_out(state, (start, inner), (end, end + 2))
    state.pos = end + 2
    return True


_ANCHORS = "qa2anki.anchors"
"""Where :func:`_anchor_inline` and :func:`_style_tag_inline` note the tags they left out, by the text they
parsed: ``{text: {(start, end)}}``."""


def _style_tag_inline(state: StateInline, silent: bool) -> bool:
    """A styling tag (``<font color=red>``, ``</span>``): left out, its text kept (shown as text, it fell
    on cards). A tag without attributes and without its other half is a word (``<div> 和 <span>
    的区别？``)."""
    if state.src[state.pos] != "<":
        return False
    match = STYLE_TAG_RE.match(state.src, state.pos, state.posMax)
    return match is not None and markup_tag(state.src, match) and _left_out(state, STYLE_TAG_RE, silent)


def _format_tag_inline(state: StateInline, silent: bool) -> bool:
    """A formatting tag without attributes (``<i>``, ``</sup>``, see :data:`FORMAT_TAG_RE`): shown as that
    tag, lower-case, when its other half is in the paragraph too (else it is a word the text is about:
    ``<b> 和 <strong> 的区别？``)."""
    if state.src[state.pos] != "<":
        return False
    match = FORMAT_TAG_RE.match(state.src, state.pos, state.posMax)
    if match is None or not markup_tag(state.src, match):
        return False
    if not silent:
        token = state.push("html_inline", "", 0)
        token.content = f"<{match.group(1)}{match.group(2).lower()}>"
    state.pos = match.end()
    return True


def _anchor_inline(state: StateInline, silent: bool) -> bool:
    """An empty anchor inside a line (``### <a name="q1"></a>1. 什么是 IoC？``): left out."""
    return state.src[state.pos : state.pos + 2] in ("<a", "<A") and _left_out(state, _ANCHOR_RE, silent)


def _left_out(state: StateInline, pattern: re.Pattern[str], silent: bool) -> bool:
    """Skip what ``pattern`` matches here, and note it, so that :func:`_anchors_out` takes it out of the
    line's text too."""
    match = pattern.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        _note_left_out(state, match.span())
    state.pos = match.end()
    return True


def _note_left_out(state: StateInline, *spans: tuple[int, int]) -> None:
    """Note spans of the line left out of what shows, for :func:`_anchors_out`."""
    state.env.setdefault(_ANCHORS, {}).setdefault(state.src, set()).update(spans)


def _anchors_out(state: StateCore) -> None:
    """The anchors and styling tags left out of a line (see :func:`_anchor_inline`) are taken out of its
    inline token's content too: what reads a heading's or paragraph's text (numbering, labels) reads what
    shows."""
    found: dict[str, set[tuple[int, int]]] = state.env.pop(_ANCHORS, None) or {}
    if not found:
        return  # (most documents)
    for token in state.tokens:
        spans = found.get(token.content) if token.type == "inline" else None
        if spans:
            content, kept, at = token.content, [], 0
            for start, end in sorted(spans):
                kept.append(content[at:start])
                at = end
            token.content = "".join([*kept, content[at:]])


def _nothing(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return ""


HTML_BREAK = "html_break"
"""The token of a ``<br>`` tag: the one piece of raw HTML that is not shown as text, as tables need it to
break a line in a cell (``| 什么是 MVCC？ | 多版本并发控制。<br>依赖 undo log。 |``). Not a ``hardbreak``: the
lines of a paragraph's source stay the lines its tokens are cut into."""
_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _html_break(state: StateInline, silent: bool) -> bool:
    """``<br>``, ``<br/>``, ``<br />``: a line break."""
    if state.src[state.pos : state.pos + 3].lower() != "<br":
        return False
    match = _BREAK_RE.match(state.src, state.pos, state.posMax)
    if match is None:
        return False
    if not silent:
        state.push(HTML_BREAK, "br", 0).markup = match.group()
    state.pos = match.end()
    return True


def _html_break_render(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "<br />\n"


def _math_block_render(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="qa-math">{math_html(tokens[idx].content, True)}</div>\n'


# --------------------------------------------------------------------------------------------------
# Enumerated lines
# --------------------------------------------------------------------------------------------------

_ENUMERATOR_RE = re.compile(
    r"""^\s*(?:
        [0-9]{1,3}[)）、]                 # 1)  2）  3、
      | [0-9]{1,3}[.．](?![0-9])          # 4.  (not 4.5)
      | [(（][0-9一二三四五六七八九十]{1,3}[)）]   # (1) （二）
      | [①-⑳]                          # ①
      | [A-H][.．、)）]                  # A.  B、
    )""",
    re.VERBOSE,
)
"""How a line that starts with an enumerator begins (matched on one text token)."""
ENUMERATED_LINES = 2
"""A paragraph needs this many lines that start with an enumerator for them to get lines of their own."""


def _starts_enumerated(children: Sequence[Token], index: int) -> bool:
    """Whether the line that starts at ``children[index]`` starts with an enumerator."""
    return (
        index < len(children)
        and children[index].type == "text"
        and _ENUMERATOR_RE.match(children[index].content) is not None
    )


def _enumerated_lines(state: StateCore) -> None:
    """Soft line breaks before enumerated lines become hard ones (see the module's docstring)."""
    for token in state.tokens:
        children = token.children
        if token.type != "inline" or not children or "\n" not in token.content:
            continue
        starts = [index + 1 for index, child in enumerate(children) if child.type == "softbreak"]
        enumerated = [index for index in starts if _starts_enumerated(children, index)]
        if len(enumerated) + _starts_enumerated(children, 0) < ENUMERATED_LINES:
            continue
        for index in enumerated:
            children[index - 1].type = "hardbreak"


# --------------------------------------------------------------------------------------------------
# Folds
# --------------------------------------------------------------------------------------------------

FOLD_TAG = "fold_tag"
"""The token of a line that is only a fold's tag (``<details>``, ``</details>``, ``<p>``, ``</p>``): shows
nothing. Its ``meta["tag"]`` is the tag's name, with ``/`` for a closing one."""
FOLD_SUMMARY = "summary"
"""``meta`` key set on the ``paragraph_open`` of a ``<summary>`` line (its ``meta["tag"]``: ``details``
when the line opens the fold too, else ``""``)."""

_FOLD_LINE_RE = re.compile(
    r"(?:<(?P<tag>details|/details|p|/p|div|/div)(?:\s+open)?\s*>)?\s*"
    r"(?:<summary>(?P<summary>.*?)</summary>)?",
    re.IGNORECASE,
)
"""A line that is only a fold's tag, a ``<summary>…</summary>``, or ``<details>`` and its summary."""
_CONTAINER_LINE_RE = re.compile(r":{3,}(?:\s*(?P<name>[A-Za-z][\w-]*)(?:\s+(?P<title>.*?))?)?\s*")
"""A VitePress/VuePress container's opening line (``::: details 参考答案``, ``::: tip``) or closing one
(``:::``): the same as a ``<details>`` fold's."""
_SIMPLE_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*\s*/?>")
"""A tag without attributes (``<b>``, ``</strong>``, ``<br/>``), dropped from a summary's text."""


def _fold_line(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A ``<details>`` fold's lines (see the module's docstring)."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : begin + 1]
    if first not in ("<", ":") or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = state.src[begin : state.eMarks[start_line]].strip()
    if first == ":":
        container = _CONTAINER_LINE_RE.fullmatch(line)
        if container is None:
            return False
        opens = container.group("name") is not None
        tag, summary = ("details" if opens else "/details"), container.group("title") or None
    else:
        match = _FOLD_LINE_RE.fullmatch(line)
        if match is None:
            return False
        tag, summary = match.group("tag"), match.group("summary")
    if summary is None and tag is None:
        return False
    if summary is not None and tag is not None and tag.lower() in ("p", "/p", "div", "/div"):
        return False
    if silent:
        return True
    if summary is None:
        _push_fold_tag(state, str(tag).lower(), start_line)
    else:
        # "<details><summary>…</summary>" on one line is one block, the summary: a line belongs to one
        # block only.
        text = _SIMPLE_TAG_RE.sub("", summary).strip()
        meta = {FOLD_SUMMARY: True, "tag": str(tag or "").lower()}
        _push_paragraph(state, text, start_line, start_line + 1, meta)
    state.line = start_line + 1
    return True


def _fold_tag_render(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return ""


INDENTED = "indented"
"""``meta`` key set on the first token of each block in an admonition's body: how many columns the body
is indented by (its source lines are read without them)."""
_ADMONITION_RE = re.compile(
    r"(?:(?:!!!|\?\?\?\+?)[ \t]+[A-Za-z][A-Za-z0-9_-]*(?:[ \t]+[A-Za-z][A-Za-z0-9_-]*)*"
    r"(?:[ \t]+\"(?P<title>[^\"]*)\")?|===[!+]?[ \t]+\"(?P<tab>[^\"]*)\")[ \t]*"
)
"""An admonition's first line (Python-Markdown's ``!!! note "标题"``, MkDocs Material's collapsible
``??? question "…"`` and ``???+``) or a content tab's (``=== "Python 3"``)."""


def _admonition(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """An admonition or content tab (MkDocs): its title line and the lines indented below it, read as a
    ``<details>`` fold is (see the module's docstring). Its body was an indented code block, and the
    marker line text, so a ``??? question "…？"`` showed on the front and its answer as code."""
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[begin : begin + 1] not in ("!", "?", "=") or state.sCount[start_line] - state.blkIndent >= 4:
        return False
    match = _ADMONITION_RE.fullmatch(state.src, begin, state.eMarks[start_line])
    if match is None:
        return False
    if silent:
        return True
    width = state.blkIndent + 4
    end = line = start_line + 1
    while line < end_line and (state.isEmpty(line) or state.sCount[line] >= width):
        line += 1
        if not state.isEmpty(line - 1):
            end = line
    title = (match.group("title") or match.group("tab") or "").strip()
    if title:
        _push_paragraph(state, title, start_line, start_line + 1, {FOLD_SUMMARY: True, "tag": "details"})
    else:
        _push_fold_tag(state, "details", start_line)
    body = len(state.tokens)
    indent, state.blkIndent = state.blkIndent, width
    state.md.block.tokenize(state, start_line + 1, end)
    state.blkIndent = indent
    for token in state.tokens[body:]:
        if token.level == state.level and token.nesting >= 0 and INDENTED not in token.meta:
            token.meta = {**token.meta, INDENTED: width}
    if end < end_line and state.isEmpty(end):
        # The blank line after the body closes the fold (one that runs to the end of its section, or
        # into a line that is not indented, is closed by what ends it).
        _push_fold_tag(state, "/details", end)
        end += 1
    state.line = end
    return True


MAX_NESTING = 20
"""markdown-it's nesting limit (``maxNesting``, CommonMark's preset's), set explicitly: the guard's
inline costs assume it, and :func:`_too_deep` stops lists and quotes before it."""
TOO_DEEP = "too_deep"
"""``meta`` key set on the ``paragraph_open`` of lines nested too deep to read as Markdown (see
:func:`_too_deep`)."""


def _too_deep(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A list, quote or admonition that would open at markdown-it's nesting limit (``maxNesting``): its
    lines, and those below it in the same container, as one paragraph of text. At the limit markdown-it
    skips to the end of the text it parses: everything after (the rest of the document) was lost."""
    if state.level < MAX_NESTING - 2:  # (every block start asks: the cheapest test first)
        return False
    if not (
        list_block(state, start_line, end_line, True)
        or blockquote(state, start_line, end_line, True)
        or _admonition(state, start_line, end_line, True)
    ):
        return False
    if silent:
        return True
    end = start_line + 1
    while end < end_line:
        if state.isEmpty(end):
            following = state.skipEmptyLines(end)
            if following >= end_line or state.sCount[following] < state.blkIndent:
                break
            end = following
        elif state.sCount[end] < state.blkIndent:
            break
        end += 1
    text = state.getLines(start_line, end, state.blkIndent, False).strip()
    _push_paragraph(state, text, start_line, end, {TOO_DEEP: True})
    state.line = end
    return True


def _push_paragraph(state: StateBlock, text: str, start: int, end: int, meta: dict[str, Any]) -> None:
    """A paragraph of ``text`` on lines ``[start, end)`` that a block rule made (its inline parsed later,
    as any paragraph's), its ``paragraph_open`` marked with ``meta``."""
    opening = state.push("paragraph_open", "p", 1)
    opening.map = [start, end]
    opening.meta = meta
    inline = state.push("inline", "", 0)
    inline.content = text
    inline.map = [start, end]
    inline.children = []
    state.push("paragraph_close", "p", -1)


def _push_fold_tag(state: StateBlock, tag: str, line: int) -> None:
    token = state.push(FOLD_TAG, "", 0)
    token.block = True
    token.meta = {"tag": tag}
    token.map = [line, line + 1]


# --------------------------------------------------------------------------------------------------
# The dialect
# --------------------------------------------------------------------------------------------------


_OFF_OPTIONS = (
    "html",
    "strikethrough_single_tilde",
    "tasklists",
    "tasklists_editable",
    "alerts",
    "inline_definitions",
    "store_labels",
)
"""Options markdown-it-py's rules look up, set to their default (off) anyway: a rule that asks for an
option its dict lacks pays for a ``KeyError`` each time, which was about 7% of a scan."""


@cache
def _markdown() -> MarkdownIt:
    options: dict[str, Any] = {**dict.fromkeys(_OFF_OPTIONS, False), "maxNesting": MAX_NESTING}
    md = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
    md.validateLink = safe_url  # type: ignore[method-assign]
    md.use(cjk_friendly_plugin)
    md.block.ruler.before("table", "front_matter", _front_matter)
    md.block.ruler.before("front_matter", TOO_DEEP, _too_deep)
    md.block.ruler.before(
        "blockquote", "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.block.ruler.before(
        "blockquote", "fold_line", _fold_line, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.block.ruler.before("blockquote", "admonition", _admonition)
    md.block.ruler.before(
        "blockquote", COMMENT, _comment_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.inline.ruler.before("html_inline", COMMENT, _comment_inline)
    md.inline.ruler.before("html_inline", "html_anchor", _anchor_inline)
    md.inline.ruler.before("html_inline", "html_style", _style_tag_inline)
    md.inline.ruler.before("html_inline", "html_format", _format_tag_inline)
    md.inline.ruler.before("html_inline", "html_image", _html_image)
    md.inline.ruler.before("image", "obsidian_embed", _obsidian_embed)
    md.inline.ruler.before("link", "wikilink", _wikilink)
    md.inline.ruler.before("link", "pandoc_span", _pandoc_span)
    md.inline.ruler.before("html_inline", "pandoc_attrs", _pandoc_attrs)
    md.inline.ruler.before("emphasis", "mark", _mark)
    md.inline.ruler.before("html_inline", "obsidian_comment", _obsidian_comment)
    md.inline.ruler.before("html_inline", "block_id", _block_id)
    md.inline.ruler.before("html_inline", HTML_BREAK, _html_break)
    md.core.ruler.push("math_as_text", _math_as_text)
    md.core.ruler.push("anchors_out", _anchors_out)
    md.core.ruler.push("enumerated_lines", _enumerated_lines)
    md.core.ruler.push(_CALLOUT, _callout_headers)
    md.core.ruler.push("docsify_marks", _docsify_marks)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
    md.add_render_rule("text", _text)
    md.add_render_rule("softbreak", _softbreak)
    md.add_render_rule("math_block", _math_block_render)
    md.add_render_rule(FOLD_TAG, _fold_tag_render)
    md.add_render_rule(COMMENT, _nothing)
    md.add_render_rule(HTML_BREAK, _html_break_render)
    return md


def markdown_parser() -> MarkdownIt:
    """The one Markdown dialect qa2anki reads and renders: CommonMark + tables + strikethrough, raw HTML
    off, safe links only. The parser uses it too, so the tokens it renders are already safe."""
    return _markdown()


def render_tokens(tokens: Sequence[Token]) -> str:
    """Block tokens (from :func:`markdown_parser`) → safe HTML."""
    md = _markdown()
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered.strip()


def render_inline(children: Sequence[Token]) -> str:
    """Inline tokens (part of a paragraph the parser made) → a safe ``<p>`` paragraph, or ``""``."""
    if not children:
        return ""
    md = _markdown()
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    inner = renderer.renderInline(children, md.options, {})
    return f"<p>{inner.strip()}</p>" if inner.strip() else ""


def render_markdown(text: str) -> str:
    """Markdown → safe HTML."""
    rendered: str = _markdown().render(text)
    return rendered.strip()
