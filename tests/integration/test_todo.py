"""The Downloads and Linkgrabber to-do lists, driven by the emulator over the relay.

Items must match the emulator's packages through adding, removing, finishing, extraction, a
JDownloader restart and a reload; every action reaches JDownloader exactly once; the lists cost
no request in a steady state.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.const import DOMAIN
from custom_components.jdownloader.detector import BUS_EVENT
from homeassistant.components.todo import DOMAIN as TODO_DOMAIN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry

MB = 1_000_000


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """One JDownloader with an empty download list (each test adds what it needs)."""
    return {"devices": 1, "links": 0}


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every ``jdownloader_event`` fired on the bus."""
    received: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        received.append(dict(event.data))

    hass.bus.async_listen(BUS_EVENT, _record)
    return received


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == event_type]


def list_entity(hass: HomeAssistant, sim: SimDevice, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(TODO_DOMAIN, DOMAIN, f"{sim.id}_{key}")
    assert entity_id is not None
    return entity_id


async def items(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        TODO_DOMAIN,
        "get_items",
        {},
        target={"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    found: list[dict[str, Any]] = response[entity_id]["items"]  # type: ignore[index, assignment]
    return found


async def by_name(hass: HomeAssistant, entity_id: str) -> dict[str, dict[str, Any]]:
    return {item["summary"]: item for item in await items(hass, entity_id)}


async def todo_call(
    hass: HomeAssistant, service: str, entity_id: str, data: dict[str, Any]
) -> None:
    """A to-do action on one list (blocking), then every task it started."""
    await hass.services.async_call(
        TODO_DOMAIN, service, data, target={"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)


def sent(emulator: Emulator, endpoint: str) -> int:
    return sum(n for (_, ep), n in emulator.counters.items() if ep == endpoint)


async def test_downloads_follow_the_packages(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """Finished and unfinished packages, a new one, a running one, a finished one, a removed one."""
    sim = emulator.devices[0]
    sim.add_package("Old", links=2, bytes_per_link=5 * MB, finished=True)
    movie = sim.add_package("Movie", links=2, bytes_per_link=100 * MB)
    await init_integration(relay_entry)
    downloads = list_entity(hass, sim, "downloads_list")

    found = await by_name(hass, downloads)
    assert set(found) == {"Old", "Movie"}
    assert found["Old"]["status"] == "completed"
    assert found["Movie"]["status"] == "needs_action"
    assert "0 % · 0 B / 200.0 MB" in found["Movie"]["description"]
    assert hass.states.get(downloads).state == "1"  # type: ignore[union-attr]

    sim.add_package("Song", links=1, bytes_per_link=5 * MB)
    await advance(IDLE_POLL)
    assert set(await by_name(hass, downloads)) == {"Old", "Movie", "Song"}

    sim.start_downloads()
    sim.advance(10)
    await advance(IDLE_POLL)
    running = (await by_name(hass, downloads))["Movie"]["description"]
    assert "MB/s" in running
    assert "left" in running

    sim.advance(3600)
    await advance(30)
    await advance(30)
    found = await by_name(hass, downloads)
    assert found["Movie"]["status"] == "completed"
    assert "100 % · 200.0 MB / 200.0 MB" in found["Movie"]["description"]
    assert "2/2 files" in found["Movie"]["description"]
    assert sorted(e["package_name"] for e in of_type(bus_events, "package_finished")) == [
        "Movie",
        "Song",
    ]

    sim.remove_links([sim.links[u] for u in sim.packages[movie].links])
    await advance(IDLE_POLL)
    assert set(await by_name(hass, downloads)) == {"Old", "Song"}


async def test_finished_means_extracted(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """package_finished waits for the extraction; a failed one is extraction_failed, once."""
    sim = emulator.devices[0]
    sim.extract_archives = True
    good = sim.add_package("Good", links=2, bytes_per_link=5 * MB)
    bad = sim.add_package("Bad", links=1, bytes_per_link=5 * MB)
    await init_integration(relay_entry)
    downloads = list_entity(hass, sim, "downloads_list")
    emulator.reset_counters()

    sim.start_downloads()
    sim.advance(3600)
    await advance(IDLE_POLL)
    await advance(IDLE_POLL)
    found = await by_name(hass, downloads)
    assert found["Good"]["status"] == "needs_action"
    assert "extracting" in found["Good"]["description"]
    assert of_type(bus_events, "package_finished") == []

    sim.set_extraction(good, "RUNNING")
    sim.set_extraction(bad, "ERROR_PW")
    await advance(IDLE_POLL)
    failed = of_type(bus_events, "extraction_failed")
    assert [(e["package_name"], e["reason"]) for e in failed] == [("Bad", "ERROR_PW")]
    assert of_type(bus_events, "package_finished") == []
    found = await by_name(hass, downloads)
    assert "extraction failed (ERROR_PW)" in found["Bad"]["description"]
    assert found["Bad"]["status"] == "needs_action"

    sim.set_extraction(good, "SUCCESSFUL")
    await advance(IDLE_POLL)
    assert [e["package_name"] for e in of_type(bus_events, "package_finished")] == ["Good"]
    assert (await by_name(hass, downloads))["Good"]["status"] == "completed"

    # Nothing is left to follow: idle polls cost no list reads any more.
    emulator.reset_counters()
    for _ in range(4):
        await advance(IDLE_POLL)
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    assert relay == {"/polling/poll": 4}

    # A JDownloader restart and a reload: same items, no event again.
    sim.restart()
    await advance(IDLE_POLL)
    await hass.config_entries.async_reload(relay_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(IDLE_POLL)
    found = await by_name(hass, downloads)
    assert found["Good"]["status"] == "completed"
    assert set(found) == {"Good", "Bad"}
    assert len(of_type(bus_events, "package_finished")) == 1
    assert len(of_type(bus_events, "extraction_failed")) == 1


async def test_steady_state_costs_no_request(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """With both lists loaded, idle and downloading polls stay at one request each."""
    sim = emulator.devices[0]
    sim.settings["MaxSimultaneDownloads"] = 1
    sim.add_package("Big", links=1, bytes_per_link=10_000 * MB)
    sim.add_links({"links": "https://host.example/waiting.zip"})
    await init_integration(relay_entry)
    assert len(await items(hass, list_entity(hass, sim, "linkgrabber_list"))) == 1
    emulator.reset_counters()
    for _ in range(4):
        await advance(IDLE_POLL)
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    assert relay == {"/polling/poll": 4}

    sim.start_downloads()
    await advance(IDLE_POLL)  # the idle interval: the start is a structure change, one check
    emulator.reset_counters()
    for _ in range(8):
        sim.advance(30)
        await advance(29)
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    assert relay == {"/polling/poll": 8}


async def test_add_remove_and_refusals_reach_jdownloader_once(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """add_item adds the links of its text once; remove_item removes the package (files stay)."""
    sim = emulator.devices[0]
    sim.add_package("Keep", links=1, bytes_per_link=5 * MB)
    await init_integration(relay_entry)
    downloads = list_entity(hass, sim, "downloads_list")
    emulator.reset_counters()

    await todo_call(
        hass,
        "add_item",
        downloads,
        {"item": "ISO https://files.example/os.iso and again https://files.example/os.iso"},
    )
    assert sent(emulator, "/linkgrabberv2/addLinks") == 1
    assert [lk.url for lk in sim.links.values() if "files.example" in lk.url] == [
        "https://files.example/os.iso"
    ]
    assert set(await by_name(hass, downloads)) == {"Keep", "os"}

    with pytest.raises(ServiceValidationError) as err:
        await todo_call(hass, "add_item", downloads, {"item": "no link here"})
    assert err.value.translation_key == "no_links"
    assert sent(emulator, "/linkgrabberv2/addLinks") == 1

    with pytest.raises(ServiceValidationError) as err:
        await todo_call(hass, "update_item", downloads, {"item": "Keep", "status": "completed"})
    assert err.value.translation_key == "todo_check_unsupported"

    keep = next(uuid for uuid, p in sim.packages.items() if p.name == "Keep")
    emulator.reset_counters()
    await todo_call(hass, "remove_item", downloads, {"item": [str(keep)]})
    assert sent(emulator, "/downloadsV2/cleanup") == 1
    assert keep not in sim.packages
    assert set(await by_name(hass, downloads)) == {"os"}


async def test_linkgrabber_check_moves_and_remove_removes(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """Linkgrabber items are its packages; checking one confirms it, removing one drops it."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    grabber = list_entity(hass, sim, "linkgrabber_list")
    downloads = list_entity(hass, sim, "downloads_list")
    assert await items(hass, grabber) == []

    await todo_call(
        hass,
        "add_item",
        grabber,
        {"item": "https://a.example/first.zip https://b.example/second.zip"},
    )
    assert set(await by_name(hass, grabber)) == {"first", "second"}
    assert sim.packages == {}  # no autostart from the linkgrabber list

    emulator.reset_counters()
    await todo_call(hass, "update_item", grabber, {"item": "first", "status": "completed"})
    assert sent(emulator, "/linkgrabberv2/moveToDownloadlist") == 1
    assert set(await by_name(hass, grabber)) == {"second"}
    assert set(await by_name(hass, downloads)) == {"first"}

    emulator.reset_counters()
    await todo_call(hass, "remove_item", grabber, {"item": "second"})
    assert sent(emulator, "/linkgrabberv2/cleanup") == 1
    assert sim.crawled_packages == {}
    assert await items(hass, grabber) == []

    # Added in JDownloader itself: found through the poll's linkgrabber counts.
    sim.add_links({"links": "https://c.example/third.zip"})
    await advance(IDLE_POLL)
    assert set(await by_name(hass, grabber)) == {"third"}
