"""The one place secrets are masked (standard library only, so every layer may use it): API keys, credential headers, URL passwords and signed-URL
signatures, in text, headers, URLs, log records and raised errors. One mask everywhere:
``MASK`` (the ten asterisks pydantic's ``SecretStr`` shows).

``Redactor`` holds the secrets of one client (its key, its credential headers) and cleans
whatever is about to leave the package: an error's message, args, body, headers and notes
(``scrub``), a URL or any text. URL query values that carry credentials are masked whoever
they belong to (Gemini's ``?key=``, S3's ``X-Amz-Signature``, Azure's ``sig``, ...).
A logging filter does the same for the ``httpx``, ``httpcore`` and ``wenwen`` loggers (httpx
logs every request URL at INFO level).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

MASK = "**********"

SENSITIVE_HEADER_WORDS = ("auth", "key", "token", "secret", "cookie", "password", "signature")
"""A header whose lower-cased name contains one of these carries a credential."""

# Query parameters that carry a credential: API keys, and the signatures and tokens of
# pre-signed URLs (AWS SigV4 ``X-Amz-Signature``/``X-Amz-Credential``/``X-Amz-Security-Token``,
# https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html; Google Cloud
# Storage ``X-Goog-Signature``; Azure SAS ``sig``; CloudFront ``Signature``/``Key-Pair-Id``).
_SECRET_PARAM = (
    r"key|api_key|apikey|api-key|x-goog-api-key|access_token|token|auth|sig|signature"
    r"|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature"
    r"|x-goog-credential|key-pair-id|policy|password|secret|client_secret"
)
_SECRET_IN_QUERY = re.compile(rf"([?&;](?:{_SECRET_PARAM})=)[^&#\s'\"<>)]+", re.IGNORECASE)
# ``scheme://user:password@host``: the password goes, the user name stays
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@'\"]*:)[^/\s@'\"]+@")
_COOKIE_HEADERS = frozenset({"set-cookie", "cookie", "authorization", "proxy-authorization"})
_installed = False


def is_sensitive_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SENSITIVE_HEADER_WORDS)


def redact_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` fit for ``repr``, dumps and traces: credential values are masked."""
    if headers is None:
        return None
    return {k: (MASK if is_sensitive_header(k) else v) for k, v in headers.items()}


def header_secrets(headers: Mapping[str, Any] | Any) -> list[str]:
    """The credential values among ``headers`` (and the token of a ``Bearer`` value)."""
    found: set[str] = set()
    for name, value in headers.items():
        name = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        if not is_sensitive_header(name):
            continue
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        for candidate in (text, text.strip(), text.partition(" ")[2].strip()):
            if len(candidate) >= 4:
                found.add(candidate)
    return sorted(found, key=len, reverse=True)


def redact_urls(text: str) -> str:
    """``text`` with URL passwords and credential query values masked."""
    if "=" in text:
        text = _SECRET_IN_QUERY.sub(rf"\g<1>{MASK}", text)
    if "@" in text:
        text = _URL_PASSWORD.sub(rf"\g<1>{MASK}@", text)
    return text


def _forms(secret: str) -> set[str]:
    """A secret as it may appear in text: as is, stripped, in ``repr`` and URL-encoded."""
    forms = {secret, secret.strip(), repr(secret)[1:-1], quote(secret, safe="")}
    return {form for form in forms if len(form) >= 4}


class Redactor:
    """Masks a fixed set of secrets (and every URL credential) in whatever it is given."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms |= _forms(secret)
        self._secrets = sorted(forms, key=len, reverse=True)  # whole values before parts

    def with_secrets(self, secrets: Iterable[str | None]) -> Redactor:
        """This redactor plus ``secrets`` (a failed request's credential headers, say)."""
        extra = [s for s in secrets if s]
        if not extra:
            return self
        return Redactor([*self._secrets, *extra])

    def text(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return redact_urls(text)

    def value(self, value: Any) -> Any:
        """Strings masked inside any JSON-like value (dicts and lists are copied)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(value.decode("utf-8", "replace")).encode()
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        return value

    def scrub(self, error: BaseException) -> BaseException:
        """``error`` with every secret masked in its args, message, body, headers, url and
        notes (in place; returned for ``raise redactor.scrub(error)``)."""
        error.args = tuple(self.value(a) for a in error.args)
        for name in ("message", "body", "url"):
            current = getattr(error, name, None)
            if isinstance(current, str | bytes | dict | list):
                setattr(error, name, self.value(current))
        headers = getattr(error, "headers", None)
        if isinstance(headers, dict):
            # reply headers keep their values (rate-limit "*-tokens" headers are no secret)
            # unless they set a cookie or echo one of ours
            error.headers = {  # type: ignore[attr-defined]
                k: MASK if k.lower() in _COOKIE_HEADERS else self.text(v)
                for k, v in headers.items()
            }
        notes = getattr(error, "__notes__", None)
        if isinstance(notes, list):
            notes[:] = [self.text(n) if isinstance(n, str) else n for n in notes]
        return error


NO_SECRETS = Redactor()


@contextlib.contextmanager
def masking(redactor: Redactor) -> Iterator[None]:
    """Errors of this package leaving the block are scrubbed by ``redactor`` (a reply that
    echoes the key inside a 200 body, say, reaches an error through a protocol's parser)."""
    try:
        yield
    except Exception as error:
        if type(error).__module__.startswith("wenwen"):
            redactor.scrub(error)
        raise


class RedactingLogFilter(logging.Filter):
    """Masks URL credentials in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_clean_arg(a) for a in args)
        if isinstance(record.msg, str):
            record.msg = redact_urls(record.msg)
        return True


def _clean_arg(arg: object) -> object:
    if isinstance(arg, int | float | bool) or arg is None:
        return arg
    text = str(arg)
    cleaned = redact_urls(text)
    return arg if cleaned == text else cleaned


def install_log_filter() -> None:
    """Once per process: mask URL credentials in what httpx, httpcore and wenwen log."""
    global _installed
    if _installed:
        return
    _installed = True
    for name in ("httpx", "httpcore", "wenwen"):
        logging.getLogger(name).addFilter(RedactingLogFilter())


__all__ = [
    "MASK",
    "NO_SECRETS",
    "SENSITIVE_HEADER_WORDS",
    "RedactingLogFilter",
    "Redactor",
    "header_secrets",
    "install_log_filter",
    "is_sensitive_header",
    "masking",
    "redact_headers",
    "redact_urls",
]
