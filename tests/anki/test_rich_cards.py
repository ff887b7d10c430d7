"""Highlighted code, math and images survive the real Anki importer: the media file lands in the
collection's media folder, the fields keep the Pygments markup, and Anki renders each card exactly as
``qa2anki preview`` shows it."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from anki.collection import Collection

from qa2anki.notetype import NOTE_TYPE
from qa2anki.preview import card_sides
from tests.anki.conftest import FIELDS, build_deck, import_apkg
from tests.conftest import PNG, RunCli

DOC = """\
### 1. 注意力机制

**面试题：** 自注意力怎么实现？

**答案：** 按 $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$ 计算：

```python
def attention(q, k, v):
    return softmax(q @ k.T / math.sqrt(q.shape[-1])) @ v
```

结构如图：![结构图](images/attention.png)

### 2. 量化

**面试题：** 什么是量化？

**答案：** 把权重从 FP16 转成 INT8，显存减半。
"""


def test_image_and_highlighted_code_import_into_anki(
    project: Path, run_cli: RunCli, collection: Collection
) -> None:
    """The image is in col.media.dir() under its packed name; the Answer field holds the qa-code block with
    Pygments class spans and the MathJax delimiters; the note type carries the highlighting CSS."""
    (project / "source" / "images").mkdir()
    (project / "source" / "images" / "attention.png").write_bytes(PNG)
    (project / "source" / "llm.md").write_text(DOC, encoding="utf-8")
    apkg, _ = build_deck(run_cli)
    with zipfile.ZipFile(apkg) as archive:
        (name,) = json.loads(archive.read("media")).values()
    assert re.fullmatch(r"qa2anki-[0-9a-f]{20}\.png", name)

    response = import_apkg(collection, apkg)
    assert len(response.log.new) == 2
    media = Path(collection.media.dir()) / name
    assert media.read_bytes() == PNG

    (note_id,) = collection.find_notes("attention")
    answer = collection.get_note(note_id)["Answer"]
    assert '<pre class="qa-code"><code class="language-python"><span class="qa-hl-k">def</span>' in answer
    assert '<span class="qa-hl-nf">attention</span>' in answer
    assert "\\(\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V\\)" in answer
    assert f'<img src="{name}" alt="结构图" />' in answer
    assert collection.media.check().missing == []

    notetype = collection.models.by_name(NOTE_TYPE.name)
    assert notetype is not None and notetype["css"] == NOTE_TYPE.css
    assert ".qa-hl-k," in notetype["css"]


def test_anki_renders_cards_as_the_preview_shows_them(
    project: Path, run_cli: RunCli, collection: Collection
) -> None:
    """For every card, Anki's own rendering of front and back (after its <style> block) is exactly what the
    preview page shows, so the preview is a faithful review of the deck."""
    (project / "source" / "images").mkdir()
    (project / "source" / "images" / "attention.png").write_bytes(PNG)
    (project / "source" / "llm.md").write_text(DOC, encoding="utf-8")
    apkg, _ = build_deck(run_cli)
    import_apkg(collection, apkg)
    card_ids = collection.find_cards("")
    assert len(card_ids) == 2
    for card_id in card_ids:
        card = collection.get_card(card_id)
        note = card.note()
        ((front, back),) = card_sides([note[field] for field in FIELDS])
        style = f"<style>{NOTE_TYPE.css}</style>"
        assert card.question() == style + front
        assert card.answer() == style + back
