"""The pipeline's public face (qa2anki.build): build, analyse, their options and reports, the clock.

Called directly, not through the CLI (test_cli, test_bad_input): what a build writes and reports, that
equal inputs give equal bytes, that a failed build touches nothing, and what analyse and a dry run leave
alone. Carried builds (notes taken over from the last one) are test_carry's; here a second build is only
asked to report what a first one would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from qa2anki import i18n
from qa2anki.build import (
    BuildReport,
    Options,
    _problems_message,
    analyse,
    blocking,
    build,
    check,
    clock,
    content_hash,
    listing,
    lock_path,
    removed_searches,
)
from qa2anki.config import Config
from qa2anki.errors import LockError, Problem, ProblemsFound, Qa2AnkiError, Severity, SourceError
from qa2anki.identity import Status
from qa2anki.lockfile import Lock, LockedNote
from qa2anki.notetype import NOTE_TYPE
from qa2anki.render import RenderedNote
from tests.conftest import PNG, SEED, read_apkg

NOW = 1_700_000_000
DECK = "build/qa2anki.apkg"
LOCK = "source/qa2anki.lock"
SEED_NAME = SEED.name

Files = dict[str, tuple[bytes, int]]


def _files(root: Path) -> Files:
    """Every file below ``root`` (caches and build mutex included): its bytes and mtime in nanoseconds."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _user_files(root: Path) -> Files:
    """The files a user owns: all but qa2anki's housekeeping in ``build/.qa2anki-*``."""
    return {name: data for name, data in _files(root).items() if not name.startswith("build/.qa2anki-")}


def _seed_project(root: Path) -> Path:
    """A project folder holding the seed document in ``source/``."""
    (root / "source").mkdir(parents=True)
    shutil.copyfile(SEED, root / "source" / SEED_NAME)
    return root


def _not_hints(problems: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """What ``build`` prints (hints are ``check``'s: the seed's closing paragraph is one)."""
    return tuple(p for p in problems if p.severity != Severity.HINT)


def _lock_guids(path: Path) -> list[str]:
    return [note["guid"] for note in json.loads(path.read_text(encoding="utf-8"))["notes"]]


# --- clock -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [("1700000000", NOW), (" 42 \n", 42), ("0", 0)])
def test_clock_is_source_date_epoch_when_set(
    monkeypatch: pytest.MonkeyPatch, value: str, seconds: int
) -> None:
    """``SOURCE_DATE_EPOCH`` (surrounding white space allowed) is the build time, for reproducible builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert clock() == seconds


@pytest.mark.parametrize("value", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_clock_is_the_time_without_source_date_epoch(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    """Unset or blank, the build time is now, in whole seconds."""
    if value is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    before = int(time.time())
    now = clock()
    assert isinstance(now, int) and before <= now <= int(time.time())


@pytest.mark.parametrize(
    "value", ["yesterday", "1.5", "1e9", "0x10", "-1", "-1700000000", "1700000000000", "9" * 20]
)
def test_clock_refuses_a_bad_source_date_epoch(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Anything but non-negative whole seconds before the year 10000 is a Qa2AnkiError that says what is
    expected (never a ValueError traceback, never a silent fall-back to the time, which would break
    reproducibility; milliseconds, written into the lock, made it unreadable)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(Qa2AnkiError, match="SOURCE_DATE_EPOCH must"):
        clock()


# --- blocking, content_hash, Options ---------------------------------------------------------------------

_ERROR = Problem("a.md", 3, Severity.ERROR, "image '../x.png' is outside the sources folder")
_WARNING = Problem("a.md", 1, Severity.WARNING, "question without an answer")
_LATER_ERROR = Problem("b.md", 0, Severity.ERROR, "no entries")


def test_blocking_is_errors_or_under_strict_everything() -> None:
    """Errors stop a build; warnings only under ``strict``; the order is kept."""
    problems = (_ERROR, _WARNING, _LATER_ERROR)
    assert blocking(problems, strict=False) == (_ERROR, _LATER_ERROR)
    assert blocking(problems, strict=True) == problems
    assert blocking((_WARNING,), strict=False) == ()
    assert blocking((), strict=True) == ()


def test_content_hash_tells_fields_from_tags() -> None:
    """The hash is 16 hex digits, fixed for a note, and changes with any field or tag, their order, and
    which side a string is on (the lock compares it to tell an edited note from an unchanged one)."""
    base = content_hash(RenderedNote(("问", "答"), ("t",)))
    assert len(base) == 16 and int(base, 16) >= 0
    variants = [
        RenderedNote(("问", "答 "), ("t",)),
        RenderedNote(("答", "问"), ("t",)),
        RenderedNote(("问", "答"), ("t", "u")),
        RenderedNote(("问", "答", "t"), ()),
        RenderedNote(("问答",), ("t",)),
    ]
    hashes = {content_hash(v) for v in variants}
    assert base not in hashes and len(hashes) == len(variants)
    # Locks hold these hashes: a new way of computing them would mark every note of every deck updated.
    assert base == "bfe10d2edfe1635a"


def test_options_defaults_and_progress_not_compared(tmp_path: Path) -> None:
    """An Options names only the folder and the time by default; the progress callback is not part of
    what makes two options equal."""
    options = Options(cwd=tmp_path, now=NOW)
    assert (options.sources, options.output, options.lock) == ((), None, None)
    assert not (options.strict or options.dry_run or options.locked)
    assert options.progress is None
    assert Options(cwd=tmp_path, now=NOW, progress=lambda stage, done, total: None) == options


# --- building --------------------------------------------------------------------------------------------


def test_a_build_writes_the_deck_and_the_lock(tmp_path: Path) -> None:
    """The first build of the seed writes its 12 notes to the deck and the lock, every one added."""
    project = _seed_project(tmp_path)
    report = build(Options(cwd=project, now=NOW))
    assert isinstance(report, BuildReport)
    assert (report.output, report.lock_path) == (DECK, LOCK)
    assert report.written and report.lock_changed
    guids = {note.guid for note in report.changed}  # a first build adds every note
    assert set(read_apkg(project / DECK)) == guids
    assert set(_lock_guids(project / LOCK)) == guids
    assert {note.mod for note in read_apkg(project / DECK).values()} == {NOW}
    assert _not_hints(report.problems) == () and report.removed == ()


def test_seed_report_counts(tmp_path: Path) -> None:
    """The seed's 30 entries are 12 notes in 12 topics (18 merged): in a first build all added, in a
    rebuild all unchanged (however the rebuild got them), after one answer is edited one updated, and
    after a section is cut one fewer, reported removed."""
    project = _seed_project(tmp_path)
    first = build(Options(cwd=project, now=NOW))
    assert (first.note_count, first.entry_count, first.merged, first.topics) == (12, 30, 18, 12)
    assert first.count(Status.ADDED) == 12
    assert first.count(Status.UNCHANGED) == first.count(Status.UPDATED) == 0

    again = build(Options(cwd=project, now=NOW + 10))
    assert (again.note_count, again.entry_count, again.merged, again.topics) == (12, 30, 18, 12)
    assert again.count(Status.UNCHANGED) == 12 and again.count(Status.ADDED) == 0
    assert not again.lock_changed

    source = project / "source" / SEED_NAME
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("理解和适应能力。", "理解和适应能力，覆盖更多语种。", 1), encoding="utf-8")
    edited = build(Options(cwd=project, now=NOW + 20))
    assert edited.note_count == 12 and edited.lock_changed
    assert edited.count(Status.UPDATED) == 1 and edited.count(Status.UNCHANGED) == 11
    (updated,) = edited.changed
    assert updated.mod == NOW + 20

    start, end = text.index("### 2. 多模态学习"), text.index("### 3. 语言理解和生成")
    source.write_text(text[:start] + text[end:], encoding="utf-8")
    cut = build(Options(cwd=project, now=NOW + 30))
    assert (cut.note_count, cut.entry_count, cut.merged, cut.topics) == (11, 29, 18, 11)
    assert len(cut.removed) == 1 and "多模态" in cut.removed[0].question
    assert len(read_apkg(project / DECK)) == 11


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    """A dry run reports what a build would do (here: every note added, the lock changed) and creates no
    file at all: no deck, no lock, no cache, not even the build folder."""
    project = _seed_project(tmp_path)
    before = _files(project)
    report = build(Options(cwd=project, now=NOW, dry_run=True))
    assert not report.written and report.lock_changed
    assert report.note_count == report.count(Status.ADDED) == 12
    assert _files(project) == before
    assert not (project / "build").exists()


def test_a_dry_run_after_a_build_changes_nothing(tmp_path: Path) -> None:
    """After a build, a dry run over edited sources reports the edit and leaves the deck and lock alone."""
    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    source = project / "source" / SEED_NAME
    source.write_text(source.read_text(encoding="utf-8").replace("理解和适应能力。", "理解。", 1), "utf-8")
    before = _user_files(project)
    report = build(Options(cwd=project, now=NOW + 5, dry_run=True))
    assert not report.written and report.lock_changed and report.count(Status.UPDATED) == 1
    assert _user_files(project) == before


def test_equal_inputs_give_byte_identical_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of a project (in different folders) with the same sources, the same lock and the same
    SOURCE_DATE_EPOCH build the same deck and lock, byte for byte; so does a copy that already has that
    lock, at a later time, since nothing in it changed."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(NOW))
    one = _seed_project(tmp_path / "one")
    two = _seed_project(tmp_path / "elsewhere" / "two")
    build(Options(cwd=one, now=clock()))
    build(Options(cwd=two, now=clock()))
    deck, lock = (one / DECK).read_bytes(), (one / LOCK).read_bytes()
    assert (two / DECK).read_bytes() == deck
    assert (two / LOCK).read_bytes() == lock

    three = _seed_project(tmp_path / "three")
    shutil.copyfile(one / LOCK, three / LOCK)
    report = build(Options(cwd=three, now=NOW + 86_400))
    assert not report.lock_changed
    assert (three / DECK).read_bytes() == deck
    assert (three / LOCK).read_bytes() == lock


def test_a_build_that_finds_an_error_leaves_the_last_deck_and_lock_untouched(tmp_path: Path) -> None:
    """An error in the sources stops the build with ProblemsFound holding only the errors (warnings do
    not stop it), and the previous deck and lock keep their bytes and mtimes; nothing is staged."""
    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    (project / "secret.png").write_bytes(PNG)
    (project / "source" / "more.md").write_text(
        "### 1. 图片\n\n**面试题：** 图上是什么？\n\n**答案：** ![x](../secret.png)\n\n"
        "### 2. 缺图\n\n**面试题：** 另一张图呢？\n\n**答案：** ![y](missing.png)\n",
        encoding="utf-8",
    )
    before = _user_files(project)
    with pytest.raises(ProblemsFound) as caught:
        build(Options(cwd=project, now=NOW + 10))
    assert [(p.path, p.line, p.severity) for p in caught.value.problems] == [
        ("source/more.md", 5, Severity.ERROR)
    ]
    assert str(caught.value) == "1 error found; nothing was written"
    assert _user_files(project) == before
    assert not [p for p in project.rglob("*.tmp")]


def test_a_strict_build_stops_on_warnings_and_writes_nothing(tmp_path: Path) -> None:
    """Under ``strict`` a warning stops the build as an error does; without it the same build succeeds
    and reports the warning."""
    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    (project / "source" / "more.md").write_text(
        "### 1. 正则化\n\n**面试题：** 什么是正则化？\n\n**答案：** 限制模型复杂度。\n\n"
        "### 2. 缺答案\n\n**面试题：** 没有答案？\n",
        encoding="utf-8",
    )
    before = _user_files(project)
    with pytest.raises(ProblemsFound) as caught:
        build(Options(cwd=project, now=NOW + 10, strict=True))
    assert [(p.path, p.line, p.severity) for p in _not_hints(caught.value.problems)] == [
        ("source/more.md", 9, Severity.WARNING)
    ]
    assert str(caught.value) == "1 warning (--strict) found; nothing was written"
    assert _user_files(project) == before
    report = build(Options(cwd=project, now=NOW + 10))
    assert [(p.path, p.line, p.severity) for p in _not_hints(report.problems)] == [
        ("source/more.md", 9, Severity.WARNING)
    ]
    assert report.note_count == 13


def test_an_entry_added_below_the_seed_s_closing_paragraph_changes_no_other_card(tmp_path: Path) -> None:
    """Appending an entry after the seed's last paragraph (``通过以上技术亮点，…``, which sums up the
    document) adds one card: the paragraph stays off the answer above it, now that an entry follows it."""
    project = _seed_project(tmp_path)
    first = build(Options(cwd=project, now=NOW))
    seed = project / "source" / SEED_NAME
    seed.write_text(
        seed.read_text(encoding="utf-8")
        + "\n### 31. 长上下文\n\n**面试题：** GPT-4.0如何支持更长的上下文？\n\n**答案：** 改进位置编码。\n",
        encoding="utf-8",
    )
    report = build(Options(cwd=project, now=NOW + 10))
    assert report.count(Status.ADDED) == 1
    assert report.count(Status.UNCHANGED) == first.note_count
    assert not _not_hints(report.problems)


@pytest.mark.parametrize(
    ("errors", "warnings", "english", "chinese"),
    [
        (1, 0, "1 error found", "发现 1 个错误"),
        (2, 0, "2 errors found", "发现 2 个错误"),
        (0, 1, "1 warning (--strict) found", "发现 1 个警告（--strict）"),
        (2, 1, "2 errors and 1 warning (--strict) found", "发现 2 个错误和 1 个警告（--strict）"),
    ],
)
def test_the_stopping_message_counts_in_words(errors: int, warnings: int, english: str, chinese: str) -> None:
    """The message of a build stopped by problems says "1 error" and "2 errors", and reads as one
    sentence in Chinese."""
    problems = tuple(
        Problem("source/a.md", line, severity, "x")
        for line, severity in enumerate([Severity.ERROR] * errors + [Severity.WARNING] * warnings, 1)
    )
    assert _problems_message(problems, strict=True) == english + "; nothing was written"
    with i18n.speaking("zh"):
        assert _problems_message(problems, strict=True) == chinese + "；未写入任何文件"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc, where files cannot be made")
def test_a_build_into_a_folder_where_no_file_can_be_made_fails_at_once(tmp_path: Path) -> None:
    """The build mutex cannot be created in /proc (ENOENT): an error naming the folder, not a wait for a
    build that does not exist (filelock retries such an error for ever)."""
    project = _seed_project(tmp_path / "p")
    before = _files(project)
    with pytest.raises(Qa2AnkiError, match="cannot write into this folder"):
        build(Options(cwd=project, now=NOW, output="/proc/qa2anki-test.apkg"))
    assert _files(project) == before


def test_a_locked_build_that_would_change_the_lock_writes_nothing(tmp_path: Path) -> None:
    """``locked`` refuses a build whose lock would change, naming the lock, and leaves every file as it
    was; with the lock up to date it builds."""
    project = _seed_project(tmp_path)
    with pytest.raises(LockError) as caught:
        build(Options(cwd=project, now=NOW, locked=True))
    assert caught.value.path == LOCK
    assert not (project / DECK).exists() and not (project / LOCK).exists()
    build(Options(cwd=project, now=NOW))
    before = _user_files(project)
    report = build(Options(cwd=project, now=NOW + 10, locked=True))
    assert not report.lock_changed
    assert _user_files(project)[LOCK] == before[LOCK]


def test_sources_output_and_lock_come_from_options_then_settings(tmp_path: Path) -> None:
    """Options name the sources, deck and lock; without them ``[tool.qa2anki]`` does; a deck whose name
    ends in ``.APKG`` is an .apkg too."""
    project = tmp_path
    (project / "docs").mkdir()
    shutil.copyfile(SEED, project / "docs" / "seed.md")
    (project / "pyproject.toml").write_text(
        '[tool.qa2anki]\ndeck_name = "面试::GPT"\nsources = ["docs"]\noutput = "dist/gpt.apkg"\n',
        encoding="utf-8",
    )
    from_settings = build(Options(cwd=project, now=NOW))
    assert (from_settings.output, from_settings.lock_path) == ("dist/gpt.apkg", "docs/qa2anki.lock")
    assert len(read_apkg(project / "dist" / "gpt.apkg")) == 12

    given_options = Options(
        cwd=project, now=NOW, sources=("docs/seed.md",), output="out/Deck.APKG", lock="locks/x.lock"
    )
    with pytest.raises(LockError, match="the lock is missing"):  # this project was built before
        build(given_options)
    given = build(replace(given_options, new_lock=True))
    assert (given.output, given.lock_path) == ("out/Deck.APKG", "locks/x.lock")
    assert given.note_count == 12
    assert (project / "out" / "Deck.APKG").is_file() and (project / "locks" / "x.lock").is_file()
    # The same notes, whichever lock they were written to.
    assert _lock_guids(project / "locks" / "x.lock") == _lock_guids(project / "docs" / "qa2anki.lock")


def test_a_lock_deleted_and_committed_stops_a_build_in_a_fresh_clone(tmp_path: Path) -> None:
    """A fresh clone has no deck and no cache to show an earlier build: a lock deleted by mistake and
    committed was a first build's "every note is new", and every re-imported card a duplicate. Git history
    shows it: the build stops and says which revision to restore it from (``--new-lock`` starts anew)."""
    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    (project / ".gitignore").write_text("build/\n", encoding="utf-8")
    author = ("-c", "user.name=t", "-c", "user.email=t@example.org")

    def git(*args: str) -> str:
        done = subprocess.run(["git", *author, "-C", str(project), *args], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "deck")
    git("rm", "-q", LOCK)
    git("commit", "-qm", "lock deleted by mistake")
    shutil.rmtree(project / "build")  # (a fresh clone)
    revision = git("rev-parse", "HEAD")[:12] + "~1"
    with pytest.raises(LockError, match="git history has it") as caught:
        build(Options(cwd=project, now=NOW + 10))
    assert f"git checkout {revision} -- {LOCK}" in str(caught.value)
    assert not (project / LOCK).exists() and not (project / "build/qa2anki.apkg").exists()
    git("checkout", "-q", revision, "--", LOCK)
    assert build(Options(cwd=project, now=NOW + 20)).changed == ()


def test_a_lock_left_behind_by_moved_sources_is_named_not_started_anew(tmp_path: Path) -> None:
    """The documents move from ``source/`` to ``docs/`` and the lock stays behind: a fresh clone (no
    ``build/``) must not start a new lock, whose new GUIDs would bring every card back as a duplicate. The
    build names the lock; moving it there builds as before. The lock of another deck in the same
    repository, asking other questions, does not stop a first build."""
    project = _seed_project(tmp_path)
    first = build(Options(cwd=project, now=NOW))
    (project / "source" / SEED_NAME).rename(project / "docs.md")
    (project / "docs").mkdir()
    (project / "docs.md").rename(project / "docs" / SEED_NAME)
    (project / "pyproject.toml").write_text('[tool.qa2anki]\nsources = ["docs"]\n', encoding="utf-8")
    shutil.rmtree(project / "build")
    with pytest.raises(LockError, match=r"there is no lock here, but source/qa2anki\.lock holds") as caught:
        build(Options(cwd=project, now=NOW + 10))
    assert caught.value.path == "docs/qa2anki.lock" and not (project / "docs" / "qa2anki.lock").exists()
    (project / LOCK).rename(project / "docs" / "qa2anki.lock")
    again = build(Options(cwd=project, now=NOW + 10))
    assert again.count(Status.ADDED) == 0 and not again.lock_started and first.note_count == 12

    other = tmp_path / "other"
    (other / "redis").mkdir(parents=True)
    (other / "redis" / "r.md").write_text(
        "**面试题：** Redis 为什么快？\n\n**答案：** 内存。\n", encoding="utf-8"
    )
    shutil.copytree(project / "docs", other / "java")  # another deck's documents and lock
    report = build(Options(cwd=other, now=NOW, sources=("redis",)))
    assert report.lock_path == "redis/qa2anki.lock" and report.count(Status.ADDED) == 1


def test_an_output_that_is_not_an_apkg_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    """A deck path not ending in .apkg is an error naming it, before any source is read (there is none
    here) or any folder made."""
    with pytest.raises(Qa2AnkiError, match=r"the output must end in \.apkg: out/deck\.zip"):
        build(Options(cwd=tmp_path, now=NOW, output="out/deck.zip", sources=("missing",)))
    assert not (tmp_path / "out").exists()


def test_progress_is_told_the_stages(tmp_path: Path) -> None:
    """A build tells the progress callback its stages with counts that never run past their total; only
    a build that writes says it is writing the deck."""
    project = _seed_project(tmp_path)
    told: list[tuple[str, int, int]] = []

    def progress(stage: str, done: int, total: int) -> None:
        told.append((stage, done, total))

    build(Options(cwd=project, now=NOW, dry_run=True, progress=progress))
    assert told and "writing the deck" not in {stage for stage, _, _ in told}
    told.clear()
    build(Options(cwd=project, now=NOW, progress=progress))
    assert "writing the deck" in {stage for stage, _, _ in told}
    assert all(0 <= done <= total or total == 0 for _, done, total in told)


# --- analysing -------------------------------------------------------------------------------------------


def test_analyse_gives_entries_and_notes_and_writes_nothing(tmp_path: Path) -> None:
    """analyse reads, parses and clusters: the seed's document, 30 entries, 12 notes, no problems; and
    no file is made or changed."""
    project = _seed_project(tmp_path)
    before = _files(project)
    analysis = analyse(Options(cwd=project, now=NOW))
    assert [(d.path, d.name) for d in analysis.documents] == [(f"source/{SEED_NAME}", SEED_NAME)]
    assert len(analysis.entries) == 30 and len(analysis.normalized.notes) == 12
    assert _not_hints(analysis.problems) == ()
    assert analysis.config == Config()
    assert {e.path for e in analysis.entries} == {f"source/{SEED_NAME}"}
    assert _files(project) == before


def test_analyse_uses_the_config_it_is_given(tmp_path: Path) -> None:
    """A Config passed to analyse is used instead of pyproject.toml (here one whose sources do not
    exist); Options.sources, when set, win over either."""
    project = _seed_project(tmp_path)
    (project / "pyproject.toml").write_text('[tool.qa2anki]\nsources = ["nowhere"]\n', encoding="utf-8")
    with pytest.raises(Qa2AnkiError, match="nowhere: no such file or folder"):
        analyse(Options(cwd=project, now=NOW))
    assert len(analyse(Options(cwd=project, now=NOW), Config()).entries) == 30
    (project / "other.md").write_text("**面试题：** 问？\n\n**答案：** 答。\n", encoding="utf-8")
    only = analyse(Options(cwd=project, now=NOW, sources=("other.md",)), Config())
    assert [e.question_md for e in only.entries] == ["问？"]


def test_analyse_reports_sources_without_entries_as_an_error(tmp_path: Path) -> None:
    """Sources holding no entry at all are one error naming the first source (not an empty deck)."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("# 只是一篇文章\n", encoding="utf-8")
    analysis = analyse(Options(cwd=tmp_path, now=NOW))
    assert analysis.entries == ()
    assert [(p.path, p.severity) for p in blocking(analysis.problems, strict=False)] == [
        ("source", Severity.ERROR)
    ]


def test_builds_without_fcntl(tmp_path: Path) -> None:
    """Windows has no ``fcntl``: with it blocked, qa2anki imports and a writing build works (the build
    folder's lock falls back to what filelock has there)."""
    project = _seed_project(tmp_path)
    code = (
        "import sys; sys.modules['fcntl'] = None\n"
        "import qa2anki.build\n"
        "from qa2anki.cli import main\n"
        "sys.argv = ['qa2anki', 'build']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": str(NOW)},
        check=False,
        timeout=120,  # filelock's soft lock waits for ever on a lock file that is already there
    )
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stdout and (project / DECK).exists()
    blocked = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['fcntl'] = None; import fcntl"],
        capture_output=True,
        check=False,
    )
    assert blocked.returncode != 0  # the block does block


def _waits_on(guard: Path, project: Path, *args: str) -> str:
    """Run ``qa2anki build ARGS`` in ``project`` while this process holds ``guard``: it must wait, and
    write nothing (its deck goes to ``other/``), until the guard is let go; then it succeeds. Its output."""
    from filelock import FileLock

    with FileLock(guard):  # a build holding it
        waiting = subprocess.Popen(
            [sys.executable, "-m", "qa2anki", "build", *args],
            cwd=project,
            env={**os.environ, "SOURCE_DATE_EPOCH": str(NOW)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            with pytest.raises(subprocess.TimeoutExpired):
                waiting.wait(timeout=3)
            assert not (project / "other").exists()  # it waits before it writes anything
        except BaseException:
            waiting.kill()
            raise
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    return out


def test_builds_of_one_project_with_other_locks_wait_for_its_cache(tmp_path: Path) -> None:
    """Two builds of one project with different locks and decks share the cache folder: the second waits
    for the first. Neither leaves a file of its own in the folder its deck goes to."""
    from qa2anki.build import cache_guard

    project = _seed_project(tmp_path)
    _waits_on(cache_guard(project), project, "--lock", "other.lock", "-o", "other/deck.apkg")
    assert sorted(p.name for p in (project / "other").iterdir()) == ["deck.apkg"]


def test_builds_that_share_a_lock_wait_for_each_other(tmp_path: Path) -> None:
    """Two builds writing different decks from one lock must not both read the old lock and write their
    own: the second waits until the first is done, whatever its ``-o``."""
    from qa2anki.build import lock_guard

    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    out = _waits_on(lock_guard(project / LOCK), project, "-o", "other/deck.apkg")
    assert (project / "other" / "deck.apkg").is_file() and "wrote other/deck.apkg" in out


def test_a_deck_rename_warns_and_locked_accepts_a_lock_without_a_deck(tmp_path: Path) -> None:
    """Renaming ``deck_name`` warns (cards already imported stay in the old deck); a lock written before
    decks were recorded passes ``--locked`` and gets the deck on the next build."""
    project = _seed_project(tmp_path)
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.qa2anki]\ndeck_name = "面试::旧名"\n', encoding="utf-8")
    build(Options(cwd=project, now=NOW))
    lock = project / LOCK
    lines = lock.read_text(encoding="utf-8").splitlines(True)
    without_deck = "".join(line for line in lines if '"deck"' not in line)
    lock.write_text(without_deck, encoding="utf-8")
    build(Options(cwd=project, now=NOW + 1, locked=True))  # not drift: the deck is recorded
    assert lock.read_text(encoding="utf-8") != without_deck
    assert '"deck": "面试::旧名"' in lock.read_text(encoding="utf-8")
    pyproject.write_text('[tool.qa2anki]\ndeck_name = "面试::新名"\n', encoding="utf-8")
    with pytest.raises(ProblemsFound, match="1 warning"):
        build(Options(cwd=project, now=NOW + 3, strict=True, output="build/面试-旧名.apkg"))
    renamed = build(Options(cwd=project, now=NOW + 3, output="build/面试-旧名.apkg"))
    (warning,) = (p for p in renamed.problems if "deck_name" in p.message)
    assert warning.path == "pyproject.toml" and warning.severity == Severity.WARNING
    assert warning.line == 2  # deck_name's line
    assert "'面试::旧名'" in warning.message and "Rename the deck in Anki to '面试::新名'" in warning.message
    again = build(Options(cwd=project, now=NOW + 4, output="build/面试-旧名.apkg"))
    assert not [p for p in again.problems if "deck_name" in p.message]  # said once, the lock has it now


def test_renaming_a_heading_to_a_twins_never_writes_two_notes_with_one_key(tmp_path: Path) -> None:
    """Two notes of one question under two headings (answers a word apart) meet when one heading is renamed
    to the other: they become one note, and the lock the build writes is one the next build reads."""
    answer = "对抗攻击是一种通过在输入中加入微小扰动来欺骗深度学习模型、使其输出错误结果的攻击方式"

    def document(first: str) -> str:
        return (
            f"## {first}\n\n**问题：**什么是对抗攻击？\n\n**答案：**{answer}。\n\n"
            f"## 训练方法\n\n**问题：**什么是对抗攻击？\n\n**答案：**{answer}等。\n"
        )

    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    (project / "source/doc.md").write_text(document("模型安全"), encoding="utf-8")
    assert build(Options(cwd=project, now=NOW)).note_count == 2
    (project / "source/doc.md").write_text(document("训练方法"), encoding="utf-8")
    renamed = build(Options(cwd=project, now=NOW + 1))
    assert renamed.note_count == 1 and len(renamed.removed) == 1
    shutil.rmtree(project / "build")
    again = build(
        Options(cwd=project, now=NOW + 2)
    )  # read the lock just written: no "two notes share one key"
    assert again.note_count == 1 and not again.lock_changed


def test_a_build_right_after_copies_changed_differently_changes_nothing(tmp_path: Path) -> None:
    """Three copies; one has its question reworded, another the same new question and a new answer. The
    second edit is unlike the card, so it is not one of the card's disagreeing edits: the card takes the
    first, and a build right after (from the lock just written) changes nothing."""
    question, answer = (
        "什么是对抗攻击？",
        "对抗攻击是一种通过在输入中加入微小扰动来欺骗深度学习模型、使其输出错误结果的攻击方式。",
    )
    reworded, other = (
        "对抗样本攻击指的是什么？",
        "可以使用对抗训练、输入去噪、梯度掩码和模型集成等手段提高鲁棒性。",
    )

    def document(*pairs: tuple[str, str]) -> str:
        return "".join(
            f"## {n}. 模型安全\n\n**问题：**{q}\n\n**答案：**{a}\n\n" for n, (q, a) in enumerate(pairs, 1)
        )

    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    path = project / "source/doc.md"
    path.write_text(document(*[(question, answer)] * 3), encoding="utf-8")
    build(Options(cwd=project, now=NOW))
    path.write_text(document((question, answer), (reworded, answer), (reworded, other)), encoding="utf-8")
    edited = build(Options(cwd=project, now=NOW + 1))
    lock = (project / LOCK).read_bytes()
    shutil.rmtree(project / "build")
    again = build(Options(cwd=project, now=NOW + 2))
    assert (again.count(Status.ADDED), again.count(Status.UPDATED), len(again.removed)) == (0, 0, 0)
    assert (project / LOCK).read_bytes() == lock and again.note_count == edited.note_count


def test_a_removed_note_search_tells_it_from_live_notes_with_its_question() -> None:
    """A tombstone whose question a live note shares: its topic tags go into the search, a topic tag only
    the live note has is left out, and a live note that no tag tells apart is named."""
    gone = LockedNote("g", "k", "什么是索引？", "旧答案", ("MySQL",), "h1", 1, False)
    wider = LockedNote("w", "k2", "什么是索引？", "答案", ("MySQL", "数据库 基础"), "h2", 1, True)
    same = LockedNote("s", "k3", "什么是索引？", "新答案", ("MySQL",), "h3", 1, True)
    other = LockedNote("o", "k4", "什么是视图？", "答案", ("MySQL",), "h4", 1, True)
    searches = removed_searches(Lock(None, (gone, other, same, wider)), "面试")
    assert searches["g"].search == (
        f'"deck:面试" "dupe:{NOTE_TYPE.id},什么是索引？" "tag:主题::MySQL" -"tag:主题::数据库\\_基础"'
    )
    assert searches["g"].also_finds == ("s",)
    alone = removed_searches(Lock(None, (gone, other)), "面试")["g"]
    assert alone.search == f'"deck:面试" "dupe:{NOTE_TYPE.id},什么是索引？"' and alone.also_finds == ()


def test_a_lock_restored_with_its_sources_is_reported(tmp_path: Path) -> None:
    """Sources and lock restored together (``git revert``): the note's mod goes back to the older one, and
    Anki, which imports only newer notes, would keep the edited text. The build says so at the entry;
    a build without the last build's record (a clean checkout) has nothing newer to warn about."""
    project = _seed_project(tmp_path)
    document = project / "source" / SEED_NAME
    original = document.read_text(encoding="utf-8")
    build(Options(cwd=project, now=NOW))
    saved_lock = (project / LOCK).read_bytes()
    edit = original.replace("降低模型大小和计算复杂度", "降低模型的大小和计算复杂度", 1)
    document.write_text(edit, "utf-8")
    edited = build(Options(cwd=project, now=NOW + 100))
    assert [n.status for n in edited.changed] == [Status.UPDATED]
    document.write_text(original, encoding="utf-8")
    (project / LOCK).write_bytes(saved_lock)
    restored = build(Options(cwd=project, now=NOW + 200))
    assert restored.changed == ()
    (warning,) = _not_hints(restored.problems)
    line = next(i for i, text in enumerate(original.splitlines(), 1) if "降低模型大小和计算复杂度" in text)
    assert warning.severity == Severity.WARNING and "Update notes: Always" in warning.message
    assert warning.path == f"source/{SEED_NAME}" and warning.line < line
    # The record is now of this build.
    assert _not_hints(build(Options(cwd=project, now=NOW + 300)).problems) == ()

    shutil.rmtree(project / "build")
    edit = original.replace("降低模型大小和计算复杂度", "降低模型的大小和计算复杂度", 1)
    document.write_text(edit, "utf-8")
    (project / LOCK).write_bytes(saved_lock)
    clean = build(Options(cwd=project, now=NOW + 400))
    assert not [p for p in clean.problems if "Update notes" in p.message]


def test_a_lock_restored_with_a_document_read_whole_is_reported(tmp_path: Path) -> None:
    """The same when the document is read whole (a deeper heading inside an answer), which leaves no
    ledger: the build keeps a record of what it wrote for the next one (it said nothing)."""
    (tmp_path / "source").mkdir()
    document = tmp_path / "source" / "a.md"
    text = "### 1. QLoRA\n\n**面试题：** QLoRA做了哪些改进？\n\n**答案：** 量化后训练LoRA。\n\n"
    text += "#### 补充\n\n单卡即可。\n"  # (the deeper heading: the document is read whole)
    document.write_text(text, encoding="utf-8")
    build(Options(cwd=tmp_path, now=NOW))
    assert not (tmp_path / "build/.qa2anki-cache/ledger.marshal").exists()
    saved_lock = (tmp_path / LOCK).read_bytes()
    document.write_text(text.replace("训练LoRA", "训练LoRA适配器"), encoding="utf-8")
    edited = build(Options(cwd=tmp_path, now=NOW + 100))
    assert [n.status for n in edited.changed] == [Status.UPDATED]
    # (said as what it is, not as a problem: the deck is the same)
    assert str(edited.reuse).startswith("carried no notes over: source/a.md is read as one piece")
    document.write_text(text, encoding="utf-8")
    (tmp_path / LOCK).write_bytes(saved_lock)
    (warning,) = _not_hints(build(Options(cwd=tmp_path, now=NOW + 200)).problems)
    assert warning.line == 3 and "Update notes: Always" in warning.message


def test_a_lock_that_cannot_be_replaced_leaves_the_deck_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deck is put in place first; when the lock then cannot be (a read-only or locked file), the deck
    gets its old bytes back: a failed build leaves both as they were, with an error naming the lock."""
    project = _seed_project(tmp_path)
    build(Options(cwd=project, now=NOW))
    document = project / "source" / SEED_NAME
    added = "\n### 新题\n\n**面试题：** 新问题？\n\n**答案：** 新答案。\n"
    document.write_text(document.read_text(encoding="utf-8") + added, encoding="utf-8")
    before = _user_files(project)
    replace_file = os.replace

    def read_only_lock(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst).name == "qa2anki.lock":
            raise PermissionError(1, "Operation not permitted")
        replace_file(src, dst)

    monkeypatch.setattr("qa2anki.atomic.os.replace", read_only_lock)
    with pytest.raises(Qa2AnkiError, match="cannot write the lock: Operation not permitted") as caught:
        build(Options(cwd=project, now=NOW + 10))
    assert caught.value.path == LOCK
    assert _user_files(project) == before
    assert not [p for p in project.rglob("*.tmp") if ".qa2anki-cache" not in p.parts]  # (staged, backups)
    monkeypatch.undo()
    assert Status.ADDED in {n.status for n in build(Options(cwd=project, now=NOW + 20)).changed}


def test_a_source_inside_the_project_sources_uses_the_project_lock(tmp_path: Path) -> None:
    """``build source/sub/go.md`` is this project's: its lock is source/qa2anki.lock, its document keeps
    the name ``sub/go.md`` (so its notes are unchanged), and the notes of the other documents, marked
    removed, are said to be so; the next full build brings them back. A source outside the project's
    gets a lock of its own beside it."""
    project = tmp_path
    entry = "## {0}\n\n**面试题：** {0}？\n\n**答案：** {0}。\n"
    (project / "source" / "sub").mkdir(parents=True)
    (project / "source" / "a.md").write_text(entry.format("甲"), encoding="utf-8")
    (project / "source" / "sub" / "go.md").write_text(entry.format("乙"), encoding="utf-8")
    build(Options(cwd=project, now=NOW))
    part = build(Options(cwd=project, now=NOW + 10, sources=("source/sub/go.md",)))
    assert part.lock_path == LOCK and not (project / "source" / "sub" / "qa2anki.lock").exists()
    assert part.changed == () and [n.written for n in part.removed] == ["甲？"]
    (warning,) = _not_hints(part.problems)
    assert warning.path == LOCK
    assert "built from part of the sources (source/sub/go.md of source)" in warning.message
    whole = build(Options(cwd=project, now=NOW + 20))
    assert [(n.status, n.guid) for n in whole.changed] == [(Status.REVIVED, part.removed[0].guid)]
    assert _not_hints(whole.problems) == ()
    (project / "other").mkdir()
    (project / "other" / "c.md").write_text(entry.format("丙"), encoding="utf-8")
    apart = Options(cwd=project, now=NOW + 30, sources=("other",), output="other-build/other.apkg")
    assert lock_path(apart) == project / "other" / "qa2anki.lock"


def test_new_lock_starts_a_damaged_lock_anew_and_keeps_a_sound_one(tmp_path: Path) -> None:
    """``--new-lock`` where the lock is damaged builds with a new lock, saying how it was damaged (the
    README's "start over"); where the lock is sound it is kept, and said to be, in a full build and in
    one that carries its notes over."""
    project = _seed_project(tmp_path)
    first = build(Options(cwd=project, now=NOW))
    (project / LOCK).write_text("", encoding="utf-8")
    with pytest.raises(LockError, match="corrupt lock file"):
        build(Options(cwd=project, now=NOW + 10))
    anew = build(Options(cwd=project, now=NOW + 10, new_lock=True))
    (warning,) = _not_hints(anew.problems)
    assert warning.path == LOCK and warning.message.startswith("the lock was damaged (corrupt lock file")
    assert anew.lock_changed and set(_lock_guids(project / LOCK)) == {n.guid for n in first.changed}
    for now in (NOW + 20, NOW + 30):  # (the second carries its notes over)
        kept = build(Options(cwd=project, now=now, new_lock=True))
        (warning,) = _not_hints(kept.problems)
        assert "this one is sound, and kept" in warning.message and not kept.lock_changed


def _document(project: Path) -> Path:
    """Where a project's one document goes (``source/a.md``), its folder made."""
    (project / "source").mkdir(exist_ok=True)
    return project / "source" / "a.md"


def _copies(project: Path, question: str, *copies: tuple[str, str]) -> Callable[..., None]:
    """A project whose document repeats one entry under several headings (``(heading, answer)`` each);
    returns what rewrites the document with other copies."""
    (project / "source").mkdir(exist_ok=True)
    document = project / "source" / "a.md"
    entry = "## {0}\n\n**面试题：** " + question + "\n\n**答案：** {1}\n\n"

    def write(*copies: tuple[str, str]) -> None:
        document.write_text("".join(entry.format(*copy) for copy in copies), encoding="utf-8")

    write(*copies)
    return write


@pytest.mark.parametrize(
    ("question", "edited", "statuses", "said"),
    [
        # One build edits both copies, differently: the new note is a copy of the note under its topic.
        (
            "Redis为什么这么快？",
            (("复习", "基于内存，单线程。"), ("复习2", "避免切换。")),
            [Status.ADDED, Status.UPDATED],
            "this copy of note {guid} (Redis为什么这么快？) was edited differently",
        ),
    ],
)
def test_copies_edited_apart_are_said_to_be_two_notes_now(
    tmp_path: Path, question: str, edited: tuple[tuple[str, str], ...], statuses: list[Status], said: str
) -> None:
    """An entry repeated under two headings is one note; when the copies part in one build, the new note
    that asks the note's question is warned of at its line, naming the note it split from (and said
    only once)."""
    project = tmp_path
    write = _copies(project, question, ("复习", "基于内存。"), ("复习2", "基于内存。"))
    (note,) = build(Options(cwd=project, now=NOW)).changed
    write(*edited)
    report = build(Options(cwd=project, now=NOW + 10))
    assert sorted(n.status for n in report.changed) == statuses
    (warning,) = _not_hints(report.problems)
    assert (warning.path, warning.line, warning.severity) == ("source/a.md", 9, Severity.WARNING)
    assert warning.message.startswith(said.format(guid=note.guid))
    assert _not_hints(build(Options(cwd=project, now=NOW + 20)).problems) == ()


def test_copies_edited_apart_with_a_reworded_question_stay_one_card(tmp_path: Path) -> None:
    """One build extends one copy's answer and rewords the other copy's question: no copy holds the note's
    wording any more, and nothing tied the two to it, so the reworded copy came in as a second card without
    a word. They stay the note's copies, on its card, and the build says the copies differ; once they
    agree, nothing more is said."""
    (tmp_path / "source").mkdir()
    entry = "### {0}\n\n**问题：** {1}\n\n**答案：** {2}\n"
    answer = "在不同子空间中独立计算注意力，再拼接做线性变换，增强表达能力。"
    llm, transformer = tmp_path / "source" / "llm.md", tmp_path / "source" / "transformer.md"
    llm.write_text(entry.format("多头注意力", "多头注意力有什么作用？", answer), encoding="utf-8")
    transformer.write_text(entry.format("高频综合题", "多头注意力有什么作用？", answer), encoding="utf-8")
    (note,) = build(Options(cwd=tmp_path, now=NOW)).changed
    llm.write_text(
        entry.format("多头注意力", "多头注意力有什么作用？", answer + "GQA是它的变体。"), encoding="utf-8"
    )
    transformer.write_text(entry.format("高频综合题", "多头注意力的作用是什么？", answer), encoding="utf-8")
    report = build(Options(cwd=tmp_path, now=NOW + 10))
    assert [(n.guid, n.status) for n in report.changed] == [(note.guid, Status.UPDATED)]
    (warning,) = _not_hints(report.problems)
    assert warning.path == "source/llm.md"
    assert "no copy of one note says what its card showed" in warning.message
    assert "source/transformer.md:3" in warning.message
    transformer.write_text(
        entry.format("高频综合题", "多头注意力有什么作用？", answer + "GQA是它的变体。"), encoding="utf-8"
    )
    agreed = build(Options(cwd=tmp_path, now=NOW + 20))
    assert agreed.changed == () and agreed.note_count == 1 and _not_hints(agreed.problems) == ()


def test_a_copy_renamed_or_moved_and_edited_in_one_build_stays_on_the_card(tmp_path: Path) -> None:
    """One build renames a copy's heading (or moves the copy under a new one) and edits it: the note lost
    that topic, and the copy under the new topic is still its copy. The card shows the edit (the other
    copy is stale), never a second card."""
    project = tmp_path
    write = _copies(project, "什么是缓存穿透？", ("复习", "基于内存。"), ("复习2", "基于内存。"))
    (note,) = build(Options(cwd=project, now=NOW)).changed
    write(("复习", "基于内存。"), ("高频题", "基于内存。另外做参数校验。"))
    report = build(Options(cwd=project, now=NOW + 10))
    assert [(n.guid, n.status, n.note.answer_md) for n in report.changed] == [
        (note.guid, Status.UPDATED, "基于内存。另外做参数校验。")
    ]
    (warning,) = _not_hints(report.problems)
    assert (warning.line, warning.message.startswith("stale copy:")) == (3, True)


ATTENTION_ANSWER = (
    "自注意力的计算步骤如下：\n\n1. **线性投影**：将输入分别乘以权重矩阵得到Q、K、V。\n"
    "2. **打分**：Q与K的转置做点积并除以维度平方根。\n3. **归一化**：对打分做Softmax得到注意力权重。"
)


def test_a_copy_whose_question_alone_is_reworded_is_warned_of(tmp_path: Path) -> None:
    """One copy of a repeated entry gets a question that shares almost nothing with the old one (0.09
    alike), its answer untouched: a reworded copy, or a new question over a pasted answer; only the user
    knows. It is a new card, with a warning naming the note whose answer it has; following the warning
    (the lock restored, the other copy reworded too) keeps the card. (It was silent; deleting the old
    copy later retired the studied note.)"""
    project = tmp_path
    document = _document(project)
    entry = "## {0}\n\n**面试题：** {1}\n\n**答案：** " + ATTENTION_ANSWER + "\n\n"
    old, new = "Transformer中的自注意力机制是如何计算的？", "自注意力（Self-Attention）的计算过程是怎样的？"
    document.write_text(entry.format("注意力机制", old) * 2, encoding="utf-8")
    (note,) = build(Options(cwd=project, now=NOW)).changed
    saved = (project / LOCK).read_bytes()
    document.write_text(entry.format("注意力机制", new) + entry.format("注意力机制", old), encoding="utf-8")
    report = build(Options(cwd=project, now=NOW + 10))
    assert [n.status for n in report.changed] == [Status.ADDED]
    (warning,) = _not_hints(report.problems)
    assert warning.line == 3 and f"has the whole answer of note {note.guid}" in warning.message
    (project / LOCK).write_bytes(saved)
    document.write_text(entry.format("注意力机制", new) * 2, encoding="utf-8")
    followed = build(Options(cwd=project, now=NOW + 20))
    assert [(n.guid, n.status) for n in followed.changed] == [(note.guid, Status.REIDENTIFIED)]
    assert _not_hints(followed.problems) == ()


def test_a_new_question_under_a_known_answer_of_two_questions_stays_apart(tmp_path: Path) -> None:
    """An answer pasted under two different questions from the first build on is two notes, and stays two
    when one of them is edited (an edit of its answer: no new note, so no word of a reworded copy)."""
    project = tmp_path
    document = _document(project)
    entry = "## {0}\n\n**面试题：** {1}\n\n**答案：** {2}\n\n"
    first = "int i=(j=4,k=8,l=16,m=32); 输出是多少？"
    second = '#include <file.h> 与 #include "file.h" 的区别？'
    document.write_text(
        entry.format("C", first, ATTENTION_ANSWER) + entry.format("C", second, ATTENTION_ANSWER),
        encoding="utf-8",
    )
    assert build(Options(cwd=project, now=NOW)).note_count == 2
    document.write_text(
        entry.format("C", first, ATTENTION_ANSWER) + entry.format("C", second, ATTENTION_ANSWER + "补充。"),
        encoding="utf-8",
    )
    edited = build(Options(cwd=project, now=NOW + 10))
    assert (edited.note_count, [n.status for n in edited.changed]) == (2, [Status.UPDATED])


def test_copies_that_still_disagree_when_the_card_s_wording_is_gone_are_warned_of(tmp_path: Path) -> None:
    """Three copies; one build rewords copy 1's question and extends copy 2's answer (the card keeps copy
    3's wording, warned of); the next deletes copy 3. Copies 1 and 2 still disagree: the card shows one of
    them, and that build says so (it was silent, and copy 1's question was on no card without a word).
    Once recorded, the next build is silent, as for copies edited differently under two headings."""
    project = tmp_path
    document = _document(project)
    entry = "## 注意力机制\n\n**面试题：** {0}\n\n**答案：** {1}\n\n"
    old, new = "Transformer中的自注意力机制是如何计算的？", "Transformer的自注意力是怎样计算的？"
    longer = ATTENTION_ANSWER + "\n4. **加权求和**：用权重对V加权求和。"
    document.write_text(entry.format(old, ATTENTION_ANSWER) * 3, encoding="utf-8")
    (note,) = build(Options(cwd=project, now=NOW)).changed
    edited = entry.format(new, ATTENTION_ANSWER) + entry.format(old, longer)
    document.write_text(edited + entry.format(old, ATTENTION_ANSWER), encoding="utf-8")
    (kept,) = _not_hints(build(Options(cwd=project, now=NOW + 10)).problems)
    assert "copies of one note were changed differently" in kept.message
    document.write_text(edited, encoding="utf-8")
    report = build(Options(cwd=project, now=NOW + 20))
    assert [n.guid for n in report.changed] == [note.guid] and report.note_count == 1
    (warning,) = _not_hints(report.problems)
    assert "no copy of one note says what its card showed any more, and the copies differ" in warning.message
    assert _not_hints(build(Options(cwd=project, now=NOW + 30)).problems) == ()


def test_two_cards_of_one_question_meet_under_a_renamed_heading_and_keep_both_answers(tmp_path: Path) -> None:
    """One question under two headings, with two answers: two cards. Renaming the second heading to the
    first's makes them one note (one question under one heading), which keeps the first card, its answer
    first and the other below it, with the conflict warned of. The first answer was called a stale copy
    and left the card (and ``tidy`` offered to delete it): no edit had made it older."""
    project = tmp_path
    document = _document(project)
    entry = "## {0}\n\n**面试题：** 量化会带来哪些问题？\n\n**答案：** {1}\n\n"
    first = "量化可能导致精度下降，低比特表示引入舍入误差。"
    second = "量化需要硬件支持，部分硬件不支持INT4计算。"
    document.write_text(entry.format("模型量化", first) + entry.format("推理加速", second), encoding="utf-8")
    kept, gone = build(Options(cwd=project, now=NOW)).changed
    document.write_text(entry.format("模型量化", first) + entry.format("模型量化", second), encoding="utf-8")
    report = build(Options(cwd=project, now=NOW + 10))
    ((guid, status, note),) = [(n.guid, n.status, n.note) for n in report.changed]
    assert (guid, status, note.answer_md, [e.answer_md for e in note.alternatives]) == (
        kept.guid,
        Status.UPDATED,
        first,
        [second],
    )
    assert [n.guid for n in report.removed] == [gone.guid]
    (warning,) = _not_hints(report.problems)
    assert warning.line == 3 and warning.message.startswith("same question, different answers")
    shutil.rmtree(project / "build")
    again = build(Options(cwd=project, now=NOW + 20))
    assert (again.changed, again.note_count) == ((), 1)


def test_a_copy_moved_under_another_existing_heading_and_edited_is_warned_of(tmp_path: Path) -> None:
    """A copy moved under a heading that other notes stood under, and edited in the same build, may be the
    note's copy or a question of its own there: it is a note of its own, warned of at its line."""
    project = tmp_path
    document = _document(project)
    entry = "**面试题：** {0}\n\n**答案：** {1}\n\n"
    copy = entry.format("什么是缓存穿透？", "基于内存。")
    other = entry.format("什么是缓存雪崩？", "大量缓存同时失效。")
    document.write_text(f"## 复习\n\n{copy}## 复习2\n\n{copy}## 其他\n\n{other}", encoding="utf-8")
    first = build(Options(cwd=project, now=NOW))
    (note,) = [n for n in first.changed if n.note.question_md == "什么是缓存穿透？"]
    moved = entry.format("什么是缓存穿透？", "基于内存。另外做参数校验。")
    document.write_text(f"## 复习\n\n{copy}## 其他\n\n{other}{moved}", encoding="utf-8")
    report = build(Options(cwd=project, now=NOW + 10))
    assert sorted(n.status for n in report.changed) == [Status.ADDED, Status.UPDATED]
    (warning,) = _not_hints(report.problems)
    assert (warning.path, warning.line) == ("source/a.md", 13)
    assert warning.message.startswith(
        f"this new note asks what note {note.guid} asks (什么是缓存穿透？, under 复习 / 复习2)"
    )


def test_a_section_put_back_whose_copy_had_the_edit_is_warned_of(tmp_path: Path) -> None:
    """A summary section whose copy held the card's edit is deleted (the card goes back) and put back as it
    was: its copy is a note of its own now, a second card with the note's question, and the build says
    so at its line, whether it carries the other notes over or builds them all afresh."""
    project = tmp_path / "p"
    (project / "source").mkdir(parents=True)
    document = project / "source" / "a.md"
    entry = "**面试题：** {0}\n\n**答案：** {1}\n\n"
    copy = entry.format("Redis为什么这么快？", "基于内存。")
    edited = entry.format("Redis为什么这么快？", "基于内存，单线程。")
    other = "## 其他\n\n" + entry.format("什么是缓存雪崩？", "大量缓存同时失效。")

    def write(*sections: str) -> None:
        document.write_text("".join(sections), encoding="utf-8")

    write(f"## Redis\n\n{copy}", f"## 复习\n\n{copy}", other)
    (note,) = [n for n in build(Options(cwd=project, now=NOW)).changed if n.note.topic == "Redis"]
    write(f"## Redis\n\n{copy}", f"## 复习\n\n{edited}", other)
    build(Options(cwd=project, now=NOW + 10))
    write(f"## Redis\n\n{copy}", other)
    build(Options(cwd=project, now=NOW + 20))
    write(f"## Redis\n\n{copy}", f"## 复习\n\n{edited}", other)
    shutil.copytree(project, tmp_path / "full")
    carried = build(Options(cwd=project, now=NOW + 30))
    assert carried.reuse.carried  # the other notes' lock lines stay unparsed
    shutil.rmtree(tmp_path / "full" / "build")
    full = build(Options(cwd=tmp_path / "full", now=NOW + 30))
    assert not full.reuse.carried
    for report in (carried, full):
        assert [n.status for n in report.changed] == [Status.ADDED]
        (warning,) = _not_hints(report.problems)
        assert (warning.line, warning.severity) == (9, Severity.WARNING)
        assert warning.message.startswith(
            f"this new note asks what note {note.guid} asks (Redis为什么这么快？"
        )


def test_a_card_that_goes_back_to_an_older_wording_is_warned_of(tmp_path: Path) -> None:
    """The copies of a note under two headings: one is edited (the card shows the edit, the other is
    stale), then the edited one is deleted. The card goes back to the older wording, and the build says
    so at the copy left, once."""
    project = tmp_path
    write = _copies(project, "Redis为什么这么快？", ("Redis", "基于内存。"), ("复习", "基于内存。"))
    (note,) = build(Options(cwd=project, now=NOW)).changed
    write(("Redis", "基于内存。"), ("复习", "基于内存，单线程。"))
    build(Options(cwd=project, now=NOW + 10))
    write(("Redis", "基于内存。"))
    report = build(Options(cwd=project, now=NOW + 20))
    assert [n.guid for n in report.changed] == [note.guid]
    (warning,) = _not_hints(report.problems)
    assert (warning.path, warning.line) == ("source/a.md", 3)
    assert warning.message.startswith("the card goes back to the wording it showed before its last edit")
    assert _not_hints(build(Options(cwd=project, now=NOW + 30)).problems) == ()


@pytest.mark.parametrize(
    ("lock", "what"),
    [("source/a.md", "a source document"), ("pyproject.toml", "the settings"), ("out/x.apkg", "the deck")],
)
def test_a_lock_that_names_another_file_of_the_build_is_refused(tmp_path: Path, lock: str, what: str) -> None:
    """``--lock`` naming a source document, the settings or the deck is refused before anything is
    written: the lock overwrote them."""
    (tmp_path / "source").mkdir()
    document = tmp_path / "source" / "a.md"
    document.write_text("## 模型\n\n**面试题：** 什么？\n\n**答案：** 这。\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.qa2anki]\ndeck_name = "测试"\n', encoding="utf-8")
    with pytest.raises(Qa2AnkiError, match=f"--lock {lock} names {what}"):
        build(Options(cwd=tmp_path, now=NOW, lock=lock, output="out/x.apkg", new_lock=True))
    assert "面试题" in document.read_text(encoding="utf-8")
    assert "qa2anki" in (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [build, check, listing])
def test_a_lock_named_as_a_source_is_refused(tmp_path: Path, command: Callable[[Options], object]) -> None:
    """``check source/qa2anki.lock`` read the lock as a document and said only that it held no entries:
    a lock named among the sources (its own name, or the file ``--lock`` names) is an error saying so."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("**面试题：** 什么？\n\n**答案：** 这。\n", encoding="utf-8")
    build(Options(cwd=tmp_path, now=NOW))
    (tmp_path / "my.lock").write_bytes((tmp_path / "source/qa2anki.lock").read_bytes())
    for sources, lock in ((("source/qa2anki.lock",), None), (("source", "my.lock"), "my.lock")):
        with pytest.raises(SourceError, match="this is a lock file") as raised:
            command(Options(cwd=tmp_path, now=NOW + 1, sources=sources, lock=lock))
        assert raised.value.path == sources[-1]


def test_a_deck_file_name_too_long_for_file_systems_is_refused(tmp_path: Path) -> None:
    """A deck name longer than a file name may be (255 bytes) is a Qa2AnkiError saying so, not an OSError
    traceback."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("**面试题：** 什么？\n\n**答案：** 这。\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f'[tool.qa2anki]\ndeck_name = "{"很" * 90}"\n', encoding="utf-8")
    with pytest.raises(Qa2AnkiError, match="more than file systems allow"):
        build(Options(cwd=tmp_path, now=NOW))
