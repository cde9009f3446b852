"""Ids from tool arguments and from replies reach relay paths and file names only when they
are plain tokens; a reply about another task than the one asked for is refused; every file
lands inside its folder under a safe, short name."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from langchain_wenwen import WenwenTaskRunnable
from tests.security._servers import MP4, HostileServer, Reply, Seen, json_reply
from wenwen import AsyncWenwenClient, WenwenClient
from wenwen.errors import ConfigurationError, ProtocolError
from wenwen.media.names import MAX_NAME_LENGTH, check_id, inside, safe_filename
from wenwen.tasks._files import video_target

HOSTILE_IDS = [
    "..", ".", "../escaped", "a/b", "a\\b", "a?x=1", "a#frag", "%2e%2e", "a%2Fb", "a\x00b",
    "a\nb", "a\u202eb", "x" * 201, "", "   ", " padded", "padded ", 5, None, ["a"],
]  # fmt: skip


@pytest.mark.parametrize("task_id", HOSTILE_IDS, ids=repr)
def test_hostile_ids_are_refused(task_id: Any) -> None:
    with pytest.raises(ConfigurationError, match="task id"):
        check_id(task_id)


@pytest.mark.parametrize("task_id", ["video_68d7512d", "1712345678901", "task-ABC.v2", "a b"])
def test_plain_ids_pass(task_id: str) -> None:
    assert check_id(task_id) == task_id


def recording_relay() -> HostileServer:
    return HostileServer(lambda seen: json_reply({"id": "video_1", "status": "queued"}))


@pytest.mark.parametrize("task_id", ["..", "a?x=1", "../../v1/models", "a#b", "%2e%2e"])
def test_a_hostile_id_sends_nothing_to_the_relay(task_id: str, tmp_path: Path) -> None:
    with recording_relay() as server:
        base = f"{server.url}/v1"
        with WenwenClient(api_key="sk-test", base_url=base) as client:
            calls = [
                lambda: client.videos.retrieve(task_id),
                lambda: client.videos.retrieve(task_id, route="kling-text2video"),
                lambda: client.videos.wait(task_id, sleep=lambda s: None),
                lambda: client.videos.download(task_id, path=tmp_path),
                lambda: client.videos.content(task_id),
                lambda: client.midjourney.fetch(task_id),
                lambda: client.midjourney.image_seed(task_id),
            ]
            for call in calls:
                with pytest.raises(ConfigurationError):
                    call()

        async def main() -> None:
            async with AsyncWenwenClient(api_key="sk-test", base_url=base) as client:
                with pytest.raises(ConfigurationError):
                    await client.videos.retrieve(task_id)
                with pytest.raises(ConfigurationError):
                    await client.midjourney.fetch(task_id)

        asyncio.run(main())
    assert server.requests == []
    assert list(tmp_path.iterdir()) == []


def client_of(server: HostileServer) -> WenwenClient:
    return WenwenClient(api_key="sk-test", base_url=f"{server.url}/v1")


def relay_answering(document: dict[str, Any]) -> HostileServer:
    return HostileServer(lambda seen: json_reply(document))


@pytest.mark.parametrize(
    ("reply", "route"),
    [
        ({"id": "video_other", "status": "queued"}, None),
        ({"code": 0, "data": {"task_id": "other", "task_status": "submitted"}}, "kling-text2video"),
        ({"code": "success", "data": {"task_id": "other", "status": "IN_PROGRESS"}}, "task"),
    ],
)
def test_a_reply_about_another_task_is_refused(reply: dict[str, Any], route: str | None) -> None:
    with (
        relay_answering(reply) as server,
        client_of(server) as client,
        pytest.raises(ProtocolError, match="asked for task"),
    ):
        client.videos.retrieve("video_1", route=route)


def test_a_midjourney_fetch_about_another_task_is_refused() -> None:
    reply = {"id": "999", "status": "SUCCESS", "progress": "100%"}
    with (
        relay_answering(reply) as server,
        client_of(server) as client,
        pytest.raises(ProtocolError, match="asked for task"),
    ):
        client.midjourney.fetch("123")


@pytest.mark.parametrize("hostile", ["../escaped", "a/b", "a?x=1", "..", "x" * 300])
def test_hostile_ids_in_replies_are_protocol_errors(hostile: str) -> None:
    with (
        relay_answering({"id": hostile, "status": "queued"}) as server,
        client_of(server) as c,
        pytest.raises(ProtocolError, match="'id'"),
    ):
        c.videos.create(prompt="a cat")
    submit = {"code": 1, "description": "ok", "result": hostile}
    with (
        relay_answering(submit) as server,
        client_of(server) as c,
        pytest.raises(ProtocolError, match="'result'"),
    ):
        c.midjourney.imagine("a cat")


def escaping_relay() -> HostileServer:
    """A relay whose new video is called ``../escaped`` and is done at once."""

    def answer(seen: Seen) -> Reply:
        if seen.path.endswith("/content"):
            return Reply(200, {"Content-Type": "video/mp4"}, MP4)
        return json_reply({"id": "../escaped", "object": "video", "status": "completed"})

    return HostileServer(answer)


def test_the_task_runnable_never_writes_outside_its_output_dir(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with escaping_relay() as server:
        job = WenwenTaskRunnable(
            kind="video", api_key="sk-test", base_url=f"{server.url}/v1", output_dir=str(out)
        )
        with pytest.raises(ProtocolError):
            job.invoke("a paper boat")
        with pytest.raises(ConfigurationError):
            job.invoke({"task_id": "../escaped"})
    assert [p.name for p in tmp_path.iterdir() if p.name != "out"] == []
    assert not out.exists() or list(out.iterdir()) == []


def test_safe_names_are_short_and_plain() -> None:
    long = safe_filename("x" * 300 + ".png")
    assert len(long) <= MAX_NAME_LENGTH and long.endswith(".png")
    assert safe_filename("../../etc/passwd") == "etc_passwd"
    assert safe_filename("..") == "download"
    assert safe_filename("a b?c.mp4") == "a_b_c.mp4"
    assert safe_filename("", suffix=".wav") == "download.wav"


def test_a_file_inside_its_folder_is_checked_after_resolution(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", folder / "link")
    assert inside(folder, "a.mp4") == folder.resolve() / "a.mp4"
    for name in ("../a.mp4", "link/a.mp4", "/etc/passwd", "", "."):
        with pytest.raises(ConfigurationError, match="outside"):
            inside(folder, name)


def test_a_video_named_after_its_task_stays_in_the_folder(tmp_path: Path) -> None:
    assert video_target(tmp_path, "video_1") == tmp_path.resolve() / "video_1.mp4"
    assert video_target(tmp_path, "../../x").parent == tmp_path.resolve()
    assert video_target(tmp_path / "named.mp4", "video_1") == tmp_path / "named.mp4"
