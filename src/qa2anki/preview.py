"""The preview page: every note of a build as Anki will show it, in one self-contained HTML file.

Each card's front and back are rendered with the note type's own templates (``{{Field}}``,
``{{FrontSide}}``, ``{{#Field}}…{{/Field}}`` are substituted here, as Anki does) and shown under its CSS,
beside the note's tags and every source location merged into it. The page needs nothing else: local
images are inlined as ``data:`` URIs (the cards themselves keep their media names), and the only script
is the search box's filter and a night-mode switch — in the page, never in the cards. A Content Security
Policy lets no other script run. MathJax is not bundled: math shows as its TeX source here, and Anki
typesets it.

Pure: takes a build report, returns the page's text; the CLI writes it. genanki is never imported.
"""

from __future__ import annotations

import base64
import hashlib
import html
import mimetypes
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa2anki.build import Listing
from qa2anki.errors import Problem
from qa2anki.i18n import gettext as _
from qa2anki.i18n import ngettext
from qa2anki.notetype import NOTE_TYPE, NoteType
from qa2anki.render import location_label, render_note


@dataclass(frozen=True)
class PreviewSource:
    """One place a note came from."""

    path: str
    """The file, as the user named it."""
    line: int
    """1-based line of its question."""
    label: str
    """``file › section``, as the Source field says."""
    kind: str
    """How it joined the note: ``canonical``, ``exact``, ``near``, ``truncated`` or ``conflict``."""


@dataclass(frozen=True)
class PreviewNote:
    """One note, rendered as the deck has it."""

    guid: str
    """Its Anki GUID."""
    status: str
    """Added, updated, unchanged, re-identified or revived, relative to the lock."""
    fields: tuple[str, ...]
    """The field values (HTML), in the note type's field order."""
    tags: tuple[str, ...]
    """Its Anki tags."""
    sources: tuple[PreviewSource, ...]
    """Every entry merged into it."""


def preview_notes(report: Listing) -> list[PreviewNote]:
    """The notes of a (dry-run) build, with their fields rendered exactly as the deck writer gets them."""
    notes = []
    for item in report.notes:
        rendered = render_note(item.note, report.analysis.media.names)
        sources = tuple(
            PreviewSource(m.entry.path, m.entry.line, location_label(m.entry.document, m.entry.topic), m.kind)
            for m in item.note.merges
        )
        notes.append(PreviewNote(item.guid, item.status.value, rendered.fields, rendered.tags, sources))
    return notes


_SECTION_RE = re.compile(r"\{\{([#^])\s*([^{}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.DOTALL)
_FIELD_RE = re.compile(r"\{\{\s*([^{}#^/]+?)\s*\}\}")


def render_template(template: str, fields: Mapping[str, str]) -> str:
    """Anki's card template language, as far as qa2anki's templates use it: ``{{Field}}``,
    ``{{#Field}}…{{/Field}}`` (shown when the field is not empty) and ``{{^Field}}…{{/Field}}`` (when it
    is). Field values are inserted in one pass, so ``{{…}}`` inside a field is never substituted."""

    def section(match: re.Match[str]) -> str:
        negated, name, body = match.group(1) == "^", match.group(2), match.group(3)
        if name not in fields:
            raise ValueError(f"the template uses an unknown field: {name}")
        return body if bool(fields[name].strip()) != negated else ""

    previous = None
    while previous != template:
        previous, template = template, _SECTION_RE.sub(section, template)

    def field(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fields:
            raise ValueError(f"the template uses an unknown field: {name}")
        return fields[name]

    return _FIELD_RE.sub(field, template)


def card_sides(fields: Sequence[str], note_type: NoteType = NOTE_TYPE) -> list[tuple[str, str]]:
    """(front, back) HTML of each card of a note: its first template first."""
    values = dict(zip(note_type.fields, fields, strict=True))
    sides = []
    for _name, front_template, back_template in note_type.templates:
        front = render_template(front_template, values)
        sides.append((front, render_template(back_template, {**values, "FrontSide": front})))
    return sides


_IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "svg": "image/svg+xml",
    "webp": "image/webp",
    "avif": "image/avif",
    "bmp": "image/bmp",
    "ico": "image/x-icon",
}
"""The types of the usual image files, independent of the system's MIME table."""
_SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")')


def inline_media(text: str, files: Mapping[str, bytes]) -> str:
    """Point the images a card packs at ``data:`` URIs, so the page shows them on its own."""

    def data_uri(match: re.Match[str]) -> str:
        name = html.unescape(match.group(2))
        if name not in files:
            return match.group(0)
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        mime = _IMAGE_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        encoded = base64.b64encode(files[name]).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{encoded}{match.group(3)}"

    return _SRC_RE.sub(data_uri, text)


_SCRIPT = """
(() => {
  const box = document.getElementById("pv-search");
  const night = document.getElementById("pv-night");
  const count = document.getElementById("pv-count");
  const notes = Array.from(document.querySelectorAll(".pv-note"));
  const filter = () => {
    const words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const note of notes) {
      const text = note.textContent.toLowerCase();
      note.hidden = !words.every((word) => text.includes(word));
      if (!note.hidden) shown += 1;
    }
    count.textContent = `${shown} / ${notes.length}`;
  };
  const shade = () => {
    for (const card of document.querySelectorAll(".card")) {
      card.classList.toggle("nightMode", night.checked);
      card.classList.toggle("night_mode", night.checked);
    }
  };
  box.addEventListener("input", filter);
  night.addEventListener("change", shade);
  // The page's address can preset both: preview.html#night&q=LoRA
  const preset = new URLSearchParams(location.hash.slice(1));
  night.checked = night.checked || preset.has("night");
  if (preset.has("q")) box.value = preset.get("q");
  filter();
  shade();
})();
"""

_PAGE_CSS = """\
body.pv-page { margin: 0; background: #f6f8fa; color: #1f2328;
  font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }
.pv-header { position: sticky; top: 0; z-index: 1; background: #ffffffee; border-bottom: 1px solid #d0d7de;
  padding: 10px 20px; display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; }
.pv-header h1 { font-size: 18px; margin: 0; }
.pv-summary, .pv-hint { font-size: 13px; color: #656d76; }
#pv-search { font-size: 15px; padding: 5px 10px; min-width: 16em; border: 1px solid #d0d7de;
  border-radius: 6px; }
.pv-problems { margin: 12px 20px; padding: 8px 12px; background: #fff8c5; border: 1px solid #d4a72c;
  border-radius: 6px; font-size: 13px; }
.pv-problems ul { margin: 4px 0; padding-left: 1.4em; }
.pv-notes { padding: 12px 20px 40px; }
.pv-note { background: #ffffff; border: 1px solid #d0d7de; border-radius: 8px; margin: 0 0 16px;
  padding: 10px 14px; }
.pv-meta { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: baseline; font-size: 13px; }
.pv-number { font-weight: 600; }
.pv-guid { font-family: ui-monospace, Menlo, Consolas, monospace; color: #656d76; }
.pv-status { border-radius: 10px; padding: 0 8px; background: #eaeef2; }
.pv-status-added, .pv-status-revived { background: #dafbe1; }
.pv-status-updated, .pv-status-reidentified { background: #fff8c5; }
.pv-tag { border: 1px solid #d0d7de; border-radius: 10px; padding: 0 8px; color: #0550ae; }
.pv-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(20em, 1fr)); gap: 12px;
  margin: 8px 0; align-items: start; }
.pv-side { border: 1px solid #d0d7de; border-radius: 6px; overflow: hidden; }
.pv-side-label { font-size: 12px; color: #656d76; background: #f6f8fa; padding: 2px 8px;
  border-bottom: 1px solid #d0d7de; }
.pv-side > .card { min-height: 3em; padding-top: 4px; padding-bottom: 8px; }
.pv-sources { font-size: 12px; color: #656d76; margin: 0; padding-left: 1.4em; }
.pv-kind { font-style: italic; }
"""


_LIVE_SCRIPT = """
(() => {
  // Served by `qa2anki preview --watch`: ask the server which build it has; reload when it is newer.
  const shown = document.documentElement.dataset.build;
  const ask = async () => {
    try {
      const answer = await fetch("/build", { cache: "no-store" });
      if (answer.ok && (await answer.text()) !== shown) location.reload();
    } catch (error) {
      // The watcher stopped: keep the page as it is.
    }
  };
  setInterval(ask, 1000);
})();
"""


def _csp(*scripts: str) -> str:
    """Only the page's own scripts may run; images may be inline or on the web; nothing else loads
    (a live page may also ask its own server for the build it has)."""
    digests = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"
        for script in scripts
    )
    connect = "; connect-src 'self'" if _LIVE_SCRIPT in scripts else ""
    return (
        f"default-src 'none'; script-src {digests}; style-src 'unsafe-inline'; "
        f"img-src data: http: https:; font-src data:{connect}"
    )


def _note_html(number: int, note: PreviewNote, files: Mapping[str, bytes], note_type: NoteType) -> str:
    esc = html.escape
    parts = [f'<article class="pv-note" id="note-{esc(note.guid)}">', '<div class="pv-meta">']
    parts.append(f'<span class="pv-number">#{number}</span>')
    parts.append(f'<span class="pv-status pv-status-{esc(note.status)}">{esc(_(note.status))}</span>')
    parts.append(f'<span class="pv-guid">{esc(note.guid)}</span>')
    parts.extend(f'<span class="pv-tag">{esc(tag)}</span>' for tag in note.tags)
    parts.append("</div>")
    for index, (front, back) in enumerate(card_sides(note.fields, note_type)):
        card = f"card card{index + 1}"
        parts.append('<div class="pv-sides">')
        for label, side in ((_("Front"), front), (_("Back"), back)):
            parts.append(
                f'<section class="pv-side"><div class="pv-side-label">{label}</div>'
                f'<div class="{card}">{inline_media(side, files)}</div></section>'
            )
        parts.append("</div>")
    parts.append('<ul class="pv-sources">')
    for source in note.sources:
        parts.append(
            f"<li>{esc(source.path)}:{source.line} — {esc(source.label)} "
            f'<span class="pv-kind">({esc(_(source.kind))})</span></li>'
        )
    parts.append("</ul></article>")
    return "\n".join(parts)


def render_page(
    notes: Sequence[PreviewNote],
    title: str,
    files: Mapping[str, bytes] | None = None,
    problems: Sequence[Problem] = (),
    note_type: NoteType = NOTE_TYPE,
    live_build: str | None = None,
) -> str:
    """The whole page: a header with the search box, any problems, then every note. With ``live_build``
    the page is that build of ``preview --watch``: it reloads itself when its server has another one."""
    esc = html.escape
    scripts = (_SCRIPT,) if live_build is None else (_SCRIPT, _LIVE_SCRIPT)
    build_attribute = "" if live_build is None else f' data-build="{esc(live_build)}"'
    media = files or {}
    sources = {s.path for n in notes for s in n.sources}
    summary = _("{notes} from {documents}").format(
        notes=ngettext("{count} note", "{count} notes", len(notes)).format(count=len(notes)),
        documents=ngettext("{count} document", "{count} documents", len(sources)).format(count=len(sources)),
    )
    search, searching = _("Search"), _("Search questions, answers, tags, files…")
    night, math = _("night mode"), _("Math shows as TeX here; Anki typesets it.")
    head = [
        "<!DOCTYPE html>",
        f'<html lang="zh"{build_attribute}>',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(*scripts))}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)} — qa2anki preview</title>",
        f"<style>\n{note_type.css}</style>",
        f"<style>\n{_PAGE_CSS}</style>",
        "</head>",
        '<body class="pv-page">',
        '<header class="pv-header">',
        f"<h1>{esc(title)}</h1>",
        f'<span class="pv-summary">{esc(summary)}</span>',
        f'<input type="search" id="pv-search" placeholder="{esc(searching)}" aria-label="{esc(search)}">',
        '<span class="pv-summary" id="pv-count"></span>',
        f'<label class="pv-summary"><input type="checkbox" id="pv-night"> {esc(night)}</label>',
        f'<span class="pv-hint">{esc(math)}</span>',
        "</header>",
    ]
    body = []
    if problems:
        counted = ngettext("{count} problem:", "{count} problems:", len(problems)).format(count=len(problems))
        body.append(f'<div class="pv-problems">{esc(counted)}<ul>')
        body.extend(f"<li>{esc(problem.shown())}</li>" for problem in problems)
        body.append("</ul></div>")
    body.append('<main class="pv-notes">')
    body.extend(_note_html(number, note, media, note_type) for number, note in enumerate(notes, 1))
    body.append("</main>")
    tail = [*(f"<script>{script}</script>" for script in scripts), "</body>", "</html>", ""]
    return "\n".join([*head, *body, *tail])


def preview_html(report: Listing, live_build: str | None = None) -> str:
    """The preview page of a build: its notes, images inlined, problems listed at the top (``live_build``:
    see :func:`render_page`)."""
    return render_page(
        preview_notes(report),
        report.analysis.config.deck_name,
        report.analysis.media.files,
        report.problems,
        live_build=live_build,
    )
