"""Time ``qa2anki build`` on documents made to make markdown-it-py slow: the guard's speed target.

Target (issue 15, part 8): any document up to 10 MB builds in under 30 s on the development machine, or the
part that would not is refused with a ``file:line`` warning while the rest of the deck builds (see
:mod:`qa2anki.guard`). Each case below is one document of about ``--megabytes`` MB: a pathological pattern
between ordinary entries (an entry before it and one after it). In a fresh temporary project each case is
built cold (no lock, no ``build/``) and then again warm (same sources, caches present); the report gives the
wall and CPU time of both, whether the part was refused, and whether both entries around it were built.

Prints a Markdown table on standard output (progress on standard error)::

    python benchmarks/hostile.py [--megabytes 10] [--cases open-brackets,table] [--timeout 120]

Not run by the tests at full size (``tests/test_bench.py`` runs it at a small size to keep it working).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import QA2ANKI, Run, child_env, measure, progress

from qa2anki import guard

TARGET_SECONDS = 30.0
"""The most a build of a 10 MB document may take on the development machine."""

ENTRY_BEFORE = "### 1. 开头\n\n**面试题：** 之前的题目？\n\n**答案：** 之前的答案。\n\n"
ENTRY_AFTER = "\n\n### 2. 结尾\n\n**面试题：** 之后的题目？\n\n**答案：** 之后的答案。\n"


def _repeat(unit: str, size: int) -> str:
    return unit * max(size // len(unit.encode("utf-8")), 1)


def _nested_lists(size: int) -> str:
    lines = []
    total = 0
    depth = 0
    while total < size:
        line = "  " * (depth % 200) + "- 项\n"
        lines.append(line)
        total += len(line)
        depth += 1
    return "".join(lines)


PROSE = (
    "普通的说明文字，有**加粗**、`代码`和[链接](https://example.com)，也有一些标点：冒号、括号（如此）。\n\n"
)


def _under_budget(size: int) -> str:
    """Prose of ``size`` bytes with a paragraph of ``![`` that brings the document's estimate to just under
    its budget (see :func:`qa2anki.guard.budget_for`)."""
    prose = _repeat(PROSE, size)
    whole = ENTRY_BEFORE + prose + ENTRY_AFTER
    spare = 0.98 * guard.budget_for(whole) - guard.estimate(whole)
    # Each "![" adds its weights and two bytes of budget; the paragraph is one more block.
    each = guard.MARKER_COSTS["!"] + guard.MARKER_COSTS["["] - 2 * 0.98 * guard.BYTE_BUDGET
    count = max(int((spare - guard.BLOCK_COST) / each), 0)
    return prose + "![" * count


CASES: dict[str, Callable[[int], str]] = {
    "open-brackets": lambda size: _repeat("[", size),
    "sparse-brackets": lambda size: _repeat("[a ", size),
    "image-brackets": lambda size: _repeat("![", size),
    "emphasis": lambda size: _repeat("a*", size),
    "emphasis-lines": lambda size: _repeat("**a\n", size),
    "backticks": lambda size: _repeat("`a", size),
    "backtick-run": lambda size: "x" + _repeat("`", size),
    "star-run": lambda size: _repeat("*", size),
    "quotes": lambda size: _repeat(">", size),
    "quote-lines": lambda size: _repeat("> > > > > > > > > > a\n", size),
    "nested-lists": _nested_lists,
    "list-markers": lambda size: _repeat("- ", size),
    "table": lambda size: "a|b\n-|-\n" + _repeat("a|b\n", size),
    "tiny-paragraphs": lambda size: _repeat("[[[[[[[[\n\n", size),
    "tiny-sections": lambda size: _repeat("# h\n[[[[[[[[\n", size),
    # Just under the guard's budget, so kept: the slowest a document is allowed to be.
    "images-under-budget": lambda size: _repeat("![", min(size, 430_000)),
    # A long document gets 2 µs a byte: ordinary prose filling it, and images up to that budget.
    "prose-under-budget": lambda size: _under_budget(size),
}
"""Each case's pathological part, given its size in bytes."""


def document(case: str, size: int) -> str:
    """The case's document: an entry, the pattern, an entry."""
    return ENTRY_BEFORE + CASES[case](size) + ENTRY_AFTER


def bench_case(case: str, size: int, timeout: float) -> tuple[Run, Run]:
    """A cold and a warm build of the case's document."""
    with tempfile.TemporaryDirectory(prefix="qa2anki-hostile-") as name:
        tmp = Path(name)
        project = tmp / "project"
        (project / "source").mkdir(parents=True)
        (project / "source" / f"{case}.md").write_text(document(case, size), encoding="utf-8")
        progress(f"{case}: cold build")
        cold = measure([QA2ANKI, "build"], project, child_env(tmp), timeout)
        progress(f"{case}: warm build")
        warm = measure([QA2ANKI, "build"], project, child_env(tmp), timeout)
        return cold, warm


def _time(run: Run) -> str:
    return "killed" if run.returncode is None else f"{run.wall:.1f} / {run.cpu:.1f}"


def row(case: str, cold: Run, warm: Run) -> str:
    """A table row: times, what was refused, whether both entries were built and the target met."""
    refused = "yes" if "left out: Markdown this dense" in cold.stderr else "no"
    built = "2 entries" in cold.stdout and cold.returncode == 0
    fast = cold.ok and warm.ok and max(cold.wall, warm.wall) < TARGET_SECONDS
    return (
        f"| {case} | {_time(cold)} | {_time(warm)} | {refused} | {'yes' if built else 'no'} | "
        f"{'yes' if fast else 'NO'} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--megabytes", type=float, default=10.0, help="size of each document (default 10)")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a build is killed")
    args = parser.parse_args(argv)
    cases = [case for case in args.cases.split(",") if case]
    unknown = [case for case in cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    size = int(args.megabytes * 1_000_000)
    lines = [
        f"Documents of {args.megabytes:g} MB; wall / CPU seconds; target: under {TARGET_SECONDS:g} s.",
        "",
        "| case | cold | warm | refused | both entries built | under target |",
        "|---|---|---|---|---|---|",
    ]
    for case in cases:
        cold, warm = bench_case(case, size, args.timeout)
        lines.append(row(case, cold, warm))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
