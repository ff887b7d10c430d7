"""Images the cards show: find them beside the sources, name them by content, pack them.

An image referenced by a relative path is looked up from its document's folder and must stay inside the
source folder the document was found in: ``../`` escapes are refused and absolute paths left out (a deck
must not carry files from elsewhere on the author's disk). A packed file is named by a hash of its bytes
plus its extension, so two different ``image.png`` never collide and one file used twice is stored once.
Web images (``http``/``https``) are left as they are. A bare file name that is not beside its document is
looked for by name in the whole source folder, as Obsidian finds a pasted image in its attachments folder.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from qa2anki.errors import Problem, Severity
from qa2anki.i18n import gettext as _
from qa2anki.parse import Entry, web_image

_SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,8}$")
MAX_MEDIA_BYTES = 50 * 1024 * 1024
"""Larger files are refused: they would bloat every user's collection."""


@dataclass(frozen=True)
class MediaFile:
    """A file packed into the deck."""

    name: str
    """The name cards refer to it by."""
    data: bytes
    """Its bytes."""


@dataclass(frozen=True)
class Media:
    """The images of a build."""

    names: dict[tuple[str, str], str]
    """(entry path, ``src``) → the packed file's name."""
    files: dict[str, bytes]
    """Packed name → bytes."""
    problems: tuple[Problem, ...]
    """Refused, missing or unreadable images, with file and line."""
    sources: dict[str, ImageSource] = field(default_factory=dict)
    """Packed name → where an entry showed it (the first, when two files have the same bytes)."""


ImageSource = tuple[str, str, str]
"""Where an image is shown: the entry's path, its document's name in its source folder, the ``src``."""


def media_name(data: bytes, suffix: str) -> str:
    """A content-addressed file name: ``qa2anki-<hash><.ext>``."""
    clean = suffix.lower() if _SUFFIX_RE.match(suffix.lower()) else ""
    return f"qa2anki-{hashlib.sha256(data).hexdigest()[:20]}{clean}"


def collect_media(entries: Iterable[Entry], cwd: Path) -> Media:
    """Resolve, read and name every local image the given entries show."""
    names: dict[tuple[str, str], str] = {}
    files: dict[str, bytes] = {}
    sources: dict[str, ImageSource] = {}
    problems: list[Problem] = []
    for entry in entries:
        for src, line in entry.images:
            if (entry.path, src) in names or web_image(src):
                continue
            found = _image_file((entry.path, entry.document, src), cwd)
            if isinstance(found, tuple):
                severity, message = found
                problems.append(Problem(entry.path, line, severity, message))
            elif found is not None:
                try:
                    data = found.read_bytes()
                except OSError as exc:
                    problems.append(Problem(entry.path, line, Severity.ERROR, _cannot_read(src, exc)))
                    continue
                name = media_name(data, found.suffix)
                names[(entry.path, src)] = name
                files[name] = data
                sources.setdefault(name, (entry.path, entry.document, src))
    return Media(names, files, tuple(problems), sources)


def read_media(name: str, source: ImageSource, cwd: Path) -> MediaFile | None:
    """The packed file ``name`` found and read again as :func:`collect_media` did; ``None`` when it is
    refused, gone or unreadable now, or its bytes are no longer the ones the name was made from."""
    found = _image_file(source, cwd)
    if not isinstance(found, Path):
        return None
    try:
        data = found.read_bytes()
    except OSError:
        return None
    return MediaFile(name, data) if media_name(data, found.suffix) == name else None


def _cannot_read(src: str, reason: object) -> str:
    return _("image {src} cannot be read: {reason}").format(src=repr(src), reason=reason)


def _image_file(source: ImageSource, cwd: Path) -> Path | tuple[Severity, str] | None:
    """The image file, or why it is refused, or ``None`` when there is nothing to pack."""
    entry_path, document_name, src = source
    target = unquote(src).split("#", 1)[0].split("?", 1)[0]
    shown = repr(unquote(src))  # as written: the parser percent-encodes spaces and backslashes
    if not target:
        return None
    pure = PurePosixPath(target.replace("\\", "/"))
    if pure.is_absolute() or re.match(r"^[a-zA-Z]:", target):
        # Left out, not an error: Typora links every pasted screenshot so by default, and one of them
        # should not stop a deck. It is never read, so every machine builds the same deck.
        message = _(
            "image {src} is an absolute path and is left out of the deck; put the image beside the sources "
            "and link it relatively (Typora: Preferences › Image › copy images to ./assets)"
        )
        return Severity.WARNING, message.format(src=shown)
    document = cwd / entry_path
    path = (document.parent / pure).resolve()
    root = _source_root(document, document_name).resolve()
    if len(pure.parts) == 1 and path.is_relative_to(root) and not path.exists():
        # A bare name not beside its document: Obsidian keeps pasted images in an attachments folder and
        # finds them by name anywhere in the vault.
        named = _named(root, pure.name)
        if len(named) > 1:
            message = _("image {src} is not beside its document, and {count} source files have that name")
            return Severity.WARNING, message.format(src=shown, count=len(named))
        path = named[0].resolve() if named else path
    if not path.is_relative_to(root):
        if Path(os.path.normpath(document.parent / pure)).is_relative_to(
            _source_root(document, document_name)
        ):
            # Written inside, a link resolves outside: a cloned repository's link could pack any file.
            message = _(
                "image {src} is a link to a file outside the sources folder, which is refused; copy the "
                "image into the sources"
            )
        else:
            message = _("image {src} is outside the sources folder; '../' escapes are refused")
        return Severity.ERROR, message.format(src=shown)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return Severity.WARNING, _("image {src} not found").format(src=shown)
    except OSError as exc:
        return Severity.ERROR, _cannot_read(unquote(src), exc.strerror or exc)
    if not path.is_file():
        return Severity.ERROR, _("image {src} is not a file").format(src=shown)
    if size > MAX_MEDIA_BYTES:
        message = _("image {src} is larger than {size} MB")
        return Severity.ERROR, message.format(src=shown, size=MAX_MEDIA_BYTES // 2**20)
    return path


def _named(root: Path, name: str) -> list[Path]:
    """The files called ``name`` under ``root``, outside hidden folders (``.obsidian``, ``.git``), sorted."""
    try:
        found = root.rglob(glob.escape(name))
        return sorted(
            path
            for path in found
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts[:-1])
        )
    except OSError:
        return []


def _source_root(document: Path, name: str) -> Path:
    """The folder the document was found in: its path without its source-relative name."""
    root = document
    for _part in PurePosixPath(name).parts:
        root = root.parent
    return root
