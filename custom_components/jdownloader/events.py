"""Detect "package finished", "download failed", "queue finished" and "captcha waiting".

One detector per JDownloader. It never reads the whole link list on a timer. Every poll already
brings the running packages (``polling/poll`` with ``downloadProgress``, no extra request), the
aggregated numbers, the controller state and the waiting captchas; only a *transition* costs
requests:

* a package left the running set → ``queryPackages`` for just those packages, plus
  ``queryLinks`` (failure fields) for those of them that did not finish;
* the structure changed (package/link counts, total bytes, controller state, the toolbar's
  total of downloadable bytes, which drops when a link fails) → ``queryPackages`` for all
  packages (one small row each) plus ``queryLinks`` for the unfinished packages only.

Answers are digested straight from the JSON by pure functions that the client runs in an executor
for large answers; only the set arithmetic and the firing happen on the event loop. JDownloader's
event API (``events/subscribe`` + ``listen``) is only a doorbell: on direct and local connections
a background long-poll asks the coordinator for an immediate refresh and a structure check, so the
event API and polling can never report the same thing twice.

Device quirks this relies on:

* There is no "package finished" event on the device; a package is finished when every one of its
  links is (the device's own package ``finished`` flag means exactly that).
* Package and link uuids survive a JDownloader restart, but subscriptions do not: ``listen`` then
  answers 404 ``FILE_NOT_FOUND`` and we subscribe again.
* What is finished or failed when the detector starts (start, reload) is the baseline and never
  reported. A package that appeared *and* finished between two polls is reported at the next
  structure check (its uuid is new).
* ``downloadProgress``'s exact shape on real devices is not documented; if it is missing, the
  detector falls back to a package-level check when progress changed, at most once a minute.
* Over the relay a ``listen`` holds a cloud request open; it is off by default there and, if
  enabled, its poll timeout stays below 20 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from weakref import WeakKeyDictionary

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event as HassEvent, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from .api import (
    JDownloaderApiError,
    JDownloaderError,
    cpu_turn,
    final_link_state,
)
from .compat import async_get_device
from .const import CONF_MODE, DOMAIN, LOGGER, MODE_CLOUD, signal_device_added
from .coordinator import (
    JDownloaderConfigEntry,
    JDownloaderDeviceCoordinator,
    JDownloaderDeviceData,
)

EVENT_PACKAGE_FINISHED: Final = "package_finished"
EVENT_DOWNLOAD_FAILED: Final = "download_failed"
EVENT_QUEUE_FINISHED: Final = "queue_finished"
EVENT_CAPTCHA_REQUIRED: Final = "captcha_required"
EVENT_TYPES: Final = [
    EVENT_PACKAGE_FINISHED,
    EVENT_DOWNLOAD_FAILED,
    EVENT_QUEUE_FINISHED,
    EVENT_CAPTCHA_REQUIRED,
]
BUS_EVENT: Final = "jdownloader_event"

WEB_INTERFACE_URL: Final = "https://my.jdownloader.org/"
CAPTCHA_URL: Final = "https://my.jdownloader.org/?deviceId={device_id}#webinterface:captcha"

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
)
DETAIL_FIELDS: Final = ("uuid", "bytes_total", "host")

# Final link states that mean "this download failed" (advancedStatus.FinalLinkState.id).
FAILED_STATES: Final = frozenset({"FAILED", "FAILED_CRC32", "FAILED_EXISTS", "FAILED_FATAL"})

# Only without ``downloadProgress`` in the poll (see module docstring): while downloads progress,
# a package-level check at most this often.
MAX_SNAPSHOT_AGE: Final = timedelta(seconds=60)

SUBSCRIPTIONS: Final = [
    r"^downloadwatchdog\.",
    r"^downloads\.(LINK_UPDATE\.(finished|running|status|enabled|skipped|reset)"
    r"|PACKAGE_UPDATE\.(status|running)|(ADD|REMOVE)_(PACKAGE|LINK)|REFRESH_STRUCTURE)$",
    r"^captchas\.",
]
RELAY_POLL_TIMEOUT_MS: Final = 19_000  # proxies on the way may cut requests held for 20 s+
KEEPALIVE_MS: Final = 120_000
MIN_REFRESH_GAP: Final = 1.0  # s between event-triggered refreshes (interval events come at 1 Hz)
RETRY_INITIAL: Final = 2.0
RETRY_MAX: Final = 300.0

type EventListener = Callable[[str, dict[str, Any]], None]

_SOURCES: WeakKeyDictionary[JDownloaderDeviceCoordinator, EventSource] = WeakKeyDictionary()


# A package row: (name, finished, size, save_to, child_count, enabled). A plain tuple of atoms,
# which the garbage collector stops tracking: thousands of objects per check otherwise push the
# process into full collections that stall the event loop for hundreds of ms.
type _Package = tuple[str, bool, int, str | None, int, bool]
NAME: Final = 0
FINISHED: Final = 1
SIZE: Final = 2
SAVE_TO: Final = 3
CHILDREN: Final = 4
ENABLED: Final = 5


@dataclass(slots=True, frozen=True)
class _Failure:
    package: int
    name: str
    size: int
    host: str | None
    status: str | None


@dataclass(slots=True)
class _Links:
    """Digest of a ``queryLinks`` over some packages."""

    packages: frozenset[int] = frozenset()
    failed: dict[int, _Failure] = field(default_factory=dict)
    finished: dict[int, int] = field(default_factory=dict)  # package → finished links
    pending: set[int] = field(default_factory=set)  # packages with links still to download
    names: dict[int, dict[int, str]] = field(default_factory=dict)  # package → unfinished links


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _digest_packages(rows: list[tuple[Any, ...]]) -> dict[int, _Package]:
    """Pure (runs in the executor for large answers): package rows → compact states."""
    result: dict[int, _Package] = {}
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


def _digest_links(packages: Iterable[int]) -> Callable[[list[tuple[Any, ...]]], _Links]:
    """A pure parser (executor for large answers): link rows → what the diff needs."""
    queried = frozenset(packages)

    def digest(rows: list[tuple[Any, ...]]) -> _Links:
        result = _Links(packages=queried)
        for uuid, package, name, finished, enabled, skipped, advanced in rows:
            if package == -1:
                raise KeyError("package_uuid")  # every link row has one: a garbled answer
            if finished is True:
                result.finished[package] = result.finished.get(package, 0) + 1
                continue
            name = str(name)
            result.names.setdefault(package, {})[uuid] = name
            state, label = final_link_state(advanced)
            if state in FAILED_STATES:
                result.failed[uuid] = _Failure(
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


def _digest_details(rows: list[tuple[Any, ...]]) -> dict[int, tuple[int, str | None]]:
    """Pure: link → (size, host)."""
    return {
        int(uuid): (_int(size), host if isinstance(host, str) else None)
        for uuid, size, host in rows
    }


@dataclass(slots=True)
class _Run:
    """Totals since downloads started running (for ``queue_finished``)."""

    packages: int = 0
    links: int = 0
    failed: int = 0
    size: int = 0
    touched: set[int] = field(default_factory=set)  # packages seen running or reported


def _running(data: JDownloaderDeviceData) -> set[int] | None:
    packages = data.poll.running_packages
    return None if packages is None else {p.uuid for p in packages}


def _active(data: JDownloaderDeviceData, running: set[int] | None) -> bool:
    return bool(running) or data.toolbar.running or data.poll.jd_state == "RUNNING"


def _progress(data: JDownloaderDeviceData) -> tuple[object, ...]:
    agg = data.poll.aggregated
    return (agg.loaded_bytes if agg else None, data.toolbar.download_current)


def _structure(data: JDownloaderDeviceData) -> tuple[object, ...]:
    """What changes when packages/links are added or removed, fail, or downloads start/stop.

    Not ``toolbar.running``: it flickers between one link finishing and the next starting (the
    running packages cover it), while the controller state marks the real start and end.
    """
    agg = data.poll.aggregated
    counts = (agg.package_count, agg.links_count, agg.total_bytes) if agg else None
    return (counts, data.poll.jd_state, data.toolbar.download_complete)


class EventSource:
    """Turns one JDownloader's polls (and, where cheap, its event stream) into events."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: JDownloaderConfigEntry,
        coordinator: JDownloaderDeviceCoordinator,
    ) -> None:
        """Create an idle detector; ``async_start`` attaches it to the coordinator."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        # Captured now: runtime_data is gone by the time unload callbacks run.
        self._devices = entry.runtime_data.devices
        self._backoff = entry.runtime_data.backoff
        self.relay_long_poll = False  # measured, not the default: see module docstring
        self._listeners: list[EventListener] = []
        self._captchas: set[int] | None = None
        self._baseline_done = False
        self._finished: set[int] = set()  # finished packages (baseline or announced)
        self._rows: dict[int, _Package] = {}  # package rows of the last checks
        self._settled: set[int] = set()  # unfinished packages with nothing left to download
        self._failed: dict[int, int] = {}  # failed link → package (baseline or announced)
        self._names: dict[int, dict[int, str]] = {}  # package → unfinished links' names
        self._running: set[int] = set()  # packages running at the last committed poll
        self._run: _Run | None = None
        self._idle_checked = False  # a full check ran since downloads stopped
        self._structure: tuple[object, ...] | None = None
        self._progress: tuple[object, ...] | None = None
        self._due: datetime | None = None  # fallback without downloadProgress only
        self._force = False
        self._process_task: asyncio.Task[None] | None = None
        self._dirty = False
        self._listen_task: asyncio.Task[None] | None = None
        self._unsub: CALLBACK_TYPE | None = None
        self._stopped = False
        self.fired: list[tuple[str, dict[str, Any]]] = []  # for diagnostics/tests: last events

    # ------------------------------------------------------------------ lifecycle
    @callback
    def async_start(self) -> None:
        """Follow the coordinator; take the baseline from the data it already has."""
        # Every later poll brings the running packages, at no extra request.
        self.coordinator.device.poll_download_progress = True
        self._unsub = self.coordinator.async_add_listener(self._on_update)
        self._on_update()

    async def async_stop(self) -> None:
        """Stop listening (on unload); the device drops the subscription after its keepalive."""
        self._stopped = True
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        for task in (self._listen_task, self._process_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listen_task = self._process_task = None

    @callback
    def async_cancel_listen(self) -> None:
        """Stop the event long-poll for good (Home Assistant shuts down)."""
        self._stopped = True
        if self._listen_task is not None:
            self._listen_task.cancel()

    @callback
    def async_add_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(event_type, data)`` for every event; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _on_update(self) -> None:
        coordinator = self.coordinator
        if not coordinator.last_update_success or coordinator.data is None:
            return
        self._manage_listen_task(coordinator.data.connection_type)
        if self._process_task is not None and not self._process_task.done():
            self._dirty = True  # the running pass picks the newer data up
            return
        self._process_task = self.hass.async_create_task(
            self._process_loop(), f"jdownloader events {coordinator.device_id}", eager_start=True
        )

    async def _process_loop(self) -> None:
        self._dirty = True
        while self._dirty:
            self._dirty = False
            if (data := self.coordinator.data) is not None:
                await self._process(data)

    # ------------------------------------------------------------------ detection
    async def _process(self, data: JDownloaderDeviceData) -> None:
        self._check_captchas(data)
        running, structure, now = _running(data), _structure(data), dt_util.utcnow()
        active = _active(data, running)
        full = (
            not self._baseline_done
            or self._force
            or structure != self._structure
            # Downloads stopped: once, check whether anything is left (for queue_finished).
            or (self._run is not None and not active and not self._idle_checked)
        )
        left: set[int] = set()
        if not full and running is None:
            # No downloadProgress from this device: a package-level check on a timer instead.
            progress = _progress(data)
            full = progress != self._progress and (self._due is None or now >= self._due)
        elif not full and running is not None:
            left = self._running - running
        if not full and not left:
            self._commit_running(data, running)
            return
        self._force = False
        try:
            packages, links = await self._query(full, left, running)
        except JDownloaderError as err:
            # Nothing was committed: the next poll checks everything again.
            LOGGER.debug(
                "Event check of %s failed: %s", self.coordinator.device_name, type(err).__name__
            )
            self._force = True
            return
        async with cpu_turn():  # not while a large answer is decoded: see cpu_turn
            if not self._baseline_done:
                self._take_baseline(packages, links)
            else:
                self._diff(data, running, packages, links, full=full)
        self._structure, self._progress = structure, _progress(data)
        self._due = now + MAX_SNAPSHOT_AGE
        if full and not active:
            self._idle_checked = True
        self._commit_running(data, running)

    async def _query(
        self, full: bool, left: set[int], running: set[int] | None
    ) -> tuple[dict[int, _Package], _Links]:
        device = self.coordinator.device
        packages = await device.query_packages_as(
            _digest_packages, PACKAGE_FIELDS, package_ids=None if full else sorted(left)
        )
        async with cpu_turn():
            unfinished = self._to_read(full, packages, running)
        if not unfinished:
            return packages, _Links(packages=frozenset(packages))
        links = await device.query_links_as(
            _digest_links(unfinished), LINK_FIELDS, package_ids=unfinished
        )
        if new := sorted(uuid for uuid in links.failed if uuid not in self._failed):
            details = await device.query_links_as(_digest_details, DETAIL_FIELDS, link_ids=new)
            for uuid in new:
                size, host = details.get(uuid, (-1, None))
                failure = links.failed[uuid]
                links.failed[uuid] = _Failure(
                    failure.package, failure.name, size, host, failure.status
                )
        return packages, links

    def _to_read(
        self, full: bool, packages: dict[int, _Package], running: set[int] | None
    ) -> list[int]:
        """The unfinished packages whose links the check reads, sorted."""
        unfinished = [uuid for uuid, package in packages.items() if not package[FINISHED]]
        if full and self._baseline_done:
            # Only packages where something can have happened: those that ran, are new or
            # changed, or hold known failures. The rest keeps what its last check found.
            suspects = self._running | (running or set()) | set(self._failed.values())
            if self._run is not None:
                suspects |= self._run.touched
            rows = self._rows
            unfinished = [
                uuid for uuid in unfinished if uuid in suspects or rows.get(uuid) != packages[uuid]
            ]
        unfinished.sort()
        return unfinished

    def _commit_running(self, data: JDownloaderDeviceData, running: set[int] | None) -> None:
        if _active(data, running):
            self._idle_checked = False
        if running is None:
            return
        self._running = running
        if _active(data, running) and self._run is None:
            self._run = _Run()
        if self._run is not None:
            self._run.touched |= running

    def _take_baseline(self, packages: dict[int, _Package], links: _Links) -> None:
        """First check: what is finished or failed now is never reported."""
        self._baseline_done = True
        self._finished = {uuid for uuid, package in packages.items() if package[FINISHED]}
        self._rows = packages
        self._failed = {uuid: failure.package for uuid, failure in links.failed.items()}
        self._settled = set(links.packages) - links.pending
        self._names = links.names

    def _diff(
        self,
        data: JDownloaderDeviceData,
        running: set[int] | None,
        packages: dict[int, _Package],
        links: _Links,
        *,
        full: bool,
    ) -> None:
        run = self._run
        touched = run.touched if run is not None else set()
        done = sorted(
            uuid
            for uuid, package in packages.items()
            if package[FINISHED]
            and uuid not in self._finished
            # Evidence that something finished, not that unfinished links were removed: it
            # ran, it is new, or none of its links went away.
            and (
                uuid in touched
                or uuid in self._running
                or uuid not in self._rows
                or self._rows[uuid][CHILDREN] == package[CHILDREN]
            )
        )
        failed = sorted(uuid for uuid in links.failed if uuid not in self._failed)

        # Commit, then announce.
        queried = set(packages)
        # Unfinished packages whose links were not read: enabled means "still to download"
        # unless their last check found nothing left.
        pending = bool(links.pending) or any(
            package[ENABLED] and uuid not in self._settled
            for uuid, package in packages.items()
            if not package[FINISHED] and uuid not in links.packages
        )
        self._settled = (self._settled - links.packages) | (set(links.packages) - links.pending)
        for uuid in links.packages:
            self._names.pop(uuid, None)
        self._names.update(links.names)
        if full:
            self._finished = {uuid for uuid, package in packages.items() if package[FINISHED]}
            self._rows = packages
            self._settled &= queried
            self._names = {uuid: names for uuid, names in self._names.items() if uuid in queried}
        else:
            self._finished -= {uuid for uuid in queried if not packages[uuid][FINISHED]}
            self._rows.update(packages)
        self._finished.update(done)
        self._failed = {
            uuid: package
            for uuid, package in self._failed.items()
            if package not in links.packages and (not full or package in queried)
        }
        self._failed.update((uuid, links.failed[uuid].package) for uuid in links.failed)
        active = _active(data, running)
        if (active or done or failed) and self._run is None:
            self._run = run = _Run()  # it may all have happened between two polls
        for uuid in done:
            package = packages[uuid]
            if run is not None:
                run.packages += 1
                run.links += max(package[CHILDREN], 0)
                run.size += max(package[SIZE], 0)
                run.touched.discard(uuid)
            self._fire(
                EVENT_PACKAGE_FINISHED,
                {
                    "package_name": package[NAME],
                    "package_id": uuid,
                    "size": package[SIZE],
                    "download_folder": package[SAVE_TO],
                    "link_count": package[CHILDREN],
                },
            )
        for uuid in failed:
            failure = links.failed[uuid]
            package = packages[failure.package]
            self._fire(
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
        if run is None:
            return
        run.failed += len(failed)
        # "Nothing left to download" is only known after a check of every unfinished package.
        if full and not active and not pending:
            self._run = None
            # Links finished in packages that ended with failures count too.
            run.links += sum(links.finished.get(uuid, 0) for uuid in run.touched)
            if run.links or run.failed:
                self._fire(
                    EVENT_QUEUE_FINISHED,
                    {
                        "package_count": run.packages,
                        "link_count": run.links,
                        "failed_count": run.failed,
                        "size": run.size,
                    },
                )

    def _check_captchas(self, data: JDownloaderDeviceData) -> None:
        jobs = data.poll.captchas
        if jobs is None:
            return
        known, self._captchas = self._captchas, {job.id for job in jobs}
        if known is None:
            return  # baseline: captchas already waiting at start-up were (or will be) shown there
        for job in jobs:
            if job.id in known:
                continue
            name = next(
                (names[job.link] for names in self._names.values() if job.link in names), None
            )
            self._fire(
                EVENT_CAPTCHA_REQUIRED,
                {
                    "captcha_id": job.id,
                    "hoster": job.hoster,
                    "link_name": name,
                    "link_id": job.link,
                    "solve_url": self._solve_url(),
                },
            )

    def _solve_url(self) -> str:
        if self.entry.data.get(CONF_MODE) == MODE_CLOUD:
            return CAPTCHA_URL.format(device_id=self.coordinator.device_id)
        # Local mode does not know the MyJDownloader device id: open the web interface.
        return WEB_INTERFACE_URL

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        coordinator = self.coordinator
        LOGGER.debug("%s: %s %s", coordinator.device_name, event_type, data)
        self.fired.append((event_type, data))
        del self.fired[:-50]
        for listener in list(self._listeners):
            listener(event_type, data)
        device = async_get_device(
            dr.async_get(self.hass),
            (DOMAIN, coordinator.device_id),
            coordinator.config_entry.entry_id,
        )
        self.hass.bus.async_fire(
            BUS_EVENT,
            {
                "type": event_type,
                "device_id": device.id if device else None,
                "jdownloader_id": coordinator.device_id,
                "device_name": coordinator.device_name,
                **data,
            },
        )

    # ------------------------------------------------------------------ event API doorbell
    @callback
    def _manage_listen_task(self, connection_type: str) -> None:
        wanted = not self._stopped and (
            connection_type in ("direct", "local") or self.relay_long_poll
        )
        running = self._listen_task is not None and not self._listen_task.done()
        if wanted and not running:
            # A plain task, not a HA background task: it never ends on its own, and
            # hass.async_block_till_done(wait_background_tasks=True) would wait for it.
            self._listen_task = asyncio.get_running_loop().create_task(
                self._listen_loop(), name=f"jdownloader listen {self.coordinator.device_id}"
            )
        elif not wanted and running and self._listen_task is not None:
            self._listen_task.cancel()

    async def _listen_loop(self) -> None:
        device = self.coordinator.device
        subscription: int | None = None
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            if (wait := self._backoff.remaining()) > 0:
                # The cloud asked the entry to slow down: the doorbell waits with the polls.
                await asyncio.sleep(wait)
            if self.coordinator not in self._devices.values():
                return  # the device was deleted from Home Assistant
            try:
                if subscription is None:
                    subscription = await self._subscribe()
                    # Catch up with whatever happened while nobody listened.
                    await self._refresh()
                events = await device.events_listen(subscription)
            except JDownloaderApiError as err:
                if err.error_type == "FILE_NOT_FOUND":
                    subscription = None  # JDownloader restarted or the subscription expired
                delay = _next_delay(delay)
                continue
            except JDownloaderError:
                delay = _next_delay(delay)
                continue
            delay = 0.0
            if events:
                await self._refresh()
                await asyncio.sleep(MIN_REFRESH_GAP)

    async def _subscribe(self) -> int:
        device = self.coordinator.device
        subscription = await device.events_subscribe(list(SUBSCRIPTIONS), [])
        if device.connection_type == "relay":
            await device.events_change_timeouts(
                subscription.subscription_id, RELAY_POLL_TIMEOUT_MS, KEEPALIVE_MS
            )
        return subscription.subscription_id

    async def _refresh(self) -> None:
        """A doorbell only: the refreshed poll data decides what (if anything) is checked."""
        # Straight to async_refresh: the debounced request would hold later ones for 10 s.
        await self.coordinator.async_refresh()
        if self._process_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._process_task)


def _next_delay(delay: float) -> float:
    return min(RETRY_MAX, delay * 2) if delay else RETRY_INITIAL


def get_event_source(coordinator: JDownloaderDeviceCoordinator) -> EventSource | None:
    """The detector of a JDownloader (None before ``async_setup_events`` saw it)."""
    return _SOURCES.get(coordinator)


@callback
def async_setup_events(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> None:
    """Attach a detector to every JDownloader of the entry, now and when one appears."""

    @callback
    def _attach(coordinator: JDownloaderDeviceCoordinator) -> None:
        if coordinator in _SOURCES:
            return
        source = EventSource(hass, entry, coordinator)
        _SOURCES[coordinator] = source
        source.async_start()

        async def _stop() -> None:
            _SOURCES.pop(coordinator, None)
            await source.async_stop()

        entry.async_on_unload(_stop)

    @callback
    def _on_stop(_: HassEvent) -> None:
        # HA shutdown does not unload entries; the long-polls must not outlive the loop.
        for coordinator in devices.values():
            if (source := _SOURCES.get(coordinator)) is not None:
                source.async_cancel_listen()

    devices = entry.runtime_data.devices
    for coordinator in devices.values():
        _attach(coordinator)
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _on_stop))
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_device_added(entry.entry_id), _attach)
    )
