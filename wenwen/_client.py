"""``WenwenClient`` and ``AsyncWenwenClient``: the only code that does I/O.

Both are thin: everything they decide comes from ``_shared`` (headers, replies, errors, the
stream pipeline) and ``_transport.RetryPolicy``; they differ only in ``send`` versus
``await send``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from ._settings import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._shared import (
    ClientCore,
    StreamPipeline,
    TimeoutTypes,
    decode_json,
    embedding_batches,
    embedding_request,
    is_event_stream,
    merge_embeddings,
    parse_embeddings,
    parse_models,
    translate_transport_error,
)
from ._transport import ShardedAsyncTransport, default_ssl_context
from .protocols import HttpRequest, WireProtocol
from .tokens import count_tokens_request
from .types import ChatRequest, ChatResponse, EmbeddingResult, ModelInfo, StreamEvent

if TYPE_CHECKING:  # the media resources load on first use of client.images / client.audio
    from .media.resources import AsyncAudio, AsyncImages, Audio, Images
    from .tasks.resources import AsyncMidjourney, AsyncVideos, Midjourney, Videos

# Module-level so tests can replace the waits without touching the time/asyncio modules.
_sleep = time.sleep
_async_sleep = asyncio.sleep


class WenwenClient:
    """A synchronous client. ``api_key``/``base_url`` default to ``WENWEN_API_KEY`` and
    ``WENWEN_BASE_URL``; an ``http_client`` you pass in is used as is and not closed."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers,
        )  # fmt: skip
        self._owns_http = http_client is None
        self._http_client = http_client or self._new_http()
        self._pid = os.getpid()

    def _new_http(self) -> httpx.Client:
        return httpx.Client(timeout=self._core.timeout, verify=default_ssl_context())

    @property
    def _http(self) -> httpx.Client:
        # after os.fork the child never uses (or closes) the parent's pooled sockets
        if self._pid != os.getpid() and self._owns_http:
            self._http_client, self._pid = self._new_http(), os.getpid()
        return self._http_client

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    def __repr__(self) -> str:
        return f"WenwenClient(base_url={self.base_url!r})"

    @functools.cached_property
    def images(self) -> Images:
        from .media.resources import Images

        return Images(self)

    @functools.cached_property
    def audio(self) -> Audio:
        from .media.resources import Audio

        return Audio(self)

    def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        """Send with retries; returns a successful response (a stream not yet read)."""
        attempt = 0
        while True:
            try:
                response = self._http.send(request, stream=stream)
            except httpx.HTTPError as exc:
                error: Exception = translate_transport_error(exc)
            else:
                if response.status_code < 400:
                    return response
                content = response.read()
                response.close()
                error = self._core.status_error(response, content)
            wait = self._core.may_retry(attempt, error)
            if wait is None:
                raise error
            _sleep(wait)
            attempt += 1

    def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = self._send(self._core.build(spec, protocol))
        return decode_json(response, response.content)

    def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, http_request = self._core.chat_request(request, protocol, stream=False)
        response = self._send(http_request)
        return wire.parse_response(decode_json(response, response.content), request)

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> ChatStream:
        wire, http_request = self._core.chat_request(request, protocol, stream=True)
        return ChatStream(self, http_request, StreamPipeline(wire, request))

    def embed(
        self,
        texts: Sequence[str],
        *,
        model: str,
        dimensions: int | None = None,
        batch_size: int = 512,
        extra_body: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
    ) -> EmbeddingResult:
        """Batches of ``batch_size`` texts, up to ``max_concurrency`` requests at a time
        (threads share this client's connection pool); vectors come back in input order."""

        def one(batch: list[str]) -> Any:
            body = self._json(embedding_request(model, batch, dimensions, extra_body))
            return parse_embeddings(body, len(batch))

        batches = embedding_batches(texts, batch_size)
        workers = min(max(max_concurrency, 1), len(batches))
        if workers <= 1:
            return merge_embeddings(model, [one(b) for b in batches])
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wenwen-embed") as pool:
            return merge_embeddings(model, list(pool.map(one, batches)))

    def list_models(self) -> list[ModelInfo]:
        return parse_models(self._json(HttpRequest("GET", "/v1/models")))

    def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` from the protocol's counting endpoint (one
        request; ``UnsupportedFeatureError`` for a protocol without one)."""
        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(self._json(spec, wire))

    def request_json(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        """Any JSON endpoint of the relay, with this client's auth, retries and errors."""
        return self._json(HttpRequest(method, path, json=json))

    @property
    def videos(self) -> Videos:
        """Video tasks (``wenwen.tasks``): create, retrieve, wait, download, generate."""
        from .tasks.resources import Videos

        return Videos(self)

    @property
    def midjourney(self) -> Midjourney:
        """Midjourney tasks (``wenwen.tasks``): imagine, blend, action, fetch, wait."""
        from .tasks.resources import Midjourney

        return Midjourney(self)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> WenwenClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class ChatStream:
    """Iterate for ``StreamEvent``s; ``response()`` is the reply accumulated so far."""

    def __init__(
        self, client: WenwenClient, request: httpx.Request, pipeline: StreamPipeline
    ) -> None:
        self._client = client
        self._request = request
        self._pipeline = pipeline
        self._response: httpx.Response | None = None

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    def __iter__(self) -> Iterator[StreamEvent]:
        response = self._response = self._client._send(self._request, stream=True)
        pipeline = self._pipeline
        try:
            if not is_event_stream(response):
                yield from pipeline.from_json_reply(decode_json(response, response.read()))
                return
            try:
                for chunk in response.iter_bytes():
                    yield from pipeline.feed(chunk)
            except httpx.HTTPError as exc:
                raise pipeline.broken(exc) from exc
            yield from pipeline.close()
        finally:
            response.close()

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


class AsyncWenwenClient:
    """The asynchronous client. Its connection pool belongs to the event loop it first runs
    on; make one client per loop (nothing is cached process-wide)."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers,
        )  # fmt: skip
        self._owns_http = http_client is None
        self._http_client = http_client or self._new_http()
        self._pid = os.getpid()

    def _new_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self._core.timeout, transport=ShardedAsyncTransport())

    @property
    def _http(self) -> httpx.AsyncClient:
        # after os.fork the child never uses (or closes) the parent's pooled sockets
        if self._pid != os.getpid() and self._owns_http:
            self._http_client, self._pid = self._new_http(), os.getpid()
        return self._http_client

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    def __repr__(self) -> str:
        return f"AsyncWenwenClient(base_url={self.base_url!r})"

    @functools.cached_property
    def images(self) -> AsyncImages:
        from .media.resources import AsyncImages

        return AsyncImages(self)

    @functools.cached_property
    def audio(self) -> AsyncAudio:
        from .media.resources import AsyncAudio

        return AsyncAudio(self)

    async def _send(self, request: httpx.Request, *, stream: bool = False) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.HTTPError as exc:
                error: Exception = translate_transport_error(exc)
            else:
                if response.status_code < 400:
                    return response
                content = await response.aread()
                await response.aclose()
                error = self._core.status_error(response, content)
            wait = self._core.may_retry(attempt, error)
            if wait is None:
                raise error
            await _async_sleep(wait)
            attempt += 1

    async def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = await self._send(self._core.build(spec, protocol))
        return decode_json(response, response.content)

    async def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, http_request = self._core.chat_request(request, protocol, stream=False)
        response = await self._send(http_request)
        return wire.parse_response(decode_json(response, response.content), request)

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> AsyncChatStream:
        wire, http_request = self._core.chat_request(request, protocol, stream=True)
        return AsyncChatStream(self, http_request, StreamPipeline(wire, request))

    async def embed(
        self,
        texts: Sequence[str],
        *,
        model: str,
        dimensions: int | None = None,
        batch_size: int = 512,
        extra_body: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
    ) -> EmbeddingResult:
        batches = embedding_batches(texts, batch_size)
        gate = asyncio.Semaphore(max(max_concurrency, 1))

        async def one(batch: list[str]) -> Any:
            async with gate:
                body = await self._json(embedding_request(model, batch, dimensions, extra_body))
            return parse_embeddings(body, len(batch))

        results = await asyncio.gather(*(one(b) for b in batches))
        return merge_embeddings(model, list(results))

    async def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` (see ``WenwenClient.count_tokens``)."""
        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(await self._json(spec, wire))

    async def list_models(self) -> list[ModelInfo]:
        return parse_models(await self._json(HttpRequest("GET", "/v1/models")))

    async def request_json(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        return await self._json(HttpRequest(method, path, json=json))

    @property
    def videos(self) -> AsyncVideos:
        from .tasks.resources import AsyncVideos

        return AsyncVideos(self)

    @property
    def midjourney(self) -> AsyncMidjourney:
        from .tasks.resources import AsyncMidjourney

        return AsyncMidjourney(self)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncWenwenClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncChatStream:
    def __init__(
        self, client: AsyncWenwenClient, request: httpx.Request, pipeline: StreamPipeline
    ) -> None:
        self._client = client
        self._request = request
        self._pipeline = pipeline
        self._response: httpx.Response | None = None

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        response = self._response = await self._client._send(self._request, stream=True)
        pipeline = self._pipeline
        try:
            if not is_event_stream(response):
                body = decode_json(response, await response.aread())
                for event in pipeline.from_json_reply(body):
                    yield event
                return
            try:
                async for chunk in response.aiter_bytes():
                    for event in pipeline.feed(chunk):
                        yield event
            except httpx.HTTPError as exc:
                raise pipeline.broken(exc) from exc
            for event in pipeline.close():
                yield event
        finally:
            await response.aclose()

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


__all__ = ["AsyncChatStream", "AsyncWenwenClient", "ChatStream", "WenwenClient"]
