"""Task progress as LangChain custom events (``on_custom_event`` / ``astream_events``'s
``on_custom_event`` with the name ``wenwen_task_progress``), attached to the tool's run."""

from __future__ import annotations

import asyncio
import inspect
from dataclasses import replace
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManagerForChainRun,
    AsyncCallbackManagerForToolRun,
    CallbackManagerForChainRun,
    CallbackManagerForToolRun,
)

from wenwen.tasks import TaskProgress, WaitOptions
from wenwen.tasks.progress import fan_out

PROGRESS_EVENT = "wenwen_task_progress"


def progress_payload(progress: TaskProgress) -> dict[str, Any]:
    return {
        "task_id": progress.task_id,
        "percent": progress.percent,
        "status": progress.status,
        "state": progress.state.value,
        "elapsed": progress.elapsed,
    }


def sync_wait_options(
    base: WaitOptions, run_manager: CallbackManagerForToolRun | CallbackManagerForChainRun | None
) -> WaitOptions:
    """``base`` plus a progress callback that emits one custom event per change."""
    if run_manager is None:
        return base
    child = run_manager.get_child()

    def emit(progress: TaskProgress) -> None:
        child.on_custom_event(PROGRESS_EVENT, progress_payload(progress), run_id=run_manager.run_id)

    return replace(base, on_progress=fan_out(base.on_progress, emit))


class AsyncProgress:
    """The engine reports progress synchronously; async callback handlers need awaiting, so
    events are queued and sent before each wait and when the wait ends (``flush``)."""

    def __init__(
        self,
        run_manager: AsyncCallbackManagerForToolRun | AsyncCallbackManagerForChainRun | None,
    ) -> None:
        self._run_manager = run_manager
        self._child = run_manager.get_child() if run_manager is not None else None
        self._pending: list[dict[str, Any]] = []

    def options(self, base: WaitOptions) -> WaitOptions:
        if self._child is None:
            return base
        inner = base.sleep

        async def sleep(seconds: float) -> None:
            await self.flush()
            result = inner(seconds) if inner is not None else asyncio.sleep(seconds)
            if inspect.isawaitable(result):
                await result

        return replace(base, on_progress=fan_out(base.on_progress, self._queue), sleep=sleep)

    def _queue(self, progress: TaskProgress) -> None:
        self._pending.append(progress_payload(progress))

    async def flush(self) -> None:
        if self._child is None or self._run_manager is None:
            return
        pending, self._pending = self._pending, []
        for data in pending:
            await self._child.on_custom_event(PROGRESS_EVENT, data, run_id=self._run_manager.run_id)
