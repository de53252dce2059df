"""Exceptions raised by the MyJDownloader client.

Messages name the endpoint (e.g. ``/downloadsV2/queryLinks``) and the error type, never a URL:
relayed URLs carry the session token, and ``/my/*`` URLs carry the e-mail address and a signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class JDownloaderError(Exception):
    """Base class of every error of this client; the message never contains secrets."""


class JDownloaderConnectionError(JDownloaderError):
    """Network failure or timeout talking to the API server or to a device."""


class JDownloaderDeviceOfflineError(JDownloaderConnectionError):
    """The device is not reachable: 504 OFFLINE, a relay timeout, or 502/503 from the relay."""


class JDownloaderAuthError(JDownloaderError):
    """Credentials rejected (AUTH_FAILED), or the session could not be renewed with them."""


class JDownloaderEmailNotConfirmedError(JDownloaderAuthError):
    """The account's e-mail address has not been confirmed yet (ERROR_EMAIL_NOT_CONFIRMED)."""


class JDownloaderRateLimitError(JDownloaderError):
    """429 TOO_MANY_REQUESTS; the caller must back off (the client never retries).

    ``sent`` is False when the client's cloud gate held the request back (nothing was sent).
    """

    def __init__(
        self, message: str, retry_after: float | None = None, *, sent: bool = True
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.sent = sent


class JDownloaderServiceUnavailableError(JDownloaderError):
    """503 OVERLOAD or MAINTENANCE from the connection server; the caller must back off."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class JDownloaderProtocolError(JDownloaderError):
    """Undecryptable or non-JSON body, rid mismatch, or an answer of unexpected shape."""


class JDownloaderApiError(JDownloaderError):
    """Any other error object of the server or device.

    ``error_type`` is an open string: devices send types no enum lists (e.g. ``"Not Found"`` or the
    text of a request-envelope problem), so it is never narrowed to known values.
    """

    def __init__(
        self, message: str, *, error_type: str, source: str, status: int, data: object = None
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.source = source
        self.status = status
        self.data = data


class TokenInvalidError(JDownloaderAuthError):
    """TOKEN_INVALID; handled inside the client by reconnecting, escapes only as an auth error."""


class ConnectFailedError(JDownloaderConnectionError):
    """No connection could be opened, so nothing was sent: sending the request elsewhere is safe.

    Any other network failure (a reset or a timeout after sending) leaves it open whether the
    receiver acted on the request.
    """


# What an error type means to the caller: (endpoint, type, retry_after) → the exception.
_BY_TYPE: dict[str, Callable[[str, str, float | None], JDownloaderError]] = {
    "TOKEN_INVALID": lambda at, _, __: TokenInvalidError(f"Session token rejected on {at}"),
    "AUTH_FAILED": lambda at, _, __: JDownloaderAuthError(f"Authentication failed on {at}"),
    "ERROR_EMAIL_NOT_CONFIRMED": lambda _, __, ___: JDownloaderEmailNotConfirmedError(
        "The account's e-mail address is not confirmed"
    ),
    "TOO_MANY_REQUESTS": lambda at, _, retry_after: JDownloaderRateLimitError(
        f"Rate limited on {at}", retry_after
    ),
    "OVERLOAD": lambda at, kind, _: JDownloaderServiceUnavailableError(
        f"MyJDownloader unavailable ({kind}) on {at}", kind
    ),
    "MAINTENANCE": lambda at, kind, _: JDownloaderServiceUnavailableError(
        f"MyJDownloader unavailable ({kind}) on {at}", kind
    ),
    "OFFLINE": lambda at, _, __: JDownloaderDeviceOfflineError(f"Device offline on {at}"),
}

# An error without a type over a MyJDownloader connection, read from its status alone as JD's
# own client does (AbstractMyJDClient.handleInvalidResponseCodes).
_TYPE_OF_BARE_STATUS: dict[int, str] = {
    401: "ERROR_EMAIL_NOT_CONFIRMED",
    403: "AUTH_FAILED",
    407: "TOKEN_INVALID",
    502: "MAINTENANCE",
    503: "OVERLOAD",
}


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

    ``myjd``: the answer came over a MyJDownloader connection (connection server, relay or
    direct), where an error without a type is read from its status (:data:`_TYPE_OF_BARE_STATUS`).
    The local Deprecated API has no account, so there a bare status stays a plain API error. A
    429 is a rate limit everywhere.
    """
    raw_type = error.get("type") if error is not None else None
    error_type = str(raw_type) if raw_type is not None else None
    kind = error_type
    if kind is None:
        kind = "TOO_MANY_REQUESTS" if status == 429 else None
        if kind is None and myjd:
            kind = _TYPE_OF_BARE_STATUS.get(status)
    elif status == 429:
        kind = "TOO_MANY_REQUESTS"
    if kind is not None and (build := _BY_TYPE.get(kind)) is not None:
        return build(endpoint, kind, retry_after)
    if error_type is None and myjd and status == 504:
        if relay_device_call:  # the relay gave up waiting for the device
            return JDownloaderDeviceOfflineError(f"Device unavailable (HTTP 504) on {endpoint}")
        return JDownloaderConnectionError(f"Gateway timeout (HTTP 504) on {endpoint}")
    # Device error types may be free text (e.g. an envelope problem); keep messages short.
    shown = (error_type or f"HTTP {status}")[:120]
    return JDownloaderApiError(
        f"{endpoint} failed: {shown} (HTTP {status})",
        error_type=error_type or f"HTTP_{status}",
        source=str(error.get("src") or "") if error is not None else "",
        status=status,
        data=error.get("data") if error is not None else None,
    )
