"""Why a JDownloader is not downloading: one reason, in the order a person would fix them.

Pure: no Home Assistant, no I/O. The reason comes from what is read anyway: the poll (captchas,
controller state), the toolbar status (stop after current, pause), the hourly accounts
(slow_data.py) and the link rows the event detector reads on its checks, digested here into
:class:`LinkIssues` (which links are held, and why). Nothing here costs a request.

Link holds follow JD's ``DownloadsAPIV2Impl.setStatus`` (``advancedStatus``, see
:class:`~.api.LinkHold`): ``SkipReason`` (``org.jdownloader.plugins.SkipReason``),
``ConditionalSkipReason`` and ``FinalLinkState``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from .api import LinkHold
from .slow_data import (
    ACCOUNT_EXPIRED,
    ACCOUNT_INVALID,
    ACCOUNT_OUT_OF_TRAFFIC,
    Accounts,
    account_state,
)

# The problem reasons, in the order a person would fix them; "ok" when there is none.
REASON_OK: Final = "ok"
REASON_CAPTCHA: Final = "captcha"
REASON_DISK_FULL: Final = "disk_full"
REASON_ACCOUNT_EXPIRED: Final = "account_expired"
REASON_ACCOUNT_OUT_OF_TRAFFIC: Final = "account_out_of_traffic"
REASON_ACCOUNT_INVALID: Final = "account_invalid"
REASON_LINKS_FAILED: Final = "links_failed"
REASON_WAITING_RECONNECT: Final = "waiting_reconnect"
REASON_STOP_AFTER_CURRENT: Final = "stop_after_current"
REASON_PAUSED: Final = "paused"
REASONS: Final = [
    REASON_OK,
    REASON_CAPTCHA,
    REASON_DISK_FULL,
    REASON_ACCOUNT_EXPIRED,
    REASON_ACCOUNT_OUT_OF_TRAFFIC,
    REASON_ACCOUNT_INVALID,
    REASON_LINKS_FAILED,
    REASON_WAITING_RECONNECT,
    REASON_STOP_AFTER_CURRENT,
    REASON_PAUSED,
]
_ACCOUNT_REASONS: Final = {
    ACCOUNT_EXPIRED: REASON_ACCOUNT_EXPIRED,
    ACCOUNT_OUT_OF_TRAFFIC: REASON_ACCOUNT_OUT_OF_TRAFFIC,
    ACCOUNT_INVALID: REASON_ACCOUNT_INVALID,
}
# Account states worth a repair issue: lasting, and fixed only outside Home Assistant.
REPAIR_STATES: Final = frozenset({ACCOUNT_EXPIRED, ACCOUNT_INVALID})

# What holds one link (LinkIssues values).
ISSUE_CAPTCHA: Final = "captcha"
ISSUE_DISK_FULL: Final = "disk_full"
ISSUE_ACCOUNT: Final = "account"
ISSUE_FAILED: Final = "failed"
ISSUE_RECONNECT: Final = "reconnect"

# SkipReason names that mean something other than "failed" (MANUAL: the user's own choice).
_SKIP_ISSUES: Final = {
    "MANUAL": None,
    "DISK_FULL": ISSUE_DISK_FULL,
    "CAPTCHA": ISSUE_CAPTCHA,
    "NO_ACCOUNT": ISSUE_ACCOUNT,
}
# ConditionalSkipReason ids naming the account a link waits for (DownloadsAPIV2Impl.setStatus).
_ACCOUNT_CONDITIONS: Final = frozenset(
    {"WaitForAccountSkipReason", "WaitForAccountTrafficSkipReason"}
)
# WaitingSkipReason.CAUSE.IP_BLOCKED: the hoster's limit; JD waits for a reconnect (new IP).
_CAUSE_IP_BLOCKED: Final = "IP_BLOCKED"

# The link fields the issues need (all among the detector's LINK_FIELDS).
_NEEDED: Final = ("uuid", "package_uuid", "finished", "enabled", "advanced_status")

type Issue = tuple[str, int]  # (ISSUE_*, account uuid or -1)
type PackageIssues = dict[int, dict[int, Issue]]  # package → link → issue


def link_issue(finished: object, enabled: object, advanced_status: object) -> Issue | None:
    """What holds one link, or None (finished, disabled, queued, running, skipped by hand)."""
    if finished is True or enabled is not True:
        return None
    hold = LinkHold.from_advanced_status(advanced_status)
    if hold is None:
        return None
    if hold.final_state is not None:
        # FinalLinkState: FINISHED* is done; FAILED*, OFFLINE, PLUGIN_DEFECT will not download.
        return None if hold.final_state.startswith("FINISHED") else (ISSUE_FAILED, -1)
    if hold.skip_reason is not None:
        kind = _SKIP_ISSUES.get(hold.skip_reason, ISSUE_FAILED)
        return None if kind is None else (kind, -1)
    if hold.condition in _ACCOUNT_CONDITIONS:
        return ISSUE_ACCOUNT, hold.account
    if hold.condition == "WaitingSkipReason" and hold.cause == _CAUSE_IP_BLOCKED:
        return ISSUE_RECONNECT, -1
    return None


def digest_issues(fields: Sequence[str]) -> Callable[[list[tuple[Any, ...]]], PackageIssues]:
    """A digest of link rows of ``fields`` (the detector's) → held links by package."""
    uuid_at, package_at, finished_at, enabled_at, advanced_at = (fields.index(f) for f in _NEEDED)

    def digest(rows: list[tuple[Any, ...]]) -> PackageIssues:
        result: PackageIssues = {}
        for row in rows:
            issue = link_issue(row[finished_at], row[enabled_at], row[advanced_at])
            if issue is not None:
                result.setdefault(row[package_at], {})[row[uuid_at]] = issue
        return result

    return digest


@dataclass(slots=True)
class LinkIssues:
    """The held links of one JDownloader, as far as the detector's checks have read them."""

    packages: PackageIssues = field(default_factory=dict)

    def commit(
        self,
        read: PackageIssues,
        queried: Iterable[int],
        *,
        present: Collection[int],
        finished: Collection[int],
        full: bool,
    ) -> set[int]:
        """Take a check's reads; returns the links held now that were not held before.

        ``queried``: the packages whose links were read; ``present``: the packages the check
        listed (every package when ``full``); ``finished``: those of them that are finished.
        """
        before = {link for links in self.packages.values() for link in links}
        for package in queried:
            self.packages.pop(package, None)
        for package, links in read.items():
            self.packages[package] = links
        for package in list(self.packages):
            if package in finished or (full and package not in present):
                del self.packages[package]
        return {link for links in self.packages.values() for link in links} - before

    def kinds(self) -> set[str]:
        return {kind for links in self.packages.values() for kind, _ in links.values()}

    def accounts(self) -> set[int]:
        """The accounts links wait for (WaitForAccount*SkipReason)."""
        return {
            account
            for links in self.packages.values()
            for kind, account in links.values()
            if kind == ISSUE_ACCOUNT and account != -1
        }


def needed_account_problems(
    accounts: Accounts | None, waited_for: set[int], now: datetime
) -> list[tuple[str, int]]:
    """``(state, uuid)`` of enabled accounts that are expired, out of traffic or invalid and that
    the download list needs: links wait for them, or their hoster has unfinished packages (not
    known: needed)."""
    if accounts is None:
        return []
    hosts = accounts.needed_hosts
    result = []
    for account in accounts.accounts:
        state = account_state(account, now)
        if state not in _ACCOUNT_REASONS:
            continue
        if account.uuid in waited_for or hosts is None or account.hostname in hosts:
            result.append((state, account.uuid))
    return result


def problem_reason(
    *,
    captchas: int,
    issues: set[str],
    account_states: Iterable[str],
    jd_state: str | None,
    stop_after: bool,
    paused: bool,
) -> str:
    """The first reason, in the order of :data:`REASONS`."""
    states = set(account_states)
    found: set[str] = {_ACCOUNT_REASONS[state] for state in states if state in _ACCOUNT_REASONS}
    if captchas > 0 or ISSUE_CAPTCHA in issues:
        found.add(REASON_CAPTCHA)
    if ISSUE_DISK_FULL in issues:
        found.add(REASON_DISK_FULL)
    if ISSUE_ACCOUNT in issues and not states & _ACCOUNT_REASONS.keys():
        # A hoster needs an account and none of the known ones is to blame: JD has none for it.
        found.add(REASON_ACCOUNT_INVALID)
    if ISSUE_FAILED in issues:
        found.add(REASON_LINKS_FAILED)
    if ISSUE_RECONNECT in issues:
        found.add(REASON_WAITING_RECONNECT)
    if stop_after:
        found.add(REASON_STOP_AFTER_CURRENT)
    if paused or jd_state == "PAUSE":
        found.add(REASON_PAUSED)
    return next((reason for reason in REASONS[1:] if reason in found), REASON_OK)
