# ruff: noqa: RUF001  (CJK text is the relay's own)
"""Midjourney as midjourney-proxy behind new-api (relay/relay-mj.go in
https://github.com/QuantumNous/new-api; task fields from https://github.com/novicezk/midjourney-proxy), under ``/mj``
and ``/{mode}/mj``: submit imagine / blend / action, fetch, list-by-condition, image-seed, and
the key-less image proxy ``/mj/image/{id}``.

Jobs go ``""`` (new-api before its poller runs) → ``SUBMITTED`` → ``IN_PROGRESS`` ("x%") →
``SUCCESS`` / ``FAILURE`` on the emulator clock. Grid jobs answer U1-U4 / 🔄 / V1-V4 buttons;
an upscale answers the follow-up set (upscale subtle/creative, vary, zoom out, pan), as
Midjourney does. Clicking a U button twice gives code 21 with the existing task. Codes on
demand: 22 (queued) and 23 (queue full) via ``Emulator.mj_submit_code`` or the
``x-emulator-mj-code`` header, 24 for a banned word in the prompt.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

from starlette.responses import JSONResponse, Response

from .context import Ctx
from .errors import ErrorResponse
from .mj_images import crop_png, grid_png
from .tasks import Job

GRID_SECONDS = 20.0
UPSCALE_SECONDS = 5.0
BANNED_WORDS = ("gore", "nsfw", "nude", "blood")
_PATH = re.compile(r"^/(?:[A-Za-z0-9_-]+/)?mj(?P<rest>/.*)$")
_GRID_ACTIONS = {"IMAGINE", "BLEND", "VARIATION", "REROLL", "ZOOM", "PAN", "LOW_VARIATION",
                 "HIGH_VARIATION"}  # fmt: skip
_PANS = (("pan_left", "⬅️"), ("pan_right", "➡️"), ("pan_up", "⬆️"), ("pan_down", "⬇️"))


def mj_error(status: int, description: str, code: int = 4) -> ErrorResponse:
    body = {"description": description, "type": "upstream_error", "code": code}
    return ErrorResponse(JSONResponse(body, status_code=status))


def _submit_reply(code: int, description: str, result: Any, **properties: Any) -> Response:
    return JSONResponse(
        {"code": code, "description": description, "properties": properties, "result": result}
    )


def _job_hash(job_id: str) -> str:
    return str(uuid.UUID(bytes=hashlib.md5(job_id.encode()).digest()))


def _button(custom_id: str, label: str = "", emoji: str = "") -> dict[str, Any]:
    return {"customId": custom_id, "emoji": emoji, "label": label, "type": 2, "style": 2}


def buttons(job: Job) -> list[dict[str, Any]]:
    """The buttons Midjourney shows under a finished job."""
    h = _job_hash(job.id)
    if job.params["action"] in _GRID_ACTIONS:
        out = [_button(f"MJ::JOB::upsample::{i}::{h}", f"U{i}") for i in range(1, 5)]
        out.append(_button(f"MJ::JOB::reroll::0::{h}::SOLO", emoji="🔄"))
        out += [_button(f"MJ::JOB::variation::{i}::{h}", f"V{i}") for i in range(1, 5)]
        return out
    return [
        _button(f"MJ::JOB::upsample_v6_2x_subtle::1::{h}::SOLO", "Upscale (Subtle)"),
        _button(f"MJ::JOB::upsample_v6_2x_creative::1::{h}::SOLO", "Upscale (Creative)"),
        _button(f"MJ::JOB::low_variation::1::{h}::SOLO", "Vary (Subtle)"),
        _button(f"MJ::JOB::high_variation::1::{h}::SOLO", "Vary (Strong)"),
        _button(f"MJ::Outpaint::50::1::{h}::SOLO", "Zoom Out 2x"),
        _button(f"MJ::Outpaint::75::1::{h}::SOLO", "Zoom Out 1.5x"),
        *[_button(f"MJ::JOB::{name}::1::{h}::SOLO", emoji=emoji) for name, emoji in _PANS],
    ]


_STATUS = {"queued": "SUBMITTED", "running": "IN_PROGRESS", "succeeded": "SUCCESS",
           "failed": "FAILURE"}  # fmt: skip


def task_object(ctx: Ctx, job: Job) -> dict[str, Any]:
    now = ctx.state.clock.now()
    phase, p = job.phase(now), job.params
    status = "" if job.elapsed(now) < 1.0 and phase == "queued" else _STATUS[phase]
    finished = job.finished_at(now)
    image = f"{str(ctx.request.base_url).rstrip('/')}/mj/image/{job.id}"
    progress = {"running": f"{job.progress(now)}%", "succeeded": "100%", "failed": ""}
    return {
        "id": job.id,
        "action": p["action"],
        "customId": p.get("customId", ""),
        "botType": p.get("botType", ""),
        "prompt": p.get("prompt", ""),
        "promptEn": p.get("prompt", ""),
        "description": p.get("description", ""),
        "state": p.get("state", ""),
        "submitTime": int(job.created * 1000),
        "startTime": int(job.started_at() * 1000) if phase != "queued" else 0,
        "finishTime": int(finished * 1000) if finished else 0,
        "imageUrl": (image if phase == "succeeded" else f"{image}?rand={int(now * 1e9)}")
        if phase in ("running", "succeeded")
        else "",
        "videoUrl": "",
        "videoUrls": [],
        "status": status,
        "progress": progress.get(phase, "0%"),
        "failReason": job.fail_reason if phase == "failed" else "",
        "buttons": buttons(job) if phase == "succeeded" else [],
        "maskBase64": "",
        "properties": {"finalPrompt": p.get("prompt", ""), "finalZhPrompt": ""},
    }


def _new_job(ctx: Ctx, action: str, seconds: float, params: dict[str, Any]) -> Job:
    store = ctx.state.tasks
    number = store.next_number()
    job = Job(
        id=str(1_730_000_000_000_000 + number * 7919),
        kind="mj",
        created=ctx.state.clock.now(),
        queue=3.0,
        run=seconds,
        params={"action": action, **params},
    )
    return store.add(job, str(params.get("prompt", "")))


def _forced_code(ctx: Ctx) -> int | None:
    header = ctx.request.headers.get("x-emulator-mj-code", "")
    if header.strip().isdigit():
        return int(header)
    return ctx.state.tasks.pop_mj_code()


def _gate(ctx: Ctx, prompt: str) -> tuple[Response | None, int]:
    """A refusal (codes 23, 24, others on demand) or the accept code to use (1 or 22)."""
    code = _forced_code(ctx)
    if code == 23:
        return _submit_reply(23, "队列已满，请稍后尝试", None, discordInstanceId="emulator"), 0
    lowered = prompt.lower()
    word = next((w for w in BANNED_WORDS if re.search(rf"\b{w}\b", lowered)), None)
    if code == 24 and word is None:
        word = (prompt.split() or ["prompt"])[0]
    if word is not None:
        return _submit_reply(24, "可能包含敏感词", None, promptEn=prompt, bannedWord=word), 0
    if code is not None and code not in (1, 21, 22):
        return _submit_reply(code, f"emulated submit failure (code {code})", None), 0
    return None, 22 if code == 22 else 1


def _accepted(job: Job, code: int) -> Response:
    if code == 22:
        return _submit_reply(22, "排队中，前面还有1个任务", job.id, numberOfQueues=1,
                             discordInstanceId="emulator")  # fmt: skip
    return _submit_reply(1, "提交成功", job.id, discordInstanceId="emulator")


def _data_urls(ctx: Ctx, values: Any, low: int, high: int) -> list[str]:
    if values is None:
        values = []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise mj_error(400, "base64Array must be a list of data URLs")
    if not low <= len(values) <= high:
        raise mj_error(400, f"base64Array needs {low} to {high} images, got {len(values)}")
    for value in values:
        if not re.match(r"^data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]+$", value):
            raise mj_error(400, "base64Array items must be data:image/...;base64,... URLs")
    return values


async def imagine(ctx: Ctx) -> Response:
    body = ctx.json_body()
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        return _submit_reply(4, "prompt不能为空", None)
    images = _data_urls(ctx, body.get("base64Array"), 0, 5)
    refused, code = _gate(ctx, prompt)
    if refused is not None:
        return refused
    job = _new_job(ctx, "IMAGINE", GRID_SECONDS, {
        "prompt": prompt, "seed": f"{prompt}|{len(images)}", "state": body.get("state", ""),
        "description": f"/imagine {prompt}", "botType": body.get("botType", "MID_JOURNEY"),
        "mode": body.get("mode", "RELAX"), "dimensions": "SQUARE",
    })  # fmt: skip
    return _accepted(job, code)


async def blend(ctx: Ctx) -> Response:
    body = ctx.json_body()
    images = _data_urls(ctx, body.get("base64Array"), 2, 5)
    dimensions = body.get("dimensions", "SQUARE")
    if dimensions not in ("PORTRAIT", "SQUARE", "LANDSCAPE"):
        return _submit_reply(4, "dimensions must be PORTRAIT, SQUARE or LANDSCAPE", None)
    refused, code = _gate(ctx, "")
    if refused is not None:
        return refused
    seed = hashlib.sha256("".join(images).encode()).hexdigest()
    job = _new_job(ctx, "BLEND", GRID_SECONDS, {
        "prompt": "", "seed": seed, "dimensions": dimensions, "description": "/blend",
        "state": body.get("state", ""),
    })  # fmt: skip
    return _accepted(job, code)


def _child(parent: Job, custom_id: str) -> tuple[str, float, dict[str, Any]]:
    """What clicking ``custom_id`` on ``parent`` starts: (action, seconds, params)."""
    p = parent.params
    parts = custom_id.split("::")
    kind, index = parts[2], int(parts[3]) if parts[3].isdigit() else 0
    base = {"prompt": p.get("prompt", ""), "dimensions": p.get("dimensions", "SQUARE"),
            "customId": custom_id, "parent": parent.id}  # fmt: skip
    if kind == "upsample":
        return "UPSCALE", UPSCALE_SECONDS, {**base, "seed": p["seed"], "crop": index, "scale": 1}
    if kind.startswith("upsample_"):
        return "UPSCALE", UPSCALE_SECONDS, {**base, "seed": p["seed"], "crop": p.get("crop", 1),
                                           "scale": 2 * int(p.get("scale", 1))}  # fmt: skip
    if parts[1] == "Outpaint":
        return "ZOOM", GRID_SECONDS, {**base, "seed": f"{p['seed']}/zoom{parts[2]}"}
    action = {"reroll": "REROLL", "variation": "VARIATION", "low_variation": "LOW_VARIATION",
              "high_variation": "HIGH_VARIATION"}.get(kind, "PAN")  # fmt: skip
    return action, GRID_SECONDS, {**base, "seed": f"{p['seed']}/{kind}{index}/{parent.id}"}


async def action(ctx: Ctx) -> Response:
    body = ctx.json_body()
    task_id, custom_id = str(body.get("taskId") or ""), str(body.get("customId") or "")
    parent = ctx.state.tasks.get(task_id, "mj")
    if parent is None:
        raise mj_error(400, "task_no_found ")
    if parent.phase(ctx.state.clock.now()) != "succeeded":
        return _submit_reply(4, "the task has not finished; wait for SUCCESS first", None)
    if custom_id not in {b["customId"] for b in buttons(parent)}:
        return _submit_reply(4, f"customId not found on task {task_id}", None)
    clicked = parent.params.setdefault("clicked", {})
    if custom_id in clicked and custom_id.split("::")[2] == "upsample":
        existing = ctx.state.tasks.get(clicked[custom_id], "mj")
        assert existing is not None
        obj = task_object(ctx, existing)
        return _submit_reply(21, "任务已存在", existing.id, status=obj["status"],
                             imageUrl=obj["imageUrl"])  # fmt: skip
    refused, code = _gate(ctx, "")
    if refused is not None:
        return refused
    kind, seconds, params = _child(parent, custom_id)
    params["description"] = f"/{kind.lower()} {task_id}"
    job = _new_job(ctx, kind, seconds, params)
    clicked[custom_id] = job.id
    return _accepted(job, code)


def _known(ctx: Ctx, task_id: str) -> Job:
    job = ctx.state.tasks.get(task_id, "mj")
    if job is None:
        raise mj_error(400, "task_no_found ")
    return job


async def route(ctx: Ctx) -> Response:
    """Dispatch every ``/mj`` and ``/{mode}/mj`` path."""
    match = _PATH.match(ctx.request.url.path)
    rest, method = (match.group("rest") if match else ""), ctx.request.method
    submit = {"/submit/imagine": imagine, "/submit/blend": blend, "/submit/action": action}
    if method == "POST" and rest in submit:
        return await submit[rest](ctx)
    if method == "POST" and rest == "/task/list-by-condition":
        ids = ctx.json_body().get("ids") or []
        jobs = [ctx.state.tasks.get(str(i), "mj") for i in ids]
        return JSONResponse([task_object(ctx, j) for j in jobs if j is not None])
    found = re.fullmatch(r"/task/([^/]+)/(fetch|image-seed)", rest)
    if method == "GET" and found:
        job = _known(ctx, found.group(1))
        if found.group(2) == "fetch":
            return JSONResponse(task_object(ctx, job))
        if job.phase(ctx.state.clock.now()) != "succeeded":
            return _submit_reply(4, "the task has no seed until it succeeds", None)
        seed = int(hashlib.sha256(job.params["seed"].encode()).hexdigest()[:8], 16)
        return _submit_reply(1, "Success", str(seed))
    raise mj_error(404, f"Invalid URL ({method} {ctx.request.url.path})")


async def image(ctx: Ctx) -> Response:
    """``GET /mj/image/{id}``: new-api's image proxy (no key), PNG bytes of the job."""
    job = ctx.state.tasks.get(ctx.request.url.path.rsplit("/", 1)[-1], "mj")
    if job is None or job.phase(ctx.state.clock.now()) not in ("running", "succeeded"):
        return Response(b"not found", status_code=404, media_type="text/plain")
    p = job.params
    if p["action"] == "UPSCALE":
        data = crop_png(p["seed"], p["dimensions"], int(p["crop"]), int(p.get("scale", 1)))
    else:
        data = grid_png(p["seed"], p["dimensions"])
    return Response(data, media_type="image/png")
