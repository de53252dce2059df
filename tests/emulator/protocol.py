"""Device-side envelope rules: parameter conversion (docs/protocol.md §4.2), errors and response framing (4.3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import json
from typing import Any, Final


class DeviceError(Exception):
    """A device error response: {"src":"DEVICE","type":...,"data":...} with an HTTP status."""

    def __init__(self, status: int, type_: str, data: object = None) -> None:
        super().__init__(type_)
        self.status = status
        self.type = type_
        self.data = data

    def body(self) -> bytes:
        obj: dict[str, Any] = {"src": "DEVICE", "type": self.type}
        if self.data is not None:
            obj["data"] = self.data
        return json.dumps(obj, separators=(",", ":")).encode()


def bad_parameters(raw: str) -> DeviceError:
    return DeviceError(400, "BAD_PARAMETERS", raw)


class _Void:
    """Marker for Java `void` methods: answered with "data": ""."""

    def __repr__(self) -> str:
        return "VOID"


VOID: Final = _Void()


@dataclass(frozen=True, slots=True)
class RawJson:
    """Pre-serialized JSON text (cached query results); spliced into the response as-is."""

    text: str


def dumps(value: object) -> str:
    """Compact JSON like the AppWork mapper."""
    if isinstance(value, RawJson):
        return value.text
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def java_to_string(value: object) -> str:
    """How a MyJDownloader connection turns one ``params`` element into its text (docs/protocol.md §4.2).

    Follows ``MyJDownloaderPostRequest.getPostParameter`` (``parameter + ""``): a string is used
    as it is, objects become Java map ``toString`` (``{a=1}``) and arrays LinkedList
    ``toString`` (``[x, y]``), which is why only JSON-encoded strings are safe for objects and
    arrays there.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_to_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(java_to_string(v) for v in value) + "]"
    return json.dumps(value)


def json_to_param(value: object) -> str:
    """Deprecated-API JSON bodies: each element of ``params`` serialized back to JSON text (docs/protocol.md §7).

    Follows ``AbstractPostRequest.readPostParameters``: the body is parsed, then every element is
    written out again with the mapper (``Deser.toString``), strings included. So a raw string
    ``"org.x"`` becomes the text ``"org.x"`` (unwrapped again by :func:`convert`), while a
    JSON-encoded string keeps one layer of quotes after conversion.
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# Parameter kinds used by the method table.
STR: Final = "str"
INT: Final = "int"
BOOL: Final = "bool"
LONGS: Final = "longs"
STRS: Final = "strs"
OBJ: Final = "obj"
ANY: Final = "any"


def _cast_quoted(value: Any, kind: str) -> Any:
    """The mapper casts a JSON string to a primitive target (``ReflectionUtils.cast``)."""
    if not isinstance(value, str):
        return value
    if kind == INT:
        try:
            return int(value)
        except ValueError:
            return value
    if kind == BOOL and value in ("true", "false"):
        return value == "true"
    return value


def convert(raw: str, kind: str, enum: Iterable[str] | None = None) -> Any:
    """Convert one parameter text to the declared Java type, or raise BAD_PARAMETERS.

    Follows ``RemoteAPI.convert``: for a String or enum parameter an unquoted text is taken as it
    is (``null`` meaning null) and a quoted one is parsed once; every other type is parsed as JSON
    (``JSonStorage.restoreFromString``) with quoted numbers and booleans cast to primitives, and a
    JSON string where an object or a list is expected fails to map.
    """
    if kind == STR:
        if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
            try:
                value = json.loads(raw)
            except ValueError:
                raise bad_parameters(raw) from None
            if not isinstance(value, str):
                raise bad_parameters(raw)
        elif raw == "null":
            value = None
        else:
            value = raw
        if enum is not None and value is not None and value not in enum:
            raise bad_parameters(raw)
        return value
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_parameters(raw) from None
    if value is None or kind == ANY:
        return value
    value = _cast_quoted(value, kind)
    ok = {
        INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
        BOOL: lambda v: isinstance(v, bool),
        LONGS: lambda v: (
            isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
        ),
        STRS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
        OBJ: lambda v: isinstance(v, dict),
    }[kind](value)
    if not ok:
        raise bad_parameters(raw)
    return value


def myjd_events(result: object) -> object:
    """``RemoteAPIController``: over a MyJDownloader connection a list of ``EventObjectStorable``
    (key ``eventdata``) is sent as ``MyJDownloaderEvent`` objects (key ``eventData``); the
    Deprecated API sends the storables as they are."""
    if not (isinstance(result, list) and result and isinstance(result[0], dict)):
        return result
    if "eventid" not in result[0] or "publisher" not in result[0]:
        return result
    converted = []
    for event in result:
        event = dict(event)
        if "eventdata" in event:
            event["eventData"] = event.pop("eventdata")
        converted.append(event)
    return converted


def frame_myjd(result: object, rid: int) -> bytes:
    """{"data" : result, "rid": rid}; data omitted for null, "" for void (4.3)."""
    if result is None:
        return b'{"rid":' + str(rid).encode() + b"}"
    data = '""' if result is VOID else dumps(result)
    # The device rewrites the first `"data":` to `"data" :` (Android hot-fix); reproduce it.
    return ('{"data" :' + data + ',"rid":' + str(rid) + "}").encode()


def frame_local(result: object) -> bytes:
    """Deprecated API: {"data": result}, the rid -1 default is omitted (docs/protocol.md §7)."""
    if result is None:
        return b"{}"
    data = '""' if result is VOID else dumps(result)
    return ('{"data":' + data + "}").encode()
