"""langchain-tests unit suites, run with sockets disabled (no network at construction)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests

from langchain_wenwen import ChatWenwen, WenwenEmbeddings

load_module = importlib.import_module("langchain_core.load.load")
ENV = {"WENWEN_API_KEY": "env-key", "WENWEN_BASE_URL": "http://relay.invalid/v1"}


@pytest.fixture(autouse=True)
def _offline(socket_disabled: None) -> None:
    """pytest-socket: any attempt to open a socket fails the test."""


class TestChatWenwenUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatWenwen

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-4o-mini", "api_key": "test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            ENV,
            {"model": "gpt-4o-mini"},
            {"api_key": "env-key", "base_url": ENV["WENWEN_BASE_URL"]},
        )


class TestWenwenEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[Embeddings]:
        return WenwenEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "text-embedding-3-small", "api_key": "test-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return ENV, {}, {"api_key": "env-key", "base_url": ENV["WENWEN_BASE_URL"]}


@pytest.fixture(autouse=True)
def _allow_loading_chat_wenwen(monkeypatch: pytest.MonkeyPatch) -> None:
    """langchain-core 1.7's ``load(allowed_objects="all")`` admits only classes listed in its
    own serialization mapping, which a third-party package cannot join; users load
    ``ChatWenwen`` with ``allowed_objects=[ChatWenwen]`` (see test_lc_regressions). For
    ``test_serdes`` the mapping is extended for the duration of the test."""
    path = ("langchain_wenwen", "chat_models", "ChatWenwen")
    monkeypatch.setitem(load_module.ALL_SERIALIZABLE_MAPPINGS, path, path)
    monkeypatch.setattr(load_module, "_default_class_paths_cache", {})
