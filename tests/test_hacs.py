"""What hassfest and the HACS action would reject, checked offline.

hassfest needs a Home Assistant core checkout and the HACS action needs GitHub, so both only run
in GitHub Actions. These tests catch the same mistakes locally (HA anchors doc, section C): the
brand icon, a translation key the code uses but `translations/en.json` or `de.json` lacks (the UI
would show the raw key), en/de drifting apart, `services.yaml` out of step with the registered
actions, and icons missing for entities or actions. Manifest key order and hacs.json keys are in
test_repository.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
import importlib
import json
from pathlib import Path
import re
import string
import struct
from typing import Any

import pytest
import voluptuous as vol
import yaml

from homeassistant import loader
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.entity import EntityDescription
from homeassistant.setup import async_setup_component

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "jdownloader"
PACKAGE = "custom_components.jdownloader"
DOMAIN = INTEGRATION.name
LANGUAGES = ("en", "de")
BRAND_SIZES = {"icon.png": 256, "icon@2x.png": 512, "dark_icon.png": 256, "dark_icon@2x.png": 512}
BRAND_FILES = {*BRAND_SIZES, "logo.png", "logo@2x.png", "dark_logo.png", "dark_logo@2x.png"}


def load_json(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def translations(language: str) -> dict[str, Any]:
    return load_json(INTEGRATION / "translations" / f"{language}.json")


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def lookup(tree: dict[str, Any], path: str) -> Any:
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- brand and manifest --------------------------------------------------------------------


def test_brand_icons_are_pngs_of_the_sizes_ha_expects() -> None:
    """HACS' `brands` check wants brand/icon.png; HA (2026.3+) serves the folder as-is."""
    brand = INTEGRATION / "brand"
    files = {p.name for p in brand.iterdir()}
    assert "icon.png" in files
    assert files <= BRAND_FILES, files - BRAND_FILES
    for name in files & set(BRAND_SIZES):
        size = BRAND_SIZES[name]
        assert png_size(brand / name) == (size, size), name


async def test_home_assistant_loads_the_manifest(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    """HA's loader accepts the manifest: found as a custom integration with a valid version."""
    integration = await loader.async_get_integration(hass, DOMAIN)
    manifest = load_json(INTEGRATION / "manifest.json")
    assert not integration.is_built_in
    assert str(integration.version) == manifest["version"]
    assert integration.config_flow
    assert integration.integration_type in {"hub", "service", "device"}


# --- translations: en and de ---------------------------------------------------------------


def test_en_and_de_have_the_same_keys_and_placeholders() -> None:
    en, de = (flatten(translations(lang)) for lang in LANGUAGES)
    assert set(en) - set(de) == set(), "missing in de.json"
    assert set(de) - set(en) == set(), "missing in en.json"
    for key, text in en.items():
        assert isinstance(text, str), key
        assert text.strip(), key
        assert placeholders(text) == placeholders(de[key]), key


def platform_modules() -> Iterator[tuple[str, Any]]:
    for platform in Platform:
        if (INTEGRATION / f"{platform.value}.py").exists():
            yield platform.value, importlib.import_module(f"{PACKAGE}.{platform.value}")


def entity_descriptions() -> list[tuple[str, EntityDescription]]:
    """Every entity description a platform module defines (alone or in a tuple/list)."""
    found: list[tuple[str, EntityDescription]] = []
    for platform, module in platform_modules():
        for value in vars(module).values():
            items = value if isinstance(value, tuple | list) else (value,)
            found.extend((platform, d) for d in items if _is_description(d))
    return found


def _is_description(value: object) -> bool:
    # By class name: HA's frozen/thawed dataclass shim gives descriptions a compat copy of
    # EntityDescription, so isinstance() misses e.g. an UpdateEntityDescription.
    return any(cls.__name__ == EntityDescription.__name__ for cls in type(value).__mro__)


def named_descriptions() -> list[tuple[str, Any]]:
    """Descriptions with a translation_key; the others are named by their device class."""
    result = []
    for platform, description in entity_descriptions():
        if description.translation_key is None:
            assert getattr(description, "device_class", None), (
                f"{platform} {description.key}: neither translation_key nor device_class"
            )
            continue
        result.append((platform, description))
    return result


def test_entity_descriptions_are_found() -> None:
    """Guards the checks below against silently checking nothing."""
    platforms = {platform for platform, _ in entity_descriptions()}
    assert {"sensor", "switch", "button", "number", "update"} <= platforms


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entity_translation_key_has_a_name(language: str) -> None:
    strings = translations(language)
    for platform, description in named_descriptions():
        key = description.translation_key
        name = lookup(strings, f"entity.{platform}.{key}.name")
        assert isinstance(name, str), f"entity.{platform}.{key}.name"
        assert name, f"entity.{platform}.{key}.name"
        options = getattr(description, "options", None)
        for option in options or ():
            path = f"entity.{platform}.{key}.state.{option}"
            assert lookup(strings, path), path
        event_types = getattr(description, "event_types", None)
        for event_type in event_types or ():
            path = f"entity.{platform}.{key}.state_attributes.event_type.state.{event_type}"
            assert lookup(strings, path), path


def test_icons_cover_every_entity_and_action() -> None:
    icons = load_json(INTEGRATION / "icons.json")
    for platform, description in named_descriptions():
        entry = lookup(icons, f"entity.{platform}.{description.translation_key}")
        where = f"icons.json entity.{platform}.{description.translation_key}"
        assert isinstance(entry, dict), where
        assert str(entry.get("default")).startswith("mdi:"), where
    for action in services_yaml():
        icon = lookup(icons, f"services.{action}.service")
        assert str(icon).startswith("mdi:"), f"icons.json services.{action}"
    for mdi in flatten(icons).values():
        assert re.fullmatch(r"mdi:[a-z0-9-]+", mdi), mdi


# --- exception translation keys (static: every raise site in the package) -------------------


def _module_trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(INTEGRATION.glob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing_function(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return node
    return None


def _strings_of(
    node: ast.AST, tree: ast.Module, parents: dict[ast.AST, ast.AST], depth: int = 0
) -> set[str]:
    """The string constants an expression can evaluate to, following names and helper calls."""
    if depth > 6:
        return set()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Await | ast.NamedExpr):
        return _strings_of(node.value, tree, parents, depth + 1)
    if isinstance(node, ast.IfExp):
        return _strings_of(node.body, tree, parents, depth + 1) | _strings_of(
            node.orelse, tree, parents, depth + 1
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        # A module-level helper: whatever it returns.
        for func in tree.body:
            if (
                isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
                and func.name == node.func.id
            ):
                return {
                    s
                    for ret in ast.walk(func)
                    if isinstance(ret, ast.Return) and ret.value is not None
                    for s in _strings_of(ret.value, tree, parents, depth + 1)
                }
        return set()
    if isinstance(node, ast.Name):
        func = _enclosing_function(node, parents)
        if func is None:
            return set()
        found: set[str] = set()
        for sub in ast.walk(func):
            assigned = (
                isinstance(sub, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in sub.targets)
            ) or (isinstance(sub, ast.NamedExpr) and sub.target.id == node.id)
            if assigned:
                found |= _strings_of(sub.value, tree, parents, depth + 1)
        assert isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
        params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        if node.id in params:  # a helper taking the key: collect what its callers pass
            index = params.index(node.id)
            for call in ast.walk(tree):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == func.name:
                    if index < len(call.args):
                        found |= _strings_of(call.args[index], tree, parents, depth + 1)
                    for kw in call.keywords:
                        if kw.arg == node.id:
                            found |= _strings_of(kw.value, tree, parents, depth + 1)
        return found
    return set()


def exception_translation_keys() -> dict[str, str]:
    """translation_key -> where, for every call passing translation_domain (exceptions)."""
    keys: dict[str, str] = {}
    for path, tree in _module_trees():
        parents = _parents(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            kwargs = {kw.arg: kw.value for kw in call.keywords}
            if "translation_domain" not in kwargs or "translation_key" not in kwargs:
                continue
            values = _strings_of(kwargs["translation_key"], tree, parents)
            assert values, f"{path.name}:{call.lineno}: cannot tell the translation_key"
            keys.update(dict.fromkeys(values, f"{path.name}:{call.lineno}"))
    return keys


def test_exception_translation_keys_are_found() -> None:
    keys = exception_translation_keys()
    assert {"auth_failed", "device_offline"} <= set(keys)  # the coordinator's
    assert "device_not_found" in keys  # passed through services.py's helper


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exception_translation_key_exists(language: str) -> None:
    strings = translations(language)
    for key, where in exception_translation_keys().items():
        assert lookup(strings, f"exceptions.{key}.message"), f"exceptions.{key} ({where})"


# --- config and options flow ---------------------------------------------------------------

# Aborts raised by ConfigFlow helpers rather than by a literal `reason=`.
HELPER_ABORTS = {
    "_abort_if_unique_id_configured": "already_configured",
    "_async_abort_entries_match": "already_configured",
    "_abort_if_unique_id_mismatch": "unique_id_mismatch",
}


def _flow_calls() -> Iterator[tuple[str, str, ast.Call, ast.AST | None]]:
    """(section, method, call, enclosing function) for calls in config_flow.py's classes."""
    tree = ast.parse((INTEGRATION / "config_flow.py").read_text(encoding="utf-8"))
    parents = _parents(tree)
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        bases = {getattr(b, "id", getattr(b, "attr", "")) for b in cls.bases}
        section_name = "options" if any("OptionsFlow" in b for b in bases) else "config"
        for call in ast.walk(cls):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                yield section_name, call.func.attr, call, _enclosing_function(call, parents)


def _evaluate(node: ast.AST) -> Any:
    """Evaluate a module-level expression (constants, names, schemas) of config_flow.py."""
    module = importlib.import_module(f"{PACKAGE}.config_flow")
    return eval(compile(ast.Expression(node), "config_flow", "eval"), vars(module))


def _schema_of(node: ast.AST) -> vol.Schema:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_suggested_values_to_schema"
    ):
        node = node.args[0]
    schema = _evaluate(node)
    assert isinstance(schema, vol.Schema)
    return schema


def flow_strings() -> dict[str, set[str]]:
    """Every translation path the flows need, collected from config_flow.py."""
    needed: dict[str, set[str]] = {"paths": set(), "placeholders": set()}
    tree = ast.parse((INTEGRATION / "config_flow.py").read_text(encoding="utf-8"))
    parents = _parents(tree)
    for section_name, method, call, func in _flow_calls():
        kwargs = {kw.arg: kw.value for kw in call.keywords}
        func_name = getattr(func, "name", "")
        if method == "async_show_form":
            step = _evaluate(kwargs["step_id"])
            base = f"{section_name}.step.{step}"
            needed["paths"].add(f"{base}.title")
            if "data_schema" in kwargs:
                for marker, value in _schema_of(kwargs["data_schema"]).schema.items():
                    if not isinstance(value, section):
                        needed["paths"].add(f"{base}.data.{marker}")
                    else:
                        needed["paths"].add(f"{base}.sections.{marker}.name")
                        for inner in value.schema.schema:
                            needed["paths"].add(f"{base}.sections.{marker}.data.{inner}")
            given = set()
            if isinstance(kwargs.get("description_placeholders"), ast.Dict):
                given = {_evaluate(k) for k in kwargs["description_placeholders"].keys if k}
            needed["placeholders"].add(json.dumps([base, sorted(given)]))
        elif method == "async_show_menu":
            step = _evaluate(kwargs["step_id"])
            for option in _evaluate(kwargs["menu_options"]):
                needed["paths"].add(f"{section_name}.step.{step}.menu_options.{option}")
        elif method == "async_abort":
            for reason in _strings_of(kwargs["reason"], tree, parents):
                needed["paths"].add(f"{section_name}.abort.{reason}")
        elif method in HELPER_ABORTS:
            needed["paths"].add(f"{section_name}.abort.{HELPER_ABORTS[method]}")
        elif method == "async_update_reload_and_abort":
            reason = "reauth_successful" if "reauth" in func_name else "reconfigure_successful"
            needed["paths"].add(f"{section_name}.abort.{reason}")
    for node in ast.walk(tree):  # errors["base"] = <literal | helper()>
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            target = node.targets[0]
            if getattr(target.value, "id", None) == "errors":
                for error in _strings_of(node.value, tree, parents):
                    needed["paths"].add(f"config.error.{error}")
    return needed


def test_flow_strings_are_found() -> None:
    paths = flow_strings()["paths"]
    assert "config.step.user.menu_options.cloud" in paths
    assert "config.step.cloud.sections.advanced.data.api_url" in paths
    assert "config.step.local.data.port" in paths
    assert "config.error.invalid_auth" in paths  # returned by a helper, not a literal
    assert "config.abort.already_configured" in paths


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_flow_step_field_error_and_abort_is_translated(language: str) -> None:
    strings = translations(language)
    needed = flow_strings()
    missing = sorted(p for p in needed["paths"] if not lookup(strings, p))
    assert missing == []
    for item in needed["placeholders"]:
        base, given = json.loads(item)
        for field in ("title", "description"):
            text = lookup(strings, f"{base}.{field}") or ""
            # The frontend shows a formatjs error for a placeholder the flow does not pass.
            assert placeholders(text) <= set(given), f"{base}.{field}"


# --- actions -------------------------------------------------------------------------------


def services_yaml() -> dict[str, Any]:
    data = yaml.safe_load((INTEGRATION / "services.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


async def test_services_yaml_matches_the_registered_actions(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    """Same actions, and each action's fields are exactly its schema's keys."""
    assert await async_setup_component(hass, DOMAIN, {})
    registered = hass.services.async_services_for_domain(DOMAIN)
    described = services_yaml()
    assert set(registered) == set(described)
    for action, service in registered.items():
        assert service.schema is not None, action
        schema_keys = {str(marker) for marker in service.schema.schema}
        fields = set((described[action] or {}).get("fields", {}))
        assert fields == schema_keys, action
        for name, field in described[action]["fields"].items():
            required = any(
                str(m) == name and isinstance(m, vol.Required) for m in service.schema.schema
            )
            assert bool(field.get("required", False)) == required, f"{action}.{name}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_action_and_field_is_translated(language: str) -> None:
    strings = translations(language)
    for action, spec in services_yaml().items():
        assert lookup(strings, f"services.{action}.name"), action
        assert lookup(strings, f"services.{action}.description"), action
        fields = (spec or {}).get("fields", {})
        assert set(lookup(strings, f"services.{action}.fields") or {}) == set(fields), action
        for name, field in fields.items():
            for part in ("name", "description"):
                assert lookup(strings, f"services.{action}.fields.{name}.{part}"), (
                    f"services.{action}.fields.{name}.{part}"
                )
            select = (field.get("selector") or {}).get("select") or {}
            if key := select.get("translation_key"):
                for option in select.get("options", []):
                    value = option["value"] if isinstance(option, dict) else option
                    path = f"selector.{key}.options.{value}"
                    assert lookup(strings, path), path
