"""``/v1/embeddings``: batches, the request body and the reply reader.

Vectors are asked for as base64 (little-endian float32), as the OpenAI SDK does: the reply
is less than half the bytes of a float list and decodes in one C call. A relay that answers
with float lists anyway is read as is, and an upstream that rejects base64 with a 400 naming
the encoding is asked again for floats (``rejects_base64``); the client remembers that per
model (``FloatOnlyModels``).
"""

from __future__ import annotations

import array
import binascii
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..errors import APIStatusError, ConfigurationError, PartialEmbeddingError, ProtocolError
from ..protocols import HttpRequest
from ..types import EmbeddingResult, Usage

EncodingFormat = Literal["float", "base64"]
PATH = "/v1/embeddings"


def batches(texts: Sequence[str], batch_size: int) -> list[list[str]]:
    if batch_size < 1:
        raise ConfigurationError(f"batch_size must be >= 1, got {batch_size}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ConfigurationError(
                f"embedding input {i} is {type(text).__name__}; pass raw text (str)"
            )
    return [list(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]


def chosen_format(encoding_format: str | None, extra_body: Mapping[str, Any] | None) -> str | None:
    """The format the caller asked for (argument or ``extra_body``), or ``None`` for the
    default (base64, with the float fallback)."""
    explicit = encoding_format or (extra_body or {}).get("encoding_format")
    if explicit is not None and explicit not in ("float", "base64"):
        raise ConfigurationError(f"encoding_format must be 'float' or 'base64', got {explicit!r}")
    return explicit


def request(
    model: str,
    batch: list[str],
    dimensions: int | None,
    extra_body: Mapping[str, Any] | None,
    encoding_format: str,
) -> HttpRequest:
    body: dict[str, Any] = {"model": model, "input": batch}
    if dimensions is not None:
        body["dimensions"] = dimensions
    body.update(extra_body or {})
    body["encoding_format"] = encoding_format
    return HttpRequest("POST", PATH, json=body)


def rejects_base64(error: Exception) -> bool:
    """A 400 whose message or parameter names the encoding: the upstream wants floats."""
    if not isinstance(error, APIStatusError) or error.status_code != 400:
        return False
    text = f"{error.message} {error.code or ''} {error.body!r}".lower()
    return "encoding_format" in text or "base64" in text or "encoding format" in text


class FloatOnlyModels:
    """Models whose upstream refused base64 once; asked for floats from then on."""

    def __init__(self) -> None:
        self._models: set[str] = set()
        self._lock = threading.Lock()

    def format_for(self, model: str, explicit: str | None) -> str:
        if explicit is not None:
            return explicit
        return "float" if model in self._models else "base64"

    def remember(self, model: str) -> None:
        with self._lock:
            self._models.add(model)


def parse(body: Any, expected: int) -> tuple[list[list[float]], Usage, str | None]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProtocolError("embedding reply has no 'data' list")
    rows = body["data"]
    if len(rows) != expected:
        raise ProtocolError(f"embedding reply has {len(rows)} vectors for {expected} inputs")
    vectors: list[list[float] | None] = [None] * expected
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ProtocolError(f"embedding reply item {position} is not an object")
        index = row.get("index", position)
        if not isinstance(index, int) or not 0 <= index < expected or vectors[index] is not None:
            raise ProtocolError(f"embedding reply item {position} has a bad index {index!r}")
        vectors[index] = vector(row.get("embedding"), index)
    usage_raw = body.get("usage") or {}
    prompt = int(usage_raw.get("prompt_tokens") or 0)
    usage = Usage(
        input_tokens=prompt,
        total_tokens=int(usage_raw.get("total_tokens") or prompt),
        raw=dict(usage_raw),
    )
    return [v for v in vectors if v is not None], usage, body.get("model")


def vector(value: Any, index: int) -> list[float]:
    if isinstance(value, str):  # base64 little-endian float32
        try:
            floats = array.array("f", binascii.a2b_base64(value, strict_mode=True))
        except (binascii.Error, ValueError) as exc:
            raise ProtocolError(f"embedding {index} is not valid base64 float32: {exc}") from None
        if sys.byteorder == "big":
            floats.byteswap()
        return floats.tolist()
    if isinstance(value, list):
        # the JSON parser already made the numbers: keep the list, check its first element
        if value and not isinstance(value[0], int | float):
            raise ProtocolError(f"embedding {index} holds {type(value[0]).__name__} values")
        return value
    raise ProtocolError(f"embedding {index} is {type(value).__name__}, not a list of floats")


def merge(
    model: str, results: list[tuple[list[list[float]], Usage, str | None]]
) -> EmbeddingResult:
    vectors: list[list[float]] = []
    usage = Usage()
    for batch_vectors, batch_usage, _ in results:
        vectors.extend(batch_vectors)
        usage.input_tokens += batch_usage.input_tokens
        usage.total_tokens += batch_usage.total_tokens
    # model_construct: the vectors were checked batch by batch; re-validating millions of
    # floats through pydantic costs more than the HTTP round trips
    return EmbeddingResult.model_construct(vectors=vectors, model=model, usage=usage)


Outcome = tuple[list[list[float]], Usage, str | None] | Exception


def vectors_or_partial(
    batches: Sequence[Sequence[str]], outcomes: Sequence[list[list[float]] | Exception]
) -> list[list[float]]:
    """Every batch's vectors in input order; when some batches failed (after their retries),
    a ``PartialEmbeddingError`` with the others' vectors; when all failed, the first error."""
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    if not errors:
        return [vector for outcome in outcomes for vector in outcome]  # type: ignore[union-attr]
    if len(errors) == len(outcomes):
        raise errors[0]
    vectors: list[list[float] | None] = []
    failed: list[int] = []
    failed_texts: list[str] = []
    for batch, outcome in zip(batches, outcomes, strict=True):
        if isinstance(outcome, Exception):
            failed.extend(range(len(vectors), len(vectors) + len(batch)))
            failed_texts.extend(batch)
            vectors.extend([None] * len(batch))
        else:
            vectors.extend(outcome)
    raise PartialEmbeddingError(vectors, failed, failed_texts, errors)


def merge_outcomes(
    model: str, batches: Sequence[Sequence[str]], outcomes: Sequence[Outcome]
) -> EmbeddingResult:
    """``merge`` when every batch succeeded, else as ``vectors_or_partial``."""
    if not any(isinstance(outcome, Exception) for outcome in outcomes):
        return merge(model, list(outcomes))  # type: ignore[arg-type]
    vectors_or_partial(batches, [o if isinstance(o, Exception) else o[0] for o in outcomes])
    raise AssertionError("unreachable: some batch failed")  # pragma: no cover


def retry_as_float(error: APIStatusError, sent: str, explicit: str | None) -> bool:
    """Whether to ask again for floats: base64 was our default (not the caller's choice)
    and the upstream refused it."""
    return sent == "base64" and explicit is None and rejects_base64(error)
