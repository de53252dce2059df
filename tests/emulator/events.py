"""Event subscriptions with a real long-poll (docs/protocol.md §9.15)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import itertools
import re
import time
from typing import Any

DEFAULT_POLL_TIMEOUT_MS = 25_000
DEFAULT_KEEPALIVE_MS = 120_000


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error:
            continue  # an invalid Java regex would match nothing either
    return compiled


@dataclass
class Subscriber:
    id: int
    subscriptions: list[str]
    exclusions: list[str]
    poll_timeout_ms: int = DEFAULT_POLL_TIMEOUT_MS
    keepalive_ms: int = DEFAULT_KEEPALIVE_MS
    queue: list[dict[str, Any]] = field(default_factory=list)
    collapse: dict[tuple[object, ...], int] = field(default_factory=dict)
    last_poll: float = field(default_factory=time.monotonic)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.set_lists(self.subscriptions, self.exclusions)

    def set_lists(self, subscriptions: list[str], exclusions: list[str]) -> None:
        self.subscriptions = list(subscriptions)
        self.exclusions = list(exclusions)
        self._subs = _compile(self.subscriptions)
        self._excl = _compile(self.exclusions)

    def wants(self, name: str) -> bool:
        # Java Matcher.find(): a match anywhere in "publisher.eventid".
        if not any(p.search(name) for p in self._subs):
            return False
        return not any(p.search(name) for p in self._excl)

    def expired(self, now: float) -> bool:
        return (now - self.last_poll) * 1000 > self.keepalive_ms

    def response(self, subscribed: bool = True) -> dict[str, Any]:
        return {
            "subscriptionid": self.id,
            "subscribed": subscribed,
            "subscriptions": self.subscriptions,
            "exclusions": self.exclusions,
            "maxPolltimeout": self.poll_timeout_ms,
            "maxKeepalive": self.keepalive_ms,
        }


UNKNOWN_SUBSCRIPTION: dict[str, Any] = {
    "subscriptionid": -1,
    "subscribed": False,
    "subscriptions": None,
    "exclusions": None,
    "maxPolltimeout": DEFAULT_POLL_TIMEOUT_MS,
    "maxKeepalive": DEFAULT_KEEPALIVE_MS,
}


class EventBus:
    """Publishers call publish(); subscribers drain their queue through listen()."""

    def __init__(self) -> None:
        self.subscribers: dict[int, Subscriber] = {}
        self._ids = itertools.count(int(time.time() * 1000))
        self.published: list[tuple[str, str, object]] = []  # every event, for tests

    def _get(self, sub_id: int) -> Subscriber | None:
        sub = self.subscribers.get(sub_id)
        if sub is not None and sub.expired(time.monotonic()):
            del self.subscribers[sub_id]
            return None
        return sub

    def publish(
        self, publisher: str, event_id: str, data: object = None, collapse: object = None
    ) -> None:
        self.published.append((publisher, event_id, data))
        if len(self.published) > 10_000:
            del self.published[:5_000]
        if not self.subscribers:
            return
        name = f"{publisher}.{event_id}"
        now = time.monotonic()
        # EventObjectStorable: "eventdata" in lower case; MyJD connections rename it (server.py).
        event: dict[str, Any] = {"publisher": publisher, "eventid": event_id}
        if data is not None:
            event["eventdata"] = data
        for sub_id, sub in list(self.subscribers.items()):
            if sub.expired(now):
                del self.subscribers[sub_id]
                continue
            if not sub.wants(name):
                continue
            key = (publisher, event_id, collapse) if collapse is not None else None
            if key is not None and key in sub.collapse:
                sub.queue[sub.collapse[key]] = event  # newer value replaces the queued one
            else:
                if key is not None:
                    sub.collapse[key] = len(sub.queue)
                sub.queue.append(event)
            sub.wakeup.set()

    def subscribe(self, subscriptions: list[str], exclusions: list[str]) -> dict[str, Any]:
        sub = Subscriber(next(self._ids), subscriptions, exclusions)
        self.subscribers[sub.id] = sub
        return sub.response()

    def get(self, sub_id: int) -> dict[str, Any]:
        sub = self._get(sub_id)
        return sub.response() if sub else dict(UNKNOWN_SUBSCRIPTION)

    def status(self, sub_id: int) -> dict[str, Any]:
        sub = self._get(sub_id)
        if sub is None:
            return {"subscriptionid": -1, "subscribed": False, "queueSize": 0}
        sub.last_poll = time.monotonic()
        return {"subscriptionid": sub.id, "subscribed": True, "queueSize": len(sub.queue)}

    def change_timeouts(self, sub_id: int, poll_ms: int, keepalive_ms: int) -> dict[str, Any]:
        sub = self._get(sub_id)
        if sub is None:
            return dict(UNKNOWN_SUBSCRIPTION)
        sub.poll_timeout_ms = _clamp(poll_ms, 1_000, 360_000)
        sub.keepalive_ms = _clamp(keepalive_ms, 30_000, 3_600_000)
        return sub.response()

    def set_subscription(
        self, sub_id: int, subscriptions: list[str], exclusions: list[str]
    ) -> dict[str, Any]:
        sub = self._get(sub_id)
        if sub is None:
            sub = Subscriber(sub_id, subscriptions, exclusions)
            self.subscribers[sub_id] = sub
        else:
            sub.set_lists(subscriptions, exclusions)
        return sub.response()

    def add_subscription(
        self, sub_id: int, subscriptions: list[str], exclusions: list[str]
    ) -> dict[str, Any]:
        sub = self._get(sub_id)
        if sub is None:
            return dict(UNKNOWN_SUBSCRIPTION)
        sub.set_lists(
            sub.subscriptions + [s for s in subscriptions if s not in sub.subscriptions],
            sub.exclusions + [s for s in exclusions if s not in sub.exclusions],
        )
        return sub.response()

    def remove_subscription(
        self, sub_id: int, subscriptions: list[str], exclusions: list[str]
    ) -> dict[str, Any]:
        sub = self._get(sub_id)
        if sub is None:
            return dict(UNKNOWN_SUBSCRIPTION)
        sub.set_lists(
            [s for s in sub.subscriptions if s not in subscriptions],
            [s for s in sub.exclusions if s not in exclusions],
        )
        return sub.response()

    def unsubscribe(self, sub_id: int) -> dict[str, Any]:
        sub = self.subscribers.pop(sub_id, None)
        if sub is None:
            return dict(UNKNOWN_SUBSCRIPTION)
        sub.wakeup.set()
        return sub.response(subscribed=False)

    async def listen(self, sub_id: int) -> list[dict[str, Any]] | None:
        """Block until an event is queued or the poll timeout passes; None = unknown id."""
        sub = self._get(sub_id)
        if sub is None:
            return None
        sub.last_poll = time.monotonic()
        if not sub.queue:
            sub.wakeup.clear()
            try:
                await asyncio.wait_for(sub.wakeup.wait(), sub.poll_timeout_ms / 1000)
            except TimeoutError:
                pass
        sub.last_poll = time.monotonic()
        events, sub.queue, sub.collapse = sub.queue, [], {}
        sub.wakeup.clear()
        return events

    def clear(self) -> None:
        """Device restart: subscriptions are lost; wake pending listeners."""
        for sub in self.subscribers.values():
            sub.wakeup.set()
        self.subscribers.clear()


PUBLISHERS: list[dict[str, Any]] = [
    {"publisher": "downloadwatchdog", "eventids": ["RUNNING", "PAUSED", "STOPPED", "UPDATE"]},
    {
        "publisher": "downloads",
        "eventids": [
            "REFRESH_STRUCTURE",
            "REMOVE_CONTENT",
            "REMOVE_PACKAGE",
            "REMOVE_LINK",
            "ADD_CONTENT",
            "ADD_PACKAGE",
            "ADD_LINK",
            "REFRESH_CONTENT",
            "LINK_UPDATE.finished",
            "LINK_UPDATE.running",
            "LINK_UPDATE.bytesLoaded",
            "LINK_UPDATE.speed",
            "LINK_UPDATE.status",
            "LINK_UPDATE.enabled",
            "PACKAGE_UPDATE.running",
            "PACKAGE_UPDATE.status",
            "PACKAGE_UPDATE.enabled",
        ],
    },
    {"publisher": "linkcollector", "eventids": ["CONTENT_ADDED", "LINK_ADDED", "CONTENT_REMOVED"]},
    {"publisher": "captchas", "eventids": ["NEW", "DONE"]},
]
