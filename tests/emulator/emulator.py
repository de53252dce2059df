"""The control API used by tests (docs/architecture.md, "Emulator")."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import random
import socket
import time
from typing import Any

from aiohttp import web

from .connection import ConnectionServer
from .crypto import derive_secret
from .device import SimDevice
from .faults import Faults
from .server import Servers

HOST = "127.0.0.1"
TICK = 0.25  # realtime progress granularity in seconds
MAX_RECORDS = 100_000


@dataclass(frozen=True)
class RequestRecord:
    transport: str
    endpoint: str
    status: int  # 0 = connection dropped
    time: float
    response_bytes: int
    encoding: str | None = None  # Content-Encoding of the answer (direct and local ports)


def _listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class Emulator:
    """MyJDownloader connection server plus simulated JDownloader devices on 127.0.0.1."""

    def __init__(
        self,
        email: str = "demo@example.com",
        password: str = "demo",
        devices: int = 1,
        links: int = 100,
        seed: int = 0,
        port: int = 0,
        local_port_base: int = 0,
    ) -> None:
        self.email = email
        self.password = password
        self.port = port
        # > 0: device i serves its local API on local_port_base + i (a demo's local entries
        # survive a restart); 0: any free port.
        self.local_port_base = local_port_base
        self.links_per_device = links
        self.faults = Faults()
        # How a "slow" fault waits. A test on a simulated clock swaps in a sleep that moves
        # that clock, so a late answer is late in the client's time too (and may time it out).
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.session_ttl: float | None = None
        self.counters: Counter[tuple[str, str]] = Counter()
        self.bytes_sent: Counter[tuple[str, str]] = Counter()
        self.requests: list[RequestRecord] = []
        self.server = ConnectionServer(self, email, password)
        self.devices: list[SimDevice] = []
        self.api_url = ""
        self._rng = random.Random(seed)
        self._device_secret = derive_secret(email, password, "device")
        self._servers = Servers(self)
        self._runners: list[web.AppRunner] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._started = False
        for _ in range(devices):
            self._create_device(None, links)

    # ------------------------------------------------------------- devices
    def _create_device(self, name: str | None, links: int) -> SimDevice:
        index = len(self.devices)
        local = self.email.split("@", 1)[0]
        default = f"JDownloader@{local}" if index == 0 else f"JDownloader@{local} {index + 1}"
        dev = SimDevice(
            f"{self._rng.getrandbits(128):032x}",
            name or default,
            self._device_secret,
            self._rng.getrandbits(32),
        )
        dev.populate(links)
        self.devices.append(dev)
        return dev

    def device_by_id(self, device_id: str) -> SimDevice | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def add_device(self, name: str | None = None, links: int = 0) -> SimDevice:
        """A new JDownloader on the account (listed from the next listdevices)."""
        dev = self._create_device(name, links)
        if self._started:
            # Bind now so the ports are known at once; connections wait in the backlog.
            sockets = self._bind_device(dev)
            self._spawn(self._start_device(dev, *sockets))
        return dev

    def remove_device(self, device_id: str) -> None:
        """Unbind from the account: not listed, relay answers OFFLINE; its ports keep running."""
        dev = self.device_by_id(device_id)
        if dev is not None:
            dev.listed = False

    def restore_device(self, device_id: str) -> None:
        dev = self.device_by_id(device_id)
        if dev is not None:
            dev.listed = True

    # ------------------------------------------------------------- lifecycle
    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _site(self, handler: Any, sock: socket.socket) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        self._runners.append(runner)
        await web.SockSite(runner, sock).start()

    def _bind_device(self, dev: SimDevice) -> tuple[socket.socket, socket.socket]:
        base = self.local_port_base
        local_port = base + self.devices.index(dev) if base > 0 else 0
        direct, local = _listening_socket(), _listening_socket(local_port)
        dev.direct_port = direct.getsockname()[1]
        dev.local_port = local.getsockname()[1]
        return direct, local

    async def _start_device(
        self, dev: SimDevice, direct: socket.socket, local: socket.socket
    ) -> None:
        servers = self._servers

        async def on_direct(request: web.Request) -> web.StreamResponse:
            return await servers.handle_direct(request, dev)

        async def on_local(request: web.Request) -> web.StreamResponse:
            return await servers.handle_local(request, dev)

        await self._site(on_direct, direct)
        await self._site(on_local, local)

    async def start(self) -> None:
        sock = _listening_socket(self.port)
        self.port = sock.getsockname()[1]
        self.api_url = f"http://{HOST}:{self.port}"
        await self._site(self._servers.handle_server, sock)
        for dev in self.devices:
            await self._start_device(dev, *self._bind_device(dev))
        self._started = True
        self._spawn(self._tick())

    async def stop(self) -> None:
        self._started = False
        for task in list(self._tasks):
            task.cancel()
        for dev in self.devices:
            await dev.cancel_tasks()
            dev.events.clear()  # wake pending long-polls so the servers can shut down
        for task in list(self._tasks):
            try:
                await task
            except BaseException:  # noqa: BLE001 - cancelled background work
                pass
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            for dev in self.devices:
                if dev.realtime and dev.online:
                    dev.advance(now - last)
            last = now

    # ------------------------------------------------------------- sessions
    def expire_sessions(self) -> None:
        """Every live session token answers TOKEN_INVALID; its regain token still works."""
        for session in self.server.sessions.values():
            session.expired = True

    def expire_regain_tokens(self) -> None:
        """The next reconnect of every current session fails with AUTH_FAILED."""
        for session in self.server.sessions.values():
            session.regain_valid = False

    # ------------------------------------------------------------- counters
    def record(
        self, transport: str, endpoint: str, status: int, size: int, encoding: str | None = None
    ) -> None:
        self.bytes_sent[(transport, endpoint)] += size
        self.requests.append(
            RequestRecord(transport, endpoint, status, time.time(), size, encoding)
        )
        if len(self.requests) > MAX_RECORDS:
            del self.requests[: MAX_RECORDS // 2]

    def reset_counters(self) -> None:
        self.counters.clear()
        self.bytes_sent.clear()
        self.requests.clear()
