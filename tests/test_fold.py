"""Folding: wordings that differ only in width, spacing, punctuation style, case or emphasis fold equal."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.fold import _PUNCT_MAP, fold, unspaced


def test_full_width_letters_digits_and_punctuation_become_ascii() -> None:
    """NFKC turns full-width forms into their ASCII counterparts (and upper case then folds)."""
    assert fold("ＡＢＣｘｙｚ０１２９") == "abcxyz0129"
    assert fold("？！：；（）［］＜＞，．") == "?!:;()[]<>,."


@pytest.mark.parametrize(
    ("chinese", "ascii"),
    [
        ("，", ","),
        ("、", ","),
        ("。", "."),
        ("“引”", '"引"'),
        ("‘引’", "'引'"),
        ("【注】", "[注]"),
        ("《书》", "<书>"),
        ("〈书〉", "<书>"),
        ("「引」", '"引"'),
        ("『引』", '"引"'),
        ("等等…", "等等..."),
        ("甲—乙", "甲-乙"),
        ("甲·乙", "甲.乙"),
    ],
)
def test_chinese_punctuation_becomes_its_ascii_look_alike(chinese: str, ascii: str) -> None:
    """Punctuation NFKC leaves alone is mapped by hand."""
    assert fold(chinese) == ascii


def test_chinese_characters_are_kept() -> None:
    assert fold("什么是过拟合") == "什么是过拟合"


@pytest.mark.parametrize("space", [" ", "  ", "\t", "\n", "\r\n", "\u3000", "\u00a0", " \t\n\u3000 "])
def test_any_white_space_is_one_space(space: str) -> None:
    """Any run of white space (ideographic and no-break spaces too) is one space; the ends are trimmed."""
    assert fold(f"{space}a{space}b{space}") == "a b"


def test_case_is_folded_not_just_lowered() -> None:
    """casefold, not lower: ß and ẞ compare as ss, and a final sigma as any other sigma."""
    assert fold("Hello WORLD") == "hello world"
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("ΣΑΣ") == fold("σας")


def test_emphasis_markers_are_dropped() -> None:
    assert fold("**粗体** _斜体_ ~~删除~~ `代码`") == "粗体 斜体 删除 代码"
    assert fold("＊＊full width＊＊") == "full width"


def test_dropped_emphasis_leaves_no_double_space() -> None:
    """Markers between spaces go before the spaces are merged."""
    assert fold("a ** b") == "a b"
    assert fold("** a **") == "a"


def test_empty_and_blank_texts_fold_to_nothing() -> None:
    assert fold("") == ""
    assert fold(" \t\u3000\n") == ""
    assert fold("**`~_") == ""


# 'İ' (U+0130) is left out: casefold turns it into 'i' + U+0307 after NFKC has run, so when a combining
# mark that sorts before U+0307 follows (such as U+0316), folding again reorders the marks. A known gap;
# every other code point folds idempotently.
_ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\u0130"))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_ANY_TEXT)
def test_fold_is_idempotent(text: str) -> None:
    """A folded text is its own folded form, so folded texts can be stored and folded again safely."""
    once = fold(text)
    assert fold(once) == once


_VARIANTS: dict[str, list[str]] = {
    " ": [" ", "  ", "\t", "\n", "\r\n", "\u3000", "\u00a0"],
    ",": [",", "，", "、", "\uff0c"],
    ".": [".", "。", "\uff0e", "·"],
    "?": ["?", "？"],
    "!": ["!", "！"],
    ":": [":", "："],
    ";": [";", "；"],
    "(": ["(", "（"],
    ")": [")", "）"],
    "[": ["[", "【", "［"],
    "]": ["]", "】", "］"],
    "<": ["<", "《", "〈", "＜"],
    ">": [">", "》", "〉", "＞"],
    '"': ['"', "“", "”", "「", "」", "『", "』", "＂"],
    "'": ["'", "‘", "’", "＇"],
    "-": ["-", "—", "－"],
}
_LETTERS = "abcxyzABCXYZ0189"
_BASE = st.text(st.sampled_from([*_LETTERS, *_VARIANTS, "问", "答"]), max_size=40)


def _spellings(char: str) -> list[str]:
    if char in _VARIANTS:
        return _VARIANTS[char]
    if char.isascii() and char.isalnum():
        # The character, its other case, and the full-width form of either.
        cases = [char, char.swapcase()] if char.isalpha() else [char]
        return [*cases, *(chr(ord(c) + 0xFEE0) for c in cases)]
    return [char]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_BASE, st.data())
def test_wordings_differing_only_in_style_fold_equal(base: str, data: st.DataObject) -> None:
    """Rewrite each character of a text in another width, case, spacing or punctuation style, with
    emphasis markers sprinkled in: it folds as the original does."""
    pieces = []
    for char in base:
        pieces.append(data.draw(st.sampled_from(["", "", "**", "_", "~~", "`"])))
        pieces.append(data.draw(st.sampled_from(_spellings(char))))
    variant = "".join(pieces)
    assert fold(variant) == fold(base)


def _fold_by_definition(text: str) -> str:
    """What ``fold`` promises, written the slow, obvious way: NFKC of the whole text first."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(_PUNCT_MAP.get(char, char) for char in text)
    text = "".join(char for char in text if char not in "*_~`")
    return " ".join(text.split()).casefold()


_WIDE_AND_MARKS = st.text(
    st.one_of(
        st.characters(min_codepoint=0xFF00, max_codepoint=0xFF70),
        st.sampled_from(["\u3000", "\u0338", "\u0301", "\u0316", "\u0307", "Å", "ｶ", "ﾞ", "《", "…", "ﬁ"]),
        st.characters(codec="utf-8"),
    )
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_WIDE_AND_MARKS)
def test_fold_equals_nfkc_of_the_whole_text(text: str) -> None:
    """Full-width forms are narrowed before NFKC (a shortcut): the result is NFKC's all the same, combining
    marks after them included (＜ + U+0338 composes to ≮ either way)."""
    assert fold(text) == _fold_by_definition(text)


def test_full_width_sign_and_combining_mark_compose_as_nfkc_does() -> None:
    assert fold("＜\u0338") == "≮"
    assert fold("Ａ\u0301") == "á"


def test_styling_tags_fold_away_as_emphasis_does() -> None:
    assert fold("<font color=red>什么是JVM？</font>") == fold("什么是JVM？") == "什么是jvm?"
    assert fold('<span style="color:red">A</span> <CENTER>b</CENTER>') == "a b"
    assert fold("<fo<font>nt>x</font>") == fold(fold("<fo<font>nt>x</font>")) == "<font>x"
    assert fold("<b>粗体</b> <fontx>") == "粗体 <fontx>"  # formatting tags fold away too
    assert fold('<div align="center">图</div><p>O(n<sup>2</sup>)</p>') == "图o(n2)"
    assert fold("<b onclick=x>x</b>") == "<b onclick=x>x</b>"  # text on the card, closing tag and all


def test_tags_a_question_is_about_stay() -> None:
    """A tag without attributes and without its other half is a word the text is about (front-end
    questions): it stays, so two such questions do not fold alike."""
    assert fold("<div> 和 <span> 的区别？") == "<div> 和 <span> 的区别?"
    assert fold("<b> 和 <strong> 的区别？") != fold("<i> 和 <em> 的区别？")
    assert fold("<p>段落</p> 与 <div>") == "段落 与 <div>"


def test_unspaced_leaves_out_spacing_style_but_not_spaces_between_words() -> None:
    """Spaces beside Chinese or punctuation are style; between two ASCII words or numbers they part them."""
    assert unspaced(fold("IO 多路复用")) == unspaced(fold("IO多路复用")) == "io多路复用"
    assert unspaced(fold("什么是 GIL ？")) == "什么是gil?"
    assert unspaced(fold("Python 3 的 新特性")) == "python 3的新特性"
    assert unspaced("hash map") != unspaced("hashmap")
