"""The pre-commit hooks (.pre-commit-hooks.yaml): each hook's ``entry`` run directly, as pre-commit runs
it — the installed ``qa2anki`` from PATH, in the repository's root, with the changed files that match the
hook's ``files`` pattern when it passes file names."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.anki.conftest import initialised_deck
from tests.wheels import REPO, Installed

HOOKS = {
    hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
}
NO_ANSWER = (
    "### 1. 主题\n\n**面试题：** 没有答案的问题？\n\n"
    "### 2. 另一个\n\n**面试题：** 问题？\n\n**答案：** 答案。\n"
)
"""A document with a warning: a question without an answer."""


def run_hook(
    installed: Installed, hook_id: str, repository: Path, changed: list[str]
) -> subprocess.CompletedProcess[str]:
    """Run the hook as pre-commit would for a commit that changes ``changed``."""
    hook = HOOKS[hook_id]
    files = [path for path in changed if re.search(hook["files"], path)]
    env = installed.env()
    program, *args = shlex.split(hook["entry"])
    found = shutil.which(program, path=env["PATH"])
    assert found is not None and Path(found) == installed.qa2anki
    command = [found, *args, *(files if hook["pass_filenames"] else [])]
    return subprocess.run(
        command, cwd=repository, env=env, capture_output=True, text=True, encoding="utf-8"
    )  # fmt: skip


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A deck repository made by ``qa2anki init``, with a document of its own."""
    return initialised_deck(tmp_path / "deck", "面试题")


def test_the_hooks() -> None:
    assert set(HOOKS) == {"qa2anki-check", "qa2anki-locked"}
    assert all(hook["language"] == "python" for hook in HOOKS.values())
    assert HOOKS["qa2anki-check"]["entry"] == "qa2anki check --strict"
    assert HOOKS["qa2anki-check"]["pass_filenames"] is True
    assert HOOKS["qa2anki-locked"]["entry"] == "qa2anki build --locked"
    assert HOOKS["qa2anki-locked"]["pass_filenames"] is False


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("source/llm.md", True),
        ("source/第一章/题目.markdown", True),
        ("source/面经.txt", True),  # a source type too
        ("source/Redis.MD", True),
        ("README.md", False),  # no entries: checking it would fail every commit that touches it
        ("docs/notes.md", False),
        ("source/qa2anki.lock", False),
        ("source/llm.md.bak", False),
    ],
)
def test_check_runs_on_the_documents_under_source(path: str, checked: bool) -> None:
    assert bool(re.search(HOOKS["qa2anki-check"]["files"], path)) is checked


def test_check_passes_clean_documents_and_fails_warnings(installed: Installed, repository: Path) -> None:
    done = run_hook(
        installed, "qa2anki-check", repository, ["README.md", "source/llm.md", "source/example.md"]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "source/llm.md: 11 entries" in done.stdout and "source/example.md: 2 entries" in done.stdout
    assert "README.md" not in done.stdout
    (repository / "source" / "new.md").write_text(NO_ANSWER, encoding="utf-8")
    done = run_hook(installed, "qa2anki-check", repository, ["source/new.md"])
    assert done.returncode == 1
    assert "source/new.md:3: warning: question without an answer" in done.stderr


def test_locked_fails_until_the_lock_is_rebuilt(installed: Installed, repository: Path) -> None:
    done = run_hook(installed, "qa2anki-locked", repository, ["source/llm.md"])
    assert done.returncode == 1  # no lock yet: building would write one
    assert "the lock would change" in done.stderr
    build = subprocess.run(
        [str(installed.qa2anki), "build"], cwd=repository, env=installed.env(), capture_output=True
    )
    assert build.returncode == 0
    done = run_hook(installed, "qa2anki-locked", repository, ["source/llm.md", "source/qa2anki.lock"])
    assert done.returncode == 0, done.stdout + done.stderr
    document = repository / "source" / "llm.md"
    document.write_text(
        document.read_text(encoding="utf-8").replace("注意力机制", "注意力"), encoding="utf-8"
    )
    done = run_hook(installed, "qa2anki-locked", repository, ["source/llm.md"])
    assert done.returncode == 1
    assert "run qa2anki build without --locked and commit the lock" in done.stderr
