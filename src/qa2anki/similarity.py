"""Text similarity for Chinese (and any) text, and finding the similar pairs without comparing every pair.

Similarity is the Jaccard index of character-bigram sets. To find every pair of texts at least ``t``
similar among many, :func:`candidate_pairs` uses *prefix filtering* (the AllPairs set-similarity join):
order each text's bigrams rarest first; two sets with Jaccard ≥ t must share one of the first
``|s| - ⌈t·|s|⌉ + 1`` bigrams of each. Indexing only those prefixes, and skipping pairs whose sizes alone
rule them out, finds every such pair — no false negatives, so the result equals comparing all pairs —
while rare prefix bigrams keep the number of comparisons near linear. Where texts share their rare
bigrams (questions made from one template), *positional filtering* (PPJoin) rules out the pairs whose
shared bigrams stand too late in either text to make up the overlap the threshold needs.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from operator import add

_NOT_WORD_RE = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)
def bigrams(folded: str) -> frozenset[str]:
    """:func:`bigram_set`, remembering the last few thousand texts (for repeated small comparisons)."""
    return bigram_set(folded)


def letter_count(folded: str) -> int:
    """How many characters of a folded text count for its bigrams (white space and punctuation not)."""
    return len(_NOT_WORD_RE.sub("", folded))


def bigram_set(folded: str) -> frozenset[str]:
    """Character bigrams of a folded text, white space and punctuation removed (a single character
    counts as one 'bigram' so short texts still compare)."""
    letters = _NOT_WORD_RE.sub("", folded)
    if len(letters) < 2:
        return frozenset([letters]) if letters else frozenset()
    # Pairs of neighbouring characters joined: a third faster than slicing every bigram out.
    return frozenset(map(add, letters, letters[1:]))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity (0–1) of two folded texts' character bigrams."""
    if a == b:
        return 1.0
    return jaccard(bigrams(a), bigrams(b))


def jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    """Jaccard index of two bigram sets (0 when either is empty)."""
    return jaccard_of_sizes(len(x & y) if x and y else 0, len(x), len(y))


def jaccard_of_sizes(common: int, x: int, y: int) -> float:
    """:func:`jaccard` of two sets of sizes ``x`` and ``y`` that share ``common`` members (for callers
    that intersect many pairs at once)."""
    if not x or not y:
        return 0.0
    return common / (x + y - common)


def _prefix_length(size: int, threshold: float) -> int:
    # A tiny epsilon keeps 0.65 * 100 from rounding up to 66 and cutting the prefix one short.
    return size - math.ceil(threshold * size - 1e-9) + 1


def candidate_pairs(
    texts: Sequence[Sequence[str]],
    thresholds: Sequence[float],
    groups: Sequence[int] | None = None,
    cap: int | None = None,
) -> set[tuple[int, int]]:
    """Pairs (a, b), a < b, of items that may be similar enough in at least one slot.

    ``texts[i]`` holds item i's folded texts, one per slot (e.g. question and answer); slot n is compared
    with slot n only, against ``thresholds[n]``. Every pair whose Jaccard similarity in some slot reaches
    that slot's threshold is returned (plus some that do not: verify them). With ``groups``, only pairs
    of items in different groups are returned. With ``cap``, an item meets at most the last ``cap`` items
    of each bigram it is looked up by: some pairs may be missed, but texts made from one template (where
    every item meets every other) cost linear time, not quadratic. Deterministic: depends only on the texts.
    """
    pairs: set[tuple[int, int]] = set()
    for slot, threshold in enumerate(thresholds):
        sets = [bigram_set(item[slot]) for item in texts]
        # Texts without letters have no bigrams; equal ones are still alike: chain them.
        bare: dict[str, int] = {}
        for i, item in enumerate(texts):
            if not sets[i]:
                first = bare.setdefault(item[slot], i)
                if first != i and (groups is None or groups[first] != groups[i]):
                    pairs.add((first, i))
        frequency: Counter[str] = Counter()
        for grams in sets:
            frequency.update(grams)
        # One global order, rarest first (ties by the bigram itself): prefix filtering needs it.
        rank = {gram: r for r, gram in enumerate(sorted(frequency, key=lambda g: (frequency[g], g)))}
        # Each prefix bigram's postings: (item, the bigram's place in the item's order).
        index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        share = threshold / (1 + threshold)
        # Small sets first: a set only meets earlier (no larger) ones, so one size bound suffices.
        for i in sorted(range(len(sets)), key=lambda k: (len(sets[k]), k)):
            grams = sets[i]
            if not grams:
                continue
            size = len(grams)
            smallest = threshold * size - 1e-9
            prefix = sorted(grams, key=rank.__getitem__)[: _prefix_length(size, threshold)]
            # Positional filtering (PPJoin): bigrams are met in rank order, so when prefix bigram p of
            # this set is bigram q of an earlier one, every bigram they share before it has been counted,
            # and at most min(size - p, other - q) - 1 more follow. Two sets are t similar only if they
            # share t / (1 + t) of their sizes' sum: a pair that cannot get there is ruled out (-1).
            shared: dict[int, int] = {}
            for place, gram in enumerate(prefix):
                postings = index[gram]
                left = size - place
                for j, at in postings if cap is None or len(postings) <= cap else postings[-cap:]:
                    count = shared.get(j, 0)
                    if count < 0:
                        continue
                    other = len(sets[j])
                    ruled_out = (
                        other < smallest
                        or (groups is not None and groups[i] == groups[j])
                        or count + min(left, other - at) < share * (size + other) - 1e-9
                    )
                    shared[j] = -1 if ruled_out else count + 1
                postings.append((i, place))
            pairs.update((j, i) if j < i else (i, j) for j, count in shared.items() if count > 0)
    return pairs
