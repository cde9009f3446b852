"""The task resources' requests and reply reading, shared by the sync and async resources
(no I/O here): requests are ``HttpRequest``s sent through the client's public ``send``, and
a wait's remaining time becomes each poll's budget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import pydantic_core

from .._http.retry import retry_after_seconds
from ..errors import APITimeoutError, ProtocolError, TaskTimeoutError
from ..media.multipart import MultipartForm, Upload
from ..protocols import HttpRequest
from .engine import TaskPoller
from .video import VideoCreate


def json_request(method: str, path: str, body: dict[str, Any] | None = None) -> HttpRequest:
    return HttpRequest(method, path, json=body)


def create_request(create: VideoCreate) -> HttpRequest:
    """The create call: JSON, or multipart with the reference image as a file part."""
    assert create.route.create is not None
    if create.files is None:
        return json_request("POST", create.route.create, create.json)
    uploads = [
        (field, Upload(filename, data, media_type))
        for field, (filename, data, media_type) in create.files.items()
    ]
    content, content_type = MultipartForm.of(create.form or {}, uploads).encode()
    spec = HttpRequest("POST", create.route.create, headers={"Content-Type": content_type})
    spec.content = content
    return spec


def download_request(path: str) -> HttpRequest:
    return HttpRequest("GET", path, headers={"Accept": "*/*"})


def poll_budget(poller: TaskPoller, now: float) -> float | None:
    """What is left of a wait's deadline: the budget of the next poll request (``None``: no
    deadline, the client's own ``total_timeout`` applies)."""
    if poller.deadline is None:
        return None
    return max(poller.deadline - now, 0.001)


T = TypeVar("T")


def bounded_poll(
    fetch: Callable[[float | None], T], poller: TaskPoller, clock: Callable[[], float]
) -> Callable[[], T]:
    """``fetch(budget)`` as the engine's fetch: each poll gets what is left of the wait as
    its ``total_timeout``, and a poll cut short by the wait's deadline ends the wait with
    ``TaskTimeoutError``."""

    def run() -> T:
        timed_out: TaskTimeoutError | None = None
        try:
            return fetch(poll_budget(poller, clock()))
        except APITimeoutError as error:
            if poller.deadline is None or clock() < poller.deadline:
                raise
            timed_out = past_deadline(poller, error, clock())
        raise timed_out

    return run


def abounded_poll(
    fetch: Callable[[float | None], Awaitable[T]],
    poller: TaskPoller,
    clock: Callable[[], float],
) -> Callable[[], Awaitable[T]]:
    """The async form of ``bounded_poll``."""

    async def run() -> T:
        timed_out: TaskTimeoutError | None = None
        try:
            return await fetch(poll_budget(poller, clock()))
        except APITimeoutError as error:
            if poller.deadline is None or clock() < poller.deadline:
                raise
            timed_out = past_deadline(poller, error, clock())
        raise timed_out

    return run


def past_deadline(poller: TaskPoller, error: APITimeoutError, now: float) -> TaskTimeoutError:
    """A poll that ran out of the wait's time ends the wait as ``TaskTimeoutError``."""
    status = f" (last status {poller.last.status!r})" if poller.last else ""
    return TaskTimeoutError(
        f"task {poller.task_id} did not finish within {now - poller.started_at:.0f} s{status}: "
        f"the last poll ran out of time ({error.message}); it still runs on the relay: "
        "wait on this task id again to resume",
        task_id=poller.task_id,
        task=poller.last,
    )


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
