"""Where the task routes (video, Midjourney) plug into the app: path dispatch, the key-less
result paths, and the control endpoints ``/_emulator/clock/advance`` ``{"seconds"}``,
``/_emulator/tasks/fail`` ``{"reason"}`` and ``/_emulator/tasks/mj-code`` ``{"code"}``."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import midjourney_routes, video_routes
from .context import Ctx
from .state import EmulatorState

Handler = Callable[[Ctx], Awaitable[Response]]
# Result files a relay hands out as URLs; fetched without the key, like vendor storage.
PUBLIC_PREFIXES = ("/mj/image/",)
_VIDEO_QUERY = re.compile(
    r"^/(?:v1/videos/[^/]+(?:/content)?|v1/video/generations/[^/]+"
    r"|kling/v1/videos/(?:text2video|image2video)/[^/]+)$"
)
_MJ = re.compile(r"^/(?:[A-Za-z0-9_-]+/)?mj/")


def find(method: str, path: str) -> Handler | None:
    if method == "POST" and path == "/v1/videos":
        return video_routes.create_video
    if method == "POST" and path.startswith("/v1/videos/") and path.endswith("/remix"):
        return video_routes.remix_video
    if method == "POST" and path in ("/kling/v1/videos/text2video", "/kling/v1/videos/image2video"):
        return video_routes.create_kling
    if method == "GET" and _VIDEO_QUERY.match(path):
        return video_routes.query_video
    if method == "GET" and path.startswith("/mj/image/"):
        return midjourney_routes.image
    if _MJ.match(path):
        return midjourney_routes.route
    return None


async def control(state: EmulatorState, request: Request, path: str) -> Response:
    try:
        body = json.loads(await request.body() or b"{}")
        if path == "/_emulator/clock/advance":
            return JSONResponse({"ok": True, "now": state.clock.advance(float(body["seconds"]))})
        if path == "/_emulator/tasks/fail":
            state.tasks.fail_next(str(body.get("reason") or "emulated failure"))
            return JSONResponse({"ok": True})
        if path == "/_emulator/tasks/mj-code":
            state.tasks.mj_codes.append(int(body["code"]))
            return JSONResponse({"ok": True})
    except (ValueError, KeyError, TypeError) as exc:
        return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
    return JSONResponse({"ok": False, "error": "unknown control endpoint"}, status_code=404)
