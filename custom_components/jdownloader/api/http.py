"""The HTTP chokepoint: every request of the client goes through :func:`http_request`.

It maps every aiohttp/asyncio failure to the exception hierarchy; nothing else in the package
touches aiohttp's request API. URLs are never put into messages: relayed URLs carry the session
token, ``/my/*`` URLs the e-mail and a signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from yarl import URL

from .exceptions import (
    ConnectFailedError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
)


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
    cloud: bool = False,
) -> HttpResponse:
    """POST ``url`` (already percent-encoded and signed) and read the whole body.

    ``offline_on_failure`` makes timeouts and network failures a
    :class:`JDownloaderDeviceOfflineError`: used for device calls through the relay and for local
    devices, where they mean "the device does not answer". With ``cloud`` (the relay) a
    connection that could not be opened at all stays a :class:`ConnectFailedError`: then
    MyJDownloader is unreachable, not the device.
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
        if offline_on_failure and not cloud:
            raise error_cls(f"Connection failed on {endpoint}: {type(err).__name__}") from None
        # Nothing was opened: the server itself (MyJDownloader, or a direct address) is not
        # reachable, whatever the device is doing.
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
