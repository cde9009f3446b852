"""The httpx async connection pool that keeps 100 concurrent calls fast, and the shared TLS
context. (The retry policy lives in ``_retry``; it is re-exported here for old imports.)"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable

import httpx

from .retry import RetryPolicy, retry_after_seconds


@functools.lru_cache(maxsize=1)
def default_ssl_context() -> ssl.SSLContext:
    """Built once: loading the CA bundle takes ~150 ms, and every shard needs the same one."""
    return httpx.create_ssl_context()


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    """Spreads requests over several small connection pools.

    httpcore's pool re-scans all of its connections on every request enqueue and release
    (O(N²) in the number of connections), so one pool with 100 busy connections is about
    ten times slower than ten pools of ten (bench/run.py's ``raw_httpx_async_sharded`` row;
    https://github.com/encode/httpcore/pull/1035). Each request goes to the shard with the fewest requests in flight, so
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


__all__ = ["RetryPolicy", "ShardedAsyncTransport", "default_ssl_context", "retry_after_seconds"]
