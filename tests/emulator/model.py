"""Plain state of a simulated JDownloader: links, packages, captchas, accounts, settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

# Download-watchdog state labels (docs/protocol.md §9.2).
IDLE: Final = "IDLE"
RUNNING: Final = "RUNNING"
PAUSE: Final = "PAUSE"
STOPPING: Final = "STOPPING"
STOPPED: Final = "STOPPED_STATE"

GENERAL: Final = "org.jdownloader.settings.GeneralSettings"
RECONNECT: Final = "jd.controlling.reconnect.ReconnectConfig"
GUI: Final = "org.jdownloader.settings.GraphicalUserInterfaceSettings"
MYJD: Final = "org.jdownloader.api.myjdownloader.MyJDownloaderSettings"

# interface → canonical key → default; keys are unique across interfaces, so SimDevice.settings
# is one flat dict keyed by the canonical name (shared with the toolbar toggles).
CONFIG_SCHEMA: Final[dict[str, dict[str, Any]]] = {
    GENERAL: {
        "DownloadSpeedLimit": 51200,
        "DownloadSpeedLimitEnabled": False,
        "MaxSimultaneDownloads": 3,
        "MaxSimultaneDownloadsPerHost": 1,
        "MaxDownloadsPerHostEnabled": False,
        "MaxChunksPerFile": 1,
        "PauseSpeed": 10240,
        "UseAvailableAccounts": True,
        "DefaultDownloadFolder": "/downloads",
    },
    RECONNECT: {"AutoReconnectEnabled": True},
    GUI: {"ClipboardMonitored": False},
    # MyJDownloaderSettings: the name JD shows and the id MyJDownloader lists it under (null for
    # a JDownloader that never connected); SimDevice fills in its own.
    MYJD: {"DeviceName": "JDownloader", "UniqueDeviceIDV2": None},
}

# Inclusive integer ranges enforced by set (out of range → false).
CONFIG_RANGES: Final[dict[str, tuple[int, int]]] = {
    "MaxSimultaneDownloads": (1, 20),
    "MaxSimultaneDownloadsPerHost": (1, 20),
    "MaxChunksPerFile": (1, 20),
    "DownloadSpeedLimit": (0, 2**31 - 1),
    "PauseSpeed": (0, 2**31 - 1),
}

PRIORITIES: Final = ("HIGHEST", "HIGHER", "HIGH", "DEFAULT", "LOW", "LOWER", "LOWEST")


def default_settings() -> dict[str, Any]:
    return {k: v for keys in CONFIG_SCHEMA.values() for k, v in keys.items()}


@dataclass(eq=False)
class Link:
    uuid: int
    package_uuid: int
    name: str
    host: str
    url: str
    bytes_total: int
    added_date: int
    bytes_loaded: int = 0
    enabled: bool = True
    finished: bool = False
    failed: bool = False
    skipped: bool = False
    # Why, when failed / skipped: FinalLinkState name (FAILED, OFFLINE, ...) and SkipReason name
    # (MANUAL, DISK_FULL, NO_ACCOUNT, ...), as DownloadsAPIV2Impl.setStatus reports them.
    final_state: str = "FAILED"
    skip_reason: str = "MANUAL"
    # A ConditionalSkipReason not yet reached (its advancedStatus entry), e.g.
    # {"id": "WaitForAccountTrafficSkipReason", "uuid": <account>}; the link waits meanwhile.
    condition: dict[str, Any] | None = None
    finished_date: int = -1
    running: bool = False
    forced: bool = False
    speed: int = 0
    priority: str = "DEFAULT"
    comment: str | None = None
    password: str | None = None
    job_uuid: int = -1
    extraction_status: str | None = None
    availability: str = "ONLINE"
    carry: float = 0.0  # sub-byte progress between advance() steps

    @property
    def runnable(self) -> bool:
        return self.enabled and not (
            self.finished or self.failed or self.skipped or self.running or self.condition
        )


@dataclass(eq=False)
class Package:
    uuid: int
    name: str
    save_to: str
    added_date: int
    links: list[int] = field(default_factory=list)
    comment: str | None = None
    priority: str = "DEFAULT"


@dataclass
class Captcha:
    id: int
    hoster: str
    link: int
    created: int
    timeout: int = 300_000
    type: str = "ImageCaptchaChallenge"
    explain: str | None = None
    captcha_category: str = "normal"
    image: str | None = None  # the captcha/get payload of an image captcha (None: the default PNG)

    def job(self, now_ms: int) -> dict[str, Any]:
        # CaptchaJob is a plain storable: every key is always present.
        return {
            "id": self.id,
            "hoster": self.hoster,
            "link": self.link,
            "type": self.type,
            "challengeType": self.type,
            "captchaCategory": self.captcha_category,
            "explain": self.explain,
            "timeout": self.timeout,
            "created": self.created,
            "remaining": max(0, self.timeout - (now_ms - self.created)),
        }


@dataclass
class Account:
    uuid: int
    hostname: str
    username: str | None = None
    enabled: bool = True
    valid: bool = True
    valid_until: int = -1
    traffic_left: int = -1
    traffic_max: int = -1
    error_type: str | None = None
    error_string: str | None = None
