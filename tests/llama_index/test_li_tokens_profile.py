"""Wenwen's metadata from the core model table, and its offline tokenizer."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler

from llama_index_wenwen import Wenwen
from wenwen import tokens
from wenwen_emulator import Emulator


def test_metadata_comes_from_the_core_table() -> None:
    meta = Wenwen(model="gpt-4.1-mini", api_key="sk-test").metadata
    assert (meta.context_window, meta.num_output) == (1_047_576, 32_768)
    assert meta.is_function_calling_model and meta.model_name == "gpt-4.1-mini"


def test_explicit_settings_win_and_unknown_names_are_conservative() -> None:
    meta = Wenwen(model="acme-llm", api_key="sk-test", context_window=9000, max_tokens=100).metadata
    assert (meta.context_window, meta.num_output) == (9000, 100)
    unknown = Wenwen(model="acme-llm", api_key="sk-test").metadata
    assert (unknown.context_window, unknown.num_output) == (32_768, 4096)


def test_a_family_without_tool_calling_is_not_a_function_calling_model() -> None:
    assert not Wenwen(model="o1-mini", api_key="sk-test").metadata.is_function_calling_model


def test_the_tokenizer_works_offline(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, emu: Emulator
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # nothing cached: approximate ids
    tokens._local_tiktoken.cache_clear()
    try:
        llm = Wenwen(model="gpt-4o-mini", api_key=emu.api_key, base_url=emu.base_url)
        assert llm.tokenizer("hello world") == tokens.ApproximateEncoder().encode("hello world")
        counter = TokenCountingHandler(tokenizer=llm.tokenizer)
        llm.callback_manager = CallbackManager([counter])
        llm.complete("hello world")
        assert counter.total_llm_token_count > 0  # the relay's usage, counted by the handler
    finally:
        tokens._local_tiktoken.cache_clear()
