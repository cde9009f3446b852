"""Adaptive concurrency: how many requests one client (and everything sharing its limiter)
keeps in flight, and when it pauses, so that many workers sharing one key settle at the key's
rate instead of failing with ``RateLimitError``.

``AdaptiveLimit`` is the sans-IO state (time comes from an injected ``now``), driven by the
client around every request:

- A 429 pauses every request of the limiter until the wait the relay asked for
  (``Retry-After`` / ``retry-after-ms``; without one, the retry policy's backoff) and halves
  the in-flight limit, at most once per pause (AIMD's multiplicative decrease).
- After ``limit`` successes in a row the limit grows by one (additive increase), so a
  limiter that slowed down finds the key's rate again.
- ``RateLimit`` adds fixed client-side budgets: requests per second (starts spaced evenly)
  and tokens per minute (spent from the usage replies report; the next request waits while
  the budget is overdrawn).

``Limiter`` wraps the state for threads and event loops (one limiter may serve a sync client
and async clients on several loops at once): a request holds a slot from its first attempt
to its last, so a retry never queues behind new requests.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import ConfigurationError

DECREASE_FACTOR = 0.5
"""The in-flight limit after a 429, as a fraction of what was in flight (TCP's AIMD)."""


@dataclass(frozen=True)
class RateLimit:
    """Client-side budgets for one limiter: ``requests_per_second`` spaces request starts;
    ``tokens_per_minute`` pauses new requests while the tokens replies reported (their
    ``usage``) overdraw the minute's budget. Either may be ``None`` (no budget)."""

    requests_per_second: float | None = None
    tokens_per_minute: float | None = None

    def __post_init__(self) -> None:
        for name in ("requests_per_second", "tokens_per_minute"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigurationError(f"rate_limit.{name} must be a number, got {value!r}")
            if not (value > 0 and math.isfinite(value)):
                raise ConfigurationError(f"rate_limit.{name} must be > 0, got {value!r}")

    @classmethod
    def of(cls, value: float | RateLimit | None) -> RateLimit | None:
        """``rate_limit=`` as given: a number is requests per second."""
        if value is None or isinstance(value, RateLimit):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigurationError(
                f"rate_limit must be requests per second (a number) or a RateLimit, got {value!r}"
            )
        return cls(requests_per_second=float(value))


class AdaptiveLimit:
    """The sans-IO state of one limiter. Not thread-safe: ``Limiter`` holds the lock."""

    def __init__(
        self, rate: RateLimit | None = None, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.now = now
        self.limit: int | None = None
        """Requests in flight at once; ``None`` until the first 429."""
        self.in_flight = 0
        self.paused_until = -math.inf
        self.rate_limited_count = 0
        self._successes = 0
        self._next_start = -math.inf
        self._tokens = rate.tokens_per_minute if rate and rate.tokens_per_minute else 0.0
        self._tokens_at = now()

    def has_room(self) -> bool:
        return self.limit is None or self.in_flight < self.limit

    def admit(self) -> bool:
        """Take a slot if the limit allows."""
        if not self.has_room():
            return False
        self.in_flight += 1
        return True

    def release(self) -> None:
        self.in_flight = max(self.in_flight - 1, 0)

    def attempt_delay(self, *, own_pause_served: bool = False) -> float:
        """Seconds the next attempt of a request holding a slot waits: the pause (unless
        this request already slept the wait that started it), the spacing of
        ``requests_per_second`` (reserved here), and an overdrawn token budget."""
        now = self.now()
        start = now if own_pause_served else max(now, self.paused_until)
        rate = self.rate
        if rate is not None and rate.tokens_per_minute is not None:
            self._refill_tokens(now)
            if self._tokens < 0:
                start = max(start, now + -self._tokens / (rate.tokens_per_minute / 60.0))
        if rate is not None and rate.requests_per_second is not None:
            start = max(start, self._next_start)
            self._next_start = start + 1.0 / rate.requests_per_second
        return max(start - now, 0.0)

    def succeeded(self) -> bool:
        """A reply that was not a 429; returns whether the limit grew."""
        if self.limit is None:
            return False
        self._successes += 1
        if self._successes < self.limit or self.in_flight < self.limit:
            return False  # not limited by us right now: no evidence that more would pass
        self._successes = 0
        self.limit += 1
        return True

    def rate_limited(self, wait: float) -> None:
        """The relay answered 429 and the request will wait ``wait`` seconds: everyone
        pauses that long; the limit drops once per pause."""
        now = self.now()
        self.rate_limited_count += 1
        self._successes = 0
        if now >= self.paused_until:  # the first 429 of this pause
            base = self.in_flight if self.limit is None else min(self.limit, self.in_flight)
            self.limit = max(1, math.floor(base * DECREASE_FACTOR))
        self.paused_until = max(self.paused_until, now + wait)

    def spend_tokens(self, tokens: int) -> None:
        """Tokens a reply reported; counted against ``tokens_per_minute``."""
        if self.rate is None or self.rate.tokens_per_minute is None or tokens <= 0:
            return
        self._refill_tokens(self.now())
        self._tokens -= tokens

    def _refill_tokens(self, now: float) -> None:
        assert self.rate is not None and self.rate.tokens_per_minute is not None
        per_second = self.rate.tokens_per_minute / 60.0
        elapsed = max(now - self._tokens_at, 0.0)
        self._tokens = min(self._tokens + elapsed * per_second, self.rate.tokens_per_minute)
        self._tokens_at = now


class ExternalGate(Protocol):
    """A rate limiter of the caller's own (LangChain's or LlamaIndex's), asked before each
    attempt."""

    def acquire(self) -> None: ...

    async def aacquire(self) -> None: ...


class _AsyncWaiter:
    """A waiting coroutine on some loop, woken from any thread."""

    __slots__ = ("future", "loop")

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.future: asyncio.Future[None] = self.loop.create_future()

    def wake(self) -> bool:
        try:
            self.loop.call_soon_threadsafe(_resolve, self.future)
        except RuntimeError:  # its loop is closed: nobody is waiting there any more
            return False
        return True


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _ThreadWaiter:
    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event = threading.Event()

    def wake(self) -> bool:
        self.event.set()
        return True


class Limiter:
    """One client's (or several clients') adaptive limit, safe across threads and loops.

    ``rate_limit``: requests per second, or a ``RateLimit``; ``gate``: a caller's own rate
    limiter, asked before each attempt; ``now``: the clock (tests drive it)."""

    def __init__(
        self,
        rate_limit: float | RateLimit | None = None,
        *,
        gate: ExternalGate | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_limit = RateLimit.of(rate_limit)
        self.gate = gate
        self._now = now
        self._state = AdaptiveLimit(self.rate_limit, now=now)
        self._lock = threading.Lock()
        self._waiters: deque[_AsyncWaiter | _ThreadWaiter] = deque()

    def __reduce__(self) -> tuple[Any, ...]:
        """A limiter travels as its settings: the copy starts afresh (locks, waiters and
        pauses belong to this process)."""
        return (_rebuilt, (self.rate_limit, self.gate))

    def __repr__(self) -> str:
        state = self._state
        return f"<Limiter limit={state.limit} in_flight={state.in_flight}>"

    @property
    def limit(self) -> int | None:
        """Requests in flight at once now (``None``: no 429 seen yet, no limit)."""
        return self._state.limit

    @property
    def in_flight(self) -> int:
        return self._state.in_flight

    @property
    def rate_limited_count(self) -> int:
        """How many 429s this limiter slowed down for."""
        return self._state.rate_limited_count

    # --- slots ------------------------------------------------------------------------

    def _try_admit(self, waiter: _AsyncWaiter | _ThreadWaiter | None, front: bool) -> bool:
        """Admit now, or queue ``waiter`` (under the lock, so no wake is lost)."""
        with self._lock:
            if (front or not self._waiters) and self._state.admit():
                return True
            if waiter is not None:
                if front:
                    self._waiters.appendleft(waiter)
                else:
                    self._waiters.append(waiter)
            return False

    def acquire(self) -> None:
        """Wait for a slot (threads)."""
        if self._try_admit(None, False):
            return
        front = False
        while True:
            waiter = _ThreadWaiter()
            if self._try_admit(waiter, front):
                self._wake_if_room()
                return
            waiter.event.wait()
            front = True

    async def aacquire(self) -> None:
        """Wait for a slot (any event loop)."""
        if self._try_admit(None, False):
            return
        front = False
        while True:
            waiter = _AsyncWaiter()
            if self._try_admit(waiter, front):
                self._wake_if_room()
                return
            try:
                await waiter.future
            except BaseException:
                self._withdraw(waiter)
                raise
            front = True

    def _withdraw(self, waiter: _AsyncWaiter) -> None:
        """A cancelled waiter: leave the queue, and pass on a wake it already received."""
        with self._lock:
            try:
                self._waiters.remove(waiter)
                return
            except ValueError:
                pass
        self._wake_if_room()

    def _wake_if_room(self) -> None:
        while True:
            with self._lock:
                if not self._waiters or not self._state.has_room():
                    return
                waiter = self._waiters.popleft()
            if waiter.wake():
                return

    def release(self) -> None:
        with self._lock:
            self._state.release()
        self._wake_if_room()

    # --- attempts ---------------------------------------------------------------------

    def attempt_delay(self, *, own_pause_served: bool = False) -> float:
        with self._lock:
            return self._state.attempt_delay(own_pause_served=own_pause_served)

    def succeeded(self) -> None:
        with self._lock:
            grew = self._state.succeeded()
        if grew:
            self._wake_if_room()

    def rate_limited(self, wait: float) -> None:
        with self._lock:
            self._state.rate_limited(wait)

    def spend_tokens(self, tokens: int) -> None:
        if self.rate_limit is None or self.rate_limit.tokens_per_minute is None:
            return
        with self._lock:
            self._state.spend_tokens(tokens)


def _rebuilt(rate_limit: RateLimit | None, gate: ExternalGate | None) -> Limiter:
    return Limiter(rate_limit, gate=gate)


__all__ = ["AdaptiveLimit", "ExternalGate", "Limiter", "RateLimit"]
