"""Bad input: malformed, truncated and oversized answers, and odd action input.

Property-based (hypothesis). The client's parsing is pure, so it is fuzzed directly: the body
codec (decrypt + JSON + rid check), the error-body mapping, and every typed device method fed
arbitrary JSON through a transport that hands back what it is given (the real crypto is used for
the encrypted round trip). Whatever comes in, the only exceptions are the client's own
``JDownloaderError``s, with short messages. The add_links action's input parsing is fuzzed the
same way: it either finds links that were in the input or refuses with a validation error.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from custom_components.jdownloader.api import (
    AddLinksRequest,
    Connection,
    JDownloaderDevice,
    JDownloaderError,
    JDownloaderProtocolError,
)
from custom_components.jdownloader.api.codec import (
    decode_answer,
    decode_body,
    encode_params,
    parse_error_body,
)
from custom_components.jdownloader.api.crypto import encrypt
from custom_components.jdownloader.api.exceptions import map_error
from custom_components.jdownloader.services import parse_links
from homeassistant.exceptions import ServiceValidationError

TOKEN = bytes(range(32))
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
KEYS = [
    "rid",
    "data",
    "uuid",
    "name",
    "packageUUID",
    "bytesTotal",
    "bytesLoaded",
    "finished",
    "running",
    "eventId",
    "publisher",
    "eventData",
    "infos",
    "ip",
    "port",
    "mode",
    "id",
    "type",
    "subscriptionid",
    "aggregatedNumbers",
    "jdState",
    "hosts",
    "priority",
    "free",
    "size",
    "path",
    "enabled",
    "src",
    "hoster",
    "link",
    "timeout",
    "maxPollTimeout",
    "state",
    "speed",
    "limit",
]
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=8)
    ),
    max_leaves=20,
)


def _check(err: JDownloaderError) -> None:
    """A clear error: the client's own type and a short one-line message."""
    text = str(err)
    assert 0 < len(text) < 300
    assert "\n" not in text


# --------------------------------------------------------------------------- body codec
@SETTINGS
@given(st.binary(max_size=2048))
def test_any_body_decodes_or_raises_protocol_error(body: bytes) -> None:
    for token in (TOKEN, None):
        try:
            decode_answer(body, token, 42, None, "/polling/poll")
        except JDownloaderProtocolError as err:
            _check(err)


@SETTINGS
@given(JSON, st.integers(min_value=0, max_value=400), st.sampled_from(["cut", "pad", "flip"]))
def test_truncated_or_damaged_encrypted_answers(value: Any, cut: int, damage: str) -> None:
    body = encrypt(TOKEN, json.dumps({"data": value, "rid": 7}).encode()).encode()
    if damage == "cut":
        body = body[: len(body) * cut // 400]
    elif damage == "pad":
        body = body + b"A" * (cut % 7)
    else:
        index = cut % len(body)
        body = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    try:
        decode_answer(body, TOKEN, 7, None, "/toolbar/getStatus")
    except JDownloaderProtocolError as err:
        _check(err)


def test_oversized_answer_is_parsed_or_refused_cleanly() -> None:
    # 8 MiB of one JSON string, and 8 MiB of unclosed nesting.
    big = encrypt(TOKEN, json.dumps({"data": "x" * (8 << 20), "rid": 1}).encode()).encode()
    assert len(decode_answer(big, TOKEN, 1, None, "/downloadsV2/queryLinks")) == 8 << 20
    deep = encrypt(TOKEN, b'{"rid": 1, "data": ' + b"[" * 100_000).encode()
    with pytest.raises(JDownloaderProtocolError):
        decode_answer(deep, TOKEN, 1, None, "/downloadsV2/queryLinks")
    nested = encrypt(TOKEN, b'{"rid": 1, "data": ' + b"[" * 5000 + b"]" * 5000 + b"}").encode()
    try:
        decode_answer(nested, TOKEN, 1, None, "/downloadsV2/queryLinks")
    except JDownloaderProtocolError as err:
        _check(err)


@SETTINGS
@given(st.none() | st.integers() | st.text(max_size=20), st.integers(min_value=0, max_value=2**53))
def test_wrong_rid_is_always_rejected(value: Any, rid: int) -> None:
    body = encrypt(TOKEN, json.dumps({"data": value, "rid": rid + 1}).encode()).encode()
    with pytest.raises(JDownloaderProtocolError, match="rid"):
        decode_answer(body, TOKEN, rid, None, "/polling/poll")


@SETTINGS
@given(
    st.integers(min_value=100, max_value=599),
    st.one_of(
        st.binary(max_size=512),
        JSON.map(lambda v: json.dumps(v).encode()),
        JSON.map(lambda v: encrypt(TOKEN, json.dumps(v).encode()).encode()),
    ),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
)
def test_any_error_body_maps_to_a_client_error(
    status: int, body: bytes, retry_after: float | None
) -> None:
    error = parse_error_body(body, TOKEN)
    mapped = map_error(status, error, endpoint="/polling/poll", retry_after=retry_after)
    assert isinstance(mapped, JDownloaderError)
    _check(mapped)
    # The message never echoes the body (it may carry anything the device chose to send).
    for chunk in (body[i : i + 40] for i in range(0, len(body), 40)):
        if len(chunk) == 40:
            assert chunk.decode("latin-1") not in str(mapped)


@SETTINGS
@given(st.binary(max_size=300))
def test_decode_body_plain_or_encrypted(body: bytes) -> None:
    try:
        decode_body(body, TOKEN, allow_plain=True)
    except JDownloaderProtocolError as err:
        _check(err)


# --------------------------------------------------------------------------- device methods
class EchoTransport:
    """Answers every call with ``value``, encrypted and decoded like a real relay answer."""

    connection = Connection.RELAY
    timeout = 30.0

    def __init__(self, value: Any) -> None:
        self.value = value

    async def call(
        self, path: str, params: Any, *, timeout: float | None = None, parse: Any = None
    ) -> Any:
        body = encrypt(TOKEN, json.dumps({"data": self.value, "rid": 5}).encode()).encode()
        return decode_answer(body, TOKEN, 5, parse, path)

    def request_size(self, path: str, params: Any) -> int:
        return 1000


METHODS: dict[str, tuple[Any, ...]] = {
    "ping": (),
    "direct_connection_infos": (),
    "poll": (),
    "toolbar_status": (),
    "get_current_state": (),
    "get_speed": (),
    "start_downloads": (),
    "pause_downloads": (True,),
    "query_packages": (),
    "query_links": (),
    "linkgrabber_query_packages": (),
    "linkgrabber_query_links": (),
    "linkgrabber_package_count": (),
    "add_links": (AddLinksRequest(links=["https://example.com/a"]),),
    "toggle_speed_limit": (),
    "config_get": ("org.jdownloader.settings.GeneralSettings", "DownloadSpeedLimit"),
    "get_speed_limit": (),
    "get_max_simultaneous_downloads": (),
    "is_update_available": (),
    "storage_infos": (),
    "version": (),
    "uptime": (),
    "core_revision": (),
    "system_infos": (),
    "captcha_list": (),
    "captcha_get": (1,),
    "captcha_solve": (1, "abc"),
    "list_accounts": (),
    "events_subscribe": (["downloads"], []),
    "events_listen": (1,),
    "events_change_timeouts": (1, 1000, 30000),
    "structure_change_counter": (),
}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_device_methods_survive_any_answer(method: str) -> None:
    @settings(SETTINGS, max_examples=60)
    @given(JSON)
    def run(value: Any) -> None:
        device = JDownloaderDevice("id", "name", EchoTransport(value))
        try:
            result = asyncio.run(getattr(device, method)(*METHODS[method]))
        except JDownloaderError as err:
            _check(err)
            return
        # Numbers that came back are real numbers, not NaN/inf smuggled through.
        if isinstance(result, float):
            assert math.isfinite(result)

    run()


# --------------------------------------------------------------------------- action input
LINKISH = st.sampled_from(
    [
        "https://example.com/file.zip",
        "http://a.b/c?d=e&f=g",
        "ftp://host/path",
        "magnet:?xt=urn:btih:abc",
        "data:application/x-dlc;base64,QUJD",
        "HTTPS://EXAMPLE.COM/X",
        "https://",
        "javascript:alert(1)",
        "www.example.com",
    ]
)
TEXT = st.lists(st.text(max_size=30) | LINKISH, max_size=8).map(" ".join)


@SETTINGS
@given(st.one_of(TEXT, st.lists(TEXT, max_size=6)))
def test_add_links_input_is_parsed_or_refused(value: str | list[str]) -> None:
    try:
        links, data_urls = parse_links(value)
    except ServiceValidationError as err:
        key = err.translation_key
        assert key in ("no_links", "invalid_link")
        return
    joined = value if isinstance(value, str) else "\n".join(value)
    assert links or data_urls
    assert len(set(links)) == len(links)
    for link in (*links, *data_urls):
        assert link in joined
        assert not any(ch.isspace() for ch in link)


@SETTINGS
@given(
    st.lists(st.text(min_size=1, max_size=2000), min_size=1, max_size=30),
    st.one_of(st.none(), st.text(max_size=300)),
)
def test_add_links_request_of_any_text_is_encoded(links: list[str], name: str | None) -> None:
    """Any text (including lone surrogates and huge lists) is sent or refused with a clear error."""
    sent: list[Any] = []

    class Recorder(EchoTransport):
        async def call(self, path: str, params: Any, **kwargs: Any) -> Any:
            sent.append(params)
            return {"id": 1}

    device = JDownloaderDevice("id", "name", Recorder(None))
    request = AddLinksRequest(links=links, package_name=name)
    try:
        job_ids = asyncio.run(device.add_links(request))
    except JDownloaderError as err:
        _check(err)
        return
    assert job_ids == [1] * len(sent)
    for args in sent:
        for param in encode_params(args):
            param.encode("utf-8")  # what goes on the wire must be encodable
