"""Shared test helpers: a project folder in tmp_path, the CLI runner, the seed document."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qa2anki.apkg import DeckNote
from qa2anki.cli import cli
from tests.wheels import Installed, install, wheelhouse

REPO = Path(__file__).resolve().parent.parent
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
"""A 1×1 PNG image."""
SEED = REPO / "source" / "gpt-4-tech-highlights.md"


@pytest.fixture(autouse=True, scope="session")
def temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Temporary files in a folder of pytest's, which pytest clears, not in the machine's: every build
    leaves its lock guard there (see ``qa2anki.build.lock_guard``), one per project, and the suite makes
    thousands of projects. Child processes are told too (``TMPDIR``)."""
    folder = tmp_path_factory.mktemp("tmp")
    saved_env, saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved
        if saved_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved_env


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English, whatever the locale of the machine running it (tests of the Chinese
    messages set the language themselves)."""
    for name in ("QA2ANKI_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def seed_text() -> str:
    """The seed document's text."""
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, made the working folder, with a pinned clock."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    (tmp_path / "source").mkdir()
    return tmp_path


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``qa2anki ARGS`` in-process and return the result (exceptions are not swallowed silently)."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=True)

    return run


def read_apkg(path: Path) -> dict[str, DeckNote]:
    """The notes inside an ``.apkg`` (a zip holding the SQLite ``collection.anki2``), by GUID, in id order."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    with tempfile.TemporaryDirectory(prefix="qa2anki-test-") as tmp:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(data)
        connection = sqlite3.connect(db)
        try:
            rows = connection.execute("select guid, flds, tags, mod from notes order by id").fetchall()
        finally:
            connection.close()
    return {
        guid: DeckNote(guid, tuple(flds.split("\x1f")), tuple(sorted(tags.split())), mod)
        for guid, flds, tags, mod in rows
    }


def read_apkg_media(path: Path) -> dict[str, str]:
    """The ``media`` index of an ``.apkg``: zip entry → file name."""
    with zipfile.ZipFile(path) as archive:
        media: dict[str, str] = json.loads(archive.read("media"))
    return media


def genanki_loaded(commands: list[list[str]], cwd: Path) -> bool:
    """Whether running these ``qa2anki`` commands in a fresh interpreter loads genanki."""
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom qa2anki.cli import cli\n"
        f"for args in {commands!r}:\n"
        "    result = CliRunner().invoke(cli, args)\n"
        "    assert result.exit_code == 0, result.output\n"
        "print('genanki' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, check=True)
    return done.stdout.strip().splitlines()[-1] == "True"


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """qa2anki installed as a tool, offline: its wheel in a fresh venv (see tests/wheels.py)."""
    scratch = tmp_path_factory.mktemp("install")
    wheelhouse(scratch / "wheelhouse", scratch)
    return install(scratch / "venv", scratch / "wheelhouse")
