"""Switches of a JDownloader, backed by the toolbar toggles.

JDownloader offers no "set" call for these settings, only ``toolbar/toggle*`` calls that
flip the setting and return the new state. A toggle is only sent when the polled state
differs from the wanted one; the returned state tells whether that polled state was stale,
in which case one more toggle brings the setting where the user wanted it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import (  # type: ignore[attr-defined, unused-ignore]  # moved to .const in HA 2026
    SwitchDeviceClass,
    SwitchEntity,
    SwitchEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import JDownloaderDevice, ToolbarStatus
from .const import DOMAIN
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import JDownloaderEntity, async_add_device_entities, async_device_action

# Actions go to one JDownloader at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class JDownloaderSwitchEntityDescription(SwitchEntityDescription):
    """Describes a JDownloader switch: how to read it and the toolbar toggle that flips it."""

    is_on_fn: Callable[[ToolbarStatus], bool]
    toggle_fn: Callable[[JDownloaderDevice], Awaitable[bool]]


SWITCHES: tuple[JDownloaderSwitchEntityDescription, ...] = (
    JDownloaderSwitchEntityDescription(
        key="pause",
        translation_key="pause",
        device_class=SwitchDeviceClass.SWITCH,
        is_on_fn=lambda status: status.pause,
        toggle_fn=lambda device: device.toggle_pause_downloads(),
    ),
    JDownloaderSwitchEntityDescription(
        key="speed_limit",
        translation_key="speed_limit",
        device_class=SwitchDeviceClass.SWITCH,
        is_on_fn=lambda status: status.limit,
        toggle_fn=lambda device: device.toggle_speed_limit(),
    ),
    JDownloaderSwitchEntityDescription(
        key="automatic_reconnect",
        translation_key="automatic_reconnect",
        device_class=SwitchDeviceClass.SWITCH,
        entity_category=EntityCategory.CONFIG,
        is_on_fn=lambda status: status.reconnect,
        toggle_fn=lambda device: device.toggle_automatic_reconnect(),
    ),
    JDownloaderSwitchEntityDescription(
        key="stop_after_current",
        translation_key="stop_after_current",
        device_class=SwitchDeviceClass.SWITCH,
        is_on_fn=lambda status: status.stopafter,
        toggle_fn=lambda device: device.toggle_stop_after_current_download(),
    ),
    JDownloaderSwitchEntityDescription(
        key="clipboard_monitoring",
        translation_key="clipboard_monitoring",
        device_class=SwitchDeviceClass.SWITCH,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        is_on_fn=lambda status: status.clipboard,
        toggle_fn=lambda device: device.toggle_clipboard_monitoring(),
    ),
    JDownloaderSwitchEntityDescription(
        key="premium",
        translation_key="premium",
        device_class=SwitchDeviceClass.SWITCH,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        is_on_fn=lambda status: status.premium,
        toggle_fn=lambda device: device.toggle_premium(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add switches for every JDownloader of the entry, now and when new ones appear."""

    def entities(coordinator: JDownloaderDeviceCoordinator) -> list[JDownloaderSwitch]:
        return [JDownloaderSwitch(coordinator, description) for description in SWITCHES]

    async_add_device_entities(hass, entry, async_add_entities, entities)


class JDownloaderSwitch(JDownloaderEntity, SwitchEntity):
    """A JDownloader setting switched through its toolbar toggle."""

    entity_description: JDownloaderSwitchEntityDescription

    @property
    def is_on(self) -> bool:
        """State as last polled."""
        return self.entity_description.is_on_fn(self.coordinator.data.toolbar)

    def _state_values(self) -> object:
        return self.is_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the setting on."""
        await self._async_set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the setting off."""
        await self._async_set(False)

    async def _async_set(self, wanted: bool) -> None:
        if self.is_on == wanted:
            return
        toggle = self.entity_description.toggle_fn
        coordinator = self.coordinator

        async def flip() -> bool:
            state = await toggle(coordinator.device)
            if state != wanted:
                # Our polled state was stale: the first toggle undid the wanted state.
                state = await toggle(coordinator.device)
            return state

        state = await async_device_action(coordinator, flip)
        if state != wanted:
            # E.g. pausing only works while downloads run: JDownloader keeps it off.
            # A user mistake, not a fault: a clear message, no traceback in the log.
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="switch_unchanged",
                translation_placeholders={"device": coordinator.device_name},
            )
