"""A small, fast fake of the relay's OpenAI-format endpoints, for benchmarks only.

Plain asyncio HTTP/1.1 (keep-alive, chunked SSE), stdlib only, bound to 127.0.0.1:

- ``POST /v1/chat/completions``: a JSON reply with ``usage``; with ``"stream": true`` an SSE
  stream of N content chunks (N from the ``x-bench-chunks`` header, default 200), a
  ``finish_reason`` chunk, a usage chunk when ``stream_options.include_usage``, then
  ``data: [DONE]``. The head and first event go in one write, the rest in a second write.
- ``POST /v1/embeddings``: one deterministic vector per input (dim 1536 or ``dimensions``),
  as floats or base64 float32 per ``encoding_format``.
- ``GET /v1/models``; ``GET /_stats`` (request counts, server CPU seconds); ``POST /_reset``.

Replies are cached by shape, so the server spends microseconds per request and the client
under test is what gets measured. ``--latency S`` delays every ``/v1/*`` reply by S seconds.

    python bench/fake_server.py --port 0 [--latency 0.05] [--cpu 1]   # prints "PORT <n>"
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import functools
import json
import math
import os
import socket
import struct
import sys
import time
from collections import Counter
from typing import Any

HOST = "127.0.0.1"
DEFAULT_STREAM_CHUNKS = 200
DEFAULT_DIMENSIONS = 1536
VECTOR_POOL = 64
CREATED = 1_700_000_000
REPLY_TEXT = "Hello! I am a benchmark reply from the fake relay."


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


# --- replies -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def chat_body(model: str) -> bytes:
    return _dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": CREATED,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": REPLY_TEXT},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 12, "completion_tokens": 11, "total_tokens": 23},
        }
    )


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def _sse_chunk(payload: bytes) -> bytes:
    """One SSE event as one HTTP/1.1 chunk."""
    event = b"data: " + payload + b"\n\n"
    return b"%x\r\n%s\r\n" % (len(event), event)


@functools.lru_cache(maxsize=64)
def stream_events(model: str, chunks: int, include_usage: bool) -> tuple[bytes, bytes]:
    """(first event, all remaining events incl. the terminating zero-length chunk)."""
    first = _sse_chunk(_dumps(_chunk(model, {"role": "assistant", "content": ""}, None)))
    rest = [_sse_chunk(_dumps(_chunk(model, {"content": f"tok{i} "}, None))) for i in range(chunks)]
    rest.append(_sse_chunk(_dumps(_chunk(model, {}, "stop"))))
    if include_usage:
        usage = {"prompt_tokens": 12, "completion_tokens": chunks, "total_tokens": 12 + chunks}
        final = _chunk(model, {}, None) | {"choices": [], "usage": usage}
        rest.append(_sse_chunk(_dumps(final)))
    rest.append(_sse_chunk(b"[DONE]"))
    rest.append(b"0\r\n\r\n")
    return first, b"".join(rest)


@functools.lru_cache(maxsize=8)
def vector_pool(dimensions: int) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """(JSON float arrays, JSON base64 strings) for VECTOR_POOL fixed unit-ish vectors."""
    floats: list[bytes] = []
    encoded: list[bytes] = []
    for seed in range(VECTOR_POOL):
        values = [math.sin(seed * 0.37 + i * 0.013) * 0.05 for i in range(dimensions)]
        # float32 values printed with 10 significant digits, as relays commonly return them
        as_f32 = struct.unpack(f"<{dimensions}f", struct.pack(f"<{dimensions}f", *values))
        floats.append(b"[" + ",".join(f"{v:.10g}" for v in as_f32).encode() + b"]")
        raw = struct.pack(f"<{dimensions}f", *as_f32)
        encoded.append(b'"' + base64.b64encode(raw) + b'"')
    return tuple(floats), tuple(encoded)


@functools.lru_cache(maxsize=48)
def cached_embeddings_body(raw_request: bytes) -> bytes:
    """Benchmarks send the same batches every round: build each distinct reply once (a
    20 MB float body takes the server tens of ms; a cached one costs only the write)."""
    return embeddings_body(json.loads(raw_request))


def embeddings_body(request: dict[str, Any]) -> bytes:
    inputs = request.get("input")
    texts = inputs if isinstance(inputs, list) else [inputs]
    dimensions = int(request.get("dimensions") or DEFAULT_DIMENSIONS)
    as_floats, as_base64 = vector_pool(dimensions)
    pool = as_base64 if request.get("encoding_format") == "base64" else as_floats
    items = [
        b'{"object":"embedding","index":%d,"embedding":%s}' % (i, pool[_text_seed(text)])
        for i, text in enumerate(texts)
    ]
    tokens = sum(len(str(text)) // 4 + 1 for text in texts)
    tail = _dumps(
        {
            "model": request.get("model", ""),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )
    return b'{"object":"list","data":[' + b",".join(items) + b"]," + tail[1:]


def _text_seed(text: Any) -> int:
    return sum(str(text).encode()) % VECTOR_POOL


MODELS_BODY = _dumps(
    {
        "object": "list",
        "data": [
            {"id": "gpt-4o-mini", "object": "model", "created": CREATED, "owned_by": "bench"},
            {
                "id": "text-embedding-3-small",
                "object": "model",
                "created": CREATED,
                "owned_by": "bench",
            },
        ],
    }
)


# --- HTTP/1.1 ------------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.cpu_start = time.process_time()

    def reset(self) -> None:
        self.requests.clear()
        self.cpu_start = time.process_time()

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "cpu_seconds": time.process_time() - self.cpu_start,
        }


class Request:
    __slots__ = ("body", "headers", "method", "path")

    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body


def _head(status: str, content_type: str, length: int | None, keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}"]
    lines.append(
        f"content-length: {length}" if length is not None else "transfer-encoding: chunked"
    )
    lines.append("connection: keep-alive" if keep_alive else "connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class BenchProtocol(asyncio.Protocol):
    def __init__(self, stats: Stats, latency: float) -> None:
        self._stats = stats
        self._latency = latency
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._process()

    def _process(self) -> None:
        while not self._busy:
            request = self._take_request()
            if request is None:
                return
            delay = self._latency if request.path.startswith("/v1/") else 0.0
            if delay > 0:
                self._busy = True  # one request at a time per connection (no pipelining)
                asyncio.get_running_loop().call_later(delay, self._respond_later, request)
            else:
                self._respond(request)

    def _respond_later(self, request: Request) -> None:
        self._busy = False
        self._respond(request)
        self._process()

    def _take_request(self) -> Request | None:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self._buffer[:end].decode("latin-1").split("\r\n")
        method, target, _version = head[0].split(" ", 2)
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        if len(self._buffer) < end + 4 + length:
            return None
        body = self._buffer[end + 4 : end + 4 + length]
        self._buffer = self._buffer[end + 4 + length :]
        return Request(method, target.split("?", 1)[0], headers, body)

    def _respond(self, request: Request) -> None:
        transport = self._transport
        if transport is None:
            return
        if request.path.startswith("/v1/"):
            self._stats.requests[request.path] += 1
        keep_alive = request.headers.get("connection", "").lower() != "close"
        try:
            parts = self._route(request, keep_alive)
        except (ValueError, KeyError, TypeError) as exc:
            body = _dumps({"error": {"message": f"bad request: {exc}", "type": "invalid_request"}})
            parts = [_head("400 Bad Request", "application/json", len(body), keep_alive) + body]
        for part in parts:
            transport.write(part)
        if not keep_alive:
            transport.close()

    def _route(self, request: Request, keep_alive: bool) -> list[bytes]:
        json_type = "application/json"
        if request.method == "POST" and request.path == "/v1/chat/completions":
            payload = json.loads(request.body)
            model = str(payload.get("model", ""))
            if not payload.get("stream"):
                body = chat_body(model)
                return [_head("200 OK", json_type, len(body), keep_alive) + body]
            chunks = int(request.headers.get("x-bench-chunks", DEFAULT_STREAM_CHUNKS))
            usage = bool((payload.get("stream_options") or {}).get("include_usage"))
            first, rest = stream_events(model, chunks, usage)
            head = _head("200 OK", "text/event-stream", None, keep_alive)
            return [head + first, rest]
        if request.method == "POST" and request.path == "/v1/embeddings":
            body = cached_embeddings_body(request.body)
        elif request.method == "GET" and request.path == "/v1/models":
            body = MODELS_BODY
        elif request.method == "GET" and request.path == "/_stats":
            body = _dumps(self._stats.snapshot())
        elif request.method == "POST" and request.path == "/_reset":
            self._stats.reset()
            body = b"{}"
        else:
            body = _dumps({"error": {"message": f"no route {request.method} {request.path}"}})
            return [_head("404 Not Found", json_type, len(body), keep_alive) + body]
        return [_head("200 OK", json_type, len(body), keep_alive) + body]


async def serve(port: int, latency: float) -> None:
    stats = Stats()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: BenchProtocol(stats, latency), HOST, port, reuse_address=True, backlog=1024
    )
    bound = server.sockets[0].getsockname()[1]
    vector_pool(DEFAULT_DIMENSIONS)  # build the cached vectors before announcing readiness
    print(f"PORT {bound}", flush=True)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {args.cpu})
        except OSError as exc:
            print(f"note: could not pin to CPU {args.cpu}: {exc}", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency))


if __name__ == "__main__":
    main()
