"""The Markdown dialect: highlighted code, MathJax math, tables and images, always safe HTML.

Golden fixtures in ``tests/fixtures/render/``: each ``NAME.md`` renders to exactly ``NAME.html``
(``QA2ANKI_UPDATE_GOLDEN=1 pytest tests/test_dialect.py`` rewrites them; review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.token import STANDARD_TYPES, Comment, Generic, Keyword, Literal, Name, is_token_subtype

from qa2anki.dialect import highlight_code, render_markdown
from qa2anki.notetype import NOTE_TYPE
from qa2anki.parse import parse_document
from qa2anki.sources import Document

FIXTURES = Path(__file__).parent / "fixtures" / "render"
CASES = sorted(path.stem for path in FIXTURES.glob("*.md"))

_OUR_TAGS_RE = re.compile(
    r'<pre class="qa-code"><code(?: class="language-[\w+#.-]+")?>|</code></pre>'
    r'|<span class="qa-hl-\w+">|</span>'
)


def test_fixtures_exist() -> None:
    """The golden cases cover code, math, tables, images and hostile input."""
    for name in ("code-python", "code-languages", "code-plain", "math-inline", "math-display", "math-not"):
        assert name in CASES
    assert {"table", "image", "safety"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    """Each fixture renders to exactly the HTML recorded beside it."""
    actual = render_markdown((FIXTURES / f"{name}.md").read_text(encoding="utf-8")) + "\n"
    expected_path = FIXTURES / f"{name}.html"
    if os.environ.get("QA2ANKI_UPDATE_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert actual == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CASES)
def test_fixtures_render_no_live_markup(name: str) -> None:
    """No fixture, hostile or not, gives a script, an event handler or a dangerous URL."""
    rendered = render_markdown((FIXTURES / f"{name}.md").read_text(encoding="utf-8"))
    assert "<script" not in rendered.lower()
    assert not re.search(r"<[a-z][^>]*\son\w+=", rendered, re.IGNORECASE)
    assert not re.search(r'(?:src|href)="(?:javascript|data|file|vbscript):', rendered, re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------------


def test_python_is_highlighted_with_prefixed_classes() -> None:
    """A Python fence gives a qa-code block with qa-hl-* Pygments classes and the language class."""
    html = render_markdown("```python\ndef f():\n    return 1\n```")
    assert html.startswith('<pre class="qa-code"><code class="language-python">')
    assert '<span class="qa-hl-k">def</span>' in html
    assert '<span class="qa-hl-nf">f</span>' in html
    classes = ["qa-code", "language-python", "qa-hl-k", "qa-hl-nf", "qa-hl-k", "qa-hl-mi"]
    assert re.findall(r'class="(\w[\w-]*)"', html) == classes


def test_language_aliases_and_case() -> None:
    """Pygments aliases (py, JS, c++) highlight; the class keeps the name as written."""
    assert 'class="language-py"><span class="qa-hl-kn">import</span>' in render_markdown(
        "```py\nimport os\n```"
    )
    assert 'class="language-JS"><span class="qa-hl-kd">let</span>' in render_markdown("```JS\nlet a\n```")
    assert '<span class="qa-hl-kt">int</span>' in render_markdown("```c++\nint a;\n```")


def test_unknown_and_missing_language_are_plain_text() -> None:
    """No language, or one Pygments does not know, gives escaped text: never a guess."""
    code = "def f(x):\n    return x < 1\n"
    assert (
        highlight_code(code, "")
        == '<pre class="qa-code"><code>def f(x):\n    return x &lt; 1\n</code></pre>\n'
    )
    unknown = highlight_code(code, "no-such-language")
    assert unknown == (
        '<pre class="qa-code"><code class="language-no-such-language">'
        "def f(x):\n    return x &lt; 1\n</code></pre>\n"
    )
    assert "qa-hl-" not in render_markdown("    indented code\n")


def test_highlighting_is_deterministic() -> None:
    """The same code always gives the same HTML, however often and in whatever order it is rendered."""
    sources = [f"```{lang}\nx = 1  # {lang}\n```" for lang in ("python", "ruby", "text", "nope", "")]
    first = [render_markdown(s) for s in sources]
    assert [render_markdown(s) for s in reversed(sources)] == list(reversed(first))


def test_hostile_language_names_get_no_class() -> None:
    """An info string that is not a plain language name never reaches an attribute."""
    html = render_markdown('```"><script>alert(1)</script>\nbody\n```')
    assert html == '<pre class="qa-code"><code>body\n</code></pre>'


@given(st.text(alphabet=st.sampled_from(list("<>&\"'`$\\ab1 \n/=;{}()#*")), max_size=80))
def test_any_code_stays_escaped(code: str) -> None:
    """Whatever a Python block holds, the only tags in its HTML are the ones highlighting adds."""
    html = render_markdown(f"~~~python\n{code.replace('~~~', '')}\n~~~")
    assert "<" not in _OUR_TAGS_RE.sub("", html)


def _css_classes() -> set[str]:
    return set(re.findall(r"\.qa-hl-([a-z0-9]+)\b", NOTE_TYPE.css))


def test_css_colours_every_highlighted_token_kind() -> None:
    """Comments, keywords, strings, numbers, functions, classes, tags and diffs all have a colour in the
    note type's CSS, and the prefix is the one the renderer uses."""
    coloured = (Comment, Keyword, Literal.String, Literal.Number, Name.Function, Name.Class, Name.Builtin)
    coloured += (Name.Decorator, Name.Tag, Name.Attribute, Name.Exception, Generic.Deleted, Generic.Inserted)
    wanted = {
        short for ttype, short in STANDARD_TYPES.items() if any(is_token_subtype(ttype, c) for c in coloured)
    }
    assert wanted - _css_classes() == set()


def test_css_night_mode_and_scrolling() -> None:
    """Highlight colours switch in both night-mode classes; code, tables and math scroll sideways."""
    css = NOTE_TYPE.css
    night = re.search(r"\.nightMode, \.night_mode \{([^}]*)\}", css)
    assert night is not None
    light = re.search(r":root \{([^}]*)\}", css)
    assert light is not None
    variables = set(re.findall(r"(--qa-hl-[a-z-]+):", light.group(1)))
    assert variables and variables == set(re.findall(r"(--qa-hl-[a-z-]+):", night.group(1)))
    for selector in ("pre", ".qa-table", ".qa-math"):
        block = re.search(rf"(?m)^{re.escape(selector)} \{{([^}}]*)\}}", css)
        assert block is not None and "overflow-x: auto" in block.group(1), selector
    assert re.search(r"th, td \{[^}]*border: 1px solid", css)


def test_cards_carry_no_script_and_no_network() -> None:
    """Templates and CSS hold no JavaScript and load nothing (no url(), no @import)."""
    _, front, back = NOTE_TYPE.templates[0]
    for text in (front, back, NOTE_TYPE.css):
        assert "<script" not in text and "url(" not in text and "@import" not in text and "http" not in text


# --------------------------------------------------------------------------------------------------
# Math
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$x^2$", r"<p>\(x^2\)</p>"),
        ("a $$x^2$$ b", r"<p>a \[x^2\] b</p>"),
        ("$$x^2$$", r'<div class="qa-math">\[x^2\]</div>'),
        (r"\(x^2\)", r"<p>\(x^2\)</p>"),
        ("$$\nx^2\n$$", '<div class="qa-math">\\[\nx^2\n\\]</div>'),
        ("\\[\nx^2\n\\]", '<div class="qa-math">\\[\nx^2\n\\]</div>'),
        ("\\[ x^2 \\]", '<div class="qa-math">\\[ x^2 \\]</div>'),
        ("$a<b & c>d$", r"<p>\(a&lt;b &amp; c&gt;d\)</p>"),
        ("$\\{a\\}_{i}^{*}$", r"<p>\(\{a\}_{i}^{*}\)</p>"),
        ("$a *b* c$", r"<p>\(a *b* c\)</p>"),
        ("$x_1$ and $y_1$", r"<p>\(x_1\) and \(y_1\)</p>"),
    ],
)
def test_math_delimiters(source: str, expected: str) -> None:
    """Every math syntax becomes MathJax's delimiters; the TeX is escaped, otherwise verbatim (no emphasis,
    no backslash escapes inside it)."""
    assert render_markdown(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "$5 and $10",
        "costs $5, or $6.",
        "US$5/$6",
        "$ x$",
        "$x $",
        "a lone $",
        "\\$x\\$",
        "`$x$`",
        "``$$x$$``",
        "[1] and \\[2\\] and arr\\[i\\]",
    ],
)
def test_not_math(source: str) -> None:
    """Prices, spaced dollars, escaped dollars, code and escaped brackets are not math."""
    html = render_markdown(source)
    assert "\\(" not in html and "\\[" not in html, html


@pytest.mark.parametrize(
    "source",
    [
        "$\\href{javascript:alert(0)}{x}$",
        "$\\def\\h{\\href}\\h{javascript:alert(1)}{点我}$",
        "$\\let\\g\\href\\g{javascript:alert(2)}{点}$",
        "$\\newcommand{\\k}{\\href}\\k{javascript:alert(3)}{z}$",
        "$\\href%\n{javascript:alert(4)}{y}$",
        "$\\csname href\\endcsname{javascript:alert(5)}{w}$",
        "$$\\require{html}$$",
    ],
)
def test_tex_that_could_link_anywhere_is_not_math(source: str) -> None:
    """TeX that links to a refused URL, or could name ``\\href`` without spelling it (a macro, an alias,
    ``\\csname``, a comment before its braces), or loads more of MathJax, stays text: MathJax would make a
    live link of it."""
    html = render_markdown(source)
    assert "\\(" not in html and "\\[" not in html, html
    assert render_markdown("$50\\% + \\frac{a}{b}$").startswith("<p>\\(")  # an escaped % is no comment


def test_prices_beside_math() -> None:
    """A price before a formula does not swallow it: the first dollar after an opening one must close it."""
    assert render_markdown("rent $2 an hour, $x^2$") == r"<p>rent $2 an hour, \(x^2\)</p>"


def test_dollars_in_code_blocks_are_untouched() -> None:
    """Dollars inside fenced and indented code stay exactly as written."""
    assert "$x$ and $$y$$" in render_markdown("```\n$x$ and $$y$$\n```")
    assert render_markdown("```\n\\(z\\)\n```") == '<pre class="qa-code"><code>\\(z\\)\n</code></pre>'
    assert "$HOME" in render_markdown("```bash\necho $HOME\n```")


def test_unclosed_display_math_does_not_swallow_the_document() -> None:
    """A ``$$`` without an end before a blank line or heading is text; the heading stays a heading."""
    html = render_markdown("$$\nnot closed\n### Heading\n\nmore $$")
    assert "<h3>Heading</h3>" in html and "qa-math" not in html


def test_many_dollars_stay_fast() -> None:
    """A paragraph full of prices renders in linear time (closers are found once per paragraph)."""
    html = render_markdown("售价 $5 元，" * 5000)
    assert "\\(" not in html


def test_math_through_the_parser() -> None:
    """Entries parsed from a document render their math the same way, and topics keep their TeX source."""
    text = (
        "### 复杂度 $O(n)$\n\n**面试题：** 什么是 $x^2$？\n\n"
        "**答案：** 公式为\n\n$$\nx^2 = x \\cdot x\n$$\n\n"
        "价格 $5 和 $10 不是公式。\n"
    )
    (entry,) = parse_document(Document(path="a.md", name="a.md", text=text)).entries
    assert entry.topic == "复杂度 $O(n)$"
    assert entry.question_html == r"<p>什么是 \(x^2\)？</p>"
    assert entry.answer_html == (
        '<p>公式为</p>\n<div class="qa-math">\\[\nx^2 = x \\cdot x\n\\]</div>\n'
        "<p>价格 $5 和 $10 不是公式。</p>"
    )


def test_every_option_the_rules_look_up_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rule that asks for an option the dict lacks pays for a KeyError every time (about 7% of a scan):
    # a newer markdown-it-py that looks up another option should have it added to _OFF_OPTIONS.
    from markdown_it.utils import OptionsDict

    missing: set[str] = set()
    looked_up = OptionsDict.__getitem__

    def recording(self: OptionsDict, key: str) -> object:
        try:
            return looked_up(self, key)
        except KeyError:
            missing.add(key)
            raise

    monkeypatch.setattr(OptionsDict, "__getitem__", recording)
    text = (
        "# 标题\n\n> [!NOTE]\n> 提示\n\n- [ ] 任务\n- [x] 完成\n\n1. **粗体**和~~删除~~，~单~\n\n"
        "| a | b |\n|---|---|\n| `c` | [链接][ref] ![图](x.png) |\n\n[ref]: https://example.com\n\n"
        "```python\nprint(1)\n```\n\n<b>html</b> $x^2$\n"
    )
    assert render_markdown(text)
    parse_document(Document(Path("a.md"), "a.md", text))
    assert not missing


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("> [!tip] 提示\n> 正文", "<blockquote>\n<p><strong>提示</strong><br />\n正文</p>\n</blockquote>"),
        ("> [!answer]-\n> 正文", "<blockquote>\n<p>正文</p>\n</blockquote>"),
        ("> [!note]\n>\n> 正文", "<blockquote>\n<p>正文</p>\n</blockquote>"),
        (
            "> [!warning]+ **注意** 这里\n> 正文",
            "<blockquote>\n<p><strong>注意</strong> 这里<br />\n正文</p>\n</blockquote>",
        ),
        ("> [!tip] 只有标题", "<blockquote>\n<p><strong>只有标题</strong></p>\n</blockquote>"),
        ("> 引用里的 [!tip] 不是标记", "<blockquote>\n<p>引用里的 [!tip] 不是标记</p>\n</blockquote>"),
        ("[!tip] 不在引用里", "<p>[!tip] 不在引用里</p>"),
    ],
)
def test_a_callout_shows_its_title_not_its_header(markdown: str, html: str) -> None:
    """Obsidian callouts: the ``[!type]`` header is never on a card; a title shows on a line of its own."""
    assert render_markdown(markdown) == html


def test_every_hidden_block_opener_passes_the_comment_rule_s_first_test() -> None:
    # The rule turns a line away on its first character before it looks for an opener.
    from qa2anki.dialect import _COMMENT_STARTS, _HIDDEN_BLOCKS

    assert {opener[0] for opener in _HIDDEN_BLOCKS} <= _COMMENT_STARTS
    for text in ("<!-- 待补充 -->", "<think>\n想一想\n</think>", "%% 草稿 %%"):
        assert render_markdown(f"前\n\n{text}\n\n后") == "<p>前</p>\n<p>后</p>"
