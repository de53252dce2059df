"""Typed methods of the JDownloader device API (docs/protocol.md §9), independent of the transport.

Quirks worth knowing:

* Methods are found by name *and* parameter count, so every parameter is always sent (``null`` where
  allowed); a wrong count answers 404 ``API_COMMAND_NOT_FOUND``.
* Empty id lists select nothing, they do not mean "all" (``cleanup`` with selection ``ALL`` is the
  exception).
* ``config/set`` answers ``false`` instead of an error when it rejects a value.
* ``downloadcontroller/getCurrentState`` stays ``STOPPED_STATE`` after downloads finished.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
import math
from typing import Any, Literal, TypeVar

from .codec import Parser
from .const import (
    DEFAULT_CRAWLED_LINK_FIELDS,
    DEFAULT_CRAWLED_PACKAGE_FIELDS,
    DEFAULT_LINK_FIELDS,
    DEFAULT_LISTEN_POLL_TIMEOUT_MS,
    DEFAULT_PACKAGE_FIELDS,
    GENERAL_SETTINGS,
    KEY_DEVICE_ID,
    KEY_DEVICE_NAME,
    KEY_MAX_SIMULTANEOUS_DOWNLOADS,
    KEY_SPEED_LIMIT,
    KEY_SPEED_LIMIT_ENABLED,
    LISTEN_MARGIN,
    MAX_BODY_BYTES,
    MYJD_SETTINGS,
    UPDATE_CHECK_TIMEOUT,
)
from .cpu import offload
from .exceptions import JDownloaderApiError, JDownloaderError, JDownloaderProtocolError
from .models import (
    Account,
    AddLinksRequest,
    CaptchaChallenge,
    CaptchaJob,
    CrawledLink,
    CrawledPackage,
    DeviceIdentity,
    DirectConnectionInfos,
    DownloadLink,
    DownloadPackage,
    Event,
    EventSubscription,
    PollResult,
    SpeedLimit,
    StorageInfo,
    ToolbarStatus,
)
from .storable import Storable
from .transport import Connection, DeviceTransport

T = TypeVar("T")

# Room for headers-independent envelope growth (rid digits) below the device's 1 MiB body limit.
_BODY_LIMIT = MAX_BODY_BYTES - 4096

_ACCOUNT_QUERY = {
    "userName": True,
    "validUntil": True,
    "trafficLeft": True,
    "trafficMax": True,
    "enabled": True,
    "valid": True,
    "error": True,
}


def _int(value: Any, default: int = -1) -> int:
    """A number of an answer; null (omitted ``data``) means the default."""
    if value is None or isinstance(value, bool):
        return default if value is None else int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise JDownloaderProtocolError(f"Expected a number, got {type(value).__name__}")


# What building a model from an answer of an unexpected shape raises (``None.get``, a missing
# key, ``int("x")``, ...): a device bug or a garbled relay answer, reported as a protocol error.
_SHAPE_ERRORS = (AttributeError, KeyError, IndexError, TypeError, ValueError, OverflowError)


def _guarded(path: str, parse: Parser) -> Parser:
    """``parse`` with every shape error turned into :class:`JDownloaderProtocolError`."""

    def run(data: Any) -> Any:
        try:
            return parse(data)
        except JDownloaderError:
            raise
        except _SHAPE_ERRORS as err:
            raise JDownloaderProtocolError(
                f"Unexpected answer shape on {path} ({type(err).__name__})"
            ) from None

    return run


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise JDownloaderProtocolError(f"Expected a list, got {type(value).__name__}")
    return value


def _toolbar(data: Any) -> ToolbarStatus:
    if not isinstance(data, dict):
        raise JDownloaderProtocolError("Unexpected toolbar status shape")
    return ToolbarStatus.from_json(data)


def _parse_links(data: Any) -> list[DownloadLink]:
    return [DownloadLink.from_json(item) for item in _list(data)]


def _parse_packages(data: Any) -> list[DownloadPackage]:
    return [DownloadPackage.from_json(item) for item in _list(data)]


def _parse_crawled_links(data: Any) -> list[CrawledLink]:
    return [CrawledLink.from_json(item) for item in _list(data)]


def _parse_crawled_packages(data: Any) -> list[CrawledPackage]:
    return [CrawledPackage.from_json(item) for item in _list(data)]


# Always in every row, not query flags.
_ALWAYS = frozenset({"uuid", "name", "package_uuid"})


def _query(
    model: type[Storable],
    fields: Iterable[str],
    start_at: int,
    max_results: int,
    **id_filters: Sequence[int] | None,
) -> dict[str, Any]:
    """A ``LinkQuery``/``PackageQuery``: a true flag per wanted field (named as in ``model``)."""
    query: dict[str, Any] = dict.fromkeys(
        model.query_keys(name for name in fields if name not in _ALWAYS), True
    )
    for key, ids in id_filters.items():
        if ids is not None:
            query[key] = list(ids)
    query["startAt"] = start_at
    query["maxResults"] = max_results
    return query


class JDownloaderDevice:
    """One JDownloader, reached over the relay, directly or via the local Deprecated API."""

    def __init__(self, device_id: str, name: str, transport: DeviceTransport) -> None:
        self.id = device_id
        self.name = name
        self._transport = transport
        self._listen_timeouts: dict[int, float] = {}
        # poll() asks for downloadProgress by default when True or "links" (see there).
        self.poll_download_progress: bool | Literal["links"] = False

    def __repr__(self) -> str:
        return f"JDownloaderDevice(name={self.name!r}, connection_type={self.connection_type!r})"

    @property
    def connection_type(self) -> Connection:
        """How the last calls reached the device (:class:`Connection`, a ``str`` enum)."""
        return self._transport.connection

    async def call(
        self, path: str, *args: Any, timeout: float | None = None, parse: Parser | None = None
    ) -> Any:
        """Call any device method with positional arguments; returns ``data`` (or ``parse(data)``).

        ``parse`` must be pure: for large answers it runs in an executor together with decryption.
        """
        return await self._transport.call(
            path,
            args,
            timeout=timeout,
            parse=None if parse is None else _guarded(path, parse),
        )

    # --- device / status ---------------------------------------------------------------------

    async def ping(self) -> bool:
        """``device/ping``: True when the device answers."""
        return bool(await self.call("/device/ping"))

    async def direct_connection_infos(self) -> DirectConnectionInfos:
        """
        Addresses of the device's direct-connection server (``mode NONE`` and none when it is off).
        """
        infos: DirectConnectionInfos = await self.call(
            "/device/getDirectConnectionInfos", parse=DirectConnectionInfos.from_json
        )
        return infos

    async def poll(
        self,
        *,
        aggregated: bool = True,
        jd_state: bool = True,
        linkgrabber_state: bool = True,
        captchas: bool = True,
        download_progress: bool | Literal["links"] | Sequence[int] | None = None,
    ) -> PollResult:
        """``polling/poll``: aggregated numbers, controller state, linkgrabber state and waiting
        captchas; with ``download_progress`` also the running packages (same single request).

        ``download_progress``: True asks for the running packages without their links, a list of
        package uuids also expands those packages' running links, "links" expands every running
        package's running links, False leaves the key out, and None means the device's
        ``poll_download_progress`` attribute (default False), so a consumer can opt in for every
        poll without changing the poller's call.

        The device answers every key *present* in the query (``containsKey``), so unwanted keys
        are left out. ``downloadProgress: null`` means "no filter" to ``PollingAPIImpl``: it
        expands the running links of every running package ("links"); True sends ``[]``.
        """
        query: dict[str, Any] = {
            key: True
            for key, wanted in (
                ("aggregatedNumbers", aggregated),
                ("jdState", jd_state),
                ("linkGrabberState", linkgrabber_state),
                ("captchasWaiting", captchas),
            )
            if wanted
        }
        progress = self.poll_download_progress if download_progress is None else download_progress
        if progress is True:
            query["downloadProgress"] = []
        elif progress == "links":
            query["downloadProgress"] = None
        elif progress is not False:
            query["downloadProgress"] = list(progress)
        result: PollResult = await self.call(
            "/polling/poll",
            query,
            parse=lambda data: PollResult.from_json(_list(data)),
        )
        return result

    async def toolbar_status(self) -> ToolbarStatus:
        """``toolbar/getStatus``: the cheapest call for global switches, speed and byte totals."""
        result: ToolbarStatus = await self.call("/toolbar/getStatus", parse=_toolbar)
        return result

    async def get_current_state(self) -> str:
        """IDLE, RUNNING, PAUSE, STOPPING or STOPPED_STATE (sticky after downloads finish)."""
        return str(await self.call("/downloadcontroller/getCurrentState") or "")

    async def get_speed(self) -> int:
        """Current total download speed in bytes/s."""
        return _int(await self.call("/downloadcontroller/getSpeedInBps"), 0)

    async def start_downloads(self) -> bool:
        return bool(await self.call("/downloadcontroller/start"))

    async def stop_downloads(self) -> bool:
        return bool(await self.call("/downloadcontroller/stop"))

    async def pause_downloads(self, value: bool) -> bool:
        """``pause(true)`` only acts while RUNNING (it is a speed limit); always answers true."""
        return bool(await self.call("/downloadcontroller/pause", value))

    # --- download list and linkgrabber --------------------------------------------------------

    async def query_packages(
        self,
        fields: Iterable[str] = DEFAULT_PACKAGE_FIELDS,
        *,
        package_ids: Sequence[int] | None = None,
        start_at: int = 0,
        max_results: int = -1,
    ) -> list[DownloadPackage]:
        """Download-list packages with only the requested fields (model names like ``bytes_total``)."""
        query = _query(DownloadPackage, fields, start_at, max_results, packageUUIDs=package_ids)
        packages: list[DownloadPackage] = await self.call(
            "/downloadsV2/queryPackages", query, parse=_parse_packages
        )
        return packages

    async def query_links(
        self,
        fields: Iterable[str] = DEFAULT_LINK_FIELDS,
        *,
        package_ids: Sequence[int] | None = None,
        link_ids: Sequence[int] | None = None,
        start_at: int = 0,
        max_results: int = -1,
    ) -> list[DownloadLink]:
        """Download-list links; ``link_ids`` wins over ``package_ids`` on the device."""
        query = _query(
            DownloadLink,
            fields,
            start_at,
            max_results,
            packageUUIDs=package_ids,
            linkUUIDs=link_ids,
        )
        links: list[DownloadLink] = await self.call(
            "/downloadsV2/queryLinks", query, parse=_parse_links
        )
        return links

    async def query_packages_as(
        self,
        digest: Callable[[list[tuple[Any, ...]]], T],
        fields: Sequence[str],
        *,
        package_ids: Sequence[int] | None = None,
    ) -> T:
        """``queryPackages`` read into plain tuples of ``fields`` (in that order), then ``digest``.

        For callers that only need a compact digest of a large answer: reading and ``digest``
        run where decryption runs (in an executor for large answers); no models are built.
        """
        read = DownloadPackage.row_reader(fields)
        query = _query(DownloadPackage, fields, 0, -1, packageUUIDs=package_ids)
        result: T = await self.call(
            "/downloadsV2/queryPackages",
            query,
            parse=lambda data: digest([read(row) for row in _list(data)]),
        )
        return result

    async def query_links_as(
        self,
        digest: Callable[[list[tuple[Any, ...]]], T],
        fields: Sequence[str],
        *,
        package_ids: Sequence[int] | None = None,
        link_ids: Sequence[int] | None = None,
    ) -> T:
        """``queryLinks`` read into plain tuples of ``fields``, then ``digest`` (see above)."""
        read = DownloadLink.row_reader(fields)
        query = _query(DownloadLink, fields, 0, -1, packageUUIDs=package_ids, linkUUIDs=link_ids)
        result: T = await self.call(
            "/downloadsV2/queryLinks",
            query,
            parse=lambda data: digest([read(row) for row in _list(data)]),
        )
        return result

    async def linkgrabber_query_packages(
        self,
        fields: Iterable[str] = DEFAULT_CRAWLED_PACKAGE_FIELDS,
        *,
        package_ids: Sequence[int] | None = None,
        start_at: int = 0,
        max_results: int = -1,
    ) -> list[CrawledPackage]:
        query = _query(CrawledPackage, fields, start_at, max_results, packageUUIDs=package_ids)
        packages: list[CrawledPackage] = await self.call(
            "/linkgrabberv2/queryPackages", query, parse=_parse_crawled_packages
        )
        return packages

    async def linkgrabber_query_links(
        self,
        fields: Iterable[str] = DEFAULT_CRAWLED_LINK_FIELDS,
        *,
        package_ids: Sequence[int] | None = None,
        link_ids: Sequence[int] | None = None,
        start_at: int = 0,
        max_results: int = -1,
    ) -> list[CrawledLink]:
        query = _query(
            CrawledLink, fields, start_at, max_results, packageUUIDs=package_ids, linkUUIDs=link_ids
        )
        links: list[CrawledLink] = await self.call(
            "/linkgrabberv2/queryLinks", query, parse=_parse_crawled_links
        )
        return links

    async def linkgrabber_package_count(self) -> int:
        """``linkgrabberv2/getPackageCount`` (the download list's counterpart is ``packageCount``)."""
        return _int(await self.call("/linkgrabberv2/getPackageCount"), 0)

    async def structure_change_counter(self, old: int = -1) -> int:
        """Changes whenever the download list's structure changes; re-query only then."""
        return _int(await self.call("/downloadsV2/getStructureChangeCounter", old))

    async def add_links(self, request: AddLinksRequest) -> list[int]:
        """Add links to the linkgrabber; returns one crawl job id per request sent.

        The device rejects POST bodies above 1 MiB (413), so the links and containers are split over
        as many ``addLinks`` calls as needed, each with the same options.
        """
        items = [("link", url) for url in request.links] + [
            ("data", url) for url in request.data_urls
        ]
        if not items:
            raise ValueError("add_links needs at least one link or container")
        # Sizing a few MiB of links takes a while: off the event loop when the request is large.
        size = sum(len(value) for _, value in items)
        job_ids: list[int] = []
        for chunk in await offload(size, self._split_add_links, request, items):
            result = await self.call(
                "/linkgrabberv2/addLinks", self._add_links_query(request, chunk)
            )
            job_id = result.get("id") if isinstance(result, dict) else None
            job_ids.append(_int(job_id))
        return job_ids

    @staticmethod
    def _add_links_query(
        request: AddLinksRequest, chunk: Sequence[tuple[str, str]]
    ) -> dict[str, Any]:
        return request.to_json(
            links=[value for kind, value in chunk if kind == "link"],
            data_urls=[value for kind, value in chunk if kind == "data"],
        )

    def _split_add_links(
        self, request: AddLinksRequest, items: list[tuple[str, str]]
    ) -> list[list[tuple[str, str]]]:
        """Halve until every chunk's exact body size fits (O(n log n) size computations)."""

        def size(chunk: list[tuple[str, str]]) -> int:
            args = (self._add_links_query(request, chunk),)
            return self._transport.request_size("/linkgrabberv2/addLinks", args)

        chunks: list[list[tuple[str, str]]] = []
        pending = [items]
        while pending:
            chunk = pending.pop()
            if size(chunk) <= _BODY_LIMIT:
                chunks.append(chunk)
            elif len(chunk) == 1:
                raise JDownloaderError("A single link or container exceeds the 1 MiB request limit")
            else:
                middle = math.ceil(len(chunk) / 2)
                pending.extend((chunk[middle:], chunk[:middle]))
        return chunks

    async def move_to_download_list(
        self, link_ids: Sequence[int], package_ids: Sequence[int]
    ) -> None:
        """Confirm linkgrabber links/packages; empty lists select nothing."""
        await self.call("/linkgrabberv2/moveToDownloadlist", list(link_ids), list(package_ids))

    async def cleanup(
        self,
        target: Literal["downloads", "linkgrabber"],
        action: str,
        mode: str = "REMOVE_LINKS_ONLY",
        selection: str = "ALL",
        link_ids: Sequence[int] = (),
        package_ids: Sequence[int] = (),
    ) -> None:
        """``cleanup(linkIds, packageIds, action, mode, selectionType)``; ``ALL`` ignores the id
        lists.

        ``action`` e.g. ``DELETE_FINISHED``; ``mode`` ``REMOVE_LINKS_ONLY`` keeps the files on disk.
        """
        namespace = "downloadsV2" if target == "downloads" else "linkgrabberv2"
        await self.call(
            f"/{namespace}/cleanup", list(link_ids), list(package_ids), action, mode, selection
        )

    # --- toolbar toggles (each returns the new state) -----------------------------------------

    async def _toggle(self, method: str) -> bool:
        return bool(await self.call(f"/toolbar/{method}"))

    async def toggle_speed_limit(self) -> bool:
        return await self._toggle("toggleDownloadSpeedLimit")

    async def toggle_pause_downloads(self) -> bool:
        return await self._toggle("togglePauseDownloads")

    async def toggle_premium(self) -> bool:
        return await self._toggle("togglePremium")

    async def toggle_clipboard_monitoring(self) -> bool:
        return await self._toggle("toggleClipboardMonitoring")

    async def toggle_automatic_reconnect(self) -> bool:
        return await self._toggle("toggleAutomaticReconnect")

    async def toggle_stop_after_current_download(self) -> bool:
        """Sets or clears the stop mark (there is no ``toggleStopMark``)."""
        return await self._toggle("toggleStopAfterCurrentDownload")

    # --- advanced config ----------------------------------------------------------------------

    async def config_get(
        self, interface: str, key: str, storage: str | None = None
    ) -> object | None:
        """``config/get(interfaceName, storage, key)``; None for an unknown interface or key."""
        result: object | None = await self.call("/config/get", interface, storage, key)
        return result

    async def config_set(
        self, interface: str, key: str, value: object, storage: str | None = None
    ) -> bool:
        """``config/set``: False (not an error) when the device rejects the value."""
        return bool(await self.call("/config/set", interface, storage, key, value))

    async def device_identity(self) -> DeviceIdentity:
        """The JDownloader's own name and MyJDownloader id (two ``config/get`` calls).

        Lets a JDownloader reached locally be recognised as the one an account lists.
        """
        name = await self.config_get(MYJD_SETTINGS, KEY_DEVICE_NAME)
        device_id = await self.config_get(MYJD_SETTINGS, KEY_DEVICE_ID)
        return DeviceIdentity(
            name=name.strip() or None if isinstance(name, str) else None,
            device_id=device_id.strip() or None if isinstance(device_id, str) else None,
        )

    async def _config_set_checked(self, key: str, value: object) -> None:
        if not await self.config_set(GENERAL_SETTINGS, key, value):
            raise JDownloaderApiError(
                f"The device rejected the value for {key}",
                error_type="INVALID_VALUE",
                source="DEVICE",
                status=200,
            )

    async def get_speed_limit(self) -> SpeedLimit:
        """The configured limit in bytes/s, also while it is switched off."""
        enabled = await self.config_get(GENERAL_SETTINGS, KEY_SPEED_LIMIT_ENABLED)
        value = await self.config_get(GENERAL_SETTINGS, KEY_SPEED_LIMIT)
        return SpeedLimit(enabled=bool(enabled), bytes_per_second=_int(value, 0))

    async def set_speed_limit(self, bytes_per_second: int) -> None:
        await self._config_set_checked(KEY_SPEED_LIMIT, int(bytes_per_second))

    async def set_speed_limit_enabled(self, enabled: bool) -> None:
        await self._config_set_checked(KEY_SPEED_LIMIT_ENABLED, bool(enabled))

    async def get_max_simultaneous_downloads(self) -> int:
        return _int(await self.config_get(GENERAL_SETTINGS, KEY_MAX_SIMULTANEOUS_DOWNLOADS))

    async def set_max_simultaneous_downloads(self, n: int) -> None:
        """1..20 on the device; out-of-range values are rejected."""
        await self._config_set_checked(KEY_MAX_SIMULTANEOUS_DOWNLOADS, int(n))

    # --- update, system, jd -------------------------------------------------------------------

    async def is_update_available(self) -> bool:
        """True only after an update check found and prepared updates."""
        return bool(await self.call("/update/isUpdateAvailable"))

    async def run_update_check(self) -> None:
        """May block on the device while it checks; uses a long timeout."""
        await self.call(
            "/update/runUpdateCheck", timeout=max(UPDATE_CHECK_TIMEOUT, self._transport.timeout)
        )

    async def restart_and_update(self) -> None:
        """Restarts JDownloader with ``-forceupdate``; the device is offline for a while afterwards."""
        await self.call("/update/restartAndUpdate")

    async def storage_infos(self, path: str | None = None) -> list[StorageInfo]:
        """Free and total bytes per mount (all writable mounts when ``path`` is None)."""
        infos: list[StorageInfo] = await self.call(
            "/system/getStorageInfos",
            path,
            parse=lambda data: [StorageInfo.from_json(item) for item in _list(data)],
        )
        return infos

    async def system_infos(self) -> dict[str, object]:
        result = await self.call("/system/getSystemInfos")
        return dict(result) if isinstance(result, dict) else {}

    async def restart_jd(self) -> None:
        """The device goes offline for seconds to minutes."""
        await self.call("/system/restartJD")

    async def reconnect_router(self) -> None:
        """Ask JDownloader to reconnect the internet connection (new IP)."""
        await self.call("/reconnect/doReconnect")

    async def version(self) -> int:
        """The JDownloader revision number."""
        return _int(await self.call("/jd/version"))

    async def uptime(self) -> int:
        """Milliseconds since JDownloader started."""
        return _int(await self.call("/jd/uptime"))

    async def core_revision(self) -> int:
        return _int(await self.call("/jd/getCoreRevision"))

    # --- captchas and accounts ----------------------------------------------------------------

    async def captcha_list(self) -> list[CaptchaJob]:
        jobs: list[CaptchaJob] = await self.call(
            "/captcha/list", parse=lambda data: [CaptchaJob.from_json(i) for i in _list(data)]
        )
        return jobs

    async def captcha_get(self, captcha_id: int, format: str | None = None) -> CaptchaChallenge:
        """The challenge payload (the image for image captchas); 404 NOT_AVAILABLE once it is gone."""
        args: tuple[Any, ...] = (captcha_id,) if format is None else (captcha_id, format)
        result: CaptchaChallenge = await self.call(
            "/captcha/get", *args, parse=CaptchaChallenge.from_json
        )
        return result

    async def captcha_solve(self, captcha_id: int, result: str) -> bool:
        return bool(await self.call("/captcha/solve", captcha_id, result))

    async def captcha_skip(self, captcha_id: int, skip_type: str = "SINGLE") -> bool:
        return bool(await self.call("/captcha/skip", captcha_id, skip_type))

    async def list_accounts(self) -> list[Account]:
        """Premium accounts; a disabled or invalid account simply lacks ``enabled``/``valid``."""
        accounts: list[Account] = await self.call(
            "/accountsV2/listAccounts",
            _ACCOUNT_QUERY,
            parse=lambda data: [Account.from_json(item) for item in _list(data)],
        )
        return accounts

    # --- events -------------------------------------------------------------------------------

    async def events_subscribe(
        self, subscriptions: list[str], exclusions: list[str]
    ) -> EventSubscription:
        """
        Subscriptions and exclusions are Java regexes matched with find() on ``publisher.eventid``.
        """
        result = await self.call("/events/subscribe", list(subscriptions), list(exclusions))
        return self._remember(result)

    async def events_change_timeouts(
        self, subscription_id: int, poll_timeout_ms: int, keepalive_ms: int
    ) -> EventSubscription:
        """Poll timeout is clamped to 1-360 s, keepalive to 30-3600 s by the device."""
        result = await self.call(
            "/events/changesubscriptiontimeouts", subscription_id, poll_timeout_ms, keepalive_ms
        )
        return self._remember(result)

    def _remember(self, result: Any) -> EventSubscription:
        if not isinstance(result, dict):
            raise JDownloaderProtocolError("Unexpected subscription shape")
        subscription: EventSubscription = _guarded(
            "/events/subscribe", EventSubscription.from_json
        )(result)
        if subscription.subscription_id != -1 and subscription.max_poll_timeout > 0:
            self._listen_timeouts[subscription.subscription_id] = (
                subscription.max_poll_timeout / 1000
            )
        return subscription

    async def events_listen(self, subscription_id: int) -> list[Event]:
        """Long poll; 404 FILE_NOT_FOUND (an API error) means the subscription is gone: subscribe
        again.
        """
        poll = self._listen_timeouts.get(subscription_id, DEFAULT_LISTEN_POLL_TIMEOUT_MS / 1000)
        timeout = max(self._transport.timeout, poll + LISTEN_MARGIN)
        events: list[Event] = await self.call(
            "/events/listen",
            subscription_id,
            timeout=timeout,
            parse=lambda data: [Event.from_json(item) for item in _list(data)],
        )
        return events

    async def events_unsubscribe(self, subscription_id: int) -> None:
        self._listen_timeouts.pop(subscription_id, None)
        await self.call("/events/unsubscribe", subscription_id)
