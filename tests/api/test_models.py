"""Parsing of device answers: omitted fields mean their defaults (docs/protocol.md §10)."""

from __future__ import annotations

from custom_components.jdownloader.api import (
    Account,
    AddLinksRequest,
    CaptchaJob,
    CrawledLink,
    DeviceInfo,
    DirectConnectionInfos,
    DownloadLink,
    DownloadPackage,
    Event,
    EventSubscription,
    PollResult,
    SessionInfo,
    StorageInfo,
    ToolbarStatus,
)


def test_link_with_only_mandatory_fields_gets_defaults() -> None:
    link = DownloadLink.from_json({"name": "a.bin", "uuid": 7, "packageUUID": 3})
    assert (link.uuid, link.name, link.package_uuid) == (7, "a.bin", 3)
    assert link.finished is False
    assert link.running is False
    assert link.enabled is False
    assert link.bytes_total == -1
    assert link.eta == -1
    assert link.finished_date == -1
    assert link.status is None
    assert link.host is None
    assert link.priority == "DEFAULT"


def test_link_with_fields_parses_them() -> None:
    link = DownloadLink.from_json(
        {
            "name": "b.bin",
            "uuid": 8,
            "packageUUID": 3,
            "bytesTotal": 1000,
            "bytesLoaded": 10,
            "speed": 0,
            "finished": True,
            "enabled": True,
            "status": "Fertig",
            "host": "example.com",
            "priority": "HIGH",
            "downloadPassword": "hunter2",
        }
    )
    assert link.bytes_total == 1000
    assert link.bytes_loaded == 10
    assert link.speed == 0
    assert link.finished
    assert link.enabled
    assert not link.running
    assert link.status == "Fertig"
    assert link.host == "example.com"
    assert link.priority == "HIGH"
    assert "hunter2" not in repr(link)


def test_package_defaults_and_hosts() -> None:
    package = DownloadPackage.from_json({"name": "p", "uuid": 1, "hosts": ["a.com", "b.com"]})
    assert package.hosts == ("a.com", "b.com")
    assert package.child_count == -1
    assert package.save_to is None
    assert not package.finished


def test_poll_result_parses_each_event_and_missing_parts_are_none() -> None:
    result = PollResult.from_json(
        [
            {
                "eventName": "aggregatedNumbers",
                "eventData": {"data": {"packageCount": 2, "downloadSpeed": 512, "running": 1}},
            },
            {"eventName": "jdState", "eventData": {"data": "RUNNING"}},
            {
                "eventName": "captchasWaiting",
                "eventData": {"data": [{"id": 5, "hoster": "h", "type": "ImageCaptchaChallenge"}]},
            },
        ]
    )
    assert result.aggregated is not None
    assert result.aggregated.package_count == 2
    assert result.aggregated.download_speed == 512
    assert result.aggregated.total_bytes == -1
    assert result.jd_state == "RUNNING"
    assert result.linkgrabber_state is None
    assert result.captchas == [CaptchaJob(id=5, hoster="h", type="ImageCaptchaChallenge")]
    assert PollResult.from_json([]) == PollResult()
    empty = PollResult.from_json([{"eventName": "captchasWaiting", "eventData": {}}])
    assert empty.captchas == []


def test_toolbar_status() -> None:
    status = ToolbarStatus.from_json(
        {
            "state": "PAUSE",
            "running": True,
            "limit": True,
            "limitspeed": 10240,
            "speed": 999,
            "pause": True,
            "download_current": 5,
            "download_complete": 10,
        }
    )
    assert status.state == "PAUSE"
    assert status.running
    assert status.limit
    assert status.pause
    assert status.limitspeed == 10240
    assert status.speed == 999
    assert (status.download_current, status.download_complete) == (5, 10)
    assert not status.premium
    assert not status.clipboard


def test_account_disabled_invalid_has_no_flags() -> None:
    account = Account.from_json({"uuid": 1, "hostname": "rapidgator.net", "errorType": "EXPIRED"})
    assert not account.enabled
    assert not account.valid
    assert account.traffic_left == -1
    assert account.error_type == "EXPIRED"


def test_crawled_link_availability_and_small_models() -> None:
    link = CrawledLink.from_json({"uuid": 1, "name": "x", "availability": "ONLINE"})
    assert link.availability == "ONLINE"
    assert link.bytes_total == -1
    assert StorageInfo.from_json({"path": "/", "size": 10, "free": 4}) == StorageInfo("/", 10, 4)
    assert DeviceInfo.from_json({"id": "ab", "name": "JD", "type": "jd"}).status is None
    event = Event.from_json({"publisher": "downloads", "eventid": "LINK_UPDATE.finished"})
    assert event.data is None
    assert event.event_id == "LINK_UPDATE.finished"
    subscription = EventSubscription.from_json({"subscriptionid": -1})
    assert subscription.subscription_id == -1
    assert not subscription.subscribed


def test_direct_connection_infos() -> None:
    infos = DirectConnectionInfos.from_json(
        {
            "mode": "LAN",
            "rebindProtectionDetected": False,
            "infos": [{"ip": "192.168.1.10", "port": 3129}, {"ip": "[fd00::1]", "port": 3129}],
        }
    )
    assert infos.infos == (("192.168.1.10", 3129), ("[fd00::1]", 3129))
    assert DirectConnectionInfos.from_json(None).infos == ()


def test_add_links_request_json_omits_unset_options() -> None:
    request = AddLinksRequest(
        links=["https://a/1", "https://a/2"],
        package_name="pkg",
        extract_password="secret-pw",
        autostart=False,
    )
    query = request.to_json()
    assert query == {
        "links": "https://a/1\nhttps://a/2",
        "priority": "DEFAULT",
        "packageName": "pkg",
        "extractPassword": "secret-pw",
        "autostart": False,
    }
    assert "secret-pw" not in repr(request)


def test_session_info_round_trip_and_repr() -> None:
    info = SessionInfo("ab" * 20, "cd" * 20, bytes(range(32)), bytes(range(1, 33)))
    assert SessionInfo.from_dict(info.to_dict()) == info
    assert "abab" not in repr(info)
    assert "cdcd" not in repr(info)
