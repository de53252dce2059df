"""Print the pip requirements Home Assistant would install at start-up for the demo config.

Run with the develop venv's interpreter: `python develop_requirements.py DOMAIN...`. Home Assistant
pip-installs an integration's requirements the first time it loads it; scripts/develop installs
them up front instead, so the demo also starts without internet access. The walk mirrors
homeassistant.requirements: dependencies, after_dependencies and the discovery integrations a
manifest names (dhcp, mqtt, ssdp, zeroconf/homekit), for the configured domains plus the ones
bootstrap always sets up.
"""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path
import sys

from packaging.requirements import Requirement

from homeassistant import bootstrap
import homeassistant.components

BUILTIN = Path(homeassistant.components.__file__).parent
CUSTOM = Path(__file__).resolve().parents[2] / "custom_components"
# Manifest key -> integration whose requirements HA installs with it (homeassistant.requirements).
DISCOVERY = {
    "dhcp": "dhcp",
    "mqtt": "mqtt",
    "ssdp": "ssdp",
    "zeroconf": "zeroconf",
    "homekit": "zeroconf",
}


def manifest(domain: str) -> dict[str, object] | None:
    for base in (CUSTOM, BUILTIN):
        path = base / domain / "manifest.json"
        if path.is_file():
            data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
            return data
    return None  # an after_dependency that does not exist is allowed


def installed(requirement: str) -> bool:
    req = Requirement(requirement)
    try:
        version = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return req.specifier.contains(version, prereleases=True)


def main(configured: list[str]) -> None:
    todo = [*configured, *bootstrap.CORE_INTEGRATIONS, *bootstrap.DEFAULT_INTEGRATIONS]
    seen: set[str] = set()
    requirements: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        data = manifest(domain)
        if data is None:
            continue
        requirements.update(str(r) for r in data.get("requirements", []))  # type: ignore[attr-defined]
        todo.extend(data.get("dependencies", []))  # type: ignore[arg-type]
        todo.extend(data.get("after_dependencies", []))  # type: ignore[arg-type]
        todo.extend(target for key, target in DISCOVERY.items() if key in data)
    for requirement in sorted(requirements):
        if not installed(requirement):
            print(requirement)


if __name__ == "__main__":
    main(sys.argv[1:])
