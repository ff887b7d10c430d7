"""CJK-friendly emphasis: a markdown-it-py plugin after the *markdown-cjk-friendly* specification
(https://github.com/tats-u/markdown-cjk-friendly, ``specification.md``).

Chinese authors glue bold labels to the text: ``**答案：**模型…``. Under CommonMark a closing ``**`` with
punctuation (``：``) inside and a letter (``模``) outside is not *right-flanking*, so it closes nothing and
the card shows the asterisks. The specification amends the two flanking definitions so that CJK
punctuation no longer counts against a run, and a CJK character beside it lifts the punctuation rule:

* **left-flanking** (can open): not followed by Unicode whitespace, and either not followed by a
  *non-CJK* punctuation character, or preceded by whitespace, a non-CJK punctuation sequence, a CJK
  sequence or an Ideographic Variation Selector (IVS);
* **right-flanking** (can close): not preceded by Unicode whitespace, and either not preceded by a
  *non-CJK* punctuation sequence, or followed by whitespace, a non-CJK punctuation character or a CJK
  character.

A *CJK character* has East Asian Width W, F or H and is not an emoji, or is Hangul (:data:`CJK_RANGES`).
A *sequence* is a character, or one followed by a non-emoji variation selector (U+FE00–U+FE0E): the run
is judged on the character the selector modifies. ``“︁`` and the other curly quotation marks followed by
U+FE01 (their full-width forms) count as CJK. ``_`` and ``__`` keep their rule that a run opens only
after punctuation and closes only before it (never inside a word, CJK or not); for them only the
look-through changes. ``~~`` is judged like ``*``, as the specification's strikethrough packages do.

Worked out, the amendment, apart from the look-through, only adds to CommonMark: where neither neighbour
is whitespace and exactly one is punctuation, CommonMark lets a ``*`` run only open or only close, and a
CJK neighbour (or an IVS before it) lets it do both. Everything else is CommonMark's answer, computed with
markdown-it-py's own character tests (so "punctuation" is what the installed markdown-it-py says it is),
and text without CJK characters and variation selectors (of either kind) parses exactly as before. The
CJK test is only made in that one case, and only when a neighbour is at or above U+1100.
"""

from __future__ import annotations

from bisect import bisect_right

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Scanned
from markdown_it.token import Token
from markdown_it.utils import EnvType

CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF), (0x20A9, 0x20A9), (0x2329, 0x232A), (0x2630, 0x2637), (0x268A, 0x268F),
    (0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5), (0x2FF0, 0x303E), (0x3041, 0x3096),
    (0x3099, 0x30FF), (0x3105, 0x312F), (0x3131, 0x318E), (0x3190, 0x31E5), (0x31EF, 0x321E),
    (0x3220, 0x3247), (0x3250, 0xA48C), (0xA490, 0xA4C6), (0xA960, 0xA97C), (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFAFF), (0xFE10, 0xFE19), (0xFE30, 0xFE52),
    (0xFE54, 0xFE66), (0xFE68, 0xFE6B), (0xFF01, 0xFFBE), (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF),
    (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC), (0xFFE0, 0xFFE6), (0xFFE8, 0xFFEE), (0x16FE0, 0x16FE4),
    (0x16FF0, 0x16FF6), (0x17000, 0x18CD5), (0x18CFF, 0x18D1E), (0x18D80, 0x18DF2), (0x1AFF0, 0x1AFF3),
    (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122), (0x1B132, 0x1B132), (0x1B150, 0x1B152),
    (0x1B155, 0x1B155), (0x1B164, 0x1B167), (0x1B170, 0x1B2FB), (0x1D300, 0x1D356), (0x1D360, 0x1D376),
    (0x1F200, 0x1F200), (0x1F202, 0x1F202), (0x1F210, 0x1F219), (0x1F21B, 0x1F22E), (0x1F230, 0x1F231),
    (0x1F237, 0x1F237), (0x1F23B, 0x1F23B), (0x1F240, 0x1F248), (0x1F260, 0x1F265), (0x20000, 0x3FFFD),
)  # fmt: skip
"""The CJK characters, inclusive code point ranges, as the specification lists them for Unicode 17
(``ranges.md`` of markdown-cjk-friendly): East Asian Width W, F or H and not an emoji, or Hangul;
unassigned code points in the CJK ideograph blocks count as W."""

_CJK_BOUNDS: tuple[int, ...] = tuple(bound for first, last in CJK_RANGES for bound in (first, last + 1))
""":data:`CJK_RANGES` as sorted half-open bounds: a code point is CJK when an odd number of them are at
or below it."""

_FIRST_CJK = "\u1100"
"""The lowest CJK character: below it only CommonMark's rules apply."""

_CJK_QUOTES = "\u2018\u2019\u201c\u201d"
"""‘ ’ “ ”: East Asian Width A; followed by U+FE01 they are their full-width forms, CJK punctuation."""


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK character (see :data:`CJK_RANGES`)."""
    return bisect_right(_CJK_BOUNDS, ord(ch)) % 2 == 1


def cjk_flanking(before: str, after: str, intraword: bool, selector: str = "") -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run between ``before`` and ``after`` (``" "`` at either end
    of the text), by the amended definitions. ``selector`` is the non-emoji variation selector that stood
    between ``before`` and the run, if one was looked through. ``intraword`` says whether the run may open
    or close inside a word (``*`` and ``~``, not ``_``)."""
    before_space = isWhiteSpace(ord(before))
    after_space = isWhiteSpace(ord(after))
    if before_space or after_space:
        # Beside whitespace nothing else counts, in CommonMark and in the amendment alike.
        return not after_space, not before_space
    before_punct = isMdAsciiPunct(ord(before)) or isPunctChar(before)
    after_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after)
    if not intraword:
        # ``_`` opens only after punctuation and closes only before it, whatever is CJK.
        return before_punct, after_punct
    if before_punct == after_punct:
        # Between two letters, or two punctuation characters, a ``*`` run may open and close.
        return True, True
    # Punctuation on one side only: CommonMark lets the run open (punctuation before) or close
    # (punctuation after), not both. A CJK character beside it, or an IVS before it, lets it do both.
    if before >= _FIRST_CJK or after >= _FIRST_CJK:
        if selector:
            before_cjk = is_cjk(before) or (selector == "\ufe01" and before in _CJK_QUOTES)
        else:
            before_cjk = is_cjk(before) or "\U000e0100" <= before <= "\U000e01ef"
        if before_cjk or is_cjk(after):
            return True, True
    return before_punct, after_punct


class CjkFriendlyStateInline(StateInline):
    """markdown-it-py's inline state, with delimiter runs judged by :func:`cjk_flanking`."""

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        """The run of ``src[start]`` markers from ``start``: whether it can open, whether it can close,
        and its length (what ``StateInline.scanDelims`` answers, by the amended definitions)."""
        src = self.src
        maximum = self.posMax
        marker = src[start]
        end = start + 1
        while end < maximum and src[end] == marker:
            end += 1
        before = src[start - 1] if start > 0 else " "
        after = src[end] if end < maximum else " "
        selector = ""
        if "\ufe00" <= before <= "\ufe0e" and start > 1 and not isWhiteSpace(ord(src[start - 2])):
            # Judge "preceded by" on the character the selector modifies. (A selector after whitespace or
            # at the start stays an ordinary character: the specification leaves that case unspecified.)
            selector, before = before, src[start - 2]
        can_open, can_close = cjk_flanking(before, after, canSplitWord, selector)
        return Scanned(can_open, can_close, end - start)


def cjk_friendly_plugin(md: MarkdownIt) -> None:
    """Make ``md`` parse inlines with :class:`CjkFriendlyStateInline` (``md.use(cjk_friendly_plugin)``).

    markdown-it-py builds the inline state in ``ParserInline.parse``; this replaces that method on
    ``md``'s inline parser only, with one that does the same with the CJK-friendly state, so every rule
    that scans delimiter runs (``emphasis``, ``strikethrough``) sees the amended flanking."""
    inline = md.inline

    def parse(src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = CjkFriendlyStateInline(src, md, env, tokens)
        inline.tokenize(state)
        for rule in inline.ruler2.getRules(""):
            rule(state)
        return state.tokens

    inline.parse = parse  # type: ignore[method-assign]
