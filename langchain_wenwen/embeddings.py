"""``WenwenEmbeddings``: LangChain embeddings through the relay's ``/v1/embeddings``.

Texts go as raw strings (never token ids), vectors come back as base64 (as with
``OpenAIEmbeddings``; float lists are read too, and an upstream that refuses base64 is asked
for floats from then on), in batches of
``chunk_size``; results keep the input order. The core client retries each batch on its own
(connection errors, 429, 5xx) and runs batches concurrently up to ``max_concurrency``; when
some batches still fail, ``wenwen.errors.PartialEmbeddingError`` carries the vectors of the
others and names the texts to embed again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

import httpx
from langchain_core.embeddings import Embeddings
from langchain_core.load import Serializable
from langchain_core.rate_limiters import BaseRateLimiter
from langchain_core.utils import from_env, secret_from_env
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from wenwen.client_set import ClientSet
from wenwen.concurrency import ExternalGate, RateLimit
from wenwen.connection import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES
from wenwen.errors import ConfigurationError
from wenwen.media.embeddings import vectors_or_partial

from ._connection import ClientOwner, RateLimiterGate

DEFAULT_TIMEOUT = 120.0


class WenwenEmbeddings(ClientOwner, Serializable, Embeddings):
    """Embeddings from any embedding model the Wenwen relay serves.

    ```python
    from langchain_wenwen import WenwenEmbeddings

    embeddings = WenwenEmbeddings(model="text-embedding-3-small", dimensions=256)
    vectors = embeddings.embed_documents(["first text", "second text"])
    ```
    """

    model: str = "text-embedding-3-small"
    api_key: SecretStr | None = Field(default_factory=secret_from_env(API_KEY_ENV, default=None))
    base_url: str = Field(default_factory=from_env(BASE_URL_ENV, default=DEFAULT_BASE_URL))
    dimensions: int | None = None
    """Output vector size, for models that can shorten their vectors."""
    encoding_format: Literal["float", "base64"] = "base64"
    """How vectors travel. ``base64`` (packed float32, less than half the bytes of JSON
    numbers) is tried first, and the client switches to ``float`` for a model whose
    upstream rejects it; ``float`` always asks for JSON numbers."""
    chunk_size: int = 512
    """Texts per request."""
    max_concurrency: int = 4
    """Async requests in flight at once."""
    show_progress_bar: bool = False
    """Show a tqdm progress bar over batches (needs ``tqdm``)."""
    timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_retry_wait: float | None = None
    """Seconds one call may spend waiting between retries (default 30)."""
    async_transport: Literal["auto", "httpx", "aiohttp"] = "auto"
    """How async calls are sent: aiohttp when installed (``auto``), or httpx."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra JSON body fields sent with every request."""
    default_headers: dict[str, str] | None = None
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    rate_limit: float | RateLimit | None = None
    """A fixed client-side budget: requests per second, or a ``wenwen.concurrency.RateLimit``
    (requests per second and tokens per minute). Without it the requests in flight still
    adapt to the relay's 429s (see README, "Scaling out")."""
    rate_limiter: BaseRateLimiter | None = Field(default=None, exclude=True)
    """A LangChain rate limiter (``InMemoryRateLimiter``), asked once per request."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    @model_validator(mode="after")
    def _check_settings(self) -> WenwenEmbeddings:
        for name in ("chunk_size", "max_concurrency"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.dimensions is not None and self.dimensions < 1:
            raise ConfigurationError(f"dimensions must be >= 1, got {self.dimensions}")
        return self

    def _rate_gate(self) -> ExternalGate | None:
        return RateLimiterGate(self.rate_limiter) if self.rate_limiter is not None else None

    # LangChain serialization (``dumpd``/``to_json``): the key travels as a secret reference
    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": API_KEY_ENV}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_wenwen", "embeddings"]

    def _embed_args(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "dimensions": self.dimensions,
            "batch_size": self.chunk_size,
            "extra_body": dict(self.model_kwargs) or None,
            # base64 is the core's default, with the fallback to floats
            "encoding_format": "float" if self.encoding_format == "float" else None,
        }

    # --- sync --------------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        client = self._clients.sync(self._make_client)
        if not self.show_progress_bar:
            args = self._embed_args()
            return client.embed(texts, **args, max_concurrency=self.max_concurrency).vectors
        batches = _batches(texts, self.chunk_size)
        outcomes: list[list[list[float]] | Exception] = []
        with _ProgressBar(len(texts)) as advance:
            for batch in batches:
                try:
                    outcomes.append(client.embed(batch, **self._embed_args()).vectors)
                except Exception as error:  # kept: the other batches' vectors still count
                    outcomes.append(error)
                advance(len(batch))
        return vectors_or_partial(batches, outcomes)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    # --- async -------------------------------------------------------------------------

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        client = await self._clients.for_running_loop(self._make_async_client)
        args = self._embed_args()
        if not self.show_progress_bar:
            result = await client.embed(texts, **args, max_concurrency=self.max_concurrency)
            return result.vectors
        gate = asyncio.Semaphore(self.max_concurrency)
        with _ProgressBar(len(texts)) as advance:

            async def one(batch: list[str]) -> list[list[float]]:
                async with gate:
                    vectors = (await client.embed(batch, **args)).vectors
                advance(len(batch))
                return vectors

            batches = _batches(texts, self.chunk_size)
            outcomes = await asyncio.gather(
                *(one(batch) for batch in batches), return_exceptions=True
            )
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # a cancellation is no failed batch
        return vectors_or_partial(batches, outcomes)  # type: ignore[arg-type]

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]

    def close(self) -> None:
        self._clients.close()

    async def aclose(self) -> None:
        await self._clients.aclose()


def _batches(texts: list[str], size: int) -> list[list[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


class _ProgressBar:
    """A tqdm bar over ``total`` texts; the context value advances it."""

    def __init__(self, total: int) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError as exc:
            raise ImportError(
                "show_progress_bar=True needs tqdm: pip install tqdm (or set "
                "show_progress_bar=False)"
            ) from exc
        self._bar = tqdm(total=total, unit="text", desc="Embedding")

    def __enter__(self) -> Callable[[int], Any]:
        return self._bar.update

    def __exit__(self, *exc_info: object) -> None:
        self._bar.close()
