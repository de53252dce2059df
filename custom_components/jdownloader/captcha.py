"""Waiting captchas: which one is shown and answered first, which carry an image (pure: no HA).

JDownloader lists its waiting captchas in every poll (``captchasWaiting``, ``CaptchaJob``). The
image entity shows the oldest one and the actions answer it unless told another id. Answers whose
outcome is unknown (the connection broke after sending) are remembered per JDownloader, so a
retried action does not answer the same captcha twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from weakref import WeakKeyDictionary

from .api import CaptchaJob

# Challenges that are not a picture answered with text: the ``AbstractBrowserChallenge``
# subclasses in org.jdownloader.captcha.v2.challenge (solved in a browser) and the KeyCaptcha
# puzzles. captcha/get answers an object or nothing for them (``Challenge.getAPIStorable``), so
# their image is not fetched. JD names a job's type by the challenge's class
# (``CaptchaAPISolver.getCaptchaJob``); a type not listed here is fetched once, and shows no
# image if the answer is none.
BROWSER_CHALLENGES: Final = frozenset(
    {
        "AbstractBrowserChallenge",
        "AreYouAHumanChallenge",
        "CloudflareTurnstileChallenge",
        "ConfidentCaptchaChallenge",
        "CutCaptchaChallenge",
        "GeeTestChallenge",
        "HCaptchaChallenge",
        "RecaptchaV2Challenge",
        "SweetCaptchaChallenge",
        "KeyCaptchaCategoryChallenge",
        "KeyCaptchaPuzzleChallenge",
    }
)

WEB_INTERFACE_URL: Final = "https://my.jdownloader.org/"
CAPTCHA_URL: Final = "https://my.jdownloader.org/?deviceId={device_id}#webinterface:captcha"

# JD's skip types that make sense from a phone (``jd.controlling.captcha.SkipRequest``).
SKIP_TYPES: Final = ("SINGLE", "BLOCK_HOSTER", "BLOCK_PACKAGE", "BLOCK_ALL_CAPTCHAS")


def oldest(jobs: Iterable[CaptchaJob] | None) -> CaptchaJob | None:
    """The captcha waiting longest (JD's list is sorted by timeout, not age)."""
    waiting = list(jobs or ())
    if not waiting:
        return None
    return min(waiting, key=lambda job: (job.created if job.created >= 0 else 2**63, job.id))


def find(jobs: Iterable[CaptchaJob] | None, captcha_id: int) -> CaptchaJob | None:
    return next((job for job in jobs or () if job.id == captcha_id), None)


def has_image(job: CaptchaJob) -> bool:
    """Whether captcha/get can answer an image for this job (worth one request)."""
    return not {job.type, job.challenge_type} & BROWSER_CHALLENGES


def solve_url(cloud: bool, device_id: str) -> str:
    """Where a person solves a captcha that needs a browser: MyJDownloader's web interface (on
    the JDownloader's captcha page when its MyJDownloader id is known, i.e. for account entries)."""
    return CAPTCHA_URL.format(device_id=device_id) if cloud else WEB_INTERFACE_URL


class UnsureAnswers:
    """Captchas whose answer was sent but whose outcome is unknown, per JDownloader.

    Keyed weakly by the coordinator (any hashable owner), so a removed JDownloader forgets them.
    """

    def __init__(self) -> None:
        self._ids: WeakKeyDictionary[object, set[int]] = WeakKeyDictionary()

    def add(self, owner: object, captcha_id: int) -> None:
        self._ids.setdefault(owner, set()).add(captcha_id)

    def settle(self, owner: object, waiting: Iterable[int]) -> set[int]:
        """The unsure ids no longer waiting (their answer arrived, or they ran out); forgets all.

        Ids still waiting were not answered: answering them again is safe.
        """
        ids = self._ids.pop(owner, set())
        return ids - set(waiting)
