"""Task state for the video and Midjourney routes: jobs whose status is a pure function of the
emulator clock (created at ``t0``, queued, running, done), so a test drives them by advancing
the clock. Failures come on demand: a ``[fail]`` / ``[fail: reason]`` marker in the prompt, or
``fail_next(reason)`` (``POST /_emulator/tasks/fail``) for the next job created."""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from typing import Any

_FAIL_MARKER = re.compile(r"\[fail(?::\s*(?P<reason>[^\]]*))?\]", re.I)
DEFAULT_FAIL_REASON = "the upstream rejected the job (emulated failure)"


def fail_reason_in(prompt: str) -> str | None:
    match = _FAIL_MARKER.search(prompt or "")
    if match is None:
        return None
    return (match.group("reason") or "").strip() or DEFAULT_FAIL_REASON


@dataclass
class Job:
    """One emulated job. ``queue`` and ``run`` are emulated seconds; a failing job stops at
    half way (``fail_reason`` set)."""

    id: str
    kind: str
    created: float
    queue: float
    run: float
    params: dict[str, Any] = field(default_factory=dict)
    fail_reason: str | None = None

    def elapsed(self, now: float) -> float:
        return max(now - self.created, 0.0)

    def phase(self, now: float) -> str:
        """``queued``, ``running``, ``succeeded`` or ``failed``."""
        t = self.elapsed(now)
        if t < self.queue:
            return "queued"
        if self.fail_reason is not None and t >= self.queue + self.run / 2:
            return "failed"
        if t < self.queue + self.run:
            return "running"
        return "succeeded"

    def progress(self, now: float) -> int:
        """0-100 while running (a failed job stays where it stopped)."""
        t = self.elapsed(now) - self.queue
        if t <= 0:
            return 0
        if self.fail_reason is not None:
            t = min(t, self.run / 2)
        return min(int(100 * t / self.run), 100)

    def started_at(self) -> float:
        return self.created + self.queue

    def finished_at(self, now: float) -> float | None:
        phase = self.phase(now)
        if phase == "succeeded":
            return self.created + self.queue + self.run
        if phase == "failed":
            return self.created + self.queue + self.run / 2
        return None


class TaskStore:
    """Every emulated job, keyed by id, plus the on-demand failure and submit-code queues."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self._fail_next: list[str] = []
        self.mj_codes: list[int] = []
        self._counter = 0

    def next_number(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def new_id(self, prefix: str, seed: Any) -> str:
        number = self.next_number()
        digest = hashlib.sha256(f"{number}:{seed}".encode()).hexdigest()[:24]
        return f"{prefix}{digest}"

    def add(self, job: Job, prompt: str = "") -> Job:
        reason = fail_reason_in(prompt)
        with self._lock:
            if reason is None and self._fail_next:
                reason = self._fail_next.pop(0)
            job.fail_reason = reason
            self.jobs[job.id] = job
        return job

    def get(self, job_id: str, kind: str | None = None) -> Job | None:
        job = self.jobs.get(job_id)
        if job is None or (kind is not None and not job.kind.startswith(kind)):
            return None
        return job

    def fail_next(self, reason: str = DEFAULT_FAIL_REASON) -> None:
        with self._lock:
            self._fail_next.append(reason)

    def pop_mj_code(self) -> int | None:
        with self._lock:
            return self.mj_codes.pop(0) if self.mj_codes else None

    def reset(self) -> None:
        with self._lock:
            self.jobs.clear()
            self._fail_next.clear()
            self.mj_codes.clear()
            self._counter = 0
