"""Screenshots of the demo (docs/screenshots/), taken from a running scripts/develop.

    scripts/develop &                       # wait for "Home Assistant is up"
    .venv-develop/bin/python scripts/lib/develop_screenshot.py [--out PATH] [--local]
    .venv-develop/bin/python scripts/lib/develop_screenshot.py --dashboard

Without --dashboard: the JDownloader device page (docs/screenshots/dashboard.png). With it: the
README's dashboard to copy (section "To-do lists"), created as the storage dashboard
"jdownloader-downloads" with the demo device's real entity ids
(docs/screenshots/downloads-dashboard.png).

Onboards Home Assistant through its REST API (user `demo` / password `demo-demo`; on a config/
that is already onboarded it logs in with them), adds the integration through the config-flow
REST API against the emulator (cloud mode with the emulator's API URL, or --local), then opens
the JDownloader device page in headless Chromium (Debian package `chromium`), logged in by
putting the tokens into the page's localStorage over the DevTools protocol, and saves a PNG.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
from pathlib import Path
import shutil
import socket
import tempfile
import time
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "http://127.0.0.1:{port}/"
USER, PASSWORD = "demo", "demo-demo"
DASHBOARD = "jdownloader-downloads"


class HomeAssistantApi:
    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self.session = session
        self.base = f"http://127.0.0.1:{port}"
        self.client_id = CLIENT_ID.format(port=port)
        self.tokens: dict[str, Any] = {}

    async def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {}
        if self.tokens:
            headers["Authorization"] = f"Bearer {self.tokens['access_token']}"
        async with self.session.request(
            method, self.base + path, headers=headers, **kwargs
        ) as resp:
            body = await resp.text()
            if resp.status >= 400:
                raise RuntimeError(f"{method} {path}: HTTP {resp.status} {body[:300]}")
            return json.loads(body) if body else None

    async def log_in(self) -> None:
        steps = {s["step"]: s["done"] for s in await self.call("GET", "/api/onboarding")}
        if not steps.get("user"):
            result = await self.call(
                "POST",
                "/api/onboarding/users",
                json={
                    "client_id": self.client_id,
                    "name": "Demo",
                    "username": USER,
                    "password": PASSWORD,
                    "language": "en",
                },
            )
            code = result["auth_code"]
        else:
            flow = await self.call(
                "POST",
                "/auth/login_flow",
                json={
                    "client_id": self.client_id,
                    "handler": ["homeassistant", None],
                    "redirect_uri": self.client_id,
                },
            )
            result = await self.call(
                "POST",
                f"/auth/login_flow/{flow['flow_id']}",
                json={"client_id": self.client_id, "username": USER, "password": PASSWORD},
            )
            code = result["result"]
        self.tokens = await self.call(
            "POST",
            "/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        self.tokens["expires"] = int(time.time() * 1000) + self.tokens["expires_in"] * 1000
        self.tokens["hassUrl"] = self.base
        self.tokens["clientId"] = self.client_id
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            ("integration", {"client_id": self.client_id, "redirect_uri": self.client_id}),
        ):
            if not steps.get(step):
                await self.call("POST", f"/api/onboarding/{step}", json=body)

    async def add_integration(self, emulator: dict[str, Any], local: bool) -> None:
        entries = await self.call("GET", "/api/config/config_entries/entry")
        if any(e["domain"] == "jdownloader" for e in entries):
            return
        flow = await self.call(
            "POST", "/api/config/config_entries/flow", json={"handler": "jdownloader"}
        )
        path = f"/api/config/config_entries/flow/{flow['flow_id']}"
        if local:
            await self.call("POST", path, json={"next_step_id": "local"})
            port = emulator["devices"][0]["local_port"]
            result = await self.call("POST", path, json={"host": "127.0.0.1", "port": port})
        else:
            await self.call("POST", path, json={"next_step_id": "cloud"})
            result = await self.call(
                "POST",
                path,
                json={
                    "email": emulator["email"],
                    "password": emulator["password"],
                    "advanced": {"api_url": emulator["api_url"]},
                },
            )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"config flow did not create an entry: {result}")

    async def websocket(self, message: dict[str, Any]) -> Any:
        async with self.session.ws_connect(self.base + "/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.tokens["access_token"]})
            await ws.receive_json()  # auth_ok
            await ws.send_json({"id": 1, **message})
            answer = await ws.receive_json()
            if not answer.get("success", True):
                raise RuntimeError(f"{message['type']}: {answer.get('error')}")
            return answer["result"]

    async def create_dashboard(self, device_id: str) -> str:
        """The README's dashboard with the device's entity ids; returns its path."""
        registry = await self.websocket({"type": "config/entity_registry/list"})
        by_key: dict[tuple[str, str | None], str] = {
            (e["entity_id"].split(".")[0], e.get("translation_key")): e["entity_id"]
            for e in registry
            if e.get("device_id") == device_id and e.get("platform") == "jdownloader"
        }

        def entity(domain: str, key: str) -> str:
            if (domain, key) not in by_key:
                raise SystemExit(f"no {domain} entity {key!r} on the device: {sorted(by_key)}")
            return by_key[domain, key]

        config = {
            "title": "Downloads",
            "views": [
                {
                    "title": "JDownloader",
                    "cards": [
                        {
                            "type": "todo-list",
                            "entity": entity("todo", "downloads"),
                            "title": "Downloads",
                        },
                        {
                            "type": "entities",
                            "title": "JDownloader",
                            "entities": [
                                {"entity": entity(domain, key)}
                                for domain, key in (
                                    ("sensor", "download_speed"),
                                    ("sensor", "progress"),
                                    ("sensor", "eta"),
                                    ("switch", "pause"),
                                    ("switch", "speed_limit"),
                                    ("number", "speed_limit_value"),
                                )
                            ],
                        },
                        {
                            "type": "todo-list",
                            "entity": entity("todo", "linkgrabber"),
                            "title": "Linkgrabber",
                        },
                    ],
                }
            ],
        }
        dashboards = await self.websocket({"type": "lovelace/dashboards/list"})
        if not any(d["url_path"] == DASHBOARD for d in dashboards):
            await self.websocket(
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": DASHBOARD,
                    "title": "Downloads",
                    "icon": "mdi:download",
                    "show_in_sidebar": True,
                    "require_admin": False,
                    "mode": "storage",
                }
            )
        await self.websocket(
            {"type": "lovelace/config/save", "url_path": DASHBOARD, "config": config}
        )
        return f"/{DASHBOARD}/0"


async def emulator_info(session: aiohttp.ClientSession, api_url: str) -> dict[str, Any]:
    """What scripts/develop printed; devices only matter for --local."""
    return {
        "api_url": api_url,
        "email": os.environ.get("JD_EMAIL", "demo@example.com"),
        "password": os.environ.get("JD_PASSWORD", "demo"),
        # The first demo JDownloader's local API (scripts/develop --local-port-base).
        "devices": [{"local_port": int(os.environ.get("JD_LOCAL_PORT_BASE", "8766"))}],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def screenshot(url: str, tokens: dict[str, Any], out: Path, size: tuple[int, int]) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    port = free_port()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = await asyncio.create_subprocess_exec(
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
            f"--remote-debugging-port={port}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await _drive(port, url, tokens, out, size)
        finally:
            proc.terminate()
            await proc.wait()


async def _drive(
    port: int, url: str, tokens: dict[str, Any], out: Path, size: tuple[int, int]
) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(100):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
                    pages = [p for p in await resp.json() if p["type"] == "page"]
                    if pages:
                        break
            await asyncio.sleep(0.2)
        else:
            raise RuntimeError("chromium's DevTools endpoint did not come up")
        async with session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            ids = iter(range(1, 1_000_000))

            async def cdp(method: str, **params: Any) -> Any:
                msg_id = next(ids)
                await ws.send_json({"id": msg_id, "method": method, "params": params})
                while True:
                    msg = await ws.receive_json()
                    if msg.get("id") == msg_id:
                        if "error" in msg:
                            raise RuntimeError(f"{method}: {msg['error']}")
                        return msg.get("result")

            width, height = size
            await cdp(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            origin = url.split("/", 3)[:3]
            await cdp("Page.navigate", url="/".join(origin) + "/manifest.json")
            await asyncio.sleep(1)
            await cdp(
                "Runtime.evaluate",
                expression=f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})",
            )
            await cdp("Page.navigate", url=url)
            await asyncio.sleep(12)  # frontend bundle, websocket, first states, charts
            shot = await cdp("Page.captureScreenshot", format="png")
            await asyncio.to_thread(_save, out, base64.b64decode(shot["data"]))


def _save(out: Path, png: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(png)


async def main(args: argparse.Namespace) -> None:
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, args.ha_port)
        await api.log_in()
        await api.add_integration(await emulator_info(session, args.api_url), args.local)
        await asyncio.sleep(args.settle)  # a few polls, so values move and graphs have points
        devices = await api.websocket({"type": "config/device_registry/list"})
        ours = [
            d
            for d in devices
            if any(i[0] == "jdownloader" for i in d["identifiers"]) and d["name"] == args.device
        ] or [d for d in devices if any(i[0] == "jdownloader" for i in d["identifiers"])]
        if not ours:
            raise SystemExit("no JDownloader device in Home Assistant: did the integration load?")
        if args.dashboard:
            url = api.base + await api.create_dashboard(ours[0]["id"])
        else:
            url = f"{api.base}/config/devices/device/{ours[0]['id']}"
        out = args.out or ROOT / "docs" / "screenshots" / (
            "downloads-dashboard.png" if args.dashboard else "dashboard.png"
        )
        size = (args.width, args.height or (900 if args.dashboard else 1500))
        await screenshot(url, api.tokens, out, size)
        print(f"saved {out} ({url})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument("--api-url", default="http://127.0.0.1:8765")
    parser.add_argument(
        "--local", action="store_true", help="add the local API (port JD_LOCAL_PORT_BASE)"
    )
    parser.add_argument("--device", default="JDownloader@demo")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument(
        "--dashboard", action="store_true", help="the README's dashboard instead of the device page"
    )
    parser.add_argument("--height", type=int, help="default 1500, with --dashboard 900")
    parser.add_argument("--settle", type=float, default=40.0, help="seconds to let data flow")
    parser.add_argument(
        "--out", type=Path, help="default docs/screenshots/dashboard.png or downloads-dashboard.png"
    )
    asyncio.run(main(parser.parse_args()))
