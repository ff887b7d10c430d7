"""qa2anki preview: one self-contained HTML page with every note as Anki shows it, checked as text and in
headless Chromium (Debian's ``chromium``; the Chromium tests skip only where it is not installed)."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import sqlite3
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from qa2anki.notetype import NOTE_TYPE
from qa2anki.preview import card_sides, inline_media, render_template
from tests.conftest import PNG, SEED, RunCli, genanki_loaded

RICH = """\
### 1. 注意力

**面试题：** 缩放点积注意力怎么算？

**答案：** 公式是 $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$，代码：

```python
def attention(q, k, v):
    return softmax(q @ k.T / math.sqrt(q.shape[-1])) @ v
```

结构见图：![结构图](img/arch.png)

### 2. 对比

**面试题：** LoRA 和全量微调有什么区别？

**答案：**

| 方法 | 参数 |
|---|---|
| LoRA | $BA$ |
| 全量 | 100% |

价格：$5 一小时。
"""

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (.ci/run installs it with apt-get)",
)


@pytest.fixture
def rich_project(project: Path) -> Path:
    """The project with the seed document, a document with code, math, a table and an image, and its PNG."""
    shutil.copyfile(SEED, project / "source" / SEED.name)
    (project / "source" / "rich.md").write_text(RICH, encoding="utf-8")
    (project / "source" / "img").mkdir()
    (project / "source" / "img" / "arch.png").write_bytes(PNG)
    return project


def _notes(run_cli: RunCli) -> list[dict[str, object]]:
    result = run_cli("list", "--json")
    assert result.exit_code == 0, result.output
    notes: list[dict[str, object]] = json.loads(result.output)["notes"]
    return notes


# --------------------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------------------


def test_template_fields_and_sections() -> None:
    """{{Field}} is replaced, {{#F}}…{{/F}} shows only for a non-empty field, {{^F}} only for an empty one."""
    template = "<a>{{Question}}</a>{{#Source}}<s>{{Source}}</s>{{/Source}}{{^Source}}none{{/Source}}"
    assert render_template(template, {"Question": "Q", "Source": "S"}) == "<a>Q</a><s>S</s>"
    assert render_template(template, {"Question": "Q", "Source": "  "}) == "<a>Q</a>none"


def test_field_values_are_never_substituted_again() -> None:
    """A field holding ``{{Answer}}`` or ``{{#Source}}`` shows that text; only the template is read."""
    fields = {"Question": "{{Answer}} {{#Source}}x{{/Source}}", "Answer": "secret", "Source": ""}
    assert render_template("{{Question}}|{{#Source}}s{{/Source}}", fields) == (
        "{{Answer}} {{#Source}}x{{/Source}}|"
    )


def test_unknown_template_field_is_an_error() -> None:
    """A template naming a field the note does not have fails loudly instead of showing nothing."""
    with pytest.raises(ValueError, match="Nope"):
        render_template("{{Nope}}", {"Question": ""})


def test_card_sides_follow_the_note_type() -> None:
    """The front shows topic and question; the back repeats the front, then the answer and the sources."""
    ((front, back),) = card_sides(("<p>Q?</p>", "<p>A.</p>", "主题", "a.md › 主题"))
    assert front == '<div class="qa-topic">主题</div>\n<div class="qa-question"><p>Q?</p></div>\n'
    assert back.startswith(front + '\n<hr id="answer">\n<div class="qa-answer"><p>A.</p></div>')
    assert '<div class="qa-source">a.md › 主题</div>' in back
    ((_, no_source),) = card_sides(("<p>Q?</p>", "<p>A.</p>", "主题", ""))
    assert "qa-source" not in no_source and "{{" not in no_source


def test_inline_media_only_touches_packed_images() -> None:
    """Packed images become data: URIs; web images and unknown names stay as they are."""
    text = '<img src="qa2anki-1.png" alt="a" /><img src="https://e.org/x.png" /><img src="gone.png" />'
    inlined = inline_media(text, {"qa2anki-1.png": PNG})
    assert f'src="data:image/png;base64,{base64.b64encode(PNG).decode()}"' in inlined
    assert 'src="https://e.org/x.png"' in inlined and 'src="gone.png"' in inlined


# --------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------


def test_preview_outside_the_project_is_named_absolute(
    rich_project: Path, run_cli: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``preview -o /elsewhere/p.html`` says where it wrote as the user would type it (absolute, as build
    names a deck outside the project), not as ``../../…``."""
    page = tmp_path_factory.mktemp("elsewhere") / "p.html"
    result = run_cli("preview", "-o", str(page))
    assert result.exit_code == 0, result.output
    assert f"wrote {page}" in result.output


def test_preview_shows_every_note_with_tags_and_sources(rich_project: Path, run_cli: RunCli) -> None:
    """Every note is in the page with its GUID, tags, front and back, and every merged source location."""
    result = run_cli("preview")
    assert result.exit_code == 0, result.output
    assert "14 notes; wrote build/preview.html" in result.output
    page = (rich_project / "build" / "preview.html").read_text(encoding="utf-8")
    notes = _notes(run_cli)
    assert len(notes) == 14
    assert page.count('<article class="pv-note"') == 14
    for note in notes:
        assert f'id="note-{note["guid"]}"' in page
        for tag in note["tags"]:  # type: ignore[attr-defined]
            assert f'<span class="pv-tag">{html.escape(tag)}</span>' in page
        for source in note["sources"]:  # type: ignore[attr-defined]
            assert f"{source['path']}:{source['line']} — {html.escape(source['label'])}" in page
    # The seed's 30 entries are all listed, merged duplicates included.
    assert len(re.findall(rf"source/{re.escape(SEED.name)}:\d+ — ", page)) == 30
    assert page.count('<div class="pv-side-label">Front</div>') == 14
    assert page.count('<hr id="answer">') == 14


def test_preview_page_is_self_contained(rich_project: Path, run_cli: RunCli) -> None:
    """The note type's CSS is in the page verbatim, images are inline, one script runs under a CSP that
    allows nothing else, and the page loads nothing from anywhere."""
    assert run_cli("preview").exit_code == 0
    page = (rich_project / "build" / "preview.html").read_text(encoding="utf-8")
    assert f"<style>\n{NOTE_TYPE.css}</style>" in page
    assert page.count("<script") == 1 and 'id="pv-search"' in page
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert csp is not None and "default-src 'none'; script-src 'sha256-" in html.unescape(csp.group(1))
    assert 'src="data:image/png;base64,' in page and 'src="qa2anki-' not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert '<span class="qa-hl-k">def</span>' in page
    assert "\\(\\mathrm{softmax}" in page and "$5 一小时" in page


def test_cards_keep_media_names(rich_project: Path, run_cli: RunCli) -> None:
    """Inlining is for the page only: the deck built from the same sources still names its media file."""
    assert run_cli("preview").exit_code == 0
    assert run_cli("build").exit_code == 0
    with zipfile.ZipFile(rich_project / "build" / "qa2anki.apkg") as archive:
        (name,) = json.loads(archive.read("media")).values()
        (rich_project / "c.anki2").write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(rich_project / "c.anki2") as db:
        fields = "\n".join(row[0] for row in db.execute("select flds from notes"))
    assert f'src="{name}"' in fields and "data:" not in fields


def test_preview_writes_nothing_else(rich_project: Path, run_cli: RunCli) -> None:
    """No deck, no lock, no change to an existing lock: only the page (to -o when given)."""
    assert run_cli("build").exit_code == 0
    lock = rich_project / "source" / "qa2anki.lock"
    before = lock.read_bytes()
    (rich_project / "build" / "qa2anki.apkg").unlink()
    (rich_project / "source" / "rich.md").write_text(RICH.replace("怎么算", "如何计算"), encoding="utf-8")
    result = run_cli("preview", "-o", "out/page.html")
    assert result.exit_code == 0, result.output
    assert (rich_project / "out" / "page.html").is_file()
    assert not (rich_project / "build" / "qa2anki.apkg").exists()
    assert not (rich_project / "build" / "preview.html").exists()
    assert lock.read_bytes() == before
    page = (rich_project / "out" / "page.html").read_text(encoding="utf-8")
    assert '<span class="pv-status pv-status-reidentified">' in page


def test_preview_of_broken_sources_fails_and_writes_nothing(project: Path, run_cli: RunCli) -> None:
    """Errors stop the preview like a build: exit 1, file:line, no page."""
    (project / "source" / "a.md").write_text(
        "### 图\n\n**面试题：** 甲？\n\n**答案：** ![x](../secret.png)\n", encoding="utf-8"
    )
    result = run_cli("preview")
    assert result.exit_code == 1
    assert "source/a.md:5: error: image '../secret.png' is outside the sources folder" in result.output
    assert not (project / "build" / "preview.html").exists()


def test_preview_lists_warnings_at_the_top(project: Path, run_cli: RunCli) -> None:
    """Warnings are printed and shown above the notes, so a reviewer sees them too."""
    (project / "source" / "a.md").write_text(
        "### 图\n\n**面试题：** 甲？\n\n**答案：** ![x](missing.png)\n", encoding="utf-8"
    )
    result = run_cli("preview")
    assert result.exit_code == 0, result.output
    assert "source/a.md:5: warning: image 'missing.png' not found" in result.output
    page = (project / "build" / "preview.html").read_text(encoding="utf-8")
    assert "<li>source/a.md:5: warning: image &#x27;missing.png&#x27; not found</li>" in page


def test_preview_does_not_import_genanki(rich_project: Path) -> None:
    """The preview never loads genanki (it renders the templates itself)."""
    assert not genanki_loaded([["preview"]], rich_project)


# --------------------------------------------------------------------------------------------------
# In a real browser
# --------------------------------------------------------------------------------------------------


def chromium(profile: Path, *args: str) -> str:
    """Run headless Chromium with no network chatter and a throw-away profile; its stdout."""
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@needs_chromium
def test_chromium_shows_every_note_highlighted(rich_project: Path, run_cli: RunCli, tmp_path: Path) -> None:
    """Chromium loads build/preview.html: every note is there, code is highlighted, the search script ran
    (and filters), and a screenshot is written to build/preview.png for people to look at."""
    assert run_cli("preview").exit_code == 0
    page = rich_project / "build" / "preview.html"
    notes = _notes(run_cli)
    dom = chromium(tmp_path / "chromium", "--dump-dom", page.as_uri())
    assert dom.count('<article class="pv-note"') == len(notes) == 14
    for note in notes:
        assert f'id="note-{note["guid"]}"' in dom
    assert re.search(r'<code class="language-python"><span class="qa-hl-k">def</span>', dom)
    assert f'<span class="pv-summary" id="pv-count">{len(notes)} / {len(notes)}</span>' in dom
    assert 'src="data:image/png;base64,' in dom

    guid = str(notes[0]["guid"])
    dom = chromium(tmp_path / "chromium", "--dump-dom", f"{page.as_uri()}#night&q={guid}")
    assert f'id="pv-count">1 / {len(notes)}</span>' in dom
    assert dom.count('class="pv-note" id=') == len(notes) and dom.count(" hidden=") == len(notes) - 1
    assert 'class="card card1 nightMode night_mode"' in dom

    screenshot = rich_project / "build" / "preview.png"
    chromium(tmp_path / "chromium", f"--screenshot={screenshot}", "--window-size=1200,1600", page.as_uri())
    assert _png_size(screenshot) == (1200, 1600)
