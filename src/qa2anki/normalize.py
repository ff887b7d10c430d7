"""Entries → notes: text folding, duplicate clustering, the surviving wording, conflicts.

Two entries are one note when

* they are **exact duplicates**: question and answer are equal after folding (Unicode NFKC, Chinese
  punctuation to ASCII, white space collapsed, case folded, emphasis markers dropped) and leaving out the
  spaces a writing style adds (``IO 多路复用`` / ``IO多路复用``: :func:`qa2anki.fold.unspaced`), whatever
  their topic; or
* they are **near duplicates**: same (folded) topic, and their questions are at least
  ``near_duplicate_question`` similar or their answers at least ``near_duplicate_answer`` similar (and
  their questions alike enough: see "Every member is like the card").

Similarity is the Jaccard index of the texts' character bigram sets (after folding, with white space and
punctuation removed), which works for Chinese where words are not separated. Clustering is transitive.
Within a topic of up to 60 distinct entries every pair is compared; in larger topics, questions are
matched by prefix filtering (exact) and answers among those sharing a line (see ``_topic_candidates``),
so the cost grows about linearly.

**The surviving wording** of a cluster is the exact-duplicate group with the most copies; ties go to the
longer answer, then to the smaller folded text. It depends only on the set of entries, never on their
order, so moving sections around never changes a note.

**The author's latest edit wins.** Generated documents repeat an entry three to five times, and an author
fixes the copy they see. So a build is given what the lock recorded of the last build (:class:`Previous`:
a digest of each wording as written, question and answer, marked shown or older). In a cluster some of
whose wordings the last build had, a wording it did not have is an edit made since: when there is one,
the card shows it (a new wording of a note the lock has). When two copies were changed differently, the
card keeps what it would show without them, the conflict is reported, and the edits stay new until they
agree. Without an edit the card keeps the wording it showed (while a copy still has it), else the rule
of most copies. Copies that still hold a wording the card showed before an edit are **stale**; each is
named with its place. The same sources and the same lock give the same notes.

**Every member is like the card.** Clustering is transitive, so a chain (A's question is like B's, B's
answer like C's) could put C on a card it has nothing in common with, and C's question on no card. So a
cluster keeps only the members like its surviving wording itself: a question at least
``near_duplicate_question`` similar, or an answer at least ``near_duplicate_answer`` similar and a
question at least :data:`QUESTION_FLOOR` similar (two questions merged on their answers must still
share something; much more, :data:`SHORT_ANSWER_QUESTION_FLOOR`, when an answer is too short to tell its
question: 「不是。」). The others are clustered again among themselves, the same way, until every note
holds only members like its card.

**Conflicts**: a member with a near-identical question whose answer is not a near duplicate of the
surviving answer (less than ``near_duplicate_answer`` similar) is not dropped: its answer is kept on the
note as an alternative answer, shown under the main one, and the conflict is reported with both
locations.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple, TypeGuard

from qa2anki.errors import Problem, Severity
from qa2anki.fold import fold, unspaced
from qa2anki.i18n import gettext as _
from qa2anki.parse import Entry
from qa2anki.similarity import (
    bigram_set,
    bigrams,
    candidate_pairs,
    jaccard_of_sizes,
    letter_count,
    similarity,
)
from qa2anki.workers import process_pool

_TAG_UNSAFE_RE = re.compile(r"[\s\"]+")


@lru_cache(maxsize=4096)
def fold_topic(topic: str) -> str:
    """A topic folded: what clustering compares (topics repeat across thousands of entries: folded once)."""
    return fold(topic)


@dataclass(frozen=True)
class Thresholds:
    """The similarity thresholds of clustering (see ``[tool.qa2anki]``)."""

    question: float = 0.85
    """Questions at least this similar (same topic) are one note."""
    answer: float = 0.65
    """Answers at least this similar (same topic) are one note; a merged answer less similar than this to
    the surviving one is a conflict and is kept as an alternative."""


@dataclass(frozen=True)
class Merge:
    """Why one entry went into a note."""

    entry: Entry
    """The entry."""
    kind: str
    """``"canonical"`` (its wording is shown), ``"exact"`` (same text after folding), ``"near"`` (similar
    question or answer, same topic), ``"truncated"`` (a copy cut off mid-answer), ``"conflict"`` (same
    note, different answer: kept as an alternative) or ``"stale"`` (a wording the card showed before an
    edit: not shown)."""
    question_similarity: float
    """Similarity of its question to the note's question (1.0 for the canonical entry)."""
    answer_similarity: float
    """Similarity of its answer to the note's answer."""


@dataclass(frozen=True)
class Note:
    """One unique piece of knowledge: one or more entries merged."""

    key: str
    """The identity key: folded topic and question of the surviving wording."""
    topic: str
    """The surviving wording's topic."""
    question_md: str
    """The surviving question, Markdown."""
    answer_md: str
    """The surviving answer, Markdown."""
    question_html: str
    """The surviving question as rendered from its document's tokens (``""`` when not parsed from one)."""
    answer_html: str
    """The surviving answer as rendered from its document's tokens (``""`` when not parsed from one)."""
    question_folded: str
    """The folded question, for similarity."""
    answer_folded: str
    """The folded answer, for similarity."""
    shown: Entry
    """The entry whose wording the card shows."""
    keys: tuple[str, ...]
    """The identity keys of every wording merged into this note, sorted: when another wording comes to
    be shown (an edit made it the longest), the note is still found in the lock under its old key."""
    alternatives: tuple[Entry, ...]
    """Entries of this note whose answers conflict with the surviving one; their answers are shown too."""
    topics: tuple[str, ...]
    """Every topic an entry of this note stood under, sorted."""
    documents: tuple[str, ...]
    """Every document (source-relative name) an entry came from, sorted."""
    locations: tuple[tuple[str, str], ...]
    """Every distinct (document, topic) pair, sorted: what the Source field shows."""
    merges: tuple[Merge, ...]
    """Every entry of the note and why it is here, in file and line order."""
    tags: tuple[str, ...] = field(default=())
    """Anki tags: ``主题::<topic>`` per topic and ``文档::<document>`` per document, sorted."""
    wording: str = ""
    """The digest of the wording the card shows (see :func:`wording_digest`)."""
    others: tuple[str, ...] = ()
    """The digests of the note's other wordings, sorted (but edits that disagree: they stay new)."""
    older: tuple[str, ...] = ()
    """The digests of the wordings its card showed before an edit replaced them, sorted."""
    stale: tuple[Entry, ...] = ()
    """Copies that still hold such an older wording, in file and line order."""
    edited: tuple[Entry, ...] = ()
    """Copies changed differently since the last build (the card kept its wording), in order."""
    alike: tuple[Entry, ...] = ()
    """The entry shown by an earlier card of its cluster that this card asks and answers like, when the
    lock holds both as notes of their own (see :func:`_alike_cards`); ``()`` otherwise."""

    @property
    def first(self) -> Entry:
        """The entry that comes first in file and line order."""
        return self.merges[0].entry


@dataclass(frozen=True)
class Normalized:
    """The notes of a build and what clustering found."""

    notes: tuple[Note, ...]
    """Unique notes, in the order of their first entry."""
    problems: tuple[Problem, ...]
    """Conflicts (same question, different answers)."""
    comparisons: int
    """How many pairs of texts were compared for near duplicates."""
    memo: dict[str, MemoValue] = field(default_factory=dict, compare=False)
    """What clustering computed, for the next build (see :data:`Memo`)."""


def tag_part(text: str) -> str:
    """A piece of a hierarchical Anki tag: no white space (Anki splits tags on it), no ``::`` inside."""
    cleaned = _TAG_UNSAFE_RE.sub("_", unicodedata.normalize("NFKC", text).strip()).replace("::", ":")
    return cleaned.strip("_") or "_"


def note_tags(topics: Sequence[str], documents: Sequence[str]) -> tuple[str, ...]:
    """``主题::<topic>`` for each topic and ``文档::<document without extension>`` for each document."""
    return _note_tags(tuple(topics), tuple(documents))


@lru_cache(maxsize=16384)
def _note_tags(topics: tuple[str, ...], documents: tuple[str, ...]) -> tuple[str, ...]:
    # A handful of topic and document combinations cover tens of thousands of notes.
    tags = {f"主题::{tag_part(t)}" for t in topics}
    for document in documents:
        stem = document.rsplit(".", 1)[0] if "." in document.rsplit("/", 1)[-1] else document
        tags.add("文档::" + "::".join(tag_part(p) for p in stem.split("/")))
    return tuple(sorted(tags))


def identity_key(topic: str, folded_question: str) -> str:
    """Folded topic and (already folded) question: what makes a note the same note across builds."""
    return f"{fold_topic(topic)}\x1f{folded_question}"


def wording_digest(question_md: str, answer_md: str) -> str:
    """A digest of a wording as written (question and answer): what the lock records of a card and of the
    other copies of its note."""
    return hashlib.blake2b(f"{question_md}\x1f{answer_md}".encode(), digest_size=8).hexdigest()


def _wording(entry: Entry) -> str:
    return wording_digest(entry.question_md, entry.answer_md)


@dataclass(frozen=True)
class Previous:
    """What the lock recorded of the wordings at the last build (digests, see :func:`wording_digest`)."""

    shown: frozenset[str]
    """The wordings the cards showed."""
    known: frozenset[str]
    """Every wording the notes had, the shown ones included."""
    older: frozenset[str]
    """Wordings a card showed before an edit replaced them."""
    owners: Mapping[str, str] = field(default_factory=dict)
    """Each recorded wording, to the wording shown by the note it belonged to: a cluster of several notes
    splits along these lines again, so a build after a build changes nothing."""
    topics: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Each shown wording, to the folded topics its note stood under (see :func:`_copy_edges`)."""
    alone: frozenset[str] = frozenset()
    """The identity keys of the notes whose copies all said the same (see :func:`_rewritten_apart`)."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """For a lock read from a merge conflict: the wording the other side's record of a note showed, to
    the one its record in the lock showed (see ``Lock.variants``): both are that note's card."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Each live note's identity key, to the wording its card showed: the note a card of that key is,
    whatever its copies say now (see :func:`_keyed_owner`)."""
    texts: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Each live note's shown wording, to its folded question and answer: what a card none of whose copies
    is left said, which an edit may be of (see :func:`_edits_a_gone_card`)."""
    removed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The wordings of the notes the lock holds as removed (and no live note has), to the folded topics
    the note stood under: a copy that says one again under one of them is that entry put back (a
    deletion undone), not an edit of a card it is alike to (see :func:`_put_back`)."""


class UnionFind:
    """Disjoint sets of the numbers ``0 … n-1``; each set's representative is its smallest number."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class _Group:
    """Entries that are exact duplicates of each other."""

    question: str
    answer: str
    entries: tuple[Entry, ...]

    def rank(self) -> tuple[int, int, str, str]:
        # Most copies first, then the longer answer, then the smaller text: independent of order.
        return (-len(self.entries), -len(self.answer), self.question, self.answer)


def _sort_key(entry: Entry) -> tuple[str, int]:
    return (entry.path, entry.line)


MemoValue = tuple[tuple[int, int], ...] | tuple[float, float]
"""A topic's merging pairs, or a wording's two similarities."""
Memo = Mapping[str, MemoValue]
"""What an earlier build computed. Per topic (key: a hash of its groups), the merging pairs found, as
indices into the topic's groups; per merged wording (key: ``~`` and a hash of its and the surviving
wording's texts), the question and answer similarity to the surviving wording."""


def _topic_key(members: list[_Group], limits: Thresholds) -> str:
    # SHA-256: OpenSSL uses the processor's SHA instructions where it has them (here twice BLAKE2's speed).
    digest = hashlib.sha256()
    settings = (limits.question, limits.answer, EXHAUSTIVE_TOPIC, MAX_SHARED_LINE)
    digest.update(repr(settings).encode())
    large = len(members) > EXHAUSTIVE_TOPIC
    # Large topics also pair answers by their Markdown lines (see _answer_lines). One update of all the
    # texts hashes the same bytes as one per group, with less work per group.
    digest.update(
        "".join(
            f"\x1e{group.question}\x1f{group.answer}\x1d{group.entries[0].answer_md if large else ''}"
            for group in members
        ).encode()
    )
    return digest.hexdigest()


TopicTexts = tuple[str, str, str, str]
"""What clustering compares of a group: folded question, folded answer, the answer's Markdown (whose
lines pair answers in large topics) and the code the question shows (see :func:`_question_code`)."""


def _texts(group: _Group) -> TopicTexts:
    entry = group.entries[0]
    return (group.question, group.answer, entry.answer_md, _question_code(entry.question_html))


def _question_code(html: str) -> str:
    """The code a question shows, as rendered (its ``<code>`` elements, joined). Questions about code
    differ in the code: 「下面代码输出什么？」 over ``var`` and over ``let`` are two questions, however alike
    their texts are."""
    pieces = []
    end = 0
    while (start := html.find("<code", end)) != -1:
        end = html.find("</code>", start)
        if end == -1:
            break
        pieces.append(html[start:end])
    return "\x1f".join(pieces)


def _topic_edges(members: Sequence[TopicTexts], limits: Thresholds) -> tuple[list[tuple[int, int]], int]:
    """The pairs of a topic's groups that merge (a spanning forest of its similarity graph), and how many
    pairs were compared. Depends only on the topic's own groups, so it can be remembered."""
    local = UnionFind(len(members))
    edges: list[tuple[int, int]] = []
    comparisons = 0
    question_pairs, answer_pairs = _topic_candidates(members, limits)
    for pairs, slot, threshold in ((question_pairs, 0, limits.question), (answer_pairs, 1, limits.answer)):
        comparisons += len(pairs)
        alike = _alike(sorted(pairs), [texts[slot] for texts in members], threshold)
        if slot == 0:
            alike = _same_code(alike, members, limits)
        for x, y in alike:
            if local.find(x) != local.find(y):
                local.union(x, y)
                edges.append((x, y))
    return edges, comparisons


def _same_code(
    pairs: list[tuple[int, int]], members: Sequence[TopicTexts], limits: Thresholds
) -> list[tuple[int, int]]:
    """The pairs of alike questions that ask about the same code, or whose answers are alike too (the
    same entry with its code edited in one copy)."""
    return [
        (x, y)
        for x, y in pairs
        if members[x][3] == members[y][3] or similarity(members[x][1], members[y][1]) >= limits.answer
    ]


def _alike(pairs: list[tuple[int, int]], texts: Sequence[str], threshold: float) -> list[tuple[int, int]]:
    """The pairs (in their order) whose texts are equal or at least ``threshold`` similar. The sets are
    intersected all at once, outside the interpreter's loop: most candidate pairs of a large topic are
    questions of one template, alike but not enough."""
    # Bigram sets are big: only those of the texts compared, one topic's at a time.
    sets = {index: bigram_set(texts[index]) for index in {index for pair in pairs for index in pair}}
    firsts = [sets[x] for x, _ in pairs]
    seconds = [sets[y] for _, y in pairs]
    shared = map(len, map(frozenset.intersection, firsts, seconds))
    return [
        (x, y)
        for (x, y), first, second, common in zip(pairs, firsts, seconds, shared, strict=True)
        if texts[x] == texts[y] or jaccard_of_sizes(common, len(first), len(second)) >= threshold
    ]


def _valid_edges(edges: object, size: int) -> TypeGuard[tuple[tuple[int, int], ...]]:
    """Whether a remembered value is a tuple of index pairs into a topic of ``size`` groups."""
    return isinstance(edges, tuple) and all(
        isinstance(edge, tuple) and len(edge) == 2 and all(type(i) is int and 0 <= i < size for i in edge)
        for edge in edges
    )


PARALLEL_MIN_GROUPS = 20_000
"""Topics with fewer groups than this to compare in all are compared in this process."""


def _edges_job(job: tuple[list[TopicTexts], Thresholds]) -> tuple[tuple[tuple[int, int], ...], int]:
    edges, comparisons = _topic_edges(*job)
    return tuple(edges), comparisons


def _marshalled_edges_job(job: bytes) -> tuple[tuple[tuple[int, int], ...], int]:
    texts, (question, answer) = marshal.loads(job)
    return _edges_job((texts, Thresholds(question, answer)))


def _compare_topics(
    topics: list[list[TopicTexts]], limits: Thresholds, jobs: int | None
) -> list[tuple[tuple[tuple[int, int], ...], int]]:
    """Each topic's merging pairs and comparison count; topics are independent, so many groups are
    compared on all cores."""
    workers = min(jobs or os.cpu_count() or 1, len(topics), 8)
    if workers > 1 and sum(map(len, topics)) >= PARALLEL_MIN_GROUPS:
        # Largest first, so that no worker is left with a big topic at the end.
        order = sorted(range(len(topics)), key=lambda t: -len(topics[t]))
        # Serialised before the workers are forked: doing it after the fork touched every text, and each
        # touched page is copied (300 MB at 100,000 entries). (A fork server would start workers small,
        # but it runs the main script again in each one, which hangs a script without a main guard.)
        # marshal, not pickle: pickle keeps a UTF-8 copy of every text it writes inside the text itself,
        # for as long as the build holds the text (85 MB at 100,000 entries).
        limits_ = (limits.question, limits.answer)
        marshalled = [marshal.dumps((topics[t], limits_)) for t in order]
        with process_pool(workers) as pool:
            results = dict(zip(order, pool.map(_marshalled_edges_job, marshalled), strict=True))
        return [results[t] for t in range(len(topics))]
    return [_edges_job((texts, limits)) for texts in topics]


def normalize(
    entries: Sequence[Entry],
    thresholds: Thresholds | None = None,
    memo: Memo | None = None,
    jobs: int | None = None,
    previous: Previous | None = None,
) -> Normalized:
    """Cluster entries into unique notes. ``memo`` (from an earlier build) skips the comparisons of
    topics whose groups have not changed; ``jobs`` caps the worker processes (default: one per core);
    ``previous`` is what the lock recorded of the wordings (the latest edit wins, see above)."""
    limits = thresholds or Thresholds()
    by_text: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        question = entry.question_folded or fold(entry.question_md)
        answer = entry.answer_folded or fold(entry.answer_md)
        by_text[(question, answer)].append(entry)
    # Most texts stand once: no sorting of one entry, no set of one topic.
    groups = [
        _Group(q, a, tuple(es) if len(es) == 1 else tuple(sorted(es, key=_sort_key)))
        for (q, a), es in sorted(by_text.items())
    ]
    union = UnionFind(len(groups))
    # Exact duplicates also when only their spacing differs (see unspaced); the groups stay apart, each
    # with its own key, so that notes built before this rule keep theirs.
    # (Answers are long: only those of groups whose questions meet are looked at.)
    by_question: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        by_question[unspaced(group.question)].append(index)
    for indices in by_question.values():
        if len(indices) > 1:
            by_answer: dict[str, int] = {}
            for index in indices:
                first = by_answer.setdefault(unspaced(groups[index].answer), index)
                if first != index:
                    union.union(first, index)
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        if len(group.entries) == 1:
            by_topic[fold_topic(group.entries[0].topic)].append(index)
            continue
        for topic in sorted({fold_topic(e.topic) for e in group.entries}):
            by_topic[topic].append(index)
    comparisons = 0
    remembered = memo or {}
    next_memo: dict[str, MemoValue] = {}
    topics = list(by_topic.values())
    keys = [_topic_key([groups[i] for i in members], limits) for members in topics]
    to_compare = [
        index
        for index, (key, members) in enumerate(zip(keys, topics, strict=True))
        if not _valid_edges(remembered.get(key), len(members))
    ]
    found = _compare_topics([[_texts(groups[i]) for i in topics[t]] for t in to_compare], limits, jobs)
    computed = dict(zip(to_compare, found, strict=True))
    for index, (key, members) in enumerate(zip(keys, topics, strict=True)):
        edges: tuple[tuple[int, int], ...]
        if index in computed:
            edges, compared = computed[index]
            comparisons += compared
        else:
            stored = remembered[key]
            assert _valid_edges(stored, len(members))
            edges = stored
        next_memo[key] = edges
        for x, y in edges:
            union.union(members[x], members[y])
    rewritten: list[tuple[int, int]] = []
    vanished: dict[str, list[str]] = {}
    if previous is not None:
        wordings = [{_wording(entry) for entry in group.entries} for group in groups]
        copies, rewritten = _copy_edges(groups, wordings, previous, limits)
        for x, y in (*copies, *rewritten):
            union.union(x, y)
        vanished = _gone_cards(wordings, previous)
    clusters: dict[int, list[_Group]] = defaultdict(list)
    for index, group in enumerate(groups):
        clusters[union.find(index)].append(group)

    notes: list[Note] = []
    problems: list[Problem] = []
    rewritten_parts: list[tuple[_Group, _Group]] = []
    for cluster in clusters.values():
        if len(cluster) == 1 and len(cluster[0].entries) == 1:
            notes.append(_single_note(cluster[0]))
            continue
        made: list[tuple[_Choice, Note]] = []
        for part, choice in _split(cluster, limits, remembered, next_memo, previous, vanished):
            note, notices = _make_note(part, choice, limits, remembered, next_memo, previous)
            notes.append(note)
            made.append((choice, note))
            problems.extend(notices)
            if previous is not None and previous.removed:
                problems.extend(_put_back_problems(note, previous))
            if previous is not None and _rewritten_apart(part, previous):
                rewritten_parts.extend(combinations(part, 2))
        if previous is not None and len(made) > 1:
            for note, other in _alike_cards(made, previous, limits):
                notes[notes.index(note)] = replace(note, alike=(other,))
                problems.append(alike_problem((note.shown.path, note.shown.line), (other.path, other.line)))
    rewritten_parts += [(groups[x], groups[y]) for x, y in rewritten]
    problems += _rewritten_problems(notes, rewritten_parts)
    notes.sort(key=lambda n: _sort_key(n.first))
    # The bigram sets of the texts just compared are not asked for again: the rest of a build needs their
    # memory (45 MB at 100,000 entries) more.
    bigrams.cache_clear()
    return Normalized(tuple(notes), tuple(sorted(problems)), comparisons, next_memo)


def _copy_edges(
    groups: Sequence[_Group], wordings: Sequence[set[str]], previous: Previous, limits: Thresholds
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Pairs of groups under different topics that are copies of one note of the last build. Near
    duplicates and conflicts merge only within a topic, but an exact copy repeated under another heading (a
    summary file of the most asked questions) was the note's copy until one of them was edited: the latest
    edit wins there too, as within a topic. Such a pair shares a question or an answer, and both wordings
    were that note's, or one is new (an edit) and stands under a topic the note stood under; two
    questions that share an answer must still be alike enough to merge on it (see
    :func:`_alike_questions`). Or the pair shares neither, after one copy's question and later the
    other's answer were edited: see :func:`_lost_topic_edges`; once both wordings are the note's, they
    stay together whatever they share. Given apart: the pairs of copies that every one was edited (see
    :func:`_rewritten_copy_edges`), for the warning they get. (``wordings``: each group's digests.)"""
    by_question: dict[str, list[int]] = defaultdict(list)
    by_answer: dict[str, list[int]] = defaultdict(list)
    owners = [_owner_of(digests, previous) for digests in wordings]
    known = [not digests.isdisjoint(previous.known) for digests in wordings]
    owned: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        by_question[group.question].append(index)
        by_answer[group.answer].append(index)
        if (owner := owners[index]) is not None:
            owned[owner].append(index)
    # The groups of one note stay together, whatever they share.
    edges = [(members[0], other) for members in owned.values() for other in members[1:]]
    for members in by_question.values():
        edges += _edit_copies(groups, members, owners, known, previous)
    for members in by_answer.values():
        edges += [
            (x, y)
            for x, y in _edit_copies(groups, members, owners, known, previous)
            if groups[x].question != groups[y].question and _alike_questions(groups[x], groups[y])
        ]
    edges += _lost_topic_edges(groups, owned, known, previous, limits)
    return edges, _rewritten_copy_edges(groups, owned, known, previous, limits)


def _rewritten_copy_edges(
    groups: Sequence[_Group],
    owned: Mapping[str, list[int]],
    known: Sequence[bool],
    previous: Previous,
    limits: Thresholds,
) -> list[tuple[int, int]]:
    """Pairs of new wordings (edits) under two topics one note of the last build stood under, when no copy
    holds any of that note's wordings any more and the two are as alike as near duplicates within a topic
    must be: every copy of the note was edited in one build, differently (one copy's answer extended,
    another's question reworded), and with nothing left to tie them to the note, each would be a note
    of its own, without a word. (Copies that still ask the same question stay apart: the build names the
    note they split from, see ``build._split_copies``.)"""
    gone: dict[str, list[str]] = defaultdict(list)
    for owner, topics in previous.topics.items():
        if owner not in owned and len(topics) > 1:
            for topic in topics:
                gone[topic].append(owner)
    if not gone:
        return []
    by_owner: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        if not known[index]:
            owners = {owner for e in group.entries for owner in gone.get(fold_topic(e.topic), ())}
            for owner in sorted(owners):
                by_owner[owner].append(index)
    edges: list[tuple[int, int]] = []
    for members in by_owner.values():
        for x, y in combinations(members, 2):
            x_topics = {fold_topic(e.topic) for e in groups[x].entries}
            if (
                groups[x].question != groups[y].question  # (copies that still ask alike are said apart)
                and x_topics != {fold_topic(e.topic) for e in groups[y].entries}
                and _near_copies(groups[x], groups[y], limits)
            ):
                edges.append((x, y))
    return edges


def _rewritten_apart(part: Sequence[_Group], previous: Previous) -> bool:
    """Whether a note's wordings are all new and differ, while the lock's note of one of their keys had
    copies that all said the same: every copy was edited since the last build, differently (the last
    copy that still said what the card showed deleted since, say). Nothing ties the card to one edit."""
    if len({(unspaced(g.question), unspaced(g.answer)) for g in part}) < 2:
        return False
    if any(_known(group, previous) for group in part):
        return False
    return any(identity_key(e.topic, g.question) in previous.alone for g in part for e in g.entries)


def _rewritten_problems(notes: Sequence[Note], pairs: Sequence[tuple[_Group, _Group]]) -> list[Problem]:
    """A warning for each note that holds copies :func:`_rewritten_copy_edges` tied together, or that
    :func:`_rewritten_apart` found: no copy says what the card showed (every copy edited, differently, or
    the last one that did deleted; or a note's one copy edited and another pasted beside it), and the card
    shows one of the new wordings only."""
    if not pairs:
        return []
    rewritten = {entry for pair in pairs for group in pair for entry in group.entries}
    problems = []
    for note in notes:
        edited = sorted((m.entry for m in note.merges if m.entry in rewritten), key=_sort_key)
        if len({(e.question_md, e.answer_md) for e in edited}) > 1:
            shown = note.shown
            where = ", ".join(f"{e.path}:{e.line}" for e in edited)
            message = _(
                "no copy of one note says what its card showed any more, and the copies differ ({where}): "
                "the card shows the wording at {shown} alone; make the copies say the same"
            ).format(where=where, shown=f"{shown.path}:{shown.line}")
            problems.append(Problem(edited[0].path, edited[0].line, Severity.WARNING, message))
    return problems


def _alike_cards(
    made: Sequence[tuple[_Choice, Note]], previous: Previous, limits: Thresholds
) -> list[tuple[Note, Entry]]:
    """Each note of a cluster whose card asks and answers like the card of a note before it (answers alike
    too: a question answered two ways is a conflict, not a copy), with that card's entry shown. A cluster
    splits so only when the lock holds both as notes of their own (see :func:`_like_the_choice`): both
    branches of a merge added the entry, a renamed heading made two topics' copies meet, or one card's
    answer was pasted into another's. Each card has its own review history, so both stay; without a
    word, the deck would hold the fact twice for good. Whether an edit made a card's wording new does not
    matter: the next build, which knows the wording, says the same."""
    made = sorted(made, key=lambda pair: _sort_key(pair[1].shown))  # (named at the later card)
    aliases = previous.aliases
    owners = [_owner(choice.canonical, previous) for choice, _ in made]
    found = []
    for later in range(1, len(made)):
        mine = owners[later]
        for earlier in range(later):
            theirs = owners[earlier]
            if (
                mine is not None
                and theirs is not None
                and aliases.get(theirs, theirs) == aliases.get(mine, mine)
            ):
                continue  # (two records of one note: see Lock.variants)
            x, y = made[later][0].canonical, made[earlier][0].canonical
            q_sim, a_sim = similarity(x.question, y.question), similarity(x.answer, y.answer)
            if a_sim >= limits.answer and _near(q_sim, a_sim, x, y, limits):
                found.append((made[later][1], made[earlier][1].shown))
                break
    return found


def _lost_topic_edges(
    groups: Sequence[_Group],
    owned: Mapping[str, list[int]],
    known: Sequence[bool],
    previous: Previous,
    limits: Thresholds,
) -> list[tuple[int, int]]:
    """Pairs of a new wording (an edit) and a wording of a note that stood under the edit's topic at the
    last build and stands there no more (``owned``: each note's groups, by its shown wording), when the
    two are as alike as near duplicates within a topic must be. The copy under that topic was the note's,
    until its text moved away from the other copies in two steps (one copy's question reworded, then the
    other copy's answer extended): within one topic the two would still be near duplicates, and the edit
    would win. So is a new wording under a new topic, of a note that lost a topic in this build: the copy
    moved under another heading (or its heading was renamed) and was edited in one go."""
    lost_by: dict[str, list[str]] = defaultdict(list)
    standing_of: dict[str, tuple[set[str], int]] = {}
    for owner, members in owned.items():
        standing = {fold_topic(e.topic) for index in members for e in groups[index].entries}
        lost = previous.topics.get(owner, frozenset()) - standing
        for topic in lost:
            lost_by[topic].append(owner)
        if lost:
            standing_of[owner] = (standing, len(lost))
    if not lost_by:
        return []
    # A topic no note stood under is new (a heading renamed, or the copy moved under another): the copy
    # there may be the one that left a note's lost topic.
    known_topics = {topic for topics in previous.topics.values() for topic in topics}
    moved = sorted(standing_of)
    # Notes whose own wording stands under as many new topics as they lost (a heading renamed, the copy
    # unedited): an edit under a new topic is theirs only when it answers alike, not when it only asks
    # the same (有哪些优缺点？ under Redis and under MySQL, both headings renamed and the Redis answer
    # edited: the edit is no copy of the MySQL card).
    moved_whole = {
        owner for owner, (standing, lost) in standing_of.items() if lost <= len(standing - known_topics)
    }
    edges: list[tuple[int, int]] = []
    for index, group in enumerate(groups):
        if known[index]:
            continue
        topics = {fold_topic(e.topic) for e in group.entries}
        owners = sorted({owner for topic in topics for owner in lost_by.get(topic, ())})
        guessed = not owners and bool(topics - known_topics)
        if guessed:
            owners = moved
        edges += [
            (index, other)
            for owner in owners
            for other in owned[owner]
            if _near_copies(group, groups[other], limits)
            and not (
                guessed
                and owner in moved_whole
                and similarity(group.answer, groups[other].answer) < limits.answer
            )
        ]
    return edges


def _edit_copies(
    groups: Sequence[_Group],
    members: list[int],
    owners: Sequence[str | None],
    known: Sequence[bool],
    previous: Previous,
) -> list[tuple[int, int]]:
    """The pairs of ``members`` (groups that share a text) of a wording the last build had and a new one
    (an edit) that stands under a topic the wording's note stood under (see :func:`_copy_edges`;
    ``owners`` and ``known``: each group's note and whether the last build had its wording)."""
    edges: list[tuple[int, int]] = []
    for x, y in combinations(members, 2):
        if known[x] != known[y]:
            edit, owner = (y, owners[x]) if known[x] else (x, owners[y])
            stood = previous.topics.get(owner, frozenset()) if owner is not None else frozenset()
            if any(fold_topic(e.topic) in stood for e in groups[edit].entries):
                edges.append((x, y))
    return edges


def _alike_questions(x: _Group, y: _Group) -> bool:
    """Whether the questions of two groups with one answer are alike enough to be one note's (the floors
    of :func:`_like_the_card`: 「HashMap是线程安全的吗？」 and 「ArrayList是线程安全的吗？」 share
    「不是。」)."""
    telling = _telling(x.answer) and _telling(y.answer)
    return similarity(x.question, y.question) >= (QUESTION_FLOOR if telling else SHORT_ANSWER_QUESTION_FLOOR)


EXHAUSTIVE_TOPIC = 60
"""Topics with up to this many distinct entries compare every pair."""
MAX_SHARED_LINE = 8
"""A line shared by more answers than this is boilerplate, not a sign of duplication."""
_LIST_MARKER = "-*+0123456789.)、 \t"


def _answer_lines(answer_md: str) -> set[str]:
    lines = set()
    for line in answer_md.split("\n"):
        text = " ".join(line.lstrip(_LIST_MARKER).split())
        if len(text) >= 8:
            lines.add(text)
    return lines


def _topic_candidates(
    members: Sequence[TopicTexts], limits: Thresholds
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Pairs of a topic's groups whose questions, and pairs whose answers, are worth comparing.

    Small topics: every pair, both ways. Large ones: questions by prefix filtering (every pair at least
    ``limits.question`` similar is found), answers among those that share a line — near-duplicate answers
    in this genre share list items; a line in more than ``MAX_SHARED_LINE`` answers is boilerplate.
    """
    count = len(members)
    if count <= EXHAUSTIVE_TOPIC:
        every = set(combinations(range(count), 2))
        return every, every
    question_pairs = candidate_pairs([(texts[0],) for texts in members], (limits.question,))
    postings: dict[str, list[int]] = defaultdict(list)
    for index, texts in enumerate(members):
        for line in _answer_lines(texts[2]):
            postings[line].append(index)
    answer_pairs: set[tuple[int, int]] = set()
    for sharing in postings.values():
        if 1 < len(sharing) <= MAX_SHARED_LINE:
            answer_pairs.update(combinations(sharing, 2))
    return question_pairs, answer_pairs


def _representative(group: _Group) -> Entry:
    # Fold-equal entries can still differ in raw Markdown or topic; pick by content, never by position.
    if len(group.entries) == 1:
        return group.entries[0]
    return min(
        group.entries, key=lambda e: (fold_topic(e.topic), e.topic, e.question_md, e.answer_md, _sort_key(e))
    )


def _truncated(answer: str, complete: str) -> bool:
    """A generator's copy cut off mid-answer: a proper prefix of the complete answer."""
    return bool(answer) and len(answer) < len(complete) and complete.startswith(answer.rstrip(". "))


def _similarities(
    group: _Group, canonical: _Group, remembered: Memo, memo: dict[str, MemoValue]
) -> tuple[float, float]:
    """Question and answer similarity of a merged wording to the surviving one, remembered across builds:
    computing bigram sets is most of the cost of making notes."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(
        f"{group.question}\x1f{group.answer}\x1e{canonical.question}\x1f{canonical.answer}".encode()
    )
    key = "~" + digest.hexdigest()
    # This build's memo first: a note's members are compared to its card once to split the cluster, and
    # again to make the note.
    stored = memo.get(key, remembered.get(key))
    if (
        type(stored) is tuple
        and len(stored) == 2
        and all(type(x) is float and 0.0 <= x <= 1.0 for x in stored)
    ):
        found: tuple[float, float] = stored  # type: ignore[assignment]
    else:
        found = (
            round(similarity(group.question, canonical.question), 3),
            round(similarity(group.answer, canonical.answer), 3),
        )
    memo[key] = found
    return found


def _single_note(group: _Group) -> Note:
    """:func:`_make_note` for an entry with no duplicate (most of them), without the merging."""
    entry = group.entries[0]
    key = identity_key(entry.topic, group.question)
    topics, documents = (entry.topic,), (entry.document,)
    # Positional, in Note's field order: this runs for most notes of a build.
    return Note(
        key,
        entry.topic,
        entry.question_md,
        entry.answer_md,
        entry.question_html,
        entry.answer_html,
        group.question,
        group.answer,
        entry,
        (key,),
        (),
        topics,
        documents,
        ((entry.document, entry.topic),),
        (Merge(entry, "canonical", 1.0, 1.0),),
        _note_tags(topics, documents),
        _wording(entry),
    )


def _note(
    chosen: Entry,
    canonical: _Group,
    keys: tuple[str, ...],
    alternatives: tuple[Entry, ...],
    topics: tuple[str, ...],
    documents: tuple[str, ...],
    locations: tuple[tuple[str, str], ...],
    merges: tuple[Merge, ...],
    wordings: tuple[str, tuple[str, ...], tuple[str, ...]] = ("", (), ()),
    stale: tuple[Entry, ...] = (),
    edited: tuple[Entry, ...] = (),
) -> Note:
    """The note showing ``chosen``'s wording, identified by its topic and the canonical question."""
    return Note(
        key=identity_key(chosen.topic, canonical.question),
        topic=chosen.topic,
        question_md=chosen.question_md,
        answer_md=chosen.answer_md,
        question_html=chosen.question_html,
        answer_html=chosen.answer_html,
        question_folded=canonical.question,
        answer_folded=canonical.answer,
        shown=chosen,
        keys=keys,
        alternatives=alternatives,
        topics=topics,
        documents=documents,
        locations=locations,
        merges=merges,
        tags=note_tags(topics, documents),
        wording=wordings[0] or _wording(chosen),
        others=wordings[1],
        older=wordings[2],
        stale=stale,
        edited=edited,
    )


QUESTION_FLOOR = 0.1
"""How similar (at least) two questions merged on their answers alone must be: different questions that
share a copied answer stay two notes (an answer pasted under 「int i=(j=4,…) 输出是多少？」 and 「#include
<file.h> 与 #include "file.h" 的区别？」: 0.03). Low, because a reworded question shares few bigrams and
still asks the same (「如何提高模型的安全性？」 / 「在模型安全性方面有哪些技术？」: 0.17)."""


def _like_the_card(
    group: _Group, canonical: _Group, limits: Thresholds, remembered: Memo, memo: dict[str, MemoValue]
) -> bool:
    """Whether a wording may stand on the card of ``canonical`` (see the module's docstring)."""
    return _near(*_similarities(group, canonical, remembered, memo), group, canonical, limits)


def _spaced_apart(group: _Group, other: _Group) -> bool:
    """Whether two wordings differ in more than their spacing style (see :func:`qa2anki.fold.unspaced`)."""
    return unspaced(group.question) != unspaced(other.question) or unspaced(group.answer) != unspaced(
        other.answer
    )


def _near_copies(group: _Group, other: _Group, limits: Thresholds) -> bool:
    """:func:`_like_the_card` for two wordings compared once (nothing to remember)."""
    q_sim, a_sim = similarity(group.question, other.question), similarity(group.answer, other.answer)
    return _near(q_sim, a_sim, group, other, limits)


def _near(q_sim: float, a_sim: float, group: _Group, other: _Group, limits: Thresholds) -> bool:
    if q_sim >= limits.question:
        return True
    if a_sim < limits.answer:
        return False
    telling = _telling(group.answer) and _telling(other.answer)
    return q_sim >= (QUESTION_FLOOR if telling else SHORT_ANSWER_QUESTION_FLOOR)


ANSWER_FLOOR = 20
"""How long (at least: letters after folding, white space and punctuation not counted) both answers must
be for :data:`QUESTION_FLOOR` to do: a short answer is shared by different questions
(「快速排序的时间复杂度？」 / 「堆排序的时间复杂度？」: 「O(n log n)」, questions 0.70 similar;
「HashMap是线程安全的吗？」 / 「ArrayList是线程安全的吗？」: 「不是。」, 0.27), and differs from another by
the word that matters (「会出现脏读、不可重复读、幻读。」 / 「会出现不可重复读、幻读。」 under 「读未提交…」 /
「读已提交会出现哪些问题？」, 0.67). Merging them would drop a question from the deck."""

SHORT_ANSWER_QUESTION_FLOOR = 0.75
"""How similar (at least) two questions merged on short answers must be (see :data:`ANSWER_FLOOR`): a
question reworded by a word or two still merges (「什么是过拟合呢？」 / 「什么是过拟合？」: 0.83)."""


def _telling(answer: str) -> bool:
    """Whether a folded answer is long enough to merge two entries on its own (see ANSWER_FLOOR)."""
    return letter_count(answer) >= ANSWER_FLOOR


@dataclass(frozen=True)
class _Choice:
    """Which wording of a cluster (or of what is left of it) the card shows."""

    canonical: _Group
    """The exact-duplicate group of the wording shown."""
    chosen: Entry
    """The entry whose wording (as written) the card shows."""
    edited: tuple[Entry, ...] = ()
    """Copies changed differently since the last build: none of them is shown."""


def _pick(entries: Sequence[Entry]) -> Entry:
    """The entry of several with one wording that a card shows: by content, never by position."""
    return min(
        entries, key=lambda e: (fold_topic(e.topic), e.topic, e.question_md, e.answer_md, _sort_key(e))
    )


def _ranked(members: Sequence[_Group]) -> _Choice:
    canonical = min(members, key=_Group.rank)
    return _Choice(canonical, _representative(canonical))


def _among(rows: Sequence[tuple[_Group, Entry, str]], wording: str) -> _Choice:
    """The choice of the copies with one wording."""
    chosen = _pick([entry for _, entry, digest in rows if digest == wording])
    return _Choice(next(group for group, entry, _ in rows if entry is chosen), chosen)


def _choose(members: Sequence[_Group], previous: Previous | None) -> _Choice:
    """The wording a card shows (see the module's docstring): the one edited since the last build, else
    the one it showed, else the one with the most copies."""
    if previous is None:
        return _ranked(members)
    rows = [(group, entry, _wording(entry)) for group in members for entry in group.entries]
    known = [row for row in rows if row[2] in previous.known]
    if not known:
        return _ranked(members)  # a new note (or every copy changed): nothing to go by but the copies
    new = sorted(
        {
            digest
            for _, entry, digest in rows
            if digest not in previous.known and not _put_back(entry, digest, previous)
        }
    )
    if len(new) == 1:
        return _among(rows, new[0])
    shown = sorted({digest for _, _, digest in known if digest in previous.shown})
    if len(shown) == 1:
        choice = _among(_keyed_rows([row for row in known if row[2] == shown[0]], previous), shown[0])
    else:
        # Several notes' cards among the members (a cluster that splits): one of the wordings they showed,
        # never an older one of theirs; with none, the copies decide.
        showing = [row for row in known if row[2] in previous.shown] or known
        # A card still under a heading its note stood under keeps its wording first: two cards whose
        # headings were renamed alike meet, and the one whose heading it was goes on showing its own.
        showing = [row for row in showing if _stood(row[1], row[2], previous)] or showing
        if shown:
            showing = _keyed_rows(showing, previous)
        groups = [group for group in members if any(row[0] is group for row in showing)]
        canonical = min(groups, key=_Group.rank)
        choice = _Choice(canonical, _pick([entry for group, entry, _ in showing if group is canonical]))
    if new:
        edited = tuple(sorted((entry for _, entry, digest in rows if digest in new), key=_sort_key))
        return _Choice(choice.canonical, choice.chosen, edited)
    return choice


def _put_back(entry: Entry, digest: str, previous: Previous) -> bool:
    """Whether a copy says what a removed note said, under a heading that note stood under: that entry put
    back (a deletion undone), no edit of a card. Under another heading it is one: the answer of a card
    pasted into another, which happens to be a removed card's."""
    return fold_topic(entry.topic) in previous.removed.get(digest, frozenset())


def _put_back_problems(note: Note, previous: Previous) -> list[Problem]:
    """A warning at each copy of a note that says what a removed note said, under a heading it stood under
    (see :func:`_put_back`): read as that entry put back, it joins this card; said once, in the build
    that finds it (the lock then records its wording as this note's). An edit of this card that happens
    to say so is read the same way, and only this line tells."""
    shown = f"{note.shown.path}:{note.shown.line}"
    warnings = []
    for merge in note.merges:
        entry = merge.entry
        digest = _wording(entry)
        if entry is not note.shown and digest not in previous.known and _put_back(entry, digest, previous):
            message = _(
                "this copy says exactly what a card removed earlier said under this heading: read as that "
                "entry put back, it joins the card at {shown} (qa2anki list --removed shows the removed card)"
            ).format(shown=shown)
            warnings.append(Problem(entry.path, entry.line, Severity.WARNING, message))
    return warnings


def _stood(entry: Entry, digest: str, previous: Previous) -> bool:
    """Whether a copy of a wording a card showed stands under a heading that card's note stood under."""
    return fold_topic(entry.topic) in previous.topics.get(previous.owners.get(digest, digest), frozenset())


def _keyed_rows(rows: list[tuple[_Group, Entry, str]], previous: Previous) -> list[tuple[_Group, Entry, str]]:
    """Of copies of wordings cards showed, those under the heading their card's key names (see
    :attr:`Previous.keys`), else all. The key is the card's copy to keep: picked by heading instead, a copy
    added under a heading that sorts first, or the other heading once the note stands under both, would
    change the card's key on the build after (and a carried build would keep the old one). Only for
    shown wordings: a key their note had is no sign of copies no card showed, and another card's key is
    none of a copy moved under that card's heading."""
    keyed = [
        row
        for row in rows
        if previous.keys.get(identity_key(row[1].topic, row[0].question), "")
        == previous.owners.get(row[2], row[2])
    ]
    return keyed or rows


def _split(
    members: list[_Group],
    limits: Thresholds,
    remembered: Memo,
    memo: dict[str, MemoValue],
    previous: Previous | None = None,
    vanished: Mapping[str, list[str]] | None = None,
) -> list[tuple[list[_Group], _Choice]]:
    """A cluster as notes: the members like its surviving wording, then the rest clustered the same way
    (``vanished``: see :func:`_gone_cards`)."""
    notes: list[tuple[list[_Group], _Choice]] = []
    while members:
        choice = _choose(members, previous)
        kept, rest = _like_the_choice(members, choice, limits, remembered, memo, previous, vanished or {})
        gone = [group for group in rest if any(e in group.entries for e in choice.edited)]
        if gone:
            # Copies changed differently keep the card as it was; but an edit unlike that card is another
            # note's wording, which the next build knows: the card is chosen again without it, as the next
            # build chooses it (else that build would see one edit left, and show it).
            choice = _choose([group for group in members if group not in gone], previous)
            kept, rest = _like_the_choice(members, choice, limits, remembered, memo, previous, vanished or {})
        if choice.edited:
            # Edits that went to another note are that note's.
            edited = tuple(e for e in choice.edited if any(e in group.entries for group in kept))
            choice = _Choice(choice.canonical, choice.chosen, edited)
        notes.append((kept, choice))
        members = rest
    return notes


def _like_the_choice(
    members: list[_Group],
    choice: _Choice,
    limits: Thresholds,
    remembered: Memo,
    memo: dict[str, MemoValue],
    previous: Previous | None,
    vanished: Mapping[str, list[str]],
) -> tuple[list[_Group], list[_Group]]:
    """The members that stand on the card ``choice`` shows, and the others."""
    canonical = choice.canonical
    kept: list[_Group] = []
    rest: list[_Group] = []
    likeness: dict[int, bool] = {}

    def like(group: _Group) -> bool:
        if id(group) not in likeness:
            likeness[id(group)] = group is canonical or _like_the_card(
                group, canonical, limits, remembered, memo
            )
        return likeness[id(group)]

    def asks_alike(group: _Group) -> bool:
        return _similarities(group, canonical, remembered, memo)[0] >= limits.question

    def similarities(group: _Group) -> tuple[float, float]:
        return _similarities(group, canonical, remembered, memo)

    mine = _card_owner(members, choice, previous, asks_alike)
    likeness_of = _Likeness(like, similarities)
    others = _other_notes(
        members, choice, previous, likeness_of, mine or _keyed_owner(choice, previous), vanished, limits
    )
    key = identity_key(choice.chosen.topic, canonical.question)  # the note's (see _note)
    for group in members:
        owner = _owner(group, previous)
        if group is not canonical and owner in others and not _same_key(group, key):
            rest.append(group)  # it belonged to another note of this cluster, which is still there
            continue
        # A copy the note had, unchanged, stays on it even when an edit of another copy took the card
        # away from it (a copy that asks differently, merged by its answer, with one point added to the
        # card's answer): else it became a card of its own, and took the card's history when the copies
        # met again.
        held = mine is not None and owner == mine and not _older(group, previous)
        (kept if like(group) or held else rest).append(group)
    return kept, rest


def _card_owner(
    members: Sequence[_Group],
    choice: _Choice,
    previous: Previous | None,
    asks_alike: Callable[[_Group], bool],
) -> str | None:
    """The note (by the wording its card showed) whose card ``choice`` is: the owner of the wording shown,
    or, for an edit, the one owner of the wordings that ask what it asks (``asks_alike``) and that its
    card showed, now or before an edit. Not of a copy merged into a card by its answer (an edit that gives
    such a copy an answer of its own makes it a card of its own, as the hint at it says), nor of a card
    alike by its answer alone (another question with this answer pasted in)."""
    if previous is None:
        return None
    chosen = _wording(choice.chosen)
    if chosen in previous.owners:
        return previous.owners[chosen]
    owners = {
        owner
        for group in members
        if asks_alike(group)
        and _shown_before(group, previous)
        and (owner := _owner(group, previous)) is not None
    }
    return owners.pop() if len(owners) == 1 else None


def _keyed_owner(choice: _Choice, previous: Previous | None) -> str | None:
    """The note whose identity key the card has (by the wording its card showed), as identity will find
    it: the card's note when no copy of its card is left to tell (a copy merged by its answer split off
    as a card of its own, then edited to agree again). It keeps other notes apart; it holds no copy."""
    if previous is None:
        return None
    return previous.keys.get(identity_key(choice.chosen.topic, choice.canonical.question))


def _older(group: _Group, previous: Previous | None) -> bool:
    """Whether a card showed one of the group's wordings before an edit replaced it."""
    return previous is not None and _holds(group, previous.older)


def _shown_before(group: _Group, previous: Previous) -> bool:
    """Whether a card showed one of the group's wordings, at the last build or before an edit."""
    return _holds(group, previous.shown) or _holds(group, previous.older)


def _known(group: _Group, previous: Previous) -> bool:
    """Whether the last build had one of the group's wordings."""
    return _holds(group, previous.known)


def _holds(group: _Group, digests: frozenset[str]) -> bool:
    """Whether one of the group's wordings is among ``digests``."""
    return any(_wording(entry) in digests for entry in group.entries)


def _same_key(group: _Group, key: str) -> bool:
    """Whether a note of ``group`` could have ``key``: then it is that note, whatever the lock says (a lock
    never holds two notes with one key; two notes meet so when a heading is renamed to the other's)."""
    return any(identity_key(e.topic, group.question) == key for e in group.entries)


def _owner(group: _Group, previous: Previous | None) -> str | None:
    """The shown wording of the note the lock recorded all of the group's wordings in, if one."""
    if previous is None:
        return None
    return _owner_of({_wording(entry) for entry in group.entries}, previous)


def _owner_of(digests: set[str], previous: Previous) -> str | None:
    """:func:`_owner` of a group's wording digests."""
    owners = {previous.owners.get(digest) for digest in digests}
    return owners.pop() if len(owners) == 1 else None


class _Likeness(NamedTuple):
    """How a member stands to the card a choice shows."""

    like: Callable[[_Group], bool]
    """Whether it stands on the card (see :func:`_like_the_card`)."""
    similarities: Callable[[_Group], tuple[float, float]]
    """Its question and answer similarity to the card's."""


def _other_notes(
    members: Sequence[_Group],
    choice: _Choice,
    previous: Previous | None,
    likeness: _Likeness,
    mine: str | None,
    vanished: Mapping[str, list[str]],
    limits: Thresholds,
) -> frozenset[str]:
    """The shown wordings of the lock's other notes whose cards are still among the members: never the card's
    own (``mine``, see :func:`_card_owner`). When the card shows an edit, which note the edit belongs to is
    what its likeness says: the notes whose cards are unlike it (``like``: whether a member stands on the
    card) were not edited, and their other wordings stay theirs (else a copy of one, alike to the edit, would
    leave it for the edit's card in this build, and go back in the next, by its key). The note an edit belongs
    to is not another note even when its card is unlike the edit: a stale copy brought up to date in a way of
    its own. Of several cards like the edit that answer alike, it is the one it is most like (question and
    answer similarity summed): the others were not edited (else their cards were removed, their copies called
    stale). And an edit like a card none of whose copies is left is that card's, unless a card still there
    answers more like it (see :func:`_edits_a_gone_card`): the cards whose copies are still there were not
    edited."""
    if previous is None:
        return frozenset()
    chosen = _wording(choice.chosen)
    unowned = chosen not in previous.owners and mine is None  # (an edit no card owns)
    cards: dict[str, tuple[float, float]] = {}  # each card like the edit: closeness, answer similarity
    if unowned:
        for group in members:
            if group is not choice.canonical and likeness.like(group):
                q_sim, a_sim = likeness.similarities(group)
                if a_sim < limits.answer:
                    continue  # (a card asking alike with another answer: a conflict, not a copy)
                for digest in {_wording(entry) for entry in group.entries} & previous.shown:
                    cards[digest] = max(cards.get(digest, (0.0, 0.0)), (q_sim + a_sim, a_sim))
    answered = max((a_sim for _, a_sim in cards.values()), default=0.0)
    if unowned and not _edits_a_gone_card(members, choice, previous, vanished, limits, answered):
        shown = {
            digest
            for group in members
            if not likeness.like(group)
            for digest in {_wording(entry) for entry in group.entries} & previous.shown
        }
        closest = max((value for value, _ in cards.values()), default=0.0)
        edited = [digest for digest, (value, _) in cards.items() if value == closest]
        shown |= {digest for digest in cards if len(edited) > 1 or digest != edited[0]}
    else:
        present = {_wording(entry) for group in members for entry in group.entries}
        shown = present & previous.shown
        # A card whose copies all went back to a wording it showed before its last edit (the edit undone)
        # is among them too, by that wording: else its copies joined this card as stale ones.
        shown |= {
            owner
            for digest in present & previous.older
            if (owner := previous.owners.get(digest)) is not None and owner not in present
        }
    # A note a merged lock holds two records of showed two wordings: one note (see Lock.variants).
    aliases = previous.aliases
    return frozenset(aliases.get(d, d) for d in shown) - {mine, aliases.get(chosen, chosen)}


def _gone_cards(wordings: Sequence[set[str]], previous: Previous) -> dict[str, list[str]]:
    """The cards of the last build none of whose copies is left (by the wording each showed; ``wordings``:
    each group's digests), under each topic they stood under. Cards stand under topics whole in a carried
    build too (a note links its topics into one region), so a card gone under a topic it rebuilds is gone in a
    full build too."""
    standing = {previous.owners.get(digest) for digests in wordings for digest in digests}
    gone: dict[str, list[str]] = defaultdict(list)
    for owner, topics in previous.topics.items():
        if owner not in standing and owner in previous.texts:
            for topic in topics:
                gone[topic].append(owner)
    return gone


def _edits_a_gone_card(
    members: Sequence[_Group],
    choice: _Choice,
    previous: Previous,
    vanished: Mapping[str, list[str]],
    limits: Thresholds,
    answered: float,
) -> bool:
    """Whether an edit no card owns is like a card none of whose copies is left, under a topic the edit stands
    under, which was alike to a card whose copies are among the members, and answers at least as like the edit
    as those like it do (``answered``, see :func:`_other_notes`): two alike cards (a merge kept both), one of
    them reworded. (A card still there whose answer the edit has, more than the gone one's, is the edited one:
    its other copy reworded while the gone card was deleted.) The edit replaced that card's copy; the other
    card, whose wording is still there, was not edited, and keeps its copies (else its card showed the edit
    and the reworded card was removed, with its history). A card gone that was unlike the cards still there (a
    question deleted while another's copy is reworded) is no sign: the edit goes by likeness, as before."""
    canonical = choice.canonical
    owners = {owner for entry in canonical.entries for owner in vanished.get(fold_topic(entry.topic), ())}
    if not owners:
        return False
    standing = [group for group in members if _holds(group, previous.shown)]
    for owner in sorted(owners):
        question, answer = previous.texts[owner]
        card = _Group(fold(question), fold(answer), ())
        q_sim, a_sim = (
            similarity(canonical.question, card.question),
            similarity(canonical.answer, card.answer),
        )
        if (
            round(a_sim, 3) >= answered
            and _near(q_sim, a_sim, canonical, card, limits)
            and any(_near_copies(group, card, limits) for group in standing)
        ):
            return True
    return False


def _other_card(digest: str, wording: str, previous: Previous) -> bool:
    """Whether a wording another card showed meets the wording this card shows, and showed, in one note
    (their headings renamed alike, or one copy moved under the other's): a conflicting answer, shown
    below, not an older version of this card's."""
    owner = previous.owners.get(wording)
    return owner is not None and previous.owners.get(digest) != owner


def _make_note(
    members: list[_Group],
    choice: _Choice,
    limits: Thresholds,
    remembered: Memo,
    memo: dict[str, MemoValue],
    previous: Previous | None = None,
) -> tuple[Note, list[Problem]]:
    if len(members) == 1 and len(members[0].entries) == 1:
        return _single_note(members[0]), []
    canonical, chosen = choice.canonical, choice.chosen
    wording = _wording(chosen)
    digests = {e: _wording(e) for group in members for e in group.entries}
    edited = set(choice.edited)
    # Copies of a wording the card showed before an edit: older versions, not other answers. (Each set is
    # asked on its own: their union is as large as the deck, and this runs once a note.)
    stale_set = {
        e
        for e, d in digests.items()
        if d != wording
        and previous is not None
        and (d in previous.older or (d in previous.shown and not _other_card(d, wording, previous)))
        and e not in edited
    }
    merges: list[Merge] = []
    alternatives: list[Entry] = []
    for group in members:
        if group is canonical:
            merges.extend(
                Merge(e, "canonical" if e is chosen else "stale" if e in stale_set else "exact", 1.0, 1.0)
                for e in group.entries
            )
            continue
        q_sim, a_sim = _similarities(group, canonical, remembered, memo)
        # (A copy that asks differently and stays on the card only as the note's own copy is no conflict:
        # see _like_the_choice.)
        conflicting = a_sim < limits.answer and q_sim >= limits.question
        kind = "conflict" if conflicting else "near" if _spaced_apart(group, canonical) else "exact"
        fresh = [e for e in group.entries if e not in stale_set]
        if kind == "conflict":
            if _truncated(group.answer, canonical.answer):
                kind = "truncated"
            elif fresh:
                alternatives.append(_pick(fresh))
        merges.extend(Merge(e, "stale" if e in stale_set else kind, q_sim, a_sim) for e in group.entries)
    merges.sort(key=lambda m: _sort_key(m.entry))
    entries = [m.entry for m in merges]
    topics = tuple(sorted({e.topic for e in entries}))
    documents = tuple(sorted({e.document for e in entries}))
    alternatives.sort(key=lambda e: (fold(e.answer_md), e.answer_md))  # few: conflicts only
    others = tuple(sorted({d for e, d in digests.items() if d != wording and e not in edited}))
    stale = tuple(e for e in entries if e in stale_set)
    older = tuple(sorted({digests[e] for e in stale}))
    note = _note(
        chosen,
        canonical,
        keys=tuple(
            sorted({identity_key(e.topic, group.question) for group in members for e in group.entries})
        ),
        alternatives=tuple(alternatives),
        topics=topics,
        documents=documents,
        locations=tuple(sorted({(e.document, e.topic) for e in entries})),
        merges=tuple(merges),
        wordings=(wording, others, older),
        stale=stale,
        edited=choice.edited,
    )
    problems = []
    if alternatives:
        problems.append(
            conflict_problem(
                (chosen.path, chosen.line), [(e.path, e.line) for e in sorted(alternatives, key=_sort_key)]
            )
        )
    problems.extend(stale_problems((chosen.path, chosen.line), [(e.path, e.line) for e in stale]))
    if choice.edited:
        problems.append(edited_problem((chosen.path, chosen.line), [(e.path, e.line) for e in choice.edited]))
    return note, problems


def stale_problems(shown: tuple[str, int], stale: Sequence[tuple[str, int]]) -> list[Problem]:
    """A warning at each copy that still holds a wording the card showed before an edit (the card's
    entry at ``shown``)."""
    return [
        Problem(
            path,
            line,
            Severity.WARNING,
            _(
                "stale copy: the card shows the newer wording at {shown} (a copy edited, or added, since "
                "the last build), this copy still holds the older one (edit it to match, or delete it; "
                "qa2anki tidy deletes such copies where the note has another copy in the same section)"
            ).format(shown=f"{shown[0]}:{shown[1]}"),
        )
        for path, line in stale
    ]


def edited_problem(shown: tuple[str, int], edited: Sequence[tuple[str, int]]) -> Problem:
    """The warning for copies of one note changed differently since the last build."""
    where = ", ".join(f"{path}:{line}" for path, line in edited)
    return Problem(
        edited[0][0],
        edited[0][1],
        Severity.WARNING,
        _(
            "copies of one note were changed differently since the last build ({where}); the card keeps "
            "the wording at {shown} until the changed copies agree"
        ).format(where=where, shown=f"{shown[0]}:{shown[1]}"),
    )


def alike_problem(shown: tuple[str, int], other: tuple[str, int]) -> Problem:
    """The warning at a card (its entry at ``shown``) that asks and answers like the card at ``other``."""
    return Problem(
        shown[0],
        shown[1],
        Severity.WARNING,
        _(
            "asks and answers like the card at {other}, but is a card of its own: the lock keeps "
            "each one's review history, so both stay; to keep one card, delete one of the copies "
            "(its card is then listed by qa2anki list --removed)"
        ).format(other=f"{other[0]}:{other[1]}"),
    )


def conflict_problem(shown: tuple[str, int], alternatives: Sequence[tuple[str, int]]) -> Problem:
    """The warning for a note whose entries answer one question differently: at the entry shown, naming
    the others' (path, line), in that order."""
    where = ", ".join(f"{path}:{line}" for path, line in alternatives)
    return Problem(
        shown[0],
        shown[1],
        Severity.WARNING,
        _(
            "same question, different answers (also at {where}); the note shows this answer first "
            "and the others below it"
        ).format(where=where),
    )
