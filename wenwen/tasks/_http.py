"""Request building and reply reading shared by the sync and async task resources (no I/O
here): requests are the client's ``PreparedRequest``s, so every transport sends them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pydantic_core

from .._http.retry import retry_after_seconds
from ..errors import ProtocolError
from ..media.multipart import MultipartForm, Upload
from ..protocols import HttpRequest
from .video import VideoCreate

if TYPE_CHECKING:
    from .._http.prepare import ClientCore, PreparedRequest


def json_request(
    core: ClientCore, method: str, path: str, body: dict[str, Any] | None = None
) -> PreparedRequest:
    return core.prepare(HttpRequest(method, path, json=body))


def create_request(core: ClientCore, create: VideoCreate) -> PreparedRequest:
    """The create call: JSON, or multipart with the reference image as a file part."""
    assert create.route.create is not None
    if create.files is None:
        return json_request(core, "POST", create.route.create, create.json)
    uploads = [
        (field, Upload(filename, data, media_type))
        for field, (filename, data, media_type) in create.files.items()
    ]
    content, content_type = MultipartForm.of(create.form or {}, uploads).encode()
    spec = HttpRequest("POST", create.route.create, headers={"Content-Type": content_type})
    spec.content = content
    return core.prepare(spec)


def download_request(core: ClientCore, path: str) -> PreparedRequest:
    return core.prepare(HttpRequest("GET", path, headers={"Accept": "*/*"}))


def poll_hint(headers: Mapping[str, str]) -> float | None:
    """The wait a poll reply asks for, in seconds: ``Retry-After`` / ``retry-after-ms``, or
    OpenAI's ``openai-poll-after-ms`` (the header its SDK's ``poll`` follows)."""
    after_ms = headers.get("openai-poll-after-ms", "")
    if after_ms.isdigit():
        return int(after_ms) / 1000.0
    return retry_after_seconds(dict(headers))


def decode_task_json(status: int, content: bytes) -> Any:
    """A task reply's JSON. Unlike chat replies, a task object legitimately carries an
    ``error`` member (a failed video's ``error.message``), so it is not read as an error."""
    try:
        return pydantic_core.from_json(content)
    except ValueError as exc:
        snippet = content[:200].decode("utf-8", "replace")
        raise ProtocolError(
            f"the relay answered HTTP {status} with a body that is not valid "
            f"JSON ({exc}): {snippet!r}"
        ) from None
