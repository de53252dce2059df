"""Error mapping, body decoding and request ids (pure functions, no network)."""

from __future__ import annotations

import itertools
import threading

import pytest

from custom_components.jdownloader.api import (
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderEmailNotConfirmedError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
    decode_body,
)
from custom_components.jdownloader.api.codec import decode_answer, next_rid, parse_error_body
from custom_components.jdownloader.api.cpu import offload
from custom_components.jdownloader.api.crypto import encrypt
from custom_components.jdownloader.api.exceptions import TokenInvalidError, map_error

TOKEN = bytes(range(32))


def test_rids_strictly_increase_even_within_one_millisecond() -> None:
    rids = [next_rid() for _ in range(5000)]
    assert all(b > a for a, b in itertools.pairwise(rids))
    assert rids[0] > 1_600_000_000_000  # milliseconds, not seconds


def test_decode_body_decrypts_and_parses() -> None:
    body = encrypt(TOKEN, b'{"data" :[1,2],"rid":5}').encode()
    assert decode_body(body, TOKEN) == {"data": [1, 2], "rid": 5}


def test_decode_body_rejects_undecryptable_and_non_json() -> None:
    with pytest.raises(JDownloaderProtocolError):
        decode_body(b"<html>gateway</html>", TOKEN)
    with pytest.raises(JDownloaderProtocolError):
        decode_body(encrypt(TOKEN, b"not json").encode(), TOKEN)
    # Plain JSON is only accepted where allowed (connection-server answers).
    with pytest.raises(JDownloaderProtocolError):
        decode_body(b'{"rid":1}', TOKEN)
    assert decode_body(b'{"rid":1}', TOKEN, allow_plain=True) == {"rid": 1}


def test_error_body_plain_then_encrypted_then_nothing() -> None:
    plain = b'{"src":"MYJD","type":"TOKEN_INVALID"}'
    assert parse_error_body(plain, TOKEN) == {"src": "MYJD", "type": "TOKEN_INVALID"}
    encrypted = encrypt(TOKEN, b'{"src":"DEVICE","type":"BAD_PARAMETERS","data":"x"}').encode()
    assert parse_error_body(encrypted, TOKEN) == {
        "src": "DEVICE",
        "type": "BAD_PARAMETERS",
        "data": "x",
    }
    assert parse_error_body(b"Request size limit exceeded!", TOKEN) is None
    assert parse_error_body(b"", TOKEN) is None


@pytest.mark.parametrize(
    ("status", "error_type", "relay", "expected"),
    [
        (403, "TOKEN_INVALID", False, TokenInvalidError),
        (407, None, False, TokenInvalidError),
        (403, "AUTH_FAILED", False, JDownloaderAuthError),
        (401, "ERROR_EMAIL_NOT_CONFIRMED", False, JDownloaderEmailNotConfirmedError),
        (429, "TOO_MANY_REQUESTS", True, JDownloaderRateLimitError),
        (429, None, False, JDownloaderRateLimitError),
        (503, "OVERLOAD", True, JDownloaderServiceUnavailableError),
        (503, "MAINTENANCE", False, JDownloaderServiceUnavailableError),
        (504, "OFFLINE", True, JDownloaderDeviceOfflineError),
        # No error type: read from the status as AbstractMyJDClient.handleInvalidResponseCodes does.
        (403, None, False, JDownloaderAuthError),
        (401, None, True, JDownloaderEmailNotConfirmedError),
        (502, None, True, JDownloaderServiceUnavailableError),
        (503, None, True, JDownloaderServiceUnavailableError),
        (503, None, False, JDownloaderServiceUnavailableError),
        (502, None, False, JDownloaderServiceUnavailableError),
        (504, None, True, JDownloaderDeviceOfflineError),
        (504, None, False, JDownloaderConnectionError),
        (404, "API_COMMAND_NOT_FOUND", True, JDownloaderApiError),
        (500, "UNKNOWN", False, JDownloaderApiError),
        (413, None, True, JDownloaderApiError),
    ],
)
def test_error_mapping(
    status: int, error_type: str | None, relay: bool, expected: type[Exception]
) -> None:
    error = None if error_type is None else {"src": "MYJD", "type": error_type}
    err = map_error(status, error, endpoint="/x/y", relay_device_call=relay, retry_after=7.0)
    assert type(err) is expected
    if isinstance(err, JDownloaderRateLimitError):
        assert err.retry_after == 7.0
    if isinstance(err, JDownloaderServiceUnavailableError):
        assert err.reason in ("OVERLOAD", "MAINTENANCE")


def test_api_error_keeps_open_type_source_and_data() -> None:
    err = map_error(
        404,
        {"src": "DEVICE", "type": "Not Found", "data": {"x": 1}},
        endpoint="/nope/x",
    )
    assert isinstance(err, JDownloaderApiError)
    assert (err.error_type, err.source, err.status, err.data) == (
        "Not Found",
        "DEVICE",
        404,
        {"x": 1},
    )
    generic = map_error(413, None, endpoint="/linkgrabberv2/addLinks")
    assert isinstance(generic, JDownloaderApiError)
    assert generic.error_type == "HTTP_413"


async def test_large_answers_are_decoded_off_the_event_loop() -> None:
    """Decrypting and parsing 256 KiB or more runs in the executor, small answers inline."""
    assert await offload(10, threading.current_thread) is threading.current_thread()
    worker = await offload(256 * 1024, threading.current_thread)
    assert worker is not threading.current_thread()


def test_decode_answer_checks_rid_before_parsing() -> None:
    body = encrypt(TOKEN, b'{"data":[{"uuid":1,"name":"a"}],"rid":7}').encode()
    parsed: list[object] = []
    assert decode_answer(body, TOKEN, 7, parsed.append, "/x") is None
    assert parsed == [[{"uuid": 1, "name": "a"}]]
    with pytest.raises(JDownloaderProtocolError, match="rid"):
        decode_answer(body, TOKEN, 8, parsed.append, "/x")
    assert len(parsed) == 1  # the mismatched answer never reached the parser
