"""The model catalogue (the one place that lists models) and model-kind helpers."""

from __future__ import annotations

from dataclasses import dataclass

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
    ModelInfo("deepseek-chat", "deepseek"),
    ModelInfo("deepseek-reasoner", "deepseek"),
    ModelInfo("deepseek-v3.1", "deepseek"),
    ModelInfo("deepseek-v3.1-thinking", "deepseek"),
    ModelInfo("qwen3-235b-a22b", "qwen"),
    ModelInfo("qwen3-235b-a22b-thinking", "qwen"),
    ModelInfo("text-embedding-3-small", "openai", "embedding", 1536),
    ModelInfo("text-embedding-3-large", "openai", "embedding", 3072),
    ModelInfo("text-embedding-ada-002", "openai", "embedding", 1536),
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


def get(model_id: str) -> ModelInfo | None:
    return BY_ID.get(model_id)


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
