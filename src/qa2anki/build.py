"""The pipeline, step by step: read → parse → normalise → render → identify → write.

``build`` runs every step and writes the deck and the lock (a dry run stops short of writing);
``analyse`` stops after normalising (what ``check`` needs). Each returns a frozen report the CLI prints.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qa2anki import carry
from qa2anki.atomic import CommitError, commit, fill, stage
from qa2anki.cache import DamagedCache, decoding, encode_blob, load_blob, save_cache
from qa2anki.config import Config, load_config, setting_line
from qa2anki.errors import (
    LockError,
    Problem,
    ProblemsFound,
    Qa2AnkiError,
    SchemaError,
    Severity,
    SourceError,
)
from qa2anki.guard import guard_document
from qa2anki.i18n import N_, ngettext
from qa2anki.i18n import gettext as _
from qa2anki.identity import Identification, IdentifiedNote, Status, identify, previous_wordings
from qa2anki.identity import Thresholds as ReidentifyThresholds
from qa2anki.lockfile import (
    EMPTY_LOCK,
    LOCK_NAME,
    MAX_MOD,
    Lock,
    LockedNote,
    committed_revision,
    conflict_line,
    json_string,
    lock_bytes,
    lock_digest,
    note_from_line,
    read_lock_and_digest,
    read_lock_carrying,
    unmerged,
    write_lock,
)
from qa2anki.media import Media, MediaFile, collect_media, read_media
from qa2anki.normalize import ANSWER_FLOOR, Normalized, Note, Thresholds, fold_topic, normalize, note_tags
from qa2anki.notetype import NOTE_TYPE
from qa2anki.parse import DEFAULT_LABELS, Entry, Labels, ParseResult, strip_numbering
from qa2anki.render import RenderedNote, anki_search, render_note
from qa2anki.scan import (
    ScanStats,
    SectionedDocument,
    scan_documents,
    scan_sections,
)
from qa2anki.sidejob import side_job, side_process
from qa2anki.similarity import letter_count
from qa2anki.sources import SOURCE_SUFFIXES, Document, SourceFile, display_path, find_sources, read_document

if TYPE_CHECKING:
    from qa2anki.apkg import DeckNote

CACHE_FOLDER = "build/.qa2anki-cache"
"""Where section scans and clustering results are cached, relative to the project folder."""
CLUSTERS_NAME = "clusters.marshal"
CLUSTERS_TAG = "clusters"


def clock() -> int:
    """Now, in whole seconds: ``SOURCE_DATE_EPOCH`` when it is set (reproducible builds), else the time."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip() == "":
        return int(time.time())
    try:
        seconds = int(value.strip())
    except ValueError:
        message = _("SOURCE_DATE_EPOCH must be whole seconds since 1970, not {value}")
        raise Qa2AnkiError(message.format(value=repr(value))) from None
    if seconds < 0:
        raise Qa2AnkiError(_("SOURCE_DATE_EPOCH must not be negative"))
    if seconds > MAX_MOD:
        # (milliseconds, most likely: written into the lock, that time would make it unreadable)
        message = _("SOURCE_DATE_EPOCH must be whole seconds since 1970 before the year 10000, not {value}")
        raise Qa2AnkiError(message.format(value=repr(value)))
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
    """The lock file; ``qa2anki.lock`` in the first source folder (beside a single source file); the
    project's for sources inside its configured ones."""
    strict: bool = False
    """Warnings stop the build like errors."""
    dry_run: bool = False
    """Compute and report everything, write nothing."""
    locked: bool = False
    """Fail when the lock would change (for CI jobs that must not drift)."""
    new_lock: bool = False
    """Start a new lock although an earlier build left a deck or a ledger (a missing lock is otherwise
    refused there: a new lock gives every note a new GUID)."""
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
    sectioned: tuple[SectionedDocument | ParseResult, ...] = ()
    """Each document's sections (or, for one assembled whole, its entries): what the ledger records."""

    def media_of(self, notes: Sequence[Note]) -> list[MediaFile]:
        """The image files the given notes' cards show, each once, sorted by name."""
        names = {name for note in notes for name in self.media_names(note)}
        return [MediaFile(name, self.media.files[name]) for name in sorted(names)]

    def media_names(self, note: Note) -> tuple[str, ...]:
        """The packed names of the images a note's card shows, sorted."""
        return tuple(
            sorted(
                {
                    self.media.names[(entry.path, src)]
                    for entry in (note.shown, *note.alternatives)
                    for src, _ in entry.images
                    if (entry.path, src) in self.media.names
                }
            )
        )


@dataclass(frozen=True)
class Reuse:
    """Whether a build carried notes over from the last one, and if it did not, why."""

    carried: int
    """Notes carried over unchanged, without being parsed or clustered again (see :mod:`qa2anki.carry`)."""
    reason: str = ""
    """Why no note was carried over (``""`` when some were)."""
    built: int = 0
    """Notes built afresh beside the carried ones."""
    sections: int = 0
    """Sections in all the sources."""
    scanned: int = 0
    """Sections parsed afresh (the others came from the cache)."""

    damaged: bool = False
    """Whether the parse cache was damaged (and everything was parsed afresh)."""

    @property
    def parsing(self) -> str:
        """What the parse cache saved, in a line."""
        if self.damaged:
            return ngettext(
                "parsed {sections} section afresh: the parse cache was damaged (rewritten)",
                "parsed all {sections} sections afresh: the parse cache was damaged (rewritten)",
                self.sections,
            ).format(sections=f"{self.sections:,}")
        if self.scanned >= self.sections:
            return ngettext(
                "parsed {sections} section afresh: the parse cache did not hold it",
                "parsed all {sections} sections afresh: the parse cache held none of them",
                self.sections,
            ).format(sections=f"{self.sections:,}")
        return ngettext(
            "parsed {scanned} of {sections} section afresh; the rest came from the cache",
            "parsed {scanned} of {sections} sections afresh; the rest came from the cache",
            self.sections,
        ).format(scanned=f"{self.scanned:,}", sections=f"{self.sections:,}")

    def __str__(self) -> str:
        if self.carried:
            return ngettext(
                "carried {carried} note over from the last build; built {built} afresh "
                "in the topics the changes touch",
                "carried {carried} notes over from the last build; built {built} afresh "
                "in the topics the changes touch",
                self.carried,
            ).format(carried=f"{self.carried:,}", built=f"{self.built:,}")
        return _("carried no notes over: {reason}").format(reason=self.reason)


@dataclass(frozen=True)
class BuildReport:
    """What a build did (or, for a dry run, would do). Every field means the same whether notes were
    carried over or built afresh."""

    config: Config
    """The project's settings."""
    document_count: int
    """Source documents read."""
    entry_count: int
    """Entries in all the sources."""
    note_count: int
    """Notes in the deck."""
    topic_count: int
    """Distinct topics in all the sources."""
    changed: tuple[IdentifiedNote, ...]
    """Every note the build adds, updates, re-identifies or revives, in deck order (the other notes of
    the deck are unchanged)."""
    removed: tuple[LockedNote, ...]
    """Notes the sources no longer have since this build (Anki keeps them: users delete by hand)."""
    awaiting: tuple[LockedNote, ...]
    """Every removed note the user has not yet said is gone from Anki (``qa2anki forget``), this
    build's included."""
    problems: tuple[Problem, ...]
    """Every warning of the build."""
    output: str
    """The deck's path, for display."""
    lock_path: str
    """The lock's path, for display."""
    written: bool
    """Whether the deck and lock were written."""
    lock_changed: bool
    """Whether the lock differs from the one read."""
    lock_started: bool
    """Whether there was no lock: every note is new, its GUID made from its question (a first build)."""
    reuse: Reuse
    """What the build took over from the last one."""
    partial: bool = False
    """Whether the build read part of the project's sources into its lock: the notes of the other
    documents count as removed until a build of all of them (so none is for the user to delete)."""
    card_problems: tuple[Problem, ...] = ()
    """Those of :attr:`problems` that compare the cards with the lock (a card removed, re-identified or
    kept from an edit): ``check`` never says them, so the command line prints them all."""
    held: object = field(default=None, repr=False, compare=False)
    """The build's own data (entries, notes, the lock read), held as long as the report: the command
    line keeps the report to its end and then exits without freeing anything (see
    :func:`qa2anki.cli.main`), where freeing a large build's objects one by one took 0.15 s."""

    def count(self, status: Status) -> int:
        """How many notes have this status."""
        changed = sum(1 for n in self.changed if n.status == status)
        return self.note_count - len(self.changed) if status == Status.UNCHANGED else changed

    @property
    def merged(self) -> int:
        """Entries folded into another entry's note."""
        return self.entry_count - self.note_count

    @property
    def topics(self) -> int:
        """Distinct topics."""
        return self.topic_count


@dataclass(frozen=True)
class Listing:
    """Every note the sources make, identified against the lock: what ``list`` and ``preview`` show."""

    analysis: Analysis
    """The sources read, parsed and clustered."""
    identification: Identification
    """Every note with its GUID and status against the lock."""
    problems: tuple[Problem, ...]
    """Every warning."""

    @property
    def notes(self) -> tuple[IdentifiedNote, ...]:
        """Every note, in deck order."""
        return self.identification.notes

    @property
    def removed(self) -> tuple[LockedNote, ...]:
        """Notes the lock has that the sources no longer have."""
        return self.identification.removed

    @property
    def awaiting(self) -> tuple[LockedNote, ...]:
        """Every removed note not yet forgotten (see :func:`forget`), in GUID order."""
        return awaiting(self.identification.lock)

    @property
    def deck(self) -> str:
        """The deck's name."""
        return self.analysis.config.deck_name

    def search(self, note: LockedNote) -> str:
        """An Anki search that finds a removed note (see :func:`removed_searches`)."""
        return self._searches[note.guid].search

    def also_finds(self, note: LockedNote) -> tuple[str, ...]:
        """The GUIDs of notes still in the deck that a removed note's search finds too (see
        :func:`removed_searches`)."""
        return self._searches[note.guid].also_finds

    @cached_property
    def _searches(self) -> dict[str, RemovedSearch]:
        return removed_searches(self.identification.lock, self.deck)

    @property
    def entry_count(self) -> int:
        """Entries in all the sources."""
        return len(self.analysis.entries)

    @property
    def note_count(self) -> int:
        """Unique notes."""
        return len(self.identification.notes)

    @property
    def merged(self) -> int:
        """Entries folded into another entry's note."""
        return self.entry_count - self.note_count

    @property
    def topics(self) -> int:
        """Distinct topics."""
        return len({topic for n in self.identification.notes for topic in n.note.topics})


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress told to nobody."""


def _progress(options: Options) -> Progress:
    return options.progress or _no_progress


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
        config = config or load_config(options.cwd)
        previous = _previous(options, config)
        sources = _read(options, config, save_scans, defer_save)
        return _analysed(options, config, sources, save_scans, previous)


def _previous(options: Options, config: Config) -> tuple[Lock, str] | None:
    """The lock and its SHA-256, read before the notes are made (what its cards show decides which copy's
    wording a card shows); ``None`` when it cannot be read (the build reports that in its own order)."""
    lock_path = _lock_path(options, config)
    try:
        return read_lock_and_digest(lock_path, display_path(lock_path, options.cwd))
    except LockError:
        return None


@dataclass(frozen=True)
class _Sources:
    """The sources read and scanned, their entries not decoded yet."""

    documents: tuple[Document, ...]
    """The source documents."""
    labels: Labels
    """The labels they were scanned with."""
    sectioned: list[SectionedDocument | ParseResult]
    """Each document's sections (or its entries, when it was assembled whole)."""
    scan: ScanStats
    """How the scan went (and the cache writing it may have left for later)."""
    defer_save: bool
    """Whether a small cache write may be left for later (a writing build)."""
    refused: tuple[Problem, ...] = ()
    """A warning for each run of lines the guard left out (see :mod:`qa2anki.guard`)."""


def _read(
    options: Options,
    config: Config,
    save_scans: bool,
    defer_save: bool,
    found: Sequence[SourceFile] | None = None,
    given: Sequence[Document] | None = None,
) -> _Sources:
    """The sources read and scanned (``found``: the source files, when the caller has looked for them;
    ``given``: the documents themselves, when the caller has them)."""
    if given is not None:
        documents = tuple(given)
    else:
        files = _found(options, config) if found is None else found
        documents = tuple(map(read_document, files))
    # What the guard leaves of each document is what every later step sees (see qa2anki.guard).
    guarded = [guard_document(document) for document in documents]
    documents = tuple(document for document, _ in guarded)
    labels = labels_of(config)
    sectioned, scan = scan_sections(
        documents,
        options.cwd / CACHE_FOLDER,
        progress=partial(_progress(options), N_("parsing")),
        labels=labels,
        save=save_scans,
        defer=defer_save,
    )
    refused = tuple(problem for _, problems in guarded for problem in problems)
    return _Sources(documents, labels, sectioned, scan, defer_save, refused)


def labels_of(config: Config) -> Labels:
    """The labels the project's entries are recognised by."""
    return Labels(
        question=DEFAULT_LABELS.question + config.question_labels,
        answer=DEFAULT_LABELS.answer + config.answer_labels,
        answer_side=DEFAULT_LABELS.answer_side,
        heading_questions=config.heading_questions,
    )


def _decoded(sectioned: Sequence[SectionedDocument | ParseResult]) -> ParseResult:
    """Every document's entries and problems (:class:`qa2anki.cache.DamagedCache` when a cached part
    turns out damaged)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document in sectioned:
        if isinstance(document, SectionedDocument):
            for index in range(len(document.part_keys)):
                entries.extend(document.entries(index))
        else:
            entries.extend(document.entries)
        problems.extend(document.problems)
    return ParseResult(tuple(entries), tuple(problems))


def _analysed(
    options: Options,
    config: Config,
    sources: _Sources,
    save_scans: bool,
    previous: tuple[Lock, str] | None = None,
) -> Analysis:
    scan, sectioned = sources.scan, tuple(sources.sectioned)
    try:
        parsed = _decoded(sources.sectioned)
    except DamagedCache:
        # Damaged cache files: scan as a cold build would (the damaged parts are assembled again).
        parsed, scan = scan_documents(
            sources.documents,
            options.cwd / CACHE_FOLDER,
            labels=sources.labels,
            save=save_scans,
            defer=sources.defer_save,
        )
        sectioned = ()
    _progress(options)(N_("merging duplicates"), 0, 0)
    remembered = load_blob(options.cwd / CACHE_FOLDER / CLUSTERS_NAME, CLUSTERS_TAG)
    memo = remembered if isinstance(remembered, dict) else {}
    wordings = previous_wordings(previous[0]) if previous is not None else None
    normalized = normalize(parsed.entries, _thresholds(config), memo, previous=wordings)
    clusters = encode_blob(CLUSTERS_TAG, normalized.memo) if normalized.memo != memo else None
    media = collect_media(parsed.entries, options.cwd)
    problems = [*sources.refused, *parsed.problems, *normalized.problems, *media.problems]
    if not parsed.entries:
        named = options.sources or config.sources
        problems.append(
            Problem(
                display_path(options.cwd / named[0], options.cwd),
                0,
                Severity.ERROR,
                _("no 面试题/答案 entries in the sources; nothing to build"),
            )
        )
    return Analysis(
        config,
        sources.documents,
        parsed.entries,
        normalized,
        tuple(problems),
        scan,
        media,
        clusters,
        sectioned,
    )


@dataclass(frozen=True)
class Checked:
    """What ``check`` reports: the analysis, and hints for the user to decide (see :mod:`qa2anki.hints`)."""

    analysis: Analysis
    """The sources read, parsed and clustered."""
    hints: tuple[Problem, ...]
    """Near misses between notes, and the shapes of documents without entries."""


def check(options: Options) -> Checked:
    """Read, parse and cluster the sources (as :func:`analyse`), and find the hints."""
    # Imported here: build and list never pay for it.
    from qa2anki.hints import asked_differently, near_misses, same_questions, shape_hints, unread_labels
    from qa2anki.parse import scan_section

    analysis = analyse(options)
    unresolved = _unmerged_documents(options.cwd, analysis.documents)
    if unresolved:
        analysis = replace(analysis, problems=tuple(sorted((*analysis.problems, *unresolved))))
    notes = analysis.normalized.notes
    thresholds = _thresholds(analysis.config)
    hints = [*near_misses(notes, thresholds), *asked_differently(notes, thresholds), *same_questions(notes)]
    hints += unread_labels(analysis.entries)
    found = {entry.path for entry in analysis.entries}
    for document in analysis.documents:
        if document.path not in found:
            # Documents without entries are parsed again, whole: few, and usually small.
            hints.extend(shape_hints(document, scan_section(document.text, analysis.scan.labels)))
    return Checked(analysis, tuple(sorted(hints)))


def blocking(problems: tuple[Problem, ...], strict: bool) -> tuple[Problem, ...]:
    """The problems that stop a build: errors, and warnings too under ``--strict`` (hints never)."""
    return tuple(
        p for p in problems if p.severity == Severity.ERROR or (strict and p.severity == Severity.WARNING)
    )


def lock_path(options: Options) -> Path:
    """The lock file the options and the project's settings name."""
    return _lock_path(options, load_config(options.cwd))


def _lock_path(options: Options, config: Config) -> Path:
    """``--lock``; else beside the first source folder: the project's (its first configured source), also
    for sources given inside the configured ones (``build source/sub/go.md`` is this project's)."""
    if options.lock:
        return options.cwd / options.lock
    first = options.cwd / (config.sources if _given_inside(options, config) else options.sources)[0]
    return (first if first.is_dir() else first.parent) / LOCK_NAME


def _found(options: Options, config: Config) -> list[SourceFile]:
    """The source files of the build, named as a build of all the configured sources names them. A lock
    file named among them is refused: read as a document it gave "no entries" and nothing more."""
    found = find_sources(options.sources or config.sources, options.cwd, roots=config.sources)
    lock = _lock_path(options, config).resolve()
    for source in found:
        # (a --lock that names a document is refused for what it is: see _own_lock_file)
        if source.file.name == LOCK_NAME or (
            source.file.resolve() == lock and lock.suffix.lower() not in SOURCE_SUFFIXES
        ):
            message = _("this is a lock file (it keeps the notes' GUIDs), not a document: name the documents")
            raise SourceError(message, source.path)
    return found


def _given_inside(options: Options, config: Config) -> bool:
    """Whether every source given is one of the configured ones or inside one (true when none is given)."""
    return all(_within(options.cwd / source, options.cwd, config.sources) for source in options.sources)


def _within(path: Path, cwd: Path, sources: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``sources`` or inside one of them."""
    resolved = path.resolve()
    return any(resolved.is_relative_to((cwd / source).resolve()) for source in sources)


def _part_of_the_sources(options: Options, config: Config, lock_display: str) -> tuple[Problem, ...]:
    """A warning when the sources given are part of the configured ones and the lock is the project's:
    the notes of the rest are marked removed in it (a full build brings them back, GUIDs and all)."""
    given = options.sources
    if options.lock or not given or not _given_inside(options, config):
        return ()
    if all(_within(options.cwd / source, options.cwd, given) for source in config.sources):
        return ()
    message = _(
        "built from part of the sources ({given} of {configured}): the notes of the other documents are "
        "marked removed in this lock, until a build of all the sources brings them back; documents for a "
        "deck of their own want a project of their own (qa2anki init)"
    )
    return (
        Problem(
            lock_display,
            0,
            Severity.WARNING,
            message.format(given=", ".join(given), configured=", ".join(config.sources)),
        ),
    )


def inputs(options: Options) -> tuple[Path, ...]:
    """What a build reads from the project: the sources (files or folders), the lock and the settings."""
    config = load_config(options.cwd)
    sources = options.sources or config.sources
    return (
        *(options.cwd / source for source in sources),
        _lock_path(options, config),
        options.cwd / "pyproject.toml",
    )


def content_hash(rendered: RenderedNote) -> str:
    """A hash of what a note shows: its fields and tags (of their JSON text, ``[[fields], [tags]]``)."""
    # json.dumps([fields, tags], ensure_ascii=False), written out: json.dumps with options builds a new
    # encoder every call, and this runs for every note.
    fields, tags = ", ".join(map(json_string, rendered.fields)), ", ".join(map(json_string, rendered.tags))
    payload = f"[[{fields}], [{tags}]]"
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def lock_guard(lock_path: Path) -> Path:
    """The file whose OS lock a writing build holds for the qa2anki lock at ``lock_path``: in the
    temporary folder, named by the lock's full path, so that no stray file appears beside the sources."""
    return _guard(lock_path, ".lock")


def cache_guard(cwd: Path) -> Path:
    """The file whose OS lock a writing build holds for the project's cache folder (builds of one project
    with different locks share it)."""
    return _guard(cwd / CACHE_FOLDER, ".cache.lock")


def _guard(path: Path, suffix: str) -> Path:
    shared = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    return Path(tempfile.gettempdir()) / f"qa2anki-{shared}{suffix}"


@contextlib.contextmanager
def _exclusive(output: Path, lock_path: Path, cwd: Path) -> Iterator[None]:
    """Builds that share a lock, or a cache folder, wait for each other. The locks are the operating
    system's (on Linux, macOS and Windows alike), held by the process: a build that dies lets go of them.
    Their files are in the temporary folder (see :func:`lock_guard`): none is left in the folder the
    deck goes to (``-o ~/Desktop/deck.apkg``). The deck itself is written atomically."""
    # Imported here: it costs 40 ms, which check, list and --help need not pay.
    from filelock import FileLock

    folder = output.parent
    with contextlib.ExitStack() as held:
        try:
            # Always in this order: two builds never hold one lock each and wait for the other's.
            held.enter_context(FileLock(lock_guard(lock_path)))
            held.enter_context(FileLock(cache_guard(cwd)))
            # A folder the deck cannot go to is said before the build, not after it.
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            where = display_path(folder, cwd)
            reason = exc.strerror or str(exc)
            raise Qa2AnkiError(
                _("cannot write into this folder: {reason}").format(reason=reason), where
            ) from None
        yield


MAX_FILE_NAME = 255
"""The longest file name, in bytes, that Linux, macOS and Windows file systems all take."""


def build(options: Options) -> BuildReport:
    """Build the deck and update the lock; with ``dry_run``, everything but the writing."""
    write = not options.dry_run
    config = load_config(options.cwd)
    output = options.cwd / (options.output or config.default_output)
    if output.suffix.lower() != ".apkg":
        named = options.output or config.default_output
        raise Qa2AnkiError(_("the output must end in .apkg: {output}").format(output=named))
    if len(os.fsencode(output.name)) > MAX_FILE_NAME:
        message = _(
            "the deck's file name is {size} bytes long, more than file systems allow ({limit}): shorten "
            "deck_name in [tool.qa2anki], or name the deck with -o"
        )
        raise Qa2AnkiError(message.format(size=len(os.fsencode(output.name)), limit=MAX_FILE_NAME))
    # Sources that are not there are reported before the build folder is made or locked.
    found = _found(options, config)
    lock_path = _lock_path(options, config)
    if options.lock:
        _own_lock_file(lock_path, output, found, options)
    context = _exclusive(output, lock_path, options.cwd) if write else contextlib.nullcontext()
    with context, _without_cycle_collector():
        return _build_locked(options, config, output, write, found)


def _own_lock_file(lock_path: Path, output: Path, found: Sequence[SourceFile], options: Options) -> None:
    """Refuse a ``--lock`` that names a file the build reads or writes as something else (a source
    document, the settings, the deck): writing the lock there destroyed it."""
    target = lock_path.resolve()
    what = ""
    if target == output.resolve():
        what = _("the deck")
    elif target.name == "pyproject.toml":
        what = _("the settings")
    elif target.suffix.lower() in SOURCE_SUFFIXES or any(target == source.file.resolve() for source in found):
        what = _("a source document")
    if what:
        refused = _("--lock {lock} names {what}: the lock would overwrite it; give the lock its own file")
        raise Qa2AnkiError(refused.format(lock=options.lock, what=what))


def listing(options: Options, documents: Sequence[Document] | None = None) -> Listing:
    """Every note the sources make, identified against the lock, nothing written (``list``, ``preview``,
    ``tidy``); ``documents``: these instead of the sources' files."""
    with _without_cycle_collector():
        config = load_config(options.cwd)
        previous = _previous(options, config)
        sources = _read(options, config, False, False, given=documents)
        analysis = _analysed(options, config, sources, save_scans=False, previous=previous)
        _stop_on(analysis.problems, options.strict)
        lock_path = _lock_path(options, config)
        lock_display = display_path(lock_path, options.cwd)
        old_lock, _ = previous or read_lock_and_digest(lock_path, lock_display)
        contents = _contents(_rendered(analysis))
        identification = _identified(options, config, analysis, contents, old_lock, frozenset())
        merged = _conflict_merged(old_lock, lock_display)
        _stop_on((*identification.problems, *merged), options.strict)
        return Listing(analysis, identification, (*analysis.problems, *identification.problems, *merged))


def _build_locked(
    options: Options, config: Config, output: Path, write: bool, found: Sequence[SourceFile]
) -> BuildReport:
    sources = _read(options, config, save_scans=write, defer_save=write, found=found)
    scan = sources.scan
    try:
        carried = _carry(options, config, sources) if write else _("a dry run builds every note")
        previous = None
        if isinstance(carried, _Carried):
            analysis = carried.analysis
        else:
            previous = _previous(options, config)
            analysis = _analysed(options, config, sources, save_scans=write, previous=previous)
            scan = analysis.scan
        return _finish(options, config, output, write, analysis, carried, previous)
    except Qa2AnkiError:
        # A scan is true whatever becomes of the build: the next one need not parse it again. (A thread
        # that wrote the lock has saved it already; a forked writer's save is not seen here, and the same
        # files are written again.)
        if scan.save is not None:
            scan.save()
        raise


def _signature(options: Options, config: Config, documents: Sequence[Document]) -> str:
    """What must be as it was for the ledger to be used: settings, options and the documents' names."""
    return carry.signature(
        config,
        options.sources,
        options.output,
        options.lock,
        NOTE_TYPE.fingerprint,
        [(document.path, document.name) for document in documents],
    )


@dataclass(frozen=True)
class _Carried:
    """What a build that carries notes over brings to the end of the build."""

    ledger: carry.Ledger
    """The last build's ledger."""
    plan: carry.Carry
    """The notes carried over, and the entries built afresh."""
    lock: Lock
    """The lock read (its SHA-256 is the ledger's), the carried notes' records left unparsed."""
    documents: tuple[SectionedDocument, ...]
    """Each document's sections."""
    media: tuple[MediaFile, ...]
    """The images the carried notes show, read again (and found unchanged)."""
    analysis: Analysis
    """The entries and notes of the regions built afresh."""

    @property
    def kept(self) -> frozenset[str]:
        """The GUIDs of the notes carried over."""
        return frozenset(note.guid for note in self.plan.carried)


def _carry(options: Options, config: Config, sources: _Sources) -> _Carried | str:
    """The notes the ledger says are unchanged, carried over, and the regions the changes touch,
    analysed; or why the ledger cannot be used (then the build is a full one)."""
    for document, sectioned in zip(sources.documents, sources.sectioned, strict=True):
        if not isinstance(sectioned, SectionedDocument):
            message = _(
                "{path} is read as one piece, since an entry in it runs on from one section into the "
                "next (a deeper heading inside an answer, say); the deck is the same, only built afresh"
            )
            return message.format(path=document.path)
    documents = tuple(d for d in sources.sectioned if isinstance(d, SectionedDocument))
    folder = options.cwd / CACHE_FOLDER
    ledger = carry.load_ledger(folder)
    if ledger is None:
        return _("the record of the last build's notes {state}").format(state=carry.ledger_state(folder))
    if ledger.signature != _signature(options, config, sources.documents):
        return _("the settings, the options or the list of documents changed since the last build")
    try:
        # The ledger is the last build's own data: whatever in it does not fit means it is damaged.
        with decoding():
            return _carried(options, config, sources, ledger, documents)
    except DamagedCache:
        return _("the record of the last build's notes, or a cached section, is damaged")


def _carried(
    options: Options,
    config: Config,
    sources: _Sources,
    ledger: carry.Ledger,
    documents: tuple[SectionedDocument, ...],
) -> _Carried | str:
    plan = carry.plan(ledger, documents)
    if plan is None:
        return _("the documents no longer line up with the last build's")
    lock_path = _lock_path(options, config)
    kept = {note.guid: (note.content, note.mod) for note in plan.carried}
    old_lock = read_lock_carrying(lock_path, display_path(lock_path, options.cwd), ledger.lock, kept)
    if old_lock is None:
        lock_display = display_path(lock_path, options.cwd)
        return _("{lock} is not the lock the last build left").format(lock=lock_display)
    if not sum(sum(document.counts) for document in documents):
        return _("the sources have no entries")
    # The carried notes' images, read again: their fields hold names made from the files' bytes.
    carried_media = []
    for name in sorted({name for note in plan.carried for name in note.media}):
        found = read_media(name, ledger.media[name], options.cwd)
        if found is None:
            message = _("an image of a carried note is missing or changed ({image})")
            return message.format(image=ledger.media[name][0])
        carried_media.append(found)
    analysis = _carried_analysis(options, config, sources, plan, documents, old_lock)
    return _Carried(ledger, plan, old_lock, documents, tuple(carried_media), analysis)


def _carried_analysis(
    options: Options,
    config: Config,
    sources: _Sources,
    plan: carry.Carry,
    documents: tuple[SectionedDocument, ...],
    lock: Lock,
) -> Analysis:
    """The regions a carried build builds afresh, clustered (the carried notes' conflicts, stale copies
    and disagreeing edits reported)."""
    _progress(options)(N_("merging duplicates"), 0, 0)
    folder = options.cwd / CACHE_FOLDER
    remembered = load_blob(folder / CLUSTERS_NAME, CLUSTERS_TAG)
    memo = remembered if isinstance(remembered, dict) else {}
    normalized = normalize(plan.entries, _thresholds(config), memo, previous=previous_wordings(lock))
    # The memo keeps what the carried regions' topics need too (a full build drops what it did not use).
    next_memo = {**memo, **normalized.memo}
    clusters = encode_blob(CLUSTERS_TAG, next_memo) if next_memo != memo else None
    media = collect_media(plan.entries, options.cwd)
    places = [(document.document.path, document.lines) for document in documents]
    problems = [
        *sources.refused,
        *(problem for document in documents for problem in document.problems),
        *sorted([*normalized.problems, *carry.notices(plan.carried, places)]),
        *media.problems,
    ]
    return Analysis(
        config,
        sources.documents,
        plan.entries,
        normalized,
        tuple(problems),
        sources.scan,
        media,
        clusters,
        documents,
    )


def _stop_on(problems: tuple[Problem, ...], strict: bool) -> None:
    stopping = blocking(problems, strict)
    if stopping:
        raise ProblemsFound(_problems_message(stopping, strict), problems=stopping, found=problems)


def _rendered(analysis: Analysis) -> dict[str, RenderedNote]:
    """Each note's fields, by note key."""
    return {note.key: render_note(note, analysis.media.names) for note in analysis.normalized.notes}


def _contents(rendered: dict[str, RenderedNote]) -> dict[str, str]:
    """A hash of each note's fields and tags, by note key: what says a note changed."""
    return {key: content_hash(r) for key, r in rendered.items()}


def _identified(
    options: Options,
    config: Config,
    analysis: Analysis,
    contents: dict[str, str],
    old_lock: Lock,
    kept: frozenset[str],
) -> Identification:
    """The notes matched against the lock: GUIDs, mod times, the next lock."""
    _progress(options)(N_("identifying notes"), 0, 0)
    try:
        return identify(
            analysis.normalized.notes,
            contents,
            old_lock,
            options.now,
            NOTE_TYPE,
            ReidentifyThresholds(config.reidentify_threshold, config.reidentify_margin),
            kept,
            config.deck_name,
        )
    except SchemaError as exc:
        lock_path = _lock_path(options, config)
        raise SchemaError(exc.message, display_path(lock_path, options.cwd)) from None


def _finish(
    options: Options,
    config: Config,
    output: Path,
    write: bool,
    analysis: Analysis,
    carried: _Carried | str,
    previous: tuple[Lock, str] | None = None,
) -> BuildReport:
    """Render and identify the notes, write the deck and the lock (unless it is a dry run), and report."""
    _stop_on(analysis.problems, options.strict)
    lock_path = _lock_path(options, config)
    lock_display = display_path(lock_path, options.cwd)
    if not options.new_lock:
        _refuse_a_missing_lock(options, lock_path, output, analysis.normalized.notes)
    anew: tuple[Problem, ...]
    if isinstance(carried, _Carried):
        old_lock, old_digest, kept = carried.lock, carried.ledger.lock, carried.kept
        anew = _new_lock_kept(lock_display) if options.new_lock else ()
    else:
        old_lock, old_digest, anew = _lock_or_anew(options, lock_path, lock_display, previous)
        kept = frozenset()
    rendered = _rendered(analysis)
    contents = _contents(rendered)
    identification = _identified(options, config, analysis, contents, old_lock, kept)
    partial = _part_of_the_sources(options, config, lock_display)
    warnings = _unmerged_documents(options.cwd, analysis.documents)
    warnings += _deck_renamed(options, config, old_lock) + partial
    warnings += anew + _split_copies(identification, old_lock) + _reverted(identification)
    warnings += _joined_cards(identification) + _unread_questions(identification, analysis.documents)
    if write and not isinstance(carried, _Carried):
        warnings += _went_back(options, identification, contents, output)
    card_problems = (*identification.problems, *warnings)
    _stop_on(card_problems, options.strict)
    # Compared as data: two text dumps of a large lock cost seconds, and only its content matters.
    lock_started = not lock_path.exists()
    lock_changed = lock_started or identification.lock != old_lock
    if options.locked and (old_lock.conflict is not None or old_lock.shared_keys):
        conflict = _(
            "the lock holds a git merge conflict (run qa2anki build without --locked and commit the lock)"
        )
        raise LockError(conflict, lock_display, old_lock.conflict.line if old_lock.conflict else None)
    if options.locked and lock_changed and not _only_recorded(identification.lock, old_lock):
        would = _("the lock would change ({changes}; run qa2anki build without --locked and commit the lock)")
        raise LockError(would.format(changes=_lock_changes(identification)), lock_display)
    ledger = carried if isinstance(carried, _Carried) else None
    built = _Built(analysis, identification, rendered, contents, ledger)
    if write:
        _write(options, config, output, built, lock_changed, old_digest)
    notes = identification.notes
    topics = {t for n in notes for t in n.note.topics}
    if ledger is not None:
        touched, names = ledger.plan.touched, ledger.ledger.names
        topics.update(
            *(n for topic, n in zip(ledger.ledger.topics, names, strict=True) if topic not in touched)
        )
    return BuildReport(
        config=config,
        document_count=len(analysis.documents),
        entry_count=sum(sum(d.counts) for d in ledger.documents) if ledger else len(analysis.entries),
        note_count=len(notes) + len(kept),
        topic_count=len(topics),
        changed=tuple(sorted((item for item in notes if item.status != Status.UNCHANGED), key=_first_place)),
        removed=identification.removed,
        awaiting=awaiting(identification.lock),
        problems=(*analysis.problems, *card_problems),
        output=display_path(output, options.cwd),
        lock_path=lock_display,
        written=write,
        lock_changed=lock_changed,
        lock_started=lock_started,
        reuse=Reuse(
            len(kept),
            carried if isinstance(carried, str) else "" if kept else _("the changes touch every topic"),
            len(notes),
            analysis.scan.sections,
            analysis.scan.scanned,
            analysis.scan.damaged,
        ),
        partial=bool(partial),
        card_problems=card_problems,
        held=(built, old_lock, previous),
    )


def changes_line(count: Callable[[Status], int], removed: int) -> str:
    """The build's summary of what changed: how many notes have each status (``count``) and how many were
    removed."""
    return _(
        "{added} added, {updated} updated, {reidentified} re-identified, {revived} revived, "
        "{unchanged} unchanged, {removed} removed"
    ).format(
        added=count(Status.ADDED),
        updated=count(Status.UPDATED),
        reidentified=count(Status.REIDENTIFIED),
        revived=count(Status.REVIVED),
        unchanged=count(Status.UNCHANGED),
        removed=removed,
    )


def _lock_changes(identification: Identification) -> str:
    """What a build would change in the lock, as the build's summary line says it, and where the first
    changed note is."""
    counts = Counter(item.status for item in identification.notes)
    summary = changes_line(counts.__getitem__, len(identification.removed))
    changed = [item for item in identification.notes if item.status != Status.UNCHANGED]
    if not changed:
        return summary
    path, line = min(map(_first_place, changed))
    return _("{summary}; the first at {place}").format(summary=summary, place=f"{path}:{line}")


def awaiting(lock: Lock) -> tuple[LockedNote, ...]:
    """The lock's removed notes that the user has not said are gone from Anki."""
    return tuple(note for note in lock.notes if not note.present and not note.forgotten)


@dataclass(frozen=True)
class RemovedSearch:
    """How to find a removed note in Anki."""

    search: str
    """An Anki search (Browse) that finds it."""
    also_finds: tuple[str, ...]
    """GUIDs of notes still in the deck that the search finds too: same question, same topics. Nothing
    in a search tells them apart, so the user must (by the answer)."""


def removed_searches(lock: Lock, deck: str) -> dict[str, RemovedSearch]:
    """A search for each removed note not yet forgotten, by GUID, in the deck its notes were built into.

    The search is by question (see :func:`qa2anki.render.anki_search`), and a question can stand under
    several topics as separate notes: when notes still in the deck share its question, the search also
    asks for its topic tags and leaves out a topic tag that only they have, so that following it never
    deletes a note the user still studies."""
    notetype = lock.notetype.id if lock.notetype is not None else NOTE_TYPE.id
    live: dict[str, list[LockedNote]] = {}
    for note in lock.notes:
        if note.present:
            live.setdefault(note.question, []).append(note)
    searches = {}
    for note in awaiting(lock):
        tags: tuple[str, ...] = ()
        without: set[str] = set()
        also: list[str] = []
        sharing = live.get(note.question, [])
        if sharing:
            own = set(note_tags(note.topics, ()))
            tags = tuple(sorted(own))
            for other in sharing:
                theirs = set(note_tags(other.topics, ()))
                if own - theirs:
                    continue  # a topic tag of its own tells them apart
                if theirs - own:
                    without.add(min(theirs - own))
                else:
                    also.append(other.guid)
        search = anki_search(lock.deck or deck, notetype, note.written, tags, sorted(without))
        searches[note.guid] = RemovedSearch(search, tuple(sorted(also)))
    return searches


@dataclass(frozen=True)
class Forgotten:
    """What ``forget`` did."""

    lock_path: str
    """The lock's path, for display."""
    forgotten: tuple[LockedNote, ...]
    """The removed notes now marked gone."""
    already: tuple[LockedNote, ...]
    """Those that were marked gone before."""


def forget(options: Options, guids: Sequence[str]) -> Forgotten:
    """Mark removed notes as deleted in Anki: they are no longer listed as removed (their tombstones stay
    in the lock, so a returning entry still gets its GUID back). Only the lock is written."""
    config = load_config(options.cwd)
    lock_path = _lock_path(options, config)
    display = display_path(lock_path, options.cwd)
    from filelock import FileLock

    with FileLock(lock_guard(lock_path)):
        if not lock_path.exists():
            raise LockError(_("there is no lock: nothing was removed"), display)
        lock, _digest = read_lock_and_digest(lock_path, display)
        if lock.conflict is not None:
            conflict = _("the lock holds a git merge conflict: build first (it keeps both sides' notes)")
            raise LockError(conflict, display, lock.conflict.line)
        by_guid = {note.guid: note for note in lock.notes}
        unknown = [guid for guid in guids if guid not in by_guid]
        if unknown:
            missing = _("no note with GUID {guids} in the lock")
            raise LockError(missing.format(guids=", ".join(unknown)), display)
        present = [guid for guid in guids if by_guid[guid].present]
        if present:
            raise LockError(
                _(
                    "{guids} is still in the sources (or was until the last build): only removed notes can "
                    "be forgotten (qa2anki list --removed lists them)"
                ).format(guids=", ".join(present)),
                display,
            )
        chosen = {guid: by_guid[guid] for guid in guids}
        already = tuple(note for note in chosen.values() if note.forgotten)
        newly = tuple(note for note in chosen.values() if not note.forgotten)
        if newly:
            notes = tuple(
                replace(note, forgotten=True) if note.guid in chosen else note for note in lock.notes
            )
            write_lock(lock_path, replace(lock, notes=notes))
    return Forgotten(display, newly, already)


def _only_recorded(lock: Lock, old: Lock) -> bool:
    """Whether ``lock`` differs from ``old`` only in what ``old`` was written without (the deck, the
    wordings of its notes: a lock written by an earlier version is not drift, the next build records
    them), or in the wordings of copies that are gone (``qa2anki tidy`` removed them: the deck is the
    same, the next build forgets them)."""
    by_guid = {note.guid: note for note in old.notes}

    def unrecorded(note: LockedNote) -> LockedNote:
        before = by_guid.get(note.guid)
        if before is None:
            return note
        if not before.recorded:
            return replace(note, question_md="", wording="", others=(), older=())
        if set(note.others) <= set(before.others) and set(note.older) <= set(before.older):
            return replace(note, others=before.others, older=before.older)
        return note

    if old.deck is None:
        lock = replace(lock, deck=None)
    return replace(lock, notes=tuple(map(unrecorded, lock.notes))) == old


def _split_copies(identification: Identification, old_lock: Lock) -> tuple[Problem, ...]:
    """A warning for each added note that asks what a note of the lock asked, while that note goes on:
    Anki shows two cards with one front. Under one of the note's topics it is a copy edited differently;
    under another it may be that (a copy moved there and edited, a section deleted and put back as it
    was, whose copy had the card's edit) or a question of its own, and the warning says so. Notes carried
    over are asked too: their lock lines, left unparsed, are searched for the question, so that a build
    that carries notes says what a full build says."""
    added = [item for item in identification.notes if item.status == Status.ADDED]
    if not added:
        return ()
    now = {note.guid for note in identification.lock.notes if note.present} | set(
        identification.lock.unparsed
    )
    asked: dict[str, list[LockedNote]] = {}
    answering: dict[str, list[LockedNote]] = {}
    for locked in old_lock.notes:
        if locked.present and locked.guid in now:
            asked.setdefault(locked.question, []).append(locked)
            answering.setdefault(locked.answer, []).append(locked)
    carried = _CarriedQuestions(old_lock.unparsed)
    problems: list[Problem] = []
    for item in added:
        question = item.note.question_folded
        topic = fold_topic(item.note.topic)
        others = asked.get(question, []) + carried.asking(question)
        if not others:
            problems += _reworded_copy(item, answering, carried)
            continue
        same = [locked for locked in others if topic in map(fold_topic, locked.topics)]
        if same:
            message = _(
                "this copy of note {guid} ({question}) was edited differently from the note's other "
                "copy: it is a note of its own now, and Anki shows two cards with this question; make "
                "the copies the same again (or delete one) to keep one card"
            )
        else:
            message = _(
                "this new note asks what note {guid} asks ({question}, under {topics}): if it is a copy "
                "of that note edited differently, Anki shows two cards with this question; make the "
                "copies the same again (or delete one) to keep one card"
            )
        locked = min(same or others, key=attrgetter("guid"))
        first = item.note.first
        text = message.format(
            guid=locked.guid, question=item.note.question_md, topics=" / ".join(locked.topics)
        )
        problems.append(Problem(first.path, first.line, Severity.WARNING, text))
    return tuple(problems)


def _reworded_copy(
    item: IdentifiedNote, answering: Mapping[str, list[LockedNote]], carried: _CarriedQuestions
) -> list[Problem]:
    """A warning for an added note that gives, under a question of its own, the whole answer of a note of
    the lock that goes on under its topic: a copy of that note whose question alone was reworded (the
    note's other copies still ask the old question, so the card goes on with them, and the reworded copy
    is a card without history), or a new question over a pasted answer. Which one only the user knows;
    an answer too short to tell (see :data:`qa2anki.normalize.ANSWER_FLOOR`) says nothing."""
    answer, topic = item.note.answer_folded, fold_topic(item.note.topic)
    others = [
        locked
        for locked in answering.get(answer, []) + carried.answering(answer)
        if topic in map(fold_topic, locked.topics)
    ]
    if not others or letter_count(answer) < ANSWER_FLOOR:
        return []
    locked = min(others, key=attrgetter("guid"))
    message = _(
        "this new note has the whole answer of note {guid} ({question}) under a question of its own: if "
        "you reworded a copy of that note, before importing this deck restore the lock, reword the other "
        "copies the same way (or delete them) and build again, and the card keeps its history; if it is "
        "a new question, give it an answer of its own"
    ).format(guid=locked.guid, question=locked.question_md or locked.question)
    first = item.note.first
    return [Problem(first.path, first.line, Severity.WARNING, message)]


class _CarriedQuestions:
    """The lock lines of the notes a build carried over (left unparsed), searched by folded question: a
    line holds ``"question": <JSON string>,`` as this program writes it."""

    def __init__(self, unparsed: Mapping[str, bytes]) -> None:
        self.lines = unparsed
        self._joined: bytes | None = None

    def asking(self, question: str) -> list[LockedNote]:
        """The carried notes whose folded question is ``question``."""
        return self._holding(f'"question": {json_string(question)}, "answer"')

    def answering(self, answer: str) -> list[LockedNote]:
        """The carried notes whose folded answer is ``answer``."""
        return self._holding(f'"answer": {json_string(answer)}, "topics"')

    def _holding(self, text: str) -> list[LockedNote]:
        if not self.lines:
            return []
        if self._joined is None:
            self._joined = b"\n".join(self.lines[guid] for guid in sorted(self.lines))
        needle = text.encode("utf-8", "surrogatepass")
        found: list[LockedNote] = []
        at = self._joined.find(needle)
        while at >= 0:
            start = self._joined.rfind(b"\n", 0, at) + 1
            end = self._joined.find(b"\n", at)
            line = self._joined[start : end if end >= 0 else len(self._joined)]
            with contextlib.suppress(ValueError, KeyError, TypeError):
                found.append(note_from_line(line))
            at = self._joined.find(needle, at + len(needle))
        return found


def _reverted(identification: Identification) -> tuple[Problem, ...]:
    """A warning for each note whose card goes back to a wording it showed before its last edit: the
    copy that held the edit is gone (deleted with a summary section), and the copies left hold the
    older one, so the edit leaves the card."""
    after = {note.guid: note for note in identification.lock.notes}
    problems: list[Problem] = []
    for item in identification.notes:
        old, new = item.previous, after[item.guid]
        if old is None or not old.present or not old.recorded:
            continue
        if new.wording == old.wording or new.wording not in old.older:
            continue
        first = item.note.first
        message = _(
            "the card goes back to the wording it showed before its last edit: no copy holds that edit "
            "any more (its copy was deleted?); make this copy say what the card should show"
        )
        problems.append(Problem(first.path, first.line, Severity.WARNING, message))
    return tuple(problems)


def _joined_cards(identification: Identification) -> tuple[Problem, ...]:
    """A warning for each note this build removes that says exactly what a note that goes on says, under
    another heading: the same entry added on two branches, each built and studied, and one note holds
    both copies after the merge (a note's wording is its own). Its card is no longer in the deck, but
    its entry is: "no longer in the sources" would not say why."""
    if not identification.removed:
        return ()
    # (Only the wording a card shows: a removed note's wording among another's others is a conflicting
    # answer or an older wording, which the build says otherwise.)
    holders = {item.note.wording: item for item in identification.notes}
    problems: list[Problem] = []
    for removed in identification.removed:
        if not removed.wording or (holder := holders.get(removed.wording)) is None:
            continue
        topics = {fold_topic(topic) for topic in removed.topics}
        copies = [m.entry for m in holder.note.merges if fold_topic(m.entry.topic) in topics]
        if not copies or holder.note.shown in copies:
            continue  # (its copy was deleted: it is gone indeed)
        entry = copies[0]
        shown = holder.note.shown
        message = _(
            "note {guid} (under {topics}) is removed, though its entry is still here: it says exactly what "
            "the card at {shown} says, and one note holds both copies (the same entry added on two "
            "branches?); Anki keeps the removed card and its review history on import: delete it there by "
            "hand (qa2anki list --removed finds it)"
        ).format(guid=removed.guid, topics=" / ".join(removed.topics), shown=f"{shown.path}:{shown.line}")
        problems.append(Problem(entry.path, entry.line, Severity.WARNING, message))
    return tuple(problems)


_MARKUP_RE = re.compile(r"[#*_>`\s]+")
QUESTION_KEY_LETTERS = 4
"""How long a question must be (after its markup and numbering) to be looked for in the sources."""
QUESTION_SHOWN = 60
"""How much of a question a warning quotes."""


def _question_key(line: str) -> str:
    """A line's words, to find a card's question among the sources' lines: markup, a list marker or
    heading number and white space dropped (``### 3. 事务的隔离级别`` and ``事务的隔离级别`` are one)."""
    return _MARKUP_RE.sub("", strip_numbering(line.strip().lstrip("#>*-+ \t")))


def _question_lines(documents: Sequence[Document]) -> dict[str, tuple[str, int]]:
    """Where each line of the sources stands (the first time), by :func:`_question_key`; a table row's
    cells each on their own."""
    found: dict[str, tuple[str, int]] = {}
    for document in documents:
        for number, line in enumerate(document.text.split("\n"), 1):
            stripped = line.strip()
            cells = stripped.strip("|").split("|") if stripped.startswith("|") else (stripped,)
            for cell in cells:
                found.setdefault(_question_key(cell), (document.path, number))
    return found


def _unread_questions(identification: Identification, documents: Sequence[Document]) -> tuple[Problem, ...]:
    """A warning for each note this build removes whose question still stands in the sources, as a line
    (or table cell) of its own that is in no entry now: the document around it changed how it reads (its
    title or file name, how many headings of its level ask: a file split, merged or renamed, questions
    added). Without it, only "no longer in the sources" would be said, of a card studied for months."""
    removed = [
        (note, key)
        for note in identification.removed
        if len(key := _question_key(note.question_md.strip().split("\n", 1)[0])) >= QUESTION_KEY_LETTERS
    ]
    if not removed:
        return ()
    asked = {
        _question_key(merge.entry.question_md.strip().split("\n", 1)[0])
        for item in identification.notes
        for merge in item.note.merges
    }
    lines = _question_lines(documents)
    problems: list[Problem] = []
    for note, key in sorted(removed, key=lambda found: lines.get(found[1], ("", 0))):
        if key in asked or (place := lines.get(key)) is None:
            continue
        question = " ".join(note.question_md.split())
        question = question if len(question) <= QUESTION_SHOWN else question[: QUESTION_SHOWN - 1] + "…"
        message = _(
            "note {guid} ({question}) is removed, though its question is still here: it is no longer read "
            "as a question (did the document's title, its file name, or how many headings of its level "
            "ask change?); to keep the card and its review history, make it ask again (end it with ？, or "
            "label it **面试题：**)"
        )
        problems.append(
            Problem(place[0], place[1], Severity.WARNING, message.format(guid=note.guid, question=question))
        )
    return tuple(problems)


def _deck_renamed(options: Options, config: Config, lock: Lock) -> tuple[Problem, ...]:
    """A warning when ``deck_name`` is not the deck the lock's notes were built into: Anki matches decks
    by name, so the cards users have stay in the old deck."""
    if lock.deck is None or lock.deck == config.deck_name or not lock.notes:
        return ()
    old, new = lock.deck, config.deck_name
    return (
        Problem(
            display_path(options.cwd / "pyproject.toml", options.cwd),
            setting_line(options.cwd, "deck_name"),
            Severity.WARNING,
            _(
                "deck_name is now {new}, but the lock's notes were built into {old}: Anki matches decks by "
                "name, so cards already imported stay in {old} and only new ones go to {new}. Rename the "
                "deck in Anki to {new} before importing, or set deck_name back to {old}"
            ).format(new=repr(new), old=repr(old)),
        ),
    )


def _went_back(
    options: Options, identification: Identification, contents: Mapping[str, str], output: Path
) -> tuple[Problem, ...]:
    """A warning for each note whose text is older than what the last build wrote for it: the lock and
    the sources were restored together (``git revert``, ``git checkout``), so the note's mod is the older
    one, and Anki, which imports a note only when it is newer, keeps the newer text. Only the last build's
    ledger knows this; a clean checkout has nothing newer to warn about."""
    last = carry.load_written(options.cwd / CACHE_FOLDER)
    if last is None:
        return ()
    problems = []
    for item in identification.notes:
        written = last.get(item.guid)
        if written is None or item.mod > written[0] or written[1] == contents[item.note.key]:
            continue
        entry = item.note.first
        problems.append(
            Problem(
                entry.path,
                entry.line,
                Severity.WARNING,
                _(
                    "this note goes back to older text than the last build wrote (a git revert or checkout "
                    "of the lock?), and Anki imports a note only when it is newer: import {deck} with "
                    "'Update notes: Always' once, or edit this entry again"
                ).format(deck=display_path(output, options.cwd)),
            )
        )
    return tuple(problems)


NEW_LOCK_KEPT = N_(
    "--new-lock starts a lock only where it is missing or damaged: this one is sound, and kept (it is what "
    "keeps every card's history)"
)


def _lock_or_anew(
    options: Options, lock_path: Path, display: str, previous: tuple[Lock, str] | None
) -> tuple[Lock, str, tuple[Problem, ...]]:
    """The lock, its digest and what ``--new-lock`` did to it: a damaged lock is started anew (an empty
    one) with a warning saying how it was damaged; a sound one is kept, and said to be."""
    try:
        lock, digest = previous or read_lock_and_digest(lock_path, display)
    except LockError as damage:
        if not options.new_lock:
            raise
        message = _("the lock was damaged ({damage}); --new-lock starts it anew: edited notes get new GUIDs")
        return EMPTY_LOCK, "", (Problem(display, 0, Severity.WARNING, message.format(damage=damage.message)),)
    kept = _new_lock_kept(display) if options.new_lock and digest else ()
    return lock, digest, kept + _conflict_merged(lock, display)


def _unmerged_documents(cwd: Path, documents: Sequence[Document]) -> tuple[Problem, ...]:
    """An error for each document git has in an unresolved merge conflict that still holds its markers: its
    cards would hold them and both sides' text, and the entries the conflict cut would be reported removed.
    (A lock in conflict is read side by side; a document cannot be. One resolved but not added yet is
    built; a marker line in a document git has no conflict in is text, a tutorial's example.)"""
    if not documents:
        return ()
    conflicted = unmerged(cwd)
    if not conflicted:
        return ()
    message = _("this document still holds git's conflict markers: resolve the conflict, then build")
    return tuple(
        Problem(document.path, line, Severity.ERROR, message)
        for document in documents
        if (cwd / document.path).resolve() in conflicted and (line := conflict_line(document.text))
    )


def _conflict_merged(lock: Lock, display: str) -> tuple[Problem, ...]:
    """The warnings that the lock held a merge conflict and both sides were read, or that two of its notes
    had one key."""
    shared: tuple[Problem, ...] = ()
    if lock.shared_keys:
        rekeyed = _(
            "notes {guids} each had a key another note of the lock has too (two branches each added the "
            "entry): the note changed later keeps it, these are matched by their questions and answers"
        )
        shared = (Problem(display, 0, Severity.WARNING, rekeyed.format(guids=", ".join(lock.shared_keys))),)
    if lock.conflict is None:
        return shared
    merged = _(
        "the lock holds a git merge conflict: both sides' notes are kept ({ours} only on ours, {theirs} only "
        "on theirs, {differing} on both but recorded differently: the later change taken); a build writes "
        "the lock whole again, then git add it"
    )
    conflict = lock.conflict
    text = merged.format(ours=conflict.ours, theirs=conflict.theirs, differing=conflict.differing)
    return (Problem(display, conflict.line, Severity.WARNING, text), *shared)


def _new_lock_kept(display: str) -> tuple[Problem, ...]:
    """The warning that ``--new-lock`` kept a sound lock."""
    return (Problem(display, 0, Severity.WARNING, _(NEW_LOCK_KEPT)),)


def _refuse_a_missing_lock(options: Options, lock_path: Path, output: Path, notes: Sequence[Note]) -> None:
    """A missing lock where a deck or a ledger shows an earlier build, or where another lock of the project
    holds this build's notes (the sources moved, and the lock stayed behind), is an error: a new lock would
    give every note a new GUID, and re-imported cards would come back as duplicates without their history."""
    if lock_path.exists():
        return
    display = display_path(lock_path, options.cwd)
    # (A lock given by --lock is where the user says it is.)
    behind = None if options.lock else _lock_left_behind(options.cwd, lock_path, notes)
    if behind is not None:
        found = display_path(behind, options.cwd)
        raise LockError(
            _(
                "there is no lock here, but {found} holds this build's notes (the sources moved away from "
                "it?): move it here (git mv {found} {lock}), or give --lock {found}; qa2anki build "
                "--new-lock starts anew, and every card's history with it"
            ).format(found=found, lock=display),
            display,
        )
    ledger = options.cwd / CACHE_FOLDER / carry.LEDGER_NAME
    evidence = output if output.exists() else ledger if ledger.exists() else None
    if evidence is None:
        if (revision := committed_revision(lock_path)) is not None:
            raise LockError(
                _(
                    "the lock is missing, but git history has it: a new lock would give every note a new "
                    "GUID, and re-imported cards would come back as duplicates without their history. "
                    "Restore it (git checkout {revision} -- {lock}), or run qa2anki build --new-lock to "
                    "start anew"
                ).format(revision=revision, lock=display),
                display,
            )
        return  # a first build
    raise LockError(
        _(
            "the lock is missing, but {evidence} shows an earlier build: a new lock would give every note "
            "a new GUID, and re-imported cards would lose their history. Restore the lock (git checkout -- "
            "the file, or from a backup), or run qa2anki build --new-lock to start anew"
        ).format(evidence=display_path(evidence, options.cwd)),
        display,
    )


LOCK_SEARCH_DEPTH = 3
"""How deep below the working folder a build looks for a lock left behind (see :func:`_lock_left_behind`)."""
_NOT_SEARCHED = frozenset(("build", "node_modules", "venv", "__pycache__", "site-packages"))


def _lock_left_behind(cwd: Path, lock_path: Path, notes: Sequence[Note]) -> Path | None:
    """Another lock file in the project (the working folder and its folders, :data:`LOCK_SEARCH_DEPTH`
    deep, hidden ones and build output left out) whose notes ask at least a fifth of this build's
    questions: the project's lock, left where the sources were. A lock of another deck in the same
    repository asks other questions."""
    asked = {note.question_folded for note in notes}
    if not asked:
        return None
    for path in _lock_files(cwd, LOCK_SEARCH_DEPTH):
        if path.resolve() == lock_path.resolve():
            continue
        try:
            lock, _digest = read_lock_and_digest(path, display_path(path, cwd))
        except (LockError, OSError):
            continue  # a damaged lock is no project's lock to point at
        held = sum(1 for locked in lock.notes if locked.present and locked.question in asked)
        if held and held * 5 >= len(asked):
            return path
    return None


def _lock_files(folder: Path, depth: int) -> Iterator[Path]:
    """The files named :data:`LOCK_NAME` in ``folder`` and its folders ``depth`` deep, in sorted order."""
    if (folder / LOCK_NAME).is_file():
        yield folder / LOCK_NAME
    if depth == 0:
        return
    try:
        children = sorted(child for child in folder.iterdir() if child.is_dir())
    except OSError:
        return
    for child in children:
        if not child.name.startswith(".") and child.name not in _NOT_SEARCHED:
            yield from _lock_files(child, depth - 1)


def _first_place(item: IdentifiedNote) -> tuple[str, int]:
    """Where a note's first entry stands: what orders the deck."""
    return (item.note.first.path, item.note.first.line)


@dataclass(frozen=True)
class _Built:
    """What a build made: what a writing one writes into the deck, the lock and the ledger."""

    analysis: Analysis
    """The entries and notes built afresh."""
    identification: Identification
    """Their GUIDs and mods, and the next lock."""
    rendered: dict[str, RenderedNote]
    """Each note's fields, by note key."""
    contents: dict[str, str]
    """A hash of each note's fields and tags, by note key."""
    carried: _Carried | None
    """The notes carried over from the last build, when its ledger was used."""


def _write(
    options: Options, config: Config, output: Path, built: _Built, lock_changed: bool, old_digest: str
) -> None:
    """Write the deck, the lock (when it changed) and the caches; the ledger last of all."""
    _progress(options)(N_("writing the deck"), 0, 0)
    lock_path = _lock_path(options, config)
    lock_hash = hashlib.sha256()
    lock = built.identification.lock
    written = partial(_lock_digest, lock_hash, lock, old_digest, built.carried, lock_changed)
    ledger = partial(_save_ledger, options, config, built, written)
    carried = built.carried is not None
    _write_outputs(
        Output(output, display_path(output, options.cwd), N_("the deck")),
        partial(_deck, config, built),
        Output(lock_path, display_path(lock_path, options.cwd), N_("the lock")) if lock_changed else None,
        partial(_hashed_lock, lock, lock_hash),
        partial(_save_caches, options.cwd / CACHE_FOLDER, built.analysis, ledger),
        # A carried build holds little: its lock and caches are written by a process of their own.
        apart=carried,
    )


def _deck(config: Config, built: _Built) -> bytes:
    """The ``.apkg``'s bytes."""
    # Imported here: check, list and --help never pay for genanki.
    from qa2anki.apkg import apkg_bytes

    analysis, carried = built.analysis, built.carried
    return apkg_bytes(
        config.deck_name,
        config.resolved_deck_id,
        NOTE_TYPE,
        built.identification.notetype_mod,
        _deck_notes(built),
        _media(analysis.media_of(analysis.normalized.notes), carried.media if carried else ()),
    )


def _deck_notes(built: _Built) -> list[DeckNote]:
    """The deck's notes, in the order of their first entries (carried ones among them, as a full build
    orders them)."""
    from qa2anki.apkg import DeckNote

    identification, rendered, carried = built.identification, built.rendered, built.carried
    made = [
        DeckNote(item.guid, shown.fields, shown.tags, item.mod)
        for item in identification.notes
        for shown in (rendered[item.note.key],)
    ]
    if carried is None:
        return made
    firsts = [note.first for note in carried.plan.carried]
    paths = [document.document.path for document in carried.documents]
    lines = [document.lines for document in carried.documents]
    order = [
        *((paths[number], lines[number][index] + line) for number, index, line in firsts),
        *((item.note.first.path, item.note.first.line) for item in identification.notes),
    ]
    every = [
        *(DeckNote(n.guid, n.fields, n.tags, n.mod, checked=True) for n in carried.plan.carried),
        *made,
    ]
    return [every[i] for i in sorted(range(len(every)), key=order.__getitem__)]


def _hashed_lock(lock: Lock, digest: Any) -> Iterator[bytes]:
    """The lock file's bytes, piece by piece, each also fed to ``digest`` (for the ledger)."""
    for piece in lock_bytes(lock):
        digest.update(piece)
        yield piece


def _lock_digest(digest: Any, lock: Lock, old_digest: str, carried: _Carried | None, changed: bool) -> str:
    """The SHA-256 of the lock file the build leaves (once it is written)."""
    return digest.hexdigest() if changed else _written_digest(lock, old_digest, carried)


def _save_caches(folder: Path, analysis: Analysis, ledger: Callable[[], None]) -> None:
    """The scan cache, the clustering memo and the ledger, written."""
    if analysis.scan.save is not None:
        analysis.scan.save()
    if analysis.clusters is not None:
        save_cache(folder, analysis.clusters, CLUSTERS_NAME)
    ledger()


def _save_ledger(options: Options, config: Config, built: _Built, lock_digest: Callable[[], str]) -> None:
    """The ledger this build leaves, written (or the last one removed when none can be)."""
    carried = built.carried
    next_ledger = _next_ledger(options, config, built, lock_digest())
    folder = options.cwd / CACHE_FOLDER
    carry.save_ledger(folder, next_ledger, carried.ledger if carried else None)
    carry.save_written(folder, _written(built) if next_ledger is None else None)


def _written(built: _Built) -> dict[str, tuple[int, str]]:
    """GUID → (mod, content hash) of every note this build wrote (for a build that leaves no ledger)."""
    written: dict[str, tuple[int, str]] = {}
    carried = built.carried
    if carried is not None:
        kept = carried.kept
        written.update((n.guid, (n.mod, n.content)) for n in carried.ledger.notes if n.guid in kept)
    for item in built.identification.notes:
        written[item.guid] = (item.mod, built.contents[item.note.key])
    return written


def _written_digest(lock: Lock, digest: str, carried: _Carried | None) -> str:
    """The digest of a lock file this build leaves as it was, for the ledger: ``""`` (no ledger) when the
    file holds the same notes as ``lock`` but is not written as this program writes it (edited by hand,
    merged by git, written by an older version): a carried build copies the lines of the notes it
    carries, and must copy the ones a full build would write. (A lock a carried build read was written by
    this program: its digest is a ledger's.)"""
    if carried is not None or not digest:
        return digest
    return digest if lock_digest(lock) == digest else ""


def _next_ledger(options: Options, config: Config, built: _Built, digest: str) -> carry.Ledger | None:
    """The ledger this build leaves, for the lock file whose SHA-256 is ``digest`` (``None``: none can
    be, when a document was assembled whole, an image is missing or refused, or ``digest`` is ``""``)."""
    analysis, carried, rendered = built.analysis, built.carried, built.rendered
    documents = tuple(d for d in analysis.sectioned if isinstance(d, SectionedDocument))
    if not documents or len(documents) != len(analysis.documents) or not digest:
        return None
    if analysis.media.problems:
        return None  # an image not found now may be there next time, without its document changing
    notes = [
        carry.BuiltNote(
            item.note,
            item.guid,
            item.mod,
            built.contents[item.note.key],
            rendered[item.note.key].fields,
            rendered[item.note.key].tags,
            analysis.media_names(item.note),
        )
        for item in built.identification.notes
    ]
    return carry.next_ledger(
        _signature(options, config, analysis.documents),
        digest,
        documents,
        carried.ledger if carried else None,
        carried.plan if carried else None,
        notes,
        analysis.entries,
        analysis.media.sources,
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
        message = _("cannot write {what}: {reason}").format(what=_(output.what), reason=exc.strerror or exc)
        raise Qa2AnkiError(message, output.display) from None


def _write_outputs(
    deck_file: Output,
    deck: Callable[[], bytes],
    lock_file: Output | None,
    lock: Callable[[], Iterator[bytes]],
    caches: Callable[[], None],
    apart: bool = False,
) -> None:
    """Make the deck while a second thread (``apart``: a process, see :func:`side_process`) writes the
    lock (when it changed) and the caches; both files are staged beside their destinations and put in
    place only when both are complete, so a failure of either leaves the deck and the lock as they
    were."""
    staged: list[tuple[Output, Path]] = []
    try:
        for output in (deck_file, lock_file):
            if output is not None:
                with _writing(output):
                    staged.append((output, stage(output.path)))
        (_, deck_staged), *lock_staged = staged
        side = partial(_write_lock_and_caches, lock_staged, lock, caches)
        beside = side_process if apart else side_job
        with beside(side, N_("writing the lock")), _writing(deck_file):
            fill(deck_staged, deck())
        try:
            commit([(path, output.path) for output, path in staged])
        except CommitError as failed:
            with _writing(staged[failed.index][0]):
                raise failed.error from None
    finally:
        for _, path in staged:
            path.unlink(missing_ok=True)


def _write_lock_and_caches(
    staged: list[tuple[Output, Path]], lock: Callable[[], Iterator[bytes]], caches: Callable[[], None]
) -> None:
    """The side job of writing: the staged lock filled (if it changed), then the caches."""
    for output, path in staged:
        with _writing(output):
            fill(path, lock())
    caches()


def _media(*groups: Sequence[MediaFile]) -> list[MediaFile]:
    """The image files of several groups of notes, each once, sorted by name."""
    return sorted({file.name: file for group in groups for file in group}.values(), key=attrgetter("name"))


def _problems_message(problems: tuple[Problem, ...], strict: bool) -> str:
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    warnings = sum(1 for p in problems if p.severity == Severity.WARNING)
    if errors and warnings:
        message = _("{errors} and {warnings} (--strict) found; nothing was written")
    elif errors:
        message = _("{errors} found; nothing was written")
    else:
        message = _("{warnings} (--strict) found; nothing was written")
    return message.format(errors=count_of_errors(errors), warnings=count_of_warnings(warnings))


def count_of_errors(count: int) -> str:
    """``1 error``, ``2 errors``: a piece of the sentences that count problems."""
    return ngettext("{count} error", "{count} errors", count).format(count=count)


def count_of_warnings(count: int) -> str:
    """``1 warning``, ``2 warnings``."""
    return ngettext("{count} warning", "{count} warnings", count).format(count=count)
