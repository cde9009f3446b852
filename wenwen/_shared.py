"""What the sync and async clients share: request preparation, reply interpretation and the
stream pipeline (SSE decoder → protocol decoder → accumulator). No I/O happens here."""

from __future__ import annotations

import array
import binascii
import json
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import pydantic_core
from pydantic import SecretStr

from ._settings import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Settings
from ._sse import SSEDecoder
from ._transport import RetryPolicy
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    ProtocolError,
    StreamError,
    error_from_response,
)
from .protocols import HttpRequest, WireProtocol, get_protocol
from .stream import StreamAccumulator
from .types import (
    AudioPart,
    ChatRequest,
    ChatResponse,
    EmbeddingResult,
    Finished,
    ImagePart,
    MediaDelta,
    ModelInfo,
    RefusalDelta,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    Usage,
    UsageReport,
    VideoPart,
)

USER_AGENT = f"wenwen-ai/{__version__} (python; httpx)"
TimeoutTypes = float | httpx.Timeout | None


def make_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT))


class ClientCore:
    """Settings, headers and reply interpretation for one client."""

    def __init__(
        self,
        api_key: str | SecretStr | None,
        base_url: str | None,
        *,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
        self.settings = Settings.resolve(api_key, base_url)
        self.timeout = make_timeout(timeout)
        self.retry = RetryPolicy(max_retries=max_retries)
        self.default_headers = dict(default_headers or {})

    def __repr__(self) -> str:
        return f"<wenwen client base_url={self.settings.base_url!r}>"

    # --- requests ---------------------------------------------------------------------

    def build(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> httpx.Request:
        key = self.settings.require_key()
        auth = protocol.auth_headers(key) if protocol else {"Authorization": f"Bearer {key}"}
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        headers.update(self.default_headers)
        headers.update(spec.headers)
        headers.update(auth)
        body = None
        if spec.json is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(spec.json, ensure_ascii=False, separators=(",", ":")).encode()
        elif spec.content is not None:
            body = spec.content
        return httpx.Request(
            spec.method,
            self.settings.base_url + spec.path,
            headers=headers,
            content=body,
            extensions={"timeout": self.timeout.as_dict()},
        )

    def chat_request(
        self, request: ChatRequest, protocol_name: str, *, stream: bool
    ) -> tuple[WireProtocol, httpx.Request]:
        protocol = get_protocol(protocol_name)
        spec = protocol.build_request(request, stream=stream)
        if stream:
            spec.headers.setdefault("Accept", "text/event-stream")
        return protocol, self.build(spec, protocol)

    # --- replies ----------------------------------------------------------------------

    def status_error(self, response: httpx.Response, content: bytes) -> APIStatusError:
        return error_from_response(response.status_code, content, dict(response.headers))

    def may_retry(self, attempt: int, error: Exception) -> float | None:
        """Seconds to wait before retrying after ``error``, or ``None`` to give up."""
        if isinstance(error, APIStatusError):
            if not self.retry.should_retry(attempt, status=error.status_code, code=error.code):
                return None
            return self.retry.delay(attempt, error.headers)
        if isinstance(error, APIConnectionError):
            if not self.retry.should_retry(attempt, connection_error=True):
                return None
            return self.retry.delay(attempt)
        return None


def decode_json(response: httpx.Response, content: bytes) -> Any:
    """The JSON body of a successful reply; a typed error for broken or error bodies."""
    try:
        # pydantic-core's parser: twice as fast as json.loads on float-heavy embedding replies
        body = pydantic_core.from_json(content)
    except ValueError as exc:
        snippet = content[:200].decode("utf-8", "replace")
        raise ProtocolError(
            f"the relay answered HTTP {response.status_code} with a body that is not valid "
            f"JSON ({exc}): {snippet!r}"
        ) from None
    # relays sometimes wrap an upstream failure in a 200
    if (
        isinstance(body, dict)
        and body.get("error")
        and not any(k in body for k in ("choices", "content", "data"))
    ):
        raise error_from_response(response.status_code, content, dict(response.headers))
    return body


def translate_transport_error(exc: httpx.HTTPError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request to the Wenwen API timed out ({type(exc).__name__})")
    return APIConnectionError(f"could not reach the Wenwen API: {type(exc).__name__}: {exc}")


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "")


class StreamPipeline:
    """Bytes in, stream events out, a ``ChatResponse`` kept up to date on the side."""

    def __init__(self, protocol: WireProtocol, request: ChatRequest) -> None:
        self.protocol = protocol
        self.request = request
        self.sse = SSEDecoder()
        self.decoder = protocol.StreamDecoder(request)
        self.accumulator = StreamAccumulator(
            protocol.NAME, finalize=lambda r: protocol.finalize_response(r, request)
        )

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for sse in self.sse.feed(chunk):
            out.extend(self._decode(sse))
        return out

    def _decode(self, sse: Any) -> list[StreamEvent]:
        try:
            events = self.decoder.feed(sse)
        except StreamError as exc:
            exc.partial = self.accumulator.response()
            raise
        except ProtocolError as exc:
            raise StreamError(str(exc), partial=self.accumulator.response()) from exc
        for event in events:
            self.accumulator.add(event)
        return events

    def close(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for sse in self.sse.flush():
            out.extend(self._decode(sse))
        try:
            events = self.decoder.close()
        except StreamError as exc:
            exc.partial = self.accumulator.response()
            raise
        for event in events:
            self.accumulator.add(event)
        out.extend(events)
        return out

    def broken(self, exc: BaseException) -> StreamError:
        """The error for a transport failure after the stream began."""
        if isinstance(exc, httpx.TimeoutException):
            message = "the stream stalled: no data arrived within the read timeout"
        else:
            message = f"the connection broke mid-stream ({type(exc).__name__}: {exc})"
        return StreamError(message, partial=self.accumulator.response())

    def from_json_reply(self, body: Any) -> list[StreamEvent]:
        """A relay that ignores ``stream: true`` answers with one JSON body: replay it as
        events so the caller sees the same thing either way."""
        response = self.protocol.parse_response(body, self.request)
        events = events_from_response(response)
        for event in events:
            self.accumulator.add(event)
        return events


def events_from_response(response: ChatResponse) -> list[StreamEvent]:
    events: list[StreamEvent] = [ResponseStarted(id=response.id, model=response.model)]
    tool_index = 0
    for i, part in enumerate(response.parts):
        key = f"part:{i}"
        if isinstance(part, TextPart):
            events.append(TextDelta(key=key, text=part.text))
        elif isinstance(part, ThinkingPart):
            events.append(
                ThinkingDelta(
                    key=key, text=part.text, signature=part.signature, redacted=part.redacted
                )
            )
        elif isinstance(part, ToolCallPart):
            events.append(
                ToolCallDelta(
                    key=key,
                    index=tool_index,
                    id=part.id,
                    name=part.name,
                    arguments=part.arguments,
                    provider_data=part.provider_data,
                )
            )
            tool_index += 1
        elif isinstance(part, ImagePart | AudioPart | VideoPart):
            events.append(MediaDelta(key=key, part=part))
    if response.refusal:
        events.append(RefusalDelta(text=response.refusal))
    if response.usage is not None:
        events.append(UsageReport(usage=response.usage))
    events.append(Finished(reason=response.finish_reason, raw_reason=response.stop_reason_raw))
    return events


# --- embeddings and models ----------------------------------------------------------------


def embedding_batches(texts: Sequence[str], batch_size: int) -> list[list[str]]:
    if batch_size < 1:
        raise ConfigurationError(f"batch_size must be >= 1, got {batch_size}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ConfigurationError(
                f"embedding input {i} is {type(text).__name__}; pass raw text (str)"
            )
    return [list(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]


def embedding_request(
    model: str, batch: list[str], dimensions: int | None, extra_body: Mapping[str, Any] | None
) -> HttpRequest:
    body: dict[str, Any] = {"model": model, "input": batch, "encoding_format": "float"}
    if dimensions is not None:
        body["dimensions"] = dimensions
    body.update(extra_body or {})
    return HttpRequest("POST", "/v1/embeddings", json=body)


def parse_embeddings(body: Any, expected: int) -> tuple[list[list[float]], Usage, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProtocolError("embedding reply has no 'data' list")
    rows = body["data"]
    if len(rows) != expected:
        raise ProtocolError(f"embedding reply has {len(rows)} vectors for {expected} inputs")
    vectors: list[list[float] | None] = [None] * expected
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ProtocolError(f"embedding reply item {position} is not an object")
        index = row.get("index", position)
        if not isinstance(index, int) or not 0 <= index < expected or vectors[index] is not None:
            raise ProtocolError(f"embedding reply item {position} has a bad index {index!r}")
        vectors[index] = _vector(row.get("embedding"), index)
    usage_raw = body.get("usage") or {}
    prompt = int(usage_raw.get("prompt_tokens") or 0)
    usage = Usage(
        input_tokens=prompt,
        total_tokens=int(usage_raw.get("total_tokens") or prompt),
        raw=dict(usage_raw),
    )
    return [v for v in vectors if v is not None], usage, body.get("model")


def _vector(value: Any, index: int) -> list[float]:
    if isinstance(value, str):  # base64 little-endian float32 (opt-in, or forced by a relay)
        try:
            floats = array.array("f", binascii.a2b_base64(value, strict_mode=True))
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(f"embedding {index} is not valid base64 float32: {exc}") from None
        if sys.byteorder == "big":
            floats.byteswap()
        return floats.tolist()
    if isinstance(value, list):
        # the JSON parser already made the numbers: keep the list, check its first element
        if value and not isinstance(value[0], int | float):
            raise ProtocolError(f"embedding {index} holds {type(value[0]).__name__} values")
        return value
    raise ProtocolError(f"embedding {index} is {type(value).__name__}, not a list of floats")


def merge_embeddings(
    model: str, results: list[tuple[list[list[float]], Usage, str | None]]
) -> EmbeddingResult:
    vectors: list[list[float]] = []
    usage = Usage()
    for batch_vectors, batch_usage, _ in results:
        vectors.extend(batch_vectors)
        usage.input_tokens += batch_usage.input_tokens
        usage.total_tokens += batch_usage.total_tokens
    # model_construct: the vectors were checked batch by batch; re-validating millions of
    # floats through pydantic costs more than the HTTP round trips
    return EmbeddingResult.model_construct(vectors=vectors, model=model, usage=usage)


def parse_models(body: Any) -> list[ModelInfo]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProtocolError("model list reply has no 'data' list")
    out = []
    for row in body["data"]:
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            out.append(
                ModelInfo(
                    id=row["id"], owned_by=row.get("owned_by"), created=row.get("created"), raw=row
                )
            )
    return out
