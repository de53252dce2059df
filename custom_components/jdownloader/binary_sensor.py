"""The problem binary sensor of a JDownloader: on when something holds its downloads up."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import JDownloaderConfigEntry
from .entity import async_add_device_entities
from .health import JDownloaderProblemEntity, current_reason
from .problems import REASON_OK

# Read-only platform: the coordinator serialises device access.
PARALLEL_UPDATES = 0

PROBLEM = BinarySensorEntityDescription(
    key="problem", translation_key="problem", device_class=BinarySensorDeviceClass.PROBLEM
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the problem sensor of every JDownloader, now and when new ones appear."""
    async_add_device_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [JDownloaderProblemSensor(coordinator, PROBLEM)],
    )


class JDownloaderProblemSensor(JDownloaderProblemEntity, BinarySensorEntity):
    """On while the problem reason sensor shows anything but "ok"."""

    @property
    def is_on(self) -> bool | None:
        """From the same reason as the problem reason sensor."""
        reason = current_reason(self.coordinator)
        return None if reason is None else reason != REASON_OK

    def _state_values(self) -> object:
        return self.is_on
