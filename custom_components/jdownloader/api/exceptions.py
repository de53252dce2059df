"""Exceptions raised by the MyJDownloader client.

Messages name the endpoint (e.g. ``/downloadsV2/queryLinks``) and the error type, never a URL:
relayed URLs carry the session token, and ``/my/*`` URLs carry the e-mail address and a signature.
"""

from __future__ import annotations

from collections.abc import Mapping
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
