"""Async MyJDownloader / JDownloader API client (no Home Assistant imports).

The caller passes in its ``aiohttp.ClientSession``. Cloud mode: :class:`MyJDownloaderClient` and its
:meth:`~MyJDownloaderClient.device` objects; local mode (JDownloader's Deprecated API):
:func:`LocalJDownloader`.
"""

from .client import CloudGate, MyJDownloaderClient
from .codec import decode_body
from .const import (
    APP_KEY,
    DEFAULT_API_URL,
    DEFAULT_LOCAL_PORT,
    DEFAULT_TIMEOUT,
    GENERAL_SETTINGS,
    KEY_DEFAULT_DOWNLOAD_FOLDER,
    KEY_SPEED_LIMIT,
)
from .cpu import cpu_turn
from .device import JDownloaderDevice
from .exceptions import (
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderEmailNotConfirmedError,
    JDownloaderError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
)
from .models import (
    Account,
    AddLinksRequest,
    AggregatedNumbers,
    CaptchaChallenge,
    CaptchaJob,
    CrawledLink,
    CrawledPackage,
    DeviceIdentity,
    DeviceInfo,
    DirectConnectionInfos,
    DownloadLink,
    DownloadPackage,
    Event,
    EventSubscription,
    PollResult,
    RunningPackage,
    Secrets,
    SessionInfo,
    SpeedLimit,
    StorageInfo,
    ToolbarStatus,
    final_link_state,
)
from .transport import Connection
from .transport_local import LocalJDownloader

__all__ = [
    "APP_KEY",
    "DEFAULT_API_URL",
    "DEFAULT_LOCAL_PORT",
    "DEFAULT_TIMEOUT",
    "GENERAL_SETTINGS",
    "KEY_DEFAULT_DOWNLOAD_FOLDER",
    "KEY_SPEED_LIMIT",
    "Account",
    "AddLinksRequest",
    "AggregatedNumbers",
    "CaptchaChallenge",
    "CaptchaJob",
    "CloudGate",
    "Connection",
    "CrawledLink",
    "CrawledPackage",
    "DeviceIdentity",
    "DeviceInfo",
    "DirectConnectionInfos",
    "DownloadLink",
    "DownloadPackage",
    "Event",
    "EventSubscription",
    "JDownloaderApiError",
    "JDownloaderAuthError",
    "JDownloaderConnectionError",
    "JDownloaderDevice",
    "JDownloaderDeviceOfflineError",
    "JDownloaderEmailNotConfirmedError",
    "JDownloaderError",
    "JDownloaderProtocolError",
    "JDownloaderRateLimitError",
    "JDownloaderServiceUnavailableError",
    "LocalJDownloader",
    "MyJDownloaderClient",
    "PollResult",
    "RunningPackage",
    "Secrets",
    "SessionInfo",
    "SpeedLimit",
    "StorageInfo",
    "ToolbarStatus",
    "cpu_turn",
    "decode_body",
    "final_link_state",
]
