"""A clock that records the waits between retries instead of sleeping (shared test helper)."""

from __future__ import annotations

from wenwen import Clock


class RecordedWaits(list[float]):
    """The waits a client asked for, in order; pass ``.clock`` as the client's ``clock``."""

    def __init__(self) -> None:
        super().__init__()

        async def async_sleep(seconds: float) -> None:
            self.append(seconds)

        self.clock = Clock(sleep=self.append, async_sleep=async_sleep)
