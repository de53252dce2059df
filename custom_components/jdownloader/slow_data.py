"""Values that change slowly: read at most hourly (``SLOW_DATA_INTERVAL``) and after an action.

A new one is a field of :class:`SlowData` and a row of :data:`READERS`; entities read it as
``data.slow.<field>``. A call an older JDownloader does not know (an API error) leaves that
field None; anything else (offline, rate limited) fails the poll, which retries everything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .api import (
    ACCOUNT_ERROR_EXPIRED,
    ACCOUNT_ERROR_INVALID,
    ACCOUNT_ERROR_PLUGIN,
    GENERAL_SETTINGS,
    KEY_DEFAULT_DOWNLOAD_FOLDER,
    KEY_SPEED_LIMIT,
    Account,
    JDownloaderApiError,
    JDownloaderDevice,
)

# Account states (the account sensor's options), worst first.
ACCOUNT_OK: Final = "ok"
ACCOUNT_EXPIRED: Final = "expired"
ACCOUNT_OUT_OF_TRAFFIC: Final = "out_of_traffic"
ACCOUNT_INVALID: Final = "invalid"
ACCOUNT_DISABLED: Final = "disabled"
ACCOUNT_STATES: Final = [
    ACCOUNT_OK,
    ACCOUNT_EXPIRED,
    ACCOUNT_OUT_OF_TRAFFIC,
    ACCOUNT_INVALID,
    ACCOUNT_DISABLED,
]


@dataclass(frozen=True, kw_only=True, slots=True)
class SlowData:
    """The slow-changing values of one JDownloader (None: not known)."""

    update_available: bool | None = None
    version: int | None = None
    started: datetime | None = None
    free_space: int | None = None
    speed_limit: int | None = None
    max_simultaneous_downloads: int | None = None
    accounts: Accounts | None = None


def account_state(account: Account, now: datetime) -> str:
    """ok, expired, out_of_traffic, invalid or disabled.

    ``jd.plugins.Account``: ``isValid()`` is false for the errors EXPIRED, INVALID and
    PLUGIN_ERROR; ``AccountInfo.getValidUntil()`` is -1 for "never expires" and 0 for expired;
    ``AccountAPIImplV2.listAccounts`` sends ``trafficLeft`` -1 for unlimited traffic, so 0 is
    really "nothing left".
    """
    if not account.enabled:
        return ACCOUNT_DISABLED
    if account.error_type == ACCOUNT_ERROR_EXPIRED or (
        0 <= account.valid_until <= now.timestamp() * 1000
    ):
        return ACCOUNT_EXPIRED
    if not account.valid or account.error_type in (ACCOUNT_ERROR_INVALID, ACCOUNT_ERROR_PLUGIN):
        return ACCOUNT_INVALID
    if account.traffic_left == 0:
        return ACCOUNT_OUT_OF_TRAFFIC
    return ACCOUNT_OK


@dataclass(frozen=True, kw_only=True, slots=True)
class Accounts:
    """The premium accounts of one JDownloader, and which hosters its download list needs.

    ``needed_hosts`` (the hosters of unfinished packages) is read only while an enabled account
    is expired, invalid or out of traffic, to tell whether that matters; None otherwise.
    """

    accounts: tuple[Account, ...] = ()
    needed_hosts: frozenset[str] | None = None


def _unfinished_hosts(rows: list[tuple[Any, ...]]) -> frozenset[str]:
    return frozenset(
        host
        for finished, hosts in rows
        if finished is not True
        for host in hosts or ()
        if isinstance(host, str)
    )


async def read_accounts(device: JDownloaderDevice) -> Accounts:
    """``accountsV2/listAccounts``, plus one small ``queryPackages`` when an account is bad."""
    accounts = tuple(await device.list_accounts())
    now = dt_util.utcnow()
    if not any(
        account_state(a, now) in (ACCOUNT_EXPIRED, ACCOUNT_OUT_OF_TRAFFIC, ACCOUNT_INVALID)
        for a in accounts
    ):
        return Accounts(accounts=accounts)
    hosts = await device.query_packages_as(_unfinished_hosts, ("finished", "hosts"))
    return Accounts(accounts=accounts, needed_hosts=hosts)


async def _started(device: JDownloaderDevice) -> datetime:
    uptime = timedelta(milliseconds=await device.uptime())
    return (dt_util.utcnow() - uptime).replace(microsecond=0)


async def _speed_limit(device: JDownloaderDevice) -> int | None:
    limit = await device.config_get(GENERAL_SETTINGS, KEY_SPEED_LIMIT)
    return limit if isinstance(limit, int) else None


async def _free_space(device: JDownloaderDevice) -> int | None:
    """Free bytes on the storage holding the default download folder."""
    folder = await device.config_get(GENERAL_SETTINGS, KEY_DEFAULT_DOWNLOAD_FOLDER)
    path = folder if isinstance(folder, str) and folder else None
    infos = [i for i in await device.storage_infos(path) if not i.error and i.free >= 0]
    if not infos:
        return None
    if path is not None:
        # Several mounts may be returned: prefer the one the folder lives on.
        matching = [i for i in infos if path.startswith(i.path)]
        if matching:
            return max(matching, key=lambda i: len(i.path)).free
    return infos[0].free


# Field of SlowData → how to read it; one request or two each, one after the other.
READERS: Final[dict[str, Callable[[JDownloaderDevice], Awaitable[Any]]]] = {
    "update_available": lambda device: device.is_update_available(),
    "version": lambda device: device.version(),
    "started": _started,
    "speed_limit": _speed_limit,
    "max_simultaneous_downloads": lambda device: device.get_max_simultaneous_downloads(),
    "free_space": _free_space,
    "accounts": read_accounts,
}


async def read_slow_data(device: JDownloaderDevice) -> SlowData:
    """Read every slow value (sequentially: a relay poll's cost must stay predictable)."""
    values: dict[str, Any] = {}
    for name, read in READERS.items():
        try:
            values[name] = await read(device)
        except JDownloaderApiError:
            continue
    return SlowData(**values)
