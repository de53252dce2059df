"""The polling pattern of doudz/homeassistant-myjdownloader v2.5.0, through myjdapi.

Per 60 s update (read from the v2.5.0 code: its coordinators and entities), all calls serialized in one
executor thread as its ``Semaphore(1)`` did: ``/my/reconnect`` (a new session every minute) and
``/my/listdevices`` for the account sensor, then per JDownloader one call per enabled entity.
The default install (what a user gets) enables five: download speed, status, pause switch
(status again), limit switch (``toolbar/getStatus``), update entity (``update/isUpdateAvailable``).
The packages and links sensors are disabled by default; enabled ("all entities") they add a full
``queryPackages`` / ``queryLinks`` with myjdapi's default fields. myjdapi follows every relayed device call with
``device/getDirectConnectionInfos``; the emulator reports no direct addresses (mode NONE, as for
a JDownloader behind NAT or with direct connections off), so everything goes through the cloud.
myjdapi is installed for the benchmark only (requirements_bench.txt), never at runtime.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

from .measure import EmulatorProcess, Sample, measure

# myjdapi waits 3 s for an answer; the emulator needs longer for 50,000-link lists on a slow
# machine, and a timeout would only make the baseline cheaper than it really is.
MYJDAPI_TIMEOUT = 60.0


def _patch_timeout(module: Any) -> None:
    requests = module.requests

    class _Requests:
        exceptions = requests.exceptions

        @staticmethod
        def get(url: str, **kwargs: Any) -> Any:
            kwargs["timeout"] = MYJDAPI_TIMEOUT
            return requests.get(url, **kwargs)

        @staticmethod
        def post(url: str, **kwargs: Any) -> Any:
            kwargs["timeout"] = MYJDAPI_TIMEOUT
            return requests.post(url, **kwargs)

    module.requests = _Requests


class OldIntegration:
    """One myjdapi account and its devices, updated the v2.5.0 way."""

    def __init__(self, emu: EmulatorProcess, *, all_entities: bool) -> None:
        """Log in and look the devices up (not measured: done once at setup)."""
        self.all_entities = all_entities
        # Benchmark-only dependency, imported late: the rest of the package works without it.
        import myjdapi
        import myjdapi.myjdapi as module

        _patch_timeout(module)
        self.api = myjdapi.Myjdapi()
        self.api.set_app_key("ha_bench_baseline")
        self.api._Myjdapi__api_url = emu.api_url  # myjdapi has no setter for it
        self.api.connect(emu.email, emu.password)
        self.api.update_devices()
        self.devices = [self.api.get_device(device_id=d["id"]) for d in self.api.list_devices()]

    def update(self) -> None:
        """One 60 s update of every entity, in the order HA would run them."""
        self.api.reconnect()
        self.api.update_devices()
        for device in self.devices:
            device.downloadcontroller.get_speed_in_bytes()  # Download Speed sensor
            device.downloadcontroller.get_current_state()  # Status sensor
            device.downloadcontroller.get_current_state()  # Pause switch
            device.toolbar.get_status()  # Limit switch
            device.update.is_update_available()  # Update entity
            if self.all_entities:  # disabled by default
                device.downloads.query_packages()  # Packages sensor (attribute: every package)
                device.downloads.query_links()  # Links sensor (attribute: every link)

    def close(self) -> None:
        """End the session."""
        self.api.disconnect()


async def run_baseline(
    emu: EmulatorProcess, cycles: int, *, all_entities: bool
) -> tuple[Sample, Sample]:
    """Measure `cycles` updates while downloading, then while idle."""
    loop = asyncio.get_running_loop()
    old = await loop.run_in_executor(
        None, functools.partial(OldIntegration, emu, all_entities=all_entities)
    )
    try:

        async def one(_: int) -> None:
            await loop.run_in_executor(None, old.update)

        await emu.acontrol("downloading", value=True)
        downloading = await measure(emu, cycles, one, advance=60.0)
        await emu.acontrol("downloading", value=False)
        idle = await measure(emu, cycles, one)
    finally:
        await loop.run_in_executor(None, old.close)
    return downloading, idle
