"""Setup, unload, setup failures and device removal, against the emulator."""

from __future__ import annotations

import logging

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import CONF_API_URL, DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from tests.emulator import Emulator
from tests.ha_fixtures import ACCOUNT_REFRESH, Advance, SetupEntry, entity_id_for, owners


async def test_cloud_setup_and_unload(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """An account entry loads, creates a device per JDownloader and logs out on unload."""
    await init_integration(cloud_entry)
    assert cloud_entry.state is ConfigEntryState.LOADED
    sim = emulator.devices[0]
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    assert device.name == sim.name
    assert device.manufacturer == "AppWork GmbH"
    assert device.sw_version is not None
    coordinator = cloud_entry.runtime_data.devices[sim.id]
    assert coordinator.last_update_success
    assert coordinator.data.slow.version is not None

    assert await hass.config_entries.async_unload(cloud_entry.entry_id)
    await hass.async_block_till_done()
    assert cloud_entry.state is ConfigEntryState.NOT_LOADED
    assert emulator.counters[("server", "/my/disconnect")] == 1


async def test_local_setup_and_unload(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A local entry polls the JDownloader's local API and names the device after it."""
    await init_integration(local_entry)
    assert local_entry.state is ConfigEntryState.LOADED
    sim = emulator.devices[0]
    coordinator = local_entry.runtime_data.devices[sim.id]
    assert coordinator.data.connection_type == "local"
    assert local_entry.runtime_data.client is None
    assert local_entry.runtime_data.account is None
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    assert device.name == sim.name
    assert await hass.config_entries.async_unload(local_entry.entry_id)
    assert local_entry.state is ConfigEntryState.NOT_LOADED


async def test_local_unreachable_retries(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """A local JDownloader that does not answer makes setup retry later."""
    emulator.faults.add("drop", count=100, transport="local")
    await init_integration(local_entry)
    assert local_entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("fault", ["auth_failed", "email_not_confirmed"])
async def test_auth_failure_starts_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    fault: str,
) -> None:
    """A rejected login at setup fails the entry and asks the user to sign in again."""
    emulator.faults.add(fault, count=100, endpoint="/my/connect")
    await init_integration(cloud_entry)
    assert cloud_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]
    assert flows[0]["context"]["entry_id"] == cloud_entry.entry_id


@pytest.mark.parametrize(
    ("fault", "endpoint"),
    [
        ("drop", "/my/connect"),
        ("rate_limit", "/my/connect"),
        ("maintenance", "/my/connect"),
        ("drop", "/my/listdevices"),
        ("rate_limit", "/my/listdevices"),
    ],
)
async def test_network_error_at_setup_retries(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    fault: str,
    endpoint: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Network trouble, rate limits or maintenance at setup mean 'try again later', quietly."""
    # The log as a user sees it: HA 2026 itself adds the "Full exception" at DEBUG to every
    # not-ready retry, which is not ours and not shown by default.
    caplog.set_level(logging.INFO)
    emulator.faults.add(fault, count=100, endpoint=endpoint)
    await init_integration(cloud_entry)
    assert cloud_entry.state is ConfigEntryState.SETUP_RETRY
    # A reason for the UI, and no traceback in the log for an expected condition.
    assert cloud_entry.reason
    assert "Unexpected error" not in caplog.text
    assert "Traceback" not in caplog.text


async def test_unreachable_server_retries(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Nothing listening at the API URL: setup retries."""
    cloud_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        cloud_entry, data={**cloud_entry.data, CONF_API_URL: "http://127.0.0.1:9"}
    )
    await init_integration(cloud_entry)
    assert cloud_entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_offline_device_does_not_fail_setup(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """One JDownloader being offline leaves the other one working."""
    online, offline = emulator.devices
    offline.online = False
    await init_integration(cloud_entry)
    assert cloud_entry.state is ConfigEntryState.LOADED
    devices = cloud_entry.runtime_data.devices
    assert devices[online.id].last_update_success
    if offline.id in devices:
        assert not devices[offline.id].last_update_success
        assert devices[offline.id].data is None


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_remove_only_unlisted_devices(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    advance: Advance,
) -> None:
    """A JDownloader the account still lists cannot be deleted; one that went away can."""
    assert await async_setup_component(hass, "config", {})
    await init_integration(cloud_entry)
    kept, gone = emulator.devices
    emulator.remove_device(gone.id)
    await advance(ACCOUNT_REFRESH)
    assert not cloud_entry.runtime_data.devices[gone.id].last_update_success

    client = await hass_ws_client(hass)

    async def remove(device_id: str) -> bool:
        device = async_get_device(device_registry, (DOMAIN, device_id))
        assert device is not None
        await client.send_json_auto_id(
            {
                "type": "config/device_registry/remove_config_entry",
                "config_entry_id": cloud_entry.entry_id,
                "device_id": device.id,
            }
        )
        return bool((await client.receive_json())["success"])

    assert await remove(kept.id) is False
    assert await remove(gone.id) is True
    assert async_get_device(device_registry, (DOMAIN, gone.id)) is None
    assert gone.id not in cloud_entry.runtime_data.devices
    assert async_get_device(device_registry, (DOMAIN, kept.id)) is not None


async def test_local_device_cannot_be_removed(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The single JDownloader of a local entry is not stale by definition."""
    assert await async_setup_component(hass, "config", {})
    await init_integration(local_entry)
    device = async_get_device(device_registry, (DOMAIN, local_entry.data["device_id"]))
    assert device is not None
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": local_entry.entry_id,
            "device_id": device.id,
        }
    )
    assert (await client.receive_json())["success"] is False


async def test_address_entry_moves_to_the_jdownloader_id(
    hass: HomeAssistant,
    emulator: Emulator,
    address_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """A host:port entry (made before identities were read, or while JD had no id) takes JD's
    MyJDownloader id and name once JD reports them; device and entity ids stay the user's."""
    sim = emulator.devices[0]
    address = address_entry.unique_id
    assert address is not None
    sim.settings["UniqueDeviceIDV2"] = None
    await init_integration(address_entry)
    assert address_entry.unique_id == address
    device = async_get_device(device_registry, (DOMAIN, address))
    assert device is not None
    speed = entity_id_for(entity_registry, "sensor", address, "download_speed")

    sim.settings["UniqueDeviceIDV2"] = sim.id
    assert await hass.config_entries.async_reload(address_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert address_entry.state is ConfigEntryState.LOADED
    assert (address_entry.unique_id, address_entry.title) == (sim.id, sim.name)
    moved = async_get_device(device_registry, (DOMAIN, sim.id))
    assert moved is not None
    assert (moved.id, moved.name, moved.identifiers) == (device.id, sim.name, {(DOMAIN, sim.id)})
    assert entity_id_for(entity_registry, "sensor", sim.id, "download_speed") == speed
    assert (
        entity_registry.async_get_entity_id("sensor", DOMAIN, f"{address}_download_speed") is None
    )
    assert hass.states.get(speed).state != STATE_UNAVAILABLE


async def test_address_entry_stays_when_the_account_has_it(
    hass: HomeAssistant,
    emulator: Emulator,
    address_entry: MockConfigEntry,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An older local entry for a JDownloader the account also serves keeps its host:port
    identity (moving it would clash with the account's device); both keep working."""
    sim = emulator.devices[0]
    await init_integration(cloud_entry)
    await init_integration(address_entry)
    assert address_entry.state is ConfigEntryState.LOADED
    assert address_entry.unique_id == f"127.0.0.1:{sim.local_port}"
    account_device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert account_device is not None
    assert owners(account_device) == {cloud_entry.entry_id}
    assert "also set up through another entry" in caplog.text


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_local_entry_finds_another_jdownloader(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """The entry's address now leads to a different JDownloader: setup waits, nothing moves."""
    first, second = emulator.devices
    local_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        local_entry, data={**local_entry.data, "port": second.local_port}
    )
    await init_integration(local_entry)
    assert local_entry.state is ConfigEntryState.SETUP_RETRY
    assert local_entry.unique_id == first.id
    assert local_entry.reason is not None
    assert "different JDownloader" in local_entry.reason


async def test_jdownloaders_are_devices_not_services(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A JDownloader is a program on a computer: a normal device, also when an older version of
    the integration registered it as a service."""
    sim = emulator.devices[0]
    relay_entry.add_to_hass(hass)
    device_registry.async_get_or_create(
        config_entry_id=relay_entry.entry_id,
        identifiers={(DOMAIN, sim.id)},
        name=sim.name,
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    await init_integration(relay_entry)
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    assert device.entry_type is None


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_unlisted_jdownloader_is_removed_after_the_grace_period(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    advance: Advance,
) -> None:
    """Briefly signed out: the device stays (also across a reload). Gone for a week: removed."""
    await init_integration(cloud_entry)
    kept, gone = emulator.devices
    emulator.remove_device(gone.id)
    await advance(ACCOUNT_REFRESH)
    assert async_get_device(device_registry, (DOMAIN, gone.id)) is not None
    # A reload does not restart the clock.
    assert await hass.config_entries.async_reload(cloud_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(3 * 24 * 3600)
    assert async_get_device(device_registry, (DOMAIN, gone.id)) is not None
    await advance(4 * 24 * 3600 + 600)
    assert async_get_device(device_registry, (DOMAIN, gone.id)) is None
    assert gone.id not in cloud_entry.runtime_data.devices
    assert async_get_device(device_registry, (DOMAIN, kept.id)) is not None
    # Listed again later: it comes back as a new device.
    emulator.restore_device(gone.id)
    await advance(ACCOUNT_REFRESH)
    assert async_get_device(device_registry, (DOMAIN, gone.id)) is not None


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_listed_again_within_the_grace_period_keeps_the_device(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    advance: Advance,
) -> None:
    await init_integration(cloud_entry)
    _, back = emulator.devices
    device = async_get_device(device_registry, (DOMAIN, back.id))
    assert device is not None
    emulator.remove_device(back.id)
    await advance(6 * 24 * 3600)
    emulator.restore_device(back.id)
    await advance(ACCOUNT_REFRESH)
    emulator.remove_device(back.id)
    await advance(2 * 24 * 3600)  # missed again: the clock started anew
    again = async_get_device(device_registry, (DOMAIN, back.id))
    assert again is not None
    assert again.id == device.id
