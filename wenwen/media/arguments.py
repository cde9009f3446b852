"""Checks for the arguments of media and task calls: each failure is an
``InvalidArgumentError`` naming the argument, raised before any request.

Value sets follow OpenAI's API reference, which the relay's image, audio and video routes
mirror (https://platform.openai.com/docs/api-reference/images/create,
https://platform.openai.com/docs/api-reference/audio/createSpeech,
https://platform.openai.com/docs/api-reference/videos/create). Where that reference leaves a
field open (``size`` and ``voice`` are "a string or one of ..."), only the type and shape are
checked, so models the relay adds keep working.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from typing import Any

from ..errors import InvalidArgumentError

IMAGE_QUALITIES = ("standard", "hd", "low", "medium", "high", "auto")
IMAGE_RESPONSE_FORMATS = ("url", "b64_json")
IMAGE_OUTPUT_FORMATS = ("png", "jpeg", "webp")
IMAGE_BACKGROUNDS = ("transparent", "opaque", "auto")
IMAGE_STYLES = ("vivid", "natural")
INPUT_FIDELITIES = ("high", "low")
_IMAGE_SIZE = re.compile(r"^(auto|[1-9]\d{1,4}x[1-9]\d{1,4})$")
# OpenAI's sizes (1280x720) and Kling's aspect ratios (16:9)
_VIDEO_SIZE = re.compile(r"^([1-9]\d{1,4}x[1-9]\d{1,4}|[1-9]\d?:[1-9]\d?)$")
_VOICE = re.compile(r"^[\w.\- ]{1,64}$")
MAX_VIDEO_SECONDS = 600


def _fail(argument: str, expected: str, value: Any) -> InvalidArgumentError:
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InvalidArgumentError(
        f"{argument} must be {expected}, got {shown} ({type(value).__name__})", argument=argument
    )


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a surrogate code point, which no UTF-8 encoder can write."""
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def check_text(value: Any, argument: str, *, required: bool = True) -> str | None:
    """A string (non-blank when ``required``) without lone surrogates; ``None`` passes when
    not required."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise _fail(argument, "a string", value)
    if required and not value.strip():
        raise InvalidArgumentError(f"{argument} must be a non-empty string", argument=argument)
    if has_lone_surrogate(value):
        index = next(i for i, ch in enumerate(value) if "\ud800" <= ch <= "\udfff")
        raise InvalidArgumentError(
            f"{argument} holds a lone surrogate (U+{ord(value[index]):04X} at index {index}), "
            "which cannot be encoded as UTF-8; decode the text with errors='replace' first",
            argument=argument,
        )
    return value


def check_number(value: Any, argument: str, *, low: float, high: float) -> float | None:
    """``None``, or an int/float (not a bool) between ``low`` and ``high`` inclusive."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(argument, f"a number between {low:g} and {high:g}", value)
    if not math.isfinite(value) or not low <= value <= high:
        raise _fail(argument, f"between {low:g} and {high:g}", value)
    return value


def check_int(value: Any, argument: str, *, low: int, high: int) -> int | None:
    """``None``, or an int (not a bool) between ``low`` and ``high`` inclusive."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(argument, f"an integer between {low} and {high}", value)
    if not low <= value <= high:
        raise _fail(argument, f"between {low} and {high}", value)
    return value


def check_choice(value: Any, argument: str, choices: Collection[str]) -> str | None:
    """``None``, or one of ``choices``."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        raise _fail(argument, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def check_image_size(value: Any, argument: str = "size") -> str | None:
    """``None``, ``"auto"`` or ``"<width>x<height>"``."""
    if value is None:
        return None
    if not isinstance(value, str) or not _IMAGE_SIZE.match(value):
        raise _fail(argument, "'auto' or a size like '1024x1024'", value)
    return value


def check_video_size(value: Any, argument: str = "size") -> str | None:
    """``None``, ``"<width>x<height>"`` or an aspect ratio such as ``"16:9"`` (Kling)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _VIDEO_SIZE.match(value):
        raise _fail(argument, "a size like '1280x720' or an aspect ratio like '16:9'", value)
    return value


def check_seconds(value: Any, argument: str = "seconds") -> str | None:
    """A clip length: ``None``, a positive int or a string of digits; sent as a string."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise _fail(argument, "a whole number of seconds such as 4, 8 or 12", value)
    if not 1 <= number <= MAX_VIDEO_SECONDS:
        raise _fail(argument, f"between 1 and {MAX_VIDEO_SECONDS} seconds", value)
    return str(number)


def check_voice(value: Any, argument: str = "voice") -> str | dict[str, Any]:
    """A voice name (letters, digits, ``_.-`` and spaces, at most 64) or a custom-voice object
    ``{"id": "..."}``."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return value
    if not isinstance(value, str) or not _VOICE.match(value):
        raise _fail(argument, "a voice name such as 'alloy' or {'id': '<custom voice>'}", value)
    return value


def check_strings(value: Any, argument: str) -> list[str] | None:
    """``None`` or a list of non-empty strings."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _fail(argument, "a list of strings", value)
    for index, item in enumerate(value):
        check_text(item, f"{argument}[{index}]")
    return list(value)


__all__ = [
    "IMAGE_BACKGROUNDS",
    "IMAGE_OUTPUT_FORMATS",
    "IMAGE_QUALITIES",
    "IMAGE_RESPONSE_FORMATS",
    "IMAGE_STYLES",
    "INPUT_FIDELITIES",
    "check_choice",
    "check_image_size",
    "check_int",
    "check_number",
    "check_seconds",
    "check_strings",
    "check_text",
    "check_video_size",
    "check_voice",
    "has_lone_surrogate",
]
