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
/* Readable in Anki's light and night mode (.nightMode on desktop, .night_mode on AnkiDroid) and on a phone:
   code blocks, tables and display math scroll sideways instead of widening the card. The qa-hl-* classes
   are Pygments token classes (see qa2anki.render); their colours are variables that night mode swaps. */
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
  overflow-wrap: normal;
  -webkit-overflow-scrolling: touch;
}
pre code { background: none; padding: 0; white-space: pre; overflow-wrap: normal; font-size: 0.85em; }
.qa-table { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 0.6em 0; }
table { border-collapse: collapse; margin: 0; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; vertical-align: top; }
.qa-table th, .qa-table td { min-width: 4em; overflow-wrap: normal; }
th { background: rgba(175, 184, 193, 0.2); }
.nightMode th, .nightMode td, .night_mode th, .night_mode td { border-color: #3d444d; }
.qa-math { overflow-x: auto; overflow-y: hidden; margin: 0.6em 0; }
:root {
  --qa-hl-comment: #57606a; --qa-hl-keyword: #cf222e; --qa-hl-string: #0a3069; --qa-hl-number: #0550ae;
  --qa-hl-function: #8250df; --qa-hl-class: #953800; --qa-hl-tag: #116329; --qa-hl-constant: #0550ae;
  --qa-hl-inserted: #116329; --qa-hl-inserted-bg: #dafbe1;
  --qa-hl-deleted: #82071e; --qa-hl-deleted-bg: #ffebe9;
}
.nightMode, .night_mode {
  --qa-hl-comment: #a4adb6; --qa-hl-keyword: #ff7b72; --qa-hl-string: #a5d6ff; --qa-hl-number: #79c0ff;
  --qa-hl-function: #d2a8ff; --qa-hl-class: #ffa657; --qa-hl-tag: #7ee787; --qa-hl-constant: #79c0ff;
  --qa-hl-inserted: #aff5b4; --qa-hl-inserted-bg: #033a16;
  --qa-hl-deleted: #ffdcd7; --qa-hl-deleted-bg: #67060c;
}
.qa-hl-c, .qa-hl-ch, .qa-hl-cm, .qa-hl-c1, .qa-hl-cs, .qa-hl-cpf, .qa-hl-gp, .qa-hl-go {
  color: var(--qa-hl-comment);
}
.qa-hl-c, .qa-hl-ch, .qa-hl-cm, .qa-hl-c1, .qa-hl-cs { font-style: italic; }
.qa-hl-k, .qa-hl-kc, .qa-hl-kd, .qa-hl-kn, .qa-hl-kp, .qa-hl-kr, .qa-hl-kt, .qa-hl-ow, .qa-hl-cp,
.qa-hl-gr, .qa-hl-gt { color: var(--qa-hl-keyword); }
.qa-hl-s, .qa-hl-sa, .qa-hl-sb, .qa-hl-sc, .qa-hl-dl, .qa-hl-sd, .qa-hl-s2, .qa-hl-sh, .qa-hl-si,
.qa-hl-sx, .qa-hl-sr, .qa-hl-s1, .qa-hl-ss, .qa-hl-ld { color: var(--qa-hl-string); }
.qa-hl-m, .qa-hl-mb, .qa-hl-mf, .qa-hl-mh, .qa-hl-mi, .qa-hl-il, .qa-hl-mo, .qa-hl-se, .qa-hl-esc {
  color: var(--qa-hl-number);
}
.qa-hl-nf, .qa-hl-fm, .qa-hl-nd, .qa-hl-nb { color: var(--qa-hl-function); }
.qa-hl-nc, .qa-hl-ne, .qa-hl-nv, .qa-hl-vc, .qa-hl-vg, .qa-hl-vi, .qa-hl-vm { color: var(--qa-hl-class); }
.qa-hl-na, .qa-hl-no, .qa-hl-bp, .qa-hl-py, .qa-hl-nl, .qa-hl-ni { color: var(--qa-hl-constant); }
.qa-hl-nt { color: var(--qa-hl-tag); }
.qa-hl-gh, .qa-hl-gu { color: var(--qa-hl-constant); font-weight: bold; }
.qa-hl-gi { color: var(--qa-hl-inserted); background-color: var(--qa-hl-inserted-bg); }
.qa-hl-gd { color: var(--qa-hl-deleted); background-color: var(--qa-hl-deleted-bg); }
.qa-hl-ge { font-style: italic; }
.qa-hl-gs { font-weight: bold; }
.qa-hl-ges { font-style: italic; font-weight: bold; }
blockquote { border-left: 4px solid #d0d7de; margin: 0.6em 0; padding: 0 0.8em; color: #656d76; }
.qa-alternative { border-top: 1px dashed #d0d7de; margin-top: 1em; padding-top: 0.4em; }
.qa-alternative-label { font-size: 0.8em; color: #656d76; }
.qa-source { font-size: 0.75em; color: #656d76; margin-top: 1.5em; }
.nightMode blockquote, .night_mode blockquote, .nightMode .qa-alternative-label,
.night_mode .qa-alternative-label, .nightMode .qa-source, .night_mode .qa-source { color: #9aa4ae; }
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
