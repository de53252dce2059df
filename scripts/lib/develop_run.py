"""The demo behind scripts/develop: the emulator as a JDownloader, then Home Assistant.

Run by scripts/develop with the develop venv's interpreter, from the repository root. Starts
`python -m tests.emulator` (a MyJDownloader server with demo JDownloaders whose downloads are
running), prints how to add the integration against it, then runs Home Assistant with `config/`
until Ctrl-C, which stops Home Assistant first and the emulator after it.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import signal
import subprocess
import sys
import threading
import time
from typing import IO, Any
import urllib.error
import urllib.request

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
# Demo JDownloader i serves its local API on this port + i, the same on every run. Not
# JDownloader's 3128: a real JDownloader on the developer's machine may be using that.
DEFAULT_LOCAL_PORT_BASE = 8766

# Lean on purpose: `default_config:` pulls in cloud, go2rtc, bluetooth, zeroconf, mobile_app...,
# which need the internet, extra binaries or hardware. This is enough for the UI, the history
# graphs and the integration; HA adds its default integrations (person, automation...) itself.
CONFIGURATION_YAML = """\
# Written by scripts/develop (only when missing: your edits stay). Lean on purpose, so the demo
# starts offline; `default_config:` would pull in cloud, go2rtc, bluetooth, zeroconf and more.
homeassistant:
  name: JDownloader demo
  unit_system: metric
  time_zone: Europe/Berlin
  country: DE
  currency: EUR
  latitude: 52.52
  longitude: 13.40
  elevation: 34

frontend:
config:
http:
  server_port: {ha_port}
api:
history:
recorder:
  purge_keep_days: 2
logger:
  default: warning
  logs:
    custom_components.jdownloader: debug
    homeassistant.setup: info
    # A default integration imports camera helpers; the demo needs no libturbojpeg (OS package).
    homeassistant.components.camera.img_util: critical
"""
# The domains above; scripts/develop pre-installs their requirements (keep in sync).
CONFIG_DOMAINS = ("frontend", "config", "http", "api", "history", "recorder", "logger")


def prepare_config(ha_port: int) -> None:
    """config/ with a lean configuration.yaml, custom_components/jdownloader and the blueprints
    linked in, and onboarding past the steps that would add integrations the demo cannot run."""
    (CONFIG / "custom_components").mkdir(parents=True, exist_ok=True)
    yaml = CONFIG / "configuration.yaml"
    if not yaml.exists():
        yaml.write_text(CONFIGURATION_YAML.format(ha_port=ha_port), encoding="utf-8")
    _skip_onboarding_integrations()
    _link(
        CONFIG / "blueprints" / "automation" / "jdownloader",
        Path("..") / ".." / ".." / "blueprints" / "automation" / "jdownloader",
    )
    _link(
        CONFIG / "custom_components" / "jdownloader",
        Path("..") / ".." / "custom_components" / "jdownloader",
    )


def _link(link: Path, target: Path) -> None:
    """``link`` → ``target`` (relative), replacing an older link, never a real directory."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() and os.readlink(link) != str(target):
        link.unlink()
    if not link.is_symlink():
        if link.exists():
            sys.exit(f"scripts/develop: {link} exists and is not a symlink; remove it")
        link.symlink_to(target, target_is_directory=True)


def _skip_onboarding_integrations() -> None:
    """Mark onboarding's location, analytics and integration steps done (only the user is
    created in the browser). Finishing the location step would add Google Translate (needs
    ffmpeg), Met.no and Radio Browser (need the internet), which fail in an offline demo."""
    from homeassistant.components import onboarding  # the demo venv's Home Assistant

    store = CONFIG / ".storage" / "onboarding"
    if store.exists():
        return
    store.parent.mkdir(parents=True, exist_ok=True)
    done = ["core_config", "analytics", "integration"]
    data = {
        "version": onboarding.STORAGE_VERSION,
        "key": onboarding.STORAGE_KEY,
        "data": {"done": done},
    }
    store.write_text(json.dumps(data, indent=2), encoding="utf-8")


def emulator_args(args: argparse.Namespace) -> list[str]:
    return [
        f"--port={args.emulator_port}",
        f"--email={args.email}",
        f"--password={args.password}",
        f"--devices={args.devices}",
        f"--links={args.links}",
        # Fixed local API ports: a local entry added in the demo still works after a restart.
        f"--local-port-base={args.local_port_base}",
    ]


def start_emulator(args: argparse.Namespace) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start the emulator in its own process group and read its one JSON line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.emulator", *emulator_args(args)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # Ctrl-C reaches us only; we stop the children in order
    )
    assert proc.stdout is not None
    line = _read_line(proc.stdout, timeout=30)
    if not line:
        stop(proc, "emulator")
        sys.exit(
            "scripts/develop: the emulator did not start (see its output above; a port in use?"
            f" --emulator-port is {args.emulator_port}, the local API ports start at"
            f" --local-port-base {args.local_port_base})"
        )
    # Keep draining its stdout so a chatty emulator never blocks on a full pipe.
    threading.Thread(target=_drain, args=(proc.stdout,), daemon=True).start()
    return proc, json.loads(line)


def _read_line(stream: IO[str], timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0].strip() if result else ""


def _drain(stream: IO[str]) -> None:
    for line in stream:
        print(f"[emulator] {line}", end="", flush=True)


def start_home_assistant() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "homeassistant", "--config", str(CONFIG)],
        cwd=ROOT,
        start_new_session=True,
    )


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> bool:
    """Poll the frontend until it answers (first start takes a while: database, frontend)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers; a 401/404 still means it is up
        except (OSError, ValueError):
            time.sleep(1)
    return False


def stop(proc: subprocess.Popen[Any], name: str, timeout: float = 30) -> None:
    if proc.poll() is not None:
        return
    print(f"scripts/develop: stopping {name} ...", flush=True)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def banner(info: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        "",
        "=" * 78,
        "Demo JDownloader (emulator) is running: downloads are in progress.",
        f"  MyJDownloader API URL : {info['api_url']}",
        f"  E-mail                : {info['email']}",
        f"  Password              : {info['password']}",
    ]
    for dev in info["devices"]:
        lines.append(
            f"  Device {dev['name']!r}: local API 127.0.0.1:{dev['local_port']}"
            f" (direct connection port {dev['direct_port']})"
        )
    if not args.no_ha:
        lines += [
            "",
            f"Home Assistant: http://localhost:{args.ha_port} (config in config/, log in"
            " config/home-assistant.log)",
            "  1. Create your user (first visit only).",
            "  2. Settings -> Devices & services -> Add integration -> JDownloader.",
            "  3a. MyJDownloader account: the e-mail and password above; open 'Advanced'",
            f"      and set the API server URL to {info['api_url']}",
            "  3b. or Local JDownloader: host 127.0.0.1 and a device's local API port above"
            " (fixed: the entry survives a restart of scripts/develop).",
        ]
    lines += ["", "Press Ctrl-C to stop.", "=" * 78, ""]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/develop", description=__doc__)
    parser.add_argument(
        "--no-ha",
        "--emulator-only",
        dest="no_ha",
        action="store_true",
        help="run only the emulator (e.g. for a Home Assistant of your own)",
    )
    env = os.environ.get
    parser.add_argument("--ha-port", type=int, default=int(env("HA_PORT", "8123")))
    parser.add_argument("--emulator-port", type=int, default=int(env("JD_EMULATOR_PORT", "8765")))
    parser.add_argument("--email", default=env("JD_EMAIL", "demo@example.com"))
    parser.add_argument("--password", default=env("JD_PASSWORD", "demo"))
    parser.add_argument(
        "--local-port-base",
        type=int,
        default=int(env("JD_LOCAL_PORT_BASE", str(DEFAULT_LOCAL_PORT_BASE))),
        help="demo JDownloader i serves its local API on this port + i"
        f" (default {DEFAULT_LOCAL_PORT_BASE}; 0: any free port, new on every run)",
    )
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--links", type=int, default=60, help="links per demo JDownloader")
    return parser.parse_args()


def _sigterm(signum: int, frame: object) -> None:
    """SIGTERM (e.g. `kill`) ends the demo the way Ctrl-C does."""
    raise KeyboardInterrupt


def main() -> int:
    args = parse_args()
    # Ctrl-C must work even when started from a shell that ignores SIGINT for background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm)
    emulator, info = start_emulator(args)
    hass: subprocess.Popen[bytes] | None = None
    try:
        print(banner(info, args), flush=True)
        if not args.no_ha:
            prepare_config(args.ha_port)
            hass = start_home_assistant()
            url = f"http://127.0.0.1:{args.ha_port}/manifest.json"
            if wait_until_up(url, hass):
                print(
                    f"\nscripts/develop: Home Assistant is up: http://localhost:{args.ha_port}"
                    "  (Ctrl-C stops everything)\n",
                    flush=True,
                )
        children = [p for p in (hass, emulator) if p is not None]
        while all(p.poll() is None for p in children):
            time.sleep(0.5)
        for proc, name in ((hass, "Home Assistant"), (emulator, "the emulator")):
            if proc is not None and proc.poll() is not None:
                print(f"scripts/develop: {name} exited with code {proc.returncode}", flush=True)
                return 1
    except KeyboardInterrupt:
        print("", flush=True)
    finally:
        if hass is not None:
            stop(hass, "Home Assistant", timeout=60)
        stop(emulator, "the emulator")
    return 0


if __name__ == "__main__":
    sys.exit(main())
