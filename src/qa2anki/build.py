"""The pipeline, step by step: read → parse → normalise → render → identify → write.

``build`` runs every step and writes the deck and the lock (a dry run stops short of writing);
``analyse`` stops after normalising (what ``check`` needs). Each returns a frozen report the CLI prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa2anki import __version__
from qa2anki.atomic import fill, stage
from qa2anki.config import Config, load_config
from qa2anki.errors import LockError, Problem, ProblemsFound, Qa2AnkiError, SchemaError, Severity
from qa2anki.identity import Identification, IdentifiedNote, Status, identify
from qa2anki.identity import Thresholds as ReidentifyThresholds
from qa2anki.lockfile import LOCK_NAME, Lock, LockedNote, json_string, lock_bytes, read_lock
from qa2anki.media import Media, MediaFile, collect_media
from qa2anki.normalize import Normalized, Note, Thresholds, normalize
from qa2anki.notetype import NOTE_TYPE
from qa2anki.parse import DEFAULT_LABELS, Entry, Labels
from qa2anki.render import RenderedNote, render_note
from qa2anki.scan import ScanStats, encode_blob, load_blob, save_cache, scan_documents
from qa2anki.sidejob import side_job
from qa2anki.sources import Document, display_path, read_documents

CACHE_FOLDER = "build/.qa2anki-cache"
"""Where section scans and clustering results are cached, relative to the project folder."""
CLUSTERS_NAME = "clusters.marshal"
CLUSTERS_TAG = f"qa2anki {__version__} clusters"


def clock() -> int:
    """Now, in whole seconds: ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds), else the time."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip() == "":
        return int(time.time())
    try:
        seconds = int(value.strip())
    except ValueError:
        raise Qa2AnkiError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, not {value!r}") from None
    if seconds < 0:
        raise Qa2AnkiError("SOURCE_DATE_EPOCH must not be negative")
    return seconds


@dataclass(frozen=True)
class Options:
    """What to build and how; every path is relative to ``cwd``."""

    cwd: Path
    """The project folder: where ``pyproject.toml`` is read and relative paths start."""
    now: int
    """The build time, seconds (see :func:`clock`)."""
    sources: tuple[str, ...] = ()
    """Files or folders to read; ``[tool.qa2anki] sources`` when empty."""
    output: str | None = None
    """The ``.apkg`` to write; ``[tool.qa2anki] output`` or ``build/<slug>.apkg`` when not set."""
    lock: str | None = None
    """The lock file; ``qa2anki.lock`` in the first source folder (beside a single source file)."""
    strict: bool = False
    """Warnings stop the build like errors."""
    dry_run: bool = False
    """Compute and report everything, write nothing."""
    locked: bool = False
    """Fail when the lock would change (for CI jobs that must not drift)."""
    progress: Progress | None = field(default=None, compare=False)
    """Told (stage, done, total) as the build goes; the CLI draws a progress bar on a terminal."""


Progress = Callable[[str, int, int], None]
"""A progress callback: stage name, units done, units in all (0 when not counted)."""


@dataclass(frozen=True)
class Analysis:
    """The sources read, parsed and clustered."""

    config: Config
    """The project's settings."""
    documents: tuple[Document, ...]
    """The source documents."""
    entries: tuple[Entry, ...]
    """Every entry found."""
    normalized: Normalized
    """The unique notes."""
    problems: tuple[Problem, ...]
    """Parse and clustering problems."""
    scan: ScanStats
    """How parsing went, and the parse cache to save if the build succeeds."""
    media: Media
    """The local images the entries show."""
    clusters: bytes | None = None
    """The clustering memo to save if the build succeeds (``None``: the stored one is still right)."""

    def media_of(self, notes: Sequence[Note]) -> list[MediaFile]:
        """The image files the given notes' cards show, each once, sorted by name."""
        names = {
            self.media.names[(entry.path, src)]
            for note in notes
            for entry in (note.shown, *note.alternatives)
            for src, _ in entry.images
            if (entry.path, src) in self.media.names
        }
        return [MediaFile(name, self.media.files[name]) for name in sorted(names)]


@dataclass(frozen=True)
class BuildReport:
    """What a build did (or, for a dry run, would do)."""

    analysis: Analysis
    """The sources as read."""
    identification: Identification
    """GUIDs, mod times, changes against the lock."""
    output: str
    """The deck's path, for display."""
    lock_path: str
    """The lock's path, for display."""
    written: bool
    """Whether the deck and lock were written."""
    lock_changed: bool
    """Whether the lock differs from the one read."""
    problems: tuple[Problem, ...] = field(default=())
    """Every warning of the build."""

    @property
    def notes(self) -> tuple[IdentifiedNote, ...]:
        """The deck's notes."""
        return self.identification.notes

    def count(self, status: Status) -> int:
        """How many notes have this status."""
        return sum(1 for n in self.identification.notes if n.status == status)

    @property
    def removed(self) -> tuple[LockedNote, ...]:
        """Notes the sources no longer have (Anki keeps them: users delete by hand)."""
        return self.identification.removed

    @property
    def merged(self) -> int:
        """Entries folded into another entry's note."""
        return len(self.analysis.entries) - len(self.analysis.normalized.notes)

    @property
    def topics(self) -> int:
        """Distinct topics."""
        return len({t for n in self.analysis.normalized.notes for t in n.topics})


def _thresholds(config: Config) -> Thresholds:
    return Thresholds(question=config.near_duplicate_question, answer=config.near_duplicate_answer)


@contextlib.contextmanager
def _without_cycle_collector() -> Iterator[None]:
    """Python's cycle collector off for the duration: a build makes millions of small objects that hold
    no cycles and live to its end, and the collector would walk all of them again and again (about 40% of
    a large rebuild). Whatever garbage does form is freed when it is switched back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Everything made meanwhile is in the youngest generation, which the next allocation would
            # walk whole: move it to the oldest (collected rarely, and still collected) first.
            gc.freeze()
            gc.enable()
            gc.unfreeze()


def analyse(
    options: Options, config: Config | None = None, save_scans: bool = False, defer_save: bool = False
) -> Analysis:
    """Read, parse and cluster the sources; with ``save_scans``, update the section cache (with
    ``defer_save``, a small update may be left in ``Analysis.scan.save`` for the caller to do)."""
    with _without_cycle_collector():
        return _analyse(options, config, save_scans, defer_save)


def _analyse(options: Options, config: Config | None, save_scans: bool, defer_save: bool) -> Analysis:
    config = config or load_config(options.cwd)
    sources = options.sources or config.sources
    documents = tuple(read_documents(sources, options.cwd))
    report = options.progress or (lambda stage, done, total: None)
    labels = Labels(
        question=DEFAULT_LABELS.question + config.question_labels,
        answer=DEFAULT_LABELS.answer + config.answer_labels,
        answer_side=DEFAULT_LABELS.answer_side,
        heading_questions=config.heading_questions,
    )
    parsed, scan = scan_documents(
        documents,
        options.cwd / CACHE_FOLDER,
        progress=lambda done, total: report("parsing", done, total),
        labels=labels,
        save=save_scans,
        defer=defer_save,
    )
    report("merging duplicates", 0, 0)
    remembered = load_blob(options.cwd / CACHE_FOLDER / CLUSTERS_NAME, CLUSTERS_TAG)
    memo = remembered if isinstance(remembered, dict) else {}
    normalized = normalize(parsed.entries, _thresholds(config), memo)
    clusters = encode_blob(CLUSTERS_TAG, normalized.memo) if normalized.memo != memo else None
    media = collect_media(parsed.entries, options.cwd)
    problems = [*parsed.problems, *normalized.problems, *media.problems]
    if not parsed.entries:
        problems.append(
            Problem(
                display_path(options.cwd / sources[0], options.cwd),
                0,
                Severity.ERROR,
                "no 面试题/答案 entries in the sources; nothing to build",
            )
        )
    return Analysis(config, documents, parsed.entries, normalized, tuple(problems), scan, media, clusters)


def blocking(problems: tuple[Problem, ...], strict: bool) -> tuple[Problem, ...]:
    """The problems that stop a build: errors, and warnings too under ``--strict``."""
    return tuple(p for p in problems if strict or p.severity == Severity.ERROR)


def _lock_path(options: Options, config: Config) -> Path:
    if options.lock:
        return options.cwd / options.lock
    first = options.cwd / (options.sources or config.sources)[0]
    return (first if first.is_dir() else first.parent) / LOCK_NAME


def content_hash(rendered: RenderedNote) -> str:
    """A hash of what a note shows: its fields and tags (of their JSON text, ``[[fields], [tags]]``)."""
    # json.dumps([fields, tags], ensure_ascii=False), written out: json.dumps with options builds a new
    # encoder every call, and this runs for every note.
    fields, tags = ", ".join(map(json_string, rendered.fields)), ", ".join(map(json_string, rendered.tags))
    payload = f"[[{fields}], [{tags}]]"
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


@contextlib.contextmanager
def _exclusive(folder: Path, cwd: Path) -> Iterator[None]:
    """Builds that write into the same folder wait for each other."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / ".qa2anki-build.lock", "a")  # noqa: SIM115 - closed below
    except OSError as exc:
        where = display_path(folder, cwd)
        raise Qa2AnkiError(f"cannot write into this folder: {exc.strerror or exc}", where) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(options: Options) -> BuildReport:
    """Build the deck and update the lock; with ``dry_run``, everything but the writing."""
    write = not options.dry_run
    config = load_config(options.cwd)
    output = options.cwd / (options.output or config.default_output)
    if output.suffix.lower() != ".apkg":
        raise Qa2AnkiError(f"the output must end in .apkg: {options.output or config.default_output}")
    context = _exclusive(output.parent, options.cwd) if write else contextlib.nullcontext()
    with context, _without_cycle_collector():
        return _build_locked(options, config, output, write)


def _build_locked(options: Options, config: Config, output: Path, write: bool) -> BuildReport:
    analysis = analyse(options, config, save_scans=write, defer_save=write)
    try:
        return _build_analysed(options, config, output, write, analysis)
    except Qa2AnkiError:
        # A scan is true whatever becomes of the build: the next one need not parse it again (unless the
        # thread that writes the lock has saved it already).
        if analysis.scan.save is not None:
            analysis.scan.save()
        raise


def _build_analysed(
    options: Options, config: Config, output: Path, write: bool, analysis: Analysis
) -> BuildReport:
    stopping = blocking(analysis.problems, options.strict)
    if stopping:
        raise ProblemsFound(_problems_message(stopping, options.strict), problems=stopping)
    lock_path = _lock_path(options, config)
    lock_display = display_path(lock_path, options.cwd)
    old_lock = read_lock(lock_path, lock_display)
    notes = analysis.normalized.notes
    rendered = {note.key: render_note(note, analysis.media.names) for note in notes}
    if options.progress:
        options.progress("identifying notes", 0, 0)
    try:
        identification = identify(
            notes,
            {key: content_hash(r) for key, r in rendered.items()},
            old_lock,
            options.now,
            NOTE_TYPE,
            ReidentifyThresholds(config.reidentify_threshold, config.reidentify_margin),
        )
    except SchemaError as exc:
        raise SchemaError(exc.message, lock_display) from None
    problems = (*analysis.problems, *identification.problems)
    stopping = blocking(identification.problems, options.strict)
    if stopping:
        raise ProblemsFound(_problems_message(stopping, options.strict), problems=stopping)
    # Compared as data: two text dumps of a large lock cost seconds, and only its content matters.
    lock_changed = not lock_path.exists() or identification.lock != old_lock
    if options.locked and lock_changed:
        raise LockError(
            "the lock would change (run qa2anki build without --locked and commit the lock)", lock_display
        )
    if write:
        # Imported lazily: check, list and --help never pay for genanki.
        from qa2anki.apkg import DeckNote, apkg_bytes

        if options.progress:
            options.progress("writing the deck", 0, 0)

        def deck() -> bytes:
            return apkg_bytes(
                config.deck_name,
                config.resolved_deck_id,
                NOTE_TYPE,
                identification.notetype_mod,
                [
                    DeckNote(item.guid, shown.fields, shown.tags, item.mod)
                    for item in identification.notes
                    for shown in (rendered[item.note.key],)
                ],
                analysis.media_of(notes),
            )

        def caches() -> None:
            if analysis.scan.save is not None:
                analysis.scan.save()
            if analysis.clusters is not None:
                save_cache(options.cwd / CACHE_FOLDER, analysis.clusters, CLUSTERS_NAME)

        _write_outputs(
            Output(output, display_path(output, options.cwd), "the deck"),
            deck,
            Output(lock_path, lock_display, "the lock") if lock_changed else None,
            identification.lock,
            caches,
        )
    return BuildReport(
        analysis=analysis,
        identification=identification,
        output=display_path(output, options.cwd),
        lock_path=lock_display,
        written=write,
        lock_changed=lock_changed,
        problems=tuple(problems),
    )


@dataclass(frozen=True)
class Output:
    """A file a build writes."""

    path: Path
    """Where it goes."""
    display: str
    """How error messages name it."""
    what: str
    """What it is, for error messages (``the deck``)."""


@contextlib.contextmanager
def _writing(output: Output) -> Iterator[None]:
    """An operating-system error inside is an error naming the file."""
    try:
        yield
    except OSError as exc:
        raise Qa2AnkiError(f"cannot write {output.what}: {exc.strerror or exc}", output.display) from None


def _write_outputs(
    deck_file: Output,
    deck: Callable[[], bytes],
    lock_file: Output | None,
    lock: Lock,
    caches: Callable[[], None],
) -> None:
    """Make the deck while a second thread writes the lock (when it changed) and the caches; both files
    are staged beside their destinations and put in place only when both are complete, so a failure of
    either leaves the deck and the lock as they were."""
    staged: list[tuple[Output, Path]] = []
    try:
        for output in (deck_file, lock_file):
            if output is not None:
                with _writing(output):
                    staged.append((output, stage(output.path)))
        (_, deck_staged), *lock_staged = staged

        def side() -> None:
            for output, path in lock_staged:
                with _writing(output):
                    fill(path, lock_bytes(lock))
            caches()

        with side_job(side, "writing the lock"), _writing(deck_file):
            fill(deck_staged, deck())
        # The deck first: it is what users import; a lock left behind is written again by the next build.
        for output, path in staged:
            with _writing(output):
                os.replace(path, output.path)
    finally:
        for _, path in staged:
            path.unlink(missing_ok=True)


def _problems_message(problems: tuple[Problem, ...], strict: bool) -> str:
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    warnings = len(problems) - errors
    parts = [f"{errors} error(s)"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning(s) (--strict)")
    return f"{' and '.join(parts)} found; nothing was written"
