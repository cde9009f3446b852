"""Reading upstream JSON, one policy for every protocol.

A reply is written by a stranger: relays omit fields and send ``null`` where a field has
nothing to say, and some send a value of another type. So:

- a missing or ``null`` field reads as empty (``{}``, ``[]``, ``""``, ``0`` or ``None``);
- a value of another JSON type raises ``ProtocolError`` whose ``field`` is the path of the
  field (``usage.prompt_tokens``), never a silent default and never a ``TypeError``.

The readers check one value where it is used, so a stream's hot path never validates a
whole chunk. Each takes the value and the path it was read from.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from ..errors import ProtocolError

_Shape = TypeVar("_Shape")

_JSON_NAMES = {
    dict: "an object",
    list: "a list",
    str: "text",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def wrong_type(value: Any, expected: str, where: str) -> ProtocolError:
    """The error for ``value`` found at ``where`` instead of ``expected``."""
    found = _JSON_NAMES.get(type(value), type(value).__name__)
    return ProtocolError(
        f"reply field {where} is {found} ({value!r:.60}), not {expected}", field=where
    )


def mapping(value: Any, where: str) -> dict[str, Any]:
    """A JSON object (``{}`` when missing)."""
    if type(value) is dict:  # the common case first
        return value
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise wrong_type(value, "an object", where)


def required_mapping(value: Any, where: str) -> dict[str, Any]:
    """A JSON object that must be there (the reply itself, a stream chunk)."""
    if isinstance(value, dict):
        return value
    raise wrong_type(value, "an object", where)


def view(value: Any, shape: type[_Shape], where: str) -> _Shape:
    """A JSON object read as the ``TypedDict`` ``shape`` declares (``{}`` when missing).
    Only the container is checked: each value is read through a reader where it is used."""
    return cast(_Shape, mapping(value, where))


def items(value: Any, where: str) -> list[Any]:
    """A JSON array (``[]`` when missing)."""
    if type(value) is list:
        return value
    if value is None:
        return []
    raise wrong_type(value, "a list", where)


def string(value: Any, where: str) -> str:
    """A string (``""`` when missing)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    raise wrong_type(value, "text", where)


def optional_string(value: Any, where: str) -> str | None:
    """A string, or ``None`` when missing."""
    if value is None or type(value) is str:
        return value
    raise wrong_type(value, "text", where)


def count(value: Any, where: str) -> int:
    """A token count or other non-negative quantity: an integer (an integral float such as
    ``12.0`` is accepted, as JSON does not tell them apart), ``0`` when missing."""
    if type(value) is int:
        return value
    if value is None:
        return 0
    if type(value) is float and value.is_integer():
        return int(value)
    raise wrong_type(value, "an integer", where)


def optional_count(value: Any, where: str) -> int | None:
    """An integer, or ``None`` when missing."""
    return None if value is None else count(value, where)


def flag(value: Any, where: str) -> bool:
    """A boolean (``False`` when missing)."""
    if value is None:
        return False
    if type(value) is bool:
        return value
    raise wrong_type(value, "a boolean", where)
