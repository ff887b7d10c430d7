"""The GitHub Action (action.yml): its build step, scripts/action.py, run as the runner runs it — with the
environment action.yml maps the inputs to, in the workspace, with the Python qa2anki was installed into
from its wheel — since GitHub's runner is not available here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.anki.conftest import BASE_SECTIONS, initialised_deck, render_document
from tests.conftest import SEED, read_apkg
from tests.wheels import REPO, Installed

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
BUILD_STEP = next(step for step in ACTION["runs"]["steps"] if step.get("id") == "build")
SCRIPT = REPO / "scripts" / "action.py"


def action_env(installed: Installed, inputs: dict[str, str], github_output: Path | None) -> dict[str, str]:
    """The build step's environment: each ``${{ inputs.NAME }}`` of action.yml replaced by the given
    input or its default, as GitHub does, and ``GITHUB_OUTPUT``."""
    assert set(inputs) <= set(ACTION["inputs"]), inputs
    env = installed.env()
    for variable, expression in BUILD_STEP["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression)
        assert match is not None, expression
        env[variable] = inputs.get(match.group(1), ACTION["inputs"][match.group(1)]["default"])
    env.pop("GITHUB_OUTPUT", None)
    if github_output is not None:
        env["GITHUB_OUTPUT"] = str(github_output)
    return env


def run_action(
    installed: Installed, workspace: Path, github_output: Path | None = None, **inputs: str
) -> subprocess.CompletedProcess[str]:
    """The build step, in ``workspace``."""
    env = action_env(
        installed, {name.replace("_", "-"): value for name, value in inputs.items()}, github_output
    )
    return subprocess.run(
        [str(installed.python), str(SCRIPT)],
        cwd=workspace, env=env, capture_output=True, text=True, encoding="utf-8",
    )  # fmt: skip


def outputs(path: Path) -> dict[str, str]:
    """What a step wrote to ``$GITHUB_OUTPUT`` (name=value lines)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checked-out deck repository, as ``qa2anki init`` makes it, with a document of its own."""
    return initialised_deck(tmp_path / "workspace", "面试题::大模型")


def test_action_yml_passes_every_input_and_gives_the_deck() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"sources", "deck-name", "locked", "python-version"}
    passed = {
        m.group(1) for value in BUILD_STEP["env"].values() for m in re.finditer(r"inputs\.([\w-]+)", value)
    }
    assert passed == {"sources", "deck-name", "locked"}
    setup = ACTION["runs"]["steps"][0]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert '"$GITHUB_ACTION_PATH/scripts/action.py"' in BUILD_STEP["run"]
    assert ACTION["outputs"]["deck"]["value"] == "${{ steps.build.outputs.deck }}"
    assert all(step.get("shell") == "bash" for step in ACTION["runs"]["steps"] if "run" in step)


def test_the_action_builds_and_outputs_the_deck(
    installed: Installed, workspace: Path, tmp_path: Path
) -> None:
    github_output = tmp_path / "github-output"
    done = run_action(installed, workspace, github_output)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "deck 面试题::大模型" in done.stdout
    assert outputs(github_output) == {"deck": "build/面试题-大模型.apkg"}
    assert len(read_apkg(workspace / "build" / "面试题-大模型.apkg")) == 8 + 2  # and init's example


def test_locked_passes_with_the_committed_lock_and_fails_on_drift(
    installed: Installed, workspace: Path, tmp_path: Path
) -> None:
    assert run_action(installed, workspace).returncode == 0  # the author's build, lock committed
    github_output = tmp_path / "github-output"
    again = run_action(installed, workspace, github_output, locked="true")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "qa2anki build --locked" in again.stdout
    document = workspace / "source" / "llm.md"
    document.write_text(
        document.read_text(encoding="utf-8")
        + "\n### 99. 新主题\n\n**面试题：** 新问题？\n\n**答案：** 新答案。\n"
    )
    drift = run_action(installed, workspace, tmp_path / "drift-output", locked="true")
    assert drift.returncode == 1
    assert "the lock would change" in drift.stderr
    assert outputs(tmp_path / "drift-output") == {}


def test_deck_name_configures_a_repository_without_settings(installed: Installed, tmp_path: Path) -> None:
    """Plain Markdown folders, one with a space in its name; pyproject.toml exists for something else."""
    workspace = tmp_path / "notes-repo"
    (workspace / "my notes").mkdir(parents=True)
    shutil.copyfile(SEED, workspace / "my notes" / "seed.md")
    (workspace / "more.md").write_text(render_document(BASE_SECTIONS[:2]), encoding="utf-8")
    (workspace / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n", encoding="utf-8")
    github_output = tmp_path / "github-output"
    done = run_action(
        installed, workspace, github_output, sources="'my notes'\nmore.md", deck_name="八股文::GPT"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "appended [tool.qa2anki] with deck_name to pyproject.toml" in done.stdout
    assert (workspace / "pyproject.toml").read_text(encoding="utf-8") == (
        '[tool.black]\nline-length = 100\n\n[tool.qa2anki]\ndeck_name = "八股文::GPT"\n'
    )
    assert outputs(github_output) == {"deck": "build/八股文-gpt.apkg"}
    assert len(read_apkg(workspace / "build" / "八股文-gpt.apkg")) == 12 + 2
    assert (workspace / "my notes" / "qa2anki.lock").is_file()


def test_deck_name_writes_pyproject_when_there_is_none(installed: Installed, tmp_path: Path) -> None:
    workspace = tmp_path / "bare"
    (workspace / "source").mkdir(parents=True)
    shutil.copyfile(SEED, workspace / "source" / "seed.md")
    done = run_action(installed, workspace, deck_name="面试题")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (workspace / "pyproject.toml").read_text(
        encoding="utf-8"
    ) == '[tool.qa2anki]\ndeck_name = "面试题"\n'
    assert "deck=build/面试题.apkg" in done.stdout.splitlines()  # no $GITHUB_OUTPUT: printed


def test_deck_name_must_agree_with_the_settings(
    installed: Installed, workspace: Path, tmp_path: Path
) -> None:
    before = (workspace / "pyproject.toml").read_bytes()
    same = run_action(installed, workspace, deck_name="面试题::大模型")
    assert same.returncode == 0, same.stdout + same.stderr
    other = run_action(installed, workspace, tmp_path / "out", deck_name="别的")
    assert other.returncode == 1
    assert other.stdout.startswith("::error::qa2anki action: deck-name is '别的' but ")
    assert "deck_name = '面试题::大模型'" in other.stdout
    assert (workspace / "pyproject.toml").read_bytes() == before
    assert outputs(tmp_path / "out") == {}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"locked": "yes"}, "locked must be true or false, not 'yes'"),
        ({"sources": "'open quote"}, "No closing quotation"),
        ({"deck_name": "a::::b"}, "deck-name: a part of the deck name between '::' is empty"),
    ],
)
def test_bad_inputs_fail_with_an_error_annotation(
    installed: Installed, workspace: Path, inputs: dict[str, str], message: str
) -> None:
    done = run_action(installed, workspace, **inputs)
    assert done.returncode == 1
    assert done.stdout.startswith("::error::qa2anki action: ") and message in done.stdout
    assert not (workspace / "build").exists()
