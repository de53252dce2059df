"""Fault injection: each rule applies to the next `count` matching requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

FAULT_KINDS: Final = frozenset(
    {
        "rate_limit",
        "overload",
        "maintenance",
        "offline",
        "garbage",
        "wrong_rid",
        "slow",
        "token_invalid",
        "auth_failed",
        "email_not_confirmed",
        "server_error",
        "drop",
        "lost_response",
        "empty_401",
        "empty_403",
        "empty_407",
        "empty_502",
        "empty_503",
        "empty_504",
    }
)
TRANSPORTS: Final = frozenset({"server", "relay", "direct", "local"})

# kind → (HTTP status, error type) for the faults that answer with a MYJD error object.
ERROR_FAULTS: Final[dict[str, tuple[int, str]]] = {
    "rate_limit": (429, "TOO_MANY_REQUESTS"),
    "overload": (503, "OVERLOAD"),
    "maintenance": (503, "MAINTENANCE"),
    "offline": (504, "OFFLINE"),
    "token_invalid": (403, "TOKEN_INVALID"),
    "auth_failed": (403, "AUTH_FAILED"),
    "email_not_confirmed": (401, "ERROR_EMAIL_NOT_CONFIRMED"),
    "server_error": (500, "UNKNOWN"),
}

# kind → HTTP status for answers with an empty body: what a gateway in front of the servers may
# send, and what JD's own client reads from the status alone
# (AbstractMyJDClient.handleInvalidResponseCodes).
TYPELESS_FAULTS: Final[dict[str, int]] = {
    "empty_401": 401,
    "empty_403": 403,
    "empty_407": 407,
    "empty_502": 502,
    "empty_503": 503,
    "empty_504": 504,
}

DEFAULT_SLOW_DELAY: Final = 1.0


@dataclass
class FaultRule:
    kind: str
    count: int
    endpoint: str | None
    transport: str | None
    delay: float

    def matches(self, transport: str, endpoint: str) -> bool:
        if self.transport is not None and self.transport != transport:
            return False
        return self.endpoint is None or endpoint.startswith(self.endpoint)


class Faults:
    """Ordered rules; the first matching rule with count left fires and is decremented."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(
        self,
        kind: str,
        count: int = 1,
        endpoint: str | None = None,
        transport: str | None = None,
        delay: float = 0.0,
    ) -> FaultRule:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if transport is not None and transport not in TRANSPORTS:
            raise ValueError(f"unknown transport {transport!r}")
        if kind == "slow" and delay <= 0:
            delay = DEFAULT_SLOW_DELAY
        rule = FaultRule(kind, count, endpoint, transport, delay)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def take(self, transport: str, endpoint: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.count > 0 and rule.matches(transport, endpoint):
                rule.count -= 1
                if rule.count <= 0:
                    self.rules.remove(rule)
                return rule
        return None
