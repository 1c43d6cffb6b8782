"""Read-your-writes without a poll per reader: every read that waits for
``?min_position=`` waits on one ``PositionWatch`` per process.

While anyone waits, one asyncio task reads the read models' position every
``poll_seconds`` and wakes the waiters it satisfied; with none waiting, it
stops. A hundred waiting readers cost one query per poll, not a hundred
(each polled every 20 ms on its own before). Their number is capped:
past ``max_waiters`` a read is refused at once (503 + Retry-After) instead
of holding a connection and a task for ``read_wait_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("gendan.reads")


class NotReady(Exception):
    """The read side has not caught up yet (``?min_position=``) or the
    service is starting; the client should retry after ``retry_after`` s
    (the API answers 503)."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after


class TooManyWaiters(NotReady):
    """``max_waiters`` reads are already waiting for a position (503)."""


class PositionAhead(Exception):
    """``min_position`` is past the event store's last position: no write
    has been acknowledged with it, so waiting cannot reach it (422)."""

    def __init__(self, min_position: int, last_position: int):
        super().__init__(f"min_position {min_position} is past the store's last position "
                         f"{last_position}: pass the `position` of a command's answer")
        self.detail = str(self)
        self.min_position = min_position
        self.last_position = last_position


class PositionWatch:
    def __init__(self, read_position: Callable[[], Awaitable[int]], *,
                 poll_seconds: float, max_waiters: int):
        self._read_position = read_position
        self.poll_seconds = poll_seconds
        self.max_waiters = max_waiters
        # The position last read, by the poller or a reader. Not a maximum:
        # a rebuild (`gendan projections rebuild`) starts the models over.
        self.reached = 0
        self.waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._moved: asyncio.Condition | None = None
        self._poller: asyncio.Task[None] | None = None

    def saw(self, position: int) -> None:
        self.reached = position

    async def wait(self, position: int, timeout: float) -> None:
        """Return once the read models reached ``position``; NotReady after
        ``timeout`` s, TooManyWaiters at once past the cap."""
        moved = self._bind()
        if self.reached >= position:
            return
        if self.waiting >= self.max_waiters:
            raise TooManyWaiters(f"{self.waiting} reads are already waiting for the "
                                 "projections; retry shortly", retry_after=1)
        self.waiting += 1
        try:
            if self._poller is None or self._poller.done():
                self._poller = asyncio.create_task(self._poll(), name="gendan-position-watch")
            async with moved:
                await asyncio.wait_for(moved.wait_for(lambda: self.reached >= position),
                                       timeout)
        except TimeoutError:
            raise NotReady(f"The read models are at position {self.reached}, "
                           f"not yet {position}", retry_after=1) from None
        finally:
            self.waiting -= 1

    async def close(self) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.cancel()

    def _bind(self) -> asyncio.Condition:
        """The Condition of the running loop: one per loop (a test may use
        several loops in turn; the server runs one)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._moved is None:
            self._loop, self._moved, self._poller, self.waiting = loop, asyncio.Condition(), None, 0
        return self._moved

    async def _poll(self) -> None:
        assert self._moved is not None
        while self.waiting:
            try:
                position = await self._read_position()
            except Exception as exc:  # noqa: BLE001 - an outage: the waiters time out (503)
                log.warning("reading the projections' position failed: %r", exc)
                await asyncio.sleep(max(self.poll_seconds, 0.5))
                continue
            self.reached = position
            # Every poll, not only on a change: a reader's own read (saw)
            # may have moved ``reached`` past what others wait for.
            async with self._moved:
                self._moved.notify_all()
            await asyncio.sleep(self.poll_seconds)
