"""Clustering at scale: far fewer comparisons than pairs, and the same clusters as comparing every pair."""

from __future__ import annotations

import pytest

from benchmarks.generate import generate
from qa2anki import normalize as normalize_module
from qa2anki.normalize import normalize
from qa2anki.scan import scan_documents
from qa2anki.sources import Document


def entries(n: int, seed: int) -> tuple:  # type: ignore[type-arg]
    return scan_documents([Document(path="g.md", name="g.md", text=generate(n, seed=seed))])[0].entries


def clusters(result: normalize_module.Normalized) -> set[frozenset[tuple[str, int]]]:
    return {frozenset((m.entry.path, m.entry.line) for m in note.merges) for note in result.notes}


def test_twenty_thousand_entries_need_far_fewer_than_n_squared_comparisons() -> None:
    """On a generated 20,000-entry corpus, near-duplicate detection compares well under 1% of all pairs."""
    items = entries(20_000, seed=5)
    result = normalize(items)
    n = len(items)
    assert result.comparisons < n * n / 100
    assert 0.6 * n < len(result.notes) < 0.8 * n  # about 30% of the generated entries are duplicates


def test_candidate_filtering_finds_what_comparing_every_pair_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """With topics too large to compare exhaustively, the filtered clustering equals the exhaustive one."""
    items = entries(3_000, seed=7)
    monkeypatch.setattr(normalize_module, "EXHAUSTIVE_TOPIC", 10**9)
    exhaustive = normalize(items)
    monkeypatch.setattr(normalize_module, "EXHAUSTIVE_TOPIC", 0)
    filtered = normalize(items)
    assert filtered.comparisons < exhaustive.comparisons / 5
    assert clusters(filtered) == clusters(exhaustive)
