"""``WenwenImageGenerationTool`` and ``WenwenImageEditTool``: draw and edit images as an
agent step. The agent reads a one-line summary; the artifact holds the images as standard
``image`` content blocks (base64 inline, fetched key-less when the relay gave a URL)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from wenwen.media.download import AsyncDownloader, Downloader
from wenwen.media.images import ImageResult

from ._base import ToolOutput, WenwenBaseTool, image_block


class ImageGenerationInput(BaseModel):
    prompt: str = Field(description="What the image should show, in detail.")
    size: str | None = Field(
        default=None, description="Image size such as '1024x1024'; leave empty for the default."
    )


class ImageEditInput(BaseModel):
    prompt: str = Field(description="How to change the image(s).")
    image_paths: list[str] = Field(description="Paths of the image files to edit (PNG/JPG/WEBP).")
    mask_path: str | None = Field(
        default=None, description="Optional PNG mask whose transparent areas mark what to edit."
    )


class _ImageTool(WenwenBaseTool):
    model: str = "gpt-image-1"
    n: int = 1
    quality: str | None = None
    background: str | None = None
    output_format: str | None = None
    image_response_format: str | None = None
    """``url`` or ``b64_json`` for dall-e models (gpt-image models always give base64)."""

    def _options(self, size: str | None) -> dict[str, Any]:
        options = {
            "n": self.n if self.n != 1 else None,
            "size": size,
            "quality": self.quality,
            "background": self.background,
            "output_format": self.output_format,
            "response_format": self.image_response_format,
        }
        return {k: v for k, v in options.items() if v is not None}

    def _summary(self, verb: str, prompt: str, result: ImageResult, saved: list[str]) -> str:
        text = f"{verb} {len(result)} image(s) for: {prompt!r}."
        revised = [i.revised_prompt for i in result.images if i.revised_prompt]
        if revised:
            text += f" Revised prompt: {revised[0]!r}."
        if saved:
            text += " Saved to: " + ", ".join(saved) + "."
        return text

    def _output(self, verb: str, prompt: str, result: ImageResult) -> ToolOutput:
        with Downloader.for_client(self.client(), max_bytes=self.max_download_bytes) as downloader:
            contents = [image.bytes(downloader) for image in result.images]
        return self._package(verb, prompt, result, contents)

    async def _aoutput(self, verb: str, prompt: str, result: ImageResult) -> ToolOutput:
        client = await self.aclient()
        async with AsyncDownloader.for_client(
            client, max_bytes=self.max_download_bytes
        ) as downloader:
            contents = [await image.abytes(downloader) for image in result.images]
        return self._package(verb, prompt, result, contents)

    def _package(
        self, verb: str, prompt: str, result: ImageResult, contents: list[bytes]
    ) -> ToolOutput:
        artifact, saved = [], []
        for image, content in zip(result.images, contents, strict=True):
            path = self.output_path(content, image.media_type)
            if path is not None:
                path.write_bytes(content)
                saved.append(str(path))
            artifact.append(
                image_block(
                    content,
                    image.media_type,
                    revised_prompt=image.revised_prompt,
                    url=image.url,
                    path=str(path) if path else None,
                )
            )
        return self._summary(verb, prompt, result, saved), artifact


class WenwenImageGenerationTool(_ImageTool):
    """Generate images from a text prompt (``/v1/images/generations``).

    ```python
    tool = WenwenImageGenerationTool(model="gpt-image-1", output_dir="out")
    message = tool.invoke({"type": "tool_call", "id": "1", "name": tool.name,
                           "args": {"prompt": "a lighthouse at dusk"}})
    message.artifact  # [{"type": "image", "base64": "...", "mime_type": "image/png"}]
    ```
    """

    name: str = "wenwen_image_generation"
    description: str = (
        "Draw an image from a text description. Input: a detailed prompt and optionally a "
        "size. Returns a short confirmation (and file paths when saving is on)."
    )
    args_schema: type[BaseModel] = ImageGenerationInput
    style: str | None = None
    """``vivid`` or ``natural`` (dall-e-3)."""

    def _generate_options(self, size: str | None) -> dict[str, Any]:
        options = self._options(size)
        if self.style is not None:
            options["style"] = self.style
        return options

    def _call(self, **kwargs: Any) -> ToolOutput:
        prompt, size = kwargs["prompt"], kwargs.get("size")
        result = self.client().images.generate(
            prompt, model=self.model, **self._generate_options(size)
        )
        return self._output("Generated", prompt, result)

    async def _acall(self, **kwargs: Any) -> ToolOutput:
        prompt, size = kwargs["prompt"], kwargs.get("size")
        client = await self.aclient()
        result = await client.images.generate(
            prompt, model=self.model, **self._generate_options(size)
        )
        return await self._aoutput("Generated", prompt, result)


class WenwenImageEditTool(_ImageTool):
    """Edit images (``/v1/images/edits``, files sent as ``image[]``)."""

    name: str = "wenwen_image_edit"
    description: str = (
        "Edit one or more existing image files according to an instruction. Input: the "
        "instruction and the image file paths (and optionally a PNG mask path)."
    )
    args_schema: type[BaseModel] = ImageEditInput

    def _files(self, kwargs: dict[str, Any]) -> tuple[list[bytes], bytes | None]:
        """The images and mask the arguments name, read through ``file_access`` before any
        request."""
        access = self.file_access()
        images = access.read_all(kwargs["image_paths"], "image", argument="image_paths")
        mask_path = kwargs.get("mask_path")
        mask = access.read(mask_path, "image", argument="mask_path") if mask_path else None
        return [i.content for i in images], mask.content if mask else None

    def _call(self, **kwargs: Any) -> ToolOutput:
        prompt = kwargs["prompt"]
        images, mask = self._files(kwargs)
        result = self.client().images.edit(
            prompt, images=images, mask=mask, model=self.model, **self._options(None)
        )
        return self._output("Edited", prompt, result)

    async def _acall(self, **kwargs: Any) -> ToolOutput:
        prompt = kwargs["prompt"]
        images, mask = self._files(kwargs)
        client = await self.aclient()
        result = await client.images.edit(
            prompt, images=images, mask=mask, model=self.model, **self._options(None)
        )
        return await self._aoutput("Edited", prompt, result)
