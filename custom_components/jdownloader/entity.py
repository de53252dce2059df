"""Base entity of the JDownloader platforms, adding entities for new JDownloaders, and running
an entity's command (errors translated, a refresh after it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import (
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderDeviceOfflineError,
    JDownloaderError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
)
from .const import (
    CONF_MODE,
    CONFIGURATION_URL,
    DOMAIN,
    MANUFACTURER,
    MODE_CLOUD,
    MODEL,
    signal_device_added,
)
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry

# Marks an entity whose state is written with every poll (see JDownloaderEntity._state_values).
_ALWAYS: Final = object()


class JDownloaderEntity(CoordinatorEntity[JDownloaderDeviceCoordinator]):
    """An entity of one JDownloader; unique id and device are keyed by the device id."""

    _attr_has_entity_name = True
    _last_written: object = _ALWAYS  # what the state was made of when last written

    def __init__(
        self, coordinator: JDownloaderDeviceCoordinator, description: EntityDescription
    ) -> None:
        """Bind the entity to its JDownloader's coordinator."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.device_id}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.device_id)},
            name=coordinator.device_name,
            manufacturer=MANUFACTURER,
            model=MODEL,
            configuration_url=(
                CONFIGURATION_URL
                if coordinator.config_entry.data.get(CONF_MODE) == MODE_CLOUD
                else None
            ),
        )
        # sw_version is maintained by the coordinator; an explicit None here would erase it.
        if (data := coordinator.data) is not None and data.slow.version is not None:
            self._attr_device_info["sw_version"] = str(data.slow.version)

    @property
    def available(self) -> bool:
        """Unavailable until the first successful poll, and whenever a poll fails."""
        return super().available and self.coordinator.data is not None

    def _state_values(self) -> object:
        """What this entity's state is made of, or ``_ALWAYS`` (then every poll writes it).

        A poll writes the state only when these changed: most polls change a few values, and
        writing an unchanged state still costs Home Assistant's CPU (and a state_reported event).
        Called only while available.
        """
        return _ALWAYS

    def _written_key(self) -> object:
        if not self.available:
            return None
        values = self._state_values()
        return _ALWAYS if values is _ALWAYS else (values,)

    async def async_added_to_hass(self) -> None:
        """Home Assistant writes the first state right after this: remember what it is made of
        (a subclass that changes its values after this call calls ``_remember_written``)."""
        await super().async_added_to_hass()
        self._remember_written()

    def _remember_written(self) -> None:
        self._last_written = self._written_key()

    @callback
    def async_write_state(self) -> None:
        """Write the state, remembering what it was made of: every write of ours goes here
        (``async_write_ha_state`` itself is final in Home Assistant)."""
        self._remember_written()
        self.async_write_ha_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Write the state if the poll changed it."""
        key = self._written_key()
        if key is _ALWAYS or key != self._last_written:
            self.async_write_state()


@callback
def async_add_device_entities(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity_factory: Callable[[JDownloaderDeviceCoordinator], Iterable[Entity]],
) -> None:
    """Add a platform's entities for every JDownloader now and for every one found later."""

    @callback
    def _add(coordinators: Iterable[JDownloaderDeviceCoordinator]) -> None:
        entities = [entity for c in coordinators for entity in entity_factory(c)]
        if entities:
            async_add_entities(entities)

    # A @callback, not a lambda: the dispatcher runs undecorated plain functions in the
    # executor, where adding entities fails ("no running event loop").
    @callback
    def _add_one(coordinator: JDownloaderDeviceCoordinator) -> None:
        _add([coordinator])

    _add(list(entry.runtime_data.devices.values()))
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_device_added(entry.entry_id), _add_one)
    )


async def async_device_action[T](
    coordinator: JDownloaderDeviceCoordinator,
    action: Callable[[], Awaitable[T]],
    *,
    slow: bool = False,
    restart: bool = False,
) -> T:
    """Run one command against a JDownloader, then refresh so its entities follow at once.

    ``slow`` re-reads the slow data too (settings, version, update state); ``restart`` (the
    command restarts JDownloader) re-reads it once JDownloader is back. The refresh also runs
    after a failure, so the entities show what the device really did.
    """
    try:
        return await action()
    except JDownloaderError as err:
        raise action_error(err, coordinator.device_name) from err
    finally:
        if restart:
            await coordinator.async_refresh_after_restart()
        elif slow:
            await coordinator.async_request_slow_refresh()
        else:
            await coordinator.async_refresh_after_action()


def action_error(err: JDownloaderError, device_name: str) -> HomeAssistantError:
    """Translate a client error raised by an action into a user-facing error."""
    placeholders = {"device": device_name}
    if isinstance(err, JDownloaderDeviceOfflineError):
        key = "device_unreachable"
    elif isinstance(err, JDownloaderRateLimitError | JDownloaderServiceUnavailableError):
        key = "service_busy"
    elif isinstance(err, JDownloaderAuthError):
        key = "action_auth_failed"
    elif isinstance(err, JDownloaderApiError):
        key = "command_rejected"
        placeholders["error"] = err.error_type
    else:
        key = "communication_error"
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
