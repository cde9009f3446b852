"""langchain-tests' standard tool suites for the four media tools, against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_wenwen import (
    WenwenImageEditTool,
    WenwenImageGenerationTool,
    WenwenSpeechToTextTool,
    WenwenTextToSpeechTool,
)
from wenwen_emulator import Emulator
from wenwen_emulator.png import png_from_prompt
from wenwen_emulator.speech import speak_wav


@pytest.fixture(scope="module", autouse=True)
def media_inputs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("media-inputs")
    (folder / "in.png").write_bytes(png_from_prompt("standard", 32, 32))
    (folder / "in.wav").write_bytes(speak_wav("standard suite"))
    return folder


class _Suite:
    tool_class: type[BaseTool]
    example: dict[str, Any]

    @pytest.fixture(autouse=True)
    def _bind(self, emulator: Emulator, media_inputs: Path) -> None:
        self._emu = emulator
        self._inputs = media_inputs

    @property
    def tool_constructor(self) -> type[BaseTool]:
        return self.tool_class

    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return {
            "api_key": self._emu.api_key,
            "base_url": self._emu.base_url,
            "root_dir": str(self._inputs),
        }

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {k: self._resolve(v) for k, v in self.example.items()}

    def _resolve(self, value: Any) -> Any:
        """``"@name"`` is a file made by the ``media_inputs`` fixture."""
        if isinstance(value, list):
            return [self._resolve(v) for v in value]
        if isinstance(value, str) and value.startswith("@"):
            return str(self._inputs / value[1:])
        return value

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        env = {"WENWEN_API_KEY": "sk-from-env", "WENWEN_BASE_URL": "http://127.0.0.1:9"}
        return env, {}, {"base_url": "http://127.0.0.1:9"}


class _Generation(_Suite):
    tool_class = WenwenImageGenerationTool
    example = {"prompt": "a lighthouse", "size": "1024x1024"}


class _Edit(_Suite):
    tool_class = WenwenImageEditTool
    example = {"prompt": "add a moon", "image_paths": ["@in.png"]}


class _Speech(_Suite):
    tool_class = WenwenTextToSpeechTool
    example = {"text": "hello", "voice": "alloy"}


class _Listen(_Suite):
    tool_class = WenwenSpeechToTextTool
    example = {"audio_path": "@in.wav", "language": "en"}


class TestGenerationUnit(_Generation, ToolsUnitTests):
    pass


class TestGenerationIntegration(_Generation, ToolsIntegrationTests):
    pass


class TestEditUnit(_Edit, ToolsUnitTests):
    pass


class TestEditIntegration(_Edit, ToolsIntegrationTests):
    pass


class TestSpeechUnit(_Speech, ToolsUnitTests):
    pass


class TestSpeechIntegration(_Speech, ToolsIntegrationTests):
    pass


class TestListenUnit(_Listen, ToolsUnitTests):
    pass


class TestListenIntegration(_Listen, ToolsIntegrationTests):
    pass
