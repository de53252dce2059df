"""aiohttp plumbing: connection server + relay, and each device's direct and local ports."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote_plus
import zlib

from aiohttp import web

from .api import dispatch
from .connection import Reply, myjd_error
from .crypto import chain_token, decrypt, encrypt
from .device import SimDevice
from .faults import ERROR_FAULTS, TYPELESS_FAULTS
from .protocol import (
    DeviceError,
    frame_local,
    frame_myjd,
    java_to_string,
    json_to_param,
    myjd_events,
)

if TYPE_CHECKING:
    from .emulator import Emulator

MAX_BODY = 1024 * 1024  # RequestSizeLimits: raw POST body
MAX_HEAD = 4 * 1024  # request line + headers
TOO_LARGE = Reply(413, b"Request size limit exceeded!", "text/plain")
DEVICE_JSON = "application/json"
DEVICE_ERROR_JSON = "application/json; charset=UTF-8"
DEVICE_PATH = re.compile(r"^/t_([^_/]*)_([^/?]*)(/.*)?$")
IGNORED_QUERY_KEYS = frozenset({"callback", "signature", "rid"})
GARBAGE = b"<html><body>502 Bad Gateway \x00\xff not base64 !!</body></html>"


class DroppedError(Exception):
    """Close the connection without an answer."""


def drop(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.abort()
    raise DroppedError


def query_values(query: str) -> list[str]:
    """GET parameters become positional values; keys are ignored except callback/signature/rid."""
    values = []
    for item in query.split("&") if query else []:
        key, sep, value = item.partition("=")
        if sep and unquote_plus(key).lower() in IGNORED_QUERY_KEYS:
            continue
        values.append(unquote_plus(value if sep else key))
    return values


def _too_large(request: web.Request) -> bool:
    head = len(request.method) + len(request.raw_path) + 12
    head += sum(len(k) + len(v) + 4 for k, v in request.raw_headers)
    return head > MAX_HEAD or (request.content_length or 0) > MAX_BODY


async def _read_body(request: web.Request) -> bytes | None:
    """The body, or None when it exceeds the 1 MiB limit (chunked bodies are checked after reading)."""
    if not request.can_read_body:
        return b""
    body = await request.read()
    return None if len(body) > MAX_BODY else body


# RemoteAPIResponse.MAXUNCOMPRESSED: answers up to this size go out as they are.
MAX_UNCOMPRESSED = 32_767


def compress(request: web.Request, body: bytes) -> tuple[bytes, str | None]:
    """``RemoteAPIResponse.sendBytes``: a body over 32,767 bytes is compressed when the client
    accepts ``gzip``, and then always as raw deflate (``new Deflater(9, true)``, no zlib header)
    under ``Content-Encoding: deflate``; a client accepting only ``deflate`` gets it plain.
    (``RemoteAPI.sendBytesCompressed``, which prefers deflate, is not on the API's path.)"""
    accepted = [
        item.strip().lower() for item in request.headers.get("Accept-Encoding", "").split(",")
    ]
    if len(body) <= MAX_UNCOMPRESSED or "gzip" not in accepted:
        return body, None
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(body) + packer.flush(), "deflate"


def _endpoint_of(path: str) -> str:
    return path.split("?", 1)[0]


class Servers:
    """Request handlers bound to one Emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def _serve(
        self,
        request: web.Request,
        transport: str,
        endpoint: str,
        handler: object,
        dev: SimDevice | None = None,
        session_token: str = "",
    ) -> web.StreamResponse:
        emu = self.emu
        emu.counters[(transport, endpoint)] += 1
        try:
            reply = await self._run(request, transport, endpoint, handler, dev, session_token)
        except DroppedError:
            emu.record(transport, endpoint, 0, 0)
            return web.Response(status=204)  # never written: the transport is gone
        except ConnectionResetError:
            # The client gave up (its timeout) while a "slow" fault held the request.
            emu.record(transport, endpoint, 0, 0)
            return web.Response(status=204)
        body, encoding = reply.body, None
        if transport in ("direct", "local") and reply.status == 200:
            # The device's own HTTP server compresses its answers; the relay passes them on as
            # the device sent them to the connection server (uncompressed).
            body, encoding = compress(request, body)
        emu.record(transport, endpoint, reply.status, len(body), encoding)
        response = web.Response(status=reply.status, body=body, headers=reply.headers)
        response.headers["Content-Type"] = reply.content_type
        if encoding is not None:
            response.headers["Content-Encoding"] = encoding
        return response

    async def _run(
        self,
        request: web.Request,
        transport: str,
        endpoint: str,
        handler: object,
        dev: SimDevice | None,
        session_token: str,
    ) -> Reply:
        if transport != "server" and _too_large(request):
            return TOO_LARGE
        rid_offset = 0
        rule = self.emu.faults.take(transport, endpoint)
        if rule is not None:
            if rule.delay > 0:
                await self.emu.sleep(rule.delay)
            if rule.kind == "drop":
                drop(request)
            if rule.kind == "garbage":
                return Reply(200, GARBAGE, "application/json")
            if rule.kind == "wrong_rid":
                rid_offset = 1
            if rule.kind in TYPELESS_FAULTS:
                return Reply(TYPELESS_FAULTS[rule.kind], b"", "text/plain")
            if rule.kind in ERROR_FAULTS:
                status, type_ = ERROR_FAULTS[rule.kind]
                if transport == "direct" and dev is not None and rule.kind == "token_invalid":
                    key = chain_token(dev.device_secret, session_token)
                    err = DeviceError(status, type_)
                    return Reply(status, encrypt(key, err.body()), DEVICE_ERROR_JSON)
                return myjd_error(status, type_)
        body = await _read_body(request)
        if body is None:
            return TOO_LARGE
        assert callable(handler)
        reply: Reply = await handler(request, body, rid_offset)
        if rule is not None and rule.kind == "lost_response":
            # The request was carried out, only its answer is lost (e.g. a connection reset).
            drop(request)
        return reply

    # ------------------------------------------------------------- connection server + relay
    async def handle_server(self, request: web.Request) -> web.StreamResponse:
        raw = request.raw_path
        match = DEVICE_PATH.match(raw)
        if match is None:
            endpoint = _endpoint_of(raw)

            async def my(request: web.Request, body: bytes, rid_offset: int) -> Reply:
                return self.emu.server.handle(raw, body, rid_offset)

            return await self._serve(request, "server", endpoint, my)

        token, device_id, inner = match.group(1), match.group(2), match.group(3) or "/"
        endpoint = _endpoint_of(inner)
        dev = self.emu.device_by_id(device_id)

        async def relay(request: web.Request, body: bytes, rid_offset: int) -> Reply:
            if len(token) != 40 or self.emu.server.live_session(token) is None:
                return myjd_error(403, "TOKEN_INVALID")
            if dev is None or not dev.listed or not dev.online:
                return myjd_error(504, "OFFLINE")
            return await device_reply(dev, token, inner, body, rid_offset)

        return await self._serve(request, "relay", endpoint, relay, dev, token)

    # ------------------------------------------------------------- direct connection port
    async def handle_direct(self, request: web.Request, dev: SimDevice) -> web.StreamResponse:
        raw = request.raw_path
        match = DEVICE_PATH.match(raw)
        inner = (match.group(3) or "/") if match else raw
        token = match.group(1) if match else ""
        endpoint = _endpoint_of(inner)

        async def direct(request: web.Request, body: bytes, rid_offset: int) -> Reply:
            if request.method == "OPTIONS":
                return Reply(200, b"", "text/plain")
            if match is None:
                return Reply(404, b"", "text/plain")
            if len(token) != 40 or self.emu.server.live_session(token, touch=False) is None:
                err = DeviceError(403, "TOKEN_INVALID")
                key = chain_token(dev.device_secret, token) if len(token) == 40 else b"\0" * 32
                return Reply(403, encrypt(key, err.body()), DEVICE_ERROR_JSON)
            return await device_reply(dev, token, inner, body, rid_offset)

        if not dev.online or not dev.direct_enabled or (match and match.group(2) != dev.id):
            # Unreachable device, or a foreign device id: the connection is dropped silently.
            self.emu.counters[("direct", endpoint)] += 1
            self.emu.record("direct", endpoint, 0, 0)
            try:
                drop(request)
            except DroppedError:
                return web.Response(status=204)
        return await self._serve(request, "direct", endpoint, direct, dev, token)

    # ------------------------------------------------------------- deprecated local API
    async def handle_local(self, request: web.Request, dev: SimDevice) -> web.StreamResponse:
        raw = request.raw_path
        endpoint = _endpoint_of(raw)

        async def local(request: web.Request, body: bytes, rid_offset: int) -> Reply:
            return await local_reply(dev, request, body)

        if not dev.online or not dev.local_enabled:
            self.emu.counters[("local", endpoint)] += 1
            self.emu.record("local", endpoint, 0, 0)
            try:
                drop(request)
            except DroppedError:
                return web.Response(status=204)
        return await self._serve(request, "local", endpoint, local, dev)


async def device_reply(
    dev: SimDevice, token: str, target: str, body: bytes, rid_offset: int
) -> Reply:
    """The device side of a MyJD call (relay or direct): decrypt, validate, dispatch, encrypt."""
    key = chain_token(dev.device_secret, token)

    def error(err: DeviceError) -> Reply:
        return Reply(err.status, encrypt(key, err.body()), DEVICE_ERROR_JSON)

    try:
        envelope = json.loads(decrypt(key, body.strip()))
        if not isinstance(envelope, dict):
            raise ValueError
    except ValueError:
        return error(DeviceError(400, "no JSONRequest"))
    url = envelope.get("url")
    if not url:
        return error(DeviceError(400, "JSonRequest URL is empty"))
    if url != target:
        return error(DeviceError(400, f"JSonRequest URL={url} does not match {target}"))
    path, _, query = target.partition("?")
    params = envelope.get("params")
    raw_params = query_values(query) + [
        java_to_string(p) for p in (params if isinstance(params, list) else [])
    ]
    api_ver = envelope.get("apiVer")
    rid = envelope.get("rid")
    if not isinstance(api_ver, int) or api_ver < 1 or not isinstance(rid, int):
        rid = -1  # old DataObject wrapper
    elif rid_offset:
        rid += rid_offset
    try:
        result = myjd_events(await dispatch(dev, path, raw_params))
    except DeviceError as err:
        return error(err)
    return Reply(
        200,
        encrypt(key, frame_myjd(result, rid)),
        DEVICE_JSON,
        {"Cache-Control": "no-store, no-cache"},
    )


async def local_reply(dev: SimDevice, request: web.Request, body: bytes) -> Reply:
    """Deprecated API (docs/protocol.md §7): plain JSON in and out, no session, no rid."""

    def error(err: DeviceError) -> Reply:
        return Reply(err.status, err.body(), DEVICE_ERROR_JSON)

    if "Origin" in request.headers:
        return Reply(403, b"Forbidden", "text/plain")
    if request.method not in ("GET", "POST", "HEAD", "OPTIONS"):
        return Reply(405, b"Illegal Method", "text/plain")
    path, _, query = request.raw_path.partition("?")
    raw_params = query_values(query)
    if body.strip():
        if request.content_type == "application/x-www-form-urlencoded":
            raw_params += [v for _, v in parse_qsl(body.decode(), keep_blank_values=True)]
        else:
            try:
                value = json.loads(body)
            except ValueError:
                return error(DeviceError(400, "no JSONRequest"))
            if isinstance(value, dict) and isinstance(value.get("params"), list):
                value = value["params"]
            items = value if isinstance(value, list) else [value]
            raw_params += [json_to_param(v) for v in items]
    try:
        result = await dispatch(dev, path, raw_params)
    except DeviceError as err:
        return error(err)
    return Reply(200, frame_local(result), DEVICE_JSON)
