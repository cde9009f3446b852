"""A saved video has one size bound whichever route serves it: the relay's content route and a
task's result URL both allow ``MAX_VIDEO_BYTES``; other media keep the download default."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from wenwen import WenwenClient
from wenwen.media.sinks import DEFAULT_MAX_BYTES, MAX_VIDEO_BYTES
from wenwen.tasks import _common
from wenwen.tasks.engine import TaskSnapshot, TaskState


class _Saved:
    def __init__(self, path: Path) -> None:
        self.path = path


def _snapshot() -> TaskSnapshot:
    return TaskSnapshot(
        id="task_1",
        kind="video",
        state=TaskState.SUCCEEDED,
        status="completed",
        result_url="https://cdn.example.com/v.mp4",
    )


@pytest.mark.parametrize(("expect", "bound"), [("video", MAX_VIDEO_BYTES), ("image", None)])
def test_saved_result_bound(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, expect: Any, bound: int | None
) -> None:
    seen: dict[str, Any] = {}

    def fake_download(url: str, dest: Any, *, expect: Any, **options: Any) -> _Saved:
        seen.update(options, url=url)
        return _Saved(tmp_path / "v.mp4")

    async def fake_adownload(url: str, dest: Any, *, expect: Any, **options: Any) -> _Saved:
        return fake_download(url, dest, expect=expect, **options)

    monkeypatch.setattr(_common, "download", fake_download)
    monkeypatch.setattr(_common, "adownload", fake_adownload)
    client = WenwenClient(api_key="sk-test", base_url="http://127.0.0.1:9")
    try:
        _common.download_result(_snapshot(), tmp_path, client, expect)
        assert seen.get("max_bytes") == bound
        seen.clear()
        asyncio.run(_common.adownload_result(_snapshot(), tmp_path, client, expect))
        assert seen.get("max_bytes") == bound
        assert seen["url"] == "https://cdn.example.com/v.mp4"
    finally:
        client.close()


def test_the_video_bound_is_larger_than_the_in_memory_default() -> None:
    assert MAX_VIDEO_BYTES == 10 * DEFAULT_MAX_BYTES
