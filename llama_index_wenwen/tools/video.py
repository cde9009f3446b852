"""The ``video`` tool group: make a video (text or image to video, Kling first/last frame) and
resume a wait by task id.

Results are ``VideoResult``s: the agent's model reads ``str(result)`` (the task id, status and
saved path; chat tool results cannot carry video), while ``ToolOutput.raw_output`` keeps the
whole result with its ``VideoBlock``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from llama_index.core.base.llms.types import ContentBlock, TextBlock, VideoBlock

from wenwen.tasks import TaskSnapshot

from ._base import ToolGroup
from ._tasks import wait_options


@dataclass(frozen=True)
class VideoResult:
    text: str
    task_id: str
    video: VideoBlock
    path: Path | None = None

    @property
    def blocks(self) -> list[ContentBlock]:
        return [TextBlock(text=self.text), self.video]

    def __str__(self) -> str:
        return self.text


class VideoTools(ToolGroup):
    GROUP: ClassVar[str] = "video"
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("generate_video", "agenerate_video"),
        ("resume_video", "aresume_video"),
    )
    OPTIONS: ClassVar[dict[str, Any]] = {
        "video_model": "sora-2",
        "video_route": None,  # a key of wenwen.tasks.VIDEO_ROUTES; by default from the model
        "video_size": None,
        "task_timeout": 900.0,
        "task_wait": None,  # a wenwen.tasks.WaitOptions (polling, progress, sleep/clock)
    }

    def _create_args(
        self, prompt: str, image_path: str | None, last_frame_path: str | None, seconds: int | None
    ) -> dict[str, Any]:
        image = self.files.read(image_path, "image", argument="image_path") if image_path else None
        last = (
            self.files.read(last_frame_path, "image", argument="last_frame_path")
            if last_frame_path
            else None
        )
        args = {
            "prompt": prompt, "model": self.options["video_model"],
            "image": image.content if image else None,
            "last_frame": last.content if last else None, "seconds": seconds,
            "size": self.options["video_size"], "route": self.options["video_route"],
        }  # fmt: skip
        return {k: v for k, v in args.items() if v is not None}

    def _result(self, done: TaskSnapshot, content: bytes) -> VideoResult:
        path = self.output_path(content, "video/mp4")
        if path is not None:
            path.write_bytes(content)
        text = f"Video task {done.id} finished ({done.status})."
        if path is not None:
            text += f" Saved to: {path}."
        block = VideoBlock(video=content, video_mimetype="video/mp4", path=path)
        return VideoResult(text, done.id, block, path)

    def generate_video(
        self,
        prompt: str,
        image_path: str | None = None,
        last_frame_path: str | None = None,
        seconds: int | None = None,
    ) -> VideoResult:
        """Make a short video from a text description, optionally starting from an image file
        (and, for Kling models, ending on a last-frame image). Takes minutes. Returns the task
        id and the video."""
        videos = self.connection.client().videos
        job = videos.create(**self._create_args(prompt, image_path, last_frame_path, seconds))
        done = videos.wait(job, options=wait_options(self.options))
        return self._result(done, videos.content(done))

    async def agenerate_video(
        self,
        prompt: str,
        image_path: str | None = None,
        last_frame_path: str | None = None,
        seconds: int | None = None,
    ) -> VideoResult:
        """The async twin of ``generate_video`` (LlamaIndex describes the tool from the sync
        method's docstring)."""
        videos = (await self.connection.aclient()).videos
        args = self._create_args(prompt, image_path, last_frame_path, seconds)
        job = await videos.create(**args)
        done = await videos.wait(job, options=wait_options(self.options))
        return self._result(done, await videos.content(done))

    def resume_video(self, task_id: str, route: str | None = None) -> VideoResult:
        """Wait for an earlier video task by its id (after a timeout, or in a new session)
        and return the video. ``route`` only for non-OpenAI routes (e.g. 'kling-text2video')."""
        videos = self.connection.client().videos
        done = videos.wait(task_id, route=route, options=wait_options(self.options))
        return self._result(done, videos.content(done))

    async def aresume_video(self, task_id: str, route: str | None = None) -> VideoResult:
        """The async twin of ``resume_video``."""
        videos = (await self.connection.aclient()).videos
        done = await videos.wait(task_id, route=route, options=wait_options(self.options))
        return self._result(done, await videos.content(done))
