"""The one reader of the environment: ``WENWEN_API_KEY`` and ``WENWEN_BASE_URL``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pydantic import SecretStr

from .errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.wenwen-ai.com"
API_KEY_ENV = "WENWEN_API_KEY"
BASE_URL_ENV = "WENWEN_BASE_URL"
DEFAULT_TIMEOUT = 120.0
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_RETRIES = 2


def normalize_base_url(url: str) -> str:
    """The relay's root URL: accepts ``https://host``, ``https://host/`` and ``https://host/v1``
    (the OpenAI-SDK style), and returns ``https://host`` — paths are added per endpoint."""
    text = url.strip()
    if not text.startswith(("http://", "https://")):
        raise ConfigurationError(f"base_url must start with http:// or https://, got {text!r}")
    text = text.rstrip("/")
    if text.endswith("/v1"):
        text = text[: -len("/v1")]
    return text


def resolve_base_url(explicit: str | None = None) -> str:
    return normalize_base_url(explicit or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL)


def resolve_api_key(explicit: str | SecretStr | None = None) -> SecretStr | None:
    if isinstance(explicit, SecretStr):
        return explicit if explicit.get_secret_value() else None
    if explicit:
        return SecretStr(explicit)
    env = os.environ.get(API_KEY_ENV)
    return SecretStr(env) if env else None


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings. The key is a ``SecretStr``: never printed."""

    api_key: SecretStr | None
    base_url: str
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls, api_key: str | SecretStr | None = None, base_url: str | None = None
    ) -> Settings:
        return cls(api_key=resolve_api_key(api_key), base_url=resolve_base_url(base_url))

    def require_key(self) -> str:
        if self.api_key is None:
            raise ConfigurationError(f"no Wenwen API key: pass api_key=... or set {API_KEY_ENV}")
        return self.api_key.get_secret_value()
