"""Request building shared by the sync and async task resources (no I/O here)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pydantic_core

from .._transport import retry_after_seconds
from ..errors import ProtocolError
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
    headers = {
        k: v for k, v in base.headers.items() if k.lower() not in ("content-type", "content-length")
    }
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
    """The wait a poll reply asks for, in seconds: ``Retry-After`` / ``retry-after-ms``, or
    OpenAI's ``openai-poll-after-ms`` (the header its SDK's ``poll`` follows)."""
    after_ms = response.headers.get("openai-poll-after-ms", "")
    if after_ms.isdigit():
        return int(after_ms) / 1000.0
    return retry_after_seconds(dict(response.headers))


def decode_task_json(response: httpx.Response) -> Any:
    """A task reply's JSON. Unlike chat replies, a task object legitimately carries an
    ``error`` member (a failed video's ``error.message``), so it is not read as an error."""
    try:
        return pydantic_core.from_json(response.content)
    except ValueError as exc:
        snippet = response.content[:200].decode("utf-8", "replace")
        raise ProtocolError(
            f"the relay answered HTTP {response.status_code} with a body that is not valid "
            f"JSON ({exc}): {snippet!r}"
        ) from None
