"""Profile one benchmark scenario with cProfile: where does a client's time go?

    python bench/profile_scenario.py lc_ChatWenwen_invoke [--batches 3] [--sort tottime] [--limit 30]
    python bench/profile_scenario.py --list

Builds the same clients and fake servers as ``run.py``, warms the scenario up, then profiles
``--batches`` batches of it and prints the top functions (file:line(function)).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _proc import FakeServer, pin_self
from run import EMBED_LATENCY, build_scenarios, quiet_environment


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--sort", default="tottime", help="a pstats sort key, e.g. cumulative")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--dump", type=Path, default=None, help="also write the raw profile")
    args = parser.parse_args(argv)
    quiet_environment()
    print(pin_self())
    with (
        FakeServer() as chat,
        FakeServer(latency=EMBED_LATENCY) as embed,
        asyncio.Runner() as runner,
    ):
        scenarios = {s.name: s for s in build_scenarios(chat, embed, runner, anchors=True)}
        if args.list or args.scenario not in scenarios:
            print("scenarios:", ", ".join(sorted(scenarios)))
            return
        scenario = scenarios[args.scenario]
        scenario.warm_up()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.batches):
            scenario.batch()
        profiler.disable()
        from _subjects import CLEANUPS

        for cleanup in CLEANUPS:
            runner.run(cleanup())
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    stats.sort_stats(args.sort).print_stats(args.limit)


if __name__ == "__main__":
    main()
