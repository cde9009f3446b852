"""``WenwenMidjourneyTool``: Midjourney's imagine / action / blend as one agent step.

Each call submits, waits (``wenwen_task_progress`` custom events) and answers with a summary
that names the task id and the buttons the agent may press next (``U1``…``V4``, ``🔄``, and
after an upscale ``Upscale (Subtle)``, ``Vary (Strong)``, ``Zoom Out 2x``, the pans), plus the
picture as a standard ``image`` block whose extras hold the task id and the buttons."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from pydantic import BaseModel, Field

from wenwen.errors import InvalidArgumentError
from wenwen.tasks import MjTask, WaitOptions
from wenwen.tasks.video import sniff_image_type

from ._base import ToolOutput, WenwenBaseTool, image_block
from ._task_progress import AsyncProgress, sync_wait_options


class MidjourneyInput(BaseModel):
    operation: Literal["imagine", "action", "blend"] = Field(
        description="imagine: draw a 2x2 grid from a prompt; action: press a button of an "
        "earlier task (e.g. U2 to upscale image 2, V1 for variations); blend: mix 2-5 images."
    )
    prompt: str | None = Field(default=None, description="The prompt (imagine).")
    task_id: str | None = Field(default=None, description="The earlier task (action).")
    button: str | None = Field(
        default=None, description="The button label to press (action), e.g. 'U2', 'V3', '🔄'."
    )
    image_paths: list[str] | None = Field(
        default=None, description="Image files: references (imagine) or 2-5 images (blend)."
    )


class WenwenMidjourneyTool(WenwenBaseTool):
    """Midjourney through the relay (``/mj/submit/*``, then fetch until done)."""

    name: str = "wenwen_midjourney"
    description: str = (
        "Midjourney image generation. operation='imagine' with a prompt draws four "
        "candidates; operation='action' with task_id and button (U1-U4 upscale, V1-V4 vary, "
        "🔄 reroll) works on a finished grid; operation='blend' mixes image files. Returns "
        "the task id and the next buttons; the picture is attached."
    )
    args_schema: type[BaseModel] = MidjourneyInput
    model: str = "midjourney"
    mode: Literal["FAST", "RELAX", "TURBO"] | None = None
    path_mode: str | None = None
    """new-api's ``/{mode}/mj`` prefix, e.g. ``mj-fast``."""
    dimensions: Literal["PORTRAIT", "SQUARE", "LANDSCAPE"] = "SQUARE"
    task_timeout: float | None = 900.0
    wait: WaitOptions | None = Field(default=None, exclude=True)

    def _wait_options(self) -> WaitOptions:
        base = self.wait or WaitOptions()
        return WaitOptions(**{**base.__dict__, "timeout": self.task_timeout})

    def _images(self, kwargs: dict[str, Any]) -> list[bytes | str]:
        """The image files the arguments name, read through ``file_access`` before any
        request."""
        paths = kwargs.get("image_paths") or []
        checked = self.file_access().read_all(paths, "image", argument="image_paths")
        return [c.content for c in checked]

    def _run(
        self, *, run_manager: CallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        mj = self.client().midjourney.with_path_mode(self.path_mode)
        operation = kwargs["operation"]
        if operation == "imagine":
            task_id = mj.imagine(
                _need(kwargs, "prompt"), images=self._images(kwargs), mode=self.mode
            )
        elif operation == "blend":
            task_id = mj.blend(self._images(kwargs), dimensions=self.dimensions, mode=self.mode)
        else:
            parent = mj.fetch(_need(kwargs, "task_id"))
            task_id = mj.action(parent, _need(kwargs, "button"))
        done = mj.wait(task_id, options=sync_wait_options(self._wait_options(), run_manager))
        return self._package(done, mj.image(done))

    async def _arun(
        self, *, run_manager: AsyncCallbackManagerForToolRun | None = None, **kwargs: Any
    ) -> ToolOutput:
        mj = (await self.aclient()).midjourney.with_path_mode(self.path_mode)
        operation = kwargs["operation"]
        if operation == "imagine":
            task_id = await mj.imagine(
                _need(kwargs, "prompt"), images=self._images(kwargs), mode=self.mode
            )
        elif operation == "blend":
            images = self._images(kwargs)
            task_id = await mj.blend(images, dimensions=self.dimensions, mode=self.mode)
        else:
            parent = await mj.fetch(_need(kwargs, "task_id"))
            task_id = await mj.action(parent, _need(kwargs, "button"))
        progress = AsyncProgress(run_manager)
        try:
            done = await mj.wait(task_id, options=progress.options(self._wait_options()))
        finally:
            await progress.flush()
        return self._package(done, await mj.image(done))

    def _package(self, done: MjTask, content: bytes) -> ToolOutput:
        path = self.output_path(content, sniff_image_type(content))
        if path is not None:
            path.write_bytes(content)
        names = [b.name for b in done.buttons]
        block = image_block(
            content, sniff_image_type(content), task_id=done.id, action=done.action,
            buttons=names, url=done.image_url, path=str(path) if path else None,
        )  # fmt: skip
        text = f"Midjourney task {done.id} ({done.action}) finished."
        if names:
            text += f" Buttons for operation='action' with task_id={done.id!r}: {', '.join(names)}."
        if path is not None:
            text += f" Saved to: {path}."
        return text, [block]


def _need(args: dict[str, Any], name: str) -> str:
    value = args.get(name)
    if not value:
        raise InvalidArgumentError(f"this Midjourney operation needs {name}", argument=name)
    return str(value)


__all__ = ["WenwenMidjourneyTool"]
