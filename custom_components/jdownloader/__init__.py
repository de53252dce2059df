"""The JDownloader integration: MyJDownloader accounts and local JDownloaders."""

from __future__ import annotations

import contextlib

from homeassistant.const import CONF_EMAIL, CONF_HOST, CONF_PORT, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import (
    DeviceIdentity,
    JDownloaderApiError,
    JDownloaderDevice,
    JDownloaderError,
    LocalJDownloader,
    MyJDownloaderClient,
    Secrets,
)
from .backoff import ServiceBackoff
from .compat import async_get_device
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
    LOGGER,
    MODE_LOCAL,
    is_local_address,
    local_address,
)
from .coordinator import JDownloaderAccountCoordinator, JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderRuntimeData
from .detector import async_setup_events
from .entries import async_account_serves, async_local_device_ids
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
        host, port = entry.data[CONF_HOST], entry.data[CONF_PORT]
        identity = await _async_local_identity(
            LocalJDownloader(session, host, port), local_address(host, port)
        )
        _async_adopt_identity(hass, entry, identity)
        device_id: str = entry.data.get(CONF_DEVICE_ID) or local_address(host, port)
        name = identity.name or local_address(host, port)
        device = LocalJDownloader(session, host, port, device_id=device_id, name=name)
        coordinator = JDownloaderDeviceCoordinator(
            hass, entry, device, backoff, device_id=device_id, device_name=name, can_reauth=False
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


async def _async_local_identity(device: JDownloaderDevice, address: str) -> DeviceIdentity:
    """The local JDownloader's name and MyJDownloader id; not answering retries the setup."""
    try:
        return await device.device_identity()
    except JDownloaderApiError as err:
        # It answers, but will not tell: keep the entry as it is (host:port identity).
        LOGGER.debug("JDownloader at %s did not tell its name and id: %s", address, err)
        return DeviceIdentity()
    except JDownloaderError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="device_offline"
        ) from err


@callback
def _async_adopt_identity(
    hass: HomeAssistant, entry: JDownloaderConfigEntry, identity: DeviceIdentity
) -> None:
    """Check who answers at a local entry's address; move a host:port entry to JD's own id.

    Entries made before the integration read JDownloader's identity are keyed by host:port
    (config entry unique id, device identifier, entity unique ids ``<host:port>_<key>``). Once
    the JDownloader reports a MyJDownloader id, all three move to it; entity ids and the
    device's registry id stay, so dashboards and automations keep working.
    """
    jd_id = identity.device_id
    unique_id = entry.unique_id or ""
    if jd_id is None or jd_id == unique_id:
        return
    if not is_local_address(unique_id):
        # Keyed by another JDownloader's id: the address now leads to a different one.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="wrong_device",
            translation_placeholders={
                "address": local_address(entry.data[CONF_HOST], entry.data[CONF_PORT])
            },
        )
    others = async_local_device_ids(hass) - {unique_id, entry.data.get(CONF_DEVICE_ID)}
    if jd_id in others or async_account_serves(hass, jd_id):
        LOGGER.warning(
            "JDownloader %s is also set up through another entry; this local entry keeps"
            " its host:port identity. Remove one of the two entries to have one device",
            entry.title,
        )
        return
    old_id: str = entry.data.get(CONF_DEVICE_ID) or unique_id
    devices = dr.async_get(hass)
    if (device := async_get_device(devices, (DOMAIN, old_id), entry.entry_id)) is not None:
        devices.async_update_device(device.id, new_identifiers={(DOMAIN, jd_id)})
    entities = er.async_get(hass)
    prefix = f"{old_id}_"
    for entity in er.async_entries_for_config_entry(entities, entry.entry_id):
        if entity.unique_id.startswith(prefix):
            entities.async_update_entity(
                entity.entity_id, new_unique_id=f"{jd_id}_{entity.unique_id[len(prefix) :]}"
            )
    title = identity.name if identity.name and entry.title in (unique_id, old_id) else entry.title
    hass.config_entries.async_update_entry(
        entry, unique_id=jd_id, title=title, data={**entry.data, CONF_DEVICE_ID: jd_id}
    )
    LOGGER.info("Local JDownloader %s now keyed by its MyJDownloader id", title)


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
