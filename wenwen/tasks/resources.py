"""``client.videos`` and ``client.midjourney`` (sync) and their async twins.

Everything they decide comes from ``video``, ``midjourney`` and the engine; these classes only
send requests, sleep between polls and write files.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from . import _http
from ._files import astream_to_file, stream_to_file
from .engine import (
    PollPolicy,
    ProgressCallback,
    TaskPoller,
    TaskSnapshot,
    wait_async,
    wait_many_async,
    wait_many_sync,
    wait_sync,
)
from .midjourney import (
    Dimensions,
    MjButton,
    MjTask,
    Mode,
    action_body,
    blend_body,
    imagine_body,
    mj_prefix,
    parse_submit,
    parse_tasks,
)
from .progress import ProgressBar, fan_out
from .video import (
    ImageInput,
    build_create,
    choose_route,
    get_route,
    parse_video,
    task_path,
)

if TYPE_CHECKING:
    from .._client import AsyncWenwenClient, WenwenClient


@dataclass(frozen=True)
class GeneratedVideo:
    task: TaskSnapshot
    path: Path


@dataclass
class WaitOptions:
    """How to wait: ``timeout`` (overall seconds, ``None`` for none), ``on_progress``,
    ``progress_bar`` (a ``tqdm`` bar), ``poll`` (intervals), and for tests and demos the
    ``sleep``/``clock`` the engine uses."""

    timeout: float | None = 900.0
    on_progress: ProgressCallback | None = None
    progress_bar: bool | str = False
    poll: PollPolicy | None = None
    sleep: Callable[[float], Any] | None = None
    clock: Callable[[], float] | None = None

    def poller(self, task_id: str, retry: Any) -> tuple[TaskPoller, ProgressBar | None]:
        bar = None
        if self.progress_bar:
            label = self.progress_bar if isinstance(self.progress_bar, str) else task_id
            bar = ProgressBar(label)
        policy = self.poll or PollPolicy()
        if self.timeout != policy.timeout:
            policy = PollPolicy(policy.interval, policy.max_interval, policy.backoff, self.timeout)
        poller = TaskPoller(
            task_id,
            started_at=(self.clock or time.monotonic)(),
            policy=policy,
            retry=retry,
            on_progress=fan_out(self.on_progress, bar),
        )
        return poller, bar


def _options(options: WaitOptions | None, overrides: Mapping[str, Any]) -> WaitOptions:
    base = options or WaitOptions()
    if overrides:
        base = WaitOptions(**{**base.__dict__, **overrides})
    return base


def _id_and_route(task: str | TaskSnapshot, route: str | None) -> tuple[str, str]:
    if isinstance(task, TaskSnapshot):
        return task.id, route or task.route or "openai"
    if not isinstance(task, str) or not task.strip():
        raise ConfigurationError(f"task id must be a non-empty string, got {task!r}")
    return task, route or "openai"


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
        return parse_video(_http.decode_task_json(response), chosen)

    def retrieve(self, task_id: str, *, route: str | None = None) -> TaskSnapshot:
        """One status read. ``route='task'`` reads any platform's task through new-api's
        ``/v1/video/generations/{id}``."""
        task_id, name = _id_and_route(task_id, route)
        chosen = get_route(name)
        request = _http.json_request(self._client._core, "GET", task_path(chosen.query, task_id))
        response = self._client._send(request)
        body = _http.decode_task_json(response)
        return parse_video(body, chosen, _http.poll_hint(response))

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
        task_id, name = _id_and_route(task, route)
        opts = _options(options, overrides)
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
        the task's result URL (key-less download)."""
        task_id, name = _id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            return stream_to_file(self._client._send(request, stream=True), path)
        snapshot = task if isinstance(task, TaskSnapshot) else self.retrieve(task_id, route=name)
        return _download_result(snapshot, path)

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
        return parse_video(_http.decode_task_json(response), chosen)

    async def retrieve(self, task_id: str, *, route: str | None = None) -> TaskSnapshot:
        task_id, name = _id_and_route(task_id, route)
        chosen = get_route(name)
        request = _http.json_request(self._client._core, "GET", task_path(chosen.query, task_id))
        response = await self._client._send(request)
        body = _http.decode_task_json(response)
        return parse_video(body, chosen, _http.poll_hint(response))

    async def wait(
        self,
        task: str | TaskSnapshot,
        *,
        route: str | None = None,
        options: WaitOptions | None = None,
        **overrides: Any,
    ) -> TaskSnapshot:
        task_id, name = _id_and_route(task, route)
        opts = _options(options, overrides)
        poller, bar = opts.poller(task_id, self._client._core.retry)
        try:
            return await wait_async(
                lambda: self.retrieve(task_id, route=name),
                poller,
                sleep=_async_sleep(opts.sleep),
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
        task_id, name = _id_and_route(task, route)
        chosen = get_route(name)
        if chosen.content is not None:
            request = _http.download_request(self._client._core, task_path(chosen.content, task_id))
            return await astream_to_file(await self._client._send(request, stream=True), path)
        snapshot = (
            task if isinstance(task, TaskSnapshot) else await self.retrieve(task_id, route=name)
        )
        return await _adownload_result(snapshot, path)

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


def _async_sleep(sleep: Callable[[float], Any] | None) -> Callable[[float], Awaitable[Any]]:
    """An injected sleep may be sync (e.g. advancing a test clock) or async."""
    import asyncio
    import inspect

    if sleep is None:
        return asyncio.sleep
    chosen = sleep

    async def run(seconds: float) -> None:
        result = chosen(seconds)
        if inspect.isawaitable(result):
            await result
        else:
            await asyncio.sleep(0)

    return run


def _result_url(snapshot: TaskSnapshot) -> str:
    if not snapshot.result_url:
        raise ConfigurationError(
            f"task {snapshot.id} has no result URL yet (status {snapshot.status!r}); wait first"
        )
    return snapshot.result_url


def _download_result(snapshot: TaskSnapshot, path: str | os.PathLike[str]) -> Path:
    from ..media.download import download

    saved = download(_result_url(snapshot), path).path
    assert saved is not None
    return saved


async def _adownload_result(snapshot: TaskSnapshot, path: str | os.PathLike[str]) -> Path:
    from ..media.download import adownload

    saved = (await adownload(_result_url(snapshot), path)).path
    assert saved is not None
    return saved


# --- Midjourney --------------------------------------------------------------------------


def _button_id(task: MjTask | None, button: str | MjButton) -> str:
    if isinstance(button, MjButton):
        return button.custom_id
    if button.startswith("MJ::"):
        return button
    if task is None:
        raise ConfigurationError("pass the task (MjTask) to pick a button by its label")
    return task.button(button).custom_id


def _as_tasks(tasks: list[MjTask]) -> dict[str, TaskSnapshot]:
    return {t.id: t.snapshot() for t in tasks}


class Midjourney:
    """Midjourney through the relay: submit (imagine / blend / action) → wait → buttons.
    ``path_mode`` selects new-api's ``/{mode}/mj`` prefix (e.g. ``"mj-fast"``)."""

    def __init__(self, client: WenwenClient, path_mode: str | None = None) -> None:
        self._client = client
        self._prefix = mj_prefix(path_mode)

    def with_path_mode(self, path_mode: str | None) -> Midjourney:
        return Midjourney(self._client, path_mode)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = _http.json_request(self._client._core, method, self._prefix + path, body)
        response = self._client._send(request)
        return _http.decode_task_json(response)

    def _submit(self, action: str, body: dict[str, Any]) -> str:
        return parse_submit(self._call("POST", f"/submit/{action}", body))[0]

    def imagine(
        self,
        prompt: str,
        *,
        images: Sequence[ImageInput] | None = None,
        mode: Mode | None = None,
        **extra: Any,
    ) -> str:
        """Submit an imagine job; the task id. ``images`` are reference images."""
        return self._submit("imagine", imagine_body(prompt, images, mode, extra))

    def blend(
        self,
        images: Sequence[ImageInput],
        *,
        dimensions: Dimensions = "SQUARE",
        mode: Mode | None = None,
        **extra: Any,
    ) -> str:
        return self._submit("blend", blend_body(images, dimensions, mode, extra))

    def action(self, task: str | MjTask, button: str | MjButton, **extra: Any) -> str:
        """Click a button of a finished task: a ``MjButton``, its ``customId``, or its label
        (``"U1"``, ``"V2"``, ``"reroll"``) when ``task`` is the ``MjTask``."""
        task_obj = task if isinstance(task, MjTask) else None
        task_id = task.id if isinstance(task, MjTask) else task
        return self._submit("action", action_body(task_id, _button_id(task_obj, button), extra))

    def fetch(self, task_id: str) -> MjTask:
        task_id, _ = _id_and_route(task_id, "mj")
        return MjTask.parse(self._call("GET", task_path("/task/{id}/fetch", task_id)))

    def list_by_condition(self, ids: Sequence[str]) -> list[MjTask]:
        return parse_tasks(self._call("POST", "/task/list-by-condition", {"ids": list(ids)}))

    def image_seed(self, task_id: str) -> str:
        return parse_submit(self._call("GET", task_path("/task/{id}/image-seed", task_id)))[0]

    def wait(
        self, task_id: str, *, stop: threading.Event | None = None,
        options: WaitOptions | None = None, **overrides: Any,
    ) -> MjTask:  # fmt: skip
        opts = _options(options, overrides)
        poller, bar = opts.poller(task_id, self._client._core.retry)
        try:
            snapshot = wait_sync(
                lambda: self.fetch(task_id).snapshot(),
                poller,
                sleep=opts.sleep,
                clock=opts.clock or time.monotonic,
                stop=stop,
            )
        finally:
            if bar is not None:
                bar.close()
        return MjTask.parse(dict(snapshot.raw))

    def wait_many(
        self, ids: Sequence[str], *, options: WaitOptions | None = None, **overrides: Any
    ) -> list[MjTask]:
        """Wait for several tasks with one ``list-by-condition`` call per poll."""
        opts = _options(options, overrides)
        pollers = {i: opts.poller(i, self._client._core.retry)[0] for i in ids}
        snapshots = wait_many_sync(
            lambda pending: _as_tasks(self.list_by_condition(pending)),
            pollers,
            sleep=opts.sleep or time.sleep,
            clock=opts.clock or time.monotonic,
        )
        return [MjTask.parse(dict(s.raw)) for s in snapshots]

    def download(self, task: str | MjTask, path: str | os.PathLike[str]) -> Path:
        """Save the task's image (key-less download of ``imageUrl``)."""
        found = task if isinstance(task, MjTask) else self.fetch(task)
        return _download_result(found.snapshot(), path)


class AsyncMidjourney:
    """The async twin of :class:`Midjourney`."""

    def __init__(self, client: AsyncWenwenClient, path_mode: str | None = None) -> None:
        self._client = client
        self._prefix = mj_prefix(path_mode)

    def with_path_mode(self, path_mode: str | None) -> AsyncMidjourney:
        return AsyncMidjourney(self._client, path_mode)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = _http.json_request(self._client._core, method, self._prefix + path, body)
        response = await self._client._send(request)
        return _http.decode_task_json(response)

    async def _submit(self, action: str, body: dict[str, Any]) -> str:
        return parse_submit(await self._call("POST", f"/submit/{action}", body))[0]

    async def imagine(
        self,
        prompt: str,
        *,
        images: Sequence[ImageInput] | None = None,
        mode: Mode | None = None,
        **extra: Any,
    ) -> str:
        return await self._submit("imagine", imagine_body(prompt, images, mode, extra))

    async def blend(
        self,
        images: Sequence[ImageInput],
        *,
        dimensions: Dimensions = "SQUARE",
        mode: Mode | None = None,
        **extra: Any,
    ) -> str:
        return await self._submit("blend", blend_body(images, dimensions, mode, extra))

    async def action(self, task: str | MjTask, button: str | MjButton, **extra: Any) -> str:
        task_obj = task if isinstance(task, MjTask) else None
        task_id = task.id if isinstance(task, MjTask) else task
        body = action_body(task_id, _button_id(task_obj, button), extra)
        return await self._submit("action", body)

    async def fetch(self, task_id: str) -> MjTask:
        task_id, _ = _id_and_route(task_id, "mj")
        return MjTask.parse(await self._call("GET", task_path("/task/{id}/fetch", task_id)))

    async def list_by_condition(self, ids: Sequence[str]) -> list[MjTask]:
        body = await self._call("POST", "/task/list-by-condition", {"ids": list(ids)})
        return parse_tasks(body)

    async def image_seed(self, task_id: str) -> str:
        body = await self._call("GET", task_path("/task/{id}/image-seed", task_id))
        return parse_submit(body)[0]

    async def wait(
        self, task_id: str, *, options: WaitOptions | None = None, **overrides: Any
    ) -> MjTask:
        opts = _options(options, overrides)
        poller, bar = opts.poller(task_id, self._client._core.retry)

        async def fetch() -> TaskSnapshot:
            return (await self.fetch(task_id)).snapshot()

        try:
            snapshot = await wait_async(
                fetch, poller, sleep=_async_sleep(opts.sleep), clock=opts.clock or time.monotonic
            )
        finally:
            if bar is not None:
                bar.close()
        return MjTask.parse(dict(snapshot.raw))

    async def wait_many(
        self, ids: Sequence[str], *, options: WaitOptions | None = None, **overrides: Any
    ) -> list[MjTask]:
        opts = _options(options, overrides)
        pollers = {i: opts.poller(i, self._client._core.retry)[0] for i in ids}

        async def fetch_many(pending: Sequence[str]) -> dict[str, TaskSnapshot]:
            return _as_tasks(await self.list_by_condition(pending))

        snapshots = await wait_many_async(
            fetch_many, pollers, sleep=_async_sleep(opts.sleep), clock=opts.clock or time.monotonic
        )
        return [MjTask.parse(dict(s.raw)) for s in snapshots]

    async def download(self, task: str | MjTask, path: str | os.PathLike[str]) -> Path:
        found = task if isinstance(task, MjTask) else await self.fetch(task)
        return await _adownload_result(found.snapshot(), path)
