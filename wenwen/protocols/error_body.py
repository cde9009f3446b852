"""Reading an error reply into the typed error it stands for (``wenwen.errors``), whatever
shape the relay gave it. No I/O happens here.

The relay wraps several vendor formats, so an error body may come in any of these shapes:

- OpenAI / new-api: ``{"error": {"message", "type", "code", "param"?}}``
- Anthropic: ``{"type": "error", "error": {"type", "message"}}``
- Midjourney: ``{"code": 4, "description": "...", "type"?}``
- tasks (video): ``{"code": "...", "message": "...", "data": null}``
- an empty or non-JSON body (one-api's IP limiter answers 429 with no body).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    ModelNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
)

_REQUEST_ID_IN_MESSAGE = re.compile(r"\(request id: ([^)]+)\)\s*$")


def _status_class(status: int, code: str | None) -> type[APIStatusError]:
    if code == "model_not_found":
        return ModelNotFoundError
    if code and ("quota" in code):
        return QuotaExceededError
    if status in (400, 413, 422):
        return BadRequestError
    by_status: dict[int, type[APIStatusError]] = {
        401: AuthenticationError,
        403: PermissionDeniedError,
        404: NotFoundError,
        409: ConflictError,
        429: RateLimitError,
    }
    if status in by_status:
        return by_status[status]
    if status >= 500:
        return InternalServerError
    return APIStatusError


def _as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def parse_error_body(body: Any) -> tuple[str | None, str | None, str | None]:
    """``(message, type, code)`` from any of the relay's error shapes, or Nones."""
    if not isinstance(body, dict):
        return None, None, None
    inner = body.get("error")
    if isinstance(inner, dict):
        message = _as_text(inner.get("message"))
        return message, _as_text(inner.get("type")), _as_text(inner.get("code"))
    if isinstance(inner, str):
        return inner, _as_text(body.get("type")), _as_text(body.get("code"))
    if "description" in body:  # Midjourney
        return (
            _as_text(body.get("description")),
            _as_text(body.get("type")),
            _as_text(body.get("code")),
        )
    if "message" in body:  # task / video
        return _as_text(body.get("message")), _as_text(body.get("type")), _as_text(body.get("code"))
    return None, None, None


def error_from_response(
    status: int, content: bytes, headers: dict[str, str] | None = None
) -> APIStatusError:
    """Build the typed error for an HTTP error reply, whatever shape its body has."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    body: Any = None
    text = content.decode("utf-8", "replace").strip()
    if text:
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    message, type_, code = parse_error_body(body)
    if message is None:
        if isinstance(body, str) and body:
            message = body[:500]
        else:
            message = f"HTTP {status} with an empty body"
    request_id = headers.get("x-oneapi-request-id") or headers.get("request-id")
    if request_id is None:
        match = _REQUEST_ID_IN_MESSAGE.search(message)
        if match:
            request_id = match.group(1)
    cls = _status_class(status, code)
    return cls(
        message,
        status_code=status,
        code=code,
        type=type_,
        request_id=request_id,
        body=body,
        headers=headers,
    )


__all__ = ["error_from_response", "parse_error_body"]
