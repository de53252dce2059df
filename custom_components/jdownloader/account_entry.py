"""Setting up an account entry: a MyJDownloader account and every JDownloader it lists."""

from __future__ import annotations

from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import DEFAULT_API_URL, MyJDownloaderClient, Secrets
from .backoff import ServiceBackoff
from .const import (
    CONF_API_URL,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    DEFAULT_DIRECT_CONNECTION,
)
from .coordinator import JDownloaderAccountCoordinator, JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderRuntimeData


async def async_setup_account_entry(
    hass: HomeAssistant, entry: JDownloaderConfigEntry, backoff: ServiceBackoff
) -> JDownloaderRuntimeData:
    """Log in (the client asks the entry's back-off before every cloud request), list the
    JDownloaders and poll each once; an offline JDownloader does not fail the setup."""
    session = async_get_clientsession(hass)
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
    await account.async_config_entry_first_refresh()
    entry.async_on_unload(account.async_add_listener(lambda: None))
    return JDownloaderRuntimeData(client=client, account=account, devices=devices, backoff=backoff)
