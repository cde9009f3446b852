"""One rule for every media and task method: the content (a prompt, a text, a task) comes
first and positionally; paths and options are keyword-only, so two strings can never be
swapped silently. Calls in the older positional orders keep working, with a
``DeprecationWarning``, where they cannot be misread; anything else raises a
``ConfigurationError`` that shows the keyword form.
"""

from __future__ import annotations

import os
import warnings
from pathlib import PurePath
from typing import Any

from ..errors import ConfigurationError

# Suffixes of the files ``speech_to_file`` writes (its response formats and their usual names).
_AUDIO_SUFFIXES = frozenset({".mp3", ".opus", ".ogg", ".aac", ".flac", ".wav", ".pcm", ".m4a"})


def _deprecated(method: str, name: str, depth: int) -> None:
    """Warn at the caller's line: ``depth`` frames below the public method."""
    warnings.warn(
        f"passing {name} positionally to {method}() is deprecated; pass {name}=... instead",
        DeprecationWarning,
        stacklevel=3 + depth,
    )


def keyword_only(
    method: str, name: str, value: Any, positional: tuple[Any, ...], *, depth: int = 1
) -> Any:
    """The value of the keyword-only argument ``name``, which older calls passed as the one
    extra positional argument (accepted with a ``DeprecationWarning``). ``value`` is what was
    given as a keyword (``None`` when absent); ``depth`` counts the calls between the public
    method and this function (1: the method calls it directly)."""
    if not positional:
        if value is None:
            raise ConfigurationError(f"{method}() needs {name}=...")
        return value
    if len(positional) > 1 or value is not None:
        raise ConfigurationError(
            f"{method}() takes one positional argument; pass {name}=... as a keyword"
        )
    _deprecated(method, name, depth)
    return positional[0]


def looks_like_audio_path(value: Any) -> bool:
    """A path object, or a one-line string naming a file with an audio suffix."""
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str) or not value.strip() or "\n" in value:
        return False
    return PurePath(value).suffix.lower() in _AUDIO_SUFFIXES


def speech_text_and_path(
    text: Any, positional: tuple[Any, ...], path: Any
) -> tuple[str, str | os.PathLike[str]]:
    """``(text, path)`` for ``speech_to_file``: ``(text, path=...)``, or the old
    ``(path, text)`` order when the first argument is plainly the file and the second plainly
    not. A text-first positional call is refused: it must never write a file named after
    the sentence."""
    if not positional:
        if path is None:
            raise ConfigurationError(
                "speech_to_file() needs path=...: speech_to_file(text, path=...)"
            )
        if not isinstance(text, str):
            raise ConfigurationError(
                f"speech_to_file() takes the text first, not a {type(text).__name__}; "
                "pass the file as path=..."
            )
        return text, path
    if len(positional) == 1 and path is None:
        first, second = text, positional[0]
        plainly_old_order = looks_like_audio_path(first) and isinstance(second, str)
        if plainly_old_order and not looks_like_audio_path(second):
            _deprecated("speech_to_file", "path", 1)
            return second, first
    raise ConfigurationError(
        "speech_to_file() takes the text first and the file as a keyword: "
        "speech_to_file(text, path='speech.mp3')"
    )
