"""Constants for the JDownloader integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "jdownloader"
LOGGER = logging.getLogger(__package__)

MANUFACTURER: Final = "AppWork GmbH"
MODEL: Final = "JDownloader 2"
CONFIGURATION_URL: Final = "https://my.jdownloader.org"

# Config entry data
CONF_MODE: Final = "mode"
MODE_CLOUD: Final = "cloud"
MODE_LOCAL: Final = "local"
CONF_API_URL: Final = "api_url"
CONF_LOGIN_SECRET: Final = "login_secret"
CONF_DEVICE_SECRET: Final = "device_secret"
CONF_DEVICE_ID: Final = "device_id"
CONF_ADVANCED: Final = "advanced"

# Options
CONF_DIRECT_CONNECTION: Final = "direct_connection"
DEFAULT_DIRECT_CONNECTION: Final = True

# The config flow waits this long for a local JDownloader (setup and polls use the client's own).
LOCAL_FLOW_TIMEOUT: Final = 10.0

# Polling. The relay is a shared cloud service: poll gently there, faster when we talk
# to the JDownloader directly (LAN) or through its local API. Over the relay a steady poll is one
# request: 2 a minute while downloading, 0.67 idle (the old pattern sends 12 or more).
INTERVAL_RELAY_ACTIVE: Final = timedelta(seconds=30)
INTERVAL_RELAY_IDLE: Final = timedelta(seconds=90)
INTERVAL_LAN_ACTIVE: Final = timedelta(seconds=5)
INTERVAL_LAN_IDLE: Final = timedelta(seconds=30)
# New, renamed and removed JDownloaders of the account; an offline one shows in its own poll.
INTERVAL_ACCOUNT: Final = timedelta(minutes=30)
# Slow data (slow_data.py): free space and premium accounts hourly, the rest (settings, version,
# update available) and, over the relay, the toolbar's switch states every SETTINGS_INTERVAL.
SLOW_DATA_INTERVAL: Final = timedelta(hours=1)
SETTINGS_INTERVAL: Final = timedelta(hours=6)
# After a restart (or restart-and-update) is asked for, the slow data (version, update
# available) is re-read once JDownloader is back: when a poll found it gone, or after this.
RESTART_SETTLE: Final = timedelta(minutes=2)
# A JDownloader the account no longer lists is removed after this long (stale_devices.py).
STALE_DEVICE_GRACE: Final = timedelta(days=7)

# Back-off after rate limiting / overload / maintenance (the service sends no retry time): one
# probe after 60 s, then one every 2 min for the first 10 min (most episodes are short, and the
# entities come back at most 2 min after one ends), then doubling to 30 min for long outages.
BACKOFF_INITIAL: Final = 60.0
BACKOFF_STEADY: Final = 120.0
BACKOFF_STEADY_FOR: Final = 600.0
BACKOFF_MAX: Final = 1800.0
# While one coordinator probes after a back-off, the others look again this much later (s).
PROBE_WAIT: Final = 10.0

# jd_state values meaning "downloads are running"
RUNNING_STATES: Final = frozenset({"RUNNING"})


def local_address(host: str, port: int) -> str:
    """``host:port``: a local JDownloader's id when it has no MyJDownloader id (and its old id)."""
    return f"{host}:{port}"


def is_local_address(device_id: str) -> bool:
    """True for a ``host:port`` fallback id; MyJDownloader ids (hex) never contain a colon."""
    return ":" in device_id


def signal_device_added(entry_id: str) -> str:
    """Dispatcher signal sent with a new JDownloaderDeviceCoordinator."""
    return f"{DOMAIN}_device_added_{entry_id}"
