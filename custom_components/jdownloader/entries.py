"""Which config entry serves which JDownloader: one JDownloader is one device."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .compat import async_get_device
from .const import CONF_DEVICE_ID, CONF_MODE, DOMAIN, MODE_CLOUD, MODE_LOCAL


@callback
def async_local_device_ids(hass: HomeAssistant) -> set[str]:
    """JDownloader ids that local entries serve (an account entry leaves these out).

    A JDownloader added both ways would be two devices with colliding entity unique ids; the
    local entry wins, its polls cost the cloud nothing. Disabled local entries count too: their
    devices and entities stay in the registries.
    """
    ids: set[str] = set()
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_MODE) == MODE_LOCAL:
            ids.update(i for i in (entry.unique_id, entry.data.get(CONF_DEVICE_ID)) if i)
    return ids


@callback
def async_account_serves(hass: HomeAssistant, device_id: str) -> bool:
    """True when a MyJDownloader account entry has this JDownloader (running or registered)."""
    registry = dr.async_get(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.data.get(CONF_MODE) != MODE_CLOUD:
            continue
        # runtime_data is only set while the entry is loaded.
        devices = getattr(getattr(entry, "runtime_data", None), "devices", None)
        if isinstance(devices, dict) and device_id in devices:
            return True
        if async_get_device(registry, (DOMAIN, device_id), entry.entry_id) is not None:
            return True
    return False
