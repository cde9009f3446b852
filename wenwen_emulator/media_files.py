"""Result files the emulator hands out by URL (``/files/<id>.<ext>``), served without a key
like the third-party storage real results live on. Each emulator keeps its last 64 files."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .state import EmulatorState, RecordedRequest

PREFIX = "/files/"
_KEEP = 64
_stores: weakref.WeakKeyDictionary[EmulatorState, OrderedDict[str, tuple[bytes, str]]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def store(state: EmulatorState, request: Request, content: bytes, media_type: str) -> str:
    """Keep ``content`` and return the absolute URL it is served at."""
    suffix = {"image/png": ".png", "audio/wav": ".wav", "video/mp4": ".mp4"}.get(media_type, ".bin")
    name = hashlib.sha256(content).hexdigest()[:24] + suffix
    with _lock:
        files = _stores.setdefault(state, OrderedDict())
        files[name] = (content, media_type)
        files.move_to_end(name)
        while len(files) > _KEEP:
            files.popitem(last=False)
    return f"{str(request.base_url).rstrip('/')}{PREFIX}{name}"


async def serve(state: EmulatorState, request: Request) -> Response:
    """``GET /files/<name>``: recorded like any request (so tests can inspect its headers)."""
    name = request.url.path[len(PREFIX) :]
    state.record(
        RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=None,
        )
    )
    with _lock:
        found = _stores.get(state, OrderedDict()).get(name)
    if request.method != "GET" or found is None:
        # the shape object storage answers with
        return JSONResponse({"error": "BlobNotFound", "message": name}, status_code=404)
    content, media_type = found
    return Response(content, media_type=media_type)
