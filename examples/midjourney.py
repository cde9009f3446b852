"""Midjourney through the relay: imagine a grid with a progress bar, read its buttons, upscale
one picture (U2) and save it, resume a wait by task id, and wait on several jobs at once
(one ``list-by-condition`` call per poll).

Runs against the Wenwen relay when WENWEN_API_KEY is set; otherwise on the local emulator
with its clock 60 times faster (real PNG grids; an upscale is a real crop of its tile).

    python examples/midjourney.py [--out DIR]   # files go to a new temp folder unless --out is given
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from wenwen import WenwenClient
from wenwen.tasks import PollPolicy, WaitOptions


def run(base_url: str, api_key: str, out: Path, wait: WaitOptions) -> None:
    with WenwenClient(api_key=api_key, base_url=base_url) as client:
        demo(client, base_url, api_key, out, wait)


def demo(client: WenwenClient, base_url: str, api_key: str, out: Path, wait: WaitOptions) -> None:
    mj = client.midjourney
    task_id = mj.imagine("a lighthouse at dawn, watercolor", mode="FAST")
    print(f"imagine submitted: task {task_id}")
    grid = mj.wait(task_id, options=replace(wait, progress_bar="imagine"))
    print(f"grid {grid.id}: {grid.status}; buttons: {' '.join(b.name for b in grid.buttons)}")
    mj.download(grid, path=out / "grid.png")

    upscale_id = mj.action(grid, "U2")
    # resuming needs only the id: a fresh client picks the wait up where it stands
    with WenwenClient(api_key=api_key, base_url=base_url) as later:
        upscaled = later.midjourney.wait(upscale_id, options=replace(wait, progress_bar="U2"))
    path = mj.download(upscaled, path=out / "lighthouse-u2.png")
    print(f"upscale {upscaled.id}: {upscaled.status}, saved {path.name}")
    print(f"next buttons: {', '.join(b.name for b in upscaled.buttons)}")

    variations = [mj.action(grid, "V1"), mj.action(grid, "V3")]
    finished = mj.wait_many(variations, options=wait)
    print(f"variations: {', '.join(f'{t.id} {t.status}' for t in finished)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the files (default: a new temp folder)"
    )
    args = parser.parse_args()
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="wenwen-midjourney-"))
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"saving to {args.out}", file=sys.stderr)
    if os.environ.get("WENWEN_API_KEY"):
        base_url = os.environ.get("WENWEN_BASE_URL", "https://api.wenwen-ai.com")
        run(base_url, os.environ["WENWEN_API_KEY"], args.out, WaitOptions(timeout=1800))
        return
    from wenwen_emulator import Emulator

    with Emulator(time_scale=60.0) as emu:
        print(f"No WENWEN_API_KEY set: using the local emulator ({emu.base_url}), clock x60",
              file=sys.stderr)  # fmt: skip
        fast = PollPolicy(interval=0.05, max_interval=0.5)
        run(emu.base_url, emu.api_key, args.out, WaitOptions(poll=fast))


if __name__ == "__main__":
    main()
