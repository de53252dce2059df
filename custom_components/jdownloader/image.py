"""Image entity: the oldest waiting captcha of each JDownloader, for solving it from anywhere.

The image is read with ``captcha/get`` once per captcha, when a new one becomes the oldest in a
poll's ``captchasWaiting``; nothing is read while none waits. Until the image has arrived the
entity shows no captcha, so its picture and attributes always belong together.
Challenges solved in a browser (reCAPTCHA, hCaptcha, ...) have no image: the entity then shows
the captcha's attributes with the web interface's address, and no picture.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import CaptchaJob, JDownloaderApiError, JDownloaderError
from .captcha import has_image, oldest, solve_url
from .const import CONF_MODE, LOGGER, MODE_CLOUD
from .coordinator import JDownloaderDeviceCoordinator
from .data import JDownloaderConfigEntry
from .entity import JDownloaderEntity, async_add_device_entities

PARALLEL_UPDATES = 0

DESCRIPTION = ImageEntityDescription(key="captcha", translation_key="captcha")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: JDownloaderConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the captcha image of every JDownloader."""
    async_add_device_entities(
        hass,
        entry,
        async_add_entities,
        lambda coordinator: [JDownloaderCaptchaImage(coordinator, DESCRIPTION)],
    )


@dataclass(frozen=True, slots=True)
class _Shown:
    job: CaptchaJob
    image: bytes | None
    content_type: str | None


class JDownloaderCaptchaImage(JDownloaderEntity, ImageEntity):
    """The oldest waiting captcha; no image while none waits."""

    entity_description: ImageEntityDescription

    def __init__(
        self, coordinator: JDownloaderDeviceCoordinator, description: ImageEntityDescription
    ) -> None:
        """Bind to the JDownloader's coordinator."""
        JDownloaderEntity.__init__(self, coordinator, description)
        ImageEntity.__init__(self, coordinator.hass)
        self._shown: _Shown | None = None
        self._fetching: int | None = None  # the captcha whose image is being read

    async def async_added_to_hass(self) -> None:
        """Show what the first poll found."""
        await super().async_added_to_hass()
        self._follow_poll()
        self._remember_written()

    @callback
    def _handle_coordinator_update(self) -> None:
        self._follow_poll()
        super()._handle_coordinator_update()

    @callback
    def _follow_poll(self) -> None:
        data = self.coordinator.data
        if data is None or data.poll.captchas is None:
            return  # not read this time: keep what is shown
        job = oldest(data.poll.captchas)
        shown = self._shown
        if job is None:
            self._show(None)
        elif shown is not None and shown.job.id == job.id:
            self._shown = _Shown(job, shown.image, shown.content_type)  # fresher seconds left
        elif not has_image(job):
            self._show(_Shown(job, None, None))
        elif self._fetching != job.id:
            self._show(None)  # the one shown is answered or no longer the oldest
            self._fetching = job.id
            self.coordinator.config_entry.async_create_task(
                self.hass, self._fetch(job), f"jdownloader captcha {job.id}", eager_start=False
            )

    async def _fetch(self, job: CaptchaJob) -> None:
        """Read the captcha's image once; a captcha gone meanwhile shows nothing."""
        try:
            challenge = await self.coordinator.device.captcha_get(job.id)
        except asyncio.CancelledError:
            self._fetching = None
            raise
        except JDownloaderApiError as err:
            LOGGER.debug("Captcha of %s is gone: %s", self.coordinator.device_name, err.error_type)
            challenge = None
        except JDownloaderError as err:
            # Read again with the next poll that still lists it.
            LOGGER.debug(
                "Captcha image of %s not read: %s", self.coordinator.device_name, type(err).__name__
            )
            self._fetching = None
            return
        if self._fetching != job.id:
            return  # another captcha became the oldest meanwhile
        self._fetching = None
        data = self.coordinator.data
        current = oldest(data.poll.captchas) if data and data.poll.captchas is not None else None
        if current is None or current.id != job.id:
            return  # answered or gone while the image was read
        if challenge is None or challenge.image is None:
            self._show(_Shown(current, None, None))
        else:
            self._show(_Shown(current, challenge.image, challenge.content_type))
        self.async_write_state()

    @callback
    def _show(self, shown: _Shown | None) -> None:
        self._shown = shown
        if shown is None or shown.image is None:
            self._attr_image_last_updated = None
        else:
            self._attr_content_type = shown.content_type or "image/png"
            self._attr_image_last_updated = dt_util.utcnow()

    async def async_image(self) -> bytes | None:
        """The captcha's picture, as JDownloader sent it (PNG, JPEG or GIF)."""
        return self._shown.image if self._shown is not None else None

    def _state_values(self) -> object:
        return self._attr_image_last_updated, self.extra_state_attributes

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """What a person needs to answer it; never the download's URL."""
        if (shown := self._shown) is None:
            return None
        job = shown.job
        attributes: dict[str, Any] = {
            "captcha_id": job.id,
            "hoster": job.hoster,
            "explain": job.explain,
            "seconds_left": max(job.remaining, 0) // 1000 if job.remaining >= 0 else None,
            "challenge_type": job.challenge_type or job.type,
        }
        if shown.image is None:
            cloud = self.coordinator.config_entry.data.get(CONF_MODE) == MODE_CLOUD
            attributes["solve_url"] = solve_url(cloud, self.coordinator.device_id)
        return attributes
