"""The one interface every wire protocol implements, sans-IO.

A protocol is a subclass of :class:`WireProtocol` (build a request, parse a reply, start a
stream decoder, finalize a reply) whose stream decoder subclasses :class:`StreamDecoder`.
Optional capabilities are declared by inheritance, never probed: a protocol with an exact
token-counting endpoint also subclasses :class:`TokenCounting`.

The typed-error guarantee lives here, once, for every protocol present or future: the public
methods are ``final`` and wrap the protocol's hooks, so whatever reading an upstream reply
trips over (a wrong-typed field, a missing key, a value pydantic rejects) leaves as a
``ProtocolError`` — or, when a stream ends with data that does not parse, a ``StreamError``
(the stream pipeline attaches the partial reply to either) — never as a raw ``TypeError``,
``KeyError`` or ``ValidationError``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, final

import pydantic

from ..errors import ProtocolError, StreamError, WenwenError
from ..stop import StopSequenceFilter, enforce_stop
from ..types import ChatRequest, ChatResponse, StreamEvent

# What reading an unexpected shape raises inside protocol code.
READ_ERRORS: tuple[type[Exception], ...] = (
    pydantic.ValidationError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    ValueError,
)


@dataclass(frozen=True)
class ServerSentEvent:
    """One event of a ``text/event-stream`` body (the fields of the WHATWG HTML standard,
    https://html.spec.whatwg.org/multipage/server-sent-events.html)."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


@dataclass
class HttpRequest:
    """What a protocol asks the client to send; the client adds the base URL and the key."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    query_key: str | None = None
    """When set, the key goes in this URL query parameter instead of the protocol's auth
    headers (Gemini's documented ``?key=``); the client redacts it from logs and errors."""
    content: bytes | None = None
    """A ready-made body (e.g. multipart); its ``Content-Type`` goes in ``headers``."""


def describe_read_error(exc: BaseException) -> str:
    """A short account of a reading failure (a pydantic error names its fields)."""
    if isinstance(exc, pydantic.ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'value'}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        return f"a field has the wrong type ({problems})"
    return f"{type(exc).__name__}: {exc}"


class StreamDecoder(ABC):
    """Turns one reply's server-sent events into neutral stream events.

    ``feed`` takes each event in order; ``close`` is called once the body ended and raises
    ``StreamError`` when the protocol's terminator never came; ``done`` is true once it came.
    Subclasses implement ``_feed`` and ``_close``. A request's stop sequences are applied to
    what they produce (``wenwen.stop``), whatever the wire.
    """

    protocol_name: ClassVar[str] = "wire"
    _stop_filter: StopSequenceFilter | None = None

    @final
    def apply_stop(self, stop_filter: StopSequenceFilter) -> None:
        """Cut the events at the request's stop sequences (see ``wenwen.stop``)."""
        self._stop_filter = stop_filter

    @property
    @abstractmethod
    def done(self) -> bool: ...

    @abstractmethod
    def _feed(self, event: ServerSentEvent) -> list[StreamEvent]: ...

    @abstractmethod
    def _close(self) -> list[StreamEvent]: ...

    @final
    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        try:
            events = self._feed(event)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the relay sent a {self.protocol_name} stream event that does not parse: "
                f"{describe_read_error(exc)}"
            ) from exc
        return events if self._stop_filter is None else self._stop_filter.feed(events)

    @final
    def close(self) -> list[StreamEvent]:
        try:
            events = self._close()
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise StreamError(
                f"the {self.protocol_name} stream ended with data that does not parse: "
                f"{describe_read_error(exc)}"
            ) from exc
        return events if self._stop_filter is None else self._stop_filter.close(events)


class WireProtocol(ABC):
    """One wire protocol: a ``ChatRequest`` out, a ``ChatResponse`` (or stream events) in.

    Subclasses set ``NAME`` and implement the ``_``-prefixed hooks and ``auth_headers``;
    the public methods add the typed-error guarantee and may not be overridden.
    """

    NAME: ClassVar[str]

    def __repr__(self) -> str:
        return f"<protocol {self.NAME!r} ({type(self).__name__})>"

    @abstractmethod
    def auth_headers(self, api_key: str) -> dict[str, str]:
        """How this protocol presents the key."""

    @abstractmethod
    def _build_request(self, request: ChatRequest, *, stream: bool) -> HttpRequest: ...

    @abstractmethod
    def _parse_response(self, body: Any, request: ChatRequest | None) -> ChatResponse: ...

    @abstractmethod
    def _new_stream_decoder(self, request: ChatRequest | None) -> StreamDecoder: ...

    @abstractmethod
    def _finalize_response(
        self, response: ChatResponse, request: ChatRequest | None
    ) -> ChatResponse: ...

    @final
    def build_request(self, request: ChatRequest, *, stream: bool) -> HttpRequest:
        """The method, path, JSON body and protocol headers (auth excluded) for ``request``;
        a request the protocol cannot carry raises a ``ConfigurationError`` or
        ``UnsupportedFeatureError`` naming the field."""
        return self._build_request(request, stream=stream)

    @final
    def parse_response(self, body: Any, request: ChatRequest | None = None) -> ChatResponse:
        """A non-streamed JSON reply as a ``ChatResponse`` (the request, when given, lets a
        protocol undo what it emulated, e.g. a JSON schema sent as a forced tool, and its
        stop sequences hold on every wire, see ``wenwen.stop``)."""
        try:
            response = self._parse_response(body, request)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the relay sent a {self.NAME} reply that does not parse: "
                f"{describe_read_error(exc)}"
            ) from exc
        return enforce_stop(response, request) if request is not None else response

    @final
    def new_stream_decoder(self, request: ChatRequest | None = None) -> StreamDecoder:
        """A decoder for one streamed reply (cut at the request's stop sequences)."""
        decoder = self._new_stream_decoder(request)
        if request is not None and request.stop:
            decoder.apply_stop(StopSequenceFilter(request.stop))
        return decoder

    @final
    def finalize_response(
        self, response: ChatResponse, request: ChatRequest | None = None
    ) -> ChatResponse:
        """The last touch applied to a parsed reply and an accumulated stream alike (so the
        two agree), e.g. media links found in the text."""
        try:
            return self._finalize_response(response, request)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the {self.NAME} reply could not be completed: {describe_read_error(exc)}"
            ) from exc


class TokenCounting(ABC):
    """The capability of a protocol whose relay route counts input tokens exactly
    (Anthropic ``/v1/messages/count_tokens``, Gemini ``:countTokens``, Responses
    ``/v1/responses/input_tokens``). Declared by subclassing, next to ``WireProtocol``."""

    NAME: ClassVar[str]

    @abstractmethod
    def build_count_request(self, request: ChatRequest) -> HttpRequest:
        """The counting request for ``request`` (the fields the endpoint counts)."""

    @abstractmethod
    def _parse_token_count(self, body: Any) -> int: ...

    @final
    def parse_token_count(self, body: Any) -> int:
        """The count in the endpoint's reply; ``ProtocolError`` when it has none."""
        try:
            return self._parse_token_count(body)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the {self.NAME} token count reply does not parse: {describe_read_error(exc)}"
            ) from exc
