"""``WenwenTaskRunnable``: a long video or Midjourney job as a ``Runnable`` that can be resumed
from its task id.

    job = WenwenTaskRunnable(kind="video", model="sora-2", output_dir="out")
    try:
        result = job.invoke("a paper boat on a river")     # {"task_id", "status", "path", ...}
    except TaskTimeoutError as timed_out:                  # the job still runs on the relay
        result = job.invoke({"task_id": timed_out.task_id})

Input: a prompt (``str`` or ``{"prompt": ..., "image": ..., "seconds": ...}``) starts a job;
``{"task_id": ...}`` waits for an existing one (``"route"`` for video routes other than
``/v1/videos``); for Midjourney ``{"task_id": ..., "button": "U2"}`` presses a button first.
Progress goes to the callbacks as ``wenwen_task_progress`` custom events.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any, Literal

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun
from langchain_core.runnables import RunnableConfig, RunnableSerializable
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.client_set import ClientSet
from wenwen.connection import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES
from wenwen.errors import InvalidArgumentError
from wenwen.media.arguments import check_text
from wenwen.media.names import inside, safe_filename
from wenwen.media.uploads import DEFAULT_MAX_UPLOAD_BYTES, FileAccess
from wenwen.tasks import MjTask, TaskSnapshot, WaitOptions
from wenwen.tasks.video import is_url

from ._connection import ClientOwner
from .tools._task_progress import AsyncProgress, sync_wait_options

TaskInput = str | dict[str, Any]
_CREATE_KEYS = ("image", "last_frame", "seconds", "size", "route")


class WenwenTaskRunnable(ClientOwner, RunnableSerializable[TaskInput, dict[str, Any]]):
    """Start or resume a video / Midjourney job and wait for it (see the module docstring)."""

    kind: Literal["video", "midjourney"] = "video"
    model: str = "sora-2"
    """The video model (ignored for Midjourney)."""
    mode: Literal["FAST", "RELAX", "TURBO"] | None = None
    """Midjourney speed."""
    task_timeout: float | None = 900.0
    output_dir: str | None = None
    """Also save the result (``<task id>.mp4`` / ``.png``) here; the output names the path."""
    root_dir: str | Path | list[str | Path] | None = None
    """The folders whose files an input's ``image`` / ``last_frame`` path may name (relative
    paths are taken inside them); ``None``: only ``output_dir``, or no file at all. URLs,
    ``data:`` URLs and bytes need no folder. Anything else is a ``FileAccessError``."""
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    """The largest image file read for upload (checked by ``stat`` before reading)."""
    wait: WaitOptions | None = Field(default=None, exclude=True)
    api_key: SecretStr | None = Field(default_factory=secret_from_env(API_KEY_ENV, default=None))
    base_url: str = Field(default_factory=from_env(BASE_URL_ENV, default=DEFAULT_BASE_URL))
    timeout: float | httpx.Timeout | None = Field(default=120.0, alias="request_timeout")
    max_retries: int = DEFAULT_MAX_RETRIES
    max_retry_wait: float | None = None
    """Seconds one call may spend waiting between retries (default 30)."""
    async_transport: Literal["auto", "httpx", "aiohttp"] = "auto"
    """How async calls are sent: aiohttp when installed (``auto``), or httpx."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    allow_private_hosts: bool | list[str] = False
    """Non-public hosts result downloads may reach besides the relay (README "Security")."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    def _options(self) -> WaitOptions:
        base = self.wait or WaitOptions()
        return WaitOptions(**{**base.__dict__, "timeout": self.task_timeout})

    def _target(self, task_id: str, suffix: str) -> Path | None:
        if self.output_dir is None:
            return None
        # the id comes from the relay: a safe name, checked to land inside output_dir
        return inside(self.output_dir, safe_filename(task_id, default="task") + suffix)

    def _create_args(self, args: dict[str, Any]) -> dict[str, Any]:
        """The create options of an input; image paths are read through the ``root_dir``
        gate here, before any request."""
        options = {k: args[k] for k in _CREATE_KEYS if args.get(k) is not None}
        access = FileAccess.of(
            self.root_dir, output_dir=self.output_dir, max_bytes=self.max_upload_bytes
        )
        for key in ("image", "last_frame"):
            value = options.get(key)
            if isinstance(value, str) and (is_url(value) or value.startswith("data:")):
                continue
            if isinstance(value, str | PathLike):
                options[key] = access.read(value, "image", argument=key).content
        return options

    # --- sync ---------------------------------------------------------------------------

    def invoke(
        self, input: TaskInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self._call_with_config(self._run, input, config, run_type="chain")

    def _run(
        self, input: TaskInput, run_manager: CallbackManagerForChainRun, config: RunnableConfig
    ) -> dict[str, Any]:
        args = _normalise(input)
        client: WenwenClient = self._clients.sync(self._make_client)
        options = sync_wait_options(self._options(), run_manager)
        if self.kind == "midjourney":
            mj = client.midjourney
            task_id = args.get("task_id") or mj.imagine(_prompt(args), mode=self.mode)
            if args.get("button"):
                task_id = mj.action(mj.fetch(task_id), args["button"])
            task = mj.wait(task_id, options=options)
            path = self._target(task.id, ".png")
            return _mj_result(task, mj.download(task, path=path) if path else None)
        videos = client.videos
        started: str | TaskSnapshot = args.get("task_id") or videos.create(
            prompt=_prompt(args), model=self.model, **self._create_args(args)
        )
        done = videos.wait(started, route=args.get("route"), options=options)
        path = self._target(done.id, ".mp4")
        return _video_result(done, videos.download(done, path=path) if path else None)

    # --- async --------------------------------------------------------------------------

    async def ainvoke(
        self, input: TaskInput, config: RunnableConfig | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return await self._acall_with_config(self._arun, input, config, run_type="chain")

    async def _arun(
        self,
        input: TaskInput,
        run_manager: AsyncCallbackManagerForChainRun,
        config: RunnableConfig,
    ) -> dict[str, Any]:
        args = _normalise(input)
        client: AsyncWenwenClient = await self._clients.for_running_loop(self._make_async_client)
        progress = AsyncProgress(run_manager)
        options = progress.options(self._options())
        try:
            if self.kind == "midjourney":
                mj = client.midjourney
                task_id = args.get("task_id") or await mj.imagine(_prompt(args), mode=self.mode)
                if args.get("button"):
                    task_id = await mj.action(await mj.fetch(task_id), args["button"])
                task = await mj.wait(task_id, options=options)
                path = self._target(task.id, ".png")
                return _mj_result(task, await mj.download(task, path=path) if path else None)
            videos = client.videos
            started: str | TaskSnapshot = args.get("task_id") or await videos.create(
                prompt=_prompt(args), model=self.model, **self._create_args(args)
            )
            done = await videos.wait(started, route=args.get("route"), options=options)
            path = self._target(done.id, ".mp4")
            return _video_result(done, await videos.download(done, path=path) if path else None)
        finally:
            await progress.flush()


_INPUT_KEYS = frozenset({"prompt", "task_id", "route", "button", *_CREATE_KEYS})


def _normalise(input: TaskInput) -> dict[str, Any]:
    """The input as a dict of known keys (an unknown or misspelt key is an error, not
    ignored); ``prompt`` and ``button`` are checked for type and encodable text."""
    if isinstance(input, str):
        input = {"prompt": input}
    if not isinstance(input, dict):
        raise InvalidArgumentError(
            f"task input must be a prompt or a dict, got {type(input).__name__}", argument="input"
        )
    unknown = sorted(str(k) for k in input if k not in _INPUT_KEYS)
    if unknown:
        raise InvalidArgumentError(
            f"unknown task input key(s) {unknown}; known: {sorted(_INPUT_KEYS)}",
            argument=unknown[0],
        )
    check_text(input.get("prompt"), "prompt", required=False)
    check_text(input.get("button"), "button", required=False)
    return dict(input)


def _prompt(args: dict[str, Any]) -> str:
    prompt = args.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidArgumentError(
            "give a 'prompt' to start a job or a 'task_id' to resume one", argument="prompt"
        )
    return prompt


def _video_result(done: TaskSnapshot, path: Path | None) -> dict[str, Any]:
    return {
        "kind": "video",
        "task_id": done.id,
        "route": done.route,
        "status": done.status,
        "result_url": done.result_url,
        "path": str(path) if path else None,
    }


def _mj_result(task: MjTask, path: Path | None) -> dict[str, Any]:
    return {
        "kind": "midjourney",
        "task_id": task.id,
        "action": task.action,
        "status": task.status,
        "result_url": task.image_url,
        "buttons": [b.name for b in task.buttons],
        "path": str(path) if path else None,
    }
