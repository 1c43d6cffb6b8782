"""The shared wait for ``?min_position=``: one poller however many readers
wait, each released when its position is reached, refused at once past the
cap, 503 (NotReady) after the wait, and no poller left when nobody waits."""

from __future__ import annotations

import asyncio

import pytest

from app.projections.waiting import NotReady, PositionWatch, TooManyWaiters

POLL = 0.01


class FakeProjections:
    """The read models' position as the poller reads it, counting the reads."""

    def __init__(self) -> None:
        self.position = 0
        self.reads = 0
        self.failing = False

    async def read(self) -> int:
        self.reads += 1
        await asyncio.sleep(0)
        if self.failing:
            raise OSError("connection refused")
        return self.position


def watch(projections: FakeProjections, max_waiters: int = 64) -> PositionWatch:
    return PositionWatch(projections.read, poll_seconds=POLL, max_waiters=max_waiters)


async def test_one_poller_releases_every_waiter_whose_position_is_reached():
    projections = FakeProjections()
    positions = watch(projections)
    readers = [asyncio.create_task(positions.wait(n % 5 + 1, timeout=5)) for n in range(50)]
    await asyncio.sleep(POLL * 10)
    assert positions.waiting == 50
    # Fifty readers for ten polls: about ten reads, not five hundred.
    assert projections.reads <= 15
    projections.position = 3
    await asyncio.sleep(POLL * 5)
    assert sum(r.done() for r in readers) == 30  # positions 1, 2 and 3
    projections.position = 5
    await asyncio.gather(*readers)
    assert positions.waiting == 0


async def test_the_poller_stops_when_nobody_waits():
    projections = FakeProjections()
    positions = watch(projections)
    reader = asyncio.create_task(positions.wait(1, timeout=5))
    await asyncio.sleep(POLL * 3)
    projections.position = 1
    await reader
    await asyncio.sleep(POLL * 3)
    reads = projections.reads
    await asyncio.sleep(POLL * 10)
    assert projections.reads == reads


async def test_a_position_not_reached_in_time_is_not_ready():
    projections = FakeProjections()
    positions = watch(projections)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(NotReady) as refused:
        await positions.wait(7, timeout=0.1)
    assert 0.1 <= loop.time() - started < 1
    assert refused.value.retry_after == 1
    assert "not yet 7" in refused.value.detail
    assert positions.waiting == 0


async def test_past_the_cap_a_reader_is_refused_at_once():
    projections = FakeProjections()
    positions = watch(projections, max_waiters=3)
    readers = [asyncio.create_task(positions.wait(9, timeout=5)) for _ in range(3)]
    await asyncio.sleep(POLL)
    with pytest.raises(TooManyWaiters) as refused:
        await positions.wait(9, timeout=5)
    assert isinstance(refused.value, NotReady) and refused.value.retry_after == 1
    # A reader already satisfied never counts against the cap.
    positions.saw(9)
    await positions.wait(9, timeout=5)
    projections.position = 9
    await asyncio.gather(*readers)
    await positions.wait(9, timeout=5)


async def test_an_outage_while_waiting_ends_in_not_ready_and_the_poller_recovers():
    projections = FakeProjections()
    projections.failing = True
    positions = watch(projections)
    with pytest.raises(NotReady):
        await positions.wait(1, timeout=0.2)
    projections.failing = False
    projections.position = 1
    await positions.wait(1, timeout=5)


async def test_a_rebuild_moving_the_position_back_is_followed():
    projections = FakeProjections()
    positions = watch(projections)
    positions.saw(10)
    projections.position = 2  # the read models start over
    reader = asyncio.create_task(positions.wait(5, timeout=5))
    positions.saw(2)
    await asyncio.sleep(POLL * 5)
    assert not reader.done()
    projections.position = 5
    await reader


async def test_close_cancels_the_poller():
    projections = FakeProjections()
    positions = watch(projections)
    reader = asyncio.create_task(positions.wait(1, timeout=5))
    await asyncio.sleep(POLL * 2)
    await positions.close()
    reader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reader
    reads = projections.reads
    await asyncio.sleep(POLL * 5)
    assert projections.reads == reads
