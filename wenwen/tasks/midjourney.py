"""Midjourney (midjourney-proxy behind new-api): request bodies, submit codes, task objects.

Submit replies are ``{"code", "description", "result", "properties"}``: codes 1, 21 (task
exists / waiting window) and 22 (queued) are accepted (new-api rewrites 21/22 to 1 anyway);
23 is a full queue (retryable), 24 a banned prompt (``properties.bannedWord``); anything else
is an error carrying the description (midjourney-proxy's submit codes as new-api relays them:
https://github.com/QuantumNous/new-api, ``relay/relay-mj.go``). Task ids are strings
even when the relay sends numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigurationError, InvalidArgumentError, ProtocolError, WenwenError
from ..media.arguments import check_text
from ..media.names import reply_id, same_id
from .engine import TaskSnapshot, TaskState
from .video import ImageInput, image_data_url, percent

Mode = Literal["FAST", "RELAX", "TURBO"]
Dimensions = Literal["PORTRAIT", "SQUARE", "LANDSCAPE"]
ACCEPTED_CODES = frozenset({1, 21, 22})


class MidjourneyError(WenwenError):
    """A submit the relay refused: ``code`` and ``description`` as it sent them."""

    retryable = False

    def __init__(self, description: str, *, code: int, properties: dict[str, Any]) -> None:
        super().__init__(f"Midjourney refused the task (code {code}): {description}")
        self.code = code
        self.description = description
        self.properties = properties


class MidjourneyQueueFullError(MidjourneyError):
    """Code 23: the account's queue is full. Submit again later."""

    retryable = True


class BannedPromptError(MidjourneyError):
    """Code 24: the prompt holds a word Midjourney bans (``banned_word``)."""

    @property
    def banned_word(self) -> str | None:
        word = self.properties.get("bannedWord")
        return str(word) if word else None


def mj_prefix(path_mode: str | None) -> str:
    """``/mj`` or new-api's ``/{mode}/mj`` (e.g. ``/mj-fast/mj``)."""
    if path_mode is None:
        return "/mj"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", path_mode):
        raise ConfigurationError(f"bad Midjourney path mode {path_mode!r} (e.g. 'mj-fast')")
    return f"/{path_mode}/mj"


def parse_submit(body: Any) -> tuple[str, int, dict[str, Any]]:
    """``(task_id, code, properties)`` of an accepted submit; typed errors otherwise."""
    if not isinstance(body, dict) or "code" not in body:
        raise ProtocolError(f"Midjourney submit reply has no code: {str(body)[:200]!r}")
    try:
        code = int(body["code"])
    except (TypeError, ValueError):
        raise ProtocolError(f"Midjourney submit code is not a number: {body['code']!r}") from None
    raw_properties = body.get("properties")
    properties: dict[str, Any] = raw_properties if isinstance(raw_properties, dict) else {}
    description = str(body.get("description") or "")
    if code not in ACCEPTED_CODES:
        cls = {23: MidjourneyQueueFullError, 24: BannedPromptError}.get(code, MidjourneyError)
        if code == 24 and properties.get("bannedWord"):
            description = f"{description} (banned word: {properties['bannedWord']})"
        raise cls(description or "no description", code=code, properties=dict(properties))
    result = body.get("result")
    if result is None or result == "":
        raise ProtocolError(f"Midjourney submit (code {code}) has no task id in 'result'")
    return reply_id(result, "Midjourney submit field 'result'"), code, dict(properties)


def _clean_images(images: Sequence[ImageInput] | None) -> list[str]:
    return [image_data_url(i) for i in images or ()]


def imagine_body(
    prompt: str, images: Sequence[ImageInput] | None, mode: Mode | None, extra: dict[str, Any]
) -> dict[str, Any]:
    check_text(prompt, "prompt")
    body: dict[str, Any] = {"prompt": prompt, "base64Array": _clean_images(images)}
    if mode is not None:
        body["mode"] = _mode(mode)
    return {**body, **extra}


def blend_body(
    images: Sequence[ImageInput], dimensions: Dimensions, mode: Mode | None, extra: dict[str, Any]
) -> dict[str, Any]:
    if isinstance(images, str | bytes) or not isinstance(images, Sequence):
        raise InvalidArgumentError("blend takes a list of 2 to 5 images", argument="images")
    if not 2 <= len(images) <= 5:
        raise ConfigurationError(f"blend takes 2 to 5 images, got {len(images)}")
    if dimensions not in ("PORTRAIT", "SQUARE", "LANDSCAPE"):
        raise ConfigurationError(
            f"blend dimensions must be PORTRAIT, SQUARE or LANDSCAPE, got {dimensions!r}"
        )
    body: dict[str, Any] = {"base64Array": _clean_images(images), "dimensions": dimensions}
    if mode is not None:
        body["mode"] = _mode(mode)
    return {**body, **extra}


def action_body(task_id: str, custom_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    if not custom_id or not custom_id.startswith("MJ::"):
        raise ConfigurationError(
            f"{custom_id!r} is not a Midjourney button customId (take one from task.buttons)"
        )
    return {"taskId": str(task_id), "customId": custom_id, "chooseSameChannel": True, **extra}


def _mode(mode: str) -> str:
    upper = mode.upper()
    if upper not in ("FAST", "RELAX", "TURBO"):
        raise ConfigurationError(f"Midjourney mode must be FAST, RELAX or TURBO, got {mode!r}")
    return upper


# --- task objects ----------------------------------------------------------------------

ButtonKind = Literal["upscale", "variation", "reroll", "zoom", "pan", "custom_zoom", "other"]
_BUTTON_KINDS: list[tuple[str, ButtonKind]] = [
    (r"^MJ::JOB::upsample(?:_v\d+_\w+)?::", "upscale"),
    (r"^MJ::JOB::(?:low_|high_)?variation::", "variation"),
    (r"^MJ::JOB::reroll::", "reroll"),
    (r"^MJ::Outpaint::", "zoom"),
    (r"^MJ::JOB::pan_", "pan"),
    (r"^MJ::CustomZoom::", "custom_zoom"),
]


class MjButton(BaseModel):
    """A button of a finished task. Pass it (or its ``custom_id``) to ``action``."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    custom_id: str = Field(alias="customId")
    label: str = ""
    emoji: str = ""
    type: int = 2
    style: int = 2

    @property
    def kind(self) -> ButtonKind:
        for pattern, kind in _BUTTON_KINDS:
            if re.match(pattern, self.custom_id):
                return kind
        return "other"

    @property
    def index(self) -> int | None:
        """Which grid image (1-4) the button acts on, when it acts on one."""
        match = re.match(r"^MJ::(?:JOB::\w+|Outpaint::\d+)::(\d)::", self.custom_id)
        return int(match.group(1)) if match and match.group(1) != "0" else None

    @property
    def name(self) -> str:
        """``U1``…``V4`` as Midjourney labels them, else the label, emoji or kind."""
        return self.label or self.emoji or self.kind


_MJ_STATES = {
    "IN_PROGRESS": TaskState.RUNNING,
    "SUCCESS": TaskState.SUCCEEDED,
    "FAILURE": TaskState.FAILED,
    "CANCEL": TaskState.CANCELLED,
}


class MjTask(BaseModel):
    """The midjourney-proxy task object (fetch, list-by-condition). ``status`` may be ``""``
    right after submit (new-api stores it empty until its poller runs)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    id: str
    action: str = ""
    status: str = ""
    progress: str = ""
    prompt: str = ""
    prompt_en: str = Field("", alias="promptEn")
    description: str = ""
    state: str = ""
    custom_id: str = Field("", alias="customId")
    bot_type: str = Field("", alias="botType")
    submit_time: int = Field(0, alias="submitTime")
    start_time: int = Field(0, alias="startTime")
    finish_time: int = Field(0, alias="finishTime")
    image_url: str = Field("", alias="imageUrl")
    fail_reason: str = Field("", alias="failReason")
    buttons: list[MjButton] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def parse(cls, body: Any, expected_id: str | None = None) -> MjTask:
        """A task object; a field of the wrong type, an unsafe id or (with ``expected_id``)
        another task's id is a ``ProtocolError`` naming it."""
        if not isinstance(body, dict) or body.get("id") in (None, ""):
            raise ProtocolError(f"Midjourney task object has no id: {str(body)[:200]!r}")
        clean = {k: v for k, v in body.items() if v is not None}
        clean["id"] = reply_id(body["id"], "Midjourney task field 'id'")
        if expected_id is not None:
            same_id(expected_id, clean["id"], "Midjourney fetch")
        progress = clean.get("progress")
        if isinstance(progress, int | float) and not isinstance(progress, bool):
            clean["progress"] = f"{progress}%"  # some proxies send a number
        try:
            return cls.model_validate(clean)
        except ValidationError as exc:
            raise ProtocolError(f"Midjourney task {clean['id']}: {_fields(exc)}") from None

    def button(self, name: str) -> MjButton:
        """The button labelled ``name`` (``"U1"``, ``"V3"``), or of that kind (``"reroll"``)."""
        for button in self.buttons:
            if name in (button.label, button.emoji, button.custom_id):
                return button
        for button in self.buttons:
            if button.kind == name:
                return button
        known = ", ".join(b.name for b in self.buttons) or "none"
        raise ConfigurationError(f"task {self.id} has no button {name!r} (buttons: {known})")

    def snapshot(self) -> TaskSnapshot:
        return TaskSnapshot(
            id=self.id,
            kind="midjourney",
            route="mj",
            state=_MJ_STATES.get(self.status, TaskState.PENDING),
            status=self.status,
            progress=percent(self.progress),
            fail_reason=self.fail_reason or None,
            result_url=self.image_url or None,
            raw=self.model_dump(by_alias=True),
        )


def _fields(exc: ValidationError) -> str:
    """Which fields were wrong, by their wire names (``status``, ``buttons[0].customId``)."""
    problems = []
    for error in exc.errors()[:5]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        got = type(error.get("input")).__name__
        problems.append(f"field {where.lstrip('.')!r} {error['msg'].lower()} (got {got})")
    return "; ".join(problems)


def parse_tasks(body: Any) -> list[MjTask]:
    if not isinstance(body, list):
        raise ProtocolError(f"list-by-condition reply is not an array: {str(body)[:200]!r}")
    return [MjTask.parse(item) for item in body]
