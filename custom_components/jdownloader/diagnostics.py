"""Diagnostics for JDownloader: config entry and device, with secrets redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_EMAIL, CONF_HOST, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import (
    CONF_DEVICE_ID,
    CONF_DEVICE_SECRET,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DOMAIN,
    MODE_LOCAL,
)
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderDeviceData

TO_REDACT = {
    CONF_EMAIL,
    CONF_PASSWORD,
    CONF_LOGIN_SECRET,
    CONF_DEVICE_SECRET,
    CONF_HOST,
    CONF_DEVICE_ID,  # only in local entries: JD's MyJDownloader id, or host:port without one
    "title",
    "unique_id",
    "session_token",
    "regain_token",
    "username",  # premium accounts' user names (personal)
}


def _device(coordinator: JDownloaderDeviceCoordinator) -> dict[str, Any]:
    data = coordinator.data
    # A local JDownloader's id and name can be its host:port, redacted like the host itself.
    local = coordinator.config_entry.data.get(CONF_MODE) == MODE_LOCAL
    return {
        "device_id": REDACTED if local else coordinator.device_id,
        "name": REDACTED if local else coordinator.device_name,
        "listed": coordinator.listed,
        "last_update_success": coordinator.last_update_success,
        "last_exception": type(coordinator.last_exception).__name__
        if coordinator.last_exception
        else None,
        "update_interval": coordinator.update_interval.total_seconds()
        if coordinator.update_interval
        else None,
        "data": async_redact_data(_flat(data), TO_REDACT) if data is not None else None,
    }


def _flat(data: JDownloaderDeviceData) -> dict[str, Any]:
    """The poll's data with the slow values beside the fast ones, as one level."""
    flat = asdict(data)
    flat.update(flat.pop("slow"))
    if (accounts := flat.get("accounts")) is not None:
        # Tuples are not searched by async_redact_data: lists, so the user names get redacted.
        flat["accounts"] = {
            "accounts": list(accounts["accounts"]),
            "needed_hosts": sorted(accounts["needed_hosts"] or ()),
        }
    return flat


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: JDownloaderConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    account = runtime.account
    return {
        "entry": async_redact_data(
            {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            TO_REDACT,
        ),
        "backoff_seconds": runtime.backoff.delay,
        "account": None
        if account is None
        else {
            "last_update_success": account.last_update_success,
            "listed_devices": [
                {"id": info.id, "name": info.name, "type": info.type, "status": info.status}
                for info in (account.data or {}).values()
            ],
        },
        "devices": [_device(c) for c in runtime.devices.values()],
    }


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: JDownloaderConfigEntry, device: dr.DeviceEntry
) -> dict[str, Any]:
    """Return diagnostics for one JDownloader."""
    for domain, device_id in device.identifiers:
        if domain == DOMAIN and (coordinator := entry.runtime_data.devices.get(device_id)):
            return _device(coordinator)
    return {}
