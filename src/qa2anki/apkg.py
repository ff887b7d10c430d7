"""Write the ``.apkg``. The only module that imports genanki, and the place its sharp edges are filed off:

* genanki writes the collection (schema, configuration, deck, note type); the notes and cards go in as
  one batch each, with the rows genanki's ``Note.write_to_db`` writes and after the checks it makes
  (field count, HTML tags that look unescaped, tags without spaces) — its per-note objects and
  statements cost seconds on a large deck (``tests/test_apkg.py`` compares both ways);
* every note gets an explicit GUID and its own mod time (genanki stamps all notes with one timestamp);
* the package timestamp is passed in, so note and card ids are reproducible;
* genanki's temporary SQLite file is made by us, in a folder we delete, and streamed into the zip;
* the zip is written by us, with entries in a fixed order and a fixed date, so the same input gives the
  same bytes; the collection is deflated in pieces on two cores (each piece on its own, joined into one
  deflate stream, so the bytes do not depend on the number of cores);
* genanki's warnings are errors.

The deck's bytes are returned, not written: the build puts them in place together with the lock.
"""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
import struct
import tempfile
import warnings
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import genanki

from qa2anki.errors import Qa2AnkiError
from qa2anki.i18n import gettext as _
from qa2anki.media import MediaFile
from qa2anki.notetype import NoteType

_LEVEL = 1
"""Deflate level: a collection is mostly text that compresses well even at the fastest level."""
PAGE_SIZE = 16 << 10
"""The collection's SQLite page size, bytes."""
PIECE = 4 << 20
"""Bytes of the collection deflated as one piece (pieces are deflated side by side)."""


class DeckNote(NamedTuple):
    """One note as the deck writer needs it (a named tuple: a deck holds a great many)."""

    guid: str
    """Anki GUID."""
    fields: tuple[str, ...]
    """Field values (HTML), in the note type's order."""
    tags: tuple[str, ...]
    """Anki tags (no spaces)."""
    mod: int
    """The note's mod time, seconds."""
    checked: bool = False
    """Its fields and tags passed genanki's checks when an earlier build wrote them (a note carried over
    unchanged, see :mod:`qa2anki.carry`): they need not be searched again."""


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
                    # A scratch file, read once into the zip: no journal, no waiting for the disk (neither
                    # changes the file's bytes).
                    connection.execute("PRAGMA journal_mode=OFF")
                    connection.execute("PRAGMA synchronous=OFF")
                    # Pages of 16 KB rather than 4 KB: the rows go in about 15% faster, and the file
                    # (which Anki opens with any page size) is 9% smaller.
                    connection.execute(f"PRAGMA page_size={PAGE_SIZE}")
                    cursor = connection.cursor()
                    # genanki writes the collection: schema, configuration, deck and note type ...
                    package.write_to_db(cursor, notetype_mod, ids)
                    # ... and the notes and cards go in as one batch each (genanki's per-note objects
                    # and statements cost seconds at 100,000 notes), with the rows genanki would write.
                    plan = _plan(model, notes, ids)
                    # Indexes made after the rows, in one pass each, rather than grown row by row.
                    indexes = cursor.execute(_INDEXES).fetchall()
                    for name, _sql in indexes:
                        cursor.execute(f'DROP INDEX "{name}"')
                    cursor.executemany(_NOTE_ROW, _note_rows(model, notes, plan))
                    cursor.executemany(_CARD_ROW, _card_rows(deck_id, notes, plan))
                    for _name, sql in indexes:
                        cursor.execute(sql)
                    connection.commit()
                finally:
                    connection.close()
                return _zip(db_path, media)
        except (Warning, ValueError, TypeError) as exc:
            raise Qa2AnkiError(_("cannot write the deck: {reason}").format(reason=exc)) from None


_INDEXES = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('notes', 'cards')"
    " AND sql IS NOT NULL ORDER BY rowid"
)
"""genanki's indexes on the tables the notes and cards go into, in the order it made them."""
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
        # A tag genanki finds in one field it also finds in the fields joined (tests/test_apkg.py): one
        # search per note, and one per field only for a note that has one.
        if not note.checked and invalid_tags("\x1f".join(note.fields)):
            for field in note.fields:
                if invalid := invalid_tags(field):
                    raise ValueError(f"a field contains invalid HTML tags: {' '.join(invalid)}")
        for tag in () if note.checked else note.tags:
            if " " in tag:
                raise ValueError(f"tag {tag!r} contains a space")
        note_id = next(ids)
        fields = note.fields
        cards = [
            (next(ids), card_ord) for card_ord, test, ords in requirements if test([fields[i] for i in ords])
        ]
        plan.append((note_id, cards))
    return plan


def _note_rows(
    model: Any, notes: Sequence[DeckNote], plan: list[tuple[int, list[tuple[int, int]]]]
) -> Iterator[tuple[object, ...]]:
    sort_field = model.sort_field_index
    for note, (note_id, _unused) in zip(notes, plan, strict=True):
        tags = " " + " ".join(note.tags) + " "
        flds = "\x1f".join(note.fields)
        # The sort field cut from the joined fields, not the field itself: sqlite3 keeps a UTF-8 copy of
        # every text it binds inside the text, for as long as the text lives (the field lives on).
        start = sum(len(field) + 1 for field in note.fields[:sort_field])
        yield (
            note_id,
            note.guid,
            model.model_id,
            note.mod,
            -1,
            tags,
            flds,
            flds[start : start + len(note.fields[sort_field])],
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
    """The package: the collection, the media map and the media files, in that order."""
    ordered_media = sorted(media, key=lambda m: m.name)
    media_map = json.dumps({str(i): m.name for i, m in enumerate(ordered_media)}).encode()
    with ThreadPoolExecutor(max_workers=2) as pool, collection.open("rb") as source:
        archive = _Archive(pool)
        # Read a piece at a time: a large collection is never held in memory whole.
        archive.add("collection.anki2", iter(lambda: source.read(PIECE), b""))
        archive.add("media", [media_map])
        for i, item in enumerate(ordered_media):
            archive.add(str(i), [item.data])
        return archive.close()


def _deflate(piece: bytes, last: bool) -> bytes:
    """One piece as raw deflate blocks, ending on a byte boundary (``last``: with the final block)."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(piece) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


_DOS_DATE = (0 << 9) | (1 << 5) | 1
"""1980-01-01, the zip format's first day: every entry's date, so the bytes do not depend on the clock."""
_LIMIT = 0xFFFFFFFF


class _Archive:
    """A zip archive of deflated files, written to memory (no ZIP64: a deck is far below 4 GB)."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.out = io.BytesIO()
        self.directory: list[bytes] = []

    def add(self, name: str, pieces: Iterable[bytes]) -> None:
        """Add a file given as pieces of its bytes; the pieces are deflated two at a time, side by side
        (zlib lets go of the interpreter while it works)."""
        crc, size = 0, 0
        deflated: list[bytes] = []
        pending: list[bytes] = []
        for piece in itertools.chain(pieces, [b""]):
            # Each piece is deflated on its own (no back-references into the one before), so the joined
            # pieces are one valid stream whatever the number of workers.
            if pending and (len(pending) == 2 or not piece):
                lasts = [False] * (len(pending) - 1) + [not piece]
                deflated.extend(self.pool.map(_deflate, pending, lasts))
                pending = []
            if piece:
                crc = zlib.crc32(piece, crc)
                size += len(piece)
                pending.append(piece)
        if not deflated:
            deflated.append(_deflate(b"", True))
        packed = sum(map(len, deflated))
        offset = self.out.tell()
        if max(size, packed, offset) >= _LIMIT or len(self.directory) >= 0xFFFF:
            raise ValueError("the deck would be larger than 4 GB or hold more than 65,534 media files")
        encoded = name.encode()
        fields = (20, 0, 8, 0, _DOS_DATE, crc, packed, size, len(encoded), 0)
        self.out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + encoded)
        self.out.writelines(deflated)
        # Made by Unix (3), version 2.0; mode 0644.
        self.directory.append(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 3 << 8 | 20, *fields, 0, 0, 0, 0o644 << 16, offset)
            + encoded
        )

    def close(self) -> bytes:
        """The archive's bytes, with its central directory."""
        start = self.out.tell()
        self.out.writelines(self.directory)
        count, length = len(self.directory), self.out.tell() - start
        self.out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, length, start, 0))
        return self.out.getvalue()
