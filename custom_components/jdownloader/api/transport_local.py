"""Local mode: JDownloader's "Deprecated API" on ``http://host:3128``.

No account, no session and no encryption: the device must have
``RemoteAPIConfig.DeprecatedApiEnabled`` on (and ``DeprecatedApiLocalhostOnly`` off unless Home
Assistant runs on the same host). Requests must not carry an ``Origin`` header, or current builds
answer 403. Responses are ``{"data": ...}`` without a rid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp

from .codec import Parser, decode_answer, dumps, parse_error_body
from .const import DEFAULT_LOCAL_PORT, DEFAULT_TIMEOUT
from .cpu import offload
from .device import JDownloaderDevice
from .exceptions import map_error
from .http import http_request
from .transport import Connection

_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


class LocalTransport:
    """Calls ``/<namespace>/<method>`` with ``{"params": [...]}`` as a plain JSON POST body.

    The parameters are raw JSON values, not the JSON-encoded strings of MyJDownloader connections
    (docs/protocol.md §7): ``AbstractPostRequest.readPostParameters`` serializes every element back to JSON text and
    ``RemoteAPI.convert`` strips one layer only, so an encoded string would keep its quotes
    (``"null"`` arrives as the text ``null``) and an encoded object or list fails to map (400
    ``BAD_PARAMETERS``). The ``{"params": [...]}`` form is unambiguous; a bare JSON array is the
    parameter list too, but a lone object would be taken as the single parameter.
    """

    def __init__(
        self, session: aiohttp.ClientSession, host: str, port: int, *, timeout: float
    ) -> None:
        self._session = session
        netloc = f"[{host}]" if ":" in host and not host.startswith("[") else host
        self._base_url = f"http://{netloc}:{port}"
        self._timeout = timeout
        self.request_count = 0

    @property
    def connection(self) -> Connection:
        return Connection.LOCAL

    @property
    def timeout(self) -> float:
        return self._timeout

    def _body(self, args: Sequence[Any]) -> bytes:
        return dumps({"params": list(args)}).encode()

    def request_size(self, path: str, args: Sequence[Any]) -> int:
        return len(self._body(args))

    async def call(
        self,
        path: str,
        args: Sequence[Any],
        *,
        timeout: float | None = None,
        parse: Parser | None = None,
    ) -> Any:
        self.request_count += 1
        response = await http_request(
            self._session,
            self._base_url + path,
            endpoint=path,
            data=self._body(args),
            headers=_HEADERS,
            timeout=timeout or self._timeout,
            offline_on_failure=True,
        )
        if response.status != 200:
            raise map_error(
                response.status,
                parse_error_body(response.body, None),
                endpoint=path,
                retry_after=response.retry_after,
                myjd=False,
            )
        return await offload(
            len(response.body), decode_answer, response.body, None, None, parse, path
        )


def LocalJDownloader(  # noqa: N802 - a factory named like the class it stands for
    session: aiohttp.ClientSession,
    host: str,
    port: int = DEFAULT_LOCAL_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    device_id: str | None = None,
    name: str | None = None,
) -> JDownloaderDevice:
    """A device reached through the Deprecated API.

    ``device_id`` and ``name`` default to ``"host:port"``; a caller that read the JDownloader's
    own (:meth:`JDownloaderDevice.device_identity`) passes them in.
    """
    transport = LocalTransport(session, host, port, timeout=timeout)
    address = f"{host}:{port}"
    return JDownloaderDevice(device_id or address, name or device_id or address, transport)
