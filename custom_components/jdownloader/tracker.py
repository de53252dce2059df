"""What happened on one JDownloader: packages finished, downloads failed, queue done, captchas.

Pure: no Home Assistant and no I/O, so every case is a plain unit test (``tests/test_tracker.py``).
:mod:`.detector` feeds it each poll as a :class:`Snapshot`, reads the package and link rows a
:class:`Check` asks for, and fires what :func:`apply_check` and :func:`new_captchas` return.

The rules, in short:

* Finished = a package's ``finished`` flag (JD sets it once every link is done); it is announced
  when it was not finished at the last check and there is evidence that it ran (it was running,
  is new, or none of its links went away: removing unfinished links must not look like success).
* Finished means usable: while a link of a just-finished package is queued for or in extraction
  (``extractionStatus`` ``IDLE``/``RUNNING``, set by JD's ``ExtractionListenerList`` on the
  archive's links), ``package_finished`` waits; it fires once no extraction is pending and none
  failed. An extraction error (``ERROR``, ``ERROR_PW``, ``ERROR_CRC``, ``ERROR_NOT_ENOUGH_SPACE``,
  ``ERRROR_FILE_NOT_FOUND``: JD's ``ExtractionStatus``) fires ``extraction_failed`` instead. No
  status (JD sends none for ``NA``, ``DownloadLink.getExtractionStatus``) means no archive.
* Failed = a link whose final state is a failure (``FinalLinkState``), not seen failed before.
* Queue finished = downloads ran and a check of every unfinished package finds nothing left.
* Whatever is finished or failed at the first check (start-up, reload) is the baseline, never
  announced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from .api import CaptchaJob, final_link_state

EVENT_PACKAGE_FINISHED: Final = "package_finished"
EVENT_DOWNLOAD_FAILED: Final = "download_failed"
EVENT_QUEUE_FINISHED: Final = "queue_finished"
EVENT_CAPTCHA_REQUIRED: Final = "captcha_required"
EVENT_EXTRACTION_FAILED: Final = "extraction_failed"
EVENT_TYPES: Final = [
    EVENT_PACKAGE_FINISHED,
    EVENT_DOWNLOAD_FAILED,
    EVENT_QUEUE_FINISHED,
    EVENT_CAPTCHA_REQUIRED,
    EVENT_EXTRACTION_FAILED,
]

# Package rows: small, so a structure check may read all of them.
PACKAGE_FIELDS: Final = (
    "uuid",
    "name",
    "finished",
    "bytes_total",
    "save_to",
    "child_count",
    "enabled",
)
# Link rows, only ever for the packages that matter: what failure and "still to do" need. Kept
# minimal (a queued link is just name + ids): the answer is parsed in one piece, and a big one
# holds the GIL. Host and size are fetched for newly failed links only.
LINK_FIELDS: Final = (
    "uuid",
    "package_uuid",
    "name",
    "finished",
    "enabled",
    "skipped",
    "advanced_status",
    "extraction_status",
)
DETAIL_FIELDS: Final = ("uuid", "bytes_total", "host")

# Final link states that mean "this download failed" (FinalLinkState ids).
FAILED_STATES: Final = frozenset({"FAILED", "FAILED_CRC32", "FAILED_EXISTS", "FAILED_FATAL"})

# ExtractionStatus (org.jdownloader.extensions.extraction): queued or running, and succeeded.
# Every other name is a failure (ERROR, ERROR_PW, ERROR_CRC, ERROR_NOT_ENOUGH_SPACE and JD's own
# spelling ERRROR_FILE_NOT_FOUND); NA is never sent (getExtractionStatus answers null for it).
EXTRACTION_PENDING: Final = frozenset({"IDLE", "RUNNING"})
EXTRACTION_OK: Final = frozenset({"SUCCESSFUL", "NA"})

# What holds a package's unfinished links (counted per package for the to-do lists).
BLOCK_FAILED: Final = "failed"
BLOCK_OFFLINE: Final = "offline"  # FinalLinkState OFFLINE
BLOCK_SKIPPED: Final = "skipped"

# Only without ``downloadProgress`` in the poll: while downloads progress, a package-level check
# at most this often.
MAX_SNAPSHOT_AGE: Final = timedelta(seconds=60)

type TrackerEvent = tuple[str, dict[str, Any]]

# A package row: (name, finished, size, save_to, child_count, enabled). A plain tuple of atoms,
# which the garbage collector stops tracking: thousands of objects per check otherwise push the
# process into full collections that stall the event loop for hundreds of ms.
type PackageRow = tuple[str, bool, int, str | None, int, bool]
NAME: Final = 0
FINISHED: Final = 1
SIZE: Final = 2
SAVE_TO: Final = 3
CHILDREN: Final = 4
ENABLED: Final = 5


@dataclass(slots=True, frozen=True)
class Failure:
    """A failed link."""

    package: int
    name: str
    size: int
    host: str | None
    status: str | None


@dataclass(slots=True)
class Links:
    """Digest of a ``queryLinks`` over some packages."""

    packages: frozenset[int] = frozenset()
    failed: dict[int, Failure] = field(default_factory=dict)
    finished: dict[int, int] = field(default_factory=dict)  # package → finished links
    pending: set[int] = field(default_factory=set)  # packages with links still to download
    names: dict[int, dict[int, str]] = field(default_factory=dict)  # package → unfinished links
    # package → the extraction status that decides it: a failure, else pending, else SUCCESSFUL
    extraction: dict[int, str] = field(default_factory=dict)
    # package → what holds its unfinished links: {BLOCK_*: count}
    blocked: dict[int, dict[str, int]] = field(default_factory=dict)


def extraction_rank(status: str) -> int:
    """Failures win over pending, pending over success (one failed archive fails the package)."""
    if status in EXTRACTION_OK:
        return 0
    return 1 if status in EXTRACTION_PENDING else 2


@dataclass(slots=True, frozen=True)
class Snapshot:
    """What one poll says, at no extra request.

    ``running``: the packages with running links (``downloadProgress``); None when the device
    does not send them. ``links``: per running package, its finished-link count and running
    links (None when the poll did not expand them). ``structure`` changes when packages or links
    come, go or fail, or downloads start or stop; ``progress`` whenever bytes move.
    """

    running: frozenset[int] | None
    active: bool
    structure: tuple[object, ...]
    progress: tuple[object, ...]
    captchas: tuple[CaptchaJob, ...] | None = None
    links: Mapping[int, RunningLinks] | None = None


# (finished links, running links) of one running package, as a poll showed them.
type RunningLinks = tuple[int, frozenset[int]]


@dataclass(slots=True, frozen=True)
class Check:
    """What to read: every package (``full``) or just the packages that stopped running."""

    full: bool
    left: tuple[int, ...] = ()


@dataclass(slots=True)
class Run:
    """Totals since downloads started running (for ``queue_finished``)."""

    packages: int = 0
    links: int = 0
    failed: int = 0
    size: int = 0
    touched: set[int] = field(default_factory=set)  # packages seen running or reported


@dataclass(slots=True)
class TrackerState:
    """Everything the tracker remembers about one JDownloader between polls."""

    baseline_done: bool = False
    finished: set[int] = field(default_factory=set)  # finished packages (baseline or announced)
    rows: dict[int, PackageRow] = field(default_factory=dict)  # package rows of the last checks
    settled: set[int] = field(default_factory=set)  # unfinished, nothing left to download
    failed: dict[int, int] = field(default_factory=dict)  # failed link → package
    names: dict[int, dict[int, str]] = field(default_factory=dict)  # package → unfinished links
    blocked: dict[int, dict[str, int]] = field(default_factory=dict)  # see Links.blocked
    running: frozenset[int] = frozenset()  # packages running at the last committed poll
    running_links: Mapping[int, RunningLinks] = field(default_factory=dict)  # of that poll
    run: Run | None = None
    idle_checked: bool = False  # a full check ran since downloads stopped
    structure: tuple[object, ...] | None = None
    progress: tuple[object, ...] | None = None
    due: datetime | None = None  # fallback without downloadProgress only
    force: bool = False  # the last check failed: check everything next time
    captchas: set[int] | None = None
    # finished packages whose extraction is still queued or running (package_finished waits)
    extracting: set[int] = field(default_factory=set)
    extraction_failed: dict[int, str] = field(default_factory=dict)  # package → reason


# --------------------------------------------------------------------------- digests (pure)
def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def digest_packages(rows: list[tuple[Any, ...]]) -> dict[int, PackageRow]:
    """Package rows of :data:`PACKAGE_FIELDS` → compact states (runs in the executor)."""
    result: dict[int, PackageRow] = {}
    for uuid, name, finished, size, save_to, children, enabled in rows:
        result[int(uuid)] = (
            str(name),
            finished is True,
            _int(size),
            save_to if isinstance(save_to, str) else None,
            _int(children),
            enabled is True,
        )
    return result


def digest_links(packages: Iterable[int]) -> Callable[[list[tuple[Any, ...]]], Links]:
    """A digest of link rows of :data:`LINK_FIELDS` read for ``packages`` (executor-safe)."""
    queried = frozenset(packages)

    def digest(rows: list[tuple[Any, ...]]) -> Links:
        result = Links(packages=queried)
        for uuid, package, name, finished, enabled, skipped, advanced, extraction in rows:
            if package == -1:
                raise KeyError("package_uuid")  # every link row has one: a garbled answer
            if isinstance(extraction, str):
                known = result.extraction.get(package)
                if known is None or extraction_rank(extraction) > extraction_rank(known):
                    result.extraction[package] = extraction
            if finished is True:
                result.finished[package] = result.finished.get(package, 0) + 1
                continue
            name = str(name)
            result.names.setdefault(package, {})[uuid] = name
            state, label = final_link_state(advanced)
            block = (
                BLOCK_OFFLINE
                if state == "OFFLINE"
                else BLOCK_FAILED
                if state in FAILED_STATES
                else BLOCK_SKIPPED
                if skipped is True
                else None
            )
            if block is not None:
                counts = result.blocked.setdefault(package, {})
                counts[block] = counts.get(block, 0) + 1
            if state in FAILED_STATES:
                result.failed[uuid] = Failure(
                    package=package,
                    name=name,
                    size=-1,  # DETAIL_FIELDS, for new failures only
                    host=None,
                    status=label,
                )
            elif enabled is True and skipped is not True:
                result.pending.add(package)
        return result

    return digest


def digest_details(rows: list[tuple[Any, ...]]) -> dict[int, tuple[int, str | None]]:
    """Link rows of :data:`DETAIL_FIELDS` → link: (size, host)."""
    return {
        int(uuid): (_int(size), host if isinstance(host, str) else None)
        for uuid, size, host in rows
    }


# --------------------------------------------------------------------------- one poll
def plan_check(state: TrackerState, snap: Snapshot, now: datetime) -> Check | None:
    """What this poll needs read, or None when nothing can have finished or failed."""
    full = (
        not state.baseline_done
        or state.force
        or snap.structure != state.structure
        # Downloads stopped: once, check whether anything is left (for queue_finished).
        or (state.run is not None and not snap.active and not state.idle_checked)
    )
    left: frozenset[int] = frozenset()
    if not full and snap.running is None:
        # No downloadProgress from this device: a package-level check on a timer instead.
        full = snap.progress != state.progress and (state.due is None or now >= state.due)
    elif not full and snap.running is not None:
        left = state.running - snap.running
        if snap.links is not None:
            left |= _stopped_short(state.running_links, snap.links)
    if not full:
        # Extraction runs after the downloads and changes no count: follow it while it runs.
        left |= state.extracting
    if not full and not left:
        return None
    state.force = False
    return Check(full=full, left=tuple(sorted(left)))


def _stopped_short(
    before: Mapping[int, RunningLinks], now: Mapping[int, RunningLinks]
) -> frozenset[int]:
    """Running packages where a link stopped running without finishing (failed, skipped, held).

    A link that finishes leaves the running links and adds one to the finished count; one that
    stops for any other reason only leaves. Such a package is checked although it still runs.
    """
    stopped: set[int] = set()
    for uuid, (done, links) in now.items():
        if (last := before.get(uuid)) is None or done < 0 or last[0] < 0:
            continue
        if len(last[1] - links) > done - last[0]:
            stopped.add(uuid)
    return frozenset(stopped)


def links_to_read(
    state: TrackerState, snap: Snapshot, check: Check, packages: dict[int, PackageRow]
) -> list[int]:
    """The packages whose links the check reads, sorted: the unfinished ones, and those that just
    finished or are extracting (their extraction status decides ``package_finished``)."""
    unfinished = [
        uuid
        for uuid, package in packages.items()
        if not package[FINISHED]
        or (state.baseline_done and (uuid not in state.finished or uuid in state.extracting))
    ]
    if check.full and state.baseline_done:
        # Only packages where something can have happened: those that ran, are new or changed,
        # or hold known failures. The rest keeps what its last check found.
        suspects = state.running | (snap.running or frozenset()) | set(state.failed.values())
        if state.run is not None:
            suspects |= state.run.touched
        rows = state.rows
        suspects |= state.extracting
        unfinished = [
            uuid
            for uuid in unfinished
            if uuid in suspects
            or rows.get(uuid) != packages[uuid]
            or (packages[uuid][FINISHED] and uuid not in state.finished)
        ]
    unfinished.sort()
    return unfinished


def unknown_failures(state: TrackerState, links: Links) -> list[int]:
    """Failed links not known before: their size and host are read (:data:`DETAIL_FIELDS`)."""
    return sorted(uuid for uuid in links.failed if uuid not in state.failed)


def add_details(links: Links, details: dict[int, tuple[int, str | None]]) -> None:
    """Fill size and host of the failures that were read."""
    for uuid, (size, host) in details.items():
        if (failure := links.failed.get(uuid)) is not None:
            links.failed[uuid] = Failure(failure.package, failure.name, size, host, failure.status)


def apply_check(
    state: TrackerState,
    snap: Snapshot,
    check: Check,
    packages: dict[int, PackageRow],
    links: Links,
    now: datetime,
) -> list[TrackerEvent]:
    """Take what a check read into the state; returns the events to fire, in order."""
    events: list[TrackerEvent] = []
    if not state.baseline_done:
        _take_baseline(state, packages, links)
    else:
        events = _diff(state, snap, packages, links, full=check.full)
    state.structure, state.progress = snap.structure, snap.progress
    state.due = now + MAX_SNAPSHOT_AGE
    if check.full and not snap.active:
        state.idle_checked = True
    commit_running(state, snap)
    return events


def commit_running(state: TrackerState, snap: Snapshot) -> None:
    """Remember which packages run; a run starts with the first active poll."""
    if snap.active:
        state.idle_checked = False
    if snap.running is None:
        return
    state.running = snap.running
    if snap.links is not None:
        state.running_links = snap.links
    if snap.active and state.run is None:
        state.run = Run()
    if state.run is not None:
        state.run.touched |= snap.running


def new_captchas(state: TrackerState, snap: Snapshot) -> list[TrackerEvent]:
    """A ``captcha_required`` for each captcha that was not waiting at the last poll."""
    if snap.captchas is None:
        return []
    known, state.captchas = state.captchas, {job.id for job in snap.captchas}
    if known is None:
        return []  # baseline: captchas already waiting at start-up were (or will be) shown there
    events: list[TrackerEvent] = []
    for job in snap.captchas:
        if job.id in known:
            continue
        name = next((names[job.link] for names in state.names.values() if job.link in names), None)
        events.append(
            (
                EVENT_CAPTCHA_REQUIRED,
                {
                    "captcha_id": job.id,
                    "hoster": job.hoster,
                    "link_name": name,
                    "link_id": job.link,
                },
            )
        )
    return events


# --------------------------------------------------------------------------- the diff
def _take_baseline(state: TrackerState, packages: dict[int, PackageRow], links: Links) -> None:
    """First check: what is finished or failed now is never reported."""
    state.baseline_done = True
    state.finished = {uuid for uuid, package in packages.items() if package[FINISHED]}
    state.rows = packages
    state.failed = {uuid: failure.package for uuid, failure in links.failed.items()}
    state.settled = set(links.packages) - links.pending
    state.names = links.names
    state.blocked = links.blocked


def _newly_finished(
    state: TrackerState, packages: dict[int, PackageRow], touched: set[int]
) -> list[int]:
    return sorted(
        uuid
        for uuid, package in packages.items()
        if package[FINISHED]
        and uuid not in state.finished
        # Evidence that something finished, not that unfinished links were removed: it ran, it
        # is new, or none of its links went away.
        and (
            uuid in touched
            or uuid in state.running
            or uuid not in state.rows
            or state.rows[uuid][CHILDREN] == package[CHILDREN]
        )
    )


def _anything_left(state: TrackerState, packages: dict[int, PackageRow], links: Links) -> bool:
    """Still something to download? Unfinished packages whose links were not read count as
    "yes" while enabled, unless their last check found nothing left."""
    return bool(links.pending) or any(
        package[ENABLED] and uuid not in state.settled
        for uuid, package in packages.items()
        if not package[FINISHED] and uuid not in links.packages
    )


def _remember(
    state: TrackerState,
    packages: dict[int, PackageRow],
    links: Links,
    done: list[int],
    *,
    full: bool,
) -> None:
    """Commit what the check found (before anything is announced)."""
    queried = set(packages)
    state.settled = (state.settled - links.packages) | (set(links.packages) - links.pending)
    for uuid in links.packages:
        state.names.pop(uuid, None)
        state.blocked.pop(uuid, None)
    state.names.update(links.names)
    state.blocked.update(links.blocked)
    if full:
        state.finished = {uuid for uuid, package in packages.items() if package[FINISHED]}
        state.rows = packages
        state.settled &= queried
        state.names = {uuid: names for uuid, names in state.names.items() if uuid in queried}
        state.blocked = {uuid: b for uuid, b in state.blocked.items() if uuid in queried}
    else:
        state.finished -= {uuid for uuid in queried if not packages[uuid][FINISHED]}
        state.rows.update(packages)
    state.finished.update(done)
    state.failed = {
        uuid: package
        for uuid, package in state.failed.items()
        if package not in links.packages and (not full or package in queried)
    }
    state.failed.update((uuid, links.failed[uuid].package) for uuid in links.failed)


def _finished_event(uuid: int, package: PackageRow) -> TrackerEvent:
    return (
        EVENT_PACKAGE_FINISHED,
        {
            "package_name": package[NAME],
            "package_id": uuid,
            "size": package[SIZE],
            "download_folder": package[SAVE_TO],
            "link_count": package[CHILDREN],
        },
    )


def _failed_event(uuid: int, failure: Failure, package: PackageRow) -> TrackerEvent:
    return (
        EVENT_DOWNLOAD_FAILED,
        {
            "link_name": failure.name,
            "link_id": uuid,
            "package_name": package[NAME],
            "package_id": failure.package,
            "host": failure.host,
            "size": failure.size,
            "download_folder": package[SAVE_TO],
            "status": failure.status,
        },
    )


def _usable(
    state: TrackerState, packages: dict[int, PackageRow], links: Links, *, full: bool
) -> list[TrackerEvent]:
    """``package_finished`` or ``extraction_failed`` for the finished packages whose extraction
    is over (or never applied); the others stay in ``state.extracting``."""
    events: list[TrackerEvent] = []
    for uuid in list(state.extraction_failed):
        package = packages.get(uuid)
        if (package is None and full) or (package is not None and not package[FINISHED]):
            del state.extraction_failed[uuid]  # removed, or reset to download again
    for uuid in sorted(state.extracting):
        package = packages.get(uuid)
        if package is None or not package[FINISHED]:
            state.extracting.discard(uuid)  # removed or reset: nothing to announce
            continue
        if uuid not in links.packages:
            continue  # not read this time: decided by a later check
        status = links.extraction.get(uuid, "NA")
        if status in EXTRACTION_PENDING:
            continue
        state.extracting.discard(uuid)
        if status in EXTRACTION_OK:
            state.extraction_failed.pop(uuid, None)
            events.append(_finished_event(uuid, package))
        else:
            state.extraction_failed[uuid] = status
            events.append(_extraction_failed_event(uuid, package, status))
    return events


def _extraction_failed_event(uuid: int, package: PackageRow, reason: str) -> TrackerEvent:
    return (
        EVENT_EXTRACTION_FAILED,
        {
            "package_name": package[NAME],
            "package_id": uuid,
            "reason": reason,
            "download_folder": package[SAVE_TO],
        },
    )


def _diff(
    state: TrackerState,
    snap: Snapshot,
    packages: dict[int, PackageRow],
    links: Links,
    *,
    full: bool,
) -> list[TrackerEvent]:
    run = state.run
    done = _newly_finished(state, packages, run.touched if run is not None else set())
    failed = unknown_failures(state, links)
    pending = _anything_left(state, packages, links)
    _remember(state, packages, links, done, full=full)
    if (snap.active or done or failed) and run is None:
        state.run = run = Run()  # it may all have happened between two polls
    events: list[TrackerEvent] = []
    for uuid in done:
        package = packages[uuid]
        if run is not None:
            run.packages += 1
            run.links += max(package[CHILDREN], 0)
            run.size += max(package[SIZE], 0)
            run.touched.discard(uuid)
        state.extracting.add(uuid)  # decided below, with those extracting since earlier checks
    events.extend(_usable(state, packages, links, full=full))
    for uuid in failed:
        failure = links.failed[uuid]
        events.append(_failed_event(uuid, failure, packages[failure.package]))
    if run is None:
        return events
    run.failed += len(failed)
    # "Nothing left to download" is only known after a check of every unfinished package.
    if full and not snap.active and not pending:
        state.run = None
        # Links finished in packages that ended with failures count too.
        run.links += sum(links.finished.get(uuid, 0) for uuid in run.touched)
        if run.links or run.failed:
            events.append(
                (
                    EVENT_QUEUE_FINISHED,
                    {
                        "package_count": run.packages,
                        "link_count": run.links,
                        "failed_count": run.failed,
                        "size": run.size,
                    },
                )
            )
    return events
