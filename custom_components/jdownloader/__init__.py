"""The JDownloader integration: MyJDownloader accounts and local JDownloaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import contextlib
from typing import Final

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .account_entry import async_setup_account_entry
from .api import JDownloaderError
from .backoff import ServiceBackoff
from .const import CONF_MODE, DOMAIN, MODE_CLOUD, MODE_LOCAL
from .data import JDownloaderConfigEntry, JDownloaderRuntimeData
from .detector import async_setup_events
from .health import async_setup_health
from .local_entry import async_setup_local_entry
from .services import async_setup_services
from .stale_devices import StaleDevices

type SetupFn = Callable[
    [HomeAssistant, JDownloaderConfigEntry, ServiceBackoff], Awaitable[JDownloaderRuntimeData]
]

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TODO,
    Platform.UPDATE,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (they exist even while no entry is loaded)."""
    async_setup_services(hass)
    return True


# How each kind of entry is set up; each returns the entry's runtime data.
_SETUP: Final[dict[str, SetupFn]] = {
    MODE_CLOUD: async_setup_account_entry,
    MODE_LOCAL: async_setup_local_entry,
}


async def async_setup_entry(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> bool:
    """Set up a MyJDownloader account or a local JDownloader."""
    entry.runtime_data = await _SETUP[entry.data[CONF_MODE]](hass, entry, ServiceBackoff())
    async_setup_events(hass, entry)
    async_setup_health(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> bool:
    """Unload a config entry and end its MyJDownloader session."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded and (client := entry.runtime_data.client) is not None:
        # Best effort: the server drops idle sessions anyway.
        with contextlib.suppress(JDownloaderError):
            await client.disconnect()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> None:
    """The entry is deleted: drop what it stored about unlisted JDownloaders."""
    if entry.data[CONF_MODE] == MODE_CLOUD:
        await StaleDevices(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: JDownloaderConfigEntry, device_entry: dr.DeviceEntry
) -> bool:
    """Allow deleting a JDownloader that the account no longer lists."""
    data = entry.runtime_data
    if data.account is None:
        return False
    ids = {ident for domain, ident in device_entry.identifiers if domain == DOMAIN}
    if ids & set(data.account.data or {}):
        return False
    for device_id in ids:
        if (coordinator := data.devices.pop(device_id, None)) is not None:
            # Forget it, so the device comes back as new if it is ever listed again.
            await coordinator.async_shutdown()
    return True
