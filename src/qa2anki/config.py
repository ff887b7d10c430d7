"""``[tool.qa2anki]`` in the project's ``pyproject.toml``: the deck's name and id and the tuning knobs."""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from qa2anki.errors import ConfigError
from qa2anki.i18n import gettext as _
from qa2anki.i18n import ngettext

DEFAULT_DECK_NAME = "qa2anki"


def default_deck_id(deck_name: str) -> int:
    """A stable id derived from the deck name (Anki matches decks by name; the id only has to be fixed)."""
    digest = hashlib.sha256(f"qa2anki-deck\x1f{deck_name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def slugify(text: str) -> str:
    """A file-name-safe form of the deck name: letters (any script) and digits joined by ``-``."""
    folded = unicodedata.normalize("NFKC", text).lower()
    slug = re.sub(r"[^\w]+|_+", "-", folded).strip("-")
    return slug or "deck"


@dataclass(frozen=True)
class Config:
    """Settings of one project, read from ``[tool.qa2anki]``; every key is optional."""

    deck_name: str = DEFAULT_DECK_NAME
    """The Anki deck the notes go into. Anki matches decks by name: renaming it makes a new, empty deck."""
    deck_id: int | None = None
    """The deck's id inside the ``.apkg``; derived from ``deck_name`` when not set."""
    sources: tuple[str, ...] = ("source",)
    """Files or folders read when the command line names none."""
    output: str | None = None
    """Where ``build`` writes the deck; ``build/<slug of deck_name>.apkg`` when not set."""
    near_duplicate_question: float = 0.85
    """Two entries of one topic whose questions are at least this similar (0–1) are one note."""
    near_duplicate_answer: float = 0.65
    """Two entries of one topic whose answers are at least this similar (0–1) are one note; a merged entry
    whose answer is less similar than this to the surviving one is a conflict, and its answer is kept."""
    reidentify_threshold: float = 0.6
    """A new note is the same as a vanished one when their combined similarity reaches this (0–1)."""
    reidentify_margin: float = 0.1
    """…and beats the runner-up by at least this much; otherwise the match is ambiguous and reported."""
    question_labels: tuple[str, ...] = ()
    """Extra words that open a question (besides 面试题, 问题, 题目, 问, Q)."""
    answer_labels: tuple[str, ...] = ()
    """Extra words that open an answer (besides 答案, 答, 解答, 回答, 参考答案, 答案解析, 解析, …)."""
    heading_questions: bool = True
    """Whether a heading that ends with a question mark is itself a question."""

    @property
    def resolved_deck_id(self) -> int:
        """The deck id to write."""
        return self.deck_id if self.deck_id is not None else default_deck_id(self.deck_name)

    @property
    def default_output(self) -> str:
        """``output`` or ``build/<slug>.apkg``."""
        return self.output or f"build/{slugify(self.deck_name)}.apkg"


_FLOAT_KEYS = {
    "near_duplicate_question",
    "near_duplicate_answer",
    "reidentify_threshold",
    "reidentify_margin",
}


def find_project(start: Path) -> Path:
    """The project folder: the nearest folder, from ``start`` up, whose ``pyproject.toml`` has a
    ``[tool.qa2anki]`` table (as ruff and pytest find theirs); ``start`` when there is none. Relative
    paths in the settings, and the default sources, deck and lock, are taken from there."""
    for folder in (start, *start.parents):
        if config_file(folder) is not None:
            return folder
    return start


def config_file(folder: Path) -> Path | None:
    """``folder/pyproject.toml`` when it has a ``[tool.qa2anki]`` table (a file that cannot be read counts
    when it names qa2anki, so that :func:`load_config` reports what is wrong with it)."""
    pyproject = folder / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return pyproject if "qa2anki" in tomllib.loads(text).get("tool", {}) else None
    except tomllib.TOMLDecodeError:
        return pyproject if "qa2anki" in text else None


def load_config(project_dir: Path) -> Config:
    """Read ``[tool.qa2anki]`` from ``project_dir/pyproject.toml``; defaults when there is none."""
    pyproject = project_dir / "pyproject.toml"
    if not pyproject.is_file():
        return Config()
    display = str(pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8-sig"))  # (Notepad saves a BOM)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(_("cannot read pyproject.toml: {reason}").format(reason=exc), display) from None
    table = data.get("tool", {}).get("qa2anki", {})
    if not isinstance(table, dict):
        raise ConfigError(_("[tool.qa2anki] must be a table"), display)
    try:
        return config_from_table(table, display)
    except ConfigError as error:
        if error.key and (line := setting_line(project_dir, error.key)):
            error.line = line  # (where to look: the file's line of the setting)
        raise


def setting_line(project_dir: Path, key: str) -> int:
    """The line of ``key = …`` in ``[tool.qa2anki]`` of ``project_dir/pyproject.toml`` (1-based), for
    messages about a setting; 0 when it is not written there (a default, or the file unreadable)."""
    try:
        lines = (project_dir / "pyproject.toml").read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    table = ""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped
        elif table == "[tool.qa2anki]" and stripped.partition("=")[0].strip() == key:
            return number
    return 0


def deck_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a deck name, or ``None`` when it can (``init`` asks, the settings are
    checked so too: a control character went into the deck and onto the terminal, an empty part between
    ``::`` made a nameless sub-deck)."""
    if not name.strip():
        return _("the deck name is empty")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        return _("the deck name holds a control character")
    if any(not part.strip() for part in name.strip().split("::")):
        return _("a part of the deck name between '::' is empty")
    return None


def _refused(key: str, message: str, display: str) -> ConfigError:
    error = ConfigError(message, display)
    error.key = key
    return error


def config_from_table(table: dict[str, Any], display: str = "pyproject.toml") -> Config:
    """Validate a ``[tool.qa2anki]`` table into a :class:`Config`."""
    known = {f.name for f in fields(Config)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            ngettext(
                "unknown key in [tool.qa2anki]: {keys}",
                "unknown keys in [tool.qa2anki]: {keys}",
                len(unknown),
            ).format(keys=", ".join(unknown)),
            display,
        )
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in ("deck_name", "output"):
            if not isinstance(value, str) or not value.strip():
                raise _refused(
                    key, _("[tool.qa2anki] {key} must be a non-empty string").format(key=key), display
                )
            if key == "deck_name" and (problem := deck_name_problem(value)):
                refused = _("[tool.qa2anki] deck_name is refused: {problem}")
                raise _refused(key, refused.format(problem=problem), display)
            values[key] = value.strip()
        elif key == "deck_id":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 1 << 63:
                raise _refused(key, _("[tool.qa2anki] deck_id must be a positive integer"), display)
            values[key] = value
        elif key == "sources":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                raise _refused(key, _("[tool.qa2anki] sources must be a list of paths"), display)
            values[key] = tuple(value)
        elif key in ("question_labels", "answer_labels"):
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.strip() and not any(c.isspace() for c in v.strip()) for v in value
            ):
                message = _("[tool.qa2anki] {key} must be a list of words (no spaces)")
                raise _refused(key, message.format(key=key), display)
            values[key] = tuple(v.strip() for v in value)
        elif key == "heading_questions":
            if not isinstance(value, bool):
                raise _refused(key, _("[tool.qa2anki] heading_questions must be true or false"), display)
            values[key] = value
        elif key in _FLOAT_KEYS:
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                message = _("[tool.qa2anki] {key} must be a number from 0 to 1")
                raise _refused(key, message.format(key=key), display)
            values[key] = float(value)
    return Config(**values)
