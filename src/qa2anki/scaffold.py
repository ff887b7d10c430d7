"""``qa2anki init``: a new deck project — its settings, an example document, a ``.gitignore``, a GitHub
workflow and a README — made from the templates in ``qa2anki/templates/``.

:func:`project_files` is pure (deck name in, file texts out); :func:`scaffold` writes them, and writes
nothing at all when any of them is already there.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from qa2anki import __version__
from qa2anki.config import DEFAULT_DECK_NAME, config_file, deck_name_problem, slugify
from qa2anki.errors import Qa2AnkiError
from qa2anki.i18n import gettext as _
from qa2anki.i18n import language

REPOSITORY = "qa2anki/qa2anki"
"""qa2anki's GitHub repository (owner/name): the install URL in the README and the Action that new
projects' workflows use. The README's quick start must name the same one (a test checks)."""

ACTION = f"{REPOSITORY}@v{__version__}"
"""The Action a new project's workflow uses: the release of the qa2anki that made the project."""


@dataclass(frozen=True)
class ProjectFile:
    """One file ``init`` writes."""

    path: str
    """Where it goes, relative to the project folder, with ``/`` between parts."""
    template: str
    """Its template's name in ``qa2anki/templates/``."""


PROJECT_FILES = (
    ProjectFile("pyproject.toml", "pyproject.toml.in"),
    ProjectFile(".gitignore", "gitignore.in"),
    ProjectFile("README.md", "README.md.in"),
    ProjectFile("source/example.md", "example.md.in"),
    ProjectFile(".github/workflows/deck.yml", "deck.yml.in"),
)
"""Every file of a new project, in the order they are written and reported."""

_PLACEHOLDER = re.compile(r"@[A-Z_]+@")


def _localised(template: str, lang: str) -> str:
    """A template's name in another language (``README.md.in`` → ``README.zh.md.in``); itself in English."""
    if lang == "en":
        return template
    stem, _dot, suffix = template.partition(".")
    return f"{stem}.{lang}.{suffix}"


@dataclass(frozen=True)
class Scaffolded:
    """What :func:`scaffold` wrote."""

    folder: Path
    """The project folder."""
    files: tuple[str, ...]
    """The files written, relative to the folder, in :data:`PROJECT_FILES` order."""


def default_deck_name(folder: Path) -> str:
    """The deck name ``init`` offers: the project folder's name."""
    name = folder.resolve().name
    return name if deck_name_problem(name) is None else DEFAULT_DECK_NAME


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    escaped = []
    for char in text:
        if char in ('"', "\\"):
            escaped.append("\\" + char)
        elif unicodedata.category(char) == "Cc":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def project_files(deck_name: str) -> dict[str, str]:
    """The text of every file of a new project for the deck ``deck_name``, by relative path."""
    name = deck_name.strip()
    values = {
        "@REPOSITORY@": REPOSITORY,
        "@ACTION@": ACTION,
        "@DECK_NAME@": name,
        "@DECK_NAME_TOML@": toml_string(name),
        "@DECK_FILE@": f"{slugify(name)}.apkg",
    }
    templates = resources.files("qa2anki") / "templates"
    files = {}
    for item in PROJECT_FILES:
        # A Chinese run writes the files people read (README, settings) in Chinese, where there is one.
        localised = templates / _localised(item.template, language())
        template = localised if localised.is_file() else templates / item.template
        text = template.read_text(encoding="utf-8")
        files[item.path] = _PLACEHOLDER.sub(lambda match: values[match.group()], text)
    return files


def scaffold(folder: Path, deck_name: str) -> Scaffolded:
    """Write a new project for ``deck_name`` into ``folder`` (made if missing; relative to the current
    folder if relative). When any of its files, or
    a file where one of its folders goes, is already there, nothing is written and the error names them."""
    problem = deck_name_problem(deck_name)
    if problem:
        raise Qa2AnkiError(problem)
    if folder.exists() and not folder.is_dir():
        raise Qa2AnkiError(_("already there, and not a folder"), _display(folder))
    files = project_files(deck_name)
    in_the_way = sorted({blocker for path in files if (blocker := _in_the_way(folder, path))})
    if in_the_way:
        shown = ", ".join(_display(folder / path) for path in in_the_way)
        message = _("already there, not overwritten: {paths}; nothing was written").format(paths=shown)
        if "pyproject.toml" in in_the_way and config_file(folder) is None:
            # (a Python project's own pyproject.toml: the settings go into it by hand)
            message += _(
                "; to make this folder a qa2anki project, add a [tool.qa2anki] table with deck_name to its "
                "pyproject.toml and put your documents in source/"
            )
        raise Qa2AnkiError(message)
    made_folders: list[Path] = []
    written: list[Path] = []
    try:
        for path, text in files.items():
            target = folder / path
            for parent in reversed([target.parent, *target.parent.parents]):
                if not parent.exists():
                    parent.mkdir()
                    made_folders.append(parent)
            # "x": a file that appeared since the check above is still not overwritten.
            with open(target, "xb") as stream:
                written.append(target)
                stream.write(text.encode("utf-8"))
    except OSError as exc:
        for done in reversed(written):
            done.unlink(missing_ok=True)
        for made in reversed(made_folders):
            with contextlib.suppress(OSError):  # not empty: something else wrote there
                made.rmdir()
        where = _display(Path(exc.filename)) if exc.filename else _display(folder)
        reason = exc.strerror or str(exc)
        raise Qa2AnkiError(_("cannot write the new project: {reason}").format(reason=reason), where) from None
    return Scaffolded(folder, tuple(files))


def _in_the_way(folder: Path, path: str) -> str | None:
    """The first part of ``path`` (from the top) that is already there where a folder or the file itself
    would be written."""
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        candidate = "/".join(parts[:depth])
        target = folder / candidate
        is_file = depth == len(parts)
        if (is_file and os.path.lexists(target)) or (not is_file and target.exists() and not target.is_dir()):
            return candidate
    return None


def _display(path: Path) -> str:
    """A path as the caller gave it (the command line passes the folder as the user typed it)."""
    return str(path)
