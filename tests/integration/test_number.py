"""Number entities: snapshot; setting a value changes the JDownloader and the entity follows."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.number import (
    ATTR_VALUE,
    DOMAIN as NUMBER_DOMAIN,
    SERVICE_SET_VALUE,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for


@pytest.fixture
def platforms() -> list[str]:
    """Only the number platform."""
    return [Platform.NUMBER]


async def set_value(hass: HomeAssistant, entity_id: str, value: float) -> None:
    await hass.services.async_call(
        NUMBER_DOMAIN,
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


async def test_snapshot(
    hass: HomeAssistant,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Speed limit value in KiB/s and the simultaneous downloads setting."""
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_set_speed_limit(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The value is written in B/s (MB/s times 1,000,000, the download speed's unit); the entity
    shows it right after."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, NUMBER_DOMAIN, sim.id, "speed_limit_value")
    await set_value(hass, entity_id, 0.75)
    assert sim.settings["DownloadSpeedLimit"] == 750_000
    assert float(hass.states.get(entity_id).state) == 0.75


async def test_set_max_simultaneous_downloads(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Maximum simultaneous downloads is written to JDownloader and shown right after."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, NUMBER_DOMAIN, sim.id, "max_simultaneous_downloads")
    await set_value(hass, entity_id, 7)
    assert sim.settings["MaxSimultaneDownloads"] == 7
    assert float(hass.states.get(entity_id).state) == 7


async def test_out_of_range_sends_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """More than 20 simultaneous downloads is refused before anything is sent."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, NUMBER_DOMAIN, sim.id, "max_simultaneous_downloads")
    emulator.reset_counters()
    with pytest.raises(ServiceValidationError):
        await set_value(hass, entity_id, 21)
    assert not [ep for (_, ep) in emulator.counters if ep.startswith("/config/set")]


async def test_failure_is_translated_and_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """An offline JDownloader gives a translated error; entities recover with the device."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, NUMBER_DOMAIN, sim.id, "speed_limit_value")
    sim.online = False
    with pytest.raises(HomeAssistantError) as err:
        await set_value(hass, entity_id, 100)
    assert err.value.translation_key == "device_unreachable"
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    sim.online = True
    await advance(IDLE_POLL)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE
