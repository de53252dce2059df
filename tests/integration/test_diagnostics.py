"""Diagnostics: useful content, nothing secret."""

from __future__ import annotations

import json

from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD
from tests.ha_fixtures import SetupEntry, derived_secrets


def assert_no_secrets(dumped: str, emulator: Emulator) -> None:
    for secret in (EMAIL, EMAIL.lower(), PASSWORD, *derived_secrets(EMAIL, PASSWORD).values()):
        assert secret not in dumped


async def test_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Entry diagnostics show devices and state but no e-mail, secrets or tokens."""
    assert await async_setup_component(hass, "diagnostics", {})
    await init_integration(cloud_entry)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, cloud_entry)
    dumped = json.dumps(diag)
    assert_no_secrets(dumped, emulator)
    client = cloud_entry.runtime_data.client
    assert client is not None
    info = client.session_info
    assert info is not None
    assert info.session_token not in dumped
    assert info.regain_token not in dumped
    assert diag["entry"]["data"]["email"] == "**REDACTED**"
    assert diag["entry"]["data"]["login_secret"] == "**REDACTED**"
    assert diag["entry"]["options"] == {"direct_connection": True}
    sim = emulator.devices[0]
    assert [d["device_id"] for d in diag["devices"]] == [sim.id]
    assert diag["devices"][0]["last_update_success"] is True
    assert diag["devices"][0]["data"]["connection_type"] == "direct"
    assert diag["account"]["listed_devices"][0]["id"] == sim.id


async def test_local_entry_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Local entries redact the host and have no account part."""
    assert await async_setup_component(hass, "diagnostics", {})
    await init_integration(local_entry)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, local_entry)
    assert diag["account"] is None
    assert diag["entry"]["data"]["host"] == "**REDACTED**"
    assert diag["devices"][0]["data"]["connection_type"] == "local"
    # The host is also the local device's id and name.
    assert "127.0.0.1" not in json.dumps(diag)


async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Device diagnostics describe that JDownloader only."""
    assert await async_setup_component(hass, "diagnostics", {})
    await init_integration(cloud_entry)
    sim = emulator.devices[0]
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    diag = await get_diagnostics_for_device(hass, hass_client, cloud_entry, device)
    assert diag["device_id"] == sim.id
    assert diag["name"] == sim.name
    assert diag["data"]["version"] is not None
    assert_no_secrets(json.dumps(diag), emulator)


async def test_device_diagnostics_of_unknown_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device of the entry without a coordinator (deleted meanwhile) has empty diagnostics."""
    assert await async_setup_component(hass, "diagnostics", {})
    await init_integration(relay_entry)
    device = device_registry.async_get_or_create(
        config_entry_id=relay_entry.entry_id, identifiers={(DOMAIN, "f" * 32)}
    )
    assert await get_diagnostics_for_device(hass, hass_client, relay_entry, device) == {}
