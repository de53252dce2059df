"""What a config entry holds (runtime data) and what one poll of a JDownloader returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import Connection, MyJDownloaderClient, PollResult, ToolbarStatus
from .backoff import ServiceBackoff
from .slow_data import SlowData

if TYPE_CHECKING:
    from .coordinator import JDownloaderAccountCoordinator, JDownloaderDeviceCoordinator
    from .detector import EventDetector

type JDownloaderConfigEntry = ConfigEntry[JDownloaderRuntimeData]


@dataclass
class JDownloaderRuntimeData:
    """Objects shared by the platforms of one config entry."""

    client: MyJDownloaderClient | None
    account: JDownloaderAccountCoordinator | None
    devices: dict[str, JDownloaderDeviceCoordinator]
    backoff: ServiceBackoff = field(default_factory=ServiceBackoff)
    # One event detector per JDownloader, by device id (detector.py).
    detectors: dict[str, EventDetector] = field(default_factory=dict)


@dataclass(kw_only=True)
class JDownloaderDeviceData:
    """State of one JDownloader."""

    poll: PollResult
    toolbar: ToolbarStatus
    connection_type: Connection
    slow: SlowData = field(default_factory=SlowData)
