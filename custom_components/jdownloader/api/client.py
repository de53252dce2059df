"""MyJDownloader account client: login, session renewal, device list and the device-call chokepoint.

Session renewal (docs/protocol.md §12.2): a TOKEN_INVALID answer triggers one ``/my/reconnect`` with the
regain token and a retry; if the renewed session is rejected again (or the reconnect itself fails) a
full ``/my/connect`` with the stored secrets follows, and only then :class:`JDownloaderAuthError`.
Concurrent calls that hit the same expired session share one renewal: each remembers the session
"generation" it used, and a renewal that finds a newer generation under the lock does nothing. The
client never sleeps or retries on 429/503; the caller backs off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
import logging
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp

from .codec import Parser, decode_answer, decode_body, device_envelope, next_rid, parse_error_body
from .const import APP_KEY, DEFAULT_API_URL, DEFAULT_TIMEOUT
from .cpu import offload
from .crypto import encrypt, sign, update_token
from .device import JDownloaderDevice
from .exceptions import (
    JDownloaderAuthError,
    JDownloaderError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
    TokenInvalidError,
    map_error,
)
from .http import http_request
from .models import DeviceInfo, Secrets, SessionInfo
from .transport_myjd import MyJDTransport

_DEVICE_HEADERS = {"Content-Type": "application/aesjson-jd; charset=utf-8"}
_SERVER_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

_LOGGER = logging.getLogger(__package__)


class CloudGate(Protocol):
    """The caller's back-off for the cloud (connection server and relay), seen by every request.

    Direct-connection calls bypass it: they cost the cloud nothing.
    """

    def wait(self) -> float:
        """Seconds until a cloud request may be sent; 0 sends it now."""

    def answered(self) -> None:
        """The cloud answered (anything but 429/503)."""

    def refused(self, retry_after: float | None) -> object:
        """The cloud answered 429 TOO_MANY_REQUESTS or 503 OVERLOAD/MAINTENANCE (what it
        returns is not used)."""


class MyJDownloaderClient:
    """One MyJDownloader account; the caller owns ``session`` (the client never closes it).

    ``cloud_gate`` (optional) sees every cloud request: while it says wait, the request is not
    sent and :class:`JDownloaderRateLimitError` is raised at once, whoever asked (a poll, a
    session renewal, the direct-connection refresh, an event subscription).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        email: str,
        secrets: Secrets,
        *,
        api_url: str = DEFAULT_API_URL,
        app_key: str = APP_KEY,
        timeout: float = DEFAULT_TIMEOUT,
        direct_connection: bool = True,
    ) -> None:
        self._http = session
        self._email = email
        self._secrets = secrets
        self._api_url = api_url.rstrip("/")
        self._app_key = app_key
        self.timeout = timeout
        self.direct_connection = direct_connection
        self.cloud_gate: CloudGate | None = None
        self._session: SessionInfo | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        # The last renewal's refusal (rate limit, overload, network), shared with the callers
        # that waited for it: see _renew.
        self._renewals = 0
        self._renew_error: JDownloaderError | None = None
        self._devices: dict[str, JDownloaderDevice] = {}
        self._device_names: dict[str, str] = {}
        self.request_count = 0
        self.connect_count = 0
        self.reconnect_count = 0

    def __repr__(self) -> str:
        return f"MyJDownloaderClient(api_url={self._api_url!r}, connected={self.connected})"

    @property
    def api_url(self) -> str:
        return self._api_url

    @property
    def connected(self) -> bool:
        """True while the client holds a session (it may still have expired on the server)."""
        return self._session is not None

    @property
    def session_info(self) -> SessionInfo | None:
        """The current session, to persist and :meth:`restore_session` later without a new login."""
        return self._session

    def restore_session(self, info: SessionInfo) -> None:
        """Resume a persisted session; an expired one is renewed on first use."""
        self._session = info
        self._generation += 1

    # --- account calls ------------------------------------------------------------------------

    async def connect(self) -> None:
        """Full login (``/my/connect``), replacing any current session."""
        async with self._lock:
            await self._connect_locked()

    async def reconnect(self) -> None:
        """Renew the session with the regain token (``/my/reconnect``); logs in if there is none."""
        async with self._lock:
            if self._session is None:
                await self._connect_locked()
            else:
                await self._reconnect_locked(self._session)

    async def disconnect(self) -> None:
        """End the session (``/my/disconnect``); the local session is dropped even if that fails."""
        async with self._lock:
            session, self._session = self._session, None
            self._generation += 1
        if session is None:
            return
        try:
            await self._server_call(
                "/my/disconnect",
                [("sessiontoken", session.session_token)],
                key=session.server_encryption_token,
            )
        except TokenInvalidError:
            pass  # already gone on the server

    async def list_devices(self) -> list[DeviceInfo]:
        """The account's devices (``/my/listdevices``); logs in first if needed."""

        async def op(session: SessionInfo) -> dict[str, Any]:
            return await self._server_call(
                "/my/listdevices",
                [("sessiontoken", session.session_token)],
                key=session.server_encryption_token,
            )

        answer = await self._with_session(op)
        items = answer.get("list")
        if not isinstance(items, list):
            raise JDownloaderProtocolError("Unexpected device list shape")
        devices = [DeviceInfo.from_json(item) for item in items if isinstance(item, dict)]
        for info in devices:
            self._device_names[info.id] = info.name
            if (device := self._devices.get(info.id)) is not None:
                device.name = info.name
        return devices

    def device(self, device_id: str) -> JDownloaderDevice:
        """The device object for ``device_id`` (cached; relay plus optional direct connection)."""
        if (device := self._devices.get(device_id)) is None:
            transport = MyJDTransport(self, device_id, direct=self.direct_connection)
            name = self._device_names.get(device_id, device_id)
            device = self._devices[device_id] = JDownloaderDevice(device_id, name, transport)
        return device

    # --- session handling ---------------------------------------------------------------------

    async def _connect_locked(self) -> None:
        secrets = self._secrets
        answer = await self._server_call(
            "/my/connect",
            [("email", self._email.lower()), ("appkey", self._app_key)],
            key=secrets.login_secret,
        )
        self.connect_count += 1
        self._set_session(answer, secrets.login_secret)

    async def _reconnect_locked(self, old: SessionInfo) -> None:
        # Signed and decrypted with the *old* server token; the new one chains on it.
        answer = await self._server_call(
            "/my/reconnect",
            [
                ("appkey", self._app_key),
                ("sessiontoken", old.session_token),
                ("regaintoken", old.regain_token),
            ],
            key=old.server_encryption_token,
        )
        self.reconnect_count += 1
        self._set_session(answer, old.server_encryption_token)

    def _set_session(self, answer: dict[str, Any], server_base: bytes) -> None:
        session_token = answer.get("sessiontoken")
        regain_token = answer.get("regaintoken")
        if not isinstance(session_token, str) or not isinstance(regain_token, str):
            raise JDownloaderProtocolError("Login answer without session tokens")
        try:
            server_token = update_token(server_base, session_token)
            device_token = update_token(self._secrets.device_secret, session_token)
        except ValueError:
            raise JDownloaderProtocolError("Login answer with a malformed session token") from None
        self._session = SessionInfo(session_token, regain_token, server_token, device_token)
        self._generation += 1

    async def _ensure_session(self) -> tuple[SessionInfo, int]:
        session = self._session
        if session is None:
            async with self._lock:
                if self._session is None:
                    await self._connect_locked()
                session = self._session
                assert session is not None
        return session, self._generation

    async def _renew(self, generation: int, level: int) -> None:
        """Renew after TOKEN_INVALID, unless another caller already did since ``generation``.

        When a session expires, every poll in flight gets TOKEN_INVALID at once. If the renewal
        they queue for is refused (e.g. 429 during a rate-limit burst), the others get the same
        error instead of each asking again: one refused request, not one per caller.
        """
        renewals = self._renewals
        async with self._lock:
            if self._generation != generation:
                return
            if self._renewals != renewals and (failure := self._renew_error) is not None:
                raise _clone(failure)
            self._renewals += 1
            try:
                await self._renew_locked(level)
            except JDownloaderAuthError:
                self._renew_error = None
                raise
            except JDownloaderError as err:
                self._renew_error = err
                raise
            self._renew_error = None

    async def _renew_locked(self, level: int) -> None:
        if level == 0 and self._session is not None:
            try:
                await self._reconnect_locked(self._session)
            except JDownloaderAuthError:  # regain token expired too (or TOKEN_INVALID)
                _LOGGER.debug("Session regain failed; logging in again")
            else:
                return
        try:
            await self._connect_locked()
        except TokenInvalidError:
            raise JDownloaderAuthError("Login failed: session rejected") from None

    async def _with_session[T](self, op: Callable[[SessionInfo], Awaitable[T]]) -> T:
        """Run ``op`` with a live session; reconnect, then log in again, on TOKEN_INVALID."""
        level = 0
        while True:
            session, generation = await self._ensure_session()
            try:
                return await op(session)
            except TokenInvalidError:
                if level >= 2:
                    raise JDownloaderAuthError("Session rejected even after a new login") from None
                _LOGGER.debug("Session token rejected; renewing (step %d)", level + 1)
                await self._renew(generation, level)
                level += 1

    # --- wire calls ---------------------------------------------------------------------------

    async def _server_call(
        self, path: str, params: Sequence[tuple[str, str]], *, key: bytes
    ) -> dict[str, Any]:
        """A signed ``/my/*`` call; ``key`` signs the query and decrypts the answer."""
        rid = next_rid()
        query = f"{path}?" + "".join(f"{name}={quote(value, safe='')}&" for name, value in params)
        query += f"rid={rid}"
        url = f"{self._api_url}{query}&signature={sign(key, query)}"
        self._pass_gate(path)
        self.request_count += 1
        response = await http_request(
            self._http, url, endpoint=path, headers=_SERVER_HEADERS, timeout=self.timeout
        )
        if response.status != 200:
            raise self._report_error(
                map_error(
                    response.status,
                    parse_error_body(response.body, key),
                    endpoint=path,
                    retry_after=response.retry_after,
                )
            )
        self._report_answer()
        answer = await offload(
            len(response.body), partial(decode_body, allow_plain=True), response.body, key
        )
        if not isinstance(answer, dict):
            raise JDownloaderProtocolError(f"Unexpected answer shape on {path}")
        if answer.get("rid") != rid:
            raise JDownloaderProtocolError(f"Response rid does not match the request on {path}")
        return answer

    def _pass_gate(self, path: str) -> None:
        if self.cloud_gate is not None and (wait := self.cloud_gate.wait()) > 0:
            raise JDownloaderRateLimitError(
                f"Not sent, backing off for {wait:.0f} s: {path}", retry_after=wait, sent=False
            )

    def _report_answer(self) -> None:
        if self.cloud_gate is not None:
            self.cloud_gate.answered()

    def _report_error(self, err: JDownloaderError) -> JDownloaderError:
        """Tell the gate how the cloud answered; returns ``err`` for the caller to raise."""
        if (gate := self.cloud_gate) is not None:
            if isinstance(err, JDownloaderRateLimitError):
                gate.refused(err.retry_after)
            elif isinstance(err, JDownloaderServiceUnavailableError):
                gate.refused(None)
            else:
                gate.answered()
        return err

    async def device_request(
        self,
        session: SessionInfo,
        device_id: str,
        path: str,
        params: Sequence[str],
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        """One encrypted device call, via the relay or (``base_url``) a direct address."""
        rid = next_rid()
        token = session.device_encryption_token
        body = encrypt(token, device_envelope(path, params, rid))
        relay = base_url is None
        url = f"{self._api_url if relay else base_url}/t_{session.session_token}_{device_id}{path}"
        if relay:
            self._pass_gate(path)
        self.request_count += 1
        response = await http_request(
            self._http,
            url,
            endpoint=path,
            data=body,
            headers=_DEVICE_HEADERS,
            timeout=timeout or self.timeout,
            connect_timeout=connect_timeout,
            offline_on_failure=relay,
            cloud=relay,
        )
        if response.status != 200:
            err = map_error(
                response.status,
                parse_error_body(response.body, token),
                endpoint=path,
                retry_after=response.retry_after,
                relay_device_call=relay,
            )
            raise self._report_error(err) if relay else err
        if relay:
            self._report_answer()
        return await offload(
            len(response.body), decode_answer, response.body, token, rid, parse, path
        )

    async def device_call(
        self,
        device_id: str,
        path: str,
        params: Sequence[str],
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        """:meth:`device_request` with session handling (login, renewal on TOKEN_INVALID)."""

        async def op(session: SessionInfo) -> Any:
            return await self.device_request(
                session,
                device_id,
                path,
                params,
                base_url=base_url,
                timeout=timeout,
                connect_timeout=connect_timeout,
                parse=parse,
            )

        return await self._with_session(op)


def _clone(err: JDownloaderError) -> JDownloaderError:
    """A fresh copy of ``err`` (same type, message and attributes) to raise in another task."""
    clone = type(err).__new__(type(err))
    clone.args = err.args
    clone.__dict__.update(err.__dict__)
    return clone
