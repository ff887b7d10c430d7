"""The pipeline, step by step: read → parse → normalise → render → identify → write.

``build`` runs every step and writes the deck and the lock (a dry run stops short of writing);
``analyse`` stops after normalising (what ``check`` needs). Each returns a frozen report the CLI prints.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa2anki import carry
from qa2anki.atomic import fill, stage
from qa2anki.cache import encode_blob, load_blob, save_cache
from qa2anki.config import Config, load_config
from qa2anki.errors import LockError, Problem, ProblemsFound, Qa2AnkiError, SchemaError, Severity
from qa2anki.identity import Identification, IdentifiedNote, Status, identify
from qa2anki.identity import Thresholds as ReidentifyThresholds
from qa2anki.lockfile import (
    LOCK_NAME,
    Lock,
    LockedNote,
    json_string,
    lock_bytes,
    lock_digest,
    read_lock_and_digest,
    read_lock_carrying,
)
from qa2anki.media import Media, MediaFile, collect_media, read_media
from qa2anki.normalize import Normalized, Note, Thresholds, normalize
from qa2anki.notetype import NOTE_TYPE
from qa2anki.parse import DEFAULT_LABELS, Entry, Labels, ParseResult
from qa2anki.render import RenderedNote, render_note
from qa2anki.scan import (
    ScanStats,
    SectionedDocument,
    scan_documents,
    scan_sections,
)
from qa2anki.sidejob import side_job
from qa2anki.sources import Document, display_path, read_documents

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
class BuildReport:
    """What a build did (or, for a dry run, would do)."""

    analysis: Analysis
    """The sources as read: all of them, or in a build that carried notes over (``carried``), the entries
    and notes of the regions it built afresh."""
    identification: Identification
    """GUIDs, mod times, changes against the lock (of the notes in ``analysis``)."""
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
    carried: int = 0
    """Notes carried over unchanged from the last build, without being parsed or clustered again (see
    :mod:`qa2anki.carry`): they are in the deck, not in ``notes``."""
    entry_count: int = 0
    """Entries in all the sources."""
    topic_count: int = 0
    """Distinct topics in all the sources."""

    @property
    def notes(self) -> tuple[IdentifiedNote, ...]:
        """The deck's notes but the ``carried`` ones (all of them in a dry run)."""
        return self.identification.notes

    @property
    def note_count(self) -> int:
        """How many notes the deck has."""
        return len(self.identification.notes) + self.carried

    def count(self, status: Status) -> int:
        """How many notes have this status (carried notes are unchanged)."""
        found = sum(1 for n in self.identification.notes if n.status == status)
        return found + (self.carried if status == Status.UNCHANGED else 0)

    @property
    def removed(self) -> tuple[LockedNote, ...]:
        """Notes the sources no longer have (Anki keeps them: users delete by hand)."""
        return self.identification.removed

    @property
    def merged(self) -> int:
        """Entries folded into another entry's note."""
        return self.entry_count - self.note_count

    @property
    def topics(self) -> int:
        """Distinct topics."""
        return self.topic_count


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
        return _analysed(options, config, _read(options, config, save_scans, defer_save), save_scans)


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


def _read(options: Options, config: Config, save_scans: bool, defer_save: bool) -> _Sources:
    documents = tuple(read_documents(options.sources or config.sources, options.cwd))
    report = options.progress or (lambda stage, done, total: None)
    labels = Labels(
        question=DEFAULT_LABELS.question + config.question_labels,
        answer=DEFAULT_LABELS.answer + config.answer_labels,
        answer_side=DEFAULT_LABELS.answer_side,
        heading_questions=config.heading_questions,
    )
    sectioned, scan = scan_sections(
        documents,
        options.cwd / CACHE_FOLDER,
        progress=lambda done, total: report("parsing", done, total),
        labels=labels,
        save=save_scans,
        defer=defer_save,
    )
    return _Sources(documents, labels, sectioned, scan, defer_save)


def _decoded(sectioned: Sequence[SectionedDocument | ParseResult]) -> ParseResult | None:
    """Every document's entries and problems (``None`` when a cached part turns out damaged)."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for document in sectioned:
        if isinstance(document, SectionedDocument):
            for index in range(len(document.part_keys)):
                found = document.entries(index)
                if found is None:
                    return None
                entries.extend(found)
        else:
            entries.extend(document.entries)
        problems.extend(document.problems)
    return ParseResult(tuple(entries), tuple(problems))


def _analysed(options: Options, config: Config, sources: _Sources, save_scans: bool) -> Analysis:
    report = options.progress or (lambda stage, done, total: None)
    parsed, scan, sectioned = _decoded(sources.sectioned), sources.scan, tuple(sources.sectioned)
    if parsed is None:
        # Damaged cache files: scan as a cold build would (the damaged parts are assembled again).
        parsed, scan = scan_documents(
            sources.documents,
            options.cwd / CACHE_FOLDER,
            labels=sources.labels,
            save=save_scans,
            defer=sources.defer_save,
        )
        sectioned = ()
    report("merging duplicates", 0, 0)
    remembered = load_blob(options.cwd / CACHE_FOLDER / CLUSTERS_NAME, CLUSTERS_TAG)
    memo = remembered if isinstance(remembered, dict) else {}
    normalized = normalize(parsed.entries, _thresholds(config), memo)
    clusters = encode_blob(CLUSTERS_TAG, normalized.memo) if normalized.memo != memo else None
    media = collect_media(parsed.entries, options.cwd)
    problems = [*parsed.problems, *normalized.problems, *media.problems]
    if not parsed.entries:
        named = options.sources or config.sources
        problems.append(
            Problem(
                display_path(options.cwd / named[0], options.cwd),
                0,
                Severity.ERROR,
                "no 面试题/答案 entries in the sources; nothing to build",
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
    """Builds that write into the same folder wait for each other (an OS lock on Linux, macOS and
    Windows alike, held by the process: a build that dies lets go of it)."""
    # Imported here: it costs 40 ms, which check, list and --help need not pay.
    from filelock import FileLock

    lock = FileLock(folder / ".qa2anki-build.lock")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError as exc:
        where = display_path(folder, cwd)
        raise Qa2AnkiError(f"cannot write into this folder: {exc.strerror or exc}", where) from None
    try:
        yield
    finally:
        lock.release()


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
    sources = _read(options, config, save_scans=write, defer_save=write)
    scan = sources.scan
    try:
        report = _carried_build(options, config, output, sources) if write else None
        if report is None:
            analysis = _analysed(options, config, sources, save_scans=write)
            scan = analysis.scan
            report = _build_analysed(options, config, output, write, analysis, None)
        return report
    except Qa2AnkiError:
        # A scan is true whatever becomes of the build: the next one need not parse it again (unless the
        # thread that writes the lock has saved it already).
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


def _carried_build(options: Options, config: Config, output: Path, sources: _Sources) -> BuildReport | None:
    """The build, with the notes the ledger says are unchanged carried over; ``None`` when the ledger
    cannot be used (then the build is a full one)."""
    documents = tuple(d for d in sources.sectioned if isinstance(d, SectionedDocument))
    if len(documents) != len(sources.sectioned) or not documents:
        return None
    folder = options.cwd / CACHE_FOLDER
    ledger = carry.load_ledger(folder)
    if ledger is None or ledger.signature != _signature(options, config, sources.documents):
        return None
    plan = carry.plan(ledger, documents)
    if plan is None:
        return None
    lock_path = _lock_path(options, config)
    kept = {note.guid: (note.content, note.mod) for note in plan.carried}
    old_lock = read_lock_carrying(lock_path, display_path(lock_path, options.cwd), ledger.lock, kept)
    if old_lock is None:
        return None
    entry_count = sum(sum(document.counts) for document in documents)
    if not entry_count:
        return None
    # The carried notes' images, read again: their fields hold names made from the files' bytes.
    carried_media = []
    for name in sorted({name for note in plan.carried for name in note.media}):
        found = read_media(name, ledger.media[name], options.cwd)
        if found is None:
            return None
        carried_media.append(found)
    if options.progress:
        options.progress("merging duplicates", 0, 0)
    remembered = load_blob(folder / CLUSTERS_NAME, CLUSTERS_TAG)
    memo = remembered if isinstance(remembered, dict) else {}
    normalized = normalize(plan.entries, _thresholds(config), memo)
    # The memo keeps what the carried regions' topics need too (a full build drops what it did not use).
    next_memo = {**memo, **normalized.memo}
    clusters = encode_blob(CLUSTERS_TAG, next_memo) if next_memo != memo else None
    media = collect_media(plan.entries, options.cwd)
    places = [(document.document.path, document.lines) for document in documents]
    problems = [
        *(problem for document in documents for problem in document.problems),
        *sorted([*normalized.problems, *carry.conflicts(plan.carried, places)]),
        *media.problems,
    ]
    analysis = Analysis(
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
    carried = _Carried(ledger, plan, old_lock, documents, tuple(carried_media))
    return _build_analysed(options, config, output, True, analysis, carried)


def _build_analysed(
    options: Options, config: Config, output: Path, write: bool, analysis: Analysis, carried: _Carried | None
) -> BuildReport:
    stopping = blocking(analysis.problems, options.strict)
    if stopping:
        raise ProblemsFound(_problems_message(stopping, options.strict), problems=stopping)
    lock_path = _lock_path(options, config)
    lock_display = display_path(lock_path, options.cwd)
    if carried is None:
        old_lock, old_digest = read_lock_and_digest(lock_path, lock_display)
    else:
        old_lock, old_digest = carried.lock, carried.ledger.lock
    kept = frozenset(note.guid for note in carried.plan.carried) if carried else frozenset()
    notes = analysis.normalized.notes
    rendered = {note.key: render_note(note, analysis.media.names) for note in notes}
    if options.progress:
        options.progress("identifying notes", 0, 0)
    contents = {key: content_hash(r) for key, r in rendered.items()}
    try:
        identification = identify(
            notes,
            contents,
            old_lock,
            options.now,
            NOTE_TYPE,
            ReidentifyThresholds(config.reidentify_threshold, config.reidentify_margin),
            kept,
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

        def deck_notes() -> list[DeckNote]:
            made = [
                DeckNote(item.guid, shown.fields, shown.tags, item.mod)
                for item in identification.notes
                for shown in (rendered[item.note.key],)
            ]
            if carried is None:
                return made
            # In the order of the notes' first entries, as a full build has them.
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

        def deck() -> bytes:
            return apkg_bytes(
                config.deck_name,
                config.resolved_deck_id,
                NOTE_TYPE,
                identification.notetype_mod,
                deck_notes(),
                _media(analysis.media_of(notes), carried.media if carried else ()),
            )

        new_lock_hash = hashlib.sha256()

        def lock_pieces() -> Iterator[bytes]:
            for piece in lock_bytes(identification.lock):
                new_lock_hash.update(piece)
                yield piece

        def ledger() -> None:
            next_ledger = _next_ledger(
                options,
                config,
                analysis,
                identification,
                contents,
                rendered,
                carried,
                new_lock_hash.hexdigest()
                if lock_changed
                else _written_digest(identification.lock, old_digest, carried),
            )
            carry.save_ledger(options.cwd / CACHE_FOLDER, next_ledger, carried.ledger if carried else None)

        def caches() -> None:
            folder = options.cwd / CACHE_FOLDER
            if analysis.scan.save is not None:
                analysis.scan.save()
            if analysis.clusters is not None:
                save_cache(folder, analysis.clusters, CLUSTERS_NAME)
            if carried is not None:
                ledger()

        _write_outputs(
            Output(output, display_path(output, options.cwd), "the deck"),
            deck,
            Output(lock_path, lock_display, "the lock") if lock_changed else None,
            lock_pieces,
            caches,
            # A full build's memory peaks while the deck is made: its ledger is made after.
            ledger if carried is None else None,
        )
    entry_count = len(analysis.entries)
    topic_count = len({t for n in notes for t in n.topics})
    if carried is not None:
        entry_count = sum(sum(document.counts) for document in carried.documents)
        topic_count = len(
            {t for n in notes for t in n.topics}.union(
                *(
                    names
                    for topic, names in zip(carried.ledger.topics, carried.ledger.names, strict=True)
                    if topic not in carried.plan.touched
                )
            )
        )
    return BuildReport(
        analysis=analysis,
        identification=identification,
        output=display_path(output, options.cwd),
        lock_path=lock_display,
        written=write,
        lock_changed=lock_changed,
        problems=tuple(problems),
        carried=len(kept),
        entry_count=entry_count,
        topic_count=topic_count,
    )


def _written_digest(lock: Lock, digest: str, carried: _Carried | None) -> str:
    """The digest of a lock file this build leaves as it was, for the ledger: ``""`` (no ledger) when the
    file holds the same notes as ``lock`` but is not written as this program writes it (edited by hand,
    merged by git, written by an older version): a carried build copies the lines of the notes it
    carries, and must copy the ones a full build would write. (A lock a carried build read was written by
    this program: its digest is a ledger's.)"""
    if carried is not None or not digest:
        return digest
    return digest if lock_digest(lock) == digest else ""


def _next_ledger(
    options: Options,
    config: Config,
    analysis: Analysis,
    identification: Identification,
    contents: dict[str, str],
    rendered: dict[str, RenderedNote],
    carried: _Carried | None,
    digest: str,
) -> carry.Ledger | None:
    """The ledger this build leaves, for the lock file whose SHA-256 is ``digest`` (``None``: none can
    be, when a document was assembled whole, an image is missing or refused, or ``digest`` is ``""``)."""
    documents = tuple(d for d in analysis.sectioned if isinstance(d, SectionedDocument))
    if not documents or len(documents) != len(analysis.documents) or not digest:
        return None
    if analysis.media.problems:
        return None  # an image not found now may be there next time, without its document changing
    built = [
        carry.BuiltNote(
            item.note,
            item.guid,
            item.mod,
            contents[item.note.key],
            rendered[item.note.key].fields,
            rendered[item.note.key].tags,
            analysis.media_names(item.note),
        )
        for item in identification.notes
    ]
    return carry.next_ledger(
        _signature(options, config, analysis.documents),
        digest,
        documents,
        carried.ledger if carried else None,
        carried.plan if carried else None,
        built,
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
        raise Qa2AnkiError(f"cannot write {output.what}: {exc.strerror or exc}", output.display) from None


def _write_outputs(
    deck_file: Output,
    deck: Callable[[], bytes],
    lock_file: Output | None,
    lock: Callable[[], Iterator[bytes]],
    caches: Callable[[], None],
    after: Callable[[], None] | None = None,
) -> None:
    """Make the deck while a second thread writes the lock (when it changed) and the caches, then do
    ``after`` (if given); both files are staged beside their destinations and put in place only when both
    are complete, so a failure of either leaves the deck and the lock as they were."""
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
                    fill(path, lock())
            caches()

        with side_job(side, "writing the lock"), _writing(deck_file):
            fill(deck_staged, deck())
        if after is not None:
            after()
        # The deck first: it is what users import; a lock left behind is written again by the next build.
        for output, path in staged:
            with _writing(output):
                os.replace(path, output.path)
    finally:
        for _, path in staged:
            path.unlink(missing_ok=True)


def _media(*groups: Sequence[MediaFile]) -> list[MediaFile]:
    """The image files of several groups of notes, each once, sorted by name."""
    return sorted({file.name: file for group in groups for file in group}.values(), key=lambda f: f.name)


def _problems_message(problems: tuple[Problem, ...], strict: bool) -> str:
    errors = sum(1 for p in problems if p.severity == Severity.ERROR)
    warnings = len(problems) - errors
    parts = [f"{errors} error(s)"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning(s) (--strict)")
    return f"{' and '.join(parts)} found; nothing was written"
