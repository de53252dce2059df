"""A minimal raw-protocol client for emulator tests (hashlib/hmac/cryptography only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from yarl import URL

APPKEY = "emulator-tests"
_rids = itertools.count(int(time.time() * 1000))


def secret(email: str, password: str, domain: str) -> bytes:
    return hashlib.sha256((email.lower() + password + domain).encode()).digest()


def chain(old: bytes, token_hex: str) -> bytes:
    return hashlib.sha256(old + bytes.fromhex(token_hex)).digest()


def aes_encrypt(token: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(token[16:]), modes.CBC(token[:16])).encryptor()
    return base64.b64encode(enc.update(padder.update(data) + padder.finalize()) + enc.finalize())


def aes_decrypt(token: bytes, data: bytes | str) -> bytes:
    dec = Cipher(algorithms.AES(token[16:]), modes.CBC(token[:16])).decryptor()
    raw = dec.update(base64.b64decode(data)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(raw) + unpadder.finalize()


def signed(path_query: str, key: bytes) -> str:
    sig = hmac.new(key, path_query.encode(), hashlib.sha256).hexdigest()
    return f"{path_query}&signature={sig}"


class MyJDError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body

    @property
    def type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None


class RawClient:
    """Talks the protocol by hand: connect, reconnect, listdevices, device calls."""

    def __init__(
        self, session: aiohttp.ClientSession, api_url: str, email: str, password: str
    ) -> None:
        self.http = session
        self.api_url = api_url
        self.email = email
        self.login_secret = secret(email, password, "server")
        self.device_secret = secret(email, password, "device")
        self.session_token = ""
        self.regain_token = ""
        self.server_token = b""
        self.device_token = b""

    async def my(
        self, path_query: str, key: bytes, *, method: str = "POST", rid: int | None = None
    ) -> dict[str, Any]:
        rid = next(_rids) if rid is None else rid
        sep = "&" if "?" in path_query else "?"
        target = signed(f"{path_query}{sep}rid={rid}", key)
        # encoded=True: yarl would otherwise re-quote the query and break the signature.
        async with self.http.request(method, URL(self.api_url + target, encoded=True)) as resp:
            text = await resp.text()
            if resp.status != 200:
                raise MyJDError(resp.status, json.loads(text))
            data: dict[str, Any] = json.loads(aes_decrypt(key, text))
        assert data["rid"] == rid, "rid mismatch"
        return data

    async def connect(self) -> None:
        data = await self.my(
            f"/my/connect?email={quote(self.email)}&appkey={APPKEY}", self.login_secret
        )
        self._adopt(data, self.login_secret)

    def _adopt(self, data: dict[str, Any], base: bytes) -> None:
        self.session_token = data["sessiontoken"]
        self.regain_token = data["regaintoken"]
        self.server_token = chain(base, self.session_token)
        self.device_token = chain(self.device_secret, self.session_token)

    async def reconnect(self) -> None:
        old = self.server_token
        data = await self.my(
            f"/my/reconnect?appkey={APPKEY}&sessiontoken={self.session_token}"
            f"&regaintoken={self.regain_token}",
            old,
        )
        self._adopt(data, old)

    async def list_devices(self) -> list[dict[str, Any]]:
        data = await self.my(
            f"/my/listdevices?sessiontoken={self.session_token}", self.server_token
        )
        devices: list[dict[str, Any]] = data["list"]
        return devices

    async def call_raw(
        self,
        device_id: str,
        path: str,
        params: list[Any],
        *,
        base: str | None = None,
        url: str | None = None,
        api_ver: int = 1,
    ) -> tuple[int, bytes, int]:
        """POST a device call; returns (status, decrypted-or-raw body, rid sent)."""
        rid = next(_rids)
        envelope = {"url": url or path, "params": params, "rid": rid, "apiVer": api_ver}
        target = f"{base or self.api_url}/t_{self.session_token}_{device_id}{path}"
        body = aes_encrypt(self.device_token, json.dumps(envelope).encode())
        async with self.http.post(
            target, data=body, headers={"Content-Type": "application/aesjson-jd; charset=utf-8"}
        ) as resp:
            raw = await resp.read()
            status = resp.status
        try:
            return status, aes_decrypt(self.device_token, raw), rid
        except ValueError:
            return status, raw, rid

    async def call(self, device_id: str, path: str, *args: Any, base: str | None = None) -> Any:
        """Call with every argument JSON-encoded (docs/protocol.md §4.2); returns data (None if omitted)."""
        status, body, rid = await self.call_raw(
            device_id, path, [json.dumps(a) for a in args], base=base
        )
        data = json.loads(body)
        if status != 200:
            raise MyJDError(status, data)
        assert data.get("rid") == rid
        return data.get("data")
