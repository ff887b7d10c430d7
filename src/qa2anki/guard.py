"""The guard at the parse edge: no document makes a build hang.

markdown-it-py reads ordinary text fast (a line of Chinese costs it well under a microsecond a character),
but every character that may open or close inline markup costs it a rule lookup, and some cost far more:
each ``[`` makes its link rule scan ahead for a matching ``]`` through every rule, nested up to twenty
levels deep. Measured with ``time.process_time`` on the development machine (AMD EPYC, markdown-it-py 4),
per occurrence: ``[`` 11–80 µs, ``*`` ``_`` ``~`` up to 25 µs, a ``|`` in a table row up to 40 µs, other
inline markers (`` ` `` ``<`` ``&`` ``!`` ``:`` …) 2–10 µs; a block (paragraph, heading) about 45 µs and
each further line of a paragraph about 15 µs (its soft break is a token). The cost grows linearly, but
3,000,000 ``[`` take minutes, and so do a 10 MB table and a 10 MB run of ``a*a*a*``. Block nesting
(``> > >``, nested lists) is cheap: markdown-it stops at twenty levels.

So before a document is cut into sections, :func:`guard_text` estimates on the line level, without
tokens, what parsing it will cost: per stretch (a run of non-blank lines outside fenced code; an ATX
heading is a stretch of its own) its block, its lines and the markers it holds, weighted by the costs
above (pessimistically: the worst case measured). Fenced code is not estimated: markdown-it does not
parse inside it. When the whole document is estimated under its budget (:func:`budget_for`: 15 s, or
2 µs a byte for a document over 7.5 MB, since ordinary text costs 1–3 µs a byte), it is parsed as it
is (the common case costs a few ``str.count`` calls). Otherwise stretches are refused until the rest fits
the budget: first the big ones (:data:`BIG_SHARE` of the budget or more), costliest first; then, when the
cost is spread over many small stretches (tiny sections of brackets), the densest first — the most cost
for the characters they hold, so that headings of one word go before the entries' paragraphs. The
earlier of equals goes first. A refused stretch's lines are blanked, so every other line keeps its
number, and each run of refused stretches is reported with its ``file:line`` as a warning.

The guard works on the whole document, not per section: a document of many small sections, each cheap
alone, can cost as much as one long run. It depends on the text alone, so a warm build (caches, carried
notes) refuses exactly what a cold one does; changing the weights or the budget changes the code
fingerprint and so every cache key.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa2anki.errors import Problem, Severity
from qa2anki.i18n import gettext as _
from qa2anki.i18n import ngettext
from qa2anki.sources import Document

BLOCK_COST = 60.0
"""Estimated µs per stretch: the block it makes (a paragraph or a heading costs markdown-it about 45 µs,
and a section of its own about 15 µs more in the steps after it)."""
LINE_COST = 15.0
"""Estimated µs per further line of a stretch (each line break inside a paragraph is a token)."""
BLANK_COST = 1.0
"""Estimated µs per line outside every stretch: blank, or in fenced code (which is not parsed inline)."""
MARKER_COSTS: dict[str, float] = {
    "[": 60.0,
    "|": 40.0,
    **dict.fromkeys("*_~", 25.0),
    **dict.fromkeys("#$%{}", 10.0),
    **dict.fromkeys("]!`<>&\\-:=+@^()", 5.0),
}
"""Estimated µs per occurrence of each character that makes markdown-it's inline parser stop and try its
rules (the worst case measured for each, rounded up)."""
DOCUMENT_BUDGET = 15_000_000.0
"""Estimated µs of parsing any document may cost before its densest stretches are refused (15 s)."""
BYTE_BUDGET = 2.0
"""Estimated µs per UTF-8 byte a longer document may cost: its budget grows with its size, so that a long
document of ordinary entries (estimated at 1–3.3 µs a byte, and about as slow in fact) is never cut, while a
10 MB one is held to 20 s estimated, under 30 s in fact (the estimate of the costliest pattern, ``![``, runs
about 1.3 times short)."""

BIG_SHARE = 0.01
"""A stretch estimated at this share of the budget or more is big: big ones are refused first."""
MAX_REPORTED = 10
"""A document's first runs of refused lines reported one by one; the others are counted in one warning."""

_CLASSES = {
    cost: "".join(c for c, w in MARKER_COSTS.items() if w == cost) for cost in set(MARKER_COSTS.values())
}
_TO_CLASS = str.maketrans(
    {c: chr(1 + index) for index, cost in enumerate(sorted(_CLASSES)) for c in _CLASSES[cost]}
)
_CLASS_COSTS = tuple(sorted(_CLASSES))
_KEEP = "".join(chr(1 + index) for index in range(len(_CLASS_COSTS))) + "\n"


@dataclass(frozen=True)
class Refusal:
    """A run of lines the guard left out of a document."""

    start: int
    """First line (0-based)."""
    end: int
    """The line after the last one."""
    cost: float
    """The estimated cost of parsing them, µs."""
    markers: tuple[tuple[str, int], ...]
    """The markers that cost most in them, with their counts, costliest first (at most three)."""

    def message(self) -> str:
        """What the warning says."""
        markers = ", ".join(f"{count:,} {marker!r}" for marker, count in self.markers)
        if self.end - self.start == 1:
            span = _("line {line}").format(line=self.start + 1)
        else:
            span = _("lines {first}–{last}").format(first=self.start + 1, last=self.end)
        return _(
            "{span} left out: Markdown this dense would take the parser an estimated {seconds} s "
            "({markers}); the rest of the document is built. Split the text, or put it in a code block"
        ).format(span=span, seconds=f"{self.cost / 1e6:,.0f}", markers=markers)


@dataclass(frozen=True)
class Guarded:
    """A document's text as it is parsed, and what was left out of it."""

    text: str
    """The text, with the refused lines blank (every line keeps its number)."""
    refused: tuple[Refusal, ...]
    """What was left out, in document order (the first :data:`MAX_REPORTED` runs of lines)."""
    runs: int = 0
    """How many runs of lines were left out in all."""


def estimate(text: str) -> float:
    """At least the estimated cost (µs) of parsing ``text``, from a few counts of the whole text: every
    line a stretch of its own (but those certainly blank), fenced code parsed too."""
    return _estimate(_utf8(text))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


_NOT_MARKERS = bytes(byte for byte in range(256) if chr(byte) not in MARKER_COSTS)


def _estimate(data: bytes) -> float:
    """:func:`estimate` of the text whose UTF-8 bytes are ``data``: its markers are ASCII, which UTF-8
    writes as themselves and as nothing else, so they are counted in the bytes. All of them are first
    taken out in one pass, and counted one by one in what is left (a few percent of ordinary text)."""
    blank = data.count(b"\n\n")  # no more than the empty lines
    cost = (data.count(b"\n") + 1 - blank) * BLOCK_COST + blank * BLANK_COST
    markers = data.translate(None, _NOT_MARKERS)
    for marker, weight in MARKER_COSTS.items():
        cost += markers.count(marker.encode()) * weight
    return cost


def stretch_cost(text: str) -> float:
    """The estimated cost (µs) of parsing one stretch: one translation, then a count per cost class."""
    classes = text.translate(_TO_CLASS)
    cost = BLOCK_COST + classes.count("\n") * LINE_COST
    for index, weight in enumerate(_CLASS_COSTS):
        cost += classes.count(chr(1 + index)) * weight
    return cost


def _fence_marker(line: str) -> str:
    """The fence a line opens (```` ``` ```` or ``~~~`` and longer), or ``""``. Indentation is not
    checked: a fence inside a list item is indented, and the estimate only needs to be close."""
    stripped = line.lstrip(" ")
    if stripped[:3] not in ("```", "~~~"):
        return ""
    marker = stripped[0]
    run = len(stripped) - len(stripped.lstrip(marker))
    if marker == "`" and "`" in stripped[run:]:
        return ""
    return marker * run


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip(" ")
    return stripped.startswith(fence) and stripped == fence[0] * len(stripped)


def stretches(lines: list[str]) -> list[tuple[int, int, bool]]:
    """The stretches of a document's lines: ``(start, end, joined)``, where ``joined`` says that only
    blank lines stand between the stretch and the one before it. Lines in fenced code, and blank lines,
    belong to none; an ATX heading is a stretch of its own."""
    found: list[tuple[int, int, bool]] = []
    fence = ""
    start = -1
    joined = False  # only blank lines since the last stretch ended
    for number, line in enumerate(lines):
        if fence:
            if line[:1] in " `~" and _closes(line, fence):
                fence = ""
            continue
        blank = not line or line.isspace()
        opens = "" if blank or line[:1] not in " `~" else _fence_marker(line)
        heading = line[:1] == "#"
        if blank or opens or heading:
            if start >= 0:
                found.append((start, number, joined))
                joined = True
                start = -1
            if opens:
                fence = opens
                joined = False
            elif heading:
                found.append((number, number + 1, joined))
                joined = True
            continue
        if start < 0:
            start = number
    if start >= 0:
        found.append((start, len(lines), joined))
    return found


def budget_for(text: str) -> float:
    """A document's budget, µs: :data:`DOCUMENT_BUDGET`, or :data:`BYTE_BUDGET` a byte if that is more.
    Parsing is linear in the text, so a long document is slow but never hangs; what the guard refuses is
    markup denser than ordinary text."""
    return _budget(len(_utf8(text)))


def _budget(size: int) -> float:
    return max(DOCUMENT_BUDGET, BYTE_BUDGET * size)


def guard_text(text: str, budget: float | None = None) -> Guarded:
    """The text to parse: ``text`` itself when its estimated cost is within ``budget`` (default:
    :func:`budget_for` the text), else ``text`` with its densest stretches blanked until the rest is (see
    the module's docstring)."""
    data = _utf8(text)
    budget = _budget(len(data)) if budget is None else budget
    if _estimate(data) <= budget:
        return Guarded(text, ())
    del data
    original = text.split("\n")
    lines = list(original)
    found = stretches(lines)
    texts = [lines[a] if b - a == 1 else "\n".join(lines[a:b]) for a, b, _ in found]
    costs = [stretch_cost(piece) for piece in texts]
    density = [cost / (len(piece) + 1) for cost, piece in zip(costs, texts, strict=True)]
    del texts
    big = budget * BIG_SHARE

    def order(index: int) -> tuple[bool, float, int]:
        # Big stretches first, costliest first; then the small ones, the densest first.
        cost = costs[index]
        return (cost < big, -cost if cost >= big else -density[index], index)

    total = sum(costs) + (len(lines) - sum(b - a for a, b, _ in found)) * BLANK_COST
    refused = [False] * len(found)
    for index in sorted(range(len(found)), key=order):
        if total <= budget:
            break
        refused[index] = True
        total -= costs[index]
    runs: list[tuple[int, int, float]] = []
    for index, (start, end, joined) in enumerate(found):
        if not refused[index]:
            continue
        lines[start:end] = [""] * (end - start)
        if runs and joined and refused[index - 1]:
            runs[-1] = (runs[-1][0], end, runs[-1][2] + costs[index])
        else:
            runs.append((start, end, costs[index]))
    return Guarded(
        "\n".join(lines),
        tuple(Refusal(a, b, cost, _markers("\n".join(original[a:b]))) for a, b, cost in runs[:MAX_REPORTED]),
        len(runs),
    )


def _markers(text: str) -> tuple[tuple[str, int], ...]:
    """The three markers that cost most in ``text``, with their counts."""
    counted = [(marker, text.count(marker), weight) for marker, weight in MARKER_COSTS.items()]
    costliest = sorted((item for item in counted if item[1]), key=lambda item: (-item[1] * item[2], item[0]))
    return tuple((marker, count) for marker, count, _ in costliest[:3])


def guard_document(document: Document, budget: float | None = None) -> tuple[Document, tuple[Problem, ...]]:
    """The document as it is parsed, and a warning for each run of lines the guard left out."""
    guarded = guard_text(document.text, budget)
    if not guarded.refused:
        return document, ()
    problems = [
        Problem(document.path, refusal.start + 1, Severity.WARNING, refusal.message())
        for refusal in guarded.refused
    ]
    if guarded.runs > len(guarded.refused):
        more = guarded.runs - len(guarded.refused)
        problems.append(
            Problem(
                document.path,
                guarded.refused[-1].end + 1,
                Severity.WARNING,
                ngettext(
                    "{count} more run of lines after this one left out for the same reason",
                    "{count} more runs of lines after this one left out for the same reason",
                    more,
                ).format(count=f"{more:,}"),
            )
        )
    return Document(document.path, document.name, guarded.text), tuple(problems)
