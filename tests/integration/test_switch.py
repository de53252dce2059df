"""Switches: snapshot, every toggle changes the JDownloader and the entity follows at once."""

from __future__ import annotations

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
from syrupy.assertion import SnapshotAssertion

from custom_components.jdownloader.const import SETTINGS_INTERVAL
from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for

# switch key → toolbar/getStatus flag it shows
SWITCH_FLAGS = {
    "speed_limit": "limit",
    "automatic_reconnect": "reconnect",
    "stop_after_current": "stopafter",
    "clipboard_monitoring": "clipboard",
    "premium": "premium",
}


@pytest.fixture
def platforms() -> list[str]:
    """Only the switch platform."""
    return [Platform.SWITCH]


def toolbar_flag(sim: SimDevice, flag: str) -> bool:
    """What JDownloader's own toolbar shows for a setting."""
    return bool(sim.toolbar_status()[flag])


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """All switches with names, categories and states."""
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_disabled_by_default(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Clipboard monitoring and premium accounts are opt-in entities."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    for key, enabled in (("clipboard_monitoring", False), ("premium", False), ("pause", True)):
        entry = entity_registry.async_get(
            entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, key)
        )
        assert entry is not None
        assert (entry.disabled_by is None) is enabled


async def _switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    await hass.services.async_call(
        SWITCH_DOMAIN, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("key", list(SWITCH_FLAGS))
async def test_toggle_follows_device(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    key: str,
) -> None:
    """Turning a switch on and off flips the JDownloader setting; the entity follows."""
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, key)
    flag = SWITCH_FLAGS[key]
    initial = toolbar_flag(sim, flag)
    assert hass.states.get(entity_id).state == (STATE_ON if initial else STATE_OFF)

    for wanted in (not initial, initial):
        await _switch(hass, SERVICE_TURN_ON if wanted else SERVICE_TURN_OFF, entity_id)
        assert toolbar_flag(sim, flag) is wanted
        assert hass.states.get(entity_id).state == (STATE_ON if wanted else STATE_OFF)

    # Already in the wanted state: nothing is sent.
    emulator.reset_counters()
    await _switch(hass, SERVICE_TURN_ON if initial else SERVICE_TURN_OFF, entity_id)
    assert not [ep for (_, ep) in emulator.counters if ep.startswith("/toolbar/toggle")]


async def test_pause_while_running(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Pause works while downloads run, and resumes them."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "pause")
    await relay_entry.runtime_data.devices[sim.id].device.start_downloads()
    await _switch(hass, SERVICE_TURN_ON, entity_id)
    assert hass.states.get(entity_id).state == STATE_ON
    assert toolbar_flag(sim, "pause") is True
    await _switch(hass, SERVICE_TURN_OFF, entity_id)
    assert hass.states.get(entity_id).state == STATE_OFF
    assert toolbar_flag(sim, "pause") is False


async def test_pause_while_idle_is_refused(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """JDownloader ignores pausing when nothing runs: the user gets a translated error."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "pause")
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SERVICE_TURN_ON, entity_id)
    assert err.value.translation_key == "switch_unchanged"
    assert hass.states.get(entity_id).state == STATE_OFF


async def test_stale_state_is_corrected(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """If the setting changed on the JDownloader since the last poll, turning on still ends on."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "speed_limit")
    assert hass.states.get(entity_id).state == STATE_OFF
    # Someone switches the limit on in JDownloader itself; HA has not polled yet.
    await relay_entry.runtime_data.devices[sim.id].device.toggle_speed_limit()
    emulator.reset_counters()
    await _switch(hass, SERVICE_TURN_ON, entity_id)
    assert toolbar_flag(sim, "limit") is True
    assert hass.states.get(entity_id).state == STATE_ON
    assert emulator.counters[("relay", "/toolbar/toggleDownloadSpeedLimit")] == 2


async def test_action_errors_are_translated(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """A device that goes offline mid-action gives a clear error; its entities turn unavailable."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "speed_limit")
    emulator.faults.add("offline", count=100, transport="relay")
    with pytest.raises(HomeAssistantError) as err:
        await _switch(hass, SERVICE_TURN_ON, entity_id)
    assert err.value.translation_key == "device_unreachable"
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    emulator.faults.clear()
    await advance(IDLE_POLL)
    assert hass.states.get(entity_id).state == STATE_OFF


async def test_relay_change_made_in_jdownloader(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """Over the relay a setting changed in JDownloader's own window shows when downloads start
    or stop (the controller state changed) or within six hours; over the LAN with every poll.

    An action of ours re-reads the switches at once (test_toggle_follows_device).
    """
    await init_integration(relay_entry)
    sim = emulator.devices[0]
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "speed_limit")
    assert hass.states.get(entity_id).state == STATE_OFF
    sim.settings["DownloadSpeedLimitEnabled"] = True
    for _ in range(3):
        await advance(IDLE_POLL)
        assert hass.states.get(entity_id).state == STATE_OFF
    sim.start_downloads()
    await advance(IDLE_POLL)
    assert hass.states.get(entity_id).state == STATE_ON

    sim.settings["DownloadSpeedLimitEnabled"] = False
    await advance(30)
    assert hass.states.get(entity_id).state == STATE_ON
    await advance(SETTINGS_INTERVAL.total_seconds())
    assert hass.states.get(entity_id).state == STATE_OFF


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_user_mistake_through_the_ui_logs_no_traceback(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pausing while nothing downloads is the user's mistake: the UI gets a validation error
    naming the JDownloader once, and the log gets no "Unexpected exception" traceback."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, SWITCH_DOMAIN, sim.id, "pause")
    client = await hass_ws_client(hass)
    caplog.clear()
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": SWITCH_DOMAIN,
            "service": SERVICE_TURN_ON,
            "target": {ATTR_ENTITY_ID: entity_id},
        }
    )
    reply = await client.receive_json()
    assert reply["success"] is False
    assert reply["error"]["code"] == "service_validation_error"
    message = reply["error"]["message"]
    assert f"{sim.name} kept the setting unchanged" in message
    assert (
        f"JDownloader {sim.name}" not in message
    )  # the name once, not "JDownloader JDownloader@…"
    assert "Unexpected exception" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records if record.levelname == "ERROR")
