"""Data update coordinators for the JDownloader integration.

Two kinds of coordinator exist per config entry:

* ``JDownloaderAccountCoordinator`` (cloud only) keeps the MyJDownloader device list. New
  JDownloaders get their own device coordinator at runtime; devices that are no longer listed
  turn unavailable until they come back or the user deletes them.
* ``JDownloaderDeviceCoordinator`` polls one JDownloader. A steady-state poll costs one device
  request (``polling/poll``) plus ``toolbar/getStatus`` (the switches): with every poll over a
  direct or local connection, with every ``TOOLBAR_RELAY_EVERY``-th poll over the cloud relay
  and right after an action. Slow-changing data is read at most hourly or right after an action.

Rate limiting and service overload are handled by one ``ServiceBackoff`` shared by every
coordinator of the entry, so a single 429 slows the whole account down, not just one device.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DeviceInfo as ApiDeviceInfo,
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDevice,
    JDownloaderDeviceOfflineError,
    JDownloaderError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
    MyJDownloaderClient,
    PollResult,
    ToolbarStatus,
)
from .compat import async_get_device
from .const import (
    BACKOFF_INITIAL,
    BACKOFF_MAX,
    BACKOFF_STEADY,
    BACKOFF_STEADY_FOR,
    CONF_DEVICE_ID,
    CONF_MODE,
    CONFIGURATION_URL,
    DOMAIN,
    GENERAL_SETTINGS,
    INTERVAL_ACCOUNT,
    INTERVAL_LAN_ACTIVE,
    INTERVAL_LAN_IDLE,
    INTERVAL_RELAY_ACTIVE,
    INTERVAL_RELAY_IDLE,
    KEY_DOWNLOAD_FOLDER,
    KEY_SPEED_LIMIT,
    LOGGER,
    MANUFACTURER,
    MODE_CLOUD,
    MODE_LOCAL,
    MODEL,
    PROBE_WAIT,
    RESTART_SETTLE,
    RUNNING_STATES,
    SLOW_DATA_INTERVAL,
    TOOLBAR_RELAY_EVERY,
    signal_device_added,
)

type JDownloaderConfigEntry = ConfigEntry[JDownloaderRuntimeData]


@dataclass
class JDownloaderRuntimeData:
    """Objects shared by the platforms of one config entry."""

    client: MyJDownloaderClient | None
    account: JDownloaderAccountCoordinator | None
    devices: dict[str, JDownloaderDeviceCoordinator]
    # A lambda because ServiceBackoff is defined further down this module.
    backoff: ServiceBackoff = field(default_factory=lambda: ServiceBackoff())  # noqa: PLW0108


@dataclass(kw_only=True)
class JDownloaderDeviceData:
    """State of one JDownloader."""

    poll: PollResult
    toolbar: ToolbarStatus
    connection_type: str
    update_available: bool | None = None
    version: int | None = None
    started: datetime | None = None
    free_space: int | None = None
    speed_limit: int | None = None
    max_simultaneous_downloads: int | None = None


@dataclass(kw_only=True)
class _SlowData:
    update_available: bool | None = None
    version: int | None = None
    started: datetime | None = None
    free_space: int | None = None
    speed_limit: int | None = None
    max_simultaneous_downloads: int | None = None


class ServiceBackoff:
    """Back-off after 429 / 503 answers, shared by an entry's coordinators.

    The waits: ``initial``, then ``steady`` until ``steady_for`` seconds have passed since the
    first failure, then doubling up to ``maximum`` (see const.py for why).

    Concurrent failures within one waiting period count once, so five devices hitting the same
    rate limit do not jump five steps at a time. When a waiting period ends, one coordinator
    probes (one request at a time) while the others wait a few seconds for its outcome, so a
    long outage costs one request per round instead of two per device.

    It is also the client's :class:`CloudGate`: every cloud request, whoever sends it (a
    session renewal for a LAN device, the direct-connection refresh, the events doorbell),
    waits for the period to end, and after it one request per ``PROBE_WAIT`` probes until the
    cloud answers.
    """

    def __init__(
        self,
        initial: float = BACKOFF_INITIAL,
        maximum: float = BACKOFF_MAX,
        steady: float = BACKOFF_STEADY,
        steady_for: float = BACKOFF_STEADY_FOR,
    ) -> None:
        """Initialise an inactive back-off."""
        self._initial = initial
        self._maximum = maximum
        self._steady = steady
        self._steady_for = steady_for
        self.delay = 0.0
        self._since: datetime | None = None
        self._until: datetime | None = None
        self._probe_sent: datetime | None = None
        self._prober: object | None = None

    @property
    def active(self) -> bool:
        """True from the first 429/503 until a request is answered again."""
        return self.delay > 0

    def acquire(self, caller: object) -> float:
        """Seconds ``caller`` must wait before sending (0: go ahead; it may be the prober)."""
        if (left := self.remaining()) > 1:
            return left
        if not self.active:
            return 0.0
        if self._prober is not None and self._prober is not caller:
            return PROBE_WAIT
        self._prober = caller
        return 0.0

    def release(self, caller: object) -> None:
        """End ``caller``'s probe, whatever its outcome (another caller may probe next)."""
        if self._prober is caller:
            self._prober = None

    def remaining(self) -> float:
        """Seconds left in the current waiting period (0 when requests may be sent)."""
        if self._until is None:
            return 0.0
        return max((self._until - dt_util.utcnow()).total_seconds(), 0.0)

    def failure(self, retry_after: float | None = None) -> float:
        """Record a rate-limit/overload answer; return the seconds to wait."""
        if (left := self.remaining()) > 1:
            return left
        now = dt_util.utcnow()
        if self.delay == 0 or self._since is None:
            self._since = now
            self.delay = self._initial
        elif (now - self._since).total_seconds() < self._steady_for:
            self.delay = max(self.delay, self._steady)
        else:
            self.delay = min(self.delay * 2, self._maximum)
        if retry_after is not None:
            self.delay = min(max(self.delay, retry_after), self._maximum)
        self._until = now + timedelta(seconds=self.delay)
        self._prober = None
        self._probe_sent = None
        return self.delay

    def success(self) -> None:
        """Reset after an answered request."""
        self.delay = 0.0
        self._since = None
        self._until = None
        self._prober = None
        self._probe_sent = None

    # CloudGate, asked by the client before and told after every cloud request.
    def wait(self) -> float:
        """Seconds before a cloud request may go out (0: send; after a period, it probes)."""
        if (left := self.remaining()) > 1:
            return left
        if not self.active:
            return 0.0
        now = dt_util.utcnow()
        if self._probe_sent is not None:
            elapsed = (now - self._probe_sent).total_seconds()
            if elapsed < PROBE_WAIT:
                return PROBE_WAIT - elapsed
        self._probe_sent = now
        return 0.0

    def answered(self) -> None:
        """The cloud answered: requests flow again."""
        self.success()

    def refused(self, retry_after: float | None) -> None:
        """The cloud refused (429/503): start or keep the waiting period."""
        self.failure(retry_after)


@callback
def async_local_device_ids(hass: HomeAssistant) -> set[str]:
    """JDownloader ids that local entries serve (an account entry leaves these out).

    A JDownloader added both ways would be two devices with colliding entity unique ids; the
    local entry wins, its polls cost the cloud nothing. Disabled local entries count too: their
    devices and entities stay in the registries.
    """
    ids: set[str] = set()
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_MODE) == MODE_LOCAL:
            ids.update(i for i in (entry.unique_id, entry.data.get(CONF_DEVICE_ID)) if i)
    return ids


@callback
def async_account_serves(hass: HomeAssistant, device_id: str) -> bool:
    """True when a MyJDownloader account entry has this JDownloader (running or registered)."""
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_MODE) != MODE_CLOUD:
            continue
        runtime = getattr(entry, "runtime_data", None)  # only set while the entry is loaded
        if isinstance(runtime, JDownloaderRuntimeData) and device_id in runtime.devices:
            return True
        if async_get_device(registry, (DOMAIN, device_id), entry.entry_id) is not None:
            return True
    return False


def _raise_for_error(err: JDownloaderError, backoff: ServiceBackoff, *, auth: bool) -> float:
    """Translate a client error into the Home Assistant exception for a failed poll.

    Returns the back-off delay (seconds) if the error was a rate limit / overload; in that case
    the caller still has to raise UpdateFailed after adjusting its interval.
    """
    if isinstance(err, JDownloaderAuthError):
        if auth:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        raise UpdateFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
    if isinstance(err, JDownloaderRateLimitError):
        if not err.sent:
            # Held back by the back-off itself (another request is probing): not a refusal.
            return max(err.retry_after or PROBE_WAIT, 1.0)
        return backoff.failure(err.retry_after)
    if isinstance(err, JDownloaderServiceUnavailableError):
        return backoff.failure()
    if isinstance(err, JDownloaderDeviceOfflineError):
        raise UpdateFailed(translation_domain=DOMAIN, translation_key="device_offline") from err
    raise UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": type(err).__name__},
    ) from err


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


def _backoff_failed(delay: float) -> UpdateFailed:
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="rate_limited",
        translation_placeholders={"seconds": str(round(delay))},
    )


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
        self._slow = _SlowData()
        self._slow_next: datetime | None = None
        self._toolbar: ToolbarStatus | None = None
        self._toolbar_age = 0  # polls since toolbar/getStatus was last read
        self._restarting = False  # a restart was asked for; slow data not re-read since

    async def async_request_slow_refresh(self) -> None:
        """Re-read slow-changing data (version, limits, storage, update) and refresh."""
        self._slow_next = None
        self._toolbar = None
        await self.async_request_refresh()

    async def async_refresh_after_restart(self) -> None:
        """Refresh now; re-read the slow data (version, update) once JDownloader is back.

        Right after ``restartJD``/``restartAndUpdate`` JDownloader still answers as before it
        restarts, so reading the slow data now would keep an installed update "available".
        """
        self._restarting = True
        self._slow_next = dt_util.utcnow() + RESTART_SETTLE
        self._toolbar = None
        await self.async_refresh()

    async def async_refresh_after_action(self) -> None:
        """Refresh at once, toolbar state included, so switches show what an action did."""
        self._toolbar = None
        await self.async_refresh()

    def _interval(self, data: JDownloaderDeviceData | None) -> timedelta:
        relay = data is None or data.connection_type == "relay"
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
        lan = self.device.connection_type != "relay"
        if not lan and (wait := self._backoff.acquire(self)):
            self.update_interval = timedelta(seconds=wait)
            raise _backoff_failed(wait)
        try:
            data = await self._fetch()
        except JDownloaderError as err:
            # Dropped from the account while this poll was in flight: the relay then answers
            # OFFLINE, but "not listed" is the reason the user can act on.
            self._raise_if_not_listed()
            if self._restarting and isinstance(err, JDownloaderConnectionError):
                self._slow_next = None  # it is restarting: read everything once it is back
            self.update_interval = self._interval(None)
            delay = _raise_for_error(err, self._backoff, auth=self._can_reauth)
            self.update_interval = timedelta(seconds=delay)
            raise _backoff_failed(delay) from err
        finally:
            self._backoff.release(self)
        # No success() here: the client reports every cloud answer to the back-off (its cloud
        # gate), and a LAN answer proves nothing about the cloud.
        # The account may have dropped the device while this poll was in flight.
        self._raise_if_not_listed()
        self.update_interval = self._interval(data)
        return data

    def _toolbar_due(self) -> bool:
        return (
            self._toolbar is None
            or self.device.connection_type != "relay"
            or self._toolbar_age + 1 >= TOOLBAR_RELAY_EVERY
        )

    async def _fetch_fast(self) -> tuple[PollResult, ToolbarStatus]:
        """``polling/poll``, plus ``toolbar/getStatus`` when due (see the module docstring)."""
        if not self._toolbar_due():
            assert self._toolbar is not None
            poll = await self.device.poll()
            self._toolbar_age += 1
            return poll, _toolbar_from_poll(self._toolbar, poll)
        if self._backoff.active:
            # Probing after a 429/503: a second request only once the first was answered.
            poll = await self.device.poll()
            toolbar = await self.device.toolbar_status()
        else:
            poll, toolbar = await asyncio.gather(self.device.poll(), self.device.toolbar_status())
        self._toolbar, self._toolbar_age = toolbar, 0
        return poll, toolbar

    async def _fetch(self) -> JDownloaderDeviceData:
        poll, toolbar = await self._fetch_fast()
        now = dt_util.utcnow()
        if self._slow_next is None or now >= self._slow_next:
            self._slow = await self._fetch_slow()
            self._restarting = False
            self._slow_next = now + SLOW_DATA_INTERVAL
            self._sync_device_registry()
        slow = self._slow
        return JDownloaderDeviceData(
            poll=poll,
            toolbar=toolbar,
            connection_type=self.device.connection_type,
            update_available=slow.update_available,
            version=slow.version,
            started=slow.started,
            free_space=slow.free_space,
            speed_limit=slow.speed_limit,
            max_simultaneous_downloads=slow.max_simultaneous_downloads,
        )

    async def _fetch_slow(self) -> _SlowData:
        """Read slow data; a call an older JDownloader does not know just leaves a None."""
        device = self.device
        slow = _SlowData()
        with contextlib.suppress(JDownloaderApiError):
            slow.update_available = await device.is_update_available()
        with contextlib.suppress(JDownloaderApiError):
            slow.version = await device.version()
        with contextlib.suppress(JDownloaderApiError):
            uptime = timedelta(milliseconds=await device.uptime())
            slow.started = (dt_util.utcnow() - uptime).replace(microsecond=0)
        with contextlib.suppress(JDownloaderApiError):
            limit = await device.config_get(GENERAL_SETTINGS, KEY_SPEED_LIMIT)
            slow.speed_limit = limit if isinstance(limit, int) else None
        with contextlib.suppress(JDownloaderApiError):
            slow.max_simultaneous_downloads = await device.get_max_simultaneous_downloads()
        with contextlib.suppress(JDownloaderApiError):
            slow.free_space = await self._free_space()
        return slow

    async def _free_space(self) -> int | None:
        """Free bytes on the storage holding the default download folder."""
        folder = await self.device.config_get(GENERAL_SETTINGS, KEY_DOWNLOAD_FOLDER)
        path = folder if isinstance(folder, str) and folder else None
        infos = [i for i in await self.device.storage_infos(path) if not i.error and i.free >= 0]
        if not infos:
            return None
        if path is not None:
            # Several mounts may be returned: prefer the one the folder lives on.
            matching = [i for i in infos if path.startswith(i.path)]
            if matching:
                return max(matching, key=lambda i: len(i.path)).free
        return infos[0].free

    @callback
    def async_register_device(self) -> None:
        """Create the JDownloader's device now, so it exists before any entity does."""
        dr.async_get(self.hass).async_get_or_create(
            config_entry_id=self.config_entry.entry_id,
            identifiers={(DOMAIN, self.device_id)},
            name=self.device_name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            entry_type=dr.DeviceEntryType.SERVICE,
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

    async def _async_setup(self) -> None:
        """Log in once; failures here decide between reauth and retrying setup."""
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
            raise _backoff_failed(wait)
        try:
            listed = await self.client.list_devices()
        except JDownloaderError as err:
            self.update_interval = INTERVAL_ACCOUNT
            delay = _raise_for_error(err, self._backoff, auth=True)
            self.update_interval = max(timedelta(seconds=delay), INTERVAL_ACCOUNT)
            raise _backoff_failed(delay) from err
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
        # Concurrently: one slow or offline device must not hold up the others.
        await asyncio.gather(*(c.async_refresh() for c in (*new, *changed)))
        for coordinator in new:
            self.devices[coordinator.device_id] = coordinator
            coordinator.async_register_device()
            async_dispatcher_send(
                self.hass, signal_device_added(self.config_entry.entry_id), coordinator
            )
