"""The sans-IO polling engine: decisions from snapshots, never a wall clock."""

from __future__ import annotations

import asyncio
import threading

import pytest

from wenwen import TaskCancelledError, TaskFailedError, TaskTimeoutError
from wenwen._http.transport import RetryPolicy
from wenwen.errors import APIConnectionError, BadRequestError, InternalServerError
from wenwen.tasks import (
    PollPolicy,
    TaskPoller,
    TaskProgress,
    TaskSnapshot,
    TaskState,
    wait_async,
    wait_many_sync,
    wait_sync,
)
from wenwen.tasks.engine import Raise, TaskDone, Wait


def snap(
    state: TaskState = TaskState.RUNNING,
    progress: float | None = None,
    *,
    status: str = "in_progress",
    task_id: str = "task_1",
    reason: str | None = None,
    retry_after: float | None = None,
) -> TaskSnapshot:
    return TaskSnapshot(
        id=task_id, kind="video", state=state, status=status, progress=progress,
        fail_reason=reason, retry_after=retry_after,
    )  # fmt: skip


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)

    def clock(self) -> float:
        return self.now


def poller(**kw: object) -> TaskPoller:
    policy = kw.pop("policy", PollPolicy(interval=2, max_interval=10, backoff=2, timeout=100))
    return TaskPoller("task_1", started_at=0.0, policy=policy, **kw)  # type: ignore[arg-type]


def test_backoff_grows_while_nothing_moves_and_is_capped() -> None:
    p = poller()
    waits = [p.observe(snap(TaskState.PENDING, status="queued"), t) for t in (0, 4, 8, 16, 26)]
    assert [w.seconds for w in waits if isinstance(w, Wait)] == [4, 8, 10, 10, 10]


def test_moving_progress_resets_the_interval_and_the_rate_shortens_the_last_wait() -> None:
    p = poller()
    assert p.observe(snap(progress=0), 0) == Wait(4)  # nothing moved yet
    assert p.observe(snap(progress=20), 4) == Wait(2)  # moved: back to the base interval
    # 80 points per 4 s at 5 points/s would be 16 s; the base interval wins
    assert p.observe(snap(progress=40), 8) == Wait(2)
    # 40 -> 90 in 1 s: the rate predicts 0.2 s to go, floored at interval/4
    assert p.observe(snap(progress=90), 9) == Wait(0.5)


def test_retry_after_hint_wins_but_is_capped() -> None:
    p = poller()
    assert p.observe(snap(progress=10, retry_after=7), 0) == Wait(7)
    assert p.observe(snap(progress=10, retry_after=600), 7) == Wait(10)


def test_success_and_failure_are_final() -> None:
    done = snap(TaskState.SUCCEEDED, 100, status="completed")
    assert poller().observe(done, 1) == TaskDone(done)
    failed = snap(TaskState.FAILED, 50, status="failed", reason="content policy")
    step = poller().observe(failed, 1)
    assert isinstance(step, Raise) and isinstance(step.error, TaskFailedError)
    assert step.error.reason == "content policy"
    assert step.error.task is failed and step.error.task_id == "task_1"
    assert "content policy" in str(step.error)


def test_deadline_bounds_the_wait_then_times_out_keeping_the_id() -> None:
    p = poller(policy=PollPolicy(interval=2, max_interval=10, backoff=2, timeout=5))
    assert p.observe(snap(progress=0), 3) == Wait(2)  # 4 s wanted, 2 s left
    step = p.observe(snap(progress=0), 5)
    assert isinstance(step, Raise) and isinstance(step.error, TaskTimeoutError)
    assert step.error.task_id == "task_1" and step.error.task is not None


def test_transient_poll_failures_follow_the_retry_policy_then_raise_naming_the_task() -> None:
    retry = RetryPolicy(max_retries=2, initial_delay=1, jitter=0)
    p = poller(retry=retry)
    outage = InternalServerError("down", status_code=503)
    assert p.poll_failed(outage, 0) == Wait(1)
    assert p.poll_failed(APIConnectionError(), 1) == Wait(2)
    step = p.poll_failed(outage, 3)
    assert isinstance(step, Raise) and step.error is outage
    assert any("task_1" in note for note in outage.__notes__)
    # a successful poll resets the count
    p.observe(snap(progress=1), 4)
    assert isinstance(p.poll_failed(outage, 5), Wait)


def test_client_errors_are_not_retried() -> None:
    bad = BadRequestError("no such task", status_code=400)
    step = poller().poll_failed(bad, 0)
    assert isinstance(step, Raise) and step.error is bad


def test_progress_callback_reports_changes_only() -> None:
    seen: list[TaskProgress] = []
    p = poller(on_progress=seen.append)
    for t, s in enumerate([snap(progress=0), snap(progress=0), snap(progress=30)]):
        p.observe(s, float(t))
    p.observe(snap(TaskState.SUCCEEDED, None, status="completed"), 3.0)
    assert [(x.percent, x.status) for x in seen] == [
        (0, "in_progress"),
        (30, "in_progress"),
        (100, "completed"),
    ]
    assert seen[-1].elapsed == 3.0 and seen[-1].state is TaskState.SUCCEEDED


def test_policy_rejects_nonsense() -> None:
    from wenwen.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        PollPolicy(interval=0)
    with pytest.raises(ConfigurationError):
        PollPolicy(interval=5, max_interval=1)
    with pytest.raises(ConfigurationError):
        PollPolicy(timeout=-1)


def _sequence(*snapshots: TaskSnapshot | Exception):  # type: ignore[no-untyped-def]
    items = list(snapshots)

    def fetch() -> TaskSnapshot:
        item = items.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return fetch


def test_wait_sync_drives_injected_time_and_survives_an_outage() -> None:
    fake = FakeTime()
    fetch = _sequence(
        snap(progress=0),
        InternalServerError("down", status_code=502),
        snap(progress=50),
        snap(TaskState.SUCCEEDED, 100, status="completed"),
    )
    p = TaskPoller("task_1", started_at=0.0, retry=RetryPolicy(initial_delay=1, jitter=0))
    result = wait_sync(fetch, p, sleep=fake.sleep, clock=fake.clock)
    assert result.status == "completed"
    assert fake.slept == [3.0, 1.0, 2.0]


def test_sync_stop_flag_cancels_the_wait() -> None:
    stop = threading.Event()
    fake = FakeTime()

    def fetch() -> TaskSnapshot:
        stop.set()  # e.g. another thread asks to stop while a poll is in flight
        return snap(progress=10)

    with pytest.raises(TaskCancelledError) as caught:
        wait_sync(fetch, poller(), sleep=fake.sleep, clock=fake.clock, stop=stop)
    assert caught.value.task_id == "task_1" and caught.value.task is not None


def test_sync_stop_flag_wakes_a_real_wait_without_sleeping() -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(TaskCancelledError):
        wait_sync(lambda: snap(progress=1), poller(), stop=stop, first=snap(progress=1))


async def test_async_wait_can_be_cancelled_and_resumed() -> None:
    fake = FakeTime()
    gate = asyncio.Event()

    async def fetch() -> TaskSnapshot:
        await gate.wait()
        return snap(progress=5)

    task = asyncio.create_task(wait_async(fetch, poller(), sleep=fake.asleep, clock=fake.clock))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def finished() -> TaskSnapshot:
        return snap(TaskState.SUCCEEDED, 100, status="completed")

    resumed = await wait_async(finished, poller(), sleep=fake.asleep, clock=fake.clock)
    assert resumed.state is TaskState.SUCCEEDED


def test_wait_many_polls_all_ids_in_one_call_per_step() -> None:
    fake = FakeTime()
    calls: list[list[str]] = []
    states = {
        "a": [snap(progress=10, task_id="a"), snap(TaskState.SUCCEEDED, 100, task_id="a")],
        "b": [
            snap(progress=10, task_id="b"),
            snap(progress=60, task_id="b"),
            snap(TaskState.SUCCEEDED, 100, task_id="b"),
        ],
    }

    def fetch_many(ids):  # type: ignore[no-untyped-def]
        calls.append(list(ids))
        return {i: states[i].pop(0) for i in ids}

    pollers = {i: TaskPoller(i, started_at=0.0) for i in ("a", "b")}
    results = wait_many_sync(fetch_many, pollers, sleep=fake.sleep, clock=fake.clock)
    assert [r.id for r in results] == ["a", "b"]
    assert calls == [["a", "b"], ["a", "b"], ["b"]]
