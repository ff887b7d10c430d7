"""The README's quick start, followed line by line for a brand-new deck: install the tool, ``init``, add a
document, build from the project's source folder, import the deck into a real Anki collection.

The commands come from the README's first ``sh`` block, so the two cannot drift apart: a line this test
does not know how to follow fails it. The install line is followed with the wheel (offline, see
tests/wheels.py); a comment-only line is the reader's own step, adding their documents.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
from anki.collection import Collection

from qa2anki.scaffold import REPOSITORY
from tests.anki.conftest import BASE_KEYS, BASE_SECTIONS, deck_of, import_apkg, render_document, snapshot
from tests.wheels import REPO, Installed

README = REPO / "README.md"
README_ZH = REPO / "README.zh-CN.md"


def quick_start(readme: Path = README, heading: str = "## Quick start") -> list[str]:
    """The lines of the first ``sh`` code block under the quick-start heading."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    match = re.search(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert match is not None, "the quick start has no ```sh block"
    return [line.strip() for line in match.group(1).splitlines() if line.strip()]


def test_the_quick_start_installs_the_tool_from_this_repository() -> None:
    install = quick_start()[0]
    assert shlex.split(install) == ["pipx", "install", f"git+https://github.com/{REPOSITORY}"]
    # The other ways the README offers, with the same URL.
    text = README.read_text(encoding="utf-8")
    assert f"uv tool install git+https://github.com/{REPOSITORY}" in text
    assert "pip install ." in text


def test_the_chinese_quick_start_runs_the_same_commands() -> None:
    """README.zh-CN.md's quick start differs only in its comments, which the reader follows by hand."""
    english, chinese = quick_start(), quick_start(README_ZH, "## 快速开始")
    assert [line for line in chinese if not line.startswith("#")] == [
        line for line in english if not line.startswith("#")
    ]
    assert [line.startswith("#") for line in chinese] == [line.startswith("#") for line in english]


def test_the_readme_quick_start_gives_a_deck_anki_imports(
    installed: Installed, tmp_path: Path, collection: Collection
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    here = home
    env = installed.env(SOURCE_DATE_EPOCH="1700000000")
    added: list[Path] = []
    outputs: list[str] = []
    for line in quick_start():
        if line.startswith("#"):  # the reader's step: add a document where they stand
            document = here / "llm-interview.md"
            document.write_text(render_document(BASE_SECTIONS), encoding="utf-8")
            added.append(document)
            continue
        words = shlex.split(line, comments=True)
        match words:
            case ["pipx", "install", _]:
                assert installed.qa2anki.is_file()  # done by the fixture, from the wheel
            case ["cd", folder]:
                here = (here / folder).resolve()
                assert here.is_dir(), line
            case ["rm", name]:
                (here / name).unlink()
            case ["qa2anki", *args]:
                done = subprocess.run(
                    [str(installed.qa2anki), *args],
                    cwd=here, env=env, capture_output=True, text=True, encoding="utf-8",
                    stdin=subprocess.DEVNULL,
                )  # fmt: skip
                assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
                outputs.append(done.stdout)
            case _:
                pytest.fail(f"the quick start has a line this test cannot follow: {line}")

    assert len(added) == 1 and added[0].parent.name == "source", added
    project = added[0].parent.parent
    assert here == project / "source", "the build runs from the project's source folder"
    assert "deck 面试题::大模型" in outputs[-1]
    (deck,) = (project / "build").glob("*.apkg")
    assert (project / "source" / "qa2anki.lock").is_file()
    assert not (project / "source" / "example.md").exists()

    response = import_apkg(collection, deck)
    assert len(response.log.new) == len(BASE_KEYS)
    states = snapshot(collection).values()
    assert {state.question for state in states} == {f"<p>{section.question}</p>" for section in BASE_SECTIONS}
    assert {deck_of(collection, state) for state in states} == {"面试题::大模型"}
    assert all("文档::llm-interview" in state.tags for state in states)
