"""Similarity of folded texts (Jaccard of character bigrams) and the prefix-filtered search for similar
pairs, checked against comparing every pair."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.similarity import bigram_set, bigrams, candidate_pairs, jaccard, similarity


def test_bigrams_are_adjacent_character_pairs() -> None:
    assert bigram_set("abcd") == {"ab", "bc", "cd"}
    assert bigram_set("如何防止") == {"如何", "何防", "防止"}
    assert bigram_set("abab") == {"ab", "ba"}


def test_bigrams_skip_white_space_and_punctuation() -> None:
    """Spaces, punctuation and underscores are removed first, so pairs span them."""
    assert bigram_set("a b,c_d") == {"ab", "bc", "cd"}
    assert bigram_set("如何，防止？") == bigram_set("如何防止")


def test_short_texts_still_have_a_bigram() -> None:
    """A single letter counts as one 'bigram'; a text without letters has none."""
    assert bigram_set("x") == {"x"}
    assert bigram_set("?x!") == {"x"}
    assert bigram_set("") == frozenset()
    assert bigram_set(" ,.?!_") == frozenset()


@pytest.mark.parametrize("text", ["", "x", "abc", "什么是过拟合？", "a b c"])
def test_remembered_bigrams_equal_computed_ones(text: str) -> None:
    assert bigrams(text) == bigram_set(text)
    assert bigrams(text) == bigram_set(text)  # and again, from the cache


def test_jaccard_is_shared_over_all() -> None:
    assert jaccard(frozenset({"ab", "bc"}), frozenset({"bc", "cd"})) == 1 / 3
    assert jaccard(frozenset({"ab"}), frozenset({"ab"})) == 1.0
    assert jaccard(frozenset({"ab"}), frozenset({"cd"})) == 0.0


def test_jaccard_of_an_empty_set_is_zero() -> None:
    assert jaccard(frozenset(), frozenset({"ab"})) == 0.0
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_similarity_of_known_texts() -> None:
    assert similarity("abcd", "bcde") == 2 / 4
    assert similarity("如何防止过拟合", "如何防止欠拟合") == 4 / 8
    assert similarity("abc", "xyz") == 0.0


def test_equal_texts_are_fully_similar_even_without_letters() -> None:
    """Equal texts are 1.0 similar, though texts without letters have no bigrams to compare."""
    assert similarity("", "") == 1.0
    assert similarity("?!", "?!") == 1.0
    assert similarity("?!", "...") == 0.0


_TEXT = st.text(st.sampled_from("如何防止模型过拟合欠abc ,?"), max_size=20)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_TEXT, _TEXT)
def test_similarity_is_a_symmetric_score_between_0_and_1(a: str, b: str) -> None:
    score = similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert similarity(b, a) == score
    assert similarity(a, a) == 1.0
    if a != b:
        assert score == jaccard(bigram_set(a), bigram_set(b))


# A small alphabet, so that many pairs share bigrams and the thresholds are met near their edges.
_ITEM_TEXT = st.text(st.sampled_from("甲乙丙丁ab"), max_size=12)
_THRESHOLD = st.one_of(
    st.sampled_from([0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1.0]),
    st.floats(min_value=0.05, max_value=1.0),
)


@st.composite
def _problems(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, ...]], list[float], list[int] | None]:
    slots = draw(st.integers(1, 2))
    texts = draw(st.lists(st.tuples(*[_ITEM_TEXT] * slots), max_size=25))
    thresholds = draw(st.lists(_THRESHOLD, min_size=slots, max_size=slots))
    groups = draw(st.none() | st.lists(st.integers(0, 2), min_size=len(texts), max_size=len(texts)))
    return texts, thresholds, groups


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_problems())
def test_candidate_pairs_miss_no_pair_that_comparing_all_finds(
    problem: tuple[list[tuple[str, ...]], list[float], list[int] | None],
) -> None:
    """Every pair whose Jaccard similarity in some slot reaches that slot's threshold is among the
    candidates; every candidate is an ordered pair of items, in different groups when groups are given."""
    texts, thresholds, groups = problem
    found = candidate_pairs(texts, thresholds, groups)
    for a, b in found:
        assert 0 <= a < b < len(texts)
        assert groups is None or groups[a] != groups[b]
    for a, b in combinations(range(len(texts)), 2):
        if groups is not None and groups[a] == groups[b]:
            continue
        if any(
            jaccard(bigram_set(texts[a][slot]), bigram_set(texts[b][slot])) >= threshold
            for slot, threshold in enumerate(thresholds)
        ):
            assert (a, b) in found


@pytest.mark.parametrize("threshold", [0.14, 0.28, 0.3, 0.5, 0.55, 0.56, 0.6, 0.65, 0.68, 0.7, 0.8, 0.9, 1.0])
def test_candidate_pairs_find_pairs_exactly_at_the_threshold(threshold: float) -> None:
    """A text and its shortest leading part that is still ``threshold`` similar are found, for every size
    up to 100 bigrams: where ``threshold * size`` rounds up past a whole number (0.28 * 25, 0.55 * 100)
    the prefix must not come out one bigram short."""
    chars = "".join(chr(0x4E00 + i) for i in range(101))
    for size in range(1, 101):
        whole = chars[: size + 1]
        shared = next(k for k in range(1, size + 1) if k / size >= threshold)
        part = chars[: shared + 1]
        assert jaccard(bigram_set(whole), bigram_set(part)) >= threshold
        assert (0, 1) in candidate_pairs([(whole,), (part,)], (threshold,)), size


def test_candidate_pairs_rule_out_questions_of_one_template_by_where_they_differ() -> None:
    """Questions made from one template share their rare bigrams, so prefix filtering alone pairs nearly
    all of them; where the shared bigrams stand (positional filtering) shows none can reach 0.85."""
    words = ["准确率", "可扩展性", "吞吐量", "安全性", "推理效率", "泛化能力", "训练效率", "资源利用率"]
    texts = [(f"bert在人类反馈强化学习(rlhf)中面临哪些挑战,又是如何改善{word}的?",) for word in words]
    assert all(jaccard(bigram_set(a[0]), bigram_set(b[0])) < 0.85 for a, b in combinations(texts, 2))
    assert candidate_pairs(texts, (0.85,)) == set()


def test_candidate_pairs_find_near_duplicate_chinese_questions() -> None:
    texts = [("如何防止模型过拟合",), ("今天天气怎么样",), ("如何防止模型的过拟合",)]
    assert similarity(texts[0][0], texts[2][0]) >= 0.65
    assert (0, 2) in candidate_pairs(texts, (0.65,))


def test_candidate_pairs_compare_a_slot_only_with_the_same_slot() -> None:
    """Item 0's question is item 1's answer, but slot by slot they share no bigram: never candidates."""
    texts = [("如何防止模型过拟合", "增加数据"), ("减少参数", "如何防止模型过拟合")]
    assert candidate_pairs(texts, (0.5, 0.5)) == set()


def test_candidate_pairs_match_in_either_slot() -> None:
    texts = [
        ("问题甲乙丙丁", "完全不同的答案"),
        ("问题甲乙丙丁", "另一个回答内容"),
        ("别的问题", "完全不同的答案"),
    ]
    found = candidate_pairs(texts, (0.9, 0.9))
    assert {(0, 1), (0, 2)} <= found


def test_candidate_pairs_within_a_group_are_left_out() -> None:
    texts = [("如何防止过拟合",), ("如何防止过拟合",), ("如何防止过拟合",)]
    assert candidate_pairs(texts, (0.8,)) == {(0, 1), (0, 2), (1, 2)}
    assert candidate_pairs(texts, (0.8,), groups=[0, 0, 1]) == {(0, 2), (1, 2)}


def test_candidate_pairs_link_equal_texts_without_letters() -> None:
    """Texts without bigrams have Jaccard 0 with anything, yet equal ones are alike: they are chained
    (each to the first such text), so grouping them by pairs still joins them all."""
    texts = [("?!",), ("?!",), ("...",), ("?!",), ("",), ("",)]
    assert candidate_pairs(texts, (0.8,)) == {(0, 1), (0, 3), (4, 5)}


def test_candidate_pairs_of_nothing() -> None:
    assert candidate_pairs([], (0.8,)) == set()
    assert candidate_pairs([("如何防止过拟合",)], (0.8,)) == set()
