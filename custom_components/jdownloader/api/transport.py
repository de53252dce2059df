"""What a transport is: how a :class:`~.device.JDownloaderDevice` reaches its JDownloader.

Two implementations: :mod:`.transport_myjd` (MyJDownloader: the cloud relay, or the device's LAN
address with the same encryption) and :mod:`.transport_local` (JDownloader's local Deprecated
API, no account). Adding a transport means a ``transport_<name>.py`` with a class following
:class:`DeviceTransport`, a :class:`Connection` member, and the setup that builds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

from .codec import Parser


class Connection(StrEnum):
    """How the last calls reached a JDownloader, and what that costs."""

    RELAY = "relay"  # through MyJDownloader's servers: every call is a cloud request
    DIRECT = "direct"  # straight to the device's LAN address, MyJDownloader session and crypto
    LOCAL = "local"  # JDownloader's Deprecated API on the LAN: no account, no cloud

    @property
    def uses_cloud(self) -> bool:
        """Whether a call costs a MyJDownloader request (and obeys the cloud back-off)."""
        return self is Connection.RELAY


class DeviceTransport(Protocol):
    """How a :class:`~.device.JDownloaderDevice` reaches its JDownloader."""

    @property
    def connection(self) -> Connection:
        """How the last calls went (a relay/direct transport switches between the two)."""
        ...

    @property
    def timeout(self) -> float:
        """Default timeout of a call in seconds."""
        ...

    async def call(
        self,
        path: str,
        args: Sequence[Any],
        *,
        timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        """Call ``/<ns>/<method>`` with the positional argument values; return ``parse(data)``.

        Each transport encodes ``args`` the way its server parses them (docs/protocol.md §4.2 and §7 differ).
        """
        ...

    def request_size(self, path: str, args: Sequence[Any]) -> int:
        """The size in bytes of the body this call would send (for splitting large requests)."""
        ...
