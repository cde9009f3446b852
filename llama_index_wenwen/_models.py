"""Context windows and output limits of the model families the relay serves.

The relay accepts any model name, so an unknown name never raises: it gets a generous default.
Figures are the vendors' published limits (input window, default maximum output).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelLimits:
    context_window: int
    max_output: int


DEFAULT_LIMITS = ModelLimits(context_window=128_000, max_output=4096)

# Checked in order: the first prefix that the (lower-cased, vendor-prefix-free) name starts
# with wins, so more specific prefixes come first.
_PREFIX_LIMITS: tuple[tuple[str, ModelLimits], ...] = (
    # OpenAI
    ("gpt-5-chat", ModelLimits(128_000, 16_384)),
    ("gpt-5", ModelLimits(400_000, 128_000)),
    ("gpt-4.1", ModelLimits(1_047_576, 32_768)),
    ("gpt-4o", ModelLimits(128_000, 16_384)),
    ("chatgpt-4o", ModelLimits(128_000, 16_384)),
    ("gpt-4-turbo", ModelLimits(128_000, 4096)),
    ("gpt-4-32k", ModelLimits(32_768, 4096)),
    ("gpt-4", ModelLimits(8192, 4096)),
    ("gpt-3.5-turbo-instruct", ModelLimits(4096, 4096)),
    ("gpt-3.5", ModelLimits(16_385, 4096)),
    ("gpt-oss", ModelLimits(131_072, 32_768)),
    ("o1-mini", ModelLimits(128_000, 65_536)),
    ("o1", ModelLimits(200_000, 100_000)),
    ("o3-mini", ModelLimits(200_000, 100_000)),
    ("o3", ModelLimits(200_000, 100_000)),
    ("o4", ModelLimits(200_000, 100_000)),
    # Anthropic (the relay's "-thinking" variants share the base model's limits)
    ("claude-opus-4", ModelLimits(200_000, 32_000)),
    ("claude-sonnet-4", ModelLimits(200_000, 64_000)),
    ("claude-haiku-4", ModelLimits(200_000, 64_000)),
    ("claude-3-7", ModelLimits(200_000, 64_000)),
    ("claude-3-5", ModelLimits(200_000, 8192)),
    ("claude-3", ModelLimits(200_000, 4096)),
    ("claude", ModelLimits(200_000, 8192)),
    # Google
    ("gemini-3", ModelLimits(1_048_576, 65_536)),
    ("gemini-2.5", ModelLimits(1_048_576, 65_536)),
    ("gemini-2.0", ModelLimits(1_048_576, 8192)),
    ("gemini-1.5-pro", ModelLimits(2_097_152, 8192)),
    ("gemini-1.5", ModelLimits(1_048_576, 8192)),
    ("gemini", ModelLimits(1_048_576, 8192)),
    # DeepSeek
    ("deepseek-reasoner", ModelLimits(128_000, 64_000)),
    ("deepseek-r1", ModelLimits(128_000, 64_000)),
    ("deepseek", ModelLimits(128_000, 8192)),
    # Alibaba Qwen
    ("qwen-long", ModelLimits(10_000_000, 8192)),
    ("qwen-turbo", ModelLimits(1_000_000, 8192)),
    ("qwen-max", ModelLimits(32_768, 8192)),
    ("qwen3-coder", ModelLimits(262_144, 65_536)),
    ("qwen", ModelLimits(131_072, 8192)),
    # Moonshot, Zhipu, xAI, Meta, Mistral, ByteDance
    ("kimi-k2", ModelLimits(262_144, 16_384)),
    ("moonshot-v1-8k", ModelLimits(8192, 4096)),
    ("moonshot-v1-32k", ModelLimits(32_768, 4096)),
    ("moonshot", ModelLimits(131_072, 4096)),
    ("kimi", ModelLimits(131_072, 8192)),
    ("glm-4.5", ModelLimits(131_072, 98_304)),
    ("glm-4.6", ModelLimits(204_800, 131_072)),
    ("glm", ModelLimits(128_000, 4096)),
    ("grok-4", ModelLimits(256_000, 16_384)),
    ("grok", ModelLimits(131_072, 8192)),
    ("llama-4", ModelLimits(1_048_576, 8192)),
    ("llama-3", ModelLimits(131_072, 4096)),
    ("mistral-large", ModelLimits(131_072, 8192)),
    ("doubao", ModelLimits(256_000, 16_384)),
)


def _canonical(model: str) -> str:
    """``anthropic/claude-sonnet-4`` and ``Claude-Sonnet-4`` both become ``claude-sonnet-4``."""
    return model.rsplit("/", 1)[-1].strip().lower()


def model_limits(model: str) -> ModelLimits:
    """The known limits of ``model``'s family, or ``DEFAULT_LIMITS`` for a name we do not know."""
    name = _canonical(model)
    for prefix, limits in _PREFIX_LIMITS:
        if name.startswith(prefix):
            return limits
    return DEFAULT_LIMITS
