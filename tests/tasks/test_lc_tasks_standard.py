"""langchain-tests' standard tool suites for the video and Midjourney tools (on the emulator,
with the tools' waits driving its clock)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_tests.integration_tests import ToolsIntegrationTests
from langchain_tests.unit_tests import ToolsUnitTests

from langchain_wenwen.tools import WenwenMidjourneyTool, WenwenVideoGenerationTool
from wenwen.tasks import WaitOptions
from wenwen_emulator import Emulator

_PARAMS: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _bound_to_the_emulator(temu: Emulator, drive: dict[str, Any]) -> Iterator[None]:
    _PARAMS.update(api_key=temu.api_key, base_url=temu.base_url, wait=WaitOptions(**drive))
    yield
    _PARAMS.clear()


class _Params:
    @property
    def tool_constructor_params(self) -> dict[str, Any]:
        return dict(_PARAMS)


class VideoParams(_Params):
    @property
    def tool_constructor(self) -> type[WenwenVideoGenerationTool]:
        return WenwenVideoGenerationTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"prompt": "a paper boat on a river", "seconds": 4}


class MidjourneyParams(_Params):
    @property
    def tool_constructor(self) -> type[WenwenMidjourneyTool]:
        return WenwenMidjourneyTool

    @property
    def tool_invoke_params_example(self) -> dict[str, Any]:
        return {"operation": "imagine", "prompt": "a lighthouse at dawn"}


class TestVideoToolUnit(VideoParams, ToolsUnitTests):
    pass


class TestVideoToolIntegration(VideoParams, ToolsIntegrationTests):
    pass


class TestMidjourneyToolUnit(MidjourneyParams, ToolsUnitTests):
    pass


class TestMidjourneyToolIntegration(MidjourneyParams, ToolsIntegrationTests):
    pass
