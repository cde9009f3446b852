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
from .cost import Cost
from .errors import APIConnectionError, APIStatusError, WenwenError
from .protocols import HttpRequest, WireProtocol
from .types import ChatRequest, ChatResponse, EmbeddingResult, ModelInfo, StreamEvent

if TYPE_CHECKING:  # the media and task resources load on first use
    from .billing import AsyncBilling, Billing, CostMeter, Quota
    from .cost import PriceTable
    from .media import embeddings
    from .media.resources import AsyncAudio, AsyncImages, Audio, Images
    from .tasks.resources import AsyncMidjourney, AsyncVideos, Midjourney, Videos

_RETRYABLE = (APIStatusError, APIConnectionError)
_FLOAT_ONLY_LOCK = threading.Lock()
EmbedBatch = tuple[list[list[float]], Any, str | None]
E = TypeVar("E", bound=Exception)


def _float_only_models(client: WenwenClient | AsyncWenwenClient) -> embeddings.FloatOnlyModels:
    """The client's memory of models whose upstream refused base64 (made on the first
    embedding call, so that a chat-only process never loads ``wenwen.media``)."""
    with _FLOAT_ONLY_LOCK:
        if client._float_only_models is None:
            from .media.embeddings import FloatOnlyModels

            client._float_only_models = FloatOnlyModels()
        return client._float_only_models


def _billing() -> Any:
    from . import billing  # loads with the first call (cost is opt-in)

    return billing


def _with_cost(reply: ChatResponse, cost: Cost | None) -> ChatResponse:
    if cost is not None:
        reply.cost = cost
    return reply


def _priced(call: Any, request: ChatRequest, reply: ChatResponse) -> ChatResponse:
    """``reply`` with its cost when costs are tracked (``wenwen.billing``)."""
    return reply if call is None else _with_cost(reply, call.end(request.model, reply.usage))


def _batch_priced(call: Any, model: str, batch: Any) -> Any:
    if call is not None:
        call.end(model, batch[1])
    return batch


def _embedding_priced(call: Any, result: EmbeddingResult) -> EmbeddingResult:
    if call is not None:
        result.cost = call.total()
    return result


class WenwenClient:
    """A synchronous client. ``api_key``/``base_url`` default to ``WENWEN_API_KEY`` and
    ``WENWEN_BASE_URL``; an ``http_client`` you pass in is used as is and not closed.
    ``max_retry_wait`` bounds the seconds one call spends waiting between retries
    (default 30); ``clock`` replaces the waiting itself (for simulations and tests)."""

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
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
        )  # fmt: skip
        self._owns_http = http_client is None
        self._http_client = http_client or self._new_http()
        self._pid = os.getpid()
        self._float_only_models: embeddings.FloatOnlyModels | None = None
        self._model_names: list[str] | None = None  # for hints on unknown models

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

    # --- cost and quota (wenwen.billing, over the public ``request_json``) ----------------

    @property
    def costs(self) -> CostMeter:
        """Whether replies carry ``cost``: ``client.costs.configure(track_cost=True)``."""
        from . import billing

        return billing.meter_of(self)

    @functools.cached_property
    def billing(self) -> Billing:
        """``subscription()`` and ``usage(start, end)`` (OpenAI-compatible, USD)."""
        from .billing import Billing

        return Billing(self)

    def pricing(self, *, refresh: bool = False) -> PriceTable:
        """The relay's price table (``GET /api/pricing``), cached for ``costs.ttl`` s."""
        from . import billing

        return billing.pricing(self, refresh)

    def quota(self) -> Quota:
        """This key's quota: granted, used, available (quota units and USD), expiry."""
        from . import billing

        return billing.quota(self)

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
                self._model_names = [m.id for m in self.list_models()]
            except WenwenError:
                self._model_names = []
        return self._model_names

    def _send(self, prepared: PreparedRequest, *, stream: bool = False) -> httpx.Response:
        """Send with retries; returns a successful response (a stream not yet read)."""
        flow = self._core.retry_flow()
        while True:
            try:
                return self._attempt(prepared, stream)
            except _RETRYABLE as error:
                self._core.clock.sleep(flow.wait_after(error))

    def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = self._send(self._core.prepare(spec, protocol))
        return decode_json(response.status_code, response.content, response.headers)

    def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        call = _billing().begin(self)  # cost: budgets before the request
        try:
            response = self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            response = self._send(prepared)
        body = decode_json(response.status_code, response.content, response.headers)
        return _priced(call, request, wire.parse_response(body, request))

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
        call = _billing().begin(self)  # cost: budgets before the requests

        def one(batch: list[str]) -> EmbedBatch:
            fmt = float_only.format_for(model, explicit)
            try:
                body = self._json(embeddings.request(model, batch, dimensions, extra_body, fmt))
            except APIStatusError as error:
                if not embeddings.retry_as_float(error, fmt, explicit):
                    raise
                float_only.remember(model)
                body = self._json(embeddings.request(model, batch, dimensions, extra_body, "float"))
            return _batch_priced(call, model, embeddings.parse(body, len(batch)))

        batches = embeddings.batches(texts, batch_size)
        workers = min(max(max_concurrency, 1), len(batches))
        if workers <= 1:
            return _embedding_priced(call, embeddings.merge(model, [one(b) for b in batches]))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wenwen-embed") as pool:
            return _embedding_priced(call, embeddings.merge(model, list(pool.map(one, batches))))

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
        self._cost: Cost | None = None

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
        return _with_cost(self._pipeline.accumulator.response(), self._cost)

    def __iter__(self) -> Iterator[StreamEvent]:
        call = _billing().begin(self._client)  # cost: budgets before the request
        response = self._response = self._open()
        pipeline = self._pipeline
        try:
            if not is_event_stream(response.headers):
                body = decode_json(response.status_code, response.read(), response.headers)
                yield from _stream_priced(self, call, pipeline.from_json_reply(body))
                return
            failure: httpx.HTTPError | None = None
            try:
                for chunk in response.iter_bytes():
                    yield from pipeline.feed(chunk)
            except httpx.HTTPError as exc:
                failure = exc
            if failure is not None:
                raise pipeline.broken(failure, self._client._core.secret())
            yield from _stream_priced(self, call, pipeline.close())
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
    ``"httpx"``. ``max_retry_wait`` and ``clock`` as for ``WenwenClient``."""

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
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
        )  # fmt: skip
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

    # --- cost and quota (wenwen.billing, over the public ``request_json``) ----------------

    @property
    def costs(self) -> CostMeter:
        from . import billing

        return billing.meter_of(self)

    @functools.cached_property
    def billing(self) -> AsyncBilling:
        from .billing import AsyncBilling

        return AsyncBilling(self)

    async def pricing(self, *, refresh: bool = False) -> PriceTable:
        from . import billing

        return await billing.apricing(self, refresh)

    async def quota(self) -> Quota:
        from . import billing

        return await billing.aquota(self)

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

    async def _explained(self, error: E, prepared: PreparedRequest) -> E:
        known = await self._known_models() if needs_model_list(error, prepared) else None
        explain(error, prepared, self._core.settings, known)
        return error

    async def _known_models(self) -> list[str]:
        if self._model_names is None:
            try:
                self._model_names = [m.id for m in await self.list_models()]
            except WenwenError:
                self._model_names = []
        return self._model_names

    async def _send(self, prepared: PreparedRequest, *, stream: bool = False) -> AsyncReply:
        flow = self._core.retry_flow()
        while True:
            try:
                return await self._attempt(prepared, stream)
            except _RETRYABLE as error:
                await self._core.clock.async_sleep(flow.wait_after(error))

    async def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        response = await self._send(self._core.prepare(spec, protocol))
        return decode_json(response.status_code, await response.aread(), response.headers)

    async def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        call = await _billing().abegin(self)  # cost: budgets before the request
        try:
            response = await self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            response = await self._send(prepared)
        body = decode_json(response.status_code, await response.aread(), response.headers)
        return _priced(call, request, wire.parse_response(body, request))

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
        call = await _billing().abegin(self)  # cost: budgets before the requests

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
            return _batch_priced(call, model, embeddings.parse(body, len(batch)))

        results = await asyncio.gather(*(one(b) for b in batches))
        return _embedding_priced(call, embeddings.merge(model, list(results)))

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
        self._cost: Cost | None = None

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
        return _with_cost(self._pipeline.accumulator.response(), self._cost)

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        call = await _billing().abegin(self._client)  # cost: budgets before the request
        response = self._response = await self._open()
        pipeline = self._pipeline
        try:
            if not is_event_stream(response.headers):
                body = decode_json(response.status_code, await response.aread(), response.headers)
                for event in _stream_priced(self, call, pipeline.from_json_reply(body)):
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
            for event in _stream_priced(self, call, pipeline.close()):
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


def _stream_priced(
    stream: ChatStream | AsyncChatStream, call: Any, events: list[StreamEvent]
) -> list[StreamEvent]:
    """Prices the stream when it ends, before its last events reach the caller."""
    if call is not None:
        reply = stream._pipeline.accumulator.response()
        stream._cost = call.end(stream._pipeline.request.model, reply.usage)
    return events


__all__ = ["AsyncChatStream", "AsyncWenwenClient", "ChatStream", "WenwenClient"]
