"""The reliability tests: Home Assistant against the emulator (fixtures: tests/ha_fixtures.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Load custom_components/ in every test."""
