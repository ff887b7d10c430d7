"""The guard at the parse edge: ordinary documents pass untouched; Markdown too costly to parse is left out
with a ``file:line`` warning while the rest of the document builds; warm builds refuse what cold ones do.

No test times anything: the pathological parts are sized so that, unguarded, they would take markdown-it
many seconds, and the tests assert that the guard refused them and that everything else was built (so a
broken guard shows as a slow and failing test, never as a flaky one). Speed targets are in
``benchmarks/hostile.py``.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from qa2anki.cli import cli
from qa2anki.guard import (
    BIG_SHARE,
    BLANK_COST,
    BLOCK_COST,
    BYTE_BUDGET,
    DOCUMENT_BUDGET,
    MARKER_COSTS,
    MAX_REPORTED,
    budget_for,
    estimate,
    guard_document,
    guard_text,
    stretch_cost,
    stretches,
)
from qa2anki.parse import parse_document
from qa2anki.sources import Document
from tests.conftest import RunCli
from tests.test_bad_input import assert_no_traceback, deck_notes

ENV = {"SOURCE_DATE_EPOCH": "1700000000"}


def _entry(n: int) -> str:
    return f"### {n}. 主题{n}\n\n**面试题：** 第{n}题是什么？\n\n**答案：** 第{n}题的答案。\n\n"


def _pathological(unit: str, budget: float = DOCUMENT_BUDGET) -> str:
    """``unit`` repeated so that its estimated parsing cost is 1.2 times ``budget``."""
    each = stretch_cost(unit * 2) - stretch_cost(unit)
    return unit * math.ceil(1.2 * budget / each)


# --- the estimate and the stretches ------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from([*MARKER_COSTS, "\n", " ", "a", "中", "\ud800", "\x85"])))
@example("\n\n\n[](中)\n")
def test_the_estimate_counts_each_marker_of_the_text(text: str) -> None:
    """The estimate counts in the UTF-8 bytes what a count in the text counts: every marker and line."""
    blank = text.count("\n\n")
    expected = (text.count("\n") + 1 - blank) * BLOCK_COST + blank * BLANK_COST
    expected += sum(text.count(marker) * weight for marker, weight in MARKER_COSTS.items())
    assert estimate(text) == expected


def test_ordinary_documents_pass_untouched(seed_text: str) -> None:
    """The seed document, and one of ten thousand ordinary entries, are estimated far under the budget and
    given back as they are."""
    big = "".join(_entry(n) for n in range(10_000))
    for text in (seed_text, big):
        assert estimate(text) < DOCUMENT_BUDGET / 3
        guarded = guard_text(text)
        assert guarded.text is text and guarded.refused == ()


def test_a_long_ordinary_document_is_never_cut(seed_text: str) -> None:
    """Parsing is linear: a document of ordinary entries estimated far over :data:`DOCUMENT_BUDGET` (the
    benchmark's 100,000 entries are one 65 MB document) is slow, not hanging, and is parsed whole."""
    text = seed_text * 1500
    assert estimate(text) > 2 * DOCUMENT_BUDGET
    guarded = guard_text(text)
    assert guarded.text is text and guarded.refused == ()


def test_the_budget_grows_with_the_document_but_holds_ten_megabytes_under_the_target() -> None:
    """Small documents share one budget; a long one gets :data:`BYTE_BUDGET` a byte (UTF-8), which holds a
    10 MB document to 20 s estimated; dense markup in it is refused all the same."""
    assert budget_for("短文") == DOCUMENT_BUDGET
    assert budget_for("字" * 5_000_000) == 15_000_000 * BYTE_BUDGET
    assert budget_for("a" * 10_000_000) <= 20_000_000
    dense = "![" * 5_000_000
    guarded = guard_text(dense)
    assert guarded.refused and not guarded.text.strip()


def test_stretches_leave_out_fenced_code_and_give_headings_their_own() -> None:
    """A stretch is a run of non-blank lines outside fenced code; a heading is one of its own, and
    ``joined`` says only blank lines stand before it."""
    lines = ["# h", "a", "b", "", "```", "[[[", "```", "c", "", "", "d"]
    assert stretches(lines) == [(0, 1, False), (1, 3, True), (7, 8, False), (10, 11, True)]


def test_fenced_code_is_not_estimated() -> None:
    """Brackets in fenced code cost markdown-it nothing: a document whose brackets are all in a fence is
    kept whole, although its estimate as plain text is over the budget."""
    code = "\n".join(["[" * 1000] * math.ceil(DOCUMENT_BUDGET / 60_000 * 1.2))
    text = f"{_entry(1)}```\n{code}\n```\n\n{_entry(2)}"
    assert estimate(text) > DOCUMENT_BUDGET
    guarded = guard_text(text)
    assert guarded.refused == () and guarded.text == text


# --- refusing ------------------------------------------------------------------------------------------


def test_the_densest_stretch_is_blanked_and_every_line_keeps_its_number() -> None:
    """With a small budget, the stretch that costs most for its length goes first; its lines are blank,
    the others as they were."""
    text = "a\n\n[[[[[[[[[[\n[[[[\n\nb [c\n\n**d**"
    guarded = guard_text(text, budget=estimate(text) - 600)
    assert guarded.text.split("\n") == ["a", "", "", "", "", "b [c", "", "**d**"]
    [refusal] = guarded.refused
    assert (refusal.start, refusal.end) == (2, 4)
    assert refusal.markers == (("[", 14),)
    assert refusal.message().startswith("lines 3–4 left out: Markdown this dense")


def test_refused_stretches_with_only_blank_lines_between_are_one_warning() -> None:
    """Neighbouring refused stretches are reported as one run; one not refused in between splits it."""
    text = "[[[[\n\n[[[[\n\n[[[[\n\nok\n\n[[[["
    every = guard_text(text, budget=1)
    assert [(r.start, r.end) for r in every.refused] == [(0, 9)]
    # The four bracket stretches go; "ok" and the four blank lines fit the budget.
    brackets = guard_text(text, budget=stretch_cost("ok") + 4 * BLANK_COST)
    assert [(r.start, r.end) for r in brackets.refused] == [(0, 5), (8, 9)]
    assert brackets.text == "\n\n\n\n\n\nok\n\n"


def test_many_cheap_headings_go_before_the_entries() -> None:
    """A document of many tiny sections: once the bracket runs are gone, the headings (dense: a block for
    three characters) go before the entries' longer paragraphs."""
    text = _entry(1) + "# h\n[[[[[[[[\n" * 2000 + _entry(2)
    # Every stretch is small for this budget; without the brackets, the headings alone are over it.
    budget = 2000 * stretch_cost("# h") * 0.7
    assert stretch_cost("[[[[[[[[") < budget * BIG_SHARE
    guarded = guard_text(text, budget)
    assert guarded.text.count("[") == 0 and 0 < guarded.text.count("# h") < 2000
    assert guarded.text.startswith(_entry(1)) and guarded.text.endswith(_entry(2))


def test_many_runs_are_reported_once_each_up_to_a_limit() -> None:
    """A document of many refused runs gives :data:`MAX_REPORTED` warnings and one that counts the rest."""
    text = "\n\n".join(f"# {n}\n[[[[" for n in range(MAX_REPORTED + 5))
    # Only the headings (and the blank lines between the sections) fit the budget.
    headings = (MAX_REPORTED + 5) * (BLOCK_COST + MARKER_COSTS["#"]) + (MAX_REPORTED + 4) * BLANK_COST
    document, problems = guard_document(Document("doc.md", "doc.md", text), budget=headings)
    assert len(problems) == MAX_REPORTED + 1
    assert problems[-1].message == "5 more runs of lines after this one left out for the same reason"
    assert document.text.count("[") == 0 and document.text.count("\n") == text.count("\n")


def test_parse_document_refuses_and_keeps_the_rest() -> None:
    """:func:`parse_document` goes through the guard: the entries around a refused part are found, and the
    warning names its first line."""
    text = _entry(1) + _pathological("[") + "\n\n" + _entry(2)
    result = parse_document(Document("doc.md", "doc.md", text))
    assert [entry.line for entry in result.entries] == [3, 11]
    [problem] = result.problems
    assert (problem.line, problem.severity.value) == (7, "warning")
    assert "left out: Markdown this dense" in problem.message


# --- through the command line ----------------------------------------------------------------------


PATTERNS = {
    "brackets": "[",
    "stars": "*",
    "angles": ">",
    "sparse brackets": "[a ",
    "images": "![",
    "emphasis": "a*",
    "emphasis lines": "**a\n",
    "backticks": "`a",
    "quotes": "> > > > a\n",
    "nested lists": "- - - - - a\n  - b\n",
    "table rows": "a|b|c\n",
}
"""Patterns markdown-it-py is slow on (and runs of ``*`` and ``>``, which it is not, but which the estimate
weighs as it weighs any marker), each repeated past the budget in the tests."""

pieces = st.lists(st.sampled_from(sorted(PATTERNS)), min_size=1, max_size=3).flatmap(
    lambda patterns: st.permutations([*patterns, *["entry"] * len(patterns)])
)
"""One to three pathological parts, and as many ordinary entries among them."""


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV, catch_exceptions=True)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(pieces)
# A long document's budget grows with its bytes: at full scale this one's parts were not all refused.
@example(pieces=["entry", "nested lists", "backticks", "entry"])
def test_pathological_parts_are_refused_and_the_rest_builds(pieces: list[str]) -> None:
    """Documents mixing ordinary entries with parts that would take markdown-it seconds each: the build
    succeeds, the pathological parts are refused with a warning at their first line, and every entry is in
    the deck. (The budgets are a quarter of the real ones, so that the parts are a few hundred kilobytes,
    and as dense against the budget a byte as a real 10 MB part would be.)"""
    budget = DOCUMENT_BUDGET / 4
    parts: list[str] = []
    expected_lines: list[int] = []
    line = 1
    entries = 0
    for kind in ["entry", *pieces, "entry"]:
        if kind == "entry":
            entries += 1
            part = _entry(entries)
        else:
            expected_lines.append(line)
            part = "前言\n" + _pathological(PATTERNS[kind], budget).rstrip("\n") + "\n\n"
        parts.append(part)
        line += part.count("\n")
    cwd = os.getcwd()
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch("qa2anki.guard.DOCUMENT_BUDGET", budget),
        mock.patch("qa2anki.guard.BYTE_BUDGET", BYTE_BUDGET / 4),
    ):
        os.chdir(tmp)
        try:
            Path("source").mkdir()
            Path("source/doc.md").write_text("".join(parts), encoding="utf-8")
            build = _invoke("build")
            assert_no_traceback(build)
            assert build.exit_code == 0, build.output
            refused = [
                int(m)
                for m in re.findall(r"doc\.md:(\d+): warning: lines? \d+(?:–\d+)? left out", build.stderr)
            ]
            # Neighbouring parts may be reported as one run; each run starts at a pathological part.
            assert refused and set(refused) <= set(expected_lines)
            assert expected_lines[0] in refused
            assert f"1 document, {entries} entries" in build.stdout
            questions = sorted(fields[0] for fields in deck_notes(Path(tmp)))
            assert questions == sorted(f"<p>第{n}题是什么？</p>" for n in range(1, entries + 1))
        finally:
            os.chdir(cwd)


def test_warm_builds_refuse_what_cold_ones_do(project: Path, run_cli: RunCli) -> None:
    """A rebuild (caches and ledger present), and a rebuild after an edit elsewhere in the document, give
    the warnings and the deck a cold build of the same text gives."""
    text = _entry(1) + "前言\n" + _pathological("[") + "\n\n" + _entry(2) + _entry(3)
    source = project / "source" / "doc.md"
    source.write_text(text, encoding="utf-8")
    cold = run_cli("build")
    assert cold.exit_code == 0, cold.output
    warm = run_cli("build")
    assert warm.exit_code == 0, warm.output
    assert warm.stderr == cold.stderr and "left out" in cold.stderr
    source.write_text(text.replace("第3题的答案", "第3题的新答案"), encoding="utf-8")
    edited = run_cli("build")
    assert edited.exit_code == 0, edited.output
    fresh = project.parent / "fresh"
    shutil.copytree(project / "source", fresh / "source", ignore=shutil.ignore_patterns("*.lock"))
    shutil.copy(project / "source" / "qa2anki.lock", fresh / "source" / "qa2anki.lock")
    os.chdir(fresh)
    again = run_cli("build")
    assert again.exit_code == 0, again.output
    assert again.stderr == edited.stderr
    assert deck_notes(fresh) == deck_notes(project)


def test_strict_fails_on_a_refused_part(project: Path, run_cli: RunCli) -> None:
    """Text left out is a real problem: ``check --strict`` fails on it."""
    (project / "source" / "doc.md").write_text(_entry(1) + _pathological("a*") + "\n", encoding="utf-8")
    check = run_cli("check", "--strict")
    assert check.exit_code == 1
    assert "doc.md:7: warning: line 7 left out" in check.stderr
