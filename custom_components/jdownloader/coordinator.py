"""Data update coordinators for the JDownloader integration.

Two kinds of coordinator exist per config entry:

* ``JDownloaderAccountCoordinator`` (cloud only) keeps the MyJDownloader device list. New
  JDownloaders get their own device coordinator at runtime; devices that are no longer listed
  turn unavailable until they come back or the user deletes them.
* ``JDownloaderDeviceCoordinator`` polls one JDownloader. A steady-state poll over the cloud
  relay is one request (``polling/poll``: speed, state, running packages, captchas). The toolbar
  status (the switches) comes with every poll over a direct or local connection; over the relay
  only after an action, when the controller state changed (starting, stopping and pausing are
  when switch states such as "stop after current" change) and every ``SETTINGS_INTERVAL``, its
  fast-moving fields taken from the poll in between. Slow data: slow_data.py.

Rate limiting and service overload are handled by one ``ServiceBackoff`` (backoff.py) shared by
every coordinator of the entry, so a single 429 slows the whole account down, not just one device;
poll_errors.py says how a failed poll is reported.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DeviceInfo as ApiDeviceInfo,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDevice,
    JDownloaderError,
    MyJDownloaderClient,
    PollResult,
    ToolbarStatus,
)
from .backoff import ServiceBackoff
from .compat import async_get_device
from .const import (
    CONF_MODE,
    CONFIGURATION_URL,
    DOMAIN,
    INTERVAL_ACCOUNT,
    INTERVAL_LAN_ACTIVE,
    INTERVAL_LAN_IDLE,
    INTERVAL_RELAY_ACTIVE,
    INTERVAL_RELAY_IDLE,
    LOGGER,
    MANUFACTURER,
    MODE_CLOUD,
    MODEL,
    RESTART_SETTLE,
    RUNNING_STATES,
    SETTINGS_INTERVAL,
    SLOW_DATA_INTERVAL,
    signal_device_added,
)
from .data import JDownloaderConfigEntry, JDownloaderDeviceData
from .entries import async_local_device_ids
from .poll_errors import backoff_failed, raise_for_error
from .slow_data import SlowData, read_accounts, read_slow_data
from .stale_devices import StaleDevices


def _toolbar_from_poll(toolbar: ToolbarStatus, poll: PollResult) -> ToolbarStatus:
    """The last toolbar status, its fast-moving fields brought up to date from ``poll``.

    Switch states stay as last read: they change only through an action (which re-reads them)
    or in JDownloader's own window.
    """
    running, speed = toolbar.running, toolbar.speed
    if (numbers := poll.aggregated) is not None:  # -1: the device did not say
        if numbers.running >= 0:
            running = numbers.running > 0
        if numbers.download_speed >= 0:
            speed = numbers.download_speed
    return replace(toolbar, state=poll.jd_state or toolbar.state, running=running, speed=speed)


class JDownloaderDeviceCoordinator(DataUpdateCoordinator[JDownloaderDeviceData]):
    """Polls one JDownloader (over the relay, a direct connection or the local API)."""

    config_entry: JDownloaderConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: JDownloaderConfigEntry,
        device: JDownloaderDevice,
        backoff: ServiceBackoff,
        *,
        device_id: str | None = None,
        device_name: str | None = None,
        can_reauth: bool = True,
    ) -> None:
        """Create the coordinator for one JDownloader."""
        self.device = device
        self.device_id = device_id or device.id
        self.device_name = device_name or device.name
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name=f"JDownloader {self.device_name}",
            update_interval=INTERVAL_RELAY_IDLE,
        )
        self.listed = True
        self._backoff = backoff
        self._can_reauth = can_reauth
        self._slow = SlowData()
        # When the slow data is due: everything (None: now), the hourly part.
        self._settings_next: datetime | None = None
        self._hourly_next: datetime | None = None
        self._toolbar: ToolbarStatus | None = None  # as last read (None: read with the next poll)
        self._toolbar_next: datetime | None = None  # over the relay: read again at the latest then
        self._jd_state: str | None = None  # controller state of the last poll
        self._restarting = False  # a restart was asked for; slow data not re-read since

    async def async_request_slow_refresh(self) -> None:
        """Re-read slow-changing data (version, limits, storage, update) and refresh."""
        self._settings_next = None
        self._toolbar = None
        await self.async_request_refresh()

    async def async_refresh_after_restart(self) -> None:
        """Refresh now; re-read the slow data (version, update) once JDownloader is back.

        Right after ``restartJD``/``restartAndUpdate`` JDownloader still answers as before it
        restarts, so reading the slow data now would keep an installed update "available".
        """
        self._restarting = True
        self._settings_next = dt_util.utcnow() + RESTART_SETTLE
        self._toolbar = None
        await self.async_refresh()

    async def async_refresh_accounts(self) -> None:
        """Re-read the premium accounts only (a download failed or was skipped): one request,
        two while an account is bad (slow_data.read_accounts). A failure keeps what was known."""
        if self._slow.accounts is None:
            return  # not read yet (the next slow read has them) or not supported by this JD
        try:
            accounts = await read_accounts(self.device)
        except JDownloaderError as err:
            LOGGER.debug("Accounts of %s not re-read: %s", self.device_name, type(err).__name__)
            return
        self._slow = replace(self._slow, accounts=accounts)
        if self.data is not None:
            self.data = replace(self.data, slow=self._slow)
            self.async_update_listeners()

    async def async_refresh_after_action(self) -> None:
        """Refresh at once, toolbar state included, so switches show what an action did."""
        self._toolbar = None
        await self.async_refresh()

    def _interval(self, data: JDownloaderDeviceData | None) -> timedelta:
        relay = data is None or data.connection_type.uses_cloud
        active = data is not None and (
            data.poll.jd_state in RUNNING_STATES
            if data.poll.jd_state is not None
            else data.toolbar.running
        )
        if relay:
            return INTERVAL_RELAY_ACTIVE if active else INTERVAL_RELAY_IDLE
        return INTERVAL_LAN_ACTIVE if active else INTERVAL_LAN_IDLE

    def _raise_if_not_listed(self) -> None:
        if not self.listed:
            self.update_interval = INTERVAL_RELAY_IDLE
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="device_not_listed")

    async def _async_update_data(self) -> JDownloaderDeviceData:
        self._raise_if_not_listed()
        # The back-off guards the cloud. A JDownloader reached directly on the LAN keeps being
        # polled (free for the cloud); if that poll needs the cloud after all (a session
        # renewal) and is refused, it waits like the others.
        lan = not self.device.connection_type.uses_cloud
        if not lan and (wait := self._backoff.acquire(self)):
            self.update_interval = timedelta(seconds=wait)
            raise backoff_failed(wait)
        try:
            data = await self._fetch()
        except JDownloaderError as err:
            # Dropped from the account while this poll was in flight: the relay then answers
            # OFFLINE, but "not listed" is the reason the user can act on.
            self._raise_if_not_listed()
            if isinstance(err, JDownloaderConnectionError):
                # Gone (restarting, updating, closed): read everything once it is back.
                self._settings_next = None
                self._toolbar = None
            self.update_interval = self._interval(None)
            delay = raise_for_error(
                err,
                self._backoff,
                auth=self._can_reauth,
                cloud=self.config_entry.data[CONF_MODE] == MODE_CLOUD,
            )
            self.update_interval = timedelta(seconds=delay)
            raise backoff_failed(delay) from err
        finally:
            self._backoff.release(self)
        # No success() here: the client reports every cloud answer to the back-off (its cloud
        # gate), and a LAN answer proves nothing about the cloud.
        # The account may have dropped the device while this poll was in flight.
        self._raise_if_not_listed()
        self.update_interval = self._interval(data)
        return data

    def _toolbar_due(self, poll: PollResult) -> bool:
        """Over the relay: after an action, a controller state change, or SETTINGS_INTERVAL."""
        changed = poll.jd_state is not None and poll.jd_state != self._jd_state
        return changed or self._toolbar_next is None or dt_util.utcnow() >= self._toolbar_next

    async def _fetch_fast(self) -> tuple[PollResult, ToolbarStatus]:
        """``polling/poll``, plus ``toolbar/getStatus`` when due (see the module docstring)."""
        if (last := self._toolbar) is not None and self.device.connection_type.uses_cloud:
            poll = await self.device.poll()
            due = self._toolbar_due(poll)
            self._jd_state = poll.jd_state
            if not due:
                return poll, _toolbar_from_poll(last, poll)
            toolbar = await self.device.toolbar_status()
        elif self._backoff.active:
            # Probing after a 429/503: a second request only once the first was answered.
            poll = await self.device.poll()
            toolbar = await self.device.toolbar_status()
        else:
            poll, toolbar = await asyncio.gather(self.device.poll(), self.device.toolbar_status())
        self._jd_state = poll.jd_state
        self._toolbar, self._toolbar_next = toolbar, dt_util.utcnow() + SETTINGS_INTERVAL
        return poll, toolbar

    async def _fetch(self) -> JDownloaderDeviceData:
        poll, toolbar = await self._fetch_fast()
        now = dt_util.utcnow()
        everything = self._settings_next is None or now >= self._settings_next
        if everything or self._hourly_next is None or now >= self._hourly_next:
            self._slow = await read_slow_data(self.device, self._slow, hourly_only=not everything)
            self._hourly_next = now + SLOW_DATA_INTERVAL
            if everything:
                self._restarting = False
                self._settings_next = now + SETTINGS_INTERVAL
                self._sync_device_registry()
        return JDownloaderDeviceData(
            poll=poll, toolbar=toolbar, connection_type=self.device.connection_type, slow=self._slow
        )

    @callback
    def async_register_device(self) -> None:
        """Create the JDownloader's device now, so it exists before any entity does."""
        dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.config_entry.entry_id,
            identifiers={(DOMAIN, self.device_id)},
            name=self.device_name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            # A program on a computer: a device, not a service (entries made before were).
            entry_type=None,
            configuration_url=(
                CONFIGURATION_URL if self.config_entry.data[CONF_MODE] == MODE_CLOUD else None
            ),
        )
        self._sync_device_registry()

    @callback
    def async_rename(self, name: str) -> None:
        """Follow a rename in MyJDownloader (a name the user set in HA is kept by HA)."""
        self.device_name = name
        registry = dr.async_get(self.hass)
        entry = async_get_device(registry, (DOMAIN, self.device_id), self.config_entry.entry_id)
        if entry is not None:
            registry.async_update_device(entry.id, name=name)

    def _sync_device_registry(self) -> None:
        """Keep the device's software version current."""
        if self._slow.version is None:
            return
        registry = dr.async_get(self.hass)
        entry = async_get_device(registry, (DOMAIN, self.device_id), self.config_entry.entry_id)
        sw_version = str(self._slow.version)
        if entry is not None and entry.sw_version != sw_version:
            registry.async_update_device(entry.id, sw_version=sw_version)


class JDownloaderAccountCoordinator(DataUpdateCoordinator[dict[str, ApiDeviceInfo]]):
    """Keeps a MyJDownloader account's device list and the device coordinators in step."""

    config_entry: JDownloaderConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        config_entry: JDownloaderConfigEntry,
        client: MyJDownloaderClient,
        devices: dict[str, JDownloaderDeviceCoordinator],
        backoff: ServiceBackoff,
    ) -> None:
        """Create the account coordinator; ``devices`` is the runtime-data dict it fills."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=config_entry,
            name="MyJDownloader account",
            update_interval=INTERVAL_ACCOUNT,
        )
        self.client = client
        self.devices = devices
        self._backoff = backoff
        self._stale = StaleDevices(hass, config_entry.entry_id)

    async def _async_setup(self) -> None:
        """Log in once; failures here decide between reauth and retrying setup."""
        await self._stale.async_load()
        try:
            await self.client.connect()
        except JDownloaderAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except JDownloaderError as err:
            # UpdateFailed, not ConfigEntryNotReady: HA turns it into a quiet setup retry, while
            # ConfigEntryNotReady raised here is logged as an unexpected error with a traceback.
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": type(err).__name__},
            ) from err

    async def _async_update_data(self) -> dict[str, ApiDeviceInfo]:
        if wait := self._backoff.acquire(self):
            self.update_interval = max(timedelta(seconds=wait), INTERVAL_ACCOUNT)
            raise backoff_failed(wait)
        try:
            listed = await self.client.list_devices()
        except JDownloaderError as err:
            self.update_interval = INTERVAL_ACCOUNT
            delay = raise_for_error(err, self._backoff, auth=True)
            self.update_interval = max(timedelta(seconds=delay), INTERVAL_ACCOUNT)
            raise backoff_failed(delay) from err
        finally:
            self._backoff.release(self)
        self.update_interval = INTERVAL_ACCOUNT
        data = {info.id: info for info in listed}
        await self._reconcile(data)
        return data

    async def _reconcile(self, listed: dict[str, ApiDeviceInfo]) -> None:
        """Create coordinators for new devices; flag the ones that went away or came back."""
        new: list[JDownloaderDeviceCoordinator] = []
        changed: list[JDownloaderDeviceCoordinator] = []
        served_locally = async_local_device_ids(self.hass)
        for device_id, info in listed.items():
            if (existing := self.devices.get(device_id)) is None and device_id in served_locally:
                # A local entry serves this JDownloader (see async_local_device_ids).
                LOGGER.debug("%s is set up through its local API; not adding it again", info.name)
                continue
            if existing is not None:
                if existing.device_name != info.name:
                    existing.async_rename(info.name)
                if not existing.listed:
                    existing.listed = True
                    changed.append(existing)
                continue
            new.append(
                JDownloaderDeviceCoordinator(
                    self.hass,
                    self.config_entry,
                    self.client.device(device_id),
                    self._backoff,
                    device_id=device_id,
                    device_name=info.name,
                )
            )
        for device_id, coordinator in self.devices.items():
            if device_id not in listed and coordinator.listed:
                coordinator.listed = False
                changed.append(coordinator)
        await self._remove_stale(listed)
        # Concurrently: one slow or offline device must not hold up the others.
        await asyncio.gather(*(c.async_refresh() for c in (*new, *changed)))
        for coordinator in new:
            self.devices[coordinator.device_id] = coordinator
            coordinator.async_register_device()
            async_dispatcher_send(
                self.hass, signal_device_added(self.config_entry.entry_id), coordinator
            )

    async def _remove_stale(self, listed: dict[str, ApiDeviceInfo]) -> None:
        """Remove JDownloaders missing from the account for longer than the grace period."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        registered = {
            identifier: device
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            for domain, identifier in device.identifiers
            if domain == DOMAIN and device.model == MODEL
        }
        for device_id in self._stale.due(registered, listed):
            LOGGER.info(
                "Removing JDownloader %s: the account has not listed it for a while",
                registered[device_id].name,
            )
            if (coordinator := self.devices.pop(device_id, None)) is not None:
                await coordinator.async_shutdown()
            registry.async_update_device(registered[device_id].id, remove_config_entry_id=entry_id)
