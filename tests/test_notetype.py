"""The published note type's schema: changing it breaks every user's re-import, so it is pinned here."""

from __future__ import annotations

from qa2anki.notetype import NOTE_TYPE


def test_schema_is_frozen() -> None:
    """Model id, field names and order, and template names never change."""
    assert NOTE_TYPE.schema == {
        "id": 1732801987,
        "fields": ["Question", "Answer", "Topic", "Source"],
        "templates": ["Card 1"],
    }


def test_templates_use_every_field() -> None:
    """Each field appears in the card templates, so nothing built is invisible."""
    _, front, back = NOTE_TYPE.templates[0]
    for name in NOTE_TYPE.fields:
        assert "{{" + name + "}}" in front + back
