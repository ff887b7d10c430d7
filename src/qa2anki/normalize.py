"""Entries → notes: text folding, duplicate clustering, the surviving wording, conflicts.

Two entries are one note when

* they are **exact duplicates**: question and answer are equal after folding (Unicode NFKC, Chinese
  punctuation to ASCII, white space collapsed, case folded, emphasis markers dropped), whatever their
  topic; or
* they are **near duplicates**: same (folded) topic, and their questions are at least
  ``near_duplicate_question`` similar or their answers at least ``near_duplicate_answer`` similar.

Similarity is the Jaccard index of the texts' character bigram sets (after folding, with white space and
punctuation removed), which works for Chinese where words are not separated. Clustering is transitive.

**The surviving wording** of a cluster is the exact-duplicate group with the most copies; ties go to the
longer answer, then to the smaller folded text. It depends only on the set of entries, never on their
order, so moving sections around never changes a note.

**Conflicts**: a member whose answer is not a near duplicate of the surviving answer (less than
``near_duplicate_answer`` similar: same question, different answer) is not dropped: its answer is kept
on the note as an alternative answer, shown under the main one, and the conflict is reported with both
locations.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa2anki.errors import Problem, Severity
from qa2anki.parse import Entry
from qa2anki.similarity import candidate_pairs, similarity

_PUNCT_MAP = str.maketrans(
    {
        "，": ",",
        "。": ".",
        "、": ",",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "【": "[",
        "】": "]",
        "《": "<",
        "》": ">",
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "〈": "<",
        "〉": ">",
        "…": "...",
        "—": "-",
        "·": ".",
    }
)
_SPACE_RE = re.compile(r"\s+")
_EMPHASIS_RE = re.compile(r"[*_~`]+")
_TAG_UNSAFE_RE = re.compile(r"[\s\"]+")


def fold(text: str) -> str:
    """The comparable form of a text: NFKC, ASCII punctuation, one space for any white space, case folded,
    without emphasis markers."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)
    text = _EMPHASIS_RE.sub("", text)
    return _SPACE_RE.sub(" ", text).strip().casefold()


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
    question or answer, same topic) or ``"conflict"`` (same note, different answer: kept as an
    alternative)."""
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

    @property
    def first(self) -> Entry:
        """The entry that comes first in file and line order."""
        return self.merges[0].entry

    @property
    def question_folded(self) -> str:
        """The folded question, for similarity."""
        return fold(self.question_md)

    @property
    def answer_folded(self) -> str:
        """The folded answer, for similarity."""
        return fold(self.answer_md)


@dataclass(frozen=True)
class Normalized:
    """The notes of a build and what clustering found."""

    notes: tuple[Note, ...]
    """Unique notes, in the order of their first entry."""
    problems: tuple[Problem, ...]
    """Conflicts (same question, different answers)."""
    comparisons: int
    """How many pairs of texts were compared for near duplicates."""


def tag_part(text: str) -> str:
    """A piece of a hierarchical Anki tag: no white space (Anki splits tags on it), no ``::`` inside."""
    cleaned = _TAG_UNSAFE_RE.sub("_", unicodedata.normalize("NFKC", text).strip()).replace("::", ":")
    return cleaned.strip("_") or "_"


def note_tags(topics: Sequence[str], documents: Sequence[str]) -> tuple[str, ...]:
    """``主题::<topic>`` for each topic and ``文档::<document without extension>`` for each document."""
    tags = {f"主题::{tag_part(t)}" for t in topics}
    for document in documents:
        stem = document.rsplit(".", 1)[0] if "." in document.rsplit("/", 1)[-1] else document
        tags.add("文档::" + "::".join(tag_part(p) for p in stem.split("/")))
    return tuple(sorted(tags))


def identity_key(topic: str, question_md: str) -> str:
    """Folded topic and question: what makes a note the same note across builds."""
    return f"{fold(topic)}\x1f{fold(question_md)}"


class _UnionFind:
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


def normalize(entries: Sequence[Entry], thresholds: Thresholds | None = None) -> Normalized:
    """Cluster entries into unique notes."""
    limits = thresholds or Thresholds()
    by_text: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    for entry in entries:
        by_text[(fold(entry.question_md), fold(entry.answer_md))].append(entry)
    groups = sorted(
        (_Group(q, a, tuple(sorted(es, key=_sort_key))) for (q, a), es in by_text.items()),
        key=lambda g: (g.question, g.answer),
    )
    union = _UnionFind(len(groups))
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for topic in sorted({fold(e.topic) for e in group.entries}):
            by_topic[topic].append(index)
    comparisons = 0
    for members in by_topic.values():
        for a, b in candidate_pairs(members, lambda i: (groups[i].question, groups[i].answer)):
            if union.find(a) == union.find(b):
                continue
            comparisons += 1
            ga, gb = groups[a], groups[b]
            if (
                similarity(ga.question, gb.question) >= limits.question
                or similarity(ga.answer, gb.answer) >= limits.answer
            ):
                union.union(a, b)
    clusters: dict[int, list[_Group]] = defaultdict(list)
    for index, group in enumerate(groups):
        clusters[union.find(index)].append(group)

    notes: list[Note] = []
    problems: list[Problem] = []
    for cluster in clusters.values():
        note, conflict = _make_note(cluster, limits)
        notes.append(note)
        if conflict:
            problems.append(conflict)
    notes.sort(key=lambda n: _sort_key(n.first))
    return Normalized(tuple(notes), tuple(sorted(problems)), comparisons)


def _representative(group: _Group) -> Entry:
    # Fold-equal entries can still differ in raw Markdown or topic; pick by content, never by position.
    return min(
        group.entries, key=lambda e: (fold(e.topic), e.topic, e.question_md, e.answer_md, _sort_key(e))
    )


def _make_note(members: list[_Group], limits: Thresholds) -> tuple[Note, Problem | None]:
    canonical = min(members, key=_Group.rank)
    chosen = _representative(canonical)
    merges: list[Merge] = []
    alternatives: list[Entry] = []
    for group in members:
        q_sim = round(similarity(group.question, canonical.question), 3)
        a_sim = round(similarity(group.answer, canonical.answer), 3)
        if group is canonical:
            kinds = {id(e): "exact" for e in group.entries} | {id(chosen): "canonical"}
        else:
            kind = "conflict" if a_sim < limits.answer else "near"
            kinds = {id(e): kind for e in group.entries}
            if kind == "conflict":
                alternatives.append(_representative(group))
        merges.extend(Merge(e, kinds[id(e)], q_sim, a_sim) for e in group.entries)
    merges.sort(key=lambda m: _sort_key(m.entry))
    entries = [m.entry for m in merges]
    topics = tuple(sorted({e.topic for e in entries}))
    documents = tuple(sorted({e.document for e in entries}))
    alternatives.sort(key=lambda e: (fold(e.answer_md), e.answer_md))
    note = Note(
        key=identity_key(chosen.topic, chosen.question_md),
        topic=chosen.topic,
        question_md=chosen.question_md,
        answer_md=chosen.answer_md,
        question_html=chosen.question_html,
        answer_html=chosen.answer_html,
        alternatives=tuple(alternatives),
        topics=topics,
        documents=documents,
        locations=tuple(sorted({(e.document, e.topic) for e in entries})),
        merges=tuple(merges),
        tags=note_tags(topics, documents),
    )
    conflict = None
    if alternatives:
        where = ", ".join(f"{e.path}:{e.line}" for e in sorted(alternatives, key=_sort_key))
        conflict = Problem(
            chosen.path,
            chosen.line,
            Severity.WARNING,
            f"same question, different answers (also at {where}); the note shows this answer first "
            "and the others below it",
        )
    return note, conflict
