"""The video and Midjourney examples run on the emulator, their waits driving its clock."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import av
import pytest

from tests.tasks.test_midjourney_tasks import decode_png
from wenwen.tasks import WaitOptions
from wenwen_emulator import Emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str) -> dict[str, Any]:
    return runpy.run_path(str(EXAMPLES / name), run_name="example")


def test_video_example(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load("video_generation.py")["run"](
        temu.base_url, temu.api_key, tmp_path, WaitOptions(**drive), patience=10
    )
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("created task_") and lines[0].endswith(": queued")
    assert lines[1].startswith("gave up after the deadline at ") and "resuming by id" in lines[1]
    assert ": completed, saved paper-boat.mp4" in lines[2]
    assert "succeed via kling-image2video, saved dawn-to-dusk.mp4" in lines[3]
    assert lines[4].endswith("failed: content policy")
    assert "100/100" in captured.err  # the progress bars
    for name, frames in (("paper-boat.mp4", 8), ("dawn-to-dusk.mp4", 5)):
        with av.open(str(tmp_path / name)) as container:
            assert len(list(container.decode(video=0))) == frames


def test_midjourney_example(
    temu: Emulator, drive: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load("midjourney.py")["run"](temu.base_url, temu.api_key, tmp_path, WaitOptions(**drive))
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("imagine submitted: task ")
    assert lines[1].endswith("SUCCESS; buttons: U1 U2 U3 U4 🔄 V1 V2 V3 V4")
    assert lines[2].endswith("SUCCESS, saved lighthouse-u2.png")
    assert lines[3].startswith("next buttons: Upscale (Subtle)")
    assert lines[4].startswith("variations: ") and lines[4].count("SUCCESS") == 2
    grid_w, _, _ = decode_png((tmp_path / "grid.png").read_bytes())
    up_w, _, _ = decode_png((tmp_path / "lighthouse-u2.png").read_bytes())
    assert grid_w == 2 * up_w
