"""Sensors of a JDownloader: download state, speed, progress, counts, storage, diagnostics.

Everything comes from the coordinator's poll (``polling/poll``, with ``toolbar/getStatus`` when
due) plus its slow data (slow_data.py); sensors never call the device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfDataRate,
    UnitOfInformation,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api import Account, AggregatedNumbers, Connection
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry, JDownloaderDeviceData
from .entity import JDownloaderEntity, async_add_device_entities
from .health import (
    JDownloaderAccountEntity,
    JDownloaderProblemEntity,
    async_add_account_entities,
    current_reason,
)
from .problems import REASONS
from .slow_data import ACCOUNT_STATES, account_state

# Read-only platform: the coordinator serialises device access.
PARALLEL_UPDATES = 0

# downloadcontroller states (note the odd ``_STATE`` suffix JDownloader really sends).
DOWNLOAD_STATES: dict[str, str] = {
    "IDLE": "idle",
    "RUNNING": "running",
    "PAUSE": "paused",
    "STOPPING": "stopping",
    "STOPPED_STATE": "stopped",
}
CONNECTION_TYPES = [connection.value for connection in Connection]


@dataclass(frozen=True, kw_only=True)
class JDownloaderSensorEntityDescription(SensorEntityDescription):
    """Describes a JDownloader sensor."""

    value_fn: Callable[[JDownloaderDeviceData], StateType | datetime]


def _download_state(data: JDownloaderDeviceData) -> str | None:
    state = data.poll.jd_state or data.toolbar.state
    return DOWNLOAD_STATES.get(state) if state else None


def _aggregated[T](
    fn: Callable[[AggregatedNumbers], T],
) -> Callable[[JDownloaderDeviceData], T | None]:
    """Read a value of ``polling/poll``'s aggregated numbers, None if they were missing."""

    def value(data: JDownloaderDeviceData) -> T | None:
        numbers = data.poll.aggregated
        return None if numbers is None else fn(numbers)

    return value


def _known(value: int) -> int | None:
    """JDownloader uses -1 for 'unknown' (e.g. ETA when nothing is running)."""
    return value if value >= 0 else None


def _speed(data: JDownloaderDeviceData) -> int:
    if data.poll.aggregated is not None:
        return max(data.poll.aggregated.download_speed, 0)
    return max(data.toolbar.speed, 0)


def _remaining(numbers: AggregatedNumbers) -> int | None:
    if numbers.total_bytes < 0:
        return None
    return max(numbers.total_bytes - max(numbers.loaded_bytes, 0), 0)


def _progress(numbers: AggregatedNumbers) -> float | None:
    if numbers.total_bytes <= 0:
        return None
    loaded = min(max(numbers.loaded_bytes, 0), numbers.total_bytes)
    return round(loaded * 100 / numbers.total_bytes, 1)


def _captchas(data: JDownloaderDeviceData) -> int | None:
    return None if data.poll.captchas is None else len(data.poll.captchas)


def _connection_type(data: JDownloaderDeviceData) -> str | None:
    return data.connection_type if data.connection_type in CONNECTION_TYPES else None


SENSORS: tuple[JDownloaderSensorEntityDescription, ...] = (
    JDownloaderSensorEntityDescription(
        key="download_state",
        translation_key="download_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(DOWNLOAD_STATES.values()),
        value_fn=_download_state,
    ),
    JDownloaderSensorEntityDescription(
        key="download_speed",
        translation_key="download_speed",
        device_class=SensorDeviceClass.DATA_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfDataRate.BYTES_PER_SECOND,
        suggested_unit_of_measurement=UnitOfDataRate.MEGABYTES_PER_SECOND,
        suggested_display_precision=2,
        value_fn=_speed,
    ),
    JDownloaderSensorEntityDescription(
        key="eta",
        translation_key="eta",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_unit_of_measurement=UnitOfTime.MINUTES,
        suggested_display_precision=0,
        value_fn=_aggregated(lambda n: _known(n.eta)),
    ),
    JDownloaderSensorEntityDescription(
        key="remaining_bytes",
        translation_key="remaining_bytes",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        value_fn=_aggregated(_remaining),
    ),
    JDownloaderSensorEntityDescription(
        key="progress",
        translation_key="progress",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=1,
        value_fn=_aggregated(_progress),
    ),
    JDownloaderSensorEntityDescription(
        key="loaded_bytes",
        translation_key="loaded_bytes",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        value_fn=_aggregated(lambda n: _known(n.loaded_bytes)),
    ),
    JDownloaderSensorEntityDescription(
        key="total_bytes",
        translation_key="total_bytes",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        value_fn=_aggregated(lambda n: _known(n.total_bytes)),
    ),
    JDownloaderSensorEntityDescription(
        key="packages",
        translation_key="packages",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_aggregated(lambda n: _known(n.package_count)),
    ),
    JDownloaderSensorEntityDescription(
        key="links",
        translation_key="links",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_aggregated(lambda n: _known(n.links_count)),
    ),
    JDownloaderSensorEntityDescription(
        key="linkgrabber_links",
        translation_key="linkgrabber_links",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_aggregated(lambda n: _known(n.crawled_links_count)),
    ),
    JDownloaderSensorEntityDescription(
        key="running_downloads",
        translation_key="running_downloads",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_aggregated(lambda n: _known(n.running)),
    ),
    JDownloaderSensorEntityDescription(
        key="captchas_waiting",
        translation_key="captchas_waiting",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=_captchas,
    ),
    JDownloaderSensorEntityDescription(
        key="free_space",
        translation_key="free_space",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=1,
        value_fn=lambda data: data.slow.free_space,
    ),
    JDownloaderSensorEntityDescription(
        key="connection_type",
        translation_key="connection_type",
        device_class=SensorDeviceClass.ENUM,
        options=CONNECTION_TYPES,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_connection_type,
    ),
    JDownloaderSensorEntityDescription(
        key="version",
        translation_key="version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.slow.version,
    ),
    JDownloaderSensorEntityDescription(
        key="started",
        translation_key="started",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.slow.started,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add sensors for every JDownloader of the entry, now and when new ones appear."""

    def entities(coordinator: JDownloaderDeviceCoordinator) -> list[SensorEntity]:
        return [
            *(JDownloaderSensor(coordinator, description) for description in SENSORS),
            JDownloaderProblemReasonSensor(coordinator, PROBLEM_REASON),
        ]

    async_add_device_entities(hass, entry, async_add_entities, entities)
    async_add_account_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator, account: [
            JDownloaderAccountSensor(coordinator, description, account)
            for description in ACCOUNT_SENSORS
        ],
    )


class JDownloaderSensor(JDownloaderEntity, SensorEntity):
    """A JDownloader sensor."""

    entity_description: JDownloaderSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """Current value from the coordinator's data."""
        return self.entity_description.value_fn(self.coordinator.data)

    def _state_values(self) -> object:
        return self.native_value


# --------------------------------------------------------------------- why isn't it downloading
PROBLEM_REASON = SensorEntityDescription(
    key="problem_reason",
    translation_key="problem_reason",
    device_class=SensorDeviceClass.ENUM,
    options=list(REASONS),
)


class JDownloaderProblemReasonSensor(JDownloaderProblemEntity, SensorEntity):
    """The first thing to fix (health.current_reason), "ok" when nothing holds downloads up."""

    @property
    def native_value(self) -> str | None:
        """The reason, from the last poll, the accounts and the detector's held links."""
        return current_reason(self.coordinator)

    def _state_values(self) -> object:
        return self.native_value


@dataclass(frozen=True, kw_only=True)
class JDownloaderAccountSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of one premium account."""

    value_fn: Callable[[Account], StateType | datetime]


def _traffic_left(account: Account) -> int | None:
    # AccountAPIImplV2.listAccounts sends -1 for unlimited traffic (the attribute says so).
    return account.traffic_left if account.traffic_left >= 0 else None


def _valid_until(account: Account) -> datetime | None:
    # AccountInfo.getValidUntil: -1 never expires.
    if account.valid_until < 0:
        return None
    return dt_util.utc_from_timestamp(account.valid_until / 1000)


ACCOUNT_SENSORS: tuple[JDownloaderAccountSensorEntityDescription, ...] = (
    JDownloaderAccountSensorEntityDescription(
        key="account_state",
        translation_key="account_state",
        device_class=SensorDeviceClass.ENUM,
        options=list(ACCOUNT_STATES),
        value_fn=lambda account: account_state(account, dt_util.utcnow()),
    ),
    JDownloaderAccountSensorEntityDescription(
        key="traffic_left",
        translation_key="traffic_left",
        device_class=SensorDeviceClass.DATA_SIZE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfInformation.BYTES,
        suggested_unit_of_measurement=UnitOfInformation.GIGABYTES,
        suggested_display_precision=2,
        value_fn=_traffic_left,
    ),
    JDownloaderAccountSensorEntityDescription(
        key="valid_until",
        translation_key="valid_until",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_valid_until,
    ),
)


class JDownloaderAccountSensor(JDownloaderAccountEntity, SensorEntity):
    """A sensor of one premium account (on the account's device)."""

    entity_description: JDownloaderAccountSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """From the account as last read (hourly, and after a download failed or was held)."""
        account = self.account
        return None if account is None else self.entity_description.value_fn(account)

    def _state_values(self) -> object:
        return self.native_value, self.extra_state_attributes

    @property
    def extra_state_attributes(self) -> dict[str, bool] | None:
        """``unlimited`` on the traffic sensor: JD reports no traffic limit."""
        account = self.account
        if self.entity_description.key != "traffic_left" or account is None:
            return None
        return {"unlimited": account.traffic_left < 0}
