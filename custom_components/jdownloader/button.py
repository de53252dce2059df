"""Buttons of a JDownloader: start/stop, linkgrabber and list housekeeping, reconnect, restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import (  # type: ignore[attr-defined, unused-ignore]  # moved to .const in HA 2026
    ButtonDeviceClass,
    ButtonEntity,
    ButtonEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import JDownloaderDevice
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import JDownloaderEntity, async_add_device_entities, async_device_action

# Actions go to one JDownloader at a time.
PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class JDownloaderButtonEntityDescription(ButtonEntityDescription):
    """Describes a JDownloader button and what a press does."""

    press_fn: Callable[[JDownloaderDevice], Awaitable[object]]
    restarts: bool = False  # JDownloader restarts: re-read its version once it is back


async def confirm_linkgrabber(device: JDownloaderDevice) -> None:
    """Move every crawled package from the linkgrabber to the download list.

    The device treats empty id lists as "nothing", not "all", so the package ids are
    queried first; with an empty linkgrabber nothing is moved.
    """
    packages = await device.linkgrabber_query_packages(())
    if package_ids := [package.uuid for package in packages]:
        await device.move_to_download_list([], package_ids)


async def remove_finished(device: JDownloaderDevice) -> None:
    """Remove finished links from the download list; the files stay on disk."""
    await device.cleanup("downloads", "DELETE_FINISHED", "REMOVE_LINKS_ONLY", "ALL")


BUTTONS: tuple[JDownloaderButtonEntityDescription, ...] = (
    JDownloaderButtonEntityDescription(
        key="start_downloads",
        translation_key="start_downloads",
        press_fn=lambda device: device.start_downloads(),
    ),
    JDownloaderButtonEntityDescription(
        key="stop_downloads",
        translation_key="stop_downloads",
        press_fn=lambda device: device.stop_downloads(),
    ),
    JDownloaderButtonEntityDescription(
        key="confirm_linkgrabber",
        translation_key="confirm_linkgrabber",
        press_fn=confirm_linkgrabber,
    ),
    JDownloaderButtonEntityDescription(
        key="remove_finished",
        translation_key="remove_finished",
        press_fn=remove_finished,
    ),
    JDownloaderButtonEntityDescription(
        key="reconnect_router",
        translation_key="reconnect_router",
        press_fn=lambda device: device.reconnect_router(),
    ),
    JDownloaderButtonEntityDescription(
        key="restart",
        device_class=ButtonDeviceClass.RESTART,
        entity_category=EntityCategory.CONFIG,
        entity_registry_enabled_default=False,
        press_fn=lambda device: device.restart_jd(),
        restarts=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add buttons for every JDownloader of the entry, now and when new ones appear."""

    def entities(coordinator: JDownloaderDeviceCoordinator) -> list[JDownloaderButton]:
        return [JDownloaderButton(coordinator, description) for description in BUTTONS]

    async_add_device_entities(hass, entry, async_add_entities, entities)


class JDownloaderButton(JDownloaderEntity, ButtonEntity):
    """A JDownloader command."""

    entity_description: JDownloaderButtonEntityDescription

    def _state_values(self) -> object:
        return ()  # a button's state is its last press; a poll only changes its availability

    async def async_press(self) -> None:
        """Send the command, then refresh so the entities follow."""
        press_fn = self.entity_description.press_fn
        device = self.coordinator.device
        await async_device_action(
            self.coordinator, lambda: press_fn(device), restart=self.entity_description.restarts
        )
