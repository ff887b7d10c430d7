"""``qa2anki init`` and the project it writes (qa2anki/scaffold.py and qa2anki/templates/)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from qa2anki import cli as cli_module
from qa2anki.config import config_from_table, deck_name_problem, slugify
from qa2anki.errors import Qa2AnkiError
from qa2anki.scaffold import (
    ACTION,
    PROJECT_FILES,
    REPOSITORY,
    default_deck_name,
    project_files,
    scaffold,
    toml_string,
)
from tests.conftest import REPO, RunCli, read_apkg

deck_names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).filter(
    lambda name: deck_name_problem(name) is None
)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --------------------------------------------------------------------------------------------------
# The files, as data
# --------------------------------------------------------------------------------------------------


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_toml_string_reads_back_as_the_same_text(text: str) -> None:
    assert tomllib.loads(f"key = {toml_string(text)}")["key"] == text


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("面试题::大模型", None),
        (" 八股文 ", None),
        ("", "empty"),
        ("   ", "empty"),
        ("a::::b", "between '::'"),
        ("::a", "between '::'"),
        ("a\tb", "control character"),
        ("a\u200bb", "control character"),
    ],
)
def test_deck_name_problem(name: str, problem: str | None) -> None:
    found = deck_name_problem(name)
    assert (found is None) if problem is None else (found is not None and problem in found)


# Without "@": a deck named like a placeholder (@A@) is written as it is, and would look like one left over.
@given(deck_names.filter(lambda name: "@" not in name))
def test_the_settings_name_the_deck(deck_name: str) -> None:
    files = project_files(deck_name)
    config = config_from_table(tomllib.loads(files["pyproject.toml"])["tool"]["qa2anki"])
    assert config.deck_name == deck_name.strip()
    assert config.sources == ("source",)
    assert not re.search(r"@[A-Z_]+@", "".join(files.values()))


def test_every_file_is_written_and_names_the_deck() -> None:
    files = project_files("面试题::大模型")
    assert list(files) == [item.path for item in PROJECT_FILES]
    assert files[".gitignore"].splitlines()[-1] == "build/"
    assert files["README.md"].startswith("# 面试题::大模型\n")
    assert f"build/{slugify('面试题::大模型')}.apkg" in files["README.md"]
    assert f"https://github.com/{REPOSITORY}" in files["README.md"]


def test_a_chinese_run_writes_the_readme_and_settings_in_chinese() -> None:
    """What people read (README, the settings' comments) follows the language of the run; the settings
    and placeholders are the same either way."""
    from qa2anki import i18n

    english = project_files("面试题::大模型")
    with i18n.speaking("zh"):
        chinese = project_files("面试题::大模型")
    assert "导入 Anki" in chinese["README.md"] and "Import the `.apkg`" in english["README.md"]
    assert chinese["pyproject.toml"].startswith("# qa2anki 从这个文件夹构建的牌组")
    for path in ("pyproject.toml", "README.md"):
        assert not re.search(r"@[A-Z_]+@", chinese[path])
    assert tomllib.loads(chinese["pyproject.toml"]) == tomllib.loads(english["pyproject.toml"])
    assert f"build/{slugify('面试题::大模型')}.apkg" in chinese["README.md"]
    assert chinese["source/example.md"] == english["source/example.md"]


def test_the_workflow_builds_on_push_checks_the_lock_on_pull_requests_and_releases_tags() -> None:
    workflow = yaml.safe_load(project_files("deck")[".github/workflows/deck.yml"])
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert set(workflow[True]) == {"push", "pull_request"}
    steps = workflow["jobs"]["deck"]["steps"]
    build = next(step for step in steps if step.get("id") == "build")
    assert build["uses"] == ACTION
    locked = build["with"]["locked"]
    assert "github.event_name == 'pull_request'" in locked and "refs/tags/" in locked
    # Only the release job, only on a tag, may write to the repository (a pull request's run reads).
    assert workflow["permissions"] == {"contents": "read"}
    release = workflow["jobs"]["release"]
    assert release["if"] == "startsWith(github.ref, 'refs/tags/')" and release["needs"] == "deck"
    assert release["permissions"] == {"contents": "write"}
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    download = next(step for step in release["steps"] if step.get("uses", "").startswith("actions/download"))
    assert upload["with"]["name"] == download["with"]["name"] == "deck"
    (create,) = [step for step in release["steps"] if "gh release create" in step.get("run", "")]
    assert "deck/*.apkg" in create["run"] and '--repo "$GITHUB_REPOSITORY"' in create["run"]


def test_default_deck_name_is_the_folder_name(tmp_path: Path) -> None:
    assert default_deck_name(tmp_path / "算法面试") == "算法面试"


# --------------------------------------------------------------------------------------------------
# Writing the project
# --------------------------------------------------------------------------------------------------


def test_scaffold_writes_a_project_whose_example_builds(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project / "new"
    done = scaffold(target, "面试题::示例")
    assert done.files == tuple(item.path for item in PROJECT_FILES)
    assert set(tree(target)) == {item.path for item in PROJECT_FILES}
    monkeypatch.chdir(target / "source")
    result = run_cli("check", "--strict")
    assert result.exit_code == 0, result.output
    assert "source/example.md: 2 entries (bold-label 2)" in result.output
    assert "0 errors, 0 warnings" in result.output
    result = run_cli("build", "--strict")
    assert result.exit_code == 0, result.output
    assert len(read_apkg(target / "build" / "面试题-示例.apkg")) == 2


@pytest.mark.parametrize("existing", [item.path for item in PROJECT_FILES])
def test_scaffold_overwrites_nothing(tmp_path: Path, existing: str) -> None:
    target = tmp_path / "deck"
    (target / existing).parent.mkdir(parents=True, exist_ok=True)
    (target / existing).write_text("mine\n", encoding="utf-8")
    before = tree(target)
    with pytest.raises(Qa2AnkiError, match="already there, not overwritten") as caught:
        scaffold(target, "deck")
    assert existing in str(caught.value)
    assert tree(target) == before


def test_a_file_where_a_folder_goes_is_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "source").write_text("not a folder\n", encoding="utf-8")
    (tmp_path / ".github").write_text("not a folder either\n", encoding="utf-8")
    with pytest.raises(Qa2AnkiError) as caught:
        scaffold(tmp_path, "deck")
    assert ".github" in str(caught.value) and "source" in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".github", "source"]


def test_the_project_folder_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "deck").write_text("", encoding="utf-8")
    with pytest.raises(Qa2AnkiError, match="not a folder"):
        scaffold(tmp_path / "deck", "deck")


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fourth file cannot be written: the three before it and the folders made for them go again."""
    real_open = open
    opened: list[str] = []

    def failing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "x" in mode:
            opened.append(str(file))
            if len(opened) == 4:
                raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(Qa2AnkiError, match="cannot write the new project: Permission denied"):
        scaffold(tmp_path / "deck", "deck")
    assert len(opened) == 4
    assert not (tmp_path / "deck").exists()


# --------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------


def test_init_quotes_a_folder_with_a_space_and_says_how_to_use_a_python_project(
    project: Path, run_cli: RunCli
) -> None:
    """``next: cd "ex 3"`` can be copied as it is; in a folder whose own pyproject.toml has no
    ``[tool.qa2anki]``, the refusal says how to add the settings by hand."""
    result = run_cli("init", "ex 3", "--deck", "x")
    assert result.exit_code == 0, result.output
    assert 'next: cd "ex 3", ' in result.output
    (project / "py").mkdir()
    (project / "py" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    refused = run_cli("init", "py", "--deck", "x")
    assert refused.exit_code == 1
    assert "add a [tool.qa2anki] table with deck_name to its pyproject.toml" in refused.output


def test_init_without_a_terminal_names_the_deck_after_the_folder(project: Path, run_cli: RunCli) -> None:
    result = run_cli("init", "题库")
    assert result.exit_code == 0, result.output
    assert "deck 题库" in result.output
    assert "next: cd 题库, " in result.output
    for item in PROJECT_FILES:
        assert f"created {Path('题库', item.path)}" in result.output
    assert 'deck_name = "题库"' in (project / "题库" / "pyproject.toml").read_text(encoding="utf-8")


def test_init_asks_for_the_deck_name_on_a_terminal(
    project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    result = run_cli("init", "deck", input="a::::b\n面试题::新\n")
    assert result.exit_code == 0, result.output
    assert "Deck name ('::' between sub-decks) [deck]:" in result.output
    assert "between '::' is empty" in result.output  # asked again
    assert 'deck_name = "面试题::新"' in (project / "deck" / "pyproject.toml").read_text(encoding="utf-8")


def test_init_here_then_build(project: Path, run_cli: RunCli) -> None:
    (project / "source").rmdir()
    result = run_cli("init", "--deck", " 面试题::大模型 ")
    assert result.exit_code == 0, result.output
    assert "next: put your documents in source/" in result.output
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert "deck 面试题::大模型 (settings from pyproject.toml)" in result.output
    assert len(read_apkg(project / "build" / "面试题-大模型.apkg")) == 2


def test_init_refuses_existing_files_and_writes_nothing(project: Path, run_cli: RunCli) -> None:
    (project / "README.md").write_text("mine\n", encoding="utf-8")
    (project / ".gitignore").write_text("*.pyc\n", encoding="utf-8")
    before = tree(project)
    result = run_cli("init", "--deck", "deck")
    assert result.exit_code == 1
    assert (
        "Error: already there, not overwritten: .gitignore, README.md; nothing was written" in result.output
    )
    assert tree(project) == before


@pytest.mark.parametrize("name", ["", "a::::b", "x\x07"])
def test_init_refuses_a_bad_deck_name_as_a_usage_error(project: Path, run_cli: RunCli, name: str) -> None:
    result = run_cli("init", "deck", "--deck", name)
    assert result.exit_code == 2
    assert "Invalid value for '--deck'" in result.output
    assert not (project / "deck").exists()


@pytest.mark.parametrize("doc", ["README.md", "README.zh-CN.md", "docs/tooling.md"])
def test_the_docs_name_this_repository_and_this_release(doc: str) -> None:
    """Install URLs, ``uses:`` and pre-commit's ``repo:``/``rev:`` in the docs follow :data:`REPOSITORY`
    and the version, as the projects ``init`` makes do."""
    text = (REPO / doc).read_text(encoding="utf-8")
    urls = re.findall(r"github\.com/([\w.-]+/[\w.-]+)", text)
    assert urls and set(urls) == {REPOSITORY}
    for ref in re.findall(r"uses: ([\w.-]+/[\w.-]+@[\w.]*\w)", text):
        assert ref == ACTION or ref.startswith("actions/"), ref
    assert set(re.findall(r"rev: ([\w.]*\w)", text)) <= {ACTION.split("@")[1]}
    assert ACTION.split("@")[1] in text
