"""The connection settings are declared once (``ConnectionSettings``) and reach the clients
of the tool spec, the audio reader and the LangChain Whisper parser alike."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_wenwen.document_loaders import WenwenWhisperParser
from llama_index_wenwen.readers import WenwenAudioReader
from llama_index_wenwen.tools import WenwenToolSpec
from llama_index_wenwen.tools._base import CONNECTION_SETTINGS, WenwenConnection
from wenwen.errors import ConfigurationError

SETTINGS: dict[str, Any] = {
    "api_key": "sk-test",
    "base_url": "http://127.0.0.1:9/v1",
    "timeout": 7.0,
    "max_retries": 4,
    "default_headers": {"X-Trace": "1"},
    "max_retry_wait": 3.0,
    "async_transport": "httpx",
    "rate_limit": 5.0,
    "allow_private_hosts": ["10.0.0.0/8", "minio.internal"],
}


def test_every_setting_is_a_keyword_of_the_spec_and_the_reader() -> None:
    assert set(SETTINGS) | {"http_client", "async_http_client"} == CONNECTION_SETTINGS
    spec = WenwenToolSpec(**SETTINGS, image_model="dall-e-3")
    reader = WenwenAudioReader(language="en", **SETTINGS)
    expected = WenwenConnection(**SETTINGS)._options
    for connection in (spec.connection, reader.connection):
        options = connection._options
        assert options == expected
        assert (options.timeout, options.max_retries, options.max_retry_wait) == (7.0, 4, 3.0)
        assert options.default_headers == (("X-Trace", "1"),)
        assert options.async_transport == "httpx"
        assert options.rate_limit == 5.0
        assert options.allow_private_hosts == ("10.0.0.0/8", "minio.internal")
    assert spec.options["image_model"] == "dall-e-3"
    assert reader.language == "en"


def test_unknown_keywords_are_still_errors() -> None:
    with pytest.raises(ConfigurationError, match="unknown options"):
        WenwenToolSpec(api_keys="sk-test")
    with pytest.raises(TypeError):
        WenwenAudioReader(api_keys="sk-test")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="api_keys"):
        WenwenWhisperParser(api_keys="sk-test")  # type: ignore[call-arg]


def test_the_whisper_parser_keeps_its_fields_and_defaults() -> None:
    parser = WenwenWhisperParser(timeout=5.0, http_async_client=None, max_retry_wait=1.0)
    assert (parser.timeout, parser.max_retries, parser.max_retry_wait) == (5.0, 2, 1.0)
    assert (parser.api_key, parser.default_headers, parser.async_transport) == (None, None, "auto")
    default = WenwenWhisperParser()
    assert default.timeout == 120.0
    options = WenwenWhisperParser(**SETTINGS)._connection_options()
    assert (options.timeout, options.max_retries, options.base_url) == (
        7.0,
        4,
        "http://127.0.0.1:9/v1",
    )
