"""Fault specs and how they shape a response.

Grammar: ``kind[:arg][;key=value...]``; several specs may be joined with ``,``.

=====================  ==============================================================
``status:CODE``        error response with that status (``;retry_after=S``,
                       ``;retry_after_ms=MS`` add ``Retry-After`` / ``retry-after-ms``)
``empty:CODE``         that status with an empty body (one-api's 429)
``disconnect``         close the connection before any response byte
``malformed_json``     200 ``application/json`` with a cut-off body
``slow_first_byte:S``  wait S seconds before responding
``midstream_close:N``  send N stream frames, then drop the connection (no terminator)
``truncate:N``         send N frames, then end the body cleanly (no finish, no [DONE])
``stall:N``            send N frames, then hang (bounded by the stall timeout), then drop
``ping``               ``: PING`` comment before and between frames
``error_event:N``      after N frames an error frame, then a clean end
``crlf``               CRLF line endings in SSE
=====================  ==============================================================
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

KINDS = frozenset(
    {
        "status",
        "empty",
        "disconnect",
        "malformed_json",
        "slow_first_byte",
        "midstream_close",
        "truncate",
        "stall",
        "ping",
        "error_event",
        "crlf",
    }
)
_NEEDS_ARG = frozenset(
    {"status", "empty", "slow_first_byte", "midstream_close", "truncate", "stall", "error_event"}
)
MALFORMED_BODY = b'{"id": "chatcmpl-x", "choices": ['


class FaultSpecError(ValueError):
    """A fault spec that cannot be parsed."""


@dataclass(frozen=True)
class Fault:
    kind: str
    value: float = 0.0
    retry_after: str | None = None
    retry_after_ms: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Fault:
        head, *options = [p.strip() for p in spec.strip().split(";")]
        kind, _, arg = head.partition(":")
        kind = kind.strip()
        if kind not in KINDS:
            raise FaultSpecError(f"unknown fault {kind!r}; known: {', '.join(sorted(KINDS))}")
        if kind in _NEEDS_ARG and not arg:
            raise FaultSpecError(f"fault {kind!r} needs an argument, e.g. {kind}:1")
        try:
            value = float(arg) if arg else 0.0
        except ValueError as exc:
            raise FaultSpecError(f"bad argument in fault spec {spec!r}") from exc
        extra: dict[str, str] = {}
        for option in options:
            key, _, val = option.partition("=")
            if key.strip() not in ("retry_after", "retry_after_ms") or not val:
                raise FaultSpecError(f"bad option {option!r} in fault spec {spec!r}")
            extra[key.strip()] = val.strip()
        return cls(kind, value, extra.get("retry_after"), extra.get("retry_after_ms"))

    @property
    def n(self) -> int:
        return int(self.value)

    def headers(self) -> dict[str, str]:
        out = {}
        if self.retry_after is not None:
            out["Retry-After"] = self.retry_after
        if self.retry_after_ms is not None:
            out["retry-after-ms"] = self.retry_after_ms
        return out


def parse_faults(spec: str) -> list[Fault]:
    return [Fault.parse(part) for part in spec.split(",") if part.strip()]


def find(faults: list[Fault], kind: str) -> Fault | None:
    return next((f for f in faults if f.kind == kind), None)


class Connection:
    """Access to the uvicorn transport behind a request, to drop connections on purpose."""

    def __init__(self, receive: Any) -> None:
        self._cycle = getattr(receive, "__self__", None)
        self._transport = getattr(self._cycle, "transport", None)

    @property
    def closed(self) -> bool:
        transport = self._transport
        return transport is None or bool(transport.is_closing())

    @property
    def client_gone(self) -> bool:
        """The client closed the connection (False when there is no socket to watch)."""
        transport = self._transport
        return transport is not None and bool(transport.is_closing())

    async def drop(self) -> None:
        """Flush what was written, close the socket, and wait until uvicorn notices."""
        if self._transport is None:
            raise ConnectionAbortedError("emulator fault: connection dropped")
        self._transport.close()
        for _ in range(400):
            if getattr(self._cycle, "disconnected", True):
                return
            await asyncio.sleep(0.005)


@dataclass
class Frame:
    text: str
    final: bool = False
    """Part of the stream's ending (finish reason, usage, terminator)."""


async def emit(
    frames: list[Frame],
    faults: list[Fault],
    error_frame: Callable[[], str],
    conn: Connection,
    *,
    stall_timeout: float,
    closing: Callable[[], bool],
) -> AsyncIterator[bytes]:
    """Yield SSE bytes for ``frames`` with the stream faults applied; stop as soon as the
    client has gone (writing on would only make asyncio log failed sends)."""
    crlf = find(faults, "crlf") is not None
    ping = find(faults, "ping") is not None
    limit, ending = len(frames), "normal"
    for kind in ("midstream_close", "truncate", "stall", "error_event"):
        fault = find(faults, kind)
        if fault is not None:
            limit, ending = fault.n, kind
            break
    if ending in ("truncate", "error_event"):
        body = [f for f in frames if not f.final]
        limit = min(limit, len(body))

    def encode(text: str) -> bytes:
        return (text.replace("\n", "\r\n") if crlf else text).encode()

    for i, frame in enumerate(frames[:limit]):
        if conn.client_gone:
            return
        if ping:
            yield encode(": PING\n\n")
        yield encode(frame.text)
        if i == 0:
            await asyncio.sleep(0)
    if conn.client_gone:
        return
    if ending == "error_event":
        yield encode(error_frame())
    elif ending == "midstream_close":
        await conn.drop()
    elif ending == "stall":
        deadline = time.monotonic() + stall_timeout
        while time.monotonic() < deadline and not closing() and not conn.closed:
            await asyncio.sleep(0.05)
        await conn.drop()
