"""Number entities of a JDownloader: speed limit value and simultaneous downloads.

Both are JDownloader settings (``GeneralSettings``), read by the coordinator with its slow
data; after a change the slow data is re-read at once so the entity follows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, UnitOfDataRate
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import JDownloaderDevice
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderDeviceData
from .entity import JDownloaderEntity, async_add_device_entities, async_device_action

# Actions go to one JDownloader at a time.
PARALLEL_UPDATES = 1

MB = 1_000_000  # decimal, like the speed and size sensors (MB/s, GB)


@dataclass(frozen=True, kw_only=True)
class JDownloaderNumberEntityDescription(NumberEntityDescription):
    """Describes a JDownloader number: how to read and write it."""

    value_fn: Callable[[JDownloaderDeviceData], float | None]
    set_fn: Callable[[JDownloaderDevice, float], Awaitable[None]]


def _speed_limit(data: JDownloaderDeviceData) -> float | None:
    if data.slow.speed_limit is None:
        return None
    return round(data.slow.speed_limit / MB, 2)


NUMBERS: tuple[JDownloaderNumberEntityDescription, ...] = (
    JDownloaderNumberEntityDescription(
        key="speed_limit_value",
        translation_key="speed_limit_value",
        device_class=NumberDeviceClass.DATA_RATE,
        # JDownloader stores B/s; MB/s as the download speed sensor shows it (number entities
        # have no unit conversion for data rates, so the unit is fixed to the sensors' family).
        native_unit_of_measurement=UnitOfDataRate.MEGABYTES_PER_SECOND,
        native_min_value=0.01,
        native_max_value=1000,
        native_step=0.01,
        mode=NumberMode.BOX,
        value_fn=_speed_limit,
        set_fn=lambda device, value: device.set_speed_limit(round(value * MB)),
    ),
    JDownloaderNumberEntityDescription(
        key="max_simultaneous_downloads",
        translation_key="max_simultaneous_downloads",
        entity_category=EntityCategory.CONFIG,
        native_min_value=1,
        native_max_value=20,
        native_step=1,
        mode=NumberMode.BOX,
        value_fn=lambda data: data.slow.max_simultaneous_downloads,
        set_fn=lambda device, value: device.set_max_simultaneous_downloads(round(value)),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add number entities for every JDownloader of the entry, now and later."""

    def entities(coordinator: JDownloaderDeviceCoordinator) -> list[JDownloaderNumber]:
        return [JDownloaderNumber(coordinator, description) for description in NUMBERS]

    async_add_device_entities(hass, entry, async_add_entities, entities)


class JDownloaderNumber(JDownloaderEntity, NumberEntity):
    """A numeric JDownloader setting."""

    entity_description: JDownloaderNumberEntityDescription

    @property
    def native_value(self) -> float | None:
        """Value as last read."""
        return self.entity_description.value_fn(self.coordinator.data)

    def _state_values(self) -> object:
        return self.native_value

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting to JDownloader and re-read it."""
        set_fn = self.entity_description.set_fn
        device = self.coordinator.device
        await async_device_action(self.coordinator, lambda: set_fn(device, value), slow=True)
