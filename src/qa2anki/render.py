"""Notes → the values of their fields and their tags, as the deck shows them.

The HTML of each text comes from the tokens the parser kept (rendered by :mod:`qa2anki.dialect`); this
module puts a note's parts together: question, answer and its alternatives, topic, source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml

from qa2anki.dialect import render_markdown
from qa2anki.normalize import Note
from qa2anki.parse import Entry


@dataclass(frozen=True)
class RenderedNote:
    """The field values and tags of one note, ready for the deck writer."""

    fields: tuple[str, ...]
    """Question, Answer, Topic, Source (see :mod:`qa2anki.notetype`)."""
    tags: tuple[str, ...]
    """Anki tags."""


def location_label(document: str, topic: str) -> str:
    """``document › topic``: where an entry stands, without a line number (one inserted line must not
    change every later note)."""
    return f"{document} › {topic}"


def _with_media(text: str, entry: Entry, media: Mapping[tuple[str, str], str]) -> str:
    """Point the entry's local images at their packed names."""
    for src, _ in entry.images:
        name = media.get((entry.path, src))
        if name is not None:
            text = text.replace(f'src="{escapeHtml(src)}"', f'src="{escapeHtml(name)}"')
    return text


def render_note(note: Note, media: Mapping[tuple[str, str], str] | None = None) -> RenderedNote:
    """The fields of one note. They depend only on the note's content: never on positions.

    The HTML comes from the tokens the parser already made; Markdown is only rendered here for notes
    that were not parsed from a document (built by hand, in tests). ``media`` maps (entry path, image
    ``src``) to the name the image is packed under (see :mod:`qa2anki.media`)."""
    names = media or {}
    question = _with_media(note.question_html or render_markdown(note.question_md), note.shown, names)
    answer = _with_media(note.answer_html or render_markdown(note.answer_md), note.shown, names)
    for alternative in note.alternatives:
        label = html.escape(f"另一种答案（{location_label(alternative.document, alternative.topic)}）")
        body = _with_media(
            alternative.answer_html or render_markdown(alternative.answer_md), alternative, names
        )
        answer += (
            f'\n<div class="qa-alternative"><div class="qa-alternative-label">{label}</div>\n{body}\n</div>'
        )
    return RenderedNote(
        fields=(
            question,
            answer,
            html.escape(" / ".join(note.topics)),
            "<br>".join(html.escape(location_label(d, t)) for d, t in note.locations),
        ),
        tags=note.tags,
    )


_TAG_RE = re.compile(r"<[^>]*>")
_SEARCH_UNSAFE = ("<", ">", "&", "\n", "\r", "\t")


def html_text(field: str) -> str:
    """A field's text as Anki reads it without HTML: tags left out, entities decoded."""
    return html.unescape(_TAG_RE.sub("", field)).strip()


def _escaped(text: str) -> str:
    """Text for inside a quoted Anki search term: its backslashes and quotes escaped."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _literal(text: str) -> str:
    """Text for inside a quoted Anki search term, Anki's wildcards (``*``, ``_``) taken literally too."""
    return _escaped(text).replace("*", "\\*").replace("_", "\\_")


def anki_search(
    deck: str, notetype_id: int, question_md: str, tags: Sequence[str] = (), without: Sequence[str] = ()
) -> str:
    """An Anki search (Browse) that finds the note whose card shows this question in this deck, with
    every tag of ``tags`` and none of ``without`` (what tells it from notes with the same question).

    Anki cannot search by GUID, so it is the question: ``dupe:`` finds the notes of a note type whose
    first field (Question), without HTML, is exactly the text. A question whose text has what Anki would
    read as HTML, or spans lines, is found by a field search for its longest run of text on one line
    instead."""
    field = render_markdown(question_md)
    text = html_text(field)
    terms = [f'"deck:{_literal(deck)}"']
    if text and not any(c in text for c in _SEARCH_UNSAFE):
        # dupe: takes its text as it is: only quotes and backslashes are escaped.
        terms.append(f'"dupe:{notetype_id},{_escaped(text)}"')
    else:
        runs = [line.strip() for run in _TAG_RE.split(field) for line in run.splitlines()]
        terms.append(f'"Question:*{_literal(max(runs, key=len, default=""))}*"')
    terms += [f'"tag:{_literal(tag)}"' for tag in tags]
    terms += [f'-"tag:{_literal(tag)}"' for tag in without]
    return " ".join(terms)
