"""``client.midjourney`` (sync) and ``AsyncWenwenClient.midjourney``: only I/O; the decisions
live in ``midjourney`` and the engine."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._http.call import UNSET
from ..errors import ConfigurationError
from ..media._keyword_only import keyword_only
from . import _calls
from ._common import (
    WaitOptions,
    adownload_result,
    afetch_result,
    as_async_sleep,
    download_result,
    fetch_result,
    id_and_route,
    merge_options,
    polling,
)
from .engine import TaskSnapshot, wait_async, wait_many_async, wait_many_sync, wait_sync
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
from .video import ImageInput, task_path

if TYPE_CHECKING:
    from .._http.api import AsyncRequestClient, RequestClient


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

    def __init__(self, client: RequestClient, path_mode: str | None = None) -> None:
        self._client = client
        self._prefix = mj_prefix(path_mode)

    def with_path_mode(self, path_mode: str | None) -> Midjourney:
        return Midjourney(self._client, path_mode)

    def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        budget: float | None = None,
    ) -> Any:
        reply = self._client.send(
            _calls.json_request(method, self._prefix + path, body),
            total_timeout=UNSET if budget is None else budget,
        )
        return _calls.decode_task_json(reply.status_code, reply.content)

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

    def fetch(self, task_id: str, *, total_timeout: float | None = None) -> MjTask:
        """One status read (``total_timeout`` bounds it; default: the client's)."""
        task_id, _ = id_and_route(task_id, "mj")
        path = task_path("/task/{id}/fetch", task_id)
        return MjTask.parse(self._call("GET", path, budget=total_timeout), expected_id=task_id)

    def list_by_condition(self, ids: Sequence[str]) -> list[MjTask]:
        return parse_tasks(self._call("POST", "/task/list-by-condition", {"ids": list(ids)}))

    def image_seed(self, task_id: str) -> str:
        return parse_submit(self._call("GET", task_path("/task/{id}/image-seed", task_id)))[0]

    def wait(
        self, task_id: str, *, stop: threading.Event | None = None,
        options: WaitOptions | None = None, **overrides: Any,
    ) -> MjTask:  # fmt: skip
        with polling(task_id, self._client.retry_policy, options, overrides) as (opts, poller):
            clock = opts.clock or time.monotonic
            fetch = _calls.bounded_poll(
                lambda budget: self.fetch(task_id, total_timeout=budget).snapshot(), poller, clock
            )
            snapshot = wait_sync(fetch, poller, sleep=opts.sleep, clock=clock, stop=stop)
        return MjTask.parse(dict(snapshot.raw))

    def wait_many(
        self, ids: Sequence[str], *, options: WaitOptions | None = None, **overrides: Any
    ) -> list[MjTask]:
        """Wait for several tasks with one ``list-by-condition`` call per poll."""
        opts = merge_options(options, overrides)
        pollers = {i: opts.poller(i, self._client.retry_policy)[0] for i in ids}
        snapshots = wait_many_sync(
            lambda pending: _as_tasks(self.list_by_condition(pending)),
            pollers,
            sleep=opts.sleep or time.sleep,
            clock=opts.clock or time.monotonic,
        )
        return [MjTask.parse(dict(s.raw)) for s in snapshots]

    def image(self, task: str | MjTask) -> bytes:
        """The task's image bytes (key-less download of ``imageUrl``)."""
        found = task if isinstance(task, MjTask) else self.fetch(task)
        return fetch_result(found.snapshot(), self._client, "image")

    def download(
        self,
        task: str | MjTask,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
    ) -> Path:
        """Save the task's image (key-less download of ``imageUrl``) to ``path``."""
        path = keyword_only("midjourney.download", "path", path, legacy)
        found = task if isinstance(task, MjTask) else self.fetch(task)
        return download_result(found.snapshot(), path, self._client, "image")


class AsyncMidjourney:
    """The async twin of :class:`Midjourney`."""

    def __init__(self, client: AsyncRequestClient, path_mode: str | None = None) -> None:
        self._client = client
        self._prefix = mj_prefix(path_mode)

    def with_path_mode(self, path_mode: str | None) -> AsyncMidjourney:
        return AsyncMidjourney(self._client, path_mode)

    async def _call(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        budget: float | None = None,
    ) -> Any:
        reply = await self._client.send(
            _calls.json_request(method, self._prefix + path, body),
            total_timeout=UNSET if budget is None else budget,
        )
        return _calls.decode_task_json(reply.status_code, reply.content)

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

    async def fetch(self, task_id: str, *, total_timeout: float | None = None) -> MjTask:
        task_id, _ = id_and_route(task_id, "mj")
        path = task_path("/task/{id}/fetch", task_id)
        body = await self._call("GET", path, budget=total_timeout)
        return MjTask.parse(body, expected_id=task_id)

    async def list_by_condition(self, ids: Sequence[str]) -> list[MjTask]:
        body = await self._call("POST", "/task/list-by-condition", {"ids": list(ids)})
        return parse_tasks(body)

    async def image_seed(self, task_id: str) -> str:
        body = await self._call("GET", task_path("/task/{id}/image-seed", task_id))
        return parse_submit(body)[0]

    async def wait(
        self, task_id: str, *, options: WaitOptions | None = None, **overrides: Any
    ) -> MjTask:
        async def fetch(budget: float | None) -> TaskSnapshot:
            return (await self.fetch(task_id, total_timeout=budget)).snapshot()

        with polling(task_id, self._client.retry_policy, options, overrides) as (opts, poller):
            clock = opts.clock or time.monotonic
            snapshot = await wait_async(
                _calls.abounded_poll(fetch, poller, clock),
                poller,
                sleep=as_async_sleep(opts.sleep),
                clock=clock,
            )
        return MjTask.parse(dict(snapshot.raw))

    async def wait_many(
        self, ids: Sequence[str], *, options: WaitOptions | None = None, **overrides: Any
    ) -> list[MjTask]:
        opts = merge_options(options, overrides)
        pollers = {i: opts.poller(i, self._client.retry_policy)[0] for i in ids}

        async def fetch_many(pending: Sequence[str]) -> dict[str, TaskSnapshot]:
            return _as_tasks(await self.list_by_condition(pending))

        snapshots = await wait_many_async(
            fetch_many,
            pollers,
            sleep=as_async_sleep(opts.sleep),
            clock=opts.clock or time.monotonic,
        )
        return [MjTask.parse(dict(s.raw)) for s in snapshots]

    async def image(self, task: str | MjTask) -> bytes:
        found = task if isinstance(task, MjTask) else await self.fetch(task)
        return await afetch_result(found.snapshot(), self._client, "image")

    async def download(
        self,
        task: str | MjTask,
        *legacy: str | os.PathLike[str],
        path: str | os.PathLike[str] | None = None,
    ) -> Path:
        path = keyword_only("midjourney.download", "path", path, legacy)
        found = task if isinstance(task, MjTask) else await self.fetch(task)
        return await adownload_result(found.snapshot(), path, self._client, "image")
