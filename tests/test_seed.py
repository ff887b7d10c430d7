"""The seed document: 30 entries give one note per distinct piece of knowledge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from qa2anki.build import Options, build
from tests.conftest import REPO, RunCli

# Entry numbers (the seed's "### N." sections) that hold the same piece of knowledge.
SEED_GROUPS = [
    [1], [2], [3], [4], [5], [6], [7, 13, 19, 25], [8, 12, 18, 24, 30], [9, 16, 22, 28],
    [10, 15, 21, 27], [11, 17, 23, 29], [14, 20, 26],
]  # fmt: skip


def entry_lines(text: str) -> list[int]:
    """1-based line of each entry's question label, in order."""
    return [i for i, line in enumerate(text.split("\n"), 1) if line.startswith("**面试题：**")]


def test_seed_gives_twelve_notes(project: Path, seed_text: str, run_cli: RunCli) -> None:
    """The seed's 30 entries become 12 notes: 6 and 14 differ in topic and content, other repeats merge."""
    (project / "source" / "seed.md").write_text(seed_text, encoding="utf-8")
    result = run_cli("list", "--json")
    assert result.exit_code == 0, result.output
    listing = json.loads(result.output)
    assert listing["summary"] == {"documents": 1, "entries": 30, "notes": 12, "merged": 18, "topics": 12}
    line_to_entry = {line: n for n, line in enumerate(entry_lines(seed_text), 1)}
    groups = sorted(sorted(line_to_entry[s["line"]] for s in note["sources"]) for note in listing["notes"])
    assert groups == sorted(SEED_GROUPS)


def test_seed_merge_reasons(project: Path, seed_text: str, run_cli: RunCli) -> None:
    """list --json says why each entry merged: the most repeated wording survives, rewordings are near."""
    (project / "source" / "seed.md").write_text(seed_text, encoding="utf-8")
    listing = json.loads(run_cli("list", "--json").output)
    line_to_entry = {line: n for n, line in enumerate(entry_lines(seed_text), 1)}
    kinds = {
        line_to_entry[s["line"]]: (s["kind"], note["question"])
        for note in listing["notes"]
        for s in note["sources"]
    }
    assert kinds[7] == ("near", "GPT-4.0如何提高模型的安全性？")
    assert kinds[13][0] == "canonical"
    assert kinds[19][0] == kinds[25][0] == "exact"
    assert kinds[8] == ("near", "GPT-4.0如何提高模型的可解释性？")
    assert kinds[30][0] == "exact"  # the article's closing paragraph is not part of entry 30's answer
    assert listing["problems"] == []


def test_the_committed_lock_is_the_one_the_seed_builds(tmp_path: Path) -> None:
    """This repository's deck builds with ``--locked``: its lock does not move, so neither its GUIDs nor its
    note type (whose CSS is part of the fingerprint, comments too) changed under a code change."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(REPO / "source", tmp_path / "source")
    report = build(Options(cwd=tmp_path, now=1_800_000_000, locked=True))
    assert report.note_count == 12 and not report.lock_changed
    assert (tmp_path / "source" / "qa2anki.lock").read_bytes() == (
        REPO / "source" / "qa2anki.lock"
    ).read_bytes()
