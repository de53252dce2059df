"""Entities write their state only when a poll changed it (issue 17: HA CPU per poll).

Writing an unchanged state still costs Home Assistant a state computation and a
``state_reported`` event; most polls change a few values (speed, progress) or none at all.
"""

from __future__ import annotations

from typing import Any

from pytest_homeassistant_custom_component.common import MockConfigEntry

from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.const import EVENT_STATE_CHANGED, EVENT_STATE_REPORTED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for

MB = 1_000_000


def _ours(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """The entry's entities that have a state (the enabled ones)."""
    registry = er.async_get(hass)
    return {
        e.entity_id
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
        if hass.states.get(e.entity_id) is not None
    }


async def test_unchanged_polls_write_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """Idle polls write no state; a download writes what moved; a failed poll writes all."""
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("movie", links=2, bytes_per_link=10_000 * MB)
    await init_integration(relay_entry)
    ours = _ours(hass, relay_entry)
    assert len(ours) > 20
    writes: list[tuple[str, str]] = []

    @callback
    def _record(event: Event[Any]) -> None:
        writes.append((event.event_type, event.data["entity_id"]))

    @callback
    def _is_ours(data: Any) -> bool:
        return data["entity_id"] in ours

    for kind in (EVENT_STATE_CHANGED, EVENT_STATE_REPORTED):
        hass.bus.async_listen(kind, _record, event_filter=_is_ours)

    polls = emulator.counters[("relay", "/polling/poll")]
    for _ in range(3):
        await advance(IDLE_POLL)
    assert emulator.counters[("relay", "/polling/poll")] == polls + 3
    assert writes == []

    speed = entity_id_for(entity_registry, SENSOR_DOMAIN, sim.id, "download_speed")
    sim.start_downloads()
    sim.advance(10)
    await advance(IDLE_POLL)
    changed = {entity_id for kind, entity_id in writes if kind == EVENT_STATE_CHANGED}
    assert speed in changed
    # Rewritten unchanged: only a to-do list, whose items moved under the same count (writing
    # is how its item subscribers hear of it).
    reported = {entity_id for kind, entity_id in writes if kind == EVENT_STATE_REPORTED}
    assert {entity_id.split(".")[0] for entity_id in reported} <= {"todo"}
    assert len(changed) < len(ours) // 2

    writes.clear()
    sim.online = False
    await advance(30)
    assert {entity_id for _, entity_id in writes} == ours
    assert all(hass.states.get(entity_id).state == STATE_UNAVAILABLE for entity_id in ours)
    writes.clear()
    sim.online = True
    await advance(IDLE_POLL)
    assert {entity_id for _, entity_id in writes} == ours
    assert hass.states.get(speed).state != STATE_UNAVAILABLE
