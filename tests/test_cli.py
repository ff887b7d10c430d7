"""The command line: build, check and list through click's CliRunner."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from qa2anki.cli import TerminalProgress
from tests.conftest import RunCli

DOC = """\
## 面试题

### 1. 过拟合

**面试题：** 什么是过拟合？

**答案：** 训练集上好，测试集上差。

### 2. 正则化

**面试题：** 常见的正则化方法有哪些？

**答案：** 常见方法：

1. **L1**：稀疏。
2. **L2**：权重衰减。

### 3. 过拟合

**面试题：** 什么是过拟合？

**答案：** 训练集上好，测试集上差。
"""


def write_doc(project: Path, text: str = DOC, name: str = "ml.md") -> Path:
    path = project / "source" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_build_writes_one_deck_and_a_summary(project: Path, run_cli: RunCli) -> None:
    """build reads source/, writes build/<slug>.apkg and the lock, and prints what it read and merged."""
    write_doc(project)
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert "1 document, 3 entries → 2 unique notes (1 duplicate merged), 2 topics" in result.output
    assert "2 added" in result.output
    assert [p.name for p in (project / "build").glob("*.apkg")] == ["qa2anki.apkg"]
    assert (project / "source" / "qa2anki.lock").is_file()
    assert "wrote build/qa2anki.apkg and source/qa2anki.lock" in result.output
    # A missing lock is never silent: the first build says it started one, and why it matters.
    assert "there was no lock: source/qa2anki.lock starts now, and every note is new" in result.output
    assert "there was no lock" not in run_cli("build").output


def test_a_build_that_finds_nothing_says_why_at_each_line(project: Path, run_cli: RunCli) -> None:
    """A first document in a shape qa2anki cannot read: build fails, and besides the error it prints the
    warnings at the lines it did not read, as check does (the error alone points nowhere)."""
    (project / "source" / "a.md").write_text(
        "## Redis\n\n**问 题** Redis 为什么快？\n\n**答 案** 纯内存。\n\n"
        "**问 题** Redis 有哪些数据类型？\n\n**答 案** 五种。\n",
        encoding="utf-8",
    )
    result = run_cli("build")
    assert result.exit_code == 1
    assert "source/a.md:3: warning: a question line with text below it, in no entry" in result.output
    assert "source: error: no 面试题/答案 entries in the sources; nothing to build" in result.output
    assert result.output.rstrip().endswith("Error: 1 error found; nothing was written")


def test_deck_name_and_output_from_pyproject(project: Path, run_cli: RunCli) -> None:
    """[tool.qa2anki] deck_name names the deck and, slugged, the output file."""
    (project / "pyproject.toml").write_text(
        '[tool.qa2anki]\ndeck_name = "面试题::机器 学习"\n', encoding="utf-8"
    )
    write_doc(project)
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert (project / "build" / "面试题-机器-学习.apkg").is_file()
    listing = json.loads(run_cli("list", "--json").output)
    assert listing["deck"]["name"] == "面试题::机器 学习"


def test_explicit_sources_output_and_lock(project: Path, run_cli: RunCli) -> None:
    """A single file with -o and --lock writes exactly there; the lock defaults to beside the file."""
    doc = write_doc(project, name="one.md")
    result = run_cli("build", str(doc), "-o", "out/deck.apkg")
    assert result.exit_code == 0, result.output
    assert (project / "out" / "deck.apkg").is_file()
    assert (project / "source" / "qa2anki.lock").is_file()
    result = run_cli("build", str(doc), "-o", "out/deck.apkg", "--lock", "other.lock")
    assert result.exit_code == 1 and "other.lock: the lock is missing, but out/deck.apkg" in result.output
    result = run_cli("build", str(doc), "-o", "out/deck.apkg", "--lock", "other.lock", "--new-lock")
    assert result.exit_code == 0, result.output
    assert (project / "other.lock").is_file()


def test_an_output_outside_the_project_is_shown_as_written(
    project: Path, run_cli: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """``-o /abs/deck.apkg`` outside the project is reported as that path, not as ``../../deck.apkg``."""
    write_doc(project)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "deck.apkg"
    result = run_cli("build", "-o", str(elsewhere))
    assert result.exit_code == 0, result.output
    assert f"wrote {elsewhere} and source/qa2anki.lock" in result.output and elsewhere.is_file()


def test_dry_run_writes_nothing(project: Path, run_cli: RunCli) -> None:
    """--dry-run reports the changes and leaves no deck or lock behind."""
    write_doc(project)
    result = run_cli("build", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert (
        "dry run: nothing written (would write build/qa2anki.apkg and source/qa2anki.lock)" in result.output
    )
    assert "there is no lock: every note is new, and a build would start source/qa2anki.lock" in result.output
    assert not (project / "build").exists()
    assert not (project / "source" / "qa2anki.lock").exists()
    assert run_cli("build").exit_code == 0
    again = run_cli("build", "--dry-run")
    assert "(would write build/qa2anki.apkg; source/qa2anki.lock would stay as it is)" in again.output


def test_locked_fails_when_the_lock_would_change(project: Path, run_cli: RunCli) -> None:
    """--locked exits 1 naming the lock when it would change, and 0 when it would not."""
    write_doc(project)
    result = run_cli("build", "--locked")
    assert result.exit_code == 1
    assert "source/qa2anki.lock: the lock would change" in result.output
    assert run_cli("build").exit_code == 0
    assert run_cli("build", "--locked").exit_code == 0
    write_doc(project, DOC.replace("权重衰减", "权重衰减，防止过拟合"))
    drift = run_cli("build", "--locked")
    assert drift.exit_code == 1
    # What would change, and where: what a CI log needs to tell the drift.
    assert "the lock would change (0 added, 1 updated, " in drift.output
    assert "; the first at source/" in drift.output


NETWORK = """\
## 网络

### 1. TCP 三次握手

为了确认双方的收发能力都正常。

### 2. UDP 的特点

无连接，不可靠，开销小。

### 3. 什么是 DNS？

把域名解析为 IP 地址的系统。
"""


def test_a_question_no_longer_read_as_one_is_named_where_it_stands(project: Path, run_cli: RunCli) -> None:
    """Numbered headings are questions in 网络面试题.md (the file name names the genre), and not once it
    is renamed 网络.md: each removed card gets a warning at the line where its question still stands,
    printed past the limit of the sources' problems; making the heading ask brings the cards back."""
    write_doc(project, NETWORK, "网络面试题.md")
    first = run_cli("build")
    assert first.exit_code == 0 and "3 added" in first.output, first.output
    (project / "source" / "网络面试题.md").rename(project / "source" / "网络.md")
    for number in range(25):  # more problems of the sources than build prints
        write_doc(
            project,
            f"## 笔记{number}\n\n一段没有问题的文字。\n\n**面试题：** 问题{number}？\n",
            f"n{number}.md",
        )
    renamed = run_cli("build")
    assert renamed.exit_code == 0, renamed.output
    assert "2 removed" in renamed.output
    removed = [
        line
        for line in renamed.stderr.splitlines()
        if "is removed, though its question is still here" in line
    ]
    assert [line.split(": warning: ")[0] for line in removed] == ["source/网络.md:3", "source/网络.md:7"]
    assert "(TCP 三次握手)" in removed[0] and "(UDP 的特点)" in removed[1]
    (project / "source" / "网络.md").write_text(
        NETWORK.replace("TCP 三次握手", "TCP 三次握手？"), encoding="utf-8"
    )
    back = run_cli("build")
    assert "1 re-identified, 1 revived" in back.output and "0 removed" in back.output, back.output


def test_verbose_lists_changes_and_removals(project: Path, run_cli: RunCli) -> None:
    """-v names each added, updated and removed note; removals tell the user to delete by hand."""
    write_doc(project)
    run_cli("build")
    text = DOC.replace("训练集上好，测试集上差。", "训练集上好，测试集上差，泛化能力弱。")
    text = text.split("### 2.")[0] + "### 3." + text.split("### 3.")[1]
    write_doc(project, text)
    result = run_cli("build", "-v")
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "1 removed" in result.output
    assert "removed" in result.output and "常见的正则化方法有哪些" in result.output
    assert "1 note is no longer in the sources; Anki keeps it on import: delete it by hand" in result.output


def test_a_fence_left_open_says_why_its_entries_went(project: Path, run_cli: RunCli) -> None:
    """A code block added to the first answer and never closed swallows the entries below it: the build
    that reports them removed says, at the fence's line, that it is never closed."""
    write_doc(project)
    run_cli("build")
    write_doc(project, DOC.replace("测试集上差。\n", "测试集上差。\n\n```python\nmodel.fit(x)\n", 1))
    result = run_cli("build", "-v")
    assert result.exit_code == 0, result.output
    assert "1 removed" in result.output
    assert "source/ml.md:9: warning: this code block is never closed" in result.stderr


def test_list_shows_each_question_as_its_card_does(project: Path, run_cli: RunCli) -> None:
    """A 语雀 export's heading (an empty anchor link, a ``<font>`` tag) is listed as the text the card
    shows, not as its Markdown."""
    write_doc(
        project,
        '## HR\n\n### [](https://example.com/docs#offer)<font style="color:rgb(44, 62, 80);">'
        "你还有其他公司的Offer吗?</font>\n\n+ 表明自己有确认过的 offer。\n",
    )
    result = run_cli("list")
    assert result.exit_code == 0, result.output
    assert "[HR]  你还有其他公司的Offer吗?" in result.stdout
    assert "example.com" not in result.stdout


def test_check_exit_codes(project: Path, run_cli: RunCli) -> None:
    """check exits 0 on clean or warning-only sources, 1 with --strict warnings, 2 on usage errors."""
    write_doc(project)
    result = run_cli("check")
    assert result.exit_code == 0 and "0 errors, 0 warnings" in result.output
    assert "source/ml.md: 3 entries (bold-label 3)" in result.output
    write_doc(project, DOC + "\n**面试题：** 没有答案？\n", "b.md")
    result = run_cli("check")
    assert result.exit_code == 0
    assert "source/b.md:24: warning: question without an answer" in result.output
    assert run_cli("check", "--strict").exit_code == 1
    assert run_cli("check", "--no-such-option").exit_code == 2


def test_list_json_is_the_documented_interface(project: Path, run_cli: RunCli) -> None:
    """list --json has the documented keys, with every merged source location per note."""
    write_doc(project)
    listing = json.loads(run_cli("list", "--json").output)
    assert set(listing) == {"format", "deck", "summary", "notes", "removed", "problems"}
    assert listing["format"] == 1
    first = listing["notes"][0]
    assert set(first) == {"guid", "status", "topic", "topics", "tags", "question", "sources"}
    assert [(s["path"], s["line"], s["kind"]) for s in first["sources"]] == [
        ("source/ml.md", 5, "canonical"),
        ("source/ml.md", 20, "exact"),
    ]
    assert first["tags"] == ["主题::过拟合", "文档::ml"]
    only_removed = json.loads(run_cli("list", "--json", "--removed").output)
    assert set(only_removed) == {"format", "deck", "summary", "removed", "problems"}


def test_list_guids_match_the_built_deck(project: Path, run_cli: RunCli) -> None:
    """list shows the GUIDs the lock gives, and rebuilding twice gives the same GUIDs."""
    write_doc(project)
    before = [n["guid"] for n in json.loads(run_cli("list", "--json").output)["notes"]]
    run_cli("build")
    run_cli("build")
    after = [n["guid"] for n in json.loads(run_cli("list", "--json").output)["notes"]]
    assert before == after


def test_bad_config_is_one_line(project: Path, run_cli: RunCli) -> None:
    """A wrong [tool.qa2anki] value is reported with the file name, exit 1, no traceback."""
    (project / "pyproject.toml").write_text("[tool.qa2anki]\ndeck_id = 'x'\n", encoding="utf-8")
    write_doc(project)
    result = run_cli("build")
    assert result.exit_code == 1
    assert "pyproject.toml:2: [tool.qa2anki] deck_id must be a positive integer" in result.output
    assert "Traceback" not in result.output


def test_output_must_be_apkg(project: Path, run_cli: RunCli) -> None:
    """-o must name an .apkg file."""
    write_doc(project)
    result = run_cli("build", "-o", "deck.zip")
    assert result.exit_code == 1 and "must end in .apkg" in result.output


def test_python_dash_m(project: Path) -> None:
    """python -m qa2anki runs the same CLI."""
    write_doc(project)
    done = subprocess.run(
        [sys.executable, "-m", "qa2anki", "check"], capture_output=True, text=True, cwd=project, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "3 entries, 2 unique notes" in done.stdout


def test_console_script_flushes_output_and_exit_codes(project: Path) -> None:
    """The console script ends the process at once, after all its output is out and with click's exit
    codes: 0 when done, 1 on an error (message on standard error), 2 on a usage mistake."""
    write_doc(project)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "qa2anki", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=project, check=False)

    listed = run("list", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["notes"]) == 2
    built = run("build")
    assert built.returncode == 0 and (project / "build" / "qa2anki.apkg").exists()
    assert "wrote build/qa2anki.apkg" in built.stdout
    wrong = run("build", "-o", "deck.zip")
    assert wrong.returncode == 1 and "must end in .apkg" in wrong.stderr
    assert run("build", "--no-such-option").returncode == 2
    assert run("--help").returncode == 0


def test_terminal_progress_waits_a_second_then_draws(capsys: pytest.CaptureFixture[str]) -> None:
    """The progress line stays silent for quick builds and draws a bar once the delay has passed."""
    quiet = TerminalProgress(delay=3600)
    quiet("parsing", 1, 2)
    quiet.finish()
    assert capsys.readouterr().err == ""
    loud = TerminalProgress(delay=0)
    loud("parsing", 1, 2)
    loud("writing the deck", 0, 0)
    loud.finish()
    err = capsys.readouterr().err
    assert "parsing" in err and "50%" in err and "writing the deck…" in err


def test_progress_is_quiet_in_ci(project: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    """With CI set (or no terminal) build prints no progress line."""
    monkeypatch.setenv("CI", "true")
    write_doc(project)
    result = run_cli("build")
    assert "\x1b[2K" not in result.output


def test_build_caps_the_problem_list(project: Path, run_cli: RunCli) -> None:
    """build prints at most 20 problems and says how many more check would list."""
    text = "".join(f"### {n}. 主题{n}\n\n**面试题：** 没有答案的问题{n}？\n\n" for n in range(25))
    write_doc(project, DOC + text)
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert result.output.count("question without an answer") == 20
    assert "… and 5 more (qa2anki check lists them all)" in result.output
    assert run_cli("check").output.count("question without an answer") == 25


def test_a_legacy_console_encoding_gets_escapes_not_a_traceback(project: Path) -> None:
    """Windows pipes default to cp1252, which has no Chinese: the output shows escapes instead."""
    write_doc(project)
    done = subprocess.run(
        [sys.executable, "-m", "qa2anki", "list"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        encoding="cp1252",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "\\u" in done.stdout and "Traceback" not in done.stderr


def test_a_build_from_a_subfolder_uses_the_project_it_is_in(project: Path, run_cli: RunCli) -> None:
    """As ruff and pytest find their settings: the nearest pyproject.toml with [tool.qa2anki] up from
    the current folder is the project; paths given on the command line are the current folder's. Every
    build says which deck and which settings it used."""
    (project / "pyproject.toml").write_text('[tool.qa2anki]\ndeck_name = "面试::子目录"\n', encoding="utf-8")
    write_doc(project)
    os.chdir(project / "source")
    result = run_cli("build", ".")
    assert result.exit_code == 0, result.output
    assert "deck 面试::子目录 (settings from ../pyproject.toml)" in result.output
    assert (project / "build" / "面试-子目录.apkg").is_file()
    assert (project / "source" / "qa2anki.lock").is_file() and not (project / "source" / "build").exists()
    again = run_cli("build")  # no sources named: the project's
    assert again.exit_code == 0 and "2 unchanged" in again.output


def test_missing_sources_say_where_they_were_looked_for(project: Path, run_cli: RunCli) -> None:
    """No sources: one line saying where qa2anki looked and what to do, and no build folder left behind."""
    (project / "source").rmdir()
    result = run_cli("build")
    assert result.exit_code == 1
    assert f"source: no such file or folder (looked in {project})" in result.output
    assert "[tool.qa2anki]" in result.output and not (project / "build").exists()
    defaults = run_cli("build", "--dry-run", "elsewhere.md")
    assert "elsewhere.md: no such file or folder" in defaults.output


def test_verbose_shows_a_renamed_topic_and_explains_the_score_once(project: Path, run_cli: RunCli) -> None:
    """build -v says what a renamed heading did to a note (its topic, before and after), and what the
    score of a re-identified note means, once."""
    write_doc(project)
    assert run_cli("build").exit_code == 0
    write_doc(
        project, DOC.replace("### 1. 过拟合", "### 1. 过拟合现象").replace("什么是过拟合？", "何为过拟合？")
    )
    result = run_cli("build", "-v")
    assert result.exit_code == 0, result.output
    (line,) = (line for line in result.output.splitlines() if "何为过拟合" in line)
    assert "topic: 过拟合 → 过拟合 / 过拟合现象" in line and "score" in line  # DOC has it twice
    assert result.output.count("(score: how alike") == 1


def test_tidy_removes_the_extra_copy_and_the_next_build_changes_nothing(
    project: Path, run_cli: RunCli
) -> None:
    """tidy prints a diff that removes the second copy (with its heading); --write applies it; the
    next build reports no change."""
    path = write_doc(project)
    assert run_cli("build").exit_code == 0
    result = run_cli("tidy")
    assert result.exit_code == 0, result.output
    removed = [line[1:] for line in result.stdout.splitlines() if line.startswith("-") and line[1:3] != "--"]
    assert removed == [
        "",
        "### 3. 过拟合",
        "",
        "**面试题：** 什么是过拟合？",
        "",
        "**答案：** 训练集上好，测试集上差。",
    ]
    assert "1 copy to remove from 1 document" in result.stderr
    assert path.read_text(encoding="utf-8") == DOC  # nothing written without --write
    assert run_cli("tidy", "--write").exit_code == 0
    assert path.read_text(encoding="utf-8") == DOC.split("\n\n### 3.")[0] + "\n"
    result = run_cli("build")
    assert "0 added, 0 updated, 0 re-identified, 0 revived, 2 unchanged, 0 removed" in result.output
    assert run_cli("tidy").stderr.strip() == "nothing to tidy: no note has a redundant copy"


def test_tidy_leaves_near_duplicates_and_other_headings(project: Path, run_cli: RunCli) -> None:
    """A near duplicate and a copy under another heading are reported, never removed."""
    text = DOC + "\n### 4. 过拟合\n\n**面试题：** 什么是过拟合呢？\n\n**答案：** 训练集上好，测试集上差。\n"
    text += "\n### 5. 泛化\n\n**面试题：** 什么是过拟合？\n\n**答案：** 训练集上好，测试集上差。\n"
    write_doc(project, text)
    result = run_cli("tidy")
    assert result.exit_code == 0, result.output
    # The card is the copy under 泛化 (line 32): one copy stays under 过拟合, beside the near duplicate.
    assert "source/ml.md:26: left: a near duplicate merged into the note at source/ml.md:32" in result.stderr
    assert "source/ml.md:5: left: the note's only copy under '过拟合'" in result.stderr
    assert (
        "-### 3. 过拟合" in result.stdout
        and "-### 5." not in result.stdout
        and "-### 4." not in result.stdout
    )


def test_forget_needs_a_removed_note(project: Path, run_cli: RunCli) -> None:
    """forget names what is wrong: no GUID (usage), a GUID the lock does not have, a note still there."""
    write_doc(project)
    assert run_cli("forget").exit_code == 2
    assert run_cli("forget", "nope").exit_code == 1  # no lock yet
    run_cli("build")
    result = run_cli("forget", "nope")
    assert result.exit_code == 1 and "no note with GUID nope" in result.output
    guid = json.loads(run_cli("list", "--json").stdout)["notes"][0]["guid"]
    result = run_cli("forget", guid)
    assert result.exit_code == 1 and "is still in the sources" in result.output


def test_a_lock_holding_a_merge_conflict_is_read_side_by_side(project: Path, run_cli: RunCli) -> None:
    """After ``git merge`` left conflict markers in the lock: ``list`` and ``build --dry-run`` warn at the
    first marker and write nothing; ``forget`` refuses until a build; the build keeps both sides' notes
    and writes the lock without markers."""
    write_doc(project)
    assert run_cli("build").exit_code == 0
    lock = project / "source/qa2anki.lock"
    lines = lock.read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines) if line.startswith('  {"guid"'))
    note = json.loads(lines[at].rstrip(","))
    theirs = dict(note, guid="zzzzzzzzzzz", key="其他\x1f别的问题", present=False)
    conflicted = [
        *lines[:at],
        "<<<<<<< HEAD",
        lines[at],
        "=======",
        lines[at] + ("" if lines[at].endswith(",") else ","),
        "  " + json.dumps(theirs, ensure_ascii=False) + ("," if lines[at].endswith(",") else ""),
        ">>>>>>> theirs",
        *lines[at + 1 :],
    ]
    lock.write_text("\n".join(conflicted), encoding="utf-8")
    marker = f"source/qa2anki.lock:{at + 1}: warning: the lock holds a git merge conflict"
    for args in (("list",), ("build", "--dry-run")):
        result = run_cli(*args)
        assert result.exit_code == 0 and marker in result.output and "1 only on theirs" in result.output
    assert "<<<<<<<" in lock.read_text(encoding="utf-8")
    result = run_cli("forget", "zzzzzzzzzzz")
    assert (
        result.exit_code == 1
        and f"qa2anki.lock:{at + 1}: the lock holds a git merge conflict" in result.output
    )
    result = run_cli("build")
    assert result.exit_code == 0 and marker in result.output
    assert "<<<<<<<" not in lock.read_text(encoding="utf-8") and "zzzzzzzzzzz" in lock.read_text(
        encoding="utf-8"
    )
    assert run_cli("forget", "zzzzzzzzzzz").exit_code == 0
    assert run_cli("build", "--locked").exit_code == 0
    lock.write_text("\n".join(conflicted), encoding="utf-8")
    result = run_cli("build", "--locked")  # (CI, or the pre-commit hook, on a lock committed in conflict)
    assert (
        result.exit_code == 1
        and f"qa2anki.lock:{at + 1}: the lock holds a git merge conflict" in result.output
    )


Git = Callable[..., subprocess.CompletedProcess[str]]


def committed(project: Path, run_cli: RunCli) -> Git:
    """Build the project, make it a git repository with one commit, and give a git runner for it."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
        return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)

    assert run_cli("build").exit_code == 0
    (project / ".gitignore").write_text("build/\n", encoding="utf-8")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    return git


def test_a_document_git_left_in_conflict_stops_the_build(project: Path, run_cli: RunCli) -> None:
    """Two branches edited one entry; after ``git merge`` the document holds git's markers. Its cards would
    show them and both sides' text: the build stops at the first marker, writing nothing. Resolved (not
    yet added), it builds; so does a marker line in a document git has no conflict in."""

    document = write_doc(project)
    git = committed(project, run_cli)
    git("checkout", "-qb", "other")
    document.write_text(DOC.replace("权重衰减。", "权重衰减，防过拟合。"), encoding="utf-8")
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    document.write_text(DOC.replace("权重衰减。", "即权重衰减。"), encoding="utf-8")
    git("commit", "-qam", "main")
    assert git("merge", "other").returncode != 0
    marker = document.read_text(encoding="utf-8").split("\n").index("<<<<<<< HEAD") + 1
    before = (project / "source/qa2anki.lock").read_bytes()
    result = run_cli("build")
    assert result.exit_code == 1
    assert f"source/ml.md:{marker}: error: this document still holds git's conflict markers" in result.output
    assert (project / "source/qa2anki.lock").read_bytes() == before
    assert "conflict markers" in run_cli("check").output
    git("checkout", "--ours", "source/ml.md")  # resolved, not added yet
    assert run_cli("build").exit_code == 0


SECTIONS = """\
### 1. 过拟合

**面试题：** 什么是过拟合？

**答案：** 训练集上表现很好，但在测试集上表现明显变差的现象。

### 2. 正则化

**面试题：** 常见的正则化方法有哪些？

**答案：** L1 正则化让权重稀疏，L2 正则化即权重衰减。
"""
KV = """
### {number}. 推理加速

**面试题：** {question}

**答案：** 自回归生成时把之前词元的键和值缓存起来，生成新词元时只计算新位置的查询、键和值，避免重复计算。
"""


ALIKE_PAIR = (
    SECTIONS + KV.format(number=3, question="什么是KV缓存？") + KV.format(number=4, question="KV缓存是什么？")
)
"""The document after the merge of :func:`merged_alike_pair`: both branches' copies of one entry."""


def merged_alike_pair(project: Path, run_cli: RunCli) -> Path:
    """Two branches add the same entry, worded a little differently, and each builds and studies it; the
    merge keeps both copies (:data:`ALIKE_PAIR`), and the lock holds each side's card. Gives the document."""
    document = write_doc(project, SECTIONS)
    git = committed(project, run_cli)
    git("checkout", "-qb", "other")
    document.write_text(SECTIONS + KV.format(number=3, question="KV缓存是什么？"), encoding="utf-8")
    assert run_cli("build").exit_code == 0
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    document.write_text(SECTIONS + KV.format(number=3, question="什么是KV缓存？"), encoding="utf-8")
    assert run_cli("build").exit_code == 0
    assert "warning" not in run_cli("check").output.replace("0 warnings", "")
    git("commit", "-qam", "main")
    assert git("merge", "other").returncode != 0
    document.write_text(ALIKE_PAIR, encoding="utf-8")
    return document


def test_one_entry_both_branches_added_stays_two_cards_and_says_so(project: Path, run_cli: RunCli) -> None:
    """After the merge of :func:`merged_alike_pair`, each card has its history in the merged lock, so both
    stay, and the build names the pair (one side's lock alone would have made them one note); so does a
    build that carries the notes over, and one without caches."""

    document = merged_alike_pair(project, run_cli)
    both = ALIKE_PAIR
    result = run_cli("build")
    assert result.exit_code == 0
    first = both.split("\n").index("**面试题：** 什么是KV缓存？") + 1
    second = both.split("\n").index("**面试题：** KV缓存是什么？") + 1
    warning = (
        f"source/ml.md:{second}: warning: asks and answers like the card at source/ml.md:{first}, "
        "but is a card of its own"
    )
    assert warning in result.output
    assert warning in run_cli("build", "-v").output  # (building the ledger)
    carried = run_cli("build", "-v")
    assert "carried 4 notes over" in carried.output and warning in carried.output
    shutil.rmtree(project / "build")
    assert warning in run_cli("build", "--dry-run").output
    listed = json.loads(run_cli("list", "--json").output)["notes"]
    assert len([note for note in listed if "KV" in note["question"]]) == 2
    # An edit of one card, still alike: the build of the edit says it, and so do the warm and cold
    # builds after it (the lock knows the new wording only then).
    head, tail = both.rsplit("避免重复计算。", 1)
    document.write_text(head + "避免了重复计算。" + tail, encoding="utf-8")
    assert warning in run_cli("build").output
    assert warning in run_cli("build", "-v").output
    assert warning in run_cli("build", "-v").output
    shutil.rmtree(project / "build")
    assert warning in run_cli("build", "--dry-run").output


def assert_settled(project: Path, run_cli: RunCli) -> None:
    """The next build, warm or cold (without ``build/``), changes nothing: not a note, not the lock."""
    lock = (project / "source/qa2anki.lock").read_bytes()
    assert "0 updated" in run_cli("build").output
    shutil.rmtree(project / "build")
    assert run_cli("build").exit_code == 0
    assert (project / "source/qa2anki.lock").read_bytes() == lock


PROS_AND_CONS = """\
### 1. {redis}

**面试题：** 有哪些优缺点？

**答案：** 优点：基于内存读写极快，支持丰富的数据结构和持久化；缺点：数据量受内存限制，大key会阻塞{thread}。

### 2. {mysql}

**面试题：** 有哪些优缺点？

**答案：** 优点：支持事务和复杂查询，生态成熟；缺点：高并发写入时性能有限，水平扩展需要分库分表。
"""


def test_renaming_both_headings_of_one_question_keeps_both_cards(project: Path, run_cli: RunCli) -> None:
    """Two cards ask 有哪些优缺点？ under two headings; one build renames both headings and edits one
    answer. Each card keeps its GUID (the unedited one was taken for a stale copy of the edit, and
    removed), and the next build, warm or cold, changes nothing."""
    document = write_doc(project, PROS_AND_CONS.format(redis="Redis", mysql="MySQL", thread="单线程"))
    assert run_cli("build").exit_code == 0
    before = [note["guid"] for note in json.loads(run_cli("list", "--json").output)["notes"]]
    document.write_text(
        PROS_AND_CONS.format(redis="Redis缓存", mysql="MySQL数据库", thread="主线程"), encoding="utf-8"
    )
    result = run_cli("build")
    assert result.exit_code == 0
    assert "0 added" in result.output and "0 removed" in result.output and "stale copy" not in result.output
    after = json.loads(run_cli("list", "--json").output)["notes"]
    assert [note["guid"] for note in after] == before
    assert [note["topic"] for note in after] == ["Redis缓存", "MySQL数据库"]
    assert_settled(project, run_cli)


def test_rewording_one_of_two_alike_cards_keeps_each_card(project: Path, run_cli: RunCli) -> None:
    """After the merge of :func:`merged_alike_pair`, one card's question is reworded (its only copy): that
    card shows the new question and keeps its history; the other card, whose copy is still there, keeps
    its own. (The edit went to the other card, as an edit of it, and the reworded card was removed.)"""

    document = merged_alike_pair(project, run_cli)
    assert run_cli("build").exit_code == 0
    before = {
        note["question"]: note["guid"] for note in json.loads(run_cli("list", "--json").output)["notes"]
    }
    document.write_text(ALIKE_PAIR.replace("什么是KV缓存？", "KV缓存指的是什么？"), encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0
    assert "0 removed" in result.output and "stale copy" not in result.output
    after = {note["question"]: note["guid"] for note in json.loads(run_cli("list", "--json").output)["notes"]}
    assert after["KV缓存指的是什么？"] == before["什么是KV缓存？"]
    assert after["KV缓存是什么？"] == before["KV缓存是什么？"]
    assert "asks and answers like the card" in result.output
    assert_settled(project, run_cli)


def test_a_deleted_alike_copy_put_back_leaves_the_kept_card(project: Path, run_cli: RunCli) -> None:
    """After the merge of :func:`merged_alike_pair`, the later copy is deleted, as the warning advises (its
    card is removed), then put back (a revert): the card kept all along goes on, and the copy joins it.
    (The copy was taken for an edit of that card: its card came back and the kept one was removed.)"""

    document = merged_alike_pair(project, run_cli)
    assert run_cli("build").exit_code == 0
    kept = {note["question"]: note["guid"] for note in json.loads(run_cli("list", "--json").output)["notes"]}
    document.write_text(ALIKE_PAIR.split("\n### 4.")[0], encoding="utf-8")
    assert "1 removed" in run_cli("build").output
    document.write_text(ALIKE_PAIR, encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0
    assert "0 revived" in result.output and "0 removed" in result.output and "stale copy" not in result.output
    assert "read as that entry put back" in result.output
    assert "put back" not in run_cli("build").output  # (said once: the lock records the copy now)
    (card,) = [
        note for note in json.loads(run_cli("list", "--json").output)["notes"] if "KV" in note["question"]
    ]
    assert card["guid"] == kept["什么是KV缓存？"] and len(card["sources"]) == 2


def merged_under_two_headings(project: Path, run_cli: RunCli) -> tuple[Path, str]:
    """Two branches add the very same entry under two headings (推理加速 in ml.md, 高频题 in hot.md), and
    each builds and studies it; the merge leaves the lock in conflict. Gives hot.md and the GUID of the
    card its branch built."""
    document = write_doc(project, SECTIONS)
    git = committed(project, run_cli)
    git("checkout", "-qb", "other")
    hot = write_doc(
        project, KV.format(number=1, question="什么是KV缓存？").replace("推理加速", "高频题"), "hot.md"
    )
    assert run_cli("build").exit_code == 0
    git("add", "-A")
    git("commit", "-qm", "other")
    (guid,) = [
        note["guid"]
        for note in json.loads(run_cli("list", "--json").output)["notes"]
        if "KV" in note["question"]
    ]
    git("checkout", "-q", "main")
    document.write_text(SECTIONS + KV.format(number=3, question="什么是KV缓存？"), encoding="utf-8")
    assert run_cli("build").exit_code == 0
    git("commit", "-qam", "main")
    assert git("merge", "other").returncode != 0  # (the lock)
    return hot, guid


def test_one_entry_both_branches_added_under_two_headings_names_the_removed_card(
    project: Path, run_cli: RunCli
) -> None:
    """After the merge of :func:`merged_under_two_headings` one note holds both copies (a note's wording is
    its own), so one card is removed, though its entry is still there: the build says so at that copy,
    naming the card, not only that it is gone. With that copy deleted while merging, it is gone indeed,
    and nothing more is said."""
    hot, guid = merged_under_two_headings(project, run_cli)
    result = run_cli("build")
    assert result.exit_code == 0 and "1 removed" in result.output
    line = hot.read_text(encoding="utf-8").split("\n").index("**面试题：** 什么是KV缓存？") + 1
    assert (
        f"source/hot.md:{line}: warning: note {guid} (under 高频题) is removed, though its entry"
        in result.output
    )
    assert "is removed, though its entry" not in run_cli("build").output  # (said once, when it goes)


def test_one_entry_both_branches_added_and_one_copy_deleted_says_nothing_more(
    project: Path, run_cli: RunCli
) -> None:
    """After the merge of :func:`merged_under_two_headings`, either copy deleted while merging: its card
    is removed, as any deleted entry's, with no claim that its entry is still there."""
    hot, _ = merged_under_two_headings(project, run_cli)
    hot.unlink()
    first = run_cli("build")
    assert first.exit_code == 0 and "1 removed" in first.output
    assert "is removed, though its entry" not in first.output


def test_cards_alike_across_headings_are_named_by_a_warm_build_too(project: Path, run_cli: RunCli) -> None:
    """Two cards alike under two headings (copies apart only in spacing), kept apart by a merged lock: a
    build that carries notes over and rebuilds only the later card's heading still names the pair; and a
    card answered otherwise is no copy of the other, whatever it asks."""

    answer = "I/O多路复用让单个线程同时监视多个文件描述符，常见实现有select、poll和epoll。"
    write_doc(
        project, "### 1. 网络\n\n**面试题：** 什么是TCP？\n\n**答案：** 面向连接的可靠传输协议。\n", "a.md"
    )
    write_doc(
        project, "### 1. 操作系统\n\n**面试题：** 什么是进程？\n\n**答案：** 资源分配的基本单位。\n", "b.md"
    )
    write_doc(
        project, "### 1. 操作系统\n\n**面试题：** 什么是线程？\n\n**答案：** CPU调度的基本单位。\n", "c.md"
    )
    git = committed(project, run_cli)
    for branch, name, question in (
        ("one", "b.md", "什么是IO 多路复用？"),
        ("two", "a.md", "什么是IO多路复用？"),
    ):
        git("checkout", "-q", "-b", branch, "main")
        path = project / "source" / name
        path.write_text(
            path.read_text(encoding="utf-8") + f"\n**面试题：** {question}\n\n**答案：** {answer}\n"
        )
        assert run_cli("build").exit_code == 0
        git("commit", "-qam", branch)
    git("merge", "one")
    assert run_cli("build").exit_code == 0
    cold = run_cli("build", "--dry-run").output
    assert "asks and answers like the card at source/a.md" in cold
    # An unrelated edit under the later card's heading, in another file: only that heading is rebuilt.
    path = project / "source" / "c.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("基本单位。", "基本单位，共享地址空间。"), encoding="utf-8"
    )
    assert run_cli("build").exit_code == 0
    warm = run_cli("build", "-v").output
    assert "carried" in warm and "carried no notes" not in warm
    warned = [line for line in warm.splitlines() if "asks and answers like" in line]
    assert warned == [line for line in cold.splitlines() if "asks and answers like" in line]


def test_list_removed_with_nothing_removed_says_so(project: Path, run_cli: RunCli) -> None:
    """With no removed note, list --removed says there is none, instead of instructions for 0 of them."""
    write_doc(project)
    run_cli("build")
    result = run_cli("list", "--removed")
    assert result.exit_code == 0
    assert "no removed notes to delete in Anki" in result.output and "0 removed" not in result.output


def test_an_older_lock_is_not_drift(project: Path, run_cli: RunCli) -> None:
    """A lock written before the card's wording was recorded still builds with --locked."""
    write_doc(project)
    assert run_cli("build").exit_code == 0
    lock = project / "source/qa2anki.lock"
    data = json.loads(lock.read_text(encoding="utf-8"))
    for note in data["notes"]:
        for name in ("question_md", "wording", "others", "older"):
            note.pop(name, None)
    del data["deck"]
    lock.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = run_cli("build", "--locked")
    assert result.exit_code == 0, result.output
    assert run_cli("build").exit_code == 0
    assert '"wording": "' in lock.read_text(encoding="utf-8")


def test_verbose_shows_what_a_note_was_as_written(project: Path, run_cli: RunCli) -> None:
    """A re-identified note's was: line shows its old question as the author wrote it."""
    write_doc(project)
    run_cli("build")
    write_doc(project, DOC.replace("什么是过拟合？", "过拟合指的是什么现象？"))
    result = run_cli("build", "-v")
    assert "re-identified" in result.output
    assert "(was: 什么是过拟合？; score" in result.output


def test_tidy_leaves_copies_of_questions_answered_in_a_list_apart(project: Path, run_cli: RunCli) -> None:
    """A copy of an entry whose question and answer are items of two lists is no run of lines tidy can
    remove: it is left, and said so (it was an error that the entry's lines were not where expected)."""
    asked = "## 题目\n\n1. 什么是MVCC？\n2. 什么是间隙锁？\n\n"
    pair = asked + "## 答案\n\n1. 多版本并发控制。\n2. 锁住索引间隙。\n"
    (project / "source" / "a.md").write_text(f"# 数据库\n\n{pair}\n{pair}", encoding="utf-8")
    result = run_cli("tidy")
    assert result.exit_code == 0, result.output
    assert "source/a.md:15: left: its question and answer are items of two lists" in result.stderr


def test_tidy_keeps_crlf_newlines_and_the_byte_order_mark(project: Path, run_cli: RunCli) -> None:
    """A file written with CRLF newlines and a BOM stays so; only the removed lines go."""
    path = project / "source/ml.md"
    path.write_bytes(b"\xef\xbb\xbf" + DOC.replace("\n", "\r\n").encode("utf-8"))
    assert run_cli("build").exit_code == 0
    result = run_cli("tidy", "--write")
    assert result.exit_code == 0, result.output
    expected = DOC.split("\n\n### 3.")[0] + "\n"
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode("utf-8")


def test_tidy_refuses_to_write_mixed_newlines(project: Path, run_cli: RunCli) -> None:
    """A file with both kinds of newline is not rewritten (that would touch lines tidy did not mean to)."""
    path = project / "source/ml.md"
    path.write_bytes(DOC.replace("\n", "\r\n", 3).encode("utf-8"))
    result = run_cli("tidy", "--write")
    assert result.exit_code == 1 and "one kind of newline" in result.output
    assert path.read_bytes() == DOC.replace("\n", "\r\n", 3).encode("utf-8")


def test_tidy_refuses_to_write_a_file_with_zero_width_spaces(project: Path, run_cli: RunCli) -> None:
    """Reading drops zero-width spaces; writing the text read would drop them from lines tidy did not mean
    to touch, so such a file is not rewritten."""
    path = project / "source/ml.md"
    path.write_text(DOC.replace("### 1.", "\u200b### 1."), encoding="utf-8")
    result = run_cli("tidy", "--write")
    assert result.exit_code == 1 and "zero-width spaces" in result.output
    assert path.read_text(encoding="utf-8") == DOC.replace("### 1.", "\u200b### 1.")


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-32"])
def test_tidy_writes_a_file_back_in_its_own_encoding(encoding: str, project: Path, run_cli: RunCli) -> None:
    """Sources may be GBK or UTF-16/32 with a byte-order mark: tidy writes them back as they were read,
    in their encoding and with their newlines and mark."""
    path = project / "source/ml.md"
    path.write_bytes(DOC.replace("\n", "\r\n").encode(encoding))
    result = run_cli("tidy", "--write")
    assert result.exit_code == 0, result.output
    expected = DOC.split("\n\n### 3.")[0] + "\n"
    assert path.read_bytes() == expected.replace("\n", "\r\n").encode(encoding)


def test_tidy_names_every_file_it_cannot_write_and_writes_none(project: Path, run_cli: RunCli) -> None:
    """--write is all or nothing: the files it cannot write back are all named, and no file changes."""
    tidy_able = project / "source/ml.md"
    tidy_able.write_text(DOC, encoding="utf-8")
    mixed = project / "source/mixed.md"
    mixed.write_bytes(DOC.replace("\n", "\r\n", 3).encode("utf-8"))
    hidden = project / "source/hidden.md"
    hidden.write_text(DOC.replace("### 1.", "\u200b### 1."), encoding="utf-8")
    result = run_cli("tidy", "--write")
    assert result.exit_code == 1
    assert "source/hidden.md" in result.output and "source/mixed.md" in result.output
    assert "nothing was written" in result.output
    assert tidy_able.read_text(encoding="utf-8") == DOC


def test_a_locked_build_accepts_the_lock_forgetting_copies_tidy_removed(
    project: Path, run_cli: RunCli
) -> None:
    """After ``tidy --write`` removes a stale copy, the lock only forgets that copy's wording: the deck is
    the same, so a ``--locked`` build (CI, before the lock is committed) passes, and forgets it."""
    write_doc(project)
    assert run_cli("build").exit_code == 0
    head, _, tail = DOC.rpartition("训练集上好，测试集上差。")
    write_doc(project, head + "训练集上好，测试集上差，泛化能力弱。" + tail)
    edited = run_cli("build")
    assert edited.exit_code == 0 and "stale copy" in edited.output
    assert '"older"' in (project / "source/qa2anki.lock").read_text(encoding="utf-8")
    assert run_cli("tidy", "--write").exit_code == 0
    locked = run_cli("build", "--locked")
    assert locked.exit_code == 0, locked.output
    assert "0 added, 0 updated" in locked.output
    assert '"older"' not in (project / "source/qa2anki.lock").read_text(encoding="utf-8")


def test_status_columns_line_up_in_chinese() -> None:
    """A Chinese status takes two terminal columns per character: the GUIDs after it line up."""
    from qa2anki.cli import _padded

    assert _padded("新增", 12) == "新增" + " " * 8 and _padded("added", 12) == "added" + " " * 7
    assert _padded("重新识别超过了宽度", 12) == "重新识别超过了宽度"


def test_a_build_of_part_of_the_sources_asks_to_delete_nothing(project: Path, run_cli: RunCli) -> None:
    """The notes of the documents a build of part of the sources leaves out count as removed in its lock,
    but the summary does not tell the user to delete them in Anki: a full build brings them back."""
    (project / "source").mkdir(exist_ok=True)
    entry = "## {0}\n\n**面试题：** {0}？\n\n**答案：** {0}。\n"
    (project / "source" / "a.md").write_text(entry.format("甲"), encoding="utf-8")
    (project / "source" / "b.md").write_text(entry.format("乙"), encoding="utf-8")
    assert run_cli("build").exit_code == 0
    part = run_cli("build", "source/b.md")
    assert part.exit_code == 0, part.output
    assert "1 note is not in the documents this build read (part of the sources)" in part.output
    assert "delete them by hand" not in part.output


def test_list_with_a_lock_that_is_not_there_says_so(project: Path, run_cli: RunCli) -> None:
    """``list --lock missing.lock`` is an error naming it: listing on, every note would get a GUID of its
    own, which no build gave it."""
    write_doc(project)
    result = run_cli("list", "--lock", "missing.lock")
    assert result.exit_code == 1
    assert "no lock file at missing.lock" in result.output
