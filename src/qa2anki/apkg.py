"""Write the ``.apkg``. The only module that imports genanki, and the place its sharp edges are filed off:

* genanki writes the collection (schema, configuration, deck, note type); the notes and cards go in as
  one batch each, with the rows genanki's ``Note.write_to_db`` writes and after the checks it makes
  (field count, HTML tags that look unescaped, tags without spaces) — its per-note objects and
  statements cost seconds on a large deck (``tests/test_apkg.py`` compares both ways);
* every note gets an explicit GUID and its own mod time (genanki stamps all notes with one timestamp);
* the package timestamp is passed in, so note and card ids are reproducible;
* genanki's temporary SQLite file is made by us, in a folder we delete, and streamed into the zip;
* the zip is written by us, with entries in a fixed order and a fixed date, so the same input gives the
  same bytes;
* genanki's warnings are errors;
* the file appears by atomic rename: a failed write leaves the previous deck as it was.
"""

from __future__ import annotations

import io
import itertools
import json
import shutil
import sqlite3
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from qa2anki.atomic import write_atomic
from qa2anki.errors import Qa2AnkiError
from qa2anki.media import MediaFile
from qa2anki.notetype import NoteType

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LEVEL = 1
"""Deflate level: a collection is mostly text that compresses well even at the fastest level."""


@dataclass(frozen=True)
class DeckNote:
    """One note as the deck writer needs it."""

    guid: str
    """Anki GUID."""
    fields: tuple[str, ...]
    """Field values (HTML), in the note type's order."""
    tags: tuple[str, ...]
    """Anki tags (no spaces)."""
    mod: int
    """The note's mod time, seconds."""


def _model(notetype: NoteType) -> Any:
    return genanki.Model(
        notetype.id,
        notetype.name,
        fields=[{"name": name} for name in notetype.fields],
        templates=[{"name": name, "qfmt": front, "afmt": back} for name, front, back in notetype.templates],
        css=notetype.css,
        sort_field_index=0,
    )


def apkg_bytes(
    deck_name: str,
    deck_id: int,
    notetype: NoteType,
    notetype_mod: int,
    notes: Sequence[DeckNote],
    media: Sequence[MediaFile] = (),
) -> bytes:
    """The ``.apkg`` as bytes. Deterministic: the same arguments give the same bytes."""
    model = _model(notetype)
    deck = genanki.Deck(deck_id, deck_name)
    deck.add_model(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            package = genanki.Package(deck)
            start = max([notetype_mod, *(n.mod for n in notes)])
            # Note and card ids count up from the newest mod, so they are reproducible.
            ids = itertools.count(start * 1000)
            with tempfile.TemporaryDirectory(prefix="qa2anki-") as tmp:
                db_path = Path(tmp) / "collection.anki2"
                connection = sqlite3.connect(db_path)
                try:
                    cursor = connection.cursor()
                    # genanki writes the collection: schema, configuration, deck and note type ...
                    package.write_to_db(cursor, notetype_mod, ids)
                    # ... and the notes and cards go in as one batch each (genanki's per-note objects
                    # and statements cost seconds at 100,000 notes), with the rows genanki would write.
                    plan = _plan(model, notes, ids)
                    cursor.executemany(_NOTE_ROW, _note_rows(model, notes, plan))
                    cursor.executemany(_CARD_ROW, _card_rows(deck_id, notes, plan))
                    connection.commit()
                finally:
                    connection.close()
                return _zip(db_path, media)
        except (Warning, ValueError, TypeError) as exc:
            raise Qa2AnkiError(f"cannot write the deck: {exc}") from None


_NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


def _plan(
    model: Any, notes: Sequence[DeckNote], ids: Iterator[int]
) -> list[tuple[int, list[tuple[int, int]]]]:
    """Each note's id and its cards' (id, template ordinal), checked and numbered as genanki's
    ``Note.write_to_db`` does: the note, then its cards, in order."""
    requirements = [(card_ord, any if how == "any" else all, ords) for card_ord, how, ords in model._req]
    invalid_tags = genanki.Note._find_invalid_html_tags_in_field
    plan = []
    for note in notes:
        if len(note.fields) != len(model.fields):
            raise ValueError(f"the note type has {len(model.fields)} fields, a note has {len(note.fields)}")
        for field in note.fields:
            if invalid := invalid_tags(field):
                raise ValueError(f"a field contains invalid HTML tags: {' '.join(invalid)}")
        for tag in note.tags:
            if " " in tag:
                raise ValueError(f"tag {tag!r} contains a space")
        note_id = next(ids)
        cards = [
            (next(ids), card_ord)
            for card_ord, test, ords in requirements
            if test(note.fields[i] for i in ords)
        ]
        plan.append((note_id, cards))
    return plan


def _note_rows(
    model: Any, notes: Sequence[DeckNote], plan: list[tuple[int, list[tuple[int, int]]]]
) -> Iterator[tuple[object, ...]]:
    sort_field = model.sort_field_index
    for note, (note_id, _) in zip(notes, plan, strict=True):
        tags = " " + " ".join(note.tags) + " "
        flds = "\x1f".join(note.fields)
        yield (
            note_id,
            note.guid,
            model.model_id,
            note.mod,
            -1,
            tags,
            flds,
            note.fields[sort_field],
            0,
            0,
            "",
        )


def _card_rows(
    deck_id: int, notes: Sequence[DeckNote], plan: list[tuple[int, list[tuple[int, int]]]]
) -> Iterator[tuple[object, ...]]:
    # Position in the deck is the new-card order (genanki's ``due``).
    for position, (note, (note_id, cards)) in enumerate(zip(notes, plan, strict=True)):
        for card_id, card_ord in cards:
            yield (
                card_id,
                note_id,
                deck_id,
                card_ord,
                note.mod,
                -1,
                0,
                0,
                position,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                "",
            )


def _zip(collection: Path, media: Sequence[MediaFile]) -> bytes:
    buffer = io.BytesIO()
    ordered_media = sorted(media, key=lambda m: m.name)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as archive:
        # Streamed from the file: a large collection is never held in memory whole.
        with (
            collection.open("rb") as source,
            archive.open(_info("collection.anki2", collection.stat().st_size), "w") as target,
        ):
            shutil.copyfileobj(source, target, 1 << 20)
        _add(archive, "media", json.dumps({str(i): m.name for i, m in enumerate(ordered_media)}).encode())
        for i, item in enumerate(ordered_media):
            _add(archive, str(i), item.data)
    return buffer.getvalue()


def _info(name: str, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.file_size = size  # known up front when streaming: the zip64 decision needs it
    # ZipFile.open(info, "w") takes the level from the info (public only since Python 3.13).
    setattr(info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", _LEVEL)
    return info


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(_info(name), data, compresslevel=_LEVEL)


def write_apkg(path: Path, data: bytes) -> None:
    """Put the deck in place atomically."""
    write_atomic(path, data)
