"""Why isn't it downloading: the problem sensors, premium accounts and their repair issues follow
the emulated JDownloader through disk full, offline links, an expiring account and used-up
traffic, each in one poll (accounts: one slow-data read), and back when fixed."""

from __future__ import annotations

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.const import DOMAIN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from tests.emulator import Emulator
from tests.emulator.device import ACCOUNT_USER_NAMES
from tests.ha_fixtures import SetupEntry

REASON = "sensor.jdownloader_user_problem_reason"
PROBLEM = "binary_sensor.jdownloader_user_problem"
ACCOUNT = "sensor.rapidgator_net_account_state"


async def _poll(hass: HomeAssistant, entry: MockConfigEntry, *, slow: bool = False) -> None:
    coordinator = next(iter(entry.runtime_data.devices.values()))
    if slow:
        await coordinator.async_request_slow_refresh()
        coordinator._debounced_refresh.async_cancel()
    await coordinator.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def _account_issues(hass: HomeAssistant) -> list[str]:
    return [i for d, i in ir.async_get(hass).issues if d == DOMAIN and i.startswith("account_")]


async def test_problems_follow_the_jdownloader(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    sim = emulator.devices[0]
    rapidgator = next(a for a in sim.accounts if a.hostname == "rapidgator.net")
    await init_integration(relay_entry)
    assert (_state(hass, REASON), _state(hass, PROBLEM)) == ("ok", "off")
    assert _state(hass, ACCOUNT) == "ok"
    assert _state(hass, "sensor.uploaded_net_account_state") == "disabled"
    traffic = hass.states.get("sensor.mega_nz_traffic_left")
    assert traffic is not None
    assert traffic.attributes["unlimited"] is True
    assert _account_issues(hass) == []

    # The disk fills while downloading: every candidate is skipped with DISK_FULL.
    sim.start_downloads()
    await _poll(hass, relay_entry)
    sim.fill_disk()
    await _poll(hass, relay_entry)
    assert (_state(hass, REASON), _state(hass, PROBLEM)) == ("disk_full", "on")
    # Fixed: space freed, the links resumed.
    sim.storage_free = 10**12
    for link in list(sim.links.values()):
        if link.skipped:
            sim.release(link.uuid)
    sim.start_downloads()
    await _poll(hass, relay_entry)
    assert (_state(hass, REASON), _state(hass, PROBLEM)) == ("ok", "off")
    sim.stop_downloads()
    await _poll(hass, relay_entry)

    # A link goes offline while downloading; removing it fixes it.
    sim.start_downloads()
    await _poll(hass, relay_entry)
    offline = sim.running_links[0]
    sim.set_offline(offline.uuid)
    sim.stop_downloads()
    await _poll(hass, relay_entry)
    assert _state(hass, REASON) == "links_failed"
    sim.remove_links([offline])
    await _poll(hass, relay_entry)
    assert _state(hass, REASON) == "ok"

    # The account expires: seen at the next slow-data read, with a repair issue.
    rapidgator.valid, rapidgator.error_type = False, "EXPIRED"
    await _poll(hass, relay_entry, slow=True)
    assert _state(hass, ACCOUNT) == "expired"
    assert _state(hass, REASON) == "account_expired"
    assert len(_account_issues(hass)) == 1
    rapidgator.valid, rapidgator.error_type = True, None
    await _poll(hass, relay_entry, slow=True)
    assert (_state(hass, ACCOUNT), _state(hass, REASON)) == ("ok", "ok")
    assert _account_issues(hass) == []

    # Traffic runs out, then comes back.
    rapidgator.traffic_left = 0
    await _poll(hass, relay_entry, slow=True)
    assert (_state(hass, ACCOUNT), _state(hass, REASON)) == (
        "out_of_traffic",
        "account_out_of_traffic",
    )
    assert _state(hass, "sensor.rapidgator_net_traffic_left") == "0.0"
    rapidgator.traffic_left = 50_000_000_000
    await _poll(hass, relay_entry, slow=True)
    assert _state(hass, REASON) == "ok"

    # An account removed in JDownloader takes its device and entities along.
    sim.accounts.remove(rapidgator)
    await _poll(hass, relay_entry, slow=True)
    assert hass.states.get(ACCOUNT) is None

    # Nothing personal: the user names appear in no state.
    names = set(ACCOUNT_USER_NAMES)
    for state in hass.states.async_all():
        text = f"{state.entity_id} {state.state} {state.attributes}"
        assert not any(name in text for name in names), state.entity_id
