"""Long-running video jobs: start, watch a progress bar, lose patience, resume by task id,
download the MP4; image-to-video with Kling's first and last frame; a job that fails.

Runs against the Wenwen relay when WENWEN_API_KEY is set; otherwise on the local emulator,
whose clock runs 60 times faster than the wall clock, so minutes of "rendering" pass in
seconds (the same jobs, statuses and real MP4 bytes, just sooner).

    python examples/video_generation.py [--out DIR]   # files go to a new temp folder unless --out is given
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from wenwen import TaskFailedError, TaskTimeoutError, WenwenClient
from wenwen.tasks import PollPolicy, WaitOptions

EMULATOR_TIME_SCALE = 60.0
START_FRAME = bytes.fromhex(  # a 1x1 PNG, enough for image-to-video on the emulator
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a90000000049454e44ae426082"
)


def run(base_url: str, api_key: str, out: Path, wait: WaitOptions, *, patience: float) -> None:
    """The demo itself. ``patience`` is a deadline short enough to time out on purpose."""
    with WenwenClient(api_key=api_key, base_url=base_url) as client:
        demo(client, base_url, api_key, out, wait, patience)


def demo(
    client: WenwenClient, base_url: str, api_key: str, out: Path, wait: WaitOptions,
    patience: float,
) -> None:  # fmt: skip
    videos = client.videos
    job = videos.create(prompt="A paper boat drifting down a rainy street", seconds=8)
    print(f"created {job.id}: {job.status}")
    try:
        videos.wait(job.id, options=replace(wait, timeout=patience))
    except TaskTimeoutError as timed_out:
        last = timed_out.task
        print(f"gave up after the deadline at {last.progress if last else 0:.0f}%; resuming by id")
        job_id = timed_out.task_id
    else:
        job_id = job.id
    # a new client (think: a new process the next morning) needs nothing but the id
    with WenwenClient(api_key=api_key, base_url=base_url) as later:
        done = later.videos.wait(job_id, options=replace(wait, progress_bar="sora-2"))
        path = later.videos.download(done, path=out / "paper-boat.mp4")
    print(f"{done.id}: {done.status}, saved {path.name} ({path.stat().st_size} bytes)")

    frame = out / "frame.png"
    frame.write_bytes(START_FRAME)
    kling = videos.generate(
        "The same street from dawn to dusk", path=out / "dawn-to-dusk.mp4", model="kling-v1",
        image=frame, last_frame=frame, seconds=5, options=replace(wait, progress_bar="kling"),
    )  # fmt: skip
    print(f"{kling.task.id}: {kling.task.status} via {kling.task.route}, saved {kling.path.name}")

    try:
        videos.generate("A storm [fail: content policy]", path=out / "never.mp4", options=wait)
    except TaskFailedError as failed:
        print(f"{failed.task_id} failed: {failed.reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, help="folder for the files (default: a new temp folder)"
    )
    args = parser.parse_args()
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="wenwen-video-"))
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"saving to {args.out}", file=sys.stderr)
    if os.environ.get("WENWEN_API_KEY"):
        base_url = os.environ.get("WENWEN_BASE_URL", "https://api.wenwen-ai.com")
        run(
            base_url, os.environ["WENWEN_API_KEY"], args.out, WaitOptions(timeout=1800), patience=60
        )
        return
    from wenwen_emulator import Emulator

    with Emulator(time_scale=EMULATOR_TIME_SCALE) as emu:
        print(f"No WENWEN_API_KEY set: using the local emulator ({emu.base_url}), clock x60",
              file=sys.stderr)  # fmt: skip
        fast = PollPolicy(interval=0.05, max_interval=0.5)
        run(emu.base_url, emu.api_key, args.out, WaitOptions(poll=fast), patience=0.2)


if __name__ == "__main__":
    main()
