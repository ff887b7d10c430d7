"""Text folding: the form in which two wordings that differ only in width, spacing, punctuation style,
case or emphasis are equal."""

from __future__ import annotations

import re
import unicodedata

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


def fold(text: str) -> str:
    """The comparable form of a text: NFKC, ASCII punctuation, one space for any white space, case folded,
    without emphasis markers."""
    text = _PUNCT_RE.sub(lambda m: _PUNCT_MAP[m.group()], unicodedata.normalize("NFKC", text))
    text = _EMPHASIS_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip().casefold()
