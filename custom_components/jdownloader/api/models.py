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
from typing import Any, Final, Self, TypeGuard

from .crypto import derive_secret
from .storable import Storable, key, storable


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


def _count(value: Any) -> int:
    # Old builds send booleans for some counters; bool is an int subclass, keep it numeric.
    return int(value) if isinstance(value, int | float) else -1


@storable
@dataclass(frozen=True, slots=True)
class AggregatedNumbers(Storable):
    """``aggregatedNumbers`` of ``polling/poll``; ``running`` and ``connections`` are counts."""

    package_count: int = key("packageCount", None, convert=_count)
    links_count: int = key("linksCount", None, convert=_count)
    total_bytes: int = key("totalBytes", None, convert=_count)
    loaded_bytes: int = key("loadedBytes", None, convert=_count)
    download_speed: int = key("downloadSpeed", None, convert=_count)
    eta: int = key("eta", None, convert=_count)
    running: int = key("running", None, convert=_count)
    connections: int = key("connections", None, convert=_count)
    crawled_package_count: int = key("crawledPackageCount", None, convert=_count)
    crawled_links_count: int = key("crawledLinksCount", None, convert=_count)
    total_crawled_bytes: int = key("totalCrawledBytes", None, convert=_count)
    crawled_status_online: int = key("crawledStatusOnline", None, convert=_count)
    crawled_status_offline: int = key("crawledStatusOffline", None, convert=_count)
    crawled_status_unknown: int = key("crawledStatusUnknown", None, convert=_count)


@storable
@dataclass(frozen=True, slots=True)
class CaptchaJob(Storable):
    """A waiting captcha (``captcha/list``); ``link`` is the DownloadLink uuid."""

    id: int = key("id", convert=int)
    hoster: str | None = key("hoster", None)
    link: int = key("link", -1)
    type: str | None = key("type", None)
    challenge_type: str | None = key("challengeType", None)
    captcha_category: str | None = key("captchaCategory", None)
    explain: str | None = key("explain", None)
    timeout: int = key("timeout", -1)
    created: int = key("created", -1)
    remaining: int = key("remaining", -1)


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

    The device's exact shape is not documented (docs/protocol.md §9.12); entries are read leniently: a
    bare uuid, or a map with ``uuid`` (or ``packageUUID``/``id``) and optional ``done`` (finished
    links), ``size``, ``speed``, ``finished``, ``eta``, ``links``. Missing numbers are -1.
    ``links``: the uuids of its running links, when the poll expanded this package
    (``PollingAPIFilePackageStorable.getLinks``: links with a download controller); else empty.
    """

    uuid: int
    done: int = -1
    size: int = -1
    speed: int = -1
    finished: bool = False
    eta: int = -1  # seconds left (PollingAPIFilePackageStorable.getETA)
    links: tuple[int, ...] = ()

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
                    eta=_lenient_int(item.get("eta")),
                    links=_link_uuids(item.get("links")),
                )
            )
        return result


def _link_uuids(links: object) -> tuple[int, ...]:
    if not isinstance(links, list):
        return ()
    uuids = (link.get("uuid") for link in links if isinstance(link, Mapping))
    return tuple(uuid for uuid in uuids if _is_int(uuid))


def _is_int(value: object) -> TypeGuard[int]:
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


def _int_or_zero(value: Any) -> int:
    return int(value or 0)


@storable
@dataclass(frozen=True, slots=True)
class ToolbarStatus(Storable):
    """``toolbar/getStatus``: a plain map, so every key is present; speeds in bytes/s."""

    state: str | None = key("state", None)
    running: bool = key("running", False, convert=bool)
    limit: bool = key("limit", False, convert=bool)
    limitspeed: int = key("limitspeed", 0, convert=_int_or_zero)
    reconnect: bool = key("reconnect", False, convert=bool)
    clipboard: bool = key("clipboard", False, convert=bool)
    stopafter: bool = key("stopafter", False, convert=bool)
    premium: bool = key("premium", False, convert=bool)
    speed: int = key("speed", 0, convert=_int_or_zero)
    pause: bool = key("pause", False, convert=bool)
    download_current: int = key("download_current", 0, convert=_int_or_zero)
    download_complete: int = key("download_complete", 0, convert=_int_or_zero)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(value or ())


@storable
@dataclass(slots=True)
class DownloadPackage(Storable):
    """A package of the download list (``downloadsV2/queryPackages``)."""

    uuid: int = key("uuid")
    name: str = key("name", "")
    bytes_total: int = key("bytesTotal", -1)
    bytes_loaded: int = key("bytesLoaded", -1)
    speed: int = key("speed", -1)
    eta: int = key("eta", -1)
    finished: bool = key("finished", False)
    running: bool = key("running", False)
    enabled: bool = key("enabled", False)
    child_count: int = key("childCount", -1)
    hosts: tuple[str, ...] = key("hosts", None, convert=_strings)
    save_to: str | None = key("saveTo", None)
    status: str | None = key("status", None)
    status_icon_key: str | None = key("statusIconKey", None)
    comment: str | None = key("comment", None)
    priority: str = key("priority", "DEFAULT")


@storable
@dataclass(slots=True)
class DownloadLink(Storable):
    """
    A link of the download list (``downloadsV2/queryLinks``); ``status`` is localized display text.
    """

    uuid: int = key("uuid")
    name: str = key("name", "")
    package_uuid: int = key("packageUUID", -1)
    bytes_total: int = key("bytesTotal", -1)
    bytes_loaded: int = key("bytesLoaded", -1)
    speed: int = key("speed", -1)
    eta: int = key("eta", -1)
    finished: bool = key("finished", False)
    finished_date: int = key("finishedDate", -1)
    running: bool = key("running", False)
    enabled: bool = key("enabled", False)
    skipped: bool = key("skipped", False)
    status: str | None = key("status", None)
    status_icon_key: str | None = key("statusIconKey", None)
    host: str | None = key("host", None)
    url: str | None = key("url", None)
    extraction_status: str | None = key("extractionStatus", None)
    added_date: int = key("addedDate", -1)
    comment: str | None = key("comment", None)
    priority: str = key("priority", "DEFAULT")
    job_uuid: int = key("jobUUID", -1)
    download_password: str | None = key("downloadPassword", None, repr=False)
    advanced_status: Mapping[str, Any] | None = key("advancedStatus", None)


def final_link_state(advanced_status: Any) -> tuple[str | None, str | None]:
    """``(id, label)`` of a link's ``advancedStatus.FinalLinkState`` (both None when it has none).

    The id is JD's ``FinalLinkState`` name (``FINISHED``, ``FAILED``, ``FAILED_CRC32``,
    ``OFFLINE``, ...); the label is localized display text.
    """
    final = advanced_status.get("FinalLinkState") if isinstance(advanced_status, Mapping) else None
    if not isinstance(final, Mapping):
        return None, None
    state, label = final.get("id"), final.get("label")
    return (
        state if isinstance(state, str) else None,
        label if isinstance(label, str) else None,
    )


@dataclass(frozen=True, slots=True)
class LinkHold:
    """What keeps a link from downloading, from its ``advancedStatus``.

    ``DownloadsAPIV2Impl.setStatus`` fills ``advancedStatus`` with ``SkipReason`` (``id``: the
    ``org.jdownloader.plugins.SkipReason`` name: ``DISK_FULL``, ``NO_ACCOUNT``, ``MANUAL``, ...),
    ``ConditionalSkipReason`` while a condition is not reached (``id``: ``WaitingSkipReason`` with
    its ``cause``, e.g. ``IP_BLOCKED``; ``WaitForAccountSkipReason`` /
    ``WaitForAccountTrafficSkipReason`` with the account's ``uuid``) and ``FinalLinkState``.
    """

    skip_reason: str | None = None
    condition: str | None = None
    cause: str | None = None
    account: int = -1
    final_state: str | None = None

    @classmethod
    def from_advanced_status(cls, advanced_status: Any) -> LinkHold | None:
        """None when the link has none of the three."""
        if not isinstance(advanced_status, Mapping):
            return None
        skip, cond = advanced_status.get("SkipReason"), advanced_status.get("ConditionalSkipReason")
        final, _ = final_link_state(advanced_status)
        skip_id = skip.get("id") if isinstance(skip, Mapping) else None
        if not isinstance(cond, Mapping):
            cond = {}
        if skip_id is None and not cond and final is None:
            return None
        account, cause, cond_id = cond.get("uuid"), cond.get("cause"), cond.get("id")
        return cls(
            skip_reason=skip_id if isinstance(skip_id, str) else None,
            condition=cond_id if isinstance(cond_id, str) else None,
            cause=cause if isinstance(cause, str) else None,
            account=account if isinstance(account, int) and not isinstance(account, bool) else -1,
            final_state=final,
        )


@storable
@dataclass(slots=True)
class CrawledPackage(Storable):
    """A linkgrabber package (``linkgrabberv2/queryPackages``); availability counts default to -1."""

    uuid: int = key("uuid")
    name: str = key("name", "")
    bytes_total: int = key("bytesTotal", -1)
    child_count: int = key("childCount", -1)
    enabled: bool = key("enabled", False)
    save_to: str | None = key("saveTo", None)
    hosts: tuple[str, ...] = key("hosts", None, convert=_strings)
    comment: str | None = key("comment", None)
    priority: str = key("priority", "DEFAULT")
    status: str | None = key("status", None)
    online_count: int = key("onlineCount", -1)
    offline_count: int = key("offlineCount", -1)
    temp_unknown_count: int = key("tempUnknownCount", -1)
    unknown_count: int = key("unknownCount", -1)


@storable
@dataclass(slots=True)
class CrawledLink(Storable):
    """A linkgrabber link; ``availability`` is ONLINE, OFFLINE, UNKNOWN or TEMP_UNKNOWN."""

    uuid: int = key("uuid")
    name: str = key("name", "")
    package_uuid: int = key("packageUUID", -1)
    bytes_total: int = key("bytesTotal", -1)
    enabled: bool = key("enabled", False)
    availability: str | None = key("availability", None)
    host: str | None = key("host", None)
    url: str | None = key("url", None)
    comment: str | None = key("comment", None)
    priority: str = key("priority", "DEFAULT")
    status: str | None = key("status", None)
    variant: Mapping[str, Any] | None = key("variant", None)


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


def _text(value: Any) -> str:
    return value or ""


@storable
@dataclass(frozen=True, slots=True)
class StorageInfo(Storable):
    """``system/getStorageInfos``: ``size`` total and ``free`` usable bytes."""

    path: str = key("path", None, convert=_text)
    size: int = key("size", -1)
    free: int = key("free", -1)
    error: str | None = key("error", None)


# jd.plugins.Account.AccountError (``errorType``, always sent when set).
ACCOUNT_ERROR_EXPIRED: Final = "EXPIRED"
ACCOUNT_ERROR_INVALID: Final = "INVALID"
ACCOUNT_ERROR_PLUGIN: Final = "PLUGIN_ERROR"
ACCOUNT_ERROR_TEMP_DISABLED: Final = "TEMP_DISABLED"


@storable
@dataclass(frozen=True, slots=True)
class Account(Storable):
    """A premium account (``accountsV2/listAccounts``); traffic -1 means unlimited."""

    uuid: int = key("uuid")
    hostname: str = key("hostname", "")
    username: str | None = key("username", None, repr=False)  # personal: never shown
    enabled: bool = key("enabled", False)
    valid: bool = key("valid", False)
    valid_until: int = key("validUntil", -1)
    traffic_left: int = key("trafficLeft", -1)
    traffic_max: int = key("trafficMax", -1)
    error_type: str | None = key("errorType", None)
    error_string: str | None = key("errorString", None)


@storable
@dataclass(frozen=True, slots=True)
class EventSubscription(Storable):
    """``events/subscribe``; an unknown id comes back as ``subscription_id=-1, subscribed=False``."""

    subscription_id: int = key("subscriptionid", -1)
    subscribed: bool = key("subscribed", False)
    subscriptions: tuple[str, ...] = key("subscriptions", None, convert=_strings)
    exclusions: tuple[str, ...] = key("exclusions", None, convert=_strings)
    max_poll_timeout: int = key("maxPolltimeout", -1)
    max_keepalive: int = key("maxKeepalive", -1)


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
