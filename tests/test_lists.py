"""The to-do items' rules, without Home Assistant (lists.py)."""

from __future__ import annotations

from custom_components.jdownloader.api import RunningPackage
from custom_components.jdownloader.lists import (
    NO_STATUS,
    Item,
    ItemCache,
    Status,
    crawled_item,
    digest_packages_and_views,
    download_item,
    human_bytes,
    human_duration,
)
from custom_components.jdownloader.tracker import PackageRow

ROW: PackageRow = ("Movie", False, 2_000_000_000, "/dl/Movie", 4, True)


def test_rows_and_views_from_one_read() -> None:
    rows = [(7, "P", True, 10, "/dl", 2, True, 10, None, -1)]
    packages, views = digest_packages_and_views(rows)
    assert packages == {7: ("P", True, 10, "/dl", 2, True)}
    assert views == {7: (10, -1, -1)}


def test_a_waiting_package() -> None:
    item = download_item(1, ROW, (500_000_000, 0, -1), None, NO_STATUS)
    assert item == Item("1", "Movie", False, "25 % · 500.0 MB / 2.0 GB · 4 files")


def test_a_running_package_is_live_from_the_poll() -> None:
    live = RunningPackage(1, done=1, size=2_000_000_000, speed=10_000_000, eta=100)
    item = download_item(1, ROW, (0, 0, -1), live, NO_STATUS)
    assert item.description == "50 % · 1.0 GB / 2.0 GB · 10.0 MB/s · 1:40 left · 1/4 files"


def test_what_blocks_a_package_and_extraction() -> None:
    status = Status(blocked=(("failed", 1), ("offline", 2)), captcha=True)
    item = download_item(1, ROW, (0, 0, -1), None, status)
    assert item.description.endswith("1 failed · 2 offline · waiting for a captcha")
    done: PackageRow = ("Movie", True, 2_000_000_000, "/dl/Movie", 4, True)
    extracting = download_item(1, done, None, None, Status(extracting=True))
    assert not extracting.completed
    assert extracting.description.endswith("4/4 files · extracting")
    failed = download_item(1, done, None, None, Status(extraction_failed="ERROR_CRC"))
    assert not failed.completed
    assert failed.description.endswith("extraction failed (ERROR_CRC)")
    assert download_item(1, done, None, None, NO_STATUS).completed


def test_the_cache_rebuilds_only_what_changed() -> None:
    built: list[str] = []

    def convert(item: Item) -> Item:
        built.append(item.uid)
        return item

    cache = ItemCache(convert)
    rows = {1: ROW, 2: ("Song", False, 5, None, 1, True)}
    first = cache.build(rows, {}, {}, lambda _: NO_STATUS)
    assert [i.summary for i in first] == ["Movie", "Song"]
    assert built == ["1", "2"]
    live = {2: RunningPackage(2, speed=1, eta=1, size=5)}
    again = cache.refresh([2], rows, {}, live, lambda _: NO_STATUS)
    assert built == ["1", "2", "2"]
    assert again[0] is first[0]
    assert cache.build(rows, {}, live, lambda _: NO_STATUS) == again
    assert built == ["1", "2", "2"]


def test_formatting() -> None:
    assert human_bytes(999) == "999 B"
    assert human_bytes(1_500_000) == "1.5 MB"
    assert human_duration(3723) == "1:02:03"
    assert human_duration(59) == "0:59"
    assert crawled_item(5, "P", 2_000_000, 2, ("a.example",)) == Item(
        "5", "P", False, "2.0 MB · 2 files · a.example"
    )
