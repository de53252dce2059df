"""The Home Assistant tests: every one runs a real HA (fixtures in tests/ha_fixtures.py).

Only overrides of the HA test plugin's own fixtures live here, where they take precedence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest.mock import PropertyMock, patch

import pytest
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION

# Snapshots per Home Assistant release line: entity/device registry dumps gain and lose fields
# between releases, so each supported HA keeps its own set (snapshots/ha-<major.minor>/).
HA_SNAPSHOTS = f"ha-{MAJOR_VERSION}.{MINOR_VERSION}"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""


class _Snapshots(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot serializer, files in ``snapshots/<HA line>/`` next to the tests."""

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(Path(test_location.filepath).parent / "snapshots" / HA_SNAPSHOTS)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with Home Assistant's serializer (volatile ids masked)."""
    return snapshot.use_extension(_Snapshots)


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create the entities that are disabled by default enabled (not a fixture in older phacc)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield
