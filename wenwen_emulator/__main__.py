"""``python -m wenwen_emulator [--host 127.0.0.1] [--port 8787] [--latency S] [--quirks a,b]
[--model NAME[:KIND]]... [--rate-limit N [--rate-limit-period S] [--no-retry-after]]``."""

from __future__ import annotations

import argparse
import threading

from . import require_extra
from .models import KINDS, user_models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m wenwen_emulator", description="Run the local Wenwen API emulator."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help="accepted key (repeatable; default sk-emulator)",
    )
    parser.add_argument("--no-auth", action="store_true", help="accept any key")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--quirks", default="", help="comma-separated relay quirks")
    parser.add_argument(
        "--model",
        action="append",
        dest="models",
        default=[],
        metavar="NAME[:KIND]",
        help=f"serve another model (repeatable; KIND one of {', '.join(KINDS)}; default chat)",
    )
    parser.add_argument(
        "--time-scale", type=float, default=1.0,
        help="how fast video/Midjourney jobs age (60: a minute per second)",
    )  # fmt: skip
    parser.add_argument(
        "--rate-limit", type=int, default=None, metavar="N",
        help="at most N API requests per key per --rate-limit-period (429 beyond)",
    )  # fmt: skip
    parser.add_argument("--rate-limit-period", type=float, default=1.0, metavar="S")
    parser.add_argument(
        "--no-retry-after", action="store_true",
        help="rate-limit 429s without Retry-After (as new-api answers)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    require_extra()
    from .server import Emulator

    try:
        user_models(args.models)
    except ValueError as exc:
        parser.error(str(exc))
    emulator = Emulator(
        host=args.host,
        port=args.port,
        api_keys=args.api_keys,
        require_auth=not args.no_auth,
        latency=args.latency,
        quirks=[q.strip() for q in args.quirks.split(",") if q.strip()],
        models=args.models,
        time_scale=args.time_scale,
        rate_limit=args.rate_limit,
        rate_limit_period=args.rate_limit_period,
        rate_limit_retry_after=not args.no_retry_after,
    )
    emulator.start()
    print(f"Wenwen emulator listening on {emulator.base_url}", flush=True)
    print(f"API key: {emulator.api_key}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
