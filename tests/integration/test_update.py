"""Update entity: snapshot, update detection, install (restart and update) and failures."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from custom_components.jdownloader.const import SETTINGS_INTERVAL
from homeassistant.components.update import (
    ATTR_INSTALLED_VERSION,
    ATTR_LATEST_VERSION,
    DOMAIN as UPDATE_DOMAIN,
    SERVICE_INSTALL,
)
from homeassistant.const import ATTR_ENTITY_ID, STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for


@pytest.fixture
def platforms() -> list[str]:
    """Only the update platform."""
    return [Platform.UPDATE]


async def install(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        UPDATE_DOMAIN, SERVICE_INSTALL, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


async def test_snapshot(
    hass: HomeAssistant,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The update entity, up to date."""
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_update_found_and_installed(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """A prepared update shows up within SETTINGS_INTERVAL (6 h); installing restarts
    JDownloader onto a newer revision."""
    sim = emulator.devices[0]
    sim.restart_delay = 0.0
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, UPDATE_DOMAIN, sim.id, "update")
    state = hass.states.get(entity_id)
    assert state.state == STATE_OFF
    old = sim.jd_version
    assert state.attributes[ATTR_INSTALLED_VERSION] == str(old)
    assert state.attributes[ATTR_LATEST_VERSION] == str(old)

    sim.update_available = True
    await advance(3600)
    assert hass.states.get(entity_id).state == STATE_OFF
    await advance(SETTINGS_INTERVAL.total_seconds())
    state = hass.states.get(entity_id)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_LATEST_VERSION] == f"newer than {old}"

    await install(hass, entity_id)
    # The emulated JDownloader restarts in the background, then answers again; its sleeps
    # run on the loop clock, which the frozen test clock drives.
    for _ in range(5):
        await advance(1)
    assert sim.jd_version == old + 1
    assert sim.online
    # JDownloader came back between two polls: its version is re-read two minutes after the
    # install (an hour before this fix), not right after the call, when the update still
    # showed as pending.
    await advance(120)
    state = hass.states.get(entity_id)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == str(old + 1)


async def test_install_seen_through_restart(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """A poll that finds JDownloader gone after an install re-reads its version once it is back."""
    sim = emulator.devices[0]
    sim.update_available = True
    sim.restart_delay = 45.0  # simulated seconds offline, from the first tick after the call
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, UPDATE_DOMAIN, sim.id, "update")
    assert hass.states.get(entity_id).state == STATE_ON
    old = sim.jd_version
    await install(hass, entity_id)
    await advance(IDLE_POLL)
    assert not sim.online
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    await advance(IDLE_POLL)
    assert sim.online
    state = hass.states.get(entity_id)
    assert state.state == STATE_OFF
    assert state.attributes[ATTR_INSTALLED_VERSION] == str(old + 1)


async def test_install_failure(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """Installing on a JDownloader that went offline raises a translated error."""
    sim = emulator.devices[0]
    sim.update_available = True
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, UPDATE_DOMAIN, sim.id, "update")
    assert hass.states.get(entity_id).state == STATE_ON
    sim.online = False
    with pytest.raises(HomeAssistantError) as err:
        await install(hass, entity_id)
    assert err.value.translation_key == "device_unreachable"
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    assert sim.update_available
