"""One long ``data:`` line (a base64 image or audio clip arrives as one) fed in 64 KB
chunks: wenwen's SSE decoder against httpx-sse's line and event decoders."""

from __future__ import annotations

import time
from collections.abc import Callable

CHUNK = 65536
SIZES_MB = (1, 10, 40)


def _ours(chunks: list[bytes]) -> int:
    from wenwen._http.sse import SSEDecoder

    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return len(events[0].data)


def _httpx_sse(chunks: list[bytes]) -> int:
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    lines, decoder = SSELineDecoder(), SSEDecoder()
    events = []
    for chunk in chunks:
        for line in lines.decode(chunk.decode("utf-8")):
            event = decoder.decode(line)
            if event is not None:
                events.append(event)
    for line in lines.flush():
        event = decoder.decode(line)
        if event is not None:
            events.append(event)
    return len(events[0].data)


def _time(decode: Callable[[list[bytes]], int], chunks: list[bytes], size: int) -> float:
    start = time.perf_counter()
    if decode(chunks) != size:
        raise AssertionError(f"{decode.__name__} lost part of the line")
    return (time.perf_counter() - start) * 1000.0


def measure_sse(reps: int) -> dict[str, list[float]]:
    """Milliseconds per decode, ``reps`` interleaved runs per size (httpx-sse if installed)."""
    try:
        import httpx_sse  # noqa: F401
    except ImportError:
        decoders: dict[str, Callable[[list[bytes]], int]] = {"wenwen": _ours}
    else:
        decoders = {"wenwen": _ours, "httpx_sse": _httpx_sse}
    samples: dict[str, list[float]] = {}
    for mb in SIZES_MB:
        size = mb * 2**20
        raw = b"data: " + b"A" * size + b"\n\n"
        chunks = [raw[i : i + CHUNK] for i in range(0, len(raw), CHUNK)]
        for _ in range(reps):
            for label, decode in decoders.items():
                samples.setdefault(f"sse_{mb}MB_{label}", []).append(_time(decode, chunks, size))
    return samples
