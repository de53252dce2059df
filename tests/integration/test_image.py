"""Captchas solved from Home Assistant: the captcha image entity, solve_captcha and skip_captcha.

The emulator serves captchas the way JDownloader does (``CaptchaAPISolver``); the image goes
through Home Assistant's image proxy as a person's phone or dashboard would fetch it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.jdownloader.const import DOMAIN
from custom_components.jdownloader.detector import BUS_EVENT
from homeassistant.const import ATTR_DEVICE_ID, STATE_UNKNOWN, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from tests.emulator import Emulator
from tests.emulator.device import CAPTCHA_IMAGE, SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for
from tests.integration.test_services import ha_device_id, sent

GET, SOLVE, SKIP = "/captcha/get", "/captcha/solve", "/captcha/skip"
PNG = base64.b64decode(CAPTCHA_IMAGE.partition(",")[2])
# A 1x1 GIF: JD names the type by the file's extension (ImageCaptchaChallenge.getAPIStorable).
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@pytest.fixture
def platforms() -> list[str]:
    """The image platform (its entity keeps the coordinator polling)."""
    return [Platform.IMAGE]


@pytest.fixture
def captcha_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        if event.data["type"] == "captcha_required":
            received.append(dict(event.data))

    hass.bus.async_listen(BUS_EVENT, _record)
    return received


def image_entity(hass: HomeAssistant, sim: SimDevice) -> str:
    return entity_id_for(er.async_get(hass), "image", sim.id, "captcha")


async def proxy(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, entity_id: str
) -> tuple[int, str | None, bytes]:
    """Fetch the image as the frontend does: /api/image_proxy/<entity_id>."""
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{entity_id}")
    return response.status, response.headers.get("Content-Type"), await response.read()


async def captcha_polled(hass: HomeAssistant, entry: MockConfigEntry, sim: SimDevice) -> int:
    """A new captcha, seen by a poll at once (over a direct connection the event stream may
    ring first); returns its id."""
    captcha = sim.add_captcha()
    await entry.runtime_data.devices[sim.id].async_refresh()
    await hass.async_block_till_done()
    return captcha


async def call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> None:
    await hass.services.async_call(DOMAIN, service, data, blocking=True)


@pytest.mark.parametrize(
    ("service", "extra", "endpoint"),
    [
        ("solve_captcha", {"solution": "  x7k2p "}, SOLVE),
        ("skip_captcha", {}, SKIP),
    ],
)
async def test_captcha_shown_answered_and_cleared(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    captcha_events: list[dict[str, Any]],
    service: str,
    extra: dict[str, Any],
    endpoint: str,
) -> None:
    """A captcha appears → its PNG is served by HA → the answer reaches JD once → it clears."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = image_entity(hass, sim)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN
    status, _, _ = await proxy(hass, hass_client, entity_id)
    assert status == HTTPStatus.INTERNAL_SERVER_ERROR  # no image while none waits

    captcha = sim.add_captcha(hoster="rapidgator.net", explain="Type the letters")
    await advance(IDLE_POLL)
    state = hass.states.get(entity_id)
    assert state.state != STATE_UNKNOWN
    attributes = state.attributes
    assert attributes["captcha_id"] == captcha
    assert attributes["hoster"] == "rapidgator.net"
    assert attributes["explain"] == "Type the letters"
    assert 0 < attributes["seconds_left"] <= 300
    assert "solve_url" not in attributes  # an image captcha is answered right here
    assert not any("http" in str(v) for k, v in attributes.items() if k != "entity_picture")
    assert await proxy(hass, hass_client, entity_id) == (HTTPStatus.OK, "image/png", PNG)
    assert sent(emulator, GET) == 1

    await call(hass, service, {ATTR_DEVICE_ID: ha_device_id(dr.async_get(hass), sim), **extra})
    assert sent(emulator, endpoint) == 1
    if service == "solve_captcha":
        assert sim.captcha_solutions == [(captcha, "x7k2p")]
    else:
        assert sim.captcha_skips == [(captcha, "SINGLE")]
    assert captcha not in sim.captchas
    state = hass.states.get(entity_id)  # the action refreshed at once
    assert state.state == STATE_UNKNOWN
    assert "captcha_id" not in state.attributes
    status, _, _ = await proxy(hass, hass_client, entity_id)
    assert status == HTTPStatus.INTERNAL_SERVER_ERROR
    await advance(IDLE_POLL)
    assert [e["captcha_id"] for e in captcha_events] == [captcha]
    assert sent(emulator, GET) == 1
    assert sent(emulator, endpoint) == 1


async def test_oldest_first_and_jpeg_gif(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """Two waiting: the older one is shown (JD sorts by timeout), the next after it is solved."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = image_entity(hass, sim)
    first = sim.add_captcha(hoster="mega.nz", timeout_ms=600_000)
    gif = "image/gif;base64," + base64.b64encode(GIF).decode()
    second = sim.add_captcha(hoster="uploaded.net", timeout_ms=120_000, image=gif)
    await advance(IDLE_POLL)
    assert hass.states.get(entity_id).attributes["captcha_id"] == first
    device_id = ha_device_id(dr.async_get(hass), sim)
    await call(hass, "solve_captcha", {ATTR_DEVICE_ID: device_id, "solution": "abc"})
    assert sim.captcha_solutions == [(first, "abc")]
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).attributes["captcha_id"] == second
    assert await proxy(hass, hass_client, entity_id) == (HTTPStatus.OK, "image/gif", GIF)
    assert sent(emulator, GET) == 2  # one per captcha


async def test_browser_challenge_has_no_image(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    captcha_events: list[dict[str, Any]],
) -> None:
    """reCAPTCHA: no image and no request for one, a link to the web interface; text refused."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = image_entity(hass, sim)
    captcha = sim.add_captcha(hoster="mega.nz", challenge="RecaptchaV2Challenge")
    await advance(IDLE_POLL)
    state = hass.states.get(entity_id)
    assert state.state == STATE_UNKNOWN
    assert state.attributes["captcha_id"] == captcha
    assert state.attributes["challenge_type"] == "RecaptchaV2Challenge"
    assert state.attributes["solve_url"] == captcha_events[0]["solve_url"]
    assert sim.id in state.attributes["solve_url"]
    status, _, _ = await proxy(hass, hass_client, entity_id)
    assert status == HTTPStatus.INTERNAL_SERVER_ERROR
    assert sent(emulator, GET) == 0
    device_id = ha_device_id(dr.async_get(hass), sim)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "solve_captcha", {ATTR_DEVICE_ID: device_id, "solution": "abc"})
    assert err.value.translation_key == "captcha_needs_browser"
    assert sent(emulator, SOLVE) == 0
    assert captcha in sim.captchas


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"solution": "   "}, "empty_solution"),
        ({"solution": "abc", "captcha_id": 12345}, "captcha_not_waiting"),
    ],
)
async def test_bad_input_sends_nothing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    data: dict[str, Any],
    key: str,
) -> None:
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    captcha = sim.add_captcha()
    await advance(IDLE_POLL)
    device_id = ha_device_id(dr.async_get(hass), sim)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "solve_captcha", {ATTR_DEVICE_ID: device_id, **data})
    assert err.value.translation_key == key
    assert sent(emulator, SOLVE) == 0
    assert captcha in sim.captchas


async def test_none_waiting_and_expired(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """No captcha: refused unsent. One that ran out after the poll: JD's NOT_AVAILABLE, clearly."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device_id = ha_device_id(dr.async_get(hass), sim)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "skip_captcha", {ATTR_DEVICE_ID: device_id})
    assert err.value.translation_key == "no_captcha_waiting"
    assert sent(emulator, SKIP) == 0
    captcha = sim.add_captcha()
    await advance(IDLE_POLL)
    del sim.captchas[captcha]  # timed out in JD after the last poll
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "solve_captcha", {ATTR_DEVICE_ID: device_id, "solution": "late"})
    assert err.value.translation_key == "captcha_not_waiting"
    assert sent(emulator, SOLVE) == 1
    assert sim.captcha_solutions == []


async def test_skip_types(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """BLOCK_HOSTER skips the captchas of that hoster only (JD's canBeSkippedBy)."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    first = sim.add_captcha(hoster="mega.nz")
    other = sim.add_captcha(hoster="rapidgator.net")
    same = sim.add_captcha(hoster="mega.nz")
    await advance(IDLE_POLL)
    device_id = ha_device_id(dr.async_get(hass), sim)
    await call(
        hass,
        "skip_captcha",
        {ATTR_DEVICE_ID: device_id, "captcha_id": first, "type": "BLOCK_HOSTER"},
    )
    assert sim.captcha_skips == [(first, "BLOCK_HOSTER")]
    assert set(sim.captchas) == {other}
    assert same not in sim.captchas
    assert sent(emulator, SKIP) == 1
    with pytest.raises(vol.Invalid):  # not a skip type offered (REFRESH is JD-internal)
        await call(hass, "skip_captcha", {ATTR_DEVICE_ID: device_id, "type": "REFRESH"})
    assert sent(emulator, SKIP) == 1


@pytest.mark.parametrize("service", ["solve_captcha", "skip_captcha"])
async def test_lost_answer_is_not_sent_again(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    service: str,
) -> None:
    """The direct connection breaks after JD acted: not re-sent via the relay, nor on retry."""
    sim = emulator.devices[0]
    await init_integration(cloud_entry)
    captcha = await captcha_polled(hass, cloud_entry, sim)
    endpoint = SOLVE if service == "solve_captcha" else SKIP
    emulator.faults.add("lost_response", endpoint=endpoint, transport="direct")
    data: dict[str, Any] = {ATTR_DEVICE_ID: ha_device_id(dr.async_get(hass), sim)}
    if service == "solve_captcha":
        data["solution"] = "once"
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, service, data)
    assert not isinstance(err.value, ServiceValidationError)  # a fault, not the user's mistake
    assert captcha not in sim.captchas  # JD did act
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, data)  # the automation retries
    assert err.value.translation_key == "captcha_answered"
    assert emulator.counters[("direct", endpoint)] == 1
    assert emulator.counters[("relay", endpoint)] == 0
    assert len(sim.captcha_solutions) + len(sim.captcha_skips) == 1


async def test_lost_answer_that_never_arrived_is_sent_on_retry(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """A broken connection before JD acted: the captcha still waits, so the retry answers it."""
    sim = emulator.devices[0]
    await init_integration(cloud_entry)
    captcha = await captcha_polled(hass, cloud_entry, sim)
    emulator.faults.add("drop", endpoint=SOLVE, transport="direct")
    data = {ATTR_DEVICE_ID: ha_device_id(dr.async_get(hass), sim), "solution": "abc"}
    with pytest.raises(HomeAssistantError):
        await call(hass, "solve_captcha", data)
    assert captcha in sim.captchas
    await call(hass, "solve_captcha", data)
    assert sim.captcha_solutions == [(captcha, "abc")]


async def test_cloud_cost_of_captchas(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
) -> None:
    """Over the relay: no captcha request while none waits, one captcha/get per captcha.

    Prints the figures (run with ``-s``); the counts are the emulator's.
    """
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device_id = ha_device_id(dr.async_get(hass), sim)
    emulator.reset_counters()
    for _ in range(60):  # an hour without captchas
        await advance(59)
    idle = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    captcha_idle = sum(n for ep, n in idle.items() if ep.startswith("/captcha/"))
    assert captcha_idle == 0
    emulator.reset_counters()
    count = 5
    for index in range(count):
        sim.add_captcha(hoster="rapidgator.net")
        for _ in range(3):  # it waits three polls before someone answers it
            await advance(59)
        await call(hass, "solve_captcha", {ATTR_DEVICE_ID: device_id, "solution": f"s{index}"})
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    per_captcha = {ep: n / count for ep, n in relay.items() if ep.startswith("/captcha/")}
    assert per_captcha == {GET: 1.0, SOLVE: 1.0}
    print(
        f"\ncaptcha cloud cost (relay): {captcha_idle} captcha requests in an idle hour "
        f"({sum(idle.values())} requests in all); per captcha: "
        + ", ".join(f"{ep} {n:.1f}" for ep, n in sorted(per_captcha.items()))
        + f"; all relay requests per captcha incl. polls and the refresh after the answer: "
        f"{sum(relay.values()) / count:.1f}"
    )


BLUEPRINT = (
    Path(__file__).parents[2]
    / "blueprints"
    / "automation"
    / "jdownloader"
    / "solve_captcha_on_phone.yaml"
)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("reply", ["solve", "skip", "browser"])
async def test_phone_blueprint(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    tmp_path: Path,
    reply: str,
) -> None:
    """Notification with the image and a text reply; the reply solves, the other action skips."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = image_entity(hass, sim)
    target = tmp_path / "blueprints" / "automation" / "jdownloader"
    target.mkdir(parents=True)
    (target / BLUEPRINT.name).write_text(BLUEPRINT.read_text())
    hass.config.config_dir = str(tmp_path)
    notifications = async_mock_service(hass, "notify", "mobile_app_phone")
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"jdownloader/{BLUEPRINT.name}",
                    "input": {
                        "captcha_image": entity_id,
                        "notify_action": "notify.mobile_app_phone",
                    },
                }
            }
        },
    )
    await hass.async_block_till_done()
    challenge = "RecaptchaV2Challenge" if reply == "browser" else "ImageCaptchaChallenge"
    captcha = sim.add_captcha(
        hoster="rapidgator.net", explain="Type the letters", challenge=challenge
    )
    # Polls by hand, in real time: a waiting automation run holds async_block_till_done.
    coordinator = relay_entry.runtime_data.devices[sim.id]
    await coordinator.async_refresh()
    await wait_until(lambda: bool(notifications))
    sim.advance(30)
    await coordinator.async_refresh()  # a later poll (fewer seconds left) sends nothing more
    await asyncio.sleep(0.2)
    assert len(notifications) == 1
    data = notifications[0].data
    assert "rapidgator.net" in data["message"]
    if reply == "browser":
        assert sim.id in data["data"]["url"]
        assert "image" not in data["data"]
        assert captcha in sim.captchas
        return
    assert "Type the letters" in data["message"]
    assert data["data"]["image"] == hass.states.get(entity_id).attributes["entity_picture"]
    solve, skip = data["data"]["actions"]
    assert solve["behavior"] == "textInput"
    action = solve["action"] if reply == "solve" else skip["action"]
    event_data: dict[str, Any] = {"action": action}
    if reply == "solve":
        event_data["reply_text"] = "x7k2p"
    hass.bus.async_fire("mobile_app_notification_action", {"action": "SOMETHING_ELSE"})
    hass.bus.async_fire("mobile_app_notification_action", event_data)
    await wait_until(lambda: captcha not in sim.captchas)
    await hass.async_block_till_done()
    if reply == "solve":
        assert sim.captcha_solutions == [(captcha, "x7k2p")]
        assert sim.captcha_skips == []
    else:
        assert sim.captcha_skips == [(captcha, "SINGLE")]
        assert sim.captcha_solutions == []
    assert sent(emulator, SOLVE) + sent(emulator, SKIP) == 1
    assert hass.states.get(entity_id).state == STATE_UNKNOWN
