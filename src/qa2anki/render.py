"""Notes → the HTML of their fields. Safe by construction: raw HTML in the sources is shown as text.

Cards are shown in Anki's web view, so nothing from the sources may become live markup: markdown-it-py
runs with ``html`` off (``<script>`` comes out as ``&lt;script&gt;``), and links and images are only kept
for ``http``, ``https``, ``mailto`` and plain relative targets (no ``javascript:``, ``data:``, ``file:``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

if TYPE_CHECKING:
    from qa2anki.normalize import Note
    from qa2anki.parse import Entry

RENDER_VERSION = 1
"""Bumped whenever the HTML for the same Markdown changes, so that every note's content counts as changed."""

_SAFE_URL_RE = re.compile(r"^(?:https?://|mailto:|[^:]*$)", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def safe_url(url: str) -> bool:
    """True for web, mail and relative targets; false for every other scheme."""
    stripped = "".join(ch for ch in url if ch.isprintable() and not ch.isspace())
    if _SCHEME_RE.match(stripped):
        return bool(re.match(r"^(?:https?|mailto):", stripped, re.IGNORECASE))
    return bool(_SAFE_URL_RE.match(stripped))


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return '<div class="qa-table">' + str(self.renderToken(tokens, idx, options, env))


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return str(self.renderToken(tokens, idx, options, env)) + "</div>\n"


@cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.validateLink = safe_url  # type: ignore[method-assign]
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


def markdown_parser() -> MarkdownIt:
    """The one Markdown dialect qa2anki reads and renders: CommonMark + tables + strikethrough, raw HTML
    off, safe links only. The parser uses it too, so the tokens it renders are already safe."""
    return _markdown()


def render_tokens(tokens: Sequence[Token]) -> str:
    """Block tokens (from :func:`markdown_parser`) → safe HTML."""
    md = _markdown()
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered.strip()


def render_inline(children: Sequence[Token]) -> str:
    """Inline tokens (part of a paragraph the parser made) → a safe ``<p>`` paragraph, or ``""``."""
    if not children:
        return ""
    md = _markdown()
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    inner = renderer.renderInline(children, md.options, {})
    return f"<p>{inner.strip()}</p>" if inner.strip() else ""


def render_markdown(text: str) -> str:
    """Markdown → safe HTML."""
    rendered: str = _markdown().render(text)
    return rendered.strip()


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
