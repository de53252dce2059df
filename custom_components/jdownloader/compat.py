"""Shims over Home Assistant APIs that changed between the oldest and the newest supported HA.

HA 2026.8 deprecated looking a device up by identifier alone (identifiers are no longer unique
across config entries) and made the old call an error under test; 2025.4 only has the old call.
"""

from __future__ import annotations

from homeassistant.helpers import device_registry as dr


def async_get_device(
    registry: dr.DeviceRegistry,
    identifier: tuple[str, str],
    config_entry_id: str | None = None,
) -> dr.DeviceEntry | None:
    """The device with this identifier (belonging to the config entry, when one is given)."""
    if config_entry_id is None:
        # Any entry's device (tests): the first match, as the old call returned.
        get_devices = getattr(registry, "async_get_devices", None)
        if get_devices is not None:
            devices: list[dr.DeviceEntry] = get_devices(identifiers={identifier})
            return devices[0] if devices else None
        return registry.async_get_device(identifiers={identifier})
    by_identifier = getattr(registry, "async_get_device_by_identifier", None)
    if by_identifier is not None:
        device: dr.DeviceEntry | None = by_identifier(identifier, config_entry_id)
        return device
    device = registry.async_get_device(identifiers={identifier})
    if device is None or config_entry_id not in device.config_entries:
        return None
    return device
