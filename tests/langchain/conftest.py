"""Fixtures for the LangChain tests.

The standard suites download three media fixtures with ``httpx.get`` (langchain-tests 1.1.9,
``integration_tests/chat_models.py``). Tests here never leave 127.0.0.1, so the ``httpx``
name inside that module is replaced by a stand-in whose ``get`` serves locally generated
bytes for exactly those URLs and refuses any other. Our client's own httpx use is untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import langchain_tests.integration_tests.chat_models as standard_chat_tests
import pytest
from lc_media import pdf_bytes, png_bytes, wav_bytes

SUITE_MEDIA: dict[str, Callable[[], bytes]] = {
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png": png_bytes,
    "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf": pdf_bytes,
    "https://upload.wikimedia.org/wikipedia/commons/6/6a/Northern_Flicker_202280456.wav": (
        wav_bytes
    ),
}


class LocalMediaHttpx:
    """``httpx`` as the standard tests see it: ``get`` answers from ``SUITE_MEDIA``."""

    def get(self, url: str, **_: Any) -> httpx.Response:
        make = SUITE_MEDIA.get(str(url))
        if make is None:
            raise AssertionError(f"a standard test tried to download {url}; add a local fixture")
        return httpx.Response(200, content=make(), request=httpx.Request("GET", url))

    def __getattr__(self, name: str) -> Any:
        return getattr(httpx, name)


@pytest.fixture(autouse=True)
def _local_suite_media(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(standard_chat_tests, "httpx", LocalMediaHttpx())
    monkeypatch.setenv("LANGCHAIN_TESTS_USER_AGENT", "wenwen-ai offline tests")
