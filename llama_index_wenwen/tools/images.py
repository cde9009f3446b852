"""The ``images`` tool group: generate and edit images; results are ``ImageBlock``s."""

from __future__ import annotations

from typing import Any, ClassVar

from llama_index.core.base.llms.types import ContentBlock, ImageBlock, TextBlock

from wenwen.media.download import AsyncDownloader, Downloader
from wenwen.media.images import ImageResult

from ._base import ToolGroup


class ImageTools(ToolGroup):
    GROUP: ClassVar[str] = "images"
    FUNCTIONS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("generate_image", "agenerate_image"),
        ("edit_image", "aedit_image"),
    )
    OPTIONS: ClassVar[dict[str, Any]] = {
        "image_model": "gpt-image-1",
        "edit_model": None,  # defaults to image_model
        "image_quality": None,
        "image_response_format": None,  # "url" or "b64_json" for dall-e models
    }

    def _image_options(self, size: str | None = None) -> dict[str, Any]:
        options = {
            "size": size,
            "quality": self.options["image_quality"],
            "response_format": self.options["image_response_format"],
        }
        return {k: v for k, v in options.items() if v is not None}

    def _edit_model(self) -> str:
        return str(self.options["edit_model"] or self.options["image_model"])

    def _image_blocks(
        self, verb: str, prompt: str, result: ImageResult, contents: list[bytes]
    ) -> list[ContentBlock]:
        images: list[ContentBlock] = []
        saved = []
        for image, content in zip(result.images, contents, strict=True):
            path = self.output_path(content, image.media_type)
            if path is not None:
                path.write_bytes(content)
                saved.append(str(path))
            images.append(
                ImageBlock(image=content, image_mimetype=image.media_type, path=path, url=None)
            )
        text = f"{verb} {len(result)} image(s) for: {prompt!r}."
        if saved:
            text += " Saved to: " + ", ".join(saved) + "."
        return [TextBlock(text=text), *images]

    def _edit_files(
        self, image_paths: list[str], mask_path: str | None
    ) -> tuple[list[bytes], bytes | None]:
        """The files an edit names, read through ``files`` (the ``root_dir`` gate)."""
        images = self.files.read_all(image_paths, "image", argument="image_paths")
        mask = self.files.read(mask_path, "image", argument="mask_path") if mask_path else None
        return [i.content for i in images], mask.content if mask else None

    def _fetch(self, result: ImageResult) -> list[bytes]:
        client = self.connection.client()
        with Downloader.for_client(client, max_bytes=self.max_download_bytes) as downloader:
            return [image.bytes(downloader) for image in result.images]

    async def _afetch(self, result: ImageResult) -> list[bytes]:
        client = await self.connection.aclient()
        async with AsyncDownloader.for_client(
            client, max_bytes=self.max_download_bytes
        ) as downloader:
            return [await image.abytes(downloader) for image in result.images]

    def generate_image(self, prompt: str, size: str | None = None) -> list[ContentBlock]:
        """Draw an image from a detailed text description. ``size`` such as '1024x1024' is
        optional. Returns a confirmation and the image."""
        client = self.connection.client()
        model = self.options["image_model"]
        result = client.images.generate(prompt, model=model, **self._image_options(size))
        return self._image_blocks("Generated", prompt, result, self._fetch(result))

    async def agenerate_image(self, prompt: str, size: str | None = None) -> list[ContentBlock]:
        """Draw an image from a detailed text description. ``size`` such as '1024x1024' is
        optional. Returns a confirmation and the image."""
        client = await self.connection.aclient()
        model = self.options["image_model"]
        result = await client.images.generate(prompt, model=model, **self._image_options(size))
        return self._image_blocks("Generated", prompt, result, await self._afetch(result))

    def edit_image(
        self, prompt: str, image_paths: list[str], mask_path: str | None = None
    ) -> list[ContentBlock]:
        """Edit existing image files (PNG/JPG/WEBP paths) following an instruction; an
        optional PNG mask marks the area to change. Returns a confirmation and the image."""
        images, mask = self._edit_files(image_paths, mask_path)
        client = self.connection.client()
        result = client.images.edit(
            prompt,
            images=images,
            mask=mask,
            model=self._edit_model(),
            **self._image_options(),
        )
        return self._image_blocks("Edited", prompt, result, self._fetch(result))

    async def aedit_image(
        self, prompt: str, image_paths: list[str], mask_path: str | None = None
    ) -> list[ContentBlock]:
        """Edit existing image files (PNG/JPG/WEBP paths) following an instruction; an
        optional PNG mask marks the area to change. Returns a confirmation and the image."""
        images, mask = self._edit_files(image_paths, mask_path)
        client = await self.connection.aclient()
        result = await client.images.edit(
            prompt,
            images=images,
            mask=mask,
            model=self._edit_model(),
            **self._image_options(),
        )
        return self._image_blocks("Edited", prompt, result, await self._afetch(result))
