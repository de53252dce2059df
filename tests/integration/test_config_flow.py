"""Config flow tests: every step and error, driven against the emulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.const import (
    CONF_ADVANCED,
    CONF_API_URL,
    CONF_DEVICE_ID,
    CONF_DIRECT_CONNECTION,
    CONF_MODE,
    DOMAIN,
    MODE_CLOUD,
    MODE_LOCAL,
)
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_EMAIL, CONF_HOST, CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from tests.emulator import Emulator

from .conftest import EMAIL, PASSWORD, SetupEntry, derived_secrets


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


@pytest.mark.usefixtures("mock_setup_entry")
async def test_local_creates_entry(hass: HomeAssistant, emulator: Emulator) -> None:
    """A reachable local API creates an entry keyed by host:port."""
    port = emulator.devices[0].local_port
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {
        CONF_MODE: MODE_LOCAL,
        CONF_HOST: "127.0.0.1",
        CONF_PORT: port,
        CONF_DEVICE_ID: f"127.0.0.1:{port}",
    }
    assert result["result"].unique_id == f"127.0.0.1:{port}"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_local_errors_recover(hass: HomeAssistant, emulator: Emulator) -> None:
    """Unreachable and failing local APIs show errors; a correct address then works."""
    dev = emulator.devices[0]
    flow_id = await start_local(hass)
    emulator.faults.add("drop", count=10, transport="local")
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: dev.local_port}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    emulator.faults.clear()
    with patch(
        "custom_components.jdownloader.config_flow.LocalJDownloader",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: dev.local_port}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: dev.local_port}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_local_ping_false(hass: HomeAssistant, emulator: Emulator) -> None:
    """A server that answers but does not confirm the ping is not a JDownloader."""
    flow_id = await start_local(hass)
    with patch("custom_components.jdownloader.config_flow.LocalJDownloader") as factory:
        factory.return_value.ping = AsyncMock(return_value=False)
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: emulator.devices[0].local_port}
        )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_local_already_configured(
    hass: HomeAssistant, emulator: Emulator, local_entry: MockConfigEntry
) -> None:
    """The same host:port cannot be added twice."""
    local_entry.add_to_hass(hass)
    flow_id = await start_local(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_HOST: "127.0.0.1", CONF_PORT: emulator.devices[0].local_port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


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


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_local(
    hass: HomeAssistant, emulator: Emulator, local_entry: MockConfigEntry
) -> None:
    """A local entry can move to a new address; its device id stays, conflicts abort."""
    local_entry.add_to_hass(hass)
    old_device_id = local_entry.data[CONF_DEVICE_ID]
    new_port = emulator.devices[1].local_port

    result = await local_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure_local"
    emulator.faults.add("drop", count=10, transport="local")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: new_port}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    emulator.faults.clear()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: "127.0.0.1", CONF_PORT: new_port}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert local_entry.data[CONF_PORT] == new_port
    assert local_entry.unique_id == f"127.0.0.1:{new_port}"
    assert local_entry.data[CONF_DEVICE_ID] == old_device_id

    other = MockConfigEntry(domain=DOMAIN, unique_id=old_device_id, data={CONF_MODE: MODE_LOCAL})
    other.add_to_hass(hass)
    result = await local_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "127.0.0.1", CONF_PORT: emulator.devices[0].local_port},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


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
