"""Run the emulator alone: prints one JSON line once ready, serves until killed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal

from .emulator import Emulator


async def _main(args: argparse.Namespace) -> None:
    emu = Emulator(
        email=args.email,
        password=args.password,
        devices=args.devices,
        links=args.links,
        port=args.port,
        local_port_base=args.local_port_base,
    )
    await emu.start()
    for dev in emu.devices:
        dev.realtime = True  # demo: visible movement
        dev.start_downloads()
    print(
        json.dumps(
            {
                "api_url": emu.api_url,
                "email": args.email,
                "password": args.password,
                "devices": [
                    {
                        "id": d.id,
                        "name": d.name,
                        "direct_port": d.direct_port,
                        "local_port": d.local_port,
                    }
                    for d in emu.devices
                ],
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
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--email", default="demo@example.com")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--devices", type=int, default=1)
    parser.add_argument("--links", type=int, default=100)
    parser.add_argument(
        "--local-port-base",
        type=int,
        default=0,
        help="device i serves its local API on this port + i (default: any free port)",
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
