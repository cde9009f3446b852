"""A per-key request rate limit, like new-api's ``ModelRequestRateLimit`` middleware
(``middleware/model-rate-limit.go``): at most ``requests`` requests per key in any window of
``period`` seconds (a sliding log of admitted requests), answered over the limit with a 429 in
the relay's OpenAI error shape on every route.

new-api itself sends no ``Retry-After``; the emulator sends ``Retry-After`` (whole seconds,
rounded up) and ``retry-after-ms`` (exact) unless ``retry_after=False``, so that clients can be
tested both ways. Time comes from the emulator's clock: a test freezes it and moves it.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Mapping

from starlette.responses import Response

from .errors import error


class KeyRateLimit:
    def __init__(
        self,
        requests: int,
        period: float = 1.0,
        *,
        retry_after: bool = True,
        now: Callable[[], float],
    ) -> None:
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            raise ValueError(
                f"rate_limit must be a whole number of requests >= 1, got {requests!r}"
            )
        if not (period > 0 and math.isfinite(period)):
            raise ValueError(f"rate_limit_period must be seconds > 0, got {period!r}")
        self.requests = requests
        self.period = period
        self.retry_after = retry_after
        self._now = now
        self._log: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.admitted = 0
        """Requests let through, all keys together."""
        self.rejected = 0
        """Requests answered 429."""

    def check(self, key: str) -> float | None:
        """``None`` when the request may pass (it is counted), else the seconds until one
        would."""
        now = self._now()
        with self._lock:
            log = self._log.setdefault(key, deque())
            while log and log[0] <= now - self.period:
                log.popleft()
            if len(log) >= self.requests:
                self.rejected += 1
                return max(log[0] + self.period - now, 0.001)
            log.append(now)
            self.admitted += 1
            return None

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self.admitted = self.rejected = 0

    def response(self, wait: float, request_id: str) -> Response:
        headers = {}
        if self.retry_after:
            headers = {"Retry-After": str(math.ceil(wait)), "retry-after-ms": f"{wait * 1000:.0f}"}
        window = f"{self.period:g} s" if self.period < 60 else f"{self.period / 60:g} min"
        message = (  # new-api's own wording (full-width colon)
            f"您已达到请求数限制：{window}内最多请求{self.requests}次 "  # noqa: RUF001
            f"(rate limit: at most {self.requests} requests per {window} per key)"
        )
        return error("openai", 429, message, request_id, headers=headers)


def request_key(headers: Mapping[str, str], query: Mapping[str, str]) -> str:
    """The key a request names (whichever header new-api would read), for counting."""
    auth = headers.get("authorization", "").strip()
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else auth
    return (
        key
        or headers.get("x-api-key", "").strip()
        or headers.get("x-goog-api-key", "").strip()
        or query.get("key", "").strip()
    )
