"""What the task resources share: wait options, id/route handling, result fetching."""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._http.transport import RetryPolicy
from ..errors import ConfigurationError, InvalidArgumentError
from ..media.arguments import check_number
from ..media.content import MediaKind
from ..media.download import (
    DownloadOptions,
    adownload,
    client_download_options,
    download,
)
from ..media.names import check_id
from ..media.sinks import MAX_VIDEO_BYTES
from .engine import PollPolicy, ProgressCallback, TaskPoller, TaskSnapshot
from .progress import ProgressBar, fan_out

if TYPE_CHECKING:
    from typing import TypeAlias

    from .._http.api import AnyRequestClient

    Client: TypeAlias = AnyRequestClient

MAX_WAIT_SECONDS = 30 * 24 * 3600.0


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

    def __post_init__(self) -> None:
        check_number(self.timeout, "timeout", low=0, high=MAX_WAIT_SECONDS)

    def poller(self, task_id: str, retry: RetryPolicy) -> tuple[TaskPoller, ProgressBar | None]:
        """A poller for ``task_id`` (and the bar it draws on, to close when the wait ends)."""
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


def merge_options(options: WaitOptions | None, overrides: Mapping[str, Any]) -> WaitOptions:
    base = options or WaitOptions()
    unknown = sorted(set(overrides) - set(WaitOptions.__dataclass_fields__))
    if unknown:
        raise InvalidArgumentError(
            f"unknown wait option(s) {unknown}; known: {sorted(WaitOptions.__dataclass_fields__)}",
            argument=unknown[0],
        )
    if overrides:
        base = WaitOptions(**{**base.__dict__, **overrides})
    return base


@contextmanager
def polling(
    task_id: str, retry: RetryPolicy, options: WaitOptions | None, overrides: Mapping[str, Any]
) -> Iterator[tuple[WaitOptions, TaskPoller]]:
    """The options and poller of one wait (sync or async); closes its progress bar after."""
    opts = merge_options(options, overrides)
    poller, bar = opts.poller(task_id, retry)
    try:
        yield opts, poller
    finally:
        if bar is not None:
            bar.close()


def id_and_route(task: str | TaskSnapshot, route: str | None) -> tuple[str, str]:
    """The task's id (checked: it goes into relay paths and file names) and route name."""
    if isinstance(task, TaskSnapshot):
        return check_id(task.id), route or task.route or "openai"
    return check_id(task), route or "openai"


def as_async_sleep(sleep: Callable[[float], Any] | None) -> Callable[[float], Awaitable[Any]]:
    """An injected sleep may be sync (e.g. advancing a test clock) or async."""
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


def result_url(snapshot: TaskSnapshot) -> str:
    if not snapshot.result_url:
        raise ConfigurationError(
            f"task {snapshot.id} has no result URL yet (status {snapshot.status!r}); wait first"
        )
    return snapshot.result_url


def fetch_result(snapshot: TaskSnapshot, client: Client, expect: MediaKind) -> bytes:
    """The result URL's bytes (key-less; only addresses ``client`` may reach; ``expect``ed
    media only)."""
    options = client_download_options(client)
    content = download(result_url(snapshot), expect=expect, **options).content
    assert content is not None
    return content


async def afetch_result(snapshot: TaskSnapshot, client: Client, expect: MediaKind) -> bytes:
    options = client_download_options(client)
    content = (await adownload(result_url(snapshot), expect=expect, **options)).content
    assert content is not None
    return content


def _saved_bound(options: DownloadOptions, expect: MediaKind) -> DownloadOptions:
    """A saved video gets one bound on every route (the content route streams to disk under
    ``MAX_VIDEO_BYTES`` too)."""
    if expect == "video":
        return {**options, "max_bytes": MAX_VIDEO_BYTES}
    return options


def download_result(
    snapshot: TaskSnapshot, path: str | os.PathLike[str], client: Client, expect: MediaKind
) -> Path:
    options = client_download_options(client)
    saved = download(
        result_url(snapshot), path, expect=expect, **_saved_bound(options, expect)
    ).path
    assert saved is not None
    return saved


async def adownload_result(
    snapshot: TaskSnapshot, path: str | os.PathLike[str], client: Client, expect: MediaKind
) -> Path:
    options = client_download_options(client)
    saved = (
        await adownload(result_url(snapshot), path, expect=expect, **_saved_bound(options, expect))
    ).path
    assert saved is not None
    return saved
