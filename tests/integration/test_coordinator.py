"""Polling behaviour: request budget, adaptive interval, back-off, offline and dynamic devices."""

from __future__ import annotations

from datetime import timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.api import PollResult
from custom_components.jdownloader.backoff import ServiceBackoff
from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import (
    BACKOFF_MAX,
    DOMAIN,
    PROBE_WAIT,
    signal_device_added,
)
from custom_components.jdownloader.coordinator import JDownloaderDeviceCoordinator
from custom_components.jdownloader.doorbell import Doorbell
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from tests.emulator import Emulator
from tests.ha_fixtures import ACCOUNT_REFRESH, IDLE_POLL, Advance, SetupEntry


def relay_counts(emulator: Emulator) -> dict[str, int]:
    return {ep: n for (transport, ep), n in emulator.counters.items() if transport == "relay"}


@pytest.mark.parametrize("emulator_options", [{"devices": 1}, {"devices": 5}])
@pytest.mark.parametrize("downloading", [False, True], ids=["idle", "downloading"])
async def test_relay_request_budget(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    downloading: bool,
) -> None:
    """Over twelve polls, each JDownloader costs exactly one relay request per poll, idle or
    downloading: the toolbar status is not read while the controller state stays the same."""
    for sim in emulator.devices:
        sim.clear_downloads()
        # Large enough not to finish within the ten polls.
        sim.add_package("big", links=2, bytes_per_link=100_000_000_000)
    await init_integration(relay_entry)
    n_devices = len(emulator.devices)
    assert len(relay_entry.runtime_data.devices) == n_devices
    if downloading:
        for sim in emulator.devices:
            sim.start_downloads()
        await advance(IDLE_POLL)
    interval = 30 if downloading else IDLE_POLL
    coordinators = relay_entry.runtime_data.devices.values()
    assert {c.update_interval.total_seconds() for c in coordinators} == {interval}
    emulator.reset_counters()
    for _ in range(12):
        for sim in emulator.devices:
            sim.advance(interval if downloading else 0)
        await advance(interval)
    relay = relay_counts(emulator)
    polls = relay.get("/polling/poll", 0)
    total = sum(relay.values())
    server = {ep: n for (t, ep), n in emulator.counters.items() if t == "server"}
    print(
        f"\n{n_devices} device(s), {'downloading' if downloading else 'idle'}, 12 polls at "
        f"{interval} s: {polls} polls, {total} relay requests "
        f"({total / polls:.2f} per poll per device) {relay}; server: {server}"
    )
    assert all(c.last_update_success for c in coordinators)
    assert polls == 12 * n_devices
    # Nothing finishes within the twelve polls: the event detector reads nothing either.
    assert relay == {"/polling/poll": polls}
    assert not any(t == "direct" for t, _ in emulator.counters)


async def test_adaptive_interval_relay(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Over the relay: 90 s while idle, 30 s while downloading."""
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[emulator.devices[0].id]
    assert coordinator.data.connection_type == "relay"
    assert coordinator.update_interval == timedelta(seconds=90)
    await coordinator.device.start_downloads()
    await coordinator.async_refresh()
    assert coordinator.data.toolbar.running or coordinator.data.poll.jd_state == "RUNNING"
    assert coordinator.update_interval == timedelta(seconds=30)


async def test_adaptive_interval_direct(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """Over a direct LAN connection: 30 s idle, 5 s downloading, and no relay polling."""
    await init_integration(cloud_entry)
    coordinator = cloud_entry.runtime_data.devices[emulator.devices[0].id]
    assert coordinator.data.connection_type == "direct"
    assert coordinator.update_interval == timedelta(seconds=30)
    await coordinator.device.start_downloads()
    emulator.reset_counters()
    await coordinator.async_refresh()
    assert coordinator.update_interval == timedelta(seconds=5)
    assert relay_counts(emulator).get("/polling/poll", 0) == 0


@pytest.mark.parametrize("fault", ["rate_limit", "overload", "maintenance"])
async def test_rate_limit_backs_off_and_recovers(
    hass: HomeAssistant,
    fault: str,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """429/503 stretch the interval (90 → 60 → 120 → 120 s); one log line at the start, one at
    the end."""
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[emulator.devices[0].id]
    caplog.clear()
    caplog.set_level(logging.INFO)
    emulator.reset_counters()
    emulator.faults.add(fault, count=3, endpoint="/polling/poll")

    intervals = []
    for wait in (IDLE_POLL, 60, 120):
        await advance(wait)
        intervals.append(coordinator.update_interval.total_seconds())
        assert not coordinator.last_update_success
    assert intervals == [60, 120, 120]
    # After the last wait one request probes (this device's poll or the account's device list,
    # whichever is due first); the device then polls at its normal interval again.
    await advance(120)
    if not coordinator.last_update_success:
        await advance(PROBE_WAIT)
    assert coordinator.last_update_success
    assert coordinator.update_interval.total_seconds() == IDLE_POLL
    # 3 refused polls + 1 answered: nothing is sent while waiting (no tight loop).
    assert emulator.counters[("relay", "/polling/poll")] == 4
    lines = [r for r in caplog.records if coordinator.name in r.getMessage()]
    print("\nback-off log lines:", [r.getMessage() for r in lines])
    assert len(lines) == 2
    assert lines[0].levelno == logging.ERROR
    assert "recovered" in lines[1].getMessage()


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_back_off_is_shared_and_does_not_escalate_per_device(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """Two devices hitting the same rate limit wait one step, not two."""
    await init_integration(relay_entry)
    emulator.faults.add("rate_limit", count=2, endpoint="/polling/poll")
    await advance(IDLE_POLL)
    assert relay_entry.runtime_data.backoff.delay == 60
    emulator.reset_counters()
    await advance(30)
    # While waiting, neither device sends anything.
    assert relay_counts(emulator) == {}
    await advance(30)
    # One device probes; once it is answered, the other follows.
    assert relay_entry.runtime_data.backoff.delay == 0
    assert relay_counts(emulator)["/polling/poll"] == 1
    await advance(PROBE_WAIT)
    assert all(c.last_update_success for c in relay_entry.runtime_data.devices.values())
    assert relay_counts(emulator)["/polling/poll"] == 2


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_offline_device_is_isolated(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """An offline JDownloader turns unavailable; the other keeps working; no new login."""
    await init_integration(relay_entry)
    up, down = emulator.devices
    devices = relay_entry.runtime_data.devices
    emulator.reset_counters()
    down.online = False
    await advance(IDLE_POLL)
    assert devices[up.id].last_update_success
    assert not devices[down.id].last_update_success
    assert emulator.counters[("server", "/my/connect")] == 0
    assert emulator.counters[("server", "/my/reconnect")] == 0
    down.online = True
    await advance(IDLE_POLL)
    assert devices[down.id].last_update_success


async def test_session_expiry_is_transparent(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """An expired session is renewed silently; entities stay available."""
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[emulator.devices[0].id]
    emulator.expire_sessions()
    await advance(IDLE_POLL)
    assert coordinator.last_update_success
    assert relay_entry.state is ConfigEntryState.LOADED


async def test_auth_failure_while_polling_starts_reauth(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """When the login is no longer accepted (password changed), a reauth flow starts."""
    await init_integration(relay_entry)
    emulator.expire_sessions()
    emulator.expire_regain_tokens()
    emulator.faults.add("auth_failed", count=100, endpoint="/my/connect")
    await advance(IDLE_POLL)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("fault", "key"), [("offline", "device_offline"), ("garbage", "update_failed")]
)
async def test_poll_errors_make_entities_unavailable(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    fault: str,
    key: str,
) -> None:
    """Offline answers and undecodable responses fail the poll with a translated reason."""
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[emulator.devices[0].id]
    emulator.faults.add(fault, count=100, endpoint="/polling/poll")
    await advance(IDLE_POLL)
    assert not coordinator.last_update_success
    assert coordinator.last_exception is not None
    assert getattr(coordinator.last_exception, "translation_key", None) == key
    emulator.faults.clear()
    await advance(IDLE_POLL)
    assert coordinator.last_update_success


async def test_new_device_appears_without_restart(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A JDownloader added to the account later gets a device and a polling coordinator."""
    await init_integration(relay_entry)
    announced: list[JDownloaderDeviceCoordinator] = []
    async_dispatcher_connect(hass, signal_device_added(relay_entry.entry_id), announced.append)
    new = emulator.add_device(name="Second JD")
    await advance(ACCOUNT_REFRESH)
    assert [c.device_id for c in announced] == [new.id]
    assert announced[0].last_update_success
    device = async_get_device(device_registry, (DOMAIN, new.id))
    assert device is not None
    assert device.name == "Second JD"


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_device_gone_turns_unavailable_and_returns(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """A device no longer listed is unavailable without being polled; listed again, it recovers."""
    await init_integration(relay_entry)
    gone = emulator.devices[1]
    coordinator = relay_entry.runtime_data.devices[gone.id]
    emulator.remove_device(gone.id)
    await advance(ACCOUNT_REFRESH)
    assert coordinator.listed is False
    assert not coordinator.last_update_success
    assert coordinator.last_exception is not None
    assert getattr(coordinator.last_exception, "translation_key", None) == "device_not_listed"
    emulator.restore_device(gone.id)
    await advance(ACCOUNT_REFRESH)
    assert coordinator.listed is True
    assert coordinator.last_update_success


async def test_slow_data_hourly_and_after_actions(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """Free space and accounts hourly; version, update state and limits at setup, every 6 hours,
    after actions and once JDownloader is back from being offline."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[sim.id]
    data = coordinator.data
    assert data.slow.version is not None
    assert data.slow.update_available is False
    assert data.slow.started is not None
    assert data.slow.speed_limit is not None
    assert data.slow.max_simultaneous_downloads is not None
    assert data.slow.free_space is not None
    assert data.slow.accounts is not None

    update, accounts = ("relay", "/update/isUpdateAvailable"), ("relay", "/accountsV2/listAccounts")
    assert (emulator.counters[update], emulator.counters[accounts]) == (1, 1)
    for _ in range(5):
        await advance(IDLE_POLL)
    assert (emulator.counters[update], emulator.counters[accounts]) == (1, 1)
    sim.update_available = True
    sim.storage_free -= 10_000_000_000
    await advance(3600)
    # An hour: free space and accounts, not the update state.
    assert (emulator.counters[update], emulator.counters[accounts]) == (1, 2)
    assert coordinator.data.slow.free_space == sim.storage_free
    assert coordinator.data.slow.update_available is False
    for _ in range(5):
        await advance(3600)
    assert (emulator.counters[update], emulator.counters[accounts]) == (2, 7)
    assert coordinator.data.slow.update_available is True

    await coordinator.async_request_slow_refresh()
    await hass.async_block_till_done()
    assert emulator.counters[update] == 3

    # Restarted in its own window (offline for a poll): everything is read again once back.
    sim.update_available = False
    sim.online = False
    await advance(IDLE_POLL)
    assert not coordinator.last_update_success
    sim.online = True
    await advance(IDLE_POLL)
    assert coordinator.last_update_success
    assert emulator.counters[update] == 4
    assert coordinator.data.slow.update_available is False


@pytest.mark.parametrize("emulator_options", [{"devices": 3}])
async def test_devices_are_polled_concurrently(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """All JDownloaders are polled at once: a slow answer from one does not queue the others."""
    await init_integration(relay_entry)
    in_flight = 0
    most = 0

    def spy(coordinator: JDownloaderDeviceCoordinator) -> None:
        real_poll = coordinator.device.poll

        async def poll() -> PollResult:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            try:
                return await real_poll()
            finally:
                in_flight -= 1

        coordinator.device.poll = poll  # type: ignore[method-assign]

    for coordinator in relay_entry.runtime_data.devices.values():
        spy(coordinator)
    await advance(IDLE_POLL)
    assert most == 3
    assert all(c.last_update_success for c in relay_entry.runtime_data.devices.values())


def test_backoff_doubles_to_a_cap_and_honours_retry_after(freezer: FrozenDateTimeFactory) -> None:
    """60 s, then 2 min for the first 10 min, then doubling to a 30 min cap; Retry-After
    raises a step; success resets."""
    backoff = ServiceBackoff()
    assert backoff.remaining() == 0
    delays = []
    for _ in range(11):
        delays.append(backoff.refused())
        # A second failure within the waiting period (another device) does not add a step.
        assert backoff.refused() == pytest.approx(delays[-1])
        freezer.tick(timedelta(seconds=delays[-1]))
    assert delays == [60, 120, 120, 120, 120, 120, 240, 480, 960, 1800, 1800]
    backoff.answered()
    assert backoff.remaining() == 0
    assert backoff.refused(retry_after=300) == 300
    freezer.tick(timedelta(seconds=300))
    assert backoff.refused(retry_after=10_000) == 1800


async def test_rename_in_myjdownloader_renames_device(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A JDownloader renamed on the account gets the new name in Home Assistant."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    sim.name = "Attic JD"
    await advance(ACCOUNT_REFRESH)
    device = async_get_device(device_registry, (DOMAIN, sim.id))
    assert device is not None
    assert device.name == "Attic JD"
    assert relay_entry.runtime_data.devices[sim.id].device_name == "Attic JD"


async def test_refresh_during_back_off_sends_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """A refresh asked for while backing off (e.g. after an action) waits; nothing is sent."""
    await init_integration(relay_entry)
    runtime = relay_entry.runtime_data
    coordinator = runtime.devices[emulator.devices[0].id]
    assert runtime.account is not None
    emulator.faults.add("rate_limit", count=1, endpoint="/polling/poll")
    await advance(IDLE_POLL)
    assert runtime.backoff.delay == 60
    emulator.reset_counters()
    await coordinator.async_refresh()
    await runtime.account.async_refresh()
    assert sum(emulator.counters.values()) == 0
    assert getattr(coordinator.last_exception, "translation_key", None) == "rate_limited"
    assert not runtime.account.last_update_success
    await advance(IDLE_POLL)
    assert coordinator.last_update_success


@pytest.mark.parametrize(
    ("folder", "free", "expected"),
    [
        ("/downloads", 1_000, 1_000),  # the folder's own storage
        ("", 2_000, 2_000),  # no folder configured: the first storage
        ("/downloads", -1, None),  # the device cannot tell
    ],
)
async def test_free_space(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    folder: str,
    free: int,
    expected: int | None,
) -> None:
    """Free space is read for the default download folder's storage, when the device knows it."""
    sim = emulator.devices[0]
    sim.settings["DefaultDownloadFolder"] = folder
    sim.storage_free = free
    await init_integration(relay_entry)
    assert relay_entry.runtime_data.devices[sim.id].data.slow.free_space == expected


@pytest.mark.parametrize("emulator_options", [{"devices": 5}])
async def test_rate_limit_burst_is_not_a_retry_storm(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """A 20-minute rate limit on the whole cloud: few requests, then everything recovers."""
    await init_integration(relay_entry)
    runtime = relay_entry.runtime_data
    emulator.reset_counters()
    for transport in ("server", "relay"):
        emulator.faults.add("rate_limit", count=100_000, transport=transport)
    for _ in range(20 * 60 // 10):
        await advance(9)  # the fixture adds one second
    sent = sum(emulator.counters.values())
    rounds = len({round(r.time) for r in emulator.requests})
    print(f"\n20 min rate limit, 5 devices: {sent} cloud requests in {rounds} rounds")
    emulator.faults.clear()
    await advance(BACKOFF_MAX)  # one probe succeeds ...
    assert runtime.backoff.delay == 0
    await advance(PROBE_WAIT)  # ... and the others follow a few seconds later
    assert all(c.last_update_success for c in runtime.devices.values())
    # Rounds at 0, 60, 180, 300, 420, 540, 660 and 900 s: the first hits all five devices at
    # once (up to two requests each), each later one sends a single probing request.
    assert rounds <= 8
    assert sent <= 2 * 5 + 7


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_lan_device_keeps_updating_while_the_cloud_refuses(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """A 429 burst on the cloud does not touch a JDownloader reached on the LAN.

    The relay-only one waits for the back-off; the LAN one keeps its 30 s polls, directly, and
    sends nothing to the cloud meanwhile. (The events long-poll is off here: the simulated
    clock's 30 s jumps would time its pending request out and send the polls to the relay.)
    """
    monkeypatch.setattr(Doorbell, "follow", lambda self, connection: None)
    lan, relayed = emulator.devices
    relayed.direct_enabled = False
    await init_integration(cloud_entry)
    coordinators = cloud_entry.runtime_data.devices
    assert coordinators[lan.id].data.connection_type == "direct"
    assert coordinators[relayed.id].data.connection_type == "relay"
    emulator.reset_counters()
    for transport in ("server", "relay"):
        emulator.faults.add("rate_limit", count=100_000, transport=transport)
    for _ in range(10):
        await advance(29)  # the fixture adds a second
    assert cloud_entry.runtime_data.backoff.active
    assert coordinators[lan.id].last_update_success
    assert not coordinators[relayed.id].last_update_success
    assert emulator.counters[("direct", "/polling/poll")] >= 9
    cloud = sum(n for (t, _), n in emulator.counters.items() if t in ("server", "relay"))
    # The relayed device's first poll, then one probe after 60 s and one every 2 min.
    assert cloud <= 4


@pytest.mark.parametrize("emulator_options", [{"devices": 2}])
async def test_unreachable_myjdownloader_is_not_an_offline_jdownloader(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """When MyJDownloader itself cannot be reached, every JDownloader says so, rather than
    "the JDownloader is offline"; a JDownloader the relay reports offline still says that."""
    await init_integration(relay_entry)
    up, down = emulator.devices
    devices = relay_entry.runtime_data.devices
    down.online = False
    await advance(IDLE_POLL)
    assert getattr(devices[down.id].last_exception, "translation_key", None) == "device_offline"
    await emulator.stop()  # the connection server and the relay are gone
    await advance(120)
    for sim in (up, down):
        coordinator = devices[sim.id]
        assert not coordinator.last_update_success
        key = getattr(coordinator.last_exception, "translation_key", None)
        assert key == "service_unreachable"
