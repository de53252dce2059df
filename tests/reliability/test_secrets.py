"""Secrets stay secret through a full run: set-up flow, polling, faults, actions, diagnostics.

Everything a user or a bug report could show is captured: every log record (DEBUG and up, from
every logger, with formatted tracebacks), the text of every exception an action or poll raised,
the diagnostics, and every state with its attributes. None of it may contain the password, the
derived secrets, a session/regain/encryption token, a request signature, the e-mail address or
a premium account's user name.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
import logging
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

import pytest

from custom_components.jdownloader import diagnostics
from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import CONF_ADVANCED, CONF_API_URL, DOMAIN
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import aiohttp_client, device_registry as dr
from tests.emulator import Emulator
from tests.emulator.device import ACCOUNT_USER_NAMES
from tests.fixtures import EMAIL, PASSWORD
from tests.ha_fixtures import Advance, derived_secrets

REPO = Path(__file__).resolve().parents[2]
EXTRACT_PASSWORD = "extract-pw-Zq81"
DOWNLOAD_PASSWORD = "download-pw-Xk27"
HARNESS_STORAGE = "pytest_homeassistant_custom_component.common"
LONG_HEX = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{40,}(?![0-9a-fA-F])")
# Home Assistant's own image-proxy token of the Captcha image entity (ImageEntity.access_tokens:
# random, rotated every 5 minutes, grants reading that one picture): not a secret of the
# account or of JDownloader, and in every image entity's state by design.
IMAGE_TOKEN = re.compile(r"(access_token['\"]?:\s*['\"]|image_proxy/image\.\w+\?token=)[0-9a-f]+")


@pytest.fixture
def emulator_options() -> dict[str, object]:
    return {"devices": 2, "links": 30}


@pytest.fixture
def sessions() -> Iterator[list[Any]]:
    """Every SessionInfo the client ever holds (to know which tokens must not leak)."""
    from custom_components.jdownloader.api.client import MyJDownloaderClient

    seen: list[Any] = []
    original = MyJDownloaderClient._set_session

    def record(self: MyJDownloaderClient, answer: dict[str, Any], base: bytes) -> None:
        original(self, answer, base)
        seen.append(self.session_info)

    with patch.object(MyJDownloaderClient, "_set_session", record):
        yield seen


def _forbidden(sessions: list[Any]) -> dict[str, str]:
    secrets = derived_secrets(EMAIL, PASSWORD)
    words = {
        "password": PASSWORD,
        "extract password": EXTRACT_PASSWORD,
        "download password": DOWNLOAD_PASSWORD,
        "e-mail": EMAIL.lower(),
        "login secret": secrets["login_secret"],
        "device secret": secrets["device_secret"],
        "signature": "signature=",
    }
    for index, name in enumerate(ACCOUNT_USER_NAMES):
        words[f"premium account user name {index}"] = name
    for index, info in enumerate(sessions):
        words[f"session token {index}"] = info.session_token
        words[f"regain token {index}"] = info.regain_token
        words[f"server token {index}"] = info.server_encryption_token.hex()
        words[f"device token {index}"] = info.device_encryption_token.hex()
    return words


def _leaks(text: str, words: dict[str, str]) -> list[str]:
    text = IMAGE_TOKEN.sub(r"\1<image token>", text)
    lowered = text.lower()
    found = [name for name, word in words.items() if word.lower() in lowered]
    found += [f"long hex {m[:8]}..." for m in LONG_HEX.findall(text)]
    return found


async def test_nothing_secret_leaks_during_a_full_run(
    hass: HomeAssistant,
    emulator: Emulator,
    advance: Advance,
    caplog: pytest.LogCaptureFixture,
    sessions: list[Any],
    device_registry: dr.DeviceRegistry,
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    verify: list[object] = []
    real_get_session = aiohttp_client.async_get_clientsession

    def get_session(hass: HomeAssistant, verify_ssl: bool = True, **kwargs: Any) -> Any:
        verify.append(verify_ssl)
        return real_get_session(hass, verify_ssl, **kwargs)

    # Set up through the flow, as a user would, with the real password.
    with patch("custom_components.jdownloader.account_entry.async_get_clientsession", get_session):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "cloud"}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_EMAIL: EMAIL,
                CONF_PASSWORD: PASSWORD,
                CONF_ADVANCED: {CONF_API_URL: emulator.api_url},
            },
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        await hass.async_block_till_done(wait_background_tasks=True)
        assert entry.state is ConfigEntryState.LOADED

        # The stored entry keeps the derived secrets, never the password.
        stored = json.dumps({"data": dict(entry.data), "options": dict(entry.options)})
        assert PASSWORD not in stored
        assert CONF_PASSWORD not in entry.data

        # Polls, session renewal, a full new login, service refusals and garbled answers.
        await advance(60)
        emulator.expire_sessions()
        await advance(60)
        emulator.expire_sessions()
        emulator.expire_regain_tokens()
        await advance(60)
        for kind in ("rate_limit", "maintenance", "garbage", "wrong_rid"):
            emulator.faults.add(kind, count=2, transport="relay")
            emulator.faults.add(kind, count=1, endpoint="/my/listdevices")
            await advance(400)
            emulator.faults.clear()
        await advance(2000)

        # Actions with passwords, one succeeding and failing ones.
        ha_device = async_get_device(device_registry, (DOMAIN, emulator.devices[0].id))
        assert ha_device is not None
        call = {
            "device_id": ha_device.id,
            "links": ["https://example.com/secret.zip"],
            "extract_password": EXTRACT_PASSWORD,
            "download_password": DOWNLOAD_PASSWORD,
        }
        await hass.services.async_call(
            DOMAIN, "add_links", call, blocking=True, return_response=True
        )
        for kind in ("rate_limit", "wrong_rid", "lost_response", "token_invalid"):
            emulator.faults.add(kind, count=3, endpoint="/linkgrabberv2/addLinks")
            try:
                await hass.services.async_call(
                    DOMAIN, "add_links", call, blocking=True, return_response=True
                )
            except HomeAssistantError as err:
                errors.append(f"{type(err).__name__}: {err} {err.translation_placeholders}")
            emulator.faults.clear()
            await advance(120)

        diag = await diagnostics.async_get_config_entry_diagnostics(hass, entry)
        device_diag = await diagnostics.async_get_device_diagnostics(hass, entry, ha_device)
        states = [
            {"entity_id": s.entity_id, "state": s.state, "attributes": dict(s.attributes)}
            for s in hass.states.async_all()
        ]
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()

    assert verify, "the entry asked Home Assistant for its HTTP session"
    assert all(v is not False for v in verify), "TLS verification must stay on"
    assert len(sessions) >= 3, "the run renewed the session and logged in again"
    words = _forbidden(sessions)
    # The detector itself works (a test that cannot fail proves nothing).
    assert _leaks(f"token {sessions[-1].regain_token} for {EMAIL.upper()}", words)
    log_text = "\n".join(
        f"{record.name} {record.getMessage()} {caplog.handler.format(record)}"
        for record in caplog.records
        # The test harness's mock storage dumps Home Assistant's own auth store (its tokens,
        # since the to-do platform loads http): not output of this integration.
        if not (record.name == HARNESS_STORAGE and record.getMessage().startswith("Writing data"))
    )
    outputs = {
        "log": log_text,
        "exceptions": "\n".join(errors),
        "diagnostics": json.dumps([diag, device_diag], default=str),
        "states": json.dumps(states, default=str),
    }
    assert errors, "some actions failed, so their messages were checked"
    leaks = {name: found for name, text in outputs.items() if (found := _leaks(text, words))}
    assert leaks == {}


def test_tls_verification_is_never_disabled() -> None:
    """No code path of the integration or its client turns certificate checks off."""
    pattern = re.compile(r"verify_ssl\s*=\s*False|ssl\s*=\s*False|CERT_NONE|check_hostname")
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "custom_components").rglob("*.py")
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_readme_states_the_risk_of_the_local_api() -> None:
    text = " ".join((REPO / "README.md").read_text().split()).lower()
    assert "local api has no password" in text
    assert "never forward the port to the internet" in text
