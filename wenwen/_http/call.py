"""One call through all its attempts, sans-IO: the state and decisions both clients share.

A ``Call`` gives each attempt its timeouts (the per-try ``timeout`` cut to what is left of
the call's ``total_timeout``), turns every failure into a typed error with the key and any
URL credential masked, and says how long to wait before the next attempt (or raises). The
sync and async drivers in ``wenwen._client`` only send, read and sleep.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from ..errors import APIConnectionError, APIStatusError, APITimeoutError, WenwenError
from .deadline import Deadline, timeout_error
from .prepare import ClientCore, PreparedRequest
from .replies import connection_error, status_error, target
from .retry import SYSTEM_CLOCK, RetryFlow

RETRYABLE = (APIStatusError, APIConnectionError)


class Unset:
    """The default of a per-call setting: the client's own value."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


class Call:
    """The attempts of one request (see the module docstring)."""

    def __init__(
        self,
        core: ClientCore,
        prepared: PreparedRequest,
        total_timeout: float | Unset | None = UNSET,
    ) -> None:
        self.core = core
        self.prepared = prepared
        budget = core.total_timeout if isinstance(total_timeout, Unset) else total_timeout
        self.deadline = Deadline(budget)
        self.retry = RetryFlow(core.retry, core.max_retry_wait, deadline=self.deadline)
        self.attempts = 0
        self.host = core.host

    def start_attempt(self) -> dict[str, float | None]:
        """This attempt's timeouts; raises ``APITimeoutError`` when the budget is spent."""
        if self.attempts and self.deadline.expired:
            raise self.timed_out()
        self.attempts += 1
        return self.deadline.httpx_timeouts(self.core.timeout)

    def remaining(self) -> float | None:
        return self.deadline.remaining()

    def timed_out(self, what: str = "request") -> APITimeoutError:
        error = timeout_error(
            self.deadline,
            host=self.host,
            per_try=self.core.timeout.read,
            attempts=max(self.attempts, 1),
            what=what,
        )
        error.port = target(self.prepared.url)[1]
        return error

    def failed(self, exc: BaseException, *, reading: bool = False) -> WenwenError:
        """The typed error for a transport failure (``exc`` is dropped, not chained)."""
        if isinstance(exc, httpx.TimeoutException | TimeoutError):
            return self.timed_out("reading the reply" if reading else "request")
        what = "the connection broke while reading a reply from" if reading else "could not reach"
        return connection_error(exc, self.core.redactor, what=what, url=self.prepared.url)

    def status_failed(
        self, status: int, content: bytes, headers: Mapping[str, str]
    ) -> APIStatusError:
        return status_error(status, content, headers, self.core.redactor)

    def wait_after(self, error: Exception) -> float:
        """Seconds to wait before the next attempt; raises ``error`` (annotated, key-free)
        when there is none."""
        try:
            wait = self.retry.wait_after(error)
        except WenwenError as final:
            self.core.redactor.scrub(final)
            raise
        if self.core.clock is not SYSTEM_CLOCK:
            self.deadline.skip(wait)  # a simulated wait spends the budget too
        return wait

    def check_time(self, what: str = "reading the reply") -> None:
        """Between two reads of a body: raises when the budget is spent."""
        if self.deadline.expired:
            raise self.timed_out(what)


__all__ = ["RETRYABLE", "UNSET", "Call", "Unset"]
