"""Workers sharing one rate-limited key: 20,000 texts, 2 worker processes, one emulator key
limited to ``--key-rate`` requests per second (a sliding window, like new-api's
``ModelRequestRateLimit``). Every worker has its own client (its own adaptive limiter), as on
Ray, Dask or Spark. Target: every text embedded, no error, and throughput within 10 % of the
key's limit.

    python bench/rate_limited_key.py [--texts 20000] [--workers 2] [--key-rate 10]

Throughput counts the requests after the first window (the first ``key-rate`` requests pass at
once, as any window-based limit allows) over the time from the first request to the last
answer: ``(requests - key_rate) / seconds``, printed with its ratio to ``--key-rate``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MODEL = "text-embedding-3-small"


def worker(base_url: str, key: str, texts: list[str], chunk: int, concurrency: int) -> tuple:
    """One worker process: its own model and pool, as an engine's worker has."""
    from langchain_wenwen import WenwenEmbeddings

    embeddings = WenwenEmbeddings(
        model=MODEL,
        api_key=key,
        base_url=base_url,
        dimensions=64,
        chunk_size=chunk,
        max_concurrency=concurrency,
    )
    embeddings.embed_documents(["warm up the imports and the pool"])  # not timed
    start = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process on Linux
    try:
        vectors = embeddings.embed_documents(texts)
        error = None
    except Exception as exc:  # reported, never hidden
        vectors, error = [], f"{type(exc).__name__}: {exc}"
    end = time.monotonic()
    limiter = embeddings._clients.limiter()
    embeddings.close()
    return start, end, len(vectors), error, limiter.rate_limited_count, limiter.limit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--key-rate", type=int, default=10, help="requests per second")
    parser.add_argument("--chunk", type=int, default=100, help="texts per request")
    parser.add_argument("--concurrency", type=int, default=8, help="max_concurrency per worker")
    parser.add_argument("--latency", type=float, default=0.05, help="relay seconds per request")
    parser.add_argument("--no-retry-after", action="store_true", help="429s as new-api sends them")
    args = parser.parse_args(argv)

    from wenwen_emulator import Emulator

    texts = [f"document {i}: text about subject {i % 97}" for i in range(args.texts)]
    shares = [texts[i :: args.workers] for i in range(args.workers)]
    with Emulator(
        rate_limit=args.key_rate,
        latency=args.latency,
        rate_limit_retry_after=not args.no_retry_after,
    ) as emu:
        limit = emu.state.rate_limit
        assert limit is not None
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.workers) as pool:
            jobs = [
                pool.apply_async(
                    worker, (emu.base_url, emu.api_key, share, args.chunk, args.concurrency)
                )
                for share in shares
            ]
            results = [job.get(timeout=3600) for job in jobs]
        admitted, rejected = limit.admitted - args.workers, limit.rejected  # minus warm-ups
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    done = sum(r[2] for r in results)
    errors = [r[3] for r in results if r[3]]
    seconds = end - start
    throughput = (admitted - args.key_rate) / seconds
    ratio = throughput / args.key_rate
    print(
        f"{args.texts:,} texts, {args.workers} workers x max_concurrency={args.concurrency}, "
        f"key limit {args.key_rate} requests/s, {args.chunk} texts/request, "
        f"relay latency {args.latency * 1000:.0f} ms, Retry-After "
        f"{'off (new-api)' if args.no_retry_after else 'on'}"
    )
    print(
        f"embedded {done:,}/{args.texts:,} in {seconds:.1f} s; {admitted} requests answered, "
        f"{rejected} answered 429 (limiters slowed down {sum(r[4] for r in results)} times; "
        f"final in-flight limits {[r[5] for r in results]})"
    )
    ok = done == args.texts and not errors and 0.9 <= ratio <= 1.1
    print(
        f"throughput {throughput:.2f} requests/s = {ratio:.3f} x the key's limit "
        f"(target 0.9-1.1): {'PASS' if ok else 'FAIL'}"
    )
    for error in errors:
        print(f"worker error: {error}")
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "default::ResourceWarning")
    raise SystemExit(main())
