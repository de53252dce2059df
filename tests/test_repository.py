"""Checks of the repository's packaging files: what HACS, hassfest and scripts/test rely on.

hassfest and the HACS action run in GitHub Actions only; these tests catch the same mistakes
locally (rules from the HA anchors doc, section C).
"""

from __future__ import annotations

import ast
from importlib.metadata import version as installed_version
import json
from pathlib import Path
import platform
import re
import sys

from awesomeversion import AwesomeVersion
from packaging.requirements import Requirement
from packaging.version import Version
import pytest

import custom_components

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "jdownloader"
PHACC = "pytest-homeassistant-custom-component"

# Keys hassfest accepts in a custom integration's manifest (strict schema), and HACS' hacs.json keys
# (extra keys fail validation).
MANIFEST_KEYS = {
    "after_dependencies", "codeowners", "config_flow", "dependencies", "dhcp", "documentation",
    "disabled", "domain", "homekit", "import_executor", "integration_type", "iot_class", "issue_tracker",
    "loggers", "mqtt", "name", "quality_scale", "requirements", "single_config_entry", "ssdp",
    "usb", "version", "zeroconf", "bluetooth", "preview_features",
}  # fmt: skip
HACS_KEYS = {
    "name", "content_in_root", "zip_release", "filename", "hide_default_branch", "country",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
IOT_CLASSES = {
    "assumed_state", "cloud_polling", "cloud_push", "local_polling", "local_push", "calculated",
}  # fmt: skip


def load_json(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_custom_components_is_this_repository() -> None:
    """HA's loader searches `custom_components.__path__`; it must be ours, not the plugin's."""
    assert [Path(p).resolve() for p in custom_components.__path__] == [REPO / "custom_components"]
    assert Path(custom_components.__file__ or "").name == "__init__.py"


def test_manifest_follows_hassfest_and_hacs_rules() -> None:
    manifest = load_json(INTEGRATION / "manifest.json")
    keys = list(manifest)

    # hassfest: domain, name, then the rest sorted; unknown keys are errors.
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert set(keys) <= MANIFEST_KEYS, set(keys) - MANIFEST_KEYS

    assert manifest["domain"] == INTEGRATION.name
    assert Version(str(manifest["version"]))  # HA refuses a custom integration without one
    assert manifest["iot_class"] in IOT_CLASSES
    assert manifest["config_flow"] is (INTEGRATION / "config_flow.py").exists()
    # aiohttp and cryptography ship with HA; the client is embedded, so nothing to install.
    assert manifest["requirements"] == []

    for key in ("documentation", "issue_tracker"):
        url = str(manifest[key])
        assert url.startswith("https://"), key
        assert not url.startswith("https://www.home-assistant.io/integrations"), key
    codeowners = manifest["codeowners"]
    assert isinstance(codeowners, list)
    assert codeowners
    assert all(re.fullmatch(r"@[\w.-]+(/[\w.-]+)?", owner) for owner in codeowners)


def test_hacs_json_is_valid_and_matches_tested_ha() -> None:
    hacs = load_json(REPO / "hacs.json")
    assert set(hacs) <= HACS_KEYS, set(hacs) - HACS_KEYS
    assert hacs["name"]
    # Users of the declared minimum HA must get a tested combination: never above the HA we run.
    ha_version = installed_version("homeassistant")
    assert AwesomeVersion(str(hacs["homeassistant"])) <= AwesomeVersion(ha_version)
    # One folder under custom_components/ (HACS structure rule), named after the domain.
    folders = [p.name for p in (REPO / "custom_components").iterdir() if p.is_dir()]
    assert [f for f in folders if f != "__pycache__"] == ["jdownloader"]


def test_tools_pinned_identically_for_every_interpreter() -> None:
    """ruff/mypy/hypothesis results must not differ between the CI legs because of versions."""
    requirements = [
        Requirement(line.split("#", 1)[0])
        for line in (REPO / "requirements_test.txt").read_text(encoding="utf-8").splitlines()
        if line.split("#", 1)[0].strip()
    ]
    for tool in ("ruff", "mypy", "hypothesis"):
        (req,) = [r for r in requirements if r.name == tool]
        assert req.marker is None, tool
        assert str(req.specifier).startswith("=="), tool


def _phacc_pins_for(python_full_version: str) -> list[str]:
    env = {
        "python_full_version": python_full_version,
        "python_version": ".".join(python_full_version.split(".")[:2]),
    }
    pins = []
    for line in (REPO / "requirements_test.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        req = Requirement(text)
        if req.name == PHACC and (req.marker is None or req.marker.evaluate(env)):
            (spec,) = req.specifier
            pins.append(spec.version)
    return pins


@pytest.mark.parametrize(
    ("python", "expected"),
    [
        ("3.13.0", "0.13.236"),  # HA 2025.4.4
        ("3.13.1", "0.13.236"),
        ("3.13.2", "0.13.316"),  # HA 2026.2.3
        ("3.13.9", "0.13.316"),
        ("3.14.1", "0.13.316"),
        ("3.14.2", "0.13.375"),  # HA 2026.10.4
        ("3.14.10", "0.13.375"),
        ("3.15.0", "0.13.375"),
    ],
)
def test_phacc_pin_follows_interpreter(python: str, expected: str) -> None:
    assert _phacc_pins_for(python) == [expected]


def test_running_interpreter_got_its_pin() -> None:
    """The venv scripts/test built holds the phacc version the markers pick for this Python."""
    assert _phacc_pins_for(platform.python_version()) == [installed_version(PHACC)]
    assert sys.version_info >= (3, 13)


def test_config_entries_are_typed_everywhere() -> None:
    """The runtime-data and strict-typing rules: every function taking a config entry takes the
    typed ``JDownloaderConfigEntry``, never a bare ``ConfigEntry`` (HA's quality-scale checker
    rejects that, e.g. in ``async_get_options_flow``)."""
    untyped = []
    for path in sorted(INTEGRATION.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
                if isinstance(arg.annotation, ast.Name) and arg.annotation.id == "ConfigEntry":
                    untyped.append(f"{path.name}:{node.lineno} {node.name}({arg.arg})")
    assert untyped == []


def test_quality_scale_claims_no_stub_readme() -> None:
    """Rules marked done or todo say why; none still points at a README stub."""
    text = (INTEGRATION / "quality_scale.yaml").read_text(encoding="utf-8")
    assert "stub" not in text
