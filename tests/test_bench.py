"""``make bench``'s script runs end to end and reports every figure (its timings are not checked)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _benchmark(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``benchmarks/<script>`` as ``make bench`` would; it must succeed."""
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_benchmark_reports_every_column_for_a_small_size(tmp_path: Path) -> None:
    """At 50 entries the benchmark builds cold, rebuilds after one edit (one note updated) and runs the
    baseline, and its table has a number in every column, memory in use included (this is Linux)."""
    result = _benchmark("run.py", "--sizes", "50", cwd=tmp_path)
    header = next(line for line in result.stdout.splitlines() if line.startswith("| N |"))
    row = next(line for line in result.stdout.splitlines() if line.startswith("| 50 |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert len(cells) == len(columns) and "cold in use MB" in columns
    assert all(re.fullmatch(r"[0-9.]+×?", cell) for cell in cells[1:]), row
    assert "rebuild: 0 added, 1 updated" in result.stdout
    assert re.search(r"`qa2anki --help`: [0-9.]+ s", result.stdout)
    assert re.search(r"second rebuild \(.*\): [0-9.]+ s, [0-9.]+× baseline", result.stdout)


def test_hostile_benchmark_reports_every_case_it_is_given(tmp_path: Path) -> None:
    """``benchmarks/hostile.py`` at a small size: a row per case it is given, each with cold and warm
    times, and both entries around the pattern built."""
    result = _benchmark(
        "hostile.py", "--megabytes", "0.01", "--cases", "open-brackets,nested-lists", cwd=tmp_path
    )
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip() for row in rows] == ["open-brackets", "nested-lists"]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert all(re.fullmatch(r"[0-9.]+ / [0-9.]+", cell) for cell in cells[1:3]), row
        assert cells[4] == "yes", row


def test_a_build_that_misreads_the_generated_entries_fails_the_benchmark() -> None:
    """Timings of a build that read fewer entries than were generated measure another job: the report
    says so and ``run.py`` exits non-zero (the guard once cut the 100,000-entry document unnoticed)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(REPO / "benchmarks"))

    def build(stdout: str) -> run.Run:
        return run.Run(1.0, 1.0, 1.0, None, 0, stdout, "")

    whole = run.SizeResult(100, [build("1 document, 100 entries, 90 unique notes\n")], [], [], [], [], [], [])
    cut = run.SizeResult(
        1000, [build("deck x\n1 document, 394 entries, 130 unique notes\n")], [], [], [], [], [], []
    )
    assert run.misread([whole]) == []
    assert run.misread([whole, cut]) == ["**Misread**: N=1,000: the cold build read 394 entries"]
