"""The client's cloud gate: held-back requests never reach the cloud; answers are reported."""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
    MyJDownloaderClient,
    Secrets,
)
from tests.emulator import Emulator
from tests.fixtures import EMAIL


@dataclass
class RecordingGate:
    """A gate that says "wait" while ``closed`` and records what the client reports."""

    closed: float = 0.0
    reports: list[object] = field(default_factory=list)

    def wait(self) -> float:
        return self.closed

    def answered(self) -> None:
        self.reports.append("answered")

    def refused(self, retry_after: float | None) -> None:
        self.reports.append(("refused", retry_after))


async def test_closed_gate_sends_nothing(
    emulator: Emulator, http: aiohttp.ClientSession, secrets: Secrets
) -> None:
    """While the gate is closed, neither a device call nor a login reaches the cloud."""
    client = MyJDownloaderClient(http, EMAIL, secrets, api_url=emulator.api_url)
    gate = RecordingGate(closed=42.0)
    client.cloud_gate = gate
    with pytest.raises(JDownloaderRateLimitError) as info:
        await client.device(emulator.devices[0].id).poll()
    assert info.value.sent is False
    assert info.value.retry_after == 42.0
    assert sum(emulator.counters.values()) == 0
    assert gate.reports == []


async def test_answers_and_refusals_are_reported(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    """Every cloud answer is reported; a 429 as a refusal with its Retry-After."""
    gate = RecordingGate()
    client.cloud_gate = gate
    device = client.device(emulator.devices[0].id)
    await device.poll()  # login + poll
    assert gate.reports == ["answered", "answered"]
    gate.reports.clear()
    emulator.faults.add("rate_limit", endpoint="/polling/poll", transport="relay")
    with pytest.raises(JDownloaderRateLimitError) as info:
        await device.poll()
    assert info.value.sent is True
    assert gate.reports == [("refused", None)]
    gate.reports.clear()
    emulator.faults.add("overload", endpoint="/my/listdevices")
    with pytest.raises(JDownloaderServiceUnavailableError):
        await client.list_devices()
    assert gate.reports == [("refused", None)]


@pytest.mark.parametrize(
    ("kind", "reason"), [("empty_503", "OVERLOAD"), ("empty_502", "MAINTENANCE")]
)
async def test_bare_relay_status_backs_off(
    emulator: Emulator, client: MyJDownloaderClient, kind: str, reason: str
) -> None:
    """A relay answer with no error body reads like JD's own client reads it: the cloud is
    overloaded or in maintenance, so the back-off starts (it is not "the device is offline")."""
    gate = RecordingGate()
    client.cloud_gate = gate
    device = client.device(emulator.devices[0].id)
    await device.poll()
    gate.reports.clear()
    emulator.faults.add(kind, endpoint="/polling/poll", transport="relay")
    with pytest.raises(JDownloaderServiceUnavailableError) as info:
        await device.poll()
    assert info.value.reason == reason
    assert gate.reports == [("refused", None)]
