"""Constants of the MyJDownloader protocol and of this client."""

from __future__ import annotations

from typing import Final

APP_KEY: Final = "ha_jdownloader"
DEFAULT_API_URL: Final = "https://api.jdownloader.org"
DEFAULT_LOCAL_PORT: Final = 3128

DEFAULT_TIMEOUT: Final = 30.0
# runUpdateCheck runs the checker on the API thread and may block for a while.
UPDATE_CHECK_TIMEOUT: Final = 120.0
# Margin on top of an events/listen long-poll so the HTTP timeout never cuts a regular answer.
LISTEN_MARGIN: Final = 15.0
DEFAULT_LISTEN_POLL_TIMEOUT_MS: Final = 25_000

# Direct connection: probe timeout, cooldown after a failure (grows per failure), info refresh.
DIRECT_PROBE_TIMEOUT: Final = 3.0
DIRECT_COOLDOWN: Final = 60.0
DIRECT_COOLDOWN_MAX: Final = 900.0
DIRECT_REFRESH_INTERVAL: Final = 600.0

# AppWork HTTP servers reject raw POST bodies above 1 MiB with 413.
MAX_BODY_BYTES: Final = 1024 * 1024
# Bodies at least this large are decrypted and parsed in an executor, off the event loop.
EXECUTOR_THRESHOLD: Final = 256 * 1024

API_VERSION: Final = 1

GENERAL_SETTINGS: Final = "org.jdownloader.settings.GeneralSettings"
KEY_SPEED_LIMIT: Final = "DownloadSpeedLimit"
KEY_SPEED_LIMIT_ENABLED: Final = "DownloadSpeedLimitEnabled"
KEY_MAX_SIMULTANEOUS_DOWNLOADS: Final = "MaxSimultaneDownloads"
KEY_DEFAULT_DOWNLOAD_FOLDER: Final = "DefaultDownloadFolder"
# The name JD shows and the id MyJDownloader lists it under (also what direct connections check).
MYJD_SETTINGS: Final = "org.jdownloader.api.myjdownloader.MyJDownloaderSettings"
KEY_DEVICE_NAME: Final = "DeviceName"
KEY_DEVICE_ID: Final = "UniqueDeviceIDV2"

# Fields the list queries ask for by default (names of the model fields).
DEFAULT_PACKAGE_FIELDS: Final = (
    "bytes_total",
    "bytes_loaded",
    "speed",
    "eta",
    "finished",
    "running",
    "enabled",
    "status",
    "child_count",
    "hosts",
    "save_to",
)
DEFAULT_LINK_FIELDS: Final = (
    "bytes_total",
    "bytes_loaded",
    "speed",
    "eta",
    "finished",
    "running",
    "enabled",
    "skipped",
    "status",
    "host",
)
DEFAULT_CRAWLED_PACKAGE_FIELDS: Final = (
    "bytes_total",
    "child_count",
    "enabled",
    "save_to",
    "hosts",
)
DEFAULT_CRAWLED_LINK_FIELDS: Final = ("bytes_total", "enabled", "availability", "host", "url")
