"""Errors and problems that carry the file and line they are about."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from qa2anki.i18n import gettext


class Qa2AnkiError(Exception):
    """A domain error: bad input, a broken lock, a schema change. Never a bug.

    The CLI prints ``str(error)`` on one line and exits non-zero; the traceback is never shown.
    """

    exit_code = 1

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return format_location(self.path, self.line, self.message)


class SourceError(Qa2AnkiError):
    """A source file cannot be found, read or decoded."""


class ConfigError(Qa2AnkiError):
    """``[tool.qa2anki]`` holds a value of the wrong kind."""

    key = ""
    """The setting at fault, when one is (its line is looked up for the message)."""


class LockError(Qa2AnkiError):
    """The lock file is corrupt, or the build would change it under ``--locked``."""


class SchemaError(Qa2AnkiError):
    """The build would change the published note type, which breaks every user's re-import."""


class ProblemsFound(Qa2AnkiError):
    """Errors (or, under ``--strict``, warnings) were found in the sources; nothing was written."""

    def __init__(self, message: str, problems: tuple[Problem, ...], found: tuple[Problem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems  # the problems that stopped it
        # Every problem found, those included: the warnings say why (that no document holds an entry is
        # the result of the warnings at the lines that were not read).
        self.found = found or problems


class Severity(StrEnum):
    """How bad a problem is: errors stop ``build``; warnings do only under ``--strict``; hints never do
    (``check`` shows them, for the user to decide: what it did not take, near misses, shapes it could not
    read)."""

    ERROR = "error"
    WARNING = "warning"
    HINT = "hint"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the sources, reported as ``file:line: severity: message``."""

    path: str
    """The source file, as the user named it."""
    line: int
    """1-based line of the construct the problem is about (0 when it is about the whole file)."""
    severity: Severity
    """Whether the rest can still be built."""
    message: str
    """One line, saying what is wrong and what to do."""

    def __str__(self) -> str:
        return format_location(self.path, self.line or None, f"{self.severity.value}: {self.message}")

    def shown(self) -> str:
        """The line a command prints: its severity in the language of the run."""
        return format_location(
            self.path, self.line or None, f"{gettext(self.severity.value)}: {self.message}"
        )


def format_location(path: str | None, line: int | None, message: str) -> str:
    """``path:line: message``, leaving out what is not known."""
    if path is None:
        return message
    if line is None:
        return f"{path}: {message}"
    return f"{path}:{line}: {message}"
