"""``WenwenClient`` and ``AsyncWenwenClient``: the only code that does I/O.

Both are thin: requests come from ``_requests``, replies and errors from ``_replies``, the
retry decisions from ``_retry.RetryFlow`` (waiting through the injected ``Clock``), and the
stream pipeline from ``_pipeline``; they differ only in ``send`` versus ``await send``.
The async client sends with aiohttp when it is installed (``async_transport="auto"``),
else with httpx; both paths raise the same typed errors.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import SecretStr

from ._hints import explain, needs_model_list
from ._http.async_io import AsyncReply, AsyncSender, AsyncTransportName, make_sender
from ._http.pipeline import StreamPipeline
from ._http.prepare import ClientCore, PreparedRequest, TimeoutTypes
from ._http.replies import decode_json, is_event_stream, parse_models, status_error, transport_error
from ._http.retry import Clock
from ._http.transport import default_ssl_context
from ._settings import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from .concurrency import Limiter, RateLimit
from .errors import APIConnectionError, APIStatusError, ConfigurationError, WenwenError
from .protocols import HttpRequest, WireProtocol
from .types import ChatRequest, ChatResponse, EmbeddingResult, ModelInfo, StreamEvent, Usage

if TYPE_CHECKING:  # the media and task resources load on first use
    from .media import embeddings
    from .media.resources import AsyncAudio, AsyncImages, Audio, Images
    from .tasks.resources import AsyncMidjourney, AsyncVideos, Midjourney, Videos

_RETRYABLE = (APIStatusError, APIConnectionError)
_FLOAT_ONLY_LOCK = threading.Lock()
# Pools inherited across a fork: never used or closed in the child (the parent still owns the
# sockets), only kept referenced so that collecting them does not touch the sockets either.
_INHERITED: list[object] = []
EmbedBatch = tuple[list[list[float]], Any, str | None]
E = TypeVar("E", bound=Exception)


def _limiter(rate_limit: float | RateLimit | None, limiter: Limiter | None) -> Limiter:
    if limiter is not None and rate_limit is not None:
        raise ConfigurationError("pass rate_limit or limiter, not both (a limiter has its own)")
    return limiter if limiter is not None else Limiter(rate_limit)


def _outcome(one: Callable[[list[str]], EmbedBatch], batch: list[str]) -> EmbedBatch | Exception:
    try:
        return one(batch)
    except Exception as error:  # kept: the other batches' vectors still count
        return error


def _tokens(usage: Usage | None) -> int:
    if usage is None:
        return 0
    return usage.total_tokens or usage.input_tokens + usage.output_tokens


def _rate_limited(error: Exception) -> bool:
    return isinstance(error, APIStatusError) and error.status_code == 429


def _float_only_models(client: WenwenClient | AsyncWenwenClient) -> embeddings.FloatOnlyModels:
    """The client's memory of models whose upstream refused base64 (made on the first
    embedding call, so that a chat-only process never loads ``wenwen.media``)."""
    with _FLOAT_ONLY_LOCK:
        if client._float_only_models is None:
            from .media.embeddings import FloatOnlyModels

            client._float_only_models = FloatOnlyModels()
        return client._float_only_models


class WenwenClient:
    """A synchronous client. ``api_key``/``base_url`` default to ``WENWEN_API_KEY`` and
    ``WENWEN_BASE_URL``; an ``http_client`` you pass in is used as is and not closed.
    ``max_retry_wait`` bounds the seconds one call spends waiting between retries
    (default 30); ``clock`` replaces the waiting itself (for simulations and tests).
    Requests in flight adapt to the key's rate limit (``wenwen.concurrency``): a 429 pauses
    every request of the client's ``limiter`` and lowers its in-flight limit; pass one
    ``limiter`` to several clients to share it, or ``rate_limit`` (requests per second, or a
    ``RateLimit``) for a fixed budget. The pool closes with ``close()``, the ``with`` block,
    or when the client is collected (or the interpreter exits)."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        max_retry_wait: float | None = None,
        clock: Clock | None = None,
        rate_limit: float | RateLimit | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
        )  # fmt: skip
        self.limiter = _limiter(rate_limit, limiter)
        self._owns_http = http_client is None
        self._http_client = http_client or self._new_http()
        self._pid = os.getpid()
        self._float_only_models: embeddings.FloatOnlyModels | None = None
        self._model_names: list[str] | None = None  # for hints on unknown models

    def _new_http(self) -> httpx.Client:
        client = httpx.Client(timeout=self._core.timeout, verify=default_ssl_context())
        # an owned pool closes when this client is collected or at interpreter exit (a worker
        # or actor that never calls close() leaves no "unclosed socket" behind)
        self._finalizer = weakref.finalize(self, client.close)
        return client

    @property
    def _http(self) -> httpx.Client:
        # after os.fork the child never uses (or closes) the parent's pooled sockets
        if self._pid != os.getpid() and self._owns_http:
            self._finalizer.detach()
            _INHERITED.append(self._http_client)
            self._http_client, self._pid = self._new_http(), os.getpid()
        return self._http_client

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    def __repr__(self) -> str:
        return f"WenwenClient(base_url={self.base_url!r})"

    @functools.cached_property
    def images(self) -> Images:
        """Image generation and editing (``wenwen.media``)."""
        from .media.resources import Images

        return Images(self)

    @functools.cached_property
    def audio(self) -> Audio:
        """Transcription and speech (``wenwen.media``)."""
        from .media.resources import Audio

        return Audio(self)

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

    def _attempt(self, prepared: PreparedRequest, stream: bool) -> httpx.Response:
        failure: httpx.HTTPError | None = None
        try:
            response = self._http.send(self._core.httpx_request(prepared), stream=stream)
        except httpx.HTTPError as exc:
            failure = exc
        if failure is not None:
            # raised outside the handler: no exception chain that could hold the key
            raise self._explained(
                transport_error(failure, self._core.secret(), prepared.url), prepared
            )
        if response.status_code >= 400:
            content = response.read()
            response.close()
            raise self._explained(
                status_error(response.status_code, content, response.headers), prepared
            )
        return response

    def _explained(self, error: E, prepared: PreparedRequest) -> E:
        """``error`` saying what to do next (the model list is read only for an unknown
        model, once per client)."""
        known = self._known_models() if needs_model_list(error, prepared) else None
        explain(error, prepared, self._core.settings, known)
        return error

    def _known_models(self) -> list[str]:
        if self._model_names is None:
            try:
                # one attempt outside the limiter: the failing request still holds its slot
                response = self._attempt(
                    self._core.prepare(HttpRequest("GET", "/v1/models")), False
                )
                body = decode_json(response.status_code, response.content, response.headers)
                self._model_names = [m.id for m in parse_models(body)]
            except WenwenError:
                self._model_names = []
        return self._model_names

    def _send(self, prepared: PreparedRequest, *, stream: bool = False) -> httpx.Response:
        """Send with retries; returns a successful response (a stream not yet read). The
        request holds one of the limiter's slots from its first attempt to its last."""
        flow, limiter, clock = self._core.retry_flow(), self.limiter, self._core.clock
        limiter.acquire()
        try:
            own_pause_served = False
            while True:
                delay = limiter.attempt_delay(own_pause_served=own_pause_served)
                if delay > 0:
                    clock.sleep(delay)
                if limiter.gate is not None:
                    limiter.gate.acquire()
                try:
                    response = self._attempt(prepared, stream)
                except _RETRYABLE as error:
                    wait = flow.wait_after(error)
                    if _rate_limited(error):
                        limiter.rate_limited(wait)
                    clock.sleep(wait)
                    own_pause_served = True
                else:
                    limiter.succeeded()
                    return response
        finally:
            limiter.release()

    def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = self._send(self._core.prepare(spec, protocol))
        return decode_json(response.status_code, response.content, response.headers)

    def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        try:
            response = self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            response = self._send(prepared)
        body = decode_json(response.status_code, response.content, response.headers)
        reply = wire.parse_response(body, request)
        self.limiter.spend_tokens(_tokens(reply.usage))
        return reply

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> ChatStream:
        wire, prepared = self._core.chat_request(request, protocol, stream=True)
        retry = functools.partial(_tool_form_retry, self._core, request, protocol)
        return ChatStream(self, prepared, StreamPipeline(wire, request), retry)

    def embed(
        self,
        texts: Sequence[str],
        *,
        model: str,
        dimensions: int | None = None,
        batch_size: int = 512,
        extra_body: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
        encoding_format: embeddings.EncodingFormat | None = None,
    ) -> EmbeddingResult:
        """Batches of ``batch_size`` texts, up to ``max_concurrency`` requests at a time
        (threads share this client's connection pool); vectors come back in input order.
        Vectors travel as base64 unless ``encoding_format="float"`` (or the upstream
        refused base64 for this model once)."""
        from .media import embeddings  # loads with the first embedding call

        explicit = embeddings.chosen_format(encoding_format, extra_body)
        float_only = _float_only_models(self)

        def one(batch: list[str]) -> EmbedBatch:
            fmt = float_only.format_for(model, explicit)
            try:
                body = self._json(embeddings.request(model, batch, dimensions, extra_body, fmt))
            except APIStatusError as error:
                if not embeddings.retry_as_float(error, fmt, explicit):
                    raise
                float_only.remember(model)
                body = self._json(embeddings.request(model, batch, dimensions, extra_body, "float"))
            parsed = embeddings.parse(body, len(batch))
            self.limiter.spend_tokens(_tokens(parsed[1]))
            return parsed

        batches = embeddings.batches(texts, batch_size)
        workers = min(max(max_concurrency, 1), len(batches))
        if workers <= 1:
            return embeddings.merge_outcomes(model, batches, [_outcome(one, b) for b in batches])
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wenwen-embed") as pool:
            futures = [pool.submit(one, batch) for batch in batches]
            outcomes = [future.exception() or future.result() for future in futures]
        return embeddings.merge_outcomes(model, batches, outcomes)  # type: ignore[arg-type]

    def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` from the protocol's counting endpoint (one
        request; ``UnsupportedFeatureError`` for a protocol without one)."""
        from .tokens import count_tokens_request  # the token tables load on first use

        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(self._json(spec, wire))

    def list_models(self) -> list[ModelInfo]:
        return parse_models(self._json(HttpRequest("GET", "/v1/models")))

    def request_json(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        """Any JSON endpoint of the relay, with this client's auth, retries and errors."""
        return self._json(HttpRequest(method, path, json=json))

    def close(self) -> None:
        if self._owns_http:
            self._http.close()
            self._finalizer.detach()

    def __enter__(self) -> WenwenClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _refused_native_format(protocol: str, request: ChatRequest, error: APIStatusError) -> bool:
    """A 400 for Anthropic's native structured output: ask again with the tool form."""
    if protocol != "anthropic" or request.response_format is None:
        return False
    from .protocols.anthropic_messages._structured import refused_native_format

    return refused_native_format(protocol, request, error)


ToolFormRetry = Callable[[APIStatusError], "tuple[PreparedRequest, StreamPipeline] | None"]


def _tool_form_retry(
    core: ClientCore, request: ChatRequest, protocol: str, error: APIStatusError
) -> tuple[PreparedRequest, StreamPipeline] | None:
    """The stream to open instead when ``error`` refused native structured output."""
    if not _refused_native_format(protocol, request, error):
        return None
    wire, prepared = core.chat_request(request, protocol, stream=True)
    return prepared, StreamPipeline(wire, request)


class ChatStream:
    """Iterate for ``StreamEvent``s; ``response()`` is the reply accumulated so far."""

    def __init__(
        self,
        client: WenwenClient,
        request: PreparedRequest,
        pipeline: StreamPipeline,
        retry: ToolFormRetry | None = None,
    ) -> None:
        self._client = client
        self._request = request
        self._pipeline = pipeline
        self._retry = retry
        self._response: httpx.Response | None = None

    def _open(self) -> httpx.Response:
        try:
            return self._client._send(self._request, stream=True)
        except APIStatusError as error:
            again = self._retry(error) if self._retry is not None else None
            if again is None:
                raise
            self._request, self._pipeline = again
            return self._client._send(self._request, stream=True)

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    def __iter__(self) -> Iterator[StreamEvent]:
        response = self._response = self._open()
        pipeline = self._pipeline
        try:
            if not is_event_stream(response.headers):
                body = decode_json(response.status_code, response.read(), response.headers)
                yield from pipeline.from_json_reply(body)
                return
            failure: httpx.HTTPError | None = None
            try:
                for chunk in response.iter_bytes():
                    yield from pipeline.feed(chunk)
            except httpx.HTTPError as exc:
                failure = exc
            if failure is not None:
                raise pipeline.broken(failure, self._client._core.secret())
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
    on; make one client per loop (nothing is cached process-wide). ``async_transport``:
    ``"auto"`` (aiohttp when installed and no ``http_client`` is given), ``"aiohttp"`` or
    ``"httpx"``. ``max_retry_wait``, ``clock``, ``rate_limit`` and ``limiter`` as for
    ``WenwenClient`` (one limiter may serve clients on several loops and threads)."""

    def __init__(
        self,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        *,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        max_retry_wait: float | None = None,
        clock: Clock | None = None,
        async_transport: AsyncTransportName = "auto",
        rate_limit: float | RateLimit | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
        )  # fmt: skip
        self.limiter = _limiter(rate_limit, limiter)
        self._closer_loop: asyncio.AbstractEventLoop | None = None
        self._closer: AsyncIterator[None] | None = None
        self._transport_choice = async_transport
        self._user_http = http_client
        self._sender_now = make_sender(self._core, async_transport, http_client)
        self._pid = os.getpid()
        self._float_only_models: embeddings.FloatOnlyModels | None = None
        self._model_names: list[str] | None = None  # for hints on unknown models

    @property
    def _sender(self) -> AsyncSender:
        # after os.fork the child never uses (or closes) the parent's pooled sockets
        if self._pid != os.getpid() and self._user_http is None:
            self._sender_now = make_sender(self._core, self._transport_choice, None)
            self._pid = os.getpid()
        return self._sender_now

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    @property
    def async_transport(self) -> str:
        """``"httpx"`` or ``"aiohttp"``: how this client sends."""
        return self._sender.name

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

    @property
    def videos(self) -> AsyncVideos:
        from .tasks.resources import AsyncVideos

        return AsyncVideos(self)

    @property
    def midjourney(self) -> AsyncMidjourney:
        from .tasks.resources import AsyncMidjourney

        return AsyncMidjourney(self)

    async def _attempt(self, prepared: PreparedRequest, stream: bool) -> AsyncReply:
        failure: httpx.HTTPError | None = None
        try:
            response = await self._sender.send(prepared, stream=stream)
        except httpx.HTTPError as exc:
            failure = exc
        if failure is not None:
            # raised outside the handler: no exception chain that could hold the key
            raise await self._explained(
                transport_error(failure, self._core.secret(), prepared.url), prepared
            )
        if response.status_code >= 400:
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            error = status_error(response.status_code, content, response.headers)
            raise await self._explained(error, prepared)
        return response

    async def _close_with_loop(self) -> None:
        """On a loop's first request: have the loop close this client's pool when it shuts
        down (``asyncio.run`` does so before closing), so that a worker calling
        ``asyncio.run`` per batch leaves no unclosed socket behind; the next loop gets a
        new pool."""
        loop = asyncio.get_running_loop()
        if self._closer_loop is loop:
            return
        self._closer_loop = loop
        self._closer = _pool_closer(weakref.ref(self))
        await anext(self._closer)  # registers with the loop's async-generator hooks

    async def _explained(self, error: E, prepared: PreparedRequest) -> E:
        known = await self._known_models() if needs_model_list(error, prepared) else None
        explain(error, prepared, self._core.settings, known)
        return error

    async def _known_models(self) -> list[str]:
        if self._model_names is None:
            try:
                # one attempt outside the limiter: the failing request still holds its slot
                response = await self._attempt(
                    self._core.prepare(HttpRequest("GET", "/v1/models")), False
                )
                body = decode_json(response.status_code, await response.aread(), response.headers)
                self._model_names = [m.id for m in parse_models(body)]
            except WenwenError:
                self._model_names = []
        return self._model_names

    async def _send(self, prepared: PreparedRequest, *, stream: bool = False) -> AsyncReply:
        if self._closer_loop is not asyncio.get_running_loop():
            await self._close_with_loop()
        flow, limiter, clock = self._core.retry_flow(), self.limiter, self._core.clock
        await limiter.aacquire()
        try:
            own_pause_served = False
            while True:
                delay = limiter.attempt_delay(own_pause_served=own_pause_served)
                if delay > 0:
                    await clock.async_sleep(delay)
                if limiter.gate is not None:
                    await limiter.gate.aacquire()
                try:
                    response = await self._attempt(prepared, stream)
                except _RETRYABLE as error:
                    wait = flow.wait_after(error)
                    if _rate_limited(error):
                        limiter.rate_limited(wait)
                    await clock.async_sleep(wait)
                    own_pause_served = True
                else:
                    limiter.succeeded()
                    return response
        finally:
            limiter.release()

    async def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = await self._send(self._core.prepare(spec, protocol))
        return decode_json(response.status_code, await response.aread(), response.headers)

    async def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        try:
            response = await self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            response = await self._send(prepared)
        body = decode_json(response.status_code, await response.aread(), response.headers)
        reply = wire.parse_response(body, request)
        self.limiter.spend_tokens(_tokens(reply.usage))
        return reply

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> AsyncChatStream:
        wire, prepared = self._core.chat_request(request, protocol, stream=True)
        retry = functools.partial(_tool_form_retry, self._core, request, protocol)
        return AsyncChatStream(self, prepared, StreamPipeline(wire, request), retry)

    async def embed(
        self,
        texts: Sequence[str],
        *,
        model: str,
        dimensions: int | None = None,
        batch_size: int = 512,
        extra_body: Mapping[str, Any] | None = None,
        max_concurrency: int = 4,
        encoding_format: embeddings.EncodingFormat | None = None,
    ) -> EmbeddingResult:
        from .media import embeddings  # loads with the first embedding call

        explicit = embeddings.chosen_format(encoding_format, extra_body)
        batches = embeddings.batches(texts, batch_size)
        gate = asyncio.Semaphore(max(max_concurrency, 1))
        float_only = _float_only_models(self)

        async def one(batch: list[str]) -> EmbedBatch:
            fmt = float_only.format_for(model, explicit)
            async with gate:
                try:
                    body = await self._json(
                        embeddings.request(model, batch, dimensions, extra_body, fmt)
                    )
                except APIStatusError as error:
                    if not embeddings.retry_as_float(error, fmt, explicit):
                        raise
                    float_only.remember(model)
                    body = await self._json(
                        embeddings.request(model, batch, dimensions, extra_body, "float")
                    )
            parsed = embeddings.parse(body, len(batch))
            self.limiter.spend_tokens(_tokens(parsed[1]))
            return parsed

        outcomes = await asyncio.gather(*(one(b) for b in batches), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # a cancellation is no failed batch
        return embeddings.merge_outcomes(model, batches, outcomes)  # type: ignore[arg-type]

    async def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` (see ``WenwenClient.count_tokens``)."""
        from .tokens import count_tokens_request  # the token tables load on first use

        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(await self._json(spec, wire))

    async def list_models(self) -> list[ModelInfo]:
        return parse_models(await self._json(HttpRequest("GET", "/v1/models")))

    async def request_json(self, method: str, path: str, json: dict[str, Any] | None = None) -> Any:
        return await self._json(HttpRequest(method, path, json=json))

    async def aclose(self) -> None:
        await self._sender.aclose()

    async def __aenter__(self) -> AsyncWenwenClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def _pool_closer(client: weakref.ref[AsyncWenwenClient]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        owner = client()
        if owner is not None and owner._user_http is None:
            await owner._sender.aclose()


class AsyncChatStream:
    def __init__(
        self,
        client: AsyncWenwenClient,
        request: PreparedRequest,
        pipeline: StreamPipeline,
        retry: ToolFormRetry | None = None,
    ) -> None:
        self._client = client
        self._request = request
        self._pipeline = pipeline
        self._retry = retry
        self._response: AsyncReply | None = None

    async def _open(self) -> AsyncReply:
        try:
            return await self._client._send(self._request, stream=True)
        except APIStatusError as error:
            again = self._retry(error) if self._retry is not None else None
            if again is None:
                raise
            self._request, self._pipeline = again
            return await self._client._send(self._request, stream=True)

    def response(self) -> ChatResponse:
        return self._pipeline.accumulator.response()

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        response = self._response = await self._open()
        pipeline = self._pipeline
        try:
            if not is_event_stream(response.headers):
                body = decode_json(response.status_code, await response.aread(), response.headers)
                for event in pipeline.from_json_reply(body):
                    yield event
                return
            failure: httpx.HTTPError | None = None
            try:
                async for chunk in response.aiter_bytes():
                    for event in pipeline.feed(chunk):
                        yield event
            except httpx.HTTPError as exc:
                failure = exc
            if failure is not None:
                raise pipeline.broken(failure, self._client._core.secret())
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
