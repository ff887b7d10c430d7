"""``qa2anki preview --watch``: the preview page rebuilt whenever a source changes, served so that the open
page reloads itself.

A page opened from a ``file:`` address cannot ask anything of anyone, so the page is served instead, from
this machine only (127.0.0.1). It carries the number of the build it shows; once a second it asks the
server for the number of the newest build and reloads when they differ. Files are watched with
watchfiles (the notify crate: inotify, FSEvents or ReadDirectoryChangesW, whichever the system has), which
also gathers a burst of writes (an editor's save, a ``git checkout``) into one change.

This is an edge module: the rebuilding itself is a callback, so the pipeline knows nothing of watching.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import Change, DefaultFilter, watch

from qa2anki.errors import ProblemsFound, Qa2AnkiError, Severity
from qa2anki.i18n import gettext as _

HOST = "127.0.0.1"
"""Served to this machine only: the page shows the user's notes."""

Rebuild = Callable[[str], bytes]
"""Builds the page as build number ``n`` (the text of the number) and returns it; may raise
:class:`qa2anki.errors.Qa2AnkiError`."""


class LivePage:
    """The newest page and its build number, shared between the watching loop and the server's threads."""

    def __init__(self, page: bytes, build: str) -> None:
        self._lock = threading.Lock()
        self._page = page
        self._build = build

    def publish(self, page: bytes, build: str) -> None:
        """Serve ``page`` from now on, as build ``build``."""
        with self._lock:
            self._page, self._build = page, build

    def current(self) -> tuple[bytes, str]:
        """The page and its build number."""
        with self._lock:
            return self._page, self._build


def _handler(live: LivePage) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """``/`` is the page, ``/build`` the newest build's number; nothing else is there."""

        def do_GET(self) -> None:
            page, build = live.current()
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html"):
                self._send(page, "text/html; charset=utf-8")
            elif path == "/build":
                self._send(build.encode("ascii"), "text/plain; charset=utf-8")
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: a request a second would drown the build's own lines."""

    return Handler


class PreviewServer:
    """The live page served on ``HOST``, in a background thread, until :meth:`close`."""

    def __init__(self, live: LivePage, port: int) -> None:
        try:
            self._server = ThreadingHTTPServer((HOST, port), _handler(live))
        except OSError as exc:
            message = _("cannot serve the preview on port {port}: {reason}")
            raise Qa2AnkiError(message.format(port=port, reason=exc.strerror or exc)) from None
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="qa2anki-preview", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """Where the page is (with the port the system gave, when asked for port 0)."""
        return f"http://{HOST}:{self._server.server_address[1]}/"

    def close(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Inputs(DefaultFilter):
    """Changes worth a rebuild: not an editor's swap or backup file, not a version control or cache
    folder (watchfiles' defaults), and not the build's own output."""

    def __init__(self, outputs: Iterable[Path]) -> None:
        super().__init__()
        self._outputs = tuple(path.resolve() for path in outputs)

    def __call__(self, change: Change, path: str) -> bool:
        resolved = Path(path).resolve()
        mine = any(resolved == out or out in resolved.parents for out in self._outputs)
        return not mine and super().__call__(change, path)


def watch_preview(
    rebuild: Rebuild,
    inputs: Sequence[Path],
    outputs: Sequence[Path],
    port: int,
    say: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Build the page, serve it, and build it again after every change to ``inputs`` (files or folders)
    until Ctrl-C or ``stop``. ``outputs`` are files and folders the build writes itself, never a reason to
    build again. A build that fails is reported with ``say`` and the last good page stays up; the first
    build's failure is raised."""
    # watchfiles logs "KeyboardInterrupt caught, stopping watch" in English when Ctrl-C stops it: that is
    # the way out this command announces itself, so only its errors are shown.
    logging.getLogger("watchfiles").setLevel(logging.ERROR)
    live = LivePage(rebuild("1"), "1")
    server = PreviewServer(live, port)
    try:
        watched = [path for path in inputs if path.exists()]
        say(_("serving {url} — it reloads itself after each build; Ctrl-C stops").format(url=server.url))
        builds = 1
        ready = False
        # An empty yield says the watcher has been listening for a while: only then can the user be told
        # that an edit will be seen.
        for changes in watch(
            *watched,
            watch_filter=_Inputs(outputs),
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=300,
            yield_on_timeout=True,
        ):
            if not changes:
                if not ready:
                    say(_("watching {paths}").format(paths=", ".join(str(path) for path in watched)))
                    ready = True
                continue
            try:
                page = rebuild(str(builds + 1))
            except Qa2AnkiError as exc:
                if isinstance(exc, ProblemsFound):  # what is wrong, and where, before the count of it
                    for problem in exc.found:
                        if problem.severity != Severity.HINT:
                            say(problem.shown())
                say(_("{error} (the page still shows the last build)").format(error=exc))
                continue
            builds += 1
            live.publish(page, str(builds))
    finally:
        server.close()
