"""Query results with the omit-defaults rule (docs/protocol.md §10), cached per (query, state version)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
import json
from typing import TYPE_CHECKING, Any

from .model import Account, Link, Package
from .protocol import RawJson

if TYPE_CHECKING:
    from .device import SimDevice

type Getter = Callable[[Any], object]
type Field = tuple[str, str, Getter, object]  # (query flag, output key, getter, default)

CACHE_SIZE = 16


def link_status(link: Link) -> tuple[str | None, str | None]:
    """Display status and icon key (locale-dependent text on a real JD; English here)."""
    if link.finished:
        return "Finished", "true"
    if link.failed:
        return ("File not found", "false") if link.final_state == "OFFLINE" else ("Failed", "false")
    if link.skipped:
        return "Skipped", "skipped"
    if link.running:
        return "Running", "run"
    if link.condition is not None:
        return str(link.condition.get("label", "Waiting")), "wait"
    if not link.enabled:
        return None, None
    return None, None


def link_eta(link: Link) -> int:
    if link.running and link.speed > 0:
        return (link.bytes_total - link.bytes_loaded) // link.speed
    return -1


def advanced_status(link: Link) -> dict[str, Any] | None:
    if link.finished:
        return {"FinalLinkState": {"iconKey": "true", "label": "Finished", "id": "FINISHED"}}
    # DownloadsAPIV2Impl.setStatus: one entry per kind, each {iconKey, label, id[, ...]}.
    if link.failed:
        label = link_status(link)[0]
        return {"FinalLinkState": {"iconKey": "false", "label": label, "id": link.final_state}}
    if link.skipped:
        return {"SkipReason": {"iconKey": "skipped", "label": "Skipped", "id": link.skip_reason}}
    if link.condition is not None and not link.running:
        return {"ConditionalSkipReason": {"iconKey": "wait", "label": "Waiting", **link.condition}}
    if link.running:
        return {
            "PluginProgress": {
                "iconKey": "run",
                "current": link.bytes_loaded,
                "total": link.bytes_total,
                "eta": link_eta(link),
                "label": "Running",
                "id": "DownloadPluginProgress",
            },
            "SingleDownloadController": {"iconKey": "run", "label": "Running"},
        }
    return None


def _priority(value: str) -> str:
    # LOW and LOWEST come back as LOWER on a real device.
    return "LOWER" if value in ("LOW", "LOWEST") else value


_COMMON_LINK_FIELDS: list[Field] = [
    ("bytesTotal", "bytesTotal", lambda lk: lk.bytes_total, -1),
    ("enabled", "enabled", lambda lk: lk.enabled, False),
    ("host", "host", lambda lk: lk.host, None),
    ("url", "url", lambda lk: lk.url, None),
    ("comment", "comment", lambda lk: lk.comment, None),
    ("password", "downloadPassword", lambda lk: lk.password, None),
    ("priority", "priority", lambda lk: _priority(lk.priority), "DEFAULT"),
    ("addedDate", "addedDate", lambda lk: lk.added_date, -1),
    ("jobUUID", "jobUUID", lambda lk: lk.job_uuid, -1),
]

DOWNLOAD_LINK_FIELDS: list[Field] = [
    *_COMMON_LINK_FIELDS,
    ("bytesLoaded", "bytesLoaded", lambda lk: lk.bytes_loaded, -1),
    ("speed", "speed", lambda lk: lk.speed if lk.running else 0, -1),
    ("eta", "eta", link_eta, -1),
    ("finished", "finished", lambda lk: lk.finished, False),
    ("finishedDate", "finishedDate", lambda lk: lk.finished_date, -1),
    ("running", "running", lambda lk: lk.running, False),
    ("skipped", "skipped", lambda lk: lk.skipped, False),
    ("status", "status", lambda lk: link_status(lk)[0], None),
    ("status", "statusIconKey", lambda lk: link_status(lk)[1], None),
    ("advancedStatus", "advancedStatus", advanced_status, None),
    ("extractionStatus", "extractionStatus", lambda lk: lk.extraction_status, None),
]

CRAWLED_LINK_FIELDS: list[Field] = [
    *_COMMON_LINK_FIELDS,
    ("availability", "availability", lambda lk: lk.availability, None),
]


class _PackageView:
    """Aggregates of one package, computed once per serialization."""

    def __init__(self, package: Package, links: dict[int, Link]) -> None:
        self.package = package
        children = [links[u] for u in package.links if u in links]
        self.children = children
        self.bytes_total = sum(c.bytes_total for c in children)
        self.bytes_loaded = sum(c.bytes_loaded for c in children)
        self.speed = sum(c.speed for c in children if c.running)
        self.running = any(c.running for c in children)
        self.enabled = any(c.enabled for c in children)
        self.finished = bool(children) and all(c.finished for c in children)
        remaining = sum(
            c.bytes_total - c.bytes_loaded
            for c in children
            if c.enabled and not (c.finished or c.failed or c.skipped)
        )
        self.eta = remaining // self.speed if self.running and self.speed > 0 else -1
        self.hosts = sorted({c.host for c in children})
        self.counts = {
            a: sum(1 for c in children if c.availability == a)
            for a in ("ONLINE", "OFFLINE", "TEMP_UNKNOWN", "UNKNOWN")
        }

    @property
    def status(self) -> tuple[str | None, str | None]:
        if self.finished:
            return "Finished", "true"
        if self.running and self.eta >= 0:
            return "Running", "run"
        return None, None


_COMMON_PACKAGE_FIELDS: list[Field] = [
    ("bytesTotal", "bytesTotal", lambda v: v.bytes_total, -1),
    ("enabled", "enabled", lambda v: v.enabled, False),
    ("comment", "comment", lambda v: v.package.comment, None),
    ("priority", "priority", lambda v: _priority(v.package.priority), "DEFAULT"),
    ("childCount", "childCount", lambda v: len(v.children), -1),
    ("hosts", "hosts", lambda v: v.hosts, None),
    ("saveTo", "saveTo", lambda v: v.package.save_to, None),
    ("status", "status", lambda v: v.status[0], None),
    ("status", "statusIconKey", lambda v: v.status[1], None),
]

DOWNLOAD_PACKAGE_FIELDS: list[Field] = [
    *_COMMON_PACKAGE_FIELDS,
    ("bytesLoaded", "bytesLoaded", lambda v: v.bytes_loaded, -1),
    ("speed", "speed", lambda v: v.speed, -1),
    ("eta", "eta", lambda v: v.eta, -1),
    ("finished", "finished", lambda v: v.finished, False),
    ("running", "running", lambda v: v.running, False),
]

CRAWLED_PACKAGE_FIELDS: list[Field] = [
    *_COMMON_PACKAGE_FIELDS,
    ("availableOnlineCount", "onlineCount", lambda v: v.counts["ONLINE"], -1),
    ("availableOfflineCount", "offlineCount", lambda v: v.counts["OFFLINE"], -1),
    ("availableTempUnknownCount", "tempUnknownCount", lambda v: v.counts["TEMP_UNKNOWN"], -1),
    ("availableUnknownCount", "unknownCount", lambda v: v.counts["UNKNOWN"], -1),
]


def _requested(fields: list[Field], query: dict[str, Any]) -> list[tuple[str, Getter, object]]:
    return [
        (key, getter, default) for flag, key, getter, default in fields if query.get(flag) is True
    ]


def _id_filter(query: dict[str, Any], key: str) -> set[int] | None:
    value = query.get(key)
    if isinstance(value, list) and value:
        return {v for v in value if isinstance(v, int)}
    return None


def _page(items: list[Any], query: dict[str, Any]) -> list[Any]:
    start = query.get("startAt")
    start = start if isinstance(start, int) and start > 0 else 0
    limit = query.get("maxResults")
    if isinstance(limit, int) and limit >= 0:
        return items[start : start + limit]
    return items[start:]


def iter_links(packages: dict[int, Package], links: dict[int, Link]) -> Iterator[Link]:
    """All links in list order (package order, then child order)."""
    for package in packages.values():
        for uuid in package.links:
            link = links.get(uuid)
            if link is not None:
                yield link


def select_links(
    packages: dict[int, Package], links: dict[int, Link], query: dict[str, Any]
) -> list[Link]:
    """Filter precedence: linkUUIDs, else packageUUIDs, then jobUUIDs; paging last."""
    link_ids = _id_filter(query, "linkUUIDs")
    package_ids = _id_filter(query, "packageUUIDs")
    job_ids = _id_filter(query, "jobUUIDs")
    if link_ids is not None:
        selected = [lk for lk in iter_links(packages, links) if lk.uuid in link_ids]
    elif package_ids is not None:
        chosen = {u: p for u, p in packages.items() if u in package_ids}
        selected = list(iter_links(chosen, links))
    else:
        selected = list(iter_links(packages, links))
    if job_ids is not None:
        selected = [lk for lk in selected if lk.job_uuid in job_ids]
    return _page(selected, query)


def serialize_links(
    packages: dict[int, Package], links: dict[int, Link], query: dict[str, Any], crawled: bool
) -> str:
    wanted = _requested(CRAWLED_LINK_FIELDS if crawled else DOWNLOAD_LINK_FIELDS, query)
    out = []
    for link in select_links(packages, links, query):
        item: dict[str, Any] = {
            "name": link.name,
            "uuid": link.uuid,
            "packageUUID": link.package_uuid,
        }
        for key, getter, default in wanted:
            value = getter(link)
            if value != default:
                item[key] = value
        out.append(item)
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def serialize_packages(
    packages: dict[int, Package], links: dict[int, Link], query: dict[str, Any], crawled: bool
) -> str:
    wanted = _requested(CRAWLED_PACKAGE_FIELDS if crawled else DOWNLOAD_PACKAGE_FIELDS, query)
    package_ids = _id_filter(query, "packageUUIDs")
    selected = [p for u, p in packages.items() if package_ids is None or u in package_ids]
    out = []
    for package in _page(selected, query):
        item: dict[str, Any] = {"name": package.name, "uuid": package.uuid}
        if wanted:
            view = _PackageView(package, links)
            for key, getter, default in wanted:
                value = getter(view)
                if value != default and value != []:
                    item[key] = value
        out.append(item)
    return json.dumps(out, separators=(",", ":"), ensure_ascii=False)


def cached_query(dev: SimDevice, kind: str, query: dict[str, Any]) -> RawJson:
    """Serialized result of a query, reused while the device state version is unchanged."""
    key = (kind, json.dumps(query, sort_keys=True))
    hit = dev.query_cache.get(key)
    if hit is not None and hit[0] == dev.version:
        dev.query_cache_hits += 1
        return hit[1]
    if kind == "links":
        text = serialize_links(dev.packages, dev.links, query, crawled=False)
    elif kind == "packages":
        text = serialize_packages(dev.packages, dev.links, query, crawled=False)
    elif kind == "crawled_links":
        text = serialize_links(dev.crawled_packages, dev.crawled_links, query, crawled=True)
    else:
        text = serialize_packages(dev.crawled_packages, dev.crawled_links, query, crawled=True)
    result = RawJson(text)
    if len(dev.query_cache) >= CACHE_SIZE:
        dev.query_cache.pop(next(iter(dev.query_cache)))
    dev.query_cache[key] = (dev.version, result)
    return result


ACCOUNT_FIELDS: list[Field] = [
    ("userName", "username", lambda a: a.username, None),
    ("enabled", "enabled", lambda a: a.enabled, False),
    ("valid", "valid", lambda a: a.valid, False),
    ("validUntil", "validUntil", lambda a: a.valid_until, -1),
    ("trafficLeft", "trafficLeft", lambda a: a.traffic_left, -1),
    ("trafficMax", "trafficMax", lambda a: a.traffic_max, -1),
    ("error", "errorString", lambda a: a.error_string, None),
]


def serialize_accounts(accounts: Iterable[Account], query: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = _requested(ACCOUNT_FIELDS, query)
    ids = _id_filter(query, "uuidlist")
    out = []
    for account in accounts:
        if ids is not None and account.uuid not in ids:
            continue
        item: dict[str, Any] = {"uuid": account.uuid, "hostname": account.hostname}
        if account.error_type is not None:
            item["errorType"] = account.error_type
        for key, getter, default in wanted:
            value = getter(account)
            if value != default:
                item[key] = value
        out.append(item)
    return _page(out, query)
