"""One call's time budget (sans-IO): every attempt, every wait between attempts and every read
of a body fits inside it.

``Deadline`` counts from its creation on a monotonic clock. Each attempt gets the per-try
timeouts cut to what is left (``httpx_timeouts``), a retry wait that would pass the deadline
is not taken, and a body is read chunk by chunk with the same bound, so a server that
accepts a connection and never answers, or answers one byte a second, ends the call when the
budget is spent. Anything that fetches over HTTP can use it: make one per call with
``Deadline(seconds)`` and pass ``remaining()`` (or ``httpx_timeouts``) to each operation.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from .._settings import DEFAULT_TOTAL_TIMEOUT, check_total_timeout
from ..errors import APITimeoutError

_PHASES = ("connect", "read", "write", "pool")


class Deadline:
    """``seconds`` from now (``None``: no overall bound). ``skip(seconds)`` counts time that a
    simulated clock waited without sleeping, so simulations spend the budget too."""

    def __init__(self, seconds: float | None, *, now: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self._now = now
        self._started = now()
        self._skipped = 0.0

    def elapsed(self) -> float:
        return self._now() - self._started + self._skipped

    def remaining(self) -> float | None:
        if self.seconds is None:
            return None
        return self.seconds - self.elapsed()

    @property
    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    def skip(self, seconds: float) -> None:
        self._skipped += seconds

    def allows_wait(self, seconds: float) -> bool:
        left = self.remaining()
        return left is None or seconds < left

    def bound(self, seconds: float | None) -> float | None:
        """``seconds`` cut to what is left of the budget (at least a millisecond)."""
        left = self.remaining()
        if left is None:
            return seconds
        left = max(left, 0.001)
        return left if seconds is None else min(seconds, left)

    def httpx_timeouts(self, per_try: httpx.Timeout) -> dict[str, float | None]:
        """The per-try timeouts of ``per_try``, each cut to what is left: the form httpx
        (and httpcore, which reads it again before every socket read) takes per request.
        A new dict each time (a reader may shorten its ``read`` as the budget runs out)."""
        limits = per_try.as_dict()
        left = self.remaining()
        if left is None or all(v is not None and v <= left for v in limits.values()):
            return limits
        return {phase: self.bound(limits.get(phase)) for phase in _PHASES}


def timeout_error(
    deadline: Deadline,
    *,
    host: str,
    per_try: float | None,
    attempts: int,
    what: str = "request",
) -> APITimeoutError:
    """The error for a call that ran out of time, stating what really happened."""
    elapsed = deadline.elapsed()
    budget = (
        "no total_timeout" if deadline.seconds is None else f"total_timeout={deadline.seconds:g} s"
    )
    per = "none" if per_try is None else f"{per_try:g} s"
    plural = "s" if attempts != 1 else ""
    return APITimeoutError(
        f"{what} to {host} timed out after {elapsed:.1f} s in all ({attempts} attempt{plural}; "
        f"per-try timeout {per}; {budget})",
        elapsed=elapsed,
        attempts=attempts,
        timeout=per_try,
        total_timeout=deadline.seconds,
        host=host,
    )


__all__ = ["DEFAULT_TOTAL_TIMEOUT", "Deadline", "check_total_timeout", "timeout_error"]
