"""The ``qa2anki`` command: parse options, call one library function, print its report.

Exit codes: 0 success; 1 problems found or a domain error (bad input, broken lock, ``--locked`` drift);
2 usage errors. Domain errors are printed as one ``file:line: message`` line, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qa2anki import __version__
from qa2anki.errors import Problem, ProblemsFound, Qa2AnkiError, Severity

if TYPE_CHECKING:
    from qa2anki.build import BuildReport, Listing

LIST_FORMAT = 1
"""Version of ``qa2anki list --json`` output; bumped only for incompatible changes."""

F = TypeVar("F", bound=Callable[..., Any])


SHOWN_PROBLEMS = 20
"""``build`` and ``list`` print this many problems at most; ``check`` prints all."""


def _print_problems(problems: Sequence[Problem], limit: int | None = None, hints: bool = False) -> None:
    """Print problems on stderr; hints only when asked (``check`` shows them, the other commands do not)."""
    if not hints:
        problems = [problem for problem in problems if problem.severity != Severity.HINT]
    shown = problems if limit is None else problems[:limit]
    for problem in shown:
        click.echo(str(problem), err=True)
    if len(shown) < len(problems):
        click.echo(f"… and {len(problems) - len(shown)} more (qa2anki check lists them all)", err=True)


class TerminalProgress:
    """A one-line progress display on stderr, shown only on a terminal and only once a build has taken
    more than a second (quiet in CI and in pipes)."""

    def __init__(self, delay: float = 1.0) -> None:
        self.start = time.monotonic()
        self.delay = delay
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.shown and time.monotonic() - self.start < self.delay:
            return
        self.shown = True
        if total:
            width = 30
            filled = width * done // total
            line = f"{stage:<20} [{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%"
        else:
            line = f"{stage}…"
        click.echo(f"\r\x1b[2K{line}", err=True, nl=False)

    def finish(self) -> None:
        """Clear the line."""
        if self.shown:
            click.echo("\r\x1b[2K", err=True, nl=False)


def _progress() -> TerminalProgress | None:
    if os.environ.get("CI") or not sys.stderr.isatty():
        return None
    return TerminalProgress()


_KEPT: list[object] = []
"""The last command's result, kept alive until the process ends: the console script ends with a hard
exit (see :func:`main`), so a large build's millions of objects are never freed one by one."""

R = TypeVar("R")


def _keep(result: R) -> R:
    _KEPT[:] = [result]
    return result


def domain_errors(func: F) -> F:
    """Turn :class:`Qa2AnkiError` into a one-line message and exit code 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProblemsFound as exc:
            _print_problems(exc.problems)
            raise click.ClickException(str(exc)) from None
        except Qa2AnkiError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


sources_argument = click.argument("sources", nargs=-1, type=click.Path(path_type=str))


def _project() -> Path:
    """The project folder: the nearest one up from here with ``[tool.qa2anki]`` in its pyproject.toml."""
    from qa2anki.config import find_project

    return find_project(Path.cwd())


def _from_here(root: Path, path: str | None) -> str | None:
    """A path given on the command line (relative to the current folder), relative to the project."""
    if path is None:
        return None
    here = Path.cwd() / path
    try:
        return os.path.relpath(here, root)
    except ValueError:  # another drive (Windows)
        return str(here)


def _shown(path: Path) -> str:
    """A path as the user, in the current folder, would type it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _sources(root: Path, sources: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(_from_here(root, source)) for source in sources)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qa2anki")
def cli() -> None:
    """Turn Markdown interview Q&A documents into an Anki deck that keeps review history on re-import."""


@cli.command("build")
@sources_argument
@click.option("-o", "--output", help="The .apkg to write [default: build/<deck slug>.apkg].")
@click.option("--lock", "lock", help="The lock file [default: qa2anki.lock in the first source folder].")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--locked", is_flag=True, help="Fail (exit 1) if the lock file would change.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--new-lock",
    is_flag=True,
    help="Start a new lock although an earlier build left a deck (every note gets a new GUID).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="List every added, updated, re-identified and removed note."
)
@domain_errors
def build_command(
    sources: tuple[str, ...],
    output: str | None,
    lock: str | None,
    dry_run: bool,
    locked: bool,
    strict: bool,
    new_lock: bool,
    verbose: bool,
) -> None:
    """Build the deck from SOURCES (files or folders; default: [tool.qa2anki] sources or source/)."""
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, build, clock

    progress = _progress()
    root = _project()
    try:
        report = _keep(
            build(
                Options(
                    cwd=root,
                    now=clock(),
                    sources=_sources(root, sources),
                    output=_from_here(root, output),
                    lock=_from_here(root, lock),
                    strict=strict,
                    dry_run=dry_run,
                    locked=locked,
                    new_lock=new_lock,
                    progress=progress,
                )
            )
        )
    finally:
        if progress:
            progress.finish()
    _print_problems(report.problems, SHOWN_PROBLEMS)
    _print_summary(report, root, verbose)


def _print_summary(report: BuildReport, root: Path, verbose: bool) -> None:
    from qa2anki.config import config_file
    from qa2anki.identity import Status

    found = config_file(root)
    settings = f"settings from {_shown(found)}" if found else "no [tool.qa2anki] found: default settings"
    click.echo(f"deck {report.config.deck_name} ({settings})")
    click.echo(
        f"{report.document_count} document(s), {report.entry_count} entries → "
        f"{report.note_count} unique notes ({report.merged} duplicates merged), {report.topics} topics"
    )
    click.echo(
        f"{report.count(Status.ADDED)} added, {report.count(Status.UPDATED)} updated, "
        f"{report.count(Status.REIDENTIFIED)} re-identified, {report.count(Status.REVIVED)} revived, "
        f"{report.count(Status.UNCHANGED)} unchanged, {len(report.removed)} removed"
    )
    if verbose:
        click.echo(report.reuse.parsing)
        click.echo(str(report.reuse))
        scored = False
        for item in report.changed:
            line = f"  {item.status.value:<12} {item.guid}  {_one_line(item.note.question_md)}"
            notes = []
            if item.status == Status.REIDENTIFIED and item.previous is not None:
                notes.append(f"was: {_one_line(item.previous.question)}; score {item.score:.2f}")
                scored = True
            if (
                item.previous is not None
                and item.previous.topics
                and item.previous.topics != item.note.topics
            ):
                notes.append(f"topic: {' / '.join(item.previous.topics)} → {' / '.join(item.note.topics)}")
            click.echo(line + (f"  ({'; '.join(notes)})" if notes else ""))
        if scored:
            click.echo(
                "  (score: how alike a re-identified note is to the lock's note it took the GUID of, "
                "0 to 1, from its question and answer; it keeps that GUID and its review history)"
            )
        for locked in report.removed:
            click.echo(f"  {'removed':<12} {locked.guid}  {_one_line(locked.question)}")
    if report.removed:
        click.echo(
            f"{len(report.removed)} note(s) are no longer in the sources; Anki keeps them on import: "
            "delete them by hand (qa2anki build -v lists them)"
        )
    if report.written:
        lock_note = f" and {report.lock_path}" if report.lock_changed else f" ({report.lock_path} unchanged)"
        click.echo(f"wrote {report.output}{lock_note}")
    else:
        click.echo(f"dry run: nothing written (would write {report.output})")


def _one_line(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@cli.command("check")
@sources_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1); hints never fail.")
@domain_errors
def check_command(sources: tuple[str, ...], strict: bool) -> None:
    """Parse SOURCES and report problems as file:line; exit 1 when there are errors. Hints say what was not
    taken and why, near misses between notes, and shapes read no way."""
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, blocking, check

    root = _project()
    checked = _keep(check(Options(cwd=root, now=0, sources=_sources(root, sources))))
    analysis = checked.analysis
    _print_problems(analysis.problems, hints=True)
    _print_problems(checked.hints, hints=True)
    for document in analysis.documents:
        styles = Counter(e.rule for e in analysis.entries if e.path == document.path)
        found = ", ".join(f"{rule} {count}" for rule, count in sorted(styles.items()))
        click.echo(f"{document.path}: {sum(styles.values())} entries" + (f" ({found})" if found else ""))
    errors = sum(1 for p in analysis.problems if p.severity == Severity.ERROR)
    warnings = sum(1 for p in analysis.problems if p.severity == Severity.WARNING)
    hints = len(checked.hints) + len(analysis.problems) - errors - warnings
    if hints:
        click.echo(f"{hints} hint(s): for you to decide; they never fail check, not even with --strict")
    click.echo(
        f"{len(analysis.documents)} document(s), {len(analysis.entries)} entries, "
        f"{len(analysis.normalized.notes)} unique notes; {errors} error(s), {warnings} warning(s)"
    )
    if blocking(analysis.problems, strict):
        sys.exit(1)


@cli.command("list")
@sources_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable interface, see README).")
@click.option("--lock", "lock", help="The lock file to take GUIDs from.")
@domain_errors
def list_command(sources: tuple[str, ...], as_json: bool, lock: str | None) -> None:
    """List the unique notes: GUID, topics, question and every source location merged into each."""
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, clock, listing

    root = _project()
    options = Options(cwd=root, now=clock(), sources=_sources(root, sources), lock=_from_here(root, lock))
    report = _keep(listing(options))
    if as_json:
        click.echo(json.dumps(list_document(report), ensure_ascii=False, indent=2))
        return
    _print_problems(report.problems, SHOWN_PROBLEMS)
    for item in report.notes:
        note = item.note
        click.echo(f"{item.guid}  [{' / '.join(note.topics)}]  {_one_line(note.question_md, 80)}")
        for merge in note.merges:
            entry = merge.entry
            click.echo(f"    {entry.path}:{entry.line}  {merge.kind}")


def list_document(report: Listing) -> dict[str, Any]:
    """The ``list --json`` document (format 1)."""
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.render import location_label

    config = report.analysis.config
    return {
        "format": LIST_FORMAT,
        "deck": {"name": config.deck_name, "id": config.resolved_deck_id},
        "summary": {
            "documents": len(report.analysis.documents),
            "entries": report.entry_count,
            "notes": report.note_count,
            "merged": report.merged,
            "topics": report.topics,
        },
        "notes": [
            {
                "guid": item.guid,
                "status": item.status.value,
                "topic": item.note.topic,
                "topics": list(item.note.topics),
                "tags": list(item.note.tags),
                "question": item.note.question_md,
                "sources": [
                    {
                        "path": m.entry.path,
                        "line": m.entry.line,
                        "topic": m.entry.topic,
                        "label": location_label(m.entry.document, m.entry.topic),
                        "kind": m.kind,
                        "question_similarity": m.question_similarity,
                        "answer_similarity": m.answer_similarity,
                    }
                    for m in item.note.merges
                ],
            }
            for item in report.notes
        ],
        "removed": [{"guid": r.guid, "question": r.question} for r in report.removed],
        "problems": [
            {"path": p.path, "line": p.line, "severity": p.severity.value, "message": p.message}
            for p in report.problems
            if p.severity != Severity.HINT
        ],
    }


@cli.command("preview")
@sources_argument
@click.option(
    "-o", "--output", default="build/preview.html", show_default=True, help="The HTML page to write."
)
@click.option("--lock", "lock", help="The lock file to take GUIDs and statuses from.")
@domain_errors
def preview_command(sources: tuple[str, ...], output: str, lock: str | None) -> None:
    """Write one self-contained HTML page showing every note as Anki will show it, front and back, with
    tags, merged sources and a search box. The deck and the lock are not touched."""
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.atomic import write_atomic
    from qa2anki.build import Options, clock, listing
    from qa2anki.preview import preview_html

    root = _project()
    options = Options(cwd=root, now=clock(), sources=_sources(root, sources), lock=_from_here(root, lock))
    report = _keep(listing(options))
    _print_problems(report.problems, SHOWN_PROBLEMS)
    try:
        write_atomic(Path.cwd() / output, preview_html(report).encode("utf-8"))
    except OSError as exc:
        raise Qa2AnkiError(f"cannot write the preview: {exc.strerror or exc}", output) from None
    click.echo(f"{len(report.notes)} notes; wrote {output}")


def main() -> None:
    """Console entry point. Once the output is flushed the process ends at once, as mypy's does: freeing
    a large build's millions of objects one by one takes a third of a second, for nothing. (Everything
    that needs closing, deleting or joining is in ``with`` blocks the command has left.)"""
    for stream in (sys.stdout, sys.stderr):
        # Topics and questions are Chinese: a console or pipe in a legacy encoding (Windows' cp1252)
        # shows what it cannot encode as escapes instead of failing the build after it wrote the deck.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    try:
        cli(prog_name="qa2anki")
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _exit_code(code: object) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # what the interpreter does with a SystemExit("message")
    return 1
