"""CJK-friendly emphasis (:mod:`qa2anki.cjk_friendly`): glued labels like ``**答案：**模型…`` are bold, and
text without CJK characters parses exactly as CommonMark would.

Golden fixtures in ``tests/fixtures/cjk/`` (see its README for their sources): each ``NAME.md`` renders
to exactly ``NAME.html``. The expected HTML comes from the markdown-cjk-friendly specification's test
snapshots or was written by hand from the specification: there is deliberately no switch that rewrites
it from what the code gives.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from qa2anki import dialect
from qa2anki.cjk_friendly import CjkFriendlyStateInline, is_cjk
from qa2anki.dialect import markdown_parser, render_markdown
from qa2anki.parse import parse_document
from qa2anki.sources import Document

FIXTURES = Path(__file__).parent / "fixtures" / "cjk"
CASES = sorted(path.stem for path in FIXTURES.glob("*.md") if path.stem != "README")
UPSTREAM = ("strong", "korean", "pseudo-emoji", "non-bmp", "underscore-cjk-punct", "readme-example")


_PIECES = ["**", "*", "__", "_", "~~", "~", " ", "\n", "a", "b", "1", *".,:;!?'\"()[]`\\$&<-"]
"""Delimiter runs, the characters around them, and what else the inline rules look for."""
_NON_CJK = list("«»“”‘’—…∇→€¥é😀𝜵Пд①ἀẞአℓﬁ𝐀Ⰰ\u00a0\u2003")
"""Non-ASCII characters that are not CJK: letters, symbols and punctuation, most of them at or above
U+1100, where the plugin looks closer."""
_CJK = list("字答案：，。（）「」～한ｱ〽𠮟\u3000\ufe00\ufe01\ufe0e\U000e0100")
"""CJK characters (letters, punctuation, an ideographic space) and variation selectors of both kinds."""


@cache
def _without_plugin() -> MarkdownIt:
    """The dialect built exactly as :func:`qa2anki.dialect.markdown_parser` builds it, minus the plugin."""
    with patch.object(dialect, "cjk_friendly_plugin", lambda md: None):
        md: MarkdownIt = dialect._markdown.__wrapped__()
    return md


def _render_without_plugin(text: str) -> str:
    rendered: str = _without_plugin().render(text)
    return rendered.strip()


def test_fixtures_exist() -> None:
    """The specification's own cases and ours are all there, each with its expected HTML."""
    assert {*UPSTREAM, "gfm-strikethrough", "qa-labels", "qa-commonmark"} <= set(CASES)
    for name in CASES:
        assert (FIXTURES / f"{name}.html").is_file(), name
    assert (FIXTURES / "unchanged" / "gfm-non-cjk.md").is_file()
    assert (FIXTURES / "unchanged" / "commonmark.json").is_file()


@pytest.mark.parametrize("name", CASES)
def test_golden(name: str) -> None:
    """Each fixture renders to exactly the HTML the specification (or our reading of it) says."""
    actual = render_markdown((FIXTURES / f"{name}.md").read_text(encoding="utf-8")) + "\n"
    expected = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    assert actual.splitlines() == expected.splitlines()
    assert actual == expected


@pytest.mark.parametrize("name", [*UPSTREAM, "qa-labels"])
def test_plain_commonmark_differs(name: str) -> None:
    """The fixtures that need the plugin do need it: without it, some of them render differently (so the
    golden cases would catch the plugin going missing)."""
    text = (FIXTURES / f"{name}.md").read_text(encoding="utf-8")
    changes = render_markdown(text) != _render_without_plugin(text)
    assert changes == (name != "non-bmp")  # the non-BMP cases stay literal either way


def test_commonmark_examples_are_unchanged() -> None:
    """Every CommonMark 0.31.2 example renders as it does without the plugin (the specification's promise
    for its markdown-it plugin, here for the whole dialect)."""
    examples = json.loads((FIXTURES / "unchanged" / "commonmark.json").read_text(encoding="utf-8"))
    assert len(examples) == 652
    changed = [
        example["example"]
        for example in examples
        if render_markdown(example["markdown"]) != _render_without_plugin(example["markdown"])
    ]
    assert changed == []


def test_gfm_without_cjk_is_unchanged() -> None:
    """The specification's non-CJK strikethrough document renders as it does without the plugin."""
    text = (FIXTURES / "unchanged" / "gfm-non-cjk.md").read_text(encoding="utf-8")
    html = render_markdown(text)
    assert "<s>" in html and "<table>" in html
    assert html == _render_without_plugin(text)


# --------------------------------------------------------------------------------------------------
# Flanking, case by case
# --------------------------------------------------------------------------------------------------

# The specification's table of start/end conditions (implementers-tips.md, "Emphasis Marker Start/End
# Conditions"): a one-character run between an outside character (before it) and an inside one (after
# it) → whether it can end a range, whether it can start one; and whether the row is plain CommonMark
# (its characters are classes CommonMark has too) rather than the amendment's alone. " " is whitespace,
# '"' non-CJK punctuation, "a" a non-CJK letter, "～" CJK punctuation, "字" a CJK character; the table's
# alternatives ( ) 「 」 are checked too.
_TABLE = [
    # out, marker, in, end, start, CommonMark row
    (" ", "*", " ", False, False, True),
    (" ", "*", '"', False, True, True),
    (" ", "*", "a", False, True, True),
    (" ", "*", "～", False, True, False),
    (" ", "*", "字", False, True, False),
    (" ", "_", " ", False, False, True),
    (" ", "_", '"', False, True, True),
    (" ", "_", "a", False, True, True),
    (" ", "_", "～", False, True, False),
    (" ", "_", "字", False, True, False),
    ('"', "*", '"', True, True, True),
    ('"', "*", "a", False, True, True),
    ('"', "*", "字", True, True, False),
    ("～", "*", "a", True, True, False),
    ('"', "_", '"', True, True, True),
    ('"', "_", "a", False, True, True),
    ('"', "_", "字", False, True, False),
    ("～", "_", "a", False, True, False),
    ("a", "*", "a", True, True, True),
    ("a", "_", "a", False, False, True),
]
_ALTERNATIVES = {'"': "()", "～": "「」"}


def _table_rows() -> list[tuple[str, str, str, bool, bool, bool]]:
    rows = []
    for out, marker, inside, end, start, commonmark in _TABLE:
        for o in out + _ALTERNATIVES.get(out, ""):
            for i in inside + _ALTERNATIVES.get(inside, ""):
                rows.append((o, marker, i, end, start, commonmark))
    return rows


def _scan(state_class: type[StateInline], before: str, marker: str, after: str) -> tuple[bool, bool]:
    """(can end, can start) of a one-character ``marker`` run between ``before`` and ``after``."""
    state = state_class(f"{before}{marker}{after}", markdown_parser(), {}, [])
    scanned = state.scanDelims(len(before), marker != "_")
    return scanned.can_close, scanned.can_open


@pytest.mark.parametrize(("out", "marker", "inside", "end", "start", "commonmark"), _table_rows())
def test_start_end_table(
    out: str, marker: str, inside: str, end: bool, start: bool, commonmark: bool
) -> None:
    """Every row of the specification's table; on its CommonMark rows, markdown-it-py agrees."""
    assert _scan(CjkFriendlyStateInline, out, marker, inside) == (end, start)
    if commonmark:
        assert _scan(StateInline, out, marker, inside) == (end, start)


def test_runs_without_cjk_scan_as_commonmark() -> None:
    """Between any two ASCII characters, or non-CJK ones from further up, every run of ``*``, ``_`` or
    ``~`` scans exactly as markdown-it-py's own ``scanDelims`` scans it."""
    characters = [chr(code) for code in range(128)] + _NON_CJK
    for before in characters:
        for after in characters:
            for run in ("*", "**", "_", "__", "~~"):
                if run[0] in (before, after):
                    continue
                src = f"{before}{run}{after}"
                expected = StateInline(src, markdown_parser(), {}, []).scanDelims(1, run[0] != "_")
                actual = CjkFriendlyStateInline(src, markdown_parser(), {}, []).scanDelims(1, run[0] != "_")
                assert actual == expected, src


def test_cjk_characters() -> None:
    """The CJK characters of the specification: wide or full-width, not emoji, or Hangul."""
    for ch in "字あアｱ한가，。：（）「」～！？　〰〽🈂🈷㊗㊙𠮟𰻞⻲㋐﨑":
        assert is_cjk(ch), f"U+{ord(ch):04X}"
    for ch in 'aé ,.:()"“”‘’«»—…∇①😀✅⭐🈚\u00a0\u2003\ufe00\U000e0100':
        assert not is_cjk(ch), f"U+{ord(ch):04X}"


def test_variation_selectors() -> None:
    """A non-emoji variation selector is looked through; an ideographic one counts as CJK before a run;
    a full-width quotation mark (“ + U+FE01) counts as CJK."""
    assert render_markdown("正體字。\ufe01_Traditional._") == "<p>正體字。\ufe01<em>Traditional.</em></p>"
    assert render_markdown("葛\U000e0100**(城)**市") == "<p>葛\U000e0100<strong>(城)</strong>市</p>"
    assert render_markdown("**“\ufe01Git”\ufe01**Hub") == "<p><strong>“\ufe01Git”\ufe01</strong>Hub</p>"
    assert render_markdown("**“Git”**Hub") == "<p>**“Git”**Hub</p>"
    # "!︎" is a punctuation sequence, so the run cannot close before a letter; the emoji selector U+FE0F
    # is not looked through: it is an ordinary character before the run, as in CommonMark.
    assert render_markdown("**a!\ufe0e**b") == "<p>**a!\ufe0e**b</p>"
    assert render_markdown("**a!\ufe0f**b") == "<p><strong>a!\ufe0f</strong>b</p>"
    # A selector after whitespace is an ordinary character, as in CommonMark (the specification leaves
    # the case unspecified).
    assert render_markdown("*a \ufe00*b") == "<p><em>a \ufe00</em>b</p>"


# --------------------------------------------------------------------------------------------------
# What it means for the parser
# --------------------------------------------------------------------------------------------------


def test_glued_labels_are_recognised() -> None:
    """``**面试题：**什么是过拟合？`` is a question and ``**答案：**…`` its answer; a glued bold label inside
    the answer is bold, not asterisks."""
    text = (
        "## 机器学习\n\n**面试题：**什么是过拟合？\n\n"
        "**答案：**模型在训练集上表现好，在测试集上差。\n\n1. **优点：**简单\n"
    )
    result = parse_document(Document("a.md", "a.md", text))
    assert result.problems == ()
    [entry] = result.entries
    assert (entry.topic, entry.question_md, entry.rule) == ("机器学习", "什么是过拟合？", "bold-label")
    assert entry.question_html == "<p>什么是过拟合？</p>"
    assert entry.answer_html == (
        "<p>模型在训练集上表现好，在测试集上差。</p>\n<ol>\n<li><strong>优点：</strong>简单</li>\n</ol>"
    )


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------


def _not_cjk(ch: str) -> bool:
    """Neither a CJK character nor a variation selector: a selector after punctuation makes a
    "punctuation sequence", and an ideographic one lets a run open, so either may change CommonMark's
    answer even in text without CJK characters (the specification means that)."""
    return not (is_cjk(ch) or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef")


def _texts(characters: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text made of delimiter runs with a character on either side, loose characters and markup."""
    run = st.tuples(characters, st.sampled_from(["*", "**", "***", "_", "__", "~~"]), characters)
    chunk = st.one_of(run.map("".join), st.sampled_from(_PIECES), characters)
    return st.lists(chunk, max_size=24).map("".join)


_NON_CJK_TEXT = _texts(
    st.one_of(
        st.sampled_from(_PIECES),
        st.sampled_from(_NON_CJK),
        st.characters(exclude_categories=("Cs",)).filter(_not_cjk),
    )
)


@settings(max_examples=500)
@given(_NON_CJK_TEXT)
def test_text_without_cjk_renders_as_before(text: str) -> None:
    """Without CJK characters (and variation selectors), the dialect gives exactly what it gave without
    the plugin."""
    assert render_markdown(text) == _render_without_plugin(text)


@settings(max_examples=300)
@given(_texts(st.one_of(st.sampled_from(_PIECES + _NON_CJK + _CJK), st.characters())))
def test_no_input_raises(text: str) -> None:
    """Whatever the text (selectors at the start, after whitespace, lone surrogates…), rendering works."""
    assert isinstance(render_markdown(text), str)
