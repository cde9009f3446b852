"""Checks of JSON values a caller hands in: each failure is a ``ConfigurationError`` naming
the field (and, inside a nested value, the place) that JSON cannot carry."""

from __future__ import annotations

import json
from typing import Any

from .errors import ConfigurationError


def _unserializable_path(value: Any, path: str) -> str | None:
    """Where in a JSON body the first value that JSON cannot carry sits."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str | int | float | bool) and key is not None:
                return f"{path}[{key!r}] (a {type(key).__name__} key)"
            found = _unserializable_path(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = _unserializable_path(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if value is None or isinstance(value, str | int | bool):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else f"{path} ({value!r})"
    return f"{path} (a {type(value).__name__})"


def unserializable_body_error(body: Any, exc: Exception) -> ConfigurationError:
    """The error for a request body that JSON cannot encode, naming the field."""
    where = _unserializable_path(body, "")
    if where is None:
        return ConfigurationError(f"the request body cannot be encoded as JSON: {exc}")
    return ConfigurationError(
        f"the request body cannot be encoded as JSON: {where} is not JSON-serializable; "
        "pass str, int, float, bool, None, lists and dicts (e.g. in extra_body, tool-call "
        "arguments or additional_kwargs)"
    )


def json_text(value: Any, field: str) -> str:
    """``value`` as JSON text (tool-call arguments, say); a ``ConfigurationError`` naming
    ``field`` and the offending value's place when JSON cannot carry it."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        where = _unserializable_path(value, field) or field
        raise ConfigurationError(
            f"{where} is not JSON-serializable ({exc}); pass str, int, float, bool, None, "
            "lists and dicts"
        ) from None


def invalid_input(what: str, exc: Exception) -> ConfigurationError:
    """A ``ConfigurationError`` for a value that failed validation (a pydantic
    ``ValidationError`` names each field and what was wrong with it)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in errors()[:5]
        )
    else:
        details = str(exc)
    return ConfigurationError(f"{what} is not valid: {details}")


__all__ = ["invalid_input", "json_text", "unserializable_body_error"]
