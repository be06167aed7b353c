"""Overlapping identical reads share one run; nothing is kept after it, so later reads see later data."""

from __future__ import annotations

import asyncio

import pytest

from bot.shared_reads import SharedReads


class Source:
    def __init__(self) -> None:
        self.value = 1
        self.runs = 0
        self.gate = asyncio.Event()

    async def read(self) -> int:
        self.runs += 1
        seen = self.value
        await self.gate.wait()
        return seen


async def test_reads_that_overlap_share_one_run_and_its_answer() -> None:
    shared, source = SharedReads(), Source()
    callers = [asyncio.create_task(shared.read("queue", source.read)) for _ in range(5)]
    await asyncio.sleep(0)
    source.gate.set()
    assert await asyncio.gather(*callers) == [1] * 5
    assert source.runs == 1


async def test_a_read_after_the_last_one_ended_runs_again_and_sees_the_change() -> None:
    shared, source = SharedReads(), Source()
    source.gate.set()
    assert await shared.read("queue", source.read) == 1
    source.value = 2  # a claim committed since
    assert await shared.read("queue", source.read) == 2
    assert source.runs == 2


async def test_different_keys_do_not_share() -> None:
    shared, source = SharedReads(), Source()
    source.gate.set()
    assert await asyncio.gather(shared.read("a", source.read), shared.read("b", source.read)) == [1, 1]
    assert source.runs == 2


async def test_one_caller_giving_up_does_not_cancel_the_read_for_the_others() -> None:
    shared, source = SharedReads(), Source()
    first = asyncio.create_task(shared.read("queue", source.read))
    second = asyncio.create_task(shared.read("queue", source.read))
    await asyncio.sleep(0)
    first.cancel()
    source.gate.set()
    assert await second == 1
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_failed_read_fails_every_caller_once_and_the_next_read_tries_again() -> None:
    shared = SharedReads()
    calls = 0

    async def broken() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        raise RuntimeError("database went away")

    results = await asyncio.gather(
        shared.read("queue", broken), shared.read("queue", broken), return_exceptions=True
    )
    assert [type(r) for r in results] == [RuntimeError, RuntimeError] and calls == 1
    with pytest.raises(RuntimeError):
        await shared.read("queue", broken)
    assert calls == 2
