"""Finding the source documents and reading them as text (qa2anki.sources), below the CLI.

Whole-command behaviour (every encoding building the right cards, refused binaries and file names, line
numbers kept under CRLF) is in test_bad_input and test_genre; here are the module's own promises: the
order files are found in, the names they get, what decoding keeps and drops, and the errors it raises.
"""

from __future__ import annotations

import codecs
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa2anki.errors import Qa2AnkiError, SourceError
from qa2anki.parse import parse_document
from qa2anki.sources import (
    SourceFile,
    decode,
    display_path,
    find_sources,
    printable,
    read_document,
    read_documents,
)

TEXT = "### 1. 过拟合\n\n**面试题：** 什么是过拟合？\n\n**答案：** 训练集上好，测试集上差。\n"


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEXT, encoding="utf-8")


# --- finding ---------------------------------------------------------------------------------------------


def test_a_folder_gives_its_documents_sorted_by_relative_path(tmp_path: Path) -> None:
    """Every .md/.markdown/.mdx/.txt below a folder (any case of ending), in the order of their relative paths
    as ``/``-joined text, whatever order they were made in; other files are left out. The order decides
    the order of notes in the deck, so it must not depend on the file system."""
    _touch(
        tmp_path, "docs/b.md", "docs/a/z.markdown", "docs/a.md", "docs/a-b.txt", "docs/C.MD", "docs/go.mdx"
    )
    _touch(tmp_path, "docs/image.png", "docs/notes.rst", "docs/a/readme")
    found = find_sources(["docs"], tmp_path)
    assert [s.name for s in found] == ["C.MD", "a-b.txt", "a.md", "a/z.markdown", "b.md", "go.mdx"]
    assert [s.path for s in found] == [f"docs/{s.name}" for s in found]
    assert [s.file for s in found] == [tmp_path / "docs" / s.name for s in found]


def test_hidden_files_and_folders_below_a_source_folder_are_skipped(tmp_path: Path) -> None:
    """Dot-files and everything in dot-folders (an editor's backups, .git) are not sources."""
    _touch(
        tmp_path, "docs/a.md", "docs/.draft.md", "docs/.git/x.md", "docs/sub/.hidden/y.md", "docs/sub/z.md"
    )
    assert [s.name for s in find_sources(["docs"], tmp_path)] == ["a.md", "sub/z.md"]


def test_a_folder_of_only_hidden_documents_is_an_error(tmp_path: Path) -> None:
    """Hidden documents do not count: a folder holding nothing else is refused by name."""
    _touch(tmp_path, "docs/.draft.md")
    with pytest.raises(SourceError) as caught:
        find_sources(["docs"], tmp_path)
    assert caught.value.path == "docs"
    assert "no .md, .markdown, .mdx, .txt files" in caught.value.message


def test_a_named_file_is_read_whatever_its_ending(tmp_path: Path) -> None:
    """A file named on its own is taken as it is; its name is its base name, not the path given."""
    _touch(tmp_path, "notes/deep/interview.rst")
    (found,) = find_sources(["notes/deep/interview.rst"], tmp_path)
    assert found == SourceFile(
        file=tmp_path / "notes/deep/interview.rst", path="notes/deep/interview.rst", name="interview.rst"
    )


def test_sources_keep_the_order_given_and_each_file_is_read_once(tmp_path: Path) -> None:
    """Sources are expanded in the order named; a file named again (itself, or inside a folder named
    before) is read once, under its first name."""
    _touch(tmp_path, "b/one.md", "a/two.md", "a/three.md")
    found = find_sources(["b", "a", "b/one.md", "a/../a/two.md"], tmp_path)
    assert [(s.path, s.name) for s in found] == [
        ("b/one.md", "one.md"),
        ("a/three.md", "three.md"),
        ("a/two.md", "two.md"),
    ]


def test_a_missing_source_is_an_error_naming_it(tmp_path: Path) -> None:
    """A source that is not there is a Qa2AnkiError whose path is the name as the user sees it."""
    _touch(tmp_path, "docs/a.md")
    with pytest.raises(Qa2AnkiError) as caught:
        find_sources(["docs", "docs/missing.md"], tmp_path)
    assert isinstance(caught.value, SourceError)
    assert caught.value.path == "docs/missing.md"
    assert str(caught.value).startswith(f"docs/missing.md: no such file or folder (looked in {tmp_path})")


def test_a_missing_source_with_control_characters_is_named_printably(tmp_path: Path) -> None:
    """The name in the error is printable on one line: a newline or an escape code shows as ``\\x..``."""
    with pytest.raises(SourceError) as caught:
        find_sources(["bad\nname\x1b[2J.md"], tmp_path)
    assert caught.value.path == "bad\\x0aname\\x1b[2J.md"
    assert "\n" not in str(caught.value)


# --- display paths ---------------------------------------------------------------------------------------


def test_display_path_is_relative_below_the_working_folder(tmp_path: Path) -> None:
    """Below ``cwd`` a path is shown relative to it, with ``/``; ``cwd`` itself is ``.``."""
    assert display_path(tmp_path / "source" / "a.md", tmp_path) == "source/a.md"
    assert display_path(tmp_path / "source" / ".." / "b.md", tmp_path) == "b.md"
    assert display_path(tmp_path, tmp_path) == "."


def test_display_path_outside_the_working_folder_is_as_given(tmp_path: Path) -> None:
    """A path outside ``cwd`` is shown as it was given, not made relative with ``..``."""
    (tmp_path / "project").mkdir()
    outside = tmp_path / "elsewhere" / "a.md"
    assert display_path(outside, tmp_path / "project") == outside.as_posix()


def test_display_path_sees_through_symlinks(tmp_path: Path) -> None:
    """A working folder reached through a symlink still gives relative names (both sides are resolved)."""
    (tmp_path / "real" / "source").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert display_path(tmp_path / "real" / "source" / "a.md", tmp_path / "link") == "source/a.md"


def test_printable_escapes_controls_and_undecodable_bytes() -> None:
    """Control characters and the surrogates ``os.fsdecode`` makes of non-UTF-8 bytes are escaped;
    everything else, Chinese included, is kept."""
    assert printable("面试\t题\x1f\x7f\x85.md") == "面试\\x09题\\x1f\\x7f\\x85.md"
    assert printable(b"bad\xffname".decode("utf-8", "surrogateescape")) == "bad\\xffname"
    assert printable("plain 中文 name.md") == "plain 中文 name.md"


# --- decoding --------------------------------------------------------------------------------------------

# 𠮷 is four bytes in GB18030 and not in GBK.
_GB18030_TEXT = TEXT.replace("过拟合", "𠮷")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("gbk"), TEXT),
        (_GB18030_TEXT.encode("gb18030"), _GB18030_TEXT),
        (TEXT.encode("utf-16"), TEXT),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("utf-32"), TEXT),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16", "utf-16-be", "utf-32"],
)
def test_decode_gives_the_text_without_a_bom(data: bytes, text: str) -> None:
    """UTF-8 with or without BOM, GBK, GB18030, and UTF-16/32 with BOM decode to the same text."""
    assert decode(data, "a.md") == text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("a\r\nb\r\n", "a\nb\n"),
        ("a\rb\r", "a\nb\n"),
        ("a\r\r\nb\n\rc", "a\n\nb\n\nc"),
        ("\r\n\r\n", "\n\n"),
    ],
    ids=["crlf", "lone-cr", "mixed", "blank-lines"],
)
def test_newlines_fold_to_line_feeds(raw: str, text: str) -> None:
    """CRLF and lone CR become one ``\\n`` each (``\\r\\r\\n`` is two line breaks, as an editor shows it)."""
    assert decode(raw.encode("utf-8"), "a.md") == text
    assert decode(raw.encode("gbk"), "a.md") == text


def test_controls_are_dropped_but_tab_nbsp_and_a_later_bom_are_kept() -> None:
    """C0 and C1 controls (``\\x1f`` would split an Anki field) are dropped; tab stays, and so do the
    no-break space and a BOM that is not at the start (those are folded later, for duplicates only)."""
    data = "问\x01题\x1f：\x7f\x85\x9f答\t案\u00a0\u3000\ufeff。".encode()
    assert decode(data, "a.md") == "问题：答\t案\u00a0\u3000\ufeff。"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"abc\x00def", "contains NUL bytes"),
        (TEXT.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
        ("Größe und Weiß".encode("latin-1"), "not UTF-8 or GB18030/GBK"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "not UTF-8 or GB18030/GBK"),
        ("質問：これは何ですか？".encode("shift_jis"), "not UTF-8 or GB18030/GBK"),
    ],
    ids=["nul", "utf-16-without-bom", "latin-1", "bad-utf-8-after-bom", "shift-jis"],
)
def test_undecodable_data_is_an_error_naming_the_file(data: bytes, fragment: str) -> None:
    """What is not text in a known encoding is a SourceError that names the file and says what to do."""
    with pytest.raises(SourceError) as caught:
        decode(data, "docs/bad.md")
    assert caught.value.path == "docs/bad.md"
    assert fragment in caught.value.message
    assert "convert it to UTF-8" in caught.value.message


def test_a_stray_byte_is_reported_at_its_line() -> None:
    """One byte that is not UTF-8 in a long UTF-8 file: the error names its line, so it can be found."""
    data = "# 标题\n\n**面试题：** 什么？\n\n".encode() + b"caf\xe9 latte\n" + "**答案：** 这个。\n".encode()
    with pytest.raises(SourceError) as caught:
        decode(data, "docs/stray.md")
    assert caught.value.line == 5
    assert str(caught.value).startswith("docs/stray.md:5: ")


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.binary())
def test_any_bytes_decode_to_clean_text_or_a_source_error(data: bytes) -> None:
    """On any bytes, decode either gives text with only ``\\n`` newlines and no control character but
    tab, or raises a SourceError naming the file: never another exception."""
    try:
        text = decode(data, "x.md")
    except SourceError as error:
        assert error.path == "x.md"
        return
    assert "\r" not in text and not _CONTROL.search(text)


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_utf8_text_decodes_to_itself_folded(text: str) -> None:
    """Any UTF-8 text (without NUL) reads back as itself, its newlines folded, its controls and a leading
    BOM dropped: decoding loses nothing else."""
    expected = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    expected = re.sub("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", expected)
    assert decode(text.encode("utf-8"), "x.md") == expected


# --- reading ---------------------------------------------------------------------------------------------


def test_read_documents_decodes_every_document_in_order(tmp_path: Path) -> None:
    """read_documents gives each found file as a Document: display path, stable name, decoded text."""
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "b.md").write_bytes(TEXT.replace("\n", "\r\n").encode("gbk"))
    (tmp_path / "docs" / "sub" / "a.md").write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    documents = read_documents(["docs"], tmp_path)
    assert [(d.path, d.name, d.text) for d in documents] == [
        ("docs/b.md", "b.md", TEXT),
        ("docs/sub/a.md", "sub/a.md", TEXT),
    ]


def test_chat_tokens_are_removed_only_when_they_are_tokens(tmp_path: Path) -> None:
    """``<|assistant|>``-style tokens left by a chat model are dropped; other text with ``<|`` stays."""
    path = tmp_path / "a.md"
    path.write_text("答<|im_end|>案<|assistant|>：a <| b |> c <|with space|>", encoding="utf-8")
    document = read_document(SourceFile(file=path, path="a.md", name="a.md"))
    assert document.text == "答案：a <| b |> c <|with space|>"


def test_zero_width_spaces_are_removed_so_labels_after_them_are_read(tmp_path: Path) -> None:
    """A zero-width space (U+200B) copied from a blog before a label hid the entry; reading drops it."""
    path = tmp_path / "a.md"
    path.write_text("## 主题\n\n\u200b**面试题：** 问\u200b题？\n\n\u200b**答案：** 是。\n", encoding="utf-8")
    document = read_document(SourceFile(file=path, path="a.md", name="a.md"))
    assert "\u200b" not in document.text
    (entry,) = parse_document(document).entries
    assert (entry.question_md, entry.answer_md) == ("问题？", "是。")


def test_zero_width_joiners_inside_labels_are_removed_but_emoji_keep_theirs(tmp_path: Path) -> None:
    """A joiner, word joiner or stray byte-order mark inside a label (``**答\\u200d案：**``) hid it, and the
    label went onto the card; reading drops them beside Chinese, ASCII and Markdown. Between two emoji
    (a man and a laptop: a technologist) or letters of another script a joiner means something and stays."""
    path = tmp_path / "a.md"
    answer = "垃圾回收 \U0001f468\u200d\U0001f4bb \u0915\u094d\u200d\u0937。"
    text = f"## 主题\n\n**面\u200d试题：**\u2060 什么是GC？\n\n**答\u200c案：**\ufeff {answer}\n"
    path.write_text(text, encoding="utf-8")
    document = read_document(SourceFile(file=path, path="a.md", name="a.md"))
    (entry,) = parse_document(document).entries
    assert (entry.question_md, entry.answer_md) == ("什么是GC？", answer)


def test_a_broken_link_in_a_source_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    """A link named ``x.md`` whose file was moved away is not skipped without a word."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "x.md").symlink_to(tmp_path / "gone.md")
    with pytest.raises(SourceError) as raised:
        read_documents(["docs"], tmp_path)
    assert raised.value.path == "docs/x.md" and "cannot read" in str(raised.value)


def test_a_link_that_leads_in_a_loop_is_an_error_naming_it(tmp_path: Path) -> None:
    """A link to itself (``ln -s self.md self.md``) is a SourceError naming it, not a RuntimeError."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "self.md").symlink_to("self.md")
    with pytest.raises(SourceError) as raised:
        read_documents(["docs"], tmp_path)
    assert raised.value.path == "docs/self.md" and "loop" in str(raised.value)


def test_a_linked_folder_is_read_and_a_link_back_up_once(tmp_path: Path) -> None:
    """A folder linked into the sources is read like one of its own (it was skipped without a word); a
    link back to a folder above it stops there, so no file is found twice."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "docs" / "a.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "shared" / "b.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "shared").symlink_to(tmp_path / "shared")
    (tmp_path / "shared" / "up").symlink_to(tmp_path / "docs")
    names = [source.name for source in find_sources(["docs"], tmp_path)]
    assert names == ["a.md", "shared/b.md"]


def test_a_folder_that_cannot_be_read_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder the system refuses to list (``chmod 000``) is a SourceError naming it: skipping it dropped
    the notes of its documents as removed."""
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "docs" / "sub" / "b.md").write_text(TEXT, encoding="utf-8")
    scandir = os.scandir

    def refusing(path: Any) -> Any:
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(SourceError) as raised:
        find_sources(["docs"], tmp_path)
    assert raised.value.path == "docs/sub" and "Permission denied" in str(raised.value)


def test_a_file_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path) -> None:
    """An operating-system error while reading (here: the file became a folder) is a SourceError naming
    the file by its display path, with the system's reason."""
    (tmp_path / "a.md").mkdir()
    with pytest.raises(SourceError) as caught:
        read_document(SourceFile(file=tmp_path / "a.md", path="docs/a.md", name="a.md"))
    assert caught.value.path == "docs/a.md"
    assert caught.value.message.startswith("cannot read: ")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file to write each generated example to (hypothesis does not mix with function-scoped fixtures)."""
    return tmp_path_factory.mktemp("sources") / "doc.md"


@settings(max_examples=50, deadline=None, derandomize=True)
@given(data=st.binary())
def test_reading_any_file_raises_nothing_but_a_qa2anki_error(scratch: Path, data: bytes) -> None:
    """Reading any bytes from a file gives a Document or a Qa2AnkiError naming the file, nothing else."""
    scratch.write_bytes(data)
    source = SourceFile(file=scratch, path="source/doc.md", name="doc.md")
    try:
        document = read_document(source)
    except Qa2AnkiError as error:
        assert error.path == "source/doc.md"
        return
    assert document.name == "doc.md" and "\r" not in document.text
