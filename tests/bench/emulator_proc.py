"""The emulator in its own process, so the benchmark's CPU figures are the client side's alone.

Started by the benchmark as ``python -m tests.bench.emulator_proc --devices K --links L``; prints
one JSON line (api_url, control_url, e-mail, password) and serves until killed. The control port
(not counted by the emulator) exposes what the benchmark needs from the emulator's Python API:
counters, download state and simulated time. Direct connections are off on every device
(``getDirectConnectionInfos`` reports mode NONE), so both clients talk through the cloud only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import socket
from typing import Any

from aiohttp import web

from tests.emulator import Emulator

EMAIL = "bench@example.com"
PASSWORD = "bench password"


def _counts(emu: Emulator) -> dict[str, Any]:
    """Cloud traffic (connection server + relay) since the last reset."""
    cloud = ("server", "relay")
    endpoints: dict[str, int] = {}
    for (transport, endpoint), count in emu.counters.items():
        if transport in cloud:
            endpoints[endpoint] = endpoints.get(endpoint, 0) + count
    return {
        "requests": sum(c for (t, _), c in emu.counters.items() if t in cloud),
        "bytes": sum(b for (t, _), b in emu.bytes_sent.items() if t in cloud),
        "other": sum(c for (t, _), c in emu.counters.items() if t not in cloud),
        "endpoints": endpoints,
    }


def _control_app(emu: Emulator) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        cmd = await request.json()
        op = cmd["op"]
        result: Any = None
        if op == "counts":
            result = _counts(emu)
        elif op == "reset":
            emu.reset_counters()
        elif op == "downloading":
            for dev in emu.devices:
                if cmd["value"]:
                    dev.start_downloads()
                else:
                    dev.stop_downloads()
                dev.warm_status_answers()
        elif op == "advance":
            for dev in emu.devices:
                dev.advance(float(cmd["seconds"]))
                dev.warm_status_answers()
        elif op == "devices":
            result = [{"id": d.id, "name": d.name} for d in emu.devices]
        else:
            raise web.HTTPBadRequest(text=f"unknown op {op}")
        return web.json_response({"result": result})

    app = web.Application()
    app.router.add_post("/ctl", handle)
    return app


async def _main(args: argparse.Namespace) -> None:
    emu = Emulator(email=EMAIL, password=PASSWORD, devices=args.devices, links=args.links, seed=0)
    for dev in emu.devices:
        dev.direct_enabled = False
        # Status answers at once, as JDownloader gives them: see SimDevice.cache_status_answers.
        dev.cache_status_answers = True
    await emu.start()
    runner = web.AppRunner(_control_app(emu), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock)
    await site.start()
    port = sock.getsockname()[1]
    print(
        json.dumps(
            {
                "api_url": emu.api_url,
                "control_url": f"http://127.0.0.1:{port}/ctl",
                "email": EMAIL,
                "password": PASSWORD,
            }
        ),
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await emu.stop()


def main() -> None:
    """Parse arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.emulator_proc")
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--links", type=int, default=100)
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
