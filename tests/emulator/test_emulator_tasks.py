"""The emulator's task machinery on its own: the clock, the MP4 and PNG bytes, the control
endpoints and ``--time-scale``."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import av
import httpx
import mutagen.mp4
import pytest

from wenwen_emulator import Emulator
from wenwen_emulator.clock import EmulatorClock
from wenwen_emulator.mj_images import crop_png, grid_png
from wenwen_emulator.mp4 import tiny_mp4
from wenwen_emulator.png import decode_png

REPO = Path(__file__).resolve().parents[2]


class FakeWall:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_clock_scales_wall_time_and_advances_by_hand() -> None:
    wall = FakeWall()
    clock = EmulatorClock(60, wall=wall, epoch=1000.0)
    assert clock.now() == 1000.0
    wall.t += 2
    assert clock.now() == 1120.0
    assert clock.advance(30) == 1150.0
    clock.time_scale = 0
    wall.t += 50
    assert clock.now() == 1150.0
    clock.reset()
    wall.t += 1
    assert clock.now() == 1210.0 and clock.time_scale == 60
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        EmulatorClock(-1)


@pytest.mark.parametrize(("seconds", "size"), [(1, (64, 36)), (12, (36, 64))])
def test_tiny_mp4_is_a_real_video(seconds: int, size: tuple[int, int]) -> None:
    data = tiny_mp4("a heron", seconds=seconds, width=size[0], height=size[1])
    assert data[4:8] == b"ftyp" and data.index(b"moov") < data.index(b"mdat")
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == size
        frames = list(container.decode(video=0))
    assert len(frames) == seconds
    assert frames[0].to_ndarray().shape == (size[1], size[0], 3)
    info = mutagen.mp4.MP4(io.BytesIO(data)).info
    assert info.length == pytest.approx(seconds)
    assert tiny_mp4("a heron", seconds=2) == tiny_mp4("a heron", seconds=2)
    assert tiny_mp4("a heron", seconds=2) != tiny_mp4("an egret", seconds=2)


@pytest.mark.parametrize("dimensions", ["SQUARE", "PORTRAIT", "LANDSCAPE"])
def test_upscales_are_crops_of_the_grid(dimensions: str) -> None:
    width, height, _, rows = decode_png(grid_png("seed", dimensions))
    w, h = width // 2, height // 2
    tiles = []
    for index in range(1, 5):
        cw, ch, _, crop = decode_png(crop_png("seed", dimensions, index))
        assert (cw, ch) == (w, h)
        left, top = ((index - 1) % 2) * w, ((index - 1) // 2) * h
        assert crop == [row[left * 3 : (left + w) * 3] for row in rows[top : top + h]]
        tiles.append(crop)
    assert len({b"".join(t) for t in tiles}) == 4  # four different pictures
    big = decode_png(crop_png("seed", dimensions, 1, scale=2))
    assert (big[0], big[1]) == (2 * w, 2 * h)


def test_control_endpoints_drive_tasks(emu: Emulator) -> None:
    emu.clock.time_scale = 0
    auth = {"Authorization": f"Bearer {emu.api_key}"}
    with httpx.Client(base_url=emu.base_url, headers=auth) as http:
        assert http.post("/_emulator/tasks/fail", json={"reason": "quota"}).json()["ok"]
        job = http.post("/v1/videos", json={"prompt": "x", "seconds": "4"}).json()
        assert http.post("/_emulator/clock/advance", json={"seconds": 60}).json()["ok"]
        failed = http.get(f"/v1/videos/{job['id']}").json()
        assert failed["status"] == "failed" and failed["error"]["message"] == "quota"
        assert http.post("/_emulator/tasks/mj-code", json={"code": 23}).json()["ok"]
        assert http.post("/mj/submit/imagine", json={"prompt": "x"}).json()["code"] == 23
        bad = http.post("/_emulator/clock/advance", json={"seconds": -1})
        assert bad.status_code == 400
        missing = http.get("/v1/videos/task_missing")
        assert missing.status_code == 404 and missing.json()["data"] is None
        assert http.get("/v1/videos/task_missing/content").status_code == 404
        early = http.post("/v1/videos", json={"prompt": "y"}).json()
        not_ready = http.get(f"/v1/videos/{early['id']}/content")
        assert not_ready.status_code == 400 and not_ready.json()["code"] == "task_not_completed"
        assert http.post("/v1/videos", json={"prompt": "y", "size": "1x1"}).status_code == 400
        assert http.post("/v1/videos", json={"prompt": "y", "seconds": "5"}).status_code == 400
    emu.reset()
    assert emu.state.tasks.jobs == {} and emu.clock.time_scale == 1


def test_cli_time_scale() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "wenwen_emulator", "--port", "0", "--time-scale", "10000000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip().split(" on ", 1)[1]
        auth = {"Authorization": "Bearer sk-emulator"}
        with httpx.Client(base_url=base, headers=auth, timeout=5) as http:
            job = http.post("/v1/videos", json={"prompt": "fast", "seconds": "4"}).json()
            # 22 emulated seconds pass in 2.2 microseconds of wall time at this scale
            assert http.get(f"/v1/videos/{job['id']}").json()["status"] == "completed"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
