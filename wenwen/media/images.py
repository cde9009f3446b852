"""``/v1/images/generations`` and ``/v1/images/edits``: requests and replies (sans-IO).

Edits travel as multipart with the array-style field name ``image[]`` Wenwen documents
(https://wenwen-ai.apifox.cn/307224279e0), one part per input image. gpt-image models answer with base64 only;
dall-e models answer with URLs on third-party storage, fetched through the key-less download
path (``wenwen.media.download``) by ``GeneratedImage.bytes()`` / ``save()``.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from pydantic import BaseModel, Field, PrivateAttr

from ..cost import Cost
from ..errors import DownloadError, InvalidArgumentError, ProtocolError
from ..protocols import HttpRequest
from .arguments import (
    IMAGE_BACKGROUNDS,
    IMAGE_OUTPUT_FORMATS,
    IMAGE_QUALITIES,
    IMAGE_RESPONSE_FORMATS,
    IMAGE_STYLES,
    INPUT_FIDELITIES,
    check_choice,
    check_image_size,
    check_int,
    check_text,
)
from .download import (
    AsyncDownloader,
    Downloader,
    FileSink,
    adownload,
    client_download_options,
    download,
)
from .multipart import FileInput, FileRule, MultipartForm, Upload, load_upload
from .names import reply_field

if TYPE_CHECKING:
    from .._http.api import AnyRequestClient

DEFAULT_IMAGE_MODEL = "gpt-image-1"
MB = 1024 * 1024
# dall-e-2 takes one square PNG < 4 MB (https://wenwen-ai.apifox.cn/307211227e0); gpt-image
# models take PNG, WEBP or JPG files < 25 MB each, up to 16 of them (the spec's maxItems;
# https://wenwen-ai.apifox.cn/307224279e0).
DALLE2_IMAGE = FileRule("image", frozenset({"image/png"}), 4 * MB)
GPT_IMAGE = FileRule("image", frozenset({"image/png", "image/webp", "image/jpeg"}), 25 * MB)
MASK = FileRule("mask", frozenset({"image/png"}), 4 * MB)
MAX_EDIT_IMAGES = 16
_OUTPUT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}


class GenerateOptions(TypedDict, total=False):
    """Optional arguments of ``client.images.generate``."""

    n: int | None
    size: str | None
    quality: str | None
    style: str | None
    background: str | None
    output_format: str | None
    response_format: str | None
    user: str | None
    extra_body: Mapping[str, Any] | None


class EditOptions(TypedDict, total=False):
    """Optional arguments of ``client.images.edit``."""

    n: int | None
    size: str | None
    quality: str | None
    background: str | None
    output_format: str | None
    response_format: str | None
    input_fidelity: str | None
    user: str | None
    extra_body: Mapping[str, Any] | None


class GeneratedImage(BaseModel):
    """One image of a result: inline base64 (``b64_json``) and/or a ``url``."""

    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None
    media_type: str = "image/png"
    # what the downloads of ``url`` may reach: set from the client that got the reply (its
    # relay origin and ``allow_private_hosts``); public addresses only otherwise
    _download_options: dict[str, Any] = PrivateAttr(default_factory=dict)

    def bytes(self, downloader: Downloader | None = None) -> bytes:
        """The image bytes: decoded inline data, or fetched from ``url`` without the key (an
        image by its bytes, from an allowed address: see ``wenwen.media.download``)."""
        if self.b64_json is not None:
            return _decode(self.b64_json)
        url = self._require_url()
        if downloader is not None:
            return downloader.fetch(url, expect="image").content or b""
        return download(url, expect="image", **self._download_options).content or b""

    async def abytes(self, downloader: AsyncDownloader | None = None) -> builtins.bytes:
        if self.b64_json is not None:
            return _decode(self.b64_json)
        url = self._require_url()
        if downloader is not None:
            return (await downloader.fetch(url, expect="image")).content or b""
        got = await adownload(url, expect="image", **self._download_options)
        return got.content or b""

    def save(self, path: str | os.PathLike[str], downloader: Downloader | None = None) -> Path:
        """Write the image to ``path`` (streamed when it comes from a URL)."""
        if self.b64_json is not None:
            return _write(path, _decode(self.b64_json))
        url = self._require_url()
        if downloader is not None:
            got = downloader.to_file(url, path, expect="image")
        else:
            got = download(url, path, expect="image", **self._download_options)
        assert got.path is not None
        return got.path

    async def asave(
        self, path: str | os.PathLike[str], downloader: AsyncDownloader | None = None
    ) -> Path:
        if self.b64_json is not None:
            return _write(path, _decode(self.b64_json))
        url = self._require_url()
        if downloader is not None:
            got = await downloader.to_file(url, path, expect="image")
        else:
            got = await adownload(url, path, expect="image", **self._download_options)
        assert got.path is not None
        return got.path

    def _require_url(self) -> str:
        if not self.url:
            raise DownloadError("this image has neither inline data nor a URL")
        return self.url


class ImageResult(BaseModel):
    """The images of one generation or edit, with the relay's usage when it gave one."""

    images: list[GeneratedImage] = Field(default_factory=list)
    created: int | None = None
    model: str | None = None
    usage: dict[str, Any] | None = None
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)
    cost: Cost | None = None
    """What the call cost, when costs are tracked (``wenwen.billing``)."""

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> GeneratedImage:
        return self.images[index]

    def downloading_for(self, client: AnyRequestClient) -> ImageResult:
        """Let this result's URL downloads reach what ``client`` may reach (its relay origin
        and ``allow_private_hosts``); returns ``self``."""
        options = client_download_options(client)
        for image in self.images:
            image._download_options = dict(options)
        return self


def _decode(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ProtocolError(f"image b64_json is not valid base64: {exc}") from None


def _write(path: str | os.PathLike[str], content: bytes) -> Path:
    sink = FileSink(path)
    try:
        sink.write(content)
    except BaseException:
        sink.discard()
        raise
    return sink.commit()


# the spec's prompt limits per model family
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
DEFAULT_PROMPT_LIMIT = 32000


def _check_common(prompt: str, n: int | None, model: str) -> None:
    check_text(model, "model")
    check_text(prompt, "prompt")
    limit = PROMPT_LIMITS.get(model, DEFAULT_PROMPT_LIMIT)
    if len(prompt) > limit:
        raise InvalidArgumentError(
            f"prompt is {len(prompt)} characters; {model} takes at most {limit}",
            argument="prompt",
        )
    check_int(n, "n", low=1, high=10)


def _check_options(fields: Mapping[str, Any]) -> None:
    """The optional fields' types and documented values (see ``wenwen.media.arguments``)."""
    check_image_size(fields.get("size"))
    for name, choices in _CHOICES.items():
        check_choice(fields.get(name), name, choices)
    check_text(fields.get("user"), "user", required=False)


_CHOICES = {
    "quality": IMAGE_QUALITIES,
    "style": IMAGE_STYLES,
    "background": IMAGE_BACKGROUNDS,
    "output_format": IMAGE_OUTPUT_FORMATS,
    "response_format": IMAGE_RESPONSE_FORMATS,
    "input_fidelity": INPUT_FIDELITIES,
}


def image_dimensions(content: bytes) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG's ``IHDR`` (the first chunk, https://www.w3.org/TR/png/
    #11IHDR) or a GIF's logical screen descriptor; ``None`` for other formats."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content.startswith((b"GIF87a", b"GIF89a")) and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    return None


def _check_mask(mask: Upload, first: Upload) -> None:
    """The mask applies to the first image and must have its size (OpenAI's edit reference)."""
    mask_size, image_size = image_dimensions(mask.content), image_dimensions(first.content)
    if mask_size is None:
        raise InvalidArgumentError("mask must be a PNG with a readable header", argument="mask")
    if image_size is not None and mask_size != image_size:
        raise InvalidArgumentError(
            f"mask is {mask_size[0]}x{mask_size[1]} but the image it applies to is "
            f"{image_size[0]}x{image_size[1]}; they must be the same size",
            argument="mask",
        )


def _body(fields: Mapping[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    body = {k: v for k, v in fields.items() if v is not None}
    body.update(extra_body or {})
    return body


def generation_request(
    prompt: str,
    *,
    model: str = DEFAULT_IMAGE_MODEL,
    n: int | None = None,
    size: str | None = None,
    quality: str | None = None,
    style: str | None = None,
    background: str | None = None,
    output_format: str | None = None,
    response_format: str | None = None,
    user: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> HttpRequest:
    _check_common(prompt, n, model)
    fields = {
        "model": model, "prompt": prompt, "n": n, "size": size, "quality": quality,
        "style": style, "background": background, "output_format": output_format,
        "response_format": response_format, "user": user,
    }  # fmt: skip
    _check_options(fields)
    return HttpRequest("POST", "/v1/images/generations", json=_body(fields, extra_body))


def edit_request(
    prompt: str,
    images: FileInput | Sequence[FileInput],
    *,
    mask: FileInput | None = None,
    model: str = DEFAULT_IMAGE_MODEL,
    n: int | None = None,
    size: str | None = None,
    quality: str | None = None,
    background: str | None = None,
    output_format: str | None = None,
    response_format: str | None = None,
    input_fidelity: str | None = None,
    user: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> HttpRequest:
    """A multipart edit request; every file is read and checked here, before any request."""
    _check_common(prompt, n, model)
    inputs = _as_list(images)
    if not inputs:
        raise InvalidArgumentError("images must hold at least one image to edit", argument="images")
    dalle2 = model == "dall-e-2"
    limit = 1 if dalle2 else MAX_EDIT_IMAGES
    if len(inputs) > limit:
        raise InvalidArgumentError(
            f"{model} edits take at most {limit} image(s), got {len(inputs)}", argument="images"
        )
    rule = DALLE2_IMAGE if dalle2 else GPT_IMAGE
    fields = {
        "model": model, "prompt": prompt, "n": n, "size": size, "quality": quality,
        "background": background, "output_format": output_format,
        "response_format": response_format, "input_fidelity": input_fidelity, "user": user,
    }  # fmt: skip
    _check_options(fields)
    files = [
        ("image[]", load_upload(f, rule, default_name=f"image{i}")) for i, f in enumerate(inputs)
    ]
    if mask is not None:
        checked_mask = load_upload(mask, MASK, default_name="mask")
        _check_mask(checked_mask, files[0][1])
        files.append(("mask", checked_mask))
    content, content_type = MultipartForm.of(_body(fields, extra_body), files).encode()
    return HttpRequest(
        "POST", "/v1/images/edits", headers={"Content-Type": content_type}, content=content
    )


def _as_list(images: FileInput | Sequence[FileInput]) -> list[FileInput]:
    if isinstance(images, str | bytes | bytearray | os.PathLike) or hasattr(images, "read"):
        return [images]  # type: ignore[list-item]
    if not isinstance(images, Sequence):
        raise InvalidArgumentError(
            "images must be a path, bytes, a binary file object or a list of them, "
            f"not {type(images).__name__}",
            argument="images",
        )
    return list(images)  # type: ignore[arg-type]  # bytes were returned above


def parse_images(body: Any, *, output_format: str | None = None) -> ImageResult:
    """An ``ImagesResponse`` body; a reply without images, or with a field of the wrong type,
    is a ``ProtocolError`` naming the field."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProtocolError("image reply has no 'data' list")
    fmt = reply_field(body, "output_format", str, "image reply") or output_format or "png"
    media_type = _OUTPUT_TYPES.get(fmt, "image/png")
    images = []
    for i, row in enumerate(body["data"]):
        where = f"image reply data[{i}]"
        if not isinstance(row, dict):
            raise ProtocolError(f"{where} is not an object")
        b64_json = reply_field(row, "b64_json", str, where) or None
        url = reply_field(row, "url", str, where) or None
        if not (b64_json or url):
            raise ProtocolError(f"{where} has neither b64_json nor url")
        revised = reply_field(row, "revised_prompt", str, where)
        images.append(
            GeneratedImage(
                b64_json=b64_json, url=url, revised_prompt=revised, media_type=media_type
            )
        )
    if not images:
        raise ProtocolError("image reply holds no images")
    created = reply_field(body, "created", int, "image reply")
    model = reply_field(body, "model", str, "image reply")
    usage = reply_field(body, "usage", dict, "image reply")
    return ImageResult(images=images, created=created, model=model, usage=usage, raw=body)


__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "EditOptions",
    "GenerateOptions",
    "GeneratedImage",
    "ImageResult",
    "edit_request",
    "generation_request",
    "parse_images",
]
