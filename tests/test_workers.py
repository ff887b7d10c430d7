"""Worker pools start the way each platform starts them: forked on Linux, spawned on macOS and Windows.
Spawned workers import qa2anki afresh and get only what is pickled, so these tests run both steps that
use workers with ``spawn`` and compare them with the same work done in this process."""

from __future__ import annotations

import pytest

from benchmarks.generate import generate
from qa2anki import normalize as normalize_module
from qa2anki import scan, workers
from qa2anki.normalize import normalize
from qa2anki.parse import parse_documents
from qa2anki.sources import Document


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers spawned, and used even for small inputs."""
    monkeypatch.setattr(workers, "START_METHOD", "spawn")
    monkeypatch.setattr(scan, "PARALLEL_MIN_CHARS", 1)
    monkeypatch.setattr(scan, "BATCH_CHARS", 4_000)
    monkeypatch.setattr(normalize_module, "PARALLEL_MIN_GROUPS", 1)


def _documents() -> list[Document]:
    return [Document(path=f"source/d{n}.md", name=f"d{n}.md", text=generate(120, seed=n)) for n in (1, 2)]


def test_spawned_scan_equals_the_scan_in_this_process(spawned: None) -> None:
    documents = _documents()
    parsed, stats = scan.scan_documents(documents, None, jobs=2)
    assert stats.workers == 2  # the pool did run
    assert parsed == parse_documents(documents)


def test_spawned_clustering_equals_the_clustering_in_this_process(
    spawned: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = parse_documents(_documents()).entries
    used: list[str] = []
    pool = workers.process_pool
    monkeypatch.setattr(normalize_module, "process_pool", lambda n: used.append("pool") or pool(n))
    assert normalize(entries, jobs=2) == normalize(entries, jobs=1)
    assert used == ["pool"]


def test_linux_forks_and_the_others_spawn() -> None:
    import sys

    assert ("fork" if sys.platform == "linux" else "spawn") == workers.START_METHOD
