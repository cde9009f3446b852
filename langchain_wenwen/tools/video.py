"""``WenwenVideoGenerationTool``: text-to-video and image-to-video as one agent step. It starts
the job, waits (progress reported as ``wenwen_task_progress`` custom events), fetches the MP4
and answers with ``content_and_artifact``: a summary naming the task id for the agent, a
standard ``video`` block (with ``task_id`` in its extras) as the artifact. A wait that runs
out of time still names the task id, so a later step can resume it."""

from __future__ import annotations

import base64
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.messages import content as blocks
from pydantic import BaseModel, Field

from wenwen.tasks import TaskSnapshot, WaitOptions

from ._base import ToolOutput, WenwenBaseTool
from ._task_progress import AsyncProgress, sync_wait_options


class VideoGenerationInput(BaseModel):
    prompt: str = Field(description="What the video should show, in detail.")
    image_path: str | None = Field(
        default=None, description="Optional path of a start image (image-to-video)."
    )
    last_frame_path: str | None = Field(
        default=None, description="Optional path of a last-frame image (Kling models only)."
    )
    seconds: int | None = Field(
        default=None,
        description="Clip length in seconds if asked: 4, 8 or 12 (Sora/Veo), 5 or 10 (Kling).",
    )
    resume_task_id: str | None = Field(
        default=None, description="Id of an earlier video task to wait for instead of starting."
    )


class WenwenVideoGenerationTool(WenwenBaseTool):
    """Generate a video (``/v1/videos`` for Sora/Veo, Kling's routes for ``kling-*``).

    ```python
    tool = WenwenVideoGenerationTool(model="sora-2", output_dir="out")
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name,
                           "args": {"prompt": "a paper boat on a river"}})
    message.artifact  # [{"type": "video", "base64": "...", "mime_type": "video/mp4", ...}]
    ```
    """

    name: str = "wenwen_video_generation"
    description: str = (
        "Make a short video from a text description, optionally starting from an image file. "
        "Takes minutes. Returns the task id and a confirmation; the video is attached."
    )
    args_schema: type[BaseModel] = VideoGenerationInput
    model: str = "sora-2"
    size: str | None = None
    route: str | None = None
    """A key of ``wenwen.tasks.VIDEO_ROUTES``; by default chosen from the model."""
    task_timeout: float | None = 900.0
    wait: WaitOptions | None = Field(default=None, exclude=True)
    """Polling, progress and (for tests and demos) the sleep/clock the engine uses."""

    def _wait_options(self) -> WaitOptions:
        base = self.wait or WaitOptions()
        return WaitOptions(**{**base.__dict__, "timeout": self.task_timeout})

    def _create_args(self, args: dict[str, Any]) -> dict[str, Any]:
        """The create arguments; the image files are read through ``file_access`` here,
        before any request."""
        out: dict[str, Any] = {"prompt": args["prompt"], "model": self.model}
        access = self.file_access()
        images = {
            key: access.read(args[name], "image", argument=name).content
            for key, name in (("image", "image_path"), ("last_frame", "last_frame_path"))
            if args.get(name)
        }
        for key, value in (
            ("image", images.get("image")),
            ("last_frame", images.get("last_frame")),
            ("seconds", args.get("seconds")),
            ("size", self.size),
            ("route", self.route),
        ):
            if value is not None:
                out[key] = value
        return out

    def _run(
        self, *, run_manager: CallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        videos = self.client().videos
        resume = kwargs.get("resume_task_id")
        task: str | TaskSnapshot = resume or videos.create(**self._create_args(kwargs))
        options = sync_wait_options(self._wait_options(), run_manager)
        done = videos.wait(task, route=self.route if resume else None, options=options)
        return self._package(done, videos.content(done))

    async def _arun(
        self, *, run_manager: AsyncCallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        videos = (await self.aclient()).videos
        resume = kwargs.get("resume_task_id")
        task: str | TaskSnapshot = resume or await videos.create(**self._create_args(kwargs))
        progress = AsyncProgress(run_manager)
        try:
            done = await videos.wait(
                task, route=self.route if resume else None,
                options=progress.options(self._wait_options()),
            )  # fmt: skip
        finally:
            await progress.flush()
        return self._package(done, await videos.content(done))

    def _package(self, done: TaskSnapshot, content: bytes) -> ToolOutput:
        path = self.output_path(content, "video/mp4")
        if path is not None:
            path.write_bytes(content)
        block = dict(
            blocks.create_video_block(
                base64=base64.b64encode(content).decode("ascii"), mime_type="video/mp4"
            )
        )
        extras = {"task_id": done.id, "route": done.route, "url": done.result_url}
        if path is not None:
            extras["path"] = str(path)
        block["extras"] = {k: v for k, v in extras.items() if v is not None}
        text = f"Video task {done.id} finished ({done.status}); the video is attached."
        if path is not None:
            text += f" Saved to: {path}."
        return text, [block]
