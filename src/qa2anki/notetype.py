"""The note type every qa2anki deck uses. Its schema is frozen: see ``SCHEMA``.

Anki matches a re-imported note type by id and schema (field names and order, template names). Changing
any of them makes every note in every user's collection "conflicting": no update lands again. So the id,
the fields and the template names below never change; the template text, CSS and name may (they reach
users when the note type's mod time is newer, which the identity step takes care of).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

MODEL_ID = 1732801987
"""The note type's id. Never change it."""

FIELDS = ("Question", "Answer", "Topic", "Source")
"""Field names, in order. Never change, reorder or add to them."""

TEMPLATE_NAMES = ("Card 1",)
"""Template names. Never change or add to them."""

NAME = "qa2anki 问答"
"""The note type's display name (may change)."""

FRONT = """\
<div class="qa-topic">{{Topic}}</div>
<div class="qa-question">{{Question}}</div>
"""

BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="qa-answer">{{Answer}}</div>
{{#Source}}<div class="qa-source">{{Source}}</div>{{/Source}}
"""

CSS = """\
.card {
  font-family: -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC",
    "Source Han Sans SC", sans-serif;
  font-size: 18px;
  line-height: 1.6;
  text-align: left;
  color: #1f2328;
  background-color: #ffffff;
  padding: 0 12px;
  max-width: 46em;
  margin: 0 auto;
  overflow-wrap: anywhere;
}
.nightMode.card, .night_mode .card, .card.night_mode { color: #e6edf3; background-color: #1e1e1e; }
.qa-topic { font-size: 0.8em; color: #656d76; margin: 0.6em 0; }
.nightMode .qa-topic, .night_mode .qa-topic { color: #9aa4ae; }
.qa-question { font-size: 1.1em; font-weight: 600; }
.qa-question p, .qa-answer p { margin: 0.4em 0; }
.qa-answer ol, .qa-answer ul { padding-left: 1.6em; margin: 0.4em 0; }
.qa-answer li { margin: 0.25em 0; }
.qa-answer strong, .qa-question strong { color: #0550ae; }
.nightMode .qa-answer strong, .night_mode .qa-answer strong,
.nightMode .qa-question strong, .night_mode .qa-question strong { color: #79c0ff; }
code {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em;
  background: rgba(175, 184, 193, 0.2);
  border-radius: 4px;
  padding: 0.1em 0.3em;
}
pre {
  background: rgba(175, 184, 193, 0.15);
  border-radius: 6px;
  padding: 0.8em;
  overflow-x: auto;
  line-height: 1.45;
}
pre code { background: none; padding: 0; white-space: pre; overflow-wrap: normal; }
.qa-table { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; }
.nightMode th, .nightMode td, .night_mode th, .night_mode td { border-color: #3d444d; }
blockquote { border-left: 4px solid #d0d7de; margin: 0.6em 0; padding: 0 0.8em; color: #656d76; }
.qa-alternative { border-top: 1px dashed #d0d7de; margin-top: 1em; padding-top: 0.4em; }
.qa-alternative-label { font-size: 0.8em; color: #656d76; }
.qa-source { font-size: 0.75em; color: #656d76; margin-top: 1.5em; }
img { max-width: 100%; height: auto; }
hr#answer { border: none; border-top: 1px solid #d0d7de; margin: 1em 0; }
@media (max-width: 480px) { .card { font-size: 16px; padding: 0 6px; } }
"""


@dataclass(frozen=True)
class NoteType:
    """What the deck writer needs to know about the note type."""

    id: int
    """Anki model id."""
    name: str
    """Display name."""
    fields: tuple[str, ...]
    """Field names, in order."""
    templates: tuple[tuple[str, str, str], ...]
    """(name, front, back) per template."""
    css: str
    """The note type's CSS."""

    @property
    def schema(self) -> dict[str, object]:
        """What must never change once published: id, field names, template names."""
        return {"id": self.id, "fields": list(self.fields), "templates": [t[0] for t in self.templates]}

    @property
    def fingerprint(self) -> str:
        """A hash of everything, templates and CSS included: when it changes, the note type's mod moves on."""
        payload = json.dumps(
            [self.id, self.name, self.fields, self.templates, self.css], ensure_ascii=False
        ).encode()
        return hashlib.sha256(payload).hexdigest()[:16]


NOTE_TYPE = NoteType(
    id=MODEL_ID,
    name=NAME,
    fields=FIELDS,
    templates=((TEMPLATE_NAMES[0], FRONT, BACK),),
    css=CSS,
)
"""The note type of every qa2anki deck."""
