"""Event entity: one per JDownloader, fed by its detector (detector.py, rules in tracker.py)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import JDownloaderEntity, async_add_device_entities
from .tracker import EVENT_TYPES

PARALLEL_UPDATES = 0

DESCRIPTION = EventEntityDescription(
    key="events", translation_key="events", event_types=EVENT_TYPES
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the event entity of every JDownloader."""
    async_add_device_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [JDownloaderEventEntity(coordinator, DESCRIPTION)],
    )


class JDownloaderEventEntity(JDownloaderEntity, EventEntity):
    """Package finished, download failed, queue finished, captcha waiting."""

    entity_description: EventEntityDescription

    def __init__(
        self, coordinator: JDownloaderDeviceCoordinator, description: EventEntityDescription
    ) -> None:
        """Bind to the JDownloader's coordinator."""
        super().__init__(coordinator, description)
        self._attr_event_types = list(EVENT_TYPES)

    async def async_added_to_hass(self) -> None:
        """Subscribe to the detector."""
        await super().async_added_to_hass()
        detectors = self.coordinator.config_entry.runtime_data.detectors
        if (detector := detectors.get(self.coordinator.device_id)) is not None:
            self.async_on_remove(detector.async_add_listener(self._async_handle_event))

    def _state_values(self) -> object:
        return ()  # written when an event fires; a poll only changes its availability

    @callback
    def _async_handle_event(self, event_type: str, data: dict[str, Any]) -> None:
        self._trigger_event(event_type, data)
        self.async_write_state()
