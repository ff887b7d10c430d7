"""The deck writer puts into the collection exactly what genanki's own note writer would."""

from __future__ import annotations

import io
import itertools
import sqlite3
import sys
import zipfile
from pathlib import Path

import genanki
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki import apkg
from qa2anki.apkg import PAGE_SIZE, DeckNote, _model, apkg_bytes
from qa2anki.errors import Qa2AnkiError
from qa2anki.media import MediaFile
from qa2anki.notetype import NOTE_TYPE

NOTES = [
    DeckNote(
        "guid-a",
        ("<p>问？</p>", "<p>答。</p>", "主题", "a.md › 主题"),
        ("主题::一", "文档::a"),
        1_700_000_100,
    ),
    DeckNote("guid-b", ("<p>B</p>", "<ol><li>x</li></ol>", "", ""), (), 1_700_000_050),
    DeckNote(
        "guid-c", ("C &lt;tag&gt;", "<pre><code>a &lt; b</code></pre>", "t", "s"), ("x",), 1_700_000_000
    ),
]


class _Note(genanki.Note):  # type: ignore[misc]
    """genanki's note, writing its own mod time (as qa2anki asks for)."""

    def __init__(self, mod: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: object, timestamp: float, deck_id: int, id_gen: object) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def _genanki_collection(tmp_path: Path, notes: list[DeckNote], notetype_mod: int) -> Path:
    model = _model(NOTE_TYPE)
    deck = genanki.Deck(2059400110, "Deck")
    deck.add_model(model)  # qa2anki's deck has its note type even before it has notes
    for position, note in enumerate(notes):
        fields, tags = list(note.fields), list(note.tags)
        deck.add_note(_Note(note.mod, model=model, fields=fields, tags=tags, guid=note.guid, due=position))
    start = max([notetype_mod, *(n.mod for n in notes)])
    path = tmp_path / "reference.anki2"
    connection = sqlite3.connect(path)
    genanki.Package(deck).write_to_db(connection.cursor(), notetype_mod, itertools.count(start * 1000))
    connection.commit()
    connection.close()
    return path


def _ours(tmp_path: Path, notes: list[DeckNote], notetype_mod: int) -> Path:
    data = apkg_bytes("Deck", 2059400110, NOTE_TYPE, notetype_mod, notes)
    path = tmp_path / "ours.anki2"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path.write_bytes(archive.read("collection.anki2"))
    return path


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute("select name from sqlite_master order by name")]
        schema = connection.execute("select type, name, tbl_name, sql from sqlite_master order by name")
        tables = {"sqlite_master": sorted(schema.fetchall(), key=repr)}
        for name in names:
            if (
                connection.execute("select type from sqlite_master where name = ?", (name,)).fetchone()[0]
                == "table"
            ):
                tables[name] = sorted(connection.execute(f"select * from {name}").fetchall(), key=repr)
        return tables
    finally:
        connection.close()


def test_rows_equal_genankis_note_writer(tmp_path: Path) -> None:
    """Every table of the collection holds the same rows as when genanki writes each note itself."""
    assert _tables(_ours(tmp_path, NOTES, 1_699_999_000)) == _tables(
        _genanki_collection(tmp_path, NOTES, 1_699_999_000)
    )


def test_collection_pages_and_indexes(tmp_path: Path) -> None:
    """The collection is written with its larger pages, and its indexes (made after the rows) hold every
    note and card: SQLite finds nothing wrong with it."""
    connection = sqlite3.connect(_ours(tmp_path, NOTES, 1_699_999_000))
    try:
        assert connection.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plan = connection.execute("EXPLAIN QUERY PLAN SELECT id FROM cards WHERE nid = 1").fetchall()
        assert "ix_cards_nid" in str(plan)
    finally:
        connection.close()


def test_no_notes(tmp_path: Path) -> None:
    """A deck without notes still holds the note type and deck, as genanki writes them."""
    assert _tables(_ours(tmp_path, [], 1_699_999_000)) == _tables(
        _genanki_collection(tmp_path, [], 1_699_999_000)
    )


@pytest.mark.parametrize(
    "note",
    [
        DeckNote("g", ("only", "three", "fields"), (), 1),
        DeckNote("g", ("<p>q</p>", "x <= y > z", "", ""), (), 1),
        DeckNote("g", ("q", "a", "", ""), ("two words",), 1),
    ],
    ids=["field-count", "unescaped-tag", "tag-with-space"],
)
def test_what_genanki_refuses_is_an_error(note: DeckNote) -> None:
    """A note genanki would refuse (or warn about) stops the deck with a Qa2AnkiError."""
    with pytest.raises(Qa2AnkiError, match="cannot write the deck"):
        apkg_bytes("Deck", 1, NOTE_TYPE, 1, [note])


def test_writing_the_deck_leaves_the_fields_as_small_as_they_were() -> None:
    """sqlite3 keeps a UTF-8 copy inside every text it binds, for as long as the text lives: the notes'
    fields live on after the deck is written, so none of them is bound itself."""
    notes = [DeckNote(f"g{n}", (f"<p>问题{n}？</p>", f"<p>答案{n}。</p>", "", ""), (), 1) for n in range(3)]
    sizes = [[sys.getsizeof(field) for field in note.fields] for note in notes]
    apkg_bytes("Deck", 1, NOTE_TYPE, 1, notes)
    assert [[sys.getsizeof(field) for field in note.fields] for note in notes] == sizes


@pytest.mark.parametrize("piece", [7, 4096, 1 << 22])
def test_collection_deflated_in_pieces_is_a_valid_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    """Deflated in pieces of any size, side by side, the package is a valid zip whose files are exactly
    the collection, the media map and the media, with fixed dates and the same bytes as deflating it
    whole would give once unpacked."""
    notes = [DeckNote(f"g{i}", n.fields, n.tags, n.mod) for i, n in enumerate(NOTES * 40)]
    monkeypatch.setattr(apkg, "PIECE", 1 << 30)
    whole = _ours(tmp_path, notes, 1_700_000_000).read_bytes()
    monkeypatch.setattr(apkg, "PIECE", piece)
    media = [MediaFile("b.png", b"\x89PNG" * 100), MediaFile("a.gif", b"")]
    data = apkg_bytes("Deck", 2059400110, NOTE_TYPE, 1_700_000_000, notes, media)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["collection.anki2", "media", "0", "1"]
        assert archive.read("collection.anki2") == whole
        assert archive.read("media") == b'{"0": "a.gif", "1": "b.png"}'
        assert (archive.read("0"), archive.read("1")) == (b"", b"\x89PNG" * 100)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}
    assert len(whole) > 4 * 4096  # several pieces but for the largest size


@given(st.lists(st.text(alphabet="<>/ a1!-[]\n\x1fCDAT", max_size=12), min_size=1, max_size=4))
@settings(max_examples=1000, deadline=None)
def test_a_tag_genanki_finds_in_a_field_it_finds_in_the_joined_fields(fields: list[str]) -> None:
    """An invalid HTML tag genanki finds in any one field it also finds in the fields joined, so the deck
    writer can search each note once and each field only when that finds something."""
    find = genanki.Note._find_invalid_html_tags_in_field
    if any(find(field) for field in fields):
        assert find("\x1f".join(fields))
