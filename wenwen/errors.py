"""Errors raised by the Wenwen client.

    WenwenError
    ├── ConfigurationError          missing key, bad base URL, bad argument
    │   ├── InvalidFileError            an upload that is missing, empty, of the wrong type or too big
    │   └── InvalidArgumentError        an argument of the wrong type, range or value (``argument``)
    ├── APIConnectionError          could not reach the relay, or the connection broke
    │   └── APITimeoutError
    ├── APIStatusError              the relay answered 4xx/5xx (status, message, code, request_id)
    │   ├── BadRequestError             400, 413, 422
    │   ├── AuthenticationError         401
    │   ├── PermissionDeniedError       403
    │   │   └── QuotaExceededError          code insufficient_user_quota / *_quota_*
    │   ├── NotFoundError               404
    │   │   └── ModelNotFoundError          code model_not_found (the relay sends it as 503)
    │   ├── ConflictError               409
    │   ├── RateLimitError              429
    │   └── InternalServerError         5xx
    ├── StreamError                 a stream broke, stalled or ended early; ``partial`` keeps
    │                               what had arrived
    ├── ProtocolError               a reply that does not parse, or a request part that the
    │   │                           chosen protocol cannot carry
    │   └── UnsupportedFeatureError
    ├── DownloadError               a result URL could not be fetched (key-less download path)
    │   └── DownloadTooLargeError
    ├── FileAccessError             a tool argument named a file outside ``root_dir``
    ├── TaskTimeoutError            a task wait passed its deadline (``task_id`` to resume)
    ├── TaskCancelledError          a sync task wait was stopped by its stop flag
    ├── TaskFailedError             an asynchronous media task ended in failure
    └── BudgetExceededError         a usage budget (max_cost, min_balance) stopped a call

The relay wraps several vendor formats, so an error body may come in any of these shapes;
``error_from_response`` reads them all:

- OpenAI / new-api: ``{"error": {"message", "type", "code", "param"?}}``
- Anthropic: ``{"type": "error", "error": {"type", "message"}}``
- Midjourney: ``{"code": 4, "description": "...", "type"?}``
- tasks (video): ``{"code": "...", "message": "...", "data": null}``
- an empty or non-JSON body (one-api's IP limiter answers 429 with no body).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import ChatResponse

_REQUEST_ID_IN_MESSAGE = re.compile(r"\(request id: ([^)]+)\)\s*$")


class WenwenError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(WenwenError, ValueError):
    """The client was set up or called with something it cannot use."""


class APIConnectionError(WenwenError):
    """``host`` and ``port``: where the client tried to connect (when known)."""

    host: str | None = None
    port: int | None = None

    def __init__(self, message: str = "could not connect to the Wenwen API") -> None:
        super().__init__(message)
        self.message = message


class APITimeoutError(APIConnectionError):
    def __init__(self, message: str = "request to the Wenwen API timed out") -> None:
        super().__init__(message)


class APIStatusError(WenwenError):
    """The relay answered with an error status. ``message`` is the relay's own text."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.type = type
        self.request_id = request_id
        self.body = body
        self.headers = headers or {}
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"Error code: {self.status_code}"
        if self.code:
            text += f" ({self.code})"
        text += f" - {self.message}"
        if self.request_id and self.request_id not in self.message:
            text += f" [request id: {self.request_id}]"
        return text


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    key_source: str | None = None
    """Where the refused key came from (``"the WENWEN_API_KEY environment variable"``)."""


class PermissionDeniedError(APIStatusError):
    pass


class QuotaExceededError(PermissionDeniedError):
    pass


class NotFoundError(APIStatusError):
    pass


class ModelNotFoundError(NotFoundError):
    suggestions: tuple[str, ...] = ()
    """Names from the relay's model list close to the one asked for."""


class ConflictError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


class StreamError(WenwenError):
    """A stream ended badly. ``partial`` is the response accumulated up to the failure."""

    def __init__(self, message: str, *, partial: ChatResponse | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.partial = partial


class ProtocolError(WenwenError):
    """The relay sent something that does not parse, or a request cannot be expressed."""


class UnsupportedFeatureError(ProtocolError):
    """A request uses a feature that the selected protocol cannot carry."""


class InvalidFileError(ConfigurationError):
    """A file given for upload is missing, empty, of the wrong type or too large.
    ``reason`` is one of ``missing``, ``not_a_file``, ``empty``, ``too_large``, ``wrong_kind``
    (``None`` when not given); ``path`` the file as it was named, when it was a path."""

    def __init__(self, message: str, *, reason: str | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.path = path


class InvalidArgumentError(ConfigurationError):
    """A call argument of the wrong type, out of its range or not one of the values the relay
    documents; ``argument`` names it. Raised before any request."""

    def __init__(self, message: str, *, argument: str) -> None:
        super().__init__(message)
        self.message = message
        self.argument = argument


class FileAccessError(WenwenError, ValueError):
    """A tool was asked to read a file outside the folders its user allowed. ``path`` is the
    path as the tool's caller named it; ``setting`` names the setting that allows folders
    (``root_dir``). Raised before the file is opened."""

    def __init__(self, message: str, *, path: str, setting: str = "root_dir") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.setting = setting


class DownloadError(WenwenError):
    """A result URL could not be fetched (bad URL, HTTP error, broken connection)."""

    def __init__(self, message: str, *, url: str = "", status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status_code = status_code


class DownloadTooLargeError(DownloadError):
    """A download exceeded its size bound; nothing partial is kept."""


SENSITIVE_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "password", "signature")
"""A header whose lower-cased name contains one of these carries a credential."""
_REDACTED = "[redacted]"


def is_sensitive_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_HEADER_WORDS)


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` fit for ``repr``, dumps and traces: credential values are masked."""
    if headers is None:
        return None
    return {k: ("**********" if is_sensitive_header(k) else v) for k, v in headers.items()}


def header_secrets(headers: Mapping[str, str] | Any) -> list[str]:
    """The credential values among ``headers`` (and the token of a ``Bearer`` value), longest
    first, so that ``redact`` removes a whole value before any part of it."""
    found: set[str] = set()
    for name, value in headers.items():
        if not is_sensitive_header(name):
            continue
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        for candidate in (text, text.strip(), text.partition(" ")[2].strip()):
            if len(candidate) >= 4:
                found.add(candidate)
    return sorted(found, key=len, reverse=True)


def redact(message: str, secrets: Iterable[str]) -> str:
    """``message`` with every secret (also in its ``repr`` form) replaced by a marker."""
    for secret in secrets:
        if not secret:
            continue
        message = message.replace(secret, _REDACTED)
        escaped = repr(secret)[1:-1]
        if escaped != secret:
            message = message.replace(escaped, _REDACTED)
    return message


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


class TaskFailedError(WenwenError):
    def __init__(self, message: str, *, task: Any = None) -> None:
        super().__init__(message)
        self.task = task

    @property
    def reason(self) -> str | None:
        """The relay's fail reason (``failReason`` / ``fail_reason`` / ``error.message``)."""
        return getattr(self.task, "fail_reason", None)

    @property
    def task_id(self) -> str | None:
        return getattr(self.task, "id", None)


class TaskTimeoutError(WenwenError, TimeoutError):
    """A task did not finish before the wait's deadline. The task still runs on the relay:
    wait again with ``task_id``; ``task`` is the last snapshot seen (or ``None``)."""

    def __init__(self, message: str, *, task_id: str, task: Any = None) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.task = task


class TaskCancelledError(WenwenError):
    """A sync wait was stopped through its stop flag. The task still runs on the relay."""

    def __init__(self, message: str, *, task_id: str, task: Any = None) -> None:
        super().__init__(message)
        self.task_id = task_id
        self.task = task


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


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DownloadError",
    "DownloadTooLargeError",
    "FileAccessError",
    "InternalServerError",
    "InvalidArgumentError",
    "InvalidFileError",
    "ModelNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProtocolError",
    "QuotaExceededError",
    "RateLimitError",
    "StreamError",
    "TaskCancelledError",
    "TaskFailedError",
    "TaskTimeoutError",
    "UnsupportedFeatureError",
    "WenwenError",
    "error_from_response",
    "header_secrets",
    "invalid_input",
    "is_sensitive_header",
    "json_text",
    "parse_error_body",
    "redact",
    "redact_headers",
    "unserializable_body_error",
]


class ContentBlockedError(WenwenError):
    """The model refused the prompt itself (Gemini ``promptFeedback.blockReason``), so no
    reply exists. ``reason`` is the vendor's reason, ``body`` the whole reply."""

    def __init__(self, message: str, *, reason: str, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.body = body


__all__ += ["ContentBlockedError"]


class BudgetExceededError(WenwenError):
    """A call was refused before its request: the usage tracker's budget (``max_cost``, USD)
    is spent, or the relay's balance fell below ``min_balance``. ``spent_usd`` and
    ``spent_quota`` are what the tracker had counted; ``limit_usd`` is the limit that
    stopped the call; ``balance_usd`` the last balance read (``min_balance`` only)."""

    def __init__(
        self,
        message: str,
        *,
        spent_usd: float,
        spent_quota: int,
        limit_usd: float,
        balance_usd: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.spent_usd = spent_usd
        self.spent_quota = spent_quota
        self.limit_usd = limit_usd
        self.balance_usd = balance_usd


__all__ += ["BudgetExceededError"]
