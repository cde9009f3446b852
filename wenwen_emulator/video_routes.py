"""Video tasks as new-api serves them (router/video-router.go, relay/channel/task/*,
https://github.com/QuantumNous/new-api):

- ``POST /v1/videos`` (JSON or multipart with ``input_reference``), ``GET /v1/videos/{id}``,
  ``GET /v1/videos/{id}/content`` - the OpenAI/Sora video object, ids ``task_…``;
- ``GET /v1/video/generations/{task_id}`` - ``{"code":"success","message":"","data":TaskDto}``;
- ``POST /kling/v1/videos/{text2video,image2video}`` and ``GET …/{task_id}`` - Kling's own
  envelope ``{"code":0,"message":"SUCCEED","data":{task_id, task_status, task_result}}``.

Every task is readable through every query route. A job waits ``QUEUE_SECONDS`` then renders
for ``RENDER_PER_SECOND`` emulated seconds per second of video; results are real MP4 bytes
served key-less from the emulator's result-file store (``/files/…``, like vendor storage).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

from starlette.responses import JSONResponse, Response

from . import media_files
from .context import Ctx
from .errors import ErrorResponse, with_id
from .mock_model import Reply
from .mp4 import tiny_mp4
from .tasks import Job

QUEUE_SECONDS = 2.0
RENDER_PER_SECOND = 5.0
SIZES = {"720x1280", "1280x720", "1024x1792", "1792x1024"}
_OPENAI_STATUS = {
    "queued": "queued",
    "running": "in_progress",
    "succeeded": "completed",
    "failed": "failed",
}
_TASK_STATUS = {
    "queued": "QUEUED",
    "running": "IN_PROGRESS",
    "succeeded": "SUCCESS",
    "failed": "FAILURE",
}
_KLING_STATUS = {
    "queued": "submitted",
    "running": "processing",
    "succeeded": "succeed",
    "failed": "failed",
}
_ID_PATH = re.compile(
    r"^/(?:v1/videos|v1/video/generations|kling/v1/videos/(?:text2video|image2video))/"
    r"(?P<id>[^/]+)(?P<content>/content)?$"
)


def task_error(ctx: Ctx, status: int, code: str, message: str) -> ErrorResponse:
    """new-api's task error shape ``{"code","message","data":null}``."""
    body = {"code": code, "message": with_id(message, ctx.request_id), "data": None}
    return ErrorResponse(JSONResponse(body, status_code=status))


async def _fields(ctx: Ctx) -> tuple[dict[str, Any], bytes | None]:
    """Form fields and the uploaded ``input_reference`` (multipart), or the JSON body."""
    content_type = ctx.request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await ctx.request.form()
        fields: dict[str, Any] = {}
        image = None
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
            elif key == "input_reference":
                image = await value.read()
        return fields, image
    return ctx.json_body(), None


def _new_job(ctx: Ctx, kind: str, prompt: str, seconds: int, params: dict[str, Any]) -> Job:
    store, now = ctx.state.tasks, ctx.state.clock.now()
    job = Job(
        id=store.new_id("task_", prompt),
        kind=kind,
        created=now,
        queue=QUEUE_SECONDS,
        run=RENDER_PER_SECOND * seconds,
        params={"prompt": prompt, "seconds": seconds, **params},
    )
    return store.add(job, prompt)


def _result_url(ctx: Ctx, job: Job) -> str:
    """Where the finished video is served key-less (the emulator's result-file store)."""
    return media_files.store(ctx.state, ctx.request, video_bytes(job), "video/mp4")


def _video_object(ctx: Ctx, job: Job) -> dict[str, Any]:
    now = ctx.state.clock.now()
    phase, params = job.phase(now), job.params
    finished = job.finished_at(now)
    return {
        "id": job.id,
        "task_id": job.id,
        "object": "video",
        "model": params.get("model", "sora-2"),
        "status": _OPENAI_STATUS[phase],
        "progress": 100 if phase == "succeeded" else job.progress(now),
        "created_at": int(job.created),
        "completed_at": int(finished) if phase == "succeeded" and finished else None,
        "expires_at": int(finished + 3600) if phase == "succeeded" and finished else None,
        "prompt": params.get("prompt"),
        "size": params.get("size", "720x1280"),
        "seconds": str(params.get("seconds", 4)),
        "remixed_from_video_id": params.get("remixed_from"),
        "error": (
            {"code": "video_generation_failed", "message": job.fail_reason}
            if phase == "failed"
            else None
        ),
    }


def _task_dto(ctx: Ctx, job: Job) -> dict[str, Any]:
    now = ctx.state.clock.now()
    phase = job.phase(now)
    finished = job.finished_at(now)
    ms = lambda t: int(t * 1000) if t else 0  # noqa: E731
    return {
        "task_id": job.id,
        "platform": "kling" if job.kind.startswith("video:kling") else "sora",
        "action": job.params.get("action", "textGenerate"),
        "status": _TASK_STATUS[phase],
        "fail_reason": job.fail_reason if phase == "failed" else "",
        "result_url": _result_url(ctx, job) if phase == "succeeded" else "",
        "submit_time": ms(job.created),
        "start_time": ms(job.started_at()) if phase != "queued" else 0,
        "finish_time": ms(finished),
        "progress": f"{100 if phase == 'succeeded' else job.progress(now)}%",
        "properties": {"input": job.params.get("prompt", "")},
        "data": _kling_data(ctx, job),
    }


def _kling_data(ctx: Ctx, job: Job) -> dict[str, Any]:
    now = ctx.state.clock.now()
    phase = job.phase(now)
    data: dict[str, Any] = {
        "task_id": job.id,
        "task_status": _KLING_STATUS[phase],
        "task_status_msg": job.fail_reason if phase == "failed" else "",
        "created_at": int(job.created * 1000),
        "updated_at": int(now * 1000),
    }
    if phase == "succeeded":
        url = _result_url(ctx, job)
        data["task_result"] = {
            "videos": [{"id": job.id, "url": url, "duration": str(job.params["seconds"])}]
        }
    return data


def _seconds(ctx: Ctx, value: Any, allowed: tuple[int, ...]) -> int:
    try:
        seconds = int(str(value))
    except ValueError:
        raise task_error(ctx, 400, "invalid_request", f"invalid seconds {value!r}") from None
    if seconds not in allowed:
        raise task_error(ctx, 400, "invalid_request", f"seconds must be one of {allowed}")
    return seconds


async def create_video(ctx: Ctx) -> Response:
    fields, upload = await _fields(ctx)
    prompt = fields.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise task_error(ctx, 400, "invalid_request", "prompt is required")
    size = fields.get("size", "720x1280")
    if size not in SIZES:
        raise task_error(ctx, 400, "invalid_request", f"size must be one of {sorted(SIZES)}")
    reference = fields.get("input_reference")
    has_image = upload is not None or isinstance(reference, dict)
    job = _new_job(
        ctx,
        "video:openai",
        prompt,
        _seconds(ctx, fields.get("seconds", "4"), (4, 8, 12)),
        {
            "model": fields.get("model") or "sora-2",
            "size": size,
            "action": "generate" if has_image else "textGenerate",
            "image_seed": _digest(upload or (str(reference) if reference else b"")),
        },
    )
    return JSONResponse(_video_object(ctx, job))


_REMIX_PATH = re.compile(r"^/v1/videos/(?P<id>[^/]+)/remix$")


async def remix_video(ctx: Ctx) -> Response:
    """``POST /v1/videos/{id}/remix`` ``{"prompt"}``: a new job from a finished video, same
    model, size and length (https://platform.openai.com/docs/api-reference/videos/remix)."""
    match = _REMIX_PATH.match(ctx.request.url.path)
    source = ctx.state.tasks.get(match.group("id"), "video") if match else None
    if source is None:
        raise task_error(ctx, 404, "task_not_exist", "task_not_exist")
    if source.phase(ctx.state.clock.now()) != "succeeded":
        raise task_error(ctx, 400, "invalid_request", "only a completed video can be remixed")
    prompt = ctx.json_body().get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise task_error(ctx, 400, "invalid_request", "prompt is required")
    params = source.params
    job = _new_job(
        ctx,
        source.kind,
        prompt,
        int(params["seconds"]),
        {
            "model": params.get("model", "sora-2"),
            "size": params.get("size", "720x1280"),
            "action": "remix",
            "image_seed": params.get("image_seed", ""),
            "remixed_from": source.id,
        },
    )
    return JSONResponse(_video_object(ctx, job))


async def create_kling(ctx: Ctx) -> Response:
    body = ctx.json_body()
    image_route = ctx.request.url.path.endswith("image2video")
    prompt = body.get("prompt") or ""
    if not image_route and not prompt.strip():
        raise task_error(ctx, 400, "invalid_request", "prompt is required")
    if image_route and not body.get("image"):
        raise task_error(ctx, 400, "invalid_request", "image is required for image2video")
    job = _new_job(
        ctx,
        "video:kling",
        prompt or "image",
        _seconds(ctx, body.get("duration", "5"), (5, 10)),
        {
            "model": body.get("model_name") or "kling-v1",
            "action": "firstTailGenerate" if body.get("image_tail") else "generate",
            "image_seed": _digest(f"{body.get('image', '')}|{body.get('image_tail', '')}"),
        },
    )
    if not image_route:
        job.params["action"] = "textGenerate"
    reply = {"code": 0, "message": "SUCCEED", "request_id": ctx.request_id}
    return JSONResponse({**reply, "data": _kling_data(ctx, job)})


def _job_from_path(ctx: Ctx) -> tuple[Job, bool]:
    match = _ID_PATH.match(ctx.request.url.path)
    if match is None:
        raise task_error(ctx, 404, "invalid_request", "Invalid URL")
    job = ctx.state.tasks.get(match.group("id"), "video")
    if job is None:
        raise task_error(ctx, 404, "task_not_exist", "task_not_exist")
    return job, match.group("content") is not None


async def query_video(ctx: Ctx) -> Response:
    """Every ``GET`` on a task path: the shape follows the route family."""
    job, content = _job_from_path(ctx)
    path = ctx.request.url.path
    if content:
        return _content(ctx, job)
    if path.startswith("/v1/videos/"):
        return JSONResponse(_video_object(ctx, job))
    if path.startswith("/v1/video/generations/"):
        return JSONResponse({"code": "success", "message": "", "data": _task_dto(ctx, job)})
    reply = {"code": 0, "message": "SUCCEED", "request_id": ctx.request_id}
    return JSONResponse({**reply, "data": _kling_data(ctx, job)})


def _content(ctx: Ctx, job: Job) -> Response:
    if job.phase(ctx.state.clock.now()) != "succeeded":
        raise task_error(ctx, 400, "task_not_completed", "the video is not ready yet")
    return Response(video_bytes(job), media_type="video/mp4")


def video_bytes(job: Job) -> bytes:
    size = str(job.params.get("size", "1280x720"))
    wide = int(size.split("x")[0]) >= int(size.split("x")[1]) if "x" in size else True
    width, height = (64, 36) if wide else (36, 64)
    # the frames follow the prompt and, for image-to-video, the input image(s)
    seed = f"{job.params['prompt']}|{job.params.get('image_seed', '')}"
    return tiny_mp4(seed, seconds=int(job.params["seconds"]), width=width, height=height)


def _digest(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:16] if raw else ""


_CHAT_LINK = re.compile(r"https://emulator\.wenwen\.local/videos/[0-9a-f]+\.mp4")


def chat_video_reply(ctx: Ctx, reply: Reply) -> Reply:
    """Sync video through chat (Wenwen's "生成视频" doc page: a video model on the chat-completions route): the mock model's link now points at a
    real 4-second MP4 of the prompt in the result-file store."""
    prompt = next((m.get("content") for m in reversed(ctx.json_body().get("messages") or [])
                   if isinstance(m, dict) and m.get("role") == "user"), "")  # fmt: skip
    data = tiny_mp4(str(prompt), seconds=4)
    url = media_files.store(ctx.state, ctx.request, data, "video/mp4")
    return replace(reply, text=_CHAT_LINK.sub(url, reply.text))
