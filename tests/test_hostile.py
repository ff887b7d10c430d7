"""Hostile content never becomes live markup in the deck, and no input makes the CLI crash.

The built ``.apkg`` is opened and every field of every note is read with :class:`html.parser.HTMLParser`,
so that the checks are about real tags and attributes, not substrings: only the tags Markdown produces,
no ``on…`` attribute, no ``style`` but table alignment, no link or image target with a script, data or
file scheme. The hostile text itself must still be on the card, shown as text.
"""

from __future__ import annotations

import os
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qa2anki.cli import cli
from qa2anki.dialect import render_markdown
from tests.conftest import RunCli
from tests.test_bad_input import assert_no_traceback, deck_notes

# --- the inspector ---------------------------------------------------------------------------------------

MARKDOWN_TAGS = frozenset(
    {"p", "em", "strong", "s", "a", "img", "code", "pre", "ul", "ol", "li", "blockquote", "hr", "br"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "div"}
    | {"b", "i", "u", "del", "sup", "sub", "mark", "kbd"}
)
"""Every tag markdown-it (CommonMark + tables + strikethrough) and qa2anki's wrappers produce, and the
formatting tags the sources may use without attributes (``dialect.FORMAT_TAG_RE``)."""
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "srcset", "background", "poster", "data", "cite"}
    | {"codebase", "dynsrc", "lowsrc"}
)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:", "file:", "livescript:", "mocha:")
SAFE_STYLE = re.compile(r"text-align:(left|right|center)")


class Inspector(HTMLParser):
    """Collects what in a piece of HTML would be live: unexpected tags, handlers, dangerous URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in MARKDOWN_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"handler {name}={value!r} on <{tag}>")
            elif name == "style" and not SAFE_STYLE.fullmatch(value):
                self.problems.append(f"style={value!r} on <{tag}>")
            elif name in URL_ATTRIBUTES:
                # What a browser would see: entities are already decoded; also undo %-escapes and drop the
                # white space and control characters browsers skip inside a scheme.
                url = "".join(ch for ch in unquote(value) if ch.isprintable() and not ch.isspace()).lower()
                if url.startswith(BAD_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in MARKDOWN_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment <!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration <!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration <![{data}]>")


def inspect(html: str) -> tuple[list[str], str]:
    """The live-markup problems of ``html`` and its visible text."""
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems, "".join(inspector.text)


def test_inspector_catches_live_markup() -> None:
    """The inspector itself flags scripts, handlers, styles and script URLs (so a pass means something)."""
    for live in [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        '<a href=" JaVa&#x09;Script:alert(1)">x</a>',
        '<img src="data:image/png;base64,AAAA">',
        '<a href="%6Aavascript:alert(1)">x</a>',
        '<td style="background:url(x)">x</td>',
        "<!-- x -->",
        "<iframe></iframe>",
    ]:
        assert inspect(live)[0], live
    assert inspect('<p><a href="https://example.com">x</a> &lt;script&gt;</p>') == ([], "x <script>")


# --- hostile sources -------------------------------------------------------------------------------------

INLINE = {
    "script": ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    # A formatting tag formats only without attributes: with a handler it is text.
    "format-tag-handler": ('<b onclick="alert(1)">粗</b><i>斜</i>', '<b onclick="alert(1)">粗'),
    "iframe": ('<iframe src="javascript:alert(1)"></iframe>', "<iframe"),
    "style": ("<style>body{display:none}</style>", "<style>body{display:none}</style>"),
    # An <img> tag is an image (as Typora writes one), with only its source and size: the handler goes, and
    # nothing of it is text.
    "img-onerror": ("<img src=x onerror=alert(1)>", ""),
    "img-javascript": ('<img src="javascript:alert(1)" width=1>', '<img src="javascript:alert(1)" width=1>'),
    "a-onclick": ('<a onclick="alert(1)" href="#">点我</a>', 'onclick="alert(1)"'),
    "a-href-javascript": ('<a href="javascript:alert(1)">x</a>', "javascript:alert(1)"),
    "svg-onload": ("<svg onload=alert(1)>", "<svg onload=alert(1)>"),
    "body-onload": ("<body onload=alert(1)>", "<body onload=alert(1)>"),
    "math-script": ("<math><mtext><script>alert(1)</script>", "<math>"),
    "object": ('<object data="javascript:alert(1)"></object>', "<object"),
    "meta-refresh": ('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', "<meta"),
    "base": ('<base href="javascript:alert(1)//">', "<base"),
    "form": ('<form action="javascript:alert(1)"><button>x</button></form>', "<form"),
    "comment": ("<!-- <script>alert(1)</script> -->", ""),  # a comment shows nothing at all
    "link-javascript": ("[x](javascript:alert(1))", "javascript:alert(1)"),
    "link-mixed-case": ("[x](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
    "link-entity-colon": ("[x](JaVaScRiPt&#58;alert(1))", "alert(1)"),
    "link-entity-letters": ("[x](&#x6A;&#x61;vascript&colon;alert(1))", "alert(1)"),
    "link-decimal-entity": ("[x](&#106;avascript:alert(1))", "alert(1)"),
    "link-entity-tab": ("[x](java&#x09;script:alert(1))", "alert(1)"),
    "link-entity-newline": ("[x](java&#x0A;script:alert(1))", "alert(1)"),
    "link-entity-space": ("[x](&#x20;javascript:alert(1))", "alert(1)"),
    "link-zero-width-space": ("[x](\u200bjavascript:alert(1))", "alert(1)"),
    "link-percent": ("[x](%6Aavascript:alert(1))", "alert(1)"),
    "link-escaped-colon": ("[x](javascript\\:alert(1))", "alert(1)"),
    "link-angle": ("[x](<javascript:alert(1)>)", "javascript:alert(1)"),
    "link-spaces": ("[x]( javascript:alert(1) )", "javascript:alert(1)"),
    "link-data-html": (
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ),
    "link-data-upper": ("[x](DATA:text/html,alert)", "DATA:text/html,alert"),
    "image-data": ("![x](data:image/png;base64,iVBORw0KGgo=)", "data:image/png;base64,iVBORw0KGgo="),
    "image-javascript": ("![x](javascript:alert(1))", "javascript:alert(1)"),
    "link-vbscript": ("[x](vbscript:msgbox(1))", "vbscript:msgbox(1)"),
    "link-file": ("[x](file:///etc/passwd)", "file:///etc/passwd"),
    "autolink-javascript": ("<javascript:alert(1)>", "<javascript:alert(1)>"),
    "autolink-data": ("<data:text/html,alert(1)>", "<data:text/html,alert(1)>"),
    "title-breakout": ('[x](https://example.com "t\\" onmouseover=\\"alert(1)")', "x"),
    "alt-breakout": ('![a" onerror="alert(1)](https://example.com/a.png)', ""),
    "url-breakout": ('[x](https://example.com/" onmouseover="alert(1))', "onmouseover"),
}
"""Hostile inline Markdown, and a piece of it that must still be visible as text on the card."""

BLOCKS = {
    "html-block-script": "<script>\nalert(1)\n</script>",
    "html-block-div": '<div onmouseover="alert(1)">\n\n*x*\n\n</div>',
    "fence-info-breakout": '```html" onmouseover="alert(1)\n<script>alert(1)</script>\n```',
    "reference-javascript": "[x][evil] ![y][evil]\n\n[evil]: javascript:alert(1)",
    "reference-data": '[x][d]\n\n[d]: data:text/html,<script>alert(1)</script> "t"',
    "table-cell": "| <script>alert(1)</script> | <img src=x onerror=alert(1)> |\n|:-|-:|\n| a | b |",
    "quote-and-list": "> <iframe src=x>\n\n- <style>*{}</style>\n- [x](javascript:alert(1))",
}
"""Hostile Markdown blocks, put after an answer's first paragraph."""
BLOCK_VISIBLE = {"html-block-div": "x"}
"""What must show of a block on the card, when not its ``alert``: a ``<div …>`` holding text is left out,
as styling tags are, its attributes with it."""


def _hostile_document() -> tuple[str, list[tuple[str, str]]]:
    """A document with one entry per hostile piece: in the question and in the answer."""
    parts: list[str] = []
    expected: list[tuple[str, str]] = []
    for n, (name, (snippet, visible)) in enumerate(INLINE.items(), 1):
        parts.append(
            f"### {n}. 主题{n}\n\n**面试题：** 问题{n} {snippet} 是什么？\n\n"
            f"**答案：** 答案{n} {snippet} 结束。\n\n{snippet}\n\n"
        )
        expected.append((name, visible))
    for n, (name, block) in enumerate(BLOCKS.items(), len(INLINE) + 1):
        parts.append(f"### {n}. 主题{n}\n\n**面试题：** 问题{n}？\n\n**答案：** 答案{n}\n\n{block}\n\n")
        expected.append((name, BLOCK_VISIBLE.get(name, "alert")))
    return "".join(parts), expected


def test_hostile_markdown_is_never_live_in_the_deck(project: Path, run_cli: RunCli) -> None:
    """Script, iframe, style, event handlers and javascript:/data:/vbscript:/file: targets in questions and
    answers end up as text in the deck, never as live tags, attributes or links (an HTML comment, and the
    script in it, shows nothing)."""
    text, expected = _hostile_document()
    (project / "source" / "hostile.md").write_text(text, encoding="utf-8")
    result = run_cli("build")
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    notes = deck_notes(project)
    assert len(notes) == len(expected)  # nothing was dropped or merged
    problems = []
    for (name, visible), fields in zip(expected, notes, strict=True):
        assert len(fields) == 4, (name, fields)
        for index, field in enumerate(fields):
            found, shown = inspect(field)
            problems += [f"{name} field {index}: {p}" for p in found]
            if index in (0, 1) and name in INLINE:
                assert visible in shown if visible else "alert" not in shown, (name, index, field)
        assert visible in inspect(fields[1])[1], (name, fields[1])
    assert problems == []


def test_hostile_heading_and_file_name_are_text(project: Path, run_cli: RunCli) -> None:
    """Markup in a heading (the Topic field) or a file name (the Source field) is escaped text."""
    name = "x<img src=x onerror=alert(1)>.md"
    heading = "<script>alert(1)</script> [x](javascript:alert(1))"
    (project / "source" / name).write_text(
        f"### 1. {heading}\n\n**面试题：** 问题？\n\n**答案：** 答案。\n", encoding="utf-8"
    )
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    [fields] = deck_notes(project)
    for field in fields:
        assert inspect(field)[0] == [], field
    assert "<script>alert(1)</script>" in inspect(fields[2])[1]
    assert "<img src=x onerror=alert(1)>" in inspect(fields[3])[1]


@pytest.mark.parametrize(
    "target",
    [
        "../secret.txt",
        "{abs}",
        "img/../../secret.txt",
        "%2e%2e/secret.txt",
        "..%2fsecret.txt",
        "img/link.png",
    ],
    ids=["parent", "absolute", "dotdot-inside", "percent-dots", "percent-slash", "symlink-out"],
)
def test_images_outside_the_sources_are_never_packed(project: Path, run_cli: RunCli, target: str) -> None:
    """An image path that leads outside the source folder (``..``, absolute, %-encoded, a symlink) is
    reported at its line, and no byte of the file it names gets into a deck: an absolute path is left out
    with a warning (the deck builds without it), the others are errors."""
    secret = project / "secret.txt"
    secret.write_bytes(b"SECRET-BYTES")
    (project / "source" / "img").mkdir()
    (project / "source" / "img" / "link.png").symlink_to("../../secret.txt")
    target = target.format(abs=secret)
    (project / "source" / "a.md").write_text(
        f"### 1. 图片\n\n**面试题：** 图片？\n\n**答案：** 看图 ![x]({target})\n", encoding="utf-8"
    )
    result = run_cli("build")
    assert_no_traceback(result)
    if target == str(secret):
        assert result.exit_code == 0, result.output
        assert "source/a.md:5: warning: " in result.stderr
    else:
        assert result.exit_code == 1, result.output
        assert "source/a.md:5: error: " in result.stderr
        link = "is a link to a file outside the sources folder" in result.stderr
        assert link == (target == "img/link.png"), result.stderr  # (not "'../' escapes" for a link)
        assert not (project / "build" / "qa2anki.apkg").exists()
    for path in (project / "build").rglob("*") if (project / "build").exists() else ():
        assert not path.is_file() or b"SECRET-BYTES" not in path.read_bytes(), path


@pytest.mark.parametrize(
    "snippet",
    [s for s, _ in INLINE.values()] + list(BLOCKS.values()),
    ids=[*INLINE, *BLOCKS],
)
def test_render_markdown_output_is_inert(snippet: str) -> None:
    """render_markdown turns each hostile piece into inert HTML that still shows it."""
    found, shown = inspect(render_markdown(f"前\n\n{snippet}\n\n后"))
    assert found == []
    assert "前" in shown and "后" in shown


def test_safe_links_still_work() -> None:
    """Web, mail and relative links and images stay links: safety does not cost real content."""
    html = render_markdown(
        "[a](https://example.com/a?b=1&c=2) <https://example.com> <mailto:a@b.c> [r](notes/a.md) "
        "![i](img/a.png) [H](HTTPS://EXAMPLE.COM)"
    )
    assert inspect(html)[0] == []
    assert html.count("<a href=") == 5
    assert '<img src="img/a.png"' in html


# --- arbitrary input -------------------------------------------------------------------------------------

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}

FRAGMENTS = [
    "### 1. 主题\n\n", "# 标题\n", "## 2.3 小节\n", "**面试题：** ", "**面试题**：", "面试题：", "**问题：",
    "**答案：**", "答案:", "答", "**", "*", "_", "`", "```\n", "~~~", "\n", "\n\n", "\r", "\r\n", " ", "\t",
    "- ", "1. ", "> ", "    ", "|a|b|\n|-|-|\n", "[x](", "](", ")", "<script>", "<", ">", "&#x1f;", "&",
    "\x00", "\x1f", "\ufeff", "\u2028", "通过以上", "综上所述，", "---\n", "===\n", "中文", "？", "。", "\\",
]  # fmt: skip

junk = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=8).map("".join)
entry = st.builds(
    "{}{}{}\n\n{}{}\n\n{}".format,
    st.sampled_from(["", "### 1. 主题\n\n", "## 二、章节\n\n", "# 标题\n\n", "#### 深层\n\n"]),
    st.sampled_from(["**面试题：** ", "**面试题**：", "面试题：", "**问题：", "题目: "]),
    st.one_of(st.text(max_size=20), junk).map("问{}".format),
    st.sampled_from(["**答案：** ", "**答案**：", "答案：", "**解答：**", "答: "]),
    st.one_of(st.text(max_size=20), junk).map("答{}".format),
    junk,
)
markdownish = st.lists(st.one_of(entry, junk), max_size=12).map("".join)
"""Documents in the genre's shape (headings, labels) with arbitrary text and Markdown syntax mixed in."""


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV, catch_exceptions=True)


def _check_and_build(data: bytes) -> None:
    """Run check and build on one source file in a fresh folder: no traceback, exit 0 or 1, and a clean
    check means a build that writes the deck."""
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            Path("source").mkdir()
            Path("source/doc.md").write_bytes(data)
            check = _invoke("check")
            build = _invoke("build")
            for result in (check, build):
                assert_no_traceback(result)
                assert result.exit_code in (0, 1), result.output
            event(f"check exit {check.exit_code}, build exit {build.exit_code}")
            if check.exit_code == 0:
                assert build.exit_code == 0, build.output
                assert Path("build/qa2anki.apkg").is_file()
        finally:
            os.chdir(cwd)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_arbitrary_text_never_crashes(text: str) -> None:
    """Any text as a source file gives exit 0 or 1 from check and build, never a traceback."""
    _check_and_build(text.encode("utf-8"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    """Any bytes as a source file give exit 0 or 1 from check and build, never a traceback."""
    _check_and_build(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_arbitrary_markdownish_text_never_crashes(text: str) -> None:
    """Genre-shaped documents full of arbitrary text and stray syntax give exit 0 or 1, never a traceback;
    when check is clean, build writes the deck."""
    _check_and_build(text.encode("utf-8"))
