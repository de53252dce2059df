"""Why isn't it downloading: the problem reason of a JDownloader, its premium accounts as devices,
and repair issues for accounts that need fixing in JDownloader or at the hoster.

Accounts are devices of their own (via the JDownloader's device): each groups its traffic, expiry
and state; one that disappears from JDownloader takes its device and entities with it. A device is
named by the hoster; the account's user name is never read into a name, id, state or issue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import Account
from .const import DOMAIN, MANUFACTURER, signal_device_added
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderDeviceData
from .entity import JDownloaderEntity
from .problems import REPAIR_STATES, needed_account_problems, problem_reason

ACCOUNT_MODEL = "Premium account"


def account_identifier(coordinator: JDownloaderDeviceCoordinator, uuid: int) -> str:
    """The account device's identifier: JDownloader id and JD's account uuid (not the name)."""
    return f"{coordinator.device_id}_account_{uuid}"


def accounts_of(coordinator: JDownloaderDeviceCoordinator) -> dict[int, Account] | None:
    """The JDownloader's accounts by uuid; None while not known."""
    data: JDownloaderDeviceData | None = coordinator.data
    if data is None or data.slow.accounts is None:
        return None
    return {account.uuid: account for account in data.slow.accounts.accounts}


def current_reason(coordinator: JDownloaderDeviceCoordinator) -> str | None:
    """The problem reason (problems.REASONS) from the last poll, accounts and held links."""
    data: JDownloaderDeviceData | None = coordinator.data  # None before the first poll
    if data is None:
        return None
    detector = coordinator.config_entry.runtime_data.detectors.get(coordinator.device_id)
    issues = detector.issues if detector is not None else None
    accounts = needed_account_problems(
        data.slow.accounts, issues.accounts() if issues else set(), dt_util.utcnow()
    )
    return problem_reason(
        captchas=len(data.poll.captchas or ()),
        issues=issues.kinds() if issues else set(),
        account_states=(state for state, _ in accounts),
        jd_state=data.poll.jd_state,
        stop_after=data.toolbar.stopafter,
        paused=data.toolbar.pause,
    )


class JDownloaderProblemEntity(JDownloaderEntity):
    """Base of the problem entities: they follow the polls and the detector's held links."""

    async def async_added_to_hass(self) -> None:
        """Also follow the detector (its link reads end after the poll's update)."""
        await super().async_added_to_hass()
        detectors = self.coordinator.config_entry.runtime_data.detectors
        if (detector := detectors.get(self.coordinator.device_id)) is not None:
            self.async_on_remove(detector.async_add_issue_listener(self.async_write_state))


class JDownloaderAccountEntity(JDownloaderEntity):
    """An entity of one premium account, on the account's own device."""

    def __init__(
        self,
        coordinator: JDownloaderDeviceCoordinator,
        description: EntityDescription,
        account: Account,
    ) -> None:
        """Bind to the JDownloader's coordinator and one account (by its uuid)."""
        super().__init__(coordinator, description)
        self.account_uuid = account.uuid
        identifier = account_identifier(coordinator, account.uuid)
        self._attr_unique_id = f"{identifier}_{self.entity_description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, identifier)},
            name=account.hostname or "Premium account",
            manufacturer=MANUFACTURER,
            model=ACCOUNT_MODEL,
            entry_type=DeviceEntryType.SERVICE,
            # HA 2026.8+ deprecates via_device for via_device_id (accepted until 2027.8).
            via_device=(DOMAIN, coordinator.device_id),  # type: ignore[typeddict-unknown-key, unused-ignore]
        )

    @property
    def account(self) -> Account | None:
        """The account as last read; None once JDownloader no longer has it."""
        return (accounts_of(self.coordinator) or {}).get(self.account_uuid)

    @property
    def available(self) -> bool:
        """Unavailable while the accounts are not known or the account is gone."""
        return super().available and self.account is not None


@callback
def async_add_account_entities(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    factory: Callable[[JDownloaderDeviceCoordinator, Account], Iterable[Entity]],
) -> None:
    """Add entities for every account of every JDownloader, and for accounts added later."""

    @callback
    def _follow(coordinator: JDownloaderDeviceCoordinator) -> None:
        known: set[int] = set()

        @callback
        def _update() -> None:
            accounts = accounts_of(coordinator)
            if accounts is None:
                return
            new = [account for uuid, account in accounts.items() if uuid not in known]
            known.intersection_update(accounts)
            known.update(account.uuid for account in new)
            entities = [entity for account in new for entity in factory(coordinator, account)]
            if entities:
                async_add_entities(entities)

        entry.async_on_unload(coordinator.async_add_listener(_update))
        _update()

    for coordinator in entry.runtime_data.devices.values():
        _follow(coordinator)
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_device_added(entry.entry_id), _follow)
    )


@callback
def async_setup_health(hass: HomeAssistant, entry: JDownloaderConfigEntry) -> None:
    """For every JDownloader: repair issues for its bad accounts, and no devices of gone ones."""

    @callback
    def _follow(coordinator: JDownloaderDeviceCoordinator) -> None:
        unsub: CALLBACK_TYPE = coordinator.async_add_listener(lambda: _sync(hass, coordinator))
        entry.async_on_unload(unsub)
        _sync(hass, coordinator)

    for coordinator in entry.runtime_data.devices.values():
        _follow(coordinator)
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_device_added(entry.entry_id), _follow)
    )


def _issue_id(coordinator: JDownloaderDeviceCoordinator, uuid: int) -> str:
    return f"account_{coordinator.device_id}_{uuid}"


@callback
def _sync(hass: HomeAssistant, coordinator: JDownloaderDeviceCoordinator) -> None:
    accounts = accounts_of(coordinator)
    if accounts is None or coordinator.data is None:
        return
    entry_id = coordinator.config_entry.entry_id
    detector = coordinator.config_entry.runtime_data.detectors.get(coordinator.device_id)
    waited_for = detector.issues.accounts() if detector is not None else set()
    problems = {
        uuid: state
        for state, uuid in needed_account_problems(
            coordinator.data.slow.accounts, waited_for, dt_util.utcnow()
        )
        if state in REPAIR_STATES
    }
    issues = ir.async_get(hass)
    prefix = _issue_id(coordinator, 0)[:-1]
    for domain, issue_id in list(issues.issues):
        if domain == DOMAIN and issue_id.startswith(prefix):
            tail = issue_id[len(prefix) :]
            if not tail.isdigit() or int(tail) not in problems:
                ir.async_delete_issue(hass, DOMAIN, issue_id)
    for uuid, state in problems.items():
        ir.async_create_issue(
            hass,
            DOMAIN,
            _issue_id(coordinator, uuid),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=f"account_{state}",
            translation_placeholders={
                "hoster": accounts[uuid].hostname,
                "device": coordinator.device_name,
            },
        )
    # Accounts gone from JDownloader: their devices (and with them their entities) go too.
    devices = dr.async_get(hass)
    prefix = account_identifier(coordinator, 0)[:-1]
    for device in dr.async_entries_for_config_entry(devices, entry_id):
        for domain, identifier in device.identifiers:
            if domain != DOMAIN or not identifier.startswith(prefix):
                continue
            tail = identifier[len(prefix) :]
            if not tail.isdigit() or int(tail) not in accounts:
                devices.async_update_device(device.id, remove_config_entry_id=entry_id)
