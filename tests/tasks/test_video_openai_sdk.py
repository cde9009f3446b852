"""The official ``openai`` SDK's Videos API against the emulator, and every reply checked
against the ``VideoResource`` schema of OpenAI's own OpenAPI spec."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from openai import OpenAI

from tests._spec import validate_openai
from wenwen_emulator import Emulator

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a90000000049454e44ae426082"
)


@pytest.fixture
def oai(temu: Emulator) -> Iterator[OpenAI]:
    client = OpenAI(base_url=temu.base_url + "/v1", api_key=temu.api_key, max_retries=0)
    client.videos._sleep = temu.clock.advance  # type: ignore[method-assign]
    yield client
    client.close()


def raw_video(oai: OpenAI, video_id: str) -> dict[str, object]:
    body = oai.videos.with_raw_response.retrieve(video_id).http_response.json()
    validate_openai("VideoResource", body)
    return body


def test_create_retrieve_download(temu: Emulator, oai: OpenAI, tmp_path: Path) -> None:
    video = oai.videos.create(prompt="A calico cat playing a piano", model="sora-2", seconds="4")
    assert video.status == "queued" and video.progress == 0 and video.object == "video"
    validate_openai("VideoResource", video.model_dump(mode="json"))
    temu.clock.advance(12)
    running = oai.videos.retrieve(video.id)
    assert running.status == "in_progress" and 0 < running.progress < 100
    raw_video(oai, video.id)
    temu.clock.advance(30)
    done = oai.videos.retrieve(video.id)
    assert done.status == "completed" and done.progress == 100 and done.completed_at
    assert raw_video(oai, video.id)["expires_at"]
    content = oai.videos.download_content(video.id)
    path = tmp_path / "cat.mp4"
    content.write_to_file(path)
    with av.open(io.BytesIO(path.read_bytes())) as container:
        assert len(list(container.decode(video=0))) == 4


def test_create_and_poll_with_an_image_reference(temu: Emulator, oai: OpenAI) -> None:
    video = oai.videos.create_and_poll(
        prompt="bring this picture to life",
        input_reference=("ref.png", PNG_1PX, "image/png"),
        seconds="8",
        size="1280x720",
        poll_interval_ms=5000,
    )
    assert video.status == "completed" and video.size == "1280x720" and video.seconds == "8"
    sent = next(r for r in temu.requests if r.method == "POST")
    assert sent.headers["content-type"].startswith("multipart/form-data") and PNG_1PX in sent.body
    validate_openai("VideoResource", video.model_dump(mode="json"))


def test_failed_video_carries_the_error(temu: Emulator, oai: OpenAI) -> None:
    video = oai.videos.create_and_poll(prompt="forbidden [fail: moderation_blocked]")
    assert video.status == "failed" and video.error is not None
    assert video.error.message == "moderation_blocked"
    raw = raw_video(oai, video.id)
    assert raw["status"] == "failed"
