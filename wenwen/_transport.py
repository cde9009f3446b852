"""The retry policy, and the async connection pool that keeps 100 concurrent calls fast.

``RetryPolicy`` is pure: it decides whether an attempt that failed may be tried again and
how long to wait. The clients apply it before the first byte of a body only — a stream that
breaks half-way is never replayed (the caller has already seen part of it).
"""

from __future__ import annotations

import email.utils
import functools
import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})
# The relay reports configuration problems with 5xx statuses; retrying cannot fix them
# (new-api: 503 model_not_found, see research/relay-and-wire.md §3.2).
NON_RETRYABLE_CODES = frozenset({"model_not_found", "insufficient_user_quota"})


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
        base = min(self.initial_delay * (2**attempt), self.max_delay)
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


@functools.lru_cache(maxsize=1)
def default_ssl_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle takes ~150 ms, and every shard needs the same one."""
    return httpx.create_ssl_context()


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Spreads requests over several small connection pools.

    httpcore's pool re-scans all of its connections on every request enqueue and release
    (O(N²) in the number of connections), so one pool with 100 busy connections is about
    ten times slower than ten pools of ten (research/perf-reliability.md §2; encode/httpcore
    PR #1035). Each request goes to the shard with the fewest requests in flight, so
    concurrency is not capped at one small pool's size.
    """

    def __init__(self, shards: int = 10, connections_per_shard: int = 10, **kwargs: object) -> None:
        limits = httpx.Limits(
            max_connections=connections_per_shard,
            max_keepalive_connections=connections_per_shard,
        )
        kwargs.setdefault("verify", default_ssl_context())
        self._shards = [
            httpx.AsyncHTTPTransport(limits=limits, **kwargs)  # type: ignore[arg-type]
            for _ in range(max(shards, 1))
        ]
        self._in_flight = [0] * len(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._shards)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            response = await self._shards[index].handle_async_request(request)
        except BaseException:
            self._in_flight[index] -= 1
            raise
        stream = response.stream
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._in_flight[index] -= 1

        response.stream = _ReleasingStream(stream, release)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.aclose()


class _ReleasingStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release = release

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            self._release()
