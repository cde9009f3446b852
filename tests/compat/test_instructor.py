"""instructor over the official SDKs pointed at the emulator: structured extraction in its
tool mode and its JSON-schema modes (OpenAI chat, Responses, Anthropic tools and native
structured outputs, Gemini), whole and streamed as partial objects."""

from __future__ import annotations

from typing import Any

import anthropic
import instructor
import openai
import pytest
from compat_common import ALICE, CLAUDE_MODEL, GEMINI_MODEL, OPENAI_MODEL, PERSON_PROMPT, Person
from google import genai
from google.genai import types as gtypes

from wenwen_emulator.pytest_plugin import EmulatorHandle

MESSAGES = [{"role": "user", "content": PERSON_PROMPT}]


def _openai(emu: EmulatorHandle, mode: Any) -> tuple[Any, str]:
    client = openai.OpenAI(base_url=emu.base_url + "/v1", api_key=emu.api_key, max_retries=0)
    return instructor.from_openai(client, mode=mode), OPENAI_MODEL


def _anthropic(emu: EmulatorHandle, mode: Any) -> tuple[Any, str]:
    client = anthropic.Anthropic(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    return instructor.from_anthropic(client, mode=mode), CLAUDE_MODEL


def _gemini(emu: EmulatorHandle, mode: Any) -> tuple[Any, str]:
    options = gtypes.HttpOptions(base_url=emu.base_url)
    client = genai.Client(api_key=emu.api_key, http_options=options)
    return instructor.from_genai(client, mode=mode), GEMINI_MODEL


CASES = {
    "openai-tools": (_openai, instructor.Mode.TOOLS),
    "openai-json-schema": (_openai, instructor.Mode.JSON_SCHEMA),
    "responses-tools": (_openai, instructor.Mode.RESPONSES_TOOLS),
    "anthropic-tools": (_anthropic, instructor.Mode.ANTHROPIC_TOOLS),
    "anthropic-json": (_anthropic, instructor.Mode.ANTHROPIC_JSON),
    "gemini-tools": (_gemini, instructor.Mode.GENAI_TOOLS),
    "gemini-structured": (_gemini, instructor.Mode.GENAI_STRUCTURED_OUTPUTS),
}


@pytest.fixture(params=sorted(CASES))
def client(request: pytest.FixtureRequest, wenwen_emulator: EmulatorHandle) -> tuple[Any, str]:
    make, mode = CASES[request.param]
    return make(wenwen_emulator, mode)


def test_extracts_a_model(client: tuple[Any, str]) -> None:
    structured, model = client
    person = structured.create(
        model=model, messages=MESSAGES, response_model=Person, max_tokens=512
    )
    assert person.model_dump() == ALICE.model_dump()  # instructor returns a subclass


def test_streams_partial_objects(client: tuple[Any, str]) -> None:
    structured, model = client
    partials = list(
        structured.create_partial(
            model=model, messages=MESSAGES, response_model=Person, max_tokens=512
        )
    )
    assert partials[-1].model_dump() == ALICE.model_dump()
