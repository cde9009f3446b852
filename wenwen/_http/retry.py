"""The one retry policy and the one retry flow, both sans-IO.

``RetryPolicy`` decides whether a failed attempt may be tried again and how long to wait.
``RetryFlow`` is one call's state: after each failure it returns the wait, or raises the
error (annotated with how long was waited and why it gave up). The clients apply it before
the first byte of a body only — a stream that breaks half-way is never replayed (the caller
has already seen part of it). Waiting itself goes through an injected ``Clock``, so the sync
and async clients share the flow and tests drive time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..errors import APIConnectionError, APIStatusError, ConfigurationError
from .deadline import Deadline

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})
# The relay reports configuration problems with 5xx statuses; retrying cannot fix them
# (new-api answers 503 model_not_found when no channel serves the model:
# https://github.com/QuantumNous/new-api, ``middleware/distributor.go``).
NON_RETRYABLE_CODES = frozenset({"model_not_found", "insufficient_user_quota"})
DEFAULT_MAX_RETRY_WAIT = 30.0
"""Seconds one call may spend waiting between attempts, all retries together."""


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25

    def should_retry(
        self,
        attempt: int,
        *,
        status: int | None = None,
        code: str | None = None,
        connection_error: bool = False,
    ) -> bool:
        """``attempt`` counts from 0 (the first try). Retries connection failures and
        408/409/429/5xx; never 400/401/403/404, never a relay configuration error."""
        if attempt >= self.max_retries:
            return False
        if connection_error:
            return True
        if code in NON_RETRYABLE_CODES:
            return False
        return status in RETRYABLE_STATUS

    def delay(
        self,
        attempt: int,
        headers: Mapping[str, str] | None = None,
        *,
        rng: Callable[[], float] = random.random,
        now: Callable[[], float] = time.time,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when the server asked for a
        wait longer than ``max_retry_after`` (then the error is raised instead)."""
        hinted = retry_after_seconds(headers or {}, now=now)
        if hinted is not None:
            return hinted if hinted <= self.max_retry_after else None
        base = min(self.initial_delay * (2.0**attempt), self.max_delay)
        return base * (1 - self.jitter * rng())


def retry_after_seconds(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """The wait a server asked for: ``retry-after-ms``, or ``Retry-After`` as seconds or as
    an HTTP date."""
    lowered = {k.lower(): v for k, v in headers.items()}
    ms = lowered.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(email.utils.mktime_tz(parsed) - now(), 0.0)


@dataclass(frozen=True)
class Clock:
    """How the clients wait between attempts; pass your own to simulate time in tests."""

    sleep: Callable[[float], object] = time.sleep
    async_sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic
    """What a download's deadline is measured on (drive it in tests with the sleeps)."""


SYSTEM_CLOCK = Clock()


def check_max_retry_wait(value: float | None) -> float:
    if value is None:
        return DEFAULT_MAX_RETRY_WAIT
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ConfigurationError(f"max_retry_wait must be a number of seconds >= 0, got {value!r}")
    return float(value)


class Failure(NamedTuple):
    """What the policy needs to know about a failed attempt."""

    status: int | None = None
    code: str | None = None
    connection_error: bool = False


def api_failure(error: Exception) -> Failure | None:
    """A relay call's failure: a status error or a connection error; ``None`` for anything
    else (never retried)."""
    if isinstance(error, APIStatusError):
        return Failure(status=error.status_code, code=error.code)
    if isinstance(error, APIConnectionError):
        return Failure(connection_error=True)
    return None


class RetryFlow:
    """One call's retries: ``wait_after(error)`` is the pause before the next attempt, or
    raises ``error`` — its message then says how many attempts and how much waiting it took,
    and why no further attempt was made. ``classify`` reads an error as a ``Failure`` (or
    ``None``: not retryable); the default reads the relay's API errors.

    A 429 (the key's rate limit) costs no attempt from ``max_retries`` when retries are on:
    it is waited out (``Retry-After``, else the backoff) while ``max_wait`` lasts, so a
    worker that shares its key with others slows down instead of giving up."""

    def __init__(
        self,
        policy: RetryPolicy,
        max_wait: float,
        *,
        classify: Callable[[Exception], Failure | None] = api_failure,
        deadline: Deadline | None = None,
    ) -> None:
        self.policy = policy
        self.max_wait = max_wait
        self.classify = classify
        self.deadline = deadline or Deadline(None)
        self.attempt = 0
        self.rate_limited = 0
        self.waited = 0.0

    def wait_after(self, error: Exception) -> float:
        reason = self._refusal(error)
        if reason is None:
            wait = self._wait(error)
            if wait is None:
                hinted = retry_after_seconds(_headers(error))
                reason = (
                    f"the server asked to wait {hinted:.0f} s (Retry-After), more than "
                    f"the {self.policy.max_retry_after:g} s a client waits at once"
                )
            elif self.waited + wait > self.max_wait:
                reason = (
                    f"the next wait of {wait:.1f} s would pass max_retry_wait={self.max_wait:g} s"
                )
            elif not self.deadline.allows_wait(wait):
                reason = (
                    f"the next wait of {wait:.1f} s would pass the call's "
                    f"total_timeout={self.deadline.seconds:g} s"
                )
            else:
                if self._free_rate_limit(error):
                    self.rate_limited += 1
                else:
                    self.attempt += 1
                self.waited += wait
                return wait
            _annotate(error, f"gave up after {self._summary()}: {reason}; {self._in_all()}")
        elif self.attempt or self.rate_limited:
            _annotate(error, f"gave up after {self._summary()}: {reason}; {self._in_all()}")
        raise error

    def _refusal(self, error: Exception) -> str | None:
        policy = self.policy
        failure = self.classify(error)
        if failure is None:
            return "not a retryable error"
        if self.deadline.expired:
            return f"the call's total_timeout={self.deadline.seconds:g} s is spent"
        if self._free_rate_limit(error) or policy.should_retry(
            self.attempt,
            status=failure.status,
            code=failure.code,
            connection_error=failure.connection_error,
        ):
            return None
        if self.attempt >= policy.max_retries:
            return f"max_retries={policy.max_retries} reached"
        return "not retryable"

    def _free_rate_limit(self, error: Exception) -> bool:
        failure = self.classify(error)
        return self.policy.max_retries > 0 and failure is not None and failure.status == 429

    def _wait(self, error: Exception) -> float | None:
        return self.policy.delay(self.attempt + self.rate_limited, _headers(error))

    def _summary(self) -> str:
        attempts = self.attempt + self.rate_limited + 1
        return f"{attempts} attempt{'s' if attempts > 1 else ''} and {self.waited:.1f} s of waiting"

    def _in_all(self) -> str:
        return f"{self.deadline.elapsed():.1f} s in all"


def _headers(error: Exception) -> Mapping[str, str]:
    return error.headers if isinstance(error, APIStatusError) else {}


def _annotate(error: Exception, note: str) -> None:
    """Append ``note`` to the message users see (``str(error)``), keeping ``message``."""
    text = str(error)
    error.args = (f"{text} ({note})" if text else note,)
