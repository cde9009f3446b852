"""The model catalogue (the one place that lists models) and model-kind helpers.

A name that is not in the catalogue is still served when it names a catalogued model's
family the way vendors do: an alias without the date (``claude-sonnet-4-5``), another
dated snapshot (``gpt-4.1-2025-04-14``) or ``-latest``. Users add their own models
(``Emulator(models=["my-model", "my-embedder:embedding"])``, ``--model NAME[:kind]``);
any other name gets ``model_not_found``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

CREATED = 1626777600
"""new-api reports this fixed timestamp for every model."""


@dataclass(frozen=True)
class ModelInfo:
    id: str
    owned_by: str
    kind: str = "chat"
    """``chat``, ``image``, ``video``, ``embedding``, ``audio``."""
    embedding_dims: int = 0


CATALOGUE: tuple[ModelInfo, ...] = (
    ModelInfo("gpt-4o", "openai"),
    ModelInfo("gpt-4o-mini", "openai"),
    ModelInfo("gpt-4o-2024-08-06", "openai"),
    ModelInfo("gpt-3.5-turbo", "openai"),
    ModelInfo("gpt-4.1", "openai"),
    ModelInfo("gpt-4.1-mini", "openai"),
    ModelInfo("gpt-4.1-nano", "openai"),
    ModelInfo("gpt-5", "openai"),
    ModelInfo("gpt-5-mini", "openai"),
    ModelInfo("gpt-5-nano", "openai"),
    ModelInfo("o1", "openai"),
    ModelInfo("o3", "openai"),
    ModelInfo("o3-mini", "openai"),
    ModelInfo("o4-mini", "openai"),
    ModelInfo("o1-pro", "openai"),
    ModelInfo("o3-pro", "openai"),
    ModelInfo("gpt-5-pro", "openai"),
    ModelInfo("codex-mini-latest", "openai"),
    ModelInfo("gpt-4o-image", "openai", "image"),
    ModelInfo("sora_image", "openai", "image"),
    ModelInfo("sora_video2", "openai", "video"),
    ModelInfo("veo3", "google", "video"),
    ModelInfo("veo3-fast", "google", "video"),
    ModelInfo("dall-e-3", "openai", "image"),
    ModelInfo("gpt-image-1", "openai", "image"),
    ModelInfo("claude-3-5-sonnet-20241022", "anthropic"),
    ModelInfo("claude-3-5-haiku-20241022", "anthropic"),
    ModelInfo("claude-3-7-sonnet-20250219", "anthropic"),
    ModelInfo("claude-3-7-sonnet-20250219-thinking", "anthropic"),
    ModelInfo("claude-sonnet-4-20250514", "anthropic"),
    ModelInfo("claude-sonnet-4-20250514-thinking", "anthropic"),
    ModelInfo("claude-opus-4-20250514", "anthropic"),
    ModelInfo("claude-opus-4-1-20250805", "anthropic"),
    ModelInfo("claude-opus-4-1-20250805-thinking", "anthropic"),
    ModelInfo("claude-sonnet-4-5-20250929", "anthropic"),
    ModelInfo("claude-sonnet-4-5-20250929-thinking", "anthropic"),
    ModelInfo("claude-haiku-4-5-20251001", "anthropic"),
    ModelInfo("gemini-2.5-flash", "google"),
    ModelInfo("gemini-2.5-pro", "google"),
    ModelInfo("gemini-2.5-flash-image-preview", "google", "image"),
    ModelInfo("gemini-2.5-flash-image", "google", "image"),
    ModelInfo("gemini-2.5-flash-lite", "google"),
    ModelInfo("gemini-3-pro-preview", "google"),
    ModelInfo("gemini-3-flash-preview", "google"),
    ModelInfo("deepseek-chat", "deepseek"),
    ModelInfo("deepseek-reasoner", "deepseek"),
    ModelInfo("deepseek-v3.1", "deepseek"),
    ModelInfo("deepseek-v3.1-thinking", "deepseek"),
    ModelInfo("qwen3-235b-a22b", "qwen"),
    ModelInfo("qwen3-235b-a22b-thinking", "qwen"),
    ModelInfo("text-embedding-3-small", "openai", "embedding", 1536),
    ModelInfo("text-embedding-3-large", "openai", "embedding", 3072),
    ModelInfo("text-embedding-ada-002", "openai", "embedding", 1536),
    ModelInfo("gemini-embedding-001", "google", "embedding", 3072),
    ModelInfo("text-embedding-004", "google", "embedding", 768),
    ModelInfo("whisper-1", "openai", "audio"),
    ModelInfo("tts-1", "openai", "audio"),
    ModelInfo("tts-1-hd", "openai", "audio"),
    ModelInfo("gpt-4o-mini-tts", "openai", "audio"),
    ModelInfo("gpt-4o-transcribe", "openai", "audio"),
    ModelInfo("gpt-4o-mini-transcribe", "openai", "audio"),
    ModelInfo("gpt-4o-audio-preview", "openai"),
    ModelInfo("dall-e-2", "openai", "image"),
)
BY_ID = {m.id: m for m in CATALOGUE}
KINDS = ("chat", "image", "video", "embedding", "audio")
DEFAULT_EMBEDDING_DIMS = 1536
_DATED = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2}|\d{2}-\d{2}|\d{4}|latest|preview|exp)$")
_VARIANT = "-thinking"


def family(model_id: str) -> str:
    """``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4-5``; ``gpt-4.1-2025-04-14`` →
    ``gpt-4.1``; ``-thinking`` variants keep their suffix."""
    name = model_id.lower()
    variant = _VARIANT if name.endswith(_VARIANT) else ""
    name = name.removesuffix(variant)
    while (stripped := _DATED.sub("", name)) != name:
        name = stripped
    return name + variant


_BY_FAMILY: dict[str, ModelInfo] = {}
for _info in CATALOGUE:
    _BY_FAMILY.setdefault(family(_info.id), _info)


def get(model_id: str, extra: Mapping[str, ModelInfo] | None = None) -> ModelInfo | None:
    """The model ``model_id`` names: catalogued, user-added, or a catalogued model's
    alias or dated name (reported under the name asked for)."""
    info = (extra or {}).get(model_id) or BY_ID.get(model_id)
    if info is not None:
        return info
    base = _BY_FAMILY.get(family(model_id))
    return replace(base, id=model_id) if base is not None else None


def user_model(spec: str | ModelInfo) -> ModelInfo:
    """``"name"``, ``"name:kind"`` (kind one of :data:`KINDS`) or a :class:`ModelInfo`."""
    if isinstance(spec, ModelInfo):
        return spec
    name, _, kind = spec.partition(":")
    name, kind = name.strip(), (kind.strip() or "chat")
    if not name or kind not in KINDS:
        raise ValueError(f"model spec {spec!r}: use NAME or NAME:KIND with KIND in {KINDS}")
    owner = "anthropic" if name.lower().startswith("claude") else "custom"
    dims = DEFAULT_EMBEDDING_DIMS if kind == "embedding" else 0
    return ModelInfo(name, owner, kind, dims)


def user_models(specs: Iterable[str | ModelInfo]) -> dict[str, ModelInfo]:
    return {info.id: info for info in map(user_model, specs)}


def is_reasoning(model_id: str) -> bool:
    """Models that return reasoning text (``reasoning_content``)."""
    name = model_id.lower()
    return "-thinking" in name or "reasoner" in name or name.startswith(("o1", "o3", "o4", "gpt-5"))


def requires_reasoning_replay(model_id: str) -> bool:
    """DeepSeek-style models that reject tool-call history without ``reasoning_content``."""
    name = model_id.lower()
    return name == "deepseek-reasoner" or name.endswith("-thinking")


def openai_entry(info: ModelInfo) -> dict[str, object]:
    return {"id": info.id, "object": "model", "created": CREATED, "owned_by": info.owned_by}


def anthropic_entry(info: ModelInfo) -> dict[str, object]:
    return {
        "type": "model",
        "id": info.id,
        "display_name": info.id,
        "created_at": "2025-01-01T00:00:00Z",
    }
