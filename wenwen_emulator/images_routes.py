"""``POST /v1/images/generations`` and ``POST /v1/images/edits`` with real PNG bytes.

Generations draw a picture that depends only on the prompt (and size and index); edits keep
the first input image's size and visibly derive from it (colours inverted, a band in the
prompt's colours across the top, one stripe per extra input image). gpt-image models answer
in base64 with token usage; dall-e models answer with a key-less URL unless asked for
``b64_json``. JPEG/WEBP outputs are not rendered: replies say ``output_format: png``.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from starlette.responses import Response

from . import media_files, png
from .context import Ctx
from .errors import json_response
from .models import ModelInfo
from .multipart_in import Form, FormFile, read_form
from .tokens import count_tokens

MB = 1024 * 1024
SIZES = {
    "dall-e-2": ("256x256", "512x512", "1024x1024"),
    "dall-e-3": ("1024x1024", "1792x1024", "1024x1792"),
}
GPT_SIZES = ("1024x1024", "1536x1024", "1024x1536", "auto")
PROMPT_LIMITS = {"dall-e-2": 1000, "dall-e-3": 4000}
IMAGE_TOKENS = 272  # what gpt-image-1 bills for one low-quality square image


def _is_gpt(model: str) -> bool:
    return not model.startswith("dall-e")


def _image_model(ctx: Ctx, name: str) -> ModelInfo:
    info = ctx.model({"model": name})
    if info.kind != "image":
        raise ctx.bad(f"model {info.id} cannot generate images", code="model_not_supported")
    return info


def _prompt(ctx: Ctx, prompt: Any, model: str) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise ctx.bad("prompt is required", param="prompt")
    limit = PROMPT_LIMITS.get(model, 32000)
    if len(prompt) > limit:
        raise ctx.bad(
            f"Invalid 'prompt': string too long. Expected a string with maximum length "
            f"{limit}, but got a string with length {len(prompt)} instead.",
            param="prompt",
            code="string_above_max_length",
        )
    return prompt


def _count(ctx: Ctx, value: Any, model: str) -> int:
    try:
        n = int(value if value is not None else 1)
    except (TypeError, ValueError):
        raise ctx.bad(f"Invalid 'n': {value!r} is not an integer", param="n") from None
    if not 1 <= n <= 10:
        raise ctx.bad(f"Invalid 'n': {n} is not between 1 and 10", param="n")
    if model == "dall-e-3" and n != 1:
        raise ctx.bad("You must provide n=1 for this model.", param="n")
    return n


def _size(ctx: Ctx, value: Any, model: str) -> tuple[int, int]:
    allowed = SIZES.get(model, GPT_SIZES)
    size = value or "1024x1024"
    if size == "auto" and _is_gpt(model):
        size = "1024x1024"
    if size not in allowed:
        raise ctx.bad(
            f"Invalid size '{size}'. Supported sizes are {', '.join(allowed)}.", param="size"
        )
    width, height = (int(v) for v in str(size).split("x"))
    return width, height


def _entries(
    ctx: Ctx, model: str, images: list[bytes], response_format: Any, prompt: str
) -> list[dict[str, Any]]:
    if response_format not in (None, "url", "b64_json"):
        raise ctx.bad(
            f"Invalid value: '{response_format}'. Supported values are: 'url' and 'b64_json'.",
            param="response_format",
        )
    as_url = not _is_gpt(model) and response_format != "b64_json"
    out: list[dict[str, Any]] = []
    for content in images:
        entry: dict[str, Any] = {}
        if as_url:
            entry["url"] = media_files.store(ctx.state, ctx.request, content, "image/png")
        else:
            entry["b64_json"] = base64.b64encode(content).decode("ascii")
        if model == "dall-e-3":
            entry["revised_prompt"] = f"A detailed, faithful rendering of: {prompt}"
        out.append(entry)
    return out


def _reply(
    ctx: Ctx, model: str, prompt: str, entries: list[dict[str, Any]], size: str, inputs: int = 0
) -> Response:
    body: dict[str, Any] = {"created": ctx.created(), "data": entries}
    if _is_gpt(model):
        text_tokens = count_tokens(prompt)
        image_tokens = IMAGE_TOKENS * inputs
        output = IMAGE_TOKENS * len(entries)
        body.update(
            background="opaque",
            output_format="png",
            quality="low",
            size=size if size in ("1024x1024", "1024x1536", "1536x1024") else "1024x1024",
            usage={
                "input_tokens": text_tokens + image_tokens,
                "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
                "output_tokens": output,
                "total_tokens": text_tokens + image_tokens + output,
            },
        )
    return json_response(body)


async def generations(ctx: Ctx) -> Response:
    body = ctx.json_body()
    info = _image_model(ctx, body.get("model") or "dall-e-2")
    prompt = _prompt(ctx, body.get("prompt"), info.id)
    n = _count(ctx, body.get("n"), info.id)
    width, height = _size(ctx, body.get("size"), info.id)
    images = [
        png.png_from_prompt(prompt if i == 0 else f"{prompt}#{i}", width, height) for i in range(n)
    ]
    entries = _entries(ctx, info.id, images, body.get("response_format"), prompt)
    return _reply(ctx, info.id, prompt, entries, f"{width}x{height}")


# --- edits ---------------------------------------------------------------------------------------


def _kind(content: bytes) -> str | None:
    if content.startswith(png.PNG_SIGNATURE):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_image(ctx: Ctx, upload: FormFile, model: str, param: str) -> None:
    kind = _kind(upload.content)
    allowed = ("image/png",) if model == "dall-e-2" or param == "mask" else (
        "image/png", "image/jpeg", "image/webp",
    )  # fmt: skip
    if kind not in allowed:
        raise ctx.bad(
            f"Invalid file '{upload.filename}': unsupported mimetype "
            f"('{kind or upload.content_type}'). Supported file formats are "
            + ", ".join(f"'{a}'" for a in allowed)
            + ".",
            param=param,
            code="invalid_image_format",
        )
    limit = 4 * MB if model == "dall-e-2" or param == "mask" else 25 * MB
    if len(upload.content) > limit:
        raise ctx.bad(
            f"Invalid file '{upload.filename}': {len(upload.content)} bytes is over the "
            f"{limit // MB} MB limit for {param}.",
            param=param,
            code="image_too_large",
        )


def _decoded(ctx: Ctx, upload: FormFile) -> tuple[int, int, int, list[bytes]] | None:
    if not upload.content.startswith(png.PNG_SIGNATURE):
        return None
    try:
        return png.decode_png(upload.content)
    except png.PngError as exc:
        raise ctx.bad(f"Invalid image '{upload.filename}': {exc}", param="image") from None


_INVERT = bytes(255 - i for i in range(256))


def derive(first: tuple[int, int, int, list[bytes]], prompt: str, others: list[bytes]) -> bytes:
    """The edit of a decoded image: same size, inverted colours, a prompt-coloured band at the
    top, and a stripe per extra input image (its colour from a hash of its bytes)."""
    width, height, channels, rows = first
    band = png.prompt_rows(prompt, width, max(height // 8, 1))
    out: list[bytes] = []
    for y, row in enumerate(rows):
        if y < len(band):
            out.append(band[y])
            continue
        rgb = _to_rgb(row, channels)
        out.append(rgb.translate(_INVERT))
    for i, other in enumerate(others):
        colour = hashlib.sha256(other).digest()[:3]
        top = height - (i + 1) * max(height // 16, 1)
        for y in range(max(top, 0), min(top + max(height // 32, 1), height)):
            out[y] = colour * width
    return png.encode_png(width, height, out)


def _to_rgb(row: bytes, channels: int) -> bytes:
    if channels == 3:
        return row
    if channels == 4:
        return b"".join(row[i : i + 3] for i in range(0, len(row), 4))
    grey = row[::channels]  # grey or grey+alpha
    return bytes(v for g in grey for v in (g, g, g))


def _edit_inputs(ctx: Ctx, form: Form, model: str) -> list[FormFile]:
    uploads = form.files_named("image", "image[]")
    if not uploads:
        raise ctx.bad("image is required: send one or more files as 'image[]'", param="image")
    limit = 1 if model == "dall-e-2" else 16
    if len(uploads) > limit:
        raise ctx.bad(
            f"{model} accepts at most {limit} image(s), got {len(uploads)}", param="image"
        )
    for upload in uploads:
        _check_image(ctx, upload, model, "image")
    return uploads


async def edits(ctx: Ctx) -> Response:
    form = await read_form(ctx)
    info = _image_model(ctx, form.value("model") or "dall-e-2")
    prompt = _prompt(ctx, form.value("prompt"), info.id)
    n = _count(ctx, form.value("n"), info.id)
    uploads = _edit_inputs(ctx, form, info.id)
    first = _decoded(ctx, uploads[0])
    if first is None:  # JPEG/WEBP: not decoded here; draw from the prompt and the input bytes
        width, height = _size(ctx, form.value("size"), info.id)
        seed = hashlib.sha256(uploads[0].content).hexdigest()
        first = (width, height, 3, png.prompt_rows(seed, width, height))
    if info.id == "dall-e-2" and first[0] != first[1]:
        raise ctx.bad("Uploaded image must be a PNG, square and less than 4 MB.", param="image")
    masks = form.files_named("mask")
    if masks:
        _check_image(ctx, masks[0], info.id, "mask")
        if png.png_size(masks[0].content) != (first[0], first[1]):
            raise ctx.bad(
                "Invalid mask image: it must have the same dimensions as the image.", param="mask"
            )
    others = [u.content for u in uploads[1:]]
    images = [derive(first, prompt if i == 0 else f"{prompt}#{i}", others) for i in range(n)]
    entries = _entries(ctx, info.id, images, form.value("response_format"), prompt)
    return _reply(ctx, info.id, prompt, entries, f"{first[0]}x{first[1]}", inputs=len(uploads))
