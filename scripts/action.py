"""The build step of qa2anki's GitHub Action (action.yml at the repository root).

Run it with the Python that has qa2anki installed, in the folder to build from (GitHub runs it in the
workspace). It reads the Action's inputs from the environment, as action.yml passes them:

* ``INPUT_SOURCES``: files or folders, separated by spaces or new lines (quote a path with spaces as in a
  shell); empty: ``[tool.qa2anki] sources``, or ``source/``.
* ``INPUT_DECK_NAME``: the deck name for a repository without ``[tool.qa2anki]``: it is written into
  ``pyproject.toml`` (created, or a table appended) before the build. With ``[tool.qa2anki]``, it must
  equal its ``deck_name``: the deck name belongs in one place.
* ``INPUT_LOCKED``: ``true`` fails the build when the lock would change.

It runs ``qa2anki build`` and appends ``deck=<the .apkg, relative to the folder>`` to ``$GITHUB_OUTPUT``
(printed when that is not set). Exit status: qa2anki's, or 1 for a bad input.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from qa2anki.config import config_file, find_project, load_config
from qa2anki.errors import Qa2AnkiError
from qa2anki.scaffold import deck_name_problem, toml_string


class InputError(Exception):
    """An input the Action cannot use; the message says which and why."""


def flag(name: str, value: str) -> bool:
    """A boolean input: GitHub passes ``true`` or ``false``."""
    folded = value.strip().lower()
    if folded in ("true", "false", ""):
        return folded == "true"
    raise InputError(f"{name} must be true or false, not {value!r}")


def settle_deck_name(folder: Path, deck_name: str) -> str | None:
    """Make the project in ``folder`` build the deck ``deck_name``; returns what was done, if anything."""
    problem = deck_name_problem(deck_name)
    if problem:
        raise InputError(f"deck-name: {problem}")
    root = find_project(folder)
    found = config_file(root)
    if found is not None:
        configured = load_config(root).deck_name
        if configured != deck_name.strip():
            raise InputError(
                f"deck-name is {deck_name.strip()!r} but {found} says deck_name = {configured!r}: "
                "keep the name in one place (drop the input, or change pyproject.toml)"
            )
        return None
    pyproject = folder / "pyproject.toml"
    table = f"[tool.qa2anki]\ndeck_name = {toml_string(deck_name.strip())}\n"
    if pyproject.exists():
        text = pyproject.read_text(encoding="utf-8")
        separator = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        pyproject.write_text(text + separator + table, encoding="utf-8")
        return f"appended [tool.qa2anki] with deck_name to {pyproject.name}"
    pyproject.write_text(table, encoding="utf-8")
    return f"wrote {pyproject.name} with [tool.qa2anki] deck_name"


def deck_path(folder: Path) -> Path:
    """The ``.apkg`` ``qa2anki build`` (without ``-o``) writes, run in ``folder``."""
    root = find_project(folder)
    return root / load_config(root).default_output


def run(environ: Mapping[str, str], folder: Path) -> int:
    """The Action's build step in ``folder`` with the inputs in ``environ``; returns the exit status."""
    try:
        sources = shlex.split(environ.get("INPUT_SOURCES", ""))
        locked = flag("locked", environ.get("INPUT_LOCKED", ""))
        deck_name = environ.get("INPUT_DECK_NAME", "")
        if deck_name.strip():
            done = settle_deck_name(folder, deck_name)
            if done:
                print(f"qa2anki action: {done}", flush=True)
    except (InputError, ValueError, Qa2AnkiError) as exc:  # shlex: ValueError for an open quote
        print(f"::error::qa2anki action: {exc}", flush=True)
        return 1
    command = [sys.executable, "-m", "qa2anki", "build", *(["--locked"] if locked else []), "--", *sources]
    print("qa2anki action: " + shlex.join(["qa2anki", *command[3:]]), flush=True)
    status = subprocess.run(command, cwd=folder, check=False).returncode
    if status != 0:
        return status
    deck = Path(os.path.relpath(deck_path(folder), folder)).as_posix()
    line = f"deck={deck}\n"
    output = environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as stream:
            stream.write(line)
    else:
        print(line, end="")
    return 0


if __name__ == "__main__":
    sys.exit(run(os.environ, Path.cwd()))
