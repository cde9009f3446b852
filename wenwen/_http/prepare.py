"""The request pipeline: a protocol's ``HttpRequest`` becomes a ``PreparedRequest`` (the URL,
headers and encoded body every transport sends as is). No I/O happens here.

A body is encoded in one place (``encode_body``), so a new body kind (a multipart upload,
say) is one branch there and every transport sends it unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from .._settings import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_STREAM_EVENT_BYTES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    Settings,
    check_byte_limit,
    check_headers,
    check_timeout,
    check_total_timeout,
)
from .._version import __version__
from ..errors import ConfigurationError
from ..protocols import HttpRequest, WireProtocol, get_protocol
from ..protocols._remote_mcp import reject_remote_mcp
from ..redaction import Redactor, header_secrets, install_log_filter, redact_urls
from ..types import ChatRequest
from ..validation import unserializable_body_error
from .retry import SYSTEM_CLOCK, Clock, RetryPolicy, check_max_retry_wait

USER_AGENT = f"wenwen-ai/{__version__} (python)"
TimeoutTypes = float | httpx.Timeout | None
_URL_CACHE_SIZE = 64
# one encoder for every body (json.dumps with options builds a new one per call)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def make_timeout(timeout: TimeoutTypes) -> httpx.Timeout:
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if timeout is None:
        return httpx.Timeout(DEFAULT_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    return httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT))


@dataclass(frozen=True, slots=True, repr=False)
class PreparedRequest:
    """What goes on the wire; ``url`` is the base URL plus ``path``. Its ``repr`` shows
    neither the headers nor a key in the URL."""

    method: str
    path: str
    url: str
    headers: dict[str, str]
    content: bytes | None

    def __repr__(self) -> str:
        return f"PreparedRequest({self.method} {redact_urls(self.url)})"


def encode_body(spec: HttpRequest) -> tuple[bytes | None, str | None]:
    """The body bytes and their content type (a ready-made body, multipart say, brings its
    content type in ``spec.headers``)."""
    if spec.json is None:
        return spec.content, None
    try:
        body = _JSON.encode(spec.json).encode()
    except (TypeError, ValueError) as exc:
        raise unserializable_body_error(spec.json, exc) from None
    return body, "application/json"


def with_query_key(url: str, param: str, key: str) -> str:
    """``url`` with ``param=key`` appended (the logging filter masks it in log lines)."""
    install_log_filter()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{quote(param)}={quote(key, safe='')}"


class ClientCore:
    """Settings, headers, timeouts and the retry flow of one client."""

    def __init__(
        self,
        api_key: str | SecretStr | None,
        base_url: str | None,
        *,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        max_retry_wait: float | None = None,
        clock: Clock | None = None,
        total_timeout: float | None = DEFAULT_TOTAL_TIMEOUT,
        max_stream_event_bytes: int = DEFAULT_MAX_STREAM_EVENT_BYTES,
    ) -> None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        check_timeout(timeout)
        self.settings = Settings.resolve(api_key, base_url)
        self.timeout = make_timeout(timeout)
        self.total_timeout = check_total_timeout(total_timeout)
        self.max_stream_event_bytes = check_byte_limit(
            max_stream_event_bytes, "max_stream_event_bytes"
        )
        self.retry = RetryPolicy(max_retries=max_retries)
        self.max_retry_wait = check_max_retry_wait(max_retry_wait)
        self.clock = clock or SYSTEM_CLOCK
        self.default_headers = check_headers(default_headers)
        self.host = httpx.URL(self.settings.base_url).host
        self.redactor = Redactor([self.secret(), *header_secrets(self.default_headers)])
        self._httpx_urls: dict[str, httpx.URL] = {}
        install_log_filter()

    def __repr__(self) -> str:
        return f"<wenwen client base_url={self.settings.base_url!r}>"

    def secret(self) -> str | None:
        """The key, for redacting it from transport messages (never for display)."""
        key = self.settings.api_key
        return key.get_secret_value() if key is not None else None

    # --- requests ---------------------------------------------------------------------

    def prepare(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> PreparedRequest:
        key = self.settings.require_key()
        auth = protocol.auth_headers(key) if protocol else {"Authorization": f"Bearer {key}"}
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        headers.update(self.default_headers)
        headers.update(spec.headers)
        url = self.settings.base_url + spec.path
        if spec.query_key:  # the key in the URL, on request only: redacted from logs/errors
            url, auth = with_query_key(url, spec.query_key, key), {}
        headers.update(auth)
        body, content_type = encode_body(spec)
        if content_type is not None:
            headers["Content-Type"] = content_type
        return PreparedRequest(spec.method, spec.path, url, headers, body)

    def chat_request(
        self, request: ChatRequest, protocol_name: str, *, stream: bool
    ) -> tuple[WireProtocol, PreparedRequest]:
        protocol = get_protocol(protocol_name)
        reject_remote_mcp(request)
        spec = protocol.build_request(request, stream=stream)
        if stream:
            spec.headers.setdefault("Accept", "text/event-stream")
        return protocol, self.prepare(spec, protocol)

    def httpx_request(
        self, prepared: PreparedRequest, timeouts: dict[str, float | None] | None = None
    ) -> httpx.Request:
        """The httpx form, from a URL parsed once (parsing costs ~8 µs a call). The cache is
        keyed by the whole URL: a key sent in the query belongs to that call only.
        ``timeouts`` is this attempt's (httpcore reads it again before each socket read)."""
        url = self._httpx_urls.get(prepared.url)
        if url is None:
            url = httpx.URL(prepared.url)
            if len(self._httpx_urls) < _URL_CACHE_SIZE:
                self._httpx_urls[prepared.url] = url
        return httpx.Request(
            prepared.method,
            url,
            headers=prepared.headers,
            content=prepared.content,
            extensions={"timeout": timeouts if timeouts is not None else self.timeout.as_dict()},
        )

    def build(self, spec: HttpRequest, protocol: WireProtocol | None = None) -> httpx.Request:
        """An ``httpx.Request`` for ``spec`` (for callers that send with httpx themselves)."""
        return self.httpx_request(self.prepare(spec, protocol))
