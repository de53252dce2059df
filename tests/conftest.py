"""Repository-wide test setup: make `custom_components` resolve to this repository's package.

pytest-homeassistant-custom-component ships a `testing_config/custom_components` package of its
own. Home Assistant's loader does `import custom_components` (with its config dir on sys.path)
and only searches `custom_components.__path__`; whichever package was imported first wins. If the
plugin's copy wins, every test of ours fails with "Integration 'jdownloader' not found". Importing
ours here, before any test module or fixture runs, and checking where it came from, prevents that.

Shared fixtures are plugins registered here: tests/fixtures.py (account, emulator, HTTP session)
and tests/ha_fixtures.py (Home Assistant entries and helpers; they start a `hass` only when a test
asks for one). The autouse `enable_custom_integrations` wrapper is in the conftests of
tests/integration and tests/reliability, whose tests all run Home Assistant.
"""

from __future__ import annotations

from pathlib import Path
import sys

REPO_ROOT = Path(__file__).resolve().parent.parent
OUR_CUSTOM_COMPONENTS = REPO_ROOT / "custom_components"


def _claim_custom_components() -> None:
    """Import our `custom_components` (dropping any other copy already imported) and verify it."""
    root = str(REPO_ROOT)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)

    loaded = sys.modules.get("custom_components")
    if loaded is not None and not _is_ours(loaded):
        for name in [n for n in sys.modules if n.partition(".")[0] == "custom_components"]:
            del sys.modules[name]

    # Imported here, after the sys.path fix-up above, on purpose.
    import custom_components

    if not _is_ours(custom_components):
        raise RuntimeError(
            f"`custom_components` resolves to {list(custom_components.__path__)}, not "
            f"{OUR_CUSTOM_COMPONENTS}; Home Assistant would not find the jdownloader integration"
        )


def _is_ours(module: object) -> bool:
    paths = getattr(module, "__path__", None)
    if paths is None or getattr(module, "__file__", None) is None:
        # A namespace package (no __init__.py) merges every `custom_components` on sys.path.
        return False
    return [Path(p).resolve() for p in paths] == [OUR_CUSTOM_COMPONENTS]


_claim_custom_components()

pytest_plugins = ["tests.fixtures", "tests.ha_fixtures"]
