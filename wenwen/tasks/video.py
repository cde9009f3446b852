"""Video task routes, request bodies and reply parsing (sans-IO).

Three reply shapes reach one ``TaskSnapshot``: the OpenAI/Sora video object (``/v1/videos``),
new-api's task envelope (``/v1/video/generations/{task_id}``, ``{"code","message","data"}``)
and Kling's native envelope (``{"code":0,"data":{"task_id","task_status",...}}``).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError, InvalidArgumentError, InvalidFileError, ProtocolError
from ..media.arguments import check_seconds, check_text, check_video_size
from ..media.content import kind_of, sniff, suffix_for
from ..media.names import check_id, reply_field, reply_id, same_id
from ..media.uploads import read_path
from .engine import TaskSnapshot, TaskState


@dataclass(frozen=True)
class VideoRoute:
    name: str
    create: str | None
    query: str
    shape: str
    """``openai``, ``task`` or ``kling``: which reply shape the route answers with."""
    content: str | None = None
    inferred: bool = False
    """True when the path is not documented by Wenwen and follows new-api's router."""


# One table, so that a corrected path is a one-line change. Wenwen's video pages list the
# routes by name only (https://wenwen-ai.apifox.cn); paths follow new-api's router
# (https://github.com/QuantumNous/new-api, ``router/video-router.go``).
VIDEO_ROUTES: dict[str, VideoRoute] = {
    "openai": VideoRoute(
        "openai", "/v1/videos", "/v1/videos/{id}", "openai", "/v1/videos/{id}/content",
        inferred=True,  # Wenwen's menu names match OpenAI's Videos API; paths are new-api's
    ),
    "task": VideoRoute("task", None, "/v1/video/generations/{id}", "task"),
    "kling-text2video": VideoRoute(
        "kling-text2video", "/kling/v1/videos/text2video",
        "/kling/v1/videos/text2video/{id}", "kling",
        inferred=True,  # new-api's vendor-native Kling routes; no Wenwen page body captured
    ),
    "kling-image2video": VideoRoute(
        "kling-image2video", "/kling/v1/videos/image2video",
        "/kling/v1/videos/image2video/{id}", "kling",
        inferred=True,  # as above; first/last frame is image2video with ``image_tail``
    ),
}  # fmt: skip

ImageInput = str | bytes | Path
"""A URL, a ``data:`` URL, a file path, or raw bytes."""


def get_route(name: str) -> VideoRoute:
    try:
        return VIDEO_ROUTES[name]
    except KeyError:
        raise ConfigurationError(
            f"unknown video route {name!r}; known: {', '.join(VIDEO_ROUTES)}"
        ) from None


def choose_route(model: str, route: str | None, has_image: bool) -> VideoRoute:
    if route is not None:
        return get_route(route)
    if model.lower().startswith("kling"):
        return VIDEO_ROUTES["kling-image2video" if has_image else "kling-text2video"]
    return VIDEO_ROUTES["openai"]


def task_path(template: str, task_id: str) -> str:
    """The relay path for ``task_id`` (checked: no path or URL syntax, bounded length)."""
    return template.format(id=check_id(task_id))


# --- images in -------------------------------------------------------------------------

_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[^,]*)?;base64,(?P<data>.*)$", re.S)


MAX_IMAGE_BYTES = 25 * 1024 * 1024
"""The largest start/last-frame or Midjourney reference image read from a path."""


def image_bytes(image: ImageInput) -> tuple[bytes, str, str]:
    """``(bytes, media_type, filename)`` for an image given as bytes, a path or a data URL;
    the type is judged by the bytes, and a path is sized by ``stat`` before it is read."""
    if isinstance(image, bytes | bytearray):
        return _checked_image(bytes(image), "image")
    if isinstance(image, str):
        match = _DATA_URL.match(image)
        if match:
            try:
                data = base64.b64decode(match.group("data"), validate=True)
            except ValueError:
                raise InvalidArgumentError(
                    "image is a data: URL whose base64 is invalid", argument="image"
                ) from None
            return _checked_image(data, "image")
        if is_url(image):
            raise ConfigurationError("an image URL cannot be uploaded as a file here")
    if not isinstance(image, str | PathLike):
        raise InvalidArgumentError(
            f"image must be a URL, a data: URL, a path or bytes, not {type(image).__name__}",
            argument="image",
        )
    path = Path(image)
    data = read_path(path, max_bytes=MAX_IMAGE_BYTES, what="image file")
    content, mime, _ = _checked_image(data, f"image file {str(path)!r}")
    return content, mime, path.name


def _checked_image(data: bytes, label: str) -> tuple[bytes, str, str]:
    if not data:
        raise InvalidFileError(f"{label} is empty", reason="empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidFileError(
            f"{label} is {len(data)} bytes; the limit is {MAX_IMAGE_BYTES}", reason="too_large"
        )
    mime = sniff(data[:16])
    if kind_of(mime) != "image":
        raise InvalidFileError(
            f"{label} is not a PNG, JPEG, WEBP or GIF image (judged by its bytes)",
            reason="wrong_kind",
        )
    assert mime is not None
    return data, mime, "image" + suffix_for(mime)


def image_data_url(image: ImageInput) -> str:
    """A ``data:`` URL (URLs stay as they are)."""
    if isinstance(image, str) and (image.startswith("data:") or is_url(image)):
        return image
    data, mime, _ = image_bytes(image)
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def sniff_image_type(data: bytes) -> str:
    """The image type ``data`` announces (``application/octet-stream`` when none)."""
    mime = sniff(data[:16])
    return mime if kind_of(mime) == "image" and mime else "application/octet-stream"


# --- requests --------------------------------------------------------------------------


@dataclass
class VideoCreate:
    """A create request: ``json`` body, or ``form`` fields plus ``files`` for multipart."""

    route: VideoRoute
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None


def build_create(
    *,
    model: str,
    prompt: str,
    route: VideoRoute,
    seconds: int | str | None = None,
    size: str | None = None,
    image: ImageInput | None = None,
    last_frame: ImageInput | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> VideoCreate:
    check_text(model, "model")
    check_text(prompt, "prompt")
    seconds = check_seconds(seconds)
    check_video_size(size)
    if route.create is None:
        raise ConfigurationError(f"video route {route.name!r} only queries tasks")
    if route.shape == "kling":
        return _kling_create(model, prompt, route, seconds, size, image, last_frame, extra_body)
    if last_frame is not None:
        raise ConfigurationError(
            "first/last-frame video goes through Kling (route='kling-image2video'); "
            f"route {route.name!r} takes one input_reference image"
        )
    fields: dict[str, Any] = {"model": model, "prompt": prompt}
    if seconds is not None:
        fields["seconds"] = seconds
    if size is not None:
        fields["size"] = size
    fields.update(extra_body or {})
    if image is None:
        return VideoCreate(route, json=fields)
    if isinstance(image, str) and is_url(image):
        return VideoCreate(route, json={**fields, "input_reference": {"image_url": image}})
    data, mime, filename = image_bytes(image)
    form = {k: str(v) for k, v in fields.items()}
    return VideoCreate(route, form=form, files={"input_reference": (filename, data, mime)})


def _kling_create(
    model: str,
    prompt: str,
    route: VideoRoute,
    seconds: int | str | None,
    size: str | None,
    image: ImageInput | None,
    last_frame: ImageInput | None,
    extra_body: Mapping[str, Any] | None,
) -> VideoCreate:
    image_route = route.name == "kling-image2video"
    if image_route and image is None:
        raise ConfigurationError("Kling image-to-video needs image=...")
    if not image_route and (image is not None or last_frame is not None):
        raise ConfigurationError("Kling text-to-video takes no image; use 'kling-image2video'")
    body: dict[str, Any] = {"model_name": model, "prompt": prompt}
    if seconds is not None:
        body["duration"] = seconds
    if size is not None:
        body["aspect_ratio"] = size
    if image is not None:
        body["image"] = _kling_image(image)
    if last_frame is not None:
        body["image_tail"] = _kling_image(last_frame)
    body.update(extra_body or {})
    return VideoCreate(route, json=body)


def _kling_image(image: ImageInput) -> str:
    """Kling takes an image URL or raw base64 (no ``data:`` prefix)."""
    if isinstance(image, str) and is_url(image):
        return image
    return base64.b64encode(image_bytes(image)[0]).decode()


# --- replies ---------------------------------------------------------------------------

_OPENAI_STATES = {
    "queued": TaskState.PENDING,
    "in_progress": TaskState.RUNNING,
    "completed": TaskState.SUCCEEDED,
    "failed": TaskState.FAILED,
}
_TASK_STATES = {
    "IN_PROGRESS": TaskState.RUNNING,
    "SUCCESS": TaskState.SUCCEEDED,
    "FAILURE": TaskState.FAILED,
}
_KLING_STATES = {
    "submitted": TaskState.PENDING,
    "processing": TaskState.RUNNING,
    "succeed": TaskState.SUCCEEDED,
    "failed": TaskState.FAILED,
}


def percent(value: Any) -> float | None:
    """``42``, ``"42%"``, ``"42"`` → ``42.0``, clamped to 0-100 (``"150%"`` → 100, ``-20`` →
    0); what is no finite number (``NaN``, ``1e999``, ``"soon"``, a bool) → ``None``."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    if number is None or not math.isfinite(number):
        return None
    return min(max(number, 0.0), 100.0)


def parse_video(
    body: Any,
    route: VideoRoute,
    retry_after: float | None = None,
    expected_id: str | None = None,
) -> TaskSnapshot:
    """A video reply of ``route``'s shape; a field of the wrong type, an unsafe id, or (with
    ``expected_id``) another task's id is a ``ProtocolError`` naming it."""
    if not isinstance(body, dict):
        raise ProtocolError(f"video task reply is not an object: {str(body)[:200]!r}")
    parse = {"openai": _from_openai, "task": _from_task, "kling": _from_kling}[route.shape]
    snapshot = parse(body)
    if expected_id is not None:
        same_id(expected_id, snapshot.id, f"{route.name} video reply")
    return TaskSnapshot(
        id=snapshot.id,
        kind="video",
        route=route.name,
        state=snapshot.state,
        status=snapshot.status,
        progress=snapshot.progress,
        fail_reason=snapshot.fail_reason,
        result_url=snapshot.result_url,
        raw=body,
        retry_after=retry_after,
    )


def _task_id(body: dict[str, Any], names: tuple[str, ...], where: str) -> str:
    for name in names:
        if body.get(name) not in (None, ""):
            return reply_id(body[name], f"{where} field {name!r}")
    raise ProtocolError(f"{where} has no task id ({' or '.join(names)})")


def _text(body: dict[str, Any], name: str, where: str) -> str | None:
    return reply_field(body, name, str, where) or None


def _from_openai(body: dict[str, Any]) -> TaskSnapshot:
    where = "video object"
    status = _text(body, "status", where) or "queued"
    error = reply_field(body, "error", dict, where) or {}
    return TaskSnapshot(
        id=_task_id(body, ("id", "task_id"), where),
        kind="video",
        state=_OPENAI_STATES.get(status, TaskState.PENDING),  # new-api maps unknown → queued
        status=status,
        progress=percent(body.get("progress")),
        fail_reason=_text(error, "message", f"{where} error"),
    )


def _from_task(body: dict[str, Any]) -> TaskSnapshot:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ProtocolError(f"task reply has no 'data' object: {str(body)[:200]!r}")
    where = "task reply data"
    status = _text(data, "status", where) or ""
    return TaskSnapshot(
        id=_task_id(data, ("task_id", "id"), where),
        kind="video",
        state=_TASK_STATES.get(status, TaskState.PENDING),
        status=status,
        progress=percent(data.get("progress")),
        fail_reason=_text(data, "fail_reason", where),
        result_url=_text(data, "result_url", where),
    )


def _kling_video_url(data: dict[str, Any]) -> str | None:
    result = reply_field(data, "task_result", dict, "Kling reply data") or {}
    videos = reply_field(result, "videos", list, "Kling task_result") or []
    if not videos:
        return None
    if not isinstance(videos[0], dict):
        raise ProtocolError("Kling task_result field 'videos' should hold objects")
    return _text(videos[0], "url", "Kling task_result videos[0]")


def _from_kling(body: dict[str, Any]) -> TaskSnapshot:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ProtocolError(f"Kling reply has no 'data' object: {str(body)[:200]!r}")
    where = "Kling reply data"
    status = _text(data, "task_status", where) or "submitted"
    state = _KLING_STATES.get(status, TaskState.PENDING)
    return TaskSnapshot(
        id=_task_id(data, ("task_id",), where),
        kind="video",
        state=state,
        status=status,
        progress=100.0 if state is TaskState.SUCCEEDED else None,  # Kling reports none
        fail_reason=_text(data, "task_status_msg", where),
        result_url=_kling_video_url(data),
    )
