"""LlamaIndex's own prompt templates against the emulator, through ``Wenwen``: the mock model
follows the format each prompt asks for (JSON in any form, ReAct) and picks by relevance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.agent.workflow import ReActAgent
from llama_index.core.program import LLMTextCompletionProgram
from llama_index.core.question_gen import LLMQuestionGenerator
from llama_index.core.schema import QueryBundle
from llama_index.core.selectors import LLMMultiSelector, LLMSingleSelector
from llama_index.core.tools import FunctionTool, ToolMetadata
from pydantic import BaseModel

from llama_index_wenwen import Wenwen
from wenwen_emulator import Emulator

CHOICES = [
    ToolMetadata(name="weather", description="Useful for the weather forecast in a city"),
    ToolMetadata(name="stocks", description="Useful for stock prices and company shares"),
    ToolMetadata(name="recipes", description="Useful for cooking recipes and ingredients"),
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How much is one share of Apple stock?", 1),
        ("What ingredients do I need for bread?", 2),
        ("Will it rain in Oslo? Check the forecast.", 0),
    ],
)
def test_single_selector_picks_the_relevant_choice(
    llm: Wenwen, question: str, expected: int
) -> None:
    result = LLMSingleSelector.from_defaults(llm=llm).select(CHOICES, QueryBundle(question))
    assert result.ind == expected
    assert CHOICES[expected].description in result.reason


def test_multi_selector_picks_every_relevant_choice(llm: Wenwen) -> None:
    selector = LLMMultiSelector.from_defaults(llm=llm)
    result = selector.select(CHOICES, QueryBundle("Compare the forecast with the stock prices"))
    assert sorted(result.inds) == [0, 1]


def test_question_generator_splits_the_question_by_tool(llm: Wenwen) -> None:
    generator = LLMQuestionGenerator.from_defaults(llm=llm)
    subs = generator.generate(
        CHOICES, QueryBundle("Compare the weather in Paris with the Apple stock price")
    )
    assert [(s.tool_name, s.sub_question) for s in subs] == [
        ("weather", "What is the weather in Paris?"),
        ("stocks", "What is the Apple stock price?"),
    ]


class Song(BaseModel):
    title: str
    length_seconds: int


class Album(BaseModel):
    name: str
    artist: str
    songs: list[Song]


@pytest.mark.parametrize("mode", ["plain", "json_object"])
def test_text_completion_program_fills_the_schema_it_was_shown(
    make_llm: Callable[..., Wenwen], mode: str
) -> None:
    kwargs: dict[str, Any] = {}
    if mode == "json_object":
        kwargs["additional_kwargs"] = {"response_format": {"type": "json_object"}}
    program = LLMTextCompletionProgram.from_defaults(
        output_cls=Album,
        prompt_template_str=(
            "Generate an example album by the artist 'Wendy Carlos', with a song of "
            "{seconds} seconds, inspired by the movie {movie}."
        ),
        llm=make_llm(**kwargs),
    )
    album = program(movie="The Shining", seconds=180)
    assert album.artist == "Wendy Carlos"
    assert [song.length_seconds for song in album.songs] == [180]


def multiply(a: int, b: int) -> int:
    """Multiply two integers and return the product."""
    return a * b


def add(a: int, b: int) -> int:
    """Add two integers and return the sum."""
    return a + b


def lookup_population(city: str) -> str:
    """Look up the population of a city."""
    return {"Paris": "2100000"}.get(city, "unknown")


async def test_react_agent_calls_the_matching_tool_then_answers(llm: Wenwen, emu: Emulator) -> None:
    tools = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]
    agent = ReActAgent(tools=tools, llm=llm)
    result = await agent.run("What is 20 multiplied by 7?", max_iterations=5)
    assert str(result) == "The result of multiply is 140."
    assert [c.tool_name for c in result.tool_calls] == ["multiply"]
    assert [c.tool_kwargs for c in result.tool_calls] == [{"a": 20, "b": 7}]
    assert len(emu.requests) == 2  # one action, one final answer


async def test_react_agent_takes_several_steps(llm: Wenwen) -> None:
    tools = [
        FunctionTool.from_defaults(lookup_population),
        FunctionTool.from_defaults(multiply),
    ]
    agent = ReActAgent(tools=tools, llm=llm)
    result = await agent.run(
        "Look up the population of 'Paris', then multiply that population by 2.",
        max_iterations=6,
    )
    calls = [(c.tool_name, c.tool_kwargs) for c in result.tool_calls]
    assert calls == [
        ("lookup_population", {"city": "Paris"}),
        ("multiply", {"a": 2100000, "b": 2}),
    ]
    assert "4200000" in str(result)
