"""Device-side envelope rules: parameter conversion (section 4.2), errors and response framing (4.3)."""

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
    """How the device turns a non-string JSON param into the string it then converts (4.2).

    Objects become Java map toString (`{a=1}`) and arrays LinkedList toString (`[x, y]`),
    which is why only JSON-encoded strings are safe for objects and arrays.
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
    """Deprecated-API POST bodies: real JSON values are serialized correctly (section 7)."""
    return value if isinstance(value, str) else json.dumps(value)


# Parameter kinds used by the method table.
STR: Final = "str"
INT: Final = "int"
BOOL: Final = "bool"
LONGS: Final = "longs"
STRS: Final = "strs"
OBJ: Final = "obj"
ANY: Final = "any"


def convert(raw: str, kind: str, enum: Iterable[str] | None = None) -> Any:
    """Convert one wire parameter string to the declared Java type, or raise BAD_PARAMETERS."""
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


def frame_myjd(result: object, rid: int) -> bytes:
    """{"data" : result, "rid": rid}; data omitted for null, "" for void (4.3)."""
    if result is None:
        return b'{"rid":' + str(rid).encode() + b"}"
    data = '""' if result is VOID else dumps(result)
    # The device rewrites the first `"data":` to `"data" :` (Android hot-fix); reproduce it.
    return ('{"data" :' + data + ',"rid":' + str(rid) + "}").encode()


def frame_local(result: object) -> bytes:
    """Deprecated API: {"data": result}, the rid -1 default is omitted (section 7)."""
    if result is None:
        return b"{}"
    data = '""' if result is VOID else dumps(result)
    return ('{"data":' + data + "}").encode()
