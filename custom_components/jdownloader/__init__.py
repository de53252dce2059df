"""The JDownloader integration: MyJDownloader accounts and local JDownloaders."""

from __future__ import annotations

import contextlib

from homeassistant.const import CONF_EMAIL, CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import JDownloaderError, LocalJDownloader, MyJDownloaderClient, Secrets
from .const import (
    CONF_API_URL,
    CONF_DEVICE_ID,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DEFAULT_API_URL,
    DEFAULT_DIRECT_CONNECTION,
    DOMAIN,
    MODE_LOCAL,
)
from .coordinator import (
    JDownloaderAccountCoordinator,
    JDownloaderConfigEntry,
    JDownloaderDeviceCoordinator,
    JDownloaderRuntimeData,
    ServiceBackoff,
)
from .events import async_setup_events
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BUTTON,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.UPDATE,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (they exist even while no entry is loaded)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> bool:
    """Set up a MyJDownloader account or a local JDownloader."""
    session = async_get_clientsession(hass)
    backoff = ServiceBackoff()
    if entry.data[CONF_MODE] == MODE_LOCAL:
        device = LocalJDownloader(session, entry.data[CONF_HOST], entry.data[CONF_PORT])
        coordinator = JDownloaderDeviceCoordinator(
            hass,
            entry,
            device,
            backoff,
            device_id=entry.data.get(CONF_DEVICE_ID),
            can_reauth=False,
        )
        # A local entry is one JDownloader: if it does not answer, retry the setup.
        await coordinator.async_config_entry_first_refresh()
        coordinator.async_register_device()
        entry.runtime_data = JDownloaderRuntimeData(
            client=None,
            account=None,
            devices={coordinator.device_id: coordinator},
            backoff=backoff,
        )
    else:
        client = MyJDownloaderClient(
            session,
            entry.data[CONF_EMAIL],
            Secrets.from_hex(
                {
                    CONF_LOGIN_SECRET: entry.data[CONF_LOGIN_SECRET],
                    CONF_DEVICE_SECRET: entry.data[CONF_DEVICE_SECRET],
                }
            ),
            api_url=entry.data.get(CONF_API_URL, DEFAULT_API_URL),
            direct_connection=entry.options.get(CONF_DIRECT_CONNECTION, DEFAULT_DIRECT_CONNECTION),
        )
        client.cloud_gate = backoff
        devices: dict[str, JDownloaderDeviceCoordinator] = {}
        account = JDownloaderAccountCoordinator(hass, entry, client, devices, backoff)
        # Logs in, lists devices and polls each once; an offline device does not fail setup.
        await account.async_config_entry_first_refresh()
        entry.runtime_data = JDownloaderRuntimeData(
            client=client, account=account, devices=devices, backoff=backoff
        )
        entry.async_on_unload(account.async_add_listener(lambda: None))
    async_setup_events(hass, entry)
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
