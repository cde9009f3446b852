"""The one reader of connection settings: ``WENWEN_API_KEY``, ``WENWEN_BASE_URL``, the key, the
base URL, the timeout and the extra headers, each checked before any request is built."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.wenwen-ai.com"
API_KEY_ENV = "WENWEN_API_KEY"
BASE_URL_ENV = "WENWEN_BASE_URL"
DEFAULT_TIMEOUT = 120.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_TOTAL_TIMEOUT = 600.0
"""Seconds one call may take in all (every attempt, every wait between attempts, every read of
its body): ten minutes, the default request timeout of OpenAI's and Anthropic's Python SDKs."""
DEFAULT_MAX_STREAM_EVENT_BYTES = 64 * 1024 * 1024
"""The largest Server-Sent-Events line or event a stream may carry (a base64 image or audio
clip fits many times over); a larger one ends the stream with ``StreamError``."""


def normalize_base_url(url: str) -> str:
    """The relay's root URL: accepts ``https://host``, ``https://host/`` and ``https://host/v1``
    (the OpenAI-SDK style), and returns ``https://host`` — paths are added per endpoint."""
    if not isinstance(url, str):
        raise ConfigurationError(f"base_url must be a string, got {type(url).__name__}")
    text = url.strip()
    if not text.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must start with http:// or https://, got {text!r}")
    text = text.rstrip("/")
    if text.endswith("/v1"):
        text = text[: -len("/v1")]
    try:
        host = httpx.URL(text).host
    except (httpx.InvalidURL, ValueError) as exc:
        raise ConfigurationError(f"base_url {text!r} is not a valid URL: {exc}") from None
    if not host:
        raise ConfigurationError(f"base_url {text!r} has no host name")
    return text


def resolve_base_url(explicit: str | None = None) -> str:
    return normalize_base_url(explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)


def _bad_character(text: str) -> str | None:
    """What makes ``text`` unusable in an HTTP header, without quoting it."""
    for position, char in enumerate(text):
        code = ord(char)
        if code < 0x20 or code == 0x7F:
            return f"a control character (U+{code:04X}) at position {position}"
        if code > 0x7E:
            return f"a non-ASCII character at position {position}"
    return None


def normalize_api_key(value: str, source: str = "api_key") -> str:
    """The key as sent. Surrounding whitespace (a trailing newline from a file or a mounted
    secret) is stripped with a warning; an empty key, or one with control or non-ASCII
    characters inside, is a ``ConfigurationError`` that never echoes the key."""
    key = value.strip()
    if not key:
        raise ConfigurationError(f"the Wenwen API key from {source} is empty or only whitespace")
    problem = _bad_character(key)
    if problem is not None:
        raise ConfigurationError(
            f"the Wenwen API key from {source} contains {problem}; keys are printable ASCII"
        )
    if key != value:
        warnings.warn(
            f"the Wenwen API key from {source} had surrounding whitespace (a trailing newline?); "
            "it was stripped",
            UserWarning,
            stacklevel=2,
        )
    return key


def resolve_api_key(explicit: str | SecretStr | None = None) -> SecretStr | None:
    """An explicit key, else ``WENWEN_API_KEY``, normalised; ``None`` when neither is set."""
    if isinstance(explicit, SecretStr):
        explicit = explicit.get_secret_value()
        if not explicit:  # SecretStr("") is how frameworks spell "no key given"
            return None
    if explicit is not None and not isinstance(explicit, str):
        raise ConfigurationError(f"api_key must be a string, got {type(explicit).__name__}")
    if explicit:
        return SecretStr(normalize_api_key(explicit))
    env = os.environ.get(API_KEY_ENV)
    return SecretStr(normalize_api_key(env, API_KEY_ENV)) if env else None


def check_timeout(timeout: object) -> None:
    """Timeouts are positive, finite seconds (or ``None`` / an ``httpx.Timeout``)."""
    if timeout is None or isinstance(timeout, httpx.Timeout):
        return
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ConfigurationError(
            f"timeout must be seconds (a number), None or httpx.Timeout, got {timeout!r}"
        )
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ConfigurationError(
            f"timeout must be a positive number of seconds, got {timeout!r} "
            "(use None for the default limits)"
        )


def check_total_timeout(value: object) -> float | None:
    """A call's budget: positive, finite seconds, or ``None`` (no overall bound)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigurationError(f"total_timeout must be seconds (a number) or None, got {value!r}")
    if not (value > 0 and math.isfinite(value)):
        raise ConfigurationError(
            f"total_timeout must be a positive number of seconds, got {value!r}"
        )
    return float(value)


def check_byte_limit(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be a positive number of bytes, got {value!r}")
    return value


def check_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Extra headers as sent; names and values must be usable in HTTP (a value is never
    echoed: it may be a credential)."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name or _bad_character(name) or " " in name:
            raise ConfigurationError(f"default_headers has an invalid header name {name!r}")
        if not isinstance(value, str):
            raise ConfigurationError(
                f"default_headers[{name!r}] must be a string, got {type(value).__name__}"
            )
        problem = _bad_character(value.strip())
        if problem is not None:
            raise ConfigurationError(f"default_headers[{name!r}] contains {problem}")
        checked[name] = value.strip()
    return checked


def _source(explicit: object, env_name: str, argument: str, default: str) -> str:
    """Where a setting came from, for error messages (never its value). Framework classes
    read the variable themselves and pass it on, so an argument equal to the variable is
    reported as the variable."""
    env = os.environ.get(env_name)
    if isinstance(explicit, SecretStr):
        explicit = explicit.get_secret_value()
    if isinstance(explicit, str) and explicit.strip():
        if env is not None and env.strip() == explicit.strip():
            return f"the {env_name} environment variable"
        return f"the {argument} argument"
    return f"the {env_name} environment variable" if env else default


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. The key is a ``SecretStr``: never printed.
    ``key_source`` / ``base_url_source`` say where each came from (for error messages)."""

    api_key: SecretStr | None
    base_url: str
    key_source: str = "the api_key argument"
    base_url_source: str = "the base_url argument"

    @classmethod
    def resolve(
        cls, api_key: str | SecretStr | None = None, base_url: str | None = None
    ) -> Settings:
        return cls(
            api_key=resolve_api_key(api_key),
            base_url=resolve_base_url(base_url),
            key_source=_source(api_key, API_KEY_ENV, "api_key", "nowhere"),
            base_url_source=_source(base_url, BASE_URL_ENV, "base_url", "the default"),
        )

    def require_key(self) -> str:
        if self.api_key is None:
            raise ConfigurationError(f"no Wenwen API key: pass api_key=... or set {API_KEY_ENV}")
        return self.api_key.get_secret_value()
