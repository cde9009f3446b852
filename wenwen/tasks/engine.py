"""The one task-polling engine: a sans-IO state machine shared by every task kind.

A ``TaskPoller`` is fed snapshots (``observe``) or failed polls (``poll_failed``) and answers
with the next step: ``Wait(seconds)``, ``TaskDone(snapshot)`` or ``Raise(error)``. It never
sleeps, sends or reads a clock; ``wait_sync`` / ``wait_async`` (and ``wait_many_*``) do, with
an injected ``sleep`` and ``clock`` so tests drive time without waiting.

Waits follow the server: a ``Retry-After`` hint on a poll reply wins (capped at
``max_interval``); otherwise the wait restarts at ``interval`` whenever progress moves, grows
by ``backoff`` up to ``max_interval`` while it does not, and is shortened to the time the
progress rate predicts until completion. No wait passes the overall deadline.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .._http.transport import RetryPolicy
from ..errors import (
    APIConnectionError,
    APIStatusError,
    ConfigurationError,
    TaskCancelledError,
    TaskFailedError,
    TaskTimeoutError,
)


class TaskState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (TaskState.SUCCEEDED, TaskState.FAILED, TaskState.CANCELLED)


@dataclass(frozen=True)
class TaskSnapshot:
    """One observation of a task, whatever its kind. ``status`` is the relay's own word;
    ``progress`` is 0-100 (``None`` when the relay gives none); ``raw`` the reply object."""

    id: str
    kind: str
    state: TaskState
    status: str
    progress: float | None = None
    fail_reason: str | None = None
    result_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    retry_after: float | None = None
    """Seconds the server asked the poller to wait (``Retry-After`` on the poll reply)."""
    route: str | None = None
    """Which route family answered (video: a key of ``VIDEO_ROUTES``; Midjourney: ``mj``)."""

    @property
    def done(self) -> bool:
        return self.state.terminal


@dataclass(frozen=True)
class TaskProgress:
    """What a progress callback receives: ``percent`` 0-100, ``status`` the relay's word."""

    task_id: str
    percent: float
    status: str
    state: TaskState
    elapsed: float


ProgressCallback = Callable[[TaskProgress], None]


@dataclass(frozen=True)
class PollPolicy:
    """``interval``: first and post-progress wait; ``max_interval``: cap of every wait;
    ``backoff``: growth while nothing moves; ``timeout``: overall deadline (``None``: none)."""

    interval: float = 2.0
    max_interval: float = 30.0
    backoff: float = 1.5
    timeout: float | None = 900.0

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.max_interval < self.interval:
            raise ConfigurationError(
                f"poll interval must be > 0 and <= max_interval, got {self.interval} / "
                f"{self.max_interval}"
            )
        if self.backoff < 1:
            raise ConfigurationError(f"poll backoff must be >= 1, got {self.backoff}")
        if self.timeout is not None and self.timeout <= 0:
            raise ConfigurationError(f"task timeout must be > 0 seconds, got {self.timeout}")


@dataclass(frozen=True)
class Wait:
    seconds: float


@dataclass(frozen=True)
class TaskDone:
    snapshot: TaskSnapshot


@dataclass(frozen=True)
class Raise:
    error: Exception


Step = Wait | TaskDone | Raise
Finished = TaskDone
"""Former name of :class:`TaskDone` (it collided with ``wenwen.types.Finished``, the chat
stream's end event); kept as an alias for one release."""


class TaskPoller:
    """The decisions for waiting on one task (see the module docstring)."""

    def __init__(
        self,
        task_id: str,
        *,
        started_at: float,
        policy: PollPolicy | None = None,
        retry: RetryPolicy | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.task_id = task_id
        self.policy = policy or PollPolicy()
        self.retry = retry or RetryPolicy()
        self.on_progress = on_progress
        self.started_at = started_at
        self.deadline = None if self.policy.timeout is None else started_at + self.policy.timeout
        self.last: TaskSnapshot | None = None
        self._interval = self.policy.interval
        self._seen: tuple[float, float] | None = None  # (time, progress) when it last moved
        self._rate: float | None = None  # progress points per second
        self._failures = 0
        self._reported: tuple[float, str] | None = None

    # --- inputs ---------------------------------------------------------------------

    def observe(self, snapshot: TaskSnapshot, now: float) -> Step:
        self.last = snapshot
        self._failures = 0
        self._report(snapshot, now)
        if snapshot.state is TaskState.SUCCEEDED:
            return TaskDone(snapshot)
        if snapshot.done:
            reason = snapshot.fail_reason or snapshot.status or "no reason given"
            return Raise(
                TaskFailedError(
                    f"task {snapshot.id} {snapshot.state.value}: {reason}", task=snapshot
                )
            )
        moved = self._track_progress(sane_percent(snapshot.progress), now)
        self._interval = (
            self.policy.interval
            if moved
            else min(self._interval * self.policy.backoff, self.policy.max_interval)
        )
        wait = self._interval
        progress = sane_percent(snapshot.progress)
        if self._rate and progress is not None:
            eta = (100.0 - progress) / self._rate
            wait = min(wait, max(eta, self.policy.interval / 4))
        if snapshot.retry_after is not None:
            wait = min(snapshot.retry_after, self.policy.max_interval)
        return self._bounded(wait, now)

    def poll_failed(self, error: Exception, now: float) -> Step:
        """A poll that failed after the client's own retries: tolerated under the same
        ``RetryPolicy`` (the task keeps running on the relay), else raised naming the id."""
        attempt = self._failures
        self._failures += 1
        wait: float | None = None
        if isinstance(error, APIStatusError):
            if self.retry.should_retry(attempt, status=error.status_code, code=error.code):
                wait = self.retry.delay(attempt, error.headers)
        elif isinstance(error, APIConnectionError) and self.retry.should_retry(
            attempt, connection_error=True
        ):
            wait = self.retry.delay(attempt)
        if wait is None:
            error.add_note(f"while polling task {self.task_id} (wait on it again to resume)")
            return Raise(error)
        return self._bounded(wait, now)

    def cancelled(self) -> TaskCancelledError:
        return TaskCancelledError(
            f"stopped waiting for task {self.task_id}; it still runs on the relay",
            task_id=self.task_id,
            task=self.last,
        )

    # --- internals ------------------------------------------------------------------

    def _bounded(self, wait: float, now: float) -> Step:
        if self.deadline is not None:
            remaining = self.deadline - now
            if remaining <= 0:
                return Raise(self._timeout(now))
            wait = min(wait, remaining)
        return Wait(max(wait, 0.0))

    def _timeout(self, now: float) -> TaskTimeoutError:
        status = f" (last status {self.last.status!r})" if self.last else ""
        return TaskTimeoutError(
            f"task {self.task_id} did not finish within {now - self.started_at:.0f} s{status}; "
            "it still runs on the relay: wait on this task id again to resume",
            task_id=self.task_id,
            task=self.last,
        )

    def _track_progress(self, progress: float | None, now: float) -> bool:
        if progress is None:
            return False
        if self._seen is None:
            self._seen = (now, progress)
            return progress > 0
        then, before = self._seen
        if progress <= before:
            return False
        if now > then:
            self._rate = (progress - before) / (now - then)
        self._seen = (now, progress)
        return True

    def _report(self, snapshot: TaskSnapshot, now: float) -> None:
        if self.on_progress is None:
            return
        done = snapshot.state is TaskState.SUCCEEDED
        percent = 100.0 if done else (sane_percent(snapshot.progress) or 0.0)
        key = (percent, snapshot.status)
        if key == self._reported:
            return
        self._reported = key
        self.on_progress(
            TaskProgress(
                task_id=snapshot.id,
                percent=percent,
                status=snapshot.status,
                state=snapshot.state,
                elapsed=now - self.started_at,
            )
        )


def sane_percent(value: object) -> float | None:
    """A progress value as callbacks may see it: a finite number clamped to 0-100, else
    ``None`` (the reply readers already clamp; this guards snapshots made elsewhere)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return None
    return min(max(float(value), 0.0), 100.0)


# --- drivers: the only code here that sleeps (with what the caller injected) -----------

Clock = Callable[[], float]


def wait_sync(
    fetch: Callable[[], TaskSnapshot],
    poller: TaskPoller,
    *,
    sleep: Callable[[float], Any] | None = None,
    clock: Clock = time.monotonic,
    stop: threading.Event | None = None,
    first: TaskSnapshot | None = None,
) -> TaskSnapshot:
    """Poll until the task finishes. ``stop`` (a ``threading.Event``) ends the wait with
    ``TaskCancelledError`` at the next step; without an injected ``sleep`` the wait itself
    wakes up when the flag is set."""
    if sleep is None:
        sleep = stop.wait if stop is not None else time.sleep
    snapshot = first
    while True:
        if stop is not None and stop.is_set():
            raise poller.cancelled()
        if snapshot is None:
            try:
                step = poller.observe(fetch(), clock())
            except (APIStatusError, APIConnectionError) as exc:
                step = poller.poll_failed(exc, clock())
        else:
            step, snapshot = poller.observe(snapshot, clock()), None
        if isinstance(step, TaskDone):
            return step.snapshot
        if isinstance(step, Raise):
            raise step.error
        sleep(step.seconds)


async def wait_async(
    fetch: Callable[[], Awaitable[TaskSnapshot]],
    poller: TaskPoller,
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Clock = time.monotonic,
    first: TaskSnapshot | None = None,
) -> TaskSnapshot:
    """Poll until the task finishes. Cancel the asyncio task to stop waiting (the relay's
    task keeps running; ``CancelledError`` propagates as asyncio expects)."""
    snapshot = first
    while True:
        if snapshot is None:
            try:
                step = poller.observe(await fetch(), clock())
            except (APIStatusError, APIConnectionError) as exc:
                step = poller.poll_failed(exc, clock())
        else:
            step, snapshot = poller.observe(snapshot, clock()), None
        if isinstance(step, TaskDone):
            return step.snapshot
        if isinstance(step, Raise):
            raise step.error
        await sleep(step.seconds)


def _many_step(
    pollers: dict[str, TaskPoller],
    done: dict[str, TaskSnapshot],
    snapshots: Mapping[str, TaskSnapshot] | Exception,
    now: float,
) -> float:
    """Feed one batch poll to every unfinished poller; the next wait (the shortest)."""
    waits: list[float] = []
    for task_id, poller in pollers.items():
        if task_id in done:
            continue
        if isinstance(snapshots, Exception):
            step = poller.poll_failed(snapshots, now)
        elif task_id not in snapshots:
            step = Raise(TaskFailedError(f"task {task_id} is not known to the relay"))
        else:
            step = poller.observe(snapshots[task_id], now)
        if isinstance(step, Raise):
            raise step.error
        if isinstance(step, TaskDone):
            done[task_id] = step.snapshot
        else:
            waits.append(step.seconds)
    return min(waits) if waits else 0.0


def wait_many_sync(
    fetch_many: Callable[[Sequence[str]], Mapping[str, TaskSnapshot]],
    pollers: dict[str, TaskPoller],
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Clock = time.monotonic,
) -> list[TaskSnapshot]:
    """Wait for several tasks with one batch poll per step (e.g. Midjourney's
    ``list-by-condition``); results in the order of ``pollers``; the first failure raises."""
    done: dict[str, TaskSnapshot] = {}
    while len(done) < len(pollers):
        pending = [i for i in pollers if i not in done]
        batch: Mapping[str, TaskSnapshot] | Exception
        try:
            batch = fetch_many(pending)
        except (APIStatusError, APIConnectionError) as exc:
            batch = exc
        wait = _many_step(pollers, done, batch, clock())
        if len(done) < len(pollers):
            sleep(wait)
    return [done[i] for i in pollers]


async def wait_many_async(
    fetch_many: Callable[[Sequence[str]], Awaitable[Mapping[str, TaskSnapshot]]],
    pollers: dict[str, TaskPoller],
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    clock: Clock = time.monotonic,
) -> list[TaskSnapshot]:
    done: dict[str, TaskSnapshot] = {}
    while len(done) < len(pollers):
        pending = [i for i in pollers if i not in done]
        batch: Mapping[str, TaskSnapshot] | Exception
        try:
            batch = await fetch_many(pending)
        except (APIStatusError, APIConnectionError) as exc:
            batch = exc
        wait = _many_step(pollers, done, batch, clock())
        if len(done) < len(pollers):
            await sleep(wait)
    return [done[i] for i in pollers]


__all__ = [
    "PollPolicy",
    "ProgressCallback",
    "Raise",
    "TaskDone",
    "TaskPoller",
    "TaskProgress",
    "TaskSnapshot",
    "TaskState",
    "Wait",
    "wait_async",
    "wait_many_async",
    "wait_many_sync",
    "wait_sync",
]
