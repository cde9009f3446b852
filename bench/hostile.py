"""Measurements against hostile servers (a script, not a test; loopback only).

    python bench/hostile.py hang        # a default client against a server that never answers
    python bench/hostile.py hang --async-transport aiohttp
    python bench/hostile.py sse-line    # peak memory for a 256 MB SSE line with no newline

``hang`` runs for as long as the default budget lets the call run (minutes): it prints the
wall time, the error and its fields, and whether the call ended within ``total_timeout``.
``sse-line`` feeds the line in 64 KB chunks to the stream decoder and prints the peak memory
``tracemalloc`` saw (the decoder stops at ``max_stream_event_bytes``, 64 MB by default).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
import tracemalloc

from wenwen import AsyncWenwenClient, WenwenClient, errors
from wenwen._http.sse import SSEDecoder


def _silent_server() -> tuple[str, threading.Event]:
    """Accepts connections, reads the requests and never answers."""
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def hold(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            stop.wait()

    def accept() -> None:
        while not stop.is_set():
            conn, _ = listener.accept()
            threading.Thread(target=hold, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", stop


def hang(transport: str) -> None:
    base_url, stop = _silent_server()
    started = time.monotonic()
    try:
        if transport == "sync":
            with WenwenClient(api_key="sk-bench", base_url=base_url) as client:
                client.list_models()
        else:

            async def run() -> None:
                async with AsyncWenwenClient(
                    api_key="sk-bench", base_url=base_url, async_transport=transport
                ) as client:
                    await client.list_models()

            asyncio.run(run())
    except errors.APITimeoutError as error:
        took = time.monotonic() - started
        budget = error.total_timeout
        print(f"transport={transport} wall={took:.1f} s budget={budget} s")
        print(f"attempts={error.attempts} per-try={error.timeout} s elapsed={error.elapsed:.1f} s")
        print(f"error: {error}")
        print("within budget:", budget is None or took <= budget + 1.0)
    finally:
        stop.set()


def sse_line(size_mb: int) -> None:
    decoder = SSEDecoder()
    tracemalloc.start()
    stopped_at = None
    decoder.feed(b"data: ")
    for i in range(size_mb * 16):
        chunk = bytes(bytearray(65536))  # a fresh buffer per read, as a socket gives
        try:
            decoder.feed(chunk)
        except errors.StreamError:
            stopped_at = (i + 1) * len(chunk)
            break
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"line of {size_mb} MB: stopped after {stopped_at} bytes, peak {peak / 2**20:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["hang", "sse-line"])
    parser.add_argument("--async-transport", default="sync", choices=["sync", "httpx", "aiohttp"])
    parser.add_argument("--size-mb", type=int, default=256)
    args = parser.parse_args()
    if args.what == "hang":
        hang(args.async_transport)
    else:
        sse_line(args.size_mb)


if __name__ == "__main__":
    main()
