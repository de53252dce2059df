"""The HTTP chokepoint, body codec, error mapping and request ids shared by all transports.

Every request of the client goes through :func:`http_request`, which maps every aiohttp/asyncio
failure to the exception hierarchy; nothing else in the package touches aiohttp directly. URLs are
never put into messages: relayed URLs carry the session token, ``/my/*`` URLs the e-mail and a
signature.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
import json
import threading
import time
from typing import Any, Protocol
import weakref

import aiohttp
from yarl import URL

from .const import EXECUTOR_THRESHOLD
from .crypto import decrypt
from .exceptions import (
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderEmailNotConfirmedError,
    JDownloaderError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
)

try:  # Home Assistant ships orjson; it parses a 50,000-link answer several times faster.
    import orjson

    _loads: Any = orjson.loads
except ImportError:  # pragma: no cover - the stdlib parser is the fallback
    _loads = json.loads

_rid_lock = threading.Lock()
_last_rid = 0


def next_rid() -> int:
    """
    A strictly increasing request id in milliseconds, process-wide (like the official Java client).
    """
    global _last_rid  # noqa: PLW0603 - one counter for every client and device in the process
    with _rid_lock:
        _last_rid = max(int(time.time() * 1000), _last_rid + 1)
        return _last_rid


def dumps(value: Any) -> str:
    """Compact JSON, as the device's mapper expects it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def encode_params(args: Sequence[Any]) -> list[str]:
    """Every parameter as a JSON-encoded string, as MyJDownloader connections need it (§4.2).

    Over the relay and direct connections the device takes a string element of ``params`` as the
    parameter's text and turns anything else into Java ``toString()`` text
    (``MyJDownloaderPostRequest``), which fails to parse for objects and string arrays. The local
    Deprecated API is the opposite and gets raw values (:mod:`.local`).
    """
    return [dumps(arg) for arg in args]


class TokenInvalidError(JDownloaderAuthError):
    """TOKEN_INVALID; handled inside the client by reconnecting, escapes only as an auth error."""


class ConnectFailedError(JDownloaderConnectionError):
    """No connection could be opened, so nothing was sent: sending the request elsewhere is safe.

    Any other network failure (a reset or a timeout after sending) leaves it open whether the
    receiver acted on the request.
    """


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """Status, body and the one header the client needs."""

    status: int
    body: bytes
    retry_after: float | None


async def http_request(
    session: aiohttp.ClientSession,
    url: str,
    *,
    endpoint: str,
    data: str | bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float,
    connect_timeout: float | None = None,
    offline_on_failure: bool = False,
) -> HttpResponse:
    """POST ``url`` (already percent-encoded and signed) and read the whole body.

    ``offline_on_failure`` makes timeouts and network failures a
    :class:`JDownloaderDeviceOfflineError`: used for device calls through the relay and for local
    devices, where they mean "the device does not answer".
    """
    error_cls = JDownloaderDeviceOfflineError if offline_on_failure else JDownloaderConnectionError
    client_timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout)
    try:
        async with session.post(
            URL(url, encoded=True),  # the signature covers the query exactly as encoded here
            data=data,
            headers=headers,
            timeout=client_timeout,
            allow_redirects=False,
        ) as response:
            body = await response.read()
            return HttpResponse(response.status, body, _retry_after(response.headers))
    except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
        if offline_on_failure:
            raise error_cls(f"Connection failed on {endpoint}: {type(err).__name__}") from None
        raise ConnectFailedError(f"Connection failed on {endpoint}: {type(err).__name__}") from None
    except TimeoutError:
        # Chained from None: aiohttp's exceptions carry the URL, which carries tokens.
        raise error_cls(f"Timeout after {timeout:g} s on {endpoint}") from None
    except aiohttp.ClientError as err:
        raise error_cls(f"Connection failed on {endpoint}: {type(err).__name__}") from None
    except OSError as err:
        raise error_cls(f"Connection failed on {endpoint}: {type(err).__name__}") from None


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # an HTTP date; rare enough to let the caller's back-off decide


def decode_body(body: bytes, token: bytes | None, *, allow_plain: bool = False) -> Any:
    """Decrypt (unless ``token`` is None) and parse a response body; pure, safe to run in an
    executor.

    ``allow_plain`` accepts an unencrypted JSON object too: connection-server answers are encrypted,
    but a plain JSON body never starts with a Base64 character, so the two cannot be confused.
    """
    stripped = body.strip()
    if token is not None and not (allow_plain and stripped[:1] == b"{"):
        try:
            stripped = decrypt(token, stripped)
        except ValueError:
            raise JDownloaderProtocolError(
                f"Undecryptable response body ({len(body)} bytes)"
            ) from None
    try:
        return _loads(stripped)
    except ValueError:
        raise JDownloaderProtocolError(f"Response body is not JSON ({len(body)} bytes)") from None


type Parser = Callable[[Any], Any]


def decode_answer(
    body: bytes, token: bytes | None, rid: int | None, parse: Parser | None, endpoint: str
) -> Any:
    """Decrypt, parse, check the rid, unwrap ``data`` and build models; pure, executor-safe.

    ``rid`` None skips the check (the Deprecated API sends no rid). An answer whose rid differs is
    rejected before anything of it is used: it may belong to another request or be replayed.
    """
    answer = decode_body(body, token)
    if not isinstance(answer, dict):
        raise JDownloaderProtocolError(f"Unexpected answer shape on {endpoint}")
    if rid is not None and answer.get("rid") != rid:
        raise JDownloaderProtocolError(f"Response rid does not match the request on {endpoint}")
    data = answer.get("data")
    return data if parse is None else parse(data)


_CPU_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def cpu_turn() -> asyncio.Lock:
    """Held while one CPU-heavy job runs, in the executor or on the event loop.

    Moving work to a thread does not free the loop from it entirely: threads share the GIL,
    and a decode holds it in C calls of several milliseconds (Base64, JSON). Whenever the loop
    thread has Python work of its own at the same time (say, diffing 5,000 packages), it gets
    the GIL back only between those calls, and several decodes at once (five JDownloaders
    answering together) stretch that to tens of milliseconds. Heavy jobs therefore take turns.
    """
    return _CPU_TURNS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def offload[T](size: int, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in the default executor when ``size`` reaches 256 KiB, else inline.

    Decrypting, parsing and building models of a 50,000-link answer takes a good part of a second;
    small answers are cheaper inline than the thread hand-off. Large jobs take turns
    (:func:`cpu_turn`).
    """
    if size < EXECUTOR_THRESHOLD:
        return fn(*args)
    async with cpu_turn():
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)


def parse_error_body(body: bytes, token: bytes | None) -> Mapping[str, Any] | None:
    """Reference 5.2: try plain JSON (server errors), then decrypt (device errors), else nothing."""
    stripped = body.strip()
    if not stripped:
        return None
    try:
        parsed = _loads(stripped)
    except ValueError:
        parsed = None
        if token is not None:
            try:
                parsed = _loads(decrypt(token, stripped))
            except ValueError:
                parsed = None
    return parsed if isinstance(parsed, Mapping) else None


def map_error(
    status: int,
    error: Mapping[str, Any] | None,
    *,
    endpoint: str,
    retry_after: float | None = None,
    relay_device_call: bool = False,
    myjd: bool = True,
) -> JDownloaderError:
    """Turn a non-200 answer into the exception the caller sees (TOKEN_INVALID stays internal).

    ``myjd``: the answer came over a MyJDownloader connection (connection server, relay or direct),
    where an error without a type means what JD's own client reads from the status alone
    (``AbstractMyJDClient.handleInvalidResponseCodes``): 403 auth failed, 401 e-mail not
    confirmed, 407 token invalid, 502 maintenance, 503 overload. The local Deprecated API has no
    account, so there a bare status stays a plain API error.
    """
    raw_type = error.get("type") if error is not None else None
    error_type = str(raw_type) if raw_type is not None else None
    source = str(error.get("src") or "") if error is not None else ""
    data = error.get("data") if error is not None else None
    # Device error types may be free text (e.g. an envelope problem); keep messages short.
    shown = (error_type or f"HTTP {status}")[:120]
    typeless = error_type is None and myjd

    if error_type == "TOKEN_INVALID" or (typeless and status == 407):
        return TokenInvalidError(f"Session token rejected on {endpoint}")
    if error_type == "AUTH_FAILED" or (typeless and status == 403):
        return JDownloaderAuthError(f"Authentication failed on {endpoint}")
    if error_type == "ERROR_EMAIL_NOT_CONFIRMED" or (typeless and status == 401):
        return JDownloaderEmailNotConfirmedError("The account's e-mail address is not confirmed")
    if error_type == "TOO_MANY_REQUESTS" or status == 429:
        return JDownloaderRateLimitError(f"Rate limited on {endpoint}", retry_after)
    if typeless and status in (502, 503):
        error_type = "MAINTENANCE" if status == 502 else "OVERLOAD"
    if error_type in ("OVERLOAD", "MAINTENANCE"):
        return JDownloaderServiceUnavailableError(
            f"MyJDownloader unavailable ({error_type}) on {endpoint}", error_type
        )
    if error_type == "OFFLINE":
        return JDownloaderDeviceOfflineError(f"Device offline on {endpoint}")
    if typeless and status == 504:
        if relay_device_call:
            return JDownloaderDeviceOfflineError(
                f"Device unavailable (HTTP {status}) on {endpoint}"
            )
        return JDownloaderConnectionError(f"Gateway timeout (HTTP {status}) on {endpoint}")
    return JDownloaderApiError(
        f"{endpoint} failed: {shown} (HTTP {status})",
        error_type=error_type or f"HTTP_{status}",
        source=source,
        status=status,
        data=data,
    )


class DeviceTransport(Protocol):
    """How a :class:`~.device.JDownloaderDevice` reaches its JDownloader."""

    @property
    def connection_type(self) -> str:
        """ "relay", "direct" or "local"."""
        ...

    @property
    def timeout(self) -> float:
        """Default timeout of a call in seconds."""
        ...

    async def call(
        self,
        path: str,
        args: Sequence[Any],
        *,
        timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        """Call ``/<ns>/<method>`` with the positional argument values; return ``parse(data)``.

        Each transport encodes ``args`` the way its server parses them (§4.2 and §7 differ).
        """
        ...

    def request_size(self, path: str, args: Sequence[Any]) -> int:
        """The size in bytes of the body this call would send (for splitting large requests)."""
        ...
