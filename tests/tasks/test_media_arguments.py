"""One rule for media and task methods: the content first, paths and options keyword-only.
Old positional orders still work with a ``DeprecationWarning`` where they cannot be misread;
a text-first ``speech_to_file`` never writes a file named after the sentence."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

import pytest

from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import ConfigurationError
from wenwen.media.resources import AsyncAudio, AsyncImages, Audio, Images
from wenwen.tasks._midjourney_resource import AsyncMidjourney, Midjourney
from wenwen.tasks._video_resource import AsyncVideos, Videos
from wenwen_emulator import Emulator

RESOURCES = [
    Images,
    AsyncImages,
    Audio,
    AsyncAudio,
    Videos,
    AsyncVideos,
    Midjourney,
    AsyncMidjourney,
]
# a Midjourney action names the task and the button it clicks: both are its content
TWO_CONTENTS = {"action"}
POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_every_method_takes_at_most_its_content_positionally(resource: type) -> None:
    for name, method in inspect.getmembers(resource, inspect.isfunction):
        if name.startswith("_") or name in TWO_CONTENTS:
            continue
        params = list(inspect.signature(method).parameters.values())[1:]  # self
        positional = [p.name for p in params if p.kind in POSITIONAL]
        assert len(positional) <= 1, f"{resource.__name__}.{name}{positional}"
        for param in params:
            if param.name == "path":
                assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {param.name}"


@pytest.fixture
def client(emu: Emulator) -> Any:
    with WenwenClient(api_key=emu.api_key, base_url=emu.base_url) as c:
        yield c


def test_speech_to_file_text_first_path_by_keyword(client: WenwenClient, tmp_path: Path) -> None:
    saved = client.audio.speech_to_file(
        "Hello there.", path=tmp_path / "a.wav", response_format="wav"
    )
    assert saved == tmp_path / "a.wav" and saved.stat().st_size > 44


def test_speech_to_file_old_order_still_works_with_a_warning(
    client: WenwenClient, tmp_path: Path
) -> None:
    with pytest.warns(DeprecationWarning, match="path=") as warned:
        saved = client.audio.speech_to_file(
            tmp_path / "b.wav", "Hello there.", response_format="wav"
        )
    assert saved == tmp_path / "b.wav" and warned[0].filename == __file__
    with pytest.warns(DeprecationWarning):
        named = client.audio.speech_to_file(str(tmp_path / "c.mp3"), "Hello there.")
    assert named.name == "c.mp3"


@pytest.mark.parametrize(
    "args",
    [
        ("Hello world.", "out.mp3"),  # text first, path positional
        ("Hello world.", "Good bye."),  # neither is plainly a file
        ("a.mp3", "b.mp3"),  # both could be
    ],
)
def test_speech_to_file_refuses_what_could_be_misread(
    client: WenwenClient, emu: Emulator, tmp_path: Path, args: tuple[str, str], monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match=r"speech_to_file\(text, path="):
        client.audio.speech_to_file(*args)
    assert list(tmp_path.iterdir()) == [] and emu.requests == []


def test_async_speech_to_file_follows_the_same_rule(emu: Emulator, tmp_path: Path) -> None:
    import asyncio

    async def main() -> Path:
        async with AsyncWenwenClient(api_key=emu.api_key, base_url=emu.base_url) as c:
            with pytest.raises(ConfigurationError):
                await c.audio.speech_to_file("Hello world.", "out.mp3")
            return await c.audio.speech_to_file("Hello world.", path=tmp_path / "x.mp3")

    assert asyncio.run(main()).exists()


def test_images_edit_takes_images_by_keyword(client: WenwenClient, tmp_path: Path) -> None:
    png = tmp_path / "in.png"
    png.write_bytes(client.images.generate("a red dot").images[0].bytes())
    assert client.images.edit("add a hat", images=[png]).images
    with pytest.warns(DeprecationWarning, match="images="):
        assert client.images.edit("add a hat", [png]).images
    with pytest.raises(ConfigurationError, match="images="):
        client.images.edit("add a hat")


def test_task_downloads_take_the_path_by_keyword(
    sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    videos = sync_client.videos
    done = videos.wait(videos.create("waves", seconds=4), **drive)
    assert videos.download(done, path=tmp_path / "v.mp4").stat().st_size > 1000
    with pytest.warns(DeprecationWarning, match="path=") as warned:
        assert videos.download(done, tmp_path / "w.mp4").exists()
    assert warned[0].filename == __file__
    with pytest.raises(ConfigurationError, match="path="):
        videos.download(done)

    mj = sync_client.midjourney
    grid = mj.wait(mj.imagine("a lighthouse"), **drive)
    assert mj.download(grid, path=tmp_path / "g.png").exists()
    with pytest.warns(DeprecationWarning):
        assert mj.download(grid, tmp_path / "h.png").exists()


def test_generate_takes_the_prompt_first(
    sync_client: WenwenClient, drive: dict[str, Any], tmp_path: Path
) -> None:
    from wenwen.tasks import WaitOptions

    wait = WaitOptions(**drive)
    out = sync_client.videos.generate("waves", path=tmp_path / "a.mp4", options=wait)
    assert out.path == tmp_path / "a.mp4"
    with pytest.warns(DeprecationWarning, match="path=") as warned:
        old = sync_client.videos.generate(tmp_path / "b.mp4", prompt="waves", options=wait)
    assert old.path == tmp_path / "b.mp4"
    assert warned[0].filename == __file__  # the warning points at the caller's line
    with pytest.raises(ConfigurationError, match="prompt"):
        sync_client.videos.generate(path=tmp_path / "c.mp4", options=wait)
    assert not os.path.exists(tmp_path / "c.mp4")
