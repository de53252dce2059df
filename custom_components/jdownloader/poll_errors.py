"""How a failed poll is reported to Home Assistant, and what it does to the cloud back-off."""

from __future__ import annotations

from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderDeviceOfflineError,
    JDownloaderError,
    JDownloaderRateLimitError,
    JDownloaderServiceUnavailableError,
)
from .backoff import ServiceBackoff
from .const import DOMAIN, PROBE_WAIT


def raise_for_error(
    err: JDownloaderError, backoff: ServiceBackoff, *, auth: bool, cloud: bool = True
) -> float:
    """Translate a client error into the Home Assistant exception for a failed poll.

    Returns the back-off delay (seconds) if the error was a rate limit / overload; in that case
    the caller still has to raise UpdateFailed after adjusting its interval.
    """
    if isinstance(err, JDownloaderAuthError):
        if auth:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        raise UpdateFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
    if isinstance(err, JDownloaderRateLimitError):
        if not err.sent:
            # Held back by the back-off itself (another request is probing): not a refusal.
            return max(err.retry_after or PROBE_WAIT, 1.0)
        return _refusal(backoff, err.retry_after)
    if isinstance(err, JDownloaderServiceUnavailableError):
        return _refusal(backoff, None)
    if isinstance(err, JDownloaderDeviceOfflineError):
        raise UpdateFailed(translation_domain=DOMAIN, translation_key="device_offline") from err
    if isinstance(err, JDownloaderConnectionError) and cloud:
        # The MyJDownloader servers themselves do not answer: every JDownloader of the account
        # is affected, none of them is known to be offline.
        raise UpdateFailed(
            translation_domain=DOMAIN, translation_key="service_unreachable"
        ) from err
    raise UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders={"error": type(err).__name__},
    ) from err


def _refusal(backoff: ServiceBackoff, retry_after: float | None) -> float:
    """The wait after a refusal; recorded here only if the client's cloud gate has not already
    (it reports every cloud answer; a local JDownloader has no gate)."""
    if (left := backoff.remaining()) > 1:
        return left
    return backoff.refused(retry_after)


def backoff_failed(delay: float) -> UpdateFailed:
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="rate_limited",
        translation_placeholders={"seconds": str(round(delay))},
    )
