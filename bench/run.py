"""Side-by-side benchmark: wenwen's LangChain / LlamaIndex integrations vs the usual clients.

    python bench/run.py [--rounds 7 | --quick] [--seed 1] [--json-out results.json]

One process runs every client; fake servers (``bench/fake_server.py``) run as child processes
pinned to CPU 1 while this process pins itself to CPU 0. Every client is built once and
warmed up; then each round runs one batch per scenario in a shuffled (seeded) order, with
``gc.collect()`` before each batch. Reported: medians over rounds. Cold imports are timed in
fresh interpreters (one warm-up each, then ``--import-reps`` runs). Compare ratios and
overheads from one run only: absolute numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import BURST, STREAMS, SYNC_CALLS, Results, Scenario, run_rounds
from _imports import measure_imports
from _proc import FakeServer, pin_self
from _report import TARGETS, evaluate, notes_of, scenario_table, target_table
from _sse_bench import measure_sse

EMBED_LATENCY = 0.050
LEGEND = """
Medians over rounds. A batch is {calls} sync calls (us_per_call: mean per call) | {streams} streams
of 200 chunks (per-batch medians) | 2 bursts of {burst} concurrent async calls (the 2nd, on the
warm pool, is the headline) | one pass over 5,000 texts with {latency:.2f} s server latency per
embedding request. cpu_* = this process's CPU time for the same work (robust when other
processes share the machine; wall time is not). "over floor" = minus raw httpx doing the same
HTTP (imports: minus the framework base class + httpx). Ratios: ours/anchor, lower is better.
"""
BENCH_EXTRA_HINT = (
    'anchors missing ({names}): install the [bench] extra to compare, pip install -e ".[bench]"'
)


def quiet_environment() -> None:
    """No tracing, no proxies: nothing may leave 127.0.0.1."""
    for name in ("LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING"):
        os.environ[name] = "false"
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        os.environ.pop(name, None)
    for name in ("OPENAI_BASE_URL", "OPENAI_API_BASE", "WENWEN_BASE_URL"):
        os.environ.pop(name, None)


def build_scenarios(
    chat: FakeServer, embed: FakeServer, runner: asyncio.Runner, anchors: bool
) -> list[Scenario]:
    from _frameworks import langchain_chat, langchain_embeddings, llama_index_chat
    from _subjects import core_scenarios, raw_scenarios

    return [
        *raw_scenarios(chat, embed, runner),
        *core_scenarios(chat),
        *langchain_chat(chat, runner, anchors=anchors),
        *langchain_embeddings(embed, runner, anchors=anchors),
        *llama_index_chat(chat, anchors=anchors),
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from _subjects import missing_anchors

    quiet_environment()
    missing = missing_anchors()
    if missing:
        print(BENCH_EXTRA_HINT.format(names=", ".join(missing)))
    print(pin_self())
    rng = random.Random(args.seed)
    started = time.perf_counter()

    imports = (
        measure_imports(args.import_reps, rng, all_floors=args.import_floors)
        if args.import_reps
        else {}
    )
    print(f"imports timed in {time.perf_counter() - started:.1f} s")
    sse = measure_sse(args.rounds)

    with (
        FakeServer() as chat,
        FakeServer(latency=EMBED_LATENCY) as embed,
        asyncio.Runner() as runner,
    ):
        scenarios = build_scenarios(chat, embed, runner, anchors=not missing)
        for scenario in scenarios:
            scenario.warm_up()
        print(f"{len(scenarios)} scenarios built and warmed up; {args.rounds} rounds")
        results = run_rounds(scenarios, args.rounds, args.embed_rounds, rng, progress=print)
        from _subjects import CLEANUPS

        for cleanup in CLEANUPS:
            runner.run(cleanup())
    for label, values in (imports | sse).items():
        results.metrics[label] = {"ms": values}

    evaluations = [row for t in TARGETS if (row := evaluate(t, results)) is not None]
    print(LEGEND.format(calls=SYNC_CALLS, streams=STREAMS, burst=BURST, latency=EMBED_LATENCY))
    order = [s.name for s in scenarios] + list(imports) + list(sse)
    print("\n".join(scenario_table(results, order, notes_of(scenarios))))
    print()
    print("\n".join(target_table(evaluations)))
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    return report_json(args, results, evaluations)


def report_json(
    args: argparse.Namespace, results: Results, evaluations: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "config": {
            "rounds": args.rounds,
            "embed_rounds": args.embed_rounds,
            "seed": args.seed,
            "import_reps": args.import_reps,
            "python": sys.version.split()[0],
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "metrics": results.metrics,
        "requests_per_batch": results.requests,
        "server_cpu_ms_per_batch": results.server_cpu_ms,
        "targets": evaluations,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="2 rounds, 2 import runs")
    parser.add_argument("--import-reps", type=int, default=None, help="0 skips imports")
    parser.add_argument(
        "--embed-rounds", type=int, default=3, help="rounds that include the embedding passes"
    )
    parser.add_argument(
        "--import-floors", action="store_true", help="also time the LlamaIndex import floor"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 2
    args.embed_rounds = min(args.embed_rounds, args.rounds)
    if args.import_reps is None:
        args.import_reps = 2 if args.quick else 7
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    report = run(args)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {args.json_out}")
    failed = [row["label"] for row in report["targets"] if row["result"] == "FAIL"]
    if failed:
        print(f"{len(failed)} target(s) missed: " + "; ".join(failed))


if __name__ == "__main__":
    main()
