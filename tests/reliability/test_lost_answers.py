"""An answer lost after the device acted: reads are re-sent, writes are not (client level).

The emulator's ``lost_response`` fault carries the request out and then closes the connection,
like a LAN connection that breaks while the answer is on its way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    AddLinksRequest,
    JDownloaderConnectionError,
    MyJDownloaderClient,
    Secrets,
)
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[MyJDownloaderClient]:
    async with aiohttp.ClientSession() as http:
        yield MyJDownloaderClient(
            http, EMAIL, Secrets.from_password(EMAIL, PASSWORD), api_url=emulator.api_url
        )


async def test_add_links_with_a_lost_direct_answer_is_not_sent_twice(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    sim = emulator.devices[0]
    device = client.device(sim.id)
    await device.ping()
    assert device.connection_type == "direct"
    emulator.faults.add("lost_response", endpoint="/linkgrabberv2/addLinks", transport="direct")
    url = "https://example.com/only-once.zip"
    with pytest.raises(JDownloaderConnectionError):
        await device.add_links(AddLinksRequest(links=[url]))
    assert [link.url for link in sim.crawled_links.values()].count(url) == 1
    assert emulator.counters[("relay", "/linkgrabberv2/addLinks")] == 0


async def test_a_read_with_a_lost_direct_answer_is_answered_through_the_relay(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    await device.ping()
    emulator.faults.add("lost_response", endpoint="/toolbar/getStatus", transport="direct")
    assert (await device.toolbar_status()).state == "IDLE"
    assert emulator.counters[("relay", "/toolbar/getStatus")] == 1
    assert device.connection_type == "relay"
