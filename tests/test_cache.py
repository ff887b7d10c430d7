"""The cache layer: keys hold a fingerprint of the code, so a warm build equals a cold one after any change
to the code, made the way a contributor makes it (an edited copy of the package, run as a user runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import qa2anki
from qa2anki import cache
from tests.conftest import REPO

PACKAGE = Path(qa2anki.__file__).resolve().parent
EPOCH = "1700000000"


def _project(folder: Path) -> Path:
    """A copy of this repository's seed deck: its settings, its document and its lock."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", folder / "pyproject.toml")
    shutil.copytree(REPO / "source", folder / "source")
    return folder


def _build(project: Path, package_root: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m qa2anki build ARGS`` in ``project``, with the package found under ``package_root`` (an
    edited copy) instead of the installed one."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("PYTHONPATH", None)
    if package_root is not None:
        env["PYTHONPATH"] = str(package_root)
    code = "import sys, qa2anki.cli as c; print(c.__file__, file=sys.stderr); c.main()"
    return subprocess.run(
        [sys.executable, "-c", code, "build", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _edited_package(root: Path, edit: Callable[[str], str]) -> Path:
    """A copy of the package under ``root`` whose one file that ``edit`` changes is changed."""
    copy = root / "qa2anki"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    changed = 0
    for path in sorted(copy.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        edited = edit(text)
        if edited != text:
            path.write_text(edited, encoding="utf-8")
            changed += 1
    assert changed == 1, "the edit must change exactly one module"
    return root


def _drop_epilogue_opening(text: str) -> str:
    # A parse rule: the seed's closing paragraph starts with 通过以上, and without it joins the last answer.
    return text.replace('SUMMING_UP_OPENINGS = ("通过以上", ', "SUMMING_UP_OPENINGS = (")


def _relabel_locations(text: str) -> str:
    # Field assembly: where an entry stands is shown on every card.
    return text.replace('return f"{document} › {topic}"', 'return f"{document} » {topic}"')


def _outputs(project: Path) -> tuple[bytes, bytes]:
    (deck,) = sorted((project / "build").glob("*.apkg"))
    return deck.read_bytes(), (project / "source" / "qa2anki.lock").read_bytes()


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project built once by the installed code: its caches are warm."""
    project = _project(tmp_path_factory.mktemp("warm") / "project")
    result = _build(project, None)
    assert result.returncode == 0, result.stderr
    assert (project / "build" / ".qa2anki-cache").is_dir()
    return project


@pytest.mark.parametrize("edit", [_drop_epilogue_opening, _relabel_locations], ids=["parse", "fields"])
def test_a_code_change_never_gives_a_stale_deck(
    warm: Path, tmp_path: Path, edit: Callable[[str], str]
) -> None:
    package = _edited_package(tmp_path / "edited", edit)
    warm_project = tmp_path / "warm"
    shutil.copytree(warm, warm_project)
    cold_project = _project(tmp_path / "cold")

    warm_run = _build(warm_project, package)
    cold_run = _build(cold_project, package)

    assert warm_run.returncode == 0, warm_run.stderr
    assert cold_run.returncode == 0, cold_run.stderr
    assert str(package) in warm_run.stderr  # the edited copy ran, not the installed package
    assert warm_run.stdout == cold_run.stdout
    assert "1 updated" in cold_run.stdout or "12 updated" in cold_run.stdout  # the edit reached the deck
    assert _outputs(warm_project) == _outputs(cold_project)


def test_the_fingerprint_covers_the_code_and_the_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cache.code_fingerprint()
    assert first == cache.code_fingerprint()  # computed once per process
    copy = tmp_path / "qa2anki"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.fingerprint_of(copy) == cache.fingerprint_of(PACKAGE)
    (copy / "parse.py").write_text((copy / "parse.py").read_text(encoding="utf-8") + "\n# a comment\n")
    assert cache.fingerprint_of(copy) != cache.fingerprint_of(PACKAGE)
    monkeypatch.setattr("pygments.__version__", "0.0")
    assert cache.fingerprint_of(PACKAGE) != first


def test_a_blob_is_read_only_under_the_same_fingerprint_and_tag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "blob.marshal"
    path.write_bytes(cache.encode_blob("clusters", {"a": (1, 2)}))
    assert cache.load_blob(path, "clusters") == {"a": (1, 2)}
    assert cache.load_blob(path, "ledger") is None
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another code")
    assert cache.load_blob(path, "clusters") is None


@pytest.mark.parametrize("damage", [b"", b"qa2anki-cache\n", b"qa2anki-cache\n\0\0\0\0xx", b"garbage"])
def test_a_damaged_blob_is_ignored(tmp_path: Path, damage: bytes) -> None:
    path = tmp_path / "blob.marshal"
    path.write_bytes(damage)
    assert cache.load_blob(path, "clusters") is None
    good = cache.encode_blob("clusters", [1, 2, 3])
    path.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    assert cache.load_blob(path, "clusters") is None


def test_a_deflated_blob_reads_back_and_is_smaller(tmp_path: Path) -> None:
    data = {"key": ("<p>过拟合：模型在训练集上表现好，在测试集上差。</p>" * 50, 3)}
    plain, deflated = tmp_path / "plain", tmp_path / "deflated"
    plain.write_bytes(cache.encode_blob("sections", data))
    deflated.write_bytes(cache.encode_blob("sections", data, deflate=True))
    assert cache.load_blob(plain, "sections") == cache.load_blob(deflated, "sections") == data
    assert deflated.stat().st_size * 5 < plain.stat().st_size
    raw = deflated.read_bytes()
    deflated.write_bytes(raw[:-3])  # truncated: the checksum fails before zlib is asked
    assert cache.load_blob(deflated, "sections") is None
