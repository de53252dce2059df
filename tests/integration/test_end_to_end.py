"""End to end, as a new user would: add the integration through the UI flow, then watch it work.

Nothing is pre-built here: the config entry comes out of the flow (real login against the
emulator), every platform loads, and the entities follow the simulated JDownloader as its
downloads progress.
"""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.jdownloader.const import CONF_ADVANCED, CONF_API_URL, DOMAIN
from custom_components.jdownloader.doorbell import Doorbell
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    ATTR_ENTITY_ID,
    CONF_EMAIL,
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD
from tests.ha_fixtures import IDLE_POLL, Advance, entity_id_for, jd_devices

MB = 1_000_000


def _user_input(emulator: Emulator, mode: str) -> dict[str, Any]:
    if mode == "cloud":
        return {
            CONF_EMAIL: EMAIL,
            CONF_PASSWORD: PASSWORD,
            CONF_ADVANCED: {CONF_API_URL: emulator.api_url},
        }
    return {CONF_HOST: "127.0.0.1", CONF_PORT: emulator.devices[0].local_port}


@pytest.mark.parametrize(("mode", "connection"), [("cloud", "direct"), ("local", "local")])
async def test_flow_to_live_entities(
    hass: HomeAssistant,
    emulator: Emulator,
    advance: Advance,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    mode: str,
    connection: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Set up through the flow; the sensors show live values that move with the downloads."""
    # The events long-poll (direct/local) waits on the real clock; on newer HA/aiohttp the frozen
    # clock's jumps fire its timeout handles early and tear the request down mid-test. The
    # long-poll has its own tests (test_event.py); here polling alone drives the entities.
    monkeypatch.setattr(Doorbell, "follow", lambda self, connection: None)
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("holiday video", links=2, bytes_per_link=500 * MB)

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": mode}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(emulator, mode)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED

    # One device in the registry, named after the JDownloader, with its entities.
    devices = jd_devices(dr.async_entries_for_config_entry(device_registry, entry.entry_id))
    assert len(devices) == 1
    assert devices[0].name == sim.name
    assert entry.title == (EMAIL if mode == "cloud" else sim.name)
    assert devices[0].identifiers == {(DOMAIN, sim.id)}
    assert devices[0].sw_version == str(sim.jd_version)
    entities = er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    assert {e.domain for e in entities} >= {"sensor", "switch", "button", "number", "update"}
    device_id = next(iter(entry.runtime_data.devices))

    def entity_id(domain: str, key: str) -> str:
        return entity_id_for(entity_registry, domain, device_id, key)

    def value(key: str) -> str:
        state = hass.states.get(entity_id("sensor", key))
        assert state is not None
        return state.state

    # Entity ids follow the JDownloader's name, whichever way it was added (no host or port).
    assert entity_id("sensor", "download_speed") == "sensor.jdownloader_user_download_speed"
    assert value("connection_type") == connection
    assert value("download_state") == "idle"
    assert value("progress") == "0.0"
    assert value("links") == "2"
    assert float(value("total_bytes")) == pytest.approx(1.0)  # GB

    # The user presses "Start downloads"; the entities follow without waiting for a poll.
    await hass.services.async_call(
        BUTTON_DOMAIN,
        SERVICE_PRESS,
        {ATTR_ENTITY_ID: entity_id("button", "start_downloads")},
        blocking=True,
    )
    assert value("download_state") == "running"
    assert sim.running_links

    progress: list[float] = []
    loaded: list[float] = []
    for _ in range(3):
        sim.advance(20)
        await advance(15)
        progress.append(float(value("progress")))
        loaded.append(float(value("loaded_bytes")))
        assert float(value("download_speed")) > 0
    print(f"\n{mode}: progress {progress} %, loaded {loaded} GB")
    assert 0 < progress[0] < progress[1] < progress[2] < 100
    assert loaded[0] < loaded[1] < loaded[2]

    # Finished: 100 %, back to stopped.
    sim.advance(3600)
    await advance(15)
    assert value("progress") == "100.0"
    assert value("download_state") == "stopped"

    # The JDownloader goes away: its entities turn unavailable, and come back with it.
    sim.online = False
    await advance(IDLE_POLL)
    assert value("progress") == STATE_UNAVAILABLE
    sim.online = True
    await advance(IDLE_POLL)
    assert value("progress") == "100.0"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
