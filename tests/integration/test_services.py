"""Actions: add_links, get_downloads, cleanup; validation, unknown and offline devices."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import DOMAIN
from homeassistant.const import ATTR_DEVICE_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry

ADD_LINKS = "/linkgrabberv2/addLinks"


@pytest.fixture
def platforms() -> list[str]:
    """One light platform: its entities keep the coordinators polling."""
    return [Platform.BUTTON]


def ha_device_id(device_registry: dr.DeviceRegistry, sim: SimDevice) -> str:
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    return device.id


def sent(emulator: Emulator, endpoint: str) -> int:
    """How often an endpoint was called on any transport."""
    return sum(n for (_, ep), n in emulator.counters.items() if ep == endpoint)


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def test_services_registered_once(
    hass: HomeAssistant, relay_entry: MockConfigEntry, init_integration: SetupEntry
) -> None:
    """The actions exist after setup, with the response types scripts rely on."""
    await init_integration(relay_entry)
    services = hass.services.async_services_for_domain(DOMAIN)
    assert set(services) >= {"add_links", "get_downloads", "cleanup"}


async def test_add_links_one_job(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Many links in free text become one linkgrabber job with the given options."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    links = [f"https://host{i % 7}.example/file{i}.bin" for i in range(200)]
    text = "Grab these:\n" + "\n".join(links) + "\nand ftp://ftp.example/f.iso, thanks."
    emulator.reset_counters()
    result = await call(
        hass,
        "add_links",
        {
            ATTR_DEVICE_ID: ha_device_id(device_registry, sim),
            "links": text,
            "package_name": "Holiday",
            "destination_folder": "/data/holiday",
            "extract_password": "s3cret",
            "priority": "high",
        },
        response=True,
    )
    assert sent(emulator, ADD_LINKS) == 1
    assert len(result["job_ids"]) == 1
    crawled = list(sim.crawled_links.values())
    assert len(crawled) == 201
    assert {link.job_uuid for link in crawled} == set(result["job_ids"])
    assert {link.priority for link in crawled} == {"HIGH"}
    packages = list(sim.crawled_packages.values())
    assert [p.name for p in packages] == ["Holiday"]
    assert packages[0].save_to == "/data/holiday"
    # The sentence's comma is not part of the link.
    assert any(link.url == "ftp://ftp.example/f.iso" for link in crawled)


async def test_add_links_list_magnet_and_container(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A list of links with a magnet link, a duplicate and a DLC container; autostart starts."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    container = "data:application/dlc;base64," + base64.b64encode(b"dlc payload").decode()
    await call(
        hass,
        "add_links",
        {
            ATTR_DEVICE_ID: ha_device_id(device_registry, sim),
            "links": [
                "magnet:?xt=urn:btih:0123456789abcdef",
                "https://example.com/a.zip",
                "https://example.com/a.zip",
                container,
            ],
            "autostart": True,
        },
    )
    names = sorted(link.name for link in sim.links.values() if link.job_uuid != -1)
    assert len(names) == 3
    assert "container1.dlc" in names
    assert sim.state == "RUNNING"


@pytest.mark.parametrize(
    ("links", "key"),
    [
        ("", "no_links"),
        ("   \n ", "no_links"),
        ("no link in here, just words", "no_links"),
        (["https://example.com/a", "not a link"], "invalid_link"),
        ([], "no_links"),
    ],
)
async def test_add_links_bad_input_sends_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    links: str | list[str],
    key: str,
) -> None:
    """Empty or invalid links are refused with a translated error before anything is sent."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    emulator.reset_counters()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "add_links", {ATTR_DEVICE_ID: ha_device_id(device_registry, sim), "links": links}
        )
    assert err.value.translation_key == key
    assert sent(emulator, ADD_LINKS) == 0
    assert not sim.crawled_links


@pytest.mark.parametrize(
    ("service", "data"),
    [
        ("add_links", {"links": "https://example.com/x"}),
        ("get_downloads", {}),
        ("cleanup", {}),
    ],
)
async def test_unknown_device(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    service: str,
    data: dict[str, Any],
) -> None:
    """A device id that is no JDownloader of ours is a validation error; nothing is sent."""
    await init_integration(relay_entry)
    other = MockConfigEntry(domain="other")
    other.add_to_hass(hass)
    foreign = device_registry.async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("other", "x")}
    )
    emulator.reset_counters()
    for device_id in ("does-not-exist", foreign.id):
        with pytest.raises(ServiceValidationError) as err:
            await call(
                hass,
                service,
                {ATTR_DEVICE_ID: device_id, **data},
                response=service == "get_downloads",
            )
        assert err.value.translation_key == "device_not_found"
    assert not [key for key in emulator.counters if key[0] != "server"]


async def test_offline_device(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    advance: Advance,
) -> None:
    """A JDownloader known to be offline gets nothing; one that drops mid-call gives an error."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device_id = ha_device_id(device_registry, sim)
    sim.online = False
    await advance(IDLE_POLL)
    emulator.reset_counters()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "add_links", {ATTR_DEVICE_ID: device_id, "links": "https://e.com/x"})
    assert err.value.translation_key == "device_not_available"
    assert sent(emulator, ADD_LINKS) == 0

    sim.online = True
    await advance(IDLE_POLL)
    emulator.faults.add("offline", count=1, endpoint=ADD_LINKS)
    emulator.reset_counters()
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "add_links", {ATTR_DEVICE_ID: device_id, "links": "https://e.com/x"})
    assert err.value.translation_key == "device_unreachable"
    # Never retried: the device might have received it.
    assert sent(emulator, ADD_LINKS) == 1


async def test_unloaded_entry(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Actions on a JDownloader of an unloaded entry are refused."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device_id = ha_device_id(device_registry, sim)
    assert await hass.config_entries.async_unload(relay_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "cleanup", {ATTR_DEVICE_ID: device_id})
    assert err.value.translation_key == "entry_not_loaded"


async def test_get_downloads(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Packages with progress, speed, ETA and status; filtered by status and name."""
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("Finished Movie", links=2, bytes_per_link=1000, finished=True)
    sim.add_package("Series S01", links=3, bytes_per_link=50_000_000)
    sim.add_package("Linux ISO", links=1, bytes_per_link=50_000_000)
    sim.settings["MaxSimultaneDownloads"] = 1
    await init_integration(relay_entry)
    device_id = ha_device_id(device_registry, sim)
    sim.start_downloads()
    sim.advance(1)

    everything = await call(hass, "get_downloads", {ATTR_DEVICE_ID: device_id}, response=True)
    by_name = {p["name"]: p for p in everything["packages"]}
    assert set(by_name) == {"Finished Movie", "Series S01", "Linux ISO"}
    done = by_name["Finished Movie"]
    assert done["finished"] is True
    assert done["progress"] == 100.0
    assert done["bytes_total"] == 2000
    assert done["links"] == 2
    running = [p for p in everything["packages"] if p["running"]]
    assert len(running) == 1
    assert running[0]["speed"] > 0
    assert running[0]["eta"] is not None
    assert running[0]["eta"] > 0
    assert 0 < running[0]["progress"] < 100
    # Nothing private in the response.
    for package in everything["packages"]:
        assert not {"save_to", "url", "password", "folder"} & set(package)

    async def names(**filters: str) -> list[str]:
        result = await call(
            hass, "get_downloads", {ATTR_DEVICE_ID: device_id, **filters}, response=True
        )
        return sorted(p["name"] for p in result["packages"])

    assert await names(status="finished") == ["Finished Movie"]
    assert await names(status="running") == [running[0]["name"]]
    assert await names(status="pending") == sorted(
        {"Series S01", "Linux ISO"} - {running[0]["name"]}
    )
    assert await names(name="iso") == ["Linux ISO"]
    assert await names(status="finished", name="iso") == []


async def test_get_downloads_failure(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A device error while querying is a translated error."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    emulator.faults.add("offline", count=1, endpoint="/downloadsV2/queryPackages")
    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "get_downloads",
            {ATTR_DEVICE_ID: ha_device_id(device_registry, sim)},
            response=True,
        )
    assert err.value.translation_key == "device_unreachable"


async def test_cleanup_downloads(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Finished and failed links leave the download list; others stay; the numbers follow."""
    sim = emulator.devices[0]
    sim.clear_downloads()
    sim.add_package("done", links=2, finished=True)
    sim.add_package("broken", links=1)
    sim.add_package("waiting", links=3)
    broken = next(link for link in sim.links.values() if link.name.startswith("broken"))
    sim.fail_link(broken.uuid)
    await init_integration(relay_entry)
    await call(
        hass,
        "cleanup",
        {ATTR_DEVICE_ID: ha_device_id(device_registry, sim), "remove": ["finished", "failed"]},
    )
    assert sorted(link.name.split(".")[0] for link in sim.links.values()) == ["waiting"] * 3
    coordinator = relay_entry.runtime_data.devices[sim.id]
    assert coordinator.data.poll.aggregated.links_count == 3


async def test_cleanup_linkgrabber_offline(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Offline links leave the linkgrabber; the download list is untouched."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device_id = ha_device_id(device_registry, sim)
    await call(
        hass,
        "add_links",
        {ATTR_DEVICE_ID: device_id, "links": "https://a.example/1 https://b.example/2"},
    )
    first = next(iter(sim.crawled_links.values()))
    first.availability = "OFFLINE"
    links_before = len(sim.links)
    await call(
        hass, "cleanup", {ATTR_DEVICE_ID: device_id, "list": "linkgrabber", "remove": "offline"}
    )
    assert first.uuid not in sim.crawled_links
    assert len(sim.crawled_links) == 1
    assert len(sim.links) == links_before


async def test_cleanup_nothing_chosen(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An empty choice is a validation error, nothing is sent."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    emulator.reset_counters()
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, "cleanup", {ATTR_DEVICE_ID: ha_device_id(device_registry, sim), "remove": []}
        )
    assert err.value.translation_key == "nothing_to_remove"
    assert sent(emulator, "/downloadsV2/cleanup") == 0


async def test_add_links_without_a_link_through_the_ui(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Text without a link is a user mistake: one validation error for the UI, at most one
    log line (Home Assistant's own, without a traceback), nothing sent."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    client = await hass_ws_client(hass)
    emulator.reset_counters()
    caplog.clear()
    await client.send_json_auto_id(
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "add_links",
            "service_data": {
                ATTR_DEVICE_ID: ha_device_id(device_registry, sim),
                "links": "nothing to download here",
            },
        }
    )
    reply = await client.receive_json()
    assert reply["success"] is False
    assert reply["error"]["code"] == "service_validation_error"
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) <= 1
    assert all(record.exc_info is None for record in errors)
    assert sent(emulator, ADD_LINKS) == 0
