"""Actions (services) of the JDownloader integration.

Actions target one JDownloader through its Home Assistant device (``device_id``), so a call
runs exactly once however many entities that device has. Input is checked and the target
resolved before anything is sent; a failed ``add_links`` is never retried, because the
device may have received it and a retry could add the links twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import re
from typing import Any, Literal

# HA 2026.10 annotates schemas as probatio (which accepts these at run time): the
# `type: ignore[arg-type, unused-ignore]` where a schema is handed to HA.
import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .api import (
    AddLinksRequest,
    CaptchaJob,
    DownloadPackage,
    JDownloaderApiError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderError,
    JDownloaderProtocolError,
)
from .captcha import SKIP_TYPES, UnsureAnswers, find, has_image, oldest
from .const import DOMAIN
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import action_error, async_device_action

SERVICE_ADD_LINKS = "add_links"
SERVICE_GET_DOWNLOADS = "get_downloads"
SERVICE_CLEANUP = "cleanup"
SERVICE_SOLVE_CAPTCHA = "solve_captcha"
SERVICE_SKIP_CAPTCHA = "skip_captcha"

ATTR_LINKS = "links"
ATTR_PACKAGE_NAME = "package_name"
ATTR_DESTINATION_FOLDER = "destination_folder"
ATTR_EXTRACT_PASSWORD = "extract_password"
ATTR_DOWNLOAD_PASSWORD = "download_password"
ATTR_AUTOSTART = "autostart"
ATTR_AUTO_EXTRACT = "auto_extract"
ATTR_PRIORITY = "priority"
ATTR_OVERWRITE_PACKAGIZER_RULES = "overwrite_packagizer_rules"
ATTR_STATUS = "status"
ATTR_NAME = "name"
ATTR_LIST = "list"
ATTR_REMOVE = "remove"
ATTR_CAPTCHA_ID = "captcha_id"
ATTR_SOLUTION = "solution"
ATTR_TYPE = "type"

PRIORITIES = ["highest", "higher", "high", "default", "low", "lower", "lowest"]
DOWNLOAD_FILTERS = ["all", "running", "finished", "pending"]
CLEANUP_LISTS = ["downloads", "linkgrabber"]
CLEANUP_ACTIONS = {
    "finished": "DELETE_FINISHED",
    "failed": "DELETE_FAILED",
    "offline": "DELETE_OFFLINE",
    "disabled": "DELETE_DISABLED",
}

# What the linkgrabber accepts: web/ftp links, magnet links, and containers (DLC, CCF,
# RSDF, NZB, ...) as base64 data URLs, which go in their own request field.
_LINK_RE = re.compile(
    r"(?:https?|ftp)://\S+|magnet:\?\S+|data:[\w.+-]+/[\w.+-]+;base64,[A-Za-z0-9+/=]+",
    re.IGNORECASE,
)
# Punctuation that ends a sentence around a pasted link rather than the link itself.
_TRAILING = ".,;:!?\"'<>"

_PACKAGE_FIELDS = (
    "bytes_total",
    "bytes_loaded",
    "speed",
    "eta",
    "finished",
    "running",
    "enabled",
    "status",
    "child_count",
)

ADD_LINKS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_LINKS): vol.Any(cv.string, [cv.string]),
        vol.Optional(ATTR_PACKAGE_NAME): cv.string,
        vol.Optional(ATTR_DESTINATION_FOLDER): cv.string,
        vol.Optional(ATTR_EXTRACT_PASSWORD): cv.string,
        vol.Optional(ATTR_DOWNLOAD_PASSWORD): cv.string,
        vol.Optional(ATTR_AUTOSTART): cv.boolean,
        vol.Optional(ATTR_AUTO_EXTRACT): cv.boolean,
        vol.Optional(ATTR_PRIORITY, default="default"): vol.In(PRIORITIES),
        vol.Optional(ATTR_OVERWRITE_PACKAGIZER_RULES): cv.boolean,
    }
)
GET_DOWNLOADS_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_STATUS, default="all"): vol.In(DOWNLOAD_FILTERS),
        vol.Optional(ATTR_NAME): cv.string,
    }
)
CLEANUP_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_LIST, default="downloads"): vol.In(CLEANUP_LISTS),
        vol.Optional(ATTR_REMOVE, default=["finished"]): vol.All(
            cv.ensure_list, [vol.In(list(CLEANUP_ACTIONS))]
        ),
    }
)
SOLVE_CAPTCHA_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Required(ATTR_SOLUTION): cv.string,
        vol.Optional(ATTR_CAPTCHA_ID): vol.Coerce(int),
    }
)
SKIP_CAPTCHA_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_CAPTCHA_ID): vol.Coerce(int),
        # JD's SkipRequest names, in either case (the UI offers them in lower case).
        vol.Optional(ATTR_TYPE, default="single"): vol.All(
            cv.string, vol.Lower, vol.In([t.lower() for t in SKIP_TYPES])
        ),
    }
)

# Captchas answered through a connection that broke before the answer came back.
_UNSURE = UnsureAnswers()


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _coordinator(hass: HomeAssistant, device_id: str) -> JDownloaderDeviceCoordinator:
    """Find the coordinator of the targeted JDownloader; it must be loaded and answering."""
    device = dr.async_get(hass).async_get(device_id)
    jd_ids = [ident for domain, ident in device.identifiers if domain == DOMAIN] if device else []
    if device is None or not jd_ids:
        raise _validation_error("device_not_found", device_id=device_id)
    name = device.name_by_user or device.name or jd_ids[0]
    for entry_id in device.config_entries:
        entry: JDownloaderConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if entry.state is not ConfigEntryState.LOADED:
            raise _validation_error("entry_not_loaded", device=name)
        for jd_id in jd_ids:
            if (coordinator := entry.runtime_data.devices.get(jd_id)) is None:
                continue
            if (
                not coordinator.last_update_success
                or coordinator.data is None
                or not coordinator.listed
            ):
                raise HomeAssistantError(
                    translation_domain=DOMAIN,
                    translation_key="device_not_available",
                    translation_placeholders={"device": name},
                )
            return coordinator
    raise _validation_error("device_not_found", device_id=device_id)


def _extract_links(text: str) -> list[str]:
    return [match.rstrip(_TRAILING) for match in _LINK_RE.findall(text)]


def parse_links(value: str | list[str]) -> tuple[list[str], list[str]]:
    """Split user input into (links, container data URLs), dropping duplicates.

    A string is free text: every link in it counts. In a list, every item must hold a link.
    """
    found: list[str] = []
    if isinstance(value, str):
        found = _extract_links(value)
    else:
        for position, item in enumerate(value, start=1):
            if not (links := _extract_links(item)):
                raise _validation_error("invalid_link", position=str(position))
            found.extend(links)
    if not found:
        raise _validation_error("no_links")
    unique = list(dict.fromkeys(found))
    links = [link for link in unique if not link.lower().startswith("data:")]
    data_urls = [link for link in unique if link.lower().startswith("data:")]
    return links, data_urls


async def _async_add_links(call: ServiceCall) -> ServiceResponse:
    data = call.data
    links, data_urls = parse_links(data[ATTR_LINKS])
    coordinator = _coordinator(call.hass, data[ATTR_DEVICE_ID])
    package_name = data.get(ATTR_PACKAGE_NAME) or None
    folder = data.get(ATTR_DESTINATION_FOLDER) or None
    overwrite = data.get(ATTR_OVERWRITE_PACKAGIZER_RULES)
    if overwrite is None and (package_name or folder):
        # Otherwise the user's packagizer rules silently replace name and folder.
        overwrite = True
    request = AddLinksRequest(
        links=links,
        package_name=package_name,
        destination_folder=folder,
        extract_password=data.get(ATTR_EXTRACT_PASSWORD) or None,
        download_password=data.get(ATTR_DOWNLOAD_PASSWORD) or None,
        autostart=data.get(ATTR_AUTOSTART),
        auto_extract=data.get(ATTR_AUTO_EXTRACT),
        priority=data[ATTR_PRIORITY].upper(),
        overwrite_packagizer_rules=overwrite,
        data_urls=data_urls,
    )
    device = coordinator.device
    job_ids = await async_device_action(coordinator, lambda: device.add_links(request))
    return {"job_ids": list(job_ids)}


def _package_response(package: DownloadPackage) -> dict[str, Any]:
    """One package for scripts; never its folder, links' URLs or passwords."""
    total = package.bytes_total
    loaded = max(package.bytes_loaded, 0)
    progress = round(min(loaded, total) * 100 / total, 1) if total > 0 else None
    return {
        "name": package.name,
        "status": package.status,
        "finished": package.finished,
        "running": package.running,
        "enabled": package.enabled,
        "progress": progress,
        "bytes_loaded": loaded,
        "bytes_total": total if total >= 0 else None,
        "speed": max(package.speed, 0),
        "eta": package.eta if package.eta >= 0 else None,
        "links": package.child_count if package.child_count >= 0 else None,
    }


def _matches(package: DownloadPackage, status: str, name: str | None) -> bool:
    if name is not None and name.casefold() not in package.name.casefold():
        return False
    if status == "running":
        return package.running
    if status == "finished":
        return package.finished
    if status == "pending":
        return not package.finished and not package.running
    return True


async def _async_get_downloads(call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    device = coordinator.device
    try:
        packages = await device.query_packages(_PACKAGE_FIELDS)
    except JDownloaderError as err:
        raise action_error(err, coordinator.device_name) from err
    status: str = call.data[ATTR_STATUS]
    name: str | None = call.data.get(ATTR_NAME) or None
    return {
        "packages": [
            _package_response(package) for package in packages if _matches(package, status, name)
        ]
    }


async def _async_cleanup(call: ServiceCall) -> None:
    reasons: list[str] = list(dict.fromkeys(call.data[ATTR_REMOVE]))
    if not reasons:
        raise _validation_error("nothing_to_remove")
    coordinator = _coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    device = coordinator.device
    target: Literal["downloads", "linkgrabber"] = (
        "linkgrabber" if call.data[ATTR_LIST] == "linkgrabber" else "downloads"
    )

    async def cleanup() -> None:
        for reason in reasons:
            await device.cleanup(target, CLEANUP_ACTIONS[reason], "REMOVE_LINKS_ONLY", "ALL")

    await async_device_action(coordinator, cleanup)


def _target_captcha(coordinator: JDownloaderDeviceCoordinator, requested: int | None) -> CaptchaJob:
    """The waiting captcha to answer (the oldest unless ``requested``), from the last poll.

    A captcha whose earlier answer was lost on the way back and that no longer waits was
    answered then: it is not answered again (the refresh after every action shows it gone).
    """
    data = coordinator.data
    jobs = (data.poll.captchas if data is not None else None) or []
    answered = _UNSURE.settle(coordinator, (job.id for job in jobs))
    name = coordinator.device_name
    if requested is None and answered:
        raise _validation_error("captcha_answered", captcha_id=str(min(answered)), device=name)
    if requested in answered:
        raise _validation_error("captcha_answered", captcha_id=str(requested), device=name)
    if requested is None:
        if (job := oldest(jobs)) is None:
            raise _validation_error("no_captcha_waiting", device=name)
        return job
    if (job := find(jobs, requested)) is None:
        raise _validation_error("captcha_not_waiting", captcha_id=str(requested), device=name)
    return job


async def _answer_captcha(
    coordinator: JDownloaderDeviceCoordinator, job: CaptchaJob, send: Callable[[], Awaitable[bool]]
) -> None:
    """Send one answer (solve or skip) exactly once, then refresh; errors translated."""
    try:
        await async_device_action(coordinator, send)
    except HomeAssistantError as err:
        cause = err.__cause__
        if isinstance(cause, JDownloaderApiError) and cause.error_type == "NOT_AVAILABLE":
            # CaptchaAPISolver: unknown or finished id (solved elsewhere, or timed out).
            raise _validation_error(
                "captcha_not_waiting", captcha_id=str(job.id), device=coordinator.device_name
            ) from cause
        if isinstance(cause, JDownloaderConnectionError | JDownloaderProtocolError) and not (
            isinstance(cause, JDownloaderDeviceOfflineError)
        ):
            _UNSURE.add(coordinator, job.id)  # it may have arrived: never sent twice
        raise


async def _async_solve_captcha(call: ServiceCall) -> None:
    solution = call.data[ATTR_SOLUTION].strip()
    if not solution:
        raise _validation_error("empty_solution")
    coordinator = _coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    job = _target_captcha(coordinator, call.data.get(ATTR_CAPTCHA_ID))
    if not has_image(job):
        raise _validation_error(
            "captcha_needs_browser", captcha_id=str(job.id), device=coordinator.device_name
        )
    device = coordinator.device
    await _answer_captcha(coordinator, job, lambda: device.captcha_solve(job.id, solution))


async def _async_skip_captcha(call: ServiceCall) -> None:
    coordinator = _coordinator(call.hass, call.data[ATTR_DEVICE_ID])
    job = _target_captcha(coordinator, call.data.get(ATTR_CAPTCHA_ID))
    skip_type = call.data[ATTR_TYPE].upper()
    device = coordinator.device
    await _answer_captcha(coordinator, job, lambda: device.captcha_skip(job.id, skip_type))


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions (once, from ``async_setup``)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_LINKS,
        _async_add_links,
        schema=ADD_LINKS_SCHEMA,  # type: ignore[arg-type, unused-ignore]
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_DOWNLOADS,
        _async_get_downloads,
        schema=GET_DOWNLOADS_SCHEMA,  # type: ignore[arg-type, unused-ignore]
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(DOMAIN, SERVICE_CLEANUP, _async_cleanup, schema=CLEANUP_SCHEMA)  # type: ignore[arg-type, unused-ignore]
    hass.services.async_register(
        DOMAIN,
        SERVICE_SOLVE_CAPTCHA,
        _async_solve_captcha,
        schema=SOLVE_CAPTCHA_SCHEMA,  # type: ignore[arg-type, unused-ignore]
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SKIP_CAPTCHA,
        _async_skip_captcha,
        schema=SKIP_CAPTCHA_SCHEMA,  # type: ignore[arg-type, unused-ignore]
    )
