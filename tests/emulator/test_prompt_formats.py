"""The mock model follows the format a prompt asks for, whatever its wording."""

from __future__ import annotations

import json
from typing import Any

import httpx

from wenwen_emulator.mock_model import prompt_json
from wenwen_emulator.mock_model.choices import Choice, numbered, relevant

CHAT = "/v1/chat/completions"


def reply(http: httpx.Client, messages: list[dict[str, Any]] | str, **extra: Any) -> str:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    response = http.post(CHAT, json={"model": "gpt-4o", "messages": messages, **extra})
    assert response.status_code == 200, response.text
    return str(response.json()["choices"][0]["message"]["content"])


def test_a_loose_example_with_bare_keys_and_placeholders_is_followed(http: httpx.Client) -> None:
    prompt = (
        "Options:\n1. Ask the billing team about invoices and refunds\n"
        "2. Ask the support team about login problems and passwords\n\n"
        "Which team should handle: 'I forgot my password and cannot log in'?\n"
        'Respond in JSON, for example: [{option: 1, why: "..."}, ...]'
    )
    value = json.loads(reply(http, prompt))
    assert [item["option"] for item in value] == [2]
    assert "login problems" in value[0]["why"]


def test_keys_named_in_prose(http: httpx.Client) -> None:
    prompt = (
        "Context: Mount Fuji is 3776 metres high.\n"
        "Return a JSON object with the keys 'mountain' and 'height'. How high is Mount Fuji?"
    )
    value = json.loads(reply(http, prompt))
    assert set(value) == {"mountain", "height"}


def test_a_doubled_brace_schema_is_filled(http: httpx.Client) -> None:
    schema = '{{"properties": {{"city": {{"type": "string"}}, "days": {{"type": "integer"}}}}, "required": ["city", "days"]}}'
    prompt = f"Plan a trip to 'Kyoto' for 4 days.\nAnswer with JSON matching this schema:\n{schema}"
    assert json.loads(reply(http, prompt)) == {"city": "Kyoto", "days": 4}


def test_plain_questions_about_json_stay_prose(http: httpx.Client) -> None:
    text = reply(http, "JSON was specified by Douglas Crockford. Who specified JSON?")
    assert text == "JSON was specified by Douglas Crockford."
    rag = (
        "Context: The service keeps its settings in a JSON file under /etc/app.\n"
        "Query: Where does the service keep its settings?\nAnswer:"
    )
    assert reply(http, rag) == "The service keeps its settings in a JSON file under /etc/app."


REACT_CLASSIC = """Answer the following questions as best you can. You have access to the following tools:

get_weather: Get the current weather for a city
convert_currency: Convert an amount of money between currencies

Use the following format:

Question: the input question you must answer
Thought: you should always think about what to do
Action: the action to take, should be one of [get_weather, convert_currency]
Action Input: the input to the action
Observation: the result of the action
... (this Thought/Action/Action Input/Observation can repeat N times)
Thought: I now know the final answer
Final Answer: the final answer to the original input question

Begin!

Question: What is the weather in 'Lisbon' today?
Thought:{scratchpad}"""


def test_classic_react_prompt_in_one_message(http: httpx.Client) -> None:
    first = reply(http, REACT_CLASSIC.format(scratchpad=""))
    assert first.endswith("Action: get_weather\nAction Input: Lisbon")
    scratch = " I should check.\nAction: get_weather\nAction Input: Lisbon\nObservation: 21 C and sunny\nThought:"
    final = reply(http, REACT_CLASSIC.format(scratchpad=scratch))
    assert final.endswith("Final Answer: The result of get_weather is 21 C and sunny.")


def test_requested_schema_forms() -> None:
    assert prompt_json.requested_schema('Example output:\n```json\n{"a": 1, "b": ["x"]}\n```') == {
        "type": "object",
        "properties": {
            "a": {"type": "integer"},
            "b": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["a", "b"],
    }
    tools_then_nothing = 'Tools:\n{"t1": "first tool here", "t2": "second tool here"}\nGive JSON.'
    assert prompt_json.requested_schema(tools_then_nothing)["required"] == ["answer"]


def test_relevance_not_order_decides() -> None:
    items = numbered("(1) Cooking recipes and ingredients\n(2) Football results and league tables")
    assert [c.number for c in relevant(items, "Who won the football league?")] == [2]
    tools = [Choice("alpha", "Translate text"), Choice("beta", "Translate text into French")]
    assert relevant(tools, "translate this into french")[0].name == "beta"
