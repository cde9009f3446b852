"""Video jobs end to end against the emulator: create, wait with progress, resume by id,
cancel, fail, and real MP4 bytes on disk (opened by PyAV and mutagen)."""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path
from typing import Any

import av
import mutagen.mp4
import pytest

from wenwen import TaskCancelledError, TaskFailedError, TaskTimeoutError, WenwenClient
from wenwen.errors import ConfigurationError, InternalServerError
from wenwen.tasks import VIDEO_ROUTES, TaskProgress, TaskState
from wenwen_emulator import Emulator

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a90000000049454e44ae426082"
)


def assert_real_mp4(path: Path, seconds: int) -> None:
    data = path.read_bytes()
    assert data[4:8] == b"ftyp" and b"moov" in data and b"mdat" in data
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    assert len(frames) == seconds and frames[0].width > 0
    assert mutagen.mp4.MP4(io.BytesIO(data)).info.length == pytest.approx(seconds)


def test_text_to_video_with_progress_and_download(
    sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    seen: list[TaskProgress] = []
    job = sync_client.videos.create(prompt="a cat dancing on grass", model="sora-2", seconds=4)
    assert job.status == "queued" and job.id.startswith("task_") and job.route == "openai"
    done = sync_client.videos.wait(job.id, on_progress=seen.append, **drive)
    assert done.state is TaskState.SUCCEEDED and done.raw["progress"] == 100
    percents = [p.percent for p in seen]
    assert percents == sorted(percents) and percents[-1] == 100 and len(percents) > 3
    path = sync_client.videos.download(done, path=tmp_path / "cat.mp4")
    assert_real_mp4(path, 4)
    into_dir = sync_client.videos.download(done.id, path=tmp_path)
    assert into_dir == tmp_path / f"{done.id}.mp4" and into_dir.read_bytes() == path.read_bytes()


def test_image_to_video_uploads_the_reference_as_multipart(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    image = tmp_path / "ref.png"
    image.write_bytes(PNG_1PX)
    job = sync_client.videos.create(prompt="make it move", image=image, seconds=8)
    sent = temu.requests[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert PNG_1PX in sent.body and b'name="input_reference"' in sent.body
    done = sync_client.videos.wait(job, **drive)
    moving = sync_client.videos.download(done, path=tmp_path / "moving.mp4")
    assert_real_mp4(moving, 8)
    plain = sync_client.videos.wait(
        sync_client.videos.create(prompt="make it move", seconds=8), **drive
    )
    # the frames follow the input image, not only the prompt
    assert sync_client.videos.content(plain) != moving.read_bytes()


def test_generate_is_create_wait_download(
    sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    from wenwen.tasks import WaitOptions

    out = sync_client.videos.generate(
        "waves", path=tmp_path / "v.mp4", model="veo3", options=WaitOptions(**drive)
    )
    assert out.task.status == "completed" and out.path.stat().st_size > 1000


@pytest.mark.parametrize("first_last", [False, True])
def test_kling_jobs_query_their_own_route_and_download_key_less(
    temu: Emulator,
    sync_client: WenwenClient,
    drive: dict[str, Any],
    tmp_path: Path,
    first_last: bool,
) -> None:
    if first_last:
        job = sync_client.videos.create(
            prompt="from dawn to dusk", model="kling-v1", image=PNG_1PX, last_frame=PNG_1PX,
            seconds=5,
        )  # fmt: skip
        body = temu.requests[-1].json
        assert temu.requests[-1].path == "/kling/v1/videos/image2video"
        assert body["image"] and body["image_tail"] and not body["image"].startswith("data:")
    else:
        job = sync_client.videos.create(prompt="a dog surfing", model="kling-v1", seconds=5)
        assert temu.requests[-1].path == "/kling/v1/videos/text2video"
    assert job.status == "submitted" and job.route.startswith("kling")
    done = sync_client.videos.wait(job, **drive)
    assert done.status == "succeed" and done.result_url
    path = sync_client.videos.download(done, path=tmp_path / "k.mp4")
    assert_real_mp4(path, 5)
    download = temu.requests[-1]
    assert download.path.startswith("/files/") and "authorization" not in download.headers


def test_new_api_task_route_reads_any_job_by_id(
    sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    job = sync_client.videos.create(prompt="clouds", seconds=4)
    snap = sync_client.videos.retrieve(job.id, route="task")
    assert snap.raw["data"]["status"] == "QUEUED" and snap.progress == 0
    done = sync_client.videos.wait(job.id, route="task", **drive)
    assert done.raw["data"]["progress"] == "100%" and done.result_url


def test_resume_after_timeout_from_the_id_alone(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    job = sync_client.videos.create(prompt="a slow sunrise", seconds=12)
    with pytest.raises(TaskTimeoutError) as caught:
        sync_client.videos.wait(job.id, timeout=10, **drive)
    assert caught.value.task_id == job.id and caught.value.task.status == "in_progress"
    with WenwenClient(api_key=temu.api_key, base_url=temu.base_url) as other:
        done = other.videos.wait(caught.value.task_id, **drive)
    assert done.status == "completed"


def test_failed_job_raises_with_the_reason_and_last_snapshot(
    temu: Emulator, sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    job = sync_client.videos.create(prompt="a storm [fail: content policy violation]")
    with pytest.raises(TaskFailedError) as caught:
        sync_client.videos.wait(job, **drive)
    assert caught.value.reason == "content policy violation"
    assert caught.value.task.status == "failed" and caught.value.task_id == job.id
    temu.fail_next_task("upstream quota exhausted")
    job = sync_client.videos.create(prompt="calm sea", model="kling-v1", seconds=5)
    with pytest.raises(TaskFailedError, match="upstream quota exhausted"):
        sync_client.videos.wait(job, **drive)


def test_sync_stop_flag_cancels_from_a_progress_callback(
    sync_client: WenwenClient, drive: dict[str, Any]
) -> None:
    stop = threading.Event()
    job = sync_client.videos.create(prompt="a long take", seconds=12)

    def on_progress(p: TaskProgress) -> None:
        if p.percent >= 30:
            stop.set()

    with pytest.raises(TaskCancelledError) as caught:
        sync_client.videos.wait(job, stop=stop, on_progress=on_progress, **drive)
    assert caught.value.task_id == job.id
    assert sync_client.videos.retrieve(job.id).state is not TaskState.FAILED


def test_a_poll_outage_is_retried_without_losing_the_task(
    temu: Emulator, drive: dict[str, Any]
) -> None:
    with WenwenClient(api_key=temu.api_key, base_url=temu.base_url, max_retries=1) as client:
        job = client.videos.create(prompt="rain", seconds=4)
        # client retry + one tolerated failed poll, then the relay is back
        temu.inject("status:503", times=2, path=f"/v1/videos/{job.id}")
        done = client.videos.wait(job, **drive)
        assert done.status == "completed"
        temu.inject("status:503", times=10, path=f"/v1/videos/{job.id}")
        with pytest.raises(InternalServerError) as caught:
            client.videos.wait(job, **drive)
    assert any(job.id in note for note in caught.value.__notes__)


def test_tqdm_progress_bar(
    sync_client: WenwenClient, drive: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    job = sync_client.videos.create(prompt="fireworks", seconds=4)
    sync_client.videos.wait(job, progress_bar="fireworks", **drive)
    err = capsys.readouterr().err
    assert "fireworks" in err and "100/100" in err and "completed" in err


def test_bad_input_fails_before_any_request(temu: Emulator, sync_client: WenwenClient) -> None:
    before = len(temu.requests)
    with pytest.raises(ConfigurationError):
        sync_client.videos.create(prompt="  ")
    with pytest.raises(ConfigurationError, match="Kling"):
        sync_client.videos.create(prompt="x", last_frame=PNG_1PX, image=PNG_1PX)
    with pytest.raises(ConfigurationError, match="unknown video route"):
        sync_client.videos.retrieve("task_x", route="nope")
    with pytest.raises(ConfigurationError):
        sync_client.videos.retrieve("../etc")
    assert len(temu.requests) == before


def test_route_table_marks_inferred_paths() -> None:
    assert VIDEO_ROUTES["kling-text2video"].inferred
    assert VIDEO_ROUTES["task"].query == "/v1/video/generations/{id}"


async def test_async_video_flow_and_cancellation(
    temu: Emulator, make_async: Any, drive: dict[str, Any], tmp_path: Path
) -> None:
    async with make_async() as client:
        job = await client.videos.create(prompt="a paper boat", seconds=4)
        done = await client.videos.wait(job.id, **drive)
        path = await client.videos.download(done, path=tmp_path / "boat.mp4")
        assert_real_mp4(path, 4)
        kling = await client.videos.create(prompt="snow", model="kling-v1", seconds=5)
        done = await client.videos.wait(kling, **drive)
        assert_real_mp4(await client.videos.download(done, path=tmp_path / "snow.mp4"), 5)

        slow = await client.videos.create(prompt="glacier", seconds=12)
        polls = asyncio.Event()

        async def sleep(seconds: float) -> None:
            temu.clock.advance(seconds)
            polls.set()
            await asyncio.Event().wait()  # park here until cancelled

        waiting = asyncio.create_task(client.videos.wait(slow, sleep=sleep, clock=temu.clock.now))
        await polls.wait()
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        resumed = await client.videos.wait(slow.id, **drive)
        assert resumed.status == "completed"


def test_sync_video_through_chat_downloads_key_less(
    temu: Emulator, sync_client: WenwenClient, tmp_path: Path
) -> None:
    from wenwen.media.download import Downloader
    from wenwen.types import ChatRequest, Message, VideoPart

    reply = sync_client.chat(
        ChatRequest(model="sora_video2", messages=[Message.of("user", "画只猫在草地上跳舞")])
    )
    videos = [p for p in reply.parts if isinstance(p, VideoPart)]
    assert len(videos) == 1 and videos[0].media_type == "video/mp4"
    with Downloader.for_client(sync_client) as downloader:  # the relay's origin is trusted
        saved = downloader.to_file(videos[0].url, tmp_path / "chat.mp4", expect="video")
    assert saved.path is not None
    assert_real_mp4(saved.path, 4)
    assert "authorization" not in temu.requests[-1].headers
