"""A relay's progress values reach ``on_progress`` and the progress bar as sane numbers:
clamped to 0-100, non-numbers ignored, whatever the relay sends."""

from __future__ import annotations

import asyncio
import math

import pytest

from tests.security._servers import HostileServer, Reply, Seen
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.tasks import TaskProgress

HOSTILE_PROGRESS = [b"-20", b'"150%"', b"NaN", b"1e999", b"-Infinity", b'"soon"', b"true", b"[1]"]


def progress_relay() -> HostileServer:
    """Each poll answers the next hostile progress value, then the video is complete."""
    polls = iter(HOSTILE_PROGRESS)

    def answer(seen: Seen) -> Reply:
        value = next(polls, None)
        status = b'"in_progress"' if value is not None else b'"completed"'
        body = b'{"id": "video_1", "object": "video", "status": %s, "progress": %s}' % (
            status,
            value if value is not None else b"100",
        )
        return Reply(200, {"Content-Type": "application/json"}, body)

    return HostileServer(answer)


def sane(seen: list[TaskProgress]) -> None:
    assert len(seen) >= 2
    for progress in seen:
        assert math.isfinite(progress.percent) and 0.0 <= progress.percent <= 100.0
    assert seen[-1].percent == 100.0


@pytest.mark.parametrize("bar", [False, True])
def test_hostile_progress_never_reaches_callbacks_or_the_bar(bar: bool) -> None:
    seen: list[TaskProgress] = []
    with progress_relay() as relay, WenwenClient(api_key="sk-test", base_url=relay.url) as client:
        done = client.videos.wait(
            "video_1", on_progress=seen.append, progress_bar=bar, sleep=lambda s: None
        )
    assert done.status == "completed"
    sane(seen)


def test_hostile_progress_async() -> None:
    seen: list[TaskProgress] = []

    async def main() -> None:
        async with AsyncWenwenClient(api_key="sk-test", base_url=relay.url) as client:
            await client.videos.wait(
                "video_1", on_progress=seen.append, progress_bar=True, sleep=lambda s: None
            )

    with progress_relay() as relay:
        asyncio.run(main())
    sane(seen)
