"""Request building shared by the sync and async task resources (no I/O here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._transport import retry_after_seconds
from ..protocols import HttpRequest
from .video import VideoCreate

if TYPE_CHECKING:
    from .._shared import ClientCore


def json_request(
    core: ClientCore, method: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Request:
    return core.build(HttpRequest(method, path, json=body))


def create_request(core: ClientCore, create: VideoCreate) -> httpx.Request:
    """The create call: JSON, or multipart with the reference image as a file part."""
    assert create.route.create is not None
    if create.files is None:
        return json_request(core, "POST", create.route.create, create.json)
    base = core.build(HttpRequest("POST", create.route.create))
    headers = {k: v for k, v in base.headers.items() if k.lower() != "content-type"}
    return httpx.Request(
        "POST",
        base.url,
        headers=headers,
        data=create.form,
        files=create.files,
        extensions=base.extensions,
    )


def download_request(core: ClientCore, path: str) -> httpx.Request:
    request = core.build(HttpRequest("GET", path, headers={"Accept": "*/*"}))
    return request


def poll_hint(response: httpx.Response) -> float | None:
    """A ``Retry-After`` the relay put on a poll reply (seconds), if any."""
    return retry_after_seconds(dict(response.headers))
