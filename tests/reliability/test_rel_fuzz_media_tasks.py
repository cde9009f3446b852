"""Wrong types in media and task replies are protocol errors: a recorded reply of every route
(video: OpenAI ``/v1/videos``, new-api's task route, Kling; Midjourney submit, fetch and
list; images; transcriptions) with any field replaced by a value of another JSON type either
parses (the value was harmless) or raises ``ProtocolError`` (a Midjourney submit may also be
refused with its own typed ``MidjourneyError``) — never ``AttributeError``, ``TypeError`` or
pydantic's ``ValidationError``. Whatever parses has a sane progress (0-100 or none).

Fuzzed with hypothesis (derandomized) like the chat protocols' replies
(``test_rel_fuzz_protocols``); the replies in ``tests/data/replies`` were recorded from the
emulator (URLs rewritten to a neutral host). A new route joins with one line in
``REPLY_TARGETS``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.test_rel_fuzz_protocols import _mutation, _paths, _replaced
from wenwen.errors import ProtocolError
from wenwen.media.audio import parse_transcription
from wenwen.media.images import parse_images
from wenwen.tasks.engine import TaskSnapshot
from wenwen.tasks.midjourney import MidjourneyError, MjTask, parse_submit, parse_tasks
from wenwen.tasks.video import VIDEO_ROUTES, parse_video, percent

REPLIES = Path(__file__).parent.parent / "data" / "replies"


@dataclass(frozen=True)
class ReplyTarget:
    name: str
    replies: tuple[str, ...]
    parse: Callable[[Any], Any]

    def __str__(self) -> str:
        return self.name


def _video(route: str) -> Callable[[Any], Any]:
    return lambda body: parse_video(body, VIDEO_ROUTES[route])


REPLY_TARGETS = [
    ReplyTarget("video-openai", ("openai_video_created", "openai_video_done"), _video("openai")),
    ReplyTarget("video-task", ("task_route",), _video("task")),
    ReplyTarget("video-kling", ("kling_created", "kling_done"), _video("kling-text2video")),
    ReplyTarget("mj-submit", ("mj_submit",), parse_submit),
    ReplyTarget("mj-fetch", ("mj_task",), lambda body: MjTask.parse(body).snapshot()),
    ReplyTarget("mj-list", ("mj_list",), parse_tasks),
    ReplyTarget("images", ("images_url", "images_b64"), parse_images),
    ReplyTarget(
        "transcription",
        ("transcription_verbose",),
        lambda body: parse_transcription(json.dumps(body).encode(), "verbose_json"),
    ),
]  # fmt: skip


@cache
def _reply(name: str) -> Any:
    return json.loads((REPLIES / f"{name}.json").read_text())


def outcome(target: ReplyTarget, body: Any) -> str:
    try:
        parsed = target.parse(body)
    except (ProtocolError, MidjourneyError):
        return "typed error"
    except Exception as exc:
        return f"untyped {type(exc).__name__}: {exc}"
    for snapshot in _snapshots(parsed):
        progress = snapshot.progress
        if progress is not None and not (math.isfinite(progress) and 0 <= progress <= 100):
            return f"insane progress {progress!r}"
    return "parsed"


def _snapshots(parsed: Any) -> list[TaskSnapshot]:
    if isinstance(parsed, TaskSnapshot):
        return [parsed]
    if isinstance(parsed, list):
        return [t.snapshot() for t in parsed if isinstance(t, MjTask)]
    return []


FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.parametrize("target", REPLY_TARGETS, ids=str)
def test_the_recorded_replies_parse(target: ReplyTarget) -> None:
    for name in target.replies:
        assert outcome(target, _reply(name)) == "parsed", name


@pytest.mark.parametrize("target", REPLY_TARGETS, ids=str)
@FUZZ
@given(data=st.data())
def test_wrong_typed_reply_fields(target: ReplyTarget, data: st.DataObject) -> None:
    reply = _reply(data.draw(st.sampled_from(target.replies)))
    assert outcome(target, data.draw(_mutation(reply))) in ("parsed", "typed error")


NAMED = [
    ("video-kling", "kling_done", ("data", "task_result"), "x", "task_result"),
    ("video-kling", "kling_done", ("data", "task_result", "videos"), "v", "videos"),
    ("video-kling", "kling_done", ("data", "task_status"), 3, "task_status"),
    ("video-task", "task_route", ("data", "result_url"), 5, "result_url"),
    ("video-task", "task_route", ("data", "fail_reason"), {"x": 1}, "fail_reason"),
    ("video-openai", "openai_video_done", ("status",), 5, "status"),
    ("video-openai", "openai_video_done", ("id",), {"x": 1}, "id"),
    ("mj-fetch", "mj_task", ("status",), 5, "status"),
    ("mj-fetch", "mj_task", ("buttons",), "U1", "buttons"),
    ("mj-fetch", "mj_task", ("imageUrl",), ["u"], "imageUrl"),
    ("images", "images_url", ("created",), 1.5, "created"),
    ("images", "images_url", ("data", 0, "url"), 7, "url"),
    ("images", "images_b64", ("usage",), "lots", "usage"),
]  # fmt: skip


@pytest.mark.parametrize(("target_name", "reply", "path", "value", "field"), NAMED)
def test_the_wrong_field_is_named(
    target_name: str, reply: str, path: tuple[Any, ...], value: Any, field: str
) -> None:
    target = next(t for t in REPLY_TARGETS if t.name == target_name)
    with pytest.raises(ProtocolError, match=field):
        target.parse(_replaced(_reply(reply), path, value))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (42, 42.0), ("42%", 42.0), (" 7 ", 7.0), ("150%", 100.0), (250, 100.0), (-20, 0.0),
        ("-5%", 0.0), (float("nan"), None), ("NaN", None), (1e999, None), ("1e999", None),
        ("-inf", None), (True, None), ("soon", None), ("", None), ([], None), ({}, None),
    ],
)  # fmt: skip
def test_progress_is_clamped_and_non_numbers_are_ignored(raw: Any, expected: float | None) -> None:
    assert percent(raw) == expected


def test_every_field_of_the_recorded_replies_is_fuzzed() -> None:
    """The mutation strategy reaches every place of every recorded reply."""
    for target in REPLY_TARGETS:
        for name in target.replies:
            assert _paths(_reply(name)), name
