"""The ``qa2anki`` command: parse options, call one library function, print its report.

Exit codes: 0 success; 1 problems found or a domain error (bad input, broken lock, ``--locked`` drift);
2 usage errors. Domain errors are printed as one ``file:line: message`` line, never a traceback.
"""

from __future__ import annotations

import contextlib
import copy as _copy
import json
import os
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from qa2anki import __version__, i18n
from qa2anki.errors import Problem, ProblemsFound, Qa2AnkiError, Severity
from qa2anki.i18n import N_, ngettext
from qa2anki.i18n import gettext as _

if TYPE_CHECKING:
    from qa2anki.build import BuildReport, Listing, Options
    from qa2anki.normalize import Note

LIST_FORMAT = 1
"""Version of ``qa2anki list --json`` output; bumped only for incompatible changes."""

F = TypeVar("F", bound=Callable[..., Any])


PREVIEW_PAGE = "build/preview.html"
"""Where ``preview`` writes its page, in the project, unless told otherwise."""

SHOWN_PROBLEMS = 20
"""``build`` and ``list`` print this many problems at most; ``check`` prints all."""


def _print_problems(problems: Sequence[Problem], limit: int | None = None, hints: bool = False) -> None:
    """Print problems on stderr; hints only when asked (``check`` shows them, the other commands do not)."""
    if not hints:
        problems = [problem for problem in problems if problem.severity != Severity.HINT]
    shown = problems if limit is None else problems[:limit]
    for problem in shown:
        click.echo(problem.shown(), err=True)
    if len(shown) < len(problems):
        more = len(problems) - len(shown)
        click.echo(_("… and {count} more (qa2anki check lists them all)").format(count=more), err=True)


def _print_report_problems(report: BuildReport) -> None:
    """A build's problems: those of the sources up to :data:`SHOWN_PROBLEMS` (``check`` lists them all),
    then every one about the cards against the lock (a studied card at stake; no other command says
    them)."""
    cards = set(report.card_problems)
    _print_problems([p for p in report.problems if p not in cards], SHOWN_PROBLEMS)
    _print_problems(report.card_problems)


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
            line = f"{_(stage):<20} [{'#' * filled}{'.' * (width - filled)}] {100 * done // total:3d}%"
        else:
            line = f"{_(stage)}…"
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
            _print_problems(exc.found, SHOWN_PROBLEMS)
            raise DomainError(str(exc)) from None
        except Qa2AnkiError as exc:
            raise DomainError(str(exc)) from None
        except OSError as exc:  # (what the system refused where no step expected it: said, not a traceback)
            from qa2anki.sources import printable

            where = f"{printable(str(exc.filename))}: " if exc.filename else ""
            raise DomainError(f"{where}{exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


class DomainError(click.ClickException):
    """A domain error as click prints it, with ``Error:`` in the language of the run."""

    def show(self, file: Any = None) -> None:
        click.echo(_("Error: {message}").format(message=self.format_message()), file=file, err=True)


CLICK_TEXTS = (
    N_("Show this message and exit."),
    N_("Show the version and exit."),
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
)
"""click's own texts in our help pages, marked here so that the catalogue translates them too."""

LABELS = (
    *(N_("added"), N_("updated"), N_("unchanged"), N_("reidentified"), N_("revived"), N_("removed")),
    *(N_("canonical"), N_("exact"), N_("near"), N_("truncated"), N_("conflict"), N_("stale")),
    *(N_("error"), N_("warning"), N_("hint")),
)
"""Note statuses (``build -v``), merge kinds (``list``) and problem severities as shown, marked for the
catalogue; ``list --json`` keeps them in English."""


def _translated(param: click.Parameter) -> click.Parameter:
    """A copy of ``param`` whose help is in the language of the run."""
    if not param.help:
        return param
    copy = _copy.copy(param)
    copy.help = _(param.help)
    return copy


class Command(click.Command):
    """A click command whose help is translated when it is shown, not when it is defined.

    click takes ``help=`` texts when the module is imported, before ``--lang`` or the environment of the
    run are known; these texts are the catalogue's msgids, and each help page translates them as it is
    formatted.
    """

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage:") + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(_(self.help))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument)
            and (record := _translated(param).get_help_record(ctx)) is not None
        ]
        if records:
            with formatter.section(_("Options")):
                formatter.write_dl(records)

    def get_short_help_str(self, limit: int = 45) -> str:
        text = _(self.help or "")
        # A sentence ends at "。" in Chinese, where click only looks for ". ".
        first = text.partition("。")[0] + "。" if "。" in text else text
        copy = _copy.copy(self)
        copy.help = first
        return click.Command.get_short_help_str(copy, limit)


class Group(Command, click.Group):
    """The ``qa2anki`` group: its commands are :class:`Command` s, and each run speaks the language of its
    environment until ``--lang`` says otherwise."""

    command_class = Command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Before parsing: `qa2anki --help` is shown before the --lang option is looked at.
        with i18n.speaking(i18n.language_from(None, os.environ)):
            return super().main(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # ``qa2anki build --lang zh`` as ``qa2anki --lang zh build``: the option is the group's, and users
        # put it after the command as often as before it.
        return super().parse_args(ctx, _lang_first(args))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [
            (name, command)
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])


def _lang_first(args: list[str]) -> list[str]:
    """The arguments with ``--lang X`` (or ``--lang=X``) moved to the front, wherever it stood before a
    ``--``."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            return [arg, *args[:index], *args[index + 1 :]]
        if arg == "--lang" and index + 1 < len(args):
            return [arg, args[index + 1], *args[:index], *args[index + 2 :]]
    return args


def _choose_language(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    i18n.use(i18n.language_from(value, os.environ))


sources_argument = click.argument("sources", nargs=-1, type=click.Path(path_type=str))


def _project() -> Path:
    """The project folder: the nearest one up from here with ``[tool.qa2anki]`` in its pyproject.toml."""
    from qa2anki.config import find_project

    return find_project(Path.cwd())


def _from_here(root: Path, path: str | None) -> str | None:
    """A path given on the command line (relative to the current folder), relative to the project."""
    if path is None:
        return None
    if Path(path).is_absolute():
        return path  # (shown as given, not as ../../…)
    here = Path.cwd() / path
    try:
        return os.path.relpath(here, root)
    except ValueError:  # another drive (Windows)
        return str(here)


def _shown(path: Path, root: Path | None = None) -> str:
    """A path as the user, in the current folder, would type it; absolute when it is outside the project
    ``root`` (``../../x.apkg`` is no way to say ``/tmp/x.apkg``)."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        return str(path.absolute())
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _sources(root: Path, sources: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(_from_here(root, source)) for source in sources)


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=N_(
        "Turn Markdown interview Q&A documents into an Anki deck that keeps review history on re-import."
    ),
)
@click.version_option(__version__, prog_name="qa2anki")
@click.option(
    "--lang",
    type=click.Choice(i18n.LANGUAGES),
    is_eager=True,
    expose_value=False,
    callback=_choose_language,
    help=N_("Language of messages and help: en or zh [default: QA2ANKI_LANG, else the locale]."),
)
def cli() -> None:
    """The ``qa2anki`` group (its help is ``help=`` above: click would not translate a docstring)."""


@cli.command(
    "build",
    help=N_("Build the deck from SOURCES (files or folders; default: [tool.qa2anki] sources or source/)."),
)
@sources_argument
@click.option("-o", "--output", help=N_("The .apkg to write [default: build/<deck slug>.apkg]."))
@click.option("--lock", "lock", help=N_("The lock file [default: qa2anki.lock in the first source folder]."))
@click.option("--dry-run", is_flag=True, help=N_("Show what would change; write nothing."))
@click.option("--locked", is_flag=True, help=N_("Fail (exit 1) if the lock file would change."))
@click.option("--strict", is_flag=True, help=N_("Treat warnings as errors."))
@click.option(
    "--new-lock",
    is_flag=True,
    help=N_("Start the lock anew where it is missing or damaged, although a deck was built before."),
)
@click.option(
    "-v", "--verbose", is_flag=True, help=N_("List every added, updated, re-identified and removed note.")
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
    _print_report_problems(report)
    _print_summary(report, root, verbose)


def _padded(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns: a Chinese character takes two (``新增`` is as wide as
    ``added`` but one, and ``:<12`` would count it as two columns)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def _print_summary(report: BuildReport, root: Path, verbose: bool) -> None:
    from qa2anki.build import changes_line
    from qa2anki.config import config_file
    from qa2anki.identity import Status

    found = config_file(root)
    settings = (
        _("settings from {path}").format(path=_shown(found))
        if found
        else _("no [tool.qa2anki] found: default settings")
    )
    click.echo(_("deck {name} ({settings})").format(name=report.config.deck_name, settings=settings))
    click.echo(
        _("{documents}, {entries} → {notes} ({merged}), {topics}").format(
            documents=_documents(report.document_count),
            entries=_entries(report.entry_count),
            notes=_unique_notes(report.note_count),
            merged=ngettext("{count} duplicate merged", "{count} duplicates merged", report.merged).format(
                count=report.merged
            ),
            topics=ngettext("{count} topic", "{count} topics", report.topics).format(count=report.topics),
        )
    )
    click.echo(changes_line(report.count, len(report.removed)))
    if verbose:
        click.echo(report.reuse.parsing)
        click.echo(str(report.reuse))
        scored = False
        for item in report.changed:
            question = _one_line(_question_text(item.note))
            line = f"  {_padded(_(item.status.value), 12)} {item.guid}  {question}"
            notes = []
            if item.status == Status.REIDENTIFIED and item.previous is not None:
                notes.append(
                    _("was: {question}; score {score}").format(
                        question=_one_line(item.previous.written), score=f"{item.score:.2f}"
                    )
                )
                scored = True
            if (
                item.previous is not None
                and item.previous.topics
                and item.previous.topics != item.note.topics
            ):
                notes.append(
                    _("topic: {old} → {new}").format(
                        old=" / ".join(item.previous.topics), new=" / ".join(item.note.topics)
                    )
                )
            click.echo(line + (f"  ({'; '.join(notes)})" if notes else ""))
        if scored:
            click.echo(
                "  "
                + _(
                    "(score: how alike a re-identified note is to the lock's note it took the GUID of, "
                    "0 to 1: its question's and answer's likeness on average, or the higher of the two when "
                    "that is 0.9 or more, as when only the question was reworded; it keeps that GUID and "
                    "its review history)"
                )
            )
        for locked in report.removed:
            removed = _("removed")
            click.echo(f"  {_padded(removed, 12)} {locked.guid}  {_one_line(locked.written)}")
    if report.awaiting and report.partial:
        click.echo(
            ngettext(
                "{count} note is not in the documents this build read (part of the sources): a build of "
                "all the sources brings it back, so do not delete it in Anki",
                "{count} notes are not in the documents this build read (part of the sources): a build of "
                "all the sources brings back those of the other documents, so delete none of them in Anki",
                len(report.awaiting),
            ).format(count=len(report.awaiting))
        )
    elif report.awaiting:
        click.echo(
            ngettext(
                "{count} note is no longer in the sources; Anki keeps it on import: delete it by "
                "hand (qa2anki list --removed finds it; qa2anki forget GUID… marks it done)",
                "{count} notes are no longer in the sources; Anki keeps them on import: delete them by "
                "hand (qa2anki list --removed finds them; qa2anki forget GUID… marks them done)",
                len(report.awaiting),
            ).format(count=len(report.awaiting))
        )
    # Where the files are from here, as the settings line and the preview say (problems name files from
    # the project folder, like the lock does).
    output, lock = _shown(root / report.output, root), _shown(root / report.lock_path, root)
    if report.lock_started and report.written:
        click.echo(
            _(
                "there was no lock: {lock} starts now, and every note is new; commit it with your documents, "
                "it is what keeps every card's history from here on"
            ).format(lock=lock)
        )
    elif report.lock_started:
        click.echo(_("there is no lock: every note is new, and a build would start {lock}").format(lock=lock))
    if report.written:
        if report.lock_changed:
            message = _("wrote {output} and {lock}")
        else:
            message = _("wrote {output} ({lock} unchanged)")
        click.echo(message.format(output=output, lock=lock))
    elif report.lock_changed:
        click.echo(
            _("dry run: nothing written (would write {output} and {lock})").format(output=output, lock=lock)
        )
    else:
        message = _("dry run: nothing written (would write {output}; {lock} would stay as it is)")
        click.echo(message.format(output=output, lock=lock))


def _question_text(note: Note) -> str:
    """A note's question as its card shows it, as text: without Markdown and HTML (``[](…)`` anchors,
    ``<font>`` tags from a 语雀 export, ``**`` around a bold question)."""
    from qa2anki.render import html_text

    return html_text(note.question_html) or note.question_md


def _one_line(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@cli.command(
    "check", help=N_("Parse SOURCES and report problems as file:line; exit 1 when there are errors.")
)
@sources_argument
@click.option("--strict", is_flag=True, help=N_("Treat warnings as errors (exit 1)."))
@domain_errors
def check_command(sources: tuple[str, ...], strict: bool) -> None:
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, blocking, check, count_of_errors, count_of_warnings

    root = _project()
    checked = _keep(check(Options(cwd=root, now=0, sources=_sources(root, sources))))
    analysis = checked.analysis
    _print_problems(analysis.problems, hints=True)
    _print_problems(checked.hints, hints=True)
    for document in analysis.documents:
        styles = Counter(e.rule for e in analysis.entries if e.path == document.path)
        found = ", ".join(f"{rule} {count}" for rule, count in sorted(styles.items()))
        entries = _entries(sum(styles.values()))
        click.echo(f"{document.path}: {entries}" + (f" ({found})" if found else ""))
    errors = sum(1 for p in analysis.problems if p.severity == Severity.ERROR)
    warnings = sum(1 for p in analysis.problems if p.severity == Severity.WARNING)
    hints = len(checked.hints) + len(analysis.problems) - errors - warnings
    if hints:
        click.echo(
            ngettext(
                "{count} hint: for you to decide; it never fails check, not even with --strict",
                "{count} hints: for you to decide; they never fail check, not even with --strict",
                hints,
            ).format(count=hints)
        )
    click.echo(
        _("{documents}, {entries}, {notes}; {errors}, {warnings}").format(
            documents=_documents(len(analysis.documents)),
            entries=_entries(len(analysis.entries)),
            notes=_unique_notes(len(analysis.normalized.notes)),
            errors=count_of_errors(errors),
            warnings=count_of_warnings(warnings),
        )
    )
    if blocking(analysis.problems, strict):
        sys.exit(1)


@cli.command(
    "list",
    help=N_("List the unique notes: GUID, topics, question and every source location merged into each."),
)
@sources_argument
@click.option("--json", "as_json", is_flag=True, help=N_("Print JSON (a stable interface, see README)."))
@click.option("--lock", "lock", help=N_("The lock file to take GUIDs from."))
@click.option(
    "--removed",
    is_flag=True,
    help=N_("List the removed notes still to delete in Anki, each with an Anki search that finds it."),
)
@domain_errors
def list_command(sources: tuple[str, ...], as_json: bool, lock: str | None, removed: bool) -> None:
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, clock, listing

    root = _project()
    options = Options(cwd=root, now=clock(), sources=_sources(root, sources), lock=_from_here(root, lock))
    if options.lock and not (root / options.lock).exists():
        # (a build starts a lock there; a listing would give every note a new GUID without a word)
        raise DomainError(_("no lock file at {lock}").format(lock=lock))
    report = _keep(listing(options))
    if as_json:
        document = list_document(report)
        if removed:  # (the removed notes alone, as without --json)
            del document["notes"]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print_problems(report.problems, SHOWN_PROBLEMS)
    if removed:
        for locked in report.awaiting:
            click.echo(f"{locked.guid}  {_one_line(locked.written, 80)}")
            click.echo("    " + _("Anki search: {search}").format(search=report.search(locked)))
            also = report.also_finds(locked)
            if also:
                message = _(
                    "this search also finds {guids}, still in the sources with the same question and "
                    "topics: delete only the card whose answer the sources no longer have"
                )
                click.echo("    " + message.format(guids=", ".join(also)))
        if not report.awaiting:
            click.echo(_("no removed notes to delete in Anki"))
            return
        click.echo(
            ngettext(
                "{count} removed note to delete in Anki (Browse, paste the search, delete); "
                "then qa2anki forget GUID… marks it done",
                "{count} removed notes to delete in Anki (Browse, paste the search, delete); "
                "then qa2anki forget GUID… marks them done",
                len(report.awaiting),
            ).format(count=len(report.awaiting))
        )
        return
    for item in report.notes:
        note = item.note
        click.echo(f"{item.guid}  [{' / '.join(note.topics)}]  {_one_line(_question_text(note), 80)}")
        for merge in note.merges:
            entry = merge.entry
            click.echo(f"    {entry.path}:{entry.line}  {_(merge.kind)}")


def _documents(count: int) -> str:
    return ngettext("{count} document", "{count} documents", count).format(count=count)


def _entries(count: int) -> str:
    return ngettext("{count} entry", "{count} entries", count).format(count=count)


def _unique_notes(count: int) -> str:
    return ngettext("{count} unique note", "{count} unique notes", count).format(count=count)


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
        "removed": [
            {
                "guid": r.guid,
                "question": r.written,
                "search": report.search(r),
                "also_finds": report.also_finds(r),
            }
            for r in report.awaiting
        ],
        "problems": [
            {"path": p.path, "line": p.line, "severity": p.severity.value, "message": p.message}
            for p in report.problems
            if p.severity != Severity.HINT
        ],
    }


@cli.command(
    "tidy",
    help=N_(
        "Remove redundant copies of entries from SOURCES: print a unified diff that keeps one copy per note "
        "(the card's wording); --write applies it. Near duplicates and conflicts are only reported."
    ),
)
@sources_argument
@click.option("--write", is_flag=True, help=N_("Apply the changes to the sources (all files or none)."))
@domain_errors
def tidy_command(sources: tuple[str, ...], write: bool) -> None:
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, clock
    from qa2anki.tidy import tidy

    root = _project()
    report = _keep(tidy(Options(cwd=root, now=clock(), sources=_sources(root, sources)), write=write))
    click.echo(report.diff(), nl=False)
    for left in report.left:
        click.echo(str(left), err=True)
    documents = len(report.documents)
    if report.written:
        message = _("removed {copies} from {documents}")
    elif report.removed:
        message = _("{copies} to remove from {documents} (qa2anki tidy --write does it)")
    elif report.left:
        message = _("nothing to tidy: no copy can go (those above are left on purpose)")
    else:
        message = _("nothing to tidy: no note has a redundant copy")
    copies = ngettext("{count} copy", "{count} copies", report.removed).format(count=report.removed)
    click.echo(message.format(copies=copies, documents=_documents(documents)), err=True)


@cli.command(
    "forget",
    help=N_(
        "Mark removed notes (by GUID, see list --removed) as deleted in Anki: they are no longer listed. "
        "Their records stay in the lock, so an entry that comes back gets its GUID again."
    ),
)
@click.argument("guids", nargs=-1, required=True)
@click.option("--lock", "lock", help=N_("The lock file [default: qa2anki.lock in the first source folder]."))
@domain_errors
def forget_command(guids: tuple[str, ...], lock: str | None) -> None:
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import Options, forget

    root = _project()
    done = forget(Options(cwd=root, now=0, lock=_from_here(root, lock)), guids)
    for note in done.forgotten:
        click.echo(_("forgot {guid}  {question}").format(guid=note.guid, question=_one_line(note.written)))
    for note in done.already:
        click.echo(_("{guid} was forgotten before").format(guid=note.guid))
    count = len(done.forgotten)
    if done.forgotten:
        message = ngettext(
            "{count} note forgotten; wrote {lock}", "{count} notes forgotten; wrote {lock}", count
        )
    else:
        message = _("no note forgotten; {lock} unchanged")
    click.echo(message.format(count=count, lock=done.lock_path))


@cli.command(
    "preview",
    help=N_(
        "Write one self-contained HTML page showing every note as Anki will show it, front and back, with "
        "tags, merged sources and a search box. The deck and the lock are not touched."
    ),
)
@sources_argument
@click.option(
    "-o", "--output", help=N_("The HTML page to write [default: build/preview.html in the project].")
)
@click.option("--lock", "lock", help=N_("The lock file to take GUIDs and statuses from."))
@click.option(
    "--watch",
    is_flag=True,
    help=N_(
        "Keep going: serve the page on this machine, rebuild it whenever a source changes, and let the "
        "open page reload itself. Ctrl-C stops."
    ),
)
@click.option(
    "--port",
    default=8765,
    type=click.IntRange(0, 65535),
    help=N_("The port --watch serves on [default: 8765]."),
)
@domain_errors
def preview_command(
    sources: tuple[str, ...], output: str | None, lock: str | None, watch: bool, port: int
) -> None:
    # Imported here: `qa2anki --help` must not pay for the pipeline's imports.
    from qa2anki.build import CACHE_FOLDER, Options, clock, inputs

    root = _project()
    options = Options(cwd=root, now=clock(), sources=_sources(root, sources), lock=_from_here(root, lock))
    page = Path.cwd() / output if output else root / PREVIEW_PAGE
    if not watch:
        _write_preview(options, page, None)
        return
    from qa2anki.watch import watch_preview

    watch_preview(
        partial(_write_preview, options, page),
        inputs(options),
        (page, root / CACHE_FOLDER),
        port,
        click.echo,
    )


def _write_preview(options: Options, output: Path, live_build: str | None) -> bytes:
    """Build the preview page (as build ``live_build`` of ``--watch``), write it, say so, return it."""
    from qa2anki.atomic import write_atomic
    from qa2anki.build import clock, listing
    from qa2anki.preview import preview_html

    report = _keep(listing(replace(options, now=clock())))
    _print_problems(report.problems, SHOWN_PROBLEMS)
    page = preview_html(report, live_build).encode("utf-8")
    try:
        write_atomic(output, page)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = _("cannot write the preview: {reason}").format(reason=reason)
        raise Qa2AnkiError(message, _shown(output, options.cwd)) from None
    shown = _shown(output, options.cwd)  # (absolute outside the project, as build says its deck)
    click.echo(_("{count} notes; wrote {output}").format(count=len(report.notes), output=shown))
    return page


def _interactive() -> bool:
    """Whether someone can answer a question (``init`` asks for the deck name only then)."""
    return sys.stdin is not None and sys.stdin.isatty()  # None: started without a standard input


def _deck_name(value: str) -> str:
    from qa2anki.config import deck_name_problem

    problem = deck_name_problem(value)
    if problem:
        raise click.BadParameter(problem)
    return value.strip()


@cli.command(
    "init",
    help=N_(
        "Start a deck project in DIRECTORY (default: here): pyproject.toml with the deck name, source/ "
        "with an example document, .gitignore, a GitHub workflow and a README. Existing files are never "
        "overwritten."
    ),
)
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--deck",
    "deck_name",
    callback=lambda _ctx, _param, value: None if value is None else _deck_name(value),
    help=N_(
        "The deck's name in Anki, '::' between sub-decks [default: asked; without a terminal, the "
        "folder's name]."
    ),
)
@domain_errors
def init_command(directory: Path, deck_name: str | None) -> None:
    from qa2anki.scaffold import default_deck_name, scaffold

    folder = directory  # as typed: relative to the current folder, and shown as the user wrote it
    if deck_name is None:
        offered = default_deck_name(folder)
        if _interactive():
            question = _("Deck name ('::' between sub-decks)")
            deck_name = click.prompt(question, default=offered, value_proc=_deck_name)
        else:
            deck_name = offered
    done = scaffold(folder, deck_name)
    for path in done.files:
        click.echo(_("created {path}").format(path=done.folder / path))
    click.echo(_("deck {name}").format(name=deck_name))
    shown = f'"{folder}"' if any(c.isspace() for c in str(folder)) else str(folder)  # (copied as one path)
    steps = [] if folder.resolve() == Path.cwd().resolve() else [f"cd {shown}"]
    steps += [_("put your documents in source/ (delete source/example.md)"), "qa2anki build"]
    click.echo(_("next: {steps}").format(steps=_(", ").join(steps)))


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
