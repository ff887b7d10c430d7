"""Installing qa2anki: as a tool from its wheel (the way pipx, uv tool and pip install it), and through
``make deck``. Both offline; tests/wheels.py explains how."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from qa2anki import __version__
from qa2anki.scaffold import PROJECT_FILES
from tests.conftest import SEED, read_apkg
from tests.wheels import REPO, TEST_TOOLS, Installed, offline_env, repack, run, runtime_closure


def test_the_wheel_holds_the_templates_and_the_command(installed: Installed) -> None:
    (wheel,) = installed.wheelhouse.glob("qa2anki-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "qa2anki = qa2anki.cli:main" in archive.read(entry_points).decode()
    assert {f"qa2anki/templates/{item.template}" for item in PROJECT_FILES} <= names
    assert "qa2anki/py.typed" in names
    assert not any(name.startswith(("tests/", "source/", "benchmarks/")) for name in names)


def test_the_tool_venv_holds_qa2anki_and_its_runtime_dependencies_only(installed: Installed) -> None:
    from packaging.utils import canonicalize_name

    expected = {
        canonicalize_name(dist.metadata["Name"]) for dist in runtime_closure([f"qa2anki=={__version__}"])
    }
    assert installed.distributions() == expected
    assert not expected & set(TEST_TOOLS)
    assert "genanki" in expected and "pip" not in expected


def test_the_installed_command_starts_and_builds_a_new_project(installed: Installed, tmp_path: Path) -> None:
    """The console script on PATH, outside any project: --version, init, then a build from source/."""
    env = installed.env()
    version = run([str(installed.qa2anki), "--version"], cwd=tmp_path)
    assert version.stdout.strip() == f"qa2anki, version {__version__}"
    on_path = shutil.which("qa2anki", path=env["PATH"])
    assert on_path is not None and Path(on_path) == installed.qa2anki
    init = subprocess.run(
        [on_path, "init", "deck", "--deck", "面试题::测试"],
        cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    project = tmp_path / "deck"
    shutil.copyfile(SEED, project / "source" / SEED.name)
    build = subprocess.run(
        [str(installed.qa2anki), "build"],
        cwd=project / "source", env=env, capture_output=True, text=True, encoding="utf-8",
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    assert "deck 面试题::测试" in build.stdout
    notes = read_apkg(project / "build" / "面试题-测试.apkg")
    assert len(notes) == 12 + 2  # the seed document and init's example
    assert (project / "source" / "qa2anki.lock").is_file()
    assert not (project / "source" / "build").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make (not on Windows: CI runs pip there)")
def test_make_deck_installs_no_test_tools(installed: Installed, tmp_path: Path) -> None:
    """``make deck`` in a fresh copy of the repository, offline: the runtime dependencies come from the
    wheelhouse, and so does the build backend (setuptools, which ``pip install -e .`` needs)."""
    wheelhouse = tmp_path / "wheelhouse"
    shutil.copytree(installed.wheelhouse, wheelhouse)
    (qa2anki_wheel,) = wheelhouse.glob("qa2anki-*.whl")
    qa2anki_wheel.unlink()  # make installs the checkout itself
    repack(metadata.distribution("setuptools"), wheelhouse)  # the dev extra's: new enough
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("Makefile", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, checkout / name)
    for name in ("src", "source"):
        shutil.copytree(
            REPO / name, checkout / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    env = offline_env(PIP_FIND_LINKS=str(wheelhouse))
    for variable in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # when the suite itself runs under make
        env.pop(variable, None)
    done = subprocess.run(
        ["make", "deck", f"PYTHON={sys.executable}"],
        cwd=checkout, env=env, capture_output=True, text=True, encoding="utf-8",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    venv = Installed(checkout / ".venv", wheelhouse)
    present = venv.distributions()
    assert not present & set(TEST_TOOLS), present
    assert {"qa2anki", "genanki", "click"} <= present
    assert (checkout / ".venv" / ".installed-runtime").is_file()
    assert not (checkout / ".venv" / ".installed-dev").exists()
    assert len(read_apkg(checkout / "build" / "面试题-gpt-4-技术亮点.apkg")) == 12
