"""The one model-family table (wenwen.profiles)."""

from __future__ import annotations

import pytest

from wenwen.profiles import CONSERVATIVE, FAMILIES, model_profile


@pytest.mark.parametrize(
    ("name", "window", "output"),
    [
        ("gpt-4o-mini", 128_000, 16_384),
        ("gpt-4.1-2025-04-14", 1_047_576, 32_768),
        ("openai/GPT-5", 400_000, 128_000),
        ("claude-sonnet-4-5-20250929", 200_000, 64_000),
        ("claude-opus-4-1-20250805-thinking", 200_000, 32_000),
        ("gemini-2.5-pro", 1_048_576, 65_536),
        ("deepseek-chat", 128_000, 8192),
    ],
)
def test_known_families_have_their_published_limits(name: str, window: int, output: int) -> None:
    profile = model_profile(name)
    assert (profile.context_window, profile.max_output, profile.known) == (window, output, True)


def test_capabilities_follow_the_family() -> None:
    assert model_profile("gpt-4o").structured_output and model_profile("gpt-4o").image_input
    assert model_profile("o3-mini").reasoning and not model_profile("o3-mini").image_input
    assert not model_profile("o1-mini").tool_calling
    assert model_profile("gemini-2.5-flash").audio_input
    assert model_profile("gemini-2.5-flash-image-preview").image_output
    assert model_profile("claude-sonnet-4-20250514").pdf_input
    assert not model_profile("deepseek-chat").structured_output


def test_thinking_variants_reason() -> None:
    assert not model_profile("deepseek-v3.1").reasoning
    assert model_profile("deepseek-v3.1-thinking").reasoning
    assert model_profile("qwen3-235b-a22b-thinking").reasoning


def test_an_unknown_name_gets_the_conservative_profile() -> None:
    profile = model_profile("my-company/fine-tuned-thing")
    assert profile == CONSERVATIVE
    assert not profile.known and profile.tool_calling and not profile.structured_output
    media = (profile.image_input, profile.audio_input, profile.pdf_input, profile.image_output)
    assert media == (False, False, False, False) and not profile.reasoning
    assert (profile.context_window, profile.max_output) == (32_768, 4096)


def test_more_specific_prefixes_come_first() -> None:
    prefixes = [prefix for prefix, _ in FAMILIES]
    for i, prefix in enumerate(prefixes):
        shadowing = [p for p in prefixes[:i] if prefix.startswith(p)]
        assert shadowing == [], f"{prefix!r} is shadowed by {shadowing}"
