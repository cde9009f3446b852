"""The adaptive limit (``wenwen.concurrency``) driven by a hand-moved clock: no sleeping."""

from __future__ import annotations

import asyncio
import pickle
import threading

import httpx
import pytest

from tests._clock import RecordedWaits
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.concurrency import AdaptiveLimit, Limiter, RateLimit
from wenwen.errors import ConfigurationError


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def started(state: AdaptiveLimit, count: int) -> None:
    for _ in range(count):
        assert state.admit()


def test_no_limit_until_the_first_429() -> None:
    state = AdaptiveLimit(now=FakeTime())
    started(state, 50)
    assert state.limit is None and state.in_flight == 50
    assert state.attempt_delay() == 0.0


def test_a_429_halves_what_was_in_flight_and_pauses_everyone() -> None:
    clock = FakeTime()
    state = AdaptiveLimit(now=clock)
    started(state, 8)
    state.rate_limited(2.0)
    assert state.limit == 4
    assert state.attempt_delay() == 2.0  # another request waits out the pause
    # the request that was told to wait has slept already: its next attempt goes at once
    assert state.attempt_delay(own_pause_served=True) == 0.0
    clock.now += 2.0
    assert state.attempt_delay() == 0.0


def test_the_limit_drops_once_per_pause_not_once_per_429() -> None:
    clock = FakeTime()
    state = AdaptiveLimit(now=clock)
    started(state, 8)
    for _ in range(5):  # five requests of one burst answered 429 together
        state.rate_limited(1.0)
    assert state.limit == 4
    assert state.rate_limited_count == 5
    clock.now += 1.0
    state.rate_limited(1.0)  # a 429 after the pause: the next halving
    assert state.limit == 2
    clock.now += 1.0
    state.rate_limited(1.0)
    state.rate_limited(1.0)
    assert state.limit == 1  # never below one


def test_a_full_limit_queues_and_a_run_of_successes_raises_it() -> None:
    state = AdaptiveLimit(now=FakeTime())
    started(state, 4)
    state.rate_limited(0.5)
    assert state.limit == 2
    assert not state.admit()  # four still in flight, limit two
    for _ in range(2):
        state.release()
    assert not state.admit()
    state.release()
    assert state.admit()
    # additive increase: one more slot after `limit` successes while the limit was in use
    assert state.in_flight == 2
    assert not state.succeeded()
    assert state.succeeded()
    assert state.limit == 3


def test_successes_below_the_limit_do_not_raise_it() -> None:
    state = AdaptiveLimit(now=FakeTime())
    started(state, 4)
    state.rate_limited(0.1)
    for _ in range(3):
        state.release()
    assert state.in_flight == 1 and state.limit == 2
    assert not any(state.succeeded() for _ in range(10))
    assert state.limit == 2


def test_requests_per_second_space_the_starts() -> None:
    clock = FakeTime()
    state = AdaptiveLimit(RateLimit(requests_per_second=4), now=clock)
    delays = [state.attempt_delay() for _ in range(5)]
    assert delays == [0.0, 0.25, 0.5, 0.75, 1.0]
    clock.now += 10
    assert state.attempt_delay() == 0.0  # no burst saved up beyond one start


def test_tokens_per_minute_wait_while_the_budget_is_overdrawn() -> None:
    clock = FakeTime()
    state = AdaptiveLimit(RateLimit(tokens_per_minute=600), now=clock)  # 10 tokens a second
    state.spend_tokens(500)
    assert state.attempt_delay() == 0.0  # 100 tokens left
    state.spend_tokens(300)  # 200 overdrawn: 20 s to refill
    assert state.attempt_delay() == pytest.approx(20.0)
    clock.now += 15
    assert state.attempt_delay() == pytest.approx(5.0)


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), float("nan"), "3", True])
def test_bad_rate_limits_are_named(bad: object) -> None:
    with pytest.raises(ConfigurationError, match="rate_limit"):
        RateLimit.of(bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"rate_limit\.tokens_per_minute"):
        RateLimit(tokens_per_minute=bad)  # type: ignore[arg-type]


def test_a_limiter_pickles_as_its_settings() -> None:
    limiter = Limiter(RateLimit(requests_per_second=2, tokens_per_minute=1000))
    limiter.acquire()
    limiter.rate_limited(5.0)
    copy = pickle.loads(pickle.dumps(limiter))
    assert copy.rate_limit == limiter.rate_limit
    assert copy.limit is None and copy.in_flight == 0  # pauses and slots stay here


def test_threads_wait_for_a_slot_in_order() -> None:
    limiter = Limiter()
    for _ in range(2):
        limiter.acquire()
    limiter.rate_limited(0.0)  # limit 1, two in flight
    order: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: (limiter.acquire(), order.append(i))) for i in range(3)
    ]
    for thread in threads:
        thread.start()
        while len(limiter._waiters) <= threads.index(thread):  # queued before the next starts
            threading.Event().wait(0.001)
    limiter.release()
    assert order == []  # one still in flight: the limit is one
    for expected in ([0], [0, 1], [0, 1, 2]):
        limiter.release()
        for thread in threads[: len(expected)]:
            thread.join(timeout=5)
        assert order == expected


async def test_async_waiters_across_threads_and_cancellation() -> None:
    limiter = Limiter()
    limiter.acquire()
    limiter.acquire()
    limiter.rate_limited(0.0)  # limit 1
    first = asyncio.create_task(limiter.aacquire())
    second = asyncio.create_task(limiter.aacquire())
    await asyncio.sleep(0)
    assert len(limiter._waiters) == 2
    limiter.release()
    await asyncio.sleep(0)
    assert not first.done()  # still one in flight
    # released from another thread, as a sync client sharing the limiter would
    await asyncio.to_thread(limiter.release)
    await asyncio.wait_for(first, 5)
    first_holds = True
    second.cancel()  # a cancelled waiter leaves the queue
    with pytest.raises(asyncio.CancelledError):
        await second
    assert first_holds and limiter.in_flight == 1 and not limiter._waiters
    third = asyncio.create_task(limiter.aacquire())
    await asyncio.sleep(0)
    limiter.release()
    await asyncio.wait_for(third, 5)
    assert limiter.in_flight == 1


async def test_a_woken_waiter_that_is_cancelled_passes_the_slot_on() -> None:
    limiter = Limiter()
    limiter.acquire()
    limiter.acquire()
    limiter.rate_limited(0.0)  # limit 1, two in flight
    first = asyncio.create_task(limiter.aacquire())
    second = asyncio.create_task(limiter.aacquire())
    await asyncio.sleep(0)
    limiter.release()
    limiter.release()  # wakes `first` (its wake is scheduled, not yet run)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 5)
    assert limiter.in_flight == 1


# --- the clients drive it -------------------------------------------------------------

MODELS = {"object": "list", "data": [{"id": "gpt-4o", "object": "model"}]}


def mock_client(
    replies: list[httpx.Response], limiter: Limiter, waits: RecordedWaits
) -> WenwenClient:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: replies.pop(0)))
    return WenwenClient(
        api_key="sk-test", base_url="http://relay.test", http_client=http, clock=waits.clock,
        limiter=limiter,
    )  # fmt: skip


def test_a_429_pauses_the_clients_other_requests_too() -> None:
    clock, waits = FakeTime(), RecordedWaits()
    limiter = Limiter(now=clock)
    busy = httpx.Response(429, headers={"retry-after-ms": "2000"}, json={"error": "busy"})
    ok = [httpx.Response(200, json=MODELS) for _ in range(2)]
    client = mock_client([busy, *ok], limiter, waits)
    client.list_models()
    assert waits == [2.0]  # the request told to wait slept once, and went on
    mock_client([httpx.Response(200, json=MODELS)], limiter, waits).list_models()
    assert waits == [2.0, 2.0]  # a request of another client sharing the limiter waits too
    # halved to one by the 429, then each success at the limit added one
    assert limiter.rate_limited_count == 1 and limiter.limit == 2


def test_requests_per_second_through_a_client() -> None:
    clock, waits = FakeTime(), RecordedWaits()
    limiter = Limiter(RateLimit(requests_per_second=2), now=clock)
    replies = [httpx.Response(200, json=MODELS) for _ in range(3)]
    client = mock_client(replies, limiter, waits)
    for _ in range(3):
        client.list_models()
    assert waits == [0.5, 1.0]  # starts reserved 0.5 s apart (the clock did not move)


def test_a_client_takes_a_rate_limit_or_a_shared_limiter() -> None:
    shared = Limiter()
    assert WenwenClient(api_key="k", limiter=shared).limiter is shared
    assert AsyncWenwenClient(api_key="k", limiter=shared).limiter is shared
    assert WenwenClient(api_key="k", rate_limit=2).limiter.rate_limit == RateLimit(2.0)
    with pytest.raises(ConfigurationError, match="rate_limit or limiter"):
        WenwenClient(api_key="k", rate_limit=2, limiter=shared)
