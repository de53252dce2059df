"""Data models of the client: secrets, session state and the device API's storables.

JDownloader serializes most storables with "omit default values": a ``false`` boolean, a ``-1``
number, a ``null`` or a ``DEFAULT`` priority is left out of the JSON, and so is every field that was
not requested. So every ``from_json`` reads missing booleans as False, missing numbers as -1 and
missing strings as None.

The list storables (links and packages) are plain, non-frozen dataclasses: a frozen dataclass's
``__init__`` costs about 2.5 times as much, which adds up over a 50,000-link query.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import re
from typing import Any, Self

from .crypto import derive_secret


@dataclass(frozen=True, slots=True)
class Secrets:
    """The two password-derived secrets; enough to log in, so they are kept instead of the password."""

    login_secret: bytes = field(repr=False)
    device_secret: bytes = field(repr=False)

    @classmethod
    def from_password(cls, email: str, password: str) -> Self:
        """Derive loginSecret and deviceSecret from the account's e-mail and password."""
        return cls(
            login_secret=derive_secret(email, password, "server"),
            device_secret=derive_secret(email, password, "device"),
        )

    def to_hex(self) -> dict[str, str]:
        """Hex strings for storage, e.g. in a config entry."""
        return {"login_secret": self.login_secret.hex(), "device_secret": self.device_secret.hex()}

    @classmethod
    def from_hex(cls, data: Mapping[str, str]) -> Self:
        """Inverse of :meth:`to_hex`; raises ValueError for malformed values."""
        login = bytes.fromhex(data["login_secret"])
        device = bytes.fromhex(data["device_secret"])
        if len(login) != 32 or len(device) != 32:
            raise ValueError("secrets are 32 bytes")
        return cls(login_secret=login, device_secret=device)

    def __repr__(self) -> str:
        return "Secrets(<redacted>)"


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A MyJDownloader session, enough to resume it without a new login."""

    session_token: str = field(repr=False)
    regain_token: str = field(repr=False)
    server_encryption_token: bytes = field(repr=False)
    device_encryption_token: bytes = field(repr=False)

    def to_dict(self) -> dict[str, str]:
        """Hex strings for storage."""
        return {
            "session_token": self.session_token,
            "regain_token": self.regain_token,
            "server_encryption_token": self.server_encryption_token.hex(),
            "device_encryption_token": self.device_encryption_token.hex(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Self:
        """Inverse of :meth:`to_dict`."""
        return cls(
            session_token=data["session_token"],
            regain_token=data["regain_token"],
            server_encryption_token=bytes.fromhex(data["server_encryption_token"]),
            device_encryption_token=bytes.fromhex(data["device_encryption_token"]),
        )

    def __repr__(self) -> str:
        return "SessionInfo(<redacted>)"


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One entry of ``/my/listdevices``; ``status`` is documented but rarely sent."""

    id: str
    name: str
    type: str
    status: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            type=str(data.get("type") or "jd"),
            status=data.get("status"),
        )


@dataclass(frozen=True, slots=True)
class AggregatedNumbers:
    """``aggregatedNumbers`` of ``polling/poll``; ``running`` and ``connections`` are counts."""

    package_count: int = -1
    links_count: int = -1
    total_bytes: int = -1
    loaded_bytes: int = -1
    download_speed: int = -1
    eta: int = -1
    running: int = -1
    connections: int = -1
    crawled_package_count: int = -1
    crawled_links_count: int = -1
    total_crawled_bytes: int = -1
    crawled_status_online: int = -1
    crawled_status_offline: int = -1
    crawled_status_unknown: int = -1

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        def num(key: str) -> int:
            value = data.get(key)
            # Old builds send booleans for some counters; bool is an int subclass, keep it numeric.
            return int(value) if isinstance(value, int | float) else -1

        return cls(
            package_count=num("packageCount"),
            links_count=num("linksCount"),
            total_bytes=num("totalBytes"),
            loaded_bytes=num("loadedBytes"),
            download_speed=num("downloadSpeed"),
            eta=num("eta"),
            running=num("running"),
            connections=num("connections"),
            crawled_package_count=num("crawledPackageCount"),
            crawled_links_count=num("crawledLinksCount"),
            total_crawled_bytes=num("totalCrawledBytes"),
            crawled_status_online=num("crawledStatusOnline"),
            crawled_status_offline=num("crawledStatusOffline"),
            crawled_status_unknown=num("crawledStatusUnknown"),
        )


@dataclass(frozen=True, slots=True)
class CaptchaJob:
    """A waiting captcha (``captcha/list``); ``link`` is the DownloadLink uuid."""

    id: int
    hoster: str | None = None
    link: int = -1
    type: str | None = None
    challenge_type: str | None = None
    captcha_category: str | None = None
    explain: str | None = None
    timeout: int = -1
    created: int = -1
    remaining: int = -1

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            id=int(data["id"]),
            hoster=get("hoster"),
            link=get("link", -1),
            type=get("type"),
            challenge_type=get("challengeType"),
            captcha_category=get("captchaCategory"),
            explain=get("explain"),
            timeout=get("timeout", -1),
            created=get("created", -1),
            remaining=get("remaining", -1),
        )


_IMAGE_PAYLOAD = re.compile(r"(?:data:)?(image/[\w.+-]+);base64,(.*)", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CaptchaChallenge:
    """What ``captcha/get`` answers for one captcha.

    Image captchas answer ``"image/png;base64,..."`` (or jpeg/gif) without a ``data:`` prefix
    (``ImageCaptchaChallenge.getAPIStorable``; other image formats go through ``IconIO`` and
    carry the prefix); some challenge types answer an object (``RecaptchaV2Challenge`` with
    format ``RAWTOKEN``) or nothing. ``image``/``content_type`` are set only for images; ``raw``
    keeps any other payload as it came.
    """

    content_type: str | None = None
    image: bytes | None = None
    raw: Any = None

    @classmethod
    def from_json(cls, data: Any) -> Self:
        if isinstance(data, str) and (match := _IMAGE_PAYLOAD.fullmatch(data.strip())):
            try:
                image = base64.b64decode(match.group(2), validate=False)
            except ValueError:
                return cls(raw=data)
            return cls(content_type=match.group(1).lower(), image=image)
        return cls(raw=data)


@dataclass(frozen=True, slots=True)
class RunningPackage:
    """One entry of ``polling/poll``'s ``downloadProgress``: a package with running links.

    The device's exact shape is not documented (reference 9.12); entries are read leniently: a
    bare uuid, or a map with ``uuid`` (or ``packageUUID``/``id``) and optional ``done`` (finished
    links), ``size``, ``speed``, ``finished``. Missing numbers are -1.
    """

    uuid: int
    done: int = -1
    size: int = -1
    speed: int = -1
    finished: bool = False

    @classmethod
    def parse_all(cls, payload: Any) -> list[RunningPackage]:
        """Every well-formed entry of ``payload``; anything unrecognisable is skipped."""
        if isinstance(payload, Mapping):
            nested = payload.get("packages")
            payload = nested if isinstance(nested, list) else list(payload.values())
        if not isinstance(payload, list):
            return []
        result: list[RunningPackage] = []
        for item in payload:
            if isinstance(item, int) and not isinstance(item, bool):
                result.append(cls(item))
                continue
            if not isinstance(item, Mapping):
                continue
            uuid = next(
                (v for k in ("uuid", "packageUUID", "id") if _is_int(v := item.get(k))), None
            )
            if uuid is None:
                continue
            result.append(
                cls(
                    uuid=uuid,
                    done=_lenient_int(item.get("done")),
                    size=_lenient_int(item.get("size")),
                    speed=_lenient_int(item.get("speed")),
                    finished=item.get("finished") is True,
                )
            )
        return result


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _lenient_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


@dataclass(frozen=True, slots=True)
class PollResult:
    """``polling/poll``: each part is None when it was not requested or not answered.

    ``running_packages`` comes from ``downloadProgress``: the packages that have running links.
    """

    aggregated: AggregatedNumbers | None = None
    jd_state: str | None = None
    linkgrabber_state: str | None = None
    captchas: list[CaptchaJob] | None = None
    running_packages: list[RunningPackage] | None = None

    @classmethod
    def from_json(cls, data: Any) -> Self:
        """Parse ``[{"eventName": ..., "eventData": {"data": ...}}, ...]``."""
        aggregated: AggregatedNumbers | None = None
        jd_state: str | None = None
        linkgrabber_state: str | None = None
        captchas: list[CaptchaJob] | None = None
        running: list[RunningPackage] | None = None
        for event in data or ():
            name = event.get("eventName")
            payload = (event.get("eventData") or {}).get("data")
            if name == "aggregatedNumbers" and isinstance(payload, Mapping):
                aggregated = AggregatedNumbers.from_json(payload)
            elif name == "jdState" and payload is not None:
                jd_state = str(payload)
            elif name == "linkGrabberState" and payload is not None:
                linkgrabber_state = str(payload)
            elif name == "captchasWaiting":
                captchas = [CaptchaJob.from_json(job) for job in payload or ()]
            elif name == "downloadProgress":
                running = RunningPackage.parse_all(payload)
        return cls(aggregated, jd_state, linkgrabber_state, captchas, running)


@dataclass(frozen=True, slots=True)
class ToolbarStatus:
    """``toolbar/getStatus``: a plain map, so every key is present; speeds in bytes/s."""

    state: str | None = None
    running: bool = False
    limit: bool = False
    limitspeed: int = 0
    reconnect: bool = False
    clipboard: bool = False
    stopafter: bool = False
    premium: bool = False
    speed: int = 0
    pause: bool = False
    download_current: int = 0
    download_complete: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            state=get("state"),
            running=bool(get("running", False)),
            limit=bool(get("limit", False)),
            limitspeed=int(get("limitspeed") or 0),
            reconnect=bool(get("reconnect", False)),
            clipboard=bool(get("clipboard", False)),
            stopafter=bool(get("stopafter", False)),
            premium=bool(get("premium", False)),
            speed=int(get("speed") or 0),
            pause=bool(get("pause", False)),
            download_current=int(get("download_current") or 0),
            download_complete=int(get("download_complete") or 0),
        )


@dataclass(slots=True)
class DownloadPackage:
    """A package of the download list (``downloadsV2/queryPackages``)."""

    uuid: int
    name: str
    bytes_total: int = -1
    bytes_loaded: int = -1
    speed: int = -1
    eta: int = -1
    finished: bool = False
    running: bool = False
    enabled: bool = False
    child_count: int = -1
    hosts: tuple[str, ...] = ()
    save_to: str | None = None
    status: str | None = None
    status_icon_key: str | None = None
    comment: str | None = None
    priority: str = "DEFAULT"

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            uuid=data["uuid"],
            name=data.get("name", ""),
            bytes_total=get("bytesTotal", -1),
            bytes_loaded=get("bytesLoaded", -1),
            speed=get("speed", -1),
            eta=get("eta", -1),
            finished=get("finished", False),
            running=get("running", False),
            enabled=get("enabled", False),
            child_count=get("childCount", -1),
            hosts=tuple(get("hosts") or ()),
            save_to=get("saveTo"),
            status=get("status"),
            status_icon_key=get("statusIconKey"),
            comment=get("comment"),
            priority=get("priority", "DEFAULT"),
        )


@dataclass(slots=True)
class DownloadLink:
    """
    A link of the download list (``downloadsV2/queryLinks``); ``status`` is localized display text.
    """

    uuid: int
    name: str
    package_uuid: int = -1
    bytes_total: int = -1
    bytes_loaded: int = -1
    speed: int = -1
    eta: int = -1
    finished: bool = False
    finished_date: int = -1
    running: bool = False
    enabled: bool = False
    skipped: bool = False
    status: str | None = None
    status_icon_key: str | None = None
    host: str | None = None
    url: str | None = None
    extraction_status: str | None = None
    added_date: int = -1
    comment: str | None = None
    priority: str = "DEFAULT"
    job_uuid: int = -1
    download_password: str | None = field(default=None, repr=False)
    advanced_status: Mapping[str, Any] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            data["uuid"],
            get("name", ""),
            get("packageUUID", -1),
            get("bytesTotal", -1),
            get("bytesLoaded", -1),
            get("speed", -1),
            get("eta", -1),
            get("finished", False),
            get("finishedDate", -1),
            get("running", False),
            get("enabled", False),
            get("skipped", False),
            get("status"),
            get("statusIconKey"),
            get("host"),
            get("url"),
            get("extractionStatus"),
            get("addedDate", -1),
            get("comment"),
            get("priority", "DEFAULT"),
            get("jobUUID", -1),
            get("downloadPassword"),
            get("advancedStatus"),
        )


@dataclass(slots=True)
class CrawledPackage:
    """A linkgrabber package (``linkgrabberv2/queryPackages``); availability counts default to -1."""

    uuid: int
    name: str
    bytes_total: int = -1
    child_count: int = -1
    enabled: bool = False
    save_to: str | None = None
    hosts: tuple[str, ...] = ()
    comment: str | None = None
    priority: str = "DEFAULT"
    status: str | None = None
    online_count: int = -1
    offline_count: int = -1
    temp_unknown_count: int = -1
    unknown_count: int = -1

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            uuid=data["uuid"],
            name=get("name", ""),
            bytes_total=get("bytesTotal", -1),
            child_count=get("childCount", -1),
            enabled=get("enabled", False),
            save_to=get("saveTo"),
            hosts=tuple(get("hosts") or ()),
            comment=get("comment"),
            priority=get("priority", "DEFAULT"),
            status=get("status"),
            online_count=get("onlineCount", -1),
            offline_count=get("offlineCount", -1),
            temp_unknown_count=get("tempUnknownCount", -1),
            unknown_count=get("unknownCount", -1),
        )


@dataclass(slots=True)
class CrawledLink:
    """A linkgrabber link; ``availability`` is ONLINE, OFFLINE, UNKNOWN or TEMP_UNKNOWN."""

    uuid: int
    name: str
    package_uuid: int = -1
    bytes_total: int = -1
    enabled: bool = False
    availability: str | None = None
    host: str | None = None
    url: str | None = None
    comment: str | None = None
    priority: str = "DEFAULT"
    status: str | None = None
    variant: Mapping[str, Any] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            uuid=data["uuid"],
            name=get("name", ""),
            package_uuid=get("packageUUID", -1),
            bytes_total=get("bytesTotal", -1),
            enabled=get("enabled", False),
            availability=get("availability"),
            host=get("host"),
            url=get("url"),
            comment=get("comment"),
            priority=get("priority", "DEFAULT"),
            status=get("status"),
            variant=get("variant"),
        )


@dataclass(slots=True)
class AddLinksRequest:
    """``linkgrabberv2/addLinks`` query.

    ``autostart=None`` follows the user's JDownloader settings. Without
    ``overwrite_packagizer_rules=True`` the user's packagizer rules may replace ``package_name`` and
    ``destination_folder``.
    """

    links: list[str]
    package_name: str | None = None
    destination_folder: str | None = None
    extract_password: str | None = field(default=None, repr=False)
    download_password: str | None = field(default=None, repr=False)
    autostart: bool | None = None
    auto_extract: bool | None = None
    priority: str = "DEFAULT"
    overwrite_packagizer_rules: bool | None = None
    data_urls: list[str] = field(default_factory=list, repr=False)
    deep_decrypt: bool | None = None
    source_url: str | None = None
    comment: str | None = None

    def to_json(
        self, links: Sequence[str] | None = None, data_urls: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """
        The query object; ``links``/``data_urls`` override the request's own (used when splitting).
        """
        query: dict[str, Any] = {
            "links": "\n".join(self.links if links is None else links),
            "priority": self.priority,
        }
        optional: dict[str, Any] = {
            "packageName": self.package_name,
            "destinationFolder": self.destination_folder,
            "extractPassword": self.extract_password,
            "downloadPassword": self.download_password,
            "autostart": self.autostart,
            "autoExtract": self.auto_extract,
            "overwritePackagizerRules": self.overwrite_packagizer_rules,
            "deepDecrypt": self.deep_decrypt,
            "sourceUrl": self.source_url,
            "comment": self.comment,
        }
        query.update((key, value) for key, value in optional.items() if value is not None)
        urls = self.data_urls if data_urls is None else data_urls
        if urls:
            query["dataURLs"] = list(urls)
        return query


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """Who a JDownloader is, from its ``MyJDownloaderSettings``.

    ``device_id`` is the id MyJDownloader lists the JDownloader under; None for a JDownloader that
    never connected to MyJDownloader. ``name`` is None when JD has none.
    """

    name: str | None = None
    device_id: str | None = None


@dataclass(frozen=True, slots=True)
class StorageInfo:
    """``system/getStorageInfos``: ``size`` total and ``free`` usable bytes."""

    path: str
    size: int = -1
    free: int = -1
    error: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            path=data.get("path") or "",
            size=data.get("size", -1),
            free=data.get("free", -1),
            error=data.get("error"),
        )


@dataclass(frozen=True, slots=True)
class Account:
    """A premium account (``accountsV2/listAccounts``); traffic -1 means unlimited."""

    uuid: int
    hostname: str
    username: str | None = None
    enabled: bool = False
    valid: bool = False
    valid_until: int = -1
    traffic_left: int = -1
    traffic_max: int = -1
    error_type: str | None = None
    error_string: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            uuid=data["uuid"],
            hostname=get("hostname", ""),
            username=get("username"),
            enabled=get("enabled", False),
            valid=get("valid", False),
            valid_until=get("validUntil", -1),
            traffic_left=get("trafficLeft", -1),
            traffic_max=get("trafficMax", -1),
            error_type=get("errorType"),
            error_string=get("errorString"),
        )


@dataclass(frozen=True, slots=True)
class EventSubscription:
    """``events/subscribe``; an unknown id comes back as ``subscription_id=-1, subscribed=False``."""

    subscription_id: int
    subscribed: bool = False
    subscriptions: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    max_poll_timeout: int = -1
    max_keepalive: int = -1

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        get = data.get
        return cls(
            subscription_id=get("subscriptionid", -1),
            subscribed=get("subscribed", False),
            subscriptions=tuple(get("subscriptions") or ()),
            exclusions=tuple(get("exclusions") or ()),
            max_poll_timeout=get("maxPolltimeout", -1),
            max_keepalive=get("maxKeepalive", -1),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One event of ``events/listen`` (``eventData`` is omitted when null)."""

    publisher: str
    event_id: str
    data: Any = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        # apiVer >= 1 uses "eventData"; the raw form (WebSocket, apiVer 0) uses "eventdata".
        payload = data.get("eventData", data.get("eventdata"))
        return cls(
            publisher=data.get("publisher", ""), event_id=data.get("eventid", ""), data=payload
        )


@dataclass(frozen=True, slots=True)
class DirectConnectionInfos:
    """``device/getDirectConnectionInfos``; IPv6 addresses come in brackets."""

    mode: str = "NONE"
    rebind_protection_detected: bool = False
    infos: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Self:
        if not data:
            return cls()
        infos = tuple(
            (str(info["ip"]), int(info["port"]))
            for info in data.get("infos") or ()
            if isinstance(info, Mapping) and info.get("ip") and info.get("port")
        )
        return cls(
            mode=str(data.get("mode") or "NONE"),
            rebind_protection_detected=bool(data.get("rebindProtectionDetected", False)),
            infos=infos,
        )


@dataclass(frozen=True, slots=True)
class SpeedLimit:
    """The configured download speed limit; the value is kept while the limit is off."""

    enabled: bool
    bytes_per_second: int
