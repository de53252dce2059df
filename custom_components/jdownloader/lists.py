"""The to-do lists' items: what a person scans a download list for (pure: no HA, no I/O).

The package rows come from the event detector's reads (detector.py): it reads them only when the
structure changed, a package stopped running or an action ran, never on a timer. Between those
reads the running packages' speed, time left and finished files come live with every poll
(``downloadProgress``, ``PollingAPIFilePackageStorable``), at no extra request.

Items are built per package and cached by their inputs (:class:`ItemCache`), so a poll rebuilds
only the packages that changed, not thousands of items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .api import RunningPackage
from .tracker import (
    BLOCK_FAILED,
    BLOCK_OFFLINE,
    BLOCK_SKIPPED,
    CHILDREN,
    FINISHED,
    NAME,
    PACKAGE_FIELDS,
    SIZE,
    PackageRow,
    digest_packages,
)

# Read with PACKAGE_FIELDS in the same queryPackages (no request of its own).
VIEW_FIELDS: Final = ("bytes_loaded", "speed", "eta")
LIST_PACKAGE_FIELDS: Final = (*PACKAGE_FIELDS, *VIEW_FIELDS)

# (bytes_loaded, speed, eta) of a package as last read; -1 where unknown.
type PackageView = tuple[int, int, int]


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def digest_packages_and_views(
    rows: list[tuple[Any, ...]],
) -> tuple[dict[int, PackageRow], dict[int, PackageView]]:
    """Rows of :data:`LIST_PACKAGE_FIELDS` → the tracker's rows and the lists' views (executor-
    safe). Both dicts keep JDownloader's package order."""
    width = len(PACKAGE_FIELDS)
    packages = digest_packages([row[:width] for row in rows])
    views = {
        int(row[0]): (_int(row[width]), _int(row[width + 1]), _int(row[width + 2])) for row in rows
    }
    return packages, views


@dataclass(slots=True, frozen=True)
class Item:
    """One to-do item, independent of Home Assistant's TodoItem."""

    uid: str
    summary: str
    completed: bool
    description: str


_UNITS: Final = ("B", "kB", "MB", "GB", "TB")


def human_bytes(value: int) -> str:
    """Decimal units, as JDownloader shows sizes: 1.2 GB."""
    size = float(max(value, 0))
    for unit in _UNITS:
        if size < 1000 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError  # unreachable


def human_duration(seconds: int) -> str:
    """``1:02:03`` / ``2:03``."""
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(slots=True, frozen=True)
class Status:
    """What the tracker knows about one package beyond its row."""

    extracting: bool = False
    extraction_failed: str | None = None
    blocked: tuple[tuple[str, int], ...] = ()
    captcha: bool = False


NO_STATUS: Final = Status()

_BLOCK_TEXT: Final = {BLOCK_FAILED: "failed", BLOCK_OFFLINE: "offline", BLOCK_SKIPPED: "skipped"}


def download_item(
    uuid: int,
    row: PackageRow,
    view: PackageView | None,
    running: RunningPackage | None,
    status: Status,
) -> Item:
    """The Downloads list's item of one package.

    Completed = downloaded and usable: finished, and no extraction pending or failed.
    """
    total = row[SIZE]
    loaded, speed, eta = view if view is not None else (-1, -1, -1)
    files_done = -1
    if running is not None:
        # Live from the poll; the loaded bytes follow from size, speed and time left.
        speed, eta, files_done = running.speed, running.eta, running.done
        if running.size >= 0:
            total = running.size
        if speed >= 0 and eta >= 0 and total >= 0:
            loaded = max(total - speed * eta, loaded, 0)
    finished = row[FINISHED]
    if finished:
        loaded = total if total >= 0 else loaded
        files_done = row[CHILDREN]
    parts: list[str] = []
    if total > 0 and loaded >= 0:
        parts.append(f"{min(100, loaded * 100 // total)} %")
        parts.append(f"{human_bytes(loaded)} / {human_bytes(total)}")
    elif total >= 0:
        parts.append(human_bytes(total))
    if running is not None and speed > 0:
        parts.append(f"{human_bytes(speed)}/s")
        if eta >= 0:
            parts.append(f"{human_duration(eta)} left")
    children = row[CHILDREN]
    if children >= 0:
        parts.append(f"{files_done}/{children} files" if files_done >= 0 else f"{children} files")
    for block, count in status.blocked:
        parts.append(f"{count} {_BLOCK_TEXT.get(block, block)}")
    if status.captcha:
        parts.append("waiting for a captcha")
    if status.extracting:
        parts.append("extracting")
    if status.extraction_failed is not None:
        parts.append(f"extraction failed ({status.extraction_failed})")
    completed = finished and not status.extracting and status.extraction_failed is None
    return Item(str(uuid), row[NAME], completed, " · ".join(parts))


class ItemCache[T]:
    """Items by package, rebuilt (and converted, e.g. to Home Assistant's TodoItem) only when
    their inputs changed."""

    def __init__(self, convert: Callable[[Item], T]) -> None:
        self._convert = convert
        self._items: dict[int, tuple[tuple[object, ...], T]] = {}
        self._list: list[T] = []
        self._index: dict[int, int] = {}

    def build(
        self,
        packages: Mapping[int, PackageRow],
        views: Mapping[int, PackageView],
        running: Mapping[int, RunningPackage],
        status: Callable[[int], Status],
    ) -> list[T]:
        """Every package's item, in JDownloader's order; unchanged ones from the cache."""
        old = self._items
        new: dict[int, tuple[tuple[object, ...], T]] = {}
        items: list[T] = []
        for uuid, row in packages.items():
            view, live, known = views.get(uuid), running.get(uuid), status(uuid)
            inputs = (row, view, live, known)
            cached = old.get(uuid)
            if cached is not None and cached[0] == inputs:
                item = cached[1]
            else:
                item = self._convert(download_item(uuid, row, view, live, known))
            new[uuid] = (inputs, item)
            items.append(item)
        self._items = new
        self._list = items
        self._index = {uuid: index for index, uuid in enumerate(new)}
        return items

    def refresh(
        self,
        uuids: Iterable[int],
        packages: Mapping[int, PackageRow],
        views: Mapping[int, PackageView],
        running: Mapping[int, RunningPackage],
        status: Callable[[int], Status],
    ) -> list[T]:
        """Only ``uuids`` changed (no check came in since :meth:`build`): rebuild just those."""
        items = list(self._list)
        for uuid in uuids:
            if (index := self._index.get(uuid)) is None or (row := packages.get(uuid)) is None:
                continue
            view, live, known = views.get(uuid), running.get(uuid), status(uuid)
            inputs = (row, view, live, known)
            if self._items[uuid][0] != inputs:
                item = self._convert(download_item(uuid, row, view, live, known))
                self._items[uuid] = (inputs, item)
                items[index] = item
        self._list = items
        return items


def crawled_item(uuid: int, name: str, size: int, links: int, hosts: Iterable[str]) -> Item:
    """The Linkgrabber list's item of one package (always to do: checking it confirms it)."""
    parts = [human_bytes(size)] if size >= 0 else []
    if links >= 0:
        parts.append(f"{links} files")
    if host_text := ", ".join(hosts):
        parts.append(host_text)
    return Item(str(uuid), name, False, " · ".join(parts))
