"""Long-running generation tasks: video (Sora/Veo through ``/v1/videos``, new-api's task
route, Kling) and Midjourney, all waited on by one sans-IO polling engine.

    from wenwen import WenwenClient
    client = WenwenClient()
    job = client.videos.create(prompt="a cat dancing on grass", model="sora-2")
    done = client.videos.wait(job.id, progress_bar=True, timeout=600)   # resume with the id
    client.videos.download(done, path="cat.mp4")

    task_id = client.midjourney.imagine("a lighthouse at dawn", mode="FAST")
    grid = client.midjourney.wait(task_id, on_progress=print)
    upscaled = client.midjourney.wait(client.midjourney.action(grid, "U2"))
    client.midjourney.download(upscaled, path="lighthouse.png")
"""

from .engine import (
    PollPolicy,
    TaskPoller,
    TaskProgress,
    TaskSnapshot,
    TaskState,
    wait_async,
    wait_many_async,
    wait_many_sync,
    wait_sync,
)
from .midjourney import (
    BannedPromptError,
    MidjourneyError,
    MidjourneyQueueFullError,
    MjButton,
    MjTask,
)
from .progress import ProgressBar
from .resources import (
    AsyncMidjourney,
    AsyncVideos,
    GeneratedVideo,
    Midjourney,
    Videos,
    WaitOptions,
)
from .video import VIDEO_ROUTES, VideoRoute

__all__ = [
    "VIDEO_ROUTES",
    "AsyncMidjourney",
    "AsyncVideos",
    "BannedPromptError",
    "GeneratedVideo",
    "Midjourney",
    "MidjourneyError",
    "MidjourneyQueueFullError",
    "MjButton",
    "MjTask",
    "PollPolicy",
    "ProgressBar",
    "TaskPoller",
    "TaskProgress",
    "TaskSnapshot",
    "TaskState",
    "VideoRoute",
    "Videos",
    "WaitOptions",
    "wait_async",
    "wait_many_async",
    "wait_many_sync",
    "wait_sync",
]
