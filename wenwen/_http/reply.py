"""A reply from the relay as the public request API hands it out: status, headers and a body
read whole or in chunks. Reading raises only typed errors (a torn or stalled body is an
``APIConnectionError`` / ``APITimeoutError``, raised outside any handler so that no
exception chain keeps the request and its headers), and every read fits in the call's
``total_timeout`` (``bounded=False`` leaves a chat stream's body to the per-read timeout).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from types import TracebackType
from typing import Any

import httpx

from ..redaction import redact_urls
from .async_io import AsyncReply
from .call import Call
from .replies import decode_json


class _ReplyBase:
    def __init__(self, call: Call, status_code: int, headers: Mapping[str, str]) -> None:
        self._call = call
        self.status_code = status_code
        self.headers = headers
        self._content: bytes | None = None

    @property
    def url(self) -> str:
        """The request's URL with any key or signature masked."""
        return redact_urls(self._call.prepared.url)

    @property
    def content(self) -> bytes:
        """The body (read it first: ``read()`` / ``await aread()``)."""
        if self._content is None:
            raise RuntimeError("the body has not been read; call read() or aread() first")
        return self._content

    def json(self) -> Any:
        """The body as JSON; a typed error for a body that is not JSON or wraps an error."""
        return decode_json(self.status_code, self.content, self.headers, self._call.core.redactor)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self._call.prepared.method} {self.url}>"


class HttpReply(_ReplyBase):
    """A reply of ``WenwenClient.request`` / ``open``: ``read()``, ``iter_bytes()``,
    ``json()``, ``close()`` (or use it as a context manager)."""

    def __init__(
        self,
        response: httpx.Response,
        call: Call,
        timeouts: dict[str, float | None],
        *,
        bounded: bool = True,
    ) -> None:
        super().__init__(call, response.status_code, response.headers)
        self._response = response
        self._timeouts = timeouts
        self._bounded = bounded

    def read(self) -> bytes:
        if self._content is None:
            self._content = b"".join(self.iter_bytes())
        return self._content

    def iter_bytes(self) -> Iterator[bytes]:
        if self._content is not None:
            yield self._content
            return
        chunks = self._response.iter_bytes()
        call, per_read = self._call, self._call.core.timeout.read
        failure: BaseException | None = None
        try:
            while True:
                if self._bounded:
                    call.check_time()
                    # httpcore reads this dict before every socket read (httpcore/_sync/http11.py)
                    self._timeouts["read"] = call.deadline.bound(per_read)
                try:
                    chunk = next(chunks)
                except StopIteration:
                    return
                except httpx.HTTPError as exc:
                    failure = exc
                    break
                yield chunk
        finally:
            if failure is not None:
                self._response.close()
        raise call.failed(failure, reading=True)

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> HttpReply:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncHttpReply(_ReplyBase):
    """A reply of ``AsyncWenwenClient.request`` / ``open``: ``await aread()``,
    ``aiter_bytes()``, ``json()``, ``await aclose()`` (or ``async with``)."""

    def __init__(self, reply: AsyncReply, call: Call, *, bounded: bool = True) -> None:
        super().__init__(call, reply.status_code, reply.headers)
        self._reply = reply
        self._bounded = bounded

    def _budget(self) -> float | None:
        left = self._call.remaining() if self._bounded else None
        return None if left is None else max(left, 0.0)

    async def read_unguarded(self) -> None:
        """Read the whole body, leaving time limits and error translation to the caller."""
        try:
            self._content = await self._reply.aread()
        finally:
            await self._reply.aclose()

    async def aread(self) -> bytes:
        if self._content is not None:
            return self._content
        failure: BaseException | None = None
        try:
            async with asyncio.timeout(self._budget()):
                self._content = await self._reply.aread()
        except (httpx.HTTPError, TimeoutError) as exc:
            failure = exc
        if failure is not None:
            await self._reply.aclose()
            raise self._call.failed(failure, reading=True)
        return self._content  # type: ignore[return-value]

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        if self._content is not None:
            yield self._content
            return
        chunks = self._reply.aiter_bytes().__aiter__()
        failure: BaseException | None = None
        while failure is None:
            budget = self._budget()
            try:
                if budget is None:
                    chunk = await chunks.__anext__()
                else:
                    async with asyncio.timeout(budget):
                        chunk = await chunks.__anext__()
            except StopAsyncIteration:
                return
            except (httpx.HTTPError, TimeoutError) as exc:
                failure = exc
                break
            yield chunk
        await self._reply.aclose()
        raise self._call.failed(failure, reading=True)

    async def aclose(self) -> None:
        await self._reply.aclose()

    async def __aenter__(self) -> AsyncHttpReply:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


__all__ = ["AsyncHttpReply", "HttpReply"]
