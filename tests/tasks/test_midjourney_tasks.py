"""Midjourney end to end against the emulator: imagine → U2 → upscale follow-ups, the
buttons and submit codes as the relay reports them, and real PNG crops on disk."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from wenwen import TaskFailedError, WenwenClient
from wenwen.errors import BadRequestError, ConfigurationError
from wenwen.tasks import (
    BannedPromptError,
    MidjourneyError,
    MidjourneyQueueFullError,
    MjTask,
)
from wenwen.tasks.midjourney import parse_submit
from wenwen_emulator import Emulator

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a90000000049454e44ae426082"
)


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG with filter 0 (what the emulator
    writes); enough to compare pixels without an imaging library."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * 3 + 1
    rows = [raw[y * stride : (y + 1) * stride] for y in range(height)]
    assert all(r[0] == 0 for r in rows)
    return width, height, [r[1:] for r in rows]


# research/relay-and-wire.md §6.2: the task object as new-api's MidjourneyDto serialises it
TASK_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "action": str, "customId": str, "botType": str, "prompt": str, "promptEn": str,
    "description": str, "state": str, "submitTime": int, "startTime": int, "finishTime": int,
    "imageUrl": str, "videoUrl": str, "videoUrls": list, "status": str, "progress": str,
    "failReason": (str, type(None)), "buttons": list, "maskBase64": str, "properties": dict,
}  # fmt: skip
STATUSES = {"", "NOT_START", "SUBMITTED", "MODAL", "IN_PROGRESS", "FAILURE", "SUCCESS", "CANCEL"}
ACTIONS = {"IMAGINE", "UPSCALE", "VARIATION", "REROLL", "DESCRIBE", "BLEND", "ZOOM", "PAN",
           "LOW_VARIATION", "HIGH_VARIATION"}  # fmt: skip
CUSTOM_ID = re.compile(
    r"^MJ::(JOB::(upsample|variation|reroll|upsample_v6_2x_subtle|upsample_v6_2x_creative"
    r"|low_variation|high_variation|pan_left|pan_right|pan_up|pan_down)::\d::[0-9a-f-]{36}"
    r"(::SOLO)?|Outpaint::\d+::\d::[0-9a-f-]{36}::SOLO|CustomZoom::[0-9a-f-]{36})$"
)


def check_task_object(obj: dict[str, Any]) -> None:
    assert set(obj) == set(TASK_FIELDS), set(obj) ^ set(TASK_FIELDS)
    for name, kind in TASK_FIELDS.items():
        assert isinstance(obj[name], kind), (name, obj[name])
    assert obj["id"].isdigit() and obj["status"] in STATUSES and obj["action"] in ACTIONS
    assert re.fullmatch(r"(\d{1,3}%)?", obj["progress"])
    assert set(obj["properties"]) == {"finalPrompt", "finalZhPrompt"}
    for button in obj["buttons"]:
        assert set(button) == {"customId", "emoji", "label", "type", "style"}
        assert button["type"] == 2 and button["style"] == 2
        assert CUSTOM_ID.match(button["customId"]), button["customId"]


def check_submit(body: dict[str, Any]) -> None:
    assert set(body) == {"code", "description", "properties", "result"}
    assert isinstance(body["code"], int) and isinstance(body["description"], str)
    assert isinstance(body["properties"], dict)


def test_imagine_then_upscale_with_real_crops(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    mj = sync_client.midjourney
    progress: list[str] = []
    task_id = mj.imagine("a lighthouse at dawn", mode="FAST", images=[PNG_1PX])
    assert isinstance(task_id, str) and task_id.isdigit()
    sent = temu.requests[-1].json
    assert sent["mode"] == "FAST" and sent["base64Array"][0].startswith("data:image/png;base64,")
    assert mj.fetch(task_id).status == ""  # new-api before its poller ran
    grid = mj.wait(task_id, on_progress=lambda p: progress.append(p.status), **drive)
    assert grid.status == "SUCCESS" and grid.progress == "100%"
    assert progress[0] == "" and "IN_PROGRESS" in progress and progress[-1] == "SUCCESS"
    assert [b.name for b in grid.buttons] == ["U1", "U2", "U3", "U4", "🔄", "V1", "V2", "V3", "V4"]
    assert grid.button("U2").kind == "upscale" and grid.button("U2").index == 2
    assert grid.button("reroll").kind == "reroll" and grid.button("reroll").index is None

    upscaled = mj.wait(mj.action(grid, "U2"), **drive)
    assert upscaled.action == "UPSCALE" and upscaled.custom_id == grid.button("U2").custom_id
    labels = [b.name for b in upscaled.buttons]
    assert "Upscale (Subtle)" in labels and "Vary (Strong)" in labels and "⬅️" in labels
    assert {b.kind for b in upscaled.buttons} >= {"upscale", "variation", "zoom", "pan"}
    assert not set(b.custom_id for b in upscaled.buttons) & set(b.custom_id for b in grid.buttons)

    grid_path = mj.download(grid, path=tmp_path / "grid.png")
    up_path = mj.download(upscaled, path=tmp_path / "u2.png")
    assert "authorization" not in temu.requests[-1].headers
    gw, gh, grid_rows = decode_png(grid_path.read_bytes())
    uw, uh, up_rows = decode_png(up_path.read_bytes())
    assert (uw * 2, uh * 2) == (gw, gh)
    right_half = [row[uw * 3 :] for row in grid_rows[:uh]]  # U2 = top right
    assert up_rows == right_half
    left_half = [row[: uw * 3] for row in grid_rows[:uh]]
    assert up_rows != left_half


def test_follow_ups_change_buttons_and_zoom_or_vary_give_new_grids(
    sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    mj = sync_client.midjourney
    grid = mj.wait(mj.imagine("an owl"), **drive)
    up = mj.wait(mj.action(grid, "U1"), **drive)
    bigger = mj.wait(mj.action(up, "Upscale (Subtle)"), **drive)
    assert bigger.action == "UPSCALE"
    zoomed = mj.wait(mj.action(up, "Zoom Out 2x"), **drive)
    assert zoomed.action == "ZOOM" and zoomed.button("U1")
    varied = mj.wait(mj.action(grid, grid.button("V3")), **drive)
    assert varied.action == "VARIATION" and len(varied.buttons) == 9
    rerolled = mj.wait(mj.action(grid.id, grid.button("reroll").custom_id), **drive)
    assert rerolled.action == "REROLL"


def test_submit_codes(temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]) -> None:
    mj = sync_client.midjourney
    grid = mj.wait(mj.imagine("a red fox"), **drive)
    first = mj.action(grid, "U3")
    again = mj.action(grid, "U3")  # code 21: the task exists; same id back
    assert again == first
    temu.mj_submit_code(22)
    queued = mj.imagine("a blue fox")  # 22 is an accepted submit
    assert mj.fetch(queued).id == queued
    temu.mj_submit_code(23)
    with pytest.raises(MidjourneyQueueFullError) as full:
        mj.imagine("a green fox")
    assert full.value.retryable and full.value.code == 23
    with pytest.raises(BannedPromptError) as banned:
        mj.imagine("a scene full of gore")
    assert banned.value.banned_word == "gore" and "gore" in str(banned.value)
    temu.mj_submit_code(9)
    with pytest.raises(MidjourneyError, match="code 9") as other:
        mj.imagine("a grey fox")
    assert not other.value.retryable


def test_submit_replies_and_task_objects_match_the_proxy_schema(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    mj = sync_client.midjourney
    task_id = mj.imagine("a koi pond")
    raw = sync_client.request_json("GET", f"/mj/task/{task_id}/fetch")
    check_task_object(raw)
    grid = mj.wait(task_id, **drive)
    check_task_object(sync_client.request_json("GET", f"/mj/task/{grid.id}/fetch"))
    body = sync_client.request_json(
        "POST", "/mj/submit/action", {"taskId": grid.id, "customId": grid.buttons[0].custom_id}
    )
    check_submit(body)
    assert body["code"] == 1 and isinstance(body["result"], str)
    up = mj.wait(body["result"], **drive)
    check_task_object(sync_client.request_json("GET", f"/mj/task/{up.id}/fetch"))
    listed = sync_client.request_json("POST", "/mj/task/list-by-condition", {"ids": [up.id, "1"]})
    assert isinstance(listed, list) and [t["id"] for t in listed] == [up.id]
    seed = sync_client.request_json("GET", f"/mj/task/{up.id}/image-seed")
    check_submit(seed)
    assert mj.image_seed(up.id) == seed["result"] and seed["result"].isdigit()


def test_numeric_ids_from_the_relay_become_strings() -> None:
    assert parse_submit({"code": 1, "description": "提交成功", "result": 1320098173412546})[0] == (
        "1320098173412546"
    )
    assert MjTask.parse({"id": 1730621826053455, "status": "SUCCESS", "failReason": None}).id == (
        "1730621826053455"
    )


def test_blend_wait_many_and_path_mode(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    fast = sync_client.midjourney.with_path_mode("mj-fast")
    blended = fast.blend([PNG_1PX, PNG_1PX], dimensions="PORTRAIT")
    assert temu.requests[-1].path == "/mj-fast/mj/submit/blend"
    other = fast.imagine("a mountain")
    before = len(temu.requests)
    done = fast.wait_many([blended, other], **drive)
    polls = [r.path for r in temu.requests[before:]]
    assert set(polls) == {"/mj-fast/mj/task/list-by-condition"}
    assert [t.id for t in done] == [blended, other]
    assert done[0].action == "BLEND" and all(t.status == "SUCCESS" for t in done)
    with pytest.raises(ConfigurationError, match="2 to 5"):
        fast.blend([PNG_1PX])
    with pytest.raises(ConfigurationError):
        sync_client.midjourney.with_path_mode("../x")


def test_failure_unknown_task_and_bad_buttons(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    mj = sync_client.midjourney
    with pytest.raises(TaskFailedError) as caught:
        mj.wait(mj.imagine("a castle [fail: job action restricted]"), **drive)
    assert caught.value.reason == "job action restricted"
    assert caught.value.task.status == "FAILURE"
    with pytest.raises(BadRequestError, match="task_no_found"):
        mj.fetch("404404")
    grid = mj.wait(mj.imagine("a tree"), **drive)
    with pytest.raises(ConfigurationError, match="no button 'U9'"):
        mj.action(grid, "U9")
    with pytest.raises(MidjourneyError, match="customId not found"):
        mj.action(grid.id, "MJ::JOB::upsample::1::00000000-0000-0000-0000-000000000000")


async def test_async_midjourney(make_async: Any, drive: dict[str, Any], tmp_path: Path) -> None:
    async with make_async() as client:
        mj = client.midjourney
        grid = await mj.wait(await mj.imagine("a comet"), **drive)
        up = await mj.wait(await mj.action(grid, "U4"), **drive)
        path = await mj.download(up, path=tmp_path / "comet.png")
        assert decode_png(path.read_bytes())[0] == 64
        many = await mj.wait_many([grid.id, up.id], **drive)
        assert [t.id for t in many] == [grid.id, up.id]
        assert (await mj.list_by_condition([up.id]))[0].action == "UPSCALE"
        assert (await mj.image_seed(up.id)).isdigit()
