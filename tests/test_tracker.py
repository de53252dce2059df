"""The event tracker's rules, without Home Assistant and without the emulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from custom_components.jdownloader.api import CaptchaJob
from custom_components.jdownloader.tracker import (
    EVENT_CAPTCHA_REQUIRED,
    EVENT_DOWNLOAD_FAILED,
    EVENT_EXTRACTION_FAILED,
    EVENT_PACKAGE_FINISHED,
    EVENT_QUEUE_FINISHED,
    Check,
    Links,
    PackageRow,
    Snapshot,
    TrackerEvent,
    TrackerState,
    add_details,
    apply_check,
    digest_details,
    digest_links,
    digest_packages,
    links_to_read,
    new_captchas,
    plan_check,
    unknown_failures,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FAILED = {"FinalLinkState": {"id": "FAILED", "label": "File not found"}}


def package(name: str, *, finished: bool = False, children: int = 2) -> PackageRow:
    return (name, finished, 1000, f"/downloads/{name}", children, True)


def snap(
    running: set[int] | None = frozenset(),
    *,
    active: bool = False,
    structure: tuple[object, ...] = ("s",),
    progress: tuple[object, ...] = (0,),
    captchas: tuple[CaptchaJob, ...] | None = None,
) -> Snapshot:
    return Snapshot(
        running=None if running is None else frozenset(running),
        active=active,
        structure=structure,
        progress=progress,
        captchas=captchas,
    )


def check(
    state: TrackerState,
    poll: Snapshot,
    packages: dict[int, PackageRow],
    links: Links | None = None,
) -> list[TrackerEvent]:
    """One poll as the detector runs it: plan, read (given), apply."""
    planned = plan_check(state, poll, NOW)
    assert planned is not None
    links = links or Links(packages=frozenset(links_to_read(state, poll, planned, packages)))
    return apply_check(state, poll, planned, packages, links, NOW)


def types(events: list[TrackerEvent]) -> list[str]:
    return [event_type for event_type, _ in events]


def test_baseline_is_never_announced() -> None:
    """What is finished or failed at the first check happened before Home Assistant looked."""
    state = TrackerState()
    links = Links(packages=frozenset({2}), failed={})
    assert check(state, snap(), {1: package("Old", finished=True), 2: package("Q")}, links) == []
    assert state.finished == {1}


def test_a_package_that_ran_and_finished_is_announced_once() -> None:
    state = TrackerState()
    check(state, snap(), {1: package("Movie")})
    # It runs: no check while it keeps running (nothing can have finished).
    running = snap({1}, active=True, structure=("running",))
    check(state, running, {1: package("Movie")}, Links(packages=frozenset({1}), pending={1}))
    assert plan_check(state, running, NOW) is None
    # It leaves the running set finished: one package_finished with what a person needs.
    done = snap(set(), active=False, structure=("running",))
    events = check(state, done, {1: package("Movie", finished=True)})
    assert events[0] == (
        EVENT_PACKAGE_FINISHED,
        {
            "package_name": "Movie",
            "package_id": 1,
            "size": 1000,
            "download_folder": "/downloads/Movie",
            "link_count": 2,
        },
    )
    # And the queue is done: nothing else was left.
    assert types(events) == [EVENT_PACKAGE_FINISHED, EVENT_QUEUE_FINISHED]
    # Never again, whatever the next checks read.
    assert check(state, snap(structure=("later",)), {1: package("Movie", finished=True)}) == []


def test_removing_unfinished_links_is_not_a_finished_package() -> None:
    """A package that reads finished only because its unfinished links were removed."""
    state = TrackerState()
    check(state, snap(), {1: package("Half", children=3)}, Links(frozenset({1}), pending={1}))
    events = check(
        state, snap(structure=("removed",)), {1: package("Half", finished=True, children=1)}
    )
    assert EVENT_PACKAGE_FINISHED not in types(events)


def test_a_new_package_finished_between_two_polls_is_announced() -> None:
    state = TrackerState()
    check(state, snap(), {})
    events = check(state, snap(structure=("new",)), {7: package("Quick", finished=True)})
    assert types(events) == [EVENT_PACKAGE_FINISHED, EVENT_QUEUE_FINISHED]


def test_a_failed_link_is_announced_once_with_its_details() -> None:
    state = TrackerState()
    check(state, snap(), {1: package("P")}, Links(frozenset({1}), pending={1}))
    rows = [
        (10, 1, "file.rar", False, True, False, FAILED, None),
        (11, 1, "b.rar", True, True, False, None, None),
    ]
    links = digest_links([1])(rows)
    assert unknown_failures(state, links) == [10]
    add_details(links, digest_details([(10, 5000, "hoster.example")]))
    events = check(state, snap(structure=("failed",)), {1: package("P")}, links)
    assert events[0] == (
        EVENT_DOWNLOAD_FAILED,
        {
            "link_name": "file.rar",
            "link_id": 10,
            "package_name": "P",
            "package_id": 1,
            "host": "hoster.example",
            "size": 5000,
            "download_folder": "/downloads/P",
            "status": "File not found",
        },
    )
    again = digest_links([1])(rows)
    assert unknown_failures(state, again) == []
    assert EVENT_DOWNLOAD_FAILED not in types(
        check(state, snap(structure=("again",)), {1: package("P")}, again)
    )


def test_queue_finished_waits_until_nothing_is_left() -> None:
    state = TrackerState()
    check(
        state, snap(), {1: package("A"), 2: package("B")}, Links(frozenset({1, 2}), pending={1, 2})
    )
    check(state, snap({1}, active=True, structure=("run",)), {1: package("A"), 2: package("B")})
    # A finished, but B still has links to download: no queue_finished yet.
    first = check(
        state,
        snap(set(), active=False, structure=("a done",)),
        {1: package("A", finished=True), 2: package("B")},
        Links(frozenset({1, 2}), pending={2}),  # A's links too: its extraction status
    )
    assert types(first) == [EVENT_PACKAGE_FINISHED]
    # B runs and finishes: now the queue is done, with the run's totals.
    check(
        state,
        snap({2}, active=True, structure=("b runs",)),
        {1: package("A", finished=True), 2: package("B")},
    )
    last = check(
        state,
        snap(set(), structure=("b done",)),
        {1: package("A", finished=True), 2: package("B", finished=True)},
    )
    assert last[-1] == (
        EVENT_QUEUE_FINISHED,
        {"package_count": 2, "link_count": 4, "failed_count": 0, "size": 2000},
    )


def test_nothing_is_read_while_nothing_can_have_changed() -> None:
    state = TrackerState()
    check(state, snap(), {1: package("A")})
    assert plan_check(state, snap(), NOW) is None
    # A package stopped running: read just that one.
    state.running = frozenset({1, 2})
    assert plan_check(state, snap({2}, active=True), NOW) == Check(full=False, left=(1,))
    # The structure changed: read everything.
    assert plan_check(state, snap({2}, structure=("changed",)), NOW) == Check(full=True)


def test_a_link_that_stops_without_finishing_is_checked_while_its_package_runs() -> None:
    state = TrackerState()
    check(state, snap(), {1: package("A", children=3)})

    def poll(done: int, *links: int) -> Snapshot:
        base = snap({1}, active=True)
        return Snapshot(
            running=base.running,
            active=True,
            structure=base.structure,
            progress=base.progress,
            links={1: (done, frozenset(links))},
        )

    # Committed from an earlier poll: package 1 running link 10, nothing finished yet.
    state.running, state.running_links = frozenset({1}), {1: (0, frozenset({10}))}
    # Link 10 finished, 11 took over: nothing to read.
    assert plan_check(state, poll(1, 11), NOW) is None
    state.running_links = {1: (1, frozenset({11}))}
    # Link 11 left the running links, the finished count stayed: failed, skipped or held.
    assert plan_check(state, poll(1, 12), NOW) == Check(full=False, left=(1,))
    # Unknown counts (-1) prove nothing.
    state.running_links = {1: (-1, frozenset({11}))}
    assert plan_check(state, poll(-1, 12), NOW) is None


def test_without_download_progress_a_timer_limits_checks() -> None:
    """A device that sends no running packages gets a package check at most once a minute."""
    state = TrackerState()
    check(state, snap(None), {1: package("A")})
    moving = snap(None, progress=(500,))
    assert plan_check(state, moving, NOW) is None
    later = NOW + timedelta(seconds=61)
    assert plan_check(state, moving, later) == Check(full=True)


def test_a_failed_read_makes_the_next_poll_check_everything() -> None:
    state = TrackerState()
    check(state, snap(), {1: package("A")})
    state.force = True  # what the detector sets when a read fails
    assert plan_check(state, snap(), NOW) == Check(full=True)
    assert state.force is False


def test_only_unfinished_packages_that_may_have_changed_are_read() -> None:
    state = TrackerState()
    packages = {1: package("A"), 2: package("B"), 3: package("C", finished=True)}
    check(state, snap(), packages, Links(frozenset({1, 2}), pending={1, 2}))
    full = Check(full=True)
    assert links_to_read(state, snap({2}), full, packages) == [2]
    assert links_to_read(state, snap(), full, {**packages, 1: package("A", children=5)}) == [1]


def test_captchas_new_since_the_last_poll() -> None:
    state = TrackerState()
    state.names = {1: {10: "file.rar"}}
    old = CaptchaJob(id=5, hoster="h", link=10)
    assert new_captchas(state, snap(captchas=(old,))) == []  # waiting at start-up
    new = CaptchaJob(id=6, hoster="hoster.example", link=10)
    events = new_captchas(state, snap(captchas=(old, new)))
    assert events == [
        (
            EVENT_CAPTCHA_REQUIRED,
            {"captcha_id": 6, "hoster": "hoster.example", "link_name": "file.rar", "link_id": 10},
        )
    ]
    assert new_captchas(state, snap(captchas=(new,))) == []


def test_digests_read_rows_defensively() -> None:
    """Rows of unexpected types do not become wrong numbers."""
    rows: list[tuple[Any, ...]] = [(1, "P", "yes", "big", None, 3, True)]
    assert digest_packages(rows) == {1: ("P", False, -1, None, 3, True)}


# --------------------------------------------------------------------------- extraction
def _extraction_rows(package_id: int, *statuses: str | None) -> list[tuple[Any, ...]]:
    """Finished link rows of LINK_FIELDS with these extraction statuses."""
    return [
        (100 + n, package_id, f"a.part{n}.rar", True, True, False, None, status)
        for n, status in enumerate(statuses)
    ]


def _running_then_finished(state: TrackerState, *statuses: str | None) -> list[TrackerEvent]:
    check(state, snap(), {1: package("Movie")}, Links(frozenset({1}), pending={1}))
    check(state, snap({1}, active=True, structure=("run",)), {1: package("Movie")})
    done = {1: package("Movie", finished=True)}
    planned = plan_check(state, snap(set(), structure=("done",)), NOW)
    assert planned is not None
    assert links_to_read(state, snap(set()), planned, done) == [1]  # its extraction is read
    links = digest_links([1])(_extraction_rows(1, *statuses))
    return apply_check(state, snap(set(), structure=("done",)), planned, done, links, NOW)


def test_package_finished_waits_for_extraction_and_fires_once() -> None:
    state = TrackerState()
    events = _running_then_finished(state, "SUCCESSFUL", "IDLE")
    assert EVENT_PACKAGE_FINISHED not in types(events)  # downloaded, not yet usable
    # Nothing structural changes while JD extracts: the extracting package is followed anyway.
    quiet = snap(set(), structure=("done",))
    assert plan_check(state, quiet, NOW) == Check(full=False, left=(1,))
    done = {1: package("Movie", finished=True)}
    running = digest_links([1])(_extraction_rows(1, "SUCCESSFUL", "RUNNING"))
    assert check(state, quiet, done, running) == []
    ok = digest_links([1])(_extraction_rows(1, "SUCCESSFUL", "SUCCESSFUL"))
    events = check(state, quiet, done, ok)
    assert types(events) == [EVENT_PACKAGE_FINISHED]
    assert events[0][1]["package_name"] == "Movie"
    assert plan_check(state, quiet, NOW) is None  # nothing left to follow: no more requests


def test_extraction_failure_is_announced_once_with_its_reason() -> None:
    state = TrackerState()
    assert types(_running_then_finished(state, "RUNNING")) == [EVENT_QUEUE_FINISHED]
    quiet = snap(set(), structure=("done",))
    done = {1: package("Movie", finished=True)}
    # One archive failed while another still runs: the package cannot become usable as a whole.
    failed = digest_links([1])(_extraction_rows(1, "SUCCESSFUL", "ERROR_PW", "RUNNING"))
    events = check(state, quiet, done, failed)
    assert events == [
        (
            EVENT_EXTRACTION_FAILED,
            {
                "package_name": "Movie",
                "package_id": 1,
                "reason": "ERROR_PW",
                "download_folder": "/downloads/Movie",
            },
        )
    ]
    assert state.extraction_failed == {1: "ERROR_PW"}
    assert plan_check(state, quiet, NOW) is None
    # Reset in JDownloader (downloads again): the failure is forgotten.
    check(state, snap(structure=("reset",)), {1: package("Movie")})
    assert state.extraction_failed == {}


def test_no_extraction_status_means_no_archive() -> None:
    state = TrackerState()
    events = _running_then_finished(state, None, None)
    assert types(events) == [EVENT_PACKAGE_FINISHED, EVENT_QUEUE_FINISHED]


def test_jds_own_spelling_of_file_not_found_is_a_failure() -> None:
    state = TrackerState()
    events = _running_then_finished(state, "ERRROR_FILE_NOT_FOUND")
    assert types(events) == [EVENT_EXTRACTION_FAILED, EVENT_QUEUE_FINISHED]
    assert events[0][1]["reason"] == "ERRROR_FILE_NOT_FOUND"


def test_an_extracting_package_removed_is_forgotten() -> None:
    state = TrackerState()
    _running_then_finished(state, "IDLE")
    assert check(state, snap(set(), structure=("removed",)), {}) == []
    assert state.extracting == set()
    assert plan_check(state, snap(set(), structure=("removed",)), NOW) is None


def test_extracting_at_start_up_is_baseline() -> None:
    """Finished before Home Assistant looked: never announced, even if extraction ends later."""
    state = TrackerState()
    check(state, snap(), {1: package("Old", finished=True)})
    assert state.extracting == set()
    assert plan_check(state, snap(), NOW) is None
