"""Every injected fault ends in the documented exception, with no hidden retries."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderEmailNotConfirmedError,
    JDownloaderError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
    MyJDownloaderClient,
    Secrets,
)
from tests.emulator import FAULT_KINDS, Emulator
from tests.fixtures import EMAIL

# Expected outcome of each fault on a relayed device call (None = recovered transparently).
RELAY_OUTCOME: dict[str, type[JDownloaderError] | None] = {
    "rate_limit": JDownloaderRateLimitError,
    "overload": JDownloaderServiceUnavailableError,
    "maintenance": JDownloaderServiceUnavailableError,
    "offline": JDownloaderDeviceOfflineError,
    "garbage": JDownloaderProtocolError,
    "wrong_rid": JDownloaderProtocolError,
    "slow": JDownloaderDeviceOfflineError,
    "token_invalid": None,
    "auth_failed": JDownloaderAuthError,
    "email_not_confirmed": JDownloaderEmailNotConfirmedError,
    "server_error": JDownloaderApiError,
    "drop": JDownloaderDeviceOfflineError,
    "lost_response": JDownloaderDeviceOfflineError,
    # Empty bodies read from the status alone, as JD's own client does.
    "empty_401": JDownloaderEmailNotConfirmedError,
    "empty_403": JDownloaderAuthError,
    "empty_407": None,
    "empty_502": JDownloaderServiceUnavailableError,
    "empty_503": JDownloaderServiceUnavailableError,
    "empty_504": JDownloaderDeviceOfflineError,
}

# The same faults on /my/listdevices (a connection-server call).
SERVER_OUTCOME: dict[str, type[JDownloaderError] | None] = {
    **RELAY_OUTCOME,
    "offline": JDownloaderDeviceOfflineError,
    "slow": JDownloaderConnectionError,
    "drop": JDownloaderConnectionError,
    "lost_response": JDownloaderConnectionError,
    "empty_504": JDownloaderConnectionError,
}


def test_every_fault_kind_is_covered() -> None:
    assert set(RELAY_OUTCOME) == set(FAULT_KINDS)


@pytest.fixture
def fast_client(
    emulator: Emulator, http: aiohttp.ClientSession, secrets: Secrets
) -> MyJDownloaderClient:
    """Short timeout so the "slow" fault (2 s delay) is a timeout."""
    return MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, timeout=0.5, direct_connection=False
    )


@pytest.mark.parametrize("kind", sorted(RELAY_OUTCOME))
async def test_fault_on_relayed_device_call(
    emulator: Emulator, fast_client: MyJDownloaderClient, kind: str
) -> None:
    device = fast_client.device(emulator.devices[0].id)
    await device.ping()
    emulator.reset_counters()
    emulator.faults.add(
        kind, endpoint="/toolbar/getStatus", transport="relay", delay=2.0 if kind == "slow" else 0.0
    )
    expected = RELAY_OUTCOME[kind]
    if expected is None:
        assert (await device.toolbar_status()).state == "IDLE"
        assert emulator.counters[("server", "/my/reconnect")] == 1
        assert emulator.counters[("relay", "/toolbar/getStatus")] == 2
        return
    with pytest.raises(expected) as info:
        await device.toolbar_status()
    # Exactly one request: no retry storm on any failure.
    assert emulator.counters[("relay", "/toolbar/getStatus")] == 1
    assert sum(emulator.counters.values()) == 1
    if kind == "rate_limit":
        assert isinstance(info.value, JDownloaderRateLimitError)
    if kind in ("overload", "maintenance"):
        assert isinstance(info.value, JDownloaderServiceUnavailableError)
        assert info.value.reason == kind.upper()
    if kind in ("empty_502", "empty_503"):
        assert isinstance(info.value, JDownloaderServiceUnavailableError)
        assert info.value.reason == ("MAINTENANCE" if kind == "empty_502" else "OVERLOAD")
    if kind == "server_error":
        assert isinstance(info.value, JDownloaderApiError)
        assert (info.value.error_type, info.value.status) == ("UNKNOWN", 500)
    # The session survives: the next call works without a new login.
    assert (await device.toolbar_status()).state == "IDLE"
    assert emulator.counters[("server", "/my/connect")] == 0


@pytest.mark.parametrize("kind", sorted(SERVER_OUTCOME))
async def test_fault_on_server_call(
    emulator: Emulator, fast_client: MyJDownloaderClient, kind: str
) -> None:
    await fast_client.connect()
    emulator.reset_counters()
    emulator.faults.add(kind, endpoint="/my/listdevices", delay=2.0 if kind == "slow" else 0.0)
    expected = SERVER_OUTCOME[kind]
    if expected is None:
        assert len(await fast_client.list_devices()) == 1
        assert emulator.counters[("server", "/my/reconnect")] == 1
        return
    with pytest.raises(expected):
        await fast_client.list_devices()
    assert sum(emulator.counters.values()) == 1


async def test_rate_limited_login_is_not_retried(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    emulator.faults.add("rate_limit", count=5, endpoint="/my/connect")
    with pytest.raises(JDownloaderRateLimitError):
        await client.list_devices()
    assert emulator.counters[("server", "/my/connect")] == 1
    assert sum(emulator.counters.values()) == 1


async def test_offline_device(emulator: Emulator, client: MyJDownloaderClient) -> None:
    device = client.device(emulator.devices[0].id)
    await device.ping()
    emulator.devices[0].online = False
    with pytest.raises(JDownloaderDeviceOfflineError):
        await device.poll()
    emulator.devices[0].online = True
    assert (await device.poll()).jd_state == "IDLE"
    assert emulator.counters[("server", "/my/connect")] == 1


async def test_wrong_rid_answer_is_never_used(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    """The toggle happened on the device, but its answer (rid off by one) is rejected."""
    device = client.device(emulator.devices[0].id)
    emulator.faults.add("wrong_rid", endpoint="/toolbar/toggleClipboardMonitoring")
    with pytest.raises(JDownloaderProtocolError, match="rid"):
        await device.toggle_clipboard_monitoring()


async def test_unknown_command_is_api_error_with_open_type(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    with pytest.raises(JDownloaderApiError) as info:
        await device.call("/jd/doSomethingCool")
    assert info.value.error_type == "API_COMMAND_NOT_FOUND"
    assert (info.value.source, info.value.status) == ("DEVICE", 404)
    with pytest.raises(JDownloaderApiError) as info:
        await device.call("/nonexistent/method")
    assert info.value.status == 404
    assert info.value.source == "DEVICE"


async def test_bad_parameters_keep_device_data(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    with pytest.raises(JDownloaderApiError) as info:
        await device.call("/downloadcontroller/pause", "not a bool")
    assert info.value.error_type == "BAD_PARAMETERS"
    assert info.value.data == '"not a bool"'


async def test_unreachable_server_is_connection_error(
    http: aiohttp.ClientSession, secrets: Secrets, socket_enabled: None
) -> None:
    client = MyJDownloaderClient(
        http, EMAIL, secrets, api_url="http://127.0.0.1:9", timeout=2.0, direct_connection=False
    )
    with pytest.raises(JDownloaderConnectionError) as info:
        await client.connect()
    assert not isinstance(info.value, JDownloaderDeviceOfflineError)
