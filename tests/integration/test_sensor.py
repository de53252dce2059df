"""Sensors: snapshot, values following the emulator's downloads, unavailability, new devices."""

from __future__ import annotations

from datetime import datetime

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.ha_fixtures import ACCOUNT_REFRESH, IDLE_POLL, Advance, SetupEntry, entity_id_for

MB = 1_000_000


@pytest.fixture
def platforms() -> list[str]:
    """Only the sensor platform."""
    return [Platform.SENSOR]


def state_of(hass: HomeAssistant, registry: er.EntityRegistry, device_id: str, key: str) -> str:
    """State of a JDownloader sensor, found by its unique id (entity ids are the user's)."""
    state = hass.states.get(entity_id_for(registry, SENSOR_DOMAIN, device_id, key))
    assert state is not None
    return state.state


@pytest.mark.freeze_time("2026-05-01 12:00:00+00:00")
async def test_snapshot(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor with its device class, unit, translated name and value."""
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("done", links=2, bytes_per_link=300 * MB, finished=True)
    sim.add_package("todo", links=2, bytes_per_link=200 * MB)
    sim.add_captcha()
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_values_follow_downloads(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """Speed, progress, ETA and bytes follow the downloads; the state ends in stopped."""
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("movie", links=2, bytes_per_link=100 * MB)
    await init_integration(relay_entry)

    def value(key: str) -> str:
        return state_of(hass, entity_registry, sim.id, key)

    assert value("download_state") == "idle"
    assert value("progress") == "0.0"
    assert value("eta") == STATE_UNKNOWN
    assert float(value("download_speed")) == 0
    assert float(value("total_bytes")) == pytest.approx(0.2)  # GB
    assert value("packages") == "1"
    assert value("links") == "2"

    sim.start_downloads()
    sim.advance(5)
    await advance(IDLE_POLL)
    assert value("download_state") == "running"
    assert float(value("download_speed")) > 0
    assert 0 < float(value("progress")) < 100
    assert int(value("running_downloads")) >= 1
    eta = float(value("eta"))
    assert eta > 0
    remaining = float(value("remaining_bytes"))
    loaded = float(value("loaded_bytes"))
    assert remaining + loaded == pytest.approx(0.2)

    sim.advance(eta + 60)
    await advance(IDLE_POLL)
    assert value("progress") == "100.0"
    assert float(value("remaining_bytes")) == 0
    assert value("eta") == STATE_UNKNOWN
    assert value("download_state") == "stopped"
    assert value("running_downloads") == "0"


async def test_counts_and_diagnostics(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """Captchas, linkgrabber links, free space, connection path, version and start time."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)

    def value(key: str) -> str:
        return state_of(hass, entity_registry, sim.id, key)

    assert value("captchas_waiting") == "0"
    assert value("linkgrabber_links") == "0"
    sim.add_captcha()
    device = relay_entry.runtime_data.devices[sim.id].device
    await device.call(
        "/linkgrabberv2/addLinks", {"links": "https://a.example/1 https://b.example/2"}
    )
    await advance(IDLE_POLL)
    assert value("captchas_waiting") == "1"
    assert value("linkgrabber_links") == "2"
    # GB like every other size (decimal), not GiB.
    assert float(value("free_space")) == pytest.approx(sim.storage_free / 10**9, abs=0.1)
    assert value("connection_type") == "relay"
    assert value("version") == str(sim.jd_version)
    started = datetime.fromisoformat(value("started"))
    assert abs(started.timestamp() * 1000 - sim.started_at) < 2000


async def test_local_connection(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A local-API entry reports the local connection path."""
    await init_integration(local_entry)
    sim = emulator.devices[0]
    assert state_of(hass, entity_registry, sim.id, "connection_type") == "local"


async def test_unavailable_while_offline(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """An offline JDownloader's sensors turn unavailable and come back with it."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    assert state_of(hass, entity_registry, sim.id, "links") != STATE_UNAVAILABLE
    sim.online = False
    await advance(IDLE_POLL)
    assert state_of(hass, entity_registry, sim.id, "links") == STATE_UNAVAILABLE
    assert state_of(hass, entity_registry, sim.id, "download_state") == STATE_UNAVAILABLE
    sim.online = True
    await advance(IDLE_POLL)
    assert state_of(hass, entity_registry, sim.id, "links") == str(len(sim.links))


async def test_new_device_gets_entities(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """A JDownloader that joins the account later gets its sensors without a restart."""
    await init_integration(relay_entry)
    new = emulator.add_device(name="Second JD")
    new.add_package("fresh", links=4)
    await advance(ACCOUNT_REFRESH)
    assert state_of(hass, entity_registry, new.id, "links") == "4"
    assert state_of(hass, entity_registry, new.id, "download_state") == "idle"


async def test_no_private_attributes(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """No download lists, URLs, passwords or folders end up in state attributes."""
    await init_integration(relay_entry)
    allowed = {
        "friendly_name",
        "device_class",
        "unit_of_measurement",
        "state_class",
        "options",
        "icon",
        "unlimited",  # traffic left of a premium account
    }
    for state in hass.states.async_all(SENSOR_DOMAIN):
        assert set(state.attributes) <= allowed, state.entity_id
