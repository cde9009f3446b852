"""``WenwenClient`` and ``AsyncWenwenClient``: the only code that does I/O.

Both are thin drivers of the sans-IO HTTP layer (``wenwen._http``): requests are prepared by
``prepare``, each call's attempts, deadline, retries and typed errors are a ``call.Call``,
replies are read by ``reply`` and streams by ``pipeline``; the two clients differ only in
``send`` versus ``await send``. The async client sends with aiohttp when it is installed
(``async_transport="auto"``), else with httpx; both paths raise the same typed errors.

Resources (``client.images``, ``client.videos``, ...) use the public request API only:
``send`` (any ``HttpRequest``), ``request`` and ``request_json``.
"""

from __future__ import annotations

import asyncio
import functools
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import SecretStr

from ._hints import explain, needs_model_list
from ._http.async_io import AsyncSender, AsyncTransportName, make_sender
from ._http.call import RETRYABLE, UNSET, Call, Unset
from ._http.pipeline import StreamPipeline
from ._http.prepare import ClientCore, PreparedRequest, TimeoutTypes
from ._http.replies import parse_models
from ._http.reply import AsyncHttpReply, HttpReply
from ._http.retry import Clock, RetryPolicy
from ._http.streams import AsyncChatStream, ChatStream
from ._http.transport import default_ssl_context
from ._settings import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_STREAM_EVENT_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
)
from .concurrency import Limiter, RateLimit
from .errors import APIStatusError, ConfigurationError, WenwenError
from .protocols import HttpRequest, WireProtocol
from .redaction import masking
from .types import ChatRequest, ChatResponse, EmbeddingResult, ModelInfo, Usage

if TYPE_CHECKING:  # the media and task resources load on first use
    from .billing import AsyncBilling, Billing, CostMeter, Quota
    from .cost import Cost, PriceTable
    from .media import embeddings
    from .media.resources import AsyncAudio, AsyncImages, Audio, Images
    from .tasks.resources import AsyncMidjourney, AsyncVideos, Midjourney, Videos

Budget = float | None | Unset
E = TypeVar("E", bound=Exception)
_FLOAT_ONLY_LOCK = threading.Lock()
EmbedBatch = tuple[list[list[float]], Any, str | None]
# Pools inherited across a fork: never used or closed in the child (the parent still owns the
# sockets), only kept referenced so that collecting them does not touch the sockets either.
_INHERITED: list[object] = []


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


def _billing() -> Any:
    from . import billing  # loads with the first call (cost is opt-in)

    return billing


def _priced(call: Any, request: ChatRequest, reply: ChatResponse) -> ChatResponse:
    """``reply`` with its cost when costs are tracked (``wenwen.billing``)."""
    if call is not None:
        cost: Cost | None = call.end(request.model, reply.usage)
        if cost is not None:
            reply.cost = cost
    return reply


def _batch_priced(call: Any, model: str, batch: Any) -> Any:
    if call is not None:
        call.end(model, batch[1])
    return batch


def _embedding_priced(call: Any, result: EmbeddingResult) -> EmbeddingResult:
    if call is not None:
        result.cost = call.total()
    return result


class _ClientBase:
    """What both clients share besides I/O."""

    _core: ClientCore
    _float_only_models: embeddings.FloatOnlyModels | None

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    @property
    def total_timeout(self) -> float | None:
        """Seconds one call may take in all (``None``: no overall bound)."""
        return self._core.total_timeout

    @property
    def retry_policy(self) -> RetryPolicy:
        """When a failed call is tried again (task waits tolerate failed polls by it too)."""
        return self._core.retry

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    _send: Any  # each client's own (sync or async) send with retries

    def _stream_parts(self, request: ChatRequest, protocol: str) -> tuple[Any, StreamPipeline]:
        """How to open a chat stream (on first iteration) and its pipeline. Once events
        flow, a stream is bounded by the per-read timeout, not by ``total_timeout``."""
        wire, prepared = self._core.chat_request(request, protocol, stream=True)
        pipeline = StreamPipeline(wire, request, self._core.max_stream_event_bytes)
        return functools.partial(self._send, prepared, True, bounded=False), pipeline

    def _tool_form_retry(
        self, request: ChatRequest, protocol: str, error: APIStatusError
    ) -> tuple[Any, StreamPipeline] | None:
        """The stream to open instead when ``error`` refused native structured output."""
        if not _refused_native_format(protocol, request, error):
            return None
        return self._stream_parts(request, protocol)


def _refused_native_format(protocol: str, request: ChatRequest, error: APIStatusError) -> bool:
    """A 400 for Anthropic's native structured output: ask again with the tool form."""
    if protocol != "anthropic" or request.response_format is None:
        return False
    from .protocols.anthropic_messages._structured import refused_native_format

    return refused_native_format(protocol, request, error)


def _spec(
    method: str,
    path: str,
    json: Any,
    content: bytes | None,
    headers: Mapping[str, str] | None,
) -> HttpRequest:
    spec = HttpRequest(method, path, json=json, headers=dict(headers or {}))
    spec.content = content
    return spec


def _download_allowance(value: bool | Sequence[str]) -> bool | tuple[str, ...]:
    """``allow_private_hosts`` checked: which non-public hosts result downloads may reach
    besides the relay's own origin (``wenwen.media.addresses``)."""
    if value is False:
        return False
    from .media.addresses import check_allow_private_hosts

    check_allow_private_hosts(value)
    return True if value is True else tuple(value)


class WenwenClient(_ClientBase):
    """A synchronous client. ``api_key``/``base_url`` default to ``WENWEN_API_KEY`` and
    ``WENWEN_BASE_URL``; an ``http_client`` you pass in is used as is and not closed.
    ``timeout`` bounds each try (connect 10 s, each read 120 s by default);
    ``total_timeout`` bounds a whole call, all tries, waits and reads together (default
    600 s; ``None`` for no bound; a chat stream's body, once it flows, is bounded by the
    per-read timeout only). ``max_retry_wait`` bounds the seconds one call spends waiting
    between retries (default 30); ``clock`` replaces the waiting itself (for simulations
    and tests). ``max_stream_event_bytes`` caps one Server-Sent-Events line or event
    (64 MB). ``allow_private_hosts`` (``True`` or host names / IPs / CIDRs) lets result
    downloads reach those non-public hosts besides the relay's own origin (see README
    "Security"). Requests in flight adapt to the key's rate limit (``wenwen.concurrency``):
    a 429 pauses every request of the client's ``limiter`` and lowers its in-flight limit;
    pass one ``limiter`` to several clients to share it, or ``rate_limit`` (requests per
    second, or a ``RateLimit``) for a fixed budget. The pool closes with ``close()``, the
    ``with`` block, or when the client is collected (or the interpreter exits)."""

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
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        max_stream_event_bytes: int = DEFAULT_MAX_STREAM_EVENT_BYTES,
        allow_private_hosts: bool | Sequence[str] = False,
        rate_limit: float | RateLimit | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
            total_timeout=total_timeout, max_stream_event_bytes=max_stream_event_bytes,
        )  # fmt: skip
        self.allow_private_hosts = _download_allowance(allow_private_hosts)
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

    # --- cost and quota (wenwen.billing, over the public request API) -------------------

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

    # --- the public request API (resources use only this) -----------------------------

    def send(
        self,
        spec: HttpRequest,
        *,
        protocol: WireProtocol | None = None,
        stream: bool = False,
        total_timeout: Budget = UNSET,
    ) -> HttpReply:
        """Send ``spec`` (any ``HttpRequest``) to the relay with this client's key, retries,
        deadline and typed errors. The body is read before this returns unless ``stream``
        (then read it with ``iter_bytes()`` and ``close()`` the reply; reads stay within
        ``total_timeout``, the call's budget, which defaults to the client's)."""
        return self._send(self._core.prepare(spec, protocol), stream, total_timeout)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        total_timeout: Budget = UNSET,
    ) -> HttpReply:
        """Any endpoint of the relay (``path`` from the root, e.g. ``"/v1/models"``); the
        reply's body is read (``content``, ``json()``)."""
        return self.send(_spec(method, path, json, content, headers), total_timeout=total_timeout)

    def request_json(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        *,
        total_timeout: Budget = UNSET,
    ) -> Any:
        """Any JSON endpoint of the relay, with this client's auth, retries and errors."""
        return self.request(method, path, json=json, total_timeout=total_timeout).json()

    def _send(
        self,
        prepared: PreparedRequest,
        stream: bool = False,
        total_timeout: Budget = UNSET,
        *,
        bounded: bool = True,
    ) -> HttpReply:
        call, limiter, clock = (
            Call(self._core, prepared, total_timeout),
            self.limiter,
            self._core.clock,
        )
        limiter.acquire()  # one slot from the first attempt to the last
        try:
            own_pause_served = False
            while True:
                delay = limiter.attempt_delay(own_pause_served=own_pause_served)
                if delay > 0:
                    clock.sleep(delay)
                if limiter.gate is not None:
                    limiter.gate.acquire()
                try:
                    reply = self._attempt(call, stream, bounded)
                except RETRYABLE as error:
                    wait = call.wait_after(error)
                    if _rate_limited(error):
                        limiter.rate_limited(wait)
                    clock.sleep(wait)
                    own_pause_served = True
                else:
                    limiter.succeeded()
                    return reply
        finally:
            limiter.release()

    def _attempt(self, call: Call, stream: bool, bounded: bool) -> HttpReply:
        timeouts = call.start_attempt()
        failure: Exception | None = None
        try:
            request = self._core.httpx_request(call.prepared, timeouts)
            response = self._http.send(request, stream=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            failure = exc
        if failure is not None:
            # raised outside the handler: no exception chain that could hold the key
            raise self._explained(call.failed(failure), call)
        reply = HttpReply(response, call, timeouts, bounded=bounded)
        if response.status_code >= 400:
            with reply:
                content = reply.read()
            status = call.status_failed(response.status_code, content, response.headers)
            raise self._explained(status, call)
        if not stream:
            with reply:
                reply.read()
        return reply

    def _explained(self, error: E, call: Call) -> E:
        """``error`` saying what to do next (the model list is read only for an unknown
        model, once per client), with secrets masked."""
        known = self._known_models() if needs_model_list(error, call.prepared) else None
        explain(error, call.prepared, self._core.settings, known)
        self._core.redactor.scrub(error)
        return error

    def _known_models(self) -> list[str]:
        if self._model_names is None:
            try:
                # one attempt outside the limiter: the failing request still holds its slot
                call = Call(self._core, self._core.prepare(HttpRequest("GET", "/v1/models")))
                self._model_names = [
                    m.id for m in parse_models(self._attempt(call, False, True).json())
                ]
            except WenwenError:
                self._model_names = []
        return self._model_names

    def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        return self.send(spec, protocol=protocol).json()

    def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        call = _billing().begin(self)  # cost: budgets before the request
        try:
            reply = self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            reply = self._send(prepared)
        with masking(self._core.redactor):
            response = wire.parse_response(reply.json(), request)
        self.limiter.spend_tokens(_tokens(response.usage))
        return _priced(call, request, response)

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> ChatStream:
        opener, pipeline = self._stream_parts(request, protocol)
        retry = functools.partial(self._tool_form_retry, request, protocol)
        # cost: a ChatStream that is priced when it ends (wenwen.billing)
        priced: Any = _billing().PricedChatStream
        return priced(opener, pipeline, self._core.redactor, retry, meter=(self, request.model))

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
            parsed = embeddings.parse(body, len(batch))
            self.limiter.spend_tokens(_tokens(parsed[1]))
            return _batch_priced(call, model, parsed)

        batches = embeddings.batches(texts, batch_size)
        workers = min(max(max_concurrency, 1), len(batches))
        if workers <= 1:
            merged = embeddings.merge_outcomes(model, batches, [_outcome(one, b) for b in batches])
            return _embedding_priced(call, merged)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wenwen-embed") as pool:
            futures = [pool.submit(one, batch) for batch in batches]
            outcomes = [future.exception() or future.result() for future in futures]
        merged = embeddings.merge_outcomes(model, batches, outcomes)  # type: ignore[arg-type]
        return _embedding_priced(call, merged)

    def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` from the protocol's counting endpoint (one
        request; ``UnsupportedFeatureError`` for a protocol without one)."""
        from .tokens import count_tokens_request  # the token tables load on first use

        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(self._json(spec, wire))

    def list_models(self) -> list[ModelInfo]:
        return parse_models(self._json(HttpRequest("GET", "/v1/models")))

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


class AsyncWenwenClient(_ClientBase):
    """The asynchronous client. Its connection pool belongs to the event loop it first runs
    on; make one client per loop (nothing is cached process-wide). ``async_transport``:
    ``"auto"`` (aiohttp when installed and no ``http_client`` is given), ``"aiohttp"`` or
    ``"httpx"``. ``max_retry_wait``, ``clock``, ``rate_limit`` and ``limiter`` as for
    ``WenwenClient`` (one limiter may serve clients on several loops and threads). The pool
    closes with ``aclose()``, or when the event loop that used it shuts down."""

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
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        max_stream_event_bytes: int = DEFAULT_MAX_STREAM_EVENT_BYTES,
        allow_private_hosts: bool | Sequence[str] = False,
        rate_limit: float | RateLimit | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._core = ClientCore(
            api_key, base_url, timeout=timeout, max_retries=max_retries,
            default_headers=default_headers, max_retry_wait=max_retry_wait, clock=clock,
            total_timeout=total_timeout, max_stream_event_bytes=max_stream_event_bytes,
        )  # fmt: skip
        self.allow_private_hosts = _download_allowance(allow_private_hosts)
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
    def async_transport(self) -> str:
        """``"httpx"`` or ``"aiohttp"``: how this client sends."""
        return self._sender.name

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

    # --- cost and quota (wenwen.billing, over the public request API) -------------------

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

    # --- the public request API (resources use only this) -----------------------------

    async def send(
        self,
        spec: HttpRequest,
        *,
        protocol: WireProtocol | None = None,
        stream: bool = False,
        total_timeout: Budget = UNSET,
    ) -> AsyncHttpReply:
        """As ``WenwenClient.send``; read a streamed body with ``aiter_bytes()`` and
        ``await reply.aclose()``."""
        return await self._send(self._core.prepare(spec, protocol), stream, total_timeout)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        total_timeout: Budget = UNSET,
    ) -> AsyncHttpReply:
        """As ``WenwenClient.request``."""
        spec = _spec(method, path, json, content, headers)
        return await self.send(spec, total_timeout=total_timeout)

    async def request_json(
        self,
        method: str,
        path: str,
        json: dict[str, Any] | None = None,
        *,
        total_timeout: Budget = UNSET,
    ) -> Any:
        reply = await self.request(method, path, json=json, total_timeout=total_timeout)
        return reply.json()

    async def _send(
        self,
        prepared: PreparedRequest,
        stream: bool = False,
        total_timeout: Budget = UNSET,
        *,
        bounded: bool = True,
    ) -> AsyncHttpReply:
        if self._closer_loop is not asyncio.get_running_loop():
            await self._close_with_loop()
        call, limiter, clock = (
            Call(self._core, prepared, total_timeout),
            self.limiter,
            self._core.clock,
        )
        await limiter.aacquire()  # one slot from the first attempt to the last
        try:
            own_pause_served = False
            while True:
                delay = limiter.attempt_delay(own_pause_served=own_pause_served)
                if delay > 0:
                    await clock.async_sleep(delay)
                if limiter.gate is not None:
                    await limiter.gate.aacquire()
                try:
                    reply = await self._attempt(call, stream, bounded)
                except RETRYABLE as error:
                    wait = call.wait_after(error)
                    if _rate_limited(error):
                        limiter.rate_limited(wait)
                    await clock.async_sleep(wait)
                    own_pause_served = True
                else:
                    limiter.succeeded()
                    return reply
        finally:
            limiter.release()

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

    async def _attempt(self, call: Call, stream: bool, bounded: bool) -> AsyncHttpReply:
        timeouts = call.start_attempt()
        budget = call.remaining()
        failure: BaseException | None = None
        reply: AsyncHttpReply | None = None
        try:
            # one timer bounds sending and, unless streamed, reading the whole body
            async with asyncio.timeout(None if budget is None else max(budget, 0.0)):
                response = await self._sender.send(call.prepared, timeouts=timeouts)
                reply = AsyncHttpReply(response, call, bounded=bounded)
                if response.status_code >= 400 or not stream:
                    await reply.read_unguarded()
        except (httpx.HTTPError, httpx.InvalidURL, TimeoutError) as exc:
            failure = exc
        if failure is not None:
            if reply is not None:
                await reply.aclose()
            # raised outside the handler: no exception chain that could hold the key
            raise await self._explained(call.failed(failure, reading=reply is not None), call)
        assert reply is not None
        if reply.status_code >= 400:
            status = call.status_failed(reply.status_code, reply.content, reply.headers)
            raise await self._explained(status, call)
        return reply

    async def _explained(self, error: E, call: Call) -> E:
        known = await self._known_models() if needs_model_list(error, call.prepared) else None
        explain(error, call.prepared, self._core.settings, known)
        self._core.redactor.scrub(error)
        return error

    async def _known_models(self) -> list[str]:
        if self._model_names is None:
            try:
                # one attempt outside the limiter: the failing request still holds its slot
                call = Call(self._core, self._core.prepare(HttpRequest("GET", "/v1/models")))
                reply = await self._attempt(call, False, True)
                self._model_names = [m.id for m in parse_models(reply.json())]
            except WenwenError:
                self._model_names = []
        return self._model_names

    async def _json(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> Any:
        return (await self.send(spec, protocol=protocol)).json()

    async def chat(self, request: ChatRequest, *, protocol: str = "openai") -> ChatResponse:
        wire, prepared = self._core.chat_request(request, protocol, stream=False)
        call = await _billing().abegin(self)  # cost: budgets before the request
        try:
            reply = await self._send(prepared)
        except APIStatusError as error:
            if not _refused_native_format(protocol, request, error):
                raise
            wire, prepared = self._core.chat_request(request, protocol, stream=False)
            reply = await self._send(prepared)
        with masking(self._core.redactor):
            response = wire.parse_response(reply.json(), request)
        self.limiter.spend_tokens(_tokens(response.usage))
        return _priced(call, request, response)

    def stream(self, request: ChatRequest, *, protocol: str = "openai") -> AsyncChatStream:
        opener, pipeline = self._stream_parts(request, protocol)
        retry = functools.partial(self._tool_form_retry, request, protocol)
        # cost: an AsyncChatStream that is priced when it ends (wenwen.billing)
        priced: Any = _billing().PricedAsyncChatStream
        return priced(opener, pipeline, self._core.redactor, retry, meter=(self, request.model))

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
            parsed = embeddings.parse(body, len(batch))
            self.limiter.spend_tokens(_tokens(parsed[1]))
            return _batch_priced(call, model, parsed)

        outcomes = await asyncio.gather(*(one(b) for b in batches), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # a cancellation is no failed batch
        merged = embeddings.merge_outcomes(model, batches, outcomes)  # type: ignore[arg-type]
        return _embedding_priced(call, merged)

    async def count_tokens(self, request: ChatRequest, *, protocol: str = "anthropic") -> int:
        """The exact input tokens of ``request`` (see ``WenwenClient.count_tokens``)."""
        from .tokens import count_tokens_request  # the token tables load on first use

        wire, spec, read_count = count_tokens_request(request, protocol)
        return read_count(await self._json(spec, wire))

    async def list_models(self) -> list[ModelInfo]:
        return parse_models(await self._json(HttpRequest("GET", "/v1/models")))

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


__all__ = ["AsyncChatStream", "AsyncWenwenClient", "ChatStream", "WenwenClient"]
