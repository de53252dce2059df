"""Config flow tests: every step and error, driven against the emulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
import logging
import socket
from typing import Any
from unittest.mock import AsyncMock, patch

from aiohttp import web
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import (
    CONF_ADVANCED,
    CONF_API_URL,
    CONF_DEVICE_ID,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DOMAIN,
    MODE_CLOUD,
    MODE_LOCAL,
)
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import (
    CONF_EMAIL,
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    STATE_UNAVAILABLE,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD
from tests.ha_fixtures import (
    ACCOUNT_REFRESH,
    Advance,
    SetupEntry,
    all_devices,
    derived_secrets,
    entity_id_for,
    jd_devices,
    owners,
)


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep flow tests about the flow: don't set the created entry up."""
    with patch("custom_components.jdownloader.async_setup_entry", return_value=True) as mock:
        yield mock


def cloud_input(emulator: Emulator, email: str = EMAIL, password: str = PASSWORD) -> dict[str, Any]:
    return {
        CONF_EMAIL: email,
        CONF_PASSWORD: password,
        CONF_ADVANCED: {CONF_API_URL: emulator.api_url},
    }


async def start_cloud(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [MODE_CLOUD, MODE_LOCAL]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": MODE_CLOUD}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "cloud"
    return str(result["flow_id"])


async def start_local(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": MODE_LOCAL}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "local"
    return str(result["flow_id"])


@pytest.mark.usefixtures("mock_setup_entry")
async def test_cloud_creates_entry_without_password(
    hass: HomeAssistant, emulator: Emulator
) -> None:
    """The account entry stores e-mail and derived secrets, keyed by the lower-cased e-mail."""
    flow_id = await start_cloud(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == EMAIL
    assert result["data"] == {
        CONF_MODE: MODE_CLOUD,
        CONF_EMAIL: EMAIL,
        CONF_API_URL: emulator.api_url,
        **derived_secrets(EMAIL, PASSWORD),
    }
    assert PASSWORD not in str(result["data"])
    assert result["options"] == {CONF_DIRECT_CONNECTION: True}
    assert result["result"].unique_id == EMAIL.lower()
    # It really logged in and listed the devices.
    assert emulator.counters[("server", "/my/connect")] >= 1
    assert emulator.counters[("server", "/my/listdevices")] >= 1


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("auth_failed", "invalid_auth"),
        ("email_not_confirmed", "email_not_confirmed"),
        ("rate_limit", "rate_limited"),
        ("overload", "cannot_connect"),
        ("drop", "cannot_connect"),
    ],
)
@pytest.mark.usefixtures("mock_setup_entry")
async def test_cloud_errors_recover(
    hass: HomeAssistant, emulator: Emulator, fault: str, error: str
) -> None:
    """Each login failure shows its own error; the user can then finish the flow."""
    flow_id = await start_cloud(hass)
    emulator.faults.add(fault, count=10, endpoint="/my/connect")
    result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    emulator.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_cloud_wrong_password(hass: HomeAssistant, emulator: Emulator) -> None:
    """A wrong password is rejected by the service as invalid_auth."""
    flow_id = await start_cloud(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, cloud_input(emulator, password="wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_cloud_listdevices_failure(hass: HomeAssistant, emulator: Emulator) -> None:
    """Login alone is not enough: the device list must load too."""
    flow_id = await start_cloud(hass)
    emulator.faults.add("drop", count=10, endpoint="/my/listdevices")
    result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_cloud_unknown_error(hass: HomeAssistant, emulator: Emulator) -> None:
    """An unexpected exception is reported as unknown, and the flow recovers."""
    flow_id = await start_cloud(hass)
    with patch(
        "custom_components.jdownloader.config_flow.MyJDownloaderClient.connect",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(flow_id, cloud_input(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_cloud_already_configured(
    hass: HomeAssistant, emulator: Emulator, cloud_entry: MockConfigEntry
) -> None:
    """The same account (any e-mail case) cannot be added twice."""
    cloud_entry.add_to_hass(hass)
    flow_id = await start_cloud(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, cloud_input(emulator, email=EMAIL.upper())
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


def local_input(port: int, host: str = "127.0.0.1") -> dict[str, Any]:
    return {CONF_HOST: host, CONF_PORT: port}


def free_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class WebServer:
    """A web server on loopback that is not JDownloader; it answers every path with ``status``."""

    port: int = 0
    status: int = 404


@pytest.fixture
async def web_server(socket_enabled: None) -> AsyncIterator[WebServer]:
    """An HTML page (404 Not Found by default) for every request, like a NAS's web server."""
    server = WebServer()

    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            status=server.status,
            text=f"<html><h1>{server.status}</h1></html>",
            content_type="text/html",
        )

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    server.port = free_port()
    await web.TCPSite(runner, "127.0.0.1", server.port).start()
    try:
        yield server
    finally:
        await runner.cleanup()


@pytest.mark.usefixtures("mock_setup_entry")
async def test_local_creates_entry(hass: HomeAssistant, emulator: Emulator) -> None:
    """The local entry is the JDownloader: titled with its name, keyed by its MyJDownloader id."""
    sim = emulator.devices[0]
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(sim.local_port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == sim.name
    assert result["data"] == {
        CONF_MODE: MODE_LOCAL,
        CONF_HOST: "127.0.0.1",
        CONF_PORT: sim.local_port,
        CONF_DEVICE_ID: sim.id,
    }
    assert result["result"].unique_id == sim.id


async def test_local_device_is_the_jdownloader(
    hass: HomeAssistant,
    emulator: Emulator,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Set up through the flow: one device named like the JDownloader, identified as the
    account identifies it; entity ids carry its name, not the host or port."""
    sim = emulator.devices[0]
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(sim.local_port))
    entry = result["result"]
    await hass.async_block_till_done(wait_background_tasks=True)
    devices = jd_devices(dr.async_entries_for_config_entry(device_registry, entry.entry_id))
    assert [(d.name, d.identifiers) for d in devices] == [(sim.name, {(DOMAIN, sim.id)})]
    speed = entity_id_for(entity_registry, "sensor", sim.id, "download_speed")
    assert speed == "sensor.jdownloader_user_download_speed"
    assert str(sim.local_port) not in " ".join(
        e.entity_id for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
    )


async def test_local_without_myjdownloader_id(
    hass: HomeAssistant, emulator: Emulator, device_registry: dr.DeviceRegistry
) -> None:
    """A JDownloader that never had a MyJDownloader account is keyed by host:port."""
    sim = emulator.devices[0]
    sim.settings["UniqueDeviceIDV2"] = None
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(sim.local_port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    address = f"127.0.0.1:{sim.local_port}"
    entry = result["result"]
    assert (entry.unique_id, entry.title, entry.data[CONF_DEVICE_ID]) == (
        address,
        sim.name,
        address,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    devices = jd_devices(dr.async_entries_for_config_entry(device_registry, entry.entry_id))
    assert [(d.name, d.identifiers) for d in devices] == [(sim.name, {(DOMAIN, address)})]


async def test_local_after_account_aborts(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The account already serves this JDownloader: adding it locally aborts, no second device."""
    await init_integration(cloud_entry)
    sim = emulator.devices[0]
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(sim.local_port))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured_account"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert len(jd_devices(all_devices(device_registry, hass))) == 1

    # Only that one: the account's JDownloader, not another one reached locally.
    other = emulator.add_device(name="Elsewhere")
    emulator.remove_device(other.id)  # not on this account
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(other.local_port))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_account_after_local_leaves_it_out(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """The account adds its other JDownloaders; the local entry keeps serving its own.

    Once the local entry is deleted, the account takes that JDownloader over at its next
    device-list refresh.
    """
    local_sim, other = emulator.devices
    await init_integration(local_entry)
    await init_integration(cloud_entry)
    assert set(cloud_entry.runtime_data.devices) == {other.id}
    devices = jd_devices(all_devices(device_registry, hass))
    assert sorted((d.name, sorted(owners(d))) for d in devices) == sorted(
        [
            (local_sim.name, [local_entry.entry_id]),
            (other.name, [cloud_entry.entry_id]),
        ]
    )
    speed = entity_id_for(entity_registry, "sensor", local_sim.id, "download_speed")
    assert entity_registry.async_get(speed).config_entry_id == local_entry.entry_id
    assert hass.states.get(speed).state != STATE_UNAVAILABLE

    assert await hass.config_entries.async_remove(local_entry.entry_id)
    await advance(ACCOUNT_REFRESH)
    assert set(cloud_entry.runtime_data.devices) == {local_sim.id, other.id}
    device = async_get_device(device_registry, (DOMAIN, local_sim.id))
    assert device is not None
    assert owners(device) == {cloud_entry.entry_id}


@pytest.mark.usefixtures("host_names")
async def test_local_same_jdownloader_twice(
    hass: HomeAssistant, emulator: Emulator, local_entry: MockConfigEntry
) -> None:
    """The same JDownloader cannot be added twice: not at the same address, nor another one."""
    local_entry.add_to_hass(hass)
    port = emulator.devices[0].local_port
    for host in ("127.0.0.1", "localhost"):
        flow_id = await start_local(hass)
        result = await hass.config_entries.flow.async_configure(flow_id, local_input(port, host))
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "already_configured"


INVALID_HOSTS = [
    "http://127.0.0.1",
    "127.0.0.1:3128",
    "127.0.0.1/api",
    "192.168.1.300",
    "my nas",
    "",
]


async def flow_error(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, str]:
    result = await hass.config_entries.flow.async_configure(flow_id, user_input)
    assert result["type"] is FlowResultType.FORM
    return dict(result["errors"] or {})


@pytest.mark.parametrize("host", INVALID_HOSTS)
@pytest.mark.usefixtures("mock_setup_entry", "host_names")
async def test_local_invalid_address(hass: HomeAssistant, emulator: Emulator, host: str) -> None:
    """A URL, a port in the host field or an impossible IP is refused before anything is sent."""
    sim = emulator.devices[0]
    flow_id = await start_local(hass)
    assert await flow_error(hass, flow_id, local_input(sim.local_port, host)) == {
        CONF_HOST: "invalid_host"
    }
    assert sum(emulator.counters.values()) == 0
    result = await hass.config_entries.flow.async_configure(
        flow_id, local_input(sim.local_port, " LocalHost ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "localhost"


@pytest.mark.parametrize(
    ("case", "error", "logged"),
    [
        ("refused", "unreachable", "ClientConnectorError"),
        ("dns", "unknown_host", "ClientConnectorDNSError"),
        ("timeout", "unreachable", "Timeout after"),
        ("dropped", "unreachable", "Connection failed"),
        ("http_404", "not_jdownloader", "JDownloaderApiError"),
        ("html_200", "not_jdownloader", "JDownloaderProtocolError"),
    ],
)
@pytest.mark.usefixtures("mock_setup_entry", "host_names")
async def test_local_errors_say_what_went_wrong(
    hass: HomeAssistant,
    emulator: Emulator,
    web_server: WebServer,
    caplog: pytest.LogCaptureFixture,
    case: str,
    error: str,
    logged: str,
) -> None:
    """Unreachable, unknown host name and "something else answered" are told apart; the cause
    is in the debug log; the flow then finishes with the right address."""
    sim = emulator.devices[0]
    user_input = {
        "refused": local_input(free_port()),
        "dns": local_input(3128, "nonexistent.invalid"),
        "timeout": local_input(sim.local_port),
        "dropped": local_input(sim.local_port),
        "http_404": local_input(web_server.port),
        "html_200": local_input(web_server.port),
    }[case]
    released = asyncio.Event()
    if case == "timeout":
        # Held until the flow gave up (so no request handler outlives the test).
        async def held(seconds: float) -> None:
            await released.wait()

        emulator.sleep = held
        emulator.faults.add("slow", count=1, transport="local")
    if case == "dropped":
        emulator.faults.add("drop", count=10, transport="local")
    if case == "html_200":
        web_server.status = 200
    flow_id = await start_local(hass)
    caplog.set_level(logging.DEBUG, logger="custom_components.jdownloader")
    with patch("custom_components.jdownloader.config_flow.LOCAL_FLOW_TIMEOUT", 0.5):
        assert await flow_error(hass, flow_id, user_input) == {"base": error}
    assert logged in caplog.text
    released.set()
    emulator.faults.clear()
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(sim.local_port))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_local_unknown_error(hass: HomeAssistant, emulator: Emulator) -> None:
    """An unexpected exception is reported as unknown, and the flow recovers."""
    port = emulator.devices[0].local_port
    flow_id = await start_local(hass)
    with patch(
        "custom_components.jdownloader.config_flow.LocalJDownloader",
        side_effect=RuntimeError("boom"),
    ):
        assert await flow_error(hass, flow_id, local_input(port)) == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(flow_id, local_input(port))
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reauth(hass: HomeAssistant, emulator: Emulator) -> None:
    """After a password change, reauth stores the new secrets; a wrong password is rejected."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=EMAIL.lower(),
        title=EMAIL,
        data={
            CONF_MODE: MODE_CLOUD,
            CONF_EMAIL: EMAIL,
            CONF_API_URL: emulator.api_url,
            **derived_secrets(EMAIL, "old password"),
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"][CONF_EMAIL] == EMAIL

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_PASSWORD: PASSWORD}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert {k: entry.data[k] for k in derived_secrets(EMAIL, PASSWORD)} == derived_secrets(
        EMAIL, PASSWORD
    )
    assert PASSWORD not in str(entry.data)


async def test_reauth_local_not_supported(
    hass: HomeAssistant, local_entry: MockConfigEntry
) -> None:
    """A local entry has no login to renew."""
    local_entry.add_to_hass(hass)
    result = await local_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_not_supported"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_cloud(
    hass: HomeAssistant, emulator: Emulator, cloud_entry: MockConfigEntry
) -> None:
    """Reconfigure: another account aborts, errors recover, the same account updates the entry."""
    cloud_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        cloud_entry, data={**cloud_entry.data, CONF_API_URL: "http://127.0.0.1:9"}
    )
    result = await cloud_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_cloud"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], cloud_input(emulator, password="wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], cloud_input(emulator, email=EMAIL.lower())
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert cloud_entry.data[CONF_API_URL] == emulator.api_url
    assert cloud_entry.data[CONF_EMAIL] == EMAIL.lower()


async def test_reconfigure_cloud_without_the_password(
    hass: HomeAssistant, emulator: Emulator, cloud_entry: MockConfigEntry
) -> None:
    """Changing only the API server needs no password: the stored secrets log in there."""
    cloud_entry.add_to_hass(hass)
    stored = {key: cloud_entry.data[key] for key in (CONF_LOGIN_SECRET, CONF_DEVICE_SECRET)}
    hass.config_entries.async_update_entry(
        cloud_entry, data={**cloud_entry.data, CONF_API_URL: "http://127.0.0.1:9"}
    )
    result = await cloud_entry.start_reconfigure_flow(hass)
    user_input = cloud_input(emulator)
    del user_input[CONF_PASSWORD]
    emulator.reset_counters()
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert cloud_entry.data[CONF_API_URL] == emulator.api_url
    assert {key: cloud_entry.data[key] for key in stored} == stored
    # It really logged in at the new server with them.
    assert emulator.counters[("server", "/my/connect")] == 1


async def test_reconfigure_cloud_other_account(
    hass: HomeAssistant, emulator: Emulator, cloud_entry: MockConfigEntry
) -> None:
    """Reconfigure refuses to swap the entry to a different account."""
    cloud_entry.add_to_hass(hass)
    result = await cloud_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], cloud_input(emulator, email="someone.else@example.com")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "unique_id_mismatch"
    assert cloud_entry.data[CONF_EMAIL] == EMAIL


@pytest.mark.usefixtures("host_names")
async def test_reconfigure_local_keeps_device_and_entities(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The JDownloader at a new address: same device, same entity ids, entry reloaded there."""
    sim = emulator.devices[0]
    await init_integration(local_entry)
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    speed = entity_id_for(entity_registry, "sensor", sim.id, "download_speed")

    result = await local_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_local"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], local_input(sim.local_port, "localhost")
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert local_entry.data[CONF_HOST] == "localhost"
    assert (local_entry.unique_id, local_entry.title) == (sim.id, sim.name)
    assert local_entry.state is ConfigEntryState.LOADED
    assert [d.id for d in jd_devices(all_devices(device_registry, hass))] == [device.id]
    assert entity_id_for(entity_registry, "sensor", sim.id, "download_speed") == speed
    assert hass.states.get(speed).state != STATE_UNAVAILABLE


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_local_other_jdownloader(
    hass: HomeAssistant, emulator: Emulator, local_entry: MockConfigEntry
) -> None:
    """The address of a different JDownloader (or of one without an id) aborts; nothing changes."""
    local_entry.add_to_hass(hass)
    before = dict(local_entry.data)
    other = emulator.devices[1]
    for without_id in (False, True):
        if without_id:
            other.settings["UniqueDeviceIDV2"] = None
        result = await local_entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], local_input(other.local_port)
        )
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unique_id_mismatch"
        assert dict(local_entry.data) == before
        assert local_entry.unique_id == emulator.devices[0].id


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_address_entry(
    hass: HomeAssistant, emulator: Emulator, address_entry: MockConfigEntry
) -> None:
    """An entry keyed by host:port (JDownloader without id) follows it; its device id stays."""
    first, second = emulator.devices
    for sim in emulator.devices:
        sim.settings["UniqueDeviceIDV2"] = None
    address_entry.add_to_hass(hass)
    old_device_id = address_entry.data[CONF_DEVICE_ID]
    result = await address_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], local_input(second.local_port)
    )
    assert result["reason"] == "reconfigure_successful"
    new_address = f"127.0.0.1:{second.local_port}"
    assert (address_entry.unique_id, address_entry.title) == (new_address, new_address)
    assert address_entry.data[CONF_DEVICE_ID] == old_device_id

    # Another entry already at that address: refused.
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"127.0.0.1:{first.local_port}",
        data={CONF_MODE: MODE_LOCAL, CONF_HOST: "127.0.0.1", CONF_PORT: first.local_port},
    )
    other.add_to_hass(hass)
    result = await address_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], local_input(first.local_port)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("host", "port", "error"),
    [
        ("my nas", None, {CONF_HOST: "invalid_host"}),
        ("127.0.0.1", "refused", {"base": "unreachable"}),
        ("nonexistent.invalid", 3128, {"base": "unknown_host"}),
        ("127.0.0.1", "web", {"base": "not_jdownloader"}),
    ],
)
@pytest.mark.usefixtures("mock_setup_entry", "host_names")
async def test_reconfigure_local_errors(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    web_server: WebServer,
    host: str,
    port: int | str | None,
    error: dict[str, str],
) -> None:
    """Reconfigure tells the same errors apart as the first setup, then recovers."""
    local_entry.add_to_hass(hass)
    sim = emulator.devices[0]
    number = {None: sim.local_port, "refused": free_port(), "web": web_server.port}.get(port, port)
    result = await local_entry.start_reconfigure_flow(hass)
    assert await flow_error(hass, result["flow_id"], local_input(int(number), host)) == error
    assert local_entry.data[CONF_HOST] == "127.0.0.1"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], local_input(sim.local_port, "localhost")
    )
    assert result["reason"] == "reconfigure_successful"


async def test_options_direct_connection(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Turning direct connections off reloads the entry, which then uses the relay only."""
    await init_integration(cloud_entry)
    device_id = emulator.devices[0].id
    assert cloud_entry.runtime_data.devices[device_id].data.connection_type == "direct"

    result = await hass.config_entries.options.async_init(cloud_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_DIRECT_CONNECTION: False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert cloud_entry.options == {CONF_DIRECT_CONNECTION: False}
    assert cloud_entry.runtime_data.devices[device_id].data.connection_type == "relay"


async def test_only_account_entries_have_options(
    hass: HomeAssistant, local_entry: MockConfigEntry, cloud_entry: MockConfigEntry
) -> None:
    """Only account entries offer options (there is nothing to configure locally)."""
    await async_setup_component(hass, "persistent_notification", {})
    await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    local_entry.add_to_hass(hass)
    cloud_entry.add_to_hass(hass)
    assert local_entry.supports_options is False
    assert cloud_entry.supports_options is True
