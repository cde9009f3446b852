"""What the video and Midjourney tool groups share: the wait options and progress reported as
a LlamaIndex instrumentation event (``WenwenTaskProgressEvent``), which any event handler on
the root dispatcher (or this module's) receives."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.events import BaseEvent

from wenwen.tasks import TaskProgress, WaitOptions
from wenwen.tasks.progress import fan_out

dispatcher = get_dispatcher(__name__)


class WenwenTaskProgressEvent(BaseEvent):
    """A long task moved: ``percent`` 0-100 and the relay's ``status`` word."""

    task_id: str
    percent: float
    status: str
    state: str
    elapsed: float

    @classmethod
    def class_name(cls) -> str:
        return "WenwenTaskProgressEvent"


def _emit(progress: TaskProgress) -> None:
    dispatcher.event(
        WenwenTaskProgressEvent(
            task_id=progress.task_id,
            percent=progress.percent,
            status=progress.status,
            state=progress.state.value,
            elapsed=progress.elapsed,
        )
    )


def wait_options(options: dict[str, Any]) -> WaitOptions:
    """The group's ``task_wait`` (a ``WaitOptions``) with ``task_timeout`` and the events."""
    base = options.get("task_wait") or WaitOptions()
    return replace(
        base, timeout=options["task_timeout"], on_progress=fan_out(base.on_progress, _emit)
    )
