"""The genre as found in the wild: generator artefacts, custom labels, and the seed left as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO, SEED, RunCli, read_apkg

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


def listing(run_cli: RunCli, *args: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_repeated_pair_with_truncated_last_copy_is_one_note(project: Path, run_cli: RunCli) -> None:
    """Copies of one pair, the last cut off mid-word, make one note; the cut copy is never its own note."""
    shutil.copy(FIXTURES / "generator-artefacts.md", project / "source" / "a.md")
    data = listing(run_cli)
    (note,) = data["notes"]
    assert sorted(s["kind"] for s in note["sources"]) == ["canonical", "exact", "truncated"]
    assert data["problems"] == []


def test_chat_tokens_crlf_and_odd_spaces_never_reach_a_card(project: Path, run_cli: RunCli) -> None:
    """<|assistant|> tokens vanish, CRLF reads as newlines, NBSP/full-width spaces fold for duplicates."""
    text = (
        "### 1. 题\r\n\r\n**面试题：**\u00a0什么是 RAG？<|im_end|>\r\n\r\n"
        "**答案：**\u3000检索增强生成。<|assistant|>\r\n"
    )
    (project / "source" / "a.md").write_bytes(text.encode("utf-8"))
    (project / "source" / "b.md").write_text(
        "### 1. 题\n\n**面试题：** 什么是 RAG？\n\n**答案：** 检索增强生成。"
    )
    data = listing(run_cli)
    assert data["summary"]["notes"] == 1
    result = run_cli("build")
    assert result.exit_code == 0
    # Look at the cards, not at the zip's compressed bytes (where any two bytes may turn up by chance).
    (note,) = read_apkg(project / "build" / "qa2anki.apkg").values()
    shown = "".join((*note.fields, *note.tags))
    assert "im_end" not in shown and "assistant" not in shown and "|" not in shown


def test_article_emitted_twice_gives_each_note_once(project: Path, run_cli: RunCli, seed_text: str) -> None:
    """A whole article repeated in one file gives the same notes as the article once."""
    (project / "source" / "a.md").write_text(seed_text + "\n\n" + seed_text, encoding="utf-8")
    assert listing(run_cli)["summary"]["notes"] == 12


def test_custom_labels_from_pyproject(project: Path, run_cli: RunCli) -> None:
    """question_labels/answer_labels add words; heading_questions = false turns that rule off."""
    (project / "pyproject.toml").write_text(
        '[tool.qa2anki]\nquestion_labels = ["考题"]\nanswer_labels = ["参考"]\nheading_questions = false\n',
        encoding="utf-8",
    )
    (project / "source" / "a.md").write_text(
        "### 1. 题\n\n**考题：** 什么是 LoRA？\n\n**参考：** 低秩适配。\n\n### 2. 这是问题吗？\n\n不是。\n",
        encoding="utf-8",
    )
    data = listing(run_cli)
    assert [n["question"] for n in data["notes"]] == ["什么是 LoRA？"]
    (project / "pyproject.toml").write_text("[tool.qa2anki]\nquestion_labels = ['两 个']\n", encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 1 and "question_labels must be a list of words" in result.output


def test_seed_keeps_its_notes_and_guids(project: Path, run_cli: RunCli) -> None:
    """With every recogniser on, the seed still gives the 12 notes and GUIDs its committed lock holds."""
    shutil.copy(SEED, project / "source" / SEED.name)
    shutil.copy(REPO / "source" / "qa2anki.lock", project / "source" / "qa2anki.lock")
    data = listing(run_cli)
    lock = json.loads((REPO / "source" / "qa2anki.lock").read_text(encoding="utf-8"))
    assert sorted(n["guid"] for n in data["notes"]) == sorted(
        n["guid"] for n in lock["notes"] if n["present"]
    )
    assert all(n["status"] in ("unchanged", "updated") for n in data["notes"])
