"""JDownloaders the account stopped listing: removed after a grace period (``STALE_DEVICE_GRACE``).

A JDownloader that is briefly signed out (reinstalled, its MyJDownloader login changed, offline
for a holiday) keeps its device, entities and history; one gone for longer than the grace period
is removed from Home Assistant. When it was first missed is stored per entry, so restarts of
Home Assistant do not restart the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, STALE_DEVICE_GRACE

_VERSION = 1


class StaleDevices:
    """When each unlisted JDownloader of one account entry was first missed."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Bind to the entry's store (loaded by :meth:`async_load`)."""
        self._store: Store[dict[str, str]] = Store(hass, _VERSION, f"{DOMAIN}.{entry_id}.unlisted")
        self._missed: dict[str, datetime] = {}

    async def async_load(self) -> None:
        """Read what earlier runs recorded."""
        stored = await self._store.async_load() or {}
        for device_id, since in stored.items():
            if (parsed := dt_util.parse_datetime(since)) is not None:
                self._missed[device_id] = parsed

    def due(self, registered: Iterable[str], listed: Iterable[str]) -> list[str]:
        """Registered JDownloaders missing from the list for longer than the grace period.

        Starts the clock for newly missing ones and stops it for those listed again.
        """
        now = dt_util.utcnow()
        listed_ids = set(listed)
        missing = set(registered) - listed_ids
        before = dict(self._missed)
        self._missed = {d: self._missed.get(d, now) for d in missing}
        due = sorted(d for d, since in self._missed.items() if now - since >= STALE_DEVICE_GRACE)
        for device_id in due:
            del self._missed[device_id]
        if self._missed != before:
            self._store.async_delay_save(self._data, 1)
        return due

    def _data(self) -> dict[str, str]:
        return {device_id: since.isoformat() for device_id, since in self._missed.items()}

    async def async_remove(self) -> None:
        """Forget everything (the entry is deleted)."""
        await self._store.async_remove()
