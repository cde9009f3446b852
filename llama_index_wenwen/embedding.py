"""``WenwenEmbedding``: LlamaIndex embeddings through the relay's ``/v1/embeddings``.

Texts are sent as text (never token ids), in batches of ``embed_batch_size``; vectors come
back in input order. LlamaIndex's ``aget_text_embedding_batch`` gathers every batch at once
when ``num_workers`` is unset, which floods a relay with concurrent requests (429s); here a
per-event-loop semaphore bounds the requests in flight to ``max_concurrency``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr, field_serializer

from wenwen.client_set import ClientSet
from wenwen.concurrency import RateLimit
from wenwen.errors import ConfigurationError
from wenwen.media.embeddings import vectors_or_partial

from ._clients import (
    ApiKey,
    BaseUrl,
    PicklesWithoutUserClients,
    Seconds,
    TypedConfigErrors,
    connection_options,
    redact_headers,
)

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_MAX_CONCURRENCY = 4


class WenwenEmbedding(PicklesWithoutUserClients, TypedConfigErrors, BaseEmbedding):
    """Any embedding model the Wenwen relay serves.

    >>> embed = WenwenEmbedding(model="text-embedding-3-small")   # or model_name=...
    """

    model_name: str = Field(default=DEFAULT_EMBEDDING_MODEL, description="Embedding model.")
    embed_batch_size: int = Field(default=100, gt=0, le=2048, description="Texts per request.")
    dimensions: int | None = Field(default=None, gt=0, description="Output dimensions, if set.")
    max_concurrency: int | None = Field(
        default=None,
        gt=0,
        description="Requests in flight at once for async batches; defaults to num_workers, "
        f"else {DEFAULT_MAX_CONCURRENCY}.",
    )
    api_key: ApiKey = Field(
        default=None,
        exclude=True,
        repr=False,
        validate_default=True,
        description="Wenwen API key; defaults to WENWEN_API_KEY. Never serialized.",
    )
    base_url: BaseUrl = Field(default=None, validate_default=True)
    timeout: Seconds = Field(default=120.0)
    max_retries: int = Field(default=2, ge=0)
    max_retry_wait: float | None = Field(default=None, ge=0)
    async_transport: str = Field(default="auto")
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra fields sent in the request body."
    )
    rate_limit: float | RateLimit | None = Field(
        default=None,
        description="A fixed client-side budget: requests per second, or a "
        "wenwen.concurrency.RateLimit (with tokens per minute). Without it the requests in "
        "flight still adapt to the relay's 429s.",
    )
    http_client: httpx.Client | None = Field(default=None, exclude=True, repr=False)
    async_http_client: httpx.AsyncClient | None = Field(default=None, exclude=True, repr=False)

    _clients: ClientSet = PrivateAttr(default_factory=ClientSet)

    def __init__(self, model: str | None = None, **data: Any) -> None:
        """``model`` and ``model_name`` are the same setting; give either."""
        if model is not None:
            named = data.get("model_name")
            if named is not None and named != model:
                raise ConfigurationError(
                    f"model={model!r} and model_name={named!r} disagree; give only one"
                )
            data["model_name"] = model
        super().__init__(**data)

    @classmethod
    def class_name(cls) -> str:
        return "wenwen_embedding"

    @property
    def model(self) -> str:
        return self.model_name

    @field_serializer("default_headers")
    def _serialize_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)

    def _concurrency(self) -> int:
        return self.max_concurrency or self.num_workers or DEFAULT_MAX_CONCURRENCY

    def _embed(self, texts: list[str]) -> list[Embedding]:
        result = self._clients.sync_client(connection_options(self)).embed(
            texts,
            model=self.model_name,
            dimensions=self.dimensions,
            batch_size=self.embed_batch_size,
            extra_body=self.additional_kwargs or None,
            max_concurrency=self._concurrency(),
        )
        return result.vectors

    async def _aembed(self, texts: list[str]) -> list[Embedding]:
        options = connection_options(self)
        gate: asyncio.Semaphore = await self._clients.companion(
            options, "embedding_gate", lambda: asyncio.Semaphore(self._concurrency())
        )
        client = await self._clients.async_client(options)
        async with gate:
            result = await client.embed(
                texts,
                model=self.model_name,
                dimensions=self.dimensions,
                batch_size=self.embed_batch_size,
                extra_body=self.additional_kwargs or None,
                max_concurrency=1,  # one batch per call here; the gate bounds the calls
            )
        return result.vectors

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embed([query])[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembed([query]))[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembed([text]))[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembed(texts)

    # --- batches: LlamaIndex embeds each ``embed_batch_size`` group in turn (with its events);
    # a group that fails after its retries no longer discards the others' vectors

    def _groups(self, texts: list[str]) -> list[list[str]]:
        size = self.embed_batch_size
        return [texts[i : i + size] for i in range(0, len(texts), size)]

    def get_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """As LlamaIndex's, but when some groups fail a ``PartialEmbeddingError`` carries the
        vectors of the others and names the texts to embed again."""
        groups = self._groups(texts)
        if len(groups) <= 1:
            return BaseEmbedding.get_text_embedding_batch(self, texts, show_progress, **kwargs)
        outcomes: list[list[Embedding] | Exception] = []
        for group in groups:
            try:
                outcomes.append(
                    BaseEmbedding.get_text_embedding_batch(self, group, show_progress, **kwargs)
                )
            except Exception as error:  # kept: the other groups' vectors still count
                outcomes.append(error)
        return vectors_or_partial(groups, outcomes)

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """As ``get_text_embedding_batch``; groups run concurrently (``max_concurrency``)."""
        groups = self._groups(texts)
        if len(groups) <= 1:
            return await BaseEmbedding.aget_text_embedding_batch(
                self, texts, show_progress, **kwargs
            )
        calls = (
            BaseEmbedding.aget_text_embedding_batch(self, g, show_progress, **kwargs)
            for g in groups
        )
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                raise outcome  # a cancellation is no failed group
        return vectors_or_partial(groups, outcomes)  # type: ignore[arg-type]

    def close(self) -> None:
        self._clients.close()
