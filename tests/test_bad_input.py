"""Bad input never crashes, never executes, never loses anything: encodings, structure, the lock, size.

Everything goes through the CLI. A failed command exits 1 (2 for bad usage) with one ``Error: …`` line
that names the file (and line), never a traceback, and leaves every file of the project as it was (all
but qa2anki's own housekeeping in ``build/.qa2anki-*``).
"""

from __future__ import annotations

import json
import os
import random
import resource
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.conftest import RunCli, read_apkg

# --- helpers ---------------------------------------------------------------------------------------------

GOOD = """\
### 1. 过拟合

**面试题：** 什么是过拟合？

**答案：** 模型在训练集上表现好，在测试集上表现差。

### 2. 正则化

**面试题：** 正则化为什么能缓解过拟合？

**答案：** 它限制了模型的复杂度。
"""
GOOD_QUESTIONS = ["什么是过拟合？", "正则化为什么能缓解过拟合？"]
GOOD_ANSWERS = ["模型在训练集上表现好，在测试集上表现差。", "它限制了模型的复杂度。"]

LOCK = "source/qa2anki.lock"
DECK = "build/qa2anki.apkg"

INTERNAL = "build/.qa2anki-"
"""qa2anki's own housekeeping (the parse cache, the build mutex): not the user's files, may change."""

Snapshot = dict[str, tuple[bytes, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file below ``root`` but qa2anki's housekeeping: its bytes and mtime (nanoseconds)."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file())
    return {
        name: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in files
        if not (name := p.relative_to(root).as_posix()).startswith(INTERNAL)
    }


def assert_no_traceback(result: Result) -> None:
    """The command ended through click (exit code), not through an unhandled exception."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"unhandled {result.exception!r}\n{result.output}"
    )
    assert "Traceback" not in result.output


def error_line(result: Result) -> str:
    """The one ``Error: …`` line of a failed command."""
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.output
    return lines[0]


def assert_fails(result: Result, prefix: str, *fragments: str, code: int = 1) -> str:
    """Exit ``code``, no traceback, one ``Error: <prefix>…`` line holding every fragment."""
    assert_no_traceback(result)
    assert result.exit_code == code, result.output
    line = error_line(result)
    assert line.startswith(f"Error: {prefix}"), line
    for fragment in fragments:
        assert fragment in line, line
    return line


def build_good(project: Path, run_cli: RunCli) -> Snapshot:
    """Build ``GOOD`` once (a previous deck and lock to protect) and return the project's snapshot."""
    (project / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert (project / DECK).is_file() and (project / LOCK).is_file()
    return snapshot(project)


def deck_notes(project: Path, deck: str = DECK) -> list[list[str]]:
    """The fields of every note in a built ``.apkg``, in note id order."""
    return [list(note.fields) for note in read_apkg(project / deck).values()]


def listed(run_cli: RunCli, *args: str) -> dict[str, Any]:
    """``qa2anki list --json`` as data."""
    result = run_cli("list", "--json", *args)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def line_of(text: str, marker: str) -> int:
    """1-based line of the first line that contains ``marker``."""
    for number, line in enumerate(text.split("\n"), 1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in text")


# --- encodings -------------------------------------------------------------------------------------------

# 𠮷 is four bytes in GB18030 and not in GBK.
GB18030_DOC = GOOD.replace("什么是过拟合？", "“𠮷”字的过拟合是什么？")


@pytest.mark.parametrize(
    ("label", "data", "questions"),
    [
        ("utf-8", GOOD.encode("utf-8"), GOOD_QUESTIONS),
        ("utf-8 with BOM", GOOD.encode("utf-8-sig"), GOOD_QUESTIONS),
        ("gbk", GOOD.encode("gbk"), GOOD_QUESTIONS),
        ("gb18030", GB18030_DOC.encode("gb18030"), ["“𠮷”字的过拟合是什么？", GOOD_QUESTIONS[1]]),
        ("utf-16-le with BOM", b"\xff\xfe" + GOOD.encode("utf-16-le"), GOOD_QUESTIONS),
        ("utf-16-be with BOM", b"\xfe\xff" + GOOD.encode("utf-16-be"), GOOD_QUESTIONS),
        ("utf-32 with BOM", GOOD.encode("utf-32"), GOOD_QUESTIONS),
    ],
)
def test_encodings_build_with_correct_text(
    project: Path, run_cli: RunCli, label: str, data: bytes, questions: list[str]
) -> None:
    """UTF-8 (with or without BOM), GBK, GB18030 and UTF-16/32 with BOM give the right Chinese text."""
    (project / "source" / "doc.md").write_bytes(data)
    check = run_cli("check", "--strict")
    assert check.exit_code == 0, check.output
    listing = listed(run_cli)
    assert [n["question"] for n in listing["notes"]] == questions, label
    assert [n["topic"] for n in listing["notes"]] == ["过拟合", "正则化"]  # the BOM does not hide a heading
    assert listing["problems"] == []
    build = run_cli("build")
    assert build.exit_code == 0, build.output
    fields = deck_notes(project)
    assert [f[1] for f in fields] == [f"<p>{a}</p>" for a in GOOD_ANSWERS]
    assert not any("\ufeff" in f or "\x00" in f for note in fields for f in note)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"], ids=["crlf", "lone-cr", "mixed"])
def test_crlf_and_lone_cr_keep_line_numbers(project: Path, run_cli: RunCli, newline: str) -> None:
    """CRLF, lone-CR and mixed line endings read like LF: same entries, same line numbers, no stray CR."""
    text = GOOD + "\n### 3. 缺答案\n\n**面试题：** 这道题没有答案？\n"
    lines = text.split("\n")
    if newline == "mixed":
        raw = "".join(line + ("\n", "\r", "\r\n")[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
    else:
        raw = newline.join(lines)
    (project / "source" / "doc.md").write_bytes(raw.encode("utf-8"))
    check = run_cli("check")
    assert check.exit_code == 0, check.output
    missing = line_of(text, "这道题没有答案")
    assert f"source/doc.md:{missing}: warning: question without an answer" in check.stderr
    listing = listed(run_cli)
    assert [n["question"] for n in listing["notes"]] == GOOD_QUESTIONS
    assert [s["line"] for n in listing["notes"] for s in n["sources"]] == [
        line_of(text, q) for q in GOOD_QUESTIONS
    ]
    assert run_cli("build").exit_code == 0
    assert not any("\r" in f for note in deck_notes(project) for f in note)


def _png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


_RANDOM = random.Random(20240601).randbytes(4096)

NOT_TEXT = {
    "nul-bytes": GOOD.encode("utf-8")[:40] + b"\x00\x00\x00" + GOOD.encode("utf-8")[40:],
    "random-bytes": _RANDOM,
    "random-bytes-without-nul": bytes(b or 1 for b in _RANDOM),
    "png-renamed-md": _png(),
    "utf-16-without-bom": GOOD.encode("utf-16-le"),
    "latin-1": "### 1. Café\n\nQuestion: crème brûlée?\n".encode("latin-1"),
    "latin-1-valid-as-gb18030": "### 1. Größe\n\nWas ist die Größe?\n".encode("latin-1"),
    "cp1252-valid-as-gb18030": "### Über\n\nstraße façade\n".encode("cp1252"),
    "shift-jis": "### 1. 日本語\n\n質問：これは何ですか？\n".encode("shift_jis"),
}
"""Files that are not UTF-8/16/32 or GB18030 text. Some decode as GB18030 without an error, but to rare
characters (``Größe`` → ``Gr鲞e``): taking them would put mojibake on the cards."""


@pytest.mark.parametrize("data", NOT_TEXT.values(), ids=NOT_TEXT.keys())
@pytest.mark.parametrize("command", ["check", "build", "list"])
def test_binary_or_unknown_encoding_is_refused(
    project: Path, run_cli: RunCli, data: bytes, command: str
) -> None:
    """A binary file (NUL bytes, random bytes, a PNG) or text in another encoding stops the command: one
    line naming the file and saying to convert it to UTF-8, exit 1, nothing written, no mojibake."""
    build_good(project, run_cli)
    (project / "source" / "bad.md").write_bytes(data)
    before = snapshot(project)
    result = run_cli(command)
    assert_fails(result, "source/bad.md:", "convert it to UTF-8")  # the line of the first bad byte
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "name", [b"bad\xffname.md", b"a\x1fb.md", b"line\nbreak.md", b"tab\there.md"], ids=repr
)
def test_unusable_file_name_is_refused(project: Path, run_cli: RunCli, name: bytes) -> None:
    """A source file whose name is not UTF-8 or holds control characters (``\\x1f`` would split an Anki
    field) is refused by name on one line, and nothing is written."""
    build_good(project, run_cli)
    (project / "source").joinpath(name.decode("utf-8", "surrogateescape")).write_text(GOOD, "utf-8")
    before = snapshot(project)
    for command in ("check", "build"):
        result = run_cli(command)
        assert_fails(result, "source/", "rename the file")
        assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


# --- structure -------------------------------------------------------------------------------------------

STRUCTURE = """\
**面试题：** 标题之外的问题？

**答案：** 标题之外的答案。

### 1. 缺答案

**面试题：** 这道题没有答案？

### 2. 缺问题

**答案：** 这个答案没有问题。

### 3. 空问题

**面试题：**

**答案：** 空问题的答案。

### 4. 空答案

**面试题：** 这道题的答案是空的？

**答案：**

### 5. 正常

**面试题：** 正常的问题？

**答案：** 正常的答案。
"""

STRUCTURE_WARNINGS = [
    f"source/doc.md:{line_of(STRUCTURE, '这道题没有答案')}: warning: question without an answer",
    f"source/doc.md:{line_of(STRUCTURE, '这个答案没有问题')}: warning: answer label without a question",
    f"source/doc.md:{line_of(STRUCTURE, '### 3.') + 2}: warning: empty question",
    f"source/doc.md:{line_of(STRUCTURE, '这道题的答案是空的') + 2}: warning: empty answer",
    "source/empty.md: warning: no 面试题/答案 entries found",
]


def _warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def _write_structure(project: Path) -> None:
    (project / "source" / "doc.md").write_text(STRUCTURE, encoding="utf-8")
    (project / "source" / "empty.md").write_text("# 只是一篇文章\n\n没有题目。\n", encoding="utf-8")


def test_check_reports_structure_warnings_with_lines(project: Path, run_cli: RunCli) -> None:
    """check reports each structure problem as ``file:line: warning: …`` and exits 0 for warnings only."""
    _write_structure(project)
    result = run_cli("check")
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    warnings = _warnings(result)
    assert len(warnings) == len(STRUCTURE_WARNINGS), result.stderr
    for line, expected in zip(warnings, STRUCTURE_WARNINGS, strict=True):
        assert line.startswith(expected), (line, expected)
    assert "2 entries, 2 unique notes; 0 errors, 5 warnings" in result.stdout


def test_build_reports_structure_warnings_and_keeps_good_entries(project: Path, run_cli: RunCli) -> None:
    """build prints the same warnings, exits 0 and still writes every well-formed entry."""
    _write_structure(project)
    result = run_cli("build")
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert [w.split(": warning: ")[0] for w in _warnings(result)] == [
        w.split(": warning: ")[0] for w in STRUCTURE_WARNINGS
    ]
    questions = [fields[0] for fields in deck_notes(project)]
    assert questions == ["<p>标题之外的问题？</p>", "<p>正常的问题？</p>"]


@pytest.mark.parametrize("command", ["check", "build"])
def test_strict_turns_warnings_into_exit_1(project: Path, run_cli: RunCli, command: str) -> None:
    """``--strict`` makes warnings fail the command (exit 1) and a strict build writes nothing."""
    build_good(project, run_cli)
    _write_structure(project)
    before = snapshot(project)
    result = run_cli(command, "--strict")
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    assert len(_warnings(result)) == len(STRUCTURE_WARNINGS)
    if command == "build":
        assert error_line(result) == "Error: 5 warnings (--strict) found; nothing was written"
    assert snapshot(project) == before


def test_file_without_entries_is_a_warning_beside_good_files(project: Path, run_cli: RunCli) -> None:
    """A file with no entries is a warning naming it when other files have entries; check exits 0."""
    (project / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    (project / "source" / "notes.md").write_text("随便写写。\n", encoding="utf-8")
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert _warnings(result) == ["source/notes.md: warning: no 面试题/答案 entries found"]


def test_sources_without_any_entry_are_an_error(project: Path, run_cli: RunCli) -> None:
    """A source folder with no entry at all is an error: check and build exit 1, nothing is written."""
    (project / "source" / "a.md").write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (project / "source" / "b.txt").write_text("", encoding="utf-8")
    before = snapshot(project)
    check = run_cli("check")
    assert_no_traceback(check)
    assert check.exit_code == 1, check.output
    assert "source: error: no 面试题/答案 entries in the sources" in check.stderr
    build = run_cli("build")
    assert_fails(build, "1 error found; nothing was written")
    assert "source: error: no 面试题/答案 entries in the sources" in build.stderr
    assert snapshot(project) == before


def test_empty_source_folder_is_an_error(project: Path, run_cli: RunCli) -> None:
    """A source folder without any .md/.markdown/.txt file is an error naming the folder."""
    (project / "source" / "picture.png").write_bytes(_png())
    for command in ("check", "build"):
        assert_fails(run_cli(command), "source: no .md, .markdown, .mdx, .txt files in this folder")


@pytest.mark.parametrize("command", ["check", "build", "list"])
def test_nonexistent_source_is_an_error(project: Path, run_cli: RunCli, command: str) -> None:
    """A source path that does not exist is named in a one-line error, exit 1; nothing is written."""
    before = snapshot(project)
    assert_fails(run_cli(command, "nowhere/missing.md"), "nowhere/missing.md: no such file or folder")
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "args", [["build", "--no-such-option"], ["check", "--bogus"], ["frobnicate"], ["build", "-o"]]
)
def test_bad_usage_exits_2(project: Path, run_cli: RunCli, args: list[str]) -> None:
    """Unknown options, unknown commands and missing option values are usage errors: exit 2, one
    ``Error:`` line, nothing written."""
    (project / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    result = run_cli(*args)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.output
    assert error_line(result)
    assert not (project / "build").exists()


# --- the lock --------------------------------------------------------------------------------------------


def _edit(change: Callable[[dict[str, Any]], object]) -> Callable[[str], bytes]:
    """A lock mangler that edits the parsed lock and writes it back as JSON."""

    def mangle(text: str) -> bytes:
        data = json.loads(text)
        change(data)
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    return mangle


def _set(path: str, value: Any) -> Callable[[str], bytes]:
    """Set ``a.0.b`` (dict keys and list indexes) to ``value``."""

    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return _edit(change)


def _delete(path: str) -> Callable[[str], bytes]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        del node[last]

    return _edit(change)


def _same_guid(data: dict[str, Any]) -> None:
    data["notes"][1]["guid"] = data["notes"][0]["guid"]


def _same_key(data: dict[str, Any]) -> None:
    data["notes"][1]["key"] = data["notes"][0]["key"]


def _duplicate_line(text: str) -> bytes:
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if '"guid"' in line)
    return "\n".join([*lines[: first + 1], lines[first], *lines[first + 1 :]]).encode("utf-8")


def _truncate_in_character(text: str) -> bytes:
    data = text.encode("utf-8")
    cut = data.index("过".encode()) + 1  # inside a three-byte character
    return data[:cut]


LOCK_MANGLERS: dict[str, Callable[[str], bytes]] = {
    "empty-file": lambda text: b"",
    "not-json": lambda text: b"{this is not json",
    "truncated-half": lambda text: text.encode("utf-8")[: len(text.encode("utf-8")) // 2],
    "truncated-last-brace": lambda text: text.rstrip().removesuffix("}").encode("utf-8"),
    "truncated-inside-a-character": _truncate_in_character,
    "not-utf-8": lambda text: text.encode("utf-8").replace("过".encode(), b"\xff\xfe"),
    "nul-bytes": lambda text: text.encode("utf-8").replace(b'"notes"', b'"no\x00tes"'),
    # (Markers that pair up are read side by side: tests/test_lockfile.py.)
    "merge-conflict-markers-unpaired": lambda text: f"<<<<<<< HEAD\n{text}=======\n{text}".encode(),
    "json-null": lambda text: b"null",
    "json-list": lambda text: b"[]",
    "json-string": lambda text: b'"qa2anki"',
    "empty-object": lambda text: b"{}",
    "format-missing": _delete("format"),
    "format-2": _set("format", 2),
    "format-string": _set("format", "1"),
    "notes-missing": _delete("notes"),
    "notes-object": _set("notes", {}),
    "notes-null": _set("notes", None),
    "note-not-object": _set("notes.0", ["guid"]),
    "note-guid-missing": _delete("notes.0.guid"),
    "note-guid-number": _set("notes.0.guid", 12345),
    "note-guid-empty": _set("notes.0.guid", ""),
    "note-mod-string": _set("notes.0.mod", "1700000000"),
    "note-mod-float": _set("notes.0.mod", 1.5),
    "note-mod-bool": _set("notes.0.mod", True),
    "note-present-string": _set("notes.0.present", "true"),
    "note-topics-string": _set("notes.0.topics", "过拟合"),
    "note-topics-numbers": _set("notes.0.topics", [1, 2]),
    "note-question-null": _set("notes.0.question", None),
    "note-key-missing": _delete("notes.0.key"),
    "notetype-list": _set("notetype", []),
    "notetype-id-string": _set("notetype.id", "1732801987"),
    "notetype-fields-string": _set("notetype.fields", "Question"),
    "notetype-mod-missing": _delete("notetype.mod"),
    "duplicated-guid": _edit(_same_guid),
    "duplicated-guid-line": _duplicate_line,
    # (Two notes with one key read: a merge of two branches leaves them so; see tests/test_lockfile.py.)
}


def _build_then_mangle(project: Path, run_cli: RunCli, mangle: Callable[[str], bytes]) -> Snapshot:
    build_good(project, run_cli)
    lock = project / LOCK
    lock.write_bytes(mangle(lock.read_text(encoding="utf-8")))
    return snapshot(project)


@pytest.mark.parametrize("mangle", LOCK_MANGLERS.values(), ids=LOCK_MANGLERS.keys())
@pytest.mark.parametrize("command", ["build", "list"])
def test_broken_lock_is_refused_and_kept(
    project: Path, run_cli: RunCli, mangle: Callable[[str], bytes], command: str
) -> None:
    """A corrupt, truncated or hand-mangled lock stops the command with one line naming the lock; the lock
    is never regenerated and the previous deck is untouched."""
    before = _build_then_mangle(project, run_cli, mangle)
    result = run_cli(command)
    line = assert_fails(result, LOCK)
    assert (
        "merge conflict" if b"<<<<<<<" in (project / LOCK).read_bytes() else "restore it from version control"
    ) in line
    assert snapshot(project) == before


def test_a_lock_with_one_key_to_two_notes_builds_and_says_so(project: Path, run_cli: RunCli) -> None:
    """Two notes with one key (a merge of two branches that each added the entry leaves them so) are no
    broken lock: the build names the note that gave up the key and writes a lock whose keys are unique."""
    build_good(project, run_cli)
    lock = project / LOCK
    lock.write_bytes(_edit(_same_key)(lock.read_text(encoding="utf-8")))
    result = run_cli("build")
    assert result.exit_code == 0 and "each had a key another note of the lock has too" in result.output
    keys = [note["key"] for note in json.loads(lock.read_text(encoding="utf-8"))["notes"]]
    assert len(keys) == len(set(keys))


def test_lock_that_is_a_folder_is_refused(project: Path, run_cli: RunCli) -> None:
    """A lock path that is a folder is refused by name; the previous deck is untouched."""
    build_good(project, run_cli)
    (project / LOCK).unlink()
    (project / LOCK).mkdir()
    before = snapshot(project)
    assert_fails(run_cli("build"), LOCK, "cannot read lock file")
    assert snapshot(project) == before


def test_deeply_nested_lock_is_refused(project: Path, run_cli: RunCli) -> None:
    """A lock of deeply nested JSON is a corrupt lock (one line naming it), not a RecursionError."""
    before = _build_then_mangle(project, run_cli, lambda text: b"[" * 100_000 + b"]" * 100_000)
    assert_fails(run_cli("build"), LOCK)
    assert snapshot(project) == before


@pytest.mark.parametrize("field", ["notes.0.mod", "notetype.mod"])
@pytest.mark.parametrize("value", [10**30, 2**62, -(10**30)], ids=["1e30", "2^62", "-1e30"])
def test_lock_with_out_of_range_mod_is_refused(
    project: Path, run_cli: RunCli, field: str, value: int
) -> None:
    """A mod time no deck can hold (beyond SQLite's 64-bit integers once made into ids, or not an i64 for
    Anki's importer) is an invalid lock naming the lock file, not an OverflowError or an unimportable deck."""
    before = _build_then_mangle(project, run_cli, _set(field, value))
    assert_fails(run_cli("build"), LOCK)
    assert snapshot(project) == before


def test_lock_with_edited_note_type_is_refused_naming_the_lock(project: Path, run_cli: RunCli) -> None:
    """A lock whose recorded note type was edited by hand stops the build with a message that names the
    lock file (the user must know which file to restore); nothing is written."""
    before = _build_then_mangle(project, run_cli, _set("notetype.fields", ["Front", "Back"]))
    result = run_cli("build")
    assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    assert LOCK in error_line(result)
    assert snapshot(project) == before


# --- the parse cache ------------------------------------------------------------------------------------

_MEMORY_LIMIT = 1 << 30
"""Address space for a CLI run over a damaged cache: a cache must not make qa2anki allocate gigabytes."""


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (_MEMORY_LIMIT, _MEMORY_LIMIT))


CACHE_DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "text": lambda data: b"not a cache at all\n",
    "flipped-bytes": lambda data: bytes(b ^ 0x5A if i % 7 == 3 else b for i, b in enumerate(data)),
    "huge-tuple": lambda data: b"(" + struct.pack("<i", 0x7FFFFFFF) + b"\x00" * 16,
    "huge-list": lambda data: b"[" + struct.pack("<i", 0x7FFFFFFF) + b"\x00" * 16,
}


@pytest.mark.parametrize("damage", CACHE_DAMAGE.values(), ids=CACHE_DAMAGE.keys())
def test_damaged_parse_cache_is_ignored(
    project: Path, run_cli: RunCli, damage: Callable[[bytes], bytes]
) -> None:
    """A damaged ``build/.qa2anki-cache`` is only a cache: check and build ignore it (no crash, no
    gigabyte allocation) and build the same deck."""
    # A real process with a 1 GiB address-space limit: a cache that asks for gigabytes fails the test,
    # not the machine.
    build_good(project, run_cli)
    expected = deck_notes(project)
    caches = [p for p in (project / "build").rglob("*") if p.is_file() and "cache" in p.as_posix()]
    assert caches, "no parse cache was written"
    for cache in caches:
        cache.write_bytes(damage(cache.read_bytes()))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "CI": "1"}
    for command in ("check", "build"):
        done = subprocess.run(
            [sys.executable, "-m", "qa2anki", command],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=_limited,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    assert deck_notes(project) == expected


# --- size ------------------------------------------------------------------------------------------------

_HANZI = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
)


def _hanzi(rng: random.Random, n: int, extra: str = "") -> str:
    return "".join(rng.choices(_HANZI + extra, k=n))


def _summary(result: Result) -> str:
    return result.stdout.splitlines()[-1]


def test_ten_megabyte_document(project: Path, run_cli: RunCli) -> None:
    """Size: a ~10 MB document of a few thousand long entries is checked and built in full."""
    rng = random.Random(1)
    parts: list[str] = []
    size = 0
    while size < 10_000_000:
        n = len(parts) + 1
        part = (
            f"### {n}. 主题{n}{_hanzi(rng, 4)}\n\n**面试题：** 第{n}题：{_hanzi(rng, 20)}？\n\n"
            f"**答案：** {_hanzi(rng, 400)}\n\n1. **要点**：{_hanzi(rng, 300)}\n2. {_hanzi(rng, 300)}\n\n"
        )
        parts.append(part)
        size += len(part.encode("utf-8"))
    (project / "source" / "big.md").write_text("".join(parts), encoding="utf-8")
    n = len(parts)
    build = run_cli("build", "--strict")
    assert build.exit_code == 0, build.output
    assert len(deck_notes(project)) == n
    check = run_cli("check", "--strict")  # from the sections the build cached
    assert check.exit_code == 0, check.output
    assert _summary(check) == f"1 document, {n} entries, {n} unique notes; 0 errors, 0 warnings"


def test_three_million_character_line(project: Path, run_cli: RunCli) -> None:
    """Size: an answer that is one 3-million-character line is checked and built, and nothing of it is
    lost."""
    rng = random.Random(2)
    line = _hanzi(rng, 3_000_000, extra=" ，。、abc ")
    text = f"### 1. 长行\n\n**面试题：** 很长的一行？\n\n**答案：** {line}\n"
    (project / "source" / "line.md").write_text(text, encoding="utf-8")
    build = run_cli("build", "--strict")
    assert build.exit_code == 0, build.output
    [fields] = deck_notes(project)
    assert fields[1] == f"<p>{line.strip()}</p>"
    check = run_cli("check", "--strict")  # from the section the build cached
    assert check.exit_code == 0, check.output


def test_twenty_thousand_entries_in_one_file(project: Path, run_cli: RunCli) -> None:
    """Size: 20,000 entries in one file (20 per heading) are built into 20,000 notes, and checked (from
    the sections the build cached: parsing them again would check nothing the build did not)."""
    rng = random.Random(3)
    parts: list[str] = []
    for i in range(20_000):
        if i % 20 == 0:
            parts.append(f"### {i // 20 + 1}. 主题{i // 20 + 1}\n\n")
        parts.append(f"**面试题：** 第{i}题：{_hanzi(rng, 15)}？\n\n**答案：** {_hanzi(rng, 40)}\n\n")
    (project / "source" / "many.md").write_text("".join(parts), encoding="utf-8")
    build = run_cli("build", "--strict")
    assert build.exit_code == 0, build.output
    assert len(deck_notes(project)) == 20_000
    check = run_cli("check", "--strict")
    assert check.exit_code == 0, check.output
    assert _summary(check) == "1 document, 20000 entries, 20000 unique notes; 0 errors, 0 warnings"
