"""The chat streams both clients return: a reply's bytes through the stream pipeline, as
``StreamEvent``s, with a ``ChatResponse`` kept up to date. A transport failure mid-stream is a
``StreamError`` carrying what arrived (``partial``); errors leave with secrets masked. A
stream is read once: its reply opens on the first iteration (``open_reply``; ``retry`` may
open another when the first is refused, e.g. for structured output in another form).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TypeVar

from ..errors import APIConnectionError, APIStatusError, ConfigurationError
from ..redaction import Redactor, masking
from ..types import ChatResponse, StreamEvent
from .pipeline import StreamPipeline
from .replies import is_event_stream
from .reply import AsyncHttpReply, HttpReply

R = TypeVar("R")
Reopen = Callable[[APIStatusError], "tuple[Callable[[], R], StreamPipeline] | None"]
"""Given the error that refused a stream, how to open another one instead (or ``None``)."""

_TWICE = (
    "this stream was already iterated (a second pass would send the request again); "
    "its reply is in response()"
)


class ChatStream:
    """Iterate for ``StreamEvent``s; ``response()`` is the reply accumulated so far."""

    def __init__(
        self,
        open_reply: Callable[[], HttpReply],
        pipeline: StreamPipeline,
        redactor: Redactor,
        retry: Reopen[HttpReply] | None = None,
    ) -> None:
        self._open_reply = open_reply
        self._pipeline = pipeline
        self._redactor = redactor
        self._retry = retry
        self._response: HttpReply | None = None

    def _open(self) -> HttpReply:
        again = None
        try:
            return self._open_reply()
        except APIStatusError as error:
            again = self._retry(error) if self._retry is not None else None
            if again is None:
                raise
        self._open_reply, self._pipeline = again
        return self._open_reply()

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    def __iter__(self) -> Iterator[StreamEvent]:
        if self._response is not None:
            raise ConfigurationError(_TWICE)
        reply = self._response = self._open()
        pipeline = self._pipeline
        try:
            with masking(self._redactor):
                if not is_event_stream(reply.headers):
                    reply.read()
                    yield from pipeline.from_json_reply(reply.json())
                    return
                failure: APIConnectionError | None = None
                try:
                    for chunk in reply.iter_bytes():
                        yield from pipeline.feed(chunk)
                except APIConnectionError as exc:
                    failure = exc
                if failure is not None:
                    raise pipeline.broken(failure)
                yield from pipeline.close()
        finally:
            reply.close()

    def until_done(self) -> ChatResponse:
        for _ in self:
            pass
        return self.response()

    def close(self) -> None:
        if self._response is not None:
            self._response.close()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncChatStream:
    """The async twin of ``ChatStream``: ``async for`` events, ``await until_done()``."""

    def __init__(
        self,
        open_reply: Callable[[], Awaitable[AsyncHttpReply]],
        pipeline: StreamPipeline,
        redactor: Redactor,
        retry: Reopen[Awaitable[AsyncHttpReply]] | None = None,
    ) -> None:
        self._open_reply = open_reply
        self._pipeline = pipeline
        self._redactor = redactor
        self._retry = retry
        self._response: AsyncHttpReply | None = None

    async def _open(self) -> AsyncHttpReply:
        again = None
        try:
            return await self._open_reply()
        except APIStatusError as error:
            again = self._retry(error) if self._retry is not None else None
            if again is None:
                raise
        self._open_reply, self._pipeline = again
        return await self._open_reply()

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        if self._response is not None:
            raise ConfigurationError(_TWICE)
        reply = self._response = await self._open()
        pipeline = self._pipeline
        try:
            with masking(self._redactor):
                if not is_event_stream(reply.headers):
                    await reply.aread()
                    for event in pipeline.from_json_reply(reply.json()):
                        yield event
                    return
                failure: APIConnectionError | None = None
                try:
                    async for chunk in reply.aiter_bytes():
                        for event in pipeline.feed(chunk):
                            yield event
                except APIConnectionError as exc:
                    failure = exc
                if failure is not None:
                    raise pipeline.broken(failure)
                for event in pipeline.close():
                    yield event
        finally:
            await reply.aclose()

    async def until_done(self) -> ChatResponse:
        async for _ in self:
            pass
        return self.response()

    async def aclose(self) -> None:
        if self._response is not None:
            await self._response.aclose()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


__all__ = ["AsyncChatStream", "ChatStream"]
