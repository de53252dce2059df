"""No secret (password, e-mail, derived secrets, tokens) reaches an exception text or a log line."""

from __future__ import annotations

import logging
import traceback

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderError,
    LocalJDownloader,
    MyJDownloaderClient,
    Secrets,
    SessionInfo,
)
from tests.emulator import Emulator
from tests.emulator.device import ACCOUNT_USER_NAMES
from tests.fixtures import EMAIL, PASSWORD


def _secret_strings(secrets: Secrets, sessions: list[SessionInfo]) -> set[str]:
    values = {
        PASSWORD,
        EMAIL,
        EMAIL.lower(),
        EMAIL.lower().replace("@", "%40"),
        secrets.login_secret.hex(),
        secrets.device_secret.hex(),
        *ACCOUNT_USER_NAMES,
    }
    for info in sessions:
        values |= {
            info.session_token,
            info.regain_token,
            info.server_encryption_token.hex(),
            info.device_encryption_token.hex(),
        }
    return values


async def test_no_secrets_in_errors_reprs_or_logs(
    emulator: Emulator,
    http: aiohttp.ClientSession,
    secrets: Secrets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, timeout=1.0, direct_connection=False
    )
    device = client.device(emulator.devices[0].id)
    direct_client = MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, timeout=1.0, direct_connection=True
    )
    sessions: list[SessionInfo] = []
    errors: list[BaseException] = []

    async def attempt(kind: str | None, endpoint: str | None, transport: str | None) -> None:
        if kind is not None:
            emulator.faults.add(
                kind, endpoint=endpoint, transport=transport, delay=1.5 if kind == "slow" else 0.0
            )
        try:
            await device.toolbar_status()
        except JDownloaderError as err:
            errors.append(err)
        if client.session_info is not None:
            sessions.append(client.session_info)

    await attempt(None, None, None)
    # Premium accounts carry user names: not in reprs or logs either.
    accounts = await device.list_accounts()
    assert {a.username for a in accounts} == set(ACCOUNT_USER_NAMES)  # read, so it could leak
    emulator.expire_sessions()
    await attempt(None, None, None)  # renewed by reconnect
    emulator.expire_sessions()
    emulator.expire_regain_tokens()
    await attempt(None, None, None)  # renewed by a full login
    for kind in ("garbage", "wrong_rid", "drop", "slow", "rate_limit", "server_error"):
        await attempt(kind, "/toolbar/getStatus", "relay")
    direct_device = direct_client.device(emulator.devices[0].id)
    await direct_device.ping()
    emulator.faults.add("drop", endpoint="/toolbar/getStatus", transport="direct")
    await direct_device.toolbar_status()  # falls back to the relay (and logs it)
    assert direct_client.session_info is not None
    sessions.append(direct_client.session_info)
    await attempt("token_invalid", "/toolbar/getStatus", None)
    emulator.faults.add("token_invalid", count=10, endpoint="/toolbar/getStatus")
    emulator.faults.add("auth_failed", count=10, endpoint="/my/connect")
    await attempt(None, None, None)

    wrong = MyJDownloaderClient(
        http, EMAIL, Secrets.from_password(EMAIL, "nope"), api_url=emulator.api_url
    )
    try:
        await wrong.connect()
    except JDownloaderError as err:
        errors.append(err)
    try:
        await LocalJDownloader(http, "127.0.0.1", 9, timeout=1.0).ping()
    except JDownloaderError as err:
        errors.append(err)

    assert len(errors) == 9
    texts = [text for err in errors for text in traceback.format_exception(err)]
    texts += [repr(client), repr(device), repr(direct_device), repr(secrets)] + [
        repr(info) for info in sessions
    ]
    texts += [repr(account) for account in accounts]
    ours = [r for r in caplog.records if not r.name.startswith("tests.")]
    texts += [record.getMessage() for record in ours]
    assert any("renewing" in record.getMessage() for record in ours)  # the log is not empty
    secret_values = _secret_strings(secrets, sessions)
    assert len(sessions) >= 3
    leaks = [(value[:6], text) for text in texts for value in secret_values if value in text]
    assert leaks == []
