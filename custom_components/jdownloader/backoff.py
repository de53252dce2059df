"""The cloud back-off of one config entry: waits after 429 / 503 answers, and who may probe."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.util import dt as dt_util

from .const import BACKOFF_INITIAL, BACKOFF_MAX, BACKOFF_STEADY, BACKOFF_STEADY_FOR, PROBE_WAIT


class ServiceBackoff:
    """Back-off after 429 / 503 answers, shared by an entry's coordinators.

    The waits: ``initial``, then ``steady`` until ``steady_for`` seconds have passed since the
    first failure, then doubling up to ``maximum`` (see const.py for why).

    Concurrent failures within one waiting period count once, so five devices hitting the same
    rate limit do not jump five steps at a time. When a waiting period ends, one coordinator
    probes (one request at a time) while the others wait a few seconds for its outcome, so a
    long outage costs one request per round instead of two per device.

    It is the client's :class:`~.api.CloudGate` (``wait``/``answered``/``refused``): every
    cloud request, whoever sends it (a poll, a session renewal for a LAN device, the
    direct-connection refresh, the events doorbell), waits for the period to end, and after it
    one request per ``PROBE_WAIT`` probes until the cloud answers. The coordinators add
    ``acquire``/``release``, so that only one of them probes.
    """

    def __init__(
        self,
        initial: float = BACKOFF_INITIAL,
        maximum: float = BACKOFF_MAX,
        steady: float = BACKOFF_STEADY,
        steady_for: float = BACKOFF_STEADY_FOR,
    ) -> None:
        """Initialise an inactive back-off."""
        self._initial = initial
        self._maximum = maximum
        self._steady = steady
        self._steady_for = steady_for
        self.delay = 0.0
        self._since: datetime | None = None
        self._until: datetime | None = None
        self._probe_sent: datetime | None = None
        self._prober: object | None = None

    @property
    def active(self) -> bool:
        """True from the first 429/503 until a request is answered again."""
        return self.delay > 0

    def acquire(self, caller: object) -> float:
        """Seconds ``caller`` must wait before sending (0: go ahead; it may be the prober)."""
        if (left := self.remaining()) > 1:
            return left
        if not self.active:
            return 0.0
        if self._prober is not None and self._prober is not caller:
            return PROBE_WAIT
        self._prober = caller
        return 0.0

    def release(self, caller: object) -> None:
        """End ``caller``'s probe, whatever its outcome (another caller may probe next)."""
        if self._prober is caller:
            self._prober = None

    def remaining(self) -> float:
        """Seconds left in the current waiting period (0 when requests may be sent)."""
        if self._until is None:
            return 0.0
        return max((self._until - dt_util.utcnow()).total_seconds(), 0.0)

    def refused(self, retry_after: float | None = None) -> float:
        """The cloud refused (429/503): start or keep the waiting period; return its seconds."""
        if (left := self.remaining()) > 1:
            return left
        now = dt_util.utcnow()
        if self.delay == 0 or self._since is None:
            self._since = now
            self.delay = self._initial
        elif (now - self._since).total_seconds() < self._steady_for:
            self.delay = max(self.delay, self._steady)
        else:
            self.delay = min(self.delay * 2, self._maximum)
        if retry_after is not None:
            self.delay = min(max(self.delay, retry_after), self._maximum)
        self._until = now + timedelta(seconds=self.delay)
        self._prober = None
        self._probe_sent = None
        return self.delay

    def answered(self) -> None:
        """The cloud answered: requests flow again."""
        self.delay = 0.0
        self._since = None
        self._until = None
        self._prober = None
        self._probe_sent = None

    def wait(self) -> float:
        """Seconds before a cloud request may go out (0: send; after a period, it probes)."""
        if (left := self.remaining()) > 1:
            return left
        if not self.active:
            return 0.0
        now = dt_util.utcnow()
        if self._probe_sent is not None:
            elapsed = (now - self._probe_sent).total_seconds()
            if elapsed < PROBE_WAIT:
                return PROBE_WAIT - elapsed
        self._probe_sent = now
        return 0.0
