"""Setting up a local entry: one JDownloader through its Deprecated API, no account.

The entry is the JDownloader: named like it and keyed by the id MyJDownloader knows it by
(``UniqueDeviceIDV2``), so it is one device however it was added (entries.py).
"""

from __future__ import annotations

from homeassistant.const import CONF_HOST, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import (
    DeviceIdentity,
    JDownloaderApiError,
    JDownloaderDevice,
    JDownloaderError,
    LocalJDownloader,
)
from .backoff import ServiceBackoff
from .compat import async_get_device
from .const import CONF_DEVICE_ID, DOMAIN, LOGGER, is_local_address, local_address
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderRuntimeData
from .entries import async_account_serves, async_local_device_ids


async def async_setup_local_entry(
    hass: HomeAssistant, entry: JDownloaderConfigEntry, backoff: ServiceBackoff
) -> JDownloaderRuntimeData:
    """Find out who answers at the address, then poll it once (not answering: retry later)."""
    session = async_get_clientsession(hass)
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
    return JDownloaderRuntimeData(
        client=None,
        account=None,
        devices={coordinator.device_id: coordinator},
        backoff=backoff,
    )


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
