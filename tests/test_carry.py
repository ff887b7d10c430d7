"""Builds that carry unchanged notes over from the last build write what a full build writes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate, generate_files
from qa2anki.build import CACHE_FOLDER, BuildReport, Options, build
from qa2anki.carry import LEDGER_NAME
from qa2anki.cli import cli
from qa2anki.errors import ProblemsFound
from qa2anki.identity import Status

NOW = 1_700_000_000


def sections(text: str) -> list[str]:
    """The document cut before each ``###`` heading (the first piece is the title)."""
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("### ") or not pieces:
            pieces.append(line)
        else:
            pieces[-1] += line
    return pieces


def summary(report: BuildReport) -> tuple[object, ...]:
    """What the CLI reports of a build."""
    return (
        report.note_count,
        report.entry_count,
        report.topics,
        report.merged,
        tuple(report.count(status) for status in Status),
        tuple(r.guid for r in report.removed),
        report.problems,
        report.lock_changed,
        tuple((n.guid, n.status, n.mod, n.note.key) for n in report.changed),
    )


def outputs(project: Path) -> tuple[bytes, bytes]:
    """The deck's and the lock's bytes."""
    return (project / "build/qa2anki.apkg").read_bytes(), (project / "source/qa2anki.lock").read_bytes()


def make_project(folder: Path, text: str) -> Path:
    (folder / "source").mkdir(parents=True)
    (folder / "source/deck.md").write_text(text, encoding="utf-8")
    return folder


def full_build_of(project: Path, other: Path, now: int) -> BuildReport:
    """A build of a copy of ``project`` without its ledger."""
    shutil.rmtree(other, ignore_errors=True)
    shutil.copytree(project, other)
    (other / CACHE_FOLDER / LEDGER_NAME).unlink(missing_ok=True)
    return build(Options(cwd=other, now=now))


IMAGE_ENTRY = "\n### 1. 图\n\n**面试题：** 这张图是什么？\n\n**答案：** 是一张图。\n\n![x](x.png)\n"
"""An entry that shows an image."""
REFERENCES = (
    "\n### 2. 引用\n\n**面试题：** 出处在哪？\n\n**答案：** 见[论文][1]和[代码][2]。\n\n"
    '### 参考资料\n\n[1]: https://example.com/paper\n[2]: https://example.com/code "代码"\n'
)
"""An entry with reference-style links, and their definitions in a closing section."""
EXTRA = "\n**面试题：** 新加的问题{n}是什么？\n\n**答案：** 新加的答案{n}。\n\n1. **要点**：第{n}条。\n"


def apply(pieces: list[str], edit: tuple[str, int, int], step: int) -> list[str]:
    """One edit of a document's sections (never the title)."""
    kind, at, to = edit
    body = pieces[1:]
    if not body:
        return pieces
    i, j = at % len(body), to % (len(body) + 1)
    section = body[i]
    if kind == "edit":
        body[i] = section.rstrip("\n") + f"补充说明第{step}次。\n\n"
    elif kind == "insert":
        heading = section.splitlines()[0] if to % 2 else f"### 1. 新主题{to % 3}"
        body.insert(j, heading + "\n" + EXTRA.format(n=step) + "\n")
    elif kind == "delete":
        del body[i]
    elif kind == "duplicate":
        body.insert(j, section)
    elif kind == "retopic":
        # The same entry under another topic: an exact duplicate linking two topics.
        body.insert(j, "### 7. 另一个主题\n" + section.split("\n", 1)[1])
    elif kind == "respace":
        # The same entry under another topic, spaced in another style: an exact duplicate too.
        body.insert(j, "### 8. 又一个主题\n" + section.split("\n", 1)[1].replace("的", " 的", 1))
    elif kind == "conflict":
        # The same question with another answer: a conflict (kept as an alternative answer).
        question = next((line for line in section.splitlines() if line.startswith("**面试题")), None)
        if question:
            body.insert(
                j, section.splitlines()[0] + f"\n\n{question}\n\n**答案：** 完全不同的回答{step}。\n\n"
            )
    elif kind == "reword":
        # One copy's question reworded (the author's latest edit wins over the other copies).
        body[i] = section.replace("**面试题：** ", f"**面试题：** 请问（第{step}次）", 1)
    elif kind == "rename":
        first, _, rest = section.partition("\n")
        body[i] = first + "改\n" + rest
    elif kind == "move":
        body.insert(j, body.pop(i))
    return [pieces[0], *body]


EDITS = st.tuples(
    st.sampled_from(
        [
            "edit",
            "reword",
            "insert",
            "delete",
            "duplicate",
            "retopic",
            "respace",
            "conflict",
            "rename",
            "move",
            "image",
        ]
    ),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 1000),
    files=st.integers(1, 2),
    edits=st.lists(st.tuples(st.integers(0, 1), EDITS), min_size=1, max_size=4),
)
# An edit of one copy, then an untouched rebuild: the cluster of two notes must split as it did.
@example(seed=39, files=1, edits=[(0, ("conflict", 1, 0)), (0, ("edit", 1, 0))])
# An edit of a stale copy of a note whose card shows another copy's edit.
@example(seed=78, files=1, edits=[(0, ("conflict", 1, 0)), (0, ("edit", 1, 0))])
# A copy spaced in another style under a new topic, then the first copy edited: one region again.
@example(seed=5, files=1, edits=[(0, ("respace", 1, 0)), (0, ("edit", 1, 0))])
# An answer extended in one note's copy, beside another note's copy alike to it: the copy stays its own
# note's, as a build from the lock alone has it.
@example(seed=348, files=2, edits=[(1, ("edit", 311, 0)), (0, ("edit", 0, 0))])
# An exact copy added under a new heading, then an unrelated edit: the note keeps the key it had (a full
# build picked the copy under the other heading once the note stood under both).
@example(seed=156, files=2, edits=[(1, ("retopic", 1507, 0)), (0, ("edit", 0, 0))])
def test_a_carried_build_writes_what_a_full_build_writes(
    tmp_path: Path, seed: int, files: int, edits: list[tuple[int, tuple[str, int, int]]]
) -> None:
    """After any sequence of edits, a build that carries notes over writes the same deck bytes, the same
    lock bytes and the same report as a build without a ledger."""
    root = tmp_path / "run"
    shutil.rmtree(root, ignore_errors=True)
    (root / "carried/source").mkdir(parents=True)
    project = root / "carried"
    documents = generate_files(40, seed=seed, files=files)
    for name, text in documents.items():
        extra = (IMAGE_ENTRY if seed % 2 else "") + (REFERENCES if seed % 3 == 0 else "")
        (project / "source" / name).write_text(text + extra, encoding="utf-8")
    (project / "source/x.png").write_bytes(b"\x89PNG\r\n\x1a\n0")
    build(Options(cwd=project, now=NOW))
    names = sorted(documents)
    for step, (which, edit) in enumerate(edits, start=1):
        if edit[0] == "image":
            (project / "source/x.png").write_bytes(b"\x89PNG\r\n\x1a\n" + str(edit[1] % 3).encode())
        elif edit[0] == "definition":
            document = project / "source" / names[which % len(names)]
            text = document.read_text(encoding="utf-8")
            document.write_text(text.replace("example.com/", f"example.com/{step}/", 1), encoding="utf-8")
        else:
            document = project / "source" / names[which % len(names)]
            pieces = apply(sections(document.read_text(encoding="utf-8")), edit, step)
            document.write_text("".join(pieces), encoding="utf-8")
        full = full_build_of(project, root / "full", NOW + step)
        carried = build(Options(cwd=project, now=NOW + step))
        assert full.reuse.carried == 0
        assert outputs(project) == outputs(root / "full")
        assert summary(carried) == summary(full)


def test_an_edit_is_built_and_the_rest_carried(tmp_path: Path) -> None:
    """After one edit most notes are carried over, and the edited note is updated in place."""
    project = make_project(tmp_path / "p", generate(200, seed=1))
    first = build(Options(cwd=project, now=NOW))
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("edit", 5, 0), 1)), encoding="utf-8")
    full = full_build_of(project, tmp_path / "full", NOW + 1)
    second = build(Options(cwd=project, now=NOW + 1))
    assert first.reuse.carried == 0
    assert second.reuse.carried > first.note_count // 2
    assert second.count(Status.UPDATED) == 1 and second.count(Status.ADDED) == 0
    assert second.note_count == first.note_count
    assert summary(second) == summary(full)


def test_the_ledger_is_not_used_when_the_lock_was_changed_by_hand(tmp_path: Path) -> None:
    """A lock that is not the one the last build wrote (edited, checked out) means a full build."""
    project = make_project(tmp_path / "p", generate(60, seed=2))
    build(Options(cwd=project, now=NOW))
    lock = project / "source/qa2anki.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace('"mod": 1700000000', '"mod": 1600000000', 1))
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0
    assert build(Options(cwd=project, now=NOW + 2)).reuse.carried > 0


def test_the_ledger_is_not_used_when_the_settings_change(tmp_path: Path) -> None:
    """Another setting (here a clustering threshold) means a full build."""
    project = make_project(tmp_path / "p", generate(60, seed=3))
    build(Options(cwd=project, now=NOW))
    (project / "pyproject.toml").write_text("[tool.qa2anki]\nnear_duplicate_answer = 0.7\n")
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0
    assert build(Options(cwd=project, now=NOW + 2)).reuse.carried > 0


def test_a_damaged_ledger_means_a_full_build(tmp_path: Path) -> None:
    """A ledger cut short is ignored (and replaced)."""
    project = make_project(tmp_path / "p", generate(60, seed=4))
    build(Options(cwd=project, now=NOW))
    ledger = project / CACHE_FOLDER / LEDGER_NAME
    ledger.write_bytes(ledger.read_bytes()[:-100])
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0
    assert build(Options(cwd=project, now=NOW + 2)).reuse.carried > 0


def test_images_are_carried_and_read_again(tmp_path: Path) -> None:
    """A carried note's image is packed again from its file; a file whose bytes changed (its packed name
    with them) means a full build, which shows the new image."""
    project = make_project(tmp_path / "p", generate(30, seed=5) + IMAGE_ENTRY)
    image = project / "source/x.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\nfirst")
    build(Options(cwd=project, now=NOW))
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("edit", 2, 0), 1)), encoding="utf-8")
    full = full_build_of(project, tmp_path / "full", NOW + 1)
    carried = build(Options(cwd=project, now=NOW + 1))
    assert carried.reuse.carried > 0
    assert outputs(project) == outputs(tmp_path / "full") and summary(carried) == summary(full)
    image.write_bytes(b"\x89PNG\r\n\x1a\nsecond")
    full = full_build_of(project, tmp_path / "full", NOW + 2)
    again = build(Options(cwd=project, now=NOW + 2))
    assert again.reuse.carried == 0 and again.count(Status.UPDATED) == 1
    assert outputs(project) == outputs(tmp_path / "full")
    image.unlink()
    (project / "source/deck.md").write_text("".join(apply(pieces, ("edit", 3, 0), 2)), encoding="utf-8")
    assert build(Options(cwd=project, now=NOW + 3)).reuse.carried == 0  # and the missing image is reported


def test_the_cli_reports_a_carried_build_as_a_full_one_but_for_what_it_carried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``qa2anki build -v`` prints the same lines whether notes were carried over or not, but for the one
    that says whether they were."""
    project = make_project(tmp_path / "p", generate(80, seed=6))
    runner = CliRunner()
    monkeypatch.chdir(project)
    assert runner.invoke(cli, ["build"], env={"SOURCE_DATE_EPOCH": str(NOW)}).exit_code == 0
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("conflict", 3, 9), 1)), encoding="utf-8")
    shutil.copytree(project, tmp_path / "full")
    (tmp_path / "full" / CACHE_FOLDER / LEDGER_NAME).unlink()
    env = {"SOURCE_DATE_EPOCH": str(NOW + 1)}
    carried = runner.invoke(cli, ["build", "-v"], env=env)
    monkeypatch.chdir(tmp_path / "full")
    full = runner.invoke(cli, ["build", "-v"], env=env)
    assert carried.exit_code == full.exit_code == 0
    assert "1 added" in carried.output or "1 updated" in carried.output
    carried_lines, full_lines = carried.output.splitlines(), full.output.splitlines()
    # One line says what was carried over, and if nothing was, why.
    (carried_reuse,) = (line for line in carried_lines if line.startswith("carried "))
    (full_reuse,) = (line for line in full_lines if line.startswith("carried "))
    assert re.fullmatch(r"carried [0-9,]+ notes over from the last build; built \d+ afresh .*", carried_reuse)
    assert full_reuse == (
        "carried no notes over: the record of the last build's notes is not there (a first build, "
        "a removed cache, or a last build that could not leave one)"
    )
    assert carried_lines.index(carried_reuse) == full_lines.index(full_reuse)
    carried_lines.remove(carried_reuse)
    full_lines.remove(full_reuse)
    assert carried_lines == full_lines


def test_a_document_parsed_whole_keeps_no_ledger(tmp_path: Path) -> None:
    """A document whose last entry runs on under a deeper heading is assembled whole: no ledger."""
    project = make_project(tmp_path / "p", generate(30, seed=7) + "\n#### 小节\n\n更多内容。\n")
    build(Options(cwd=project, now=NOW))
    assert not (project / CACHE_FOLDER / LEDGER_NAME).exists()
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0


def test_link_references_are_carried_and_followed(tmp_path: Path) -> None:
    """A document with link reference definitions is built section by section and carried; changing a
    definition changes the notes that use it, as a full build does."""
    text = generate(40, seed=14)
    pieces = sections(text)
    pieces[3] = pieces[3].rstrip("\n") + " 参见[论文][1]。\n\n"
    pieces.append("### 参考资料\n\n[1]: https://example.com/a\n")
    project = make_project(tmp_path / "p", "".join(pieces))
    build(Options(cwd=project, now=NOW))
    assert (project / CACHE_FOLDER / LEDGER_NAME).exists()
    for step, change in enumerate([("edit", 9, 0), ("definition", 0, 0), ("edit", 20, 0)], start=1):
        document = project / "source/deck.md"
        current = sections(document.read_text(encoding="utf-8"))
        if change[0] == "definition":
            current[-1] = current[-1].replace("https://example.com/a", "https://example.com/b")
        else:
            current = apply(current, change, step)
        document.write_text("".join(current), encoding="utf-8")
        stale = '"older": ' in (project / "source/qa2anki.lock").read_text(encoding="utf-8")
        full = full_build_of(project, tmp_path / "full", NOW + step)
        carried = build(Options(cwd=project, now=NOW + step))
        assert outputs(project) == outputs(tmp_path / "full") and summary(carried) == summary(full)
        if change[0] == "definition":
            (updated,) = (n for n in carried.changed if "https://example.com/b" in n.note.answer_html)
            assert updated.status == Status.UPDATED
        else:
            # Stale copies of an edited entry (``stale``) are carried like any note: they are in its region.
            assert carried.reuse.carried > 0, stale


def test_a_new_document_means_a_full_build(tmp_path: Path) -> None:
    """Adding (or removing) a document changes the document list the ledger was made for."""
    project = make_project(tmp_path / "p", generate(40, seed=8))
    build(Options(cwd=project, now=NOW))
    (project / "source/more.md").write_text(generate(10, seed=9), encoding="utf-8")
    full = full_build_of(project, tmp_path / "full", NOW + 1)
    first = build(Options(cwd=project, now=NOW + 1))
    assert first.reuse.carried == 0 and summary(first) == summary(full)
    (project / "source/more.md").write_text(generate(11, seed=9), encoding="utf-8")
    assert build(Options(cwd=project, now=NOW + 2)).reuse.carried > 0


def test_a_lock_written_otherwise_with_the_same_notes_is_not_carried_from(tmp_path: Path) -> None:
    """A lock edited by hand into the same data (an escaped character) is kept as it is, and no ledger
    records it: a carried build copies its notes' lines, a full build writes them its own way."""
    project = make_project(tmp_path / "p", generate(60, seed=10))
    build(Options(cwd=project, now=NOW))
    lock = project / "source/qa2anki.lock"
    text = lock.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if '"question": "' in line)
    at = line.index('"question": "') + len('"question": "')
    escaped = line[:at] + f"\\u{ord(line[at]):04x}" + line[at + 1 :]
    lock.write_text(text.replace(line, escaped), encoding="utf-8")
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0
    assert escaped in lock.read_text(encoding="utf-8")  # the same notes: left as it is
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("edit", 7, 0), 2)), encoding="utf-8")
    full = full_build_of(project, tmp_path / "full", NOW + 2)
    carried = build(Options(cwd=project, now=NOW + 2))
    assert carried.reuse.carried == 0
    assert outputs(project) == outputs(tmp_path / "full") and summary(carried) == summary(full)
    assert escaped not in lock.read_text(encoding="utf-8")  # rewritten as qa2anki writes it


def test_a_carried_build_fails_as_a_full_build_does(tmp_path: Path) -> None:
    """A lock that cannot be read and a warning under --strict: the same error either way (the problems
    come first)."""
    project = make_project(tmp_path / "p", generate(60, seed=11))
    build(Options(cwd=project, now=NOW))
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("conflict", 4, 9), 1)), encoding="utf-8")
    (project / "source/qa2anki.lock").write_bytes(b"\xff\xfe not text")
    errors = []
    for folder in (tmp_path / "full", project):
        if folder != project:
            shutil.copytree(project, folder)
            (folder / CACHE_FOLDER / LEDGER_NAME).unlink()
        with pytest.raises(ProblemsFound) as raised:
            build(Options(cwd=folder, now=NOW + 1, strict=True))
        errors.append(raised.value.message)
    assert errors[0] == errors[1]


def test_other_code_means_a_full_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Notes made by other code (qa2anki, markdown-it-py, Pygments) are not carried: the code's
    fingerprint keys the ledger as it keys every cache file."""
    project = make_project(tmp_path / "p", generate(60, seed=12))
    build(Options(cwd=project, now=NOW))
    monkeypatch.setattr("qa2anki.cache.code_fingerprint", lambda: "other code")
    assert build(Options(cwd=project, now=NOW + 1)).reuse.carried == 0
    assert build(Options(cwd=project, now=NOW + 2)).reuse.carried > 0


def test_a_carried_image_is_checked_as_a_new_one(tmp_path: Path) -> None:
    """An image that became a link to a file outside the sources (same bytes) is refused by a carried
    build as by a full one."""
    project = make_project(tmp_path / "p", generate(30, seed=13) + IMAGE_ENTRY)
    (project / "source/x.png").write_bytes(b"\x89PNG\r\n\x1a\nsame")
    build(Options(cwd=project, now=NOW))
    (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\nsame")
    (project / "source/x.png").unlink()
    (project / "source/x.png").symlink_to(tmp_path / "outside.png")
    pieces = sections((project / "source/deck.md").read_text(encoding="utf-8"))
    (project / "source/deck.md").write_text("".join(apply(pieces, ("edit", 2, 0), 1)), encoding="utf-8")
    with pytest.raises(ProblemsFound, match="1 error"):
        build(Options(cwd=project, now=NOW + 1))


def test_stale_copies_do_not_stop_carrying(tmp_path: Path) -> None:
    """After an edit of one copy of a repeated entry, the lock records the other copies as stale; the
    next build still carries the notes the change does not touch, and writes what a full build writes."""
    pieces = sections(generate(60, seed=3))
    repeated = pieces[2]
    pieces.append(repeated)  # the same entry again, at the end
    project = make_project(tmp_path / "p", "".join(pieces))
    build(Options(cwd=project, now=NOW))
    document = project / "source/deck.md"
    pieces[-1] = pieces[-1].rstrip("\n") + " 补充一句。\n\n"
    document.write_text("".join(pieces), encoding="utf-8")
    edited = build(Options(cwd=project, now=NOW + 1))
    assert any("stale copy" in problem.message for problem in edited.problems)
    assert '"older": ' in (project / "source/qa2anki.lock").read_text(encoding="utf-8")
    document.write_text("".join(apply(pieces, ("edit", 20, 0), 2)), encoding="utf-8")
    full = full_build_of(project, tmp_path / "full", NOW + 2)
    carried = build(Options(cwd=project, now=NOW + 2))
    assert carried.reuse.carried > 0
    assert outputs(project) == outputs(tmp_path / "full") and summary(carried) == summary(full)


def test_copies_changed_differently_are_decided_again_as_a_full_build_does(tmp_path: Path) -> None:
    """The lock does not record that a card kept its wording because its copies were changed differently:
    the next build decides that note again from the lock and the sources, as a full build does, instead
    of carrying it."""
    pieces = sections(generate(60, seed=3))
    pieces += [pieces[2], pieces[2]]  # three copies of one entry
    project = make_project(tmp_path / "p", "".join(pieces))
    build(Options(cwd=project, now=NOW))
    pieces[-2] = pieces[-2].rstrip("\n") + " 补充一句。\n\n"
    pieces[-1] = pieces[-1].rstrip("\n") + " 另一种补充。\n\n"
    (project / "source/deck.md").write_text("".join(pieces), encoding="utf-8")
    changed = build(Options(cwd=project, now=NOW + 1))
    assert any("changed differently" in problem.message for problem in changed.problems)
    full = full_build_of(project, tmp_path / "full", NOW + 2)
    again = build(Options(cwd=project, now=NOW + 2))
    assert again.reuse.carried and again.reuse.built  # its topic built afresh, the others carried
    assert summary(again) == summary(full)
    assert outputs(project) == outputs(tmp_path / "full")


def test_a_carried_build_that_keeps_no_note_says_why(tmp_path: Path) -> None:
    """When the changes touch every topic, ``build -v`` says so, not an empty reason."""
    text = (
        "### 1. 主题\n\n**面试题：** 问题一？\n\n**答案：** 答案一。\n\n"
        "### 2. 主题\n\n**面试题：** 问题二？\n\n**答案：** 答案二。\n"
    )
    project = make_project(tmp_path / "p", text)
    build(Options(cwd=project, now=NOW))
    (project / "source/deck.md").write_text(text.replace("答案一", "答案一，改"), encoding="utf-8")
    report = build(Options(cwd=project, now=NOW + 1))
    assert report.reuse.carried == 0 and report.reuse.reason
    assert str(report.reuse) == "carried no notes over: the changes touch every topic"
