"""Reading the relay's replies, and the one place where failures become typed errors:
error statuses (JSON bodies of any vendor shape, or a proxy's HTML page), bodies that do
not parse, and transport failures (before or after the first byte). No I/O happens here."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import httpx
import pydantic_core

from ..errors import APIConnectionError, APIStatusError, ProtocolError
from ..protocols.error_body import error_from_response
from ..redaction import NO_SECRETS, Redactor, header_secrets
from ..types import ModelInfo

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_HTML_SUMMARY_CHARS = 160


def status_error(
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    redactor: Redactor = NO_SECRETS,
) -> APIStatusError:
    """The typed error for an HTTP error reply; an HTML page (from a proxy or CDN, not the
    relay) is reduced to its title or first line of text. A body that echoes the key (or a
    URL credential) is masked before anything reads it."""
    if _is_html(content, headers):
        content = f"HTTP {status} from a proxy (HTML page): {html_summary(content)}".encode()
    clean = redactor.value(content)
    error = error_from_response(status, clean, dict(headers))
    redactor.scrub(error)
    return error


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


def decode_json(
    status: int, content: bytes, headers: Mapping[str, str], redactor: Redactor = NO_SECRETS
) -> Any:
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
        snippet = redactor.text(content[:200].decode("utf-8", "replace"))
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
        raise status_error(status, content, headers, redactor)
    return body


def is_event_stream(headers: Mapping[str, str]) -> bool:
    return "text/event-stream" in headers.get("content-type", "")


def request_redactor(redactor: Redactor, exc: BaseException) -> Redactor:
    """``redactor`` plus the credential headers of the request that failed (h11 and aiohttp
    quote a bad header value in full)."""
    request = None
    if isinstance(exc, httpx.HTTPError):
        try:
            request = exc.request
        except RuntimeError:  # raised before a request was attached
            request = None
    return redactor.with_secrets(header_secrets(request.headers) if request else ())


def target(url: str | None, exc: BaseException | None = None) -> tuple[str | None, int | None]:
    """The host and port a request went to (``url``, else the failed httpx request's)."""
    try:
        if url is not None:
            where = httpx.URL(url)
        elif isinstance(exc, httpx.HTTPError):
            where = exc.request.url
        else:
            return None, None
    except (RuntimeError, httpx.InvalidURL):  # no request attached, or no URL to read
        return None, None
    return where.host or None, where.port or {"http": 80, "https": 443}.get(where.scheme)


def connection_error(
    exc: BaseException,
    redactor: Redactor = NO_SECRETS,
    *,
    what: str = "could not reach",
    url: str | None = None,
) -> APIConnectionError:
    """A transport failure as a typed, key-free error (never chained to ``exc``); its message
    and ``host`` / ``port`` name where the client tried to connect (``url``)."""
    host, port = target(url, exc)
    where = f" at {host}:{port}" if host else ""
    detail = request_redactor(redactor, exc).text(f"{type(exc).__name__}: {exc}")
    error = APIConnectionError(f"{what} the Wenwen API{where}: {detail}")
    error.host, error.port = host, port
    return error


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
