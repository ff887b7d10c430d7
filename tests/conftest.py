"""Shared test helpers: a project folder in tmp_path, the CLI runner, the seed document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qa2anki.cli import cli

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "source" / "gpt-4-tech-highlights.md"


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
