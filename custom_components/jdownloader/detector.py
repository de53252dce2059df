"""Home Assistant side of event detection: one :class:`EventDetector` per JDownloader.

It never reads the whole link list on a timer. Every poll already brings the running packages
(``polling/poll`` with ``downloadProgress``, no extra request), the aggregated numbers, the
controller state and the waiting captchas; :mod:`.tracker` decides from that whether anything can
have happened, and only such a *transition* costs requests:

* a package left the running set, or one of its running links stopped without finishing →
  ``queryPackages`` for just those packages, plus ``queryLinks`` (failure fields) for those of
  them that did not finish;
* the structure changed (package/link counts, total bytes, controller state, the toolbar's total
  of downloadable bytes, which drops when a link fails; over the relay the toolbar is read
  rarely, see coordinator.py) → ``queryPackages`` for all packages (one small row each) plus
  ``queryLinks`` for the unfinished packages that may have changed.

Answers are digested by the tracker's pure functions, which the client runs in an executor for
large answers; only the set arithmetic and the firing happen on the event loop. What the
detector finds goes to the event entity (listeners) and to the bus as ``jdownloader_event``.
:mod:`.doorbell` adds JDownloader's event API where it is cheap.

Device quirks this relies on: there is no "package finished" event on the device (a package is
finished when all its links are); package and link uuids survive a JDownloader restart;
``downloadProgress`` may be missing on some builds, and then a package-level check runs when
progress changed, at most once a minute.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from typing import Any, Final

from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event as HassEvent, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util

from .api import Connection, JDownloaderError, cpu_turn
from .captcha import solve_url
from .compat import async_get_device
from .const import CONF_MODE, DOMAIN, LOGGER, MODE_CLOUD, signal_device_added
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderDeviceData
from .doorbell import Doorbell
from .lists import LIST_PACKAGE_FIELDS, PackageView, digest_packages_and_views
from .problems import LinkIssues, PackageIssues, digest_issues
from .tracker import (
    DETAIL_FIELDS,
    EVENT_CAPTCHA_REQUIRED,
    EVENT_DOWNLOAD_FAILED,
    FINISHED,
    LINK_FIELDS,
    Check,
    Links,
    PackageRow,
    Snapshot,
    TrackerEvent,
    TrackerState,
    add_details,
    apply_check,
    commit_running,
    digest_details,
    digest_links,
    links_to_read,
    new_captchas,
    plan_check,
    unknown_failures,
)

BUS_EVENT: Final = "jdownloader_event"


type EventListener = Callable[[str, dict[str, Any]], None]


def snapshot(data: JDownloaderDeviceData) -> Snapshot:
    """What the tracker needs of one poll."""
    poll, toolbar = data.poll, data.toolbar
    packages = poll.running_packages
    running = None if packages is None else frozenset(p.uuid for p in packages)
    links = None if packages is None else {p.uuid: (p.done, frozenset(p.links)) for p in packages}
    agg = poll.aggregated
    counts = (agg.package_count, agg.links_count, agg.total_bytes) if agg else None
    return Snapshot(
        running=running,
        active=bool(running) or toolbar.running or poll.jd_state == "RUNNING",
        # Not toolbar.running: it flickers between one link finishing and the next starting (the
        # running packages cover it), while the controller state marks the real start and end.
        structure=(counts, poll.jd_state, toolbar.download_complete),
        progress=(agg.loaded_bytes if agg else None, toolbar.download_current),
        captchas=None if poll.captchas is None else tuple(poll.captchas),
        links=links,
    )


class EventDetector:
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
        self.state = TrackerState()
        # Captured now: runtime_data is gone by the time unload callbacks run.
        devices = entry.runtime_data.devices
        self.doorbell = Doorbell(
            coordinator.device,
            self._refresh,
            cloud_wait=entry.runtime_data.backoff.remaining,
            alive=lambda: coordinator in devices.values(),
        )
        self._listeners: list[EventListener] = []
        # Held links (problems.py), from the link rows the checks read anyway.
        self.issues = LinkIssues()
        self._issue_listeners: list[CALLBACK_TYPE] = []
        # The to-do lists (todo.py) read what the checks read: package order and rows are
        # state.rows, their (bytes_loaded, speed, eta) views are here. ``checked`` counts the
        # checks taken in; None until the first one (the baseline) is in.
        self.views: dict[int, PackageView] = {}
        self.checked: int | None = None
        self._check_listeners: list[CALLBACK_TYPE] = []
        self._process_task: asyncio.Task[None] | None = None
        self._dirty = False
        self._unsub: CALLBACK_TYPE | None = None

    # ------------------------------------------------------------------ lifecycle
    @callback
    def async_start(self) -> None:
        """Follow the coordinator; take the baseline from the data it already has."""
        # Every later poll brings the running packages and their running links, at no extra
        # request: a link that stops without finishing shows at the next poll (tracker).
        self.coordinator.device.poll_download_progress = "links"
        self._unsub = self.coordinator.async_add_listener(self._on_update)
        self._on_update()

    async def async_stop(self) -> None:
        """Stop listening (on unload); the device drops the subscription after its keepalive."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        await self.doorbell.stop()
        if self._process_task is not None and not self._process_task.done():
            self._process_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._process_task
        self._process_task = None

    @callback
    def async_add_listener(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener(event_type, data)`` for every event; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_add_issue_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener()`` whenever :attr:`issues` changed; returns the remover."""
        self._issue_listeners.append(listener)
        return lambda: self._issue_listeners.remove(listener)

    @callback
    def async_add_check_listener(self, listener: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``listener()`` after every check taken in (the package rows changed)."""
        self._check_listeners.append(listener)
        return lambda: self._check_listeners.remove(listener)

    @callback
    def async_check_everything(self) -> None:
        """After an action from Home Assistant: the next poll reads every package again."""
        self.state.force = True

    @callback
    def _on_update(self) -> None:
        coordinator = self.coordinator
        if not coordinator.last_update_success or coordinator.data is None:
            return
        self.doorbell.follow(Connection(coordinator.data.connection_type))
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
                await self._process(snapshot(data))

    # ------------------------------------------------------------------ one poll
    async def _process(self, snap: Snapshot) -> None:
        state, now = self.state, dt_util.utcnow()
        self._fire_all(new_captchas(state, snap))
        if (check := plan_check(state, snap, now)) is None:
            commit_running(state, snap)
            return
        try:
            packages, views, links, issues = await self._read(check, snap)
        except JDownloaderError as err:
            # Nothing was committed: the next poll checks everything again.
            LOGGER.debug(
                "Event check of %s failed: %s", self.coordinator.device_name, type(err).__name__
            )
            state.force = True
            return
        first = not state.baseline_done
        async with cpu_turn():  # not while a large answer is decoded: see cpu_turn
            events = apply_check(state, snap, check, packages, links, now)
            if check.full:
                self.views = views
            else:
                self.views.update(views)
        self.checked = (self.checked or 0) + 1
        for listener in list(self._check_listeners):
            listener()
        self._fire_all(events)
        self._take_issues(check, packages, links, issues, events, first=first)

    def _take_issues(
        self,
        check: Check,
        packages: dict[int, PackageRow],
        links: Links,
        issues: PackageIssues,
        events: list[TrackerEvent],
        *,
        first: bool,
    ) -> None:
        """Keep the held links; re-read the accounts once when a download failed or got held
        (not at the first check: the slow data just read them)."""
        before = self.issues.packages.copy()
        finished = {uuid for uuid, row in packages.items() if row[FINISHED]}
        new = self.issues.commit(
            issues, links.packages, present=packages, finished=finished, full=check.full
        )
        if self.issues.packages != before:
            for listener in list(self._issue_listeners):
                listener()
        if first:
            return
        if new or any(event_type == EVENT_DOWNLOAD_FAILED for event_type, _ in events):
            self.hass.async_create_task(
                self.coordinator.async_refresh_accounts(),
                f"jdownloader accounts {self.coordinator.device_id}",
                eager_start=True,
            )

    async def _read(
        self, check: Check, snap: Snapshot
    ) -> tuple[dict[int, PackageRow], dict[int, PackageView], Links, PackageIssues]:
        device = self.coordinator.device
        packages, views = await device.query_packages_as(
            digest_packages_and_views,
            LIST_PACKAGE_FIELDS,
            package_ids=None if check.full else check.left,
        )
        async with cpu_turn():
            unfinished = links_to_read(self.state, snap, check, packages)
        if check.full and (held := self.issues.packages.keys() - set(unfinished)):
            # Packages with held links: read again, so a fix (unskipped, removed) is seen.
            unfinished = sorted(
                {*unfinished, *(p for p in held if p in packages and not packages[p][FINISHED])}
            )
        if not unfinished:
            return packages, views, Links(packages=frozenset(packages)), {}
        tracked, held_links = digest_links(unfinished), digest_issues(LINK_FIELDS)
        links, issues = await device.query_links_as(
            lambda rows: (tracked(rows), held_links(rows)), LINK_FIELDS, package_ids=unfinished
        )
        if new := unknown_failures(self.state, links):
            add_details(
                links, await device.query_links_as(digest_details, DETAIL_FIELDS, link_ids=new)
            )
        return packages, views, links, issues

    def _fire_all(self, events: list[TrackerEvent]) -> None:
        for event_type, data in events:
            if event_type == EVENT_CAPTCHA_REQUIRED:
                data["solve_url"] = self._solve_url()
            self._fire(event_type, data)

    def _solve_url(self) -> str:
        # Local mode does not know the MyJDownloader device id: the web interface's start page.
        return solve_url(self.entry.data.get(CONF_MODE) == MODE_CLOUD, self.coordinator.device_id)

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        coordinator = self.coordinator
        LOGGER.debug("%s: %s %s", coordinator.device_name, event_type, data)
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

    async def _refresh(self) -> None:
        """The doorbell rang: the refreshed poll data decides what (if anything) is checked."""
        # Straight to async_refresh: the debounced request would hold later ones for 10 s.
        await self.coordinator.async_refresh()
        if self._process_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._process_task)


@callback
def async_setup_events(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> None:
    """Attach a detector to every JDownloader of the entry, now and when one appears."""
    detectors = entry.runtime_data.detectors

    @callback
    def _attach(coordinator: JDownloaderDeviceCoordinator) -> None:
        device_id = coordinator.device_id
        if (old := detectors.get(device_id)) is not None:
            if old.coordinator is coordinator:
                return
            # Deleted from Home Assistant and listed again: a new coordinator, a new detector.
            hass.async_create_task(old.async_stop(), eager_start=True)
        detector = detectors[device_id] = EventDetector(hass, entry, coordinator)
        detector.async_start()

        async def _stop() -> None:
            if detectors.get(device_id) is detector:
                del detectors[device_id]
            await detector.async_stop()

        entry.async_on_unload(_stop)

    @callback
    def _on_stop(_: HassEvent) -> None:
        # HA shutdown does not unload entries; the long-polls must not outlive the loop.
        for detector in detectors.values():
            detector.doorbell.cancel()

    for coordinator in entry.runtime_data.devices.values():
        _attach(coordinator)
    entry.async_on_unload(hass.bus.async_listen(EVENT_HOMEASSISTANT_STOP, _on_stop))
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_device_added(entry.entry_id), _attach)
    )
