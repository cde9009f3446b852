"""What each model family the relay serves can do: the one table both adapters read.

``model_profile(name)`` never raises. The first row whose prefix the name (lower-cased, without
a ``vendor/`` prefix) starts with wins, so more specific prefixes come first. A name no row
matches gets :data:`CONSERVATIVE`: a modest window, tool calling (every relay chat route
speaks OpenAI tools) and nothing else, so frameworks pick their safest strategies for it.

Figures are the vendors' published limits (input window, default maximum output) and
capabilities; the relay's ``-thinking`` variants share the base model's row and reason.
New families are one row each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ModelProfile:
    """Limits and capabilities of one model family (``known`` is False for a guess)."""

    context_window: int
    max_output: int
    tool_calling: bool = True
    structured_output: bool = False
    """Native JSON-schema output (OpenAI ``json_schema``, Anthropic output formats)."""
    image_input: bool = False
    audio_input: bool = False
    pdf_input: bool = False
    image_output: bool = False
    reasoning: bool = False
    known: bool = True


CONSERVATIVE = ModelProfile(context_window=32_768, max_output=4096, known=False)


def _p(window: int, output: int, caps: str = "", *, tools: bool = True) -> ModelProfile:
    """A row: ``caps`` holds the letters of what the family does beyond text and tools:
    ``s`` structured output, ``i`` image input, ``a`` audio input, ``p`` PDF input,
    ``o`` image output, ``r`` reasoning."""
    return ModelProfile(
        context_window=window,
        max_output=output,
        tool_calling=tools,
        structured_output="s" in caps,
        image_input="i" in caps,
        audio_input="a" in caps,
        pdf_input="p" in caps,
        image_output="o" in caps,
        reasoning="r" in caps,
    )


FAMILIES: tuple[tuple[str, ModelProfile], ...] = (
    # OpenAI
    ("gpt-5-chat", _p(128_000, 16_384, "sip")),
    ("gpt-5", _p(400_000, 128_000, "sipr")),
    ("gpt-4.1", _p(1_047_576, 32_768, "sip")),
    ("gpt-4o-image", _p(128_000, 16_384, "io", tools=False)),
    ("gpt-4o-audio", _p(128_000, 16_384, "a")),
    ("gpt-4o-mini-audio", _p(128_000, 16_384, "a")),
    ("gpt-4o", _p(128_000, 16_384, "sip")),
    ("chatgpt-4o", _p(128_000, 16_384, "ip", tools=False)),
    ("gpt-4-turbo", _p(128_000, 4096, "i")),
    ("gpt-4-32k", _p(32_768, 4096)),
    ("gpt-4", _p(8192, 4096)),
    ("gpt-3.5-turbo-instruct", _p(4096, 4096, tools=False)),
    ("gpt-3.5", _p(16_385, 4096)),
    ("gpt-oss", _p(131_072, 32_768, "r")),
    ("gpt-image", _p(32_768, 4096, "io", tools=False)),
    ("dall-e", _p(4000, 4096, "o", tools=False)),
    ("sora", _p(4000, 4096, "io", tools=False)),
    ("o1-mini", _p(128_000, 65_536, "r", tools=False)),
    ("o1", _p(200_000, 100_000, "sipr")),
    ("o3-mini", _p(200_000, 100_000, "sr")),
    ("o3", _p(200_000, 100_000, "sipr")),
    ("o4", _p(200_000, 100_000, "sipr")),
    # Anthropic
    ("claude-opus-4-5", _p(200_000, 64_000, "sipr")),
    ("claude-opus-4", _p(200_000, 32_000, "sipr")),
    ("claude-sonnet-4", _p(200_000, 64_000, "sipr")),
    ("claude-haiku-4", _p(200_000, 64_000, "sipr")),
    ("claude-3-7", _p(200_000, 64_000, "ipr")),
    ("claude-3-5", _p(200_000, 8192, "ip")),
    ("claude-3", _p(200_000, 4096, "i")),
    ("claude", _p(200_000, 8192, "ip")),
    # Google
    ("gemini-2.5-flash-image", _p(32_768, 32_768, "io", tools=False)),
    ("gemini-3", _p(1_048_576, 65_536, "siapr")),
    ("gemini-2.5", _p(1_048_576, 65_536, "siapr")),
    ("gemini-2.0", _p(1_048_576, 8192, "siap")),
    ("gemini-1.5-pro", _p(2_097_152, 8192, "siap")),
    ("gemini-1.5", _p(1_048_576, 8192, "siap")),
    ("gemini", _p(1_048_576, 8192, "siap")),
    ("veo", _p(4000, 4096, "io", tools=False)),
    # DeepSeek
    ("deepseek-reasoner", _p(128_000, 64_000, "r")),
    ("deepseek-r1", _p(128_000, 64_000, "r")),
    ("deepseek", _p(128_000, 8192)),
    # Alibaba Qwen
    ("qwen-long", _p(10_000_000, 8192)),
    ("qwen-turbo", _p(1_000_000, 8192)),
    ("qwen-max", _p(32_768, 8192)),
    ("qwen3-coder", _p(262_144, 65_536)),
    ("qwen-vl", _p(131_072, 8192, "i")),
    ("qwen", _p(131_072, 8192)),
    # Moonshot, Zhipu, xAI, Meta, Mistral, ByteDance
    ("kimi-k2", _p(262_144, 16_384)),
    ("moonshot-v1-8k", _p(8192, 4096)),
    ("moonshot-v1-32k", _p(32_768, 4096)),
    ("moonshot", _p(131_072, 4096)),
    ("kimi", _p(131_072, 8192)),
    ("glm-4.5", _p(131_072, 98_304, "r")),
    ("glm-4.6", _p(204_800, 131_072, "r")),
    ("glm", _p(128_000, 4096)),
    ("grok-4", _p(256_000, 16_384, "sir")),
    ("grok", _p(131_072, 8192)),
    ("llama-4", _p(1_048_576, 8192, "i")),
    ("llama-3", _p(131_072, 4096)),
    ("mistral-large", _p(131_072, 8192)),
    ("doubao", _p(256_000, 16_384, "i")),
)

_THINKING_SUFFIX = "-thinking"


def canonical_model_name(model: str) -> str:
    """``anthropic/Claude-Sonnet-4`` → ``claude-sonnet-4`` (the form the table is keyed by)."""
    return model.rsplit("/", 1)[-1].strip().lower()


def model_profile(model: str) -> ModelProfile:
    """The profile of ``model``'s family, or :data:`CONSERVATIVE` for a name we do not know."""
    name = canonical_model_name(model)
    for prefix, profile in FAMILIES:
        if name.startswith(prefix):
            if name.endswith(_THINKING_SUFFIX) and not profile.reasoning:
                return replace(profile, reasoning=True)
            return profile
    return CONSERVATIVE
