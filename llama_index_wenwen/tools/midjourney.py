"""The ``midjourney`` tool group: imagine, press a button (U1-U4 upscale, V1-V4 vary, 🔄
reroll, and the follow-ups after an upscale), blend; results are a ``TextBlock`` naming the
task id and the next buttons, and an ``ImageBlock``."""

from __future__ import annotations

from typing import Any, ClassVar

from llama_index.core.base.llms.types import ContentBlock, ImageBlock, TextBlock

from wenwen.tasks import MjTask
from wenwen.tasks.video import sniff_image_type

from ._base import ToolGroup
from ._tasks import wait_options


class MidjourneyTools(ToolGroup):
    GROUP: ClassVar[str] = "midjourney"
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("midjourney_imagine", "amidjourney_imagine"),
        ("midjourney_action", "amidjourney_action"),
        ("midjourney_blend", "amidjourney_blend"),
    )
    OPTIONS: ClassVar[dict[str, Any]] = {
        "mj_mode": None,  # FAST / RELAX / TURBO
        "mj_path_mode": None,  # new-api's /{mode}/mj prefix, e.g. "mj-fast"
        "mj_dimensions": "SQUARE",
        "task_timeout": 900.0,
        "task_wait": None,
    }

    def _blocks(self, task: MjTask, content: bytes) -> list[ContentBlock]:
        path = self.output_path(content, sniff_image_type(content))
        if path is not None:
            path.write_bytes(content)
        names = ", ".join(b.name for b in task.buttons)
        text = f"Midjourney task {task.id} ({task.action}) finished."
        if names:
            text += f" Buttons for midjourney_action with task_id={task.id!r}: {names}."
        if path is not None:
            text += f" Saved to: {path}."
        image = ImageBlock(image=content, image_mimetype=sniff_image_type(content), path=path)
        return [TextBlock(text=text), image]

    def _blend_images(self, image_paths: list[str]) -> list[bytes]:
        """The files a blend names, read through ``files`` (the ``root_dir`` gate)."""
        return [
            c.content for c in self.files.read_all(image_paths, "image", argument="image_paths")
        ]

    def _mj(self, client: Any) -> Any:
        return client.midjourney.with_path_mode(self.options["mj_path_mode"])

    def midjourney_imagine(self, prompt: str) -> list[ContentBlock]:
        """Draw four candidate images (a 2x2 grid) with Midjourney from a text prompt.
        Returns the task id, the buttons to press next and the grid."""
        mj = self._mj(self.connection.client())
        task = mj.wait(
            mj.imagine(prompt, mode=self.options["mj_mode"]), options=wait_options(self.options)
        )
        return self._blocks(task, mj.image(task))

    async def amidjourney_imagine(self, prompt: str) -> list[ContentBlock]:
        """Draw four candidate images (a 2x2 grid) with Midjourney from a text prompt.
        Returns the task id, the buttons to press next and the grid."""
        mj = self._mj(await self.connection.aclient())
        task_id = await mj.imagine(prompt, mode=self.options["mj_mode"])
        task = await mj.wait(task_id, options=wait_options(self.options))
        return self._blocks(task, await mj.image(task))

    def midjourney_action(self, task_id: str, button: str) -> list[ContentBlock]:
        """Press a button of a finished Midjourney task: 'U1'-'U4' upscale one image,
        'V1'-'V4' make variations, '🔄' rerolls. Returns the new task and its image."""
        mj = self._mj(self.connection.client())
        new_id = mj.action(mj.fetch(task_id), button)
        task = mj.wait(new_id, options=wait_options(self.options))
        return self._blocks(task, mj.image(task))

    async def amidjourney_action(self, task_id: str, button: str) -> list[ContentBlock]:
        """Press a button of a finished Midjourney task: 'U1'-'U4' upscale one image,
        'V1'-'V4' make variations, '🔄' rerolls. Returns the new task and its image."""
        mj = self._mj(await self.connection.aclient())
        new_id = await mj.action(await mj.fetch(task_id), button)
        task = await mj.wait(new_id, options=wait_options(self.options))
        return self._blocks(task, await mj.image(task))

    def midjourney_blend(self, image_paths: list[str]) -> list[ContentBlock]:
        """Blend 2 to 5 image files into new Midjourney images."""
        mj = self._mj(self.connection.client())
        task_id = mj.blend(
            self._blend_images(image_paths),
            dimensions=self.options["mj_dimensions"],
            mode=self.options["mj_mode"],
        )
        task = mj.wait(task_id, options=wait_options(self.options))
        return self._blocks(task, mj.image(task))

    async def amidjourney_blend(self, image_paths: list[str]) -> list[ContentBlock]:
        """Blend 2 to 5 image files into new Midjourney images."""
        mj = self._mj(await self.connection.aclient())
        task_id = await mj.blend(
            self._blend_images(image_paths),
            dimensions=self.options["mj_dimensions"],
            mode=self.options["mj_mode"],
        )
        task = await mj.wait(task_id, options=wait_options(self.options))
        return self._blocks(task, await mj.image(task))
