"""Scenarios and how one batch of each is timed.

A scenario wraps one client call. Its batch runs a fixed amount of work and returns metrics:
sync calls (mean µs per call), streams (per-batch median TTFT and total ms), async bursts
(wall ms of a first and a second, warm-pool ``asyncio.gather`` burst) and embedding passes
(wall ms). ``check`` validates a result during warm-up, so every client is known to have
received the same, complete answer before anything is timed.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from _proc import FakeServer

SYNC_CALLS = 100
STREAMS = 15
BURST = 100
BIG_BURST = 1000


@dataclass
class Scenario:
    name: str
    role: str  # "floor", "ours", "anchor" or "core" (our core client, for the breakdown)
    server: FakeServer
    batch: Callable[[], dict[str, float]]
    warm_up: Callable[[], None]
    note: str = ""
    heavy: bool = False  # seconds per batch: runs in the first ``heavy_rounds`` rounds only


@dataclass
class Results:
    """metric values per scenario, one value per round, plus server counters per batch."""

    metrics: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    requests: dict[str, list[int]] = field(default_factory=dict)
    server_cpu_ms: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, values: dict[str, float], stats: dict[str, Any]) -> None:
        per_metric = self.metrics.setdefault(name, {})
        for metric, value in values.items():
            per_metric.setdefault(metric, []).append(value)
        self.requests.setdefault(name, []).append(sum(stats["requests"].values()))
        self.server_cpu_ms.setdefault(name, []).append(stats["cpu_seconds"] * 1000.0)

    def median(self, name: str, metric: str) -> float | None:
        values = self.metrics.get(name, {}).get(metric)
        return statistics.median(values) if values else None


def sync_scenario(
    name: str,
    role: str,
    server: FakeServer,
    call: Callable[[], Any],
    check: Callable[[Any], None],
    *,
    warm_calls: int = 20,
) -> Scenario:
    def batch() -> dict[str, float]:
        cpu, start = time.process_time(), time.perf_counter()
        for _ in range(SYNC_CALLS):
            call()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"us_per_call": wall / SYNC_CALLS * 1e6, "cpu_us_per_call": cpu / SYNC_CALLS * 1e6}

    def warm_up() -> None:
        check(call())
        for _ in range(warm_calls - 1):
            call()

    return Scenario(name, role, server, batch, warm_up)


def stream_scenario(
    name: str,
    role: str,
    server: FakeServer,
    open_stream: Callable[[], Iterable[str]],
    check: Callable[[str], None],
) -> Scenario:
    """``open_stream`` yields the text of each chunk the client hands to its user."""

    def one() -> tuple[float, float, float, str]:
        cpu, start = time.process_time(), time.perf_counter()
        first = 0.0
        pieces: list[str] = []
        for text in open_stream():
            if text and not first:
                first = time.perf_counter() - start
            pieces.append(text)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return first, wall, cpu, "".join(pieces)

    def batch() -> dict[str, float]:
        timings = [one() for _ in range(STREAMS)]
        return {
            "ttft_ms": statistics.median(t[0] for t in timings) * 1000.0,
            "total_ms": statistics.median(t[1] for t in timings) * 1000.0,
            "cpu_total_ms": statistics.median(t[2] for t in timings) * 1000.0,
        }

    def warm_up() -> None:
        check(one()[3])
        one()
        one()

    return Scenario(name, role, server, batch, warm_up)


def async_scenario(
    name: str,
    role: str,
    server: FakeServer,
    runner: asyncio.Runner,
    call: Callable[[], Awaitable[Any]],
    check: Callable[[Any], None],
    *,
    note: str = "",
    size: int = BURST,
    heavy: bool = False,
) -> Scenario:
    """Two bursts of ``size`` concurrent calls per batch: the first may open connections
    (keep-alive expired while other scenarios ran), the second runs on the warm pool and is
    the headline."""

    async def burst() -> tuple[float, list[Any]]:
        start = time.perf_counter()
        results = await asyncio.gather(*(call() for _ in range(size)))
        return time.perf_counter() - start, results

    def batch() -> dict[str, float]:
        first, _ = runner.run(burst())
        cpu = time.process_time()
        warm, _ = runner.run(burst())
        return {
            "first_burst_ms": first * 1000.0,
            "warm_burst_ms": warm * 1000.0,
            "cpu_warm_burst_ms": (time.process_time() - cpu) * 1000.0,
        }

    def warm_up() -> None:
        _, results = runner.run(burst())
        for result in results:
            check(result)
        runner.run(burst())

    return Scenario(name, role, server, batch, warm_up, note, heavy=heavy)


def embed_scenario(
    name: str,
    role: str,
    server: FakeServer,
    embed: Callable[[], list[list[float]]],
    check: Callable[[list[list[float]]], None],
    *,
    note: str = "",
) -> Scenario:
    def batch() -> dict[str, float]:
        cpu, start = time.process_time(), time.perf_counter()
        embed()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        return {"wall_ms": wall * 1000.0, "cpu_ms": cpu * 1000.0}

    def warm_up() -> None:
        check(embed())

    return Scenario(name, role, server, batch, warm_up, note, heavy=True)


def run_batch(scenario: Scenario, results: Results) -> None:
    gc.collect()
    scenario.server.reset()
    values = scenario.batch()
    results.add(scenario.name, values, scenario.server.stats())


def run_rounds(
    scenarios: list[Scenario],
    rounds: int,
    heavy_rounds: int,
    rng: random.Random,
    progress: Callable[[str], None],
) -> Results:
    results = Results()
    for number in range(1, rounds + 1):
        order = [s for s in scenarios if number <= heavy_rounds or not s.heavy]
        rng.shuffle(order)
        started = time.perf_counter()
        for scenario in order:
            run_batch(scenario, results)
        progress(f"round {number}/{rounds} done in {time.perf_counter() - started:.1f} s")
    return results
