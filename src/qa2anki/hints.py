"""What ``check`` tells besides problems: hints, for the user to decide. They never fail a build, not even
under ``--strict`` (see :class:`qa2anki.errors.Severity`).

* **Near misses**: two notes of one topic that stay apart, but only just: their questions are at most
  :data:`QUESTION_BAND` under ``near_duplicate_question``, or their answers at most :data:`ANSWER_BAND`
  under ``near_duplicate_answer`` (with questions at least :data:`qa2anki.normalize.QUESTION_FLOOR`
  alike, as merging on answers needs). Lowering the threshold would merge them; often they are two
  questions that only look alike, so it is the user's call.
* **Questions merged by their answers**: a copy merged into a note on its answer alone, its question
  worded differently (under ``near_duplicate_question``): that wording is on no card. Usually the same
  question reworded; sometimes two questions with one answer, which the user may want as two cards.
* **Same questions**: notes of different topics that ask the same question (folded) with different
  answers: two cards with one front, which the user may want or not.
* **Labels no longer read**: most answers of a document open with one bold word that is no answer label
  (``**参考：**`` after ``answer_labels`` was dropped from the settings): it is on every card.
* **Shapes read in no other way**: a document without entries whose paragraphs end in question marks
  (questions without labels), that has question lines without answer labels too few to be read as
  questions, lists of questions without answers (answered apart, further down), or answer labels but no
  question label.

(What the parser skipped — labels in code blocks, sub-questions inside answers — it reports itself, as it
reads.) Pure functions of notes and blocks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

from qa2anki.errors import Problem, Severity
from qa2anki.i18n import gettext as _
from qa2anki.i18n import ngettext
from qa2anki.normalize import EXHAUSTIVE_TOPIC, QUESTION_FLOOR, Note, Thresholds, fold_topic
from qa2anki.parse import (
    OUTLINE_LIST,
    QUESTION_LINE_RULES,
    QUESTION_LIST,
    UNLABELLED_RULES,
    UNLABELLED_RUN,
    BlockInfo,
    Entry,
    ends_asking,
)
from qa2anki.similarity import candidate_pairs, similarity
from qa2anki.sources import Document

QUESTION_BAND = 0.25
"""How far under ``near_duplicate_question`` two questions may be alike to be a near miss (0.85: from
0.60). Wide, because reworded questions share few character bigrams."""
ANSWER_BAND = 0.10
"""How far under ``near_duplicate_answer`` two answers may be alike to be a near miss (0.65: from 0.55)."""
NEAR_MISS_CAP = 16
"""How many earlier notes sharing a rare bigram a note is compared with for near misses (see
:func:`qa2anki.similarity.candidate_pairs`): entries made from one template stay linear."""
QUESTION_MARK_PARAGRAPHS = 3
"""A document without entries with this many paragraphs ending in a question mark gets a hint."""


def near_misses(notes: Sequence[Note], thresholds: Thresholds | None = None) -> tuple[Problem, ...]:
    """A hint at the later note of each pair of notes of one topic just under the merging thresholds, the
    nearest such pair of that note only, naming the earlier one; sorted by file and line."""
    limits = thresholds or Thresholds()
    low_question = max(limits.question - QUESTION_BAND, 0.0)
    low_answer = max(limits.answer - ANSWER_BAND, 0.0)
    by_topic: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_topic[fold_topic(note.topic)].append(note)
    hints: list[Problem] = []
    for members in by_topic.values():
        if len(members) < 2:
            continue
        if len(members) <= EXHAUSTIVE_TOPIC:
            pairs: set[tuple[int, int]] = set(combinations(range(len(members)), 2))
        else:
            # Prefix filtering finds every pair at least this alike in either text (and some others), but
            # for texts from one template, where every note is a near miss of every other (capped).
            texts = [(note.question_folded, note.answer_folded) for note in members]
            pairs = candidate_pairs(texts, (low_question, low_answer), cap=NEAR_MISS_CAP)
        closest: dict[int, tuple[float, Problem]] = {}  # each note's nearest miss, by the note's index
        for x, y in sorted(pairs):
            a, b = sorted((members[x], members[y]), key=lambda n: (n.first.path, n.first.line))
            question = similarity(a.question_folded, b.question_folded)
            answer = similarity(a.answer_folded, b.answer_folded)
            merges = question >= limits.question or (answer >= limits.answer and question >= QUESTION_FLOOR)
            near = low_question <= question or (low_answer <= answer and question >= QUESTION_FLOOR)
            if near and not merges:
                later = y if members[y] is b else x
                if later in closest and closest[later][0] >= question:
                    continue
                closest[later] = (
                    question,
                    Problem(
                        b.first.path,
                        b.first.line,
                        Severity.HINT,
                        _(
                            "near miss: question {question}, answer {answer} alike with {where} "
                            "(notes merge from {merge_question} / {merge_answer}); they stay two notes. "
                            "To merge such pairs, lower near_duplicate_question / near_duplicate_answer "
                            "in [tool.qa2anki]"
                        ).format(
                            question=f"{question:.2f}",
                            answer=f"{answer:.2f}",
                            where=f"{a.first.path}:{a.first.line}",
                            merge_question=f"{limits.question:.2f}",
                            merge_answer=f"{limits.answer:.2f}",
                        ),
                    ),
                )
        hints.extend(problem for _, problem in closest.values())
    return tuple(sorted(hints))


def asked_differently(notes: Sequence[Note], thresholds: Thresholds | None = None) -> tuple[Problem, ...]:
    """A hint at each copy merged into a note by its answer whose question is worded differently from the
    card's (see the module's docstring), naming the card's entry; sorted by file and line. Stale copies
    and copies edited differently have warnings of their own."""
    limits = thresholds or Thresholds()
    hints: list[Problem] = []
    for note in notes:
        for merge in note.merges:
            if merge.kind not in ("near", "exact") or merge.question_similarity >= limits.question:
                continue
            if merge.entry in note.edited:
                continue
            hints.append(
                Problem(
                    merge.entry.path,
                    merge.entry.line,
                    Severity.HINT,
                    _(
                        "merged by its answer into the note at {where}, which asks differently: this "
                        "question is on no card (give it an answer of its own to make it a card of its own)"
                    ).format(where=f"{note.shown.path}:{note.shown.line}"),
                )
            )
    return tuple(sorted(hints))


def same_questions(notes: Sequence[Note]) -> tuple[Problem, ...]:
    """A hint at each note that asks what an earlier note of another topic asks, with another answer:
    Anki shows two cards with one front (only copies with one answer, or near ones under one heading,
    merge). Sorted by file and line."""
    by_question: dict[str, list[Note]] = defaultdict(list)
    for note in notes:
        by_question[note.question_folded].append(note)
    hints: list[Problem] = []
    for members in by_question.values():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda n: (n.first.path, n.first.line))
        first = ordered[0]
        for note in ordered[1:]:
            hints.append(
                Problem(
                    note.first.path,
                    note.first.line,
                    Severity.HINT,
                    _(
                        "the same question as {where} (under {topic}), with another answer: two cards ask "
                        "it. If it is one question, give both copies one answer (copies merge whatever "
                        "their headings) or keep one"
                    ).format(where=f"{first.first.path}:{first.first.line}", topic=first.topic),
                )
            )
    return tuple(sorted(hints))


_BOLD_LABEL_RE = re.compile(r"\*\*([^*:：\s]{1,6})(?:[:：]\*\*|\*\*[:：])")
"""A bold label word at the start of an answer (``**参考：**``, ``**参考**：``)."""


def unread_labels(entries: Sequence[Entry]) -> tuple[Problem, ...]:
    """A hint for each document where at least two answers, and at least half of them, open with one bold
    label word that is no answer label: a label the settings no longer name (``answer_labels`` dropped),
    shown on every card. At the first such entry; sorted by file and line."""
    by_document: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_document[entry.path].append(entry)
    hints: list[Problem] = []
    for members in by_document.values():
        opening: dict[str, list[Entry]] = defaultdict(list)
        for entry in members:
            if (match := _BOLD_LABEL_RE.match(entry.answer_md)) is not None:
                opening[match.group(1)].append(entry)
        for label, labelled in sorted(opening.items()):
            if len(labelled) >= 2 and 2 * len(labelled) >= len(members):
                first = min(labelled, key=lambda e: e.line)
                message = _(
                    "{count} answers in this document open with **{label}：**, shown on every card: if it "
                    'labels answers, add "{label}" to answer_labels in [tool.qa2anki]'
                )
                hints.append(
                    Problem(
                        first.path,
                        first.line,
                        Severity.HINT,
                        message.format(count=len(labelled), label=label),
                    )
                )
    return tuple(sorted(hints))


def shape_hints(document: Document, blocks: Sequence[BlockInfo]) -> tuple[Problem, ...]:
    """Hints for a document in which no entry was found: the shapes it has that qa2anki reads no way."""
    if any(block.kind == "question" and block.rule not in QUESTION_LINE_RULES for block in blocks):
        return ()
    asking = [b for b in blocks if b.kind in ("block", "epilogue") and b.folded.rstrip().endswith("?")]
    answers = [b for b in blocks if b.kind == "answer"]
    # Question lines without answer labels (bold, numbered, one-item lists) too few to make a run.
    lines = [
        b
        for b in blocks
        if (b.rule in QUESTION_LINE_RULES or b.rule in UNLABELLED_RULES) and ends_asking(b.text)
    ]
    listed = [b for b in blocks if b.rule == QUESTION_LIST]
    outlines = [b for b in blocks if b.rule == OUTLINE_LIST]
    # Each shape found: its blocks (the hint stands at the first) and what to say of them.
    shapes: list[tuple[list[BlockInfo], str]] = []
    if lines and len(asking) < QUESTION_MARK_PARAGRAPHS and not answers:
        said = ngettext(
            "{count} question line without answer labels: such lines are questions only "
            "{run} or more in a row, each followed by its answer; start each answer with **答案：**",
            "{count} question lines without answer labels: such lines are questions only "
            "{run} or more in a row, each followed by its answer; start each answer with **答案：**",
            len(lines),
        )
        shapes.append((lines, said.format(count=len(lines), run=UNLABELLED_RUN)))
    if len(asking) >= QUESTION_MARK_PARAGRAPHS:
        said = _(
            "{count} paragraphs end with a question mark, but none is labelled: start each "
            "question with **面试题：** and its answer with **答案：**, or make each question a "
            "heading that ends with ？"
        )
        shapes.append((asking, said.format(count=len(asking))))
    if listed:
        said = ngettext(
            "{count} list of questions without answers: qa2anki takes what follows a question as "
            "its answer; if the answers are listed apart (参考答案), put each below its question",
            "{count} lists of questions without answers: qa2anki takes what follows a question as "
            "its answer; if the answers are listed apart (参考答案), put each below its question",
            len(listed),
        )
        shapes.append((listed, said.format(count=len(listed))))
    if outlines:
        said = ngettext(
            "{count} numbered list of short lines, each with points below it: if each line is a "
            "question, end it with ？ (or start it with **面试题：**) to make the points its answer",
            "{count} numbered lists of short lines, each with points below it: if each line is a "
            "question, end it with ？ (or start it with **面试题：**) to make the points its answer",
            len(outlines),
        )
        shapes.append((outlines, said.format(count=len(outlines))))
    if answers:
        said = ngettext(
            "{count} answer label but no question label: if the questions carry another "
            "label, add it to question_labels in [tool.qa2anki]",
            "{count} answer labels but no question label: if the questions carry another "
            "label, add it to question_labels in [tool.qa2anki]",
            len(answers),
        )
        shapes.append((answers, said.format(count=len(answers))))
    return tuple(Problem(document.path, found[0].start + 1, Severity.HINT, said) for found, said in shapes)
