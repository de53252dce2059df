"""Typed device methods change (or report) the simulated JDownloader's state."""

from __future__ import annotations

import pytest

from custom_components.jdownloader.api import (
    AddLinksRequest,
    JDownloaderApiError,
    JDownloaderDevice,
    MyJDownloaderClient,
)
from tests.emulator import Emulator, SimDevice


@pytest.fixture
def sim(emulator: Emulator) -> SimDevice:
    return emulator.devices[0]


@pytest.fixture
def device(client: MyJDownloaderClient, sim: SimDevice) -> JDownloaderDevice:
    return client.device(sim.id)


async def test_poll_and_toolbar_follow_downloads(device: JDownloaderDevice, sim: SimDevice) -> None:
    poll = await device.poll()
    assert poll.aggregated is not None
    assert poll.aggregated.links_count == len(sim.links)
    assert poll.aggregated.package_count == len(sim.packages)
    assert poll.jd_state == "IDLE"
    assert poll.linkgrabber_state == "IDLE"
    assert poll.captchas == []

    assert await device.start_downloads() is True
    sim.advance(2.0)
    poll = await device.poll()
    assert poll.jd_state == "RUNNING"
    assert poll.aggregated is not None
    assert poll.aggregated.download_speed > 0
    toolbar = await device.toolbar_status()
    assert toolbar.running
    assert toolbar.speed > 0
    assert await device.get_current_state() == "RUNNING"
    assert await device.get_speed() > 0

    assert await device.stop_downloads() is True
    sim.advance(1.0)
    assert await device.get_current_state() == "STOPPED_STATE"


async def test_poll_only_requested_parts(device: JDownloaderDevice) -> None:
    poll = await device.poll(aggregated=False, captchas=False, linkgrabber_state=False)
    assert poll.aggregated is None
    assert poll.captchas is None
    assert poll.linkgrabber_state is None
    assert poll.jd_state == "IDLE"


async def test_queries_return_only_requested_fields(
    device: JDownloaderDevice, sim: SimDevice
) -> None:
    links = await device.query_links(("bytes_total",))
    assert len(links) == len(sim.links)
    assert all(link.bytes_total > 0 for link in links)
    # Fields that were not requested keep their defaults even for finished links.
    assert not any(link.finished or link.host for link in links)
    finished = [link for link in await device.query_links(("finished",)) if link.finished]
    assert len(finished) == sum(1 for link in sim.links.values() if link.finished)

    packages = await device.query_packages(("child_count",), max_results=3)
    assert len(packages) == 3
    first = sim.packages[packages[0].uuid]
    assert packages[0].child_count == len(first.links)
    subset = await device.query_links(package_ids=[first.uuid])
    assert {link.uuid for link in subset} == set(first.links)
    by_id = await device.query_links(link_ids=first.links[:2])
    assert [link.uuid for link in by_id] == first.links[:2]


async def test_add_links_move_and_cleanup(device: JDownloaderDevice, sim: SimDevice) -> None:
    counter = await device.structure_change_counter()
    job_ids = await device.add_links(
        AddLinksRequest(
            links=["https://example.com/file/a.bin", "https://example.com/file/b.bin"],
            package_name="My package",
            overwrite_packagizer_rules=True,
        )
    )
    assert len(job_ids) == 1
    assert job_ids[0] > 0
    assert await device.linkgrabber_package_count() == 1
    crawled = await device.linkgrabber_query_packages()
    assert [p.name for p in crawled] == ["My package"]
    crawled_links = await device.linkgrabber_query_links()
    assert sorted(link.name for link in crawled_links) == ["a.bin", "b.bin"]
    assert all(link.availability == "ONLINE" for link in crawled_links)

    await device.move_to_download_list([], [crawled[0].uuid])
    assert await device.linkgrabber_package_count() == 0
    assert "My package" in {p.name for p in await device.query_packages(())}
    assert await device.structure_change_counter(counter) != counter

    finished_before = sum(1 for link in sim.links.values() if link.finished)
    assert finished_before > 0
    await device.cleanup("downloads", "DELETE_FINISHED")
    assert not any(link.finished for link in sim.links.values())


async def test_toolbar_toggles_return_new_state(device: JDownloaderDevice, sim: SimDevice) -> None:
    before = await device.toolbar_status()
    assert await device.toggle_clipboard_monitoring() is (not before.clipboard)
    assert await device.toggle_premium() is (not before.premium)
    assert await device.toggle_automatic_reconnect() is (not before.reconnect)
    assert await device.toggle_speed_limit() is (not before.limit)
    assert await device.toggle_stop_after_current_download() is (not before.stopafter)
    after = await device.toolbar_status()
    assert after.clipboard is not before.clipboard
    assert after.premium is not before.premium
    assert sim.settings["ClipboardMonitored"] is after.clipboard


async def test_speed_limit_and_simultaneous_downloads(
    device: JDownloaderDevice, sim: SimDevice
) -> None:
    assert (await device.get_speed_limit()).bytes_per_second == sim.settings["DownloadSpeedLimit"]
    await device.set_speed_limit(300 * 1024)
    await device.set_speed_limit_enabled(True)
    limit = await device.get_speed_limit()
    assert (limit.enabled, limit.bytes_per_second) == (True, 300 * 1024)
    assert sim.settings["DownloadSpeedLimit"] == 300 * 1024

    await device.set_max_simultaneous_downloads(5)
    assert await device.get_max_simultaneous_downloads() == 5
    with pytest.raises(JDownloaderApiError) as info:
        await device.set_max_simultaneous_downloads(99)  # the device allows 1..20
    assert info.value.error_type == "INVALID_VALUE"
    assert sim.settings["MaxSimultaneDownloads"] == 5

    assert await device.config_get("org.example.Unknown", "Key") is None
    assert await device.config_set("org.example.Unknown", "Key", 1) is False


async def test_update_storage_version_uptime(device: JDownloaderDevice, sim: SimDevice) -> None:
    assert await device.is_update_available() is False
    sim.update_on_check = True
    await device.run_update_check()
    assert await device.is_update_available() is True
    infos = await device.storage_infos()
    assert infos
    assert all(info.free <= info.size for info in infos)
    assert (await device.storage_infos("/downloads"))[0].free == sim.storage_free
    assert await device.version() == sim.jd_version
    assert await device.core_revision() == sim.core_revision
    assert 0 <= await device.uptime() < 600_000
    assert (await device.system_infos())["osFamily"] == "LINUX"


async def test_captchas(device: JDownloaderDevice, sim: SimDevice) -> None:
    first = sim.add_captcha(hoster="rapidgator.net")
    second = sim.add_captcha(hoster="mega.nz")
    jobs = await device.captcha_list()
    assert {job.id for job in jobs} == {first, second}
    assert {job.hoster for job in jobs} == {"rapidgator.net", "mega.nz"}
    assert (await device.poll()).captchas is not None
    challenge = await device.captcha_get(first)
    assert challenge.content_type == "image/png"
    assert challenge.image is not None
    assert challenge.image.startswith(b"\x89PNG")
    assert await device.captcha_solve(first, "abc") is True
    assert await device.captcha_skip(second) is True
    assert await device.captcha_list() == []
    with pytest.raises(JDownloaderApiError) as info:
        await device.captcha_get(first)
    assert info.value.error_type == "NOT_AVAILABLE"


async def test_captcha_that_is_not_an_image(device: JDownloaderDevice, sim: SimDevice) -> None:
    """A reCAPTCHA answers nothing by default and a site-key object for RAWTOKEN: no image."""
    captcha = sim.add_captcha(hoster="uploaded.net", challenge="RecaptchaV2Challenge")
    plain = await device.captcha_get(captcha)
    assert (plain.image, plain.raw) == (None, None)
    token = await device.captcha_get(captcha, "RAWTOKEN")
    assert token.image is None
    assert token.raw["siteKey"]


async def test_accounts(device: JDownloaderDevice, sim: SimDevice) -> None:
    accounts = await device.list_accounts()
    assert len(accounts) == len(sim.accounts)
    assert any(a.enabled and a.valid for a in accounts)
    unlimited = [a for a in accounts if a.traffic_left == -1]
    assert unlimited  # -1 = unlimited traffic, read from an omitted field


async def test_events_subscribe_listen_unsubscribe(
    device: JDownloaderDevice, sim: SimDevice
) -> None:
    subscription = await device.events_subscribe(["^captchas\\."], [])
    assert subscription.subscribed
    assert subscription.subscription_id > 0
    changed = await device.events_change_timeouts(subscription.subscription_id, 2000, 60_000)
    assert changed.max_poll_timeout == 2000
    captcha = sim.add_captcha()
    events = await device.events_listen(subscription.subscription_id)
    assert [(e.publisher, e.event_id, e.data) for e in events] == [("captchas", "NEW", captcha)]
    await device.events_unsubscribe(subscription.subscription_id)
    with pytest.raises(JDownloaderApiError) as info:
        await device.events_listen(subscription.subscription_id)
    assert info.value.error_type == "FILE_NOT_FOUND"


async def test_restart_and_router_reconnect(device: JDownloaderDevice, sim: SimDevice) -> None:
    await device.reconnect_router()
    assert sim.reconnects == 1
    infos = await device.direct_connection_infos()
    assert infos.mode == "LAN"
    assert infos.infos == (("127.0.0.1", sim.direct_port),)
