"""Large payloads: a 50,000-link query and add_links split below the 1 MiB body limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
import time
from types import SimpleNamespace

import aiohttp
import pytest

from custom_components.jdownloader.api import AddLinksRequest, MyJDownloaderClient, Secrets
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD

MIB = 1024 * 1024


@pytest.fixture
async def big_emulator(socket_enabled: None) -> AsyncIterator[Emulator]:
    emu = Emulator(email=EMAIL, password=PASSWORD, devices=1, links=50_000, seed=1)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


async def test_query_50000_links(big_emulator: Emulator, http: aiohttp.ClientSession) -> None:
    client = MyJDownloaderClient(
        http,
        EMAIL,
        Secrets.from_password(EMAIL, PASSWORD),
        api_url=big_emulator.api_url,
        direct_connection=False,
    )
    device = client.device(big_emulator.devices[0].id)
    await device.ping()
    fields = ("bytes_total", "bytes_loaded", "finished", "running", "enabled", "status", "host")
    started = time.perf_counter()
    links = await device.query_links(fields)
    elapsed = time.perf_counter() - started
    size = big_emulator.bytes_sent[("relay", "/downloadsV2/queryLinks")]
    print(f"\nqueryLinks: {len(links)} links, {size / MIB:.1f} MiB body, {elapsed:.2f} s")
    assert len(links) == 50_000
    sim_links = big_emulator.devices[0].links
    assert sum(link.finished for link in links) == sum(link.finished for link in sim_links.values())
    assert links[0].bytes_total == sim_links[links[0].uuid].bytes_total
    assert links[0].url is None  # not requested, not sent
    assert size > 256 * 1024  # large enough to be decoded off the event loop


def _body_size_recorder(sizes: list[int]) -> aiohttp.TraceConfig:
    """Measures every request body as sent on the wire (independent of the client)."""
    trace = aiohttp.TraceConfig()

    async def on_start(
        session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object
    ) -> None:
        ctx.size = 0

    async def on_chunk(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestChunkSentParams,
    ) -> None:
        ctx.size += len(params.chunk)

    async def on_end(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object) -> None:
        sizes.append(ctx.size)

    trace.on_request_start.append(on_start)
    trace.on_request_chunk_sent.append(on_chunk)
    trace.on_request_end.append(on_end)
    return trace


async def test_add_links_is_split_below_1_mib(emulator: Emulator, secrets: Secrets) -> None:
    sizes: list[int] = []
    async with aiohttp.ClientSession(trace_configs=[_body_size_recorder(sizes)]) as http:
        client = MyJDownloaderClient(
            http, EMAIL, secrets, api_url=emulator.api_url, direct_connection=False
        )
        device = client.device(emulator.devices[0].id)
        urls = [f"https://example.com/file/{i:06d}-{'x' * 60}.bin" for i in range(30_000)]
        total = sum(len(url) + 1 for url in urls)
        assert total > 2 * MIB  # one request could never carry this
        job_ids = await device.add_links(AddLinksRequest(links=urls, package_name="bulk"))
    requests = emulator.counters[("relay", "/linkgrabberv2/addLinks")]
    print(
        f"\nadd_links: {total / MIB:.1f} MiB of URLs in {requests} requests, max body {max(sizes)}"
    )
    assert requests == len(job_ids) >= 3
    assert max(sizes) <= MIB
    crawled = emulator.devices[0].crawled_links.values()
    assert sorted(link.url for link in crawled) == sorted(urls)


async def test_add_links_small_request_is_one_call(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    assert len(await device.add_links(AddLinksRequest(links=["https://example.com/a"]))) == 1
    assert emulator.counters[("relay", "/linkgrabberv2/addLinks")] == 1
