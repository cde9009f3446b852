"""``client.videos`` (sync) and ``AsyncWenwenClient.videos``: only I/O, through the client's
public ``send``; the decisions live in ``video`` and the engine."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from .. import billing
from .._http.call import UNSET, Unset
from ..errors import ConfigurationError
from ..media._keyword_only import keyword_only
from ..protocols import HttpRequest
from . import _calls
from ._common import (
    WaitOptions,
    adownload_result,
    afetch_result,
    as_async_sleep,
    download_result,
    fetch_result,
    id_and_route,
    polling,
)
from ._files import aread_bounded, astream_to_file, read_bounded, stream_to_file, video_target
from .engine import TaskSnapshot, wait_async, wait_sync
from .video import (
    ImageInput,
    VideoRoute,
    build_create,
    choose_route,
    get_route,
    parse_video,
    task_path,
)

if TYPE_CHECKING:
    from .._http.api import AsyncRequestClient, RequestClient
    from .._http.reply import AsyncHttpReply, HttpReply


@dataclass(frozen=True)
class GeneratedVideo:
    task: TaskSnapshot
    path: Path


class CreateOptions(TypedDict, total=False):
    """``Videos.create``'s optional keywords (see ``_create_call`` for their meaning)."""

    seconds: int | str | None
    size: str | None
    image: ImageInput | None
    last_frame: ImageInput | None
    route: str | None
    extra_body: Mapping[str, Any] | None


# --- sans-IO: what the sync and async resources send and how they read the replies ----------


@dataclass(frozen=True)
class _TaskCall:
    """A task request and how to read its reply (a ``TaskSnapshot``)."""

    request: HttpRequest
    route: VideoRoute
    read_poll_hint: bool = False
    task_id: str | None = None
    """The task asked for: the reply must be about it."""

    def read(self, reply: HttpReply | AsyncHttpReply) -> TaskSnapshot:
        body = _calls.decode_task_json(reply.status_code, reply.content)
        hint = _calls.poll_hint(reply.headers) if self.read_poll_hint else None
        return parse_video(body, self.route, hint, expected_id=self.task_id)


def _create_call(
    *,
    prompt: str,
    model: str,
    seconds: int | str | None = None,
    size: str | None = None,
    image: ImageInput | None = None,
    last_frame: ImageInput | None = None,
    route: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> _TaskCall:
    chosen = choose_route(model, route, image is not None)
    create = build_create(
        model=model, prompt=prompt, route=chosen, seconds=seconds, size=size,
        image=image, last_frame=last_frame, extra_body=extra_body,
    )  # fmt: skip
    return _TaskCall(_calls.create_request(create), chosen)


def _retrieve_call(task_id: str, route: str | None) -> _TaskCall:
    task_id, name = id_and_route(task_id, route)
    chosen = get_route(name)
    request = _calls.json_request("GET", task_path(chosen.query, task_id))
    return _TaskCall(request, chosen, read_poll_hint=True, task_id=task_id)


def _budget(seconds: float | None) -> float | Unset:
    return UNSET if seconds is None else seconds


def _content_source(
    task: str | TaskSnapshot, route: str | None
) -> tuple[str, str, HttpRequest | None]:
    """``(task id, route name, request)``: the request for the relay's content route, or
    ``None`` when the video comes from the task's result URL (a key-less download)."""
    task_id, name = id_and_route(task, route)
    chosen = get_route(name)
    if chosen.content is None:
        return task_id, name, None
    return task_id, name, _calls.download_request(task_path(chosen.content, task_id))


def _billed(meter: billing.Call | None, model: str, task: TaskSnapshot) -> TaskSnapshot:
    """The relay bills a video task when it is accepted (its price per call): counted by
    the active usage trackers (the task's cost is not on the snapshot)."""
    if meter is not None:
        meter.end(model, None)
    return task


class Videos:
    """Video tasks: ``create`` → ``wait`` (progress, deadline, stop flag) → ``download``."""

    def __init__(self, client: RequestClient) -> None:
        self._client = client

    def create(
        self, prompt: str, *, model: str = "sora-2", **options: Unpack[CreateOptions]
    ) -> TaskSnapshot:
        """Start a job. ``options``: ``seconds``, ``size``, ``image`` (makes it
        image-to-video), ``last_frame`` (Kling adds the last frame), ``route`` (by default it
        follows the model: ``kling-*`` → Kling), ``extra_body``."""
        call = _create_call(prompt=prompt, model=model, **options)
        meter = billing.begin(self._client)  # cost: budgets before the request
        return _billed(meter, model, call.read(self._client.send(call.request)))

    def retrieve(
        self, task_id: str, *, route: str | None = None, total_timeout: float | None = None
    ) -> TaskSnapshot:
        """One status read. ``route='task'`` reads any platform's task through new-api's
        ``/v1/video/generations/{id}``. ``total_timeout`` bounds this read (default: the
        client's)."""
        call = _retrieve_call(task_id, route)
        return call.read(self._client.send(call.request, total_timeout=_budget(total_timeout)))

    def wait(
        self,
        task: str | TaskSnapshot,
        *,
        route: str | None = None,
        stop: threading.Event | None = None,
        options: WaitOptions | None = None,
        **overrides: Any,
    ) -> TaskSnapshot:
        """Poll until done (resume any time with the id alone). Raises ``TaskFailedError``,
        ``TaskTimeoutError`` (keeps ``task_id``) or ``TaskCancelledError`` (``stop`` set)."""
        task_id, name = id_and_route(task, route)
        with polling(task_id, self._client.retry_policy, options, overrides) as (opts, poller):
            clock = opts.clock or time.monotonic
            fetch = _calls.bounded_poll(
                lambda budget: self.retrieve(task_id, route=name, total_timeout=budget),
                poller,
                clock,
            )
            return wait_sync(fetch, poller, sleep=opts.sleep, clock=clock, stop=stop)

    def download(
        self,
        task: str | TaskSnapshot,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
        route: str | None = None,
    ) -> Path:
        """Save a finished video: the relay's content route (OpenAI style, with the key) or
        the task's result URL (key-less download). ``path`` may be an existing directory
        (the file is then named after the task)."""
        path = keyword_only("videos.download", "path", path, legacy)
        task_id, name, request = _content_source(task, route)
        if request is not None:
            target = video_target(path, task_id)
            reply = self._client.send(request, stream=True)
            return stream_to_file(reply, reply.url, target)  # type: ignore[arg-type]
        snapshot = task if isinstance(task, TaskSnapshot) else self.retrieve(task_id, route=name)
        return download_result(snapshot, path, self._client, "video")

    def content(self, task: str | TaskSnapshot, *, route: str | None = None) -> bytes:
        """A finished video's bytes in memory (bounded like every download)."""
        task_id, name, request = _content_source(task, route)
        if request is not None:
            reply = self._client.send(request, stream=True)
            return read_bounded(reply, reply.url)  # type: ignore[arg-type]
        snapshot = task if isinstance(task, TaskSnapshot) else self.retrieve(task_id, route=name)
        return fetch_result(snapshot, self._client, "video")

    def generate(
        self,
        content: str | os.PathLike[str] | None = None,
        /,
        *,
        prompt: str | None = None,
        path: str | os.PathLike[str] | None = None,
        model: str = "sora-2",
        stop: threading.Event | None = None,
        options: WaitOptions | None = None,
        **create: Any,
    ) -> GeneratedVideo:
        """create + wait + download: ``generate(prompt, path=...)``."""
        prompt, path = generate_arguments(content, prompt, path)
        started = self.create(prompt, model=model, **create)
        done = self.wait(started, stop=stop, options=options)
        return GeneratedVideo(done, self.download(done, path=path))


class AsyncVideos:
    """The async twin of :class:`Videos`. Cancel the asyncio task to stop a wait."""

    def __init__(self, client: AsyncRequestClient) -> None:
        self._client = client

    async def create(
        self, prompt: str, *, model: str = "sora-2", **options: Unpack[CreateOptions]
    ) -> TaskSnapshot:
        call = _create_call(prompt=prompt, model=model, **options)
        meter = await billing.abegin(self._client)  # cost: budgets before the request
        return _billed(meter, model, call.read(await self._client.send(call.request)))

    async def retrieve(
        self, task_id: str, *, route: str | None = None, total_timeout: float | None = None
    ) -> TaskSnapshot:
        call = _retrieve_call(task_id, route)
        budget = _budget(total_timeout)
        return call.read(await self._client.send(call.request, total_timeout=budget))

    async def wait(
        self,
        task: str | TaskSnapshot,
        *,
        route: str | None = None,
        options: WaitOptions | None = None,
        **overrides: Any,
    ) -> TaskSnapshot:
        task_id, name = id_and_route(task, route)
        with polling(task_id, self._client.retry_policy, options, overrides) as (opts, poller):
            clock = opts.clock or time.monotonic
            fetch = _calls.abounded_poll(
                lambda budget: self.retrieve(task_id, route=name, total_timeout=budget),
                poller,
                clock,
            )
            return await wait_async(fetch, poller, sleep=as_async_sleep(opts.sleep), clock=clock)

    async def download(
        self,
        task: str | TaskSnapshot,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
        route: str | None = None,
    ) -> Path:
        path = keyword_only("videos.download", "path", path, legacy)
        task_id, name, request = _content_source(task, route)
        if request is not None:
            target = video_target(path, task_id)
            reply = await self._client.send(request, stream=True)
            return await astream_to_file(reply, reply.url, target)
        snapshot = (
            task if isinstance(task, TaskSnapshot) else await self.retrieve(task_id, route=name)
        )
        return await adownload_result(snapshot, path, self._client, "video")

    async def content(self, task: str | TaskSnapshot, *, route: str | None = None) -> bytes:
        task_id, name, request = _content_source(task, route)
        if request is not None:
            reply = await self._client.send(request, stream=True)
            return await aread_bounded(reply, reply.url)
        snapshot = (
            task if isinstance(task, TaskSnapshot) else await self.retrieve(task_id, route=name)
        )
        return await afetch_result(snapshot, self._client, "video")

    async def generate(
        self,
        content: str | os.PathLike[str] | None = None,
        /,
        *,
        prompt: str | None = None,
        path: str | os.PathLike[str] | None = None,
        model: str = "sora-2",
        options: WaitOptions | None = None,
        **create: Any,
    ) -> GeneratedVideo:
        prompt, path = generate_arguments(content, prompt, path)
        started = await self.create(prompt, model=model, **create)
        done = await self.wait(started, options=options)
        return GeneratedVideo(done, await self.download(done, path=path))


def generate_arguments(
    content: str | os.PathLike[str] | None,
    prompt: str | None,
    path: str | os.PathLike[str] | None,
) -> tuple[str, str | os.PathLike[str]]:
    """``(prompt, path)`` of ``generate``: ``generate(prompt, path=...)``, or the old
    ``generate(path, prompt=...)`` (deprecated)."""
    if prompt is not None and content is not None:
        # the old order: the path first, the prompt as a keyword
        return prompt, keyword_only("videos.generate", "path", path, (content,), depth=2)
    text = prompt if prompt is not None else content
    if not isinstance(text, str):
        raise ConfigurationError("videos.generate() needs a prompt: generate(prompt, path=...)")
    return text, keyword_only("videos.generate", "path", path, ())
