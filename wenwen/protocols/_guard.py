"""The boundary between the clients and a protocol module: whatever a protocol's reading code
trips over in an upstream reply (a wrong-typed field that fails validation, a missing key, a
number where a string belongs) becomes a ``ProtocolError`` — or a ``StreamError`` once a
stream has begun, so the caller keeps the partial — never a raw ``ValidationError``,
``TypeError`` or ``KeyError``. A request whose body JSON cannot carry gets a
``ConfigurationError`` that names the field. Protocol modules stay as they are; every
protocol, present or future, is wrapped the same way by ``get_protocol``.
"""

from __future__ import annotations

from typing import Any

import pydantic

from .._http.sse import ServerSentEvent
from ..errors import ProtocolError, StreamError, WenwenError
from ..stop import StopSequenceFilter, enforce_stop
from ..types import ChatRequest, ChatResponse, StreamEvent
from ..validation import unserializable_body_error

# What reading an unexpected shape raises inside protocol code.
READ_ERRORS = (
    pydantic.ValidationError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    ValueError,
)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pydantic.ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'value'}: {error['msg']}"
            for error in exc.errors()[:3]
        )
        return f"a field has the wrong type ({problems})"
    return f"{type(exc).__name__}: {exc}"


class GuardedDecoder:
    """A protocol's stream decoder whose reading failures are typed."""

    def __init__(self, protocol: str, inner: Any, stop: StopSequenceFilter | None = None) -> None:
        self._protocol = protocol
        self._inner = inner
        self._stop = stop

    @property
    def done(self) -> bool:
        return bool(self._inner.done)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        try:
            events: list[StreamEvent] = self._inner.feed(event)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the relay sent a {self._protocol} stream event that does not parse: "
                f"{_describe(exc)}"
            ) from exc
        return self._stop.feed(events) if self._stop is not None else events

    def close(self) -> list[StreamEvent]:
        try:
            events: list[StreamEvent] = self._inner.close()
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise StreamError(
                f"the {self._protocol} stream ended with data that does not parse: {_describe(exc)}"
            ) from exc
        return self._stop.close(events) if self._stop is not None else events


class GuardedProtocol:
    """A protocol module behind the boundary; everything else is the module's own."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.NAME: str = module.NAME

    @property
    def module(self) -> Any:
        """The protocol module itself."""
        return self._module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def __repr__(self) -> str:
        return f"<protocol {self.NAME!r} ({self._module.__name__})>"

    def build_request(self, request: ChatRequest, *, stream: bool) -> Any:
        try:
            return self._module.build_request(request, stream=stream)
        except WenwenError:
            raise
        except (TypeError, ValueError) as exc:
            if "JSON serializable" not in str(exc):
                raise
            raise unserializable_body_error(request.model_dump(mode="python"), exc) from None

    def auth_headers(self, api_key: str) -> dict[str, str]:
        headers: dict[str, str] = self._module.auth_headers(api_key)
        return headers

    def parse_response(self, body: Any, request: ChatRequest | None = None) -> ChatResponse:
        try:
            response: ChatResponse = self._module.parse_response(body, request)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the relay sent a {self.NAME} reply that does not parse: {_describe(exc)}"
            ) from exc
        # stop sequences hold on every wire, even one without them (see wenwen.stop)
        return enforce_stop(response, request) if request is not None else response

    def StreamDecoder(self, request: ChatRequest | None = None) -> GuardedDecoder:
        stop = StopSequenceFilter(request.stop) if request is not None and request.stop else None
        return GuardedDecoder(self.NAME, self._module.StreamDecoder(request), stop)

    def finalize_response(
        self, response: ChatResponse, request: ChatRequest | None = None
    ) -> ChatResponse:
        try:
            final: ChatResponse = self._module.finalize_response(response, request)
        except WenwenError:
            raise
        except READ_ERRORS as exc:
            raise ProtocolError(
                f"the {self.NAME} reply could not be completed: {_describe(exc)}"
            ) from exc
        return final
