"""Text folding: the form in which two wordings that differ only in width, spacing, punctuation style,
case or emphasis are equal."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, partial

_PUNCT_MAP = {
    "，": ",",
    "。": ".",
    "、": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "【": "[",
    "】": "]",
    "《": "<",
    "》": ">",
    "「": '"',
    "」": '"',
    "『": '"',
    "』": '"',
    "〈": "<",
    "〉": ">",
    "…": "...",
    "—": "-",
    "·": ".",
}
"""Chinese punctuation that NFKC leaves alone, to its ASCII look-alike."""
# A regex finds the few characters to replace much faster than str.translate walks every character.
_PUNCT_RE = re.compile("|".join(map(re.escape, _PUNCT_MAP)))
_SPACE_RE = re.compile(r"\s+")
_EMPHASIS_RE = re.compile(r"[*_~`]+")
STYLE_TAG_RE = re.compile(r"</?(?:font|span|center|div|p)(?:\s[^<>]*)?>", re.IGNORECASE)
"""Tags that only style or hold their text (CSDN's ``<font color=red>``, GitHub's ``<div align="center">``,
LeetCode's ``<p>…</p>``): cards show their text alone, and a wording folds as if they were not there, as
it does without emphasis markers."""
FORMAT_TAG_RE = re.compile(r"<(/?)(b|strong|i|em|u|s|del|code|sup|sub|mark|kbd)>", re.IGNORECASE)
"""Formatting tags without attributes (``<i>初始化</i>``, ``O(n<sup>2</sup>)``, LeetCode's
``<code>s</code>``): cards show them as the formatting they are (nothing in them can run), and a wording
folds without them."""
_TAGS_RE = re.compile(f"{STYLE_TAG_RE.pattern}|{FORMAT_TAG_RE.pattern}", re.IGNORECASE)
_TAG_NAME_RE = re.compile(r"[A-Za-z]+")


def markup_tag(text: str, match: re.Match[str]) -> bool:
    """Whether a styling or formatting tag found in ``text`` (see :data:`STYLE_TAG_RE`,
    :data:`FORMAT_TAG_RE`) is markup, not a word the text is about (``<div> 和 <span> 的区别？``, ``<b> 和
    <strong> 的区别？``, front-end questions): it has attributes, or the tag that closes (or opens) it stands
    in the same text."""
    tag = match.group(0)
    closing = tag.startswith("</")
    found = _TAG_NAME_RE.match(tag, 2 if closing else 1)
    if found is None:
        return False
    name = found.group(0).lower()
    if closing:
        return _opening(name).search(text, 0, match.start()) is not None
    return bool(tag[found.end() : -1].strip()) or _closing(name).search(text, match.end()) is not None


@cache
def _opening(name: str) -> re.Pattern[str]:
    # A formatting tag with attributes is text (``<b onclick=…>``): only a bare one opens what closes.
    attributes = "" if FORMAT_TAG_RE.fullmatch(f"<{name}>") else r"(?:\s[^<>]*)?"
    return re.compile(rf"<{name}{attributes}>", re.IGNORECASE)


@cache
def _closing(name: str) -> re.Pattern[str]:
    return re.compile(rf"</{name}\s*>", re.IGNORECASE)


_WIDE_MAP = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
"""The full-width forms of ASCII and the ideographic space, to what NFKC makes of them."""
_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")


def _markup_out(text: str, removed: list[int], match: re.Match[str]) -> str:
    if markup_tag(text, match):
        removed.append(1)
        return ""
    return match.group(0)


def _narrowed(match: re.Match[str]) -> str:
    return _WIDE_MAP[match.group()]


def fold(text: str) -> str:
    """The comparable form of a text: NFKC, ASCII punctuation, one space for any white space, case folded,
    without emphasis markers, styling and formatting tags."""
    # Chinese text is rarely NFKC only because of its full-width punctuation (，：？（）), and NFKC walks
    # every character then. Each of those forms decomposes to one ASCII character of combining class 0,
    # so narrowing them first changes nothing NFKC gives, and the rest is mostly normalised already.
    text = _WIDE_RE.sub(_narrowed, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _PUNCT_RE.sub(lambda m: _PUNCT_MAP[m.group()], text)
    if "<" in text:
        removed = [1]
        while removed:  # (until none is left: taking one out may join the pieces of another)
            removed.clear()
            text = _TAGS_RE.sub(partial(_markup_out, text, removed), text)
    text = _EMPHASIS_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip().casefold()


_STYLE_SPACE_RE = re.compile(r" (?![0-9a-z])|(?<![0-9a-z]) ")


def unspaced(folded: str) -> str:
    """A folded text without the spaces a writing style adds or leaves out (``IO 多路复用`` / ``IO多路复用``,
    ``GIL ?`` / ``GIL?``): all but those between two ASCII letters or digits, which part words. Exact
    duplicates are equal in this form; identity keys keep the folded text, so that no note changes its
    key with the style of its spacing."""
    return _STYLE_SPACE_RE.sub("", folded) if " " in folded else folded
