"""Exceptions raised by the MyJDownloader client.

Messages name the endpoint (e.g. ``/downloadsV2/queryLinks``) and the error type, never a URL:
relayed URLs carry the session token, and ``/my/*`` URLs carry the e-mail address and a signature.
"""

from __future__ import annotations


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
