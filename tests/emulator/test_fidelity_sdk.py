"""Wire fidelity where third-party clients go, checked through the official SDKs: Anthropic
structured outputs, Google's dummy thought signature, forced tools that end, streamed
transcripts, the legacy and Gemini routes, and quoted values taken whole on every protocol."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from pydantic import BaseModel

from wenwen_emulator import Emulator
from wenwen_emulator.speech import speak_pcm, wav_from_pcm

anthropic = pytest.importorskip("anthropic")
genai = pytest.importorskip("google.genai")
from google.genai import types as gtypes  # noqa: E402

PERSON_PROMPT = 'Extract the person: "Alice Smith" is 30 years old.'


class Person(BaseModel):
    name: str
    age: int


PERSON_SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


@pytest.fixture
def claude(emu: Emulator) -> Any:
    client = anthropic.Anthropic(base_url=emu.base_url, api_key=emu.api_key, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def gemini(emu: Emulator) -> Any:
    return genai.Client(
        api_key=emu.api_key,
        http_options=gtypes.HttpOptions(base_url=emu.base_url, api_version="v1beta"),
    )


# --- Anthropic structured outputs ---------------------------------------------------------


def test_anthropic_parse_fills_the_output_config_schema(claude: Any, emu: Emulator) -> None:
    reply = claude.messages.parse(
        model="claude-sonnet-4-5-20250929",
        max_tokens=256,
        messages=[{"role": "user", "content": PERSON_PROMPT}],
        output_format=Person,
    )
    assert reply.parsed_output == Person(name="Alice Smith", age=30)
    sent = emu.requests[-1].json
    assert sent["output_config"]["format"]["type"] == "json_schema"


def test_anthropic_beta_output_format_streams_schema_json(claude: Any, emu: Emulator) -> None:
    fmt = {"type": "json_schema", "schema": PERSON_SCHEMA}
    with claude.beta.messages.stream(
        model="claude-sonnet-4-5-20250929",
        max_tokens=256,
        messages=[{"role": "user", "content": PERSON_PROMPT}],
        betas=["structured-outputs-2025-11-13"],
        extra_body={"output_format": fmt},
    ) as stream:
        text = "".join(stream.text_stream)
    assert json.loads(text) == {"name": "Alice Smith", "age": 30}
    sent = emu.requests[-1]
    assert "structured-outputs-2025-11-13" in sent.headers["anthropic-beta"]


def test_anthropic_rejects_a_format_without_a_schema(claude: Any) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        claude.messages.create(
            model="claude-sonnet-4-5-20250929",
            max_tokens=64,
            messages=[{"role": "user", "content": "hi"}],
            output_config={"format": {"type": "json_schema"}},
        )
    assert caught.value.status_code == 400
    assert "output_config.format.schema" in caught.value.body["error"]["message"]


# --- Gemini: Google's dummy thought signature ---------------------------------------------

DUMMY = base64.b64encode(b"skip_thought_signature_validator").decode()


def test_gemini_accepts_the_documented_dummy_signature(gemini: Any) -> None:
    call = gtypes.Part(
        function_call=gtypes.FunctionCall(name="get_weather", args={"city": "Paris"}),
        thought_signature=base64.b64decode(DUMMY),
    )
    reply = gemini.models.generate_content(
        model="gemini-2.5-flash",
        contents=[
            gtypes.Content(role="user", parts=[gtypes.Part(text="Weather in Paris?")]),
            gtypes.Content(role="model", parts=[call]),
            gtypes.Content(
                role="user",
                parts=[
                    gtypes.Part(
                        function_response=gtypes.FunctionResponse(
                            name="get_weather", response={"result": "sunny"}
                        )
                    )
                ],
            ),
        ],
    )
    assert reply.text == "The result of get_weather is sunny."


def test_gemini_still_rejects_a_forged_signature(gemini: Any) -> None:
    forged = gtypes.Part(
        function_call=gtypes.FunctionCall(name="f", args={}), thought_signature=b"forged"
    )
    with pytest.raises(genai.errors.ClientError) as caught:
        gemini.models.generate_content(
            model="gemini-2.5-flash",
            contents=[
                gtypes.Content(role="user", parts=[gtypes.Part(text="hi")]),
                gtypes.Content(role="model", parts=[forged]),
                gtypes.Content(role="user", parts=[gtypes.Part(text="again")]),
            ],
        )
    assert caught.value.code == 400


# --- forced tools end -----------------------------------------------------------------------

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "search",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    },
    {
        "type": "function",
        "function": {"name": "final_result", "parameters": PERSON_SCHEMA},
    },
]


def _run_forced_agent(oai: Any, prompt: str) -> list[str]:
    """A loop that forces a tool every turn and answers each call, as agents with output
    tools do; returns the tools called, in order, until the model answers with text."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
    called: list[str] = []
    for _ in range(5):
        reply = oai.chat.completions.create(
            model="gpt-4o", messages=messages, tools=TOOLS, tool_choice="required"
        )
        message = reply.choices[0].message
        if not message.tool_calls:
            assert message.content
            return called
        messages.append(message.model_dump(exclude_none=True))
        for tool_call in message.tool_calls:
            called.append(tool_call.function.name)
            messages.append({"role": "tool", "tool_call_id": tool_call.id, "content": "ok"})
    raise AssertionError(f"the forced loop did not end: {called}")


def test_forced_tool_choice_calls_each_tool_once_then_answers(oai: Any) -> None:
    assert _run_forced_agent(oai, "search for Alice") == ["search", "final_result"]
    assert _run_forced_agent(oai, "Hello there") == ["search", "final_result"]


def test_anthropic_any_moves_on_to_a_tool_without_result(claude: Any) -> None:
    tools = [{"name": t["function"]["name"], "input_schema": t["function"]["parameters"]}
             for t in TOOLS]  # fmt: skip
    first = claude.messages.create(
        model="claude-sonnet-4-5-20250929",
        max_tokens=256,
        messages=[{"role": "user", "content": "search for Alice"}],
        tools=tools,
        tool_choice={"type": "any"},
    )
    use = next(b for b in first.content if b.type == "tool_use")
    assert use.name == "search"
    second = claude.messages.create(
        model="claude-sonnet-4-5-20250929",
        max_tokens=256,
        messages=[
            {"role": "user", "content": "search for Alice"},
            {"role": "assistant", "content": [use.model_dump()]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": use.id, "content": "Alice is 30"}
                ],
            },
        ],
        tools=tools,
        tool_choice={"type": "any"},
    )
    assert [b.name for b in second.content if b.type == "tool_use"] == ["final_result"]


# --- audio ------------------------------------------------------------------------------------


def _speech_file() -> tuple[str, bytes, str]:
    return ("speech.wav", wav_from_pcm(speak_pcm("hello from the emulator")), "audio/wav")


def test_transcription_stream_sends_delta_and_done_events(oai: Any) -> None:
    events = list(
        oai.audio.transcriptions.create(model="gpt-4o-transcribe", file=_speech_file(), stream=True)
    )
    kinds = [e.type for e in events]
    assert set(kinds[:-1]) == {"transcript.text.delta"} and kinds[-1] == "transcript.text.done"
    deltas = "".join(e.delta for e in events[:-1])
    assert deltas == events[-1].text == "hello from the emulator"
    assert events[-1].usage.output_tokens > 0


def test_translation_route(oai: Any) -> None:
    result = oai.audio.translations.create(model="whisper-1", file=_speech_file())
    assert result.text == "hello from the emulator"


# --- legacy completions, video remix, Gemini embeddings and model list ----------------------


def test_legacy_completions_json_and_stream(oai: Any) -> None:
    reply = oai.completions.create(model="gpt-3.5-turbo", prompt="Say hello", max_tokens=50)
    assert reply.object == "text_completion" and reply.choices[0].text
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    pieces = list(
        oai.completions.create(
            model="gpt-3.5-turbo", prompt="Say hello", max_tokens=50, stream=True
        )
    )
    assert "".join(p.choices[0].text for p in pieces) == reply.choices[0].text
    assert pieces[-1].choices[0].finish_reason == reply.choices[0].finish_reason


def test_video_remix(oai: Any, emu: Emulator) -> None:
    video = oai.videos.create(model="sora-2", prompt="a red fox")
    emu.clock.advance(600)
    remix = oai.videos.remix(video.id, prompt="a blue fox")
    assert remix.remixed_from_video_id == video.id and remix.id != video.id
    assert remix.prompt == "a blue fox"


def test_gemini_embeddings(gemini: Any) -> None:
    result = gemini.models.embed_content(
        model="gemini-embedding-001",
        contents=["red apples", "green apples"],
        config=gtypes.EmbedContentConfig(output_dimensionality=64),
    )
    assert [len(e.values) for e in result.embeddings] == [64, 64]


def test_gemini_single_embed_content_route(http: Any) -> None:
    body = {"content": {"parts": [{"text": "red apples"}]}, "outputDimensionality": 8}
    reply = http.post(
        "/v1beta/models/text-embedding-004:embedContent",
        json=body,
        headers={"x-goog-api-key": "sk-emulator"},
    )
    assert reply.status_code == 200 and len(reply.json()["embedding"]["values"]) == 8


@pytest.mark.parametrize("version", ["v1", "v1beta"])
def test_gemini_model_list_on_either_version(emu: Emulator, version: str) -> None:
    client = genai.Client(
        api_key=emu.api_key,
        http_options=gtypes.HttpOptions(base_url=emu.base_url, api_version=version),
    )
    names = [m.name for m in client.models.list()]
    assert any("gemini-2.5-flash" in (name or "") for name in names)


# --- quoted values, every protocol ------------------------------------------------------------


def test_quoted_value_whole_on_openai_chat_and_responses(oai: Any) -> None:
    chat = oai.chat.completions.parse(
        model="gpt-4o",
        messages=[{"role": "user", "content": PERSON_PROMPT}],
        response_format=Person,
    )
    assert chat.choices[0].message.parsed == Person(name="Alice Smith", age=30)
    resp = oai.responses.parse(model="gpt-4o", input=PERSON_PROMPT, text_format=Person)
    assert resp.output_parsed == Person(name="Alice Smith", age=30)
    loose = oai.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "user", "content": PERSON_PROMPT + ' Reply in JSON like {"name": "..."}.'}
        ],
        response_format={"type": "json_object"},
    )
    assert json.loads(loose.choices[0].message.content or "") == {"name": "Alice Smith"}


def test_quoted_value_whole_on_gemini(gemini: Any) -> None:
    reply = gemini.models.generate_content(
        model="gemini-2.5-flash",
        contents=PERSON_PROMPT,
        config=gtypes.GenerateContentConfig(
            response_mime_type="application/json", response_schema=Person
        ),
    )
    assert reply.parsed == Person(name="Alice Smith", age=30)
