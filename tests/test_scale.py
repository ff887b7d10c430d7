"""Clustering at scale: far fewer comparisons than pairs, and the same clusters as comparing every pair."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.generate import generate, generate_entries
from qa2anki import normalize as normalize_module
from qa2anki.fold import fold
from qa2anki.normalize import normalize
from qa2anki.parse import Entry
from qa2anki.scan import scan_documents
from qa2anki.sources import Document
from tests.conftest import REPO, RunCli, genanki_loaded


def entries(n: int, seed: int) -> tuple:  # type: ignore[type-arg]
    return scan_documents([Document(path="g.md", name="g.md", text=generate(n, seed=seed))])[0].entries


def unparsed_entries(n: int, seed: int) -> tuple[Entry, ...]:
    """What clustering reads of the entries of ``generate(n, seed)``, made without parsing the document
    (parsing 20,000 entries takes four times as long as clustering them; see the test below)."""
    made = []
    for generated in generate_entries(n, seed=seed):
        items = "\n".join(f"{i}. {item}" for i, item in enumerate(generated.items, 1))
        answer = "\n\n".join(part for part in (generated.intro, items, generated.table) if part)
        made.append(
            Entry(
                path="g.md",
                document="g.md",
                line=len(made) + 1,
                topic=generated.topic,
                question_md=generated.question,
                answer_md=answer,
                question_folded=fold(generated.question),
                answer_folded=fold(answer),
            )
        )
    return tuple(made)


def test_unparsed_entries_are_what_clustering_reads_of_parsed_ones() -> None:
    def read(items: tuple[Entry, ...]) -> list[tuple[str, ...]]:
        return [(e.topic, e.question_md, e.answer_md, e.question_folded, e.answer_folded) for e in items]

    assert read(unparsed_entries(300, seed=5)) == read(entries(300, seed=5))


def clusters(result: normalize_module.Normalized) -> set[frozenset[tuple[str, int]]]:
    return {frozenset((m.entry.path, m.entry.line) for m in note.merges) for note in result.notes}


def test_twenty_thousand_entries_need_far_fewer_than_n_squared_comparisons() -> None:
    """On a generated 20,000-entry corpus, near-duplicate detection compares well under 1% of all pairs."""
    items = unparsed_entries(20_000, seed=5)
    result = normalize(items)
    n = len(items)
    assert result.comparisons < n * n / 100
    assert 0.6 * n < len(result.notes) < 0.8 * n  # about 30% of the generated entries are duplicates


def test_topics_compared_in_workers_give_the_same_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Comparing topics in worker processes gives exactly the notes and memo of comparing them here."""
    items = unparsed_entries(3_000, seed=8)
    serial = normalize(items, jobs=1)
    monkeypatch.setattr(normalize_module, "PARALLEL_MIN_GROUPS", 0)
    parallel = normalize(items, jobs=2)
    assert parallel == serial and parallel.memo == serial.memo and parallel.comparisons == serial.comparisons


def test_candidate_filtering_finds_what_comparing_every_pair_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With topics too large to compare exhaustively, the filtered clustering equals the exhaustive one."""
    items = unparsed_entries(3_000, seed=7)
    monkeypatch.setattr(normalize_module, "EXHAUSTIVE_TOPIC", 10**9)
    exhaustive = normalize(items)
    monkeypatch.setattr(normalize_module, "EXHAUSTIVE_TOPIC", 0)
    filtered = normalize(items)
    assert filtered.comparisons < exhaustive.comparisons / 5
    assert clusters(filtered) == clusters(exhaustive)


def test_cached_and_uncached_builds_are_byte_identical(project: Path, run_cli: RunCli) -> None:
    """A build that reuses the parse cache writes exactly the deck a cold build writes."""
    (project / "source" / "g.md").write_text(generate(400, seed=11), encoding="utf-8")
    assert run_cli("build").exit_code == 0
    cache = project / "build" / ".qa2anki-cache"
    assert any(cache.iterdir())
    deck = project / "build" / "qa2anki.apkg"
    warm = run_cli("build")
    assert warm.exit_code == 0, warm.output
    cached_bytes = deck.read_bytes()
    shutil.rmtree(cache)
    deck.unlink()
    assert run_cli("build").exit_code == 0
    assert deck.read_bytes() == cached_bytes


def test_rebuild_after_edits_equals_a_cold_build(project: Path, run_cli: RunCli) -> None:
    """After edits (an answer changed, a section inserted, one moved), a build that reuses the caches of
    the build before writes exactly the deck and lock that a build without caches writes."""
    source = project / "source" / "g.md"
    text = generate(300, seed=12)
    source.write_text(text, encoding="utf-8")
    assert run_cli("build").exit_code == 0
    lock = project / "source" / "qa2anki.lock"
    before = lock.read_bytes()
    sections = text.split("\n### ")
    sections.insert(40, sections[7].replace("通过", "借助", 1))
    sections.append(sections.pop(3))
    source.write_text("\n### ".join(sections).replace("答案：**", "答案：** 简言之，", 1), encoding="utf-8")
    deck = project / "build" / "qa2anki.apkg"
    assert run_cli("build").exit_code == 0
    cached_deck, cached_lock = deck.read_bytes(), lock.read_bytes()
    assert cached_lock != before  # the edits reached the deck
    lock.write_bytes(before)
    shutil.rmtree(project / "build")
    assert run_cli("build").exit_code == 0
    assert deck.read_bytes() == cached_deck and lock.read_bytes() == cached_lock


def test_help_and_check_do_not_import_genanki(project: Path) -> None:
    """qa2anki --help and check start without loading genanki (only building a deck needs it)."""
    (project / "source" / "g.md").write_text(generate(5, seed=1), encoding="utf-8")
    assert not genanki_loaded([["--help"], ["check"]], project)
    assert genanki_loaded([["build"]], project)  # the helper can tell


def test_clustering_memo_replays_unchanged_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the memo of an earlier run, unchanged topics are not compared again and the notes are the same."""
    monkeypatch.setattr(normalize_module, "EXHAUSTIVE_TOPIC", 0)
    items = entries(600, seed=9)
    first = normalize(items)
    again = normalize(items, memo=first.memo)
    assert first.comparisons > 0 and again.comparisons == 0
    assert clusters(again) == clusters(first) and again.notes == first.notes
    edited = [*items[:-1], replace(items[-1], answer_md=items[-1].answer_md + "补充一句。", answer_folded="")]
    partly = normalize(edited, memo=first.memo)
    assert 0 < partly.comparisons < first.comparisons
    assert clusters(partly) == clusters(normalize(edited))
    assert normalize(items, memo={k: ((10**6, 0),) for k in first.memo}).notes == first.notes  # bad memo


UNGUARDED_SCRIPT = """\
import qa2anki.normalize as normalize_module
from benchmarks.generate import generate, generate_entries
from qa2anki.scan import scan_documents
from qa2anki.sources import Document

normalize_module.PARALLEL_MIN_GROUPS = 0
entries = scan_documents([Document(path="g.md", name="g.md", text=generate(300, seed=3))])[0].entries
print(len(normalize_module.normalize(entries, jobs=2).notes))
"""


def test_a_script_without_a_main_guard_can_use_the_workers(tmp_path: Path) -> None:
    """A script that calls qa2anki at its top level (no ``if __name__ == "__main__":``) still gets its
    topics compared in worker processes: workers are forked, never started by running the script again."""
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100
