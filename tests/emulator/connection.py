"""The MyJDownloader connection server's /my/* endpoints and sessions (docs/protocol.md §2-§3, §13)."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from .crypto import chain_token, decrypt, derive_secret, encrypt, signature_ok

if TYPE_CHECKING:
    from .emulator import Emulator

_LOGGER = logging.getLogger(__name__)

ENCRYPTED_TYPE = "application/aesjson-server; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


def myjd_error(status: int, type_: str) -> Reply:
    """Server errors are plain JSON (docs/protocol.md §5.2)."""
    return Reply(status, json.dumps({"src": "MYJD", "type": type_}).encode())


@dataclass
class Session:
    token: str
    regain: str
    server_token: bytes
    app_key: str
    last_used: float = field(default_factory=time.monotonic)
    expired: bool = False
    regain_valid: bool = True


class ConnectionServer:
    """One account; strict about signatures and tokens, lenient about order, case, GET/POST, rids."""

    def __init__(self, emu: Emulator, email: str, password: str) -> None:
        self.emu = emu
        self.email = email.lower()
        self.login_secret = derive_secret(email, password, "server")
        self.sessions: dict[str, Session] = {}
        self.last_rid: int | None = None

    # ------------------------------------------------------------- sessions
    def live_session(self, token: str, touch: bool = True) -> Session | None:
        """The session for `token` if it is valid now (idle expiry applied)."""
        session = self.sessions.get(token)
        if session is None or session.expired:
            return None
        ttl = self.emu.session_ttl
        now = time.monotonic()
        if ttl is not None and now - session.last_used > ttl:
            session.expired = True
            return None
        if touch:
            session.last_used = now
        return session

    def _new_session(self, server_token_base: bytes, app_key: str) -> Session:
        token = secrets.token_hex(20)  # 40 hex characters, like the real service
        session = Session(
            token, secrets.token_hex(20), chain_token(server_token_base, token), app_key
        )
        self.sessions[token] = session
        return session

    # ------------------------------------------------------------- request handling
    def handle(self, raw_target: str, body: bytes, rid_offset: int) -> Reply:
        path = raw_target.partition("?")[0]
        cut = raw_target.rfind("&signature=")
        if cut < 0:
            return myjd_error(403, "AUTH_FAILED" if path == "/my/connect" else "TOKEN_INVALID")
        signed = raw_target[:cut]
        signature = raw_target[cut + len("&signature=") :].split("&", 1)[0]
        params: dict[str, str] = {}
        for key, value in parse_qsl(signed.partition("?")[2], keep_blank_values=True):
            params.setdefault(key.lower(), value)
        try:
            rid = int(params["rid"])
        except (KeyError, ValueError):
            return myjd_error(400, "BAD_REQUEST")
        if self.last_rid is not None and rid < self.last_rid and rid != 0:
            _LOGGER.debug("non-increasing rid on %s", path)  # tolerated, like the real server
        self.last_rid = rid
        echo = rid + rid_offset

        if path == "/my/connect":
            if params.get("email", "").lower() != self.email:
                return myjd_error(403, "AUTH_FAILED")
            if not signature_ok(self.login_secret, signed, signature):
                return myjd_error(403, "AUTH_FAILED")
            if body and not self._body_ok(self.login_secret, body):
                return myjd_error(400, "BAD_REQUEST")
            session = self._new_session(self.login_secret, params.get("appkey", ""))
            return self._encrypted(
                self.login_secret,
                {"sessiontoken": session.token, "regaintoken": session.regain, "rid": echo},
            )

        token = params.get("sessiontoken", "")
        if path == "/my/reconnect":
            old = self.sessions.get(token)
            if old is None or not signature_ok(old.server_token, signed, signature):
                return myjd_error(403, "AUTH_FAILED")
            if not old.regain_valid or params.get("regaintoken") != old.regain:
                return myjd_error(403, "AUTH_FAILED")
            del self.sessions[token]
            session = self._new_session(old.server_token, old.app_key)
            # Answered with the old server token (the client has not re-derived yet).
            return self._encrypted(
                old.server_token,
                {"sessiontoken": session.token, "regaintoken": session.regain, "rid": echo},
            )

        live = self.live_session(token)
        if live is None:
            return myjd_error(403, "TOKEN_INVALID")
        if not signature_ok(live.server_token, signed, signature):
            # A wrong signature means the client's server token is off: recoverable by reconnect.
            return myjd_error(403, "TOKEN_INVALID")
        if body and not self._body_ok(live.server_token, body):
            return myjd_error(400, "BAD_REQUEST")
        if path == "/my/disconnect":
            del self.sessions[token]
            return self._encrypted(live.server_token, {"rid": echo})
        if path == "/my/keepalive":
            return self._encrypted(live.server_token, {"rid": echo})
        if path == "/my/listdevices":
            devices = [
                {"id": d.id, "type": "jd", "name": d.name} for d in self.emu.devices if d.listed
            ]
            return self._encrypted(live.server_token, {"list": devices, "rid": echo})
        return myjd_error(404, "API_COMMAND_NOT_FOUND")

    @staticmethod
    def _body_ok(key: bytes, body: bytes) -> bool:
        """Accept the JS client's encrypted {"apiVer","params","url","rid"} body, or plain JSON."""
        text = body.strip()
        if not text:
            return True
        try:
            json.loads(decrypt(key, text))
            return True
        except ValueError:
            pass
        try:
            json.loads(text)
            return True
        except ValueError:
            return False

    @staticmethod
    def _encrypted(key: bytes, payload: dict[str, Any]) -> Reply:
        return Reply(200, encrypt(key, json.dumps(payload).encode()), ENCRYPTED_TYPE)
