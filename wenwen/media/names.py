"""Ids and file names that come from replies or tool arguments, made safe before they reach a
URL path or a file system path.

A task or media id is placed into a relay path (``/v1/videos/{id}``) and into file names
(``<id>.mp4``), so one is accepted only when it is a plain token: printable, no path or URL
syntax (``/``, ``\\``, ``..``, ``?``, ``#``, ``%``), no whitespace at its ends, bounded length.
A server-chosen file name is reduced to safe characters and shortened, and a file is written
only when its resolved path lies inside the folder it was meant for.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ConfigurationError, ProtocolError

T = TypeVar("T")
MAX_ID_LENGTH = 200
MAX_NAME_LENGTH = 120
_FORBIDDEN_IN_ID = frozenset("/\\?#%")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def id_problem(value: object) -> str | None:
    """What is wrong with ``value`` as an id, or ``None`` when it is a safe one."""
    if not isinstance(value, str):
        return f"must be a string, got {type(value).__name__}"
    if not value or not value.strip():
        return "must not be empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_ID_LENGTH})"
    if value != value.strip():
        return "must not start or end with whitespace"
    bad = sorted(_FORBIDDEN_IN_ID.intersection(value))
    if bad:
        return f"must not contain {' '.join(bad)}"
    if ".." in value or value in (".",):
        return "must not contain '..' or be '.'"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in value):
        return "must not contain control characters"
    return None


def check_id(value: object, what: str = "task id") -> str:
    """``value`` when it is a safe id (from the caller or a tool argument); else a
    ``ConfigurationError`` naming ``what``."""
    problem = id_problem(value)
    if problem is not None:
        raise ConfigurationError(f"{what} {_shown(value)} {problem}")
    assert isinstance(value, str)
    return value


def reply_id(value: Any, what: str) -> str:
    """An id the relay sent (numbers become strings); a ``ProtocolError`` naming the field
    when it is missing or unsafe."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    problem = id_problem(value)
    if problem is not None:
        raise ProtocolError(f"{what} {_shown(value)} {problem}")
    return str(value)


def same_id(requested: str, received: str, what: str) -> str:
    """The reply's id, which must be the one asked for."""
    if received != requested:
        raise ProtocolError(
            f"{what}: asked for task {requested!r}, the relay answered with task {received!r}"
        )
    return received


def reply_field(body: Any, name: str, kind: type[T] | tuple[type, ...], where: str) -> Any:
    """``body[name]`` when absent/null (``None``) or of ``kind`` (a bool counts as no number);
    else a ``ProtocolError`` naming the field, as for every reply reader."""
    value = body.get(name) if isinstance(body, dict) else None
    if value is None:
        return None
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        wanted = " or ".join(k.__name__ for k in kinds)
        raise ProtocolError(
            f"{where} field {name!r} should be {wanted}, got {type(value).__name__}"
        )
    return value


def safe_filename(name: str, default: str = "download", suffix: str = "") -> str:
    """``name`` reduced to ``[A-Za-z0-9._-]``, without leading dots, at most
    ``MAX_NAME_LENGTH`` characters (the extension kept); ``default`` when nothing is left.
    ``suffix`` is added when the name has no extension."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip("._-") or default
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = cleaned, suffix.lstrip(".")
    extension = f".{extension}" if extension else ""
    return stem[: MAX_NAME_LENGTH - len(extension)].rstrip("._-") + extension


def inside(folder: str | os.PathLike[str], name: str) -> Path:
    """``folder / name`` after checking that it resolves (symlinks followed) inside
    ``folder``; ``ConfigurationError`` otherwise."""
    base = Path(folder).resolve()
    target = (base / name).resolve()
    if target.parent != base and base not in target.parents:
        raise ConfigurationError(f"refusing to write {name!r}: it would land outside {base}")
    return target


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


__all__ = [
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "check_id",
    "id_problem",
    "inside",
    "reply_field",
    "reply_id",
    "safe_filename",
    "same_id",
]
