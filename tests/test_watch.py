"""qa2anki preview --watch: an edit to a source reaches the served page, and the open page reloads itself."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa2anki.build import Options, clock, listing
from qa2anki.errors import Problem, ProblemsFound, Qa2AnkiError, Severity
from qa2anki.preview import preview_html
from qa2anki.watch import LivePage, PreviewServer, watch_preview
from tests.conftest import SEED
from tests.test_preview import chromium, needs_chromium

WAIT = 60.0
"""How long a test waits for something that takes well under a second, before it calls it lost."""


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        text: str = answer.read().decode("utf-8")
        return text


def _until(what: str, check: object) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"still waiting for {what} after {WAIT:.0f} s")


@pytest.fixture
def seed_project(project: Path) -> Path:
    shutil.copyfile(SEED, project / "source" / SEED.name)
    return project


def _rebuild(project: Path, builds: list[str]) -> object:
    def rebuild(build: str) -> bytes:
        builds.append(build)
        report = listing(Options(cwd=project, now=clock()))
        return preview_html(report, build).encode("utf-8")

    return rebuild


class _Watching:
    """``watch_preview`` in a thread, and what it said."""

    def __init__(self, project: Path, rebuild: object) -> None:
        self.said: queue.Queue[str] = queue.Queue()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, args=(project, rebuild))
        self.thread.start()
        self.url = self.wait_for("serving ").split()[1]
        self.wait_for("watching ")

    def _run(self, project: Path, rebuild: object) -> None:
        try:
            watch_preview(
                rebuild,  # type: ignore[arg-type]
                [project / "source", project / "pyproject.toml"],
                [project / "build"],
                0,
                self.said.put,
                self.stop,
            )
        except BaseException as exc:
            self.errors.append(exc)
            self.said.put(f"failed: {exc!r}")

    def wait_for(self, start: str) -> str:
        while True:
            line = self.said.get(timeout=WAIT)
            assert not line.startswith("failed: "), line
            if line.startswith(start):
                return line

    def close(self) -> None:
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        assert not self.errors


@pytest.fixture
def watching(seed_project: Path) -> Iterator[tuple[_Watching, list[str]]]:
    builds: list[str] = []
    watcher = _Watching(seed_project, _rebuild(seed_project, builds))
    yield watcher, builds
    watcher.close()


def test_an_edit_reaches_the_served_page(seed_project: Path, watching: tuple[_Watching, list[str]]) -> None:
    watcher, builds = watching
    page = _get(watcher.url)
    assert 'data-build="1"' in page and "有哪些技术" in page
    assert _get(watcher.url + "build") == "1"
    document = seed_project / "source" / SEED.name
    document.write_text(document.read_text(encoding="utf-8").replace("有哪些技术", "采用了哪些招数"), "utf-8")
    _until("the second build", lambda: _get(watcher.url + "build") == "2")
    page = _get(watcher.url)
    assert 'data-build="2"' in page and "采用了哪些招数" in page
    assert builds == ["1", "2"]


def test_the_build_own_writes_and_unrelated_files_start_no_build(
    seed_project: Path, watching: tuple[_Watching, list[str]]
) -> None:
    """The preview and caches under build/ and an editor's swap file are no reason to build again; a
    source edit after them is, and it is the only one."""
    watcher, builds = watching
    (seed_project / "build").mkdir(exist_ok=True)
    (seed_project / "build" / "preview.html").write_text("written by the build", "utf-8")
    (seed_project / "source" / f".{SEED.name}.swp").write_bytes(b"vim")
    (seed_project / "source" / "new.md").write_text(
        "### 新\n\n**面试题：** 新的吗？\n\n**答案：** 是。\n", "utf-8"
    )
    _until("the second build", lambda: _get(watcher.url + "build") == "2")
    assert "新的吗" in _get(watcher.url)
    time.sleep(2.0)  # a debounce period: nothing else may follow
    assert builds == ["1", "2"]


def test_a_failed_rebuild_keeps_the_last_page(seed_project: Path) -> None:
    builds: list[str] = []
    good = _rebuild(seed_project, builds)

    def rebuild(build: str) -> bytes:
        if (seed_project / "source" / "broken").exists():
            raise Qa2AnkiError("the lock is broken", "source/qa2anki.lock")
        return good(build)  # type: ignore[operator,no-any-return]

    watcher = _Watching(seed_project, rebuild)
    try:
        (seed_project / "source" / "broken").write_text("", "utf-8")
        line = watcher.wait_for("source/qa2anki.lock")
        assert line == "source/qa2anki.lock: the lock is broken (the page still shows the last build)"
        assert _get(watcher.url + "build") == "1"
        (seed_project / "source" / "broken").unlink()
        _until("the next good build", lambda: _get(watcher.url + "build") == "2")
    finally:
        watcher.close()


def test_a_rebuild_that_finds_problems_says_which_and_where(seed_project: Path) -> None:
    """A save that breaks the build: the watch says what is wrong at which line, not only how many
    errors there were (the page, still the last good one, does not show it)."""
    builds: list[str] = []
    good = _rebuild(seed_project, builds)
    problem = Problem("source/a.md", 7, Severity.ERROR, "image not found: x.png")

    def rebuild(build: str) -> bytes:
        if (seed_project / "source" / "broken").exists():
            raise ProblemsFound("1 error found; nothing was written", (problem,), (problem,))
        return good(build)  # type: ignore[operator,no-any-return]

    watcher = _Watching(seed_project, rebuild)
    try:
        (seed_project / "source" / "broken").write_text("", "utf-8")
        assert watcher.wait_for("source/a.md") == "source/a.md:7: error: image not found: x.png"
        assert (
            watcher.wait_for("1 error")
            == "1 error found; nothing was written (the page still shows the last build)"
        )
    finally:
        watcher.close()


def test_the_cli_watches_serves_and_stops_on_ctrl_c(seed_project: Path) -> None:
    """The command as users run it, from a folder inside the project: the project's page is written and
    served, an edit rebuilds it, Ctrl-C ends it."""
    (seed_project / "pyproject.toml").write_text('[tool.qa2anki]\ndeck_name = "看"\n', encoding="utf-8")
    flags = subprocess.CREATE_NEW_PROCESS_GROUP if sys.platform == "win32" else 0  # type: ignore[attr-defined]
    process = subprocess.Popen(
        [sys.executable, "-m", "qa2anki", "preview", "--watch", "--port", "0"],
        cwd=seed_project / "source",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        creationflags=flags,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or ()], daemon=True)
    reader.start()

    def line_starting(start: str) -> str:
        while True:
            line = lines.get(timeout=WAIT)
            if line.startswith(start):
                return line

    try:
        assert line_starting("12 notes;").strip() == "12 notes; wrote ../build/preview.html"
        url = line_starting("serving ").split()[1]
        line_starting("watching ")
        written = seed_project / "build" / "preview.html"
        assert 'data-build="1"' in written.read_text(encoding="utf-8")
        document = seed_project / "source" / SEED.name
        document.write_text(
            document.read_text(encoding="utf-8").replace("有哪些技术", "采用了哪些招数"), "utf-8"
        )
        assert line_starting("12 notes;").strip() == "12 notes; wrote ../build/preview.html"
        _until("the second build", lambda: _get(url + "build") == "2")
        assert "采用了哪些招数" in _get(url) and "采用了哪些招数" in written.read_text(encoding="utf-8")
    finally:
        process.send_signal(signal.CTRL_BREAK_EVENT if sys.platform == "win32" else signal.SIGINT)  # type: ignore[attr-defined]
        code = process.wait(WAIT)
        reader.join(WAIT)
        assert process.stdout is not None
        process.stdout.close()
    if sys.platform != "win32":
        assert code == 0
    after = []
    while not lines.empty():
        after.append(lines.get_nowait())
    assert not any("KeyboardInterrupt" in line for line in after), after  # watchfiles' English log line


def test_a_taken_port_is_one_line(seed_project: Path) -> None:
    live = LivePage(b"page", "1")
    first = PreviewServer(live, 0)
    try:
        port = int(first.url.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(Qa2AnkiError, match=f"cannot serve the preview on port {port}"):
            PreviewServer(live, port)
    finally:
        first.close()


class _Reloaded(LivePage):
    """Serves build 1's page once, then build 2's, while saying build 2 throughout."""

    def __init__(self, first: bytes, second: bytes) -> None:
        super().__init__(first, "2")
        self.second = second
        self.asked = 0

    def current(self) -> tuple[bytes, str]:
        self.asked += 1
        page, build = super().current()
        self.publish(self.second, "2")
        return page, build


@needs_chromium
def test_the_open_page_reloads_itself(seed_project: Path, tmp_path: Path) -> None:
    """In a real browser, under the page's Content Security Policy: a page of build 1, served while the
    server has build 2, asks for the build number and loads build 2."""
    report = listing(Options(cwd=seed_project, now=clock()))
    live = _Reloaded(preview_html(report, "1").encode("utf-8"), preview_html(report, "2").encode("utf-8"))
    server = PreviewServer(live, 0)
    try:
        dom = chromium(tmp_path / "chromium", "--virtual-time-budget=5000", "--dump-dom", server.url)
    finally:
        server.close()
    assert 'data-build="2"' in dom and "有哪些技术" in dom
    assert live.asked >= 3  # the page, its question, the page again
