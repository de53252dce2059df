"""MyJDownloader transport: relay through the connection server, or straight to the device's LAN
address with the same session and encryption.

Direct connection (docs/protocol.md §6): ``device/getDirectConnectionInfos`` (over the relay) lists the
device's direct-connection server addresses; each is probed with ``/device/ping`` (3 s) and calls go
to the first that answers, with the same URL form and encryption as the relay. A network failure or
timeout of a direct call puts that address on a cooldown (60 s, growing with consecutive failures)
and the same call is sent through the relay (like the official Java client's fallback) if that is
safe: when the connection could not be opened, or the method only reads. A write whose connection
broke after sending (e.g. ``addLinks``) is raised instead, as the device may have acted on it. A garbled
answer also starts the cooldown but is raised, since the device may already have acted on the call.
The infos are refreshed every 10 minutes, never after every call (unlike some clients).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
import logging
from time import monotonic
from typing import Any, Protocol

from .codec import Parser, device_envelope, encode_params
from .const import (
    DIRECT_COOLDOWN,
    DIRECT_COOLDOWN_MAX,
    DIRECT_PROBE_TIMEOUT,
    DIRECT_REFRESH_INTERVAL,
)
from .crypto import encrypted_length
from .exceptions import (
    ConnectFailedError,
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderError,
    JDownloaderProtocolError,
)
from .models import DirectConnectionInfos
from .transport import Connection

_INFOS_PATH = "/device/getDirectConnectionInfos"
_PING_PATH = "/device/ping"
_LISTEN_PATH = "/events/listen"

_LOGGER = logging.getLogger(__package__)


# Methods that only read: sending one again through the relay after a broken direct connection
# cannot change anything twice. Never events/listen: a long poll must not move onto the cloud.
_READ_PREFIXES = ("get", "query", "is", "list", "poll", "ping", "version", "uptime")


def _resendable(path: str) -> bool:
    return path.rpartition("/")[2].startswith(_READ_PREFIXES) and path != _LISTEN_PATH


@dataclass(slots=True)
class _Cooldown:
    failures: int = 0
    until: float = 0.0


class DeviceCaller(Protocol):
    """What the transport needs of the account client: its session-handling device call.

    A protocol, not the client class, so this module does not import :mod:`.client`.
    """

    @property
    def timeout(self) -> float:
        """Default timeout of a call in seconds."""
        ...

    async def device_call(
        self,
        device_id: str,
        path: str,
        params: Sequence[str],
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        """One encrypted device call (relay, or ``base_url`` for a direct address)."""
        ...


class MyJDTransport:
    """Routes one device's calls over the relay or a direct address; see the module docstring."""

    def __init__(self, client: DeviceCaller, device_id: str, *, direct: bool) -> None:
        self._client = client
        self._device_id = device_id
        self.direct_enabled = direct
        self._addresses: tuple[str, ...] = ()
        self._infos_at: float | None = None
        self._active: str | None = None
        self._cooldowns: dict[str, _Cooldown] = {}
        self._discovery_lock = asyncio.Lock()

    @property
    def connection(self) -> Connection:
        return Connection.DIRECT if self._active is not None else Connection.RELAY

    @property
    def timeout(self) -> float:
        return self._client.timeout

    @property
    def direct_address(self) -> str | None:
        """``ip:port`` of the direct address in use, if any."""
        return self._active

    def request_size(self, path: str, args: Sequence[Any]) -> int:
        # The largest rid of the next centuries, so the real body is never bigger.
        envelope = device_envelope(path, encode_params(args), 10**15)
        return encrypted_length(len(envelope))

    async def call(
        self,
        path: str,
        args: Sequence[Any],
        *,
        timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        params = encode_params(args)
        if self.direct_enabled:
            await self._discover_if_due()
        if (address := self._active) is not None:
            try:
                result = await self._client.device_call(
                    self._device_id,
                    path,
                    params,
                    base_url=f"http://{address}",
                    timeout=timeout,
                    connect_timeout=DIRECT_PROBE_TIMEOUT,
                    parse=parse,
                )
            except JDownloaderConnectionError as err:
                self._fail(address)
                if path == _LISTEN_PATH or (
                    not isinstance(err, ConnectFailedError) and not _resendable(path)
                ):
                    # The request may have reached the device before the connection broke: an
                    # addLinks sent again would add the links twice. The next calls use the relay.
                    _LOGGER.debug("Direct call %s failed (%s)", path, type(err).__name__)
                    raise
                _LOGGER.debug(
                    "Direct call %s failed (%s); using the relay", path, type(err).__name__
                )
            except JDownloaderProtocolError:
                # Something answered, so the device may have acted: sending the call again
                # through the relay could run it twice (e.g. a toggle). Raise; the next calls
                # use the relay while the address cools down.
                self._fail(address)
                raise
            else:
                self._cooldowns.pop(address, None)
                return result
        return await self._client.device_call(
            self._device_id, path, params, timeout=timeout, parse=parse
        )

    def _fail(self, address: str) -> None:
        cooldown = self._cooldowns.setdefault(address, _Cooldown())
        cooldown.failures += 1
        cooldown.until = monotonic() + min(DIRECT_COOLDOWN * cooldown.failures, DIRECT_COOLDOWN_MAX)
        if self._active == address:
            self._active = None

    def _candidates(self, now: float) -> list[str]:
        return [
            address
            for address in self._addresses
            if (cooldown := self._cooldowns.get(address)) is None or cooldown.until <= now
        ]

    def _due(self, now: float) -> bool:
        if self._infos_at is None or now - self._infos_at >= DIRECT_REFRESH_INTERVAL:
            return True
        return self._active is None and bool(self._candidates(now))

    async def _discover_if_due(self) -> None:
        if not self._due(monotonic()):
            return
        async with self._discovery_lock:  # concurrent first calls share one discovery
            now = monotonic()
            if not self._due(now):
                return
            if self._infos_at is None or now - self._infos_at >= DIRECT_REFRESH_INTERVAL:
                try:
                    await self._refresh_infos()
                except JDownloaderAuthError:
                    raise
                except JDownloaderError as err:
                    if not self._addresses:
                        raise
                    # The cloud refuses (429, overload, ...) but the LAN addresses known from
                    # the last refresh still work: keep using them, ask again after a cooldown.
                    _LOGGER.debug("Direct connection infos not refreshed (%s)", type(err).__name__)
                    self._infos_at = now - DIRECT_REFRESH_INTERVAL + DIRECT_COOLDOWN
            if self._active is None or self._active not in self._addresses:
                self._active = await self._probe(self._candidates(monotonic()))

    async def _refresh_infos(self) -> None:
        try:
            infos = DirectConnectionInfos.from_json(
                await self._client.device_call(self._device_id, _INFOS_PATH, [])
            )
        except (JDownloaderApiError, JDownloaderProtocolError) as err:
            # E.g. an old build without the method: stay on the relay until the next refresh.
            _LOGGER.debug("No direct connection infos (%s)", type(err).__name__)
            infos = DirectConnectionInfos()
        # Other errors (offline, rate limit, auth) propagate: the real call would fail the same way,
        # and sending it anyway would only add load. Discovery is then retried on the next call.
        self._infos_at = monotonic()
        self._addresses = tuple(f"{ip}:{port}" for ip, port in infos.infos)
        self._cooldowns = {a: c for a, c in self._cooldowns.items() if a in self._addresses}
        if self._active not in self._addresses:
            self._active = None

    async def _probe(self, candidates: list[str]) -> str | None:
        """Ping all candidates at once; the first to answer wins, failures go on cooldown."""
        if not candidates:
            return None

        async def ping(address: str) -> str:
            await self._client.device_call(
                self._device_id,
                _PING_PATH,
                [],
                base_url=f"http://{address}",
                timeout=DIRECT_PROBE_TIMEOUT,
                connect_timeout=DIRECT_PROBE_TIMEOUT,
            )
            return address

        tasks = [asyncio.create_task(ping(address)) for address in candidates]
        winner: str | None = None
        try:
            for next_done in asyncio.as_completed(tasks):
                try:
                    winner = await next_done
                except JDownloaderAuthError:
                    raise
                except JDownloaderError as err:
                    _LOGGER.debug("Direct probe failed (%s)", type(err).__name__)
                else:
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for address, task in zip(candidates, tasks, strict=True):
            if address != winner and task.done() and not task.cancelled() and task.exception():
                self._fail(address)
        if winner is not None:
            _LOGGER.debug("Using the direct connection for device calls")
        return winner
