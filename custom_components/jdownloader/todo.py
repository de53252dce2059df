"""To-do lists: the download list and the linkgrabber of each JDownloader, one item per package.

*Downloads* items come from the event detector's package reads (detector.py), so the list costs
no request of its own; between reads the running packages' progress comes with every poll.
*Linkgrabber* items are read (``linkgrabberv2/queryPackages``) only when the poll's linkgrabber
counts or state change, or after an action from Home Assistant: nothing in a steady state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.todo import TodoItem, TodoListEntity
from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import AddLinksRequest, JDownloaderError, RunningPackage
from .const import DOMAIN, LOGGER
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .detector import EventDetector
from .entity import JDownloaderEntity, async_add_device_entities, async_device_action
from .lists import NO_STATUS, Item, ItemCache, Status, crawled_item
from .services import parse_links
from .tracker import FINISHED

PARALLEL_UPDATES = 1

DOWNLOADS = EntityDescription(key="downloads_list", translation_key="downloads")
LINKGRABBER = EntityDescription(key="linkgrabber_list", translation_key="linkgrabber")

# Fields of a linkgrabber package item (model names, see api/models.py).
CRAWLED_FIELDS = ("bytes_total", "child_count", "hosts")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the two lists of every JDownloader."""
    async_add_device_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [
            DownloadsTodoList(coordinator, DOWNLOADS),
            LinkgrabberTodoList(coordinator, LINKGRABBER),
        ],
    )


def _todo_item(item: Item) -> TodoItem:
    return TodoItem(
        summary=item.summary,
        uid=item.uid,
        status=TodoItemStatus.COMPLETED if item.completed else TodoItemStatus.NEEDS_ACTION,
        description=item.description,
    )


def _refuse(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


@dataclass(frozen=True, slots=True)
class _Built:
    """What the Downloads items were last built from."""

    checked: int
    running: tuple[RunningPackage, ...]
    captchas: frozenset[int]


class _JDownloaderTodoList(JDownloaderEntity, TodoListEntity):
    """What both lists share: adding links, items by uid, the refresh after an action."""

    _autostart = False
    _items: list[TodoItem] | None = None
    _revision = 0  # counts the item lists built: the state is written when it moved

    def _set_items(self, items: list[TodoItem]) -> None:
        self._items = items
        self._revision += 1

    def _state_values(self) -> object:
        return self._revision

    @property
    def todo_items(self) -> list[TodoItem] | None:
        """The items, built when the data changed (not a cached property here)."""
        return self._items

    def _package_ids(self, uids: list[str]) -> list[int]:
        known = {item.uid for item in self._items or ()}
        ids: list[int] = []
        for uid in uids:
            if uid not in known:
                raise _refuse("todo_item_not_found", item=uid)
            ids.append(int(uid))
        return ids

    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add the links found in the item's text, once (as ``jdownloader.add_links``)."""
        links, data_urls = parse_links(" ".join(filter(None, (item.summary, item.description))))
        request = AddLinksRequest(links=links, data_urls=data_urls, autostart=self._autostart)
        device = self.coordinator.device
        await self._action(lambda: device.add_links(request))

    async def _action(self, action: Callable[[], Awaitable[object]]) -> None:
        """Run a command once; the refresh after it reads the package list again."""
        self._after_action()
        await async_device_action(self.coordinator, action)

    def _after_action(self) -> None:
        """Re-read the list with the refresh that follows the action."""


class DownloadsTodoList(_JDownloaderTodoList):
    """The download list: one item per package, completed once its files are usable."""

    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
    )
    # Added links go straight to the download list and start (autostart).
    _autostart = True

    def __init__(
        self, coordinator: JDownloaderDeviceCoordinator, description: EntityDescription
    ) -> None:
        """Bind to the JDownloader's coordinator (and, once added, its detector)."""
        super().__init__(coordinator, description)
        self._cache = ItemCache(_todo_item)
        self._detector: EventDetector | None = None
        self._built: _Built | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the detector's checks; build the items it already has."""
        await super().async_added_to_hass()
        detectors = self.coordinator.config_entry.runtime_data.detectors
        self._detector = detectors.get(self.coordinator.device_id)
        if self._detector is not None:
            self.async_on_remove(self._detector.async_add_check_listener(self._on_check))
        self._rebuild()
        self._remember_written()

    @callback
    def _on_check(self) -> None:
        if self._rebuild():
            self.async_write_state()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._rebuild()
        super()._handle_coordinator_update()

    def _rebuild(self) -> bool:
        """Build the items if a check or the running packages changed; True if it did."""
        detector, data = self._detector, self.coordinator.data
        if detector is None or detector.checked is None or data is None:
            return False
        running = {p.uuid: p for p in data.poll.running_packages or ()}
        captchas = frozenset(job.link for job in data.poll.captchas or ())
        key = _Built(detector.checked, tuple(running.values()), captchas)
        if key == self._built:
            return False
        built, self._built = self._built, key
        state = detector.state
        waiting = {
            package
            for package, names in state.names.items()
            if captchas and not captchas.isdisjoint(names)
        }

        def status(uuid: int) -> Status:
            extracting = uuid in state.extracting
            failed = state.extraction_failed.get(uuid)
            blocked = state.blocked.get(uuid)
            if not (extracting or failed or blocked or uuid in waiting):
                return NO_STATUS
            return Status(
                extracting=extracting,
                extraction_failed=failed,
                blocked=tuple(sorted(blocked.items())) if blocked else (),
                captcha=uuid in waiting,
            )

        if built is not None and built.checked == key.checked and built.captchas == captchas:
            # Only the running packages moved (a poll while downloading): just those items.
            changed = {p.uuid for p in built.running} | set(running)
            self._set_items(
                self._cache.refresh(changed, state.rows, detector.views, running, status)
            )
        else:
            self._set_items(self._cache.build(state.rows, detector.views, running, status))
        return True

    def _after_action(self) -> None:
        if self._detector is not None:
            self._detector.async_check_everything()

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Remove the packages from JDownloader's list; their files stay on disk."""
        ids = self._package_ids(uids)
        device = self.coordinator.device
        await self._action(
            lambda: device.cleanup(
                "downloads", "DELETE_ALL", "REMOVE_LINKS_ONLY", "SELECTED", package_ids=ids
            )
        )

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """JDownloader decides when a package is done: checking, unchecking and renaming are
        refused (unchecking would mean downloading again, which deletes the files)."""
        assert item.uid is not None
        (uuid,) = self._package_ids([item.uid])
        current = next(i for i in self._items or () if i.uid == item.uid)
        if item.summary != current.summary:
            raise _refuse("todo_rename_unsupported")
        if item.status != current.status:
            row = self._detector.state.rows.get(uuid) if self._detector else None
            finished = row is not None and row[FINISHED]
            raise _refuse(
                "todo_uncheck_unsupported" if finished else "todo_check_unsupported",
                package=current.summary or "",
            )
        # Only the description changed (it is computed): nothing to do.


class LinkgrabberTodoList(_JDownloaderTodoList):
    """The linkgrabber: checking a package moves it to the download list."""

    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
    )

    def __init__(
        self, coordinator: JDownloaderDeviceCoordinator, description: EntityDescription
    ) -> None:
        """Bind to the JDownloader's coordinator."""
        super().__init__(coordinator, description)
        self._read_key: tuple[object, ...] | None = None
        self._stale = True  # read at the first poll, then on changes only
        self._reading: asyncio.Task[None] | None = None

    async def async_added_to_hass(self) -> None:
        """Read the linkgrabber once the first poll is in."""
        await super().async_added_to_hass()
        self._handle_coordinator_update()

    async def async_will_remove_from_hass(self) -> None:
        """No read may outlive the entity."""
        if self._reading is not None and not self._reading.done():
            self._reading.cancel()
        await super().async_will_remove_from_hass()

    def _after_action(self) -> None:
        self._stale = True

    @callback
    def _handle_coordinator_update(self) -> None:
        data = self.coordinator.data
        if data is not None and self.coordinator.last_update_success:
            agg = data.poll.aggregated
            key = (
                (agg.crawled_package_count, agg.crawled_links_count, agg.total_crawled_bytes)
                if agg is not None
                else None,
                data.poll.linkgrabber_state,
            )
            if (key != self._read_key or self._stale) and (
                self._reading is None or self._reading.done()
            ):
                self._read_key, self._stale = key, False
                self._reading = self.hass.async_create_task(
                    self._read(), f"jdownloader linkgrabber {self.coordinator.device_id}"
                )
        super()._handle_coordinator_update()

    async def _read(self) -> None:
        try:
            packages = await self.coordinator.device.linkgrabber_query_packages(CRAWLED_FIELDS)
        except JDownloaderError as err:
            LOGGER.debug(
                "Linkgrabber of %s not read: %s", self.coordinator.device_name, type(err).__name__
            )
            self._stale = True  # try again with the next poll
            return
        self._set_items(
            [
                _todo_item(crawled_item(p.uuid, p.name, p.bytes_total, p.child_count, p.hosts))
                for p in packages
            ]
        )
        self.async_write_state()

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Remove the packages from the linkgrabber."""
        ids = self._package_ids(uids)
        device = self.coordinator.device
        await self._action(
            lambda: device.cleanup(
                "linkgrabber", "DELETE_ALL", "REMOVE_LINKS_ONLY", "SELECTED", package_ids=ids
            )
        )

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Checking a package confirms it: it moves to the download list."""
        assert item.uid is not None
        (uuid,) = self._package_ids([item.uid])
        current = next(i for i in self._items or () if i.uid == item.uid)
        if item.summary != current.summary:
            raise _refuse("todo_rename_unsupported")
        if item.status == TodoItemStatus.COMPLETED:
            device = self.coordinator.device
            await self._action(lambda: device.move_to_download_list([], [uuid]))
