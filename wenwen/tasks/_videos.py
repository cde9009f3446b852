"""``client.videos`` (sync) and ``AsyncWenwenClient.videos``: only I/O; the decisions live in
``video`` and the engine."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _http
from ._common import (
    WaitOptions,
    adownload_result,
    afetch_result,
    as_async_sleep,
    download_result,
    fetch_result,
    id_and_route,
    merge_options,
)
from ._files import aread_bounded, astream_to_file, read_bounded, stream_to_file
from .engine import TaskSnapshot, wait_async, wait_sync
from .video import ImageInput, build_create, choose_route, get_route, parse_video, task_path

if TYPE_CHECKING:
    from .._client import AsyncWenwenClient, WenwenClient


@dataclass(frozen=True)
class GeneratedVideo:
    task: TaskSnapshot
    path: Path


class Videos:
    """Video tasks: ``create`` → ``wait`` (progress, deadline, stop flag) → ``download``."""

    def __init__(self, client: WenwenClient) -> None:
        self._client = client

    def create(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: int | str | None = None,
        size: str | None = None,
        image: ImageInput | None = None,
        last_frame: ImageInput | None = None,
        route: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TaskSnapshot:
        """Start a job. ``image`` makes it image-to-video; ``last_frame`` (Kling) adds the
        last frame. The route follows the model (``kling-*`` → Kling) unless given."""
        chosen = choose_route(model, route, image is not None)
        create = build_create(
            model=model, prompt=prompt, route=chosen, seconds=seconds, size=size,
            image=image, last_frame=last_frame, extra_body=extra_body,
        )  # fmt: skip
        response = self._client._send(_http.create_request(self._client._core, create))
        return parse_video(_http.decode_task_json(response.status_code, response.content), chosen)

    def retrieve(self, task_id: str, *, route: str | None = None) -> TaskSnapshot:
        """One status read. ``route='task'`` reads any platform's task through new-api's
        ``/v1/video/generations/{id}``."""
        task_id, name = id_and_route(task_id, route)
        chosen = get_route(name)
        request = _http.json_request(self._client._core, "GET", task_path(chosen.query, task_id))
        response = self._client._send(request)
        body = _http.decode_task_json(response.status_code, response.content)
        return parse_video(body, chosen, _http.poll_hint(response.headers))

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
        opts = merge_options(options, overrides)
        poller, bar = opts.poller(task_id, self._client._core.retry)
        try:
            return wait_sync(
                lambda: self.retrieve(task_id, route=name),
                poller,
                sleep=opts.sleep,
                clock=opts.clock or time.monotonic,
                stop=stop,
            )
        finally:
            if bar is not None:
                bar.close()

    def download(
        self,
        task: str | TaskSnapshot,
        path: str | os.PathLike[str],
        *,
        route: str | None = None,
    ) -> Path:
        """Save a finished video: the relay's content route (OpenAI style, with the key) or
        the task's result URL (key-less download). ``path`` may be an existing directory
        (the file is then named after the task)."""
        task_id, name = id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            target = video_target(path, task_id)
            return stream_to_file(self._client._send(request, stream=True), request.url, target)
        snapshot = task if isinstance(task, TaskSnapshot) else self.retrieve(task_id, route=name)
        return download_result(snapshot, path)

    def content(self, task: str | TaskSnapshot, *, route: str | None = None) -> bytes:
        """A finished video's bytes in memory (bounded like every download)."""
        task_id, name = id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            return read_bounded(self._client._send(request, stream=True), request.url)
        snapshot = task if isinstance(task, TaskSnapshot) else self.retrieve(task_id, route=name)
        return fetch_result(snapshot)

    def generate(
        self,
        path: str | os.PathLike[str],
        *,
        prompt: str,
        model: str = "sora-2",
        stop: threading.Event | None = None,
        options: WaitOptions | None = None,
        **create: Any,
    ) -> GeneratedVideo:
        """create + wait + download."""
        started = self.create(prompt=prompt, model=model, **create)
        done = self.wait(started, stop=stop, options=options)
        return GeneratedVideo(done, self.download(done, path))


class AsyncVideos:
    """The async twin of :class:`Videos`. Cancel the asyncio task to stop a wait."""

    def __init__(self, client: AsyncWenwenClient) -> None:
        self._client = client

    async def create(
        self,
        *,
        prompt: str,
        model: str = "sora-2",
        seconds: int | str | None = None,
        size: str | None = None,
        image: ImageInput | None = None,
        last_frame: ImageInput | None = None,
        route: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> TaskSnapshot:
        chosen = choose_route(model, route, image is not None)
        create = build_create(
            model=model, prompt=prompt, route=chosen, seconds=seconds, size=size,
            image=image, last_frame=last_frame, extra_body=extra_body,
        )  # fmt: skip
        response = await self._client._send(_http.create_request(self._client._core, create))
        body = _http.decode_task_json(response.status_code, await response.aread())
        return parse_video(body, chosen)

    async def retrieve(self, task_id: str, *, route: str | None = None) -> TaskSnapshot:
        task_id, name = id_and_route(task_id, route)
        chosen = get_route(name)
        request = _http.json_request(self._client._core, "GET", task_path(chosen.query, task_id))
        response = await self._client._send(request)
        body = _http.decode_task_json(response.status_code, await response.aread())
        return parse_video(body, chosen, _http.poll_hint(response.headers))

    async def wait(
        self,
        task: str | TaskSnapshot,
        *,
        route: str | None = None,
        options: WaitOptions | None = None,
        **overrides: Any,
    ) -> TaskSnapshot:
        task_id, name = id_and_route(task, route)
        opts = merge_options(options, overrides)
        poller, bar = opts.poller(task_id, self._client._core.retry)
        try:
            return await wait_async(
                lambda: self.retrieve(task_id, route=name),
                poller,
                sleep=as_async_sleep(opts.sleep),
                clock=opts.clock or time.monotonic,
            )
        finally:
            if bar is not None:
                bar.close()

    async def download(
        self,
        task: str | TaskSnapshot,
        path: str | os.PathLike[str],
        *,
        route: str | None = None,
    ) -> Path:
        task_id, name = id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            target = video_target(path, task_id)
            reply = await self._client._send(request, stream=True)
            return await astream_to_file(reply, request.url, target)
        snapshot = (
            task if isinstance(task, TaskSnapshot) else await self.retrieve(task_id, route=name)
        )
        return await adownload_result(snapshot, path)

    async def content(self, task: str | TaskSnapshot, *, route: str | None = None) -> bytes:
        task_id, name = id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            return await aread_bounded(await self._client._send(request, stream=True), request.url)
        snapshot = (
            task if isinstance(task, TaskSnapshot) else await self.retrieve(task_id, route=name)
        )
        return await afetch_result(snapshot)

    async def generate(
        self,
        path: str | os.PathLike[str],
        *,
        prompt: str,
        model: str = "sora-2",
        options: WaitOptions | None = None,
        **create: Any,
    ) -> GeneratedVideo:
        started = await self.create(prompt=prompt, model=model, **create)
        done = await self.wait(started, options=options)
        return GeneratedVideo(done, await self.download(done, path))


def video_target(path: str | os.PathLike[str], task_id: str) -> Path:
    """``path``, or ``<task id>.mp4`` inside it when it is a directory."""
    target = Path(path)
    return target / f"{task_id}.mp4" if target.is_dir() else target
