"""Long-poll of the event feed (``GET /v1/events?wait=``): a consumer that
has read everything waits for the next event instead of polling.

Every waiting request of a process waits on one ``FeedWatch``: a
``PositionWatch`` over the event store's last position, so a hundred
waiting consumers cost one ``max(id)`` query per poll, not a hundred, and
past ``read_waiters_max`` a request is refused at once (503 + Retry-After),
as the reads waiting for ``min_position`` are. A write of this process
wakes the waiters at once (the store's save listeners); one of another
process is seen at the next poll.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from app.api.deps import GendanDep
from app.projections.waiting import NotReady, PositionWatch, TooManyWaiters

# A write of another API process is seen this long after it, at the latest.
POLL_SECONDS = 0.25
MAX_WAIT_SECONDS = 30


class FeedWatch(PositionWatch):
    def nudge(self) -> None:
        """From a writer's thread: re-read the position now and wake the
        waiters it satisfies, rather than at the next poll."""
        loop = self._loop
        if loop is None or not self.waiting:
            return
        try:
            loop.call_soon_threadsafe(lambda: loop.create_task(self._refresh()))
        except RuntimeError:  # the loop closed (shutdown): the write stands, nobody waits
            return

    async def _refresh(self) -> None:
        if self._moved is None:
            return
        try:
            self.reached = await self._read_position()
        except Exception:  # noqa: BLE001 - the poller retries and logs
            return
        async with self._moved:
            self._moved.notify_all()

    async def wait_past(self, after: int, seconds: float) -> bool:
        """True once the store holds a position past ``after``; False after
        ``seconds``. TooManyWaiters (503) at once past the cap."""
        try:
            await self.wait(after + 1, seconds)
        except TooManyWaiters:
            raise
        except NotReady:  # the time is up
            return False
        return True


async def get_feed_watch(request: Request, gendan: GendanDep) -> FeedWatch:
    """The process's one watch, made at the first waiting read (on the
    event loop: no two requests make one each)."""
    boot = request.app.state.boot
    watch: Any = getattr(boot, "feed_watch", None)
    if watch is None:
        watch = FeedWatch(lambda: run_in_threadpool(gendan.last_position),
                          poll_seconds=POLL_SECONDS,
                          max_waiters=boot.settings.read_waiters_max)
        gendan.store.save_listeners.append(watch.nudge)
        boot.feed_watch = watch
    return watch


FeedWatchDep = Annotated[FeedWatch, Depends(get_feed_watch)]
