"""JDownloader's event API as a doorbell: a long-poll that asks for a refresh when something moves.

``events/subscribe`` + ``events/listen`` never report anything themselves: when events arrive,
the detector gets an immediate poll and a structure check, so polling and the event API can never
report the same thing twice. It runs on direct and local connections, where a held request costs
the cloud nothing; over the relay a ``listen`` holds a cloud request open, so it is off there by
default and, if enabled, its poll timeout stays below 20 s.

Subscriptions do not survive a JDownloader restart: ``listen`` then answers 404
``FILE_NOT_FOUND`` and the doorbell subscribes again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from typing import Final

from .api import Connection, JDownloaderApiError, JDownloaderDevice, JDownloaderError

SUBSCRIPTIONS: Final = [
    r"^downloadwatchdog\.",
    r"^downloads\.(LINK_UPDATE\.(finished|running|status|enabled|skipped|reset)"
    r"|PACKAGE_UPDATE\.(status|running)|(ADD|REMOVE)_(PACKAGE|LINK)|REFRESH_STRUCTURE)$",
    r"^captchas\.",
]
RELAY_POLL_TIMEOUT_MS: Final = 19_000  # proxies on the way may cut requests held for 20 s+
KEEPALIVE_MS: Final = 120_000
MIN_REFRESH_GAP: Final = 1.0  # s between event-triggered refreshes (interval events come at 1 Hz)
RETRY_INITIAL: Final = 2.0
RETRY_MAX: Final = 300.0


class Doorbell:
    """The listen loop of one JDownloader; started and stopped as its connection changes."""

    def __init__(
        self,
        device: JDownloaderDevice,
        ring: Callable[[], Awaitable[None]],
        *,
        cloud_wait: Callable[[], float],
        alive: Callable[[], bool],
    ) -> None:
        """``ring`` refreshes; ``cloud_wait`` is the entry's cloud back-off in seconds;
        ``alive`` turns False once the JDownloader was removed from Home Assistant."""
        self._device = device
        self._ring = ring
        self._cloud_wait = cloud_wait
        self._alive = alive
        self.relay_long_poll = False  # measured, not the default: see the module docstring
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    def follow(self, connection: Connection) -> None:
        """Run the long-poll while the connection makes it cheap; stop it otherwise."""
        wanted = not self._stopped and (not connection.uses_cloud or self.relay_long_poll)
        running = self._task is not None and not self._task.done()
        if wanted and not running:
            # A plain task, not a HA background task: it never ends on its own, and
            # hass.async_block_till_done(wait_background_tasks=True) would wait for it.
            self._task = asyncio.get_running_loop().create_task(
                self._loop(), name=f"jdownloader listen {self._device.id}"
            )
        elif not wanted and running and self._task is not None:
            self._task.cancel()

    def cancel(self) -> None:
        """Stop for good (Home Assistant shuts down)."""
        self._stopped = True
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        """Stop and wait for the loop to end (on unload)."""
        self.cancel()
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _loop(self) -> None:
        subscription: int | None = None
        delay = 0.0
        while True:
            if delay:
                await asyncio.sleep(delay)
            if (wait := self._cloud_wait()) > 0:
                # The cloud asked the entry to slow down: the doorbell waits with the polls.
                await asyncio.sleep(wait)
            if not self._alive():
                return
            try:
                if subscription is None:
                    subscription = await self._subscribe()
                    # Catch up with whatever happened while nobody listened.
                    await self._ring()
                events = await self._device.events_listen(subscription)
            except JDownloaderApiError as err:
                if err.error_type == "FILE_NOT_FOUND":
                    subscription = None  # JDownloader restarted or the subscription expired
                delay = _next_delay(delay)
                continue
            except JDownloaderError:
                delay = _next_delay(delay)
                continue
            delay = 0.0
            if events:
                await self._ring()
                await asyncio.sleep(MIN_REFRESH_GAP)

    async def _subscribe(self) -> int:
        device = self._device
        subscription = await device.events_subscribe(list(SUBSCRIPTIONS), [])
        if device.connection_type.uses_cloud:
            await device.events_change_timeouts(
                subscription.subscription_id, RELAY_POLL_TIMEOUT_MS, KEEPALIVE_MS
            )
        return subscription.subscription_id


def _next_delay(delay: float) -> float:
    return min(RETRY_MAX, delay * 2) if delay else RETRY_INITIAL
