"""Errors raised by the Wenwen client.

    WenwenError
    ├── ConfigurationError          missing key, bad base URL, bad argument
    │   ├── InvalidFileError            an upload that is missing, empty, of the wrong type or too big
    │   └── InvalidArgumentError        an argument of the wrong type, range or value (``argument``)
    ├── APIConnectionError          could not reach the relay, or the connection broke
    │   └── APITimeoutError             a try or the call's total_timeout ran out
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
    ├── PartialEmbeddingError       some embedding batches failed; the others' vectors kept
    ├── ProtocolError               a reply that does not parse, or a request part that the
    │   │                           chosen protocol cannot carry
    │   └── UnsupportedFeatureError
    ├── DownloadError               a result URL could not be fetched (key-less download path)
    │   ├── DownloadTooLargeError
    │   ├── DownloadBlockedError        the URL (or a redirect) leads to an address not allowed
    │   ├── DownloadContentError        the body is not the media kind expected (or a 3xx)
    │   └── DownloadTimeoutError        the download's total deadline passed
    ├── FileAccessError             a tool argument named a file outside ``root_dir``
    ├── TaskTimeoutError            a task wait passed its deadline (``task_id`` to resume)
    ├── TaskCancelledError          a sync task wait was stopped by its stop flag
    ├── TaskFailedError             an asynchronous media task ended in failure
    ├── ContentBlockedError         the model refused the prompt itself (no reply exists)
    └── BudgetExceededError         a usage budget (max_cost, min_balance) stopped a call

Only the classes live here. Reading an error reply into one of them is
``wenwen.protocols.error_body.error_from_response``; masking secrets in them is
``wenwen.redaction``; JSON-value checks that raise ``ConfigurationError`` are
``wenwen.validation``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import ChatResponse


class WenwenError(Exception):
    """Base class of every error this package raises."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Engines (Ray, Dask, Spark) ship a worker's error to the driver by pickle; the
        # default would call __init__ again with ``args`` only and lose (or fail on) the
        # keyword-only fields.
        return (_restored_error, (type(self), self.args, self.__dict__))


def _restored_error(cls: type[WenwenError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


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
    """A try, or the whole call (``total_timeout``), ran out of time. ``elapsed`` is the real
    time the call took, ``attempts`` how many tries it made, ``timeout`` the per-try timeout,
    ``total_timeout`` the call's budget and ``host`` where it was going (each ``None`` when
    not known)."""

    def __init__(
        self,
        message: str = "request to the Wenwen API timed out",
        *,
        elapsed: float | None = None,
        attempts: int | None = None,
        timeout: float | None = None,
        total_timeout: float | None = None,
        host: str | None = None,
    ) -> None:
        super().__init__(message)
        self.elapsed = elapsed
        self.attempts = attempts
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.host = host


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
    """A result URL could not be fetched (bad URL, HTTP error, broken connection). URL
    passwords and signed-URL credentials are masked in ``message`` and ``url``."""

    def __init__(self, message: str, *, url: str = "", status_code: int | None = None) -> None:
        from .redaction import redact_urls  # stdlib-only module: no import cycle

        message, url = redact_urls(message), redact_urls(url)
        super().__init__(message)
        self.message = message
        self.url = url
        self.status_code = status_code


class DownloadTooLargeError(DownloadError):
    """A download exceeded its size bound; nothing partial is kept."""


class DownloadBlockedError(DownloadError):
    """A download (or one of its redirects) leads to a scheme or an address that is not
    allowed: loopback, private, link-local, metadata... unless it is the relay's own origin or
    a host the user allowed (``allow_private_hosts``). Nothing was sent to it."""


class DownloadContentError(DownloadError):
    """A download's body is not the media kind expected (by content type or magic bytes), or a
    content route answered with a redirect; nothing is kept."""


class DownloadTimeoutError(DownloadError, TimeoutError):
    """A download passed its total deadline (slow bodies included); nothing partial is kept."""


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


class ContentBlockedError(WenwenError):
    """The model refused the prompt itself (Gemini ``promptFeedback.blockReason``), so no
    reply exists. ``reason`` is the vendor's reason, ``body`` the whole reply."""

    def __init__(self, message: str, *, reason: str, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.body = body


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


__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigurationError",
    "ConflictError",
    "ContentBlockedError",
    "DownloadBlockedError",
    "DownloadContentError",
    "DownloadError",
    "DownloadTimeoutError",
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
]

# Helpers that used to live here, importable from their new homes for older code.
_MOVED = {
    "error_from_response": "wenwen.protocols.error_body",
    "parse_error_body": "wenwen.protocols.error_body",
    "json_text": "wenwen.validation",
    "unserializable_body_error": "wenwen.validation",
    "invalid_input": "wenwen.validation",
    "redact_headers": "wenwen.redaction",
    "header_secrets": "wenwen.redaction",
    "is_sensitive_header": "wenwen.redaction",
    "SENSITIVE_HEADER_WORDS": "wenwen.redaction",
}


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'wenwen.errors' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)


class PartialEmbeddingError(WenwenError):
    """Some batches of an embedding call failed after their retries; the vectors of the
    others are kept. ``vectors[i]`` is input ``i``'s vector, or ``None`` when its batch
    failed; ``failed_indices`` and ``failed_texts`` name what to embed again, ``errors`` holds
    each failed batch's error (in input order). ``complete(redone)`` fills the gaps with the
    vectors of ``failed_texts`` embedded again::

        try:
            vectors = embeddings.embed_documents(texts)
        except PartialEmbeddingError as partial:
            vectors = partial.complete(embeddings.embed_documents(partial.failed_texts))
    """

    def __init__(
        self,
        vectors: list[list[float] | None],
        failed_indices: list[int],
        failed_texts: list[str],
        errors: list[Exception],
    ) -> None:
        self.vectors = vectors
        self.failed_indices = failed_indices
        self.failed_texts = failed_texts
        self.errors = errors
        first = errors[0] if errors else None
        super().__init__(
            f"{len(failed_indices)} of {len(vectors)} texts were not embedded "
            f"({len(errors)} failed batch{'es' if len(errors) != 1 else ''}; the other "
            f"vectors are in .vectors); first error: {type(first).__name__}: {first}"
        )

    def complete(self, redone: list[list[float]]) -> list[list[float]]:
        """Every vector: the kept ones, and ``redone`` (for ``failed_texts``, in order) in
        the gaps."""
        if len(redone) != len(self.failed_indices):
            raise ConfigurationError(
                f"redone has {len(redone)} vectors for {len(self.failed_indices)} failed texts"
            )
        vectors = list(self.vectors)
        for index, vector in zip(self.failed_indices, redone, strict=True):
            vectors[index] = vector
        return [v for v in vectors if v is not None]


__all__ += ["PartialEmbeddingError"]


class ClientNotPickledWarning(UserWarning):
    """A model was pickled (shipped to a worker) without the ``http_client`` you gave it:
    sockets and locks cannot travel, so the copy builds its own connection pool. ``field``
    names the setting."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


__all__ += ["ClientNotPickledWarning"]
