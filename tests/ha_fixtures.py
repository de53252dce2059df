"""Home Assistant fixtures and helpers: a real HA talking to the emulator over loopback HTTP.

Registered for every test directory by the root conftest (``pytest_plugins``); they create a
``hass`` only when a test asks for them. The autouse ``enable_custom_integrations`` lives in the
conftests of the directories whose tests all run Home Assistant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from datetime import timedelta
import hashlib
import socket
from unittest.mock import patch

from aiohttp import ThreadedResolver
from aiohttp.abc import ResolveResult
from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.jdownloader.const import (
    CONF_API_URL,
    CONF_DEVICE_ID,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DOMAIN,
    INTERVAL_ACCOUNT,
    INTERVAL_RELAY_IDLE,
    MODE_CLOUD,
    MODE_LOCAL,
)
from homeassistant.const import (
    CONF_EMAIL,
    CONF_HOST,
    CONF_PORT,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD

CLOUD_ENTRY_ID = "01JDOWNLOADERCLOUDENTRY0001"
LOCAL_ENTRY_ID = "01JDOWNLOADERLOCALENTRY0001"


def derived_secrets(email: str, password: str) -> dict[str, str]:
    """Secrets as the protocol defines them (computed here independently of our client)."""
    return {
        CONF_LOGIN_SECRET: hashlib.sha256(
            (email.lower() + password + "server").encode()
        ).hexdigest(),
        CONF_DEVICE_SECRET: hashlib.sha256(
            (email.lower() + password + "device").encode()
        ).hexdigest(),
    }


def make_cloud_entry(emulator: Emulator, *, direct: bool = True) -> MockConfigEntry:
    """A MyJDownloader account entry pointing at the emulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=CLOUD_ENTRY_ID,
        title=EMAIL,
        unique_id=EMAIL.lower(),
        data={
            CONF_MODE: MODE_CLOUD,
            CONF_EMAIL: EMAIL,
            CONF_API_URL: emulator.api_url,
            **derived_secrets(EMAIL, PASSWORD),
        },
        options={CONF_DIRECT_CONNECTION: direct},
    )


@pytest.fixture
def cloud_entry(emulator: Emulator) -> MockConfigEntry:
    """Account entry with direct LAN connections allowed (the default)."""
    return make_cloud_entry(emulator)


@pytest.fixture
def relay_entry(emulator: Emulator) -> MockConfigEntry:
    """Account entry that talks to the JDownloaders through the cloud relay only."""
    return make_cloud_entry(emulator, direct=False)


@pytest.fixture
def local_entry(emulator: Emulator) -> MockConfigEntry:
    """A local-API entry for the emulator's first JDownloader, as the flow makes it.

    Keyed by the JDownloader's MyJDownloader id (the account lists it under the same id) and
    titled with its name.
    """
    sim = emulator.devices[0]
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=LOCAL_ENTRY_ID,
        title=sim.name,
        unique_id=sim.id,
        data={
            CONF_MODE: MODE_LOCAL,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.local_port,
            CONF_DEVICE_ID: sim.id,
        },
    )


@pytest.fixture
def address_entry(emulator: Emulator) -> MockConfigEntry:
    """A local entry keyed by host:port: older entries, and JDownloaders without an id."""
    address = f"127.0.0.1:{emulator.devices[0].local_port}"
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=LOCAL_ENTRY_ID,
        title=address,
        unique_id=address,
        data={
            CONF_MODE: MODE_LOCAL,
            CONF_HOST: "127.0.0.1",
            CONF_PORT: emulator.devices[0].local_port,
            CONF_DEVICE_ID: address,
        },
    )


@pytest.fixture
async def host_names(socket_enabled: None) -> AsyncIterator[None]:
    """Host names (not only IP addresses) resolve in Home Assistant's client session.

    Resolved with getaddrinfo (aiohttp's ThreadedResolver, which reads the hosts file), as a
    machine without Home Assistant's DNS set-up would: HA 2025.4's aiodns 3.2 cannot drive the
    pycares 5 the test venv gets (a TypeError on every look-up), and under the test harness of
    HA 2026.x the asynchronous resolver of the shared session is already closed.
    """
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=_ClosingThreadedResolver(),
    ):
        yield


class _ClosingThreadedResolver(ThreadedResolver):
    """getaddrinfo, answering names under ``.invalid`` (RFC 6761: they never resolve) with the
    resolver error a real one gives, without asking anyone: the HA 2026.x test harness turns
    any real DNS look-up into a RuntimeError. HA 2026.x closes it with ``real_close()``."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host.rstrip(".").endswith(".invalid"):
            raise OSError(socket.EAI_NONAME, "Name or service not known")
        return await super().resolve(host, port, family)

    async def real_close(self) -> None:
        await self.close()


@pytest.fixture
def platforms() -> list[str] | None:
    """Platforms to load (None: all of them, as in production).

    Coordinators only poll while entities listen to them, so polling tests need platforms.
    """
    return None


@pytest.fixture
def patch_platforms(platforms: list[str] | None) -> Iterator[None]:
    """Restrict the platforms the integration forwards to."""
    if platforms is None:
        yield
        return
    with patch("custom_components.jdownloader.PLATFORMS", platforms):
        yield


type SetupEntry = Callable[[MockConfigEntry], Awaitable[None]]


@pytest.fixture
def init_integration(hass: HomeAssistant, patch_platforms: None) -> SetupEntry:
    """Add an entry to hass and set it up (whatever the outcome)."""

    async def _setup(entry: MockConfigEntry) -> None:
        if hass.config_entries.async_get_entry(entry.entry_id) is None:
            entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    return _setup


type Advance = Callable[[float], Awaitable[None]]

# Seconds to the next idle poll over the relay, and to the next read of the account's devices.
IDLE_POLL = INTERVAL_RELAY_IDLE.total_seconds()
ACCOUNT_REFRESH = INTERVAL_ACCOUNT.total_seconds()


@pytest.fixture
def advance(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> Advance:
    """Move the clock forward and let every due poll run to completion.

    One extra second is added: HA schedules coordinator refreshes at a whole loop second plus a
    random fraction, so a refresh due "in 60 s" may fire up to a second later.
    """

    async def _advance(seconds: float) -> None:
        freezer.tick(timedelta(seconds=seconds + 1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    return _advance


def entity_id_for(registry: er.EntityRegistry, domain: str, device_id: str, key: str) -> str:
    """Entity id of a JDownloader entity, found by its unique id (entity ids are the user's)."""
    entity_id = registry.async_get_entity_id(domain, DOMAIN, f"{device_id}_{key}")
    assert entity_id is not None, f"{domain} {key}"
    return entity_id


def all_devices(registry: dr.DeviceRegistry, hass: HomeAssistant) -> list[dr.DeviceEntry]:
    """Every device of this integration's entries (HA 2026.8+ deprecates reading
    ``registry.devices`` as a mapping; the per-entry lookup exists in every supported HA)."""
    return [
        device
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]


def jd_devices(devices: Iterable[dr.DeviceEntry]) -> list[dr.DeviceEntry]:
    """The JDownloaders among devices (premium accounts are devices of their own)."""
    return [device for device in devices if device.model != "Premium account"]


def owners(device: dr.DeviceEntry) -> set[str]:
    """The config entries a device belongs to (HA 2026.8+: exactly one, ``config_entry_id``)."""
    entry_id = getattr(device, "config_entry_id", None)
    if entry_id is not None:
        return {entry_id}
    return set(device.config_entries)
