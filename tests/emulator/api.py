"""Device API method table (docs/protocol.md §9): lookup by namespace, name and exact parameter count."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import inspect
import json
import logging
import platform
from typing import Any

from .device import CAPTCHA_IMAGE, SimDevice, now_ms
from .events import PUBLISHERS
from .model import CONFIG_RANGES, CONFIG_SCHEMA, PAUSE, PRIORITIES, Link
from .protocol import (
    ANY,
    BOOL,
    INT,
    LONGS,
    OBJ,
    STR,
    STRS,
    VOID,
    DeviceError,
    bad_parameters,
    convert,
)
from .storables import cached_query, serialize_accounts

_LOGGER = logging.getLogger(__name__)

type Spec = str | tuple[str, frozenset[str]]


@dataclass(frozen=True)
class Method:
    fn: Callable[..., Any]
    params: tuple[Spec, ...]


API: dict[str, dict[tuple[str, int], Method]] = {}


def method[F: Callable[..., Any]](namespace: str, name: str, *params: Spec) -> Callable[[F], F]:
    """Register a device method under (name, parameter count)."""

    def register(fn: F) -> F:
        API.setdefault(namespace, {})[(name, len(params))] = Method(fn, params)
        return fn

    return register


def enum(*values: str) -> tuple[str, frozenset[str]]:
    return (STR, frozenset(values))


CLEANUP_ACTIONS = enum(
    "DELETE_ALL",
    "DELETE_DISABLED",
    "DELETE_FAILED",
    "DELETE_FINISHED",
    "DELETE_OFFLINE",
    "DELETE_DUPE",
    "DELETE_MODE",
)
CLEANUP_MODES = enum(
    "REMOVE_LINKS_AND_DELETE_FILES", "REMOVE_LINKS_AND_RECYCLE_FILES", "REMOVE_LINKS_ONLY"
)
SELECTION = enum("SELECTED", "UNSELECTED", "ALL", "NONE")
SKIP_TYPES = enum(
    "SINGLE",
    "BLOCK_HOSTER",
    "BLOCK_ALL_CAPTCHAS",
    "BLOCK_PACKAGE",
    "REFRESH",
    "STOP_CURRENT_ACTION",
    "TIMEOUT",
)


async def dispatch(dev: SimDevice, path: str, raw_params: list[str]) -> object:
    """Resolve `/<namespace>/<method>` and call it; raises DeviceError like the device."""
    parts = path.strip("/").split("/")
    table = API.get(parts[0]) if len(parts) == 2 else None
    if table is None:
        raise DeviceError(404, "Not Found")
    found = table.get((parts[1], len(raw_params)))
    if found is None:
        raise DeviceError(404, "API_COMMAND_NOT_FOUND")
    args = []
    for raw, spec in zip(raw_params, found.params, strict=True):
        kind, values = (spec, None) if isinstance(spec, str) else spec
        args.append(convert(raw, kind, values))
    try:
        result = found.fn(dev, *args)
        if inspect.isawaitable(result):
            result = await result
    except DeviceError:
        raise
    except Exception:
        _LOGGER.exception("emulated device method %s failed", path)
        raise DeviceError(500, "INTERNAL_SERVER_ERROR") from None
    return result


def _query(value: dict[str, Any] | None) -> dict[str, Any]:
    if value is None:
        raise DeviceError(500, "INTERNAL_SERVER_ERROR")  # a null query NPEs on a real device
    return value


# ---------------------------------------------------------------- downloadsV2
@method("downloadsV2", "queryLinks", OBJ)
def _dl_query_links(dev: SimDevice, query: dict[str, Any] | None) -> object:
    return cached_query(dev, "links", _query(query))


@method("downloadsV2", "queryPackages", OBJ)
def _dl_query_packages(dev: SimDevice, query: dict[str, Any] | None) -> object:
    return cached_query(dev, "packages", _query(query))


@method("downloadsV2", "packageCount")
def _dl_package_count(dev: SimDevice) -> int:
    return len(dev.packages)


@method("downloadsV2", "getStructureChangeCounter", INT)
def _dl_structure(dev: SimDevice, old: int | None) -> int:
    return dev.structure_counter


@method("downloadsV2", "removeLinks", LONGS, LONGS)
def _dl_remove(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    dev.remove_links(dev.select(link_ids, package_ids))
    return VOID


@method("downloadsV2", "setEnabled", BOOL, LONGS, LONGS)
def _dl_set_enabled(
    dev: SimDevice, enabled: bool | None, link_ids: list[int] | None, package_ids: list[int] | None
) -> object:
    for link in dev.select(link_ids, package_ids):
        if link.enabled != bool(enabled):
            link.enabled = bool(enabled)
            if not enabled:
                dev._halt(link)
            dev.events.publish(
                "downloads", "LINK_UPDATE.enabled", {"uuid": link.uuid, "enabled": link.enabled}
            )
    dev.touch()
    dev._reschedule()
    return VOID


@method("downloadsV2", "forceDownload", LONGS, LONGS)
def _dl_force(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> bool:
    dev.force_download(dev.select(link_ids, package_ids))
    return True


def _reset(dev: SimDevice, links: list[Link]) -> None:
    for link in links:
        dev._halt(link)
        link.bytes_loaded, link.carry = 0, 0.0
        link.finished = link.failed = link.skipped = False
        link.final_state, link.skip_reason, link.condition = "FAILED", "MANUAL", None
        link.finished_date = -1
        dev.events.publish("downloads", "LINK_UPDATE.reset", {"uuid": link.uuid, "reset": "true"})
    dev.touch()
    dev._reschedule()


@method("downloadsV2", "resetLinks", LONGS, LONGS)
def _dl_reset(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    _reset(dev, dev.select(link_ids, package_ids))
    return VOID


@method("downloadsV2", "resumeLinks", LONGS, LONGS)
def _dl_resume(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    for link in dev.select(link_ids, package_ids):
        link.failed = link.skipped = False
        link.final_state, link.skip_reason = "FAILED", "MANUAL"
    dev.touch()
    dev._reschedule()
    return VOID


@method("downloadsV2", "setPriority", enum(*PRIORITIES), LONGS, LONGS)
def _dl_priority(
    dev: SimDevice, priority: str | None, link_ids: list[int] | None, package_ids: list[int] | None
) -> object:
    for link in dev.select(link_ids, package_ids):
        link.priority = priority or "DEFAULT"
    dev.touch()
    return VOID


def _cleanup(
    dev: SimDevice,
    link_ids: list[int] | None,
    package_ids: list[int] | None,
    action: str | None,
    selection: str | None,
    crawled: bool,
) -> None:
    if selection == "NONE" or selection is None:
        return
    if selection == "UNSELECTED":
        raise bad_parameters("UNSELECTED not yet supported")
    if selection == "ALL":
        pool = list((dev.crawled_links if crawled else dev.links).values())
    else:
        pool = dev.select(link_ids, package_ids, crawled=crawled)
    wanted: dict[str | None, Callable[[Link], bool]] = {
        "DELETE_ALL": lambda lk: True,
        "DELETE_DISABLED": lambda lk: not lk.enabled,
        "DELETE_FAILED": lambda lk: lk.failed,
        "DELETE_FINISHED": lambda lk: lk.finished,
        "DELETE_MODE": lambda lk: lk.finished,
        "DELETE_OFFLINE": lambda lk: lk.availability == "OFFLINE",
        "DELETE_DUPE": lambda lk: False,
    }
    keep = wanted.get(action)
    dev.remove_links([lk for lk in pool if keep is not None and keep(lk)], crawled=crawled)


@method("downloadsV2", "cleanup", LONGS, LONGS, CLEANUP_ACTIONS, CLEANUP_MODES, SELECTION)
def _dl_cleanup(
    dev: SimDevice,
    link_ids: list[int] | None,
    package_ids: list[int] | None,
    action: str | None,
    mode: str | None,
    selection: str | None,
) -> object:
    _cleanup(dev, link_ids, package_ids, action, selection, crawled=False)
    return VOID


# ---------------------------------------------------------------- downloadcontroller
@method("downloadcontroller", "start")
def _dc_start(dev: SimDevice) -> bool:
    return dev.start_downloads()


@method("downloadcontroller", "stop")
def _dc_stop(dev: SimDevice) -> bool:
    return dev.stop_downloads()


@method("downloadcontroller", "pause", BOOL)
def _dc_pause(dev: SimDevice, value: bool | None) -> bool:
    return dev.pause(bool(value))


@method("downloadcontroller", "getCurrentState")
def _dc_state(dev: SimDevice) -> str:
    return dev.state


@method("downloadcontroller", "getSpeedInBps")
def _dc_speed(dev: SimDevice) -> int:
    return dev.speed()


@method("downloadcontroller", "forceDownload", LONGS, LONGS)
def _dc_force(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    dev.force_download(dev.select(link_ids, package_ids))
    return VOID


# ---------------------------------------------------------------- linkgrabberv2
@method("linkgrabberv2", "addLinks", OBJ)
def _lg_add(dev: SimDevice, query: dict[str, Any] | None) -> dict[str, int]:
    return {"id": dev.add_links(_query(query))}


@method("linkgrabberv2", "queryLinks", OBJ)
def _lg_query_links(dev: SimDevice, query: dict[str, Any] | None) -> object:
    return cached_query(dev, "crawled_links", _query(query))


@method("linkgrabberv2", "queryPackages", OBJ)
def _lg_query_packages(dev: SimDevice, query: dict[str, Any] | None) -> object:
    return cached_query(dev, "crawled_packages", _query(query))


@method("linkgrabberv2", "getPackageCount")
def _lg_count(dev: SimDevice) -> int:
    return len(dev.crawled_packages)


@method("linkgrabberv2", "moveToDownloadlist", LONGS, LONGS)
def _lg_move(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    dev.move_to_download_list(dev.select(link_ids, package_ids, crawled=True))
    return VOID


@method("linkgrabberv2", "removeLinks", LONGS, LONGS)
def _lg_remove(dev: SimDevice, link_ids: list[int] | None, package_ids: list[int] | None) -> object:
    dev.remove_links(dev.select(link_ids, package_ids, crawled=True), crawled=True)
    return VOID


@method("linkgrabberv2", "setEnabled", BOOL, LONGS, LONGS)
def _lg_set_enabled(
    dev: SimDevice, enabled: bool | None, link_ids: list[int] | None, package_ids: list[int] | None
) -> object:
    for link in dev.select(link_ids, package_ids, crawled=True):
        link.enabled = bool(enabled)
    dev.touch()
    return VOID


@method("linkgrabberv2", "cleanup", LONGS, LONGS, CLEANUP_ACTIONS, CLEANUP_MODES, SELECTION)
def _lg_cleanup(
    dev: SimDevice,
    link_ids: list[int] | None,
    package_ids: list[int] | None,
    action: str | None,
    mode: str | None,
    selection: str | None,
) -> object:
    _cleanup(dev, link_ids, package_ids, action, selection, crawled=True)
    return VOID


@method("linkgrabberv2", "clearList")
def _lg_clear(dev: SimDevice) -> bool:
    dev.remove_links(list(dev.crawled_links.values()), crawled=True)
    return True


@method("linkgrabberv2", "isCollecting")
def _lg_collecting(dev: SimDevice) -> bool:
    return dev.collecting > 0


@method("linkgrabberv2", "abort")
def _lg_abort(dev: SimDevice) -> bool:
    return True


# ---------------------------------------------------------------- toolbar
@method("toolbar", "getStatus")
def _tb_status(dev: SimDevice) -> dict[str, Any]:
    return dev.toolbar_status()


@method("toolbar", "isAvailable")
def _tb_available(dev: SimDevice) -> bool:
    return True


@method("toolbar", "toggleDownloadSpeedLimit")
def _tb_limit(dev: SimDevice) -> bool:
    return dev.toggle_setting("DownloadSpeedLimitEnabled")


@method("toolbar", "togglePremium")
def _tb_premium(dev: SimDevice) -> bool:
    return dev.toggle_setting("UseAvailableAccounts")


@method("toolbar", "toggleClipboardMonitoring")
def _tb_clipboard(dev: SimDevice) -> bool:
    return dev.toggle_setting("ClipboardMonitored")


@method("toolbar", "toggleAutomaticReconnect")
def _tb_reconnect(dev: SimDevice) -> bool:
    return dev.toggle_setting("AutoReconnectEnabled")


@method("toolbar", "toggleStopAfterCurrentDownload")
def _tb_stopafter(dev: SimDevice) -> bool:
    return dev.toggle_stop_after()


@method("toolbar", "togglePauseDownloads")
def _tb_pause(dev: SimDevice) -> bool:
    dev.pause(dev.state != PAUSE)
    return dev.state == PAUSE


@method("toolbar", "startDownloads")
def _tb_start(dev: SimDevice) -> bool:
    return dev.start_downloads()


@method("toolbar", "stopDownloads")
def _tb_stop(dev: SimDevice) -> bool:
    return dev.stop_downloads()


@method("toolbar", "triggerUpdate")
def _tb_update(dev: SimDevice) -> bool:
    _update_check(dev)
    return True


# ---------------------------------------------------------------- config
def _config_key(interface: str | None, storage: str | None, key: str | None) -> str | None:
    keys = CONFIG_SCHEMA.get(interface or "")
    if keys is None or storage is not None or key is None:
        return None  # the lookup id is interface + "." + storage; only storage null exists
    lowered = key.lower()
    return next((k for k in keys if k.lower() == lowered), None)


@method("config", "get", STR, STR, STR)
def _cfg_get(dev: SimDevice, interface: str | None, storage: str | None, key: str | None) -> object:
    name = _config_key(interface, storage, key)
    return None if name is None else dev.settings[name]


@method("config", "getDefault", STR, STR, STR)
def _cfg_default(
    dev: SimDevice, interface: str | None, storage: str | None, key: str | None
) -> object:
    name = _config_key(interface, storage, key)
    return None if name is None or interface is None else CONFIG_SCHEMA[interface][name]


@method("config", "set", STR, STR, STR, ANY)
def _cfg_set(
    dev: SimDevice, interface: str | None, storage: str | None, key: str | None, value: object
) -> bool:
    name = _config_key(interface, storage, key)
    if name is None or interface is None:
        return False
    default = CONFIG_SCHEMA[interface][name]
    if isinstance(value, str) and not isinstance(default, str):
        try:  # "5" → 5: a JSON string is first parsed as the key's type
            value = json.loads(value)
        except ValueError:
            return False
    if isinstance(default, bool):
        if not isinstance(value, bool):
            return False
    elif isinstance(default, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        low, high = CONFIG_RANGES.get(name, (-(2**63), 2**63 - 1))
        if not low <= value <= high:
            return False
    elif not isinstance(value, str):
        return False
    dev.settings[name] = value
    dev.touch()
    dev._reschedule()
    return True


@method("config", "reset", STR, STR, STR)
def _cfg_reset(dev: SimDevice, interface: str | None, storage: str | None, key: str | None) -> bool:
    name = _config_key(interface, storage, key)
    if name is None or interface is None:
        return False
    dev.settings[name] = CONFIG_SCHEMA[interface][name]
    dev.touch()
    return True


# ---------------------------------------------------------------- update / system / jd
def _update_check(dev: SimDevice) -> None:
    if dev.update_on_check:
        dev.update_available = True


@method("update", "isUpdateAvailable")
def _up_available(dev: SimDevice) -> bool:
    return dev.update_available


@method("update", "runUpdateCheck")
def _up_check(dev: SimDevice) -> object:
    _update_check(dev)
    return VOID


@method("update", "restartAndUpdate")
def _up_restart(dev: SimDevice) -> object:
    dev.spawn(dev.restart_offline(update=True))
    return VOID


@method("system", "getStorageInfos", STR)
def _sys_storage(dev: SimDevice, path: str | None) -> list[dict[str, Any]]:
    def info(p: str) -> dict[str, Any]:
        return {"path": p, "size": dev.storage_total, "free": dev.storage_free, "error": None}

    if path is None:
        return [info("/"), info(str(dev.settings["DefaultDownloadFolder"]))]
    return [info(path)]


@method("system", "getSystemInfos")
def _sys_infos(dev: SimDevice) -> dict[str, Any]:
    return {
        "operatingSystem": "LINUX",
        "osFamily": "LINUX",
        "osString": f"Linux {platform.release()}",
        "archFamily": "X86",
        "archString": "amd64",
        "arch64Bit": True,
        "os64Bit": True,
        "jvm64Bit": True,
        "javaName": "OpenJDK 64-Bit Server VM",
        "javaVendor": "Eclipse Adoptium",
        "javaVersion": 17_000_010_000,
        "javaVersionString": "17.0.10+7",
        "headless": True,
        "hardware": None,
        "docker": True,
        "snap": False,
        "heapUsed": 300_000_000,
        "heapCommitted": 500_000_000,
        "heapMax": 1_000_000_000,
        "startupTimeStamp": dev.started_at,
    }


@method("system", "restartJD")
def _sys_restart(dev: SimDevice) -> object:
    dev.spawn(dev.restart_offline(update=False))
    return VOID


@method("jd", "version")
def _jd_version(dev: SimDevice) -> int:
    return dev.jd_version


@method("jd", "uptime")
def _jd_uptime(dev: SimDevice) -> int:
    return dev.uptime()


@method("jd", "getCoreRevision")
def _jd_core(dev: SimDevice) -> int:
    return dev.core_revision


@method("jd", "refreshPlugins")
def _jd_refresh(dev: SimDevice) -> bool:
    return True


# ---------------------------------------------------------------- captcha
def _captcha(dev: SimDevice, captcha_id: int | None) -> int:
    if captcha_id is None or captcha_id not in dev.captchas:
        raise DeviceError(404, "NOT_AVAILABLE")
    return captcha_id


@method("captcha", "list")
def _cap_list(dev: SimDevice) -> list[dict[str, Any]]:
    """``CaptchaAPISolver.list``: the jobs sorted by their (total) ``timeout``, not by age."""
    now = now_ms()
    jobs = [c.job(now) for c in dev.captchas.values()]
    return sorted(jobs, key=lambda j: j["timeout"])


@method("captcha", "get", INT)
def _cap_get(dev: SimDevice, captcha_id: int | None) -> object:
    return _cap_get_fmt(dev, captcha_id, None)


@method("captcha", "get", INT, STR)
def _cap_get_fmt(dev: SimDevice, captcha_id: int | None, fmt: str | None) -> object:
    """``Challenge.getAPIStorable(format)``: an image captcha answers its image as
    ``"image/png;base64,..."`` (``ImageCaptchaChallenge``); ``RecaptchaV2Challenge`` answers a
    site-key object for format ``RAWTOKEN`` and, in this emulator, nothing otherwise."""
    captcha = dev.captchas[_captcha(dev, captcha_id)]
    if captcha.type == "ImageCaptchaChallenge":
        return captcha.image or CAPTCHA_IMAGE
    if fmt == "RAWTOKEN":
        return {
            "siteKey": "6Lc-emulated-site-key",
            "contextUrl": f"https://{captcha.hoster}",
            "siteUrl": f"https://{captcha.hoster}/file",
            "enterprise": False,
            "type": "NORMAL",
        }
    return None


@method("captcha", "getCaptchaJob", INT)
def _cap_job(dev: SimDevice, captcha_id: int | None) -> dict[str, Any] | None:
    found = dev.captchas.get(captcha_id) if captcha_id is not None else None
    return found.job(now_ms()) if found else None


@method("captcha", "solve", INT, STR)
def _cap_solve(dev: SimDevice, captcha_id: int | None, result: str | None) -> bool:
    """``CaptchaAPISolver.solve``: unknown or finished id → NOT_AVAILABLE; an image captcha takes
    any text (``BasicCaptchaChallenge.parseAPIAnswer``), a null result parses to nothing →
    UNKNOWN_CHALLENGETYPE. Here the answer ends the job at once (JD validates it later)."""
    key = _captcha(dev, captcha_id)
    if result is None:
        raise DeviceError(404, "UNKNOWN_CHALLENGETYPE")
    dev.captcha_solutions.append((key, result))
    dev.remove_captcha(key)
    return True


@method("captcha", "solve", INT, STR, STR)
def _cap_solve_fmt(
    dev: SimDevice, captcha_id: int | None, result: str | None, fmt: str | None
) -> bool:
    return _cap_solve(dev, captcha_id, result)


@method("captcha", "skip", INT)
def _cap_skip(dev: SimDevice, captcha_id: int | None) -> bool:
    """``CaptchaAPISolver.skip(id)``: deprecated, ``skip(id, SINGLE)``."""
    return _cap_skip_type(dev, captcha_id, "SINGLE")


@method("captcha", "skip", INT, SKIP_TYPES)
def _cap_skip_type(dev: SimDevice, captcha_id: int | None, skip_type: str | None) -> bool:
    """``CaptchaAPISolver.skip(id, SkipRequest)``: unknown id → NOT_AVAILABLE, else the skip
    request reaches this job and those it blocks (``SimDevice.skip_captchas``)."""
    dev.skip_captchas(_captcha(dev, captcha_id), skip_type or "SINGLE")
    return True


@method("captcha", "keepAlive", INT)
def _cap_keepalive(dev: SimDevice, captcha_id: int | None) -> int:
    found = dev.captchas.get(captcha_id) if captcha_id is not None else None
    return found.job(now_ms())["remaining"] if found else -1


# ---------------------------------------------------------------- accounts / reconnect / polling / device
@method("accountsV2", "listAccounts", OBJ)
def _acc_list(dev: SimDevice, query: dict[str, Any] | None) -> list[dict[str, Any]]:
    return serialize_accounts(dev.accounts, query or {})


@method("reconnect", "doReconnect")
def _reconnect(dev: SimDevice) -> object:
    dev.reconnects += 1
    return VOID


@method("polling", "poll", OBJ)
def _poll(dev: SimDevice, query: dict[str, Any] | None) -> list[dict[str, Any]]:
    query = _query(query)
    result: list[dict[str, Any]] = []

    def add(name: str, data: object) -> None:
        result.append({"eventName": name, "eventData": {"data": data}})

    # The real implementation checks containsKey, so even {"jdState": false} is answered.
    if "downloadProgress" in query:
        # PollingAPIImpl: null expands every running package; a list (ids that are numbers) those.
        wanted = query["downloadProgress"]
        expanded = None
        if wanted is not None:
            items = wanted if isinstance(wanted, list) else []
            expanded = [x for x in items if isinstance(x, int) and not isinstance(x, bool)]
        add("downloadProgress", dev.download_progress(expanded))
    if "jdState" in query:
        add("jdState", dev.state)
    if "linkGrabberState" in query:
        add("linkGrabberState", "RUNNING" if dev.collecting else "IDLE")
    if "captchasWaiting" in query:
        add("captchasWaiting", _cap_list(dev))
    if "aggregatedNumbers" in query:
        add("aggregatedNumbers", dev.aggregated_numbers())
    return result


@method("device", "ping")
def _ping(dev: SimDevice) -> bool:
    return True


@method("device", "getDirectConnectionInfos")
def _direct_infos(dev: SimDevice) -> dict[str, Any]:
    if not dev.direct_enabled:
        return {"mode": "NONE", "rebindProtectionDetected": False, "infos": []}
    return {
        "mode": "LAN",
        "rebindProtectionDetected": False,
        "infos": [{"ip": "127.0.0.1", "port": dev.direct_port}],
    }


@method("device", "getSessionPublicKey")
def _public_key(dev: SimDevice) -> None:
    return None


# ---------------------------------------------------------------- events
@method("events", "subscribe", STRS, STRS)
def _ev_subscribe(dev: SimDevice, subs: list[str] | None, excl: list[str] | None) -> dict[str, Any]:
    return dev.events.subscribe(subs or [], excl or [])


@method("events", "listen", INT)
async def _ev_listen(dev: SimDevice, sub_id: int | None) -> list[dict[str, Any]]:
    events = await dev.events.listen(sub_id if sub_id is not None else -1)
    if events is None:
        raise DeviceError(404, "FILE_NOT_FOUND")
    return events


@method("events", "changesubscriptiontimeouts", INT, INT, INT)
def _ev_timeouts(
    dev: SimDevice, sub_id: int | None, poll: int | None, keep: int | None
) -> dict[str, Any]:
    from .events import DEFAULT_KEEPALIVE_MS, DEFAULT_POLL_TIMEOUT_MS

    return dev.events.change_timeouts(
        sub_id if sub_id is not None else -1,
        poll if poll is not None else DEFAULT_POLL_TIMEOUT_MS,
        keep if keep is not None else DEFAULT_KEEPALIVE_MS,
    )


@method("events", "getsubscription", INT)
def _ev_get(dev: SimDevice, sub_id: int | None) -> dict[str, Any]:
    return dev.events.get(sub_id if sub_id is not None else -1)


@method("events", "getsubscriptionstatus", INT)
def _ev_status(dev: SimDevice, sub_id: int | None) -> dict[str, Any]:
    return dev.events.status(sub_id if sub_id is not None else -1)


@method("events", "unsubscribe", INT)
def _ev_unsubscribe(dev: SimDevice, sub_id: int | None) -> dict[str, Any]:
    return dev.events.unsubscribe(sub_id if sub_id is not None else -1)


@method("events", "setsubscription", INT, STRS, STRS)
def _ev_set(
    dev: SimDevice, sub_id: int | None, subs: list[str] | None, excl: list[str] | None
) -> dict[str, Any]:
    return dev.events.set_subscription(sub_id if sub_id is not None else -1, subs or [], excl or [])


@method("events", "addsubscription", INT, STRS, STRS)
def _ev_add(
    dev: SimDevice, sub_id: int | None, subs: list[str] | None, excl: list[str] | None
) -> dict[str, Any]:
    return dev.events.add_subscription(sub_id if sub_id is not None else -1, subs or [], excl or [])


@method("events", "removesubscription", INT, STRS, STRS)
def _ev_remove(
    dev: SimDevice, sub_id: int | None, subs: list[str] | None, excl: list[str] | None
) -> dict[str, Any]:
    return dev.events.remove_subscription(
        sub_id if sub_id is not None else -1, subs or [], excl or []
    )


@method("events", "listpublisher")
def _ev_publishers(dev: SimDevice) -> list[dict[str, Any]]:
    return PUBLISHERS
