"""Find the source documents and read them as text: decoding and newline folding live here."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from qa2anki.errors import SourceError
from qa2anki.i18n import gettext as _

_CHAT_TOKEN_RE = re.compile(r"<\|[A-Za-z0-9_.:-]{1,40}\|>")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
"""Zero-width characters (space, non-joiner, joiner, word joiner, a byte-order mark inside the text)."""
_NEAR_CJK_OR_ASCII = "\x00-\x7f\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_INVISIBLE_RE = re.compile(
    f"[\u200b\u2060\ufeff]|(?<=[{_NEAR_CJK_OR_ASCII}])[\u200c\u200d]|[\u200c\u200d](?=[{_NEAR_CJK_OR_ASCII}])"
)
"""The zero-width characters reading drops: all but a joiner or non-joiner between two characters of
another script or two emoji (a man and a laptop: a technologist), where it means something. Beside
Chinese, ASCII or Markdown it shows nothing and would only hide a label (``**答\u200d案：**``) or part a
duplicate from its copy."""

SOURCE_SUFFIXES = (".md", ".markdown", ".mdx", ".txt")
"""File endings read from a source folder (a file named on the command line is read whatever its ending)."""


@dataclass(frozen=True)
class Document:
    """One source file, decoded."""

    path: str
    """The file as the user sees it (relative to the working folder where possible), for messages."""
    name: str
    """The file relative to the folder it was found in; stable wherever the project is checked out.
    Used in card fields and tags, never a line number."""
    text: str
    """The decoded text with ``\\n`` newlines and no BOM."""


@dataclass(frozen=True)
class SourceFile:
    """A file to read: where it is and how it is named."""

    file: Path
    """The file on disk."""
    path: str
    """Display path for messages."""
    name: str
    """Name relative to its source root (see :attr:`Document.name`)."""


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` when it is below it, else as given; always with ``/``. Links are seen
    through, but for a link itself: it keeps its own name (even a broken one)."""
    shown = path.parent.resolve() / path.name if path.is_symlink() else path.resolve()
    try:
        return shown.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def find_sources(sources: Iterable[str], cwd: Path, roots: Sequence[str] = ()) -> list[SourceFile]:
    """Expand files and folders into the source files they name, in a stable order.

    A folder contributes every ``.md``/``.markdown``/``.mdx``/``.txt`` file (or broken link) below it, hidden
    entries skipped, sorted by relative path; a file is taken as it is. The same file named twice is read
    once. A file inside one of the ``roots`` folders (the project's configured sources) is named from
    that folder, as a build of all of them names it: ``build source/sub/go.md`` keeps ``sub/go.md``.
    """
    folders = [cwd / root for root in roots if (cwd / root).is_dir()]
    found: list[SourceFile] = []
    seen: set[Path] = set()
    for source in sources:
        root = cwd / source
        if root.is_dir():
            files = sorted(
                (
                    p
                    for p in _below(root, cwd)
                    if p.suffix.lower() in SOURCE_SUFFIXES
                    # A broken link is taken too: reading it says so, where skipping it would not.
                    and (p.is_file() or (p.is_symlink() and not p.exists()))
                ),
                key=lambda p: p.relative_to(root).as_posix(),
            )
            if not files:
                raise SourceError(
                    _("no {suffixes} files in this folder").format(suffixes=", ".join(SOURCE_SUFFIXES)),
                    printable(display_path(root, cwd)),
                )
            pairs = [(p, p.relative_to(root).as_posix()) for p in files]
        elif root.is_file():
            pairs = [(root, root.name)]
        else:
            raise SourceError(
                _(
                    "no such file or folder (looked in {folder}): put your documents there, name them on "
                    "the command line, or set sources in [tool.qa2anki] of the project's pyproject.toml"
                ).format(folder=printable(str(cwd))),
                printable(display_path(root, cwd)),
            )
        for file, name in pairs:
            name = next((file.relative_to(f).as_posix() for f in folders if file.is_relative_to(f)), name)
            _check_name(name, display_path(file, cwd))
            try:
                key = file.resolve()
            except (RuntimeError, OSError):  # (a symbolic link that leads back to itself)
                raise SourceError(
                    _("a symbolic link that leads in a loop: point it at a file, or remove it"),
                    printable(display_path(file, cwd)),
                ) from None
            if key not in seen:
                seen.add(key)
                found.append(SourceFile(file=file, path=display_path(file, cwd), name=name))
    return found


def _below(root: Path, cwd: Path) -> Iterator[Path]:
    """Every entry that is not a folder below ``root``, hidden ones and those in hidden folders left out.
    Linked folders are followed (each real folder once: a link back up stops there); a folder that cannot
    be read is a :class:`SourceError` naming it (skipping it dropped its documents' notes)."""

    def refuse(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        raise SourceError(
            _("cannot read this folder: {reason}").format(reason=error.strerror or error),
            printable(display_path(where, cwd)),
        )

    visited = {os.path.realpath(root)}
    for folder, folders, names in os.walk(root, onerror=refuse, followlinks=True):
        kept = []
        for name in sorted(folders):
            real = os.path.realpath(os.path.join(folder, name))
            if not name.startswith(".") and real not in visited:
                visited.add(real)
                kept.append(name)
        folders[:] = kept
        yield from (Path(folder, name) for name in names if not name.startswith("."))


def printable(text: str) -> str:
    """``text`` safe for a one-line message: bytes that are not UTF-8 (``os.fsdecode``'s surrogates) as
    ``\\xff``, control characters as ``\\x1f``."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _ALL_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _check_name(name: str, path: str) -> None:
    """Refuse a file whose name is not UTF-8 or holds control characters.

    The name goes into card fields, tags and the lock: undecodable bytes cannot be stored there at all,
    and a ``\\x1f`` would split an Anki field.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise SourceError(
            _("the file name is not UTF-8; rename the file (its name goes on the cards)"), printable(path)
        ) from None
    if _ALL_CONTROLS.search(name):
        raise SourceError(
            _(
                "the file name holds control characters (tab, newline, …); rename the file "
                "(its name goes on the cards)"
            ),
            printable(path),
        )


def read_document(source: SourceFile) -> Document:
    """Read and decode one source file."""
    try:
        data = source.file.read_bytes()
    except OSError as exc:
        raise SourceError(
            _("cannot read: {reason}").format(reason=exc.strerror or exc), source.path
        ) from None
    # Chat-model control tokens (<|assistant|>, <|im_end|>) left in generated posts are not content.
    text = decode(data, source.path)
    if "<|" in text:  # a search for two characters costs far less than the pattern's over a large file
        text = _CHAT_TOKEN_RE.sub("", text)
    # Zero-width characters, left by copying from blogs and by generators, show nothing; one in or
    # before a label would hide it.
    if any(character in text for character in _INVISIBLE):
        text = _INVISIBLE_RE.sub("", text)
    return Document(path=source.path, name=source.name, text=text)


def read_documents(sources: Iterable[str], cwd: Path) -> list[Document]:
    """Find and read every source document."""
    return [read_document(s) for s in find_sources(sources, cwd)]


_KEPT_CONTROLS = frozenset("\t\n\r")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ALL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with BOM, or GB18030/GBK; fold newlines to ``\\n``.

    Anything else is refused with a message that names the file and says to convert it to UTF-8:
    a wrong guess would put mojibake on the user's cards. Control characters other than tab and
    newline are dropped (``\\x1f`` would split an Anki field).
    """
    text: str | None
    if data.startswith(codecs.BOM_UTF8):
        text = strict_decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
        text = strict_decode(data, "utf-32")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = strict_decode(data, "utf-16")
    elif b"\x00" in data:
        raise SourceError(
            _(
                "binary file, or UTF-16 without a byte-order mark (it contains NUL bytes); "
                "convert it to UTF-8 text"
            ),
            path,
        )
    else:
        text = strict_decode(data, "utf-8")
        if text is None:
            # GB18030 accepts many byte strings; only take it when the result looks like text.
            text = strict_decode(data, "gb18030")
            if text is not None and not _plausible_text(text):
                text = None
    if text is None:
        raise SourceError(
            _("not UTF-8 or GB18030/GBK text (or a binary file); convert it to UTF-8"), path, _bad_line(data)
        )
    if "\r" in text:  # a search costs far less than two copies of a large document
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def _bad_line(data: bytes) -> int | None:
    """The line of the first byte that is not UTF-8: one stray byte in a long file can be found."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return None


def strict_decode(data: bytes, encoding: str) -> str | None:
    """``data`` decoded, or ``None`` where it is not text in ``encoding``."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _plausible_text(text: str) -> bool:
    """Whether GB18030-decoded text looks like Chinese rather than a wrong decoding.

    False for control, private-use or unassigned code points, and when most non-ASCII characters are
    rare: Chinese text is nearly all GB2312 punctuation and level-1 hanzi (the 3,755 most frequent), while
    Latin-1 (``Größe`` → ``Gr鲞e``) or Shift-JIS read as GB18030 gives rare characters.
    """
    counts = Counter(text)
    common = rare = 0
    for ch, count in counts.items():
        if ch < "\x80":
            if ch not in _KEPT_CONTROLS and unicodedata.category(ch) == "Cc":
                return False
            continue
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs"):
            return False
        if _common_chinese(ch):
            common += count
        else:
            rare += count
    return common >= rare


def _common_chinese(ch: str) -> bool:
    """GB2312 rows 1–9 (punctuation, symbols, full-width forms) or level-1 hanzi (rows 16–55)."""
    try:
        lead = ch.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return 0xA1 <= lead <= 0xA9 or 0xB0 <= lead <= 0xD7
