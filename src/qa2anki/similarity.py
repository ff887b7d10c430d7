"""Text similarity for Chinese (and any) text, and finding similar pairs without comparing every pair.

Similarity is the Jaccard index of character-bigram sets. To find the pairs worth comparing among many
texts, each text gets a *bottom-k sketch*: the ``SKETCH_SIZE`` smallest (deterministic) hashes of its
bigrams. Two texts with Jaccard similarity J share at least one sketch element with high probability
(≥ J for the first element alone), so only texts sharing a sketch element are compared. Sketch elements
shared by more than ``MAX_POSTING`` texts (template phrases every text has) are skipped: they say nothing
about which texts are alike. Small collections are compared exhaustively, so the fast path only ever
applies where exhaustive comparison would be too slow.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from heapq import nsmallest
from itertools import combinations

SKETCH_SIZE = 8
"""How many bigram hashes represent a text."""
MAX_POSTING = 48
"""Sketch elements shared by more texts than this are too common to say anything."""
EXHAUSTIVE_LIMIT = 160
"""Up to this many texts, every pair is compared."""

_NOT_WORD_RE = re.compile(r"[\W_]+")


@lru_cache(maxsize=131072)
def bigrams(folded: str) -> frozenset[str]:
    """Character bigrams of a folded text, white space and punctuation removed (a single character
    counts as one 'bigram' so short texts still compare)."""
    letters = _NOT_WORD_RE.sub("", folded)
    if len(letters) < 2:
        return frozenset([letters]) if letters else frozenset()
    return frozenset(letters[i : i + 2] for i in range(len(letters) - 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity (0–1) of two folded texts' character bigrams."""
    if a == b:
        return 1.0
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    common = len(x & y)
    return common / (len(x) + len(y) - common)


@lru_cache(maxsize=262144)
def _gram_hash(gram: str) -> int:
    # Deterministic across processes (str hashes are salted per process).
    return zlib.crc32(gram.encode("utf-8"))


@lru_cache(maxsize=131072)
def sketch(folded: str) -> tuple[int, ...]:
    """The bottom-k sketch of a folded text."""
    return tuple(nsmallest(SKETCH_SIZE, map(_gram_hash, bigrams(folded))))


def candidate_pairs(items: Sequence[int], texts: Callable[[int], Iterable[str]]) -> Iterable[tuple[int, int]]:
    """Pairs (a, b), a < b, of ``items`` worth comparing: all pairs of a small collection, else the pairs
    that share a sketch element of any of their texts (``texts(item)`` gives each item's folded texts,
    e.g. its question and its answer; the n-th texts of two items are compared with each other).
    Deterministic: depends only on the texts."""
    if len(items) <= EXHAUSTIVE_LIMIT:
        yield from combinations(sorted(items), 2)
        return
    postings: dict[tuple[int, int], list[int]] = defaultdict(list)
    for item in items:
        for slot, text in enumerate(texts(item)):
            for element in sketch(text):
                postings[(slot, element)].append(item)
    seen: set[tuple[int, int]] = set()
    for members in postings.values():
        if len(members) < 2 or len(members) > MAX_POSTING:
            continue
        for a, b in combinations(sorted(set(members)), 2):
            if (a, b) not in seen:
                seen.add((a, b))
    yield from sorted(seen)
