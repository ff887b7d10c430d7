"""Installing qa2anki as users do, offline: build its wheel, install it into a fresh venv with pip.

The tests must run without a network once the dev venv is set up, so nothing comes from an index:

* qa2anki's wheel is built from a copy of the repository with ``pip wheel --no-build-isolation``: the
  build backend (setuptools, from the dev extra) is the dev venv's own.
* Its runtime dependencies are already installed in the dev venv. Each installed distribution is packed
  back into a wheel: its ``RECORD`` lists every file it installed, and its ``WHEEL`` file keeps the tags
  of the wheel it came from. Only the closure of qa2anki's declared requirements is packed, so a
  dependency missing from ``pyproject.toml`` would be missing in the fresh venv too.
* The fresh venv is made without pip (``venv --without-pip``), and the dev venv's pip installs into it
  (``pip --python``) with ``--no-index --find-links`` and with pip's configuration files ignored. pip
  resolves qa2anki's requirements from the wheel's metadata, as it would from PyPI.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
TEST_TOOLS = ("pytest", "hypothesis", "mypy", "ruff", "anki")
"""Distributions of the dev extra that a user's install must not contain."""


def offline_env(**extra: str) -> dict[str, str]:
    """The environment for pip and installed tools: no configuration files (no machine-wide index,
    find-links or constraints), no index, and the C locale (messages in English)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PIP_") and key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "QA2ANKI_LANG")
    }
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_CACHE_DIR="1",
        LANG="C.UTF-8",
        PYTHONUTF8="1",
    )
    env.update(extra)
    return env


def run(command: list[str], cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command offline; it must succeed (its output is shown when it does not)."""
    done = subprocess.run(
        command, cwd=cwd, env=offline_env(**env), capture_output=True, text=True, encoding="utf-8"
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def build_wheel(into: Path, scratch: Path) -> Path:
    """qa2anki's wheel, built from a copy of the repository's tracked sources (the checkout stays clean)."""
    copy = scratch / "qa2anki-src"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, copy / name)
    shutil.copytree(
        REPO / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(into),
            str(copy),
        ]
    )
    (wheel,) = into.glob("qa2anki-*.whl")
    return wheel


def runtime_closure(requirements: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that ``requirements`` need, transitively, without extras' extras."""
    found: dict[str, metadata.Distribution] = {}
    pending = [(Requirement(text), "") for text in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        dist = metadata.distribution(name)
        assert requirement.specifier.contains(dist.version, prereleases=True), (requirement, dist.version)
        for wanted in ("", *requirement.extras):
            key = f"{name}[{wanted}]"
            if key in found:
                continue
            found[key] = dist
            pending.extend((Requirement(text), wanted) for text in dist.requires or ())
    unique = {canonicalize_name(dist.metadata["Name"]): dist for dist in found.values()}
    return [unique[name] for name in sorted(unique)]


def wheel_requirements(wheel: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a wheel, without those of extras."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(archive.read(name).decode("utf-8"))
    return [
        text
        for text in message.get_all("Requires-Dist") or []
        if "extra" not in str(Requirement(text).marker or "")
    ]


_NOT_PACKED = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


def repack(dist: metadata.Distribution, into: Path) -> Path:
    """A wheel holding what ``dist`` installed into site-packages (scripts are made again from its entry
    points), tagged as the wheel it was installed from."""
    files = [f for f in dist.files or () if not str(f).startswith("..") and "__pycache__" not in f.parts]
    info_dirs = {f.parts[0] for f in files if f.parts[0].endswith(".dist-info")}
    assert len(info_dirs) == 1, (dist.metadata["Name"], info_dirs)
    (info_dir,) = info_dirs
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    assert tags, f"{dist.metadata['Name']} was not installed from a wheel"
    python, abi, platform = ({tag.split("-")[i] for tag in tags} for i in range(3))
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    tag = "-".join(".".join(sorted(part)) for part in (python, abi, platform))
    path = into / f"{name}-{dist.version}-{tag}.whl"
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            if file.parts[0] == info_dir and file.name in _NOT_PACKED:
                continue
            data = Path(dist.locate_file(file)).read_bytes()
            archive.writestr(file.as_posix(), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{file.as_posix()},sha256={digest},{len(data)}")
        record.append(f"{info_dir}/RECORD,,")
        archive.writestr(f"{info_dir}/RECORD", "\n".join(record) + "\n")
    return path


@dataclass(frozen=True)
class Installed:
    """qa2anki installed from its wheel into a fresh venv."""

    venv: Path
    """The venv."""
    wheelhouse: Path
    """qa2anki's wheel and its runtime dependencies' wheels."""

    @property
    def scripts(self) -> Path:
        """The venv's scripts folder (what activating it puts on PATH)."""
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        """The venv's interpreter."""
        return self.scripts / ("python.exe" if os.name == "nt" else "python")

    @property
    def qa2anki(self) -> Path:
        """The ``qa2anki`` console script."""
        return self.scripts / ("qa2anki.exe" if os.name == "nt" else "qa2anki")

    def env(self, **extra: str) -> dict[str, str]:
        """An offline environment with the venv's scripts first on PATH, as after ``pipx install``."""
        return offline_env(PATH=os.pathsep.join([str(self.scripts), os.environ.get("PATH", "")]), **extra)

    def distributions(self) -> set[str]:
        """The names of the distributions installed in the venv."""
        code = (
            "import importlib.metadata as m; print('\\n'.join(d.metadata['Name'] for d in m.distributions()))"
        )
        done = run([str(self.python), "-c", code])
        return {canonicalize_name(line) for line in done.stdout.split()}


def wheelhouse(into: Path, scratch: Path) -> Path:
    """qa2anki's wheel and wheels of its runtime dependencies in ``into``; returns qa2anki's wheel."""
    into.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(into, scratch)
    for dist in runtime_closure(wheel_requirements(wheel)):
        repack(dist, into)
    return wheel


def install(venv: Path, wheelhouse_dir: Path, *requirements: str) -> Installed:
    """A fresh venv with ``requirements`` (default: qa2anki) installed from the wheelhouse alone."""
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    installed = Installed(venv, wheelhouse_dir)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(installed.python),
            "install",
            "--no-index",
            "--find-links",
            str(wheelhouse_dir),
            *(requirements or ("qa2anki",)),
        ]
    )
    return installed
