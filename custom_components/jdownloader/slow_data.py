"""Values that change slowly, in two tiers, and all of them again after an action from Home
Assistant or once JDownloader is back from being offline (a restart, an update):

* :data:`HOURLY` (``SLOW_DATA_INTERVAL``): free space (it shrinks while downloading) and the
  premium accounts (traffic left);
* everything else every ``SETTINGS_INTERVAL``: settings changed in JDownloader's own window,
  version, start time and "update available" change that rarely, and each read is a cloud
  request over the relay.

A new value is a field of :class:`SlowData` and a row of :data:`READERS`; entities read it as
``data.slow.<field>``. A call an older JDownloader does not know (an API error) leaves that
field None; anything else (offline, rate limited) fails the poll, which retries what was due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
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
    download_folder: str | None = None
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


async def _download_folder(device: JDownloaderDevice, _: SlowData) -> str | None:
    folder = await device.config_get(GENERAL_SETTINGS, KEY_DEFAULT_DOWNLOAD_FOLDER)
    return folder if isinstance(folder, str) and folder else None


async def _free_space(device: JDownloaderDevice, known: SlowData) -> int | None:
    """Free bytes on the storage holding the default download folder (read just before, or
    as last read: it is a setting)."""
    path = known.download_folder
    infos = [i for i in await device.storage_infos(path) if not i.error and i.free >= 0]
    if not infos:
        return None
    if path is not None:
        # Several mounts may be returned: prefer the one the folder lives on.
        matching = [i for i in infos if path.startswith(i.path)]
        if matching:
            return max(matching, key=lambda i: len(i.path)).free
    return infos[0].free


type Reader = Callable[[JDownloaderDevice, SlowData], Awaitable[Any]]

# Field of SlowData → how to read it (given what is known so far); one request or two each,
# one after the other, in this order (the folder before the free space on it).
READERS: Final[dict[str, Reader]] = {
    "update_available": lambda device, _: device.is_update_available(),
    "version": lambda device, _: device.version(),
    "started": lambda device, _: _started(device),
    "speed_limit": lambda device, _: _speed_limit(device),
    "max_simultaneous_downloads": lambda device, _: device.get_max_simultaneous_downloads(),
    "download_folder": _download_folder,
    "free_space": _free_space,
    "accounts": lambda device, _: read_accounts(device),
}
HOURLY: Final = frozenset({"free_space", "accounts"})


async def read_slow_data(
    device: JDownloaderDevice, known: SlowData | None = None, *, hourly_only: bool = False
) -> SlowData:
    """Read the slow values (sequentially: a relay poll's cost must stay predictable).

    ``hourly_only``: just :data:`HOURLY`, the rest kept from ``known``. A value JDownloader does
    not know (an API error) becomes None.
    """
    slow = known or SlowData()
    for name, read in READERS.items():
        if hourly_only and name not in HOURLY:
            continue
        try:
            value = await read(device, slow)
        except JDownloaderApiError:
            value = None
        slow = replace(slow, **{name: value})
    return slow
