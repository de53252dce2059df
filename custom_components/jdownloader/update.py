"""Update entity for JDownloader's own self-update.

JDownloader only reports *whether* a prepared update is waiting (``update/isUpdateAvailable``),
never the revision it would install. The latest version therefore reads
"newer than <installed>" while an update waits, and equals the installed revision otherwise.
Installing means ``update/restartAndUpdate``: JDownloader restarts and is offline meanwhile.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.update import (
    UpdateEntity,
    UpdateEntityDescription,
    UpdateEntityFeature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import JDownloaderEntity, async_add_device_entities, async_device_action

# Actions go to one JDownloader at a time.
PARALLEL_UPDATES = 1

UPDATE = UpdateEntityDescription(key="update", translation_key="update")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the update entity for every JDownloader of the entry, now and later."""

    def entities(coordinator: JDownloaderDeviceCoordinator) -> list[JDownloaderUpdate]:
        return [JDownloaderUpdate(coordinator, UPDATE)]

    async_add_device_entities(hass, entry, async_add_entities, entities)


class JDownloaderUpdate(JDownloaderEntity, UpdateEntity):
    """JDownloader's self-update."""

    _attr_supported_features = UpdateEntityFeature.INSTALL

    @property
    def installed_version(self) -> str | None:
        """The running JDownloader revision."""
        version = self.coordinator.data.slow.version
        return None if version is None else str(version)

    @property
    def latest_version(self) -> str | None:
        """The installed revision, or a marker that a newer one is ready."""
        installed = self.installed_version
        available = self.coordinator.data.slow.update_available
        if installed is None or available is None:
            return None
        return f"newer than {installed}" if available else installed

    def _state_values(self) -> object:
        return self.installed_version, self.latest_version

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Restart JDownloader and let it install the prepared update."""
        device = self.coordinator.device
        await async_device_action(self.coordinator, device.restart_and_update, restart=True)
