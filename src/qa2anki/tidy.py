"""Sources → the same sources without their redundant copies (``qa2anki tidy``).

Generated documents repeat an entry three to five times. Once the card shows one wording (see
:mod:`qa2anki.normalize`), the other copies of that wording, and the copies that still hold a wording the
card showed before an edit (stale copies), are redundant: tidy removes them, keeping per note the copy
the card shows. Nothing else is touched:

* near duplicates that were never on the card, conflicting answers (shown as alternatives), cut-off
  copies and copies changed differently since the last build are only reported;
* a note keeps one copy of the card's wording (or of a stale one) under every heading and in every
  document it stands in: its Topic and Source fields and its tags name them, and a near duplicate is
  only merged with copies under its own heading.

A copy is removed by its lines from the token stream (``Token.map``: :attr:`qa2anki.parse.Entry.line` to
the block after it), with its heading when the heading holds nothing else. Each tidied document is parsed
again and must give the same entries but the removed ones, and the tidied sources must build the same
notes (GUIDs and contents) as before; otherwise that part of the tidying is not done.
"""

from __future__ import annotations

import codecs
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from qa2anki.atomic import fill, stage
from qa2anki.build import Listing, Options, labels_of, listing, lock_guard, lock_path
from qa2anki.errors import Qa2AnkiError, format_location
from qa2anki.i18n import gettext as _
from qa2anki.normalize import Note
from qa2anki.parse import QUESTION_ANSWER_LISTS, BlockInfo, Entry, Labels, parse_document, scan_section
from qa2anki.sources import Document, strict_decode


@dataclass(frozen=True, order=True)
class Left:
    """A copy tidy leaves in place, and why."""

    path: str
    """Its file, as the user named it."""
    line: int
    """Its 1-based line."""
    message: str
    """Why it is left."""

    def __str__(self) -> str:
        return format_location(self.path, self.line or None, self.message)


@dataclass(frozen=True)
class TidiedDocument:
    """One document with copies removed."""

    document: Document
    """The document as it is."""
    text: str
    """Its text tidied."""
    removed: tuple[Entry, ...]
    """The copies removed, in line order."""

    def diff(self) -> str:
        """A unified diff from the document to its tidied text."""
        return "".join(
            difflib.unified_diff(
                self.document.text.splitlines(keepends=True),
                self.text.splitlines(keepends=True),
                f"a/{self.document.path}",
                f"b/{self.document.path}",
            )
        )


@dataclass(frozen=True)
class TidyReport:
    """What ``tidy`` removes, and what it leaves and why."""

    documents: tuple[TidiedDocument, ...]
    """The documents with copies removed (the others are unchanged)."""
    left: tuple[Left, ...]
    """Copies of notes left in place, each with why."""
    written: bool
    """Whether the tidied documents were written."""

    @property
    def removed(self) -> int:
        """How many copies are removed."""
        return sum(len(d.removed) for d in self.documents)

    def diff(self) -> str:
        """The unified diff of every document."""
        return "".join(d.diff() for d in self.documents)


def _note_left(entry: Entry, message: str) -> Left:
    return Left(entry.path, entry.line, message)


def redundant(note: Note) -> tuple[list[Entry], list[Left]]:
    """The copies of a note tidy removes (in file and line order, with ``stale`` ones only when asked),
    and what it leaves, with why."""
    kinds = {merge.entry: merge.kind for merge in note.merges}
    stale = set(note.stale)
    edited = set(note.edited)
    shown = note.shown
    where = f"{shown.path}:{shown.line}"
    left: list[Left] = []
    candidates: list[Entry] = []
    places: set[tuple[str, str]] = set()
    for merge in note.merges:
        entry = merge.entry
        if entry is shown:
            places.add((entry.document, entry.topic))
        elif entry in edited:
            left.append(
                _note_left(
                    entry,
                    _("left: changed differently from other copies of the note at {where}").format(
                        where=where
                    ),
                )
            )
        elif entry.rule == QUESTION_ANSWER_LISTS:
            # (its question and answer are items of two lists apart: no run of lines removes it alone)
            message = _("left: its question and answer are items of two lists; remove them by hand")
            left.append(_note_left(entry, message))
        elif entry in stale or kinds[entry] == "exact":
            candidates.append(entry)
        else:
            what = {
                "near": _("a near duplicate"),
                "conflict": _("a different answer (shown as an alternative)"),
                "truncated": _("a cut-off copy"),
            }.get(kinds[entry], kinds[entry])
            left.append(
                _note_left(
                    entry,
                    _("left: {what} merged into the note at {where}; edit it by hand").format(
                        what=what, where=where
                    ),
                )
            )
    removed: list[Entry] = []
    for entry in candidates:
        place = (entry.document, entry.topic)
        if place in places:
            removed.append(entry)
            continue
        places.add(place)
        left.append(
            _note_left(
                entry,
                _(
                    "left: the note's only copy under {topic!r} in {document} (the card's Source field and "
                    "tags name every heading and document holding a copy: removing it would change them); "
                    "the card's wording is at {where}"
                ).format(topic=entry.topic, document=entry.document, where=where),
            )
        )
    return removed, left


def _ranges(
    text: str, blocks: Sequence[BlockInfo], entries: Sequence[Entry], with_headings: bool
) -> list[tuple[int, int]]:
    """The 0-based line ranges ``[start, stop)`` that remove these entries of a document (by the lines of
    its blocks), each with its heading when it holds nothing else and ``with_headings``."""
    starts = {block.start: index for index, block in enumerate(blocks)}
    count = text.count("\n") + 1
    ranges = []
    for entry in entries:
        index = starts.get(entry.line - 1)
        if index is None or not entry.last:
            raise Qa2AnkiError(
                "the entry's lines are not where the parser put them", f"{entry.path}:{entry.line}"
            )
        after = next((i for i in range(index, len(blocks)) if blocks[i].start >= entry.last), None)
        stop = blocks[after].start if after is not None else count
        start = entry.line - 1
        heading = blocks[index - 1] if index > 0 else None
        if (
            with_headings
            and heading is not None
            and heading.kind == "heading"
            and heading.rule != "closing"
            and blocks[index].level == 0
            and heading.text == entry.topic
            and _ends_section(blocks, after, heading.level)
        ):
            start = heading.start
        ranges.append((start, stop))
    return sorted(ranges)


def _ends_section(blocks: Sequence[BlockInfo], after: int | None, level: int) -> bool:
    """Whether nothing but a closing paragraph stands from block ``after`` to the next heading of
    ``level`` or higher (or the end)."""
    for block in blocks[after:] if after is not None else ():
        if block.kind == "heading" and 0 < block.level <= level:
            return True
        if block.kind == "question" and 0 < block.level <= level:
            return True
        if block.kind != "epilogue":
            return False
    return True


def _cut(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    lines = text.split("\n")
    gone: set[int] = set()
    for start, stop in ranges:
        gone.update(range(start, stop))
    kept = [line for number, line in enumerate(lines) if number not in gone]
    result = "\n".join(kept)
    if ranges and ranges[-1][1] >= len(lines) and text.endswith("\n"):
        # The last entry went, and the blank lines before it would be left at the end.
        result = result.rstrip("\n") + "\n"
    return result


def _signature(entries: Sequence[Entry]) -> list[tuple[str, str, str]]:
    return [(e.topic, e.question_md, e.answer_md) for e in entries]


def _tidied(
    document: Document, entries: Sequence[Entry], removed: Sequence[Entry], labels: Labels
) -> TidiedDocument | None:
    """The document without the ``removed`` copies, checked by parsing it again (``None``: they cannot be
    removed so that every other entry stays as it is)."""
    blocks = scan_section(document.text, labels)
    gone = {(e.line, e.question_md) for e in removed}
    expected = _signature([e for e in entries if (e.line, e.question_md) not in gone])
    for with_headings in (True, False):
        text = _cut(document.text, _ranges(document.text, blocks, removed, with_headings))
        if _signature(parse_document(replace(document, text=text), labels).entries) == expected:
            return TidiedDocument(document, text, tuple(sorted(removed, key=lambda e: e.line)))
    return None


def _contents(found: Listing) -> dict[str, str]:
    return {note.guid: note.content for note in found.identification.lock.notes if note.present}


def tidy(options: Options, write: bool = False) -> TidyReport:
    """What removing the redundant copies does to the sources; with ``write``, the tidied documents
    written (all of them or, if one cannot be, none)."""
    found = listing(options)
    labels = labels_of(found.analysis.config)
    left: list[Left] = []
    stale_too: list[Entry] = []
    exact_only: list[Entry] = []
    for item in found.notes:
        removed, kept = redundant(item.note)
        left.extend(kept)
        stale_too.extend(removed)
        stale = set(item.note.stale)
        exact_only.extend(e for e in removed if e not in stale)
    before = _contents(found)
    documents: tuple[TidiedDocument, ...] = ()
    for attempt in (stale_too, exact_only):
        documents, unmovable = _documents(found, attempt, labels)
        tidied = {d.document.path: d.text for d in documents}
        if not documents:
            break
        after = listing(
            options,
            [replace(doc, text=tidied.get(doc.path, doc.text)) for doc in found.analysis.documents],
        )
        if _contents(after) == before:
            left.extend(unmovable)
            if attempt is exact_only:
                left.extend(
                    _note_left(
                        e, "left: removing this stale copy would change a note (it links others into it)"
                    )
                    for e in stale_too
                    if e not in exact_only
                )
            break
        documents = ()
    else:
        if stale_too:
            left.extend(
                _note_left(e, "left: removing the copies would change a note (a copy links others into it)")
                for e in stale_too
            )
    if write and documents:
        _write(options, documents)
    return TidyReport(documents, tuple(sorted(left)), write and bool(documents))


def _documents(
    found: Listing, removed: Sequence[Entry], labels: Labels
) -> tuple[tuple[TidiedDocument, ...], list[Left]]:
    """The documents with these copies removed, and the copies that could not be (with why)."""
    by_path: dict[str, list[Entry]] = {}
    for entry in removed:
        by_path.setdefault(entry.path, []).append(entry)
    documents = []
    unmovable: list[Left] = []
    for document in found.analysis.documents:
        if document.path not in by_path:
            continue
        entries = [e for e in found.analysis.entries if e.path == document.path]
        tidied = _tidied(document, entries, by_path[document.path], labels)
        if tidied is None:
            unmovable.extend(
                _note_left(e, "left: removing this copy would change the entries around it")
                for e in by_path[document.path]
            )
        else:
            documents.append(tidied)
    return tuple(documents), unmovable


def _write(options: Options, documents: Sequence[TidiedDocument]) -> None:
    """Write the tidied documents: each staged beside itself, then all put in place (a failure leaves
    every one as it was)."""
    from filelock import FileLock

    files = [(options.cwd / d.document.path, d) for d in documents]
    contents = []
    refused = []
    for path, tidied in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            message = _("cannot read: {reason}").format(reason=exc.strerror or exc)
            raise Qa2AnkiError(message, tidied.document.path) from None
        written = _as_written(data, tidied)
        if written is None:
            refused.append(tidied.document.path)
        contents.append(written or b"")
    if refused:
        raise Qa2AnkiError(
            _(
                "cannot write back {paths}: not text in one encoding and one kind of newline, changed since "
                "it was read, or with characters reading drops (zero-width spaces, chat-model tokens); "
                "nothing was written (the diff without --write shows what to remove by hand)"
            ).format(paths=", ".join(refused))
        )
    staged: list[tuple[Path, Path]] = []
    with FileLock(lock_guard(lock_path(options))):
        try:
            for (path, _text), data in zip(files, contents, strict=True):
                staged.append((stage(path), path))
                fill(staged[-1][0], data)
            for temporary, path in staged:
                os.replace(temporary, path)
        except OSError as exc:
            raise Qa2AnkiError(
                _("cannot write the tidied sources: {reason}").format(reason=exc.strerror or exc)
            ) from None
        finally:
            for temporary, _path in staged:
                temporary.unlink(missing_ok=True)


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    # UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
"""The byte-order marks a source may start with (see :func:`qa2anki.sources.decode`), and their codecs."""


def _as_written(data: bytes, tidied: TidiedDocument) -> bytes | None:
    """The tidied text as the file is written: in the file's encoding (UTF-8, UTF-16/32 with its
    byte-order mark, or GB18030/GBK), with its newlines; ``None`` for a file with mixed newlines or
    characters reading drops, or changed since it was read: only the removed lines may change."""
    bom, codec = next(((mark, name) for mark, name in _BOMS if data.startswith(mark)), (b"", "utf-8"))
    text = strict_decode(data[len(bom) :], codec)
    if text is None and not bom:
        codec, text = "gb18030", strict_decode(data, "gb18030")
    crlf = text is not None and "\r\n" in text
    if (
        text is None
        or (crlf and text.count("\r\n") != text.count("\n"))
        or text.replace("\r\n", "\n") != tidied.document.text
    ):
        return None
    written = tidied.text.replace("\n", "\r\n") if crlf else tidied.text
    return bom + written.encode(codec)
