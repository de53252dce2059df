"""The body codec: request ids, parameter and envelope encoding, answer decoding.

Pure functions, safe to run in an executor: the client decodes answers of 256 KiB or more off the
event loop (:mod:`.cpu`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import json
import threading
import time
from typing import Any

from .crypto import decrypt
from .exceptions import JDownloaderProtocolError

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
    """Every parameter as a JSON-encoded string, as MyJDownloader connections need it (docs/protocol.md §4.2).

    Over the relay and direct connections the device takes a string element of ``params`` as the
    parameter's text and turns anything else into Java ``toString()`` text
    (``MyJDownloaderPostRequest``), which fails to parse for objects and string arrays. The local
    Deprecated API is the opposite and gets raw values (:mod:`.local`).
    """
    return [dumps(arg) for arg in args]


def device_envelope(path: str, params: Sequence[str], rid: int) -> bytes:
    """The plaintext envelope of a MyJDownloader device call (``url`` must equal the path)."""
    return dumps({"url": path, "params": list(params), "rid": rid, "apiVer": 1}).encode()


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
