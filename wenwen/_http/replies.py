"""Reading the relay's replies, and the one place where failures become typed errors:
error statuses (JSON bodies of any vendor shape, or a proxy's HTML page), bodies that do
not parse, and transport failures (before or after the first byte). No I/O happens here."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Mapping
from typing import Any

import httpx
import pydantic_core

from ..errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ProtocolError,
    error_from_response,
    header_secrets,
)
from ..errors import redact as redact_secrets
from ..types import ModelInfo
from .redact import redact_url_keys

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HTML_SUMMARY_CHARS = 160


def status_error(status: int, content: bytes, headers: Mapping[str, str]) -> APIStatusError:
    """The typed error for an HTTP error reply; an HTML page (from a proxy or CDN, not the
    relay) is reduced to its title or first line of text."""
    if _is_html(content, headers):
        content = f"HTTP {status} from a proxy (HTML page): {html_summary(content)}".encode()
    return error_from_response(status, content, dict(headers))


def _is_html(content: bytes, headers: Mapping[str, str]) -> bool:
    if "text/html" in headers.get("content-type", "").lower():
        return True
    head = content[:64].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def html_summary(content: bytes) -> str:
    """The page's ``<title>``, else its first non-empty line of text, shortened."""
    match = _TITLE.search(content[:65536])
    text = match.group(1).decode("utf-8", "replace") if match else ""
    if not text.strip():
        body = _TAG.sub("\n", content[:65536].decode("utf-8", "replace"))
        text = next((line for line in body.splitlines() if line.strip()), "")
    text = " ".join(html.unescape(text).split()) or "no title"
    return text[:_HTML_SUMMARY_CHARS]


def decode_json(status: int, content: bytes, headers: Mapping[str, str]) -> Any:
    """The JSON body of a successful reply; a typed error for broken or error bodies."""
    try:
        # pydantic-core's parser: twice as fast as json.loads on float-heavy replies, and
        # only keys are interned (unique reply ids would grow its string cache)
        body = pydantic_core.from_json(content, cache_strings="keys")
    except ValueError as exc:
        if _is_html(content, headers):  # a proxy's login or error page
            raise ProtocolError(
                f"the relay answered HTTP {status} with an HTML page, not JSON: "
                f"{html_summary(content)}"
            ) from None
        snippet = content[:200].decode("utf-8", "replace")
        raise ProtocolError(
            f"the relay answered HTTP {status} with a body that is not valid "
            f"JSON ({exc}): {snippet!r}"
        ) from None
    # relays sometimes wrap an upstream failure in a 200
    if (
        isinstance(body, dict)
        and body.get("error")
        and not any(k in body for k in ("choices", "content", "data"))
    ):
        raise error_from_response(status, content, dict(headers))
    return body


def is_event_stream(headers: Mapping[str, str]) -> bool:
    return "text/event-stream" in headers.get("content-type", "")


def redact(text: str, secret: str | None, exc: BaseException | None = None) -> str:
    """``text`` without the key (``secret``, also stripped), a key carried in a URL
    (Gemini's ``?key=``) or any credential header of the request that failed (h11 quotes a
    bad header value in full)."""
    secrets = [form for form in {secret or "", (secret or "").strip()} if form]
    if isinstance(exc, httpx.HTTPError):
        with contextlib.suppress(RuntimeError):  # raised before a request was attached
            secrets += header_secrets(exc.request.headers)
    return redact_url_keys(redact_secrets(text, sorted(secrets, key=len, reverse=True)))


def _target(exc: httpx.HTTPError, url: str | None) -> tuple[str | None, int | None]:
    """The host and port the failed request went to (``url``, else httpx's request)."""
    try:
        target = httpx.URL(url) if url is not None else exc.request.url
    except (RuntimeError, httpx.InvalidURL):  # no request attached, or no URL to read
        return None, None
    return target.host or None, target.port or {"http": 80, "https": 443}.get(target.scheme)


def transport_error(
    exc: httpx.HTTPError, secret: str | None = None, url: str | None = None
) -> APIConnectionError:
    """A failure before any reply arrived (both async paths raise httpx's exception types);
    the message and ``host`` / ``port`` name where the client tried to connect (``url``)."""
    host, port = _target(exc, url)
    where = f" at {host}:{port}" if host else ""
    error: APIConnectionError
    if isinstance(exc, httpx.TimeoutException):
        error = APITimeoutError(
            f"request to the Wenwen API{where} timed out ({type(exc).__name__})"
        )
    else:
        detail = redact(f"{type(exc).__name__}: {exc}", secret, exc)
        error = APIConnectionError(f"could not reach the Wenwen API{where}: {detail}")
    error.host, error.port = host, port
    return error


def broken_stream_message(exc: BaseException, secret: str | None = None) -> str:
    """Why a stream stopped after it began (a read timeout or a broken connection)."""
    if isinstance(exc, httpx.TimeoutException):
        return "the stream stalled: no data arrived within the read timeout"
    return redact(f"the connection broke mid-stream ({type(exc).__name__}: {exc})", secret, exc)


def parse_models(body: Any) -> list[ModelInfo]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProtocolError("model list reply has no 'data' list")
    out = []
    for row in body["data"]:
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            out.append(
                ModelInfo(
                    id=row["id"], owned_by=row.get("owned_by"), created=row.get("created"), raw=row
                )
            )
    return out
